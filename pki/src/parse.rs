//! Reading files: PEM (any number of blocks), DER certificates/CRLs/requests/keys, PKCS#7
//! certs-only bundles (`.p7b`) and PKCS#12 (`.p12`/`.pfx`) with a password — everything
//! `cert_mgr show -f`/`import -f` accepts — into a list of [`Object`]s in file order.
//!
//! PKCS#7 and PKCS#12 are read by a bounded hand-written walker over the DER (`crate::asn1`):
//! the RustCrypto `cms` and `pkcs12` crates of our `der` 0.8 line are pre-releases (`pkcs12`
//! 0.2.0-pre pins `cms` =0.3.0-pre.1), and only a few fields are needed. PKCS#12 support:
//! password integrity mode (HMAC with SHA-1/SHA-2 keyed by the PKCS#12 KDF), `data` and
//! `encryptedData` safes, key bags, shrouded key bags (PBES2 or PKCS#12 PBE, see
//! `crate::pbe`), certificate and CRL bags, nested safe-contents bags one level deep. Public-key
//! integrity/privacy modes and `envelopedData` safes are refused as unsupported.
//!
//! This module must not: accept more than [`MAX_FILE_LEN`] bytes or [`MAX_OBJECTS`] objects,
//! follow nesting deeper than the formats allow, or report a wrong password as anything but
//! [`Error::WrongPassword`] / [`Error::PasswordRequired`].

use alloc::string::String;
use alloc::vec::Vec;

use base64ct::Encoding;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use zubr_crypto_stb::CryptoProvider;

use crate::Error;
use crate::asn1::{self, tag};
use crate::cert::{CertRequest, Certificate};
use crate::crl::Crl;
use crate::key::PrivateKey;
use crate::pbe;

/// Largest file read, in bytes.
pub const MAX_FILE_LEN: usize = 8 * 1024 * 1024;
/// Most objects one file may yield.
pub const MAX_OBJECTS: usize = 256;

/// One object found in a file.
// a file yields a handful of objects: boxing the certificate would only complicate matching
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Object {
    /// An X.509 certificate.
    Certificate(Certificate),
    /// A CRL.
    Crl(Crl),
    /// A PKCS#10 certificate request.
    Request(CertRequest),
    /// A private key.
    PrivateKey(PrivateKey),
}

const OID_DATA: &str = "1.2.840.113549.1.7.1";
const OID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const OID_ENCRYPTED_DATA: &str = "1.2.840.113549.1.7.6";
const BAG_KEY: &str = "1.2.840.113549.1.12.10.1.1";
const BAG_SHROUDED_KEY: &str = "1.2.840.113549.1.12.10.1.2";
const BAG_CERT: &str = "1.2.840.113549.1.12.10.1.3";
const BAG_CRL: &str = "1.2.840.113549.1.12.10.1.4";
const BAG_SAFE_CONTENTS: &str = "1.2.840.113549.1.12.10.1.6";
const CERT_TYPE_X509: &str = "1.2.840.113549.1.9.22.1";
const CRL_TYPE_X509: &str = "1.2.840.113549.1.9.23.1";

struct Sink {
    objects: Vec<Object>,
}

impl Sink {
    fn push(&mut self, o: Object) -> Result<(), Error> {
        if self.objects.len() >= MAX_OBJECTS {
            return Err(Error::TooLarge("objects in a file"));
        }
        self.objects.push(o);
        Ok(())
    }
}

/// Parses a file's content. `password` opens PKCS#12 files and encrypted keys.
pub fn parse(
    provider: &CryptoProvider,
    data: &[u8],
    password: Option<&[u8]>,
) -> Result<Vec<Object>, Error> {
    if data.len() > MAX_FILE_LEN {
        return Err(Error::TooLarge("file"));
    }
    let mut sink = Sink {
        objects: Vec::new(),
    };
    if let Some(text) = pem_text(data) {
        parse_pem(provider, text, password, &mut sink)?;
    } else {
        parse_der(provider, data, password, &mut sink)?;
    }
    if sink.objects.is_empty() {
        return Err(Error::Malformed("no certificate, CRL or key found"));
    }
    Ok(sink.objects)
}

/// The text of a PEM file (`None` for binary input).
fn pem_text(data: &[u8]) -> Option<&str> {
    let text = core::str::from_utf8(data).ok()?;
    text.contains("-----BEGIN ").then_some(text)
}

fn parse_pem(
    provider: &CryptoProvider,
    text: &str,
    password: Option<&[u8]>,
    sink: &mut Sink,
) -> Result<(), Error> {
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + 11..];
        let label_end = after.find("-----").ok_or(Error::Malformed("PEM header"))?;
        let label = &after[..label_end];
        let body_start = &after[label_end + 5..];
        let end_marker = alloc::format!("-----END {label}-----");
        let body_end = body_start
            .find(&end_marker)
            .ok_or(Error::Malformed("PEM block without END line"))?;
        let body = &body_start[..body_end];
        rest = &body_start[body_end + end_marker.len()..];
        if body.contains("Proc-Type:") {
            return Err(Error::Unsupported("legacy encrypted PEM (use PKCS#8)"));
        }
        let b64: String = body
            .lines()
            .filter(|l| !l.contains(':'))
            .flat_map(|l| l.chars())
            .filter(|c| !c.is_whitespace())
            .collect();
        let der = Zeroizing::new(
            base64ct::Base64::decode_vec(&b64).map_err(|_| Error::Malformed("PEM base64"))?,
        );
        match label {
            "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => {
                // OpenSSL's TRUSTED CERTIFICATE appends trust settings after the certificate
                let (t, _) = asn1::read(&der)?;
                sink.push(Object::Certificate(Certificate::from_der(t.raw)?))?
            }
            "X509 CRL" => sink.push(Object::Crl(Crl::from_der(&der)?))?,
            "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => {
                sink.push(Object::Request(CertRequest::from_der(&der)?))?
            }
            "PKCS7" | "CMS" => parse_pkcs7(&der, sink)?,
            "PRIVATE KEY" => sink.push(Object::PrivateKey(PrivateKey::from_pkcs8_der(&der)?))?,
            "RSA PRIVATE KEY" => {
                sink.push(Object::PrivateKey(PrivateKey::from_pkcs1_der(&der)?))?
            }
            "EC PRIVATE KEY" => sink.push(Object::PrivateKey(PrivateKey::from_sec1_der(&der)?))?,
            "ENCRYPTED PRIVATE KEY" => {
                let pw = password.ok_or(Error::PasswordRequired)?;
                sink.push(Object::PrivateKey(PrivateKey::from_encrypted_pkcs8_der(
                    provider, &der, pw,
                )?))?
            }
            "PKCS12" => parse_der(provider, &der, password, sink)?,
            // parameters and public keys carry nothing the store keeps
            _ => {}
        }
    }
    Ok(())
}

/// First elements of a DER SEQUENCE, to tell the container formats apart.
fn looks_like(data: &[u8]) -> Result<(Option<asn1::Tlv<'_>>, Option<asn1::Tlv<'_>>), Error> {
    let (outer, _) = asn1::expect(data, tag::SEQUENCE)?;
    let mut it = asn1::items(outer.value);
    let a = it.next().transpose()?;
    let b = it.next().transpose()?;
    Ok((a, b))
}

fn parse_der(
    provider: &CryptoProvider,
    data: &[u8],
    password: Option<&[u8]>,
    sink: &mut Sink,
) -> Result<(), Error> {
    let outer = asn1::exact(data, tag::SEQUENCE)?;
    let _ = outer;
    match looks_like(data)? {
        (Some(a), _) if a.tag == tag::OID && asn1::oid_string(a.value)? == OID_SIGNED_DATA => {
            return parse_pkcs7(data, sink);
        }
        (Some(a), Some(b)) if a.tag == tag::INTEGER && a.value == [3] && b.tag == tag::SEQUENCE => {
            return parse_pfx(provider, data, password, sink);
        }
        _ => {}
    }
    if let Ok(c) = Certificate::from_der(data) {
        return sink.push(Object::Certificate(c));
    }
    if let Ok(c) = Crl::from_der(data) {
        return sink.push(Object::Crl(c));
    }
    if let Ok(r) = CertRequest::from_der(data) {
        return sink.push(Object::Request(r));
    }
    if let Ok(k) = PrivateKey::from_der(data) {
        return sink.push(Object::PrivateKey(k));
    }
    // EncryptedPrivateKeyInfo: SEQUENCE { AlgorithmIdentifier, OCTET STRING }
    if let (Some(a), Some(b)) = looks_like(data)?
        && a.tag == tag::SEQUENCE
        && b.tag == tag::OCTET_STRING
    {
        let pw = password.ok_or(Error::PasswordRequired)?;
        return sink.push(Object::PrivateKey(PrivateKey::from_encrypted_pkcs8_der(
            provider, data, pw,
        )?));
    }
    Err(Error::Malformed("unrecognized object"))
}

/// `ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY }` → (type, content).
fn content_info(data: &[u8]) -> Result<(String, Option<asn1::Tlv<'_>>), Error> {
    let seq = asn1::exact(data, tag::SEQUENCE)?;
    let (oid, rest) = asn1::expect(seq.value, tag::OID)?;
    let content = if rest.is_empty() {
        None
    } else {
        let wrapper = asn1::exact(rest, tag::ctx(0))?;
        let (inner, r) = asn1::read(wrapper.value)?;
        if !r.is_empty() {
            return Err(Error::Malformed("ContentInfo content"));
        }
        Some(inner)
    };
    Ok((asn1::oid_string(oid.value)?, content))
}

/// A PKCS#7 / CMS `SignedData` used as a certificate bundle: its certificates and CRLs.
/// Signatures of the SignedData itself are not checked (a bundle is a bag, not a statement).
fn parse_pkcs7(data: &[u8], sink: &mut Sink) -> Result<(), Error> {
    let (ty, content) = content_info(data)?;
    if ty != OID_SIGNED_DATA {
        return Err(Error::Unsupported("PKCS#7 content other than signedData"));
    }
    let sd = content.ok_or(Error::Malformed("empty signedData"))?;
    if sd.tag != tag::SEQUENCE {
        return Err(Error::Malformed("signedData"));
    }
    let mut it = asn1::items(sd.value);
    let _version = it.next().ok_or(Error::Malformed("signedData"))??;
    let _digests = it.next().ok_or(Error::Malformed("signedData"))??;
    let _encap = it.next().ok_or(Error::Malformed("signedData"))??;
    for item in it {
        let item = item?;
        if item.tag == tag::ctx(0) {
            for c in asn1::items(item.value) {
                let c = c?;
                if c.tag == tag::SEQUENCE {
                    sink.push(Object::Certificate(Certificate::from_der(c.raw)?))?;
                }
            }
        } else if item.tag == tag::ctx(1) {
            for c in asn1::items(item.value) {
                let c = c?;
                if c.tag == tag::SEQUENCE {
                    sink.push(Object::Crl(Crl::from_der(c.raw)?))?;
                }
            }
        }
    }
    Ok(())
}

/// Verifies the PFX MAC with `password`; true when it matches.
fn pfx_mac_ok(
    provider: &CryptoProvider,
    mac_data: &[u8],
    auth_safe: &[u8],
    password: &[u8],
) -> Result<bool, Error> {
    let mut it = asn1::items(mac_data);
    let digest_info = it.next().ok_or(Error::Malformed("MacData"))??;
    let salt = it.next().ok_or(Error::Malformed("MacData"))??;
    let iterations = match it.next().transpose()? {
        Some(t) if t.tag == tag::INTEGER => pbe::small_uint(t.value)?,
        None => 1,
        _ => return Err(Error::Malformed("MacData iterations")),
    };
    if salt.tag != tag::OCTET_STRING || digest_info.tag != tag::SEQUENCE {
        return Err(Error::Malformed("MacData"));
    }
    let (alg, rest) = asn1::expect(digest_info.value, tag::SEQUENCE)?;
    let digest = asn1::exact(rest, tag::OCTET_STRING)?;
    let alg = crate::alg::AlgorithmId::from_contents(alg.value)?;
    let named = provider
        .hashes
        .iter()
        .find(|h| h.oid == Some(alg.oid.as_str()) && h.name.starts_with("sha"))
        .ok_or(Error::Unsupported("PKCS#12 MAC hash"))?;
    let key = pbe::pkcs12_kdf(
        provider,
        named.name,
        &pbe::bmp_password(password),
        salt.value,
        3,
        iterations,
        named.hash.output_len(),
    )?;
    let mac = named.hash.hmac(&key, &[auth_safe]);
    Ok(
        mac.as_slice().len() == digest.value.len()
            && bool::from(mac.as_slice().ct_eq(digest.value)),
    )
}

fn parse_pfx(
    provider: &CryptoProvider,
    data: &[u8],
    password: Option<&[u8]>,
    sink: &mut Sink,
) -> Result<(), Error> {
    let pfx = asn1::exact(data, tag::SEQUENCE)?;
    let (_version, rest) = asn1::expect(pfx.value, tag::INTEGER)?;
    let (auth_safe, rest) = asn1::expect(rest, tag::SEQUENCE)?;
    let (ty, content) = content_info(auth_safe.raw)?;
    if ty != OID_DATA {
        return Err(Error::Unsupported("PKCS#12 public-key integrity mode"));
    }
    let octets = content.ok_or(Error::Malformed("PFX authSafe"))?;
    if octets.tag != tag::OCTET_STRING {
        return Err(Error::Malformed("PFX authSafe is not an OCTET STRING"));
    }
    // Find the password: the given one, or (none given) the empty one in both encodings
    // OpenSSL uses. Without a MAC the given password (or the empty one) is used as is.
    let pw: Zeroizing<Vec<u8>> = if rest.is_empty() {
        Zeroizing::new(password.unwrap_or(b"").to_vec())
    } else {
        let mac = asn1::exact(rest, tag::SEQUENCE)?;
        match password {
            Some(p) => {
                if !pfx_mac_ok(provider, mac.value, octets.value, p)? {
                    return Err(Error::WrongPassword);
                }
                Zeroizing::new(p.to_vec())
            }
            None => {
                if pfx_mac_ok(provider, mac.value, octets.value, b"")? {
                    Zeroizing::new(Vec::new())
                } else {
                    return Err(Error::PasswordRequired);
                }
            }
        }
    };
    let safes = asn1::exact(octets.value, tag::SEQUENCE)?;
    for ci in asn1::items(safes.value) {
        let ci = ci?;
        let (ty, content) = content_info(ci.raw)?;
        let content = content.ok_or(Error::Malformed("PFX safe"))?;
        match ty.as_str() {
            OID_DATA => {
                if content.tag != tag::OCTET_STRING {
                    return Err(Error::Malformed("PFX data safe"));
                }
                safe_contents(provider, content.value, &pw, sink, 0)?;
            }
            OID_ENCRYPTED_DATA => {
                // EncryptedData ::= SEQUENCE { version, EncryptedContentInfo }
                let (_v, rest) = asn1::expect(content.value, tag::INTEGER)?;
                let (eci, _) = asn1::expect(rest, tag::SEQUENCE)?;
                let (_ct, rest) = asn1::expect(eci.value, tag::OID)?;
                let (alg, rest) = asn1::expect(rest, tag::SEQUENCE)?;
                let (enc, _) = asn1::read(rest)?;
                let ciphertext: Zeroizing<Vec<u8>> = match enc.tag {
                    0x80 => Zeroizing::new(enc.value.to_vec()),
                    // constructed form: a series of OCTET STRING segments
                    0xa0 => {
                        let mut v = Zeroizing::new(Vec::new());
                        for seg in asn1::items(enc.value) {
                            let seg = seg?;
                            if seg.tag != tag::OCTET_STRING {
                                return Err(Error::Malformed("encryptedContent segment"));
                            }
                            v.extend_from_slice(seg.value);
                        }
                        v
                    }
                    _ => return Err(Error::Malformed("encryptedContent")),
                };
                let plain = pbe::decrypt(provider, alg.value, &ciphertext, &pw)?;
                safe_contents(provider, &plain, &pw, sink, 0).map_err(|e| match e {
                    // garbage after a lucky padding check means the password was wrong
                    Error::Malformed(_) => Error::WrongPassword,
                    e => e,
                })?;
            }
            _ => {
                return Err(Error::Unsupported(
                    "PKCS#12 safe other than data/encryptedData",
                ));
            }
        }
    }
    Ok(())
}

fn safe_contents(
    provider: &CryptoProvider,
    der: &[u8],
    password: &[u8],
    sink: &mut Sink,
    depth: u8,
) -> Result<(), Error> {
    let seq = asn1::exact(der, tag::SEQUENCE)?;
    for bag in asn1::items(seq.value) {
        let bag = bag?;
        if bag.tag != tag::SEQUENCE {
            return Err(Error::Malformed("SafeBag"));
        }
        let (id, rest) = asn1::expect(bag.value, tag::OID)?;
        let (wrapper, _attributes) = asn1::expect(rest, tag::ctx(0))?;
        let (value, _) = asn1::read(wrapper.value)?;
        match asn1::oid_string(id.value)?.as_str() {
            BAG_KEY => sink.push(Object::PrivateKey(PrivateKey::from_pkcs8_der(value.raw)?))?,
            BAG_SHROUDED_KEY => sink.push(Object::PrivateKey(
                PrivateKey::from_encrypted_pkcs8_der(provider, value.raw, password)?,
            ))?,
            BAG_CERT | BAG_CRL => {
                // CertBag/CRLBag ::= SEQUENCE { id OID, value [0] EXPLICIT OCTET STRING }
                let (ty, rest) = asn1::expect(value.value, tag::OID)?;
                let ty = asn1::oid_string(ty.value)?;
                let v = asn1::exact(rest, tag::ctx(0))?;
                let octets = asn1::exact(v.value, tag::OCTET_STRING)?;
                match ty.as_str() {
                    CERT_TYPE_X509 => {
                        sink.push(Object::Certificate(Certificate::from_der(octets.value)?))?
                    }
                    CRL_TYPE_X509 => sink.push(Object::Crl(Crl::from_der(octets.value)?))?,
                    _ => {} // SDSI certificates and others: nothing the store keeps
                }
            }
            BAG_SAFE_CONTENTS if depth == 0 => {
                safe_contents(provider, value.raw, password, sink, 1)?
            }
            BAG_SAFE_CONTENTS => return Err(Error::TooLarge("nested PKCS#12 safe contents")),
            _ => {} // secret bags: not ours
        }
    }
    Ok(())
}
