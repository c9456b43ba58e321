//! `zubr demo [--suite intl|gost|stb]` — two Zubr agents in one process, a client (policy of
//! lsp-example 01) and a gateway (lsp-example 04), build a tunnel and move a stream of packets
//! through it, on a machine without root.
//!
//! The agents are sans-IO; this module is their host. The physical link between them is a pair
//! of UDP sockets on 127.0.0.1 (ephemeral ports): every datagram carries one IPv4 packet of the
//! link (an IKE datagram wrapped in IPv4/UDP 500, or an ESP packet), the way a TUN device hands
//! whole packets to a host. Everything a real host does happens here: IKE retransmissions and
//! lifetimes run from [`zubr_agent::Agent::poll_timeout`], the client's first packet waits in
//! the SA request queue while IKE runs, the gateway's LAN host (10.10.1.5) answers every UDP
//! packet with the same payload and every ICMP echo request with an echo reply.
//!
//! Output: the run's steps, the client's `sa_mgr show -detail` view (product.md §6), the
//! gateway's `sa_mgr show`, packet counts both ways and throughput. Exit code 0 only when the
//! tunnel came up and every packet came back intact; otherwise 1 with the reason on stderr.
//! This module must not reach into the agent's internals: it uses only the public host API.

use std::io::ErrorKind;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::process::ExitCode;
use std::time::{Duration, Instant as StdInstant};

use etherparse::{Icmpv4Type, NetSlice, PacketBuilder, SlicedPacket, TransportSlice};
use zubr_agent::mgmt::{self, SaShow};
use zubr_agent::{
    Agent, AgentSettings, InResult, LiteralKeys, Notice, OutResult, Output, PhyId, PolicySource,
};
use zubr_base::{Instant, PacketBuf};
use zubr_crypto_stb::SOFTWARE;

const CLIENT_POLICY: &str = include_str!("../../policies/01-psk-gost-client.lsp");
const GATEWAY_POLICY: &str = include_str!("../../policies/04-psk-gost-gateway.lsp");

const CLIENT_ETH: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 50);
const GATEWAY_ETH: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 1);
const GATEWAY_LAN: Ipv4Addr = Ipv4Addr::new(10, 10, 1, 5);
/// The LAN host behind the gateway that answers the client's packets.
const LAN_HOST: Ipv4Addr = GATEWAY_LAN;

/// Cipher suite of the demo.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Suite {
    /// AES-256-CBC, SHA2-256, MODP_2048; ESP AES-256-CBC with HMAC-SHA2-256-128.
    Intl,
    /// GOST 28147-89 CryptoPro, GOST R 34.11-94; ESP GOST 28147-89 with HMAC GOST R 34.11-94.
    Gost,
    /// belt-cbc, belt-hash, BIGN_256; ESP belt-ctr with HMAC-HBELT.
    Stb,
}

/// `zubr demo` options.
#[derive(clap::Args)]
pub struct Args {
    /// Cipher suite both policies are rewritten to.
    #[arg(long, value_enum, default_value = "gost")]
    suite: Suite,
    /// The gateway's suite when it differs from --suite: phase 1 finds no common proposal and
    /// the demo fails (shows how a mismatch looks).
    #[arg(long, value_enum)]
    gateway_suite: Option<Suite>,
    /// Packets the client sends through the tunnel (each is answered by the LAN host).
    #[arg(long, default_value_t = 2000)]
    packets: u32,
    /// Payload bytes of each UDP packet.
    #[arg(long, default_value_t = 1000)]
    size: usize,
    /// Seconds to wait for the tunnel or for a lost packet before giving up.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
}

/// The algorithm names of lsp-examples 01/04 and their replacements per suite: IKE cipher, IKE
/// hash, IKE group, ESP cipher, ESP integrity (first and second transform).
fn suite_names(s: Suite) -> [(&'static str, &'static str); 6] {
    let gost = [
        "\"G2814789CPRO1-K256-CBC-65534\"",
        "\"GR341194CPRO1-65534\"",
        "MODP_1536",
        "\"G2814789CPRO1-K256-CBC-254\"",
        "\"GR341194CPRO1-H96-HMAC-65534\"",
        "\"G2814789CPRO1-K256-MAC-65535\"",
    ];
    let new = match s {
        Suite::Gost => gost,
        Suite::Intl => [
            "\"AES-K256-CBC\"",
            "\"SHA2-256\"",
            "MODP_2048",
            "\"AES-K256-CBC\"",
            "\"SHA2-256-H128-HMAC\"",
            "\"SHA1-H96-HMAC\"",
        ],
        Suite::Stb => [
            "\"BELT-K256-CBC\"",
            "\"BELT-HASH\"",
            "BIGN_256",
            "\"BELT-K256-CTR\"",
            "\"HMAC-HBELT\"",
            "\"BELT-K256-MAC\"",
        ],
    };
    let mut out = [("", ""); 6];
    for (o, (a, b)) in out.iter_mut().zip(gost.iter().zip(new.iter())) {
        *o = (a, b);
    }
    out
}

/// Rewrites an example policy to `suite`; fails when a name to replace is missing.
fn policy_for(text: &str, suite: Suite) -> Result<String, String> {
    let mut t = text.to_owned();
    for (from, to) in suite_names(suite) {
        if !t.contains(from) {
            return Err(format!("example policy has no {from} to replace"));
        }
        t = t.replace(from, to);
    }
    Ok(t)
}

/// Runs `zubr demo`.
pub fn run(args: Args) -> ExitCode {
    match demo(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("zubr demo: FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}

/// One agent and its end of the link.
struct Host {
    name: &'static str,
    agent: Agent,
    sock: UdpSocket,
    peer: SocketAddr,
    eth: PhyId,
    /// Packets the agent delivered to the host's stack.
    delivered: Vec<(PhyId, Vec<u8>)>,
    /// Link datagrams sent / received.
    sent: u64,
    rcvd: u64,
    /// Drops on the inbound path, with the reason.
    drops: Vec<String>,
}

impl Host {
    fn new(name: &'static str, gateway: bool, seed: u8, eth: Ipv4Addr) -> Result<Host, String> {
        let mut agent = Agent::new(
            SOFTWARE,
            AgentSettings {
                gateway,
                ..AgentSettings::default()
            },
            &[seed; 32],
        )
        .map_err(|e| format!("{name}: {e}"))?;
        let eth = agent.add_interface("eth0", &[eth], &[], 1500);
        let sock = UdpSocket::bind("127.0.0.1:0").map_err(|e| format!("{name}: bind: {e}"))?;
        sock.set_nonblocking(true)
            .map_err(|e| format!("{name}: {e}"))?;
        Ok(Host {
            name,
            agent,
            peer: sock.local_addr().map_err(|e| format!("{name}: {e}"))?,
            sock,
            eth,
            delivered: Vec::new(),
            sent: 0,
            rcvd: 0,
            drops: Vec::new(),
        })
    }

    fn load(&mut self, text: &str, info: &str) -> Result<(), String> {
        self.agent
            .load_policy_text(
                Instant::ZERO,
                text.as_bytes(),
                PolicySource {
                    source: "demo".into(),
                    info: info.into(),
                },
                &LiteralKeys,
            )
            .map_err(|e| format!("{}: policy {info}: {e}", self.name))?;
        Ok(())
    }

    fn wire(&mut self, packet: &[u8]) -> Result<(), String> {
        self.sock
            .send_to(packet, self.peer)
            .map_err(|e| format!("{}: send: {e}", self.name))?;
        self.sent += 1;
        Ok(())
    }

    /// Sends everything the agent has for the link; keeps what it delivers.
    fn flush(&mut self) -> Result<(), String> {
        while let Some(t) = self.agent.poll_transmit() {
            let p = zubr_agent::wire::udp_packet(t.local, t.remote, &t.payload)
                .ok_or_else(|| format!("{}: IKE datagram not IPv4", self.name))?;
            self.wire(&p)?;
        }
        while let Some(o) = self.agent.poll_output() {
            match o {
                Output::Send { packet, .. } => self.wire(&packet)?,
                Output::Deliver { phy, packet } => self.delivered.push((phy, packet)),
            }
        }
        Ok(())
    }

    /// Feeds every datagram waiting on the socket to the agent's inbound path; returns how many.
    fn receive(&mut self, now: Instant) -> Result<usize, String> {
        let mut n = 0;
        let mut dgram = vec![0u8; 65536];
        let mut storage = vec![0u8; 65536 + 512];
        loop {
            let len = match self.sock.recv_from(&mut dgram) {
                Ok((len, _)) => len,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) => return Err(format!("{}: recv: {e}", self.name)),
            };
            n += 1;
            self.rcvd += 1;
            let pkt = dgram.get(..len).unwrap_or_default();
            let mut buf = PacketBuf::copy_from(&mut storage, 256, pkt)
                .map_err(|e| format!("{}: {e}", self.name))?;
            match self.agent.inbound(now, self.eth, &mut buf) {
                InResult::Deliver { phy } => self.delivered.push((phy, buf.bytes().to_vec())),
                InResult::Consumed | InResult::Held => {}
                InResult::Drop(r) => self.drops.push(r.to_string()),
            }
        }
        Ok(n)
    }

    fn timers(&mut self, now: Instant) {
        if self.agent.poll_timeout().is_some_and(|t| t <= now) {
            self.agent.handle_timeout(now);
        }
    }

    /// Runs `pkt` through the outbound path on `phy`; a packet that leaves goes on the link.
    fn send(&mut self, now: Instant, phy: PhyId, pkt: &[u8]) -> Result<OutResult, String> {
        let mut storage = vec![0u8; pkt.len() + 512];
        let mut buf = PacketBuf::copy_from(&mut storage, 256, pkt)
            .map_err(|e| format!("{}: {e}", self.name))?;
        let r = self.agent.outbound(now, phy, &mut buf);
        if let OutResult::Send { .. } = r {
            let bytes = buf.bytes().to_vec();
            self.wire(&bytes)?;
        }
        Ok(r)
    }
}

/// The two hosts and the clock.
struct Demo {
    c: Host,
    g: Host,
    start: StdInstant,
    timeout: Duration,
}

impl Demo {
    fn now(&self) -> Instant {
        Instant::from_micros(u64::try_from(self.start.elapsed().as_micros()).unwrap_or(u64::MAX))
    }

    /// One round: timers, outputs, link. Returns how many datagrams moved.
    fn step(&mut self) -> Result<usize, String> {
        let now = self.now();
        self.c.timers(now);
        self.g.timers(now);
        self.c.flush()?;
        self.g.flush()?;
        let n = self.c.receive(now)? + self.g.receive(now)?;
        self.c.flush()?;
        self.g.flush()?;
        Ok(n)
    }

    /// Steps until `done` holds; fails after the timeout with `what`.
    fn until(&mut self, what: &str, mut done: impl FnMut(&mut Demo) -> bool) -> Result<(), String> {
        let t0 = StdInstant::now();
        loop {
            let moved = self.step()?;
            if done(self) {
                return Ok(());
            }
            if t0.elapsed() > self.timeout {
                return Err(format!(
                    "timed out waiting for {what}; client drops {:?}, gateway drops {:?}",
                    self.c.drops, self.g.drops
                ));
            }
            if moved == 0 {
                std::thread::sleep(Duration::from_micros(200));
            }
        }
    }
}

fn udp(src: Ipv4Addr, sp: u16, dst: Ipv4Addr, dp: u16, payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(28 + payload.len());
    let b = PacketBuilder::ipv4(src.octets(), dst.octets(), 64).udp(sp, dp);
    // etherparse writes into a Vec: cannot fail
    let _ = b.write(&mut v, payload);
    v
}

fn echo(src: Ipv4Addr, dst: Ipv4Addr, reply: bool, id: u16, seq: u16, payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(28 + payload.len());
    let b = PacketBuilder::ipv4(src.octets(), dst.octets(), 64);
    let b = if reply {
        b.icmpv4_echo_reply(id, seq)
    } else {
        b.icmpv4_echo_request(id, seq)
    };
    let _ = b.write(&mut v, payload);
    v
}

/// What a delivered packet is, parsed by etherparse (independent of the agent's parser).
enum Seen {
    Udp {
        src: Ipv4Addr,
        dst: Ipv4Addr,
        sp: u16,
        dp: u16,
        payload: Vec<u8>,
    },
    Echo {
        src: Ipv4Addr,
        dst: Ipv4Addr,
        reply: bool,
        id: u16,
        seq: u16,
        payload: Vec<u8>,
    },
}

fn parse(pkt: &[u8]) -> Result<Seen, String> {
    let s = SlicedPacket::from_ip(pkt).map_err(|e| format!("delivered packet: {e}"))?;
    let Some(NetSlice::Ipv4(ip)) = &s.net else {
        return Err("delivered packet is not IPv4".into());
    };
    let (src, dst) = (ip.header().source_addr(), ip.header().destination_addr());
    match &s.transport {
        Some(TransportSlice::Udp(u)) => Ok(Seen::Udp {
            src,
            dst,
            sp: u.source_port(),
            dp: u.destination_port(),
            payload: u.payload().to_vec(),
        }),
        Some(TransportSlice::Icmpv4(i)) => match i.icmp_type() {
            Icmpv4Type::EchoRequest(h) => Ok(Seen::Echo {
                src,
                dst,
                reply: false,
                id: h.id,
                seq: h.seq,
                payload: i.payload().to_vec(),
            }),
            Icmpv4Type::EchoReply(h) => Ok(Seen::Echo {
                src,
                dst,
                reply: true,
                id: h.id,
                seq: h.seq,
                payload: i.payload().to_vec(),
            }),
            t => Err(format!("unexpected ICMP {t:?}")),
        },
        _ => Err("delivered packet is neither UDP nor ICMP".into()),
    }
}

/// The payload of packet `i`: its number and a pattern, so a reply can be checked byte for byte.
fn payload(i: u32, size: usize) -> Vec<u8> {
    let mut p: Vec<u8> = (0..size).map(|k| (k as u32 ^ i) as u8).collect();
    for (d, s) in p.iter_mut().zip(i.to_be_bytes()) {
        *d = s;
    }
    p
}

fn demo(args: &Args) -> Result<(), String> {
    if args.size < 4 || args.size > 1400 {
        return Err("--size must be 4..=1400 (one packet per link datagram, no fragments)".into());
    }
    let mut c = Host::new("client", false, 1, CLIENT_ETH)?;
    let mut g = Host::new("gateway", true, 2, GATEWAY_ETH)?;
    (c.peer, g.peer) = (g.peer, c.peer);
    let _lan = g.agent.add_interface("lan0", &[GATEWAY_LAN], &[], 1500);
    c.load(
        &policy_for(CLIENT_POLICY, args.suite)?,
        "01-psk-gost-client.lsp",
    )?;
    g.load(
        &policy_for(GATEWAY_POLICY, args.gateway_suite.unwrap_or(args.suite))?,
        "04-psk-gost-gateway.lsp",
    )?;
    println!(
        "zubr demo: suite {:?}; link client {} <-> gateway {} over UDP (client eth0 {CLIENT_ETH}, \
         gateway eth0 {GATEWAY_ETH}, LAN host {LAN_HOST})",
        args.suite, g.peer, c.peer
    );
    let mut d = Demo {
        c,
        g,
        start: StdInstant::now(),
        timeout: Duration::from_secs(args.timeout),
    };

    // login: phase 1 and Mode Config give the client its IKECFG address
    let t = StdInstant::now();
    let now = d.now();
    if d.c.agent.connect(now) == 0 {
        return Err("client policy has no IKE peer to connect to".into());
    }
    d.until("Mode Config", |d| d.c.agent.ikecfg_interface().is_some())?;
    let (cfg, got) =
        d.c.agent
            .ikecfg_interface()
            .map(|(p, a)| (p, a.clone()))
            .ok_or("no IKECFG interface")?;
    while let Some(n) = d.c.agent.poll_notice() {
        if let Notice::RequestFailed { peer, .. } = n {
            return Err(format!("SA request to {peer} failed"));
        }
    }
    let me = got.address;
    println!(
        "phase 1 + Mode Config: {} ms; IKECFG address {me}, DNS {:?}, split {:?}",
        t.elapsed().as_millis(),
        got.dns,
        got.split
    );

    // the first packet into the tunnel waits in the SA request queue while Quick Mode runs
    let t = StdInstant::now();
    let first = udp(me, 40000, LAN_HOST, 7, &payload(u32::MAX, args.size));
    match d.c.send(d.now(), cfg, &first)? {
        OutResult::Queued => {}
        r => return Err(format!("first packet: expected Queued, got {r:?}")),
    }
    println!(
        "first packet queued: {} SA request(s), {} packet(s) waiting",
        d.c.agent.requests(),
        d.c.agent.queued()
    );
    d.until("the IPsec SA and the queued packet", |d| {
        d.c.agent.sa_pairs() == 1 && d.g.agent.sa_pairs() == 1 && !d.g.delivered.is_empty()
    })?;
    let (_, pkt) = d.g.delivered.remove(0);
    match parse(&pkt)? {
        Seen::Udp {
            src,
            dst,
            payload: p,
            ..
        } if src == me && dst == LAN_HOST && p == payload(u32::MAX, args.size) => {}
        _ => return Err("the queued packet arrived altered".into()),
    }
    println!(
        "quick mode: {} ms; queued packet released and delivered to {LAN_HOST}",
        t.elapsed().as_millis()
    );

    // the stream: the client sends UDP (every 10th an ICMP echo request); the LAN host answers
    let window = 32u32;
    let (mut sent, mut answered, mut bytes_out, mut bytes_in) = (0u32, 0u32, 0u64, 0u64);
    let (mut udp_n, mut icmp_n) = (0u32, 0u32);
    let t = StdInstant::now();
    while answered < args.packets {
        while sent < args.packets && sent - answered < window {
            let now = d.now();
            let body = payload(sent, args.size);
            let pkt = if sent % 10 == 9 {
                icmp_n += 1;
                echo(me, LAN_HOST, false, 0x5a, sent as u16, &body)
            } else {
                udp_n += 1;
                udp(me, 40000, LAN_HOST, 7, &body)
            };
            match d.c.send(now, cfg, &pkt)? {
                OutResult::Send { .. } => {}
                r => return Err(format!("client packet {sent}: {r:?}")),
            }
            bytes_out += pkt.len() as u64;
            sent += 1;
        }
        let before = answered;
        let gw_eth = d.g.eth;
        let dl = d.timeout;
        let t0 = StdInstant::now();
        loop {
            let moved = d.step()?;
            // the LAN host answers what the gateway delivered
            for (_, pkt) in std::mem::take(&mut d.g.delivered) {
                let reply = match parse(&pkt)? {
                    Seen::Udp {
                        src,
                        dst,
                        sp,
                        dp,
                        payload,
                    } if dst == LAN_HOST => udp(dst, dp, src, sp, &payload),
                    Seen::Echo {
                        src,
                        dst,
                        reply: false,
                        id,
                        seq,
                        payload,
                    } if dst == LAN_HOST => echo(dst, src, true, id, seq, &payload),
                    _ => return Err("gateway delivered a packet not for the LAN host".into()),
                };
                let now = d.now();
                match d.g.send(now, gw_eth, &reply)? {
                    OutResult::Send { .. } => {}
                    r => return Err(format!("gateway answer: {r:?}")),
                }
            }
            // the client checks every answer against what it sent
            for (phy, pkt) in std::mem::take(&mut d.c.delivered) {
                if phy != cfg {
                    return Err("client got an answer outside the IKECFG interface".into());
                }
                let (src, dst, body, n) = match parse(&pkt)? {
                    Seen::Udp {
                        src, dst, payload, ..
                    } => (src, dst, payload, None),
                    Seen::Echo {
                        src,
                        dst,
                        reply: true,
                        seq,
                        payload,
                        ..
                    } => (src, dst, payload, Some(seq)),
                    Seen::Echo { .. } => return Err("client got an echo request".into()),
                };
                let i = body
                    .get(..4)
                    .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
                    .unwrap_or(u32::MAX);
                if src != LAN_HOST
                    || dst != me
                    || i >= sent
                    || body != payload(i, args.size)
                    || n.is_some_and(|s| s != i as u16)
                {
                    return Err(format!("answer {i} is not what was sent"));
                }
                answered += 1;
                bytes_in += pkt.len() as u64;
            }
            if answered == sent {
                break;
            }
            if t0.elapsed() > dl {
                return Err(format!(
                    "{} of {sent} packets unanswered after {}s; client drops {:?}, gateway drops {:?}",
                    sent - answered,
                    dl.as_secs(),
                    d.c.drops,
                    d.g.drops
                ));
            }
            if moved == 0 && answered == before {
                std::thread::sleep(Duration::from_micros(50));
            }
        }
    }
    let secs = t.elapsed().as_secs_f64().max(1e-9);
    let now = d.now();
    let show = mgmt::sa_show(
        &d.c.agent,
        now,
        &SaShow {
            detail: true,
            ..SaShow::default()
        },
    );
    println!("\n# client: zubr sa show -detail\n{show}");
    println!(
        "# gateway: zubr sa show\n{}",
        mgmt::sa_show(&d.g.agent, now, &SaShow::default())
    );
    let (cs, gs) = (d.c.agent.stats(), d.g.agent.stats());
    println!(
        "packets client -> gateway: sent {sent} ({udp_n} UDP, {icmp_n} ICMP echo), delivered {sent}"
    );
    println!("packets gateway -> client: sent {answered}, delivered {answered}");
    println!(
        "client: encapsulated {}, decapsulated {}, dropped {}; gateway: encapsulated {}, decapsulated {}, dropped {}",
        cs.encapsulated, cs.decapsulated, cs.dropped, gs.encapsulated, gs.decapsulated, gs.dropped
    );
    println!(
        "link datagrams: client sent {} rcvd {}, gateway sent {} rcvd {}",
        d.c.sent, d.c.rcvd, d.g.sent, d.g.rcvd
    );
    let total = bytes_out + bytes_in;
    println!(
        "throughput: {:.1} Mbit/s ({} packets, {} bytes of IP both ways in {:.3} s, {:.0} packets/s)",
        total as f64 * 8.0 / secs / 1e6,
        sent + answered,
        total,
        secs,
        f64::from(sent + answered) / secs
    );
    if !d.c.drops.is_empty() || !d.g.drops.is_empty() {
        return Err(format!(
            "drops on the link: client {:?}, gateway {:?}",
            d.c.drops, d.g.drops
        ));
    }
    if cs.encapsulated < u64::from(sent) + 1 || gs.decapsulated < u64::from(sent) + 1 {
        return Err("agent counters disagree with the packets moved".into());
    }
    println!("zubr demo: OK");
    Ok(())
}
