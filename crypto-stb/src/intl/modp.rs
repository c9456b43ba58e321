//! MODP Diffie–Hellman: the Oakley groups 1 and 2 (RFC 2409 §6.1–6.2) and the RFC 3526 groups
//! 5, 14, 15, 16, 17 and 18, all with generator 2.
//!
//! Hand-written (no maintained crate does finite-field DH on the current trait line) on top of
//! `crypto-bigint` 0.7: fixed-size [`Uint`]s on the stack and [`FixedMontyForm`] Montgomery
//! arithmetic, whose exponentiation is constant-time in the exponent's value (only the public
//! exponent *length* shapes the running time). The Montgomery parameters of every prime are
//! computed at compile time.
//!
//! * **Private exponent.** Groups 1 and 2 use a full-size exponent `1 < x < p − 1`. Groups 5 and
//!   14–18 use a short exponent as RFC 3526 §8 allows: `x` is `2·s` random bits, where `s` is the
//!   upper end of the strength estimate in RFC 3526's table, rounded up to a multiple of 64 bits
//!   (group 5: 256, 14: 320, 15: 448, 16: 512, 17: 576, 18: 640 bits).
//! * **Wire encoding.** The public value and the shared secret are big-endian, left-padded with
//!   zeros to `len(p)` bytes (RFC 2409 §5: "pre-pending the value with zeros").
//! * **Peer validation.** A peer value must be exactly `len(p)` bytes and satisfy `1 < y < p − 1`;
//!   anything else is [`Error::InvalidPublicKey`]. The primes are safe primes, so this excludes
//!   the small subgroup {1, p − 1}.
//!
//! The module must not use variable-time arithmetic on secrets and must not allocate without bound
//! on peer input (the only allocations are the `len(p)`-byte outputs).
//!
//! The primes were derived from their defining formula `2^n − 2^(n−64) − 1 + 2^64·(⌊2^(n−130)·π⌋ +
//! k)` with the RFCs' `k`, checked to be safe primes and compared with the RFC listings
//! (`crypto-stb/vectors/scripts/modp.py`); the test module re-checks them with an independent
//! big-integer library.

use alloc::boxed::Box;
use alloc::vec::Vec;

use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{
    EncodedUint, Limb, Odd, U768, U1024, U1536, U2048, U3072, U4096, U6144, U8192, Uint,
};
use zeroize::{Zeroize, Zeroizing};

use crate::kat::{self, KatError, SelfTest};
use crate::provider::{DhAlgorithm, DhPrivateKey, SharedSecret};
use crate::{Error, Rng};

/// A MODP group with a prime of `L` limbs (`len(p) = L · Limb::BYTES` bytes) and generator 2.
pub struct ModpGroup<const L: usize> {
    params: FixedMontyParams<L>,
    exp_bits: u32,
}

impl<const L: usize> ModpGroup<L> {
    /// The group of the (odd, big-endian hex) prime `prime_hex` whose private exponents have
    /// `exp_bits` bits (a multiple of 8; `L · Limb::BITS` for a full-size exponent).
    ///
    /// Evaluated at compile time for the static groups below; panics on an even prime or a hex
    /// string of the wrong length.
    pub const fn new(prime_hex: &str, exp_bits: u32) -> Self {
        assert!(exp_bits.is_multiple_of(8) && exp_bits <= Uint::<L>::BITS && exp_bits >= 64);
        let p = Odd::<Uint<L>>::from_be_hex(prime_hex);
        ModpGroup {
            params: FixedMontyParams::new_vartime(p),
            exp_bits,
        }
    }

    /// The prime `p`.
    pub fn prime(&self) -> &Uint<L> {
        self.params.modulus().as_ref()
    }

    /// `len(p)` in bytes.
    pub const fn len_bytes(&self) -> usize {
        L * Limb::BYTES
    }

    /// Length of the private exponents this group generates, in bits.
    pub const fn exponent_bits(&self) -> u32 {
        self.exp_bits
    }

    fn full_size(&self) -> bool {
        self.exp_bits == Uint::<L>::BITS
    }

    /// `1 < v < p − 1` (constant-time comparisons).
    fn in_range(&self, v: &Uint<L>) -> bool {
        let p_minus_1 = self.prime().wrapping_sub(&Uint::ONE);
        *v > Uint::ONE && *v < p_minus_1
    }

    /// A key pair from a given big-endian private exponent (at most `len(p)` bytes, and
    /// `1 < x < p − 1`). For known-answer tests and for hosts that bring their own exponent;
    /// [`DhAlgorithm::generate`] is the normal way.
    pub fn key_from_exponent(&self, exponent: &[u8]) -> Result<ModpPrivateKey<L>, Error> {
        let n = self.len_bytes();
        if exponent.len() > n {
            return Err(Error::InvalidPrivateKey);
        }
        let mut buf = EncodedUint::<L>::default();
        buf.as_mut()[n - exponent.len()..].copy_from_slice(exponent);
        let x = Uint::<L>::from_be_slice(buf.as_ref());
        buf.zeroize();
        // A short exponent longer than the group's exponent length would be silently truncated by
        // the bounded exponentiation: refuse it.
        if !self.in_range(&x) || x.bit_width() > self.exp_bits {
            return Err(Error::InvalidPrivateKey);
        }
        Ok(self.key(x))
    }

    fn key(&self, x: Uint<L>) -> ModpPrivateKey<L> {
        let g = FixedMontyForm::new(&Uint::<L>::from_u8(2), &self.params);
        let y = g.pow_bounded_exp(&x, self.exp_bits).retrieve();
        ModpPrivateKey {
            params: self.params,
            x,
            exp_bits: self.exp_bits,
            public: y.to_be_bytes().as_ref().to_vec(),
        }
    }

    fn random_exponent(&self, rng: &mut dyn Rng) -> Result<Uint<L>, Error> {
        let n = self.len_bytes();
        let ebytes = (self.exp_bits / 8) as usize;
        let mut buf = EncodedUint::<L>::default();
        // Rejection sampling: a full-size draw falls outside (1, p − 1) with probability < 2^-63
        // (the top 64 bits of every prime are ones); a short draw only when it is 0 or 1.
        for _ in 0..16 {
            rng.fill(&mut buf.as_mut()[n - ebytes..])?;
            let mut x = Uint::<L>::from_be_slice(buf.as_ref());
            if self.in_range(&x) {
                buf.zeroize();
                return Ok(x);
            }
            x.zeroize();
        }
        buf.zeroize();
        Err(Error::RngFailure)
    }
}

impl<const L: usize> DhAlgorithm for ModpGroup<L> {
    fn public_len(&self) -> usize {
        self.len_bytes()
    }

    fn generate(&self, rng: &mut dyn Rng) -> Result<Box<dyn DhPrivateKey>, Error> {
        let x = self.random_exponent(rng)?;
        debug_assert!(self.full_size() || x.bit_width() <= self.exp_bits);
        Ok(Box::new(self.key(x)))
    }
}

/// An ephemeral MODP key pair; the exponent is zeroized on drop and never printed.
pub struct ModpPrivateKey<const L: usize> {
    params: FixedMontyParams<L>,
    x: Uint<L>,
    exp_bits: u32,
    public: Vec<u8>,
}

impl<const L: usize> core::fmt::Debug for ModpPrivateKey<L> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ModpPrivateKey")
            .field("bits", &Uint::<L>::BITS)
            .finish_non_exhaustive()
    }
}

impl<const L: usize> Drop for ModpPrivateKey<L> {
    fn drop(&mut self) {
        self.x.zeroize();
    }
}

impl<const L: usize> DhPrivateKey for ModpPrivateKey<L> {
    fn public_key(&self) -> &[u8] {
        &self.public
    }

    fn agree(&self, peer: &[u8]) -> Result<SharedSecret, Error> {
        if peer.len() != L * Limb::BYTES {
            return Err(Error::InvalidPublicKey);
        }
        let y = Uint::<L>::from_be_slice(peer);
        let p_minus_1 = self.params.modulus().as_ref().wrapping_sub(&Uint::ONE);
        if y <= Uint::ONE || y >= p_minus_1 {
            return Err(Error::InvalidPublicKey);
        }
        let mut z = FixedMontyForm::new(&y, &self.params)
            .pow_bounded_exp(&self.x, self.exp_bits)
            .retrieve();
        let mut bytes = z.to_be_bytes();
        let out = Zeroizing::new(bytes.as_ref().to_vec());
        bytes.zeroize();
        z.zeroize();
        Ok(out)
    }
}

/// Group 1: the 768-bit Oakley prime (RFC 2409 §6.1); full-size exponent.
pub static MODP_768: ModpGroup<{ U768::LIMBS }> = ModpGroup::new(P768, 768);
/// Group 2: the 1024-bit Oakley prime (RFC 2409 §6.2); full-size exponent.
pub static MODP_1024: ModpGroup<{ U1024::LIMBS }> = ModpGroup::new(P1024, 1024);
/// Group 5: 1536-bit (RFC 3526 §2); 256-bit exponent.
pub static MODP_1536: ModpGroup<{ U1536::LIMBS }> = ModpGroup::new(P1536, 256);
/// Group 14: 2048-bit (RFC 3526 §3); 320-bit exponent.
pub static MODP_2048: ModpGroup<{ U2048::LIMBS }> = ModpGroup::new(P2048, 320);
/// Group 15: 3072-bit (RFC 3526 §4); 448-bit exponent.
pub static MODP_3072: ModpGroup<{ U3072::LIMBS }> = ModpGroup::new(P3072, 448);
/// Group 16: 4096-bit (RFC 3526 §5); 512-bit exponent.
pub static MODP_4096: ModpGroup<{ U4096::LIMBS }> = ModpGroup::new(P4096, 512);
/// Group 17: 6144-bit (RFC 3526 §6); 576-bit exponent.
pub static MODP_6144: ModpGroup<{ U6144::LIMBS }> = ModpGroup::new(P6144, 576);
/// Group 18: 8192-bit (RFC 3526 §7); 640-bit exponent.
pub static MODP_8192: ModpGroup<{ U8192::LIMBS }> = ModpGroup::new(P8192, 640);

/// A MODP group as the self-test and the tests see it, whatever its size.
trait ModpDyn: DhAlgorithm {
    fn key_with_exponent(&self, x: &[u8]) -> Result<Box<dyn DhPrivateKey>, Error>;
    fn prime_be(&self) -> Vec<u8>;
}

impl<const L: usize> ModpDyn for ModpGroup<L> {
    fn key_with_exponent(&self, x: &[u8]) -> Result<Box<dyn DhPrivateKey>, Error> {
        Ok(Box::new(self.key_from_exponent(x)?))
    }
    fn prime_be(&self) -> Vec<u8> {
        self.prime().to_be_bytes().as_ref().to_vec()
    }
}

/// Private exponents of the known-answer test: SHA-256("zubr-modp-a") and SHA-256("zubr-modp-b").
const KAT_XA: &str = "d28f705dbf7c86ea9e2026866427da80b298a353641f61d7e2078b3bc783dfff";
const KAT_XB: &str = "01529b0621fb208e174f9b39c368215cf0d0813ffa3e375fb50d66494d904f27";

/// Per group: SHA-256 of `2^xa mod p` and of `2^(xa·xb) mod p`, both as `len(p)` bytes.
///
/// No official MODP vectors exist. These were computed with Python's built-in `pow` (an
/// implementation independent of crypto-bigint), from the primes of this module:
/// `ya = pow(2, xa, p); z = pow(pow(2, xb, p), xa, p)`, then `sha256(v.to_bytes(len(p), 'big'))`
/// (`python3 crypto-stb/vectors/scripts/modp.py`).
static KAT_DIGESTS: [(&str, &str); 8] = [
    (
        "d4ee1ad99114660c78d49d001d04074f4010c3ff3d68477967a7103099462fad",
        "fa241a5fded242dce1e32236e2fc0e3a07a1744d444c53a946cd2c7ad887f5d9",
    ),
    (
        "a08e44eda8b06fd719890931645c7318dc9ccf25ae56d9c24dea536130983291",
        "d14b8f69686d8ef73220581ad778065b88715a1cc9366d623dee813b2d2d9245",
    ),
    (
        "6cf6eb62decb775655fb2f341ebb92114a7290b2e2a47850a567c665df65fc31",
        "461705908ccf0a66237dea7c2df37ad59014cb203244162be8c31b400caa5f1c",
    ),
    (
        "01247b08a7bb1efa323ffdb5b57c5b2fb06e62ae414d9432f6bb6ab48d3776c5",
        "fc2cdba8faa35708e3cafcbfb5bed9e87d1932e6e2b123ec62a66386273e57dc",
    ),
    (
        "9614bae668b791cb46e22001bc3e726252b03ceb63840a527acb80de404ee415",
        "06a663397bab3000f4d2c7aa62ff42834bff5f7238341978e69a63027826c7e6",
    ),
    (
        "81c8147316acd62ab8e1981184b52fa205e4a8656c6ce0b760dbd9e3d953db57",
        "415e0fa4b0700dc022f6403968406f47adcc742a2e60b66909f0b8f821b81bc3",
    ),
    (
        "c36e4cbd8f5c1fb0bcd92974907415ea763d8150112ecffb6806cb91793e4800",
        "87c1560b3491cbc108e218ccdb010cfd1c481b3ba3288aa123b0532a6c8ad09b",
    ),
    (
        "9cb5017ca11a1c79a35a3fd8c6fd46360eb67013dad7c584d6ea83c5f4ae185f",
        "25e19ae00db18e7d9c537a1411492c55c8511f7be1336a29f03a2651e1ceb5c7",
    ),
];

fn all_groups() -> [&'static dyn ModpDyn; 8] {
    [
        &MODP_768, &MODP_1024, &MODP_1536, &MODP_2048, &MODP_3072, &MODP_4096, &MODP_6144,
        &MODP_8192,
    ]
}

fn sha256(data: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(data).into()
}

fn kat_modp() -> Result<usize, KatError> {
    let err = |vector, what| KatError { vector, what };
    let xa = kat::decode_hex(KAT_XA).ok_or(err(0, "bad vector"))?;
    let xb = kat::decode_hex(KAT_XB).ok_or(err(0, "bad vector"))?;
    for (i, (g, (ya_hash, z_hash))) in all_groups().iter().zip(KAT_DIGESTS.iter()).enumerate() {
        let v = i + 1;
        let ya_hash = kat::decode_hex(ya_hash).ok_or(err(v, "bad vector"))?;
        let z_hash = kat::decode_hex(z_hash).ok_or(err(v, "bad vector"))?;
        let a = g
            .key_with_exponent(&xa)
            .map_err(|_| err(v, "key from exponent a"))?;
        let b = g
            .key_with_exponent(&xb)
            .map_err(|_| err(v, "key from exponent b"))?;
        kat::check(
            v,
            "public value 2^xa length",
            &[a.public_key().len() as u8],
            &[g.public_len() as u8],
        )?;
        kat::check(v, "public value 2^xa", &sha256(a.public_key()), &ya_hash)?;
        let zab = a.agree(b.public_key()).map_err(|_| err(v, "agree a"))?;
        let zba = b.agree(a.public_key()).map_err(|_| err(v, "agree b"))?;
        kat::check(v, "shared secret", &sha256(&zab), &z_hash)?;
        kat::check(v, "shared secret symmetric", &zba, &zab)?;
        // 1 and p − 1 must be rejected.
        let mut one = alloc::vec![0u8; g.public_len()];
        if let Some(last) = one.last_mut() {
            *last = 1;
        }
        let mut p_minus_1 = g.prime_be();
        if let Some(last) = p_minus_1.last_mut() {
            *last ^= 1; // p is odd
        }
        if a.agree(&one).is_ok() || a.agree(&p_minus_1).is_ok() {
            return Err(err(v, "peer value 1 or p-1 accepted"));
        }
    }
    Ok(KAT_DIGESTS.len())
}

/// Self-tests of this module.
pub static SELF_TESTS: &[SelfTest] = &[SelfTest {
    name: "MODP groups 1, 2, 5, 14-18 (Python pow reference, peer range check)",
    run: kat_modp,
}];

// The primes, big-endian hex (see the module docs for their derivation).
const P768: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74",
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437",
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A63A3620FFFFFFFFFFFFFFFF",
);
const P1024: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74",
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437",
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF",
);
const P1536: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74",
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437",
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05",
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB",
    "9ED529077096966D670C354E4ABC9804F1746C08CA237327FFFFFFFFFFFFFFFF",
);
const P2048: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74",
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437",
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05",
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB",
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718",
    "3995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF",
);
const P3072: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74",
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437",
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05",
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB",
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718",
    "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33",
    "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864",
    "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2",
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);
const P4096: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74",
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437",
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05",
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB",
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718",
    "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33",
    "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864",
    "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2",
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A92108011A723C12A787E6D7",
    "88719A10BDBA5B2699C327186AF4E23C1A946834B6150BDA2583E9CA2AD44CE8",
    "DBBBC2DB04DE8EF92E8EFC141FBECAA6287C59474E6BC05D99B2964FA090C3A2",
    "233BA186515BE7ED1F612970CEE2D7AFB81BDD762170481CD0069127D5B05AA9",
    "93B4EA988D8FDDC186FFB7DC90A6C08F4DF435C934063199FFFFFFFFFFFFFFFF",
);
const P6144: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74",
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437",
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05",
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB",
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718",
    "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33",
    "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864",
    "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2",
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A92108011A723C12A787E6D7",
    "88719A10BDBA5B2699C327186AF4E23C1A946834B6150BDA2583E9CA2AD44CE8",
    "DBBBC2DB04DE8EF92E8EFC141FBECAA6287C59474E6BC05D99B2964FA090C3A2",
    "233BA186515BE7ED1F612970CEE2D7AFB81BDD762170481CD0069127D5B05AA9",
    "93B4EA988D8FDDC186FFB7DC90A6C08F4DF435C93402849236C3FAB4D27C7026",
    "C1D4DCB2602646DEC9751E763DBA37BDF8FF9406AD9E530EE5DB382F413001AE",
    "B06A53ED9027D831179727B0865A8918DA3EDBEBCF9B14ED44CE6CBACED4BB1B",
    "DB7F1447E6CC254B332051512BD7AF426FB8F401378CD2BF5983CA01C64B92EC",
    "F032EA15D1721D03F482D7CE6E74FEF6D55E702F46980C82B5A84031900B1C9E",
    "59E7C97FBEC7E8F323A97A7E36CC88BE0F1D45B7FF585AC54BD407B22B4154AA",
    "CC8F6D7EBF48E1D814CC5ED20F8037E0A79715EEF29BE32806A1D58BB7C5DA76",
    "F550AA3D8A1FBFF0EB19CCB1A313D55CDA56C9EC2EF29632387FE8D76E3C0468",
    "043E8F663F4860EE12BF2D5B0B7474D6E694F91E6DCC4024FFFFFFFFFFFFFFFF",
);
const P8192: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74",
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437",
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05",
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB",
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718",
    "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33",
    "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864",
    "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2",
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A92108011A723C12A787E6D7",
    "88719A10BDBA5B2699C327186AF4E23C1A946834B6150BDA2583E9CA2AD44CE8",
    "DBBBC2DB04DE8EF92E8EFC141FBECAA6287C59474E6BC05D99B2964FA090C3A2",
    "233BA186515BE7ED1F612970CEE2D7AFB81BDD762170481CD0069127D5B05AA9",
    "93B4EA988D8FDDC186FFB7DC90A6C08F4DF435C93402849236C3FAB4D27C7026",
    "C1D4DCB2602646DEC9751E763DBA37BDF8FF9406AD9E530EE5DB382F413001AE",
    "B06A53ED9027D831179727B0865A8918DA3EDBEBCF9B14ED44CE6CBACED4BB1B",
    "DB7F1447E6CC254B332051512BD7AF426FB8F401378CD2BF5983CA01C64B92EC",
    "F032EA15D1721D03F482D7CE6E74FEF6D55E702F46980C82B5A84031900B1C9E",
    "59E7C97FBEC7E8F323A97A7E36CC88BE0F1D45B7FF585AC54BD407B22B4154AA",
    "CC8F6D7EBF48E1D814CC5ED20F8037E0A79715EEF29BE32806A1D58BB7C5DA76",
    "F550AA3D8A1FBFF0EB19CCB1A313D55CDA56C9EC2EF29632387FE8D76E3C0468",
    "043E8F663F4860EE12BF2D5B0B7474D6E694F91E6DBE115974A3926F12FEE5E4",
    "38777CB6A932DF8CD8BEC4D073B931BA3BC832B68D9DD300741FA7BF8AFC47ED",
    "2576F6936BA424663AAB639C5AE4F5683423B4742BF1C978238F16CBE39D652D",
    "E3FDB8BEFC848AD922222E04A4037C0713EB57A81A23F0C73473FC646CEA306B",
    "4BCBC8862F8385DDFA9D4B7FA2C087E879683303ED5BDD3A062B3CF5B3A278A6",
    "6D2A13F83F44F82DDF310EE074AB6A364597E899A0255DC164F31CC50846851D",
    "F9AB48195DED7EA1B1D510BD7EE74D73FAF36BC31ECFA268359046F4EB879F92",
    "4009438B481C6CD7889A002ED5EE382BC9190DA6FC026E479558E4475677E9AA",
    "9E3050E2765694DFC81F56E880B96E7160C980DD98EDD3DFFFFFFFFFFFFFFFFF",
);

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigUint;

    /// A deterministic test RNG (SplitMix64), so failures reproduce.
    struct TestRng(u64);
    impl Rng for TestRng {
        fn fill(&mut self, out: &mut [u8]) -> Result<(), Error> {
            for b in out.iter_mut() {
                self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = self.0;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                *b = (z ^ (z >> 31)) as u8;
            }
            Ok(())
        }
    }

    /// Textbook left-to-right square-and-multiply, written from the definition, on num-bigint's
    /// schoolbook multiplication and division (deliberately not `BigUint::modpow`).
    fn textbook_pow(base: &BigUint, exp: &BigUint, p: &BigUint) -> BigUint {
        let mut acc = BigUint::from(1u8);
        for i in (0..exp.bits()).rev() {
            acc = (&acc * &acc) % p;
            if exp.bit(i) {
                acc = (&acc * base) % p;
            }
        }
        acc
    }

    fn be(v: &BigUint, len: usize) -> Vec<u8> {
        let b = v.to_bytes_be();
        let mut out = alloc::vec![0u8; len - b.len()];
        out.extend_from_slice(&b);
        out
    }

    /// Random exponents through the provider, public values and shared secrets recomputed with the
    /// independent implementation.
    #[test]
    fn agrees_with_textbook_square_and_multiply() {
        let mut rng = TestRng(7);
        for g in all_groups() {
            let p = BigUint::from_bytes_be(&g.prime_be());
            let n = g.public_len();
            for _ in 0..2 {
                // Exponents of up to 256 bits fit every group's exponent length.
                let mut xa = [0u8; 32];
                let mut xb = [0u8; 24];
                rng.fill(&mut xa).unwrap();
                rng.fill(&mut xb).unwrap();
                let a = g.key_with_exponent(&xa).unwrap();
                let b = g.key_with_exponent(&xb).unwrap();
                let two = BigUint::from(2u8);
                let xa_n = BigUint::from_bytes_be(&xa);
                let xb_n = BigUint::from_bytes_be(&xb);
                let ya = textbook_pow(&two, &xa_n, &p);
                let yb = textbook_pow(&two, &xb_n, &p);
                assert_eq!(a.public_key(), be(&ya, n).as_slice());
                assert_eq!(b.public_key(), be(&yb, n).as_slice());
                let z = textbook_pow(&yb, &xa_n, &p);
                assert_eq!(a.agree(b.public_key()).unwrap().as_slice(), be(&z, n));
                assert_eq!(b.agree(a.public_key()).unwrap().as_slice(), be(&z, n));
            }
        }
    }

    /// Generated keys: both sides agree, values have the wire length, exponents the documented
    /// length.
    #[test]
    fn generated_keys_agree() {
        let mut rng = TestRng(99);
        let mut max_short = 0;
        let mut max_full = 0;
        for _ in 0..64 {
            max_short = max_short.max(MODP_2048.random_exponent(&mut rng).unwrap().bit_width());
            max_full = max_full.max(MODP_1024.random_exponent(&mut rng).unwrap().bit_width());
        }
        assert!(max_short <= 320 && max_short > 310, "{max_short}");
        assert!(max_full <= 1024 && max_full > 1014, "{max_full}");
        for g in all_groups() {
            let a = g.generate(&mut rng).unwrap();
            let b = g.generate(&mut rng).unwrap();
            assert_eq!(a.public_key().len(), g.public_len());
            let zab = a.agree(b.public_key()).unwrap();
            let zba = b.agree(a.public_key()).unwrap();
            assert_eq!(zab.len(), g.public_len());
            assert_eq!(zab, zba);
            assert_ne!(a.public_key(), b.public_key());
        }
    }

    #[test]
    fn exponent_lengths() {
        assert_eq!(MODP_768.exponent_bits(), 768);
        assert_eq!(MODP_1024.exponent_bits(), 1024);
        assert_eq!(MODP_1536.exponent_bits(), 256);
        assert_eq!(MODP_2048.exponent_bits(), 320);
        assert_eq!(MODP_8192.exponent_bits(), 640);
        // A short-exponent group refuses an exponent longer than its exponent length.
        assert_eq!(
            MODP_2048.key_from_exponent(&[0xff; 41]).err(),
            Some(Error::InvalidPrivateKey)
        );
        assert!(MODP_2048.key_from_exponent(&[0xff; 40]).is_ok());
        assert_eq!(
            MODP_2048.key_from_exponent(&[1]).err(),
            Some(Error::InvalidPrivateKey)
        );
    }

    /// The primes are the RFC ones: safe primes (Fermat base 2 and 3 for p and q = (p−1)/2, with
    /// num-bigint) with the fixed top and bottom 64 bits and the documented lengths.
    #[test]
    fn primes_are_safe_primes_of_the_right_shape() {
        let lens = [768, 1024, 1536, 2048, 3072, 4096, 6144, 8192];
        for (g, bits) in all_groups().iter().zip(lens) {
            let pb = g.prime_be();
            assert_eq!(pb.len() * 8, bits);
            assert!(pb[..8].iter().all(|&b| b == 0xff));
            assert!(pb[pb.len() - 8..].iter().all(|&b| b == 0xff));
            assert_eq!(&pb[8..12], &[0xC9, 0x0F, 0xDA, 0xA2]); // π
            let p = BigUint::from_bytes_be(&pb);
            let one = BigUint::from(1u8);
            let q = (&p - &one) >> 1;
            if bits <= 2048 {
                for base in [2u8, 3] {
                    let b = BigUint::from(base);
                    assert_eq!(b.modpow(&(&p - &one), &p), one);
                    assert_eq!(b.modpow(&(&q - &one), &q), one);
                }
            }
        }
    }

    #[test]
    fn rejects_bad_peer_values() {
        let mut rng = TestRng(3);
        for g in all_groups() {
            let n = g.public_len();
            let a = g.generate(&mut rng).unwrap();
            let p = g.prime_be();
            let p_big = BigUint::from_bytes_be(&p);
            let zero = alloc::vec![0u8; n];
            let one = be(&BigUint::from(1u8), n);
            let pm1 = be(&(&p_big - 1u8), n);
            let pp1 = be(&(&p_big + 1u8), n);
            let max = alloc::vec![0xffu8; n];
            for bad in [&zero, &one, &pm1, &p, &pp1, &max] {
                assert_eq!(a.agree(bad).err(), Some(Error::InvalidPublicKey));
            }
            // Lengths other than len(p), including a valid value with a leading zero byte
            // (oversize) and one with it stripped.
            let two = be(&BigUint::from(2u8), n);
            let mut over = alloc::vec![0u8];
            over.extend_from_slice(&two);
            assert_eq!(a.agree(&over).err(), Some(Error::InvalidPublicKey));
            assert_eq!(a.agree(&two[1..]).err(), Some(Error::InvalidPublicKey));
            assert_eq!(a.agree(&[]).err(), Some(Error::InvalidPublicKey));
            assert_eq!(
                a.agree(&alloc::vec![0u8; 2 * n]).err(),
                Some(Error::InvalidPublicKey)
            );
            // The extremes of the valid range are accepted.
            assert!(a.agree(&two).is_ok());
            assert!(a.agree(&be(&(&p_big - 2u8), n)).is_ok());
        }
    }

    #[test]
    fn self_test_passes() {
        assert_eq!(kat_modp(), Ok(8));
    }

    #[test]
    fn debug_hides_the_exponent() {
        let k = MODP_768.key_from_exponent(&[0x42; 16]).unwrap();
        let s = alloc::format!("{k:?}");
        assert!(!s.contains("42"), "{s}");
    }
}
