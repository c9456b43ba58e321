//! `zubr lsp check` and `zubr lsp show` as a user runs them: exit codes, the
//! `FILE:LINE:COL: error: message` form on stderr, stdin with `-f -`, canonical and compat
//! printing on stdout.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn zubr() -> Command {
    Command::new(env!("CARGO_BIN_EXE_zubr"))
}

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/spec/lsp-examples")
        .join(name)
}

fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = zubr()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn zubr");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn check_valid_examples_exit_0() {
    for f in [
        "01-psk-gost-client.lsp",
        "02-cert-aes-sha-client.lsp",
        "03-firewall-schedule-stateful.lsp",
        "04-psk-gost-gateway.lsp",
    ] {
        let out = zubr()
            .args(["lsp", "check", "-f"])
            .arg(example(f))
            .output()
            .expect("run");
        assert!(out.status.success(), "{f}: {}", text(&out.stderr));
        assert!(out.stderr.is_empty(), "{f}: {}", text(&out.stderr));
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn check_warnings_keep_exit_0() {
    let path = example("00-lsp-mgr-show-sample.lsp");
    let out = zubr()
        .args(["lsp", "check", "-f"])
        .arg(&path)
        .output()
        .expect("run");
    assert!(out.status.success());
    let err = text(&out.stderr);
    let p = path.display();
    assert!(
        err.contains(&format!("{p}:1:1: warning: policy binds no interface")),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{p}:16:21: warning: `AuthMethodPreshared auth_method_01` is never used"
        )),
        "{err}"
    );
    assert!(err.ends_with("zubr: 0 errors, 2 warnings\n"), "{err}");
}

#[test]
fn check_errors_exit_1_with_positions_from_stdin() {
    let src = b"IKETransform t(\n cipheralg *= \"AES-K128-CBC\"\n HashAlg *= \"SHA1\"\n GroupID *= MODP_2048\n)\nIKEParameters ( DefaultPort = 0x1F4 )\n";
    let out = run_stdin(&["lsp", "check", "-f", "-"], src);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    // a lexical error stops before semantic checks
    assert_eq!(
        err,
        "<stdin>:6:31: error: `0x1F4`: no `0x` prefix in LSP; hex numbers end in h: 1F4h\nzubr: 1 error, 0 warnings\n"
    );
    let fixed: Vec<u8> = text(src).replace("0x1F4", "1F4h").into_bytes();
    let out = run_stdin(&["lsp", "check", "-f", "-"], &fixed);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains(
            "<stdin>:2:2: error: unknown attribute `cipheralg`; did you mean `CipherAlg`?\n"
        ),
        "{err}"
    );
}

#[test]
fn check_lenient_accepts_unknown_names() {
    let src = b"Gadget g( Size = 3 )\nNetworkInterface ( )\n";
    let strict = run_stdin(&["lsp", "check", "-f", "-"], src);
    assert_eq!(strict.status.code(), Some(1));
    let lenient = run_stdin(&["lsp", "check", "--lenient", "-f", "-"], src);
    assert!(lenient.status.success(), "{}", text(&lenient.stderr));
    assert!(
        text(&lenient.stderr).contains("<stdin>:1:1: warning: unknown structure type `Gadget`")
    );
}

#[test]
fn show_prints_canonical_form() {
    // the examples are in canonical form: show gives them back byte for byte
    for f in [
        "00-lsp-mgr-show-sample.lsp",
        "03-firewall-schedule-stateful.lsp",
    ] {
        let path = example(f);
        let out = zubr()
            .args(["lsp", "show", "-f"])
            .arg(&path)
            .output()
            .expect("run");
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(
            text(&out.stdout),
            text(&std::fs::read(&path).expect("read"))
        );
    }
    // a messy file is normalised; show(show(x)) == show(x)
    let messy = b"NetworkInterface(LogicalName=\"eth0\")\r\n# c\r\nGlobalParameters(Title=\"t\" Version=\"LSP_4_1\")\r\n";
    let once = run_stdin(&["lsp", "show", "-f", "-"], messy);
    assert!(once.status.success(), "{}", text(&once.stderr));
    assert_eq!(
        text(&once.stdout),
        "GlobalParameters (\n Title = \"t\"\n Version = LSP_4_1\n)\n\nNetworkInterface (\n LogicalName = \"eth0\"\n)\n"
    );
    let twice = run_stdin(&["lsp", "show", "-f", "-"], &once.stdout);
    assert_eq!(twice.stdout, once.stdout);
    let check = run_stdin(&["lsp", "check", "-f", "-"], &once.stdout);
    assert!(check.status.success());
}

#[test]
fn show_compat_refuses_zubr_names() {
    let ok = zubr()
        .args(["lsp", "show", "--compat", "-f"])
        .arg(example("00-lsp-mgr-show-sample.lsp"))
        .output()
        .expect("run");
    assert!(ok.status.success());
    let path = example("01-psk-gost-client.lsp");
    let out = zubr()
        .args(["lsp", "show", "--compat", "-f"])
        .arg(&path)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    let p = path.display();
    assert!(
        err.contains(&format!(
            "{p}:17:2: error: attribute `IdentityEntry.IPv4Address` is a Zubr extension; compat printing refuses it"
        )),
        "{err}"
    );
}

#[test]
fn show_invalid_file_exits_1() {
    let out = run_stdin(&["lsp", "show", "-f", "-"], b"Filter f( Action = MAYBE )");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("<stdin>:1:20: error: unknown value `MAYBE` for `Action`"));
}

#[test]
fn missing_file_exits_1() {
    let out = zubr()
        .args(["lsp", "check", "-f", "/nonexistent/policy.lsp"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("cannot read /nonexistent/policy.lsp"));
}
