//! RSA PKCS#1 v1.5 and ECDSA against Wycheproof (C2SP/wycheproof, subset in tests/data/) and
//! against vectors made with a second implementation (Python `cryptography`/OpenSSL,
//! tests/data/pyca-*.txt), all through the software provider's tables.

use zubr_crypto_stb::intl::ecdsa::{EcdsaSigningKey, Encoding, P256, P384};
use zubr_crypto_stb::intl::rsa::{RsaPrivateKey, RsaPublicKey};
use zubr_crypto_stb::kat;
use zubr_crypto_stb::provider::SigningKey;
use zubr_crypto_stb::{Error, Rng, SOFTWARE};

struct TestRng(u64);
impl Rng for TestRng {
    fn fill(&mut self, out: &mut [u8]) -> Result<(), Error> {
        for b in out.iter_mut() {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            *b = (self.0 >> 33) as u8;
        }
        Ok(())
    }
}

fn hex(r: &kat::Record<'_>, name: &str) -> Vec<u8> {
    r.hex(name).unwrap_or_else(|| panic!("field {name}"))
}

/// Runs every test of a Wycheproof verify file; returns (valid, invalid, acceptable) counts.
/// Hashes a Wycheproof message for the raw (prehash) schemes.
type Prehash = fn(&[u8]) -> Vec<u8>;
/// Builds a signing key of the current group in an encoding.
type MakeSigner = Box<dyn Fn(Encoding) -> Box<dyn SigningKey>>;

fn wycheproof_verify(text: &str, prehash: Option<Prehash>) -> (usize, usize, usize) {
    let (mut valid, mut invalid, mut acceptable) = (0, 0, 0);
    let mut key = Vec::new();
    let mut scheme = None;
    for r in kat::records(text) {
        if r.get("key").is_some() {
            key = hex(&r, "key");
            let name = r.get("scheme").expect("scheme");
            scheme = Some(
                SOFTWARE
                    .signature(name)
                    .unwrap_or_else(|| panic!("scheme {name}")),
            );
            continue;
        }
        let s = scheme.expect("group first");
        let tc = r.get("tc").expect("tc");
        let msg = hex(&r, "msg");
        let msg = match prehash {
            Some(h) => h(&msg),
            None => msg,
        };
        let got = s.verifier.verify(&key, &msg, &hex(&r, "sig"));
        match r.get("result") {
            Some("valid") => {
                assert_eq!(got, Ok(()), "{} tc {tc} must verify", s.name);
                valid += 1;
            }
            Some("invalid") => {
                assert!(got.is_err(), "{} tc {tc} must be rejected", s.name);
                invalid += 1;
            }
            Some("acceptable") => acceptable += 1,
            other => panic!("result {other:?}"),
        }
    }
    (valid, invalid, acceptable)
}

#[test]
fn wycheproof_rsa_pkcs1_verify() {
    let (v, i, a) = wycheproof_verify(include_str!("data/wycheproof-rsa-pkcs1-verify.txt"), None);
    println!("Wycheproof RSA PKCS#1 verify: {v} valid, {i} invalid, {a} acceptable");
    assert!(v >= 3 && i >= 600, "{v} {i}");
}

#[test]
fn wycheproof_rsa_pkcs1_sign_from_pkcs8() {
    let mut n = 0;
    let mut key: Option<RsaPrivateKey> = None;
    let mut public = Vec::new();
    let mut scheme = String::new();
    for r in kat::records(include_str!("data/wycheproof-rsa-pkcs1-siggen.txt")) {
        if r.get("key").is_some() {
            public = hex(&r, "key");
            scheme = r.get("scheme").expect("scheme").to_string();
            key = Some(RsaPrivateKey::from_pkcs8_der(&hex(&r, "pkcs8")).expect("PKCS#8 key"));
            assert_eq!(key.as_ref().map(|k| k.public_key()), Some(public.clone()));
            continue;
        }
        let k = key.as_ref().expect("group first");
        let msg = hex(&r, "msg");
        let sig = hex(&r, "sig");
        let ours = k.sign_with(&scheme, &mut TestRng(n), &msg).expect("sign");
        assert_eq!(ours, sig, "tc {}", r.get("tc").unwrap_or("?"));
        let s = SOFTWARE.signature(&scheme).expect("scheme");
        assert_eq!(s.verifier.verify(&public, &msg, &sig), Ok(()));
        n += 1;
    }
    println!("Wycheproof RSA PKCS#1 signature generation: {n} signatures reproduced");
    assert!(n >= 40);
}

fn sha256(m: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(m).to_vec()
}

fn sha384(m: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha384::digest(m).to_vec()
}

#[test]
fn wycheproof_ecdsa() {
    for (name, text, prehash) in [
        (
            "P-256 DER",
            include_str!("data/wycheproof-ecdsa-p256-der.txt"),
            None,
        ),
        (
            "P-384 DER",
            include_str!("data/wycheproof-ecdsa-p384-der.txt"),
            None,
        ),
        (
            "P-256 r||s (IKE raw, message hashed by the test)",
            include_str!("data/wycheproof-ecdsa-p256-p1363.txt"),
            Some(sha256 as Prehash),
        ),
        (
            "P-384 r||s (IKE raw, message hashed by the test)",
            include_str!("data/wycheproof-ecdsa-p384-p1363.txt"),
            Some(sha384 as Prehash),
        ),
    ] {
        let (v, i, a) = wycheproof_verify(text, prehash);
        println!("Wycheproof ECDSA {name}: {v} valid, {i} invalid, {a} acceptable");
        assert!(v > 50 && i > 50);
    }
}

#[test]
fn pyca_rsa_vectors() {
    let (mut verified, mut signed) = (0, 0);
    let mut key: Option<RsaPrivateKey> = None;
    let mut public = Vec::new();
    for r in kat::records(include_str!("data/pyca-rsa.txt")) {
        if r.get("key").is_some() {
            public = hex(&r, "key");
            let k1 = RsaPrivateKey::from_pkcs1_der(&hex(&r, "pkcs1")).expect("PKCS#1");
            let k8 = RsaPrivateKey::from_pkcs8_der(&hex(&r, "pkcs8")).expect("PKCS#8");
            assert_eq!(k1.public_key(), public);
            assert_eq!(k8.public_key(), public);
            let p = RsaPublicKey::from_pkcs1_der(&public).expect("public");
            assert_eq!(
                p.bits(),
                r.get("bits").and_then(|b| b.parse().ok()).expect("bits")
            );
            // PKCS#1 DER is not PKCS#8 and vice versa.
            assert!(RsaPrivateKey::from_pkcs8_der(&hex(&r, "pkcs1")).is_err());
            assert!(RsaPrivateKey::from_pkcs1_der(&hex(&r, "pkcs8")).is_err());
            key = Some(k1);
            continue;
        }
        let scheme = r.get("scheme").expect("scheme");
        let (msg, sig) = (hex(&r, "msg"), hex(&r, "sig"));
        let s = SOFTWARE.signature(scheme).expect("scheme in provider");
        assert_eq!(
            s.verifier.verify(&public, &msg, &sig),
            Ok(()),
            "tc {:?}",
            r.get("tc")
        );
        let mut bad_msg = msg.clone();
        bad_msg.push(0);
        assert_eq!(
            s.verifier.verify(&public, &bad_msg, &sig),
            Err(Error::InvalidSignature)
        );
        verified += 1;
        let k = key.as_ref().expect("group first");
        if scheme == "rsa-pkcs1-md5" {
            assert_eq!(
                k.sign_with(scheme, &mut TestRng(1), &msg).err(),
                Some(Error::Unsupported)
            );
        } else {
            let ours = k
                .sign_with(scheme, &mut TestRng(verified as u64), &msg)
                .expect("sign");
            assert_eq!(ours, sig, "tc {:?}", r.get("tc"));
            signed += 1;
        }
    }
    println!("pyca RSA: {verified} verified, {signed} signatures reproduced bit for bit");
    assert!(verified >= 100 && signed >= 80);
}

#[test]
fn pyca_ecdsa_vectors() {
    let mut n = 0;
    let mut public = Vec::new();
    let mut signer: Option<MakeSigner> = None;
    for r in kat::records(include_str!("data/pyca-ecdsa.txt")) {
        if r.get("key").is_some() {
            public = hex(&r, "key");
            let pkcs8 = hex(&r, "pkcs8");
            let scalar = hex(&r, "scalar");
            if public.len() == 65 {
                let a = EcdsaSigningKey::<P256>::from_pkcs8_der(&pkcs8).expect("PKCS#8");
                let b = EcdsaSigningKey::<P256>::from_scalar(&scalar).expect("scalar");
                assert_eq!(a.public_key(), public);
                assert_eq!(b.public_key(), public);
                signer = Some(Box::new(move |e| {
                    Box::new(
                        EcdsaSigningKey::<P256>::from_pkcs8_der(&pkcs8)
                            .unwrap()
                            .with_encoding(e),
                    )
                }));
            } else {
                let a = EcdsaSigningKey::<P384>::from_pkcs8_der(&pkcs8).expect("PKCS#8");
                assert_eq!(a.public_key(), public);
                assert!(EcdsaSigningKey::<P256>::from_pkcs8_der(&pkcs8).is_err());
                signer = Some(Box::new(move |e| {
                    Box::new(
                        EcdsaSigningKey::<P384>::from_pkcs8_der(&pkcs8)
                            .unwrap()
                            .with_encoding(e),
                    )
                }));
            }
            continue;
        }
        let scheme = r.get("scheme").expect("scheme");
        let (msg, sig) = (hex(&r, "msg"), hex(&r, "sig"));
        let s = SOFTWARE.signature(scheme).expect("scheme");
        assert_eq!(
            s.verifier.verify(&public, &msg, &sig),
            Ok(()),
            "tc {:?}",
            r.get("tc")
        );
        // Our signature over the same input verifies with the same verifier.
        let enc = if scheme.ends_with("-raw") {
            Encoding::Raw
        } else {
            Encoding::Der
        };
        let k = signer.as_ref().expect("group first")(enc);
        assert_eq!(k.scheme(), scheme);
        let ours = k.sign(&mut TestRng(n), &msg).expect("sign");
        assert_eq!(s.verifier.verify(&public, &msg, &ours), Ok(()));
        n += 1;
    }
    println!("pyca ECDSA: {n} verified and re-signed");
    assert!(n >= 18);
}

#[test]
fn signature_schemes_by_name_oid_and_ike_method() {
    for (name, oid, ike) in [
        ("rsa-pkcs1-md5", Some("1.2.840.113549.1.1.4"), None),
        ("rsa-pkcs1-sha1", Some("1.2.840.113549.1.1.5"), None),
        ("rsa-pkcs1-sha256", Some("1.2.840.113549.1.1.11"), None),
        ("rsa-pkcs1-sha384", Some("1.2.840.113549.1.1.12"), None),
        ("rsa-pkcs1-sha512", Some("1.2.840.113549.1.1.13"), None),
        ("rsa-pkcs1-raw", None, Some(3)),
        ("ecdsa-p256-sha256", Some("1.2.840.10045.4.3.2"), None),
        ("ecdsa-p384-sha384", Some("1.2.840.10045.4.3.3"), None),
        ("ecdsa-p256-raw", None, Some(9)),
        ("ecdsa-p384-raw", None, Some(10)),
    ] {
        let s = SOFTWARE.signature(name).expect(name);
        assert_eq!(s.oid, oid);
        assert_eq!(s.ike_auth_method, ike);
        if let Some(oid) = oid {
            assert_eq!(SOFTWARE.signature(oid).map(|s| s.name), Some(name));
        }
        if let Some(m) = ike {
            assert_eq!(SOFTWARE.signature_for_ike(m).map(|s| s.name), Some(name));
        }
    }
}

/// IKEv1 RSA (auth method 3) end to end through the provider: sign HASH_I with the raw scheme,
/// the peer verifies with the scheme looked up by auth method; the DigestInfo schemes reject it.
#[test]
fn ike_rsa_raw_roundtrip() {
    let r = kat::records(include_str!("data/pyca-rsa.txt"))
        .into_iter()
        .find(|r| r.get("bits") == Some("2048"))
        .expect("2048-bit key");
    let key = RsaPrivateKey::from_pkcs1_der(&hex(&r, "pkcs1"))
        .unwrap()
        .with_scheme("rsa-pkcs1-raw")
        .unwrap();
    let key: Box<dyn SigningKey> = Box::new(key);
    let hash_i = [0x5au8; 20];
    let sig = key.sign(&mut TestRng(3), &hash_i).unwrap();
    let s = SOFTWARE.signature_for_ike(3).unwrap();
    assert_eq!(s.verifier.verify(&key.public_key(), &hash_i, &sig), Ok(()));
    let sha1 = SOFTWARE.signature("rsa-pkcs1-sha1").unwrap();
    assert!(
        sha1.verifier
            .verify(&key.public_key(), &hash_i, &sig)
            .is_err()
    );
    // Wrong-length signatures and s ≥ n are refused before any arithmetic.
    assert!(
        s.verifier
            .verify(&key.public_key(), &hash_i, &sig[1..])
            .is_err()
    );
    assert!(
        s.verifier
            .verify(&key.public_key(), &hash_i, &vec![0xff; sig.len()])
            .is_err()
    );
}

#[test]
fn garbage_never_panics() {
    let mut rng = TestRng(77);
    for s in SOFTWARE.signatures {
        for len in [0usize, 1, 2, 31, 64, 65, 97, 128, 256, 300, 512] {
            let mut pk = vec![0u8; len];
            let mut sig = vec![0u8; len / 2 + 1];
            rng.fill(&mut pk).unwrap();
            rng.fill(&mut sig).unwrap();
            assert!(s.verifier.verify(&pk, b"m", &sig).is_err());
        }
    }
    assert!(RsaPrivateKey::from_pkcs1_der(&[0x30, 0x03, 0x02, 0x01, 0x00]).is_err());
    assert!(RsaPrivateKey::from_pkcs8_der(&[]).is_err());
    assert!(EcdsaSigningKey::<P256>::from_scalar(&[0u8; 32]).is_err());
}
