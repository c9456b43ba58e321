//! Property tests for bign, bign ECDH and bake: round trips, rejection of wrong inputs, and
//! agreement with the `bignp256` crate (an independent implementation of curve 256).

use belt_hash::BeltHash;
use bignp256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use proptest::prelude::*;
use zubr_crypto_stb::bake::{Bmqv, Bpace, Bsts, Settings};
use zubr_crypto_stb::bign::{
    self, BELT_HASH_OID_DER, BignCurve, Curve256, Curve384, Curve512, PrivateKey, PublicKey,
};
use zubr_crypto_stb::brng::BrngCtr;
use zubr_crypto_stb::{Error, SOFTWARE};

fn rng(seed: &[u8; 32]) -> BrngCtr {
    BrngCtr::new(seed, &[0x5Au8; 32])
}

fn cfg(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

fn roundtrip<C: BignCurve>(seed: &[u8; 32], h: &[u8], other: &[u8]) -> Result<(), TestCaseError> {
    let mut r = rng(seed);
    let key = PrivateKey::<C>::generate(&mut r).expect("keygen");
    let oid = [0x06, 0x03, 0x2A, 0x70, 0x00];
    let mut sig = vec![0u8; bign::sig_len::<C>()];
    key.sign_prehash_random(&oid, h, &mut r, &mut sig)
        .expect("sign");
    let pk = PublicKey::<C>::from_bytes(&key.public_key().to_bytes()).expect("own key valid");
    prop_assert!(pk.verify_prehash(&oid, h, &sig).is_ok());
    if other != h {
        prop_assert_eq!(
            pk.verify_prehash(&oid, other, &sig),
            Err(Error::InvalidSignature)
        );
    }
    for i in [0, sig.len() / 2, sig.len() - 1] {
        let mut bad = sig.clone();
        bad[i] ^= 0x01;
        prop_assert!(pk.verify_prehash(&oid, h, &bad).is_err());
    }
    prop_assert!(pk.verify_prehash(&oid, h, &sig[1..]).is_err());
    // Key transport.
    let hdr = [0x11u8; 16];
    let secret: Vec<u8> = h.iter().copied().chain([7u8; 16]).take(32).collect();
    let mut token = vec![0u8; C::LEN + secret.len() + 16];
    pk.wrap_key(&mut r, &secret, &hdr, &mut token)
        .expect("wrap");
    let mut out = vec![0u8; secret.len()];
    key.unwrap_key(&token, &hdr, &mut out).expect("unwrap");
    prop_assert_eq!(&out, &secret);
    prop_assert!(key.unwrap_key(&token, &[0x12u8; 16], &mut out).is_err());
    Ok(())
}

proptest! {
    #![proptest_config(cfg(24))]

    /// Our deterministic signature is the `bignp256` crate's; each side verifies the other's.
    #[test]
    fn sign_matches_bignp256(d in any::<[u8; 32]>(), h in any::<[u8; 32]>(), seed in any::<[u8; 32]>()) {
        let Ok(key) = PrivateKey::<Curve256>::from_bytes(&d) else { return Ok(()) };
        let sk = bignp256::ecdsa::SigningKey::from_slice(&d).expect("same range");
        let mut ours = [0u8; 48];
        key.sign_prehash_det::<BeltHash>(&h, &[], &mut ours).expect("sign");
        let theirs: bignp256::ecdsa::Signature = sk.sign_prehash(&h).expect("crate sign");
        let theirs_bytes = theirs.to_bytes();
        prop_assert_eq!(&ours[..], theirs_bytes.as_slice());
        // Each side verifies the other's signatures.
        let mut r = rng(&seed);
        let mut rnd = [0u8; 48];
        key.sign_prehash_random(&BELT_HASH_OID_DER, &h, &mut r, &mut rnd).expect("sign");
        let csig = bignp256::ecdsa::Signature::try_from(&rnd[..]).expect("encoding");
        prop_assert!(sk.verifying_key().verify_prehash(&h, &csig).is_ok());
        prop_assert!(key.public_key().verify_prehash(&BELT_HASH_OID_DER, &h, &theirs_bytes).is_ok());
    }

    #[test]
    fn hbelt_roundtrip_and_rejections(seed in any::<[u8; 32]>(), msg in proptest::collection::vec(any::<u8>(), 0..200), t in proptest::collection::vec(any::<u8>(), 0..40)) {
        let mut r = rng(&seed);
        let key = PrivateKey::<Curve256>::generate(&mut r).expect("keygen");
        let sig = key.sign_hbelt(&msg, &t).expect("sign");
        let pk = key.public_key();
        prop_assert!(pk.verify_hbelt(&msg, &sig).is_ok());
        let mut other = msg.clone();
        other.push(0);
        prop_assert!(pk.verify_hbelt(&other, &sig).is_err());
        // Through the provider table.
        let scheme = SOFTWARE.signature("bign-hbelt").expect("registered");
        prop_assert!(scheme.verifier.verify(&pk.to_bytes(), &msg, &sig).is_ok());
        prop_assert!(scheme.verifier.verify(&pk.to_bytes(), &other, &sig).is_err());
    }

    #[test]
    fn curve256_roundtrips(seed in any::<[u8; 32]>(), h in any::<[u8; 32]>(), o in any::<[u8; 32]>()) {
        roundtrip::<Curve256>(&seed, &h, &o)?;
    }

    /// Invalid public values are rejected by every bign DH group and by the verifier.
    #[test]
    fn invalid_points_rejected(seed in any::<[u8; 32]>(), junk in proptest::collection::vec(any::<u8>(), 0..140), flip in 0usize..64) {
        for g in SOFTWARE.groups.iter().filter(|g| g.lsp_name.starts_with("BIGN")) {
            let mut r = rng(&seed);
            let k = g.dh.generate(&mut r).expect("generate");
            // Random bytes are (overwhelmingly) not a curve point, and wrong lengths never are.
            if junk.len() != g.dh.public_len() {
                prop_assert_eq!(k.agree(&junk).err(), Some(Error::InvalidPublicKey));
            }
            // A valid point with one bit of y flipped is off the curve.
            let mut p = k.public_key().to_vec();
            let n = p.len();
            p[n / 2 + flip % (n / 2)] ^= 1;
            prop_assert_eq!(k.agree(&p).err(), Some(Error::InvalidPublicKey));
            // Coordinates >= p.
            let mut big = k.public_key().to_vec();
            big[..n / 2].iter_mut().for_each(|b| *b = 0xFF);
            prop_assert_eq!(k.agree(&big).err(), Some(Error::InvalidPublicKey));
        }
        let scheme = SOFTWARE.signature("bign-hbelt").expect("registered");
        prop_assert!(scheme.verifier.verify(&junk, b"m", &[0u8; 48]).is_err());
    }
}

proptest! {
    #![proptest_config(cfg(6))]

    #[test]
    fn curve384_roundtrips(seed in any::<[u8; 32]>(), h in any::<[u8; 48]>(), o in any::<[u8; 48]>()) {
        roundtrip::<Curve384>(&seed, &h, &o)?;
    }

    #[test]
    fn curve512_roundtrips(seed in any::<[u8; 32]>(), h in any::<[u8; 32]>(), o in any::<[u8; 32]>()) {
        let h: Vec<u8> = h.iter().chain(h.iter()).copied().collect();
        let o: Vec<u8> = o.iter().chain(h.iter()).copied().take(64).collect();
        roundtrip::<Curve512>(&seed, &h, &o)?;
    }

    /// ECDH through the provider: both sides agree, for every bign group.
    #[test]
    fn ecdh_symmetric(sa in any::<[u8; 32]>(), sb in any::<[u8; 32]>()) {
        for g in SOFTWARE.groups.iter().filter(|g| g.lsp_name.starts_with("BIGN")) {
            let a = g.dh.generate(&mut rng(&sa)).expect("a");
            let b = g.dh.generate(&mut rng(&sb)).expect("b");
            prop_assert_eq!(a.public_key().len(), g.dh.public_len());
            let ka = a.agree(b.public_key()).expect("a agrees");
            let kb = b.agree(a.public_key()).expect("b agrees");
            prop_assert_eq!(&ka[..], &kb[..]);
            prop_assert_eq!(ka.len(), g.dh.public_len() / 2);
        }
    }

    /// The three bake protocols end with the same key on both sides; a wrong password or a
    /// tampered message fails.
    #[test]
    fn bake_protocols(sa in any::<[u8; 32]>(), sb in any::<[u8; 32]>(), pwd in proptest::collection::vec(any::<u8>(), 1..12), hello in proptest::collection::vec(any::<u8>(), 0..8)) {
        let (mut ra, mut rb) = (rng(&sa), rng(&sb));
        let da = PrivateKey::<Curve256>::generate(&mut ra).expect("a");
        let db = PrivateKey::<Curve256>::generate(&mut rb).expect("b");
        let cert_a = [b"A".as_slice(), &da.public_key().to_bytes()].concat();
        let cert_b = [b"B".as_slice(), &db.public_key().to_bytes()].concat();
        let validate = |c: &[u8]| -> Result<PublicKey<Curve256>, Error> {
            PublicKey::from_bytes(c.get(1..).ok_or(Error::InvalidPublicKey)?)
        };
        let st = Settings { kca: true, kcb: true, helloa: hello.clone(), hellob: vec![] };

        let mut a = Bmqv::new(st.clone(), &da, &cert_a);
        let mut b = Bmqv::new(st.clone(), &db, &cert_b);
        let m1 = b.step2(&mut rb).expect("m1");
        let m2 = a.step3(&mut ra, &m1, &cert_b, &validate).expect("m2");
        let mut bad = m2.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        let mut b2 = Bmqv::new(st.clone(), &db, &cert_b);
        let _ = b2.step2(&mut rng(&sb));
        prop_assert!(b2.step4(&bad, &cert_a, &validate).is_err());
        let m3 = b.step4(&m2, &cert_a, &validate).expect("m3");
        a.step5(&m3).expect("a done");
        prop_assert_eq!(a.key().expect("ka"), b.key().expect("kb"));

        let mut a = Bsts::new(st.clone(), &da, &cert_a);
        let mut b = Bsts::new(st.clone(), &db, &cert_b);
        let m1 = b.step2(&mut rb).expect("m1");
        let m2 = a.step3(&mut ra, &m1).expect("m2");
        let m3 = b.step4(&m2, &validate).expect("m3");
        a.step5(&m3, &validate).expect("a done");
        prop_assert_eq!(a.key().expect("ka"), b.key().expect("kb"));

        let mut a = Bpace::<Curve256>::new(st.clone(), &pwd);
        let mut b = Bpace::<Curve256>::new(st.clone(), &pwd);
        let m1 = b.step2(&mut rb).expect("m1");
        let m2 = a.step3(&mut ra, &m1).expect("m2");
        let m3 = b.step4(&mut rb, &m2).expect("m3");
        let m4 = a.step5(&m3).expect("m4");
        b.step6(&m4).expect("b done");
        prop_assert_eq!(a.key().expect("ka"), b.key().expect("kb"));

        // Wrong password: B's confirmation fails at A.
        let wrong: Vec<u8> = pwd.iter().map(|x| x ^ 0x55).collect();
        let mut a = Bpace::<Curve256>::new(st.clone(), &wrong);
        let mut b = Bpace::<Curve256>::new(st, &pwd);
        let m1 = b.step2(&mut rb).expect("m1");
        let m2 = a.step3(&mut ra, &m1).expect("m2");
        let m3 = b.step4(&mut rb, &m2).expect("m3");
        prop_assert_eq!(a.step5(&m3).err(), Some(Error::AuthenticationFailed));
    }
}

/// bake-swu on curve 384 and 512 lands on the curve.
#[test]
fn swu_on_all_curves() {
    use zubr_crypto_stb::bake::bake_swu;
    use zubr_crypto_stb::bign::point::is_on_curve;
    for i in 0..4u8 {
        let p = bake_swu::<Curve384>(&[i; 48]).expect("swu 384");
        assert!(bool::from(is_on_curve::<Curve384>(&p)));
        let p = bake_swu::<Curve512>(&[i; 64]).expect("swu 512");
        assert!(bool::from(is_on_curve::<Curve512>(&p)));
        let p = bake_swu::<Curve256>(&[i; 32]).expect("swu 256");
        assert!(bool::from(is_on_curve::<Curve256>(&p)));
    }
}

/// The software signing key of the provider signs what the provider's verifier accepts.
#[test]
fn software_signing_key() {
    use zubr_crypto_stb::bign::BignSigner;
    use zubr_crypto_stb::provider::SigningKey;
    let mut r = rng(&[3u8; 32]);
    let key = BignSigner::generate(&mut r).expect("keygen");
    assert_eq!(key.scheme(), "bign-hbelt");
    let scheme = SOFTWARE.signature(key.scheme()).expect("registered");
    assert_eq!(scheme.oid, Some("1.2.112.0.2.0.34.101.45.12"));
    let sig = key.sign(&mut r, b"IKE HASH_I").expect("sign");
    assert_eq!(sig.len(), 48);
    assert!(
        scheme
            .verifier
            .verify(&key.public_key(), b"IKE HASH_I", &sig)
            .is_ok()
    );
    assert!(
        scheme
            .verifier
            .verify(&key.public_key(), b"IKE HASH_R", &sig)
            .is_err()
    );
    // Fresh t per signature: two signatures of one message differ, both verify.
    let sig2 = key.sign(&mut r, b"IKE HASH_I").expect("sign");
    assert_ne!(sig, sig2);
    assert!(
        scheme
            .verifier
            .verify(&key.public_key(), b"IKE HASH_I", &sig2)
            .is_ok()
    );
}
