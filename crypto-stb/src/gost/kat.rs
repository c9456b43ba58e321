//! Known-answer tests of the GOST family, run by `zubr crypto selftest`.
//!
//! Every record of `vectors/gost28147-89.txt` and `vectors/gostr3411-94.txt` is run by exactly one
//! test below (a unit test checks that none is left out); records the vector file marks as not
//! re-computed or DERIVED are run by tests whose names say so. Further vectors come from the
//! standards' own examples (RFC 5831 §7.3.1, RFC 5832 §7, RFC 4491 §4.2, GOST R 34.13-2015
//! A.1.6), quoted below with their source.
//!
//! Each test runs the same code the provider tables point at.

use alloc::vec::Vec;

use crypto_bigint::U256;
use magma::Sbox as MagmaSbox;

use super::block::{BLOCK_LEN, Gost28147, KEY_LEN};
use super::modes::{self, Cbc, Cfb, Cnt, Imit, KeyMeshing};
use super::sbox::*;
use super::{algs, hash, r3410};
use crate::kat::{self, KatError, Record, SelfTest};
use crate::provider::{HashAlgorithm, MacAlgorithm, SignatureVerifier, SigningKey};

pub(super) const GOST28147_TXT: &str = include_str!("../../vectors/gost28147-89.txt");
pub(super) const GOSTR3411_TXT: &str = include_str!("../../vectors/gostr3411-94.txt");

/// Which S-box a record uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SboxId {
    A,
    B,
    C,
    D,
    Test,
    HashCp,
    HashTest,
    Z,
    Sblock1,
}

/// What a record of gost28147-89.txt is, and how it is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// An S-box table to compare with ours.
    Table,
    /// An official ECB pair (nettle / gost-engine / GOST R 34.12-2015).
    Ecb,
    /// nettle's TestParamSet value, not re-computed by the vector file's author.
    EcbNotRecomputed,
    /// gost-engine CFB/CNT/CBC vectors.
    Mode,
    /// gost-engine IMIT vectors.
    Imit,
    /// DERIVED sblock-1 regression values (no official vector exists).
    Derived,
}

fn err(vector: usize, what: &'static str) -> KatError {
    KatError { vector, what }
}

fn sbox_of(r: &Record<'_>) -> Option<SboxId> {
    if r.get("sbox") == Some("gost28147-sblock-1") {
        return Some(SboxId::Sblock1);
    }
    let p = r.get("paramset").or_else(|| r.get("mode")).unwrap_or("");
    Some(if p.contains("CryptoPro-B") || p.contains("paramset B") {
        SboxId::B
    } else if p.contains("CryptoPro-C") {
        SboxId::C
    } else if p.contains("CryptoPro-D") || p.contains("paramset D") {
        SboxId::D
    } else if p.contains("TestParamSet") {
        SboxId::Test
    } else if p.contains("34.11-94 CryptoPro hash") {
        SboxId::HashCp
    } else if p.contains("34.11-94 test S-box") {
        SboxId::HashTest
    } else if p.contains("param-Z") {
        SboxId::Z
    } else if r.get("paramset").is_none() && r.get("mode").is_none() && r.get("out").is_some() {
        // The "GOST R 34.12-2015 Magma example retrofitted to the 28147 byte order (param-Z)"
        // record carries no paramset field.
        SboxId::Z
    } else {
        // gost-engine records (modes, IMIT): "paramset A unless noted".
        SboxId::A
    })
}

/// Classifies a record of gost28147-89.txt (`None`: not understood — a test failure).
pub(super) fn classify(r: &Record<'_>) -> Option<Kind> {
    let first = r.fields().first()?.0;
    if first.starts_with("sbox_") {
        return Some(Kind::Table);
    }
    if r.get("sbox") == Some("gost28147-sblock-1") {
        return Some(Kind::Derived);
    }
    if r.get("mac4").is_some() || r.get("mac8").is_some() {
        return Some(Kind::Imit);
    }
    if r.get("mode").is_some() {
        return Some(Kind::Mode);
    }
    if r.get("paramset")
        .is_some_and(|p| p.contains("not re-computed"))
    {
        return Some(Kind::EcbNotRecomputed);
    }
    (r.get("key").is_some() && r.get("in").is_some() && r.get("out").is_some()).then_some(Kind::Ecb)
}

/// Expands the `in_desc` texts of the IMIT records.
fn imit_input(desc: &str) -> Option<Vec<u8>> {
    if desc.starts_with("\"12345670\" x 128") {
        Some(b"12345670".repeat(128))
    } else if desc.starts_with("(\"12345670\" x 8 + \"\\n\") x 4096") {
        let mut line = b"12345670".repeat(8);
        line.push(b'\n');
        Some(line.repeat(4096))
    } else {
        None
    }
}

fn key_of(r: &Record<'_>) -> Option<[u8; KEY_LEN]> {
    let k = match r.hex("key") {
        Some(k) => k,
        None => r.get("key_ascii")?.as_bytes().to_vec(),
    };
    k.try_into().ok()
}

fn block_of(v: &[u8]) -> Option<[u8; BLOCK_LEN]> {
    v.try_into().ok()
}

/// Runs one record with S-box `S`.
fn run_record<S: MagmaSbox>(n: usize, r: &Record<'_>) -> Result<(), KatError> {
    let key = key_of(r).ok_or(err(n, "record has no usable key"))?;
    let c = Gost28147::<S>::new(&key);
    if let Some(mac) = r.hex("mac8").or_else(|| r.hex("mac4")) {
        let data = imit_input(r.get("in_desc").unwrap_or(""))
            .ok_or(err(n, "unknown IMIT input description"))?;
        let meshing = if r.get("mode").is_some_and(|m| m.contains("no meshing")) {
            KeyMeshing::None
        } else {
            KeyMeshing::CryptoPro
        };
        let mut m = Imit::new(&c, meshing);
        m.update(&data);
        let state = m.finalize();
        if let Some(m8) = r.hex("mac8") {
            kat::check(n, "IMIT 64-bit", &state, &m8)?;
        }
        if let Some(m4) = r.hex("mac4") {
            kat::check(n, "IMIT 32-bit", state.get(..4).unwrap_or(&[]), &m4)?;
        }
        return kat::check(n, "IMIT", state.get(..mac.len()).unwrap_or(&[]), &mac);
    }
    let input = r.hex("in").ok_or(err(n, "record has no input"))?;
    let want = r.hex("out").ok_or(err(n, "record has no output"))?;
    let mode = r.get("mode").unwrap_or("ECB");
    let iv = r.hex("iv").and_then(|v| block_of(&v));
    let mut buf = input.clone();
    let meshing = if mode.contains("no meshing") {
        KeyMeshing::None
    } else {
        KeyMeshing::CryptoPro
    };
    if mode.starts_with("CFB") {
        let iv = iv.ok_or(err(n, "CFB record without IV"))?;
        Cfb::new(&c, &iv, meshing).encrypt(&mut buf);
        kat::check(n, "CFB encrypt", &buf, &want)?;
        Cfb::new(&c, &iv, meshing).decrypt(&mut buf);
        kat::check(n, "CFB decrypt", &buf, &input)
    } else if mode.starts_with("CNT") {
        let iv = iv.ok_or(err(n, "CNT record without IV"))?;
        Cnt::new(&c, &iv, meshing).apply(&mut buf);
        kat::check(n, "CNT encrypt", &buf, &want)?;
        Cnt::new(&c, &iv, meshing).apply(&mut buf);
        kat::check(n, "CNT decrypt", &buf, &input)
    } else if mode.starts_with("CBC") {
        // gost-engine's CBC does not mesh.
        let iv = iv.unwrap_or([0; BLOCK_LEN]);
        Cbc::new(&c, &iv, KeyMeshing::None)
            .encrypt_blocks(&mut buf)
            .map_err(|_| err(n, "CBC length"))?;
        kat::check(n, "CBC encrypt", &buf, &want)?;
        Cbc::new(&c, &iv, KeyMeshing::None)
            .decrypt_blocks(&mut buf)
            .map_err(|_| err(n, "CBC length"))?;
        kat::check(n, "CBC decrypt", &buf, &input)
    } else {
        modes::ecb_encrypt(&c, &mut buf).map_err(|_| err(n, "ECB length"))?;
        kat::check(n, "ECB encrypt", &buf, &want)?;
        modes::ecb_decrypt(&c, &mut buf).map_err(|_| err(n, "ECB length"))?;
        kat::check(n, "ECB decrypt", &buf, &input)
    }
}

fn run_with(id: SboxId, n: usize, r: &Record<'_>) -> Result<(), KatError> {
    match id {
        SboxId::A => run_record::<CryptoProA>(n, r),
        SboxId::B => run_record::<CryptoProB>(n, r),
        SboxId::C => run_record::<CryptoProC>(n, r),
        SboxId::D => run_record::<CryptoProD>(n, r),
        SboxId::Test => run_record::<TestParamSet>(n, r),
        SboxId::HashCp => run_record::<Gost3411CryptoProHash>(n, r),
        SboxId::HashTest => run_record::<Gost3411TestHash>(n, r),
        SboxId::Z => run_record::<Tc26Z>(n, r),
        SboxId::Sblock1 => run_record::<Sblock1>(n, r),
    }
}

fn check_table(n: usize, r: &Record<'_>) -> Result<(), KatError> {
    let (name, value) = *r.fields().first().ok_or(err(n, "empty record"))?;
    let parsed = parse_table(value).ok_or(err(n, "S-box text does not parse"))?;
    let ours = if name.contains("cryptopro_a") {
        CryptoProA::SBOX
    } else if name.contains("sblock-1") {
        Sblock1::SBOX
    } else {
        return Err(err(n, "unknown S-box record"));
    };
    if parsed == ours {
        Ok(())
    } else {
        Err(err(n, "S-box table differs from the vector file"))
    }
}

/// Runs every record of gost28147-89.txt of kind `kind`; returns how many ran.
fn run_kind(kind: Kind) -> Result<usize, KatError> {
    let mut count = 0;
    for (i, r) in kat::records(GOST28147_TXT).iter().enumerate() {
        let n = i + 1;
        if classify(r) != Some(kind) {
            continue;
        }
        if kind == Kind::Table {
            check_table(n, r)?;
        } else {
            let id = sbox_of(r).ok_or(err(n, "unknown S-box"))?;
            run_with(id, n, r)?;
        }
        count += 1;
    }
    if count == 0 {
        return Err(err(0, "no record of this kind in gost28147-89.txt"));
    }
    Ok(count)
}

fn kat_tables() -> Result<usize, KatError> {
    run_kind(Kind::Table)
}
fn kat_ecb() -> Result<usize, KatError> {
    run_kind(Kind::Ecb)
}
fn kat_ecb_not_recomputed() -> Result<usize, KatError> {
    run_kind(Kind::EcbNotRecomputed)
}
fn kat_modes() -> Result<usize, KatError> {
    run_kind(Kind::Mode)
}
fn kat_imit() -> Result<usize, KatError> {
    run_kind(Kind::Imit)
}
fn kat_derived() -> Result<usize, KatError> {
    run_kind(Kind::Derived)
}

/// CryptoPro key meshing itself: the meshed key of a key equals `ECB-decrypt(K, C)`, computed
/// here through the public ECB function (a check of the wiring, the 266240-byte IMIT vector is
/// the known answer).
fn kat_meshing_wiring() -> Result<usize, KatError> {
    let key = [0x5au8; KEY_LEN];
    let c = Gost28147::<CryptoProA>::new(&key);
    let mut k2 = super::block::CRYPTOPRO_MESHING_C;
    modes::ecb_decrypt(&c, &mut k2).map_err(|_| err(1, "ECB length"))?;
    let mut b1 = [1u8; BLOCK_LEN];
    let mut b2 = b1;
    c.key_meshed().encrypt_block(&mut b1);
    Gost28147::<CryptoProA>::new(&k2).encrypt_block(&mut b2);
    kat::check(1, "meshed key = ECB-decrypt(K, C)", &b1, &b2)?;
    Ok(1)
}

// ---------------------------------------------------------------------------------------------
// GOST R 34.11-94

fn kat_gost94_cp() -> Result<usize, KatError> {
    let mut count = 0;
    for (i, r) in kat::records(GOSTR3411_TXT).iter().enumerate() {
        let Some(text) = r.get("in_ascii") else {
            continue;
        };
        let want = r.hex("out").ok_or(err(i + 1, "record has no output"))?;
        let got = hash::GOSTR3411_94_CP.hash(&[text.as_bytes()]);
        kat::check(i + 1, "GOST R 34.11-94 CryptoPro", got.as_slice(), &want)?;
        count += 1;
    }
    Ok(count)
}

fn kat_hmac_gost94() -> Result<usize, KatError> {
    let mut count = 0;
    for (i, r) in kat::records(GOSTR3411_TXT).iter().enumerate() {
        let (Some(key), Some(data)) = (r.hex("key"), r.hex("in")) else {
            continue;
        };
        let n = i + 1;
        let want = r.hex("out").ok_or(err(n, "record has no output"))?;
        let got = hash::GOSTR3411_94_CP.hmac(&key, &[&data]);
        kat::check(n, "HMAC-GOSTR3411-94", got.as_slice(), &want)?;
        if let Some(icv) = r.hex("out_96bit_icv") {
            let k = hash::HMAC_GOSTR3411_94_CP
                .new_key(&key)
                .map_err(|_| err(n, "HMAC key setup"))?;
            let mut out = [0u8; 12];
            k.compute(&[&data], &mut out);
            kat::check(n, "HMAC-GOSTR3411-94-96 ICV", &out, &icv)?;
            k.verify(&[&data], &icv)
                .map_err(|_| err(n, "HMAC-GOSTR3411-94-96 verify"))?;
        }
        count += 1;
    }
    Ok(count)
}

/// GOST R 34.11-94 with the test parameters: the standard's two examples (RFC 5831 §7.3.1) and
/// the rest of the Digest::GOST test data (the same source as gostr3411-94.txt).
const GOST94_TEST_VECTORS: [(&str, &str); 7] = [
    (
        "This is message, length=32 bytes",
        "B1C466D37519B82E8319819FF32595E047A28CB6F83EFF1C6916A815A637FFFA",
    ),
    (
        "Suppose the original message has length = 50 bytes",
        "471ABA57A60A770D3A76130635C1FBEA4EF14DE51F78B4AE57DD893B62F55208",
    ),
    (
        "",
        "CE85B99CC46752FFFEE35CAB9A7B0278ABB4C2D2055CFF685AF4912C49490F8D",
    ),
    (
        "a",
        "D42C539E367C66E9C88A801F6649349C21871B4344C6A573F849FDCE62F314DD",
    ),
    (
        "abc",
        "F3134348C44FB1B2A277729E2285EBB5CB5E0F29C975BC753B70497C06A4D51D",
    ),
    (
        "message digest",
        "AD4434ECB18F2C99B60CBE59EC3D2469582B65273F48DE72DB2FDE16A4889A4D",
    ),
    (
        "The quick brown fox jumps over the lazy dog",
        "77B7FA410C9AC58A25F49BCA7D0468C9296529315EACA76BD1A10F376D1F4294",
    ),
];

fn kat_gost94_test() -> Result<usize, KatError> {
    for (i, (text, want)) in GOST94_TEST_VECTORS.iter().enumerate() {
        let want = kat::decode_hex(want).ok_or(err(i + 1, "bad vector"))?;
        let got = hash::GOSTR3411_94_TEST.hash(&[text.as_bytes()]);
        kat::check(i + 1, "GOST R 34.11-94 test params", got.as_slice(), &want)?;
    }
    Ok(GOST94_TEST_VECTORS.len())
}

// ---------------------------------------------------------------------------------------------
// GOST R 34.10-2001

/// RFC 5832 §7 (= GOST R 34.10-2012 appendix A.1): test curve, d, e, fixed k, Q, r, s.
pub(super) const R3410_EXAMPLE: [&str; 7] = [
    "7A929ADE789BB9BE10ED359DD39A72C11B60961F49397EEE1D19CE9891EC3B28", // d
    "2DFBC1B372D89A1188C09C52E0EEC61FCE52032AB1022E8E67ECE6672B043EE5", // e
    "77105C9B20BCD3122823C8CF6FCC7B956DE33814E95B7FE64FED924594DCEAB3", // k
    "7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B", // x_Q
    "26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA", // y_Q
    "41AA28D2F1AB148280CD9ED56FEDA41974053554A42767B83AD043FD39DC0493", // r
    "01456C64BA4642A1653C235A98A60249BCD6D3F746B631DF928014F6C5BF9C40", // s
];

fn kat_r3410_example() -> Result<usize, KatError> {
    let [d, e, k, xq, yq, r, s] = R3410_EXAMPLE.map(U256::from_be_hex);
    let sk = r3410::SecretKey::from_scalar(&r3410::TEST, &d).map_err(|_| err(1, "d range"))?;
    let pk = sk.public_key().map_err(|_| err(1, "public key"))?;
    let (x, y) = pk.coordinates();
    kat::check(1, "Q = dP (x)", &x.to_be_bytes(), &xq.to_be_bytes())?;
    kat::check(1, "Q = dP (y)", &y.to_be_bytes(), &yq.to_be_bytes())?;
    let sig = sk
        .sign_prehashed_with_k(&e, &k)
        .map_err(|_| err(1, "signing failed"))?;
    kat::check(1, "r", &sig.r().to_be_bytes(), &r.to_be_bytes())?;
    kat::check(1, "s", &sig.s().to_be_bytes(), &s.to_be_bytes())?;
    pk.verify_prehashed(&e, &sig)
        .map_err(|_| err(1, "verification of the example signature"))?;
    let bad = r3410::Signature::from_scalars(r, s.wrapping_add(&U256::ONE));
    if pk.verify_prehashed(&e, &bad).is_ok() {
        return Err(err(1, "altered signature accepted"));
    }
    Ok(1)
}

/// RFC 4491 §4.2: the self-signed GOST R 34.10-2001 example certificate (curve XchA, hash GOST R
/// 34.11-94 CryptoPro), and its private key (RFC 4491 §4.2 / RFC 4490 §8 examples). The DER is
/// the RFC's base64 decoded; tbsCertificate = bytes 4..391, the public key is the OCTET STRING
/// content inside subjectPublicKey, the signature is the BIT STRING content (s ‖ r).
pub(super) const RFC4491_CERT: &str = "308201d03082017f02102bf5c61ec211bd17c7dcd46266b42e21300806062a8503020203306d311f301d06035504030c16476f737452333431302d32303031206578616d706c6531123010060355040a0c0943727970746f50726f310b30090603550406130252553129302706092a864886f70d010901161a476f737452333431302d32303031406578616d706c652e636f6d301e170d3035303831363134313832305a170d3135303831363134313832305a306d311f301d06035504030c16476f737452333431302d32303031206578616d706c6531123010060355040a0c0943727970746f50726f310b30090603550406130252553129302706092a864886f70d010901161a476f737452333431302d32303031406578616d706c652e636f6d3063301c06062a8503020213301206072a85030202240006072a850302021e0103430004408495687560021a407508cd138c31892cfde505037a435cf46d2b0fe74f327e578febcc16b9958803d09a7c85ae0fe48deaa6bb7e56c7cbb0df0f66bccaea1a60300806062a85030202030341003c2fc90944b727a9eca7d5e9fb536dd2c3aa647c442edeed3116454fbc543fddc1de176e8d1bec71b593f3dd36935577688989176220f4dab131d5b51c33dee2";
/// The certificate's private key as printed in the RFC examples (big-endian integer d).
pub(super) const RFC4491_PRIVATE: &str =
    "0B293BE050D0082BDAE785631A6BAB68F35B42786D6DDA56AFAF169891040F77";

/// (tbsCertificate, public key, signature) of [`RFC4491_CERT`].
pub(super) fn rfc4491_parts() -> Option<(Vec<u8>, Vec<u8>, Vec<u8>)> {
    let der = kat::decode_hex(RFC4491_CERT)?;
    let tbs = der.get(4..391)?.to_vec();
    // subjectPublicKey: BIT STRING 03 43 00 { OCTET STRING 04 40 <64 bytes> }.
    let marker = [0x03, 0x43, 0x00, 0x04, 0x40];
    let at = der.windows(marker.len()).position(|w| w == marker)? + marker.len();
    let pk = der.get(at..at + 64)?.to_vec();
    // signatureValue: the last BIT STRING, 03 41 00 <64 bytes>.
    let sig = der.get(der.len() - 64..)?.to_vec();
    (der.get(der.len() - 67..der.len() - 64)? == [0x03, 0x41, 0x00]).then_some((tbs, pk, sig))
}

fn kat_r3410_rfc4491() -> Result<usize, KatError> {
    let (tbs, pk, sig) = rfc4491_parts().ok_or(err(1, "certificate layout"))?;
    algs::GOST3410_2001_VERIFIER
        .verify(&pk, &tbs, &sig)
        .map_err(|_| err(1, "RFC 4491 certificate signature does not verify"))?;
    let mut tampered = tbs.clone();
    if let Some(b) = tampered.last_mut() {
        *b ^= 1;
    }
    if algs::GOST3410_2001_VERIFIER
        .verify(&pk, &tampered, &sig)
        .is_ok()
    {
        return Err(err(1, "tampered certificate accepted"));
    }
    // The private key gives the certificate's public key on XchA (= curve A).
    let d = kat::decode_hex(RFC4491_PRIVATE).ok_or(err(2, "bad vector"))?;
    let sk = r3410::SecretKey::from_be_bytes(&r3410::CRYPTOPRO_XCHA, &d)
        .map_err(|_| err(2, "private key range"))?;
    let key = algs::Gost3410SigningKey::new(sk).map_err(|_| err(2, "public key"))?;
    kat::check(2, "RFC 4491 public key = dP", &key.public_key(), &pk)?;
    Ok(2)
}

// ---------------------------------------------------------------------------------------------
// Kuznyechik MAC

/// GOST R 34.13-2015 appendix A.1.6: MAC over Kuznyechik (key, four blocks, 64-bit MAC); the full
/// 128-bit value is the one Bouncy Castle's GOST3412MAC test quotes.
fn kat_kuznyechik_mac() -> Result<usize, KatError> {
    let key = kat::decode_hex("8899aabbccddeeff0011223344556677fedcba98765432100123456789abcdef")
        .ok_or(err(1, "bad vector"))?;
    let data = kat::decode_hex(concat!(
        "1122334455667700ffeeddccbbaa9988",
        "00112233445566778899aabbcceeff0a",
        "112233445566778899aabbcceeff0a00",
        "2233445566778899aabbcceeff0a0011"
    ))
    .ok_or(err(1, "bad vector"))?;
    let k = algs::KUZNYECHIK_MAC
        .new_key(&key)
        .map_err(|_| err(1, "key setup"))?;
    let mut full = [0u8; 16];
    k.compute(&[&data], &mut full);
    let want = kat::decode_hex("336f4d296059fbe34ddeb35b37749c67").ok_or(err(1, "bad vector"))?;
    kat::check(1, "CMAC-Kuznyechik 128-bit", &full, &want)?;
    let mut mac8 = [0u8; 8];
    k.compute(&[&data[..10], &data[10..]], &mut mac8);
    kat::check(1, "GOST R 34.13-2015 A.1.6 64-bit MAC", &mac8, &want[..8])?;
    Ok(1)
}

/// Self-tests of the GOST family.
pub static SELF_TESTS: &[SelfTest] = &[
    SelfTest {
        name: "GOST 28147-89 S-boxes CryptoPro-A, sblock-1 (gost28147-89.txt tables)",
        run: kat_tables,
    },
    SelfTest {
        name: "GOST 28147-89 ECB CryptoPro-A/B/C/D, R 34.11-94 S-boxes, param-Z (nettle, gost-engine, GOST R 34.12-2015)",
        run: kat_ecb,
    },
    SelfTest {
        name: "GOST 28147-89 ECB TestParamSet (nettle's value, not re-computed by the vector author)",
        run: kat_ecb_not_recomputed,
    },
    SelfTest {
        name: "GOST 28147-89 CFB/CNT/CBC (gost-engine 03-encrypt.t)",
        run: kat_modes,
    },
    SelfTest {
        name: "GOST 28147-89 IMIT incl. CryptoPro key meshing over 266240 bytes (gost-engine 02-mac.t)",
        run: kat_imit,
    },
    SelfTest {
        name: "GOST 28147-89 sblock-1 ECB/CFB/IMIT (DERIVED regression values, not official vectors)",
        run: kat_derived,
    },
    SelfTest {
        name: "GOST 28147-89 CryptoPro key meshing wiring (RFC 4357 2.3.2)",
        run: kat_meshing_wiring,
    },
    SelfTest {
        name: "GOST R 34.11-94 CryptoPro params (Digest::GOST::CryptoPro data)",
        run: kat_gost94_cp,
    },
    SelfTest {
        name: "GOST R 34.11-94 test params (RFC 5831 7.3.1, Digest::GOST data)",
        run: kat_gost94_test,
    },
    SelfTest {
        name: "HMAC-GOSTR3411-94 and its 96-bit ICV (nettle hmac-test.c)",
        run: kat_hmac_gost94,
    },
    SelfTest {
        name: "GOST R 34.10-2001 example, fixed k (RFC 5832 7 / GOST R 34.10-2012 A.1)",
        run: kat_r3410_example,
    },
    SelfTest {
        name: "GOST R 34.10-2001 RFC 4491 4.2 certificate signature and key (curve XchA)",
        run: kat_r3410_rfc4491,
    },
    SelfTest {
        name: "Kuznyechik MAC (GOST R 34.13-2015 A.1.6)",
        run: kat_kuznyechik_mac,
    },
];
