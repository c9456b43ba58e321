//! # zubr-ike — the Zubr IKEv1 engine
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![warn(
    clippy::std_instead_of_core,
    clippy::alloc_instead_of_core,
    clippy::std_instead_of_alloc
)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod codec;
pub mod config;
pub mod engine;
pub mod error;
pub mod keys;
pub mod proposal;

pub use config::Config;
pub use engine::{Acquire, ConnId, Engine, Event, IpsecSaPair, Transmit};
pub use error::{Ignored, IkeError};
