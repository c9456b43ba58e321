//! Small IPv4/UDP/ICMP helpers the agent and its hosts share: building the IPv4/UDP packet of
//! an IKE datagram (hosts that carry whole IP packets), taking the UDP payload out of a wire
//! packet (hosts that send through UDP sockets), ICMP "fragmentation needed", and the packet
//! description the event log prints.
//!
//! Headers are written with `zubr_base::ip`; nothing here allocates except where a new packet is
//! returned.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::net::{IpAddr, Ipv4Addr, SocketAddr};

use zubr_base::{Direction, ip};
use zubr_filter::event::{Endpoints, IfRef, PacketDesc};

/// The IPv4/UDP packet carrying `payload` from `src` to `dst` (UDP checksum computed).
pub fn udp_packet(src: SocketAddr, dst: SocketAddr, payload: &[u8]) -> Option<Vec<u8>> {
    let (IpAddr::V4(s), IpAddr::V4(d)) = (src.ip(), dst.ip()) else {
        return None;
    };
    let total = 28 + payload.len();
    let total16 = u16::try_from(total).ok()?;
    let mut p = alloc::vec![0u8; total];
    ip::write_header(
        &mut p,
        &ip::Ipv4Fields {
            tos: 0,
            total_len: total16,
            id: 0,
            df: false,
            ttl: 64,
            protocol: ip::PROTO_UDP,
            src: s,
            dst: d,
        },
    );
    p[20..22].copy_from_slice(&src.port().to_be_bytes());
    p[22..24].copy_from_slice(&dst.port().to_be_bytes());
    p[24..26].copy_from_slice(&(total16 - 20).to_be_bytes());
    p[28..].copy_from_slice(payload);
    let len = (total16 - 20).to_be_bytes();
    let c = ip::checksum(&[
        &s.octets(),
        &d.octets(),
        &[0, ip::PROTO_UDP],
        &len,
        &p[20..],
    ]);
    p[26..28].copy_from_slice(&(if c == 0 { 0xffff } else { c }).to_be_bytes());
    Some(p)
}

/// A UDP datagram inside an IPv4 packet: `(source, destination, payload)`.
pub fn udp_parts(pkt: &[u8]) -> Option<(SocketAddr, SocketAddr, &[u8])> {
    let h = ip::parse(pkt, false).ok()?;
    if h.protocol != ip::PROTO_UDP || h.fragment {
        return None;
    }
    let u = pkt.get(h.header_len..h.total_len)?;
    let (sp, dp) = ip::ports(u, 0)?;
    let ulen = usize::from(u16::from_be_bytes([*u.get(4)?, *u.get(5)?]));
    let body = u.get(8..ulen.min(u.len()).max(8))?;
    Some((
        SocketAddr::new(IpAddr::V4(h.src), sp),
        SocketAddr::new(IpAddr::V4(h.dst), dp),
        body,
    ))
}

/// ICMP destination unreachable / fragmentation needed (type 3 code 4, RFC 1191) from `from`
/// about `orig`, announcing `mtu`.
pub fn icmp_frag_needed(from: Ipv4Addr, orig: &[u8], mtu: u16) -> Option<Vec<u8>> {
    let h = ip::parse(orig, false).ok()?;
    let quote = orig.get(..(h.header_len + 8).min(orig.len()))?;
    let total = 20 + 8 + quote.len();
    let mut p = alloc::vec![0u8; total];
    ip::write_header(
        &mut p,
        &ip::Ipv4Fields {
            tos: 0,
            total_len: total as u16,
            id: 0,
            df: false,
            ttl: 64,
            protocol: ip::PROTO_ICMP,
            src: from,
            dst: h.src,
        },
    );
    p[20] = 3;
    p[21] = 4;
    p[26..28].copy_from_slice(&mtu.to_be_bytes());
    p[28..].copy_from_slice(quote);
    let c = ip::checksum(&[&p[20..]]);
    p[22..24].copy_from_slice(&c.to_be_bytes());
    Some(p)
}

/// What the event log prints about a packet (`A:P->B:Q, proto N, len L, if X`).
pub fn describe(dir: Direction, iface: &Arc<str>, pkt: &[u8]) -> PacketDesc {
    let b = |i: usize| pkt.get(i).copied().unwrap_or(0);
    let (src, dst, proto, len, ports) = match ip::parse(pkt, false) {
        Ok(h) => {
            let ports = match h.protocol {
                ip::PROTO_TCP | ip::PROTO_UDP if !h.fragment => ip::ports(pkt, h.header_len),
                _ => None,
            };
            (h.src, h.dst, h.protocol, h.total_len as u32, ports)
        }
        Err(_) => (
            Ipv4Addr::new(b(12), b(13), b(14), b(15)),
            Ipv4Addr::new(b(16), b(17), b(18), b(19)),
            b(9),
            pkt.len() as u32,
            None,
        ),
    };
    PacketDesc {
        dir,
        ep: Endpoints { src, dst, ports },
        protocol: proto,
        len,
        iface: IfRef::Name(iface.clone()),
    }
}

/// The 5-tuple of a packet for selector matching: `(src, dst, protocol, (sport, dport))`,
/// ports 0 when absent.
pub fn five_tuple(pkt: &[u8]) -> Option<(Ipv4Addr, Ipv4Addr, u8, (u16, u16))> {
    let h = ip::parse(pkt, false).ok()?;
    let ports = match h.protocol {
        ip::PROTO_TCP | ip::PROTO_UDP if !h.fragment => {
            ip::ports(pkt, h.header_len).unwrap_or((0, 0))
        }
        _ => (0, 0),
    };
    Some((h.src, h.dst, h.protocol, ports))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn udp_round_trip() {
        let a: SocketAddr = "192.0.2.50:500".parse().unwrap();
        let b: SocketAddr = "203.0.113.1:4500".parse().unwrap();
        let p = udp_packet(a, b, b"hello").unwrap();
        let parsed = etherparse::SlicedPacket::from_ip(&p).unwrap();
        match parsed.transport {
            Some(etherparse::TransportSlice::Udp(u)) => {
                assert_eq!(u.source_port(), 500);
                assert_eq!(u.destination_port(), 4500);
                assert_eq!(
                    u.to_header()
                        .calc_checksum_ipv4_raw([192, 0, 2, 50], [203, 0, 113, 1], b"hello")
                        .unwrap(),
                    u.checksum()
                );
            }
            other => panic!("{other:?}"),
        }
        let (s, d, body) = udp_parts(&p).unwrap();
        assert_eq!((s, d, body), (a, b, &b"hello"[..]));
    }

    #[test]
    fn frag_needed() {
        let orig = udp_packet(
            "10.0.0.1:1".parse().unwrap(),
            "10.0.0.2:2".parse().unwrap(),
            &[0; 100],
        )
        .unwrap();
        let icmp = icmp_frag_needed(Ipv4Addr::new(10, 0, 0, 9), &orig, 1400).unwrap();
        let h = ip::parse(&icmp, true).unwrap();
        assert_eq!(h.dst, Ipv4Addr::new(10, 0, 0, 1));
        assert_eq!(&icmp[20..22], &[3, 4]);
        assert_eq!(ip::checksum(&[&icmp[20..]]), 0);
        assert_eq!(u16::from_be_bytes([icmp[26], icmp[27]]), 1400);
    }
}
