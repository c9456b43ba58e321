//! International algorithms: AES, 3DES, DES, NULL, MD5, SHA-1, SHA-2, their HMACs, MODP and ECP
//! Diffie–Hellman, RSA and ECDSA. Thin adapters over the RustCrypto crates; hand-written code is
//! limited to what no maintained crate provides (see each submodule's docs):
//!
//! | module | what | implementation |
//! |---|---|---|
//! | [`hash`] | MD5, SHA-1, SHA-2, HMACs | `md-5`, `sha1`, `sha2`, `hmac` |
//! | [`cbc`] | AES/3DES/DES-CBC (IKE and ESP) | `aes`, `des`, `cbc` |
//! | [`gcm`] | ESP AES-GCM, RFC 4106 (transforms 18/19/20) | `aes-gcm` |
//! | [`null`] | ESP NULL (transform 11) | — |
//! | [`modp`] | DH groups 1, 2, 5, 14–18 | **hand-written** on `crypto-bigint` |
//! | [`ecp`] | DH groups 19, 20, 21 (RFC 5903 encoding) | `p256`, `p384`, `p521` |
//! | [`rsa`] | RSA PKCS#1 v1.5 incl. IKEv1 raw | **hand-written** on `crypto-bigint`; `pkcs1`/`pkcs8` DER |
//! | [`ecdsa`] | ECDSA P-256/P-384, DER and IKE `r ‖ s` | `p256`, `p384` (`ecdsa`) |
//!
//! Nothing here allocates on the ESP fast path (`EspCipherKey`/`MacKey` use), and nothing reads a
//! clock, the OS or global state.

pub mod cbc;
pub mod ecdsa;
pub mod ecp;
pub mod gcm;
pub mod hash;
pub mod modp;
pub mod null;
pub mod rsa;
