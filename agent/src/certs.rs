//! Certificate authentication for the agent: the bridge between `zubr-ike`'s
//! [`CertificateValidator`] and the `zubr-pki` [`Store`], and the mapping of an LSP
//! `AuthMethodDSSign` (lsp.md §5.2) to IKE signature authentication. IKE does not parse
//! certificates and PKI does not know IKE, so the agent joins them.
//!
//! The host hands the agent its store through [`KeyStore::certificates`](crate::KeyStore) as a
//! [`SharedStore`]: a fixed [`Store`], or (with `std`) a `std::sync::RwLock<Store>` the host may
//! update while IKE runs (new CRLs): every phase-1 exchange validates against the store as it is
//! then, so a peer revoked after its tunnel came up keeps the tunnel until the next phase 1.
//!
//! [`StoreValidator`] validates the peer's CERT payloads (trusted CAs, intermediates, partner
//! certificates, CRLs, the policy's `CRLHandlingMode`), applies `RemoteCredential`, hands IKE the
//! end-entity key, scheme, subject and subjectAltNames, names the trusted CAs for CERTREQ and
//! checks ID_DER_ASN1_DN identities by DN comparison (RFC 4518-style folding).
//! [`signature_auth`] picks the local certificate `LocalCredential` describes (exactly one local
//! certificate of the store with its private key) and builds ike's [`SignatureAuth`].
//!
//! Must not: trust a certificate the peer sent unless it chains to a trusted CA of the store,
//! accept a peer key whose algorithm does not match the negotiated method (IKE checks the
//! scheme), or print key material.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use zubr_base::UnixTime;
use zubr_crypto_stb::CryptoProvider;
use zubr_ike::config::{
    AltName, AuthMethod, CertError, CertificateValidator, Identity, PeerCertificate, SendCert,
    SignatureAuth, identity_matches_certificate,
};
use zubr_pki::store::{KeyAccess, NoContainers};
use zubr_pki::validate::{self, Policy, ValidationError};
use zubr_pki::{
    CertSelector, Certificate, CrlMode, DistinguishedName, GeneralName, KeyUse, Role, Store,
};

/// Most CERT payloads of one exchange looked at.
const MAX_PEER_CERTS: usize = 8;

/// Read access to the host's certificate store, shared with the IKE engine.
pub trait SharedStore: Send + Sync {
    /// Calls `f` with the store as it is now.
    fn read(&self, f: &mut dyn FnMut(&Store));
}

impl SharedStore for Store {
    fn read(&self, f: &mut dyn FnMut(&Store)) {
        f(self)
    }
}

#[cfg(feature = "std")]
extern crate std;

#[cfg(feature = "std")]
impl SharedStore for std::sync::RwLock<Store> {
    fn read(&self, f: &mut dyn FnMut(&Store)) {
        // a writer that panicked leaves the store as it was last written
        match self.read() {
            Ok(g) => f(&g),
            Err(p) => f(&p.into_inner()),
        }
    }
}

/// `f` over the store; `None` when the implementation did not call back.
fn with_store<T>(s: &dyn SharedStore, f: impl FnOnce(&Store) -> T) -> Option<T> {
    let mut f = Some(f);
    let mut out = None;
    s.read(&mut |st| {
        if let Some(f) = f.take() {
            out = Some(f(st));
        }
    });
    out
}

/// A [`CertificateValidator`] over a [`SharedStore`].
pub struct StoreValidator {
    /// The store (trusted CAs, partner and intermediate certificates, CRLs).
    pub store: Arc<dyn SharedStore>,
    /// `CRLHandlingMode`.
    pub crl_mode: CrlMode,
    /// `RemoteCredential`: acceptable peer certificates (empty = any that chains to a trusted
    /// CA).
    pub accept: Vec<CertSelector>,
    /// The provider that verifies certificate signatures.
    pub provider: CryptoProvider,
}

impl StoreValidator {
    /// A validator over `store` accepting any peer certificate that chains to a trusted CA.
    pub fn new(provider: CryptoProvider, store: Arc<dyn SharedStore>, crl_mode: CrlMode) -> Self {
        StoreValidator {
            store,
            crl_mode,
            accept: Vec::new(),
            provider,
        }
    }
}

fn to_pki_identity(id: &Identity) -> zubr_pki::Identity {
    match id {
        Identity::Ipv4(a) => zubr_pki::Identity::Ipv4(a.octets()),
        Identity::Fqdn(s) => zubr_pki::Identity::Fqdn(s.clone()),
        Identity::UserFqdn(s) => zubr_pki::Identity::UserFqdn(s.clone()),
        Identity::DerAsn1Dn(d) => zubr_pki::Identity::DerAsn1Dn(d.clone()),
        Identity::KeyId(k) => zubr_pki::Identity::KeyId(k.clone()),
    }
}

fn cert_error(e: ValidationError) -> CertError {
    match e {
        ValidationError::Invalid(_) => CertError::Invalid,
        ValidationError::Expired => CertError::Expired,
        ValidationError::NotValidYet => CertError::NotYetValid,
        ValidationError::Revoked { .. } => CertError::Revoked,
        ValidationError::CannotBeVerified(_) => CertError::Untrusted,
    }
}

/// What IKE needs of a validated end-entity certificate.
fn peer_certificate(leaf: &Certificate) -> Result<PeerCertificate, CertError> {
    let scheme = zubr_pki::alg::ike_scheme(leaf.public_key()).ok_or(CertError::UnsupportedKey)?;
    let alt_names = leaf
        .extensions()
        .subject_alt_names
        .iter()
        .filter_map(|g| match g {
            GeneralName::Dns(d) => Some(AltName::Dns(d.clone())),
            GeneralName::Email(e) => Some(AltName::Email(e.clone())),
            GeneralName::Ip(ip) => <[u8; 4]>::try_from(ip.as_slice())
                .ok()
                .map(|o| AltName::Ip(o.into())),
            _ => None,
        })
        .collect();
    Ok(PeerCertificate {
        public_key: leaf.public_key().key.clone(),
        scheme,
        subject: leaf.subject().der().to_vec(),
        alt_names,
    })
}

impl CertificateValidator for StoreValidator {
    fn validate(
        &self,
        certs: &[&[u8]],
        peer_id: Option<&Identity>,
        at: UnixTime,
    ) -> Result<PeerCertificate, CertError> {
        let sent: Vec<Certificate> = certs
            .iter()
            .take(MAX_PEER_CERTS)
            .filter_map(|d| Certificate::from_der(d).ok())
            .collect();
        if sent.is_empty() && !certs.is_empty() {
            return Err(CertError::Invalid);
        }
        let id = peer_id.map(to_pki_identity);
        let bound = |c: &Certificate| id.as_ref().is_none_or(|i| i.bound_to(c).is_ok());
        with_store(&*self.store, |store| {
            // the end entity: the sent certificate the peer's ID names (else the first non-CA
            // one), or, when none was sent, a partner certificate of the store bound to the ID
            let leaf = if sent.is_empty() {
                let id = id.as_ref().ok_or(CertError::NoCertificate)?;
                store
                    .certs_with(Role::Remote)
                    .find(|c| id.bound_to(c).is_ok())
                    .cloned()
                    .ok_or(CertError::NoCertificate)?
            } else {
                sent.iter()
                    .find(|c| !c.is_ca() && bound(c))
                    .or_else(|| sent.iter().find(|c| !c.is_ca()))
                    .or(sent.first())
                    .cloned()
                    .ok_or(CertError::NoCertificate)?
            };
            let chain = validate::validate(
                &self.provider,
                store,
                &leaf,
                &sent,
                at,
                &Policy::ike(self.crl_mode),
                None,
            )
            .map_err(cert_error)?;
            if !self.accept.is_empty() && !self.accept.iter().any(|s| s.matches(chain.leaf())) {
                return Err(CertError::NotAcceptable);
            }
            peer_certificate(chain.leaf())
        })
        .unwrap_or(Err(CertError::Invalid))
    }

    fn authorities(&self) -> Vec<Vec<u8>> {
        with_store(&*self.store, |s| {
            s.trusted_subjects().map(|n| n.der().to_vec()).collect()
        })
        .unwrap_or_default()
    }

    fn identity_matches(&self, cert: &PeerCertificate, id: &Identity) -> bool {
        match id {
            Identity::DerAsn1Dn(d) => {
                match (
                    DistinguishedName::from_der(d),
                    DistinguishedName::from_der(&cert.subject),
                ) {
                    (Ok(a), Ok(b)) => a.matches(&b),
                    _ => false,
                }
            }
            other => identity_matches_certificate(cert, other),
        }
    }
}

/// What an `AuthMethodDSSign` asks of the store and the engine.
pub struct SignatureRequest<'a> {
    /// `LocalCredential`.
    pub local: &'a CertSelector,
    /// `RemoteCredential` (empty = any chaining to a trusted CA).
    pub remote: Vec<CertSelector>,
    /// `CRLHandlingMode`.
    pub crl_mode: CrlMode,
    /// `SendCertMode`.
    pub send_cert: SendCert,
    /// `SendRequestMode`: `Some(b)` for ALWAYS/NEVER, `None` for AUTO (CERTREQ only when the
    /// store holds no partner certificate `RemoteCredential` matches).
    pub send_request: Option<bool>,
}

/// Builds ike's signature authentication from the store: the one local certificate
/// `req.local` matches, with its private key (software keys; token containers are not opened
/// here), sent with the issuers the store holds below a trusted CA. Errors name the reason the
/// way `cert_mgr check` does.
pub fn signature_auth(
    provider: &CryptoProvider,
    store: &Arc<dyn SharedStore>,
    req: SignatureRequest<'_>,
) -> Result<AuthMethod, String> {
    let (signer, chain, subject, send_certreq) = with_store(&**store, |s| -> Result<_, String> {
        let found = s.find_local(req.local);
        let index = match found.as_slice() {
            [i] => *i,
            [] => return Err(String::from("no local certificate matches LocalCredential")),
            _ => {
                return Err(format!(
                    "{} local certificates match LocalCredential",
                    found.len()
                ));
            }
        };
        let (cert, _) = s
            .certificate(index)
            .ok_or_else(|| String::from("local certificate vanished"))?;
        let signer: Box<dyn zubr_crypto_stb::provider::SigningKey> = s
            .signing_key(index, KeyUse::Ike, &NoContainers)
            .map_err(|e| {
                format!(
                    "local certificate {index}: {}",
                    match e {
                        KeyAccess::ContainerNotAccessible =>
                            "Private key container is not accessible",
                        KeyAccess::KeyNotAccessible => "Private key is not accessible",
                    }
                )
            })?;
        let mut chain = vec![cert.der().to_vec()];
        chain.extend(s.issuer_chain(cert).iter().map(|c| c.der().to_vec()));
        let send_certreq = req.send_request.unwrap_or_else(|| {
            req.remote.is_empty()
                || !s
                    .certs_with(Role::Remote)
                    .any(|c| req.remote.iter().any(|r| r.matches(c)))
        });
        Ok((signer, chain, cert.subject().der().to_vec(), send_certreq))
    })
    .ok_or_else(|| String::from("the certificate store is not readable"))??;
    let validator = StoreValidator {
        store: store.clone(),
        crl_mode: req.crl_mode,
        accept: req.remote,
        provider: *provider,
    };
    let mut auth = SignatureAuth::new(provider, Arc::from(signer), chain, Arc::new(validator))
        .map_err(|e| format!("{e}"))?;
    auth.subject = Some(subject);
    auth.send_cert = req.send_cert;
    auth.send_certreq = send_certreq;
    Ok(AuthMethod::Signature(auth))
}
