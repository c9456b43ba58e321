//! Known-answer tests against strongSwan 5.9.8: complete Main/Aggressive + Quick Mode exchanges
//! captured in the interop lab, with the secrets strongSwan logged at debug level 4
//! (`tests/vectors/strongswan-*.txt`, extracted by `scripts/extract-strongswan-vectors.py`).
//!
//! From the wire messages, the DH shared secret and the PSK, zubr-ike's own codec and key
//! derivation must reproduce every value strongSwan logged (SKEYID, SKEYID_d/a/e, the encryption
//! key, the IV, HASH_I/HASH_R, the ESP keys), decrypt every encrypted message and verify every hash.

use std::collections::HashMap;

use zubr_crypto_stb::SOFTWARE;
use zubr_ike::codec::{IdPayload, Message, PayloadType, RawPayload, SaPayload, parse_payloads};
use zubr_ike::keys::{self, AuthHashInput, IvChain, Side};

struct Vectors(HashMap<String, String>);

impl Vectors {
    fn load(text: &str) -> Self {
        let mut m = HashMap::new();
        for l in text.lines() {
            if l.starts_with('#') {
                continue;
            }
            if let Some((k, v)) = l.split_once('=') {
                m.insert(k.to_string(), v.to_string());
            }
        }
        Vectors(m)
    }
    fn hex(&self, k: &str) -> Vec<u8> {
        hex::decode(self.0.get(k).unwrap_or_else(|| panic!("missing {k}"))).unwrap()
    }
    fn msgs(&self) -> Vec<(String, Vec<u8>)> {
        (1..)
            .map_while(|i| {
                let m = self.0.get(&format!("msg{i}"))?;
                Some((
                    self.0[&format!("msg{i}_from")].clone(),
                    hex::decode(m).unwrap(),
                ))
            })
            .collect()
    }
}

fn find<'a>(ps: &'a [RawPayload<'a>], ty: PayloadType) -> &'a RawPayload<'a> {
    ps.iter().find(|p| p.ty == ty).unwrap()
}

/// Bytes of the payloads after the HASH payload (what the Quick Mode hashes cover).
fn after_hash(ps: &[RawPayload<'_>]) -> Vec<u8> {
    assert_eq!(ps[0].ty, PayloadType::HASH);
    ps[1..]
        .iter()
        .flat_map(|p| p.whole.iter().copied())
        .collect()
}

/// A payload copied out of its message: type, body, whole payload.
type Owned = (PayloadType, Vec<u8>, Vec<u8>);

struct Ctx {
    hash: &'static zubr_crypto_stb::provider::IkeHash,
    chain: IvChain,
    iv: Vec<u8>,
}

impl Ctx {
    fn decrypt(&mut self, msg: &[u8]) -> (Vec<u8>, PayloadType) {
        let m = Message::parse(msg).unwrap();
        assert!(m.header.encrypted());
        let (plain, next) = self.chain.decrypt(&self.iv, m.body).unwrap();
        self.iv = next;
        (plain.to_vec(), m.header.next_payload)
    }
}

fn run(file: &str, aggressive: bool) {
    let v = Vectors::load(file);
    // retransmissions (identical datagrams) and Informational exchanges are not part of the walk
    let mut msgs: Vec<(String, Vec<u8>)> = Vec::new();
    for m in v.msgs() {
        let informational = m.1.get(18) == Some(&5);
        if !informational && !msgs.iter().any(|x| x.1 == m.1) {
            msgs.push(m);
        }
    }
    let psk = v.hex("psk");
    let gxy = v.hex("dh_secret");
    let initiator = msgs[0].0.clone();
    let (i_msgs, r_msgs): (Vec<_>, Vec<_>) = msgs.iter().partition(|(f, _)| *f == initiator);
    let parse = |d: &[u8]| -> (zubr_ike::codec::Header, Vec<Owned>) {
        let m = Message::parse(d).unwrap();
        let ps = parse_payloads(m.header.next_payload, m.body, false).unwrap();
        (
            m.header,
            ps.iter()
                .map(|p| (p.ty, p.body.to_vec(), p.whole.to_vec()))
                .collect(),
        )
    };
    let get = |ps: &[Owned], t: PayloadType| ps.iter().find(|p| p.0 == t).unwrap().1.clone();

    // Phase 1 clear messages
    let (h1, p1) = parse(&i_msgs[0].1);
    let sa_i = get(&p1, PayloadType::SA);
    let (gxi, ni, gxr, nr, r_first) = if aggressive {
        let (_, p2) = parse(&r_msgs[0].1);
        (
            get(&p1, PayloadType::KE),
            get(&p1, PayloadType::NONCE),
            get(&p2, PayloadType::KE),
            get(&p2, PayloadType::NONCE),
            p2,
        )
    } else {
        let (_, p3) = parse(&i_msgs[1].1);
        let (_, p4) = parse(&r_msgs[1].1);
        (
            get(&p3, PayloadType::KE),
            get(&p3, PayloadType::NONCE),
            get(&p4, PayloadType::KE),
            get(&p4, PayloadType::NONCE),
            p4,
        )
    };
    let (hr, _) = parse(&r_msgs[0].1);
    let icookie = h1.icookie;
    let rcookie = hr.rcookie;

    // proposal: AES key length and hash from the chosen (responder's) transform
    let sa = SaPayload::parse(&sa_i).unwrap();
    let t = &sa.proposals[0].transforms[0];
    let attr = |c: u16| {
        t.attributes
            .iter()
            .find(|a| a.class == c)
            .and_then(|a| a.value.as_u64())
    };
    let hash = SOFTWARE.ike_hash(attr(2).unwrap() as u16).unwrap();
    let cipher = SOFTWARE
        .ike_cipher(attr(1).unwrap() as u16, attr(14).map(|b| b as u16))
        .unwrap();

    let skeyid = keys::skeyid_psk(hash, &psk, &ni, &nr);
    assert_eq!(&skeyid[..], &v.hex("skeyid")[..], "SKEYID");
    let k = keys::derive_phase1(hash, cipher, skeyid, &gxy, &icookie, &rcookie);
    assert_eq!(&k.skeyid_d[..], &v.hex("skeyid_d")[..], "SKEYID_d");
    assert_eq!(&k.skeyid_a[..], &v.hex("skeyid_a")[..], "SKEYID_a");
    assert_eq!(&k.skeyid_e[..], &v.hex("skeyid_e")[..], "SKEYID_e");
    assert_eq!(&k.enc_key[..], &v.hex("ka")[..], "Ka");
    let iv = keys::phase1_iv(hash, cipher.cipher.block_len(), &gxi, &gxr);
    assert_eq!(iv, v.hex("initial_iv"), "initial IV");

    let mut ctx = Ctx {
        hash,
        chain: IvChain::new(cipher, &k.enc_key).unwrap(),
        iv,
    };

    // Phase 1 authentication
    let check_auth = |who: Side, id: &[u8], h: &[u8]| {
        let x = AuthHashInput {
            gxi: &gxi,
            gxr: &gxr,
            icookie: &icookie,
            rcookie: &rcookie,
            sa_i: &sa_i,
            id,
        };
        let want = keys::auth_hash(hash, &k.skeyid, who, &x);
        assert_eq!(h, &want[..], "{who:?} auth hash");
        IdPayload::parse(id).unwrap();
        want
    };
    let qm_start = if aggressive {
        // AM2 carries HASH_R in clear; AM3 HASH_I (encrypted)
        let rf: Vec<RawPayload<'_>> = r_first
            .iter()
            .map(|(t, b, w)| RawPayload {
                ty: *t,
                body: b,
                whole: w,
            })
            .collect();
        let got = check_auth(
            Side::Responder,
            find(&rf, PayloadType::ID).body,
            find(&rf, PayloadType::HASH).body,
        );
        assert_eq!(got, v.hex("hash_r"));
        // AM3: HASH_I over the ID of AM1; strongSwan encrypts AM3
        let (plain, first) = ctx.decrypt(&i_msgs[1].1);
        let ps = parse_payloads(first, &plain, true).unwrap();
        let got = check_auth(
            Side::Initiator,
            &get(&p1, PayloadType::ID),
            find(&ps, PayloadType::HASH).body,
        );
        assert_eq!(got, v.hex("hash_i"));
        2
    } else {
        let (plain, first) = ctx.decrypt(&i_msgs[2].1);
        let ps = parse_payloads(first, &plain, true).unwrap();
        let got = check_auth(
            Side::Initiator,
            find(&ps, PayloadType::ID).body,
            find(&ps, PayloadType::HASH).body,
        );
        assert_eq!(got, v.hex("hash_i"));
        let (plain, first) = ctx.decrypt(&r_msgs[2].1);
        let ps = parse_payloads(first, &plain, true).unwrap();
        let got = check_auth(
            Side::Responder,
            find(&ps, PayloadType::ID).body,
            find(&ps, PayloadType::HASH).body,
        );
        assert_eq!(got, v.hex("hash_r"));
        3
    };
    let last_p1_block = ctx.iv.clone();

    // Quick Mode: QM1 (initiator), QM2 (responder), QM3 (initiator)
    let qm1 = &i_msgs[qm_start].1;
    let mid = Message::parse(qm1).unwrap().header.message_id;
    ctx.iv = keys::phase2_iv(hash, ctx.chain.block_len(), &last_p1_block, mid);
    let (plain1, first) = ctx.decrypt(qm1);
    let ps1 = parse_payloads(first, &plain1, true).unwrap();
    let h1 = keys::hash1(hash, &k.skeyid_a, mid, &after_hash(&ps1));
    assert_eq!(ps1[0].body, &h1[..], "HASH(1)");
    let ni2 = find(&ps1, PayloadType::NONCE).body.to_vec();
    let sa1 = SaPayload::parse(find(&ps1, PayloadType::SA).body).unwrap();
    let spi_i: [u8; 4] = sa1.proposals[0].spi.try_into().unwrap();

    let qm2 = &r_msgs[r_msgs.len() - 1].1;
    let (plain2, first) = ctx.decrypt(qm2);
    let ps2 = parse_payloads(first, &plain2, true).unwrap();
    let h2 = keys::hash2(hash, &k.skeyid_a, mid, &ni2, &after_hash(&ps2));
    assert_eq!(ps2[0].body, &h2[..], "HASH(2)");
    let nr2 = find(&ps2, PayloadType::NONCE).body.to_vec();
    let sa2 = SaPayload::parse(find(&ps2, PayloadType::SA).body).unwrap();
    let spi_r: [u8; 4] = sa2.proposals[0].spi.try_into().unwrap();
    let gqm = if ps1.iter().any(|p| p.ty == PayloadType::KE) {
        Some(v.hex("qm_dh_secret"))
    } else {
        None
    };

    let (plain3, first) = ctx.decrypt(&i_msgs[qm_start + 1].1);
    let ps3 = parse_payloads(first, &plain3, true).unwrap();
    let h3 = keys::hash3(hash, &k.skeyid_a, mid, &ni2, &nr2);
    assert_eq!(ps3[0].body, &h3[..], "HASH(3)");

    // ESP keys: traffic initiator→responder uses the responder's SPI.
    let enc_len = v.hex("esp_enc_i").len();
    let int_len = v.hex("esp_int_i").len();
    let proto = sa2.proposals[0].protocol.0;
    let km_i = keys::keymat(
        ctx.hash,
        &k.skeyid_d,
        gqm.as_deref(),
        proto,
        &spi_r,
        &ni2,
        &nr2,
        enc_len + int_len,
    );
    assert_eq!(&km_i[..enc_len], &v.hex("esp_enc_i")[..], "ESP enc i→r");
    assert_eq!(&km_i[enc_len..], &v.hex("esp_int_i")[..], "ESP int i→r");
    let km_r = keys::keymat(
        ctx.hash,
        &k.skeyid_d,
        gqm.as_deref(),
        proto,
        &spi_i,
        &ni2,
        &nr2,
        enc_len + int_len,
    );
    assert_eq!(&km_r[..enc_len], &v.hex("esp_enc_r")[..], "ESP enc r→i");
    assert_eq!(&km_r[enc_len..], &v.hex("esp_int_r")[..], "ESP int r→i");
}

#[test]
fn main_mode_aes128_sha1_modp1024() {
    run(
        include_str!("vectors/strongswan-main-aes128-sha1-modp1024.txt"),
        false,
    );
}

#[test]
fn main_mode_aes256_sha1_modp2048_with_pfs() {
    // AES-256 with SHA-1: SKEYID_e (20 bytes) is expanded by appendix B; Quick Mode with PFS
    run(
        include_str!("vectors/strongswan-main-aes256-sha1-modp2048-pfs.txt"),
        false,
    );
}

#[test]
fn aggressive_mode_aes128_sha1_modp1024() {
    run(
        include_str!("vectors/strongswan-aggressive-aes128-sha1-modp1024.txt"),
        true,
    );
}
