//! STB 34.101.47 pseudo-random generators: **brng-ctr** (§6.2, the construction the product's
//! certification cites; the provider's default DRBG) and **brng-hmac** (§6.3).
//!
//! Hand-written (no crate implements brng) from the standard's text as summarised in crypto.md
//! §2.2; checked against tables B.2 and B.4. The state is zeroized on drop and never printed.

use belt_hash::{BeltHash, Digest};
use hmac::{KeyInit, Mac};
use zeroize::{Zeroize, ZeroizeOnDrop};

#[cfg(feature = "alloc")]
use crate::kat::{self, KatError, SelfTest};
use crate::{Error, Rng};

type HmacHbelt = hmac::Hmac<BeltHash>;

/// brng-ctr: `Y_i = belt-hash(K ‖ s ‖ X_i ‖ r)`, `s += 1` (256-bit little-endian), `r ^= Y_i`,
/// with `s = S`, `r = ¬S` initially. Output comes in 32-byte blocks; a partial block request
/// uses the first bytes of a fresh block (the rest is discarded, as bee2 does for its tail).
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct BrngCtr {
    key: [u8; 32],
    s: [u8; 32],
    r: [u8; 32],
}

impl BrngCtr {
    /// Instantiates with key `K` and initial value `S`.
    pub fn new(key: &[u8; 32], iv: &[u8; 32]) -> Self {
        let mut r = *iv;
        r.iter_mut().for_each(|b| *b = !*b);
        BrngCtr {
            key: *key,
            s: *iv,
            r,
        }
    }

    /// One step: returns `Y_i` for input `x` (bee2 feeds the previous content of the output
    /// buffer as `X`; [`Rng::fill`] feeds zeros).
    pub fn step(&mut self, x: &[u8; 32]) -> [u8; 32] {
        let mut h = BeltHash::new();
        h.update(self.key);
        h.update(self.s);
        h.update(x);
        h.update(self.r);
        let y: [u8; 32] = h.finalize().into();
        // s += 1 (256-bit little-endian)
        for b in self.s.iter_mut() {
            let (v, carry) = b.overflowing_add(1);
            *b = v;
            if !carry {
                break;
            }
        }
        self.r.iter_mut().zip(y.iter()).for_each(|(r, y)| *r ^= y);
        y
    }

    /// Generates in place like bee2's `brngCTRStepR`: each 32-byte chunk of `buf` is used as
    /// `X_i` and replaced by `Y_i` (the final partial chunk is zero-padded).
    pub fn generate_in_place(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(32) {
            let mut x = [0u8; 32];
            x[..chunk.len()].copy_from_slice(chunk);
            let mut y = self.step(&x);
            chunk.copy_from_slice(&y[..chunk.len()]);
            x.zeroize();
            y.zeroize();
        }
    }
}

impl Rng for BrngCtr {
    fn fill(&mut self, out: &mut [u8]) -> Result<(), Error> {
        out.iter_mut().for_each(|b| *b = 0);
        self.generate_in_place(out);
        Ok(())
    }
}

impl core::fmt::Debug for BrngCtr {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("BrngCtr { .. }")
    }
}

/// brng-hmac: `r = HMAC(K, S)`; per block `Y_i = HMAC(K, r ‖ S)`, `r = HMAC(K, r)`
/// (HMAC = hmac-hbelt). Key and S may have any length.
pub struct BrngHmac {
    mac: HmacHbelt,
    s: alloc_free::SmallBuf,
    r: [u8; 32],
}

mod alloc_free {
    use zeroize::Zeroize;
    /// Up to 64 bytes of S kept inline (longer S is hashed by the caller's choice; bee2 keeps a
    /// pointer). 64 covers every use in the product.
    pub struct SmallBuf {
        pub buf: [u8; 64],
        pub len: usize,
    }
    impl Drop for SmallBuf {
        fn drop(&mut self) {
            self.buf.zeroize();
        }
    }
}

impl BrngHmac {
    /// Instantiates; `iv` (S) may be at most 64 bytes.
    pub fn new(key: &[u8], iv: &[u8]) -> Result<Self, Error> {
        if iv.len() > 64 {
            return Err(Error::InvalidLength);
        }
        let mac = <HmacHbelt as KeyInit>::new_from_slice(key).map_err(|_| Error::InvalidLength)?;
        let mut m = mac.clone();
        m.update(iv);
        let r: [u8; 32] = m.finalize().into_bytes().into();
        let mut buf = [0u8; 64];
        buf[..iv.len()].copy_from_slice(iv);
        Ok(BrngHmac {
            mac,
            s: alloc_free::SmallBuf { buf, len: iv.len() },
            r,
        })
    }

    /// One 32-byte output block.
    pub fn step(&mut self) -> [u8; 32] {
        let mut m = self.mac.clone();
        m.update(&self.r);
        m.update(&self.s.buf[..self.s.len]);
        let y: [u8; 32] = m.finalize().into_bytes().into();
        let mut m = self.mac.clone();
        m.update(&self.r);
        self.r = m.finalize().into_bytes().into();
        y
    }
}

impl Rng for BrngHmac {
    fn fill(&mut self, out: &mut [u8]) -> Result<(), Error> {
        for chunk in out.chunks_mut(32) {
            let mut y = self.step();
            chunk.copy_from_slice(&y[..chunk.len()]);
            y.zeroize();
        }
        Ok(())
    }
}

impl Drop for BrngHmac {
    fn drop(&mut self) {
        self.r.zeroize();
    }
}

impl core::fmt::Debug for BrngHmac {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("BrngHmac { .. }")
    }
}

/// The provider's DRBG factory: brng-ctr with `K = belt-hash(seed ‖ 0x01)`,
/// `S = belt-hash(seed ‖ 0x02)` (a seed of any length ≥ 32 bytes is condensed by belt-hash).
#[cfg(feature = "alloc")]
pub struct BrngCtrFactory;

#[cfg(feature = "alloc")]
impl crate::provider::DrbgFactory for BrngCtrFactory {
    fn name(&self) -> &'static str {
        "brng-ctr-hbelt"
    }
    fn instantiate(&self, seed: &[u8]) -> Result<alloc::boxed::Box<dyn Rng>, Error> {
        if seed.len() < 32 {
            return Err(Error::InvalidLength);
        }
        let mut k: [u8; 32] = BeltHash::new()
            .chain_update(seed)
            .chain_update([1u8])
            .finalize()
            .into();
        let mut s: [u8; 32] = BeltHash::new()
            .chain_update(seed)
            .chain_update([2u8])
            .finalize()
            .into();
        let g = BrngCtr::new(&k, &s);
        k.zeroize();
        s.zeroize();
        Ok(alloc::boxed::Box::new(g))
    }
}

/// The software DRBG factory.
#[cfg(feature = "alloc")]
pub static BRNG_CTR: BrngCtrFactory = BrngCtrFactory;

#[cfg(feature = "alloc")]
const VECTORS: &str = include_str!("../vectors/brng.txt");

#[cfg(feature = "alloc")]
fn kat_brng_ctr() -> Result<usize, KatError> {
    let recs = kat::records(VECTORS);
    let r = recs.first().ok_or(KatError {
        vector: 1,
        what: "missing B.2 record",
    })?;
    let bad = KatError {
        vector: 1,
        what: "malformed B.2 record",
    };
    let key: [u8; 32] = r
        .hex("key")
        .and_then(|v| v.try_into().ok())
        .ok_or(bad.clone())?;
    let iv: [u8; 32] = r
        .hex("iv")
        .and_then(|v| v.try_into().ok())
        .ok_or(bad.clone())?;
    let mut buf = r.hex("x").ok_or(bad.clone())?;
    let want = r.hex("out").ok_or(bad)?;
    let mut g = BrngCtr::new(&key, &iv);
    g.generate_in_place(&mut buf);
    kat::check(1, "brng-ctr B.2 output", &buf, &want)?;
    Ok(1)
}

#[cfg(feature = "alloc")]
fn kat_brng_hmac() -> Result<usize, KatError> {
    let recs = kat::records(VECTORS);
    let mut n = 0;
    for (i, r) in recs.iter().enumerate().skip(1) {
        let bad = KatError {
            vector: i + 1,
            what: "malformed brng-hmac record",
        };
        let key = r.hex("key").ok_or(bad.clone())?;
        let iv = r.hex("iv").ok_or(bad.clone())?;
        let want = r.hex("out").ok_or(bad.clone())?;
        let mut g = BrngHmac::new(&key, &iv).map_err(|_| bad)?;
        let mut out = alloc::vec![0u8; want.len()];
        g.fill(&mut out).map_err(|_| KatError {
            vector: i + 1,
            what: "rng failure",
        })?;
        kat::check(i + 1, "brng-hmac output", &out, &want)?;
        n += 1;
    }
    Ok(n)
}

/// Self-tests of this module.
#[cfg(feature = "alloc")]
pub static SELF_TESTS: &[SelfTest] = &[
    SelfTest {
        name: "brng-ctr (STB 34.101.47 B.2)",
        run: kat_brng_ctr,
    },
    SelfTest {
        name: "brng-hmac (STB 34.101.47 B.4)",
        run: kat_brng_hmac,
    },
];
