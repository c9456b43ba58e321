//! GOST family benchmarks at 64 and 1400 bytes: every algorithm of `zubr_crypto_stb::gost`, each
//! wrapper measured next to the raw crate it wraps in the same run, and GOST R 34.10-2001
//! sign/verify. Ratios (reference time / subject time, goal ≥ 0.95 for wrappers) are printed at
//! the end as `RATIO …` lines.
//!
//! `cargo bench -p zubr-benches --bench crypto_gost -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use cipher::{BlockCipherEncrypt, BlockModeEncrypt, InnerIvInit, KeyInit, inout::InOutBuf};
use criterion::{BenchmarkId, Criterion, Throughput};
use digest::{Digest, Mac};
use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use zubr_benches::{report_speed_ratio, throughput_mbs};
use zubr_crypto_stb::gost::modes::{self, Cbc, Cfb, Cnt, Imit, KeyMeshing};
use zubr_crypto_stb::gost::sbox::CryptoProA;
use zubr_crypto_stb::gost::{Gost28147, algs, hash, r3410};
use zubr_crypto_stb::provider::{HashAlgorithm, MacAlgorithm, SigningKey};
use zubr_crypto_stb::{Rng, SOFTWARE};

const SIZES: [usize; 2] = [64, 1400];
const KEY: [u8; 32] = [0x42; 32];
const IV: [u8; 8] = [7; 8];

type RawGost = magma::Gost89CryptoProA;

fn raw_key() -> RawGost {
    RawGost::new(&KEY.into())
}

fn block_and_modes(c: &mut Criterion) {
    let zk = Gost28147::<CryptoProA>::new(&KEY);
    let rk = raw_key();

    let mut g = c.benchmark_group("gost-ecb");
    for size in SIZES {
        g.throughput(Throughput::Bytes(size as u64));
        let mut data = vec![0u8; size];
        g.bench_with_input(BenchmarkId::new("raw-magma", size), &size, |b, _| {
            b.iter(|| {
                for blk in data.as_chunks_mut::<8>().0 {
                    rk.encrypt_block(blk.into());
                }
                black_box(&data);
            })
        });
        g.bench_with_input(BenchmarkId::new("zubr", size), &size, |b, _| {
            b.iter(|| modes::ecb_encrypt(&zk, black_box(&mut data)).expect("ecb"))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("gost-cbc");
    for size in SIZES {
        g.throughput(Throughput::Bytes(size as u64));
        let mut data = vec![0u8; size];
        g.bench_with_input(BenchmarkId::new("raw-cbc-magma", size), &size, |b, _| {
            b.iter(|| {
                let mut e = cbc::Encryptor::<RawGost>::inner_iv_init(rk.clone(), &IV.into());
                let (blocks, _) = InOutBuf::from(black_box(&mut data[..])).into_chunks();
                e.encrypt_blocks_inout(blocks);
            })
        });
        g.bench_with_input(BenchmarkId::new("zubr", size), &size, |b, _| {
            b.iter(|| {
                Cbc::new(&zk, &IV, KeyMeshing::None)
                    .encrypt_blocks(black_box(&mut data))
                    .expect("cbc")
            })
        });
        g.bench_with_input(BenchmarkId::new("zubr-meshing", size), &size, |b, _| {
            b.iter(|| {
                Cbc::new(&zk, &IV, KeyMeshing::CryptoPro)
                    .encrypt_blocks(black_box(&mut data))
                    .expect("cbc")
            })
        });
        let e = SOFTWARE.esp_cipher(254, None).expect("esp gost");
        let mut k = e.cipher.new_key(&KEY).expect("key");
        g.bench_with_input(BenchmarkId::new("provider-esp", size), &size, |b, _| {
            b.iter(|| {
                k.encrypt(&IV, &[], black_box(&mut data), &mut [])
                    .expect("esp")
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("gost-cfb");
    for size in SIZES {
        g.throughput(Throughput::Bytes(size as u64));
        let mut data = vec![0u8; size];
        g.bench_with_input(BenchmarkId::new("raw-cfb-magma", size), &size, |b, _| {
            b.iter(|| {
                let e = cfb_mode::Encryptor::<RawGost>::inner_iv_init(rk.clone(), &IV.into());
                e.encrypt(black_box(&mut data[..]));
            })
        });
        g.bench_with_input(BenchmarkId::new("zubr", size), &size, |b, _| {
            b.iter(|| Cfb::new(&zk, &IV, KeyMeshing::None).encrypt(black_box(&mut data)))
        });
        g.bench_with_input(BenchmarkId::new("zubr-meshing", size), &size, |b, _| {
            b.iter(|| Cfb::new(&zk, &IV, KeyMeshing::CryptoPro).encrypt(black_box(&mut data)))
        });
    }
    g.finish();

    // No crate implements GOST's CNT (C1/C2 counter); the reference is raw ECB over the same
    // number of blocks, the floor of any gamma mode.
    let mut g = c.benchmark_group("gost-cnt");
    for size in SIZES {
        g.throughput(Throughput::Bytes(size as u64));
        let mut data = vec![0u8; size];
        g.bench_with_input(BenchmarkId::new("zubr", size), &size, |b, _| {
            b.iter(|| Cnt::new(&zk, &IV, KeyMeshing::CryptoPro).apply(black_box(&mut data)))
        });
    }
    g.finish();

    // IMIT: no crate; 16 rounds per block, so it should run at about twice raw ECB.
    let mut g = c.benchmark_group("gost-imit");
    for size in SIZES {
        g.throughput(Throughput::Bytes(size as u64));
        let data = vec![0u8; size];
        g.bench_with_input(BenchmarkId::new("zubr", size), &size, |b, _| {
            b.iter(|| {
                let mut m = Imit::new(&zk, KeyMeshing::CryptoPro);
                m.update(black_box(&data));
                m.finalize()
            })
        });
        let i = SOFTWARE.integrity(65535).expect("imit");
        let k = i.mac.new_key(&KEY).expect("key");
        let mut tag = [0u8; 4];
        g.bench_with_input(BenchmarkId::new("provider", size), &size, |b, _| {
            b.iter(|| k.compute(&[black_box(&data)], &mut tag))
        });
    }
    g.finish();
}

fn hashes_and_macs(c: &mut Criterion) {
    let mut g = c.benchmark_group("gostr3411-94");
    for size in SIZES {
        g.throughput(Throughput::Bytes(size as u64));
        let data = vec![0x5au8; size];
        g.bench_with_input(BenchmarkId::new("raw-gost94", size), &size, |b, _| {
            b.iter(|| gost94::Gost94CryptoPro::digest(black_box(&data)))
        });
        g.bench_with_input(BenchmarkId::new("provider-cp", size), &size, |b, _| {
            b.iter(|| hash::GOSTR3411_94_CP.hash(&[black_box(&data)]))
        });
        g.bench_with_input(BenchmarkId::new("provider-test", size), &size, |b, _| {
            b.iter(|| hash::GOSTR3411_94_TEST.hash(&[black_box(&data)]))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("hmac-gostr3411-94");
    for size in SIZES {
        g.throughput(Throughput::Bytes(size as u64));
        let data = vec![0x5au8; size];
        let raw =
            <hmac::Hmac<gost94::Gost94CryptoPro> as KeyInit>::new_from_slice(&KEY).expect("key");
        g.bench_with_input(BenchmarkId::new("raw-hmac", size), &size, |b, _| {
            b.iter(|| {
                let mut m = raw.clone();
                Mac::update(&mut m, black_box(&data));
                m.finalize().into_bytes()
            })
        });
        let i = SOFTWARE.integrity(65534).expect("hmac");
        let k = i.mac.new_key(&KEY).expect("key");
        let mut tag = [0u8; 12];
        g.bench_with_input(BenchmarkId::new("provider", size), &size, |b, _| {
            b.iter(|| k.compute(&[black_box(&data)], &mut tag))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("kuznyechik-mac");
    for size in SIZES {
        g.throughput(Throughput::Bytes(size as u64));
        let data = vec![0x5au8; size];
        let raw = <algs::KuznyechikCmac as KeyInit>::new_from_slice(&KEY).expect("key");
        g.bench_with_input(BenchmarkId::new("raw-cmac", size), &size, |b, _| {
            b.iter(|| {
                let mut m = raw.clone();
                Mac::update(&mut m, black_box(&data));
                m.finalize().into_bytes()
            })
        });
        let k = algs::KUZNYECHIK_MAC.new_key(&KEY).expect("key");
        let mut tag = [0u8; 8];
        g.bench_with_input(BenchmarkId::new("provider", size), &size, |b, _| {
            b.iter(|| k.compute(&[black_box(&data)], &mut tag))
        });
    }
    g.finish();
}

fn signatures(c: &mut Criterion) {
    let mut rng: Box<dyn Rng> = SOFTWARE.drbg.instantiate(&[9u8; 32]).expect("drbg");
    let key = algs::Gost3410SigningKey::generate(&r3410::CRYPTOPRO_A, &mut *rng).expect("key");
    let pk = key.public_key();
    let msg = b"IKE HASH_I stand-in";
    let sig = key.sign(&mut *rng, msg).expect("sign");
    let verifier = SOFTWARE
        .signature("gost3410-2001-gostr3411-94")
        .expect("scheme")
        .verifier;
    let mut g = c.benchmark_group("gost3410-2001");
    g.bench_function("sign-curve-a", |b| {
        b.iter(|| key.sign(&mut *rng, black_box(msg)).expect("sign"))
    });
    g.bench_function("verify-curve-a", |b| {
        b.iter(|| verifier.verify(&pk, black_box(msg), &sig).expect("verify"))
    });
    g.bench_function("keygen-curve-a", |b| {
        b.iter(|| algs::Gost3410SigningKey::generate(&r3410::CRYPTOPRO_A, &mut *rng).expect("key"))
    });
    // Context, not a wrapper ratio: ECDSA P-256 (RustCrypto `p256`) on the same machine, same run.
    let ecdsa = p256::ecdsa::SigningKey::from_slice(&[0x11; 32]).expect("p256 key");
    let prehash = [0x22u8; 32];
    let esig: p256::ecdsa::Signature = ecdsa.sign_prehash(&prehash).expect("p256 sign");
    let evk = *ecdsa.verifying_key();
    g.bench_function("ref-p256-ecdsa-sign", |b| {
        b.iter(|| -> p256::ecdsa::Signature {
            ecdsa.sign_prehash(black_box(&prehash)).expect("sign")
        })
    });
    g.bench_function("ref-p256-ecdsa-verify", |b| {
        b.iter(|| {
            evk.verify_prehash(black_box(&prehash), &esig)
                .expect("verify")
        })
    });
    g.finish();
}

/// Median time of `group/id` from this run (criterion's `estimates.json`): under a loaded
/// machine the median is far steadier than the mean `report_speed_ratio` uses.
fn median_ns(group: &str, id: &str) -> Option<f64> {
    let dir = std::env::var("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| {
            std::env::current_dir()
                .unwrap_or_default()
                .parent()
                .map(|p| p.join("target"))
                .unwrap_or_default()
        });
    let path = dir
        .join("criterion")
        .join(group)
        .join(id)
        .join("new")
        .join("estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let pe = text
        .split("\"median\"")
        .nth(1)?
        .split("\"point_estimate\":")
        .nth(1)?;
    let num: String = pe
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
        .collect();
    num.parse().ok()
}

fn report() {
    println!();
    for size in SIZES {
        let s = |g: &str, id: &str| (g.to_string(), format!("{id}/{size}"));
        for (label, subj, reference, goal) in [
            (
                "ecb zubr vs magma",
                s("gost-ecb", "zubr"),
                s("gost-ecb", "raw-magma"),
                Some(0.95),
            ),
            (
                "cbc zubr vs cbc+magma",
                s("gost-cbc", "zubr"),
                s("gost-cbc", "raw-cbc-magma"),
                Some(0.95),
            ),
            (
                "cbc provider-esp vs cbc+magma",
                s("gost-cbc", "provider-esp"),
                s("gost-cbc", "raw-cbc-magma"),
                Some(0.95),
            ),
            (
                "cbc meshing vs cbc+magma",
                s("gost-cbc", "zubr-meshing"),
                s("gost-cbc", "raw-cbc-magma"),
                None,
            ),
            (
                "cfb zubr vs cfb-mode+magma",
                s("gost-cfb", "zubr"),
                s("gost-cfb", "raw-cfb-magma"),
                Some(0.95),
            ),
            (
                "cfb meshing vs cfb-mode+magma",
                s("gost-cfb", "zubr-meshing"),
                s("gost-cfb", "raw-cfb-magma"),
                None,
            ),
            (
                "cnt zubr vs raw ecb",
                s("gost-cnt", "zubr"),
                s("gost-ecb", "raw-magma"),
                None,
            ),
            (
                "imit zubr vs raw ecb",
                s("gost-imit", "zubr"),
                s("gost-ecb", "raw-magma"),
                None,
            ),
            (
                "imit provider vs zubr imit",
                s("gost-imit", "provider"),
                s("gost-imit", "zubr"),
                Some(0.95),
            ),
            (
                "gost94 provider vs gost94",
                s("gostr3411-94", "provider-cp"),
                s("gostr3411-94", "raw-gost94"),
                Some(0.95),
            ),
            (
                "hmac-gost94 provider vs hmac",
                s("hmac-gostr3411-94", "provider"),
                s("hmac-gostr3411-94", "raw-hmac"),
                Some(0.95),
            ),
            (
                "kuznyechik-mac provider vs cmac",
                s("kuznyechik-mac", "provider"),
                s("kuznyechik-mac", "raw-cmac"),
                Some(0.95),
            ),
        ] {
            let label = format!("{label} @{size}");
            report_speed_ratio(
                &label,
                (&subj.0, &subj.1),
                (&reference.0, &reference.1),
                goal,
            );
            let (Some(a), Some(b)) = (
                median_ns(&subj.0, &subj.1),
                median_ns(&reference.0, &reference.1),
            ) else {
                continue;
            };
            let r = b / a;
            let verdict = match goal {
                Some(g) if r >= g => format!(" (goal >= {g}) met"),
                Some(g) => format!(" (goal >= {g}) NOT MET"),
                None => String::new(),
            };
            println!("RATIO-MEDIAN {label}: {r:.3}{verdict}");
        }
        for (g, id) in [
            ("gost-ecb", "zubr"),
            ("gost-cbc", "provider-esp"),
            ("gost-cfb", "zubr-meshing"),
            ("gost-cnt", "zubr"),
            ("gost-imit", "provider"),
            ("gostr3411-94", "provider-cp"),
            ("hmac-gostr3411-94", "provider"),
            ("kuznyechik-mac", "provider"),
        ] {
            if let Some(mbs) = throughput_mbs(g, &format!("{id}/{size}"), size) {
                println!("SPEED {g}/{id}/{size}: {mbs:.1} MB/s");
            }
        }
    }
    for id in [
        "sign-curve-a",
        "verify-curve-a",
        "keygen-curve-a",
        "ref-p256-ecdsa-sign",
        "ref-p256-ecdsa-verify",
    ] {
        if let Some(ns) = zubr_benches::mean_ns("gost3410-2001", id) {
            println!("TIME gost3410-2001/{id}: {:.3} ms", ns / 1e6);
        }
    }
    let g = "gost3410-2001";
    report_speed_ratio(
        "gost3410 sign vs p256 ecdsa sign",
        (g, "sign-curve-a"),
        (g, "ref-p256-ecdsa-sign"),
        None,
    );
    report_speed_ratio(
        "gost3410 verify vs p256 ecdsa verify",
        (g, "verify-curve-a"),
        (g, "ref-p256-ecdsa-verify"),
        None,
    );
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    block_and_modes(&mut c);
    hashes_and_macs(&mut c);
    signatures(&mut c);
    c.final_summary();
    report();
}
