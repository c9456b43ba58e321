//! The compiled policy: plain typed data for the engine crates (ike/, esp/, filter/, agent/).
//!
//! Produced by [`mod@crate::compile`] from a checked document. Names are replaced by indices into
//! the policy's own vectors (typed ids), every default of lsp.md §5 is applied, and filter
//! chains hold their rules by value with `JumpTo` resolved to rule indices. Indices are
//! deterministic: structures are numbered in canonical print order, so the same text always
//! gives the same ids (lsp.md §9.5) and printing a policy back does not renumber it. Algorithm
//! names stay strings: the host maps them to its crypto provider. A few helpers answer questions
//! that only need this data (schedule activity, interface template matching); no packet logic
//! lives here.

use alloc::string::String;
use alloc::vec::Vec;
use core::net::Ipv4Addr;

use crate::time::{Date, Time, Weekday};

macro_rules! id_type {
    ($($(#[$m:meta])* $name:ident),* $(,)?) => {$(
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);
        impl $name {
            /// The index as `usize`.
            pub const fn index(self) -> usize {
                self.0 as usize
            }
        }
    )*};
}

id_type! {
    /// Index into [`Policy::identities`].
    IdentityId,
    /// Index into [`Policy::cert_descriptions`].
    CertDescId,
    /// Index into [`Policy::auth_methods`].
    AuthMethodId,
    /// Index into [`Policy::ike_transforms`].
    IkeTransformId,
    /// Index into [`Policy::address_pools`].
    AddressPoolId,
    /// Index into [`Policy::ike_rules`].
    IkeRuleId,
    /// Index into [`Policy::esp_transforms`] or [`Policy::ah_transforms`] (by the proposal's
    /// protocol).
    TransformId,
    /// Index into [`Policy::proposals`].
    ProposalId,
    /// Index into [`Policy::ipsec_actions`].
    IpsecActionId,
    /// Index into [`Policy::schedules`].
    ScheduleId,
    /// Index into [`Policy::firewall_chains`].
    FirewallChainId,
    /// Index into [`Policy::ipsec_chains`].
    IpsecChainId,
}

/// An inclusive IPv4 address range (a single address has `first == last`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IpRange {
    /// Lowest address.
    pub first: Ipv4Addr,
    /// Highest address.
    pub last: Ipv4Addr,
}

impl IpRange {
    /// Whether `a` is in the range.
    pub fn contains(&self, a: Ipv4Addr) -> bool {
        self.first <= a && a <= self.last
    }
}

/// An inclusive range of ports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortRange {
    /// Lowest.
    pub first: u16,
    /// Highest.
    pub last: u16,
}

impl PortRange {
    /// Whether `p` is in the range.
    pub fn contains(&self, p: u16) -> bool {
        self.first <= p && p <= self.last
    }
}

/// An inclusive range of one-byte values (protocol numbers, ICMP types and codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ByteRange {
    /// Lowest.
    pub first: u8,
    /// Highest.
    pub last: u8,
}

impl ByteRange {
    /// Whether `b` is in the range.
    pub fn contains(&self, b: u8) -> bool {
        self.first <= b && b <= self.last
    }
}

/// The whole policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// `GlobalParameters` (defaults when absent).
    pub global: Global,
    /// `IKEParameters` (defaults when absent).
    pub ike: IkeParameters,
    /// `LDAPSettings` (defaults when absent).
    pub ldap: LdapSettings,
    /// `CertDescription`s.
    pub cert_descriptions: Vec<CertDescription>,
    /// `IdentityEntry`s.
    pub identities: Vec<Identity>,
    /// `AuthMethod*`.
    pub auth_methods: Vec<AuthMethod>,
    /// `IKETransform`s and `IKETC26Transform`s.
    pub ike_transforms: Vec<IkeTransform>,
    /// `IKECFGAddressPool`s.
    pub address_pools: Vec<AddressPool>,
    /// `IKERule`s, in canonical order (the order of responder selection, lsp.md §7.5).
    pub ike_rules: Vec<IkeRule>,
    /// `AHTransform`s.
    pub ah_transforms: Vec<AhTransform>,
    /// `ESPTransform`s.
    pub esp_transforms: Vec<EspTransform>,
    /// `ESPProposal`, `AHProposal` and their TC26 variants.
    pub proposals: Vec<Proposal>,
    /// `IPsecAction`s.
    pub ipsec_actions: Vec<IpsecAction>,
    /// `Schedule`s.
    pub schedules: Vec<Schedule>,
    /// Chains of `Filter`s (interface firewalls and `IPsecAction.InputFilter`).
    pub firewall_chains: Vec<FirewallChain>,
    /// Chains of `FilteringRule`s (`NetworkInterface.IPsecPolicy`).
    pub ipsec_chains: Vec<IpsecChain>,
    /// `NetworkInterface`s in file order.
    pub interfaces: Vec<Interface>,
}

impl Policy {
    /// The `NetworkInterface` binding the engine interface `name` (lsp.md §6.1): the matching
    /// template with the highest `Priority`, the first in file order on a tie.
    pub fn interface_for(&self, name: &str) -> Option<&Interface> {
        let mut best: Option<&Interface> = None;
        for i in &self.interfaces {
            if i.matches(name) && best.is_none_or(|b| i.priority > b.priority) {
                best = Some(i);
            }
        }
        best
    }
}

/// `Version` of `GlobalParameters`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LspVersion {
    /// `LSP_4_0`
    V4_0,
    /// `LSP_4_1`
    V4_1,
    /// `LSP_4_2`
    V4_2,
    /// `LSP_4_3`
    V4_3,
}

/// `CRLHandlingMode` (lsp.md §7.8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CrlMode {
    /// CRLs are never consulted.
    Disable,
    /// Every certificate needs a current CRL.
    Enable,
    /// Local CRLs are used when present.
    Optional,
    /// Like `Optional`, and missing CRLs are fetched.
    BestEffort,
}

/// `GlobalParameters`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Global {
    /// `Title`.
    pub title: String,
    /// `Version`.
    pub version: LspVersion,
    /// `CRLHandlingMode`.
    pub crl_mode: CrlMode,
    /// `PreserveIPsecSA`: keep still-allowed SAs on reload.
    pub preserve_ipsec_sa: bool,
    /// `AllowNestedIPsec`: classify encapsulated packets again.
    pub allow_nested_ipsec: bool,
    /// The stateful TCP tracker settings.
    pub tcp: TcpSettings,
}

/// Stateful TCP tracker settings (the `drv_mgr` "lsp-managed" values, lsp.md §5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpSettings {
    /// `TCPStrictnessLevel` 0–6 (§7.7).
    pub strictness: u8,
    /// `TCPClosedTTL`, seconds.
    pub closed_ttl: u32,
    /// `TCPSynSentTTL`, seconds.
    pub syn_sent_ttl: u32,
    /// `TCPSynRcvdTTL`, seconds.
    pub syn_rcvd_ttl: u32,
    /// `TCPEstablishedTTL`, seconds.
    pub established_ttl: u32,
    /// `TCPFinTTL`, seconds.
    pub fin_ttl: u32,
    /// `TCPSessionsMax`.
    pub sessions_max: u32,
    /// `TCPHalfOpenMax`.
    pub half_open_max: u32,
    /// `TCPHalfOpenLow`.
    pub half_open_low: u32,
    /// `TCPConnRateMax` (per minute).
    pub conn_rate_max: u32,
    /// `TCPConnRateLow` (per minute).
    pub conn_rate_low: u32,
}

/// `IKEParameters`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IkeParameters {
    /// `DefaultPort`.
    pub default_port: u16,
    /// `SendRetries`.
    pub send_retries: u32,
    /// `RetryTimeBase`, seconds.
    pub retry_time_base: u32,
    /// `RetryTimeMax`, seconds.
    pub retry_time_max: u32,
    /// `SessionTimeMax`, seconds.
    pub session_time_max: u32,
    /// `FragmentSize`, bytes; 0 = IKE fragmentation off.
    pub fragment_size: u16,
    /// `NATTPort`.
    pub natt_port: u16,
    /// `NATKeepAliveInterval`, seconds; 0 = off.
    pub nat_keepalive_interval: u32,
    /// `InitiatorSessionsMax`.
    pub initiator_sessions_max: u32,
    /// `ResponderSessionsMax`.
    pub responder_sessions_max: u32,
    /// The `Blacklog*` values, stored but unused (lsp.md §5.1).
    pub blacklog: Blacklog,
}

/// The `Blacklog*` attributes of `IKEParameters`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Blacklog {
    /// `BlacklogSessionsMax`.
    pub sessions_max: Option<u32>,
    /// `BlacklogSessionsMin`.
    pub sessions_min: Option<u32>,
    /// `BlacklogSilentSessions`.
    pub silent_sessions: Option<u32>,
    /// `BlacklogRelaxTime`.
    pub relax_time: Option<u32>,
    /// `BlacklogMinDelay`.
    pub min_delay: Option<u32>,
    /// `BlacklogMaxDelay`.
    pub max_delay: Option<u32>,
}

/// `LDAPSettings` (seconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LdapSettings {
    /// `ResponseTimeout`.
    pub response_timeout: u32,
    /// `HoldConnectTimeout`.
    pub hold_connect_timeout: u32,
    /// `DropConnectTimeout`.
    pub drop_connect_timeout: u32,
}

/// `CertDescription`: a certificate matches when every written attribute matches one of its
/// alternatives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertDescription {
    /// Name (none when inline).
    pub name: Option<String>,
    /// Subject DN patterns.
    pub subject: Vec<String>,
    /// Issuer DN patterns.
    pub issuer: Vec<String>,
    /// Serial numbers, hex.
    pub serial_number: Vec<String>,
}

/// `IdentityEntry`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// Name.
    pub name: String,
    /// The identity.
    pub kind: IdentityKind,
}

/// What an `IdentityEntry` holds (at most one kind).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdentityKind {
    /// Empty entry: as local ID send our address (or certificate DN); as remote ID accept any.
    Default,
    /// `IPv4Address`: ID_IPV4_ADDR / ID_IPV4_ADDR_RANGE.
    Ipv4(Vec<IpRange>),
    /// `FQDN`.
    Fqdn(Vec<String>),
    /// `UserFQDN`.
    UserFqdn(Vec<String>),
    /// `X509SubjectDN`.
    SubjectDn(Vec<String>),
    /// `KeyID`, hex.
    KeyId(Vec<String>),
}

/// `SendCertMode` / `SendRequestMode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SendMode {
    /// Always.
    Always,
    /// Never.
    Never,
    /// Only when needed.
    Auto,
}

/// An authentication method.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthMethod {
    /// Name.
    pub name: String,
    /// `LocalID` (none = default identity).
    pub local_id: Option<IdentityId>,
    /// `RemoteID` (none = any).
    pub remote_id: Option<IdentityId>,
    /// Pre-shared key or signature.
    pub kind: AuthKind,
}

/// The kind of authentication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthKind {
    /// `AuthMethodPreshared`.
    Preshared {
        /// `SharedIKESecret`: the key's name in the PSK store (not key material).
        secret_name: String,
    },
    /// `AuthMethodDSSign` (or an alias).
    Signature {
        /// The type as written (`AuthMethodDSSign`, `AuthMethodGOSTSign`, `AuthMethodRSASign`).
        type_name: String,
        /// `LocalCredential`.
        local_credential: CertDescId,
        /// `RemoteCredential` (empty = any chaining to a trusted CA).
        remote_credentials: Vec<CertDescId>,
        /// `SendCertMode`.
        send_cert: SendMode,
        /// `SendRequestMode`.
        send_request: SendMode,
    },
}

/// `IKETransform` / `IKETC26Transform`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IkeTransform {
    /// Name (none when inline).
    pub name: Option<String>,
    /// Written as `IKETC26Transform`.
    pub tc26: bool,
    /// `CipherAlg` names.
    pub ciphers: Vec<String>,
    /// `HashAlg` names.
    pub hashes: Vec<String>,
    /// `GroupID` names.
    pub groups: Vec<String>,
    /// `LifetimeSeconds`.
    pub lifetime_seconds: u32,
    /// `LifetimeKilobytes` (0 = no volume limit).
    pub lifetime_kilobytes: u32,
}

impl IkeTransform {
    /// The ISAKMP transforms this expands to: cipher × hash × group in written order.
    pub fn combinations(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.ciphers.iter().flat_map(move |c| {
            self.hashes.iter().flat_map(move |h| {
                self.groups
                    .iter()
                    .map(move |g| (c.as_str(), h.as_str(), g.as_str()))
            })
        })
    }
}

/// `IKECFGAddressPool`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressPool {
    /// Name.
    pub name: String,
    /// `Addresses`.
    pub addresses: Vec<IpRange>,
    /// `SubnetMask`.
    pub subnet_mask: Option<Ipv4Addr>,
    /// `DNSServers`.
    pub dns_servers: Vec<Ipv4Addr>,
    /// `WINSServers`.
    pub wins_servers: Vec<Ipv4Addr>,
    /// `SplitNetworks`.
    pub split_networks: Vec<IpRange>,
}

/// `IKERule.PeerAddress` element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeerSpec {
    /// Address or range.
    Range(IpRange),
    /// DNS name.
    Dns(String),
}

/// `XAUTHMode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum XauthMode {
    /// No XAuth.
    None,
    /// We authenticate to the peer.
    Client,
    /// We ask the peer (verification is a host callback).
    Server,
}

/// XAuth settings of an IKE rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Xauth {
    /// `XAUTHMode`.
    pub mode: XauthMode,
    /// `XAUTHUser` (none: ask the host).
    pub user: Option<String>,
    /// `XAUTHSecret`: the password's name in the key store.
    pub secret_name: Option<String>,
}

/// `NATTraversal`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NatTraversal {
    /// Detect and switch when a NAT is found.
    Enable,
    /// Never.
    Disable,
    /// Always encapsulate.
    Force,
}

/// Dead-peer detection (RFC 3706) of an IKE rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dpd {
    /// `DPDInterval`, seconds; 0 = off.
    pub interval: u32,
    /// `DPDRetryInterval`, seconds.
    pub retry_interval: u32,
    /// `DPDRetries`.
    pub retries: u32,
}

/// `IKERule`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IkeRule {
    /// Name.
    pub name: String,
    /// `PeerAddress` (empty = any peer).
    pub peers: Vec<PeerSpec>,
    /// `DoAutopass`.
    pub do_autopass: bool,
    /// `MainModeAuthMethod`.
    pub main_mode_auth: Vec<AuthMethodId>,
    /// `AggrModeAuthMethod`.
    pub aggressive_mode_auth: Vec<AuthMethodId>,
    /// `Transform`, priority order.
    pub transforms: Vec<IkeTransformId>,
    /// `IKECFGRequestAddress`.
    pub request_address: bool,
    /// `IKECFGAddressPool`.
    pub address_pool: Option<AddressPoolId>,
    /// XAuth.
    pub xauth: Xauth,
    /// `NATTraversal`.
    pub nat_traversal: NatTraversal,
    /// DPD.
    pub dpd: Dpd,
}

/// `ESPTransform`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EspTransform {
    /// Name (none when inline).
    pub name: Option<String>,
    /// `CipherAlg` (`"NULL"` = no encryption).
    pub cipher: String,
    /// `IntegrityAlg` (none = no integrity).
    pub integrity: Option<String>,
    /// `LifetimeSeconds`.
    pub lifetime_seconds: u32,
    /// `LifetimeKilobytes` (0 = none).
    pub lifetime_kilobytes: u32,
}

/// `AHTransform`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AhTransform {
    /// Name (none when inline).
    pub name: Option<String>,
    /// `IntegrityAlg`.
    pub integrity: String,
    /// `LifetimeSeconds`.
    pub lifetime_seconds: u32,
    /// `LifetimeKilobytes` (0 = none).
    pub lifetime_kilobytes: u32,
}

/// IPsec protocol of a proposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// ESP.
    Esp,
    /// AH.
    Ah,
}

/// `ESPProposal`, `AHProposal` or a TC26 variant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    /// Name (none when inline).
    pub name: Option<String>,
    /// ESP or AH.
    pub protocol: Protocol,
    /// A TC26 proposal (offered only after an `IKETC26Transform` phase 1).
    pub tc26: bool,
    /// Transforms, highest priority first (into `esp_transforms` or `ah_transforms`).
    pub transforms: Vec<TransformId>,
}

/// One element of `ContainedProposals`: ESP alone, AH alone, or AH + ESP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ProposalChoice {
    /// AH proposal.
    pub ah: Option<ProposalId>,
    /// ESP proposal.
    pub esp: Option<ProposalId>,
}

/// `TunnelEntry.PeerAddress`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeerAddr {
    /// Address.
    Ip(Ipv4Addr),
    /// DNS name.
    Dns(String),
}

/// `DFHandling`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DfHandling {
    /// Copy from the inner header.
    Copy,
    /// Always clear.
    Clear,
    /// Always set.
    Set,
}

/// `TunnelEntry`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tunnel {
    /// `PeerAddress` (none = dynamic peer, responder only).
    pub peer: Option<PeerAddr>,
    /// `LocalAddress` (none = the outgoing interface's address).
    pub local_address: Option<Ipv4Addr>,
    /// `DFHandling`.
    pub df: DfHandling,
}

/// `FallbackAction`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fallback {
    /// Start IKE and queue.
    Negotiate,
    /// Drop (`SA bundle not found`).
    Drop,
}

/// `IPsecAction`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpsecAction {
    /// Name.
    pub name: String,
    /// `ContainedProposals`, decreasing priority.
    pub proposals: Vec<ProposalChoice>,
    /// `TunnelingParameters`, priority order (empty = transport mode).
    pub tunnels: Vec<Tunnel>,
    /// `InputFilter` applied after decapsulation.
    pub input_filter: Option<FirewallChainId>,
    /// `PFSGroup` (none = no PFS).
    pub pfs_group: Option<String>,
    /// `IKERule` pinned for initiation.
    pub ike_rule: Option<IkeRuleId>,
    /// `FallbackAction`.
    pub fallback: Fallback,
    /// `PacketQueueSize`.
    pub packet_queue_size: u32,
    /// `BundleRequestsMax`.
    pub bundle_requests_max: u32,
    /// `PMTUDiscovery`.
    pub pmtu_discovery: bool,
}

impl IpsecAction {
    /// Tunnel mode (some `TunnelEntry`), else transport mode.
    pub fn is_tunnel(&self) -> bool {
        !self.tunnels.is_empty()
    }
}

/// Packet classes of `PacketType` as a bit set (bits 1, 2, 4, 8 as in engine events).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PacketTypes(pub u8);

impl PacketTypes {
    /// To or from one of our unicast addresses.
    pub const LOCAL_UNICAST: u8 = 1;
    /// Broadcast or multicast.
    pub const LOCAL_BROADCAST: u8 = 2;
    /// Received by us but addressed to someone else's unicast address.
    pub const LOCAL_MISDIRECTED: u8 = 4;
    /// Forwarded through us.
    pub const TRANSIT: u8 = 8;
    /// No selector: any packet type.
    pub fn is_any(self) -> bool {
        self.0 == 0
    }
    /// Whether packets of class `bit` match.
    pub fn matches(self, bit: u8) -> bool {
        self.0 == 0 || self.0 & bit != 0
    }
}

/// The selectors of a rule; an empty list means "any" (lsp.md §5.5).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector {
    /// `SourceIPAddress`.
    pub source: Vec<IpRange>,
    /// `DestinationIPAddress`.
    pub destination: Vec<IpRange>,
    /// `ProtocolID`.
    pub protocols: Vec<ByteRange>,
    /// `SourcePort`.
    pub source_ports: Vec<PortRange>,
    /// `DestinationPort`.
    pub destination_ports: Vec<PortRange>,
    /// `ICMPType`.
    pub icmp_types: Vec<ByteRange>,
    /// `ICMPCode`.
    pub icmp_codes: Vec<ByteRange>,
    /// `PacketType`.
    pub packet_types: PacketTypes,
}

/// A chain's verdict when nothing matches, and `Filter` terminal actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Pass.
    Pass,
    /// Drop.
    Drop,
}

/// What a firewall rule does on a match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FirewallAction {
    /// `Action = PASS`.
    Pass,
    /// `Action = DROP`.
    Drop,
    /// `JumpTo`: continue at this rule index of the same chain (always later).
    Jump(usize),
}

/// A `Filter` inside a chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FirewallRule {
    /// Name (none when inline).
    pub name: Option<String>,
    /// Selectors.
    pub selector: Selector,
    /// `Schedule` (rule skipped while inactive).
    pub schedule: Option<ScheduleId>,
    /// `Log`.
    pub log: bool,
    /// `Label`.
    pub label: Option<String>,
    /// `Action` or `JumpTo`.
    pub action: FirewallAction,
    /// `TCPStateful`.
    pub tcp_stateful: bool,
    /// `FTPInspection`.
    pub ftp_inspection: bool,
}

/// A `FilterChain` of `Filter`s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FirewallChain {
    /// Name.
    pub name: String,
    /// Rules, first match wins.
    pub rules: Vec<FirewallRule>,
    /// `DefaultAction`.
    pub default_action: Verdict,
}

/// What an IPsec policy rule does on a match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IpsecRuleAction {
    /// Clear.
    Pass,
    /// Drop (`IPsec policy`).
    Drop,
    /// Apply the IPsec action.
    Protect(IpsecActionId),
}

/// A `FilteringRule` inside a chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpsecRule {
    /// Name.
    pub name: Option<String>,
    /// Selectors, written from this host's point of view (§7.4).
    pub selector: Selector,
    /// `Schedule`.
    pub schedule: Option<ScheduleId>,
    /// `Log`.
    pub log: bool,
    /// `Action` / `IPsecAction`.
    pub action: IpsecRuleAction,
}

/// A `FilterChain` of `FilteringRule`s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpsecChain {
    /// Name.
    pub name: String,
    /// Rules, first match wins.
    pub rules: Vec<IpsecRule>,
    /// `DefaultAction`.
    pub default_action: Verdict,
}

/// A `TimeOfDay` window `start..end` (end excluded; wraps past midnight when `end < start`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimeWindow {
    /// First second.
    pub start: Time,
    /// First second after.
    pub end: Time,
}

/// `Schedule`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// Name.
    pub name: String,
    /// `DaysOfWeek` as a mask, Monday = bit 0 (all seven when absent).
    pub days: u8,
    /// `TimeOfDay` windows (empty = whole day).
    pub windows: Vec<TimeWindow>,
    /// `ValidFrom` (inclusive).
    pub valid_from: Option<Date>,
    /// `ValidTo` (inclusive).
    pub valid_to: Option<Date>,
}

impl Schedule {
    fn day_on(&self, d: Weekday) -> bool {
        self.days & d.bit() != 0
    }

    /// Whether the schedule is active at local `date` and `time` (lsp.md §5.5): the date is
    /// within the limits, and the moment lies in a window that starts on an enabled day — a
    /// window wrapping past midnight belongs to the day it starts on.
    pub fn is_active(&self, date: Date, time: Time) -> bool {
        if self.valid_from.is_some_and(|f| date < f) || self.valid_to.is_some_and(|t| date > t) {
            return false;
        }
        let today = date.weekday();
        if self.windows.is_empty() {
            return self.day_on(today);
        }
        let t = time.seconds();
        self.windows.iter().any(|w| {
            let (s, e) = (w.start.seconds(), w.end.seconds());
            if s < e {
                self.day_on(today) && s <= t && t < e
            } else {
                (self.day_on(today) && t >= s) || (self.day_on(today.pred()) && t < e)
            }
        })
    }
}

/// `NetworkInterface`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interface {
    /// `LogicalName` template (`*` any run, `?` one character).
    pub logical_name: String,
    /// `Priority`.
    pub priority: u32,
    /// `InputFilter`.
    pub input_filter: Option<FirewallChainId>,
    /// `OutputFilter`.
    pub output_filter: Option<FirewallChainId>,
    /// `IPsecPolicy`.
    pub ipsec_policy: Option<IpsecChainId>,
}

impl Interface {
    /// Whether the template matches the engine interface `name`.
    pub fn matches(&self, name: &str) -> bool {
        glob(self.logical_name.as_bytes(), name.as_bytes())
    }
}

/// Wildcard match with `*` and `?` (linear-time greedy with one backtrack point).
fn glob(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, si));
                pi += 1;
            }
            Some(&c) if c == b'?' || c == s[si] => {
                pi += 1;
                si += 1;
            }
            _ => match star {
                Some((sp, ss)) => {
                    pi = sp + 1;
                    si = ss + 1;
                    star = Some((sp, ss + 1));
                }
                None => return false,
            },
        }
    }
    p[pi.min(p.len())..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globbing() {
        for (p, s, want) in [
            ("*", "eth0", true),
            ("*", "", true),
            ("eth*", "eth0", true),
            ("eth*", "wlan0", false),
            ("eth?", "eth0", true),
            ("eth?", "eth10", false),
            ("e*h*1", "eth0eth1", true),
            ("eth0", "eth0", true),
            ("eth0", "eth00", false),
            ("", "", true),
            ("", "x", false),
        ] {
            assert_eq!(glob(p.as_bytes(), s.as_bytes()), want, "{p} {s}");
        }
    }
}
