//! Every structure and attribute of the schema table (lsp.md §5) is accepted, type-checked and
//! compiled. `golden/all_attributes.lsp` writes every one of them; this test proves that from the
//! table itself (so a new table row without a use fails here), then damages each attribute's
//! value with a value of the wrong kind and expects an error at exactly that value.

use std::path::PathBuf;

use zubr_lsp::policy::*;
use zubr_lsp::schema::{STRUCTURES, Ty};
use zubr_lsp::{LineIndex, Options, check, codes};

fn source() -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/all_attributes.lsp");
    std::fs::read_to_string(p).expect("read")
}

#[test]
fn every_structure_and_attribute_is_written_and_accepted() {
    let src = source();
    let c = check(src.as_bytes(), &Options::default());
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    let doc = c.doc.unwrap();
    let mut missing = Vec::new();
    for def in STRUCTURES {
        let instances: Vec<_> = doc
            .structs
            .iter()
            .filter(|s| s.def.is_some_and(|d| d.name == def.name))
            .collect();
        if instances.is_empty() {
            missing.push(def.name.to_string());
            continue;
        }
        for a in def.attrs {
            if def.alias_of.is_some() {
                continue; // aliases share the attribute table of AuthMethodDSSign
            }
            if !instances.iter().any(|s| s.get(a.name).is_some()) {
                missing.push(format!("{}.{}", def.name, a.name));
            }
        }
    }
    assert!(missing.is_empty(), "not covered: {missing:?}");
}

/// A token of a kind the attribute's type rejects.
fn wrong_value(ty: Ty) -> &'static str {
    match ty {
        Ty::Str | Ty::HexStr | Ty::Alg(_) | Ty::PeerAddr | Ty::PeerSpec => "12345",
        Ty::UInt(..) | Ty::IntRange(..) | Ty::Ip | Ty::NetMask | Ty::IpRange => "\"x\"",
        Ty::Date | Ty::TimeRange => "\"x\"",
        Ty::Bool
        | Ty::Enum(_)
        | Ty::EnumOrStr(_)
        | Ty::Label
        | Ty::Group(_)
        | Ty::Ref(_)
        | Ty::Chain(_)
        | Ty::Proposal => "7",
    }
}

#[test]
fn every_attribute_is_type_checked() {
    let src = source();
    let c = check(src.as_bytes(), &Options::default());
    let doc = c.doc.unwrap();
    let mut checked = 0;
    for s in &doc.structs {
        for a in &s.attrs {
            let def = a.def.expect("known attribute");
            let span = a.spans[0];
            let mut broken = src.clone();
            broken.replace_range(span.start as usize..span.end as usize, wrong_value(def.ty));
            let c2 = check(broken.as_bytes(), &Options::default());
            let hit = c2.errors().find(|d| d.span.start == span.start);
            let Some(d) = hit else {
                let (l, col) = LineIndex::new(src.as_bytes()).line_col(span.start);
                panic!(
                    "{}.{} at {l}:{col}: no error at the damaged value: {:?}",
                    s.type_name, a.name, c2.diagnostics
                );
            };
            assert!(
                [
                    codes::TYPE_MISMATCH,
                    codes::OUT_OF_RANGE,
                    codes::NOT_IN_ENUM
                ]
                .contains(&d.code),
                "{}.{}: {d:?}",
                s.type_name,
                a.name
            );
            checked += 1;
        }
    }
    assert!(checked > 150, "{checked}");
}

#[test]
fn every_attribute_is_compiled() {
    let src = source();
    let p = check(src.as_bytes(), &Options::default())
        .compile()
        .unwrap();
    // GlobalParameters
    assert_eq!(p.global.title, "every structure and attribute of lsp.md §5");
    assert_eq!(p.global.version, LspVersion::V4_2);
    assert_eq!(p.global.crl_mode, CrlMode::Optional);
    assert!(p.global.preserve_ipsec_sa && p.global.allow_nested_ipsec);
    assert_eq!(
        p.global.tcp,
        TcpSettings {
            strictness: 5,
            closed_ttl: 6,
            syn_sent_ttl: 31,
            syn_rcvd_ttl: 61,
            established_ttl: 3601,
            fin_ttl: 32,
            sessions_max: 1000,
            half_open_max: 100,
            half_open_low: 50,
            conn_rate_max: 200,
            conn_rate_low: 150,
        }
    );
    // LDAPSettings, IKEParameters
    assert_eq!(
        p.ldap,
        LdapSettings {
            response_timeout: 10,
            hold_connect_timeout: 20,
            drop_connect_timeout: 3
        }
    );
    assert_eq!(
        p.ike,
        IkeParameters {
            default_port: 501,
            send_retries: 3,
            retry_time_base: 2,
            retry_time_max: 20,
            session_time_max: 90,
            fragment_size: 1200,
            natt_port: 4501,
            nat_keepalive_interval: 15,
            initiator_sessions_max: 11,
            responder_sessions_max: 12,
            blacklog: Blacklog {
                sessions_max: Some(100),
                sessions_min: Some(10),
                silent_sessions: Some(5),
                relax_time: Some(60),
                min_delay: Some(1),
                max_delay: Some(9),
            },
        }
    );
    // CertDescription, IdentityEntry
    assert_eq!(
        p.cert_descriptions[0],
        CertDescription {
            name: Some("cert_local".into()),
            subject: vec!["C=BY,O=Org,CN=host".into()],
            issuer: vec!["C=BY,O=Org,CN=CA".into()],
            serial_number: vec!["01AF".into()],
        }
    );
    let kinds: Vec<_> = p.identities.iter().map(|i| i.kind.clone()).collect();
    assert_eq!(
        kinds,
        [
            IdentityKind::Ipv4(vec![
                IpRange {
                    first: [192, 0, 2, 1].into(),
                    last: [192, 0, 2, 1].into()
                },
                IpRange {
                    first: [192, 0, 2, 8].into(),
                    last: [192, 0, 2, 15].into()
                },
            ]),
            IdentityKind::Fqdn(vec!["host.example.org".into()]),
            IdentityKind::UserFqdn(vec!["user@example.org".into()]),
            IdentityKind::SubjectDn(vec!["C=BY,O=Org,CN=*".into()]),
            IdentityKind::KeyId(vec!["0A0B0C".into()]),
        ]
    );
    // AuthMethod*
    let psk = &p.auth_methods[0];
    assert_eq!(
        psk.kind,
        AuthKind::Preshared {
            secret_name: "psk_name".into()
        }
    );
    assert_eq!(
        (psk.local_id, psk.remote_id),
        (Some(IdentityId(0)), Some(IdentityId(1)))
    );
    assert_eq!(
        p.auth_methods[1].kind,
        AuthKind::Signature {
            type_name: "AuthMethodDSSign".into(),
            local_credential: CertDescId(0),
            remote_credentials: vec![CertDescId(0)],
            send_cert: SendMode::Always,
            send_request: SendMode::Auto,
        }
    );
    assert!(
        matches!(&p.auth_methods[2].kind, AuthKind::Signature { type_name, send_cert: SendMode::Auto, send_request: SendMode::Always, .. } if type_name == "AuthMethodGOSTSign")
    );
    assert!(
        matches!(&p.auth_methods[3].kind, AuthKind::Signature { type_name, .. } if type_name == "AuthMethodRSASign")
    );
    // IKETransform, IKETC26Transform
    let t = &p.ike_transforms[0];
    assert_eq!(t.combinations().count(), 8);
    assert_eq!(
        (t.lifetime_seconds, t.lifetime_kilobytes, t.tc26),
        (3600, 100000, false)
    );
    assert!(p.ike_transforms[1].tc26);
    // IKECFGAddressPool
    assert_eq!(
        p.address_pools[0],
        AddressPool {
            name: "pool".into(),
            addresses: vec![IpRange {
                first: [10, 20, 0, 10].into(),
                last: [10, 20, 0, 99].into()
            }],
            subnet_mask: Some([255, 255, 255, 0].into()),
            dns_servers: vec![[10, 20, 0, 53].into()],
            wins_servers: vec![[10, 20, 0, 54].into()],
            split_networks: vec![IpRange {
                first: [10, 20, 0, 0].into(),
                last: [10, 20, 255, 255].into()
            }],
        }
    );
    // IKERule
    let r = &p.ike_rules[0];
    assert_eq!(r.peers[1], PeerSpec::Dns("gw.example.org".into()));
    assert!(!r.do_autopass && r.request_address);
    assert_eq!(r.main_mode_auth, [AuthMethodId(0), AuthMethodId(1)]);
    assert_eq!(r.aggressive_mode_auth, [AuthMethodId(2)]);
    assert_eq!(r.transforms, [IkeTransformId(0), IkeTransformId(1)]);
    assert_eq!(
        r.xauth,
        Xauth {
            mode: XauthMode::Client,
            user: Some("alice".into()),
            secret_name: Some("alice_pw".into())
        }
    );
    assert_eq!(r.nat_traversal, NatTraversal::Force);
    assert_eq!(
        r.dpd,
        Dpd {
            interval: 30,
            retry_interval: 10,
            retries: 4
        }
    );
    assert_eq!(p.ike_rules[1].address_pool, Some(AddressPoolId(0)));
    // AH/ESP transforms and proposals
    assert_eq!(
        p.ah_transforms[0],
        AhTransform {
            name: Some("ah_t".into()),
            integrity: "SHA1-H96-HMAC".into(),
            lifetime_seconds: 1800,
            lifetime_kilobytes: 1000000
        }
    );
    assert_eq!(
        p.esp_transforms[0],
        EspTransform {
            name: Some("esp_t".into()),
            cipher: "AES-K128-CBC".into(),
            integrity: Some("SHA2-256-H128-HMAC".into()),
            lifetime_seconds: 1800,
            lifetime_kilobytes: 1000000,
        }
    );
    let kinds: Vec<_> = p.proposals.iter().map(|x| (x.protocol, x.tc26)).collect();
    assert_eq!(
        kinds,
        [
            (Protocol::Ah, false),
            (Protocol::Esp, false),
            (Protocol::Ah, true),
            (Protocol::Esp, true)
        ]
    );
    // Schedule
    let s = &p.schedules[0];
    assert_eq!(s.days, 0b10001);
    assert_eq!(s.windows.len(), 2);
    assert_eq!(
        (s.valid_from.unwrap().year, s.valid_to.unwrap().year),
        (2025, 2030)
    );
    // Filter / FilterChain
    let fw = &p.firewall_chains[0];
    let f = &fw.rules[0];
    assert_eq!(
        f.selector.source_ports,
        [PortRange {
            first: 1024,
            last: 65535
        }]
    );
    assert_eq!(f.selector.icmp_types, [ByteRange { first: 8, last: 8 }]);
    assert_eq!(f.selector.icmp_codes, [ByteRange { first: 0, last: 0 }]);
    assert_eq!(
        f.selector.packet_types,
        PacketTypes(PacketTypes::LOCAL_UNICAST)
    );
    assert_eq!(f.schedule, Some(ScheduleId(0)));
    assert!(f.log && f.tcp_stateful && f.ftp_inspection);
    assert_eq!(f.label.as_deref(), Some("first"));
    assert_eq!(fw.rules[1].action, FirewallAction::Jump(2));
    assert_eq!(fw.rules[2].action, FirewallAction::Drop);
    assert_eq!(fw.default_action, Verdict::Pass);
    // TunnelEntry / IPsecAction
    let a = &p.ipsec_actions[0];
    assert_eq!(
        a.tunnels,
        [Tunnel {
            peer: Some(PeerAddr::Ip([203, 0, 113, 5].into())),
            local_address: Some([192, 0, 2, 1].into()),
            df: DfHandling::Clear
        }]
    );
    assert_eq!(
        a.proposals,
        [
            ProposalChoice {
                ah: None,
                esp: Some(ProposalId(1))
            },
            ProposalChoice {
                ah: Some(ProposalId(0)),
                esp: Some(ProposalId(1))
            },
            ProposalChoice {
                ah: Some(ProposalId(2)),
                esp: Some(ProposalId(3))
            },
            ProposalChoice {
                ah: None,
                esp: Some(ProposalId(3))
            },
            ProposalChoice {
                ah: Some(ProposalId(0)),
                esp: None
            },
        ]
    );
    assert_eq!(a.input_filter, Some(FirewallChainId(0)));
    assert_eq!(a.pfs_group.as_deref(), Some("MODP_2048"));
    assert_eq!(a.ike_rule, Some(IkeRuleId(0)));
    assert_eq!(
        (
            a.fallback,
            a.packet_queue_size,
            a.bundle_requests_max,
            a.pmtu_discovery
        ),
        (Fallback::Negotiate, 16, 4, false)
    );
    // FilteringRule / IPsec chain / NetworkInterface
    let ch = &p.ipsec_chains[0];
    assert_eq!(
        ch.rules[0].action,
        IpsecRuleAction::Protect(IpsecActionId(0))
    );
    assert_eq!(
        ch.rules[0].selector.packet_types,
        PacketTypes(PacketTypes::LOCAL_UNICAST | PacketTypes::TRANSIT)
    );
    assert_eq!(ch.rules[1].action, IpsecRuleAction::Pass);
    assert_eq!(ch.default_action, Verdict::Drop);
    assert_eq!(
        p.interfaces[0],
        Interface {
            logical_name: "eth0".into(),
            priority: 5,
            input_filter: Some(FirewallChainId(0)),
            output_filter: Some(FirewallChainId(0)),
            ipsec_policy: Some(IpsecChainId(0)),
        }
    );
}
