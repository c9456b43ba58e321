//! The certificate and key store (`cert_mgr`, `key_mgr`): local certificates with their private
//! keys, trusted CAs, partner and intermediate certificates, certificate requests, CRLs, and
//! pre-shared keys by name.
//!
//! Numbering (as `cert_mgr show` prints it): certificate-like objects (certificates, requests,
//! objects that no longer parse) first, in import order, numbered from 1; then CRLs. Removing an
//! object renumbers the ones after it.
//!
//! Private keys of local certificates are held as a [`KeyRef`]: a software key kept by the store,
//! or the name of a container a host opens through [`KeyContainers`] (a token: the key never
//! leaves it; its `SigningKey` implementation signs). The in-memory [`Store`] is the `no_std`
//! form; with `std`, `crate::dirstore` saves it to and loads it from a directory.
//!
//! This module must not print or compare key material other than through the provider and
//! `subtle`; PSK values are zeroized on drop.

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use zeroize::Zeroizing;

use zubr_crypto_stb::provider::SigningKey;

use crate::cert::{CertRequest, Certificate};
use crate::crl::Crl;
use crate::key::{KeyUse, PrivateKey};
use crate::matching::CertSelector;
use crate::name::DistinguishedName;
use crate::parse::Object;

/// Most objects (certificates, requests, CRLs) a store holds.
pub const MAX_STORE_OBJECTS: usize = 4096;
/// Most pre-shared keys.
pub const MAX_PSKS: usize = 1024;
/// Longest pre-shared key, in bytes.
pub const MAX_PSK_LEN: usize = 64 * 1024;
/// Longest PSK name (the product's limit on names is 500 characters for files; keys use the
/// same bound).
pub const MAX_PSK_NAME: usize = 500;

/// What a certificate is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Our certificate, with a private key.
    Local,
    /// A trusted CA (trust anchor).
    Trusted,
    /// A partner certificate or intermediate CA.
    Remote,
}

impl Role {
    /// The word `cert_mgr show` prints after `Status:`.
    pub fn status_word(self) -> &'static str {
        match self {
            Role::Local => "local",
            Role::Trusted => "trusted",
            Role::Remote => "remote",
        }
    }
}

/// Where the private key of a local certificate is.
pub enum KeyRef {
    /// A software key kept by the store.
    Software(PrivateKey),
    /// A named container (token) the host opens through [`KeyContainers`].
    Container(String),
    /// A software key whose container (file) is gone.
    Missing,
    /// A software key whose container exists but does not yield a key (its bytes, kept).
    Unreadable(Zeroizing<Vec<u8>>),
}

impl fmt::Debug for KeyRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyRef::Software(k) => write!(f, "Software({:?})", k.kind()),
            KeyRef::Container(n) => write!(f, "Container({n})"),
            KeyRef::Missing => f.write_str("Missing"),
            KeyRef::Unreadable(_) => f.write_str("Unreadable(..)"),
        }
    }
}

/// Why a key container did not give a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyAccess {
    /// `Private key container is not accessible` (token absent, file gone, PIN refused).
    ContainerNotAccessible,
    /// `Private key is not accessible` (container open, key missing or unusable).
    KeyNotAccessible,
}

/// Opens named key containers (tokens). A host implements it; the key is used through the
/// provider's [`SigningKey`] trait and never leaves the token.
pub trait KeyContainers {
    /// Opens the container `name` and returns its signing key.
    fn open(&self, name: &str) -> Result<Box<dyn SigningKey>, KeyAccess>;
}

/// A host without tokens: every container is inaccessible.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoContainers;

impl KeyContainers for NoContainers {
    fn open(&self, _name: &str) -> Result<Box<dyn SigningKey>, KeyAccess> {
        Err(KeyAccess::ContainerNotAccessible)
    }
}

/// A certificate-like store object.
#[allow(clippy::large_enum_variant)] // most entries are certificates
#[derive(Debug)]
pub enum Entry {
    /// A certificate.
    Certificate {
        /// The certificate.
        cert: Certificate,
        /// Its role.
        role: Role,
        /// The private key (local certificates).
        key: Option<KeyRef>,
    },
    /// A certificate request.
    Request(CertRequest),
    /// A stored object that no longer parses (`Certificate is invalid`).
    Invalid {
        /// The bytes as stored.
        data: Vec<u8>,
        /// The role it was stored with.
        role: Role,
    },
}

/// Errors of store operations, with the product's messages (Bel VPN Client guide, table
/// 13.35.1 and 13.35.8) as `Display`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreError {
    /// `User Error: Unable remove. Base is empty`.
    Empty,
    /// `User Error: Object index INDEX exceeds number of certificates and CRLs in base`.
    IndexOutOfRange(usize),
    /// `User Error: CRL can not be removed from base`.
    CrlNotRemovable,
    /// `User Error. Unable to set trusted status to certificate CERT_DSC`.
    NotCa(String),
    /// `User Error. Key is not consistent to cert CERT_DSC`.
    KeyNotConsistent(String),
    /// `User Error. Unable to associate key and crt CERT_DSC`.
    CannotAssociate(String),
    /// `User Error: attempt to import a CRL as certificate`.
    CrlAsCertificate,
    /// `Internal Error. Storage error.` (store full, or the directory failed).
    Storage(String),
    /// `Internal Error. Unable to append key into base KEYNAME`.
    KeyExists(String),
    /// `User Error:  Key name no specified` (empty or over-long name).
    BadKeyName,
    /// The PSK name is not in the store.
    KeyNotFound(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Empty => f.write_str("User Error: Unable remove. Base is empty"),
            StoreError::IndexOutOfRange(i) => write!(
                f,
                "User Error: Object index {i} exceeds number of certificates and CRLs in base"
            ),
            StoreError::CrlNotRemovable => {
                f.write_str("User Error: CRL can not be removed from base")
            }
            StoreError::NotCa(d) => {
                write!(
                    f,
                    "User Error. Unable to set trusted status to certificate {d}"
                )
            }
            StoreError::KeyNotConsistent(d) => {
                write!(f, "User Error. Key is not consistent to cert {d}")
            }
            StoreError::CannotAssociate(d) => {
                write!(f, "User Error. Unable to associate key and crt {d}")
            }
            StoreError::CrlAsCertificate => {
                f.write_str("User Error: attempt to import a CRL as certificate")
            }
            StoreError::Storage(why) => write!(f, "Internal Error. Storage error. {why}"),
            StoreError::KeyExists(n) => {
                write!(f, "Internal Error. Unable to append key into base {n}")
            }
            StoreError::BadKeyName => f.write_str("User Error:  Key name no specified"),
            StoreError::KeyNotFound(n) => write!(f, "User Error: Key {n} is not found"),
        }
    }
}

impl core::error::Error for StoreError {}

/// How `import` treats the objects of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ImportMode {
    /// Certificates become partner/intermediate certificates, except that a certificate whose
    /// private key is in the same file (PKCS#12) becomes a local certificate with that key.
    #[default]
    Default,
    /// `-t`: certificates become trusted CAs (each must be a CA); CRLs are refused.
    Trusted,
}

/// What one import added: the store indices of the new or updated objects.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Indices (1-based) after the import.
    pub indices: Vec<usize>,
}

/// A pre-shared key.
pub struct Psk {
    /// The name (`key_mgr -n`).
    pub name: String,
    /// The key bytes, as read from the file.
    pub value: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for Psk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Psk({}, {} bytes)", self.name, self.value.len())
    }
}

/// The store.
#[derive(Debug, Default)]
pub struct Store {
    entries: Vec<Entry>,
    crls: Vec<Crl>,
    psks: Vec<Psk>,
}

/// The description of a certificate in messages (`CERT_DSC`): its subject.
fn dsc(cert: &Certificate) -> String {
    cert.subject().to_string()
}

impl Store {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Certificate-like objects in numbering order.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }

    /// CRLs in numbering order.
    pub fn crls(&self) -> impl Iterator<Item = &Crl> {
        self.crls.iter()
    }

    /// Number of certificate-like objects.
    pub fn cert_count(&self) -> usize {
        self.entries.len()
    }

    /// Number of CRLs.
    pub fn crl_count(&self) -> usize {
        self.crls.len()
    }

    /// Total objects (the highest index).
    pub fn len(&self) -> usize {
        self.entries.len() + self.crls.len()
    }

    /// True when the store holds no certificate or CRL.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The certificate-like object with 1-based `index`.
    pub fn entry(&self, index: usize) -> Option<&Entry> {
        index.checked_sub(1).and_then(|i| self.entries.get(i))
    }

    /// The CRL with 1-based `index` (indices after the certificates).
    pub fn crl_at(&self, index: usize) -> Option<&Crl> {
        index
            .checked_sub(1 + self.entries.len())
            .and_then(|i| self.crls.get(i))
    }

    /// The certificate with 1-based `index`, if that object is a certificate.
    pub fn certificate(&self, index: usize) -> Option<(&Certificate, Role)> {
        match self.entry(index)? {
            Entry::Certificate { cert, role, .. } => Some((cert, *role)),
            _ => None,
        }
    }

    /// Trusted CA certificates.
    pub fn trusted(&self) -> impl Iterator<Item = &Certificate> {
        self.certs_with(Role::Trusted)
    }

    /// Certificates with `role`.
    pub fn certs_with(&self, role: Role) -> impl Iterator<Item = &Certificate> {
        self.entries.iter().filter_map(move |e| match e {
            Entry::Certificate { cert, role: r, .. } if *r == role => Some(cert),
            _ => None,
        })
    }

    /// Subjects of the trusted CAs (what a CERTREQ payload names).
    pub fn trusted_subjects(&self) -> impl Iterator<Item = &DistinguishedName> {
        self.trusted().map(Certificate::subject)
    }

    /// Indices of the local certificates matching `selector` (the LSP's `LocalCredential`).
    pub fn find_local(&self, selector: &CertSelector) -> Vec<usize> {
        self.find(selector, Some(Role::Local))
    }

    /// Indices of certificates matching `selector`, with `role` if given.
    pub fn find(&self, selector: &CertSelector, role: Option<Role>) -> Vec<usize> {
        self.entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match e {
                Entry::Certificate { cert, role: r, .. }
                    if role.is_none_or(|x| x == *r) && selector.matches(cert) =>
                {
                    Some(i + 1)
                }
                _ => None,
            })
            .collect()
    }

    /// The signing key of local certificate `index` for `usage`, opening containers through
    /// `containers`. Fails the way `cert_mgr check` reports it.
    pub fn signing_key(
        &self,
        index: usize,
        usage: KeyUse,
        containers: &dyn KeyContainers,
    ) -> Result<Box<dyn SigningKey>, KeyAccess> {
        let Some(Entry::Certificate {
            cert, key: Some(k), ..
        }) = self.entry(index)
        else {
            return Err(KeyAccess::ContainerNotAccessible);
        };
        let signer = match k {
            KeyRef::Software(pk) => pk
                .signing_key(usage)
                .map_err(|_| KeyAccess::KeyNotAccessible)?,
            KeyRef::Container(name) => containers.open(name)?,
            KeyRef::Missing => return Err(KeyAccess::ContainerNotAccessible),
            KeyRef::Unreadable(_) => return Err(KeyAccess::KeyNotAccessible),
        };
        if !cert.public_key().same_key(&signer.public_key()) {
            return Err(KeyAccess::KeyNotAccessible);
        }
        Ok(signer)
    }

    /// The issuers of `cert` found in the store up to (not including) a trusted CA: what to send
    /// in CERT payloads after our own certificate. Follows names only (the peer verifies).
    pub fn issuer_chain(&self, cert: &Certificate) -> Vec<&Certificate> {
        let mut out: Vec<&Certificate> = Vec::new();
        let mut cur = cert;
        while out.len() < crate::validate::MAX_DEPTH && !cur.is_self_issued() {
            let next = self.entries.iter().find_map(|e| match e {
                Entry::Certificate { cert: c, role, .. }
                    if *role != Role::Local && c.subject().matches(cur.issuer()) =>
                {
                    Some((c, *role))
                }
                _ => None,
            });
            match next {
                Some((c, Role::Remote)) if !out.contains(&c) => {
                    out.push(c);
                    cur = c;
                }
                _ => break,
            }
        }
        out
    }

    fn room(&self) -> Result<(), StoreError> {
        if self.len() >= MAX_STORE_OBJECTS {
            return Err(StoreError::Storage("store is full".to_string()));
        }
        Ok(())
    }

    fn index_of(&self, cert: &Certificate) -> Option<usize> {
        self.entries.iter().position(|e| match e {
            Entry::Certificate { cert: c, .. } => c == cert,
            _ => false,
        })
    }

    /// Adds a partner or intermediate certificate (or returns the index it already has).
    pub fn add_remote(&mut self, cert: Certificate) -> Result<usize, StoreError> {
        if let Some(i) = self.index_of(&cert) {
            return Ok(i + 1);
        }
        self.room()?;
        self.entries.push(Entry::Certificate {
            cert,
            role: Role::Remote,
            key: None,
        });
        Ok(self.entries.len())
    }

    /// Adds a trusted CA (self-issued or with basicConstraints cA; v1 self-signed roots are
    /// accepted). An already stored certificate becomes trusted.
    pub fn add_trusted(&mut self, cert: Certificate) -> Result<usize, StoreError> {
        let v1_root = cert.version() < 3 && cert.is_self_issued();
        if !(cert.is_ca() || v1_root) {
            return Err(StoreError::NotCa(dsc(&cert)));
        }
        if let Some(i) = self.index_of(&cert) {
            if let Some(Entry::Certificate { role, key, .. }) = self.entries.get_mut(i) {
                *role = Role::Trusted;
                *key = None;
            }
            return Ok(i + 1);
        }
        self.room()?;
        self.entries.push(Entry::Certificate {
            cert,
            role: Role::Trusted,
            key: None,
        });
        Ok(self.entries.len())
    }

    /// Adds our certificate with its key. A software key must belong to the certificate; a CA
    /// certificate cannot be local. An already stored certificate becomes local.
    pub fn add_local(&mut self, cert: Certificate, key: KeyRef) -> Result<usize, StoreError> {
        if cert.is_ca() && cert.is_self_issued() {
            return Err(StoreError::CannotAssociate(dsc(&cert)));
        }
        if let KeyRef::Software(k) = &key
            && !k.matches(cert.public_key())
        {
            return Err(StoreError::KeyNotConsistent(dsc(&cert)));
        }
        if let Some(i) = self.index_of(&cert) {
            if let Some(Entry::Certificate { role, key: k, .. }) = self.entries.get_mut(i) {
                *role = Role::Local;
                *k = Some(key);
            }
            return Ok(i + 1);
        }
        self.room()?;
        self.entries.push(Entry::Certificate {
            cert,
            role: Role::Local,
            key: Some(key),
        });
        Ok(self.entries.len())
    }

    /// Adds a certificate as it was stored, without the checks of `add_*` (loading a saved
    /// store; a key that does not belong to its certificate is then what `cert_mgr check`
    /// reports as `Private key is not consistent certificate`).
    pub fn insert_unchecked(
        &mut self,
        cert: Certificate,
        role: Role,
        key: Option<KeyRef>,
    ) -> Result<usize, StoreError> {
        self.room()?;
        self.entries.push(Entry::Certificate { cert, role, key });
        Ok(self.entries.len())
    }

    /// Adds a certificate request.
    pub fn add_request(&mut self, req: CertRequest) -> Result<usize, StoreError> {
        self.room()?;
        self.entries.push(Entry::Request(req));
        Ok(self.entries.len())
    }

    /// Adds an object that failed to parse (the directory store keeps them listed).
    pub fn add_invalid(&mut self, data: Vec<u8>, role: Role) -> Result<usize, StoreError> {
        self.room()?;
        self.entries.push(Entry::Invalid { data, role });
        Ok(self.entries.len())
    }

    /// Adds a CRL; an older CRL of the same issuer (same name and key identifier) is replaced.
    /// Returns the CRL's index.
    pub fn add_crl(&mut self, crl: Crl) -> Result<usize, StoreError> {
        if let Some(i) = self.crls.iter().position(|c| {
            c.issuer().matches(crl.issuer()) && c.authority_key_id() == crl.authority_key_id()
        }) {
            if let Some(old) = self.crls.get_mut(i)
                && crl.this_update() >= old.this_update()
            {
                *old = crl;
            }
            return Ok(self.entries.len() + i + 1);
        }
        self.room()?;
        self.crls.push(crl);
        Ok(self.len())
    }

    /// Imports the objects of one file (`cert_mgr import`): see [`ImportMode`]. Private keys
    /// that match no certificate of the file are ignored.
    pub fn import(
        &mut self,
        objects: Vec<Object>,
        mode: ImportMode,
    ) -> Result<ImportReport, StoreError> {
        let mut keys: Vec<Option<PrivateKey>> = Vec::new();
        let mut rest = Vec::new();
        for o in objects {
            match o {
                Object::PrivateKey(k) => keys.push(Some(k)),
                Object::Crl(_) if mode == ImportMode::Trusted => {
                    return Err(StoreError::CrlAsCertificate);
                }
                o => rest.push(o),
            }
        }
        let mut report = ImportReport::default();
        for o in rest {
            let idx = match o {
                Object::Certificate(cert) => match mode {
                    ImportMode::Trusted => self.add_trusted(cert)?,
                    ImportMode::Default => {
                        let key = keys
                            .iter_mut()
                            .find(|k| k.as_ref().is_some_and(|k| k.matches(cert.public_key())))
                            .and_then(Option::take);
                        match key {
                            Some(k) => self.add_local(cert, KeyRef::Software(k))?,
                            None => self.add_remote(cert)?,
                        }
                    }
                },
                Object::Crl(crl) => self.add_crl(crl)?,
                Object::Request(r) => self.add_request(r)?,
                Object::PrivateKey(_) => continue,
            };
            report.indices.push(idx);
        }
        Ok(report)
    }

    /// Removes object `index` (1-based). CRLs cannot be removed (the product's rule: they are
    /// replaced by newer ones).
    pub fn remove(&mut self, index: usize) -> Result<(), StoreError> {
        if self.is_empty() {
            return Err(StoreError::Empty);
        }
        if index == 0 || index > self.len() {
            return Err(StoreError::IndexOutOfRange(index));
        }
        if index > self.entries.len() {
            return Err(StoreError::CrlNotRemovable);
        }
        self.entries.remove(index - 1);
        Ok(())
    }

    // -- pre-shared keys (key_mgr) --

    /// Adds a pre-shared key (`key_mgr import`). Names are unique.
    pub fn psk_import(&mut self, name: &str, value: &[u8]) -> Result<(), StoreError> {
        if name.is_empty() || name.len() > MAX_PSK_NAME {
            return Err(StoreError::BadKeyName);
        }
        if self.psks.iter().any(|p| p.name == name) {
            return Err(StoreError::KeyExists(name.to_string()));
        }
        if self.psks.len() >= MAX_PSKS || value.len() > MAX_PSK_LEN {
            return Err(StoreError::KeyExists(name.to_string()));
        }
        self.psks.push(Psk {
            name: name.to_string(),
            value: Zeroizing::new(value.to_vec()),
        });
        Ok(())
    }

    /// Removes a pre-shared key.
    pub fn psk_remove(&mut self, name: &str) -> Result<(), StoreError> {
        let i = self
            .psks
            .iter()
            .position(|p| p.name == name)
            .ok_or_else(|| StoreError::KeyNotFound(name.to_string()))?;
        self.psks.remove(i);
        Ok(())
    }

    /// The pre-shared key `name` (the LSP's `SharedIKESecret`).
    pub fn psk(&self, name: &str) -> Option<&[u8]> {
        self.psks
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.value.as_slice())
    }

    /// All pre-shared keys in import order.
    pub fn psks(&self) -> &[Psk] {
        &self.psks
    }
}
