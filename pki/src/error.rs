//! The crate's error type for parsing and key handling. Validation outcomes are not errors: they
//! are [`crate::validate::Status`] values.

use core::fmt;

/// Why an object could not be parsed, decrypted or used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The encoding is broken (DER, PEM, PKCS#7/#12 structure); names what.
    Malformed(&'static str),
    /// A well-formed object uses an algorithm or form this crate does not handle; names it.
    Unsupported(&'static str),
    /// A bound was exceeded (object size, count, iterations); names which.
    TooLarge(&'static str),
    /// The object is password-protected and no password was given.
    PasswordRequired,
    /// The password does not open the object (MAC or padding check failed).
    WrongPassword,
    /// The private key does not belong to the certificate.
    KeyMismatch,
    /// The crypto provider refused an operation.
    Crypto(zubr_crypto_stb::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Malformed(what) => write!(f, "malformed object: {what}"),
            Error::Unsupported(what) => write!(f, "unsupported: {what}"),
            Error::TooLarge(what) => write!(f, "too large: {what}"),
            Error::PasswordRequired => f.write_str("password required"),
            Error::WrongPassword => f.write_str("wrong password"),
            Error::KeyMismatch => f.write_str("private key is not consistent with the certificate"),
            Error::Crypto(e) => write!(f, "crypto: {e}"),
        }
    }
}

impl core::error::Error for Error {}

impl From<zubr_crypto_stb::Error> for Error {
    fn from(e: zubr_crypto_stb::Error) -> Self {
        Error::Crypto(e)
    }
}
