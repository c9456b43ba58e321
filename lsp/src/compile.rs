//! The compiler: checked [`Doc`] → typed [`Policy`] (lsp.md §9.1).
//!
//! Walks the structures in canonical print order, so indices are deterministic and survive a
//! print/re-parse round trip. Named structures get one entry each (memoized); anonymous inline
//! ones get an entry per reference. `Filter`s and `FilteringRule`s are copied into the chains that
//! list them, `TunnelEntry`s into their actions. The compiler trusts the checker; a document
//! that still violates the schema yields a [`CompileError`], never a panic. It must not read
//! text or report diagnostics.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use crate::doc::{Doc, Struct, StructId, Val};
use crate::policy::*;
use crate::print::canonical_order;
use crate::schema::{self, ChainKind};
use crate::time::Weekday;

/// A document the checker would have rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    /// Structure concerned.
    pub structure: String,
    /// What is wrong.
    pub problem: &'static str,
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.structure, self.problem)
    }
}

impl core::error::Error for CompileError {}

type R<T> = Result<T, CompileError>;

fn fail<T>(s: &Struct, problem: &'static str) -> R<T> {
    Err(CompileError {
        structure: s.describe(),
        problem,
    })
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn strings(s: &Struct, name: &str) -> Vec<String> {
    s.values(name)
        .iter()
        .filter_map(|v| match v {
            Val::Str(b) => Some(lossy(b)),
            Val::Ident(t) => Some(String::from(&**t)),
            _ => None,
        })
        .collect()
}

fn opt_string(s: &Struct, name: &str) -> Option<String> {
    match s.value(name) {
        Some(Val::Str(b)) => Some(lossy(b)),
        Some(Val::Ident(t)) => Some(String::from(&**t)),
        _ => None,
    }
}

fn ip_ranges(s: &Struct, name: &str) -> Vec<IpRange> {
    s.values(name)
        .iter()
        .filter_map(|v| match v {
            Val::Ip(a) => Some(IpRange {
                first: *a,
                last: *a,
            }),
            Val::IpRange(a, b) => Some(IpRange {
                first: *a,
                last: *b,
            }),
            _ => None,
        })
        .collect()
}

fn ips(s: &Struct, name: &str) -> Vec<core::net::Ipv4Addr> {
    s.values(name)
        .iter()
        .filter_map(|v| match v {
            Val::Ip(a) => Some(*a),
            _ => None,
        })
        .collect()
}

fn u32_ranges(s: &Struct, name: &str) -> Vec<(u32, u32)> {
    s.values(name)
        .iter()
        .filter_map(|v| match v {
            Val::UInt(a) => Some((*a, *a)),
            Val::UIntRange(a, b) => Some((*a, *b)),
            _ => None,
        })
        .collect()
}

fn byte_ranges(s: &Struct, name: &str) -> Vec<ByteRange> {
    u32_ranges(s, name)
        .into_iter()
        .map(|(a, b)| ByteRange {
            first: a.min(255) as u8,
            last: b.min(255) as u8,
        })
        .collect()
}

fn port_ranges(s: &Struct, name: &str) -> Vec<PortRange> {
    u32_ranges(s, name)
        .into_iter()
        .map(|(a, b)| PortRange {
            first: a.min(65535) as u16,
            last: b.min(65535) as u16,
        })
        .collect()
}

fn refs(s: &Struct, name: &str) -> Vec<StructId> {
    s.values(name)
        .iter()
        .filter_map(|v| match v {
            Val::Ref(id) => Some(*id),
            _ => None,
        })
        .collect()
}

fn one_ref(s: &Struct, name: &str) -> Option<StructId> {
    match s.value(name) {
        Some(Val::Ref(id)) => Some(*id),
        _ => None,
    }
}

fn uint(s: &Struct, name: &'static str) -> R<u32> {
    match s.uint(name) {
        Some(v) => Ok(v),
        None => fail(s, name),
    }
}

fn ident<'s>(s: &'s Struct, name: &'static str) -> R<&'s str> {
    match s.ident(name) {
        Some(v) => Ok(v),
        None => fail(s, name),
    }
}

fn selector(s: &Struct) -> Selector {
    let mut pt = 0u8;
    for v in s.values("PacketType") {
        if let Val::Ident(t) = v
            && let Some(i) = schema::PACKET_TYPES.iter().position(|p| p == t)
        {
            pt |= 1 << i;
        }
    }
    Selector {
        source: ip_ranges(s, "SourceIPAddress"),
        destination: ip_ranges(s, "DestinationIPAddress"),
        protocols: byte_ranges(s, "ProtocolID"),
        source_ports: port_ranges(s, "SourcePort"),
        destination_ports: port_ranges(s, "DestinationPort"),
        icmp_types: byte_ranges(s, "ICMPType"),
        icmp_codes: byte_ranges(s, "ICMPCode"),
        packet_types: PacketTypes(pt),
    }
}

struct Compiler<'d> {
    doc: &'d Doc,
    p: Policy,
    memo: BTreeMap<u32, u32>,
    chain_memo: BTreeMap<(u32, bool), u32>,
}

fn empty(kind: &str) -> Struct {
    Struct {
        def: schema::lookup(kind),
        type_name: alloc::borrow::Cow::Owned(String::from(kind)),
        name: None,
        inline: false,
        attrs: Vec::new(),
        span: crate::diag::Span::default(),
    }
}

impl<'d> Compiler<'d> {
    fn get(&self, id: StructId) -> R<&'d Struct> {
        self.doc.get(id).ok_or(CompileError {
            structure: String::new(),
            problem: "dangling structure id",
        })
    }

    fn memo<F>(&mut self, id: StructId, f: F) -> R<u32>
    where
        F: FnOnce(&mut Self, &'d Struct) -> R<u32>,
    {
        if let Some(&i) = self.memo.get(&id.0) {
            return Ok(i);
        }
        let s = self.get(id)?;
        let i = f(self, s)?;
        if !s.inline {
            self.memo.insert(id.0, i);
        }
        Ok(i)
    }

    fn global(s: &Struct) -> R<Global> {
        // Unknown versions (kept in lenient mode) count as the oldest.
        let version = match s.effective_text("Version").as_deref() {
            Some("LSP_4_1") => LspVersion::V4_1,
            Some("LSP_4_2") => LspVersion::V4_2,
            Some("LSP_4_3") => LspVersion::V4_3,
            _ => LspVersion::V4_0,
        };
        let crl_mode = match ident(s, "CRLHandlingMode")? {
            "DISABLE" => CrlMode::Disable,
            "ENABLE" => CrlMode::Enable,
            "OPTIONAL" => CrlMode::Optional,
            _ => CrlMode::BestEffort,
        };
        Ok(Global {
            title: opt_string(s, "Title").unwrap_or_default(),
            version,
            crl_mode,
            preserve_ipsec_sa: s.flag("PreserveIPsecSA"),
            allow_nested_ipsec: s.flag("AllowNestedIPsec"),
            tcp: TcpSettings {
                strictness: uint(s, "TCPStrictnessLevel")?.min(6) as u8,
                closed_ttl: uint(s, "TCPClosedTTL")?,
                syn_sent_ttl: uint(s, "TCPSynSentTTL")?,
                syn_rcvd_ttl: uint(s, "TCPSynRcvdTTL")?,
                established_ttl: uint(s, "TCPEstablishedTTL")?,
                fin_ttl: uint(s, "TCPFinTTL")?,
                sessions_max: uint(s, "TCPSessionsMax")?,
                half_open_max: uint(s, "TCPHalfOpenMax")?,
                half_open_low: uint(s, "TCPHalfOpenLow")?,
                conn_rate_max: uint(s, "TCPConnRateMax")?,
                conn_rate_low: uint(s, "TCPConnRateLow")?,
            },
        })
    }

    fn ike_params(s: &Struct) -> R<IkeParameters> {
        let port = |n| uint(s, n).map(|v| v.min(65535) as u16);
        Ok(IkeParameters {
            default_port: port("DefaultPort")?,
            send_retries: uint(s, "SendRetries")?,
            retry_time_base: uint(s, "RetryTimeBase")?,
            retry_time_max: uint(s, "RetryTimeMax")?,
            session_time_max: uint(s, "SessionTimeMax")?,
            fragment_size: port("FragmentSize")?,
            natt_port: port("NATTPort")?,
            nat_keepalive_interval: uint(s, "NATKeepAliveInterval")?,
            initiator_sessions_max: uint(s, "InitiatorSessionsMax")?,
            responder_sessions_max: uint(s, "ResponderSessionsMax")?,
            blacklog: Blacklog {
                sessions_max: s.uint("BlacklogSessionsMax"),
                sessions_min: s.uint("BlacklogSessionsMin"),
                silent_sessions: s.uint("BlacklogSilentSessions"),
                relax_time: s.uint("BlacklogRelaxTime"),
                min_delay: s.uint("BlacklogMinDelay"),
                max_delay: s.uint("BlacklogMaxDelay"),
            },
        })
    }

    fn ldap(s: &Struct) -> R<LdapSettings> {
        Ok(LdapSettings {
            response_timeout: uint(s, "ResponseTimeout")?,
            hold_connect_timeout: uint(s, "HoldConnectTimeout")?,
            drop_connect_timeout: uint(s, "DropConnectTimeout")?,
        })
    }

    fn cert(&mut self, id: StructId) -> R<CertDescId> {
        self.memo(id, |c, s| {
            c.p.cert_descriptions.push(CertDescription {
                name: s.name.clone(),
                subject: strings(s, "Subject"),
                issuer: strings(s, "Issuer"),
                serial_number: strings(s, "SerialNumber"),
            });
            Ok(c.p.cert_descriptions.len() as u32 - 1)
        })
        .map(CertDescId)
    }

    fn identity(&mut self, id: StructId) -> R<IdentityId> {
        self.memo(id, |c, s| {
            let kind = if s.get("IPv4Address").is_some() {
                IdentityKind::Ipv4(ip_ranges(s, "IPv4Address"))
            } else if s.get("FQDN").is_some() {
                IdentityKind::Fqdn(strings(s, "FQDN"))
            } else if s.get("UserFQDN").is_some() {
                IdentityKind::UserFqdn(strings(s, "UserFQDN"))
            } else if s.get("X509SubjectDN").is_some() {
                IdentityKind::SubjectDn(strings(s, "X509SubjectDN"))
            } else if s.get("KeyID").is_some() {
                IdentityKind::KeyId(strings(s, "KeyID"))
            } else {
                IdentityKind::Default
            };
            c.p.identities.push(Identity {
                name: s.name.clone().unwrap_or_default(),
                kind,
            });
            Ok(c.p.identities.len() as u32 - 1)
        })
        .map(IdentityId)
    }

    fn opt_identity(&mut self, s: &Struct, name: &str) -> R<Option<IdentityId>> {
        one_ref(s, name).map(|r| self.identity(r)).transpose()
    }

    fn send_mode(s: &Struct, name: &'static str) -> R<SendMode> {
        Ok(match ident(s, name)? {
            "ALWAYS" => SendMode::Always,
            "NEVER" => SendMode::Never,
            _ => SendMode::Auto,
        })
    }

    fn auth(&mut self, id: StructId) -> R<AuthMethodId> {
        self.memo(id, |c, s| {
            let local_id = c.opt_identity(s, "LocalID")?;
            let remote_id = c.opt_identity(s, "RemoteID")?;
            let kind = if s.kind() == "AuthMethodPreshared" {
                AuthKind::Preshared {
                    secret_name: opt_string(s, "SharedIKESecret").unwrap_or_default(),
                }
            } else {
                let Some(lc) = one_ref(s, "LocalCredential") else {
                    return fail(s, "LocalCredential");
                };
                let local_credential = c.cert(lc)?;
                let remote_credentials = refs(s, "RemoteCredential")
                    .into_iter()
                    .map(|r| c.cert(r))
                    .collect::<R<_>>()?;
                AuthKind::Signature {
                    type_name: String::from(&*s.type_name),
                    local_credential,
                    remote_credentials,
                    send_cert: Self::send_mode(s, "SendCertMode")?,
                    send_request: Self::send_mode(s, "SendRequestMode")?,
                }
            };
            c.p.auth_methods.push(AuthMethod {
                name: s.name.clone().unwrap_or_default(),
                local_id,
                remote_id,
                kind,
            });
            Ok(c.p.auth_methods.len() as u32 - 1)
        })
        .map(AuthMethodId)
    }

    fn ike_transform(&mut self, id: StructId) -> R<IkeTransformId> {
        self.memo(id, |c, s| {
            c.p.ike_transforms.push(IkeTransform {
                name: s.name.clone(),
                tc26: s.kind() == "IKETC26Transform",
                ciphers: strings(s, "CipherAlg"),
                hashes: strings(s, "HashAlg"),
                groups: strings(s, "GroupID"),
                lifetime_seconds: uint(s, "LifetimeSeconds")?,
                lifetime_kilobytes: uint(s, "LifetimeKilobytes")?,
            });
            Ok(c.p.ike_transforms.len() as u32 - 1)
        })
        .map(IkeTransformId)
    }

    fn pool(&mut self, id: StructId) -> R<AddressPoolId> {
        self.memo(id, |c, s| {
            c.p.address_pools.push(AddressPool {
                name: s.name.clone().unwrap_or_default(),
                addresses: ip_ranges(s, "Addresses"),
                subnet_mask: ips(s, "SubnetMask").first().copied(),
                dns_servers: ips(s, "DNSServers"),
                wins_servers: ips(s, "WINSServers"),
                split_networks: ip_ranges(s, "SplitNetworks"),
            });
            Ok(c.p.address_pools.len() as u32 - 1)
        })
        .map(AddressPoolId)
    }

    fn ike_rule(&mut self, id: StructId) -> R<IkeRuleId> {
        self.memo(id, |c, s| {
            let peers = s
                .values("PeerAddress")
                .iter()
                .filter_map(|v| match v {
                    Val::Ip(a) => Some(PeerSpec::Range(IpRange {
                        first: *a,
                        last: *a,
                    })),
                    Val::IpRange(a, b) => Some(PeerSpec::Range(IpRange {
                        first: *a,
                        last: *b,
                    })),
                    Val::Str(n) => Some(PeerSpec::Dns(lossy(n))),
                    _ => None,
                })
                .collect();
            let auths = |c: &mut Self, n| -> R<Vec<AuthMethodId>> {
                refs(s, n).into_iter().map(|r| c.auth(r)).collect()
            };
            let main_mode_auth = auths(c, "MainModeAuthMethod")?;
            let aggressive_mode_auth = auths(c, "AggrModeAuthMethod")?;
            let transforms = refs(s, "Transform")
                .into_iter()
                .map(|r| c.ike_transform(r))
                .collect::<R<_>>()?;
            let address_pool = one_ref(s, "IKECFGAddressPool")
                .map(|r| c.pool(r))
                .transpose()?;
            let mode = match ident(s, "XAUTHMode")? {
                "CLIENT" => XauthMode::Client,
                "SERVER" => XauthMode::Server,
                _ => XauthMode::None,
            };
            let nat_traversal = match ident(s, "NATTraversal")? {
                "DISABLE" => NatTraversal::Disable,
                "FORCE" => NatTraversal::Force,
                _ => NatTraversal::Enable,
            };
            c.p.ike_rules.push(IkeRule {
                name: s.name.clone().unwrap_or_default(),
                peers,
                do_autopass: s.flag("DoAutopass"),
                main_mode_auth,
                aggressive_mode_auth,
                transforms,
                request_address: s.flag("IKECFGRequestAddress"),
                address_pool,
                xauth: Xauth {
                    mode,
                    user: opt_string(s, "XAUTHUser"),
                    secret_name: opt_string(s, "XAUTHSecret"),
                },
                nat_traversal,
                dpd: Dpd {
                    interval: uint(s, "DPDInterval")?,
                    retry_interval: uint(s, "DPDRetryInterval")?,
                    retries: uint(s, "DPDRetries")?,
                },
            });
            Ok(c.p.ike_rules.len() as u32 - 1)
        })
        .map(IkeRuleId)
    }

    fn esp_transform(&mut self, id: StructId) -> R<TransformId> {
        self.memo(id, |c, s| {
            c.p.esp_transforms.push(EspTransform {
                name: s.name.clone(),
                cipher: opt_string(s, "CipherAlg").unwrap_or_default(),
                integrity: opt_string(s, "IntegrityAlg"),
                lifetime_seconds: uint(s, "LifetimeSeconds")?,
                lifetime_kilobytes: uint(s, "LifetimeKilobytes")?,
            });
            Ok(c.p.esp_transforms.len() as u32 - 1)
        })
        .map(TransformId)
    }

    fn ah_transform(&mut self, id: StructId) -> R<TransformId> {
        self.memo(id, |c, s| {
            c.p.ah_transforms.push(AhTransform {
                name: s.name.clone(),
                integrity: opt_string(s, "IntegrityAlg").unwrap_or_default(),
                lifetime_seconds: uint(s, "LifetimeSeconds")?,
                lifetime_kilobytes: uint(s, "LifetimeKilobytes")?,
            });
            Ok(c.p.ah_transforms.len() as u32 - 1)
        })
        .map(TransformId)
    }

    fn proposal(&mut self, id: StructId) -> R<ProposalId> {
        self.memo(id, |c, s| {
            let ah = s
                .def
                .is_some_and(|d| schema::AH_PROPOSALS.contains(&d.name));
            let transforms = refs(s, "Transform")
                .into_iter()
                .map(|r| {
                    if ah {
                        c.ah_transform(r)
                    } else {
                        c.esp_transform(r)
                    }
                })
                .collect::<R<_>>()?;
            c.p.proposals.push(Proposal {
                name: s.name.clone(),
                protocol: if ah { Protocol::Ah } else { Protocol::Esp },
                tc26: s.def.is_some_and(|d| d.tc26),
                transforms,
            });
            Ok(c.p.proposals.len() as u32 - 1)
        })
        .map(ProposalId)
    }

    fn schedule(&mut self, id: StructId) -> R<ScheduleId> {
        self.memo(id, |c, s| {
            let days = if s.get("DaysOfWeek").is_some() {
                s.values("DaysOfWeek")
                    .iter()
                    .filter_map(|v| match v {
                        Val::Ident(t) => Weekday::ALL.iter().find(|d| d.lsp_name() == t),
                        _ => None,
                    })
                    .fold(0u8, |m, d| m | d.bit())
            } else {
                0x7F
            };
            let windows = s
                .values("TimeOfDay")
                .iter()
                .filter_map(|v| match v {
                    Val::TimeRange(a, b) => Some(TimeWindow { start: *a, end: *b }),
                    _ => None,
                })
                .collect();
            let date = |n| match s.value(n) {
                Some(Val::Date(d)) => Some(*d),
                _ => None,
            };
            c.p.schedules.push(Schedule {
                name: s.name.clone().unwrap_or_default(),
                days,
                windows,
                valid_from: date("ValidFrom"),
                valid_to: date("ValidTo"),
            });
            Ok(c.p.schedules.len() as u32 - 1)
        })
        .map(ScheduleId)
    }

    fn verdict(s: &Struct) -> R<Verdict> {
        Ok(match ident(s, "DefaultAction")? {
            "PASS" => Verdict::Pass,
            _ => Verdict::Drop,
        })
    }

    fn rule_schedule(&mut self, r: &Struct) -> R<Option<ScheduleId>> {
        one_ref(r, "Schedule").map(|x| self.schedule(x)).transpose()
    }

    fn firewall_chain(&mut self, id: StructId) -> R<FirewallChainId> {
        if let Some(&i) = self.chain_memo.get(&(id.0, false)) {
            return Ok(FirewallChainId(i));
        }
        let s = self.get(id)?;
        let elems = refs(s, "Filters");
        let mut rules = Vec::with_capacity(elems.len());
        let mut labels: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, e) in elems.iter().enumerate() {
            if let Some(Val::Ident(l)) = self.get(*e)?.value("Label") {
                labels.entry(&**l).or_insert(i);
            }
        }
        for e in &elems {
            let r = self.get(*e)?;
            let action = match (r.value("JumpTo"), r.ident("Action")) {
                (Some(Val::Ident(t)), _) => match labels.get(&**t) {
                    Some(&j) => FirewallAction::Jump(j),
                    None => return fail(r, "JumpTo target"),
                },
                (_, Some("PASS")) => FirewallAction::Pass,
                (_, Some("DROP")) => FirewallAction::Drop,
                _ => return fail(r, "Action"),
            };
            rules.push(FirewallRule {
                name: r.name.clone(),
                selector: selector(r),
                schedule: self.rule_schedule(r)?,
                log: r.flag("Log"),
                label: opt_string(r, "Label"),
                action,
                tcp_stateful: r.flag("TCPStateful"),
                ftp_inspection: r.flag("FTPInspection"),
            });
        }
        self.p.firewall_chains.push(FirewallChain {
            name: s.name.clone().unwrap_or_default(),
            rules,
            default_action: Self::verdict(s)?,
        });
        let i = self.p.firewall_chains.len() as u32 - 1;
        self.chain_memo.insert((id.0, false), i);
        Ok(FirewallChainId(i))
    }

    fn ipsec_chain(&mut self, id: StructId) -> R<IpsecChainId> {
        if let Some(&i) = self.chain_memo.get(&(id.0, true)) {
            return Ok(IpsecChainId(i));
        }
        let s = self.get(id)?;
        let elems = refs(s, "Filters");
        let mut rules = Vec::with_capacity(elems.len());
        for e in &elems {
            let r = self.get(*e)?;
            let action = match (r.ident("Action"), one_ref(r, "IPsecAction")) {
                (Some("PASS"), _) => IpsecRuleAction::Pass,
                (Some("DROP"), _) => IpsecRuleAction::Drop,
                (_, Some(a)) => IpsecRuleAction::Protect(self.action(a)?),
                _ => return fail(r, "Action"),
            };
            rules.push(IpsecRule {
                name: r.name.clone(),
                selector: selector(r),
                schedule: self.rule_schedule(r)?,
                log: r.flag("Log"),
                action,
            });
        }
        self.p.ipsec_chains.push(IpsecChain {
            name: s.name.clone().unwrap_or_default(),
            rules,
            default_action: Self::verdict(s)?,
        });
        let i = self.p.ipsec_chains.len() as u32 - 1;
        self.chain_memo.insert((id.0, true), i);
        Ok(IpsecChainId(i))
    }

    fn tunnel(&self, id: StructId) -> R<Tunnel> {
        let t = self.get(id)?;
        let peer = match t.value("PeerAddress") {
            Some(Val::Ip(a)) => Some(PeerAddr::Ip(*a)),
            Some(Val::Str(n)) => Some(PeerAddr::Dns(lossy(n))),
            _ => None,
        };
        let df = match ident(t, "DFHandling")? {
            "CLEAR" => DfHandling::Clear,
            "SET" => DfHandling::Set,
            _ => DfHandling::Copy,
        };
        Ok(Tunnel {
            peer,
            local_address: ips(t, "LocalAddress").first().copied(),
            df,
        })
    }

    fn action(&mut self, id: StructId) -> R<IpsecActionId> {
        self.memo(id, |c, s| {
            let mut proposals = Vec::new();
            for v in s.values("ContainedProposals") {
                let mut choice = ProposalChoice {
                    ah: None,
                    esp: None,
                };
                let members: Vec<StructId> = match v {
                    Val::Ref(r) => vec![*r],
                    Val::Tuple(vs) => vs
                        .iter()
                        .filter_map(|x| match x {
                            Val::Ref(r) => Some(*r),
                            _ => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                for m in members {
                    let p = c.proposal(m)?;
                    match c.p.proposals.get(p.index()).map(|x| x.protocol) {
                        Some(Protocol::Ah) => choice.ah = Some(p),
                        _ => choice.esp = Some(p),
                    }
                }
                proposals.push(choice);
            }
            let tunnels = refs(s, "TunnelingParameters")
                .into_iter()
                .map(|r| c.tunnel(r))
                .collect::<R<_>>()?;
            let input_filter = one_ref(s, "InputFilter")
                .map(|r| c.firewall_chain(r))
                .transpose()?;
            let ike_rule = one_ref(s, "IKERule").map(|r| c.ike_rule(r)).transpose()?;
            let pfs_group = match ident(s, "PFSGroup")? {
                "NONE" => None,
                g => Some(String::from(g)),
            };
            c.p.ipsec_actions.push(IpsecAction {
                name: s.name.clone().unwrap_or_default(),
                proposals,
                tunnels,
                input_filter,
                pfs_group,
                ike_rule,
                fallback: if ident(s, "FallbackAction")? == "DROP" {
                    Fallback::Drop
                } else {
                    Fallback::Negotiate
                },
                packet_queue_size: uint(s, "PacketQueueSize")?,
                bundle_requests_max: uint(s, "BundleRequestsMax")?,
                pmtu_discovery: s.flag("PMTUDiscovery"),
            });
            Ok(c.p.ipsec_actions.len() as u32 - 1)
        })
        .map(IpsecActionId)
    }

    fn chain_is_ipsec(&self, s: &Struct) -> bool {
        refs(s, "Filters").iter().any(|r| {
            self.doc
                .get(*r)
                .is_some_and(|t| t.kind() == "FilteringRule")
        })
    }

    fn interface(&mut self, s: &Struct) -> R<Interface> {
        Ok(Interface {
            logical_name: opt_string(s, "LogicalName").unwrap_or_else(|| String::from("*")),
            priority: uint(s, "Priority")?,
            input_filter: one_ref(s, "InputFilter")
                .map(|r| self.firewall_chain(r))
                .transpose()?,
            output_filter: one_ref(s, "OutputFilter")
                .map(|r| self.firewall_chain(r))
                .transpose()?,
            ipsec_policy: one_ref(s, "IPsecPolicy")
                .map(|r| self.ipsec_chain(r))
                .transpose()?,
        })
    }

    fn top(&mut self, id: StructId, ipsec_used: &[bool]) -> R<()> {
        let s = self.get(id)?;
        match s.kind() {
            "GlobalParameters" => self.p.global = Self::global(s)?,
            "IKEParameters" => self.p.ike = Self::ike_params(s)?,
            "LDAPSettings" => self.p.ldap = Self::ldap(s)?,
            "CertDescription" => {
                self.cert(id)?;
            }
            "IdentityEntry" => {
                self.identity(id)?;
            }
            "AuthMethodPreshared" | "AuthMethodDSSign" => {
                self.auth(id)?;
            }
            "IKETransform" | "IKETC26Transform" => {
                self.ike_transform(id)?;
            }
            "IKECFGAddressPool" => {
                self.pool(id)?;
            }
            "IKERule" => {
                self.ike_rule(id)?;
            }
            "AHTransform" => {
                self.ah_transform(id)?;
            }
            "ESPTransform" => {
                self.esp_transform(id)?;
            }
            "ESPProposal" | "AHProposal" | "ESPTC26Proposal" | "AHTC26Proposal" => {
                self.proposal(id)?;
            }
            "Schedule" => {
                self.schedule(id)?;
            }
            "FilterChain" => {
                if self.chain_is_ipsec(s) || ipsec_used.get(id.0 as usize).copied().unwrap_or(false)
                {
                    self.ipsec_chain(id)?;
                } else {
                    self.firewall_chain(id)?;
                }
            }
            "IPsecAction" => {
                self.action(id)?;
            }
            "NetworkInterface" => {
                let i = self.interface(s)?;
                self.p.interfaces.push(i);
            }
            // Filter, FilteringRule, TunnelEntry are copied where used; unknown types ignored.
            _ => {}
        }
        Ok(())
    }
}

/// Compiles a checked document.
pub fn compile(doc: &Doc) -> Result<Policy, CompileError> {
    let g = empty("GlobalParameters");
    let i = empty("IKEParameters");
    let l = empty("LDAPSettings");
    let mut c = Compiler {
        doc,
        p: Policy {
            global: Compiler::global(&g)?,
            ike: Compiler::ike_params(&i)?,
            ldap: Compiler::ldap(&l)?,
            cert_descriptions: Vec::new(),
            identities: Vec::new(),
            auth_methods: Vec::new(),
            ike_transforms: Vec::new(),
            address_pools: Vec::new(),
            ike_rules: Vec::new(),
            ah_transforms: Vec::new(),
            esp_transforms: Vec::new(),
            proposals: Vec::new(),
            ipsec_actions: Vec::new(),
            schedules: Vec::new(),
            firewall_chains: Vec::new(),
            ipsec_chains: Vec::new(),
            interfaces: Vec::new(),
        },
        memo: BTreeMap::new(),
        chain_memo: BTreeMap::new(),
    };
    let mut ipsec_used = vec![false; doc.structs.len()];
    for s in &doc.structs {
        for a in &s.attrs {
            if let Some(d) = a.def
                && d.ty == schema::Ty::Chain(ChainKind::Ipsec)
            {
                for v in &a.values {
                    if let Val::Ref(r) = v
                        && let Some(f) = ipsec_used.get_mut(r.0 as usize)
                    {
                        *f = true;
                    }
                }
            }
        }
    }
    for id in canonical_order(doc) {
        c.top(id, &ipsec_used)?;
    }
    Ok(c.p)
}
