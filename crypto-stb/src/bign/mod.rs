//! STB 34.101.45 **bign**: key generation, public-key validation, signatures (bign-with-hbelt and
//! a prehash API for any hash), deterministic `k` (bign-genk), key transport
//! (bign-keytransport) and the ECDH use of the curves, on bign-curve256v1 and — hand-written on
//! the same generic arithmetic — bign-curve384v1 and bign-curve512v1.
//!
//! What comes from crates: the GF(p)/GF(q) arithmetic of curve 256 (`bignp256`, fiat-crypto),
//! the Montgomery arithmetic of curves 384/512 (`primefield`/`crypto-bigint`), belt-hash,
//! belt-block / belt-wblock, and bign-genk (`bign-genk`). Written here: the point arithmetic
//! ([`point`]), the fixed-base table for curve 256 ([`table256`]), the sign/verify equations,
//! key transport with belt-kwp (`belt-kwp(X ‖ I, θ) = belt-wblock(X ‖ I, θ)`), and the provider
//! adapters. The `bignp256` crate's own signer serves as an independent second implementation
//! in the tests.
//!
//! Encodings (STB 34.101.45): integers little-endian; private key `d` in `2l/8` bytes; public key
//! `x ‖ y` (`4l/8` bytes); signature `S0 ‖ S1` (`l/8 + 2l/8` bytes, 48 for curve 256).
//!
//! This module must not: accept a public point without validating it (every decoding checks
//! `x, y < p` and the curve equation), branch or index on a secret scalar, or print secrets.

pub mod curve;
pub mod point;
mod table256;

#[cfg(feature = "alloc")]
mod provider_impl;
#[cfg(feature = "alloc")]
pub use provider_impl::*;

use belt_hash::{BeltHash, Digest};
use digest::const_oid::AssociatedOid;
use primefield::ff::{Field, PrimeField};
use subtle::{ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroize;

pub use curve::{BignCurve, Curve256, Curve384, Curve512};
use point::{Affine, ProjectivePoint, fe_from_le, is_on_curve, lift_x};

use crate::{Error, Rng};

/// DER of the belt-hash OID `1.2.112.0.2.0.34.101.31.81` (enters `S0` and bign-genk).
pub const BELT_HASH_OID_DER: [u8; 11] = [
    0x06, 0x09, 0x2A, 0x70, 0x00, 0x02, 0x00, 0x22, 0x65, 0x1F, 0x51,
];

/// Largest coordinate/scalar length (curve 512).
pub const MAX_LEN: usize = 64;
/// Largest signature length (curve 512: 32 + 64).
pub const MAX_SIG_LEN: usize = 96;

/// Signature length `3l/8` of curve `C`.
pub const fn sig_len<C: BignCurve>() -> usize {
    C::L / 8 + C::LEN
}

/// Decodes a scalar in `[0, q)`.
pub(crate) fn sc_from_le<C: BignCurve>(bytes: &[u8]) -> Option<C::Sc> {
    let mut repr = <C::Sc as PrimeField>::Repr::default();
    if bytes.len() != repr.as_ref().len() {
        return None;
    }
    repr.as_mut().copy_from_slice(bytes);
    C::Sc::from_repr(repr).into()
}

/// `H mod q` for a `2l`-bit `H` (one conditional subtraction suffices: `q > 2^{2l−1}`),
/// constant time.
fn sc_reduce<C: BignCurve>(h: &[u8]) -> Result<C::Sc, Error> {
    let n = C::LEN;
    if h.len() != n {
        return Err(Error::InvalidLength);
    }
    let mut repr = <C::Sc as PrimeField>::Repr::default();
    repr.as_mut().copy_from_slice(h);
    let in_range = C::Sc::from_repr(repr.clone()).is_some();
    let mut diff = [0u8; MAX_LEN];
    let mut borrow = 0i16;
    for i in 0..n {
        let v = i16::from(h[i]) - i16::from(C::Q_LE[i]) - borrow;
        diff[i] = v as u8;
        borrow = (v >> 8) & 1;
    }
    for (r, d) in repr.as_mut().iter_mut().zip(diff.iter()) {
        *r = u8::conditional_select(d, r, in_range);
    }
    diff.zeroize();
    Option::from(C::Sc::from_repr(repr)).ok_or(Error::InvalidLength)
}

/// `S0 + 2^l` as a scalar.
pub(crate) fn s0_plus_2l<C: BignCurve>(s0: &[u8]) -> C::Sc {
    let mut repr = <C::Sc as PrimeField>::Repr::default();
    let r = repr.as_mut();
    r[..s0.len()].copy_from_slice(s0);
    r[s0.len()] = 1;
    // < 2^{l+1} < q: always in range.
    Option::from(C::Sc::from_repr(repr)).unwrap_or(C::Sc::ONE)
}

fn write_le<F: PrimeField>(f: &F, out: &mut [u8]) {
    out.copy_from_slice(f.to_repr().as_ref());
}

/// `S0 = Lo(belt-hash(oid ‖ x(R) ‖ H), l)`.
fn compute_s0<C: BignCurve>(oid_der: &[u8], rx: &C::Fe, h: &[u8], out: &mut [u8]) {
    let mut hasher = BeltHash::new();
    hasher.update(oid_der);
    hasher.update(rx.to_repr().as_ref());
    hasher.update(h);
    let t = hasher.finalize();
    out.copy_from_slice(&t[..C::L / 8]);
}

/// DER of an OID value.
fn oid_der<M: AssociatedOid>(out: &mut [u8; 32]) -> &[u8] {
    let body = M::OID.as_bytes();
    let n = body.len().min(30);
    out[0] = 0x06;
    out[1] = n as u8;
    out[2..2 + n].copy_from_slice(&body[..n]);
    &out[..2 + n]
}

/// Draws a scalar in `[1, q)` the way bee2 does: `LEN` random bytes, retried while out of range.
pub(crate) fn random_scalar<C: BignCurve>(rng: &mut dyn Rng) -> Result<C::Sc, Error> {
    let mut buf = [0u8; MAX_LEN];
    for _ in 0..64 {
        rng.fill(&mut buf[..C::LEN])?;
        if let Some(k) = sc_from_le::<C>(&buf[..C::LEN]) {
            if !bool::from(k.is_zero()) {
                buf.zeroize();
                return Ok(k);
            }
        }
    }
    buf.zeroize();
    Err(Error::RngFailure)
}

// ---------------------------------------------------------------------------------------------
// Keys

/// A validated bign public key (a curve point other than the identity).
pub struct PublicKey<C: BignCurve> {
    point: Affine<C::Fe>,
}

impl<C: BignCurve> Clone for PublicKey<C> {
    fn clone(&self) -> Self {
        PublicKey { point: self.point }
    }
}

impl<C: BignCurve> core::fmt::Debug for PublicKey<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PublicKey")
            .field("curve", &C::NAME)
            .finish()
    }
}

impl<C: BignCurve> PartialEq for PublicKey<C> {
    fn eq(&self, other: &Self) -> bool {
        self.point == other.point
    }
}

/// Decodes and validates a point `x ‖ y` (STB 34.101.45 §6.1.4 / bee2 `bignPubkeyVal`):
/// lengths, `x, y < p`, curve equation (the cofactor is 1, so that is the whole check).
pub fn decode_point<C: BignCurve>(bytes: &[u8]) -> Result<Affine<C::Fe>, Error> {
    if bytes.len() != 2 * C::LEN {
        return Err(Error::InvalidPublicKey);
    }
    let (xb, yb) = bytes.split_at(C::LEN);
    let x = fe_from_le::<C>(xb).ok_or(Error::InvalidPublicKey)?;
    let y = fe_from_le::<C>(yb).ok_or(Error::InvalidPublicKey)?;
    let p = Affine { x, y };
    if bool::from(is_on_curve::<C>(&p)) {
        Ok(p)
    } else {
        Err(Error::InvalidPublicKey)
    }
}

impl<C: BignCurve> PublicKey<C> {
    /// Parses and validates `x ‖ y` (little-endian, `2·LEN` bytes).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        Ok(PublicKey {
            point: decode_point::<C>(bytes)?,
        })
    }

    /// The point.
    pub fn point(&self) -> &Affine<C::Fe> {
        &self.point
    }

    /// Writes `x ‖ y` into `out` (`2·LEN` bytes).
    pub fn write_bytes(&self, out: &mut [u8]) -> Result<(), Error> {
        if out.len() != 2 * C::LEN {
            return Err(Error::BufferTooSmall);
        }
        let (xo, yo) = out.split_at_mut(C::LEN);
        write_le(&self.point.x, xo);
        write_le(&self.point.y, yo);
        Ok(())
    }

    /// `x ‖ y`.
    #[cfg(feature = "alloc")]
    pub fn to_bytes(&self) -> alloc::vec::Vec<u8> {
        let mut v = alloc::vec![0u8; 2 * C::LEN];
        // Length is right by construction.
        let _ = self.write_bytes(&mut v);
        v
    }

    /// Verifies `sig = S0 ‖ S1` over the hash value `h` (`2l/8` bytes) of a hash whose OID DER is
    /// `oid_der` (STB 34.101.45 §6.2.3).
    pub fn verify_prehash(&self, oid_der: &[u8], h: &[u8], sig: &[u8]) -> Result<(), Error> {
        let l8 = C::L / 8;
        if sig.len() != l8 + C::LEN || h.len() != C::LEN {
            return Err(Error::InvalidSignature);
        }
        let (s0, s1) = sig.split_at(l8);
        let s1 = sc_from_le::<C>(s1).ok_or(Error::InvalidSignature)?;
        let hs = sc_reduce::<C>(h).map_err(|_| Error::InvalidSignature)?;
        let u = s1 + hs;
        let v = s0_plus_2l::<C>(s0);
        let q = ProjectivePoint::<C>::from_affine(&self.point);
        let r = C::lincomb_vartime(&u, &v, &q);
        let r = Option::<Affine<C::Fe>>::from(r.to_affine()).ok_or(Error::InvalidSignature)?;
        let mut t = [0u8; 32];
        compute_s0::<C>(oid_der, &r.x, h, &mut t[..l8]);
        if bool::from(t[..l8].ct_eq(s0)) {
            Ok(())
        } else {
            Err(Error::InvalidSignature)
        }
    }

    /// bign key transport (STB 34.101.45 §7.2, bign-keytransport): wraps `key` (≥ 16 bytes) with
    /// header `header` (16 bytes) into `token` = `x(kG) ‖ belt-kwp(key ‖ header, θ)` with
    /// `θ = Lo(x(kQ), 256)`; `token.len()` must be `LEN + key.len() + 16`. `k` comes from `rng`.
    pub fn wrap_key(
        &self,
        rng: &mut dyn Rng,
        key: &[u8],
        header: &[u8; 16],
        token: &mut [u8],
    ) -> Result<(), Error> {
        let k = random_scalar::<C>(rng)?;
        self.wrap_key_with_k(&k, key, header, token)
    }

    /// [`PublicKey::wrap_key`] with an explicit ephemeral `k` (known-answer tests; `k` must be
    /// secret and uniform in real use).
    pub fn wrap_key_with_k(
        &self,
        k: &C::Sc,
        key: &[u8],
        header: &[u8; 16],
        token: &mut [u8],
    ) -> Result<(), Error> {
        if key.len() < 16 {
            return Err(Error::InvalidLength);
        }
        if token.len() != C::LEN + key.len() + 16 {
            return Err(Error::BufferTooSmall);
        }
        if bool::from(k.is_zero()) {
            return Err(Error::InvalidPrivateKey);
        }
        let r = Option::<Affine<C::Fe>>::from(C::mul_generator(k).to_affine())
            .ok_or(Error::InvalidPrivateKey)?;
        let s = Option::<Affine<C::Fe>>::from(
            ProjectivePoint::<C>::from_affine(&self.point)
                .mul(k)
                .to_affine(),
        )
        .ok_or(Error::InvalidPublicKey)?;
        let mut theta = [0u8; 32];
        theta.copy_from_slice(&s.x.to_repr().as_ref()[..32]);
        let (rx, body) = token.split_at_mut(C::LEN);
        write_le(&r.x, rx);
        body[..key.len()].copy_from_slice(key);
        body[key.len()..].copy_from_slice(header);
        let res = kwp_wrap(&theta, body);
        theta.zeroize();
        res
    }
}

/// belt-kwp wrap in place: `belt-wblock` of `X ‖ I` under `θ` (STB 34.101.31 §6.8).
/// Private here; the belt module of the crate carries the full belt-kwp API.
fn kwp_wrap(theta: &[u8; 32], data: &mut [u8]) -> Result<(), Error> {
    let mut kw = key_words(theta);
    let r = belt_block::belt_wblock_enc(data, &kw).map_err(|_| Error::InvalidLength);
    kw.zeroize();
    r
}

/// belt-kwp unwrap in place; checks the trailing 16-byte header in constant time.
fn kwp_unwrap(theta: &[u8; 32], data: &mut [u8], header: &[u8; 16]) -> Result<(), Error> {
    let mut kw = key_words(theta);
    let r = belt_block::belt_wblock_dec(data, &kw).map_err(|_| Error::InvalidLength);
    kw.zeroize();
    r?;
    let n = data.len();
    if n < 16 || !bool::from(data[n - 16..].ct_eq(header)) {
        data.zeroize();
        return Err(Error::AuthenticationFailed);
    }
    Ok(())
}

fn key_words(k: &[u8; 32]) -> [u32; 8] {
    let mut w = [0u32; 8];
    for (wi, c) in w.iter_mut().zip(k.chunks_exact(4)) {
        *wi = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
    }
    w
}

/// A bign private key `d ∈ [1, q)` with its public key `Q = dG`; zeroized on drop.
pub struct PrivateKey<C: BignCurve> {
    d: C::Sc,
    public: PublicKey<C>,
}

impl<C: BignCurve> Drop for PrivateKey<C> {
    fn drop(&mut self) {
        self.d = C::Sc::ZERO;
        // Keep the store from being optimised away.
        core::hint::black_box(&self.d);
    }
}

impl<C: BignCurve> core::fmt::Debug for PrivateKey<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PrivateKey")
            .field("curve", &C::NAME)
            .finish_non_exhaustive()
    }
}

impl<C: BignCurve> PrivateKey<C> {
    fn from_scalar(d: C::Sc) -> Result<Self, Error> {
        if bool::from(d.is_zero()) {
            return Err(Error::InvalidPrivateKey);
        }
        let point = Option::<Affine<C::Fe>>::from(C::mul_generator(&d).to_affine())
            .ok_or(Error::InvalidPrivateKey)?;
        Ok(PrivateKey {
            d,
            public: PublicKey { point },
        })
    }

    /// Parses `d` (little-endian, `LEN` bytes, `1 ≤ d < q`).
    pub fn from_bytes(d: &[u8]) -> Result<Self, Error> {
        Self::from_scalar(sc_from_le::<C>(d).ok_or(Error::InvalidPrivateKey)?)
    }

    /// Generates a key pair (bee2 `bignKeypairGen`: `LEN` bytes from `rng`, retried until in range).
    pub fn generate(rng: &mut dyn Rng) -> Result<Self, Error> {
        Self::from_scalar(random_scalar::<C>(rng)?)
    }

    /// Writes `d` (little-endian) into `out` (`LEN` bytes).
    pub fn write_bytes(&self, out: &mut [u8]) -> Result<(), Error> {
        if out.len() != C::LEN {
            return Err(Error::BufferTooSmall);
        }
        write_le(&self.d, out);
        Ok(())
    }

    /// The public key.
    pub fn public_key(&self) -> &PublicKey<C> {
        &self.public
    }

    /// bign-genk (STB 34.101.45 §6.3.3): the deterministic `k` for hash value `h` of a hash whose
    /// OID is `M::OID`, with optional extra data `t`.
    pub fn genk<M: AssociatedOid>(&self, h: &[u8], t: &[u8]) -> Result<C::Sc, Error> {
        if h.len() != C::LEN {
            return Err(Error::InvalidLength);
        }
        let mut d = self.d.to_repr();
        let mut kgen = bign_genk::KGenerator::<belt_block::BeltBlock, C::Uint>::new::<M>(
            d.as_ref(),
            h,
            t,
            C::q_uint(),
        );
        d.as_mut().zeroize();
        let mut kb = [0u8; MAX_LEN];
        let mut out = None;
        for _ in 0..64 {
            kgen.fill_next_k(&mut kb[..C::LEN]);
            if let Some(k) = sc_from_le::<C>(&kb[..C::LEN]) {
                if !bool::from(k.is_zero()) {
                    out = Some(k);
                    break;
                }
            }
        }
        kb.zeroize();
        out.ok_or(Error::InvalidPrivateKey)
    }

    /// Signs the hash value `h` with an explicit `k` (STB 34.101.45 §6.2.2, steps 3–7); writes
    /// `S0 ‖ S1` into `sig` ([`sig_len`] bytes). For known-answer tests: `k` must be secret,
    /// uniform and never reused.
    pub fn sign_prehash_with_k(
        &self,
        oid_der: &[u8],
        h: &[u8],
        k: &C::Sc,
        sig: &mut [u8],
    ) -> Result<(), Error> {
        let l8 = C::L / 8;
        if h.len() != C::LEN {
            return Err(Error::InvalidLength);
        }
        if sig.len() != l8 + C::LEN {
            return Err(Error::BufferTooSmall);
        }
        if bool::from(k.is_zero()) {
            return Err(Error::InvalidPrivateKey);
        }
        let hs = sc_reduce::<C>(h)?;
        let r = Option::<Affine<C::Fe>>::from(C::mul_generator(k).to_affine())
            .ok_or(Error::InvalidPrivateKey)?;
        let (s0, s1) = sig.split_at_mut(l8);
        compute_s0::<C>(oid_der, &r.x, h, s0);
        let s1v = *k - hs - s0_plus_2l::<C>(s0) * self.d;
        write_le(&s1v, s1);
        Ok(())
    }

    /// Signs `h` with the deterministic `k` of bign-genk (hash OID `M::OID`, extra data `t`).
    pub fn sign_prehash_det<M: AssociatedOid>(
        &self,
        h: &[u8],
        t: &[u8],
        sig: &mut [u8],
    ) -> Result<(), Error> {
        let mut der = [0u8; 32];
        let oid = oid_der::<M>(&mut der);
        let k = self.genk::<M>(h, t)?;
        self.sign_prehash_with_k(oid, h, &k, sig)
    }

    /// Signs `h` with a random `k` drawn from `rng`.
    pub fn sign_prehash_random(
        &self,
        oid_der: &[u8],
        h: &[u8],
        rng: &mut dyn Rng,
        sig: &mut [u8],
    ) -> Result<(), Error> {
        let k = random_scalar::<C>(rng)?;
        self.sign_prehash_with_k(oid_der, h, &k, sig)
    }

    /// Unwraps a bign key-transport token (STB 34.101.45 §7.2.3) into `key`
    /// (`token.len() − LEN − 16` bytes); fails with [`Error::AuthenticationFailed`] when the header
    /// does not match and [`Error::InvalidPublicKey`] when `x(R)` is not on the curve.
    pub fn unwrap_key(&self, token: &[u8], header: &[u8; 16], key: &mut [u8]) -> Result<(), Error> {
        if token.len() < C::LEN + 32 {
            return Err(Error::InvalidLength);
        }
        let (rx, body) = token.split_at(C::LEN);
        if key.len() != body.len() - 16 {
            return Err(Error::BufferTooSmall);
        }
        let x = fe_from_le::<C>(rx).ok_or(Error::InvalidPublicKey)?;
        let r = Option::<Affine<C::Fe>>::from(lift_x::<C>(&x)).ok_or(Error::InvalidPublicKey)?;
        let s = Option::<Affine<C::Fe>>::from(
            ProjectivePoint::<C>::from_affine(&r)
                .mul(&self.d)
                .to_affine(),
        )
        .ok_or(Error::InvalidPublicKey)?;
        let mut theta = [0u8; 32];
        theta.copy_from_slice(&s.x.to_repr().as_ref()[..32]);
        let mut buf = [0u8; 512];
        let res = match buf.get_mut(..body.len()) {
            Some(b) => {
                b.copy_from_slice(body);
                kwp_unwrap(&theta, b, header).map(|()| key.copy_from_slice(&b[..key.len()]))
            }
            None => Err(Error::InvalidLength),
        };
        theta.zeroize();
        buf.zeroize();
        res
    }

    /// ECDH on the curve: `x(d·Q)` (little-endian, `LEN` bytes) for a validated peer key.
    pub fn agree(&self, peer: &PublicKey<C>, out: &mut [u8]) -> Result<(), Error> {
        if out.len() != C::LEN {
            return Err(Error::BufferTooSmall);
        }
        let s = ProjectivePoint::<C>::from_affine(&peer.point).mul(&self.d);
        let s = Option::<Affine<C::Fe>>::from(s.to_affine()).ok_or(Error::InvalidPublicKey)?;
        write_le(&s.x, out);
        Ok(())
    }

    /// `d` as a scalar (for bake).
    pub(crate) fn scalar(&self) -> &C::Sc {
        &self.d
    }
}

/// Convenience for the product's scheme bign-with-hbelt on curve 256.
impl PrivateKey<Curve256> {
    /// Signs `message` with bign-with-hbelt: `H = belt-hash(message)`, deterministic `k` from
    /// bign-genk with extra data `t` (may be empty; a random `t` protects against fault attacks).
    pub fn sign_hbelt(&self, message: &[u8], t: &[u8]) -> Result<[u8; 48], Error> {
        let h: [u8; 32] = BeltHash::digest(message).into();
        let mut sig = [0u8; 48];
        self.sign_prehash_det::<BeltHash>(&h, t, &mut sig)?;
        Ok(sig)
    }
}

impl PublicKey<Curve256> {
    /// Verifies a bign-with-hbelt signature over `message`.
    pub fn verify_hbelt(&self, message: &[u8], sig: &[u8]) -> Result<(), Error> {
        let h: [u8; 32] = BeltHash::digest(message).into();
        self.verify_prehash(&BELT_HASH_OID_DER, &h, sig)
    }
}
