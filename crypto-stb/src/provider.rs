//! The provider: algorithm traits, the descriptor tables that tie each algorithm to its wire
//! numbers and names, and lookups by wire number or name.
//!
//! Two layers:
//! * **Traits** (`HashAlgorithm`, `CipherAlgorithm`, `EspCipherAlgorithm`, `MacAlgorithm`,
//!   `DhAlgorithm`, `SignatureVerifier`, `SigningKey`, `DrbgFactory`) are what an implementation
//!   provides. Keyed state is a `Box<dyn …Key>` created once (per SA, per exchange); using it never
//!   allocates, so the ESP/AH fast path stays allocation-free.
//! * **Descriptors** (`IkeCipher`, `IkeHash`, `Group`, `EspCipher`, `Integrity`,
//!   `SignatureScheme`, `NamedHash`) are plain `'static` data: the LSP name (lsp.md §5.8), the
//!   name `sa_mgr` prints (product.md §6) and the IKE/IPsec numbers (crypto.md §5–6), pointing at
//!   an implementation. A host swaps an implementation by building its own [`CryptoProvider`] with
//!   other `&'static dyn` objects behind the same descriptors.
//!
//! This module must not contain algorithms; they live in the family modules.

use alloc::boxed::Box;
use alloc::vec::Vec;

use subtle::ConstantTimeEq;

use crate::{Error, Output, Rng};

/// A shared secret from key agreement; zeroized on drop.
pub type SharedSecret = zeroize::Zeroizing<Vec<u8>>;

// ---------------------------------------------------------------------------------------------
// Hashes

/// A hash function (and the HMAC over it).
pub trait HashAlgorithm: Send + Sync {
    /// Digest length in bytes.
    fn output_len(&self) -> usize;
    /// Input block length in bytes (HMAC's B).
    fn block_len(&self) -> usize;
    /// Starts an incremental computation.
    fn start(&self) -> Box<dyn HashContext>;
    /// One-shot hash of the concatenation of `parts`.
    fn hash(&self, parts: &[&[u8]]) -> Output {
        let mut ctx = self.start();
        for p in parts {
            ctx.update(p);
        }
        ctx.finish()
    }
    /// HMAC (RFC 2104) keyed with `key` over the concatenation of `parts`.
    fn hmac(&self, key: &[u8], parts: &[&[u8]]) -> Output;
}

/// Incremental hashing state.
pub trait HashContext: Send {
    /// Absorbs `data`.
    fn update(&mut self, data: &[u8]);
    /// Finishes and returns the digest.
    fn finish(self: Box<Self>) -> Output;
    /// Copies the state (to hash a common prefix once).
    fn fork(&self) -> Box<dyn HashContext>;
}

/// A hash as the command line and the PKI name it (`zubr crypto digest --alg NAME`).
#[derive(Clone, Copy)]
pub struct NamedHash {
    /// Command-line name: `belt-hash`, `gostr3411-94-cp`, `sha256`, …
    pub name: &'static str,
    /// Dotted OID of the hash algorithm, if it has one.
    pub oid: Option<&'static str>,
    /// The implementation.
    pub hash: &'static dyn HashAlgorithm,
}

// ---------------------------------------------------------------------------------------------
// Block-cipher modes (IKE phase-1 encryption, and the CBC/CFB ESP ciphers)

/// A block cipher in a chaining mode with an IV (CBC for IKE; also CFB for belt and GOST).
pub trait CipherAlgorithm: Send + Sync {
    /// Key length in bytes.
    fn key_len(&self) -> usize;
    /// Block length in bytes (IKE pads messages to it; the IV has this length).
    fn block_len(&self) -> usize;
    /// Creates a keyed instance.
    fn new_key(&self, key: &[u8]) -> Result<Box<dyn CipherKey>, Error>;
}

/// A keyed chaining-mode cipher.
pub trait CipherKey: Send {
    /// Encrypts `data` in place (a whole number of blocks for CBC). On return `iv` holds the
    /// chaining value for the next message (the last ciphertext block — RFC 2409 appendix B).
    fn encrypt(&mut self, iv: &mut [u8], data: &mut [u8]) -> Result<(), Error>;
    /// Decrypts `data` in place; `iv` is updated like in [`CipherKey::encrypt`].
    fn decrypt(&mut self, iv: &mut [u8], data: &mut [u8]) -> Result<(), Error>;
}

/// An IKE phase-1 encryption algorithm (class 1 of RFC 2409 appendix A).
#[derive(Clone, Copy)]
pub struct IkeCipher {
    /// LSP name, e.g. `AES-K128-CBC`, `G2814789CPRO1-K256-CBC-65534`.
    pub lsp_name: &'static str,
    /// Name `sa_mgr show -detail` prints, e.g. `aes128-cbc`, `gost2814789cp-cbc`.
    pub sa_name: &'static str,
    /// Value of the Encryption Algorithm attribute.
    pub attribute: u16,
    /// Key Length attribute (class 14) in bits, when the algorithm needs one (AES).
    pub key_bits: Option<u16>,
    /// The implementation.
    pub cipher: &'static dyn CipherAlgorithm,
}

/// An IKE phase-1 hash algorithm; the PRF is HMAC over it (RFC 2409 §4: no PRF attribute).
#[derive(Clone, Copy)]
pub struct IkeHash {
    /// LSP name, e.g. `SHA1`, `GR341194CPRO1-65534`.
    pub lsp_name: &'static str,
    /// Name `sa_mgr` prints, e.g. `sha1`, `gostr341194cp`.
    pub sa_name: &'static str,
    /// Value of the Hash Algorithm attribute (class 2).
    pub attribute: u16,
    /// The hash.
    pub hash: &'static dyn HashAlgorithm,
}

impl IkeHash {
    /// prf(key, parts) = HMAC-hash.
    pub fn prf(&self, key: &[u8], parts: &[&[u8]]) -> Output {
        self.hash.hmac(key, parts)
    }
}

// ---------------------------------------------------------------------------------------------
// ESP ciphers

/// An ESP encryption algorithm: a plain cipher (CBC, CFB, CTR, NULL) or an AEAD.
pub trait EspCipherAlgorithm: Send + Sync {
    /// KEYMAT bytes the algorithm consumes (cipher key plus salt, e.g. 20 for AES-128-GCM).
    fn key_len(&self) -> usize;
    /// Explicit IV bytes carried in each packet.
    fn iv_len(&self) -> usize;
    /// Alignment of plaintext ‖ padding ‖ pad length ‖ next header (at least 4 is applied by ESP).
    fn block_len(&self) -> usize;
    /// Length of the AEAD tag; 0 for a cipher that needs a separate integrity algorithm.
    fn icv_len(&self) -> usize;
    /// Creates a keyed instance.
    fn new_key(&self, key: &[u8]) -> Result<Box<dyn EspCipherKey>, Error>;
}

/// A keyed ESP cipher. Neither method allocates.
pub trait EspCipherKey: Send {
    /// Encrypts `data` in place with the explicit `iv`; for an AEAD, authenticates `aad` and
    /// writes the tag into `icv` (length [`EspCipherAlgorithm::icv_len`]).
    fn encrypt(
        &mut self,
        iv: &[u8],
        aad: &[u8],
        data: &mut [u8],
        icv: &mut [u8],
    ) -> Result<(), Error>;
    /// Decrypts in place; an AEAD verifies `icv` and fails with [`Error::AuthenticationFailed`]
    /// (the content of `data` is then unspecified and must be discarded).
    fn decrypt(&mut self, iv: &[u8], aad: &[u8], data: &mut [u8], icv: &[u8]) -> Result<(), Error>;
}

/// An ESP transform (RFC 2407 §4.4.4 transform ID, plus Key Length).
#[derive(Clone, Copy)]
pub struct EspCipher {
    /// LSP name, e.g. `AES-K128-CBC`, `G2814789CPRO1-K256-CBC-254`, `NULL`.
    pub lsp_name: &'static str,
    /// Name `sa_mgr` prints, e.g. `esp-aes128-cbc`, `esp-gost2814789cp-cbc`.
    pub sa_name: &'static str,
    /// ESP transform ID.
    pub transform_id: u8,
    /// Key Length attribute (class 6) in bits, when sent.
    pub key_bits: Option<u16>,
    /// The implementation.
    pub cipher: &'static dyn EspCipherAlgorithm,
}

impl EspCipher {
    /// True for a combined-mode (AEAD) transform, which takes no integrity algorithm.
    pub fn is_aead(&self) -> bool {
        self.cipher.icv_len() > 0
    }
}

// ---------------------------------------------------------------------------------------------
// MACs and integrity

/// A MAC (HMAC-x, belt-mac, GOST IMIT, …) producing a fixed-length tag.
pub trait MacAlgorithm: Send + Sync {
    /// Key length in bytes.
    fn key_len(&self) -> usize;
    /// Full tag length in bytes (before any truncation by the transform).
    fn output_len(&self) -> usize;
    /// Creates a keyed instance (precomputes what can be precomputed).
    fn new_key(&self, key: &[u8]) -> Result<Box<dyn MacKey>, Error>;
}

/// A keyed MAC. Neither method allocates.
pub trait MacKey: Send + Sync {
    /// Writes the first `out.len()` bytes (≤ the full tag) of the MAC over the concatenation
    /// of `parts`.
    fn compute(&self, parts: &[&[u8]], out: &mut [u8]);
    /// Constant-time check of a (possibly truncated) tag.
    fn verify(&self, parts: &[&[u8]], tag: &[u8]) -> Result<(), Error> {
        let mut buf = [0u8; crate::output::MAX_OUTPUT_LEN];
        if tag.is_empty() || tag.len() > buf.len() {
            return Err(Error::AuthenticationFailed);
        }
        let out = &mut buf[..tag.len()];
        self.compute(parts, out);
        if bool::from(out.ct_eq(tag)) {
            Ok(())
        } else {
            Err(Error::AuthenticationFailed)
        }
    }
}

/// An ESP/AH integrity transform: IPsec Authentication Algorithm (class 5) and AH transform ID.
#[derive(Clone, Copy)]
pub struct Integrity {
    /// LSP name, e.g. `SHA1-H96-HMAC`, `GR341194CPRO1-H96-HMAC-65534`.
    pub lsp_name: &'static str,
    /// Name `sa_mgr` prints for ESP, e.g. `esp-sha1-hmac`, `esp-gostr341194cp-hmac`.
    pub esp_sa_name: &'static str,
    /// Name `sa_mgr` prints for AH, e.g. `ah-sha1-hmac`, `ah-gostr341194cp-hmac`.
    pub ah_sa_name: &'static str,
    /// IPsec Authentication Algorithm attribute value.
    pub auth_algorithm: u16,
    /// AH transform ID, when the algorithm may be used with AH.
    pub ah_transform_id: Option<u8>,
    /// ICV length on the wire (after truncation).
    pub icv_len: usize,
    /// The MAC.
    pub mac: &'static dyn MacAlgorithm,
}

// ---------------------------------------------------------------------------------------------
// Diffie-Hellman

/// A Diffie–Hellman group.
pub trait DhAlgorithm: Send + Sync {
    /// Length of the public value on the wire (IKE KE payload): MODP `len(p)`, ECP `2·len(p)`
    /// (x ‖ y, RFC 5903 §7 — no 0x04 prefix).
    fn public_len(&self) -> usize;
    /// Generates an ephemeral key pair.
    fn generate(&self, rng: &mut dyn Rng) -> Result<Box<dyn DhPrivateKey>, Error>;
}

/// An ephemeral DH private key; zeroized when dropped.
pub trait DhPrivateKey: Send {
    /// Our public value, in the group's wire encoding.
    fn public_key(&self) -> &[u8];
    /// g^xy (MODP, left-padded to `len(p)`) or x(xyG) (ECP). Validates `peer` first
    /// (range for MODP, on-curve for ECP) and fails with [`Error::InvalidPublicKey`].
    fn agree(&self, peer: &[u8]) -> Result<SharedSecret, Error>;
}

/// A Diffie–Hellman group with its IKE number (phase-1 class 4, phase-2 class 3).
#[derive(Clone, Copy)]
pub struct Group {
    /// LSP name: `MODP_1024`, `ECP_256`, …
    pub lsp_name: &'static str,
    /// Name for output: `modp1024`, `ecp256`, …
    pub sa_name: &'static str,
    /// Group number.
    pub id: u16,
    /// The implementation.
    pub dh: &'static dyn DhAlgorithm,
}

// ---------------------------------------------------------------------------------------------
// Signatures

/// Verifies signatures of one scheme.
///
/// `public_key` encodings: RSA — DER `RSAPublicKey` (PKCS#1); ECDSA — SEC1 point;
/// bign — 64 bytes x ‖ y little-endian; GOST R 34.10 — 64 bytes x ‖ y little-endian.
pub trait SignatureVerifier: Send + Sync {
    /// Checks `signature` over `message` (the scheme says whether `message` is hashed first).
    fn verify(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), Error>;
}

/// A signature scheme: name, certificate OID, IKE authentication method.
#[derive(Clone, Copy)]
pub struct SignatureScheme {
    /// Name, e.g. `rsa-pkcs1-sha256`, `rsa-pkcs1-raw` (IKEv1, no DigestInfo), `bign-hbelt`.
    pub name: &'static str,
    /// Dotted OID of the signature algorithm in certificates, if it has one.
    pub oid: Option<&'static str>,
    /// IKE phase-1 Authentication Method value that uses this scheme, if any.
    pub ike_auth_method: Option<u16>,
    /// The implementation.
    pub verifier: &'static dyn SignatureVerifier,
}

/// A private signing key. Implement it for a token: the key never leaves it.
pub trait SigningKey: Send + Sync {
    /// Name of the [`SignatureScheme`] the key signs with.
    fn scheme(&self) -> &'static str;
    /// The public key in the scheme's encoding.
    fn public_key(&self) -> Vec<u8>;
    /// Signs `message`.
    fn sign(&self, rng: &mut dyn Rng, message: &[u8]) -> Result<Vec<u8>, Error>;
}

// ---------------------------------------------------------------------------------------------
// Randomness

/// Builds the provider's DRBG.
pub trait DrbgFactory: Send + Sync {
    /// Name of the construction (`brng-ctr-hbelt`).
    fn name(&self) -> &'static str;
    /// Instantiates a DRBG from `seed` (at least 32 bytes of entropy). The same seed gives the
    /// same stream: tests and simulations use that, hosts seed from an entropy source.
    fn instantiate(&self, seed: &[u8]) -> Result<Box<dyn Rng>, Error>;
}

// ---------------------------------------------------------------------------------------------
// The provider

/// Tables of algorithms. `SOFTWARE` (in [`crate::software`]) is the default; a host builds its own
/// value to replace or remove entries.
#[derive(Clone, Copy)]
pub struct CryptoProvider {
    /// Hashes by command-line name / OID.
    pub hashes: &'static [NamedHash],
    /// IKE phase-1 ciphers.
    pub ike_ciphers: &'static [IkeCipher],
    /// IKE phase-1 hashes (and PRFs).
    pub ike_hashes: &'static [IkeHash],
    /// Diffie–Hellman groups.
    pub groups: &'static [Group],
    /// ESP ciphers (including AEADs).
    pub esp_ciphers: &'static [EspCipher],
    /// ESP/AH integrity algorithms.
    pub integrity: &'static [Integrity],
    /// Signature schemes.
    pub signatures: &'static [SignatureScheme],
    /// The DRBG construction.
    pub drbg: &'static dyn DrbgFactory,
    /// Known-answer tests of every implementation in the tables, grouped by module.
    pub self_tests: &'static [&'static [crate::kat::SelfTest]],
}

impl CryptoProvider {
    /// IKE cipher by Encryption Algorithm attribute and Key Length (bits; `None` if absent).
    pub fn ike_cipher(&self, attribute: u16, key_bits: Option<u16>) -> Option<&'static IkeCipher> {
        self.ike_ciphers
            .iter()
            .find(|c| c.attribute == attribute && c.key_bits == key_bits)
    }

    /// IKE hash by Hash Algorithm attribute.
    pub fn ike_hash(&self, attribute: u16) -> Option<&'static IkeHash> {
        self.ike_hashes.iter().find(|h| h.attribute == attribute)
    }

    /// DH group by number.
    pub fn group(&self, id: u16) -> Option<&'static Group> {
        self.groups.iter().find(|g| g.id == id)
    }

    /// ESP cipher by transform ID and Key Length (bits; `None` if absent).
    pub fn esp_cipher(
        &self,
        transform_id: u8,
        key_bits: Option<u16>,
    ) -> Option<&'static EspCipher> {
        self.esp_ciphers
            .iter()
            .find(|c| c.transform_id == transform_id && c.key_bits == key_bits)
    }

    /// Integrity algorithm by IPsec Authentication Algorithm value.
    pub fn integrity(&self, auth_algorithm: u16) -> Option<&'static Integrity> {
        self.integrity
            .iter()
            .find(|i| i.auth_algorithm == auth_algorithm)
    }

    /// Integrity algorithm by AH transform ID.
    pub fn ah_integrity(&self, ah_transform_id: u8) -> Option<&'static Integrity> {
        self.integrity
            .iter()
            .find(|i| i.ah_transform_id == Some(ah_transform_id))
    }

    /// Hash by command-line name or dotted OID.
    pub fn hash(&self, name_or_oid: &str) -> Option<&'static NamedHash> {
        self.hashes
            .iter()
            .find(|h| h.name == name_or_oid || h.oid == Some(name_or_oid))
    }

    /// IKE cipher by LSP or `sa_mgr` name.
    pub fn ike_cipher_by_name(&self, name: &str) -> Option<&'static IkeCipher> {
        self.ike_ciphers
            .iter()
            .find(|c| c.lsp_name == name || c.sa_name == name)
    }

    /// IKE hash by LSP or `sa_mgr` name.
    pub fn ike_hash_by_name(&self, name: &str) -> Option<&'static IkeHash> {
        self.ike_hashes
            .iter()
            .find(|h| h.lsp_name == name || h.sa_name == name)
    }

    /// DH group by LSP or short name.
    pub fn group_by_name(&self, name: &str) -> Option<&'static Group> {
        self.groups
            .iter()
            .find(|g| g.lsp_name == name || g.sa_name == name)
    }

    /// ESP cipher by LSP or `sa_mgr` name.
    pub fn esp_cipher_by_name(&self, name: &str) -> Option<&'static EspCipher> {
        self.esp_ciphers
            .iter()
            .find(|c| c.lsp_name == name || c.sa_name == name)
    }

    /// Integrity algorithm by LSP or `sa_mgr` (ESP or AH) name.
    pub fn integrity_by_name(&self, name: &str) -> Option<&'static Integrity> {
        self.integrity
            .iter()
            .find(|i| i.lsp_name == name || i.esp_sa_name == name || i.ah_sa_name == name)
    }

    /// Signature scheme by name, OID or IKE authentication method.
    pub fn signature(&self, name_or_oid: &str) -> Option<&'static SignatureScheme> {
        self.signatures
            .iter()
            .find(|s| s.name == name_or_oid || s.oid == Some(name_or_oid))
    }

    /// Signature scheme for an IKE authentication method.
    pub fn signature_for_ike(&self, auth_method: u16) -> Option<&'static SignatureScheme> {
        self.signatures
            .iter()
            .find(|s| s.ike_auth_method == Some(auth_method))
    }
}
