//! Helpers shared by the integration tests: run the checker and locate diagnostics.
#![allow(dead_code)]

use zubr_lsp::{Checked, Diagnostic, Limits, LineIndex, Mode, Options, Severity, check};

/// Checks with default options.
pub fn run(src: &str) -> Checked {
    check(src.as_bytes(), &Options::default())
}

/// Checks with custom limits.
pub fn run_limits(src: &str, limits: Limits) -> Checked {
    check(
        src.as_bytes(),
        &Options {
            limits,
            ..Options::default()
        },
    )
}

/// Checks in lenient mode.
pub fn run_lenient(src: &str) -> Checked {
    check(
        src.as_bytes(),
        &Options {
            mode: Mode::Lenient,
            ..Options::default()
        },
    )
}

/// `(line, column)` of a diagnostic.
pub fn pos(src: &str, d: &Diagnostic) -> (u32, u32) {
    LineIndex::new(src.as_bytes()).line_col(d.span.start)
}

fn listing(src: &str, c: &Checked) -> String {
    zubr_lsp::render(&c.diagnostics, "t.lsp", src.as_bytes())
}

/// The only diagnostic with `code`; asserts its position and returns its message.
pub fn at(c: &Checked, src: &str, code: &str, line: u32, col: u32) -> String {
    let found: Vec<&Diagnostic> = c.diagnostics.iter().filter(|d| d.code == code).collect();
    assert_eq!(found.len(), 1, "want one {code}:\n{}", listing(src, c));
    assert_eq!(
        pos(src, found[0]),
        (line, col),
        "{code} position:\n{}",
        listing(src, c)
    );
    found[0].message.clone()
}

/// Asserts that `src` has exactly one error, with `code`, at `line:col`; returns its message.
pub fn only_error(src: &str, code: &str, line: u32, col: u32) -> String {
    let c = run(src);
    only_error_in(&c, src, code, line, col)
}

/// As [`only_error`] for an already checked source.
pub fn only_error_in(c: &Checked, src: &str, code: &str, line: u32, col: u32) -> String {
    let errors: Vec<&Diagnostic> = c.errors().collect();
    assert_eq!(
        errors.len(),
        1,
        "want exactly one error:\n{}",
        listing(src, c)
    );
    assert_eq!(errors[0].code, code, "{}", listing(src, c));
    assert_eq!(pos(src, errors[0]), (line, col), "{}", listing(src, c));
    errors[0].message.clone()
}

/// Asserts the source checks without errors; returns the checked result.
pub fn clean(src: &str) -> Checked {
    let c = run(src);
    assert!(!c.has_errors(), "{}", listing(src, &c));
    c
}

/// Number of errors.
pub fn error_count(c: &Checked) -> usize {
    c.diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count()
}
