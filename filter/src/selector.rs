//! Rule selectors as the policy writes them (lsp.md §5.5): lists of addresses, address ranges,
//! protocols, ports, ICMP types/codes and packet types, each `None` = any.
//!
//! This module only describes *what* a rule selects and answers "does this packet match" in
//! the most literal way ([`Selector::matches`]); it is the semantics the naive reference
//! evaluator uses. The compiled classifier (`classify`) must agree with it and never calls it
//! on the fast path.

use alloc::vec::Vec;
use core::net::Ipv4Addr;
use core::ops::RangeInclusive;

/// Packet class relative to this host (lsp.md §5.5 `PacketType`), as the engine's bit mask
/// (fw_obj `pkttype` bits 1, 2, 4, 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PacketTypes(pub u8);

impl PacketTypes {
    /// To or from one of our unicast addresses.
    pub const LOCAL_UNICAST: PacketTypes = PacketTypes(1);
    /// Broadcast or multicast.
    pub const LOCAL_BROADCAST: PacketTypes = PacketTypes(2);
    /// Received by us but addressed to someone else's unicast address.
    pub const LOCAL_MISDIRECTED: PacketTypes = PacketTypes(4);
    /// Forwarded through us (gateways only).
    pub const TRANSIT: PacketTypes = PacketTypes(8);
    /// All four classes.
    pub const ALL: PacketTypes = PacketTypes(15);

    /// Union.
    pub const fn union(self, other: PacketTypes) -> PacketTypes {
        PacketTypes(self.0 | other.0)
    }

    /// Whether the two masks share a class.
    pub const fn intersects(self, other: PacketTypes) -> bool {
        self.0 & other.0 != 0
    }

    /// The LSP name of a single class bit.
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            1 => "LOCAL_UNICAST",
            2 => "LOCAL_BROADCAST",
            4 => "LOCAL_MISDIRECTED",
            8 => "TRANSIT",
            _ => return None,
        })
    }

    /// The class for an LSP name.
    pub fn from_name(name: &str) -> Option<PacketTypes> {
        Some(match name {
            "LOCAL_UNICAST" => Self::LOCAL_UNICAST,
            "LOCAL_BROADCAST" => Self::LOCAL_BROADCAST,
            "LOCAL_MISDIRECTED" => Self::LOCAL_MISDIRECTED,
            "TRANSIT" => Self::TRANSIT,
            _ => return None,
        })
    }
}

/// What a rule selects. Every field `None` = any; `Some(list)` = the packet's value must be in
/// one of the list's ranges (a single value is a one-element range). A rule matches when every
/// written selector matches (lsp.md §5.5).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selector {
    /// `SourceIPAddress`.
    pub src: Option<Vec<RangeInclusive<Ipv4Addr>>>,
    /// `DestinationIPAddress`.
    pub dst: Option<Vec<RangeInclusive<Ipv4Addr>>>,
    /// `ProtocolID`.
    pub protocol: Option<Vec<RangeInclusive<u8>>>,
    /// `SourcePort`: only TCP (6) and UDP (17) packets can match a rule that has it.
    pub src_port: Option<Vec<RangeInclusive<u16>>>,
    /// `DestinationPort`: only TCP and UDP packets can match a rule that has it.
    pub dst_port: Option<Vec<RangeInclusive<u16>>>,
    /// `ICMPType`: only ICMP (1) packets can match a rule that has it.
    pub icmp_type: Option<Vec<RangeInclusive<u8>>>,
    /// `ICMPCode`: only ICMP packets can match a rule that has it.
    pub icmp_code: Option<Vec<RangeInclusive<u8>>>,
    /// `PacketType`.
    pub packet_type: Option<PacketTypes>,
}

/// The header fields a selector looks at, extracted from one packet (already swapped for the
/// inbound direction of a symmetric IPsec chain).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fields {
    /// Source address.
    pub src: Ipv4Addr,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// IP protocol.
    pub protocol: u8,
    /// Transport ports (TCP/UDP only); `None` when the protocol has none or they are not known
    /// (non-first fragment).
    pub ports: Option<(u16, u16)>,
    /// ICMP type and code (protocol 1 only); `None` otherwise or when not known.
    pub icmp: Option<(u8, u8)>,
    /// Class of the packet (exactly one bit).
    pub packet_type: PacketTypes,
}

impl Fields {
    /// The same packet seen from the other side: addresses and ports swapped (lsp.md §7.4).
    pub fn swapped(self) -> Fields {
        Fields {
            src: self.dst,
            dst: self.src,
            ports: self.ports.map(|(s, d)| (d, s)),
            ..self
        }
    }
}

fn in_list<T: PartialOrd>(list: &Option<Vec<RangeInclusive<T>>>, v: &T) -> bool {
    match list {
        None => true,
        Some(l) => l.iter().any(|r| r.contains(v)),
    }
}

impl Selector {
    /// Whether the selector names a transport (port) or ICMP field: such a rule cannot be decided
    /// on a non-first fragment.
    pub fn needs_l4(&self) -> bool {
        self.src_port.is_some()
            || self.dst_port.is_some()
            || self.icmp_type.is_some()
            || self.icmp_code.is_some()
    }

    /// Literal match, the reference semantics: every written selector must contain the packet's
    /// value. `f.ports`/`f.icmp` being `None` for a TCP/UDP/ICMP packet means "not known" and is
    /// only passed by callers that already checked [`Selector::needs_l4`]; a rule with port
    /// selectors never matches protocols other than TCP and UDP, and one with ICMP selectors
    /// never matches protocols other than ICMP.
    pub fn matches(&self, f: &Fields) -> bool {
        if !in_list(&self.src, &f.src) || !in_list(&self.dst, &f.dst) {
            return false;
        }
        if !in_list(&self.protocol, &f.protocol) {
            return false;
        }
        if let Some(pt) = self.packet_type
            && !pt.intersects(f.packet_type)
        {
            return false;
        }
        if self.src_port.is_some() || self.dst_port.is_some() {
            if f.protocol != 6 && f.protocol != 17 {
                return false;
            }
            if let Some((sp, dp)) = f.ports
                && (!in_list(&self.src_port, &sp) || !in_list(&self.dst_port, &dp))
            {
                return false;
            }
        }
        if self.icmp_type.is_some() || self.icmp_code.is_some() {
            if f.protocol != 1 {
                return false;
            }
            if let Some((t, c)) = f.icmp
                && (!in_list(&self.icmp_type, &t) || !in_list(&self.icmp_code, &c))
            {
                return false;
            }
        }
        true
    }

    /// The first selector element that rejects `f`, for verdict traces (`None` = it matches).
    pub fn mismatch(&self, f: &Fields) -> Option<Mismatch> {
        if !in_list(&self.src, &f.src) {
            return Some(Mismatch::Source);
        }
        if !in_list(&self.dst, &f.dst) {
            return Some(Mismatch::Destination);
        }
        if !in_list(&self.protocol, &f.protocol) {
            return Some(Mismatch::Protocol);
        }
        if let Some(pt) = self.packet_type
            && !pt.intersects(f.packet_type)
        {
            return Some(Mismatch::PacketType);
        }
        if self.src_port.is_some() || self.dst_port.is_some() {
            if f.protocol != 6 && f.protocol != 17 {
                return Some(Mismatch::PortsOnNonTransport);
            }
            if let Some((sp, dp)) = f.ports {
                if !in_list(&self.src_port, &sp) {
                    return Some(Mismatch::SourcePort);
                }
                if !in_list(&self.dst_port, &dp) {
                    return Some(Mismatch::DestinationPort);
                }
            }
        }
        if self.icmp_type.is_some() || self.icmp_code.is_some() {
            if f.protocol != 1 {
                return Some(Mismatch::IcmpOnNonIcmp);
            }
            if let Some((t, c)) = f.icmp {
                if !in_list(&self.icmp_type, &t) {
                    return Some(Mismatch::IcmpType);
                }
                if !in_list(&self.icmp_code, &c) {
                    return Some(Mismatch::IcmpCode);
                }
            }
        }
        None
    }
}

/// Which selector rejected a packet (verdict traces).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mismatch {
    /// `SourceIPAddress`.
    Source,
    /// `DestinationIPAddress`.
    Destination,
    /// `ProtocolID`.
    Protocol,
    /// `PacketType`.
    PacketType,
    /// The rule has port selectors and the packet is neither TCP nor UDP.
    PortsOnNonTransport,
    /// `SourcePort`.
    SourcePort,
    /// `DestinationPort`.
    DestinationPort,
    /// The rule has ICMP selectors and the packet is not ICMP.
    IcmpOnNonIcmp,
    /// `ICMPType`.
    IcmpType,
    /// `ICMPCode`.
    IcmpCode,
}

impl core::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Mismatch::Source => "source address not selected",
            Mismatch::Destination => "destination address not selected",
            Mismatch::Protocol => "protocol not selected",
            Mismatch::PacketType => "packet type not selected",
            Mismatch::PortsOnNonTransport => "rule selects ports, packet is neither TCP nor UDP",
            Mismatch::SourcePort => "source port not selected",
            Mismatch::DestinationPort => "destination port not selected",
            Mismatch::IcmpOnNonIcmp => "rule selects ICMP type/code, packet is not ICMP",
            Mismatch::IcmpType => "ICMP type not selected",
            Mismatch::IcmpCode => "ICMP code not selected",
        })
    }
}

/// A set of `u32` values as sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct RangeSet(pub(crate) Vec<(u32, u32)>);

impl RangeSet {
    /// From arbitrary ranges (reversed ones are ignored), normalised.
    pub(crate) fn from_iter(it: impl IntoIterator<Item = (u32, u32)>) -> RangeSet {
        let mut v: Vec<(u32, u32)> = it.into_iter().filter(|(a, b)| a <= b).collect();
        v.sort_unstable();
        let mut out: Vec<(u32, u32)> = Vec::with_capacity(v.len());
        for (a, b) in v {
            match out.last_mut() {
                Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
                _ => out.push((a, b)),
            }
        }
        RangeSet(out)
    }

    /// The whole domain `0..=max`.
    pub(crate) fn full(max: u32) -> RangeSet {
        RangeSet(alloc::vec![(0, max)])
    }

    /// Number of values covered, as `u64`.
    pub(crate) fn size(&self) -> u64 {
        self.0
            .iter()
            .map(|&(a, b)| u64::from(b) - u64::from(a) + 1)
            .sum()
    }

    #[cfg(test)]
    pub(crate) fn contains(&self, v: u32) -> bool {
        let i = self.0.partition_point(|&(a, _)| a <= v);
        i > 0 && self.0.get(i - 1).is_some_and(|&(_, b)| v <= b)
    }

    pub(crate) fn intersect(&self, other: &RangeSet) -> RangeSet {
        let mut out = Vec::new();
        let (mut i, mut j) = (0, 0);
        while let (Some(&(a1, b1)), Some(&(a2, b2))) = (self.0.get(i), other.0.get(j)) {
            let lo = a1.max(a2);
            let hi = b1.min(b2);
            if lo <= hi {
                out.push((lo, hi));
            }
            if b1 < b2 {
                i += 1;
            } else {
                j += 1;
            }
        }
        RangeSet(out)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn range_set_normalises() {
        let s = RangeSet::from_iter([(5, 9), (1, 3), (4, 4), (20, 30), (25, 26), (9, 1)]);
        assert_eq!(s.0, vec![(1, 9), (20, 30)]);
        assert_eq!(s.size(), 9 + 11);
        assert!(s.contains(1) && s.contains(9) && s.contains(25));
        assert!(!s.contains(0) && !s.contains(10) && !s.contains(31));
        let t = RangeSet::from_iter([(8, 21)]);
        assert_eq!(s.intersect(&t).0, vec![(8, 9), (20, 21)]);
        assert_eq!(RangeSet::full(u32::MAX).size(), 1u64 << 32);
    }

    fn f(proto: u8, ports: Option<(u16, u16)>, icmp: Option<(u8, u8)>) -> Fields {
        Fields {
            src: Ipv4Addr::new(10, 0, 0, 1),
            dst: Ipv4Addr::new(10, 0, 0, 2),
            protocol: proto,
            ports,
            icmp,
            packet_type: PacketTypes::LOCAL_UNICAST,
        }
    }

    #[test]
    fn port_and_icmp_selectors_restrict_protocol() {
        let s = Selector {
            dst_port: Some(vec![80..=80]),
            ..Default::default()
        };
        assert!(s.matches(&f(6, Some((1000, 80)), None)));
        assert!(s.matches(&f(17, Some((1000, 80)), None)));
        assert!(!s.matches(&f(6, Some((1000, 81)), None)));
        assert!(!s.matches(&f(50, None, None)));
        assert_eq!(
            s.mismatch(&f(50, None, None)),
            Some(Mismatch::PortsOnNonTransport)
        );
        let i = Selector {
            icmp_type: Some(vec![8..=8]),
            ..Default::default()
        };
        assert!(i.matches(&f(1, None, Some((8, 0)))));
        assert!(!i.matches(&f(1, None, Some((0, 0)))));
        assert!(!i.matches(&f(6, Some((1, 2)), None)));
        let pt = Selector {
            packet_type: Some(PacketTypes::TRANSIT.union(PacketTypes::LOCAL_MISDIRECTED)),
            ..Default::default()
        };
        assert!(!pt.matches(&f(6, Some((1, 2)), None)));
        let mut tr = f(6, Some((1, 2)), None);
        tr.packet_type = PacketTypes::TRANSIT;
        assert!(pt.matches(&tr));
    }

    #[test]
    fn swapping() {
        let x = f(6, Some((1, 2)), None).swapped();
        assert_eq!(x.src, Ipv4Addr::new(10, 0, 0, 2));
        assert_eq!(x.ports, Some((2, 1)));
    }
}
