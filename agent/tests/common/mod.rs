//! Shared helpers of the agent tests: the example policies, packet builders (etherparse, an
//! independent implementation of the headers) and a perfect network between two agents that
//! carries whole IPv4 packets.
#![allow(dead_code)]

use std::net::Ipv4Addr;

use etherparse::{IpNumber, PacketBuilder};
use zubr_agent::*;
use zubr_base::{Instant, PacketBuf};
use zubr_crypto_stb::SOFTWARE;

pub fn example(n: &str) -> Vec<u8> {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/spec/lsp-examples"
    );
    let entry = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!("{n}-"))
        })
        .unwrap_or_else(|| panic!("example {n} not found in {dir}"));
    std::fs::read(entry).unwrap()
}

pub fn ip(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

pub const SYN: u8 = 0x02;
pub const ACK: u8 = 0x10;

#[allow(clippy::too_many_arguments)]
pub fn tcp(
    src: &str,
    sp: u16,
    dst: &str,
    dp: u16,
    flags: u8,
    seq: u32,
    ack: u32,
    payload: &[u8],
) -> Vec<u8> {
    let b = PacketBuilder::ipv4(ip(src).octets(), ip(dst).octets(), 64).tcp(sp, dp, seq, 65535);
    let b = if flags & SYN != 0 { b.syn() } else { b };
    let b = if flags & ACK != 0 { b.ack(ack) } else { b };
    let b = if flags & 0x08 != 0 { b.psh() } else { b };
    let mut v = Vec::new();
    b.write(&mut v, payload).unwrap();
    v
}

pub fn udp(src: &str, sp: u16, dst: &str, dp: u16) -> Vec<u8> {
    udp_payload(src, sp, dst, dp, b"payload")
}

pub fn udp_payload(src: &str, sp: u16, dst: &str, dp: u16, payload: &[u8]) -> Vec<u8> {
    let b = PacketBuilder::ipv4(ip(src).octets(), ip(dst).octets(), 64).udp(sp, dp);
    let mut v = Vec::new();
    b.write(&mut v, payload).unwrap();
    v
}

pub fn raw(src: &str, dst: &str, proto: u8, payload: &[u8]) -> Vec<u8> {
    let b = PacketBuilder::ipv4(ip(src).octets(), ip(dst).octets(), 64);
    let mut v = Vec::new();
    b.write(&mut v, IpNumber(proto), payload).unwrap();
    v
}

pub fn icmp_echo(src: &str, dst: &str, seq: u16) -> Vec<u8> {
    let b = PacketBuilder::ipv4(ip(src).octets(), ip(dst).octets(), 64).icmpv4_echo_request(1, seq);
    let mut v = Vec::new();
    b.write(&mut v, b"ping").unwrap();
    v
}

pub fn agent(seed: u8, gateway: bool) -> Agent {
    Agent::new(
        SOFTWARE,
        AgentSettings {
            gateway,
            event_mask: zubr_filter::event::EventMask::ALL,
            ..AgentSettings::default()
        },
        &[seed; 32],
    )
    .unwrap()
}

pub fn load(a: &mut Agent, text: &[u8], name: &str) {
    a.load_policy_text(
        Instant::from_secs(1),
        text,
        PolicySource {
            source: "test".into(),
            info: name.into(),
        },
        &LiteralKeys,
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"));
}

/// Runs `pkt` through `outbound`; returns the result and the buffer content.
pub fn out(a: &mut Agent, now: Instant, phy: PhyId, pkt: &[u8]) -> (OutResult, Vec<u8>) {
    let mut storage = vec![0u8; pkt.len() + 512];
    let mut buf = PacketBuf::copy_from(&mut storage, 256, pkt).unwrap();
    let r = a.outbound(now, phy, &mut buf);
    (r, buf.bytes().to_vec())
}

/// Runs `pkt` through `inbound`; returns the result and the buffer content.
pub fn inb(a: &mut Agent, now: Instant, phy: PhyId, pkt: &[u8]) -> (InResult, Vec<u8>) {
    let mut storage = vec![0u8; pkt.len() + 512];
    let mut buf = PacketBuf::copy_from(&mut storage, 256, pkt).unwrap();
    let r = a.inbound(now, phy, &mut buf);
    (r, buf.bytes().to_vec())
}

pub fn events(a: &mut Agent) -> Vec<String> {
    std::iter::from_fn(|| a.events().pop())
        .map(|e| e.to_string())
        .collect()
}

/// One side of the simulated wire.
pub struct Side {
    pub agent: Agent,
    pub eth: PhyId,
    /// Packets delivered to the host, with the interface.
    pub delivered: Vec<(PhyId, Vec<u8>)>,
}

/// A perfect network between two agents: every wire packet one sends is the other's input.
pub struct Net {
    pub a: Side,
    pub b: Side,
}

impl Net {
    /// Moves everything in flight until both sides are quiet. Returns how many packets moved.
    pub fn pump(&mut self, now: Instant) -> usize {
        let mut moved = 0;
        for _ in 0..64 {
            let mut any = false;
            for dir in 0..2 {
                let (from, to) = if dir == 0 {
                    (&mut self.a, &mut self.b)
                } else {
                    (&mut self.b, &mut self.a)
                };
                let mut wire: Vec<Vec<u8>> = Vec::new();
                while let Some(t) = from.agent.poll_transmit() {
                    wire.push(wire::udp_packet(t.local, t.remote, &t.payload).unwrap());
                }
                while let Some(o) = from.agent.poll_output() {
                    match o {
                        Output::Send { packet, .. } => wire.push(packet),
                        Output::Deliver { phy, packet } => from.delivered.push((phy, packet)),
                    }
                }
                for p in wire {
                    any = true;
                    moved += 1;
                    let (r, bytes) = inb(&mut to.agent, now, to.eth, &p);
                    if let InResult::Deliver { phy } = r {
                        to.delivered.push((phy, bytes));
                    }
                }
            }
            if !any {
                break;
            }
        }
        moved
    }

    /// Sends `pkt` from side a (`from_b` = from side b) on `phy` and puts what leaves on the wire.
    pub fn send(&mut self, now: Instant, from_b: bool, phy: PhyId, pkt: &[u8]) -> OutResult {
        let (from, to) = if from_b {
            (&mut self.b, &mut self.a)
        } else {
            (&mut self.a, &mut self.b)
        };
        let (r, bytes) = out(&mut from.agent, now, phy, pkt);
        if let OutResult::Send { .. } = r {
            let (ri, inner) = inb(&mut to.agent, now, to.eth, &bytes);
            if let InResult::Deliver { phy } = ri {
                to.delivered.push((phy, inner));
            }
        }
        r
    }
}
