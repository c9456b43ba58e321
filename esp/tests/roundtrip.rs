//! Every ESP suite of the provider (every cipher with every integrity algorithm, AEADs alone,
//! encryption-only), in tunnel and transport mode, with and without UDP encapsulation and ESN:
//! encapsulate → check the wire format with an independent parser (etherparse) → decapsulate →
//! the original packet comes back.

mod common;

use common::*;
use zubr_base::sa::{DfMode, Mode};
use zubr_base::{Instant, IpsecError, PacketBuf, ip};
use zubr_esp::UdpEncap;

fn packets(mode: Mode) -> Vec<Vec<u8>> {
    let mut v = vec![
        udp(0, 1),
        udp(1, 2),
        udp(17, 3),
        udp(100, 4),
        udp(1400, 5),
        tcp(0, 6),
        tcp(333, 7),
        icmp(56, 0x2c, 9),
    ];
    if mode == Mode::Tunnel {
        v.push(ipv6(77));
    }
    v
}

#[test]
fn every_suite_both_modes_udp_esn() {
    let now = Instant::from_secs(1);
    let mut combos = 0;
    for (c, i) in suites() {
        for mode in [Mode::Tunnel, Mode::Transport] {
            for nat_t in [false, true] {
                for esn in [false, true] {
                    if esn && i.is_none() && !c.is_aead() {
                        continue; // ESN needs an authenticated window (code 13, tested in errors.rs)
                    }
                    let mut p = params(0x1000 + combos, mode);
                    p.esn = esn;
                    if esn {
                        // start near the 2^32 boundary so the high bits are exercised
                        p.initial_seq = u64::from(u32::MAX) - 2;
                    }
                    let k = keys(c, i);
                    let mut cfg = config(p, c, i, &k);
                    cfg.udp = nat_t.then_some(UdpEncap::NAT_T);
                    let (mut out, mut inb) = pair(&cfg);
                    let label = format!("{} {mode:?} udp={nat_t} esn={esn}", name(c, i));
                    let ov = out.overhead();
                    let mut last_iv: Option<Vec<u8>> = None;
                    for (n, orig) in packets(mode).iter().enumerate() {
                        let mut buf = vec![0u8; 2048];
                        let mut pkt = PacketBuf::copy_from(&mut buf, 128, orig).unwrap();
                        out.encapsulate(now, &mut pkt)
                            .unwrap_or_else(|e| panic!("{label}: encapsulate: {e}"));
                        let wire = pkt.bytes().to_vec();
                        assert!(
                            wire.len() <= orig.len() + ov.head + ov.tail,
                            "{label}: overhead"
                        );
                        // outer header, checked by etherparse
                        let (h, _) = etherparse::Ipv4Header::from_slice(&wire)
                            .unwrap_or_else(|e| panic!("{label}: outer header: {e:?}"));
                        assert_eq!(h.header_checksum, h.calc_header_checksum(), "{label}");
                        assert_eq!(usize::from(h.total_len), wire.len(), "{label}");
                        let hl = usize::from(h.ihl()) * 4;
                        if mode == Mode::Tunnel {
                            assert_eq!((h.source, h.destination), (LEFT.octets(), RIGHT.octets()));
                        } else {
                            assert_eq!(&wire[12..20], &orig[12..20], "{label}: addresses kept");
                        }
                        let esp_off = if nat_t {
                            assert_eq!(h.protocol.0, ip::PROTO_UDP, "{label}");
                            let (u, _) = etherparse::UdpHeader::from_slice(&wire[hl..]).unwrap();
                            assert_eq!((u.source_port, u.destination_port), (4500, 4500));
                            assert_eq!(usize::from(u.length), wire.len() - hl);
                            hl + 8
                        } else {
                            assert_eq!(h.protocol.0, ip::PROTO_ESP, "{label}");
                            hl
                        };
                        let spi =
                            u32::from_be_bytes(wire[esp_off..esp_off + 4].try_into().unwrap());
                        let seq =
                            u32::from_be_bytes(wire[esp_off + 4..esp_off + 8].try_into().unwrap());
                        assert_eq!(spi, 0x1000 + combos, "{label}");
                        assert_eq!(
                            u64::from(seq),
                            (p.initial_seq + n as u64) & 0xffff_ffff,
                            "{label}"
                        );
                        let iv_len = c.cipher.iv_len();
                        let icv = i.map_or(c.cipher.icv_len(), |i| i.icv_len);
                        let ct_len = wire.len() - esp_off - 8 - iv_len - icv;
                        assert_eq!((iv_len + ct_len) % 4, 0, "{label}: 32-bit alignment");
                        assert_eq!(ct_len % c.cipher.block_len().max(1), 0, "{label}: block");
                        let iv = wire[esp_off + 8..esp_off + 8 + iv_len].to_vec();
                        if iv_len > 0 {
                            assert_ne!(Some(&iv), last_iv.as_ref(), "{label}: IV repeated");
                        }
                        last_iv = Some(iv);
                        if c.transform_id != zubr_esp::ESP_NULL && orig.len() > 40 {
                            let probe = &orig[orig.len() - 16..];
                            assert!(
                                !wire.windows(16).any(|w| w == probe),
                                "{label}: cleartext visible"
                            );
                        }
                        let d = inb
                            .decapsulate(now, &mut pkt)
                            .unwrap_or_else(|e| panic!("{label}: decapsulate packet {n}: {e}"));
                        assert_eq!(pkt.bytes(), &orig[..], "{label}: round trip {n}");
                        let want_nh = match (mode, orig[0] >> 4) {
                            (Mode::Tunnel, 4) => 4,
                            (Mode::Tunnel, _) => 41,
                            _ => orig[9],
                        };
                        assert_eq!(d.next_header, want_nh, "{label}");
                        // the same packet again is a replay when the SA authenticates
                        let mut buf2 = vec![0u8; 2048];
                        let mut again = PacketBuf::copy_from(&mut buf2, 0, &wire).unwrap();
                        let r = inb.decapsulate(now, &mut again);
                        if i.is_some() || c.is_aead() {
                            assert_eq!(r.unwrap_err(), IpsecError::ReplayDetected, "{label}");
                        } else {
                            assert!(r.is_ok(), "{label}: no anti-replay without integrity");
                        }
                    }
                    let l = inb.listing(now);
                    assert_eq!(
                        l.counters.errors,
                        if i.is_some() || c.is_aead() {
                            packets(mode).len() as u64
                        } else {
                            0
                        },
                        "{label}"
                    );
                    combos += 1;
                }
            }
        }
    }
    assert!(combos >= 6 * suites().len() as u32);
}

#[test]
fn df_modes_and_tos_in_tunnel_mode() {
    let (c, i) = default_suite();
    let k = keys(c, i);
    for (df, inner, want) in [
        (DfMode::Copy, true, true),
        (DfMode::Set, true, true),
        (DfMode::Clear, true, false),
    ] {
        let mut p = params(7, Mode::Tunnel);
        p.df = df;
        p.ttl = 17;
        let cfg = config(p, c, i, &k);
        let (mut out, _) = pair(&cfg);
        let orig = icmp(10, 0xb9, 30);
        assert_eq!(orig[6] & 0x40 != 0, inner);
        let mut buf = vec![0u8; 512];
        let mut pkt = PacketBuf::copy_from(&mut buf, 64, &orig).unwrap();
        out.encapsulate(Instant::ZERO, &mut pkt).unwrap();
        let (h, _) = etherparse::Ipv4Header::from_slice(pkt.bytes()).unwrap();
        assert_eq!(h.dont_fragment, want, "{df:?}");
        assert_eq!(h.time_to_live, 17);
        assert_eq!(h.dscp.value(), 0xb9 >> 2, "DSCP copied");
        assert_eq!(h.ecn.value(), 1, "ECN copied");
    }
    // inner DF clear + COPY → clear
    let cfg = config(params(8, Mode::Tunnel), c, i, &k);
    let (mut out, _) = pair(&cfg);
    let mut orig = icmp(10, 0, 30);
    orig[6] = 0;
    ip::update_checksum(&mut orig);
    let mut buf = vec![0u8; 512];
    let mut pkt = PacketBuf::copy_from(&mut buf, 64, &orig).unwrap();
    out.encapsulate(Instant::ZERO, &mut pkt).unwrap();
    assert_eq!(pkt.bytes()[6] & 0x40, 0);
}

#[test]
fn ecn_ce_is_propagated_and_tfc_padding_is_removed() {
    let (c, i) = default_suite();
    let k = keys(c, i);
    let mut cfg = config(params(9, Mode::Tunnel), c, i, &k);
    cfg.tfc_pad_to = 300;
    let (mut out, mut inb) = pair(&cfg);
    let orig = icmp(10, 0x02, 30); // ECT(0)
    let mut buf = vec![0u8; 1024];
    let mut pkt = PacketBuf::copy_from(&mut buf, 64, &orig).unwrap();
    out.encapsulate(Instant::ZERO, &mut pkt).unwrap();
    assert!(pkt.len() > 300, "TFC padding sent");
    // a router marks congestion on the outer header
    let b = pkt.bytes_mut();
    b[1] |= 3;
    ip::update_checksum(b);
    inb.decapsulate(Instant::ZERO, &mut pkt).unwrap();
    assert_eq!(pkt.len(), orig.len(), "TFC padding stripped");
    assert_eq!(pkt.bytes()[1] & 3, 3, "CE copied to the inner header");
    assert!(ip::parse(pkt.bytes(), true).is_ok(), "inner checksum fixed");
}

#[test]
fn listing_has_names_mode_and_counters() {
    let (c, i) = default_suite();
    let k = keys(c, i);
    let mut p = params(0x94857a70, Mode::Tunnel);
    p.lifetime.hard.bytes = Some(4608000 * 1024);
    p.lifetime.hard.seconds = Some(3600);
    let mut cfg = config(p, c, i, &k);
    cfg.udp = Some(UdpEncap::NAT_T);
    let (mut out, _) = pair(&cfg);
    let orig = udp(100, 0);
    let mut buf = vec![0u8; 1024];
    let mut pkt = PacketBuf::copy_from(&mut buf, 64, &orig).unwrap();
    out.encapsulate(Instant::ZERO, &mut pkt).unwrap();
    let l = out.listing(Instant::from_secs(1));
    let text = l.to_string();
    let want = format!(
        "spi: 0x94857A70(2491775600)\ntransform: {} {}\nin use settings ={{Tunnel NAT-T, }}\n\
         key lifetime (k/sec): 4608000/3600\nremaining key lifetime (k/sec): 4607999/3599\n\
         #pkts: 1, #bytes: 128, #errors: 0",
        c.sa_name,
        i.unwrap().esp_sa_name
    );
    assert_eq!(text, want);
}
