//! The concrete syntax tree: what the parser builds (lsp.md §3.2), schema-free.
//!
//! Nodes borrow identifiers from the input and keep every span. Templates and constants are
//! kept as written; [`mod@crate::check`] resolves them. Nothing here knows which structures or
//! attributes exist.

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::net::Ipv4Addr;

use crate::diag::Span;
use crate::time::{Date, Time};

/// A parsed file.
#[derive(Clone, Debug, Default)]
pub struct File<'a> {
    /// Top-level forms in source order.
    pub items: Vec<Item<'a>>,
    /// Number of [`Object`]s in the file, inline ones included (ids are `0..objects`).
    pub objects: u32,
}

/// A top-level form.
#[derive(Clone, Debug)]
pub enum Item<'a> {
    /// `const NAME = values`
    Const(Const<'a>),
    /// `Type [name]( … )`
    Object(Object<'a>),
}

/// An identifier and its span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Name<'a> {
    /// The identifier text.
    pub text: &'a str,
    /// Where it is.
    pub span: Span,
}

/// `=` or `*=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `=`
    Eq,
    /// `*=`
    StarEq,
}

/// `const NAME = values`.
#[derive(Clone, Debug)]
pub struct Const<'a> {
    /// The constant's name.
    pub name: Name<'a>,
    /// `=` or `*=`.
    pub op: Op,
    /// Its values.
    pub values: Vec<Value<'a>>,
    /// The whole form.
    pub span: Span,
}

/// A structure, top-level or inline.
#[derive(Clone, Debug)]
pub struct Object<'a> {
    /// Pre-order number of this object in the file (0-based).
    pub id: u32,
    /// Structure type.
    pub ty: Name<'a>,
    /// Name, if written.
    pub name: Option<Name<'a>>,
    /// Members in written order.
    pub members: Vec<Member<'a>>,
    /// From the type to the closing parenthesis.
    pub span: Span,
}

/// A member of a structure body.
#[derive(Clone, Debug)]
pub enum Member<'a> {
    /// `Attr = values` / `Attr *= values`
    KeyValue(KeyValue<'a>),
    /// A bare identifier: a template (lsp.md §3.3).
    Template(Name<'a>),
}

/// `Attr = values`.
#[derive(Clone, Debug)]
pub struct KeyValue<'a> {
    /// Attribute name.
    pub key: Name<'a>,
    /// `=` or `*=`.
    pub op: Op,
    /// The comma-separated values.
    pub values: Vec<Value<'a>>,
    /// From the name to the last value.
    pub span: Span,
}

/// A value.
#[derive(Clone, Debug)]
pub enum Value<'a> {
    /// A single token.
    Scalar(Scalar<'a>),
    /// `low..high`
    Range(Scalar<'a>, Scalar<'a>),
    /// An inline structure.
    Object(Box<Object<'a>>),
    /// `( values )`
    Tuple(Vec<Value<'a>>, Span),
}

impl Value<'_> {
    /// Where the value is.
    pub fn span(&self) -> Span {
        match self {
            Value::Scalar(s) => s.span,
            Value::Range(a, b) => a.span.to(b.span),
            Value::Object(o) => o.span,
            Value::Tuple(_, s) => *s,
        }
    }
}

/// A one-token value.
#[derive(Clone, Debug)]
pub struct Scalar<'a> {
    /// What it is.
    pub kind: ScalarKind<'a>,
    /// Where.
    pub span: Span,
}

/// The kinds of one-token values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScalarKind<'a> {
    /// Identifier: enumeration value, `TRUE`/`FALSE`, `NULL`, reference or constant.
    Ident(&'a str),
    /// String contents, unescaped.
    Str(Cow<'a, [u8]>),
    /// Integer.
    Int(u32),
    /// IPv4 address.
    Ip(Ipv4Addr),
    /// Date.
    Date(Date),
    /// Time.
    Time(Time),
    /// A token the lexer already reported.
    Error,
}

impl ScalarKind<'_> {
    /// How this kind is named in messages.
    pub fn describe(&self) -> &'static str {
        match self {
            ScalarKind::Ident(_) => "identifier",
            ScalarKind::Str(_) => "string",
            ScalarKind::Int(_) => "number",
            ScalarKind::Ip(_) => "IP address",
            ScalarKind::Date(_) => "date",
            ScalarKind::Time(_) => "time",
            ScalarKind::Error => "invalid token",
        }
    }
}
