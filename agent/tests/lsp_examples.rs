//! The 23 expected verdicts of lsp.md §10.1, from the real example files
//! (shared/spec/lsp-examples/01..04) compiled by zubr-lsp and mapped by [`zubr_agent::map`]:
//! nothing here is translated by hand. Verdicts that involve SAs (PROTECT with queueing, SA
//! filter after real ESP decapsulation, SA bundle not found) run through the [`Agent`]; the
//! firewall/IPsec-policy verdicts run through the filter engine loaded with the mapped
//! configuration, whose traces show which rule decided.

mod common;

use common::*;
use std::time::Duration;
use zubr_agent::*;
use zubr_base::sa::{Mode, Tunnel};
use zubr_base::{Direction, DropReason, Instant, PassReason, SaParams, UnixTime};
use zubr_crypto_stb::SOFTWARE;
use zubr_esp::{EspConfig, EspInbound, EspOutbound};
use zubr_filter::event::EventMask;
use zubr_filter::{Date, Engine, EngineSettings, Verdict};

fn at(y: i32, m: u8, d: u8, h: i64, mi: i64) -> UnixTime {
    UnixTime(Date::new(y, m, d).unwrap().days_since_epoch() * 86_400 + h * 3600 + mi * 60)
}

fn compiled(n: &str) -> zubr_lsp::Policy {
    let c = zubr_lsp::check(&example(n), &zubr_lsp::Options::default());
    assert!(!c.has_errors(), "{:?}", c.diagnostics);
    c.compile().unwrap()
}

/// A filter engine with the mapped configuration of example `n`.
fn filter_engine(
    n: &str,
    mask: EventMask,
    when: UnixTime,
    ifs: &[(&str, &[&str], &[&str])],
) -> (Engine, Vec<PhyId>) {
    let mut e = Engine::new(EngineSettings {
        event_mask: mask,
        ..EngineSettings::default()
    });
    let phys = ifs
        .iter()
        .map(|(name, a, b)| {
            let a: Vec<_> = a.iter().map(|x| ip(x)).collect();
            let b: Vec<_> = b.iter().map(|x| ip(x)).collect();
            e.add_interface(name, &a, &b)
        })
        .collect();
    e.load_policy(map::filter_config(&compiled(n)), when)
        .unwrap();
    (e, phys)
}

fn drain(e: &mut Engine) -> Vec<String> {
    std::iter::from_fn(|| e.events().pop())
        .map(|x| x.to_string())
        .collect()
}

const GOST_KEY: [u8; 32] = [0x42; 32];
const GOST_MAC: [u8; 32] = [0x17; 32];

fn gost_cfg(spi: u32, src: &str, dst: &str) -> EspConfig<'static> {
    EspConfig::new(
        SaParams::new(
            spi,
            Mode::Tunnel,
            Some(Tunnel {
                src: ip(src),
                dst: ip(dst),
            }),
        ),
        SOFTWARE
            .esp_cipher_by_name("G2814789CPRO1-K256-CBC-254")
            .unwrap(),
        &GOST_KEY,
        SOFTWARE.integrity_by_name("GR341194CPRO1-H96-HMAC-65534"),
        &GOST_MAC,
    )
}

/// ESP from the gateway, built by an independent SA with the same keys.
fn esp_from_gateway(inner: &[u8], seq: u64) -> Vec<u8> {
    let mut cfg = gost_cfg(0x1001, "203.0.113.1", "192.0.2.50");
    cfg.params.initial_seq = seq;
    let mut rng = SOFTWARE.drbg.instantiate(&[3; 32]).unwrap();
    let mut sa = EspOutbound::new(&cfg, &mut *rng, Instant::ZERO).unwrap();
    let mut storage = vec![0u8; inner.len() + 512];
    let mut buf = zubr_base::PacketBuf::copy_from(&mut storage, 256, inner).unwrap();
    sa.encapsulate(Instant::ZERO, &mut buf).unwrap();
    buf.bytes().to_vec()
}

#[test]
fn example_01_client() {
    let now = Instant::from_secs(1);
    let mut a = agent(1, false);
    let eth = a.add_interface("eth0", &[ip("192.0.2.50")], &[ip("192.0.2.255")], 1500);
    load(&mut a, &example("01"), "01");
    let cfg = a
        .apply_ikecfg(
            "ikecfg0",
            IkecfgAssignment {
                isakmp: 0,
                address: ip("10.10.200.10"),
                netmask: None,
                dns: vec![],
                wins: vec![],
                split: vec![],
            },
        )
        .unwrap();
    let rule_00_00 = a.mapped().unwrap().rules[0].filter;
    assert_eq!(a.mapped().unwrap().rules[0].name, "filter_rule_00_00");
    // 1. DHCP out: PASS by filter_rule_00_01
    let (r, _) = out(
        &mut a,
        now,
        eth,
        &udp("192.0.2.50", 68, "255.255.255.255", 67),
    );
    assert_eq!(r, OutResult::Send { phy: eth });
    // 2. DHCP in: the same rule, directions swapped
    let (r, _) = inb(&mut a, now, eth, &udp("192.0.2.1", 67, "192.0.2.50", 68));
    assert_eq!(r, InResult::Deliver { phy: eth });
    // 3. into the protected network with no SA: PROTECT via IPsec_action_01 — IKE with
    //    ike_rule_01 to 203.0.113.1 starts, the packet is queued (at most 8)
    let syn = tcp("10.10.200.10", 40000, "10.10.1.5", 443, SYN, 1, 0, b"");
    let (r, _) = out(&mut a, now, cfg, &syn);
    assert_eq!(r, OutResult::Queued);
    let t = a.poll_transmit().expect("IKE main mode starts");
    assert_eq!(t.remote, "203.0.113.1:500".parse().unwrap());
    assert_eq!(a.ike().unwrap().isakmp_list(now)[0].rule, "ike_rule_01");
    for i in 1..8u16 {
        let p = tcp("10.10.200.10", 40000 + i, "10.10.1.5", 443, SYN, 1, 0, b"");
        assert_eq!(out(&mut a, now, cfg, &p).0, OutResult::Queued);
    }
    let ninth = tcp("10.10.200.10", 40100, "10.10.1.5", 443, SYN, 1, 0, b"");
    assert_eq!(
        out(&mut a, now, cfg, &ninth).0,
        OutResult::Drop(DropReason::WaitingQueueFull {
            filter: rule_00_00,
            limit: 8
        })
    );
    // 4. anything else: the chain's default
    let (r, _) = out(
        &mut a,
        now,
        eth,
        &tcp("192.0.2.50", 40001, "8.8.8.8", 443, SYN, 1, 0, b""),
    );
    assert_eq!(r, OutResult::Drop(DropReason::IpsecPolicy));
    // 5. IKE from the gateway: autopass to the engine
    let (r, _) = inb(
        &mut a,
        now,
        eth,
        &udp("203.0.113.1", 500, "192.0.2.50", 500),
    );
    assert_eq!(r, InResult::Consumed);
    // 6. clear traffic from the protected network
    let (r, _) = inb(
        &mut a,
        now,
        cfg,
        &tcp(
            "10.10.1.5",
            443,
            "10.10.200.10",
            40000,
            SYN | ACK,
            1,
            2,
            b"",
        ),
    );
    assert_eq!(
        r,
        InResult::Drop(DropReason::MustBeProtected { filter: rule_00_00 })
    );
    // 7. ESP from the gateway whose inner packet is GRE: refused by tunnel_in (1, 6, 17 only)
    let l = zubr_ike::config::Selector::host(ip("10.10.200.10"));
    let rm = zubr_ike::config::Selector::subnet(ip("10.10.0.0"), 16);
    let inbound = EspInbound::new(&gost_cfg(0x1001, "203.0.113.1", "192.0.2.50"), now).unwrap();
    let mut rng = SOFTWARE.drbg.instantiate(&[4; 32]).unwrap();
    let outbound = EspOutbound::new(
        &gost_cfg(0x2002, "192.0.2.50", "203.0.113.1"),
        &mut *rng,
        now,
    )
    .unwrap();
    a.install_manual(
        rule_00_00,
        l,
        rm,
        ip("192.0.2.50"),
        ip("203.0.113.1"),
        vec![Box::new(inbound)],
        vec![Box::new(outbound)],
    )
    .unwrap();
    let gre = raw("10.10.1.5", "10.10.200.10", 47, &[0; 8]);
    let (r, _) = inb(&mut a, now, eth, &esp_from_gateway(&gre, 1));
    assert_eq!(r, InResult::Drop(DropReason::SaFilter));
    // … and the tunnel's TCP is delivered on the IKECFG interface
    let inner = tcp("10.10.1.5", 443, "10.10.200.10", 40000, ACK, 1, 2, b"");
    let (r, bytes) = inb(&mut a, now, eth, &esp_from_gateway(&inner, 2));
    assert_eq!(r, InResult::Deliver { phy: cfg });
    assert_eq!(bytes, inner);
    let lines = events(&mut a);
    for want in [
        format!(
            "dropped in packet 10.10.1.5:443->10.10.200.10:40000, proto 6, len 40, if ikecfg0: filter {rule_00_00}: packet must be protected with IPsec"
        ),
        "dropped out packet 192.0.2.50:40001->8.8.8.8:443, proto 6, len 40, if eth0: IPsec policy"
            .into(),
        "dropped in packet 10.10.1.5->10.10.200.10, proto 47, len 28, if ikecfg0: SA filter".into(),
        format!(
            "dropped out packet 10.10.200.10:40100->10.10.1.5:443, proto 6, len 40, if ikecfg0: filter {rule_00_00}: reached limit of 8 packets waiting for SA"
        ),
    ] {
        assert!(lines.contains(&want), "{want}\n{lines:#?}");
    }
}

#[test]
fn example_02_atm() {
    let when = at(2025, 6, 4, 10, 0);
    let now = Instant::from_secs(1);
    let p = compiled("02");
    // 8. PROTECT toward the bank network: ESP(AES-256/SHA1), ESP(AES-128/SHA1) offered in that
    //    order (the (AH, ESP) pair is not negotiable by IKE yet and is reported as skipped),
    //    gateways 198.51.100.10 then .20
    let mut keys = MemoryKeys::new();
    match map_policy(&p, &SOFTWARE, &keys) {
        Err(MapError::Certificate(s)) => assert!(s.contains("no certificate store"), "{s}"),
        other => panic!("a certificate policy without a store: {other:?}"),
    }
    // with a store holding the ATM's certificate (LocalCredential) and the bank's root CA the
    // certificate policy maps: bign signature authentication toward both gateways
    {
        use zubr_pki::builder::CertificateBuilder;
        use zubr_pki::{KeyKind, KeyUse, PrivateKey, Store, store::KeyRef};
        let mut rng = SOFTWARE.drbg.instantiate(&[2; 32]).unwrap();
        let (nb, na) = (1_700_000_000, 1_900_000_000);
        let ca_k = PrivateKey::generate(KeyKind::Bign256, &mut *rng).unwrap();
        let cs = ca_k.signing_key(KeyUse::Certificate).unwrap();
        let ca = CertificateBuilder::new("C=BY,O=Example Bank,CN=Example Bank Root CA", 1, nb, na)
            .unwrap()
            .ca(None)
            .sign(&ca_k.public_key().unwrap(), None, &*cs, &mut *rng)
            .unwrap();
        let k = PrivateKey::generate(KeyKind::Bign256, &mut *rng).unwrap();
        let atm = CertificateBuilder::new("C=BY,O=Example Bank,OU=ATM,CN=atm-0042", 7, nb, na)
            .unwrap()
            .sign(&k.public_key().unwrap(), Some(&ca), &*cs, &mut *rng)
            .unwrap();
        let mut store = Store::new();
        store.add_trusted(ca).unwrap();
        store.add_local(atm, KeyRef::Software(k)).unwrap();
        keys.set_certificates(std::sync::Arc::new(store));
        let m = map_policy(&p, &SOFTWARE, &keys).unwrap();
        let auth = &m.ike.ike_rules[0].main_mode_auth;
        assert_eq!(auth.len(), 1);
        assert_eq!(auth[0].display_name(), "bign signature");
    }
    // the same policy with a pre-shared key in place of the certificate runs in the agent
    let text = String::from_utf8(example("02"))
        .unwrap()
        .replace(
            "MainModeAuthMethod *= auth_method_cert",
            "MainModeAuthMethod *= auth_psk",
        )
        .replace(
            "IKERule ike_rule_gw(",
            "AuthMethodPreshared auth_psk(\n SharedIKESecret = \"bank\"\n)\n\nIKERule ike_rule_gw(",
        );
    let mut a = agent(5, false);
    let eth = a.add_interface("eth0", &[ip("192.168.1.50")], &[ip("192.168.1.255")], 1500);
    load(&mut a, text.as_bytes(), "02-psk");
    let m = a.mapped().unwrap().clone();
    let names: Vec<_> = m.ike.ipsec_rules[0]
        .proposals
        .iter()
        .map(|t| (t.cipher.sa_name, t.integrity.map(|i| i.esp_sa_name)))
        .collect();
    assert_eq!(
        names,
        [
            ("esp-aes256-cbc", Some("esp-sha1-hmac")),
            ("esp-aes128-cbc", Some("esp-sha1-hmac"))
        ]
    );
    assert!(
        m.warnings.iter().any(|w| w.contains("AH")),
        "{:?}",
        m.warnings
    );
    let peers: Vec<_> = m.actions[0]
        .tunnels
        .iter()
        .map(|t| t.peer.unwrap())
        .collect();
    assert_eq!(peers, [ip("198.51.100.10"), ip("198.51.100.20")]);
    let syn = tcp("192.168.1.50", 40000, "172.16.4.4", 443, SYN, 1, 0, b"");
    assert_eq!(out(&mut a, now, eth, &syn).0, OutResult::Queued);
    assert_eq!(
        a.poll_transmit().unwrap().remote,
        "198.51.100.10:500".parse().unwrap()
    );
    // .10 never answers: after SendRetries the exchange fails and .20 is tried
    let mut t = now;
    let mut second = None;
    for _ in 0..200 {
        t += Duration::from_secs(1);
        a.handle_timeout(t);
        while let Some(x) = a.poll_transmit() {
            if x.remote.ip() == ip("198.51.100.20") {
                second = Some(x);
            }
        }
        if second.is_some() {
            break;
        }
    }
    assert!(second.is_some(), "failover to the second gateway");
    // 9. DNS reply: firewall PASS (fw_in_atm), IPsec policy PASS (filter_rule_dns, swapped)
    let (mut e, phys) = filter_engine(
        "02",
        EventMask::PASS.union(EventMask::DROP),
        when,
        &[("eth0", &["192.168.1.50"], &["192.168.1.255"])],
    );
    let (v, trace) = e.process_traced(
        Direction::In,
        phys[0],
        &udp("192.168.1.1", 53, "192.168.1.50", 33333),
        false,
        now,
    );
    assert_eq!(v, Verdict::Pass(PassReason::Filtered));
    let t = trace.to_string();
    assert!(t.contains("firewall in: chain 3 (fw_in_atm)"), "{t}");
    assert!(t.contains("filter 4 fw_in_atm_2: match"), "{t}");
    assert!(t.contains("filter 7 filter_rule_dns: match"), "{t}");
    // 10. web from the LAN: firewall
    assert_eq!(
        e.inbound(
            phys[0],
            &tcp("192.168.1.77", 80, "192.168.1.50", 40000, ACK, 1, 1, b""),
            false,
            now
        ),
        Verdict::Drop(DropReason::Firewall)
    );
}

const HOST: &str = "10.0.0.5";

fn ex03(when: UnixTime, mask: &str) -> (Engine, PhyId) {
    let (e, p) = filter_engine(
        "03",
        EventMask::parse(mask).unwrap(),
        when,
        &[("eth0", &[HOST], &["10.0.0.255"])],
    );
    (e, p[0])
}

#[test]
fn example_03_firewall() {
    let now = Instant::from_secs(1000);
    let syn = tcp(HOST, 40000, "93.184.216.34", 443, SYN, 100, 0, b"");
    // 11. Wednesday 10:00: PASS, tracker record, fw_notif logged
    let (mut e, eth) = ex03(at(2025, 6, 4, 10, 0), "PKT,fw_notif,fw_tcpst");
    drain(&mut e);
    assert_eq!(
        e.outbound(eth, &syn, false, now),
        Verdict::Pass(PassReason::Filtered)
    );
    assert_eq!(e.tracker().len(), 1);
    let lines = drain(&mut e);
    assert!(lines.contains(&"filtration result for out packet 10.0.0.5:40000->93.184.216.34:443, proto 6, len 40, if eth0: chain 2, filter 3, event id fw_out_3, status PASS".to_string()), "{lines:#?}");
    // 18. the ACK of the established session is passed by the tracker (chain not consulted)
    let synack = tcp("93.184.216.34", 443, HOST, 40000, SYN | ACK, 7000, 101, b"");
    assert_eq!(
        e.inbound(eth, &synack, false, now),
        Verdict::Pass(PassReason::Filtered)
    );
    let ack = tcp(HOST, 40000, "93.184.216.34", 443, ACK, 101, 7001, b"");
    assert_eq!(
        e.outbound(eth, &ack, false, now),
        Verdict::Pass(PassReason::Filtered)
    );
    let data = tcp(
        "93.184.216.34",
        443,
        HOST,
        40000,
        ACK,
        7001,
        101,
        b"HTTP/1.1 200 OK",
    );
    let (v, trace) = e.process_traced(Direction::In, eth, &data, false, now);
    assert_eq!(v, Verdict::Pass(PassReason::Filtered));
    assert!(
        trace
            .to_string()
            .contains("TCP tracker: tracked connection")
    );
    assert!(!trace.to_string().contains("firewall in"), "{trace}");
    // 12. Saturday 10:00: the schedule is off, the chain default drops
    let (mut e, eth) = ex03(at(2025, 6, 7, 10, 0), "PKT");
    assert_eq!(
        e.outbound(eth, &syn, false, now),
        Verdict::Drop(DropReason::Firewall)
    );
    // 13. Wednesday 13:30: between the two windows
    let (mut e, eth) = ex03(at(2025, 6, 4, 13, 30), "PKT");
    assert_eq!(
        e.outbound(eth, &syn, false, now),
        Verdict::Drop(DropReason::Firewall)
    );
    // 14. 10.0.5.25:22 jumps to `internal`, then the 6th rule passes statefully
    let (mut e, eth) = ex03(at(2025, 6, 4, 10, 0), "PKT,fw_trace");
    let (v, trace) = e.process_traced(
        Direction::Out,
        eth,
        &tcp(HOST, 40010, "10.0.5.25", 22, SYN, 1, 0, b""),
        false,
        now,
    );
    assert_eq!(v, Verdict::Pass(PassReason::Filtered));
    let t = trace.to_string();
    assert!(t.contains("filter 2 fw_out_2: match, jump to 5"), "{t}");
    assert!(t.contains("filter 6 fw_out_6: match"), "{t}");
    assert!(t.contains("TCP tracker: record created"), "{t}");
    // 15. 10.0.7.1:80 jumps, then the 7th rule drops it with log
    drain(&mut e);
    assert_eq!(
        e.outbound(
            eth,
            &tcp(HOST, 40011, "10.0.7.1", 80, SYN, 1, 0, b""),
            false,
            now
        ),
        Verdict::Drop(DropReason::Firewall)
    );
    let lines = drain(&mut e);
    assert!(lines.contains(&"filtration result for out packet 10.0.0.5:40011->10.0.7.1:80, proto 6, len 40, if eth0: chain 2, filter 7, event id fw_out_7, status DROP".to_string()), "{lines:#?}");
    // 16. Monday 03:00 belongs to Sunday's 22:00..06:00 window; FTP data admitted via PORT
    let (mut e, eth) = ex03(at(2025, 6, 9, 3, 0), "PKT");
    let srv = "10.0.5.10";
    let c = |f, s, a, p: &[u8]| tcp(HOST, 33000, srv, 21, f, s, a, p);
    let sv = |f, s, a, p: &[u8]| tcp(srv, 21, HOST, 33000, f, s, a, p);
    assert_eq!(
        e.outbound(eth, &c(SYN, 100, 0, b""), false, now),
        Verdict::Pass(PassReason::Filtered)
    );
    assert_eq!(
        e.inbound(eth, &sv(SYN | ACK, 900, 101, b""), false, now),
        Verdict::Pass(PassReason::Filtered)
    );
    assert_eq!(
        e.outbound(eth, &c(ACK, 101, 901, b""), false, now),
        Verdict::Pass(PassReason::Filtered)
    );
    let login = b"230 Login successful.\r\n";
    assert_eq!(
        e.inbound(eth, &sv(ACK | 0x08, 901, 101, login), false, now),
        Verdict::Pass(PassReason::Filtered)
    );
    let port = b"PORT 10,0,0,5,200,10\r\n";
    assert_eq!(
        e.outbound(eth, &c(ACK | 0x08, 101, 924, port), false, now),
        Verdict::Pass(PassReason::Filtered)
    );
    let data = tcp(srv, 20, HOST, 200 * 256 + 10, SYN, 5, 0, b"");
    assert_eq!(
        e.inbound(eth, &data, false, now),
        Verdict::Pass(PassReason::Filtered)
    );
    // 17. SSH from the admin network: tracked, opened from the unprotected side
    let (mut e, eth) = ex03(at(2025, 6, 4, 10, 0), "PKT,fw_tcpst,fw_notif");
    assert_eq!(
        e.inbound(
            eth,
            &tcp("10.0.9.7", 50000, HOST, 22, SYN, 1, 0, b""),
            false,
            now
        ),
        Verdict::Pass(PassReason::Filtered)
    );
    let id = e.tracker().ids().next().unwrap();
    assert!(
        e.tracker().info(id, now).unwrap().reverse,
        "Reverse connection: yes"
    );
    // 19. an ACK of an unknown connection: level 4 creates no state; the chain drops
    drain(&mut e);
    assert_eq!(
        e.inbound(
            eth,
            &tcp("10.0.9.8", 50001, HOST, 22, ACK, 1, 1, b""),
            false,
            now
        ),
        Verdict::Drop(DropReason::Firewall)
    );
    let lines = drain(&mut e);
    assert!(
        lines.iter().any(|l| l.starts_with(
            "not a SYN packet, won't create state for session 10.0.0.5:22->10.0.9.8:50001"
        )),
        "{lines:#?}"
    );
    // 20. transit traffic is dropped with log
    drain(&mut e);
    let transit = tcp("10.0.1.1", 1234, "10.0.2.2", 80, SYN, 1, 0, b"");
    assert_eq!(
        e.inbound(eth, &transit, true, now),
        Verdict::Drop(DropReason::Firewall)
    );
    let lines = drain(&mut e);
    assert!(lines.contains(&"filtration result for in packet 10.0.1.1:1234->10.0.2.2:80, proto 6, len 40, if eth0: chain 3, filter 11, event id fw_in_4, status DROP".to_string()), "{lines:#?}");
}

#[test]
fn example_04_gateway() {
    let now = Instant::from_secs(1);
    let mut g = agent(6, true);
    let eth = g.add_interface("eth0", &[ip("203.0.113.1")], &[], 1500);
    load(&mut g, &example("04"), "04");
    let clients = g.mapped().unwrap().rules[0].filter;
    assert_eq!(g.mapped().unwrap().rules[0].name, "filter_rule_clients");
    // 21. ESP to the gateway: firewall PASS (fw_in_ext), decapsulate, inner checked against
    //     filter_rule_clients
    let l = zubr_ike::config::Selector::subnet(ip("10.10.0.0"), 16);
    let r = zubr_ike::config::Selector::host(ip("10.10.200.10"));
    let inbound = EspInbound::new(&gost_cfg(0x3003, "198.18.0.7", "203.0.113.1"), now).unwrap();
    let mut rng = SOFTWARE.drbg.instantiate(&[4; 32]).unwrap();
    let outbound = EspOutbound::new(
        &gost_cfg(0x4004, "203.0.113.1", "198.18.0.7"),
        &mut *rng,
        now,
    )
    .unwrap();
    g.install_manual(
        clients,
        l,
        r,
        ip("203.0.113.1"),
        ip("198.18.0.7"),
        vec![Box::new(inbound)],
        vec![Box::new(outbound)],
    )
    .unwrap();
    let inner = tcp("10.10.200.10", 40000, "10.10.1.5", 443, SYN, 1, 0, b"");
    let mut cfg = gost_cfg(0x3003, "198.18.0.7", "203.0.113.1");
    cfg.params.initial_seq = 1;
    let mut rng2 = SOFTWARE.drbg.instantiate(&[8; 32]).unwrap();
    let mut client_sa = EspOutbound::new(&cfg, &mut *rng2, now).unwrap();
    let mut storage = vec![0u8; 1024];
    let mut buf = zubr_base::PacketBuf::copy_from(&mut storage, 256, &inner).unwrap();
    client_sa.encapsulate(now, &mut buf).unwrap();
    let (res, bytes) = inb(&mut g, now, eth, buf.bytes());
    assert_eq!(res, InResult::Deliver { phy: eth });
    assert_eq!(bytes[12..], inner[12..]);
    // 22. ping to the gateway: firewall PASS, IPsec policy PASS (filter_rule_icmp_local)
    let (res, _) = inb(&mut g, now, eth, &icmp_echo("198.18.0.7", "203.0.113.1", 1));
    assert_eq!(res, InResult::Deliver { phy: eth });
    // 23. forwarded toward a client that has no SA: FallbackAction = DROP
    let mut fresh = agent(7, true);
    let feth = fresh.add_interface("eth0", &[ip("203.0.113.1")], &[], 1500);
    load(&mut fresh, &example("04"), "04");
    let fwd = tcp(
        "10.10.1.5",
        443,
        "10.10.200.10",
        40000,
        SYN | ACK,
        1,
        2,
        b"",
    );
    assert_eq!(
        out(&mut fresh, now, feth, &fwd).0,
        OutResult::Drop(DropReason::SaBundleNotFound { filter: clients })
    );
    let lines = events(&mut fresh);
    assert!(lines.contains(&format!("dropped out packet 10.10.1.5:443->10.10.200.10:40000, proto 6, len 40, if eth0: filter {clients}: SA bundle not found")), "{lines:#?}");
    // IKE from any client is autopassed
    let (res, _) = inb(
        &mut g,
        now,
        eth,
        &udp("198.18.0.7", 500, "203.0.113.1", 500),
    );
    assert_eq!(res, InResult::Consumed);
}
