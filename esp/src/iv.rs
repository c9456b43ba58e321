//! Per-SA IV generation for outbound ESP, without allocation and without a DRBG call per packet.
//!
//! * **No IV** (NULL): nothing.
//! * **AEAD** (icv_len > 0, e.g. AES-GCM, RFC 4106 §3.1): the IV is the 64-bit sequence number,
//!   big-endian, right-aligned. Sequence numbers never repeat under an SA key (the counter
//!   refuses to wrap), so nonces never repeat.
//! * **Everything else** (CBC, CFB, …: the IV must be unpredictable, RFC 4303 §3.3.2 / NIST SP
//!   800-38A Appendix C): at SA setup a separate IV key `K_iv` and a 32-byte mask `M` are drawn
//!   from the caller's DRBG (the provider's `drbg`). IVs are made [`BATCH`] at a time: batch
//!   number `b` (a never-repeating 64-bit counter) is
//!   `Enc_{K_iv}(iv = M[..L] ⊕ (b as L-byte big-endian), data = 0^(BATCH·L))` with the SA's own
//!   cipher algorithm, L = iv_len, cut into BATCH IVs. In CBC (and CFB/OFB) over zero blocks
//!   the blocks are `E(X_b), E(E(X_b)), …`; in CTR modes `E(s), E(s+1), …` — in every mode each
//!   IV is a block-cipher output under the secret `K_iv` on an input that never occurred
//!   before, so it is unpredictable to anyone without `K_iv` even given every earlier IV. The
//!   batch (future IVs) is held in zeroizing memory like the key. Cost: one block of the
//!   cipher per packet plus one cipher call per BATCH packets (instead of one call — key
//!   schedule copy, mode set-up, dynamic dispatch — per packet); no allocation after setup.
//!
//! This module only generates IVs; it must not touch packet bytes other than the IV field.

use alloc::boxed::Box;

use zeroize::Zeroizing;
use zubr_base::IpsecError;
use zubr_crypto_stb::Rng;
use zubr_crypto_stb::provider::{EspCipher, EspCipherKey};

/// Longest IV supported.
pub const MAX_IV: usize = 32;

/// IVs generated per cipher call for the unpredictable-IV modes.
pub(crate) const BATCH: usize = 8;

// One per outbound SA, built once and never moved on the packet path: the batch buffer stays
// inline (no pointer chase per packet).
#[allow(clippy::large_enum_variant)]
pub(crate) enum IvGen {
    None,
    Counter(usize),
    Prf {
        key: Box<dyn EspCipherKey>,
        mask: Zeroizing<[u8; MAX_IV]>,
        len: usize,
        /// Next batch number.
        batch: u64,
        /// Unused IVs of the current batch: `ivs[next * len..BATCH * len]`.
        ivs: Zeroizing<[u8; BATCH * MAX_IV]>,
        next: usize,
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
        Ok(IvGen::Prf {
            key,
            mask,
            len,
            batch: 0,
            ivs: Zeroizing::new([0u8; BATCH * MAX_IV]),
            next: BATCH,
        })
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
            IvGen::Prf {
                key,
                mask,
                len,
                batch,
                ivs,
                next,
            } => {
                let len = *len;
                if out.len() != len {
                    return Err(IpsecError::CryptoFailed);
                }
                if *next >= BATCH {
                    let b = batch.to_be_bytes();
                    *batch = batch.checked_add(1).ok_or(IpsecError::CryptoFailed)?;
                    let mut input = [0u8; MAX_IV];
                    let input = &mut input[..len];
                    input.copy_from_slice(&mask[..len]);
                    let n = len.min(8);
                    for (i, x) in input[len - n..].iter_mut().zip(&b[8 - n..]) {
                        *i ^= *x;
                    }
                    let all = &mut ivs[..BATCH * len];
                    all.fill(0);
                    key.encrypt(input, &[], all, &mut [])
                        .map_err(|_| IpsecError::CryptoFailed)?;
                    *next = 0;
                }
                let at = *next * len;
                out.copy_from_slice(&ivs[at..at + len]);
                *next += 1;
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zubr_crypto_stb::SOFTWARE;

    /// Across several batches every IV is distinct and not the all-zero block, for every
    /// non-AEAD cipher with an IV; two SAs from different DRBG seeds share no IV.
    #[test]
    fn batched_ivs_are_distinct() {
        for c in SOFTWARE.esp_ciphers.iter().filter(|c| !c.is_aead()) {
            let len = c.cipher.iv_len();
            if len == 0 {
                continue;
            }
            let mut seen = alloc::vec::Vec::new();
            for seed in [1u8, 2] {
                let mut rng = SOFTWARE.drbg.instantiate(&[seed; 32]).unwrap();
                let mut g = IvGen::new(c, &mut *rng).unwrap();
                for seq in 1..=(3 * BATCH as u64 + 3) {
                    let mut iv = [0u8; MAX_IV];
                    g.fill(seq, &mut iv[..len]).unwrap();
                    assert!(iv[..len].iter().any(|&b| b != 0), "{}", c.sa_name);
                    assert!(!seen.contains(&iv), "{} repeats an IV", c.sa_name);
                    seen.push(iv);
                }
                assert!(g.fill(0, &mut [0u8; MAX_IV + 1][..len + 1]).is_err());
            }
        }
    }
}
