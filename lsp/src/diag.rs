//! Diagnostics: byte spans, severities, stable codes, `FILE:LINE:COL` rendering.
//!
//! Every message the crate produces is a [`Diagnostic`] with a stable [`codes`] entry, so tests
//! and tools can match on the code instead of the text. Positions are byte spans into the
//! original input; [`LineIndex`] turns them into 1-based line and byte column (lsp.md §2.4 rule 5).
//! This module must not know anything about the LSP grammar or schema.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// A byte range `start..end` in the input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end` (byte offsets).
    pub const fn new(start: usize, end: usize) -> Self {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }
    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The policy is invalid.
    Error,
    /// The policy is valid but probably not what was meant.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One message about the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable code from [`codes`].
    pub code: &'static str,
    /// Human-readable text, hints included (`…; did you mean `CipherAlg`?`).
    pub message: String,
    /// Where.
    pub span: Span,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.severity, self.message)
    }
}

impl core::error::Error for Diagnostic {}

/// Stable diagnostic codes. `L` = lexical, `P` = syntax, `S` = semantic error, `W` = warning,
/// `C` = compat printing, `X` = resource limits.
pub mod codes {
    /// A string literal without its closing quote.
    pub const UNTERMINATED_STRING: &str = "L001";
    /// A `/*` comment without `*/`.
    pub const UNTERMINATED_COMMENT: &str = "L002";
    /// A byte that cannot start any token (non-ASCII or control outside strings, `;`, `'` …).
    pub const INVALID_CHARACTER: &str = "L003";
    /// `0x…` hexadecimal: LSP writes hex numbers as `1F4h`.
    pub const HEX_PREFIX: &str = "L004";
    /// A number above 4294967295.
    pub const INT_OVERFLOW: &str = "L005";
    /// A token that starts with a digit but is no number, address, date or time.
    pub const MALFORMED_NUMBER: &str = "L006";
    /// An IPv4 octet above 255.
    pub const IP_OCTET: &str = "L007";
    /// A date that is not a calendar date.
    pub const INVALID_DATE: &str = "L008";
    /// A time outside 00:00:00–23:59:59.
    pub const INVALID_TIME: &str = "L009";
    /// `*` not followed by `=`.
    pub const LONE_STAR: &str = "L010";
    /// A single `.` (ranges are `..`).
    pub const LONE_DOT: &str = "L011";
    /// A string literal longer than the limit.
    pub const STRING_TOO_LONG: &str = "L012";
    /// An identifier longer than the limit.
    pub const NAME_TOO_LONG: &str = "L013";

    /// A token where something else was expected.
    pub const UNEXPECTED_TOKEN: &str = "P001";
    /// `(` without its `)`.
    pub const UNCLOSED_PAREN: &str = "P002";
    /// A value list ending in `,`.
    pub const TRAILING_COMMA: &str = "P003";
    /// `NULL` used as a structure type.
    pub const NULL_TYPE: &str = "P004";
    /// A range whose ends are not two numbers, addresses, dates or times of the same kind.
    pub const BAD_RANGE: &str = "P005";
    /// Structures or tuples nested deeper than the limit.
    pub const TOO_DEEP: &str = "P006";
    /// `const` inside a structure body.
    pub const MISPLACED_CONST: &str = "P007";

    /// Unknown structure type (§4.2 rule 1).
    pub const UNKNOWN_STRUCTURE: &str = "S001";
    /// Unknown attribute (§4.2 rule 1).
    pub const UNKNOWN_ATTRIBUTE: &str = "S010";
    /// Attribute written twice in one structure (rule 2).
    pub const DUPLICATE_ATTRIBUTE: &str = "S011";
    /// Value of the wrong type (rule 3).
    pub const TYPE_MISMATCH: &str = "S012";
    /// Number or address outside the attribute's bounds (rule 3).
    pub const OUT_OF_RANGE: &str = "S013";
    /// Identifier that is not one of the attribute's enumeration values (rule 3).
    pub const NOT_IN_ENUM: &str = "S014";
    /// Range with `low > high`, or an empty time window (rule 3).
    pub const RANGE_ORDER: &str = "S015";
    /// A list (or `*=`) for a single-valued attribute (§3.3).
    pub const NOT_A_LIST: &str = "S016";
    /// Algorithm name unknown to the catalog, or of the wrong class (§5.8).
    pub const UNKNOWN_ALGORITHM: &str = "S017";
    /// Reference to a name that does not exist (rule 4).
    pub const DANGLING_REFERENCE: &str = "S020";
    /// Reference to a structure of a type not allowed here (rule 4).
    pub const WRONG_REFERENCE_TYPE: &str = "S021";
    /// Required attribute missing (rule 5).
    pub const MISSING_REQUIRED: &str = "S030";
    /// Singleton structure written twice (rule 5).
    pub const DUPLICATE_SINGLETON: &str = "S031";
    /// Singleton or anonymous-only structure given a name (rule 5).
    pub const NAMED_ANONYMOUS: &str = "S032";
    /// Structure that must be named written without a name.
    pub const UNNAMED_STRUCTURE: &str = "S033";
    /// Table cross-constraint violated (rule 6): `LessEq`, `AtMostOne`, `AtLeastOne`,
    /// `Require`, `Forbid`.
    pub const CONSTRAINT: &str = "S040";
    /// `ContainedProposals` element shape: AH first, ESP second, at most one of each, AH in
    /// parentheses (rule 6).
    pub const PROPOSAL_SHAPE: &str = "S041";
    /// A `FilterChain` mixing `Filter` and `FilteringRule` (rule 6).
    pub const MIXED_CHAIN: &str = "S042";
    /// A `Label` used twice in one chain (rule 6).
    pub const DUPLICATE_LABEL: &str = "S043";
    /// `JumpTo` whose label is missing or not after the jumping rule (rule 6).
    pub const BAD_JUMP: &str = "S044";
    /// A chain of the wrong kind used as firewall or IPsec policy (rule 6).
    pub const WRONG_CHAIN_KIND: &str = "S045";
    /// The same proposal twice in `ContainedProposals` (rule 6).
    pub const DUPLICATE_PROPOSAL: &str = "S046";
    /// International and TC26 proposals or algorithms mixed (rule 6).
    pub const SUITE_MIX: &str = "S048";
    /// `FallbackAction = NEGOTIATE` in tunnel mode without a peer address (rule 6).
    pub const NO_PEER: &str = "S049";
    /// AEAD cipher combined with an `IntegrityAlg` (rule 6).
    pub const AEAD_INTEGRITY: &str = "S047";
    /// Reference cycle (rule 7).
    pub const REFERENCE_CYCLE: &str = "S050";
    /// Template cycle (§3.3).
    pub const TEMPLATE_CYCLE: &str = "S051";
    /// Constant defined in terms of itself (§3.3).
    pub const CONST_CYCLE: &str = "S052";
    /// Name defined twice (§3.3).
    pub const DUPLICATE_NAME: &str = "S060";
    /// Template name that is not a structure, or not one of the same type (§3.3).
    pub const BAD_TEMPLATE: &str = "S061";
    /// A list constant used where one value is allowed, or a structure where a scalar is.
    pub const BAD_CONSTANT_USE: &str = "S062";
    /// A hex string (`KeyID`, `SerialNumber`) with a non-hex character.
    pub const NOT_HEX: &str = "S063";

    /// Named structure nobody references (rule 8).
    pub const UNUSED: &str = "W001";
    /// No `NetworkInterface` (rule 9).
    pub const NO_INTERFACE: &str = "W002";
    /// TC26 structure in a policy whose `Version` predates LSP_4_2.
    pub const VERSION_TOO_OLD: &str = "W003";
    /// Unknown name accepted in lenient mode.
    pub const LENIENT_UNKNOWN: &str = "W004";

    /// Compat printing refused a Zubr-only structure or attribute (§8.1).
    pub const COMPAT_ZUBR_ONLY: &str = "C001";

    /// Input larger than the file-size limit.
    pub const FILE_TOO_LARGE: &str = "X001";
    /// More tokens than the limit.
    pub const TOO_MANY_TOKENS: &str = "X002";
    /// A list longer than the limit.
    pub const LIST_TOO_LONG: &str = "X003";
    /// Templates or constants expand beyond the expansion budget.
    pub const EXPANSION_TOO_LARGE: &str = "X004";
    /// The error limit was reached; later errors are not reported.
    pub const TOO_MANY_ERRORS: &str = "X005";
    /// A checked document failed to compile: a bug in this crate, never the user's.
    pub const INTERNAL: &str = "X999";
}

/// Maps byte offsets to 1-based line and column (columns count bytes; a leading UTF-8 BOM is
/// not counted).
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<u32>,
    bom: u32,
}

impl LineIndex {
    /// Indexes `src`.
    pub fn new(src: &[u8]) -> Self {
        let bom = if src.starts_with(&[0xEF, 0xBB, 0xBF]) {
            3
        } else {
            0
        };
        let mut starts = Vec::new();
        starts.push(bom);
        for (i, &b) in src.iter().enumerate() {
            if b == b'\n' {
                starts.push(i as u32 + 1);
            }
        }
        LineIndex { starts, bom }
    }

    /// `(line, column)`, both 1-based, of byte `offset`.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        let offset = offset.max(self.bom);
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.starts.get(line).copied().unwrap_or(0);
        (line as u32 + 1, offset - start + 1)
    }
}

/// Renders diagnostics as `FILE:LINE:COL: error: message`, one per line.
pub fn render(diagnostics: &[Diagnostic], file: &str, src: &[u8]) -> String {
    let idx = LineIndex::new(src);
    let mut out = String::new();
    for d in diagnostics {
        let (l, c) = idx.line_col(d.span.start);
        out.push_str(&format!("{file}:{l}:{c}: {}: {}\n", d.severity, d.message));
    }
    out
}

/// Collects diagnostics and enforces the error and warning limits.
#[derive(Debug)]
pub(crate) struct Sink {
    pub(crate) diags: Vec<Diagnostic>,
    errors: usize,
    warnings: usize,
    max_errors: usize,
    max_warnings: usize,
    /// The error limit was hit: callers should stop.
    pub(crate) full: bool,
}

impl Sink {
    pub(crate) fn new(max_errors: usize, max_warnings: usize) -> Self {
        Sink {
            diags: Vec::new(),
            errors: 0,
            warnings: 0,
            max_errors: max_errors.max(1),
            max_warnings,
            full: false,
        }
    }

    pub(crate) fn error(&mut self, code: &'static str, span: Span, message: String) {
        if self.full {
            return;
        }
        self.errors += 1;
        self.diags.push(Diagnostic {
            severity: Severity::Error,
            code,
            message,
            span,
        });
        if self.errors >= self.max_errors {
            self.full = true;
            self.diags.push(Diagnostic {
                severity: Severity::Error,
                code: codes::TOO_MANY_ERRORS,
                message: format!("too many errors ({}); stopping here", self.errors),
                span,
            });
        }
    }

    pub(crate) fn warning(&mut self, code: &'static str, span: Span, message: String) {
        if self.full || self.warnings >= self.max_warnings {
            return;
        }
        self.warnings += 1;
        self.diags.push(Diagnostic {
            severity: Severity::Warning,
            code,
            message,
            span,
        });
    }

    pub(crate) fn error_count(&self) -> usize {
        self.errors
    }

    /// Diagnostics sorted by position (stable: same position keeps discovery order).
    pub(crate) fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.diags
            .sort_by_key(|d| (d.code == codes::TOO_MANY_ERRORS, d.span.start));
        self.diags
    }
}
