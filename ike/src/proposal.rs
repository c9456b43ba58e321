//! SA payloads: encoding our phase-1 and phase-2 proposals, reading the peer's, and choosing
//! (lsp.md §7.5: the responder's order prevails; lifetimes are the minimum of both sides).
//!
//! Attribute classes and values: RFC 2409 appendix A (phase 1), RFC 2407 §4.5 (phase 2),
//! RFC 3947 (UDP encapsulation modes), crypto.md §6. Algorithms are looked up in the provider by
//! wire number; a transform naming anything the provider lacks is skipped, never an error.
//! This module must not hold keys or protocol state.

use alloc::vec::Vec;

use zubr_crypto_stb::CryptoProvider;
use zubr_crypto_stb::provider::{EspCipher, Group, IkeCipher, IkeHash, Integrity};

use crate::codec::{
    self, Attribute, CodecError, KEY_IKE, ProtocolId, SaBuilder, SaPayload, Transform,
};
use crate::config::{AuthMethod, EspTransform, IkeTransform, IpsecMode};

/// Phase-1 attribute classes.
mod p1 {
    pub const ENCRYPTION: u16 = 1;
    pub const HASH: u16 = 2;
    pub const AUTH: u16 = 3;
    pub const GROUP: u16 = 4;
    pub const GROUP_TYPE: u16 = 5;
    pub const LIFE_TYPE: u16 = 11;
    pub const LIFE_DURATION: u16 = 12;
    pub const PRF: u16 = 13;
    pub const KEY_LENGTH: u16 = 14;
}

/// Phase-2 attribute classes.
mod p2 {
    pub const LIFE_TYPE: u16 = 1;
    pub const LIFE_DURATION: u16 = 2;
    pub const GROUP: u16 = 3;
    pub const ENCAP: u16 = 4;
    pub const AUTH: u16 = 5;
    pub const KEY_LENGTH: u16 = 6;
    pub const ESN: u16 = 11;
}

const LIFE_SECONDS: u64 = 1;
const LIFE_KILOBYTES: u64 = 2;

/// Encapsulation Mode values.
pub mod encap {
    /// Tunnel.
    pub const TUNNEL: u16 = 1;
    /// Transport.
    pub const TRANSPORT: u16 = 2;
    /// UDP-Encapsulated-Tunnel (RFC 3947).
    pub const UDP_TUNNEL: u16 = 3;
    /// UDP-Encapsulated-Transport (RFC 3947).
    pub const UDP_TRANSPORT: u16 = 4;
    /// UDP-Encapsulated-Tunnel (drafts).
    pub const UDP_TUNNEL_DRAFT: u16 = 61443;
    /// UDP-Encapsulated-Transport (drafts).
    pub const UDP_TRANSPORT_DRAFT: u16 = 61444;
}

/// The Encapsulation Mode value for `mode`, UDP-encapsulated or not, RFC or draft numbering.
pub fn encap_mode(mode: IpsecMode, udp: bool, draft: bool) -> u16 {
    match (mode, udp, draft) {
        (IpsecMode::Tunnel, false, _) => encap::TUNNEL,
        (IpsecMode::Transport, false, _) => encap::TRANSPORT,
        (IpsecMode::Tunnel, true, false) => encap::UDP_TUNNEL,
        (IpsecMode::Transport, true, false) => encap::UDP_TRANSPORT,
        (IpsecMode::Tunnel, true, true) => encap::UDP_TUNNEL_DRAFT,
        (IpsecMode::Transport, true, true) => encap::UDP_TRANSPORT_DRAFT,
    }
}

/// A negotiated phase-1 suite.
#[derive(Clone, Copy)]
pub struct Phase1Choice {
    /// Cipher.
    pub cipher: &'static IkeCipher,
    /// Hash / PRF.
    pub hash: &'static IkeHash,
    /// DH group.
    pub group: &'static Group,
    /// Authentication Method value.
    pub auth_method: u16,
    /// Lifetime in seconds (0 = none given).
    pub lifetime_secs: u32,
    /// Lifetime in kilobytes (0 = none).
    pub lifetime_kb: u32,
}

impl core::fmt::Debug for Phase1Choice {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{} {} {} auth {}",
            self.cipher.sa_name, self.hash.sa_name, self.group.sa_name, self.auth_method
        )
    }
}

fn lifetimes(attrs: &[Attribute<'_>], type_class: u16, dur_class: u16) -> Option<(u32, u32)> {
    let (mut secs, mut kb) = (0u32, 0u32);
    let mut current = None;
    for a in attrs {
        if a.class == type_class {
            current = Some(a.value.as_u64()?);
        } else if a.class == dur_class {
            let v = u32::try_from(a.value.as_u64()?).unwrap_or(u32::MAX);
            match current {
                Some(LIFE_SECONDS) => secs = v,
                Some(LIFE_KILOBYTES) => kb = v,
                _ => return None,
            }
        }
    }
    Some((secs, kb))
}

fn attr(attrs: &[Attribute<'_>], class: u16) -> Option<u64> {
    attrs
        .iter()
        .find(|a| a.class == class)
        .and_then(|a| a.value.as_u64())
}

/// Reads one ISAKMP transform; `None` when it names something the provider lacks or is
/// malformed.
pub fn parse_phase1_transform(p: &CryptoProvider, t: &Transform<'_>) -> Option<Phase1Choice> {
    if t.id != KEY_IKE {
        return None;
    }
    let a = &t.attributes;
    if attr(a, p1::GROUP_TYPE).is_some_and(|g| g != 1 && g != 2) || attr(a, p1::PRF).is_some() {
        return None;
    }
    let enc = u16::try_from(attr(a, p1::ENCRYPTION)?).ok()?;
    let key_bits = match attr(a, p1::KEY_LENGTH) {
        Some(b) => Some(u16::try_from(b).ok()?),
        None => None,
    };
    let cipher = p.ike_cipher(enc, key_bits)?;
    let hash = p.ike_hash(u16::try_from(attr(a, p1::HASH)?).ok()?)?;
    let group = p.group(u16::try_from(attr(a, p1::GROUP)?).ok()?)?;
    let auth_method = u16::try_from(attr(a, p1::AUTH)?).ok()?;
    let (lifetime_secs, lifetime_kb) = lifetimes(a, p1::LIFE_TYPE, p1::LIFE_DURATION)?;
    Some(Phase1Choice {
        cipher,
        hash,
        group,
        auth_method,
        lifetime_secs,
        lifetime_kb,
    })
}

fn phase1_attrs(t: &IkeTransform, auth: u16) -> Vec<u8> {
    let mut v = Vec::with_capacity(40);
    codec::emit_attr_basic(&mut v, p1::ENCRYPTION, t.cipher.attribute);
    if let Some(bits) = t.cipher.key_bits {
        codec::emit_attr_basic(&mut v, p1::KEY_LENGTH, bits);
    }
    codec::emit_attr_basic(&mut v, p1::HASH, t.hash.attribute);
    codec::emit_attr_basic(&mut v, p1::GROUP, t.group.id);
    codec::emit_attr_basic(&mut v, p1::AUTH, auth);
    if t.lifetime_secs > 0 {
        codec::emit_attr_basic(&mut v, p1::LIFE_TYPE, 1);
        codec::emit_attr_u32(&mut v, p1::LIFE_DURATION, t.lifetime_secs);
    }
    if t.lifetime_kb > 0 {
        codec::emit_attr_basic(&mut v, p1::LIFE_TYPE, 2);
        codec::emit_attr_u32(&mut v, p1::LIFE_DURATION, t.lifetime_kb);
    }
    v
}

/// Our phase-1 SA payload body: one ISAKMP proposal with a transform per (transform, auth
/// method) pair, in priority order.
pub fn phase1_sa(transforms: &[IkeTransform], auth: &[AuthMethod]) -> Result<Vec<u8>, CodecError> {
    let wires: Vec<u16> = auth.iter().map(AuthMethod::wire).collect();
    phase1_sa_wires(transforms, &wires)
}

/// [`phase1_sa`] with the Authentication Method values given directly (XAuth variants).
pub fn phase1_sa_wires(transforms: &[IkeTransform], auth: &[u16]) -> Result<Vec<u8>, CodecError> {
    let attrs: Vec<Vec<u8>> = transforms
        .iter()
        .flat_map(|t| auth.iter().map(move |a| phase1_attrs(t, *a)))
        .collect();
    let ts: Vec<(u8, &[u8])> = attrs.iter().map(|a| (KEY_IKE, a.as_slice())).collect();
    let mut b = SaBuilder::new();
    b.proposal(1, ProtocolId::ISAKMP, &[], &ts)?;
    Ok(b.finish())
}

fn same_suite(c: &Phase1Choice, t: &IkeTransform) -> bool {
    core::ptr::eq(c.cipher, t.cipher) && core::ptr::eq(c.hash, t.hash) && c.group.id == t.group.id
}

fn min_nonzero(a: u32, b: u32) -> u32 {
    match (a, b) {
        (0, x) | (x, 0) => x,
        (x, y) => x.min(y),
    }
}

/// Responder: walks our transforms in order and picks the first one the initiator offered.
/// Returns the choice (lifetimes = min of both) and the reply SA body (the chosen transform
/// echoed as received).
pub fn select_phase1(
    p: &CryptoProvider,
    ours: &[IkeTransform],
    auth: &[AuthMethod],
    sa: &SaPayload<'_>,
) -> Option<(Phase1Choice, Vec<u8>)> {
    let wires: Vec<u16> = auth.iter().map(AuthMethod::wire).collect();
    select_phase1_wires(p, ours, &wires, sa)
}

/// [`select_phase1`] with the Authentication Method values given directly.
pub fn select_phase1_wires(
    p: &CryptoProvider,
    ours: &[IkeTransform],
    auth: &[u16],
    sa: &SaPayload<'_>,
) -> Option<(Phase1Choice, Vec<u8>)> {
    if sa.doi != codec::DOI_IPSEC {
        return None;
    }
    let prop = sa
        .proposals
        .iter()
        .find(|pr| pr.protocol == ProtocolId::ISAKMP)?;
    let offered: Vec<(Phase1Choice, &Transform<'_>)> = prop
        .transforms
        .iter()
        .filter_map(|t| parse_phase1_transform(p, t).map(|c| (c, t)))
        .collect();
    for o in ours {
        for a in auth {
            if let Some((c, t)) = offered
                .iter()
                .find(|(c, _)| same_suite(c, o) && c.auth_method == *a)
            {
                let mut choice = *c;
                choice.lifetime_secs = min_nonzero(c.lifetime_secs, o.lifetime_secs);
                choice.lifetime_kb = min_nonzero(c.lifetime_kb, o.lifetime_kb);
                let mut b = SaBuilder::new();
                b.proposal_raw(
                    prop.number,
                    ProtocolId::ISAKMP,
                    prop.spi,
                    1,
                    &codec::echo_transform(t),
                )
                .ok()?;
                return Some((choice, b.finish()));
            }
        }
    }
    None
}

/// Initiator: checks the responder's reply names exactly one transform we offered.
pub fn accept_phase1_reply(
    p: &CryptoProvider,
    ours: &[IkeTransform],
    auth: &[AuthMethod],
    sa: &SaPayload<'_>,
) -> Option<Phase1Choice> {
    let wires: Vec<u16> = auth.iter().map(AuthMethod::wire).collect();
    accept_phase1_reply_wires(p, ours, &wires, sa)
}

/// [`accept_phase1_reply`] with the Authentication Method values given directly.
pub fn accept_phase1_reply_wires(
    p: &CryptoProvider,
    ours: &[IkeTransform],
    auth: &[u16],
    sa: &SaPayload<'_>,
) -> Option<Phase1Choice> {
    let [prop] = sa.proposals.as_slice() else {
        return None;
    };
    let [t] = prop.transforms.as_slice() else {
        return None;
    };
    let c = parse_phase1_transform(p, t)?;
    let o = ours.iter().find(|o| same_suite(&c, o))?;
    if !auth.contains(&c.auth_method) {
        return None;
    }
    let mut c = c;
    c.lifetime_secs = min_nonzero(c.lifetime_secs, o.lifetime_secs);
    c.lifetime_kb = min_nonzero(c.lifetime_kb, o.lifetime_kb);
    Some(c)
}

/// A negotiated phase-2 suite.
#[derive(Clone, Copy)]
pub struct Phase2Choice {
    /// ESP cipher.
    pub cipher: &'static EspCipher,
    /// Integrity (None for an AEAD).
    pub integrity: Option<&'static Integrity>,
    /// PFS group.
    pub pfs: Option<&'static Group>,
    /// Encapsulation Mode value.
    pub encap: u16,
    /// Lifetime in seconds.
    pub lifetime_secs: u32,
    /// Lifetime in kilobytes.
    pub lifetime_kb: u32,
}

impl Phase2Choice {
    /// KEYMAT bytes per direction: cipher key (incl. salt) then integrity key.
    pub fn keymat_len(&self) -> usize {
        self.cipher.cipher.key_len() + self.integrity.map_or(0, |i| i.mac.key_len())
    }
}

impl core::fmt::Debug for Phase2Choice {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}", self.cipher.sa_name)?;
        if let Some(i) = self.integrity {
            write!(f, " {}", i.esp_sa_name)?;
        }
        write!(f, " encap {}", self.encap)
    }
}

fn phase2_attrs(t: &EspTransform, pfs: Option<&Group>, encap_value: u16) -> Vec<u8> {
    let mut v = Vec::with_capacity(40);
    if t.lifetime_secs > 0 {
        codec::emit_attr_basic(&mut v, p2::LIFE_TYPE, 1);
        codec::emit_attr_u32(&mut v, p2::LIFE_DURATION, t.lifetime_secs);
    }
    if t.lifetime_kb > 0 {
        codec::emit_attr_basic(&mut v, p2::LIFE_TYPE, 2);
        codec::emit_attr_u32(&mut v, p2::LIFE_DURATION, t.lifetime_kb);
    }
    if let Some(g) = pfs {
        codec::emit_attr_basic(&mut v, p2::GROUP, g.id);
    }
    codec::emit_attr_basic(&mut v, p2::ENCAP, encap_value);
    if let Some(i) = t.integrity {
        codec::emit_attr_basic(&mut v, p2::AUTH, i.auth_algorithm);
    }
    if let Some(bits) = t.cipher.key_bits {
        codec::emit_attr_basic(&mut v, p2::KEY_LENGTH, bits);
    }
    v
}

/// Our phase-2 SA payload body: one ESP proposal with SPI `spi` and a transform per
/// [`EspTransform`].
pub fn phase2_sa(
    spi: [u8; 4],
    transforms: &[EspTransform],
    pfs: Option<&Group>,
    encap_value: u16,
) -> Result<Vec<u8>, CodecError> {
    let attrs: Vec<Vec<u8>> = transforms
        .iter()
        .map(|t| phase2_attrs(t, pfs, encap_value))
        .collect();
    let ts: Vec<(u8, &[u8])> = transforms
        .iter()
        .zip(&attrs)
        .map(|(t, a)| (t.cipher.transform_id, a.as_slice()))
        .collect();
    let mut b = SaBuilder::new();
    b.proposal(1, ProtocolId::ESP, &spi, &ts)?;
    Ok(b.finish())
}

/// Reads one ESP transform.
pub fn parse_phase2_transform(p: &CryptoProvider, t: &Transform<'_>) -> Option<Phase2Choice> {
    let a = &t.attributes;
    if attr(a, p2::ESN).is_some_and(|v| v != 0) {
        return None;
    }
    let key_bits = match attr(a, p2::KEY_LENGTH) {
        Some(b) => Some(u16::try_from(b).ok()?),
        None => None,
    };
    let cipher = p.esp_cipher(t.id, key_bits)?;
    let integrity = match attr(a, p2::AUTH) {
        Some(v) => Some(p.integrity(u16::try_from(v).ok()?)?),
        None => None,
    };
    if cipher.is_aead() == integrity.is_some() {
        return None;
    }
    let pfs = match attr(a, p2::GROUP) {
        Some(g) => Some(p.group(u16::try_from(g).ok()?)?),
        None => None,
    };
    let encap = u16::try_from(attr(a, p2::ENCAP).unwrap_or(u64::from(encap::TUNNEL))).ok()?;
    let (mut lifetime_secs, lifetime_kb) = lifetimes(a, p2::LIFE_TYPE, p2::LIFE_DURATION)?;
    if lifetime_secs == 0 && lifetime_kb == 0 {
        lifetime_secs = 28800; // RFC 2407 §4.5 default
    }
    Some(Phase2Choice {
        cipher,
        integrity,
        pfs,
        encap,
        lifetime_secs,
        lifetime_kb,
    })
}

fn same_esp(c: &Phase2Choice, t: &EspTransform) -> bool {
    core::ptr::eq(c.cipher, t.cipher)
        && match (c.integrity, t.integrity) {
            (Some(a), Some(b)) => core::ptr::eq(a, b),
            (None, None) => true,
            _ => false,
        }
}

/// Responder: the first of our transforms the initiator offered in an ESP proposal, with the
/// peer's SPI and the reply SA body (our `spi`, the transform echoed).
pub fn select_phase2(
    p: &CryptoProvider,
    ours: &[EspTransform],
    sa: &SaPayload<'_>,
    our_spi: [u8; 4],
) -> Option<(Phase2Choice, [u8; 4], Vec<u8>)> {
    if sa.doi != codec::DOI_IPSEC {
        return None;
    }
    let offered: Vec<(Phase2Choice, &Transform<'_>, &codec::Proposal<'_>)> = sa
        .proposals
        .iter()
        .filter(|pr| pr.protocol == ProtocolId::ESP && pr.spi.len() == 4)
        // a bundle (AH+ESP under one number) is not supported: skip such proposals
        .filter(|pr| {
            sa.proposals
                .iter()
                .filter(|q| q.number == pr.number)
                .count()
                == 1
        })
        .flat_map(|pr| {
            pr.transforms
                .iter()
                .filter_map(move |t| parse_phase2_transform(p, t).map(|c| (c, t, pr)))
        })
        .collect();
    for o in ours {
        if let Some((c, t, pr)) = offered.iter().find(|(c, _, _)| same_esp(c, o)) {
            let mut choice = *c;
            choice.lifetime_secs = min_nonzero(c.lifetime_secs, o.lifetime_secs);
            choice.lifetime_kb = min_nonzero(c.lifetime_kb, o.lifetime_kb);
            let peer_spi: [u8; 4] = pr.spi.try_into().ok()?;
            let mut b = SaBuilder::new();
            b.proposal_raw(
                pr.number,
                ProtocolId::ESP,
                &our_spi,
                1,
                &codec::echo_transform(t),
            )
            .ok()?;
            return Some((choice, peer_spi, b.finish()));
        }
    }
    None
}

/// Initiator: checks the reply names one transform we offered (same PFS group and
/// encapsulation); returns it and the responder's SPI.
pub fn accept_phase2_reply(
    p: &CryptoProvider,
    ours: &[EspTransform],
    pfs: Option<&Group>,
    encap_value: u16,
    sa: &SaPayload<'_>,
) -> Option<(Phase2Choice, [u8; 4])> {
    let [prop] = sa.proposals.as_slice() else {
        return None;
    };
    let [t] = prop.transforms.as_slice() else {
        return None;
    };
    if prop.protocol != ProtocolId::ESP {
        return None;
    }
    let c = parse_phase2_transform(p, t)?;
    let o = ours.iter().find(|o| same_esp(&c, o))?;
    if c.pfs.map(|g| g.id) != pfs.map(|g| g.id) || c.encap != encap_value {
        return None;
    }
    let spi: [u8; 4] = prop.spi.try_into().ok()?;
    let mut c = c;
    c.lifetime_secs = min_nonzero(c.lifetime_secs, o.lifetime_secs);
    c.lifetime_kb = min_nonzero(c.lifetime_kb, o.lifetime_kb);
    Some((c, spi))
}
