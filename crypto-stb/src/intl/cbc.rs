//! AES-CBC (RFC 3602), 3DES-CBC and DES-CBC (RFC 2451/2405) over the `aes`, `des` and `cbc` crates.

use crate::generic::CbcCipher;
use crate::kat::{self, KatError, SelfTest};

/// AES-128-CBC.
pub static AES128_CBC: CbcCipher<aes::Aes128> = CbcCipher::new(16);
/// AES-192-CBC.
pub static AES192_CBC: CbcCipher<aes::Aes192> = CbcCipher::new(24);
/// AES-256-CBC.
pub static AES256_CBC: CbcCipher<aes::Aes256> = CbcCipher::new(32);
/// 3DES-EDE-CBC (24-byte key).
pub static DES3_CBC: CbcCipher<des::TdesEde3> = CbcCipher::new(24);
/// DES-CBC (8-byte key; legacy).
pub static DES_CBC: CbcCipher<des::Des> = CbcCipher::new(8);

fn kat_aes_cbc() -> Result<usize, KatError> {
    use crate::provider::CipherAlgorithm;
    // RFC 3602 §4 case 2: 32 bytes with AES-128.
    let key = kat::decode_hex("c286696d887c9aa0611bbb3e2025a45a").unwrap_or_default();
    let mut iv = kat::decode_hex("562e17996d093d28ddb3ba695a2e6f58").unwrap_or_default();
    let pt = kat::decode_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
        .unwrap_or_default();
    let ct = kat::decode_hex("d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1")
        .unwrap_or_default();
    let e = |_| KatError {
        vector: 1,
        what: "AES-128-CBC key setup",
    };
    let mut k = CipherAlgorithm::new_key(&AES128_CBC, &key).map_err(e)?;
    let mut buf = pt.clone();
    let iv0 = iv.clone();
    k.encrypt(&mut iv, &mut buf).map_err(e)?;
    kat::check(1, "AES-128-CBC encrypt (RFC 3602 case 2)", &buf, &ct)?;
    kat::check(1, "CBC chaining IV = last ciphertext block", &iv, &ct[16..])?;
    let mut iv = iv0;
    k.decrypt(&mut iv, &mut buf).map_err(e)?;
    kat::check(1, "AES-128-CBC decrypt (RFC 3602 case 2)", &buf, &pt)?;
    Ok(1)
}

/// Self-tests of this module.
pub static SELF_TESTS: &[SelfTest] = &[SelfTest {
    name: "AES-CBC (RFC 3602)",
    run: kat_aes_cbc,
}];
