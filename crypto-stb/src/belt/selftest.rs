//! Known-answer tests of the belt family: every record of `vectors/belt-*.txt` and
//! `vectors/hmac-hbelt.txt` (STB 34.101.31 appendix A, STB 34.101.47 B.1, STB 34.101.45 E.5, as
//! carried by bee2's tests), run through the raw primitives and, where the provider wraps them,
//! through the provider objects too (with the ESP salt/IV split of the suite).
//!
//! Files whose records do not say their direction (block, ECB, CBC, CFB, DWP) are read by
//! position; each test first checks the number of records so that an edited file cannot
//! silently skip a record.

use alloc::vec::Vec;

use super::block::{BeltCipher, H};
use super::{dwp, kdf, kwp, mac, modes, suite};
use crate::kat::{self, KatError, Record, SelfTest};
use crate::provider::{CipherAlgorithm, EspCipherAlgorithm, HashAlgorithm, MacAlgorithm};

const V_H: &str = include_str!("../../vectors/belt-H.txt");
const V_BLOCK: &str = include_str!("../../vectors/belt-block.txt");
const V_ECB: &str = include_str!("../../vectors/belt-ecb.txt");
const V_CBC: &str = include_str!("../../vectors/belt-cbc.txt");
const V_CFB: &str = include_str!("../../vectors/belt-cfb.txt");
const V_CTR: &str = include_str!("../../vectors/belt-ctr.txt");
const V_MAC: &str = include_str!("../../vectors/belt-mac.txt");
const V_DWP: &str = include_str!("../../vectors/belt-dwp.txt");
const V_KWP: &str = include_str!("../../vectors/belt-kwp.txt");
const V_HASH: &str = include_str!("../../vectors/belt-hash.txt");
const V_KEYREP: &str = include_str!("../../vectors/belt-keyrep.txt");
const V_HMAC: &str = include_str!("../../vectors/hmac-hbelt.txt");

fn bad(vector: usize) -> KatError {
    KatError {
        vector,
        what: "malformed vector record",
    }
}

fn field(r: &Record<'_>, name: &str, i: usize) -> Result<Vec<u8>, KatError> {
    r.hex(name).ok_or(bad(i))
}

fn arr<const N: usize>(r: &Record<'_>, name: &str, i: usize) -> Result<[u8; N], KatError> {
    field(r, name, i)?.try_into().map_err(|_| bad(i))
}

fn records(text: &str, expected: usize) -> Result<Vec<Record<'_>>, KatError> {
    let recs = kat::records(text);
    if recs.len() != expected {
        return Err(KatError {
            vector: recs.len(),
            what: "unexpected number of records in the vector file",
        });
    }
    Ok(recs)
}

fn provider_err(i: usize) -> impl Fn(crate::Error) -> KatError {
    move |_| KatError {
        vector: i,
        what: "provider object rejected the vector",
    }
}

/// Direction of a record read by position.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dir {
    Enc,
    Dec,
}

fn kat_h() -> Result<usize, KatError> {
    let recs = records(V_H, 2)?;
    kat::check(1, "S-box H", &field(&recs[0], "H", 1)?, &H)?;
    kat::check(
        2,
        "H[0..16)",
        &field(&recs[1], "row0_first16", 2)?,
        &H[..16],
    )?;
    Ok(2)
}

fn kat_block() -> Result<usize, KatError> {
    let recs = records(V_BLOCK, 7)?;
    let dirs = [Dir::Enc, Dir::Dec, Dir::Enc, Dir::Enc, Dir::Dec, Dir::Dec];
    for (i, (r, d)) in recs.iter().zip(dirs).enumerate() {
        let i = i + 1;
        let key = arr::<32>(r, "key", i)?;
        let mut buf = field(r, "in", i)?;
        let want = field(r, "out", i)?;
        if i <= 2 {
            let c = BeltCipher::new(&key);
            let mut b: [u8; 16] = buf.as_slice().try_into().map_err(|_| bad(i))?;
            match d {
                Dir::Enc => c.encrypt_block(&mut b),
                Dir::Dec => c.decrypt_block(&mut b),
            }
            kat::check(i, "belt-block", &b, &want)?;
            // and back
            match d {
                Dir::Enc => c.decrypt_block(&mut b),
                Dir::Dec => c.encrypt_block(&mut b),
            }
            kat::check(i, "belt-block inverse", &b, &field(r, "in", i)?)?;
        } else {
            let res = match d {
                Dir::Enc => kwp::wblock_encrypt(&key, &mut buf),
                Dir::Dec => kwp::wblock_decrypt(&key, &mut buf),
            };
            res.map_err(|_| bad(i))?;
            kat::check(i, "belt-wblock", &buf, &want)?;
        }
    }
    // A.8 belt-compress
    let r = &recs[6];
    let x = arr::<64>(r, "in", 7)?;
    let (s, y) = kdf::compress(&x);
    kat::check(7, "belt-compress S", &s, &field(r, "S", 7)?)?;
    kat::check(7, "belt-compress Y", &y, &field(r, "Y", 7)?)?;
    Ok(recs.len())
}

type EcbFn = fn(&BeltCipher, &mut [u8]) -> Result<(), crate::Error>;

fn kat_ecb() -> Result<usize, KatError> {
    let recs = records(V_ECB, 4)?;
    let dirs = [Dir::Enc, Dir::Enc, Dir::Dec, Dir::Dec];
    for (i, (r, d)) in recs.iter().zip(dirs).enumerate() {
        let i = i + 1;
        let c = BeltCipher::new(&arr::<32>(r, "key", i)?);
        let input = field(r, "in", i)?;
        let want = field(r, "out", i)?;
        let mut buf = input.clone();
        let (fwd, back): (EcbFn, EcbFn) = match d {
            Dir::Enc => (modes::ecb_encrypt, modes::ecb_decrypt),
            Dir::Dec => (modes::ecb_decrypt, modes::ecb_encrypt),
        };
        fwd(&c, &mut buf).map_err(|_| bad(i))?;
        kat::check(i, "belt-ecb", &buf, &want)?;
        back(&c, &mut buf).map_err(|_| bad(i))?;
        kat::check(i, "belt-ecb inverse", &buf, &input)?;
    }
    Ok(recs.len())
}

fn kat_cbc() -> Result<usize, KatError> {
    let recs = records(V_CBC, 4)?;
    let dirs = [Dir::Enc, Dir::Enc, Dir::Dec, Dir::Dec];
    for (i, (r, d)) in recs.iter().zip(dirs).enumerate() {
        let i = i + 1;
        let key = arr::<32>(r, "key", i)?;
        let c = BeltCipher::new(&key);
        let iv = arr::<16>(r, "iv", i)?;
        let input = field(r, "in", i)?;
        let want = field(r, "out", i)?;
        let mut buf = input.clone();
        match d {
            Dir::Enc => modes::cbc_encrypt(&c, &iv, &mut buf),
            Dir::Dec => modes::cbc_decrypt(&c, &iv, &mut buf),
        }
        .map_err(|_| bad(i))?;
        kat::check(i, "belt-cbc", &buf, &want)?;
        match d {
            Dir::Enc => modes::cbc_decrypt(&c, &iv, &mut buf),
            Dir::Dec => modes::cbc_encrypt(&c, &iv, &mut buf),
        }
        .map_err(|_| bad(i))?;
        kat::check(i, "belt-cbc inverse", &buf, &input)?;
        // Whole-block records also through the IKE provider object (with IV chaining).
        if input.len() % 16 == 0 {
            let mut k =
                CipherAlgorithm::new_key(&suite::IKE_BELT_CBC, &key).map_err(provider_err(i))?;
            let mut chain = iv.to_vec();
            let mut buf = input.clone();
            match d {
                Dir::Enc => k.encrypt(&mut chain, &mut buf),
                Dir::Dec => k.decrypt(&mut chain, &mut buf),
            }
            .map_err(provider_err(i))?;
            kat::check(i, "IKE belt-cbc", &buf, &want)?;
            let last_ct = if d == Dir::Enc { &want } else { &input };
            kat::check(
                i,
                "IKE belt-cbc IV chaining",
                &chain,
                &last_ct[last_ct.len() - 16..],
            )?;
        }
    }
    Ok(recs.len())
}

fn kat_cfb() -> Result<usize, KatError> {
    let recs = records(V_CFB, 2)?;
    let dirs = [Dir::Enc, Dir::Dec];
    for (i, (r, d)) in recs.iter().zip(dirs).enumerate() {
        let i = i + 1;
        let key = arr::<32>(r, "key", i)?;
        let c = BeltCipher::new(&key);
        let iv = arr::<16>(r, "iv", i)?;
        let input = field(r, "in", i)?;
        let want = field(r, "out", i)?;
        let mut buf = input.clone();
        match d {
            Dir::Enc => modes::cfb_encrypt(&c, &iv, &mut buf),
            Dir::Dec => modes::cfb_decrypt(&c, &iv, &mut buf),
        }
        kat::check(i, "belt-cfb", &buf, &want)?;
        // IKE object (whole blocks, chaining) and ESP object (16-byte explicit IV).
        let mut k =
            CipherAlgorithm::new_key(&suite::IKE_BELT_CFB, &key).map_err(provider_err(i))?;
        let mut chain = iv.to_vec();
        let mut buf = input.clone();
        match d {
            Dir::Enc => k.encrypt(&mut chain, &mut buf),
            Dir::Dec => k.decrypt(&mut chain, &mut buf),
        }
        .map_err(provider_err(i))?;
        kat::check(i, "IKE belt-cfb", &buf, &want)?;
        let mut e =
            EspCipherAlgorithm::new_key(&suite::ESP_BELT_CFB, &key).map_err(provider_err(i))?;
        let mut buf = input.clone();
        match d {
            Dir::Enc => e.encrypt(&iv, &[], &mut buf, &mut []),
            Dir::Dec => e.decrypt(&iv, &[], &mut buf, &[]),
        }
        .map_err(provider_err(i))?;
        kat::check(i, "ESP belt-cfb", &buf, &want)?;
    }
    Ok(recs.len())
}

fn kat_ctr() -> Result<usize, KatError> {
    use cipher::{KeyIvInit, StreamCipher};
    let recs = records(V_CTR, 2)?;
    for (i, r) in recs.iter().enumerate() {
        let i = i + 1;
        let key = arr::<32>(r, "key", i)?;
        let c = BeltCipher::new(&key);
        let iv = arr::<16>(r, "iv", i)?;
        let input = field(r, "in", i)?;
        let want = field(r, "out", i)?;
        let mut buf = input.clone();
        modes::ctr_apply(&c, &iv, &mut buf);
        kat::check(i, "belt-ctr", &buf, &want)?;
        // The streaming type (belt-ctr crate over BeltCipher), fed in uneven pieces.
        let mut s = modes::BeltCtr::new(&key.into(), &iv.into());
        let mut buf = input.clone();
        let (a, b) = buf.split_at_mut(7);
        s.apply_keystream(a);
        s.apply_keystream(b);
        kat::check(i, "belt-ctr streaming", &buf, &want)?;
        // ESP object: KEYMAT = key ‖ IV[0..8), explicit IV = IV[8..16).
        let mut keymat = key.to_vec();
        keymat.extend_from_slice(&iv[..8]);
        let mut e =
            EspCipherAlgorithm::new_key(&suite::ESP_BELT_CTR, &keymat).map_err(provider_err(i))?;
        let mut buf = input.clone();
        e.encrypt(&iv[8..], &[], &mut buf, &mut [])
            .map_err(provider_err(i))?;
        kat::check(i, "ESP belt-ctr", &buf, &want)?;
    }
    Ok(recs.len())
}

fn kat_mac() -> Result<usize, KatError> {
    let recs = records(V_MAC, 2)?;
    for (i, r) in recs.iter().enumerate() {
        let i = i + 1;
        let key = arr::<32>(r, "key", i)?;
        let input = field(r, "in", i)?;
        let want = field(r, "tag", i)?;
        kat::check(i, "belt-mac", &mac::BeltMac::compute(&key, &input), &want)?;
        let k = MacAlgorithm::new_key(&suite::BELT_MAC, &key).map_err(provider_err(i))?;
        let (p1, p2) = input.split_at(input.len() / 3);
        let mut out = [0u8; 8];
        k.compute(&[p1, p2], &mut out);
        kat::check(i, "belt-mac provider", &out, &want)?;
        k.verify(&[&input], &want).map_err(provider_err(i))?;
    }
    Ok(recs.len())
}

fn kat_dwp() -> Result<usize, KatError> {
    let recs = records(V_DWP, 4)?;
    for (i, r) in recs.iter().enumerate() {
        let n = i + 1;
        let v = if i < 2 {
            dwp::Variant::Dwp
        } else {
            dwp::Variant::Che
        };
        let key = arr::<32>(r, "key", n)?;
        let c = BeltCipher::new(&key);
        let iv = arr::<16>(r, "iv", n)?;
        let ad = field(r, "ad", n)?;
        let ct = field(r, "ct", n)?;
        let tag = field(r, "tag", n)?;
        let (pt, wrap) = match (r.hex("in"), r.hex("out")) {
            (Some(pt), None) => (pt, true),
            (None, Some(pt)) => (pt, false),
            _ => return Err(bad(n)),
        };
        if wrap {
            let mut buf = pt.clone();
            let t = dwp::encrypt(&c, v, &iv, &ad, &mut buf);
            kat::check(n, "belt-dwp/che ciphertext", &buf, &ct)?;
            kat::check(n, "belt-dwp/che tag", &t, &tag)?;
        }
        let mut buf = ct.clone();
        dwp::decrypt(&c, v, &iv, &ad, &mut buf, &tag).map_err(|_| KatError {
            vector: n,
            what: "belt-dwp/che tag rejected",
        })?;
        kat::check(n, "belt-dwp/che plaintext", &buf, &pt)?;
        if v == dwp::Variant::Dwp {
            // ESP object: KEYMAT = key ‖ IV[0..8), explicit IV = IV[8..16), AAD as given.
            let mut keymat = key.to_vec();
            keymat.extend_from_slice(&iv[..8]);
            let mut e = EspCipherAlgorithm::new_key(&suite::ESP_BELT_DWP, &keymat)
                .map_err(provider_err(n))?;
            let mut buf = ct.clone();
            e.decrypt(&iv[8..], &ad, &mut buf, &tag)
                .map_err(provider_err(n))?;
            kat::check(n, "ESP belt-dwp plaintext", &buf, &pt)?;
            let mut icv = [0u8; 8];
            e.encrypt(&iv[8..], &ad, &mut buf, &mut icv)
                .map_err(provider_err(n))?;
            kat::check(n, "ESP belt-dwp ciphertext", &buf, &ct)?;
            kat::check(n, "ESP belt-dwp ICV", &icv, &tag)?;
        }
    }
    Ok(recs.len())
}

fn kat_kwp() -> Result<usize, KatError> {
    let recs = records(V_KWP, 3)?;
    for (i, r) in recs.iter().enumerate() {
        let i = i + 1;
        let key = arr::<32>(r, "key", i)?;
        let header = arr::<16>(r, "header", i)?;
        let input = field(r, "in", i)?;
        let want = field(r, "out", i)?;
        // Direction from the lengths: wrapping adds the 16-byte header.
        let (x, y) = if input.len() < want.len() {
            (&input, &want)
        } else {
            (&want, &input)
        };
        let mut out = alloc::vec![0u8; x.len() + 16];
        kwp::wrap(&key, x, &header, &mut out).map_err(|_| bad(i))?;
        kat::check(i, "belt-kwp wrap", &out, y)?;
        let mut back = alloc::vec![0u8; y.len() - 16];
        kwp::unwrap(&key, y, &header, &mut back).map_err(|_| KatError {
            vector: i,
            what: "belt-kwp unwrap rejected",
        })?;
        kat::check(i, "belt-kwp unwrap", &back, x)?;
    }
    Ok(recs.len())
}

fn kat_hash() -> Result<usize, KatError> {
    let recs = records(V_HASH, 3)?;
    for (i, r) in recs.iter().enumerate() {
        let i = i + 1;
        let input = field(r, "in", i)?;
        let want = field(r, "out", i)?;
        kat::check(i, "belt-hash", &kdf::belt_hash(&input), &want)?;
        let (a, b) = input.split_at(input.len() / 2);
        kat::check(
            i,
            "belt-hash provider",
            suite::BELT_HASH.hash(&[a, b]).as_slice(),
            &want,
        )?;
    }
    Ok(recs.len())
}

fn kat_keyrep() -> Result<usize, KatError> {
    let recs = records(V_KEYREP, 3)?;
    for (i, r) in recs.iter().enumerate() {
        let i = i + 1;
        let key = field(r, "key", i)?;
        let level = arr::<12>(r, "level", i)?;
        let header = arr::<16>(r, "header", i)?;
        let m: usize = r.get("m").and_then(|m| m.parse().ok()).ok_or(bad(i))?;
        let want = field(r, "out", i)?;
        if want.len() * 8 != m {
            return Err(bad(i));
        }
        let mut out = alloc::vec![0u8; m / 8];
        kdf::keyrep(&key, &level, &header, &mut out).map_err(|_| bad(i))?;
        kat::check(i, "belt-keyrep", &out, &want)?;
    }
    Ok(recs.len())
}

fn kat_hmac_pbkdf2() -> Result<usize, KatError> {
    let recs = records(V_HMAC, 6)?;
    for (i, r) in recs.iter().enumerate() {
        let i = i + 1;
        let want = field(r, "out", i)?;
        if let Some(key) = r.hex("key") {
            let input = field(r, "in", i)?;
            kat::check(i, "hmac-hbelt", &kdf::hmac_hbelt(&key, &input), &want)?;
            kat::check(
                i,
                "hmac-hbelt provider",
                suite::BELT_HASH.hmac(&key, &[&input]).as_slice(),
                &want,
            )?;
            if key.len() == 32 {
                let k = MacAlgorithm::new_key(&suite::HMAC_HBELT, &key).map_err(provider_err(i))?;
                let mut out = [0u8; 32];
                k.compute(&[&input], &mut out);
                kat::check(i, "HMAC-HBELT integrity", &out, &want)?;
            }
        } else {
            let pwd = r.get("password_ascii").ok_or(bad(i))?;
            let salt = field(r, "salt", i)?;
            let iter: u32 = r.get("iter").and_then(|m| m.parse().ok()).ok_or(bad(i))?;
            let mut out = [0u8; 32];
            kdf::pbkdf2(pwd.as_bytes(), &salt, iter, &mut out);
            kat::check(i, "belt-pbkdf2", &out, &want)?;
        }
    }
    Ok(recs.len())
}

/// Self-tests of the belt family.
pub static SELF_TESTS: &[SelfTest] = &[
    SelfTest {
        name: "belt S-box H (STB 34.101.31 table 1)",
        run: kat_h,
    },
    SelfTest {
        name: "belt-block, belt-wblock, belt-compress (STB 34.101.31 A.1, A.4, A.6-A.8)",
        run: kat_block,
    },
    SelfTest {
        name: "belt-ecb with stealing (STB 34.101.31 A.9-A.10)",
        run: kat_ecb,
    },
    SelfTest {
        name: "belt-cbc with stealing, IKE belt-cbc (STB 34.101.31 A.11-A.12)",
        run: kat_cbc,
    },
    SelfTest {
        name: "belt-cfb, IKE/ESP belt-cfb (STB 34.101.31 A.13-A.14)",
        run: kat_cfb,
    },
    SelfTest {
        name: "belt-ctr, ESP belt-ctr (STB 34.101.31 A.15-A.16)",
        run: kat_ctr,
    },
    SelfTest {
        name: "belt-mac, BELT-K256-MAC (STB 34.101.31 A.17)",
        run: kat_mac,
    },
    SelfTest {
        name: "belt-dwp, belt-che, ESP belt-dwp (STB 34.101.31 A.19-A.20)",
        run: kat_dwp,
    },
    SelfTest {
        name: "belt-kwp (STB 34.101.31 A.21-A.22, STB 34.101.45 E.5)",
        run: kat_kwp,
    },
    SelfTest {
        name: "belt-hash (STB 34.101.31 A.23)",
        run: kat_hash,
    },
    SelfTest {
        name: "belt-keyrep (STB 34.101.31 A.28)",
        run: kat_keyrep,
    },
    SelfTest {
        name: "hmac-hbelt, belt-pbkdf2 (STB 34.101.47 B.1, STB 34.101.45 E.5)",
        run: kat_hmac_pbkdf2,
    },
];
