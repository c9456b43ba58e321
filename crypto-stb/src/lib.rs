//! # zubr-crypto-stb — the Zubr crypto provider
//!
//! Every algorithm the Zubr IKEv1/IPsec stack speaks, as a [`CryptoProvider`]: tables of
//! `&'static dyn` algorithm objects, each tied to its IKE/IPsec wire numbers and to the names the
//! LSP policy language and `sa_mgr` use. The protocol crates (`zubr-esp`, `zubr-ah`, `zubr-ike`,
//! `zubr-pki`) never name an algorithm type: they look algorithms up in the provider by wire number
//! or name, so a host can swap in another implementation (a hardware token for signing keys, a
//! certified library for belt) by building its own provider value.
//!
//! ```text
//!             ┌──────────────────────────── CryptoProvider ─────────────────────────────┐
//!  ike  ────► │ ike_ciphers  ike_hashes (hash + HMAC PRF)  dh_groups  signatures  rng   │
//!  esp/ah ──► │ esp_ciphers (incl. AEAD)  integrity (HMAC-96/128, belt-mac, GOST IMIT)  │
//!  pki  ────► │ hashes  signatures                                                       │
//!             └─────────────────────────────────────────────────────────────────────────┘
//! ```
//!
//! ## What is inside
//! * [`belt`] — STB 34.101.31: belt-block, ECB/CBC (with ciphertext stealing), CFB, CTR, MAC,
//!   DWP/CHE (AEAD), KWP, hash, keyexpand/keyrep, HMAC-HBELT, PBKDF2.
//! * [`brng`] — STB 34.101.47 brng-ctr / brng-hmac, the default DRBG.
//! * [`bign`] — STB 34.101.45 signatures and key transport.
//! * [`bake`] — STB 34.101.66 key agreement helpers.
//! * [`gost`] — GOST 28147-89 (ECB/CNT/CFB/CBC, CryptoPro key meshing, IMIT),
//!   GOST R 34.11-94 with its HMAC, GOST R 34.10-2001, the Kuznyechik MAC, and the
//!   Belarusian variants of the GOST suite (`gost::suites`).
//! * [`stb1176`] — STB 1176.1 hash (the 1176.2 signature is not public; see its module docs).
//! * [`intl`] — AES-CBC/GCM, 3DES, DES, NULL, MD5/SHA-1/SHA-2 and HMACs, MODP and ECP groups,
//!   RSA PKCS#1 v1.5 (with IKEv1's raw form) and ECDSA.
//!
//! ## What it must not do
//! No I/O, no clock, no global state. Randomness always comes from an [`Rng`] the caller passes in;
//! entropy comes from the host ([`rng::EntropySource`]).
//!
//! ## Features
//! * `alloc` — the provider, keyed algorithm objects (`Box<dyn …>`), DH, signatures, self-tests.
//! * `std` (default) — `std::error::Error` impls only.
//!
//! Without `alloc` the raw primitives (belt, GOST, brng, …) are still available.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![warn(
    clippy::std_instead_of_core,
    clippy::alloc_instead_of_core,
    clippy::std_instead_of_alloc
)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod error;
pub use error::Error;

pub mod output;
pub use output::Output;

pub mod rng;
pub use rng::Rng;

#[cfg(feature = "alloc")]
pub mod provider;
#[cfg(feature = "alloc")]
pub use provider::{CryptoProvider, SharedSecret};

#[cfg(feature = "alloc")]
pub mod generic;
#[cfg(feature = "alloc")]
pub mod kat;
#[cfg(feature = "alloc")]
pub mod software;
#[cfg(feature = "alloc")]
pub use software::SOFTWARE;

#[cfg(feature = "alloc")]
pub mod bake;
pub mod belt;
pub mod bign;
pub mod brng;
// -- GOST --
pub mod gost;
#[cfg(feature = "alloc")]
pub mod intl;
pub mod stb1176;
