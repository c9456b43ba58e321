//! belt-mac (STB 34.101.31 §6.6): a CBC-MAC over belt-block with the φ1/φ2 finalisation and a
//! 64-bit tag. Not CMAC (the `cmac` crate gives a different tag on A.17-1), so it is written
//! here, as a RustCrypto `digest::Mac` (`KeyInit` + `Update` + `FixedOutput`).
//!
//! Rule: s = 0, r = E(0); every block but the last: s = E(s ⊕ X_i); last block full:
//! s ⊕= X_n ⊕ φ1(r), partial (or the empty message): s ⊕= (X_n ‖ 0x80 ‖ 0…) ⊕ φ2(r);
//! T = Lo(E(s), 64). With r = u1‖u2‖u3‖u4: φ1 = u2‖u3‖u4‖(u1⊕u2), φ2 = (u1⊕u4)‖u1‖u2‖u3.
//!
//! Must not: allocate, or decide on the last block before the input is finished (the block
//! buffer holds back up to 16 bytes).

use cipher::consts::{U8, U32};
use digest::{
    FixedOutput, KeyInit, MacMarker, Output, OutputSizeUser, Update,
    common::{Key, KeySizeUser},
};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::block::{BeltCipher, Words, load_slice};

/// belt-mac state: key, the running CBC value and up to one held-back block.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct BeltMac {
    cipher: BeltCipher,
    r: Words,
    s: Words,
    buf: [u8; 16],
    len: usize,
}

impl core::fmt::Debug for BeltMac {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("BeltMac { .. }")
    }
}

impl BeltMac {
    /// Keys belt-mac with a 32-byte key.
    pub fn new_with_key(key: &[u8; 32]) -> Self {
        Self::from_cipher(BeltCipher::new(key))
    }

    /// belt-mac over an already keyed cipher (precomputes r = E(0)).
    pub fn from_cipher(cipher: BeltCipher) -> Self {
        let r = cipher.encrypt_w([0; 4]);
        BeltMac {
            cipher,
            r,
            s: [0; 4],
            buf: [0; 16],
            len: 0,
        }
    }

    /// Absorbs `data`.
    pub fn absorb(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            if self.len == 16 {
                let x = load_slice(&self.buf);
                self.s = self.cipher.encrypt_w(xor(self.s, x));
                self.len = 0;
            }
            let take = (16 - self.len).min(data.len());
            self.buf[self.len..self.len + take].copy_from_slice(&data[..take]);
            self.len += take;
            data = &data[take..];
        }
    }

    /// The 8-byte tag; the state is left unchanged (a clone can keep absorbing).
    pub fn tag(&self) -> [u8; 8] {
        let [u1, u2, u3, u4] = self.r;
        let s = if self.len == 16 {
            let phi1 = [u2, u3, u4, u1 ^ u2];
            xor(xor(self.s, load_slice(&self.buf)), phi1)
        } else {
            let mut last = [0u8; 16];
            last[..self.len].copy_from_slice(&self.buf[..self.len]);
            last[self.len] = 0x80;
            let phi2 = [u1 ^ u4, u1, u2, u3];
            xor(xor(self.s, load_slice(&last)), phi2)
        };
        let t = self.cipher.encrypt_w(s);
        let mut out = [0u8; 8];
        out[..4].copy_from_slice(&t[0].to_le_bytes());
        out[4..].copy_from_slice(&t[1].to_le_bytes());
        out
    }

    /// Resets to the empty message, keeping the key.
    pub fn reset_state(&mut self) {
        self.s = [0; 4];
        self.buf = [0; 16];
        self.len = 0;
    }

    /// One-shot belt-mac of `data` under `key`.
    pub fn compute(key: &[u8; 32], data: &[u8]) -> [u8; 8] {
        let mut m = Self::new_with_key(key);
        m.absorb(data);
        m.tag()
    }
}

fn xor(a: Words, b: Words) -> Words {
    [a[0] ^ b[0], a[1] ^ b[1], a[2] ^ b[2], a[3] ^ b[3]]
}

impl KeySizeUser for BeltMac {
    type KeySize = U32;
}

impl KeyInit for BeltMac {
    fn new(key: &Key<Self>) -> Self {
        let k: &[u8; 32] = key.as_ref();
        Self::new_with_key(k)
    }
}

impl OutputSizeUser for BeltMac {
    type OutputSize = U8;
}

impl Update for BeltMac {
    fn update(&mut self, data: &[u8]) {
        self.absorb(data);
    }
}

impl FixedOutput for BeltMac {
    fn finalize_into(self, out: &mut Output<Self>) {
        out.copy_from_slice(&self.tag());
    }
}

impl MacMarker for BeltMac {}
