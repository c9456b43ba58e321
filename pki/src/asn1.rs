//! A minimal, bounded DER walker and writer.
//!
//! The `der`/`x509-cert` crates decode the structures whose types they define; this module covers
//! what they cannot give: the exact bytes of a `tbsCertificate` (signatures are checked over the
//! bytes received, never over a re-encoding), and a walk over containers whose schemas are not in
//! a stable crate of our trait generation (PKCS#7 certs-only `SignedData`, PKCS#12 `PFX`, the
//! bign/GOST key structures). The writer is what the test-certificate builder needs.
//!
//! It must not: accept indefinite lengths or multi-byte tags (DER forbids the first; no structure
//! read here uses the second), read past its input, or allocate while reading.

use alloc::vec::Vec;

use crate::Error;

/// Universal tags used by the callers.
pub mod tag {
    /// BOOLEAN.
    pub const BOOLEAN: u8 = 0x01;
    /// INTEGER.
    pub const INTEGER: u8 = 0x02;
    /// BIT STRING.
    pub const BIT_STRING: u8 = 0x03;
    /// OCTET STRING.
    pub const OCTET_STRING: u8 = 0x04;
    /// NULL.
    pub const NULL: u8 = 0x05;
    /// OBJECT IDENTIFIER.
    pub const OID: u8 = 0x06;
    /// UTF8String.
    pub const UTF8_STRING: u8 = 0x0c;
    /// PrintableString.
    pub const PRINTABLE_STRING: u8 = 0x13;
    /// IA5String.
    pub const IA5_STRING: u8 = 0x16;
    /// UTCTime.
    pub const UTC_TIME: u8 = 0x17;
    /// GeneralizedTime.
    pub const GENERALIZED_TIME: u8 = 0x18;
    /// SEQUENCE (constructed).
    pub const SEQUENCE: u8 = 0x30;
    /// SET (constructed).
    pub const SET: u8 = 0x31;
    /// `[n]` constructed context-specific.
    pub const fn ctx(n: u8) -> u8 {
        0xa0 | n
    }
    /// `[n]` primitive context-specific.
    pub const fn ctx_prim(n: u8) -> u8 {
        0x80 | n
    }
}

/// One decoded TLV.
#[derive(Clone, Copy, Debug)]
pub struct Tlv<'a> {
    /// The identifier octet.
    pub tag: u8,
    /// The contents.
    pub value: &'a [u8],
    /// Tag, length and contents together.
    pub raw: &'a [u8],
}

/// Reads one TLV from the front of `input`; returns it and the rest.
pub fn read(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), Error> {
    let (&tag, rest) = input
        .split_first()
        .ok_or(Error::Malformed("truncated DER"))?;
    if tag & 0x1f == 0x1f {
        return Err(Error::Malformed("multi-byte DER tag"));
    }
    let (&first, mut rest) = rest
        .split_first()
        .ok_or(Error::Malformed("truncated DER"))?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 {
            return Err(Error::Malformed("indefinite DER length"));
        }
        if n > 4 {
            return Err(Error::Malformed("DER length too large"));
        }
        let (bytes, r) = rest
            .split_at_checked(n)
            .ok_or(Error::Malformed("truncated DER"))?;
        rest = r;
        let mut len = 0usize;
        for &b in bytes {
            len = (len << 8) | usize::from(b);
        }
        len
    };
    let header = input.len() - rest.len();
    let (value, after) = rest
        .split_at_checked(len)
        .ok_or(Error::Malformed("truncated DER"))?;
    let raw = &input[..header + len];
    Ok((Tlv { tag, value, raw }, after))
}

/// Reads one TLV that must carry `tag`.
pub fn expect(input: &[u8], tag: u8) -> Result<(Tlv<'_>, &[u8]), Error> {
    let (t, rest) = read(input)?;
    if t.tag != tag {
        return Err(Error::Malformed("unexpected DER tag"));
    }
    Ok((t, rest))
}

/// Reads exactly one TLV with `tag` filling all of `input`.
pub fn exact(input: &[u8], tag: u8) -> Result<Tlv<'_>, Error> {
    let (t, rest) = expect(input, tag)?;
    if !rest.is_empty() {
        return Err(Error::Malformed("trailing data after DER value"));
    }
    Ok(t)
}

/// Iterates over the TLVs of a constructed value's contents.
pub struct Items<'a> {
    rest: &'a [u8],
}

/// The elements of `contents` (the value of a SEQUENCE or SET).
pub fn items(contents: &[u8]) -> Items<'_> {
    Items { rest: contents }
}

impl<'a> Iterator for Items<'a> {
    type Item = Result<Tlv<'a>, Error>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        match read(self.rest) {
            Ok((t, r)) => {
                self.rest = r;
                Some(Ok(t))
            }
            Err(e) => {
                self.rest = &[];
                Some(Err(e))
            }
        }
    }
}

/// Dotted form of an OID's contents (the value of an OBJECT IDENTIFIER TLV).
pub fn oid_string(value: &[u8]) -> Result<alloc::string::String, Error> {
    der::oid::ObjectIdentifier::from_bytes(value)
        .map(|o| alloc::string::ToString::to_string(&o))
        .map_err(|_| Error::Malformed("bad OID"))
}

// ---------------------------------------------------------------------------------------------
// Writer

/// Appends the DER length of `len`.
fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u32).to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (4 - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// `tag ‖ len ‖ contents`.
pub fn tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(contents.len() + 6);
    out.push(tag);
    push_len(&mut out, contents.len());
    out.extend_from_slice(contents);
    out
}

/// A constructed value from already encoded parts.
pub fn cons(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
    let body: Vec<u8> = parts.iter().flat_map(|p| p.iter().copied()).collect();
    tlv(tag, &body)
}

/// An OBJECT IDENTIFIER from its dotted form.
pub fn oid(dotted: &str) -> Result<Vec<u8>, Error> {
    let o = der::oid::ObjectIdentifier::new(dotted).map_err(|_| Error::Malformed("bad OID"))?;
    Ok(tlv(tag::OID, o.as_bytes()))
}

/// An INTEGER from a big-endian magnitude (made non-negative and minimal).
pub fn uint(be: &[u8]) -> Vec<u8> {
    let start = be.iter().position(|&b| b != 0).unwrap_or(be.len());
    let mag = &be[start..];
    let mut c = Vec::with_capacity(mag.len() + 1);
    if mag.first().is_none_or(|&b| b & 0x80 != 0) {
        c.push(0);
    }
    c.extend_from_slice(mag);
    tlv(tag::INTEGER, &c)
}

/// A BIT STRING with no unused bits.
pub fn bit_string(bytes: &[u8]) -> Vec<u8> {
    let mut c = Vec::with_capacity(bytes.len() + 1);
    c.push(0);
    c.extend_from_slice(bytes);
    tlv(tag::BIT_STRING, &c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_limits() {
        let long = alloc::vec![7u8; 300];
        let enc = tlv(tag::OCTET_STRING, &long);
        assert_eq!(&enc[..4], &[0x04, 0x82, 0x01, 0x2c]);
        let (t, rest) = read(&enc).unwrap();
        assert_eq!(
            (t.tag, t.value.len(), t.raw.len(), rest.len()),
            (4, 300, 304, 0)
        );
        // truncated, indefinite, oversize and multi-byte tags are refused
        assert!(read(&enc[..100]).is_err());
        assert!(read(&[0x30, 0x80, 0, 0]).is_err());
        assert!(read(&[0x04, 0x85, 1, 0, 0, 0, 0]).is_err());
        assert!(read(&[0x1f, 0x01, 0x00]).is_err());
        assert!(read(&[]).is_err());
        assert_eq!(uint(&[0x80]), [0x02, 0x02, 0x00, 0x80]);
        assert_eq!(uint(&[0, 0, 5]), [0x02, 0x01, 0x05]);
        assert_eq!(uint(&[]), [0x02, 0x01, 0x00]);
        let o = oid("1.2.643.2.2.3").unwrap();
        assert_eq!(
            oid_string(exact(&o, tag::OID).unwrap().value).unwrap(),
            "1.2.643.2.2.3"
        );
    }
}
