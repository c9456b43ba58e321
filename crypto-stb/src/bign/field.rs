//! Field arithmetic for the bign curves.
//!
//! * [`BignField`]: the operations the point arithmetic needs, implemented for the
//!   `primefield`/`crypto-bigint` Montgomery types of curves 384/512 and for [`Fe256`].
//! * [`Fe256`]: GF(p) for bign-curve256v1, `p = 2^256 − 189`, hand-written for speed (the hot path
//!   of bign-256 signing): four 64-bit limbs, values kept in `[0, 2^256)` and reduced with
//!   `2^256 ≡ 189 (mod p)` (two multiply-by-189 folds after a product instead of a Montgomery
//!   reduction), fully reduced only when encoded or compared. Inversion and square root are fixed
//!   addition chains (Fermat). Every operation runs in constant time: fixed loops, carries
//!   computed arithmetically, no data-dependent branch or index.
//!
//! This module must not contain anything curve- or protocol-specific.

#![allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]

use core::fmt;
use core::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq, CtOption};

/// What the bign point arithmetic needs from a prime field GF(p), `p ≡ 3 (mod 4)`.
pub trait BignField:
    Copy
    + Send
    + Sync
    + 'static
    + fmt::Debug
    + Default
    + ConditionallySelectable
    + ConstantTimeEq
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
{
    /// 0.
    const ZERO: Self;
    /// 1.
    const ONE: Self;
    /// `self²`.
    fn square(&self) -> Self;
    /// `2·self`.
    fn double(&self) -> Self;
    /// `1/self`; none for 0.
    fn invert(&self) -> CtOption<Self>;
    /// `self^{(p+1)/4}`: a square root of `self` when one exists, else a root of `−self`.
    fn pow_p1_4(&self) -> Self;
    /// A square root, if `self` is a square.
    fn sqrt(&self) -> CtOption<Self> {
        let r = self.pow_p1_4();
        CtOption::new(r, r.square().ct_eq(self))
    }
    /// `self == 0`.
    fn is_zero(&self) -> Choice {
        self.ct_eq(&Self::ZERO)
    }
    /// A small integer.
    fn from_u64(v: u64) -> Self;
    /// Decodes a little-endian element (`None` unless `bytes` has the field's length and
    /// encodes a value `< p`).
    fn from_le(bytes: &[u8]) -> Option<Self>;
    /// Writes the canonical little-endian encoding (`out` has the field's length).
    fn write_le(&self, out: &mut [u8]);
}

/// Implements [`BignField`] for a `primefield` type (delegating to `ff`).
macro_rules! impl_bign_field_ff {
    ($t:ty) => {
        impl $crate::bign::field::BignField for $t {
            const ZERO: Self = <$t>::ZERO;
            const ONE: Self = <$t>::ONE;
            fn square(&self) -> Self {
                primefield::ff::Field::square(self)
            }
            fn double(&self) -> Self {
                primefield::ff::Field::double(self)
            }
            fn invert(&self) -> subtle::CtOption<Self> {
                primefield::ff::Field::invert(self)
            }
            fn pow_p1_4(&self) -> Self {
                // (p+1)/4 from p − 1 = −1 (little-endian), public exponent.
                use primefield::ff::PrimeField;
                let pm1 = (-<$t>::ONE).to_repr();
                let mut limbs = [0u64; 8];
                let pm1b: &[u8] = pm1.as_ref();
                for (i, b) in pm1b.iter().enumerate() {
                    limbs[i / 8] |= u64::from(*b) << (8 * (i % 8));
                }
                let mut carry = 2u128;
                for l in limbs.iter_mut() {
                    let v = u128::from(*l) + carry;
                    *l = v as u64;
                    carry = v >> 64;
                }
                for i in 0..8 {
                    let hi = if i + 1 < 8 { limbs[i + 1] } else { 0 };
                    limbs[i] = (limbs[i] >> 2) | (hi << 62);
                }
                let n = pm1b.len() / 8;
                primefield::ff::Field::pow_vartime(self, &limbs[..n])
            }
            fn from_u64(v: u64) -> Self {
                <$t as From<u64>>::from(v)
            }
            fn from_le(bytes: &[u8]) -> Option<Self> {
                use primefield::ff::PrimeField;
                let mut repr = <$t as PrimeField>::Repr::default();
                let rl: &[u8] = repr.as_ref();
                if bytes.len() != rl.len() {
                    return None;
                }
                let rm: &mut [u8] = repr.as_mut();
                rm.copy_from_slice(bytes);
                <$t>::from_repr(repr).into()
            }
            fn write_le(&self, out: &mut [u8]) {
                use primefield::ff::PrimeField;
                out.copy_from_slice(self.to_repr().as_ref());
            }
        }
    };
}
pub(crate) use impl_bign_field_ff;

// ---------------------------------------------------------------------------------------------
// GF(2^256 − 189)

/// `2^256 mod p`.
const C: u64 = 189;

/// An element of GF(2^256 − 189) (bign-curve256v1's field); limbs little-endian, value in
/// `[0, 2^256)`, not necessarily fully reduced.
#[derive(Clone, Copy, Default)]
pub struct Fe256([u64; 4]);

impl fmt::Debug for Fe256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut b = [0u8; 32];
        self.write_le(&mut b);
        f.write_str("Fe256(")?;
        for x in b.iter().rev() {
            write!(f, "{x:02x}")?;
        }
        f.write_str(")")
    }
}

/// `r + k·189` where `k` is a small carry; returns the new carry (0 or 1).
#[inline(always)]
fn fold(r: &mut [u64; 4], k: u128) -> u128 {
    let mut c = k * u128::from(C);
    for l in r.iter_mut() {
        let v = u128::from(*l) + c;
        *l = v as u64;
        c = v >> 64;
    }
    c
}

impl Fe256 {
    /// Parses 64 hex digits of the little-endian encoding at compile time (constants).
    pub const fn from_hex_vartime(hex: &str) -> Self {
        let h = hex.as_bytes();
        assert!(h.len() == 64, "64 hex digits");
        let mut limbs = [0u64; 4];
        let mut i = 0;
        while i < 32 {
            let hi = nibble(h[2 * i]);
            let lo = nibble(h[2 * i + 1]);
            limbs[i / 8] |= ((hi << 4 | lo) as u64) << (8 * (i % 8));
            i += 1;
        }
        Fe256(limbs)
    }

    #[inline(always)]
    fn add_impl(a: &[u64; 4], b: &[u64; 4]) -> Self {
        let mut r = [0u64; 4];
        let mut c = 0u128;
        for i in 0..4 {
            let v = u128::from(a[i]) + u128::from(b[i]) + c;
            r[i] = v as u64;
            c = v >> 64;
        }
        let c = fold(&mut r, c);
        fold(&mut r, c);
        Fe256(r)
    }

    #[inline(always)]
    fn sub_impl(a: &[u64; 4], b: &[u64; 4]) -> Self {
        let mut r = [0u64; 4];
        let mut borrow = 0u128;
        for i in 0..4 {
            let v = u128::from(a[i])
                .wrapping_sub(u128::from(b[i]))
                .wrapping_sub(borrow);
            r[i] = v as u64;
            borrow = v >> 127;
        }
        // The result wrapped by 2^256 ≡ 189: subtract 189 (twice at most).
        for _ in 0..2 {
            let mut bw = borrow * u128::from(C);
            for l in r.iter_mut() {
                let v = u128::from(*l).wrapping_sub(bw);
                *l = v as u64;
                bw = v >> 127;
            }
            borrow = bw;
        }
        Fe256(r)
    }

    #[inline(always)]
    fn reduce_wide(t: &[u64; 8]) -> Self {
        let mut r = [0u64; 4];
        let mut c = 0u128;
        for i in 0..4 {
            let v = u128::from(t[i]) + u128::from(t[i + 4]) * u128::from(C) + c;
            r[i] = v as u64;
            c = v >> 64;
        }
        let c = fold(&mut r, c);
        fold(&mut r, c);
        Fe256(r)
    }

    #[inline(always)]
    fn mul_impl(a: &[u64; 4], b: &[u64; 4]) -> Self {
        let mut t = [0u64; 8];
        for i in 0..4 {
            let mut c = 0u128;
            for j in 0..4 {
                let v = u128::from(a[i]) * u128::from(b[j]) + u128::from(t[i + j]) + c;
                t[i + j] = v as u64;
                c = v >> 64;
            }
            t[i + 4] = c as u64;
        }
        Self::reduce_wide(&t)
    }

    /// Fully reduced limbs (`< p`).
    #[inline(always)]
    fn canonical(&self) -> [u64; 4] {
        // a ≥ p ⟺ a + 189 ≥ 2^256; then a − p = (a + 189) mod 2^256.
        let mut t = self.0;
        let c = fold(&mut t, 1) as u8;
        let mut out = self.0;
        for (o, ti) in out.iter_mut().zip(t.iter()) {
            *o = u64::conditional_select(o, ti, Choice::from(c));
        }
        out
    }

    fn sqn(&self, n: usize) -> Self {
        let mut r = *self;
        for _ in 0..n {
            r = Self::mul_impl(&r.0, &r.0);
        }
        r
    }

    /// `x^{2^248 − 1}` and `x` (the common head of the inversion and square-root chains).
    fn pow_2_248_m1(&self) -> Self {
        let x1 = *self;
        let x2 = x1.sqn(1) * x1;
        let x4 = x2.sqn(2) * x2;
        let x8 = x4.sqn(4) * x4;
        let x16 = x8.sqn(8) * x8;
        let x32 = x16.sqn(16) * x16;
        let x64 = x32.sqn(32) * x32;
        let x128 = x64.sqn(64) * x64;
        let x192 = x128.sqn(64) * x64;
        let x224 = x192.sqn(32) * x32;
        let x240 = x224.sqn(16) * x16;
        x240.sqn(8) * x8
    }
}

const fn nibble(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => panic!("hex digit"),
    }
}

impl ConditionallySelectable for Fe256 {
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        Fe256([
            u64::conditional_select(&a.0[0], &b.0[0], choice),
            u64::conditional_select(&a.0[1], &b.0[1], choice),
            u64::conditional_select(&a.0[2], &b.0[2], choice),
            u64::conditional_select(&a.0[3], &b.0[3], choice),
        ])
    }
}

impl ConstantTimeEq for Fe256 {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.canonical().ct_eq(&other.canonical())
    }
}

impl PartialEq for Fe256 {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}
impl Eq for Fe256 {}

impl Add for Fe256 {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        Self::add_impl(&self.0, &rhs.0)
    }
}
impl Sub for Fe256 {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        Self::sub_impl(&self.0, &rhs.0)
    }
}
impl Mul for Fe256 {
    type Output = Self;
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        Self::mul_impl(&self.0, &rhs.0)
    }
}
impl Neg for Fe256 {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        Self::sub_impl(&[0; 4], &self.0)
    }
}
impl AddAssign for Fe256 {
    #[inline(always)]
    fn add_assign(&mut self, rhs: Self) {
        *self = *self + rhs;
    }
}
impl SubAssign for Fe256 {
    #[inline(always)]
    fn sub_assign(&mut self, rhs: Self) {
        *self = *self - rhs;
    }
}
impl MulAssign for Fe256 {
    #[inline(always)]
    fn mul_assign(&mut self, rhs: Self) {
        *self = *self * rhs;
    }
}

impl BignField for Fe256 {
    const ZERO: Self = Fe256([0; 4]);
    const ONE: Self = Fe256([1, 0, 0, 0]);

    #[inline(always)]
    fn square(&self) -> Self {
        Self::mul_impl(&self.0, &self.0)
    }

    #[inline(always)]
    fn double(&self) -> Self {
        Self::add_impl(&self.0, &self.0)
    }

    /// Fermat: `x^{p−2}`, `p − 2 = (2^248 − 1)·2^8 + 65`.
    fn invert(&self) -> CtOption<Self> {
        let x = *self;
        let r = self.pow_2_248_m1();
        // 65 = 0b0100_0001 over 8 bits.
        let r = r.sqn(2) * x;
        let r = r.sqn(6) * x;
        CtOption::new(r, !self.is_zero())
    }

    /// `x^{(p+1)/4}`, `(p+1)/4 = (2^248 − 1)·2^6 + 17`.
    fn pow_p1_4(&self) -> Self {
        let x = *self;
        let r = self.pow_2_248_m1();
        // 17 = 0b01_0001 over 6 bits.
        let r = r.sqn(2) * x;
        r.sqn(4) * x
    }

    fn from_u64(v: u64) -> Self {
        Fe256([v, 0, 0, 0])
    }

    fn from_le(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != 32 {
            return None;
        }
        let mut l = [0u64; 4];
        for (li, c) in l.iter_mut().zip(bytes.chunks_exact(8)) {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            *li = u64::from_le_bytes(w);
        }
        // < p ⟺ no carry out of l + 189.
        let mut t = l;
        let carry = fold(&mut t, 1);
        if carry == 0 { Some(Fe256(l)) } else { None }
    }

    fn write_le(&self, out: &mut [u8]) {
        for (o, l) in out.chunks_exact_mut(8).zip(self.canonical().iter()) {
            o.copy_from_slice(&l.to_le_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bignp256::arithmetic::FieldElement as Ref;
    use primefield::ff::{Field, PrimeField};
    use proptest::prelude::*;

    fn to_ref(a: &Fe256) -> Ref {
        let mut b = [0u8; 32];
        a.write_le(&mut b);
        let mut repr = <Ref as PrimeField>::Repr::default();
        let rm: &mut [u8] = repr.as_mut();
        rm.copy_from_slice(&b);
        Option::from(Ref::from_repr(repr)).expect("canonical")
    }

    fn arb() -> impl Strategy<Value = Fe256> {
        prop_oneof![
            any::<[u64; 4]>().prop_map(Fe256),
            // values near 2^256 and near p exercise the folds
            (0u64..400).prop_map(|k| Fe256([u64::MAX - k, u64::MAX, u64::MAX, u64::MAX])),
            (0u64..400).prop_map(|k| Fe256([k, 0, 0, 0])),
        ]
    }

    proptest! {
        // Every operation agrees with the `bignp256` crate's fiat-crypto field.
        #[test]
        fn matches_bignp256(a in arb(), b in arb()) {
            let (ra, rb) = (to_ref(&a), to_ref(&b));
            prop_assert_eq!(to_ref(&(a + b)), ra + rb);
            prop_assert_eq!(to_ref(&(a - b)), ra - rb);
            prop_assert_eq!(to_ref(&(a * b)), ra * rb);
            prop_assert_eq!(to_ref(&a.square()), ra.square());
            prop_assert_eq!(to_ref(&(-a)), -ra);
            prop_assert_eq!(to_ref(&a.double()), ra.double());
            let inv: Option<Fe256> = a.invert().into();
            let rinv: Option<Ref> = ra.invert().into();
            prop_assert_eq!(inv.map(|x| to_ref(&x)), rinv);
            let s: Option<Fe256> = a.sqrt().into();
            if let Some(s) = s {
                prop_assert_eq!(to_ref(&s.square()), ra);
            }
            prop_assert_eq!(bool::from(ra.sqrt().is_some()), s.is_some());
        }
    }

    #[test]
    fn encoding_rejects_p_and_above() {
        let mut p = [0xFFu8; 32];
        p[0] = 0x43;
        assert!(Fe256::from_le(&p).is_none());
        p[0] = 0x42;
        assert!(Fe256::from_le(&p).is_some());
        assert!(Fe256::from_le(&[0u8; 31]).is_none());
    }
}
