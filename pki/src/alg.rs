//! Algorithm identifiers of certificates and CRLs (crypto.md §4), public keys from
//! `SubjectPublicKeyInfo`, and the link to the provider's signature schemes.
//!
//! Signatures are verified by looking the signature algorithm's OID up in the provider
//! ([`zubr_crypto_stb::CryptoProvider::signature`]) and handing it the issuer's key in the
//! provider's encoding ([`PublicKey::key`]):
//!
//! | key | SPKI algorithm (parameters) | provider encoding |
//! |---|---|---|
//! | RSA | rsaEncryption 1.2.840.113549.1.1.1 (NULL) | DER `RSAPublicKey` (the BIT STRING) |
//! | ECDSA | id-ecPublicKey 1.2.840.10045.2.1 (named curve P-256/P-384) | SEC1 point (the BIT STRING) |
//! | bign (STB 34.101.45/.19) | bign-pubkey 1.2.112.0.2.0.34.101.45.2.1 (curve OID …45.3.1/2/3) | `x ‖ y` little-endian (the BIT STRING) |
//! | GOST R 34.10-2001 (RFC 4491) | 1.2.643.2.2.19 (SEQUENCE { param set, digest set }) | `x ‖ y` little-endian (the OCTET STRING inside the BIT STRING) |
//!
//! This module must not verify anything itself: algorithms live in the provider.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use crate::Error;
use crate::asn1::{self, tag};

/// rsaEncryption.
pub const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
/// id-ecPublicKey.
pub const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
/// prime256v1 / P-256.
pub const P256: &str = "1.2.840.10045.3.1.7";
/// secp384r1 / P-384.
pub const P384: &str = "1.3.132.0.34";
/// bign-pubkey (STB 34.101.45).
pub const BIGN_PUBKEY: &str = "1.2.112.0.2.0.34.101.45.2.1";
/// bign-curve256v1 / 384v1 / 512v1.
pub const BIGN_CURVES: [(&str, u32); 3] = [
    ("1.2.112.0.2.0.34.101.45.3.1", 256),
    ("1.2.112.0.2.0.34.101.45.3.2", 384),
    ("1.2.112.0.2.0.34.101.45.3.3", 512),
];
/// id-GostR3410-2001.
pub const GOST3410_2001: &str = "1.2.643.2.2.19";
/// id-GostR3411-94-CryptoProParamSet (the digest parameter set of RFC 4491 keys).
pub const GOST3411_94_CRYPTOPRO: &str = "1.2.643.2.2.30.1";
/// GOST R 34.10-2012 256/512 (recognised for display only).
pub const GOST3410_2012: [(&str, u32); 2] =
    [("1.2.643.7.1.1.1.1", 256), ("1.2.643.7.1.1.1.2", 512)];

/// A signature algorithm of certificates: OID, the name `cert_mgr show` prints, the provider
/// scheme that verifies it (`None`: known but not supported by the software provider), and
/// whether its AlgorithmIdentifier carries NULL parameters when we write one.
#[derive(Clone, Copy, Debug)]
pub struct SignatureAlgorithm {
    /// Dotted OID.
    pub oid: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Provider scheme name.
    pub scheme: Option<&'static str>,
    /// Parameters are NULL (RSA; bign as the Belarusian PKI writes them) rather than absent.
    pub null_params: bool,
}

/// Every signature algorithm this crate names (crypto.md §4).
pub static SIGNATURE_ALGORITHMS: &[SignatureAlgorithm] = &[
    sa(
        "1.2.840.113549.1.1.4",
        "md5RSAencryption",
        Some("rsa-pkcs1-md5"),
        true,
    ),
    sa(
        "1.2.840.113549.1.1.5",
        "sha1RSAencryption",
        Some("rsa-pkcs1-sha1"),
        true,
    ),
    sa(
        "1.2.840.113549.1.1.11",
        "sha256RSAencryption",
        Some("rsa-pkcs1-sha256"),
        true,
    ),
    sa(
        "1.2.840.113549.1.1.12",
        "sha384RSAencryption",
        Some("rsa-pkcs1-sha384"),
        true,
    ),
    sa(
        "1.2.840.113549.1.1.13",
        "sha512RSAencryption",
        Some("rsa-pkcs1-sha512"),
        true,
    ),
    sa("1.2.840.10045.4.1", "ecdsa-with-SHA1", None, false),
    sa(
        "1.2.840.10045.4.3.2",
        "ecdsa-with-SHA256",
        Some("ecdsa-p256-sha256"),
        false,
    ),
    sa(
        "1.2.840.10045.4.3.3",
        "ecdsa-with-SHA384",
        Some("ecdsa-p384-sha384"),
        false,
    ),
    sa("1.2.840.10045.4.3.4", "ecdsa-with-SHA512", None, false),
    sa(
        "1.2.112.0.2.0.34.101.45.12",
        "bign-with-hbelt",
        Some("bign-hbelt"),
        true,
    ),
    sa("1.2.112.0.2.0.34.101.45.11", "bign-with-hspec", None, true),
    sa(
        "1.2.112.0.2.0.34.101.45.13",
        "bign-with-bash256",
        None,
        true,
    ),
    sa(
        "1.2.112.0.2.0.34.101.45.14",
        "bign-with-bash384",
        None,
        true,
    ),
    sa(
        "1.2.112.0.2.0.34.101.45.15",
        "bign-with-bash512",
        None,
        true,
    ),
    sa(
        "1.2.643.2.2.3",
        "gostR3411-94-with-gostR3410-2001",
        Some("gost3410-2001-gostr3411-94"),
        false,
    ),
    sa(
        "1.2.643.7.1.1.3.2",
        "gostR3411-2012-256-with-gostR3410-2012-256",
        None,
        false,
    ),
    sa(
        "1.2.643.7.1.1.3.3",
        "gostR3411-2012-512-with-gostR3410-2012-512",
        None,
        false,
    ),
];

const fn sa(
    oid: &'static str,
    name: &'static str,
    scheme: Option<&'static str>,
    null_params: bool,
) -> SignatureAlgorithm {
    SignatureAlgorithm {
        oid,
        name,
        scheme,
        null_params,
    }
}

/// A signature algorithm by OID.
pub fn signature_algorithm(oid: &str) -> Option<&'static SignatureAlgorithm> {
    SIGNATURE_ALGORITHMS.iter().find(|a| a.oid == oid)
}

/// A signature algorithm by provider scheme name (for signing).
pub fn signature_algorithm_for_scheme(scheme: &str) -> Option<&'static SignatureAlgorithm> {
    SIGNATURE_ALGORITHMS
        .iter()
        .find(|a| a.scheme == Some(scheme))
}

/// The name of a signature OID as `cert_mgr show` prints it (the dotted OID when unknown).
pub fn signature_name(oid: &str) -> &str {
    signature_algorithm(oid).map_or(oid, |a| a.name)
}

/// An AlgorithmIdentifier: OID and the raw parameters (TLV), if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlgorithmId {
    /// Dotted OID.
    pub oid: String,
    /// The parameters' TLV bytes.
    pub params: Option<Vec<u8>>,
}

impl AlgorithmId {
    /// Decodes the contents of an AlgorithmIdentifier SEQUENCE.
    pub(crate) fn from_contents(contents: &[u8]) -> Result<Self, Error> {
        let (oid, rest) = asn1::expect(contents, tag::OID)?;
        let params = if rest.is_empty() {
            None
        } else {
            let (p, rest) = asn1::read(rest)?;
            if !rest.is_empty() {
                return Err(Error::Malformed("trailing data in AlgorithmIdentifier"));
            }
            Some(p.raw.to_vec())
        };
        Ok(AlgorithmId {
            oid: asn1::oid_string(oid.value)?,
            params,
        })
    }

    /// Parameters absent or NULL.
    pub fn params_absent_or_null(&self) -> bool {
        self.params.as_deref().is_none_or(|p| p == [tag::NULL, 0])
    }

    /// DER of the AlgorithmIdentifier.
    pub fn to_der(&self) -> Result<Vec<u8>, Error> {
        let oid = asn1::oid(&self.oid)?;
        Ok(match &self.params {
            Some(p) => asn1::cons(tag::SEQUENCE, &[&oid, p]),
            None => asn1::cons(tag::SEQUENCE, &[&oid]),
        })
    }

    /// The AlgorithmIdentifier of a signature algorithm, parameters as the profile writes them.
    pub fn for_signature(alg: &SignatureAlgorithm) -> Self {
        AlgorithmId {
            oid: alg.oid.to_string(),
            params: alg.null_params.then(|| alloc::vec![tag::NULL, 0]),
        }
    }
}

/// The kind of a public key.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyAlgorithm {
    /// RSA.
    Rsa,
    /// ECDSA on a named curve (dotted OID of the curve).
    Ec(String),
    /// bign on bign-curve256v1/384v1/512v1 (the security level in bits ×2: 256, 384, 512).
    Bign(u32),
    /// GOST R 34.10-2001 with its public-key parameter set OID.
    Gost2001(String),
    /// GOST R 34.10-2012 (256 or 512): recognised, not supported by the provider.
    Gost2012(u32),
    /// Anything else (dotted OID).
    Other(String),
}

/// A public key from a `SubjectPublicKeyInfo`.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    /// The kind.
    pub algorithm: KeyAlgorithm,
    /// The key in the provider's encoding (module docs).
    pub key: Vec<u8>,
    /// Size in bits (RSA modulus, curve order).
    pub bits: u32,
    /// DER of the whole `SubjectPublicKeyInfo`.
    pub spki: Vec<u8>,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({self})")
    }
}

impl fmt::Display for PublicKey {
    /// `RSA(2048)`, `ECDSA(256)`, `BIGN(256)`, `GOST R 34.10-2001(256)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.algorithm {
            KeyAlgorithm::Rsa => write!(f, "RSA({})", self.bits),
            KeyAlgorithm::Ec(_) => write!(f, "ECDSA({})", self.bits),
            KeyAlgorithm::Bign(b) => write!(f, "BIGN({b})"),
            KeyAlgorithm::Gost2001(_) => write!(f, "GOST R 34.10-2001({})", self.bits),
            KeyAlgorithm::Gost2012(b) => write!(f, "GOST R 34.10-2012({b})"),
            KeyAlgorithm::Other(oid) => write!(f, "{oid}"),
        }
    }
}

fn ec_bits(curve: &str) -> u32 {
    match curve {
        P256 => 256,
        P384 => 384,
        "1.3.132.0.35" => 521,
        _ => 0,
    }
}

/// Bit length of a big-endian magnitude.
fn be_bits(be: &[u8]) -> u32 {
    let start = be.iter().position(|&b| b != 0).unwrap_or(be.len());
    match be.get(start) {
        None => 0,
        Some(&top) => (be.len() - start - 1) as u32 * 8 + (8 - top.leading_zeros()),
    }
}

impl PublicKey {
    /// Decodes a DER `SubjectPublicKeyInfo` (exactly one).
    pub fn from_spki(spki: &[u8]) -> Result<Self, Error> {
        let seq = asn1::exact(spki, tag::SEQUENCE)?;
        let (alg, rest) = asn1::expect(seq.value, tag::SEQUENCE)?;
        let bits_tlv = asn1::exact(rest, tag::BIT_STRING)?;
        let (&unused, key_bytes) = bits_tlv
            .value
            .split_first()
            .ok_or(Error::Malformed("empty BIT STRING"))?;
        if unused != 0 {
            return Err(Error::Malformed("public key BIT STRING with unused bits"));
        }
        let alg = AlgorithmId::from_contents(alg.value)?;
        let param_oid = || -> Result<String, Error> {
            let p = alg
                .params
                .as_deref()
                .ok_or(Error::Malformed("missing key parameters"))?;
            asn1::oid_string(asn1::exact(p, tag::OID)?.value)
        };
        let (algorithm, key, bits) = match alg.oid.as_str() {
            RSA_ENCRYPTION => {
                let seq = asn1::exact(key_bytes, tag::SEQUENCE)?;
                let (n, rest) = asn1::expect(seq.value, tag::INTEGER)?;
                let (_e, rest) = asn1::expect(rest, tag::INTEGER)?;
                if !rest.is_empty() {
                    return Err(Error::Malformed("RSAPublicKey"));
                }
                (KeyAlgorithm::Rsa, key_bytes.to_vec(), be_bits(n.value))
            }
            EC_PUBLIC_KEY => {
                let curve = param_oid()?;
                let bits = ec_bits(&curve);
                (KeyAlgorithm::Ec(curve), key_bytes.to_vec(), bits)
            }
            BIGN_PUBKEY => {
                let curve = param_oid()?;
                let bits = BIGN_CURVES
                    .iter()
                    .find(|(o, _)| *o == curve)
                    .map(|(_, b)| *b)
                    .ok_or(Error::Unsupported("bign curve"))?;
                if key_bytes.len() as u32 != bits / 4 {
                    return Err(Error::Malformed("bign public key length"));
                }
                (KeyAlgorithm::Bign(bits), key_bytes.to_vec(), bits)
            }
            GOST3410_2001 => {
                // GostR3410-2001-PublicKeyParameters ::= SEQUENCE { publicKeyParamSet OID,
                // digestParamSet OID, encryptionParamSet OID OPTIONAL }
                let p = alg
                    .params
                    .as_deref()
                    .ok_or(Error::Malformed("missing GOST key parameters"))?;
                let seq = asn1::exact(p, tag::SEQUENCE)?;
                let (set, _) = asn1::expect(seq.value, tag::OID)?;
                let set = asn1::oid_string(set.value)?;
                // the key is an OCTET STRING inside the BIT STRING (RFC 4491 §2.3.2)
                let inner = asn1::exact(key_bytes, tag::OCTET_STRING)?;
                if inner.value.len() != 64 {
                    return Err(Error::Malformed("GOST R 34.10-2001 public key length"));
                }
                (KeyAlgorithm::Gost2001(set), inner.value.to_vec(), 256)
            }
            oid => {
                if let Some((_, b)) = GOST3410_2012.iter().find(|(o, _)| *o == oid) {
                    (KeyAlgorithm::Gost2012(*b), key_bytes.to_vec(), *b)
                } else {
                    (KeyAlgorithm::Other(oid.to_string()), key_bytes.to_vec(), 0)
                }
            }
        };
        Ok(PublicKey {
            algorithm,
            key,
            bits,
            spki: spki.to_vec(),
        })
    }

    /// Builds the `SubjectPublicKeyInfo` for a key in provider encoding, from the scheme the
    /// key signs with (`SigningKey::scheme`): RSA and ECDSA schemes, `bign-hbelt` (curve 256)
    /// and GOST R 34.10-2001 (parameter set `gost_param_set`, CryptoPro-A when `None`).
    pub fn from_provider_key(
        scheme: &str,
        key: &[u8],
        gost_param_set: Option<&str>,
    ) -> Result<Self, Error> {
        let null = [tag::NULL, 0u8];
        let (alg, bits_content) = if scheme.starts_with("rsa-") {
            (
                asn1::cons(tag::SEQUENCE, &[&asn1::oid(RSA_ENCRYPTION)?, &null]),
                key.to_vec(),
            )
        } else if scheme.starts_with("ecdsa-p256") || scheme.starts_with("ecdsa-p384") {
            let curve = if scheme.starts_with("ecdsa-p256") {
                P256
            } else {
                P384
            };
            (
                asn1::cons(
                    tag::SEQUENCE,
                    &[&asn1::oid(EC_PUBLIC_KEY)?, &asn1::oid(curve)?],
                ),
                key.to_vec(),
            )
        } else if scheme == "bign-hbelt" {
            (
                asn1::cons(
                    tag::SEQUENCE,
                    &[&asn1::oid(BIGN_PUBKEY)?, &asn1::oid(BIGN_CURVES[0].0)?],
                ),
                key.to_vec(),
            )
        } else if scheme == "gost3410-2001-gostr3411-94" {
            let set = gost_param_set.unwrap_or("1.2.643.2.2.35.1");
            let params = asn1::cons(
                tag::SEQUENCE,
                &[&asn1::oid(set)?, &asn1::oid(GOST3411_94_CRYPTOPRO)?],
            );
            (
                asn1::cons(tag::SEQUENCE, &[&asn1::oid(GOST3410_2001)?, &params]),
                asn1::tlv(tag::OCTET_STRING, key),
            )
        } else {
            return Err(Error::Unsupported("signature scheme of the key"));
        };
        let spki = asn1::cons(tag::SEQUENCE, &[&alg, &asn1::bit_string(&bits_content)]);
        Self::from_spki(&spki)
    }

    /// True when `provider_key` (a `SigningKey::public_key()`) is this key. EC points are
    /// compared by coordinates (a compressed certificate point matches the uncompressed form:
    /// same x, same parity of y); RSA keys by modulus and exponent.
    pub fn same_key(&self, provider_key: &[u8]) -> bool {
        use subtle::ConstantTimeEq;
        match &self.algorithm {
            KeyAlgorithm::Ec(_) => ec_same_point(&self.key, provider_key),
            KeyAlgorithm::Rsa => match (rsa_parts(&self.key), rsa_parts(provider_key)) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            },
            _ => self.key.len() == provider_key.len() && bool::from(self.key.ct_eq(provider_key)),
        }
    }
}

/// The provider scheme that verifies an IKEv1 signature (HASH_I / HASH_R) made with the private
/// key of `key`: `rsa-pkcs1-raw` (RFC 2409 §5.1, no DigestInfo), `ecdsa-p256-raw` /
/// `ecdsa-p384-raw` (RFC 4754 form, the hash is the digest), `bign-hbelt`,
/// `gost3410-2001-gostr3411-94`. `None` for keys that cannot sign in IKE here.
pub fn ike_scheme(key: &PublicKey) -> Option<&'static str> {
    match &key.algorithm {
        KeyAlgorithm::Rsa => Some("rsa-pkcs1-raw"),
        KeyAlgorithm::Ec(c) if c == P256 => Some("ecdsa-p256-raw"),
        KeyAlgorithm::Ec(c) if c == P384 => Some("ecdsa-p384-raw"),
        KeyAlgorithm::Bign(256) => Some("bign-hbelt"),
        KeyAlgorithm::Gost2001(_) => Some("gost3410-2001-gostr3411-94"),
        _ => None,
    }
}

/// (n, e) magnitudes of a DER RSAPublicKey.
fn rsa_parts(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let seq = asn1::exact(der, tag::SEQUENCE).ok()?;
    let (n, rest) = asn1::expect(seq.value, tag::INTEGER).ok()?;
    let (e, rest) = asn1::expect(rest, tag::INTEGER).ok()?;
    if !rest.is_empty() {
        return None;
    }
    let strip = |v: &'_ [u8]| -> usize { v.iter().position(|&b| b != 0).unwrap_or(v.len()) };
    Some((&n.value[strip(n.value)..], &e.value[strip(e.value)..]))
}

/// Compares two SEC1 points, either compressed or uncompressed.
fn ec_same_point(a: &[u8], b: &[u8]) -> bool {
    /// (x, y if uncompressed, parity of y)
    type Parts<'a> = (&'a [u8], Option<&'a [u8]>, Option<u8>);
    fn parts(p: &[u8]) -> Option<Parts<'_>> {
        let (&t, rest) = p.split_first()?;
        match t {
            0x04 if rest.len() % 2 == 0 && !rest.is_empty() => {
                let (x, y) = rest.split_at(rest.len() / 2);
                Some((x, Some(y), y.last().map(|b| b & 1)))
            }
            0x02 | 0x03 if !rest.is_empty() => Some((rest, None, Some(t & 1))),
            _ => None,
        }
    }
    match (parts(a), parts(b)) {
        (Some((xa, ya, pa)), Some((xb, yb, pb))) => {
            xa == xb
                && match (ya, yb) {
                    (Some(ya), Some(yb)) => ya == yb,
                    _ => pa == pb,
                }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ec_point_forms() {
        let mut unc = alloc::vec![4u8];
        unc.extend_from_slice(&[1u8; 32]);
        unc.extend_from_slice(&[2u8; 32]);
        let mut comp = alloc::vec![2u8];
        comp.extend_from_slice(&[1u8; 32]);
        assert!(ec_same_point(&unc, &comp));
        comp[0] = 3;
        assert!(!ec_same_point(&unc, &comp));
        assert!(!ec_same_point(&unc, &[4]));
        assert_eq!(be_bits(&[0, 0x01, 0]), 9);
        assert_eq!(be_bits(&[]), 0);
    }

    #[test]
    fn tables_point_at_provider_schemes() {
        for a in SIGNATURE_ALGORITHMS {
            if let Some(s) = a.scheme {
                let p = zubr_crypto_stb::SOFTWARE
                    .signature(a.oid)
                    .expect("provider scheme for OID");
                assert_eq!(p.name, s);
            }
        }
    }
}
