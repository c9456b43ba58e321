//! [`SOFTWARE`]: the default provider, every algorithm implemented in this crate.
//!
//! Wire numbers and names follow crypto.md §5–6 and lsp.md §5.8. Values marked **[Z]** are Zubr's
//! own choices in IANA private-use ranges (the belt suite has no published IKE/IPsec numbers); they
//! are only negotiated when a policy names them.
//!
//! The tables are grouped by family; each family's section is kept together.
//!
//! belt suite [Z] (Zubr-private numbers, see `crate::belt`): IKE class 1 `BELT-K256-CBC` 65101,
//! `BELT-K256-CFB` 65102; IKE class 2 `BELT-HASH` 65101; ESP transform IDs `BELT-K256-DWP` 249
//! (AEAD, 8-byte ICV), `BELT-K256-CFB` 250, `BELT-K256-CTR` 251; IPsec auth. algorithm / AH
//! transform ID `BELT-K256-MAC` 65101 / 249 (ICV 8), `HMAC-HBELT` 65102 / 250 (ICV 16).

use crate::belt::suite as belt;
use crate::gost;
use crate::intl;
use crate::provider::{
    CryptoProvider, EspCipher, Group, IkeCipher, IkeHash, Integrity, NamedHash, SignatureScheme,
};

/// Hashes by command-line name.
pub static HASHES: &[NamedHash] = &[
    // -- international --
    NamedHash {
        name: "md5",
        oid: Some("1.2.840.113549.2.5"),
        hash: &intl::hash::MD5,
    },
    NamedHash {
        name: "sha1",
        oid: Some("1.3.14.3.2.26"),
        hash: &intl::hash::SHA1,
    },
    NamedHash {
        name: "sha256",
        oid: Some("2.16.840.1.101.3.4.2.1"),
        hash: &intl::hash::SHA256,
    },
    NamedHash {
        name: "sha384",
        oid: Some("2.16.840.1.101.3.4.2.2"),
        hash: &intl::hash::SHA384,
    },
    NamedHash {
        name: "sha512",
        oid: Some("2.16.840.1.101.3.4.2.3"),
        hash: &intl::hash::SHA512,
    },
    // -- belt --
    NamedHash {
        name: "belt-hash",
        oid: Some("1.2.112.0.2.0.34.101.31.81"),
        hash: &belt::BELT_HASH,
    },
    // -- GOST --
    NamedHash {
        name: "gostr3411-94-cp",
        oid: Some("1.2.643.2.2.9"),
        hash: &gost::hash::GOSTR3411_94_CP,
    },
    NamedHash {
        name: "gostr3411-94-test",
        oid: None,
        hash: &gost::hash::GOSTR3411_94_TEST,
    },
    // -- STB 1176 --
    NamedHash {
        name: "stb1176-1",
        oid: Some("1.2.112.0.2.0.1176.1.12"),
        hash: &crate::stb1176::STB1176_1_HASH0,
    },
    NamedHash {
        name: "stb1176-1-a",
        oid: Some("1.2.112.0.2.0.1176.1.13"),
        hash: &crate::stb1176::STB1176_1_HASHA,
    },
    NamedHash {
        name: "stb1176-1-4e",
        oid: Some("1.2.112.0.2.0.1176.1.14"),
        hash: &crate::stb1176::STB1176_1_HASH4E,
    },
];

/// IKE phase-1 ciphers.
pub static IKE_CIPHERS: &[IkeCipher] = &[
    // -- international (RFC 2409 app. A, RFC 3602) --
    IkeCipher {
        lsp_name: "AES-K128-CBC",
        sa_name: "aes128-cbc",
        attribute: 7,
        key_bits: Some(128),
        cipher: &intl::cbc::AES128_CBC,
    },
    IkeCipher {
        lsp_name: "AES-K192-CBC",
        sa_name: "aes192-cbc",
        attribute: 7,
        key_bits: Some(192),
        cipher: &intl::cbc::AES192_CBC,
    },
    IkeCipher {
        lsp_name: "AES-K256-CBC",
        sa_name: "aes256-cbc",
        attribute: 7,
        key_bits: Some(256),
        cipher: &intl::cbc::AES256_CBC,
    },
    IkeCipher {
        lsp_name: "DES3-K168-CBC",
        sa_name: "3des-cbc",
        attribute: 5,
        key_bits: None,
        cipher: &intl::cbc::DES3_CBC,
    },
    IkeCipher {
        lsp_name: "DES-CBC",
        sa_name: "des-cbc",
        attribute: 1,
        key_bits: None,
        cipher: &intl::cbc::DES_CBC,
    },
    // -- GOST --
    // crypto.md §5.1; the Belarusian variants are in gost::suites, not in this table.
    gost::suites::CRYPTOPRO.ike_cipher,
    // -- belt -- [Z] Zubr-private values, negotiated only when a policy names them
    IkeCipher {
        lsp_name: "BELT-K256-CBC",
        sa_name: "belt-cbc",
        attribute: 65101,
        key_bits: None,
        cipher: &belt::IKE_BELT_CBC,
    },
    IkeCipher {
        lsp_name: "BELT-K256-CFB",
        sa_name: "belt-cfb",
        attribute: 65102,
        key_bits: None,
        cipher: &belt::IKE_BELT_CFB,
    },
];

/// IKE phase-1 hashes.
pub static IKE_HASHES: &[IkeHash] = &[
    // -- international --
    IkeHash {
        lsp_name: "MD5",
        sa_name: "md5",
        attribute: 1,
        hash: &intl::hash::MD5,
    },
    IkeHash {
        lsp_name: "SHA1",
        sa_name: "sha1",
        attribute: 2,
        hash: &intl::hash::SHA1,
    },
    IkeHash {
        lsp_name: "SHA2-256",
        sa_name: "sha2-256",
        attribute: 4,
        hash: &intl::hash::SHA256,
    },
    IkeHash {
        lsp_name: "SHA2-384",
        sa_name: "sha2-384",
        attribute: 5,
        hash: &intl::hash::SHA384,
    },
    IkeHash {
        lsp_name: "SHA2-512",
        sa_name: "sha2-512",
        attribute: 6,
        hash: &intl::hash::SHA512,
    },
    // -- GOST --
    gost::suites::CRYPTOPRO.ike_hash,
    // -- belt -- [Z]
    IkeHash {
        lsp_name: "BELT-HASH",
        sa_name: "belt-hash",
        attribute: 65101,
        hash: &belt::BELT_HASH,
    },
];

/// Diffie–Hellman groups.
pub static GROUPS: &[Group] = &[
    // -- MODP (RFC 2409 §6, RFC 3526) --
    Group {
        lsp_name: "MODP_768",
        sa_name: "modp768",
        id: 1,
        dh: &intl::modp::MODP_768,
    },
    Group {
        lsp_name: "MODP_1024",
        sa_name: "modp1024",
        id: 2,
        dh: &intl::modp::MODP_1024,
    },
    Group {
        lsp_name: "MODP_1536",
        sa_name: "modp1536",
        id: 5,
        dh: &intl::modp::MODP_1536,
    },
    Group {
        lsp_name: "MODP_2048",
        sa_name: "modp2048",
        id: 14,
        dh: &intl::modp::MODP_2048,
    },
    Group {
        lsp_name: "MODP_3072",
        sa_name: "modp3072",
        id: 15,
        dh: &intl::modp::MODP_3072,
    },
    Group {
        lsp_name: "MODP_4096",
        sa_name: "modp4096",
        id: 16,
        dh: &intl::modp::MODP_4096,
    },
    Group {
        lsp_name: "MODP_6144",
        sa_name: "modp6144",
        id: 17,
        dh: &intl::modp::MODP_6144,
    },
    Group {
        lsp_name: "MODP_8192",
        sa_name: "modp8192",
        id: 18,
        dh: &intl::modp::MODP_8192,
    },
    // -- ECP (RFC 5903) --
    Group {
        lsp_name: "ECP_256",
        sa_name: "ecp256",
        id: 19,
        dh: &intl::ecp::ECP_256,
    },
    Group {
        lsp_name: "ECP_384",
        sa_name: "ecp384",
        id: 20,
        dh: &intl::ecp::ECP_384,
    },
    Group {
        lsp_name: "ECP_521",
        sa_name: "ecp521",
        id: 21,
        dh: &intl::ecp::ECP_521,
    },
    // -- bign ECDH -- [Z] Zubr-private group numbers (IKE private range); public value x || y LE,
    // shared secret x(d*Q) LE (crate::bign::provider_impl docs).
    Group {
        lsp_name: "BIGN_256",
        sa_name: "bign256",
        id: 65101,
        dh: &crate::bign::BIGN256_DH,
    },
    Group {
        lsp_name: "BIGN_384",
        sa_name: "bign384",
        id: 65102,
        dh: &crate::bign::BIGN384_DH,
    },
    Group {
        lsp_name: "BIGN_512",
        sa_name: "bign512",
        id: 65103,
        dh: &crate::bign::BIGN512_DH,
    },
];

/// ESP ciphers.
pub static ESP_CIPHERS: &[EspCipher] = &[
    // -- international (RFC 2407 §4.4.4, RFC 3602, RFC 4106) --
    EspCipher {
        lsp_name: "AES-K128-CBC",
        sa_name: "esp-aes128-cbc",
        transform_id: 12,
        key_bits: Some(128),
        cipher: &intl::cbc::AES128_CBC,
    },
    EspCipher {
        lsp_name: "AES-K192-CBC",
        sa_name: "esp-aes192-cbc",
        transform_id: 12,
        key_bits: Some(192),
        cipher: &intl::cbc::AES192_CBC,
    },
    EspCipher {
        lsp_name: "AES-K256-CBC",
        sa_name: "esp-aes256-cbc",
        transform_id: 12,
        key_bits: Some(256),
        cipher: &intl::cbc::AES256_CBC,
    },
    EspCipher {
        lsp_name: "DES3-K168-CBC",
        sa_name: "esp-3des-cbc",
        transform_id: 3,
        key_bits: None,
        cipher: &intl::cbc::DES3_CBC,
    },
    EspCipher {
        lsp_name: "DES-CBC",
        sa_name: "esp-des-cbc",
        transform_id: 2,
        key_bits: None,
        cipher: &intl::cbc::DES_CBC,
    },
    EspCipher {
        lsp_name: "AES-K128-GCM-16",
        sa_name: "esp-aes128-gcm16",
        transform_id: 20,
        key_bits: Some(128),
        cipher: &intl::gcm::AES128_GCM16,
    },
    EspCipher {
        lsp_name: "AES-K192-GCM-16",
        sa_name: "esp-aes192-gcm16",
        transform_id: 20,
        key_bits: Some(192),
        cipher: &intl::gcm::AES192_GCM16,
    },
    EspCipher {
        lsp_name: "AES-K256-GCM-16",
        sa_name: "esp-aes256-gcm16",
        transform_id: 20,
        key_bits: Some(256),
        cipher: &intl::gcm::AES256_GCM16,
    },
    EspCipher {
        lsp_name: "AES-K128-GCM-12",
        sa_name: "esp-aes128-gcm12",
        transform_id: 19,
        key_bits: Some(128),
        cipher: &intl::gcm::AES128_GCM12,
    },
    EspCipher {
        lsp_name: "AES-K192-GCM-12",
        sa_name: "esp-aes192-gcm12",
        transform_id: 19,
        key_bits: Some(192),
        cipher: &intl::gcm::AES192_GCM12,
    },
    EspCipher {
        lsp_name: "AES-K256-GCM-12",
        sa_name: "esp-aes256-gcm12",
        transform_id: 19,
        key_bits: Some(256),
        cipher: &intl::gcm::AES256_GCM12,
    },
    EspCipher {
        lsp_name: "AES-K128-GCM-8",
        sa_name: "esp-aes128-gcm8",
        transform_id: 18,
        key_bits: Some(128),
        cipher: &intl::gcm::AES128_GCM8,
    },
    EspCipher {
        lsp_name: "AES-K192-GCM-8",
        sa_name: "esp-aes192-gcm8",
        transform_id: 18,
        key_bits: Some(192),
        cipher: &intl::gcm::AES192_GCM8,
    },
    EspCipher {
        lsp_name: "AES-K256-GCM-8",
        sa_name: "esp-aes256-gcm8",
        transform_id: 18,
        key_bits: Some(256),
        cipher: &intl::gcm::AES256_GCM8,
    },
    EspCipher {
        lsp_name: "NULL",
        sa_name: "esp-null",
        transform_id: 11,
        key_bits: None,
        cipher: &intl::null::NULL,
    },
    // -- GOST --
    gost::suites::CRYPTOPRO.esp_cipher,
    // -- belt -- [Z] private transform IDs; CTR/DWP KEYMAT = key 32 ‖ salt 8, IV 8
    EspCipher {
        lsp_name: "BELT-K256-DWP",
        sa_name: "esp-belt-dwp",
        transform_id: 249,
        key_bits: None,
        cipher: &belt::ESP_BELT_DWP,
    },
    EspCipher {
        lsp_name: "BELT-K256-CFB",
        sa_name: "esp-belt-cfb",
        transform_id: 250,
        key_bits: None,
        cipher: &belt::ESP_BELT_CFB,
    },
    EspCipher {
        lsp_name: "BELT-K256-CTR",
        sa_name: "esp-belt-ctr",
        transform_id: 251,
        key_bits: None,
        cipher: &belt::ESP_BELT_CTR,
    },
];

/// ESP/AH integrity algorithms.
pub static INTEGRITY: &[Integrity] = &[
    // -- international (RFC 2403, 2404, 4868) --
    Integrity {
        lsp_name: "MD5-H96-HMAC",
        esp_sa_name: "esp-md5-hmac",
        ah_sa_name: "ah-md5-hmac",
        auth_algorithm: 1,
        ah_transform_id: Some(2),
        icv_len: 12,
        mac: &intl::hash::HMAC_MD5,
    },
    Integrity {
        lsp_name: "SHA1-H96-HMAC",
        esp_sa_name: "esp-sha1-hmac",
        ah_sa_name: "ah-sha1-hmac",
        auth_algorithm: 2,
        ah_transform_id: Some(3),
        icv_len: 12,
        mac: &intl::hash::HMAC_SHA1,
    },
    Integrity {
        lsp_name: "SHA2-256-H128-HMAC",
        esp_sa_name: "esp-sha256-hmac",
        ah_sa_name: "ah-sha256-hmac",
        auth_algorithm: 5,
        ah_transform_id: Some(5),
        icv_len: 16,
        mac: &intl::hash::HMAC_SHA256,
    },
    Integrity {
        lsp_name: "SHA2-384-H192-HMAC",
        esp_sa_name: "esp-sha384-hmac",
        ah_sa_name: "ah-sha384-hmac",
        auth_algorithm: 6,
        ah_transform_id: Some(6),
        icv_len: 24,
        mac: &intl::hash::HMAC_SHA384,
    },
    Integrity {
        lsp_name: "SHA2-512-H256-HMAC",
        esp_sa_name: "esp-sha512-hmac",
        ah_sa_name: "ah-sha512-hmac",
        auth_algorithm: 7,
        ah_transform_id: Some(7),
        icv_len: 32,
        mac: &intl::hash::HMAC_SHA512,
    },
    // -- GOST --
    // AH transform IDs 254/253 are [Z]; IMIT ICV 4 and Kuznyechik ICV 8 are [U] (gost::suites).
    gost::suites::CRYPTOPRO.integrity_hmac,
    gost::suites::CRYPTOPRO.integrity_imit,
    gost::suites::KUZNYECHIK_MAC_INTEGRITY,
    // -- belt -- [Z] private auth. algorithm values and AH transform IDs
    Integrity {
        lsp_name: "BELT-K256-MAC",
        esp_sa_name: "esp-belt-mac",
        ah_sa_name: "ah-belt-mac",
        auth_algorithm: 65101,
        ah_transform_id: Some(249),
        icv_len: 8,
        mac: &belt::BELT_MAC,
    },
    Integrity {
        lsp_name: "HMAC-HBELT",
        esp_sa_name: "esp-hbelt-hmac",
        ah_sa_name: "ah-hbelt-hmac",
        auth_algorithm: 65102,
        ah_transform_id: Some(250),
        icv_len: 16,
        mac: &belt::HMAC_HBELT,
    },
];

/// Signature schemes.
pub static SIGNATURES: &[SignatureScheme] = &[
    // -- RSA / ECDSA --
    SignatureScheme {
        name: "rsa-pkcs1-sha256",
        oid: Some("1.2.840.113549.1.1.11"),
        ike_auth_method: None,
        verifier: &intl::rsa::RSA_PKCS1_SHA256,
    },
    SignatureScheme {
        name: "rsa-pkcs1-sha384",
        oid: Some("1.2.840.113549.1.1.12"),
        ike_auth_method: None,
        verifier: &intl::rsa::RSA_PKCS1_SHA384,
    },
    SignatureScheme {
        name: "rsa-pkcs1-sha512",
        oid: Some("1.2.840.113549.1.1.13"),
        ike_auth_method: None,
        verifier: &intl::rsa::RSA_PKCS1_SHA512,
    },
    SignatureScheme {
        name: "rsa-pkcs1-sha1",
        oid: Some("1.2.840.113549.1.1.5"),
        ike_auth_method: None,
        verifier: &intl::rsa::RSA_PKCS1_SHA1,
    },
    SignatureScheme {
        name: "rsa-pkcs1-md5",
        oid: Some("1.2.840.113549.1.1.4"),
        ike_auth_method: None,
        verifier: &intl::rsa::RSA_PKCS1_MD5,
    },
    SignatureScheme {
        name: "rsa-pkcs1-raw",
        oid: None,
        ike_auth_method: Some(3),
        verifier: &intl::rsa::RSA_PKCS1_RAW,
    },
    SignatureScheme {
        name: "ecdsa-p256-sha256",
        oid: Some("1.2.840.10045.4.3.2"),
        ike_auth_method: None,
        verifier: &intl::ecdsa::ECDSA_P256_SHA256,
    },
    SignatureScheme {
        name: "ecdsa-p384-sha384",
        oid: Some("1.2.840.10045.4.3.3"),
        ike_auth_method: None,
        verifier: &intl::ecdsa::ECDSA_P384_SHA384,
    },
    SignatureScheme {
        name: "ecdsa-p256-raw",
        oid: None,
        ike_auth_method: Some(9),
        verifier: &intl::ecdsa::ECDSA_P256_RAW,
    },
    SignatureScheme {
        name: "ecdsa-p384-raw",
        oid: None,
        ike_auth_method: Some(10),
        verifier: &intl::ecdsa::ECDSA_P384_RAW,
    },
    // -- bign --
    SignatureScheme {
        name: "bign-hbelt",
        oid: Some("1.2.112.0.2.0.34.101.45.12"),
        // [Z] Zubr's private IKE authentication method (zubr-ike `AUTH_BIGN_SIG`).
        ike_auth_method: Some(65301),
        verifier: &crate::bign::BIGN_HBELT,
    },
    // -- GOST R 34.10 --
    SignatureScheme {
        name: gost::algs::GOST3410_2001_SCHEME,
        oid: Some("1.2.643.2.2.3"),
        // No public source gives S-Terra's IKE authentication method number for GOST:
        // [Z] Zubr's private number (zubr-ike `AUTH_GOST_SIG`).
        ike_auth_method: Some(65302),
        verifier: &gost::algs::GOST3410_2001_VERIFIER,
    },
];

/// Self-tests, one slice per module.
pub static SELF_TESTS: &[&[crate::kat::SelfTest]] = &[
    intl::hash::SELF_TESTS,
    intl::cbc::SELF_TESTS,
    intl::modp::SELF_TESTS,
    intl::ecp::SELF_TESTS,
    intl::gcm::SELF_TESTS,
    intl::null::SELF_TESTS,
    intl::rsa::SELF_TESTS,
    intl::ecdsa::SELF_TESTS,
    crate::brng::SELF_TESTS,
    gost::SELF_TESTS,
    crate::belt::SELF_TESTS,
    crate::bign::SELF_TESTS,
    crate::bake::SELF_TESTS,
];

/// The default provider: every software implementation of this crate.
pub static SOFTWARE: CryptoProvider = CryptoProvider {
    hashes: HASHES,
    ike_ciphers: IKE_CIPHERS,
    ike_hashes: IKE_HASHES,
    groups: GROUPS,
    esp_ciphers: ESP_CIPHERS,
    integrity: INTEGRITY,
    signatures: SIGNATURES,
    drbg: &crate::brng::BRNG_CTR,
    self_tests: SELF_TESTS,
};
