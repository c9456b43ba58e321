//! Where the agent gets key material an LSP only names: `AuthMethodPreshared.SharedIKESecret`
//! is the name of a key in the host's PSK store (`key_mgr import -n NAME -f FILE`, lsp.md §5.2).
//!
//! The host implements [`KeyStore`] over its store (files, a token, firmware flash);
//! [`MemoryKeys`] keeps keys (and a certificate store) in memory and [`LiteralKeys`] is the "literal" test mode where the
//! name itself is the key. This module never prints key bytes.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use zeroize::Zeroizing;

use crate::certs::SharedStore;

/// The host's key store: pre-shared keys by name and, for `AuthMethodDSSign`, its certificate
/// store.
pub trait KeyStore {
    /// The key stored under `name`, if any.
    fn preshared(&self, name: &str) -> Option<Zeroizing<Vec<u8>>>;

    /// The certificate store (local certificates with their keys, trusted CAs, partner
    /// certificates, CRLs) that signature authentication uses; `None` (the default): a policy
    /// with `AuthMethodDSSign` does not load.
    fn certificates(&self) -> Option<Arc<dyn SharedStore>> {
        None
    }
}

/// Test mode of lsp.md §5.2: the `SharedIKESecret` string itself is the key.
#[derive(Debug, Clone, Copy, Default)]
pub struct LiteralKeys;

impl KeyStore for LiteralKeys {
    fn preshared(&self, name: &str) -> Option<Zeroizing<Vec<u8>>> {
        Some(Zeroizing::new(name.as_bytes().to_vec()))
    }
}

/// Keys held in memory, by name (zeroized when dropped), and optionally a certificate store.
#[derive(Default)]
pub struct MemoryKeys {
    keys: Vec<(String, Zeroizing<Vec<u8>>)>,
    certs: Option<Arc<dyn SharedStore>>,
}

impl core::fmt::Debug for MemoryKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list()
            .entries(self.keys.iter().map(|(n, _)| n))
            .finish()
    }
}

impl MemoryKeys {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores (or replaces) the key `name`.
    pub fn insert(&mut self, name: &str, key: &[u8]) {
        self.keys.retain(|(n, _)| n != name);
        self.keys
            .push((String::from(name), Zeroizing::new(key.to_vec())));
    }

    /// Sets the certificate store [`KeyStore::certificates`] returns.
    pub fn set_certificates(&mut self, store: Arc<dyn SharedStore>) {
        self.certs = Some(store);
    }

    /// Names of the stored keys.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|(n, _)| n.as_str())
    }
}

impl KeyStore for MemoryKeys {
    fn preshared(&self, name: &str) -> Option<Zeroizing<Vec<u8>>> {
        self.keys
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, k)| k.clone())
    }

    fn certificates(&self) -> Option<Arc<dyn SharedStore>> {
        self.certs.clone()
    }
}
