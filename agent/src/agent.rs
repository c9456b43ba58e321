//! The agent: the packet pipeline of lsp.md §7.1 with SAs, IKE and queues around the filter.
//!
//! ```text
//!  outbound(phy, pkt) ─ filter (IPsec policy) ─┬ PASS ── firewall out ─────────────── Send
//!                                              ├ DROP ───────────────────────────────── Drop(reason)
//!                                              └ PROTECT ─ bundle? ─ yes ─ ESP/AH ─ firewall out ─ [fragment] ─ Send
//!                                                              └ no ─ FallbackAction: DROP ─ Drop(SA bundle not found)
//!                                                                     NEGOTIATE ─ SA request (limits) ─ queue ─ Queued
//!  inbound(phy, pkt) ── filter (autopass, tracker, firewall in) ─┬ IKE ─ engine
//!                                                                ├ IPsec ─ SA database (SPI, bundle, decapsulate)
//!                                                                │          ─ SA selectors ─ SA filter ─ IPsec policy ─ Deliver
//!                                                                └ clear ─ IPsec policy ─ Deliver / Drop
//! ```
//!
//! Queued packets leave through [`Agent::poll_output`] once the bundle is installed; IKE
//! datagrams through [`Agent::poll_transmit`]; notices for the host (SA up/down, IKECFG address)
//! through [`Agent::poll_notice`]; engine events (klogview) through [`Agent::events`].
//!
//! The fast path (a packet with an installed bundle, in either direction) works in the caller's
//! buffer and does not allocate; queueing, fragmentation and management do. Every packet copy
//! the agent keeps counts against [`AgentSettings::packet_memory`] ([`crate::memory`]): when it
//! is spent, new SA requests fail with `out of memory`, clear packets with `can't allocate packet
//! buffer`, and packets that need a buffer to be encapsulated with IPsec error 8.

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::net::{IpAddr, Ipv4Addr, SocketAddr};
use core::time::Duration;

use zubr_base::sa::{DfMode, Mode, Tunnel};
use zubr_base::sadb::{BundleId, InboundKind, SaDb, SaId};
use zubr_base::{Direction, DropReason, Instant, IpsecError, PacketBuf, SaParams, UnixTime, ip};
use zubr_crypto_stb::{CryptoProvider, Rng};
use zubr_esp::{EspConfig, EspInbound, EspOutbound, UdpEncap};
use zubr_filter as fl;
use zubr_filter::event::{AddrSpan, Event, EventLog, EventMask, SaLoad, SaSelector};
use zubr_ike::config as ik;
use zubr_ike::engine::Acquire;
use zubr_ike::{ConnId, Engine as IkeEngine, Event as IkeEvent, IpsecSaPair, Transmit};

use crate::frag::{self, FragOptions};
use crate::keys::KeyStore;
use crate::map::{self, MapError, Mapped};
use crate::memory::PacketMemory;
use crate::session::{LoginError, PasswordRecord, Session};
use crate::settings::DrvSettings;
use crate::wire;

pub use zubr_filter::{Ddp, Lop, PhyId, PolicyState};

/// How long a request may wait for its bundle beyond `SessionTimeMax` before its packets are
/// dropped (`failed to build SA bundle`).
const REQUEST_GRACE: Duration = Duration::from_secs(5);
/// Name of the IKECFG virtual interface the agent registers after Mode Config.
pub const IKECFG_NAME: &str = "ikecfg0";
/// Housekeeping period (lifetimes, tracker expiry, request deadlines).
const TICK: Duration = Duration::from_secs(1);

/// Settings of an agent that are not part of a policy.
#[derive(Debug, Clone, Copy)]
pub struct AgentSettings {
    /// Default Driver Policy.
    pub ddp: Ddp,
    /// Log-off policy.
    pub lop: Lop,
    /// Host time zone (schedules), seconds east of UTC.
    pub utc_offset_secs: i32,
    /// Event groups kept in the log.
    pub event_mask: EventMask,
    /// Events kept before `*** N messages lost ***`.
    pub event_capacity: usize,
    /// `drv_mgr` read-write settings.
    pub drv: DrvSettings,
    /// Security gateway: transit packets are forwarded (else `packet is not local`).
    pub gateway: bool,
    /// Bytes of packet copies the agent may hold for the host (SA waiting queues, the
    /// [`Agent::poll_output`] queue, scratch buffers): see [`crate::memory`]. Default 16 MiB.
    pub packet_memory: usize,
}

impl Default for AgentSettings {
    fn default() -> Self {
        AgentSettings {
            ddp: Ddp::PassAll,
            lop: Lop::Ddp,
            utc_offset_secs: 0,
            event_mask: EventMask::PASS.union(EventMask::DROP),
            event_capacity: 4096,
            drv: DrvSettings::default(),
            gateway: false,
            packet_memory: 16 << 20,
        }
    }
}

/// Why an agent could not be created or a policy could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentError {
    /// The DRBG seed was refused (at least 32 bytes).
    Seed,
    /// The LSP text has errors (rendered diagnostics).
    Lsp(String),
    /// The policy cannot be run.
    Map(MapError),
    /// No policy is stored.
    NoPolicy,
}

impl core::fmt::Display for AgentError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            AgentError::Seed => f.write_str("the random generator seed is too short"),
            AgentError::Lsp(s) => f.write_str(s),
            AgentError::Map(e) => write!(f, "{e}"),
            AgentError::NoPolicy => f.write_str("no LSP is stored"),
        }
    }
}

impl core::error::Error for AgentError {}

/// What became of an outbound packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutResult {
    /// Send the buffer's packet (encapsulated when the policy said so) on `phy`.
    Send {
        /// Interface to send on.
        phy: PhyId,
    },
    /// Waiting for an SA bundle; it leaves through [`Agent::poll_output`].
    Queued,
    /// A fragment held for reassembly.
    Held,
    /// Fragmented: the fragments leave through [`Agent::poll_output`].
    Fragmented,
    /// Dropped.
    Drop(DropReason),
}

/// What became of an inbound packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InResult {
    /// Deliver the buffer's packet (decapsulated when it was IPsec) to the host on `phy`.
    Deliver {
        /// Interface it arrives on (the IKECFG interface for tunnelled traffic to its address).
        phy: PhyId,
    },
    /// Used by the agent (IKE, NAT keep-alive, PMTUD).
    Consumed,
    /// A fragment held for reassembly.
    Held,
    /// Dropped.
    Drop(DropReason),
}

/// A packet produced outside the call that caused it (queue release, fragments, ICMP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Send on a network interface.
    Send {
        /// Interface.
        phy: PhyId,
        /// The IPv4 packet.
        packet: Vec<u8>,
    },
    /// Deliver to the host's IP stack.
    Deliver {
        /// Interface it arrives on.
        phy: PhyId,
        /// The IPv4 packet.
        packet: Vec<u8>,
    },
}

/// Something the host may want to act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// An IPsec SA pair was installed.
    SaUp {
        /// Connection id (`sa_mgr`).
        conn: u32,
        /// Peer.
        peer: Ipv4Addr,
    },
    /// An IPsec SA pair was removed.
    SaDown {
        /// Connection id.
        conn: u32,
        /// Peer.
        peer: Ipv4Addr,
    },
    /// An SA request failed.
    RequestFailed {
        /// Filter id.
        filter: u32,
        /// Peer tried last.
        peer: Ipv4Addr,
    },
    /// Mode Config assigned an address: bring up the IKECFG interface.
    Ikecfg(IkecfgAssignment),
}

/// What Mode Config delivered (INTERNAL_IP4_ADDRESS, NETMASK, DNS, NBNS, split networks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IkecfgAssignment {
    /// The ISAKMP SA that ran Mode Config.
    pub isakmp: u32,
    /// Assigned address.
    pub address: Ipv4Addr,
    /// Netmask.
    pub netmask: Option<Ipv4Addr>,
    /// DNS servers.
    pub dns: Vec<Ipv4Addr>,
    /// WINS servers.
    pub wins: Vec<Ipv4Addr>,
    /// Split networks (first, last); empty = everything the policy protects.
    pub split: Vec<(Ipv4Addr, Ipv4Addr)>,
}

/// A network interface the host registered.
#[derive(Debug, Clone)]
struct Phy {
    name: Arc<str>,
    addrs: Vec<Ipv4Addr>,
    bcasts: Vec<Ipv4Addr>,
    mtu: u16,
    fid: PhyId,
    ikecfg: bool,
}

/// Where the active policy came from (`lsp_mgr show-info`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySource {
    /// `Source`: `command line`, `demo`, …
    pub source: String,
    /// `Source info`: the label (file name by default).
    pub info: String,
}

struct Active {
    policy: zubr_lsp::Policy,
    mapped: Mapped,
    ike: IkeEngine,
    text: Option<Vec<u8>>,
    source: PolicySource,
}

struct Pair {
    conn: ConnId,
    ike_rule: usize,
    filter: u32,
    chain: u32,
    action: usize,
    local_ts: ik::Selector,
    remote_ts: ik::Selector,
    local: Ipv4Addr,
    peer: Ipv4Addr,
    sa_in: SaId,
    sa_out: SaId,
    bundle_out: BundleId,
    tunnel: bool,
    pmtu: Option<u16>,
    pmtu_discovery: bool,
    df: DfMode,
    spi_out: u32,
}

struct Request {
    filter: u32,
    chain: u32,
    action: usize,
    ike_rule: usize,
    peer: Ipv4Addr,
    tunnel_idx: usize,
    started: Instant,
    queue: VecDeque<(PhyId, Vec<u8>)>,
}

#[derive(Debug, Clone)]
struct Ikecfg {
    phy: PhyId,
    assignment: IkecfgAssignment,
}

/// The security agent. See the module docs for the pipeline.
pub struct Agent {
    provider: CryptoProvider,
    settings: AgentSettings,
    filter: fl::Engine,
    sadb: SaDb,
    rng: Box<dyn Rng>,
    phys: Vec<Phy>,
    active: Option<Active>,
    stored: Option<(Vec<u8>, PolicySource)>,
    pairs: Vec<Pair>,
    requests: Vec<Request>,
    out: VecDeque<Output>,
    /// Budget of the packet copies in `out` and in the requests' queues.
    mem: PacketMemory,
    notices: VecDeque<Notice>,
    session: Option<Session>,
    ikecfg: Option<Ikecfg>,
    wall: UnixTime,
    /// Wall clock at a monotonic instant, for certificate validity ([`Agent::set_unix_time`]).
    unix_at: Option<(Instant, UnixTime)>,
    next_tick: Instant,
    default_local: Option<Ipv4Addr>,
    last_error: Option<String>,
    stats: Stats,
}

/// Packet counters of the agent (tray status: bytes processed since start).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Packets encapsulated.
    pub encapsulated: u64,
    /// Packets decapsulated.
    pub decapsulated: u64,
    /// Packets passed in clear.
    pub clear: u64,
    /// Packets dropped.
    pub dropped: u64,
    /// Bytes of protected traffic (cleartext lengths, both directions).
    pub protected_bytes: u64,
}

impl core::fmt::Debug for Agent {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Agent")
            .field("state", &self.filter.state())
            .field("sas", &self.pairs.len())
            .field("requests", &self.requests.len())
            .finish_non_exhaustive()
    }
}

fn ts_has(s: &ik::Selector, a: Ipv4Addr, proto: u8, port: u16) -> bool {
    s.contains_addr(a)
        && (s.protocol == 0 || s.protocol == proto)
        && (s.port == 0 || s.port == port)
}

fn span(s: &ik::Selector) -> AddrSpan {
    AddrSpan(s.first, s.last)
}

fn sa_selector(l: &ik::Selector, r: &ik::Selector) -> SaSelector {
    SaSelector {
        local: span(l),
        local_port: l.port,
        remote: span(r),
        remote_port: r.port,
        protocol: l.protocol,
    }
}

impl Agent {
    /// A new agent: the Default Driver Policy is in force, no interfaces. `seed` (≥ 32 bytes
    /// of entropy) seeds the agent's DRBG, from which every IKE engine is seeded.
    pub fn new(
        provider: CryptoProvider,
        settings: AgentSettings,
        seed: &[u8],
    ) -> Result<Agent, AgentError> {
        let rng = provider
            .drbg
            .instantiate(seed)
            .map_err(|_| AgentError::Seed)?;
        let filter = fl::Engine::new(fl::EngineSettings {
            ddp: settings.ddp,
            lop: settings.lop,
            utc_offset_secs: settings.utc_offset_secs,
            event_mask: settings.event_mask,
            event_capacity: settings.event_capacity,
            ..fl::EngineSettings::default()
        });
        Ok(Agent {
            provider,
            settings,
            filter,
            sadb: SaDb::new(),
            rng,
            phys: Vec::new(),
            active: None,
            stored: None,
            pairs: Vec::new(),
            requests: Vec::new(),
            out: VecDeque::new(),
            mem: PacketMemory::new(settings.packet_memory),
            notices: VecDeque::new(),
            session: None,
            ikecfg: None,
            wall: UnixTime(0),
            unix_at: None,
            next_tick: Instant::ZERO,
            default_local: None,
            last_error: None,
            stats: Stats::default(),
        })
    }

    // -----------------------------------------------------------------------------------------
    // Interfaces

    /// Registers a network interface with its unicast and broadcast addresses and MTU.
    pub fn add_interface(
        &mut self,
        name: &str,
        addrs: &[Ipv4Addr],
        bcasts: &[Ipv4Addr],
        mtu: u16,
    ) -> PhyId {
        let fid = self.filter.add_interface(name, addrs, bcasts);
        self.phys.push(Phy {
            name: name.into(),
            addrs: addrs.to_vec(),
            bcasts: bcasts.to_vec(),
            mtu: mtu.max(68),
            fid,
            ikecfg: false,
        });
        fid
    }

    /// Our IKE/tunnel address when a policy gives none (default: the first address of the
    /// first interface).
    pub fn set_local_address(&mut self, a: Ipv4Addr) {
        self.default_local = Some(a);
    }

    fn phy(&self, id: PhyId) -> Option<&Phy> {
        self.phys.iter().find(|p| p.fid == id)
    }

    fn local_address(&self) -> Option<Ipv4Addr> {
        self.default_local.or_else(|| {
            self.phys
                .iter()
                .filter(|p| !p.ikecfg)
                .find_map(|p| p.addrs.first().copied())
        })
    }

    /// Whether `dst` is this host's: an address or broadcast address of an interface, the
    /// limited broadcast or multicast.
    fn is_local(&self, dst: Ipv4Addr) -> bool {
        dst.is_broadcast()
            || dst.is_multicast()
            || self
                .phys
                .iter()
                .any(|p| p.addrs.contains(&dst) || p.bcasts.contains(&dst))
    }

    fn phy_of_addr(&self, a: Ipv4Addr) -> Option<PhyId> {
        self.phys
            .iter()
            .filter(|p| !p.ikecfg)
            .find(|p| p.addrs.contains(&a))
            .map(|p| p.fid)
    }

    /// The IKECFG virtual interface, once Mode Config gave an address.
    pub fn ikecfg_interface(&self) -> Option<(PhyId, &IkecfgAssignment)> {
        self.ikecfg.as_ref().map(|c| (c.phy, &c.assignment))
    }

    // -----------------------------------------------------------------------------------------
    // Policies

    /// The policy in force.
    pub fn state(&self) -> PolicyState {
        self.filter.state()
    }

    /// Compiles and loads LSP text (`lsp_mgr load` + activation). On any error the previous
    /// state is replaced by the Default Driver Policy (fail closed) and the error returned.
    pub fn load_policy_text(
        &mut self,
        now: Instant,
        text: &[u8],
        source: PolicySource,
        keys: &dyn KeyStore,
    ) -> Result<Vec<String>, AgentError> {
        let checked = zubr_lsp::check(text, &zubr_lsp::Options::default());
        let policy = match checked.compile() {
            Ok(p) => p,
            Err(diags) => {
                self.unload_policy(now);
                let msg = zubr_lsp::render(&diags, &source.info, text);
                let msg = String::from(msg.trim_end());
                self.last_error = Some(msg.clone());
                return Err(AgentError::Lsp(msg));
            }
        };
        self.stored = Some((text.to_vec(), source.clone()));
        self.load_policy(now, policy, Some(text.to_vec()), source, keys)
    }

    /// Loads a compiled policy. On error the Default Driver Policy is in force.
    pub fn load_policy(
        &mut self,
        now: Instant,
        policy: zubr_lsp::Policy,
        text: Option<Vec<u8>>,
        source: PolicySource,
        keys: &dyn KeyStore,
    ) -> Result<Vec<String>, AgentError> {
        self.drop_all_sas(now);
        let mapped = match map::map_policy(&policy, &self.provider, keys) {
            Ok(m) => m,
            Err(e) => {
                self.unload_policy(now);
                self.last_error = Some(e.to_string());
                return Err(AgentError::Map(e));
            }
        };
        let mut seed = [0u8; 48];
        if self.rng.fill(&mut seed).is_err() {
            self.unload_policy(now);
            return Err(AgentError::Seed);
        }
        let ike = match IkeEngine::new(mapped.ike.clone(), self.provider, &seed) {
            Ok(mut e) => {
                if let Some((at, unix)) = self.unix_at {
                    e.set_unix_time(at, unix);
                }
                e
            }
            Err(e) => {
                self.unload_policy(now);
                let e = MapError::Ike(e.to_string());
                self.last_error = Some(e.to_string());
                return Err(AgentError::Map(e));
            }
        };
        if let Err(e) = self.filter.load_policy(mapped.filter.clone(), self.wall) {
            self.unload_policy(now);
            let e = MapError::Filter(e.to_string());
            self.last_error = Some(e.to_string());
            return Err(AgentError::Map(e));
        }
        self.sadb.set_nat_t_port(mapped.ike.params.natt_port);
        let warnings = mapped.warnings.clone();
        self.active = Some(Active {
            policy,
            mapped,
            ike,
            text,
            source,
        });
        self.last_error = None;
        self.apply_session_state();
        Ok(warnings)
    }

    /// `lsp_mgr reload`: loads the stored policy again (all connections are dropped).
    pub fn reload_policy(
        &mut self,
        now: Instant,
        keys: &dyn KeyStore,
    ) -> Result<Vec<String>, AgentError> {
        let (text, source) = self.stored.clone().ok_or(AgentError::NoPolicy)?;
        self.load_policy_text(now, &text, source, keys)
    }

    /// `lsp_mgr unload`: deletes all SAs; the Default Driver Policy takes over.
    pub fn unload_policy(&mut self, now: Instant) {
        self.drop_all_sas(now);
        self.active = None;
        self.filter.unload_policy();
        self.apply_session_state();
    }

    /// The LSP text in force (`lsp_mgr show`), `None` under the DDP.
    pub fn policy_text(&self) -> Option<&[u8]> {
        self.active.as_ref().and_then(|a| a.text.as_deref())
    }

    /// The stored LSP text (`lsp_mgr show -db`).
    pub fn stored_text(&self) -> Option<&[u8]> {
        self.stored.as_ref().map(|(t, _)| t.as_slice())
    }

    /// Stores LSP text without activating it (the host's database).
    pub fn set_stored(&mut self, text: Vec<u8>, source: PolicySource) {
        self.stored = Some((text, source));
    }

    /// Where the policy in force came from.
    pub fn policy_source(&self, db: bool) -> Option<&PolicySource> {
        if db {
            self.stored.as_ref().map(|(_, s)| s)
        } else {
            self.active.as_ref().map(|a| &a.source)
        }
    }

    /// The compiled policy in force.
    pub fn policy(&self) -> Option<&zubr_lsp::Policy> {
        self.active.as_ref().map(|a| &a.policy)
    }

    /// The mapping of the policy in force.
    pub fn mapped(&self) -> Option<&Mapped> {
        self.active.as_ref().map(|a| &a.mapped)
    }

    /// Why the last load failed.
    pub fn last_error(&self) -> Option<&str> {
        self.last_error.as_deref()
    }

    /// DDP and LOP (`dp_mgr`).
    pub fn driver_policies(&self) -> (Ddp, Lop) {
        (self.filter.settings().ddp, self.filter.settings().lop)
    }

    /// `dp_mgr set`.
    pub fn set_driver_policies(&mut self, ddp: Ddp, lop: Lop) {
        self.settings.ddp = ddp;
        self.settings.lop = lop;
        self.filter.set_driver_policies(ddp, lop);
    }

    /// Wall clock (UTC) for schedules; call at [`Agent::next_schedule_change`] at least.
    pub fn set_wall_clock(&mut self, now: UnixTime) {
        self.wall = now;
        self.filter.set_wall_clock(now);
    }

    /// Wall clock (UTC) at the monotonic instant `now`: sets the schedules' clock
    /// ([`Agent::set_wall_clock`]) and tells IKE the time it checks certificate validity
    /// against (signature authentication fails with `NoTime` until a host calls this). IKE
    /// extrapolates from `now`; call again when the wall clock jumps.
    pub fn set_unix_time(&mut self, now: Instant, unix: UnixTime) {
        self.set_wall_clock(unix);
        self.unix_at = Some((now, unix));
        if let Some(a) = self.active.as_mut() {
            a.ike.set_unix_time(now, unix);
        }
    }

    /// When a schedule may next change state.
    pub fn next_schedule_change(&self) -> Option<UnixTime> {
        self.filter.next_schedule_change()
    }

    // -----------------------------------------------------------------------------------------
    // Session

    /// Enables the user session with a stored password: the Log-off policy is in force until
    /// [`Agent::login`].
    pub fn enable_session(&mut self, record: PasswordRecord) {
        self.session = Some(Session::new(record));
        self.apply_session_state();
    }

    /// The session, if enabled.
    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    fn apply_session_state(&mut self) {
        let off = self.session.as_ref().is_some_and(|s| !s.logged_in());
        self.filter.set_logged_off(off);
    }

    /// Interactive login. Three wrong passwords put the Log-off policy back (with its SAs
    /// deleted) and every further try waits 30 s.
    pub fn login(&mut self, now: Instant, password: &[u8]) -> Result<(), LoginError> {
        let Some(s) = self.session.as_mut() else {
            return Ok(());
        };
        let was = s.logged_in();
        let r = s.login(now, password);
        let is = s.logged_in();
        if was && !is {
            self.drop_all_sas(now);
        }
        self.apply_session_state();
        r
    }

    /// Non-interactive login: tries the empty password; true when the session opened.
    pub fn login_noninteractive(&mut self) -> bool {
        let ok = self
            .session
            .as_mut()
            .is_none_or(|s| s.login_noninteractive());
        self.apply_session_state();
        ok
    }

    /// Logout: every SA is deleted (peers notified) and the Log-off policy loaded.
    pub fn logout(&mut self, now: Instant) {
        self.drop_all_sas(now);
        if let Some(s) = self.session.as_mut() {
            s.logout();
        }
        self.apply_session_state();
    }

    /// `pwd_change OLD NEW`. Returns the new record for the host to store.
    pub fn change_password(
        &mut self,
        now: Instant,
        old: &[u8],
        new: &[u8],
    ) -> Result<PasswordRecord, LoginError> {
        let s = self.session.as_mut().ok_or(LoginError::WrongPassword)?;
        s.change_password(now, old, new, &mut *self.rng)?;
        Ok(s.record().clone())
    }

    // -----------------------------------------------------------------------------------------
    // Events and outputs

    /// The engine event log (klogview).
    pub fn events(&mut self) -> &mut EventLog {
        self.filter.events()
    }

    /// The filter engine (tracker, traces).
    pub fn filter(&self) -> &fl::Engine {
        &self.filter
    }

    /// The IKE engine of the policy in force.
    pub fn ike(&self) -> Option<&IkeEngine> {
        self.active.as_ref().map(|a| &a.ike)
    }

    /// Counters.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// `drv_mgr` settings.
    pub fn drv(&self) -> &DrvSettings {
        &self.settings.drv
    }

    /// `drv_mgr set`.
    pub fn drv_mut(&mut self) -> &mut DrvSettings {
        &mut self.settings.drv
    }

    /// Concurrent SA-bundle requests (`ipsec_breq_count`).
    pub fn requests(&self) -> usize {
        self.requests.len()
    }

    /// Packets waiting for SAs.
    pub fn queued(&self) -> usize {
        self.requests.iter().map(|r| r.queue.len()).sum()
    }

    /// Installed SA pairs.
    pub fn sa_pairs(&self) -> usize {
        self.pairs.len()
    }

    /// The next IKE datagram to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.active.as_mut()?.ike.poll_transmit()
    }

    /// The next packet produced asynchronously.
    pub fn poll_output(&mut self) -> Option<Output> {
        let o = self.out.pop_front()?;
        let (Output::Send { packet, .. } | Output::Deliver { packet, .. }) = &o;
        self.mem.release(packet.len());
        Some(o)
    }

    /// Bytes of packet copies the agent holds now, and its limit
    /// ([`AgentSettings::packet_memory`]).
    pub fn packet_memory(&self) -> (usize, usize) {
        (self.mem.held(), self.mem.limit())
    }

    /// Changes the packet memory limit ([`AgentSettings::packet_memory`]).
    pub fn set_packet_memory(&mut self, limit: usize) {
        self.settings.packet_memory = limit;
        self.mem.set_limit(limit);
    }

    /// Queues a counted packet (from [`PacketMemory`]) for [`Agent::poll_output`].
    fn push_out(&mut self, o: Output) {
        self.out.push_back(o);
    }

    /// The next notice.
    pub fn poll_notice(&mut self) -> Option<Notice> {
        self.notices.pop_front()
    }

    fn ev(&mut self, e: Event) {
        let log = self.filter.events();
        if log.wants(e.groups()) {
            log.push(e);
        }
    }

    /// Reports an outbound drop and returns it.
    fn refuse(&mut self, phy: PhyId, pkt: &[u8], reason: DropReason) -> OutResult {
        self.report_drop(Direction::Out, phy, pkt, reason);
        OutResult::Drop(reason)
    }

    fn report_drop(&mut self, dir: Direction, phy: PhyId, pkt: &[u8], reason: DropReason) {
        self.stats.dropped += 1;
        if !self.filter.events().wants(EventMask::DROP) {
            return;
        }
        let name = self
            .phy(phy)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| "?".into());
        let e = Event::Dropped {
            pkt: wire::describe(dir, &name, pkt),
            reason,
        };
        self.filter.events().push(e);
    }

    // -----------------------------------------------------------------------------------------
    // Timers

    /// The earliest time [`Agent::handle_timeout`] has work.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let ike = self.active.as_ref().and_then(|a| a.ike.poll_timeout());
        Some(match ike {
            Some(t) => t.min(self.next_tick),
            None => self.next_tick,
        })
    }

    /// Timers: IKE retransmissions and lifetimes, SA lifetimes, tracker expiry, request
    /// deadlines.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let Some(a) = self.active.as_mut()
            && a.ike.poll_timeout().is_some_and(|t| t <= now)
        {
            a.ike.handle_timeout(now);
        }
        if now >= self.next_tick {
            self.next_tick = now + TICK;
            self.filter.poll(now);
            self.sadb.handle_timeout(now);
            while let Some(e) = self.sadb.poll_event() {
                let ev = match e.event {
                    zubr_base::LifetimeEvent::SoftExpired => Event::RekeyRequested { sa: e.sa.0 },
                    zubr_base::LifetimeEvent::HardExpired => Event::SaExpired { sa: e.sa.0 },
                };
                self.ev(ev);
            }
            let limit = self
                .active
                .as_ref()
                .map(|a| a.mapped.ike.params.session_time_max)
                .unwrap_or_default()
                + REQUEST_GRACE;
            let stale: Vec<usize> = self
                .requests
                .iter()
                .enumerate()
                .filter(|(_, r)| now.saturating_duration_since(r.started) > limit)
                .map(|(i, _)| i)
                .collect();
            for i in stale.into_iter().rev() {
                self.fail_request(now, i);
            }
        }
        self.drain_ike(now);
    }

    // -----------------------------------------------------------------------------------------
    // IKE input

    /// An IKE (or ESP-in-UDP) datagram received on a UDP socket at `local` from `remote`. The
    /// agent wraps it in its IPv4/UDP header and runs the inbound path on the interface that
    /// owns `local`; decapsulated packets leave through [`Agent::poll_output`].
    pub fn handle_datagram(
        &mut self,
        now: Instant,
        local: SocketAddr,
        remote: SocketAddr,
        data: &[u8],
    ) -> InResult {
        let IpAddr::V4(l) = local.ip() else {
            return InResult::Drop(DropReason::CorruptedIpHeader);
        };
        let Some(phy) = self
            .phy_of_addr(l)
            .or_else(|| self.phys.first().map(|p| p.fid))
        else {
            return InResult::Drop(DropReason::UnknownPhysicalInterface);
        };
        let Some(pkt) = wire::udp_packet(remote, local, data) else {
            return InResult::Drop(DropReason::CorruptedIpHeader);
        };
        // the datagram is rebuilt as an IPv4 packet in a counted buffer, which becomes the
        // delivered packet
        let n = pkt.len();
        let Ok(mut storage) = self.mem.zeroed(n) else {
            let r = DropReason::CannotAllocatePacketBuffer;
            self.report_drop(Direction::In, phy, &pkt, r);
            return InResult::Drop(r);
        };
        storage.copy_from_slice(&pkt);
        drop(pkt);
        let Ok(mut buf) = PacketBuf::new(&mut storage, 0, n) else {
            self.mem.release(n);
            return InResult::Drop(DropReason::CannotAllocatePacketBuffer);
        };
        let r = self.inbound(now, phy, &mut buf);
        if let InResult::Deliver { phy } = r {
            let (start, len) = (buf.start(), buf.len());
            let packet = self.shrink_to_packet(storage, start, len);
            self.push_out(Output::Deliver { phy, packet });
        } else {
            self.mem.release(n);
        }
        r
    }

    /// The packet `start..start + len` of a counted buffer, moved to its front; the bytes
    /// cut off go back to the budget.
    fn shrink_to_packet(&mut self, mut storage: Vec<u8>, start: usize, len: usize) -> Vec<u8> {
        let before = storage.len();
        storage.copy_within(start..start + len, 0);
        storage.truncate(len);
        self.mem.release(before - len);
        storage
    }

    fn ike_datagram(&mut self, now: Instant, pkt: &[u8]) -> InResult {
        let Some((src, dst, body)) = wire::udp_parts(pkt) else {
            return InResult::Drop(DropReason::CorruptedProtocolHeaders);
        };
        let Some(a) = self.active.as_mut() else {
            return InResult::Consumed;
        };
        let _ = a.ike.handle_datagram(now, dst, src, body);
        self.drain_ike(now);
        InResult::Consumed
    }

    // -----------------------------------------------------------------------------------------
    // Inbound

    /// An IPv4 packet received on `phy`. On [`InResult::Deliver`] the buffer holds the packet
    /// to deliver (decapsulated if it was IPsec).
    pub fn inbound(&mut self, now: Instant, phy: PhyId, pkt: &mut PacketBuf<'_>) -> InResult {
        if let Some(r) = self.pmtud(now, phy, pkt.bytes()) {
            return r;
        }
        let v = self.filter.inbound(phy, pkt.bytes(), false, now);
        let v = match v {
            fl::Verdict::Held => {
                // a completed datagram replaces the fragment when it fits the buffer
                return InResult::Held;
            }
            v => v,
        };
        match v {
            fl::Verdict::Pass(_) => {
                // a host that is not a security gateway forwards nothing (a DHCP answer to the
                // address being offered is still ours)
                if !self.settings.gateway
                    && let Ok(h) = ip::parse(pkt.bytes(), false)
                    && !self.is_local(h.dst)
                    && wire::five_tuple(pkt.bytes()).is_none_or(|t| !(t.2 == 17 && t.3.1 == 68))
                {
                    let r = DropReason::NotLocal;
                    self.report_drop(Direction::In, phy, pkt.bytes(), r);
                    return InResult::Drop(r);
                }
                self.stats.clear += 1;
                InResult::Deliver { phy }
            }
            fl::Verdict::Drop(r) => {
                self.stats.dropped += 1;
                InResult::Drop(r)
            }
            fl::Verdict::Ike => {
                let bytes = pkt.bytes().to_vec();
                self.ike_datagram(now, &bytes)
            }
            fl::Verdict::Decapsulate => self.decapsulate(now, phy, pkt),
            fl::Verdict::Protect { .. } | fl::Verdict::Held => {
                InResult::Drop(DropReason::IpsecPolicy)
            }
        }
    }

    fn decapsulate(&mut self, now: Instant, phy: PhyId, pkt: &mut PacketBuf<'_>) -> InResult {
        let wire_len = pkt.len();
        let res = self.sadb.decapsulate(now, pkt);
        let inb = match res {
            Ok(i) => i,
            Err(r) => {
                if let DropReason::Decapsulation { sa, .. } = r
                    && let Some(p) = self.pairs.iter().find(|p| p.sa_in.0 == sa)
                    && let Some(a) = self.active.as_mut()
                {
                    a.ike.note_errors(p.conn, 0, 1);
                }
                self.report_drop(Direction::In, phy, pkt.bytes(), r);
                return InResult::Drop(r);
            }
        };
        match inb.kind {
            InboundKind::NatKeepalive => return InResult::Consumed,
            InboundKind::Ike => {
                let bytes = pkt.bytes().to_vec();
                return self.ike_datagram(now, &bytes);
            }
            InboundKind::Clear => {
                // IPsec to us with nothing to remove: not expected here
                let r = DropReason::UnableToFetchSpi;
                self.report_drop(Direction::In, phy, pkt.bytes(), r);
                return InResult::Drop(r);
            }
            InboundKind::Decapsulated => {}
        }
        let Some(&outer) = inb.sas().first() else {
            return InResult::Drop(DropReason::LacksRequiredIpsecLayer);
        };
        let Some(k) = self.pairs.iter().position(|p| p.sa_in == outer) else {
            let r = DropReason::SaNotInBundle { sa: outer.0 };
            self.report_drop(Direction::In, phy, pkt.bytes(), r);
            return InResult::Drop(r);
        };
        let (conn, action, filter, local_ts, remote_ts, tunnel) = {
            let p = &self.pairs[k];
            (
                p.conn,
                p.action,
                p.filter,
                p.local_ts,
                p.remote_ts,
                p.tunnel,
            )
        };
        // the SA's selectors, from the peer's side: source in the remote TS, destination in ours
        let Some((src, dst, proto, (sp, dp))) = wire::five_tuple(pkt.bytes()) else {
            let r = DropReason::CorruptedAfterDecapsulation { sa: outer.0 };
            self.report_drop(Direction::In, phy, pkt.bytes(), r);
            return InResult::Drop(r);
        };
        if !(ts_has(&remote_ts, src, proto, sp) && ts_has(&local_ts, dst, proto, dp)) {
            let r = DropReason::DecapsulatedHeaderMismatch { sa: outer.0 };
            self.report_drop(Direction::In, phy, pkt.bytes(), r);
            return InResult::Drop(r);
        }
        // tunnelled traffic for the IKECFG address arrives on the IKECFG interface
        let deliver_phy = match &self.ikecfg {
            Some(c) if tunnel && dst == c.assignment.address => c.phy,
            _ => phy,
        };
        let v = self.filter.inbound_decapsulated(
            deliver_phy,
            pkt.bytes(),
            fl::IpsecActionId(action as u32),
            filter,
            now,
        );
        if let Some(a) = self.active.as_mut() {
            a.ike.note_traffic(now, conn, (0, 0), (pkt.len() as u64, 1));
        }
        let _ = wire_len;
        match v {
            fl::Verdict::Pass(_) => {
                self.stats.decapsulated += 1;
                self.stats.protected_bytes += pkt.len() as u64;
                if !self.settings.gateway && !self.is_local(dst) {
                    let r = DropReason::DecapsulatedNotLocal;
                    self.report_drop(Direction::In, deliver_phy, pkt.bytes(), r);
                    return InResult::Drop(r);
                }
                InResult::Deliver { phy: deliver_phy }
            }
            fl::Verdict::Drop(r) => {
                self.stats.dropped += 1;
                // the inner headers came out of the SA: say so (product.md §9)
                let r = match r {
                    DropReason::CorruptedIpHeader | DropReason::CorruptedProtocolHeaders => {
                        DropReason::CorruptedAfterDecapsulation { sa: outer.0 }
                    }
                    r => r,
                };
                InResult::Drop(r)
            }
            fl::Verdict::Held => InResult::Held,
            _ => InResult::Drop(DropReason::IpsecPolicy),
        }
    }

    /// ICMP "fragmentation needed" about one of our ESP packets: PMTU discovery of its SA.
    fn pmtud(&mut self, _now: Instant, _phy: PhyId, pkt: &[u8]) -> Option<InResult> {
        let h = ip::parse(pkt, false).ok()?;
        if h.protocol != ip::PROTO_ICMP || h.fragment {
            return None;
        }
        let icmp = pkt.get(h.header_len..h.total_len)?;
        if icmp.first() != Some(&3) || icmp.get(1) != Some(&4) {
            return None;
        }
        let requested = u16::from_be_bytes([*icmp.get(6)?, *icmp.get(7)?]);
        let inner = icmp.get(8..)?;
        let ih = ip::parse(inner, false).ok().or_else(|| {
            // a quote may be shorter than its total length: parse the header alone
            let hl = usize::from(inner.first()? & 0x0f) * 4;
            let mut hdr = inner.get(..hl)?.to_vec();
            let l = (hl as u16).to_be_bytes();
            hdr[2] = l[0];
            hdr[3] = l[1];
            ip::parse(&hdr, false).ok()
        })?;
        let body = inner.get(ih.header_len..)?;
        let spi = match ih.protocol {
            ip::PROTO_ESP => u32::from_be_bytes(body.get(..4)?.try_into().ok()?),
            ip::PROTO_UDP => u32::from_be_bytes(body.get(8..12)?.try_into().ok()?),
            _ => return None,
        };
        if !self.phys.iter().any(|p| p.addrs.contains(&ih.src)) {
            return None;
        }
        let from = h.src;
        let k = self.pairs.iter().position(|p| p.spi_out == spi);
        let Some(k) = k else {
            self.ev(Event::IcmpSpiNotFound { spi, from });
            return Some(InResult::Drop(DropReason::IcmpPmtudProcessed));
        };
        let sa = self.pairs[k].sa_out.0;
        if !self.pairs[k].pmtu_discovery {
            self.ev(Event::MtudNotEnabled { sa, from });
            return Some(InResult::Drop(DropReason::IcmpPmtudProcessed));
        }
        if !(68..=65535).contains(&requested) {
            self.ev(Event::MtuOutOfRange {
                mtu: u32::from(requested),
                from,
            });
            return Some(InResult::Drop(DropReason::IcmpPmtudProcessed));
        }
        self.pairs[k].pmtu = Some(requested);
        self.ev(Event::MtudProcessed {
            from,
            requested: u32::from(requested),
            mtu: u32::from(requested),
            sa,
        });
        Some(InResult::Drop(DropReason::IcmpPmtudProcessed))
    }

    // -----------------------------------------------------------------------------------------
    // Outbound

    /// An IPv4 packet the host sends on `phy` (for the IKECFG interface: its packets into the
    /// tunnel). On [`OutResult::Send`] the buffer holds what to send (encapsulated when the
    /// policy protects it); give buffers headroom and tailroom for ESP (128 bytes each is
    /// plenty).
    pub fn outbound(&mut self, now: Instant, phy: PhyId, pkt: &mut PacketBuf<'_>) -> OutResult {
        let is_ikecfg = self.phy(phy).is_some_and(|p| p.ikecfg);
        if is_ikecfg
            && let Some(c) = &self.ikecfg
            && let Ok(h) = ip::parse(pkt.bytes(), false)
            && h.src != c.assignment.address
        {
            return self.refuse(phy, pkt.bytes(), DropReason::IkecfgSourceNotVirtual);
        }
        let v = self.filter.outbound(phy, pkt.bytes(), false, now);
        match v {
            fl::Verdict::Pass(_) | fl::Verdict::Ike => {
                if is_ikecfg {
                    // leaving the IKECFG interface in clear: the destination was not changed
                    return self.refuse(phy, pkt.bytes(), DropReason::IkecfgDestinationUnchanged);
                }
                self.stats.clear += 1;
                self.fit_mtu(phy, pkt, None)
            }
            fl::Verdict::Drop(r) => {
                self.stats.dropped += 1;
                OutResult::Drop(r)
            }
            fl::Verdict::Held => OutResult::Held,
            fl::Verdict::Decapsulate => OutResult::Drop(DropReason::IpsecPolicy),
            fl::Verdict::Protect { action, filter } => {
                self.protect(now, phy, pkt, action.0 as usize, filter, is_ikecfg)
            }
        }
    }

    fn protect(
        &mut self,
        now: Instant,
        phy: PhyId,
        pkt: &mut PacketBuf<'_>,
        action: usize,
        filter: u32,
        is_ikecfg: bool,
    ) -> OutResult {
        let Some((src, dst, proto, (sp, dp))) = wire::five_tuple(pkt.bytes()) else {
            return OutResult::Drop(DropReason::CorruptedIpHeader);
        };
        let found = self.pairs.iter().rposition(|p| {
            p.filter == filter
                && ts_has(&p.local_ts, src, proto, sp)
                && ts_has(&p.remote_ts, dst, proto, dp)
        });
        if let Some(k) = found {
            if is_ikecfg && !self.pairs[k].tunnel {
                return self.refuse(phy, pkt.bytes(), DropReason::IkecfgDestinationUnchanged);
            }
            return self.send_protected(now, phy, k, pkt);
        }
        let Some(a) = self.active.as_ref() else {
            return OutResult::Drop(DropReason::DriverBeingConfigured);
        };
        let Some(plan) = a.mapped.actions.get(action).cloned() else {
            return OutResult::Drop(DropReason::IpsecFilterDead { filter });
        };
        if plan.fallback_drop {
            return self.refuse(phy, pkt.bytes(), DropReason::SaBundleNotFound { filter });
        }
        let Some(rule) = a.mapped.rule_by_filter(filter).cloned() else {
            return OutResult::Drop(DropReason::IpsecFilterDead { filter });
        };
        let ike_rule = rule.ike_rules.clone().find(|&k| {
            a.mapped.ike.ipsec_rules.get(k).is_some_and(|r| {
                let live = a.ike.config().ipsec_rules.get(k).unwrap_or(r);
                ts_has(&live.local, src, proto, sp) && ts_has(&live.remote, dst, proto, dp)
            })
        });
        let Some(ike_rule) = ike_rule else {
            return self.refuse(phy, pkt.bytes(), DropReason::FailedToBuildBundle { filter });
        };
        // an existing request for the same expected selectors takes the packet
        if let Some(i) = self
            .requests
            .iter()
            .position(|r| r.filter == filter && r.ike_rule == ike_rule)
        {
            if self.requests[i].queue.len() >= plan.queue_size as usize {
                let r = DropReason::WaitingQueueFull {
                    filter,
                    limit: plan.queue_size,
                };
                return self.refuse(phy, pkt.bytes(), r);
            }
            let Ok(copy) = self.mem.copy(pkt.bytes()) else {
                return self.refuse(phy, pkt.bytes(), DropReason::CannotAllocatePacketBuffer);
            };
            self.requests[i].queue.push_back((phy, copy));
            self.waiting(phy, pkt.bytes());
            return OutResult::Queued;
        }
        let per_rule = self.requests.iter().filter(|r| r.filter == filter).count();
        if per_rule >= plan.requests_max as usize {
            return self.refuse(
                phy,
                pkt.bytes(),
                DropReason::SaRequestsLimitForFilter {
                    limit: plan.requests_max,
                    filter,
                },
            );
        }
        let global = self.settings.drv.ipsec_breq_max;
        if self.requests.len() >= global as usize {
            return self.refuse(
                phy,
                pkt.bytes(),
                DropReason::SaRequestsLimit { limit: global },
            );
        }
        if plan.queue_size == 0 {
            return self.refuse(
                phy,
                pkt.bytes(),
                DropReason::WaitingQueueFull { filter, limit: 0 },
            );
        }
        let (peer, tunnel_idx) = match plan.tunnels.iter().position(|t| t.peer.is_some()) {
            Some(i) => (plan.tunnels[i].peer, i),
            None if !plan.tunnel => (Some(dst), 0),
            None => (None, 0),
        };
        let local = plan
            .tunnels
            .get(tunnel_idx)
            .and_then(|t| t.local)
            .or_else(|| self.local_address());
        let (Some(peer), Some(local)) = (peer, local) else {
            return self.refuse(phy, pkt.bytes(), DropReason::FailedToBuildBundle { filter });
        };
        let live = a.ike.config().ipsec_rules.get(ike_rule).cloned();
        // the packet waits in a counted copy: no memory, no request
        let Ok(copy) = self.mem.copy(pkt.bytes()) else {
            return self.refuse(
                phy,
                pkt.bytes(),
                DropReason::SaRequestOutOfMemory { filter },
            );
        };
        let started = {
            let a = self.active.as_mut().expect("checked above");
            a.ike.acquire(
                now,
                Acquire {
                    rule: ike_rule,
                    peer: Some(peer),
                    local,
                },
            )
        };
        if started.is_err() {
            self.mem.release(copy.len());
            return self.refuse(phy, pkt.bytes(), DropReason::FailedToBuildBundle { filter });
        }
        if let Some(live) = live {
            let e = Event::SaRequest {
                chain: rule.chain,
                filter,
                selector: SaSelector {
                    local: AddrSpan(src, src),
                    local_port: sp,
                    remote: AddrSpan(dst, dst),
                    remote_port: dp,
                    protocol: proto,
                },
                expected: sa_selector(&live.local, &live.remote),
            };
            self.ev(e);
        }
        let mut queue = VecDeque::new();
        queue.push_back((phy, copy));
        self.requests.push(Request {
            filter,
            chain: rule.chain,
            action,
            ike_rule,
            peer,
            tunnel_idx,
            started: now,
            queue,
        });
        self.waiting(phy, pkt.bytes());
        self.drain_ike(now);
        OutResult::Queued
    }

    fn waiting(&mut self, phy: PhyId, pkt: &[u8]) {
        if self.filter.events().wants(EventMask::SA_MAJOR) {
            let name = self
                .phy(phy)
                .map(|p| p.name.clone())
                .unwrap_or_else(|| "?".into());
            let e = Event::WaitingForSa {
                pkt: wire::describe(Direction::Out, &name, pkt),
            };
            self.filter.events().push(e);
        }
    }

    /// Encapsulates with pair `k`, runs firewall out, fits the MTU.
    fn send_protected(
        &mut self,
        now: Instant,
        phy: PhyId,
        k: usize,
        pkt: &mut PacketBuf<'_>,
    ) -> OutResult {
        let clear_len = pkt.len();
        let inner = ip::parse(pkt.bytes(), false).ok();
        let (bundle, sa_out, conn, local, pmtu, pmtu_disc, df_mode) = {
            let p = &self.pairs[k];
            (
                p.bundle_out,
                p.sa_out,
                p.conn,
                p.local,
                p.pmtu,
                p.pmtu_discovery,
                p.df,
            )
        };
        let over = self
            .sadb
            .outbound_mut(sa_out)
            .map(|s| s.overhead())
            .unwrap_or_default();
        let after = clear_len + over.head + over.tail;
        if after > ip::MAX_PACKET {
            return self.refuse(
                phy,
                pkt.bytes(),
                DropReason::TooLargeForIpsec {
                    length: after as u32,
                },
            );
        }
        let out_phy = self.phy_of_addr(local).unwrap_or(phy);
        // PMTU: a DF packet that cannot fit after encapsulation is refused with ICMP
        let mtu = usize::from(self.phy(out_phy).map_or(1500, |p| p.mtu));
        let mtu = pmtu.map_or(mtu, |m| mtu.min(usize::from(m)));
        let outer_df = match df_mode {
            DfMode::Set => true,
            DfMode::Clear => false,
            DfMode::Copy => inner.is_some_and(|h| h.df),
        };
        if outer_df && after > mtu {
            let room = mtu.saturating_sub(after - clear_len);
            if room < 68 {
                let e = Event::MtuTooLow {
                    ep: wire::describe(Direction::Out, &"".into(), pkt.bytes()).ep,
                    protocol: inner.map_or(0, |h| h.protocol),
                    mtu: room as u32,
                    sa: sa_out.0,
                };
                self.ev(e);
            } else if let Some(h) = inner
                && let Some(icmp) = wire::icmp_frag_needed(h.dst, pkt.bytes(), room as u16)
            {
                let e = Event::IcmpSent {
                    ep: wire::describe(Direction::Out, &"".into(), pkt.bytes()).ep,
                    protocol: h.protocol,
                    len: clear_len as u32,
                    sa: sa_out.0,
                    mtu: room as u32,
                };
                self.ev(e);
                // without memory for it the host gets no ICMP; the packet is dropped anyway
                if self.mem.admit(icmp.len()).is_ok() {
                    self.push_out(Output::Deliver { phy, packet: icmp });
                }
            }
            return self.refuse(
                phy,
                pkt.bytes(),
                DropReason::DfSetCannotFragment { mtu: mtu as u32 },
            );
        }
        if self.filter.events().wants(EventMask::SA_TRACE) {
            let name = self
                .phy(phy)
                .map(|p| p.name.clone())
                .unwrap_or_else(|| "?".into());
            let e = Event::Encapsulating {
                sa: sa_out.0,
                pkt: wire::describe(Direction::Out, &name, pkt.bytes()),
            };
            self.filter.events().push(e);
        }
        if let Err(r) = self.sadb.encapsulate(now, bundle, pkt) {
            if let Some(a) = self.active.as_mut() {
                a.ike.note_errors(conn, 1, 0);
            }
            self.report_drop(Direction::Out, phy, pkt.bytes(), r);
            return OutResult::Drop(r);
        }
        if let Some(a) = self.active.as_mut() {
            a.ike.note_traffic(now, conn, (clear_len as u64, 1), (0, 0));
        }
        self.stats.encapsulated += 1;
        self.stats.protected_bytes += clear_len as u64;
        match self.filter.outbound_wire(out_phy, pkt.bytes(), now) {
            fl::Verdict::Pass(_) => {}
            fl::Verdict::Drop(r) => {
                self.stats.dropped += 1;
                return OutResult::Drop(r);
            }
            _ => return OutResult::Drop(DropReason::Firewall),
        }
        let orig_frag = inner.filter(|h| h.fragment).map(|h| h.total_len);
        self.fit_mtu_ipsec(out_phy, sa_out, pkt, mtu, pmtu_disc, orig_frag)
    }

    fn fit_mtu(&mut self, phy: PhyId, pkt: &mut PacketBuf<'_>, pmtu: Option<u16>) -> OutResult {
        let mut mtu = usize::from(self.phy(phy).map_or(1500, |p| p.mtu));
        if let Some(p) = pmtu {
            mtu = mtu.min(usize::from(p));
        }
        if pkt.len() <= mtu {
            return OutResult::Send { phy };
        }
        let Ok(h) = ip::parse(pkt.bytes(), false) else {
            return OutResult::Drop(DropReason::CorruptedIpHeader);
        };
        if h.df {
            return self.refuse(
                phy,
                pkt.bytes(),
                DropReason::DfSetCannotFragment { mtu: mtu as u32 },
            );
        }
        let d = self.settings.drv;
        let o = FragOptions {
            minimize: d.frag_minimize_size,
            max_len: (d.frag_dont_grow_fragments && h.fragment).then_some(h.total_len),
            df: frag::df_on_fragments(d.frag_df_options, false, false, h.fragment && h.df),
        };
        self.emit_fragments(phy, pkt.bytes(), mtu, o, None)
    }

    fn fit_mtu_ipsec(
        &mut self,
        phy: PhyId,
        sa: SaId,
        pkt: &mut PacketBuf<'_>,
        mtu: usize,
        pmtu_discovery: bool,
        orig_fragment: Option<usize>,
    ) -> OutResult {
        if pkt.len() <= mtu {
            return OutResult::Send { phy };
        }
        let d = self.settings.drv;
        let o = FragOptions {
            minimize: d.frag_minimize_size,
            max_len: if d.frag_dont_grow_fragments {
                orig_fragment
            } else {
                None
            },
            df: frag::df_on_fragments(d.frag_df_options, true, pmtu_discovery, false),
        };
        self.emit_fragments(phy, pkt.bytes(), mtu, o, Some(sa))
    }

    /// Fragments `pkt` into counted buffers for [`Agent::poll_output`]. Without memory for
    /// them the packet is dropped: IPsec error 8 for a packet `sa` encapsulated, `can't
    /// allocate packet buffer` for clear traffic.
    fn emit_fragments(
        &mut self,
        phy: PhyId,
        pkt: &[u8],
        mtu: usize,
        o: FragOptions,
        sa: Option<SaId>,
    ) -> OutResult {
        match frag::fragment(pkt, mtu, o) {
            Ok(frags) => {
                let total = frags.iter().map(Vec::len).sum();
                if self.mem.admit(total).is_err() {
                    let r = match sa {
                        Some(sa) => DropReason::Encapsulation {
                            sa: sa.0,
                            error: IpsecError::MemoryAllocationFailed,
                        },
                        None => DropReason::CannotAllocatePacketBuffer,
                    };
                    self.report_drop(Direction::Out, phy, pkt, r);
                    return OutResult::Drop(r);
                }
                for packet in frags {
                    self.push_out(Output::Send { phy, packet });
                }
                OutResult::Fragmented
            }
            Err(r) => {
                self.report_drop(Direction::Out, phy, pkt, r);
                OutResult::Drop(r)
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // IKE events: SA installation and removal

    fn drain_ike(&mut self, now: Instant) {
        loop {
            let Some(e) = self.active.as_mut().and_then(|a| a.ike.poll_event()) else {
                break;
            };
            match e {
                IkeEvent::IpsecSaReady(p) => self.install(now, p),
                IkeEvent::IpsecSaDeleted { id, .. } => self.remove_pair(id),
                IkeEvent::ExchangeFailed { peer, .. } => {
                    if let IpAddr::V4(peer) = peer.ip() {
                        let failed: Vec<usize> = self
                            .requests
                            .iter()
                            .enumerate()
                            .filter(|(_, r)| r.peer == peer)
                            .map(|(i, _)| i)
                            .collect();
                        for i in failed.into_iter().rev() {
                            self.retry_or_fail(now, i);
                        }
                    }
                }
                IkeEvent::ModeConfigReceived { id, config, .. } => {
                    if let Some(address) = config.address {
                        let assignment = IkecfgAssignment {
                            isakmp: id.0,
                            address,
                            netmask: config.netmask,
                            dns: config.dns.clone(),
                            wins: config.nbns.clone(),
                            split: config
                                .split_include
                                .iter()
                                .map(|s| (s.first, s.last))
                                .collect(),
                        };
                        self.apply_ikecfg(IKECFG_NAME, assignment);
                    }
                }
                IkeEvent::RekeyDeferred { id } => {
                    if let Some(p) = self.pairs.iter().find(|p| p.conn == id) {
                        let sa = p.sa_out.0;
                        self.ev(Event::FirstPacketWillRekey { sa });
                    }
                }
                IkeEvent::RekeyStarted { id } => {
                    if let Some(p) = self.pairs.iter().find(|p| p.conn == id) {
                        let sa = p.sa_out.0;
                        self.ev(Event::RekeyRequested { sa });
                    }
                }
                _ => {}
            }
        }
    }

    fn install(&mut self, now: Instant, p: Box<IpsecSaPair>) {
        let Some(a) = self.active.as_ref() else {
            return;
        };
        let (IpAddr::V4(local), IpAddr::V4(remote)) = (p.local, p.remote) else {
            return;
        };
        let live = &a.ike.config().ipsec_rules;
        let Some(ike_rule) = live.iter().position(|r| {
            r.name == p.rule && r.local.contains(&p.local_ts) && r.remote.contains(&p.remote_ts)
        }) else {
            return;
        };
        let Some(rule) = a.mapped.rule_by_ike_rule(ike_rule).cloned() else {
            return;
        };
        let Some(plan) = a.mapped.actions.get(rule.action).cloned() else {
            return;
        };
        let tunnel = p.mode == ik::IpsecMode::Tunnel;
        let df = plan
            .tunnels
            .iter()
            .find(|t| t.peer == Some(remote))
            .or(plan.tunnels.first())
            .map_or(DfMode::Copy, |t| t.df);
        let mode = if tunnel {
            Mode::Tunnel
        } else {
            Mode::Transport
        };
        let (lp, rp) = p
            .udp_encap
            .map(|u| (u.local_port, u.remote_port))
            .unwrap_or((0, 0));
        let udp = p.udp_encap.is_some();
        let mut pin = SaParams::new(
            p.inbound.spi,
            mode,
            Some(Tunnel {
                src: remote,
                dst: local,
            }),
        );
        pin.forwarding = self.settings.gateway && tunnel;
        let mut pout = SaParams::new(
            p.outbound.spi,
            mode,
            Some(Tunnel {
                src: local,
                dst: remote,
            }),
        );
        pout.df = df;
        let mut cin = EspConfig::new(
            pin,
            p.cipher,
            &p.inbound.enc_key,
            p.integrity,
            &p.inbound.auth_key,
        );
        let mut cout = EspConfig::new(
            pout,
            p.cipher,
            &p.outbound.enc_key,
            p.integrity,
            &p.outbound.auth_key,
        );
        if udp {
            cin.udp = Some(UdpEncap {
                src_port: rp,
                dst_port: lp,
            });
            cout.udp = Some(UdpEncap {
                src_port: lp,
                dst_port: rp,
            });
        }
        let (Ok(inb), Ok(outb)) = (
            EspInbound::new(&cin, now),
            EspOutbound::new(&cout, &mut *self.rng, now),
        ) else {
            return;
        };
        let Ok(sa_in) = self.sadb.install_inbound(Box::new(inb)) else {
            return;
        };
        let sa_out = self.sadb.install_outbound(Box::new(outb));
        if self.sadb.bundle(&[sa_in]).is_err() {
            return;
        }
        let Ok(bundle_out) = self.sadb.bundle(&[sa_out]) else {
            return;
        };
        let flags_ipsec = if tunnel { SaLoad::TUNNEL } else { 0 }
            | match df {
                DfMode::Clear => SaLoad::CLEAR_DF,
                DfMode::Set => SaLoad::SET_DF,
                DfMode::Copy => 0,
            }
            | SaLoad::ANTI_REPLAY
            | if p.integrity.is_some() || p.cipher.is_aead() {
                SaLoad::INTEGRITY
            } else {
                0
            }
            | if p.cipher.transform_id != zubr_esp::ESP_NULL {
                SaLoad::ENCRYPTION
            } else {
                0
            }
            | if udp { SaLoad::UDP_ENCAP } else { 0 };
        let pm = if plan.pmtu_discovery { SaLoad::PMTU } else { 0 };
        let sel_in = sa_selector(&p.local_ts, &p.remote_ts);
        let replaced = p
            .replaces
            .and_then(|old| self.pairs.iter().find(|x| x.conn == old))
            .map(|x| (x.sa_in.0, x.sa_out.0));
        for (sa, flags, spi, tun) in [
            (
                sa_in.0,
                SaLoad::INBOUND | pm,
                p.inbound.spi,
                (remote, local),
            ),
            (sa_out.0, pm, p.outbound.spi, (local, remote)),
        ] {
            let info = SaLoad {
                flags,
                ipsec_flags: flags_ipsec,
                selector: sel_in,
                tunnel: tunnel.then_some(tun),
                protocol: ip::PROTO_ESP,
                spi,
            };
            let old = replaced.map(|(i, o)| if flags & SaLoad::INBOUND != 0 { i } else { o });
            self.ev(match old {
                Some(old) => Event::SaReplacementLoaded { old, sa, info },
                None => Event::SaLoaded { sa, info },
            });
        }
        self.ev(Event::BundleLoaded {
            chain: rule.chain,
            filter: rule.filter,
            flags: 0,
            selector: sel_in,
            sas: alloc::vec![sa_out.0],
        });
        self.pairs.push(Pair {
            conn: p.id,
            ike_rule,
            filter: rule.filter,
            chain: rule.chain,
            action: rule.action,
            local_ts: p.local_ts,
            remote_ts: p.remote_ts,
            local,
            peer: remote,
            sa_in,
            sa_out,
            bundle_out,
            tunnel,
            pmtu: None,
            pmtu_discovery: plan.pmtu_discovery,
            df,
            spi_out: p.outbound.spi,
        });
        self.notices.push_back(Notice::SaUp {
            conn: p.id.0,
            peer: remote,
        });
        // release the packets waiting for this bundle
        let k = self.pairs.len() - 1;
        let mut released = Vec::new();
        let (lts, rts, filter) = (p.local_ts, p.remote_ts, rule.filter);
        let mut i = 0;
        while i < self.requests.len() {
            let r = &self.requests[i];
            if r.filter == filter && (r.ike_rule == ike_rule || r.peer == remote) {
                let r = self.requests.remove(i);
                released.extend(r.queue);
            } else {
                i += 1;
            }
        }
        let sa_out = self.pairs[k].sa_out;
        for (phy, bytes) in released {
            // the queued copy gives way to a buffer with room for the headers
            self.mem.release(bytes.len());
            let size = bytes.len() + 256;
            let Ok(mut storage) = self.mem.zeroed(size) else {
                let r = DropReason::Encapsulation {
                    sa: sa_out.0,
                    error: IpsecError::MemoryAllocationFailed,
                };
                self.report_drop(Direction::Out, phy, &bytes, r);
                continue;
            };
            let fits = wire::five_tuple(&bytes).is_some_and(|(s, d, pr, (sp, dp))| {
                ts_has(&lts, s, pr, sp) && ts_has(&rts, d, pr, dp)
            });
            let Ok(mut buf) = PacketBuf::copy_from(&mut storage, 128, &bytes) else {
                self.mem.release(size);
                continue;
            };
            let r = if fits {
                self.send_protected(now, phy, k, &mut buf)
            } else {
                // another selector of the same rule: ask again
                self.outbound(now, phy, &mut buf)
            };
            if let OutResult::Send { phy } = r {
                let (start, len) = (buf.start(), buf.len());
                let packet = self.shrink_to_packet(storage, start, len);
                self.push_out(Output::Send { phy, packet });
            } else {
                self.mem.release(size);
            }
        }
    }

    fn remove_pair(&mut self, conn: ConnId) {
        let Some(k) = self.pairs.iter().position(|p| p.conn == conn) else {
            return;
        };
        let p = self.pairs.remove(k);
        for sa in [p.sa_in, p.sa_out] {
            let _ = self.sadb.remove(sa);
            self.ev(Event::SaRemoved { sa: sa.0 });
        }
        let _ = p.ike_rule;
        let _ = p.chain;
        self.notices.push_back(Notice::SaDown {
            conn: conn.0,
            peer: p.peer,
        });
    }

    fn retry_or_fail(&mut self, now: Instant, i: usize) {
        let Some(r) = self.requests.get(i) else {
            return;
        };
        let next = self.active.as_ref().and_then(|a| {
            let plan = a.mapped.actions.get(r.action)?;
            plan.tunnels
                .iter()
                .enumerate()
                .skip(r.tunnel_idx + 1)
                .find_map(|(j, t)| t.peer.map(|p| (j, p, t.local)))
        });
        if let Some((j, peer, local)) = next
            && let Some(local) = local.or_else(|| self.local_address())
        {
            let rule = r.ike_rule;
            let ok = self.active.as_mut().is_some_and(|a| {
                a.ike
                    .acquire(
                        now,
                        Acquire {
                            rule,
                            peer: Some(peer),
                            local,
                        },
                    )
                    .is_ok()
            });
            if ok {
                let r = &mut self.requests[i];
                r.peer = peer;
                r.tunnel_idx = j;
                r.started = now;
                return;
            }
        }
        self.fail_request(now, i);
    }

    fn fail_request(&mut self, _now: Instant, i: usize) {
        if i >= self.requests.len() {
            return;
        }
        let r = self.requests.remove(i);
        self.ev(Event::BundleLoaded {
            chain: r.chain,
            filter: r.filter,
            flags: 0x1,
            selector: SaSelector {
                local: AddrSpan(Ipv4Addr::UNSPECIFIED, Ipv4Addr::BROADCAST),
                local_port: 0,
                remote: AddrSpan(r.peer, r.peer),
                remote_port: 0,
                protocol: 0,
            },
            sas: Vec::new(),
        });
        let reason = DropReason::FailedToBuildBundle { filter: r.filter };
        for (phy, bytes) in &r.queue {
            self.mem.release(bytes.len());
            self.report_drop(Direction::Out, *phy, bytes, reason);
        }
        self.notices.push_back(Notice::RequestFailed {
            filter: r.filter,
            peer: r.peer,
        });
    }

    fn drop_all_sas(&mut self, now: Instant) {
        if let Some(a) = self.active.as_mut() {
            a.ike.clear_all(now, false);
        }
        self.drain_ike(now);
        let conns: Vec<ConnId> = self.pairs.iter().map(|p| p.conn).collect();
        for c in conns {
            self.remove_pair(c);
        }
        while !self.requests.is_empty() {
            self.fail_request(now, 0);
        }
    }

    // -----------------------------------------------------------------------------------------
    // Management

    /// Starts phase 1 (and with it XAuth / Mode Config) toward the tunnel peers of the IKE
    /// rules that need configuration (`IKECFGRequestAddress`), as the client does at login:
    /// the IKECFG address must exist before traffic from it can be protected. Returns how many
    /// exchanges were started.
    pub fn connect(&mut self, now: Instant) -> usize {
        let Some(local) = self.local_address() else {
            return 0;
        };
        let Some(a) = self.active.as_mut() else {
            return 0;
        };
        let mut started = 0;
        let mut seen: Vec<(usize, Ipv4Addr)> = Vec::new();
        for plan in &a.mapped.actions {
            let Some(rule) = plan.ike_rule else { continue };
            if !a.mapped.ikecfg.get(rule).is_some_and(|c| c.request_address) {
                continue;
            }
            let Some(peer) = plan.tunnels.iter().find_map(|t| t.peer) else {
                continue;
            };
            if seen.contains(&(rule, peer)) {
                continue;
            }
            seen.push((rule, peer));
            let local = plan.tunnels.iter().find_map(|t| t.local).unwrap_or(local);
            if a.ike.initiate_phase1(now, rule, local, peer).is_ok() {
                started += 1;
            }
        }
        self.drain_ike(now);
        started
    }

    /// `sa_mgr clear -all [-silent]`.
    pub fn clear_all(&mut self, now: Instant, silent: bool) {
        if let Some(a) = self.active.as_mut() {
            a.ike.clear_all(now, silent);
        }
        self.drain_ike(now);
    }

    /// `sa_mgr clear -isakmp -i ID`: true when found.
    pub fn clear_isakmp(&mut self, now: Instant, id: u32, silent: bool) -> bool {
        let ok = self
            .active
            .as_mut()
            .is_some_and(|a| a.ike.clear_isakmp(now, ConnId(id), silent));
        self.drain_ike(now);
        ok
    }

    /// `sa_mgr clear -ipsec -i ID`: true when found.
    pub fn clear_ipsec(&mut self, now: Instant, id: u32, silent: bool) -> bool {
        let ok = self
            .active
            .as_mut()
            .is_some_and(|a| a.ike.clear_ipsec(now, ConnId(id), silent));
        self.drain_ike(now);
        ok
    }

    /// Installs a manually keyed bundle for PROTECT rule `filter` (tests, benchmarks, static
    /// tunnels): `inbound`/`outbound` are SA lists outermost first, e.g. `[ah, esp]`. Returns the
    /// outbound SA ids.
    #[allow(clippy::too_many_arguments)]
    pub fn install_manual(
        &mut self,
        filter: u32,
        local_ts: ik::Selector,
        remote_ts: ik::Selector,
        local: Ipv4Addr,
        peer: Ipv4Addr,
        inbound: Vec<Box<dyn zubr_base::InboundSa>>,
        outbound: Vec<Box<dyn zubr_base::OutboundSa>>,
    ) -> Option<(Vec<SaId>, Vec<SaId>)> {
        let a = self.active.as_ref()?;
        let rule = a.mapped.rule_by_filter(filter)?.clone();
        let plan = a.mapped.actions.get(rule.action)?.clone();
        let mut ins = Vec::new();
        for sa in inbound {
            ins.push(self.sadb.install_inbound(sa).ok()?);
        }
        let mut outs = Vec::new();
        let spi_out = outbound.last().map_or(0, |s| s.spi());
        for sa in outbound {
            outs.push(self.sadb.install_outbound(sa));
        }
        self.sadb.bundle(&ins).ok()?;
        let bundle_out = self.sadb.bundle(&outs).ok()?;
        // a manual bundle has no IKE connection: connection ids count down from the top
        let conn = ConnId(u32::MAX - self.pairs.len() as u32);
        self.pairs.push(Pair {
            conn,
            ike_rule: rule.ike_rules.start,
            filter,
            chain: rule.chain,
            action: rule.action,
            local_ts,
            remote_ts,
            local,
            peer,
            sa_in: *ins.first()?,
            sa_out: *outs.last()?,
            bundle_out,
            tunnel: plan.tunnel,
            pmtu: None,
            pmtu_discovery: plan.pmtu_discovery,
            df: plan.tunnels.first().map_or(DfMode::Copy, |t| t.df),
            spi_out,
        });
        Some((ins, outs))
    }

    /// The SA database (manual tunnels, tests).
    pub fn sadb_mut(&mut self) -> &mut SaDb {
        &mut self.sadb
    }

    // -----------------------------------------------------------------------------------------
    // IKECFG

    /// Mode Config gave `assignment`: registers the IKECFG virtual interface `name` (bound by
    /// the policy's `NetworkInterface` templates like any other), replaces absent local
    /// selectors of the rules that asked for an address by the assigned address, and narrows
    /// their remote side to the split networks (split tunnelling). Returns the interface.
    pub fn apply_ikecfg(&mut self, name: &str, assignment: IkecfgAssignment) -> Option<PhyId> {
        let a = self.active.as_mut()?;
        let host = ik::Selector::host(assignment.address);
        let asking: Vec<usize> = a
            .mapped
            .ikecfg
            .iter()
            .enumerate()
            .filter(|(_, c)| c.request_address)
            .map(|(i, _)| i)
            .collect();
        let mut policy = a.policy.clone();
        // policy side: FilteringRules of actions whose IKE rule asks for an address
        for (ci, chain) in policy.ipsec_chains.iter_mut().enumerate() {
            for r in chain.rules.iter_mut() {
                let zubr_lsp::policy::IpsecRuleAction::Protect(aid) = r.action else {
                    continue;
                };
                let ike_rule = a
                    .policy
                    .ipsec_actions
                    .get(aid.index())
                    .and_then(|x| x.ike_rule)
                    .map(|x| x.index());
                if !ike_rule.is_some_and(|i| asking.contains(&i)) {
                    continue;
                }
                let _ = ci;
                if r.selector.source.is_empty()
                    || r.selector.source.iter().all(|s| {
                        s.first == Ipv4Addr::UNSPECIFIED && s.last == Ipv4Addr::UNSPECIFIED
                    })
                {
                    r.selector.source = alloc::vec![zubr_lsp::policy::IpRange {
                        first: assignment.address,
                        last: assignment.address
                    }];
                }
                if !assignment.split.is_empty() {
                    let base: Vec<(Ipv4Addr, Ipv4Addr)> = if r.selector.destination.is_empty() {
                        alloc::vec![(Ipv4Addr::UNSPECIFIED, Ipv4Addr::BROADCAST)]
                    } else {
                        r.selector
                            .destination
                            .iter()
                            .map(|d| (d.first, d.last))
                            .collect()
                    };
                    let mut narrowed = Vec::new();
                    for (f, l) in base {
                        for &(sf, sl) in &assignment.split {
                            let (lo, hi) = (f.max(sf), l.min(sl));
                            if lo <= hi {
                                narrowed.push(zubr_lsp::policy::IpRange {
                                    first: lo,
                                    last: hi,
                                });
                            }
                        }
                    }
                    if narrowed.is_empty() {
                        // nothing of the rule is tunnelled: it selects no address
                        narrowed.push(zubr_lsp::policy::IpRange {
                            first: Ipv4Addr::UNSPECIFIED,
                            last: Ipv4Addr::UNSPECIFIED,
                        });
                    }
                    r.selector.destination = narrowed;
                }
            }
        }
        // engines: the IKE rules' selectors and the filter's chains
        let new_filter = map::filter_config(&policy);
        for rule in &a.mapped.rules {
            let Some(plan) = a.mapped.actions.get(rule.action) else {
                continue;
            };
            if !plan.ike_rule.is_some_and(|i| asking.contains(&i)) {
                continue;
            }
            for k in rule.ike_rules.clone() {
                let Some(r) = a.ike.config().ipsec_rules.get(k).cloned() else {
                    continue;
                };
                let local = if r.local.first == Ipv4Addr::UNSPECIFIED {
                    ik::Selector {
                        protocol: r.local.protocol,
                        port: r.local.port,
                        ..host
                    }
                } else {
                    r.local
                };
                let mut remote = r.remote;
                if let Some(&(sf, sl)) = assignment
                    .split
                    .iter()
                    .find(|(sf, sl)| r.remote.first.max(*sf) <= r.remote.last.min(*sl))
                {
                    remote.first = r.remote.first.max(sf);
                    remote.last = r.remote.last.min(sl);
                }
                a.ike.set_rule_selectors(k, local, remote);
            }
        }
        a.policy = policy;
        let _ = self.filter.load_policy(new_filter, self.wall);
        let phy = match &self.ikecfg {
            Some(c) => c.phy,
            None => {
                let fid = self.filter.add_interface(name, &[assignment.address], &[]);
                self.phys.push(Phy {
                    name: name.into(),
                    addrs: alloc::vec![assignment.address],
                    bcasts: Vec::new(),
                    mtu: 1400,
                    fid,
                    ikecfg: true,
                });
                fid
            }
        };
        self.filter.add_address(phy, assignment.address);
        self.apply_session_state();
        self.notices.push_back(Notice::Ikecfg(assignment.clone()));
        self.ikecfg = Some(Ikecfg { phy, assignment });
        Some(phy)
    }
}
