//! Chain evaluation (lsp.md §7.3, §7.4) over the compiled classifier: first match wins,
//! `JumpTo` continues at the labelled rule, rules whose schedule is inactive are skipped, no
//! match gives the chain's `DefaultAction`, and a non-first fragment whose deciding rule needs
//! transport fields gives [`ChainOutcome::Assemble`].
//!
//! It holds no packet state and never allocates while evaluating.

use alloc::vec::Vec;

use crate::classify::{Classifier, EnableSet, Key};
use crate::config::{
    ConfigError, DefaultAction, FilterAction, FilterChain, IpsecChain, IpsecRuleAction, ScheduleId,
    label_targets,
};

/// Result of running a chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChainOutcome {
    /// Rule at this position decided (its action is PASS/DROP/PROTECT, never a jump).
    Rule(u32),
    /// No rule matched: the chain's default action.
    Default(DefaultAction),
    /// The rule at this position matches on the network-layer fields of a non-first fragment
    /// but needs the transport header: reassemble first (fw_trace status `ASSEMBLE`).
    Assemble(u32),
}

/// Per-rule flags the evaluator needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct RuleInfo {
    /// Jump target, `u32::MAX` = none.
    pub jump: u32,
    pub needs_l4: bool,
    pub tcp_stateful: bool,
}

/// A chain compiled for evaluation. The same type serves `Filter` chains and `FilteringRule`
/// chains (the latter never jump).
#[derive(Debug, Clone)]
pub struct CompiledChain {
    cls: Classifier,
    info: Vec<RuleInfo>,
    schedules: Vec<Option<ScheduleId>>,
    enabled: EnableSet,
    default: DefaultAction,
}

impl CompiledChain {
    /// Compiles a firewall chain (labels resolved, jumps validated).
    pub fn filter(c: &FilterChain) -> Result<CompiledChain, ConfigError> {
        let targets = label_targets(c)?;
        let info = c
            .rules
            .iter()
            .zip(&targets)
            .map(|(r, t)| RuleInfo {
                jump: t.unwrap_or(u32::MAX),
                needs_l4: r.selector.needs_l4(),
                tcp_stateful: r.tcp_stateful && !matches!(r.action, FilterAction::JumpTo(_)),
            })
            .collect();
        Ok(CompiledChain {
            cls: Classifier::new(c.rules.iter().map(|r| &r.selector)),
            info,
            schedules: c.rules.iter().map(|r| r.schedule).collect(),
            enabled: EnableSet::all(c.rules.len()),
            default: c.default_action,
        })
    }

    /// Compiles an IPsec policy chain.
    pub fn ipsec(c: &IpsecChain) -> CompiledChain {
        CompiledChain {
            cls: Classifier::new(c.rules.iter().map(|r| &r.selector)),
            info: c
                .rules
                .iter()
                .map(|r| RuleInfo {
                    jump: u32::MAX,
                    needs_l4: r.selector.needs_l4(),
                    tcp_stateful: false,
                })
                .collect(),
            schedules: c.rules.iter().map(|r| r.schedule).collect(),
            enabled: EnableSet::all(c.rules.len()),
            default: c.default_action,
        }
    }

    /// Runs the chain. `key` carries unknown transport fields when `l4_known` is false;
    /// `protocol` is the packet's IP protocol; `on_jump(rule, target)` is called for each jump
    /// taken (fw_trace `status MATCH, jump to …`).
    #[inline]
    pub fn evaluate(
        &self,
        key: &Key,
        protocol: u8,
        l4_known: bool,
        mut on_jump: impl FnMut(u32, u32),
    ) -> ChainOutcome {
        let mut from = 0;
        loop {
            let Some(m) = self.cls.first_match(key, from, &self.enabled) else {
                return ChainOutcome::Default(self.default);
            };
            let info = self.info.get(m as usize).copied().unwrap_or_default();
            if !l4_known && (info.needs_l4 || (info.tcp_stateful && protocol == 6)) {
                return ChainOutcome::Assemble(m);
            }
            if info.jump == u32::MAX {
                return ChainOutcome::Rule(m);
            }
            on_jump(m, info.jump);
            from = info.jump;
        }
    }

    /// The chain's default action.
    pub fn default_action(&self) -> DefaultAction {
        self.default
    }

    /// The classifier.
    pub fn classifier(&self) -> &Classifier {
        &self.cls
    }

    /// The current enable bits (schedules).
    pub fn enabled(&self) -> &EnableSet {
        &self.enabled
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.info.len()
    }

    /// Whether the chain has no rules.
    pub fn is_empty(&self) -> bool {
        self.info.is_empty()
    }

    /// The schedule of rule `i`.
    pub fn schedule(&self, i: usize) -> Option<ScheduleId> {
        self.schedules.get(i).copied().flatten()
    }

    /// Enables/disables rule `i` (schedule change); returns whether it changed.
    pub fn set_enabled(&mut self, i: u32, on: bool) -> bool {
        self.enabled.set(i, on)
    }
}

/// A PROTECT/PASS/DROP decision of an IPsec chain, for callers that hold the config.
pub fn ipsec_action(c: &IpsecChain, outcome: ChainOutcome) -> Option<IpsecRuleAction> {
    match outcome {
        ChainOutcome::Rule(i) => c.rules.get(i as usize).map(|r| r.action),
        ChainOutcome::Default(DefaultAction::Pass) => Some(IpsecRuleAction::Pass),
        ChainOutcome::Default(DefaultAction::Drop) => Some(IpsecRuleAction::Drop),
        ChainOutcome::Assemble(_) => None,
    }
}
