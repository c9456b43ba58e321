//! International algorithms: AES, 3DES, DES, NULL, MD5, SHA-1, SHA-2, their HMACs, MODP and ECP
//! Diffie–Hellman, RSA and ECDSA. Thin adapters over the RustCrypto crates; hand-written code is
//! limited to what no maintained crate provides (see each submodule's docs).

pub mod cbc;
pub mod ecdsa;
pub mod ecp;
pub mod gcm;
pub mod hash;
pub mod modp;
pub mod null;
pub mod rsa;
