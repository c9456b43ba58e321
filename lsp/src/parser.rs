//! Recursive-descent parser: tokens → [`crate::cst`] (lsp.md §3.2), with error recovery.
//!
//! At most three tokens of look-ahead. Nesting of inline structures and tuples is bounded by
//! [`Limits::max_depth`]; deeper input is skipped iteratively (no recursion) after one error.
//! After a syntax error the parser resynchronises at the next attribute (`Ident =`) inside a
//! body, or at the next structure or `const` at top level, so one run reports several
//! independent mistakes. The parser is schema-free: it must not look at structure or
//! attribute names (beyond `NULL`, which can never be a type).

use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::Limits;
use crate::cst::{
    Const, File, Item, KeyValue, Member, Name, Object, Op, Scalar, ScalarKind, Value,
};
use crate::diag::{Sink, Span, codes};
use crate::lexer::{Lexer, Tok, Token, string_value};

pub(crate) struct Parser<'a, 's> {
    src: &'a [u8],
    lx: Lexer<'a>,
    buf: VecDeque<Token>,
    sink: &'s mut Sink,
    limits: Limits,
    depth: usize,
    objects: u32,
}

impl<'a, 's> Parser<'a, 's> {
    pub(crate) fn new(src: &'a [u8], limits: Limits, sink: &'s mut Sink) -> Self {
        Parser {
            src,
            lx: Lexer::new(src, limits),
            buf: VecDeque::with_capacity(4),
            sink,
            limits,
            depth: 0,
            objects: 0,
        }
    }

    fn peek(&mut self, i: usize) -> Token {
        while self.buf.len() <= i {
            let t = self.lx.next_token(self.sink);
            self.buf.push_back(t);
        }
        self.buf[i]
    }

    fn bump(&mut self) -> Token {
        let t = self.peek(0);
        if t.tok != Tok::Eof {
            self.buf.pop_front();
        }
        t
    }

    fn text(&self, span: Span) -> &'a str {
        let bytes = self
            .src
            .get(span.start as usize..span.end as usize)
            .unwrap_or_default();
        core::str::from_utf8(bytes).unwrap_or_default()
    }

    fn name(&self, t: Token) -> Name<'a> {
        Name {
            text: self.text(t.span),
            span: t.span,
        }
    }

    fn found(&self, t: Token) -> String {
        match t.tok {
            Tok::Ident => format!("`{}`", self.text(t.span)),
            Tok::Eof => String::from("end of file"),
            other => String::from(other.describe()),
        }
    }

    fn stop(&self) -> bool {
        self.sink.full
    }

    pub(crate) fn parse_file(mut self) -> File<'a> {
        let mut items = Vec::new();
        loop {
            if self.stop() {
                break;
            }
            let t = self.peek(0);
            match t.tok {
                Tok::Eof => break,
                Tok::Const => {
                    if let Some(c) = self.parse_const() {
                        items.push(Item::Const(c));
                    }
                }
                Tok::Ident => {
                    if let Some(o) = self.parse_object() {
                        items.push(Item::Object(o));
                    } else {
                        self.recover_top();
                    }
                }
                Tok::Error => {
                    self.bump();
                }
                _ => {
                    let f = self.found(t);
                    self.sink.error(
                        codes::UNEXPECTED_TOKEN,
                        t.span,
                        format!("expected a structure (`Type name( … )`) or `const`, found {f}"),
                    );
                    self.bump();
                    self.recover_top();
                }
            }
        }
        File {
            items,
            objects: self.objects,
        }
    }

    /// Skips to the next plausible top-level form: `const`, `Ident (` or `Ident Ident (` at
    /// parenthesis depth 0.
    fn recover_top(&mut self) {
        let mut depth = 0usize;
        loop {
            let t = self.peek(0);
            match t.tok {
                Tok::Eof => return,
                Tok::Const if depth == 0 => return,
                Tok::Ident if depth == 0 => {
                    let t1 = self.peek(1).tok;
                    if t1 == Tok::LParen || (t1 == Tok::Ident && self.peek(2).tok == Tok::LParen) {
                        return;
                    }
                }
                Tok::LParen => depth += 1,
                Tok::RParen => depth = depth.saturating_sub(1),
                _ => {}
            }
            self.bump();
        }
    }

    fn parse_const(&mut self) -> Option<Const<'a>> {
        let kw = self.bump();
        let t = self.peek(0);
        if t.tok != Tok::Ident {
            let msg = if t.tok == Tok::Const {
                String::from("`const` is a keyword and cannot be a name")
            } else {
                format!(
                    "expected a constant name after `const`, found {}",
                    self.found(t)
                )
            };
            self.sink.error(codes::UNEXPECTED_TOKEN, t.span, msg);
            self.bump();
            self.recover_top();
            return None;
        }
        self.bump();
        let name = self.name(t);
        let op = match self.peek(0).tok {
            Tok::Eq => Op::Eq,
            Tok::StarEq => Op::StarEq,
            _ => {
                let t = self.peek(0);
                let f = self.found(t);
                self.sink.error(
                    codes::UNEXPECTED_TOKEN,
                    t.span,
                    format!("expected `=` after `const {}`, found {f}", name.text),
                );
                self.recover_top();
                return None;
            }
        };
        self.bump();
        let values = self.parse_value_list()?;
        let end = values.last().map(|v| v.span()).unwrap_or(name.span);
        Some(Const {
            name,
            op,
            values,
            span: kw.span.to(end),
        })
    }

    /// `Type [name] ( members )`; the current token is the type identifier.
    fn parse_object(&mut self) -> Option<Object<'a>> {
        let ty_tok = self.bump();
        let ty = self.name(ty_tok);
        let id = self.objects;
        self.objects += 1;
        if ty.text == "NULL" {
            self.sink.error(
                codes::NULL_TYPE,
                ty.span,
                String::from("`NULL` cannot be used as a structure type"),
            );
        }
        let mut name = None;
        if self.peek(0).tok == Tok::Ident {
            let t = self.bump();
            name = Some(self.name(t));
        }
        let open = self.peek(0);
        if open.tok != Tok::LParen {
            let f = self.found(open);
            let after = name.map(|n| n.text).unwrap_or(ty.text);
            self.sink.error(
                codes::UNEXPECTED_TOKEN,
                open.span,
                format!("expected `(` after `{after}`, found {f}"),
            );
            return None;
        }
        self.bump();
        let mut members = Vec::new();
        loop {
            if self.stop() {
                break;
            }
            let t = self.peek(0);
            match t.tok {
                Tok::RParen => {
                    self.bump();
                    return Some(Object {
                        id,
                        ty,
                        name,
                        members,
                        span: ty.span.to(t.span),
                    });
                }
                Tok::Eof => {
                    self.sink.error(
                        codes::UNCLOSED_PAREN,
                        open.span,
                        format!(
                            "unclosed `(`: structure `{}` is not closed before the end of the file",
                            ty.text
                        ),
                    );
                    break;
                }
                Tok::Ident => {
                    let next = self.peek(1).tok;
                    match next {
                        Tok::Eq | Tok::StarEq => {
                            self.bump();
                            self.bump();
                            let key = self.name(t);
                            let op = if next == Tok::Eq { Op::Eq } else { Op::StarEq };
                            match self.parse_value_list() {
                                Some(values) => {
                                    let end = values.last().map(|v| v.span()).unwrap_or(key.span);
                                    members.push(Member::KeyValue(KeyValue {
                                        key,
                                        op,
                                        values,
                                        span: key.span.to(end),
                                    }));
                                }
                                None => self.recover_member(),
                            }
                        }
                        Tok::LParen => {
                            let paren = self.peek(1).span;
                            self.sink.error(
                                codes::UNEXPECTED_TOKEN,
                                paren,
                                format!(
                                    "unexpected `(` after `{}`: a structure cannot stand here \
                                     without an attribute (`Attr = {}( … )`)",
                                    self.text(t.span),
                                    self.text(t.span)
                                ),
                            );
                            self.bump();
                            self.recover_member();
                        }
                        _ => {
                            self.bump();
                            members.push(Member::Template(self.name(t)));
                        }
                    }
                }
                Tok::Error => {
                    self.bump();
                }
                Tok::Const => {
                    self.sink.error(
                        codes::MISPLACED_CONST,
                        t.span,
                        String::from("`const` is only allowed at top level"),
                    );
                    self.bump();
                    self.recover_member();
                }
                _ => {
                    let f = self.found(t);
                    self.sink.error(
                        codes::UNEXPECTED_TOKEN,
                        t.span,
                        format!("expected an attribute (`Name = value`) or `)`, found {f}"),
                    );
                    self.bump();
                    self.recover_member();
                }
            }
        }
        // Unclosed or stopped: keep what we have so the caller does not cascade.
        let end = self.peek(0).span;
        Some(Object {
            id,
            ty,
            name,
            members,
            span: ty.span.to(Span {
                start: end.start,
                end: end.start,
            }),
        })
    }

    /// Skips to the next `Ident =`/`Ident *=` or the `)` closing the current body.
    fn recover_member(&mut self) {
        let mut depth = 0usize;
        loop {
            let t = self.peek(0);
            match t.tok {
                Tok::Eof => return,
                Tok::RParen if depth == 0 => return,
                Tok::RParen => depth -= 1,
                Tok::LParen => depth += 1,
                Tok::Ident if depth == 0 && matches!(self.peek(1).tok, Tok::Eq | Tok::StarEq) => {
                    return;
                }
                _ => {}
            }
            self.bump();
        }
    }

    /// After an error inside a tuple: skips to and over the `)` that closes it.
    fn skip_group_rest(&mut self) {
        let mut depth = 0usize;
        loop {
            let t = self.peek(0);
            match t.tok {
                Tok::Eof => return,
                Tok::LParen => depth += 1,
                Tok::RParen if depth == 0 => {
                    self.bump();
                    return;
                }
                Tok::RParen => depth -= 1,
                _ => {}
            }
            self.bump();
        }
    }

    fn can_start_value(&mut self) -> bool {
        matches!(
            self.peek(0).tok,
            Tok::Ident
                | Tok::Str
                | Tok::Int(_)
                | Tok::Ip(_)
                | Tok::Date(_)
                | Tok::Time(_)
                | Tok::Error
                | Tok::LParen
        )
    }

    /// `Value { "," Value }`; `None` after a reported error.
    fn parse_value_list(&mut self) -> Option<Vec<Value<'a>>> {
        let mut values = Vec::new();
        let mut too_long = false;
        loop {
            if !self.can_start_value() {
                let t = self.peek(0);
                let f = self.found(t);
                if values.is_empty() {
                    self.sink.error(
                        codes::UNEXPECTED_TOKEN,
                        t.span,
                        format!("expected a value, found {f}"),
                    );
                } else {
                    self.sink.error(
                        codes::TRAILING_COMMA,
                        t.span,
                        format!("expected a value after `,`, found {f} (no trailing comma)"),
                    );
                }
                return None;
            }
            let v = self.parse_value()?;
            if values.len() >= self.limits.max_list_len {
                if !too_long {
                    too_long = true;
                    self.sink.error(
                        codes::LIST_TOO_LONG,
                        v.span(),
                        format!("list longer than the limit of {}", self.limits.max_list_len),
                    );
                }
            } else {
                values.push(v);
            }
            if self.peek(0).tok == Tok::Comma {
                self.bump();
            } else {
                return Some(values);
            }
        }
    }

    fn scalar(&self, t: Token) -> Scalar<'a> {
        let kind = match t.tok {
            Tok::Ident => ScalarKind::Ident(self.text(t.span)),
            Tok::Str => ScalarKind::Str(string_value(
                self.src
                    .get(t.span.start as usize..t.span.end as usize)
                    .unwrap_or_default(),
            )),
            Tok::Int(v) => ScalarKind::Int(v),
            Tok::Ip(v) => ScalarKind::Ip(v),
            Tok::Date(v) => ScalarKind::Date(v),
            Tok::Time(v) => ScalarKind::Time(v),
            _ => ScalarKind::Error,
        };
        Scalar { kind, span: t.span }
    }

    /// Enters one nesting level; on overflow reports, skips the balanced group starting at the
    /// current `(` (or at the `(` after an inline object's type), and returns false.
    fn enter(&mut self) -> bool {
        if self.depth < self.limits.max_depth {
            self.depth += 1;
            return true;
        }
        let t = self.peek(0);
        self.sink.error(
            codes::TOO_DEEP,
            t.span,
            format!(
                "structures and tuples nested deeper than {} levels",
                self.limits.max_depth
            ),
        );
        // Skip to the first `(`, then to its matching `)`.
        while !matches!(self.peek(0).tok, Tok::LParen | Tok::Eof) {
            self.bump();
        }
        let mut depth = 0usize;
        loop {
            let t = self.bump();
            match t.tok {
                Tok::LParen => depth += 1,
                Tok::RParen => {
                    depth -= 1;
                    if depth == 0 {
                        return false;
                    }
                }
                Tok::Eof => return false,
                _ => {}
            }
        }
    }

    fn parse_value(&mut self) -> Option<Value<'a>> {
        let t = self.peek(0);
        match t.tok {
            Tok::LParen => {
                if !self.enter() {
                    return Some(Value::Scalar(Scalar {
                        kind: ScalarKind::Error,
                        span: t.span,
                    }));
                }
                self.bump();
                let r = self.parse_value_list();
                self.depth -= 1;
                let Some(values) = r else {
                    self.skip_group_rest();
                    return None;
                };
                let close = self.peek(0);
                if close.tok != Tok::RParen {
                    let f = self.found(close);
                    self.sink.error(
                        codes::UNCLOSED_PAREN,
                        close.span,
                        format!("expected `)` to close the tuple, found {f}"),
                    );
                    self.skip_group_rest();
                    return None;
                }
                self.bump();
                Some(Value::Tuple(values, t.span.to(close.span)))
            }
            Tok::Ident
                if self.peek(1).tok == Tok::LParen
                    || (self.peek(1).tok == Tok::Ident && self.peek(2).tok == Tok::LParen) =>
            {
                if !self.enter() {
                    return Some(Value::Scalar(Scalar {
                        kind: ScalarKind::Error,
                        span: t.span,
                    }));
                }
                let o = self.parse_object();
                self.depth -= 1;
                o.map(|o| Value::Object(alloc::boxed::Box::new(o)))
            }
            Tok::Ident | Tok::Str | Tok::Int(_) | Tok::Ip(_) | Tok::Date(_) | Tok::Time(_) => {
                self.bump();
                let lo = self.scalar(t);
                if self.peek(0).tok != Tok::DotDot {
                    return Some(Value::Scalar(lo));
                }
                let dots = self.bump();
                let h = self.peek(0);
                let rangeable = |k: Tok| {
                    matches!(
                        k,
                        Tok::Int(_) | Tok::Ip(_) | Tok::Date(_) | Tok::Time(_) | Tok::Error
                    )
                };
                if !matches!(
                    h.tok,
                    Tok::Ident
                        | Tok::Str
                        | Tok::Int(_)
                        | Tok::Ip(_)
                        | Tok::Date(_)
                        | Tok::Time(_)
                        | Tok::Error
                ) {
                    let f = self.found(h);
                    self.sink.error(
                        codes::BAD_RANGE,
                        h.span,
                        format!("expected the upper end of the range after `..`, found {f}"),
                    );
                    return None;
                }
                self.bump();
                let hi = self.scalar(h);
                let same = core::mem::discriminant(&lo.kind) == core::mem::discriminant(&hi.kind);
                if !(rangeable(t.tok) && rangeable(h.tok)) {
                    self.sink.error(
                        codes::BAD_RANGE,
                        dots.span,
                        format!(
                            "a range joins two numbers, addresses, dates or times, not {} and {}",
                            lo.kind.describe(),
                            hi.kind.describe()
                        ),
                    );
                    return Some(Value::Scalar(Scalar {
                        kind: ScalarKind::Error,
                        span: lo.span.to(hi.span),
                    }));
                }
                if !same && t.tok != Tok::Error && h.tok != Tok::Error {
                    self.sink.error(
                        codes::BAD_RANGE,
                        dots.span,
                        format!(
                            "both ends of a range must be of the same kind, not {} and {}",
                            lo.kind.describe(),
                            hi.kind.describe()
                        ),
                    );
                    return Some(Value::Scalar(Scalar {
                        kind: ScalarKind::Error,
                        span: lo.span.to(hi.span),
                    }));
                }
                Some(Value::Range(lo, hi))
            }
            Tok::Error => {
                self.bump();
                // An error token may still be the start of a range (`1F4..2`): swallow it.
                if self.peek(0).tok == Tok::DotDot {
                    self.bump();
                    if !matches!(self.peek(0).tok, Tok::Comma | Tok::RParen | Tok::Eof) {
                        self.bump();
                    }
                }
                Some(Value::Scalar(self.scalar(t)))
            }
            _ => {
                let f = self.found(t);
                self.sink.error(
                    codes::UNEXPECTED_TOKEN,
                    t.span,
                    format!("expected a value, found {f}"),
                );
                None
            }
        }
    }
}

/// Parses `src` into a syntax tree; syntax errors go to the returned diagnostics.
pub fn parse(src: &[u8], limits: Limits) -> (File<'_>, Vec<crate::Diagnostic>) {
    let mut sink = Sink::new(limits.max_errors, limits.max_warnings);
    let file = parse_into(src, limits, &mut sink);
    (file, sink.into_sorted())
}

pub(crate) fn parse_into<'a>(src: &'a [u8], limits: Limits, sink: &mut Sink) -> File<'a> {
    if src.len() > limits.max_file_size {
        sink.error(
            codes::FILE_TOO_LARGE,
            Span::new(0, 0),
            format!(
                "file of {} bytes is larger than the limit of {} bytes",
                src.len(),
                limits.max_file_size
            ),
        );
        return File::default();
    }
    Parser::new(src, limits, sink).parse_file()
}
