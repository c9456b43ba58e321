//! belt family benchmarks (STB 34.101.31, hmac-hbelt, belt-pbkdf2) at 64 and 1400 bytes.
//!
//! Every provider object is measured next to the raw primitive or crate it wraps (goal: wrapper
//! ≥ 0.95× the raw speed), our belt-block/belt-ctr next to the `belt-block`/`belt-ctr` crates,
//! and belt-ctr / belt-dwp against the bee2 C anchors measured on this machine (belt-ctr
//! 160 MB/s, belt-dwp 98 MB/s; goal ≥ 1.0×). The last "bench" prints the ratios:
//! `cargo bench -p zubr-benches --bench crypto_belt -- --warm-up-time 1 --measurement-time 3`.
//!
//! Time is the benchmark thread's CPU time ([`ThreadCpuTime`]), not wall time: the development
//! and CI machines are shared by many processes on two cores, and descheduled time would
//! otherwise dominate both the ratios and the MB/s figures.

use std::hint::black_box;

use cipher::{
    BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt, KeyInit, KeyIvInit, StreamCipher,
};
use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use digest::{Digest, Mac};
use zubr_benches::{report_speed_ratio, throughput_mbs};
use zubr_crypto_stb::SOFTWARE;
use zubr_crypto_stb::belt::{self, BeltChe, BeltCipher, BeltDwp, BeltMac, kwp, modes};

const SIZES: [usize; 2] = [64, 1400];
const KEY: [u8; 32] = [0x42; 32];
const IV: [u8; 16] = [0x24; 16];
/// bee2 on this machine (the project's C anchors).
const BEE2_CTR_MBS: f64 = 160.0;
const BEE2_DWP_MBS: f64 = 98.0;

/// Criterion measurement: CPU time of the benchmarking thread, in nanoseconds.
pub struct ThreadCpuTime;

struct NsFormatter;

impl ValueFormatter for NsFormatter {
    fn scale_values(&self, typical: f64, values: &mut [f64]) -> &'static str {
        let (f, unit) = if typical < 1e3 {
            (1.0, "ns")
        } else if typical < 1e6 {
            (1e-3, "µs")
        } else {
            (1e-6, "ms")
        };
        values.iter_mut().for_each(|v| *v *= f);
        unit
    }
    fn scale_throughputs(&self, _typical: f64, t: &Throughput, values: &mut [f64]) -> &'static str {
        let bytes = match *t {
            Throughput::Bytes(b) | Throughput::BytesDecimal(b) => b as f64,
            Throughput::Elements(e) | Throughput::ElementsAndBytes { elements: e, .. } => {
                values.iter_mut().for_each(|v| *v = e as f64 * 1e9 / *v);
                return "elem/s (CPU)";
            }
            Throughput::Bits(b) => b as f64 / 8.0,
        };
        values.iter_mut().for_each(|v| *v = bytes * 1e3 / *v);
        "MB/s (CPU)"
    }
    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

impl Measurement for ThreadCpuTime {
    type Intermediate = cpu_time::ThreadTime;
    type Value = std::time::Duration;
    fn start(&self) -> Self::Intermediate {
        cpu_time::ThreadTime::now()
    }
    fn end(&self, i: Self::Intermediate) -> Self::Value {
        i.elapsed()
    }
    fn add(&self, a: &Self::Value, b: &Self::Value) -> Self::Value {
        *a + *b
    }
    fn zero(&self) -> Self::Value {
        std::time::Duration::ZERO
    }
    fn to_f64(&self, v: &Self::Value) -> f64 {
        v.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &NsFormatter
    }
}

fn data(size: usize) -> Vec<u8> {
    (0..size).map(|i| i as u8).collect()
}

fn block<M: Measurement>(c: &mut Criterion<M>) {
    let mut g = c.benchmark_group("belt-block");
    let ours = BeltCipher::new(&KEY);
    let theirs = belt_block::BeltBlock::new(&KEY.into());
    for size in SIZES {
        g.throughput(Throughput::Bytes(size as u64));
        let mut buf = data(size);
        g.bench_function(BenchmarkId::new("zubr-ecb", size), |b| {
            b.iter(|| ours.encrypt_blocks(black_box(&mut buf)))
        });
        g.bench_function(BenchmarkId::new("crate-ecb", size), |b| {
            b.iter(|| {
                for blk in black_box(&mut buf).chunks_exact_mut(16) {
                    let mut a = cipher::Block::<belt_block::BeltBlock>::try_from(&*blk).unwrap();
                    theirs.encrypt_block(&mut a);
                    blk.copy_from_slice(&a);
                }
            })
        });
        g.bench_function(BenchmarkId::new("zubr-ecb-decrypt", size), |b| {
            b.iter(|| ours.decrypt_blocks(black_box(&mut buf)))
        });
    }
    g.finish();
}

fn ctr<M: Measurement>(c: &mut Criterion<M>) {
    let mut g = c.benchmark_group("belt-ctr");
    let ours = BeltCipher::new(&KEY);
    let esp = SOFTWARE.esp_cipher_by_name("esp-belt-ctr").unwrap();
    let mut keymat = KEY.to_vec();
    keymat.extend_from_slice(&IV[..8]);
    let mut k = esp.cipher.new_key(&keymat).unwrap();
    for size in SIZES {
        g.throughput(Throughput::Bytes(size as u64));
        let mut buf = data(size);
        g.bench_function(BenchmarkId::new("raw", size), |b| {
            b.iter(|| modes::ctr_apply(&ours, black_box(&IV), black_box(&mut buf)))
        });
        g.bench_function(BenchmarkId::new("esp", size), |b| {
            b.iter(|| {
                k.encrypt(&IV[8..], &[], black_box(&mut buf), &mut [])
                    .unwrap()
            })
        });
        g.bench_function(
            BenchmarkId::new("belt-ctr-crate-over-zubr-block", size),
            |b| {
                b.iter(|| {
                    modes::BeltCtr::new(&KEY.into(), black_box(&IV).into())
                        .apply_keystream(black_box(&mut buf))
                })
            },
        );
        g.bench_function(BenchmarkId::new("belt-ctr-crate", size), |b| {
            b.iter(|| {
                belt_ctr::BeltCtr::new(&KEY.into(), black_box(&IV).into())
                    .apply_keystream(black_box(&mut buf))
            })
        });
    }
    g.finish();
}

fn dwp<M: Measurement>(c: &mut Criterion<M>) {
    let mut g = c.benchmark_group("belt-dwp");
    let ours = BeltDwp::new_with_key(&KEY);
    let che = BeltChe::new_with_key(&KEY);
    let esp = SOFTWARE.esp_cipher_by_name("esp-belt-dwp").unwrap();
    let mut keymat = KEY.to_vec();
    keymat.extend_from_slice(&IV[..8]);
    let mut k = esp.cipher.new_key(&keymat).unwrap();
    let aad = [0x11u8; 8]; // ESP: SPI ‖ sequence number
    for size in SIZES {
        g.throughput(Throughput::Bytes(size as u64));
        let mut buf = data(size);
        g.bench_function(BenchmarkId::new("raw-encrypt", size), |b| {
            b.iter(|| ours.encrypt_detached(black_box(&IV), &aad, black_box(&mut buf)))
        });
        let mut icv = [0u8; 8];
        g.bench_function(BenchmarkId::new("esp-encrypt", size), |b| {
            b.iter(|| {
                k.encrypt(&IV[8..], &aad, black_box(&mut buf), &mut icv)
                    .unwrap()
            })
        });
        let mut ct = data(size);
        let tag = ours.encrypt_detached(&IV, &aad, &mut ct);
        g.bench_function(BenchmarkId::new("raw-decrypt", size), |b| {
            b.iter(|| {
                let mut x = ct.clone();
                ours.decrypt_detached(&IV, &aad, black_box(&mut x), &tag)
                    .unwrap();
                x
            })
        });
        g.bench_function(BenchmarkId::new("raw-che-encrypt", size), |b| {
            b.iter(|| che.encrypt_detached(black_box(&IV), &aad, black_box(&mut buf)))
        });
    }
    g.finish();
}

fn cfb_cbc_ecb<M: Measurement>(c: &mut Criterion<M>) {
    let ours = BeltCipher::new(&KEY);
    let ike_cbc = SOFTWARE.ike_cipher_by_name("belt-cbc").unwrap();
    let ike_cfb = SOFTWARE.ike_cipher_by_name("belt-cfb").unwrap();
    let esp_cfb = SOFTWARE.esp_cipher_by_name("esp-belt-cfb").unwrap();
    let mut kcbc = ike_cbc.cipher.new_key(&KEY).unwrap();
    let mut kcfb = ike_cfb.cipher.new_key(&KEY).unwrap();
    let mut ecfb = esp_cfb.cipher.new_key(&KEY).unwrap();

    // IKE messages (and so the IKE objects) are whole blocks: 64 and 1408 bytes for the
    // 64/1400 points; the raw modes are measured on the same buffers.
    let mut g = c.benchmark_group("belt-cfb");
    for size in SIZES {
        g.throughput(Throughput::Bytes(size as u64));
        let mut buf = data(size);
        let mut whole = data(size.div_ceil(16) * 16);
        g.bench_function(BenchmarkId::new("raw-encrypt", size), |b| {
            b.iter(|| modes::cfb_encrypt(&ours, black_box(&IV), black_box(&mut buf)))
        });
        g.bench_function(BenchmarkId::new("esp-encrypt", size), |b| {
            b.iter(|| {
                ecfb.encrypt(&IV, &[], black_box(&mut buf), &mut [])
                    .unwrap()
            })
        });
        g.bench_function(BenchmarkId::new("ike-encrypt", size), |b| {
            b.iter(|| {
                let mut iv = IV;
                kcfb.encrypt(&mut iv, black_box(&mut whole)).unwrap()
            })
        });
        g.bench_function(BenchmarkId::new("raw-encrypt-whole", size), |b| {
            b.iter(|| modes::cfb_encrypt(&ours, black_box(&IV), black_box(&mut whole)))
        });
        g.bench_function(BenchmarkId::new("cfb-mode-crate-encrypt", size), |b| {
            b.iter(|| {
                cfb_mode::Encryptor::<belt_block::BeltBlock>::new(&KEY.into(), &IV.into())
                    .encrypt(black_box(&mut buf))
            })
        });
        g.bench_function(BenchmarkId::new("raw-decrypt", size), |b| {
            b.iter(|| modes::cfb_decrypt(&ours, black_box(&IV), black_box(&mut buf)))
        });
        g.bench_function(BenchmarkId::new("esp-decrypt", size), |b| {
            b.iter(|| ecfb.decrypt(&IV, &[], black_box(&mut buf), &[]).unwrap())
        });
    }
    g.finish();

    let mut g = c.benchmark_group("belt-cbc");
    for size in SIZES {
        g.throughput(Throughput::Bytes(size as u64));
        let mut buf = data(size.div_ceil(16) * 16);
        g.bench_function(BenchmarkId::new("raw-encrypt", size), |b| {
            b.iter(|| modes::cbc_encrypt(&ours, black_box(&IV), black_box(&mut buf)).unwrap())
        });
        g.bench_function(BenchmarkId::new("ike-encrypt", size), |b| {
            b.iter(|| {
                let mut iv = IV;
                kcbc.encrypt(&mut iv, black_box(&mut buf)).unwrap()
            })
        });
        g.bench_function(BenchmarkId::new("cbc-crate-encrypt", size), |b| {
            b.iter(|| {
                let mut e = cbc::Encryptor::<belt_block::BeltBlock>::new(&KEY.into(), &IV.into());
                let (blocks, _) = cipher::inout::InOutBuf::from(black_box(&mut buf[..]))
                    .into_chunks::<cipher::consts::U16>();
                e.encrypt_blocks_inout(blocks);
            })
        });
        g.bench_function(BenchmarkId::new("raw-decrypt", size), |b| {
            b.iter(|| modes::cbc_decrypt(&ours, black_box(&IV), black_box(&mut buf)).unwrap())
        });
        g.bench_function(BenchmarkId::new("ike-decrypt", size), |b| {
            b.iter(|| {
                let mut iv = IV;
                kcbc.decrypt(&mut iv, black_box(&mut buf)).unwrap()
            })
        });
        g.bench_function(BenchmarkId::new("cbc-crate-decrypt", size), |b| {
            b.iter(|| {
                let mut d = cbc::Decryptor::<belt_block::BeltBlock>::new(&KEY.into(), &IV.into());
                let (blocks, _) = cipher::inout::InOutBuf::from(black_box(&mut buf[..]))
                    .into_chunks::<cipher::consts::U16>();
                d.decrypt_blocks_inout(blocks);
            })
        });
        // A length that needs ciphertext stealing.
        let mut odd = data(size - 1);
        g.bench_function(BenchmarkId::new("raw-encrypt-stealing", size - 1), |b| {
            b.iter(|| modes::cbc_encrypt(&ours, black_box(&IV), black_box(&mut odd)).unwrap())
        });
    }
    g.finish();

    let mut g = c.benchmark_group("belt-ecb");
    for size in SIZES {
        g.throughput(Throughput::Bytes(size as u64));
        let mut buf = data(size);
        g.bench_function(BenchmarkId::new("raw-encrypt", size), |b| {
            b.iter(|| modes::ecb_encrypt(&ours, black_box(&mut buf)).unwrap())
        });
        g.bench_function(BenchmarkId::new("raw-decrypt", size), |b| {
            b.iter(|| modes::ecb_decrypt(&ours, black_box(&mut buf)).unwrap())
        });
        let mut odd = data(size - 1);
        g.bench_function(BenchmarkId::new("raw-encrypt-stealing", size - 1), |b| {
            b.iter(|| modes::ecb_encrypt(&ours, black_box(&mut odd)).unwrap())
        });
    }
    g.finish();
}

fn macs<M: Measurement>(c: &mut Criterion<M>) {
    let mut g = c.benchmark_group("belt-mac");
    let raw = BeltMac::new_with_key(&KEY);
    let integ = SOFTWARE.integrity_by_name("esp-belt-mac").unwrap();
    let k = integ.mac.new_key(&KEY).unwrap();
    for size in SIZES {
        g.throughput(Throughput::Bytes(size as u64));
        let buf = data(size);
        g.bench_function(BenchmarkId::new("raw", size), |b| {
            b.iter(|| {
                let mut m = raw.clone();
                m.absorb(black_box(&buf));
                m.tag()
            })
        });
        g.bench_function(BenchmarkId::new("integrity", size), |b| {
            b.iter(|| {
                let mut icv = [0u8; 8];
                k.compute(&[black_box(&buf)], &mut icv);
                icv
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("hmac-hbelt");
    let integ = SOFTWARE.integrity_by_name("esp-hbelt-hmac").unwrap();
    let k = integ.mac.new_key(&KEY).unwrap();
    let crate_mac = <belt::HmacHbelt as KeyInit>::new_from_slice(&KEY).unwrap();
    let prf = SOFTWARE.ike_hash_by_name("BELT-HASH").unwrap();
    for size in SIZES {
        g.throughput(Throughput::Bytes(size as u64));
        let buf = data(size);
        g.bench_function(BenchmarkId::new("hmac-crate", size), |b| {
            b.iter(|| {
                let mut m = crate_mac.clone();
                m.update(black_box(&buf));
                m.finalize().into_bytes()
            })
        });
        g.bench_function(BenchmarkId::new("integrity", size), |b| {
            b.iter(|| {
                let mut icv = [0u8; 16];
                k.compute(&[black_box(&buf)], &mut icv);
                icv
            })
        });
        g.bench_function(BenchmarkId::new("ike-prf", size), |b| {
            b.iter(|| prf.prf(&KEY, &[black_box(&buf)]))
        });
    }
    g.finish();
}

fn hash<M: Measurement>(c: &mut Criterion<M>) {
    let mut g = c.benchmark_group("belt-hash");
    let named = SOFTWARE.hash("belt-hash").unwrap();
    for size in SIZES {
        g.throughput(Throughput::Bytes(size as u64));
        let buf = data(size);
        g.bench_function(BenchmarkId::new("crate", size), |b| {
            b.iter(|| belt_hash::BeltHash::digest(black_box(&buf)))
        });
        g.bench_function(BenchmarkId::new("provider", size), |b| {
            b.iter(|| named.hash.hash(&[black_box(&buf)]))
        });
    }
    g.finish();
}

fn kdfs<M: Measurement>(c: &mut Criterion<M>) {
    let mut g = c.benchmark_group("belt-kwp");
    for size in SIZES {
        g.throughput(Throughput::Bytes(size as u64));
        let x = data(size - 16);
        let header = [0u8; 16];
        let mut y = vec![0u8; size];
        g.bench_function(BenchmarkId::new("wrap", size), |b| {
            b.iter(|| kwp::wrap(&KEY, black_box(&x), &header, &mut y).unwrap())
        });
        let mut w = y.clone();
        g.bench_function(BenchmarkId::new("unwrap-in-place", size), |b| {
            b.iter(|| {
                w.copy_from_slice(&y);
                kwp::unwrap_in_place(&KEY, black_box(&mut w), &header).unwrap()
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("belt-kdf");
    g.bench_function("keyrep-256", |b| {
        let mut out = [0u8; 32];
        b.iter(|| belt::keyrep(black_box(&KEY), &[1; 12], &[2; 16], &mut out).unwrap())
    });
    g.bench_function("keyexpand-128", |b| {
        b.iter(|| belt::keyexpand(black_box(&KEY[..16])))
    });
    g.bench_function("pbkdf2-1000", |b| {
        let mut out = [0u8; 32];
        b.iter(|| belt::pbkdf2(black_box(b"password"), b"saltsalt", 1000, &mut out))
    });
    g.finish();
}

fn ratios<M: Measurement>(_c: &mut Criterion<M>) {
    println!();
    for size in SIZES {
        let s = size.to_string();
        let id = |name: &str| format!("{name}/{s}");
        // Provider wrappers vs what they wrap (goal ≥ 0.95).
        let w = Some(0.95);
        report_speed_ratio(
            &format!("esp-belt-ctr vs raw belt-ctr @{s}"),
            ("belt-ctr", &id("esp")),
            ("belt-ctr", &id("raw")),
            w,
        );
        report_speed_ratio(
            &format!("esp-belt-dwp vs raw belt-dwp @{s}"),
            ("belt-dwp", &id("esp-encrypt")),
            ("belt-dwp", &id("raw-encrypt")),
            w,
        );
        report_speed_ratio(
            &format!("esp-belt-cfb enc vs raw @{s}"),
            ("belt-cfb", &id("esp-encrypt")),
            ("belt-cfb", &id("raw-encrypt")),
            w,
        );
        report_speed_ratio(
            &format!("esp-belt-cfb dec vs raw @{s}"),
            ("belt-cfb", &id("esp-decrypt")),
            ("belt-cfb", &id("raw-decrypt")),
            w,
        );
        report_speed_ratio(
            &format!("IKE belt-cfb vs raw @{s}"),
            ("belt-cfb", &id("ike-encrypt")),
            ("belt-cfb", &id("raw-encrypt-whole")),
            w,
        );
        report_speed_ratio(
            &format!("IKE belt-cbc enc vs raw @{s}"),
            ("belt-cbc", &id("ike-encrypt")),
            ("belt-cbc", &id("raw-encrypt")),
            w,
        );
        report_speed_ratio(
            &format!("IKE belt-cbc dec vs raw @{s}"),
            ("belt-cbc", &id("ike-decrypt")),
            ("belt-cbc", &id("raw-decrypt")),
            w,
        );
        report_speed_ratio(
            &format!("BELT-K256-MAC integrity vs raw belt-mac @{s}"),
            ("belt-mac", &id("integrity")),
            ("belt-mac", &id("raw")),
            w,
        );
        report_speed_ratio(
            &format!("HMAC-HBELT integrity vs hmac crate @{s}"),
            ("hmac-hbelt", &id("integrity")),
            ("hmac-hbelt", &id("hmac-crate")),
            w,
        );
        report_speed_ratio(
            &format!("belt-hash provider vs belt-hash crate @{s}"),
            ("belt-hash", &id("provider")),
            ("belt-hash", &id("crate")),
            w,
        );
        // Our block cipher and modes vs the crates (informational).
        report_speed_ratio(
            &format!("zubr belt-block vs belt-block crate (ECB) @{s}"),
            ("belt-block", &id("zubr-ecb")),
            ("belt-block", &id("crate-ecb")),
            None,
        );
        report_speed_ratio(
            &format!("zubr belt-ctr vs belt-ctr crate @{s}"),
            ("belt-ctr", &id("raw")),
            ("belt-ctr", &id("belt-ctr-crate")),
            None,
        );
        report_speed_ratio(
            &format!("zubr belt-cfb vs cfb-mode crate @{s}"),
            ("belt-cfb", &id("raw-encrypt")),
            ("belt-cfb", &id("cfb-mode-crate-encrypt")),
            None,
        );
        report_speed_ratio(
            &format!("zubr belt-cbc dec vs cbc crate @{s}"),
            ("belt-cbc", &id("raw-decrypt")),
            ("belt-cbc", &id("cbc-crate-decrypt")),
            None,
        );
    }
    // bee2 anchors (1400 bytes, MB/s = 10^6 bytes/s).
    for (label, group, bench, anchor) in [
        ("belt-ctr raw", "belt-ctr", "raw/1400", BEE2_CTR_MBS),
        ("belt-ctr ESP", "belt-ctr", "esp/1400", BEE2_CTR_MBS),
        ("belt-dwp raw", "belt-dwp", "raw-encrypt/1400", BEE2_DWP_MBS),
        ("belt-dwp ESP", "belt-dwp", "esp-encrypt/1400", BEE2_DWP_MBS),
    ] {
        if let Some(mbs) = throughput_mbs(group, bench, 1400) {
            let r = mbs / anchor;
            println!(
                "RATIO {label} vs bee2 ({anchor} MB/s): {r:.3} ({mbs:.1} MB/s) (goal >= 1) {}",
                if r >= 1.0 { "met" } else { "NOT MET" }
            );
        }
    }
}

/// Minimum CPU time per call of `f` over `rounds` batches of `batch` calls.
fn min_batch(f: &mut dyn FnMut(), batch: u32) -> f64 {
    let t = cpu_time::ThreadTime::now();
    for _ in 0..batch {
        f();
    }
    t.elapsed().as_nanos() as f64 / batch as f64
}

/// Subject and reference measured alternately, batch by batch, keeping the fastest batch of
/// each: both see the same machine load, so the ratio is far steadier than two separate
/// criterion runs on a shared machine. Prints `RATIO (paired) …` and returns (ratio, subject ns).
fn pair(
    label: &str,
    goal: Option<f64>,
    subject: &mut dyn FnMut(),
    reference: &mut dyn FnMut(),
) -> (f64, f64) {
    let (mut s_min, mut r_min) = (f64::MAX, f64::MAX);
    for _ in 0..1000 {
        s_min = s_min.min(min_batch(subject, 20));
        r_min = r_min.min(min_batch(reference, 20));
    }
    let ratio = r_min / s_min;
    match goal {
        Some(g) => println!(
            "RATIO (paired) {label}: {ratio:.3} (goal >= {g}) {}",
            if ratio >= g { "met" } else { "NOT MET" }
        ),
        None => println!("RATIO (paired) {label}: {ratio:.3}"),
    }
    (ratio, s_min)
}

/// Paired ratios of every wrapper against what it wraps, and the bee2 anchors from the fastest
/// batches.
fn paired<M: Measurement>(_c: &mut Criterion<M>) {
    println!();
    let w = Some(0.95);
    let ours = BeltCipher::new(&KEY);
    let dwp = BeltDwp::new_with_key(&KEY);
    let mut keymat = KEY.to_vec();
    keymat.extend_from_slice(&IV[..8]);
    let mut ectr = SOFTWARE
        .esp_cipher_by_name("esp-belt-ctr")
        .unwrap()
        .cipher
        .new_key(&keymat)
        .unwrap();
    let mut edwp = SOFTWARE
        .esp_cipher_by_name("esp-belt-dwp")
        .unwrap()
        .cipher
        .new_key(&keymat)
        .unwrap();
    let mut ecfb = SOFTWARE
        .esp_cipher_by_name("esp-belt-cfb")
        .unwrap()
        .cipher
        .new_key(&KEY)
        .unwrap();
    let mut kcbc = SOFTWARE
        .ike_cipher_by_name("belt-cbc")
        .unwrap()
        .cipher
        .new_key(&KEY)
        .unwrap();
    let mut kcfb = SOFTWARE
        .ike_cipher_by_name("belt-cfb")
        .unwrap()
        .cipher
        .new_key(&KEY)
        .unwrap();
    let kmac = SOFTWARE
        .integrity_by_name("esp-belt-mac")
        .unwrap()
        .mac
        .new_key(&KEY)
        .unwrap();
    let khmac = SOFTWARE
        .integrity_by_name("esp-hbelt-hmac")
        .unwrap()
        .mac
        .new_key(&KEY)
        .unwrap();
    let raw_mac = BeltMac::new_with_key(&KEY);
    let crate_hmac = <belt::HmacHbelt as KeyInit>::new_from_slice(&KEY).unwrap();
    let named = SOFTWARE.hash("belt-hash").unwrap();
    let aad = [0x11u8; 8];
    for size in SIZES {
        let mut a = data(size);
        let mut b = data(size);
        let mut wa = data(size.div_ceil(16) * 16);
        let mut wb = wa.clone();
        let (mut ia, mut ib) = ([0u8; 8], [0u8; 8]);
        let ctr = pair(
            &format!("esp-belt-ctr vs raw belt-ctr @{size}"),
            w,
            &mut || {
                ectr.encrypt(&IV[8..], &[], black_box(&mut a), &mut [])
                    .unwrap()
            },
            &mut || modes::ctr_apply(&ours, black_box(&IV), black_box(&mut b)),
        );
        let dw = pair(
            &format!("esp-belt-dwp vs raw belt-dwp @{size}"),
            w,
            &mut || {
                edwp.encrypt(&IV[8..], &aad, black_box(&mut a), &mut ia)
                    .unwrap()
            },
            &mut || ib = dwp.encrypt_detached(black_box(&IV), &aad, black_box(&mut b)),
        );
        pair(
            &format!("esp-belt-cfb enc vs raw @{size}"),
            w,
            &mut || ecfb.encrypt(&IV, &[], black_box(&mut a), &mut []).unwrap(),
            &mut || modes::cfb_encrypt(&ours, black_box(&IV), black_box(&mut b)),
        );
        pair(
            &format!("esp-belt-cfb dec vs raw @{size}"),
            w,
            &mut || ecfb.decrypt(&IV, &[], black_box(&mut a), &[]).unwrap(),
            &mut || modes::cfb_decrypt(&ours, black_box(&IV), black_box(&mut b)),
        );
        pair(
            &format!("IKE belt-cfb vs raw @{size}"),
            w,
            &mut || kcfb.encrypt(&mut IV.clone(), black_box(&mut wa)).unwrap(),
            &mut || modes::cfb_encrypt(&ours, black_box(&IV), black_box(&mut wb)),
        );
        pair(
            &format!("IKE belt-cbc enc vs raw @{size}"),
            w,
            &mut || kcbc.encrypt(&mut IV.clone(), black_box(&mut wa)).unwrap(),
            &mut || modes::cbc_encrypt(&ours, black_box(&IV), black_box(&mut wb)).unwrap(),
        );
        pair(
            &format!("IKE belt-cbc dec vs raw @{size}"),
            w,
            &mut || kcbc.decrypt(&mut IV.clone(), black_box(&mut wa)).unwrap(),
            &mut || modes::cbc_decrypt(&ours, black_box(&IV), black_box(&mut wb)).unwrap(),
        );
        pair(
            &format!("BELT-K256-MAC integrity vs raw belt-mac @{size}"),
            w,
            &mut || {
                let mut t = [0u8; 8];
                kmac.compute(&[black_box(&a)], &mut t);
                black_box(t);
            },
            &mut || {
                let mut m = raw_mac.clone();
                m.absorb(black_box(&b));
                black_box(m.tag());
            },
        );
        pair(
            &format!("HMAC-HBELT integrity vs hmac crate @{size}"),
            w,
            &mut || {
                let mut t = [0u8; 16];
                khmac.compute(&[black_box(&a)], &mut t);
                black_box(t);
            },
            &mut || {
                let mut m = crate_hmac.clone();
                m.update(black_box(&b));
                black_box(m.finalize().into_bytes());
            },
        );
        pair(
            &format!("belt-hash provider vs belt-hash crate @{size}"),
            w,
            &mut || {
                black_box(named.hash.hash(&[black_box(&a)]));
            },
            &mut || {
                black_box(belt_hash::BeltHash::digest(black_box(&b)));
            },
        );
        if size == 1400 {
            for (label, (_, ns), anchor) in [
                ("belt-ctr ESP", ctr, BEE2_CTR_MBS),
                ("belt-dwp ESP", dw, BEE2_DWP_MBS),
            ] {
                let mbs = size as f64 * 1e3 / ns;
                let r = mbs / anchor;
                println!(
                    "RATIO (paired, fastest batch) {label} vs bee2 ({anchor} MB/s): {r:.3} ({mbs:.1} MB/s) (goal >= 1) {}",
                    if r >= 1.0 { "met" } else { "NOT MET" }
                );
            }
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(ThreadCpuTime);
    targets = block, ctr, dwp, cfb_cbc_ecb, macs, hash, kdfs, ratios, paired
}
criterion_main!(benches);
