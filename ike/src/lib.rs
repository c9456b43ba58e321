//! # zubr-ike — the Zubr IKEv1 engine
//!
//! IKEv1 (RFC 2407, 2408, 2409) as a deterministic, sans-IO state machine in the style of
//! quinn-proto: Main and Aggressive Mode with pre-shared keys or signatures (RSA, ECDSA, bign,
//! GOST R 34.10; CERT/CERTREQ, certificates checked by the host's
//! [`config::CertificateValidator`]), Quick Mode with and without PFS, Informational exchanges
//! (Delete, Notify, DPD of RFC 3706), remote access (XAuth client and server, Mode Config pull
//! and push, gateway address pools with tranches), IKE fragmentation (the vendor extension
//! strongSwan and Cisco use), NAT traversal (RFC 3947 and the drafts strongSwan accepts: NAT-D,
//! floating to port 4500, UDP-encapsulated modes, keep-alives), the IV chaining of RFC 2409
//! appendix B, retransmission with back-off, and a repeated request answered by resending the
//! message that answered it (a repeated answer is never answered: two peers would ping-pong).
//! Every algorithm comes from a
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
//! ```
//! use core::net::Ipv4Addr;
//! use zubr_base::Instant;
//! use zubr_crypto_stb::SOFTWARE;
//! use zubr_ike::config::*;
//! use zubr_ike::{Acquire, Engine, Event};
//!
//! let ike = IkeTransform {
//!     cipher: SOFTWARE.ike_cipher_by_name("aes128-cbc").unwrap(),
//!     hash: SOFTWARE.ike_hash_by_name("sha1").unwrap(),
//!     group: SOFTWARE.group_by_name("ecp256").unwrap(),
//!     lifetime_secs: 28800,
//!     lifetime_kb: 0,
//! };
//! let esp = EspTransform {
//!     cipher: SOFTWARE.esp_cipher_by_name("esp-aes128-cbc").unwrap(),
//!     integrity: SOFTWARE.integrity_by_name("esp-sha1-hmac"),
//!     lifetime_secs: 3600,
//!     lifetime_kb: 4_608_000,
//! };
//! let (a, b) = (Ipv4Addr::new(192, 0, 2, 1), Ipv4Addr::new(192, 0, 2, 2));
//! let side = |peer: Option<Ipv4Addr>, local: Selector, remote: Selector| {
//!     let mut c = Config::default();
//!     c.ike_rules.push(IkeRule::psk("ike", vec![PeerMatch::Any], Phase1Mode::Main, b"secret", vec![ike]));
//!     c.ipsec_rules.push(IpsecRule {
//!         name: "filter".into(), action_name: "action".into(), local, remote, peer,
//!         mode: IpsecMode::Tunnel, proposals: vec![esp], pfs: None, ike_rule: None, rekey: true,
//!     });
//!     c
//! };
//! let (na, nb) = (Selector::subnet(Ipv4Addr::new(10, 1, 0, 0), 24), Selector::subnet(Ipv4Addr::new(10, 2, 0, 0), 24));
//! let mut init = Engine::new(side(Some(b), na, nb), SOFTWARE, &[1; 32]).unwrap();
//! let mut resp = Engine::new(side(None, nb, na), SOFTWARE, &[2; 32]).unwrap();
//! let now = Instant::from_secs(1);
//! init.acquire(now, Acquire { rule: 0, peer: None, local: a }).unwrap();
//! let mut ready = 0;
//! for _ in 0..10 {
//!     // a perfect network: each side's output is the other side's input
//!     while let Some(t) = init.poll_transmit() {
//!         let _ = resp.handle_datagram(now, t.remote, t.local, &t.payload);
//!     }
//!     while let Some(t) = resp.poll_transmit() {
//!         let _ = init.handle_datagram(now, t.remote, t.local, &t.payload);
//!     }
//!     while let Some(e) = init.poll_event() {
//!         if let Event::IpsecSaReady(sa) = e {
//!             // hand sa.inbound / sa.outbound (SPI, keys) and sa.cipher / sa.integrity to ESP
//!             assert_eq!(sa.cipher.sa_name, "esp-aes128-cbc");
//!             ready += 1;
//!         }
//!     }
//! }
//! assert_eq!(ready, 1);
//! assert!(init.show(now, true).contains("status: active"));
//! ```
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
//! ## Where the extensions live
//! Signature authentication is a variant of [`config::AuthMethod`] (SKEYID, the payloads it
//! sends and their check are dispatched on it in `engine::phase1`); the engine never parses a
//! certificate. XAuth and Mode Config run as Transaction exchanges (type 6,
//! [`codec::AttributePayload`], `engine::transaction`) between phase 1 and the first Quick Mode,
//! while the ISAKMP SA shows `configuration`; the client's assigned address replaces an unset
//! local selector ([`engine::Event::ModeConfigReceived`]). IKE fragmentation (`engine::frag`)
//! reassembles [`codec::FragmentPayload`]s, bounded in count, bytes and time, before the
//! message dispatch, and cuts what we send to `FragmentSize` once the peer announced support.
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
