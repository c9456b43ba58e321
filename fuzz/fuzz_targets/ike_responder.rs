//! A responder engine fed arbitrary datagrams: first a genuine Main or Aggressive Mode first
//! message from a Zubr initiator (so the fuzzer starts inside an exchange), then fuzz chunks,
//! optionally carrying the live SA's cookies, on port 500 or 4500, with time advancing. Nothing
//! may panic, and state stays within the configured bounds.
#![no_main]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use zubr_base::Instant;
use zubr_crypto_stb::SOFTWARE;
use zubr_ike::config::{
    Config, EspTransform, IkeRule, IkeTransform, IpsecMode, IpsecRule, PeerMatch, Phase1Mode,
    Selector,
};
use zubr_ike::{Acquire, Engine};

fn config(mode: Phase1Mode, peer: Option<Ipv4Addr>) -> Config {
    let t = IkeTransform {
        cipher: SOFTWARE.ike_cipher_by_name("aes128-cbc").unwrap(),
        hash: SOFTWARE.ike_hash_by_name("sha1").unwrap(),
        group: SOFTWARE.group_by_name("ecp256").unwrap(),
        lifetime_secs: 28800,
        lifetime_kb: 0,
    };
    let mut c = Config::default();
    c.ike_rules.push(IkeRule::psk("r", vec![PeerMatch::Any], mode, b"fuzz", vec![t]));
    c.ipsec_rules.push(IpsecRule {
        name: "f".into(),
        action_name: "a".into(),
        local: Selector::subnet(Ipv4Addr::new(10, 1, 0, 0), 16),
        remote: Selector::subnet(Ipv4Addr::new(10, 2, 0, 0), 16),
        peer,
        mode: IpsecMode::Tunnel,
        proposals: vec![EspTransform {
            cipher: SOFTWARE.esp_cipher_by_name("esp-aes128-cbc").unwrap(),
            integrity: SOFTWARE.integrity_by_name("esp-sha1-hmac"),
            lifetime_secs: 3600,
            lifetime_kb: 0,
        }],
        pfs: None,
        ike_rule: None,
        rekey: true,
    });
    c
}

/// The initiator's first message, made once per mode (key generation is not what is fuzzed).
fn first_message(mode: Phase1Mode, a: Ipv4Addr, b: Ipv4Addr) -> Vec<u8> {
    static MM: OnceLock<Vec<u8>> = OnceLock::new();
    static AM: OnceLock<Vec<u8>> = OnceLock::new();
    let cell = if mode == Phase1Mode::Main { &MM } else { &AM };
    cell.get_or_init(|| {
        let mut init = Engine::new(config(mode, Some(b)), SOFTWARE, &[1; 32]).unwrap();
        let now = Instant::from_secs(10);
        init.acquire(now, Acquire { rule: 0, peer: None, local: a }).unwrap();
        init.poll_transmit().unwrap().payload
    })
    .clone()
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, mut rest)) = data.split_first() else { return };
    let mode = if sel & 1 == 0 { Phase1Mode::Main } else { Phase1Mode::Aggressive };
    let a = Ipv4Addr::new(192, 0, 2, 1);
    let b = Ipv4Addr::new(192, 0, 2, 2);
    let mut resp = Engine::new(config(mode, None), SOFTWARE, &[2; 32]).unwrap();
    let mut now = Instant::from_secs(10);
    let first = first_message(mode, a, b);
    let la = SocketAddr::new(IpAddr::V4(b), 500);
    let ra = SocketAddr::new(IpAddr::V4(a), 500);
    let _ = resp.handle_datagram(now, la, ra, &first);
    let mut cookies = [0u8; 16];
    cookies[..8].copy_from_slice(&first[..8]);
    if let Some(t) = resp.poll_transmit() {
        if t.payload.len() >= 16 {
            cookies.copy_from_slice(&t.payload[..16]);
        }
    }
    while rest.len() >= 3 {
        let flags = rest[0];
        let len = usize::from(u16::from_be_bytes([rest[1], rest[2]])).min(rest.len() - 3);
        let mut chunk = rest[3..3 + len].to_vec();
        rest = &rest[3 + len..];
        if flags & 1 != 0 && chunk.len() >= 16 {
            chunk[..16].copy_from_slice(&cookies);
        }
        let port = if flags & 2 != 0 { 4500 } else { 500 };
        if port == 4500 && flags & 4 != 0 {
            chunk.splice(0..0, [0u8; 4]);
        }
        let local = SocketAddr::new(IpAddr::V4(b), port);
        let remote = SocketAddr::new(IpAddr::V4(a), port);
        let _ = resp.handle_datagram(now, local, remote, &chunk);
        now += std::time::Duration::from_millis(u64::from(flags >> 3) * 500);
        resp.handle_timeout(now);
        while resp.poll_transmit().is_some() {}
        while resp.poll_event().is_some() {}
        let lim = &resp.config().limits;
        assert!(resp.sessions().1 <= lim.responder_sessions_max.max(lim.half_open_total));
    }
    let _ = resp.show(now, true);
});
