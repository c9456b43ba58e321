//! What ESP and AH security associations have in common: parameters (mode, tunnel endpoints,
//! DF handling, replay window, lifetimes, selectors), the outbound sequence counter, per-SA
//! counters, the `sa_mgr show` listing, and the two traits — [`InboundSa`] and [`OutboundSa`] —
//! through which the SA database ([`crate::sadb`]) drives either protocol.
//!
//! Also the few wire facts the dispatcher needs before it knows the SA: where the SPI sits in
//! an ESP, AH or ESP-in-UDP packet ([`classify`], RFC 4303 §2, RFC 4302 §2, RFC 3948 §2).
//! Protocol processing itself lives in `zubr-esp` and `zubr-ah`; nothing here does crypto.

use core::fmt;
use core::net::Ipv4Addr;

use crate::buf::PacketBuf;
use crate::ip;
use crate::lifetime::{Lifetime, LifetimeEvent, Remaining};
use crate::{Direction, DropReason, Instant, IpsecError};

/// The IPsec protocol of an SA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IpsecProtocol {
    /// ESP (IP protocol 50).
    Esp,
    /// AH (IP protocol 51).
    Ah,
}

impl IpsecProtocol {
    /// The IP protocol number.
    pub const fn number(self) -> u8 {
        match self {
            IpsecProtocol::Esp => ip::PROTO_ESP,
            IpsecProtocol::Ah => ip::PROTO_AH,
        }
    }
}

/// Encapsulation mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A new outer IP header; the whole packet is protected.
    Tunnel,
    /// The original IP header stays; its payload is protected.
    Transport,
}

/// How the outer header's DF bit is set in tunnel mode (RFC 4301 §8.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DfMode {
    /// Copy the inner header's DF (IPv6 inner packets count as DF set).
    #[default]
    Copy,
    /// Always set DF.
    Set,
    /// Always clear DF.
    Clear,
}

/// Addresses of the outer header of the SA's packets: for an outbound SA what is written, for
/// an inbound SA what is expected (source checked in tunnel mode → code 18; destination used
/// for the SA lookup).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tunnel {
    /// Outer source.
    pub src: Ipv4Addr,
    /// Outer destination.
    pub dst: Ipv4Addr,
}

/// An address prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prefix {
    /// Network address.
    pub addr: Ipv4Addr,
    /// Prefix length 0..=32.
    pub len: u8,
}

impl Prefix {
    /// Any address.
    pub const ANY: Prefix = Prefix {
        addr: Ipv4Addr::UNSPECIFIED,
        len: 0,
    };

    /// Whether `a` is inside the prefix.
    pub fn contains(&self, a: Ipv4Addr) -> bool {
        let len = u32::from(self.len.min(32));
        let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
        u32::from(a) & mask == u32::from(self.addr) & mask
    }
}

/// Traffic selectors of an SA (RFC 4301 §4.4.2): the cleartext packets it may carry. Checked on
/// the decapsulated packet ("SA N: decapsulated packet's IP header doesn't match the SA").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selector {
    /// Source addresses.
    pub src: Prefix,
    /// Destination addresses.
    pub dst: Prefix,
    /// IP protocol, `None` = any.
    pub protocol: Option<u8>,
    /// Source port range (TCP/UDP), inclusive.
    pub src_ports: (u16, u16),
    /// Destination port range (TCP/UDP), inclusive.
    pub dst_ports: (u16, u16),
}

impl Selector {
    /// Matches every packet.
    pub const ANY: Selector = Selector {
        src: Prefix::ANY,
        dst: Prefix::ANY,
        protocol: None,
        src_ports: (0, u16::MAX),
        dst_ports: (0, u16::MAX),
    };

    /// Whether the IPv4 packet `pkt` matches. IPv6 packets match only a selector with no
    /// address, protocol or port restriction (IPv4 selectors only, for now).
    pub fn matches(&self, pkt: &[u8]) -> bool {
        let Ok(h) = ip::parse(pkt, false) else {
            return *self == Selector::ANY;
        };
        if !self.src.contains(h.src) || !self.dst.contains(h.dst) {
            return false;
        }
        if self.protocol.is_some_and(|p| p != h.protocol) {
            return false;
        }
        let any_ports = self.src_ports == (0, u16::MAX) && self.dst_ports == (0, u16::MAX);
        if any_ports {
            return true;
        }
        if !matches!(h.protocol, ip::PROTO_TCP | ip::PROTO_UDP) || h.fragment {
            return false;
        }
        let Some((sp, dp)) = ip::ports(pkt, h.header_len) else {
            return false;
        };
        (self.src_ports.0..=self.src_ports.1).contains(&sp)
            && (self.dst_ports.0..=self.dst_ports.1).contains(&dp)
    }
}

/// Parameters every ESP or AH SA has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaParams {
    /// Security Parameters Index.
    pub spi: u32,
    /// Tunnel or transport.
    pub mode: Mode,
    /// Outer header addresses (required in tunnel mode; optional in transport mode, where only
    /// `dst` is used, for the lookup).
    pub tunnel: Option<Tunnel>,
    /// Extended (64-bit) sequence numbers, RFC 4304.
    pub esn: bool,
    /// Anti-replay window in packets; 0 disables it (inbound).
    pub replay_window: u32,
    /// Soft and hard lifetimes.
    pub lifetime: Lifetime,
    /// Outer DF handling (tunnel mode, outbound).
    pub df: DfMode,
    /// TTL of the outer header (tunnel mode, outbound).
    pub ttl: u8,
    /// Traffic selectors checked after decapsulation (inbound); `None` = not checked.
    pub selector: Option<Selector>,
    /// Security-gateway behaviour in tunnel mode: decrement the inner TTL when decapsulating
    /// (RFC 4301 §5.1.2.1, the packet is then forwarded); TTL ≤ 1 → code 9.
    pub forwarding: bool,
    /// First sequence number an outbound SA sends (1 normally; tools and tests start later).
    pub initial_seq: u64,
}

impl SaParams {
    /// Defaults: no ESN, window 64, no lifetime limits, DF copied, TTL 64, no selectors.
    pub fn new(spi: u32, mode: Mode, tunnel: Option<Tunnel>) -> Self {
        SaParams {
            spi,
            mode,
            tunnel,
            esn: false,
            replay_window: 64,
            lifetime: Lifetime::default(),
            df: DfMode::Copy,
            ttl: 64,
            selector: None,
            forwarding: false,
            initial_seq: 1,
        }
    }

    /// Checks what does not depend on the protocol: tunnel mode has endpoints, the window and
    /// the initial sequence number are in range.
    pub fn validate(&self) -> Result<(), IpsecError> {
        let max_seq = if self.esn {
            u64::MAX
        } else {
            u64::from(u32::MAX)
        };
        if (self.mode == Mode::Tunnel && self.tunnel.is_none())
            || self.replay_window > crate::replay::MAX_WINDOW
            || (self.esn && self.replay_window == 0)
            || self.initial_seq == 0
            || self.initial_seq > max_seq
            || self.ttl == 0
        {
            return Err(IpsecError::IncorrectSaConfiguration);
        }
        Ok(())
    }
}

/// The outbound sequence number counter (RFC 4303 §3.3.3). It never wraps: without ESN the
/// packet after 2^32−1 fails with code 3 "last sequence number" (the SA must be rekeyed); with
/// ESN the packet after 2^64−1 fails with code 4 "sequence number wrapped".
#[derive(Debug, Clone)]
pub struct SeqCounter {
    next: u64,
    esn: bool,
    exhausted: bool,
}

impl SeqCounter {
    /// A counter whose first number is `first` (normally 1).
    pub fn new(first: u64, esn: bool) -> Self {
        SeqCounter {
            next: first,
            esn,
            exhausted: false,
        }
    }

    /// The next number to send, if one is left (does not consume it).
    #[inline]
    pub fn peek(&self) -> Result<u64, IpsecError> {
        if self.exhausted || (!self.esn && self.next > u64::from(u32::MAX)) {
            return Err(if self.esn {
                IpsecError::SequenceNumberWrapped
            } else {
                IpsecError::LastSequenceNumber
            });
        }
        Ok(self.next)
    }

    /// Takes the next number.
    #[inline]
    pub fn take(&mut self) -> Result<u64, IpsecError> {
        let n = self.peek()?;
        match n.checked_add(1) {
            Some(v) => self.next = v,
            None => self.exhausted = true,
        }
        Ok(n)
    }

    /// The last number sent (0 = none).
    pub fn last(&self) -> u64 {
        if self.exhausted {
            u64::MAX
        } else {
            self.next - 1
        }
    }
}

/// Per-SA counters (`#pkts`, `#bytes`, `#errors` of `sa_mgr show`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SaCounters {
    /// Packets processed successfully.
    pub packets: u64,
    /// Cleartext bytes of those packets.
    pub bytes: u64,
    /// Packets refused with an IPsec error (TFC dummies not counted).
    pub errors: u64,
}

/// Bytes an SA adds at most in front of and behind a packet; size buffers from it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Overhead {
    /// Headroom needed.
    pub head: usize,
    /// Tailroom needed.
    pub tail: usize,
}

/// `in use settings` of `sa_mgr show`: `Tunnel`, `Transport`, `Tunnel NAT-T`, `Transport-NAT-T`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InUse {
    /// Mode.
    pub mode: Mode,
    /// UDP-encapsulated (NAT-T).
    pub nat_t: bool,
}

impl fmt::Display for InUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match (self.mode, self.nat_t) {
            (Mode::Tunnel, false) => "Tunnel",
            (Mode::Transport, false) => "Transport",
            (Mode::Tunnel, true) => "Tunnel NAT-T",
            (Mode::Transport, true) => "Transport-NAT-T",
        })
    }
}

/// One SA as `sa_mgr show` lists it (product.md §6): plain data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaListing {
    /// SPI.
    pub spi: u32,
    /// ESP or AH.
    pub protocol: IpsecProtocol,
    /// Inbound or outbound.
    pub direction: Direction,
    /// Transform names: cipher (ESP) then integrity, e.g. `esp-aes128-cbc`, `esp-sha1-hmac`;
    /// `ah-sha1-hmac` for AH.
    pub transforms: [Option<&'static str>; 2],
    /// Mode and NAT-T.
    pub in_use: InUse,
    /// Tunnel endpoints.
    pub tunnel: Option<Tunnel>,
    /// Anti-replay window (0 = off).
    pub replay_window: u32,
    /// Extended sequence numbers.
    pub esn: bool,
    /// Configured lifetimes.
    pub lifetime: Lifetime,
    /// What is left of the hard lifetime.
    pub remaining: Remaining,
    /// Counters.
    pub counters: SaCounters,
}

fn opt(f: &mut fmt::Formatter<'_>, v: Option<u64>) -> fmt::Result {
    match v {
        Some(v) => write!(f, "{v}"),
        None => f.write_str("-"),
    }
}

impl fmt::Display for SaListing {
    /// The per-SA lines of `sa_mgr show -detail`:
    /// ```text
    /// spi: 0x94857A70(2491775600)
    /// transform: esp-gost2814789cp-cbc esp-gostr341194cp-hmac
    /// in use settings ={Tunnel, }
    /// key lifetime (k/sec): 4608000/3600
    /// remaining key lifetime (k/sec): 4607999/3599
    /// #pkts: 10, #bytes: 1000, #errors: 0
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "spi: 0x{:08X}({})", self.spi, self.spi)?;
        f.write_str("transform:")?;
        for t in self.transforms.iter().flatten() {
            write!(f, " {t}")?;
        }
        writeln!(f)?;
        writeln!(f, "in use settings ={{{}, }}", self.in_use)?;
        f.write_str("key lifetime (k/sec): ")?;
        opt(f, self.lifetime.hard.bytes.map(|b| b / 1024))?;
        f.write_str("/")?;
        opt(f, self.lifetime.hard.seconds)?;
        f.write_str("\nremaining key lifetime (k/sec): ")?;
        opt(f, self.remaining.bytes.map(|b| b / 1024))?;
        f.write_str("/")?;
        opt(f, self.remaining.seconds)?;
        write!(
            f,
            "\n#pkts: {}, #bytes: {}, #errors: {}",
            self.counters.packets, self.counters.bytes, self.counters.errors
        )
    }
}

/// Result of removing one IPsec layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decapsulated {
    /// Protocol of what the packet now carries (4/41 after tunnel mode; the transport
    /// protocol — possibly ESP or AH again — after transport mode).
    pub next_header: u8,
    /// Lifetime event raised by this packet.
    pub event: Option<LifetimeEvent>,
}

/// Result of adding one IPsec layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encapsulated {
    /// Lifetime event raised by this packet.
    pub event: Option<LifetimeEvent>,
}

/// An inbound SA of either protocol, as the SA database drives it.
pub trait InboundSa {
    /// ESP or AH.
    fn protocol(&self) -> IpsecProtocol;
    /// SPI.
    fn spi(&self) -> u32;
    /// The outer destination it is bound to, if any (lookup by destination/protocol/SPI).
    fn destination(&self) -> Option<Ipv4Addr>;
    /// Traffic selectors to check on the cleartext packet.
    fn selector(&self) -> Option<&Selector>;
    /// Removes this SA's layer from the IPv4 packet in `pkt` (in place), leaving the inner
    /// (tunnel) or reconstructed (transport) IP packet.
    fn decapsulate(
        &mut self,
        now: Instant,
        pkt: &mut PacketBuf<'_>,
    ) -> Result<Decapsulated, IpsecError>;
    /// Time-driven lifetime check.
    fn poll_lifetime(&mut self, now: Instant) -> Option<LifetimeEvent>;
    /// The `sa_mgr show` data.
    fn listing(&self, now: Instant) -> SaListing;
}

/// An outbound SA of either protocol.
pub trait OutboundSa {
    /// ESP or AH.
    fn protocol(&self) -> IpsecProtocol;
    /// SPI.
    fn spi(&self) -> u32;
    /// Worst-case bytes this SA adds.
    fn overhead(&self) -> Overhead;
    /// Protects the IP packet in `pkt` in place.
    fn encapsulate(
        &mut self,
        now: Instant,
        pkt: &mut PacketBuf<'_>,
    ) -> Result<Encapsulated, IpsecError>;
    /// Time-driven lifetime check.
    fn poll_lifetime(&mut self, now: Instant) -> Option<LifetimeEvent>;
    /// The `sa_mgr show` data.
    fn listing(&self, now: Instant) -> SaListing;
}

/// UDP port of ESP-in-UDP (RFC 3948).
pub const NAT_T_PORT: u16 = 4500;

/// What an incoming IPv4 packet is, as far as IPsec dispatch is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Classified {
    /// An ESP or AH packet (possibly ESP in UDP) with this SPI.
    Ipsec {
        /// ESP or AH.
        protocol: IpsecProtocol,
        /// SPI from the header.
        spi: u32,
        /// ESP inside UDP (RFC 3948).
        udp: bool,
        /// Outer destination.
        dst: Ipv4Addr,
    },
    /// A NAT-keepalive (one byte 0xFF on the NAT-T port, RFC 3948 §2.3): ignore it.
    NatKeepalive,
    /// IKE on the NAT-T port (non-ESP marker, RFC 3948 §2.2): hand it to IKE.
    Ike,
    /// Anything else: not IPsec.
    Clear,
}

/// Classifies the IPv4 packet `pkt`: ESP (SPI at offset 0 of the payload), AH (SPI at offset
/// 4), or UDP to/from `nat_t_port` carrying ESP (SPI after the 8-byte UDP header; a zero
/// "SPI" is the non-ESP marker of IKE; a single 0xFF byte is a keepalive).
///
/// Errors: [`DropReason::CorruptedIpHeader`] for a bad IPv4 header,
/// [`DropReason::UnableToFetchSpi`] when the ESP/AH header is too short.
pub fn classify(pkt: &[u8], nat_t_port: u16) -> Result<Classified, DropReason> {
    let h = ip::parse(pkt, false).map_err(|_| DropReason::CorruptedIpHeader)?;
    let payload = pkt.get(h.header_len..h.total_len).unwrap_or_default();
    let spi_at = |b: &[u8], at: usize| -> Result<u32, DropReason> {
        let s: [u8; 4] = b
            .get(at..at + 4)
            .and_then(|s| s.try_into().ok())
            .ok_or(DropReason::UnableToFetchSpi)?;
        Ok(u32::from_be_bytes(s))
    };
    if h.fragment {
        return Ok(Classified::Clear);
    }
    match h.protocol {
        ip::PROTO_ESP => Ok(Classified::Ipsec {
            protocol: IpsecProtocol::Esp,
            spi: spi_at(payload, 0)?,
            udp: false,
            dst: h.dst,
        }),
        ip::PROTO_AH => Ok(Classified::Ipsec {
            protocol: IpsecProtocol::Ah,
            spi: spi_at(payload, 4)?,
            udp: false,
            dst: h.dst,
        }),
        ip::PROTO_UDP => {
            let Some((sp, dp)) = ip::ports(payload, 0) else {
                return Ok(Classified::Clear);
            };
            if sp != nat_t_port && dp != nat_t_port {
                return Ok(Classified::Clear);
            }
            let body = payload.get(8..).unwrap_or_default();
            match body {
                [0xff] => Ok(Classified::NatKeepalive),
                [0, 0, 0, 0, ..] => Ok(Classified::Ike),
                _ => Ok(Classified::Ipsec {
                    protocol: IpsecProtocol::Esp,
                    spi: spi_at(body, 0)?,
                    udp: true,
                    dst: h.dst,
                }),
            }
        }
        _ => Ok(Classified::Clear),
    }
}
