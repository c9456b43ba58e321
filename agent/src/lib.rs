//! # zubr-agent — the Zubr security agent
//!
//! The composed, sans-IO security engine a host drives: it loads a compiled LSP policy
//! ([`zubr_lsp::Policy`]) into the packet filter (`zubr-filter`), the IKE engine (`zubr-ike`)
//! and ESP/AH SAs (`zubr-esp`, `zubr-ah`, `zubr_base::sadb`), and runs every packet through
//! the pipeline of lsp.md §7.1 (see [`agent`]).
//!
//! ```text
//!   host                                   Agent
//!   ────                                   ─────
//!   packet from the stack / TUN ── outbound(now, phy, buf) ──► Send / Queued / Drop(reason)
//!   packet from the wire        ── inbound(now, phy, buf)  ──► Deliver / Consumed / Drop(reason)
//!   UDP 500/4500 datagram       ── handle_datagram(now, local, remote, bytes)
//!   timer                       ── handle_timeout(now)
//!                               ◄─ poll_transmit()  IKE datagrams
//!                               ◄─ poll_output()    queued packets released, fragments, ICMP
//!                               ◄─ poll_notice()    SA up/down, IKECFG address
//!                               ◄─ events()         the klogview event log
//! ```
//!
//! * [`map`] — the one mapping from the LSP model to filter, IKE and IPsec-action configs.
//! * [`agent`] — [`Agent`]: policies (DDP, Log-off policy, fail closed), outbound and inbound
//!   paths, SA requests and queues, SA installation from IKE, IKECFG interface, management.
//! * [`frag`] — IPv4 fragmentation with the `frag_*` settings.
//! * [`memory`] — the byte budget of the packet copies the agent holds (queues, outputs).
//! * [`session`] — the user session (salted belt-pbkdf2 password, 3 tries then 30 s delays).
//! * [`settings`] — the `drv_mgr` table.
//! * [`mgmt`] — the utilities' text outputs (`sa_mgr`, `drv_mgr`, `dp_mgr`, `lsp_mgr show-info`,
//!   `if_show`, `fwconn_show`).
//! * [`keys`] — the PSK store the policy's `SharedIKESecret` names (and the certificate store).
//! * [`certs`] — `AuthMethodDSSign`: the local certificate from the `zubr-pki` store and the
//!   peer's certificates validated against it ([`StoreValidator`]).
//! * [`wire`] — IPv4/UDP/ICMP helpers for hosts.
//!
//! ## What it must not do
//! Read a clock, open sockets, block, or panic on anything from the network. Every drop carries
//! its product reason ([`zubr_base::DropReason`]).
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![warn(
    clippy::std_instead_of_core,
    clippy::alloc_instead_of_core,
    clippy::std_instead_of_alloc
)]

#[cfg(not(feature = "alloc"))]
compile_error!("zubr-agent needs the `alloc` feature");

extern crate alloc;

pub mod agent;
pub mod certs;
pub mod frag;
pub mod keys;
pub mod map;
pub mod memory;
pub mod mgmt;
pub mod session;
pub mod settings;
pub mod wire;

pub use agent::{
    Agent, AgentError, AgentSettings, Ddp, IkecfgAssignment, InResult, Lop, Notice, OutResult,
    Output, PhyId, PolicySource, PolicyState,
};
pub use certs::{SharedStore, StoreValidator};
pub use keys::{KeyStore, LiteralKeys, MemoryKeys};
pub use map::{MapError, Mapped, map_policy};
