//! The SA database of zubr-base driving real ESP and AH SAs together (this crate is the first
//! that depends on both): AH+ESP bundles both ways, the bundle drop reasons of the engine log,
//! nested tunnels up to 16 layers, NAT-T dispatch, lifetime events and the SA listing.

use std::net::Ipv4Addr;

use zubr_ah::{AhConfig, AhInbound, AhOutbound};
use zubr_base::sa::{Mode, Prefix, SaParams, Selector, Tunnel};
use zubr_base::sadb::{InboundKind, SaDb, SaEvent};
use zubr_base::{DropReason, Instant, LifetimeEvent, PacketBuf, ip};
use zubr_crypto_stb::SOFTWARE as P;
use zubr_esp::{EspConfig, EspInbound, EspOutbound, UdpEncap};

const NOW: Instant = Instant::ZERO;
const A: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
const B: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);
const EK: [u8; 16] = [1; 16];
const AK: [u8; 20] = [2; 20];

fn udp_packet(len: usize) -> Vec<u8> {
    let mut p = vec![0u8; 28 + len];
    ip::write_header(
        &mut p,
        &ip::Ipv4Fields {
            tos: 0,
            total_len: (28 + len) as u16,
            id: 9,
            df: false,
            ttl: 64,
            protocol: 17,
            src: Ipv4Addr::new(10, 0, 0, 1),
            dst: Ipv4Addr::new(10, 0, 1, 1),
        },
    );
    p[20..22].copy_from_slice(&5000u16.to_be_bytes());
    p[22..24].copy_from_slice(&5001u16.to_be_bytes());
    p[24..26].copy_from_slice(&((8 + len) as u16).to_be_bytes());
    p
}

fn esp_cfg(spi: u32, mode: Mode) -> EspConfig<'static> {
    EspConfig::new(
        SaParams::new(spi, mode, Some(Tunnel { src: A, dst: B })),
        P.esp_cipher_by_name("esp-aes128-cbc").unwrap(),
        &EK,
        Some(P.integrity_by_name("esp-sha1-hmac").unwrap()),
        &AK,
    )
}

fn ah_cfg(spi: u32, mode: Mode) -> AhConfig<'static> {
    AhConfig {
        params: SaParams::new(spi, mode, Some(Tunnel { src: A, dst: B })),
        integrity: P.integrity_by_name("ah-sha1-hmac").unwrap(),
        key: &AK,
    }
}

fn rng() -> Box<dyn zubr_crypto_stb::Rng> {
    P.drbg.instantiate(&[3; 32]).unwrap()
}

/// Sender and receiver databases with one AH+ESP bundle each: ESP `esp_mode` inside AH
/// transport.
fn ah_esp(esp_mode: Mode) -> (SaDb, SaDb, zubr_base::sadb::BundleId) {
    let mut tx: SaDb = SaDb::new();
    let mut rx: SaDb = SaDb::new();
    let e = tx.install_outbound(Box::new(
        EspOutbound::new(&esp_cfg(0x100, esp_mode), &mut *rng(), NOW).unwrap(),
    ));
    let a = tx.install_outbound(Box::new(
        AhOutbound::new(&ah_cfg(0x200, Mode::Transport), &mut *rng(), NOW).unwrap(),
    ));
    let b = tx.bundle(&[a, e]).unwrap();
    let ri = rx
        .install_inbound(Box::new(
            EspInbound::new(&esp_cfg(0x100, esp_mode), NOW).unwrap(),
        ))
        .unwrap();
    let ra = rx
        .install_inbound(Box::new(
            AhInbound::new(&ah_cfg(0x200, Mode::Transport), NOW).unwrap(),
        ))
        .unwrap();
    rx.bundle(&[ra, ri]).unwrap();
    (tx, rx, b)
}

fn encap_addr(p: &[u8]) -> Vec<u8> {
    // transport mode over the tunnel addresses: the packet itself goes A -> B
    let mut q = p.to_vec();
    q[12..16].copy_from_slice(&A.octets());
    q[16..20].copy_from_slice(&B.octets());
    ip::update_checksum(&mut q);
    q
}

#[test]
fn ah_plus_esp_bundles_both_modes() {
    for mode in [Mode::Tunnel, Mode::Transport] {
        let (mut tx, mut rx, b) = ah_esp(mode);
        let orig = encap_addr(&udp_packet(100));
        let mut buf = vec![0u8; 2048];
        let mut pkt = PacketBuf::copy_from(&mut buf, 256, &orig).unwrap();
        assert_eq!(tx.encapsulate(NOW, b, &mut pkt).unwrap().layers, 2);
        assert_eq!(pkt.bytes()[9], ip::PROTO_AH);
        assert_eq!(pkt.bytes()[20], ip::PROTO_ESP, "AH carries ESP");
        let r = rx.decapsulate(NOW, &mut pkt).unwrap();
        assert_eq!(r.kind, InboundKind::Decapsulated);
        assert_eq!(r.sas().len(), 2);
        assert_eq!(pkt.bytes(), &orig[..], "{mode:?}");
    }
}

#[test]
fn bundle_drop_reasons() {
    let (mut tx, mut rx, b) = ah_esp(Mode::Transport);
    let orig = encap_addr(&udp_packet(10));
    let mut buf = vec![0u8; 2048];
    let mut pkt = PacketBuf::copy_from(&mut buf, 256, &orig).unwrap();
    tx.encapsulate(NOW, b, &mut pkt).unwrap();
    let wire = pkt.bytes().to_vec();

    // ESP alone (the AH layer stripped by an attacker): ESP is not the first SA of its bundle
    let esp_only = {
        let mut buf = vec![0u8; 2048];
        let mut p = PacketBuf::copy_from(&mut buf, 256, &orig).unwrap();
        let mut e = EspOutbound::new(&esp_cfg(0x100, Mode::Transport), &mut *rng(), NOW).unwrap();
        e.encapsulate(NOW, &mut p).unwrap();
        p.bytes().to_vec()
    };
    let mut p = PacketBuf::copy_from(&mut buf, 0, &esp_only).unwrap();
    let e = rx.decapsulate(NOW, &mut p).unwrap_err();
    assert_eq!(e, DropReason::SaNotFirstInBundle { sa: 1 });
    assert_eq!(e.to_string(), "SA 1 is not the first SA in a bundle");

    // AH over ESP with another SPI: not the bundle's SPI
    let mut rx3: SaDb = SaDb::new();
    let ri = rx3
        .install_inbound(Box::new(
            EspInbound::new(&esp_cfg(0x101, Mode::Transport), NOW).unwrap(),
        ))
        .unwrap();
    let ra = rx3
        .install_inbound(Box::new(
            AhInbound::new(&ah_cfg(0x200, Mode::Transport), NOW).unwrap(),
        ))
        .unwrap();
    rx3.bundle(&[ra, ri]).unwrap();
    let mut p = PacketBuf::copy_from(&mut buf, 0, &wire).unwrap();
    let e = rx3.decapsulate(NOW, &mut p).unwrap_err();
    assert_eq!(e.to_string(), "SPI 0x00000100 is not found in SA bundle");

    // AH alone where AH+ESP is required
    let ah_only = {
        let mut b2 = vec![0u8; 2048];
        let mut p = PacketBuf::copy_from(&mut b2, 256, &orig).unwrap();
        let mut a = AhOutbound::new(&ah_cfg(0x200, Mode::Transport), &mut *rng(), NOW).unwrap();
        a.encapsulate(NOW, &mut p).unwrap();
        p.bytes().to_vec()
    };
    let (_, mut rx4, _) = ah_esp(Mode::Transport);
    let mut p = PacketBuf::copy_from(&mut buf, 0, &ah_only).unwrap();
    assert_eq!(
        rx4.decapsulate(NOW, &mut p).unwrap_err().to_string(),
        "packet lacks required IPsec layer"
    );

    // the bundle dissolved (SA being deleted): not in a bundle
    let mut rx5: SaDb = SaDb::new();
    let a5 = rx5
        .install_inbound(Box::new(
            AhInbound::new(&ah_cfg(0x200, Mode::Transport), NOW).unwrap(),
        ))
        .unwrap();
    let bid = rx5.bundle(&[a5]).unwrap();
    rx5.unbundle(bid).unwrap();
    let mut p = PacketBuf::copy_from(&mut buf, 0, &wire).unwrap();
    assert_eq!(
        rx5.decapsulate(NOW, &mut p).unwrap_err().to_string(),
        "SA 1 is not in a bundle"
    );

    // unknown SPI, and a destination that does not match the SA
    let mut empty: SaDb = SaDb::new();
    let mut p = PacketBuf::copy_from(&mut buf, 0, &wire).unwrap();
    assert_eq!(
        empty.decapsulate(NOW, &mut p).unwrap_err().to_string(),
        "SPI 0x00000200 not found in hash"
    );
    let mut other = wire.clone();
    other[16..20].copy_from_slice(&[192, 0, 2, 99]);
    ip::update_checksum(&mut other);
    let (_, mut rx6, _) = ah_esp(Mode::Transport);
    let mut p = PacketBuf::copy_from(&mut buf, 0, &other).unwrap();
    assert_eq!(
        rx6.decapsulate(NOW, &mut p).unwrap_err().to_string(),
        "tunnel header doesn't match SA 2"
    );
    // and the real one goes through
    let mut p = PacketBuf::copy_from(&mut buf, 0, &wire).unwrap();
    rx.decapsulate(NOW, &mut p).unwrap();
}

#[test]
fn selectors_are_checked_after_decapsulation() {
    let mut cfg = esp_cfg(0x300, Mode::Tunnel);
    cfg.params.selector = Some(Selector {
        src: Prefix {
            addr: Ipv4Addr::new(10, 0, 0, 0),
            len: 24,
        },
        dst: Prefix {
            addr: Ipv4Addr::new(10, 0, 1, 0),
            len: 24,
        },
        protocol: Some(17),
        src_ports: (0, u16::MAX),
        dst_ports: (5001, 5001),
    });
    let mut out = EspOutbound::new(&cfg, &mut *rng(), NOW).unwrap();
    let mut rx: SaDb = SaDb::new();
    let id = rx
        .install_inbound(Box::new(EspInbound::new(&cfg, NOW).unwrap()))
        .unwrap();
    rx.bundle(&[id]).unwrap();
    let mut buf = vec![0u8; 2048];
    let good = udp_packet(4);
    let mut bad = udp_packet(4);
    bad[22..24].copy_from_slice(&80u16.to_be_bytes());
    for (p, ok) in [(good, true), (bad, false)] {
        let mut pkt = PacketBuf::copy_from(&mut buf, 256, &p).unwrap();
        out.encapsulate(NOW, &mut pkt).unwrap();
        let r = rx.decapsulate(NOW, &mut pkt);
        if ok {
            r.unwrap();
        } else {
            assert_eq!(
                r.unwrap_err().to_string(),
                "SA 1: decapsulated packet's IP header doesn't match the SA"
            );
        }
    }
}

#[test]
fn nested_tunnels_up_to_16_layers() {
    let mut tx: SaDb = SaDb::new();
    let mut rx: SaDb = SaDb::new();
    let mut out_bundles = Vec::new();
    for n in 0..17u32 {
        let cfg = if n % 2 == 0 {
            let c = esp_cfg(0x1000 + n, Mode::Tunnel);
            let o = tx.install_outbound(Box::new(EspOutbound::new(&c, &mut *rng(), NOW).unwrap()));
            let i = rx
                .install_inbound(Box::new(EspInbound::new(&c, NOW).unwrap()))
                .unwrap();
            (o, i)
        } else {
            let c = ah_cfg(0x1000 + n, Mode::Tunnel);
            let o = tx.install_outbound(Box::new(AhOutbound::new(&c, &mut *rng(), NOW).unwrap()));
            let i = rx
                .install_inbound(Box::new(AhInbound::new(&c, NOW).unwrap()))
                .unwrap();
            (o, i)
        };
        out_bundles.push(tx.bundle(&[cfg.0]).unwrap());
        rx.bundle(&[cfg.1]).unwrap();
    }
    let orig = udp_packet(20);
    let mut buf = vec![0u8; 4096];
    // 16 layers: fine both ways
    let mut pkt = PacketBuf::copy_from(&mut buf, 2048, &orig).unwrap();
    assert_eq!(
        tx.encapsulate_nested(NOW, &out_bundles[..16], &mut pkt)
            .unwrap()
            .layers,
        16
    );
    let r = rx.decapsulate(NOW, &mut pkt).unwrap();
    assert_eq!(r.sas().len(), 16);
    assert_eq!(pkt.bytes(), &orig[..]);
    // 17 layers: the sender stops (a policy loop), and a receiver refuses such a packet
    let mut pkt = PacketBuf::copy_from(&mut buf, 2048, &orig).unwrap();
    assert_eq!(
        tx.encapsulate_nested(NOW, &out_bundles, &mut pkt)
            .unwrap_err()
            .to_string(),
        "too many nested encapsulations (recursive policy?)"
    );
    let mut pkt = PacketBuf::copy_from(&mut buf, 2048, &orig).unwrap();
    for b in &out_bundles {
        tx.encapsulate(NOW, *b, &mut pkt).unwrap();
    }
    assert_eq!(
        rx.decapsulate(NOW, &mut pkt).unwrap_err(),
        DropReason::TooManyNestedEncapsulations
    );
}

#[test]
fn nat_t_dispatch_events_and_listing() {
    let mut cfg = esp_cfg(0x400, Mode::Tunnel);
    cfg.udp = Some(UdpEncap::NAT_T);
    cfg.params.lifetime.soft.seconds = Some(10);
    cfg.params.lifetime.hard.seconds = Some(20);
    let mut tx: SaDb = SaDb::new();
    let mut rx: SaDb = SaDb::new();
    let o = tx.install_outbound(Box::new(EspOutbound::new(&cfg, &mut *rng(), NOW).unwrap()));
    let ob = tx.bundle(&[o]).unwrap();
    let i = rx
        .install_inbound(Box::new(EspInbound::new(&cfg, NOW).unwrap()))
        .unwrap();
    rx.bundle(&[i]).unwrap();
    let orig = udp_packet(30);
    let mut buf = vec![0u8; 2048];
    let mut pkt = PacketBuf::copy_from(&mut buf, 256, &orig).unwrap();
    tx.encapsulate(NOW, ob, &mut pkt).unwrap();
    assert_eq!(pkt.bytes()[9], ip::PROTO_UDP);
    rx.decapsulate(NOW, &mut pkt).unwrap();
    assert_eq!(pkt.bytes(), &orig[..]);
    // keepalive and IKE on port 4500
    let mut ka = udp_packet(1);
    ka[20..22].copy_from_slice(&4500u16.to_be_bytes());
    ka[22..24].copy_from_slice(&4500u16.to_be_bytes());
    ka[28] = 0xff;
    let mut p = PacketBuf::copy_from(&mut buf, 0, &ka).unwrap();
    assert_eq!(
        rx.decapsulate(NOW, &mut p).unwrap().kind,
        InboundKind::NatKeepalive
    );
    let mut ike = udp_packet(8);
    ike[20..22].copy_from_slice(&4500u16.to_be_bytes());
    ike[22..24].copy_from_slice(&4500u16.to_be_bytes());
    let mut p = PacketBuf::copy_from(&mut buf, 0, &ike).unwrap();
    assert_eq!(rx.decapsulate(NOW, &mut p).unwrap().kind, InboundKind::Ike);
    // lifetimes
    rx.handle_timeout(Instant::from_secs(11));
    let ev = rx.poll_event().unwrap();
    assert_eq!(
        ev,
        SaEvent {
            sa: i,
            event: LifetimeEvent::SoftExpired
        }
    );
    assert_eq!(ev.to_string(), "requesting rekeying for SA 1");
    rx.handle_timeout(Instant::from_secs(21));
    assert_eq!(rx.poll_event().unwrap().to_string(), "SA 1 expired");
    assert_eq!(rx.poll_event(), None);
    // listing
    let (id, l) = rx.listing(Instant::from_secs(5)).next().unwrap();
    assert_eq!(id, i);
    assert_eq!(l.in_use.to_string(), "Tunnel NAT-T");
    assert_eq!(
        l.transforms,
        [Some("esp-aes128-cbc"), Some("esp-sha1-hmac")]
    );
    assert_eq!(l.counters.packets, 1);
    assert_eq!(l.remaining.seconds, Some(15));
}
