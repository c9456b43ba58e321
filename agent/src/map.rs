//! The one mapping from the compiled LSP policy ([`zubr_lsp::Policy`]) to what the engines run:
//! the filter configuration ([`zubr_filter::FilterConfig`]), the IKE configuration
//! ([`zubr_ike::Config`]) and the agent's own table of IPsec actions ([`ActionPlan`]) and
//! PROTECT rules ([`ProtectRule`]).
//!
//! | LSP (lsp.md §5) | here |
//! |---|---|
//! | `FilterChain` of `Filter`s, `Schedule`, `NetworkInterface`, TCP settings of `GlobalParameters`, `IKERule.DoAutopass` | [`Mapped::filter`] (one filter structure per LSP structure; inline `Filter`s are named `CHAIN_N`) |
//! | `FilterChain` of `FilteringRule`s | [`Mapped::filter`] `ipsec_chains`, and per PROTECT rule one [`ProtectRule`] |
//! | `IKEParameters`, `IKERule`, `IKETransform` (cipher × hash × group), `AuthMethodPreshared`, `IdentityEntry` | [`Mapped::ike`] |
//! | `FilteringRule` + `IPsecAction` (`ContainedProposals`, `TunnelingParameters`, `PFSGroup`, `IKERule`) | [`Mapped::ike`] `ipsec_rules`: the rule's selector lists expanded into one IKE rule per (source element × destination element × protocol × ports), so that the Quick Mode IDs are "the list elements that matched the triggering packet" (lsp.md §7.4) |
//! | `IPsecAction` (`FallbackAction`, `PacketQueueSize`, `BundleRequestsMax`, `PMTUDiscovery`, `DFHandling`, tunnel peers) | [`ActionPlan`] |
//!
//! Algorithm names are looked up in the crypto provider; a name the provider lacks, a key the
//! store lacks, or a construct the engines cannot run makes the whole mapping fail (the agent
//! then keeps the Default Driver Policy: fail closed). Constructs that are skipped rather than
//! refused (AH proposals, which IKE does not negotiate yet; DNS peer names, which need a
//! resolver) are listed in [`Mapped::warnings`].
//!
//! The engine ids (`filter N`, chain ids) are computed here the way `zubr-filter` numbers them
//! (filters 1.. over the firewall chains then the IPsec chains; chain pairs from 2 in
//! interface order), so drop reasons and SA events name the same numbers.
//!
//! This module is pure data transformation: no packets, no state.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::net::Ipv4Addr;
use core::ops::{Range, RangeInclusive};
use core::time::Duration;

use zubr_base::sa::DfMode;
use zubr_crypto_stb::CryptoProvider;
use zubr_filter as fl;
use zubr_ike::config as ik;
use zubr_lsp::policy as lp;

use crate::certs;
use crate::keys::KeyStore;

/// Most IKE rules one `FilteringRule` may expand to.
pub const MAX_EXPANSION: usize = 256;

/// Why a policy cannot be run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MapError {
    /// An algorithm name the provider does not implement.
    UnknownAlgorithm {
        /// `IKETransform`, `ESPTransform` or `IPsecAction`.
        what: &'static str,
        /// The name.
        name: String,
    },
    /// `SharedIKESecret` names no key in the store.
    MissingKey(String),
    /// An `AuthMethodDSSign` cannot be set up from the certificate store (no store, no or
    /// several local certificates matching `LocalCredential`, an inaccessible key).
    Certificate(String),
    /// A construct the engines cannot run (yet).
    Unsupported(String),
    /// A `FilteringRule` expands to more than [`MAX_EXPANSION`] IKE rules.
    TooManySelectors(String),
    /// An `IPsecAction` has no proposal IKE can offer.
    NoProposal(String),
    /// The filter engine refuses the configuration.
    Filter(String),
    /// The IKE engine refuses the configuration.
    Ike(String),
}

impl core::fmt::Display for MapError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            MapError::UnknownAlgorithm { what, name } => {
                write!(f, "{what}: algorithm \"{name}\" is not available")
            }
            MapError::MissingKey(n) => write!(f, "pre-shared key \"{n}\" is not in the key store"),
            MapError::Certificate(s) => write!(f, "certificate authentication: {s}"),
            MapError::Unsupported(s) => write!(f, "not supported: {s}"),
            MapError::TooManySelectors(r) => write!(
                f,
                "FilteringRule {r}: its selector lists expand to more than {MAX_EXPANSION} IPsec selectors"
            ),
            MapError::NoProposal(a) => write!(f, "IPsecAction {a}: no ESP proposal to offer"),
            MapError::Filter(s) => write!(f, "filter configuration: {s}"),
            MapError::Ike(s) => write!(f, "IKE configuration: {s}"),
        }
    }
}

impl core::error::Error for MapError {}

/// One tunnel peer of an action (`TunnelEntry`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TunnelPlan {
    /// `PeerAddress` (`None` = dynamic peer: responder only).
    pub peer: Option<Ipv4Addr>,
    /// `LocalAddress`.
    pub local: Option<Ipv4Addr>,
    /// `DFHandling`.
    pub df: DfMode,
}

/// What the agent needs of an `IPsecAction`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionPlan {
    /// LSP name.
    pub name: String,
    /// Tunnel mode (else transport).
    pub tunnel: bool,
    /// Tunnel entries in priority order (empty in transport mode).
    pub tunnels: Vec<TunnelPlan>,
    /// `FallbackAction = DROP`.
    pub fallback_drop: bool,
    /// `PacketQueueSize`.
    pub queue_size: u32,
    /// `BundleRequestsMax`.
    pub requests_max: u32,
    /// `PMTUDiscovery`.
    pub pmtu_discovery: bool,
    /// `IKERule` pinned for initiation (index into the IKE rules).
    pub ike_rule: Option<usize>,
}

/// A `FilteringRule` with `Action = PROTECT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectRule {
    /// Engine filter id (`filter N`).
    pub filter: u32,
    /// Engine id of its IPsec chain (0 if no interface uses the chain).
    pub chain: u32,
    /// LSP name.
    pub name: String,
    /// Index into [`Mapped::actions`].
    pub action: usize,
    /// Its IKE rules (indices into `Mapped::ike.ipsec_rules`).
    pub ike_rules: Range<usize>,
}

/// An IKE rule's Mode Config role.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IkecfgPlan {
    /// `IKECFGRequestAddress`: the client asks for an address.
    pub request_address: bool,
    /// `IKECFGAddressPool` (gateway side), copied from the policy.
    pub pool: Option<lp::AddressPool>,
}

/// Everything a policy becomes.
#[derive(Debug, Clone)]
pub struct Mapped {
    /// The filter engine's configuration.
    pub filter: fl::FilterConfig,
    /// The IKE engine's configuration.
    pub ike: ik::Config,
    /// One entry per `IPsecAction` (same order as the policy's).
    pub actions: Vec<ActionPlan>,
    /// PROTECT rules in engine filter order.
    pub rules: Vec<ProtectRule>,
    /// Per IKE rule (same order as `ike.ike_rules`): Mode Config.
    pub ikecfg: Vec<IkecfgPlan>,
    /// Engine ids: first filter id of each firewall chain, then of each IPsec chain.
    pub fw_base: Vec<u32>,
    /// First filter id of each IPsec chain.
    pub ipsec_base: Vec<u32>,
    /// What was skipped.
    pub warnings: Vec<String>,
}

impl Mapped {
    /// The PROTECT rule with engine filter id `filter`.
    pub fn rule_by_filter(&self, filter: u32) -> Option<&ProtectRule> {
        self.rules.iter().find(|r| r.filter == filter)
    }

    /// The PROTECT rule owning IKE rule `ike_rule`.
    pub fn rule_by_ike_rule(&self, ike_rule: usize) -> Option<&ProtectRule> {
        self.rules.iter().find(|r| r.ike_rules.contains(&ike_rule))
    }
}

fn range(r: &lp::IpRange) -> RangeInclusive<Ipv4Addr> {
    r.first..=r.last
}

fn opt_list<T, U>(v: &[T], f: impl Fn(&T) -> U) -> Option<Vec<U>> {
    if v.is_empty() {
        None
    } else {
        Some(v.iter().map(f).collect())
    }
}

/// The filter selector for an LSP selector.
pub fn selector(s: &lp::Selector) -> fl::Selector {
    fl::Selector {
        src: opt_list(&s.source, range),
        dst: opt_list(&s.destination, range),
        protocol: opt_list(&s.protocols, |b| b.first..=b.last),
        src_port: opt_list(&s.source_ports, |p| p.first..=p.last),
        dst_port: opt_list(&s.destination_ports, |p| p.first..=p.last),
        icmp_type: opt_list(&s.icmp_types, |b| b.first..=b.last),
        icmp_code: opt_list(&s.icmp_codes, |b| b.first..=b.last),
        packet_type: if s.packet_types.is_any() {
            None
        } else {
            Some(fl::PacketTypes(s.packet_types.0))
        },
    }
}

fn schedule(s: &lp::Schedule) -> fl::Schedule {
    let date = |d: &zubr_lsp::time::Date| fl::Date::new(i32::from(d.year), d.month, d.day);
    fl::Schedule {
        name: s.name.clone(),
        days: if s.days & 0x7f == 0x7f {
            None
        } else {
            Some(s.days & 0x7f)
        },
        windows: s
            .windows
            .iter()
            .map(|w| fl::TimeWindow {
                start: w.start.seconds(),
                end: w.end.seconds(),
            })
            .collect(),
        valid_from: s.valid_from.as_ref().and_then(date),
        valid_to: s.valid_to.as_ref().and_then(date),
    }
}

fn verdict(v: lp::Verdict) -> fl::DefaultAction {
    match v {
        lp::Verdict::Pass => fl::DefaultAction::Pass,
        lp::Verdict::Drop => fl::DefaultAction::Drop,
    }
}

fn ttl(v: u32) -> u16 {
    u16::try_from(v).unwrap_or(u16::MAX)
}

fn df(d: lp::DfHandling) -> DfMode {
    match d {
        lp::DfHandling::Copy => DfMode::Copy,
        lp::DfHandling::Clear => DfMode::Clear,
        lp::DfHandling::Set => DfMode::Set,
    }
}

/// The filter configuration of `p` (firewall chains, IPsec chains, interfaces, autopass).
pub fn filter_config(p: &lp::Policy) -> fl::FilterConfig {
    let t = &p.global.tcp;
    let chains = p
        .firewall_chains
        .iter()
        .map(|c| fl::FilterChain {
            name: c.name.clone(),
            rules: c
                .rules
                .iter()
                .enumerate()
                .map(|(i, r)| fl::FilterRule {
                    name: r
                        .name
                        .clone()
                        .unwrap_or_else(|| format!("{}_{}", c.name, i + 1)),
                    selector: selector(&r.selector),
                    schedule: r.schedule.map(|s| fl::ScheduleId(s.0)),
                    log: r.log,
                    label: r.label.clone(),
                    action: match r.action {
                        lp::FirewallAction::Pass => fl::FilterAction::Pass,
                        lp::FirewallAction::Drop => fl::FilterAction::Drop,
                        lp::FirewallAction::Jump(k) => fl::FilterAction::JumpTo(
                            c.rules
                                .get(k)
                                .and_then(|t| t.label.clone())
                                .unwrap_or_default(),
                        ),
                    },
                    tcp_stateful: r.tcp_stateful,
                    ftp_inspection: r.ftp_inspection,
                })
                .collect(),
            default_action: verdict(c.default_action),
        })
        .collect();
    let ipsec_chains = p
        .ipsec_chains
        .iter()
        .map(|c| fl::IpsecChain {
            name: c.name.clone(),
            rules: c
                .rules
                .iter()
                .enumerate()
                .map(|(i, r)| fl::IpsecRule {
                    name: rule_name(&c.name, i, r),
                    selector: selector(&r.selector),
                    schedule: r.schedule.map(|s| fl::ScheduleId(s.0)),
                    log: r.log,
                    action: match r.action {
                        lp::IpsecRuleAction::Pass => fl::IpsecRuleAction::Pass,
                        lp::IpsecRuleAction::Drop => fl::IpsecRuleAction::Drop,
                        lp::IpsecRuleAction::Protect(a) => {
                            fl::IpsecRuleAction::Protect(fl::IpsecActionId(a.0))
                        }
                    },
                })
                .collect(),
            default_action: verdict(c.default_action),
        })
        .collect();
    let mut autopass = fl::IkeAutopass {
        ports: alloc::vec![p.ike.default_port, p.ike.natt_port],
        peers: Vec::new(),
        any_peer: false,
    };
    autopass.ports.dedup();
    for r in p.ike_rules.iter().filter(|r| r.do_autopass) {
        if r.peers.is_empty() {
            autopass.any_peer = true;
        }
        for peer in &r.peers {
            if let lp::PeerSpec::Range(ip) = peer {
                autopass.peers.push(range(ip));
            }
        }
    }
    fl::FilterConfig {
        tcp: fl::TcpSettings {
            closed_ttl: ttl(t.closed_ttl),
            synsent_ttl: ttl(t.syn_sent_ttl),
            synrcvd_ttl: ttl(t.syn_rcvd_ttl),
            estab_ttl: ttl(t.established_ttl),
            fin_ttl: ttl(t.fin_ttl),
            strictness: t.strictness,
            open_max: t.sessions_max,
            half_open_max: t.half_open_max,
            half_open_low: t.half_open_low,
            conn_rate_max: t.conn_rate_max,
            conn_rate_low: t.conn_rate_low,
        },
        allow_nested_ipsec: p.global.allow_nested_ipsec,
        schedules: p.schedules.iter().map(schedule).collect(),
        chains,
        ipsec_chains,
        ipsec_actions: p
            .ipsec_actions
            .iter()
            .map(|a| fl::IpsecActionFilter {
                name: a.name.clone(),
                input_filter: a.input_filter.map(|c| fl::ChainId(c.0)),
            })
            .collect(),
        interfaces: p
            .interfaces
            .iter()
            .map(|i| fl::NetworkInterface {
                logical_name: i.logical_name.clone(),
                priority: i.priority,
                input_filter: i.input_filter.map(|c| fl::ChainId(c.0)),
                output_filter: i.output_filter.map(|c| fl::ChainId(c.0)),
                ipsec_policy: i.ipsec_policy.map(|c| fl::IpsecChainId(c.0)),
            })
            .collect(),
        autopass,
    }
}

fn rule_name(chain: &str, i: usize, r: &lp::IpsecRule) -> String {
    r.name
        .clone()
        .unwrap_or_else(|| format!("{chain}_{}", i + 1))
}

/// Engine filter ids: `(first id of each firewall chain, first id of each IPsec chain)`, as
/// `zubr-filter` assigns them (1.. over firewall chains, then IPsec chains).
pub fn filter_bases(p: &lp::Policy) -> (Vec<u32>, Vec<u32>) {
    let mut next = 1u32;
    let mut fw = Vec::new();
    for c in &p.firewall_chains {
        fw.push(next);
        next += c.rules.len() as u32;
    }
    let mut ipsec = Vec::new();
    for c in &p.ipsec_chains {
        ipsec.push(next);
        next += c.rules.len() as u32;
    }
    (fw, ipsec)
}

/// Engine chain id of each IPsec chain (the symmetric chain pair attached to the first
/// interface that uses it; 0 = unused), as `zubr-filter` assigns them.
pub fn ipsec_chain_ids(p: &lp::Policy) -> Vec<u32> {
    let mut ids = alloc::vec![0u32; p.ipsec_chains.len()];
    let mut pair = 2u32;
    for i in &p.interfaces {
        if i.input_filter.is_some() || i.output_filter.is_some() {
            pair += 2;
        }
        if let Some(c) = i.ipsec_policy {
            if let Some(id) = ids.get_mut(c.index())
                && *id == 0
            {
                *id = pair;
            }
            pair += 2;
        }
    }
    ids
}

fn identity(
    p: &lp::Policy,
    id: Option<lp::IdentityId>,
    remote: bool,
) -> Result<Option<ik::Identity>, MapError> {
    let Some(e) = id.and_then(|i| p.identities.get(i.index())) else {
        return Ok(None);
    };
    Ok(match &e.kind {
        lp::IdentityKind::Default => None,
        lp::IdentityKind::Ipv4(v) => match v.first() {
            Some(r) if r.first == r.last => Some(ik::Identity::Ipv4(r.first)),
            // a range or several addresses as a remote pattern: accept any (the engine's remote
            // ID check is exact)
            _ if remote => None,
            _ => {
                return Err(MapError::Unsupported(format!(
                    "IdentityEntry {}: a local ID must be one address",
                    e.name
                )));
            }
        },
        lp::IdentityKind::Fqdn(v) => v.first().map(|s| ik::Identity::Fqdn(s.clone())),
        lp::IdentityKind::UserFqdn(v) => v.first().map(|s| ik::Identity::UserFqdn(s.clone())),
        lp::IdentityKind::KeyId(v) => match v.first() {
            Some(h) => Some(ik::Identity::KeyId(hex_bytes(h).ok_or_else(|| {
                MapError::Unsupported(format!("IdentityEntry {}: KeyID is not hex", e.name))
            })?)),
            None => None,
        },
        lp::IdentityKind::SubjectDn(_) if remote => None,
        lp::IdentityKind::SubjectDn(v) => match v.first() {
            Some(dn) => Some(ik::Identity::DerAsn1Dn(
                zubr_pki::DistinguishedName::from_text(dn)
                    .map_err(|err| {
                        MapError::Unsupported(format!(
                            "IdentityEntry {}: X509SubjectDN: {err}",
                            e.name
                        ))
                    })?
                    .der()
                    .to_vec(),
            )),
            None => None,
        },
    })
}

fn hex_bytes(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let nib = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    s.as_bytes()
        .chunks(2)
        .map(|p| Some(nib(p[0])? << 4 | nib(p[1])?))
        .collect()
}

fn auth_methods(
    p: &lp::Policy,
    ids: &[lp::AuthMethodId],
    provider: &CryptoProvider,
    keys: &dyn KeyStore,
) -> Result<Vec<ik::AuthMethod>, MapError> {
    let mut out = Vec::new();
    for id in ids {
        let Some(m) = p.auth_methods.get(id.index()) else {
            continue;
        };
        match &m.kind {
            lp::AuthKind::Preshared { secret_name } => {
                let key = keys
                    .preshared(secret_name)
                    .ok_or_else(|| MapError::MissingKey(secret_name.clone()))?;
                out.push(ik::AuthMethod::PreShared(ik::PresharedKey(key)));
            }
            lp::AuthKind::Signature {
                type_name,
                local_credential,
                remote_credentials,
                send_cert,
                send_request,
            } => {
                let what =
                    |e: String| MapError::Certificate(format!("{type_name} {}: {e}", m.name));
                let store = keys
                    .certificates()
                    .ok_or_else(|| what("the host gave no certificate store".into()))?;
                let selector = |d: &lp::CertDescription| {
                    zubr_pki::CertSelector::from_strings(&d.subject, &d.issuer, &d.serial_number)
                        .map_err(|e| what(format!("CertDescription: {e}")))
                };
                let local = p
                    .cert_descriptions
                    .get(local_credential.index())
                    .ok_or_else(|| what("LocalCredential names no CertDescription".into()))
                    .and_then(selector)?;
                let remote = remote_credentials
                    .iter()
                    .filter_map(|d| p.cert_descriptions.get(d.index()))
                    .map(selector)
                    .collect::<Result<Vec<_>, _>>()?;
                let req = certs::SignatureRequest {
                    local: &local,
                    remote,
                    crl_mode: match p.global.crl_mode {
                        lp::CrlMode::Disable => zubr_pki::CrlMode::Disable,
                        lp::CrlMode::Enable => zubr_pki::CrlMode::Enable,
                        lp::CrlMode::Optional => zubr_pki::CrlMode::Optional,
                        lp::CrlMode::BestEffort => zubr_pki::CrlMode::BestEffort,
                    },
                    send_cert: match send_cert {
                        lp::SendMode::Always => ik::SendCert::Always,
                        lp::SendMode::Never => ik::SendCert::Never,
                        lp::SendMode::Auto => ik::SendCert::IfRequested,
                    },
                    send_request: match send_request {
                        lp::SendMode::Always => Some(true),
                        lp::SendMode::Never => Some(false),
                        lp::SendMode::Auto => None,
                    },
                };
                out.push(certs::signature_auth(provider, &store, req).map_err(what)?);
            }
        }
    }
    Ok(out)
}

fn ike_rule(
    p: &lp::Policy,
    r: &lp::IkeRule,
    provider: &CryptoProvider,
    keys: &dyn KeyStore,
    warnings: &mut Vec<String>,
) -> Result<ik::IkeRule, MapError> {
    let mut transforms = Vec::new();
    for t in r
        .transforms
        .iter()
        .filter_map(|t| p.ike_transforms.get(t.index()))
    {
        for (c, h, g) in t.combinations() {
            let unknown = |name: &str| MapError::UnknownAlgorithm {
                what: "IKETransform",
                name: name.into(),
            };
            transforms.push(ik::IkeTransform {
                cipher: provider.ike_cipher_by_name(c).ok_or_else(|| unknown(c))?,
                hash: provider.ike_hash_by_name(h).ok_or_else(|| unknown(h))?,
                group: provider.group_by_name(g).ok_or_else(|| unknown(g))?,
                lifetime_secs: t.lifetime_seconds,
                lifetime_kb: t.lifetime_kilobytes,
            });
        }
    }
    let mut peers = Vec::new();
    for peer in &r.peers {
        match peer {
            lp::PeerSpec::Range(ip) if ip.first == ip.last => {
                peers.push(ik::PeerMatch::Addr(ip.first))
            }
            lp::PeerSpec::Range(ip) => peers.push(ik::PeerMatch::Range(ip.first, ip.last)),
            lp::PeerSpec::Dns(name) => warnings.push(format!(
                "IKERule {}: peer name {name} is not resolved (no resolver)",
                r.name
            )),
        }
    }
    if !r.peers.is_empty() && peers.is_empty() {
        return Err(MapError::Unsupported(format!(
            "IKERule {}: no peer address usable",
            r.name
        )));
    }
    let first_auth = r
        .main_mode_auth
        .first()
        .or(r.aggressive_mode_auth.first())
        .and_then(|a| p.auth_methods.get(a.index()));
    let (local_id, remote_id) = match first_auth {
        Some(a) => (
            identity(p, a.local_id, false)?,
            identity(p, a.remote_id, true)?,
        ),
        None => (None, None),
    };
    let xauth = match r.xauth.mode {
        lp::XauthMode::None => None,
        lp::XauthMode::Client => {
            let user = r.xauth.user.clone().ok_or_else(|| {
                MapError::Unsupported(format!(
                    "IKERule {}: XAUTHMode = CLIENT needs XAUTHUser",
                    r.name
                ))
            })?;
            let secret = r.xauth.secret_name.clone().unwrap_or_default();
            let password = keys
                .preshared(&secret)
                .ok_or_else(|| MapError::MissingKey(secret.clone()))?;
            Some(ik::Xauth::Client {
                user,
                password: ik::PresharedKey(password),
            })
        }
        lp::XauthMode::Server => {
            return Err(MapError::Unsupported(format!(
                "IKERule {}: XAUTHMode = SERVER needs a user database (host callback)",
                r.name
            )));
        }
    };
    let modecfg = if r.request_address {
        ik::ModeCfg::Client { pull: true }
    } else if let Some(pool) = r.address_pool {
        ik::ModeCfg::Server {
            pool: pool.index(),
            push: false,
        }
    } else {
        ik::ModeCfg::Off
    };
    Ok(ik::IkeRule {
        xauth,
        modecfg,
        name: r.name.clone(),
        peers,
        main_mode_auth: auth_methods(p, &r.main_mode_auth, provider, keys)?,
        aggressive_auth: auth_methods(p, &r.aggressive_mode_auth, provider, keys)?,
        transforms,
        local_id,
        remote_id,
        nat_traversal: match r.nat_traversal {
            lp::NatTraversal::Enable => ik::NatTraversal::Enable,
            lp::NatTraversal::Disable => ik::NatTraversal::Disable,
            lp::NatTraversal::Force => ik::NatTraversal::Force,
        },
        dpd: ik::DpdConfig {
            interval: (r.dpd.interval > 0).then(|| Duration::from_secs(u64::from(r.dpd.interval))),
            retry_interval: Duration::from_secs(u64::from(r.dpd.retry_interval.max(1))),
            retries: r.dpd.retries,
        },
        initial_contact: true,
    })
}

fn esp_proposals(
    p: &lp::Policy,
    a: &lp::IpsecAction,
    provider: &CryptoProvider,
    warnings: &mut Vec<String>,
) -> Result<Vec<ik::EspTransform>, MapError> {
    let mut out = Vec::new();
    for choice in &a.proposals {
        if choice.ah.is_some() {
            warnings.push(format!(
                "IPsecAction {}: a proposal with AH is not offered (IKE negotiates ESP only)",
                a.name
            ));
            continue;
        }
        let Some(prop) = choice.esp.and_then(|e| p.proposals.get(e.index())) else {
            continue;
        };
        for t in prop
            .transforms
            .iter()
            .filter_map(|t| p.esp_transforms.get(t.index()))
        {
            let unknown = |name: &str| MapError::UnknownAlgorithm {
                what: "ESPTransform",
                name: name.into(),
            };
            let cipher = provider
                .esp_cipher_by_name(&t.cipher)
                .ok_or_else(|| unknown(&t.cipher))?;
            let integrity = match &t.integrity {
                Some(i) => Some(provider.integrity_by_name(i).ok_or_else(|| unknown(i))?),
                None => None,
            };
            let e = ik::EspTransform {
                cipher,
                integrity,
                lifetime_secs: t.lifetime_seconds,
                lifetime_kb: t.lifetime_kilobytes,
            };
            if !out.iter().any(|x: &ik::EspTransform| {
                core::ptr::eq(x.cipher, e.cipher)
                    && x.integrity.map(|i| i as *const _) == e.integrity.map(|i| i as *const _)
            }) {
                out.push(e);
            }
        }
    }
    if out.is_empty() {
        return Err(MapError::NoProposal(a.name.clone()));
    }
    Ok(out)
}

/// Source ranges, destination ranges, protocols, source ports, destination ports.
type SelectorElements = (
    Vec<(Ipv4Addr, Ipv4Addr)>,
    Vec<(Ipv4Addr, Ipv4Addr)>,
    Vec<u8>,
    Vec<u16>,
    Vec<u16>,
);

/// One element of a selector list as an IKE selector component: an address range, and a
/// single protocol/port or 0 (any) for a range.
fn elements(s: &lp::Selector) -> SelectorElements {
    let any = (Ipv4Addr::UNSPECIFIED, Ipv4Addr::BROADCAST);
    let addrs = |v: &[lp::IpRange]| -> Vec<(Ipv4Addr, Ipv4Addr)> {
        if v.is_empty() {
            alloc::vec![any]
        } else {
            v.iter().map(|r| (r.first, r.last)).collect()
        }
    };
    let protos: Vec<u8> = if s.protocols.is_empty() {
        alloc::vec![0]
    } else {
        s.protocols
            .iter()
            .map(|b| if b.first == b.last { b.first } else { 0 })
            .collect()
    };
    let ports = |v: &[lp::PortRange]| -> Vec<u16> {
        if v.is_empty() {
            alloc::vec![0]
        } else {
            v.iter()
                .map(|r| if r.first == r.last { r.first } else { 0 })
                .collect()
        }
    };
    (
        addrs(&s.source),
        addrs(&s.destination),
        protos,
        ports(&s.source_ports),
        ports(&s.destination_ports),
    )
}

/// Maps a compiled policy. `keys` supplies the pre-shared keys the policy names.
pub fn map_policy(
    p: &lp::Policy,
    provider: &CryptoProvider,
    keys: &dyn KeyStore,
) -> Result<Mapped, MapError> {
    let mut warnings = Vec::new();
    let filter = filter_config(p);
    filter
        .validate()
        .map_err(|e| MapError::Filter(e.to_string()))?;
    let (fw_base, ipsec_base) = filter_bases(p);
    let chain_ids = ipsec_chain_ids(p);

    let mut ike = ik::Config::default();
    let ip = &p.ike;
    ike.params = ik::IkeParameters {
        ike_port: ip.default_port,
        natt_port: ip.natt_port,
        send_retries: ip.send_retries,
        retry_time_base: Duration::from_secs(u64::from(ip.retry_time_base)),
        retry_time_max: Duration::from_secs(u64::from(ip.retry_time_max)),
        session_time_max: Duration::from_secs(u64::from(ip.session_time_max)),
        nat_keepalive: Duration::from_secs(u64::from(ip.nat_keepalive_interval)),
        ..ik::IkeParameters::default()
    };
    ike.params.fragment_size = ip.fragment_size;
    ike.limits.initiator_sessions_max = ip.initiator_sessions_max as usize;
    ike.pools = p
        .address_pools
        .iter()
        .map(|a| ik::AddressPool {
            name: a.name.clone(),
            ranges: a.addresses.iter().map(|r| (r.first, r.last)).collect(),
            tranche: 32,
            netmask: a.subnet_mask,
            dns: a.dns_servers.clone(),
            nbns: a.wins_servers.clone(),
            split: a
                .split_networks
                .iter()
                .map(|r| ik::Selector {
                    first: r.first,
                    last: r.last,
                    protocol: 0,
                    port: 0,
                })
                .collect(),
        })
        .collect();
    ike.limits.responder_sessions_max = ip.responder_sessions_max as usize;
    let mut ikecfg = Vec::new();
    for r in &p.ike_rules {
        ike.ike_rules
            .push(ike_rule(p, r, provider, keys, &mut warnings)?);
        ikecfg.push(IkecfgPlan {
            request_address: r.request_address,
            pool: r
                .address_pool
                .and_then(|a| p.address_pools.get(a.index()))
                .cloned(),
        });
    }

    let mut actions = Vec::new();
    for a in &p.ipsec_actions {
        let mut tunnels = Vec::new();
        for t in &a.tunnels {
            let peer = match &t.peer {
                Some(lp::PeerAddr::Ip(ip)) => Some(*ip),
                Some(lp::PeerAddr::Dns(name)) => {
                    warnings.push(format!(
                        "IPsecAction {}: tunnel peer {name} is not resolved (no resolver)",
                        a.name
                    ));
                    continue;
                }
                None => None,
            };
            tunnels.push(TunnelPlan {
                peer,
                local: t.local_address,
                df: df(t.df),
            });
        }
        actions.push(ActionPlan {
            name: a.name.clone(),
            tunnel: a.is_tunnel(),
            tunnels,
            fallback_drop: a.fallback == lp::Fallback::Drop,
            queue_size: a.packet_queue_size,
            requests_max: a.bundle_requests_max.max(1),
            pmtu_discovery: a.pmtu_discovery,
            ike_rule: a.ike_rule.map(|r| r.index()),
        });
    }

    let mut rules = Vec::new();
    for (ci, c) in p.ipsec_chains.iter().enumerate() {
        let base = ipsec_base.get(ci).copied().unwrap_or(0);
        for (i, r) in c.rules.iter().enumerate() {
            let lp::IpsecRuleAction::Protect(aid) = r.action else {
                continue;
            };
            let Some(a) = p.ipsec_actions.get(aid.index()) else {
                continue;
            };
            let plan = &actions[aid.index()];
            let proposals = esp_proposals(p, a, provider, &mut warnings)?;
            let pfs =
                match &a.pfs_group {
                    Some(g) => Some(provider.group_by_name(g).ok_or_else(|| {
                        MapError::UnknownAlgorithm {
                            what: "IPsecAction",
                            name: g.clone(),
                        }
                    })?),
                    None => None,
                };
            let peers: Vec<Ipv4Addr> = plan.tunnels.iter().filter_map(|t| t.peer).collect();
            let dynamic = plan.tunnels.iter().any(|t| t.peer.is_none());
            let peer = (plan.tunnel && peers.len() == 1 && !dynamic).then(|| peers[0]);
            let name = rule_name(&c.name, i, r);
            let (src, dst, protos, sports, dports) = elements(&r.selector);
            let count = src.len() * dst.len() * protos.len() * sports.len() * dports.len();
            if count > MAX_EXPANSION {
                return Err(MapError::TooManySelectors(name));
            }
            let first = ike.ipsec_rules.len();
            for &(sf, sl) in &src {
                for &(df_, dl) in &dst {
                    for &proto in &protos {
                        for &sp in &sports {
                            for &dp in &dports {
                                ike.ipsec_rules.push(ik::IpsecRule {
                                    name: name.clone(),
                                    action_name: a.name.clone(),
                                    local: ik::Selector {
                                        first: sf,
                                        last: sl,
                                        protocol: proto,
                                        port: sp,
                                    },
                                    remote: ik::Selector {
                                        first: df_,
                                        last: dl,
                                        protocol: proto,
                                        port: dp,
                                    },
                                    peer,
                                    mode: if plan.tunnel {
                                        ik::IpsecMode::Tunnel
                                    } else {
                                        ik::IpsecMode::Transport
                                    },
                                    proposals: proposals.clone(),
                                    pfs,
                                    ike_rule: plan.ike_rule,
                                    rekey: !plan.fallback_drop,
                                });
                            }
                        }
                    }
                }
            }
            rules.push(ProtectRule {
                filter: base + i as u32,
                chain: chain_ids.get(ci).copied().unwrap_or(0),
                name,
                action: aid.index(),
                ike_rules: first..ike.ipsec_rules.len(),
            });
        }
    }
    ike.validate().map_err(|e| MapError::Ike(e.to_string()))?;
    Ok(Mapped {
        filter,
        ike,
        actions,
        rules,
        ikecfg,
        fw_base,
        ipsec_base,
        warnings,
    })
}
