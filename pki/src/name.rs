//! Distinguished names: decoding from DER, the `O=…,CN=…` text form `cert_mgr` prints and the
//! LSP writes, and name comparison for chain building.
//!
//! Text form: attributes in the order they are encoded (the product prints
//! `C=BY,O=STBcert,OU=QA,CN=CAUN0`, most significant first), `,` between RDNs, `+` inside a
//! multi-valued RDN; `,`, `+`, `=`, `\` and `"` in values are escaped with `\`. Known attribute
//! types get short names (table [`ATTRIBUTE_NAMES`]); others print as the dotted OID.
//!
//! Comparison (RFC 5280 §7.1, simplified): identical DER, or the same attribute types in the same
//! RDN structure with values equal after case folding and whitespace collapsing.
//!
//! This module must not allocate without bound: a name holds at most [`MAX_ATTRIBUTES`]
//! attributes.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use crate::Error;
use crate::asn1::{self, tag};

/// Most attributes a name may carry.
pub const MAX_ATTRIBUTES: usize = 64;

/// Attribute type short names: (dotted OID, name printed, other accepted spellings).
pub static ATTRIBUTE_NAMES: &[(&str, &str, &[&str])] = &[
    ("2.5.4.6", "C", &["COUNTRYNAME"]),
    ("2.5.4.8", "ST", &["S", "STATEORPROVINCENAME"]),
    ("2.5.4.7", "L", &["LOCALITYNAME"]),
    ("2.5.4.10", "O", &["ORGANIZATIONNAME"]),
    ("2.5.4.11", "OU", &["ORGANIZATIONALUNITNAME"]),
    ("2.5.4.3", "CN", &["COMMONNAME"]),
    ("2.5.4.4", "SN", &["SURNAME"]),
    ("2.5.4.42", "GN", &["GIVENNAME", "G"]),
    ("2.5.4.43", "I", &["INITIALS"]),
    ("2.5.4.12", "T", &["TITLE"]),
    ("2.5.4.5", "SERIALNUMBER", &[]),
    ("2.5.4.9", "STREET", &["STREETADDRESS"]),
    ("2.5.4.17", "POSTALCODE", &[]),
    ("2.5.4.41", "NAME", &[]),
    ("2.5.4.97", "ORGANIZATIONIDENTIFIER", &["ORGID"]),
    ("1.2.840.113549.1.9.1", "E", &["EMAIL", "EMAILADDRESS"]),
    ("0.9.2342.19200300.100.1.25", "DC", &["DOMAINCOMPONENT"]),
    ("0.9.2342.19200300.100.1.1", "UID", &["USERID"]),
];

/// Dotted OID of an attribute type name (case-insensitive; a dotted OID is accepted as is).
pub fn attribute_oid(name: &str) -> Option<String> {
    let upper = name.trim().to_ascii_uppercase();
    for (oid, short, aliases) in ATTRIBUTE_NAMES {
        if *short == upper || aliases.contains(&upper.as_str()) {
            return Some((*oid).to_string());
        }
    }
    if !upper.is_empty() && upper.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return der::oid::ObjectIdentifier::new(&upper)
            .ok()
            .map(|o| o.to_string());
    }
    None
}

/// The short name of an attribute type, or its dotted OID.
pub fn attribute_name(oid: &str) -> &str {
    ATTRIBUTE_NAMES
        .iter()
        .find(|(o, _, _)| *o == oid)
        .map_or(oid, |(_, n, _)| n)
}

/// One attribute of a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    /// Dotted OID of the type.
    pub oid: String,
    /// The value as text (`#hex` of the DER when it is not a string type).
    pub value: String,
    /// Index of the RDN the attribute belongs to.
    pub rdn: usize,
}

/// A distinguished name.
#[derive(Clone, PartialEq, Eq)]
pub struct DistinguishedName {
    der: Vec<u8>,
    attrs: Vec<Attribute>,
}

impl fmt::Debug for DistinguishedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DistinguishedName({self})")
    }
}

/// Decodes a string value of a directory attribute.
fn decode_string(t: &asn1::Tlv<'_>) -> Option<String> {
    match t.tag {
        // UTF8String, PrintableString, IA5String, NumericString, VisibleString
        0x0c | 0x13 | 0x16 | 0x12 | 0x1a => core::str::from_utf8(t.value).ok().map(String::from),
        // TeletexString: read as Latin-1 (what deployed CAs put there in practice)
        0x14 => Some(t.value.iter().map(|&b| char::from(b)).collect()),
        // BMPString: UTF-16BE
        0x1e => {
            if !t.value.len().is_multiple_of(2) {
                return None;
            }
            let units = t
                .value
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]));
            char::decode_utf16(units)
                .collect::<Result<String, _>>()
                .ok()
        }
        // UniversalString: UTF-32BE
        0x1c => {
            if !t.value.len().is_multiple_of(4) {
                return None;
            }
            t.value
                .chunks_exact(4)
                .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
                .collect()
        }
        _ => None,
    }
}

fn hex_value(raw: &[u8]) -> String {
    let mut s = String::with_capacity(1 + 2 * raw.len());
    s.push('#');
    for b in raw {
        s.push_str(&alloc::format!("{b:02x}"));
    }
    s
}

impl DistinguishedName {
    /// Decodes a DER `Name` (`RDNSequence`); `der` must be exactly one name.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let seq = asn1::exact(der, tag::SEQUENCE)?;
        let mut attrs = Vec::new();
        for (i, rdn) in asn1::items(seq.value).enumerate() {
            let rdn = rdn?;
            if rdn.tag != tag::SET {
                return Err(Error::Malformed("RDN is not a SET"));
            }
            let mut n = 0;
            for atv in asn1::items(rdn.value) {
                let atv = atv?;
                if atv.tag != tag::SEQUENCE {
                    return Err(Error::Malformed("attribute is not a SEQUENCE"));
                }
                let (oid, rest) = asn1::expect(atv.value, tag::OID)?;
                let (val, rest) = asn1::read(rest)?;
                if !rest.is_empty() {
                    return Err(Error::Malformed("trailing data in attribute"));
                }
                if attrs.len() >= MAX_ATTRIBUTES {
                    return Err(Error::TooLarge("attributes in a name"));
                }
                attrs.push(Attribute {
                    oid: asn1::oid_string(oid.value)?,
                    value: decode_string(&val).unwrap_or_else(|| hex_value(val.raw)),
                    rdn: i,
                });
                n += 1;
            }
            if n == 0 {
                return Err(Error::Malformed("empty RDN"));
            }
        }
        Ok(DistinguishedName {
            der: der.to_vec(),
            attrs,
        })
    }

    /// Encodes a name from its text form (`C=BY,O=Org,CN=Host`; attribute values become
    /// PrintableString for `C` and UTF8String otherwise). Used by the certificate builder and
    /// by hosts that turn a configured DN into an ID_DER_ASN1_DN payload.
    pub fn from_text(text: &str) -> Result<Self, Error> {
        let rdns = parse_text(text)?;
        let mut rdn_ders = Vec::new();
        for rdn in &rdns {
            let mut atvs = Vec::new();
            for (oid, value) in rdn {
                let t = if oid == "2.5.4.6" && value.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    tag::PRINTABLE_STRING
                } else if oid == "1.2.840.113549.1.9.1" || oid == "0.9.2342.19200300.100.1.25" {
                    tag::IA5_STRING
                } else {
                    tag::UTF8_STRING
                };
                atvs.push(asn1::cons(
                    tag::SEQUENCE,
                    &[&asn1::oid(oid)?, &asn1::tlv(t, value.as_bytes())],
                ));
            }
            // DER SET OF: sort the encodings
            atvs.sort();
            let parts: Vec<&[u8]> = atvs.iter().map(Vec::as_slice).collect();
            rdn_ders.push(asn1::cons(tag::SET, &parts));
        }
        let parts: Vec<&[u8]> = rdn_ders.iter().map(Vec::as_slice).collect();
        Self::from_der(&asn1::cons(tag::SEQUENCE, &parts))
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The attributes in encoding order.
    pub fn attributes(&self) -> &[Attribute] {
        &self.attrs
    }

    /// True for the empty name.
    pub fn is_empty(&self) -> bool {
        self.attrs.is_empty()
    }

    /// Values of the attributes of type `oid`.
    pub fn values<'a>(&'a self, oid: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.attrs
            .iter()
            .filter(move |a| a.oid == oid)
            .map(|a| a.value.as_str())
    }

    /// The first common name.
    pub fn common_name(&self) -> Option<&str> {
        self.values("2.5.4.3").next()
    }

    /// Name equality for chain building (see the module docs).
    pub fn matches(&self, other: &DistinguishedName) -> bool {
        if self.der == other.der {
            return true;
        }
        self.attrs.len() == other.attrs.len()
            && self
                .attrs
                .iter()
                .zip(&other.attrs)
                .all(|(a, b)| a.rdn == b.rdn && a.oid == b.oid && fold_eq(&a.value, &b.value))
    }
}

impl fmt::Display for DistinguishedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut prev: Option<usize> = None;
        for a in &self.attrs {
            if let Some(p) = prev {
                f.write_str(if p == a.rdn { "+" } else { "," })?;
            }
            prev = Some(a.rdn);
            write!(f, "{}=", attribute_name(&a.oid))?;
            for c in a.value.chars() {
                if matches!(c, ',' | '+' | '=' | '\\' | '"') {
                    f.write_str("\\")?;
                }
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

/// Case-insensitive comparison with leading/trailing whitespace removed and inner runs of
/// whitespace collapsed (RFC 4518 in its simple form).
pub(crate) fn fold_eq(a: &str, b: &str) -> bool {
    let mut x = fold_chars(a);
    let mut y = fold_chars(b);
    loop {
        match (x.next(), y.next()) {
            (None, None) => return true,
            (Some(c), Some(d)) if c == d => {}
            _ => return false,
        }
    }
}

/// The characters of `s` case-folded with whitespace runs collapsed to one space and trimmed.
pub(crate) fn fold_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    let mut last_space = true;
    let mut out = s
        .trim()
        .chars()
        .filter(move |c| {
            let sp = c.is_whitespace();
            let keep = !(sp && last_space);
            last_space = sp;
            keep
        })
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .flat_map(char::to_lowercase)
        .peekable();
    core::iter::from_fn(move || out.next())
}

/// Parses the text form into RDNs of (dotted OID, value). Values may be quoted or escaped.
pub(crate) fn parse_text(text: &str) -> Result<Vec<Vec<(String, String)>>, Error> {
    let mut rdns: Vec<Vec<(String, String)>> = Vec::new();
    let mut cur: Vec<(String, String)> = Vec::new();
    let mut chars = text.chars().peekable();
    if text.trim().is_empty() {
        return Ok(rdns);
    }
    loop {
        // attribute type
        let mut ty = String::new();
        for c in chars.by_ref() {
            if c == '=' {
                break;
            }
            ty.push(c);
        }
        let oid = attribute_oid(&ty).ok_or(Error::Malformed("unknown attribute type in name"))?;
        // value
        let mut value = String::new();
        let mut sep = None;
        let mut quoted = false;
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    if let Some(n) = chars.next() {
                        value.push(n);
                    }
                }
                '"' => quoted = !quoted,
                ',' | ';' | '+' if !quoted => {
                    sep = Some(c);
                    break;
                }
                _ => value.push(c),
            }
        }
        if cur.len() + rdns.iter().map(Vec::len).sum::<usize>() >= MAX_ATTRIBUTES {
            return Err(Error::TooLarge("attributes in a name"));
        }
        cur.push((oid, value.trim().to_string()));
        match sep {
            Some('+') => {}
            Some(_) => rdns.push(core::mem::take(&mut cur)),
            None => {
                rdns.push(cur);
                return Ok(rdns);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_roundtrip() {
        let n = DistinguishedName::from_text("C=BY, O=S-Terra Bel,CN=CA Cert").unwrap();
        assert_eq!(n.to_string(), "C=BY,O=S-Terra Bel,CN=CA Cert");
        assert_eq!(n.common_name(), Some("CA Cert"));
        let m = DistinguishedName::from_text("c=by,o=s-terra  bel,cn=ca cert").unwrap();
        assert!(n.matches(&m));
        let e = DistinguishedName::from_text(r"CN=a\,b+OU=x,E=u@h").unwrap();
        // a multi-valued RDN is a DER SET OF: members sorted by encoding (shorter OU first)
        assert_eq!(e.to_string(), r"OU=x+CN=a\,b,E=u@h");
        assert!(DistinguishedName::from_text("XX=1").is_err());
        assert!(DistinguishedName::from_text("").unwrap().is_empty());
    }

    #[test]
    fn string_types() {
        let bmp = asn1::tlv(0x1e, &[0x04, 0x10, 0x00, 0x41]);
        let t = asn1::exact(&bmp, 0x1e).unwrap();
        assert_eq!(decode_string(&t).unwrap(), "\u{410}A");
        let odd = asn1::tlv(0x1e, &[0x04]);
        assert!(decode_string(&asn1::exact(&odd, 0x1e).unwrap()).is_none());
    }
}
