//! The GOST suite as IKE/IPsec descriptors, and the variants a Belarusian build may need.
//!
//! Bel VPN Client 4.1 prints the Russian names `gost2814789cp-cbc` / `gostr341194cp`, but its
//! certified list names GOST 28147-89 with the STB 34.101.50 S-box `gost28147-sblock-1`, the CFB
//! mode (GOST 28147-89 §4) and STB 1176.1 / belt-hash instead of GOST R 34.11-94 (crypto.md
//! §5.4). Which algorithms really sit behind those names and wire numbers cannot be settled from
//! public documents, so this module offers every combination as a [`GostSuite`] built with the
//! same names and wire numbers:
//!
//! | suite | cipher (IKE 65534 / ESP 254) | hash + PRF (IKE 65534) | HMAC (65534) | IMIT (65535) |
//! |---|---|---|---|---|
//! | [`CRYPTOPRO`] (default provider) | CryptoPro-A, CBC | GOST R 34.11-94 CP | HMAC-GOST94 | CryptoPro-A, meshed |
//! | [`CRYPTOPRO_MESHED_CBC`] | CryptoPro-A, CBC + key meshing | GOST R 34.11-94 CP | HMAC-GOST94 | CryptoPro-A, meshed |
//! | [`BEL_SBLOCK1_CBC`] | sblock-1, CBC | GOST R 34.11-94 CP | HMAC-GOST94 | sblock-1 |
//! | [`BEL_SBLOCK1_CFB`] | sblock-1, CFB | GOST R 34.11-94 CP | HMAC-GOST94 | sblock-1 |
//! | [`BEL_SBLOCK1_CFB_BELT_HASH`] | sblock-1, CFB | belt-hash | HMAC-HBELT | sblock-1 |
//! | [`BEL_CRYPTOPRO_A_CFB_BELT_HASH`] | CryptoPro-A, CFB + meshing | belt-hash | HMAC-HBELT | CryptoPro-A, meshed |
//!
//! STB 1176.1 lives in another module; [`suite`] builds a suite over any hash, so a host puts
//! `suite(Sbox::Sblock1, Mode::Cfb, &STB1176_HASH, &HMAC_STB1176)` (its own objects) in its tables.
//!
//! Only [`CRYPTOPRO`] is in the default provider (`crate::software`). The others reuse the same
//! wire numbers, so they must never sit in one provider next to it: a host that talks to a
//! Belarusian gateway builds its own `CryptoProvider` with the suite that interoperates.
//!
//! Wire numbers and names (crypto.md §5.1, lsp.md §5.8); tags as in crypto.md:
//! * IKE Encryption Algorithm 65534 `G2814789CPRO1-K256-CBC-65534` / `gost2814789cp-cbc` [V name];
//! * IKE Hash Algorithm 65534 `GR341194CPRO1-65534` / `gostr341194cp` [V name];
//! * ESP transform 254 `G2814789CPRO1-K256-CBC-254` / `esp-gost2814789cp-cbc` [R];
//! * IPsec Authentication Algorithm 65534 `GR341194CPRO1-H96-HMAC-65534`, ICV 12 bytes, AH
//!   transform ID 254 — **[Z] chosen by analogy with the ESP transform; no public source gives
//!   it**;
//! * Authentication Algorithm 65535 `G2814789CPRO1-K256-MAC-65535`, ICV **4 bytes [U]** (the
//!   usual 32-bit IMIT; S-Terra's length is not documented), AH transform ID 253 **[Z]**.
//!
//! This module holds descriptors only; the algorithms are in [`super::algs`] and [`super::hash`].

use crate::generic::{DigestHash, HmacMac};
use crate::provider::{
    CipherAlgorithm, EspCipher, EspCipherAlgorithm, HashAlgorithm, IkeCipher, IkeHash, Integrity,
    MacAlgorithm,
};

use super::algs;
use super::hash;

/// IKE Encryption Algorithm attribute of the GOST cipher.
pub const IKE_CIPHER_ATTRIBUTE: u16 = 65534;
/// IKE Hash Algorithm attribute of the GOST hash.
pub const IKE_HASH_ATTRIBUTE: u16 = 65534;
/// ESP transform ID of the GOST cipher.
pub const ESP_TRANSFORM_ID: u8 = 254;
/// IPsec Authentication Algorithm of HMAC-GOSTR3411-94-96.
pub const AUTH_HMAC_GOST94: u16 = 65534;
/// AH transform ID of HMAC-GOSTR3411-94-96 **[Z]** (not in any public source).
pub const AH_HMAC_GOST94: u8 = 254;
/// ICV length of HMAC-GOSTR3411-94-96.
pub const ICV_HMAC_GOST94: usize = 12;
/// IPsec Authentication Algorithm of the GOST 28147-89 IMIT.
pub const AUTH_IMIT: u16 = 65535;
/// AH transform ID of the IMIT **[Z]** (not in any public source).
pub const AH_IMIT: u8 = 253;
/// ICV length of the IMIT **[U]**: 32 bits, the IMIT length of STB 34.101.50 app. Г and gost-engine.
pub const ICV_IMIT: usize = 4;
/// IPsec Authentication Algorithm of the Kuznyechik MAC.
pub const AUTH_KUZNYECHIK_MAC: u16 = 65529;
/// ICV length of the Kuznyechik MAC **[U]**: 64 bits (GOST R 34.13-2015 A.1.6 truncates to 64).
pub const ICV_KUZNYECHIK_MAC: usize = 8;

/// belt-hash (STB 34.101.31 §6.9) from the `belt-hash` crate, for the Belarusian variants.
pub static BELT_HASH: DigestHash<belt_hash::BeltHash> = DigestHash::new();
/// HMAC-HBELT (STB 34.101.47 §6.1) with a 32-byte key, for the Belarusian variants.
pub static HMAC_BELT_HASH: HmacMac<belt_hash::BeltHash> = HmacMac::new(32);

/// The IKE cipher descriptor `G2814789CPRO1-K256-CBC-65534` over `cipher`.
pub const fn ike_cipher(cipher: &'static dyn CipherAlgorithm) -> IkeCipher {
    IkeCipher {
        lsp_name: "G2814789CPRO1-K256-CBC-65534",
        sa_name: "gost2814789cp-cbc",
        attribute: IKE_CIPHER_ATTRIBUTE,
        key_bits: None,
        cipher,
    }
}

/// The IKE hash descriptor `GR341194CPRO1-65534` over `hash` (its HMAC is the PRF).
pub const fn ike_hash(hash: &'static dyn HashAlgorithm) -> IkeHash {
    IkeHash {
        lsp_name: "GR341194CPRO1-65534",
        sa_name: "gostr341194cp",
        attribute: IKE_HASH_ATTRIBUTE,
        hash,
    }
}

/// The ESP cipher descriptor `G2814789CPRO1-K256-CBC-254` over `cipher`.
pub const fn esp_cipher(cipher: &'static dyn EspCipherAlgorithm) -> EspCipher {
    EspCipher {
        lsp_name: "G2814789CPRO1-K256-CBC-254",
        sa_name: "esp-gost2814789cp-cbc",
        transform_id: ESP_TRANSFORM_ID,
        key_bits: None,
        cipher,
    }
}

/// The integrity descriptor `GR341194CPRO1-H96-HMAC-65534` over `mac` (an HMAC with 32-byte key).
pub const fn integrity_hmac(mac: &'static dyn MacAlgorithm) -> Integrity {
    Integrity {
        lsp_name: "GR341194CPRO1-H96-HMAC-65534",
        esp_sa_name: "esp-gostr341194cp-hmac",
        ah_sa_name: "ah-gostr341194cp-hmac",
        auth_algorithm: AUTH_HMAC_GOST94,
        ah_transform_id: Some(AH_HMAC_GOST94),
        icv_len: ICV_HMAC_GOST94,
        mac,
    }
}

/// The integrity descriptor `G2814789CPRO1-K256-MAC-65535` over `mac` (an IMIT).
pub const fn integrity_imit(mac: &'static dyn MacAlgorithm) -> Integrity {
    Integrity {
        lsp_name: "G2814789CPRO1-K256-MAC-65535",
        esp_sa_name: "esp-gost2814789cp-imit",
        ah_sa_name: "ah-gost2814789cp-imit",
        auth_algorithm: AUTH_IMIT,
        ah_transform_id: Some(AH_IMIT),
        icv_len: ICV_IMIT,
        mac,
    }
}

/// The integrity descriptor `GR341215K-K256-MAC-65529` (Kuznyechik MAC, 8-byte ICV [U]). No AH
/// transform ID is known for it, so it is ESP-only until a peer shows one.
pub const KUZNYECHIK_MAC_INTEGRITY: Integrity = Integrity {
    lsp_name: "GR341215K-K256-MAC-65529",
    esp_sa_name: "esp-kuznyechik-mac",
    ah_sa_name: "ah-kuznyechik-mac",
    auth_algorithm: AUTH_KUZNYECHIK_MAC,
    ah_transform_id: None,
    icv_len: ICV_KUZNYECHIK_MAC,
    mac: &algs::KUZNYECHIK_MAC,
};

/// One complete GOST suite under the CryptoPro names and wire numbers.
#[derive(Clone, Copy)]
pub struct GostSuite {
    /// What is behind the names, for logs and documentation.
    pub description: &'static str,
    /// IKE phase-1 cipher (attribute 65534).
    pub ike_cipher: IkeCipher,
    /// IKE phase-1 hash and PRF (attribute 65534).
    pub ike_hash: IkeHash,
    /// ESP cipher (transform 254).
    pub esp_cipher: EspCipher,
    /// HMAC integrity (65534, AH 254 [Z]).
    pub integrity_hmac: Integrity,
    /// IMIT integrity (65535, AH 253 [Z]).
    pub integrity_imit: Integrity,
}

/// S-box choice for [`suite`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sbox {
    /// id-Gost28147-89-CryptoPro-A-ParamSet (the "CPRO1" of the names); IMIT meshed.
    CryptoProA,
    /// STB 34.101.50 `gost28147-sblock-1`; no meshing anywhere.
    Sblock1,
}

/// Mode choice for [`suite`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// CBC (the names say CBC); no meshing.
    Cbc,
    /// CBC with CryptoPro key meshing (CryptoPro-A only; with sblock-1 it is plain CBC).
    CbcMeshed,
    /// CFB (GOST 28147-89 §4, cited by the product); meshed for CryptoPro-A, not for sblock-1.
    Cfb,
}

/// Builds a suite: S-box, mode, and the hash with its HMAC (32-byte key) for IKE and integrity.
pub const fn suite(
    description: &'static str,
    sbox: Sbox,
    mode: Mode,
    hash: &'static dyn HashAlgorithm,
    hmac: &'static dyn MacAlgorithm,
) -> GostSuite {
    let (ike, esp): (
        &'static dyn CipherAlgorithm,
        &'static dyn EspCipherAlgorithm,
    ) = match (sbox, mode) {
        (Sbox::CryptoProA, Mode::Cbc) => (&algs::CBC_CRYPTOPRO_A, &algs::CBC_CRYPTOPRO_A),
        (Sbox::CryptoProA, Mode::CbcMeshed) => (
            &algs::CBC_CRYPTOPRO_A_MESHING,
            &algs::CBC_CRYPTOPRO_A_MESHING,
        ),
        (Sbox::CryptoProA, Mode::Cfb) => (&algs::CFB_CRYPTOPRO_A, &algs::CFB_CRYPTOPRO_A),
        (Sbox::Sblock1, Mode::Cbc | Mode::CbcMeshed) => (&algs::CBC_SBLOCK1, &algs::CBC_SBLOCK1),
        (Sbox::Sblock1, Mode::Cfb) => (&algs::CFB_SBLOCK1, &algs::CFB_SBLOCK1),
    };
    let imit: &'static dyn MacAlgorithm = match sbox {
        Sbox::CryptoProA => &algs::IMIT_CRYPTOPRO_A,
        Sbox::Sblock1 => &algs::IMIT_SBLOCK1,
    };
    GostSuite {
        description,
        ike_cipher: ike_cipher(ike),
        ike_hash: ike_hash(hash),
        esp_cipher: esp_cipher(esp),
        integrity_hmac: integrity_hmac(hmac),
        integrity_imit: integrity_imit(imit),
    }
}

/// The CryptoPro suite the names describe: the default provider's entries.
pub const CRYPTOPRO: GostSuite = suite(
    "GOST 28147-89 CryptoPro-A CBC, GOST R 34.11-94 CryptoPro, IMIT CryptoPro-A (meshed)",
    Sbox::CryptoProA,
    Mode::Cbc,
    &hash::GOSTR3411_94_CP,
    &hash::HMAC_GOSTR3411_94_CP,
);

/// As [`CRYPTOPRO`], with CryptoPro key meshing inside CBC messages longer than 1024 bytes.
pub const CRYPTOPRO_MESHED_CBC: GostSuite = suite(
    "GOST 28147-89 CryptoPro-A CBC with key meshing, GOST R 34.11-94 CryptoPro",
    Sbox::CryptoProA,
    Mode::CbcMeshed,
    &hash::GOSTR3411_94_CP,
    &hash::HMAC_GOSTR3411_94_CP,
);

/// Belarusian S-box, CBC, GOST R 34.11-94.
pub const BEL_SBLOCK1_CBC: GostSuite = suite(
    "GOST 28147-89 sblock-1 CBC, GOST R 34.11-94 CryptoPro, IMIT sblock-1",
    Sbox::Sblock1,
    Mode::Cbc,
    &hash::GOSTR3411_94_CP,
    &hash::HMAC_GOSTR3411_94_CP,
);

/// Belarusian S-box, CFB, GOST R 34.11-94.
pub const BEL_SBLOCK1_CFB: GostSuite = suite(
    "GOST 28147-89 sblock-1 CFB, GOST R 34.11-94 CryptoPro, IMIT sblock-1",
    Sbox::Sblock1,
    Mode::Cfb,
    &hash::GOSTR3411_94_CP,
    &hash::HMAC_GOSTR3411_94_CP,
);

/// Belarusian S-box, CFB, belt-hash / HMAC-HBELT: the certified list read literally.
pub const BEL_SBLOCK1_CFB_BELT_HASH: GostSuite = suite(
    "GOST 28147-89 sblock-1 CFB, belt-hash, HMAC-HBELT, IMIT sblock-1",
    Sbox::Sblock1,
    Mode::Cfb,
    &BELT_HASH,
    &HMAC_BELT_HASH,
);

/// CryptoPro-A CFB (meshed), belt-hash / HMAC-HBELT.
pub const BEL_CRYPTOPRO_A_CFB_BELT_HASH: GostSuite = suite(
    "GOST 28147-89 CryptoPro-A CFB (meshed), belt-hash, HMAC-HBELT, IMIT CryptoPro-A",
    Sbox::CryptoProA,
    Mode::Cfb,
    &BELT_HASH,
    &HMAC_BELT_HASH,
);

/// Every predefined suite.
pub const ALL: [GostSuite; 6] = [
    CRYPTOPRO,
    CRYPTOPRO_MESHED_CBC,
    BEL_SBLOCK1_CBC,
    BEL_SBLOCK1_CFB,
    BEL_SBLOCK1_CFB_BELT_HASH,
    BEL_CRYPTOPRO_A_CFB_BELT_HASH,
];
