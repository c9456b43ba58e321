//! Every IPsec error code ESP can produce, each provoked by a test, plus the engine-log format of
//! the errors as the SA database reports them.
//!
//! Codes not produced by ESP: 8 "memory allocation failed" (nothing here allocates per packet;
//! the agent reports it when its packet memory budget cannot give an encapsulated packet the
//! buffers it needs: zubr-agent's `packet_memory_budget` test), 11 "can't parse IP options" (only AH parses options; see
//! zubr-ah's tests).

mod common;

use common::*;
use zubr_base::sa::{Mode, Tunnel};
use zubr_base::sadb::SaDb;
use zubr_base::{DropReason, Instant, IpsecError, PacketBuf, ip};
use zubr_crypto_stb::Error as CryptoError;
use zubr_crypto_stb::provider::{EspCipher, EspCipherAlgorithm, EspCipherKey};
use zubr_esp::{EspConfig, EspInbound, EspOutbound};

const NOW: Instant = Instant::ZERO;

fn encap(out: &mut EspOutbound, orig: &[u8]) -> Result<Vec<u8>, IpsecError> {
    let mut buf = vec![0u8; 70_000 + 2048];
    let mut pkt = PacketBuf::copy_from(&mut buf, 256, orig).unwrap();
    out.encapsulate(NOW, &mut pkt)?;
    Ok(pkt.bytes().to_vec())
}

fn decap(inb: &mut EspInbound, wire: &[u8]) -> Result<Vec<u8>, IpsecError> {
    let mut buf = vec![0u8; wire.len() + 64];
    let mut pkt = PacketBuf::copy_from(&mut buf, 0, wire).unwrap();
    inb.decapsulate(NOW, &mut pkt)?;
    Ok(pkt.bytes().to_vec())
}

/// Decrypts the ESP payload of `wire` with the SA's keys through the provider, lets `f` edit
/// the plaintext, re-encrypts with the same IV and recomputes the ICV: a packet a sender with
/// the right keys could have made.
fn reseal(wire: &mut [u8], c: &EspCipher, k: &Keys, f: impl FnOnce(&mut [u8])) {
    let i = default_suite().1.unwrap();
    let hl = usize::from(wire[0] & 15) * 4;
    let iv_len = c.cipher.iv_len();
    let (d0, icv_at) = (hl + 8 + iv_len, wire.len() - i.icv_len);
    let iv = wire[hl + 8..d0].to_vec();
    let mut key = c.cipher.new_key(&k.ek).unwrap();
    key.decrypt(&iv, &[], &mut wire[d0..icv_at], &[]).unwrap();
    f(&mut wire[d0..icv_at]);
    key.encrypt(&iv, &[], &mut wire[d0..icv_at], &mut [])
        .unwrap();
    let mac = i.mac.new_key(&k.ak).unwrap();
    let (a, b) = wire.split_at_mut(icv_at);
    mac.compute(&[&a[hl..]], b);
}

fn suite_pair(p: zubr_base::SaParams) -> (EspOutbound, EspInbound, &'static EspCipher, Keys) {
    let (c, i) = default_suite();
    let k = keys(c, i);
    let cfg = config(p, c, i, &k);
    let (o, n) = pair(&cfg);
    (o, n, c, k)
}

#[test]
fn code_1_replay() {
    let (mut out, mut inb, ..) = suite_pair(params(1, Mode::Tunnel));
    let a = encap(&mut out, &udp(10, 0)).unwrap();
    let b = encap(&mut out, &udp(10, 0)).unwrap();
    decap(&mut inb, &b).unwrap();
    decap(&mut inb, &a).unwrap(); // reordered but inside the window
    assert_eq!(decap(&mut inb, &a), Err(IpsecError::ReplayDetected));
    // left of the window
    let mut p = params(2, Mode::Tunnel);
    p.replay_window = 4;
    let (mut out, mut inb, ..) = suite_pair(p);
    let old = encap(&mut out, &udp(1, 0)).unwrap();
    for _ in 0..5 {
        let w = encap(&mut out, &udp(1, 0)).unwrap();
        decap(&mut inb, &w).unwrap();
    }
    assert_eq!(decap(&mut inb, &old), Err(IpsecError::ReplayDetected));
}

/// A cipher whose every operation fails, standing for a broken provider or token.
struct Broken;
struct BrokenKey;
impl EspCipherKey for BrokenKey {
    fn encrypt(
        &mut self,
        _: &[u8],
        _: &[u8],
        _: &mut [u8],
        _: &mut [u8],
    ) -> Result<(), CryptoError> {
        Err(CryptoError::Unsupported)
    }
    fn decrypt(&mut self, _: &[u8], _: &[u8], _: &mut [u8], _: &[u8]) -> Result<(), CryptoError> {
        Err(CryptoError::Unsupported)
    }
}
impl EspCipherAlgorithm for Broken {
    fn key_len(&self) -> usize {
        16
    }
    fn iv_len(&self) -> usize {
        16
    }
    fn block_len(&self) -> usize {
        16
    }
    fn icv_len(&self) -> usize {
        0
    }
    fn new_key(&self, _: &[u8]) -> Result<Box<dyn EspCipherKey>, CryptoError> {
        Ok(Box::new(BrokenKey))
    }
}
static BROKEN: Broken = Broken;
static BROKEN_CIPHER: EspCipher = EspCipher {
    lsp_name: "BROKEN",
    sa_name: "esp-broken",
    transform_id: 250,
    key_bits: None,
    cipher: &BROKEN,
};

#[test]
fn code_2_crypto_provider_failure() {
    let i = default_suite().1;
    let k = Keys {
        ek: vec![0; 16],
        ak: key(i.unwrap().mac.key_len(), 1),
    };
    let cfg = EspConfig::new(params(3, Mode::Tunnel), &BROKEN_CIPHER, &k.ek, i, &k.ak);
    let mut out = EspOutbound::new(&cfg, &mut *rng(0), NOW).unwrap();
    assert_eq!(encap(&mut out, &udp(3, 0)), Err(IpsecError::CryptoFailed));
    // inbound: a packet from a working sender, the receiver's cipher fails after the ICV
    let (c, _) = default_suite();
    assert_eq!(c.cipher.key_len() % 8, 0);
    let (mut good, ..) = suite_pair(params(3, Mode::Tunnel));
    let wire = encap(&mut good, &udp(3, 0)).unwrap();
    let kk = keys(c, i);
    let cfg_in = EspConfig::new(params(3, Mode::Tunnel), &BROKEN_CIPHER, &k.ek, i, &kk.ak);
    let mut inb = EspInbound::new(&cfg_in, NOW).unwrap();
    // same integrity key as the sender, so the ICV verifies and the cipher is reached
    assert_eq!(decap(&mut inb, &wire), Err(IpsecError::CryptoFailed));
}

#[test]
fn code_3_last_sequence_number_and_4_wrapped() {
    let mut p = params(4, Mode::Tunnel);
    p.initial_seq = u64::from(u32::MAX);
    let (mut out, mut inb, ..) = suite_pair(p);
    let w = encap(&mut out, &udp(1, 0)).unwrap();
    decap(&mut inb, &w).unwrap();
    assert_eq!(
        encap(&mut out, &udp(1, 0)),
        Err(IpsecError::LastSequenceNumber)
    );
    assert_eq!(out.last_seq(), u64::from(u32::MAX));
    let mut p = params(5, Mode::Tunnel);
    p.esn = true;
    p.initial_seq = u64::MAX;
    let (mut out, mut inb, ..) = suite_pair(p);
    let w = encap(&mut out, &udp(1, 0)).unwrap();
    decap(&mut inb, &w).unwrap();
    assert_eq!(
        encap(&mut out, &udp(1, 0)),
        Err(IpsecError::SequenceNumberWrapped)
    );
}

#[test]
fn code_5_integrity() {
    for (c, i) in suites() {
        if i.is_none() && !c.is_aead() {
            continue;
        }
        let k = keys(c, i);
        let cfg = config(params(6, Mode::Transport), c, i, &k);
        let (mut out, mut inb) = pair(&cfg);
        let wire = encap(&mut out, &tcp(40, 0)).unwrap();
        for at in [24, 27, 30, wire.len() / 2, wire.len() - 1] {
            let mut w = wire.clone();
            w[at] ^= 0x80;
            assert_eq!(
                decap(&mut inb, &w),
                Err(IpsecError::IntegrityFailed),
                "{} byte {at}",
                name(c, i)
            );
        }
        decap(&mut inb, &wire).unwrap();
    }
}

#[test]
fn code_6_corrupted_headers() {
    let (mut out, mut inb, ..) = suite_pair(params(7, Mode::Tunnel));
    let wire = encap(&mut out, &udp(30, 0)).unwrap();
    // truncated below SPI + seq + IV + trailer + ICV
    let mut short = wire[..40].to_vec();
    short[2..4].copy_from_slice(&40u16.to_be_bytes());
    ip::update_checksum(&mut short);
    assert_eq!(decap(&mut inb, &short), Err(IpsecError::CorruptedHeaders));
    // ciphertext not a whole number of blocks
    let mut odd = wire.clone();
    odd.insert(40, 0);
    let l = odd.len() as u16;
    odd[2..4].copy_from_slice(&l.to_be_bytes());
    ip::update_checksum(&mut odd);
    assert_eq!(decap(&mut inb, &odd), Err(IpsecError::CorruptedHeaders));
    // outer header broken, or a fragment, or not ESP
    let mut bad = wire.clone();
    bad[10] ^= 1;
    assert_eq!(decap(&mut inb, &bad), Err(IpsecError::CorruptedHeaders));
    let mut frag = wire.clone();
    frag[6] |= 0x20;
    ip::update_checksum(&mut frag);
    assert_eq!(decap(&mut inb, &frag), Err(IpsecError::CorruptedHeaders));
    assert_eq!(
        decap(&mut inb, &udp(30, 0)),
        Err(IpsecError::CorruptedHeaders)
    );
    // outbound: not an IP packet
    assert_eq!(
        encap(&mut out, &[0x10; 30]),
        Err(IpsecError::CorruptedHeaders)
    );
    decap(&mut inb, &wire).unwrap();
}

#[test]
fn code_7_corrupted_after_decapsulation() {
    let (mut out, mut inb, ..) = suite_pair(params(8, Mode::Tunnel));
    let mut inner = udp(20, 0);
    inner[10] ^= 0xff; // inner checksum wrong: the sender does not check, the receiver does
    let wire = encap(&mut out, &inner).unwrap();
    assert_eq!(
        decap(&mut inb, &wire),
        Err(IpsecError::CorruptedAfterDecapsulation)
    );
    // transport mode: a UDP header whose length disagrees
    let (mut out, mut inb, ..) = suite_pair(params(9, Mode::Transport));
    let mut p = udp(20, 0);
    p[24..26].copy_from_slice(&99u16.to_be_bytes());
    let wire = encap(&mut out, &p).unwrap();
    assert_eq!(
        decap(&mut inb, &wire),
        Err(IpsecError::CorruptedAfterDecapsulation)
    );
}

#[test]
fn code_9_ttl_on_a_forwarding_gateway() {
    let mut p = params(10, Mode::Tunnel);
    p.forwarding = true;
    let (mut out, mut inb, ..) = suite_pair(p);
    let w = encap(&mut out, &icmp(8, 0, 1)).unwrap();
    assert_eq!(decap(&mut inb, &w), Err(IpsecError::TtlExpired));
    let w = encap(&mut out, &icmp(8, 0, 9)).unwrap();
    let inner = decap(&mut inb, &w).unwrap();
    assert_eq!(inner[8], 8, "TTL decremented");
    assert!(ip::parse(&inner, true).is_ok());
}

#[test]
fn code_10_buffer_too_small() {
    let (mut out, ..) = suite_pair(params(11, Mode::Tunnel));
    let orig = udp(30, 0);
    let ov = out.overhead();
    let mut buf = vec![0u8; 512];
    let mut pkt = PacketBuf::copy_from(&mut buf, ov.head - 1, &orig).unwrap();
    assert_eq!(
        out.encapsulate(NOW, &mut pkt),
        Err(IpsecError::BufferTooSmall)
    );
    let mut buf = vec![0u8; ov.head + orig.len() + 2];
    let mut pkt = PacketBuf::copy_from(&mut buf, ov.head, &orig).unwrap();
    assert_eq!(
        out.encapsulate(NOW, &mut pkt),
        Err(IpsecError::BufferTooSmall)
    );
    assert_eq!(pkt.bytes(), &orig[..], "packet untouched");
    assert_eq!(out.counters().errors, 2);
}

#[test]
fn code_12_padding() {
    let (mut out, mut inb, c, k) = suite_pair(params(12, Mode::Tunnel));
    let wire = encap(&mut out, &udp(5, 0)).unwrap(); // 33-byte packet: padding follows
    let mut w = wire.clone();
    reseal(&mut w, c, &k, |pt| {
        let n = pt.len();
        assert!(pt[n - 2] >= 1, "test packet has padding");
        pt[n - 3] ^= 0x40; // last padding byte
    });
    assert_eq!(decap(&mut inb, &w), Err(IpsecError::PaddingCheckFailed));
    let mut w = wire.clone();
    reseal(&mut w, c, &k, |pt| {
        let n = pt.len();
        pt[n - 2] = 255; // pad length beyond the payload
    });
    let mut inb2 = suite_pair(params(12, Mode::Tunnel)).1;
    assert_eq!(decap(&mut inb2, &w), Err(IpsecError::PaddingCheckFailed));
}

#[test]
fn code_13_incorrect_configuration() {
    let (c, i) = default_suite();
    let k = keys(c, i);
    let bad = |cfg: EspConfig<'_>| {
        assert_eq!(
            EspInbound::new(&cfg, NOW).err(),
            Some(IpsecError::IncorrectSaConfiguration),
            "{cfg:?}"
        );
        assert_eq!(
            EspOutbound::new(&cfg, &mut *rng(0), NOW).err(),
            Some(IpsecError::IncorrectSaConfiguration)
        );
    };
    // wrong key lengths
    bad(EspConfig::new(
        params(1, Mode::Tunnel),
        c,
        &k.ek[1..],
        i,
        &k.ak,
    ));
    bad(EspConfig::new(
        params(1, Mode::Tunnel),
        c,
        &k.ek,
        i,
        &k.ak[1..],
    ));
    // tunnel mode without endpoints
    bad(config(
        zubr_base::SaParams::new(1, Mode::Tunnel, None),
        c,
        i,
        &k,
    ));
    // window too large, initial sequence number 0
    let mut p = params(1, Mode::Tunnel);
    p.replay_window = 1 << 20;
    bad(config(p, c, i, &k));
    let mut p = params(1, Mode::Tunnel);
    p.initial_seq = 0;
    bad(config(p, c, i, &k));
    // ESN without integrity (inbound)
    let mut p = params(1, Mode::Tunnel);
    p.esn = true;
    assert_eq!(
        EspInbound::new(&config(p, c, None, &k), NOW).err(),
        Some(IpsecError::IncorrectSaConfiguration)
    );
    // AEAD with a separate integrity algorithm; NULL without integrity
    for c in P.esp_ciphers {
        let k = keys(c, i);
        if c.is_aead() {
            bad(config(params(1, Mode::Tunnel), c, i, &k));
        }
        if c.transform_id == zubr_esp::ESP_NULL {
            bad(config(params(1, Mode::Tunnel), c, None, &k));
        }
    }
}

#[test]
fn code_14_wrong_mode() {
    let (c, i) = default_suite();
    let k = keys(c, i);
    let (mut tun, _) = pair(&config(params(14, Mode::Tunnel), c, i, &k));
    let (mut tra, _) = pair(&config(params(14, Mode::Transport), c, i, &k));
    let (_, mut in_tun) = pair(&config(params(14, Mode::Tunnel), c, i, &k));
    let (_, mut in_tra) = pair(&config(params(14, Mode::Transport), c, i, &k));
    let mut t = udp(10, 0);
    // transport packet addressed like the tunnel so the source check passes
    t[12..16].copy_from_slice(&LEFT.octets());
    ip::update_checksum(&mut t);
    let w = encap(&mut tra, &t).unwrap();
    assert_eq!(
        decap(&mut in_tun, &w),
        Err(IpsecError::WrongEncapsulationMode)
    );
    let w = encap(&mut tun, &udp(10, 0)).unwrap();
    assert_eq!(
        decap(&mut in_tra, &w),
        Err(IpsecError::WrongEncapsulationMode)
    );
    // a TFC dummy needs tunnel mode
    let mut buf = vec![0u8; 256];
    let mut pkt = PacketBuf::new(&mut buf, 100, 0).unwrap();
    assert_eq!(
        tra.encapsulate_dummy(NOW, &mut pkt, 10),
        Err(IpsecError::WrongEncapsulationMode)
    );
}

#[test]
fn code_15_too_long() {
    let (mut out, ..) = suite_pair(params(15, Mode::Tunnel));
    assert_eq!(
        encap(&mut out, &udp(65_500, 0)),
        Err(IpsecError::PacketTooLong)
    );
    let (mut out, ..) = suite_pair(params(15, Mode::Transport));
    assert_eq!(
        encap(&mut out, &udp(65_500, 0)),
        Err(IpsecError::PacketTooLong)
    );
}

#[test]
fn code_16_tfc_dummy() {
    let (mut out, mut inb, ..) = suite_pair(params(16, Mode::Tunnel));
    let mut buf = vec![0u8; 512];
    let mut pkt = PacketBuf::new(&mut buf, 100, 0).unwrap();
    out.encapsulate_dummy(NOW, &mut pkt, 64).unwrap();
    let w = pkt.bytes().to_vec();
    assert_eq!(decap(&mut inb, &w), Err(IpsecError::TfcPacket));
    assert_eq!(inb.counters().errors, 0, "TFC dummies are not errors");
    assert_eq!(
        decap(&mut inb, &w),
        Err(IpsecError::ReplayDetected),
        "window moved"
    );
}

#[test]
fn code_17_traffic_limit() {
    let mut p = params(17, Mode::Tunnel);
    p.lifetime.hard.packets = Some(2);
    p.lifetime.soft.packets = Some(1);
    let (mut out, mut inb, ..) = suite_pair(p);
    let mut buf = vec![0u8; 512];
    let orig = udp(1, 0);
    let mut events = Vec::new();
    let mut wires = Vec::new();
    for _ in 0..2 {
        let mut pkt = PacketBuf::copy_from(&mut buf, 100, &orig).unwrap();
        events.push(out.encapsulate(NOW, &mut pkt).unwrap().event);
        wires.push(pkt.bytes().to_vec());
    }
    use zubr_base::LifetimeEvent::*;
    assert_eq!(events, [Some(SoftExpired), Some(HardExpired)]);
    assert_eq!(
        encap(&mut out, &orig),
        Err(IpsecError::TrafficLimitExceeded)
    );
    decap(&mut inb, &wires[0]).unwrap();
    decap(&mut inb, &wires[1]).unwrap();
    // a third packet from a fresh sender is refused by the expired inbound SA
    let mut p2 = p;
    p2.lifetime = Default::default();
    p2.initial_seq = 3;
    let (mut out2, ..) = suite_pair(p2);
    let w = encap(&mut out2, &orig).unwrap();
    assert_eq!(decap(&mut inb, &w), Err(IpsecError::TrafficLimitExceeded));
    // time-based hard limit
    let mut p = params(18, Mode::Tunnel);
    p.lifetime.hard.seconds = Some(10);
    let (mut out, ..) = suite_pair(p);
    let mut pkt = PacketBuf::copy_from(&mut buf, 100, &orig).unwrap();
    assert_eq!(
        out.encapsulate(Instant::from_secs(10), &mut pkt),
        Err(IpsecError::TrafficLimitExceeded)
    );
}

#[test]
fn code_18_wrong_tunnel_source() {
    let (c, i) = default_suite();
    let k = keys(c, i);
    let (mut out, _) = pair(&config(params(19, Mode::Tunnel), c, i, &k));
    let mut p = params(19, Mode::Tunnel);
    p.tunnel = Some(Tunnel {
        src: RIGHT,
        dst: RIGHT,
    });
    let (_, mut inb) = pair(&config(p, c, i, &k));
    let w = encap(&mut out, &udp(1, 0)).unwrap();
    assert_eq!(decap(&mut inb, &w), Err(IpsecError::WrongTunnelSource));
}

/// The engine log lines for these errors, through the SA database.
#[test]
fn drop_reason_format_through_the_database() {
    let (c, i) = default_suite();
    let k = keys(c, i);
    let mut p = params(0x1000, Mode::Tunnel);
    p.esn = true;
    p.initial_seq = u64::MAX;
    let cfg = config(p, c, i, &k);
    let (out, inb) = pair(&cfg);
    let mut db: SaDb = SaDb::new();
    let sa_in = db.install_inbound(Box::new(inb)).unwrap();
    let sa_out = db.install_outbound(Box::new(out));
    db.bundle(&[sa_in]).unwrap();
    let b = db.bundle(&[sa_out]).unwrap();
    let mut buf = vec![0u8; 512];
    let mut pkt = PacketBuf::copy_from(&mut buf, 100, &udp(4, 0)).unwrap();
    db.encapsulate(NOW, b, &mut pkt).unwrap();
    let mut wire = pkt.bytes().to_vec();
    let mut pkt2 = PacketBuf::copy_from(&mut buf, 100, &udp(4, 0)).unwrap();
    let e = db.encapsulate(NOW, b, &mut pkt2).unwrap_err();
    assert_eq!(
        e.to_string(),
        "SA 2: encapsulation error 4: sequence number wrapped"
    );
    let last = wire.len() - 1;
    wire[last] ^= 1;
    let mut pkt = PacketBuf::copy_from(&mut buf, 0, &wire).unwrap();
    let e = db.decapsulate(NOW, &mut pkt).unwrap_err();
    assert_eq!(
        e,
        DropReason::Decapsulation {
            sa: 1,
            error: IpsecError::IntegrityFailed
        }
    );
    assert_eq!(
        e.to_string(),
        "SA 1: decapsulation error 5: integrity verification failed"
    );
    wire[last] ^= 1;
    let mut pkt = PacketBuf::copy_from(&mut buf, 0, &wire).unwrap();
    db.decapsulate(NOW, &mut pkt).unwrap();
    let mut pkt = PacketBuf::copy_from(&mut buf, 0, &wire).unwrap();
    assert_eq!(
        db.decapsulate(NOW, &mut pkt).unwrap_err().to_string(),
        "SA 1: decapsulation error 1: replay packet detected"
    );
}
