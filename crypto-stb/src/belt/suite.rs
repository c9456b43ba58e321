//! The belt suite as provider objects: IKE ciphers (belt-cbc, belt-cfb with IKE's IV chaining),
//! ESP ciphers (belt-dwp AEAD, belt-cfb, belt-ctr), integrity (belt-mac, HMAC-HBELT) and the
//! belt-hash [`HashAlgorithm`]. The wire numbers that point here are in `software.rs`; the
//! construction of the ESP IV and nonce is Zubr's choice [Z], described in the parent module.
//!
//! Keyed objects are created once per SA; `encrypt`/`decrypt`/`compute` never allocate.
//! Must not: hold algorithms of its own (they are in the sibling modules).

use alloc::boxed::Box;

use zeroize::{Zeroize, ZeroizeOnDrop};

use super::block::BeltCipher;
use super::dwp::{self, Variant};
use super::mac::BeltMac;
use super::modes;
use crate::Error;
use crate::generic::{DigestHash, HmacMac};
use crate::provider::{
    CipherAlgorithm, CipherKey, EspCipherAlgorithm, EspCipherKey, MacAlgorithm, MacKey,
};

/// belt-hash as a provider hash (PRF = hmac-hbelt).
pub static BELT_HASH: DigestHash<belt_hash::BeltHash> = DigestHash::new();

/// HMAC-HBELT with a 32-byte key (ESP/AH integrity; the transform truncates the ICV to 16).
pub static HMAC_HBELT: HmacMac<belt_hash::BeltHash> = HmacMac::new(32);

/// belt-mac with a 32-byte key, 8-byte tag.
pub static BELT_MAC: BeltMacAlgorithm = BeltMacAlgorithm;

/// belt-cbc for IKE phase 1 (whole blocks; IV chaining = last ciphertext block).
pub static IKE_BELT_CBC: BeltIkeCipher = BeltIkeCipher { mode: IkeMode::Cbc };
/// belt-cfb for IKE phase 1 (whole blocks; IV chaining = last ciphertext block).
pub static IKE_BELT_CFB: BeltIkeCipher = BeltIkeCipher { mode: IkeMode::Cfb };

/// ESP belt-dwp: KEYMAT 32 + 8 (salt), 8-byte explicit IV, 8-byte ICV.
pub static ESP_BELT_DWP: EspBelt = EspBelt { mode: EspMode::Dwp };
/// ESP belt-cfb: KEYMAT 32, 16-byte explicit IV.
pub static ESP_BELT_CFB: EspBelt = EspBelt { mode: EspMode::Cfb };
/// ESP belt-ctr: KEYMAT 32 + 8 (salt), 8-byte explicit IV.
pub static ESP_BELT_CTR: EspBelt = EspBelt { mode: EspMode::Ctr };

fn key32(key: &[u8], expected: usize) -> Result<[u8; 32], Error> {
    if key.len() != expected {
        return Err(Error::InvalidKeyLength {
            expected,
            got: key.len(),
        });
    }
    let mut k = [0u8; 32];
    k.copy_from_slice(&key[..32]);
    Ok(k)
}

// ---------------------------------------------------------------------------------------------
// IKE

/// Which chaining mode an IKE belt cipher uses.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum IkeMode {
    /// belt-cbc.
    Cbc,
    /// belt-cfb.
    Cfb,
}

/// belt-cbc / belt-cfb as an IKE phase-1 [`CipherAlgorithm`].
pub struct BeltIkeCipher {
    mode: IkeMode,
}

struct BeltIkeKey {
    cipher: BeltCipher,
    mode: IkeMode,
}

impl BeltIkeKey {
    fn check(iv: &[u8], data: &[u8]) -> Result<[u8; 16], Error> {
        let iv: [u8; 16] = iv.try_into().map_err(|_| Error::InvalidIvLength)?;
        if !data.len().is_multiple_of(16) {
            return Err(Error::InvalidLength);
        }
        Ok(iv)
    }
}

impl CipherKey for BeltIkeKey {
    fn encrypt(&mut self, iv: &mut [u8], data: &mut [u8]) -> Result<(), Error> {
        let v = Self::check(iv, data)?;
        if data.is_empty() {
            return Ok(());
        }
        match self.mode {
            IkeMode::Cbc => modes::cbc_encrypt(&self.cipher, &v, data)?,
            IkeMode::Cfb => modes::cfb_encrypt(&self.cipher, &v, data),
        }
        iv.copy_from_slice(&data[data.len() - 16..]);
        Ok(())
    }

    fn decrypt(&mut self, iv: &mut [u8], data: &mut [u8]) -> Result<(), Error> {
        let v = Self::check(iv, data)?;
        if data.is_empty() {
            return Ok(());
        }
        let mut next = [0u8; 16];
        next.copy_from_slice(&data[data.len() - 16..]);
        match self.mode {
            IkeMode::Cbc => modes::cbc_decrypt(&self.cipher, &v, data)?,
            IkeMode::Cfb => modes::cfb_decrypt(&self.cipher, &v, data),
        }
        iv.copy_from_slice(&next);
        Ok(())
    }
}

impl CipherAlgorithm for BeltIkeCipher {
    fn key_len(&self) -> usize {
        32
    }
    fn block_len(&self) -> usize {
        16
    }
    fn new_key(&self, key: &[u8]) -> Result<Box<dyn CipherKey>, Error> {
        let mut k = key32(key, 32)?;
        let cipher = BeltCipher::new(&k);
        k.zeroize();
        Ok(Box::new(BeltIkeKey {
            cipher,
            mode: self.mode,
        }))
    }
}

// ---------------------------------------------------------------------------------------------
// ESP

/// Which ESP construction.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum EspMode {
    /// belt-dwp AEAD, salt ‖ 8-byte IV.
    Dwp,
    /// belt-cfb, 16-byte IV.
    Cfb,
    /// belt-ctr, salt ‖ 8-byte IV.
    Ctr,
}

/// An ESP belt cipher (see [`EspMode`]).
pub struct EspBelt {
    mode: EspMode,
}

#[derive(Zeroize, ZeroizeOnDrop)]
struct EspBeltKey {
    cipher: BeltCipher,
    salt: [u8; 8],
    #[zeroize(skip)]
    mode: EspMode,
}

impl EspBeltKey {
    /// The 16-byte belt IV of a packet: salt ‖ explicit IV (CTR/DWP) or the explicit IV (CFB).
    fn belt_iv(&self, iv: &[u8]) -> Result<[u8; 16], Error> {
        let mut s = [0u8; 16];
        match self.mode {
            EspMode::Cfb => {
                if iv.len() != 16 {
                    return Err(Error::InvalidIvLength);
                }
                s.copy_from_slice(iv);
            }
            EspMode::Dwp | EspMode::Ctr => {
                if iv.len() != 8 {
                    return Err(Error::InvalidIvLength);
                }
                s[..8].copy_from_slice(&self.salt);
                s[8..].copy_from_slice(iv);
            }
        }
        Ok(s)
    }
}

impl EspCipherKey for EspBeltKey {
    fn encrypt(
        &mut self,
        iv: &[u8],
        aad: &[u8],
        data: &mut [u8],
        icv: &mut [u8],
    ) -> Result<(), Error> {
        let s = self.belt_iv(iv)?;
        match self.mode {
            EspMode::Ctr => modes::ctr_apply(&self.cipher, &s, data),
            EspMode::Cfb => modes::cfb_encrypt(&self.cipher, &s, data),
            EspMode::Dwp => {
                if icv.len() != 8 {
                    return Err(Error::BufferTooSmall);
                }
                let tag = dwp::encrypt(&self.cipher, Variant::Dwp, &s, aad, data);
                icv.copy_from_slice(&tag);
            }
        }
        Ok(())
    }

    fn decrypt(&mut self, iv: &[u8], aad: &[u8], data: &mut [u8], icv: &[u8]) -> Result<(), Error> {
        let s = self.belt_iv(iv)?;
        match self.mode {
            EspMode::Ctr => modes::ctr_apply(&self.cipher, &s, data),
            EspMode::Cfb => modes::cfb_decrypt(&self.cipher, &s, data),
            EspMode::Dwp => {
                if icv.len() != 8 {
                    return Err(Error::AuthenticationFailed);
                }
                dwp::decrypt(&self.cipher, Variant::Dwp, &s, aad, data, icv)?;
            }
        }
        Ok(())
    }
}

impl EspCipherAlgorithm for EspBelt {
    fn key_len(&self) -> usize {
        match self.mode {
            EspMode::Cfb => 32,
            EspMode::Dwp | EspMode::Ctr => 40,
        }
    }
    fn iv_len(&self) -> usize {
        match self.mode {
            EspMode::Cfb => 16,
            EspMode::Dwp | EspMode::Ctr => 8,
        }
    }
    fn block_len(&self) -> usize {
        1
    }
    fn icv_len(&self) -> usize {
        match self.mode {
            EspMode::Dwp => 8,
            EspMode::Cfb | EspMode::Ctr => 0,
        }
    }
    fn new_key(&self, key: &[u8]) -> Result<Box<dyn EspCipherKey>, Error> {
        let mut k = key32(key, EspCipherAlgorithm::key_len(self))?;
        let mut salt = [0u8; 8];
        if key.len() == 40 {
            salt.copy_from_slice(&key[32..]);
        }
        let cipher = BeltCipher::new(&k);
        k.zeroize();
        Ok(Box::new(EspBeltKey {
            cipher,
            salt,
            mode: self.mode,
        }))
    }
}

// ---------------------------------------------------------------------------------------------
// belt-mac

/// belt-mac as a provider [`MacAlgorithm`] (32-byte key, 8-byte tag).
pub struct BeltMacAlgorithm;

struct BeltMacKey(BeltMac);

impl MacKey for BeltMacKey {
    fn compute(&self, parts: &[&[u8]], out: &mut [u8]) {
        let mut m = self.0.clone();
        for p in parts {
            m.absorb(p);
        }
        let tag = m.tag();
        let n = out.len().min(tag.len());
        out[..n].copy_from_slice(&tag[..n]);
    }
}

impl MacAlgorithm for BeltMacAlgorithm {
    fn key_len(&self) -> usize {
        32
    }
    fn output_len(&self) -> usize {
        8
    }
    fn new_key(&self, key: &[u8]) -> Result<Box<dyn MacKey>, Error> {
        let mut k = key32(key, 32)?;
        let m = BeltMac::new_with_key(&k);
        k.zeroize();
        Ok(Box::new(BeltMacKey(m)))
    }
}
