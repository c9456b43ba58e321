//! GOST 28147-89 modes: ECB (§2), CNT/gamma (§3), CFB/gamma with feedback (§4), CBC (RFC 4357
//! §2.1) and the IMIT MAC (§5), each with optional CryptoPro key meshing (RFC 4357 §2.3.2).
//!
//! Hand-written: no maintained crate implements these modes with GOST's counter constants,
//! IMIT or key meshing. Behaviour at the edges follows OpenSSL's gost-engine, the implementation
//! CryptoPro-compatible peers interoperate with:
//! * meshing happens before a block whose byte offset is a positive multiple of 1024; the key
//!   becomes `ECB-decrypt(K, C)`, then the running IV (CFB/CBC feedback register, CNT counter) is
//!   ECB-encrypted with the new key; IMIT changes only the key;
//! * CNT encrypts the IV once to get N3 ‖ N4, then adds C2 = 0x01010101 to N3 (mod 2³²) and
//!   C1 = 0x01010104 to N4 (mod 2³² − 1) before each block;
//! * IMIT pads the last block with zeros, and a message of one block or less gets a second, zero
//!   block (the standard requires two); the tag is the first bytes of the state N1 ‖ N2.
//!
//! CBC meshing [Z]: RFC 4357 defines meshing for "encrypt, decrypt or MAC" generically and
//! gost-engine does not mesh CBC; whether S-Terra does is open (crypto.md §5.2), so CBC takes a
//! [`KeyMeshing`] switch and applies the same rule (IV = last ciphertext block, re-encrypted).
//!
//! A mode value starts from a borrowed key and only copies it when meshing changes it, so short
//! messages cost no key copy. Nothing here allocates.

use magma::Sbox;

use super::block::{BLOCK_LEN, Gost28147};
use crate::Error;

/// Bytes processed with one key before CryptoPro key meshing changes it.
pub const MESHING_INTERVAL: usize = 1024;
const MESHING_BLOCKS: usize = MESHING_INTERVAL / BLOCK_LEN;

/// Whether CryptoPro key meshing (RFC 4357 §2.3.2) is applied every 1024 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyMeshing {
    /// Plain GOST 28147-89: one key for the whole message.
    None,
    /// CryptoPro key meshing (id-Gost28147-89-CryptoPro-KeyMeshing, 1.2.643.2.2.14.1).
    CryptoPro,
}

/// The key a mode runs with: the caller's, until meshing replaces it with an owned one.
enum KeyState<'k, S: Sbox> {
    Borrowed(&'k Gost28147<S>),
    Meshed(Gost28147<S>),
}

impl<S: Sbox> KeyState<'_, S> {
    #[inline(always)]
    fn get(&self) -> &Gost28147<S> {
        match self {
            KeyState::Borrowed(k) => k,
            KeyState::Meshed(k) => k,
        }
    }

    fn mesh(&mut self) {
        let next = self.get().key_meshed();
        *self = KeyState::Meshed(next);
    }
}

/// Counts blocks and tells when to mesh: before block number 128·n (n ≥ 1).
struct Mesher {
    on: bool,
    blocks: usize,
}

impl Mesher {
    fn new(m: KeyMeshing) -> Self {
        Mesher {
            on: m == KeyMeshing::CryptoPro,
            blocks: 0,
        }
    }

    /// Called before each block; true when the key must be meshed first.
    #[inline(always)]
    fn step(&mut self) -> bool {
        let due = self.on && self.blocks != 0 && self.blocks.is_multiple_of(MESHING_BLOCKS);
        self.blocks = self.blocks.wrapping_add(1);
        due
    }
}

#[inline(always)]
fn xor8(a: &mut [u8; BLOCK_LEN], b: &[u8; BLOCK_LEN]) {
    let x = u64::from_ne_bytes(*a) ^ u64::from_ne_bytes(*b);
    *a = x.to_ne_bytes();
}

fn whole_blocks(data: &mut [u8]) -> Result<&mut [[u8; BLOCK_LEN]], Error> {
    let (blocks, tail) = data.as_chunks_mut::<BLOCK_LEN>();
    if tail.is_empty() {
        Ok(blocks)
    } else {
        Err(Error::InvalidLength)
    }
}

// ---------------------------------------------------------------------------------------------
// ECB

/// ECB encryption ("простая замена", GOST 28147-89 §2) of whole blocks in place.
pub fn ecb_encrypt<S: Sbox>(key: &Gost28147<S>, data: &mut [u8]) -> Result<(), Error> {
    for b in whole_blocks(data)? {
        key.encrypt_block(b);
    }
    Ok(())
}

/// ECB decryption of whole blocks in place.
pub fn ecb_decrypt<S: Sbox>(key: &Gost28147<S>, data: &mut [u8]) -> Result<(), Error> {
    for b in whole_blocks(data)? {
        key.decrypt_block(b);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// CBC

/// CBC over GOST 28147-89 (RFC 4357 §2.1), whole blocks, optionally meshed.
pub struct Cbc<'k, S: Sbox> {
    key: KeyState<'k, S>,
    iv: [u8; BLOCK_LEN],
    mesher: Mesher,
}

impl<'k, S: Sbox> Cbc<'k, S> {
    /// Starts a message with `iv`.
    pub fn new(key: &'k Gost28147<S>, iv: &[u8; BLOCK_LEN], meshing: KeyMeshing) -> Self {
        Cbc {
            key: KeyState::Borrowed(key),
            iv: *iv,
            mesher: Mesher::new(meshing),
        }
    }

    #[inline(always)]
    fn before_block(&mut self) {
        if self.mesher.step() {
            self.key.mesh();
            self.key.get().encrypt_block(&mut self.iv);
        }
    }

    /// Encrypts whole blocks in place; may be called repeatedly to continue the message.
    pub fn encrypt_blocks(&mut self, data: &mut [u8]) -> Result<(), Error> {
        for b in whole_blocks(data)? {
            self.before_block();
            xor8(b, &self.iv);
            self.key.get().encrypt_block(b);
            self.iv = *b;
        }
        Ok(())
    }

    /// Decrypts whole blocks in place; may be called repeatedly to continue the message.
    pub fn decrypt_blocks(&mut self, data: &mut [u8]) -> Result<(), Error> {
        for b in whole_blocks(data)? {
            self.before_block();
            let c = *b;
            self.key.get().decrypt_block(b);
            xor8(b, &self.iv);
            self.iv = c;
        }
        Ok(())
    }

    /// The chaining value: the last ciphertext block (the IV of the next IKE message).
    pub fn iv(&self) -> [u8; BLOCK_LEN] {
        self.iv
    }
}

// ---------------------------------------------------------------------------------------------
// CFB

/// CFB / "gamma with feedback" (GOST 28147-89 §4), any length, optionally meshed. Streaming:
/// successive calls continue the message, also inside a block.
pub struct Cfb<'k, S: Sbox> {
    key: KeyState<'k, S>,
    /// Feedback register; filled with ciphertext bytes as they are produced.
    reg: [u8; BLOCK_LEN],
    gamma: [u8; BLOCK_LEN],
    /// Bytes of `gamma` used (BLOCK_LEN = a new gamma block is needed).
    pos: usize,
    mesher: Mesher,
}

impl<'k, S: Sbox> Cfb<'k, S> {
    /// Starts a message with `iv`.
    pub fn new(key: &'k Gost28147<S>, iv: &[u8; BLOCK_LEN], meshing: KeyMeshing) -> Self {
        Cfb {
            key: KeyState::Borrowed(key),
            reg: *iv,
            gamma: [0; BLOCK_LEN],
            pos: BLOCK_LEN,
            mesher: Mesher::new(meshing),
        }
    }

    #[inline(always)]
    fn next_gamma(&mut self) {
        if self.mesher.step() {
            self.key.mesh();
            self.key.get().encrypt_block(&mut self.reg);
        }
        self.gamma = self.reg;
        self.key.get().encrypt_block(&mut self.gamma);
        self.pos = 0;
    }

    fn run(&mut self, data: &mut [u8], encrypt: bool) {
        let mut data = data;
        // Finish a started block byte by byte.
        while self.pos < BLOCK_LEN {
            let Some((first, rest)) = core::mem::take(&mut data).split_first_mut() else {
                return;
            };
            let c = if encrypt {
                *first ^= self.gamma[self.pos];
                *first
            } else {
                let c = *first;
                *first ^= self.gamma[self.pos];
                c
            };
            self.reg[self.pos] = c;
            self.pos += 1;
            data = rest;
        }
        let (blocks, tail) = data.as_chunks_mut::<BLOCK_LEN>();
        for b in blocks {
            self.next_gamma();
            if encrypt {
                xor8(b, &self.gamma);
                self.reg = *b;
            } else {
                self.reg = *b;
                xor8(b, &self.gamma);
            }
            self.pos = BLOCK_LEN;
        }
        if !tail.is_empty() {
            self.next_gamma();
            for (i, x) in tail.iter_mut().enumerate() {
                let c = if encrypt {
                    *x ^= self.gamma[i];
                    *x
                } else {
                    let c = *x;
                    *x ^= self.gamma[i];
                    c
                };
                self.reg[i] = c;
            }
            self.pos = tail.len();
        }
    }

    /// Encrypts `data` in place.
    pub fn encrypt(&mut self, data: &mut [u8]) {
        self.run(data, true);
    }

    /// Decrypts `data` in place.
    pub fn decrypt(&mut self, data: &mut [u8]) {
        self.run(data, false);
    }

    /// The feedback register: after whole blocks, the last ciphertext block.
    pub fn iv(&self) -> [u8; BLOCK_LEN] {
        self.reg
    }
}

// ---------------------------------------------------------------------------------------------
// CNT

/// GOST 28147-89 §3 constant C2, added to N3 modulo 2³².
pub const CNT_C2: u32 = 0x0101_0101;
/// GOST 28147-89 §3 constant C1, added to N4 modulo 2³² − 1.
pub const CNT_C1: u32 = 0x0101_0104;

/// CNT / "gamma" mode (GOST 28147-89 §3), any length, optionally meshed; encryption and
/// decryption are the same operation. Streaming like [`Cfb`].
pub struct Cnt<'k, S: Sbox> {
    key: KeyState<'k, S>,
    /// N3 ‖ N4 (after the first block); the IV before it.
    reg: [u8; BLOCK_LEN],
    gamma: [u8; BLOCK_LEN],
    pos: usize,
    mesher: Mesher,
}

impl<'k, S: Sbox> Cnt<'k, S> {
    /// Starts a message with the 8-byte synchro `iv`.
    pub fn new(key: &'k Gost28147<S>, iv: &[u8; BLOCK_LEN], meshing: KeyMeshing) -> Self {
        Cnt {
            key: KeyState::Borrowed(key),
            reg: *iv,
            gamma: [0; BLOCK_LEN],
            pos: BLOCK_LEN,
            mesher: Mesher::new(meshing),
        }
    }

    #[inline(always)]
    fn next_gamma(&mut self) {
        let first = self.mesher.blocks == 0;
        if self.mesher.step() {
            self.key.mesh();
            self.key.get().encrypt_block(&mut self.reg);
        }
        if first {
            self.key.get().encrypt_block(&mut self.reg);
        }
        let (lo, hi) = self.reg.split_at(4);
        let n3 = u32::from_le_bytes([lo[0], lo[1], lo[2], lo[3]]).wrapping_add(CNT_C2);
        let (n4, carry) = u32::from_le_bytes([hi[0], hi[1], hi[2], hi[3]]).overflowing_add(CNT_C1);
        // Addition modulo 2^32 - 1: fold the carry back in.
        let n4 = n4.wrapping_add(u32::from(carry));
        self.reg[..4].copy_from_slice(&n3.to_le_bytes());
        self.reg[4..].copy_from_slice(&n4.to_le_bytes());
        self.gamma = self.reg;
        self.key.get().encrypt_block(&mut self.gamma);
        self.pos = 0;
    }

    /// XORs the gamma into `data` (encrypts or decrypts).
    pub fn apply(&mut self, data: &mut [u8]) {
        let mut data = data;
        while self.pos < BLOCK_LEN {
            let Some((first, rest)) = core::mem::take(&mut data).split_first_mut() else {
                return;
            };
            *first ^= self.gamma[self.pos];
            self.pos += 1;
            data = rest;
        }
        let (blocks, tail) = data.as_chunks_mut::<BLOCK_LEN>();
        for b in blocks {
            self.next_gamma();
            xor8(b, &self.gamma);
            self.pos = BLOCK_LEN;
        }
        if !tail.is_empty() {
            self.next_gamma();
            for (x, g) in tail.iter_mut().zip(self.gamma) {
                *x ^= g;
            }
            self.pos = tail.len();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// IMIT

/// Length of the full IMIT state; tags are its first bytes (4 = the usual 32-bit IMIT).
pub const IMIT_STATE_LEN: usize = BLOCK_LEN;

/// The GOST 28147-89 MAC ("имитовставка", §5): CBC-like chaining of the 16-round transform over
/// zero-padded blocks, zero initial state, optionally meshed (key only).
pub struct Imit<'k, S: Sbox> {
    key: KeyState<'k, S>,
    state: [u8; BLOCK_LEN],
    buf: [u8; BLOCK_LEN],
    buf_len: usize,
    mesher: Mesher,
}

impl<'k, S: Sbox> Imit<'k, S> {
    /// Starts a MAC computation.
    pub fn new(key: &'k Gost28147<S>, meshing: KeyMeshing) -> Self {
        Self::with_iv(key, &[0; BLOCK_LEN], meshing)
    }

    /// Starts with a non-zero initial state (RFC 4357 key wrap uses this).
    pub fn with_iv(key: &'k Gost28147<S>, iv: &[u8; BLOCK_LEN], meshing: KeyMeshing) -> Self {
        Imit {
            key: KeyState::Borrowed(key),
            state: *iv,
            buf: [0; BLOCK_LEN],
            buf_len: 0,
            mesher: Mesher::new(meshing),
        }
    }

    #[inline(always)]
    fn block(&mut self, b: &[u8; BLOCK_LEN]) {
        if self.mesher.step() {
            self.key.mesh();
        }
        xor8(&mut self.state, b);
        self.key.get().imit_rounds(&mut self.state);
    }

    /// Absorbs `data`. The last full block is kept back until more data (or the end) comes, so
    /// that a one-block message can be recognised.
    pub fn update(&mut self, data: &[u8]) {
        let mut data = data;
        if self.buf_len > 0 {
            let take = (BLOCK_LEN - self.buf_len).min(data.len());
            let (head, rest) = data.split_at(take);
            self.buf[self.buf_len..self.buf_len + take].copy_from_slice(head);
            self.buf_len += take;
            data = rest;
            if data.is_empty() {
                return;
            }
            let b = self.buf;
            self.block(&b);
            self.buf_len = 0;
        }
        // Keep at least one byte (up to a whole block) back.
        let keep = match data.len() % BLOCK_LEN {
            0 => BLOCK_LEN.min(data.len()),
            r => r,
        };
        let (body, rest) = data.split_at(data.len() - keep);
        for b in body.as_chunks::<BLOCK_LEN>().0 {
            self.block(b);
        }
        self.buf[..rest.len()].copy_from_slice(rest);
        self.buf_len = rest.len();
    }

    /// Finishes and returns the whole 8-byte state; the tag is its first 4 (or 8) bytes.
    pub fn finalize(mut self) -> [u8; IMIT_STATE_LEN] {
        if self.buf_len > 0 {
            let single = self.mesher.blocks == 0;
            let mut b = [0u8; BLOCK_LEN];
            b[..self.buf_len].copy_from_slice(&self.buf[..self.buf_len]);
            self.block(&b);
            if single {
                self.block(&[0; BLOCK_LEN]);
            }
        }
        self.state
    }
}
