//! Unit and property tests of the GOST family: every vector record is covered, mode round trips
//! across meshing boundaries, streaming = one-shot, meshing against a second implementation
//! written from the RFC 4357 formula, tampered tags and signatures rejected, provider wiring.

use alloc::boxed::Box;
use alloc::format;
use alloc::vec;
use alloc::vec::Vec;

use proptest::prelude::*;

use super::block::{CRYPTOPRO_MESHING_C, Gost28147};
use super::kat::{self, SELF_TESTS};
use super::modes::{self, Cbc, Cfb, Cnt, Imit, KeyMeshing, MESHING_INTERVAL};
use super::r3410::{self, PublicKey, SecretKey, Signature};
use super::sbox::{CryptoProA, Sblock1};
use super::{algs, suites};
use crate::Rng;
use crate::provider::{CipherAlgorithm, EspCipherAlgorithm, MacAlgorithm, SignatureVerifier};
use crate::software::SOFTWARE;

fn rng(seed: u8) -> Box<dyn Rng> {
    SOFTWARE.drbg.instantiate(&[seed; 32]).expect("drbg")
}

#[test]
fn self_tests_pass() {
    for t in SELF_TESTS {
        match (t.run)() {
            Ok(n) => assert!(n > 0, "{}: no vectors", t.name),
            Err(e) => panic!("{}: {e}", t.name),
        }
    }
}

/// Every record of both vector files is run by exactly one self-test.
#[test]
fn every_vector_record_is_covered() {
    let recs = crate::kat::records(kat::GOST28147_TXT);
    assert_eq!(recs.len(), 21);
    let mut by_kind = alloc::collections::BTreeMap::new();
    for (i, r) in recs.iter().enumerate() {
        let k = kat::classify(r).unwrap_or_else(|| panic!("record {} not understood", i + 1));
        *by_kind.entry(format!("{k:?}")).or_insert(0) += 1;
    }
    assert_eq!(by_kind["Table"], 2);
    assert_eq!(by_kind["Ecb"], 8);
    assert_eq!(by_kind["EcbNotRecomputed"], 1);
    assert_eq!(by_kind["Mode"], 5);
    assert_eq!(by_kind["Imit"], 2);
    assert_eq!(by_kind["Derived"], 3);
    // gostr3411-94.txt: 7 digests + 1 HMAC record, each claimed by one test.
    let recs = crate::kat::records(kat::GOSTR3411_TXT);
    assert_eq!(recs.len(), 8);
    for r in &recs {
        assert!(r.get("in_ascii").is_some() ^ r.get("key").is_some());
    }
}

/// A wrong expected value makes the table-driven runner fail (the tests can fail).
#[test]
fn altered_vector_fails() {
    let text = kat::GOST28147_TXT.replace(
        "out=668184AEDC48C9174164347058845CAC",
        "out=668184AEDC48C9174164347058845CAD",
    );
    let recs = crate::kat::records(&text);
    let r = recs
        .iter()
        .find(|r| r.get("out") == Some("668184AEDC48C9174164347058845CAD"));
    let r = r.expect("record");
    let mut key = [0u8; 32];
    key.copy_from_slice(&r.hex("key").expect("key"));
    let mut b = r.hex("in").expect("in");
    modes::ecb_encrypt(&Gost28147::<CryptoProA>::new(&key), &mut b).expect("ecb");
    assert_ne!(b, r.hex("out").expect("out"));
}

#[test]
fn reference_round_function_matches_magma() {
    let key: [u8; 32] = core::array::from_fn(|i| (i as u8).wrapping_mul(37).wrapping_add(5));
    let c = Gost28147::<CryptoProA>::new(&key);
    let s = Gost28147::<Sblock1>::new(&key);
    for seed in 0u8..16 {
        let mut a: [u8; 8] = core::array::from_fn(|i| seed.wrapping_mul(11).wrapping_add(i as u8));
        let mut b = a;
        c.encrypt_block(&mut a);
        c.encrypt_block_reference(&mut b);
        assert_eq!(a, b);
        s.encrypt_block(&mut a);
        s.encrypt_block_reference(&mut b);
        assert_eq!(a, b);
    }
}

#[test]
fn debug_shows_no_key() {
    let key = [0xabu8; 32];
    let c = Gost28147::<CryptoProA>::new(&key);
    let d = format!("{c:?}");
    assert!(!d.contains("ab") && !d.contains("171"), "{d}");
    let sk = SecretKey::from_le_bytes(&r3410::CRYPTOPRO_A, &[0x11; 32]).expect("key");
    let d = format!("{sk:?}");
    assert!(!d.contains("11") && !d.contains("17"), "{d}");
    let k = algs::Gost3410SigningKey::new(sk).expect("key");
    assert!(!format!("{k:?}").contains("11"));
}

#[test]
fn bad_lengths_are_errors() {
    let c = Gost28147::<CryptoProA>::new(&[1; 32]);
    assert!(modes::ecb_encrypt(&c, &mut [0u8; 7]).is_err());
    assert!(
        Cbc::new(&c, &[0; 8], KeyMeshing::None)
            .encrypt_blocks(&mut [0u8; 9])
            .is_err()
    );
    assert!(Gost28147::<CryptoProA>::new_from_slice(&[0; 31]).is_err());
    let e = EspCipherAlgorithm::new_key(&algs::CBC_CRYPTOPRO_A, &[0; 32]).expect("key");
    let mut e = e;
    assert!(e.encrypt(&[0; 7], &[], &mut [0; 8], &mut []).is_err());
    assert!(e.decrypt(&[0; 8], &[], &mut [0; 13], &[]).is_err());
    assert!(EspCipherAlgorithm::new_key(&algs::CBC_CRYPTOPRO_A, &[0; 16]).is_err());
    assert!(algs::IMIT_CRYPTOPRO_A.new_key(&[0; 33]).is_err());
    assert!(algs::KUZNYECHIK_MAC.new_key(&[0; 16]).is_err());
    let mut k = CipherAlgorithm::new_key(&algs::CFB_SBLOCK1, &[0; 32]).expect("key");
    assert!(k.encrypt(&mut [0; 8], &mut [0; 12]).is_err());
}

#[test]
fn imit_short_messages_follow_gost_engine() {
    // A message of one block or less is padded with a second, zero block; empty gives 0.
    let c = Gost28147::<CryptoProA>::new(&[7; 32]);
    let mac = |d: &[u8]| {
        let mut m = Imit::new(&c, KeyMeshing::CryptoPro);
        m.update(d);
        m.finalize()
    };
    assert_eq!(mac(&[]), [0; 8]);
    let mut two = [0u8; 16];
    two[..5].copy_from_slice(b"hello");
    assert_eq!(mac(b"hello"), mac(&two));
    assert_eq!(mac(b"12345678"), mac(b"12345678\0\0\0\0\0\0\0\0"));
    // A 9-byte message is two blocks already: no extra block.
    assert_ne!(
        mac(b"123456789"),
        mac(b"123456789\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0")
    );
}

#[test]
fn curve_arithmetic_is_consistent() {
    for c in r3410::CURVES {
        assert!(r3410::testing::check_arithmetic(c), "{}", c.name);
    }
}

#[test]
fn provider_lookups_find_gost_entries() {
    let p = &SOFTWARE;
    assert_eq!(
        p.ike_cipher(65534, None).map(|c| c.sa_name),
        Some("gost2814789cp-cbc")
    );
    assert_eq!(p.ike_hash(65534).map(|h| h.sa_name), Some("gostr341194cp"));
    assert_eq!(
        p.esp_cipher(254, None).map(|c| c.sa_name),
        Some("esp-gost2814789cp-cbc")
    );
    let i = p.integrity(65534).expect("hmac");
    assert_eq!(
        (i.icv_len, i.ah_transform_id, i.mac.key_len()),
        (12, Some(254), 32)
    );
    assert_eq!(
        p.ah_integrity(254).map(|i| i.ah_sa_name),
        Some("ah-gostr341194cp-hmac")
    );
    let i = p.integrity(65535).expect("imit");
    assert_eq!((i.icv_len, i.ah_transform_id), (4, Some(253)));
    assert_eq!(
        p.ah_integrity(253).map(|i| i.esp_sa_name),
        Some("esp-gost2814789cp-imit")
    );
    let i = p.integrity(65529).expect("kuznyechik");
    assert_eq!((i.icv_len, i.esp_sa_name), (8, "esp-kuznyechik-mac"));
    assert!(p.integrity_by_name("ah-kuznyechik-mac").is_some());
    assert_eq!(
        p.hash("1.2.643.2.2.9").map(|h| h.name),
        Some("gostr3411-94-cp")
    );
    assert!(p.hash("gostr3411-94-test").is_some());
    assert_eq!(
        p.signature("1.2.643.2.2.3").map(|s| s.name),
        Some("gost3410-2001-gostr3411-94")
    );
    assert!(
        p.ike_cipher_by_name("G2814789CPRO1-K256-CBC-65534")
            .is_some()
    );
    assert!(p.esp_cipher_by_name("G2814789CPRO1-K256-CBC-254").is_some());
    assert!(
        p.integrity_by_name("GR341194CPRO1-H96-HMAC-65534")
            .is_some()
    );
    assert!(
        p.integrity_by_name("G2814789CPRO1-K256-MAC-65535")
            .is_some()
    );
    assert!(p.integrity_by_name("GR341215K-K256-MAC-65529").is_some());
    assert!(p.ike_hash_by_name("GR341194CPRO1-65534").is_some());
    // The Belarusian variants are not in the default tables.
    assert_eq!(
        p.ike_ciphers
            .iter()
            .filter(|c| c.attribute == 65534)
            .count(),
        1
    );
    assert_eq!(
        p.esp_ciphers
            .iter()
            .filter(|c| c.transform_id == 254)
            .count(),
        1
    );
    assert_eq!(
        p.integrity
            .iter()
            .filter(|i| i.auth_algorithm >= 65529)
            .count(),
        3
    );
}

#[test]
fn suites_share_names_and_numbers_and_differ_in_algorithms() {
    let mut outputs = Vec::new();
    for s in suites::ALL {
        assert_eq!(s.ike_cipher.attribute, 65534);
        assert_eq!(s.ike_hash.attribute, 65534);
        assert_eq!(s.esp_cipher.transform_id, 254);
        assert_eq!(s.integrity_hmac.auth_algorithm, 65534);
        assert_eq!(s.integrity_imit.auth_algorithm, 65535);
        // ESP round trip over 2000 bytes (crosses the meshing boundary).
        let key = [0x42u8; 32];
        let mut e = s.esp_cipher.cipher.new_key(&key).expect("key");
        let pt: Vec<u8> = (0..2000u32).map(|i| i as u8).collect();
        let mut buf = pt.clone();
        e.encrypt(&[9; 8], &[], &mut buf, &mut []).expect("enc");
        let ct = buf.clone();
        e.decrypt(&[9; 8], &[], &mut buf, &[]).expect("dec");
        assert_eq!(buf, pt, "{}", s.description);
        let hash = s.ike_hash.prf(&key, &[b"x"]);
        let mut tag = [0u8; 12];
        s.integrity_hmac
            .mac
            .new_key(&key)
            .expect("key")
            .compute(&[&pt], &mut tag);
        let mut imit = [0u8; 4];
        s.integrity_imit
            .mac
            .new_key(&key)
            .expect("key")
            .compute(&[&pt], &mut imit);
        outputs.push((ct, hash.as_slice().to_vec(), tag, imit));
    }
    // The suites really are different algorithms (except where they share a part).
    for i in 0..outputs.len() {
        for j in i + 1..outputs.len() {
            assert_ne!(outputs[i], outputs[j], "suites {i} and {j}");
        }
    }
    assert_eq!(outputs[0].1, outputs[2].1, "both use GOST R 34.11-94");
    assert_ne!(outputs[0].1, outputs[4].1, "belt-hash differs");
}

/// Second implementation of CryptoPro meshing in CFB and CBC, straight from RFC 4357 §2.3.2:
/// K[i+1] = decryptECB(K[i], C); IV0[i+1] = encryptECB(K[i+1], IVn[i]), over 1024-byte chunks,
/// each chunk processed by the plain (unmeshed) mode.
fn reference_meshed(cbc: bool, key: &[u8; 32], iv: &[u8; 8], data: &mut [u8]) {
    let mut k = *key;
    let mut iv = *iv;
    for (i, chunk) in data.chunks_mut(MESHING_INTERVAL).enumerate() {
        if i > 0 {
            let old = Gost28147::<CryptoProA>::new(&k);
            let mut nk = CRYPTOPRO_MESHING_C;
            modes::ecb_decrypt(&old, &mut nk).expect("ecb");
            k = nk;
            modes::ecb_encrypt(&Gost28147::<CryptoProA>::new(&k), &mut iv).expect("ecb");
        }
        let c = Gost28147::<CryptoProA>::new(&k);
        if cbc {
            let mut m = Cbc::new(&c, &iv, KeyMeshing::None);
            m.encrypt_blocks(chunk).expect("cbc");
            iv = m.iv();
        } else {
            let mut m = Cfb::new(&c, &iv, KeyMeshing::None);
            m.encrypt(chunk);
            iv = m.iv();
        }
    }
}

fn meshing() -> impl Strategy<Value = KeyMeshing> {
    prop_oneof![Just(KeyMeshing::None), Just(KeyMeshing::CryptoPro)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn ecb_cbc_roundtrip(key in any::<[u8; 32]>(), iv in any::<[u8; 8]>(), blocks in 0usize..400,
                         m in meshing(), seed in any::<u8>()) {
        let c = Gost28147::<CryptoProA>::new(&key);
        let pt: Vec<u8> = (0..blocks * 8).map(|i| (i as u8) ^ seed).collect();
        let mut buf = pt.clone();
        modes::ecb_encrypt(&c, &mut buf).unwrap();
        modes::ecb_decrypt(&c, &mut buf).unwrap();
        prop_assert_eq!(&buf, &pt);
        let mut e = Cbc::new(&c, &iv, m);
        e.encrypt_blocks(&mut buf).unwrap();
        let mut d = Cbc::new(&c, &iv, m);
        d.decrypt_blocks(&mut buf).unwrap();
        prop_assert_eq!(&buf, &pt);
        prop_assert_eq!(e.iv(), d.iv());
    }

    #[test]
    fn cfb_cnt_roundtrip_and_streaming(key in any::<[u8; 32]>(), iv in any::<[u8; 8]>(),
                                       len in 0usize..3200, cut1 in 0usize..3200, cut2 in 0usize..3200,
                                       m in meshing()) {
        let c = Gost28147::<Sblock1>::new(&key);
        let pt: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
        let (a, b) = (cut1.min(len), cut2.min(len));
        let (a, b) = (a.min(b), a.max(b));
        // CFB: one shot vs three pieces, and decrypt.
        let mut one = pt.clone();
        Cfb::new(&c, &iv, m).encrypt(&mut one);
        let mut parts = pt.clone();
        let mut s = Cfb::new(&c, &iv, m);
        let (x, rest) = parts.split_at_mut(a);
        let (y, z) = rest.split_at_mut(b - a);
        s.encrypt(x); s.encrypt(y); s.encrypt(z);
        prop_assert_eq!(&parts, &one);
        let mut s = Cfb::new(&c, &iv, m);
        let (x, rest) = parts.split_at_mut(b);
        s.decrypt(x); s.decrypt(rest);
        prop_assert_eq!(&parts, &pt);
        // CNT likewise.
        let mut one = pt.clone();
        Cnt::new(&c, &iv, m).apply(&mut one);
        let mut parts = pt.clone();
        let mut s = Cnt::new(&c, &iv, m);
        let (x, rest) = parts.split_at_mut(a);
        let (y, z) = rest.split_at_mut(b - a);
        s.apply(x); s.apply(y); s.apply(z);
        prop_assert_eq!(&parts, &one);
        Cnt::new(&c, &iv, m).apply(&mut parts);
        prop_assert_eq!(&parts, &pt);
    }

    #[test]
    fn meshing_matches_rfc4357_formula(key in any::<[u8; 32]>(), iv in any::<[u8; 8]>(),
                                       blocks in 120usize..420) {
        let pt: Vec<u8> = (0..blocks * 8).map(|i| (i * 13) as u8).collect();
        let c = Gost28147::<CryptoProA>::new(&key);
        for cbc in [false, true] {
            let mut want = pt.clone();
            reference_meshed(cbc, &key, &iv, &mut want);
            let mut got = pt.clone();
            if cbc {
                Cbc::new(&c, &iv, KeyMeshing::CryptoPro).encrypt_blocks(&mut got).unwrap();
            } else {
                Cfb::new(&c, &iv, KeyMeshing::CryptoPro).encrypt(&mut got);
            }
            prop_assert_eq!(&got, &want);
            // Meshing changes nothing in the first 1024 bytes and everything after.
            let mut plain = pt.clone();
            if cbc {
                Cbc::new(&c, &iv, KeyMeshing::None).encrypt_blocks(&mut plain).unwrap();
            } else {
                Cfb::new(&c, &iv, KeyMeshing::None).encrypt(&mut plain);
            }
            let n = MESHING_INTERVAL.min(plain.len());
            prop_assert_eq!(&plain[..n], &got[..n]);
            if plain.len() > MESHING_INTERVAL {
                prop_assert_ne!(&plain[MESHING_INTERVAL..], &got[MESHING_INTERVAL..]);
            }
        }
    }

    #[test]
    fn imit_streaming_and_tamper(key in any::<[u8; 32]>(), len in 0usize..2600,
                                 cut in 0usize..2600, flip in any::<usize>(), m in meshing()) {
        let c = Gost28147::<CryptoProA>::new(&key);
        let data: Vec<u8> = (0..len).map(|i| (i * 31 + 7) as u8).collect();
        let mut one = Imit::new(&c, m);
        one.update(&data);
        let one = one.finalize();
        let cut = cut.min(len);
        let mut two = Imit::new(&c, m);
        two.update(&data[..cut]);
        two.update(&data[cut..]);
        prop_assert_eq!(two.finalize(), one);
        // Through the provider object: verify accepts, tampered data or tag is rejected.
        let k = if m == KeyMeshing::CryptoPro {
            algs::IMIT_CRYPTOPRO_A.new_key(&key).unwrap()
        } else {
            algs::GostImit::<CryptoProA>::new(KeyMeshing::None).new_key(&key).unwrap()
        };
        prop_assert!(k.verify(&[&data[..cut], &data[cut..]], &one[..4]).is_ok());
        let mut bad = one;
        bad[flip % 4] ^= 1 << (flip % 8);
        prop_assert!(k.verify(&[&data], &bad[..4]).is_err());
        if len > 0 {
            let mut d2 = data.clone();
            d2[flip % len] ^= 0x80;
            prop_assert!(k.verify(&[&d2], &one[..4]).is_err());
        }
    }

    #[test]
    fn kuznyechik_mac_and_hmac_tamper(key in any::<[u8; 32]>(), data in proptest::collection::vec(any::<u8>(), 0..300),
                                      flip in any::<usize>()) {
        for (mac, icv) in [(&algs::KUZNYECHIK_MAC as &dyn MacAlgorithm, 8usize),
                           (&super::hash::HMAC_GOSTR3411_94_CP as &dyn MacAlgorithm, 12)] {
            let k = mac.new_key(&key).unwrap();
            let mut tag = vec![0u8; icv];
            k.compute(&[&data], &mut tag);
            prop_assert!(k.verify(&[&data], &tag).is_ok());
            tag[flip % icv] ^= 1;
            prop_assert!(k.verify(&[&data], &tag).is_err());
        }
    }

    #[test]
    fn gost94_incremental_equals_one_shot(data in proptest::collection::vec(any::<u8>(), 0..400),
                                          cut in 0usize..400) {
        use crate::provider::HashAlgorithm;
        let h = &super::hash::GOSTR3411_94_CP;
        let cut = cut.min(data.len());
        let mut ctx = h.start();
        ctx.update(&data[..cut]);
        let fork = ctx.fork();
        ctx.update(&data[cut..]);
        prop_assert_eq!(ctx.finish(), h.hash(&[&data]));
        let mut fork = fork;
        fork.update(&data[cut..]);
        prop_assert_eq!(fork.finish(), h.hash(&[&data[..cut], &data[cut..]]));
    }

    #[test]
    fn ike_cbc_chaining_equals_one_message(key in any::<[u8; 32]>(), iv in any::<[u8; 8]>(),
                                           a in 0usize..40, b in 0usize..40) {
        let mut k = CipherAlgorithm::new_key(&algs::CBC_CRYPTOPRO_A, &key).unwrap();
        let pt: Vec<u8> = (0..(a + b) * 8).map(|i| i as u8).collect();
        let mut whole = pt.clone();
        let mut v = iv;
        k.encrypt(&mut v, &mut whole).unwrap();
        let mut parts = pt.clone();
        let mut v2 = iv;
        let (x, y) = parts.split_at_mut(a * 8);
        k.encrypt(&mut v2, x).unwrap();
        k.encrypt(&mut v2, y).unwrap();
        prop_assert_eq!(&parts, &whole);
        prop_assert_eq!(v, v2);
        let mut v3 = iv;
        k.decrypt(&mut v3, &mut parts).unwrap();
        prop_assert_eq!(&parts, &pt);
    }
}

proptest! {
    // Scalar multiplication in a debug build is slow: few cases.
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn sign_verify_roundtrip(curve in 0usize..6, seed in any::<u8>(),
                             msg in proptest::collection::vec(any::<u8>(), 0..100),
                             flip in any::<usize>()) {
        let c = r3410::CURVES[curve];
        let mut r = rng(seed);
        let sk = SecretKey::generate(c, &mut *r).unwrap();
        let pk = sk.public_key().unwrap();
        let pk2 = PublicKey::from_le_bytes(c, &pk.to_le_bytes()).unwrap();
        prop_assert_eq!(pk, pk2);
        let e = r3410::hash_to_integer(&[seed; 32]);
        let sig = sk.sign_prehashed(&e, &mut *r).unwrap();
        prop_assert!(pk.verify_prehashed(&e, &sig).is_ok());
        let sig2 = Signature::from_bytes(&sig.to_bytes()).unwrap();
        prop_assert_eq!(sig, sig2);
        // Wrong hash, wrong signature, wrong key: rejected.
        let e2 = r3410::hash_to_integer(&[seed ^ 1; 32]);
        prop_assert!(pk.verify_prehashed(&e2, &sig).is_err());
        let mut bytes = sig.to_bytes();
        bytes[flip % 64] ^= 1 << (flip % 8);
        if let Ok(bad) = Signature::from_bytes(&bytes) {
            prop_assert!(pk.verify_prehashed(&e, &bad).is_err());
        }
        let other = SecretKey::generate(c, &mut *r).unwrap().public_key().unwrap();
        prop_assert!(other.verify_prehashed(&e, &sig).is_err());
        // Through the provider scheme (curves A, B, C only).
        if core::ptr::eq(c, &r3410::CRYPTOPRO_A) || core::ptr::eq(c, &r3410::CRYPTOPRO_B)
            || core::ptr::eq(c, &r3410::CRYPTOPRO_C) {
            use crate::provider::SigningKey;
            let key = algs::Gost3410SigningKey::new(sk).unwrap();
            let s = key.sign(&mut *r, &msg).unwrap();
            let v = &algs::GOST3410_2001_VERIFIER;
            prop_assert!(v.verify(&key.public_key(), &msg, &s).is_ok());
            let mut m2 = msg.clone();
            m2.push(0);
            prop_assert!(v.verify(&key.public_key(), &m2, &s).is_err());
        }
    }

    #[test]
    fn verifier_never_panics(pk in proptest::collection::vec(any::<u8>(), 0..80),
                             sig in proptest::collection::vec(any::<u8>(), 0..80)) {
        let r = algs::GOST3410_2001_VERIFIER.verify(&pk, b"m", &sig);
        prop_assert!(r.is_err());
    }
}

#[test]
fn signature_edge_values_rejected() {
    let sk = SecretKey::from_le_bytes(&r3410::CRYPTOPRO_A, &[3; 32]).expect("key");
    let pk = sk.public_key().expect("pk");
    let e = r3410::hash_to_integer(&[5; 32]);
    let q = r3410::CRYPTOPRO_A.q();
    let one = crypto_bigint::U256::ONE;
    for (r, s) in [
        (crypto_bigint::U256::ZERO, one),
        (one, crypto_bigint::U256::ZERO),
        (q, one),
        (one, q),
        (crypto_bigint::U256::MAX, crypto_bigint::U256::MAX),
    ] {
        assert!(
            pk.verify_prehashed(&e, &Signature::from_scalars(r, s))
                .is_err()
        );
    }
    assert!(SecretKey::from_scalar(&r3410::CRYPTOPRO_A, &q).is_err());
    assert!(SecretKey::from_scalar(&r3410::CRYPTOPRO_A, &crypto_bigint::U256::ZERO).is_err());
    assert!(
        sk.sign_prehashed_with_k(&e, &crypto_bigint::U256::ZERO)
            .is_err()
    );
    // Off-curve and out-of-range public keys.
    let mut b = pk.to_le_bytes();
    b[0] ^= 1;
    assert!(PublicKey::from_le_bytes(&r3410::CRYPTOPRO_A, &b).is_err());
    assert!(PublicKey::from_le_bytes(&r3410::CRYPTOPRO_A, &[0xff; 64]).is_err());
    assert!(PublicKey::from_le_bytes(&r3410::CRYPTOPRO_A, &[0; 63]).is_err());
    assert!(Signature::from_bytes(&[0; 65]).is_err());
    assert!(r3410::curve_by_oid("1.2.643.2.2.36.0").is_some());
    // The e = 0 case (α ≡ 0 mod q) signs with e = 1.
    let sig = sk
        .sign_prehashed_with_k(&q, &one.wrapping_add(&one))
        .expect("sig");
    assert!(
        pk.verify_prehashed(&crypto_bigint::U256::ZERO, &sig)
            .is_ok()
    );
    assert!(pk.verify_prehashed(&one, &sig).is_ok());
}
