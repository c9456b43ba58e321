//! The three standard bign curves (STB 34.101.45 appendix Б, tables Б.1–Б.3) as types of the
//! [`BignCurve`] trait: bign-curve256v1 on the field and scalar types of the `bignp256` crate,
//! bign-curve384v1 and bign-curve512v1 on field/scalar types generated here with the `primefield`
//! macros (constant-time Montgomery arithmetic from `crypto-bigint`), as the `bignp256` crate
//! does for its own curve.
//!
//! Every curve has `a = p − 3` and `G = (0, b^{(p+1)/4})`; the tests check both, that `G` lies on
//! the curve and that `q·G = O`.
//!
//! This module holds parameters only; it must not contain protocol logic.

#![allow(clippy::arithmetic_side_effects)]

use primefield::ff::{Field, PrimeField};

use super::point::{Affine, ProjectivePoint};

/// A bign curve: `y² = x³ − 3x + b` over GF(p), prime order `q`, generator `G = (0, y_G)`.
///
/// Field elements, scalars and points are encoded little-endian in `LEN` bytes (STB 34.101.45).
pub trait BignCurve: Sized + Send + Sync + 'static {
    /// Field element type (GF(p)), little-endian representation of `LEN` bytes.
    type Fe: PrimeField;
    /// Scalar type (GF(q)), little-endian representation of `LEN` bytes.
    type Sc: PrimeField;
    /// `crypto-bigint` integer type of `q` (for bign-genk).
    type Uint: crypto_bigint::Unsigned + crypto_bigint::Encoding;
    /// Curve name (`bign-curve256v1`, …).
    const NAME: &'static str;
    /// Dotted OID of the curve.
    const OID: &'static str;
    /// Security level `l` in bits (128, 192, 256).
    const L: usize;
    /// `2l/8`: bytes of a field element, scalar or coordinate.
    const LEN: usize;
    /// Coefficient `b`.
    const B: Self::Fe;
    /// `y(G)` (`x(G) = 0`).
    const GY: Self::Fe;
    /// `q`, little-endian.
    const Q_LE: &'static [u8];
    /// `q` as an integer.
    fn q_uint() -> &'static Self::Uint;

    /// `k·G`, constant time in `k`. Curves with a precomputed table override this.
    fn mul_generator(k: &Self::Sc) -> ProjectivePoint<Self> {
        ProjectivePoint::<Self>::generator().mul(k)
    }

    /// `u·G + v·P` in variable time (verification: every input is public).
    fn lincomb_vartime(
        u: &Self::Sc,
        v: &Self::Sc,
        p: &ProjectivePoint<Self>,
    ) -> ProjectivePoint<Self> {
        ProjectivePoint::<Self>::lincomb_vartime(&ProjectivePoint::<Self>::generator(), u, p, v)
    }

    /// The generator in affine form.
    fn generator_affine() -> Affine<Self::Fe> {
        Affine {
            x: Self::Fe::ZERO,
            y: Self::GY,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// bign-curve256v1 (table Б.1): the `bignp256` crate's fiat-crypto field and scalar.

/// bign-curve256v1 (`1.2.112.0.2.0.34.101.45.3.1`), l = 128.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Curve256;

const Q256_LE: [u8; 32] = [
    0x07, 0x66, 0x3D, 0x26, 0x99, 0xBF, 0x5A, 0x7E, 0xFC, 0x4D, 0xFB, 0x0D, 0xD6, 0x8E, 0x5C, 0xD9,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
];
static Q256: crypto_bigint::U256 = crypto_bigint::U256::from_le_slice(&Q256_LE);

impl BignCurve for Curve256 {
    type Fe = bignp256::arithmetic::FieldElement;
    type Sc = bignp256::Scalar;
    type Uint = crypto_bigint::U256;
    const NAME: &'static str = "bign-curve256v1";
    const OID: &'static str = "1.2.112.0.2.0.34.101.45.3.1";
    const L: usize = 128;
    const LEN: usize = 32;
    const B: Self::Fe = bignp256::arithmetic::FieldElement::from_hex_vartime(
        "F1039CD66B7D2EB253928B976950F54CBEFBD8E4AB3AC1D2EDA8F315156CCE77",
    );
    const GY: Self::Fe = bignp256::arithmetic::FieldElement::from_hex_vartime(
        "936A510418CF291E52F608C4663991785D83D651A3C9E45C9FD616FB3CFCF76B",
    );
    const Q_LE: &'static [u8] = &Q256_LE;
    fn q_uint() -> &'static Self::Uint {
        &Q256
    }
    fn mul_generator(k: &Self::Sc) -> ProjectivePoint<Self> {
        super::table256::mul_generator(k)
    }
}

// ---------------------------------------------------------------------------------------------
// bign-curve384v1 (table Б.2) and bign-curve512v1 (table Б.3).

macro_rules! bign_fields {
    ($modname:ident, $uint:ident, $p_be:expr, $q_be:expr, $gp:expr, $gq:expr) => {
        /// Field and scalar types of one curve.
        #[allow(
            missing_docs,
            clippy::all,
            unused_qualifications,
            unused_imports,
            deprecated
        )]
        pub mod $modname {
            pub use crypto_bigint::$uint;
            use primefield::ByteOrder;
            use primefield::ff::PrimeField;
            use subtle::{Choice, ConstantTimeEq, ConstantTimeGreater, ConstantTimeLess, CtOption};

            /// GF(p) parameters.
            pub mod field {
                use super::*;
                primefield::monty_field_params! {
                    name: FieldParams,
                    modulus: $p_be,
                    uint: $uint,
                    byte_order: ByteOrder::LittleEndian,
                    multiplicative_generator: $gp,
                    doc: "bign field modulus p"
                }
                primefield::monty_field_element! {
                    name: FieldElement,
                    params: FieldParams,
                    uint: $uint,
                    doc: "Element of GF(p)"
                }
                primefield::monty_field_arithmetic! {
                    name: FieldElement,
                    params: FieldParams,
                    uint: $uint
                }
            }

            /// GF(q) parameters.
            pub mod scalar {
                use super::*;
                primefield::monty_field_params! {
                    name: ScalarParams,
                    modulus: $q_be,
                    uint: $uint,
                    byte_order: ByteOrder::LittleEndian,
                    multiplicative_generator: $gq,
                    doc: "bign group order q"
                }
                primefield::monty_field_element! {
                    name: Scalar,
                    params: ScalarParams,
                    uint: $uint,
                    doc: "Element of GF(q)"
                }
                primefield::monty_field_arithmetic! {
                    name: Scalar,
                    params: ScalarParams,
                    uint: $uint
                }
            }
        }
    };
}

bign_fields!(
    f384,
    U384,
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEC3",
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFE6CCCC40373AF7BBB8046DAE7A6A4FF0A3DB7DC3FF30CA7B7",
    2,
    3
);

bign_fields!(
    f512,
    U512,
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFB2C0092C0198004EF26BEBB02E2113F4361BCAE59556DF32DCFFAD490D068EF1",
    5,
    3
);

/// bign-curve384v1 (`1.2.112.0.2.0.34.101.45.3.2`), l = 192.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Curve384;

const Q384_LE: [u8; 48] = [
    0xB7, 0xA7, 0x0C, 0xF3, 0x3F, 0xDC, 0xB7, 0x3D, 0x0A, 0xFF, 0xA4, 0xA6, 0xE7, 0xDA, 0x46, 0x80,
    0xBB, 0x7B, 0xAF, 0x73, 0x03, 0xC4, 0xCC, 0x6C, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
];
static Q384: crypto_bigint::U384 = crypto_bigint::U384::from_le_slice(&Q384_LE);

impl BignCurve for Curve384 {
    type Fe = f384::field::FieldElement;
    type Sc = f384::scalar::Scalar;
    type Uint = crypto_bigint::U384;
    const NAME: &'static str = "bign-curve384v1";
    const OID: &'static str = "1.2.112.0.2.0.34.101.45.3.2";
    const L: usize = 192;
    const LEN: usize = 48;
    const B: Self::Fe = f384::field::FieldElement::from_hex_vartime(
        "64BF736823FCA7BC7CBDCEF3F0E2BD143A2E71E9F96A21A696B1FB0FBB482771D2345D65AB5A073320EF9C95E1DF753C",
    );
    const GY: Self::Fe = f384::field::FieldElement::from_hex_vartime(
        "51C433F731CB5EEAF9422A6B273E408455D3B1669EE74905A0FF86DC119A723A89BF2D437E1130639E9E2EA82482435D",
    );
    const Q_LE: &'static [u8] = &Q384_LE;
    fn q_uint() -> &'static Self::Uint {
        &Q384
    }
}

/// bign-curve512v1 (`1.2.112.0.2.0.34.101.45.3.3`), l = 256.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Curve512;

const Q512_LE: [u8; 64] = [
    0xF1, 0x8E, 0x06, 0x0D, 0x49, 0xAD, 0xFF, 0xDC, 0x32, 0xDF, 0x56, 0x95, 0xE5, 0xCA, 0x1B, 0x36,
    0xF4, 0x13, 0x21, 0x2E, 0xB0, 0xEB, 0x6B, 0xF2, 0x4E, 0x00, 0x98, 0x01, 0x2C, 0x09, 0xC0, 0xB2,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
];
static Q512: crypto_bigint::U512 = crypto_bigint::U512::from_le_slice(&Q512_LE);

impl BignCurve for Curve512 {
    type Fe = f512::field::FieldElement;
    type Sc = f512::scalar::Scalar;
    type Uint = crypto_bigint::U512;
    const NAME: &'static str = "bign-curve512v1";
    const OID: &'static str = "1.2.112.0.2.0.34.101.45.3.3";
    const L: usize = 256;
    const LEN: usize = 64;
    const B: Self::Fe = f512::field::FieldElement::from_hex_vartime(
        "909C13D6986934097AA2493A272286EA43A2AC878C003329955E24C4B5DC112788B0ADDAE313CE1751255DDDEEA9C65B8958FD606A5D8CD8438C3B934459B46C",
    );
    const GY: Self::Fe = f512::field::FieldElement::from_hex_vartime(
        "BDEDEFCE6FAE92B7040D4CC9B983AA676122E8EE957377FFD26FFA0EE2DD7369DACACC001BF8EDD2E2BC61B3B341ABB0AB8FD1A0F7E682B1817603E47AFF26A8",
    );
    const Q_LE: &'static [u8] = &Q512_LE;
    fn q_uint() -> &'static Self::Uint {
        &Q512
    }
}
