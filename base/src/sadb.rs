//! The SA database: installed inbound and outbound SAs of any protocol (through the
//! [`InboundSa`] / [`OutboundSa`] traits, so ESP and AH share this code), O(1) lookup of an
//! inbound SA by SPI (and destination/protocol), SA bundles (AH+ESP, RFC 4301 §4.5), nested
//! encapsulation up to [`MAX_NESTING`] layers, and lifetime events.
//!
//! Inbound, [`SaDb::decapsulate`] classifies the packet, finds the SA by protocol and SPI
//! (`SPI 0x… not found in hash`), checks the destination (`tunnel header doesn't match SA N`),
//! requires the SA to be the first of a bundle (`SA N is not in a bundle`, `SA N is not the
//! first SA in a bundle`), removes each layer of the bundle in order, checking that the packet
//! carries exactly the bundle's next SPI (`SPI 0x… is not found in SA bundle`, `packet lacks
//! required IPsec layer`), then checks the bundle's selectors on the cleartext (`SA N:
//! decapsulated packet's IP header doesn't match the SA`). If what comes out is again IPsec for
//! an installed SA (nested tunnels), it goes round again — at most 16 layers in all (`too many
//! nested encapsulations`). Errors of an SA become `SA N: decapsulation error E: TEXT`.
//!
//! Outbound, [`SaDb::encapsulate`] applies a bundle innermost first; [`SaDb::encapsulate_nested`]
//! applies several bundles (a policy's nested IPsec) and stops a loop at 16 layers (`too many
//! nested encapsulations (recursive policy?)`).
//!
//! Installing SAs allocates (a `Box` per SA, the SPI index); processing packets does not. Events
//! go to a bounded queue whose overflow is counted, never silently lost.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use hashbrown::HashMap;

use crate::buf::PacketBuf;
use crate::lifetime::LifetimeEvent;
use crate::sa::{
    Classified, InboundSa, IpsecProtocol, NAT_T_PORT, OutboundSa, SaListing, classify,
};
use crate::{DropReason, Instant};

/// Most IPsec layers one packet may carry (product: 16, both directions).
pub const MAX_NESTING: usize = 16;

/// An SA's number, as the engine log prints it (`SA 33`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SaId(pub u32);

impl fmt::Display for SaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A bundle's number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BundleId(pub u32);

/// A lifetime event of an SA (`requesting rekeying for SA N`, `SA N expired`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaEvent {
    /// The SA.
    pub sa: SaId,
    /// What happened.
    pub event: LifetimeEvent,
}

impl fmt::Display for SaEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.event {
            LifetimeEvent::SoftExpired => write!(f, "requesting rekeying for SA {}", self.sa),
            LifetimeEvent::HardExpired => write!(f, "SA {} expired", self.sa),
        }
    }
}

/// Why an SA or bundle could not be installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaDbError {
    /// An inbound SA with this protocol and SPI is installed already.
    DuplicateSpi(u32),
    /// No such SA.
    NoSuchSa(SaId),
    /// No such bundle.
    NoSuchBundle(BundleId),
    /// The SA has the other direction.
    WrongDirection(SaId),
    /// The SA is in a bundle already.
    AlreadyInBundle(SaId),
    /// A bundle needs 1 to 16 SAs.
    BundleSize,
}

impl fmt::Display for SaDbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SaDbError::DuplicateSpi(spi) => write!(f, "SPI 0x{spi:08x} is installed already"),
            SaDbError::NoSuchSa(id) => write!(f, "SA {id} not found"),
            SaDbError::NoSuchBundle(b) => write!(f, "bundle {} not found", b.0),
            SaDbError::WrongDirection(id) => write!(f, "SA {id} has the wrong direction"),
            SaDbError::AlreadyInBundle(id) => write!(f, "SA {id} is in a bundle already"),
            SaDbError::BundleSize => f.write_str("a bundle holds 1 to 16 SAs"),
        }
    }
}

impl core::error::Error for SaDbError {}

/// What inbound processing did with a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboundKind {
    /// Not IPsec: nothing was done.
    Clear,
    /// One or more layers were removed; the buffer holds the cleartext packet.
    Decapsulated,
    /// A NAT-T keepalive: drop it silently.
    NatKeepalive,
    /// IKE on the NAT-T port (non-ESP marker): hand it to IKE.
    Ike,
}

/// Result of [`SaDb::decapsulate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inbound {
    /// What was done.
    pub kind: InboundKind,
    layers: u8,
    sas: [SaId; MAX_NESTING],
}

impl Inbound {
    fn new(kind: InboundKind) -> Self {
        Inbound {
            kind,
            layers: 0,
            sas: [SaId(0); MAX_NESTING],
        }
    }

    /// The SAs that removed a layer, outermost first.
    pub fn sas(&self) -> &[SaId] {
        self.sas.get(..usize::from(self.layers)).unwrap_or_default()
    }
}

/// Result of [`SaDb::encapsulate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outbound {
    /// Layers added.
    pub layers: u8,
}

struct Bundle {
    sas: [u32; MAX_NESTING],
    len: u8,
    inbound: bool,
}

impl Bundle {
    fn members(&self) -> &[u32] {
        self.sas.get(..usize::from(self.len)).unwrap_or_default()
    }
}

enum Entry<I: ?Sized, O: ?Sized> {
    In(Box<I>),
    Out(Box<O>),
}

struct Slot<I: ?Sized, O: ?Sized> {
    entry: Entry<I, O>,
    /// (bundle index, position in it)
    bundle: Option<(u32, u8)>,
}

const EVENT_CAP: usize = 64;

struct EventQueue {
    buf: [Option<SaEvent>; EVENT_CAP],
    head: usize,
    len: usize,
    lost: u64,
}

impl EventQueue {
    fn push(&mut self, e: SaEvent) {
        if self.len == EVENT_CAP {
            self.lost += 1;
            return;
        }
        self.buf[(self.head + self.len) % EVENT_CAP] = Some(e);
        self.len += 1;
    }
    fn pop(&mut self) -> Option<SaEvent> {
        if self.len == 0 {
            return None;
        }
        let e = self.buf[self.head].take();
        self.head = (self.head + 1) % EVENT_CAP;
        self.len -= 1;
        e
    }
}

/// The SA database. `I`/`O` are the inbound/outbound SA types (by default any protocol,
/// boxed as trait objects).
pub struct SaDb<I: ?Sized + InboundSa = dyn InboundSa, O: ?Sized + OutboundSa = dyn OutboundSa> {
    slots: Vec<Option<Slot<I, O>>>,
    by_spi: HashMap<(u8, u32), u32>,
    bundles: Vec<Option<Bundle>>,
    events: EventQueue,
    nat_t_port: u16,
}

impl<I: ?Sized + InboundSa, O: ?Sized + OutboundSa> Default for SaDb<I, O> {
    fn default() -> Self {
        Self::new()
    }
}

impl<I: ?Sized + InboundSa, O: ?Sized + OutboundSa> fmt::Debug for SaDb<I, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SaDb")
            .field("sas", &self.slots.iter().flatten().count())
            .field("bundles", &self.bundles.iter().flatten().count())
            .finish()
    }
}

impl<I: ?Sized + InboundSa, O: ?Sized + OutboundSa> SaDb<I, O> {
    /// An empty database; ESP-in-UDP on port 4500.
    pub fn new() -> Self {
        SaDb {
            slots: Vec::new(),
            by_spi: HashMap::new(),
            bundles: Vec::new(),
            events: EventQueue {
                buf: [None; EVENT_CAP],
                head: 0,
                len: 0,
                lost: 0,
            },
            nat_t_port: NAT_T_PORT,
        }
    }

    /// Changes the NAT-T UDP port.
    pub fn set_nat_t_port(&mut self, port: u16) {
        self.nat_t_port = port;
    }

    fn push_slot(&mut self, entry: Entry<I, O>) -> SaId {
        self.slots.push(Some(Slot {
            entry,
            bundle: None,
        }));
        SaId(self.slots.len() as u32)
    }

    /// Installs an inbound SA; fails if its protocol and SPI are taken.
    pub fn install_inbound(&mut self, sa: Box<I>) -> Result<SaId, SaDbError> {
        let key = (sa.protocol().number(), sa.spi());
        if self.by_spi.contains_key(&key) {
            return Err(SaDbError::DuplicateSpi(sa.spi()));
        }
        let id = self.push_slot(Entry::In(sa));
        self.by_spi.insert(key, id.0 - 1);
        Ok(id)
    }

    /// Installs an outbound SA.
    pub fn install_outbound(&mut self, sa: Box<O>) -> SaId {
        self.push_slot(Entry::Out(sa))
    }

    fn slot(&self, id: SaId) -> Option<&Slot<I, O>> {
        self.slots.get((id.0 as usize).checked_sub(1)?)?.as_ref()
    }

    fn slot_mut(&mut self, id: SaId) -> Option<&mut Slot<I, O>> {
        self.slots
            .get_mut((id.0 as usize).checked_sub(1)?)?
            .as_mut()
    }

    /// The inbound SA `id`.
    pub fn inbound_mut(&mut self, id: SaId) -> Option<&mut I> {
        match &mut self.slot_mut(id)?.entry {
            Entry::In(sa) => Some(sa),
            Entry::Out(_) => None,
        }
    }

    /// The outbound SA `id`.
    pub fn outbound_mut(&mut self, id: SaId) -> Option<&mut O> {
        match &mut self.slot_mut(id)?.entry {
            Entry::Out(sa) => Some(sa),
            Entry::In(_) => None,
        }
    }

    /// Groups SAs of one direction into a bundle, outermost (first on the wire) first, e.g.
    /// `[ah, esp]` for AH+ESP.
    pub fn bundle(&mut self, sas: &[SaId]) -> Result<BundleId, SaDbError> {
        if sas.is_empty() || sas.len() > MAX_NESTING {
            return Err(SaDbError::BundleSize);
        }
        let mut inbound = None;
        for &id in sas {
            let slot = self.slot(id).ok_or(SaDbError::NoSuchSa(id))?;
            if slot.bundle.is_some() {
                return Err(SaDbError::AlreadyInBundle(id));
            }
            let is_in = matches!(slot.entry, Entry::In(_));
            if *inbound.get_or_insert(is_in) != is_in {
                return Err(SaDbError::WrongDirection(id));
            }
        }
        let mut b = Bundle {
            sas: [0; MAX_NESTING],
            len: sas.len() as u8,
            inbound: inbound.unwrap_or(true),
        };
        for (i, id) in sas.iter().enumerate() {
            b.sas[i] = id.0 - 1;
        }
        self.bundles.push(Some(b));
        let bid = self.bundles.len() as u32 - 1;
        for (i, &id) in sas.iter().enumerate() {
            if let Some(s) = self.slot_mut(id) {
                s.bundle = Some((bid, i as u8));
            }
        }
        Ok(BundleId(bid))
    }

    /// Dissolves a bundle; its SAs stay installed but process no packets (`SA N is not in a
    /// bundle`) until bundled again.
    pub fn unbundle(&mut self, b: BundleId) -> Result<(), SaDbError> {
        let bundle = self
            .bundles
            .get_mut(b.0 as usize)
            .and_then(Option::take)
            .ok_or(SaDbError::NoSuchBundle(b))?;
        for &i in bundle.members() {
            if let Some(Some(s)) = self.slots.get_mut(i as usize) {
                s.bundle = None;
            }
        }
        Ok(())
    }

    /// Removes an SA (and dissolves its bundle).
    pub fn remove(&mut self, id: SaId) -> Result<(), SaDbError> {
        let slot = self.slot(id).ok_or(SaDbError::NoSuchSa(id))?;
        if let Some((b, _)) = slot.bundle {
            self.unbundle(BundleId(b))?;
        }
        if let Some(Some(s)) = self.slots.get((id.0 - 1) as usize)
            && let Entry::In(sa) = &s.entry
        {
            self.by_spi.remove(&(sa.protocol().number(), sa.spi()));
        }
        if let Some(s) = self.slots.get_mut((id.0 - 1) as usize) {
            *s = None;
        }
        Ok(())
    }

    /// The inbound SA for a protocol, SPI and (if the SA is bound to one) destination.
    pub fn lookup(
        &self,
        protocol: IpsecProtocol,
        spi: u32,
        dst: Option<core::net::Ipv4Addr>,
    ) -> Option<SaId> {
        let idx = *self.by_spi.get(&(protocol.number(), spi))?;
        let id = SaId(idx + 1);
        match (&self.slot(id)?.entry, dst) {
            (Entry::In(sa), Some(d)) if sa.destination().is_some_and(|x| x != d) => None,
            _ => Some(id),
        }
    }

    /// Removes every IPsec layer addressed to installed SAs from the IPv4 packet in `pkt`, in
    /// place. See the module docs for the checks and their drop reasons.
    pub fn decapsulate(
        &mut self,
        now: Instant,
        pkt: &mut PacketBuf<'_>,
    ) -> Result<Inbound, DropReason> {
        let mut out = Inbound::new(InboundKind::Clear);
        loop {
            let (protocol, spi, dst) = match classify(pkt.bytes(), self.nat_t_port)? {
                Classified::Ipsec {
                    protocol, spi, dst, ..
                } => (protocol, spi, dst),
                Classified::NatKeepalive if out.layers == 0 => {
                    return Ok(Inbound::new(InboundKind::NatKeepalive));
                }
                Classified::Ike if out.layers == 0 => return Ok(Inbound::new(InboundKind::Ike)),
                _ => return Ok(out),
            };
            let Some(&idx) = self.by_spi.get(&(protocol.number(), spi)) else {
                if out.layers > 0 {
                    // IPsec inside our tunnel but not for us: the host forwards it.
                    return Ok(out);
                }
                return Err(DropReason::SpiNotFound { spi });
            };
            let first = SaId(idx + 1);
            let slot = self.slot(first).ok_or(DropReason::SpiNotFound { spi })?;
            if let Entry::In(sa) = &slot.entry
                && sa.destination().is_some_and(|d| d != dst)
            {
                return Err(DropReason::TunnelHeaderMismatch { sa: first.0 });
            }
            let (bid, pos) = slot
                .bundle
                .ok_or(DropReason::SaNotInBundle { sa: first.0 })?;
            if pos != 0 {
                return Err(DropReason::SaNotFirstInBundle { sa: first.0 });
            }
            let bundle = self
                .bundles
                .get(bid as usize)
                .and_then(Option::as_ref)
                .ok_or(DropReason::SaNotInBundle { sa: first.0 })?;
            let members = bundle.sas;
            let n = usize::from(bundle.len);
            for (i, &m) in members.iter().take(n).enumerate() {
                let id = SaId(m + 1);
                if i > 0 {
                    let Some(Some(Slot {
                        entry: Entry::In(sa),
                        ..
                    })) = self.slots.get(m as usize)
                    else {
                        return Err(DropReason::SaNotInBundle { sa: id.0 });
                    };
                    let (want_p, want_spi) = (sa.protocol(), sa.spi());
                    match classify(pkt.bytes(), self.nat_t_port)? {
                        Classified::Ipsec { protocol, spi, .. }
                            if protocol == want_p && spi == want_spi => {}
                        Classified::Ipsec { spi, .. } => {
                            return Err(DropReason::SpiNotInBundle { spi });
                        }
                        _ => return Err(DropReason::LacksRequiredIpsecLayer),
                    }
                }
                if usize::from(out.layers) >= MAX_NESTING {
                    return Err(DropReason::TooManyNestedEncapsulations);
                }
                let Some(Some(Slot {
                    entry: Entry::In(sa),
                    ..
                })) = self.slots.get_mut(m as usize)
                else {
                    return Err(DropReason::SaNotInBundle { sa: id.0 });
                };
                let d = sa
                    .decapsulate(now, pkt)
                    .map_err(|error| DropReason::Decapsulation { sa: id.0, error })?;
                if let Some(event) = d.event {
                    self.events.push(SaEvent { sa: id, event });
                }
                out.sas[usize::from(out.layers)] = id;
                out.layers += 1;
                out.kind = InboundKind::Decapsulated;
            }
            for &m in members.iter().take(n) {
                if let Some(Some(Slot {
                    entry: Entry::In(sa),
                    ..
                })) = self.slots.get(m as usize)
                    && sa.selector().is_some_and(|s| !s.matches(pkt.bytes()))
                {
                    return Err(DropReason::DecapsulatedHeaderMismatch { sa: m + 1 });
                }
            }
        }
    }

    /// Applies outbound bundle `b` to the IP packet in `pkt` (innermost SA first).
    pub fn encapsulate(
        &mut self,
        now: Instant,
        b: BundleId,
        pkt: &mut PacketBuf<'_>,
    ) -> Result<Outbound, DropReason> {
        self.encapsulate_nested(now, &[b], pkt)
    }

    /// Applies several outbound bundles, the first one innermost (nested IPsec). More than 16
    /// layers in all → `too many nested encapsulations (recursive policy?)`.
    pub fn encapsulate_nested(
        &mut self,
        now: Instant,
        bundles: &[BundleId],
        pkt: &mut PacketBuf<'_>,
    ) -> Result<Outbound, DropReason> {
        let mut layers = 0usize;
        for &b in bundles {
            let Some(Some(bundle)) = self.bundles.get(b.0 as usize) else {
                return Err(DropReason::IpsecPolicy);
            };
            if bundle.inbound {
                return Err(DropReason::IpsecPolicy);
            }
            let members = bundle.sas;
            let n = usize::from(bundle.len);
            for &m in members.iter().take(n).rev() {
                if layers >= MAX_NESTING {
                    return Err(DropReason::TooManyNestedEncapsulationsRecursive);
                }
                let Some(Some(Slot {
                    entry: Entry::Out(sa),
                    ..
                })) = self.slots.get_mut(m as usize)
                else {
                    return Err(DropReason::SaNotInBundle { sa: m + 1 });
                };
                let e = sa
                    .encapsulate(now, pkt)
                    .map_err(|error| DropReason::Encapsulation { sa: m + 1, error })?;
                if let Some(event) = e.event {
                    self.events.push(SaEvent {
                        sa: SaId(m + 1),
                        event,
                    });
                }
                layers += 1;
            }
        }
        Ok(Outbound {
            layers: layers as u8,
        })
    }

    /// Checks time lifetimes of every SA (call at the host's timer); events go to the queue.
    pub fn handle_timeout(&mut self, now: Instant) {
        for (i, slot) in self.slots.iter_mut().enumerate() {
            let Some(slot) = slot else { continue };
            let e = match &mut slot.entry {
                Entry::In(sa) => sa.poll_lifetime(now),
                Entry::Out(sa) => sa.poll_lifetime(now),
            };
            if let Some(event) = e {
                self.events.push(SaEvent {
                    sa: SaId(i as u32 + 1),
                    event,
                });
            }
        }
    }

    /// The next lifetime event.
    pub fn poll_event(&mut self) -> Option<SaEvent> {
        self.events.pop()
    }

    /// Events dropped because the queue was full.
    pub fn events_lost(&self) -> u64 {
        self.events.lost
    }

    /// `sa_mgr show` data of every SA.
    pub fn listing(&self, now: Instant) -> impl Iterator<Item = (SaId, SaListing)> + '_ {
        self.slots.iter().enumerate().filter_map(move |(i, s)| {
            let s = s.as_ref()?;
            let l = match &s.entry {
                Entry::In(sa) => sa.listing(now),
                Entry::Out(sa) => sa.listing(now),
            };
            Some((SaId(i as u32 + 1), l))
        })
    }
}
