//! IPv4 packet parsing for the filter: the header fields selectors and the tracker need, with
//! `etherparse` reading the headers. Malformed input gives a typed reason — `corrupted IP
//! header` or `corrupted protocol headers` — never a panic.
//!
//! Checksums are not verified (hosts offload them; a wrong checksum is the receiving stack's
//! business), every length field is.

use core::net::Ipv4Addr;

use etherparse::{Ipv4HeaderSlice, TcpHeaderSlice, TcpOptionElement, UdpHeaderSlice};
use zubr_base::DropReason;

use crate::conntrack::Segment;

/// Transport fields of a parsed packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// TCP.
    Tcp {
        /// Source port.
        sport: u16,
        /// Destination port.
        dport: u16,
        /// Sequence number.
        seq: u32,
        /// Acknowledgement number.
        ack: u32,
        /// Flags.
        flags: u8,
        /// Window.
        window: u16,
        /// Window-scale option.
        wscale: Option<u8>,
        /// Offset of the payload in the packet.
        payload_at: u16,
    },
    /// UDP.
    Udp {
        /// Source port.
        sport: u16,
        /// Destination port.
        dport: u16,
    },
    /// ICMP.
    Icmp {
        /// Type.
        kind: u8,
        /// Code.
        code: u8,
    },
    /// Another protocol, or a non-first fragment (transport not visible).
    Other,
}

/// A parsed IPv4 packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parsed {
    /// Source address.
    pub src: Ipv4Addr,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// Protocol.
    pub protocol: u8,
    /// Total length from the header.
    pub total_len: u16,
    /// Header length.
    pub header_len: u16,
    /// Identification.
    pub ident: u16,
    /// Fragment offset in bytes.
    pub frag_offset: u16,
    /// More-fragments flag.
    pub more_fragments: bool,
    /// Transport fields (first fragment or unfragmented only).
    pub transport: Transport,
}

impl Parsed {
    /// Whether the packet is a fragment (offset ≠ 0 or MF set).
    pub fn is_fragment(&self) -> bool {
        self.frag_offset != 0 || self.more_fragments
    }

    /// Ports, for TCP and UDP.
    pub fn ports(&self) -> Option<(u16, u16)> {
        match self.transport {
            Transport::Tcp { sport, dport, .. } | Transport::Udp { sport, dport } => {
                Some((sport, dport))
            }
            _ => None,
        }
    }

    /// ICMP type and code.
    pub fn icmp(&self) -> Option<(u8, u8)> {
        match self.transport {
            Transport::Icmp { kind, code } => Some((kind, code)),
            _ => None,
        }
    }

    /// The tracker's view of a TCP packet.
    pub fn segment(&self) -> Option<Segment> {
        match self.transport {
            Transport::Tcp {
                sport,
                dport,
                seq,
                ack,
                flags,
                window,
                wscale,
                payload_at,
            } => Some(Segment {
                src: self.src,
                dst: self.dst,
                sport,
                dport,
                seq,
                ack,
                flags,
                window,
                payload_len: u32::from(self.total_len.saturating_sub(payload_at)),
                wscale,
            }),
            _ => None,
        }
    }

    /// TCP payload bytes of `pkt`.
    pub fn tcp_payload<'a>(&self, pkt: &'a [u8]) -> &'a [u8] {
        match self.transport {
            Transport::Tcp { payload_at, .. } => pkt
                .get(usize::from(payload_at)..usize::from(self.total_len))
                .unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// Parses the IPv4 header only.
pub fn parse_ip(pkt: &[u8]) -> Result<Parsed, DropReason> {
    let ip = Ipv4HeaderSlice::from_slice(pkt).map_err(|_| DropReason::CorruptedIpHeader)?;
    let total_len = ip.total_len();
    let header_len = u16::from(ip.ihl()) * 4;
    if total_len < header_len || usize::from(total_len) > pkt.len() {
        return Err(DropReason::CorruptedIpHeader);
    }
    let frag_offset = ip.fragments_offset().value() * 8;
    if u32::from(frag_offset) + u32::from(total_len - header_len) > 65_535 {
        return Err(DropReason::CorruptedIpHeader);
    }
    Ok(Parsed {
        src: ip.source_addr(),
        dst: ip.destination_addr(),
        protocol: ip.protocol().0,
        total_len,
        header_len,
        ident: ip.identification(),
        frag_offset,
        more_fragments: ip.more_fragments(),
        transport: Transport::Other,
    })
}

/// Parses the IPv4 header and, for unfragmented packets and first fragments, the TCP/UDP/ICMP
/// header. A first fragment too short to hold its transport header is `corrupted protocol
/// headers`, like a truncated unfragmented packet.
pub fn parse(pkt: &[u8]) -> Result<Parsed, DropReason> {
    let mut p = parse_ip(pkt)?;
    if p.frag_offset != 0 {
        return Ok(p);
    }
    let body = pkt
        .get(usize::from(p.header_len)..usize::from(p.total_len))
        .ok_or(DropReason::CorruptedIpHeader)?;
    let bad = DropReason::CorruptedProtocolHeaders;
    p.transport = match p.protocol {
        6 => {
            let t = TcpHeaderSlice::from_slice(body).map_err(|_| bad)?;
            let mut wscale = None;
            for o in t.options_iterator() {
                match o {
                    Ok(TcpOptionElement::WindowScale(w)) => wscale = Some(w),
                    Ok(_) => {}
                    Err(_) => return Err(bad),
                }
            }
            let raw = t.slice();
            let flags = raw.get(13).copied().unwrap_or(0) & 0x3f;
            Transport::Tcp {
                sport: t.source_port(),
                dport: t.destination_port(),
                seq: t.sequence_number(),
                ack: t.acknowledgment_number(),
                flags,
                window: t.window_size(),
                wscale,
                payload_at: p.header_len + u16::from(t.data_offset()) * 4,
            }
        }
        17 => {
            let u = UdpHeaderSlice::from_slice(body).map_err(|_| bad)?;
            if !p.more_fragments
                && (usize::from(u.length()) < 8 || usize::from(u.length()) > body.len())
            {
                return Err(bad);
            }
            Transport::Udp {
                sport: u.source_port(),
                dport: u.destination_port(),
            }
        }
        1 => match body {
            [kind, code, _, _, ..] => Transport::Icmp {
                kind: *kind,
                code: *code,
            },
            _ => return Err(bad),
        },
        _ => Transport::Other,
    };
    Ok(p)
}

#[cfg(test)]
pub(crate) mod build {
    //! Test packet builders (etherparse's writer).
    use alloc::vec::Vec;
    use etherparse::PacketBuilder;

    pub fn tcp(src: [u8; 4], dst: [u8; 4], sp: u16, dp: u16, flags: u8, payload: &[u8]) -> Vec<u8> {
        let b = PacketBuilder::ipv4(src, dst, 64).tcp(sp, dp, 1000, 65535);
        let b = if flags & 0x02 != 0 { b.syn() } else { b };
        let b = if flags & 0x10 != 0 { b.ack(1) } else { b };
        let b = if flags & 0x01 != 0 { b.fin() } else { b };
        let b = if flags & 0x04 != 0 { b.rst() } else { b };
        let mut out = Vec::with_capacity(b.size(payload.len()));
        b.write(&mut out, payload).expect("write");
        out
    }

    pub fn udp(src: [u8; 4], dst: [u8; 4], sp: u16, dp: u16, payload: &[u8]) -> Vec<u8> {
        let b = PacketBuilder::ipv4(src, dst, 64).udp(sp, dp);
        let mut out = Vec::with_capacity(b.size(payload.len()));
        b.write(&mut out, payload).expect("write");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        let p = build::tcp([10, 0, 0, 1], [10, 0, 0, 2], 40000, 22, 0x02, b"");
        let x = parse(&p).unwrap();
        assert_eq!(x.ports(), Some((40000, 22)));
        assert_eq!(x.segment().unwrap().flags, 0x02);
        assert!(!x.is_fragment());
        let u = build::udp([10, 0, 0, 1], [10, 0, 0, 2], 68, 67, b"hello");
        assert_eq!(parse(&u).unwrap().ports(), Some((68, 67)));
        // truncated IP header / total length beyond the buffer
        assert_eq!(parse(&p[..10]), Err(DropReason::CorruptedIpHeader));
        assert_eq!(parse(&p[..p.len() - 1]), Err(DropReason::CorruptedIpHeader));
        let mut v6 = p.clone();
        v6[0] = 0x65;
        assert_eq!(parse(&v6), Err(DropReason::CorruptedIpHeader));
        // TCP header cut: total length says 30 bytes
        let mut short = p.clone();
        short[2] = 0;
        short[3] = 30;
        assert_eq!(
            parse(&short[..30]),
            Err(DropReason::CorruptedProtocolHeaders)
        );
        // bad TCP data offset
        let mut off = p.clone();
        off[20 + 12] = 0x20;
        assert_eq!(parse(&off), Err(DropReason::CorruptedProtocolHeaders));
        // UDP length larger than the datagram
        let mut ul = u.clone();
        ul[20 + 4] = 0xff;
        assert_eq!(parse(&ul), Err(DropReason::CorruptedProtocolHeaders));
        // ICMP shorter than 4 bytes
        let mut icmp = u.clone();
        icmp[9] = 1;
        icmp[2] = 0;
        icmp[3] = 22;
        assert_eq!(
            parse(&icmp[..22]),
            Err(DropReason::CorruptedProtocolHeaders)
        );
        // a non-first fragment has no transport header to read
        let mut frag = u.clone();
        frag[6] = 0x00;
        frag[7] = 0x01;
        let f = parse(&frag).unwrap();
        assert!(f.is_fragment());
        assert_eq!(f.transport, Transport::Other);
    }
}
