//! ESP NULL encryption (RFC 2410, ESP transform 11): no confidentiality, used with a separate
//! integrity algorithm (lsp.md: `CipherAlg = "NULL"` requires `IntegrityAlg`).
//!
//! Block length 1 (ESP still aligns the trailer to 4 bytes), no IV, no key, no ICV. It must not
//! touch the data.

use alloc::boxed::Box;

use crate::Error;
use crate::kat::{KatError, SelfTest};
use crate::provider::{EspCipherAlgorithm, EspCipherKey};

/// The NULL transform.
pub struct NullCipher;

struct NullKey;

impl EspCipherKey for NullKey {
    fn encrypt(
        &mut self,
        iv: &[u8],
        _aad: &[u8],
        _data: &mut [u8],
        icv: &mut [u8],
    ) -> Result<(), Error> {
        if !iv.is_empty() {
            return Err(Error::InvalidIvLength);
        }
        if !icv.is_empty() {
            return Err(Error::InvalidLength);
        }
        Ok(())
    }
    fn decrypt(
        &mut self,
        iv: &[u8],
        _aad: &[u8],
        _data: &mut [u8],
        icv: &[u8],
    ) -> Result<(), Error> {
        if !iv.is_empty() {
            return Err(Error::InvalidIvLength);
        }
        if !icv.is_empty() {
            return Err(Error::InvalidLength);
        }
        Ok(())
    }
}

impl EspCipherAlgorithm for NullCipher {
    fn key_len(&self) -> usize {
        0
    }
    fn iv_len(&self) -> usize {
        0
    }
    fn block_len(&self) -> usize {
        1
    }
    fn icv_len(&self) -> usize {
        0
    }
    fn new_key(&self, key: &[u8]) -> Result<Box<dyn EspCipherKey>, Error> {
        if !key.is_empty() {
            return Err(Error::InvalidKeyLength {
                expected: 0,
                got: key.len(),
            });
        }
        Ok(Box::new(NullKey))
    }
}

/// ESP NULL.
pub static NULL: NullCipher = NullCipher;

fn kat_null() -> Result<usize, KatError> {
    // RFC 2410 §2: "NULL does nothing" — the identity on any payload.
    let err = |what| KatError { vector: 1, what };
    let mut k = NULL.new_key(&[]).map_err(|_| err("key setup"))?;
    let pt: [u8; 7] = *b"payload";
    let mut buf = pt;
    k.encrypt(&[], &[], &mut buf, &mut [])
        .map_err(|_| err("encrypt"))?;
    crate::kat::check(1, "NULL encrypt is the identity", &buf, &pt)?;
    k.decrypt(&[], &[], &mut buf, &[])
        .map_err(|_| err("decrypt"))?;
    crate::kat::check(1, "NULL decrypt is the identity", &buf, &pt)?;
    Ok(1)
}

/// Self-tests of this module.
pub static SELF_TESTS: &[SelfTest] = &[SelfTest {
    name: "ESP NULL (RFC 2410)",
    run: kat_null,
}];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_and_geometry() {
        assert_eq!(kat_null(), Ok(1));
        assert_eq!(
            (
                NULL.key_len(),
                NULL.iv_len(),
                NULL.block_len(),
                NULL.icv_len()
            ),
            (0, 0, 1, 0)
        );
        assert!(NULL.new_key(&[1]).is_err());
        let mut k = NULL.new_key(&[]).unwrap();
        assert_eq!(
            k.encrypt(&[0], &[], &mut [], &mut []),
            Err(Error::InvalidIvLength)
        );
    }
}
