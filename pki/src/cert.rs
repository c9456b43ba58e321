//! X.509 certificates ([`Certificate`]) and PKCS#10 certificate requests ([`CertRequest`]).
//!
//! Decoding is `x509-cert` 0.3 (RustCrypto `der` 0.8 line, `no_std` + `alloc`; `x509-parser`
//! needs `std`), with the lenient `Raw` profile so that deployed certificates with long or
//! negative serial numbers still load. What this module adds on top: the exact
//! `tbsCertificate` bytes (signatures are verified over the bytes received), the names in
//! [`DistinguishedName`] form, the public key in the provider's encoding ([`PublicKey`]), and the
//! handful of extensions the validator and the matcher use, decoded once.
//!
//! This module must not decide validity: it reports facts (including
//! [`Certificate::format_problem`]); `crate::validate` judges.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use der::{Decode, Encode};
use x509_cert::certificate::{CertificateInner, Raw};
use x509_cert::ext::pkix;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName as X509GeneralName};

use zubr_crypto_stb::CryptoProvider;

use crate::Error;
use crate::alg::{self, AlgorithmId, PublicKey};
use crate::asn1::{self, tag};
use crate::name::DistinguishedName;

/// Largest certificate accepted, in bytes.
pub const MAX_CERT_LEN: usize = 64 * 1024;
/// Most SAN entries / CRL distribution point names kept.
pub const MAX_NAMES: usize = 64;

/// Key usage bits (RFC 5280 §4.2.1.3), as stored in [`Extensions::key_usage`].
pub mod key_usage {
    /// digitalSignature.
    pub const DIGITAL_SIGNATURE: u16 = 1 << 0;
    /// nonRepudiation.
    pub const NON_REPUDIATION: u16 = 1 << 1;
    /// keyEncipherment.
    pub const KEY_ENCIPHERMENT: u16 = 1 << 2;
    /// keyCertSign.
    pub const KEY_CERT_SIGN: u16 = 1 << 5;
    /// cRLSign.
    pub const CRL_SIGN: u16 = 1 << 6;
}

/// A subject alternative name (the forms IKE identities use; others are kept as `Other`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GeneralName {
    /// dNSName.
    Dns(String),
    /// rfc822Name (e-mail).
    Email(String),
    /// iPAddress (4 or 16 bytes).
    Ip(Vec<u8>),
    /// uniformResourceIdentifier.
    Uri(String),
    /// directoryName.
    Directory(DistinguishedName),
    /// Any other form.
    Other,
}

impl fmt::Display for GeneralName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GeneralName::Dns(s) | GeneralName::Email(s) | GeneralName::Uri(s) => f.write_str(s),
            GeneralName::Ip(ip) if ip.len() == 4 => {
                write!(f, "{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3])
            }
            GeneralName::Ip(ip) => {
                for (i, c) in ip.chunks(2).enumerate() {
                    if i > 0 {
                        f.write_str(":")?;
                    }
                    for b in c {
                        write!(f, "{b:02x}")?;
                    }
                }
                Ok(())
            }
            GeneralName::Directory(n) => write!(f, "{n}"),
            GeneralName::Other => f.write_str("<other name>"),
        }
    }
}

fn general_name(g: &X509GeneralName) -> GeneralName {
    match g {
        X509GeneralName::DnsName(s) => GeneralName::Dns(s.to_string()),
        X509GeneralName::Rfc822Name(s) => GeneralName::Email(s.to_string()),
        X509GeneralName::UniformResourceIdentifier(s) => GeneralName::Uri(s.to_string()),
        X509GeneralName::IpAddress(o) => GeneralName::Ip(o.as_bytes().to_vec()),
        X509GeneralName::DirectoryName(n) => n
            .to_der()
            .ok()
            .and_then(|d| DistinguishedName::from_der(&d).ok())
            .map_or(GeneralName::Other, GeneralName::Directory),
        _ => GeneralName::Other,
    }
}

/// The extensions the validator and matcher use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Extensions {
    /// basicConstraints: (cA, pathLenConstraint).
    pub basic_constraints: Option<(bool, Option<u8>)>,
    /// keyUsage bits ([`key_usage`]).
    pub key_usage: Option<u16>,
    /// extKeyUsage OIDs.
    pub ext_key_usage: Vec<String>,
    /// subjectAltName entries.
    pub subject_alt_names: Vec<GeneralName>,
    /// Names of the CRL distribution points (full names; the CRL issuer when that is all).
    pub crl_distribution_points: Vec<GeneralName>,
    /// subjectKeyIdentifier.
    pub subject_key_id: Option<Vec<u8>>,
    /// authorityKeyIdentifier keyIdentifier.
    pub authority_key_id: Option<Vec<u8>>,
    /// OIDs of critical extensions this crate does not process.
    pub unknown_critical: Vec<String>,
}

/// Extensions whose criticality we honour (we process them, or — certificatePolicies,
/// policy constraints — accept them without policy processing, see `crate::validate`).
const KNOWN_EXTENSIONS: &[&str] = &[
    "2.5.29.19", // basicConstraints
    "2.5.29.15", // keyUsage
    "2.5.29.37", // extKeyUsage
    "2.5.29.17", // subjectAltName
    "2.5.29.18", // issuerAltName
    "2.5.29.31", // cRLDistributionPoints
    "2.5.29.14", // subjectKeyIdentifier
    "2.5.29.35", // authorityKeyIdentifier
    "2.5.29.32", // certificatePolicies
    "2.5.29.36", // policyConstraints
    "2.5.29.54", // inhibitAnyPolicy
    "2.5.29.16", // privateKeyUsagePeriod
];

fn decode_extensions(exts: Option<&x509_cert::ext::Extensions>) -> Result<Extensions, Error> {
    let mut out = Extensions::default();
    let Some(exts) = exts else {
        return Ok(out);
    };
    let mut seen: Vec<String> = Vec::new();
    for e in exts {
        let oid = e.extn_id.to_string();
        if seen.contains(&oid) {
            return Err(Error::Malformed("duplicate extension"));
        }
        let v = e.extn_value.as_bytes();
        let bad = |_| Error::Malformed("extension value");
        match oid.as_str() {
            "2.5.29.19" => {
                let bc = pkix::BasicConstraints::from_der(v).map_err(bad)?;
                out.basic_constraints = Some((bc.ca, bc.path_len_constraint));
            }
            "2.5.29.15" => {
                let ku = pkix::KeyUsage::from_der(v).map_err(bad)?;
                out.key_usage = Some(ku.0.bits());
            }
            "2.5.29.37" => {
                let eku = pkix::ExtendedKeyUsage::from_der(v).map_err(bad)?;
                out.ext_key_usage = eku
                    .0
                    .iter()
                    .take(MAX_NAMES)
                    .map(|o| o.to_string())
                    .collect();
            }
            "2.5.29.17" => {
                let san = pkix::SubjectAltName::from_der(v).map_err(bad)?;
                out.subject_alt_names = san.0.iter().take(MAX_NAMES).map(general_name).collect();
            }
            "2.5.29.31" => {
                let dps = pkix::CrlDistributionPoints::from_der(v).map_err(bad)?;
                for dp in &dps.0 {
                    match &dp.distribution_point {
                        Some(DistributionPointName::FullName(names)) => out
                            .crl_distribution_points
                            .extend(names.iter().map(general_name)),
                        Some(DistributionPointName::NameRelativeToCRLIssuer(_)) => {
                            out.crl_distribution_points.push(GeneralName::Other)
                        }
                        None => {
                            if let Some(issuer) = &dp.crl_issuer {
                                out.crl_distribution_points
                                    .extend(issuer.iter().map(general_name));
                            }
                        }
                    }
                }
                out.crl_distribution_points.truncate(MAX_NAMES);
            }
            "2.5.29.14" => {
                let ski = pkix::SubjectKeyIdentifier::from_der(v).map_err(bad)?;
                out.subject_key_id = Some(ski.0.as_bytes().to_vec());
            }
            "2.5.29.35" => {
                let aki = pkix::AuthorityKeyIdentifier::from_der(v).map_err(bad)?;
                out.authority_key_id = aki.key_identifier.map(|k| k.as_bytes().to_vec());
            }
            _ => {
                if e.critical && !KNOWN_EXTENSIONS.contains(&oid.as_str()) {
                    out.unknown_critical.push(oid.clone());
                }
            }
        }
        seen.push(oid);
    }
    Ok(out)
}

/// Seconds since the epoch of an X.509 time.
pub(crate) fn unix(t: &x509_cert::time::Time) -> i64 {
    t.to_unix_duration().as_secs() as i64
}

/// An X.509 certificate.
#[derive(Clone)]
pub struct Certificate {
    der: Vec<u8>,
    tbs: core::ops::Range<usize>,
    version: u8,
    serial: Vec<u8>,
    signature_algorithm: AlgorithmId,
    tbs_signature_algorithm: AlgorithmId,
    signature: Vec<u8>,
    issuer: DistinguishedName,
    subject: DistinguishedName,
    not_before: i64,
    not_after: i64,
    public_key: PublicKey,
    extensions: Extensions,
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.subject)
            .field("issuer", &self.issuer)
            .field("serial", &self.serial_hex())
            .finish_non_exhaustive()
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}
impl Eq for Certificate {}

/// (tbs range, signature AlgorithmIdentifier contents, signature BIT STRING contents) of a
/// signed object `SEQUENCE { tbs, AlgorithmIdentifier, BIT STRING }`.
pub(crate) fn split_signed(
    der: &[u8],
) -> Result<(core::ops::Range<usize>, AlgorithmId, Vec<u8>), Error> {
    let outer = asn1::exact(der, tag::SEQUENCE)?;
    let start = der.len() - outer.value.len();
    let (tbs, rest) = asn1::expect(outer.value, tag::SEQUENCE)?;
    let (alg, rest) = asn1::expect(rest, tag::SEQUENCE)?;
    let sig = asn1::exact(rest, tag::BIT_STRING)?;
    let (&unused, sig) = sig
        .value
        .split_first()
        .ok_or(Error::Malformed("empty signature"))?;
    if unused != 0 {
        return Err(Error::Malformed("signature BIT STRING with unused bits"));
    }
    Ok((
        start..start + tbs.raw.len(),
        AlgorithmId::from_contents(alg.value)?,
        sig.to_vec(),
    ))
}

/// Verifies `signature` over `tbs` with the issuer's key through the provider's scheme for
/// `alg`.
pub(crate) fn verify_signature(
    provider: &CryptoProvider,
    issuer_key: &PublicKey,
    alg: &AlgorithmId,
    tbs: &[u8],
    signature: &[u8],
) -> Result<(), SignatureError> {
    let scheme = provider
        .signature(&alg.oid)
        .ok_or(SignatureError::UnsupportedAlgorithm)?;
    scheme
        .verifier
        .verify(&issuer_key.key, tbs, signature)
        .map_err(|e| match e {
            zubr_crypto_stb::Error::InvalidPublicKey => SignatureError::BadIssuerKey,
            _ => SignatureError::Invalid,
        })
}

/// Why a signature on a certificate or CRL was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureError {
    /// The provider has no scheme for the signature algorithm.
    UnsupportedAlgorithm,
    /// The issuer's key is not usable with the scheme.
    BadIssuerKey,
    /// The signature does not verify.
    Invalid,
}

impl Certificate {
    /// Decodes one DER certificate (the whole input).
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        if der.len() > MAX_CERT_LEN {
            return Err(Error::TooLarge("certificate"));
        }
        let x =
            CertificateInner::<Raw>::from_der(der).map_err(|_| Error::Malformed("certificate"))?;
        let (tbs, signature_algorithm, signature) = split_signed(der)?;
        let t = x.tbs_certificate();
        let version = match t.version() {
            x509_cert::certificate::Version::V1 => 1,
            x509_cert::certificate::Version::V2 => 2,
            x509_cert::certificate::Version::V3 => 3,
        };
        let name = |n: &x509_cert::name::Name| {
            n.to_der()
                .map_err(|_| Error::Malformed("name"))
                .and_then(|d| DistinguishedName::from_der(&d))
        };
        let tbs_alg_der = t
            .signature()
            .to_der()
            .map_err(|_| Error::Malformed("signature algorithm"))?;
        let tbs_signature_algorithm =
            AlgorithmId::from_contents(asn1::exact(&tbs_alg_der, tag::SEQUENCE)?.value)?;
        let spki = t
            .subject_public_key_info()
            .to_der()
            .map_err(|_| Error::Malformed("public key info"))?;
        Ok(Certificate {
            tbs,
            version,
            serial: t.serial_number().as_bytes().to_vec(),
            signature_algorithm,
            tbs_signature_algorithm,
            signature,
            issuer: name(t.issuer())?,
            subject: name(t.subject())?,
            not_before: unix(&t.validity().not_before),
            not_after: unix(&t.validity().not_after),
            public_key: PublicKey::from_spki(&spki)?,
            extensions: decode_extensions(t.extensions())?,
            der: der.to_vec(),
        })
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The signed `tbsCertificate` bytes.
    pub fn tbs_der(&self) -> &[u8] {
        &self.der[self.tbs.clone()]
    }

    /// X.509 version (1, 2 or 3).
    pub fn version(&self) -> u8 {
        self.version
    }

    /// Serial number: the INTEGER's content bytes.
    pub fn serial(&self) -> &[u8] {
        &self.serial
    }

    /// Serial number as `cert_mgr` prints it: hex bytes separated by spaces (`01`, `3E 54 09`).
    pub fn serial_hex(&self) -> String {
        hex_spaced(&self.serial)
    }

    /// The outer signature algorithm.
    pub fn signature_algorithm(&self) -> &AlgorithmId {
        &self.signature_algorithm
    }

    /// The signature value.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// Issuer name.
    pub fn issuer(&self) -> &DistinguishedName {
        &self.issuer
    }

    /// Subject name.
    pub fn subject(&self) -> &DistinguishedName {
        &self.subject
    }

    /// notBefore, seconds since the epoch.
    pub fn not_before(&self) -> i64 {
        self.not_before
    }

    /// notAfter, seconds since the epoch.
    pub fn not_after(&self) -> i64 {
        self.not_after
    }

    /// The subject public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// The decoded extensions.
    pub fn extensions(&self) -> &Extensions {
        &self.extensions
    }

    /// True when the certificate is a CA (basicConstraints cA; a v1 certificate counts as a CA
    /// only as a trust anchor, see `crate::validate`).
    pub fn is_ca(&self) -> bool {
        matches!(self.extensions.basic_constraints, Some((true, _)))
    }

    /// Subject and issuer are the same name.
    pub fn is_self_issued(&self) -> bool {
        self.subject.matches(&self.issuer)
    }

    /// True when the key usage extension is absent or has any of `bits`.
    pub fn allows(&self, bits: u16) -> bool {
        self.extensions.key_usage.is_none_or(|ku| ku & bits != 0)
    }

    /// A structural problem that makes the certificate "invalid" for `cert_mgr check`: the
    /// outer and inner signature algorithms differ, extensions in a certificate older than v3,
    /// or a critical extension this crate does not process.
    pub fn format_problem(&self) -> Option<&'static str> {
        if self.signature_algorithm != self.tbs_signature_algorithm {
            return Some("signature algorithm mismatch");
        }
        if self.version < 3 && self.extensions != Extensions::default() {
            return Some("extensions in a v1/v2 certificate");
        }
        if !self.extensions.unknown_critical.is_empty() {
            return Some("unknown critical extension");
        }
        None
    }

    /// Checks this certificate's signature with `issuer`'s key.
    pub fn verify_signed_by(
        &self,
        provider: &CryptoProvider,
        issuer: &PublicKey,
    ) -> Result<(), SignatureError> {
        verify_signature(
            provider,
            issuer,
            &self.signature_algorithm,
            self.tbs_der(),
            &self.signature,
        )
    }

    /// The name of the signature algorithm as `cert_mgr show` prints it.
    pub fn signature_algorithm_name(&self) -> &str {
        alg::signature_name(&self.signature_algorithm.oid)
    }

    /// A digest of the DER encoding with the provider's hash `name` (`md5`, `sha1`, …).
    pub fn fingerprint(&self, provider: &CryptoProvider, name: &str) -> Option<Vec<u8>> {
        provider
            .hash(name)
            .map(|h| h.hash.hash(&[&self.der]).as_slice().to_vec())
    }
}

/// Bytes as uppercase hex separated by spaces.
pub fn hex_spaced(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(&alloc::format!("{b:02X}"));
    }
    s
}

/// A PKCS#10 certificate request held in the store (`It is certificate request`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertRequest {
    der: Vec<u8>,
    subject: DistinguishedName,
    public_key: PublicKey,
}

impl CertRequest {
    /// Decodes a DER `CertificationRequest`.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        if der.len() > MAX_CERT_LEN {
            return Err(Error::TooLarge("certificate request"));
        }
        let r = x509_cert::request::CertReq::from_der(der)
            .map_err(|_| Error::Malformed("certificate request"))?;
        let subject = DistinguishedName::from_der(
            &r.info
                .subject
                .to_der()
                .map_err(|_| Error::Malformed("name"))?,
        )?;
        let spki = r
            .info
            .public_key
            .to_der()
            .map_err(|_| Error::Malformed("public key info"))?;
        Ok(CertRequest {
            der: der.to_vec(),
            subject,
            public_key: PublicKey::from_spki(&spki)?,
        })
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// Requested subject.
    pub fn subject(&self) -> &DistinguishedName {
        &self.subject
    }

    /// The key to be certified.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }
}
