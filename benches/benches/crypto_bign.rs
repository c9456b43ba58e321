//! bign (STB 34.101.45) on bign-curve256v1: our signer/verifier/ECDH against the `bignp256`
//! crate measured in the same run, and against the bee2 anchor of the issue (bee2 signs in
//! 0.045 ms on this machine class). Also the 384/512-bit curves and bake.
//!
//! `cargo bench -p zubr-benches --bench crypto_bign -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use bignp256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use criterion::Criterion;
use zubr_benches::{mean_ns, report_speed_ratio};
use zubr_crypto_stb::bign::{self, BELT_HASH_OID_DER, Curve256, Curve384, Curve512, PrivateKey};
use zubr_crypto_stb::brng::BrngCtr;

/// bee2's bign-256 signing time on this machine class (issue 3), in ns.
const BEE2_SIGN_NS: f64 = 45_000.0;

const D: [u8; 32] = [
    0x1F, 0x66, 0xB5, 0xB8, 0x4B, 0x73, 0x39, 0x67, 0x45, 0x33, 0xF0, 0x32, 0x9C, 0x74, 0xF2, 0x18,
    0x34, 0x28, 0x1F, 0xED, 0x07, 0x32, 0x42, 0x9E, 0x0C, 0x79, 0x23, 0x5F, 0xC2, 0x73, 0xE2, 0x69,
];

fn rng() -> BrngCtr {
    BrngCtr::new(&[7u8; 32], &[9u8; 32])
}

fn bign256(c: &mut Criterion) {
    let mut g = c.benchmark_group("bign256");
    let key = PrivateKey::<Curve256>::from_bytes(&D).expect("key");
    let h = [0x5au8; 32];
    let mut sig = [0u8; 48];
    key.sign_prehash_det::<belt_hash::BeltHash>(&h, &[], &mut sig)
        .expect("sign");
    let pk = key.public_key().clone();

    g.bench_function("sign-prehash-det/zubr", |b| {
        b.iter(|| {
            let mut s = [0u8; 48];
            key.sign_prehash_det::<belt_hash::BeltHash>(black_box(&h), &[], &mut s)
                .expect("sign");
            s
        })
    });
    let mut r = rng();
    g.bench_function("sign-prehash-random/zubr", |b| {
        b.iter(|| {
            let mut s = [0u8; 48];
            key.sign_prehash_random(&BELT_HASH_OID_DER, black_box(&h), &mut r, &mut s)
                .expect("sign");
            s
        })
    });
    g.bench_function("sign-hbelt-64B/zubr", |b| {
        b.iter(|| key.sign_hbelt(black_box(&[0x11u8; 64]), &[]).expect("sign"))
    });
    g.bench_function("verify-prehash/zubr", |b| {
        b.iter(|| pk.verify_prehash(&BELT_HASH_OID_DER, black_box(&h), &sig))
    });
    g.bench_function("keygen/zubr", |b| {
        b.iter(|| PrivateKey::<Curve256>::generate(&mut r).expect("keygen"))
    });
    let peer = PrivateKey::<Curve256>::generate(&mut r).expect("keygen");
    g.bench_function("ecdh-agree/zubr", |b| {
        b.iter(|| {
            let mut out = [0u8; 32];
            key.agree(black_box(peer.public_key()), &mut out)
                .expect("agree");
            out
        })
    });
    g.bench_function("genk/zubr", |b| {
        b.iter(|| {
            key.genk::<belt_hash::BeltHash>(black_box(&h), &[])
                .expect("genk")
        })
    });

    // The crate, same inputs.
    let sk = bignp256::ecdsa::SigningKey::from_slice(&D).expect("crate key");
    let vk = *sk.verifying_key();
    let csig: bignp256::ecdsa::Signature = sk.sign_prehash(&h).expect("crate sign");
    assert_eq!(
        csig.to_bytes().as_slice(),
        &sig[..],
        "same deterministic signature"
    );
    g.bench_function("sign-prehash-det/bignp256", |b| {
        b.iter(|| {
            let s: bignp256::ecdsa::Signature = sk.sign_prehash(black_box(&h)).expect("sign");
            s
        })
    });
    g.bench_function("verify-prehash/bignp256", |b| {
        b.iter(|| vk.verify_prehash(black_box(&h), &csig))
    });
    g.finish();
}

/// The pieces of a signature: field operations, point operations, the fixed-base product.
fn bign256_parts(c: &mut Criterion) {
    use bign::point::ProjectivePoint;
    use primefield::ff::Field;
    type Fe = <Curve256 as bign::BignCurve>::Fe;
    type Sc = <Curve256 as bign::BignCurve>::Sc;
    let mut g = c.benchmark_group("bign256-parts");
    let x = Fe::from(0x1234_5678_9abc_def0u64).square().square();
    let y = x.square() + Fe::ONE;
    g.bench_function("fe-mul", |b| b.iter(|| black_box(x) * black_box(y)));
    g.bench_function("fe-square", |b| b.iter(|| black_box(x).square()));
    g.bench_function("fe-invert", |b| b.iter(|| black_box(x).invert()));
    let p = ProjectivePoint::<Curve256>::generator().double().double();
    let a = <Curve256 as bign::BignCurve>::generator_affine();
    g.bench_function("pt-add", |b| b.iter(|| black_box(p).add(&p)));
    g.bench_function("pt-add-affine", |b| b.iter(|| black_box(p).add_affine(&a)));
    g.bench_function("pt-double", |b| b.iter(|| black_box(p).double()));
    g.bench_function("pt-to-affine", |b| b.iter(|| black_box(p).to_affine()));
    let k = Sc::from(0xdead_beef_u64).square().square().square();
    g.bench_function("mul-generator", |b| {
        b.iter(|| <Curve256 as bign::BignCurve>::mul_generator(black_box(&k)))
    });
    g.finish();
}

fn bign_big(c: &mut Criterion) {
    let mut g = c.benchmark_group("bign-big");
    let mut r = rng();
    let k384 = PrivateKey::<Curve384>::generate(&mut r).expect("keygen");
    let k512 = PrivateKey::<Curve512>::generate(&mut r).expect("keygen");
    let oid = [0x06, 0x01, 0x00];
    g.bench_function("sign-384/zubr", |b| {
        b.iter(|| {
            let mut s = [0u8; bign::sig_len::<Curve384>()];
            k384.sign_prehash_random(&oid, &[1u8; 48], &mut r, &mut s)
                .expect("sign");
            s
        })
    });
    g.bench_function("sign-512/zubr", |b| {
        b.iter(|| {
            let mut s = [0u8; bign::sig_len::<Curve512>()];
            k512.sign_prehash_random(&oid, &[1u8; 64], &mut r, &mut s)
                .expect("sign");
            s
        })
    });
    g.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bign256(&mut c);
    bign256_parts(&mut c);
    bign_big(&mut c);
    c.final_summary();

    report_speed_ratio(
        "bign256 sign (det) zubr vs bignp256",
        ("bign256", "sign-prehash-det_zubr"),
        ("bign256", "sign-prehash-det_bignp256"),
        None,
    );
    report_speed_ratio(
        "bign256 verify zubr vs bignp256",
        ("bign256", "verify-prehash_zubr"),
        ("bign256", "verify-prehash_bignp256"),
        None,
    );
    for id in ["sign-prehash-det_zubr", "sign-prehash-random_zubr"] {
        if let Some(ns) = mean_ns("bign256", id) {
            let ratio = BEE2_SIGN_NS / ns;
            println!(
                "RATIO bign256 {id} vs bee2 0.045 ms: {ratio:.3} (goal >= 1.0) {}",
                if ratio >= 1.0 { "met" } else { "NOT MET" }
            );
        }
    }
}
