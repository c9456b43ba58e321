//! The schema: every structure and attribute of lsp.md §5 as data.
//!
//! The checker, the printer and the compat mode are driven by [`STRUCTURES`]; adding a structure
//! or an attribute found in a real S-Terra file is one line here ([`AttrDef`] rows are built with
//! `const fn`s so that a row reads `attr("DefaultPort", UInt(1, 65535), S).int(500)`). Cross-
//! attribute constraints are data too ([`Constraint`]); the few rules that need code are named
//! by [`Rule`] and implemented in [`mod@crate::check`]. This module holds no logic beyond lookups.

use crate::catalog::AlgClass;

/// Where a name comes from (lsp.md legend). Compat printing (§8.1) refuses [`Prov::Z`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prov {
    /// Verified on a doc.s-terra.ru page.
    V,
    /// Appears in the Bel VPN Client 4.1 guide.
    S,
    /// Recalled S-Terra usage.
    R,
    /// Zubr decision: never emitted in compat mode.
    Z,
}

/// How a structure may be named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Naming {
    /// Must have a name (top-level or inline).
    Named,
    /// Named at top level; may be anonymous when written inline.
    NamedOrInline,
    /// Never named; may repeat (`NetworkInterface`).
    Anonymous,
    /// Never named, at most once (`GlobalParameters`, `IKEParameters`, `LDAPSettings`).
    Singleton,
}

/// The kind of chain a reference needs (lsp.md §5.5–5.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainKind {
    /// A chain of `Filter`s (firewall, `IPsecAction.InputFilter`).
    Firewall,
    /// A chain of `FilteringRule`s (`NetworkInterface.IPsecPolicy`).
    Ipsec,
}

/// Value types (lsp.md §4.1). For a list attribute this is the element type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// `TRUE` / `FALSE`.
    Bool,
    /// An integer within bounds.
    UInt(u32, u32),
    /// One of the identifiers.
    Enum(&'static [&'static str]),
    /// One of the identifiers, also accepted as a string (`Version`).
    EnumOrStr(&'static [&'static str]),
    /// Any string.
    Str,
    /// A string of hex digits (`KeyID`, `SerialNumber`).
    HexStr,
    /// One IPv4 address.
    Ip,
    /// A contiguous netmask.
    NetMask,
    /// IpSet element: an address or `a..b`.
    IpRange,
    /// `IKERule.PeerAddress` element: address, range or DNS name string.
    PeerSpec,
    /// `TunnelEntry.PeerAddress`: a non-zero address or a DNS name string.
    PeerAddr,
    /// PortSet / ProtoSet element: an integer or range within bounds.
    IntRange(u32, u32),
    /// A date.
    Date,
    /// `HH:MM..HH:MM` (may wrap past midnight, may not be empty).
    TimeRange,
    /// Reference (name or inline structure) to one of the types.
    Ref(&'static [&'static str]),
    /// Reference to a `FilterChain` of the given kind.
    Chain(ChainKind),
    /// A bare identifier that is not a reference (`Label`, `JumpTo`).
    Label,
    /// An algorithm name string checked with the catalog.
    Alg(AlgClass),
    /// A DH group identifier checked with the catalog; `true` also allows `NONE`.
    Group(bool),
    /// `ContainedProposals` element: `esp`, `(ah)`, `(ah, esp)` (and `(esp)`).
    Proposal,
}

/// Default value of an attribute, used by checks and the compiler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dflt {
    /// No default: absent means "not set" with the attribute's documented meaning.
    None,
    /// Integer.
    Int(u32),
    /// Boolean.
    Bool(bool),
    /// Identifier (enumeration value).
    Ident(&'static str),
    /// String.
    Str(&'static str),
}

/// One attribute of a structure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttrDef {
    /// Name (case-sensitive).
    pub name: &'static str,
    /// Value (or element) type.
    pub ty: Ty,
    /// Multi-valued: written with `*=`.
    pub list: bool,
    /// Must be present.
    pub required: bool,
    /// Value when absent.
    pub default: Dflt,
    /// Provenance of the name.
    pub prov: Prov,
}

/// Starts an attribute row.
pub const fn attr(name: &'static str, ty: Ty, prov: Prov) -> AttrDef {
    AttrDef {
        name,
        ty,
        list: false,
        required: false,
        default: Dflt::None,
        prov,
    }
}

impl AttrDef {
    /// Multi-valued.
    pub const fn list(self) -> Self {
        AttrDef { list: true, ..self }
    }
    /// Required.
    pub const fn req(self) -> Self {
        AttrDef {
            required: true,
            ..self
        }
    }
    /// Integer default.
    pub const fn int(self, v: u32) -> Self {
        AttrDef {
            default: Dflt::Int(v),
            ..self
        }
    }
    /// Boolean default.
    pub const fn bool(self, v: bool) -> Self {
        AttrDef {
            default: Dflt::Bool(v),
            ..self
        }
    }
    /// Identifier default.
    pub const fn ident(self, v: &'static str) -> Self {
        AttrDef {
            default: Dflt::Ident(v),
            ..self
        }
    }
    /// String default.
    pub const fn str(self, v: &'static str) -> Self {
        AttrDef {
            default: Dflt::Str(v),
            ..self
        }
    }
}

/// Cross-attribute constraints (lsp.md §4.2 rule 6) that need no code. Conditions compare the
/// attribute's effective value (written, else default) with identifiers or strings by text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Constraint {
    /// The first attribute's value must not exceed the second's (integers or dates).
    LessEq(&'static str, &'static str),
    /// At most one of these may be written.
    AtMostOne(&'static [&'static str]),
    /// At least one of these must be written.
    AtLeastOne(&'static [&'static str]),
    /// `attr` is required when `when`'s value is one of `is`.
    Require {
        /// The attribute that becomes required.
        attr: &'static str,
        /// The deciding attribute.
        when: &'static str,
        /// Its triggering values.
        is: &'static [&'static str],
    },
    /// `attr` may not be written (with a non-default value) when `when`'s value is one of `is`.
    Forbid {
        /// The forbidden attribute.
        attr: &'static str,
        /// The deciding attribute.
        when: &'static str,
        /// Its triggering values.
        is: &'static [&'static str],
    },
}

/// Checks that need code, implemented in [`mod@crate::check`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// `FilterChain`: no mixing of `Filter` and `FilteringRule`; labels unique; `JumpTo` forward.
    ChainRules,
    /// `IPsecAction`: `FallbackAction = NEGOTIATE` in tunnel mode needs a `PeerAddress`.
    NegotiateNeedsPeer,
    /// `ESPTransform`: an AEAD cipher takes no `IntegrityAlg`.
    AeadNoIntegrity,
    /// Algorithms of an IKE transform match its suite (TC26 or not).
    IkeSuite,
    /// Transforms of a proposal match its suite (TC26 or not).
    ProposalSuite,
}

/// One structure type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StructDef {
    /// Type name (case-sensitive).
    pub name: &'static str,
    /// Canonical type when this is an accepted alias (`AuthMethodGOSTSign` → `AuthMethodDSSign`).
    pub alias_of: Option<&'static str>,
    /// Naming rule.
    pub naming: Naming,
    /// Provenance of the name.
    pub prov: Prov,
    /// Printing order among structure types (lsp.md §8).
    pub rank: u8,
    /// Belongs to the TC26 suite: needs `Version = LSP_4_2` or later (warning otherwise).
    pub tc26: bool,
    /// Attributes.
    pub attrs: &'static [AttrDef],
    /// Table constraints.
    pub constraints: &'static [Constraint],
    /// Coded rules.
    pub rules: &'static [Rule],
}

impl StructDef {
    /// The attribute called `name`.
    pub fn attr(&self, name: &str) -> Option<&'static AttrDef> {
        self.attrs.iter().find(|a| a.name == name)
    }
    /// The type this one stands for (itself unless an alias).
    pub fn canonical(&self) -> &'static str {
        self.alias_of.unwrap_or(self.name)
    }
}

/// The structure called `name`.
pub fn lookup(name: &str) -> Option<&'static StructDef> {
    STRUCTURES.iter().find(|s| s.name == name)
}

/// Printing rank of a `FilterChain` holding `FilteringRule`s (after `FilteringRule`).
pub const RANK_IPSEC_CHAIN: u8 = 19;
/// Printing rank of structures unknown to the table (lenient mode).
pub const RANK_UNKNOWN: u8 = 21;

use Prov::{R, S, V, Z};
use Ty::*;

const fn sd(
    name: &'static str,
    naming: Naming,
    prov: Prov,
    rank: u8,
    attrs: &'static [AttrDef],
) -> StructDef {
    StructDef {
        name,
        alias_of: None,
        naming,
        prov,
        rank,
        tc26: false,
        attrs,
        constraints: &[],
        rules: &[],
    }
}

impl StructDef {
    const fn with(self, constraints: &'static [Constraint]) -> Self {
        StructDef {
            constraints,
            ..self
        }
    }
    const fn rules(self, rules: &'static [Rule]) -> Self {
        StructDef { rules, ..self }
    }
    const fn tc26(self) -> Self {
        StructDef { tc26: true, ..self }
    }
    const fn alias(self, of: &'static str) -> Self {
        StructDef {
            alias_of: Some(of),
            ..self
        }
    }
}

/// Reference targets.
pub const IDENTITY: &[&str] = &["IdentityEntry"];
/// `CertDescription`.
pub const CERT: &[&str] = &["CertDescription"];
/// Every authentication method type (aliases included).
pub const AUTH_METHODS: &[&str] = &[
    "AuthMethodPreshared",
    "AuthMethodDSSign",
    "AuthMethodGOSTSign",
    "AuthMethodRSASign",
];
/// IKE transform types.
pub const IKE_TRANSFORMS: &[&str] = &["IKETransform", "IKETC26Transform"];
/// ESP proposal types.
pub const ESP_PROPOSALS: &[&str] = &["ESPProposal", "ESPTC26Proposal"];
/// AH proposal types.
pub const AH_PROPOSALS: &[&str] = &["AHProposal", "AHTC26Proposal"];
/// Chain elements.
pub const CHAIN_ELEMENTS: &[&str] = &["Filter", "FilteringRule"];

/// Values of `Version`.
pub const VERSIONS: &[&str] = &["LSP_4_0", "LSP_4_1", "LSP_4_2", "LSP_4_3"];
const CRL_MODES: &[&str] = &["DISABLE", "ENABLE", "OPTIONAL", "BEST_EFFORT"];
const SEND_MODES: &[&str] = &["ALWAYS", "NEVER", "AUTO"];
const XAUTH_MODES: &[&str] = &["NONE", "CLIENT", "SERVER"];
const NATT_MODES: &[&str] = &["ENABLE", "DISABLE", "FORCE"];
const FALLBACK: &[&str] = &["NEGOTIATE", "DROP"];
const DF_MODES: &[&str] = &["COPY", "CLEAR", "SET"];
const PASS_DROP: &[&str] = &["PASS", "DROP"];
const RULE_ACTIONS: &[&str] = &["PASS", "DROP", "PROTECT"];
/// Values of `PacketType`, in bit order 1, 2, 4, 8.
pub const PACKET_TYPES: &[&str] = &[
    "LOCAL_UNICAST",
    "LOCAL_BROADCAST",
    "LOCAL_MISDIRECTED",
    "TRANSIT",
];
/// Values of `DaysOfWeek`, Monday first.
pub const DAYS: &[&str] = &["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];
const MAX: u32 = u32::MAX;

const GLOBAL: &[AttrDef] = &[
    attr("Title", Str, S).str(""),
    attr("Version", EnumOrStr(VERSIONS), S).ident("LSP_4_0"),
    attr("CRLHandlingMode", Enum(CRL_MODES), S).ident("BEST_EFFORT"),
    attr("PreserveIPsecSA", Bool, R).bool(false),
    attr("AllowNestedIPsec", Bool, S).bool(false),
    attr("TCPStrictnessLevel", UInt(0, 6), S).int(3),
    attr("TCPClosedTTL", UInt(1, 65535), Z).int(5),
    attr("TCPSynSentTTL", UInt(1, 65535), Z).int(30),
    attr("TCPSynRcvdTTL", UInt(1, 65535), Z).int(60),
    attr("TCPEstablishedTTL", UInt(1, 65535), Z).int(3600),
    attr("TCPFinTTL", UInt(1, 65535), Z).int(30),
    attr("TCPSessionsMax", UInt(0, 1_000_000), Z).int(65536),
    attr("TCPHalfOpenMax", UInt(0, 1_000_000), Z).int(500),
    attr("TCPHalfOpenLow", UInt(0, 1_000_000), Z).int(400),
    attr("TCPConnRateMax", UInt(0, MAX), Z).int(500),
    attr("TCPConnRateLow", UInt(0, MAX), Z).int(400),
];

const IKE_PARAMS: &[AttrDef] = &[
    attr("DefaultPort", UInt(1, 65535), S).int(500),
    attr("SendRetries", UInt(0, 100), S).int(5),
    attr("RetryTimeBase", UInt(1, 3600), S).int(1),
    attr("RetryTimeMax", UInt(1, 3600), S).int(30),
    attr("SessionTimeMax", UInt(1, 86400), S).int(60),
    attr("FragmentSize", UInt(0, 65535), V).int(576),
    attr("NATTPort", UInt(1, 65535), Z).int(4500),
    attr("NATKeepAliveInterval", UInt(0, 3600), Z).int(20),
    attr("InitiatorSessionsMax", UInt(0, MAX), R).int(30),
    attr("ResponderSessionsMax", UInt(0, MAX), R).int(20),
    attr("BlacklogSessionsMax", UInt(0, MAX), R),
    attr("BlacklogSessionsMin", UInt(0, MAX), R),
    attr("BlacklogSilentSessions", UInt(0, MAX), R),
    attr("BlacklogRelaxTime", UInt(0, MAX), R),
    attr("BlacklogMinDelay", UInt(0, MAX), R),
    attr("BlacklogMaxDelay", UInt(0, MAX), R),
];

const LDAP: &[AttrDef] = &[
    attr("ResponseTimeout", UInt(0, MAX), S).int(200),
    attr("HoldConnectTimeout", UInt(0, MAX), S).int(60),
    attr("DropConnectTimeout", UInt(0, MAX), S).int(5),
];

const IDENTITY_ATTRS: &[AttrDef] = &[
    attr("IPv4Address", IpRange, Z).list(),
    attr("FQDN", Str, R).list(),
    attr("UserFQDN", Str, R).list(),
    attr("X509SubjectDN", Str, V).list(),
    attr("KeyID", HexStr, Z).list(),
];

const CERT_ATTRS: &[AttrDef] = &[
    attr("Subject", Str, R).list(),
    attr("Issuer", Str, R).list(),
    attr("SerialNumber", HexStr, R).list(),
];

const PSK_ATTRS: &[AttrDef] = &[
    attr("SharedIKESecret", Str, S).req(),
    attr("LocalID", Ref(IDENTITY), S),
    attr("RemoteID", Ref(IDENTITY), R),
];

const SIGN_ATTRS: &[AttrDef] = &[
    attr("LocalID", Ref(IDENTITY), R),
    attr("RemoteID", Ref(IDENTITY), R),
    attr("LocalCredential", Ref(CERT), R).req(),
    attr("RemoteCredential", Ref(CERT), R).list(),
    attr("SendCertMode", Enum(SEND_MODES), R).ident("AUTO"),
    attr("SendRequestMode", Enum(SEND_MODES), R).ident("ALWAYS"),
];

const IKE_TRANSFORM_ATTRS: &[AttrDef] = &[
    attr("CipherAlg", Alg(AlgClass::IkeCipher), R).list().req(),
    attr("HashAlg", Alg(AlgClass::IkeHash), R).list().req(),
    attr("GroupID", Group(false), R).list().req(),
    attr("LifetimeSeconds", UInt(60, MAX), R).int(28800),
    attr("LifetimeKilobytes", UInt(0, MAX), R).int(0),
];

const IKE_RULE_ATTRS: &[AttrDef] = &[
    attr("PeerAddress", PeerSpec, Z).list(),
    attr("DoAutopass", Bool, R).bool(true),
    attr("MainModeAuthMethod", Ref(AUTH_METHODS), R).list(),
    attr("AggrModeAuthMethod", Ref(AUTH_METHODS), R).list(),
    attr("Transform", Ref(IKE_TRANSFORMS), R).list().req(),
    attr("IKECFGRequestAddress", Bool, V).bool(false),
    attr("IKECFGAddressPool", Ref(&["IKECFGAddressPool"]), Z),
    attr("XAUTHMode", Enum(XAUTH_MODES), Z).ident("NONE"),
    attr("XAUTHUser", Str, Z),
    attr("XAUTHSecret", Str, Z),
    attr("NATTraversal", Enum(NATT_MODES), Z).ident("ENABLE"),
    attr("DPDInterval", UInt(0, MAX), Z).int(0),
    attr("DPDRetryInterval", UInt(0, MAX), Z).int(5),
    attr("DPDRetries", UInt(0, MAX), Z).int(3),
];

const POOL_ATTRS: &[AttrDef] = &[
    attr("Addresses", IpRange, Z).list().req(),
    attr("SubnetMask", NetMask, Z),
    attr("DNSServers", Ip, Z).list(),
    attr("WINSServers", Ip, Z).list(),
    attr("SplitNetworks", IpRange, Z).list(),
];

const ESP_TRANSFORM_ATTRS: &[AttrDef] = &[
    attr("CipherAlg", Alg(AlgClass::EspCipher), R).req(),
    attr("IntegrityAlg", Alg(AlgClass::Integrity), V),
    attr("LifetimeSeconds", UInt(0, MAX), R).int(3600),
    attr("LifetimeKilobytes", UInt(0, MAX), R).int(4_608_000),
];

const AH_TRANSFORM_ATTRS: &[AttrDef] = &[
    attr("IntegrityAlg", Alg(AlgClass::Integrity), R).req(),
    attr("LifetimeSeconds", UInt(0, MAX), R).int(3600),
    attr("LifetimeKilobytes", UInt(0, MAX), R).int(4_608_000),
];

const ESP_PROPOSAL_ATTRS: &[AttrDef] = &[attr("Transform", Ref(&["ESPTransform"]), V).list().req()];
const AH_PROPOSAL_ATTRS: &[AttrDef] = &[attr("Transform", Ref(&["AHTransform"]), V).list().req()];

const ACTION_ATTRS: &[AttrDef] = &[
    attr("ContainedProposals", Proposal, V).list().req(),
    attr("TunnelingParameters", Ref(&["TunnelEntry"]), R).list(),
    attr("InputFilter", Chain(ChainKind::Firewall), V),
    attr("PFSGroup", Group(true), Z).ident("NONE"),
    attr("IKERule", Ref(&["IKERule"]), Z),
    attr("FallbackAction", Enum(FALLBACK), Z).ident("NEGOTIATE"),
    attr("PacketQueueSize", UInt(0, 1024), Z).int(8),
    attr("BundleRequestsMax", UInt(1, 1000), Z).int(8),
    attr("PMTUDiscovery", Bool, Z).bool(true),
];

const TUNNEL_ATTRS: &[AttrDef] = &[
    attr("PeerAddress", PeerAddr, R),
    attr("LocalAddress", Ip, Z),
    attr("DFHandling", Enum(DF_MODES), S).ident("COPY"),
];

const CHAIN_ATTRS: &[AttrDef] = &[
    attr("Filters", Ref(CHAIN_ELEMENTS), R).list(),
    attr("DefaultAction", Enum(PASS_DROP), Z).ident("DROP"),
];

/// Selector attributes shared by `Filter` and `FilteringRule` (lsp.md §5.5).
macro_rules! selectors {
    ($($extra:expr),* $(,)?) => {
        &[
            attr("SourceIPAddress", IpRange, R).list(),
            attr("DestinationIPAddress", IpRange, R).list(),
            attr("ProtocolID", IntRange(0, 255), R).list(),
            attr("SourcePort", IntRange(0, 65535), R).list(),
            attr("DestinationPort", IntRange(0, 65535), R).list(),
            attr("ICMPType", IntRange(0, 255), Z).list(),
            attr("ICMPCode", IntRange(0, 255), Z).list(),
            attr("PacketType", Enum(PACKET_TYPES), S).list(),
            attr("Schedule", Ref(&["Schedule"]), S),
            attr("Log", Bool, Z).bool(false),
            $($extra),*
        ]
    };
}

const FILTER_ATTRS: &[AttrDef] = selectors![
    attr("Action", Enum(PASS_DROP), R),
    attr("Label", Label, S),
    attr("JumpTo", Label, Z),
    attr("TCPStateful", Bool, Z).bool(false),
    attr("FTPInspection", Bool, Z).bool(false),
];

const RULE_ATTRS: &[AttrDef] = selectors![
    attr("Action", Enum(RULE_ACTIONS), Z),
    attr("IPsecAction", Ref(&["IPsecAction"]), S),
];

const SCHEDULE_ATTRS: &[AttrDef] = &[
    attr("DaysOfWeek", Enum(DAYS), Z).list(),
    attr("TimeOfDay", TimeRange, Z).list(),
    attr("ValidFrom", Date, Z),
    attr("ValidTo", Date, Z),
];

const INTERFACE_ATTRS: &[AttrDef] = &[
    attr("LogicalName", Str, V).str("*"),
    attr("Priority", UInt(0, MAX), Z).int(0),
    attr("InputFilter", Chain(ChainKind::Firewall), V),
    attr("OutputFilter", Chain(ChainKind::Firewall), V),
    attr("IPsecPolicy", Chain(ChainKind::Ipsec), Z),
];

use Constraint::{AtLeastOne, AtMostOne, Forbid, LessEq, Require};
use Naming::{Anonymous, Named, NamedOrInline, Singleton};

/// Every structure type Zubr knows, one entry per type.
pub static STRUCTURES: &[StructDef] = &[
    sd("GlobalParameters", Singleton, S, 0, GLOBAL).with(&[
        LessEq("TCPHalfOpenLow", "TCPHalfOpenMax"),
        LessEq("TCPConnRateLow", "TCPConnRateMax"),
    ]),
    sd("LDAPSettings", Singleton, S, 1, LDAP),
    sd("CertDescription", NamedOrInline, R, 2, CERT_ATTRS),
    sd("IdentityEntry", Named, S, 3, IDENTITY_ATTRS).with(&[AtMostOne(&[
        "IPv4Address",
        "FQDN",
        "UserFQDN",
        "X509SubjectDN",
        "KeyID",
    ])]),
    sd("AuthMethodPreshared", Named, S, 4, PSK_ATTRS),
    sd("AuthMethodDSSign", Named, R, 4, SIGN_ATTRS),
    sd("AuthMethodGOSTSign", Named, R, 4, SIGN_ATTRS).alias("AuthMethodDSSign"),
    sd("AuthMethodRSASign", Named, R, 4, SIGN_ATTRS).alias("AuthMethodDSSign"),
    sd("IKEParameters", Singleton, S, 5, IKE_PARAMS)
        .with(&[LessEq("RetryTimeBase", "RetryTimeMax")]),
    sd("IKETransform", NamedOrInline, R, 6, IKE_TRANSFORM_ATTRS).rules(&[Rule::IkeSuite]),
    sd("IKETC26Transform", NamedOrInline, V, 7, IKE_TRANSFORM_ATTRS)
        .tc26()
        .rules(&[Rule::IkeSuite]),
    sd("IKECFGAddressPool", Named, Z, 8, POOL_ATTRS),
    sd("IKERule", Named, S, 9, IKE_RULE_ATTRS).with(&[
        AtLeastOne(&["MainModeAuthMethod", "AggrModeAuthMethod"]),
        Forbid {
            attr: "XAUTHUser",
            when: "XAUTHMode",
            is: &["NONE", "SERVER"],
        },
        Forbid {
            attr: "XAUTHSecret",
            when: "XAUTHMode",
            is: &["NONE", "SERVER"],
        },
        Forbid {
            attr: "IKECFGAddressPool",
            when: "IKECFGRequestAddress",
            is: &["TRUE"],
        },
    ]),
    sd("AHTransform", NamedOrInline, R, 10, AH_TRANSFORM_ATTRS),
    sd("ESPTransform", NamedOrInline, R, 11, ESP_TRANSFORM_ATTRS)
        .with(&[Require {
            attr: "IntegrityAlg",
            when: "CipherAlg",
            is: &["NULL"],
        }])
        .rules(&[Rule::AeadNoIntegrity]),
    sd("AHProposal", NamedOrInline, V, 12, AH_PROPOSAL_ATTRS).rules(&[Rule::ProposalSuite]),
    sd("ESPProposal", NamedOrInline, V, 12, ESP_PROPOSAL_ATTRS).rules(&[Rule::ProposalSuite]),
    sd("AHTC26Proposal", NamedOrInline, V, 12, AH_PROPOSAL_ATTRS)
        .tc26()
        .rules(&[Rule::ProposalSuite]),
    sd("ESPTC26Proposal", NamedOrInline, V, 12, ESP_PROPOSAL_ATTRS)
        .tc26()
        .rules(&[Rule::ProposalSuite]),
    sd("Schedule", Named, S, 13, SCHEDULE_ATTRS).with(&[LessEq("ValidFrom", "ValidTo")]),
    sd("Filter", NamedOrInline, S, 14, FILTER_ATTRS).with(&[
        AtLeastOne(&["Action", "JumpTo"]),
        AtMostOne(&["Action", "JumpTo"]),
        Forbid {
            attr: "FTPInspection",
            when: "TCPStateful",
            is: &["FALSE"],
        },
        Forbid {
            attr: "TCPStateful",
            when: "Action",
            is: &["DROP"],
        },
    ]),
    sd("FilterChain", Named, V, 15, CHAIN_ATTRS).rules(&[Rule::ChainRules]),
    sd("TunnelEntry", NamedOrInline, R, 16, TUNNEL_ATTRS),
    sd("IPsecAction", Named, S, 17, ACTION_ATTRS).rules(&[Rule::NegotiateNeedsPeer]),
    sd("FilteringRule", Named, S, 18, RULE_ATTRS).with(&[
        AtLeastOne(&["Action", "IPsecAction"]),
        Require {
            attr: "IPsecAction",
            when: "Action",
            is: &["PROTECT"],
        },
        Forbid {
            attr: "IPsecAction",
            when: "Action",
            is: &["PASS", "DROP"],
        },
    ]),
    sd("NetworkInterface", Anonymous, V, 20, INTERFACE_ATTRS),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        for (i, s) in STRUCTURES.iter().enumerate() {
            assert!(
                STRUCTURES[i + 1..].iter().all(|o| o.name != s.name),
                "duplicate {}",
                s.name
            );
            for (j, a) in s.attrs.iter().enumerate() {
                assert!(
                    s.attrs[j + 1..].iter().all(|o| o.name != a.name),
                    "{}.{} twice",
                    s.name,
                    a.name
                );
                if let Ref(ts) = a.ty {
                    for t in ts {
                        assert!(lookup(t).is_some(), "{}.{} -> {t}", s.name, a.name);
                    }
                }
                assert!(
                    !(a.required && a.default != Dflt::None),
                    "{}.{}",
                    s.name,
                    a.name
                );
            }
            for c in s.constraints {
                let names: alloc::vec::Vec<&str> = match *c {
                    LessEq(a, b) => alloc::vec![a, b],
                    AtMostOne(n) | AtLeastOne(n) => n.to_vec(),
                    Require { attr, when, .. } | Forbid { attr, when, .. } => {
                        alloc::vec![attr, when]
                    }
                };
                for n in names {
                    assert!(s.attr(n).is_some(), "{}: constraint on unknown {n}", s.name);
                }
            }
            if let Some(a) = s.alias_of {
                assert_eq!(lookup(a).unwrap().attrs, s.attrs);
            }
        }
    }
}
