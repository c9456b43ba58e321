//! The 23 expected verdicts of lsp.md §10.1, run through the engine with the four example
//! policies (`shared/spec/lsp-examples/01..04`) translated by hand into `FilterConfig` exactly
//! as the LSP compiler is to produce them (one `FilterConfig` field per LSP structure). When
//! `zubr-lsp` lands, the same verdicts are checked again from the compiled files.
//!
//! The engine's share of each verdict is checked: SA lookup, IKE, queueing and proposals are
//! the agent's, so "PROTECT via IPsec_action_01" is checked as `Verdict::Protect` with that
//! action and filter, and an ESP packet for us as `Verdict::Decapsulate` followed by the
//! decapsulated inner packet's verdict.

use std::net::Ipv4Addr;
use std::ops::RangeInclusive;

use etherparse::{IpNumber, PacketBuilder};
use zubr_base::{Direction, DropReason, Instant, PassReason, UnixTime};
use zubr_filter::event::EventMask;
use zubr_filter::*;

fn ip(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

fn r(a: &str, b: &str) -> RangeInclusive<Ipv4Addr> {
    ip(a)..=ip(b)
}

fn one(a: &str) -> RangeInclusive<Ipv4Addr> {
    ip(a)..=ip(a)
}

fn ports(p: &[u16]) -> Option<Vec<RangeInclusive<u16>>> {
    Some(p.iter().map(|&x| x..=x).collect())
}

fn protos(p: &[u8]) -> Option<Vec<RangeInclusive<u8>>> {
    Some(p.iter().map(|&x| x..=x).collect())
}

fn at(y: i32, m: u8, d: u8, h: i64, mi: i64) -> UnixTime {
    UnixTime(Date::new(y, m, d).unwrap().days_since_epoch() * 86_400 + h * 3600 + mi * 60)
}

const SYN: u8 = 0x02;
const ACK: u8 = 0x10;

#[allow(clippy::too_many_arguments)]
fn tcp(
    src: &str,
    sp: u16,
    dst: &str,
    dp: u16,
    flags: u8,
    seq: u32,
    ack: u32,
    payload: &[u8],
) -> Vec<u8> {
    let b = PacketBuilder::ipv4(ip(src).octets(), ip(dst).octets(), 64).tcp(sp, dp, seq, 65535);
    let b = if flags & SYN != 0 { b.syn() } else { b };
    let b = if flags & ACK != 0 { b.ack(ack) } else { b };
    let b = if flags & 0x08 != 0 { b.psh() } else { b };
    let mut v = Vec::new();
    b.write(&mut v, payload).unwrap();
    v
}

fn udp(src: &str, sp: u16, dst: &str, dp: u16) -> Vec<u8> {
    let b = PacketBuilder::ipv4(ip(src).octets(), ip(dst).octets(), 64).udp(sp, dp);
    let mut v = Vec::new();
    b.write(&mut v, b"payload").unwrap();
    v
}

fn raw(src: &str, dst: &str, proto: u8, payload: &[u8]) -> Vec<u8> {
    let b = PacketBuilder::ipv4(ip(src).octets(), ip(dst).octets(), 64);
    let mut v = Vec::new();
    b.write(&mut v, IpNumber(proto), payload).unwrap();
    v
}

fn icmp_echo(src: &str, dst: &str) -> Vec<u8> {
    let b = PacketBuilder::ipv4(ip(src).octets(), ip(dst).octets(), 64).icmpv4_echo_request(1, 1);
    let mut v = Vec::new();
    b.write(&mut v, b"ping").unwrap();
    v
}

fn rule(name: &str, selector: Selector, action: FilterAction) -> FilterRule {
    FilterRule::new(name, selector, action)
}

fn engine(mask: EventMask) -> Engine {
    Engine::new(EngineSettings {
        event_mask: mask,
        ..EngineSettings::default()
    })
}

// ------------------------------------------------------------------------------------------
// Example 01: PSK GOST client to gateway 203.0.113.1

fn example_01() -> FilterConfig {
    FilterConfig {
        chains: vec![FilterChain {
            name: "tunnel_in".into(),
            rules: vec![rule(
                "tunnel_in_1",
                Selector {
                    src: Some(vec![r("10.10.0.0", "10.10.255.255")]),
                    protocol: protos(&[1, 6, 17]),
                    ..Default::default()
                },
                FilterAction::Pass,
            )],
            default_action: DefaultAction::Drop,
        }],
        ipsec_chains: vec![IpsecChain {
            name: "ipsec_policy_01".into(),
            rules: vec![
                IpsecRule {
                    name: "filter_rule_00_00".into(),
                    selector: Selector {
                        dst: Some(vec![r("10.10.0.0", "10.10.255.255")]),
                        ..Default::default()
                    },
                    schedule: None,
                    log: false,
                    action: IpsecRuleAction::Protect(IpsecActionId(0)),
                },
                IpsecRule {
                    name: "filter_rule_00_01".into(),
                    selector: Selector {
                        protocol: protos(&[17]),
                        src_port: ports(&[68]),
                        dst_port: ports(&[67]),
                        ..Default::default()
                    },
                    schedule: None,
                    log: false,
                    action: IpsecRuleAction::Pass,
                },
            ],
            default_action: DefaultAction::Drop,
        }],
        ipsec_actions: vec![IpsecActionFilter {
            name: "IPsec_action_01".into(),
            input_filter: Some(ChainId(0)),
        }],
        interfaces: vec![NetworkInterface {
            ipsec_policy: Some(IpsecChainId(0)),
            ..NetworkInterface::new("*")
        }],
        autopass: IkeAutopass {
            ports: vec![500, 4500],
            peers: vec![one("203.0.113.1")],
            any_peer: false,
        },
        ..Default::default()
    }
}

#[test]
fn example_01_client() {
    let mut e = engine(EventMask::PASS.union(EventMask::DROP));
    let eth = e.add_interface("eth0", &[ip("192.0.2.50")], &[ip("192.0.2.255")]);
    let cfg = e.add_interface("ikecfg0", &[ip("10.10.200.10")], &[]);
    e.load_policy(example_01(), at(2025, 6, 4, 10, 0)).unwrap();
    let now = Instant::from_secs(1);
    // filter ids: tunnel_in has 1 rule (id 1); ipsec rules are 2 and 3
    let rule_00_00 = 2;
    // 1. DHCP out
    assert_eq!(
        e.outbound(
            eth,
            &udp("192.0.2.50", 68, "255.255.255.255", 67),
            false,
            now
        ),
        Verdict::Pass(PassReason::Filtered)
    );
    // 2. DHCP in: same rule, directions swapped
    assert_eq!(
        e.inbound(eth, &udp("192.0.2.1", 67, "192.0.2.50", 68), false, now),
        Verdict::Pass(PassReason::Filtered)
    );
    // 3. to the protected network: PROTECT via IPsec_action_01
    assert_eq!(
        e.outbound(
            cfg,
            &tcp("10.10.200.10", 40000, "10.10.1.5", 443, SYN, 1, 0, b""),
            false,
            now
        ),
        Verdict::Protect {
            action: IpsecActionId(0),
            filter: rule_00_00
        }
    );
    // 4. anything else: the chain default
    assert_eq!(
        e.outbound(
            eth,
            &tcp("192.0.2.50", 40001, "8.8.8.8", 443, SYN, 1, 0, b""),
            false,
            now
        ),
        Verdict::Drop(DropReason::IpsecPolicy)
    );
    // 5. IKE from the gateway: autopass
    assert_eq!(
        e.inbound(eth, &udp("203.0.113.1", 500, "192.0.2.50", 500), false, now),
        Verdict::Ike
    );
    // 6. clear traffic from the protected network
    assert_eq!(
        e.inbound(
            cfg,
            &tcp(
                "10.10.1.5",
                443,
                "10.10.200.10",
                40000,
                SYN | ACK,
                1,
                2,
                b""
            ),
            false,
            now
        ),
        Verdict::Drop(DropReason::MustBeProtected { filter: rule_00_00 })
    );
    // 7. ESP from the gateway; inner GRE is refused by tunnel_in
    assert_eq!(
        e.inbound(
            eth,
            &raw("203.0.113.1", "192.0.2.50", 50, &[0, 0, 1, 0, 0, 0, 0, 1]),
            false,
            now
        ),
        Verdict::Decapsulate
    );
    let gre = raw("10.10.1.5", "10.10.200.10", 47, &[0; 8]);
    assert_eq!(
        e.inbound_decapsulated(cfg, &gre, IpsecActionId(0), rule_00_00, now),
        Verdict::Drop(DropReason::SaFilter)
    );
    // and the TCP of the tunnel is accepted
    let inner = tcp("10.10.1.5", 443, "10.10.200.10", 40000, ACK, 1, 2, b"");
    assert_eq!(
        e.inbound_decapsulated(cfg, &inner, IpsecActionId(0), rule_00_00, now),
        Verdict::Pass(PassReason::Decapsulated)
    );
    // the drop lines of the log
    let lines: Vec<String> = std::iter::from_fn(|| e.events().pop())
        .map(|x| x.to_string())
        .collect();
    assert!(lines.contains(&"dropped in packet 10.10.1.5:443->10.10.200.10:40000, proto 6, len 40, if ikecfg0: filter 2: packet must be protected with IPsec".to_string()), "{lines:#?}");
    assert!(lines.contains(&"dropped out packet 192.0.2.50:40001->8.8.8.8:443, proto 6, len 40, if eth0: IPsec policy".to_string()));
    assert!(
        lines.contains(
            &"dropped in packet 10.10.1.5->10.10.200.10, proto 47, len 28, if ikecfg0: SA filter"
                .to_string()
        )
    );
}

// ------------------------------------------------------------------------------------------
// Example 02: certificate client (ATM), two gateways

fn example_02() -> FilterConfig {
    let bank = || vec![r("172.16.0.0", "172.16.255.255")];
    FilterConfig {
        chains: vec![
            FilterChain {
                name: "from_bank_net".into(),
                rules: vec![
                    rule(
                        "from_bank_net_1",
                        Selector {
                            src: Some(bank()),
                            protocol: protos(&[6]),
                            src_port: ports(&[443, 8443]),
                            ..Default::default()
                        },
                        FilterAction::Pass,
                    ),
                    rule(
                        "from_bank_net_2",
                        Selector {
                            src: Some(bank()),
                            protocol: protos(&[1]),
                            icmp_type: Some(vec![0..=0, 3..=3, 11..=11]),
                            ..Default::default()
                        },
                        FilterAction::Pass,
                    ),
                ],
                default_action: DefaultAction::Drop,
            },
            FilterChain {
                name: "fw_in_atm".into(),
                rules: vec![
                    rule(
                        "fw_in_atm_1",
                        Selector {
                            src: Some(vec![one("198.51.100.10"), one("198.51.100.20")]),
                            protocol: protos(&[50]),
                            ..Default::default()
                        },
                        FilterAction::Pass,
                    ),
                    rule(
                        "fw_in_atm_2",
                        Selector {
                            protocol: protos(&[17]),
                            src_port: ports(&[67, 53]),
                            ..Default::default()
                        },
                        FilterAction::Pass,
                    ),
                ],
                default_action: DefaultAction::Drop,
            },
        ],
        ipsec_chains: vec![IpsecChain {
            name: "ipsec_policy_atm".into(),
            rules: vec![
                IpsecRule {
                    name: "filter_rule_bank".into(),
                    selector: Selector {
                        dst: Some(bank()),
                        ..Default::default()
                    },
                    schedule: None,
                    log: true,
                    action: IpsecRuleAction::Protect(IpsecActionId(0)),
                },
                IpsecRule {
                    name: "filter_rule_dhcp".into(),
                    selector: Selector {
                        protocol: protos(&[17]),
                        src_port: ports(&[68]),
                        dst_port: ports(&[67]),
                        ..Default::default()
                    },
                    schedule: None,
                    log: false,
                    action: IpsecRuleAction::Pass,
                },
                IpsecRule {
                    name: "filter_rule_dns".into(),
                    selector: Selector {
                        dst: Some(vec![one("192.168.1.1")]),
                        protocol: protos(&[17]),
                        dst_port: ports(&[53]),
                        ..Default::default()
                    },
                    schedule: None,
                    log: false,
                    action: IpsecRuleAction::Pass,
                },
            ],
            default_action: DefaultAction::Drop,
        }],
        ipsec_actions: vec![IpsecActionFilter {
            name: "IPsec_action_bank".into(),
            input_filter: Some(ChainId(0)),
        }],
        interfaces: vec![NetworkInterface {
            priority: 10,
            input_filter: Some(ChainId(1)),
            ipsec_policy: Some(IpsecChainId(0)),
            ..NetworkInterface::new("eth*")
        }],
        autopass: IkeAutopass {
            ports: vec![500, 4500],
            peers: vec![one("198.51.100.10"), one("198.51.100.20")],
            any_peer: false,
        },
        ..Default::default()
    }
}

#[test]
fn example_02_atm() {
    let mut e = engine(EventMask::PASS.union(EventMask::DROP));
    let eth = e.add_interface("eth0", &[ip("192.168.1.50")], &[ip("192.168.1.255")]);
    e.load_policy(example_02(), at(2025, 6, 4, 10, 0)).unwrap();
    let now = Instant::from_secs(1);
    // ids: from_bank_net 1-2, fw_in_atm 3-4, ipsec 5-7
    // 8. PROTECT toward the bank network
    assert_eq!(
        e.outbound(
            eth,
            &tcp("192.168.1.50", 40000, "172.16.4.4", 443, SYN, 1, 0, b""),
            false,
            now
        ),
        Verdict::Protect {
            action: IpsecActionId(0),
            filter: 5
        }
    );
    // 9. DNS reply: firewall PASS, IPsec policy PASS (filter_rule_dns swapped)
    let (v, trace) = e.process_traced(
        Direction::In,
        eth,
        &udp("192.168.1.1", 53, "192.168.1.50", 33333),
        false,
        now,
    );
    assert_eq!(v, Verdict::Pass(PassReason::Filtered));
    let t = trace.to_string();
    assert!(t.contains("firewall in: chain 3 (fw_in_atm)"), "{t}");
    assert!(t.contains("filter 4 fw_in_atm_2: match"), "{t}");
    assert!(
        t.contains("IPsec policy: chain 4 (ipsec_policy_atm)"),
        "{t}"
    );
    assert!(
        t.contains("filter 5 filter_rule_bank: destination address not selected"),
        "{t}"
    );
    assert!(t.contains("filter 7 filter_rule_dns: match"), "{t}");
    // 10. web from the LAN: firewall
    assert_eq!(
        e.inbound(
            eth,
            &tcp("192.168.1.77", 80, "192.168.1.50", 40000, ACK, 1, 1, b""),
            false,
            now
        ),
        Verdict::Drop(DropReason::Firewall)
    );
    // an interface that matches no template is not filtered
    let wlan = e.add_interface("wlan0", &[ip("10.9.9.9")], &[]);
    assert_eq!(
        e.inbound(
            wlan,
            &tcp("192.168.1.77", 80, "10.9.9.9", 40000, ACK, 1, 1, b""),
            false,
            now
        ),
        Verdict::Pass(PassReason::Filtered)
    );
}

// ------------------------------------------------------------------------------------------
// Example 03: firewall only, schedules, labels, stateful TCP, FTP

fn example_03() -> FilterConfig {
    let ten = || vec![r("10.0.0.0", "10.255.255.255")];
    let mut web = rule(
        "fw_out_3",
        Selector {
            protocol: protos(&[6]),
            dst_port: ports(&[80, 443]),
            ..Default::default()
        },
        FilterAction::Pass,
    );
    web.schedule = Some(ScheduleId(0));
    web.tcp_stateful = true;
    web.log = true;
    let mut ftp = rule(
        "fw_out_5",
        Selector {
            dst: Some(vec![one("10.0.5.10")]),
            protocol: protos(&[6]),
            dst_port: ports(&[21]),
            ..Default::default()
        },
        FilterAction::Pass,
    );
    ftp.label = Some("internal".into());
    ftp.schedule = Some(ScheduleId(1));
    ftp.tcp_stateful = true;
    ftp.ftp_inspection = true;
    let mut ssh = rule(
        "fw_out_6",
        Selector {
            dst: Some(vec![r("10.0.5.20", "10.0.5.29")]),
            protocol: protos(&[6]),
            dst_port: ports(&[22, 3389]),
            ..Default::default()
        },
        FilterAction::Pass,
    );
    ssh.tcp_stateful = true;
    let mut deny10 = rule(
        "fw_out_7",
        Selector {
            dst: Some(ten()),
            ..Default::default()
        },
        FilterAction::Drop,
    );
    deny10.log = true;
    let mut ssh_in = rule(
        "fw_in_3",
        Selector {
            src: Some(vec![r("10.0.9.0", "10.0.9.255")]),
            protocol: protos(&[6]),
            dst_port: ports(&[22]),
            packet_type: Some(PacketTypes::LOCAL_UNICAST),
            ..Default::default()
        },
        FilterAction::Pass,
    );
    ssh_in.tcp_stateful = true;
    ssh_in.log = true;
    let mut strange = rule(
        "fw_in_4",
        Selector {
            packet_type: Some(PacketTypes::LOCAL_MISDIRECTED.union(PacketTypes::TRANSIT)),
            ..Default::default()
        },
        FilterAction::Drop,
    );
    strange.log = true;
    FilterConfig {
        tcp: TcpSettings {
            strictness: 4,
            estab_ttl: 7200,
            open_max: 20_000,
            half_open_max: 300,
            half_open_low: 200,
            conn_rate_max: 600,
            conn_rate_low: 400,
            ..TcpSettings::default()
        },
        schedules: vec![
            Schedule {
                name: "office_hours".into(),
                days: Some(0b001_1111),
                windows: vec![
                    TimeWindow::hms(8, 0, 0, 13, 0, 0),
                    TimeWindow::hms(14, 0, 0, 19, 0, 0),
                ],
                valid_from: Date::new(2025, 1, 1),
                valid_to: Date::new(2026, 12, 31),
            },
            Schedule {
                name: "nightly_backup".into(),
                days: Some(0b111_1111),
                windows: vec![TimeWindow::hms(22, 0, 0, 6, 0, 0)],
                valid_from: None,
                valid_to: None,
            },
        ],
        chains: vec![
            FilterChain {
                name: "fw_out".into(),
                rules: vec![
                    rule(
                        "fw_out_1",
                        Selector {
                            protocol: protos(&[17]),
                            dst_port: ports(&[67, 53]),
                            ..Default::default()
                        },
                        FilterAction::Pass,
                    ),
                    rule(
                        "fw_out_2",
                        Selector {
                            dst: Some(ten()),
                            ..Default::default()
                        },
                        FilterAction::JumpTo("internal".into()),
                    ),
                    web,
                    rule(
                        "fw_out_4",
                        Selector {
                            protocol: protos(&[1]),
                            icmp_type: Some(vec![8..=8]),
                            ..Default::default()
                        },
                        FilterAction::Pass,
                    ),
                    ftp,
                    ssh,
                    deny10,
                ],
                default_action: DefaultAction::Drop,
            },
            FilterChain {
                name: "fw_in".into(),
                rules: vec![
                    rule(
                        "fw_in_1",
                        Selector {
                            protocol: protos(&[17]),
                            src_port: ports(&[67, 53]),
                            packet_type: Some(
                                PacketTypes::LOCAL_UNICAST.union(PacketTypes::LOCAL_BROADCAST),
                            ),
                            ..Default::default()
                        },
                        FilterAction::Pass,
                    ),
                    rule(
                        "fw_in_2",
                        Selector {
                            protocol: protos(&[1]),
                            icmp_type: Some(vec![0..=0, 3..=3, 11..=11]),
                            packet_type: Some(PacketTypes::LOCAL_UNICAST),
                            ..Default::default()
                        },
                        FilterAction::Pass,
                    ),
                    ssh_in,
                    strange,
                ],
                default_action: DefaultAction::Drop,
            },
        ],
        interfaces: vec![NetworkInterface {
            input_filter: Some(ChainId(1)),
            output_filter: Some(ChainId(0)),
            ..NetworkInterface::new("*")
        }],
        ..Default::default()
    }
}

const HOST: &str = "10.0.0.5";

fn ex03(at_time: UnixTime, mask: EventMask) -> (Engine, PhyId) {
    let mut e = engine(mask);
    let eth = e.add_interface("eth0", &[ip(HOST)], &[ip("10.0.0.255")]);
    e.load_policy(example_03(), at_time).unwrap();
    (e, eth)
}

fn drain(e: &mut Engine) -> Vec<String> {
    std::iter::from_fn(|| e.events().pop())
        .map(|x| x.to_string())
        .collect()
}

#[test]
fn example_03_schedules_and_web() {
    let wed_10 = at(2025, 6, 4, 10, 0);
    let now = Instant::from_secs(1000);
    let syn = tcp(HOST, 40000, "93.184.216.34", 443, SYN, 100, 0, b"");
    // 11. Wednesday 10:00: PASS, tracker record, fw_notif logged
    let (mut e, eth) = ex03(wed_10, EventMask::parse("PKT,fw_notif,fw_tcpst").unwrap());
    drain(&mut e);
    assert_eq!(
        e.outbound(eth, &syn, false, now),
        Verdict::Pass(PassReason::Filtered)
    );
    assert_eq!(e.tracker().len(), 1);
    let lines = drain(&mut e);
    assert!(
        lines.contains(&"filtration result for out packet 10.0.0.5:40000->93.184.216.34:443, proto 6, len 40, if eth0: chain 2, filter 3, event id fw_out_3, status PASS".to_string()),
        "{lines:#?}"
    );
    assert!(lines.iter().any(|l| l.starts_with("new session 0x10000000/0x10000040 (10.0.0.5 10.0.0.5:40000 40000->93.184.216.34 93.184.216.34:443 443): parent filter 3, state SYNSENT/CLOSED")), "{lines:#?}");
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
    let (mut e, eth) = ex03(at(2025, 6, 7, 10, 0), EventMask::parse("PKT").unwrap());
    assert_eq!(
        e.outbound(eth, &syn, false, now),
        Verdict::Drop(DropReason::Firewall)
    );
    // 13. Wednesday 13:30: between the two windows
    let (mut e, eth) = ex03(at(2025, 6, 4, 13, 30), EventMask::NONE);
    assert_eq!(
        e.outbound(eth, &syn, false, now),
        Verdict::Drop(DropReason::Firewall)
    );
    // the schedule turns on at 14:00 and the engine reports it
    e.events().set_mask(EventMask::FW_OBJ);
    assert_eq!(e.next_schedule_change(), Some(at(2025, 6, 4, 14, 0)));
    e.set_wall_clock(at(2025, 6, 4, 14, 0));
    assert_eq!(drain(&mut e), ["enabled filter 3 from chain 2"]);
    assert_eq!(
        e.outbound(eth, &syn, false, now),
        Verdict::Pass(PassReason::Filtered)
    );
}

#[test]
fn example_03_labels_and_jumps() {
    let now = Instant::from_secs(1000);
    let (mut e, eth) = ex03(
        at(2025, 6, 4, 10, 0),
        EventMask::parse("PKT,fw_trace").unwrap(),
    );
    drain(&mut e);
    // 14. 10.0.5.25:22 jumps to `internal`, then the 6th rule passes statefully
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
    assert!(
        t.contains("filter 5 fw_out_5: skipped, schedule inactive"),
        "{t}"
    );
    assert!(t.contains("filter 6 fw_out_6: match"), "{t}");
    assert!(
        !t.contains("filter 3 "),
        "rules between the jump and its label are not visited: {t}"
    );
    assert!(t.contains("TCP tracker: record created"), "{t}");
    let lines = drain(&mut e);
    assert!(lines.contains(&"intermediate filtration result for out packet 10.0.0.5:40010->10.0.5.25:22, proto 6, len 40, if eth0: chain 2, filter 2, event id fw_out_2, status MATCH, jump to 5".to_string()), "{lines:#?}");
    // 15. 10.0.7.1:80 jumps, then the 7th rule drops it with log
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
    assert!(
        lines.contains(
            &"dropped out packet 10.0.0.5:40011->10.0.7.1:80, proto 6, len 40, if eth0: firewall"
                .to_string()
        )
    );
}

#[test]
fn example_03_ftp_at_night() {
    let now = Instant::from_secs(1000);
    // 16. Monday 03:00 belongs to Sunday's 22:00..06:00 window
    let (mut e, eth) = ex03(
        at(2025, 6, 9, 3, 0),
        EventMask::parse("PKT,fw_tcpst").unwrap(),
    );
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
    // the server's active-mode data connection is admitted although fw_in would drop it
    let data = tcp(srv, 20, HOST, 200 * 256 + 10, SYN, 5, 0, b"");
    assert_eq!(
        e.inbound(eth, &data, false, now),
        Verdict::Pass(PassReason::Filtered)
    );
    // PASV: the client opens the data connection
    let pasv = b"227 Entering Passive Mode (10,0,5,10,156,64)\r\n";
    assert_eq!(
        e.inbound(eth, &sv(ACK | 0x08, 924, 123, pasv), false, now),
        Verdict::Pass(PassReason::Filtered)
    );
    let pdata = tcp(HOST, 41000, srv, 156 * 256 + 64, SYN, 5, 0, b"");
    assert_eq!(
        e.outbound(eth, &pdata, false, now),
        Verdict::Pass(PassReason::Filtered)
    );
    assert_eq!(e.tracker().len(), 3);
    // in daytime the FTP rule is off: the 7th rule drops it
    let (mut e, eth) = ex03(at(2025, 6, 9, 12, 0), EventMask::NONE);
    assert_eq!(
        e.outbound(eth, &c(SYN, 100, 0, b""), false, now),
        Verdict::Drop(DropReason::Firewall)
    );
}

#[test]
fn example_03_inbound() {
    let now = Instant::from_secs(1000);
    let (mut e, eth) = ex03(
        at(2025, 6, 4, 10, 0),
        EventMask::parse("PKT,fw_tcpst,fw_notif").unwrap(),
    );
    drain(&mut e);
    // 17. SSH from the admin network: tracked, opened from the unprotected side
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
    let info = e.tracker().info(id, now).unwrap();
    assert!(info.reverse, "Reverse connection: yes");
    assert_eq!(info.tuple.a, ip(HOST));
    // 19. an ACK of an unknown connection: strictness 4 creates no state; the chain drops
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
    assert!(lines.contains(&"not a SYN packet, won't create state for session 10.0.0.5:22->10.0.9.8:50001, parent filter 10: TCP flags 0x10".to_string()), "{lines:#?}");
    assert_eq!(
        e.inbound(
            eth,
            &tcp("93.184.216.34", 443, HOST, 40000, ACK, 1, 1, b""),
            false,
            now
        ),
        Verdict::Drop(DropReason::Firewall)
    );
    // 20. transit traffic is dropped with log
    let transit = tcp("10.0.1.1", 1234, "10.0.2.2", 80, SYN, 1, 0, b"");
    assert_eq!(
        e.inbound(eth, &transit, true, now),
        Verdict::Drop(DropReason::Firewall)
    );
    let lines = drain(&mut e);
    assert!(lines.contains(&"filtration result for in packet 10.0.1.1:1234->10.0.2.2:80, proto 6, len 40, if eth0: chain 3, filter 11, event id fw_in_4, status DROP".to_string()), "{lines:#?}");
    // misdirected unicast likewise
    assert_eq!(
        e.inbound(eth, &transit, false, now),
        Verdict::Drop(DropReason::Firewall)
    );
}

// ------------------------------------------------------------------------------------------
// Example 04: the gateway

fn example_04() -> FilterConfig {
    FilterConfig {
        chains: vec![FilterChain {
            name: "fw_in_ext".into(),
            rules: vec![
                rule(
                    "fw_in_ext_1",
                    Selector {
                        dst: Some(vec![one("203.0.113.1")]),
                        protocol: protos(&[50]),
                        ..Default::default()
                    },
                    FilterAction::Pass,
                ),
                rule(
                    "fw_in_ext_2",
                    Selector {
                        dst: Some(vec![one("203.0.113.1")]),
                        protocol: protos(&[1]),
                        icmp_type: Some(vec![3..=3, 8..=8, 11..=11]),
                        ..Default::default()
                    },
                    FilterAction::Pass,
                ),
            ],
            default_action: DefaultAction::Drop,
        }],
        ipsec_chains: vec![IpsecChain {
            name: "ipsec_policy_ext".into(),
            rules: vec![
                IpsecRule {
                    name: "filter_rule_clients".into(),
                    selector: Selector {
                        src: Some(vec![r("10.10.0.0", "10.10.255.255")]),
                        dst: Some(vec![r("10.10.200.10", "10.10.200.250")]),
                        ..Default::default()
                    },
                    schedule: None,
                    log: false,
                    action: IpsecRuleAction::Protect(IpsecActionId(0)),
                },
                IpsecRule {
                    name: "filter_rule_icmp_local".into(),
                    selector: Selector {
                        src: Some(vec![one("203.0.113.1")]),
                        protocol: protos(&[1]),
                        ..Default::default()
                    },
                    schedule: None,
                    log: false,
                    action: IpsecRuleAction::Pass,
                },
            ],
            default_action: DefaultAction::Drop,
        }],
        ipsec_actions: vec![IpsecActionFilter {
            name: "IPsec_action_clients".into(),
            input_filter: None,
        }],
        interfaces: vec![NetworkInterface {
            priority: 10,
            input_filter: Some(ChainId(0)),
            ipsec_policy: Some(IpsecChainId(0)),
            ..NetworkInterface::new("eth0")
        }],
        autopass: IkeAutopass {
            ports: vec![500, 4500],
            peers: vec![],
            any_peer: true,
        },
        ..Default::default()
    }
}

#[test]
fn example_04_gateway() {
    let mut e = engine(EventMask::PASS.union(EventMask::DROP));
    let eth = e.add_interface("eth0", &[ip("203.0.113.1")], &[]);
    e.load_policy(example_04(), at(2025, 6, 4, 10, 0)).unwrap();
    let now = Instant::from_secs(1);
    // ids: fw_in_ext 1-2, filter_rule_clients 3, filter_rule_icmp_local 4
    // 21. ESP to the gateway: firewall PASS, decapsulate, inner checked against the clients rule
    assert_eq!(
        e.inbound(
            eth,
            &raw("198.18.0.7", "203.0.113.1", 50, &[0, 0, 1, 0, 0, 0, 0, 1]),
            false,
            now
        ),
        Verdict::Decapsulate
    );
    let inner = tcp("10.10.200.10", 40000, "10.10.1.5", 443, SYN, 1, 0, b"");
    assert_eq!(
        e.inbound_decapsulated(eth, &inner, IpsecActionId(0), 3, now),
        Verdict::Pass(PassReason::Decapsulated)
    );
    // an SA of another rule does not fit
    assert_eq!(
        e.inbound_decapsulated(eth, &inner, IpsecActionId(0), 4, now),
        Verdict::Drop(DropReason::IpsecSaMismatch { filter: 4 })
    );
    // 22. ping to the gateway: firewall PASS, IPsec policy PASS (icmp_local, swapped)
    assert_eq!(
        e.inbound(eth, &icmp_echo("198.18.0.7", "203.0.113.1"), false, now),
        Verdict::Pass(PassReason::Filtered)
    );
    // 23. forwarded toward a client: the clients rule says PROTECT; with FallbackAction = DROP
    //     and no SA the agent drops it as `filter 3: SA bundle not found`
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
        e.outbound(eth, &fwd, true, now),
        Verdict::Protect {
            action: IpsecActionId(0),
            filter: 3
        }
    );
    assert_eq!(
        DropReason::SaBundleNotFound { filter: 3 }.to_string(),
        "filter 3: SA bundle not found"
    );
    // IKE from any client is autopassed
    assert_eq!(
        e.inbound(eth, &udp("198.18.0.7", 500, "203.0.113.1", 500), false, now),
        Verdict::Ike
    );
}
