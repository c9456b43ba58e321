//! International algorithms of the provider: every algorithm at 64 and 1400 bytes, each provider
//! wrapper measured next to the raw crate call it wraps (goal: wrapper ≥ 0.95× the crate), DH
//! key generation + agreement per group, RSA-2048 and ECDSA sign/verify.
//!
//! `cargo bench -p zubr-benches --bench crypto_intl -- --warm-up-time 1 --measurement-time 3`
//!
//! At the end it prints, per wrapper/crate pair, `RATIO … criterion` (the two criterion means of
//! this run) and `RATIO … interleaved` (the median over rounds of back-to-back batches of the
//! wrapper and the crate): on a shared machine the load changes between two criterion benches, so
//! the interleaved figure is the one to trust for small differences.

use std::hint::black_box;
use std::time::{Duration, Instant};

use aead::{AeadInOut, KeyInit, inout::InOutBuf};
use cipher::{BlockModeEncrypt, InnerIvInit};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use digest::{Digest, Mac};
use zubr_benches::{mean_ns, report_speed_ratio, throughput_mbs};
use zubr_crypto_stb::intl::ecdsa::{EcdsaSigningKey, P256, P384};
use zubr_crypto_stb::intl::rsa::RsaPrivateKey;
use zubr_crypto_stb::provider::SigningKey;
use zubr_crypto_stb::{Error, Rng, SOFTWARE};

const SIZES: [usize; 2] = [64, 1400];

#[derive(Clone)]
struct BenchRng(u64);
impl Rng for BenchRng {
    fn fill(&mut self, out: &mut [u8]) -> Result<(), Error> {
        for b in out.iter_mut() {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1);
            *b = (self.0 >> 56) as u8;
        }
        Ok(())
    }
}
impl rand_core::TryRng for BenchRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(self.try_next_u64()? as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1);
        Ok(self.0)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        let _ = Rng::fill(self, dst);
        Ok(())
    }
}
impl rand_core::TryCryptoRng for BenchRng {}

/// One operation to time.
type Op = Box<dyn FnMut()>;

/// A provider wrapper and the raw crate call it wraps, doing the same work.
struct Pair {
    group: &'static str,
    /// Benchmark id stem: `<name>-provider-<size>` / `<name>-crate-<size>`.
    name: String,
    /// Bytes per operation (0: not a throughput benchmark).
    bytes: usize,
    provider: Op,
    raw: Op,
}

fn pair(group: &'static str, name: String, bytes: usize, provider: Op, raw: Op) -> Pair {
    Pair {
        group,
        name,
        bytes,
        provider,
        raw,
    }
}

// ---------------------------------------------------------------------------------------------
// The pairs

fn hash_pairs(out: &mut Vec<Pair>) {
    for size in SIZES {
        macro_rules! p {
            ($name:literal, $ty:ty) => {
                let h = SOFTWARE.hash($name).expect("hash").hash;
                let (d1, d2) = (vec![0x5au8; size], vec![0x5au8; size]);
                out.push(pair(
                    "intl-hash",
                    format!("{}-{}", $name, size),
                    size,
                    Box::new(move || {
                        black_box(h.hash(&[black_box(&d1)]));
                    }),
                    Box::new(move || {
                        black_box(<$ty>::digest(black_box(&d2)));
                    }),
                ));
            };
        }
        p!("md5", md5::Md5);
        p!("sha1", sha1::Sha1);
        p!("sha256", sha2::Sha256);
        p!("sha384", sha2::Sha384);
        p!("sha512", sha2::Sha512);
    }
}

fn hmac_pairs(out: &mut Vec<Pair>) {
    for size in SIZES {
        macro_rules! p {
            ($lsp:literal, $name:literal, $ty:ty) => {
                let i = SOFTWARE.integrity_by_name($lsp).expect("integrity");
                let key = vec![7u8; i.mac.key_len()];
                let k = i.mac.new_key(&key).expect("key");
                let raw = <hmac::Hmac<$ty> as KeyInit>::new_from_slice(&key).expect("key");
                let (d1, d2) = (vec![0x5au8; size], vec![0x5au8; size]);
                let (mut o1, mut o2) = (vec![0u8; i.icv_len], vec![0u8; i.icv_len]);
                out.push(pair(
                    "intl-hmac",
                    format!("{}-{}", $name, size),
                    size,
                    Box::new(move || k.compute(&[black_box(&d1)], &mut o1)),
                    Box::new(move || {
                        let tag = raw.clone().chain_update(black_box(&d2)).finalize();
                        let n = o2.len();
                        o2.copy_from_slice(&tag.into_bytes()[..n]);
                    }),
                ));
            };
        }
        p!("MD5-H96-HMAC", "hmac-md5-96", md5::Md5);
        p!("SHA1-H96-HMAC", "hmac-sha1-96", sha1::Sha1);
        p!("SHA2-256-H128-HMAC", "hmac-sha256-128", sha2::Sha256);
        p!("SHA2-384-H192-HMAC", "hmac-sha384-192", sha2::Sha384);
        p!("SHA2-512-H256-HMAC", "hmac-sha512-256", sha2::Sha512);
    }
}

fn esp_pairs(out: &mut Vec<Pair>) {
    for size in SIZES {
        // CBC: provider vs cbc::Encryptor over the same pre-keyed block cipher.
        macro_rules! cbc {
            ($lsp:literal, $name:literal, $ty:ty) => {
                let e = SOFTWARE.esp_cipher_by_name($lsp).expect("cipher");
                let key = vec![7u8; e.cipher.key_len()];
                let mut k = e.cipher.new_key(&key).expect("key");
                let bl = e.cipher.block_len();
                let iv = vec![1u8; e.cipher.iv_len()];
                let iv2 = iv.clone();
                let mut d1 = vec![0u8; size.div_ceil(bl) * bl];
                let mut d2 = d1.clone();
                let raw = <$ty as cipher::KeyInit>::new_from_slice(&key).expect("key");
                out.push(pair(
                    "intl-esp",
                    format!("{}-{}", $name, size),
                    size,
                    Box::new(move || {
                        k.encrypt(&iv, &[], black_box(&mut d1), &mut [])
                            .expect("enc")
                    }),
                    Box::new(move || {
                        let ivb = cipher::Block::<$ty>::try_from(&iv2[..]).expect("iv");
                        let mut enc = cbc::Encryptor::<$ty>::inner_iv_init(raw.clone(), &ivb);
                        let (blocks, _) = InOutBuf::from(black_box(&mut d2[..]))
                            .into_chunks::<<$ty as cipher::BlockSizeUser>::BlockSize>(
                        );
                        enc.encrypt_blocks_inout(blocks);
                    }),
                ));
            };
        }
        cbc!("AES-K128-CBC", "aes128-cbc", aes::Aes128);
        cbc!("AES-K192-CBC", "aes192-cbc", aes::Aes192);
        cbc!("AES-K256-CBC", "aes256-cbc", aes::Aes256);
        cbc!("DES3-K168-CBC", "3des-cbc", des::TdesEde3);
        cbc!("DES-CBC", "des-cbc", des::Des);

        // GCM: provider vs AesGcm::encrypt_inout_detached with the RFC 4106 nonce.
        macro_rules! gcm {
            ($lsp:literal, $name:literal, $aes:ty, $tag:ty) => {
                let e = SOFTWARE.esp_cipher_by_name($lsp).expect("cipher");
                let key = vec![7u8; e.cipher.key_len()];
                let mut k = e.cipher.new_key(&key).expect("key");
                let raw = aes_gcm::AesGcm::<$aes, cipher::consts::U12, $tag>::new_from_slice(
                    &key[..key.len() - 4],
                )
                .expect("key");
                let (iv, aad) = ([1u8; 8], [2u8; 8]);
                let (mut d1, mut d2) = (vec![0u8; size], vec![0u8; size]);
                let mut icv = vec![0u8; e.cipher.icv_len()];
                let mut icv2 = vec![0u8; e.cipher.icv_len()];
                out.push(pair(
                    "intl-esp",
                    format!("{}-{}", $name, size),
                    size,
                    Box::new(move || {
                        k.encrypt(&iv, &aad, black_box(&mut d1), &mut icv)
                            .expect("enc")
                    }),
                    Box::new(move || {
                        let mut nonce = aes_gcm::Nonce::<cipher::consts::U12>::default();
                        nonce[..4].copy_from_slice(&[7u8; 4]);
                        nonce[4..].copy_from_slice(&iv);
                        let tag = raw
                            .encrypt_inout_detached(
                                &nonce,
                                &aad,
                                InOutBuf::from(black_box(&mut d2[..])),
                            )
                            .expect("enc");
                        icv2.copy_from_slice(&tag);
                    }),
                ));
            };
        }
        gcm!(
            "AES-K128-GCM-16",
            "aes128-gcm16",
            aes::Aes128,
            cipher::consts::U16
        );
        gcm!(
            "AES-K192-GCM-16",
            "aes192-gcm16",
            aes::Aes192,
            cipher::consts::U16
        );
        gcm!(
            "AES-K256-GCM-16",
            "aes256-gcm16",
            aes::Aes256,
            cipher::consts::U16
        );
        gcm!(
            "AES-K128-GCM-12",
            "aes128-gcm12",
            aes::Aes128,
            cipher::consts::U12
        );
        gcm!(
            "AES-K128-GCM-8",
            "aes128-gcm8",
            aes::Aes128,
            cipher::consts::U8
        );
    }
}

fn ecp_pairs(out: &mut Vec<Pair>) {
    use elliptic_curve::Generate;
    use elliptic_curve::sec1::ToSec1Point;
    macro_rules! p {
        ($sa:literal, $krate:ident) => {
            let g = SOFTWARE.group_by_name($sa).expect("group");
            let mut rng = BenchRng(1);
            let peer = g.dh.generate(&mut rng).expect("peer");
            let peer_pub = peer.public_key().to_vec();
            let mut sec1 = vec![0x04];
            sec1.extend_from_slice(&peer_pub);
            out.push(pair(
                "intl-dh",
                format!("{}-keygen+agree", $sa),
                0,
                Box::new(move || {
                    let k = g.dh.generate(&mut rng).expect("gen");
                    black_box(k.agree(black_box(&peer_pub)).expect("agree"));
                }),
                // The crate doing the same: generate, encode our public value, decode and
                // validate the peer's, ECDH.
                Box::new(move || {
                    let k = $krate::ecdh::EphemeralSecret::generate_from_rng(&mut BenchRng(7));
                    black_box($krate::PublicKey::from(&k).as_affine().to_sec1_point(false));
                    let pk = $krate::PublicKey::from_sec1_bytes(black_box(&sec1)).expect("pk");
                    black_box(k.diffie_hellman(&pk).raw_secret_bytes().to_vec());
                }),
            ));
        };
    }
    p!("ecp256", p256);
    p!("ecp384", p384);
    p!("ecp521", p521);
}

fn ecdsa_pairs(out: &mut Vec<Pair>) {
    macro_rules! p {
        ($name:literal, $marker:ty, $krate:ident, $n:expr, $hash:ty) => {
            let scalar = [0x11u8; $n];
            let key = EcdsaSigningKey::<$marker>::from_scalar(&scalar).expect("key");
            let pk = key.public_key();
            let v = SOFTWARE.signature($name).expect("scheme").verifier;
            let msg = vec![0x42u8; 64];
            let sig = key.sign(&mut BenchRng(2), &msg).expect("sign");
            let raw = $krate::ecdsa::SigningKey::from_slice(&scalar).expect("key");
            let (m1, m2) = (msg.clone(), msg.clone());
            let mut rng = BenchRng(3);
            out.push(pair(
                "intl-sig",
                format!("{}-sign", $name),
                0,
                Box::new(move || {
                    black_box(key.sign(&mut rng, black_box(&m1)).expect("sign"));
                }),
                Box::new(move || {
                    use signature::hazmat::RandomizedPrehashSigner;
                    let d = <$hash>::digest(black_box(&m2));
                    let s: $krate::ecdsa::Signature = raw
                        .sign_prehash_with_rng(&mut BenchRng(9), &d)
                        .expect("sign");
                    black_box(s.to_der().as_bytes().to_vec());
                }),
            ));
            let (pk2, sig2, m3) = (pk.clone(), sig.clone(), msg.clone());
            out.push(pair(
                "intl-sig",
                format!("{}-verify", $name),
                0,
                Box::new(move || v.verify(&pk, black_box(&msg), &sig).expect("verify")),
                Box::new(move || {
                    use signature::hazmat::PrehashVerifier;
                    let vk = $krate::ecdsa::VerifyingKey::from_sec1_bytes(&pk2).expect("pk");
                    let s = $krate::ecdsa::Signature::from_der(&sig2).expect("sig");
                    let d = <$hash>::digest(black_box(&m3));
                    vk.verify_prehash(&d, &s).expect("verify")
                }),
            ));
        };
    }
    p!("ecdsa-p256-sha256", P256, p256, 32, sha2::Sha256);
    p!("ecdsa-p384-sha384", P384, p384, 48, sha2::Sha384);
}

fn all_pairs() -> Vec<Pair> {
    let mut v = Vec::new();
    hash_pairs(&mut v);
    hmac_pairs(&mut v);
    esp_pairs(&mut v);
    ecp_pairs(&mut v);
    ecdsa_pairs(&mut v);
    v
}

// ---------------------------------------------------------------------------------------------
// Criterion benches

fn wrapper_vs_crate(c: &mut Criterion) {
    let mut pairs = all_pairs();
    for name in ["intl-hash", "intl-hmac", "intl-esp", "intl-dh", "intl-sig"] {
        let mut g = c.benchmark_group(name);
        for p in pairs.iter_mut().filter(|p| p.group == name) {
            if p.bytes > 0 {
                g.throughput(Throughput::Bytes(p.bytes as u64));
            } else {
                g.sample_size(20);
            }
            let (stem, size) = match p.name.rsplit_once('-') {
                Some((s, n)) if p.bytes > 0 => (s.to_string(), format!("-{n}")),
                _ => (p.name.clone(), String::new()),
            };
            let prov = &mut p.provider;
            g.bench_function(format!("{stem}-provider{size}"), |b| b.iter(&mut *prov));
            let raw = &mut p.raw;
            g.bench_function(format!("{stem}-crate{size}"), |b| b.iter(&mut *raw));
        }
        g.finish();
    }
}

fn others(c: &mut Criterion) {
    let mut g = c.benchmark_group("intl-esp");
    for size in SIZES {
        g.throughput(Throughput::Bytes(size as u64));
        let e = SOFTWARE.esp_cipher_by_name("NULL").expect("NULL");
        let mut k = e.cipher.new_key(&[]).expect("key");
        let mut data = vec![0u8; size];
        g.bench_function(format!("null-provider-{size}"), |b| {
            b.iter(|| {
                k.encrypt(&[], &[], black_box(&mut data), &mut [])
                    .expect("enc")
            })
        });
        // Context: AES-128-CBC + HMAC-SHA1-96 as ESP applies them (encrypt, then MAC).
        let e = SOFTWARE.esp_cipher_by_name("AES-K128-CBC").expect("cipher");
        let mut k = e.cipher.new_key(&[7u8; 16]).expect("key");
        let i = SOFTWARE
            .integrity_by_name("SHA1-H96-HMAC")
            .expect("integrity");
        let m = i.mac.new_key(&[9u8; 20]).expect("key");
        let mut data = vec![0u8; size.div_ceil(16) * 16];
        let mut icv = [0u8; 12];
        g.bench_function(format!("aes128-cbc+hmac-sha1-provider-{size}"), |b| {
            b.iter(|| {
                k.encrypt(&[1u8; 16], &[], black_box(&mut data), &mut [])
                    .expect("enc");
                m.compute(&[&data], &mut icv);
            })
        });
    }
    g.finish();

    // DH key generation + agreement per group (the MODP groups have no crate to compare with).
    let mut g = c.benchmark_group("intl-dh");
    g.sample_size(10);
    let mut rng = BenchRng(1);
    for grp in SOFTWARE.groups {
        if !grp.sa_name.starts_with("modp") {
            continue;
        }
        let peer = grp.dh.generate(&mut rng).expect("peer");
        let peer_pub = peer.public_key().to_vec();
        g.bench_function(format!("{}-keygen+agree-provider", grp.sa_name), |b| {
            b.iter(|| {
                let k = grp.dh.generate(&mut rng).expect("gen");
                k.agree(black_box(&peer_pub)).expect("agree")
            })
        });
    }
    g.finish();

    // RSA-2048 (hand-written, no crate on this trait line to compare with).
    let mut g = c.benchmark_group("intl-sig");
    g.sample_size(20);
    let rsa_der = include_str!("../../crypto-stb/tests/data/pyca-rsa.txt")
        .split("\n\n")
        .find(|r| r.contains("bits=2048"))
        .and_then(|r| r.lines().find_map(|l| l.strip_prefix("pkcs1=")))
        .and_then(|h| hex::decode(h).ok())
        .expect("2048-bit key");
    let rsa = RsaPrivateKey::from_pkcs1_der(&rsa_der).expect("key");
    let rsa_pub = rsa.public_key();
    let msg = vec![0x42u8; 64];
    for scheme in ["rsa-pkcs1-sha256", "rsa-pkcs1-raw"] {
        let m: &[u8] = if scheme.ends_with("raw") {
            &msg[..20]
        } else {
            &msg
        };
        let sig = rsa.sign_with(scheme, &mut rng, m).expect("sign");
        g.bench_function(format!("rsa2048-{scheme}-sign-provider"), |b| {
            b.iter(|| rsa.sign_with(scheme, &mut rng, black_box(m)).expect("sign"))
        });
        let v = SOFTWARE.signature(scheme).expect("scheme").verifier;
        g.bench_function(format!("rsa2048-{scheme}-verify-provider"), |b| {
            b.iter(|| v.verify(&rsa_pub, black_box(m), &sig).expect("verify"))
        });
    }
    g.finish();
}

// ---------------------------------------------------------------------------------------------
// Ratios

/// Median over rounds of (crate time / wrapper time) for back-to-back batches, so both sides of a
/// round see the same machine load.
fn interleaved_ratio(p: &mut Pair) -> f64 {
    // Size a batch to ~2 ms of the raw call.
    let t = Instant::now();
    let mut n = 0u32;
    while t.elapsed() < Duration::from_millis(2) {
        (p.raw)();
        n += 1;
    }
    let batch = n.max(1);
    let mut ratios = Vec::new();
    let deadline = Instant::now() + Duration::from_millis(600);
    while ratios.len() < 15 || (Instant::now() < deadline && ratios.len() < 301) {
        let t = Instant::now();
        for _ in 0..batch {
            (p.provider)();
        }
        let tp = t.elapsed().as_secs_f64();
        let t = Instant::now();
        for _ in 0..batch {
            (p.raw)();
        }
        let tr = t.elapsed().as_secs_f64();
        ratios.push(tr / tp);
    }
    ratios.sort_by(f64::total_cmp);
    ratios[ratios.len() / 2]
}

fn ratios(_c: &mut Criterion) {
    println!("\n=== crypto_intl: wrapper speed / raw crate speed (goal >= 0.95) ===");
    let mut met = 0;
    let mut total = 0;
    for mut p in all_pairs() {
        let (stem, size) = match p.name.rsplit_once('-') {
            Some((s, n)) if p.bytes > 0 => (s.to_string(), format!("-{n}")),
            _ => (p.name.clone(), String::new()),
        };
        report_speed_ratio(
            &format!("{}/{} criterion", p.group, p.name),
            (p.group, &format!("{stem}-provider{size}")),
            (p.group, &format!("{stem}-crate{size}")),
            None,
        );
        let r = interleaved_ratio(&mut p);
        total += 1;
        if r >= 0.95 {
            met += 1;
        }
        println!(
            "RATIO {}/{} interleaved: {r:.3} (goal >= 0.95) {}",
            p.group,
            p.name,
            if r >= 0.95 { "met" } else { "NOT MET" }
        );
    }
    println!("RATIO summary: {met} of {total} wrapper/crate pairs meet 0.95 (interleaved)");
    for (id, bytes) in [
        ("aes128-gcm16-provider-1400", 1400),
        ("aes128-gcm16-crate-1400", 1400),
        ("aes128-cbc+hmac-sha1-provider-1400", 1400),
    ] {
        if let Some(mbs) = throughput_mbs("intl-esp", id, bytes) {
            println!("THROUGHPUT intl-esp/{id}: {mbs:.0} MB/s");
        }
    }
    for grp in SOFTWARE.groups {
        if let Some(ns) = mean_ns("intl-dh", &format!("{}-keygen+agree-provider", grp.sa_name)) {
            println!(
                "TIME intl-dh/{} keygen+agree: {:.3} ms",
                grp.sa_name,
                ns / 1e6
            );
        }
    }
    for id in [
        "rsa2048-rsa-pkcs1-sha256-sign-provider",
        "rsa2048-rsa-pkcs1-sha256-verify-provider",
        "rsa2048-rsa-pkcs1-raw-sign-provider",
        "rsa2048-rsa-pkcs1-raw-verify-provider",
        "ecdsa-p256-sha256-sign-provider",
        "ecdsa-p256-sha256-verify-provider",
        "ecdsa-p384-sha384-sign-provider",
        "ecdsa-p384-sha384-verify-provider",
    ] {
        if let Some(ns) = mean_ns("intl-sig", id) {
            println!("TIME intl-sig/{id}: {:.3} ms", ns / 1e6);
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500));
    targets = wrapper_vs_crate, others, ratios
}
criterion_main!(benches);
