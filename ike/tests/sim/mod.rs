//! A simulated network and clock for Zubr↔Zubr tests (quinn's `Pair`, for IKE): two engines
//! ([`Pair`], with an optional source-port-rewriting NAT in front of the responder) or a gateway
//! and its clients ([`Net`]), over one [`Link`] model: datagrams delivered after a latency, with
//! seeded loss, duplication and reordering; the clock jumps to the next delivery or engine
//! timeout.

#![allow(dead_code)]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use zubr_base::Instant;
use zubr_crypto_stb::SOFTWARE;
use zubr_crypto_stb::provider::{EspCipher, Group, IkeCipher, IkeHash, Integrity};
use zubr_ike::config::{
    Config, EspTransform, IkeRule, IkeTransform, IpsecMode, IpsecRule, PeerMatch, Phase1Mode,
    Selector,
};
use zubr_ike::engine::{Acquire, Event, Transmit};
use zubr_ike::{ConnId, Engine};

pub const A: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
pub const B: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);

pub fn net_a() -> Selector {
    Selector::subnet(Ipv4Addr::new(10, 1, 0, 0), 24)
}
pub fn net_b() -> Selector {
    Selector::subnet(Ipv4Addr::new(10, 2, 0, 0), 24)
}

pub fn ike(c: &str, h: &str, g: &str) -> IkeTransform {
    IkeTransform {
        cipher: SOFTWARE
            .ike_cipher_by_name(c)
            .unwrap_or_else(|| panic!("{c}")),
        hash: SOFTWARE
            .ike_hash_by_name(h)
            .unwrap_or_else(|| panic!("{h}")),
        group: SOFTWARE.group_by_name(g).unwrap_or_else(|| panic!("{g}")),
        lifetime_secs: 28800,
        lifetime_kb: 0,
    }
}

pub fn ike_t(
    cipher: &'static IkeCipher,
    hash: &'static IkeHash,
    group: &'static Group,
) -> IkeTransform {
    IkeTransform {
        cipher,
        hash,
        group,
        lifetime_secs: 28800,
        lifetime_kb: 0,
    }
}

pub fn esp_t(cipher: &'static EspCipher, integrity: Option<&'static Integrity>) -> EspTransform {
    EspTransform {
        cipher,
        integrity,
        lifetime_secs: 3600,
        lifetime_kb: 4_608_000,
    }
}

pub fn esp(c: &str, i: Option<&str>) -> EspTransform {
    esp_t(
        SOFTWARE.esp_cipher_by_name(c).unwrap(),
        i.map(|i| SOFTWARE.integrity_by_name(i).unwrap()),
    )
}

/// Both sides' configurations for one suite.
pub struct Setup {
    pub mode: Phase1Mode,
    pub ike: Vec<IkeTransform>,
    pub esp: Vec<EspTransform>,
    pub pfs: Option<&'static Group>,
    pub psk_a: Vec<u8>,
    pub psk_b: Vec<u8>,
}

impl Setup {
    pub fn new(mode: Phase1Mode, ike: IkeTransform, esp: EspTransform) -> Self {
        Setup {
            mode,
            ike: vec![ike],
            esp: vec![esp],
            pfs: None,
            psk_a: b"sim-psk".to_vec(),
            psk_b: b"sim-psk".to_vec(),
        }
    }

    pub fn configs(&self) -> (Config, Config) {
        let mut a = Config::default();
        a.ike_rules.push(IkeRule::psk(
            "ike_a",
            vec![PeerMatch::Addr(B)],
            self.mode,
            &self.psk_a,
            self.ike.clone(),
        ));
        a.ipsec_rules.push(IpsecRule {
            name: "filter_a".into(),
            action_name: "action_a".into(),
            local: net_a(),
            remote: net_b(),
            peer: Some(B),
            mode: IpsecMode::Tunnel,
            proposals: self.esp.clone(),
            pfs: self.pfs,
            ike_rule: None,
            rekey: true,
        });
        let mut b = Config::default();
        b.ike_rules.push(IkeRule::psk(
            "ike_b",
            vec![PeerMatch::Any],
            self.mode,
            &self.psk_b,
            self.ike.clone(),
        ));
        b.ipsec_rules.push(IpsecRule {
            name: "filter_b".into(),
            action_name: "action_b".into(),
            local: net_b(),
            remote: net_a(),
            peer: None,
            mode: IpsecMode::Tunnel,
            proposals: self.esp.clone(),
            pfs: self.pfs,
            ike_rule: None,
            rekey: true,
        });
        (a, b)
    }
}

/// Tiny deterministic generator for the network's decisions.
pub struct Lcg(pub u64);
impl Lcg {
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// The simulated wire both simulations share: datagrams in flight to a destination `D` (a side
/// of [`Pair`], a node of [`Net`]), each delivered after `latency`, with seeded loss (percent),
/// duplication and reordering (up to 300 ms late).
pub struct Link<D> {
    /// (deliver at, sequence, destination, datagram)
    queue: Vec<(Instant, u64, D, Transmit)>,
    seq: u64,
    pub latency: Duration,
    pub loss: u64,
    pub dup: u64,
    pub reorder: u64,
    pub rng: Lcg,
}

/// What a simulation does next (see [`Link::next`]).
pub enum Next<D> {
    /// Hand this datagram to `D`.
    Deliver(D, Transmit),
    /// Run every engine's timers.
    Timeout,
    /// Nothing is due before the end of the run.
    Done,
}

impl<D: Copy> Link<D> {
    pub fn new(seed: u64) -> Self {
        Link {
            queue: Vec::new(),
            seq: 0,
            latency: Duration::from_millis(5),
            loss: 0,
            dup: 0,
            reorder: 0,
            rng: Lcg(seed),
        }
    }

    /// Puts `t` on the wire towards `to` at `now` (or loses it).
    pub fn send(&mut self, now: Instant, to: D, t: Transmit) {
        if self.loss > 0 && self.rng.chance(self.loss) {
            return;
        }
        let mut delay = self.latency;
        if self.reorder > 0 && self.rng.chance(self.reorder) {
            delay += Duration::from_millis(self.rng.next() % 300);
        }
        let copies = if self.dup > 0 && self.rng.chance(self.dup) {
            2
        } else {
            1
        };
        for _ in 0..copies {
            self.seq += 1;
            self.queue.push((now + delay, self.seq, to, t.clone()));
        }
    }

    /// Advances `now` to the next delivery or engine timer (`timers`: the earliest of the
    /// engines' `poll_timeout`), or to `until` when nothing is due before it.
    pub fn next(&mut self, now: &mut Instant, until: Instant, timers: Option<Instant>) -> Next<D> {
        let next_q = self.queue.iter().map(|q| (q.0, q.1)).min();
        let next = match (next_q.map(|q| q.0), timers) {
            (Some(q), Some(t)) => q.min(t),
            (Some(q), None) => q,
            (None, Some(t)) => t,
            (None, None) => return Next::Done,
        };
        if next > until {
            *now = until;
            return Next::Done;
        }
        *now = (*now).max(next);
        if let Some((at, seq)) = next_q
            && at <= *now
        {
            let k = self
                .queue
                .iter()
                .position(|q| q.0 == at && q.1 == seq)
                .unwrap();
            let (_, _, to, t) = self.queue.remove(k);
            return Next::Deliver(to, t);
        }
        Next::Timeout
    }

    /// Datagrams in flight.
    pub fn in_flight(&self) -> usize {
        self.queue.len()
    }
}

pub struct Pair {
    pub a: Engine,
    pub b: Engine,
    pub now: Instant,
    /// Datagrams in flight; `true` = to A.
    pub link: Link<bool>,
    /// Rewrite A's source ports 500→20500 and 4500→24500 on the way to B (and back).
    pub nat: bool,
    /// Drop everything (a dead link).
    pub cut: bool,
    pub events_a: Vec<Event>,
    pub events_b: Vec<Event>,
    pub sent_a: usize,
    pub sent_b: usize,
}

pub fn engine(c: Config, seed: u8) -> Engine {
    Engine::new(c, SOFTWARE, &[seed; 32]).unwrap()
}

impl Pair {
    pub fn new(s: &Setup) -> Pair {
        let (ca, cb) = s.configs();
        Pair::with(ca, cb)
    }

    pub fn with(ca: Config, cb: Config) -> Pair {
        Pair {
            a: engine(ca, 1),
            b: engine(cb, 2),
            now: Instant::from_secs(1000),
            link: Link::new(7),
            nat: false,
            cut: false,
            events_a: Vec::new(),
            events_b: Vec::new(),
            sent_a: 0,
            sent_b: 0,
        }
    }

    pub fn acquire(&mut self) {
        self.a
            .acquire(
                self.now,
                Acquire {
                    rule: 0,
                    peer: None,
                    local: A,
                },
            )
            .unwrap();
    }

    fn collect(&mut self) {
        while let Some(t) = self.a.poll_transmit() {
            self.sent_a += 1;
            self.enqueue(false, t);
        }
        while let Some(t) = self.b.poll_transmit() {
            self.sent_b += 1;
            self.enqueue(true, t);
        }
        while let Some(e) = self.a.poll_event() {
            self.events_a.push(e);
        }
        while let Some(e) = self.b.poll_event() {
            self.events_b.push(e);
        }
    }

    fn enqueue(&mut self, to_a: bool, mut t: Transmit) {
        if self.cut {
            return;
        }
        if self.nat && !to_a {
            // A behind a NAT: its source port is rewritten
            let p = if t.local.port() == 500 { 20500 } else { 24500 };
            t.local.set_port(p);
        }
        self.link.send(self.now, to_a, t);
    }

    fn deliver(&mut self, to_a: bool, t: Transmit) {
        // what the receiver sees: its own address as local, the sender as remote
        let (mut local, mut remote) = (t.remote, t.local);
        if self.nat && to_a {
            // replies to the NAT's outside port come back to A's real port
            local.set_port(if t.remote.port() == 20500 { 500 } else { 4500 });
            let _ = &mut remote;
        }
        let e = if to_a { &mut self.a } else { &mut self.b };
        let _ = e.handle_datagram(self.now, local, remote, &t.payload);
    }

    /// Runs until `until` (simulated) or nothing is left to do.
    pub fn run_until(&mut self, until: Instant) {
        for _ in 0..100_000 {
            self.collect();
            let timers = [self.a.poll_timeout(), self.b.poll_timeout()]
                .into_iter()
                .flatten()
                .min();
            match self.link.next(&mut self.now, until, timers) {
                Next::Deliver(to_a, t) => self.deliver(to_a, t),
                Next::Timeout => {
                    self.a.handle_timeout(self.now);
                    self.b.handle_timeout(self.now);
                }
                Next::Done => return,
            }
        }
        panic!("simulation did not settle");
    }

    pub fn run_for(&mut self, d: Duration) {
        let until = self.now + d;
        self.run_until(until);
    }

    pub fn ready_a(&self) -> Vec<&zubr_ike::IpsecSaPair> {
        ready(&self.events_a)
    }
    pub fn ready_b(&self) -> Vec<&zubr_ike::IpsecSaPair> {
        ready(&self.events_b)
    }
}

pub fn ready(ev: &[Event]) -> Vec<&zubr_ike::IpsecSaPair> {
    ev.iter()
        .filter_map(|e| match e {
            Event::IpsecSaReady(p) => Some(&**p),
            _ => None,
        })
        .collect()
}

pub fn deleted(ev: &[Event]) -> Vec<ConnId> {
    ev.iter()
        .filter_map(|e| match e {
            Event::IpsecSaDeleted { id, .. } => Some(*id),
            _ => None,
        })
        .collect()
}

/// The two sides agree on every key: A's outbound is B's inbound and vice versa.
pub fn assert_keys_match(a: &zubr_ike::IpsecSaPair, b: &zubr_ike::IpsecSaPair) {
    assert_eq!(a.outbound.spi, b.inbound.spi);
    assert_eq!(a.inbound.spi, b.outbound.spi);
    assert_eq!(&a.outbound.enc_key[..], &b.inbound.enc_key[..]);
    assert_eq!(&a.outbound.auth_key[..], &b.inbound.auth_key[..]);
    assert_eq!(&a.inbound.enc_key[..], &b.outbound.enc_key[..]);
    assert_eq!(&a.inbound.auth_key[..], &b.outbound.auth_key[..]);
    if a.cipher.cipher.key_len() > 0 {
        // the two directions never share keys (NULL encryption has none)
        assert_ne!(&a.inbound.enc_key[..], &a.outbound.enc_key[..]);
    } else {
        assert_ne!(&a.inbound.auth_key[..], &a.outbound.auth_key[..]);
    }
    assert_eq!(a.cipher.sa_name, b.cipher.sa_name);
    assert_eq!(a.local_ts, b.remote_ts);
    assert_eq!(a.remote_ts, b.local_ts);
    assert_eq!(a.inbound.enc_key.len(), a.cipher.cipher.key_len());
    assert_eq!(
        a.inbound.auth_key.len(),
        a.integrity.map_or(0, |i| i.mac.key_len())
    );
}

pub fn addr(ip: Ipv4Addr, port: u16) -> SocketAddr {
    SocketAddr::new(IpAddr::V4(ip), port)
}

/// Several engines on one simulated network, addressed by IP (a gateway and its clients):
/// datagrams go to the node whose address is the destination, over the same [`Link`] as
/// [`Pair`].
pub struct Net {
    pub nodes: Vec<(Ipv4Addr, Engine)>,
    pub events: Vec<Vec<Event>>,
    pub sent: Vec<Vec<Transmit>>,
    pub now: Instant,
    /// Datagrams in flight, by node index.
    pub link: Link<usize>,
}

impl Net {
    pub fn new(nodes: Vec<(Ipv4Addr, Engine)>) -> Net {
        let n = nodes.len();
        Net {
            nodes,
            events: (0..n).map(|_| Vec::new()).collect(),
            sent: (0..n).map(|_| Vec::new()).collect(),
            now: Instant::from_secs(1000),
            link: Link::new(11),
        }
    }

    fn collect(&mut self) {
        for k in 0..self.nodes.len() {
            while let Some(t) = self.nodes[k].1.poll_transmit() {
                self.sent[k].push(t.clone());
                if let Some(to) = self
                    .nodes
                    .iter()
                    .position(|n| IpAddr::V4(n.0) == t.remote.ip())
                {
                    self.link.send(self.now, to, t);
                }
            }
            while let Some(e) = self.nodes[k].1.poll_event() {
                self.events[k].push(e);
            }
        }
    }

    pub fn run_for(&mut self, d: Duration) {
        let until = self.now + d;
        for _ in 0..200_000 {
            self.collect();
            let timers = self.nodes.iter().filter_map(|n| n.1.poll_timeout()).min();
            match self.link.next(&mut self.now, until, timers) {
                Next::Deliver(to, t) => {
                    let _ = self.nodes[to]
                        .1
                        .handle_datagram(self.now, t.remote, t.local, &t.payload);
                }
                Next::Timeout => {
                    for n in &mut self.nodes {
                        n.1.handle_timeout(self.now);
                    }
                }
                Next::Done => return,
            }
        }
        let timers: Vec<_> = self.nodes.iter().map(|n| n.1.poll_timeout()).collect();
        panic!(
            "simulation did not settle: now {:?}, {} in flight, timers {timers:?}, sent {:?}",
            self.now,
            self.link.in_flight(),
            self.sent.iter().map(Vec::len).collect::<Vec<_>>()
        );
    }

    pub fn ready(&self, k: usize) -> Vec<&zubr_ike::IpsecSaPair> {
        ready(&self.events[k])
    }
}
