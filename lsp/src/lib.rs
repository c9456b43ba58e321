//! # zubr-lsp — the LSP policy language of S-Terra / Bel VPN Client
//!
//! An LSP (Local Security Policy) file describes a host's whole VPN and firewall policy: IKE
//! rules, IPsec actions and proposals, firewall and IPsec filter chains, schedules, interfaces
//! and global parameters (`shared/spec/lsp.md`). This crate turns such text into a typed
//! [`Policy`], or into precise diagnostics, and prints it back in canonical form.
//!
//! ```text
//! bytes ─lexer─▶ tokens ─parser─▶ cst::File ─check (schema table)─▶ Doc ─compile─▶ Policy
//!                                                                    └─print─▶ canonical text
//! ```
//!
//! * [`lexer`], [`parser`], [`cst`] — lexical syntax (§2) and grammar (§3), schema-free.
//! * [`schema`] — every structure and attribute of §5 as a data table; the checker and printer
//!   are driven by it, so a name from a real S-Terra file is a one-line addition.
//! * [`mod@check`] — the rules of §4.2: names, types, bounds, references, required attributes,
//!   cross-constraints, cycles, unused structures; templates and constants are expanded here.
//! * [`catalog`] — algorithm names (§5.8) behind a trait the host can implement.
//! * [`mod@print`] — canonical (`lsp_mgr show`) and compat printing (§8).
//! * [`policy`] / [`mod@compile`] — the typed policy model that ike/, esp/ and filter/ consume.
//! * [`diag`] — spans, codes and `FILE:LINE:COL: error: message` rendering.
//!
//! Untrusted input never panics: nesting depth, file size, token count, string and name length,
//! list length, template/constant expansion and the number of errors are all bounded by
//! [`Limits`], and every violation is an ordinary diagnostic.
//!
//! ```
//! let src = b"GlobalParameters ( Title = \"x\" )\nNetworkInterface ( LogicalName = \"eth0\" )\n";
//! let checked = zubr_lsp::check(src, &zubr_lsp::Options::default());
//! assert!(!checked.has_errors());
//! let policy = checked.compile().unwrap();
//! assert_eq!(policy.interfaces[0].logical_name, "eth0");
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![warn(
    clippy::std_instead_of_core,
    clippy::alloc_instead_of_core,
    clippy::std_instead_of_alloc
)]

#[cfg(not(feature = "alloc"))]
compile_error!("zubr-lsp needs the `alloc` feature");

extern crate alloc;

pub mod catalog;
pub mod check;
pub mod compile;
pub mod cst;
pub mod diag;
pub mod doc;
pub mod lexer;
pub mod parser;
pub mod policy;
pub mod print;
pub mod schema;
mod suggest;
pub mod time;

use alloc::vec::Vec;

pub use catalog::{AlgorithmCatalog, DEFAULT_CATALOG};
pub use check::check;
pub use compile::{CompileError, compile};
pub use diag::{Diagnostic, LineIndex, Severity, Span, codes, render};
pub use doc::Doc;
pub use parser::parse;
pub use policy::Policy;
pub use print::{PrintMode, print};

/// Resource limits for hostile input (lsp.md §9.4). Every limit violation is an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest input in bytes (default 1 MiB).
    pub max_file_size: usize,
    /// Deepest nesting of inline structures and tuples, templates and constants (default 32).
    pub max_depth: usize,
    /// Longest string literal in bytes (default 64 KiB).
    pub max_string_len: usize,
    /// Longest identifier (default 256).
    pub max_name_len: usize,
    /// Most tokens (default 2^20).
    pub max_tokens: usize,
    /// Longest value list (default 65536).
    pub max_list_len: usize,
    /// Budget, in bytes of source text, for what templates and constants may copy (default
    /// 16 MiB): bounds memory and printed size however the file nests them.
    pub max_expansion: usize,
    /// Errors reported before stopping (default 50).
    pub max_errors: usize,
    /// Warnings reported (default 100; further ones are dropped).
    pub max_warnings: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: 1 << 20,
            max_depth: 32,
            max_string_len: 64 << 10,
            max_name_len: 256,
            max_tokens: 1 << 20,
            max_list_len: 65536,
            max_expansion: 16 << 20,
            max_errors: 50,
            max_warnings: 100,
        }
    }
}

/// Strict or lenient treatment of unknown names (lsp.md §9.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// Unknown structure types and attributes are errors (the default, as `lsp_mgr check`).
    #[default]
    Strict,
    /// Unknown names are warnings; they are kept and printed back, and ignored by the compiler.
    Lenient,
}

/// How to check.
#[derive(Clone, Copy)]
pub struct Options<'c> {
    /// Strict or lenient.
    pub mode: Mode,
    /// Resource limits.
    pub limits: Limits,
    /// Algorithm names accepted.
    pub catalog: &'c dyn AlgorithmCatalog,
}

impl Default for Options<'static> {
    fn default() -> Self {
        Options {
            mode: Mode::Strict,
            limits: Limits::default(),
            catalog: &DEFAULT_CATALOG,
        }
    }
}

impl core::fmt::Debug for Options<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Options")
            .field("mode", &self.mode)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// The result of [`check()`]: the document when there is no error, and every diagnostic sorted by
/// position.
#[derive(Clone, Debug)]
pub struct Checked {
    /// The checked document; `None` when any error was found.
    pub doc: Option<Doc>,
    /// Errors and warnings in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    /// Any error?
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    /// The errors.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
    }

    /// Compiles the document; `Err` with the diagnostics when the file had errors.
    pub fn compile(&self) -> Result<Policy, Vec<Diagnostic>> {
        match &self.doc {
            Some(doc) => compile(doc).map_err(|e| {
                alloc::vec![Diagnostic {
                    severity: Severity::Error,
                    code: codes::INTERNAL,
                    message: alloc::format!("internal compiler error: {e}"),
                    span: Span::default(),
                }]
            }),
            None => Err(self.errors().cloned().collect()),
        }
    }
}
