//! ESP security associations: [`EspOutbound`] (encapsulate) and [`EspInbound`] (decapsulate),
//! built from an [`EspConfig`] whose algorithms come from a crypto provider's tables.
//!
//! Packet layout (RFC 4303 §2): `SPI(4) ‖ Seq(4) ‖ IV ‖ ciphertext(payload ‖ TFC padding ‖
//! padding 1,2,3… ‖ pad length ‖ next header) ‖ ICV`, optionally behind an 8-byte UDP header
//! (RFC 3948). The ICV of a separate integrity algorithm covers `SPI … ciphertext` and, with
//! ESN, the high 32 bits of the sequence number appended (§2.2.1); an AEAD authenticates
//! `SPI ‖ Seq` (`SPI ‖ Seq-hi ‖ Seq-lo` with ESN, RFC 4106 §5) as additional data.
//!
//! Both directions work in place on a [`PacketBuf`] and never allocate after construction.
//! Inbound order (RFC 4303 §3.4): header checks → cheap replay check → ICV → decrypt → window
//! update → padding check → mode checks → strip.
//!
//! Not here: fragment reassembly (the host's job: a fragment is code 6), IPv6 outer headers,
//! the TCP/UDP checksum fix-up of transport-mode NAT-T (RFC 3948 §3.1.2, needs NAT-OA from IKE;
//! the host does it), and error code 8 (no allocation happens here; the host's buffer pool
//! reports it).

use alloc::boxed::Box;
use core::fmt;

use zubr_base::lifetime::{LifetimeEvent, LifetimeState};
use zubr_base::sa::{
    Decapsulated, DfMode, Encapsulated, InUse, InboundSa, IpsecProtocol, Mode, OutboundSa,
    Overhead, SaCounters, SaListing, Selector, SeqCounter,
};
use zubr_base::{Direction, Instant, IpsecError, PacketBuf, ReplayWindow, SaParams, ip};
use zubr_crypto_stb::provider::{EspCipher, EspCipherKey, Integrity, MacKey};
use zubr_crypto_stb::{Error as CryptoError, Rng};

use crate::iv::{IvGen, MAX_IV};

/// ESP transform ID of NULL encryption (RFC 2410).
pub const ESP_NULL: u8 = 11;

/// Largest ICV supported.
pub const MAX_ICV: usize = 64;

/// ESP-in-UDP ports (RFC 3948): what an outbound SA writes; inbound ignores the ports (the
/// dispatcher routed the packet here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UdpEncap {
    /// UDP source port.
    pub src_port: u16,
    /// UDP destination port.
    pub dst_port: u16,
}

impl UdpEncap {
    /// 4500 → 4500.
    pub const NAT_T: UdpEncap = UdpEncap {
        src_port: 4500,
        dst_port: 4500,
    };
}

/// Everything needed to build an ESP SA. Keys are borrowed: the SA keeps only the keyed
/// algorithm objects of the provider.
#[derive(Clone, Copy)]
pub struct EspConfig<'k> {
    /// Mode, SPI, tunnel, ESN, window, lifetimes, DF, selectors.
    pub params: SaParams,
    /// Encryption transform (from `CryptoProvider::esp_ciphers`); NULL is transform 11.
    pub cipher: &'static EspCipher,
    /// Encryption KEYMAT (for AES-GCM: key ‖ 4-byte salt).
    pub cipher_key: &'k [u8],
    /// Integrity transform; must be `None` for an AEAD cipher.
    pub integrity: Option<&'static Integrity>,
    /// Integrity key.
    pub integrity_key: &'k [u8],
    /// ESP-in-UDP.
    pub udp: Option<UdpEncap>,
    /// Outbound tunnel mode: pad every packet with TFC padding up to this many bytes of
    /// payload (RFC 4303 §2.7); 0 = off.
    pub tfc_pad_to: u16,
}

impl fmt::Debug for EspConfig<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EspConfig")
            .field("params", &self.params)
            .field("cipher", &self.cipher.sa_name)
            .field("integrity", &self.integrity.map(|i| i.esp_sa_name))
            .field("udp", &self.udp)
            .finish_non_exhaustive()
    }
}

impl<'k> EspConfig<'k> {
    /// A configuration with the given algorithms and keys, no UDP encapsulation, no TFC.
    pub fn new(
        params: SaParams,
        cipher: &'static EspCipher,
        cipher_key: &'k [u8],
        integrity: Option<&'static Integrity>,
        integrity_key: &'k [u8],
    ) -> Self {
        EspConfig {
            params,
            cipher,
            cipher_key,
            integrity,
            integrity_key,
            udp: None,
            tfc_pad_to: 0,
        }
    }
}

/// Keyed algorithms and derived sizes.
struct Keys {
    cipher_desc: &'static EspCipher,
    cipher: Box<dyn EspCipherKey>,
    integ_desc: Option<&'static Integrity>,
    mac: Option<Box<dyn MacKey>>,
    iv_len: usize,
    block_len: usize,
    align: usize,
    icv_len: usize,
    aead: bool,
}

fn lcm4(b: usize) -> usize {
    let (mut x, mut y) = (b, 4usize);
    while y != 0 {
        (x, y) = (y, x % y);
    }
    b / x * 4
}

impl Keys {
    fn new(cfg: &EspConfig<'_>) -> Result<Self, IpsecError> {
        let bad = IpsecError::IncorrectSaConfiguration;
        cfg.params.validate()?;
        let c = cfg.cipher.cipher;
        let aead = cfg.cipher.is_aead();
        if cfg.cipher_key.len() != c.key_len()
            || (aead && cfg.integrity.is_some())
            || (!aead && cfg.cipher.transform_id == ESP_NULL && cfg.integrity.is_none())
            || c.iv_len() > MAX_IV
        {
            return Err(bad);
        }
        let cipher = c.new_key(cfg.cipher_key).map_err(|_| bad)?;
        let (mac, icv_len) = match cfg.integrity {
            Some(i) => {
                if cfg.integrity_key.len() != i.mac.key_len()
                    || i.icv_len == 0
                    || i.icv_len > MAX_ICV
                    || i.icv_len > i.mac.output_len()
                {
                    return Err(bad);
                }
                (
                    Some(i.mac.new_key(cfg.integrity_key).map_err(|_| bad)?),
                    i.icv_len,
                )
            }
            None => (None, c.icv_len()),
        };
        if icv_len > MAX_ICV {
            return Err(bad);
        }
        let block_len = c.block_len().max(1);
        Ok(Keys {
            cipher_desc: cfg.cipher,
            cipher,
            integ_desc: cfg.integrity,
            mac,
            iv_len: c.iv_len(),
            block_len,
            align: lcm4(block_len),
            icv_len,
            aead,
        })
    }

    fn authenticated(&self) -> bool {
        self.aead || self.mac.is_some()
    }

    fn transforms(&self) -> [Option<&'static str>; 2] {
        [
            Some(self.cipher_desc.sa_name),
            self.integ_desc.map(|i| i.esp_sa_name),
        ]
    }
}

fn crypto_err(e: CryptoError) -> IpsecError {
    match e {
        CryptoError::AuthenticationFailed => IpsecError::IntegrityFailed,
        _ => IpsecError::CryptoFailed,
    }
}

/// AAD of an AEAD: SPI ‖ Seq (‖ with ESN: SPI ‖ Seq-hi ‖ Seq-lo).
fn aad(spi: u32, seq: u64, esn: bool, out: &mut [u8; 12]) -> usize {
    out[..4].copy_from_slice(&spi.to_be_bytes());
    if esn {
        out[4..8].copy_from_slice(&((seq >> 32) as u32).to_be_bytes());
        out[8..12].copy_from_slice(&(seq as u32).to_be_bytes());
        12
    } else {
        out[4..8].copy_from_slice(&(seq as u32).to_be_bytes());
        8
    }
}

/// `x` rounded up to a multiple of `a` (> 0); a mask instead of a division for the power-of-two
/// alignments every block cipher has.
fn round_up(x: usize, a: usize) -> usize {
    if a.is_power_of_two() {
        (x + a - 1) & !(a - 1)
    } else {
        x.div_ceil(a) * a
    }
}

/// `x` is a multiple of `a` (> 0); see [`round_up`].
fn multiple_of(x: usize, a: usize) -> bool {
    if a.is_power_of_two() {
        x & (a - 1) == 0
    } else {
        x.is_multiple_of(a)
    }
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

// ---------------------------------------------------------------------------------------------
// Outbound

/// An outbound ESP SA.
pub struct EspOutbound {
    p: SaParams,
    k: Keys,
    udp: Option<UdpEncap>,
    tfc_pad_to: usize,
    seq: SeqCounter,
    iv: IvGen,
    ip_id: u16,
    life: LifetimeState,
    counters: SaCounters,
}

impl fmt::Debug for EspOutbound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EspOutbound")
            .field("spi", &format_args!("0x{:08x}", self.p.spi))
            .field("mode", &self.p.mode)
            .field("transforms", &self.k.transforms())
            .finish_non_exhaustive()
    }
}

impl EspOutbound {
    /// Builds the SA at `now`; `rng` (the provider's DRBG) seeds the IV generator and the IP
    /// identification counter. Fails with code 13 on an inconsistent configuration, code 2 if
    /// the generator fails.
    pub fn new(cfg: &EspConfig<'_>, rng: &mut dyn Rng, now: Instant) -> Result<Self, IpsecError> {
        let k = Keys::new(cfg)?;
        let iv = IvGen::new(cfg.cipher, rng)?;
        let mut id = [0u8; 2];
        rng.fill(&mut id).map_err(|_| IpsecError::CryptoFailed)?;
        Ok(EspOutbound {
            p: cfg.params,
            k,
            udp: cfg.udp,
            tfc_pad_to: usize::from(if cfg.params.mode == Mode::Tunnel {
                cfg.tfc_pad_to
            } else {
                0
            }),
            seq: SeqCounter::new(cfg.params.initial_seq, cfg.params.esn),
            iv,
            ip_id: u16::from_be_bytes(id),
            life: LifetimeState::new(cfg.params.lifetime, now),
            counters: SaCounters::default(),
        })
    }

    /// The SA's parameters.
    pub fn params(&self) -> &SaParams {
        &self.p
    }

    /// Counters.
    pub fn counters(&self) -> SaCounters {
        self.counters
    }

    /// The last sequence number sent (0 = none).
    pub fn last_seq(&self) -> u64 {
        self.seq.last()
    }

    /// Worst-case bytes added before and after a packet (TFC padding included).
    pub fn overhead(&self) -> Overhead {
        let outer = if self.p.mode == Mode::Tunnel { 20 } else { 0 };
        let udp = if self.udp.is_some() { 8 } else { 0 };
        Overhead {
            head: outer + udp + 8 + self.k.iv_len,
            tail: self.tfc_pad_to + self.k.align - 1 + 2 + self.k.icv_len,
        }
    }

    /// Protects the IP packet in `pkt` in place: on success `pkt` holds the ESP packet
    /// (outer IPv4 header included).
    pub fn encapsulate(
        &mut self,
        now: Instant,
        pkt: &mut PacketBuf<'_>,
    ) -> Result<Encapsulated, IpsecError> {
        let r = self.encap(now, pkt, false);
        if r.is_err() {
            self.counters.errors += 1;
        }
        r
    }

    /// Builds a TFC dummy packet (RFC 4303 §2.6, next header 59) with `len` bytes of zero
    /// payload at the packet position of `pkt` (tunnel mode only; code 14 otherwise). The peer
    /// discards it (code 16).
    pub fn encapsulate_dummy(
        &mut self,
        now: Instant,
        pkt: &mut PacketBuf<'_>,
        len: usize,
    ) -> Result<Encapsulated, IpsecError> {
        if self.p.mode != Mode::Tunnel {
            return Err(IpsecError::WrongEncapsulationMode);
        }
        let start = pkt.start();
        pkt.set_range(start, start)?;
        pkt.grow_back(len)?;
        pkt.bytes_mut().fill(0);
        self.encap(now, pkt, true)
    }

    fn next_id(&mut self) -> u16 {
        self.ip_id = self.ip_id.wrapping_add(1);
        self.ip_id
    }

    fn encap(
        &mut self,
        now: Instant,
        pkt: &mut PacketBuf<'_>,
        dummy: bool,
    ) -> Result<Encapsulated, IpsecError> {
        self.life.admit(now)?;
        let tunnel = self.p.mode == Mode::Tunnel;
        let bytes = pkt.bytes();
        // What is being protected.
        let (nh, inner_len, hl, tos, df) = if dummy {
            (ip::PROTO_NONE, bytes.len(), 0, 0, true)
        } else {
            match bytes.first().map(|b| b >> 4) {
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
                    let tc = (bytes[0] << 4) | (bytes[1] >> 4);
                    (ip::PROTO_IPV6, len, 0, tc, true)
                }
                _ => return Err(IpsecError::CorruptedHeaders),
            }
        };
        pkt.truncate(inner_len);
        let k = &self.k;
        let payload_len = inner_len - hl;
        let tfc = self.tfc_pad_to.saturating_sub(payload_len);
        let padded = round_up(payload_len + tfc + 2, k.align);
        let pad = padded - payload_len - tfc - 2;
        let udp_len = if self.udp.is_some() { 8 } else { 0 };
        let esp_hdr = 8 + k.iv_len;
        let outer = if tunnel { ip::IPV4_MIN_HEADER } else { hl };
        let head = if tunnel { outer } else { 0 } + udp_len + esp_hdr;
        let tail = tfc + pad + 2 + k.icv_len;
        let out_len = outer + udp_len + esp_hdr + padded + k.icv_len;
        if out_len > ip::MAX_PACKET {
            return Err(IpsecError::PacketTooLong);
        }
        if pkt.headroom() < head || pkt.tailroom() < tail {
            return Err(IpsecError::BufferTooSmall);
        }
        let seq = self.seq.take()?;
        let id = self.next_id();
        let k = &mut self.k;
        let (buf, start, end) = pkt.raw_mut();
        let new_start = start - head;
        let esp_off = new_start + outer + udp_len;
        let iv_off = esp_off + 8;
        let data_off = iv_off + k.iv_len;
        let data_end = end + tfc + pad + 2;
        let icv_end = data_end + k.icv_len;
        // trailer: TFC zeros, padding 1, 2, 3, …, pad length, next header
        {
            let t = &mut buf[end..data_end];
            t[..tfc].fill(0);
            for (i, b) in t[tfc..tfc + pad].iter_mut().enumerate() {
                *b = (i + 1) as u8;
            }
            t[tfc + pad] = pad as u8;
            t[tfc + pad + 1] = nh;
        }
        if !tunnel {
            ip::move_header(buf, start, new_start, hl);
        }
        buf[esp_off..esp_off + 4].copy_from_slice(&self.p.spi.to_be_bytes());
        buf[esp_off + 4..iv_off].copy_from_slice(&(seq as u32).to_be_bytes());
        self.iv.fill(seq, &mut buf[iv_off..data_off])?;
        {
            let (left, right) = buf.split_at_mut(data_off);
            let iv = &left[iv_off..];
            let (data, icv) = right[..icv_end - data_off].split_at_mut(data_end - data_off);
            if k.aead {
                let mut a = [0u8; 12];
                let n = aad(self.p.spi, seq, self.p.esn, &mut a);
                k.cipher
                    .encrypt(iv, &a[..n], data, icv)
                    .map_err(|_| IpsecError::CryptoFailed)?;
            } else {
                k.cipher
                    .encrypt(iv, &[], data, &mut [])
                    .map_err(|_| IpsecError::CryptoFailed)?;
            }
        }
        if let Some(mac) = &k.mac {
            let (auth, icv) = buf.split_at_mut(data_end);
            let hi = ((seq >> 32) as u32).to_be_bytes();
            let hi: &[u8] = if self.p.esn { &hi } else { &[] };
            mac.compute(&[&auth[esp_off..], hi], &mut icv[..k.icv_len]);
        }
        let proto = if self.udp.is_some() {
            ip::PROTO_UDP
        } else {
            ip::PROTO_ESP
        };
        if tunnel {
            let t = self.p.tunnel.ok_or(IpsecError::IncorrectSaConfiguration)?;
            let df = match self.p.df {
                DfMode::Copy => df,
                DfMode::Set => true,
                DfMode::Clear => false,
            };
            ip::write_header(
                &mut buf[new_start..],
                &ip::Ipv4Fields {
                    tos,
                    total_len: out_len as u16,
                    id,
                    df,
                    ttl: self.p.ttl,
                    protocol: proto,
                    src: t.src,
                    dst: t.dst,
                },
            );
        } else {
            ip::set_len_proto(&mut buf[new_start..new_start + hl], out_len as u16, proto);
        }
        if let Some(u) = self.udp {
            let at = new_start + outer;
            let ulen = (out_len - outer) as u16;
            buf[at..at + 2].copy_from_slice(&u.src_port.to_be_bytes());
            buf[at + 2..at + 4].copy_from_slice(&u.dst_port.to_be_bytes());
            buf[at + 4..at + 6].copy_from_slice(&ulen.to_be_bytes());
            buf[at + 6..at + 8].fill(0);
        }
        pkt.set_range(new_start, icv_end)?;
        let event = self.life.record(now, inner_len);
        self.counters.packets += 1;
        self.counters.bytes += inner_len as u64;
        Ok(Encapsulated { event })
    }

    /// `sa_mgr show` data.
    pub fn listing(&self, now: Instant) -> SaListing {
        SaListing {
            spi: self.p.spi,
            protocol: IpsecProtocol::Esp,
            direction: Direction::Out,
            transforms: self.k.transforms(),
            in_use: InUse {
                mode: self.p.mode,
                nat_t: self.udp.is_some(),
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

impl OutboundSa for EspOutbound {
    fn protocol(&self) -> IpsecProtocol {
        IpsecProtocol::Esp
    }
    fn spi(&self) -> u32 {
        self.p.spi
    }
    fn overhead(&self) -> Overhead {
        EspOutbound::overhead(self)
    }
    fn encapsulate(
        &mut self,
        now: Instant,
        pkt: &mut PacketBuf<'_>,
    ) -> Result<Encapsulated, IpsecError> {
        EspOutbound::encapsulate(self, now, pkt)
    }
    fn poll_lifetime(&mut self, now: Instant) -> Option<LifetimeEvent> {
        self.life.poll(now)
    }
    fn listing(&self, now: Instant) -> SaListing {
        EspOutbound::listing(self, now)
    }
}

// ---------------------------------------------------------------------------------------------
// Inbound

/// An inbound ESP SA.
pub struct EspInbound {
    p: SaParams,
    k: Keys,
    udp: bool,
    window: ReplayWindow,
    life: LifetimeState,
    counters: SaCounters,
}

impl fmt::Debug for EspInbound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EspInbound")
            .field("spi", &format_args!("0x{:08x}", self.p.spi))
            .field("mode", &self.p.mode)
            .field("transforms", &self.k.transforms())
            .field("window", &self.window)
            .finish_non_exhaustive()
    }
}

impl EspInbound {
    /// Builds the SA at `now`. Fails with code 13 on an inconsistent configuration. Without
    /// integrity (encryption-only ESP) there is no anti-replay (RFC 4303 §3.4.3), and hence no
    /// ESN either (the high bits are inferred from an authenticated window): code 13.
    pub fn new(cfg: &EspConfig<'_>, now: Instant) -> Result<Self, IpsecError> {
        let k = Keys::new(cfg)?;
        if cfg.params.esn && !k.authenticated() {
            return Err(IpsecError::IncorrectSaConfiguration);
        }
        let window = ReplayWindow::new(
            if k.authenticated() {
                cfg.params.replay_window
            } else {
                0
            },
            cfg.params.esn,
        )?
        .starting_after(cfg.params.initial_seq - 1);
        Ok(EspInbound {
            p: cfg.params,
            k,
            udp: cfg.udp.is_some(),
            window,
            life: LifetimeState::new(cfg.params.lifetime, now),
            counters: SaCounters::default(),
        })
    }

    /// The SA's parameters.
    pub fn params(&self) -> &SaParams {
        &self.p
    }

    /// Counters.
    pub fn counters(&self) -> SaCounters {
        self.counters
    }

    /// The replay window (for `replay packet detected: SA N last sequence number …, window
    /// 0x…` messages).
    pub fn window(&self) -> &ReplayWindow {
        &self.window
    }

    /// Removes the ESP layer from the IPv4 packet in `pkt`, in place: tunnel mode leaves the
    /// inner packet, transport mode the IP header (protocol, length and checksum fixed) and
    /// the payload.
    pub fn decapsulate(
        &mut self,
        now: Instant,
        pkt: &mut PacketBuf<'_>,
    ) -> Result<Decapsulated, IpsecError> {
        let r = self.decap(now, pkt);
        if matches!(r, Err(e) if e != IpsecError::TfcPacket) {
            self.counters.errors += 1;
        }
        r
    }

    fn decap(&mut self, now: Instant, pkt: &mut PacketBuf<'_>) -> Result<Decapsulated, IpsecError> {
        let corrupted = IpsecError::CorruptedHeaders;
        let h = ip::parse(pkt.bytes(), true).map_err(|_| corrupted)?;
        if h.fragment {
            return Err(corrupted);
        }
        pkt.truncate(h.total_len);
        let hl = h.header_len;
        let esp_off = if self.udp {
            if h.protocol != ip::PROTO_UDP {
                return Err(corrupted);
            }
            hl + 8
        } else {
            if h.protocol != ip::PROTO_ESP {
                return Err(corrupted);
            }
            hl
        };
        if self.p.mode == Mode::Tunnel
            && let Some(t) = self.p.tunnel
            && t.src != h.src
        {
            return Err(IpsecError::WrongTunnelSource);
        }
        let k = &mut self.k;
        let total = h.total_len;
        let data_off = esp_off + 8 + k.iv_len;
        if total < data_off + 2 + k.icv_len {
            return Err(corrupted);
        }
        let icv_off = total - k.icv_len;
        let data_len = icv_off - data_off;
        if !multiple_of(data_len, k.block_len) {
            return Err(corrupted);
        }
        let bytes = pkt.bytes();
        let spi = be32(bytes, esp_off).ok_or(corrupted)?;
        let seq_lo = be32(bytes, esp_off + 4).ok_or(corrupted)?;
        if spi != self.p.spi {
            return Err(corrupted);
        }
        let seq = self
            .window
            .infer(seq_lo)
            .ok_or(IpsecError::ReplayDetected)?;
        self.window.check(seq)?;
        self.life.admit(now)?;
        if let Some(mac) = &k.mac {
            let hi = ((seq >> 32) as u32).to_be_bytes();
            let hi: &[u8] = if self.p.esn { &hi } else { &[] };
            mac.verify(&[&bytes[esp_off..icv_off], hi], &bytes[icv_off..total])
                .map_err(|_| IpsecError::IntegrityFailed)?;
        }
        let outer_tos = h.tos;
        let (buf, start, _) = pkt.raw_mut();
        {
            let p = &mut buf[start..start + total];
            let (left, right) = p.split_at_mut(data_off);
            let iv = &left[esp_off + 8..];
            let (data, icv) = right.split_at_mut(data_len);
            if k.aead {
                let mut a = [0u8; 12];
                let n = aad(spi, seq, self.p.esn, &mut a);
                k.cipher
                    .decrypt(iv, &a[..n], data, icv)
                    .map_err(crypto_err)?;
            } else {
                k.cipher.decrypt(iv, &[], data, &[]).map_err(|e| match e {
                    CryptoError::AuthenticationFailed => IpsecError::IntegrityFailed,
                    _ => IpsecError::CryptoFailed,
                })?;
            }
        }
        if k.aead || k.mac.is_some() {
            self.window.accept(seq)?;
        }
        // trailer
        let d0 = start + data_off;
        let data = &buf[d0..d0 + data_len];
        let nh = data[data_len - 1];
        let pad = usize::from(data[data_len - 2]);
        if pad + 2 > data_len {
            return Err(IpsecError::PaddingCheckFailed);
        }
        let plen = data_len - 2 - pad;
        if data[plen..plen + pad]
            .iter()
            .enumerate()
            .any(|(i, &b)| usize::from(b) != i + 1)
        {
            return Err(IpsecError::PaddingCheckFailed);
        }
        if nh == ip::PROTO_NONE {
            return Err(IpsecError::TfcPacket);
        }
        let inner_mode = matches!(nh, ip::PROTO_IPV4 | ip::PROTO_IPV6);
        match self.p.mode {
            Mode::Tunnel => {
                if !inner_mode {
                    return Err(IpsecError::WrongEncapsulationMode);
                }
                let inner = &mut buf[d0..d0 + plen];
                let len = ip::tunnel_inner_fixup(inner, nh, outer_tos, self.p.forwarding)?;
                pkt.set_range(d0, d0 + len)?;
            }
            Mode::Transport => {
                if inner_mode {
                    return Err(IpsecError::WrongEncapsulationMode);
                }
                ip::check_transport_payload(nh, &buf[d0..d0 + plen])?;
                let new_start = d0 - hl;
                ip::move_header(buf, start, new_start, hl);
                ip::set_len_proto(&mut buf[new_start..new_start + hl], (hl + plen) as u16, nh);
                pkt.set_range(new_start, d0 + plen)?;
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
            protocol: IpsecProtocol::Esp,
            direction: Direction::In,
            transforms: self.k.transforms(),
            in_use: InUse {
                mode: self.p.mode,
                nat_t: self.udp,
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

impl InboundSa for EspInbound {
    fn protocol(&self) -> IpsecProtocol {
        IpsecProtocol::Esp
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
        EspInbound::decapsulate(self, now, pkt)
    }
    fn poll_lifetime(&mut self, now: Instant) -> Option<LifetimeEvent> {
        self.life.poll(now)
    }
    fn listing(&self, now: Instant) -> SaListing {
        EspInbound::listing(self, now)
    }
}
