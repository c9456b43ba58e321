//! AES-GCM for ESP (RFC 4106) over the `aes-gcm` crate: ESP transform IDs 18, 19, 20 (ICV of 8,
//! 12, 16 bytes) with 128-, 192- and 256-bit keys.
//!
//! RFC 4106 framing only — no GCM of our own: KEYMAT is `key ‖ 4-byte salt` (§8.1); the nonce is
//! `salt ‖ 8-byte explicit IV` (§4); the AAD is what ESP passes (`SPI ‖ sequence number`, or
//! `SPI ‖ ESN high ‖ low`, §5); the ICV is the GCM tag truncated to the transform's length.
//! Encryption and decryption work in place and do not allocate. A failed tag check leaves the
//! buffer as it was and returns [`Error::AuthenticationFailed`].
//!
//! Names **[Z]**: the LSP names follow lsp.md §5.8's `<ALGORITHM>-K<key bits>-<mode>` and add
//! the ICV length in bytes as RFC 4106 does in its transform names ("AES-GCM with a 16 octet
//! ICV"): `AES-K128-GCM-16`, `AES-K256-GCM-8`, …; that trailing number is **not** a wire ID (the
//! transform IDs are 18/19/20). `sa_mgr` names follow strongSwan's spelling with the `esp-` prefix
//! of the product: `esp-aes128-gcm16`, …
//!
//! Vectors: `vectors/aes-gcm.txt` — the 96-bit-IV test cases of the McGrew–Viega GCM
//! specification, regenerated and checked with Python `cryptography`
//! (`python3 crypto-stb/vectors/scripts/aes_gcm.py`).

use alloc::boxed::Box;
use core::marker::PhantomData;

use aead::array::{Array, ArraySize};
use aead::inout::InOutBuf;
use aead::{AeadInOut, KeyInit};
use aes_gcm::{AesGcm, TagSize};
use cipher::consts::U12;
use cipher::{BlockCipherEncrypt, BlockSizeUser, KeySizeUser, consts::U16, typenum::Unsigned};
use zeroize::Zeroize;

use crate::Error;
use crate::kat::{self, KatError, SelfTest};
use crate::provider::{EspCipherAlgorithm, EspCipherKey};

/// RFC 4106 salt length.
const SALT_LEN: usize = 4;
/// RFC 4106 explicit IV length.
const IV_LEN: usize = 8;

/// AES-GCM with AES variant `A` and tag length `T` as an ESP cipher.
pub struct EspAesGcm<A, T>(PhantomData<fn() -> (A, T)>);

impl<A, T> EspAesGcm<A, T> {
    /// The transform (a zero-sized value usable in `static` tables).
    pub const fn new() -> Self {
        EspAesGcm(PhantomData)
    }
}

impl<A, T> Default for EspAesGcm<A, T> {
    fn default() -> Self {
        Self::new()
    }
}

/// A keyed SA: the AES key schedule and GHASH key (zeroized on drop by `aes-gcm`) and the salt.
struct GcmKey<A, T: TagSize> {
    aead: AesGcm<A, U12, T>,
    salt: [u8; SALT_LEN],
}

impl<A, T: TagSize> Drop for GcmKey<A, T> {
    fn drop(&mut self) {
        self.salt.zeroize();
    }
}

impl<A, T> GcmKey<A, T>
where
    A: BlockSizeUser<BlockSize = U16> + BlockCipherEncrypt,
    T: TagSize,
{
    fn nonce(&self, iv: &[u8]) -> Result<Array<u8, U12>, Error> {
        if iv.len() != IV_LEN {
            return Err(Error::InvalidIvLength);
        }
        let mut nonce = Array::<u8, U12>::default();
        nonce[..SALT_LEN].copy_from_slice(&self.salt);
        nonce[SALT_LEN..].copy_from_slice(iv);
        Ok(nonce)
    }
}

impl<A, T> EspCipherKey for GcmKey<A, T>
where
    A: BlockSizeUser<BlockSize = U16> + BlockCipherEncrypt + Send,
    T: TagSize + ArraySize + Send,
{
    fn encrypt(
        &mut self,
        iv: &[u8],
        aad: &[u8],
        data: &mut [u8],
        icv: &mut [u8],
    ) -> Result<(), Error> {
        let nonce = self.nonce(iv)?;
        if icv.len() != T::USIZE {
            return Err(Error::BufferTooSmall);
        }
        let tag = self
            .aead
            .encrypt_inout_detached(&nonce, aad, InOutBuf::from(data))
            .map_err(|_| Error::InvalidLength)?;
        icv.copy_from_slice(&tag);
        Ok(())
    }

    fn decrypt(&mut self, iv: &[u8], aad: &[u8], data: &mut [u8], icv: &[u8]) -> Result<(), Error> {
        let nonce = self.nonce(iv)?;
        let tag = Array::<u8, T>::try_from(icv).map_err(|_| Error::AuthenticationFailed)?;
        self.aead
            .decrypt_inout_detached(&nonce, aad, InOutBuf::from(data), &tag)
            .map_err(|_| Error::AuthenticationFailed)
    }
}

impl<A, T> EspCipherAlgorithm for EspAesGcm<A, T>
where
    A: BlockSizeUser<BlockSize = U16> + BlockCipherEncrypt + KeyInit + Send + 'static,
    T: TagSize + ArraySize + Send + 'static,
{
    fn key_len(&self) -> usize {
        <A as KeySizeUser>::KeySize::USIZE + SALT_LEN
    }
    fn iv_len(&self) -> usize {
        IV_LEN
    }
    fn block_len(&self) -> usize {
        // GCM is a stream mode: no padding beyond ESP's own 4-byte alignment (RFC 4106 §3.2).
        1
    }
    fn icv_len(&self) -> usize {
        T::USIZE
    }
    fn new_key(&self, key: &[u8]) -> Result<Box<dyn EspCipherKey>, Error> {
        let expected = self.key_len();
        if key.len() != expected {
            return Err(Error::InvalidKeyLength {
                expected,
                got: key.len(),
            });
        }
        let (k, s) = key.split_at(expected - SALT_LEN);
        let aes = A::new_from_slice(k).map_err(|_| Error::InvalidKeyLength {
            expected,
            got: key.len(),
        })?;
        let mut salt = [0u8; SALT_LEN];
        salt.copy_from_slice(s);
        Ok(Box::new(GcmKey::<A, T> {
            aead: AesGcm::from(aes),
            salt,
        }))
    }
}

use cipher::consts::U8;

/// AES-128-GCM, 8-byte ICV (transform 18).
pub static AES128_GCM8: EspAesGcm<aes::Aes128, U8> = EspAesGcm::new();
/// AES-192-GCM, 8-byte ICV (transform 18).
pub static AES192_GCM8: EspAesGcm<aes::Aes192, U8> = EspAesGcm::new();
/// AES-256-GCM, 8-byte ICV (transform 18).
pub static AES256_GCM8: EspAesGcm<aes::Aes256, U8> = EspAesGcm::new();
/// AES-128-GCM, 12-byte ICV (transform 19).
pub static AES128_GCM12: EspAesGcm<aes::Aes128, U12> = EspAesGcm::new();
/// AES-192-GCM, 12-byte ICV (transform 19).
pub static AES192_GCM12: EspAesGcm<aes::Aes192, U12> = EspAesGcm::new();
/// AES-256-GCM, 12-byte ICV (transform 19).
pub static AES256_GCM12: EspAesGcm<aes::Aes256, U12> = EspAesGcm::new();
/// AES-128-GCM, 16-byte ICV (transform 20).
pub static AES128_GCM16: EspAesGcm<aes::Aes128, U16> = EspAesGcm::new();
/// AES-192-GCM, 16-byte ICV (transform 20).
pub static AES192_GCM16: EspAesGcm<aes::Aes192, U16> = EspAesGcm::new();
/// AES-256-GCM, 16-byte ICV (transform 20).
pub static AES256_GCM16: EspAesGcm<aes::Aes256, U16> = EspAesGcm::new();

const VECTORS: &str = include_str!("../../vectors/aes-gcm.txt");

/// The three ICV lengths of one key size.
fn by_key_len(key_len: usize) -> Option<[&'static dyn EspCipherAlgorithm; 3]> {
    Some(match key_len {
        16 => [&AES128_GCM8, &AES128_GCM12, &AES128_GCM16],
        24 => [&AES192_GCM8, &AES192_GCM12, &AES192_GCM16],
        32 => [&AES256_GCM8, &AES256_GCM12, &AES256_GCM16],
        _ => return None,
    })
}

fn kat_gcm() -> Result<usize, KatError> {
    let records = kat::records(VECTORS);
    for (i, r) in records.iter().enumerate() {
        let v = i + 1;
        let err = |what| KatError { vector: v, what };
        let field = |name| r.hex(name).ok_or(err("bad vector"));
        let (key, iv, pt, aad, ct, tag) = (
            field("key")?,
            field("iv")?,
            field("pt")?,
            field("aad")?,
            field("ct")?,
            field("tag")?,
        );
        if iv.len() != SALT_LEN + IV_LEN {
            return Err(err("bad vector"));
        }
        let (salt, explicit_iv) = iv.split_at(SALT_LEN);
        let mut keymat = key.clone();
        keymat.extend_from_slice(salt);
        for alg in by_key_len(key.len()).ok_or(err("bad vector"))? {
            let mut k = alg.new_key(&keymat).map_err(|_| err("key setup"))?;
            let n = alg.icv_len();
            let mut buf = pt.clone();
            let mut icv = [0u8; 16];
            k.encrypt(explicit_iv, &aad, &mut buf, &mut icv[..n])
                .map_err(|_| err("encrypt"))?;
            kat::check(v, "AES-GCM ciphertext", &buf, &ct)?;
            kat::check(v, "AES-GCM ICV (truncated tag)", &icv[..n], &tag[..n])?;
            k.decrypt(explicit_iv, &aad, &mut buf, &icv[..n])
                .map_err(|_| err("decrypt of a valid packet failed"))?;
            kat::check(v, "AES-GCM decrypt", &buf, &pt)?;
            let mut bad = icv;
            bad[n - 1] ^= 0x80;
            let mut buf = ct.clone();
            if k.decrypt(explicit_iv, &aad, &mut buf, &bad[..n]) != Err(Error::AuthenticationFailed)
            {
                return Err(err("wrong ICV accepted"));
            }
        }
    }
    Ok(records.len())
}

/// Self-tests of this module.
pub static SELF_TESTS: &[SelfTest] = &[SelfTest {
    name: "AES-GCM ESP 8/12/16-byte ICV (GCM spec cases 1-4, 7-10, 13-16)",
    run: kat_gcm,
}];

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn spec_vectors() {
        assert_eq!(kat_gcm(), Ok(12));
    }

    #[test]
    fn geometry_and_key_checks() {
        for (alg, key, icv) in [
            (&AES128_GCM8 as &dyn EspCipherAlgorithm, 20, 8),
            (&AES192_GCM12, 28, 12),
            (&AES256_GCM16, 36, 16),
        ] {
            assert_eq!(alg.key_len(), key);
            assert_eq!(alg.iv_len(), 8);
            assert_eq!(alg.block_len(), 1);
            assert_eq!(alg.icv_len(), icv);
            assert!(matches!(
                alg.new_key(&[0u8; 16]),
                Err(Error::InvalidKeyLength { .. })
            ));
            let mut k = alg.new_key(&alloc::vec![1u8; key]).unwrap();
            let mut data = [0u8; 8];
            let mut tag = [0u8; 16];
            assert_eq!(
                k.encrypt(&[0u8; 12], &[], &mut data, &mut tag[..icv]),
                Err(Error::InvalidIvLength)
            );
            assert_eq!(
                k.encrypt(&[0u8; 8], &[], &mut data, &mut tag[..icv - 1]),
                Err(Error::BufferTooSmall)
            );
            assert_eq!(
                k.decrypt(&[0u8; 8], &[], &mut data, &tag[..icv - 1]),
                Err(Error::AuthenticationFailed)
            );
        }
    }

    proptest! {
        /// decrypt ∘ encrypt = id; any change of AAD, IV, ciphertext or salt is detected.
        #[test]
        fn roundtrip_and_tamper(
            key in proptest::collection::vec(any::<u8>(), 36),
            iv in any::<[u8; 8]>(),
            aad in proptest::collection::vec(any::<u8>(), 8..=12),
            pt in proptest::collection::vec(any::<u8>(), 0..200),
            flip in any::<usize>(),
        ) {
            let mut k = AES256_GCM16.new_key(&key).unwrap();
            let mut buf = pt.clone();
            let mut icv = [0u8; 16];
            k.encrypt(&iv, &aad, &mut buf, &mut icv).unwrap();
            let ct = buf.clone();
            k.decrypt(&iv, &aad, &mut buf, &icv).unwrap();
            prop_assert_eq!(&buf, &pt);

            let mut bad_aad = aad.clone();
            bad_aad[flip % aad.len()] ^= 1;
            let mut b = ct.clone();
            prop_assert_eq!(k.decrypt(&iv, &bad_aad, &mut b, &icv), Err(Error::AuthenticationFailed));
            prop_assert_eq!(&b, &ct); // untouched on failure
            let mut bad_iv = iv;
            bad_iv[flip % 8] ^= 1;
            prop_assert_eq!(k.decrypt(&bad_iv, &aad, &mut b, &icv), Err(Error::AuthenticationFailed));
            if !ct.is_empty() {
                let mut b = ct.clone();
                b[flip % ct.len()] ^= 0x10;
                prop_assert_eq!(k.decrypt(&iv, &aad, &mut b, &icv), Err(Error::AuthenticationFailed));
            }
            let mut other_salt = key.clone();
            other_salt[35] ^= 1;
            let mut k2 = AES256_GCM16.new_key(&other_salt).unwrap();
            let mut b = ct.clone();
            prop_assert_eq!(k2.decrypt(&iv, &aad, &mut b, &icv), Err(Error::AuthenticationFailed));
        }
    }
}
