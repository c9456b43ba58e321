//! GOST R 34.10-2001 signatures (RFC 5832) over the CryptoPro curves of RFC 4357 §11.4 (A, B, C,
//! XchA, XchB) and the standard's test curve.
//!
//! Hand-written: no maintained crate of the current RustCrypto line implements GOST R 34.10 (and
//! the curves need `a ≠ −3` support for the test curve). Field and scalar arithmetic are
//! `crypto-bigint`'s constant-time Montgomery forms (`FixedMontyForm`); points use the complete
//! projective formulas of Renes–Costello–Batina (2016, algorithms 1 and 3, any `a`), valid on every
//! curve here because all have prime order (cofactor 1). Scalar multiplication is a fixed 4-bit
//! window with constant-time table selection, used for signing, key generation and verification.
//!
//! Conventions (RFC 4491 §2.2, gost-engine):
//! * the hash value is read as a **little-endian** integer α, e = α mod q (e = 1 if 0);
//! * a signature is 64 bytes `s ‖ r`, each big-endian;
//! * a public key is 64 bytes `x ‖ y`, each **little-endian** (the content of the certificate's
//!   OCTET STRING); a private key is 32 bytes, little-endian ([`SecretKey::from_le_bytes`]) or
//!   big-endian ([`SecretKey::from_be_bytes`]).
//!
//! This module does no hashing and no ASN.1; it never panics on input.

use core::fmt;

use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Odd, U256, Word};
use subtle::{ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroize;

use crate::{Error, Rng};

const LIMBS: usize = U256::LIMBS;
type Fe = FixedMontyForm<LIMBS>;
type Params = FixedMontyParams<LIMBS>;

/// Length of a public key (x ‖ y, little-endian).
pub const PUBLIC_KEY_LEN: usize = 64;
/// Length of a signature (s ‖ r, big-endian).
pub const SIGNATURE_LEN: usize = 64;
/// Length of a private key and of a hash value.
pub const SCALAR_LEN: usize = 32;

/// A GOST R 34.10-2001 curve y² = x³ + ax + b over F_p with a base point of prime order q.
pub struct Curve {
    /// Parameter-set name (RFC 4357).
    pub name: &'static str,
    /// Parameter-set OID.
    pub oid: &'static str,
    p: Params,
    q: Params,
    a: Fe,
    b: Fe,
    b3: Fe,
    gx: Fe,
    gy: Fe,
    q_bits: u32,
}

impl fmt::Debug for Curve {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Curve({})", self.name)
    }
}

impl Curve {
    /// Builds a curve from big-endian hex (64 digits each): a, b, p, q, x, y.
    const fn new(name: &'static str, oid: &'static str, [a, b, p, q, x, y]: [&str; 6]) -> Curve {
        let p = Params::new(Odd::<U256>::from_be_hex(p));
        let q_int = U256::from_be_hex(q);
        let q_params = Params::new(Odd::<U256>::from_be_hex(q));
        let bf = Fe::new(&U256::from_be_hex(b), &p);
        Curve {
            name,
            oid,
            a: Fe::new(&U256::from_be_hex(a), &p),
            b: bf,
            b3: bf.add(&bf).add(&bf),
            gx: Fe::new(&U256::from_be_hex(x), &p),
            gy: Fe::new(&U256::from_be_hex(y), &p),
            p,
            q: q_params,
            q_bits: q_int.bit_width(),
        }
    }

    /// The prime p.
    pub fn p(&self) -> U256 {
        *self.p.modulus().as_ref()
    }

    /// The group order q.
    pub fn q(&self) -> U256 {
        *self.q.modulus().as_ref()
    }

    fn generator(&self) -> Point {
        Point {
            x: self.gx,
            y: self.gy,
            z: Fe::one(&self.p),
        }
    }

    fn is_on_curve(&self, x: &Fe, y: &Fe) -> bool {
        let rhs = x.square().mul(x).add(&self.a.mul(x)).add(&self.b);
        bool::from(y.square().ct_eq(&rhs))
    }

    /// `v mod q` for any 256-bit `v`.
    fn reduce_q(&self, v: &U256) -> U256 {
        Fe::new(v, &self.q).retrieve()
    }
}

const A_HEX: [&str; 6] = [
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD94",
    "00000000000000000000000000000000000000000000000000000000000000A6",
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893",
    "0000000000000000000000000000000000000000000000000000000000000001",
    "8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E14",
];
const B_HEX: [&str; 6] = [
    "8000000000000000000000000000000000000000000000000000000000000C96",
    "3E1AF419A269A5F866A7D3C25C3DF80AE979259373FF2B182F49D4CE7E1BBC8B",
    "8000000000000000000000000000000000000000000000000000000000000C99",
    "800000000000000000000000000000015F700CFFF1A624E5E497161BCC8A198F",
    "0000000000000000000000000000000000000000000000000000000000000001",
    "3FA8124359F96680B83D1C3EB2C070E5C545C9858D03ECFB744BF8D717717EFC",
];
const C_HEX: [&str; 6] = [
    "9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D7598",
    "000000000000000000000000000000000000000000000000000000000000805A",
    "9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D759B",
    "9B9F605F5A858107AB1EC85E6B41C8AA582CA3511EDDFB74F02F3A6598980BB9",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "41ECE55743711A8C3CBF3783CD08C0EE4D4DC440D4641A8F366E550DFDB3BB67",
];
const TEST_HEX: [&str; 6] = [
    "0000000000000000000000000000000000000000000000000000000000000007",
    "5FBFF498AA938CE739B8E022FBAFEF40563F6E6A3472FC2A514C0CE9DAE23B7E",
    "8000000000000000000000000000000000000000000000000000000000000431",
    "8000000000000000000000000000000150FE8A1892976154C59CFC193ACCF5B3",
    "0000000000000000000000000000000000000000000000000000000000000002",
    "08E2A8A0E65147D4BD6316030E16D19C85C97F0A9CA267122B96ABBCEA7E8FC8",
];

/// id-GostR3410-2001-CryptoPro-A-ParamSet.
pub static CRYPTOPRO_A: Curve = Curve::new(
    "id-GostR3410-2001-CryptoPro-A-ParamSet",
    "1.2.643.2.2.35.1",
    A_HEX,
);
/// id-GostR3410-2001-CryptoPro-B-ParamSet.
pub static CRYPTOPRO_B: Curve = Curve::new(
    "id-GostR3410-2001-CryptoPro-B-ParamSet",
    "1.2.643.2.2.35.2",
    B_HEX,
);
/// id-GostR3410-2001-CryptoPro-C-ParamSet.
pub static CRYPTOPRO_C: Curve = Curve::new(
    "id-GostR3410-2001-CryptoPro-C-ParamSet",
    "1.2.643.2.2.35.3",
    C_HEX,
);
/// id-GostR3410-2001-CryptoPro-XchA-ParamSet (the curve of A under the key-exchange OID).
pub static CRYPTOPRO_XCHA: Curve = Curve::new(
    "id-GostR3410-2001-CryptoPro-XchA-ParamSet",
    "1.2.643.2.2.36.0",
    A_HEX,
);
/// id-GostR3410-2001-CryptoPro-XchB-ParamSet (the curve of C under the key-exchange OID).
pub static CRYPTOPRO_XCHB: Curve = Curve::new(
    "id-GostR3410-2001-CryptoPro-XchB-ParamSet",
    "1.2.643.2.2.36.1",
    C_HEX,
);
/// id-GostR3410-2001-TestParamSet (RFC 5832 §7, the standard's example curve).
pub static TEST: Curve = Curve::new(
    "id-GostR3410-2001-TestParamSet",
    "1.2.643.2.2.35.0",
    TEST_HEX,
);

/// Every curve of this module.
pub static CURVES: [&Curve; 6] = [
    &CRYPTOPRO_A,
    &CRYPTOPRO_B,
    &CRYPTOPRO_C,
    &CRYPTOPRO_XCHA,
    &CRYPTOPRO_XCHB,
    &TEST,
];

/// A curve by parameter-set OID.
pub fn curve_by_oid(oid: &str) -> Option<&'static Curve> {
    CURVES.iter().copied().find(|c| c.oid == oid)
}

// ---------------------------------------------------------------------------------------------
// Points

/// A point in projective coordinates (X : Y : Z); the identity is (0 : 1 : 0).
#[derive(Clone, Copy)]
struct Point {
    x: Fe,
    y: Fe,
    z: Fe,
}

impl ConditionallySelectable for Point {
    fn conditional_select(a: &Self, b: &Self, choice: subtle::Choice) -> Self {
        Point {
            x: Fe::conditional_select(&a.x, &b.x, choice),
            y: Fe::conditional_select(&a.y, &b.y, choice),
            z: Fe::conditional_select(&a.z, &b.z, choice),
        }
    }
}

impl Point {
    fn identity(c: &Curve) -> Point {
        Point {
            x: Fe::zero(&c.p),
            y: Fe::one(&c.p),
            z: Fe::zero(&c.p),
        }
    }

    /// Complete addition (Renes–Costello–Batina 2016, algorithm 1).
    fn add(&self, o: &Point, c: &Curve) -> Point {
        let (a, b3) = (&c.a, &c.b3);
        let t0 = self.x.mul(&o.x);
        let t1 = self.y.mul(&o.y);
        let t2 = self.z.mul(&o.z);
        let t3 = self.x.add(&self.y).mul(&o.x.add(&o.y));
        let t4 = t0.add(&t1);
        let t3 = t3.sub(&t4);
        let t4 = self.x.add(&self.z).mul(&o.x.add(&o.z));
        let t5 = t0.add(&t2);
        let t4 = t4.sub(&t5);
        let t5 = self.y.add(&self.z).mul(&o.y.add(&o.z));
        let x3 = t1.add(&t2);
        let t5 = t5.sub(&x3);
        let z3 = a.mul(&t4);
        let x3 = b3.mul(&t2);
        let z3 = x3.add(&z3);
        let x3 = t1.sub(&z3);
        let z3 = t1.add(&z3);
        let y3 = x3.mul(&z3);
        let t1 = t0.add(&t0).add(&t0);
        let t2 = a.mul(&t2);
        let t4 = b3.mul(&t4);
        let t1 = t1.add(&t2);
        let t2 = a.mul(&t0.sub(&t2));
        let t4 = t4.add(&t2);
        let t0 = t1.mul(&t4);
        let y3 = y3.add(&t0);
        let t0 = t5.mul(&t4);
        let x3 = t3.mul(&x3).sub(&t0);
        let t0 = t3.mul(&t1);
        let z3 = t5.mul(&z3).add(&t0);
        Point {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// Complete doubling (Renes–Costello–Batina 2016, algorithm 3).
    fn double(&self, c: &Curve) -> Point {
        let (a, b3) = (&c.a, &c.b3);
        let t0 = self.x.square();
        let t1 = self.y.square();
        let t2 = self.z.square();
        let t3 = self.x.mul(&self.y).double();
        let z3 = self.x.mul(&self.z).double();
        let x3 = a.mul(&z3);
        let y3 = b3.mul(&t2).add(&x3);
        let x3 = t1.sub(&y3);
        let y3 = t1.add(&y3);
        let y3 = x3.mul(&y3);
        let x3 = t3.mul(&x3);
        let z3 = b3.mul(&z3);
        let t2 = a.mul(&t2);
        let t3 = a.mul(&t0.sub(&t2)).add(&z3);
        let t0 = t0.double().add(&t0).add(&t2);
        let y3 = y3.add(&t0.mul(&t3));
        let t2 = self.y.mul(&self.z).double();
        let x3 = x3.sub(&t2.mul(&t3));
        let z3 = t2.mul(&t1).double().double();
        Point {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// Affine coordinates; `None` for the identity.
    fn to_affine(self) -> Option<(Fe, Fe)> {
        let zi = self.z.invert().into_option()?;
        Some((self.x.mul(&zi), self.y.mul(&zi)))
    }

    /// k·P in constant time (4-bit fixed window, constant-time table lookup).
    fn mul(&self, k: &U256, c: &Curve) -> Point {
        let mut table = [Point::identity(c); 16];
        table[1] = *self;
        for i in 2..16 {
            table[i] = if i % 2 == 0 {
                table[i / 2].double(c)
            } else {
                table[i - 1].add(self, c)
            };
        }
        let mut acc = Point::identity(c);
        for w in (0..64).rev() {
            if w != 63 {
                for _ in 0..4 {
                    acc = acc.double(c);
                }
            }
            let nib = nibble(k, w);
            let mut sel = Point::identity(c);
            for (i, e) in table.iter().enumerate() {
                sel.conditional_assign(e, (i as u8).ct_eq(&nib));
            }
            acc = acc.add(&sel, c);
        }
        acc
    }
}

/// Nibble `w` (0 = least significant) of `k`.
fn nibble(k: &U256, w: usize) -> u8 {
    let bits = Word::BITS as usize;
    let bit = w * 4;
    let word = k.as_words().get(bit / bits).copied().unwrap_or(0);
    ((word >> (bit % bits)) & 0xf) as u8
}

// ---------------------------------------------------------------------------------------------
// Keys and signatures

/// Reads a hash value the GOST way: the 32 bytes as a little-endian integer α.
pub fn hash_to_integer(digest: &[u8; SCALAR_LEN]) -> U256 {
    U256::from_le_slice(digest)
}

/// A signature (r, s), 0 < r, s < q.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Signature {
    r: U256,
    s: U256,
}

impl Signature {
    /// Parses the 64-byte form `s ‖ r` (big-endian each). Range is checked at verification.
    pub fn from_bytes(bytes: &[u8]) -> Result<Signature, Error> {
        let b: &[u8; SIGNATURE_LEN] = bytes.try_into().map_err(|_| Error::InvalidSignature)?;
        let (s, r) = b.split_at(SCALAR_LEN);
        Ok(Signature {
            r: U256::from_be_slice(r),
            s: U256::from_be_slice(s),
        })
    }

    /// The 64-byte form `s ‖ r`.
    pub fn to_bytes(&self) -> [u8; SIGNATURE_LEN] {
        let mut out = [0u8; SIGNATURE_LEN];
        out[..SCALAR_LEN].copy_from_slice(&self.s.to_be_bytes());
        out[SCALAR_LEN..].copy_from_slice(&self.r.to_be_bytes());
        out
    }

    /// From the two integers.
    pub fn from_scalars(r: U256, s: U256) -> Signature {
        Signature { r, s }
    }

    /// r.
    pub fn r(&self) -> U256 {
        self.r
    }

    /// s.
    pub fn s(&self) -> U256 {
        self.s
    }
}

/// A public key Q = dP on a curve, validated (coordinates < p, on the curve).
#[derive(Clone, Copy)]
pub struct PublicKey {
    curve: &'static Curve,
    x: Fe,
    y: Fe,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({}, ", self.curve.name)?;
        for b in self.to_le_bytes() {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, o: &Self) -> bool {
        core::ptr::eq(self.curve, o.curve) && self.to_le_bytes() == o.to_le_bytes()
    }
}

impl PublicKey {
    /// From affine coordinates; fails unless 0 ≤ x, y < p and the point is on the curve.
    pub fn from_coordinates(curve: &'static Curve, x: &U256, y: &U256) -> Result<Self, Error> {
        let p = curve.p();
        if x >= &p || y >= &p {
            return Err(Error::InvalidPublicKey);
        }
        let (x, y) = (Fe::new(x, &curve.p), Fe::new(y, &curve.p));
        if !curve.is_on_curve(&x, &y) {
            return Err(Error::InvalidPublicKey);
        }
        Ok(PublicKey { curve, x, y })
    }

    /// From the 64-byte `x ‖ y` little-endian encoding of RFC 4491 §2.3.2.
    pub fn from_le_bytes(curve: &'static Curve, bytes: &[u8]) -> Result<Self, Error> {
        let b: &[u8; PUBLIC_KEY_LEN] = bytes.try_into().map_err(|_| Error::InvalidPublicKey)?;
        let (x, y) = b.split_at(SCALAR_LEN);
        Self::from_coordinates(curve, &U256::from_le_slice(x), &U256::from_le_slice(y))
    }

    /// The 64-byte `x ‖ y` little-endian encoding.
    pub fn to_le_bytes(&self) -> [u8; PUBLIC_KEY_LEN] {
        let mut out = [0u8; PUBLIC_KEY_LEN];
        out[..SCALAR_LEN].copy_from_slice(&self.x.retrieve().to_le_bytes());
        out[SCALAR_LEN..].copy_from_slice(&self.y.retrieve().to_le_bytes());
        out
    }

    /// Affine coordinates (x, y).
    pub fn coordinates(&self) -> (U256, U256) {
        (self.x.retrieve(), self.y.retrieve())
    }

    /// The curve.
    pub fn curve(&self) -> &'static Curve {
        self.curve
    }

    /// Verifies `sig` over a hash value already read as the integer α ([`hash_to_integer`]).
    pub fn verify_prehashed(&self, alpha: &U256, sig: &Signature) -> Result<(), Error> {
        let c = self.curve;
        let q = c.q();
        if bool::from(sig.r.is_zero()) || bool::from(sig.s.is_zero()) || sig.r >= q || sig.s >= q {
            return Err(Error::InvalidSignature);
        }
        let e = nonzero_e(c, alpha);
        let v = e.invert().into_option().ok_or(Error::InvalidSignature)?;
        let z1 = Fe::new(&sig.s, &c.q).mul(&v).retrieve();
        let z2 = Fe::new(&sig.r, &c.q).neg().mul(&v).retrieve();
        let q_pt = Point {
            x: self.x,
            y: self.y,
            z: Fe::one(&c.p),
        };
        let sum = c.generator().mul(&z1, c).add(&q_pt.mul(&z2, c), c);
        let (x, _) = sum.to_affine().ok_or(Error::InvalidSignature)?;
        if c.reduce_q(&x.retrieve()) == sig.r {
            Ok(())
        } else {
            Err(Error::InvalidSignature)
        }
    }
}

/// e = α mod q, replaced by 1 when zero (GOST R 34.10-2001 §6.1 step 2).
fn nonzero_e(c: &Curve, alpha: &U256) -> Fe {
    let e = Fe::new(alpha, &c.q);
    let zero = e.retrieve().is_zero();
    Fe::conditional_select(&e, &Fe::one(&c.q), zero.into())
}

/// A private key d, 0 < d < q. Zeroized on drop; `Debug` shows only the curve.
pub struct SecretKey {
    curve: &'static Curve,
    d: U256,
}

impl Drop for SecretKey {
    fn drop(&mut self) {
        self.d.zeroize();
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey({}, ..)", self.curve.name)
    }
}

impl SecretKey {
    /// From the integer d; fails unless 0 < d < q.
    pub fn from_scalar(curve: &'static Curve, d: &U256) -> Result<Self, Error> {
        if bool::from(d.is_zero()) || d >= &curve.q() {
            return Err(Error::InvalidPrivateKey);
        }
        Ok(SecretKey { curve, d: *d })
    }

    /// From 32 big-endian bytes.
    pub fn from_be_bytes(curve: &'static Curve, bytes: &[u8]) -> Result<Self, Error> {
        let b: &[u8; SCALAR_LEN] = bytes.try_into().map_err(|_| Error::InvalidPrivateKey)?;
        let mut d = U256::from_be_slice(b);
        let k = Self::from_scalar(curve, &d);
        d.zeroize();
        k
    }

    /// From 32 little-endian bytes (the CryptoPro/gost-engine private-key encoding).
    pub fn from_le_bytes(curve: &'static Curve, bytes: &[u8]) -> Result<Self, Error> {
        let b: &[u8; SCALAR_LEN] = bytes.try_into().map_err(|_| Error::InvalidPrivateKey)?;
        let mut d = U256::from_le_slice(b);
        let k = Self::from_scalar(curve, &d);
        d.zeroize();
        k
    }

    /// A fresh key from `rng`.
    pub fn generate(curve: &'static Curve, rng: &mut dyn Rng) -> Result<Self, Error> {
        let mut d = random_scalar(curve, rng)?;
        let k = Self::from_scalar(curve, &d);
        d.zeroize();
        k
    }

    /// The curve.
    pub fn curve(&self) -> &'static Curve {
        self.curve
    }

    /// Q = dP.
    pub fn public_key(&self) -> Result<PublicKey, Error> {
        let c = self.curve;
        let (x, y) = c
            .generator()
            .mul(&self.d, c)
            .to_affine()
            .ok_or(Error::InvalidPrivateKey)?;
        Ok(PublicKey { curve: c, x, y })
    }

    /// Signs the hash value α with the given k (0 < k < q). For known-answer tests and for
    /// callers that derive k themselves; fails with [`Error::InvalidSignature`] when r or s would
    /// be zero (choose another k).
    pub fn sign_prehashed_with_k(&self, alpha: &U256, k: &U256) -> Result<Signature, Error> {
        let c = self.curve;
        if bool::from(k.is_zero()) || k >= &c.q() {
            return Err(Error::InvalidSignature);
        }
        let e = nonzero_e(c, alpha);
        let (x, _) = c
            .generator()
            .mul(k, c)
            .to_affine()
            .ok_or(Error::InvalidSignature)?;
        let r = c.reduce_q(&x.retrieve());
        if bool::from(r.is_zero()) {
            return Err(Error::InvalidSignature);
        }
        let mut d = Fe::new(&self.d, &c.q);
        let mut kf = Fe::new(k, &c.q);
        let s = Fe::new(&r, &c.q).mul(&d).add(&kf.mul(&e)).retrieve();
        d.zeroize();
        kf.zeroize();
        if bool::from(s.is_zero()) {
            return Err(Error::InvalidSignature);
        }
        Ok(Signature { r, s })
    }

    /// Signs the hash value α with a random k from `rng`.
    pub fn sign_prehashed(&self, alpha: &U256, rng: &mut dyn Rng) -> Result<Signature, Error> {
        for _ in 0..8 {
            let mut k = random_scalar(self.curve, rng)?;
            let sig = self.sign_prehashed_with_k(alpha, &k);
            k.zeroize();
            if let Ok(sig) = sig {
                return Ok(sig);
            }
        }
        Err(Error::RngFailure)
    }
}

/// A uniformly random scalar in [1, q): rejection sampling on q's bit length.
fn random_scalar(c: &Curve, rng: &mut dyn Rng) -> Result<U256, Error> {
    let q = c.q();
    let shift = 256 - c.q_bits;
    for _ in 0..128 {
        let mut buf = [0u8; SCALAR_LEN];
        rng.fill(&mut buf)?;
        let k = U256::from_be_slice(&buf).shr_vartime(shift);
        buf.zeroize();
        if !bool::from(k.is_zero()) && k < q {
            return Ok(k);
        }
    }
    Err(Error::RngFailure)
}

#[cfg(test)]
pub(crate) mod testing {
    //! Access to the point arithmetic for the unit tests.
    use super::*;

    /// Checks that `double` and `add(P, P)` agree on k·G for a few k, and that q·G is the identity.
    pub(crate) fn check_arithmetic(c: &'static Curve) -> bool {
        let g = c.generator();
        let mut p = g;
        for _ in 0..5 {
            let d1 = p.double(c).to_affine();
            let d2 = p.add(&p, c).to_affine();
            let same = match (d1, d2) {
                (Some((x1, y1)), Some((x2, y2))) => {
                    bool::from(x1.ct_eq(&x2)) && bool::from(y1.ct_eq(&y2))
                }
                _ => false,
            };
            if !same {
                return false;
            }
            p = p.add(&g, c).double(c);
        }
        let (gx, gy) = (c.gx, c.gy);
        c.is_on_curve(&gx, &gy) && g.mul(&c.q(), c).to_affine().is_none()
    }
}
