//! Encryption modes of STB 34.101.31: belt-ecb (§6.2) and belt-cbc (§6.3) with ciphertext
//! stealing for a partial last block, belt-cfb (§6.4, any length) and belt-ctr (§6.5).
//!
//! Hand-written on top of [`BeltCipher`]: the generic `ecb`/`cbc` crates have no ciphertext
//! stealing, and writing the whole-block paths here lets them run four blocks at once where the
//! mode allows it (ECB, CBC and CFB decryption, CTR). For whole blocks the results equal the
//! `ecb`/`cbc`/`cfb-mode`/`belt-ctr` crates over the same block cipher; the property tests check
//! that. The stealing rule (messages of at least 16 bytes, `m = |X_n| < 16`):
//! `T = E(X_{n-1})` (CBC: `E(X_{n-1} ⊕ Y_{n-2})`), `Y_{n-1} = E(X_n ‖ T[m..])`
//! (CBC: `E((X_n ⊕ T[..m]) ‖ T[m..])`), `Y_n = T[..m]`.
//!
//! Must not: allocate, or panic on any input length (short input is an [`Error`]).

use super::block::{BeltCipher, Words, load_slice, store_slice};
use crate::Error;

fn xor_into(dst: &mut [u8], src: &[u8]) {
    dst.iter_mut().zip(src).for_each(|(d, s)| *d ^= s);
}

fn words_of(block: &[u8; 16]) -> Words {
    load_slice(block)
}

fn bytes_of(w: &Words) -> [u8; 16] {
    let mut b = [0u8; 16];
    store_slice(w, &mut b);
    b
}

fn xor_w(a: Words, b: Words) -> Words {
    [a[0] ^ b[0], a[1] ^ b[1], a[2] ^ b[2], a[3] ^ b[3]]
}

/// Splits `len` (≥ 16) into the offset of block n−1 (the last full block) and the length m of
/// the tail (0 when `len` is a multiple of 16).
fn stealing_split(len: usize) -> Result<(usize, usize), Error> {
    if len < 16 {
        return Err(Error::InvalidLength);
    }
    let m = len % 16;
    let full = len / 16; // ≥ 1
    Ok(((full - 1) * 16, m))
}

fn block_at(data: &[u8], off: usize) -> [u8; 16] {
    let mut b = [0u8; 16];
    b.copy_from_slice(&data[off..off + 16]);
    b
}

// ---------------------------------------------------------------------------------------------
// ECB

/// belt-ecb encryption in place; `data` must be at least 16 bytes (stealing for a partial tail).
pub fn ecb_encrypt(c: &BeltCipher, data: &mut [u8]) -> Result<(), Error> {
    let (last, m) = stealing_split(data.len())?;
    if m == 0 {
        c.encrypt_blocks(data);
        return Ok(());
    }
    c.encrypt_blocks(&mut data[..last]);
    let mut t = block_at(data, last);
    c.encrypt_block(&mut t);
    let mut y = t;
    y[..m].copy_from_slice(&data[last + 16..]);
    c.encrypt_block(&mut y);
    data[last..last + 16].copy_from_slice(&y);
    data[last + 16..].copy_from_slice(&t[..m]);
    Ok(())
}

/// belt-ecb decryption in place; `data` must be at least 16 bytes.
pub fn ecb_decrypt(c: &BeltCipher, data: &mut [u8]) -> Result<(), Error> {
    let (last, m) = stealing_split(data.len())?;
    if m == 0 {
        c.decrypt_blocks(data);
        return Ok(());
    }
    c.decrypt_blocks(&mut data[..last]);
    let mut u = block_at(data, last); // D(Y_{n-1}) = X_n ‖ T[m..]
    c.decrypt_block(&mut u);
    let mut t = u;
    t[..m].copy_from_slice(&data[last + 16..]);
    c.decrypt_block(&mut t);
    data[last..last + 16].copy_from_slice(&t);
    data[last + 16..].copy_from_slice(&u[..m]);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// CBC

fn cbc_encrypt_blocks(c: &BeltCipher, mut prev: Words, data: &mut [u8]) -> Words {
    for blk in data.chunks_exact_mut(16) {
        prev = c.encrypt_w(xor_w(load_slice(blk), prev));
        store_slice(&prev, blk);
    }
    prev
}

fn cbc_decrypt_blocks(c: &BeltCipher, mut prev: Words, data: &mut [u8]) -> Words {
    let mut quads = data.chunks_exact_mut(64);
    for q in &mut quads {
        let mut w = [[0u32; 4]; 4];
        for (l, b) in q.chunks_exact(16).enumerate() {
            w[l] = load_slice(b);
        }
        let ct = w;
        c.decrypt_words(&mut w);
        let chain = [prev, ct[0], ct[1], ct[2]];
        for (l, b) in q.chunks_exact_mut(16).enumerate() {
            store_slice(&xor_w(w[l], chain[l]), b);
        }
        prev = ct[3];
    }
    for b in quads.into_remainder().chunks_exact_mut(16) {
        let ct = load_slice(b);
        store_slice(&xor_w(c.decrypt_w(ct), prev), b);
        prev = ct;
    }
    prev
}

/// belt-cbc encryption in place with IV `iv`; `data` must be at least 16 bytes (stealing for a
/// partial tail).
pub fn cbc_encrypt(c: &BeltCipher, iv: &[u8; 16], data: &mut [u8]) -> Result<(), Error> {
    let (last, m) = stealing_split(data.len())?;
    if m == 0 {
        cbc_encrypt_blocks(c, words_of(iv), data);
        return Ok(());
    }
    let prev = cbc_encrypt_blocks(c, words_of(iv), &mut data[..last + 16]);
    // prev = T = E(X_{n-1} ⊕ Y_{n-2}), now stored at `last`.
    let t = bytes_of(&prev);
    let mut y = t;
    xor_into(&mut y[..m], &data[last + 16..]);
    c.encrypt_block(&mut y);
    data[last..last + 16].copy_from_slice(&y);
    data[last + 16..].copy_from_slice(&t[..m]);
    Ok(())
}

/// belt-cbc decryption in place with IV `iv`; `data` must be at least 16 bytes.
pub fn cbc_decrypt(c: &BeltCipher, iv: &[u8; 16], data: &mut [u8]) -> Result<(), Error> {
    let (last, m) = stealing_split(data.len())?;
    if m == 0 {
        cbc_decrypt_blocks(c, words_of(iv), data);
        return Ok(());
    }
    let prev = cbc_decrypt_blocks(c, words_of(iv), &mut data[..last]); // Y_{n-2}
    let mut u = block_at(data, last); // D(Y_{n-1}) = (X_n ⊕ Y_n) ‖ T[m..]
    c.decrypt_block(&mut u);
    let mut t = u;
    t[..m].copy_from_slice(&data[last + 16..]);
    let mut xn = [0u8; 16];
    xn[..m].copy_from_slice(&u[..m]);
    xor_into(&mut xn[..m], &t[..m]);
    let x = xor_w(c.decrypt_w(words_of(&t)), prev);
    store_slice(&x, &mut data[last..last + 16]);
    data[last + 16..].copy_from_slice(&xn[..m]);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// CFB

/// belt-cfb encryption in place (any length, including 0).
pub fn cfb_encrypt(c: &BeltCipher, iv: &[u8; 16], data: &mut [u8]) {
    let mut y = words_of(iv);
    let mut blocks = data.chunks_exact_mut(16);
    for b in &mut blocks {
        y = xor_w(c.encrypt_w(y), load_slice(b));
        store_slice(&y, b);
    }
    let tail = blocks.into_remainder();
    if !tail.is_empty() {
        let g = bytes_of(&c.encrypt_w(y));
        xor_into(tail, &g);
    }
}

/// belt-cfb decryption in place (any length); four blocks at a time.
pub fn cfb_decrypt(c: &BeltCipher, iv: &[u8; 16], data: &mut [u8]) {
    let mut prev = words_of(iv);
    let mut quads = data.chunks_exact_mut(64);
    for q in &mut quads {
        let mut ct = [[0u32; 4]; 4];
        for (l, b) in q.chunks_exact(16).enumerate() {
            ct[l] = load_slice(b);
        }
        let mut w = [prev, ct[0], ct[1], ct[2]];
        c.encrypt_words(&mut w);
        for (l, b) in q.chunks_exact_mut(16).enumerate() {
            store_slice(&xor_w(w[l], ct[l]), b);
        }
        prev = ct[3];
    }
    let rest = quads.into_remainder();
    let mut blocks = rest.chunks_exact_mut(16);
    for b in &mut blocks {
        let ct = load_slice(b);
        store_slice(&xor_w(c.encrypt_w(prev), ct), b);
        prev = ct;
    }
    let tail = blocks.into_remainder();
    if !tail.is_empty() {
        let g = bytes_of(&c.encrypt_w(prev));
        xor_into(tail, &g);
    }
}

// ---------------------------------------------------------------------------------------------
// CTR

/// XORs the belt-ctr keystream `E(s+1), E(s+2), …` into `data` and advances `s` by the number
/// of blocks used (a partial last block counts as one). `s` is the 128-bit little-endian counter.
pub(crate) fn ctr_xor(c: &BeltCipher, s: &mut u128, data: &mut [u8]) {
    let mut quads = data.chunks_exact_mut(64);
    for q in &mut quads {
        let mut w = [[0u32; 4]; 4];
        for blk in w.iter_mut() {
            *s = s.wrapping_add(1);
            *blk = u128_words(*s);
        }
        c.encrypt_words(&mut w);
        for (l, b) in q.chunks_exact_mut(16).enumerate() {
            let x = xor_w(load_slice(b), w[l]);
            store_slice(&x, b);
        }
    }
    for b in quads.into_remainder().chunks_mut(16) {
        *s = s.wrapping_add(1);
        let g = bytes_of(&c.encrypt_w(u128_words(*s)));
        xor_into(b, &g);
    }
}

/// The four little-endian words of a 128-bit little-endian value.
#[inline(always)]
pub(crate) fn u128_words(v: u128) -> Words {
    [
        v as u32,
        (v >> 32) as u32,
        (v >> 64) as u32,
        (v >> 96) as u32,
    ]
}

/// The 128-bit little-endian value of four words.
#[inline(always)]
pub(crate) fn words_u128(w: &Words) -> u128 {
    (w[0] as u128) | ((w[1] as u128) << 32) | ((w[2] as u128) << 64) | ((w[3] as u128) << 96)
}

/// belt-ctr in place (encryption = decryption), any length: `s = E(S)`, then per block
/// `s ← s + 1`, `Y_i = X_i ⊕ Lo(E(s))`.
pub fn ctr_apply(c: &BeltCipher, iv: &[u8; 16], data: &mut [u8]) {
    let mut s = words_u128(&c.encrypt_w(words_of(iv)));
    ctr_xor(c, &mut s, data);
}

/// belt-ctr as a RustCrypto stream cipher (the `belt-ctr` crate over [`BeltCipher`]), for
/// streaming use across calls (`cipher::StreamCipher::apply_keystream`).
pub type BeltCtr = belt_ctr::GenericBeltCtr<BeltCipher>;
