//! "Did you mean …?" — the closest known name to a misspelt one.
//!
//! A case-insensitive exact match wins (LSP names are case-sensitive, lsp.md §2.4 rule 4, and a
//! case slip is the commonest mistake); otherwise the smallest edit distance within a third of
//! the word's length. Bounded work: long words and huge candidate sets are cut off.

use alloc::vec::Vec;

/// Levenshtein distance over ASCII-lowercased bytes, giving up above `max`.
fn distance(a: &[u8], b: &[u8], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max || a.len() > 64 || b.len() > 64 {
        return None;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = alloc::vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(!ca.eq_ignore_ascii_case(&cb));
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > max {
            return None;
        }
        core::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= max).then_some(d)
}

/// The best candidate for `word`, if any is close enough.
pub(crate) fn suggest<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let max = (word.len() / 3).clamp(1, 3);
    let mut best: Option<(usize, &'c str)> = None;
    for (n, c) in candidates.into_iter().enumerate() {
        if n > 200_000 {
            break;
        }
        if c == word {
            continue;
        }
        if c.eq_ignore_ascii_case(word) {
            return Some(c);
        }
        if let Some(d) = distance(word.as_bytes(), c.as_bytes(), max)
            && best.is_none_or(|(bd, _)| d < bd)
        {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_case_then_distance() {
        assert_eq!(
            suggest("cipheralg", ["HashAlg", "CipherAlg"]),
            Some("CipherAlg")
        );
        assert_eq!(
            suggest("CiperAlg", ["HashAlg", "CipherAlg"]),
            Some("CipherAlg")
        );
        assert_eq!(suggest("Zzzzzz", ["HashAlg", "CipherAlg"]), None);
    }
}
