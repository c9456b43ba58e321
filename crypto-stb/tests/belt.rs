//! Property tests of the belt family against second implementations: the `belt-block`,
//! `belt-ctr`, `cbc`, `cfb-mode` and `belt-hash` crates, and a bit-by-bit GF(2^128) reference of
//! belt-dwp/che written here from the standard's text (independent of the `polyval` mapping the
//! library uses). Also: decrypt ∘ encrypt = id for every mode and length (stealing lengths
//! included), incremental = one-shot for hash and MAC, wrong tags and tampered key-wrap tokens
//! rejected, and the provider objects (IKE chaining, ESP salt/IV) against the raw primitives.

use belt_hash::Digest;
use cipher::{BlockCipherEncrypt, KeyInit, KeyIvInit, StreamCipher};
use proptest::prelude::*;
use zubr_crypto_stb::belt::{self, BeltChe, BeltCipher, BeltDwp, BeltMac, kwp, modes};
use zubr_crypto_stb::{Error, SOFTWARE};

fn crate_block(key: &[u8; 32]) -> belt_block::BeltBlock {
    belt_block::BeltBlock::new(key.into())
}

fn crate_ecb(key: &[u8; 32], data: &mut [u8]) {
    let c = crate_block(key);
    for b in data.chunks_exact_mut(16) {
        let mut blk = cipher::Block::<belt_block::BeltBlock>::try_from(&*b).unwrap();
        c.encrypt_block(&mut blk);
        b.copy_from_slice(&blk);
    }
}

fn crate_cbc(key: &[u8; 32], iv: &[u8; 16], data: &mut [u8]) {
    use cipher::BlockModeEncrypt;
    use cipher::consts::U16;
    let mut enc = cbc::Encryptor::<belt_block::BeltBlock>::new(key.into(), iv.into());
    let (blocks, _) = cipher::inout::InOutBuf::from(data).into_chunks::<U16>();
    enc.encrypt_blocks_inout(blocks);
}

/// Reference GF(2^128) multiplication in belt's field, bit by bit.
fn gf_mul(a: u128, b: u128) -> u128 {
    let mut r = 0u128;
    let mut a = a;
    for i in 0..128 {
        if (b >> i) & 1 == 1 {
            r ^= a;
        }
        let carry = a >> 127;
        a <<= 1;
        if carry == 1 {
            a ^= 0x87;
        }
    }
    r
}

fn enc128(c: &belt_block::BeltBlock, v: u128) -> u128 {
    let mut blk = cipher::Block::<belt_block::BeltBlock>::from(v.to_le_bytes());
    c.encrypt_block(&mut blk);
    u128::from_le_bytes(blk.into())
}

fn pad_blocks(data: &[u8]) -> impl Iterator<Item = u128> + '_ {
    data.chunks(16).map(|c| {
        let mut b = [0u8; 16];
        b[..c.len()].copy_from_slice(c);
        u128::from_le_bytes(b)
    })
}

/// belt-dwp (che = false) / belt-che (che = true) written from the standard, with the
/// `belt-block` crate and [`gf_mul`].
fn reference_aead(
    che: bool,
    key: &[u8; 32],
    iv: &[u8; 16],
    aad: &[u8],
    pt: &[u8],
) -> (Vec<u8>, [u8; 8]) {
    let c = crate_block(key);
    let mut s = enc128(&c, u128::from_le_bytes(*iv));
    let r = if che { s } else { enc128(&c, s) };
    let mut t = u128::from_le_bytes(belt::H[..16].try_into().unwrap());
    for blk in pad_blocks(aad) {
        t = gf_mul(t ^ blk, r);
    }
    let mut ct = pt.to_vec();
    for chunk in ct.chunks_mut(16) {
        s = if che {
            gf_mul(s, 2) ^ 1
        } else {
            s.wrapping_add(1)
        };
        let g = enc128(&c, s).to_le_bytes();
        chunk.iter_mut().zip(g).for_each(|(x, k)| *x ^= k);
    }
    for blk in pad_blocks(&ct) {
        t = gf_mul(t ^ blk, r);
    }
    let lens = (aad.len() as u128 * 8) | ((pt.len() as u128 * 8) << 64);
    t = gf_mul(t ^ lens, r);
    let tag = enc128(&c, t).to_le_bytes();
    (ct, tag[..8].try_into().unwrap())
}

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..max)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn block_matches_the_belt_block_crate(key in any::<[u8; 32]>(), x in any::<[[u8; 16]; 4]>()) {
        let ours = BeltCipher::new(&key);
        for blk in x {
            let mut a = blk;
            ours.encrypt_block(&mut a);
            let mut b = cipher::Block::<belt_block::BeltBlock>::from(blk);
            crate_block(&key).encrypt_block(&mut b);
            prop_assert_eq!(&a[..], &b[..]);
            ours.decrypt_block(&mut a);
            prop_assert_eq!(a, blk);
        }
        // Four lanes at once = one at a time.
        let mut all: Vec<u8> = x.concat();
        ours.encrypt_blocks(&mut all);
        let mut one: Vec<u8> = x.concat();
        crate_ecb(&key, &mut one);
        prop_assert_eq!(&all, &one);
        ours.decrypt_blocks(&mut all);
        prop_assert_eq!(all, x.concat());
    }

    #[test]
    fn ecb_and_cbc_round_trip_with_stealing(key in any::<[u8; 32]>(), iv in any::<[u8; 16]>(), data in prop::collection::vec(any::<u8>(), 16..200)) {
        let c = BeltCipher::new(&key);
        let full = data.len() / 16 * 16;
        // ECB
        let mut buf = data.clone();
        modes::ecb_encrypt(&c, &mut buf).unwrap();
        let mut plain = data.clone();
        crate_ecb(&key, &mut plain[..full]);
        // Blocks before the last full one are plain ECB; whole-block messages entirely.
        let same = if data.len() % 16 == 0 { full } else { full - 16 };
        prop_assert_eq!(&buf[..same], &plain[..same]);
        modes::ecb_decrypt(&c, &mut buf).unwrap();
        prop_assert_eq!(&buf, &data);
        // CBC
        let mut buf = data.clone();
        modes::cbc_encrypt(&c, &iv, &mut buf).unwrap();
        let mut plain = data.clone();
        crate_cbc(&key, &iv, &mut plain[..full]);
        prop_assert_eq!(&buf[..same], &plain[..same]);
        modes::cbc_decrypt(&c, &iv, &mut buf).unwrap();
        prop_assert_eq!(&buf, &data);
    }

    #[test]
    fn cfb_and_ctr_match_the_crates_for_any_length(key in any::<[u8; 32]>(), iv in any::<[u8; 16]>(), data in bytes(300), split in 0usize..300) {
        let c = BeltCipher::new(&key);
        // CFB vs cfb-mode over the belt-block crate.
        let mut ours = data.clone();
        modes::cfb_encrypt(&c, &iv, &mut ours);
        let mut theirs = data.clone();
        cfb_mode::Encryptor::<belt_block::BeltBlock>::new(&key.into(), &iv.into()).encrypt(&mut theirs);
        prop_assert_eq!(&ours, &theirs);
        modes::cfb_decrypt(&c, &iv, &mut ours);
        prop_assert_eq!(&ours, &data);
        // CTR vs the belt-ctr crate over the belt-block crate.
        let mut ours = data.clone();
        modes::ctr_apply(&c, &iv, &mut ours);
        let mut theirs = data.clone();
        belt_ctr::BeltCtr::new(&key.into(), &iv.into()).apply_keystream(&mut theirs);
        prop_assert_eq!(&ours, &theirs);
        // Streaming type in two pieces.
        let mut streamed = data.clone();
        let (a, b) = streamed.split_at_mut(split.min(data.len()));
        let mut s = modes::BeltCtr::new(&key.into(), &iv.into());
        s.apply_keystream(a);
        s.apply_keystream(b);
        prop_assert_eq!(&streamed, &theirs);
        modes::ctr_apply(&c, &iv, &mut ours);
        prop_assert_eq!(&ours, &data);
    }

    #[test]
    fn short_ecb_cbc_input_is_an_error(key in any::<[u8; 32]>(), data in bytes(16)) {
        let c = BeltCipher::new(&key);
        let mut buf = data.clone();
        prop_assert_eq!(modes::ecb_encrypt(&c, &mut buf), Err(Error::InvalidLength));
        prop_assert_eq!(modes::cbc_decrypt(&c, &[0; 16], &mut buf), Err(Error::InvalidLength));
    }

    #[test]
    fn mac_incremental_equals_one_shot(key in any::<[u8; 32]>(), data in bytes(200), cuts in prop::collection::vec(0usize..200, 0..5)) {
        let want = BeltMac::compute(&key, &data);
        let mut m = BeltMac::new_with_key(&key);
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(data.len())).collect();
        cuts.sort();
        let mut prev = 0;
        for c in cuts.into_iter().chain([data.len()]) {
            m.absorb(&data[prev..c]);
            prev = c;
        }
        prop_assert_eq!(m.tag(), want);
        // digest::Mac path
        use digest::Mac;
        let mut d = <BeltMac as KeyInit>::new_from_slice(&key).unwrap();
        d.update(&data);
        prop_assert!(d.verify_slice(&want).is_ok());
        // Provider: wrong tag rejected.
        let i = SOFTWARE.integrity_by_name("BELT-K256-MAC").unwrap();
        let k = i.mac.new_key(&key).unwrap();
        prop_assert!(k.verify(&[&data], &want).is_ok());
        let mut bad = want;
        bad[data.len() % 8] ^= 1;
        prop_assert_eq!(k.verify(&[&data], &bad), Err(Error::AuthenticationFailed));
    }

    #[test]
    fn dwp_and_che_match_the_reference_and_reject_tampering(key in any::<[u8; 32]>(), iv in any::<[u8; 16]>(), aad in bytes(80), pt in bytes(200), flip in any::<usize>()) {
        for che in [false, true] {
            let (want_ct, want_tag) = reference_aead(che, &key, &iv, &aad, &pt);
            let mut buf = pt.clone();
            let tag = if che {
                BeltChe::new_with_key(&key).encrypt_detached(&iv, &aad, &mut buf)
            } else {
                BeltDwp::new_with_key(&key).encrypt_detached(&iv, &aad, &mut buf)
            };
            prop_assert_eq!(&buf, &want_ct);
            prop_assert_eq!(tag, want_tag);
            let open = |ct: &mut [u8], aad: &[u8], tag: &[u8]| {
                if che {
                    BeltChe::new_with_key(&key).decrypt_detached(&iv, aad, ct, tag)
                } else {
                    BeltDwp::new_with_key(&key).decrypt_detached(&iv, aad, ct, tag)
                }
            };
            let mut ok = buf.clone();
            prop_assert!(open(&mut ok, &aad, &tag).is_ok());
            prop_assert_eq!(&ok, &pt);
            // A flipped ciphertext, AAD or tag bit is rejected and the buffer left alone.
            if !buf.is_empty() {
                let mut t = buf.clone();
                t[flip % buf.len()] ^= 0x80;
                let copy = t.clone();
                prop_assert_eq!(open(&mut t, &aad, &tag), Err(Error::AuthenticationFailed));
                prop_assert_eq!(t, copy);
            }
            if !aad.is_empty() {
                let mut a = aad.clone();
                a[flip % aad.len()] ^= 1;
                prop_assert_eq!(open(&mut buf.clone(), &a, &tag), Err(Error::AuthenticationFailed));
            }
            let mut t = tag;
            t[flip % 8] ^= 4;
            prop_assert_eq!(open(&mut buf.clone(), &aad, &t), Err(Error::AuthenticationFailed));
        }
        // The aead trait path agrees.
        use aead::{AeadInOut, KeyInit};
        let a = <BeltDwp as KeyInit>::new(&key.into());
        let mut buf = pt.clone();
        let tag = a.encrypt_inout_detached(&iv.into(), &aad, buf.as_mut_slice().into()).unwrap();
        prop_assert_eq!(&tag[..], &reference_aead(false, &key, &iv, &aad, &pt).1[..]);
        a.decrypt_inout_detached(&iv.into(), &aad, buf.as_mut_slice().into(), &tag).unwrap();
        prop_assert_eq!(&buf, &pt);
    }

    #[test]
    fn kwp_round_trips_and_rejects_tampering(key in any::<[u8; 32]>(), header in any::<[u8; 16]>(), x in prop::collection::vec(any::<u8>(), 16..100), flip in any::<usize>()) {
        let mut y = vec![0u8; x.len() + 16];
        kwp::wrap(&key, &x, &header, &mut y).unwrap();
        let mut back = vec![0u8; x.len()];
        kwp::unwrap(&key, &y, &header, &mut back).unwrap();
        prop_assert_eq!(&back, &x);
        let mut t = y.clone();
        t[flip % y.len()] ^= 1 << (flip % 8);
        prop_assert_eq!(kwp::unwrap(&key, &t, &header, &mut back), Err(Error::AuthenticationFailed));
        prop_assert!(back.iter().all(|&b| b == 0), "output zeroized on failure");
        let mut h = header;
        h[flip % 16] ^= 0x10;
        prop_assert_eq!(kwp::unwrap(&key, &y, &h, &mut back), Err(Error::AuthenticationFailed));
        let mut inplace = t.clone();
        prop_assert_eq!(kwp::unwrap_in_place(&key, &mut inplace, &header), Err(Error::AuthenticationFailed));
        let mut inplace = y.clone();
        prop_assert_eq!(kwp::unwrap_in_place(&key, &mut inplace, &header), Ok(x.len()));
        prop_assert_eq!(&inplace[..x.len()], &x[..]);
    }

    #[test]
    fn hash_incremental_equals_one_shot(data in bytes(300), cut in 0usize..300) {
        let want: [u8; 32] = belt_hash::BeltHash::digest(&data).into();
        let h = SOFTWARE.hash("belt-hash").unwrap();
        let mut ctx = h.hash.start();
        let cut = cut.min(data.len());
        ctx.update(&data[..cut]);
        let fork = ctx.fork();
        ctx.update(&data[cut..]);
        let got = ctx.finish();
        prop_assert_eq!(got.as_slice(), &want[..]);
        let mut fork = fork;
        fork.update(&data[cut..]);
        let got = fork.finish();
        prop_assert_eq!(got.as_slice(), &want[..]);
        let got = SOFTWARE.hash("1.2.112.0.2.0.34.101.31.81").unwrap().hash.hash(&[&data]);
        prop_assert_eq!(got.as_slice(), &want[..]);
    }

    #[test]
    fn esp_belt_ciphers_round_trip(keymat in any::<[u8; 40]>(), iv in any::<[u8; 16]>(), aad in bytes(16), data in bytes(200)) {
        for name in ["esp-belt-dwp", "esp-belt-cfb", "esp-belt-ctr"] {
            let e = SOFTWARE.esp_cipher_by_name(name).unwrap();
            let mut k = e.cipher.new_key(&keymat[..e.cipher.key_len()]).unwrap();
            let iv = &iv[..e.cipher.iv_len()];
            let mut buf = data.clone();
            let mut icv = vec![0u8; e.cipher.icv_len()];
            k.encrypt(iv, &aad, &mut buf, &mut icv).unwrap();
            if data.len() >= 8 {
                prop_assert_ne!(&buf, &data);
            }
            // The raw primitive with the documented IV construction gives the same bytes.
            let key: [u8; 32] = keymat[..32].try_into().unwrap();
            let mut s = [0u8; 16];
            if iv.len() == 8 {
                s[..8].copy_from_slice(&keymat[32..]);
                s[8..].copy_from_slice(iv);
            } else {
                s.copy_from_slice(iv);
            }
            let mut raw = data.clone();
            match name {
                "esp-belt-dwp" => {
                    let t = BeltDwp::new_with_key(&key).encrypt_detached(&s, &aad, &mut raw);
                    prop_assert_eq!(&icv[..], &t[..]);
                }
                "esp-belt-cfb" => modes::cfb_encrypt(&BeltCipher::new(&key), &s, &mut raw),
                _ => modes::ctr_apply(&BeltCipher::new(&key), &s, &mut raw),
            }
            prop_assert_eq!(&buf, &raw);
            if e.is_aead() {
                let mut bad = icv.clone();
                bad[0] ^= 1;
                prop_assert_eq!(k.decrypt(iv, &aad, &mut buf.clone(), &bad), Err(Error::AuthenticationFailed));
                prop_assert_eq!(k.decrypt(iv, &aad, &mut buf.clone(), &icv[..4]), Err(Error::AuthenticationFailed));
            }
            k.decrypt(iv, &aad, &mut buf, &icv).unwrap();
            prop_assert_eq!(&buf, &data);
        }
    }

    #[test]
    fn ike_belt_ciphers_chain_like_one_message(key in any::<[u8; 32]>(), iv in any::<[u8; 16]>(), blocks in 1usize..8, split in 0usize..8, fill in any::<u8>()) {
        let data: Vec<u8> = (0..blocks * 16).map(|i| (i as u8).wrapping_mul(31) ^ fill).collect();
        let split = split.min(blocks) * 16;
        for name in ["belt-cbc", "belt-cfb"] {
            let c = SOFTWARE.ike_cipher_by_name(name).unwrap();
            let mut k = c.cipher.new_key(&key).unwrap();
            // Whole message at once.
            let mut whole = data.clone();
            let mut chain = iv.to_vec();
            k.encrypt(&mut chain, &mut whole).unwrap();
            prop_assert_eq!(&chain[..], &whole[whole.len() - 16..]);
            // Two messages chained through the returned IV give the same bytes.
            let mut parts = data.clone();
            let mut chain2 = iv.to_vec();
            let (a, b) = parts.split_at_mut(split);
            k.encrypt(&mut chain2, a).unwrap();
            k.encrypt(&mut chain2, b).unwrap();
            prop_assert_eq!(&parts, &whole);
            let mut chain3 = iv.to_vec();
            k.decrypt(&mut chain3, &mut whole).unwrap();
            prop_assert_eq!(&whole, &data);
            prop_assert_eq!(&chain3, &chain);
            prop_assert_eq!(k.encrypt(&mut iv.to_vec(), &mut [0u8; 17]), Err(Error::InvalidLength));
            prop_assert_eq!(k.encrypt(&mut [0u8; 8], &mut [0u8; 16]), Err(Error::InvalidIvLength));
        }
    }

    #[test]
    fn hmac_hbelt_integrity_truncates_and_rejects(key in any::<[u8; 32]>(), data in bytes(100)) {
        let i = SOFTWARE.integrity_by_name("ah-hbelt-hmac").unwrap();
        prop_assert_eq!(i.icv_len, 16);
        let k = i.mac.new_key(&key).unwrap();
        let full = belt::hmac_hbelt(&key, &data);
        let mut icv = [0u8; 16];
        k.compute(&[&data], &mut icv);
        prop_assert_eq!(&icv[..], &full[..16]);
        prop_assert!(k.verify(&[&data], &icv).is_ok());
        icv[15] ^= 0x40;
        prop_assert_eq!(k.verify(&[&data], &icv), Err(Error::AuthenticationFailed));
    }
}

#[test]
fn keyexpand_and_keyrep_follow_the_rules() {
    let k16: Vec<u8> = (0u8..16).collect();
    let e = belt::keyexpand(&k16).unwrap();
    assert_eq!(&e[..16], &k16[..]);
    assert_eq!(&e[16..], &k16[..]);
    let k24: Vec<u8> = (0u8..24).map(|i| i.wrapping_mul(37)).collect();
    let e = belt::keyexpand(&k24).unwrap();
    let w = |b: &[u8], i: usize| u32::from_le_bytes(b[4 * i..4 * i + 4].try_into().unwrap());
    assert_eq!(&e[..24], &k24[..]);
    assert_eq!(w(&e, 6), w(&k24, 0) ^ w(&k24, 1) ^ w(&k24, 2));
    assert_eq!(w(&e, 7), w(&k24, 3) ^ w(&k24, 4) ^ w(&k24, 5));
    assert!(belt::keyexpand(&[0u8; 20]).is_err());
    // keyrep refuses m > n and unknown sizes.
    let mut out = [0u8; 32];
    assert_eq!(
        belt::keyrep(&k16, &[0; 12], &[0; 16], &mut out),
        Err(Error::InvalidLength)
    );
    let mut out = [0u8; 16];
    assert!(belt::keyrep(&k16, &[0; 12], &[0; 16], &mut out).is_ok());
}

#[test]
fn belt_suite_is_in_the_provider_with_zubr_numbers() {
    let p = &SOFTWARE;
    assert_eq!(p.ike_cipher(65101, None).unwrap().sa_name, "belt-cbc");
    assert_eq!(p.ike_cipher(65102, None).unwrap().sa_name, "belt-cfb");
    assert_eq!(p.ike_hash(65101).unwrap().lsp_name, "BELT-HASH");
    assert_eq!(p.esp_cipher(249, None).unwrap().sa_name, "esp-belt-dwp");
    assert!(p.esp_cipher(249, None).unwrap().is_aead());
    assert_eq!(p.esp_cipher(249, None).unwrap().cipher.icv_len(), 8);
    assert_eq!(p.esp_cipher(250, None).unwrap().sa_name, "esp-belt-cfb");
    assert_eq!(p.esp_cipher(251, None).unwrap().sa_name, "esp-belt-ctr");
    assert_eq!(p.integrity(65101).unwrap().icv_len, 8);
    assert_eq!(p.ah_integrity(249).unwrap().lsp_name, "BELT-K256-MAC");
    assert_eq!(p.integrity(65102).unwrap().icv_len, 16);
    assert_eq!(p.ah_integrity(250).unwrap().esp_sa_name, "esp-hbelt-hmac");
    // PRF = HMAC-HBELT (STB 34.101.47 B.1-2).
    let key =
        hex::decode("E9DEE72C8F0C0FA62DDB49F46F73964706075316ED247A3739CBA38303A98BF6").unwrap();
    let msg =
        hex::decode("BE32971343FC9A48A02A885F194B09A17ECDA4D01544AF8CA58450BF66D2E88A").unwrap();
    assert_eq!(
        hex::encode_upper(p.ike_hash(65101).unwrap().prf(&key, &[&msg]).as_slice()),
        "41FFE8645AEC0612E952D2CDF8DD508F3E4A1D9B53F6A1DB293B19FE76B1879F"
    );
}
