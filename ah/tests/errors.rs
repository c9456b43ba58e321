//! Every IPsec error code AH can produce, each provoked by a test.
//!
//! Not produced by AH: 2 (no cipher is called; a MAC has no failure mode), 8 (no allocation per
//! packet — the host's buffers), 12 and 16 (ESP padding and TFC dummies; see zubr-esp).

mod common;

use common::*;
use zubr_ah::{AhConfig, AhInbound, AhOutbound};
use zubr_base::sa::{Mode, Tunnel};
use zubr_base::{Instant, IpsecError, PacketBuf, SaParams, ip};

const NOW: Instant = Instant::ZERO;

fn encap(out: &mut AhOutbound, orig: &[u8]) -> Result<Vec<u8>, IpsecError> {
    let mut buf = vec![0u8; 70_000];
    let mut pkt = PacketBuf::copy_from(&mut buf, 256, orig).unwrap();
    out.encapsulate(NOW, &mut pkt)?;
    Ok(pkt.bytes().to_vec())
}

fn decap(inb: &mut AhInbound, wire: &[u8]) -> Result<Vec<u8>, IpsecError> {
    let mut buf = vec![0u8; wire.len()];
    let mut pkt = PacketBuf::copy_from(&mut buf, 0, wire).unwrap();
    inb.decapsulate(NOW, &mut pkt)?;
    Ok(pkt.bytes().to_vec())
}

fn sa(p: SaParams) -> (AhOutbound, AhInbound) {
    let i = suites()[0];
    pair(p, i, &key(i.mac.key_len(), 2))
}

#[test]
fn code_1_replay_and_5_integrity() {
    let (mut out, mut inb) = sa(params(1, Mode::Transport));
    let w = encap(&mut out, &tcp(10, 0)).unwrap();
    let mut bad = w.clone();
    let n = bad.len();
    bad[n - 1] ^= 1;
    assert_eq!(decap(&mut inb, &bad), Err(IpsecError::IntegrityFailed));
    decap(&mut inb, &w).unwrap();
    assert_eq!(decap(&mut inb, &w), Err(IpsecError::ReplayDetected));
}

#[test]
fn code_3_and_4_sequence_exhausted() {
    let mut p = params(3, Mode::Tunnel);
    p.initial_seq = u64::from(u32::MAX);
    let (mut out, _) = sa(p);
    encap(&mut out, &udp(1, 0)).unwrap();
    assert_eq!(
        encap(&mut out, &udp(1, 0)),
        Err(IpsecError::LastSequenceNumber)
    );
    p.esn = true;
    p.initial_seq = u64::MAX;
    let (mut out, mut inb) = sa(p);
    let w = encap(&mut out, &udp(1, 0)).unwrap();
    decap(&mut inb, &w).unwrap();
    assert_eq!(
        encap(&mut out, &udp(1, 0)),
        Err(IpsecError::SequenceNumberWrapped)
    );
}

#[test]
fn code_6_corrupted_headers() {
    let (mut out, mut inb) = sa(params(6, Mode::Tunnel));
    let w = encap(&mut out, &udp(10, 0)).unwrap();
    let mut bad = w.clone();
    bad[21] = 1; // AH payload length disagrees with the SA's ICV length
    assert_eq!(decap(&mut inb, &bad), Err(IpsecError::CorruptedHeaders));
    let mut short = w[..30].to_vec();
    short[2..4].copy_from_slice(&30u16.to_be_bytes());
    ip::update_checksum(&mut short);
    assert_eq!(decap(&mut inb, &short), Err(IpsecError::CorruptedHeaders));
    assert_eq!(
        decap(&mut inb, &udp(10, 0)),
        Err(IpsecError::CorruptedHeaders)
    );
    assert_eq!(
        encap(&mut out, &[0x70; 20]),
        Err(IpsecError::CorruptedHeaders)
    );
}

#[test]
fn code_7_9_inner_header_checks() {
    let (mut out, mut inb) = sa(params(7, Mode::Tunnel));
    let mut inner = udp(10, 0);
    inner[10] ^= 0x55;
    let w = encap(&mut out, &inner).unwrap();
    assert_eq!(
        decap(&mut inb, &w),
        Err(IpsecError::CorruptedAfterDecapsulation)
    );
    let mut p = params(9, Mode::Tunnel);
    p.forwarding = true;
    let (mut out, mut inb) = sa(p);
    let w = encap(&mut out, &icmp(4, 0, 1)).unwrap();
    assert_eq!(decap(&mut inb, &w), Err(IpsecError::TtlExpired));
}

#[test]
fn code_10_headroom() {
    let (mut out, _) = sa(params(10, Mode::Transport));
    let orig = udp(10, 0);
    let mut buf = vec![0u8; 256];
    let mut pkt = PacketBuf::copy_from(&mut buf, out.overhead().head - 1, &orig).unwrap();
    assert_eq!(
        out.encapsulate(NOW, &mut pkt),
        Err(IpsecError::BufferTooSmall)
    );
}

#[test]
fn code_11_ip_options() {
    let (mut out, mut inb) = sa(params(11, Mode::Transport));
    // options area with an option of length 0
    let base = udp(4, 0);
    let mut orig = vec![0u8; base.len() + 4];
    orig[..20].copy_from_slice(&base[..20]);
    orig[0] = 0x46;
    let total = orig.len() as u16;
    orig[2..4].copy_from_slice(&total.to_be_bytes());
    orig[20..24].copy_from_slice(&[68, 0, 0, 0]);
    orig[24..].copy_from_slice(&base[20..]);
    ip::update_checksum(&mut orig);
    assert_eq!(
        encap(&mut out, &orig),
        Err(IpsecError::CannotParseIpOptions)
    );
    // inbound: a well-formed packet whose option is broken on the way
    orig[20..24].copy_from_slice(&[1, 1, 1, 0]);
    ip::update_checksum(&mut orig);
    let mut w = encap(&mut out, &orig).unwrap();
    w[20..24].copy_from_slice(&[68, 0, 0, 0]);
    ip::update_checksum(&mut w);
    assert_eq!(decap(&mut inb, &w), Err(IpsecError::CannotParseIpOptions));
}

#[test]
fn code_13_configuration() {
    let i = suites()[0];
    let k = key(i.mac.key_len(), 1);
    for (p, key) in [
        (params(1, Mode::Tunnel), &k[1..]),
        (SaParams::new(1, Mode::Tunnel, None), &k[..]),
        (
            SaParams {
                replay_window: 0,
                esn: true,
                ..params(1, Mode::Transport)
            },
            &k[..],
        ),
    ] {
        let cfg = AhConfig {
            params: p,
            integrity: i,
            key,
        };
        assert_eq!(
            AhInbound::new(&cfg, NOW).err(),
            Some(IpsecError::IncorrectSaConfiguration)
        );
        assert_eq!(
            AhOutbound::new(&cfg, &mut *rng(0), NOW).err(),
            Some(IpsecError::IncorrectSaConfiguration)
        );
    }
}

#[test]
fn code_14_wrong_mode() {
    let (mut tra, _) = sa(params(14, Mode::Transport));
    let (_, mut in_tun) = sa(params(14, Mode::Tunnel));
    let mut t = udp(10, 0);
    t[12..16].copy_from_slice(&LEFT.octets());
    ip::update_checksum(&mut t);
    let w = encap(&mut tra, &t).unwrap();
    assert_eq!(
        decap(&mut in_tun, &w),
        Err(IpsecError::WrongEncapsulationMode)
    );
    let (mut tun, _) = sa(params(14, Mode::Tunnel));
    let (_, mut in_tra) = sa(params(14, Mode::Transport));
    let w = encap(&mut tun, &t).unwrap();
    assert_eq!(
        decap(&mut in_tra, &w),
        Err(IpsecError::WrongEncapsulationMode)
    );
}

#[test]
fn code_15_too_long_and_17_limit_and_18_source() {
    let (mut out, _) = sa(params(15, Mode::Tunnel));
    assert_eq!(
        encap(&mut out, &udp(65_490, 0)),
        Err(IpsecError::PacketTooLong)
    );
    let mut p = params(17, Mode::Tunnel);
    p.lifetime.hard.bytes = Some(10);
    let (mut out, _) = sa(p);
    encap(&mut out, &udp(1, 0)).unwrap();
    assert_eq!(
        encap(&mut out, &udp(1, 0)),
        Err(IpsecError::TrafficLimitExceeded)
    );
    let (mut out, _) = sa(params(18, Mode::Tunnel));
    let mut p = params(18, Mode::Tunnel);
    p.tunnel = Some(Tunnel {
        src: RIGHT,
        dst: RIGHT,
    });
    let (_, mut inb) = sa(p);
    let w = encap(&mut out, &udp(1, 0)).unwrap();
    assert_eq!(decap(&mut inb, &w), Err(IpsecError::WrongTunnelSource));
}
