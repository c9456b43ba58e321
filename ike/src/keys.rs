//! IKEv1 key derivation and message authentication (RFC 2409 §5, §5.5, appendix B):
//! SKEYID and its three children, the phase-1 encryption key, the IV chain of phase 1 and of
//! every Quick Mode / Informational exchange, HASH_I/HASH_R, the Quick Mode and Informational
//! hashes, and KEYMAT.
//!
//! Every function takes the negotiated [`IkeHash`] (its HMAC is the PRF) and [`IkeCipher`] from the
//! provider; nothing here names an algorithm. Secrets are [`Secret`]s (zeroized on drop, never
//! printed). This module must not parse messages or keep state beyond [`IvChain`].

use alloc::boxed::Box;
use alloc::vec::Vec;

use zeroize::Zeroizing;
use zubr_crypto_stb::provider::{CipherKey, IkeCipher, IkeHash};

/// Secret bytes, zeroized on drop.
pub type Secret = Zeroizing<Vec<u8>>;

fn secret(b: &[u8]) -> Secret {
    Zeroizing::new(b.to_vec())
}

/// SKEYID for pre-shared keys: `prf(pre-shared-key, Ni_b | Nr_b)`.
pub fn skeyid_psk(hash: &IkeHash, psk: &[u8], ni: &[u8], nr: &[u8]) -> Secret {
    secret(hash.prf(psk, &[ni, nr]).as_slice())
}

/// SKEYID for signatures: `prf(Ni_b | Nr_b, g^xy)`.
pub fn skeyid_sig(hash: &IkeHash, ni: &[u8], nr: &[u8], gxy: &[u8]) -> Secret {
    let mut key = Zeroizing::new(Vec::with_capacity(ni.len() + nr.len()));
    key.extend_from_slice(ni);
    key.extend_from_slice(nr);
    secret(hash.prf(&key, &[gxy]).as_slice())
}

/// The keying material of an ISAKMP SA.
pub struct Phase1Keys {
    /// SKEYID.
    pub skeyid: Secret,
    /// SKEYID_d (derives IPsec KEYMAT).
    pub skeyid_d: Secret,
    /// SKEYID_a (authenticates phase-2 and informational messages).
    pub skeyid_a: Secret,
    /// SKEYID_e (source of the encryption key).
    pub skeyid_e: Secret,
    /// The phase-1 encryption key (SKEYID_e expanded/truncated to the cipher's key length).
    pub enc_key: Secret,
}

impl core::fmt::Debug for Phase1Keys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Phase1Keys { .. }")
    }
}

/// Derives SKEYID_d/a/e and the encryption key from SKEYID (RFC 2409 §5 and appendix B).
pub fn derive_phase1(
    hash: &IkeHash,
    cipher: &IkeCipher,
    skeyid: Secret,
    gxy: &[u8],
    icookie: &[u8; 8],
    rcookie: &[u8; 8],
) -> Phase1Keys {
    let d = secret(
        hash.prf(&skeyid, &[gxy, icookie, rcookie, &[0u8]])
            .as_slice(),
    );
    let a = secret(
        hash.prf(&skeyid, &[&d, gxy, icookie, rcookie, &[1u8]])
            .as_slice(),
    );
    let e = secret(
        hash.prf(&skeyid, &[&a, gxy, icookie, rcookie, &[2u8]])
            .as_slice(),
    );
    let enc_key = expand_key(hash, &e, cipher.cipher.key_len());
    Phase1Keys {
        skeyid,
        skeyid_d: d,
        skeyid_a: a,
        skeyid_e: e,
        enc_key,
    }
}

/// Appendix B: the first `len` bytes of SKEYID_e, or of `K1 | K2 | …` with `K1 = prf(SKEYID_e,
/// 0)`, `Ki = prf(SKEYID_e, K(i-1))` when SKEYID_e is too short.
pub fn expand_key(hash: &IkeHash, skeyid_e: &[u8], len: usize) -> Secret {
    if skeyid_e.len() >= len {
        return secret(&skeyid_e[..len]);
    }
    let mut out = Zeroizing::new(Vec::with_capacity(len + 64));
    let mut k = hash.prf(skeyid_e, &[&[0u8]]);
    while out.len() < len {
        out.extend_from_slice(k.as_slice());
        k = hash.prf(skeyid_e, &[k.as_slice()]);
    }
    out.truncate(len);
    out
}

/// The phase-1 IV: `hash(g^xi | g^xr)` truncated to the cipher block.
pub fn phase1_iv(hash: &IkeHash, block_len: usize, gxi: &[u8], gxr: &[u8]) -> Vec<u8> {
    let h = hash.hash.hash(&[gxi, gxr]);
    h.as_slice()[..block_len.min(h.len())].to_vec()
}

/// The first IV of a Quick Mode or Informational exchange: `hash(last phase-1 CBC block |
/// M-ID)` truncated to the block.
pub fn phase2_iv(hash: &IkeHash, block_len: usize, last_phase1_block: &[u8], mid: u32) -> Vec<u8> {
    let h = hash.hash.hash(&[last_phase1_block, &mid.to_be_bytes()]);
    h.as_slice()[..block_len.min(h.len())].to_vec()
}

/// Which side computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Initiator.
    Initiator,
    /// Responder.
    Responder,
}

/// Inputs of HASH_I / HASH_R.
pub struct AuthHashInput<'a> {
    /// Initiator's KE data.
    pub gxi: &'a [u8],
    /// Responder's KE data.
    pub gxr: &'a [u8],
    /// Initiator cookie.
    pub icookie: &'a [u8; 8],
    /// Responder cookie.
    pub rcookie: &'a [u8; 8],
    /// Body of the initiator's SA payload.
    pub sa_i: &'a [u8],
    /// Body of the ID payload of the side whose hash this is.
    pub id: &'a [u8],
}

/// HASH_I = `prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b)`;
/// HASH_R = `prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b)`.
pub fn auth_hash(hash: &IkeHash, skeyid: &[u8], who: Side, x: &AuthHashInput<'_>) -> Vec<u8> {
    let out = match who {
        Side::Initiator => hash.prf(skeyid, &[x.gxi, x.gxr, x.icookie, x.rcookie, x.sa_i, x.id]),
        Side::Responder => hash.prf(skeyid, &[x.gxr, x.gxi, x.rcookie, x.icookie, x.sa_i, x.id]),
    };
    out.as_slice().to_vec()
}

/// Quick Mode HASH(1) = `prf(SKEYID_a, M-ID | rest)` (also Informational HASH(1) and the
/// Transaction exchange hash), where `rest` is the message after the HASH payload.
pub fn hash1(hash: &IkeHash, skeyid_a: &[u8], mid: u32, rest: &[u8]) -> Vec<u8> {
    hash.prf(skeyid_a, &[&mid.to_be_bytes(), rest])
        .as_slice()
        .to_vec()
}

/// Quick Mode HASH(2) = `prf(SKEYID_a, M-ID | Ni_b | rest)`.
pub fn hash2(hash: &IkeHash, skeyid_a: &[u8], mid: u32, ni: &[u8], rest: &[u8]) -> Vec<u8> {
    hash.prf(skeyid_a, &[&mid.to_be_bytes(), ni, rest])
        .as_slice()
        .to_vec()
}

/// Quick Mode HASH(3) = `prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b)`.
pub fn hash3(hash: &IkeHash, skeyid_a: &[u8], mid: u32, ni: &[u8], nr: &[u8]) -> Vec<u8> {
    hash.prf(skeyid_a, &[&[0u8], &mid.to_be_bytes(), ni, nr])
        .as_slice()
        .to_vec()
}

/// KEYMAT (RFC 2409 §5.5): `K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b)`,
/// `Ki = prf(SKEYID_d, K(i-1) | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b)`, concatenated and cut
/// to `len` bytes. `spi` is the SPI of the SA the keys are for (the receiver's).
#[allow(clippy::too_many_arguments)] // the inputs of the RFC formula, in its order
pub fn keymat(
    hash: &IkeHash,
    skeyid_d: &[u8],
    gqm: Option<&[u8]>,
    protocol: u8,
    spi: &[u8; 4],
    ni: &[u8],
    nr: &[u8],
    len: usize,
) -> Secret {
    let g = gqm.unwrap_or(&[]);
    let p = [protocol];
    let mut out = Zeroizing::new(Vec::with_capacity(len + 64));
    let mut k = hash.prf(skeyid_d, &[g, &p, spi, ni, nr]);
    loop {
        out.extend_from_slice(k.as_slice());
        if out.len() >= len {
            break;
        }
        k = hash.prf(skeyid_d, &[k.as_slice(), g, &p, spi, ni, nr]);
    }
    out.truncate(len);
    out
}

/// The encryption state of an ISAKMP SA: the keyed cipher and the IV chain of RFC 2409
/// appendix B. Decryption works on a copy of the IV, committed only when the caller accepts
/// the message ([`IvChain::decrypt`] returns the IV to commit).
pub struct IvChain {
    key: Box<dyn CipherKey>,
    block: usize,
}

/// Why a body could not be decrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecryptError {
    /// The body is not a whole number of blocks (or is empty).
    NotBlockAligned,
    /// The cipher refused the input.
    Cipher,
}

impl IvChain {
    /// Keys the cipher.
    pub fn new(cipher: &IkeCipher, key: &[u8]) -> Result<Self, zubr_crypto_stb::Error> {
        Ok(IvChain {
            key: cipher.cipher.new_key(key)?,
            block: cipher.cipher.block_len(),
        })
    }

    /// Block length of the cipher.
    pub fn block_len(&self) -> usize {
        self.block
    }

    /// Pads `plain` with zeros to the block size and encrypts it; `iv` becomes the last
    /// ciphertext block.
    pub fn encrypt(&mut self, iv: &mut [u8], plain: &[u8]) -> Result<Vec<u8>, DecryptError> {
        let mut buf = plain.to_vec();
        let pad = (self.block - buf.len() % self.block) % self.block;
        buf.resize(buf.len() + pad, 0);
        self.key
            .encrypt(iv, &mut buf)
            .map_err(|_| DecryptError::Cipher)?;
        Ok(buf)
    }

    /// Decrypts `body` with a copy of `iv`; returns the plaintext and the IV after it.
    pub fn decrypt(
        &mut self,
        iv: &[u8],
        body: &[u8],
    ) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), DecryptError> {
        if body.is_empty() || !body.len().is_multiple_of(self.block) {
            return Err(DecryptError::NotBlockAligned);
        }
        let mut next = iv.to_vec();
        let mut buf = Zeroizing::new(body.to_vec());
        self.key
            .decrypt(&mut next, &mut buf)
            .map_err(|_| DecryptError::Cipher)?;
        Ok((buf, next))
    }
}
