//! Every file of shared/spec/lsp-examples checks clean with the warnings lsp.md §10 announces,
//! compiles, and prints back byte for byte (the examples are written in canonical style).

use std::path::PathBuf;

use zubr_lsp::{Options, PrintMode, Severity, check, codes, print, render};

fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/spec/lsp-examples")
}

fn load(name: &str) -> Vec<u8> {
    std::fs::read(examples_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn all_examples_check_clean() {
    let mut n = 0;
    for e in std::fs::read_dir(examples_dir()).expect("examples dir") {
        let path = e.expect("entry").path();
        if path.extension().and_then(|x| x.to_str()) != Some("lsp") {
            continue;
        }
        n += 1;
        let src = std::fs::read(&path).expect("read");
        let c = check(&src, &Options::default());
        let shown = render(&c.diagnostics, &path.display().to_string(), &src);
        assert!(!c.has_errors(), "{shown}");
        c.compile().unwrap_or_else(|e| panic!("{e:?}"));
        let printed = print(c.doc.as_ref().unwrap(), PrintMode::Canonical).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&printed),
            String::from_utf8_lossy(&src),
            "{} is not in canonical form",
            path.display()
        );
    }
    assert_eq!(n, 5);
}

#[test]
fn example_00_has_exactly_the_two_announced_warnings() {
    let src = load("00-lsp-mgr-show-sample.lsp");
    let c = check(&src, &Options::default());
    let w: Vec<_> = c.diagnostics.iter().collect();
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(w.iter().all(|d| d.severity == Severity::Warning));
    let text = render(&c.diagnostics, "00.lsp", &src);
    assert_eq!(
        text,
        "00.lsp:1:1: warning: policy binds no interface (no NetworkInterface): all traffic passes in clear\n\
         00.lsp:16:21: warning: `AuthMethodPreshared auth_method_01` is never used (not reachable from any NetworkInterface, IKERule or global structure)\n"
    );
    assert_eq!(w[0].code, codes::NO_INTERFACE);
    assert_eq!(w[1].code, codes::UNUSED);
}

#[test]
fn examples_01_to_04_have_no_warnings() {
    for f in [
        "01-psk-gost-client.lsp",
        "02-cert-aes-sha-client.lsp",
        "03-firewall-schedule-stateful.lsp",
        "04-psk-gost-gateway.lsp",
    ] {
        let src = load(f);
        let c = check(&src, &Options::default());
        assert!(
            c.diagnostics.is_empty(),
            "{f}: {}",
            render(&c.diagnostics, f, &src)
        );
    }
}
