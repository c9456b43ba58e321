//! The Russian GOST family: GOST 28147-89 (block function, ECB/CNT/CFB/CBC, IMIT, CryptoPro key
//! meshing), GOST R 34.11-94 and its HMAC, GOST R 34.10-2001 signatures, the GOST R 34.13-2015
//! Kuznyechik MAC, and the provider objects and suites built from them.
//!
//! What comes from crates and what is written here:
//! * block function — `magma` (wrapped for the RFC 5830 byte order, [`block`]);
//! * S-boxes — data tables ([`sbox`]), including the real CryptoPro-D (magma's `CryptoProD` is the
//!   hash S-box) and the Belarusian `gost28147-sblock-1`;
//! * modes, key meshing, IMIT — hand-written ([`modes`]): no crate implements them;
//! * GOST R 34.11-94 — `gost94`; HMAC — `hmac` ([`hash`]);
//! * GOST R 34.10-2001 — hand-written on `crypto-bigint` ([`r3410`]): no crate of the current
//!   RustCrypto line implements it;
//! * Kuznyechik MAC — `cmac` over `kuznyechik` (GOST R 34.13-2015 MAC = CMAC).
//!
//! The raw primitives ([`block`], [`modes`], [`sbox`], [`hash`] types, [`r3410`]) need no heap;
//! the provider objects ([`algs`]), [`suites`] and the self-tests need `alloc`.
//!
//! This module must not know about IKE or ESP packet formats; it offers algorithms and the
//! descriptors that name them.

pub mod block;
pub mod hash;
pub mod modes;
pub mod r3410;
pub mod sbox;

#[cfg(feature = "alloc")]
pub mod algs;
#[cfg(feature = "alloc")]
mod kat;
#[cfg(feature = "alloc")]
pub mod suites;

#[cfg(feature = "alloc")]
pub use kat::SELF_TESTS;

pub use block::Gost28147;
pub use modes::{Cbc, Cfb, Cnt, Imit, KeyMeshing};

#[cfg(test)]
mod tests;
