//! Canonical printing (`lsp_mgr show`, lsp.md §8) and compat printing (§8.1).
//!
//! Works from a checked [`Doc`]: templates and constants are already expanded, `NULL`s dropped,
//! named inline structures are hoisted to top level (so a printed file never uses a Zubr-only
//! construct), anonymous inline ones are printed where they are referenced. Order: dependencies
//! first, ties broken by the schema's type rank, then file order — a stable order, so printing is
//! idempotent. Output is bytes because strings may hold non-UTF-8 text that must come back
//! unchanged. The printer must not validate: it trusts the checker.

use alloc::collections::BinaryHeap;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::cmp::Reverse;

use crate::diag::{Diagnostic, Severity, codes};
use crate::doc::{Doc, StructId, Val};
use crate::schema::{Prov, RANK_IPSEC_CHAIN, RANK_UNKNOWN};

/// Canonical (Zubr) or compat printing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PrintMode {
    /// Everything the document holds.
    #[default]
    Canonical,
    /// Refuse structures and attributes whose names are Zubr decisions ([`Prov::Z`]), for files
    /// meant for real S-Terra products.
    Compat,
}

fn rank(doc: &Doc, id: StructId, ipsec_chains: &[bool]) -> u8 {
    let Some(s) = doc.get(id) else {
        return RANK_UNKNOWN;
    };
    match s.def {
        None => RANK_UNKNOWN,
        Some(d) if d.name == "FilterChain" => {
            let holds_rules = s.values("Filters").iter().any(|v| match v {
                Val::Ref(t) => doc.get(*t).is_some_and(|t| t.kind() == "FilteringRule"),
                _ => false,
            });
            if holds_rules || ipsec_chains.get(id.0 as usize).copied().unwrap_or(false) {
                RANK_IPSEC_CHAIN
            } else {
                d.rank
            }
        }
        Some(d) => d.rank,
    }
}

fn refs_of(v: &Val, out: &mut Vec<StructId>) {
    match v {
        Val::Ref(id) => out.push(*id),
        Val::Tuple(vs) => vs.iter().for_each(|x| refs_of(x, out)),
        _ => {}
    }
}

/// Top-level structures in canonical print order (lsp.md §8).
pub fn canonical_order(doc: &Doc) -> Vec<StructId> {
    let n = doc.structs.len();
    // Chains used as IPsec policy print after the FilteringRules.
    let mut ipsec_chains = vec![false; n];
    for s in &doc.structs {
        if s.kind() == "NetworkInterface" {
            for v in s.values("IPsecPolicy") {
                if let Val::Ref(t) = v
                    && let Some(f) = ipsec_chains.get_mut(t.0 as usize)
                {
                    *f = true;
                }
            }
        }
    }
    let mut pos = vec![usize::MAX; n];
    for (i, id) in doc.top.iter().enumerate() {
        if let Some(p) = pos.get_mut(id.0 as usize) {
            *p = i;
        }
    }
    // Dependencies of each top-level structure: named structures referenced from it or from
    // its anonymous inline descendants. Buffers are reused; `users` is a CSR adjacency.
    let m = doc.top.len();
    let mut indeg = vec![0usize; m];
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut refs = Vec::new();
    let mut stack = Vec::new();
    let mut deps: Vec<usize> = Vec::new();
    for (i, id) in doc.top.iter().enumerate() {
        stack.clear();
        stack.push(*id);
        deps.clear();
        let mut seen_inline = 0usize;
        while let Some(x) = stack.pop() {
            let Some(s) = doc.get(x) else { continue };
            for a in &s.attrs {
                for v in &a.values {
                    refs.clear();
                    refs_of(v, &mut refs);
                    for r in &refs {
                        match doc.get(*r) {
                            Some(t) if t.inline => {
                                seen_inline += 1;
                                if seen_inline <= n {
                                    stack.push(*r);
                                }
                            }
                            Some(_) => {
                                if let Some(&p) = pos.get(r.0 as usize)
                                    && p != usize::MAX
                                    && p != i
                                {
                                    deps.push(p);
                                }
                            }
                            None => {}
                        }
                    }
                }
            }
        }
        deps.sort_unstable();
        deps.dedup();
        indeg[i] = deps.len();
        pairs.extend(deps.iter().map(|d| (*d, i)));
    }
    let mut start = vec![0usize; m + 1];
    for (d, _) in &pairs {
        start[d + 1] += 1;
    }
    for k in 0..m {
        start[k + 1] += start[k];
    }
    let mut fill = start.clone();
    let mut users = vec![0usize; pairs.len()];
    for (d, u) in &pairs {
        users[fill[*d]] = *u;
        fill[*d] += 1;
    }
    let ranks: Vec<u8> = doc
        .top
        .iter()
        .map(|id| rank(doc, *id, &ipsec_chains))
        .collect();
    let mut heap: BinaryHeap<Reverse<(u8, usize)>> = indeg
        .iter()
        .enumerate()
        .filter(|(_, d)| **d == 0)
        .map(|(i, _)| Reverse((ranks[i], i)))
        .collect();
    let mut out = Vec::with_capacity(doc.top.len());
    let mut done = vec![false; doc.top.len()];
    while let Some(Reverse((_, i))) = heap.pop() {
        done[i] = true;
        out.push(doc.top[i]);
        for &u in &users[start[i]..start[i + 1]] {
            indeg[u] -= 1;
            if indeg[u] == 0 {
                heap.push(Reverse((ranks[u], u)));
            }
        }
    }
    // A cycle cannot survive the checker; keep everything printable anyway.
    if out.len() < doc.top.len() {
        let mut rest: Vec<usize> = (0..doc.top.len()).filter(|i| !done[*i]).collect();
        rest.sort_by_key(|i| (ranks[*i], *i));
        out.extend(rest.into_iter().map(|i| doc.top[i]));
    }
    out
}

struct Printer<'d> {
    doc: &'d Doc,
    out: Vec<u8>,
}

impl Printer<'_> {
    fn indent(&mut self, level: usize) {
        self.out.extend(core::iter::repeat_n(b' ', level));
    }

    fn string(&mut self, b: &[u8]) {
        self.out.push(b'"');
        for &c in b {
            if c == b'"' || c == b'\\' {
                self.out.push(b'\\');
            }
            self.out.push(c);
        }
        self.out.push(b'"');
    }

    fn text(&mut self, s: &str) {
        self.out.extend_from_slice(s.as_bytes());
    }

    fn value(&mut self, v: &Val, level: usize) {
        match v {
            Val::Bool(b) => self.text(if *b { "TRUE" } else { "FALSE" }),
            Val::UInt(n) => self.text(&format!("{n}")),
            Val::UIntRange(a, b) => self.text(&format!("{a}..{b}")),
            Val::Ident(t) => self.text(t),
            Val::Str(b) => self.string(b),
            Val::Ip(ip) => self.text(&format!("{ip}")),
            Val::IpRange(a, b) => self.text(&format!("{a}..{b}")),
            Val::Date(d) => self.text(&format!("{d}")),
            Val::DateRange(a, b) => self.text(&format!("{a}..{b}")),
            Val::Time(t) => self.text(&format!("{t}")),
            Val::TimeRange(a, b) => self.text(&format!("{a}..{b}")),
            Val::Ref(id) => match self.doc.get(*id) {
                Some(s) if s.inline => {
                    self.text(&s.type_name);
                    self.out.push(b'(');
                    self.body(*id, level);
                }
                Some(s) => self.text(s.name.as_deref().unwrap_or_default()),
                None => {}
            },
            Val::Tuple(vs) => {
                self.out.push(b'(');
                for (i, x) in vs.iter().enumerate() {
                    if i > 0 {
                        self.text(", ");
                    }
                    self.value(x, level);
                }
                self.out.push(b')');
            }
        }
    }

    /// Members at `level + 1`, then `)` at `level` (the header is already written).
    fn body(&mut self, id: StructId, level: usize) {
        self.out.push(b'\n');
        let doc = self.doc;
        if let Some(s) = doc.get(id) {
            for a in &s.attrs {
                self.indent(level + 1);
                self.text(&a.name);
                self.text(if a.list { " *= " } else { " = " });
                for (i, v) in a.values.iter().enumerate() {
                    if i > 0 {
                        self.text(", ");
                    }
                    self.value(v, level + 1);
                }
                self.out.push(b'\n');
            }
        }
        self.indent(level);
        self.out.push(b')');
    }

    fn top(&mut self, id: StructId) {
        let Some(s) = self.doc.get(id) else { return };
        self.text(&s.type_name);
        match &s.name {
            Some(n) => {
                self.out.push(b' ');
                self.text(n);
                self.out.push(b'(');
            }
            None => self.text(" ("),
        }
        self.body(id, 0);
        self.out.push(b'\n');
    }
}

/// Zubr-only names used by the structures printed from `order`, as compat errors.
fn compat_problems(doc: &Doc, order: &[StructId]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut stack: Vec<StructId> = order.to_vec();
    let mut visited = vec![false; doc.structs.len()];
    while let Some(id) = stack.pop() {
        let Some(s) = doc.get(id) else { continue };
        if core::mem::replace(&mut visited[id.0 as usize], true) {
            continue;
        }
        if s.def.is_some_and(|d| d.prov == Prov::Z) {
            out.push(Diagnostic {
                severity: Severity::Error,
                code: codes::COMPAT_ZUBR_ONLY,
                message: format!(
                    "structure `{}` is a Zubr extension; compat printing refuses it",
                    s.type_name
                ),
                span: s.span,
            });
        }
        for a in &s.attrs {
            if a.def.is_some_and(|d| d.prov == Prov::Z) {
                out.push(Diagnostic {
                    severity: Severity::Error,
                    code: codes::COMPAT_ZUBR_ONLY,
                    message: format!(
                        "attribute `{}.{}` is a Zubr extension; compat printing refuses it",
                        s.type_name, a.name
                    ),
                    span: a.span,
                });
            }
            let mut refs = Vec::new();
            for v in &a.values {
                refs_of(v, &mut refs);
            }
            stack.extend(
                refs.into_iter()
                    .filter(|r| doc.get(*r).is_some_and(|t| t.inline)),
            );
        }
    }
    out.sort_by_key(|d| d.span.start);
    // Template copies share their spans with the template: report each use once.
    out.dedup_by(|a, b| a.span == b.span && a.message == b.message);
    out
}

/// Prints `doc` in canonical form. In [`PrintMode::Compat`] a document using Zubr-only names
/// is refused with one error per use.
pub fn print(doc: &Doc, mode: PrintMode) -> Result<Vec<u8>, Vec<Diagnostic>> {
    let order = canonical_order(doc);
    if mode == PrintMode::Compat {
        let problems = compat_problems(doc, &order);
        if !problems.is_empty() {
            return Err(problems);
        }
    }
    let mut p = Printer {
        doc,
        out: Vec::new(),
    };
    for (i, id) in order.iter().enumerate() {
        if i > 0 {
            p.out.push(b'\n');
        }
        p.top(*id);
    }
    Ok(p.out)
}

/// [`print`] in canonical mode as text (non-UTF-8 bytes in strings replaced).
pub fn to_string(doc: &Doc) -> String {
    let bytes = print(doc, PrintMode::Canonical).unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}
