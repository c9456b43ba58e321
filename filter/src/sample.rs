//! A small fixed policy that uses every feature of the engine — labels and jumps, stateful
//! TCP with FTP inspection, port and ICMP selectors (so fragments are reassembled), packet
//! types, a schedule, a symmetric IPsec chain with PROTECT/PASS/DROP, an SA input filter and
//! IKE autopass. The fuzz target, the `no_std` link check and the docs use it.

use alloc::vec;
use core::net::Ipv4Addr;

use crate::config::*;
use crate::schedule::{Schedule, TimeWindow};
use crate::selector::{PacketTypes, Selector};

fn net(a: [u8; 4], b: [u8; 4]) -> core::ops::RangeInclusive<Ipv4Addr> {
    Ipv4Addr::from(a)..=Ipv4Addr::from(b)
}

/// The sample policy: interface `*` with firewall chains `out`/`in` and IPsec chain `ipsec`.
pub fn sample_policy() -> FilterConfig {
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
    web.log = true;
    web.schedule = Some(ScheduleId(0));
    let mut jump = FilterRule::new(
        "to_internal",
        Selector {
            dst: Some(vec![net([10, 0, 0, 0], [10, 255, 255, 255])]),
            ..Default::default()
        },
        FilterAction::JumpTo("internal".into()),
    );
    jump.log = true;
    let mut ftp = FilterRule::new(
        "ftp",
        Selector {
            protocol: Some(vec![6..=6]),
            dst_port: Some(vec![21..=21]),
            ..Default::default()
        },
        FilterAction::Pass,
    );
    ftp.label = Some("internal".into());
    ftp.tcp_stateful = true;
    ftp.ftp_inspection = true;
    let ping = FilterRule::new(
        "ping",
        Selector {
            protocol: Some(vec![1..=1]),
            icmp_type: Some(vec![0..=0, 8..=8]),
            ..Default::default()
        },
        FilterAction::Pass,
    );
    let mut ssh_in = FilterRule::new(
        "ssh_in",
        Selector {
            src: Some(vec![net([10, 0, 9, 0], [10, 0, 9, 255])]),
            protocol: Some(vec![6..=6]),
            dst_port: Some(vec![22..=22]),
            packet_type: Some(PacketTypes::LOCAL_UNICAST),
            ..Default::default()
        },
        FilterAction::Pass,
    );
    ssh_in.tcp_stateful = true;
    let esp = FilterRule::new(
        "esp",
        Selector {
            protocol: Some(vec![50..=51]),
            ..Default::default()
        },
        FilterAction::Pass,
    );
    let mut strange = FilterRule::new(
        "strange",
        Selector {
            packet_type: Some(PacketTypes::LOCAL_MISDIRECTED.union(PacketTypes::TRANSIT)),
            ..Default::default()
        },
        FilterAction::Drop,
    );
    strange.log = true;
    let rule = |name: &str, selector: Selector, action| IpsecRule {
        name: name.into(),
        selector,
        schedule: None,
        log: true,
        action,
    };
    FilterConfig {
        tcp: TcpSettings {
            strictness: 4,
            open_max: 4096,
            half_open_max: 64,
            half_open_low: 32,
            ..TcpSettings::default()
        },
        allow_nested_ipsec: false,
        schedules: vec![Schedule {
            name: "office".into(),
            days: Some(0b001_1111),
            windows: vec![
                TimeWindow::hms(8, 0, 0, 19, 0, 0),
                TimeWindow::hms(22, 0, 0, 6, 0, 0),
            ],
            valid_from: None,
            valid_to: None,
        }],
        chains: vec![
            FilterChain {
                name: "out".into(),
                rules: vec![jump, web, ping, ftp],
                default_action: DefaultAction::Drop,
            },
            FilterChain {
                name: "in".into(),
                rules: vec![ssh_in, esp, ping_in(), strange],
                default_action: DefaultAction::Drop,
            },
            FilterChain {
                name: "tunnel_in".into(),
                rules: vec![FilterRule::new(
                    "tunnel",
                    Selector {
                        protocol: Some(vec![1..=1, 6..=6, 17..=17]),
                        ..Default::default()
                    },
                    FilterAction::Pass,
                )],
                default_action: DefaultAction::Drop,
            },
        ],
        ipsec_chains: vec![IpsecChain {
            name: "ipsec".into(),
            rules: vec![
                rule(
                    "protect",
                    Selector {
                        dst: Some(vec![net([172, 16, 0, 0], [172, 16, 255, 255])]),
                        ..Default::default()
                    },
                    IpsecRuleAction::Protect(IpsecActionId(0)),
                ),
                rule(
                    "dhcp",
                    Selector {
                        protocol: Some(vec![17..=17]),
                        src_port: Some(vec![68..=68]),
                        dst_port: Some(vec![67..=67]),
                        ..Default::default()
                    },
                    IpsecRuleAction::Pass,
                ),
                rule(
                    "deny",
                    Selector {
                        dst: Some(vec![net([192, 168, 0, 0], [192, 168, 255, 255])]),
                        ..Default::default()
                    },
                    IpsecRuleAction::Drop,
                ),
            ],
            default_action: DefaultAction::Pass,
        }],
        ipsec_actions: vec![
            IpsecActionFilter {
                name: "action".into(),
                input_filter: Some(ChainId(2)),
            },
            IpsecActionFilter {
                name: "plain".into(),
                input_filter: None,
            },
        ],
        interfaces: vec![NetworkInterface {
            input_filter: Some(ChainId(1)),
            output_filter: Some(ChainId(0)),
            ipsec_policy: Some(IpsecChainId(0)),
            ..NetworkInterface::new("*")
        }],
        autopass: IkeAutopass {
            ports: vec![500, 4500],
            peers: vec![net([203, 0, 113, 1], [203, 0, 113, 1])],
            any_peer: false,
        },
    }
}

fn ping_in() -> FilterRule {
    FilterRule::new(
        "ping_in",
        Selector {
            protocol: Some(vec![1..=1]),
            icmp_type: Some(vec![0..=0, 3..=3, 11..=11]),
            icmp_code: Some(vec![0..=4]),
            ..Default::default()
        },
        FilterAction::Pass,
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn sample_policy_is_valid() {
        let c = super::sample_policy();
        assert_eq!(c.validate(), Ok(()));
    }
}
