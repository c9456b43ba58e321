//! The checked document: every structure with typed attribute values, templates and constants
//! expanded, references resolved to [`StructId`]s.
//!
//! This is what [`mod@crate::check`] produces for a valid file and what the printer and the
//! compiler read. It keeps names and written order (so it can be printed back) but no syntax.
//! [`Doc::normalized`] gives a span- and id-free form for comparing two documents (the
//! round-trip property of lsp.md §8). Nothing here validates: a `Doc` is valid by construction.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::net::Ipv4Addr;

use crate::diag::Span;
use crate::schema::{AttrDef, Dflt, StructDef};
use crate::time::{Date, Time};

/// Index of a structure in [`Doc::structs`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StructId(pub u32);

/// A typed value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Val {
    /// `TRUE` / `FALSE`.
    Bool(bool),
    /// Integer.
    UInt(u32),
    /// `a..b` of integers.
    UIntRange(u32, u32),
    /// Identifier: enumeration value, group, label, `Version` (borrowed from the schema when it
    /// is one of its values).
    Ident(Cow<'static, str>),
    /// String bytes (not necessarily UTF-8).
    Str(Vec<u8>),
    /// Address.
    Ip(Ipv4Addr),
    /// `a..b` of addresses.
    IpRange(Ipv4Addr, Ipv4Addr),
    /// Date.
    Date(Date),
    /// `a..b` of dates (only in unknown attributes kept in lenient mode).
    DateRange(Date, Date),
    /// Time (only in unknown attributes kept in lenient mode).
    Time(Time),
    /// `a..b` of times.
    TimeRange(Time, Time),
    /// Reference to a structure (named, or inline anonymous).
    Ref(StructId),
    /// Parenthesised group (`ContainedProposals` pairs).
    Tuple(Vec<Val>),
}

/// One attribute after checking.
#[derive(Clone, Debug)]
pub struct Attr {
    /// Schema row (`None` for an unknown attribute kept in lenient mode).
    pub def: Option<&'static AttrDef>,
    /// Attribute name (the schema's when known).
    pub name: Cow<'static, str>,
    /// Printed with `*=`.
    pub list: bool,
    /// Values in written order.
    pub values: Vec<Val>,
    /// Span of each value (same length as `values`).
    pub spans: Vec<Span>,
    /// The whole `Name = values`.
    pub span: Span,
}

/// One structure after checking.
#[derive(Clone, Debug)]
pub struct Struct {
    /// Schema row (`None` for an unknown type kept in lenient mode).
    pub def: Option<&'static StructDef>,
    /// Type name as written (the schema's when known).
    pub type_name: Cow<'static, str>,
    /// Name, if any.
    pub name: Option<String>,
    /// Anonymous and written inside another structure or a constant: printed where referenced.
    pub inline: bool,
    /// Attributes in written order (templates expanded, `NULL` dropped).
    pub attrs: Vec<Attr>,
    /// Span of the type name.
    pub span: Span,
}

impl Struct {
    /// The attribute called `name`, if written.
    pub fn get(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }

    /// The single value of `name`, if written.
    pub fn value(&self, name: &str) -> Option<&Val> {
        self.get(name).and_then(|a| a.values.first())
    }

    /// The values of `name` (empty when absent).
    pub fn values(&self, name: &str) -> &[Val] {
        self.get(name)
            .map(|a| a.values.as_slice())
            .unwrap_or_default()
    }

    /// The schema default of `name`.
    pub fn default_of(&self, name: &str) -> Dflt {
        self.def
            .and_then(|d| d.attr(name))
            .map(|a| a.default)
            .unwrap_or(Dflt::None)
    }

    /// Integer value of `name`, else its default.
    pub fn uint(&self, name: &str) -> Option<u32> {
        match self.value(name) {
            Some(Val::UInt(v)) => Some(*v),
            Some(_) => None,
            None => match self.default_of(name) {
                Dflt::Int(v) => Some(v),
                _ => None,
            },
        }
    }

    /// Boolean value of `name`, else its default (false when none).
    pub fn flag(&self, name: &str) -> bool {
        match self.value(name) {
            Some(Val::Bool(b)) => *b,
            _ => matches!(self.default_of(name), Dflt::Bool(true)),
        }
    }

    /// Identifier value of `name`, else its default.
    pub fn ident(&self, name: &str) -> Option<&str> {
        match self.value(name) {
            Some(Val::Ident(s)) => Some(s),
            Some(_) => None,
            None => match self.default_of(name) {
                Dflt::Ident(v) => Some(v),
                _ => None,
            },
        }
    }

    /// Effective value of `name` as text (written value, else default) for the table
    /// constraints: identifiers and strings as themselves, booleans as `TRUE`/`FALSE`.
    pub fn effective_text(&self, name: &str) -> Option<Cow<'_, str>> {
        let b = |b: bool| Cow::Borrowed(if b { "TRUE" } else { "FALSE" });
        match self.value(name) {
            Some(Val::Ident(s)) => Some(Cow::Borrowed(s)),
            Some(Val::Str(v)) => Some(String::from_utf8_lossy(v)),
            Some(Val::Bool(v)) => Some(b(*v)),
            Some(_) => None,
            None => match self.default_of(name) {
                Dflt::Ident(v) | Dflt::Str(v) => Some(Cow::Borrowed(v)),
                Dflt::Bool(v) => Some(b(v)),
                _ => None,
            },
        }
    }

    /// `Type name` or `Type` for messages.
    pub fn describe(&self) -> String {
        match &self.name {
            Some(n) => alloc::format!("{} {}", self.type_name, n),
            None => String::from(&*self.type_name),
        }
    }

    /// Canonical type name (aliases resolved).
    pub fn kind(&self) -> &str {
        self.def.map(|d| d.canonical()).unwrap_or(&self.type_name)
    }
}

/// A checked policy document.
#[derive(Clone, Debug, Default)]
pub struct Doc {
    /// Every structure, in the order their types appear in the file (pre-order).
    pub structs: Vec<Struct>,
    /// Structures printed at top level (top-level ones and named inline ones), file order.
    pub top: Vec<StructId>,
}

impl Doc {
    /// The structure `id`.
    pub fn get(&self, id: StructId) -> Option<&Struct> {
        self.structs.get(id.0 as usize)
    }

    /// A comparable form without spans and ids: top-level structures in canonical print order
    /// with references replaced by names (named targets) or by the nested structure (inline).
    pub fn normalized(&self) -> Vec<NormStruct> {
        crate::print::canonical_order(self)
            .into_iter()
            .map(|id| self.norm_struct(id, 0))
            .collect()
    }

    fn norm_struct(&self, id: StructId, depth: usize) -> NormStruct {
        let Some(s) = self.get(id) else {
            return NormStruct::default();
        };
        NormStruct {
            type_name: String::from(&*s.type_name),
            name: s.name.clone(),
            attrs: s
                .attrs
                .iter()
                .map(|a| {
                    (
                        String::from(&*a.name),
                        a.values.iter().map(|v| self.norm_val(v, depth)).collect(),
                    )
                })
                .collect(),
        }
    }

    fn norm_val(&self, v: &Val, depth: usize) -> NormVal {
        match v {
            Val::Ref(id) => match self.get(*id) {
                Some(t) if t.inline && depth < 64 => {
                    NormVal::Inline(alloc::boxed::Box::new(self.norm_struct(*id, depth + 1)))
                }
                Some(t) => NormVal::Name(t.name.clone().unwrap_or_default()),
                None => NormVal::Name(String::new()),
            },
            Val::Tuple(vs) => NormVal::Tuple(vs.iter().map(|v| self.norm_val(v, depth)).collect()),
            other => NormVal::Plain(other.clone()),
        }
    }
}

/// A structure in [`Doc::normalized`] form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NormStruct {
    /// Type name.
    pub type_name: String,
    /// Name.
    pub name: Option<String>,
    /// `(attribute, values)` in written order.
    pub attrs: Vec<(String, Vec<NormVal>)>,
}

/// A value in [`Doc::normalized`] form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NormVal {
    /// Any value that is not a reference or tuple.
    Plain(Val),
    /// Reference to a named structure.
    Name(String),
    /// Inline structure.
    Inline(alloc::boxed::Box<NormStruct>),
    /// Tuple.
    Tuple(Vec<NormVal>),
}
