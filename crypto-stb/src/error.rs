//! The one error type of the provider. Variants name what went wrong, never secret material.

use core::fmt;

/// Why a cryptographic operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A key of the wrong length was supplied.
    InvalidKeyLength {
        /// Length the algorithm wants (the smallest accepted one if several are).
        expected: usize,
        /// Length that was supplied.
        got: usize,
    },
    /// An IV/nonce of the wrong length was supplied.
    InvalidIvLength,
    /// Input length is not acceptable (not a multiple of the block, too short, too long).
    InvalidLength,
    /// Output buffer is too small.
    BufferTooSmall,
    /// A MAC, ICV, AEAD tag or key-wrap header did not verify.
    AuthenticationFailed,
    /// A public key (DH value, EC point, RSA modulus) is malformed or fails validation.
    InvalidPublicKey,
    /// A private key is malformed or out of range.
    InvalidPrivateKey,
    /// A signature is malformed or does not verify.
    InvalidSignature,
    /// The random generator or the entropy source failed.
    RngFailure,
    /// The algorithm or parameter set is not supported by this provider.
    Unsupported,
    /// A signing key (e.g. on a token) is not accessible.
    KeyNotAccessible,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidKeyLength { expected, got } => {
                write!(f, "invalid key length {got} (expected {expected})")
            }
            Error::InvalidIvLength => f.write_str("invalid IV length"),
            Error::InvalidLength => f.write_str("invalid input length"),
            Error::BufferTooSmall => f.write_str("buffer is too small"),
            Error::AuthenticationFailed => f.write_str("integrity verification failed"),
            Error::InvalidPublicKey => f.write_str("invalid public key"),
            Error::InvalidPrivateKey => f.write_str("invalid private key"),
            Error::InvalidSignature => f.write_str("invalid signature"),
            Error::RngFailure => f.write_str("random generator failure"),
            Error::Unsupported => f.write_str("algorithm not supported"),
            Error::KeyNotAccessible => f.write_str("private key is not accessible"),
        }
    }
}

impl core::error::Error for Error {}
