//! ECP Diffie–Hellman groups 19, 20 and 21 (RFC 5903: NIST P-256, P-384, P-521) over the
//! `p256`, `p384` and `p521` crates' constant-time arithmetic.
//!
//! This module only adapts encodings (RFC 5903 §7): the KE payload carries `x ‖ y`, each
//! coordinate big-endian and `len(p)` bytes, **without** the SEC1 `0x04` prefix; the shared
//! secret is the x coordinate of the product, `len(p)` bytes. A peer value must be exactly
//! `2·len(p)` bytes, both coordinates must be field elements (`< p`) and the point must lie on
//! the curve, else [`Error::InvalidPublicKey`]. The curves have prime order (cofactor 1), so an
//! on-curve affine point is in the group and never the identity.
//!
//! It must not contain curve arithmetic of its own.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::marker::PhantomData;

use elliptic_curve::point::AffineCoordinates;
use elliptic_curve::{
    AffinePoint, CurveArithmetic, FieldBytes, Generate, NonZeroScalar, PublicKey, SecretKey,
};
use zeroize::{Zeroize, Zeroizing};

use crate::kat::{self, KatError, SelfTest};
use crate::provider::{DhAlgorithm, DhPrivateKey, SharedSecret};
use crate::rng::RandCore;
use crate::{Error, Rng};

/// An ECP group over the curve `C`.
pub struct EcpGroup<C>(PhantomData<fn() -> C>);

impl<C> EcpGroup<C> {
    /// The group (a zero-sized value usable in `static` tables).
    pub const fn new() -> Self {
        EcpGroup(PhantomData)
    }
}

impl<C> Default for EcpGroup<C> {
    fn default() -> Self {
        Self::new()
    }
}

fn field_len<C: CurveArithmetic>() -> usize {
    FieldBytes::<C>::default().len()
}

impl<C> EcpGroup<C>
where
    C: CurveArithmetic + Send + Sync + 'static,
    AffinePoint<C>: AffineCoordinates<FieldRepr = FieldBytes<C>>,
{
    /// A key pair from a given private scalar (big-endian, `len(n)` bytes, `0 < d < n`). For
    /// known-answer tests and hosts that bring their own scalar; [`DhAlgorithm::generate`] is the
    /// normal way.
    pub fn key_from_scalar(&self, scalar: &[u8]) -> Result<EcpPrivateKey<C>, Error> {
        let sk = SecretKey::<C>::from_slice(scalar).map_err(|_| Error::InvalidPrivateKey)?;
        Ok(EcpPrivateKey::new(sk.to_nonzero_scalar()))
    }

    /// Decodes a peer's `x ‖ y` and checks that it is a point of the curve.
    pub fn decode_public(&self, bytes: &[u8]) -> Result<PublicKey<C>, Error> {
        let n = field_len::<C>();
        if bytes.len() != 2 * n {
            return Err(Error::InvalidPublicKey);
        }
        let (x, y) = bytes.split_at(n);
        let x = FieldBytes::<C>::try_from(x).map_err(|_| Error::InvalidPublicKey)?;
        let y = FieldBytes::<C>::try_from(y).map_err(|_| Error::InvalidPublicKey)?;
        // `from_coordinates` rejects coordinates ≥ p and points off the curve.
        let point: Option<AffinePoint<C>> = AffinePoint::<C>::from_coordinates(&x, &y).into();
        let point = point.ok_or(Error::InvalidPublicKey)?;
        PublicKey::from_affine(point).map_err(|_| Error::InvalidPublicKey)
    }
}

impl<C> DhAlgorithm for EcpGroup<C>
where
    C: CurveArithmetic + Send + Sync + 'static,
    AffinePoint<C>: AffineCoordinates<FieldRepr = FieldBytes<C>>,
{
    fn public_len(&self) -> usize {
        2 * field_len::<C>()
    }

    fn generate(&self, rng: &mut dyn Rng) -> Result<Box<dyn DhPrivateKey>, Error> {
        let d = NonZeroScalar::<C>::try_generate_from_rng(&mut RandCore(rng))?;
        Ok(Box::new(EcpPrivateKey::new(d)))
    }
}

/// An ephemeral ECP key pair; the scalar is zeroized on drop and never printed.
pub struct EcpPrivateKey<C: CurveArithmetic> {
    d: NonZeroScalar<C>,
    public: Vec<u8>,
}

impl<C> EcpPrivateKey<C>
where
    C: CurveArithmetic + Send + Sync + 'static,
    AffinePoint<C>: AffineCoordinates<FieldRepr = FieldBytes<C>>,
{
    fn new(d: NonZeroScalar<C>) -> Self {
        let q = PublicKey::<C>::from_secret_scalar(&d);
        let a = q.as_affine();
        let mut public = Vec::with_capacity(2 * field_len::<C>());
        public.extend_from_slice(&a.x());
        public.extend_from_slice(&a.y());
        EcpPrivateKey { d, public }
    }
}

impl<C: CurveArithmetic> core::fmt::Debug for EcpPrivateKey<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EcpPrivateKey").finish_non_exhaustive()
    }
}

impl<C: CurveArithmetic> Drop for EcpPrivateKey<C> {
    fn drop(&mut self) {
        self.d.zeroize();
    }
}

impl<C> DhPrivateKey for EcpPrivateKey<C>
where
    C: CurveArithmetic + Send + Sync + 'static,
    AffinePoint<C>: AffineCoordinates<FieldRepr = FieldBytes<C>>,
{
    fn public_key(&self) -> &[u8] {
        &self.public
    }

    fn agree(&self, peer: &[u8]) -> Result<SharedSecret, Error> {
        let q = EcpGroup::<C>::new().decode_public(peer)?;
        let z = elliptic_curve::ecdh::diffie_hellman(self.d, q.as_affine());
        Ok(Zeroizing::new(z.raw_secret_bytes().to_vec()))
    }
}

/// Group 19: 256-bit random ECP group (NIST P-256).
pub static ECP_256: EcpGroup<p256::NistP256> = EcpGroup::new();
/// Group 20: 384-bit random ECP group (NIST P-384).
pub static ECP_384: EcpGroup<p384::NistP384> = EcpGroup::new();
/// Group 21: 521-bit random ECP group (NIST P-521).
pub static ECP_521: EcpGroup<p521::NistP521> = EcpGroup::new();

/// RFC 5903 §8 test vectors: `(i, gi = gix ‖ giy, r, gr = grx ‖ gry, girx)`. Transcribed from
/// the RFC and re-checked with Python `cryptography` (OpenSSL): public keys from the scalars and
/// the ECDH result (`crypto-stb/vectors/scripts/rfc5903_check.py`).
pub(crate) static RFC5903: [(&str, &str, &str, &str, &str); 3] = [
    (
        // 8.1. 256-bit Random ECP Group
        "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433",
        concat!(
            "dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180",
            "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3"
        ),
        "c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53",
        concat!(
            "d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63",
            "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab"
        ),
        "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de",
    ),
    (
        // 8.2. 384-bit Random ECP Group
        "099f3c7034d4a2c699884d73a375a67f7624ef7c6b3c0f160647b67414dce655e35b538041e649ee3faef896783ab194",
        concat!(
            "667842d7d180ac2cde6f74f37551f55755c7645c20ef73e31634fe72b4c55ee6de3ac808acb4bdb4c88732aee95f41aa",
            "9482ed1fc0eeb9cafc4984625ccfc23f65032149e0e144ada024181535a0f38eeb9fcff3c2c947dae69b4c634573a81c"
        ),
        "41cb0779b4bdb85d47846725fbec3c9430fab46cc8dc5060855cc9bda0aa2942e0308312916b8ed2960e4bd55a7448fc",
        concat!(
            "e558dbef53eecde3d3fccfc1aea08a89a987475d12fd950d83cfa41732bc509d0d1ac43a0336def96fda41d0774a3571",
            "dcfbec7aacf3196472169e838430367f66eebe3c6e70c416dd5f0c68759dd1fff83fa40142209dff5eaad96db9e6386c"
        ),
        "11187331c279962d93d604243fd592cb9d0a926f422e47187521287e7156c5c4d603135569b9e9d09cf5d4a270f59746",
    ),
    (
        // 8.3. 521-bit Random ECP Group
        "0037ade9319a89f4dabdb3ef411aaccca5123c61acab57b5393dce47608172a095aa85a30fe1c2952c6771d937ba9777f5957b2639bab072462f68c27a57382d4a52",
        concat!(
            "0015417e84dbf28c0ad3c278713349dc7df153c897a1891bd98bab4357c9ecbee1e3bf42e00b8e380aeae57c2d107564941885942af5a7f4601723c4195d176ced3e",
            "017cae20b6641d2eeb695786d8c946146239d099e18e1d5a514c739d7cb4a10ad8a788015ac405d7799dc75e7b7d5b6cf2261a6a7f1507438bf01beb6ca3926f9582"
        ),
        "0145ba99a847af43793fdd0e872e7cdfa16be30fdc780f97bccc3f078380201e9c677d600b343757a3bdbf2a3163e4c2f869cca7458aa4a4effc311f5cb151685eb9",
        concat!(
            "00d0b3975ac4b799f5bea16d5e13e9af971d5e9b984c9f39728b5e5739735a219b97c356436adc6e95bb0352f6be64a6c2912d4ef2d0433ced2b6171640012d9460f",
            "015c68226383956e3bd066e797b623c27ce0eac2f551a10c2c724d9852077b87220b6536c5c408a1d2aebb8e86d678ae49cb57091f4732296579ab44fcd17f0fc56a"
        ),
        "01144c7d79ae6956bc8edb8e7c787c4521cb086fa64407f97894e5e6b2d79b04d1427e73ca4baa240a34786859810c06b3c715a3a8cc3151f2bee417996d19f3ddea",
    ),
];

fn kat_group<C>(v: usize, g: &EcpGroup<C>) -> Result<(), KatError>
where
    C: CurveArithmetic + Send + Sync + 'static,
    AffinePoint<C>: AffineCoordinates<FieldRepr = FieldBytes<C>>,
{
    let err = |what| KatError { vector: v, what };
    let (i, gi, r, gr, girx) = RFC5903[v - 1];
    let hex = |s| kat::decode_hex(s).ok_or(err("bad vector"));
    let (i, gi, r, gr, girx) = (hex(i)?, hex(gi)?, hex(r)?, hex(gr)?, hex(girx)?);
    let ki = g.key_from_scalar(&i).map_err(|_| err("initiator scalar"))?;
    let kr = g.key_from_scalar(&r).map_err(|_| err("responder scalar"))?;
    kat::check(v, "initiator public value g^i", ki.public_key(), &gi)?;
    kat::check(v, "responder public value g^r", kr.public_key(), &gr)?;
    let z1 = ki.agree(&gr).map_err(|_| err("initiator agree"))?;
    let z2 = kr.agree(&gi).map_err(|_| err("responder agree"))?;
    kat::check(v, "shared secret girx (initiator)", &z1, &girx)?;
    kat::check(v, "shared secret girx (responder)", &z2, &girx)?;
    // Off-curve point (y + 1) is rejected.
    let mut bad = gr.clone();
    if let Some(last) = bad.last_mut() {
        *last ^= 1;
    }
    if ki.agree(&bad).is_ok() {
        return Err(err("off-curve peer value accepted"));
    }
    Ok(())
}

fn kat_ecp() -> Result<usize, KatError> {
    kat_group(1, &ECP_256)?;
    kat_group(2, &ECP_384)?;
    kat_group(3, &ECP_521)?;
    Ok(3)
}

/// Self-tests of this module.
pub static SELF_TESTS: &[SelfTest] = &[SelfTest {
    name: "ECP groups 19, 20, 21 (RFC 5903 §8)",
    run: kat_ecp,
}];

#[cfg(test)]
mod tests {
    use super::*;

    struct TestRng(u64);
    impl Rng for TestRng {
        fn fill(&mut self, out: &mut [u8]) -> Result<(), Error> {
            for b in out.iter_mut() {
                self.0 = self
                    .0
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                *b = (self.0 >> 33) as u8;
            }
            Ok(())
        }
    }

    #[test]
    fn rfc5903_vectors() {
        assert_eq!(kat_ecp(), Ok(3));
    }

    fn groups() -> [&'static dyn DhAlgorithm; 3] {
        [&ECP_256, &ECP_384, &ECP_521]
    }

    #[test]
    fn generated_keys_agree_and_lengths() {
        let mut rng = TestRng(5);
        for (g, n) in groups().into_iter().zip([32, 48, 66]) {
            assert_eq!(g.public_len(), 2 * n);
            let a = g.generate(&mut rng).unwrap();
            let b = g.generate(&mut rng).unwrap();
            assert_eq!(a.public_key().len(), 2 * n);
            let z1 = a.agree(b.public_key()).unwrap();
            let z2 = b.agree(a.public_key()).unwrap();
            assert_eq!(z1.len(), n);
            assert_eq!(z1, z2);
        }
    }

    #[test]
    fn rejects_bad_peer_values() {
        let mut rng = TestRng(11);
        for g in groups() {
            let n = g.public_len();
            let a = g.generate(&mut rng).unwrap();
            let b = g.generate(&mut rng).unwrap();
            let good = b.public_key().to_vec();
            // SEC1 forms are not the IKE encoding.
            let mut sec1 = alloc::vec![0x04];
            sec1.extend_from_slice(&good);
            assert_eq!(a.agree(&sec1).err(), Some(Error::InvalidPublicKey));
            assert_eq!(
                a.agree(&good[..n / 2 + 1]).err(),
                Some(Error::InvalidPublicKey)
            );
            assert_eq!(a.agree(&[]).err(), Some(Error::InvalidPublicKey));
            assert_eq!(a.agree(&good[..n - 1]).err(), Some(Error::InvalidPublicKey));
            // All-zero (the "identity" some encoders use) and all-ones (coordinates ≥ p).
            assert_eq!(
                a.agree(&alloc::vec![0u8; n]).err(),
                Some(Error::InvalidPublicKey)
            );
            assert_eq!(
                a.agree(&alloc::vec![0xffu8; n]).err(),
                Some(Error::InvalidPublicKey)
            );
            // Every single-bit flip of y leaves the curve.
            for bit in [0usize, 7, 8 * (n / 2) - 1] {
                let mut bad = good.clone();
                bad[n - 1 - bit / 8] ^= 1 << (bit % 8);
                assert_eq!(a.agree(&bad).err(), Some(Error::InvalidPublicKey));
            }
            assert!(a.agree(&good).is_ok());
        }
    }

    #[test]
    fn bad_scalars_are_refused() {
        assert!(ECP_256.key_from_scalar(&[0u8; 32]).is_err());
        assert!(ECP_256.key_from_scalar(&[0xffu8; 32]).is_err()); // ≥ n
        assert!(ECP_256.key_from_scalar(&[1u8; 3]).is_err());
    }
}
