//! belt-kwp (STB 34.101.31 §6.8): key wrap. Wrap: Y = belt-wblock(X ‖ I, K) with a 16-byte
//! header I; unwrap: decrypt with belt-wblock⁻¹ and check (in constant time) that the last 16
//! bytes equal I. belt-wblock is the `belt-block` crate's `belt_wblock_enc/dec`; only the
//! header handling is written here.
//!
//! Must not: allocate, or release the unwrapped key when the header does not match (the
//! buffer is zeroized then).

use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use crate::Error;

/// Key words of a 32-byte key (eight little-endian u32), as `belt_block`'s functions take it.
fn key_words(key: &[u8; 32]) -> [u32; 8] {
    let mut k = [0u32; 8];
    for (i, c) in key.chunks_exact(4).enumerate() {
        k[i] = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
    }
    k
}

/// belt-wblock encryption in place (at least 32 bytes).
pub fn wblock_encrypt(key: &[u8; 32], data: &mut [u8]) -> Result<(), Error> {
    let mut k = key_words(key);
    let r = belt_block::belt_wblock_enc(data, &k).map_err(|_| Error::InvalidLength);
    k.zeroize();
    r
}

/// belt-wblock decryption in place (at least 32 bytes).
pub fn wblock_decrypt(key: &[u8; 32], data: &mut [u8]) -> Result<(), Error> {
    let mut k = key_words(key);
    let r = belt_block::belt_wblock_dec(data, &k).map_err(|_| Error::InvalidLength);
    k.zeroize();
    r
}

/// Wraps `x` (at least 16 bytes) with `header` into `out` (exactly `x.len() + 16` bytes).
pub fn wrap(key: &[u8; 32], x: &[u8], header: &[u8; 16], out: &mut [u8]) -> Result<(), Error> {
    if x.len() < 16 {
        return Err(Error::InvalidLength);
    }
    if out.len() != x.len() + 16 {
        return Err(Error::BufferTooSmall);
    }
    out[..x.len()].copy_from_slice(x);
    out[x.len()..].copy_from_slice(header);
    wblock_encrypt(key, out)
}

/// Largest token [`unwrap`] accepts (it decrypts in a stack buffer of this size); use
/// [`unwrap_in_place`] for longer data.
pub const MAX_UNWRAP_LEN: usize = 1024;

/// Unwraps `y` (32..=[`MAX_UNWRAP_LEN`] bytes) into `out` (exactly `y.len() - 16` bytes),
/// checking `header`. On [`Error::AuthenticationFailed`] `out` is zeroized.
pub fn unwrap(key: &[u8; 32], y: &[u8], header: &[u8; 16], out: &mut [u8]) -> Result<(), Error> {
    if y.len() < 32 {
        return Err(Error::InvalidLength);
    }
    if out.len() != y.len() - 16 {
        return Err(Error::BufferTooSmall);
    }
    let n = out.len();
    let mut hdr = [0u8; 16];
    unwrap_split(key, y, out, &mut hdr)?;
    let ok = hdr.ct_eq(header);
    hdr.zeroize();
    if bool::from(ok) {
        Ok(())
    } else {
        out[..n].zeroize();
        Err(Error::AuthenticationFailed)
    }
}

/// Unwraps in place: `data` = Y on input, X ‖ I on success (check of I done here); on failure
/// `data` is zeroized. Returns the length of X.
pub fn unwrap_in_place(key: &[u8; 32], data: &mut [u8], header: &[u8; 16]) -> Result<usize, Error> {
    if data.len() < 32 {
        return Err(Error::InvalidLength);
    }
    wblock_decrypt(key, data)?;
    let n = data.len() - 16;
    if bool::from(data[n..].ct_eq(header)) {
        Ok(n)
    } else {
        data.zeroize();
        Err(Error::AuthenticationFailed)
    }
}

/// belt-wblock⁻¹ of `y` split into `out ‖ hdr`, through a zeroized stack buffer (no heap).
fn unwrap_split(key: &[u8; 32], y: &[u8], out: &mut [u8], hdr: &mut [u8; 16]) -> Result<(), Error> {
    let mut buf = [0u8; MAX_UNWRAP_LEN];
    let Some(work) = buf.get_mut(..y.len()) else {
        return Err(Error::InvalidLength);
    };
    work.copy_from_slice(y);
    let r = wblock_decrypt(key, work);
    if r.is_ok() {
        let n = out.len();
        out.copy_from_slice(&work[..n]);
        hdr.copy_from_slice(&work[n..]);
    }
    buf.zeroize();
    r
}
