//! belt-dwp (STB 34.101.31 §6.7, "datawrap") and belt-che (2020 edition): authenticated
//! encryption with associated data, 128-bit IV, 64-bit tag, as RustCrypto `aead` 0.6 types.
//!
//! belt-dwp: s = E(S), r = E(s), t = H[0..16). For each 16-byte block of I (zero-padded):
//! t = (t ⊕ I_i)·r. Encryption is belt-ctr from s; for each ciphertext block (zero-padded):
//! t = (t ⊕ Y_i)·r. Then t ⊕= ⟨|I|·8⟩_64 ‖ ⟨|X|·8⟩_64 and T = Lo(E(t·r), 64).
//! belt-che differs in two places: r = s, and the counter step is s ← (s·x) ⊕ 1.
//! Multiplication is in GF(2^128) modulo x^128 + x^7 + x^2 + x + 1, bit i of the little-endian
//! 128-bit integer being the coefficient of x^i.
//!
//! The multiplication uses the maintained `polyval` crate (carry-less multiply instructions where
//! the CPU has them). POLYVAL's field is defined by the reciprocal polynomial
//! x^128 + x^127 + x^126 + x^121 + 1 and its product carries a factor x^−128. With φ = reversal
//! of the 128 bits, φ(a)·φ(b) ≡ x^127·φ(ab) (mod the reciprocal polynomial), so
//! POLYVAL_{x·φ(r)}(φ(B_1), …) = φ(belt's ((B_1·r ⊕ B_2)·r …)): every block is bit-reversed on
//! the way in, the key is φ(r)·x, and the result is reversed back. The STB vectors A.19/A.20
//! (both algorithms) prove the mapping.
//!
//! Decryption checks the tag before it decrypts; on failure the buffer is left as ciphertext.
//! Must not: allocate, or compare tags in variable time.

use aead::{AeadCore, AeadInOut, TagPosition, inout::InOutBuf};
use cipher::consts::{U8, U16, U32};
use digest::common::{Key, KeyInit, KeySizeUser};
use polyval::Polyval;
use polyval::universal_hash::UniversalHash;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::block::{BeltCipher, H, Words};
use super::modes::{ctr_xor, u128_words, words_u128};
use crate::Error;

/// belt-dwp/belt-che start value t = H[0..16) as a little-endian integer.
const T0: u128 = u128::from_le_bytes([
    H[0], H[1], H[2], H[3], H[4], H[5], H[6], H[7], H[8], H[9], H[10], H[11], H[12], H[13], H[14],
    H[15],
]);

/// Multiplication by x in belt's field.
#[inline(always)]
fn belt_mulx(v: u128) -> u128 {
    (v << 1) ^ ((v >> 127) * 0x87)
}

/// Multiplication by x in POLYVAL's field (mulX_POLYVAL of RFC 8452).
#[inline(always)]
fn polyval_mulx(v: u128) -> u128 {
    let q = (1u128 << 127) | (1u128 << 126) | (1u128 << 121) | 1;
    (v << 1) ^ ((v >> 127) * q)
}

/// The polynomial MAC t ← (t ⊕ B)·r of belt-dwp/che over POLYVAL (see the module docs).
struct PolyMac {
    p: Polyval,
    /// φ(t0) still to be folded into the first absorbed block.
    pending: u128,
}

impl PolyMac {
    fn new(r: u128) -> Self {
        let mut h = polyval_mulx(r.reverse_bits()).to_le_bytes();
        let p = Polyval::new(&h.into());
        h.zeroize();
        PolyMac {
            p,
            pending: T0.reverse_bits(),
        }
    }

    #[inline(always)]
    fn map(&mut self, block: &[u8]) -> polyval::Block {
        let mut b = [0u8; 16];
        b[..block.len()].copy_from_slice(block);
        let v = u128::from_le_bytes(b).reverse_bits() ^ self.pending;
        self.pending = 0;
        v.to_le_bytes().into()
    }

    /// Absorbs `data` as a zero-padded sequence of 16-byte blocks (one call = one padded field).
    fn absorb_padded(&mut self, data: &[u8]) {
        let mut quads = data.chunks_exact(64);
        for q in &mut quads {
            let mut blocks = [polyval::Block::default(); 4];
            for (dst, src) in blocks.iter_mut().zip(q.chunks_exact(16)) {
                *dst = self.map(src);
            }
            self.p.update(&blocks);
        }
        for b in quads.remainder().chunks(16) {
            let blk = self.map(b);
            self.p.update(&[blk]);
        }
    }

    /// Finishes with the length block; returns belt's t·r.
    fn finish(mut self, aad_len: usize, data_len: usize) -> u128 {
        let mut lens = [0u8; 16];
        lens[..8].copy_from_slice(&((aad_len as u64).wrapping_mul(8)).to_le_bytes());
        lens[8..].copy_from_slice(&((data_len as u64).wrapping_mul(8)).to_le_bytes());
        let blk = self.map(&lens);
        self.p.update(&[blk]);
        let acc = self.p.finalize();
        let mut a = [0u8; 16];
        a.copy_from_slice(&acc);
        u128::from_le_bytes(a).reverse_bits()
    }
}

/// Which of the two AEADs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Variant {
    /// belt-dwp.
    Dwp,
    /// belt-che.
    Che,
}

/// s = E(S) and the MAC key r for `v`.
fn start(c: &BeltCipher, v: Variant, iv: &[u8; 16]) -> (u128, u128) {
    let s0 = words_u128(&c.encrypt_w(super::block::load(iv)));
    let r = match v {
        Variant::Dwp => words_u128(&c.encrypt_w(u128_words(s0))),
        Variant::Che => s0,
    };
    (s0, r)
}

fn keystream(c: &BeltCipher, v: Variant, s: &mut u128, data: &mut [u8]) {
    match v {
        Variant::Dwp => ctr_xor(c, s, data),
        Variant::Che => che_xor(c, s, data),
    }
}

fn final_tag(c: &BeltCipher, mac: PolyMac, aad_len: usize, data_len: usize) -> [u8; 8] {
    let t = mac.finish(aad_len, data_len);
    let e = c.encrypt_w(u128_words(t));
    let mut tag = [0u8; 8];
    tag[..4].copy_from_slice(&e[0].to_le_bytes());
    tag[4..].copy_from_slice(&e[1].to_le_bytes());
    tag
}

/// Encrypts `data` in place and returns the tag. The keystream and the MAC run over 64-byte
/// chunks (a multiple of 16, so only the last block is ever padded).
pub(crate) fn encrypt(
    c: &BeltCipher,
    v: Variant,
    iv: &[u8; 16],
    aad: &[u8],
    data: &mut [u8],
) -> [u8; 8] {
    let (mut s, r) = start(c, v, iv);
    let mut mac = PolyMac::new(r);
    mac.absorb_padded(aad);
    for chunk in data.chunks_mut(64) {
        keystream(c, v, &mut s, chunk);
        mac.absorb_padded(chunk);
    }
    final_tag(c, mac, aad.len(), data.len())
}

/// The tag of ciphertext `ct`.
fn tag_of_ciphertext(c: &BeltCipher, v: Variant, iv: &[u8; 16], aad: &[u8], ct: &[u8]) -> [u8; 8] {
    let (_, r) = start(c, v, iv);
    let mut mac = PolyMac::new(r);
    mac.absorb_padded(aad);
    mac.absorb_padded(ct);
    final_tag(c, mac, aad.len(), ct.len())
}

/// Checks `tag` (1..=8 bytes, constant time) over `aad` and the ciphertext, then decrypts in
/// place. On failure `data` is left as it was.
pub(crate) fn decrypt(
    c: &BeltCipher,
    v: Variant,
    iv: &[u8; 16],
    aad: &[u8],
    data: &mut [u8],
    tag: &[u8],
) -> Result<(), Error> {
    let want = tag_of_ciphertext(c, v, iv, aad, data);
    if tag.is_empty() || tag.len() > 8 || !bool::from(want[..tag.len()].ct_eq(tag)) {
        return Err(Error::AuthenticationFailed);
    }
    let (mut s, _) = start(c, v, iv);
    keystream(c, v, &mut s, data);
    Ok(())
}

/// belt-che keystream: per block s ← s·x ⊕ 1, Y = X ⊕ Lo(E(s)).
fn che_xor(c: &BeltCipher, s: &mut u128, data: &mut [u8]) {
    let mut quads = data.chunks_exact_mut(64);
    for q in &mut quads {
        let mut w: [Words; 4] = [[0; 4]; 4];
        for blk in w.iter_mut() {
            *s = belt_mulx(*s) ^ 1;
            *blk = u128_words(*s);
        }
        c.encrypt_words(&mut w);
        for (l, b) in q.chunks_exact_mut(16).enumerate() {
            let g = w[l];
            for (i, ch) in b.chunks_exact_mut(4).enumerate() {
                let x = u32::from_le_bytes([ch[0], ch[1], ch[2], ch[3]]) ^ g[i];
                ch.copy_from_slice(&x.to_le_bytes());
            }
        }
    }
    for b in quads.into_remainder().chunks_mut(16) {
        *s = belt_mulx(*s) ^ 1;
        let g = words_u128(&c.encrypt_w(u128_words(*s))).to_le_bytes();
        b.iter_mut().zip(g.iter()).for_each(|(d, k)| *d ^= k);
    }
}

macro_rules! aead_type {
    ($name:ident, $variant:expr, $doc:literal) => {
        #[doc = $doc]
        #[derive(Clone, Zeroize, ZeroizeOnDrop)]
        pub struct $name {
            cipher: BeltCipher,
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(concat!(stringify!($name), " { .. }"))
            }
        }

        impl $name {
            /// Keys the AEAD with a 32-byte key.
            pub fn new_with_key(key: &[u8; 32]) -> Self {
                $name {
                    cipher: BeltCipher::new(key),
                }
            }

            /// Encrypts `data` in place, authenticating `aad`; returns the 8-byte tag.
            pub fn encrypt_detached(&self, iv: &[u8; 16], aad: &[u8], data: &mut [u8]) -> [u8; 8] {
                encrypt(&self.cipher, $variant, iv, aad, data)
            }

            /// Checks `tag` (1..=8 bytes, constant time) over `aad` and the ciphertext `data`,
            /// then decrypts in place. On failure `data` is unchanged.
            pub fn decrypt_detached(
                &self,
                iv: &[u8; 16],
                aad: &[u8],
                data: &mut [u8],
                tag: &[u8],
            ) -> Result<(), Error> {
                decrypt(&self.cipher, $variant, iv, aad, data, tag)
            }
        }

        impl KeySizeUser for $name {
            type KeySize = U32;
        }

        impl KeyInit for $name {
            fn new(key: &Key<Self>) -> Self {
                let k: &[u8; 32] = key.as_ref();
                Self::new_with_key(k)
            }
        }

        impl AeadCore for $name {
            type NonceSize = U16;
            type TagSize = U8;
            const TAG_POSITION: TagPosition = TagPosition::Postfix;
        }

        impl AeadInOut for $name {
            fn encrypt_inout_detached(
                &self,
                nonce: &aead::Nonce<Self>,
                associated_data: &[u8],
                buffer: InOutBuf<'_, '_, u8>,
            ) -> aead::Result<aead::Tag<Self>> {
                let iv: &[u8; 16] = nonce.as_ref();
                // Copy in → out (a no-op for in-place buffers), then work in place.
                let data = buffer.into_out_with_copied_in();
                let tag = self.encrypt_detached(iv, associated_data, data);
                Ok(tag.into())
            }

            fn decrypt_inout_detached(
                &self,
                nonce: &aead::Nonce<Self>,
                associated_data: &[u8],
                buffer: InOutBuf<'_, '_, u8>,
                tag: &aead::Tag<Self>,
            ) -> aead::Result<()> {
                let iv: &[u8; 16] = nonce.as_ref();
                let want =
                    tag_of_ciphertext(&self.cipher, $variant, iv, associated_data, buffer.get_in());
                if !bool::from(want.ct_eq(tag.as_slice())) {
                    return Err(aead::Error);
                }
                let data = buffer.into_out_with_copied_in();
                let (mut s, _) = start(&self.cipher, $variant, iv);
                keystream(&self.cipher, $variant, &mut s, data);
                Ok(())
            }
        }
    };
}

aead_type!(
    BeltDwp,
    Variant::Dwp,
    "belt-dwp (STB 34.101.31 §6.7): belt-ctr encryption plus a GF(2^128) polynomial MAC, \
     16-byte IV, 8-byte tag."
);
aead_type!(
    BeltChe,
    Variant::Che,
    "belt-che (STB 34.101.31-2020): like belt-dwp with r = E(S) and the counter s ← s·x ⊕ 1."
);
