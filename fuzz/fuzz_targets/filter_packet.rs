//! Arbitrary bytes as packets, in both directions and after decapsulation, through a fixed
//! policy with stateful rules, FTP inspection, port selectors (so fragments go through the
//! reassembler), an IPsec policy and autopass. Nothing may panic; memory stays bounded.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::{Mutex, OnceLock};
use zubr_base::{Instant, UnixTime};
use zubr_filter::event::EventMask;
use zubr_filter::{Engine, EngineSettings, IpsecActionId, PhyId, sample_policy};

static ENGINE: OnceLock<Mutex<(Engine, PhyId, u64)>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let m = ENGINE.get_or_init(|| {
        let mut e = Engine::new(EngineSettings {
            event_mask: EventMask::ALL,
            event_capacity: 256,
            ..EngineSettings::default()
        });
        let phy = e.add_interface("eth0", &["10.0.0.5".parse().unwrap()], &["10.0.0.255".parse().unwrap()]);
        e.load_policy(sample_policy(), UnixTime(1_750_000_000)).expect("policy");
        Mutex::new((e, phy, 0))
    });
    let mut g = m.lock().unwrap_or_else(|p| p.into_inner());
    let (e, phy, clock) = &mut *g;
    *clock += 1;
    let now = Instant::from_millis(*clock * 10);
    let Some((&sel, pkt)) = data.split_first() else { return };
    let _ = match sel % 5 {
        0 => e.inbound(*phy, pkt, sel & 0x80 != 0, now),
        1 => e.outbound(*phy, pkt, sel & 0x80 != 0, now),
        2 => e.outbound_wire(*phy, pkt, now),
        3 => e.inbound_decapsulated(*phy, pkt, IpsecActionId(u32::from(sel >> 3) % 2), u32::from(sel >> 4), now),
        _ => e.process_traced(zubr_base::Direction::In, *phy, pkt, false, now).0,
    };
    let _ = e.take_reassembled();
    while let Some(ev) = e.events().pop() {
        let _ = ev.to_string();
    }
    if *clock % 1000 == 0 {
        e.poll(now);
    }
});
