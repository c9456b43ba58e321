//! Randomness: the [`Rng`] trait every operation that needs random bytes takes, the
//! [`EntropySource`] a host provides, and an adapter to `rand_core` for the RustCrypto crates.
//!
//! The default DRBG is STB 34.101.47 brng-ctr over an entropy source the host provides
//! (`crate::brng`). Nothing here reads the operating system: that is the host's job.

use crate::Error;

/// A cryptographically secure random generator.
///
/// Implementations must not be `Copy` and must not print their state in `Debug`.
pub trait Rng: Send {
    /// Fills `out` with random bytes.
    fn fill(&mut self, out: &mut [u8]) -> Result<(), Error>;
}

/// Where fresh entropy comes from (the OS, a hardware RNG, a token, `rnd_mgr` seeding).
pub trait EntropySource: Send {
    /// Fills `out` with full-entropy bytes.
    fn fill_entropy(&mut self, out: &mut [u8]) -> Result<(), Error>;
}

impl<R: Rng + ?Sized> Rng for &mut R {
    fn fill(&mut self, out: &mut [u8]) -> Result<(), Error> {
        (**self).fill(out)
    }
}

/// Presents any [`Rng`] as a `rand_core` 0.10 `TryCryptoRng`, for the RustCrypto crates
/// (EC key generation, ECDSA) that take one.
pub struct RandCore<'a, R: Rng + ?Sized>(pub &'a mut R);

impl<R: Rng + ?Sized> rand_core::TryRng for RandCore<'_, R> {
    type Error = Error;

    fn try_next_u32(&mut self) -> Result<u32, Error> {
        let mut b = [0u8; 4];
        self.0.fill(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Error> {
        let mut b = [0u8; 8];
        self.0.fill(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Error> {
        self.0.fill(dst)
    }
}

impl<R: Rng + ?Sized> rand_core::TryCryptoRng for RandCore<'_, R> {}
