//! MD5, SHA-1, SHA-2 (the `md-5`, `sha1`, `sha2` crates) and their HMACs.

use crate::generic::{DigestHash, HmacMac};
use crate::kat::{self, KatError, SelfTest};

/// MD5 (RFC 1321).
pub static MD5: DigestHash<md5::Md5> = DigestHash::new();
/// SHA-1 (FIPS 180-4).
pub static SHA1: DigestHash<sha1::Sha1> = DigestHash::new();
/// SHA-256.
pub static SHA256: DigestHash<sha2::Sha256> = DigestHash::new();
/// SHA-384.
pub static SHA384: DigestHash<sha2::Sha384> = DigestHash::new();
/// SHA-512.
pub static SHA512: DigestHash<sha2::Sha512> = DigestHash::new();

/// HMAC-MD5 with a 16-byte key (RFC 2403; ICV truncated to 96 bits by the transform).
pub static HMAC_MD5: HmacMac<md5::Md5> = HmacMac::new(16);
/// HMAC-SHA1 with a 20-byte key (RFC 2404).
pub static HMAC_SHA1: HmacMac<sha1::Sha1> = HmacMac::new(20);
/// HMAC-SHA-256 with a 32-byte key (RFC 4868).
pub static HMAC_SHA256: HmacMac<sha2::Sha256> = HmacMac::new(32);
/// HMAC-SHA-384 with a 48-byte key (RFC 4868).
pub static HMAC_SHA384: HmacMac<sha2::Sha384> = HmacMac::new(48);
/// HMAC-SHA-512 with a 64-byte key (RFC 4868).
pub static HMAC_SHA512: HmacMac<sha2::Sha512> = HmacMac::new(64);

fn kat_hashes() -> Result<usize, KatError> {
    use crate::provider::HashAlgorithm;
    // FIPS 180-4 / RFC 1321 "abc" examples.
    let abc: &[&[u8]] = &[b"abc"];
    let cases: [(&dyn HashAlgorithm, &str); 5] = [
        (&MD5, "900150983cd24fb0d6963f7d28e17f72"),
        (&SHA1, "a9993e364706816aba3e25717850c26c9cd0d89d"),
        (
            &SHA256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        ),
        (
            &SHA384,
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
        ),
        (
            &SHA512,
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
        ),
    ];
    for (i, (h, want)) in cases.iter().enumerate() {
        let want = kat::decode_hex(want).ok_or(KatError {
            vector: i + 1,
            what: "bad vector",
        })?;
        kat::check(i + 1, "digest of \"abc\"", h.hash(abc).as_slice(), &want)?;
    }
    Ok(cases.len())
}

fn kat_hmacs() -> Result<usize, KatError> {
    use crate::provider::HashAlgorithm;
    // RFC 2202 test case 2 (MD5, SHA-1) and RFC 4231 test case 2 (SHA-2): key "Jefe".
    let data: &[&[u8]] = &[b"what do ya want for nothing?"];
    let cases: [(&dyn HashAlgorithm, &str); 5] = [
        (&MD5, "750c783e6ab0b503eaa86e310a5db738"),
        (&SHA1, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
        (
            &SHA256,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        ),
        (
            &SHA384,
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
        ),
        (
            &SHA512,
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
        ),
    ];
    for (i, (h, want)) in cases.iter().enumerate() {
        let want = kat::decode_hex(want).ok_or(KatError {
            vector: i + 1,
            what: "bad vector",
        })?;
        kat::check(
            i + 1,
            "HMAC key \"Jefe\"",
            h.hmac(b"Jefe", data).as_slice(),
            &want,
        )?;
    }
    Ok(cases.len())
}

/// Self-tests of this module.
pub static SELF_TESTS: &[SelfTest] = &[
    SelfTest {
        name: "MD5/SHA-1/SHA-2 (RFC 1321, FIPS 180-4 \"abc\")",
        run: kat_hashes,
    },
    SelfTest {
        name: "HMAC-MD5/SHA-1/SHA-2 (RFC 2202, RFC 4231 case 2)",
        run: kat_hmacs,
    },
];
