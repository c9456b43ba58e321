//! Point arithmetic on the bign curves (`a = −3`), generic over [`BignCurve`].
//!
//! Hand-written: the `bignp256` crate's `primeorder` arithmetic treats `a` as generic and has no
//! 384/512-bit curves, and the fixed-base table of [`super::table256`] needs direct access to
//! mixed addition. Homogeneous projective coordinates with the complete formulas of
//! Renes–Costello–Batina 2015 (algorithms 4, 5, 6 for `a = −3`), so no input — identity,
//! doubling, inverse points — needs a branch. Scalar multiplication by a secret scalar is
//! constant time (fixed 4-bit windows, every table entry touched); [`ProjectivePoint::lincomb_vartime`]
//! is for public scalars only (signature verification).
//!
//! This module must not parse or encode anything; [`super`] does that.

#![allow(clippy::arithmetic_side_effects)]

use primefield::ff::{Field, PrimeField};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq, CtOption};

use super::curve::BignCurve;

/// An affine point `(x, y)` that is not the identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Affine<F> {
    /// x-coordinate.
    pub x: F,
    /// y-coordinate.
    pub y: F,
}

impl<F: Field> ConditionallySelectable for Affine<F> {
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        Affine {
            x: F::conditional_select(&a.x, &b.x, choice),
            y: F::conditional_select(&a.y, &b.y, choice),
        }
    }
}

impl<F: Field> Affine<F> {
    /// `−P`.
    pub fn neg(&self) -> Self {
        Affine {
            x: self.x,
            y: -self.y,
        }
    }
}

/// A point in homogeneous projective coordinates `(X : Y : Z)`, `x = X/Z`, `y = Y/Z`; the identity
/// is `(0 : 1 : 0)`.
pub struct ProjectivePoint<C: BignCurve> {
    x: C::Fe,
    y: C::Fe,
    z: C::Fe,
}

impl<C: BignCurve> Clone for ProjectivePoint<C> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<C: BignCurve> Copy for ProjectivePoint<C> {}

impl<C: BignCurve> core::fmt::Debug for ProjectivePoint<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ProjectivePoint { .. }")
    }
}

impl<C: BignCurve> ConditionallySelectable for ProjectivePoint<C> {
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        ProjectivePoint {
            x: C::Fe::conditional_select(&a.x, &b.x, choice),
            y: C::Fe::conditional_select(&a.y, &b.y, choice),
            z: C::Fe::conditional_select(&a.z, &b.z, choice),
        }
    }
}

impl<C: BignCurve> ConstantTimeEq for ProjectivePoint<C> {
    /// Projective equality: `X1·Z2 = X2·Z1` and `Y1·Z2 = Y2·Z1`.
    fn ct_eq(&self, other: &Self) -> Choice {
        (self.x * other.z).ct_eq(&(other.x * self.z))
            & (self.y * other.z).ct_eq(&(other.y * self.z))
    }
}

impl<C: BignCurve> PartialEq for ProjectivePoint<C> {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl<C: BignCurve> ProjectivePoint<C> {
    /// The identity (point at infinity).
    pub fn identity() -> Self {
        ProjectivePoint {
            x: C::Fe::ZERO,
            y: C::Fe::ONE,
            z: C::Fe::ZERO,
        }
    }

    /// The generator `G`.
    pub fn generator() -> Self {
        Self::from_affine(&C::generator_affine())
    }

    /// Lifts an affine point.
    pub fn from_affine(p: &Affine<C::Fe>) -> Self {
        ProjectivePoint {
            x: p.x,
            y: p.y,
            z: C::Fe::ONE,
        }
    }

    /// True for the identity.
    pub fn is_identity(&self) -> Choice {
        self.z.is_zero()
    }

    /// `−P`.
    pub fn neg(&self) -> Self {
        ProjectivePoint {
            x: self.x,
            y: -self.y,
            z: self.z,
        }
    }

    /// Affine coordinates (one field inversion); none for the identity.
    pub fn to_affine(&self) -> CtOption<Affine<C::Fe>> {
        self.z.invert().map(|zi| Affine {
            x: self.x * zi,
            y: self.y * zi,
        })
    }

    /// `P + Q`: RCB15 algorithm 4 (complete, `a = −3`).
    pub fn add(&self, q: &Self) -> Self {
        let b = C::B;
        let (x1, y1, z1) = (self.x, self.y, self.z);
        let (x2, y2, z2) = (q.x, q.y, q.z);
        let mut t0 = x1 * x2;
        let mut t1 = y1 * y2;
        let mut t2 = z1 * z2;
        let mut t3 = (x1 + y1) * (x2 + y2);
        let mut t4 = t0 + t1;
        t3 -= t4;
        t4 = (y1 + z1) * (y2 + z2);
        let mut x3 = t1 + t2;
        t4 -= x3;
        x3 = (x1 + z1) * (x2 + z2);
        let mut y3 = t0 + t2;
        y3 = x3 - y3;
        let mut z3 = b * t2;
        x3 = y3 - z3;
        z3 = x3.double();
        x3 += z3;
        z3 = t1 - x3;
        x3 += t1;
        y3 *= b;
        t1 = t2.double();
        t2 += t1;
        y3 -= t2;
        y3 -= t0;
        t1 = y3.double();
        y3 += t1;
        t1 = t0.double();
        t0 += t1;
        t0 -= t2;
        t1 = t4 * y3;
        t2 = t0 * y3;
        y3 = x3 * z3;
        y3 += t2;
        x3 *= t3;
        x3 -= t1;
        z3 *= t4;
        t1 = t3 * t0;
        z3 += t1;
        ProjectivePoint {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `P + Q` for an affine `Q ≠ O`: RCB15 algorithm 5 (`P` may be the identity).
    pub fn add_affine(&self, q: &Affine<C::Fe>) -> Self {
        let b = C::B;
        let (x1, y1, z1) = (self.x, self.y, self.z);
        let (x2, y2) = (q.x, q.y);
        let mut t0 = x1 * x2;
        let mut t1 = y1 * y2;
        let mut t3 = (x2 + y2) * (x1 + y1);
        let mut t4 = t0 + t1;
        t3 -= t4;
        t4 = y2 * z1 + y1;
        let mut y3 = x2 * z1 + x1;
        let mut z3 = b * z1;
        let mut x3 = y3 - z3;
        z3 = x3.double();
        x3 += z3;
        z3 = t1 - x3;
        x3 += t1;
        y3 *= b;
        t1 = z1.double();
        let mut t2 = t1 + z1;
        y3 -= t2;
        y3 -= t0;
        t1 = y3.double();
        y3 += t1;
        t1 = t0.double();
        t0 += t1;
        t0 -= t2;
        t1 = t4 * y3;
        t2 = t0 * y3;
        y3 = x3 * z3;
        y3 += t2;
        x3 *= t3;
        x3 -= t1;
        z3 *= t4;
        t1 = t3 * t0;
        z3 += t1;
        ProjectivePoint {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `2P`: RCB15 algorithm 6 (`a = −3`).
    pub fn double(&self) -> Self {
        let b = C::B;
        let (x, y, z) = (self.x, self.y, self.z);
        let mut t0 = x.square();
        let t1 = y.square();
        let mut t2 = z.square();
        let mut t3 = (x * y).double();
        let mut z3 = (x * z).double();
        let mut y3 = b * t2;
        y3 -= z3;
        let mut x3 = y3.double();
        y3 += x3;
        x3 = t1 - y3;
        y3 += t1;
        y3 *= x3;
        x3 *= t3;
        t3 = t2.double();
        t2 += t3;
        z3 *= b;
        z3 -= t2;
        z3 -= t0;
        t3 = z3.double();
        z3 += t3;
        t3 = t0.double();
        t0 += t3;
        t0 -= t2;
        t0 *= z3;
        y3 += t0;
        t0 = (y * z).double();
        z3 = t0 * z3;
        x3 -= z3;
        z3 = (t0 * t1).double().double();
        ProjectivePoint {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `[0]P, [1]P, …, [15]P`.
    fn window_table(&self) -> [Self; 16] {
        let mut t = [Self::identity(); 16];
        t[1] = *self;
        for i in 2..16 {
            t[i] = if i % 2 == 0 {
                t[i / 2].double()
            } else {
                t[i - 1].add(self)
            };
        }
        t
    }

    /// `k·P`, constant time in `k` (fixed 4-bit windows, every table entry read each step).
    pub fn mul(&self, k: &C::Sc) -> Self {
        let table = self.window_table();
        let repr = k.to_repr();
        let mut acc = Self::identity();
        let mut first = true;
        for byte in repr.as_ref().iter().rev() {
            for nibble in [byte >> 4, byte & 0x0f] {
                if !first {
                    acc = acc.double().double().double().double();
                }
                first = false;
                let mut sel = Self::identity();
                for (i, e) in table.iter().enumerate() {
                    sel.conditional_assign(e, (i as u8).ct_eq(&nibble));
                }
                acc = acc.add(&sel);
            }
        }
        acc
    }

    /// `u·P + v·Q` in variable time (public scalars only): interleaved 4-bit windows.
    pub fn lincomb_vartime(p: &Self, u: &C::Sc, q: &Self, v: &C::Sc) -> Self {
        let tp = p.window_table();
        let tq = q.window_table();
        let ur = u.to_repr();
        let vr = v.to_repr();
        let mut acc = Self::identity();
        for (bu, bv) in ur.as_ref().iter().rev().zip(vr.as_ref().iter().rev()) {
            for shift in [4u8, 0] {
                acc = acc.double().double().double().double();
                let nu = usize::from((bu >> shift) & 0x0f);
                let nv = usize::from((bv >> shift) & 0x0f);
                if nu != 0 {
                    acc = acc.add(&tp[nu]);
                }
                if nv != 0 {
                    acc = acc.add(&tq[nv]);
                }
            }
        }
        acc
    }
}

/// Is `(x, y)` on the curve: `y² = x³ − 3x + b`?
pub fn is_on_curve<C: BignCurve>(p: &Affine<C::Fe>) -> Choice {
    let rhs = (p.x.square() - C::Fe::from(3u64)) * p.x + C::B;
    p.y.square().ct_eq(&rhs)
}

/// `y` with `y² = x³ − 3x + b`, if `x` is the abscissa of a curve point.
pub fn lift_x<C: BignCurve>(x: &C::Fe) -> CtOption<Affine<C::Fe>> {
    let rhs = (x.square() - C::Fe::from(3u64)) * x + C::B;
    rhs.sqrt().map(|y| Affine { x: *x, y })
}

/// Decodes a little-endian field element (`None` if not `< p` or of the wrong length).
pub fn fe_from_le<C: BignCurve>(bytes: &[u8]) -> Option<C::Fe> {
    let mut repr = <C::Fe as PrimeField>::Repr::default();
    if bytes.len() != repr.as_ref().len() {
        return None;
    }
    repr.as_mut().copy_from_slice(bytes);
    C::Fe::from_repr(repr).into()
}
