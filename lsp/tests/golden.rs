//! Printer golden tests (lsp.md §8): every `tests/golden/NAME.lsp` prints exactly as
//! `NAME.out` (canonical) and `NAME.compat` (compat mode: the print, or the refusal listing).
//! Each output must itself check clean and print unchanged (idempotence).
//! `ZUBR_BLESS=1 cargo test -p zubr-lsp --test golden` rewrites the expected files; review the diff.

use std::path::{Path, PathBuf};

use zubr_lsp::{Mode, Options, PrintMode, check, print, render};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn options(name: &str) -> Options<'static> {
    Options {
        mode: if name.starts_with("lenient") {
            Mode::Lenient
        } else {
            Mode::Strict
        },
        ..Options::default()
    }
}

fn expect(path: &Path, got: &[u8]) {
    if std::env::var_os("ZUBR_BLESS").is_some() {
        std::fs::write(path, got).expect("bless");
        return;
    }
    let want = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        String::from_utf8_lossy(got),
        String::from_utf8_lossy(&want),
        "{}",
        path.display()
    );
    assert_eq!(got, &want[..], "{} (bytes)", path.display());
}

#[test]
fn golden_files() {
    let mut n = 0;
    let mut entries: Vec<_> = std::fs::read_dir(dir())
        .expect("golden dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().and_then(|x| x.to_str()) == Some("lsp"))
        .collect();
    entries.sort();
    for path in entries {
        n += 1;
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let opts = options(&name);
        let src = std::fs::read(&path).expect("read");
        let c = check(&src, &opts);
        assert!(
            !c.has_errors(),
            "{}",
            render(&c.diagnostics, &path.display().to_string(), &src)
        );
        let doc = c.doc.as_ref().unwrap();
        let out = print(doc, PrintMode::Canonical).expect("canonical print");
        expect(&path.with_extension("out"), &out);
        // The print checks clean, compiles to the same policy and prints unchanged.
        let c2 = check(&out, &opts);
        assert!(!c2.has_errors(), "{}", render(&c2.diagnostics, "out", &out));
        let doc2 = c2.doc.as_ref().unwrap();
        assert_eq!(
            print(doc2, PrintMode::Canonical).unwrap(),
            out,
            "{name}: idempotence"
        );
        assert_eq!(
            doc.normalized(),
            doc2.normalized(),
            "{name}: documents differ"
        );
        assert_eq!(
            c.compile().unwrap(),
            c2.compile().unwrap(),
            "{name}: policies differ"
        );
        let compat = match print(doc, PrintMode::Compat) {
            Ok(text) => text,
            Err(d) => render(&d, &format!("{name}.lsp"), &src).into_bytes(),
        };
        expect(&path.with_extension("compat"), &compat);
    }
    assert!(n >= 6);
}

#[test]
fn spec_examples_compat() {
    // The seed's sample uses only verified names: compat printing is identical to canonical.
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/spec/lsp-examples/00-lsp-mgr-show-sample.lsp");
    let src = std::fs::read(path).expect("read");
    let c = check(&src, &Options::default());
    let doc = c.doc.unwrap();
    assert_eq!(print(&doc, PrintMode::Compat).unwrap(), src);
}
