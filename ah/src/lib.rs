//! # zubr-ah — IPsec AH processing (RFC 4302, RFC 2402)
//!
//! In-place AH protection and verification of IPv4 packets, tunnel and transport mode, with
//! every integrity transform of a [`CryptoProvider`](zubr_crypto_stb::CryptoProvider) that has
//! an AH transform ID (HMAC-MD5/SHA-1/SHA-2, GOST R 34.11-94 HMAC, belt, … — this crate names
//! none).
//!
//! * [`AhOutbound`] / [`AhInbound`] — one SA each way, from an [`AhConfig`]; they implement
//!   `zubr_base::sa::{OutboundSa, InboundSa}`, so `zubr_base::sadb::SaDb` drives them in AH+ESP
//!   bundles and nested tunnels together with `zubr-esp` (which this crate does not depend on).
//! * [`mutable`] — the IPv4 header as the ICV sees it (mutable fields and options zeroed).
//!
//! Error codes produced here: 1, 3, 4, 5, 6, 7, 9, 10, 11 (malformed IP options), 13, 14, 15,
//! 17, 18. Not here: 2 (AH calls no cipher; a MAC cannot fail), 12 and 16 (ESP padding and TFC),
//! 8 (the host's buffers).
//!
//! ## What it must not do
//! No allocation after SA setup, no panics on any input, no clock, no algorithm code.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![warn(
    clippy::std_instead_of_core,
    clippy::alloc_instead_of_core,
    clippy::std_instead_of_alloc
)]

extern crate alloc;

pub mod mutable;
pub mod sa;

pub use sa::{AH_FIXED, AhConfig, AhInbound, AhOutbound, MAX_ICV};
