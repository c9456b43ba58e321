//! Untrusted bytes into every provider operation that takes peer input: ESP decryption (with and
//! without an AEAD tag), MAC verification, DH agreement with a peer's public value, signature
//! verification. None may panic; all must return an error or a result.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zubr_crypto_stb::SOFTWARE;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let (sel, rest) = (data[0] as usize, &data[1..]);
    let p = &SOFTWARE;
    match data[1] % 4 {
        0 if !p.esp_ciphers.is_empty() => {
            let e = &p.esp_ciphers[sel % p.esp_ciphers.len()];
            let key = vec![0x11u8; e.cipher.key_len()];
            let Ok(mut k) = e.cipher.new_key(&key) else { return };
            let iv_len = e.cipher.iv_len().min(rest.len());
            let (iv, body) = rest.split_at(iv_len);
            let icv_len = e.cipher.icv_len().min(body.len());
            let (body, icv) = body.split_at(body.len() - icv_len);
            let mut buf = body.to_vec();
            let _ = k.decrypt(iv, &[], &mut buf, icv);
        }
        1 if !p.integrity.is_empty() => {
            let i = &p.integrity[sel % p.integrity.len()];
            let key = vec![0x22u8; i.mac.key_len()];
            let Ok(k) = i.mac.new_key(&key) else { return };
            let t = rest.len().min(i.icv_len);
            let _ = k.verify(&[&rest[t..]], &rest[..t]);
        }
        2 if !p.groups.is_empty() => {
            let g = &p.groups[sel % p.groups.len()];
            let Ok(mut rng) = p.drbg.instantiate(&[0x33u8; 32]) else { return };
            let Ok(k) = g.dh.generate(&mut *rng) else { return };
            let _ = k.agree(rest);
        }
        3 if !p.signatures.is_empty() => {
            let s = &p.signatures[sel % p.signatures.len()];
            let split = rest.len() / 2;
            let (pk, sig) = rest.split_at(split);
            let _ = s.verifier.verify(pk, b"message", sig);
        }
        _ => {}
    }
});
