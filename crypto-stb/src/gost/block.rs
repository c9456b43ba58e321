//! The GOST 28147-89 block function in the RFC 5830 / CryptoPro byte convention, on top of the
//! `magma` crate, plus CryptoPro key meshing (RFC 4357 §2.3.2) and the 16-round IMIT transform.
//!
//! `magma::Gost89<S>` follows GOST R 34.12-2015: key words and block halves big-endian. GOST
//! 28147-89 as CryptoPro, RFC 5830 and every IPsec/TLS implementation use it takes the key as eight
//! little-endian words K0..K7 and the block as N1 (LE, bytes 0..3) ‖ N2 (LE, bytes 4..7). The two
//! agree once the bytes of every key word are reversed (word order kept) and all eight bytes of a
//! block are reversed before and after the call (crypto.md §1.3) — that is all this wrapper adds.
//!
//! The IMIT transform (16 rounds, no final swap) is not offered by `magma`; it is written here
//! from GOST 28147-89 §5 over the round function of [`GostSbox`]. This module must not know about
//! modes or padding.

use core::fmt;
use core::marker::PhantomData;

use cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use magma::{Gost89, Sbox};
use zeroize::Zeroize;

use super::sbox::GostSbox;
use crate::Error;

/// Key length in bytes.
pub const KEY_LEN: usize = 32;
/// Block length in bytes.
pub const BLOCK_LEN: usize = 8;

/// C of RFC 4357 §2.3.2: the new key is the ECB decryption of C under the old key.
pub const CRYPTOPRO_MESHING_C: [u8; 32] = [
    0x69, 0x00, 0x72, 0x22, 0x64, 0xC9, 0x04, 0x23, 0x8D, 0x3A, 0xDB, 0x96, 0x46, 0xE9, 0x2A, 0xC4,
    0x18, 0xFE, 0xAC, 0x94, 0x00, 0xED, 0x07, 0x12, 0xC0, 0x86, 0xDC, 0xC2, 0xEF, 0x4C, 0xA9, 0x2B,
];

/// A keyed GOST 28147-89 block cipher over S-box `S`. Zeroized on drop; `Debug` shows no key.
pub struct Gost28147<S: Sbox> {
    /// K0..K7 as little-endian words (for IMIT).
    words: [u32; 8],
    /// The same key in `magma`'s convention.
    inner: Gost89<S>,
    _s: PhantomData<S>,
}

impl<S: Sbox> Clone for Gost28147<S> {
    fn clone(&self) -> Self {
        Gost28147 {
            words: self.words,
            inner: self.inner.clone(),
            _s: PhantomData,
        }
    }
}

impl<S: Sbox> Drop for Gost28147<S> {
    fn drop(&mut self) {
        // `inner` zeroizes itself (magma's `zeroize` feature is on).
        self.words.zeroize();
    }
}

impl<S: Sbox> fmt::Debug for Gost28147<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Gost28147<{}> {{ .. }}", S::NAME)
    }
}

impl<S: Sbox> Gost28147<S> {
    /// Keys the cipher with a 32-byte key in the GOST 28147-89 convention (eight LE words).
    pub fn new(key: &[u8; KEY_LEN]) -> Self {
        let mut words = [0u32; 8];
        let mut be = [0u8; KEY_LEN];
        for ((w, src), dst) in words
            .iter_mut()
            .zip(key.as_chunks::<4>().0)
            .zip(be.as_chunks_mut::<4>().0)
        {
            *w = u32::from_le_bytes(*src);
            *dst = w.to_be_bytes();
        }
        let inner = Gost89::<S>::new(&be.into());
        be.zeroize();
        Gost28147 {
            words,
            inner,
            _s: PhantomData,
        }
    }

    /// Keys the cipher from a slice, which must be exactly [`KEY_LEN`] bytes.
    pub fn new_from_slice(key: &[u8]) -> Result<Self, Error> {
        let key: &[u8; KEY_LEN] = key.try_into().map_err(|_| Error::InvalidKeyLength {
            expected: KEY_LEN,
            got: key.len(),
        })?;
        Ok(Self::new(key))
    }

    /// Encrypts one block in place (32 rounds, "простая замена").
    #[inline]
    pub fn encrypt_block(&self, block: &mut [u8; BLOCK_LEN]) {
        block.reverse();
        self.inner.encrypt_block(block.into());
        block.reverse();
    }

    /// Decrypts one block in place.
    #[inline]
    pub fn decrypt_block(&self, block: &mut [u8; BLOCK_LEN]) {
        block.reverse();
        self.inner.decrypt_block(block.into());
        block.reverse();
    }

    /// CryptoPro key meshing (RFC 4357 §2.3.2): the cipher keyed with `ECB-decrypt(K, C)`.
    /// The caller also re-encrypts its IV with the new key where the mode requires it.
    pub fn key_meshed(&self) -> Self {
        let mut k = CRYPTOPRO_MESHING_C;
        for block in k.as_chunks_mut::<BLOCK_LEN>().0 {
            self.decrypt_block(block);
        }
        let out = Self::new(&k);
        k.zeroize();
        out
    }

    /// The 16-round transform of GOST 28147-89 §5 (the MAC step): rounds with K0..K7, K0..K7
    /// on the state N1 ‖ N2, without the final swap. `state` is updated in place.
    #[inline]
    pub fn imit_rounds(&self, state: &mut [u8; BLOCK_LEN]) {
        let (lo, hi) = state.split_at(4);
        let mut n1 = u32::from_le_bytes([lo[0], lo[1], lo[2], lo[3]]);
        let mut n2 = u32::from_le_bytes([hi[0], hi[1], hi[2], hi[3]]);
        let k = &self.words;
        for _ in 0..2 {
            // Two rounds per step, naming the halves instead of swapping them.
            n2 ^= S::f(n1.wrapping_add(k[0]));
            n1 ^= S::f(n2.wrapping_add(k[1]));
            n2 ^= S::f(n1.wrapping_add(k[2]));
            n1 ^= S::f(n2.wrapping_add(k[3]));
            n2 ^= S::f(n1.wrapping_add(k[4]));
            n1 ^= S::f(n2.wrapping_add(k[5]));
            n2 ^= S::f(n1.wrapping_add(k[6]));
            n1 ^= S::f(n2.wrapping_add(k[7]));
        }
        state[..4].copy_from_slice(&n1.to_le_bytes());
        state[4..].copy_from_slice(&n2.to_le_bytes());
    }

    /// The full 32-round encryption computed with [`GostSbox`] instead of `magma` (used by the
    /// tests as a second implementation of the block function).
    #[cfg(test)]
    pub(crate) fn encrypt_block_reference(&self, block: &mut [u8; BLOCK_LEN]) {
        let mut n1 = u32::from_le_bytes([block[0], block[1], block[2], block[3]]);
        let mut n2 = u32::from_le_bytes([block[4], block[5], block[6], block[7]]);
        for i in 0..32 {
            let k = if i < 24 {
                self.words[i % 8]
            } else {
                self.words[7 - (i % 8)]
            };
            let t = n2 ^ S::f(n1.wrapping_add(k));
            n2 = n1;
            n1 = t;
        }
        // Output N2 ‖ N1: the last round does not swap.
        block[..4].copy_from_slice(&n2.to_le_bytes());
        block[4..].copy_from_slice(&n1.to_le_bytes());
    }
}
