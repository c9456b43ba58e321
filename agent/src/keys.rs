//! Where the agent gets key material an LSP only names: `AuthMethodPreshared.SharedIKESecret`
//! is the name of a key in the host's PSK store (`key_mgr import -n NAME -f FILE`, lsp.md §5.2).
//!
//! The host implements [`KeyStore`] over its store (files, a token, firmware flash);
//! [`MemoryKeys`] keeps keys in memory and [`LiteralKeys`] is the "literal" test mode where the
//! name itself is the key. This module never prints key bytes.

use alloc::string::String;
use alloc::vec::Vec;

use zeroize::Zeroizing;

/// The host's pre-shared key store.
pub trait KeyStore {
    /// The key stored under `name`, if any.
    fn preshared(&self, name: &str) -> Option<Zeroizing<Vec<u8>>>;
}

/// Test mode of lsp.md §5.2: the `SharedIKESecret` string itself is the key.
#[derive(Debug, Clone, Copy, Default)]
pub struct LiteralKeys;

impl KeyStore for LiteralKeys {
    fn preshared(&self, name: &str) -> Option<Zeroizing<Vec<u8>>> {
        Some(Zeroizing::new(name.as_bytes().to_vec()))
    }
}

/// Keys held in memory, by name (zeroized when dropped).
#[derive(Default)]
pub struct MemoryKeys {
    keys: Vec<(String, Zeroizing<Vec<u8>>)>,
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
}
