//! Lexer: bytes → tokens with byte spans (lsp.md §2).
//!
//! Hand-written (the token rules — assembler-style `1F4h`, `..` ending an address, identifiers
//! with `-` and `:` — fit no lexer generator without more code than this). Tokens are produced on
//! demand, so memory does not grow with the file. A bad token is reported once and returned as
//! [`Tok::Error`], which the parser accepts silently wherever a value may stand, so one typo gives
//! one message. The lexer must not know about structures or attributes.

use alloc::borrow::Cow;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::net::Ipv4Addr;

use crate::Limits;
use crate::diag::{Sink, Span, codes};
use crate::time::{Date, Time};

/// Token kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tok {
    /// Identifier (`IKERule`, `Moscow-16`, `_WWW_`); the text is the span.
    Ident,
    /// The keyword `const`.
    Const,
    /// String literal; decode the span with [`string_value`].
    Str,
    /// Unsigned 32-bit integer (decimal or `…h` hex).
    Int(u32),
    /// IPv4 address.
    Ip(Ipv4Addr),
    /// `YYYY.MM.DD`.
    Date(Date),
    /// `HH:MM[:SS]`.
    Time(Time),
    /// `..`
    DotDot,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `,`
    Comma,
    /// `=`
    Eq,
    /// `*=` (also `*` and `=` separated by whitespace)
    StarEq,
    /// A malformed token, already reported.
    Error,
    /// End of input.
    Eof,
}

impl Tok {
    /// How the token is named in messages.
    pub fn describe(self) -> &'static str {
        match self {
            Tok::Ident => "identifier",
            Tok::Const => "keyword `const`",
            Tok::Str => "string",
            Tok::Int(_) => "number",
            Tok::Ip(_) => "IP address",
            Tok::Date(_) => "date",
            Tok::Time(_) => "time",
            Tok::DotDot => "`..`",
            Tok::LParen => "`(`",
            Tok::RParen => "`)`",
            Tok::Comma => "`,`",
            Tok::Eq => "`=`",
            Tok::StarEq => "`*=`",
            Tok::Error => "invalid token",
            Tok::Eof => "end of file",
        }
    }
}

/// A token and where it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// Kind (and value for numbers, addresses, dates, times).
    pub tok: Tok,
    /// Bytes it covers.
    pub span: Span,
}

/// Identifier characters after the first (lsp.md §2.3).
pub fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'$' | b'-')
}

/// Characters that may start an identifier.
pub fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

/// The on-demand lexer (use [`tokenize`] from outside the crate).
pub(crate) struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    count: usize,
    limits: Limits,
    stopped: bool,
}

impl<'a> Lexer<'a> {
    /// A lexer over `src` (a leading UTF-8 BOM is skipped).
    pub(crate) fn new(src: &'a [u8], limits: Limits) -> Self {
        let pos = if src.starts_with(&[0xEF, 0xBB, 0xBF]) {
            3
        } else {
            0
        };
        Lexer {
            src,
            pos,
            count: 0,
            limits,
            stopped: false,
        }
    }

    fn peek_at(&self, i: usize) -> Option<u8> {
        self.src.get(self.pos + i).copied()
    }

    fn eof(&self) -> Token {
        Token {
            tok: Tok::Eof,
            span: Span::new(self.src.len(), self.src.len()),
        }
    }

    /// Skips whitespace and comments; reports an unterminated `/*`.
    fn skip_trivia(&mut self, sink: &mut Sink) {
        loop {
            match self.peek_at(0) {
                Some(b' ' | b'\t' | b'\r' | b'\n') => self.pos += 1,
                Some(b'#') => {
                    while let Some(b) = self.peek_at(0) {
                        if b == b'\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                Some(b'/') if self.peek_at(1) == Some(b'*') => {
                    let start = self.pos;
                    let body = &self.src[self.pos + 2..];
                    match body.windows(2).position(|w| w == b"*/") {
                        Some(i) => self.pos += 2 + i + 2,
                        None => {
                            sink.error(
                                codes::UNTERMINATED_COMMENT,
                                Span::new(start, start + 2),
                                String::from("unterminated comment: `/*` without `*/`"),
                            );
                            self.pos = self.src.len();
                        }
                    }
                }
                _ => return,
            }
        }
    }

    /// The next token; [`Tok::Eof`] forever at the end (or after the token limit).
    pub(crate) fn next_token(&mut self, sink: &mut Sink) -> Token {
        if self.stopped {
            return self.eof();
        }
        self.skip_trivia(sink);
        let Some(b) = self.peek_at(0) else {
            return self.eof();
        };
        self.count += 1;
        if self.count > self.limits.max_tokens {
            self.stopped = true;
            sink.error(
                codes::TOO_MANY_TOKENS,
                Span::new(self.pos, self.pos + 1),
                format!("more than {} tokens; stopping here", self.limits.max_tokens),
            );
            return self.eof();
        }
        let start = self.pos;
        let one = |lx: &mut Self, tok| {
            lx.pos += 1;
            Token {
                tok,
                span: Span::new(start, start + 1),
            }
        };
        match b {
            b'(' => one(self, Tok::LParen),
            b')' => one(self, Tok::RParen),
            b',' => one(self, Tok::Comma),
            b'=' => one(self, Tok::Eq),
            b'*' => self.star(sink),
            b'.' => {
                if self.peek_at(1) == Some(b'.') {
                    self.pos += 2;
                    Token {
                        tok: Tok::DotDot,
                        span: Span::new(start, start + 2),
                    }
                } else {
                    self.pos += 1;
                    sink.error(
                        codes::LONE_DOT,
                        Span::new(start, start + 1),
                        String::from("unexpected `.`; ranges are written with `..`"),
                    );
                    self.error_token(start)
                }
            }
            b'"' => self.string(sink),
            b'\'' => self.single_quoted(sink),
            b if is_ident_start(b) => self.ident(sink),
            b if b.is_ascii_digit() => self.number(sink),
            _ => self.invalid(sink),
        }
    }

    fn error_token(&self, start: usize) -> Token {
        Token {
            tok: Tok::Error,
            span: Span::new(start, self.pos),
        }
    }

    fn star(&mut self, sink: &mut Sink) -> Token {
        let start = self.pos;
        self.pos += 1;
        let mut j = self.pos;
        while matches!(self.src.get(j), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            j += 1;
        }
        if self.src.get(j) == Some(&b'=') {
            self.pos = j + 1;
            return Token {
                tok: Tok::StarEq,
                span: Span::new(start, self.pos),
            };
        }
        sink.error(
            codes::LONE_STAR,
            Span::new(start, start + 1),
            String::from("expected `=` after `*` (list attributes are written `Name *= a, b`)"),
        );
        self.error_token(start)
    }

    fn string(&mut self, sink: &mut Sink) -> Token {
        let start = self.pos;
        let mut i = self.pos + 1;
        let mut len = 0usize;
        loop {
            match self.src.get(i) {
                None => {
                    sink.error(
                        codes::UNTERMINATED_STRING,
                        Span::new(start, start + 1),
                        String::from("unterminated string: missing closing `\"`"),
                    );
                    self.pos = self.src.len();
                    return self.error_token(start);
                }
                Some(b'"') => {
                    i += 1;
                    break;
                }
                Some(b'\\') if matches!(self.src.get(i + 1), Some(b'"' | b'\\')) => i += 2,
                Some(_) => i += 1,
            }
            len += 1;
        }
        self.pos = i;
        if len > self.limits.max_string_len {
            sink.error(
                codes::STRING_TOO_LONG,
                Span::new(start, start + 1),
                format!(
                    "string of {len} bytes is longer than the limit of {}",
                    self.limits.max_string_len
                ),
            );
            return self.error_token(start);
        }
        Token {
            tok: Tok::Str,
            span: Span::new(start, i),
        }
    }

    fn single_quoted(&mut self, sink: &mut Sink) -> Token {
        let start = self.pos;
        let mut i = start + 1;
        while let Some(&b) = self.src.get(i) {
            i += 1;
            if b == b'\'' || b == b'\n' {
                break;
            }
        }
        self.pos = i;
        sink.error(
            codes::INVALID_CHARACTER,
            Span::new(start, start + 1),
            String::from("unexpected `'`; strings are written in double quotes: \"…\""),
        );
        self.error_token(start)
    }

    fn ident(&mut self, sink: &mut Sink) -> Token {
        let start = self.pos;
        while self.peek_at(0).is_some_and(is_ident_char) {
            self.pos += 1;
        }
        let text = &self.src[start..self.pos];
        if text.len() > self.limits.max_name_len {
            sink.error(
                codes::NAME_TOO_LONG,
                Span::new(start, start + 1),
                format!(
                    "identifier of {} characters is longer than the limit of {}",
                    text.len(),
                    self.limits.max_name_len
                ),
            );
            return self.error_token(start);
        }
        Token {
            tok: if text == b"const" {
                Tok::Const
            } else {
                Tok::Ident
            },
            span: Span::new(start, self.pos),
        }
    }

    fn invalid(&mut self, sink: &mut Sink) -> Token {
        let start = self.pos;
        let b = self.src[start];
        // Skip a whole UTF-8 sequence so one character gives one message.
        let mut end = start + 1;
        if matches!(b, b'-' | b'+') {
            // `-5`, `+1.2.3.4`: swallow the signed word so it yields one message.
            while end < self.src.len()
                && (is_ident_char(self.src[end])
                    || (self.src[end] == b'.' && self.src.get(end + 1) != Some(&b'.')))
            {
                end += 1;
            }
        }
        if b >= 0x80 {
            while end < self.src.len() && end - start < 4 && (self.src[end] & 0xC0) == 0x80 {
                end += 1;
            }
        }
        self.pos = end;
        let msg = match b {
            b'-' | b'+' => format!(
                "unexpected `{}`; numbers have no sign and there is no arithmetic",
                b as char
            ),
            b';' => String::from("unexpected `;`; LSP has no statement terminators"),
            b'{' | b'}' | b'[' | b']' => format!(
                "unexpected `{}`; structures are written `Type name( … )`",
                b as char
            ),
            b'/' => {
                String::from("unexpected `/`; subnets are written as ranges: a.b.c.0..a.b.c.255")
            }
            0x20..=0x7e => format!("unexpected character `{}`", b as char),
            _ if b >= 0x80 => String::from(
                "non-ASCII character outside a string; only strings may hold such text",
            ),
            _ => format!("unexpected control character 0x{b:02X}"),
        };
        sink.error(codes::INVALID_CHARACTER, Span::new(start, end), msg);
        self.error_token(start)
    }

    fn number(&mut self, sink: &mut Sink) -> Token {
        let start = self.pos;
        // The number word: identifier characters and single dots; `..` ends it (§2.4 rule 3).
        let mut i = start;
        while let Some(&b) = self.src.get(i) {
            if is_ident_char(b) || (b == b'.' && self.src.get(i + 1) != Some(&b'.')) {
                i += 1;
            } else {
                break;
            }
        }
        self.pos = i;
        let word = &self.src[start..i];
        let span = Span::new(start, i);
        match classify_number(word) {
            Ok(tok) => Token { tok, span },
            Err((code, msg)) => {
                sink.error(code, span, msg);
                Token {
                    tok: Tok::Error,
                    span,
                }
            }
        }
    }
}

fn word_text(w: &[u8]) -> String {
    String::from_utf8_lossy(w).into_owned()
}

fn parse_dec(d: &[u8]) -> Option<u64> {
    if d.is_empty() || d.len() > 10 || !d.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(d.iter().fold(0u64, |a, &b| a * 10 + u64::from(b - b'0')))
}

/// Splits `w` at `sep` into at most `N` parts; `None` when there are more (no allocation: this
/// runs for every number, address, date and time of the file).
fn split_fixed<const N: usize>(w: &[u8], sep: u8) -> Option<([&[u8]; N], usize)> {
    let mut parts: [&[u8]; N] = [&[]; N];
    let mut n = 0;
    for p in w.split(|&b| b == sep) {
        *parts.get_mut(n)? = p;
        n += 1;
    }
    Some((parts, n))
}

/// Classifies a number word (starts with a digit) per lsp.md §2.4 rule 2.
fn classify_number(w: &[u8]) -> Result<Tok, (&'static str, String)> {
    let text = || word_text(w);
    if w.iter().all(u8::is_ascii_digit) {
        // Plain decimal.
        let mut v: u64 = 0;
        for &b in w {
            v = v * 10 + u64::from(b - b'0');
            if v > u64::from(u32::MAX) {
                return Err((
                    codes::INT_OVERFLOW,
                    format!(
                        "number `{}` does not fit in 32 bits (max 4294967295)",
                        text()
                    ),
                ));
            }
        }
        return Ok(Tok::Int(v as u32));
    }
    if w.len() > 1 && matches!(w[1], b'x' | b'X') && w[0] == b'0' {
        let t = text();
        let digits = &t[2..];
        let fix = if digits.starts_with(|c: char| c.is_ascii_digit()) {
            format!("{digits}h")
        } else {
            format!("0{digits}h")
        };
        return Err((
            codes::HEX_PREFIX,
            format!("`{t}`: no `0x` prefix in LSP; hex numbers end in h: {fix}"),
        ));
    }
    if let Some((&last, body)) = w.split_last()
        && matches!(last, b'h' | b'H')
        && !body.is_empty()
        && body.iter().all(u8::is_ascii_hexdigit)
    {
        let mut v: u64 = 0;
        for &b in body {
            let d = (b as char).to_digit(16).unwrap_or(0);
            v = v * 16 + u64::from(d);
            if v > u64::from(u32::MAX) {
                return Err((
                    codes::INT_OVERFLOW,
                    format!(
                        "number `{}` does not fit in 32 bits (max 0FFFFFFFFh)",
                        text()
                    ),
                ));
            }
        }
        return Ok(Tok::Int(v as u32));
    }
    if w.contains(&b':') {
        if let Some((parts, n)) = split_fixed::<3>(w, b':')
            && n >= 2
            && parts[..n].iter().all(|p| p.len() == 2)
        {
            let h = parse_dec(parts[0]);
            let m = parse_dec(parts[1]);
            let sec = if n == 3 { parse_dec(parts[2]) } else { Some(0) };
            if let (Some(h), Some(m), Some(sec)) = (h, m, sec) {
                return match Time::new(h as u32, m as u32, sec as u32) {
                    Some(t) => Ok(Tok::Time(t)),
                    None => Err((
                        codes::INVALID_TIME,
                        format!("invalid time `{}`: expected 00:00 to 23:59:59", text()),
                    )),
                };
            }
        }
        return Err((
            codes::MALFORMED_NUMBER,
            format!(
                "malformed time `{}`: times are written HH:MM or HH:MM:SS",
                text()
            ),
        ));
    }
    if w.contains(&b'.') {
        if let Some((parts, n)) = split_fixed::<4>(w, b'.') {
            if n == 4 && parts.iter().all(|p| p.len() <= 3 && parse_dec(p).is_some()) {
                let mut o = [0u8; 4];
                for (k, p) in parts.iter().enumerate() {
                    let v = parse_dec(p).unwrap_or(0);
                    if v > 255 {
                        return Err((
                            codes::IP_OCTET,
                            format!("invalid IP address `{}`: octet {v} is above 255", text()),
                        ));
                    }
                    o[k] = v as u8;
                }
                return Ok(Tok::Ip(Ipv4Addr::from(o)));
            }
            if n == 3
                && parts[0].len() == 4
                && parts[1].len() == 2
                && parts[2].len() == 2
                && let (Some(y), Some(m), Some(d)) = (
                    parse_dec(parts[0]),
                    parse_dec(parts[1]),
                    parse_dec(parts[2]),
                )
            {
                return match Date::new(y as u32, m as u32, d as u32) {
                    Some(dt) => Ok(Tok::Date(dt)),
                    None => Err((
                        codes::INVALID_DATE,
                        format!("invalid date `{}`: no such day in the calendar", text()),
                    )),
                };
            }
        }
        return Err((
            codes::MALFORMED_NUMBER,
            format!(
                "malformed number `{}`: expected an IP address (a.b.c.d), a date \
                 (YYYY.MM.DD) or a number",
                text()
            ),
        ));
    }
    if w.iter().all(u8::is_ascii_hexdigit) {
        let t = text();
        return Err((
            codes::MALFORMED_NUMBER,
            format!("malformed number `{t}`; hex numbers end in h: {t}h"),
        ));
    }
    Err((
        codes::MALFORMED_NUMBER,
        format!(
            "malformed number `{}`; identifiers must start with a letter or `_`",
            text()
        ),
    ))
}

/// Decodes a string token's span (quotes included): `\"` → `"`, `\\` → `\`, any other `\` is
/// kept (lsp.md §2.3). Borrowed when there is nothing to unescape.
pub fn string_value(raw: &[u8]) -> Cow<'_, [u8]> {
    let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default();
    if !inner.contains(&b'\\') {
        return Cow::Borrowed(inner);
    }
    let mut out = Vec::with_capacity(inner.len());
    let mut i = 0;
    while let Some(&b) = inner.get(i) {
        if b == b'\\'
            && let Some(&n @ (b'"' | b'\\')) = inner.get(i + 1)
        {
            out.push(n);
            i += 2;
            continue;
        }
        out.push(b);
        i += 1;
    }
    Cow::Owned(out)
}

/// All tokens of `src` (for tests and tools); stops at the first [`Tok::Eof`].
pub fn tokenize(src: &[u8], limits: Limits) -> (Vec<Token>, Vec<crate::Diagnostic>) {
    let mut sink = Sink::new(limits.max_errors, limits.max_warnings);
    let mut lx = Lexer::new(src, limits);
    let mut out = Vec::new();
    loop {
        let t = lx.next_token(&mut sink);
        if t.tok == Tok::Eof {
            break;
        }
        out.push(t);
    }
    (out, sink.into_sorted())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        let (t, d) = tokenize(s.as_bytes(), Limits::default());
        assert!(d.is_empty(), "{d:?}");
        t.into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn numbers_addresses_ranges() {
        assert_eq!(
            toks("500 1F4h 0FFFFFFFFh 10H"),
            [
                Tok::Int(500),
                Tok::Int(500),
                Tok::Int(u32::MAX),
                Tok::Int(16)
            ]
        );
        assert_eq!(
            toks("10.0.0.1..10.0.0.255"),
            [
                Tok::Ip(Ipv4Addr::new(10, 0, 0, 1)),
                Tok::DotDot,
                Tok::Ip(Ipv4Addr::new(10, 0, 0, 255))
            ]
        );
        assert_eq!(toks("1..1024"), [Tok::Int(1), Tok::DotDot, Tok::Int(1024)]);
        let t = |h, m, s| Tok::Time(Time::new(h, m, s).unwrap());
        assert_eq!(
            toks("08:00..18:00:30"),
            [t(8, 0, 0), Tok::DotDot, t(18, 0, 30)]
        );
        assert_eq!(
            toks("2025.01.31"),
            [Tok::Date(Date::new(2025, 1, 31).unwrap())]
        );
    }

    #[test]
    fn identifiers_and_punctuation() {
        assert_eq!(
            toks("Moscow-16 _WWW_ a:b$c const"),
            [Tok::Ident, Tok::Ident, Tok::Ident, Tok::Const]
        );
        assert_eq!(
            toks("( ) , = *= * \r\n ="),
            [
                Tok::LParen,
                Tok::RParen,
                Tok::Comma,
                Tok::Eq,
                Tok::StarEq,
                Tok::StarEq
            ]
        );
        assert_eq!(
            toks("\u{feff}# c\nA /* x\n y */ B"),
            [Tok::Ident, Tok::Ident]
        );
    }

    #[test]
    fn strings_unescape() {
        let src = br#""a\"b\\c\d""#;
        let (t, d) = tokenize(src, Limits::default());
        assert!(d.is_empty());
        assert_eq!(t.len(), 1);
        assert_eq!(&*string_value(src), b"a\"b\\c\\d");
    }
}
