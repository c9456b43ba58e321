//! The naive linear reference evaluator: walks a chain rule by rule exactly as lsp.md §7.3
//! words it, using [`Selector::matches`]. It is the definition the compiled classifier is tested
//! against (property test) and the baseline it is benchmarked against; the engine uses it only
//! to explain a verdict (the trace lists why each rule before the deciding one did not match).
//!
//! It shares nothing with `classify` beyond the selector types, so a bug in the compiled
//! index cannot hide behind the same bug here.

use alloc::vec::Vec;

use crate::chain::ChainOutcome;
use crate::config::{DefaultAction, FilterAction, FilterChain, IpsecChain};
use crate::selector::{Fields, Mismatch, Selector};

/// One step of a linear walk, for verdict traces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalkStep {
    /// Rule skipped because its schedule is inactive.
    Disabled(u32),
    /// Rule did not match, and why.
    NoMatch(u32, Mismatch),
    /// Rule matched and jumped to the target position.
    Jump(u32, u32),
    /// Rule matched and decided.
    Decided(u32),
    /// Rule matched on network-layer fields but needs the transport header.
    Assemble(u32),
    /// End of chain.
    Default(DefaultAction),
}

fn needs_l4(sel: &Selector, stateful: bool, protocol: u8) -> bool {
    sel.needs_l4() || (stateful && protocol == 6)
}

/// Walks a firewall chain linearly. `enabled(i)` tells whether rule `i`'s schedule is active;
/// `l4_known = false` means `f` is a non-first fragment (transport fields unknown). With
/// `steps`, every rule visited is recorded.
pub fn filter_chain(
    c: &FilterChain,
    enabled: impl Fn(usize) -> bool,
    f: &Fields,
    l4_known: bool,
    mut steps: Option<&mut Vec<WalkStep>>,
) -> ChainOutcome {
    let mut i = 0usize;
    let mut record = |s: WalkStep| {
        if let Some(v) = steps.as_deref_mut() {
            v.push(s);
        }
    };
    while let Some(r) = c.rules.get(i) {
        let pos = i as u32;
        if !enabled(i) {
            record(WalkStep::Disabled(pos));
            i += 1;
            continue;
        }
        if let Some(why) = r.selector.mismatch(f) {
            record(WalkStep::NoMatch(pos, why));
            i += 1;
            continue;
        }
        let stateful = r.tcp_stateful && !matches!(r.action, FilterAction::JumpTo(_));
        if !l4_known && needs_l4(&r.selector, stateful, f.protocol) {
            record(WalkStep::Assemble(pos));
            return ChainOutcome::Assemble(pos);
        }
        match &r.action {
            FilterAction::JumpTo(label) => {
                // the target is the later rule carrying the label
                let target = c
                    .rules
                    .iter()
                    .enumerate()
                    .skip(i + 1)
                    .find(|(_, x)| x.label.as_deref() == Some(label.as_str()))
                    .map(|(j, _)| j);
                match target {
                    Some(j) => {
                        record(WalkStep::Jump(pos, j as u32));
                        i = j;
                    }
                    None => {
                        // unreachable for validated configs; treat as end of chain
                        record(WalkStep::Default(c.default_action));
                        return ChainOutcome::Default(c.default_action);
                    }
                }
            }
            FilterAction::Pass | FilterAction::Drop => {
                record(WalkStep::Decided(pos));
                return ChainOutcome::Rule(pos);
            }
        }
    }
    record(WalkStep::Default(c.default_action));
    ChainOutcome::Default(c.default_action)
}

/// Walks an IPsec policy chain linearly (`f` already swapped for inbound packets).
pub fn ipsec_chain(
    c: &IpsecChain,
    enabled: impl Fn(usize) -> bool,
    f: &Fields,
    l4_known: bool,
    mut steps: Option<&mut Vec<WalkStep>>,
) -> ChainOutcome {
    let mut record = |s: WalkStep| {
        if let Some(v) = steps.as_deref_mut() {
            v.push(s);
        }
    };
    for (i, r) in c.rules.iter().enumerate() {
        let pos = i as u32;
        if !enabled(i) {
            record(WalkStep::Disabled(pos));
            continue;
        }
        if let Some(why) = r.selector.mismatch(f) {
            record(WalkStep::NoMatch(pos, why));
            continue;
        }
        if !l4_known && r.selector.needs_l4() {
            record(WalkStep::Assemble(pos));
            return ChainOutcome::Assemble(pos);
        }
        record(WalkStep::Decided(pos));
        return ChainOutcome::Rule(pos);
    }
    record(WalkStep::Default(c.default_action));
    ChainOutcome::Default(c.default_action)
}

/// First rule at position ≥ `from` whose selector matches (no actions, no jumps): the plain
/// linear scan the benches compare the classifier with.
pub fn first_match(selectors: &[Selector], f: &Fields, from: usize) -> Option<usize> {
    selectors
        .iter()
        .enumerate()
        .skip(from)
        .find(|(_, s)| s.matches(f))
        .map(|(i, _)| i)
}
