//! The compiled policies of the spec examples (lsp.md §10): what each structure compiles to,
//! and the §10.1 verdicts that depend only on the policy data (chain order, selectors, jumps,
//! schedules, interface binding), evaluated by a minimal first-match walker written here from
//! §7.3/§7.4 — a second reading of the semantics, independent of the compiler.

use std::net::Ipv4Addr;
use std::path::PathBuf;

use zubr_lsp::policy::*;
use zubr_lsp::time::{Date, Time};
use zubr_lsp::{Options, check};

fn policy(name: &str) -> Policy {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/spec/lsp-examples")
        .join(name);
    let src = std::fs::read(&path).expect("read");
    check(&src, &Options::default()).compile().expect("compile")
}

#[derive(Clone, Copy)]
struct Pkt {
    src: Ipv4Addr,
    dst: Ipv4Addr,
    proto: u8,
    sport: u16,
    dport: u16,
    icmp_type: u8,
    class: u8,
}

fn pkt(src: [u8; 4], dst: [u8; 4], proto: u8, sport: u16, dport: u16) -> Pkt {
    Pkt {
        src: src.into(),
        dst: dst.into(),
        proto,
        sport,
        dport,
        icmp_type: 0,
        class: PacketTypes::LOCAL_UNICAST,
    }
}

fn any_or<T>(list: &[T], f: impl Fn(&T) -> bool) -> bool {
    list.is_empty() || list.iter().any(f)
}

fn matches(s: &Selector, p: &Pkt) -> bool {
    let ports = p.proto == 6 || p.proto == 17;
    any_or(&s.source, |r| r.contains(p.src))
        && any_or(&s.destination, |r| r.contains(p.dst))
        && any_or(&s.protocols, |r| r.contains(p.proto))
        && (s.source_ports.is_empty()
            || ports && s.source_ports.iter().any(|r| r.contains(p.sport)))
        && (s.destination_ports.is_empty()
            || ports && s.destination_ports.iter().any(|r| r.contains(p.dport)))
        && (s.icmp_types.is_empty()
            || p.proto == 1 && s.icmp_types.iter().any(|r| r.contains(p.icmp_type)))
        && s.packet_types.matches(p.class)
}

/// §7.3: first match, schedules skip, jumps continue; returns (verdict, rule index).
fn firewall(
    pol: &Policy,
    c: &FirewallChain,
    p: &Pkt,
    when: (Date, Time),
) -> (Verdict, Option<usize>) {
    let mut i = 0;
    while i < c.rules.len() {
        let r = &c.rules[i];
        let active = r
            .schedule
            .is_none_or(|s| pol.schedules[s.index()].is_active(when.0, when.1));
        if active && matches(&r.selector, p) {
            match r.action {
                FirewallAction::Pass => return (Verdict::Pass, Some(i)),
                FirewallAction::Drop => return (Verdict::Drop, Some(i)),
                FirewallAction::Jump(j) => {
                    assert!(j > i);
                    i = j;
                    continue;
                }
            }
        }
        i += 1;
    }
    (c.default_action, None)
}

/// §7.4: symmetric chain; inbound packets are matched with source and destination swapped.
fn ipsec<'a>(c: &'a IpsecChain, p: &Pkt, inbound: bool) -> Result<&'a IpsecRule, Verdict> {
    let mut q = *p;
    if inbound {
        std::mem::swap(&mut q.src, &mut q.dst);
        std::mem::swap(&mut q.sport, &mut q.dport);
    }
    c.rules
        .iter()
        .find(|r| matches(&r.selector, &q))
        .ok_or(c.default_action)
}

fn wed(h: u32, m: u32) -> (Date, Time) {
    (Date::new(2025, 1, 1).unwrap(), Time::new(h, m, 0).unwrap())
}

#[test]
fn example_01_client() {
    let p = policy("01-psk-gost-client.lsp");
    assert_eq!(p.global.crl_mode, CrlMode::Disable);
    assert_eq!(p.ike.natt_port, 4500);
    assert_eq!(p.ike.fragment_size, 576);
    let rule = &p.ike_rules[0];
    assert_eq!(rule.name, "ike_rule_01");
    assert_eq!(
        rule.peers,
        [PeerSpec::Range(IpRange {
            first: [203, 0, 113, 1].into(),
            last: [203, 0, 113, 1].into()
        })]
    );
    assert!(rule.request_address && rule.do_autopass);
    assert_eq!(
        rule.dpd,
        Dpd {
            interval: 30,
            retry_interval: 5,
            retries: 3
        }
    );
    let t = &p.ike_transforms[rule.transforms[0].index()];
    assert_eq!(
        t.combinations().collect::<Vec<_>>(),
        [(
            "G2814789CPRO1-K256-CBC-65534",
            "GR341194CPRO1-65534",
            "MODP_1536"
        )]
    );
    let auth = &p.auth_methods[rule.main_mode_auth[0].index()];
    assert_eq!(
        auth.kind,
        AuthKind::Preshared {
            secret_name: "gw1_psk".into()
        }
    );
    assert_eq!(
        p.identities[auth.local_id.unwrap().index()].kind,
        IdentityKind::Default
    );
    let act = &p.ipsec_actions[0];
    assert_eq!(act.name, "IPsec_action_01");
    assert_eq!(act.ike_rule, Some(IkeRuleId(0)));
    assert_eq!(
        act.tunnels[0].peer,
        Some(PeerAddr::Ip([203, 0, 113, 1].into()))
    );
    assert_eq!(
        (act.fallback, act.packet_queue_size, act.bundle_requests_max),
        (Fallback::Negotiate, 8, 8)
    );
    let prop = &p.proposals[act.proposals[0].esp.unwrap().index()];
    let names: Vec<_> = prop
        .transforms
        .iter()
        .map(|t| p.esp_transforms[t.index()].integrity.clone().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "GR341194CPRO1-H96-HMAC-65534",
            "G2814789CPRO1-K256-MAC-65535"
        ]
    );

    // §10.1 rows for example 01 (client 192.0.2.50, Mode Config address 10.10.200.10)
    let iface = p.interface_for("eth0").expect("LogicalName *");
    let chain = &p.ipsec_chains[iface.ipsec_policy.unwrap().index()];
    let dhcp = pkt([192, 0, 2, 50], [255, 255, 255, 255], 17, 68, 67);
    assert_eq!(
        ipsec(chain, &dhcp, false).unwrap().name.as_deref(),
        Some("filter_rule_00_01")
    );
    let dhcp_in = pkt([192, 0, 2, 1], [192, 0, 2, 50], 17, 67, 68);
    assert_eq!(
        ipsec(chain, &dhcp_in, true).unwrap().name.as_deref(),
        Some("filter_rule_00_01")
    );
    let web = pkt([10, 10, 200, 10], [10, 10, 1, 5], 6, 40000, 443);
    let r = ipsec(chain, &web, false).unwrap();
    assert_eq!(r.action, IpsecRuleAction::Protect(IpsecActionId(0)));
    let out = pkt([192, 0, 2, 50], [8, 8, 8, 8], 6, 40001, 443);
    assert_eq!(ipsec(chain, &out, false).unwrap_err(), Verdict::Drop);
    // inner GRE from the tunnel fails the SA input filter (`tunnel_in` allows 1, 6, 17)
    let sa_filter = &p.firewall_chains[act.input_filter.unwrap().index()];
    let gre = pkt([10, 10, 1, 5], [10, 10, 200, 10], 47, 0, 0);
    assert_eq!(firewall(&p, sa_filter, &gre, wed(10, 0)).0, Verdict::Drop);
    let tcp = pkt([10, 10, 1, 5], [10, 10, 200, 10], 6, 443, 40000);
    assert_eq!(firewall(&p, sa_filter, &tcp, wed(10, 0)).0, Verdict::Pass);
}

#[test]
fn example_02_certificates() {
    let p = policy("02-cert-aes-sha-client.lsp");
    assert!(p.global.preserve_ipsec_sa);
    assert_eq!(p.ldap.response_timeout, 30);
    let AuthKind::Signature {
        local_credential,
        remote_credentials,
        send_cert,
        ..
    } = &p.auth_methods[0].kind
    else {
        panic!("signature auth expected")
    };
    assert_eq!(
        p.cert_descriptions[local_credential.index()].subject,
        ["C=BY,O=Example Bank,OU=ATM,CN=atm-0042"]
    );
    assert_eq!(remote_credentials.len(), 1);
    assert_eq!(*send_cert, SendMode::Always);
    let act = &p.ipsec_actions[0];
    assert_eq!(act.pfs_group.as_deref(), Some("MODP_1536"));
    // ESP(AES-256/SHA1, AES-128/SHA1) first, then AH(SHA1)+ESP(AES-256)
    assert!(act.proposals[0].ah.is_none());
    let pair = act.proposals[1];
    assert_eq!(p.proposals[pair.ah.unwrap().index()].protocol, Protocol::Ah);
    let enc = &p.proposals[pair.esp.unwrap().index()];
    assert_eq!(p.esp_transforms[enc.transforms[0].index()].integrity, None);
    // two gateways in priority order
    let peers: Vec<_> = act
        .tunnels
        .iter()
        .map(|t| t.peer.clone().unwrap())
        .collect();
    assert_eq!(
        peers,
        [
            PeerAddr::Ip([198, 51, 100, 10].into()),
            PeerAddr::Ip([198, 51, 100, 20].into())
        ]
    );
    assert!(act.tunnels.iter().all(|t| t.df == DfHandling::Clear));
    // §10.1: DNS from 192.168.1.1 passes the firewall and the IPsec policy; web from the LAN is dropped
    let iface = p.interface_for("eth1").unwrap();
    assert!(p.interface_for("wlan0").is_none());
    let fw = &p.firewall_chains[iface.input_filter.unwrap().index()];
    assert_eq!(fw.name, "fw_in_atm");
    let dns = pkt([192, 168, 1, 1], [192, 168, 1, 50], 17, 53, 33333);
    assert_eq!(firewall(&p, fw, &dns, wed(10, 0)).0, Verdict::Pass);
    let chain = &p.ipsec_chains[iface.ipsec_policy.unwrap().index()];
    assert_eq!(
        ipsec(chain, &dns, true).unwrap().name.as_deref(),
        Some("filter_rule_dns")
    );
    let http = pkt([192, 168, 1, 77], [192, 168, 1, 50], 6, 80, 40000);
    assert_eq!(firewall(&p, fw, &http, wed(10, 0)), (Verdict::Drop, None));
    assert!(chain.rules[0].log);
}

#[test]
fn example_03_firewall() {
    let p = policy("03-firewall-schedule-stateful.lsp");
    assert_eq!(p.global.tcp.strictness, 4);
    assert_eq!(
        (p.global.tcp.half_open_max, p.global.tcp.half_open_low),
        (300, 200)
    );
    assert_eq!(p.global.tcp.established_ttl, 7200);
    let iface = p.interface_for("eth0").unwrap();
    let out = &p.firewall_chains[iface.output_filter.unwrap().index()];
    let inn = &p.firewall_chains[iface.input_filter.unwrap().index()];
    assert_eq!(out.rules[1].action, FirewallAction::Jump(4));
    assert_eq!(out.rules[4].label.as_deref(), Some("internal"));

    let syn443 = pkt([192, 168, 0, 2], [93, 184, 216, 34], 6, 50000, 443);
    // Wednesday 10:00: PASS by the stateful, logged web rule (3rd)
    assert_eq!(
        firewall(&p, out, &syn443, wed(10, 0)),
        (Verdict::Pass, Some(2))
    );
    assert!(out.rules[2].tcp_stateful && out.rules[2].log);
    // Saturday 10:00 and Wednesday 13:30: schedule inactive, chain default DROP
    let sat = (Date::new(2025, 1, 4).unwrap(), Time::new(10, 0, 0).unwrap());
    assert_eq!(firewall(&p, out, &syn443, sat), (Verdict::Drop, None));
    assert_eq!(
        firewall(&p, out, &syn443, wed(13, 30)),
        (Verdict::Drop, None)
    );
    // jump to `internal`, then the 6th rule passes SSH; the 7th drops with log
    let ssh = pkt([192, 168, 0, 2], [10, 0, 5, 25], 6, 50001, 22);
    assert_eq!(
        firewall(&p, out, &ssh, wed(10, 0)),
        (Verdict::Pass, Some(5))
    );
    let http = pkt([192, 168, 0, 2], [10, 0, 7, 1], 6, 50002, 80);
    assert_eq!(
        firewall(&p, out, &http, wed(10, 0)),
        (Verdict::Drop, Some(6))
    );
    assert!(out.rules[6].log);
    // FTP on Monday 03:00 is inside Sunday's 22:00..06:00 window
    let ftp = pkt([192, 168, 0, 2], [10, 0, 5, 10], 6, 50003, 21);
    let mon3 = (Date::new(2025, 1, 6).unwrap(), Time::new(3, 0, 0).unwrap());
    assert_eq!(firewall(&p, out, &ftp, mon3), (Verdict::Pass, Some(4)));
    assert!(out.rules[4].ftp_inspection);
    // inbound SSH from 10.0.9.7 opens a stateful session; TRANSIT is dropped with log
    let in_ssh = pkt([10, 0, 9, 7], [192, 168, 0, 2], 6, 40000, 22);
    assert_eq!(
        firewall(&p, inn, &in_ssh, wed(10, 0)),
        (Verdict::Pass, Some(2))
    );
    let mut transit = pkt([1, 2, 3, 4], [5, 6, 7, 8], 6, 1, 2);
    transit.class = PacketTypes::TRANSIT;
    assert_eq!(
        firewall(&p, inn, &transit, wed(10, 0)),
        (Verdict::Drop, Some(3))
    );
    // the schedules themselves
    let office = &p.schedules[0];
    assert_eq!(office.name, "office_hours");
    assert_eq!(office.days, 0b0011111);
    assert!(!office.is_active(
        Date::new(2024, 12, 31).unwrap(),
        Time::new(10, 0, 0).unwrap()
    ));
    assert!(office.is_active(Date::new(2025, 1, 1).unwrap(), Time::new(8, 0, 0).unwrap()));
    assert!(!office.is_active(Date::new(2025, 1, 1).unwrap(), Time::new(13, 0, 0).unwrap()));
}

#[test]
fn example_04_gateway() {
    let p = policy("04-psk-gost-gateway.lsp");
    let rule = &p.ike_rules[0];
    assert!(rule.peers.is_empty(), "responder for any peer");
    let pool = &p.address_pools[rule.address_pool.unwrap().index()];
    assert_eq!(pool.subnet_mask, Some([255, 255, 255, 0].into()));
    assert_eq!(pool.dns_servers, [Ipv4Addr::new(10, 10, 0, 53)]);
    let act = &p.ipsec_actions[0];
    assert_eq!(act.fallback, Fallback::Drop);
    assert_eq!(act.tunnels[0].peer, None);
    assert!(act.is_tunnel());
    let iface = p.interface_for("eth0").unwrap();
    assert!(p.interface_for("eth1").is_none());
    let fw = &p.firewall_chains[iface.input_filter.unwrap().index()];
    let esp = pkt([198, 51, 100, 9], [203, 0, 113, 1], 50, 0, 0);
    assert_eq!(firewall(&p, fw, &esp, wed(10, 0)).0, Verdict::Pass);
    let mut echo = pkt([198, 51, 100, 9], [203, 0, 113, 1], 1, 0, 0);
    echo.icmp_type = 8;
    assert_eq!(firewall(&p, fw, &echo, wed(10, 0)).0, Verdict::Pass);
    let chain = &p.ipsec_chains[iface.ipsec_policy.unwrap().index()];
    assert_eq!(
        ipsec(chain, &echo, true).unwrap().name.as_deref(),
        Some("filter_rule_icmp_local")
    );
    let fwd = pkt([10, 10, 1, 5], [10, 10, 200, 10], 6, 443, 40000);
    assert_eq!(
        ipsec(chain, &fwd, false).unwrap().name.as_deref(),
        Some("filter_rule_clients")
    );
}

#[test]
fn defaults_apply_when_structures_are_absent() {
    let p = check(b"NetworkInterface ( )", &Options::default())
        .compile()
        .unwrap();
    assert_eq!(p.global.version, LspVersion::V4_0);
    assert_eq!(p.global.crl_mode, CrlMode::BestEffort);
    assert_eq!(p.global.tcp.strictness, 3);
    assert_eq!(p.global.tcp.sessions_max, 65536);
    assert_eq!(p.ike.default_port, 500);
    assert_eq!(p.ike.session_time_max, 60);
    assert_eq!(p.ike.initiator_sessions_max, 30);
    assert_eq!(p.ike.blacklog, Blacklog::default());
    assert_eq!(p.ldap.response_timeout, 200);
    assert_eq!(p.interfaces[0].logical_name, "*");
    assert_eq!(p.interfaces[0].input_filter, None);
}
