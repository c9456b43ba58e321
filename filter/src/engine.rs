//! The engine: the firewall and IPsec-classification part of the packet pipeline (lsp.md §7.1),
//! the Default Driver Policy and Log-off policy (§7.9), interface binding (§6), schedules,
//! the TCP tracker, fragment reassembly and the event log, behind a sans-IO API.
//!
//! The host hands every packet in with its physical interface and direction and gets a
//! [`Verdict`]; SA processing is not here — a PROTECT verdict or an inbound IPsec packet goes
//! to the agent, which calls back [`Engine::outbound_wire`] after encapsulation and
//! [`Engine::inbound_decapsulated`] after decapsulation. The engine never reads a clock
//! (`now: Instant` for TTLs, a UTC [`UnixTime`] for schedules) and, once a policy is loaded,
//! never allocates on the verdict path of an unfragmented packet (events are plain data in a
//! pre-reserved queue).
//!
//! Fail closed: a configuration that cannot be installed leaves the Default Driver Policy in
//! force, and so does unloading.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::net::Ipv4Addr;

use zubr_base::{Direction, DropReason, Instant, PassReason, UnixTime};

use crate::chain::{ChainOutcome, CompiledChain};
use crate::classify::Key;
use crate::config::{
    ConfigError, DefaultAction, FilterAction, FilterConfig, IpsecActionId, IpsecRuleAction,
};
use crate::conntrack::{ConnTracker, TcpRefusal};
use crate::event::{
    Endpoints, Event, EventLog, EventMask, FilterStatus, IfRef, PacketDesc, PhyFlags, Position,
    RangeSelector,
};
use crate::naive::{self, WalkStep};
use crate::packet::{self, Parsed};
use crate::reasm::{ReasmLimits, Reassembler, Reassembly};
use crate::schedule::local_seconds;
use crate::selector::{Fields, Mismatch, PacketTypes, Selector};

/// Default Driver Policy (`dp_mgr -ddp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Ddp {
    /// Pass everything (the product's default).
    #[default]
    PassAll,
    /// Only outbound UDP to port 67 and inbound UDP to port 68.
    PassDhcp,
    /// Drop everything.
    DropAll,
}

impl Ddp {
    /// The `dp_mgr` spelling.
    pub fn name(self) -> &'static str {
        match self {
            Ddp::PassAll => "passall",
            Ddp::PassDhcp => "passdhcp",
            Ddp::DropAll => "dropall",
        }
    }

    /// From the `dp_mgr` spelling.
    pub fn from_name(s: &str) -> Option<Ddp> {
        Some(match s {
            "passall" => Ddp::PassAll,
            "passdhcp" => Ddp::PassDhcp,
            "dropall" => Ddp::DropAll,
            _ => return None,
        })
    }
}

/// Log-off policy (`dp_mgr -lop`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lop {
    /// Only DHCP.
    PassDhcp,
    /// The Default Driver Policy (the product's default).
    #[default]
    Ddp,
}

impl Lop {
    /// The `dp_mgr` spelling.
    pub fn name(self) -> &'static str {
        match self {
            Lop::PassDhcp => "passdhcp",
            Lop::Ddp => "ddp",
        }
    }

    /// From the `dp_mgr` spelling.
    pub fn from_name(s: &str) -> Option<Lop> {
        Some(match s {
            "passdhcp" => Lop::PassDhcp,
            "ddp" => Lop::Ddp,
            _ => return None,
        })
    }
}

/// Which policy is in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyState {
    /// The Default Driver Policy (no LSP, load failure, service stopped).
    Ddp,
    /// The Log-off policy (user not logged in).
    LogOff,
    /// A user policy (LSP).
    User,
}

/// Engine settings that are not part of a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineSettings {
    /// Default Driver Policy.
    pub ddp: Ddp,
    /// Log-off policy.
    pub lop: Lop,
    /// Host time zone for schedules, seconds east of UTC.
    pub utc_offset_secs: i32,
    /// Event groups kept.
    pub event_mask: EventMask,
    /// Events kept before `*** N messages lost ***`.
    pub event_capacity: usize,
    /// Fragment reassembly limits.
    pub reassembly: ReasmLimits,
    /// Secret seed of the tracker's hash index.
    pub hash_seed: u64,
}

impl Default for EngineSettings {
    fn default() -> Self {
        EngineSettings {
            ddp: Ddp::PassAll,
            lop: Lop::Ddp,
            utc_offset_secs: 0,
            event_mask: EventMask::PASS.union(EventMask::DROP),
            event_capacity: 4096,
            reassembly: ReasmLimits::default(),
            hash_seed: 0x5a75_6272_2066_6c74,
        }
    }
}

/// What to do with a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Send it on / deliver it.
    Pass(PassReason),
    /// Drop it.
    Drop(DropReason),
    /// Outbound: must be protected with this IPsec action (the agent finds or negotiates the
    /// SA bundle, encapsulates, then calls [`Engine::outbound_wire`]).
    Protect {
        /// The `IPsecAction`.
        action: IpsecActionId,
        /// Engine id of the `FilteringRule` (the `filter N` of drop reasons).
        filter: u32,
    },
    /// Inbound IPsec (ESP, AH, UDP-encapsulated ESP) for this host: hand to the agent, then
    /// call [`Engine::inbound_decapsulated`] with the inner packet.
    Decapsulate,
    /// IKE traffic of an autopass peer: deliver to IKE.
    Ike,
    /// A fragment held for reassembly; a later fragment completes the datagram.
    Held,
}

/// A physical interface the host registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PhyId(pub u32);

#[derive(Debug, Clone)]
struct Phy {
    name: Arc<str>,
    addrs: Vec<Ipv4Addr>,
    bcasts: Vec<Ipv4Addr>,
    vif: Option<usize>,
}

#[derive(Debug, Clone, Copy)]
struct ChainRef {
    /// Index into `Loaded::fw` or `Loaded::ipsec`.
    index: usize,
    /// Engine chain id.
    id: u32,
}

#[derive(Debug, Clone)]
struct Vif {
    id: u32,
    name: Arc<str>,
    fw_in: Option<ChainRef>,
    fw_out: Option<ChainRef>,
    ipsec: Option<ChainRef>,
}

#[derive(Debug, Clone)]
struct Loaded {
    cfg: FilterConfig,
    fw: Vec<CompiledChain>,
    fw_names: Vec<Vec<Arc<str>>>,
    fw_base: Vec<u32>,
    fw_primary: Vec<u32>,
    ipsec: Vec<CompiledChain>,
    ipsec_names: Vec<Vec<Arc<str>>>,
    ipsec_base: Vec<u32>,
    ipsec_primary: Vec<u32>,
    vifs: Vec<Vif>,
    sa_filters: Vec<Option<ChainRef>>,
}

/// One step of a verdict trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TraceStep {
    /// The interface and its binding.
    Interface {
        /// Physical name.
        phy: Arc<str>,
        /// Bound `NetworkInterface` (vif id, template).
        vif: Option<(u32, Arc<str>)>,
    },
    /// A non-user policy decided.
    DriverPolicy(PolicyState, &'static str),
    /// The packet is a fragment; transport fields unknown.
    Fragment,
    /// IKE autopass.
    Autopass,
    /// The TCP tracker decided or acted.
    Tracker(&'static str, Option<TcpRefusal>),
    /// A chain was consulted.
    Chain {
        /// Role: `firewall in`, `firewall out`, `IPsec policy`, `SA filter`.
        role: &'static str,
        /// Engine chain id.
        chain: u32,
        /// LSP name.
        name: Arc<str>,
    },
    /// A rule was visited.
    Rule {
        /// Filter id.
        filter: u32,
        /// Rule name.
        name: Arc<str>,
        /// What happened.
        what: RuleStep,
    },
    /// End of chain.
    Default(DefaultAction),
    /// The datagram was reassembled and evaluated whole.
    Reassembled,
    /// The final verdict.
    Verdict(Verdict),
}

/// What happened at one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleStep {
    /// Skipped: schedule inactive.
    Disabled,
    /// Did not match.
    NoMatch(Mismatch),
    /// Matched; jump to the filter id.
    Jump(u32),
    /// Matched and decided.
    Decided,
    /// Matched on network fields; needs the transport header.
    Assemble,
}

/// A verdict trace: every chain, rule, label jump and tracker step that led to a verdict.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Trace {
    /// Steps in order.
    pub steps: Vec<TraceStep>,
}

impl fmt::Display for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for s in &self.steps {
            match s {
                TraceStep::Interface { phy, vif } => match vif {
                    Some((id, t)) => writeln!(f, "  interface {phy}: vif {id} \"{t}\"")?,
                    None => writeln!(
                        f,
                        "  interface {phy}: no NetworkInterface matches, no filtering"
                    )?,
                },
                TraceStep::DriverPolicy(st, what) => writeln!(
                    f,
                    "  {}: {what}",
                    match st {
                        PolicyState::Ddp => "default driver policy",
                        PolicyState::LogOff => "log-off policy",
                        PolicyState::User => "policy",
                    }
                )?,
                TraceStep::Fragment => writeln!(f, "  fragment: transport header not visible")?,
                TraceStep::Autopass => writeln!(f, "  IKE autopass")?,
                TraceStep::Tracker(what, r) => match r {
                    Some(r) => writeln!(f, "  TCP tracker: {what} ({r:?})")?,
                    None => writeln!(f, "  TCP tracker: {what}")?,
                },
                TraceStep::Chain { role, chain, name } => {
                    writeln!(f, "  {role}: chain {chain} ({name})")?
                }
                TraceStep::Rule { filter, name, what } => match what {
                    RuleStep::Disabled => {
                        writeln!(f, "    filter {filter} {name}: skipped, schedule inactive")?
                    }
                    RuleStep::NoMatch(m) => writeln!(f, "    filter {filter} {name}: {m}")?,
                    RuleStep::Jump(t) => {
                        writeln!(f, "    filter {filter} {name}: match, jump to {t}")?
                    }
                    RuleStep::Decided => writeln!(f, "    filter {filter} {name}: match")?,
                    RuleStep::Assemble => writeln!(
                        f,
                        "    filter {filter} {name}: needs the transport header, reassemble"
                    )?,
                },
                TraceStep::Default(a) => writeln!(f, "    no match: default action {a:?}")?,
                TraceStep::Reassembled => writeln!(f, "  datagram reassembled")?,
                TraceStep::Verdict(v) => writeln!(f, "  verdict: {v:?}")?,
            }
        }
        Ok(())
    }
}

/// Where a packet is in the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Inbound from the wire.
    In,
    /// Inbound after decapsulation by an SA of `action`, bundle of IPsec filter `filter`.
    Inner(IpsecActionId, u32),
    /// Outbound from the host.
    Out,
    /// Outbound after IPsec (or after a PASS of the IPsec policy): tracker and OutputFilter.
    Wire(bool),
}

impl Stage {
    fn dir(self) -> Direction {
        match self {
            Stage::In | Stage::Inner(..) => Direction::In,
            Stage::Out | Stage::Wire(_) => Direction::Out,
        }
    }
}

enum Flow {
    Done(Verdict),
    Assemble,
}

/// Role names of chains in traces.
const ROLE_IN: &str = "firewall in";
const ROLE_OUT: &str = "firewall out";
const ROLE_IPSEC: &str = "IPsec policy";
const ROLE_SA: &str = "SA filter";

/// The packet filter engine.
#[derive(Debug)]
pub struct Engine {
    settings: EngineSettings,
    state: PolicyState,
    logged_off: bool,
    loaded: Option<Loaded>,
    phys: Vec<Phy>,
    tracker: ConnTracker,
    reasm: Reassembler,
    log: EventLog,
    reassembled: Option<Vec<u8>>,
    local_time: i64,
}

fn template_matches(t: &[u8], s: &[u8]) -> bool {
    // `*` any run, `?` one character; iterative with one backtrack point
    let (mut ti, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match t.get(ti) {
            Some(b'*') => {
                star = Some((ti, si));
                ti += 1;
            }
            Some(&c) if c == b'?' || c == s[si] => {
                ti += 1;
                si += 1;
            }
            _ => match star {
                Some((st, ss)) => {
                    ti = st + 1;
                    si = ss + 1;
                    star = Some((st, ss + 1));
                }
                None => return false,
            },
        }
    }
    t[ti..].iter().all(|&c| c == b'*')
}

impl Engine {
    /// An engine with the Default Driver Policy in force.
    pub fn new(settings: EngineSettings) -> Engine {
        Engine {
            settings,
            state: PolicyState::Ddp,
            logged_off: false,
            loaded: None,
            phys: Vec::new(),
            tracker: ConnTracker::new(Default::default(), settings.hash_seed),
            reasm: Reassembler::new(settings.reassembly),
            log: EventLog::new(settings.event_mask, settings.event_capacity),
            reassembled: None,
            local_time: 0,
        }
    }

    /// The policy in force.
    pub fn state(&self) -> PolicyState {
        self.state
    }

    /// The event log (read events with `pop`).
    pub fn events(&mut self) -> &mut EventLog {
        &mut self.log
    }

    /// The TCP tracker (`fwconn_show`).
    pub fn tracker(&self) -> &ConnTracker {
        &self.tracker
    }

    /// Settings.
    pub fn settings(&self) -> &EngineSettings {
        &self.settings
    }

    /// Changes the DDP and LOP (`dp_mgr set`).
    pub fn set_driver_policies(&mut self, ddp: Ddp, lop: Lop) {
        self.settings.ddp = ddp;
        self.settings.lop = lop;
    }

    /// The datagram completed by the last call that returned a verdict for a reassembled
    /// packet; the host forwards this instead of the fragments it gave.
    pub fn take_reassembled(&mut self) -> Option<Vec<u8>> {
        self.reassembled.take()
    }

    /// Registers a physical interface with its unicast and broadcast addresses.
    pub fn add_interface(
        &mut self,
        name: &str,
        addresses: &[Ipv4Addr],
        broadcasts: &[Ipv4Addr],
    ) -> PhyId {
        let id = self.phys.len() as u32;
        let name: Arc<str> = name.into();
        if self.log.wants(EventMask::VIF_OBJ) {
            self.log.push(Event::PhyCreated {
                name: name.clone(),
                id: id + 1,
                flags: PhyFlags(PhyFlags::P),
            });
            self.log.push(Event::PhyIpUpdated {
                name: name.clone(),
                id: id + 1,
                old: PhyFlags(PhyFlags::P),
                new: PhyFlags(PhyFlags::P | PhyFlags::I),
                mtu: 1500,
                addresses: addresses.to_vec(),
                broadcasts: broadcasts.to_vec(),
            });
        }
        self.phys.push(Phy {
            name,
            addrs: addresses.to_vec(),
            bcasts: broadcasts.to_vec(),
            vif: None,
        });
        self.bind(id as usize);
        PhyId(id)
    }

    /// Adds an address to an interface (e.g. the Mode Config address of the IKECFG interface).
    pub fn add_address(&mut self, phy: PhyId, addr: Ipv4Addr) {
        if let Some(p) = self.phys.get_mut(phy.0 as usize)
            && !p.addrs.contains(&addr)
        {
            p.addrs.push(addr);
        }
    }

    fn bind(&mut self, i: usize) {
        let Some(phy) = self.phys.get(i) else { return };
        let vif = self.loaded.as_ref().and_then(|l| {
            let mut best: Option<(u32, usize)> = None;
            for (k, ni) in l.cfg.interfaces.iter().enumerate() {
                if template_matches(ni.logical_name.as_bytes(), phy.name.as_bytes())
                    && best.is_none_or(|(p, _)| ni.priority > p)
                {
                    best = Some((ni.priority, k));
                }
            }
            best.map(|(_, k)| k)
        });
        if let Some(k) = vif
            && self.log.wants(EventMask::VIF_OBJ)
            && let Some(l) = &self.loaded
            && let Some(v) = l.vifs.get(k)
        {
            self.log.push(Event::PhyBound {
                name: phy.name.clone(),
                old: PhyFlags(PhyFlags::P | PhyFlags::I),
                new: PhyFlags(PhyFlags::P | PhyFlags::I | PhyFlags::V),
                vif: v.id,
                vif_name: v.name.clone(),
            });
        }
        if let Some(p) = self.phys.get_mut(i) {
            p.vif = vif;
        }
    }

    /// Installs a policy. On error the Default Driver Policy is in force (fail closed) and the
    /// error says why. `now` is the wall clock for schedules.
    pub fn load_policy(&mut self, cfg: FilterConfig, now: UnixTime) -> Result<(), ConfigError> {
        self.loaded = None;
        self.state = PolicyState::Ddp;
        self.tracker.clear();
        for p in &mut self.phys {
            p.vif = None;
        }
        cfg.validate()?;
        let loaded = self.compile(cfg)?;
        self.tracker.set_settings(loaded.cfg.tcp);
        self.loaded = Some(loaded);
        self.state = if self.logged_off {
            PolicyState::LogOff
        } else {
            PolicyState::User
        };
        for i in 0..self.phys.len() {
            self.bind(i);
        }
        self.local_time = i64::MIN;
        self.set_wall_clock(now);
        Ok(())
    }

    /// Removes the user policy: the Default Driver Policy takes over.
    pub fn unload_policy(&mut self) {
        self.loaded = None;
        self.tracker.clear();
        self.state = PolicyState::Ddp;
        for p in &mut self.phys {
            p.vif = None;
        }
    }

    /// User logged off (`true`) or in (`false`): the Log-off policy applies while logged off.
    pub fn set_logged_off(&mut self, off: bool) {
        self.logged_off = off;
        if self.loaded.is_some() {
            self.state = if off {
                PolicyState::LogOff
            } else {
                PolicyState::User
            };
        } else if off {
            self.state = PolicyState::LogOff;
        } else {
            self.state = PolicyState::Ddp;
        }
    }

    fn compile(&mut self, cfg: FilterConfig) -> Result<Loaded, ConfigError> {
        let mut fw = Vec::with_capacity(cfg.chains.len());
        for c in &cfg.chains {
            fw.push(CompiledChain::filter(c)?);
        }
        let ipsec: Vec<CompiledChain> = cfg.ipsec_chains.iter().map(CompiledChain::ipsec).collect();
        let mut next_filter = 1u32;
        let mut fw_base = Vec::new();
        for c in &cfg.chains {
            fw_base.push(next_filter);
            next_filter += c.rules.len() as u32;
        }
        let mut ipsec_base = Vec::new();
        for c in &cfg.ipsec_chains {
            ipsec_base.push(next_filter);
            next_filter += c.rules.len() as u32;
        }
        let name_list = |names: &mut dyn Iterator<Item = &String>| -> Vec<Arc<str>> {
            names.map(|n| Arc::from(n.as_str())).collect()
        };
        let fw_names = cfg
            .chains
            .iter()
            .map(|c| name_list(&mut c.rules.iter().map(|r| &r.name)))
            .collect();
        let ipsec_names = cfg
            .ipsec_chains
            .iter()
            .map(|c| name_list(&mut c.rules.iter().map(|r| &r.name)))
            .collect();
        let mut pair = 2u32;
        let mut vifs = Vec::new();
        let mut fw_primary = vec_of(cfg.chains.len(), 0);
        let mut ipsec_primary = vec_of(cfg.ipsec_chains.len(), 0);
        let mut loaded = Loaded {
            fw,
            fw_names,
            fw_base,
            fw_primary: Vec::new(),
            ipsec,
            ipsec_names,
            ipsec_base,
            ipsec_primary: Vec::new(),
            vifs: Vec::new(),
            sa_filters: Vec::new(),
            cfg: FilterConfig::default(),
        };
        for (k, ni) in cfg.interfaces.iter().enumerate() {
            let vif_id = k as u32 + 1;
            let name: Arc<str> = ni.logical_name.as_str().into();
            let mut v = Vif {
                id: vif_id,
                name: name.clone(),
                fw_in: None,
                fw_out: None,
                ipsec: None,
            };
            self.ev(Event::VifCreated {
                vif: vif_id,
                name: name.clone(),
            });
            if ni.input_filter.is_some() || ni.output_filter.is_some() {
                let stateful = [ni.input_filter, ni.output_filter]
                    .iter()
                    .flatten()
                    .any(|c| {
                        cfg.chains[c.0 as usize]
                            .rules
                            .iter()
                            .any(|r| r.tcp_stateful)
                    });
                self.ev(Event::PairCreated {
                    pair,
                    kind: if stateful { 1 } else { 2 },
                    visibility: 1,
                });
                if let Some(c) = ni.output_filter {
                    v.fw_out = Some(ChainRef {
                        index: c.0 as usize,
                        id: pair,
                    });
                    self.announce_fw_chain(&cfg, &loaded, c.0 as usize, pair);
                    if fw_primary[c.0 as usize] == 0 {
                        fw_primary[c.0 as usize] = pair;
                    }
                }
                if let Some(c) = ni.input_filter {
                    v.fw_in = Some(ChainRef {
                        index: c.0 as usize,
                        id: pair + 1,
                    });
                    self.announce_fw_chain(&cfg, &loaded, c.0 as usize, pair + 1);
                    if fw_primary[c.0 as usize] == 0 {
                        fw_primary[c.0 as usize] = pair + 1;
                    }
                }
                if ni.output_filter.is_some() {
                    self.ev(Event::PairAttached {
                        pair,
                        vif: vif_id,
                        chain_type: 0,
                    });
                }
                if ni.input_filter.is_some() {
                    self.ev(Event::PairAttached {
                        pair,
                        vif: vif_id,
                        chain_type: 1,
                    });
                }
                pair += 2;
            }
            if let Some(c) = ni.ipsec_policy {
                v.ipsec = Some(ChainRef {
                    index: c.0 as usize,
                    id: pair,
                });
                self.ev(Event::PairCreated {
                    pair,
                    kind: 3,
                    visibility: 1,
                });
                self.announce_ipsec_chain(&cfg, &loaded, c.0 as usize, pair);
                if ipsec_primary[c.0 as usize] == 0 {
                    ipsec_primary[c.0 as usize] = pair;
                }
                self.ev(Event::PairAttached {
                    pair,
                    vif: vif_id,
                    chain_type: 4,
                });
                pair += 2;
            }
            self.ev(Event::VifRegistered {
                vif: vif_id,
                name: name.clone(),
                pname: name,
                priority: ni.priority,
            });
            vifs.push(v);
        }
        let mut sa_filters = Vec::new();
        for a in &cfg.ipsec_actions {
            sa_filters.push(a.input_filter.map(|c| {
                let r = ChainRef {
                    index: c.0 as usize,
                    id: pair + 1,
                };
                self.ev(Event::PairCreated {
                    pair,
                    kind: 2,
                    visibility: 1,
                });
                self.announce_fw_chain(&cfg, &loaded, c.0 as usize, pair + 1);
                if fw_primary[c.0 as usize] == 0 {
                    fw_primary[c.0 as usize] = pair + 1;
                }
                pair += 2;
                r
            }));
        }
        loaded.vifs = vifs;
        loaded.sa_filters = sa_filters;
        loaded.fw_primary = fw_primary;
        loaded.ipsec_primary = ipsec_primary;
        loaded.cfg = cfg;
        Ok(loaded)
    }

    fn ev(&mut self, e: Event) {
        if self.log.wants(e.groups()) {
            self.log.push(e);
        }
    }

    fn announce_fw_chain(&mut self, cfg: &FilterConfig, l: &Loaded, c: usize, chain: u32) {
        if !self.log.wants(EventMask::FW_OBJ) {
            return;
        }
        self.log.push(Event::ChainCreated { chain });
        let ch = &cfg.chains[c];
        let base = l.fw_base[c];
        let labels: Vec<(Option<&str>, u32)> = ch
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.label.as_deref(), base + i as u32))
            .collect();
        for (i, r) in ch.rules.iter().enumerate().rev() {
            let nextid = match &r.action {
                FilterAction::JumpTo(lbl) => labels
                    .iter()
                    .find(|(l, _)| *l == Some(lbl.as_str()))
                    .map_or(0, |x| x.1),
                _ => 0,
            };
            let action = if r.action == FilterAction::Drop { 2 } else { 0 }
                | if r.log { 4 } else { 0 }
                | if r.schedule.is_some() { 32 } else { 0 };
            self.log.push(Event::FilterCreated {
                filter: base + i as u32,
                chain,
                selector: range_selector(&r.selector),
                pkttype: r.selector.packet_type.map_or(15, |p| p.0),
                position: Position::AtHead,
                action,
                nextid,
            });
        }
    }

    fn announce_ipsec_chain(&mut self, cfg: &FilterConfig, l: &Loaded, c: usize, chain: u32) {
        if !self.log.wants(EventMask::FW_OBJ) {
            return;
        }
        self.log.push(Event::ChainCreated { chain });
        let ch = &cfg.ipsec_chains[c];
        for (i, r) in ch.rules.iter().enumerate().rev() {
            let action = if r.action == IpsecRuleAction::Drop {
                2
            } else {
                0
            } | if r.log { 4 } else { 0 }
                | if r.schedule.is_some() { 32 } else { 0 };
            self.log.push(Event::FilterCreated {
                filter: l.ipsec_base[c] + i as u32,
                chain,
                selector: range_selector(&r.selector),
                pkttype: r.selector.packet_type.map_or(15, |p| p.0),
                position: Position::AtHead,
                action,
                nextid: 0,
            });
        }
    }

    /// Re-evaluates schedules at wall-clock time `now` (UTC; the engine applies its UTC offset).
    /// Rules whose schedule changed state are enabled/disabled (`enabled filter N from chain
    /// C`). Call it at least at every [`Engine::next_schedule_change`].
    pub fn set_wall_clock(&mut self, now: UnixTime) {
        let local = local_seconds(now, self.settings.utc_offset_secs);
        let first = self.local_time == i64::MIN;
        self.local_time = local;
        let Some(l) = self.loaded.as_mut() else {
            return;
        };
        let mut events: Vec<Event> = Vec::new();
        let want = self.log.wants(EventMask::FW_OBJ);
        for (c, chain) in l.fw.iter_mut().enumerate() {
            for i in 0..chain.len() {
                if let Some(s) = chain.schedule(i) {
                    let on = l.cfg.schedules[s.0 as usize].is_active(local);
                    let changed = chain.set_enabled(i as u32, on);
                    if want && (changed || (first && on)) {
                        let filter = l.fw_base[c] + i as u32;
                        let chain = l.fw_primary[c];
                        events.push(if on {
                            Event::FilterEnabled { filter, chain }
                        } else {
                            Event::FilterDisabled { filter, chain }
                        });
                    }
                }
            }
        }
        for (c, chain) in l.ipsec.iter_mut().enumerate() {
            for i in 0..chain.len() {
                if let Some(s) = chain.schedule(i) {
                    let on = l.cfg.schedules[s.0 as usize].is_active(local);
                    let changed = chain.set_enabled(i as u32, on);
                    if want && (changed || (first && on)) {
                        let filter = l.ipsec_base[c] + i as u32;
                        let chain = l.ipsec_primary[c];
                        events.push(if on {
                            Event::FilterEnabled { filter, chain }
                        } else {
                            Event::FilterDisabled { filter, chain }
                        });
                    }
                }
            }
        }
        for e in events {
            self.log.push(e);
        }
    }

    /// The next UTC time at which a schedule may change state.
    pub fn next_schedule_change(&self) -> Option<UnixTime> {
        let l = self.loaded.as_ref()?;
        let off = i64::from(self.settings.utc_offset_secs);
        l.cfg
            .schedules
            .iter()
            .map(|s| s.next_boundary(self.local_time))
            .min()
            .map(|t| UnixTime(t - off))
    }

    /// Periodic housekeeping: expires tracker records (bounded work) and stale fragments.
    pub fn poll(&mut self, now: Instant) {
        self.tracker.expire(now, 4096, &mut self.log);
        self.reasm.expire(now);
    }

    /// An inbound packet from the wire on `phy`. `forwarded` marks transit traffic (gateways).
    pub fn inbound(&mut self, phy: PhyId, pkt: &[u8], forwarded: bool, now: Instant) -> Verdict {
        self.process(Stage::In, phy, pkt, forwarded, now, None)
    }

    /// An outbound packet from the host (or being forwarded) on `phy`.
    pub fn outbound(&mut self, phy: PhyId, pkt: &[u8], forwarded: bool, now: Instant) -> Verdict {
        self.process(Stage::Out, phy, pkt, forwarded, now, None)
    }

    /// An outbound packet after IPsec encapsulation: tracker and OutputFilter only; a pass is
    /// reported as `encapsulated`.
    pub fn outbound_wire(&mut self, phy: PhyId, pkt: &[u8], now: Instant) -> Verdict {
        self.process(Stage::Wire(true), phy, pkt, false, now, None)
    }

    /// An inbound packet after decapsulation by an SA of `action` built for IPsec filter
    /// `filter`: the action's `InputFilter` (`SA filter`), then the IPsec policy must select
    /// the same rule (`filter N: IPsec SA doesn't match`).
    pub fn inbound_decapsulated(
        &mut self,
        phy: PhyId,
        inner: &[u8],
        action: IpsecActionId,
        filter: u32,
        now: Instant,
    ) -> Verdict {
        self.process(Stage::Inner(action, filter), phy, inner, false, now, None)
    }

    /// Like [`Engine::inbound`]/[`Engine::outbound`] (state is updated the same way) but also
    /// returns the verdict trace.
    pub fn process_traced(
        &mut self,
        dir: Direction,
        phy: PhyId,
        pkt: &[u8],
        forwarded: bool,
        now: Instant,
    ) -> (Verdict, Trace) {
        let mut t = Trace::default();
        let stage = match dir {
            Direction::In => Stage::In,
            Direction::Out => Stage::Out,
        };
        let v = self.process(stage, phy, pkt, forwarded, now, Some(&mut t));
        (v, t)
    }

    fn process(
        &mut self,
        stage: Stage,
        phy: PhyId,
        pkt: &[u8],
        forwarded: bool,
        now: Instant,
        mut trace: Option<&mut Trace>,
    ) -> Verdict {
        self.reassembled = None;
        let v = self.process_inner(stage, phy, pkt, forwarded, now, &mut trace, false);
        if let Some(t) = trace {
            t.steps.push(TraceStep::Verdict(v));
        }
        v
    }

    #[allow(clippy::too_many_arguments)]
    fn process_inner(
        &mut self,
        stage: Stage,
        phy: PhyId,
        pkt: &[u8],
        forwarded: bool,
        now: Instant,
        trace: &mut Option<&mut Trace>,
        reassembled: bool,
    ) -> Verdict {
        let dir = stage.dir();
        let Some(ph) = self.phys.get(phy.0 as usize) else {
            let v = Verdict::Drop(DropReason::UnknownPhysicalInterface);
            self.report(dir, IfRef::Code(phy.0), pkt, None, v);
            return v;
        };
        let iface = ph.name.clone();
        let p = match packet::parse(pkt) {
            Ok(p) => p,
            Err(r) => {
                let r = match (reassembled, r) {
                    (true, DropReason::CorruptedIpHeader) => {
                        DropReason::CorruptedIpHeaderAfterReassembly
                    }
                    (true, DropReason::CorruptedProtocolHeaders) => {
                        DropReason::CorruptedProtocolHeadersAfterReassembly
                    }
                    (_, r) => r,
                };
                let v = Verdict::Drop(r);
                self.report(dir, IfRef::Name(iface), pkt, packet::parse_ip(pkt).ok(), v);
                return v;
            }
        };
        if let Some(t) = trace.as_deref_mut() {
            let vif = ph.vif.and_then(|k| {
                self.loaded
                    .as_ref()
                    .and_then(|l| l.vifs.get(k))
                    .map(|v| (v.id, v.name.clone()))
            });
            t.steps.push(TraceStep::Interface {
                phy: iface.clone(),
                vif,
            });
            if reassembled {
                t.steps.push(TraceStep::Reassembled);
            }
        }
        // driver policies
        let st = self.state;
        if st != PolicyState::User || self.loaded.is_none() {
            let ddp = match st {
                PolicyState::LogOff if self.settings.lop == Lop::PassDhcp => Ddp::PassDhcp,
                _ => self.settings.ddp,
            };
            let (v, why) = match ddp {
                Ddp::PassAll => (Verdict::Pass(PassReason::DriverDefaultPolicy), "passall"),
                Ddp::DropAll => (Verdict::Drop(DropReason::DriverDefaultPolicy), "dropall"),
                Ddp::PassDhcp => {
                    let dhcp = p.protocol == 17
                        && match (dir, p.ports()) {
                            (Direction::Out, Some((_, 67))) | (Direction::In, Some((_, 68))) => {
                                !p.is_fragment()
                            }
                            _ => false,
                        };
                    if dhcp {
                        (
                            Verdict::Pass(PassReason::DriverDefaultPolicy),
                            "passdhcp: DHCP",
                        )
                    } else {
                        (
                            Verdict::Drop(DropReason::DriverDefaultPolicy),
                            "passdhcp: not DHCP",
                        )
                    }
                }
            };
            let st = if st == PolicyState::User {
                PolicyState::Ddp
            } else {
                st
            };
            if let Some(t) = trace.as_deref_mut() {
                t.steps.push(TraceStep::DriverPolicy(st, why));
            }
            self.report(dir, IfRef::Name(iface), pkt, Some(p), v);
            return v;
        }
        let Some(vif) = ph.vif else {
            let v = Verdict::Pass(PassReason::Filtered);
            self.report(dir, IfRef::Name(iface), pkt, Some(p), v);
            return v;
        };
        let ptype = packet_type(ph, dir, &p, forwarded);
        let fragment = p.is_fragment() && !reassembled;
        if fragment && let Some(t) = trace.as_deref_mut() {
            t.steps.push(TraceStep::Fragment);
        }
        let flow = self.pipeline(stage, vif, &p, pkt, ptype, !fragment, &iface, now, trace);
        let v = match flow {
            Flow::Done(v) => v,
            Flow::Assemble => match self.reasm.add(pkt, &p, now) {
                Reassembly::Held => Verdict::Held,
                Reassembly::Dropped(r) => Verdict::Drop(r),
                Reassembly::Complete(dgram) => {
                    let v = self.process_inner(stage, phy, &dgram, forwarded, now, trace, true);
                    self.reassembled = Some(dgram);
                    return v;
                }
            },
        };
        self.report(dir, IfRef::Name(iface), pkt, Some(p), v);
        v
    }

    fn report(&mut self, dir: Direction, iface: IfRef, pkt: &[u8], p: Option<Parsed>, v: Verdict) {
        let groups = match v {
            Verdict::Pass(_) => EventMask::PASS,
            Verdict::Drop(_) => EventMask::DROP,
            _ => return,
        };
        if !self.log.wants(groups) {
            return;
        }
        let pkt_desc = desc(dir, iface, pkt, p);
        self.log.push(match v {
            Verdict::Pass(reason) => Event::Passed {
                pkt: pkt_desc,
                reason,
            },
            Verdict::Drop(reason) => Event::Dropped {
                pkt: pkt_desc,
                reason,
            },
            _ => return,
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn pipeline(
        &mut self,
        stage: Stage,
        vif: usize,
        p: &Parsed,
        pkt: &[u8],
        ptype: PacketTypes,
        l4: bool,
        iface: &Arc<str>,
        now: Instant,
        trace: &mut Option<&mut Trace>,
    ) -> Flow {
        let dir = stage.dir();
        let Some(l) = self.loaded.as_ref() else {
            return Flow::Done(Verdict::Drop(DropReason::DriverBeingConfigured));
        };
        let Some(v) = l.vifs.get(vif) else {
            return Flow::Done(Verdict::Drop(DropReason::UnknownNetworkInterface));
        };
        let (fw_in, fw_out, ipsec) = (v.fw_in, v.fw_out, v.ipsec);
        let fields = Fields {
            src: p.src,
            dst: p.dst,
            protocol: p.protocol,
            ports: if l4 { p.ports() } else { None },
            icmp: if l4 { p.icmp() } else { None },
            packet_type: ptype,
        };
        // IKE autopass
        if matches!(stage, Stage::In | Stage::Out) && p.protocol == 17 {
            let ap = &l.cfg.autopass;
            let remote = if dir == Direction::In { p.src } else { p.dst };
            let peer = ap.any_peer || ap.peers.iter().any(|r| r.contains(&remote));
            if peer && !ap.ports.is_empty() {
                match fields.ports {
                    Some((s, d)) if ap.ports.contains(&s) && ap.ports.contains(&d) => {
                        let nat_t_esp = d != 500
                            && s != 500
                            && dir == Direction::In
                            && pkt
                                .get(usize::from(p.header_len) + 8..usize::from(p.header_len) + 12)
                                .is_some_and(|m| m != [0, 0, 0, 0]);
                        if !nat_t_esp {
                            if let Some(t) = trace.as_deref_mut() {
                                t.steps.push(TraceStep::Autopass);
                            }
                            return Flow::Done(Verdict::Ike);
                        }
                    }
                    None if !l4 => return Flow::Assemble,
                    _ => {}
                }
            }
        }
        match stage {
            Stage::In => {
                if let Some(v) = self.stateful(p, pkt, Direction::In, l4, now, trace) {
                    return Flow::Done(v);
                }
                if let Some(c) = fw_in {
                    match self.firewall(
                        c,
                        ROLE_IN,
                        Direction::In,
                        p,
                        &fields,
                        l4,
                        iface,
                        now,
                        trace,
                    ) {
                        Flow::Done(Verdict::Pass(_)) => {}
                        other => return other,
                    }
                }
                let l = self.loaded.as_ref().expect("checked above");
                let ours = self.phys.iter().any(|ph| ph.addrs.contains(&p.dst));
                let esp_in_udp = p.protocol == 17
                    && l4
                    && p.ports().is_some_and(|(_, d)| d == 4500)
                    && l.cfg.autopass.ports.contains(&4500);
                if ours && (matches!(p.protocol, 50 | 51) || esp_in_udp) {
                    return Flow::Done(Verdict::Decapsulate);
                }
                self.ipsec_policy(ipsec, Direction::In, &fields, l4, iface, None, trace)
            }
            Stage::Inner(action, sa_filter) => {
                let sa_chain = l.sa_filters.get(action.0 as usize).copied().flatten();
                if let Some(c) = sa_chain {
                    match self.firewall(
                        c,
                        ROLE_SA,
                        Direction::In,
                        p,
                        &fields,
                        l4,
                        iface,
                        now,
                        trace,
                    ) {
                        Flow::Done(Verdict::Drop(_)) => {
                            return Flow::Done(Verdict::Drop(DropReason::SaFilter));
                        }
                        Flow::Assemble => return Flow::Assemble,
                        _ => {}
                    }
                }
                self.ipsec_policy(
                    ipsec,
                    Direction::In,
                    &fields,
                    l4,
                    iface,
                    Some(sa_filter),
                    trace,
                )
            }
            Stage::Out => {
                match self.ipsec_policy(ipsec, Direction::Out, &fields, l4, iface, None, trace) {
                    Flow::Done(Verdict::Pass(_)) => {}
                    other => return other,
                }
                self.wire(fw_out, p, pkt, &fields, l4, iface, now, trace, false)
            }
            Stage::Wire(encapsulated) => {
                self.wire(fw_out, p, pkt, &fields, l4, iface, now, trace, encapsulated)
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn wire(
        &mut self,
        fw_out: Option<ChainRef>,
        p: &Parsed,
        pkt: &[u8],
        fields: &Fields,
        l4: bool,
        iface: &Arc<str>,
        now: Instant,
        trace: &mut Option<&mut Trace>,
        encapsulated: bool,
    ) -> Flow {
        let ok = Verdict::Pass(if encapsulated {
            PassReason::Encapsulated
        } else {
            PassReason::Filtered
        });
        if let Some(v) = self.stateful(p, pkt, Direction::Out, l4, now, trace) {
            return Flow::Done(match v {
                Verdict::Pass(_) => ok,
                v => v,
            });
        }
        match fw_out {
            Some(c) => match self.firewall(
                c,
                ROLE_OUT,
                Direction::Out,
                p,
                fields,
                l4,
                iface,
                now,
                trace,
            ) {
                Flow::Done(Verdict::Pass(_)) => Flow::Done(ok),
                other => other,
            },
            None => Flow::Done(ok),
        }
    }

    /// Tracker step: a packet of a tracked connection (or an announced FTP data connection) is
    /// decided here and skips the firewall chain.
    fn stateful(
        &mut self,
        p: &Parsed,
        pkt: &[u8],
        dir: Direction,
        l4: bool,
        now: Instant,
        trace: &mut Option<&mut Trace>,
    ) -> Option<Verdict> {
        if !l4 || self.tracker.is_empty() {
            return None;
        }
        let seg = p.segment()?;
        if let Some(id) = self.tracker.lookup(&seg, dir) {
            let r = self
                .tracker
                .track(id, &seg, dir, p.tcp_payload(pkt), now, &mut self.log);
            let (v, what, refusal) = match r {
                Ok(true) => (
                    Some(Verdict::Pass(PassReason::Filtered)),
                    "tracked connection",
                    None,
                ),
                Ok(false) => (None, "record expired", None),
                Err(e) => (
                    Some(Verdict::Drop(DropReason::Firewall)),
                    "packet refused",
                    Some(e),
                ),
            };
            if let Some(t) = trace.as_deref_mut() {
                t.steps.push(TraceStep::Tracker(what, refusal));
            }
            if v.is_some() {
                return v;
            }
        }
        match self.tracker.ftp_data(&seg, dir, now, &mut self.log)? {
            Ok(_) => {
                if let Some(t) = trace.as_deref_mut() {
                    t.steps
                        .push(TraceStep::Tracker("announced FTP data connection", None));
                }
                Some(Verdict::Pass(PassReason::Filtered))
            }
            Err(e) => {
                if let Some(t) = trace.as_deref_mut() {
                    t.steps.push(TraceStep::Tracker(
                        "FTP data connection from the wrong side",
                        Some(e),
                    ));
                }
                Some(Verdict::Drop(DropReason::Firewall))
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn firewall(
        &mut self,
        c: ChainRef,
        role: &'static str,
        dir: Direction,
        p: &Parsed,
        fields: &Fields,
        l4: bool,
        iface: &Arc<str>,
        now: Instant,
        trace: &mut Option<&mut Trace>,
    ) -> Flow {
        let Some(l) = self.loaded.as_ref() else {
            return Flow::Done(Verdict::Drop(DropReason::DriverBeingConfigured));
        };
        let (Some(chain), Some(names), Some(&base), Some(cfg_chain)) = (
            l.fw.get(c.index),
            l.fw_names.get(c.index),
            l.fw_base.get(c.index),
            l.cfg.chains.get(c.index),
        ) else {
            return Flow::Done(Verdict::Drop(DropReason::Firewall));
        };
        let key = Key::new(fields);
        let trace_on = self
            .log
            .wants(EventMask::FW_TRACE.union(EventMask::FW_NOTIF));
        let mut jumps: [(u32, u32); 8] = [(0, 0); 8];
        let mut njumps = 0usize;
        let outcome = chain.evaluate(&key, p.protocol, l4, |from, to| {
            if njumps < jumps.len() {
                jumps[njumps] = (from, to);
            }
            njumps += 1;
        });
        if let Some(t) = trace.as_deref_mut() {
            t.steps.push(TraceStep::Chain {
                role,
                chain: c.id,
                name: cfg_chain.name.as_str().into(),
            });
            let mut walk = Vec::new();
            let en = chain.enabled();
            let naive_out =
                naive::filter_chain(cfg_chain, |i| en.get(i as u32), fields, l4, Some(&mut walk));
            debug_assert_eq!(naive_out, outcome, "compiled and naive chains disagree");
            push_walk(t, &walk, base, names);
        }
        let rule = |i: u32| cfg_chain.rules.get(i as usize);
        // fw_trace events
        if trace_on {
            let desc = || PacketDesc {
                dir,
                ep: Endpoints {
                    src: p.src,
                    dst: p.dst,
                    ports: fields.ports,
                },
                protocol: p.protocol,
                len: u32::from(p.total_len),
                iface: IfRef::Name(iface.clone()),
            };
            let mut evs: [Option<Event>; 9] = Default::default();
            for (k, &(from, to)) in jumps.iter().take(njumps.min(8)).enumerate() {
                evs[k] = Some(Event::FiltrationJump {
                    pkt: desc(),
                    chain: c.id,
                    filter: base + from,
                    event_id: names
                        .get(from as usize)
                        .cloned()
                        .unwrap_or_else(|| "".into()),
                    next: base + to,
                    logged: rule(from).is_some_and(|r| r.log),
                });
            }
            evs[8] = Some(match outcome {
                ChainOutcome::Default(_) => Event::FiltrationNoMatch {
                    pkt: desc(),
                    chain: c.id,
                },
                ChainOutcome::Rule(i) | ChainOutcome::Assemble(i) => Event::Filtration {
                    pkt: desc(),
                    chain: c.id,
                    filter: base + i,
                    event_id: names.get(i as usize).cloned().unwrap_or_else(|| "".into()),
                    status: match (outcome, rule(i).map(|r| &r.action)) {
                        (ChainOutcome::Assemble(_), _) => FilterStatus::Assemble,
                        (_, Some(FilterAction::Drop)) => FilterStatus::Drop,
                        _ => FilterStatus::Pass,
                    },
                    logged: rule(i).is_some_and(|r| r.log),
                },
            });
            for e in evs.into_iter().flatten() {
                if self.log.wants(e.groups()) {
                    self.log.push(e);
                }
            }
        }
        match outcome {
            ChainOutcome::Assemble(_) => Flow::Assemble,
            ChainOutcome::Default(DefaultAction::Pass) => {
                Flow::Done(Verdict::Pass(PassReason::Filtered))
            }
            ChainOutcome::Default(DefaultAction::Drop) => {
                Flow::Done(Verdict::Drop(DropReason::Firewall))
            }
            ChainOutcome::Rule(i) => {
                let Some(r) = rule(i) else {
                    return Flow::Done(Verdict::Drop(DropReason::Firewall));
                };
                match r.action {
                    FilterAction::Drop => Flow::Done(Verdict::Drop(DropReason::Firewall)),
                    FilterAction::JumpTo(_) => Flow::Done(Verdict::Drop(DropReason::Firewall)),
                    FilterAction::Pass => {
                        if r.tcp_stateful
                            && role != ROLE_SA
                            && let Some(seg) = p.segment()
                        {
                            let (logged, ftp) = (r.log, r.ftp_inspection);
                            let parent = base + i;
                            let res = self.tracker.open(
                                &seg,
                                dir,
                                parent,
                                logged,
                                ftp,
                                now,
                                &mut self.log,
                            );
                            if let Some(t) = trace.as_deref_mut() {
                                t.steps.push(TraceStep::Tracker(
                                    if res.is_ok() {
                                        "record created"
                                    } else {
                                        "record refused"
                                    },
                                    res.err(),
                                ));
                            }
                            if res.is_err() {
                                return Flow::Done(Verdict::Drop(DropReason::Firewall));
                            }
                        }
                        Flow::Done(Verdict::Pass(PassReason::Filtered))
                    }
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn ipsec_policy(
        &mut self,
        c: Option<ChainRef>,
        dir: Direction,
        fields: &Fields,
        l4: bool,
        iface: &Arc<str>,
        sa_filter: Option<u32>,
        trace: &mut Option<&mut Trace>,
    ) -> Flow {
        let pass = Verdict::Pass(if sa_filter.is_some() {
            PassReason::Decapsulated
        } else {
            PassReason::Filtered
        });
        let Some(c) = c else {
            // no IPsec policy: all traffic clear
            return Flow::Done(match sa_filter {
                Some(f) => Verdict::Drop(DropReason::IpsecSaMismatch { filter: f }),
                None => pass,
            });
        };
        let Some(l) = self.loaded.as_ref() else {
            return Flow::Done(Verdict::Drop(DropReason::DriverBeingConfigured));
        };
        let (Some(chain), Some(names), Some(&base), Some(cfg_chain)) = (
            l.ipsec.get(c.index),
            l.ipsec_names.get(c.index),
            l.ipsec_base.get(c.index),
            l.cfg.ipsec_chains.get(c.index),
        ) else {
            return Flow::Done(Verdict::Drop(DropReason::IpsecPolicy));
        };
        // symmetric chain: selectors are written for outbound packets
        let f = if dir == Direction::In {
            fields.swapped()
        } else {
            *fields
        };
        let outcome = chain.evaluate(&Key::new(&f), f.protocol, l4, |_, _| {});
        if let Some(t) = trace.as_deref_mut() {
            t.steps.push(TraceStep::Chain {
                role: ROLE_IPSEC,
                chain: c.id,
                name: cfg_chain.name.as_str().into(),
            });
            let mut walk = Vec::new();
            let en = chain.enabled();
            let naive_out =
                naive::ipsec_chain(cfg_chain, |i| en.get(i as u32), &f, l4, Some(&mut walk));
            debug_assert_eq!(naive_out, outcome, "compiled and naive chains disagree");
            push_walk(t, &walk, base, names);
        }
        if self
            .log
            .wants(EventMask::FW_TRACE.union(EventMask::FW_NOTIF))
        {
            let pkt = PacketDesc {
                dir,
                ep: Endpoints {
                    src: fields.src,
                    dst: fields.dst,
                    ports: fields.ports,
                },
                protocol: fields.protocol,
                len: 0,
                iface: IfRef::Name(iface.clone()),
            };
            let e = match outcome {
                ChainOutcome::Default(_) => Event::FiltrationNoMatch { pkt, chain: c.id },
                ChainOutcome::Rule(i) | ChainOutcome::Assemble(i) => {
                    let r = cfg_chain.rules.get(i as usize);
                    Event::Filtration {
                        pkt,
                        chain: c.id,
                        filter: base + i,
                        event_id: names.get(i as usize).cloned().unwrap_or_else(|| "".into()),
                        status: match (outcome, r.map(|r| r.action)) {
                            (ChainOutcome::Assemble(_), _) => FilterStatus::Assemble,
                            (_, Some(IpsecRuleAction::Drop)) => FilterStatus::Drop,
                            (_, Some(IpsecRuleAction::Protect(_))) => FilterStatus::Match,
                            _ => FilterStatus::Pass,
                        },
                        logged: r.is_some_and(|r| r.log),
                    }
                }
            };
            if self.log.wants(e.groups()) {
                self.log.push(e);
            }
        }
        let action = match outcome {
            ChainOutcome::Assemble(_) => return Flow::Assemble,
            ChainOutcome::Default(DefaultAction::Pass) => None,
            ChainOutcome::Default(DefaultAction::Drop) => Some((IpsecRuleAction::Drop, 0)),
            ChainOutcome::Rule(i) => cfg_chain
                .rules
                .get(i as usize)
                .map(|r| (r.action, base + i)),
        };
        Flow::Done(match (sa_filter, dir, action) {
            // decapsulated: must land on the rule the SA was built for
            (Some(want), _, Some((IpsecRuleAction::Protect(_), id))) if id == want => pass,
            (Some(want), _, Some((IpsecRuleAction::Protect(_), _))) => {
                Verdict::Drop(DropReason::IpsecSaMismatch { filter: want })
            }
            (Some(_), _, Some((IpsecRuleAction::Pass, id))) => {
                Verdict::Drop(DropReason::IpsecPacketNotExpected { filter: id })
            }
            (Some(want), _, None) => Verdict::Drop(DropReason::IpsecSaMismatch { filter: want }),
            (_, _, Some((IpsecRuleAction::Drop, _))) => Verdict::Drop(DropReason::IpsecPolicy),
            (None, Direction::In, Some((IpsecRuleAction::Protect(_), id))) => {
                Verdict::Drop(DropReason::MustBeProtected { filter: id })
            }
            (None, Direction::Out, Some((IpsecRuleAction::Protect(a), id))) => Verdict::Protect {
                action: a,
                filter: id,
            },
            (None, _, Some((IpsecRuleAction::Pass, _))) | (None, _, None) => pass,
        })
    }
}

fn vec_of(n: usize, v: u32) -> Vec<u32> {
    alloc::vec![v; n]
}

fn push_walk(t: &mut Trace, walk: &[WalkStep], base: u32, names: &[Arc<str>]) {
    let name = |i: u32| names.get(i as usize).cloned().unwrap_or_else(|| "".into());
    for w in walk {
        t.steps.push(match *w {
            WalkStep::Disabled(i) => TraceStep::Rule {
                filter: base + i,
                name: name(i),
                what: RuleStep::Disabled,
            },
            WalkStep::NoMatch(i, m) => TraceStep::Rule {
                filter: base + i,
                name: name(i),
                what: RuleStep::NoMatch(m),
            },
            WalkStep::Jump(i, to) => TraceStep::Rule {
                filter: base + i,
                name: name(i),
                what: RuleStep::Jump(base + to),
            },
            WalkStep::Decided(i) => TraceStep::Rule {
                filter: base + i,
                name: name(i),
                what: RuleStep::Decided,
            },
            WalkStep::Assemble(i) => TraceStep::Rule {
                filter: base + i,
                name: name(i),
                what: RuleStep::Assemble,
            },
            WalkStep::Default(a) => TraceStep::Default(a),
        });
    }
}

fn packet_type(ph: &Phy, dir: Direction, p: &Parsed, forwarded: bool) -> PacketTypes {
    if forwarded {
        return PacketTypes::TRANSIT;
    }
    let bcast = p.dst == Ipv4Addr::BROADCAST || p.dst.is_multicast() || ph.bcasts.contains(&p.dst);
    if bcast {
        return PacketTypes::LOCAL_BROADCAST;
    }
    match dir {
        Direction::Out => PacketTypes::LOCAL_UNICAST,
        Direction::In if ph.addrs.contains(&p.dst) => PacketTypes::LOCAL_UNICAST,
        Direction::In => PacketTypes::LOCAL_MISDIRECTED,
    }
}

fn desc(dir: Direction, iface: IfRef, pkt: &[u8], p: Option<Parsed>) -> PacketDesc {
    match p {
        Some(p) => PacketDesc {
            dir,
            ep: Endpoints {
                src: p.src,
                dst: p.dst,
                // a corrupted transport header still shows its ports when they are there
                ports: p.ports().or_else(|| {
                    let h = usize::from(p.header_len);
                    match (p.protocol, p.frag_offset, pkt.get(h..h + 4)) {
                        (6 | 17, 0, Some(b)) => Some((
                            u16::from_be_bytes([b[0], b[1]]),
                            u16::from_be_bytes([b[2], b[3]]),
                        )),
                        _ => None,
                    }
                }),
            },
            protocol: p.protocol,
            len: u32::from(p.total_len),
            iface,
        },
        None => {
            // the header may be garbage: print what is there, zeros otherwise
            let b = |i: usize| pkt.get(i).copied().unwrap_or(0);
            PacketDesc {
                dir,
                ep: Endpoints {
                    src: Ipv4Addr::new(b(12), b(13), b(14), b(15)),
                    dst: Ipv4Addr::new(b(16), b(17), b(18), b(19)),
                    ports: None,
                },
                protocol: b(9),
                len: pkt.len() as u32,
                iface,
            }
        }
    }
}

fn range_selector(s: &Selector) -> RangeSelector {
    let addrs = |l: &Option<Vec<core::ops::RangeInclusive<Ipv4Addr>>>| match l {
        None => alloc::vec![(Ipv4Addr::UNSPECIFIED, Ipv4Addr::BROADCAST)],
        Some(v) => v.iter().map(|r| (*r.start(), *r.end())).collect(),
    };
    let ports = |l: &Option<Vec<core::ops::RangeInclusive<u16>>>| {
        l.as_ref()
            .map(|v| v.iter().map(|r| (*r.start(), *r.end())).collect())
    };
    RangeSelector {
        src: addrs(&s.src),
        src_ports: ports(&s.src_port),
        dst: addrs(&s.dst),
        dst_ports: ports(&s.dst_port),
        protocols: s
            .protocol
            .as_ref()
            .map(|v| v.iter().map(|r| (*r.start(), *r.end())).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        for (t, s, want) in [
            ("*", "eth0", true),
            ("eth*", "eth0", true),
            ("eth*", "wlan0", false),
            ("eth?", "eth0", true),
            ("eth?", "eth10", false),
            ("e*h*0", "eth0", true),
            ("eth0", "eth0", true),
            ("eth0", "eth00", false),
            ("*0", "eth10", true),
            ("", "", true),
            ("**", "x", true),
        ] {
            assert_eq!(
                template_matches(t.as_bytes(), s.as_bytes()),
                want,
                "{t} {s}"
            );
        }
    }
}
