//! Per-SA IV generation for outbound ESP, without allocation and without a DRBG call per packet.
//!
//! * **No IV** (NULL): nothing.
//! * **AEAD** (icv_len > 0, e.g. AES-GCM, RFC 4106 §3.1): the IV is the 64-bit sequence number,
//!   big-endian, right-aligned. Sequence numbers never repeat under an SA key (the counter
//!   refuses to wrap), so nonces never repeat.
//! * **Everything else** (CBC, CFB, …: the IV must be unpredictable, RFC 4303 §3.3.2 / NIST SP
//!   800-38A Appendix C): at SA setup a separate IV key `K_iv` and a 32-byte mask `M` are drawn
//!   from the caller's DRBG (the provider's `drbg`). Per packet,
//!   `IV_n = Enc_{K_iv}(iv = M[..L] ⊕ (n as L-byte big-endian), data = 0^L)` with the SA's own
//!   cipher algorithm, L = iv_len. In CBC this is `E_{K_iv}(M ⊕ n)`; in CFB/CTR it is the first
//!   keystream block — in every mode a keyed pseudorandom function of the never-repeating
//!   counter, so IVs are unpredictable without `K_iv` and (for block ciphers, a permutation)
//!   distinct. Cost: one block of the cipher per packet; no allocation after setup.
//!
//! This module only generates IVs; it must not touch packet bytes other than the IV field.

use alloc::boxed::Box;

use zeroize::Zeroizing;
use zubr_base::IpsecError;
use zubr_crypto_stb::Rng;
use zubr_crypto_stb::provider::{EspCipher, EspCipherKey};

/// Longest IV supported.
pub const MAX_IV: usize = 32;

pub(crate) enum IvGen {
    None,
    Counter(usize),
    Prf {
        key: Box<dyn EspCipherKey>,
        mask: Zeroizing<[u8; MAX_IV]>,
        len: usize,
    },
}

impl IvGen {
    pub(crate) fn new(cipher: &EspCipher, rng: &mut dyn Rng) -> Result<Self, IpsecError> {
        let c = cipher.cipher;
        let len = c.iv_len();
        if len == 0 {
            return Ok(IvGen::None);
        }
        if len > MAX_IV {
            return Err(IpsecError::IncorrectSaConfiguration);
        }
        if cipher.is_aead() {
            return Ok(IvGen::Counter(len));
        }
        if !len.is_multiple_of(c.block_len().max(1)) {
            return Err(IpsecError::IncorrectSaConfiguration);
        }
        let mut k = Zeroizing::new([0u8; 64]);
        let kl = c.key_len();
        let kiv = k
            .get_mut(..kl)
            .ok_or(IpsecError::IncorrectSaConfiguration)?;
        rng.fill(kiv).map_err(|_| IpsecError::CryptoFailed)?;
        let key = c.new_key(kiv).map_err(|_| IpsecError::CryptoFailed)?;
        let mut mask = Zeroizing::new([0u8; MAX_IV]);
        rng.fill(&mut mask[..])
            .map_err(|_| IpsecError::CryptoFailed)?;
        Ok(IvGen::Prf { key, mask, len })
    }

    /// Writes the IV for sequence number `seq` into `out` (exactly iv_len bytes).
    pub(crate) fn fill(&mut self, seq: u64, out: &mut [u8]) -> Result<(), IpsecError> {
        let be = seq.to_be_bytes();
        match self {
            IvGen::None => Ok(()),
            IvGen::Counter(len) => {
                if out.len() != *len {
                    return Err(IpsecError::CryptoFailed);
                }
                out.fill(0);
                if *len >= 8 {
                    out[*len - 8..].copy_from_slice(&be);
                } else {
                    // shorter nonce: the number must fit
                    let skip = 8 - *len;
                    if be[..skip].iter().any(|&b| b != 0) {
                        return Err(IpsecError::SequenceNumberWrapped);
                    }
                    out.copy_from_slice(&be[skip..]);
                }
                Ok(())
            }
            IvGen::Prf { key, mask, len } => {
                let len = *len;
                if out.len() != len {
                    return Err(IpsecError::CryptoFailed);
                }
                let mut input = [0u8; MAX_IV];
                let input = &mut input[..len];
                input.copy_from_slice(&mask[..len]);
                let n = len.min(8);
                for (i, b) in input[len - n..].iter_mut().zip(&be[8 - n..]) {
                    *i ^= *b;
                }
                out.fill(0);
                key.encrypt(input, &[], out, &mut [])
                    .map_err(|_| IpsecError::CryptoFailed)
            }
        }
    }
}
