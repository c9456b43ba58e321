//! Engine behaviour outside the §10.1 table: driver policies and fail-closed loading,
//! interface binding by template and priority, malformed packets, fragments (ASSEMBLE),
//! fw_obj/vif_obj events of a load, and no allocation on the verdict path.

use std::net::Ipv4Addr;

use etherparse::PacketBuilder;
use zubr_base::{Direction, DropReason, Instant, PassReason, UnixTime};
use zubr_filter::event::EventMask;
use zubr_filter::*;

fn ip(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

fn udp(src: &str, sp: u16, dst: &str, dp: u16, payload: &[u8]) -> Vec<u8> {
    let b = PacketBuilder::ipv4(ip(src).octets(), ip(dst).octets(), 64).udp(sp, dp);
    let mut v = Vec::new();
    b.write(&mut v, payload).unwrap();
    v
}

fn tcp(src: &str, sp: u16, dst: &str, dp: u16, syn: bool, ack: Option<u32>, seq: u32) -> Vec<u8> {
    let b = PacketBuilder::ipv4(ip(src).octets(), ip(dst).octets(), 64).tcp(sp, dp, seq, 65535);
    let b = if syn { b.syn() } else { b };
    let b = match ack {
        Some(a) => b.ack(a),
        None => b,
    };
    let mut v = Vec::new();
    b.write(&mut v, b"").unwrap();
    v
}

fn drain(e: &mut Engine) -> Vec<String> {
    std::iter::from_fn(|| e.events().pop())
        .map(|x| x.to_string())
        .collect()
}

const NOW: Instant = Instant::from_secs(10);
const T0: UnixTime = UnixTime(1_750_000_000);

fn web_only() -> FilterConfig {
    let mut web = FilterRule::new(
        "web",
        Selector {
            protocol: Some(vec![6..=6]),
            dst_port: Some(vec![80..=80, 443..=443]),
            ..Default::default()
        },
        FilterAction::Pass,
    );
    web.tcp_stateful = true;
    let dns = FilterRule::new(
        "dns",
        Selector {
            dst: Some(vec![ip("10.0.0.53")..=ip("10.0.0.53")]),
            protocol: Some(vec![17..=17]),
            ..Default::default()
        },
        FilterAction::Pass,
    );
    FilterConfig {
        chains: vec![FilterChain {
            name: "out".into(),
            rules: vec![web, dns],
            default_action: DefaultAction::Drop,
        }],
        interfaces: vec![NetworkInterface {
            output_filter: Some(ChainId(0)),
            ..NetworkInterface::new("eth*")
        }],
        ..Default::default()
    }
}

#[test]
fn driver_policies_and_fail_closed() {
    let mut e = Engine::new(EngineSettings {
        event_mask: EventMask::parse("PKT").unwrap(),
        ..EngineSettings::default()
    });
    let eth = e.add_interface("eth0", &[ip("10.0.0.5")], &[]);
    let dhcp_out = udp("0.0.0.0", 68, "255.255.255.255", 67, b"x");
    let dhcp_in = udp("10.0.0.1", 67, "255.255.255.255", 68, b"x");
    let web = tcp("10.0.0.5", 40000, "1.1.1.1", 80, true, None, 1);
    // no policy: DDP passall
    assert_eq!(e.state(), PolicyState::Ddp);
    assert_eq!(
        e.outbound(eth, &web, false, NOW),
        Verdict::Pass(PassReason::DriverDefaultPolicy)
    );
    assert_eq!(
        drain(&mut e),
        [
            "passed out packet 10.0.0.5:40000->1.1.1.1:80, proto 6, len 40, if eth0: driver default policy"
        ]
    );
    // passdhcp: only outbound UDP to 67 and inbound UDP to 68
    e.set_driver_policies(Ddp::PassDhcp, Lop::Ddp);
    assert_eq!(
        e.outbound(eth, &dhcp_out, false, NOW),
        Verdict::Pass(PassReason::DriverDefaultPolicy)
    );
    assert_eq!(
        e.inbound(eth, &dhcp_in, false, NOW),
        Verdict::Pass(PassReason::DriverDefaultPolicy)
    );
    assert_eq!(
        e.inbound(eth, &dhcp_out, false, NOW),
        Verdict::Drop(DropReason::DriverDefaultPolicy)
    );
    assert_eq!(
        e.outbound(eth, &web, false, NOW),
        Verdict::Drop(DropReason::DriverDefaultPolicy)
    );
    e.set_driver_policies(Ddp::DropAll, Lop::Ddp);
    assert_eq!(
        e.outbound(eth, &dhcp_out, false, NOW),
        Verdict::Drop(DropReason::DriverDefaultPolicy)
    );
    // a policy that cannot be installed leaves the DDP in force
    let mut bad = web_only();
    bad.chains[0].rules[0].action = FilterAction::JumpTo("nowhere".into());
    assert!(matches!(
        e.load_policy(bad, T0),
        Err(ConfigError::BadJump { .. })
    ));
    assert_eq!(e.state(), PolicyState::Ddp);
    assert_eq!(
        e.outbound(eth, &web, false, NOW),
        Verdict::Drop(DropReason::DriverDefaultPolicy)
    );
    let mut bad = web_only();
    bad.interfaces[0].input_filter = Some(ChainId(9));
    assert!(e.load_policy(bad, T0).is_err());
    let mut bad = web_only();
    bad.tcp.strictness = 7;
    assert_eq!(
        e.load_policy(bad, T0),
        Err(ConfigError::TcpSetting("fw_tcp_strictness"))
    );
    // a good policy
    e.load_policy(web_only(), T0).unwrap();
    assert_eq!(e.state(), PolicyState::User);
    assert_eq!(
        e.outbound(eth, &web, false, NOW),
        Verdict::Pass(PassReason::Filtered)
    );
    assert_eq!(
        e.outbound(eth, &dhcp_out, false, NOW),
        Verdict::Drop(DropReason::Firewall)
    );
    // log-off policy passdhcp, then ddp
    e.set_driver_policies(Ddp::PassAll, Lop::PassDhcp);
    e.set_logged_off(true);
    assert_eq!(e.state(), PolicyState::LogOff);
    assert_eq!(
        e.outbound(eth, &dhcp_out, false, NOW),
        Verdict::Pass(PassReason::DriverDefaultPolicy)
    );
    assert_eq!(
        e.outbound(eth, &web, false, NOW),
        Verdict::Drop(DropReason::DriverDefaultPolicy)
    );
    e.set_driver_policies(Ddp::PassAll, Lop::Ddp);
    assert_eq!(
        e.outbound(eth, &web, false, NOW),
        Verdict::Pass(PassReason::DriverDefaultPolicy)
    );
    e.set_logged_off(false);
    assert_eq!(
        e.outbound(eth, &dhcp_out, false, NOW),
        Verdict::Drop(DropReason::Firewall)
    );
    // unload: DDP again
    e.unload_policy();
    assert_eq!(e.state(), PolicyState::Ddp);
    assert_eq!(
        e.outbound(eth, &dhcp_out, false, NOW),
        Verdict::Pass(PassReason::DriverDefaultPolicy)
    );
    assert!(e.tracker().is_empty(), "reload drops all connections");
}

#[test]
fn interface_binding_by_template_and_priority() {
    let pass_all = FilterChain {
        name: "pass".into(),
        rules: vec![],
        default_action: DefaultAction::Pass,
    };
    let drop_all = FilterChain {
        name: "drop".into(),
        rules: vec![],
        default_action: DefaultAction::Drop,
    };
    let cfg = FilterConfig {
        chains: vec![pass_all, drop_all],
        interfaces: vec![
            NetworkInterface {
                output_filter: Some(ChainId(1)),
                ..NetworkInterface::new("*")
            },
            NetworkInterface {
                priority: 30,
                output_filter: Some(ChainId(0)),
                ..NetworkInterface::new("eth?")
            },
            NetworkInterface {
                priority: 30,
                output_filter: Some(ChainId(1)),
                ..NetworkInterface::new("eth*")
            },
        ],
        ..Default::default()
    };
    let mut e = Engine::new(EngineSettings {
        event_mask: EventMask::parse("VIF,FR").unwrap(),
        ..EngineSettings::default()
    });
    let eth0 = e.add_interface("eth0", &[ip("10.0.0.5")], &[]);
    let eth10 = e.add_interface("eth10", &[ip("10.0.1.5")], &[]);
    let ppp = e.add_interface("ppp0", &[ip("10.0.2.5")], &[]);
    drain(&mut e);
    e.load_policy(cfg, T0).unwrap();
    let p = udp("10.0.0.5", 1, "1.1.1.1", 2, b"");
    // eth0: both priority-30 templates match, the first in the file wins (pass)
    assert_eq!(
        e.outbound(eth0, &p, false, NOW),
        Verdict::Pass(PassReason::Filtered)
    );
    // eth10: only eth* (priority 30) and * match
    assert_eq!(
        e.outbound(eth10, &p, false, NOW),
        Verdict::Drop(DropReason::Firewall)
    );
    assert_eq!(
        e.outbound(ppp, &p, false, NOW),
        Verdict::Drop(DropReason::Firewall)
    );
    assert_eq!(
        e.outbound(PhyId(99), &p, false, NOW),
        Verdict::Drop(DropReason::UnknownPhysicalInterface)
    );
    let lines = drain(&mut e);
    for want in [
        "created vif 1 \"*\"",
        "created filter chain pair 2, type 2, visibility 1",
        "created filter chain 2",
        "attached filter chain pair 2 to vif 1, chain type 0",
        "registered vif 2 \"eth?\": pname \"eth?\", priority 30",
        "updated phy \"eth0\": flags PI>PIV, vif 2 \"eth?\"",
        "updated phy \"eth10\": flags PI>PIV, vif 3 \"eth*\"",
        "updated phy \"ppp0\": flags PI>PIV, vif 1 \"*\"",
    ] {
        assert!(
            lines.iter().any(|l| l == want),
            "missing {want}: {lines:#?}"
        );
    }
}

#[test]
fn fw_obj_events_of_a_load() {
    let mut e = Engine::new(EngineSettings {
        event_mask: EventMask::parse("FR,VIF").unwrap(),
        ..EngineSettings::default()
    });
    let mut cfg = web_only();
    cfg.chains[0].rules[1].log = true;
    cfg.chains[0].rules[0].selector.src = Some(vec![ip("1.2.3.4")..=ip("1.2.3.5")]);
    cfg.chains[0].rules[0].selector.packet_type = Some(PacketTypes::LOCAL_MISDIRECTED);
    e.load_policy(cfg, T0).unwrap();
    let lines = drain(&mut e);
    assert_eq!(
        lines,
        [
            "created vif 1 \"eth*\"",
            "created filter chain pair 2, type 1, visibility 1",
            "created filter chain 2",
            "created filter 2, chain 2, selector 0.0.0.0 255.255.255.255->10.0.0.53 10.0.0.53 proto 17 17 pkttype 15, position at head, action 0x4, nextid 0",
            "created filter 1, chain 2, selector 1.2.3.4 1.2.3.5->0.0.0.0 255.255.255.255:80 80 443 443 proto 6 6 pkttype 4, position at head, action 0x0, nextid 0",
            "attached filter chain pair 2 to vif 1, chain type 0",
            "registered vif 1 \"eth*\": pname \"eth*\", priority 0",
        ]
    );
}

#[test]
fn malformed_packets_are_dropped_with_their_reason() {
    let mut e = Engine::new(EngineSettings {
        event_mask: EventMask::parse("drop").unwrap(),
        ..EngineSettings::default()
    });
    let eth = e.add_interface("eth0", &[ip("10.0.0.5")], &[]);
    e.load_policy(web_only(), T0).unwrap();
    let good = tcp("10.0.0.5", 40000, "1.1.1.1", 80, true, None, 1);
    let mut short_ip = good.clone();
    short_ip.truncate(12);
    assert_eq!(
        e.outbound(eth, &short_ip, false, NOW),
        Verdict::Drop(DropReason::CorruptedIpHeader)
    );
    let mut bad_tcp = good.clone();
    bad_tcp[32] = 0x10; // data offset 1
    assert_eq!(
        e.outbound(eth, &bad_tcp, false, NOW),
        Verdict::Drop(DropReason::CorruptedProtocolHeaders)
    );
    let lines = drain(&mut e);
    assert_eq!(
        lines[1],
        "dropped out packet 10.0.0.5:40000->1.1.1.1:80, proto 6, len 40, if eth0: corrupted protocol headers"
    );
    assert!(
        lines[0].ends_with("if eth0: corrupted IP header"),
        "{lines:?}"
    );
}

/// Splits an unfragmented packet into fragments of `size` payload bytes (multiple of 8).
fn fragment(pkt: &[u8], size: usize) -> Vec<Vec<u8>> {
    let hl = usize::from(pkt[0] & 0xf) * 4;
    let payload = &pkt[hl..];
    let mut out = Vec::new();
    let mut off = 0;
    while off < payload.len() {
        let end = (off + size).min(payload.len());
        let mut f = pkt[..hl].to_vec();
        f.extend_from_slice(&payload[off..end]);
        let len = f.len() as u16;
        f[2..4].copy_from_slice(&len.to_be_bytes());
        let mf: u16 = if end < payload.len() { 0x2000 } else { 0 };
        let df = u16::from_be_bytes([pkt[6], pkt[7]]) & 0x4000;
        f[6..8].copy_from_slice(&(df | mf | (off / 8) as u16).to_be_bytes());
        out.push(f);
        off = end;
    }
    out
}

#[test]
fn fragments_are_reassembled_when_the_verdict_needs_ports() {
    let mut e = Engine::new(EngineSettings {
        event_mask: EventMask::parse("PKT,fw_trace").unwrap(),
        ..EngineSettings::default()
    });
    let eth = e.add_interface("eth0", &[ip("10.0.0.5")], &[]);
    e.load_policy(web_only(), T0).unwrap();
    drain(&mut e);
    // UDP to the DNS server: the rule has no port selector, each fragment is decided at once
    let dns = udp("10.0.0.5", 5353, "10.0.0.53", 53, &[1u8; 64]);
    for f in fragment(&dns, 24) {
        assert_eq!(
            e.outbound(eth, &f, false, NOW),
            Verdict::Pass(PassReason::Filtered)
        );
        assert!(e.take_reassembled().is_none());
    }
    // a big TCP segment to port 80: the web rule needs the ports -> ASSEMBLE
    let b = PacketBuilder::ipv4([10, 0, 0, 5], [1, 1, 1, 1], 64)
        .tcp(40000, 80, 1, 65535)
        .syn();
    let mut big = Vec::new();
    b.write(&mut big, &[9u8; 100]).unwrap();
    let frags = fragment(&big, 32);
    assert_eq!(frags.len(), 4);
    for f in frags.iter().rev().take(3) {
        assert_eq!(e.outbound(eth, f, false, NOW), Verdict::Held);
    }
    let lines = drain(&mut e);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("event id web, status ASSEMBLE")),
        "{lines:#?}"
    );
    assert_eq!(
        e.outbound(eth, &frags[0], false, NOW),
        Verdict::Pass(PassReason::Filtered)
    );
    assert_eq!(e.take_reassembled().as_deref(), Some(&big[..]));
    assert_eq!(
        e.tracker().len(),
        1,
        "the reassembled SYN opened a tracker record"
    );
    // a fragmented UDP packet that no rule allows is dropped at once (decided on addresses)
    let other = udp("10.0.0.5", 1, "9.9.9.9", 2, &[0u8; 64]);
    let f = &fragment(&other, 24)[1];
    assert_eq!(
        e.outbound(eth, f, false, NOW),
        Verdict::Drop(DropReason::Firewall)
    );
    // an incomplete datagram times out
    for f in fragment(&big, 32).iter().skip(1) {
        e.outbound(eth, f, false, NOW);
    }
    e.poll(Instant::from_secs(100));
    assert_eq!(
        e.outbound(eth, &frags[0], false, Instant::from_secs(100)),
        Verdict::Held
    );
}

#[test]
fn traced_and_untraced_verdicts_agree() {
    let mut a = Engine::new(EngineSettings::default());
    let mut b = Engine::new(EngineSettings::default());
    let pa = a.add_interface("eth0", &[ip("10.0.0.5")], &[]);
    let pb = b.add_interface("eth0", &[ip("10.0.0.5")], &[]);
    a.load_policy(web_only(), T0).unwrap();
    b.load_policy(web_only(), T0).unwrap();
    for (i, dst) in ["1.1.1.1", "10.0.0.53", "10.0.0.54"].iter().enumerate() {
        for dp in [53u16, 80, 443, 8080] {
            let p = tcp("10.0.0.5", 40000 + i as u16, dst, dp, true, None, 1);
            let q = udp("10.0.0.5", 40000 + i as u16, dst, dp, b"q");
            for pkt in [p, q] {
                let (v, t) = a.process_traced(Direction::Out, pa, &pkt, false, NOW);
                assert_eq!(v, b.outbound(pb, &pkt, false, NOW));
                assert!(matches!(t.steps.last(), Some(engine::TraceStep::Verdict(x)) if *x == v));
            }
        }
    }
}

#[test]
fn verdict_path_does_not_allocate() {
    let mut e = Engine::new(EngineSettings {
        event_mask: EventMask::parse("PKT,fw_trace,fw_tcpst").unwrap(),
        event_capacity: 64,
        ..EngineSettings::default()
    });
    let eth = e.add_interface("eth0", &[ip("10.0.0.5")], &[]);
    e.load_policy(web_only(), T0).unwrap();
    let syn = tcp("10.0.0.5", 40000, "1.1.1.1", 443, true, None, 100);
    assert_eq!(
        e.outbound(eth, &syn, false, NOW),
        Verdict::Pass(PassReason::Filtered)
    );
    let synack = tcp("1.1.1.1", 443, "10.0.0.5", 40000, true, Some(101), 500);
    let ack = tcp("10.0.0.5", 40000, "1.1.1.1", 443, false, Some(501), 101);
    let dns = udp("10.0.0.5", 5353, "10.0.0.53", 53, b"query");
    let denied = udp("10.0.0.5", 5353, "8.8.8.8", 53, b"query");
    assert_eq!(
        e.inbound(eth, &synack, false, NOW),
        Verdict::Pass(PassReason::Filtered)
    );
    let info = allocation_counter::measure(|| {
        for _ in 0..100 {
            assert_eq!(
                e.outbound(eth, &ack, false, NOW),
                Verdict::Pass(PassReason::Filtered)
            );
            assert_eq!(
                e.outbound(eth, &dns, false, NOW),
                Verdict::Pass(PassReason::Filtered)
            );
            assert_eq!(
                e.outbound(eth, &denied, false, NOW),
                Verdict::Drop(DropReason::Firewall)
            );
            // the event queue fills and then counts lost messages, still without allocating
        }
    });
    assert_eq!(info.count_total, 0, "{info:?}");
    assert!(e.events().lost_total() > 0);
    // the classifier alone, 10k rules
    let sels: Vec<Selector> = (0..10_000u32)
        .map(|i| Selector {
            dst: Some(vec![
                Ipv4Addr::from(0x0a00_0000 + i)..=Ipv4Addr::from(0x0a00_0000 + i),
            ]),
            dst_port: Some(vec![(i % 1000) as u16..=(i % 1000) as u16]),
            ..Default::default()
        })
        .collect();
    let c = Classifier::new(&sels);
    let all = EnableSet::all(sels.len());
    let keys: Vec<Key> = (0..1000u32)
        .map(|i| {
            Key::new(&Fields {
                src: ip("1.1.1.1"),
                dst: Ipv4Addr::from(0x0a00_0000 + i * 7),
                protocol: 6,
                ports: Some((1, ((i * 7) % 1000) as u16)),
                icmp: None,
                packet_type: PacketTypes::LOCAL_UNICAST,
            })
        })
        .collect();
    let mut hits = 0;
    let info = allocation_counter::measure(|| {
        for k in &keys {
            hits += usize::from(c.first_match(k, 0, &all).is_some());
        }
    });
    assert_eq!(info.count_total, 0);
    assert_eq!(hits, 1000);
    // and in bursts
    let mut out = [None; 37];
    let mut burst_hits = 0;
    let info = allocation_counter::measure(|| {
        for ks in keys.chunks(out.len()) {
            c.first_match_burst(ks, 0, &all, &mut out);
            burst_hits += out[..ks.len()].iter().filter(|o| o.is_some()).count();
            c.first_match_staged(ks, 0, &all, &mut out);
            burst_hits += out[..ks.len()].iter().filter(|o| o.is_some()).count();
        }
    });
    assert_eq!(info.count_total, 0);
    assert_eq!(burst_hits, 2000);
}
