//! AH properties over random packets, algorithms and modes: verify ∘ protect = id; a modified
//! byte outside the mutable fields is an integrity failure; random bytes never panic.

mod common;

use common::*;
use proptest::prelude::*;
use zubr_base::sa::Mode;
use zubr_base::{Instant, IpsecError, PacketBuf, ip};

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn round_trip_and_tamper(suite in 0usize..16, tunnel: bool, esn: bool, len in 0usize..1500,
                             seed: u8, at in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let all = suites();
        let i = all[suite % all.len()];
        let mut p = params(9, if tunnel { Mode::Tunnel } else { Mode::Transport });
        p.esn = esn;
        let k = key(i.mac.key_len(), seed);
        let (mut out, mut inb) = pair(p, i, &k);
        let orig = if seed % 2 == 0 { udp(len, seed) } else { tcp(len, seed) };
        let mut buf = vec![0u8; 2048];
        let mut pkt = PacketBuf::copy_from(&mut buf, 128, &orig).unwrap();
        out.encapsulate(Instant::ZERO, &mut pkt).unwrap();
        let wire = pkt.bytes().to_vec();
        // tamper first, with a fresh receiver
        let mut w = wire.clone();
        let idx = at.index(w.len());
        w[idx] ^= flip;
        ip::update_checksum(&mut w);
        let mutable = matches!(idx, 1 | 6 | 7 | 8 | 10 | 11);
        let mut b2 = vec![0u8; 2048];
        let mut t = PacketBuf::copy_from(&mut b2, 0, &w).unwrap();
        let r = pair(p, i, &k).1.decapsulate(Instant::ZERO, &mut t);
        if !mutable {
            prop_assert!(r.is_err(), "modified byte {} accepted", idx);
            if idx >= 32 { prop_assert_eq!(r.unwrap_err(), IpsecError::IntegrityFailed); }
        }
        inb.decapsulate(Instant::ZERO, &mut pkt).unwrap();
        prop_assert_eq!(pkt.bytes(), &orig[..]);
    }

    #[test]
    fn random_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..200)) {
        let i = suites()[0];
        let (_, mut inb) = pair(params(9, Mode::Transport), i, &key(i.mac.key_len(), 0));
        let mut p = udp(0, 0)[..20].to_vec();
        p[9] = 51;
        p.extend_from_slice(&data);
        let total = p.len() as u16;
        p[2..4].copy_from_slice(&total.to_be_bytes());
        ip::update_checksum(&mut p);
        for input in [&p[..], &data[..]] {
            let mut buf = vec![0u8; 512];
            let mut pkt = PacketBuf::copy_from(&mut buf, 0, input).unwrap();
            let _ = inb.decapsulate(Instant::ZERO, &mut pkt);
        }
    }
}
