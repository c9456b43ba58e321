//! The anti-replay window against a naive reference model (a set of every accepted number and
//! the highest one), on random sequence streams, with and without ESN.

use std::collections::BTreeSet;

use proptest::prelude::*;
use zubr_base::IpsecError;
use zubr_base::replay::{MAX_WINDOW, ReplayWindow};

/// RFC 4303 §3.4.3 written the obvious way: accept iff non-zero, and either right of the
/// highest number seen, or inside the window and never seen.
struct Model {
    size: u64,
    seen: BTreeSet<u64>,
    top: u64,
}

impl Model {
    fn check(&self, s: u64) -> bool {
        if s == 0 {
            return false;
        }
        if self.size == 0 || s > self.top {
            return true;
        }
        self.top - s < self.size && !self.seen.contains(&s)
    }
    fn accept(&mut self, s: u64) -> bool {
        if !self.check(s) {
            return false;
        }
        self.seen.insert(s);
        self.top = self.top.max(s);
        true
    }
}

/// A stream: mostly increasing with jitter, some duplicates and big jumps.
fn stream(base: u64) -> impl Strategy<Value = Vec<u64>> {
    prop::collection::vec((0u8..10, 0u64..200, 0u64..10_000), 1..400).prop_map(move |steps| {
        let mut cur = base;
        let mut out = Vec::new();
        for (kind, small, big) in steps {
            let s = match kind {
                0..=4 => {
                    cur += small % 3 + 1;
                    cur
                }
                5 | 6 => cur.saturating_sub(small), // reordered / replayed
                7 => {
                    cur += big;
                    cur
                }
                _ => out.last().copied().unwrap_or(cur), // exact duplicate
            };
            out.push(s);
        }
        out
    })
}

proptest! {
    #[test]
    fn window_agrees_with_model(
        size in prop_oneof![Just(0u32), 1u32..200, Just(64), Just(MAX_WINDOW), 1u32..=MAX_WINDOW],
        seqs in stream(0),
    ) {
        let mut w = ReplayWindow::new(size, false).unwrap();
        let mut m = Model { size: u64::from(size), seen: BTreeSet::new(), top: 0 };
        for s in seqs {
            let s = s.min(u64::from(u32::MAX));
            prop_assert_eq!(w.check(s).is_ok(), m.check(s), "check {} (top {})", s, m.top);
            prop_assert_eq!(w.accept(s).is_ok(), m.accept(s), "accept {}", s);
            prop_assert_eq!(w.top(), m.top);
        }
    }

    /// With ESN the receiver only sees the low 32 bits; inference plus the window must give the
    /// same verdicts as the model on the full 64-bit numbers, as long as the sender never runs
    /// more than the window ahead or behind (RFC 4303 A2's assumption) — streams crossing a
    /// 2^32 boundary included.
    #[test]
    fn esn_inference_agrees_with_model(
        size in 32u32..=1024,
        start in prop_oneof![Just(0u64), Just(0xffff_ff00u64), 0u64..u64::from(u32::MAX)],
        steps in prop::collection::vec((0u8..10, 0u64..32), 1..400),
    ) {
        let mut w = ReplayWindow::new(size, true).unwrap();
        let mut m = Model { size: u64::from(size), seen: BTreeSet::new(), top: 0 };
        let mut cur = start.max(1);
        let w64 = u64::from(size);
        for (kind, d) in steps {
            // stay within the inference assumption: at most W-1 behind the top, less than
            // 2^32 - W ahead
            let s = match kind {
                0..=5 => { cur += d % 5 + 1; cur }
                6..=8 if m.top > 0 => m.top.saturating_sub(d % w64).max(1),
                6..=8 => cur,
                _ => { cur += 1000 + d; cur }
            };
            if m.top == 0 && s > u64::from(u32::MAX) - w64 {
                // RFC 4303 A2.2 at start-up: the top W numbers of block 0 read as block -1
                continue;
            }
            let full = w.infer(s as u32);
            let Some(full) = full else {
                prop_assert!(!m.check(s), "inference refused a fresh {}", s);
                continue;
            };
            prop_assert_eq!(full, s, "inferred high bits (top {})", m.top);
            prop_assert_eq!(w.accept(full).is_ok(), m.accept(s));
        }
    }
}

#[test]
fn replay_error_code() {
    let mut w = ReplayWindow::new(32, false).unwrap();
    w.accept(7).unwrap();
    assert_eq!(w.accept(7), Err(IpsecError::ReplayDetected));
}
