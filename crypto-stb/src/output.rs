//! [`Output`]: a fixed-capacity buffer for digests, MACs and PRF outputs, so that hashing never
//! needs the heap. Compared in constant time; `Debug` prints only the length.

use subtle::ConstantTimeEq;
use zeroize::Zeroize;

/// Largest digest/MAC any algorithm of the provider produces (SHA-512, belt-hash ‖ …).
pub const MAX_OUTPUT_LEN: usize = 64;

/// A digest, MAC or PRF output of up to [`MAX_OUTPUT_LEN`] bytes.
///
/// It may hold key material (PRF outputs such as SKEYID), so it is zeroized on drop and its
/// `Debug` form does not show the bytes.
#[derive(Clone)]
pub struct Output {
    buf: [u8; MAX_OUTPUT_LEN],
    len: usize,
}

impl Output {
    /// Copies `bytes` (at most [`MAX_OUTPUT_LEN`]; longer input is truncated — callers never
    /// produce more).
    pub fn new(bytes: &[u8]) -> Self {
        let len = bytes.len().min(MAX_OUTPUT_LEN);
        let mut buf = [0u8; MAX_OUTPUT_LEN];
        buf[..len].copy_from_slice(&bytes[..len]);
        Output { buf, len }
    }

    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// Number of bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Shortens to `len` bytes (no-op when already shorter), e.g. HMAC-SHA1-96.
    pub fn truncate(&mut self, len: usize) {
        if len < self.len {
            self.buf[len..self.len].zeroize();
            self.len = len;
        }
    }
}

impl AsRef<[u8]> for Output {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl PartialEq for Output {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice().ct_eq(other.as_slice()).into()
    }
}
impl Eq for Output {}

impl core::fmt::Debug for Output {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Output({} bytes)", self.len)
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        // Bytes past `len` are always zero (`new` writes only `..len`, `truncate` wipes the
        // tail), so only the used prefix needs wiping: 20 volatile writes for SHA-1 instead of
        // 64 — measurable on 64-byte hashes (benches/benches/crypto_intl.rs).
        let len = self.len.min(MAX_OUTPUT_LEN);
        self.buf[..len].zeroize();
    }
}
