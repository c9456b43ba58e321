//! # zubr-filter — the packet filter engine
//!
//! Decides for every packet, explains why, and keeps connection state (work in progress).
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![warn(
    clippy::std_instead_of_core,
    clippy::alloc_instead_of_core,
    clippy::std_instead_of_alloc
)]

extern crate alloc;
#[cfg(any(test, feature = "std"))]
extern crate std;

pub mod chain;
pub mod classify;
pub mod config;
pub mod conntrack;
pub mod engine;
pub mod event;
pub mod ftp;
pub mod naive;
pub mod packet;
pub mod reasm;
pub mod schedule;
pub mod selector;

pub use chain::{ChainOutcome, CompiledChain};
pub use classify::{Classifier, EnableSet, Key};
pub use config::*;
pub use engine::{Ddp, Engine, EngineSettings, Lop, PhyId, PolicyState, Trace, Verdict};
pub use schedule::{Date, Schedule, TimeWindow, Weekday};
pub use selector::{Fields, PacketTypes, Selector};
