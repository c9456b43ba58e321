//! # zubr-pki — certificates, CRLs and key stores for Zubr
//!
//! What the Bel VPN Client's `cert_mgr` and `key_mgr` manage, as a `no_std` + `alloc` library:
//! X.509 certificates and CRLs with RSA, ECDSA, bign (STB 34.101.45 keys, STB 34.101.19
//! profile) and GOST R 34.10-2001 (RFC 4491) keys; files in PEM, DER, PKCS#7 bundles and
//! password-protected PKCS#12; a store of local certificates with their private keys, trusted
//! CAs, partner and intermediate certificates, certificate requests, CRLs and pre-shared keys;
//! chain validation at a given time with the four CRL handling modes; and matching of
//! certificates against IKE identities and the LSP's `CertDescription`.
//!
//! Signatures are never verified here: the signature algorithm's OID selects a scheme of the
//! [`CryptoProvider`](zubr_crypto_stb::CryptoProvider) (`zubr-crypto-stb`), which verifies with
//! the issuer's key in the provider's encoding ([`alg`] has the table). Private keys become the
//! provider's [`SigningKey`](zubr_crypto_stb::provider::SigningKey) objects; a key on a token
//! plugs in through the same trait ([`store::KeyContainers`]).
//!
//! | module | what |
//! |---|---|
//! | [`parse`] | files → [`Object`]s: PEM, DER, PKCS#7, PKCS#12 (hand-written bounded reader, see its docs) |
//! | [`cert`], [`crl`], [`name`], [`alg`], [`key`] | the objects: certificates and requests, CRLs, DNs, algorithms and public keys, private keys |
//! | [`store`] | [`Store`]: numbered objects as `cert_mgr` shows them, PSKs as `key_mgr` has them |
//! | [`dirstore`] (`std`) | the store in a directory |
//! | [`validate`] | chains, validity, key usage, CRL modes, `cert_mgr check` statuses |
//! | [`matching`] | DN patterns with `*`, `CertDescription`, IKE identities vs. certificates |
//! | [`report`] | the text of `cert_mgr show` / `check` |
//! | [`builder`] | signing certificates, CRLs and requests with any provider key (bign and GOST too) |
//!
//! Parsing uses `x509-cert` 0.3 on `der` 0.8 (the RustCrypto trait generation of the workspace);
//! `x509-parser` was not an option because it needs `std`.
//!
//! ## For the IKE layer
//!
//! * **Our certificate and key**: [`Store::find_local`] with the policy's `LocalCredential`
//!   ([`CertSelector`]), then [`Store::signing_key`] with [`KeyUse::Ike`] (RSA without
//!   DigestInfo, raw ECDSA; bign and GOST as in certificates) and the host's
//!   [`KeyContainers`](store::KeyContainers) for tokens; [`Store::issuer_chain`] gives the
//!   intermediates to send in CERT payloads, [`Store::trusted_subjects`] the CA names for
//!   CERTREQ. [`alg::ike_scheme`] names the provider scheme that verifies a peer's IKE
//!   signature with its certificate's key.
//! * **The peer's certificate**: [`Certificate::from_der`] on each CERT payload, then
//!   [`validate::validate`] at the current [`UnixTime`](zubr_base::UnixTime) with
//!   [`Policy::ike`](validate::Policy::ike)`(crl_mode)`, the payload certificates as `extras`
//!   and, for BEST_EFFORT, the host's [`CrlFetcher`](validate::CrlFetcher). Keep the returned
//!   [`ValidatedChain`](validate::ValidatedChain) with the ISAKMP SA; at phase-1 rekey call
//!   [`ValidatedChain::revalidate`](validate::ValidatedChain::revalidate): a certificate revoked
//!   since then fails the rekey while the live SAs run on (mGuard behaviour).
//! * **Identities**: [`Identity::bound_to`] checks the peer's ID payload against its
//!   certificate; [`IdentityPattern`] and [`CertSelector`] check them against the policy's
//!   `RemoteID` and `RemoteCredential`.
//!
//! ```
//! use zubr_base::UnixTime;
//! use zubr_crypto_stb::SOFTWARE;
//! use zubr_pki::builder::CertificateBuilder;
//! use zubr_pki::validate::{self, CrlMode, Policy};
//! use zubr_pki::{CertSelector, Identity, KeyKind, KeyUse, PrivateKey, Store};
//!
//! let mut rng = SOFTWARE.drbg.instantiate(&[7u8; 32]).unwrap();
//! let now = 1_750_000_000;
//! let year = 365 * 86_400;
//!
//! // a CA and a peer certificate, both bign (STB 34.101.45) keys
//! let ca_key = PrivateKey::generate(KeyKind::Bign256, &mut *rng).unwrap();
//! let ca = CertificateBuilder::new("C=BY,O=Zubr,CN=Test CA", 1, now - year, now + year)
//!     .unwrap()
//!     .ca(None)
//!     .sign(&ca_key.public_key().unwrap(), None, &*ca_key.signing_key(KeyUse::Certificate).unwrap(), &mut *rng)
//!     .unwrap();
//! let peer_key = PrivateKey::generate(KeyKind::Bign256, &mut *rng).unwrap();
//! let peer = CertificateBuilder::new("C=BY,O=Zubr,CN=gw-01", 2, now - year, now + year)
//!     .unwrap()
//!     .sign(&peer_key.public_key().unwrap(), Some(&ca), &*ca_key.signing_key(KeyUse::Certificate).unwrap(), &mut *rng)
//!     .unwrap();
//!
//! // the store trusts the CA
//! let mut store = Store::new();
//! store.add_trusted(ca).unwrap();
//!
//! // phase 1: the peer sent `peer` in a CERT payload and its subject DN as ID
//! let chain = validate::validate(
//!     &SOFTWARE, &store, &peer, &[], UnixTime::from_secs(now),
//!     &Policy::ike(CrlMode::Optional), None,
//! ).unwrap();
//! assert_eq!(chain.chain.len(), 2);
//! Identity::subject_of(&peer).bound_to(chain.leaf()).unwrap();
//! // the policy's RemoteCredential { Subject = "CN=gw-*" }
//! let sel = CertSelector::from_strings(&["CN=gw-*"], &[] as &[&str], &[] as &[&str]).unwrap();
//! assert!(sel.matches(chain.leaf()));
//! // the peer's IKE signature is checked with its key through the provider
//! let scheme = zubr_pki::alg::ike_scheme(peer.public_key()).unwrap();
//! let signer = peer_key.signing_key(KeyUse::Ike).unwrap();
//! let sig = signer.sign(&mut *rng, b"HASH_R").unwrap();
//! SOFTWARE.signature(scheme).unwrap().verifier.verify(&peer.public_key().key, b"HASH_R", &sig).unwrap();
//! ```
//!
//! ## What it must not do
//! No I/O outside [`dirstore`], no clock (time is a parameter), no panics or unbounded
//! allocation on hostile input: every size, count, nesting level, iteration count and chain
//! length has a named bound.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![warn(
    clippy::std_instead_of_core,
    clippy::alloc_instead_of_core,
    clippy::std_instead_of_alloc
)]

#[cfg(not(feature = "alloc"))]
compile_error!("zubr-pki needs the `alloc` feature");

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod error;
pub use error::Error;

pub mod alg;
pub mod asn1;
pub mod builder;
pub mod cert;
pub mod crl;
#[cfg(feature = "std")]
pub mod dirstore;
pub mod key;
pub mod matching;
pub mod name;
pub mod parse;
mod pbe;
pub mod report;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;
pub mod validate;

pub use cert::{CertRequest, Certificate, GeneralName};
pub use crl::Crl;
pub use key::{KeyKind, KeyUse, PrivateKey};
pub use matching::{CertSelector, DnPattern, Identity, IdentityPattern};
pub use name::DistinguishedName;
pub use parse::{Object, parse};
pub use store::{Role, Store, StoreError};
pub use validate::{CrlMode, Reason, Status};
