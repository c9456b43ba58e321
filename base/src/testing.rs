//! Sample packets for the tests of the crates that process IP packets (ESP, AH): IPv4 UDP, TCP
//! and ICMP packets and an IPv6/UDP packet with deterministic contents, the two tunnel
//! endpoints they use, and deterministic key material. Behind the `testing` feature; never
//! used by library code.

use alloc::vec;
use alloc::vec::Vec;
use core::net::Ipv4Addr;

use crate::ip::{self, Ipv4Fields};
use crate::sa::Tunnel;

/// Left tunnel endpoint.
pub const LEFT: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 1);
/// Right tunnel endpoint.
pub const RIGHT: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 9);
/// The tunnel LEFT → RIGHT.
pub const TUNNEL: Tunnel = Tunnel {
    src: LEFT,
    dst: RIGHT,
};

/// Deterministic key material of `len` bytes.
pub fn key(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

fn v4(protocol: u8, payload: &[u8], src: Ipv4Addr, dst: Ipv4Addr, tos: u8, ttl: u8) -> Vec<u8> {
    let mut p = vec![0u8; 20 + payload.len()];
    ip::write_header(
        &mut p,
        &Ipv4Fields {
            tos,
            total_len: (20 + payload.len()) as u16,
            id: 0x1234,
            df: true,
            ttl,
            protocol,
            src,
            dst,
        },
    );
    p[20..].copy_from_slice(payload);
    p
}

/// An IPv4/UDP packet with `len` bytes of payload (checksum 0 = none, valid for IPv4).
pub fn udp(len: usize, seed: u8) -> Vec<u8> {
    let mut u = vec![0u8; 8 + len];
    u[0..2].copy_from_slice(&1234u16.to_be_bytes());
    u[2..4].copy_from_slice(&53u16.to_be_bytes());
    u[4..6].copy_from_slice(&((8 + len) as u16).to_be_bytes());
    for (i, b) in u[8..].iter_mut().enumerate() {
        *b = (i as u8) ^ seed;
    }
    v4(
        ip::PROTO_UDP,
        &u,
        Ipv4Addr::new(10, 1, 0, 5),
        Ipv4Addr::new(10, 2, 0, 7),
        0,
        64,
    )
}

/// An IPv4/TCP packet with `len` bytes of payload.
pub fn tcp(len: usize, seed: u8) -> Vec<u8> {
    let mut t = vec![0u8; 20 + len];
    t[0..2].copy_from_slice(&40000u16.to_be_bytes());
    t[2..4].copy_from_slice(&80u16.to_be_bytes());
    t[12] = 5 << 4;
    t[13] = 0x18;
    for (i, b) in t[20..].iter_mut().enumerate() {
        *b = (i as u8).wrapping_add(seed);
    }
    v4(
        ip::PROTO_TCP,
        &t,
        Ipv4Addr::new(10, 1, 0, 5),
        Ipv4Addr::new(10, 2, 0, 7),
        0x10,
        64,
    )
}

/// An IPv4 packet of an arbitrary protocol (ICMP) with `len` payload bytes and the given TOS
/// and TTL.
pub fn icmp(len: usize, tos: u8, ttl: u8) -> Vec<u8> {
    let mut m = vec![0u8; 8 + len];
    m[0] = 8;
    v4(
        ip::PROTO_ICMP,
        &m,
        Ipv4Addr::new(10, 1, 0, 5),
        Ipv4Addr::new(10, 2, 0, 7),
        tos,
        ttl,
    )
}

/// An IPv6/UDP packet (tunnel-mode payload).
pub fn ipv6(len: usize) -> Vec<u8> {
    let mut p = vec![0u8; 40 + 8 + len];
    p[0] = 0x60;
    p[1] = 0x10; // ECN ECT(1)... traffic class low bits
    p[4..6].copy_from_slice(&((8 + len) as u16).to_be_bytes());
    p[6] = ip::PROTO_UDP;
    p[7] = 64;
    p[8] = 0xfd;
    p[24] = 0xfd;
    p[39] = 1;
    p[44..46].copy_from_slice(&((8 + len) as u16).to_be_bytes());
    p
}
