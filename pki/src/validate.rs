//! Certificate validation at a given time: chain building to a trusted CA, validity periods,
//! key usage, CRL handling (lsp.md §7.8), and the statuses of `cert_mgr check` (product.md §4).
//!
//! ## Path building
//! From the certificate up: issuer candidates are store certificates (trusted, partner,
//! intermediate, local) and the extra certificates the caller passes (a peer's CERT payloads)
//! whose subject equals the issuer name — and whose subjectKeyIdentifier equals the
//! authorityKeyIdentifier when both are present. Trusted candidates are tried first; the search
//! is depth-first, at most [`Policy::max_depth`] certificates deep (capped at [`MAX_DEPTH`])
//! and at most [`MAX_SIGNATURE_CHECKS`] signature verifications in total, so hostile bundles
//! with many same-named certificates cannot make it exponential.
//!
//! Every issuer on the path must be valid at `now`, be a CA (basicConstraints cA; a v1
//! certificate only as a trust anchor), allow keyCertSign when it has a key usage extension,
//! and respect pathLenConstraint. The trust anchor's own signature is not checked (it is
//! trusted by configuration); it must be valid at `now`. Policy processing (certificate
//! policies, policy constraints) and name constraints are not implemented: a certificate with a
//! critical `nameConstraints` extension is rejected as invalid (an unknown critical extension).
//!
//! ## CRLs ([`CrlMode`], lsp.md §7.8)
//! For each certificate on the path below the anchor, the CRL of its issuer is the store CRL
//! (or, in BEST_EFFORT, a fetched one) with the issuer's name, signed by the issuer's key (which
//! must allow cRLSign when it has a key usage extension), current at `now`; the newest wins.
//! * `Disable`: CRLs are not consulted.
//! * `Enable`: every such certificate needs a current CRL; none → [`ChainError::CrlMissing`]
//!   (`Certificate can not be verified`).
//! * `Optional`: a current CRL is used when present; absence is accepted.
//! * `BestEffort`: like `Optional`, but a missing or stale CRL is first asked of the host's
//!   [`CrlFetcher`] (the CRL distribution points are passed; sans-IO: the host does LDAP/HTTP).
//!   Fetched CRLs that verify are returned in [`ValidatedChain::fetched_crls`] for the host to
//!   store; a failed fetch is accepted.
//!
//! A certificate listed on a CRL that applies always fails with [`ValidationError::Revoked`].
//!
//! ## Revocation of a live peer (mGuard behaviour)
//! Validation is a pure function of (certificate, store, time, policy). The IKE layer runs it
//! when phase 1 authenticates the peer — at the first negotiation and again at every phase-1
//! rekey ([`ValidatedChain::revalidate`] re-runs it on the same chain). An established SA is
//! never re-checked: when a CRL revoking the peer arrives, the tunnel stays up until its SAs
//! expire, and the rekey then fails with `Revoked`.
//!
//! This module must not do I/O or read a clock: time and CRLs come from the caller.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use zubr_base::UnixTime;
use zubr_crypto_stb::CryptoProvider;

use crate::cert::{Certificate, GeneralName, SignatureError, key_usage};
use crate::crl::Crl;
use crate::name::DistinguishedName;
use crate::store::{Entry, KeyContainers, KeyRef, Role, Store};

/// Hard cap on the chain length (certificates including the leaf and the anchor).
pub const MAX_DEPTH: usize = 8;
/// Most signature verifications one validation may run.
pub const MAX_SIGNATURE_CHECKS: usize = 32;

/// `CRLHandlingMode` (lsp.md §7.8; module docs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum CrlMode {
    /// CRLs are never consulted.
    Disable,
    /// Every certificate needs a current CRL from its issuer.
    Enable,
    /// Local CRLs are used when present and current.
    Optional,
    /// Like `Optional`, and missing CRLs are fetched through the host.
    #[default]
    BestEffort,
}

/// What the certificate is validated for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// No end-entity key usage requirement (`cert_mgr check`).
    Any,
    /// IKE signature authentication: the end entity must allow digitalSignature (when it has a
    /// key usage extension).
    IkeSignature,
}

/// Validation settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// CRL handling.
    pub crl_mode: CrlMode,
    /// Longest chain accepted, leaf and anchor included (at most [`MAX_DEPTH`]).
    pub max_depth: usize,
    /// End-entity requirement.
    pub purpose: Purpose,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            crl_mode: CrlMode::default(),
            max_depth: MAX_DEPTH,
            purpose: Purpose::Any,
        }
    }
}

impl Policy {
    /// The policy IKE uses for a peer certificate with the LSP's `CRLHandlingMode`.
    pub fn ike(crl_mode: CrlMode) -> Self {
        Policy {
            crl_mode,
            max_depth: MAX_DEPTH,
            purpose: Purpose::IkeSignature,
        }
    }
}

/// Fetches CRLs for BEST_EFFORT (a host callback: LDAP/HTTP are the host's business).
pub trait CrlFetcher {
    /// Returns the DER (or PEM) of a CRL for `issuer`, given the certificate's CRL distribution
    /// points; `None` when it cannot be had.
    fn fetch(&mut self, issuer: &DistinguishedName, points: &[GeneralName]) -> Option<Vec<u8>>;
}

/// Why no acceptable chain was found (all map to `Certificate can not be verified`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainError {
    /// No certificate in the store or the extras has the issuer's name.
    IssuerNotFound,
    /// Issuers exist but none signed the certificate.
    BadSignature,
    /// The signature algorithm is not supported by the provider.
    UnsupportedAlgorithm,
    /// An issuer is not a CA or does not allow keyCertSign.
    IssuerNotCa,
    /// An issuer is expired or not yet valid.
    IssuerNotValid,
    /// pathLenConstraint violated.
    PathLength,
    /// The chain would be longer than the policy allows, or too many signatures were tried.
    TooDeep,
    /// An issuer has a format problem.
    IssuerInvalid,
    /// CRL mode ENABLE and no current CRL of this issuer (depth in the chain: 0 = leaf).
    CrlMissing(usize),
}

/// Why a certificate is not acceptable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValidationError {
    /// Format problem (`Certificate is invalid`); names it.
    Invalid(&'static str),
    /// notAfter is in the past.
    Expired,
    /// notBefore is in the future.
    NotValidYet,
    /// Listed on a CRL of its issuer (`depth` 0 = the certificate itself, 1 = its CA, …).
    Revoked {
        /// Position in the chain of the revoked certificate.
        depth: usize,
        /// Revocation date, seconds since the epoch.
        date: i64,
    },
    /// No acceptable chain to a trusted CA.
    CannotBeVerified(ChainError),
}

impl From<ValidationError> for Reason {
    fn from(e: ValidationError) -> Reason {
        match e {
            ValidationError::Invalid(_) => Reason::Invalid,
            ValidationError::Expired => Reason::Expired,
            ValidationError::NotValidYet => Reason::NotValidYet,
            ValidationError::Revoked { .. } => Reason::Revoked,
            ValidationError::CannotBeVerified(_) => Reason::CannotBeVerified,
        }
    }
}

/// The reasons `cert_mgr check` prints for an inactive object (product.md §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reason {
    /// `Certificate is invalid`.
    Invalid,
    /// `Certificate is expired`.
    Expired,
    /// `Certificate is not valid yet`.
    NotValidYet,
    /// `Certificate is revoked`.
    Revoked,
    /// `Certificate can not be verified`.
    CannotBeVerified,
    /// `Private key container is not accessible`.
    ContainerNotAccessible,
    /// `Private key is not accessible`.
    KeyNotAccessible,
    /// `Private key is not consistent certificate`.
    KeyNotConsistent,
    /// `It is certificate request`.
    CertificateRequest,
}

impl Reason {
    /// The product's text (without the final full stop `cert_mgr check` adds).
    pub fn message(self) -> &'static str {
        match self {
            Reason::Invalid => "Certificate is invalid",
            Reason::Expired => "Certificate is expired",
            Reason::NotValidYet => "Certificate is not valid yet",
            Reason::Revoked => "Certificate is revoked",
            Reason::CannotBeVerified => "Certificate can not be verified",
            Reason::ContainerNotAccessible => "Private key container is not accessible",
            Reason::KeyNotAccessible => "Private key is not accessible",
            Reason::KeyNotConsistent => "Private key is not consistent certificate",
            Reason::CertificateRequest => "It is certificate request",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// `cert_mgr check`'s verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// `State: Active`.
    Active,
    /// `State: Inactive` and why.
    Inactive(Reason),
}

/// How a certificate's revocation was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrlStatus {
    /// CRLs not consulted (DISABLE, or the trust anchor).
    NotChecked,
    /// A current CRL of the issuer does not list it.
    Good,
    /// No current CRL; accepted by the mode (OPTIONAL / BEST_EFFORT).
    Unknown,
}

/// An accepted chain.
#[derive(Clone, Debug)]
pub struct ValidatedChain {
    /// Leaf first, trust anchor last.
    pub chain: Vec<Certificate>,
    /// Revocation status of each certificate of `chain`.
    pub crl_status: Vec<CrlStatus>,
    /// CRLs fetched (BEST_EFFORT) that verified: the host may store them.
    pub fetched_crls: Vec<Crl>,
    /// The policy it was validated with.
    pub policy: Policy,
}

impl ValidatedChain {
    /// The end-entity certificate.
    pub fn leaf(&self) -> &Certificate {
        // `chain` always has the leaf
        &self.chain[0]
    }

    /// Runs the validation again (a phase-1 rekey) on the same leaf with the same
    /// intermediates, against the store as it is now.
    pub fn revalidate(
        &self,
        provider: &CryptoProvider,
        store: &Store,
        now: UnixTime,
        fetcher: Option<&mut dyn CrlFetcher>,
    ) -> Result<ValidatedChain, ValidationError> {
        let extras = self.chain.get(1..).unwrap_or(&[]);
        validate(
            provider,
            store,
            self.leaf(),
            extras,
            now,
            &self.policy,
            fetcher,
        )
    }
}

/// `now` inside the validity period?
fn time_check(cert: &Certificate, now: i64) -> Result<(), ValidationError> {
    if now < cert.not_before() {
        Err(ValidationError::NotValidYet)
    } else if now > cert.not_after() {
        Err(ValidationError::Expired)
    } else {
        Ok(())
    }
}

struct Search<'a> {
    provider: &'a CryptoProvider,
    /// (certificate, trusted?)
    pool: Vec<(&'a Certificate, bool)>,
    now: i64,
    max_depth: usize,
    checks: usize,
    worst: ChainError,
}

impl<'a> Search<'a> {
    fn note(&mut self, e: ChainError) {
        // keep the most specific error seen
        let rank = |e: ChainError| match e {
            ChainError::IssuerNotFound => 0,
            ChainError::TooDeep => 1,
            ChainError::BadSignature => 2,
            ChainError::UnsupportedAlgorithm => 3,
            _ => 4,
        };
        if rank(e) >= rank(self.worst) {
            self.worst = e;
        }
    }

    /// Extends `path` (last element = the certificate whose issuer is sought) to an anchor.
    fn extend(&mut self, path: &mut Vec<&'a Certificate>) -> bool {
        let Some(&child) = path.last() else {
            return false;
        };
        let mut candidates: Vec<(&'a Certificate, bool)> = self
            .pool
            .iter()
            .copied()
            .filter(|(c, _)| {
                c.subject().matches(child.issuer())
                    && match (
                        &child.extensions().authority_key_id,
                        &c.extensions().subject_key_id,
                    ) {
                        (Some(a), Some(s)) => a == s,
                        _ => true,
                    }
            })
            .collect();
        candidates.sort_by_key(|(_, trusted)| !trusted);
        if candidates.is_empty() {
            self.note(ChainError::IssuerNotFound);
            return false;
        }
        for (cand, trusted) in candidates {
            if path.contains(&cand) {
                continue;
            }
            if path.len() >= self.max_depth || self.checks >= MAX_SIGNATURE_CHECKS {
                self.note(ChainError::TooDeep);
                return false;
            }
            // issuer requirements
            if cand.format_problem().is_some() {
                self.note(ChainError::IssuerInvalid);
                continue;
            }
            if time_check(cand, self.now).is_err() {
                self.note(ChainError::IssuerNotValid);
                continue;
            }
            let v1_anchor = trusted && cand.version() < 3;
            if !(cand.is_ca() || v1_anchor) || !cand.allows(key_usage::KEY_CERT_SIGN) {
                self.note(ChainError::IssuerNotCa);
                continue;
            }
            // pathLenConstraint: number of non-self-issued intermediates below `cand`
            if let Some((_, Some(max))) = cand.extensions().basic_constraints {
                let below = path.iter().skip(1).filter(|c| !c.is_self_issued()).count();
                if below > usize::from(max) {
                    self.note(ChainError::PathLength);
                    continue;
                }
            }
            self.checks += 1;
            match child.verify_signed_by(self.provider, cand.public_key()) {
                Ok(()) => {}
                Err(SignatureError::UnsupportedAlgorithm) => {
                    self.note(ChainError::UnsupportedAlgorithm);
                    continue;
                }
                Err(_) => {
                    self.note(ChainError::BadSignature);
                    continue;
                }
            }
            path.push(cand);
            if trusted || self.extend(path) {
                return true;
            }
            path.pop();
        }
        false
    }
}

/// Finds the issuer's current CRL among `crls` (newest thisUpdate wins).
fn find_crl<'c>(
    provider: &CryptoProvider,
    crls: impl Iterator<Item = &'c Crl>,
    issuer: &Certificate,
    now: i64,
) -> Option<&'c Crl> {
    if !issuer.allows(key_usage::CRL_SIGN) {
        return None;
    }
    crls.filter(|c| {
        c.usable()
            && c.issuer().matches(issuer.subject())
            && c.is_current(now)
            && match (c.authority_key_id(), &issuer.extensions().subject_key_id) {
                (Some(a), Some(s)) => a == s.as_slice(),
                _ => true,
            }
    })
    .filter(|c| c.verify_signed_by(provider, issuer.public_key()).is_ok())
    .max_by_key(|c| c.this_update())
}

/// Validates `cert` at `now` (module docs). `extras` are untrusted certificates that may serve
/// as intermediates (a peer's CERT payloads); trust comes only from the store's trusted CAs.
pub fn validate(
    provider: &CryptoProvider,
    store: &Store,
    cert: &Certificate,
    extras: &[Certificate],
    now: UnixTime,
    policy: &Policy,
    mut fetcher: Option<&mut dyn CrlFetcher>,
) -> Result<ValidatedChain, ValidationError> {
    let now = now.as_secs();
    if let Some(p) = cert.format_problem() {
        return Err(ValidationError::Invalid(p));
    }
    time_check(cert, now)?;
    if policy.purpose == Purpose::IkeSignature && !cert.allows(key_usage::DIGITAL_SIGNATURE) {
        return Err(ValidationError::Invalid(
            "key usage does not allow digitalSignature",
        ));
    }
    // the certificate is itself a trust anchor
    if store.trusted().any(|t| t == cert) {
        return Ok(ValidatedChain {
            chain: alloc::vec![cert.clone()],
            crl_status: alloc::vec![CrlStatus::NotChecked],
            fetched_crls: Vec::new(),
            policy: *policy,
        });
    }
    let mut pool: Vec<(&Certificate, bool)> = store
        .entries()
        .filter_map(|e| match e {
            Entry::Certificate { cert: c, role, .. } => Some((c, *role == Role::Trusted)),
            _ => None,
        })
        .collect();
    pool.extend(extras.iter().take(MAX_SIGNATURE_CHECKS).map(|c| (c, false)));
    let mut search = Search {
        provider,
        pool,
        now,
        max_depth: policy.max_depth.clamp(1, MAX_DEPTH),
        checks: 0,
        worst: ChainError::IssuerNotFound,
    };
    let mut path = alloc::vec![cert];
    if !search.extend(&mut path) {
        return Err(ValidationError::CannotBeVerified(search.worst));
    }

    // revocation, leaf first
    let mut crl_status = alloc::vec![CrlStatus::NotChecked; path.len()];
    let mut fetched: Vec<Crl> = Vec::new();
    if policy.crl_mode != CrlMode::Disable {
        for depth in 0..path.len() - 1 {
            let (subject, issuer) = (path[depth], path[depth + 1]);
            let mut crl =
                find_crl(provider, store.crls().chain(fetched.iter()), issuer, now).cloned();
            if crl.is_none()
                && policy.crl_mode == CrlMode::BestEffort
                && let Some(f) = fetcher.as_deref_mut()
                && let Some(bytes) = f.fetch(
                    issuer.subject(),
                    &subject.extensions().crl_distribution_points,
                )
                && let Ok(objs) = crate::parse::parse(provider, &bytes, None)
            {
                for o in objs {
                    if let crate::parse::Object::Crl(c) = o {
                        fetched.push(c);
                    }
                }
                crl = find_crl(provider, fetched.iter(), issuer, now).cloned();
            }
            match crl {
                Some(c) => {
                    if let Some(date) = c.revocation_date(subject.serial()) {
                        return Err(ValidationError::Revoked { depth, date });
                    }
                    crl_status[depth] = CrlStatus::Good;
                }
                None if policy.crl_mode == CrlMode::Enable => {
                    return Err(ValidationError::CannotBeVerified(ChainError::CrlMissing(
                        depth,
                    )));
                }
                None => crl_status[depth] = CrlStatus::Unknown,
            }
        }
    }
    fetched.retain(|f| path.iter().any(|p| f.issuer().matches(p.subject())));
    Ok(ValidatedChain {
        chain: path.into_iter().cloned().collect(),
        crl_status,
        fetched_crls: fetched,
        policy: *policy,
    })
}

/// The `cert_mgr check` status of store object `index` (1-based, as `cert_mgr` numbers them;
/// CRL indices report on the CRL: Active when its issuer is in the store and signed it and it
/// is current, else `Certificate can not be verified`/`is expired`).
///
/// Order of checks: request → format → validity period → (local certificates) private key
/// container, key, consistency → chain to a trusted CA and revocation.
pub fn check(
    provider: &CryptoProvider,
    store: &Store,
    index: usize,
    now: UnixTime,
    crl_mode: CrlMode,
    containers: &dyn KeyContainers,
) -> Option<Status> {
    let inactive = |r: Reason| Some(Status::Inactive(r));
    if let Some(crl) = store.crl_at(index) {
        let t = now.as_secs();
        let issuer_ok = store.entries().any(|e| {
            matches!(e, Entry::Certificate { cert, .. }
                if crl.issuer().matches(cert.subject())
                    && crl.verify_signed_by(provider, cert.public_key()).is_ok())
        });
        return if !crl.usable() {
            inactive(Reason::Invalid)
        } else if t < crl.this_update() {
            inactive(Reason::NotValidYet)
        } else if !crl.is_current(t) {
            inactive(Reason::Expired)
        } else if !issuer_ok {
            inactive(Reason::CannotBeVerified)
        } else {
            Some(Status::Active)
        };
    }
    let entry = store.entry(index)?;
    let (cert, role, key) = match entry {
        Entry::Request(_) => return inactive(Reason::CertificateRequest),
        Entry::Invalid { .. } => return inactive(Reason::Invalid),
        Entry::Certificate { cert, role, key } => (cert, *role, key),
    };
    if cert.format_problem().is_some() {
        return inactive(Reason::Invalid);
    }
    if let Err(e) = time_check(cert, now.as_secs()) {
        return inactive(e.into());
    }
    if role == Role::Local {
        let signer: Result<Box<dyn zubr_crypto_stb::provider::SigningKey>, Reason> = match key {
            None => Err(Reason::ContainerNotAccessible),
            Some(KeyRef::Software(k)) => k
                .signing_key(crate::key::KeyUse::Certificate)
                .map_err(|_| Reason::KeyNotAccessible),
            Some(KeyRef::Container(name)) => containers.open(name).map_err(|e| match e {
                crate::store::KeyAccess::ContainerNotAccessible => Reason::ContainerNotAccessible,
                crate::store::KeyAccess::KeyNotAccessible => Reason::KeyNotAccessible,
            }),
            Some(KeyRef::Missing) => Err(Reason::ContainerNotAccessible),
            Some(KeyRef::Unreadable(_)) => Err(Reason::KeyNotAccessible),
        };
        match signer {
            Err(r) => return inactive(r),
            Ok(s) if !cert.public_key().same_key(&s.public_key()) => {
                return inactive(Reason::KeyNotConsistent);
            }
            Ok(_) => {}
        }
    }
    if role == Role::Trusted {
        // a self-signed anchor must carry a valid self-signature
        if cert.is_self_issued() && cert.verify_signed_by(provider, cert.public_key()).is_err() {
            return inactive(Reason::Invalid);
        }
        return Some(Status::Active);
    }
    let policy = Policy {
        crl_mode,
        ..Policy::default()
    };
    match validate(provider, store, cert, &[], now, &policy, None) {
        Ok(_) => Some(Status::Active),
        Err(e) => inactive(e.into()),
    }
}
