//! Properties over random packets, sizes, algorithms and modes:
//! decapsulate ∘ encapsulate = id; a tampered byte anywhere gives a typed error (integrity
//! failure inside the authenticated part), never a panic and never a wrong packet; random bytes
//! never panic.

mod common;

use common::*;
use proptest::prelude::*;
use zubr_base::sa::Mode;
use zubr_base::{Instant, IpsecError, PacketBuf};
use zubr_esp::UdpEncap;

fn packet(kind: u8, len: usize, seed: u8) -> Vec<u8> {
    match kind % 3 {
        0 => udp(len, seed),
        1 => tcp(len, seed),
        _ => icmp(len, seed, 64),
    }
}

fn setup(
    suite: usize,
    tunnel: bool,
    nat_t: bool,
    esn: bool,
) -> (zubr_esp::EspOutbound, zubr_esp::EspInbound, bool, Mode) {
    let all = suites();
    let (c, i) = all[suite % all.len()];
    let authed = i.is_some() || c.is_aead();
    let mode = if tunnel {
        Mode::Tunnel
    } else {
        Mode::Transport
    };
    let mut p = params(0x77, mode);
    p.esn = esn && authed;
    let k = keys(c, i);
    let mut cfg = config(p, c, i, &k);
    cfg.udp = nat_t.then_some(UdpEncap::NAT_T);
    let (o, n) = pair(&cfg);
    (o, n, authed, mode)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn round_trip(suite in 0usize..64, tunnel: bool, nat_t: bool, esn: bool,
                  kind: u8, len in 0usize..1600, seed: u8, count in 1usize..4) {
        let (mut out, mut inb, _, _) = setup(suite, tunnel, nat_t, esn);
        for n in 0..count {
            let orig = packet(kind, len + n, seed);
            let mut buf = vec![0u8; 2048 + 256];
            let mut pkt = PacketBuf::copy_from(&mut buf, 128, &orig).unwrap();
            out.encapsulate(Instant::ZERO, &mut pkt).unwrap();
            inb.decapsulate(Instant::ZERO, &mut pkt).unwrap();
            prop_assert_eq!(pkt.bytes(), &orig[..]);
        }
    }

    #[test]
    fn tampering_is_detected(suite in 0usize..64, tunnel: bool, nat_t: bool,
                             len in 0usize..300, at in any::<prop::sample::Index>(),
                             flip in 1u8..=255, cut in 0usize..8) {
        let (mut out, mut inb, authed, mode) = setup(suite, tunnel, nat_t, false);
        let orig = udp(len, 1);
        let mut buf = vec![0u8; 1024];
        let mut pkt = PacketBuf::copy_from(&mut buf, 128, &orig).unwrap();
        out.encapsulate(Instant::ZERO, &mut pkt).unwrap();
        let mut wire = pkt.bytes().to_vec();
        let i = at.index(wire.len());
        wire[i] ^= flip;
        let esp_start = 20 + if nat_t { 8 } else { 0 };
        if cut > 0 {
            wire.truncate(wire.len() - cut.min(wire.len()));
        }
        let mut b2 = vec![0u8; 1024];
        let mut t = PacketBuf::copy_from(&mut b2, 0, &wire).unwrap();
        match inb.decapsulate(Instant::ZERO, &mut t) {
            Ok(_) => {
                prop_assert!(!authed || (i < esp_start && cut == 0), "accepted a modified packet");
                if authed && mode == Mode::Tunnel {
                    prop_assert_eq!(t.bytes(), &orig[..]);
                }
            }
            Err(e) => {
                if authed && i >= esp_start + 8 && cut == 0 {
                    prop_assert_eq!(e, IpsecError::IntegrityFailed);
                }
            }
        }
    }

    #[test]
    fn random_bytes_never_panic(suite in 0usize..64, tunnel: bool, nat_t: bool,
                                data in prop::collection::vec(any::<u8>(), 0..200),
                                proto in prop_oneof![Just(50u8), Just(17u8), any::<u8>()]) {
        let (_, mut inb, _, _) = setup(suite, tunnel, nat_t, false);
        // a valid-looking IPv4 header in front of random bytes half of the time
        let mut p = udp(0, 0)[..20].to_vec();
        p[9] = proto;
        p.extend_from_slice(&data);
        let total = p.len() as u16;
        p[2..4].copy_from_slice(&total.to_be_bytes());
        zubr_base::ip::update_checksum(&mut p);
        for input in [&p[..], &data[..]] {
            let mut buf = vec![0u8; 512];
            let mut pkt = PacketBuf::copy_from(&mut buf, 0, input).unwrap();
            let _ = inb.decapsulate(Instant::ZERO, &mut pkt);
        }
    }
}
