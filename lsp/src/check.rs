//! The checker: syntax tree + schema table → [`Doc`] or diagnostics (lsp.md §4.2).
//!
//! Phases: (1) collect every structure (inline ones included) and constant, check names,
//! types, naming and singletons; (2) expand templates and constants and type every attribute
//! against [`crate::schema`]; (3) table constraints and the coded [`Rule`]s; (4) the reference
//! graph: cycles, nesting through constants, reachability (unused warnings), the missing
//! interface warning. Semantic checking only runs on a file without syntax errors, so one typo
//! does not cascade. All graph walks are iterative; recursion is bounded by [`Limits`]. The
//! checker must not print or compile.

use alloc::borrow::Cow;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::net::Ipv4Addr;

use crate::catalog::{AlgClass, Suite};
use crate::cst::{Const, File, Item, KeyValue, Member, Object, Op, Scalar, ScalarKind, Value};
use crate::diag::{LineIndex, Sink, Span, codes};
use crate::doc::{Attr, Doc, Struct, StructId, Val};
use crate::schema::{
    self, AH_PROPOSALS, AttrDef, ChainKind, Constraint, Dflt, Naming, Rule, StructDef, Ty, VERSIONS,
};
use crate::suggest::suggest;
use crate::{Checked, Limits, Mode, Options, parser};

/// Parses and checks `src`.
pub fn check(src: &[u8], opts: &Options<'_>) -> Checked {
    let mut sink = Sink::new(opts.limits.max_errors, opts.limits.max_warnings);
    let file = parser::parse_into(src, opts.limits, &mut sink);
    if sink.error_count() > 0 {
        return Checked {
            doc: None,
            diagnostics: sink.into_sorted(),
        };
    }
    let doc = Checker::new(src, opts, &mut sink).run(&file);
    let ok = sink.error_count() == 0;
    Checked {
        doc: ok.then_some(doc),
        diagnostics: sink.into_sorted(),
    }
}

const PROPOSALS: &[&str] = &[
    "ESPProposal",
    "ESPTC26Proposal",
    "AHProposal",
    "AHTC26Proposal",
];

#[derive(Clone, Copy, Debug)]
enum NameRef {
    Struct(u32),
    Const(usize),
}

/// Name → index, linear while small, a map beyond (hostile structures with thousands of
/// members must not make duplicate detection quadratic).
struct KeyIndex<'k> {
    small: Vec<(&'k str, usize)>,
    big: Option<BTreeMap<&'k str, usize>>,
}

impl<'k> KeyIndex<'k> {
    fn new() -> Self {
        KeyIndex {
            small: Vec::new(),
            big: None,
        }
    }
    fn get(&self, k: &str) -> Option<usize> {
        match &self.big {
            Some(m) => m.get(k).copied(),
            None => self.small.iter().find(|(x, _)| *x == k).map(|(_, v)| *v),
        }
    }
    fn insert(&mut self, k: &'k str, v: usize) {
        if let Some(m) = &mut self.big {
            m.insert(k, v);
            return;
        }
        self.small.push((k, v));
        if self.small.len() > 16 {
            self.big = Some(self.small.drain(..).collect());
        }
    }
}

#[derive(Clone, Copy)]
struct Eff<'a> {
    kv: &'a KeyValue<'a>,
    direct: bool,
}

struct PendingChain {
    span: Span,
    target: u32,
    kind: ChainKind,
    attr: &'static str,
}

struct Checker<'a, 'o> {
    opts: &'o Options<'o>,
    limits: Limits,
    sink: &'o mut Sink,
    lines: LineIndex,
    objs: Vec<Option<&'a Object<'a>>>,
    nested: Vec<bool>,
    defs: Vec<Option<&'static StructDef>>,
    names: BTreeMap<&'a str, NameRef>,
    consts: Vec<&'a Const<'a>>,
    bad_const: Vec<bool>,
    template_targets: BTreeSet<&'a str>,
    tmpl_state: Vec<u8>,
    tmpl_memo: BTreeMap<u32, Vec<Eff<'a>>>,
    budget: usize,
    budget_reported: bool,
    quiet: bool,
    vals_buf: Vec<&'a Value<'a>>,
    /// Attribute names suggested for misspelt ones in the current structure.
    suggested: Vec<&'static str>,
    mentioned: Vec<bool>,
    pending: Vec<PendingChain>,
}

fn s(text: &str) -> String {
    String::from(text)
}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => format!("`{one}`"),
        _ => {
            let (last, rest) = items.split_last().unwrap_or((&"", &[]));
            let head: Vec<String> = rest.iter().map(|t| format!("`{t}`")).collect();
            format!("{} or `{last}`", head.join(", "))
        }
    }
}

fn ident_of<'a>(v: &Value<'a>) -> Option<&'a str> {
    match v {
        Value::Scalar(Scalar {
            kind: ScalarKind::Ident(t),
            ..
        }) => Some(t),
        _ => None,
    }
}

fn shown(v: &Value<'_>) -> String {
    match v {
        Value::Scalar(sc) => match &sc.kind {
            ScalarKind::Ident(t) => format!("identifier `{t}`"),
            ScalarKind::Str(b) => format!("string \"{}\"", String::from_utf8_lossy(b)),
            ScalarKind::Int(n) => format!("number {n}"),
            ScalarKind::Ip(ip) => format!("IP address {ip}"),
            ScalarKind::Date(d) => format!("date {d}"),
            ScalarKind::Time(t) => format!("time {t}"),
            ScalarKind::Error => s("an invalid token"),
        },
        Value::Range(a, _) => format!("a range of {}s", a.kind.describe()),
        Value::Object(o) => format!("a structure `{}`", o.ty.text),
        Value::Tuple(..) => s("a parenthesised tuple"),
    }
}

fn expected(ty: Ty) -> String {
    match ty {
        Ty::Bool => s("TRUE or FALSE"),
        Ty::UInt(lo, hi) => format!("a number in {lo}..{hi}"),
        Ty::Enum(vs) | Ty::EnumOrStr(vs) => format!("one of {}", join_or(vs)),
        Ty::Str => s("a string"),
        Ty::HexStr => s("a string of hex digits"),
        Ty::Ip => s("an IP address"),
        Ty::NetMask => s("a netmask such as 255.255.255.0"),
        Ty::IpRange => s("an IP address or a range a.b.c.d..e.f.g.h"),
        Ty::PeerSpec => s("an IP address, an address range or a DNS name string"),
        Ty::PeerAddr => s("an IP address or a DNS name string"),
        Ty::IntRange(lo, hi) => format!("a number or range within {lo}..{hi}"),
        Ty::Date => s("a date YYYY.MM.DD"),
        Ty::TimeRange => s("a time window HH:MM..HH:MM"),
        Ty::Ref(ts) => format!("a reference to {}", join_or(ts)),
        Ty::Chain(_) => s("a reference to a `FilterChain`"),
        Ty::Label => s("a label (identifier)"),
        Ty::Alg(c) => format!("an {} name in quotes", c.describe()),
        Ty::Group(_) => s("a Diffie-Hellman group identifier such as MODP_2048"),
        Ty::Proposal => s("a proposal, `(ah)` or `(ah, esp)`"),
    }
}

fn is_netmask(ip: Ipv4Addr) -> bool {
    let m = u32::from(ip);
    m.leading_ones() + m.trailing_zeros() == 32
}

fn collect_refs(v: &Val, span: Span, out: &mut Vec<(u32, Span)>) {
    match v {
        Val::Ref(id) => out.push((id.0, span)),
        Val::Tuple(vs) => {
            for x in vs {
                collect_refs(x, span, out);
            }
        }
        _ => {}
    }
}

impl<'a, 'o> Checker<'a, 'o> {
    fn new(src: &'a [u8], opts: &'o Options<'o>, sink: &'o mut Sink) -> Self {
        Checker {
            opts,
            limits: opts.limits,
            sink,
            lines: LineIndex::new(src),
            objs: Vec::new(),
            nested: Vec::new(),
            defs: Vec::new(),
            names: BTreeMap::new(),
            consts: Vec::new(),
            bad_const: Vec::new(),
            template_targets: BTreeSet::new(),
            tmpl_state: Vec::new(),
            tmpl_memo: BTreeMap::new(),
            budget: 0,
            budget_reported: false,
            quiet: false,
            vals_buf: Vec::new(),
            suggested: Vec::new(),
            mentioned: Vec::new(),
            pending: Vec::new(),
        }
    }

    fn err(&mut self, code: &'static str, span: Span, msg: String) {
        if !self.quiet {
            self.sink.error(code, span, msg);
        }
    }

    fn line(&self, span: Span) -> u32 {
        self.lines.line_col(span.start).0
    }

    fn charge(&mut self, bytes: u32, span: Span) -> bool {
        self.budget = self.budget.saturating_add(bytes as usize + 1);
        if self.budget > self.limits.max_expansion {
            if !self.budget_reported {
                self.budget_reported = true;
                self.sink.error(
                    codes::EXPANSION_TOO_LARGE,
                    span,
                    format!(
                        "templates and constants expand to more than {} bytes",
                        self.limits.max_expansion
                    ),
                );
            }
            return false;
        }
        true
    }

    fn run(mut self, file: &'a File<'a>) -> Doc {
        self.collect(file);
        if self.sink.full {
            return Doc::default();
        }
        self.check_consts();
        let n = self.objs.len();
        let mut structs = Vec::with_capacity(n);
        let mut name_spans = Vec::with_capacity(n);
        for id in 0..n {
            if self.sink.full {
                return Doc::default();
            }
            match self.objs[id] {
                Some(o) => {
                    structs.push(self.type_struct(id as u32, o));
                    name_spans.push(o.name.map(|n| n.span).unwrap_or(o.ty.span));
                }
                None => {
                    structs.push(Struct {
                        def: None,
                        type_name: Cow::Borrowed(""),
                        name: None,
                        inline: true,
                        attrs: Vec::new(),
                        span: Span::default(),
                    });
                    name_spans.push(Span::default());
                }
            }
        }
        let mut post = Post {
            structs: &structs,
            sink: self.sink,
            opts: self.opts,
            chain_kinds: BTreeMap::new(),
        };
        post.constraints();
        for p in &self.pending {
            post.chain_kind(p);
        }
        post.version_warnings();
        let template_ids: Vec<u32> = self
            .template_targets
            .iter()
            .filter_map(|t| match self.names.get(t) {
                Some(NameRef::Struct(id)) => Some(*id),
                _ => None,
            })
            .collect();
        post.graph(
            &name_spans,
            &template_ids,
            &self.mentioned,
            self.limits.max_depth,
        );
        let top = structs
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.inline)
            .map(|(i, _)| StructId(i as u32))
            .collect();
        Doc { structs, top }
    }

    // ---- phase 1: collect ---------------------------------------------------------------

    fn collect(&mut self, file: &'a File<'a>) {
        let n = file.objects as usize;
        self.objs = vec![None; n];
        self.nested = vec![false; n];
        self.defs = vec![None; n];
        self.tmpl_state = vec![0; n];
        self.mentioned = vec![false; n];
        for item in &file.items {
            match item {
                Item::Object(o) => self.collect_obj(o, false),
                Item::Const(c) => {
                    let idx = self.consts.len();
                    self.consts.push(c);
                    self.bad_const.push(false);
                    self.define(c.name.text, c.name.span, NameRef::Const(idx));
                    for v in &c.values {
                        self.collect_val(v);
                    }
                }
            }
        }
        let mut singletons: BTreeMap<&str, Span> = BTreeMap::new();
        for id in 0..n {
            let Some(o) = self.objs[id] else { continue };
            let def = schema::lookup(o.ty.text);
            self.defs[id] = def;
            let Some(def) = def else {
                let hint = suggest(o.ty.text, schema::STRUCTURES.iter().map(|d| d.name))
                    .map(|h| format!("; did you mean `{h}`?"))
                    .unwrap_or_default();
                let msg = format!("unknown structure type `{}`{hint}", o.ty.text);
                match self.opts.mode {
                    Mode::Strict => self.err(codes::UNKNOWN_STRUCTURE, o.ty.span, msg),
                    Mode::Lenient => self.sink.warning(
                        codes::LENIENT_UNKNOWN,
                        o.ty.span,
                        format!("{msg} (kept)"),
                    ),
                }
                continue;
            };
            let nested = self.nested[id];
            match (def.naming, o.name) {
                (Naming::Singleton | Naming::Anonymous, Some(n)) => self.err(
                    codes::NAMED_ANONYMOUS,
                    n.span,
                    format!(
                        "`{}` is anonymous: write `{} ( … )` without the name `{}`",
                        def.name, def.name, n.text
                    ),
                ),
                (Naming::Named, None) => self.err(
                    codes::UNNAMED_STRUCTURE,
                    o.ty.span,
                    format!("a `{}` must be named: `{} name( … )`", def.name, def.name),
                ),
                (Naming::NamedOrInline, None) if !nested => self.err(
                    codes::UNNAMED_STRUCTURE,
                    o.ty.span,
                    format!(
                        "a top-level `{}` must be named (only inline ones may be anonymous)",
                        def.name
                    ),
                ),
                _ => {}
            }
            if def.naming == Naming::Singleton {
                if let Some(first) = singletons.get(def.name) {
                    let l = self.line(*first);
                    self.err(
                        codes::DUPLICATE_SINGLETON,
                        o.ty.span,
                        format!("`{}` may appear only once (first at line {l})", def.name),
                    );
                } else {
                    singletons.insert(def.name, o.ty.span);
                }
            }
        }
    }

    fn define(&mut self, name: &'a str, span: Span, r: NameRef) {
        if let Some(prev) = self.names.get(name) {
            let prev_span = match *prev {
                NameRef::Struct(id) => self.objs[id as usize]
                    .and_then(|o| o.name)
                    .map(|n| n.span)
                    .unwrap_or_default(),
                NameRef::Const(ci) => self.consts[ci].name.span,
            };
            let l = self.line(prev_span);
            self.err(
                codes::DUPLICATE_NAME,
                span,
                format!(
                    "the name `{name}` is already defined at line {l}; names are unique in an LSP"
                ),
            );
            return;
        }
        self.names.insert(name, r);
    }

    fn collect_obj(&mut self, o: &'a Object<'a>, nested: bool) {
        let id = o.id as usize;
        if id >= self.objs.len() {
            return;
        }
        self.objs[id] = Some(o);
        self.nested[id] = nested;
        if let Some(n) = o.name {
            self.define(n.text, n.span, NameRef::Struct(o.id));
        }
        for m in &o.members {
            match m {
                Member::KeyValue(kv) => {
                    for v in &kv.values {
                        self.collect_val(v);
                    }
                }
                Member::Template(t) => {
                    self.template_targets.insert(t.text);
                }
            }
        }
    }

    fn collect_val(&mut self, v: &'a Value<'a>) {
        match v {
            Value::Object(o) => self.collect_obj(o, true),
            Value::Tuple(vs, _) => {
                for x in vs {
                    self.collect_val(x);
                }
            }
            _ => {}
        }
    }

    /// Constant cycles, found once at the definitions (iterative DFS over const → const).
    fn check_consts(&mut self) {
        let n = self.consts.len();
        let deps: Vec<Vec<usize>> = (0..n)
            .map(|ci| {
                let mut d = Vec::new();
                let mut stack: Vec<&Value<'a>> = self.consts[ci].values.iter().collect();
                while let Some(v) = stack.pop() {
                    match v {
                        Value::Tuple(vs, _) => stack.extend(vs.iter()),
                        _ => {
                            if let Some(t) = ident_of(v)
                                && let Some(NameRef::Const(cj)) = self.names.get(t)
                            {
                                d.push(*cj);
                            }
                        }
                    }
                }
                d
            })
            .collect();
        let mut color = vec![0u8; n];
        for start in 0..n {
            if color[start] != 0 {
                continue;
            }
            let mut stack = vec![(start, 0usize)];
            color[start] = 1;
            while let Some(&mut (u, ref mut ei)) = stack.last_mut() {
                if let Some(&w) = deps[u].get(*ei) {
                    *ei += 1;
                    match color[w] {
                        0 => {
                            color[w] = 1;
                            stack.push((w, 0));
                        }
                        1 => {
                            let pos = stack.iter().position(|(x, _)| *x == w).unwrap_or(0);
                            let mut path: Vec<&str> = stack[pos..]
                                .iter()
                                .map(|(x, _)| self.consts[*x].name.text)
                                .collect();
                            path.push(self.consts[w].name.text);
                            for (x, _) in &stack[pos..] {
                                self.bad_const[*x] = true;
                            }
                            let span = self.consts[w].name.span;
                            self.err(
                                codes::CONST_CYCLE,
                                span,
                                format!(
                                    "constant `{}` is defined in terms of itself: {}",
                                    self.consts[w].name.text,
                                    path.join(" → ")
                                ),
                            );
                        }
                        _ => {}
                    }
                } else {
                    color[u] = 2;
                    stack.pop();
                }
            }
        }
    }

    // ---- phase 2: templates, constants, typing ------------------------------------------

    fn effective(&mut self, id: u32, depth: usize) -> Option<Vec<Eff<'a>>> {
        if let Some(m) = self.tmpl_memo.get(&id) {
            return Some(m.clone());
        }
        let idx = id as usize;
        let o = self.objs.get(idx).copied().flatten()?;
        if self.tmpl_state[idx] == 1 {
            return None;
        }
        self.tmpl_state[idx] = 1;
        let mut out: Vec<Eff<'a>> = Vec::with_capacity(o.members.len());
        if o.members.len() <= 16 && o.members.iter().all(|m| matches!(m, Member::KeyValue(_))) {
            // The common case: a few direct members, no templates — no index needed.
            for m in &o.members {
                let Member::KeyValue(kv) = m else { continue };
                if let Some(first) = out.iter().find(|e| e.kv.key.text == kv.key.text) {
                    let l = self.line(first.kv.key.span);
                    self.err(
                        codes::DUPLICATE_ATTRIBUTE,
                        kv.key.span,
                        format!(
                            "attribute `{}` is written twice (first at line {l})",
                            kv.key.text
                        ),
                    );
                    continue;
                }
                out.push(Eff { kv, direct: true });
            }
            self.tmpl_state[idx] = 2;
            if o.name
                .is_some_and(|n| self.template_targets.contains(n.text))
            {
                self.tmpl_memo.insert(id, out.clone());
            }
            return Some(out);
        }
        let mut pos = KeyIndex::new();
        let mut direct_seen = KeyIndex::new();
        for m in &o.members {
            match m {
                Member::KeyValue(kv) => {
                    let key = kv.key.text;
                    if let Some(first) = direct_seen.get(key) {
                        let l = self.lines.line_col(first as u32).0;
                        self.err(
                            codes::DUPLICATE_ATTRIBUTE,
                            kv.key.span,
                            format!("attribute `{key}` is written twice (first at line {l})"),
                        );
                        continue;
                    }
                    direct_seen.insert(key, kv.key.span.start as usize);
                    let e = Eff { kv, direct: true };
                    match pos.get(key) {
                        Some(p) => out[p] = e,
                        None => {
                            pos.insert(key, out.len());
                            out.push(e);
                        }
                    }
                }
                Member::Template(t) => {
                    let Some(list) = self.template(o, t, depth) else {
                        continue;
                    };
                    for e in list {
                        if !self.charge(e.kv.span.end - e.kv.span.start, t.span) {
                            break;
                        }
                        let e = Eff {
                            kv: e.kv,
                            direct: false,
                        };
                        match pos.get(e.kv.key.text) {
                            Some(p) => out[p] = e,
                            None => {
                                pos.insert(e.kv.key.text, out.len());
                                out.push(e);
                            }
                        }
                    }
                }
            }
        }
        self.tmpl_state[idx] = 2;
        if o.name
            .is_some_and(|n| self.template_targets.contains(n.text))
        {
            self.tmpl_memo.insert(id, out.clone());
        }
        Some(out)
    }

    fn template(
        &mut self,
        o: &'a Object<'a>,
        t: &crate::cst::Name<'a>,
        depth: usize,
    ) -> Option<Vec<Eff<'a>>> {
        match self.names.get(t.text).copied() {
            None => {
                let hint = suggest(
                    t.text,
                    self.names.iter().filter_map(|(k, v)| match v {
                        NameRef::Struct(id) => self.objs[*id as usize]
                            .filter(|x| x.ty.text == o.ty.text)
                            .map(|_| *k),
                        NameRef::Const(_) => None,
                    }),
                )
                .map(|h| format!("; did you mean `{h}`?"))
                .unwrap_or_default();
                self.err(
                    codes::BAD_TEMPLATE,
                    t.span,
                    format!(
                        "`{}` is not an attribute assignment and no structure of that name exists \
                         to use as a template{hint}",
                        t.text
                    ),
                );
                None
            }
            Some(NameRef::Const(_)) => {
                self.err(
                    codes::BAD_TEMPLATE,
                    t.span,
                    format!(
                        "`{}` is a constant; a template must name a structure",
                        t.text
                    ),
                );
                None
            }
            Some(NameRef::Struct(tid)) => {
                let target = self.objs.get(tid as usize).copied().flatten()?;
                if target.ty.text != o.ty.text {
                    self.err(
                        codes::BAD_TEMPLATE,
                        t.span,
                        format!(
                            "template `{}` is a `{}`, but this structure is a `{}`; templates must \
                             be of the same type",
                            t.text, target.ty.text, o.ty.text
                        ),
                    );
                    return None;
                }
                if depth + 1 >= self.limits.max_depth {
                    self.err(
                        codes::TOO_DEEP,
                        t.span,
                        format!(
                            "templates nested deeper than {} levels",
                            self.limits.max_depth
                        ),
                    );
                    return None;
                }
                let r = self.effective(tid, depth + 1);
                if r.is_none() {
                    self.err(
                        codes::TEMPLATE_CYCLE,
                        t.span,
                        format!(
                            "template cycle: `{}` uses itself through its templates",
                            t.text
                        ),
                    );
                }
                r
            }
        }
    }

    fn type_struct(&mut self, id: u32, o: &'a Object<'a>) -> Struct {
        let def = self.defs[id as usize];
        let effs = self.effective(id, 0).unwrap_or_default();
        let mut attrs = Vec::with_capacity(effs.len());
        let mut nulled: Vec<&str> = Vec::new();
        self.suggested.clear();
        for e in effs {
            if self.sink.full {
                break;
            }
            self.quiet = !e.direct;
            if let Some(a) = self.type_attr(def, e.kv, &mut nulled) {
                attrs.push(a);
            }
        }
        self.quiet = false;
        if let Some(d) = def {
            for ad in d.attrs.iter().filter(|a| a.required) {
                // A misspelt required attribute is reported once, as the misspelling.
                if !attrs.iter().any(|a: &Attr| a.name == ad.name)
                    && !nulled.contains(&ad.name)
                    && !self.suggested.contains(&ad.name)
                {
                    self.err(
                        codes::MISSING_REQUIRED,
                        o.ty.span,
                        format!(
                            "`{}` is missing the required attribute `{}`",
                            o.name
                                .map(|n| format!("{} {}", o.ty.text, n.text))
                                .unwrap_or_else(|| s(o.ty.text)),
                            ad.name
                        ),
                    );
                }
            }
        }
        Struct {
            def,
            type_name: match def {
                Some(d) => Cow::Borrowed(d.name),
                None => Cow::Owned(s(o.ty.text)),
            },
            name: o.name.map(|n| s(n.text)),
            inline: self.nested[id as usize] && o.name.is_none(),
            attrs,
            span: o.ty.span,
        }
    }

    /// Expands constants in `v` into `out`; false after an error.
    fn expand(&mut self, v: &'a Value<'a>, out: &mut Vec<&'a Value<'a>>, depth: usize) -> bool {
        self.expand_at(v, out, depth, v.span())
    }

    /// [`Self::expand`] reporting limit errors at `site`, the use in the structure.
    fn expand_at(
        &mut self,
        v: &'a Value<'a>,
        out: &mut Vec<&'a Value<'a>>,
        depth: usize,
        site: Span,
    ) -> bool {
        if !self.consts.is_empty()
            && let Some(t) = ident_of(v)
            && let Some(NameRef::Const(ci)) = self.names.get(t).copied()
        {
            if self.bad_const[ci] {
                return false;
            }
            if depth >= self.limits.max_depth {
                self.err(
                    codes::TOO_DEEP,
                    site,
                    format!(
                        "constants nested deeper than {} levels",
                        self.limits.max_depth
                    ),
                );
                return false;
            }
            let c = self.consts[ci];
            for cv in &c.values {
                let sp = cv.span();
                if !self.charge(sp.end - sp.start, site)
                    || !self.expand_at(cv, out, depth + 1, site)
                {
                    return false;
                }
            }
            return true;
        }
        if out.len() >= self.limits.max_list_len {
            self.err(
                codes::LIST_TOO_LONG,
                site,
                format!("list longer than the limit of {}", self.limits.max_list_len),
            );
            return false;
        }
        out.push(v);
        true
    }

    fn type_attr(
        &mut self,
        sdef: Option<&'static StructDef>,
        kv: &'a KeyValue<'a>,
        nulled: &mut Vec<&'a str>,
    ) -> Option<Attr> {
        // One scratch buffer for the expanded values of every attribute.
        let mut buf = core::mem::take(&mut self.vals_buf);
        buf.clear();
        let r = self.type_attr_in(sdef, kv, nulled, &mut buf);
        self.vals_buf = buf;
        r
    }

    fn type_attr_in(
        &mut self,
        sdef: Option<&'static StructDef>,
        kv: &'a KeyValue<'a>,
        nulled: &mut Vec<&'a str>,
        vals: &mut Vec<&'a Value<'a>>,
    ) -> Option<Attr> {
        let key = kv.key.text;
        let adef = match sdef {
            Some(d) => match d.attr(key) {
                Some(a) => Some(a),
                None => {
                    let sugg = suggest(key, d.attrs.iter().map(|a| a.name));
                    if let Some(h) = sugg
                        && self.opts.mode == Mode::Strict
                    {
                        self.suggested.push(h);
                    }
                    let hint = sugg
                        .map(|h| format!("; did you mean `{h}`?"))
                        .unwrap_or_default();
                    let msg = if hint.is_empty() {
                        format!("unknown attribute `{key}` in `{}`", d.name)
                    } else {
                        format!("unknown attribute `{key}`{hint}")
                    };
                    match self.opts.mode {
                        Mode::Strict => {
                            self.err(codes::UNKNOWN_ATTRIBUTE, kv.key.span, msg);
                            return None;
                        }
                        Mode::Lenient => {
                            if !self.quiet {
                                self.sink.warning(
                                    codes::LENIENT_UNKNOWN,
                                    kv.key.span,
                                    format!("{msg} (kept)"),
                                );
                            }
                            None
                        }
                    }
                }
            },
            None => None,
        };
        for v in &kv.values {
            if !self.expand(v, vals, 0) {
                return None;
            }
        }
        let is_null = |v: &Value<'_>| ident_of(v) == Some("NULL");
        if vals.len() == 1 && is_null(vals[0]) {
            if let Some(a) = adef
                && a.required
            {
                self.err(
                    codes::MISSING_REQUIRED,
                    vals[0].span(),
                    format!("`{key}` is required and cannot be NULL"),
                );
            }
            nulled.push(key);
            return None;
        }
        if let Some(v) = vals.iter().find(|v| is_null(v))
            && vals.len() > 1
        {
            self.err(
                codes::TYPE_MISMATCH,
                v.span(),
                s("NULL cannot be one element of a list; write `Attr = NULL` alone"),
            );
            return None;
        }
        let Some(a) = adef else {
            // Unknown structure type or unknown attribute kept in lenient mode.
            let values: Vec<Val> = vals.iter().filter_map(|v| self.generic(v, 0)).collect();
            let spans = vals.iter().map(|v| v.span()).collect();
            return Some(Attr {
                def: None,
                name: Cow::Owned(s(key)),
                list: kv.op == Op::StarEq || values.len() > 1,
                values,
                spans,
                span: kv.span,
            });
        };
        if !a.list {
            if kv.op == Op::StarEq {
                self.err(
                    codes::NOT_A_LIST,
                    kv.key.span,
                    format!("`{key}` takes a single value: write `{key} = …`, not `*=`"),
                );
            }
            if vals.len() > 1 {
                let via_const = kv.values.len() == 1
                    && ident_of(&kv.values[0])
                        .is_some_and(|t| matches!(self.names.get(t), Some(NameRef::Const(_))));
                if via_const {
                    self.err(
                        codes::BAD_CONSTANT_USE,
                        kv.values[0].span(),
                        format!(
                            "constant `{}` holds {} values, but `{key}` takes a single value",
                            ident_of(&kv.values[0]).unwrap_or_default(),
                            vals.len()
                        ),
                    );
                } else {
                    self.err(
                        codes::NOT_A_LIST,
                        vals[1].span(),
                        format!("`{key}` takes a single value, found {}", vals.len()),
                    );
                }
                return None;
            }
        }
        let mut values = Vec::with_capacity(vals.len());
        let mut spans = Vec::with_capacity(vals.len());
        for v in vals.iter() {
            if let Some(tv) = self.type_value(a, v) {
                values.push(tv);
                spans.push(v.span());
            }
        }
        if a.ty == Ty::Proposal {
            let key = |v: &Val| -> Vec<u32> {
                let mut r = Vec::new();
                collect_refs(v, Span::default(), &mut r);
                r.into_iter().map(|(id, _)| id).collect()
            };
            let mut seen = BTreeSet::new();
            for j in 0..values.len() {
                if !seen.insert(key(&values[j])) {
                    self.err(
                        codes::DUPLICATE_PROPOSAL,
                        spans[j],
                        s(
                            "this proposal is already listed in `ContainedProposals`; all elements \
                           must differ",
                        ),
                    );
                }
            }
        }
        Some(Attr {
            def: Some(a),
            name: Cow::Borrowed(a.name),
            list: a.list,
            values,
            spans,
            span: kv.span,
        })
    }

    /// A value of an unknown attribute: kept as written.
    fn generic(&mut self, v: &'a Value<'a>, depth: usize) -> Option<Val> {
        Some(match v {
            Value::Scalar(sc) => match &sc.kind {
                ScalarKind::Ident(t) => {
                    if let Some(NameRef::Struct(id)) = self.names.get(t) {
                        self.mentioned[*id as usize] = true;
                    }
                    Val::Ident(Cow::Owned(s(t)))
                }
                ScalarKind::Str(b) => Val::Str(b.to_vec()),
                ScalarKind::Int(n) => Val::UInt(*n),
                ScalarKind::Ip(ip) => Val::Ip(*ip),
                ScalarKind::Date(d) => Val::Date(*d),
                ScalarKind::Time(t) => Val::Time(*t),
                ScalarKind::Error => return None,
            },
            Value::Range(a, b) => match (&a.kind, &b.kind) {
                (ScalarKind::Int(x), ScalarKind::Int(y)) => Val::UIntRange(*x, *y),
                (ScalarKind::Ip(x), ScalarKind::Ip(y)) => Val::IpRange(*x, *y),
                (ScalarKind::Date(x), ScalarKind::Date(y)) => Val::DateRange(*x, *y),
                (ScalarKind::Time(x), ScalarKind::Time(y)) => Val::TimeRange(*x, *y),
                _ => return None,
            },
            Value::Object(o) => Val::Ref(StructId(o.id)),
            Value::Tuple(vs, _) if depth < self.limits.max_depth => Val::Tuple(
                vs.iter()
                    .filter_map(|x| self.generic(x, depth + 1))
                    .collect(),
            ),
            Value::Tuple(..) => return None,
        })
    }

    fn mismatch(&mut self, a: &AttrDef, v: &Value<'_>) {
        let mut hint = String::new();
        match (a.ty, v) {
            (
                Ty::Str | Ty::HexStr | Ty::Alg(_) | Ty::PeerAddr | Ty::PeerSpec,
                Value::Scalar(Scalar {
                    kind: ScalarKind::Ident(t),
                    ..
                }),
            ) => hint = format!("; strings are written in double quotes: \"{t}\""),
            (
                Ty::Enum(_) | Ty::Bool | Ty::Ref(_) | Ty::Chain(_) | Ty::Label | Ty::Group(_),
                Value::Scalar(Scalar {
                    kind: ScalarKind::Str(b),
                    ..
                }),
            ) => hint = format!("; write it without quotes: {}", String::from_utf8_lossy(b)),
            (Ty::TimeRange, Value::Scalar(_)) => {
                hint = s("; a window is written from..to, e.g. 08:00..18:00")
            }
            _ => {}
        }
        self.err(
            codes::TYPE_MISMATCH,
            v.span(),
            format!(
                "`{}` expects {}, found {}{hint}",
                a.name,
                expected(a.ty),
                shown(v)
            ),
        );
    }

    fn type_value(&mut self, a: &'static AttrDef, v: &'a Value<'a>) -> Option<Val> {
        if let Value::Scalar(Scalar {
            kind: ScalarKind::Error,
            ..
        }) = v
        {
            return None;
        }
        let span = v.span();
        let scalar = match v {
            Value::Scalar(sc) => Some(&sc.kind),
            _ => None,
        };
        match a.ty {
            Ty::Bool => match ident_of(v) {
                Some("TRUE") => Some(Val::Bool(true)),
                Some("FALSE") => Some(Val::Bool(false)),
                Some(t) => {
                    let hint = suggest(t, ["TRUE", "FALSE"])
                        .map(|h| format!("; did you mean `{h}`?"))
                        .unwrap_or_default();
                    self.err(
                        codes::NOT_IN_ENUM,
                        span,
                        format!("`{}` is TRUE or FALSE, not `{t}`{hint}", a.name),
                    );
                    None
                }
                None => {
                    self.mismatch(a, v);
                    None
                }
            },
            Ty::UInt(lo, hi) => match scalar {
                Some(ScalarKind::Int(n)) => {
                    if *n < lo || *n > hi {
                        self.err(
                            codes::OUT_OF_RANGE,
                            span,
                            format!("`{}` = {n} is out of range {lo}..{hi}", a.name),
                        );
                        None
                    } else {
                        Some(Val::UInt(*n))
                    }
                }
                _ => {
                    self.mismatch(a, v);
                    None
                }
            },
            Ty::Enum(vs) | Ty::EnumOrStr(vs) => {
                let text = match scalar {
                    Some(ScalarKind::Ident(t)) => Some(s(t)),
                    Some(ScalarKind::Str(b)) if matches!(a.ty, Ty::EnumOrStr(_)) => {
                        Some(String::from_utf8_lossy(b).into_owned())
                    }
                    _ => None,
                };
                match text {
                    Some(t) if let Some(v) = vs.iter().find(|v| **v == t) => {
                        Some(Val::Ident(Cow::Borrowed(v)))
                    }
                    Some(t) => {
                        let hint = suggest(&t, vs.iter().copied())
                            .map(|h| format!("; did you mean `{h}`?"))
                            .unwrap_or_default();
                        let msg = format!(
                            "unknown value `{t}` for `{}`; expected {}{hint}",
                            a.name,
                            join_or(vs)
                        );
                        // `Version` is free text for some S-Terra products (lsp.md §5.1): only
                        // strict mode rejects other values; lenient mode keeps them as written.
                        if matches!(a.ty, Ty::EnumOrStr(_)) && self.opts.mode == Mode::Lenient {
                            if !self.quiet {
                                self.sink.warning(
                                    codes::LENIENT_UNKNOWN,
                                    span,
                                    format!("{msg} (kept)"),
                                );
                            }
                            return Some(match scalar {
                                Some(ScalarKind::Str(b)) => Val::Str(b.to_vec()),
                                _ => Val::Ident(Cow::Owned(t)),
                            });
                        }
                        self.err(codes::NOT_IN_ENUM, span, msg);
                        None
                    }
                    None => {
                        self.mismatch(a, v);
                        None
                    }
                }
            }
            Ty::Str => match scalar {
                Some(ScalarKind::Str(b)) => Some(Val::Str(b.to_vec())),
                _ => {
                    self.mismatch(a, v);
                    None
                }
            },
            Ty::HexStr => match scalar {
                Some(ScalarKind::Str(b)) => {
                    if !b.is_empty() && b.iter().all(u8::is_ascii_hexdigit) {
                        Some(Val::Str(b.to_vec()))
                    } else {
                        self.err(
                            codes::NOT_HEX,
                            span,
                            format!(
                                "`{}` takes hex digits only, found \"{}\"",
                                a.name,
                                String::from_utf8_lossy(b)
                            ),
                        );
                        None
                    }
                }
                _ => {
                    self.mismatch(a, v);
                    None
                }
            },
            Ty::Ip => match scalar {
                Some(ScalarKind::Ip(ip)) => Some(Val::Ip(*ip)),
                _ => {
                    self.mismatch(a, v);
                    None
                }
            },
            Ty::NetMask => match scalar {
                Some(ScalarKind::Ip(ip)) if is_netmask(*ip) => Some(Val::Ip(*ip)),
                Some(ScalarKind::Ip(ip)) => {
                    self.err(
                        codes::OUT_OF_RANGE,
                        span,
                        format!("{ip} is not a netmask: its one bits must be contiguous"),
                    );
                    None
                }
                _ => {
                    self.mismatch(a, v);
                    None
                }
            },
            Ty::IpRange | Ty::PeerSpec => match v {
                Value::Scalar(Scalar {
                    kind: ScalarKind::Ip(ip),
                    ..
                }) => Some(Val::Ip(*ip)),
                Value::Range(lo, hi) => match (&lo.kind, &hi.kind) {
                    (ScalarKind::Ip(x), ScalarKind::Ip(y)) => {
                        if x > y {
                            self.err(
                                codes::RANGE_ORDER,
                                span,
                                format!("address range {x}..{y} runs backwards"),
                            );
                            None
                        } else {
                            Some(Val::IpRange(*x, *y))
                        }
                    }
                    _ => {
                        self.mismatch(a, v);
                        None
                    }
                },
                Value::Scalar(Scalar {
                    kind: ScalarKind::Str(b),
                    ..
                }) if a.ty == Ty::PeerSpec && !b.is_empty() => Some(Val::Str(b.to_vec())),
                _ => {
                    self.mismatch(a, v);
                    None
                }
            },
            Ty::PeerAddr => match scalar {
                Some(ScalarKind::Ip(ip)) if ip.is_unspecified() => {
                    self.err(
                        codes::OUT_OF_RANGE,
                        span,
                        format!("`{}` cannot be 0.0.0.0", a.name),
                    );
                    None
                }
                Some(ScalarKind::Ip(ip)) => Some(Val::Ip(*ip)),
                Some(ScalarKind::Str(b)) if !b.is_empty() => Some(Val::Str(b.to_vec())),
                _ => {
                    self.mismatch(a, v);
                    None
                }
            },
            Ty::IntRange(lo, hi) => {
                let check = |n: u32| n >= lo && n <= hi;
                match v {
                    Value::Scalar(Scalar {
                        kind: ScalarKind::Int(n),
                        ..
                    }) => {
                        if check(*n) {
                            Some(Val::UInt(*n))
                        } else {
                            self.err(
                                codes::OUT_OF_RANGE,
                                span,
                                format!("`{}` value {n} is out of range {lo}..{hi}", a.name),
                            );
                            None
                        }
                    }
                    Value::Range(x, y) => match (&x.kind, &y.kind) {
                        (ScalarKind::Int(x), ScalarKind::Int(y)) => {
                            if !check(*x) || !check(*y) {
                                self.err(
                                    codes::OUT_OF_RANGE,
                                    span,
                                    format!(
                                        "`{}` range {x}..{y} is out of range {lo}..{hi}",
                                        a.name
                                    ),
                                );
                                None
                            } else if x > y {
                                self.err(
                                    codes::RANGE_ORDER,
                                    span,
                                    format!("range {x}..{y} runs backwards"),
                                );
                                None
                            } else {
                                Some(Val::UIntRange(*x, *y))
                            }
                        }
                        _ => {
                            self.mismatch(a, v);
                            None
                        }
                    },
                    _ => {
                        self.mismatch(a, v);
                        None
                    }
                }
            }
            Ty::Date => match scalar {
                Some(ScalarKind::Date(d)) => Some(Val::Date(*d)),
                _ => {
                    self.mismatch(a, v);
                    None
                }
            },
            Ty::TimeRange => match v {
                Value::Range(x, y) => match (&x.kind, &y.kind) {
                    (ScalarKind::Time(x), ScalarKind::Time(y)) => {
                        if x == y {
                            self.err(
                                codes::RANGE_ORDER,
                                span,
                                format!("time window {x}..{y} is empty"),
                            );
                            None
                        } else {
                            Some(Val::TimeRange(*x, *y))
                        }
                    }
                    _ => {
                        self.mismatch(a, v);
                        None
                    }
                },
                _ => {
                    self.mismatch(a, v);
                    None
                }
            },
            Ty::Ref(ts) => self.type_ref(a, ts, v).map(|id| Val::Ref(StructId(id))),
            Ty::Chain(kind) => {
                let id = self.type_ref(a, &["FilterChain"], v)?;
                self.pending.push(PendingChain {
                    span,
                    target: id,
                    kind,
                    attr: a.name,
                });
                Some(Val::Ref(StructId(id)))
            }
            Ty::Label => match ident_of(v) {
                Some(t) => Some(Val::Ident(Cow::Owned(s(t)))),
                None => {
                    self.mismatch(a, v);
                    None
                }
            },
            Ty::Alg(class) => match scalar {
                Some(ScalarKind::Str(b)) => {
                    let name = String::from_utf8_lossy(b).into_owned();
                    if self.opts.catalog.lookup(class, &name).is_some() {
                        Some(Val::Str(b.to_vec()))
                    } else {
                        self.unknown_alg(class, &name, span);
                        None
                    }
                }
                _ => {
                    self.mismatch(a, v);
                    None
                }
            },
            Ty::Group(none) => match ident_of(v) {
                Some("NONE") if none => Some(Val::Ident(Cow::Borrowed("NONE"))),
                Some(t) => {
                    if self.opts.catalog.lookup(AlgClass::Group, t).is_some() {
                        Some(Val::Ident(Cow::Owned(s(t))))
                    } else {
                        self.unknown_alg(AlgClass::Group, t, span);
                        None
                    }
                }
                None => {
                    self.mismatch(a, v);
                    None
                }
            },
            Ty::Proposal => self.type_proposal(a, v),
        }
    }

    fn unknown_alg(&mut self, class: AlgClass, name: &str, span: Span) {
        let cat = self.opts.catalog;
        let names = cat.names(class);
        let mut hint = suggest(name, names.iter().copied())
            .map(|h| format!("; did you mean `{h}`?"))
            .unwrap_or_default();
        if hint.is_empty() {
            let others = [
                AlgClass::IkeCipher,
                AlgClass::IkeHash,
                AlgClass::EspCipher,
                AlgClass::Integrity,
                AlgClass::Group,
            ];
            if let Some(o) = others
                .iter()
                .find(|o| **o != class && cat.lookup(**o, name).is_some())
            {
                hint = format!(
                    "; `{name}` is an {}, not an {}",
                    o.describe(),
                    class.describe()
                );
            }
        }
        self.err(
            codes::UNKNOWN_ALGORITHM,
            span,
            format!("unknown {} `{name}`{hint}", class.describe()),
        );
    }

    /// Resolves a reference (name or inline structure) to one of `types`.
    fn type_ref(&mut self, a: &AttrDef, types: &[&str], v: &'a Value<'a>) -> Option<u32> {
        match v {
            Value::Object(o) => {
                let d = self.defs.get(o.id as usize).copied().flatten();
                match d {
                    Some(d) if types.contains(&d.name) => Some(o.id),
                    Some(d) => {
                        self.err(
                            codes::WRONG_REFERENCE_TYPE,
                            o.ty.span,
                            format!(
                                "`{}` takes {}, not an inline `{}`",
                                a.name,
                                join_or(types),
                                d.name
                            ),
                        );
                        None
                    }
                    None => None, // unknown type: already reported
                }
            }
            Value::Scalar(Scalar {
                kind: ScalarKind::Ident(t),
                span,
            }) => match self.names.get(t).copied() {
                Some(NameRef::Struct(id)) => {
                    let o = self.objs.get(id as usize).copied().flatten()?;
                    let d = self.defs.get(id as usize).copied().flatten();
                    if d.is_some_and(|d| types.contains(&d.name)) {
                        Some(id)
                    } else {
                        self.err(
                            codes::WRONG_REFERENCE_TYPE,
                            *span,
                            format!(
                                "`{t}` has type `{}`, but `{}` takes {}",
                                o.ty.text,
                                a.name,
                                join_or(types)
                            ),
                        );
                        None
                    }
                }
                Some(NameRef::Const(_)) => None, // bad constant, already reported
                None => {
                    let cands = self.names.iter().filter_map(|(k, r)| match r {
                        NameRef::Struct(id) => self.defs[*id as usize]
                            .filter(|d| types.contains(&d.name))
                            .map(|_| *k),
                        NameRef::Const(_) => None,
                    });
                    let hint = suggest(t, cands)
                        .map(|h| format!("; did you mean `{h}`?"))
                        .unwrap_or_default();
                    self.err(
                        codes::DANGLING_REFERENCE,
                        *span,
                        format!(
                            "`{}` refers to `{t}`, but no structure has that name{hint}",
                            a.name
                        ),
                    );
                    None
                }
            },
            _ => {
                self.mismatch(a, v);
                None
            }
        }
    }

    fn is_ah(&self, id: u32) -> bool {
        self.defs[id as usize].is_some_and(|d| AH_PROPOSALS.contains(&d.name))
    }

    fn is_tc26(&self, id: u32) -> bool {
        self.defs[id as usize].is_some_and(|d| d.tc26)
    }

    fn type_proposal(&mut self, a: &'static AttrDef, v: &'a Value<'a>) -> Option<Val> {
        match v {
            Value::Tuple(items, span) => {
                let mut flat = Vec::new();
                for it in items {
                    if !self.expand(it, &mut flat, 0) {
                        return None;
                    }
                }
                match flat.as_slice() {
                    [one] => {
                        let id = self.type_ref(a, PROPOSALS, one)?;
                        Some(if self.is_ah(id) {
                            Val::Tuple(vec![Val::Ref(StructId(id))])
                        } else {
                            Val::Ref(StructId(id))
                        })
                    }
                    [x, y] => {
                        let xi = self.type_ref(a, PROPOSALS, x);
                        let yi = self.type_ref(a, PROPOSALS, y);
                        let (xi, yi) = (xi?, yi?);
                        if !self.is_ah(xi) {
                            self.err(
                                codes::PROPOSAL_SHAPE,
                                x.span(),
                                s("in a proposal pair the AH proposal comes first: (ah, esp)"),
                            );
                            return None;
                        }
                        if self.is_ah(yi) {
                            self.err(
                                codes::PROPOSAL_SHAPE,
                                y.span(),
                                s("a proposal pair holds one AH and one ESP proposal, not two AH"),
                            );
                            return None;
                        }
                        if self.is_tc26(xi) != self.is_tc26(yi) {
                            self.err(
                                codes::SUITE_MIX,
                                *span,
                                s(
                                    "TC26 and international proposals cannot be combined in one \
                                   pair",
                                ),
                            );
                            return None;
                        }
                        Some(Val::Tuple(vec![
                            Val::Ref(StructId(xi)),
                            Val::Ref(StructId(yi)),
                        ]))
                    }
                    _ => {
                        self.err(
                            codes::PROPOSAL_SHAPE,
                            *span,
                            format!(
                                "a proposal group is (ah) or (ah, esp); found {} elements",
                                flat.len()
                            ),
                        );
                        None
                    }
                }
            }
            _ => {
                let id = self.type_ref(a, PROPOSALS, v)?;
                if self.is_ah(id) {
                    let n = ident_of(v).unwrap_or("ah");
                    self.err(
                        codes::PROPOSAL_SHAPE,
                        v.span(),
                        format!("an AH proposal is written in parentheses: ({n})"),
                    );
                    return None;
                }
                Some(Val::Ref(StructId(id)))
            }
        }
    }
}

// ---- phases 3 and 4 ---------------------------------------------------------------------

struct Post<'x> {
    structs: &'x [Struct],
    sink: &'x mut Sink,
    opts: &'x Options<'x>,
    /// Per chain: (holds a `Filter`, holds a `FilteringRule`).
    chain_kinds: BTreeMap<u32, (bool, bool)>,
}

fn text_of(v: &Val) -> String {
    match v {
        Val::Str(b) => String::from_utf8_lossy(b).into_owned(),
        Val::Ident(t) => String::from(&**t),
        other => format!("{other:?}"),
    }
}

impl<'x> Post<'x> {
    fn get(&self, id: u32) -> Option<&'x Struct> {
        self.structs.get(id as usize)
    }

    fn constraints(&mut self) {
        for s in self.structs {
            if self.sink.full {
                return;
            }
            let Some(def) = s.def else { continue };
            for c in def.constraints {
                self.constraint(s, c);
            }
            for r in def.rules {
                self.rule(s, *r);
            }
        }
    }

    fn constraint(&mut self, st: &Struct, c: &Constraint) {
        match *c {
            Constraint::LessEq(lo, hi) => {
                let val = |n: &str| -> Option<(u64, String)> {
                    match st.value(n) {
                        Some(Val::UInt(v)) => Some((u64::from(*v), v.to_string())),
                        Some(Val::Date(d)) => Some((d.days_since_epoch() as u64, d.to_string())),
                        Some(_) => None,
                        None => st.uint(n).map(|v| (u64::from(v), v.to_string())),
                    }
                };
                if let (Some((a, at)), Some((b, bt))) = (val(lo), val(hi))
                    && a > b
                {
                    let span = st.get(lo).or(st.get(hi)).map(|a| a.span).unwrap_or(st.span);
                    self.sink.error(
                        codes::CONSTRAINT,
                        span,
                        format!("`{lo}` ({at}) must not exceed `{hi}` ({bt})"),
                    );
                }
            }
            Constraint::AtMostOne(names) => {
                let written: Vec<&Attr> = names.iter().filter_map(|n| st.get(n)).collect();
                if let [first, second, ..] = written.as_slice() {
                    let msg = if names.len() == 2 {
                        format!(
                            "`{}` and `{}` are mutually exclusive",
                            first.name, second.name
                        )
                    } else {
                        format!(
                            "at most one of {} may be set in `{}`; found `{}` and `{}`",
                            join_or(names),
                            st.type_name,
                            first.name,
                            second.name
                        )
                    };
                    self.sink.error(codes::CONSTRAINT, second.span, msg);
                }
            }
            Constraint::AtLeastOne(names) => {
                if names.iter().all(|n| st.get(n).is_none()) {
                    self.sink.error(
                        codes::CONSTRAINT,
                        st.span,
                        format!("`{}` needs {}", st.describe(), join_or(names)),
                    );
                }
            }
            Constraint::Require { attr, when, is } => {
                if let Some(v) = st.effective_text(when)
                    && is.contains(&&*v)
                    && st.get(attr).is_none()
                {
                    let span = st.get(when).map(|a| a.span).unwrap_or(st.span);
                    self.sink.error(
                        codes::CONSTRAINT,
                        span,
                        format!("`{attr}` is required when `{when}` is {v}"),
                    );
                }
            }
            Constraint::Forbid { attr, when, is } => {
                let Some(a) = st.get(attr) else { return };
                let at_default = match (a.values.first(), st.default_of(attr)) {
                    (Some(Val::Bool(b)), Dflt::Bool(d)) => *b == d,
                    (Some(Val::Ident(t)), Dflt::Ident(d)) => t == d,
                    _ => false,
                };
                if let Some(v) = st.effective_text(when)
                    && is.contains(&&*v)
                    && !at_default
                {
                    self.sink.error(
                        codes::CONSTRAINT,
                        a.span,
                        format!("`{attr}` is not allowed when `{when}` is {v}"),
                    );
                }
            }
        }
    }

    fn rule(&mut self, st: &Struct, r: Rule) {
        match r {
            Rule::ChainRules => self.chain_rules(st),
            Rule::NegotiateNeedsPeer => {
                let Some(tp) = st.get("TunnelingParameters") else {
                    return;
                };
                if st.ident("FallbackAction") != Some("NEGOTIATE") || tp.values.is_empty() {
                    return;
                }
                let any_peer = tp.values.iter().any(|v| match v {
                    Val::Ref(id) => self
                        .get(id.0)
                        .is_some_and(|t| t.get("PeerAddress").is_some()),
                    _ => false,
                });
                if !any_peer {
                    self.sink.error(
                        codes::NO_PEER,
                        tp.span,
                        format!(
                            "`{}` negotiates (FallbackAction = NEGOTIATE) but no TunnelEntry has \
                             a PeerAddress; add one or set FallbackAction = DROP",
                            st.describe()
                        ),
                    );
                }
            }
            Rule::AeadNoIntegrity => {
                let (Some(Val::Str(c)), Some(ia)) = (st.value("CipherAlg"), st.get("IntegrityAlg"))
                else {
                    return;
                };
                let name = String::from_utf8_lossy(c);
                if self
                    .opts
                    .catalog
                    .lookup(AlgClass::EspCipher, &name)
                    .is_some_and(|i| i.aead)
                {
                    self.sink.error(
                        codes::AEAD_INTEGRITY,
                        ia.span,
                        format!("`{name}` is a combined-mode cipher with its own integrity check; remove `IntegrityAlg`"),
                    );
                }
            }
            Rule::IkeSuite => {
                let tc26 = st.def.is_some_and(|d| d.tc26);
                for (attr, class) in [
                    ("CipherAlg", AlgClass::IkeCipher),
                    ("HashAlg", AlgClass::IkeHash),
                ] {
                    let Some(a) = st.get(attr) else { continue };
                    for (v, sp) in a.values.iter().zip(&a.spans) {
                        let name = text_of(v);
                        if let Some(msg) = self.suite_problem(class, &name, tc26, &st.type_name) {
                            self.sink.error(codes::SUITE_MIX, *sp, msg);
                        }
                    }
                }
            }
            Rule::ProposalSuite => {
                let tc26 = st.def.is_some_and(|d| d.tc26);
                let Some(a) = st.get("Transform") else { return };
                for (v, sp) in a.values.iter().zip(&a.spans) {
                    let Val::Ref(id) = v else { continue };
                    let Some(t) = self.get(id.0) else { continue };
                    for (attr, class) in [
                        ("CipherAlg", AlgClass::EspCipher),
                        ("IntegrityAlg", AlgClass::Integrity),
                    ] {
                        let Some(name) = t.value(attr).map(text_of) else {
                            continue;
                        };
                        if let Some(msg) = self.suite_problem(class, &name, tc26, &st.type_name) {
                            self.sink.error(codes::SUITE_MIX, *sp, msg);
                        }
                    }
                }
            }
        }
    }

    fn suite_problem(&self, class: AlgClass, name: &str, tc26: bool, ty: &str) -> Option<String> {
        let suite = self.opts.catalog.lookup(class, name)?.suite;
        if name == "NULL" {
            return None;
        }
        match (tc26, suite) {
            (true, Suite::International | Suite::Belt) => Some(format!(
                "`{name}` is not a GOST/TC26 algorithm; `{ty}` takes TC26 algorithms only"
            )),
            (false, Suite::Tc26) => Some(format!(
                "`{name}` belongs to the TC26 suite; use it in a TC26 structure, not in `{ty}`"
            )),
            _ => None,
        }
    }

    fn element_kind(&self, id: u32) -> Option<ChainKind> {
        match self.get(id)?.kind() {
            "Filter" => Some(ChainKind::Firewall),
            "FilteringRule" => Some(ChainKind::Ipsec),
            _ => None,
        }
    }

    fn chain_rules(&mut self, st: &Struct) {
        let Some(f) = st.get("Filters") else { return };
        let ids: Vec<(u32, Span)> = f
            .values
            .iter()
            .zip(&f.spans)
            .filter_map(|(v, sp)| match v {
                Val::Ref(id) => Some((id.0, *sp)),
                _ => None,
            })
            .collect();
        let first_kind = ids.first().and_then(|(id, _)| self.element_kind(*id));
        if let Some((id, sp)) = ids
            .iter()
            .find(|(id, _)| self.element_kind(*id) != first_kind)
        {
            let (this, other) = match self.element_kind(*id) {
                Some(ChainKind::Ipsec) => ("FilteringRule", "Filter"),
                _ => ("Filter", "FilteringRule"),
            };
            self.sink.error(
                codes::MIXED_CHAIN,
                *sp,
                format!(
                    "chain `{}` mixes `{other}` and `{this}`; a chain holds firewall `Filter`s or \
                     IPsec `FilteringRule`s, not both",
                    st.name.as_deref().unwrap_or_default()
                ),
            );
            return;
        }
        if first_kind != Some(ChainKind::Firewall) {
            return;
        }
        let chain = st.name.as_deref().unwrap_or_default();
        let mut labels: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, (id, _)) in ids.iter().enumerate() {
            let Some(r) = self.get(*id) else { continue };
            if let Some(a) = r.get("Label")
                && let Some(Val::Ident(l)) = a.values.first()
            {
                if labels.contains_key(&**l) {
                    self.sink.error(
                        codes::DUPLICATE_LABEL,
                        a.span,
                        format!("label `{l}` is used twice in chain `{chain}`"),
                    );
                } else {
                    labels.insert(l, i);
                }
            }
        }
        for (i, (id, _)) in ids.iter().enumerate() {
            let Some(r) = self.get(*id) else { continue };
            let Some(a) = r.get("JumpTo") else { continue };
            let Some(Val::Ident(t)) = a.values.first() else {
                continue;
            };
            match labels.get(&**t) {
                Some(&j) if j > i => {}
                Some(&j) => self.sink.error(
                    codes::BAD_JUMP,
                    a.span,
                    format!(
                        "`JumpTo = {t}` in rule {} of chain `{chain}` jumps backwards to rule {}; \
                         jumps must go forward",
                        i + 1,
                        j + 1
                    ),
                ),
                None => {
                    let hint = suggest(t, labels.keys().copied())
                        .map(|h| format!("; did you mean `{h}`?"))
                        .unwrap_or_default();
                    self.sink.error(
                        codes::BAD_JUMP,
                        a.span,
                        format!("no rule labelled `{t}` in chain `{chain}`{hint}"),
                    );
                }
            }
        }
    }

    fn chain_kind(&mut self, p: &PendingChain) {
        let Some(ch) = self.get(p.target) else { return };
        let (fw, ipsec) = match self.chain_kinds.get(&p.target) {
            Some(k) => *k,
            None => {
                let mut k = (false, false);
                for v in ch.values("Filters") {
                    if let Val::Ref(id) = v {
                        match self.element_kind(id.0) {
                            Some(ChainKind::Firewall) => k.0 = true,
                            Some(ChainKind::Ipsec) => k.1 = true,
                            None => {}
                        }
                    }
                }
                self.chain_kinds.insert(p.target, k);
                k
            }
        };
        let bad = match p.kind {
            ChainKind::Firewall => ipsec,
            ChainKind::Ipsec => fw,
        };
        if bad {
            let (want, has) = match p.kind {
                ChainKind::Firewall => ("Filter", "FilteringRule"),
                ChainKind::Ipsec => ("FilteringRule", "Filter"),
            };
            self.sink.error(
                codes::WRONG_CHAIN_KIND,
                p.span,
                format!(
                    "`{}` needs a chain of `{want}`s, but `{}` holds `{has}`s",
                    p.attr,
                    ch.name.as_deref().unwrap_or_default()
                ),
            );
        }
    }

    fn version_warnings(&mut self) {
        let version = self
            .structs
            .iter()
            .find(|s| s.kind() == "GlobalParameters")
            .and_then(|g| g.ident("Version").map(String::from))
            .unwrap_or_else(|| String::from("LSP_4_0"));
        let rank = VERSIONS.iter().position(|v| *v == version).unwrap_or(0);
        if rank >= 2 {
            return;
        }
        for s in self.structs {
            if s.def.is_some_and(|d| d.tc26) {
                self.sink.warning(
                    codes::VERSION_TOO_OLD,
                    s.span,
                    format!(
                        "`{}` needs `Version = LSP_4_2` or later in GlobalParameters (this policy is {version})",
                        s.type_name
                    ),
                );
            }
        }
    }

    fn graph(
        &mut self,
        name_spans: &[Span],
        templates: &[u32],
        mentioned: &[bool],
        max_depth: usize,
    ) {
        let n = self.structs.len();
        let mut offs = Vec::with_capacity(n + 1);
        let mut edges: Vec<(u32, Span)> = Vec::new();
        offs.push(0usize);
        for s in self.structs {
            for a in &s.attrs {
                for (v, sp) in a.values.iter().zip(&a.spans) {
                    collect_refs(v, *sp, &mut edges);
                }
            }
            offs.push(edges.len());
        }
        let out = |u: usize| &edges[offs[u]..offs[u + 1]];

        // Rule 7: cycles (iterative DFS); the post-order doubles as a topological order.
        let mut color = vec![0u8; n];
        let mut post: Vec<usize> = Vec::with_capacity(n);
        let mut cyclic = false;
        for start in 0..n {
            if color[start] != 0 {
                continue;
            }
            color[start] = 1;
            let mut stack = vec![(start, 0usize)];
            while let Some(&mut (u, ref mut ei)) = stack.last_mut() {
                if let Some(&(w, sp)) = out(u).get(*ei) {
                    *ei += 1;
                    let w = w as usize;
                    match color.get(w).copied() {
                        Some(0) => {
                            color[w] = 1;
                            stack.push((w, 0));
                        }
                        Some(1) => {
                            cyclic = true;
                            let pos = stack.iter().position(|(x, _)| *x == w).unwrap_or(0);
                            let mut path: Vec<String> = stack[pos..]
                                .iter()
                                .map(|(x, _)| self.structs[*x].describe())
                                .collect();
                            path.push(self.structs[w].describe());
                            self.sink.error(
                                codes::REFERENCE_CYCLE,
                                sp,
                                format!("reference cycle: {}", path.join(" → ")),
                            );
                        }
                        _ => {}
                    }
                } else {
                    color[u] = 2;
                    post.push(u);
                    stack.pop();
                }
            }
        }
        if cyclic {
            return;
        }
        // Inline nesting through constants must stay within the depth limit (printer, compiler).
        let mut nest = vec![0usize; n];
        for &u in &post {
            let d = out(u)
                .iter()
                .filter(|(w, _)| self.structs.get(*w as usize).is_some_and(|t| t.inline))
                .map(|(w, _)| nest[*w as usize] + 1)
                .max()
                .unwrap_or(0);
            nest[u] = d;
            if d > max_depth + 1 {
                self.sink.error(
                    codes::TOO_DEEP,
                    self.structs[u].span,
                    format!("structures nested deeper than {max_depth} levels (through constants)"),
                );
                return;
            }
        }
        // Rules 8 and 9: reachability from interfaces, global structures and IKE rules.
        let mut referenced = mentioned.to_vec();
        referenced.resize(n, false);
        for &(w, _) in &edges {
            if let Some(r) = referenced.get_mut(w as usize) {
                *r = true;
            }
        }
        for &t in templates {
            if let Some(r) = referenced.get_mut(t as usize) {
                *r = true;
            }
        }
        let mut reach = vec![false; n];
        let mut queue: Vec<usize> = Vec::new();
        let mut interfaces = 0usize;
        for (i, s) in self.structs.iter().enumerate() {
            let root = match s.def {
                None => !s.inline,
                Some(d) => {
                    matches!(d.naming, Naming::Singleton | Naming::Anonymous)
                        || d.canonical() == "IKERule"
                }
            };
            if s.kind() == "NetworkInterface" {
                interfaces += 1;
            }
            if root {
                reach[i] = true;
                queue.push(i);
            }
        }
        while let Some(u) = queue.pop() {
            for &(w, _) in out(u) {
                let w = w as usize;
                if w < n && !reach[w] {
                    reach[w] = true;
                    queue.push(w);
                }
            }
        }
        for (i, s) in self.structs.iter().enumerate() {
            if s.name.is_some() && !reach[i] && !referenced[i] {
                self.sink.warning(
                    codes::UNUSED,
                    name_spans.get(i).copied().unwrap_or(s.span),
                    format!(
                        "`{}` is never used (not reachable from any NetworkInterface, IKERule or \
                         global structure)",
                        s.describe()
                    ),
                );
            }
        }
        if interfaces == 0 {
            self.sink.warning(
                codes::NO_INTERFACE,
                Span::default(),
                String::from(
                    "policy binds no interface (no NetworkInterface): all traffic passes in clear",
                ),
            );
        }
    }
}
