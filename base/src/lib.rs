//! # zubr-base — the few types several Zubr crates share
//!
//! * [`time`] — [`Instant`] (a monotonic clock reading the host passes in) and [`UnixTime`] (wall
//!   clock for certificates and schedules). No crate reads a clock itself.
//! * [`reason`] — why a packet was dropped or passed ([`DropReason`], [`PassReason`]) and the
//!   IPsec error codes 1–18 ([`IpsecError`]), with the exact texts of the product's engine log
//!   (Bel VPN Client guide §13.20, product.md §9).
//! * [`buf`] — [`PacketBuf`], a packet in a caller-owned buffer with headroom and tailroom.
//! * [`ip`] — IPv4 header helpers and the Internet checksum.
//! * [`replay`] — the anti-replay window (with ESN inference).
//! * [`lifetime`] — soft/hard SA lifetimes in bytes, packets and seconds.
//! * [`sa`] — what ESP and AH SAs share: parameters, sequence counter, counters, the `sa_mgr`
//!   listing, and the [`InboundSa`]/[`OutboundSa`] traits.
//! * [`sadb`] (feature `alloc`) — the SA database with bundles and nested encapsulation, written
//!   once for both protocols.
//!
//! It must stay small: a type goes here only when at least two sibling crates need it; nothing
//! here depends on any other Zubr crate.
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

pub mod buf;
pub mod ip;
pub mod lifetime;
pub mod reason;
pub mod replay;
pub mod sa;
#[cfg(feature = "alloc")]
pub mod sadb;
#[cfg(feature = "testing")]
pub mod testing;
pub mod time;

pub use buf::PacketBuf;
pub use lifetime::{Lifetime, LifetimeEvent, Limits};
pub use reason::{Direction, DropReason, IpsecError, PassReason};
pub use replay::ReplayWindow;
pub use sa::{InboundSa, IpsecProtocol, Mode, OutboundSa, SaParams};
pub use time::{Instant, UnixTime};
