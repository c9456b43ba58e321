//! `zubr crypto selftest` and `zubr crypto digest` as a user runs them.

use std::process::Command;

fn zubr() -> Command {
    Command::new(env!("CARGO_BIN_EXE_zubr"))
}

#[test]
fn selftest_reports_counts_and_succeeds() {
    let out = zubr()
        .args(["crypto", "selftest"])
        .output()
        .expect("run zubr");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    assert!(out.status.success(), "{stdout}");
    let (passed, failed) = last
        .split_once(" passed, ")
        .expect("last line is `N passed, M failed`");
    assert!(passed.parse::<usize>().expect("N") > 0);
    assert_eq!(failed, "0 failed");
}

#[test]
fn digest_prints_hex_and_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("abc.txt");
    std::fs::write(&f, b"abc").expect("write");
    let out = zubr()
        .args(["crypto", "digest", "--alg", "sha256"])
        .arg(&f)
        .output()
        .expect("run zubr");
    assert!(out.status.success());
    let want = format!(
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  {}\n",
        f.display()
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), want);
}

#[test]
fn digest_rejects_unknown_algorithm() {
    let out = zubr()
        .args(["crypto", "digest", "--alg", "nope", "x"])
        .output()
        .expect("run zubr");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown hash algorithm"));
}
