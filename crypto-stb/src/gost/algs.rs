//! Provider objects of the GOST family: GOST 28147-89 CBC/CFB as IKE and ESP ciphers, IMIT and the
//! Kuznyechik MAC as ESP/AH integrity, GOST R 34.10-2001 as a signature scheme and a software
//! signing key. They only adapt [`super::modes`], [`super::r3410`] and the `cmac`/`kuznyechik`
//! crates to the provider traits; no algorithm lives here. Nothing allocates after `new_key`.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::marker::PhantomData;

use cipher::KeyInit;
use digest::{Digest, Mac};
use magma::Sbox;

use super::block::{BLOCK_LEN, Gost28147, KEY_LEN};
use super::hash::Gost94CryptoPro;
use super::modes::{Cbc, Cfb, Imit, KeyMeshing};
use super::r3410::{self, Curve, PublicKey, SecretKey, Signature};
use crate::provider::{
    CipherAlgorithm, CipherKey, EspCipherAlgorithm, EspCipherKey, MacAlgorithm, MacKey,
    SignatureVerifier, SigningKey,
};
use crate::{Error, Rng};

fn iv8(iv: &[u8]) -> Result<[u8; BLOCK_LEN], Error> {
    iv.try_into().map_err(|_| Error::InvalidIvLength)
}

fn gost_key<S: Sbox>(key: &[u8]) -> Result<Gost28147<S>, Error> {
    Gost28147::new_from_slice(key)
}

// ---------------------------------------------------------------------------------------------
// CBC

/// GOST 28147-89 in CBC mode over S-box `S`: an IKE cipher (IV chaining = last ciphertext block)
/// and an ESP cipher (8-byte explicit IV), 32-byte key, 8-byte block.
pub struct GostCbc<S> {
    meshing: KeyMeshing,
    _s: PhantomData<fn() -> S>,
}

impl<S> GostCbc<S> {
    /// CBC with or without CryptoPro key meshing inside each message.
    pub const fn new(meshing: KeyMeshing) -> Self {
        GostCbc {
            meshing,
            _s: PhantomData,
        }
    }
}

struct GostCbcKey<S: Sbox> {
    key: Gost28147<S>,
    meshing: KeyMeshing,
}

impl<S: Sbox + Send + Sync + 'static> CipherKey for GostCbcKey<S> {
    fn encrypt(&mut self, iv: &mut [u8], data: &mut [u8]) -> Result<(), Error> {
        let mut m = Cbc::new(&self.key, &iv8(iv)?, self.meshing);
        m.encrypt_blocks(data)?;
        iv.copy_from_slice(&m.iv());
        Ok(())
    }
    fn decrypt(&mut self, iv: &mut [u8], data: &mut [u8]) -> Result<(), Error> {
        let mut m = Cbc::new(&self.key, &iv8(iv)?, self.meshing);
        m.decrypt_blocks(data)?;
        iv.copy_from_slice(&m.iv());
        Ok(())
    }
}

impl<S: Sbox + Send + Sync + 'static> EspCipherKey for GostCbcKey<S> {
    fn encrypt(&mut self, iv: &[u8], _: &[u8], data: &mut [u8], _: &mut [u8]) -> Result<(), Error> {
        Cbc::new(&self.key, &iv8(iv)?, self.meshing).encrypt_blocks(data)
    }
    fn decrypt(&mut self, iv: &[u8], _: &[u8], data: &mut [u8], _: &[u8]) -> Result<(), Error> {
        Cbc::new(&self.key, &iv8(iv)?, self.meshing).decrypt_blocks(data)
    }
}

impl<S: Sbox + Send + Sync + 'static> CipherAlgorithm for GostCbc<S> {
    fn key_len(&self) -> usize {
        KEY_LEN
    }
    fn block_len(&self) -> usize {
        BLOCK_LEN
    }
    fn new_key(&self, key: &[u8]) -> Result<Box<dyn CipherKey>, Error> {
        Ok(Box::new(GostCbcKey::<S> {
            key: gost_key(key)?,
            meshing: self.meshing,
        }))
    }
}

impl<S: Sbox + Send + Sync + 'static> EspCipherAlgorithm for GostCbc<S> {
    fn key_len(&self) -> usize {
        KEY_LEN
    }
    fn iv_len(&self) -> usize {
        BLOCK_LEN
    }
    fn block_len(&self) -> usize {
        BLOCK_LEN
    }
    fn icv_len(&self) -> usize {
        0
    }
    fn new_key(&self, key: &[u8]) -> Result<Box<dyn EspCipherKey>, Error> {
        Ok(Box::new(GostCbcKey::<S> {
            key: gost_key(key)?,
            meshing: self.meshing,
        }))
    }
}

// ---------------------------------------------------------------------------------------------
// CFB

/// GOST 28147-89 in CFB mode ("gamma with feedback", §4) over S-box `S`. As an IKE cipher it takes
/// whole blocks (IKE pads to 8) and chains the IV like CBC (last ciphertext block); as an ESP
/// cipher it takes any length with an 8-byte explicit IV (ESP still pads to 8 bytes).
pub struct GostCfb<S> {
    meshing: KeyMeshing,
    _s: PhantomData<fn() -> S>,
}

impl<S> GostCfb<S> {
    /// CFB with or without CryptoPro key meshing inside each message.
    pub const fn new(meshing: KeyMeshing) -> Self {
        GostCfb {
            meshing,
            _s: PhantomData,
        }
    }
}

struct GostCfbKey<S: Sbox> {
    key: Gost28147<S>,
    meshing: KeyMeshing,
}

impl<S: Sbox + Send + Sync + 'static> CipherKey for GostCfbKey<S> {
    fn encrypt(&mut self, iv: &mut [u8], data: &mut [u8]) -> Result<(), Error> {
        if !data.len().is_multiple_of(BLOCK_LEN) {
            return Err(Error::InvalidLength);
        }
        let mut m = Cfb::new(&self.key, &iv8(iv)?, self.meshing);
        m.encrypt(data);
        iv.copy_from_slice(&m.iv());
        Ok(())
    }
    fn decrypt(&mut self, iv: &mut [u8], data: &mut [u8]) -> Result<(), Error> {
        if !data.len().is_multiple_of(BLOCK_LEN) {
            return Err(Error::InvalidLength);
        }
        let mut m = Cfb::new(&self.key, &iv8(iv)?, self.meshing);
        m.decrypt(data);
        iv.copy_from_slice(&m.iv());
        Ok(())
    }
}

impl<S: Sbox + Send + Sync + 'static> EspCipherKey for GostCfbKey<S> {
    fn encrypt(&mut self, iv: &[u8], _: &[u8], data: &mut [u8], _: &mut [u8]) -> Result<(), Error> {
        Cfb::new(&self.key, &iv8(iv)?, self.meshing).encrypt(data);
        Ok(())
    }
    fn decrypt(&mut self, iv: &[u8], _: &[u8], data: &mut [u8], _: &[u8]) -> Result<(), Error> {
        Cfb::new(&self.key, &iv8(iv)?, self.meshing).decrypt(data);
        Ok(())
    }
}

impl<S: Sbox + Send + Sync + 'static> CipherAlgorithm for GostCfb<S> {
    fn key_len(&self) -> usize {
        KEY_LEN
    }
    fn block_len(&self) -> usize {
        BLOCK_LEN
    }
    fn new_key(&self, key: &[u8]) -> Result<Box<dyn CipherKey>, Error> {
        Ok(Box::new(GostCfbKey::<S> {
            key: gost_key(key)?,
            meshing: self.meshing,
        }))
    }
}

impl<S: Sbox + Send + Sync + 'static> EspCipherAlgorithm for GostCfb<S> {
    fn key_len(&self) -> usize {
        KEY_LEN
    }
    fn iv_len(&self) -> usize {
        BLOCK_LEN
    }
    fn block_len(&self) -> usize {
        BLOCK_LEN
    }
    fn icv_len(&self) -> usize {
        0
    }
    fn new_key(&self, key: &[u8]) -> Result<Box<dyn EspCipherKey>, Error> {
        Ok(Box::new(GostCfbKey::<S> {
            key: gost_key(key)?,
            meshing: self.meshing,
        }))
    }
}

// ---------------------------------------------------------------------------------------------
// IMIT

/// The GOST 28147-89 MAC (IMIT) over S-box `S` as a provider MAC: 32-byte key, 8-byte state; the
/// integrity transform truncates (4 bytes = the usual 32-bit IMIT).
pub struct GostImit<S> {
    meshing: KeyMeshing,
    _s: PhantomData<fn() -> S>,
}

impl<S> GostImit<S> {
    /// IMIT with or without CryptoPro key meshing.
    pub const fn new(meshing: KeyMeshing) -> Self {
        GostImit {
            meshing,
            _s: PhantomData,
        }
    }
}

struct GostImitKey<S: Sbox> {
    key: Gost28147<S>,
    meshing: KeyMeshing,
}

impl<S: Sbox + Send + Sync + 'static> MacKey for GostImitKey<S> {
    fn compute(&self, parts: &[&[u8]], out: &mut [u8]) {
        let mut m = Imit::new(&self.key, self.meshing);
        for p in parts {
            m.update(p);
        }
        let tag = m.finalize();
        let n = out.len().min(tag.len());
        out[..n].copy_from_slice(&tag[..n]);
    }
}

impl<S: Sbox + Send + Sync + 'static> MacAlgorithm for GostImit<S> {
    fn key_len(&self) -> usize {
        KEY_LEN
    }
    fn output_len(&self) -> usize {
        BLOCK_LEN
    }
    fn new_key(&self, key: &[u8]) -> Result<Box<dyn MacKey>, Error> {
        Ok(Box::new(GostImitKey::<S> {
            key: gost_key(key)?,
            meshing: self.meshing,
        }))
    }
}

// ---------------------------------------------------------------------------------------------
// Kuznyechik MAC (GOST R 34.13-2015 §5.6 = OMAC1/CMAC over GOST R 34.12-2015 Kuznyechik)

/// The GOST R 34.13-2015 MAC over Kuznyechik, from the `cmac` and `kuznyechik` crates (the
/// standard's MAC is exactly CMAC; its appendix A.1.6 example is a self-test). 32-byte key,
/// 16-byte full tag, truncated by the integrity transform.
pub struct KuznyechikMac;

/// `cmac::Cmac<kuznyechik::Kuznyechik>`: the raw type the provider object wraps.
pub type KuznyechikCmac = cmac::Cmac<kuznyechik::Kuznyechik>;

struct KuznyechikMacKey(KuznyechikCmac);

impl MacKey for KuznyechikMacKey {
    fn compute(&self, parts: &[&[u8]], out: &mut [u8]) {
        let mut m = self.0.clone();
        for p in parts {
            Mac::update(&mut m, p);
        }
        let tag = m.finalize().into_bytes();
        let n = out.len().min(tag.len());
        out[..n].copy_from_slice(&tag[..n]);
    }
}

impl MacAlgorithm for KuznyechikMac {
    fn key_len(&self) -> usize {
        32
    }
    fn output_len(&self) -> usize {
        16
    }
    fn new_key(&self, key: &[u8]) -> Result<Box<dyn MacKey>, Error> {
        let m = <KuznyechikCmac as KeyInit>::new_from_slice(key).map_err(|_| {
            Error::InvalidKeyLength {
                expected: 32,
                got: key.len(),
            }
        })?;
        Ok(Box::new(KuznyechikMacKey(m)))
    }
}

// ---------------------------------------------------------------------------------------------
// GOST R 34.10-2001 with GOST R 34.11-94

/// Name of the signature scheme.
pub const GOST3410_2001_SCHEME: &str = "gost3410-2001-gostr3411-94";

/// Curves the scheme's verifier recognises a 64-byte public key on (XchA/XchB share the curves
/// of A/C). The test curve is left out: it has no use outside known-answer tests.
pub static VERIFIER_CURVES: [&Curve; 3] = [
    &r3410::CRYPTOPRO_A,
    &r3410::CRYPTOPRO_B,
    &r3410::CRYPTOPRO_C,
];

/// GOST R 34.11-94 (CryptoPro) of `message`, read as the GOST integer α.
fn alpha(message: &[u8]) -> crypto_bigint::U256 {
    let h: [u8; 32] = Gost94CryptoPro::digest(message).into();
    r3410::hash_to_integer(&h)
}

/// Verifier of `gost3410-2001-gostr3411-94` (OID 1.2.643.2.2.3): hashes the message with GOST R
/// 34.11-94 (CryptoPro parameters), public key = 64 bytes x ‖ y little-endian, signature = 64
/// bytes s ‖ r big-endian.
///
/// The key does not name its curve (a certificate does, in its parameters): the verifier tries
/// each of [`VERIFIER_CURVES`] on which the point lies. A point lies on two of them only by
/// deliberate construction, and then only its owner can sign for it, so accepting a signature
/// valid on either curve grants nothing. Callers that know the curve use
/// [`r3410::PublicKey::verify_prehashed`] directly.
pub struct Gost3410Verifier;

impl SignatureVerifier for Gost3410Verifier {
    fn verify(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), Error> {
        let sig = Signature::from_bytes(signature)?;
        let mut on_some_curve = false;
        let a = alpha(message);
        for c in VERIFIER_CURVES {
            if let Ok(pk) = PublicKey::from_le_bytes(c, public_key) {
                on_some_curve = true;
                if pk.verify_prehashed(&a, &sig).is_ok() {
                    return Ok(());
                }
            }
        }
        Err(if on_some_curve {
            Error::InvalidSignature
        } else {
            Error::InvalidPublicKey
        })
    }
}

/// A GOST R 34.10-2001 private key held in software, signing with GOST R 34.11-94 (CryptoPro).
pub struct Gost3410SigningKey {
    key: SecretKey,
    public: [u8; r3410::PUBLIC_KEY_LEN],
}

impl Gost3410SigningKey {
    /// Wraps a private key.
    pub fn new(key: SecretKey) -> Result<Self, Error> {
        let public = key.public_key()?.to_le_bytes();
        Ok(Gost3410SigningKey { key, public })
    }

    /// A fresh key on `curve`.
    pub fn generate(curve: &'static Curve, rng: &mut dyn Rng) -> Result<Self, Error> {
        Self::new(SecretKey::generate(curve, rng)?)
    }
}

impl core::fmt::Debug for Gost3410SigningKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Gost3410SigningKey({}, ..)", self.key.curve().name)
    }
}

impl SigningKey for Gost3410SigningKey {
    fn scheme(&self) -> &'static str {
        GOST3410_2001_SCHEME
    }
    fn public_key(&self) -> Vec<u8> {
        self.public.to_vec()
    }
    fn sign(&self, rng: &mut dyn Rng, message: &[u8]) -> Result<Vec<u8>, Error> {
        let sig = self.key.sign_prehashed(&alpha(message), rng)?;
        Ok(sig.to_bytes().to_vec())
    }
}

// ---------------------------------------------------------------------------------------------
// The objects the tables point at

use super::sbox::{CryptoProA, Sblock1};

/// GOST 28147-89 CBC, CryptoPro-A, no meshing: `G2814789CPRO1-K256-CBC-65534` (IKE) and
/// `G2814789CPRO1-K256-CBC-254` (ESP) in the default provider. gost-engine's CBC does not mesh;
/// whether S-Terra does is open (crypto.md §5.2) — [`CBC_CRYPTOPRO_A_MESHING`] is the other
/// variant.
pub static CBC_CRYPTOPRO_A: GostCbc<CryptoProA> = GostCbc::new(KeyMeshing::None);
/// GOST 28147-89 CBC, CryptoPro-A, CryptoPro key meshing every 1024 bytes of a message.
pub static CBC_CRYPTOPRO_A_MESHING: GostCbc<CryptoProA> = GostCbc::new(KeyMeshing::CryptoPro);
/// GOST 28147-89 CFB, CryptoPro-A, CryptoPro key meshing (RFC 4357 / gost-engine "gost89").
pub static CFB_CRYPTOPRO_A: GostCfb<CryptoProA> = GostCfb::new(KeyMeshing::CryptoPro);
/// GOST 28147-89 CBC with the Belarusian S-box `gost28147-sblock-1`, no meshing.
pub static CBC_SBLOCK1: GostCbc<Sblock1> = GostCbc::new(KeyMeshing::None);
/// GOST 28147-89 CFB (GOST 28147-89 §4, cited by the product) with `gost28147-sblock-1`,
/// no meshing (CryptoPro meshing is a Russian CryptoPro convention, not part of the STB).
pub static CFB_SBLOCK1: GostCfb<Sblock1> = GostCfb::new(KeyMeshing::None);

/// IMIT, CryptoPro-A, with CryptoPro key meshing (as gost-engine's `gost-mac`):
/// `G2814789CPRO1-K256-MAC-65535` in the default provider.
pub static IMIT_CRYPTOPRO_A: GostImit<CryptoProA> = GostImit::new(KeyMeshing::CryptoPro);
/// IMIT with `gost28147-sblock-1`, no meshing (STB 34.101.50 app. Г: MAC length 32 bits).
pub static IMIT_SBLOCK1: GostImit<Sblock1> = GostImit::new(KeyMeshing::None);

/// The Kuznyechik MAC: `GR341215K-K256-MAC-65529`.
pub static KUZNYECHIK_MAC: KuznyechikMac = KuznyechikMac;

/// The GOST R 34.10-2001 verifier: `gost3410-2001-gostr3411-94`.
pub static GOST3410_2001_VERIFIER: Gost3410Verifier = Gost3410Verifier;
