//! Adapters from RustCrypto traits to the provider traits, so that every family module turns a
//! `digest::Digest` or a `cipher::BlockCipher` into a provider object with one line:
//!
//! * [`DigestHash<D>`] — a [`HashAlgorithm`] for any eager hash `D`, with HMAC from the `hmac`
//!   crate.
//! * [`HmacMac<D>`] — a [`MacAlgorithm`] (HMAC-D, any key length, tag truncated by the caller).
//! * [`CbcCipher<C>`] — a [`CipherAlgorithm`] and an [`EspCipherAlgorithm`] for any block cipher in
//!   CBC mode (the `cbc` crate), IV updated to the last ciphertext block for IKE's chaining.
//!
//! Adapters add no algorithm of their own; they must not allocate after `new_key`.

use alloc::boxed::Box;
use core::marker::PhantomData;

use cipher::{
    Block, BlockCipherDecrypt, BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt,
    BlockSizeUser, InnerIvInit, IvState, KeyInit, inout::InOutBuf,
};
use digest::{Digest, Mac, block_api::EagerHash};
use subtle::ConstantTimeEq;

use crate::provider::{
    CipherAlgorithm, CipherKey, EspCipherAlgorithm, EspCipherKey, HashAlgorithm, HashContext,
    MacAlgorithm, MacKey,
};
use crate::{Error, Output};

// ---------------------------------------------------------------------------------------------
// Hash

/// A provider hash backed by the RustCrypto hash `D`.
pub struct DigestHash<D>(PhantomData<fn() -> D>);

impl<D> DigestHash<D> {
    /// The adapter (a zero-sized value usable in `static` tables).
    pub const fn new() -> Self {
        DigestHash(PhantomData)
    }
}

impl<D> Default for DigestHash<D> {
    fn default() -> Self {
        Self::new()
    }
}

struct DigestCtx<D>(D);

impl<D> HashContext for DigestCtx<D>
where
    D: Digest + Clone + Send + 'static,
{
    fn update(&mut self, data: &[u8]) {
        Digest::update(&mut self.0, data);
    }
    fn finish(self: Box<Self>) -> Output {
        Output::new(&self.0.finalize())
    }
    fn fork(&self) -> Box<dyn HashContext> {
        Box::new(DigestCtx(self.0.clone()))
    }
}

impl<D> HashAlgorithm for DigestHash<D>
where
    D: EagerHash + Digest + Clone + Send + 'static,
{
    fn output_len(&self) -> usize {
        <D as Digest>::output_size()
    }
    fn block_len(&self) -> usize {
        <D as BlockSizeUser>::block_size()
    }
    fn start(&self) -> Box<dyn HashContext> {
        Box::new(DigestCtx(D::new()))
    }
    fn hash(&self, parts: &[&[u8]]) -> Output {
        let mut d = D::new();
        for p in parts {
            Digest::update(&mut d, p);
        }
        Output::new(&d.finalize())
    }
    fn hmac(&self, key: &[u8], parts: &[&[u8]]) -> Output {
        let mut m = <hmac::Hmac<D> as KeyInit>::new_from_slice(key)
            .expect("HMAC accepts keys of any length");
        for p in parts {
            Mac::update(&mut m, p);
        }
        Output::new(&m.finalize().into_bytes())
    }
}

// ---------------------------------------------------------------------------------------------
// HMAC as a MAC

/// HMAC-`D` as a provider MAC with a fixed key length (the IPsec key length = digest length,
/// RFC 2403/2404/4868; `key_len` is configurable for the GOST and belt variants).
pub struct HmacMac<D> {
    key_len: usize,
    _d: PhantomData<fn() -> D>,
}

impl<D> HmacMac<D> {
    /// HMAC-`D` taking keys of exactly `key_len` bytes.
    pub const fn new(key_len: usize) -> Self {
        HmacMac {
            key_len,
            _d: PhantomData,
        }
    }
}

struct HmacKey<D: EagerHash>(hmac::Hmac<D>);

impl<D> MacKey for HmacKey<D>
where
    D: EagerHash + Send + Sync + 'static,
    hmac::Hmac<D>: Clone + Send + Sync,
{
    fn compute(&self, parts: &[&[u8]], out: &mut [u8]) {
        let mut m = self.0.clone();
        for p in parts {
            Mac::update(&mut m, p);
        }
        let tag = m.finalize().into_bytes();
        let n = out.len().min(tag.len());
        out[..n].copy_from_slice(&tag[..n]);
    }

    /// Compares against the tag computed in place (no zeroed scratch buffer): the XOR of every
    /// byte pair is OR-ed into one byte, which a single constant-time comparison then checks
    /// (no branch on secret data; the per-byte `subtle` barriers of a slice comparison cost
    /// more than the 12-byte comparison itself at small packet sizes).
    fn verify(&self, parts: &[&[u8]], tag: &[u8]) -> Result<(), Error> {
        let mut m = self.0.clone();
        for p in parts {
            Mac::update(&mut m, p);
        }
        let full = m.finalize().into_bytes();
        if tag.is_empty() || tag.len() > full.len() {
            return Err(Error::AuthenticationFailed);
        }
        let diff = full.iter().zip(tag).fold(0u8, |acc, (a, b)| acc | (a ^ b));
        if bool::from(diff.ct_eq(&0)) {
            Ok(())
        } else {
            Err(Error::AuthenticationFailed)
        }
    }
}

impl<D> MacAlgorithm for HmacMac<D>
where
    D: EagerHash + Digest + Send + Sync + 'static,
    hmac::Hmac<D>: Clone + Send + Sync,
{
    fn key_len(&self) -> usize {
        self.key_len
    }
    fn output_len(&self) -> usize {
        <D as Digest>::output_size()
    }
    fn new_key(&self, key: &[u8]) -> Result<Box<dyn MacKey>, Error> {
        if key.len() != self.key_len {
            return Err(Error::InvalidKeyLength {
                expected: self.key_len,
                got: key.len(),
            });
        }
        let m = <hmac::Hmac<D> as KeyInit>::new_from_slice(key).map_err(|_| {
            Error::InvalidKeyLength {
                expected: self.key_len,
                got: key.len(),
            }
        })?;
        Ok(Box::new(HmacKey(m)))
    }
}

// ---------------------------------------------------------------------------------------------
// CBC

/// Block cipher `C` in CBC mode, with a key of `key_len` bytes (e.g. 16/24/32 for AES).
pub struct CbcCipher<C> {
    key_len: usize,
    _c: PhantomData<fn() -> C>,
}

impl<C> CbcCipher<C> {
    /// CBC over `C` taking keys of exactly `key_len` bytes.
    pub const fn new(key_len: usize) -> Self {
        CbcCipher {
            key_len,
            _c: PhantomData,
        }
    }
}

/// A keyed block cipher kept for the lifetime of an SA; each message clones it into a CBC
/// state on the stack.
struct CbcKey<C>(C);

fn check_blocks(data: &[u8], bs: usize, iv: &[u8]) -> Result<(), Error> {
    if iv.len() != bs {
        return Err(Error::InvalidIvLength);
    }
    if !data.len().is_multiple_of(bs) {
        return Err(Error::InvalidLength);
    }
    Ok(())
}

impl<C> CbcKey<C>
where
    C: BlockCipherEncrypt + BlockCipherDecrypt + Clone,
{
    /// CBC-encrypts `data` under `iv`; writes the last ciphertext block to `next_iv` when the
    /// caller chains (IKE), skips it when not (ESP: every packet carries its own IV).
    fn cbc_encrypt(
        &self,
        iv: &[u8],
        data: &mut [u8],
        next_iv: Option<&mut [u8]>,
    ) -> Result<(), Error> {
        let bs = C::block_size();
        check_blocks(data, bs, iv)?;
        let iv_block = Block::<C>::try_from(iv).map_err(|_| Error::InvalidIvLength)?;
        let mut enc = cbc::Encryptor::<C>::inner_iv_init(self.0.clone(), &iv_block);
        let (blocks, _tail) =
            InOutBuf::from(&mut *data).into_chunks::<<C as BlockSizeUser>::BlockSize>();
        enc.encrypt_blocks_inout(blocks);
        if let Some(next) = next_iv {
            next.copy_from_slice(&enc.iv_state());
        }
        Ok(())
    }

    /// CBC-decrypts `data` under `iv`; `next_iv` as in [`Self::cbc_encrypt`].
    fn cbc_decrypt(
        &self,
        iv: &[u8],
        data: &mut [u8],
        next_iv: Option<&mut [u8]>,
    ) -> Result<(), Error> {
        let bs = C::block_size();
        check_blocks(data, bs, iv)?;
        let iv_block = Block::<C>::try_from(iv).map_err(|_| Error::InvalidIvLength)?;
        let mut dec = cbc::Decryptor::<C>::inner_iv_init(self.0.clone(), &iv_block);
        let (blocks, _tail) =
            InOutBuf::from(&mut *data).into_chunks::<<C as BlockSizeUser>::BlockSize>();
        dec.decrypt_blocks_inout(blocks);
        if let Some(next) = next_iv {
            next.copy_from_slice(&dec.iv_state());
        }
        Ok(())
    }
}

impl<C> CipherKey for CbcKey<C>
where
    C: BlockCipherEncrypt + BlockCipherDecrypt + Clone + Send,
{
    fn encrypt(&mut self, iv: &mut [u8], data: &mut [u8]) -> Result<(), Error> {
        let mut next = Block::<C>::default();
        self.cbc_encrypt(iv, data, Some(&mut next))?;
        iv.copy_from_slice(&next);
        Ok(())
    }
    fn decrypt(&mut self, iv: &mut [u8], data: &mut [u8]) -> Result<(), Error> {
        let mut next = Block::<C>::default();
        self.cbc_decrypt(iv, data, Some(&mut next))?;
        iv.copy_from_slice(&next);
        Ok(())
    }
}

impl<C> EspCipherKey for CbcKey<C>
where
    C: BlockCipherEncrypt + BlockCipherDecrypt + Clone + Send,
{
    fn encrypt(
        &mut self,
        iv: &[u8],
        _aad: &[u8],
        data: &mut [u8],
        _icv: &mut [u8],
    ) -> Result<(), Error> {
        self.cbc_encrypt(iv, data, None)
    }
    fn decrypt(
        &mut self,
        iv: &[u8],
        _aad: &[u8],
        data: &mut [u8],
        _icv: &[u8],
    ) -> Result<(), Error> {
        self.cbc_decrypt(iv, data, None)
    }
}

impl<C> CbcCipher<C>
where
    C: BlockCipherEncrypt + BlockCipherDecrypt + KeyInit + Clone + Send + 'static,
{
    fn key(&self, key: &[u8]) -> Result<CbcKey<C>, Error> {
        if key.len() != self.key_len {
            return Err(Error::InvalidKeyLength {
                expected: self.key_len,
                got: key.len(),
            });
        }
        let c = C::new_from_slice(key).map_err(|_| Error::InvalidKeyLength {
            expected: self.key_len,
            got: key.len(),
        })?;
        Ok(CbcKey(c))
    }
}

impl<C> CipherAlgorithm for CbcCipher<C>
where
    C: BlockCipherEncrypt + BlockCipherDecrypt + KeyInit + Clone + Send + Sync + 'static,
{
    fn key_len(&self) -> usize {
        self.key_len
    }
    fn block_len(&self) -> usize {
        C::block_size()
    }
    fn new_key(&self, key: &[u8]) -> Result<Box<dyn CipherKey>, Error> {
        Ok(Box::new(self.key(key)?))
    }
}

impl<C> EspCipherAlgorithm for CbcCipher<C>
where
    C: BlockCipherEncrypt + BlockCipherDecrypt + KeyInit + Clone + Send + Sync + 'static,
{
    fn key_len(&self) -> usize {
        self.key_len
    }
    fn iv_len(&self) -> usize {
        C::block_size()
    }
    fn block_len(&self) -> usize {
        C::block_size()
    }
    fn icv_len(&self) -> usize {
        0
    }
    fn new_key(&self, key: &[u8]) -> Result<Box<dyn EspCipherKey>, Error> {
        Ok(Box::new(self.key(key)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 2202 test case 2: HMAC-SHA1, key "Jefe".
    const DATA: &[u8] = b"what do ya want for nothing?";
    const TAG: [u8; 20] = [
        0xef, 0xfc, 0xdf, 0x6a, 0xe5, 0xeb, 0x2f, 0xa2, 0xd2, 0x74, 0x16, 0xd5, 0xf1, 0x84, 0xdf,
        0x9c, 0x25, 0x9a, 0x7c, 0x79,
    ];

    #[test]
    fn hmac_verify_full_truncated_and_tampered() {
        let k = HmacMac::<sha1::Sha1>::new(4).new_key(b"Jefe").unwrap();
        let mut out = [0u8; 20];
        k.compute(&[&DATA[..5], &DATA[5..]], &mut out);
        assert_eq!(out, TAG);
        assert!(k.verify(&[DATA], &TAG).is_ok());
        assert!(k.verify(&[DATA], &TAG[..12]).is_ok());
        for i in 0..12 {
            for bit in 0..8 {
                let mut t = TAG;
                t[i] ^= 1 << bit;
                assert!(k.verify(&[DATA], &t[..12]).is_err(), "byte {i} bit {bit}");
            }
        }
        assert!(k.verify(&[DATA], &[]).is_err());
        let mut long = [0u8; 21];
        long[..20].copy_from_slice(&TAG);
        assert!(k.verify(&[DATA], &long).is_err());
        assert!(k.verify(&[&DATA[..27]], &TAG[..12]).is_err());
    }
}
