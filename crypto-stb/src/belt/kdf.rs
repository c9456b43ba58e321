//! belt-hash (§6.9, the `belt-hash` crate), hmac-hbelt (STB 34.101.47 §6.1 = `hmac::Hmac` over
//! belt-hash), belt-pbkdf2 (PBKDF2 of RFC 8018 with hmac-hbelt, the `pbkdf2` crate — it works
//! on digest 0.11 and reproduces the STB 34.101.45 E.5 vectors), belt-keyexpand (§7.1) and
//! belt-keyrep (§7.2).
//!
//! Hand-written here: keyexpand (a few XORs) and keyrep (one call of belt-compress with the
//! standard's constants r).
//!
//! Must not: allocate, or leave expanded keys on the stack (they are zeroized).

use zeroize::Zeroize;

use crate::Error;

pub use belt_hash::BeltHash;

/// hmac-hbelt: HMAC (RFC 2104) over belt-hash, block 32 bytes, tag 32 bytes.
pub type HmacHbelt = hmac::Hmac<BeltHash>;

/// belt-hash of `data` (one shot).
pub fn belt_hash(data: &[u8]) -> [u8; 32] {
    use belt_hash::Digest;
    BeltHash::digest(data).into()
}

/// hmac-hbelt of `data` under `key` (any length).
pub fn hmac_hbelt(key: &[u8], data: &[u8]) -> [u8; 32] {
    use hmac::{KeyInit, Mac};
    let mut m =
        <HmacHbelt as KeyInit>::new_from_slice(key).expect("HMAC accepts keys of any length");
    m.update(data);
    m.finalize().into_bytes().into()
}

/// belt-pbkdf2: PBKDF2-HMAC-HBELT of `password` and `salt` with `iterations` rounds into `out`.
pub fn pbkdf2(password: &[u8], salt: &[u8], iterations: u32, out: &mut [u8]) {
    pbkdf2::pbkdf2_hmac::<BeltHash>(password, salt, iterations, out);
}

/// belt-keyexpand: a 16-, 24- or 32-byte key to the 32-byte key belt-block takes.
/// 16 → K ‖ K; 24 → K ‖ (k1 ⊕ k2 ⊕ k3) ‖ (k4 ⊕ k5 ⊕ k6) (32-bit words); 32 → K.
pub fn keyexpand(key: &[u8]) -> Result<[u8; 32], Error> {
    let mut out = [0u8; 32];
    match key.len() {
        16 => {
            out[..16].copy_from_slice(key);
            out[16..].copy_from_slice(key);
        }
        24 => {
            out[..24].copy_from_slice(key);
            for i in 0..4 {
                out[24 + i] = key[i] ^ key[4 + i] ^ key[8 + i];
                out[28 + i] = key[12 + i] ^ key[16 + i] ^ key[20 + i];
            }
        }
        32 => out.copy_from_slice(key),
        n => {
            return Err(Error::InvalidKeyLength {
                expected: 32,
                got: n,
            });
        }
    }
    Ok(out)
}

/// The constant r of belt-keyrep for key length n and output length m (bytes).
fn keyrep_r(n: usize, m: usize) -> Option<[u8; 4]> {
    Some(match (n, m) {
        (16, 16) => [0xB1, 0x94, 0xBA, 0xC8],
        (24, 16) => [0x5B, 0xE3, 0xD6, 0x12],
        (24, 24) => [0x5C, 0xB0, 0xC0, 0xFF],
        (32, 16) => [0xE1, 0x2B, 0xDC, 0x1A],
        (32, 24) => [0xC1, 0xAB, 0x76, 0x38],
        (32, 32) => [0xF3, 0x3C, 0x65, 0x7B],
        _ => return None,
    })
}

fn words<const N: usize>(bytes: &[u8]) -> [u32; N] {
    let mut w = [0u32; N];
    for (d, c) in w.iter_mut().zip(bytes.chunks_exact(4)) {
        *d = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
    }
    w
}

/// belt-keyrep: derives `out.len()` bytes (16/24/32, not more than `key.len()`) from `key`
/// (16/24/32 bytes), the 12-byte level `level` and the 16-byte header `header`:
/// `Y = Lo(belt-compress(r ‖ D ‖ I ‖ belt-keyexpand(X)).Y, m)`.
pub fn keyrep(
    key: &[u8],
    level: &[u8; 12],
    header: &[u8; 16],
    out: &mut [u8],
) -> Result<(), Error> {
    let r = keyrep_r(key.len(), out.len()).ok_or(Error::InvalidLength)?;
    let mut theta = keyexpand(key)?;
    let mut x1b = [0u8; 16];
    x1b[..4].copy_from_slice(&r);
    x1b[4..].copy_from_slice(level);
    let x1 = words::<4>(&x1b);
    let x2 = words::<4>(header);
    let mut x34 = words::<8>(&theta);
    let (_s, mut y) = belt_hash::block_api::belt_compress(x1, x2, x34);
    let mut yb = [0u8; 32];
    for (c, w) in yb.chunks_exact_mut(4).zip(y.iter()) {
        c.copy_from_slice(&w.to_le_bytes());
    }
    let m = out.len();
    out.copy_from_slice(&yb[..m]);
    theta.zeroize();
    x34.zeroize();
    y.zeroize();
    yb.zeroize();
    Ok(())
}

/// belt-compress on a 64-byte input X1 ‖ X2 ‖ X3 ‖ X4: returns (S, Y) as bytes.
pub fn compress(x: &[u8; 64]) -> ([u8; 16], [u8; 32]) {
    let (s, y) =
        belt_hash::block_api::belt_compress(words(&x[..16]), words(&x[16..32]), words(&x[32..]));
    let mut sb = [0u8; 16];
    for (c, w) in sb.chunks_exact_mut(4).zip(s.iter()) {
        c.copy_from_slice(&w.to_le_bytes());
    }
    let mut yb = [0u8; 32];
    for (c, w) in yb.chunks_exact_mut(4).zip(y.iter()) {
        c.copy_from_slice(&w.to_le_bytes());
    }
    (sb, yb)
}
