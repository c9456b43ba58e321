//! Provider adapters for bign (signature scheme `bign-hbelt`, a software [`SigningKey`], ECDH
//! groups on the three curves) and the known-answer tests of `vectors/bign.txt`.
//!
//! Zubr's ECDH groups (**[Z]**, Zubr-private numbers in the IKE private range 32768–65535; no
//! published IKE number exists for bign): 65101 `BIGN_256` / `bign256` (bign-curve256v1),
//! 65102 `BIGN_384` / `bign384`, 65103 `BIGN_512` / `bign512`. Public value `x ‖ y`
//! little-endian (64/96/128 bytes); shared secret `x(d·Q)` little-endian (32/48/64 bytes).
//! Every peer value is validated (length, `x, y < p`, curve equation) before use.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::marker::PhantomData;

use belt_hash::{BeltHash, Digest};
use primefield::ff::PrimeField;
use zeroize::{Zeroize, Zeroizing};

use super::{
    BELT_HASH_OID_DER, BignCurve, Curve256, Curve384, Curve512, MAX_LEN, PrivateKey, PublicKey,
};
use crate::kat::{self, KatError, Record, SelfTest};
use crate::provider::{DhAlgorithm, DhPrivateKey, SharedSecret, SignatureVerifier, SigningKey};
use crate::{Error, Rng};

// ---------------------------------------------------------------------------------------------
// Signatures

/// bign-with-hbelt (`1.2.112.0.2.0.34.101.45.12`) on bign-curve256v1: public key `x ‖ y`
/// (64 bytes LE), signature `S0 ‖ S1` (48 bytes), message hashed with belt-hash.
pub struct BignHbelt;

impl SignatureVerifier for BignHbelt {
    fn verify(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), Error> {
        let pk = PublicKey::<Curve256>::from_bytes(public_key)?;
        pk.verify_hbelt(message, signature)
    }
}

/// The provider's bign-with-hbelt verifier.
pub static BIGN_HBELT: BignHbelt = BignHbelt;

/// A software bign-with-hbelt signing key. Signs with bign-genk's deterministic `k` and 32 bytes
/// of extra data `t` from the caller's RNG (STB 34.101.45 allows `t`; a weak RNG then cannot
/// leak the key, a good one protects against fault attacks).
pub struct BignSigner(PrivateKey<Curve256>);

impl BignSigner {
    /// From `d` (32 bytes little-endian).
    pub fn from_bytes(d: &[u8]) -> Result<Self, Error> {
        Ok(BignSigner(PrivateKey::from_bytes(d)?))
    }
    /// Generates a key pair.
    pub fn generate(rng: &mut dyn Rng) -> Result<Self, Error> {
        Ok(BignSigner(PrivateKey::generate(rng)?))
    }
}

impl core::fmt::Debug for BignSigner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("BignSigner { .. }")
    }
}

impl SigningKey for BignSigner {
    fn scheme(&self) -> &'static str {
        "bign-hbelt"
    }
    fn public_key(&self) -> Vec<u8> {
        self.0.public_key().to_bytes()
    }
    fn sign(&self, rng: &mut dyn Rng, message: &[u8]) -> Result<Vec<u8>, Error> {
        let mut t = Zeroizing::new([0u8; 32]);
        rng.fill(&mut t[..])?;
        Ok(self.0.sign_hbelt(message, &t[..])?.to_vec())
    }
}

// ---------------------------------------------------------------------------------------------
// ECDH

/// ECDH on a bign curve as a provider DH group.
pub struct BignDh<C>(PhantomData<fn() -> C>);

/// ECDH on bign-curve256v1 (group 65101 [Z]).
pub static BIGN256_DH: BignDh<Curve256> = BignDh(PhantomData);
/// ECDH on bign-curve384v1 (group 65102 [Z]).
pub static BIGN384_DH: BignDh<Curve384> = BignDh(PhantomData);
/// ECDH on bign-curve512v1 (group 65103 [Z]).
pub static BIGN512_DH: BignDh<Curve512> = BignDh(PhantomData);

struct BignDhKey<C: BignCurve> {
    key: PrivateKey<C>,
    public: Vec<u8>,
}

impl<C: BignCurve> DhAlgorithm for BignDh<C> {
    fn public_len(&self) -> usize {
        2 * C::LEN
    }
    fn generate(&self, rng: &mut dyn Rng) -> Result<Box<dyn DhPrivateKey>, Error> {
        let key = PrivateKey::<C>::generate(rng)?;
        let public = key.public_key().to_bytes();
        Ok(Box::new(BignDhKey { key, public }))
    }
}

impl<C: BignCurve> DhPrivateKey for BignDhKey<C> {
    fn public_key(&self) -> &[u8] {
        &self.public
    }
    fn agree(&self, peer: &[u8]) -> Result<SharedSecret, Error> {
        let peer = PublicKey::<C>::from_bytes(peer)?;
        let mut out = Zeroizing::new(alloc::vec![0u8; C::LEN]);
        self.key.agree(&peer, &mut out)?;
        Ok(out)
    }
}

// ---------------------------------------------------------------------------------------------
// Known-answer tests (vectors/bign.txt: STB 34.101.45 appendix Г tables via bee2)

const VECTORS: &str = include_str!("../../vectors/bign.txt");

fn field(r: &Record<'_>, name: &str, v: usize) -> Result<Vec<u8>, KatError> {
    r.hex(name).ok_or(KatError {
        vector: v,
        what: "missing or malformed field",
    })
}

fn sc256(b: &[u8], v: usize) -> Result<bignp256::Scalar, KatError> {
    super::sc_from_le::<Curve256>(b).ok_or(KatError {
        vector: v,
        what: "k out of range",
    })
}

fn bad(v: usize, what: &'static str) -> impl Fn(Error) -> KatError {
    move |_| KatError { vector: v, what }
}

/// The G.1 private key.
fn g1_key() -> Result<PrivateKey<Curve256>, KatError> {
    let recs = kat::records(VECTORS);
    let r = recs.iter().find(|r| r.get("d").is_some()).ok_or(KatError {
        vector: 1,
        what: "missing G.1",
    })?;
    PrivateKey::from_bytes(&field(r, "d", 1)?).map_err(bad(1, "G.1 d rejected"))
}

fn kat_keypair() -> Result<usize, KatError> {
    let recs = kat::records(VECTORS);
    let r = recs.iter().find(|r| r.get("d").is_some()).ok_or(KatError {
        vector: 1,
        what: "missing G.1",
    })?;
    let key =
        PrivateKey::<Curve256>::from_bytes(&field(r, "d", 1)?).map_err(bad(1, "G.1 d rejected"))?;
    kat::check(
        1,
        "G.1 public key",
        &key.public_key().to_bytes(),
        &field(r, "pub", 1)?,
    )?;
    // The same d drawn from the brng-ctr stream (bee2's test RNG) gives the same key.
    let mut rng = test_rng();
    let generated = PrivateKey::<Curve256>::generate(&mut rng).map_err(bad(1, "keygen"))?;
    kat::check(
        1,
        "G.1 keygen from brng",
        &generated.public_key().to_bytes(),
        &field(r, "pub", 1)?,
    )?;
    Ok(1)
}

/// bee2's test RNG for bign/bake: the brng-ctr stream of STB 34.101.47 table B.2 (`brng.txt`:
/// key, IV and X = H[0..256)), generated by [`crate::brng::BrngCtr`] and handed out in order —
/// "block i" of the vector files is bytes `32i..32i+32` of this stream.
pub(crate) fn test_rng() -> ReplayRng {
    let mut stream = Vec::new();
    if let Some(r) = kat::records(include_str!("../../vectors/brng.txt")).first() {
        let key = r.hex("key").and_then(|v| <[u8; 32]>::try_from(v).ok());
        let iv = r.hex("iv").and_then(|v| <[u8; 32]>::try_from(v).ok());
        if let (Some(key), Some(iv), Some(mut x)) = (key, iv, r.hex("x")) {
            crate::brng::BrngCtr::new(&key, &iv).generate_in_place(&mut x);
            stream = x;
        }
    }
    ReplayRng { stream, pos: 0 }
}

/// Replays a fixed byte stream as an [`Rng`] (known-answer tests and simulations only); fails
/// when exhausted.
pub struct ReplayRng {
    stream: Vec<u8>,
    pos: usize,
}

impl ReplayRng {
    /// Replays `stream`.
    pub fn new(stream: Vec<u8>) -> Self {
        ReplayRng { stream, pos: 0 }
    }
}

impl Rng for ReplayRng {
    fn fill(&mut self, out: &mut [u8]) -> Result<(), Error> {
        let end = self.pos.checked_add(out.len()).ok_or(Error::RngFailure)?;
        let src = self.stream.get(self.pos..end).ok_or(Error::RngFailure)?;
        out.copy_from_slice(src);
        self.pos = end;
        Ok(())
    }
}

fn kat_sign() -> Result<usize, KatError> {
    let key = g1_key()?;
    let mut n = 0;
    for (i, r) in kat::records(VECTORS)
        .iter()
        .filter(|r| r.get("msg").is_some())
        .enumerate()
    {
        let v = i + 2;
        let msg = field(r, "msg", v)?;
        let h: [u8; 32] = BeltHash::digest(&msg).into();
        kat::check(v, "belt-hash of message", &h, &field(r, "hash", v)?)?;
        let k = sc256(&field(r, "k", v)?, v)?;
        let mut sig = [0u8; 48];
        key.sign_prehash_with_k(&BELT_HASH_OID_DER, &h, &k, &mut sig)
            .map_err(bad(v, "sign failed"))?;
        let want = field(r, "sig", v)?;
        kat::check(v, "signature", &sig, &want)?;
        key.public_key()
            .verify_hbelt(&msg, &want)
            .map_err(bad(v, "verify rejected the official signature"))?;
        let mut wrong = want.clone();
        wrong[0] ^= 1;
        if key.public_key().verify_hbelt(&msg, &wrong).is_ok() {
            return Err(KatError {
                vector: v,
                what: "verify accepted a modified signature",
            });
        }
        n += 1;
    }
    Ok(n)
}

fn kat_genk() -> Result<usize, KatError> {
    let key = g1_key()?;
    let mut n = 0;
    for (i, r) in kat::records(VECTORS)
        .iter()
        .filter(|r| r.get("msg").is_none() && r.get("hash").is_some())
        .enumerate()
    {
        let v = i + 1;
        let h = field(r, "hash", v)?;
        let t = r.hex("t").unwrap_or_default();
        let k = key
            .genk::<BeltHash>(&h, &t)
            .map_err(bad(v, "genk failed"))?;
        kat::check(v, "bign-genk k", k.to_repr().as_ref(), &field(r, "k", v)?)?;
        if let Some(want) = r.hex("sig") {
            let mut sig = [0u8; 48];
            key.sign_prehash_det::<BeltHash>(&h, &t, &mut sig)
                .map_err(bad(v, "sign failed"))?;
            kat::check(v, "deterministic signature", &sig, &want)?;
            key.public_key()
                .verify_prehash(&BELT_HASH_OID_DER, &h, &sig)
                .map_err(bad(v, "verify"))?;
        }
        n += 1;
    }
    Ok(n)
}

fn kat_keytransport() -> Result<usize, KatError> {
    let key = g1_key()?;
    let mut n = 0;
    for (i, r) in kat::records(VECTORS)
        .iter()
        .filter(|r| r.get("token").is_some())
        .enumerate()
    {
        let v = i + 4;
        let pk = PublicKey::<Curve256>::from_bytes(&field(r, "pub", v)?)
            .map_err(bad(v, "public key rejected"))?;
        let x = field(r, "key_X", v)?;
        let hdr: [u8; 16] = field(r, "header_I", v)?.try_into().map_err(|_| KatError {
            vector: v,
            what: "header length",
        })?;
        let k = sc256(&field(r, "k", v)?, v)?;
        let want = field(r, "token", v)?;
        let mut token = alloc::vec![0u8; want.len()];
        pk.wrap_key_with_k(&k, &x, &hdr, &mut token)
            .map_err(bad(v, "wrap failed"))?;
        kat::check(v, "token", &token, &want)?;
        let mut out = alloc::vec![0u8; x.len()];
        key.unwrap_key(&want, &hdr, &mut out)
            .map_err(bad(v, "unwrap failed"))?;
        kat::check(v, "unwrapped key", &out, &x)?;
        let mut tampered = want.clone();
        if let Some(b) = tampered.last_mut() {
            *b ^= 0x80;
        }
        if key.unwrap_key(&tampered, &hdr, &mut out).is_ok() {
            return Err(KatError {
                vector: v,
                what: "unwrap accepted a modified token",
            });
        }
        n += 1;
    }
    Ok(n)
}

/// Curve self-consistency of the three curves: G on the curve, `y_G = b^{(p+1)/4}`,
/// `q·G = O`, and an ECDH agreement.
fn kat_curves() -> Result<usize, KatError> {
    fn one<C: BignCurve>(v: usize) -> Result<(), KatError> {
        use super::point::{ProjectivePoint, is_on_curve, lift_x};
        let g = C::generator_affine();
        if !bool::from(is_on_curve::<C>(&g)) {
            return Err(KatError {
                vector: v,
                what: "G not on curve",
            });
        }
        let lifted: Option<super::point::Affine<C::Fe>> = lift_x::<C>(&g.x).into();
        let y_ok = lifted.is_some_and(|p| p.y == g.y || p.y == -g.y);
        if !y_ok {
            return Err(KatError {
                vector: v,
                what: "y_G is not b^((p+1)/4)",
            });
        }
        // q·G = (q−1)·G + G = −G + G.
        let qm1 = -C::Sc::ONE;
        let g_proj = ProjectivePoint::<C>::generator();
        let sum = C::mul_generator(&qm1).add(&g_proj);
        if !bool::from(sum.is_identity()) {
            return Err(KatError {
                vector: v,
                what: "q*G != O",
            });
        }
        let mut rng = test_rng();
        let a = PrivateKey::<C>::generate(&mut rng).map_err(bad(v, "keygen"))?;
        let b = PrivateKey::<C>::generate(&mut rng).map_err(bad(v, "keygen"))?;
        let mut s1 = [0u8; MAX_LEN];
        let mut s2 = [0u8; MAX_LEN];
        a.agree(b.public_key(), &mut s1[..C::LEN])
            .map_err(bad(v, "agree"))?;
        b.agree(a.public_key(), &mut s2[..C::LEN])
            .map_err(bad(v, "agree"))?;
        kat::check(v, "ECDH symmetric", &s1, &s2)?;
        s1.zeroize();
        s2.zeroize();
        Ok(())
    }
    use primefield::ff::Field;
    one::<Curve256>(1)?;
    one::<Curve384>(2)?;
    one::<Curve512>(3)?;
    Ok(3)
}

/// Self-tests of this module.
pub static SELF_TESTS: &[SelfTest] = &[
    SelfTest {
        name: "bign key pair (STB 34.101.45 G.1)",
        run: kat_keypair,
    },
    SelfTest {
        name: "bign-with-hbelt sign/verify (STB 34.101.45 G.2, G.3)",
        run: kat_sign,
    },
    SelfTest {
        name: "bign-genk deterministic k (bee2 G.6, G.7)",
        run: kat_genk,
    },
    SelfTest {
        name: "bign-keytransport (STB 34.101.45 G.4, G.5)",
        run: kat_keytransport,
    },
    SelfTest {
        name: "bign curves 256/384/512 (parameters, q*G = O, ECDH)",
        run: kat_curves,
    },
];
