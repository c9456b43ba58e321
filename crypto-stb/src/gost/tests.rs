//! Unit and property tests of the GOST family.

use super::kat::SELF_TESTS;

#[test]
fn self_tests_pass() {
    for t in SELF_TESTS {
        match (t.run)() {
            Ok(n) => assert!(n > 0, "{}: no vectors", t.name),
            Err(e) => panic!("{}: {e}", t.name),
        }
    }
}

#[test]
fn reference_round_function_matches_magma() {
    use super::block::Gost28147;
    use super::sbox::CryptoProA;
    let key: [u8; 32] = core::array::from_fn(|i| (i as u8).wrapping_mul(37).wrapping_add(5));
    let c = Gost28147::<CryptoProA>::new(&key);
    for seed in 0u8..16 {
        let mut a: [u8; 8] = core::array::from_fn(|i| seed.wrapping_mul(11).wrapping_add(i as u8));
        let mut b = a;
        c.encrypt_block(&mut a);
        c.encrypt_block_reference(&mut b);
        assert_eq!(a, b);
    }
}

#[test]
fn print_counts() {
    extern crate std;
    for t in SELF_TESTS {
        std::println!("{:?} {}", (t.run)(), t.name);
    }
}
