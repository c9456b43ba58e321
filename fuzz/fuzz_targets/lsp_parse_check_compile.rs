//! Untrusted policy text through the whole LSP pipeline: parse, check, compile, print. Besides
//! "never panics", it checks the pipeline's own invariants: every diagnostic points inside the
//! input; a document that checks clean compiles; its canonical print checks clean, describes the
//! same document, compiles to the same policy and prints identically again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zubr_lsp::{Limits, Mode, Options, PrintMode, check, print};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, src)) = data.split_first() else { return };
    let opts = Options {
        mode: if mode & 1 == 0 { Mode::Strict } else { Mode::Lenient },
        limits: Limits {
            max_file_size: 64 << 10,
            max_errors: 20,
            ..Limits::default()
        },
        ..Options::default()
    };
    let c = check(src, &opts);
    for d in &c.diagnostics {
        assert!(d.span.start <= d.span.end && d.span.end as usize <= src.len(), "{d:?}");
    }
    let Some(doc) = &c.doc else {
        assert!(c.has_errors());
        return;
    };
    let policy = c.compile().expect("a checked document compiles");
    let _ = print(doc, PrintMode::Compat);
    let out = print(doc, PrintMode::Canonical).expect("canonical print");
    let c2 = check(&out, &Options { limits: Limits::default(), ..opts });
    assert!(!c2.has_errors(), "print does not check: {:?}", c2.diagnostics);
    let doc2 = c2.doc.as_ref().expect("doc");
    assert_eq!(doc.normalized(), doc2.normalized());
    assert_eq!(policy, c2.compile().expect("compile"));
    assert_eq!(print(doc2, PrintMode::Canonical).expect("print"), out);
});
