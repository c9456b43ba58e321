//! Private keys: PKCS#8 (plain and encrypted), PKCS#1 RSA and SEC1 EC keys, DER or PEM, for RSA,
//! ECDSA P-256/P-384, bign (bign-curve256v1, STB 34.101.45 `bign-pubkey` in PKCS#8 with `d`
//! little-endian in the OCTET STRING) and GOST R 34.10-2001 (PKCS#8 with the gost-engine forms:
//! `d` as an inner OCTET STRING little-endian, or as an INTEGER). They become the provider's
//! [`SigningKey`] objects; a key on a token plugs in through the same trait (see
//! `crate::store::KeyContainers`).
//!
//! This module must not keep key material outside [`Zeroizing`] buffers or print it.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use zeroize::Zeroizing;

use zubr_crypto_stb::CryptoProvider;
use zubr_crypto_stb::gost::r3410;
use zubr_crypto_stb::intl::ecdsa::{EcdsaSigningKey, Encoding, P256, P384};
use zubr_crypto_stb::provider::SigningKey;

use crate::Error;
use crate::alg::{self, PublicKey};
use crate::asn1::{self, tag};

/// What a signing key will sign.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyUse {
    /// Certificates and CRLs: the X.509 schemes (`rsa-pkcs1-sha256`, `ecdsa-p256-sha256`, …).
    Certificate,
    /// IKEv1 signature authentication: RSA without DigestInfo (`rsa-pkcs1-raw`, auth method 3),
    /// ECDSA over the given digest (`ecdsa-p256-raw` / `ecdsa-p384-raw`, methods 9/10); bign
    /// and GOST sign with their certificate schemes.
    Ike,
}

/// The algorithm of a private key.
#[derive(Clone, Copy, Debug)]
pub enum KeyKind {
    /// RSA (two primes).
    Rsa,
    /// ECDSA on P-256.
    EcP256,
    /// ECDSA on P-384.
    EcP384,
    /// bign on bign-curve256v1.
    Bign256,
    /// GOST R 34.10-2001 on the curve of the parameter set.
    Gost2001(&'static r3410::Curve),
}

impl PartialEq for KeyKind {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (KeyKind::Gost2001(a), KeyKind::Gost2001(b)) => a.oid == b.oid,
            (a, b) => core::mem::discriminant(a) == core::mem::discriminant(b),
        }
    }
}
impl Eq for KeyKind {}

/// A software private key.
pub struct PrivateKey {
    kind: KeyKind,
    /// RSA: PKCS#1 DER; EC: big-endian scalar; bign/GOST: `d` little-endian.
    secret: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PrivateKey({:?}, ..)", self.kind)
    }
}

/// id-ecPublicKey private keys: `ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET
/// STRING, [0] parameters OPTIONAL, [1] publicKey OPTIONAL }` → (scalar, curve OID if present).
fn parse_ec_private_key(
    der: &[u8],
) -> Result<(Zeroizing<Vec<u8>>, Option<alloc::string::String>), Error> {
    let seq = asn1::exact(der, tag::SEQUENCE)?;
    let (v, rest) = asn1::expect(seq.value, tag::INTEGER)?;
    if v.value != [1] {
        return Err(Error::Malformed("ECPrivateKey version"));
    }
    let (d, mut rest) = asn1::expect(rest, tag::OCTET_STRING)?;
    let mut curve = None;
    while !rest.is_empty() {
        let (t, r) = asn1::read(rest)?;
        if t.tag == tag::ctx(0) {
            curve = Some(asn1::oid_string(asn1::exact(t.value, tag::OID)?.value)?);
        }
        rest = r;
    }
    Ok((Zeroizing::new(d.value.to_vec()), curve))
}

fn ec_kind(curve: &str) -> Result<KeyKind, Error> {
    match curve {
        alg::P256 => Ok(KeyKind::EcP256),
        alg::P384 => Ok(KeyKind::EcP384),
        _ => Err(Error::Unsupported("EC curve")),
    }
}

/// Left-pads a big-endian scalar to `len` bytes.
fn pad_be(s: &[u8], len: usize) -> Result<Zeroizing<Vec<u8>>, Error> {
    let s = &s[s.iter().position(|&b| b != 0).unwrap_or(s.len())..];
    if s.len() > len {
        return Err(Error::Malformed("private scalar too long"));
    }
    let mut out = Zeroizing::new(alloc::vec![0u8; len]);
    out[len - s.len()..].copy_from_slice(s);
    Ok(out)
}

impl PrivateKey {
    /// The algorithm.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// Decodes a DER PKCS#8 `PrivateKeyInfo`.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        let seq = asn1::exact(der, tag::SEQUENCE)?;
        let (version, rest) = asn1::expect(seq.value, tag::INTEGER)?;
        if version.value != [0] && version.value != [1] {
            return Err(Error::Malformed("PrivateKeyInfo version"));
        }
        let (alg, rest) = asn1::expect(rest, tag::SEQUENCE)?;
        let (key, _attributes) = asn1::expect(rest, tag::OCTET_STRING)?;
        let alg = alg::AlgorithmId::from_contents(alg.value)?;
        let param_oid = || -> Result<alloc::string::String, Error> {
            let p = alg
                .params
                .as_deref()
                .ok_or(Error::Malformed("key parameters"))?;
            let (t, _) = asn1::read(p)?;
            match t.tag {
                tag::OID => asn1::oid_string(t.value),
                // GOST: SEQUENCE { publicKeyParamSet, digestParamSet, … }
                tag::SEQUENCE => asn1::oid_string(asn1::expect(t.value, tag::OID)?.0.value),
                _ => Err(Error::Unsupported("explicit curve parameters")),
            }
        };
        match alg.oid.as_str() {
            alg::RSA_ENCRYPTION => Self::from_pkcs1_der(key.value),
            alg::EC_PUBLIC_KEY => {
                let kind = ec_kind(&param_oid()?)?;
                let (d, _) = parse_ec_private_key(key.value)?;
                let len = if kind == KeyKind::EcP256 { 32 } else { 48 };
                let secret = pad_be(&d, len)?;
                let k = PrivateKey { kind, secret };
                k.signing_key(KeyUse::Certificate)?;
                Ok(k)
            }
            alg::BIGN_PUBKEY => {
                if param_oid()? != alg::BIGN_CURVES[0].0 {
                    return Err(Error::Unsupported("bign curve other than bign-curve256v1"));
                }
                if key.value.len() != 32 {
                    return Err(Error::Malformed("bign private key length"));
                }
                let k = PrivateKey {
                    kind: KeyKind::Bign256,
                    secret: Zeroizing::new(key.value.to_vec()),
                };
                k.signing_key(KeyUse::Certificate)?;
                Ok(k)
            }
            alg::GOST3410_2001 => {
                let curve = r3410::curve_by_oid(&param_oid()?)
                    .ok_or(Error::Unsupported("GOST R 34.10-2001 parameter set"))?;
                let (inner, _) = asn1::read(key.value)?;
                let secret = match inner.tag {
                    tag::OCTET_STRING if inner.value.len() == 32 => {
                        Zeroizing::new(inner.value.to_vec())
                    }
                    tag::INTEGER => {
                        let mut be = pad_be(inner.value, 32)?;
                        be.reverse();
                        be
                    }
                    _ => return Err(Error::Unsupported("GOST private key form")),
                };
                let k = PrivateKey {
                    kind: KeyKind::Gost2001(curve),
                    secret,
                };
                k.signing_key(KeyUse::Certificate)?;
                Ok(k)
            }
            _ => Err(Error::Unsupported("private key algorithm")),
        }
    }

    /// Decodes a DER PKCS#1 `RSAPrivateKey`.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, Error> {
        zubr_crypto_stb::intl::rsa::RsaPrivateKey::from_pkcs1_der(der)?;
        Ok(PrivateKey {
            kind: KeyKind::Rsa,
            secret: Zeroizing::new(der.to_vec()),
        })
    }

    /// Decodes a DER SEC1 `ECPrivateKey` (with its curve parameters).
    pub fn from_sec1_der(der: &[u8]) -> Result<Self, Error> {
        let (d, curve) = parse_ec_private_key(der)?;
        let kind = ec_kind(&curve.ok_or(Error::Malformed("SEC1 key without curve"))?)?;
        let len = if kind == KeyKind::EcP256 { 32 } else { 48 };
        let k = PrivateKey {
            kind,
            secret: pad_be(&d, len)?,
        };
        k.signing_key(KeyUse::Certificate)?;
        Ok(k)
    }

    /// Decodes a DER PKCS#8 `EncryptedPrivateKeyInfo` with `password`.
    pub fn from_encrypted_pkcs8_der(
        provider: &CryptoProvider,
        der: &[u8],
        password: &[u8],
    ) -> Result<Self, Error> {
        let seq = asn1::exact(der, tag::SEQUENCE)?;
        let (alg, rest) = asn1::expect(seq.value, tag::SEQUENCE)?;
        let data = asn1::exact(rest, tag::OCTET_STRING)?;
        let plain = crate::pbe::decrypt(provider, alg.value, data.value, password)?;
        // a wrong password that happens to leave valid padding yields garbage
        Self::from_pkcs8_der(&plain).map_err(|_| Error::WrongPassword)
    }

    /// Decodes a key in any supported DER form (PKCS#8, PKCS#1, SEC1).
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        Self::from_pkcs8_der(der)
            .or_else(|e| Self::from_pkcs1_der(der).map_err(|_| e))
            .or_else(|e| Self::from_sec1_der(der).map_err(|_| e))
    }

    /// A generated key: bign-curve256v1 (`KeyKind::Bign256`), GOST R 34.10-2001
    /// (`KeyKind::Gost2001`), or ECDSA (`EcP256`/`EcP384`). RSA keys are not generated here.
    pub fn generate(kind: KeyKind, rng: &mut dyn zubr_crypto_stb::Rng) -> Result<Self, Error> {
        let len = match kind {
            KeyKind::EcP256 | KeyKind::Bign256 | KeyKind::Gost2001(_) => 32,
            KeyKind::EcP384 => 48,
            KeyKind::Rsa => return Err(Error::Unsupported("RSA key generation")),
        };
        for _ in 0..64 {
            let mut secret = Zeroizing::new(alloc::vec![0u8; len]);
            rng.fill(&mut secret)?;
            let k = PrivateKey { kind, secret };
            if k.signing_key(KeyUse::Certificate).is_ok() {
                return Ok(k);
            }
        }
        Err(Error::Crypto(zubr_crypto_stb::Error::RngFailure))
    }

    /// The provider signing key for `usage` (see [`KeyUse`]).
    pub fn signing_key(&self, usage: KeyUse) -> Result<Box<dyn SigningKey>, Error> {
        let enc = match usage {
            KeyUse::Certificate => Encoding::Der,
            KeyUse::Ike => Encoding::Raw,
        };
        Ok(match self.kind {
            KeyKind::Rsa => {
                let scheme = match usage {
                    KeyUse::Certificate => "rsa-pkcs1-sha256",
                    KeyUse::Ike => "rsa-pkcs1-raw",
                };
                Box::new(
                    zubr_crypto_stb::intl::rsa::RsaPrivateKey::from_pkcs1_der(&self.secret)?
                        .with_scheme(scheme)?,
                )
            }
            KeyKind::EcP256 => {
                Box::new(EcdsaSigningKey::<P256>::from_scalar(&self.secret)?.with_encoding(enc))
            }
            KeyKind::EcP384 => {
                Box::new(EcdsaSigningKey::<P384>::from_scalar(&self.secret)?.with_encoding(enc))
            }
            KeyKind::Bign256 => {
                Box::new(zubr_crypto_stb::bign::BignSigner::from_bytes(&self.secret)?)
            }
            KeyKind::Gost2001(curve) => {
                Box::new(zubr_crypto_stb::gost::algs::Gost3410SigningKey::new(
                    r3410::SecretKey::from_le_bytes(curve, &self.secret)?,
                )?)
            }
        })
    }

    /// An RSA key signing with another scheme (`rsa-pkcs1-sha1`, `-sha384`, `-sha512`).
    pub fn rsa_signing_key(&self, scheme: &str) -> Result<Box<dyn SigningKey>, Error> {
        if self.kind != KeyKind::Rsa {
            return Err(Error::Unsupported("scheme for this key"));
        }
        Ok(Box::new(
            zubr_crypto_stb::intl::rsa::RsaPrivateKey::from_pkcs1_der(&self.secret)?
                .with_scheme(scheme)?,
        ))
    }

    /// The public key as a `SubjectPublicKeyInfo` (for certificates and consistency checks).
    pub fn public_key(&self) -> Result<PublicKey, Error> {
        let sk = self.signing_key(KeyUse::Certificate)?;
        let set = match self.kind {
            KeyKind::Gost2001(c) => Some(c.oid),
            _ => None,
        };
        PublicKey::from_provider_key(sk.scheme(), &sk.public_key(), set)
    }

    /// True when this key belongs to `public` (the certificate's key).
    pub fn matches(&self, public: &PublicKey) -> bool {
        self.signing_key(KeyUse::Certificate)
            .is_ok_and(|sk| public.same_key(&sk.public_key()))
    }

    /// DER PKCS#8 `PrivateKeyInfo` (how the directory store keeps software keys).
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        let null = [tag::NULL, 0u8];
        let (alg, key) = match self.kind {
            KeyKind::Rsa => (
                asn1::cons(tag::SEQUENCE, &[&asn1::oid(alg::RSA_ENCRYPTION)?, &null]),
                Zeroizing::new(self.secret.to_vec()),
            ),
            KeyKind::EcP256 | KeyKind::EcP384 => {
                let curve = if self.kind == KeyKind::EcP256 {
                    alg::P256
                } else {
                    alg::P384
                };
                let ec = Zeroizing::new(asn1::cons(
                    tag::SEQUENCE,
                    &[
                        &asn1::tlv(tag::INTEGER, &[1]),
                        &asn1::tlv(tag::OCTET_STRING, &self.secret),
                    ],
                ));
                (
                    asn1::cons(
                        tag::SEQUENCE,
                        &[&asn1::oid(alg::EC_PUBLIC_KEY)?, &asn1::oid(curve)?],
                    ),
                    ec,
                )
            }
            KeyKind::Bign256 => (
                asn1::cons(
                    tag::SEQUENCE,
                    &[
                        &asn1::oid(alg::BIGN_PUBKEY)?,
                        &asn1::oid(alg::BIGN_CURVES[0].0)?,
                    ],
                ),
                Zeroizing::new(self.secret.to_vec()),
            ),
            KeyKind::Gost2001(curve) => (
                asn1::cons(
                    tag::SEQUENCE,
                    &[
                        &asn1::oid(alg::GOST3410_2001)?,
                        &asn1::cons(
                            tag::SEQUENCE,
                            &[
                                &asn1::oid(curve.oid)?,
                                &asn1::oid(alg::GOST3411_94_CRYPTOPRO)?,
                            ],
                        ),
                    ],
                ),
                Zeroizing::new(asn1::tlv(tag::OCTET_STRING, &self.secret)),
            ),
        };
        let octets = Zeroizing::new(asn1::tlv(tag::OCTET_STRING, &key));
        Ok(Zeroizing::new(asn1::cons(
            tag::SEQUENCE,
            &[&asn1::tlv(tag::INTEGER, &[0]), &alg, &octets],
        )))
    }
}
