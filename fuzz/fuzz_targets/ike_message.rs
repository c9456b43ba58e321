//! Untrusted bytes into the ISAKMP message parser: header, payload chain, and every payload
//! decoder. Nothing may panic; a chain whose reserved bytes are zero must re-encode to the same
//! bytes (decode → encode round trip).
#![no_main]

use libfuzzer_sys::fuzz_target;
use zubr_ike::codec::{
    AttributePayload, DeletePayload, FragmentPayload, IdPayload, Message, NotifyPayload,
    PayloadWriter, SaPayload, parse_attributes, parse_payloads,
};

fuzz_target!(|data: &[u8]| {
    let _ = SaPayload::parse(data);
    let _ = parse_attributes(data);
    let Ok(m) = Message::parse(data) else { return };
    let Ok(ps) = parse_payloads(m.header.next_payload, m.body, false) else { return };
    let mut w = PayloadWriter::new();
    let mut reserved_zero = true;
    for p in &ps {
        let _ = SaPayload::parse(p.body);
        let _ = IdPayload::parse(p.body);
        let _ = NotifyPayload::parse(p.body);
        let _ = DeletePayload::parse(p.body);
        let _ = AttributePayload::parse(p.body);
        let _ = FragmentPayload::parse(p.body);
        reserved_zero &= p.whole[1] == 0;
        w.push(p.ty, p.body).expect("a parsed payload re-encodes");
    }
    if reserved_zero {
        assert_eq!(w.first(), m.header.next_payload);
        assert_eq!(w.bytes(), m.body, "payload chain round trip");
    }
});
