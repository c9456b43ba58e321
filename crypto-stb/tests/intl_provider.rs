//! The international algorithms as the protocol crates see them: looked up in the software
//! provider by wire number and by name, used through the provider traits only.

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

#[test]
fn dh_groups_by_number_and_name() {
    let table = [
        (1, "MODP_768", "modp768", 96),
        (2, "MODP_1024", "modp1024", 128),
        (5, "MODP_1536", "modp1536", 192),
        (14, "MODP_2048", "modp2048", 256),
        (15, "MODP_3072", "modp3072", 384),
        (16, "MODP_4096", "modp4096", 512),
        (17, "MODP_6144", "modp6144", 768),
        (18, "MODP_8192", "modp8192", 1024),
        (19, "ECP_256", "ecp256", 64),
        (20, "ECP_384", "ecp384", 96),
        (21, "ECP_521", "ecp521", 132),
    ];
    let mut rng = TestRng(1);
    for (id, lsp, sa, public_len) in table {
        let g = SOFTWARE.group(id).unwrap_or_else(|| panic!("group {id}"));
        assert_eq!(g.lsp_name, lsp);
        assert_eq!(g.sa_name, sa);
        assert_eq!(SOFTWARE.group_by_name(lsp).map(|g| g.id), Some(id));
        assert_eq!(SOFTWARE.group_by_name(sa).map(|g| g.id), Some(id));
        assert_eq!(g.dh.public_len(), public_len);
        let a = g.dh.generate(&mut rng).expect("generate");
        let b = g.dh.generate(&mut rng).expect("generate");
        assert_eq!(a.public_key().len(), public_len);
        let z = a.agree(b.public_key()).expect("agree");
        assert_eq!(z, b.agree(a.public_key()).expect("agree"));
        assert_eq!(
            a.agree(&vec![0u8; public_len]).err(),
            Some(Error::InvalidPublicKey)
        );
    }
}

#[test]
fn esp_aes_gcm_and_null_by_number_and_name() {
    for (tid, icv) in [(18u8, 8usize), (19, 12), (20, 16)] {
        for bits in [128u16, 192, 256] {
            let e = SOFTWARE.esp_cipher(tid, Some(bits)).expect("GCM transform");
            assert_eq!(e.lsp_name, format!("AES-K{bits}-GCM-{icv}"));
            assert_eq!(e.sa_name, format!("esp-aes{bits}-gcm{icv}"));
            assert!(e.is_aead());
            assert_eq!(e.cipher.icv_len(), icv);
            assert_eq!(e.cipher.key_len(), bits as usize / 8 + 4);
            assert_eq!(e.cipher.iv_len(), 8);
            assert_eq!(
                SOFTWARE.esp_cipher_by_name(e.sa_name).map(|x| x.lsp_name),
                Some(e.lsp_name)
            );
        }
    }
    let null = SOFTWARE.esp_cipher(11, None).expect("NULL");
    assert_eq!((null.lsp_name, null.sa_name), ("NULL", "esp-null"));
    assert!(!null.is_aead());
    assert_eq!(
        SOFTWARE.esp_cipher_by_name("NULL").map(|x| x.transform_id),
        Some(11)
    );
}

/// RFC 4106 through the provider: an ESP-shaped AAD (SPI ‖ sequence number) and the GCM spec's
/// test case 4 key/IV split into KEYMAT salt and explicit IV.
#[test]
fn esp_gcm_through_the_provider() {
    let e = SOFTWARE.esp_cipher_by_name("AES-K128-GCM-16").unwrap();
    let mut keymat = hex::decode("feffe9928665731c6d6a8f9467308308cafebabe").unwrap();
    let mut k = e.cipher.new_key(&keymat).unwrap();
    let iv = hex::decode("facedbaddecaf888").unwrap();
    let aad = hex::decode("feedfacedeadbeeffeedfacedeadbeefabaddad2").unwrap();
    let pt = hex::decode("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39").unwrap();
    let mut buf = pt.clone();
    let mut icv = [0u8; 16];
    k.encrypt(&iv, &aad, &mut buf, &mut icv).unwrap();
    assert_eq!(hex::encode(icv), "5bc94fbc3221a5db94fae95ae7121a47");
    assert_eq!(&hex::encode(&buf)[..32], "42831ec2217774244b7221b784d0d49c");
    k.decrypt(&iv, &aad, &mut buf, &icv).unwrap();
    assert_eq!(buf, pt);
    keymat[19] ^= 1; // another salt
    let mut k2 = e.cipher.new_key(&keymat).unwrap();
    k.encrypt(&iv, &aad, &mut buf, &mut icv).unwrap();
    assert_eq!(
        k2.decrypt(&iv, &aad, &mut buf, &icv),
        Err(Error::AuthenticationFailed)
    );
}
