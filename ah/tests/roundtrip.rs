//! Every AH integrity transform of the provider, tunnel and transport, with and without ESN:
//! protect → check the AH header with an independent parser (etherparse) → verify → the
//! original packet comes back; a replay and a flipped bit are refused.

mod common;

use common::*;
use zubr_base::sa::Mode;
use zubr_base::{Instant, IpsecError, PacketBuf, ip};

#[test]
fn every_integrity_both_modes_esn() {
    let now = Instant::ZERO;
    let mut n_sa = 0;
    for i in suites() {
        for mode in [Mode::Tunnel, Mode::Transport] {
            for esn in [false, true] {
                let mut p = params(0x2000 + n_sa, mode);
                p.esn = esn;
                if esn {
                    p.initial_seq = u64::from(u32::MAX);
                }
                let k = key(i.mac.key_len(), 9);
                let (mut out, mut inb) = pair(p, i, &k);
                let label = format!("{} {mode:?} esn={esn}", i.ah_sa_name);
                let mut pkts = vec![udp(0, 1), udp(1400, 2), tcp(20, 3), icmp(7, 0x10, 3)];
                if mode == Mode::Tunnel {
                    pkts.push(ipv6(33));
                }
                for (n, orig) in pkts.iter().enumerate() {
                    let mut buf = vec![0u8; 2048];
                    let mut pkt = PacketBuf::copy_from(&mut buf, 128, orig).unwrap();
                    out.encapsulate(now, &mut pkt)
                        .unwrap_or_else(|e| panic!("{label}: {e}"));
                    let wire = pkt.bytes().to_vec();
                    let (h, rest) = etherparse::Ipv4Header::from_slice(&wire).unwrap();
                    assert_eq!(h.header_checksum, h.calc_header_checksum(), "{label}");
                    assert_eq!(h.protocol.0, ip::PROTO_AH, "{label}");
                    let (ah, _) = etherparse::IpAuthHeader::from_slice(rest)
                        .unwrap_or_else(|e| panic!("{label}: AH header: {e:?}"));
                    assert_eq!(ah.spi, 0x2000 + n_sa);
                    assert_eq!(
                        u64::from(ah.sequence_number),
                        (p.initial_seq + n as u64) & 0xffff_ffff
                    );
                    assert_eq!(ah.raw_icv().len(), i.icv_len.div_ceil(4) * 4, "{label}");
                    let want_nh = if mode == Mode::Tunnel {
                        if orig[0] >> 4 == 4 { 4 } else { 41 }
                    } else {
                        orig[9]
                    };
                    assert_eq!(ah.next_header.0, want_nh);
                    // a bit flipped in an immutable place fails; in a mutable one it passes
                    for (at, ok) in [(wire.len() - 1, false), (8, true), (1, true)] {
                        let mut b2 = vec![0u8; 2048];
                        let mut w = wire.clone();
                        w[at] ^= 0x01;
                        ip::update_checksum(&mut w);
                        let mut x = PacketBuf::copy_from(&mut b2, 0, &w).unwrap();
                        let mut fresh = pair(p, i, &k).1;
                        let r = fresh.decapsulate(now, &mut x);
                        if ok {
                            assert!(r.is_ok(), "{label}: mutable byte {at}: {r:?}");
                        } else {
                            assert_eq!(r, Err(IpsecError::IntegrityFailed), "{label}");
                        }
                    }
                    inb.decapsulate(now, &mut pkt)
                        .unwrap_or_else(|e| panic!("{label}: decapsulate {n}: {e}"));
                    assert_eq!(pkt.bytes(), &orig[..], "{label}");
                    let mut b2 = vec![0u8; 2048];
                    let mut again = PacketBuf::copy_from(&mut b2, 0, &wire).unwrap();
                    assert_eq!(
                        inb.decapsulate(now, &mut again),
                        Err(IpsecError::ReplayDetected)
                    );
                }
                n_sa += 1;
            }
        }
    }
    assert!(n_sa >= 4);
}

#[test]
fn immutable_options_are_protected_and_kept() {
    let i = suites()[0];
    let k = key(i.mac.key_len(), 1);
    let (mut out, mut inb) = pair(params(5, Mode::Transport), i, &k);
    // IPv4 with Router Alert (immutable) + NOP + EOL padding, then UDP
    let base = udp(10, 4);
    let mut orig = vec![0u8; base.len() + 8];
    orig[..20].copy_from_slice(&base[..20]);
    orig[0] = 0x47;
    let total = orig.len() as u16;
    orig[2..4].copy_from_slice(&total.to_be_bytes());
    orig[20..28].copy_from_slice(&[148, 4, 0, 0, 1, 0, 0, 0]);
    orig[28..].copy_from_slice(&base[20..]);
    ip::update_checksum(&mut orig);
    let mut buf = vec![0u8; 512];
    let mut pkt = PacketBuf::copy_from(&mut buf, 64, &orig).unwrap();
    out.encapsulate(Instant::ZERO, &mut pkt).unwrap();
    let mut tampered = pkt.bytes().to_vec();
    tampered[22] = 1; // router alert value changed: immutable → integrity failure
    ip::update_checksum(&mut tampered);
    let mut b2 = vec![0u8; 512];
    let mut t = PacketBuf::copy_from(&mut b2, 0, &tampered).unwrap();
    assert_eq!(
        pair(params(5, Mode::Transport), i, &k)
            .1
            .decapsulate(Instant::ZERO, &mut t),
        Err(IpsecError::IntegrityFailed)
    );
    // a refused packet comes back as it was (header fields and ICV restored)
    assert_eq!(t.bytes(), &tampered[..]);
    inb.decapsulate(Instant::ZERO, &mut pkt).unwrap();
    assert_eq!(pkt.bytes(), &orig[..]);
}
