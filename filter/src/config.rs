//! The filter configuration: what the LSP compiler produces for the engine (lsp.md §5.1 TCP
//! settings, §5.5 filtering, §5.6 interfaces, §7.5 IKE autopass).
//!
//! Each type mirrors one LSP structure so that `zubr-lsp`'s compiled policy maps onto it field
//! by field: a `FilterChain` of `Filter`s ([`FilterChain`], [`FilterRule`]), a `FilterChain` of
//! `FilteringRule`s ([`IpsecChain`], [`IpsecRule`]), `Schedule` ([`crate::Schedule`]),
//! `NetworkInterface` ([`NetworkInterface`]), the `InputFilter` of each `IPsecAction`
//! ([`IpsecActionFilter`]) and the lsp-managed `drv_mgr` TCP values ([`TcpSettings`]).
//! References between structures are indices into the [`FilterConfig`] vectors.
//!
//! Nothing here evaluates packets; `FilterConfig::validate` checks the references and labels
//! that the engine relies on.

use alloc::string::String;
use alloc::vec::Vec;
use core::net::Ipv4Addr;
use core::ops::RangeInclusive;

use crate::schedule::Schedule;
use crate::selector::Selector;

/// Index of a [`FilterChain`] in [`FilterConfig::chains`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChainId(pub u32);

/// Index of an [`IpsecChain`] in [`FilterConfig::ipsec_chains`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IpsecChainId(pub u32);

/// Index of an `IPsecAction` in [`FilterConfig::ipsec_actions`] — the handle a PROTECT verdict
/// carries to the agent, which owns the action's proposals and tunnels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IpsecActionId(pub u32);

/// Index of a [`Schedule`] in [`FilterConfig::schedules`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScheduleId(pub u32);

/// `DefaultAction` of a chain (lsp.md §5.5; default DROP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DefaultAction {
    /// Pass the packet.
    Pass,
    /// Drop the packet.
    #[default]
    Drop,
}

/// What a firewall rule does on match.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FilterAction {
    /// `Action = PASS`.
    Pass,
    /// `Action = DROP`.
    Drop,
    /// `JumpTo = label`: continue at the rule of the same chain carrying that `Label` (it must
    /// come later in the chain).
    JumpTo(String),
}

/// A firewall rule (LSP `Filter`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterRule {
    /// Name printed as `event id` in fw_trace events (the LSP structure name, or a name the
    /// compiler gives an inline `Filter`).
    pub name: String,
    /// Selectors.
    pub selector: Selector,
    /// `Schedule`: the rule is skipped while the schedule is inactive.
    pub schedule: Option<ScheduleId>,
    /// `Log`: matches produce fw_notif events; tracker events of sessions it creates are shown
    /// under fw_tcperr/fw_tcpstat.
    pub log: bool,
    /// `Label`.
    pub label: Option<String>,
    /// `Action` or `JumpTo`.
    pub action: FilterAction,
    /// `TCPStateful`: a TCP SYN passed by this rule creates a tracker record.
    pub tcp_stateful: bool,
    /// `FTPInspection`: the tracker follows PORT/PASV on connections this rule creates.
    pub ftp_inspection: bool,
}

impl FilterRule {
    /// A rule with the given name, selector and action, no schedule, label, logging or state.
    pub fn new(name: impl Into<String>, selector: Selector, action: FilterAction) -> Self {
        FilterRule {
            name: name.into(),
            selector,
            schedule: None,
            log: false,
            label: None,
            action,
            tcp_stateful: false,
            ftp_inspection: false,
        }
    }
}

/// A `FilterChain` of `Filter`s: a firewall chain or an `IPsecAction.InputFilter` chain.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FilterChain {
    /// LSP name.
    pub name: String,
    /// Rules, first match wins.
    pub rules: Vec<FilterRule>,
    /// Verdict when no rule matches.
    pub default_action: DefaultAction,
}

/// What an IPsec policy rule does on match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IpsecRuleAction {
    /// Clear traffic allowed.
    Pass,
    /// Dropped (`IPsec policy`).
    Drop,
    /// Must be protected by the `IPsecAction`.
    Protect(IpsecActionId),
}

/// An IPsec policy rule (LSP `FilteringRule`). Selectors are written from this host's point of
/// view: `src` = local/protected side for outbound packets; inbound packets are swapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpsecRule {
    /// LSP name (`FilteringRule name` in `sa_mgr`; `event id` in fw_trace).
    pub name: String,
    /// Selectors.
    pub selector: Selector,
    /// `Schedule`.
    pub schedule: Option<ScheduleId>,
    /// `Log`.
    pub log: bool,
    /// `Action` / `IPsecAction`.
    pub action: IpsecRuleAction,
}

/// A `FilterChain` of `FilteringRule`s, used as `NetworkInterface.IPsecPolicy`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IpsecChain {
    /// LSP name.
    pub name: String,
    /// Rules, first match wins.
    pub rules: Vec<IpsecRule>,
    /// Verdict when no rule matches.
    pub default_action: DefaultAction,
}

/// The part of an `IPsecAction` the engine evaluates: its `InputFilter`, applied to inbound
/// packets after decapsulation (drop reason `SA filter`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IpsecActionFilter {
    /// LSP name.
    pub name: String,
    /// `InputFilter`; `None` = no extra filtering.
    pub input_filter: Option<ChainId>,
}

/// `NetworkInterface` (lsp.md §5.6): which chains apply to the physical interfaces whose name
/// matches `logical_name` (`*` any run, `?` one character).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkInterface {
    /// `LogicalName` template.
    pub logical_name: String,
    /// `Priority`: the highest wins when several templates match; ties go to the first.
    pub priority: u32,
    /// `InputFilter`: firewall for arriving packets; `None` = pass.
    pub input_filter: Option<ChainId>,
    /// `OutputFilter`: firewall for leaving packets; `None` = pass.
    pub output_filter: Option<ChainId>,
    /// `IPsecPolicy`; `None` = all traffic in clear.
    pub ipsec_policy: Option<IpsecChainId>,
}

impl NetworkInterface {
    /// A binding for `template` with no chains and priority 0.
    pub fn new(template: impl Into<String>) -> Self {
        NetworkInterface {
            logical_name: template.into(),
            priority: 0,
            input_filter: None,
            output_filter: None,
            ipsec_policy: None,
        }
    }
}

/// IKE traffic that bypasses the firewall and IPsec chains (`IKERule.DoAutopass`, lsp.md §7.1):
/// UDP from/to one of `ports` on both ends between this host and a peer in `peers`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IkeAutopass {
    /// `IKEParameters.DefaultPort` and `NATTPort` (usually 500 and 4500).
    pub ports: Vec<u16>,
    /// Peer addresses of the `IKERule`s with `DoAutopass = TRUE`.
    pub peers: Vec<RangeInclusive<Ipv4Addr>>,
    /// An autopass rule without `PeerAddress` serves any peer.
    pub any_peer: bool,
}

/// Stateful TCP settings, the lsp-managed `drv_mgr` values (product.md §7, lsp.md §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TcpSettings {
    /// `fw_tcp_closed_ttl`, seconds.
    pub closed_ttl: u16,
    /// `fw_tcp_synsent_ttl`.
    pub synsent_ttl: u16,
    /// `fw_tcp_synrcvd_ttl`.
    pub synrcvd_ttl: u16,
    /// `fw_tcp_estab_ttl`.
    pub estab_ttl: u16,
    /// `fw_tcp_fin_ttl`.
    pub fin_ttl: u16,
    /// `fw_tcp_strictness` 0..=6 (see [`crate::conntrack`]).
    pub strictness: u8,
    /// `fw_tcp_open_max`: tracked connections (0..=1_000_000).
    pub open_max: u32,
    /// `fw_tcp_half_open_max`.
    pub half_open_max: u32,
    /// `fw_tcp_half_open_low`.
    pub half_open_low: u32,
    /// `fw_tcp_conn_rate_max`: half-open creations per minute.
    pub conn_rate_max: u32,
    /// `fw_tcp_conn_rate_low`.
    pub conn_rate_low: u32,
}

impl Default for TcpSettings {
    /// The product's defaults (guide §13.8, table 3).
    fn default() -> Self {
        TcpSettings {
            closed_ttl: 5,
            synsent_ttl: 30,
            synrcvd_ttl: 60,
            estab_ttl: 3600,
            fin_ttl: 30,
            strictness: 3,
            open_max: 65_536,
            half_open_max: 500,
            half_open_low: 400,
            conn_rate_max: 500,
            conn_rate_low: 400,
        }
    }
}

/// Upper bound of `fw_tcp_open_max` and the half-open limits (drv_mgr range 0..1000000).
pub const TCP_LIMIT_MAX: u32 = 1_000_000;

/// Everything the engine needs from a policy.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FilterConfig {
    /// TCP tracker settings.
    pub tcp: TcpSettings,
    /// `AllowNestedIPsec` (drv_mgr `ipsec_recursive_policy`): carried for the agent.
    pub allow_nested_ipsec: bool,
    /// Schedules referenced by rules.
    pub schedules: Vec<Schedule>,
    /// Chains of `Filter`s.
    pub chains: Vec<FilterChain>,
    /// Chains of `FilteringRule`s.
    pub ipsec_chains: Vec<IpsecChain>,
    /// `IPsecAction`s (their `InputFilter`).
    pub ipsec_actions: Vec<IpsecActionFilter>,
    /// Interface bindings, in file order.
    pub interfaces: Vec<NetworkInterface>,
    /// IKE autopass.
    pub autopass: IkeAutopass,
}

/// Why a configuration cannot be installed. The engine then falls back to the Default Driver
/// Policy (fail closed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// A chain index is out of range.
    UnknownChain {
        /// Where it was referenced.
        at: &'static str,
        /// The index.
        index: u32,
    },
    /// An IPsec chain index is out of range.
    UnknownIpsecChain {
        /// The index.
        index: u32,
    },
    /// An IPsec action index is out of range.
    UnknownIpsecAction {
        /// Chain name.
        chain: String,
        /// The index.
        index: u32,
    },
    /// A schedule index is out of range.
    UnknownSchedule {
        /// Rule name.
        rule: String,
        /// The index.
        index: u32,
    },
    /// `JumpTo` names no later rule of the same chain.
    BadJump {
        /// Chain name.
        chain: String,
        /// Rule position (0-based).
        rule: usize,
        /// Label.
        label: String,
    },
    /// Two rules of a chain carry the same `Label`.
    DuplicateLabel {
        /// Chain name.
        chain: String,
        /// Label.
        label: String,
    },
    /// A TCP setting is outside its `drv_mgr` range.
    TcpSetting(&'static str),
    /// A chain holds more rules than the engine supports (2^24).
    TooManyRules {
        /// Chain name.
        chain: String,
    },
}

impl core::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ConfigError::UnknownChain { at, index } => {
                write!(
                    f,
                    "{at} refers to filter chain #{index}, which does not exist"
                )
            }
            ConfigError::UnknownIpsecChain { index } => {
                write!(
                    f,
                    "IPsecPolicy refers to chain #{index}, which does not exist"
                )
            }
            ConfigError::UnknownIpsecAction { chain, index } => {
                write!(
                    f,
                    "chain {chain} refers to IPsecAction #{index}, which does not exist"
                )
            }
            ConfigError::UnknownSchedule { rule, index } => {
                write!(
                    f,
                    "rule {rule} refers to schedule #{index}, which does not exist"
                )
            }
            ConfigError::BadJump { chain, rule, label } => write!(
                f,
                "chain {chain}, rule {rule}: JumpTo {label} names no later rule of the chain"
            ),
            ConfigError::DuplicateLabel { chain, label } => {
                write!(f, "chain {chain}: label {label} is used twice")
            }
            ConfigError::TcpSetting(name) => write!(f, "{name} is out of range"),
            ConfigError::TooManyRules { chain } => write!(f, "chain {chain} has too many rules"),
        }
    }
}

impl core::error::Error for ConfigError {}

/// Largest chain the engine accepts.
pub const MAX_RULES_PER_CHAIN: usize = 1 << 24;

impl FilterConfig {
    /// Checks every reference, label and TCP range the engine relies on.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let t = &self.tcp;
        let ttls = [
            (t.closed_ttl, "fw_tcp_closed_ttl"),
            (t.synsent_ttl, "fw_tcp_synsent_ttl"),
            (t.synrcvd_ttl, "fw_tcp_synrcvd_ttl"),
            (t.estab_ttl, "fw_tcp_estab_ttl"),
            (t.fin_ttl, "fw_tcp_fin_ttl"),
        ];
        for (v, name) in ttls {
            if v == 0 {
                return Err(ConfigError::TcpSetting(name));
            }
        }
        if t.strictness > 6 {
            return Err(ConfigError::TcpSetting("fw_tcp_strictness"));
        }
        if t.open_max > TCP_LIMIT_MAX {
            return Err(ConfigError::TcpSetting("fw_tcp_open_max"));
        }
        if t.half_open_max > TCP_LIMIT_MAX || t.half_open_low > t.half_open_max {
            return Err(ConfigError::TcpSetting("fw_tcp_half_open_max/low"));
        }
        if t.conn_rate_low > t.conn_rate_max {
            return Err(ConfigError::TcpSetting("fw_tcp_conn_rate_max/low"));
        }
        let nchains = self.chains.len();
        let chain_ok = |c: Option<ChainId>, at: &'static str| match c {
            Some(ChainId(i)) if i as usize >= nchains => {
                Err(ConfigError::UnknownChain { at, index: i })
            }
            _ => Ok(()),
        };
        for i in &self.interfaces {
            chain_ok(i.input_filter, "InputFilter")?;
            chain_ok(i.output_filter, "OutputFilter")?;
            if let Some(IpsecChainId(c)) = i.ipsec_policy
                && c as usize >= self.ipsec_chains.len()
            {
                return Err(ConfigError::UnknownIpsecChain { index: c });
            }
        }
        for a in &self.ipsec_actions {
            chain_ok(a.input_filter, "IPsecAction.InputFilter")?;
        }
        let sched_ok = |s: Option<ScheduleId>, rule: &str| match s {
            Some(ScheduleId(i)) if i as usize >= self.schedules.len() => {
                Err(ConfigError::UnknownSchedule {
                    rule: rule.into(),
                    index: i,
                })
            }
            _ => Ok(()),
        };
        for c in &self.chains {
            if c.rules.len() > MAX_RULES_PER_CHAIN {
                return Err(ConfigError::TooManyRules {
                    chain: c.name.clone(),
                });
            }
            label_targets(c)?;
            for r in &c.rules {
                sched_ok(r.schedule, &r.name)?;
            }
        }
        for c in &self.ipsec_chains {
            if c.rules.len() > MAX_RULES_PER_CHAIN {
                return Err(ConfigError::TooManyRules {
                    chain: c.name.clone(),
                });
            }
            for r in &c.rules {
                sched_ok(r.schedule, &r.name)?;
                if let IpsecRuleAction::Protect(IpsecActionId(a)) = r.action
                    && a as usize >= self.ipsec_actions.len()
                {
                    return Err(ConfigError::UnknownIpsecAction {
                        chain: c.name.clone(),
                        index: a,
                    });
                }
            }
        }
        Ok(())
    }
}

/// Resolves every `JumpTo` of a chain to the position of its labelled rule (which must come
/// later). Returns, per rule, `Some(target)` for jumps.
pub(crate) fn label_targets(c: &FilterChain) -> Result<Vec<Option<u32>>, ConfigError> {
    let mut labels: hashbrown::HashMap<&str, usize, foldhash::fast::FixedState> =
        hashbrown::HashMap::with_hasher(foldhash::fast::FixedState::default());
    for (i, r) in c.rules.iter().enumerate() {
        if let Some(l) = &r.label
            && labels.insert(l.as_str(), i).is_some()
        {
            return Err(ConfigError::DuplicateLabel {
                chain: c.name.clone(),
                label: l.clone(),
            });
        }
    }
    c.rules
        .iter()
        .enumerate()
        .map(|(i, r)| match &r.action {
            FilterAction::JumpTo(l) => match labels.get(l.as_str()) {
                Some(&t) if t > i => Ok(Some(t as u32)),
                _ => Err(ConfigError::BadJump {
                    chain: c.name.clone(),
                    rule: i,
                    label: l.clone(),
                }),
            },
            _ => Ok(None),
        })
        .collect()
}
