//! Algorithm names the checker accepts (lsp.md §5.8), behind a trait the host can implement.
//!
//! zubr-lsp must not depend on the crypto provider, so it validates `CipherAlg`, `HashAlg`,
//! `IntegrityAlg`, `GroupID` and `PFSGroup` through [`AlgorithmCatalog`]. [`DEFAULT_CATALOG`]
//! holds exactly the names of lsp.md §5.8 plus the Zubr additions the crypto provider defines
//! (GOST, belt, AES-GCM, the SHA-2 HMACs, MODP/ECP and bign groups); a host builds a
//! [`TableCatalog`] from its provider's tables instead. This module only answers "is this name
//! known, and what is it"; it must not know how an algorithm works.
//!
//! ```
//! use zubr_lsp::catalog::{AlgClass, AlgInfo, AlgorithmCatalog, DEFAULT_CATALOG, Suite};
//!
//! /// The default names plus one vendor cipher.
//! struct WithVendor;
//! impl AlgorithmCatalog for WithVendor {
//!     fn lookup(&self, class: AlgClass, name: &str) -> Option<AlgInfo> {
//!         if class == AlgClass::EspCipher && name == "VENDOR-K256-CBC-250" {
//!             return Some(AlgInfo { aead: false, suite: Suite::International });
//!         }
//!         DEFAULT_CATALOG.lookup(class, name)
//!     }
//!     fn names(&self, class: AlgClass) -> Vec<&str> {
//!         DEFAULT_CATALOG.names(class)
//!     }
//! }
//!
//! let src = b"ESPTransform e( CipherAlg = \"VENDOR-K256-CBC-250\" IntegrityAlg = \"SHA1-H96-HMAC\" )";
//! let opts = zubr_lsp::Options { catalog: &WithVendor, ..zubr_lsp::Options::default() };
//! assert!(!zubr_lsp::check(src, &opts).has_errors());
//! assert!(zubr_lsp::check(src, &zubr_lsp::Options::default()).has_errors());
//! ```

use alloc::vec::Vec;

/// Where an algorithm name may be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AlgClass {
    /// Phase-1 cipher (`IKETransform.CipherAlg`).
    IkeCipher,
    /// Phase-1 hash/PRF (`IKETransform.HashAlg`).
    IkeHash,
    /// ESP cipher (`ESPTransform.CipherAlg`), `"NULL"` included.
    EspCipher,
    /// ESP/AH integrity (`IntegrityAlg`).
    Integrity,
    /// Diffie–Hellman group (`GroupID`, `PFSGroup`), written as an identifier.
    Group,
}

impl AlgClass {
    /// How the class is named in messages.
    pub fn describe(self) -> &'static str {
        match self {
            AlgClass::IkeCipher => "IKE cipher",
            AlgClass::IkeHash => "IKE hash",
            AlgClass::EspCipher => "ESP cipher",
            AlgClass::Integrity => "integrity algorithm",
            AlgClass::Group => "Diffie-Hellman group",
        }
    }
}

/// Algorithm family, for the TC26 rules (lsp.md §5.3/§5.4: TC26 structures take TC26
/// algorithms; international ones may not be mixed in).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Suite {
    /// AES, 3DES, DES, MD5, SHA, MODP, ECP.
    International,
    /// GOST 28147-89 / R 34.11-94 with CryptoPro parameters: usable in both international and
    /// TC26 structures.
    Gost,
    /// GOST R 34.12-2015 and other TC26-only names: TC26 structures only.
    Tc26,
    /// STB 34.101 (belt, bign): Zubr's Belarusian suite, international structures.
    Belt,
}

/// What the catalog knows about one name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlgInfo {
    /// ESP cipher with built-in integrity (AES-GCM, belt-dwp): must not be combined with an
    /// `IntegrityAlg`.
    pub aead: bool,
    /// Family.
    pub suite: Suite,
}

/// The algorithm names a policy may use.
pub trait AlgorithmCatalog {
    /// Information about `name` in `class`, or `None` when unknown there.
    fn lookup(&self, class: AlgClass, name: &str) -> Option<AlgInfo>;
    /// All names of `class` (for "did you mean" hints).
    fn names(&self, class: AlgClass) -> Vec<&str>;
}

/// One row of a [`TableCatalog`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CatalogEntry {
    /// Where the name may be used.
    pub class: AlgClass,
    /// The LSP name (case-sensitive).
    pub name: &'static str,
    /// ESP cipher with integrity built in.
    pub aead: bool,
    /// Family.
    pub suite: Suite,
}

/// A catalog backed by a static table.
#[derive(Clone, Copy, Debug)]
pub struct TableCatalog {
    /// The rows.
    pub entries: &'static [CatalogEntry],
}

impl AlgorithmCatalog for TableCatalog {
    fn lookup(&self, class: AlgClass, name: &str) -> Option<AlgInfo> {
        self.entries
            .iter()
            .find(|e| e.class == class && e.name == name)
            .map(|e| AlgInfo {
                aead: e.aead,
                suite: e.suite,
            })
    }
    fn names(&self, class: AlgClass) -> Vec<&str> {
        self.entries
            .iter()
            .filter(|e| e.class == class)
            .map(|e| e.name)
            .collect()
    }
}

use AlgClass::{EspCipher as EC, Group as GR, IkeCipher as IC, IkeHash as IH, Integrity as IN};
use Suite::{Belt, Gost, International as Intl, Tc26};

const fn e(class: AlgClass, name: &'static str, suite: Suite) -> CatalogEntry {
    CatalogEntry {
        class,
        name,
        aead: false,
        suite,
    }
}
const fn aead(name: &'static str, suite: Suite) -> CatalogEntry {
    CatalogEntry {
        class: AlgClass::EspCipher,
        name,
        aead: true,
        suite,
    }
}

/// lsp.md §5.8 names plus the provider's Zubr additions. One line per name.
pub static DEFAULT_ENTRIES: &[CatalogEntry] = &[
    // IKE ciphers
    e(IC, "DES-CBC", Intl),
    e(IC, "DES3-K168-CBC", Intl),
    e(IC, "AES-K128-CBC", Intl),
    e(IC, "AES-K192-CBC", Intl),
    e(IC, "AES-K256-CBC", Intl),
    e(IC, "G2814789CPRO1-K256-CBC-65534", Gost),
    e(IC, "BELT-K256-CBC", Belt),
    e(IC, "BELT-K256-CFB", Belt),
    e(IC, "BELT-K256-CTR", Belt),
    // IKE hashes
    e(IH, "MD5", Intl),
    e(IH, "SHA1", Intl),
    e(IH, "SHA2-256", Intl),
    e(IH, "SHA2-384", Intl),
    e(IH, "SHA2-512", Intl),
    e(IH, "GR341194CPRO1-65534", Gost),
    e(IH, "BELT-HASH", Belt),
    // ESP ciphers
    e(EC, "NULL", Intl),
    e(EC, "DES-CBC", Intl),
    e(EC, "DES3-K168-CBC", Intl),
    e(EC, "AES-K128-CBC", Intl),
    e(EC, "AES-K192-CBC", Intl),
    e(EC, "AES-K256-CBC", Intl),
    aead("AES-K128-GCM-8", Intl),
    aead("AES-K128-GCM-12", Intl),
    aead("AES-K128-GCM-16", Intl),
    aead("AES-K192-GCM-8", Intl),
    aead("AES-K192-GCM-12", Intl),
    aead("AES-K192-GCM-16", Intl),
    aead("AES-K256-GCM-8", Intl),
    aead("AES-K256-GCM-12", Intl),
    aead("AES-K256-GCM-16", Intl),
    e(EC, "G2814789CPRO1-K256-CBC-254", Gost),
    e(EC, "BELT-K256-CBC", Belt),
    e(EC, "BELT-K256-CFB", Belt),
    e(EC, "BELT-K256-CTR", Belt),
    aead("BELT-K256-DWP", Belt),
    // ESP/AH integrity
    e(IN, "MD5-H96-KPDK", Intl),
    e(IN, "MD5-H96-HMAC", Intl),
    e(IN, "SHA1-H96-HMAC", Intl),
    e(IN, "SHA2-256-H128-HMAC", Intl),
    e(IN, "SHA2-384-H192-HMAC", Intl),
    e(IN, "SHA2-512-H256-HMAC", Intl),
    e(IN, "GR341194CPRO1-H96-HMAC-65534", Gost),
    e(IN, "G2814789CPRO1-K256-MAC-65535", Gost),
    e(IN, "GR341215K-K256-MAC-65529", Tc26),
    e(IN, "BELT-K256-MAC", Belt),
    e(IN, "HMAC-HBELT", Belt),
    // Diffie–Hellman groups
    e(GR, "MODP_768", Intl),
    e(GR, "MODP_1024", Intl),
    e(GR, "MODP_1536", Intl),
    e(GR, "MODP_2048", Intl),
    e(GR, "MODP_3072", Intl),
    e(GR, "MODP_4096", Intl),
    e(GR, "MODP_6144", Intl),
    e(GR, "MODP_8192", Intl),
    e(GR, "ECP_256", Intl),
    e(GR, "ECP_384", Intl),
    e(GR, "ECP_521", Intl),
    e(GR, "BIGN_256", Belt),
];

/// The built-in catalog (see [`DEFAULT_ENTRIES`]).
pub static DEFAULT_CATALOG: TableCatalog = TableCatalog {
    entries: DEFAULT_ENTRIES,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_catalog_answers_by_class() {
        let c = &DEFAULT_CATALOG;
        assert!(c.lookup(AlgClass::IkeCipher, "AES-K256-CBC").is_some());
        assert!(c.lookup(AlgClass::IkeHash, "AES-K256-CBC").is_none());
        assert!(
            c.lookup(AlgClass::EspCipher, "AES-K256-GCM-16")
                .unwrap()
                .aead
        );
        assert_eq!(
            c.lookup(AlgClass::Integrity, "GR341215K-K256-MAC-65529")
                .unwrap()
                .suite,
            Tc26
        );
        assert!(c.lookup(AlgClass::Group, "modp_1536").is_none());
        assert_eq!(c.names(AlgClass::Group).len(), 12);
        // no duplicate rows
        for (i, a) in DEFAULT_ENTRIES.iter().enumerate() {
            for b in &DEFAULT_ENTRIES[i + 1..] {
                assert!(!(a.class == b.class && a.name == b.name), "{}", a.name);
            }
        }
    }
}
