//! # zubr-base — the few types several Zubr crates share
//!
//! * [`time`] — [`Instant`] (a monotonic clock reading the host passes in) and [`UnixTime`] (wall
//!   clock for certificates and schedules). No crate reads a clock itself.
//! * [`reason`] — why a packet was dropped or passed ([`DropReason`], [`PassReason`]) and the
//!   IPsec error codes 1–18 ([`IpsecError`]), with the exact texts of the product's engine log
//!   (Bel VPN Client guide §13.20, product.md §9).
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

pub mod reason;
pub mod time;

pub use reason::{Direction, DropReason, IpsecError, PassReason};
pub use time::{Instant, UnixTime};
