//! ECDSA on P-256 and P-384 over the `p256`/`p384` crates (no curve or ECDSA code of our own).
//!
//! Two encodings, two schemes per curve **[Z]**:
//!
//! | scheme | message | signature | used by |
//! |---|---|---|---|
//! | `ecdsa-p256-sha256` (OID 1.2.840.10045.4.3.2) | hashed with SHA-256 | DER `ECDSA-Sig-Value` | certificates, CRLs |
//! | `ecdsa-p384-sha384` (OID 1.2.840.10045.4.3.3) | hashed with SHA-384 | DER | certificates, CRLs |
//! | `ecdsa-p256-raw` (IKE auth method 9) | **is** the digest (HASH_I/HASH_R) | `r ‖ s`, 32 + 32 bytes | IKEv1 |
//! | `ecdsa-p384-raw` (IKE auth method 10) | **is** the digest | `r ‖ s`, 48 + 48 bytes | IKEv1 |
//!
//! The IKE form follows RFC 4754 §7 (fixed-size `r ‖ s`) and strongSwan's IKEv1 behaviour
//! (`pubkey_v1_authenticator`: `SIGN_ECDSA_WITH_NULL`, the PRF output HASH_I signed as the
//! digest); a digest longer or shorter than the group order is truncated/padded as ECDSA
//! specifies. Public keys are SEC1 points (compressed or uncompressed). Signing is RFC 6979 with
//! extra randomness from the caller's RNG (hedged), so a broken RNG does not leak the key.
//!
//! The module must not accept a signature in the other scheme's encoding.

use alloc::vec::Vec;

use signature::hazmat::{PrehashVerifier, RandomizedPrehashSigner};
use zeroize::Zeroizing;

use crate::provider::{SignatureVerifier, SigningKey};
use crate::rng::RandCore;
use crate::{Error, Rng};

/// How a scheme encodes and what it signs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// Message hashed with the curve's hash, DER signature (X.509).
    Der,
    /// Message is the digest, `r ‖ s` signature (IKE, RFC 4754).
    Raw,
}

/// The operations of one curve (implemented for P-256 and P-384).
pub trait EcdsaCurve: Send + Sync + 'static {
    /// A private key.
    type Key: Send + Sync;
    /// Field (and order) size in bytes.
    const SIZE: usize;
    /// Scheme names: (DER, raw).
    const NAMES: (&'static str, &'static str);
    /// Verifies `sig` over `msg` with the SEC1 public key `pk`.
    fn verify(enc: Encoding, pk: &[u8], msg: &[u8], sig: &[u8]) -> Result<(), Error>;
    /// Private key from the big-endian scalar.
    fn key_from_scalar(scalar: &[u8]) -> Result<Self::Key, Error>;
    /// Private key from PKCS#8 DER.
    fn key_from_pkcs8(der: &[u8]) -> Result<Self::Key, Error>;
    /// Uncompressed SEC1 public key.
    fn public_sec1(key: &Self::Key) -> Vec<u8>;
    /// Signs (hedged RFC 6979).
    fn sign(
        enc: Encoding,
        key: &Self::Key,
        rng: &mut dyn Rng,
        msg: &[u8],
    ) -> Result<Vec<u8>, Error>;
}

macro_rules! curve_impl {
    ($marker:ident, $krate:ident, $hash:ty, $size:expr, $der:literal, $raw:literal) => {
        /// Marker for the curve (see [`EcdsaCurve`]).
        pub struct $marker;

        impl EcdsaCurve for $marker {
            type Key = $krate::ecdsa::SigningKey;
            const SIZE: usize = $size;
            const NAMES: (&'static str, &'static str) = ($der, $raw);

            fn verify(enc: Encoding, pk: &[u8], msg: &[u8], sig: &[u8]) -> Result<(), Error> {
                use digest::Digest;
                let vk = $krate::ecdsa::VerifyingKey::from_sec1_bytes(pk)
                    .map_err(|_| Error::InvalidPublicKey)?;
                let (sig, prehash) = match enc {
                    Encoding::Der => (
                        $krate::ecdsa::Signature::from_der(sig),
                        Zeroizing::new(<$hash>::digest(msg).to_vec()),
                    ),
                    Encoding::Raw => (
                        $krate::ecdsa::Signature::from_slice(sig),
                        Zeroizing::new(msg.to_vec()),
                    ),
                };
                let sig = sig.map_err(|_| Error::InvalidSignature)?;
                vk.verify_prehash(&prehash, &sig)
                    .map_err(|_| Error::InvalidSignature)
            }

            fn key_from_scalar(scalar: &[u8]) -> Result<Self::Key, Error> {
                if scalar.len() != $size {
                    return Err(Error::InvalidPrivateKey);
                }
                $krate::ecdsa::SigningKey::from_slice(scalar).map_err(|_| Error::InvalidPrivateKey)
            }

            fn key_from_pkcs8(der: &[u8]) -> Result<Self::Key, Error> {
                use pkcs8::DecodePrivateKey;
                $krate::ecdsa::SigningKey::from_pkcs8_der(der).map_err(|_| Error::InvalidPrivateKey)
            }

            fn public_sec1(key: &Self::Key) -> Vec<u8> {
                use elliptic_curve::sec1::ToSec1Point;
                key.verifying_key()
                    .as_affine()
                    .to_sec1_point(false)
                    .as_bytes()
                    .to_vec()
            }

            fn sign(
                enc: Encoding,
                key: &Self::Key,
                rng: &mut dyn Rng,
                msg: &[u8],
            ) -> Result<Vec<u8>, Error> {
                use digest::Digest;
                let prehash = match enc {
                    Encoding::Der => Zeroizing::new(<$hash>::digest(msg).to_vec()),
                    Encoding::Raw => Zeroizing::new(msg.to_vec()),
                };
                let sig: $krate::ecdsa::Signature = key
                    .sign_prehash_with_rng(&mut RandCore(rng), &prehash)
                    .map_err(|_| Error::InvalidLength)?;
                Ok(match enc {
                    Encoding::Der => sig.to_der().as_bytes().to_vec(),
                    Encoding::Raw => sig.to_bytes().to_vec(),
                })
            }
        }
    };
}

curve_impl!(
    P256,
    p256,
    sha2::Sha256,
    32,
    "ecdsa-p256-sha256",
    "ecdsa-p256-raw"
);
curve_impl!(
    P384,
    p384,
    sha2::Sha384,
    48,
    "ecdsa-p384-sha384",
    "ecdsa-p384-raw"
);

/// An ECDSA scheme as a [`SignatureVerifier`].
pub struct Ecdsa<C> {
    enc: Encoding,
    _c: core::marker::PhantomData<fn() -> C>,
}

impl<C> Ecdsa<C> {
    const fn new(enc: Encoding) -> Self {
        Ecdsa {
            enc,
            _c: core::marker::PhantomData,
        }
    }
}

impl<C: EcdsaCurve> SignatureVerifier for Ecdsa<C> {
    fn verify(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), Error> {
        C::verify(self.enc, public_key, message, signature)
    }
}

/// `ecdsa-with-SHA256` on P-256, DER signatures.
pub static ECDSA_P256_SHA256: Ecdsa<P256> = Ecdsa::new(Encoding::Der);
/// `ecdsa-with-SHA384` on P-384, DER signatures.
pub static ECDSA_P384_SHA384: Ecdsa<P384> = Ecdsa::new(Encoding::Der);
/// IKE auth method 9: P-256, the message is the digest, `r ‖ s`.
pub static ECDSA_P256_RAW: Ecdsa<P256> = Ecdsa::new(Encoding::Raw);
/// IKE auth method 10: P-384, the message is the digest, `r ‖ s`.
pub static ECDSA_P384_RAW: Ecdsa<P384> = Ecdsa::new(Encoding::Raw);

/// An ECDSA private key implementing [`SigningKey`] for the curve's DER scheme (default) or its
/// IKE raw scheme ([`EcdsaSigningKey::with_encoding`]). The scalar is zeroized on drop by the
/// curve crate.
pub struct EcdsaSigningKey<C: EcdsaCurve> {
    key: C::Key,
    enc: Encoding,
    public: Vec<u8>,
}

impl<C: EcdsaCurve> core::fmt::Debug for EcdsaSigningKey<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EcdsaSigningKey")
            .field("scheme", &self.scheme())
            .finish_non_exhaustive()
    }
}

impl<C: EcdsaCurve> EcdsaSigningKey<C> {
    fn new(key: C::Key) -> Self {
        let public = C::public_sec1(&key);
        EcdsaSigningKey {
            key,
            enc: Encoding::Der,
            public,
        }
    }

    /// From the big-endian private scalar (`0 < d < n`, exactly the order's size).
    pub fn from_scalar(scalar: &[u8]) -> Result<Self, Error> {
        Ok(Self::new(C::key_from_scalar(scalar)?))
    }

    /// From a PKCS#8 `PrivateKeyInfo` (DER) of an `id-ecPublicKey` key on this curve.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        Ok(Self::new(C::key_from_pkcs8(der)?))
    }

    /// The same key signing in `enc` (DER for certificates, raw for IKE).
    pub fn with_encoding(mut self, enc: Encoding) -> Self {
        self.enc = enc;
        self
    }
}

impl<C: EcdsaCurve> SigningKey for EcdsaSigningKey<C> {
    fn scheme(&self) -> &'static str {
        match self.enc {
            Encoding::Der => C::NAMES.0,
            Encoding::Raw => C::NAMES.1,
        }
    }
    fn public_key(&self) -> Vec<u8> {
        self.public.clone()
    }
    fn sign(&self, rng: &mut dyn Rng, message: &[u8]) -> Result<Vec<u8>, Error> {
        C::sign(self.enc, &self.key, rng, message)
    }
}

/// RFC 4754 §8.1/§8.2: (curve, w, gwx ‖ gwy, r, s); message "abc", hashed with SHA-256/SHA-384.
/// Transcribed from the RFC and re-checked with Python `cryptography`.
static RFC4754: [(&str, &str, &str, &str); 2] = [
    (
        "dc51d3866a15bacde33d96f992fca99da7e6ef0934e7097559c27f1614c88a7f",
        "2442a5cc0ecd015fa3ca31dc8e2bbc70bf42d60cbca20085e0822cb04235e9706fc98bd7e50211a4a27102fa3549df79ebcb4bf246b80945cddfe7d509bbfd7d",
        "cb28e0999b9c7715fd0a80d8e47a77079716cbbf917dd72e97566ea1c066957c",
        "86fa3bb4e26cad5bf90b7f81899256ce7594bb1ea0c89212748bff3b3d5b0315",
    ),
    (
        "0beb646634ba87735d77ae4809a0ebea865535de4c1e1dcb692e84708e81a5af62e528c38b2a81b35309668d73524d9f",
        "96281bf8dd5e0525ca049c048d345d3082968d10fedf5c5aca0c64e6465a97ea5ce10c9dfec21797415710721f437922447688ba94708eb6e2e4d59f6ab6d7edff9301d249fe49c33096655f5d502fad3d383b91c5e7edaa2b714cc99d5743ca",
        "fb017b914e29149432d8bac29a514640b46f53ddab2c69948084e2930f1c8f7e08e07c9c63f2d21a07dcb56a6af56eb3",
        "b263a1305e057f984d38726a1b46874109f417bca112674c528262a40a629af1cbb9f516ce0fa7d2ff630863a00e8b9f",
    ),
];

/// Minimal DER `SEQUENCE { INTEGER r, INTEGER s }` for the self-test (independent of the
/// `ecdsa` crate's encoder).
fn der_sig(r: &[u8], s: &[u8]) -> Vec<u8> {
    fn int(v: &[u8]) -> Vec<u8> {
        let v = &v[v.iter().position(|&b| b != 0).unwrap_or(v.len() - 1)..];
        let mut out = alloc::vec![0x02];
        let pad = v.first().is_some_and(|&b| b & 0x80 != 0);
        out.push((v.len() + usize::from(pad)) as u8);
        if pad {
            out.push(0);
        }
        out.extend_from_slice(v);
        out
    }
    let body: Vec<u8> = [int(r), int(s)].concat();
    let mut out = alloc::vec![0x30];
    if body.len() >= 0x80 {
        out.push(0x81);
    }
    out.push(body.len() as u8);
    out.extend_from_slice(&body);
    out
}

struct KatRng(u64);
impl Rng for KatRng {
    fn fill(&mut self, out: &mut [u8]) -> Result<(), Error> {
        for b in out.iter_mut() {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1);
            *b = (self.0 >> 56) as u8;
        }
        Ok(())
    }
}

fn kat_curve<C: EcdsaCurve>(
    v: usize,
    der: &dyn SignatureVerifier,
    raw: &dyn SignatureVerifier,
) -> Result<(), crate::kat::KatError> {
    use crate::kat::{self, KatError};
    use digest::Digest;
    let err = |what| KatError { vector: v, what };
    let hex = |s| kat::decode_hex(s).ok_or(err("bad vector"));
    let (w, q, r, s) = RFC4754[v - 1];
    let (w, q, r, s) = (hex(w)?, hex(q)?, hex(r)?, hex(s)?);
    let mut pk = alloc::vec![0x04];
    pk.extend_from_slice(&q);
    let digest: Vec<u8> = if C::SIZE == 32 {
        sha2::Sha256::digest(b"abc").to_vec()
    } else {
        sha2::Sha384::digest(b"abc").to_vec()
    };
    let rs = [r.as_slice(), s.as_slice()].concat();
    der.verify(&pk, b"abc", &der_sig(&r, &s))
        .map_err(|_| err("RFC 4754 DER signature rejected"))?;
    raw.verify(&pk, &digest, &rs)
        .map_err(|_| err("RFC 4754 r||s signature over the digest rejected"))?;
    if raw.verify(&pk, &digest, &der_sig(&r, &s)).is_ok() || der.verify(&pk, b"abc", &rs).is_ok() {
        return Err(err("signature accepted in the other scheme's encoding"));
    }
    if der.verify(&pk, b"abd", &der_sig(&r, &s)).is_ok() {
        return Err(err("signature over another message accepted"));
    }
    let key = EcdsaSigningKey::<C>::from_scalar(&w).map_err(|_| err("scalar"))?;
    kat::check(
        v,
        "public key from the RFC 4754 scalar",
        &key.public_key(),
        &pk,
    )?;
    let sig = key
        .sign(&mut KatRng(v as u64), b"abc")
        .map_err(|_| err("sign"))?;
    der.verify(&pk, b"abc", &sig)
        .map_err(|_| err("own DER signature rejected"))?;
    let key = key.with_encoding(Encoding::Raw);
    let sig = key
        .sign(&mut KatRng(9), &digest)
        .map_err(|_| err("sign raw"))?;
    raw.verify(&pk, &digest, &sig)
        .map_err(|_| err("own r||s signature rejected"))?;
    Ok(())
}

fn kat_ecdsa() -> Result<usize, crate::kat::KatError> {
    kat_curve::<P256>(1, &ECDSA_P256_SHA256, &ECDSA_P256_RAW)?;
    kat_curve::<P384>(2, &ECDSA_P384_SHA384, &ECDSA_P384_RAW)?;
    Ok(2)
}

/// Self-tests of this module.
pub static SELF_TESTS: &[crate::kat::SelfTest] = &[crate::kat::SelfTest {
    name: "ECDSA P-256/P-384, DER and IKE r||s (RFC 4754 §8)",
    run: kat_ecdsa,
}];
