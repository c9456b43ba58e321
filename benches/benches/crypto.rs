//! Crypto provider benchmarks: every algorithm at 64 and 1400 bytes, with each wrapper measured
//! against the raw crate it wraps in the same run.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use zubr_crypto_stb::SOFTWARE;

const SIZES: [usize; 2] = [64, 1400];

fn hashes(c: &mut Criterion) {
    let mut g = c.benchmark_group("hash");
    for size in SIZES {
        let data = vec![0x5au8; size];
        g.throughput(Throughput::Bytes(size as u64));
        for h in SOFTWARE.hashes {
            g.bench_function(format!("{}/{size}", h.name), |b| {
                b.iter(|| h.hash.hash(&[black_box(&data)]))
            });
        }
    }
    g.finish();
}

fn esp_ciphers(c: &mut Criterion) {
    let mut g = c.benchmark_group("esp-cipher");
    for size in SIZES {
        g.throughput(Throughput::Bytes(size as u64));
        for e in SOFTWARE.esp_ciphers {
            let key = vec![7u8; e.cipher.key_len()];
            let mut k = e.cipher.new_key(&key).expect("key");
            let iv = vec![1u8; e.cipher.iv_len()];
            let bl = e.cipher.block_len().max(1);
            let mut data = vec![0u8; size.div_ceil(bl) * bl];
            let mut icv = vec![0u8; e.cipher.icv_len()];
            g.bench_function(format!("{}/{size}", e.sa_name), |b| {
                b.iter(|| {
                    k.encrypt(&iv, &[], black_box(&mut data), &mut icv)
                        .expect("encrypt")
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, hashes, esp_ciphers);
criterion_main!(benches);
