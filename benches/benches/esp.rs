//! ESP (and AH) encapsulate + decapsulate at 64, 512 and 1400 bytes for every suite of the
//! provider's tables, each reported as a speed ratio to the raw primitives doing the same
//! cryptographic work in the same run (cipher encrypt + decrypt of the same ciphertext length,
//! two MACs over the same authenticated length, the same packet copy).
//!
//! Time is the benchmark thread's CPU time ([`ThreadCpuTime`]): on a shared two-core machine
//! descheduled wall time would land on whichever of the pair ran at that moment. The ESP
//! `RATIO` lines are paired ([`PairedRatio`]): every criterion sample of `esp/N` is followed by
//! as many iterations of the raw primitives, and the ratio is the median over the samples of
//! raw time / ESP time, so a neighbour that starts during one bench no longer shifts it; the
//! `raw/N` bench still reports the primitives' own time. AH (`ah/N`) is measured the same way.
//!
//! Goals (issue 2/8): AES-128-GCM at 1400 B ≥ 0.90; CBC+HMAC-SHA1, GOST and belt suites at
//! 1400 B ≥ 0.90; every suite at 64 B ≥ 1/1.3 (per-packet cost ≤ 1.3× raw).
//! `cargo bench -p zubr-benches --bench esp -- FILTER` (e.g. `aes128-cbc\+esp-sha1`).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::net::Ipv4Addr;

use zubr_ah::{AhConfig, AhInbound, AhOutbound};
use zubr_base::sa::{Mode, SaParams, Tunnel};
use zubr_base::{Instant, PacketBuf, ip};
use zubr_benches::{PairedRatio, ThreadCpuTime, print_ratio};
use zubr_crypto_stb::SOFTWARE as P;
use zubr_crypto_stb::provider::{EspCipher, Integrity};
use zubr_esp::{EspConfig, EspInbound, EspOutbound};

const SIZES: [usize; 3] = [64, 512, 1400];
const NOW: Instant = Instant::ZERO;

fn packet(len: usize) -> Vec<u8> {
    let mut p = vec![0x5au8; len];
    ip::write_header(
        &mut p,
        &ip::Ipv4Fields {
            tos: 0,
            total_len: len as u16,
            id: 1,
            df: true,
            ttl: 64,
            protocol: 17,
            src: Ipv4Addr::new(10, 0, 0, 1),
            dst: Ipv4Addr::new(10, 0, 1, 1),
        },
    );
    p[24..26].copy_from_slice(&((len - 20) as u16).to_be_bytes());
    p
}

/// Every suite: AEADs alone, every other cipher with every integrity algorithm.
fn suites() -> Vec<(&'static EspCipher, Option<&'static Integrity>)> {
    let mut v = Vec::new();
    for c in P.esp_ciphers {
        if c.is_aead() {
            v.push((c, None));
        } else {
            for i in P.integrity {
                v.push((c, Some(i)));
            }
        }
    }
    v
}

fn goal_1400(c: &EspCipher, i: Option<&Integrity>) -> Option<f64> {
    let gcm128 = c.is_aead() && c.transform_id == 20 && c.key_bits == Some(128);
    let cbc_sha1 =
        c.transform_id == 12 && c.key_bits == Some(128) && i.is_some_and(|i| i.auth_algorithm == 2);
    let gost =
        c.lsp_name.starts_with("G2814789") && i.is_some_and(|i| i.lsp_name.starts_with("GR3411"));
    let belt = c.lsp_name.starts_with("BELT") && i.is_some_and(|i| i.lsp_name.contains("BELT"));
    (gcm128 || cbc_sha1 || gost || belt).then_some(0.90)
}

fn esp(c: &mut Criterion<ThreadCpuTime>) {
    let mut goals = Vec::new();
    for (cipher, integ) in suites() {
        let name = format!(
            "esp-{}+{}",
            cipher.sa_name.trim_start_matches("esp-"),
            integ.map_or("none", |i| i.esp_sa_name)
        );
        let ek: Vec<u8> = (0..cipher.cipher.key_len()).map(|i| i as u8).collect();
        let ak: Vec<u8> = integ.map_or(vec![], |i| (0..i.mac.key_len()).map(|j| j as u8).collect());
        let tunnel = Tunnel {
            src: [1, 1, 1, 1].into(),
            dst: [2, 2, 2, 2].into(),
        };
        let cfg = EspConfig::new(
            SaParams::new(1, Mode::Tunnel, Some(tunnel)),
            cipher,
            &ek,
            integ,
            &ak,
        );
        let mut rng = P.drbg.instantiate(&[1; 32]).expect("drbg");
        let (Ok(mut out), Ok(mut inb)) = (
            EspOutbound::new(&cfg, &mut *rng, NOW),
            EspInbound::new(&cfg, NOW),
        ) else {
            continue;
        };
        // raw primitives for the reference
        let mut ck = cipher.cipher.new_key(&ek).expect("key");
        let mac = integ.map(|i| i.mac.new_key(&ak).expect("mac"));
        let icv_len = integ.map_or(cipher.cipher.icv_len(), |i| i.icv_len);
        let mut g = c.benchmark_group(&name);
        let mut paired = Vec::new();
        for size in SIZES {
            let pkt = packet(size);
            g.throughput(Throughput::Bytes(size as u64));
            let mut buf = vec![0u8; 2048];
            let mut esp_op = || {
                let mut p = PacketBuf::copy_from(&mut buf, 128, black_box(&pkt)).expect("buf");
                out.encapsulate(NOW, &mut p).expect("encapsulate");
                inb.decapsulate(NOW, &mut p).expect("decapsulate");
            };
            // the same work with the bare primitives: ciphertext = payload + trailer rounded up
            let align = cipher.cipher.block_len().max(4);
            let ct_len = (size + 2).div_ceil(align) * align;
            let iv = vec![3u8; cipher.cipher.iv_len()];
            let mut ct = vec![0u8; ct_len];
            let mut auth = vec![0u8; 8 + iv.len() + ct_len];
            let mut icv = vec![0u8; icv_len];
            let mut tag = vec![0u8; icv_len];
            let mut copy = vec![0u8; 2048];
            let mut raw_op = || {
                copy[128..128 + size].copy_from_slice(black_box(&pkt));
                if cipher.is_aead() {
                    ck.encrypt(&iv, &auth[..8], &mut ct, &mut tag).expect("enc");
                    ck.decrypt(&iv, &auth[..8], &mut ct, &tag).expect("dec");
                } else {
                    ck.encrypt(&iv, &[], &mut ct, &mut []).expect("enc");
                    if let Some(m) = &mac {
                        auth[8 + iv.len()..].copy_from_slice(&ct);
                        m.compute(&[&auth], &mut icv);
                        m.compute(&[&auth], &mut tag);
                    }
                    ck.decrypt(&iv, &[], &mut ct, &[]).expect("dec");
                }
            };
            let mut pair = PairedRatio::default();
            g.bench_function(BenchmarkId::new("esp", size), |b| {
                b.iter_custom(|iters| pair.measure(iters, &mut esp_op, &mut raw_op))
            });
            g.bench_function(BenchmarkId::new("raw", size), |b| b.iter(&mut raw_op));
            paired.push((size, pair.median()));
        }
        g.finish();
        for (size, ratio) in paired {
            let goal = match size {
                64 => Some(1.0 / 1.3),
                1400 => goal_1400(cipher, integ),
                _ => None,
            };
            if let Some(r) = ratio {
                print_ratio(&format!("{name} {size}B vs raw primitives"), r, goal);
                if let Some(g) = goal {
                    goals.push(r >= g);
                }
            }
        }
    }
    let met = goals.iter().filter(|m| **m).count();
    println!("esp: {met} of {} goals met", goals.len());
}

fn ah(c: &mut Criterion<ThreadCpuTime>) {
    for integ in P.integrity.iter().filter(|i| i.ah_transform_id.is_some()) {
        let name = format!("ah-{}", integ.ah_sa_name.trim_start_matches("ah-"));
        let key: Vec<u8> = (0..integ.mac.key_len()).map(|i| i as u8).collect();
        let cfg = AhConfig {
            params: SaParams::new(1, Mode::Transport, None),
            integrity: integ,
            key: &key,
        };
        let mut rng = P.drbg.instantiate(&[1; 32]).expect("drbg");
        let mut out = AhOutbound::new(&cfg, &mut *rng, NOW).expect("sa");
        let mut inb = AhInbound::new(&cfg, NOW).expect("sa");
        let mac = integ.mac.new_key(&key).expect("mac");
        let mut g = c.benchmark_group(&name);
        let mut paired = Vec::new();
        for size in SIZES {
            let pkt = packet(size);
            g.throughput(Throughput::Bytes(size as u64));
            let mut buf = vec![0u8; 2048];
            let mut ah_op = || {
                let mut p = PacketBuf::copy_from(&mut buf, 128, black_box(&pkt)).expect("buf");
                out.encapsulate(NOW, &mut p).expect("protect");
                inb.decapsulate(NOW, &mut p).expect("verify");
            };
            let data = vec![0u8; size + 12 + integ.icv_len];
            let mut icv = vec![0u8; integ.icv_len];
            let mut copy = vec![0u8; 2048];
            let mut raw_op = || {
                copy[128..128 + size].copy_from_slice(black_box(&pkt));
                mac.compute(&[&data], &mut icv);
                mac.compute(&[&data], &mut icv);
            };
            let mut pair = PairedRatio::default();
            g.bench_function(BenchmarkId::new("ah", size), |b| {
                b.iter_custom(|iters| pair.measure(iters, &mut ah_op, &mut raw_op))
            });
            g.bench_function(BenchmarkId::new("raw", size), |b| b.iter(&mut raw_op));
            paired.push((size, pair.median()));
        }
        g.finish();
        for (size, ratio) in paired {
            if let Some(r) = ratio {
                print_ratio(
                    &format!("{name} {size}B vs raw MAC"),
                    r,
                    (size == 64).then_some(1.0 / 1.3),
                );
            }
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(ThreadCpuTime);
    targets = esp, ah
}
criterion_main!(benches);
