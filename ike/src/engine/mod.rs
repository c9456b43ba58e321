//! The sans-IO engine: ISAKMP SAs, their exchanges, IPsec SA records, timers, and the
//! host-facing API (`handle_datagram`, `poll_transmit`, `poll_timeout`, `handle_timeout`,
//! `poll_event`, `acquire`, management calls).
//!
//! The exchanges live in submodules: `phase1` (Main and Aggressive Mode), `quick` (Quick Mode),
//! `info` (Informational: notifications, deletes, DPD). This module owns routing and timers. It
//! must not read a clock, open a socket or spawn anything: time comes in as `now`, datagrams go
//! out through [`Engine::poll_transmit`].

mod frag;
mod info;
mod phase1;
mod quick;
mod transaction;

pub use transaction::ModeConfig;

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;
use core::net::{IpAddr, Ipv4Addr, SocketAddr};
use core::time::Duration;

use zubr_base::{Instant, UnixTime};
use zubr_crypto_stb::provider::{DhPrivateKey, EspCipher, Integrity};
use zubr_crypto_stb::{CryptoProvider, Rng};

use crate::codec::{self, ExchangeType, Message};
use crate::config::{Config, ConfigError, Identity, IpsecMode, Phase1Mode, Selector};
use crate::error::{Ignored, IkeError};
use crate::keys::{self, IvChain, Phase1Keys, Secret};
use crate::proposal::{Phase1Choice, Phase2Choice};

/// Most datagrams waiting in the outbox; beyond it the oldest are dropped (and counted).
const MAX_OUTBOX: usize = 1024;
/// Most events waiting; beyond it the oldest are dropped and [`Engine::lost_events`] grows.
const MAX_EVENTS: usize = 1024;
/// Most Quick Mode exchanges in flight on one ISAKMP SA.
const MAX_QUICK_PER_SA: usize = 16;
/// Digests of recent inbound messages kept per exchange for duplicate detection.
const RECENT_DIGESTS: usize = 8;
/// How long a finished exchange is kept to answer retransmissions of its last request.
const LINGER: Duration = Duration::from_secs(30);

/// Nonce length we send.
const NONCE_LEN: usize = 32;

/// Identifier of an ISAKMP or IPsec SA (the `Conn-id` of `sa_mgr show`; one counter for both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(pub u32);

impl core::fmt::Display for ConnId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// One datagram to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// Our address and port to send from (500, or the NAT-T port after floating).
    pub local: SocketAddr,
    /// Destination.
    pub remote: SocketAddr,
    /// UDP payload, including the 4-byte non-ESP marker on the NAT-T port.
    pub payload: Vec<u8>,
}

/// Keys of one direction of an IPsec SA.
pub struct SaKeys {
    /// SPI (the receiver's choice).
    pub spi: u32,
    /// Cipher key (including an AEAD's salt).
    pub enc_key: Secret,
    /// Integrity key (empty for an AEAD).
    pub auth_key: Secret,
}

impl core::fmt::Debug for SaKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "SaKeys {{ spi: {:#010x}, .. }}", self.spi)
    }
}

/// UDP encapsulation of ESP (RFC 3948), when NAT-T is in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UdpEncap {
    /// Our UDP port.
    pub local_port: u16,
    /// The peer's UDP port.
    pub remote_port: u16,
}

/// A negotiated ESP SA pair, ready to be installed in the data plane.
pub struct IpsecSaPair {
    /// Identifier (for deletes and management).
    pub id: ConnId,
    /// The ISAKMP SA that negotiated it.
    pub isakmp: ConnId,
    /// Name of the IPsec rule.
    pub rule: String,
    /// Our outer address.
    pub local: IpAddr,
    /// The peer's outer address.
    pub remote: IpAddr,
    /// UDP encapsulation, if NAT-T is used.
    pub udp_encap: Option<UdpEncap>,
    /// Tunnel or transport.
    pub mode: IpsecMode,
    /// Our side of the traffic.
    pub local_ts: Selector,
    /// The peer's side of the traffic.
    pub remote_ts: Selector,
    /// ESP cipher.
    pub cipher: &'static EspCipher,
    /// ESP integrity.
    pub integrity: Option<&'static Integrity>,
    /// Keys for packets we receive.
    pub inbound: SaKeys,
    /// Keys for packets we send.
    pub outbound: SaKeys,
    /// Lifetime in seconds.
    pub lifetime_secs: u32,
    /// Lifetime in kilobytes (0 = none).
    pub lifetime_kb: u32,
    /// The SA pair this one replaces (rekey); the old one is deleted after this event.
    pub replaces: Option<ConnId>,
}

impl core::fmt::Debug for IpsecSaPair {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("IpsecSaPair")
            .field("id", &self.id)
            .field("isakmp", &self.isakmp)
            .field("local", &self.local)
            .field("remote", &self.remote)
            .field("udp_encap", &self.udp_encap)
            .field("cipher", &self.cipher.sa_name)
            .field("integrity", &self.integrity.map(|i| i.esp_sa_name))
            .field("inbound", &self.inbound)
            .field("outbound", &self.outbound)
            .field("replaces", &self.replaces)
            .finish_non_exhaustive()
    }
}

/// Why an SA went away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeleteReason {
    /// Hard lifetime reached.
    Expired,
    /// Replaced by a rekeyed SA.
    Rekeyed,
    /// The peer sent a Delete.
    PeerDeleted,
    /// Management (`sa_mgr clear`).
    Cleared,
    /// Dead peer detected.
    PeerDead,
}

/// What the engine tells the host.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event {
    /// An ISAKMP SA was authenticated.
    Phase1Established {
        /// The SA.
        id: ConnId,
        /// Peer address.
        peer: SocketAddr,
    },
    /// A new IPsec SA pair: install it.
    IpsecSaReady(Box<IpsecSaPair>),
    /// An IPsec SA pair is gone: remove it from the data plane.
    IpsecSaDeleted {
        /// The SA pair.
        id: ConnId,
        /// Our inbound SPI.
        spi_in: u32,
        /// Our outbound SPI.
        spi_out: u32,
        /// Why.
        reason: DeleteReason,
    },
    /// An ISAKMP SA is gone (or marked deleted).
    IsakmpSaDeleted {
        /// The SA.
        id: ConnId,
        /// Why.
        reason: DeleteReason,
    },
    /// An IPsec SA reached its soft lifetime while idle: the next packet will trigger rekeying.
    RekeyDeferred {
        /// The SA pair.
        id: ConnId,
    },
    /// A rekey of an IPsec SA pair started.
    RekeyStarted {
        /// The SA pair being replaced.
        id: ConnId,
    },
    /// The peer stopped answering DPD; its SAs were removed.
    PeerDead {
        /// The ISAKMP SA.
        id: ConnId,
        /// The peer.
        peer: SocketAddr,
    },
    /// An exchange failed.
    ExchangeFailed {
        /// The ISAKMP SA it ran on.
        id: ConnId,
        /// The peer.
        peer: SocketAddr,
        /// Why.
        error: IkeError,
    },
    /// The peer sent a notification we did not act on otherwise.
    NotifyReceived {
        /// The ISAKMP SA.
        id: ConnId,
        /// The notify type.
        ty: codec::NotifyType,
    },
    /// XAuth finished on an ISAKMP SA (either role). On failure the ISAKMP SA is deleted and an
    /// [`Event::ExchangeFailed`] with [`IkeError::XauthFailed`] follows.
    XauthDone {
        /// The ISAKMP SA.
        id: ConnId,
        /// The peer.
        peer: SocketAddr,
        /// The user name (ours as a client, the peer's as a gateway).
        user: String,
        /// Whether the gateway accepted the credentials.
        ok: bool,
    },
    /// Client side: Mode Config delivered our inner configuration. The host builds the IKECFG
    /// virtual interface with `config.address` / `config.netmask`, uses `dns` / `nbns`, and
    /// routes `split_include` through the tunnel (empty: everything). Quick Modes on this ISAKMP
    /// SA then use `address` as the local selector of every IPsec rule whose local selector is
    /// absent (`0.0.0.0/0`) or `0.0.0.0` (lsp.md §7.4); they start only after this event.
    ModeConfigReceived {
        /// The ISAKMP SA.
        id: ConnId,
        /// The gateway.
        peer: SocketAddr,
        /// What the gateway sent.
        config: ModeConfig,
    },
    /// Gateway side: a client was given an address (the first of its tranche) from a pool.
    ModeConfigAssigned {
        /// The ISAKMP SA.
        id: ConnId,
        /// The client.
        peer: SocketAddr,
        /// The XAuth user, if XAuth ran.
        user: Option<String>,
        /// The address sent as INTERNAL_IP4_ADDRESS.
        address: Ipv4Addr,
        /// The client's whole tranche (its allowed Quick Mode selector).
        tranche: Selector,
    },
}

/// A request to negotiate protection for traffic (what the filter sends when an outbound packet
/// needs an SA bundle that does not exist).
#[derive(Debug, Clone, Copy)]
pub struct Acquire {
    /// Index of the IPsec rule in [`Config::ipsec_rules`].
    pub rule: usize,
    /// Tunnel peer; `None` = the rule's.
    pub peer: Option<Ipv4Addr>,
    /// Our IKE address.
    pub local: Ipv4Addr,
}

/// Why an `acquire` could not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AcquireError {
    /// The rule index is out of range.
    NoSuchRule,
    /// The rule has no peer and none was given.
    NoPeer,
    /// No IKE rule serves the peer.
    NoIkeRule,
    /// `InitiatorSessionsMax` reached.
    LimitReached,
    /// Random generator failure.
    Rng,
}

impl core::fmt::Display for AcquireError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            AcquireError::NoSuchRule => "no such IPsec rule",
            AcquireError::NoPeer => "no tunnel peer",
            AcquireError::NoIkeRule => "no IKE rule serves the peer",
            AcquireError::LimitReached => "too many concurrent exchanges",
            AcquireError::Rng => "random generator failure",
        })
    }
}

/// Whether we started an exchange or answered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// We initiated.
    Initiator,
    /// We responded.
    Responder,
}

/// Phase-1 state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum P1State {
    /// Initiator, MM1 sent.
    IMain1,
    /// Initiator, MM3 sent.
    IMain3,
    /// Initiator, MM5 sent.
    IMain5,
    /// Responder, MM2 sent.
    RMain2,
    /// Responder, MM4 sent.
    RMain4,
    /// Initiator, AM1 sent.
    IAggr1,
    /// Responder, AM2 sent.
    RAggr2,
    /// Authenticated.
    Established,
    /// Deleted (kept for listing / reuse until `deleted_linger`).
    Deleted,
}

/// The NAT-T dialect the peer announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NattVersion {
    Rfc3947,
    Draft,
}

/// Retransmission of our last message of an exchange.
struct Retransmit {
    payload: Vec<u8>,
    /// Retransmissions done.
    count: u32,
    /// Current interval.
    interval: Duration,
    /// Next retransmission (None: we do not retransmit, we only answer duplicates).
    next: Option<Instant>,
    /// Digest of the inbound message this one answers: only a repetition of that message makes
    /// us send it again (a repeated answer to it must not, or two peers ping-pong for ever).
    answers: Option<u64>,
}

impl Retransmit {
    fn new(payload: Vec<u8>, now: Instant, base: Duration, active: bool) -> Self {
        Retransmit {
            payload,
            count: 0,
            interval: base,
            next: active.then(|| now + base),
            answers: None,
        }
    }

    /// Records that this message was sent in answer to the inbound message of digest `d`, unless
    /// it already answers an earlier one (it was not replaced by the step that processed `d`).
    fn answering(&mut self, d: u64) {
        self.answers.get_or_insert(d);
    }

    /// The message to send again when the inbound message of digest `d` comes again.
    fn answer_to(&self, d: u64) -> Option<Vec<u8>> {
        (self.answers == Some(d)).then(|| self.payload.clone())
    }

    /// What is due at `now`: nothing, a retransmission (the interval doubles up to
    /// `RetryTimeMax`), or the end after `SendRetries`.
    fn poll(&mut self, now: Instant, p: &crate::config::IkeParameters) -> RetxPoll {
        let Some(next) = self.next else {
            return RetxPoll::Idle;
        };
        if now < next {
            return RetxPoll::Idle;
        }
        if self.count >= p.send_retries {
            self.next = None;
            return RetxPoll::Exhausted;
        }
        self.count += 1;
        self.interval = (self.interval * 2).min(p.retry_time_max);
        self.next = Some(now + self.interval);
        RetxPoll::Resend(self.payload.clone())
    }
}

/// Outcome of [`Retransmit::poll`].
enum RetxPoll {
    Idle,
    Resend(Vec<u8>),
    Exhausted,
}

/// The HASH payload that must open a protected phase-2 message, and the bytes after it.
fn split_hash<'a>(ps: &[codec::RawPayload<'a>]) -> Option<(&'a [u8], Vec<u8>)> {
    let first = ps.first().filter(|p| p.ty == codec::PayloadType::HASH)?;
    let rest = ps[1..]
        .iter()
        .flat_map(|p| p.whole.iter().copied())
        .collect();
    Some((first.body, rest))
}

/// Digests of the requests already processed by an exchange.
#[derive(Default)]
struct Recent(VecDeque<u64>);

impl Recent {
    fn contains(&self, d: u64) -> bool {
        self.0.contains(&d)
    }
    fn push(&mut self, d: u64) {
        if self.0.len() >= RECENT_DIGESTS {
            self.0.pop_front();
        }
        self.0.push_back(d);
    }
}

/// FNV-1a over a datagram: duplicate detection only (a collision makes us resend our last
/// message instead of processing a new one; every message is still authenticated).
fn digest(b: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for x in b {
        h ^= u64::from(*x);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^ (b.len() as u64)
}

/// DPD state of an ISAKMP SA.
#[derive(Default)]
struct Dpd {
    peer_supports: bool,
    seq: u32,
    /// Outstanding probe: sequence number, tries so far, next deadline.
    pending: Option<(u32, u32, Instant)>,
}

/// A Quick Mode exchange.
struct QuickMode {
    mid: u32,
    role: Role,
    state: QmState,
    iv: Vec<u8>,
    rule: usize,
    choice: Option<Phase2Choice>,
    encap: u16,
    pfs: Option<&'static zubr_crypto_stb::provider::Group>,
    spi_in: [u8; 4],
    spi_out: [u8; 4],
    ni: Vec<u8>,
    nr: Vec<u8>,
    dh: Option<Box<dyn DhPrivateKey>>,
    gqm: Option<Secret>,
    local_ts: Selector,
    remote_ts: Selector,
    /// ID payload bodies as sent/received (IDci, IDcr), empty when absent.
    id_ci: Vec<u8>,
    id_cr: Vec<u8>,
    retx: Option<Retransmit>,
    recent: Recent,
    deadline: Instant,
    rekey_of: Option<ConnId>,
    done_at: Option<Instant>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QmState {
    /// Initiator: QM1 sent.
    ISent1,
    /// Responder: QM2 sent.
    RSent2,
    /// Finished (kept for duplicates until `done_at + LINGER`).
    Done,
}

/// An ISAKMP SA and everything that runs on it.
struct IsakmpSa {
    id: ConnId,
    role: Role,
    mode: Phase1Mode,
    state: P1State,
    rule: usize,
    icookie: [u8; 8],
    rcookie: [u8; 8],
    local: SocketAddr,
    remote: SocketAddr,
    established: Option<Instant>,
    deadline: Instant,
    expires: Option<Instant>,
    deleted_at: Option<Instant>,
    choice: Option<Phase1Choice>,
    auth: usize,
    sa_i: Vec<u8>,
    dh: Option<Box<dyn DhPrivateKey>>,
    gxi: Vec<u8>,
    gxr: Vec<u8>,
    ni: Vec<u8>,
    nr: Vec<u8>,
    /// Aggressive responder: the initiator's ID from AM1.
    peer_id_body: Vec<u8>,
    local_id_body: Vec<u8>,
    keys: Option<Phase1Keys>,
    chain: Option<IvChain>,
    iv: Vec<u8>,
    last_p1_block: Vec<u8>,
    peer_id: Option<Identity>,
    local_id: Option<Identity>,
    natt: Option<NattVersion>,
    nat_local: bool,
    nat_remote: bool,
    floated: bool,
    dpd: Dpd,
    last_rx: Instant,
    keepalive_at: Option<Instant>,
    retx: Option<Retransmit>,
    recent: Recent,
    quick: Vec<QuickMode>,
    /// Quick Modes waiting for phase 1: (ipsec rule, rekey of).
    pending: Vec<(usize, Option<ConnId>)>,
    /// Informational message IDs already processed (replay guard).
    info_seen: VecDeque<u32>,
    bytes_sent: u64,
    bytes_rcvd: u64,
    error: Option<IkeError>,
    /// Cleared silently by management: may be revived while it lingers.
    reusable: bool,
    /// The peer sent CERTREQ in phase 1.
    peer_certreq: bool,
    /// The peer announced IKE fragmentation.
    frag_peer: bool,
    /// Fragments being reassembled.
    defrag: Option<frag::Defrag>,
    /// XAuth / Mode Config progress.
    ra: transaction::RaState,
    /// Transaction exchanges (XAuth, Mode Config), running and lingering.
    txn: Vec<transaction::Transaction>,
}

impl IsakmpSa {
    fn is_half_open(&self) -> bool {
        !matches!(self.state, P1State::Established | P1State::Deleted)
    }
    fn is_active(&self) -> bool {
        self.state == P1State::Established
    }
    /// Established, but XAuth / Mode Config still running.
    fn configuring(&self) -> bool {
        self.is_active() && self.ra.pending()
    }
    fn hash(&self) -> Option<&'static zubr_crypto_stb::provider::IkeHash> {
        self.choice.map(|c| c.hash)
    }
}

/// An installed IPsec SA pair (the engine's record; keys were handed out in the event).
struct IpsecSa {
    id: ConnId,
    isakmp: ConnId,
    rule: usize,
    spi_in: u32,
    spi_out: u32,
    choice: Phase2Choice,
    local_ts: Selector,
    remote_ts: Selector,
    local: SocketAddr,
    remote: SocketAddr,
    udp: bool,
    role: Role,
    rekeyed: bool,
    soft: Option<Instant>,
    hard: Option<Instant>,
    rekey_state: RekeyState,
    bytes_sent: u64,
    bytes_rcvd: u64,
    pkts_sent: u64,
    pkts_rcvd: u64,
    send_errors: u64,
    recv_errors: u64,
    traffic_since_soft: bool,
    peer_id: Option<Identity>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RekeyState {
    None,
    /// Soft lifetime passed while idle: rekey on the next traffic.
    Deferred,
    /// Quick Mode running.
    Running,
    /// Replaced (waiting for deletion).
    Replaced,
}

/// The IKEv1 engine. See the crate documentation for the host loop.
pub struct Engine {
    config: Config,
    provider: CryptoProvider,
    rng: Box<dyn Rng>,
    isakmp: Vec<IsakmpSa>,
    ipsec: Vec<IpsecSa>,
    next_id: u32,
    outbox: VecDeque<Transmit>,
    events: VecDeque<Event>,
    lost_events: u64,
    dh_generations: u64,
    /// Wall clock: (monotonic reading, Unix time at that reading).
    wall: Option<(Instant, UnixTime)>,
    /// Mode Config leases handed out by this gateway.
    leases: Vec<transaction::Lease>,
}

/// Outcome of an internal step that may fail an exchange.
type Step<T> = Result<T, IkeError>;

impl Engine {
    /// Builds an engine. `seed` (at least 32 bytes) instantiates the provider's DRBG: a host
    /// passes fresh entropy, tests a fixed value for reproducible runs.
    pub fn new(config: Config, provider: CryptoProvider, seed: &[u8]) -> Result<Self, ConfigError> {
        config.validate()?;
        let rng = provider
            .drbg
            .instantiate(seed)
            .map_err(|_| ConfigError::BadSeed)?;
        Ok(Engine {
            config,
            provider,
            rng,
            isakmp: Vec::new(),
            ipsec: Vec::new(),
            next_id: 1,
            outbox: VecDeque::new(),
            events: VecDeque::new(),
            lost_events: 0,
            dh_generations: 0,
            wall: None,
            leases: Vec::new(),
        })
    }

    /// Tells the engine the wall-clock time `unix` at the monotonic reading `now`, for
    /// certificate validity checks (the engine reads no clock). Call once at start and whenever
    /// the wall clock is stepped.
    pub fn set_unix_time(&mut self, now: Instant, unix: UnixTime) {
        self.wall = Some((now, unix));
    }

    /// Wall-clock time at `now`, if [`Engine::set_unix_time`] was called.
    pub fn unix_time(&self, now: Instant) -> Option<UnixTime> {
        let (at, unix) = self.wall?;
        let secs = if now >= at {
            i64::try_from(now.saturating_duration_since(at).as_secs()).unwrap_or(i64::MAX)
        } else {
            -i64::try_from(at.saturating_duration_since(now).as_secs()).unwrap_or(i64::MAX)
        };
        Some(UnixTime(unix.0.saturating_add(secs)))
    }

    /// The Mode Config an ISAKMP SA received (client side), if any.
    pub fn mode_config(&self, id: ConnId) -> Option<&ModeConfig> {
        self.isakmp
            .iter()
            .find(|s| s.id == id)
            .and_then(|s| s.ra.config.as_ref())
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Events dropped because the host did not drain [`Engine::poll_event`].
    pub fn lost_events(&self) -> u64 {
        self.lost_events
    }

    /// Diffie–Hellman key pairs generated so far (resource accounting and tests).
    pub fn dh_generations(&self) -> u64 {
        self.dh_generations
    }

    /// The next datagram to send. Call after every `handle_*`/`acquire`/management call until
    /// it returns `None`.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.outbox.pop_front()
    }

    /// The next event. Call after every input until it returns `None`.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    fn id(&mut self) -> ConnId {
        let id = ConnId(self.next_id);
        self.next_id = self.next_id.wrapping_add(1).max(1);
        id
    }

    fn event(&mut self, e: Event) {
        if self.events.len() >= MAX_EVENTS {
            self.events.pop_front();
            self.lost_events += 1;
        }
        self.events.push_back(e);
    }

    fn random<const N: usize>(&mut self) -> Step<[u8; N]> {
        let mut b = [0u8; N];
        self.rng.fill(&mut b)?;
        Ok(b)
    }

    fn random_vec(&mut self, n: usize) -> Step<Vec<u8>> {
        let mut b = alloc::vec![0u8; n];
        self.rng.fill(&mut b)?;
        Ok(b)
    }

    /// A non-zero random 32-bit value.
    fn random_u32(&mut self) -> Step<u32> {
        loop {
            let v = u32::from_be_bytes(self.random()?);
            if v > 255 {
                return Ok(v);
            }
        }
    }

    fn transmit(&mut self, local: SocketAddr, remote: SocketAddr, msg: &[u8]) {
        let mut payload = Vec::with_capacity(msg.len() + 4);
        if local.port() == self.config.params.natt_port {
            payload.extend_from_slice(&[0, 0, 0, 0]);
        }
        payload.extend_from_slice(msg);
        if self.outbox.len() >= MAX_OUTBOX {
            self.outbox.pop_front();
        }
        self.outbox.push_back(Transmit {
            local,
            remote,
            payload,
        });
    }

    /// Sends `msg` on ISAKMP SA `i` and counts it; split into IKE fragments when the peer
    /// supports them and `msg` does not fit `FragmentSize`.
    fn send_on(&mut self, i: usize, msg: &[u8]) {
        let (l, r) = (self.isakmp[i].local, self.isakmp[i].remote);
        self.isakmp[i].bytes_sent += msg.len() as u64;
        match self.fragments_for(i, msg) {
            Some(frags) => {
                for f in frags {
                    self.transmit(l, r, &f);
                }
            }
            None => self.transmit(l, r, msg),
        }
    }

    fn find_sa(&self, id: ConnId) -> Option<usize> {
        self.isakmp.iter().position(|s| s.id == id)
    }

    // -----------------------------------------------------------------------------------------
    // Input

    /// Processes one UDP datagram received on `local` from `remote`.
    ///
    /// On the NAT-T port the payload must start with the non-ESP marker; anything else there is
    /// ESP-in-UDP ([`Ignored::Esp`]) or a keep-alive. `Err` only says the datagram was not used;
    /// failures of an exchange are reported as [`Event::ExchangeFailed`].
    pub fn handle_datagram(
        &mut self,
        now: Instant,
        local: SocketAddr,
        remote: SocketAddr,
        datagram: &[u8],
    ) -> Result<(), Ignored> {
        let mut bytes = datagram;
        if local.port() == self.config.params.natt_port {
            if bytes == [0xff] {
                return Err(Ignored::Keepalive);
            }
            match bytes {
                [0, 0, 0, 0, rest @ ..] => bytes = rest,
                _ => return Err(Ignored::Esp),
            }
        }
        self.handle_message(now, local, remote, bytes, true)
    }

    /// An ISAKMP message (without the non-ESP marker); `fragments_ok` is false for a message
    /// reassembled from fragments (fragments do not nest).
    fn handle_message(
        &mut self,
        now: Instant,
        local: SocketAddr,
        remote: SocketAddr,
        bytes: &[u8],
        fragments_ok: bool,
    ) -> Result<(), Ignored> {
        let msg = Message::parse(bytes)?;
        let h = msg.header;
        // An existing SA by cookies
        let found = self.isakmp.iter().position(|s| {
            s.icookie == h.icookie
                && (s.rcookie == h.rcookie
                    || (s.role == Role::Initiator
                        && s.rcookie == [0; 8]
                        && matches!(s.state, P1State::IMain1 | P1State::IAggr1)))
        });
        let Some(i) = found else {
            if h.rcookie == [0; 8]
                && h.message_id == 0
                && matches!(
                    h.exchange,
                    ExchangeType::IDENTITY_PROTECTION | ExchangeType::AGGRESSIVE
                )
            {
                return self.responder_first(now, local, remote, &msg, bytes);
            }
            return Err(Ignored::UnknownSa);
        };
        if self.isakmp[i].state == P1State::Deleted {
            return Err(Ignored::UnknownSa);
        }
        if h.next_payload == codec::PayloadType::FRAGMENT {
            if !fragments_ok {
                return Err(Ignored::Unexpected("fragment inside a reassembled message"));
            }
            return match self.add_fragment(now, i, &msg)? {
                Some(whole) => self.handle_message(now, local, remote, &whole, false),
                None => Ok(()),
            };
        }
        self.isakmp[i].bytes_rcvd += bytes.len() as u64;
        match h.exchange {
            ExchangeType::IDENTITY_PROTECTION | ExchangeType::AGGRESSIVE if h.message_id == 0 => {
                self.phase1_message(now, i, local, remote, &msg, bytes)
            }
            ExchangeType::QUICK => self.quick_message(now, i, local, remote, &msg, bytes),
            ExchangeType::INFORMATIONAL => self.info_message(now, i, local, remote, &msg, bytes),
            ExchangeType::TRANSACTION => self.transaction_message(now, i, &msg, bytes),
            _ => Err(Ignored::Unexpected("exchange type")),
        }
    }

    /// Host-reported ESP traffic on an IPsec SA pair (bytes and packets since the last call), for
    /// the listing, kilobyte lifetimes and "first packet triggers rekeying".
    pub fn note_traffic(&mut self, now: Instant, id: ConnId, sent: (u64, u64), rcvd: (u64, u64)) {
        let Some(k) = self.ipsec.iter().position(|s| s.id == id) else {
            return;
        };
        let sa = &mut self.ipsec[k];
        sa.bytes_sent += sent.0;
        sa.pkts_sent += sent.1;
        sa.bytes_rcvd += rcvd.0;
        sa.pkts_rcvd += rcvd.1;
        if sent.1 + rcvd.1 > 0 {
            sa.traffic_since_soft = true;
        }
        let kb = sa.choice.lifetime_kb;
        let used_kb = (sa.bytes_sent.max(sa.bytes_rcvd)) / 1024;
        if sa.rekey_state == RekeyState::Deferred && sa.traffic_since_soft {
            self.start_rekey(now, k);
        } else if kb > 0 && used_kb >= u64::from(kb) {
            self.delete_ipsec(now, k, DeleteReason::Expired, true);
        } else if kb > 0
            && used_kb * 1000 >= u64::from(kb) * u64::from(self.config.params.rekey_permille)
            && self.ipsec[k].rekey_state == RekeyState::None
            && self.ipsec[k].role == Role::Initiator
        {
            self.start_rekey(now, k);
        }
    }

    /// Host-reported ESP errors (send, receive) on an IPsec SA pair, for the listing.
    pub fn note_errors(&mut self, id: ConnId, send: u64, recv: u64) {
        if let Some(sa) = self.ipsec.iter_mut().find(|s| s.id == id) {
            sa.send_errors += send;
            sa.recv_errors += recv;
        }
    }

    // -----------------------------------------------------------------------------------------
    // Initiation

    /// Starts negotiating protection for IPsec rule `a.rule`: a Quick Mode on an established
    /// ISAKMP SA with the peer, else a new phase 1 first. Does nothing when an SA pair or a
    /// negotiation for the rule already exists.
    pub fn acquire(&mut self, now: Instant, a: Acquire) -> Result<(), AcquireError> {
        let rule = self
            .config
            .ipsec_rules
            .get(a.rule)
            .ok_or(AcquireError::NoSuchRule)?;
        let peer = a.peer.or(rule.peer).ok_or(AcquireError::NoPeer)?;
        if self.ipsec.iter().any(|s| {
            s.rule == a.rule
                && s.remote.ip() == IpAddr::V4(peer)
                && matches!(s.rekey_state, RekeyState::None | RekeyState::Running)
        }) {
            return Ok(());
        }
        if let Some(k) = self
            .ipsec
            .iter()
            .position(|s| s.rule == a.rule && s.rekey_state == RekeyState::Deferred)
        {
            self.start_rekey(now, k);
            return Ok(());
        }
        if self.isakmp.iter().any(|s| {
            s.quick
                .iter()
                .any(|q| q.rule == a.rule && q.state != QmState::Done)
                || s.pending.iter().any(|p| p.0 == a.rule)
        }) {
            return Ok(());
        }
        self.start_quick_for(now, a.rule, peer, a.local, None)
    }

    /// The filter's view: an outbound packet `src → dst` (IP protocol `protocol`, ports as in the
    /// packet, 0 if none) needs protection. Finds the first IPsec rule whose selectors contain it
    /// and acquires for that rule (see [`Engine::acquire`]); returns the rule's index.
    pub fn acquire_packet(
        &mut self,
        now: Instant,
        local: Ipv4Addr,
        src: Ipv4Addr,
        dst: Ipv4Addr,
        protocol: u8,
        ports: (u16, u16),
    ) -> Result<usize, AcquireError> {
        let hit = |sel: &Selector, a: Ipv4Addr, port: u16| {
            sel.contains_addr(a)
                && (sel.protocol == 0 || sel.protocol == protocol)
                && (sel.port == 0 || sel.port == port)
        };
        let rule = self
            .config
            .ipsec_rules
            .iter()
            .position(|r| {
                r.peer.is_some() && hit(&r.local, src, ports.0) && hit(&r.remote, dst, ports.1)
            })
            .ok_or(AcquireError::NoSuchRule)?;
        self.acquire(
            now,
            Acquire {
                rule,
                peer: None,
                local,
            },
        )?;
        Ok(rule)
    }

    /// Quick Mode for `rule` with `peer`, over an existing SA or after a new phase 1.
    fn start_quick_for(
        &mut self,
        now: Instant,
        rule: usize,
        peer: Ipv4Addr,
        local: Ipv4Addr,
        rekey_of: Option<ConnId>,
    ) -> Result<(), AcquireError> {
        // an ISAKMP SA cleared silently by management is reused while it lingers (the peer
        // still holds it: sa_mgr clear marks it deleted, it "may be reused for the policy's time")
        if !self
            .isakmp
            .iter()
            .any(|s| s.is_active() && s.remote.ip() == IpAddr::V4(peer))
            && let Some(i) = self.isakmp.iter().position(|s| {
                s.reusable && s.remote.ip() == IpAddr::V4(peer) && s.expires.is_none_or(|e| now < e)
            })
        {
            let sa = &mut self.isakmp[i];
            sa.state = P1State::Established;
            sa.deleted_at = None;
            sa.reusable = false;
            sa.last_rx = now;
        }
        if let Some(i) = self
            .isakmp
            .iter()
            .position(|s| s.is_active() && s.remote.ip() == IpAddr::V4(peer))
        {
            if self.isakmp[i].configuring() {
                self.isakmp[i].pending.push((rule, rekey_of));
                return Ok(());
            }
            return self
                .quick_initiate(now, i, rule, rekey_of)
                .map_err(|_| AcquireError::LimitReached);
        }
        if let Some(i) = self.isakmp.iter().position(|s| {
            s.is_half_open() && s.role == Role::Initiator && s.remote.ip() == IpAddr::V4(peer)
        }) {
            self.isakmp[i].pending.push((rule, rekey_of));
            return Ok(());
        }
        let ike_rule = match self.config.ipsec_rules[rule].ike_rule {
            Some(r) => r,
            None => self
                .config
                .ike_rules
                .iter()
                .position(|r| r.serves(peer))
                .ok_or(AcquireError::NoIkeRule)?,
        };
        if self.sessions().0 >= self.config.limits.initiator_sessions_max {
            return Err(AcquireError::LimitReached);
        }
        let port = self.config.params.ike_port;
        let i = self
            .phase1_initiate(
                now,
                ike_rule,
                SocketAddr::new(IpAddr::V4(local), port),
                SocketAddr::new(IpAddr::V4(peer), port),
            )
            .map_err(|_| AcquireError::Rng)?;
        self.isakmp[i].pending.push((rule, rekey_of));
        Ok(())
    }

    /// Starts only a phase 1 with `peer` using IKE rule `ike_rule` (e.g. `zubr connect` before
    /// any traffic). Returns the new ISAKMP SA.
    pub fn initiate_phase1(
        &mut self,
        now: Instant,
        ike_rule: usize,
        local: Ipv4Addr,
        peer: Ipv4Addr,
    ) -> Result<ConnId, AcquireError> {
        if ike_rule >= self.config.ike_rules.len() {
            return Err(AcquireError::NoIkeRule);
        }
        let port = self.config.params.ike_port;
        let i = self
            .phase1_initiate(
                now,
                ike_rule,
                SocketAddr::new(IpAddr::V4(local), port),
                SocketAddr::new(IpAddr::V4(peer), port),
            )
            .map_err(|_| AcquireError::Rng)?;
        Ok(self.isakmp[i].id)
    }

    fn start_rekey(&mut self, now: Instant, k: usize) {
        let (rule, peer, local, id) = {
            let s = &self.ipsec[k];
            (s.rule, s.remote.ip(), s.local.ip(), s.id)
        };
        let (IpAddr::V4(peer), IpAddr::V4(local)) = (peer, local) else {
            return;
        };
        self.ipsec[k].rekey_state = RekeyState::Running;
        self.event(Event::RekeyStarted { id });
        if self
            .start_quick_for(now, rule, peer, local, Some(id))
            .is_err()
        {
            self.ipsec[k].rekey_state = RekeyState::None;
        }
    }

    // -----------------------------------------------------------------------------------------
    // Timers

    /// The earliest time `handle_timeout` has work to do.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let mut t: Option<Instant> = None;
        let mut add = |x: Option<Instant>| {
            if let Some(x) = x {
                t = Some(t.map_or(x, |t| t.min(x)));
            }
        };
        for s in &self.isakmp {
            if let Some(d) = s.deleted_at {
                add(Some(d + self.config.params.deleted_linger));
                continue;
            }
            if s.is_half_open() {
                add(Some(s.deadline));
            }
            add(s.retx.as_ref().and_then(|r| r.next));
            add(s.expires);
            add(s.keepalive_at);
            add(s.dpd.pending.map(|p| p.2));
            if let (Some(iv), true) = (self.config.ike_rules[s.rule].dpd.interval, s.is_active())
                && s.dpd.pending.is_none()
            {
                add(Some(s.last_rx + iv));
            }
            add(s.ra.deadline.filter(|_| s.configuring()));
            add(s.defrag.as_ref().map(|d| d.expires));
            for t in &s.txn {
                add(t.retx.as_ref().and_then(|r| r.next));
                add(t.done_at.map(|d| d + LINGER));
            }
            for q in &s.quick {
                match q.state {
                    QmState::Done => add(q.done_at.map(|d| d + LINGER)),
                    _ => {
                        add(Some(q.deadline));
                        add(q.retx.as_ref().and_then(|r| r.next));
                    }
                }
            }
        }
        for s in &self.ipsec {
            if s.rekey_state == RekeyState::None {
                add(s.soft);
            }
            add(s.hard);
        }
        t
    }

    /// Runs every timer due at `now`: retransmissions, exchange timeouts, lifetimes, rekeying,
    /// DPD, NAT keep-alives. Calling it early is harmless.
    pub fn handle_timeout(&mut self, now: Instant) {
        let params = self.config.params.clone();
        // ISAKMP SAs
        let mut i = 0;
        while i < self.isakmp.len() {
            if let Some(d) = self.isakmp[i].deleted_at {
                if now >= d + params.deleted_linger {
                    self.isakmp.remove(i);
                    continue;
                }
                i += 1;
                continue;
            }
            // a message left half reassembled is dropped when its time is up
            if self.isakmp[i]
                .defrag
                .as_ref()
                .is_some_and(|d| now >= d.expires)
            {
                self.isakmp[i].defrag = None;
            }
            // exchange timeout / retransmission of phase 1
            if self.isakmp[i].is_half_open() && now >= self.isakmp[i].deadline {
                self.fail_phase1(now, i, IkeError::SessionTimeout);
                i += 1;
                continue;
            }
            if let Some(fail) = self.retransmit_phase1(now, i, &params) {
                self.fail_phase1(now, i, fail);
                i += 1;
                continue;
            }
            let kb = self.isakmp[i].choice.map_or(0, |c| c.lifetime_kb);
            let used_kb = (self.isakmp[i].bytes_sent + self.isakmp[i].bytes_rcvd) / 1024;
            if self.isakmp[i].expires.is_some_and(|e| now >= e)
                || (kb > 0 && self.isakmp[i].is_active() && used_kb >= u64::from(kb))
            {
                self.delete_isakmp(now, i, DeleteReason::Expired, true);
                i += 1;
                continue;
            }
            self.quick_timers(now, i, &params);
            if self.transaction_timers(now, i, &params) {
                i += 1;
                continue;
            }
            self.dpd_timers(now, i);
            if self.isakmp[i].keepalive_at.is_some_and(|k| now >= k) {
                let (l, r) = (self.isakmp[i].local, self.isakmp[i].remote);
                if !params.nat_keepalive.is_zero() {
                    self.outbox.push_back(Transmit {
                        local: l,
                        remote: r,
                        payload: alloc::vec![0xff],
                    });
                    self.isakmp[i].keepalive_at = Some(now + params.nat_keepalive);
                } else {
                    self.isakmp[i].keepalive_at = None;
                }
            }
            i += 1;
        }
        // IPsec SAs
        let mut k = 0;
        while k < self.ipsec.len() {
            if self.ipsec[k].hard.is_some_and(|h| now >= h) {
                self.delete_ipsec(now, k, DeleteReason::Expired, true);
                continue;
            }
            if self.ipsec[k].rekey_state == RekeyState::None
                && self.ipsec[k].soft.is_some_and(|s| now >= s)
            {
                if self.ipsec[k].traffic_since_soft {
                    self.start_rekey(now, k);
                } else {
                    self.ipsec[k].rekey_state = RekeyState::Deferred;
                    let id = self.ipsec[k].id;
                    self.event(Event::RekeyDeferred { id });
                }
            }
            k += 1;
        }
    }

    /// Retransmits the phase-1 message if due; returns an error when retries are exhausted.
    fn retransmit_phase1(
        &mut self,
        now: Instant,
        i: usize,
        p: &crate::config::IkeParameters,
    ) -> Option<IkeError> {
        let sa = &mut self.isakmp[i];
        match sa.retx.as_mut()?.poll(now, p) {
            RetxPoll::Idle => None,
            RetxPoll::Exhausted => sa.is_half_open().then_some(IkeError::Timeout),
            RetxPoll::Resend(payload) => {
                self.send_on(i, &payload);
                None
            }
        }
    }

    /// The first IV of the exchange with message ID `mid` on SA `i` (RFC 2409 appendix B).
    fn exchange_iv(&self, i: usize, mid: u32) -> Step<Vec<u8>> {
        let sa = &self.isakmp[i];
        let hash = sa.hash().ok_or(IkeError::NoProposalChosen)?;
        let block = sa.chain.as_ref().map_or(8, |c| c.block_len());
        Ok(keys::phase2_iv(hash, block, &sa.last_p1_block, mid))
    }

    /// Decrypts a protected message of SA `i` with `iv`: the plaintext and the IV after it.
    fn open_protected(
        &mut self,
        i: usize,
        iv: &[u8],
        msg: &Message<'_>,
    ) -> Result<(zeroize::Zeroizing<Vec<u8>>, Vec<u8>), Ignored> {
        let chain = self.isakmp[i].chain.as_mut().ok_or(Ignored::NotAuthentic)?;
        chain
            .decrypt(iv, msg.body)
            .map_err(|_| Ignored::NotAuthentic)
    }

    fn fail_phase1(&mut self, now: Instant, i: usize, error: IkeError) {
        let sa = &mut self.isakmp[i];
        let (id, peer) = (sa.id, sa.remote);
        sa.state = P1State::Deleted;
        sa.deleted_at = Some(now);
        sa.retx = None;
        sa.dh = None;
        sa.txn.clear();
        sa.defrag = None;
        sa.error = Some(error.clone());
        let pending = core::mem::take(&mut sa.pending);
        for (_, rekey) in pending {
            if let Some(old) = rekey
                && let Some(s) = self.ipsec.iter_mut().find(|s| s.id == old)
            {
                s.rekey_state = RekeyState::None;
            }
        }
        self.event(Event::ExchangeFailed { id, peer, error });
    }

    // -----------------------------------------------------------------------------------------
    // Deletion

    /// Removes IPsec SA `k`, notifying the peer unless `silent`.
    fn delete_ipsec(&mut self, now: Instant, k: usize, reason: DeleteReason, notify: bool) {
        let sa = self.ipsec.remove(k);
        if notify {
            if let Some(i) = self
                .find_sa(sa.isakmp)
                .filter(|&i| self.isakmp[i].is_active())
            {
                let _ =
                    self.send_delete(now, i, codec::ProtocolId::ESP, &[&sa.spi_in.to_be_bytes()]);
            } else if let Some(i) = self
                .isakmp
                .iter()
                .position(|s| s.is_active() && s.remote.ip() == sa.remote.ip())
            {
                let _ =
                    self.send_delete(now, i, codec::ProtocolId::ESP, &[&sa.spi_in.to_be_bytes()]);
            }
        }
        self.event(Event::IpsecSaDeleted {
            id: sa.id,
            spi_in: sa.spi_in,
            spi_out: sa.spi_out,
            reason,
        });
    }

    /// Marks ISAKMP SA `i` deleted, notifying the peer unless `silent`.
    fn delete_isakmp(&mut self, now: Instant, i: usize, reason: DeleteReason, notify: bool) {
        if notify && self.isakmp[i].is_active() {
            let mut spi = [0u8; 16];
            spi[..8].copy_from_slice(&self.isakmp[i].icookie);
            spi[8..].copy_from_slice(&self.isakmp[i].rcookie);
            let _ = self.send_delete(now, i, codec::ProtocolId::ISAKMP, &[&spi]);
        }
        let sa = &mut self.isakmp[i];
        sa.reusable = reason == DeleteReason::Cleared && !notify && sa.is_active();
        sa.state = P1State::Deleted;
        sa.deleted_at = Some(now);
        sa.retx = None;
        sa.keepalive_at = None;
        sa.dpd.pending = None;
        sa.quick.clear();
        sa.txn.clear();
        sa.defrag = None;
        let id = sa.id;
        self.release_lease(id);
        self.event(Event::IsakmpSaDeleted { id, reason });
    }

    // -----------------------------------------------------------------------------------------
    // Management (sa_mgr)

    /// Exchanges in progress: (initiated, responded) — `ISAKMP sessions: N initiated, M responded`.
    pub fn sessions(&self) -> (usize, usize) {
        let mut n = (0, 0);
        for s in &self.isakmp {
            if s.is_half_open() && s.state != P1State::Deleted {
                match s.role {
                    Role::Initiator => n.0 += 1,
                    Role::Responder => n.1 += 1,
                }
            }
            for q in &s.quick {
                if q.state != QmState::Done {
                    match q.role {
                        Role::Initiator => n.0 += 1,
                        Role::Responder => n.1 += 1,
                    }
                }
            }
        }
        n
    }

    /// `sa_mgr clear -isakmp -i ID [-silent]`: marks the ISAKMP SA deleted (it stays listed as
    /// `deleted` for `deleted_linger`). Returns false when not found.
    pub fn clear_isakmp(&mut self, now: Instant, id: ConnId, silent: bool) -> bool {
        match self.find_sa(id) {
            Some(i) if self.isakmp[i].state != P1State::Deleted => {
                self.delete_isakmp(now, i, DeleteReason::Cleared, !silent);
                true
            }
            _ => false,
        }
    }

    /// `sa_mgr clear -ipsec -i ID [-silent]`. Returns false when not found.
    pub fn clear_ipsec(&mut self, now: Instant, id: ConnId, silent: bool) -> bool {
        match self.ipsec.iter().position(|s| s.id == id) {
            Some(k) => {
                self.delete_ipsec(now, k, DeleteReason::Cleared, !silent);
                true
            }
            None => false,
        }
    }

    /// `sa_mgr clear -all [-silent]`: every IPsec SA, then every ISAKMP SA; running exchanges
    /// stop.
    pub fn clear_all(&mut self, now: Instant, silent: bool) {
        while !self.ipsec.is_empty() {
            self.delete_ipsec(now, 0, DeleteReason::Cleared, !silent);
        }
        for i in 0..self.isakmp.len() {
            if self.isakmp[i].state != P1State::Deleted {
                self.delete_isakmp(now, i, DeleteReason::Cleared, !silent);
            }
        }
    }
}

/// The NAT-D hash: `HASH(CKY-I | CKY-R | IP | Port)` (RFC 3947 §3.2).
fn natd_hash(
    hash: &zubr_crypto_stb::provider::IkeHash,
    icookie: &[u8; 8],
    rcookie: &[u8; 8],
    addr: SocketAddr,
) -> Vec<u8> {
    let ip: Vec<u8> = match addr.ip() {
        IpAddr::V4(a) => a.octets().to_vec(),
        IpAddr::V6(a) => a.octets().to_vec(),
    };
    hash.hash
        .hash(&[icookie, rcookie, &ip, &addr.port().to_be_bytes()])
        .as_slice()
        .to_vec()
}

/// Vendor IDs (MD5 of the strings, as the peers publish them).
mod vid {
    /// RFC 3947.
    pub const NATT_RFC: [u8; 16] = hex16("4a131c81070358455c5728f20e95452f");
    /// draft-ietf-ipsec-nat-t-ike-02.
    pub const NATT_DRAFT02: [u8; 16] = hex16("cd60464335df21f87cfdb2fc68b6a448");
    /// draft-ietf-ipsec-nat-t-ike-02\n.
    pub const NATT_DRAFT02N: [u8; 16] = hex16("90cb80913ebb696e086381b5ec427b1f");
    /// draft-ietf-ipsec-nat-t-ike-03.
    pub const NATT_DRAFT03: [u8; 16] = hex16("7d9419a65310ca6f2c179d9215529d56");
    /// RFC 3706 DPD.
    pub const DPD: [u8; 16] = hex16("afcad71368a1f1c96b8696fc77570100");
    /// FRAGMENTATION (Cisco's IKE fragmentation, as strongSwan sends it): the MD5 prefix and the
    /// capability word 0x80000000 (fragmentation of Main and Aggressive Mode messages).
    pub const FRAGMENTATION: [u8; 20] = {
        let h = hex16("4048b7d56ebce88525e7de7f00d6c2d3");
        let mut v = [0u8; 20];
        let mut k = 0;
        while k < 16 {
            v[k] = h[k];
            k += 1;
        }
        v[16] = 0x80;
        v
    };

    const fn hex16(s: &str) -> [u8; 16] {
        let b = s.as_bytes();
        let mut out = [0u8; 16];
        let mut i = 0;
        while i < 16 {
            out[i] = nib(b[2 * i]) << 4 | nib(b[2 * i + 1]);
            i += 1;
        }
        out
    }
    const fn nib(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => 0,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Listing (sa_mgr show)

impl Engine {
    /// The ISAKMP SAs as `sa_mgr show` lists them.
    pub fn isakmp_list(&self, now: Instant) -> Vec<crate::listing::IsakmpSaInfo> {
        use crate::listing::{IsakmpSaInfo, IsakmpState, remaining_secs};
        self.isakmp
            .iter()
            .map(|s| {
                let rule = &self.config.ike_rules[s.rule];
                let state = match s.state {
                    P1State::Established if s.configuring() => IsakmpState::Configuration,
                    P1State::Established => IsakmpState::Active,
                    P1State::Deleted => IsakmpState::Deleted,
                    _ => IsakmpState::Incomplete,
                };
                let (kb, secs) = s
                    .choice
                    .map_or((0, 0), |c| (c.lifetime_kb, c.lifetime_secs));
                let used_kb = (s.bytes_sent + s.bytes_rcvd) / 1024;
                IsakmpSaInfo {
                    id: s.id,
                    local: s.local,
                    remote: s.remote,
                    state,
                    sent: s.bytes_sent,
                    rcvd: s.bytes_rcvd,
                    cookies: (s.icookie, s.rcookie),
                    local_id: s.local_id.clone(),
                    remote_id: s.peer_id.clone(),
                    rule: rule.name.clone(),
                    auth: rule
                        .auth_for(s.mode)
                        .get(s.auth)
                        .map_or("unknown", |a| a.display_name()),

                    mode: s.mode,
                    transform: s.choice.map(|c| (c.cipher.sa_name, c.hash.sa_name)),
                    group: s.choice.map(|c| c.group.id),
                    lifetime: (kb, secs),
                    remaining: (
                        u64::from(kb).saturating_sub(used_kb),
                        remaining_secs(now, s.expires),
                    ),
                    ikecfg_address: s.ra.address(),
                }
            })
            .collect()
    }

    /// The IPsec SA pairs as `sa_mgr show` lists them.
    pub fn ipsec_list(&self, now: Instant) -> Vec<crate::listing::IpsecSaInfo> {
        use crate::listing::{IpsecSaDirection, IpsecSaInfo, remaining_secs, settings};
        self.ipsec
            .iter()
            .map(|s| {
                let rule = &self.config.ipsec_rules[s.rule];
                let (ty, set) = settings(rule.mode, s.udp);
                let mut transform = String::from(s.choice.cipher.sa_name);
                if let Some(i) = s.choice.integrity {
                    transform.push(' ');
                    transform.push_str(i.esp_sa_name);
                }
                let (kb, secs) = (s.choice.lifetime_kb, s.choice.lifetime_secs);
                let mut status = Vec::new();
                status.push(match s.role {
                    Role::Initiator => "initiated locally",
                    Role::Responder => "initiated remotely",
                });
                if s.rekeyed {
                    status.push("rekeyed");
                }
                if !rule.rekey || s.role == Role::Responder {
                    status.push("no rekeying");
                }
                let left = remaining_secs(now, s.hard);
                let dir = |spi: u32, used: u64| IpsecSaDirection {
                    spi,
                    transform: transform.clone(),
                    settings: set,
                    lifetime: (kb, secs),
                    remaining: (u64::from(kb).saturating_sub(used / 1024), left),
                };
                IpsecSaInfo {
                    id: s.id,
                    local: s.local,
                    remote: s.remote,
                    ty,
                    sent: s.bytes_sent,
                    rcvd: s.bytes_rcvd,
                    pkts: (s.pkts_sent, s.pkts_rcvd),
                    errors: (s.send_errors, s.recv_errors),
                    local_ts: s.local_ts,
                    remote_ts: s.remote_ts,
                    status,
                    remote_id: s.peer_id.clone(),
                    action: rule.action_name.clone(),
                    filter: rule.name.clone(),
                    pfs: s.choice.pfs.map(|g| g.id),
                    inbound: dir(s.spi_in, s.bytes_rcvd),
                    outbound: dir(s.spi_out, s.bytes_sent),
                }
            })
            .collect()
    }

    /// `sa_mgr show [-detail]` text for everything the engine holds.
    pub fn show(&self, now: Instant, detail: bool) -> String {
        let (a, b) = (self.isakmp_list(now), self.ipsec_list(now));
        if detail {
            crate::listing::format_detail(self.sessions(), &a, &b)
        } else {
            crate::listing::format_brief(self.sessions(), &a, &b)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Configuration changes at run time (the agent: Mode Config and split tunnelling)

impl Engine {
    /// Replaces the traffic selectors of IPsec rule `rule` (lsp.md §7.4: after Mode Config an
    /// absent local selector becomes the assigned address, and split networks narrow the remote
    /// side). SAs already negotiated keep their selectors; later Quick Modes use the new ones.
    /// Returns false when the rule does not exist.
    pub fn set_rule_selectors(&mut self, rule: usize, local: Selector, remote: Selector) -> bool {
        match self.config.ipsec_rules.get_mut(rule) {
            Some(r) => {
                r.local = local;
                r.remote = remote;
                true
            }
            None => false,
        }
    }
}
