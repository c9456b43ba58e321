//! GOST R 34.11-94 (RFC 5831) with the CryptoPro and test parameter sets, and HMAC over it
//! (RFC 2104, RFC 4357 §3), from the `gost94` and `hmac` crates. Nothing is hand-written here.

pub use gost94::{Gost94CryptoPro, Gost94Test};

/// HMAC-GOSTR3411-94 with the CryptoPro parameters (RFC 4357 §3), 32-byte output.
pub type HmacGost94CryptoPro = hmac::Hmac<Gost94CryptoPro>;

/// GOST R 34.11-94 output length.
pub const DIGEST_LEN: usize = 32;

#[cfg(feature = "alloc")]
mod provider {
    use super::{Gost94CryptoPro, Gost94Test};
    use crate::generic::{DigestHash, HmacMac};

    /// GOST R 34.11-94, id-GostR3411-94-CryptoProParamSet: the IKE hash `GR341194CPRO1-65534`.
    pub static GOSTR3411_94_CP: DigestHash<Gost94CryptoPro> = DigestHash::new();
    /// GOST R 34.11-94, id-GostR3411-94-TestParamSet.
    pub static GOSTR3411_94_TEST: DigestHash<Gost94Test> = DigestHash::new();
    /// HMAC-GOSTR3411-94 (CryptoPro) with a 32-byte key: the ESP/AH integrity
    /// `GR341194CPRO1-H96-HMAC-65534` (the transform truncates the ICV to 12 bytes).
    pub static HMAC_GOSTR3411_94_CP: HmacMac<Gost94CryptoPro> = HmacMac::new(32);
}

#[cfg(feature = "alloc")]
pub use provider::*;
