//! # zubr-filter — the packet filter engine
//!
//! The personal firewall and the IPsec classifier of Zubr (Bel VPN Client 4.1 behaviour,
//! product.md §7–9, lsp.md §5.5–7): decides for every packet, explains why, and keeps
//! connection state. Sans-IO and `no_std` + `alloc`: the host passes packets, interfaces and
//! time in and gets verdicts and engine events out. It depends only on `zubr-base`.
//!
//! * [`config`] — what the LSP compiler produces: chains of `Filter`s and of `FilteringRule`s,
//!   schedules, `NetworkInterface` bindings, TCP settings, IKE autopass.
//! * [`classify`] — the compiled classifier (partitioned elementary-interval indexes, see the
//!   module docs) and [`naive`] — the linear reference it is tested and benchmarked against.
//! * [`chain`] — first match, `JumpTo`, schedules, `ASSEMBLE` for fragments.
//! * [`conntrack`] — stateful TCP: two half-records per connection, per-state TTLs,
//!   strictness 0–6, limits with hysteresis, FTP PORT/PASV inspection ([`ftp`]).
//! * [`packet`], [`reasm`] — header parsing (`etherparse`) and bounded reassembly.
//! * [`event`] — every `klogview` message, masks, subsystems and the bounded queue.
//! * [`engine`] — the pipeline: DDP/LOP, binding, autopass, tracker, firewall, IPsec policy,
//!   SA input filter, events and verdict traces.
//!
//! It does not hold SAs, keys or IKE state, and it never reads a clock.
//!
//! ```
//! use zubr_base::{Instant, UnixTime};
//! use zubr_filter::{Engine, EngineSettings, Verdict, sample_policy};
//!
//! let mut engine = Engine::new(EngineSettings::default());
//! let eth0 = engine.add_interface("eth0", &["10.0.0.5".parse().unwrap()], &[]);
//! engine.load_policy(sample_policy(), UnixTime(1_750_000_000)).unwrap();
//! // an outbound DHCP request (IPv4 + UDP 68 -> 67)
//! let mut pkt = [0u8; 28];
//! pkt[0] = 0x45; pkt[3] = 28; pkt[8] = 64; pkt[9] = 17;
//! pkt[16..20].copy_from_slice(&[255, 255, 255, 255]);
//! pkt[20..22].copy_from_slice(&68u16.to_be_bytes());
//! pkt[22..24].copy_from_slice(&67u16.to_be_bytes());
//! pkt[25] = 8;
//! let v = engine.outbound(eth0, &pkt, false, Instant::from_secs(1));
//! assert!(matches!(v, Verdict::Drop(_)), "the sample firewall has no DHCP rule");
//! while let Some(line) = engine.events().pop() {
//!     println!("{line}"); // dropped out packet 0.0.0.0:68->255.255.255.255:67, …: firewall
//! }
//! ```
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
pub mod sample;
pub mod schedule;
pub mod selector;

pub use chain::{ChainOutcome, CompiledChain};
pub use classify::{Classifier, EnableSet, Key};
pub use config::*;
pub use engine::{Ddp, Engine, EngineSettings, Lop, PhyId, PolicyState, Trace, Verdict};
pub use sample::sample_policy;
pub use schedule::{Date, Schedule, TimeWindow, Weekday};
pub use selector::{Fields, PacketTypes, Selector};
