//! Fixed-base scalar multiplication `k·G` on bign-curve256v1 with a precomputed table — the
//! hot path of bign signing and key generation.
//!
//! `k` is recoded into 65 signed radix-16 digits `d_i ∈ [−8, 8)`; the table holds
//! `m·2^{8j}·G` (m = 1..8, j = 0..32) in affine form, so
//! `k·G = Σ_j d_{2j}·T_j + 16·Σ_j d_{2j+1}·T_j`: 65 mixed additions and 4 doublings instead of
//! 252 doublings and 64 additions. Every table row is scanned completely and the sign is applied
//! with a conditional negation, so the time does not depend on `k`.
//!
//! The table is a generated constant (`table256_data.rs`, 264 points), built at compile time
//! from hex; the test `table_matches_generator` recomputes every entry from `G`, and running the
//! tests with `ZUBR_REGEN_TABLE256=path` writes the file anew.
//!
//! Hand-written (the `primeorder` basepoint table needs `std` or `critical-section`, which a
//! `no_std` firmware build cannot assume). Must not be used for secret-independent speedups
//! that break constant time: [`mul_generator_vartime`] is for public scalars only.

#![allow(clippy::arithmetic_side_effects)]

use bignp256::arithmetic::FieldElement as Fe;
use primefield::ff::PrimeField;
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

#[cfg(test)]
use super::curve::BignCurve;
use super::curve::Curve256;
use super::point::{Affine, ProjectivePoint};

type Point = ProjectivePoint<Curve256>;

const fn a(x: &str, y: &str) -> Affine<Fe> {
    Affine {
        x: Fe::from_hex_vartime(x),
        y: Fe::from_hex_vartime(y),
    }
}

/// `TABLE[j][m − 1] = m·2^{8j}·G`.
static TABLE: [[Affine<Fe>; 8]; 33] = include!("table256_data.rs");

/// Signed radix-16 digits of a 256-bit little-endian scalar (`d_i ∈ [−8, 8)`, `d_64 ∈ {0, 1}`).
fn recode(k: &<bignp256::Scalar as PrimeField>::Repr) -> [i8; 65] {
    let bytes: &[u8] = k.as_ref();
    let mut d = [0i8; 65];
    for (i, b) in bytes.iter().enumerate().take(32) {
        d[2 * i] = (b & 0x0f) as i8;
        d[2 * i + 1] = (b >> 4) as i8;
    }
    for i in 0..64 {
        let carry = (d[i] + 8) >> 4;
        d[i] -= carry << 4;
        d[i + 1] += carry;
    }
    d
}

/// `acc + d·row` in constant time (`row[m−1] = m·B`, `|d| ≤ 8`).
fn add_digit(acc: &Point, row: &[Affine<Fe>; 8], d: i8) -> Point {
    let mask = d >> 7; // 0 or −1
    let abs = ((d ^ mask) - mask) as u8;
    let mut sel = row[0];
    for (m, e) in row.iter().enumerate().skip(1) {
        sel.conditional_assign(e, abs.ct_eq(&((m + 1) as u8)));
    }
    let neg = Choice::from((mask & 1) as u8);
    sel.y = Fe::conditional_select(&sel.y, &-sel.y, neg);
    let sum = acc.add_affine(&sel);
    Point::conditional_select(&sum, acc, abs.ct_eq(&0))
}

/// `k·G`, constant time.
pub fn mul_generator(k: &bignp256::Scalar) -> Point {
    let d = recode(&k.to_repr());
    let mut even = Point::identity();
    let mut odd = Point::identity();
    for (j, row) in TABLE.iter().enumerate() {
        even = add_digit(&even, row, d[2 * j]);
        if j < 32 {
            odd = add_digit(&odd, row, d[2 * j + 1]);
        }
    }
    odd.double().double().double().double().add(&even)
}

/// `k·G` in variable time (public scalars: verification).
pub fn mul_generator_vartime(k: &bignp256::Scalar) -> Point {
    let d = recode(&k.to_repr());
    let mut even = Point::identity();
    let mut odd = Point::identity();
    let add = |acc: Point, row: &[Affine<Fe>; 8], d: i8| -> Point {
        match d {
            0 => acc,
            d if d > 0 => acc.add_affine(&row[(d - 1) as usize]),
            d => acc.add_affine(&row[(-d - 1) as usize].neg()),
        }
    };
    for (j, row) in TABLE.iter().enumerate() {
        even = add(even, row, d[2 * j]);
        if j < 32 {
            odd = add(odd, row, d[2 * j + 1]);
        }
    }
    odd.double().double().double().double().add(&even)
}

/// Recomputes the table from `G` (for the consistency test and regeneration).
#[cfg(test)]
pub(super) fn compute_table() -> alloc::vec::Vec<[Affine<Fe>; 8]> {
    let mut out = alloc::vec::Vec::new();
    let mut base = Point::generator();
    for _ in 0..33 {
        let mut row = [Curve256::generator_affine(); 8];
        let mut acc = base;
        for e in row.iter_mut() {
            *e = acc
                .to_affine()
                .expect("multiple of G below q is not the identity");
            acc = acc.add(&base);
        }
        out.push(row);
        for _ in 0..8 {
            base = base.double();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;
    use core::fmt::Write;

    fn hex(f: &Fe) -> String {
        let mut s = String::new();
        let r = f.to_repr();
        let bytes: &[u8] = r.as_ref();
        for b in bytes {
            write!(s, "{b:02X}").expect("write to string");
        }
        s
    }

    #[test]
    fn table_matches_generator() {
        let t = compute_table();
        if let Ok(path) = std::env::var("ZUBR_REGEN_TABLE256") {
            let mut s = String::from(
                "// Generated by `ZUBR_REGEN_TABLE256=path cargo test -p zubr-crypto-stb table_matches_generator`.\n// TABLE[j][m-1] = m * 2^(8j) * G on bign-curve256v1, affine x, y little-endian hex.\n[\n",
            );
            for row in &t {
                s.push_str("    [\n");
                for e in row {
                    writeln!(s, "        a(\"{}\", \"{}\"),", hex(&e.x), hex(&e.y)).expect("write");
                }
                s.push_str("    ],\n");
            }
            s.push_str("]\n");
            std::fs::write(path, s).expect("write table");
        }
        for (j, row) in t.iter().enumerate() {
            assert_eq!(row, &TABLE[j], "row {j}");
        }
    }
}
