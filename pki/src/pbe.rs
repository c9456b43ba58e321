//! Password-based decryption for encrypted PKCS#8 keys and PKCS#12 bags.
//!
//! * **PBES2** (RFC 8018): PBKDF2 + AES-CBC / 3DES-CBC, through the `pkcs5` 0.8 crate. Only the
//!   PBKDF2 key derivation is accepted (scrypt parameters come from the file and could ask for
//!   gigabytes of memory), with at most [`MAX_ITERATIONS`] iterations.
//! * **PKCS#12 PBE** (RFC 7292 appendix B and C): `pbeWithSHAAnd3-KeyTripleDES-CBC`,
//!   `pbeWithSHAAnd40BitRC2-CBC`, `pbeWithSHAAnd128BitRC2-CBC` — what `openssl pkcs12 -legacy`
//!   writes. The PKCS#12 key derivation (appendix B.2) is written here (no stable crate of our
//!   trait generation has it; `pkcs12` 0.2 is a pre-release pinned to a pre-release `cms`), over
//!   the provider's hashes; 3DES and RC2 come from the `des` and `rc2` crates.
//!
//! Passwords: PBES2 uses the password bytes as given (UTF-8); the PKCS#12 KDF uses the
//! BMPString form with a terminating NUL (RFC 7292 B.1).
//!
//! This module must not leave derived keys or plaintext unzeroized, and must not run an
//! unbounded number of iterations.

use alloc::vec;
use alloc::vec::Vec;

use cipher::block_padding::Pkcs7;
use cipher::{BlockModeDecrypt, InnerIvInit, KeyIvInit};
use der::Decode;
use zeroize::Zeroizing;

use zubr_crypto_stb::CryptoProvider;

use crate::Error;
use crate::alg::AlgorithmId;
use crate::asn1::{self, tag};

/// Most PBKDF2 / PKCS#12 KDF iterations accepted.
pub const MAX_ITERATIONS: u32 = 1_000_000;

/// id-PBES2.
const PBES2: &str = "1.2.840.113549.1.5.13";
/// pbeWithSHAAnd3-KeyTripleDES-CBC.
const PBE_SHA1_3DES: &str = "1.2.840.113549.1.12.1.3";
/// pbeWithSHAAnd128BitRC2-CBC.
const PBE_SHA1_RC2_128: &str = "1.2.840.113549.1.12.1.5";
/// pbewithSHAAnd40BitRC2-CBC.
const PBE_SHA1_RC2_40: &str = "1.2.840.113549.1.12.1.6";

/// The password in PKCS#12 BMPString form with the terminating NUL.
pub(crate) fn bmp_password(password: &[u8]) -> Zeroizing<Vec<u8>> {
    let s = core::str::from_utf8(password).unwrap_or("");
    let mut out = Zeroizing::new(Vec::with_capacity(2 * password.len() + 2));
    for u in s.encode_utf16() {
        out.extend_from_slice(&u.to_be_bytes());
    }
    out.extend_from_slice(&[0, 0]);
    out
}

/// The PKCS#12 key derivation (RFC 7292 B.2): `n` bytes for purpose `id` (1 key, 2 IV, 3 MAC).
pub(crate) fn pkcs12_kdf(
    provider: &CryptoProvider,
    hash: &str,
    bmp_password: &[u8],
    salt: &[u8],
    id: u8,
    iterations: u32,
    n: usize,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    if iterations == 0 || iterations > MAX_ITERATIONS {
        return Err(Error::TooLarge("PKCS#12 KDF iterations"));
    }
    let h = provider
        .hash(hash)
        .ok_or(Error::Unsupported("PKCS#12 KDF hash"))?
        .hash;
    let u = h.output_len();
    let v = h.block_len();
    let fill = |src: &[u8]| -> Zeroizing<Vec<u8>> {
        if src.is_empty() {
            return Zeroizing::new(Vec::new());
        }
        let len = v * src.len().div_ceil(v);
        Zeroizing::new(src.iter().copied().cycle().take(len).collect())
    };
    let d = vec![id; v];
    let mut i_buf = fill(salt);
    i_buf.extend_from_slice(&fill(bmp_password));
    let mut out = Zeroizing::new(Vec::with_capacity(n + u));
    while out.len() < n {
        let mut a = h.hash(&[&d, &i_buf]);
        for _ in 1..iterations {
            a = h.hash(&[a.as_slice()]);
        }
        out.extend_from_slice(a.as_slice());
        if out.len() >= n {
            break;
        }
        // I_j = (I_j + B + 1) mod 2^(8v), B = A repeated to v bytes
        let b: Zeroizing<Vec<u8>> =
            Zeroizing::new(a.as_slice().iter().copied().cycle().take(v).collect());
        for chunk in i_buf.chunks_mut(v) {
            let mut carry = 1u16;
            for (x, y) in chunk.iter_mut().rev().zip(b.iter().rev()) {
                let s = u16::from(*x) + u16::from(*y) + carry;
                *x = s as u8;
                carry = s >> 8;
            }
        }
    }
    out.truncate(n);
    Ok(out)
}

/// `pkcs-12PbeParams ::= SEQUENCE { salt OCTET STRING, iterations INTEGER }`.
fn pkcs12_pbe_params(params: &[u8]) -> Result<(&[u8], u32), Error> {
    let seq = asn1::exact(params, tag::SEQUENCE)?;
    let (salt, rest) = asn1::expect(seq.value, tag::OCTET_STRING)?;
    let it = asn1::exact(rest, tag::INTEGER)?;
    Ok((salt.value, small_uint(it.value)?))
}

/// A non-negative INTEGER's content that fits `u32`.
pub(crate) fn small_uint(v: &[u8]) -> Result<u32, Error> {
    if v.first().is_some_and(|&b| b & 0x80 != 0) {
        return Err(Error::Malformed("negative integer"));
    }
    let v = &v[v.iter().position(|&b| b != 0).unwrap_or(v.len())..];
    if v.len() > 4 {
        return Err(Error::TooLarge("integer"));
    }
    Ok(v.iter().fold(0u32, |a, &b| (a << 8) | u32::from(b)))
}

fn cbc_unpad<C: cipher::BlockCipherDecrypt>(
    dec: cbc::Decryptor<C>,
    data: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let mut buf = Zeroizing::new(data.to_vec());
    let len = dec
        .decrypt_padded::<Pkcs7>(&mut buf)
        .map_err(|_| Error::WrongPassword)?
        .len();
    buf.truncate(len);
    Ok(buf)
}

/// Decrypts `data` encrypted under the AlgorithmIdentifier `alg` (its SEQUENCE contents) with
/// `password`. A padding failure is reported as [`Error::WrongPassword`].
pub(crate) fn decrypt(
    provider: &CryptoProvider,
    alg_contents: &[u8],
    data: &[u8],
    password: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let alg = AlgorithmId::from_contents(alg_contents)?;
    let params = alg
        .params
        .as_deref()
        .ok_or(Error::Malformed("PBE parameters"))?;
    match alg.oid.as_str() {
        PBES2 => {
            let p = pkcs5::pbes2::Parameters::from_der(params)
                .map_err(|_| Error::Malformed("PBES2 parameters"))?;
            let kdf = p
                .kdf
                .pbkdf2()
                .ok_or(Error::Unsupported("PBES2 key derivation other than PBKDF2"))?;
            if kdf.iteration_count == 0 || kdf.iteration_count > MAX_ITERATIONS {
                return Err(Error::TooLarge("PBKDF2 iterations"));
            }
            let out = p.decrypt(password, data).map_err(|e| match e {
                pkcs5::Error::DecryptFailed => Error::WrongPassword,
                _ => Error::Unsupported("PBES2 cipher or PRF"),
            })?;
            Ok(Zeroizing::new(out))
        }
        PBE_SHA1_3DES | PBE_SHA1_RC2_40 | PBE_SHA1_RC2_128 => {
            let (salt, iterations) = pkcs12_pbe_params(params)?;
            let bmp = bmp_password(password);
            let key_len = match alg.oid.as_str() {
                PBE_SHA1_3DES => 24,
                PBE_SHA1_RC2_40 => 5,
                _ => 16,
            };
            let key = pkcs12_kdf(provider, "sha1", &bmp, salt, 1, iterations, key_len)?;
            let iv = pkcs12_kdf(provider, "sha1", &bmp, salt, 2, iterations, 8)?;
            match alg.oid.as_str() {
                PBE_SHA1_3DES => cbc_unpad(
                    cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
                        .map_err(|_| Error::Malformed("PBE key or IV length"))?,
                    data,
                ),
                _ => {
                    let cipher = rc2::Rc2::new_with_eff_key_len(&key, key_len * 8);
                    cbc_unpad(
                        cbc::Decryptor::<rc2::Rc2>::inner_iv_slice_init(cipher, &iv)
                            .map_err(|_| Error::Malformed("PBE IV length"))?,
                        data,
                    )
                }
            }
        }
        _ => Err(Error::Unsupported("password-based encryption scheme")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PKCS#12 KDF vectors: the "smeg" pair is BouncyCastle's PKCS12 test; all three were
    /// re-derived with `openssl kdf -kdfopt digest:SHA1 -kdfopt hexpass:… -kdfopt hexsalt:…
    /// -kdfopt iter:N -kdfopt id:I PKCS12KDF` (OpenSSL 3.0; `hexpass` is the BMPString form).
    #[test]
    fn kdf_vectors() {
        let p = &zubr_crypto_stb::SOFTWARE;
        let h = |s: &str| hex::decode(s).unwrap();
        let pw = h("0073006D006500670000");
        assert_eq!(&pw[..], &bmp_password(b"smeg")[..]);
        let salt = h("0A58CF64530D823F");
        let k = pkcs12_kdf(p, "sha1", &pw, &salt, 1, 1, 24).unwrap();
        assert_eq!(
            &k[..],
            &h("8AAAE6297B6CB04642AB5B077851284EB7128F1A2A7FBCA3")[..]
        );
        let iv = pkcs12_kdf(p, "sha1", &pw, &salt, 2, 1, 8).unwrap();
        assert_eq!(&iv[..], &h("79993DFE048D3B76")[..]);
        // two output blocks (the I_j update), SHA-256, 1000 iterations
        let m = pkcs12_kdf(
            p,
            "sha256",
            &h("00710075006500650067"),
            &h("05DEC959ACFF72F7"),
            3,
            1000,
            40,
        )
        .unwrap();
        assert_eq!(
            &m[..],
            &h("60E1712F25D35CD030F5DE1DC3D143EFA5F77961D95450F70B4628A7346667782D3B6204CD067545")
                [..]
        );
    }

    #[test]
    fn kdf_shapes() {
        let p = &zubr_crypto_stb::SOFTWARE;
        let pw = bmp_password(b"smeg");
        assert_eq!(&pw[..], &[0, b's', 0, b'm', 0, b'e', 0, b'g', 0, 0]);
        let a = pkcs12_kdf(p, "sha1", &pw, &[1, 2, 3, 4, 5, 6, 7, 8], 1, 1, 24).unwrap();
        let b = pkcs12_kdf(p, "sha1", &pw, &[1, 2, 3, 4, 5, 6, 7, 8], 2, 1, 24).unwrap();
        let c = pkcs12_kdf(p, "sha1", &pw, &[1, 2, 3, 4, 5, 6, 7, 8], 1, 1, 48).unwrap();
        assert_eq!(a.len(), 24);
        assert_ne!(a, b);
        assert_eq!(&c[..24], &a[..]);
        assert!(pkcs12_kdf(p, "sha1", &pw, &[], 1, MAX_ITERATIONS + 1, 8).is_err());
        assert!(pkcs12_kdf(p, "sha1", &pw, &[], 1, 0, 8).is_err());
        assert_eq!(small_uint(&[0, 0x08, 0x00]).unwrap(), 2048);
        assert!(small_uint(&[0x80]).is_err());
    }
}
