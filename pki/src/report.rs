//! The text `cert_mgr show` and `cert_mgr check` print (Bel VPN Client guide 13.1, 13.2), so
//! that every host — the `zubr` command line, an agent's management channel, firmware with a
//! serial console — prints the same thing.
//!
//! Layouts (the manual's examples; **[Z]** marks what the manual does not show):
//! ```text
//! Found 2 certificates. Found 1 CRL.
//! 1 O=S-Terra Bel,CN=CA Cert
//! 2 O=S-Terra Bel,CN=Technological Cert
//! 3 CRL: C=BY,O=STBcert,OU=QA,CN=CAUN0
//! ```
//! Detail (`-i N`, `-expired_remote`): `N Status: remote`, then two-space indented `Subject:`,
//! `Issuer:`, `Valid from:`, `Valid to:  ` (ctime form, UTC), `Version:`, `Serial number:`,
//! `Signature algorithm:`, `Public key:`, `Hash MD5: ` and `Hash SHA1:` (uppercase hex bytes),
//! and one `CRLI[k]:` line per CRL distribution point. Status words: `local`, `trusted`,
//! `remote` (store), `file` [Z] (an object shown from a file), `request` [Z], `invalid` [Z];
//! a CRL's detail block [Z] has `Issuer`, `This update`, `Next update`, `Signature algorithm`,
//! `Revoked certificates` and the hashes.
//!
//! Check: `N State: Active SUBJECT` or `N State: Inactive SUBJECT` followed by the reason with a
//! full stop (`Certificate is expired.`) and, for the two time reasons, the `Valid from/to`
//! lines.
//!
//! This module must not decide anything: it formats what the store and the validator say.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write;

use zubr_crypto_stb::CryptoProvider;

use crate::cert::{CertRequest, Certificate, hex_spaced};
use crate::crl::Crl;
use crate::parse::Object;
use crate::store::{Entry, Store};
use crate::validate::{Reason, Status};

/// (year, month, day, hour, minute, second) of a Unix time, proleptic Gregorian, UTC.
pub fn civil(t: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // Howard Hinnant's days-from-civil inverse
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y,
        m,
        d,
        (secs / 3600) as u32,
        (secs % 3600 / 60) as u32,
        (secs % 60) as u32,
    )
}

/// C `ctime` form without the newline: `Fri Dec 31 16:00:00 1999` (UTC).
pub fn ctime(t: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, mo, d, h, mi, s) = civil(t);
    let wd = DAYS[t.div_euclid(86_400).rem_euclid(7) as usize];
    let mon = MONTHS[(mo as usize).saturating_sub(1) % 12];
    alloc::format!("{wd} {mon} {d:>2} {h:02}:{mi:02}:{s:02} {y}")
}

/// One numbered object to show.
#[derive(Clone, Copy, Debug)]
pub enum Item<'a> {
    /// A certificate with its status word.
    Certificate(&'a Certificate, &'static str),
    /// A certificate request.
    Request(&'a CertRequest),
    /// An object that does not parse.
    Invalid,
    /// A CRL.
    Crl(&'a Crl),
}

impl Item<'_> {
    /// The text after the number in the list (subject, `CRL: issuer`, …).
    pub fn title(&self) -> String {
        match self {
            Item::Certificate(c, _) => c.subject().to_string(),
            Item::Request(r) => alloc::format!("REQUEST: {}", r.subject()),
            Item::Invalid => "<invalid object>".to_string(),
            Item::Crl(c) => alloc::format!("CRL: {}", c.issuer()),
        }
    }

    /// True for a CRL.
    pub fn is_crl(&self) -> bool {
        matches!(self, Item::Crl(_))
    }
}

/// The store's objects in numbering order.
pub fn store_items(store: &Store) -> Vec<Item<'_>> {
    let mut v: Vec<Item<'_>> = store
        .entries()
        .map(|e| match e {
            Entry::Certificate { cert, role, .. } => Item::Certificate(cert, role.status_word()),
            Entry::Request(r) => Item::Request(r),
            Entry::Invalid { .. } => Item::Invalid,
        })
        .collect();
    v.extend(store.crls().map(Item::Crl));
    v
}

/// A file's objects numbered the way `cert_mgr show -f` does: certificates and requests first,
/// then CRLs; private keys are not listed.
pub fn file_items(objects: &[Object]) -> Vec<Item<'_>> {
    let mut v: Vec<Item<'_>> = objects
        .iter()
        .filter_map(|o| match o {
            Object::Certificate(c) => Some(Item::Certificate(c, "file")),
            Object::Request(r) => Some(Item::Request(r)),
            _ => None,
        })
        .collect();
    v.extend(objects.iter().filter_map(|o| match o {
        Object::Crl(c) => Some(Item::Crl(c)),
        _ => None,
    }));
    v
}

/// `Found N certificates. Found M CRL.` and the numbered lines.
pub fn summary(items: &[Item<'_>]) -> String {
    let crls = items.iter().filter(|i| i.is_crl()).count();
    let mut s = alloc::format!(
        "Found {} certificates. Found {} CRL.\n",
        items.len() - crls,
        crls
    );
    for (i, it) in items.iter().enumerate() {
        let _ = writeln!(s, "{} {}", i + 1, it.title());
    }
    s
}

fn hash_lines(s: &mut String, provider: &CryptoProvider, der: &[u8]) {
    for (label, name) in [("Hash MD5:  ", "md5"), ("Hash SHA1: ", "sha1")] {
        if let Some(h) = provider.hash(name) {
            let _ = writeln!(s, "  {label}{}", hex_spaced(h.hash.hash(&[der]).as_slice()));
        }
    }
}

/// The detail block of object `index` (1-based).
pub fn detail(provider: &CryptoProvider, index: usize, item: &Item<'_>) -> String {
    let mut s = String::new();
    match item {
        Item::Certificate(c, status) => {
            let _ = writeln!(s, "{index} Status: {status}");
            let _ = writeln!(s, "  Subject: {}", c.subject());
            let _ = writeln!(s, "  Issuer: {}", c.issuer());
            let _ = writeln!(s, "  Valid from: {}", ctime(c.not_before()));
            let _ = writeln!(s, "  Valid to:   {}", ctime(c.not_after()));
            let _ = writeln!(s, "  Version: {}", c.version());
            let _ = writeln!(s, "  Serial number: {}", c.serial_hex());
            let _ = writeln!(s, "  Signature algorithm: {}", c.signature_algorithm_name());
            let _ = writeln!(s, "  Public key: {}", c.public_key());
            hash_lines(&mut s, provider, c.der());
            for (k, dp) in c.extensions().crl_distribution_points.iter().enumerate() {
                let _ = writeln!(s, "  CRLI[{k}]: {dp}");
            }
        }
        Item::Request(r) => {
            let _ = writeln!(s, "{index} Status: request");
            let _ = writeln!(s, "  Subject: {}", r.subject());
            let _ = writeln!(s, "  Public key: {}", r.public_key());
            hash_lines(&mut s, provider, r.der());
        }
        Item::Invalid => {
            let _ = writeln!(s, "{index} Status: invalid");
        }
        Item::Crl(c) => {
            let _ = writeln!(s, "{index} Status: CRL");
            let _ = writeln!(s, "  Issuer: {}", c.issuer());
            let _ = writeln!(s, "  This update: {}", ctime(c.this_update()));
            match c.next_update() {
                Some(n) => {
                    let _ = writeln!(s, "  Next update: {}", ctime(n));
                }
                None => {
                    let _ = writeln!(s, "  Next update: none");
                }
            }
            let _ = writeln!(s, "  Signature algorithm: {}", c.signature_algorithm_name());
            let _ = writeln!(s, "  Revoked certificates: {}", c.revoked_count());
            hash_lines(&mut s, provider, c.der());
        }
    }
    s
}

/// The `cert_mgr check` lines of object `index`.
pub fn check_lines(index: usize, item: &Item<'_>, status: Status) -> String {
    let mut s = String::new();
    let title = match item {
        Item::Request(r) => r.subject().to_string(),
        other => other.title(),
    };
    match status {
        Status::Active => {
            let _ = writeln!(s, "{index} State: Active {title}");
        }
        Status::Inactive(reason) => {
            let _ = writeln!(s, "{index} State: Inactive {title}");
            let _ = writeln!(s, "{}.", reason.message());
            if let (Reason::Expired | Reason::NotValidYet, Item::Certificate(c, _)) = (reason, item)
            {
                let _ = writeln!(s, "Valid from: {}", ctime(c.not_before()));
                let _ = writeln!(s, "Valid to:   {}", ctime(c.not_after()));
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctime_matches_the_manual() {
        // the manual's example dates (its clock was UTC-8; these are the same texts in UTC)
        assert_eq!(ctime(946_656_000), "Fri Dec 31 16:00:00 1999");
        assert_eq!(ctime(1_136_044_800), "Sat Dec 31 16:00:00 2005");
        assert_eq!(ctime(1_379_809_022), "Sun Sep 22 00:17:02 2013");
        assert_eq!(ctime(0), "Thu Jan  1 00:00:00 1970");
        assert_eq!(ctime(-86_400), "Wed Dec 31 00:00:00 1969");
        assert_eq!(civil(951_782_400), (2000, 2, 29, 0, 0, 0));
    }
}
