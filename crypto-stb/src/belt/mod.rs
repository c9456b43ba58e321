//! STB 34.101.31 (belt): the Belarusian symmetric family, and the belt-based pieces of
//! STB 34.101.47 (hmac-hbelt) and STB 34.101.45 (belt-pbkdf2).
//!
//! | item | where | crate or hand-written |
//! |---|---|---|
//! | belt-block | [`BeltCipher`] | hand-written for speed (4-lane), cross-checked with `belt-block` |
//! | belt-wblock | [`kwp::wblock_encrypt`] | `belt-block` crate |
//! | belt-ecb, belt-cbc (ciphertext stealing) | [`modes`] | hand-written (no crate steals) |
//! | belt-cfb (any length) | [`modes::cfb_encrypt`] | hand-written (4-lane decryption) |
//! | belt-ctr | [`modes::ctr_apply`], [`modes::BeltCtr`] | own loop; `belt-ctr` crate for streaming |
//! | belt-mac | [`BeltMac`] (`digest::Mac`) | hand-written (not CMAC) |
//! | belt-dwp, belt-che | [`BeltDwp`], [`BeltChe`] (`aead::AeadInOut`) | hand-written; GF(2^128) by `polyval` |
//! | belt-kwp | [`kwp`] | header check here, wblock from `belt-block` |
//! | belt-hash, hmac-hbelt, belt-pbkdf2 | [`kdf`] | `belt-hash`, `hmac`, `pbkdf2` crates |
//! | belt-keyexpand, belt-keyrep | [`kdf::keyexpand`], [`kdf::keyrep`] | hand-written over `belt_compress` |
//!
//! The raw primitives work without `alloc`. With `alloc`, [`suite`] holds the provider objects
//! (IKE/ESP ciphers, integrity, the hash) and [`SELF_TESTS`] the known-answer tests over every
//! record of `vectors/belt-*.txt` and `vectors/hmac-hbelt.txt`.
//!
//! ## Zubr's belt suite on the wire [Z]
//! No standard or vendor document assigns IKEv1/IPsec numbers to belt (crypto.md §5.4). Zubr
//! uses these values from the IANA private-use ranges; they are Zubr's own choices and are only
//! negotiated when a policy names the algorithms:
//!
//! | kind | name (LSP / sa_mgr) | value |
//! |---|---|---|
//! | IKE Encryption Algorithm (class 1) | `BELT-K256-CBC` / `belt-cbc` | 65101 |
//! | IKE Encryption Algorithm (class 1) | `BELT-K256-CFB` / `belt-cfb` | 65102 |
//! | IKE Hash Algorithm (class 2; PRF = HMAC-HBELT) | `BELT-HASH` / `belt-hash` | 65101 |
//! | ESP transform ID (AEAD, 8-byte ICV) | `BELT-K256-DWP` / `esp-belt-dwp` | 249 |
//! | ESP transform ID | `BELT-K256-CFB` / `esp-belt-cfb` | 250 |
//! | ESP transform ID | `BELT-K256-CTR` / `esp-belt-ctr` | 251 |
//! | IPsec Auth. Algorithm / AH transform ID (ICV 8) | `BELT-K256-MAC` / `esp-belt-mac`, `ah-belt-mac` | 65101 / 249 |
//! | IPsec Auth. Algorithm / AH transform ID (ICV 16) | `HMAC-HBELT` / `esp-hbelt-hmac`, `ah-hbelt-hmac` | 65102 / 250 |
//!
//! ESP IV/nonce construction [Z] (see [`suite`]):
//! * `esp-belt-ctr` and `esp-belt-dwp`: KEYMAT = 32-byte key ‖ 8-byte salt (key_len 40); each packet carries an 8-byte explicit IV; the belt IV S = salt ‖ IV. The
//!   sender must never repeat an explicit IV under one key (the ESP sequence number is the
//!   natural choice), like RFC 3686/4106.
//! * `esp-belt-dwp`: the associated data is what ESP passes (SPI ‖ sequence number, RFC 4106
//!   style); the 8-byte tag is the ICV.
//! * `esp-belt-cfb`: KEYMAT = 32-byte key; a 16-byte random explicit IV per packet (like CBC).
//! * HMAC-HBELT in ESP/AH: 32-byte key, ICV = the first 16 bytes of the tag (RFC 4868 style).
//!
//! Must not: allocate in the raw primitives, keep keys after drop, print keys.

mod block;
pub mod dwp;
pub mod kdf;
pub mod kwp;
pub mod mac;
pub mod modes;

#[cfg(feature = "alloc")]
mod selftest;
#[cfg(feature = "alloc")]
pub mod suite;

pub use block::{BeltCipher, H};
pub use dwp::{BeltChe, BeltDwp};
pub use kdf::{BeltHash, HmacHbelt, belt_hash, hmac_hbelt, keyexpand, keyrep, pbkdf2};
pub use mac::BeltMac;

#[cfg(feature = "alloc")]
pub use selftest::SELF_TESTS;
