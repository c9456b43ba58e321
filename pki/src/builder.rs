//! Building and signing certificates and CRLs with any provider [`SigningKey`] — RSA, ECDSA,
//! bign-with-hbelt (STB 34.101.19 profile: bign-pubkey keys, NULL signature parameters) and
//! GOST R 34.10-2001 (RFC 4491: parameters absent, key in an OCTET STRING). Neither `rcgen` nor
//! the `x509-cert` builder can sign with bign or GOST, so the DER is written here with
//! `crate::asn1` and checked by parsing it back.
//!
//! Meant for tests, demos and small private CAs (e.g. `zubr demo`, the IKE tests with bign and
//! GOST certificates); it writes exactly the extensions asked for.
//!
//! This module must not emit a certificate it cannot parse back.

use alloc::string::String;
use alloc::vec::Vec;

use zubr_crypto_stb::Rng;
use zubr_crypto_stb::provider::SigningKey;

use crate::Error;
use crate::alg::{self, AlgorithmId, PublicKey};
use crate::asn1::{self, tag};
use crate::cert::{Certificate, GeneralName};
use crate::crl::Crl;
use crate::name::DistinguishedName;

/// X.509 time: UTCTime for 1950–2049, GeneralizedTime otherwise.
fn time(t: i64) -> Vec<u8> {
    let (y, mo, d, h, mi, s) = crate::report::civil(t);
    if (1950..2050).contains(&y) {
        let text = alloc::format!("{:02}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z", y % 100);
        asn1::tlv(tag::UTC_TIME, text.as_bytes())
    } else {
        let text = alloc::format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z");
        asn1::tlv(tag::GENERALIZED_TIME, text.as_bytes())
    }
}

fn ext(oid: &str, critical: bool, value: &[u8]) -> Result<Vec<u8>, Error> {
    let o = asn1::oid(oid)?;
    let v = asn1::tlv(tag::OCTET_STRING, value);
    Ok(if critical {
        asn1::cons(tag::SEQUENCE, &[&o, &[tag::BOOLEAN, 1, 0xff], &v])
    } else {
        asn1::cons(tag::SEQUENCE, &[&o, &v])
    })
}

fn general_name(g: &GeneralName) -> Result<Vec<u8>, Error> {
    Ok(match g {
        GeneralName::Email(s) => asn1::tlv(tag::ctx_prim(1), s.as_bytes()),
        GeneralName::Dns(s) => asn1::tlv(tag::ctx_prim(2), s.as_bytes()),
        GeneralName::Uri(s) => asn1::tlv(tag::ctx_prim(6), s.as_bytes()),
        GeneralName::Ip(ip) => asn1::tlv(tag::ctx_prim(7), ip),
        GeneralName::Directory(n) => asn1::tlv(tag::ctx(4), n.der()),
        GeneralName::Other => return Err(Error::Unsupported("general name form")),
    })
}

/// Key usage bit string (DER: trailing zero bits removed).
fn key_usage_bits(bits: u16) -> Vec<u8> {
    // bit i of `bits` is KeyUsage bit i, i.e. bit (7 - i % 8) of byte i / 8
    let mut bytes = [0u8; 2];
    for i in 0..9 {
        if bits & (1 << i) != 0 {
            bytes[i / 8] |= 0x80 >> (i % 8);
        }
    }
    let len = if bytes[1] != 0 {
        2
    } else if bytes[0] != 0 {
        1
    } else {
        0
    };
    let used = &bytes[..len];
    let unused = used.last().map_or(0, |b| b.trailing_zeros() as u8);
    let mut c = alloc::vec![unused];
    c.extend_from_slice(used);
    asn1::tlv(tag::BIT_STRING, &c)
}

/// The signature AlgorithmIdentifier for a signing key's scheme.
fn sig_alg(key: &dyn SigningKey) -> Result<AlgorithmId, Error> {
    let a = alg::signature_algorithm_for_scheme(key.scheme())
        .ok_or(Error::Unsupported("signing scheme has no certificate OID"))?;
    Ok(AlgorithmId::for_signature(a))
}

fn signed(
    tbs: &[u8],
    alg: &AlgorithmId,
    key: &dyn SigningKey,
    rng: &mut dyn Rng,
) -> Result<Vec<u8>, Error> {
    let sig = key.sign(rng, tbs)?;
    Ok(asn1::cons(
        tag::SEQUENCE,
        &[tbs, &alg.to_der()?, &asn1::bit_string(&sig)],
    ))
}

/// A certificate to be signed.
#[derive(Clone, Debug)]
pub struct CertificateBuilder {
    /// Serial number, big-endian.
    pub serial: Vec<u8>,
    /// Subject.
    pub subject: DistinguishedName,
    /// notBefore, seconds since the epoch.
    pub not_before: i64,
    /// notAfter, seconds since the epoch.
    pub not_after: i64,
    /// basicConstraints (cA, pathLen); `None` omits the extension.
    pub basic_constraints: Option<(bool, Option<u8>)>,
    /// keyUsage bits (`crate::cert::key_usage`); `None` omits the extension.
    pub key_usage: Option<u16>,
    /// subjectAltName entries.
    pub subject_alt_names: Vec<GeneralName>,
    /// CRL distribution point URIs.
    pub crl_distribution_points: Vec<String>,
    /// Write subject/authority key identifiers.
    pub key_identifiers: bool,
    /// Extra raw extensions (DER `Extension`s), e.g. an unknown critical one in tests.
    pub extra_extensions: Vec<Vec<u8>>,
    /// Write an X.509 v1 certificate (no extensions at all).
    pub v1: bool,
}

impl CertificateBuilder {
    /// A v3 end-entity certificate for `subject` valid from `not_before` to `not_after`, with
    /// digitalSignature key usage and key identifiers.
    pub fn new(subject: &str, serial: u64, not_before: i64, not_after: i64) -> Result<Self, Error> {
        Ok(CertificateBuilder {
            serial: serial.to_be_bytes().to_vec(),
            subject: DistinguishedName::from_text(subject)?,
            not_before,
            not_after,
            basic_constraints: None,
            key_usage: Some(crate::cert::key_usage::DIGITAL_SIGNATURE),
            subject_alt_names: Vec::new(),
            crl_distribution_points: Vec::new(),
            key_identifiers: true,
            extra_extensions: Vec::new(),
            v1: false,
        })
    }

    /// Makes it a CA certificate (cA, keyCertSign and cRLSign).
    pub fn ca(mut self, path_len: Option<u8>) -> Self {
        self.basic_constraints = Some((true, path_len));
        self.key_usage =
            Some(crate::cert::key_usage::KEY_CERT_SIGN | crate::cert::key_usage::CRL_SIGN);
        self
    }

    /// Signs the certificate for `subject_key` with `issuer_key`; `issuer` is the issuer's
    /// certificate (`None`: self-signed, the issuer is the subject and the keys must agree).
    pub fn sign(
        &self,
        subject_key: &PublicKey,
        issuer: Option<&Certificate>,
        issuer_key: &dyn SigningKey,
        rng: &mut dyn Rng,
    ) -> Result<Certificate, Error> {
        let alg = sig_alg(issuer_key)?;
        let issuer_name = issuer.map_or(&self.subject, Certificate::subject);
        let issuer_spki_key = match issuer {
            Some(c) => c.public_key().clone(),
            None => subject_key.clone(),
        };
        let key_id = |k: &PublicKey| -> Vec<u8> {
            // RFC 5280 §4.2.1.2 method (1) needs SHA-1; the first 20 bytes of belt-hash of the
            // key are as unique and need no SHA-1 in the STB profile — use SHA-1 when present
            let p = &zubr_crypto_stb::SOFTWARE;
            let h = p.hash("sha1").or_else(|| p.hash("belt-hash"));
            h.map(|h| {
                let mut v = h.hash.hash(&[&k.key]).as_slice().to_vec();
                v.truncate(20);
                v
            })
            .unwrap_or_default()
        };
        let mut exts: Vec<Vec<u8>> = Vec::new();
        if !self.v1 {
            if let Some((ca, pl)) = self.basic_constraints {
                let mut parts: Vec<Vec<u8>> = Vec::new();
                if ca {
                    parts.push(alloc::vec![tag::BOOLEAN, 1, 0xff]);
                }
                if let Some(pl) = pl {
                    parts.push(asn1::uint(&[pl]));
                }
                let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
                exts.push(ext("2.5.29.19", true, &asn1::cons(tag::SEQUENCE, &refs))?);
            }
            if let Some(ku) = self.key_usage {
                exts.push(ext("2.5.29.15", true, &key_usage_bits(ku))?);
            }
            if !self.subject_alt_names.is_empty() {
                let names = self
                    .subject_alt_names
                    .iter()
                    .map(general_name)
                    .collect::<Result<Vec<_>, _>>()?;
                let refs: Vec<&[u8]> = names.iter().map(Vec::as_slice).collect();
                exts.push(ext("2.5.29.17", false, &asn1::cons(tag::SEQUENCE, &refs))?);
            }
            if !self.crl_distribution_points.is_empty() {
                let dps: Vec<Vec<u8>> = self
                    .crl_distribution_points
                    .iter()
                    .map(|u| {
                        let full =
                            asn1::tlv(tag::ctx(0), &asn1::tlv(tag::ctx_prim(6), u.as_bytes()));
                        asn1::cons(tag::SEQUENCE, &[&asn1::tlv(tag::ctx(0), &full)])
                    })
                    .collect();
                let refs: Vec<&[u8]> = dps.iter().map(Vec::as_slice).collect();
                exts.push(ext("2.5.29.31", false, &asn1::cons(tag::SEQUENCE, &refs))?);
            }
            if self.key_identifiers {
                exts.push(ext(
                    "2.5.29.14",
                    false,
                    &asn1::tlv(tag::OCTET_STRING, &key_id(subject_key)),
                )?);
                let aki_id = issuer
                    .and_then(|c| c.extensions().subject_key_id.clone())
                    .unwrap_or_else(|| key_id(&issuer_spki_key));
                let aki = asn1::tlv(tag::ctx_prim(0), &aki_id);
                exts.push(ext(
                    "2.5.29.35",
                    false,
                    &asn1::cons(tag::SEQUENCE, &[&aki]),
                )?);
            }
            exts.extend(self.extra_extensions.iter().cloned());
        }
        let validity = asn1::cons(
            tag::SEQUENCE,
            &[&time(self.not_before), &time(self.not_after)],
        );
        let alg_der = alg.to_der()?;
        let serial = asn1::uint(&self.serial);
        let version = asn1::tlv(tag::ctx(0), &asn1::uint(&[2]));
        let mut parts: Vec<&[u8]> = Vec::new();
        if !self.v1 {
            parts.push(&version);
        }
        parts.extend_from_slice(&[
            &serial,
            &alg_der,
            issuer_name.der(),
            &validity,
            self.subject.der(),
            &subject_key.spki,
        ]);
        let ext_refs: Vec<&[u8]> = exts.iter().map(Vec::as_slice).collect();
        let ext_block = asn1::tlv(tag::ctx(3), &asn1::cons(tag::SEQUENCE, &ext_refs));
        if !exts.is_empty() {
            parts.push(&ext_block);
        }
        let tbs = asn1::cons(tag::SEQUENCE, &parts);
        Certificate::from_der(&signed(&tbs, &alg, issuer_key, rng)?)
    }
}

/// A CRL to be signed.
#[derive(Clone, Debug)]
pub struct CrlBuilder {
    /// thisUpdate.
    pub this_update: i64,
    /// nextUpdate.
    pub next_update: Option<i64>,
    /// Revoked (serial big-endian, revocation date).
    pub revoked: Vec<(Vec<u8>, i64)>,
    /// CRL number.
    pub number: u64,
}

impl CrlBuilder {
    /// Signs the CRL as `issuer` with `issuer_key`.
    pub fn sign(
        &self,
        issuer: &Certificate,
        issuer_key: &dyn SigningKey,
        rng: &mut dyn Rng,
    ) -> Result<Crl, Error> {
        let alg = sig_alg(issuer_key)?;
        let alg_der = alg.to_der()?;
        let this = time(self.this_update);
        let next = self.next_update.map(time);
        let revoked: Vec<Vec<u8>> = self
            .revoked
            .iter()
            .map(|(s, d)| asn1::cons(tag::SEQUENCE, &[&asn1::uint(s), &time(*d)]))
            .collect();
        let rev_refs: Vec<&[u8]> = revoked.iter().map(Vec::as_slice).collect();
        let rev_seq = asn1::cons(tag::SEQUENCE, &rev_refs);
        let number = ext("2.5.29.20", false, &asn1::uint(&self.number.to_be_bytes()))?;
        let mut ext_parts: Vec<Vec<u8>> = alloc::vec![number];
        if let Some(ski) = &issuer.extensions().subject_key_id {
            let aki = asn1::tlv(tag::ctx_prim(0), ski);
            ext_parts.push(ext(
                "2.5.29.35",
                false,
                &asn1::cons(tag::SEQUENCE, &[&aki]),
            )?);
        }
        let ext_refs: Vec<&[u8]> = ext_parts.iter().map(Vec::as_slice).collect();
        let exts = asn1::tlv(tag::ctx(0), &asn1::cons(tag::SEQUENCE, &ext_refs));
        let version = asn1::uint(&[1]);
        let mut parts: Vec<&[u8]> = alloc::vec![&version, &alg_der, issuer.subject().der(), &this];
        if let Some(n) = &next {
            parts.push(n);
        }
        if !revoked.is_empty() {
            parts.push(&rev_seq);
        }
        parts.push(&exts);
        let tbs = asn1::cons(tag::SEQUENCE, &parts);
        Crl::from_der(&signed(&tbs, &alg, issuer_key, rng)?)
    }
}

/// A PKCS#10 request for `subject` signed with `key` (what `cert_mgr create` would make; the
/// store keeps requests and `cert_mgr check` reports them).
pub fn certificate_request(
    subject: &str,
    key: &dyn SigningKey,
    public: &PublicKey,
    rng: &mut dyn Rng,
) -> Result<crate::cert::CertRequest, Error> {
    let alg = sig_alg(key)?;
    let name = DistinguishedName::from_text(subject)?;
    let info = asn1::cons(
        tag::SEQUENCE,
        &[
            &asn1::uint(&[0]),
            name.der(),
            &public.spki,
            &[tag::ctx(0), 0],
        ],
    );
    crate::cert::CertRequest::from_der(&signed(&info, &alg, key, rng)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_usage_encoding() {
        use crate::cert::key_usage::*;
        assert_eq!(key_usage_bits(DIGITAL_SIGNATURE), [3, 2, 7, 0x80]);
        assert_eq!(key_usage_bits(KEY_CERT_SIGN | CRL_SIGN), [3, 2, 1, 0x06]);
        assert_eq!(key_usage_bits(1 << 8), [3, 3, 7, 0, 0x80]);
    }
}
