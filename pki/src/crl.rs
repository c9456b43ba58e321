//! Certificate revocation lists (RFC 5280 §5) as [`Crl`]: issuer, update times, the revoked
//! serial numbers (sorted, looked up by binary search), and signature verification through the
//! provider like certificates.
//!
//! This module must not decide whether a CRL is acceptable for a certificate (issuer key,
//! freshness): `crate::validate` does.

use alloc::string::ToString;
use alloc::vec::Vec;
use core::fmt;

use der::{Decode, Encode};
use x509_cert::certificate::Raw;
use x509_cert::crl::CertificateList;

use zubr_crypto_stb::CryptoProvider;

use crate::Error;
use crate::alg::{self, AlgorithmId, PublicKey};
use crate::cert::{SignatureError, split_signed, unix, verify_signature};
use crate::name::DistinguishedName;

/// Largest CRL accepted, in bytes.
pub const MAX_CRL_LEN: usize = 4 * 1024 * 1024;
/// Most revoked entries kept.
pub const MAX_REVOKED: usize = 200_000;

/// A certificate revocation list.
#[derive(Clone)]
pub struct Crl {
    der: Vec<u8>,
    tbs: core::ops::Range<usize>,
    signature_algorithm: AlgorithmId,
    signature: Vec<u8>,
    issuer: DistinguishedName,
    this_update: i64,
    next_update: Option<i64>,
    /// (serial content bytes without leading zeros, revocation date), sorted by serial.
    revoked: Vec<(Vec<u8>, i64)>,
    authority_key_id: Option<Vec<u8>>,
    unknown_critical: bool,
}

impl fmt::Debug for Crl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Crl")
            .field("issuer", &self.issuer)
            .field("revoked", &self.revoked.len())
            .finish_non_exhaustive()
    }
}

impl PartialEq for Crl {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}
impl Eq for Crl {}

fn strip(serial: &[u8]) -> &[u8] {
    let start = serial.iter().position(|&b| b != 0).unwrap_or(serial.len());
    &serial[start..]
}

/// CRL extensions this crate accepts as critical (it processes none of them beyond reading the
/// AKI; `issuingDistributionPoint` and `deltaCRLIndicator` make a CRL unusable, see
/// [`Crl::usable`]).
const KNOWN_CRL_EXTENSIONS: &[&str] = &["2.5.29.20", "2.5.29.35"];

impl Crl {
    /// Decodes one DER CRL.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        if der.len() > MAX_CRL_LEN {
            return Err(Error::TooLarge("CRL"));
        }
        let x = CertificateList::<Raw>::from_der(der).map_err(|_| Error::Malformed("CRL"))?;
        let (tbs, signature_algorithm, signature) = split_signed(der)?;
        let t = &x.tbs_cert_list;
        let issuer =
            DistinguishedName::from_der(&t.issuer.to_der().map_err(|_| Error::Malformed("name"))?)?;
        let entries = t.revoked_certificates.as_deref().unwrap_or(&[]);
        if entries.len() > MAX_REVOKED {
            return Err(Error::TooLarge("revoked entries in a CRL"));
        }
        let mut revoked: Vec<(Vec<u8>, i64)> = entries
            .iter()
            .map(|r| {
                (
                    strip(r.serial_number.as_bytes()).to_vec(),
                    unix(&r.revocation_date),
                )
            })
            .collect();
        revoked.sort();
        let mut authority_key_id = None;
        let mut unknown_critical = false;
        for e in t.crl_extensions.as_deref().unwrap_or(&[]) {
            let oid = e.extn_id.to_string();
            if oid == "2.5.29.35" {
                let aki =
                    x509_cert::ext::pkix::AuthorityKeyIdentifier::from_der(e.extn_value.as_bytes())
                        .map_err(|_| Error::Malformed("CRL authority key identifier"))?;
                authority_key_id = aki.key_identifier.map(|k| k.as_bytes().to_vec());
            } else if e.critical && !KNOWN_CRL_EXTENSIONS.contains(&oid.as_str()) {
                unknown_critical = true;
            }
        }
        Ok(Crl {
            tbs,
            signature_algorithm,
            signature,
            issuer,
            this_update: unix(&t.this_update),
            next_update: t.next_update.as_ref().map(unix),
            revoked,
            authority_key_id,
            unknown_critical,
            der: der.to_vec(),
        })
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The issuer.
    pub fn issuer(&self) -> &DistinguishedName {
        &self.issuer
    }

    /// thisUpdate, seconds since the epoch.
    pub fn this_update(&self) -> i64 {
        self.this_update
    }

    /// nextUpdate, seconds since the epoch.
    pub fn next_update(&self) -> Option<i64> {
        self.next_update
    }

    /// Number of revoked entries.
    pub fn revoked_count(&self) -> usize {
        self.revoked.len()
    }

    /// The authority key identifier, if the CRL has one.
    pub fn authority_key_id(&self) -> Option<&[u8]> {
        self.authority_key_id.as_deref()
    }

    /// The revocation date of `serial` (INTEGER content bytes), if it is listed.
    pub fn revocation_date(&self, serial: &[u8]) -> Option<i64> {
        let s = strip(serial);
        self.revoked
            .binary_search_by(|(k, _)| k.as_slice().cmp(s))
            .ok()
            .and_then(|i| self.revoked.get(i))
            .map(|(_, d)| *d)
    }

    /// True when the CRL is current at `now`: thisUpdate ≤ now < nextUpdate (a CRL without
    /// nextUpdate is current from thisUpdate on).
    pub fn is_current(&self, now: i64) -> bool {
        self.this_update <= now && self.next_update.is_none_or(|n| now < n)
    }

    /// False when the CRL carries a critical extension this crate does not process (partitioned
    /// or delta CRLs); such a CRL is never used to accept a certificate.
    pub fn usable(&self) -> bool {
        !self.unknown_critical
    }

    /// Checks the CRL's signature with the issuer's key.
    pub fn verify_signed_by(
        &self,
        provider: &CryptoProvider,
        issuer: &PublicKey,
    ) -> Result<(), SignatureError> {
        verify_signature(
            provider,
            issuer,
            &self.signature_algorithm,
            &self.der[self.tbs.clone()],
            &self.signature,
        )
    }

    /// The signature algorithm.
    pub fn signature_algorithm(&self) -> &AlgorithmId {
        &self.signature_algorithm
    }

    /// The name of the signature algorithm as `cert_mgr show` prints it.
    pub fn signature_algorithm_name(&self) -> &str {
        alg::signature_name(&self.signature_algorithm.oid)
    }
}
