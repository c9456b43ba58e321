//! Known-answer tests: the registry `zubr crypto selftest` runs, and a reader for the vector files
//! in `crypto-stb/vectors/` (copied from the project's `spec/vectors`; format: `name=value`
//! records separated by blank lines, `#` comments, hex in wire order).
//!
//! Every family module contributes `SelfTest` entries that run its official vectors (STB
//! appendices, RFCs, NIST) through the same code the provider tables point at.

use alloc::vec::Vec;
use core::fmt;

/// One self-test: a name and a function that runs its vectors and returns how many passed.
#[derive(Clone, Copy)]
pub struct SelfTest {
    /// What is tested, e.g. `belt-ctr (STB 34.101.31 A.15-A.16)`.
    pub name: &'static str,
    /// Runs the vectors; `Ok(n)` = n vectors matched.
    pub run: fn() -> Result<usize, KatError>,
}

/// A failed known-answer test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KatError {
    /// Index (from 1) of the failing vector within its test.
    pub vector: usize,
    /// What did not match.
    pub what: &'static str,
}

impl fmt::Display for KatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "vector {}: {}", self.vector, self.what)
    }
}

/// Result of running a set of self-tests.
#[derive(Debug, Default)]
pub struct Report {
    /// Tests (not vectors) that passed, with the number of vectors each matched.
    pub passed: Vec<(&'static str, usize)>,
    /// Tests that failed, with the reason.
    pub failed: Vec<(&'static str, KatError)>,
}

/// Runs every test in `tests`.
pub fn run_all(tests: &[SelfTest]) -> Report {
    let mut report = Report::default();
    for t in tests {
        match (t.run)() {
            Ok(n) => report.passed.push((t.name, n)),
            Err(e) => report.failed.push((t.name, e)),
        }
    }
    report
}

/// Checks one vector: `Ok(())` when `got == want`, else a [`KatError`].
pub fn check(vector: usize, what: &'static str, got: &[u8], want: &[u8]) -> Result<(), KatError> {
    if got == want {
        Ok(())
    } else {
        Err(KatError { vector, what })
    }
}

/// One record of a vector file: `name=value` pairs in file order.
#[derive(Debug, Clone)]
pub struct Record<'a> {
    fields: Vec<(&'a str, &'a str)>,
}

impl<'a> Record<'a> {
    /// The value of the first field called `name`.
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.fields
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| *v)
    }

    /// The first field called `name`, hex-decoded (`None` if absent or not hex).
    pub fn hex(&self, name: &str) -> Option<Vec<u8>> {
        self.get(name).and_then(decode_hex)
    }

    /// All fields in order.
    pub fn fields(&self) -> &[(&'a str, &'a str)] {
        &self.fields
    }
}

/// Splits a vector file into records (blank-line separated; `#` lines ignored; records without
/// fields skipped).
pub fn records(text: &str) -> Vec<Record<'_>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            if !cur.is_empty() {
                out.push(Record {
                    fields: core::mem::take(&mut cur),
                });
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            cur.push((k.trim(), v.trim()));
        }
    }
    if !cur.is_empty() {
        out.push(Record { fields: cur });
    }
    out
}

/// Decodes hex (upper or lower case, no separators); `None` on odd length or a non-hex digit.
pub fn decode_hex(s: &str) -> Option<Vec<u8>> {
    let s = s.as_bytes();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let nib = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    s.chunks(2)
        .map(|p| Some((nib(p[0])? << 4) | nib(p[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_records() {
        let t = "# c\na=01\nb=x\n\n\n# d\nc=FF\n";
        let r = records(t);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].hex("a"), Some(alloc::vec![1]));
        assert_eq!(r[0].get("b"), Some("x"));
        assert_eq!(r[1].hex("c"), Some(alloc::vec![0xff]));
        assert_eq!(decode_hex("0"), None);
        assert_eq!(decode_hex("zz"), None);
    }
}
