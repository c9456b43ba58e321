//! AH security associations: [`AhOutbound`] and [`AhInbound`], built from an [`AhConfig`] whose
//! integrity algorithm comes from a crypto provider's table.
//!
//! Packet layout (RFC 4302 §2): `IP ‖ next header(1) ‖ payload length(1) = AH words − 2 ‖
//! reserved(2) ‖ SPI(4) ‖ Seq(4) ‖ ICV (padded to 32 bits)` then the payload (transport) or the
//! inner packet (tunnel). The ICV covers the IP header with mutable fields zeroed
//! ([`crate::mutable`]), the AH header with the ICV zeroed, the payload, and with ESN the high
//! 32 bits of the sequence number appended (§2.5.1).
//!
//! In place, no allocation after construction. Not here: IPv6 outer headers, fragments (code 6:
//! reassembly is the host's job), UDP encapsulation (AH cannot cross a NAT: code 13).

use alloc::boxed::Box;
use core::fmt;

use zubr_base::lifetime::{LifetimeEvent, LifetimeState};
use zubr_base::sa::{
    Decapsulated, DfMode, Encapsulated, InUse, InboundSa, IpsecProtocol, Mode, OutboundSa,
    Overhead, SaCounters, SaListing, Selector, SeqCounter,
};
use zubr_base::{Direction, Instant, IpsecError, PacketBuf, ReplayWindow, SaParams, ip};
use zubr_crypto_stb::Rng;
use zubr_crypto_stb::provider::{Integrity, MacKey};

use crate::mutable::zero_mutable;

/// Largest ICV supported.
pub const MAX_ICV: usize = 64;
/// Fixed part of the AH header.
pub const AH_FIXED: usize = 12;

/// Everything needed to build an AH SA.
#[derive(Clone, Copy)]
pub struct AhConfig<'k> {
    /// Mode, SPI, tunnel, ESN, window, lifetimes, DF, selectors.
    pub params: SaParams,
    /// Integrity transform (from `CryptoProvider::integrity`; must have an AH transform ID).
    pub integrity: &'static Integrity,
    /// Integrity key.
    pub key: &'k [u8],
}

impl fmt::Debug for AhConfig<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AhConfig")
            .field("params", &self.params)
            .field("integrity", &self.integrity.ah_sa_name)
            .finish_non_exhaustive()
    }
}

struct Keys {
    desc: &'static Integrity,
    mac: Box<dyn MacKey>,
    icv_len: usize,
    /// AH header length including ICV and its padding.
    ah_len: usize,
}

impl Keys {
    fn new(cfg: &AhConfig<'_>) -> Result<Self, IpsecError> {
        let bad = IpsecError::IncorrectSaConfiguration;
        cfg.params.validate()?;
        let i = cfg.integrity;
        if i.ah_transform_id.is_none()
            || cfg.key.len() != i.mac.key_len()
            || i.icv_len == 0
            || i.icv_len > MAX_ICV
            || i.icv_len > i.mac.output_len()
        {
            return Err(bad);
        }
        let mac = i.mac.new_key(cfg.key).map_err(|_| bad)?;
        Ok(Keys {
            desc: i,
            mac,
            icv_len: i.icv_len,
            ah_len: (AH_FIXED + i.icv_len).div_ceil(4) * 4,
        })
    }
}

/// Hands `f` the ICV input (RFC 4302 §3.3.3): `pkt` — the IP header (`hl` bytes), the AH
/// header with its ICV field zero, and the payload — with the header's mutable fields zeroed
/// in place, then, with ESN, the high 32 bits of the sequence number. The header is restored
/// before this returns, so the MAC reads the packet as one contiguous part (no copy of it).
/// Code 11 for a malformed option list (the packet is left as it was).
fn with_icv_input<R>(
    pkt: &mut [u8],
    hl: usize,
    seq: u64,
    esn: bool,
    f: impl FnOnce(&[&[u8]]) -> R,
) -> Result<R, IpsecError> {
    let mut saved = [0u8; 60];
    let saved = saved.get_mut(..hl).ok_or(IpsecError::CorruptedHeaders)?;
    let hdr = pkt.get_mut(..hl).ok_or(IpsecError::CorruptedHeaders)?;
    copy_header(saved, hdr);
    let zeroed = zero_mutable(hdr);
    let r = zeroed.map(|()| {
        let hi = ((seq >> 32) as u32).to_be_bytes();
        let hi: &[u8] = if esn { &hi } else { &[] };
        f(&[pkt, hi])
    });
    copy_header(&mut pkt[..hl], saved);
    r
}

/// `dst.copy_from_slice(src)`, with the 20-byte header copied as a fixed-size value rather
/// than by a `memcpy` call.
#[inline]
fn copy_header(dst: &mut [u8], src: &[u8]) {
    match (
        <&mut [u8; ip::IPV4_MIN_HEADER]>::try_from(&mut *dst),
        <&[u8; ip::IPV4_MIN_HEADER]>::try_from(src),
    ) {
        (Ok(d), Ok(s)) => *d = *s,
        _ => dst.copy_from_slice(src),
    }
}

// ---------------------------------------------------------------------------------------------
// Outbound

/// An outbound AH SA.
pub struct AhOutbound {
    p: SaParams,
    k: Keys,
    seq: SeqCounter,
    ip_id: u16,
    life: LifetimeState,
    counters: SaCounters,
}

impl fmt::Debug for AhOutbound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AhOutbound")
            .field("spi", &format_args!("0x{:08x}", self.p.spi))
            .field("mode", &self.p.mode)
            .field("integrity", &self.k.desc.ah_sa_name)
            .finish_non_exhaustive()
    }
}

impl AhOutbound {
    /// Builds the SA at `now`; `rng` seeds the IP identification counter (tunnel mode).
    pub fn new(cfg: &AhConfig<'_>, rng: &mut dyn Rng, now: Instant) -> Result<Self, IpsecError> {
        let k = Keys::new(cfg)?;
        let mut id = [0u8; 2];
        rng.fill(&mut id).map_err(|_| IpsecError::CryptoFailed)?;
        Ok(AhOutbound {
            p: cfg.params,
            k,
            seq: SeqCounter::new(cfg.params.initial_seq, cfg.params.esn),
            ip_id: u16::from_be_bytes(id),
            life: LifetimeState::new(cfg.params.lifetime, now),
            counters: SaCounters::default(),
        })
    }

    /// Counters.
    pub fn counters(&self) -> SaCounters {
        self.counters
    }

    /// Worst-case bytes added.
    pub fn overhead(&self) -> Overhead {
        Overhead {
            head: if self.p.mode == Mode::Tunnel { 20 } else { 0 } + self.k.ah_len,
            tail: 0,
        }
    }

    /// Protects the IP packet in `pkt` in place.
    pub fn encapsulate(
        &mut self,
        now: Instant,
        pkt: &mut PacketBuf<'_>,
    ) -> Result<Encapsulated, IpsecError> {
        let r = self.encap(now, pkt);
        if r.is_err() {
            self.counters.errors += 1;
        }
        r
    }

    fn encap(&mut self, now: Instant, pkt: &mut PacketBuf<'_>) -> Result<Encapsulated, IpsecError> {
        self.life.admit(now)?;
        let tunnel = self.p.mode == Mode::Tunnel;
        let bytes = pkt.bytes();
        let (nh, inner_len, hl, tos, df) = match bytes.first().map(|b| b >> 4) {
            Some(4) => {
                let h = ip::parse(bytes, false).map_err(|_| IpsecError::CorruptedHeaders)?;
                if tunnel {
                    (ip::PROTO_IPV4, h.total_len, 0, h.tos, h.df)
                } else {
                    (h.protocol, h.total_len, h.header_len, h.tos, h.df)
                }
            }
            Some(6) if tunnel => {
                let len = ip::parse_ipv6_len(bytes).ok_or(IpsecError::CorruptedHeaders)?;
                (
                    ip::PROTO_IPV6,
                    len,
                    0,
                    (bytes[0] << 4) | (bytes[1] >> 4),
                    true,
                )
            }
            _ => return Err(IpsecError::CorruptedHeaders),
        };
        pkt.truncate(inner_len);
        let ah_len = self.k.ah_len;
        let outer = if tunnel { ip::IPV4_MIN_HEADER } else { hl };
        let head = if tunnel { outer } else { 0 } + ah_len;
        let out_len = inner_len + head;
        if out_len > ip::MAX_PACKET {
            return Err(IpsecError::PacketTooLong);
        }
        if pkt.headroom() < head {
            return Err(IpsecError::BufferTooSmall);
        }
        let seq = self.seq.peek()?;
        let (buf, start, _) = pkt.raw_mut();
        let new_start = start - head;
        if tunnel {
            let t = self.p.tunnel.ok_or(IpsecError::IncorrectSaConfiguration)?;
            self.ip_id = self.ip_id.wrapping_add(1);
            ip::write_header(
                &mut buf[new_start..],
                &ip::Ipv4Fields {
                    tos,
                    total_len: out_len as u16,
                    id: self.ip_id,
                    df: match self.p.df {
                        DfMode::Copy => df,
                        DfMode::Set => true,
                        DfMode::Clear => false,
                    },
                    ttl: self.p.ttl,
                    protocol: ip::PROTO_AH,
                    src: t.src,
                    dst: t.dst,
                },
            );
        } else {
            ip::move_header(buf, start, new_start, hl);
            ip::set_len_proto(
                &mut buf[new_start..new_start + hl],
                out_len as u16,
                ip::PROTO_AH,
            );
        }
        let ah_off = new_start + outer;
        {
            let a = &mut buf[ah_off..ah_off + ah_len];
            a[0] = nh;
            a[1] = (ah_len / 4 - 2) as u8;
            a[2] = 0;
            a[3] = 0;
            a[4..8].copy_from_slice(&self.p.spi.to_be_bytes());
            a[8..12].copy_from_slice(&(seq as u32).to_be_bytes());
            a[12..].fill(0);
        }
        let mut out = [0u8; MAX_ICV];
        let out = &mut out[..self.k.icv_len];
        let mac = &self.k.mac;
        let r = with_icv_input(
            &mut buf[new_start..new_start + out_len],
            outer,
            seq,
            self.p.esn,
            |parts| mac.compute(parts, out),
        );
        if let Err(e) = r {
            // leave the caller's packet as it was (transport mode moved the header)
            if !tunnel {
                ip::move_header(buf, new_start, start, hl);
                ip::set_len_proto(&mut buf[start..start + hl], inner_len as u16, nh);
            }
            return Err(e);
        }
        buf[ah_off + AH_FIXED..ah_off + AH_FIXED + out.len()].copy_from_slice(out);
        self.seq.take()?;
        pkt.set_range(new_start, new_start + out_len)?;
        let event = self.life.record(now, inner_len);
        self.counters.packets += 1;
        self.counters.bytes += inner_len as u64;
        Ok(Encapsulated { event })
    }

    /// `sa_mgr show` data.
    pub fn listing(&self, now: Instant) -> SaListing {
        SaListing {
            spi: self.p.spi,
            protocol: IpsecProtocol::Ah,
            direction: Direction::Out,
            transforms: [Some(self.k.desc.ah_sa_name), None],
            in_use: InUse {
                mode: self.p.mode,
                nat_t: false,
            },
            tunnel: self.p.tunnel,
            replay_window: self.p.replay_window,
            esn: self.p.esn,
            lifetime: *self.life.limits(),
            remaining: self.life.remaining(now),
            counters: self.counters,
        }
    }
}

impl OutboundSa for AhOutbound {
    fn protocol(&self) -> IpsecProtocol {
        IpsecProtocol::Ah
    }
    fn spi(&self) -> u32 {
        self.p.spi
    }
    fn overhead(&self) -> Overhead {
        AhOutbound::overhead(self)
    }
    fn encapsulate(
        &mut self,
        now: Instant,
        pkt: &mut PacketBuf<'_>,
    ) -> Result<Encapsulated, IpsecError> {
        AhOutbound::encapsulate(self, now, pkt)
    }
    fn poll_lifetime(&mut self, now: Instant) -> Option<LifetimeEvent> {
        self.life.poll(now)
    }
    fn listing(&self, now: Instant) -> SaListing {
        AhOutbound::listing(self, now)
    }
}

// ---------------------------------------------------------------------------------------------
// Inbound

/// An inbound AH SA.
pub struct AhInbound {
    p: SaParams,
    k: Keys,
    window: ReplayWindow,
    life: LifetimeState,
    counters: SaCounters,
}

impl fmt::Debug for AhInbound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AhInbound")
            .field("spi", &format_args!("0x{:08x}", self.p.spi))
            .field("mode", &self.p.mode)
            .field("integrity", &self.k.desc.ah_sa_name)
            .field("window", &self.window)
            .finish_non_exhaustive()
    }
}

impl AhInbound {
    /// Builds the SA at `now`.
    pub fn new(cfg: &AhConfig<'_>, now: Instant) -> Result<Self, IpsecError> {
        let k = Keys::new(cfg)?;
        let window = ReplayWindow::new(cfg.params.replay_window, cfg.params.esn)?
            .starting_after(cfg.params.initial_seq - 1);
        Ok(AhInbound {
            p: cfg.params,
            k,
            window,
            life: LifetimeState::new(cfg.params.lifetime, now),
            counters: SaCounters::default(),
        })
    }

    /// Counters.
    pub fn counters(&self) -> SaCounters {
        self.counters
    }

    /// The replay window.
    pub fn window(&self) -> &ReplayWindow {
        &self.window
    }

    /// Removes the AH layer from the IPv4 packet in `pkt`, in place.
    pub fn decapsulate(
        &mut self,
        now: Instant,
        pkt: &mut PacketBuf<'_>,
    ) -> Result<Decapsulated, IpsecError> {
        let r = self.decap(now, pkt);
        if r.is_err() {
            self.counters.errors += 1;
        }
        r
    }

    fn decap(&mut self, now: Instant, pkt: &mut PacketBuf<'_>) -> Result<Decapsulated, IpsecError> {
        let corrupted = IpsecError::CorruptedHeaders;
        let h = ip::parse(pkt.bytes(), true).map_err(|_| corrupted)?;
        if h.fragment || h.protocol != ip::PROTO_AH {
            return Err(corrupted);
        }
        pkt.truncate(h.total_len);
        if self.p.mode == Mode::Tunnel
            && let Some(t) = self.p.tunnel
            && t.src != h.src
        {
            return Err(IpsecError::WrongTunnelSource);
        }
        let hl = h.header_len;
        let total = h.total_len;
        let ah_len = self.k.ah_len;
        let b = pkt.bytes();
        let a = b.get(hl..hl + AH_FIXED).ok_or(corrupted)?;
        let nh = a[0];
        if (usize::from(a[1]) + 2) * 4 != ah_len || total < hl + ah_len {
            return Err(corrupted);
        }
        let spi = u32::from_be_bytes([a[4], a[5], a[6], a[7]]);
        let seq_lo = u32::from_be_bytes([a[8], a[9], a[10], a[11]]);
        if spi != self.p.spi {
            return Err(corrupted);
        }
        let seq = self
            .window
            .infer(seq_lo)
            .ok_or(IpsecError::ReplayDetected)?;
        self.window.check(seq)?;
        self.life.admit(now)?;
        let icv_len = self.k.icv_len;
        let outer_tos = h.tos;
        let (buf, start, _) = pkt.raw_mut();
        let ah_off = start + hl;
        let icv_at = ah_off + AH_FIXED;
        let mut got = [0u8; MAX_ICV];
        let got = &mut got[..icv_len];
        got.copy_from_slice(&buf[icv_at..icv_at + icv_len]);
        buf[icv_at..icv_at + icv_len].fill(0);
        // the provider's constant-time verification against the received ICV
        let mac = &self.k.mac;
        let r = with_icv_input(
            &mut buf[start..start + total],
            hl,
            seq,
            self.p.esn,
            |parts| mac.verify(parts, got),
        );
        if !matches!(r, Ok(Ok(()))) {
            // a refused packet goes back as it came (the AH header is stripped otherwise)
            buf[icv_at..icv_at + icv_len].copy_from_slice(got);
        }
        r?.map_err(|_| IpsecError::IntegrityFailed)?;
        self.window.accept(seq)?;
        let inner_mode = matches!(nh, ip::PROTO_IPV4 | ip::PROTO_IPV6);
        let p0 = ah_off + ah_len;
        let end = start + total;
        match self.p.mode {
            Mode::Tunnel => {
                if !inner_mode {
                    return Err(IpsecError::WrongEncapsulationMode);
                }
                let len =
                    ip::tunnel_inner_fixup(&mut buf[p0..end], nh, outer_tos, self.p.forwarding)?;
                pkt.set_range(p0, p0 + len)?;
            }
            Mode::Transport => {
                if inner_mode {
                    return Err(IpsecError::WrongEncapsulationMode);
                }
                ip::check_transport_payload(nh, &buf[p0..end])?;
                let new_start = start + ah_len;
                ip::move_header(buf, start, new_start, hl);
                ip::set_len_proto(
                    &mut buf[new_start..new_start + hl],
                    (total - ah_len) as u16,
                    nh,
                );
                pkt.set_range(new_start, end)?;
            }
        }
        let event = self.life.record(now, pkt.len());
        self.counters.packets += 1;
        self.counters.bytes += pkt.len() as u64;
        Ok(Decapsulated {
            next_header: nh,
            event,
        })
    }

    /// `sa_mgr show` data.
    pub fn listing(&self, now: Instant) -> SaListing {
        SaListing {
            spi: self.p.spi,
            protocol: IpsecProtocol::Ah,
            direction: Direction::In,
            transforms: [Some(self.k.desc.ah_sa_name), None],
            in_use: InUse {
                mode: self.p.mode,
                nat_t: false,
            },
            tunnel: self.p.tunnel,
            replay_window: self.window.size(),
            esn: self.p.esn,
            lifetime: *self.life.limits(),
            remaining: self.life.remaining(now),
            counters: self.counters,
        }
    }
}

impl InboundSa for AhInbound {
    fn protocol(&self) -> IpsecProtocol {
        IpsecProtocol::Ah
    }
    fn spi(&self) -> u32 {
        self.p.spi
    }
    fn destination(&self) -> Option<core::net::Ipv4Addr> {
        self.p.tunnel.map(|t| t.dst)
    }
    fn selector(&self) -> Option<&Selector> {
        self.p.selector.as_ref()
    }
    fn decapsulate(
        &mut self,
        now: Instant,
        pkt: &mut PacketBuf<'_>,
    ) -> Result<Decapsulated, IpsecError> {
        AhInbound::decapsulate(self, now, pkt)
    }
    fn poll_lifetime(&mut self, now: Instant) -> Option<LifetimeEvent> {
        self.life.poll(now)
    }
    fn listing(&self, now: Instant) -> SaListing {
        AhInbound::listing(self, now)
    }
}
