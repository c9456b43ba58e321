//! # zubr-ike — the Zubr IKEv1 engine
//!
//! IKEv1 (RFC 2407, 2408, 2409) as a deterministic, sans-IO state machine in the style of
//! quinn-proto: Main and Aggressive Mode with pre-shared keys, Quick Mode with and without PFS,
//! Informational exchanges (Delete, Notify, DPD of RFC 3706), NAT traversal (RFC 3947 and the
//! drafts strongSwan accepts: NAT-D, floating to port 4500, UDP-encapsulated modes,
//! keep-alives), the IV chaining of RFC 2409 appendix B, retransmission with back-off, and
//! duplicate requests answered by resending the last response. Every algorithm comes from a
//! [`zubr_crypto_stb::CryptoProvider`] looked up by wire number: the international suite, and
//! GOST/STB suites as soon as the provider's tables carry them.
//!
//! It has **no sockets, no clock, no threads**: the host feeds datagrams and time in and sends
//! what comes out.
//!
//! ```text
//!   host loop                                   Engine
//!   ─────────                                   ──────
//!   UDP 500/4500 datagram ─ handle_datagram(now, local, remote, bytes) ─►
//!   timer fired          ── handle_timeout(now) ───────────────────────►
//!   packet needs an SA   ── acquire(now, Acquire { rule, .. }) ────────►
//!                        ◄─ poll_transmit() → Transmit { local, remote, payload }
//!                        ◄─ poll_event()    → Event::IpsecSaReady(keys, SPIs, algorithms) …
//!   sleep until          ◄─ poll_timeout()
//! ```
//!
//! After every input, drain `poll_transmit` and `poll_event` until `None`, then sleep until
//! `poll_timeout()`. `handle_timeout` may be called early; it only does what is due.
//!
//! * [`config`] — the typed configuration an LSP policy compiles to (rules, transforms,
//!   authentication methods, identities, timers `SendRetries`/`RetryTimeBase`/`RetryTimeMax`/
//!   `SessionTimeMax`, resource limits).
//! * [`engine`] — [`Engine`], its events and management calls (`sa_mgr show` model via
//!   [`Engine::isakmp_list`]/[`Engine::ipsec_list`]/[`Engine::show`], `sa_mgr clear` via
//!   [`Engine::clear_isakmp`]/[`Engine::clear_ipsec`]/[`Engine::clear_all`]).
//! * [`codec`] — the ISAKMP wire format (also the Transaction exchange's attribute payload and
//!   the fragment payload, for XAuth/Mode Config and IKE fragmentation).
//! * [`proposal`] — SA payloads and the choice between proposals.
//! * [`keys`] — SKEYID, SKEYID_d/a/e, IVs, HASH_I/R, Quick Mode hashes, KEYMAT.
//! * [`listing`] — the `sa_mgr show` text forms.
//!
//! ## Resource bounds
//! A first message from an unknown peer allocates state only below the half-open caps
//! ([`config::Limits`]); Main Mode spends no Diffie–Hellman work before the peer's third
//! message, Aggressive Mode at most one key pair per admitted half-open SA. Outbox, event queue,
//! Quick Modes per SA, payloads per message and every list parsed from the wire are bounded.
//!
//! ## Extending
//! Signature authentication adds a variant to [`config::AuthMethod`] (SKEYID, the payloads it
//! sends and their check are dispatched on it in `engine::phase1`); XAuth and Mode Config run as
//! Transaction exchanges (type 6, [`codec::AttributePayload`]); IKE fragmentation reassembles
//! [`codec::FragmentPayload`]s before `handle_datagram`'s message parsing.
//!
//! ## What it must not do
//! Touch packets of the data plane (the host hands keys to `zubr-esp`), read a clock, or
//! panic/allocate without bound on anything a peer sends.
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
pub mod listing;
pub mod proposal;

pub use config::Config;
pub use engine::{Acquire, ConnId, Engine, Event, IpsecSaPair, Transmit};
pub use error::{Ignored, IkeError};
