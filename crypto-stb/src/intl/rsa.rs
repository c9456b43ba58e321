//! RSA PKCS#1 v1.5 signatures (RFC 8017 §8.2, EMSA-PKCS1-v1_5 §9.2), including IKEv1's raw form
//! (RFC 2409 §5.1, auth method 3: type-1 padding of the HASH_I/HASH_R bytes **without**
//! DigestInfo — strongSwan's `RSA_EMSA_PKCS1_NULL`).
//!
//! Hand-written on `crypto-bigint` 0.7 (crypto.md §3 [Z]: the new-line `rsa` crate is still a
//! pre-release). Keys are parsed with the `pkcs1` 0.8 / `pkcs8` 0.11 crates (DER only; PEM is
//! the PKI's business).
//!
//! * **Verification** is encode-then-compare (RFC 8017 §8.2.2): the signature must be exactly
//!   `k = len(n)` bytes and `< n`; `s^e mod n` is compared in constant time with the encoding we
//!   build ourselves, so no padding parser exists to be fooled (Bleichenbacher 2006, BER
//!   DigestInfo, missing NULL parameters). Public-key operations are variable-time (public data).
//! * **Signing** uses the CRT with constant-time Montgomery exponentiation, base blinding with a
//!   random `r` (`c·r^e`, unblinded with `r⁻¹`), and checks `s^e = m` before releasing `s`
//!   (fault attacks).
//! * Moduli from 512 to 8192 bits, odd public exponents `3 ≤ e < 2^64` (and `< n`); the bound
//!   keeps the cost of a public operation with an untrusted key small. Multi-prime keys are
//!   refused ([`Error::Unsupported`]).
//! * `rsa-pkcs1-md5` verifies only (old certificates); signing with it is refused.
//!
//! Secrets: `p`, `q`, `dP`, `dQ`, `qInv` and the intermediates are zeroized. Known limitation:
//! crypto-bigint 0.7's `BoxedMontyParams` (an `Arc`) cannot be zeroized, so the Montgomery
//! parameters of `p` and `q` built for each signature are freed without being wiped.
//!
//! This module must not accept a signature by parsing the padding it recovers.

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, ConcatenatingMul, Integer, NonZero, Odd, Resize};
use der::{Decode, Encode};
use digest::Digest;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use crate::provider::{SignatureVerifier, SigningKey};
use crate::{Error, Rng};

/// Smallest accepted modulus, in bits.
pub const MIN_MODULUS_BITS: u32 = 512;
/// Largest accepted modulus, in bits (bounds the work an untrusted key can cause).
pub const MAX_MODULUS_BITS: u32 = 8192;

/// The hash and DigestInfo of a PKCS#1 v1.5 scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hash {
    Md5,
    Sha1,
    Sha256,
    Sha384,
    Sha512,
    /// IKEv1: the message is the value to pad (HASH_I), no DigestInfo.
    Raw,
}

impl Hash {
    /// DER of `DigestInfo ::= SEQUENCE { AlgorithmIdentifier { oid, NULL }, OCTET STRING (len) }`
    /// up to the digest bytes (RFC 8017 §9.2 note 1).
    fn prefix(self) -> &'static [u8] {
        match self {
            Hash::Md5 => &[
                0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05,
                0x05, 0x00, 0x04, 0x10,
            ],
            Hash::Sha1 => &[
                0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04,
                0x14,
            ],
            Hash::Sha256 => &[
                0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x01, 0x05, 0x00, 0x04, 0x20,
            ],
            Hash::Sha384 => &[
                0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x02, 0x05, 0x00, 0x04, 0x30,
            ],
            Hash::Sha512 => &[
                0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x03, 0x05, 0x00, 0x04, 0x40,
            ],
            Hash::Raw => &[],
        }
    }

    /// `T` = DigestInfo ‖ H(message), or the message itself for [`Hash::Raw`].
    fn digest_info(self, message: &[u8]) -> Vec<u8> {
        let mut t = Vec::from(self.prefix());
        match self {
            Hash::Md5 => t.extend_from_slice(&md5::Md5::digest(message)),
            Hash::Sha1 => t.extend_from_slice(&sha1::Sha1::digest(message)),
            Hash::Sha256 => t.extend_from_slice(&sha2::Sha256::digest(message)),
            Hash::Sha384 => t.extend_from_slice(&sha2::Sha384::digest(message)),
            Hash::Sha512 => t.extend_from_slice(&sha2::Sha512::digest(message)),
            Hash::Raw => t.extend_from_slice(message),
        }
        t
    }
}

/// EMSA-PKCS1-v1_5 encoding `0x00 ‖ 0x01 ‖ 0xFF…0xFF ‖ 0x00 ‖ T` of length `k` (at least eight
/// 0xFF bytes). `None` when `T` does not fit ("intended encoded message length too short").
fn emsa_pkcs1_v15(t: &[u8], k: usize) -> Option<Vec<u8>> {
    if k < t.len().checked_add(11)? {
        return None;
    }
    let mut em = vec![0xffu8; k];
    em[0] = 0x00;
    em[1] = 0x01;
    let sep = k - t.len() - 1;
    em[sep] = 0x00;
    em[sep + 1..].copy_from_slice(t);
    Some(em)
}

/// An RSA public key (PKCS#1 `RSAPublicKey`).
#[derive(Clone)]
pub struct RsaPublicKey {
    n: BoxedUint,
    e: BoxedUint,
    /// `len(n)` in bytes.
    k: usize,
    params: BoxedMontyParams,
}

impl core::fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RsaPublicKey")
            .field("bits", &self.n.bit_width_vartime())
            .finish_non_exhaustive()
    }
}

/// Big-endian magnitude without leading zeros (DER INTEGER contents are minimal already; a
/// leading 0x00 only marks a positive number).
fn magnitude(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

impl RsaPublicKey {
    /// Parses a DER `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }`.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, Error> {
        let key = pkcs1::RsaPublicKey::<der::asn1::UintRef<'_>>::from_der(der)
            .map_err(|_| Error::InvalidPublicKey)?;
        Self::from_be(
            key.modulus.as_bytes(),
            key.public_exponent.as_bytes(),
            Error::InvalidPublicKey,
        )
    }

    /// A key from the big-endian modulus and public exponent.
    pub fn from_components(n: &[u8], e: &[u8]) -> Result<Self, Error> {
        Self::from_be(n, e, Error::InvalidPublicKey)
    }

    fn from_be(n: &[u8], e: &[u8], err: Error) -> Result<Self, Error> {
        let n = magnitude(n);
        let e = magnitude(e);
        let max_bytes = (MAX_MODULUS_BITS / 8) as usize;
        if n.len() > max_bytes || e.len() > n.len() || e.len() > 8 || n.is_empty() {
            return Err(err);
        }
        let n = BoxedUint::from_be_slice_vartime(n);
        let bits = n.bit_width_vartime();
        if !(MIN_MODULUS_BITS..=MAX_MODULUS_BITS).contains(&bits) {
            return Err(err);
        }
        let e = BoxedUint::from_be_slice(e, n.bits_precision()).map_err(|_| err)?;
        let three = BoxedUint::from(3u8).resize_unchecked(n.bits_precision());
        if !bool::from(e.is_odd()) || e.cmp_vartime(&three).is_lt() || e.cmp_vartime(&n).is_ge() {
            return Err(err);
        }
        let odd: Option<Odd<BoxedUint>> = n.to_odd().into();
        let params = BoxedMontyParams::new_vartime(odd.ok_or(err)?);
        Ok(RsaPublicKey {
            k: bits.div_ceil(8) as usize,
            n,
            e,
            params,
        })
    }

    /// The modulus length in bits.
    pub fn bits(&self) -> u32 {
        self.n.bit_width_vartime()
    }

    /// The modulus length in bytes (= signature length).
    pub fn size(&self) -> usize {
        self.k
    }

    /// DER `RSAPublicKey`.
    pub fn to_pkcs1_der(&self) -> Result<Vec<u8>, Error> {
        let n = self.n.to_be_bytes();
        let e = self.e.to_be_bytes();
        let key = pkcs1::RsaPublicKey {
            modulus: der::asn1::UintRef::new(magnitude(&n)).map_err(|_| Error::InvalidPublicKey)?,
            public_exponent: der::asn1::UintRef::new(magnitude(&e))
                .map_err(|_| Error::InvalidPublicKey)?,
        };
        key.to_der().map_err(|_| Error::InvalidPublicKey)
    }

    /// `x^e mod n` for `x < n` (variable time: public data).
    fn public_op(&self, x: BoxedUint) -> BoxedUint {
        BoxedMontyForm::new(x, &self.params)
            .pow_bounded_exp(&self.e, self.e.bit_width_vartime())
            .retrieve()
    }

    /// `I2OSP(x, k)`.
    fn i2osp(&self, x: &BoxedUint) -> Vec<u8> {
        let bytes = x.to_be_bytes();
        bytes[bytes.len() - self.k..].to_vec()
    }

    /// RSASSA-PKCS1-v1_5-VERIFY with the encoding `em` built by the caller.
    fn verify_em(&self, signature: &[u8], em: &[u8]) -> Result<(), Error> {
        if signature.len() != self.k || em.len() != self.k {
            return Err(Error::InvalidSignature);
        }
        let s = BoxedUint::from_be_slice(signature, self.n.bits_precision())
            .map_err(|_| Error::InvalidSignature)?;
        if s.cmp_vartime(&self.n).is_ge() {
            return Err(Error::InvalidSignature);
        }
        let m = self.i2osp(&self.public_op(s));
        if bool::from(m.ct_eq(em)) {
            Ok(())
        } else {
            Err(Error::InvalidSignature)
        }
    }
}

/// An RSA PKCS#1 v1.5 signature scheme (a [`SignatureVerifier`]); public keys are DER
/// `RSAPublicKey`.
pub struct RsaPkcs1 {
    hash: Hash,
}

impl RsaPkcs1 {
    /// Verifies with an already parsed key.
    pub fn verify_with(
        &self,
        key: &RsaPublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        let em = emsa_pkcs1_v15(&self.hash.digest_info(message), key.k)
            .ok_or(Error::InvalidSignature)?;
        key.verify_em(signature, &em)
    }
}

impl SignatureVerifier for RsaPkcs1 {
    fn verify(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), Error> {
        let key = RsaPublicKey::from_pkcs1_der(public_key)?;
        self.verify_with(&key, message, signature)
    }
}

/// `md5WithRSAEncryption` (1.2.840.113549.1.1.4): verification only.
pub static RSA_PKCS1_MD5: RsaPkcs1 = RsaPkcs1 { hash: Hash::Md5 };
/// `sha1WithRSAEncryption` (1.2.840.113549.1.1.5).
pub static RSA_PKCS1_SHA1: RsaPkcs1 = RsaPkcs1 { hash: Hash::Sha1 };
/// `sha256WithRSAEncryption` (1.2.840.113549.1.1.11).
pub static RSA_PKCS1_SHA256: RsaPkcs1 = RsaPkcs1 { hash: Hash::Sha256 };
/// `sha384WithRSAEncryption` (1.2.840.113549.1.1.12).
pub static RSA_PKCS1_SHA384: RsaPkcs1 = RsaPkcs1 { hash: Hash::Sha384 };
/// `sha512WithRSAEncryption` (1.2.840.113549.1.1.13).
pub static RSA_PKCS1_SHA512: RsaPkcs1 = RsaPkcs1 { hash: Hash::Sha512 };
/// IKEv1 RSA signature (auth method 3): the message (HASH_I/HASH_R) is padded as is.
pub static RSA_PKCS1_RAW: RsaPkcs1 = RsaPkcs1 { hash: Hash::Raw };

/// Scheme names this module signs with, and their hashes.
const SIGNING_SCHEMES: [(&str, Hash); 5] = [
    ("rsa-pkcs1-sha1", Hash::Sha1),
    ("rsa-pkcs1-sha256", Hash::Sha256),
    ("rsa-pkcs1-sha384", Hash::Sha384),
    ("rsa-pkcs1-sha512", Hash::Sha512),
    ("rsa-pkcs1-raw", Hash::Raw),
];

/// An RSA private key (two primes) implementing [`SigningKey`] for one of the schemes
/// `rsa-pkcs1-sha1/-sha256/-sha384/-sha512/-raw` (default `rsa-pkcs1-sha256`; pick another with
/// [`RsaPrivateKey::with_scheme`]).
pub struct RsaPrivateKey {
    public: RsaPublicKey,
    public_der: Vec<u8>,
    p: BoxedUint,
    q: BoxedUint,
    dp: BoxedUint,
    dq: BoxedUint,
    qinv: BoxedUint,
    scheme: (&'static str, Hash),
}

impl core::fmt::Debug for RsaPrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RsaPrivateKey")
            .field("bits", &self.public.bits())
            .field("scheme", &self.scheme.0)
            .finish_non_exhaustive()
    }
}

impl Drop for RsaPrivateKey {
    fn drop(&mut self) {
        self.p.zeroize();
        self.q.zeroize();
        self.dp.zeroize();
        self.dq.zeroize();
        self.qinv.zeroize();
    }
}

/// `rsaEncryption` (PKCS#1).
const RSA_ENCRYPTION: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

fn odd_params(x: &BoxedUint) -> Result<BoxedMontyParams, Error> {
    let odd: Option<Odd<BoxedUint>> = x.to_odd().into();
    Ok(BoxedMontyParams::new(odd.ok_or(Error::InvalidPrivateKey)?))
}

impl RsaPrivateKey {
    /// Parses a DER PKCS#1 `RSAPrivateKey` (two-prime).
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, Error> {
        let key = pkcs1::RsaPrivateKeyRef::from_der(der).map_err(|_| Error::InvalidPrivateKey)?;
        if key.other_prime_infos.is_some() {
            return Err(Error::Unsupported);
        }
        let public = RsaPublicKey::from_be(
            key.modulus.as_bytes(),
            key.public_exponent.as_bytes(),
            Error::InvalidPrivateKey,
        )?;
        let prec_p = |b: &[u8]| {
            BoxedUint::from_be_slice(magnitude(b), public.n.bits_precision())
                .map_err(|_| Error::InvalidPrivateKey)
        };
        let mut p = prec_p(key.prime1.as_bytes())?;
        let mut q = prec_p(key.prime2.as_bytes())?;
        // n = p·q, both odd and > 1. Only the bit lengths of p and q are read in variable time
        // (they are public in practice: half the modulus); the comparisons are constant-time.
        let pq = p.concatenating_mul(&q);
        let n_wide = Resize::resize_unchecked(&public.n, pq.bits_precision());
        let one = BoxedUint::one_with_precision(p.bits_precision());
        if !bool::from(pq.ct_eq(&n_wide))
            || !bool::from(p.is_odd() & q.is_odd())
            || p <= one
            || q <= one
        {
            return Err(Error::InvalidPrivateKey);
        }
        // Work at the primes' own precision.
        let bp = p.bit_width_vartime();
        let bq = q.bit_width_vartime();
        p = p.resize_unchecked(bp);
        q = q.resize_unchecked(bq);
        let fit = |b: &[u8], bits: u32| {
            BoxedUint::from_be_slice(magnitude(b), bits.div_ceil(64) * 64)
                .ok()
                .map(|x| x.resize_unchecked(bits))
                .ok_or(Error::InvalidPrivateKey)
        };
        let dp = fit(key.exponent1.as_bytes(), bp)?;
        let dq = fit(key.exponent2.as_bytes(), bq)?;
        let qinv = fit(key.coefficient.as_bytes(), bp)?;
        if dp >= p || dq >= q || qinv >= p {
            return Err(Error::InvalidPrivateKey);
        }
        // qInv·q ≡ 1 (mod p).
        let params_p = odd_params(&p)?;
        let q_mod_p = q.rem(params_p.modulus().as_nz_ref());
        let check = BoxedMontyForm::new(q_mod_p, &params_p)
            .mul(&BoxedMontyForm::new(qinv.clone(), &params_p))
            .retrieve();
        if !bool::from(check.is_one()) {
            return Err(Error::InvalidPrivateKey);
        }
        let public_der = public.to_pkcs1_der()?;
        Ok(RsaPrivateKey {
            public,
            public_der,
            p,
            q,
            dp,
            dq,
            qinv,
            scheme: SIGNING_SCHEMES[1],
        })
    }

    /// Parses a DER PKCS#8 `PrivateKeyInfo` holding an `rsaEncryption` key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        let info = pkcs8::PrivateKeyInfoRef::from_der(der).map_err(|_| Error::InvalidPrivateKey)?;
        if info.algorithm.oid != RSA_ENCRYPTION {
            return Err(Error::Unsupported);
        }
        match info.algorithm.parameters {
            None => {}
            Some(p) if p.is_null() => {}
            Some(_) => return Err(Error::InvalidPrivateKey),
        }
        Self::from_pkcs1_der(info.private_key.as_bytes())
    }

    /// The same key signing with scheme `name` (`rsa-pkcs1-sha1`, `-sha256`, `-sha384`,
    /// `-sha512`, `-raw`).
    pub fn with_scheme(mut self, name: &str) -> Result<Self, Error> {
        self.scheme = *SIGNING_SCHEMES
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or(Error::Unsupported)?;
        Ok(self)
    }

    /// The public key.
    pub fn public(&self) -> &RsaPublicKey {
        &self.public
    }

    /// RSASP1 with CRT, blinding and a final `s^e = m` check. `m < n`.
    fn private_op(&self, rng: &mut dyn Rng, m: &BoxedUint) -> Result<BoxedUint, Error> {
        let pub_ = &self.public;
        let prec_n = pub_.n.bits_precision();
        let n_nz: &NonZero<BoxedUint> = pub_.params.modulus().as_nz_ref();

        // Blinding factor r ∈ [1, n) invertible mod n.
        let mut r_inv = None;
        let mut r_e = None;
        let mut buf = Zeroizing::new(vec![0u8; pub_.k + 16]);
        for _ in 0..8 {
            rng.fill(&mut buf)?;
            let wide = Zeroizing::new(BoxedUint::from_be_slice_vartime(&buf));
            let mut r = wide.rem(n_nz);
            let rm = BoxedMontyForm::new(r.clone(), &pub_.params);
            let inv: Option<BoxedMontyForm> = rm.invert().into();
            if let Some(inv) = inv {
                r_e = Some(pub_.public_op(r.clone()));
                r_inv = Some(inv);
                r.zeroize();
                break;
            }
            r.zeroize();
        }
        let (mut r_inv, mut r_e) = match (r_inv, r_e) {
            (Some(a), Some(b)) => (a, b),
            _ => return Err(Error::RngFailure),
        };
        let mut c = BoxedMontyForm::new(m.clone(), &pub_.params)
            .mul(&BoxedMontyForm::new(r_e.clone(), &pub_.params))
            .retrieve();

        // CRT.
        let params_p = odd_params(&self.p)?;
        let params_q = odd_params(&self.q)?;
        let cp = c.rem(params_p.modulus().as_nz_ref());
        let cq = c.rem(params_q.modulus().as_nz_ref());
        let mut m1 = BoxedMontyForm::new(cp, &params_p).pow(&self.dp);
        let mut m2 = BoxedMontyForm::new(cq, &params_q).pow(&self.dq).retrieve();
        let m2p = BoxedMontyForm::new(m2.rem(params_p.modulus().as_nz_ref()), &params_p);
        let mut h = m1
            .sub(&m2p)
            .mul(&BoxedMontyForm::new(self.qinv.clone(), &params_p))
            .retrieve();
        let hq = h.concatenating_mul(&self.q);
        let mut s = hq
            .wrapping_add(Resize::resize_unchecked(&m2, hq.bits_precision()))
            .resize_unchecked(prec_n);

        // Unblind.
        let mut sm = BoxedMontyForm::new(s.clone(), &pub_.params).mul(&r_inv);
        s.zeroize();
        let s = sm.retrieve();
        sm.zeroize();

        // Fault check: s^e = m.
        let ok = pub_.public_op(s.clone()).ct_eq(m);

        m1.zeroize();
        m2.zeroize();
        h.zeroize();
        c.zeroize();
        r_inv.zeroize();
        r_e.zeroize();
        if bool::from(ok) {
            Ok(s)
        } else {
            Err(Error::KeyNotAccessible)
        }
    }

    /// Signs `message` with the scheme `name`.
    pub fn sign_with(
        &self,
        name: &str,
        rng: &mut dyn Rng,
        message: &[u8],
    ) -> Result<Vec<u8>, Error> {
        let (_, hash) = SIGNING_SCHEMES
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or(Error::Unsupported)?;
        let em = emsa_pkcs1_v15(&hash.digest_info(message), self.public.k)
            .ok_or(Error::InvalidLength)?;
        let m = BoxedUint::from_be_slice(&em, self.public.n.bits_precision())
            .map_err(|_| Error::InvalidLength)?;
        let s = self.private_op(rng, &m)?;
        Ok(self.public.i2osp(&s))
    }
}

impl SigningKey for RsaPrivateKey {
    fn scheme(&self) -> &'static str {
        self.scheme.0
    }
    fn public_key(&self) -> Vec<u8> {
        self.public_der.clone()
    }
    fn sign(&self, rng: &mut dyn Rng, message: &[u8]) -> Result<Vec<u8>, Error> {
        self.sign_with(self.scheme.0, rng, message)
    }
}

/// Boxed signing key from PKCS#8 or PKCS#1 DER (whichever parses), for hosts that hold keys as
/// `Box<dyn SigningKey>`.
pub fn signing_key_from_der(der: &[u8], scheme: &str) -> Result<Box<dyn SigningKey>, Error> {
    let key = RsaPrivateKey::from_pkcs8_der(der).or_else(|_| RsaPrivateKey::from_pkcs1_der(der))?;
    Ok(Box::new(key.with_scheme(scheme)?))
}

const VECTORS: &str = include_str!("../../vectors/rsa.txt");

/// A fixed-output "RNG" for the self-test: signing is deterministic whatever the blinding.
struct KatRng(u8);
impl Rng for KatRng {
    fn fill(&mut self, out: &mut [u8]) -> Result<(), Error> {
        for b in out.iter_mut() {
            self.0 = self.0.wrapping_mul(181).wrapping_add(59);
            *b = self.0;
        }
        Ok(())
    }
}

fn kat_rsa() -> Result<usize, crate::kat::KatError> {
    use crate::kat::{self, KatError};
    let records = kat::records(VECTORS);
    for (i, r) in records.iter().enumerate() {
        let v = i + 1;
        let err = |what| KatError { vector: v, what };
        let scheme = r.get("scheme").ok_or(err("bad vector"))?;
        let (key, msg, sig) = (
            r.hex("key").ok_or(err("bad vector"))?,
            r.hex("msg").ok_or(err("bad vector"))?,
            r.hex("sig").ok_or(err("bad vector"))?,
        );
        let verifier: &RsaPkcs1 = match scheme {
            "rsa-pkcs1-md5" => &RSA_PKCS1_MD5,
            "rsa-pkcs1-sha1" => &RSA_PKCS1_SHA1,
            "rsa-pkcs1-sha256" => &RSA_PKCS1_SHA256,
            "rsa-pkcs1-sha384" => &RSA_PKCS1_SHA384,
            "rsa-pkcs1-sha512" => &RSA_PKCS1_SHA512,
            "rsa-pkcs1-raw" => &RSA_PKCS1_RAW,
            _ => return Err(err("bad vector")),
        };
        verifier
            .verify(&key, &msg, &sig)
            .map_err(|_| err("valid signature rejected"))?;
        let mut bad = sig.clone();
        if let Some(b) = bad.last_mut() {
            *b ^= 1;
        }
        if verifier.verify(&key, &msg, &bad).is_ok() {
            return Err(err("altered signature accepted"));
        }
        let private = match (r.hex("pkcs8"), r.hex("pkcs1")) {
            (Some(der), _) => RsaPrivateKey::from_pkcs8_der(&der),
            (None, Some(der)) => RsaPrivateKey::from_pkcs1_der(&der),
            _ => return Err(err("bad vector")),
        }
        .map_err(|_| err("private key parse"))?;
        kat::check(
            v,
            "public key from private key",
            &private.public_key(),
            &key,
        )?;
        if scheme == "rsa-pkcs1-md5" {
            if private.sign_with(scheme, &mut KatRng(1), &msg).is_ok() {
                return Err(err("MD5 signing must be refused"));
            }
            continue;
        }
        let ours = private
            .sign_with(scheme, &mut KatRng(v as u8), &msg)
            .map_err(|_| err("sign"))?;
        kat::check(v, "PKCS#1 v1.5 signature", &ours, &sig)?;
    }
    Ok(records.len())
}

/// Self-tests of this module.
pub static SELF_TESTS: &[crate::kat::SelfTest] = &[crate::kat::SelfTest {
    name: "RSA PKCS#1 v1.5 sign/verify incl. IKEv1 raw (Wycheproof, pyca)",
    run: kat_rsa,
}];

#[cfg(test)]
mod tests {
    use super::*;

    fn der_pub(n: &[u8], e: &[u8]) -> Vec<u8> {
        pkcs1::RsaPublicKey {
            modulus: der::asn1::UintRef::new(n).unwrap(),
            public_exponent: der::asn1::UintRef::new(e).unwrap(),
        }
        .to_der()
        .unwrap()
    }

    #[test]
    fn self_test_passes() {
        assert_eq!(kat_rsa(), Ok(5));
    }

    #[test]
    fn public_key_limits() {
        let mut n = vec![0xffu8; 256];
        n[255] = 0xfb; // odd
        assert!(RsaPublicKey::from_pkcs1_der(&der_pub(&n, &[1, 0, 1])).is_ok());
        // DER roundtrip.
        let k = RsaPublicKey::from_pkcs1_der(&der_pub(&n, &[1, 0, 1])).unwrap();
        assert_eq!(k.to_pkcs1_der().unwrap(), der_pub(&n, &[1, 0, 1]));
        assert_eq!((k.bits(), k.size()), (2048, 256));
        // Even e, e = 1, e ≥ 2^64, even n, small n, huge n.
        for (n, e) in [
            (n.clone(), vec![1u8, 0, 0]),
            (n.clone(), vec![1u8]),
            (n.clone(), vec![1u8; 9]),
            ([&n[..255], &[0xfa]].concat(), vec![3u8]),
            (vec![0xffu8; 63], vec![3u8]),
            (vec![0xffu8; 1025], vec![3u8]),
        ] {
            assert_eq!(
                RsaPublicKey::from_pkcs1_der(&der_pub(&n, &e)).err(),
                Some(Error::InvalidPublicKey),
                "n {} bytes, e {e:?}",
                n.len()
            );
        }
        // Trailing garbage after the DER.
        let mut d = der_pub(&n, &[3]);
        d.push(0);
        assert!(RsaPublicKey::from_pkcs1_der(&d).is_err());
    }

    #[test]
    fn encoding_rules() {
        // 0x00 0x01 FF.. 0x00 T with at least 8 FF bytes; no room → None.
        let em = emsa_pkcs1_v15(&[0xaa; 5], 16).unwrap();
        assert_eq!(&em[..2], &[0, 1]);
        assert!(em[2..10].iter().all(|&b| b == 0xff));
        assert_eq!(em[10], 0);
        assert_eq!(&em[11..], &[0xaa; 5]);
        assert!(emsa_pkcs1_v15(&[0xaa; 6], 16).is_none());
        assert_eq!(Hash::Sha256.digest_info(b"").len(), 19 + 32);
        assert_eq!(Hash::Raw.digest_info(b"xyz"), b"xyz");
    }
}
