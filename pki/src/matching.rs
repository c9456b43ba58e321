//! Matching certificates against what a policy or a peer says: DN patterns with `*`
//! wildcards ([`DnPattern`], lsp.md §5.2 `X509SubjectDN`), the LSP's `CertDescription`
//! ([`CertSelector`]), and the IKE identity a peer sends ([`Identity`], checked against the
//! certificate it authenticates with).
//!
//! DN pattern semantics (lsp.md §5.2): every attribute written must be present in the
//! certificate's DN with an equal value — case-insensitive, surrounding whitespace ignored, `*`
//! matches any run of characters (`CN=*` any CN, `CN=gw-*.example.by`) — in any order; extra
//! attributes in the certificate's DN are allowed. The same glob rules apply to FQDN and
//! e-mail patterns ([`glob_match`]).
//!
//! This module must not allocate in proportion to anything but the pattern; matching is
//! linear-time per attribute (the glob matcher backtracks over one `*` at a time).

use alloc::string::String;
use alloc::vec::Vec;

use crate::Error;
use crate::cert::{Certificate, GeneralName};
use crate::name::{self, DistinguishedName};

/// Glob match: `*` matches any run of characters; case-insensitive; surrounding whitespace
/// and repeated inner whitespace ignored (as in DN comparison).
pub fn glob_match(pattern: &str, value: &str) -> bool {
    let p: Vec<char> = name::fold_chars(pattern).collect();
    let v: Vec<char> = name::fold_chars(value).collect();
    // iterative wildcard matching with single backtrack point (linear in practice, O(n·m) worst)
    let (mut pi, mut vi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while vi < v.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, vi));
            pi += 1;
        } else if pi < p.len() && p[pi] == v[vi] {
            pi += 1;
            vi += 1;
        } else if let Some((sp, sv)) = star {
            pi = sp + 1;
            vi = sv + 1;
            star = Some((sp, sv + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// A DN pattern (`C=BY,O=*,CN=gw*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnPattern {
    /// (dotted OID, value pattern).
    attrs: Vec<(String, String)>,
}

impl DnPattern {
    /// Parses the text form (the same syntax as `DistinguishedName::from_text`, values may
    /// contain `*`).
    pub fn parse(text: &str) -> Result<Self, Error> {
        let rdns = name::parse_text(text)?;
        Ok(DnPattern {
            attrs: rdns.into_iter().flatten().collect(),
        })
    }

    /// True when `dn` satisfies the pattern (module docs). The empty pattern matches any DN.
    pub fn matches(&self, dn: &DistinguishedName) -> bool {
        self.attrs.iter().all(|(oid, pat)| {
            dn.attributes()
                .iter()
                .any(|a| &a.oid == oid && glob_match(pat, &a.value))
        })
    }
}

/// The LSP `CertDescription` (lsp.md §5.2): a certificate matches when every written attribute
/// matches one of its alternatives.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CertSelector {
    /// `Subject` alternatives.
    pub subject: Vec<DnPattern>,
    /// `Issuer` alternatives.
    pub issuer: Vec<DnPattern>,
    /// `SerialNumber` alternatives: big-endian magnitudes (leading zeros removed).
    pub serial: Vec<Vec<u8>>,
}

/// Parses a serial number as the LSP writes it: hex digits, case-insensitive, optional `0x`,
/// spaces or colons between bytes, leading zeros ignored.
pub fn parse_serial(text: &str) -> Result<Vec<u8>, Error> {
    let t = text.trim();
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    let digits: Vec<u8> = t
        .bytes()
        .filter(|b| !matches!(b, b' ' | b':'))
        .map(|b| match b {
            b'0'..=b'9' => Ok(b - b'0'),
            b'a'..=b'f' => Ok(b - b'a' + 10),
            b'A'..=b'F' => Ok(b - b'A' + 10),
            _ => Err(Error::Malformed("serial number is not hex")),
        })
        .collect::<Result<_, _>>()?;
    if digits.is_empty() || digits.len() > 80 {
        return Err(Error::Malformed("serial number length"));
    }
    let mut out = Vec::with_capacity(digits.len() / 2 + 1);
    let mut iter = digits.iter();
    if digits.len() % 2 == 1 {
        out.push(*iter.next().unwrap_or(&0));
    }
    while let (Some(h), Some(l)) = (iter.next(), iter.next()) {
        out.push(h << 4 | l);
    }
    Ok(strip_zeros(&out).to_vec())
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    &b[b.iter().position(|&x| x != 0).unwrap_or(b.len())..]
}

impl CertSelector {
    /// Builds a selector from the LSP's string lists (`lsp::CertDescription` fields).
    pub fn from_strings(
        subject: &[impl AsRef<str>],
        issuer: &[impl AsRef<str>],
        serial: &[impl AsRef<str>],
    ) -> Result<Self, Error> {
        Ok(CertSelector {
            subject: subject
                .iter()
                .map(|s| DnPattern::parse(s.as_ref()))
                .collect::<Result<_, _>>()?,
            issuer: issuer
                .iter()
                .map(|s| DnPattern::parse(s.as_ref()))
                .collect::<Result<_, _>>()?,
            serial: serial
                .iter()
                .map(|s| parse_serial(s.as_ref()))
                .collect::<Result<_, _>>()?,
        })
    }

    /// True when `cert` matches every written attribute.
    pub fn matches(&self, cert: &Certificate) -> bool {
        (self.subject.is_empty() || self.subject.iter().any(|p| p.matches(cert.subject())))
            && (self.issuer.is_empty() || self.issuer.iter().any(|p| p.matches(cert.issuer())))
            && (self.serial.is_empty()
                || self
                    .serial
                    .iter()
                    .any(|s| s.as_slice() == strip_zeros(cert.serial())))
    }
}

/// An IKE identity (RFC 2407 §4.6.2) as received in an ID payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identity {
    /// ID_IPV4_ADDR.
    Ipv4([u8; 4]),
    /// ID_IPV6_ADDR.
    Ipv6([u8; 16]),
    /// ID_FQDN.
    Fqdn(String),
    /// ID_USER_FQDN (e-mail).
    UserFqdn(String),
    /// ID_DER_ASN1_DN: the DER of a Name.
    DerAsn1Dn(Vec<u8>),
    /// ID_KEY_ID: never bound to a certificate.
    KeyId(Vec<u8>),
}

/// Why an identity does not belong to a certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentityMismatch {
    /// The DN differs from the certificate's subject.
    SubjectDn,
    /// No subjectAltName of the right form carries the value.
    NoSubjectAltName,
    /// ID_KEY_ID cannot be checked against a certificate.
    KeyId,
    /// The ID_DER_ASN1_DN payload is not a valid Name.
    BadDn,
}

impl Identity {
    /// Checks that this identity (sent by the peer) is bound to `cert` (the certificate the
    /// peer authenticated with): ID_DER_ASN1_DN equals the subject DN; ID_FQDN, ID_USER_FQDN
    /// and IP identities are listed in subjectAltName (dNSName / rfc822Name or the subject's
    /// e-mail attribute / iPAddress).
    pub fn bound_to(&self, cert: &Certificate) -> Result<(), IdentityMismatch> {
        let sans = &cert.extensions().subject_alt_names;
        let found = match self {
            Identity::DerAsn1Dn(der) => {
                let dn = DistinguishedName::from_der(der).map_err(|_| IdentityMismatch::BadDn)?;
                return if dn.matches(cert.subject()) {
                    Ok(())
                } else {
                    Err(IdentityMismatch::SubjectDn)
                };
            }
            Identity::Fqdn(f) => sans.iter().any(|s| match s {
                GeneralName::Dns(d) => {
                    name::fold_eq(d.trim_end_matches('.'), f.trim_end_matches('.'))
                }
                _ => false,
            }),
            Identity::UserFqdn(e) => {
                sans.iter()
                    .any(|s| matches!(s, GeneralName::Email(m) if name::fold_eq(m, e)))
                    || cert
                        .subject()
                        .values("1.2.840.113549.1.9.1")
                        .any(|m| name::fold_eq(m, e))
            }
            Identity::Ipv4(a) => sans
                .iter()
                .any(|s| matches!(s, GeneralName::Ip(ip) if ip.as_slice() == a)),
            Identity::Ipv6(a) => sans
                .iter()
                .any(|s| matches!(s, GeneralName::Ip(ip) if ip.as_slice() == a)),
            Identity::KeyId(_) => return Err(IdentityMismatch::KeyId),
        };
        if found {
            Ok(())
        } else {
            Err(IdentityMismatch::NoSubjectAltName)
        }
    }

    /// The identity a certificate gives when the policy says to send the subject DN.
    pub fn subject_of(cert: &Certificate) -> Identity {
        Identity::DerAsn1Dn(cert.subject().der().to_vec())
    }
}

/// A remote-identity pattern of an `IdentityEntry` (lsp.md §5.2): what the peer's ID must look
/// like. `Any` is the empty entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdentityPattern {
    /// Accept any identity.
    Any,
    /// `X509SubjectDN` alternatives.
    SubjectDn(Vec<DnPattern>),
    /// `FQDN` alternatives (globs).
    Fqdn(Vec<String>),
    /// `UserFQDN` alternatives (globs).
    UserFqdn(Vec<String>),
}

impl IdentityPattern {
    /// True when the peer's identity satisfies the pattern.
    pub fn matches(&self, id: &Identity) -> bool {
        match (self, id) {
            (IdentityPattern::Any, _) => true,
            (IdentityPattern::SubjectDn(ps), Identity::DerAsn1Dn(der)) => {
                DistinguishedName::from_der(der).is_ok_and(|dn| ps.iter().any(|p| p.matches(&dn)))
            }
            (IdentityPattern::Fqdn(ps), Identity::Fqdn(f)) => ps.iter().any(|p| glob_match(p, f)),
            (IdentityPattern::UserFqdn(ps), Identity::UserFqdn(e)) => {
                ps.iter().any(|p| glob_match(p, e))
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("*", ""));
        assert!(glob_match("gw-*.example.by", "GW-01.Example.BY"));
        assert!(!glob_match("gw-*.example.by", "gw-01.example.com"));
        assert!(glob_match("a*b*c", "aXXbYYc"));
        assert!(!glob_match("a*b*c", "aXXbYY"));
        assert!(glob_match("  Ivan   Petrov ", "ivan petrov"));
    }

    #[test]
    fn dn_patterns() {
        let dn = DistinguishedName::from_text("C=BY,O=S-Terra Bel,OU=QA,CN=gw-01").unwrap();
        for (p, m) in [
            ("CN=gw-01", true),
            ("cn=GW-*", true),
            ("O=*,CN=gw*", true),
            ("CN=gw-01,C=BY", true),
            ("C=RU", false),
            ("E=*", false),
            ("", true),
        ] {
            assert_eq!(DnPattern::parse(p).unwrap().matches(&dn), m, "{p}");
        }
    }

    #[test]
    fn serials() {
        assert_eq!(parse_serial("00 0a:FF").unwrap(), [0x0a, 0xff]);
        assert_eq!(parse_serial("0x1").unwrap(), [1]);
        assert!(parse_serial("xyz").is_err());
        assert!(parse_serial("").is_err());
    }
}
