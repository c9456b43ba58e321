//! STB 1176.1-99 hash (and the status of STB 1176.2-99).
//!
//! # STB 1176.1 — hash
//! A 256-bit hash over 32-byte blocks with a 256-bit start parameter `H` (STB 34.101.50 app. Б
//! OIDs: `stb11761-hash` `1.2.112.0.2.0.1176.1.11` with `H` explicit, `-hash0` `.12` (`H = 0`),
//! `-hashA` `.13` (`H = AA…AA`), `-hash4E` `.14` (`H = 4E4E9C9C 9C9C4E4E …`)). The standard's text
//! is not public; the only public description is the Aladdin SCCAPI Java implementation
//! (`hash/STB11761.java`). This module is our own Rust written from that description: a state of
//! 16 "V" words carried across blocks, per block four rounds of the recurrence ρ producing the
//! byte-substitution tables T0/T2/T4/T6 (T1/T3/T5/T7 are constants), two ω passes (32 rounds of a
//! Feistel step with a 3-bit rotation of a 64-bit half), the linear map ξ^31 and two φ steps.
//! Finalisation: the tail zero-padded to a block (always processed), then a block holding the
//! message length in **bytes** (u64 LE).
//!
//! Checked against the one known answer of that implementation (`vectors/stb1176-1.txt`, H = 0,
//! 54-byte message). Open point (not settled by any public source): whether a message whose length
//! is a multiple of 32 gets an all-zero padding block (as here) or not.
//!
//! Exposed behind RustCrypto's `digest` traits ([`Stb11761Hash0`], [`Stb11761HashA`],
//! [`Stb11761Hash4E`]) and, for an explicit `H`, [`hash_with_start`].
//!
//! # STB 1176.2 — BDS signature: **not implemented, not public**
//! STB 1176.2-99 (sign §5, verify §6, parameters §7) is a discrete-log signature over a prime
//! field (standard parameter sets `bds-params3/6/10` in STB 34.101.50 app. В: p of 1022/1534/2462
//! bits, q of 175/208/257 bits). What exists publicly: the OIDs and parameter sets (STB 34.101.50
//! app. В), bee2's parameter generation (`stb99.c`) and the BDH key agreement (`pfok.c`), and the
//! Aladdin SCCAPI `sign/stb11762` Java classes — but neither the standard's text nor a single
//! published sign/verify test vector. An implementation written from third-party code with
//! nothing to check it against would be a guess; Zubr does not ship one. Needed to add it: the
//! standard's text (or a vendor's test vectors) and a certificate or signature produced by Avest
//! software to test against (crypto.md §2.5, §8 item 2).
//!
//! This module must not be used where a collision-resistant modern hash is required (belt-hash
//! is the current standard); it exists for old Avest certificates and integrity lists.

#![allow(clippy::arithmetic_side_effects)]

use core::fmt;
use core::marker::PhantomData;

use digest::block_api::{
    AlgorithmName, Block, BlockSizeUser, Buffer, BufferKindUser, Eager, FixedOutputCore,
    OutputSizeUser, Reset, UpdateCore,
};
use digest::typenum::U32;
use digest::{HashMarker, Output};

mod tables;
use tables::{START_V, T1, T3, T5, T7};

/// The STB 1176.1 compression state.
#[derive(Clone)]
struct State {
    h: [u32; 8],
    v: [u32; 16],
    /// Processed bytes (counts whole blocks, corrected for the tail in `finish`).
    len: u64,
}

/// One ρ pass: extends V by 83 words with four linear recurrences and returns the table
/// T = V[29..45] ‖ V[47..63] ‖ V[66..82] ‖ V[83..99]; V[0..16] becomes its last 16 words.
fn rho(v16: &mut [u32; 16]) -> [u32; 64] {
    let mut v = [0u32; 99];
    v[..16].copy_from_slice(v16);
    let ranges: [(usize, usize, [usize; 3], usize, u32); 4] = [
        (0, 29, [3, 13, 15], 3, 0x2bda_732e),
        (29, 47, [2, 15, 0], 2, 0x3920_fe85),
        (47, 66, [4, 9, 0], 2, 0xbc16_41f9),
        (66, 83, [8, 13, 0], 2, 0x75fe_243b),
    ];
    for (from, to, taps, ntaps, c) in ranges {
        for i in from..to {
            let mut x = v[i];
            for t in taps.iter().take(ntaps) {
                x ^= v[i + t];
            }
            v[i + 16] = x.wrapping_add(c);
        }
    }
    let mut t = [0u32; 64];
    t[..16].copy_from_slice(&v[29..45]);
    t[16..32].copy_from_slice(&v[47..63]);
    t[32..48].copy_from_slice(&v[66..82]);
    t[48..].copy_from_slice(&v[83..99]);
    v16.copy_from_slice(&t[48..]);
    t
}

/// A 64-word table seen as 256 bytes (little-endian words).
fn bytes_of(t: &[u32; 64]) -> [u8; 256] {
    let mut out = [0u8; 256];
    for (o, w) in out.chunks_exact_mut(4).zip(t.iter()) {
        o.copy_from_slice(&w.to_le_bytes());
    }
    out
}

/// ω: 32 Feistel rounds on four words `x`; eight byte tables substitute the bytes of the left
/// 64-bit half, which is rotated left by 3 bits and mixed into the right half.
fn omega(x: &mut [u32], s: [&[u8; 256]; 8]) {
    for _ in 0..32 {
        let sub = |w: u32, tabs: [&[u8; 256]; 4]| -> u32 {
            let b = w.to_le_bytes();
            u32::from_le_bytes([
                tabs[0][usize::from(b[0])],
                tabs[1][usize::from(b[1])],
                tabs[2][usize::from(b[2])],
                tabs[3][usize::from(b[3])],
            ])
        };
        let p0 = sub(x[0], [s[0], s[1], s[2], s[3]]);
        let p1 = sub(x[1], [s[4], s[5], s[6], s[7]]);
        let p = ((u64::from(p1) << 32) | u64::from(p0)).rotate_left(3);
        let (q0, q1) = (p as u32 ^ x[2], (p >> 32) as u32 ^ x[3]);
        x[2] = x[0];
        x[3] = x[1];
        x[0] = q0;
        x[1] = q1;
    }
}

/// ξ^31: a fixed linear map of the eight words.
fn xi31(w: &[u32; 8]) -> [u32; 8] {
    let mut o = [0u32; 8];
    o[7] = w[0] ^ w[2];
    o[2] = w[0] ^ w[4] ^ w[6];
    o[3] = w[1] ^ w[5] ^ w[7];
    o[6] = o[7] ^ w[1] ^ w[4] ^ w[7];
    o[5] = o[6] ^ w[0] ^ w[3] ^ w[6];
    o[4] = o[5] ^ w[0] ^ w[4] ^ w[5] ^ w[7];
    o[1] = o[4] ^ w[1] ^ w[4] ^ w[6] ^ w[7];
    o[0] = o[5] ^ o[7] ^ w[4];
    o
}

/// φ² keyed by four words `a`.
fn phi2(w: &mut [u32; 8], a: &[u32]) {
    for j in 0..4 {
        let t = w[j].wrapping_add(a[j]) ^ w[j + 4];
        w[j] ^= t.wrapping_add(a[j]);
        w[j + 4] = t;
    }
}

impl State {
    fn new(start: &[u8; 32]) -> Self {
        let mut h = [0u32; 8];
        for (hi, c) in h.iter_mut().zip(start.chunks_exact(4)) {
            *hi = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        }
        State {
            h,
            v: START_V,
            len: 0,
        }
    }

    fn block(&mut self, block: &[u8]) {
        let mut m = [0u32; 8];
        for (mi, c) in m.iter_mut().zip(block.chunks_exact(4)) {
            *mi = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        }
        let (v_lo, v_hi) = self.v.split_at_mut(8);
        for (v, x) in v_lo.iter_mut().zip(m.iter()) {
            *v = v.wrapping_add(*x);
        }
        for (v, x) in v_hi.iter_mut().zip(self.h.iter()) {
            *v = v.wrapping_add(*x);
        }
        let t0 = bytes_of(&rho(&mut self.v));
        let t2 = bytes_of(&rho(&mut self.v));
        let t4 = bytes_of(&rho(&mut self.v));
        let t6 = bytes_of(&rho(&mut self.v));
        let (t1, t3, t5, t7) = (&T1, &T3, &T5, &T7);
        let mut w = [0u32; 8];
        for ((wi, mi), hi) in w.iter_mut().zip(m.iter()).zip(self.h.iter()) {
            *wi = mi ^ hi;
        }
        omega(&mut w[..4], [&t0, t1, &t2, t3, &t4, t5, &t6, t7]);
        omega(&mut w[4..], [&t4, t1, &t0, t3, &t6, t5, &t2, t7]);
        let mut o = xi31(&w);
        let h = self.h;
        phi2(&mut o, &h[..4]);
        phi2(&mut o, &m[..4]);
        phi2(&mut o, &h[4..]);
        phi2(&mut o, &m[4..]);
        self.h = o;
        self.len = self.len.wrapping_add(32);
    }

    fn finish(&mut self, tail: &[u8], out: &mut [u8]) {
        let mut buf = [0u8; 32];
        buf[..tail.len()].copy_from_slice(tail);
        self.block(&buf);
        let len = self.len.wrapping_sub(32).wrapping_add(tail.len() as u64);
        let mut lb = [0u8; 32];
        lb[..8].copy_from_slice(&len.to_le_bytes());
        self.block(&lb);
        for (o, w) in out.chunks_exact_mut(4).zip(self.h.iter()) {
            o.copy_from_slice(&w.to_le_bytes());
        }
    }
}

/// STB 1176.1 with an explicit start parameter `H` (OID `1.2.112.0.2.0.1176.1.11`).
pub fn hash_with_start(start: &[u8; 32], message: &[u8]) -> [u8; 32] {
    let mut s = State::new(start);
    let mut chunks = message.chunks_exact(32);
    for b in &mut chunks {
        s.block(b);
    }
    let mut out = [0u8; 32];
    s.finish(chunks.remainder(), &mut out);
    out
}

/// A fixed start parameter of STB 1176.1.
pub trait StartParam: Clone + Default + Send + Sync + 'static {
    /// `H`, 32 bytes.
    const H: [u8; 32];
    /// Name for `AlgorithmName`.
    const NAME: &'static str;
}

/// `H = 0` (stb11761-hash0, `1.2.112.0.2.0.1176.1.12`).
#[derive(Clone, Default, Debug)]
pub struct Hash0;
impl StartParam for Hash0 {
    const H: [u8; 32] = [0; 32];
    const NAME: &'static str = "STB1176.1-hash0";
}

/// `H = AA…AA` (stb11761-hashA, `1.2.112.0.2.0.1176.1.13`).
#[derive(Clone, Default, Debug)]
pub struct HashA;
impl StartParam for HashA {
    const H: [u8; 32] = [0xAA; 32];
    const NAME: &'static str = "STB1176.1-hashA";
}

/// `H = 4E4E9C9C 9C9C4E4E 9C9C4E4E 4E4E9C9C 9C9C4E4E 4E4E9C9C 4E4E9C9C 9C9C4E4E`
/// (stb11761-hash4E, `1.2.112.0.2.0.1176.1.14`), bytes in that order.
#[derive(Clone, Default, Debug)]
pub struct Hash4E;
impl StartParam for Hash4E {
    const H: [u8; 32] = [
        0x4E, 0x4E, 0x9C, 0x9C, 0x9C, 0x9C, 0x4E, 0x4E, 0x9C, 0x9C, 0x4E, 0x4E, 0x4E, 0x4E, 0x9C,
        0x9C, 0x9C, 0x9C, 0x4E, 0x4E, 0x4E, 0x4E, 0x9C, 0x9C, 0x4E, 0x4E, 0x9C, 0x9C, 0x9C, 0x9C,
        0x4E, 0x4E,
    ];
    const NAME: &'static str = "STB1176.1-hash4E";
}

/// Block-level core of STB 1176.1 with start parameter `P`.
#[derive(Clone)]
pub struct Stb11761Core<P: StartParam> {
    state: State,
    _p: PhantomData<P>,
}

impl<P: StartParam> Default for Stb11761Core<P> {
    fn default() -> Self {
        Stb11761Core {
            state: State::new(&P::H),
            _p: PhantomData,
        }
    }
}

impl<P: StartParam> HashMarker for Stb11761Core<P> {}
impl<P: StartParam> BlockSizeUser for Stb11761Core<P> {
    type BlockSize = U32;
}
impl<P: StartParam> BufferKindUser for Stb11761Core<P> {
    type BufferKind = Eager;
}
impl<P: StartParam> OutputSizeUser for Stb11761Core<P> {
    type OutputSize = U32;
}
impl<P: StartParam> UpdateCore for Stb11761Core<P> {
    fn update_blocks(&mut self, blocks: &[Block<Self>]) {
        for b in blocks {
            self.state.block(b);
        }
    }
}
impl<P: StartParam> FixedOutputCore for Stb11761Core<P> {
    fn finalize_fixed_core(&mut self, buffer: &mut Buffer<Self>, out: &mut Output<Self>) {
        let pos = buffer.get_pos();
        let tail = buffer.pad_with_zeros();
        self.state.finish(&tail[..pos], out);
    }
}
impl<P: StartParam> Reset for Stb11761Core<P> {
    fn reset(&mut self) {
        *self = Self::default();
    }
}
impl<P: StartParam> AlgorithmName for Stb11761Core<P> {
    fn write_alg_name(f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(P::NAME)
    }
}
impl<P: StartParam> fmt::Debug for Stb11761Core<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Stb11761Core { .. }")
    }
}

digest::buffer_fixed!(
    /// STB 1176.1 with `H = 0` (`stb11761-hash0`).
    pub struct Stb11761Hash0(Stb11761Core<Hash0>);
    impl: BaseFixedTraits AlgorithmName Default Clone HashMarker Reset FixedOutputReset;
);
digest::buffer_fixed!(
    /// STB 1176.1 with `H = AA…AA` (`stb11761-hashA`).
    pub struct Stb11761HashA(Stb11761Core<HashA>);
    impl: BaseFixedTraits AlgorithmName Default Clone HashMarker Reset FixedOutputReset;
);
digest::buffer_fixed!(
    /// STB 1176.1 with `H = 4E4E9C9C…` (`stb11761-hash4E`).
    pub struct Stb11761Hash4E(Stb11761Core<Hash4E>);
    impl: BaseFixedTraits AlgorithmName Default Clone HashMarker Reset FixedOutputReset;
);

impl digest::const_oid::AssociatedOid for Stb11761Hash0 {
    const OID: digest::const_oid::ObjectIdentifier =
        digest::const_oid::ObjectIdentifier::new_unwrap("1.2.112.0.2.0.1176.1.12");
}
impl digest::const_oid::AssociatedOid for Stb11761HashA {
    const OID: digest::const_oid::ObjectIdentifier =
        digest::const_oid::ObjectIdentifier::new_unwrap("1.2.112.0.2.0.1176.1.13");
}
impl digest::const_oid::AssociatedOid for Stb11761Hash4E {
    const OID: digest::const_oid::ObjectIdentifier =
        digest::const_oid::ObjectIdentifier::new_unwrap("1.2.112.0.2.0.1176.1.14");
}

#[cfg(feature = "alloc")]
mod provider_impl {
    use super::*;
    use crate::generic::DigestHash;
    use crate::kat::{self, KatError, SelfTest};

    /// Provider hash: STB 1176.1, `H = 0`.
    pub static STB1176_1_HASH0: DigestHash<Stb11761Hash0> = DigestHash::new();
    /// Provider hash: STB 1176.1, `H = AA…AA`.
    pub static STB1176_1_HASHA: DigestHash<Stb11761HashA> = DigestHash::new();
    /// Provider hash: STB 1176.1, `H = 4E4E9C9C…`.
    pub static STB1176_1_HASH4E: DigestHash<Stb11761Hash4E> = DigestHash::new();

    const VECTORS: &str = include_str!("../../vectors/stb1176-1.txt");

    fn kat() -> Result<usize, KatError> {
        use digest::Digest;
        let mut n = 0;
        for (i, r) in kat::records(VECTORS).iter().enumerate() {
            let v = i + 1;
            let bad = KatError {
                vector: v,
                what: "malformed record",
            };
            let start: [u8; 32] = r
                .hex("H_param")
                .and_then(|h| h.try_into().ok())
                .ok_or(bad.clone())?;
            let msg = r.hex("in").ok_or(bad.clone())?;
            let want = r.hex("out").ok_or(bad)?;
            kat::check(
                v,
                "STB 1176.1 (explicit H)",
                &hash_with_start(&start, &msg),
                &want,
            )?;
            if start == Hash0::H {
                kat::check(
                    v,
                    "STB 1176.1 hash0 (digest)",
                    &Stb11761Hash0::digest(&msg),
                    &want,
                )?;
                // Incremental = one-shot, split inside a block.
                let mut d = Stb11761Hash0::new();
                for part in msg.chunks(7) {
                    d.update(part);
                }
                kat::check(v, "STB 1176.1 hash0 (incremental)", &d.finalize(), &want)?;
            }
            n += 1;
        }
        Ok(n)
    }

    /// Self-tests of this module.
    pub static SELF_TESTS: &[SelfTest] = &[SelfTest {
        name: "STB 1176.1 hash (Aladdin SCCAPI known answer)",
        run: kat,
    }];
}
#[cfg(feature = "alloc")]
pub use provider_impl::*;
