//! Stateful TCP tracking (product.md §7, lsp.md §7.7, guide §13.12 and §13.20.5).
//!
//! Each connection is one record with two half-records — the protected side (this host or the
//! network behind it) and the unprotected side — holding state, highest sequence number sent,
//! highest acknowledgement sent, window (scaled when both SYNs carried the option; unscaled and
//! leniently checked when tracking started mid-connection) and a deadline from the per-state
//! TTL. The record dies when either half's TTL runs out. Records live in a slab; a
//! `hashbrown` table of slab indices keyed by the (protected, unprotected) address/port pair
//! gives O(1) lookup (one hash probe; the hash is seeded by the host).
//!
//! # Strictness levels (`fw_tcp_strictness`, each includes the previous)
//! | level | checks |
//! |---|---|
//! | 0 | track and time out only; never drop for TCP reasons |
//! | 1 | drop impossible flag combinations: SYN+FIN, SYN+RST, none of SYN/FIN/RST/ACK |
//! | 2 | drop disallowed state changes (a SYN on an established half, SYN+ACK without a SYN, FIN before a SYN, …) |
//! | 3 (default) | the sequence number must fall in the receiver's window (left edge: one maximum window of retransmission) — mid-stream pickup allowed |
//! | 4 | no record from a non-SYN packet (`not a SYN packet, won't create state …`) |
//! | 5 | ACK numbers must acknowledge only data the peer sent |
//! | 6 | RST only with exactly the expected sequence number; a window may not shrink |
//!
//! # Limits
//! `fw_tcp_open_max` records at most (`sessions limit triggered by …`). Half-open records (not
//! yet established both ways) are kept in creation order: when their count reaches
//! `fw_tcp_half_open_max` or the creations of the last minute reach `fw_tcp_conn_rate_max`,
//! every new half-open record replaces the oldest one until both fall below their `low`
//! values (`half open sessions limit triggered …` / `… are ok, stopped deleting …`).
//!
//! # Memory
//! A record is [`RECORD_BYTES`] bytes in the slab plus the index: a 16-byte (key, slot) entry
//! and 1 control byte per bucket at ≤ 7/8 load (the key is duplicated there so that a lookup
//! reads one bucket, not the slab). `bytes_per_connection` reports the real figure (about 140
//! bytes with a million connections) and a test asserts it stays under 160 bytes.
//!
//! The tracker never reads a clock and never allocates per packet once its slab and index
//! have grown to their working size (they are reserved up to `open_max` lazily, in steps).

use alloc::vec::Vec;
use core::hash::BuildHasher;
use core::net::Ipv4Addr;

use foldhash::fast::FixedState;
use hashbrown::HashTable;
use zubr_base::{Direction, Instant};

use crate::config::TcpSettings;
use crate::event::{ConnIds, ConnTuple, Event, EventLog, EventMask, FtpBlock, TcpState};
use crate::ftp::{self, FtpLine};

/// TCP flag bits.
pub mod flags {
    /// FIN.
    pub const FIN: u8 = 0x01;
    /// SYN.
    pub const SYN: u8 = 0x02;
    /// RST.
    pub const RST: u8 = 0x04;
    /// PSH.
    pub const PSH: u8 = 0x08;
    /// ACK.
    pub const ACK: u8 = 0x10;
    /// URG.
    pub const URG: u8 = 0x20;
}
use flags::*;

/// The TCP fields the tracker looks at, from one packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    /// Source address.
    pub src: Ipv4Addr,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// Source port.
    pub sport: u16,
    /// Destination port.
    pub dport: u16,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgement number.
    pub ack: u32,
    /// Flags (low 6 bits).
    pub flags: u8,
    /// Window field.
    pub window: u16,
    /// Payload length.
    pub payload_len: u32,
    /// Window-scale option (SYN packets).
    pub wscale: Option<u8>,
}

impl Segment {
    fn seq_len(&self) -> u32 {
        self.payload_len
            .wrapping_add(u32::from(self.flags & SYN != 0))
            .wrapping_add(u32::from(self.flags & FIN != 0))
    }
}

/// A tracked connection (slab index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnId(pub u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    p_addr: u32,
    u_addr: u32,
    p_port: u16,
    u_port: u16,
}

impl Key {
    fn of(seg: &Segment, dir: Direction) -> (Key, usize) {
        match dir {
            Direction::Out => (
                Key {
                    p_addr: u32::from(seg.src),
                    u_addr: u32::from(seg.dst),
                    p_port: seg.sport,
                    u_port: seg.dport,
                },
                P,
            ),
            Direction::In => (
                Key {
                    p_addr: u32::from(seg.dst),
                    u_addr: u32::from(seg.src),
                    p_port: seg.dport,
                    u_port: seg.sport,
                },
                U,
            ),
        }
    }

    fn tuple(&self) -> ConnTuple {
        ConnTuple {
            a: Ipv4Addr::from(self.p_addr),
            ap: self.p_port,
            b: Ipv4Addr::from(self.u_addr),
            bp: self.u_port,
        }
    }
}

const P: usize = 0;
const U: usize = 1;
const NIL: u32 = u32::MAX;
const SCALE_UNKNOWN: u8 = 0xff;

#[derive(Debug, Clone, Copy, Default)]
struct Half {
    /// Highest sequence number sent + length (next expected from this side).
    end: u32,
    /// Highest acknowledgement sent.
    ack: u32,
    /// Last advertised window, scaled.
    win: u32,
    /// Largest window advertised.
    maxwin: u32,
    /// Deadline, seconds of the host clock.
    deadline: u32,
    state: TcpState,
    /// Window-scale shift, `SCALE_UNKNOWN` when unknown (mid-stream pickup).
    wscale: u8,
    /// This side has sent a packet.
    seen: bool,
    /// This side's FIN has been acknowledged.
    fin_acked: bool,
}

const F_LIVE: u8 = 1;
const F_REVERSE: u8 = 2;
const F_LOGGED: u8 = 4;
const F_HALF_OPEN: u8 = 8;
const F_FTP: u8 = 16;
const F_AUTH: u8 = 32;

#[derive(Debug, Clone, Copy)]
struct Conn {
    key: Key,
    h: [Half; 2],
    bytes: [u64; 2],
    packets: [u32; 2],
    parent: u32,
    flags: u8,
    /// Half-open list links, or free-list link.
    prev: u32,
    next: u32,
}

/// Bytes of one record in the slab.
pub const RECORD_BYTES: usize = size_of::<Conn>();
const _: () = assert!(RECORD_BYTES <= 112, "a tracker record must stay small");

impl Conn {
    fn empty() -> Conn {
        Conn {
            key: Key {
                p_addr: 0,
                u_addr: 0,
                p_port: 0,
                u_port: 0,
            },
            h: [Half::default(); 2],
            bytes: [0; 2],
            packets: [0; 2],
            parent: 0,
            flags: 0,
            prev: NIL,
            next: NIL,
        }
    }

    fn states(&self) -> (TcpState, TcpState) {
        (self.h[P].state, self.h[U].state)
    }

    fn deadline(&self) -> u32 {
        match (self.h[P].seen, self.h[U].seen) {
            (true, true) => self.h[P].deadline.min(self.h[U].deadline),
            (true, false) => self.h[P].deadline,
            (false, true) => self.h[U].deadline,
            (false, false) => 0,
        }
    }
}

/// Why a packet of a tracked connection (or a new one) was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TcpRefusal {
    /// Impossible or disallowed flags.
    Flags,
    /// Sequence or acknowledgement number outside the window.
    Sequence,
    /// Not a SYN at strictness ≥ 4.
    NotSyn,
    /// `fw_tcp_open_max` reached.
    SessionsLimit,
    /// Half-open limits and no half-open record to replace.
    HalfOpenLimit,
    /// FTP inspection blocked it.
    Ftp,
}

/// Public view of a record (`fwconn_show -detail`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnInfo {
    /// Ids of the two half-records.
    pub ids: ConnIds,
    /// Addresses, protected side first.
    pub tuple: ConnTuple,
    /// Opened from the unprotected side.
    pub reverse: bool,
    /// Per half (protected, unprotected).
    pub halves: [HalfInfo; 2],
    /// Bytes sent by each side.
    pub bytes: (u64, u64),
    /// Packets sent by each side.
    pub packets: (u64, u64),
    /// Filter id (or parent connection id) that created it.
    pub parent: u32,
}

/// One half-record as `fwconn_show -detail` prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HalfInfo {
    /// State.
    pub state: TcpState,
    /// Sequence number (next expected from this side).
    pub seq: u32,
    /// Acknowledgement number.
    pub ack: u32,
    /// Window, scaled.
    pub window: u32,
    /// Seconds until the record is destroyed without a new valid packet.
    pub ttl_left: u32,
    /// TTL of the current state.
    pub ttl: u32,
}

/// An FTP data connection the tracker expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Expect {
    /// Side that must open it.
    from: Ipv4Addr,
    /// Destination.
    to: Ipv4Addr,
    /// Destination port.
    port: u16,
    /// Passive mode (client opens) or active (server opens).
    passive: bool,
    /// Control connection.
    ctrl: u32,
    /// Deadline, seconds.
    deadline: u32,
}

/// Expected FTP data connections kept at most (oldest replaced).
pub const MAX_FTP_EXPECTATIONS: usize = 256;
/// Seconds an announced data connection may take to start.
pub const FTP_EXPECT_TTL: u32 = 60;

/// The connection tracker.
#[derive(Debug, Clone)]
pub struct ConnTracker {
    settings: TcpSettings,
    hasher: FixedState,
    /// (key, slot): the key is kept in the index so a lookup touches one cache line.
    index: HashTable<(Key, u32)>,
    slab: Vec<Conn>,
    free: u32,
    live: usize,
    half_open: u32,
    ho_head: u32,
    ho_tail: u32,
    deleting: bool,
    rate: [u32; 60],
    rate_sec: u64,
    hand: usize,
    expect: Vec<Expect>,
}

fn seq_lt(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

fn seq_le(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) <= 0
}

fn secs(now: Instant) -> u32 {
    u32::try_from(now.as_secs()).unwrap_or(u32::MAX)
}

impl ConnTracker {
    /// A tracker with `settings` and the host's hash seed (keep it secret: it protects the
    /// index against crafted collisions).
    pub fn new(settings: TcpSettings, seed: u64) -> ConnTracker {
        ConnTracker {
            settings,
            hasher: FixedState::with_seed(seed),
            index: HashTable::new(),
            slab: Vec::new(),
            free: NIL,
            live: 0,
            half_open: 0,
            ho_head: NIL,
            ho_tail: NIL,
            deleting: false,
            rate: [0; 60],
            rate_sec: 0,
            hand: 0,
            expect: Vec::new(),
        }
    }

    /// Current settings.
    pub fn settings(&self) -> &TcpSettings {
        &self.settings
    }

    /// Replaces the settings (new limits apply to new records; TTLs from the next packet).
    pub fn set_settings(&mut self, s: TcpSettings) {
        self.settings = s;
    }

    /// Tracked connections.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether nothing is tracked.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Half-open connections.
    pub fn half_open(&self) -> u32 {
        self.half_open
    }

    /// Established connections (both halves ESTAB), as `fwconn_show` counts them.
    pub fn established(&self) -> usize {
        self.slab
            .iter()
            .filter(|c| {
                c.flags & F_LIVE != 0
                    && c.h[P].state == TcpState::Estab
                    && c.h[U].state == TcpState::Estab
            })
            .count()
    }

    /// Heap bytes per tracked connection (slab record + index share), for docs and tests.
    pub fn bytes_per_connection(&self) -> usize {
        let slab = self.slab.capacity() * RECORD_BYTES;
        // hashbrown: one u32 slot and one control byte per bucket
        let index = self.index.capacity() * 8 / 7 * (size_of::<(Key, u32)>() + 1);
        (slab + index) / self.live.max(1)
    }

    fn hash(&self, k: &Key) -> u64 {
        self.hasher.hash_one(k)
    }

    fn find(&self, k: &Key) -> Option<u32> {
        self.index
            .find(self.hash(k), |(key, _)| key == k)
            .map(|&(_, s)| s)
    }

    /// The record of the connection `seg` belongs to (either direction). One hash probe.
    #[inline]
    pub fn lookup(&self, seg: &Segment, dir: Direction) -> Option<ConnId> {
        let (k, _) = Key::of(seg, dir);
        self.find(&k).map(ConnId)
    }

    /// The record with half-record id `id` (either of the pair).
    pub fn find_by_id(&self, id: u32) -> Option<ConnId> {
        let slot = id.checked_sub(ID_BASE)? / ID_STRIDE;
        self.slab
            .get(slot as usize)
            .filter(|c| c.flags & F_LIVE != 0)
            .map(|_| ConnId(slot))
    }

    /// Every live record.
    pub fn ids(&self) -> impl Iterator<Item = ConnId> + '_ {
        self.slab
            .iter()
            .enumerate()
            .filter(|(_, c)| c.flags & F_LIVE != 0)
            .map(|(i, _)| ConnId(i as u32))
    }

    fn ttl(&self, s: TcpState) -> u32 {
        let t = &self.settings;
        u32::from(match s {
            TcpState::Closed => t.closed_ttl,
            TcpState::SynSent => t.synsent_ttl,
            TcpState::SynRcvd => t.synrcvd_ttl,
            TcpState::Estab => t.estab_ttl,
            TcpState::Closing => t.fin_ttl,
        })
    }

    /// `fwconn_show -detail` data.
    pub fn info(&self, id: ConnId, now: Instant) -> Option<ConnInfo> {
        let c = self
            .slab
            .get(id.0 as usize)
            .filter(|c| c.flags & F_LIVE != 0)?;
        let dl = c.deadline();
        let half = |h: &Half| HalfInfo {
            state: h.state,
            seq: h.end,
            ack: h.ack,
            window: h.win,
            ttl_left: if h.seen { h.deadline } else { dl }.saturating_sub(secs(now)),
            ttl: self.ttl(h.state),
        };
        Some(ConnInfo {
            ids: ids(id.0),
            tuple: c.key.tuple(),
            reverse: c.flags & F_REVERSE != 0,
            halves: [half(&c.h[P]), half(&c.h[U])],
            bytes: (c.bytes[P], c.bytes[U]),
            packets: (u64::from(c.packets[P]), u64::from(c.packets[U])),
            parent: c.parent,
        })
    }

    fn rate_now(&mut self, now: Instant) -> u32 {
        let s = now.as_secs();
        if s > self.rate_sec {
            let gap = (s - self.rate_sec).min(60);
            for k in 1..=gap {
                self.rate[((self.rate_sec + k) % 60) as usize] = 0;
            }
            self.rate_sec = s;
        }
        self.rate.iter().sum()
    }

    fn ho_unlink(&mut self, slot: u32) {
        let Some(c) = self.slab.get(slot as usize).copied() else {
            return;
        };
        if c.flags & F_HALF_OPEN == 0 {
            return;
        }
        match self.slab.get_mut(c.prev as usize) {
            Some(p) => p.next = c.next,
            None => self.ho_head = c.next,
        }
        match self.slab.get_mut(c.next as usize) {
            Some(n) => n.prev = c.prev,
            None => self.ho_tail = c.prev,
        }
        if let Some(c) = self.slab.get_mut(slot as usize) {
            c.flags &= !F_HALF_OPEN;
            c.prev = NIL;
            c.next = NIL;
        }
        self.half_open = self.half_open.saturating_sub(1);
    }

    fn ho_push(&mut self, slot: u32) {
        let tail = self.ho_tail;
        if let Some(c) = self.slab.get_mut(slot as usize) {
            c.flags |= F_HALF_OPEN;
            c.prev = tail;
            c.next = NIL;
        }
        match self.slab.get_mut(tail as usize) {
            Some(t) => t.next = slot,
            None => self.ho_head = slot,
        }
        self.ho_tail = slot;
        self.half_open += 1;
    }

    fn check_half_open_ok(&mut self, now: Instant, log: &mut EventLog) {
        if !self.deleting {
            return;
        }
        let rate = self.rate_now(now);
        let s = self.settings;
        if self.half_open < s.half_open_low && rate < s.conn_rate_low {
            self.deleting = false;
            if log.wants(EventMask::FW_TCPST.union(EventMask::FW_TCPERR)) {
                log.push(Event::HalfOpenOk {
                    count: self.half_open,
                    low: s.half_open_low,
                    rate,
                    rate_low: s.conn_rate_low,
                    logged: true,
                });
            }
        }
    }

    /// Removes a record, reporting its statistics.
    pub fn close(&mut self, id: ConnId, log: &mut EventLog) {
        let Some(c) = self.slab.get(id.0 as usize).copied() else {
            return;
        };
        if c.flags & F_LIVE == 0 {
            return;
        }
        let logged = c.flags & F_LOGGED != 0;
        if log.wants(if logged {
            EventMask::FW_TCPST.union(EventMask::FW_TCPSTAT)
        } else {
            EventMask::FW_TCPST
        }) {
            log.push(Event::SessionClosed {
                ids: ids(id.0),
                conn: c.key.tuple(),
                state: c.states(),
                bytes: (c.bytes[P], c.bytes[U]),
                packets: (u64::from(c.packets[P]), u64::from(c.packets[U])),
                logged,
            });
        }
        self.remove(id);
    }

    /// Removes a record silently.
    pub fn remove(&mut self, id: ConnId) {
        let slot = id.0;
        let Some(c) = self.slab.get(slot as usize).copied() else {
            return;
        };
        if c.flags & F_LIVE == 0 {
            return;
        }
        self.ho_unlink(slot);
        let h = self.hash(&c.key);
        if let Ok(e) = self.index.find_entry(h, |&(_, s)| s == slot) {
            e.remove();
        }
        if c.flags & F_FTP != 0 {
            self.expect.retain(|e| e.ctrl != slot);
        }
        if let Some(c) = self.slab.get_mut(slot as usize) {
            *c = Conn::empty();
            c.next = self.free;
        }
        self.free = slot;
        self.live -= 1;
    }

    fn alloc(&mut self) -> Option<u32> {
        if self.free != NIL {
            let slot = self.free;
            self.free = self.slab.get(slot as usize).map_or(NIL, |c| c.next);
            return Some(slot);
        }
        if self.slab.len() >= self.settings.open_max as usize {
            return None;
        }
        // grow in steps, never past open_max
        if self.slab.len() == self.slab.capacity() {
            let want = (self.slab.capacity().max(256) * 2).min(self.settings.open_max as usize);
            self.slab.reserve_exact(want - self.slab.len());
        }
        self.slab.push(Conn::empty());
        Some((self.slab.len() - 1) as u32)
    }

    /// Creates a record for a packet that a `TCPStateful` rule (filter id `parent`) passed.
    /// Applies strictness (non-SYN at level ≥ 4, impossible flags at ≥ 1) and the limits.
    /// `ftp` marks an FTP control connection (FTPInspection).
    #[allow(clippy::too_many_arguments)]
    pub fn open(
        &mut self,
        seg: &Segment,
        dir: Direction,
        parent: u32,
        logged: bool,
        ftp: bool,
        now: Instant,
        log: &mut EventLog,
    ) -> Result<ConnId, TcpRefusal> {
        let (key, s) = Key::of(seg, dir);
        let f = seg.flags & 0x3f;
        let level = self.settings.strictness;
        let err_groups = if logged {
            EventMask::FW_TCPST.union(EventMask::FW_TCPERR)
        } else {
            EventMask::FW_TCPST
        };
        if let Some(old) = self.find(&key) {
            // a stale record (e.g. expired but not yet swept) is replaced
            self.close(ConnId(old), log);
        }
        if level >= 1 && impossible(f) {
            if log.wants(err_groups) {
                log.push(Event::UnexpectedFlags {
                    id: 0,
                    from: (TcpState::Closed, TcpState::Closed),
                    to: (TcpState::Closed, TcpState::Closed),
                    flags: f,
                    logged,
                });
            }
            return Err(TcpRefusal::Flags);
        }
        let syn_only = f & (SYN | ACK) == SYN;
        if !syn_only && level >= 4 {
            if log.wants(err_groups) {
                log.push(Event::NotSyn {
                    conn: key.tuple(),
                    parent,
                    flags: f,
                    logged,
                });
            }
            return Err(TcpRefusal::NotSyn);
        }
        if f & RST != 0 {
            // nothing to track
            return Err(TcpRefusal::Flags);
        }
        let st = self.settings;
        if self.live >= st.open_max as usize {
            if log.wants(err_groups) {
                log.push(Event::SessionsLimit {
                    conn: key.tuple(),
                    count: self.live as u32,
                    max: st.open_max,
                    logged,
                });
            }
            return Err(TcpRefusal::SessionsLimit);
        }
        let half_open_new = f & SYN != 0;
        if half_open_new {
            self.check_half_open_ok(now, log);
            let rate = self.rate_now(now);
            if !self.deleting && (self.half_open >= st.half_open_max || rate >= st.conn_rate_max) {
                self.deleting = true;
                if log.wants(err_groups) {
                    log.push(Event::HalfOpenTriggered {
                        conn: key.tuple(),
                        count: self.half_open,
                        max: st.half_open_max,
                        rate,
                        rate_max: st.conn_rate_max,
                        logged,
                    });
                }
            }
            if self.deleting {
                if self.ho_head == NIL {
                    if log.wants(err_groups) {
                        log.push(Event::CantDeleteHalfOpen {
                            conn: key.tuple(),
                            count: 0,
                            logged,
                        });
                    }
                    return Err(TcpRefusal::HalfOpenLimit);
                }
                let oldest = self.ho_head;
                self.close(ConnId(oldest), log);
            }
        }
        let Some(slot) = self.alloc() else {
            if log.wants(err_groups) {
                log.push(Event::SessionsLimit {
                    conn: key.tuple(),
                    count: self.live as u32,
                    max: st.open_max,
                    logged,
                });
            }
            return Err(TcpRefusal::SessionsLimit);
        };
        let t = secs(now);
        let mut c = Conn::empty();
        c.key = key;
        c.parent = parent;
        c.flags = F_LIVE
            | if s == U { F_REVERSE } else { 0 }
            | if logged { F_LOGGED } else { 0 }
            | if ftp { F_FTP } else { 0 };
        let r = 1 - s;
        c.h[s].seen = true;
        c.h[s].end = seg.seq.wrapping_add(seg.seq_len());
        if f & ACK != 0 {
            c.h[s].ack = seg.ack;
        }
        if syn_only {
            c.h[s].state = TcpState::SynSent;
            c.h[s].wscale = seg.wscale.map_or(SCALE_UNKNOWN - 1, |w| w.min(14));
            c.h[s].win = u32::from(seg.window);
        } else if f & SYN != 0 {
            // SYN+ACK seen first: the other side is the initiator
            c.h[s].state = TcpState::SynRcvd;
            c.h[s].wscale = SCALE_UNKNOWN;
            c.h[s].win = u32::from(seg.window);
            c.h[r].state = TcpState::SynSent;
        } else {
            // mid-stream pickup: scaling unknown, both sides taken as established
            c.h[s].state = TcpState::Estab;
            c.h[s].wscale = SCALE_UNKNOWN;
            c.h[s].win = u32::from(seg.window) << 14;
            c.h[r].state = TcpState::Estab;
            c.h[r].wscale = SCALE_UNKNOWN;
        }
        c.h[s].maxwin = c.h[s].win.max(1);
        c.bytes[s] = u64::from(seg.payload_len);
        c.packets[s] = 1;
        let sender_state = c.h[s].state;
        c.h[s].deadline = t.saturating_add(self.ttl(sender_state));
        c.h[r].deadline = c.h[s].deadline;
        if let Some(x) = self.slab.get_mut(slot as usize) {
            *x = c;
        }
        let h = self.hash(&key);
        let hasher = &self.hasher;
        self.index
            .insert_unique(h, (key, slot), |(k, _)| hasher.hash_one(k));
        self.live += 1;
        if half_open_new {
            self.ho_push(slot);
            let i = (self.rate_sec % 60) as usize;
            self.rate[i] = self.rate[i].saturating_add(1);
        }
        if log.wants(EventMask::FW_TCPST) {
            log.push(Event::NewSession {
                ids: ids(slot),
                conn: key.tuple(),
                parent,
                state: c.states(),
                flags: f,
            });
        }
        Ok(ConnId(slot))
    }

    /// Handles a packet of tracked connection `id`: checks it at the configured strictness and
    /// updates the record. `payload` is the TCP payload (FTP inspection). `Ok(false)` means the
    /// record had expired and was removed: treat the packet as untracked.
    pub fn track(
        &mut self,
        id: ConnId,
        seg: &Segment,
        dir: Direction,
        payload: &[u8],
        now: Instant,
        log: &mut EventLog,
    ) -> Result<bool, TcpRefusal> {
        let slot = id.0;
        let Some(mut c) = self.slab.get(slot as usize).copied() else {
            return Ok(false);
        };
        if c.flags & F_LIVE == 0 {
            return Ok(false);
        }
        let t = secs(now);
        if c.deadline() <= t {
            self.close(id, log);
            return Ok(false);
        }
        let (_, s) = Key::of(seg, dir);
        let r = 1 - s;
        let f = seg.flags & 0x3f;
        let level = self.settings.strictness;
        let logged = c.flags & F_LOGGED != 0;
        let err_groups = if logged {
            EventMask::FW_TCPST.union(EventMask::FW_TCPERR)
        } else {
            EventMask::FW_TCPST
        };
        let hid = ids(slot);
        let half_id = if s == P { hid.0 } else { hid.1 };
        let from = c.states();
        if level >= 1 && impossible(f) {
            if log.wants(err_groups) {
                log.push(Event::UnexpectedFlags {
                    id: half_id,
                    from,
                    to: from,
                    flags: f,
                    logged,
                });
            }
            return Err(TcpRefusal::Flags);
        }
        // state transition
        let (ns, nr, allowed) = transition(c.h[s], c.h[r], seg);
        let to = if s == P { (ns, nr) } else { (nr, ns) };
        if level >= 2 && !allowed {
            if log.wants(err_groups) {
                log.push(Event::UnexpectedFlags {
                    id: half_id,
                    from,
                    to,
                    flags: f,
                    logged,
                });
            }
            return Err(TcpRefusal::Flags);
        }
        // sequence checks (only when the receiver has acknowledged something)
        let recv = c.h[r];
        let snd = c.h[s];
        let len = seg.seq_len();
        if level >= 3 && recv.seen && f & SYN == 0 && recv.ack != 0 {
            let win = recv.win.max(1);
            let right = recv.ack.wrapping_add(win);
            let left = recv.ack.wrapping_sub(snd.maxwin.max(win));
            let ok_right = seq_le(seg.seq, right);
            let ok_left = seq_le(left, seg.seq.wrapping_add(len));
            let rst_ok = level < 6 || f & RST == 0 || seg.seq == recv.ack;
            if !(ok_right && ok_left && rst_ok) {
                if log.wants(err_groups) {
                    log.push(Event::UnexpectedSeq {
                        id: half_id,
                        seq: seg.seq,
                        flags: f,
                        expected: recv.ack,
                        win: recv.win,
                        logged,
                    });
                }
                return Err(TcpRefusal::Sequence);
            }
        }
        if level >= 5 && f & ACK != 0 && recv.seen && seq_lt(recv.end, seg.ack) {
            if log.wants(err_groups) {
                log.push(Event::UnexpectedSeq {
                    id: half_id,
                    seq: seg.seq,
                    flags: f,
                    expected: recv.end,
                    win: recv.win,
                    logged,
                });
            }
            return Err(TcpRefusal::Sequence);
        }
        // window scaling: agreed when both SYNs carried the option
        let mut scale_s = snd.wscale;
        if f & SYN != 0 {
            scale_s = seg.wscale.map_or(SCALE_UNKNOWN - 1, |w| w.min(14));
        }
        let shift = |own: u8, other: u8| -> Option<u32> {
            match (own, other) {
                (SCALE_UNKNOWN, _) | (_, SCALE_UNKNOWN) => None,
                (a, b) if a < 15 && b < 15 => Some(u32::from(a)),
                _ => Some(0),
            }
        };
        let new_win = if f & SYN != 0 {
            u32::from(seg.window)
        } else {
            match shift(scale_s, recv.wscale) {
                Some(sh) => u32::from(seg.window) << sh,
                None => u32::from(seg.window) << 14,
            }
        };
        if level >= 6 && f & ACK != 0 && snd.seen && snd.ack != 0 && f & SYN == 0 {
            let old_edge = snd.ack.wrapping_add(snd.win);
            let new_edge = seg.ack.wrapping_add(new_win);
            if seq_lt(new_edge, old_edge) {
                if log.wants(err_groups) {
                    log.push(Event::UnexpectedSeq {
                        id: half_id,
                        seq: seg.seq,
                        flags: f,
                        expected: recv.ack,
                        win: new_win,
                        logged,
                    });
                }
                return Err(TcpRefusal::Sequence);
            }
        }
        // FTP inspection of the control channel
        if c.flags & F_FTP != 0 && !payload.is_empty() {
            let from_client = (s == P) != (c.flags & F_REVERSE != 0);
            match self.inspect_ftp(slot, &mut c, from_client, payload, now, log) {
                Ok(()) => {}
                Err(e) => return Err(e),
            }
        }
        // accept: update the record
        {
            let h = &mut c.h[s];
            h.seen = true;
            h.wscale = scale_s;
            let end = seg.seq.wrapping_add(len);
            if seq_lt(h.end, end) || h.end == 0 {
                h.end = end;
            }
            if f & ACK != 0 && (h.ack == 0 || seq_lt(h.ack, seg.ack)) {
                h.ack = seg.ack;
            }
            h.win = new_win;
            h.maxwin = h.maxwin.max(new_win).max(1);
            h.state = ns;
        }
        c.h[r].state = nr;
        if f & ACK != 0 && c.h[r].state == TcpState::Closing && seq_le(c.h[r].end, seg.ack) {
            c.h[r].fin_acked = true;
        }
        if c.h[s].state == TcpState::Closing
            && c.h[r].state == TcpState::Closing
            && c.h[s].fin_acked
            && c.h[r].fin_acked
        {
            c.h[s].state = TcpState::Closed;
            c.h[r].state = TcpState::Closed;
        }
        c.bytes[s] += u64::from(seg.payload_len);
        c.packets[s] = c.packets[s].saturating_add(1);
        let ttl_s = self.ttl(c.h[s].state);
        let ttl_r = self.ttl(c.h[r].state);
        c.h[s].deadline = t.saturating_add(ttl_s);
        c.h[r].deadline = t.saturating_add(ttl_r);
        let new = c.states();
        let still_half_open = !matches!(new, (TcpState::Estab, TcpState::Estab))
            && (matches!(new.0, TcpState::SynSent | TcpState::SynRcvd)
                || matches!(new.1, TcpState::SynSent | TcpState::SynRcvd));
        if let Some(x) = self.slab.get_mut(slot as usize) {
            *x = c;
        }
        if c.flags & F_HALF_OPEN != 0 && !still_half_open {
            self.ho_unlink(slot);
            self.check_half_open_ok(now, log);
        }
        if new != from && log.wants(EventMask::FW_TCPST) {
            let ttl = (self.ttl(new.0), self.ttl(new.1));
            log.push(Event::StateChanged {
                id: half_id,
                from,
                to: new,
                ttl,
                flags: f,
            });
        }
        Ok(true)
    }

    fn inspect_ftp(
        &mut self,
        slot: u32,
        c: &mut Conn,
        from_client: bool,
        payload: &[u8],
        now: Instant,
        log: &mut EventLog,
    ) -> Result<(), TcpRefusal> {
        let tuple = c.key.tuple();
        let (client, server) = if c.flags & F_REVERSE != 0 {
            (tuple.b, tuple.a)
        } else {
            (tuple.a, tuple.b)
        };
        let logged = c.flags & F_LOGGED != 0;
        let groups = if logged {
            EventMask::FW_TCPST.union(EventMask::FW_TCPERR)
        } else {
            EventMask::FW_TCPST
        };
        let block = |what: FtpBlock, log: &mut EventLog| {
            if log.wants(groups) {
                log.push(Event::FtpBlocked {
                    what,
                    id: ids(slot).0,
                    conn: tuple,
                    logged,
                });
            }
            Err(TcpRefusal::Ftp)
        };
        let authed = c.flags & F_AUTH != 0;
        let t = secs(now);
        match ftp::parse(payload, from_client) {
            FtpLine::LoggedIn => c.flags |= F_AUTH,
            FtpLine::Port { addr, port } => {
                if !authed {
                    return block(FtpBlock::PortUnauthenticated, log);
                }
                if port < 1024 {
                    return block(FtpBlock::PortPrivilegedPort(port), log);
                }
                if addr == client {
                    self.add_expect(Expect {
                        from: server,
                        to: client,
                        port,
                        passive: false,
                        ctrl: slot,
                        deadline: t.saturating_add(FTP_EXPECT_TTL),
                    });
                }
            }
            FtpLine::Pasv { addr, port } => {
                if !authed {
                    return block(FtpBlock::PasvUnauthenticated, log);
                }
                if port < 1024 {
                    return block(FtpBlock::PasvPrivilegedPort(port), log);
                }
                if addr == server {
                    self.add_expect(Expect {
                        from: client,
                        to: server,
                        port,
                        passive: true,
                        ctrl: slot,
                        deadline: t.saturating_add(FTP_EXPECT_TTL),
                    });
                }
            }
            FtpLine::Epsv { port } => {
                if !authed {
                    return block(FtpBlock::PasvUnauthenticated, log);
                }
                if port < 1024 {
                    return block(FtpBlock::PasvPrivilegedPort(port), log);
                }
                self.add_expect(Expect {
                    from: client,
                    to: server,
                    port,
                    passive: true,
                    ctrl: slot,
                    deadline: t.saturating_add(FTP_EXPECT_TTL),
                });
            }
            FtpLine::Other => {}
        }
        Ok(())
    }

    fn add_expect(&mut self, e: Expect) {
        self.expect
            .retain(|x| !(x.from == e.from && x.to == e.to && x.port == e.port));
        if self.expect.len() >= MAX_FTP_EXPECTATIONS {
            self.expect.remove(0);
        }
        self.expect.push(e);
    }

    /// FTP data connections: called for a SYN that no record and no rule has claimed yet.
    /// `Some(Ok(id))` = an announced data connection, now tracked (its parent is the control
    /// connection's filter); `Some(Err(_))` = a data connection opened from the wrong side
    /// (blocked, event logged); `None` = not FTP data.
    pub fn ftp_data(
        &mut self,
        seg: &Segment,
        dir: Direction,
        now: Instant,
        log: &mut EventLog,
    ) -> Option<Result<ConnId, TcpRefusal>> {
        if self.expect.is_empty() || seg.flags & (SYN | ACK) != SYN {
            return None;
        }
        let t = secs(now);
        self.expect.retain(|e| e.deadline > t);
        if let Some(i) = self
            .expect
            .iter()
            .position(|e| e.from == seg.src && e.to == seg.dst && e.port == seg.dport)
        {
            let e = self.expect.remove(i);
            let (parent, logged) = self
                .slab
                .get(e.ctrl as usize)
                .map_or((0, false), |c| (c.parent, c.flags & F_LOGGED != 0));
            return Some(self.open(seg, dir, parent, logged, false, now, log));
        }
        // the wrong side trying to open an announced data connection
        let wrong = self.expect.iter().find(|e| {
            e.from == seg.dst
                && e.to == seg.src
                && if e.passive {
                    seg.sport == e.port
                } else {
                    seg.dport == e.port || seg.sport == e.port
                }
        })?;
        let ctrl = wrong.ctrl;
        let what = if wrong.passive {
            FtpBlock::PassiveFromServer
        } else {
            FtpBlock::ActiveFromClient
        };
        let (tuple, logged) = self
            .slab
            .get(ctrl as usize)
            .map(|c| (c.key.tuple(), c.flags & F_LOGGED != 0))?;
        let groups = if logged {
            EventMask::FW_TCPST.union(EventMask::FW_TCPERR)
        } else {
            EventMask::FW_TCPST
        };
        if log.wants(groups) {
            log.push(Event::FtpBlocked {
                what,
                id: ids(ctrl).0,
                conn: tuple,
                logged,
            });
        }
        Some(Err(TcpRefusal::Ftp))
    }

    /// The `fwconn_show` listing (guide §13.12): a table, or with `detail` every half-record
    /// (`Reverse connection`, state, sequence and acknowledgement numbers, window, TTLs).
    pub fn fwconn_show(&self, detail: bool, now: Instant) -> alloc::string::String {
        use core::fmt::Write as _;
        let mut out = alloc::string::String::new();
        if !detail {
            out.push_str("Connection ID         Protected IP:port   Unprotected IP:port   State\n");
        }
        for id in self.ids() {
            let Some(i) = self.info(id, now) else {
                continue;
            };
            let t = i.tuple;
            let p = alloc::format!("{}:{}", t.a, t.ap);
            let u = alloc::format!("{}:{}", t.b, t.bp);
            if detail {
                let _ = writeln!(out, "Connection ID: {}", i.ids);
                let _ = writeln!(
                    out,
                    "\tReverse connection: {}",
                    if i.reverse { "yes" } else { "no" }
                );
                for (side, addr, h) in [
                    ("Protected", &p, &i.halves[P]),
                    ("Unprotected", &u, &i.halves[U]),
                ] {
                    let _ = writeln!(out, "\t{side} side: {addr}");
                    let _ = writeln!(out, "\t\tState: {}", h.state);
                    let _ = writeln!(out, "\t\tSequence number: {}", h.seq);
                    let _ = writeln!(out, "\t\tAcknowlegement number: {}", h.ack);
                    let _ = writeln!(out, "\t\tWindow size: {}", h.window);
                    let _ = writeln!(
                        out,
                        "\t\tTTL left / TTL for current state: {}/{}",
                        h.ttl_left, h.ttl
                    );
                }
            } else {
                let _ = writeln!(
                    out,
                    "{:<21} {:<19} {} {:<18} {}/{}",
                    alloc::format!("{}", i.ids),
                    p,
                    if i.reverse { "<-" } else { "->" },
                    u,
                    i.halves[P].state,
                    i.halves[U].state
                );
            }
        }
        if !detail {
            let _ = writeln!(out, "Number of TCP connections: {}", self.len());
            let _ = writeln!(
                out,
                "Number of established TCP connections: {}",
                self.established()
            );
        }
        out
    }

    /// Removes expired records, looking at no more than `budget` slots per call (a clock hand
    /// walks the slab). Returns how many were removed.
    pub fn expire(&mut self, now: Instant, budget: usize, log: &mut EventLog) -> usize {
        let t = secs(now);
        let n = self.slab.len();
        if n == 0 {
            return 0;
        }
        let mut removed = 0;
        for _ in 0..budget.min(n) {
            self.hand = (self.hand + 1) % n;
            let slot = self.hand as u32;
            if let Some(c) = self.slab.get(slot as usize)
                && c.flags & F_LIVE != 0
                && c.deadline() <= t
            {
                self.close(ConnId(slot), log);
                removed += 1;
            }
        }
        self.expect.retain(|e| e.deadline > t);
        self.check_half_open_ok(now, log);
        removed
    }

    /// Drops every record (policy reload).
    pub fn clear(&mut self) {
        *self = ConnTracker {
            settings: self.settings,
            hasher: self.hasher.clone(),
            ..ConnTracker::new(self.settings, 0)
        };
    }
}

/// Half-record ids of slot `s`: two distinct numbers per record, as `fwconn_show` prints them.
const ID_BASE: u32 = 0x1000_0000;
const ID_STRIDE: u32 = 0x100;

fn ids(slot: u32) -> ConnIds {
    let a = ID_BASE.wrapping_add(slot.wrapping_mul(ID_STRIDE));
    ConnIds(a, a + 0x40)
}

fn impossible(f: u8) -> bool {
    (f & SYN != 0 && f & (FIN | RST) != 0) || f & (SYN | FIN | RST | ACK) == 0
}

/// New states of the sender and receiver halves for `seg`, and whether the change is allowed.
fn transition(s: Half, r: Half, seg: &Segment) -> (TcpState, TcpState, bool) {
    use TcpState::*;
    let f = seg.flags;
    if f & RST != 0 {
        return (Closed, Closed, true);
    }
    if f & SYN != 0 && f & ACK == 0 {
        return match s.state {
            Closed | SynSent => (SynSent, r.state, true),
            _ => (SynSent, r.state, false),
        };
    }
    if f & SYN != 0 {
        // SYN+ACK: answers the peer's SYN; the initiator's half is established
        let ok = matches!(s.state, Closed | SynRcvd) && matches!(r.state, SynSent | Estab);
        let rn = if r.state == SynSent { Estab } else { r.state };
        return (SynRcvd, rn, ok);
    }
    if f & FIN != 0 {
        return match s.state {
            Estab | SynRcvd | Closing => (Closing, r.state, true),
            other => (other, r.state, false),
        };
    }
    // plain ACK (maybe with data)
    match (s.state, r.state) {
        (SynSent, SynRcvd) | (Estab, SynRcvd) if seq_le(r.end, seg.ack) => (Estab, Estab, true),
        (SynSent, SynRcvd | Estab) => (Estab, r.state, true),
        (Estab | SynRcvd | Closing, _) => (s.state, r.state, true),
        (Closed, Closed | Closing) => (Closed, r.state, true),
        (other, rs) => (other, rs, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventMask;
    use alloc::string::{String, ToString};

    const C: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 5);
    const S: Ipv4Addr = Ipv4Addr::new(93, 184, 216, 34);

    fn seg(out: bool, f: u8, seq: u32, ack: u32, len: u32) -> (Segment, Direction) {
        let s = if out {
            Segment {
                src: C,
                dst: S,
                sport: 40000,
                dport: 443,
                seq,
                ack,
                flags: f,
                window: 1000,
                payload_len: len,
                wscale: None,
            }
        } else {
            Segment {
                src: S,
                dst: C,
                sport: 443,
                dport: 40000,
                seq,
                ack,
                flags: f,
                window: 1000,
                payload_len: len,
                wscale: None,
            }
        };
        (s, if out { Direction::Out } else { Direction::In })
    }

    fn log() -> EventLog {
        EventLog::new(EventMask::ALL, 64)
    }

    fn lines(l: &mut EventLog) -> Vec<String> {
        core::iter::from_fn(|| l.pop())
            .map(|e| e.to_string())
            .collect()
    }

    fn handshake(t: &mut ConnTracker, l: &mut EventLog) -> ConnId {
        let now = Instant::from_secs(100);
        let (s, d) = seg(true, SYN, 1000, 0, 0);
        let id = t.open(&s, d, 7, true, false, now, l).unwrap();
        let (s, d) = seg(false, SYN | ACK, 5000, 1001, 0);
        assert_eq!(t.lookup(&s, d), Some(id));
        assert_eq!(t.track(id, &s, d, &[], now, l), Ok(true));
        let (s, d) = seg(true, ACK, 1001, 5001, 0);
        assert_eq!(t.track(id, &s, d, &[], now, l), Ok(true));
        id
    }

    #[test]
    fn handshake_states_and_events() {
        let mut t = ConnTracker::new(TcpSettings::default(), 1);
        let mut l = log();
        let id = handshake(&mut t, &mut l);
        let got = lines(&mut l);
        assert_eq!(
            got[0],
            "new session 0x10000000/0x10000040 (10.0.0.5 10.0.0.5:40000 40000->93.184.216.34 93.184.216.34:443 443): parent filter 7, state SYNSENT/CLOSED, TCP flags 0x2)"
        );
        assert_eq!(
            got[1],
            "session state changed for 0x10000040: state SYNSENT->ESTAB/CLOSED->SYNRCVD, ttl 3600/60, TCP flags 0x12"
        );
        assert_eq!(
            got[2],
            "session state changed for 0x10000000: state ESTAB->ESTAB/SYNRCVD->ESTAB, ttl 3600/3600, TCP flags 0x10"
        );
        assert_eq!(t.half_open(), 0);
        assert_eq!(t.established(), 1);
        assert_eq!(
            t.fwconn_show(false, Instant::from_secs(100)),
            "Connection ID         Protected IP:port   Unprotected IP:port   State\n\
             0x10000000/0x10000040 10.0.0.5:40000      -> 93.184.216.34:443  ESTAB/ESTAB\n\
             Number of TCP connections: 1\n\
             Number of established TCP connections: 1\n"
        );
        assert_eq!(
            t.fwconn_show(true, Instant::from_secs(103)),
            "Connection ID: 0x10000000/0x10000040\n\
             \tReverse connection: no\n\
             \tProtected side: 10.0.0.5:40000\n\
             \t\tState: ESTAB\n\
             \t\tSequence number: 1001\n\
             \t\tAcknowlegement number: 5001\n\
             \t\tWindow size: 1000\n\
             \t\tTTL left / TTL for current state: 3597/3600\n\
             \tUnprotected side: 93.184.216.34:443\n\
             \t\tState: ESTAB\n\
             \t\tSequence number: 5001\n\
             \t\tAcknowlegement number: 1001\n\
             \t\tWindow size: 1000\n\
             \t\tTTL left / TTL for current state: 3597/3600\n"
        );
        let info = t.info(id, Instant::from_secs(100)).unwrap();
        assert!(!info.reverse);
        assert_eq!(info.halves[0].ttl_left, 3600);
        assert_eq!(info.halves[1].seq, 5001);
        // data and teardown
        let now = Instant::from_secs(101);
        let (s, d) = seg(true, ACK | PSH, 1001, 5001, 100);
        assert_eq!(t.track(id, &s, d, &[], now, &mut l), Ok(true));
        let (s, d) = seg(false, ACK | FIN, 5001, 1101, 0);
        assert_eq!(t.track(id, &s, d, &[], now, &mut l), Ok(true));
        let (s, d) = seg(true, ACK | FIN, 1101, 5002, 0);
        assert_eq!(t.track(id, &s, d, &[], now, &mut l), Ok(true));
        let (s, d) = seg(false, ACK, 5002, 1102, 0);
        assert_eq!(t.track(id, &s, d, &[], now, &mut l), Ok(true));
        let info = t.info(id, now).unwrap();
        assert_eq!(info.halves[0].state, TcpState::Closed);
        assert_eq!(info.halves[1].state, TcpState::Closed);
        assert_eq!(info.halves[0].ttl_left, 5);
        lines(&mut l);
        // CLOSED TTL 5 s: the sweep removes it and reports the statistics
        assert_eq!(t.expire(Instant::from_secs(106), 10, &mut l), 1);
        assert!(t.is_empty());
        assert_eq!(
            lines(&mut l),
            [
                "session 0x10000000/0x10000040 (10.0.0.5:40000->93.184.216.34:443) closed: state CLOSED/CLOSED, transferred 100/0 bytes, 4/3 packets"
            ]
        );
    }

    #[test]
    fn ttl_per_state_expires_records() {
        let mut t = ConnTracker::new(TcpSettings::default(), 1);
        let mut l = log();
        let (s, d) = seg(true, SYN, 1000, 0, 0);
        let id = t
            .open(&s, d, 1, false, false, Instant::from_secs(0), &mut l)
            .unwrap();
        // SYNSENT lives 30 s
        assert_eq!(t.info(id, Instant::from_secs(0)).unwrap().halves[0].ttl, 30);
        assert_eq!(t.expire(Instant::from_secs(29), 10, &mut l), 0);
        let (s2, d2) = seg(false, SYN | ACK, 5000, 1001, 0);
        assert_eq!(
            t.track(id, &s2, d2, &[], Instant::from_secs(31), &mut l),
            Ok(false)
        );
        assert!(t.is_empty());
        // ESTAB lives 3600 s
        let id = handshake(&mut t, &mut l);
        assert_eq!(t.expire(Instant::from_secs(100 + 3599), 10, &mut l), 0);
        assert_eq!(t.expire(Instant::from_secs(100 + 3600), 10, &mut l), 1);
        assert!(t.info(id, Instant::from_secs(4000)).is_none());
    }

    #[test]
    fn strictness_ladder() {
        let mk = |level| {
            ConnTracker::new(
                TcpSettings {
                    strictness: level,
                    ..TcpSettings::default()
                },
                1,
            )
        };
        let now = Instant::from_secs(100);
        // 1: impossible flags
        for level in [0u8, 1] {
            let mut t = mk(level);
            let mut l = log();
            let id = handshake(&mut t, &mut l);
            let (s, d) = seg(true, SYN | FIN, 1001, 5001, 0);
            let r = t.track(id, &s, d, &[], now, &mut l);
            assert_eq!(r.is_err(), level >= 1, "level {level}");
        }
        // 2: disallowed state change (SYN on an established connection)
        for level in [1u8, 2] {
            let mut t = mk(level);
            let mut l = log();
            let id = handshake(&mut t, &mut l);
            lines(&mut l);
            let (s, d) = seg(true, SYN, 1001, 0, 0);
            let r = t.track(id, &s, d, &[], now, &mut l);
            assert_eq!(r.is_err(), level >= 2, "level {level}");
            if level == 2 {
                assert_eq!(
                    lines(&mut l),
                    [
                        "unexpected TCP flags for 0x10000000, dropping packet: disallowed state change ESTAB->SYNSENT/ESTAB->ESTAB, TCP flags 0x2"
                    ]
                );
            }
        }
        // 3: sequence number outside the receiver's window
        for level in [2u8, 3] {
            let mut t = mk(level);
            let mut l = log();
            let id = handshake(&mut t, &mut l);
            lines(&mut l);
            let (s, d) = seg(true, ACK, 1001 + 500_000, 5001, 10);
            let r = t.track(id, &s, d, &[], now, &mut l);
            assert_eq!(r.is_err(), level >= 3, "level {level}");
            if level == 3 {
                assert_eq!(
                    lines(&mut l),
                    [
                        "unexpected TCP sequence number for 0x10000000, dropping packet: seq 501001, flags 0x10, expected seq (ack) 1001, win 1000"
                    ]
                );
            }
            // in-window data passes at every level
            let (s, d) = seg(true, ACK, 1001, 5001, 10);
            assert_eq!(t.track(id, &s, d, &[], now, &mut l), Ok(true));
        }
        // 3 allows mid-stream pickup, 4 does not
        for level in [3u8, 4] {
            let mut t = mk(level);
            let mut l = log();
            let (s, d) = seg(false, ACK, 7000, 100, 0);
            let r = t.open(&s, d, 8, false, false, now, &mut l);
            assert_eq!(r.is_err(), level >= 4, "level {level}");
            if level == 4 {
                assert_eq!(
                    lines(&mut l),
                    [
                        "not a SYN packet, won't create state for session 10.0.0.5:40000->93.184.216.34:443, parent filter 8: TCP flags 0x10"
                    ]
                );
            } else {
                let id = r.unwrap();
                let info = t.info(id, now).unwrap();
                assert!(info.reverse);
                assert_eq!(info.halves[1].window, 1000 << 14);
            }
        }
        // 5: ACK of data never sent
        for level in [4u8, 5] {
            let mut t = mk(level);
            let mut l = log();
            let id = handshake(&mut t, &mut l);
            let (s, d) = seg(true, ACK, 1001, 5001 + 100, 0);
            assert_eq!(t.track(id, &s, d, &[], now, &mut l).is_err(), level >= 5);
        }
        // 6: RST must carry exactly the expected sequence number; windows may not shrink
        for level in [5u8, 6] {
            let mut t = mk(level);
            let mut l = log();
            let id = handshake(&mut t, &mut l);
            let (s, d) = seg(false, RST, 5001 + 10, 0, 0);
            assert_eq!(t.track(id, &s, d, &[], now, &mut l).is_err(), level >= 6);
            let mut t = mk(level);
            let id = handshake(&mut t, &mut l);
            let (mut s, d) = seg(true, ACK, 1001, 5001, 0);
            s.window = 10;
            assert_eq!(t.track(id, &s, d, &[], now, &mut l).is_err(), level >= 6);
            let (s, d) = seg(false, RST, 5001, 0, 0);
            assert_eq!(t.track(id, &s, d, &[], now, &mut l), Ok(true));
        }
        // 0: nothing is ever dropped
        let mut t = mk(0);
        let mut l = log();
        let id = handshake(&mut t, &mut l);
        for f in [0u8, SYN | RST, SYN] {
            let (s, d) = seg(true, f, 9_999_999, 1, 0);
            assert_eq!(
                t.track(id, &s, d, &[], now, &mut l),
                Ok(true),
                "flags {f:#x}"
            );
        }
    }

    #[test]
    fn window_scaling_from_syns() {
        let mut t = ConnTracker::new(TcpSettings::default(), 1);
        let mut l = log();
        let now = Instant::from_secs(1);
        let (mut s, d) = seg(true, SYN, 1000, 0, 0);
        s.wscale = Some(7);
        let id = t.open(&s, d, 1, false, false, now, &mut l).unwrap();
        let (mut s, d) = seg(false, SYN | ACK, 5000, 1001, 0);
        s.wscale = Some(2);
        t.track(id, &s, d, &[], now, &mut l).unwrap();
        let (s, d) = seg(true, ACK, 1001, 5001, 0);
        t.track(id, &s, d, &[], now, &mut l).unwrap();
        let (s, d) = seg(false, ACK, 5001, 1001, 0);
        t.track(id, &s, d, &[], now, &mut l).unwrap();
        let info = t.info(id, now).unwrap();
        assert_eq!(info.halves[0].window, 1000 << 7);
        assert_eq!(info.halves[1].window, 1000 << 2);
    }

    #[test]
    fn limits_and_half_open_hysteresis() {
        let st = TcpSettings {
            open_max: 50,
            half_open_max: 10,
            half_open_low: 5,
            conn_rate_max: 1000,
            conn_rate_low: 1000,
            ..TcpSettings::default()
        };
        let mut t = ConnTracker::new(st, 9);
        let mut l = log();
        let now = Instant::from_secs(10);
        let syn = |i: u16| Segment {
            src: C,
            dst: S,
            sport: 1000 + i,
            dport: 80,
            seq: 1,
            ack: 0,
            flags: SYN,
            window: 100,
            payload_len: 0,
            wscale: None,
        };
        for i in 0..10 {
            t.open(&syn(i), Direction::Out, 3, true, false, now, &mut l)
                .unwrap();
        }
        lines(&mut l);
        assert_eq!(t.half_open(), 10);
        // the 11th triggers deletion: the oldest is replaced
        t.open(&syn(10), Direction::Out, 3, true, false, now, &mut l)
            .unwrap();
        let got = lines(&mut l);
        assert_eq!(
            got[0],
            "half open sessions limit triggered by 10.0.0.5:1010->93.184.216.34:80, starting to delete connections: count/max 10/10, 1-minute rate/max 10/1000"
        );
        assert!(
            got[1].starts_with(
                "session 0x10000000/0x10000040 (10.0.0.5:1000->93.184.216.34:80) closed"
            )
        );
        assert_eq!(t.half_open(), 10);
        assert!(t.lookup(&syn(0), Direction::Out).is_none());
        // completing handshakes brings the count below low: deletion stops
        for i in 1..=6u16 {
            let id = t.lookup(&syn(i), Direction::Out).unwrap();
            let sa = Segment {
                src: S,
                dst: C,
                sport: 80,
                dport: 1000 + i,
                seq: 50,
                ack: 2,
                flags: SYN | ACK,
                window: 100,
                payload_len: 0,
                wscale: None,
            };
            t.track(id, &sa, Direction::In, &[], now, &mut l).unwrap();
            let a = Segment {
                ack: 51,
                seq: 2,
                flags: ACK,
                ..syn(i)
            };
            t.track(id, &a, Direction::Out, &[], now, &mut l).unwrap();
        }
        let got = lines(&mut l);
        assert!(
            got.iter().any(|x| x
                == "half open session count and creation rate are ok, stopped deleting connections: count 4 (< 5), 1-minute rate 11 (< 1000)"),
            "{got:?}"
        );
        // sessions limit
        let mut t = ConnTracker::new(TcpSettings { open_max: 3, ..st }, 9);
        for i in 0..3 {
            t.open(&syn(i), Direction::Out, 3, false, false, now, &mut l)
                .unwrap();
        }
        lines(&mut l);
        assert_eq!(
            t.open(&syn(3), Direction::Out, 3, false, false, now, &mut l),
            Err(TcpRefusal::SessionsLimit)
        );
        assert_eq!(
            lines(&mut l),
            [
                "sessions limit triggered by 10.0.0.5:1003->93.184.216.34:80, dropping packet: session count/max 3/3"
            ]
        );
        // rate limit with no half-open session to delete
        let mut t = ConnTracker::new(
            TcpSettings {
                conn_rate_max: 2,
                conn_rate_low: 1,
                ..st
            },
            9,
        );
        for i in 0..2u16 {
            let id = t
                .open(&syn(i), Direction::Out, 3, false, false, now, &mut l)
                .unwrap();
            t.remove(id);
        }
        lines(&mut l);
        assert_eq!(
            t.open(&syn(5), Direction::Out, 3, false, false, now, &mut l),
            Err(TcpRefusal::HalfOpenLimit)
        );
        let got = lines(&mut l);
        assert_eq!(
            got[1],
            "can't delete any old half open session in favor of new session 10.0.0.5 10.0.0.5:1005 1005->93.184.216.34 93.184.216.34:80 80, dropping packet: half open session count 0"
        );
        // a minute later the rate has decayed
        assert!(
            t.open(
                &syn(6),
                Direction::Out,
                3,
                false,
                false,
                Instant::from_secs(75),
                &mut l
            )
            .is_ok()
        );
    }

    #[test]
    fn ftp_port_and_pasv() {
        let mut t = ConnTracker::new(TcpSettings::default(), 5);
        let mut l = log();
        let now = Instant::from_secs(1);
        let srv = Ipv4Addr::new(10, 0, 5, 10);
        let ctl = |out: bool, f: u8, seq: u32, ack: u32, len: u32| {
            let s = if out {
                Segment {
                    src: C,
                    dst: srv,
                    sport: 33000,
                    dport: 21,
                    seq,
                    ack,
                    flags: f,
                    window: 65535,
                    payload_len: len,
                    wscale: None,
                }
            } else {
                Segment {
                    src: srv,
                    dst: C,
                    sport: 21,
                    dport: 33000,
                    seq,
                    ack,
                    flags: f,
                    window: 65535,
                    payload_len: len,
                    wscale: None,
                }
            };
            (s, if out { Direction::Out } else { Direction::In })
        };
        let (s, d) = ctl(true, SYN, 100, 0, 0);
        let id = t.open(&s, d, 5, true, true, now, &mut l).unwrap();
        let (s, d) = ctl(false, SYN | ACK, 900, 101, 0);
        t.track(id, &s, d, &[], now, &mut l).unwrap();
        let (s, d) = ctl(true, ACK, 101, 901, 0);
        t.track(id, &s, d, &[], now, &mut l).unwrap();
        lines(&mut l);
        let cseq = core::cell::Cell::new(101u32);
        let sseq = core::cell::Cell::new(901u32);
        let send = |t: &mut ConnTracker, l: &mut EventLog, out: bool, text: &[u8]| {
            let len = text.len() as u32;
            let (s, d) = if out {
                let r = ctl(true, ACK | PSH, cseq.get(), sseq.get(), len);
                cseq.set(cseq.get() + len);
                r
            } else {
                let r = ctl(false, ACK | PSH, sseq.get(), cseq.get(), len);
                sseq.set(sseq.get() + len);
                r
            };
            t.track(id, &s, d, text, now, l)
        };
        // PORT and PASV before login are blocked
        assert_eq!(
            send(&mut t, &mut l, true, b"PORT 10,0,0,5,200,10\r\n"),
            Err(TcpRefusal::Ftp)
        );
        assert_eq!(
            lines(&mut l),
            [
                "blocked FTP PORT command for 0x10000000 (10.0.0.5:33000->10.0.5.10:21): user not authenticated"
            ]
        );
        assert_eq!(
            send(
                &mut t,
                &mut l,
                false,
                b"227 Entering Passive Mode (10,0,5,10,200,11)\r\n"
            ),
            Err(TcpRefusal::Ftp)
        );
        assert_eq!(
            lines(&mut l),
            [
                "blocked FTP PASV response for 0x10000000 (10.0.0.5:33000->10.0.5.10:21): user not authenticated"
            ]
        );
        // blocked segments do not advance the record: resend from the same numbers
        cseq.set(cseq.get() - 22);
        sseq.set(sseq.get() - 48);
        assert_eq!(
            send(&mut t, &mut l, false, b"230 Login successful.\r\n"),
            Ok(true)
        );
        // privileged ports
        assert_eq!(
            send(&mut t, &mut l, true, b"PORT 10,0,0,5,0,25\r\n"),
            Err(TcpRefusal::Ftp)
        );
        assert_eq!(
            lines(&mut l),
            [
                "blocked attempt to use priveleged port 25 in FTP PORT command for 0x10000000 (10.0.0.5:33000->10.0.5.10:21)"
            ]
        );
        cseq.set(cseq.get() - 20);
        assert_eq!(
            send(
                &mut t,
                &mut l,
                false,
                b"227 Entering Passive Mode (10,0,5,10,0,22)\r\n"
            ),
            Err(TcpRefusal::Ftp)
        );
        sseq.set(sseq.get() - 44);
        lines(&mut l);
        // active mode: the server opens the data connection to the announced port
        assert_eq!(
            send(&mut t, &mut l, true, b"PORT 10,0,0,5,200,10\r\n"),
            Ok(true)
        );
        let data_from_client = Segment {
            src: C,
            dst: srv,
            sport: 51210,
            dport: 20,
            seq: 1,
            ack: 0,
            flags: SYN,
            window: 100,
            payload_len: 0,
            wscale: None,
        };
        assert_eq!(
            t.ftp_data(&data_from_client, Direction::Out, now, &mut l),
            Some(Err(TcpRefusal::Ftp))
        );
        assert_eq!(
            lines(&mut l),
            [
                "blocked attempt to initiate FTP data connection 0x10000000 (10.0.0.5:33000->10.0.5.10:21) from client side"
            ]
        );
        let data = Segment {
            src: srv,
            dst: C,
            sport: 20,
            dport: 200 * 256 + 10,
            ..data_from_client
        };
        let did = t
            .ftp_data(&data, Direction::In, now, &mut l)
            .unwrap()
            .unwrap();
        assert!(t.info(did, now).unwrap().reverse);
        assert_eq!(t.info(did, now).unwrap().parent, 5);
        // the expectation is used once
        t.remove(did);
        assert_eq!(t.ftp_data(&data, Direction::In, now, &mut l), None);
        // passive mode: the client opens it; the server may not
        assert_eq!(
            send(
                &mut t,
                &mut l,
                false,
                b"227 Entering Passive Mode (10,0,5,10,200,11)\r\n"
            ),
            Ok(true)
        );
        let wrong = Segment {
            src: srv,
            dst: C,
            sport: 200 * 256 + 11,
            dport: 40000,
            ..data_from_client
        };
        assert_eq!(
            t.ftp_data(&wrong, Direction::In, now, &mut l),
            Some(Err(TcpRefusal::Ftp))
        );
        assert!(lines(&mut l).iter().any(|x| x.starts_with(
            "blocked attempt to initiate FTP passive-mode data connection 0x10000000"
        )));
        let pasv = Segment {
            src: C,
            dst: srv,
            sport: 40001,
            dport: 200 * 256 + 11,
            ..data_from_client
        };
        assert!(matches!(
            t.ftp_data(&pasv, Direction::Out, now, &mut l),
            Some(Ok(_))
        ));
        // an unannounced SYN is not FTP data
        assert_eq!(
            t.ftp_data(
                &Segment {
                    dport: 9999,
                    ..pasv
                },
                Direction::Out,
                now,
                &mut l
            ),
            None
        );
        // expectations expire
        assert_eq!(
            send(
                &mut t,
                &mut l,
                false,
                b"229 Entering Extended Passive Mode (|||40002|)\r\n"
            ),
            Ok(true)
        );
        let late = Segment {
            dport: 40002,
            ..pasv
        };
        assert_eq!(
            t.ftp_data(
                &late,
                Direction::Out,
                Instant::from_secs(1 + FTP_EXPECT_TTL as u64 + 1),
                &mut l
            ),
            None
        );
    }

    #[test]
    fn memory_per_connection_is_bounded() {
        let mut t = ConnTracker::new(
            TcpSettings {
                open_max: 100_000,
                half_open_max: 100_000,
                half_open_low: 100_000,
                conn_rate_max: u32::MAX,
                conn_rate_low: u32::MAX,
                ..TcpSettings::default()
            },
            3,
        );
        let mut l = EventLog::new(EventMask::NONE, 1);
        for i in 0..100_000u32 {
            let s = Segment {
                src: Ipv4Addr::from(0x0a00_0000 + i),
                dst: S,
                sport: 1024,
                dport: 443,
                seq: 1,
                ack: 0,
                flags: SYN,
                window: 100,
                payload_len: 0,
                wscale: None,
            };
            t.open(
                &s,
                Direction::Out,
                1,
                false,
                false,
                Instant::from_secs(1),
                &mut l,
            )
            .unwrap();
        }
        let b = t.bytes_per_connection();
        assert!(b < 160, "{b} bytes per connection");
        // removal keeps the index consistent
        let probe = Segment {
            src: Ipv4Addr::from(0x0a00_0000 + 77),
            dst: S,
            sport: 1024,
            dport: 443,
            seq: 1,
            ack: 0,
            flags: SYN,
            window: 100,
            payload_len: 0,
            wscale: None,
        };
        let id = t.lookup(&probe, Direction::Out).unwrap();
        t.remove(id);
        assert!(t.lookup(&probe, Direction::Out).is_none());
        assert_eq!(t.len(), 99_999);
        assert_eq!(t.find_by_id(ids(5).1), Some(ConnId(5)));
        assert_eq!(t.find_by_id(ids(77).0), None);
    }
}
