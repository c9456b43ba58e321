//! STB 34.101.66 **bake**: the key-agreement protocols BMQV (mutual authentication with
//! certificates, MQV-style), BSTS (station-to-station: signatures of knowledge sent encrypted) and
//! BPACE (password-authenticated, with the hash-to-curve map bake-swu), plus the helpers
//! bake-kdf and bake-swu, on any bign curve.
//!
//! Hand-written (no crate implements bake) from the standard's description; bee2 was read to
//! settle message layouts. Checked against the final keys of STB 34.101.66 appendix B (B.2
//! BMQV, B.3 BSTS, B.4 BPACE with password "8086", key confirmation both ways), the bake-kdf
//! values of B.4 and the bake-swu point of B.4 (`vectors/bake.txt`), with bee2's test randomness
//! (the brng-ctr stream of STB 34.101.47 B.2) replayed.
//!
//! Each protocol is a pair of state machines, one per party, whose step numbers follow the
//! standard (B sends first): BMQV and BSTS B: `start → step2 → step4`, A: `start → step3 →
//! step5`; BPACE B: `step2 → step4 → step6`, A: `step3 → step5`. Every received point is
//! validated; a failed key confirmation is [`Error::AuthenticationFailed`]. Where bake sits in
//! the product is open (crypto.md §2.4: not in IKEv1); this module offers the primitives.
//!
//! The few belt pieces bake needs (keyrep, mac, cfb, ecb, wblock) are written privately in
//! [`belt_min`]; the crate's belt module carries the full API (to be de-duplicated).
//!
//! This module must not: use a received point without validation, compare MACs in variable
//! time, or keep key material after drop.

use alloc::vec::Vec;

use belt_hash::{BeltHash, Digest};
use primefield::ff::{Field, PrimeField};
use subtle::ConditionallySelectable;
use zeroize::{Zeroize, Zeroizing};

use crate::bign::point::{Affine, ProjectivePoint, fe_from_le};
use crate::bign::{BignCurve, PrivateKey, PublicKey, decode_point, random_scalar, s0_plus_2l};
use crate::{Error, Rng};

/// Minimal private belt pieces for bake (STB 34.101.31), all little-endian.
pub(crate) mod belt_min {
    use belt_block::BeltBlock;
    use cipher::{Block, BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
    use subtle::ConstantTimeEq;
    use zeroize::Zeroize;

    use crate::Error;

    fn cipher(key: &[u8; 32]) -> BeltBlock {
        BeltBlock::new(key.into())
    }

    fn enc(c: &BeltBlock, b: &mut [u8; 16]) {
        let mut blk = Block::<BeltBlock>::from(*b);
        c.encrypt_block(&mut blk);
        b.copy_from_slice(&blk);
    }

    fn dec(c: &BeltBlock, b: &mut [u8; 16]) {
        let mut blk = Block::<BeltBlock>::from(*b);
        c.decrypt_block(&mut blk);
        b.copy_from_slice(&blk);
    }

    fn words<const N: usize>(b: &[u8]) -> [u32; N] {
        let mut w = [0u32; N];
        for (wi, c) in w.iter_mut().zip(b.chunks_exact(4)) {
            *wi = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        }
        w
    }

    /// belt-keyrep(X, D = 1^96, I, m = 256) for a 256-bit X: `compress(r ‖ D ‖ I ‖ X).Y`,
    /// r = F33C657B (STB 34.101.31 §7.2).
    pub fn keyrep_ff(x: &[u8; 32], i: &[u8; 16]) -> [u8; 32] {
        let mut rd = [0xFFu8; 16];
        rd[..4].copy_from_slice(&[0xF3, 0x3C, 0x65, 0x7B]);
        let (_, y) = belt_hash::block_api::belt_compress(words(&rd), words(i), words(x));
        let mut out = [0u8; 32];
        for (o, w) in out.chunks_exact_mut(4).zip(y.iter()) {
            o.copy_from_slice(&w.to_le_bytes());
        }
        out
    }

    /// belt-mac (STB 34.101.31 §6.6) over the concatenation of `parts`.
    pub fn mac(key: &[u8; 32], parts: &[&[u8]]) -> [u8; 8] {
        let c = cipher(key);
        let mut r = [0u8; 16];
        enc(&c, &mut r);
        let mut s = [0u8; 16];
        let mut buf = [0u8; 16];
        let mut fill = 0usize;
        let mut any_full_pending = false;
        for p in parts {
            for &byte in p.iter() {
                if fill == 16 {
                    // The buffered block is not the last one: absorb it.
                    for (si, bi) in s.iter_mut().zip(buf.iter()) {
                        *si ^= bi;
                    }
                    enc(&c, &mut s);
                    fill = 0;
                }
                buf[fill] = byte;
                fill += 1;
                any_full_pending = true;
            }
        }
        let _ = any_full_pending;
        let ru: [u32; 4] = words(&r);
        let phi: [u32; 4] = if fill == 16 {
            // φ1(u1‖u2‖u3‖u4) = u2 ‖ u3 ‖ u4 ‖ (u1 ⊕ u2)
            [ru[1], ru[2], ru[3], ru[0] ^ ru[1]]
        } else {
            // φ2 = (u1 ⊕ u4) ‖ u1 ‖ u2 ‖ u3; pad X_n ‖ 0x80 ‖ 0…
            buf[fill] = 0x80;
            for b in buf.iter_mut().skip(fill + 1) {
                *b = 0;
            }
            [ru[0] ^ ru[3], ru[0], ru[1], ru[2]]
        };
        for (i, si) in s.iter_mut().enumerate() {
            *si ^= buf[i] ^ phi[i / 4].to_le_bytes()[i % 4];
        }
        enc(&c, &mut s);
        let mut t = [0u8; 8];
        t.copy_from_slice(&s[..8]);
        r.zeroize();
        s.zeroize();
        buf.zeroize();
        t
    }

    /// Constant-time belt-mac check.
    pub fn mac_verify(key: &[u8; 32], parts: &[&[u8]], tag: &[u8]) -> Result<(), Error> {
        let t = mac(key, parts);
        if tag.len() == 8 && bool::from(t.ct_eq(tag)) {
            Ok(())
        } else {
            Err(Error::AuthenticationFailed)
        }
    }

    /// belt-cfb (§6.4) in place.
    pub fn cfb(key: &[u8; 32], iv: &[u8; 16], data: &mut [u8], encrypt: bool) {
        let c = cipher(key);
        let mut y = *iv;
        for chunk in data.chunks_mut(16) {
            enc(&c, &mut y);
            for (i, b) in chunk.iter_mut().enumerate() {
                let x = *b;
                *b ^= y[i];
                y[i] = if encrypt { *b } else { x };
            }
        }
        y.zeroize();
    }

    /// belt-ecb (§6.2) with ciphertext stealing, in place; `data.len() ≥ 16`.
    pub fn ecb(key: &[u8; 32], data: &mut [u8], encrypt: bool) -> Result<(), Error> {
        let n = data.len();
        if n < 16 {
            return Err(Error::InvalidLength);
        }
        let c = cipher(key);
        let op = |b: &mut [u8; 16]| if encrypt { enc(&c, b) } else { dec(&c, b) };
        let m = n % 16;
        let full = n - m; // bytes in whole blocks
        let mut blk = [0u8; 16];
        let whole_end = if m == 0 { full } else { full - 16 };
        for chunk in data[..whole_end].chunks_exact_mut(16) {
            blk.copy_from_slice(chunk);
            op(&mut blk);
            chunk.copy_from_slice(&blk);
        }
        if m != 0 {
            // X_{n-1} = data[whole_end..full], X_n = data[full..] (m bytes).
            blk.copy_from_slice(&data[whole_end..full]);
            op(&mut blk); // T
            let mut last = [0u8; 16];
            last[..m].copy_from_slice(&data[full..]);
            last[m..].copy_from_slice(&blk[m..]);
            op(&mut last);
            data[full..].copy_from_slice(&blk[..m]);
            data[whole_end..full].copy_from_slice(&last);
            last.zeroize();
        }
        blk.zeroize();
        Ok(())
    }

    /// belt-wblock encryption under the zero key (bake-swu step 1, `belt-keywrap(X, 0, 0)`).
    pub fn wblock_zero(data: &mut [u8]) -> Result<(), Error> {
        belt_block::belt_wblock_enc(data, &[0u32; 8]).map_err(|_| Error::InvalidLength)
    }
}

/// bake-kdf(X, S, C) = belt-keyrep(belt-hash(X ‖ S), D = 1^96, I = ⟨C⟩_128, m = 256), with `S`
/// given as the concatenation of `s_parts`.
pub fn bake_kdf(x: &[u8], s_parts: &[&[u8]], c: u64) -> [u8; 32] {
    let mut h = BeltHash::new();
    h.update(x);
    for p in s_parts {
        h.update(p);
    }
    let mut y: [u8; 32] = h.finalize().into();
    let mut i = [0u8; 16];
    i[..8].copy_from_slice(&c.to_le_bytes());
    let k = belt_min::keyrep_ff(&y, &i);
    y.zeroize();
    k
}

/// bake-swu (STB 34.101.66 §6.2.3): maps `x` (`LEN` bytes) to a curve point.
/// `H = belt-keywrap(X, 0^128, 0^256)`, `s = H mod p`, then the Shallue–van de Woestijne–Ulas map.
pub fn bake_swu<C: BignCurve>(x: &[u8]) -> Result<Affine<C::Fe>, Error> {
    let n = C::LEN;
    if x.len() != n {
        return Err(Error::InvalidLength);
    }
    let mut h = Zeroizing::new([0u8; 80]);
    h[..n].copy_from_slice(x);
    belt_min::wblock_zero(&mut h[..n + 16])?;
    // s = H mod p by Horner over chunks of LEN/2 bytes (each chunk < p as an element).
    let half = n / 2;
    let mut radix = [0u8; 64];
    radix[half] = 1;
    let radix = fe_from_le::<C>(&radix[..n]).ok_or(Error::Unsupported)?;
    let mut s = C::Fe::ZERO;
    let chunks: Vec<&[u8]> = h[..n + 16].chunks(half).collect();
    for chunk in chunks.iter().rev() {
        let mut buf = [0u8; 64];
        buf[..chunk.len()].copy_from_slice(chunk);
        let c = fe_from_le::<C>(&buf[..n]).ok_or(Error::Unsupported)?;
        buf.zeroize();
        s = s * radix + c;
    }
    let a = -C::Fe::from(3u64);
    let t = -s.square();
    let t2 = t.square();
    let den = Option::<C::Fe>::from((a * (t + t2)).invert()).unwrap_or(C::Fe::ZERO);
    let x1 = -C::B * (C::Fe::ONE + t + t2) * den;
    let x2 = t * x1;
    let g1 = (x1.square() + a) * x1 + C::B;
    // y1 = g1^{(p+1)/4} (p ≡ 3 mod 4): a root of g1 or of −g1.
    let y1 = sqrt_candidate::<C>(&g1);
    let is_square = y1.square().ct_eq_fe(&g1);
    let y2 = s.square() * s * y1;
    let x = C::Fe::conditional_select(&x2, &x1, is_square);
    let y = C::Fe::conditional_select(&y2, &y1, is_square);
    Ok(Affine { x, y })
}

trait CtEqFe {
    fn ct_eq_fe(&self, other: &Self) -> subtle::Choice;
}
impl<F: Field> CtEqFe for F {
    fn ct_eq_fe(&self, other: &Self) -> subtle::Choice {
        subtle::ConstantTimeEq::ct_eq(self, other)
    }
}

/// `g^{(p+1)/4}` (exponent public; constant time in `g`).
fn sqrt_candidate<C: BignCurve>(g: &C::Fe) -> C::Fe {
    // (p+1)/4 from p = −1 in the field's little-endian representation.
    let p_minus_1 = (-C::Fe::ONE).to_repr();
    let bytes = p_minus_1.as_ref();
    let mut limbs = [0u64; 8];
    for (i, b) in bytes.iter().enumerate() {
        limbs[i / 8] |= u64::from(*b) << (8 * (i % 8));
    }
    // p − 1 → p + 1 = (p − 1) + 2, then shift right by 2.
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
    g.pow_vartime(&limbs[..C::LEN / 8])
}

/// Protocol settings (STB 34.101.66 §7: key confirmation flags and the optional hello messages).
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// A confirms the key to B (`T_a`).
    pub kca: bool,
    /// B confirms the key to A (`T_b`).
    pub kcb: bool,
    /// A's hello message (enters the key derivation).
    pub helloa: Vec<u8>,
    /// B's hello message.
    pub hellob: Vec<u8>,
}

/// A party's certificate: the bytes that enter the key derivation, and a validator that extracts
/// the (validated) public key from such bytes — the PKI's job.
pub type CertValidator<'a, C> = &'a dyn Fn(&[u8]) -> Result<PublicKey<C>, Error>;

const ZERO16: [u8; 16] = [0; 16];
const ONE16: [u8; 16] = [0xFF; 16];

fn x_bytes<C: BignCurve>(p: &Affine<C::Fe>) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(p.x.to_repr().as_ref().to_vec())
}

fn encode<C: BignCurve>(p: &Affine<C::Fe>, out: &mut Vec<u8>) {
    out.extend_from_slice(p.x.to_repr().as_ref());
    out.extend_from_slice(p.y.to_repr().as_ref());
}

fn affine<C: BignCurve>(p: &ProjectivePoint<C>) -> Result<Affine<C::Fe>, Error> {
    Option::<Affine<C::Fe>>::from(p.to_affine()).ok_or(Error::InvalidPublicKey)
}

/// `t = Lo(belt-hash(x(Va) ‖ x(Vb)), l)` as the scalar `2^l + t`.
fn mqv_t<C: BignCurve>(va: &Affine<C::Fe>, vb: &Affine<C::Fe>) -> C::Sc {
    let mut h = BeltHash::new();
    h.update(va.x.to_repr().as_ref());
    h.update(vb.x.to_repr().as_ref());
    let t = h.finalize();
    s0_plus_2l::<C>(&t[..C::L / 8])
}

/// `(u − (2^l + t)·d) mod q`.
fn mqv_s<C: BignCurve>(u: &C::Sc, t: &C::Sc, d: &C::Sc) -> C::Sc {
    *u - *t * *d
}

/// Derives `K0`, `K1`, `K2` = bake-kdf(K, S, 0/1/2).
fn keys(k: &[u8], s: &[&[u8]]) -> [Zeroizing<[u8; 32]>; 3] {
    [
        Zeroizing::new(bake_kdf(k, s, 0)),
        Zeroizing::new(bake_kdf(k, s, 1)),
        Zeroizing::new(bake_kdf(k, s, 2)),
    ]
}

// ---------------------------------------------------------------------------------------------
// BMQV

/// BMQV (STB 34.101.66 §7.3), one party. Create with [`Bmqv::new`], then B: `step2`, `step4`,
/// A: `step3`, `step5`; the shared key is [`Bmqv::key`].
pub struct Bmqv<'a, C: BignCurve> {
    settings: Settings,
    key: &'a PrivateKey<C>,
    cert: Vec<u8>,
    u: C::Sc,
    v_own: Option<Affine<C::Fe>>,
    k0: Zeroizing<[u8; 32]>,
    k1: Zeroizing<[u8; 32]>,
    done: bool,
}

impl<C: BignCurve> Drop for Bmqv<'_, C> {
    fn drop(&mut self) {
        self.u = C::Sc::ZERO;
        core::hint::black_box(&self.u);
    }
}

impl<'a, C: BignCurve> Bmqv<'a, C> {
    /// Starts a party with its long-term key and its certificate bytes.
    pub fn new(settings: Settings, key: &'a PrivateKey<C>, cert: &[u8]) -> Self {
        Bmqv {
            settings,
            key,
            cert: cert.to_vec(),
            u: C::Sc::ZERO,
            v_own: None,
            k0: Zeroizing::new([0; 32]),
            k1: Zeroizing::new([0; 32]),
            done: false,
        }
    }

    /// B, step 2: `V_b = u_b·G` → message M1 = `V_b` (`2·LEN` bytes).
    pub fn step2(&mut self, rng: &mut dyn Rng) -> Result<Vec<u8>, Error> {
        self.u = random_scalar::<C>(rng)?;
        let vb = affine(&C::mul_generator(&self.u))?;
        self.v_own = Some(vb);
        let mut out = Vec::with_capacity(2 * C::LEN);
        encode::<C>(&vb, &mut out);
        Ok(out)
    }

    /// `K = s·(V − (2^l + t)·Q)` (G when the bracket is O), then the keys.
    fn derive(
        &mut self,
        s: &C::Sc,
        t: &C::Sc,
        v_peer: &Affine<C::Fe>,
        q_peer: &PublicKey<C>,
        cert_a: &[u8],
        cert_b: &[u8],
    ) -> Result<(), Error> {
        let q = ProjectivePoint::<C>::from_affine(q_peer.point());
        let p = ProjectivePoint::<C>::from_affine(v_peer).add(&q.mul(&(-*t)));
        let k = match Option::<Affine<C::Fe>>::from(p.to_affine()) {
            None => x_bytes::<C>(&C::generator_affine()),
            Some(pa) => x_bytes::<C>(&affine(&ProjectivePoint::<C>::from_affine(&pa).mul(s))?),
        };
        let [k0, k1, _] = keys(
            &k,
            &[cert_a, cert_b, &self.settings.helloa, &self.settings.hellob],
        );
        self.k0 = k0;
        self.k1 = k1;
        Ok(())
    }

    /// A, step 3: takes M1 and B's certificate, returns M2 = `V_a ‖ T_a` (T_a if `kca`).
    pub fn step3(
        &mut self,
        rng: &mut dyn Rng,
        m1: &[u8],
        cert_b: &[u8],
        validate: CertValidator<'_, C>,
    ) -> Result<Vec<u8>, Error> {
        let qb = validate(cert_b)?;
        let vb = decode_point::<C>(m1)?;
        self.u = random_scalar::<C>(rng)?;
        let va = affine(&C::mul_generator(&self.u))?;
        let t = mqv_t::<C>(&va, &vb);
        let s = mqv_s::<C>(&self.u, &t, self.key.scalar());
        let cert_a = core::mem::take(&mut self.cert);
        let r = self.derive(&s, &t, &vb, &qb, &cert_a, cert_b);
        self.cert = cert_a;
        r?;
        let mut out = Vec::with_capacity(2 * C::LEN + 8);
        encode::<C>(&va, &mut out);
        if self.settings.kca {
            out.extend_from_slice(&belt_min::mac(&self.k1, &[&ZERO16]));
        }
        self.done = !self.settings.kcb;
        Ok(out)
    }

    /// B, step 4: takes M2 and A's certificate, checks `T_a`, returns M3 = `T_b` (empty without
    /// `kcb`).
    pub fn step4(
        &mut self,
        m2: &[u8],
        cert_a: &[u8],
        validate: CertValidator<'_, C>,
    ) -> Result<Vec<u8>, Error> {
        let tlen = if self.settings.kca { 8 } else { 0 };
        if m2.len() != 2 * C::LEN + tlen {
            return Err(Error::InvalidLength);
        }
        let qa = validate(cert_a)?;
        let va = decode_point::<C>(&m2[..2 * C::LEN])?;
        let vb = self.v_own.ok_or(Error::Unsupported)?;
        let t = mqv_t::<C>(&va, &vb);
        let s = mqv_s::<C>(&self.u, &t, self.key.scalar());
        let cert_b = core::mem::take(&mut self.cert);
        let r = self.derive(&s, &t, &va, &qa, cert_a, &cert_b);
        self.cert = cert_b;
        r?;
        if self.settings.kca {
            belt_min::mac_verify(&self.k1, &[&ZERO16], &m2[2 * C::LEN..])?;
        }
        self.done = true;
        if self.settings.kcb {
            Ok(belt_min::mac(&self.k1, &[&ONE16]).to_vec())
        } else {
            Ok(Vec::new())
        }
    }

    /// A, step 5: checks `T_b`.
    pub fn step5(&mut self, m3: &[u8]) -> Result<(), Error> {
        if !self.settings.kcb {
            return Err(Error::Unsupported);
        }
        belt_min::mac_verify(&self.k1, &[&ONE16], m3)?;
        self.done = true;
        Ok(())
    }

    /// The shared key `K0`, once the party's last step succeeded.
    pub fn key(&self) -> Result<[u8; 32], Error> {
        if self.done {
            Ok(*self.k0)
        } else {
            Err(Error::Unsupported)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// BSTS

/// BSTS (STB 34.101.66 §7.4), one party; key confirmation is always on. B: `step2`, `step4`;
/// A: `step3`, `step5`.
pub struct Bsts<'a, C: BignCurve> {
    settings: Settings,
    key: &'a PrivateKey<C>,
    cert: Vec<u8>,
    u: C::Sc,
    v_own: Option<Affine<C::Fe>>,
    t: C::Sc,
    k: [Zeroizing<[u8; 32]>; 3],
    done: bool,
}

impl<C: BignCurve> Drop for Bsts<'_, C> {
    fn drop(&mut self) {
        self.u = C::Sc::ZERO;
        core::hint::black_box(&self.u);
    }
}

impl<'a, C: BignCurve> Bsts<'a, C> {
    /// Starts a party.
    pub fn new(settings: Settings, key: &'a PrivateKey<C>, cert: &[u8]) -> Self {
        Bsts {
            settings,
            key,
            cert: cert.to_vec(),
            u: C::Sc::ZERO,
            v_own: None,
            t: C::Sc::ZERO,
            k: [
                Zeroizing::new([0; 32]),
                Zeroizing::new([0; 32]),
                Zeroizing::new([0; 32]),
            ],
            done: false,
        }
    }

    /// B, step 2: M1 = `V_b`.
    pub fn step2(&mut self, rng: &mut dyn Rng) -> Result<Vec<u8>, Error> {
        self.u = random_scalar::<C>(rng)?;
        let vb = affine(&C::mul_generator(&self.u))?;
        self.v_own = Some(vb);
        let mut out = Vec::with_capacity(2 * C::LEN);
        encode::<C>(&vb, &mut out);
        Ok(out)
    }

    fn derive(&mut self, v_peer: &Affine<C::Fe>) -> Result<(), Error> {
        let k = affine(&ProjectivePoint::<C>::from_affine(v_peer).mul(&self.u))?;
        self.k = keys(
            &x_bytes::<C>(&k),
            &[&self.settings.helloa, &self.settings.hellob],
        );
        Ok(())
    }

    /// `Y = cfb(s ‖ cert)`, `T = mac(Y ‖ block)`.
    fn seal(&self, s: &C::Sc, block: &[u8; 16], out: &mut Vec<u8>) {
        let start = out.len();
        out.extend_from_slice(s.to_repr().as_ref());
        out.extend_from_slice(&self.cert);
        belt_min::cfb(&self.k[2], block, &mut out[start..], true);
        let t = belt_min::mac(&self.k[1], &[&out[start..], block]);
        out.extend_from_slice(&t);
    }

    /// Checks `T`, decrypts `Y` into `(s, cert)`, validates the certificate and checks
    /// `s·G + (2^l + t)·Q = V`.
    fn open(
        &self,
        y_t: &[u8],
        block: &[u8; 16],
        t: &C::Sc,
        v: &Affine<C::Fe>,
        validate: CertValidator<'_, C>,
    ) -> Result<(), Error> {
        if y_t.len() <= C::LEN + 8 {
            return Err(Error::InvalidLength);
        }
        let (y, tag) = y_t.split_at(y_t.len() - 8);
        belt_min::mac_verify(&self.k[1], &[y, block], tag)?;
        let mut plain = Zeroizing::new(y.to_vec());
        belt_min::cfb(&self.k[2], block, &mut plain, false);
        let s =
            crate::bign::sc_from_le::<C>(&plain[..C::LEN]).ok_or(Error::AuthenticationFailed)?;
        let q = validate(&plain[C::LEN..])?;
        let check = C::lincomb_vartime(&s, t, &ProjectivePoint::<C>::from_affine(q.point()));
        if check == ProjectivePoint::<C>::from_affine(v) {
            Ok(())
        } else {
            Err(Error::AuthenticationFailed)
        }
    }

    /// A, step 3: takes M1, returns M2 = `V_a ‖ Y_a ‖ T_a`.
    pub fn step3(&mut self, rng: &mut dyn Rng, m1: &[u8]) -> Result<Vec<u8>, Error> {
        let vb = decode_point::<C>(m1)?;
        self.u = random_scalar::<C>(rng)?;
        let va = affine(&C::mul_generator(&self.u))?;
        self.t = mqv_t::<C>(&va, &vb);
        self.v_own = Some(vb); // A keeps V_b for step 5
        let s = mqv_s::<C>(&self.u, &self.t, self.key.scalar());
        self.derive(&vb)?;
        let mut out = Vec::with_capacity(3 * C::LEN + self.cert.len() + 8);
        encode::<C>(&va, &mut out);
        self.seal(&s, &ZERO16, &mut out);
        Ok(out)
    }

    /// B, step 4: takes M2 and a validator for A's certificate, returns M3 = `Y_b ‖ T_b`.
    pub fn step4(&mut self, m2: &[u8], validate: CertValidator<'_, C>) -> Result<Vec<u8>, Error> {
        if m2.len() <= 3 * C::LEN + 8 {
            return Err(Error::InvalidLength);
        }
        let va = decode_point::<C>(&m2[..2 * C::LEN])?;
        self.derive(&va)?;
        let vb = self.v_own.ok_or(Error::Unsupported)?;
        let t = mqv_t::<C>(&va, &vb);
        self.open(&m2[2 * C::LEN..], &ZERO16, &t, &va, validate)?;
        let s = mqv_s::<C>(&self.u, &t, self.key.scalar());
        let mut out = Vec::with_capacity(C::LEN + self.cert.len() + 8);
        self.seal(&s, &ONE16, &mut out);
        self.done = true;
        Ok(out)
    }

    /// A, step 5: checks M3 against B's certificate.
    pub fn step5(&mut self, m3: &[u8], validate: CertValidator<'_, C>) -> Result<(), Error> {
        let vb = self.v_own.ok_or(Error::Unsupported)?;
        let t = self.t;
        self.open(m3, &ONE16, &t, &vb, validate)?;
        self.done = true;
        Ok(())
    }

    /// The shared key `K0`.
    pub fn key(&self) -> Result<[u8; 32], Error> {
        if self.done {
            Ok(*self.k[0])
        } else {
            Err(Error::Unsupported)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// BPACE

/// BPACE (STB 34.101.66 §7.5), one party: a shared password, no certificates. B: `step2`,
/// `step4`, `step6`; A: `step3`, `step5`.
pub struct Bpace<C: BignCurve> {
    settings: Settings,
    k2: Zeroizing<[u8; 32]>,
    r: Zeroizing<Vec<u8>>, // Ra ‖ Rb
    u: C::Sc,
    w: Option<Affine<C::Fe>>,
    va_x: Vec<u8>,
    k0: Zeroizing<[u8; 32]>,
    k1: Zeroizing<[u8; 32]>,
    done: bool,
}

impl<C: BignCurve> Drop for Bpace<C> {
    fn drop(&mut self) {
        self.u = C::Sc::ZERO;
        core::hint::black_box(&self.u);
    }
}

impl<C: BignCurve> Bpace<C> {
    /// Starts a party with the shared password.
    pub fn new(settings: Settings, password: &[u8]) -> Self {
        let k2: [u8; 32] = BeltHash::digest(password).into();
        Bpace {
            settings,
            k2: Zeroizing::new(k2),
            r: Zeroizing::new(alloc::vec![0u8; C::LEN]),
            u: C::Sc::ZERO,
            w: None,
            va_x: Vec::new(),
            k0: Zeroizing::new([0; 32]),
            k1: Zeroizing::new([0; 32]),
            done: false,
        }
    }

    fn half(&self) -> usize {
        C::LEN / 2
    }

    /// B, step 2: `R_b` random, M1 = `Y_b = belt-ecb(R_b, K2)` (`l/8` bytes).
    pub fn step2(&mut self, rng: &mut dyn Rng) -> Result<Vec<u8>, Error> {
        let h = self.half();
        rng.fill(&mut self.r[h..])?;
        let mut out = self.r[h..].to_vec();
        belt_min::ecb(&self.k2, &mut out, true)?;
        Ok(out)
    }

    /// A, step 3: takes M1, returns M2 = `Y_a ‖ V_a` with `V_a = u_a·W`, `W = bake-swu(R_a ‖ R_b)`.
    pub fn step3(&mut self, rng: &mut dyn Rng, m1: &[u8]) -> Result<Vec<u8>, Error> {
        let h = self.half();
        if m1.len() != h {
            return Err(Error::InvalidLength);
        }
        self.r[h..].copy_from_slice(m1);
        belt_min::ecb(&self.k2, &mut self.r[h..], false)?;
        rng.fill(&mut self.r[..h])?;
        let mut out = self.r[..h].to_vec();
        belt_min::ecb(&self.k2, &mut out, true)?;
        let w = bake_swu::<C>(&self.r)?;
        self.u = random_scalar::<C>(rng)?;
        let va = affine(&ProjectivePoint::<C>::from_affine(&w).mul(&self.u))?;
        self.w = Some(w);
        self.va_x = va.x.to_repr().as_ref().to_vec();
        encode::<C>(&va, &mut out);
        Ok(out)
    }

    fn derive(&mut self, k: &Affine<C::Fe>, va_x: &[u8], vb_x: &[u8]) {
        let kx = x_bytes::<C>(k);
        let [k0, k1, _] = keys(
            &kx,
            &[va_x, vb_x, &self.settings.helloa, &self.settings.hellob],
        );
        self.k0 = k0;
        self.k1 = k1;
    }

    /// B, step 4: takes M2, returns M3 = `V_b ‖ T_b` (T_b if `kcb`).
    pub fn step4(&mut self, rng: &mut dyn Rng, m2: &[u8]) -> Result<Vec<u8>, Error> {
        let h = self.half();
        if m2.len() != h + 2 * C::LEN {
            return Err(Error::InvalidLength);
        }
        let va = decode_point::<C>(&m2[h..])?;
        self.r[..h].copy_from_slice(&m2[..h]);
        belt_min::ecb(&self.k2, &mut self.r[..h], false)?;
        let w = bake_swu::<C>(&self.r)?;
        self.u = random_scalar::<C>(rng)?;
        let k = affine(&ProjectivePoint::<C>::from_affine(&va).mul(&self.u))?;
        let vb = affine(&ProjectivePoint::<C>::from_affine(&w).mul(&self.u))?;
        let va_x = x_bytes::<C>(&va);
        let vb_x = x_bytes::<C>(&vb);
        self.derive(&k, &va_x, &vb_x);
        let mut out = Vec::with_capacity(2 * C::LEN + 8);
        encode::<C>(&vb, &mut out);
        if self.settings.kcb {
            out.extend_from_slice(&belt_min::mac(&self.k1, &[&ONE16]));
        }
        self.done = !self.settings.kca;
        Ok(out)
    }

    /// A, step 5: takes M3, checks `T_b`, returns M4 = `T_a` (empty without `kca`).
    pub fn step5(&mut self, m3: &[u8]) -> Result<Vec<u8>, Error> {
        let tlen = if self.settings.kcb { 8 } else { 0 };
        if m3.len() != 2 * C::LEN + tlen {
            return Err(Error::InvalidLength);
        }
        let vb = decode_point::<C>(&m3[..2 * C::LEN])?;
        let k = affine(&ProjectivePoint::<C>::from_affine(&vb).mul(&self.u))?;
        let va_x = core::mem::take(&mut self.va_x);
        let vb_x = x_bytes::<C>(&vb);
        self.derive(&k, &va_x, &vb_x);
        self.va_x = va_x;
        if self.settings.kcb {
            belt_min::mac_verify(&self.k1, &[&ONE16], &m3[2 * C::LEN..])?;
        }
        self.done = true;
        if self.settings.kca {
            Ok(belt_min::mac(&self.k1, &[&ZERO16]).to_vec())
        } else {
            Ok(Vec::new())
        }
    }

    /// B, step 6: checks `T_a`.
    pub fn step6(&mut self, m4: &[u8]) -> Result<(), Error> {
        if !self.settings.kca {
            return Err(Error::Unsupported);
        }
        belt_min::mac_verify(&self.k1, &[&ZERO16], m4)?;
        self.done = true;
        Ok(())
    }

    /// The shared key `K0`.
    pub fn key(&self) -> Result<[u8; 32], Error> {
        if self.done {
            Ok(*self.k0)
        } else {
            Err(Error::Unsupported)
        }
    }
}

#[allow(dead_code)]
fn _assert_send<C: BignCurve>() {
    fn s<T: Send>() {}
    s::<Bpace<C>>();
}

pub use kats::SELF_TESTS;

mod kats {
    //! Known-answer tests of `vectors/bake.txt` (STB 34.101.66 appendix B via bee2).
    use alloc::vec::Vec;

    use super::*;
    use crate::bign::Curve256;
    use crate::bign::ReplayRng;
    use crate::kat::{self, KatError, Record, SelfTest};

    const VECTORS: &str = include_str!("../vectors/bake.txt");

    fn field(r: &Record<'_>, name: &str, v: usize) -> Result<Vec<u8>, KatError> {
        r.hex(name).ok_or(KatError {
            vector: v,
            what: "missing or malformed field",
        })
    }

    fn e(v: usize, what: &'static str) -> impl Fn(Error) -> KatError {
        move |_| KatError { vector: v, what }
    }

    struct Parties {
        da: PrivateKey<Curve256>,
        db: PrivateKey<Curve256>,
        cert_a: Vec<u8>,
        cert_b: Vec<u8>,
    }

    fn parties() -> Result<Parties, KatError> {
        let recs = kat::records(VECTORS);
        let r = recs.first().ok_or(KatError {
            vector: 1,
            what: "missing key record",
        })?;
        let da = PrivateKey::from_bytes(&field(r, "d_a", 1)?).map_err(e(1, "d_a"))?;
        let db = PrivateKey::from_bytes(&field(r, "d_b", 1)?).map_err(e(1, "d_b"))?;
        let cert_a = field(r, "cert_a", 1)?;
        let cert_b = field(r, "cert_b", 1)?;
        // The certificates end with the public keys of d_a, d_b.
        let tail = |c: &[u8]| c.get(c.len().saturating_sub(64)..).map(<[u8]>::to_vec);
        kat::check(
            1,
            "cert_a carries Q_a",
            &tail(&cert_a).unwrap_or_default(),
            &da.public_key().to_bytes(),
        )?;
        kat::check(
            1,
            "cert_b carries Q_b",
            &tail(&cert_b).unwrap_or_default(),
            &db.public_key().to_bytes(),
        )?;
        Ok(Parties {
            da,
            db,
            cert_a,
            cert_b,
        })
    }

    /// bee2's test certificate format: the public key is the last 64 bytes.
    fn validate(cert: &[u8]) -> Result<PublicKey<Curve256>, Error> {
        let pk = cert
            .get(cert.len().checked_sub(64).ok_or(Error::InvalidPublicKey)?..)
            .ok_or(Error::InvalidPublicKey)?;
        PublicKey::from_bytes(pk)
    }

    fn settings() -> Settings {
        Settings {
            kca: true,
            kcb: true,
            helloa: Vec::new(),
            hellob: Vec::new(),
        }
    }

    fn rec_with<'a>(recs: &'a [Record<'a>], n: usize) -> Result<&'a Record<'a>, KatError> {
        recs.iter()
            .filter(|r| r.get("rand_a").is_some())
            .nth(n)
            .ok_or(KatError {
                vector: n + 2,
                what: "missing protocol record",
            })
    }

    fn kat_bmqv() -> Result<usize, KatError> {
        let p = parties()?;
        let recs = kat::records(VECTORS);
        let r = rec_with(&recs, 0)?;
        let v = 2;
        let mut rng_a = ReplayRng::new(field(r, "rand_a", v)?);
        let mut rng_b = ReplayRng::new(field(r, "rand_b", v)?);
        let mut a = Bmqv::new(settings(), &p.da, &p.cert_a);
        let mut b = Bmqv::new(settings(), &p.db, &p.cert_b);
        let m1 = b.step2(&mut rng_b).map_err(e(v, "B step 2"))?;
        let m2 = a
            .step3(&mut rng_a, &m1, &p.cert_b, &validate)
            .map_err(e(v, "A step 3"))?;
        let m3 = b
            .step4(&m2, &p.cert_a, &validate)
            .map_err(e(v, "B step 4"))?;
        a.step5(&m3).map_err(e(v, "A step 5"))?;
        let want = field(r, "key", v)?;
        kat::check(v, "BMQV key A", &a.key().map_err(e(v, "A key"))?, &want)?;
        kat::check(v, "BMQV key B", &b.key().map_err(e(v, "B key"))?, &want)?;
        Ok(1)
    }

    fn kat_bsts() -> Result<usize, KatError> {
        let p = parties()?;
        let recs = kat::records(VECTORS);
        let r = rec_with(&recs, 1)?;
        let v = 3;
        let mut rng_a = ReplayRng::new(field(r, "rand_a", v)?);
        let mut rng_b = ReplayRng::new(field(r, "rand_b", v)?);
        let mut a = Bsts::new(settings(), &p.da, &p.cert_a);
        let mut b = Bsts::new(settings(), &p.db, &p.cert_b);
        let m1 = b.step2(&mut rng_b).map_err(e(v, "B step 2"))?;
        let m2 = a.step3(&mut rng_a, &m1).map_err(e(v, "A step 3"))?;
        let m3 = b.step4(&m2, &validate).map_err(e(v, "B step 4"))?;
        a.step5(&m3, &validate).map_err(e(v, "A step 5"))?;
        let want = field(r, "key", v)?;
        kat::check(v, "BSTS key A", &a.key().map_err(e(v, "A key"))?, &want)?;
        kat::check(v, "BSTS key B", &b.key().map_err(e(v, "B key"))?, &want)?;
        Ok(1)
    }

    fn kat_bpace() -> Result<usize, KatError> {
        let recs = kat::records(VECTORS);
        let r = rec_with(&recs, 2)?;
        let v = 4;
        let pwd = r.get("password_ascii").ok_or(KatError {
            vector: v,
            what: "missing password",
        })?;
        let mut rng_a = ReplayRng::new(field(r, "rand_a", v)?);
        let mut rng_b = ReplayRng::new(field(r, "rand_b", v)?);
        let mut a = Bpace::<Curve256>::new(settings(), pwd.as_bytes());
        let mut b = Bpace::<Curve256>::new(settings(), pwd.as_bytes());
        let m1 = b.step2(&mut rng_b).map_err(e(v, "B step 2"))?;
        let m2 = a.step3(&mut rng_a, &m1).map_err(e(v, "A step 3"))?;
        let m3 = b.step4(&mut rng_b, &m2).map_err(e(v, "B step 4"))?;
        let m4 = a.step5(&m3).map_err(e(v, "A step 5"))?;
        b.step6(&m4).map_err(e(v, "B step 6"))?;
        let want = field(r, "key", v)?;
        kat::check(v, "BPACE key A", &a.key().map_err(e(v, "A key"))?, &want)?;
        kat::check(v, "BPACE key B", &b.key().map_err(e(v, "B key"))?, &want)?;
        Ok(1)
    }

    fn kat_kdf() -> Result<usize, KatError> {
        let mut n = 0;
        for (i, r) in kat::records(VECTORS)
            .iter()
            .filter(|r| r.get("secret").is_some())
            .enumerate()
        {
            let v = i + 1;
            let c: u64 = r.get("num").and_then(|s| s.parse().ok()).ok_or(KatError {
                vector: v,
                what: "num",
            })?;
            let k = bake_kdf(&field(r, "secret", v)?, &[&field(r, "iv", v)?], c);
            kat::check(v, "bake-kdf", &k, &field(r, "out", v)?)?;
            n += 1;
        }
        Ok(n)
    }

    fn kat_swu() -> Result<usize, KatError> {
        let recs = kat::records(VECTORS);
        let r = recs
            .iter()
            .find(|r| r.get("in").is_some())
            .ok_or(KatError {
                vector: 1,
                what: "missing swu record",
            })?;
        let w = bake_swu::<Curve256>(&field(r, "in", 1)?).map_err(e(1, "swu"))?;
        let mut got = Vec::new();
        encode::<Curve256>(&w, &mut got);
        kat::check(1, "bake-swu point", &got, &field(r, "out", 1)?)?;
        if !bool::from(crate::bign::point::is_on_curve::<Curve256>(&w)) {
            return Err(KatError {
                vector: 1,
                what: "bake-swu point not on the curve",
            });
        }
        Ok(1)
    }

    /// Self-tests of this module.
    pub static SELF_TESTS: &[SelfTest] = &[
        SelfTest {
            name: "bake-kdf (STB 34.101.66 B.4)",
            run: kat_kdf,
        },
        SelfTest {
            name: "bake-swu (STB 34.101.66 B.4)",
            run: kat_swu,
        },
        SelfTest {
            name: "bake BMQV (STB 34.101.66 B.2)",
            run: kat_bmqv,
        },
        SelfTest {
            name: "bake BSTS (STB 34.101.66 B.3)",
            run: kat_bsts,
        },
        SelfTest {
            name: "bake BPACE (STB 34.101.66 B.4)",
            run: kat_bpace,
        },
    ];
}
