//! `zubr integr` as a user runs it: every exit code (0, 9, 50, 54, 75) and message of the
//! Bel VPN Client guide's table 13.35.7 that can occur, `-q` in both positions, and list mode
//! continuing past errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SUCCESS: &str = "SUCCESS:  Operation was finished successfully\n";
const HINT: &str = "(Try ' zubr integr -h' for help)";
/// STB 34.101.31 A.23-1: belt-hash of these 13 bytes.
const A23_IN: &str = "B194BAC80A08F53B366D008E58";
const A23_OUT: &str = "abef9725d4c5a83597a367d14494cc2542f20f659ddfecc961a3ec550cba8c75";

fn zubr(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zubr"))
        .arg("integr")
        .args(args)
        .output()
        .expect("run zubr")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

struct Dir {
    _t: tempfile::TempDir,
    path: PathBuf,
}

fn dir() -> Dir {
    let t = tempfile::tempdir().expect("tempdir");
    let path = t.path().to_path_buf();
    Dir { _t: t, path }
}

impl Dir {
    fn file(&self, name: &str, content: &[u8]) -> PathBuf {
        let p = self.path.join(name);
        std::fs::write(&p, content).expect("write");
        p
    }
}

fn a23_bytes() -> Vec<u8> {
    hex::decode(A23_IN).expect("hex")
}

#[test]
fn calc_writes_belt_hash_and_check_accepts_it() {
    let d = dir();
    let f = d.file("x509conv.ini", &a23_bytes());
    let o = zubr(&["calc", "-f", s(&f)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), SUCCESS);
    let hash = std::fs::read_to_string(format!("{}.hash", s(&f))).expect("hash file");
    assert_eq!(hash, format!("{A23_OUT}\n"));

    let o = zubr(&["check", "-f", s(&f)]);
    assert_eq!((code(&o), stdout(&o)), (0, SUCCESS.to_string()));
    assert!(stderr(&o).is_empty());
    // Upper case and extra whitespace in the .hash file are accepted.
    std::fs::write(
        format!("{}.hash", s(&f)),
        format!("  {}\r\n", A23_OUT.to_uppercase()),
    )
    .expect("write");
    assert_eq!(code(&zubr(&["check", "-f", s(&f)])), 0);
}

#[test]
fn quiet_prints_nothing_in_either_position() {
    let d = dir();
    let f = d.file("agent.ini", b"[agent]\n");
    for args in [["calc", "-q", "-f", s(&f)], ["calc", "-f", s(&f), "-q"]] {
        let o = zubr(&args);
        assert_eq!(code(&o), 0);
        assert!(o.stdout.is_empty() && o.stderr.is_empty());
    }
    let o = zubr(&["check", "-q", "-f", s(&f)]);
    assert_eq!(code(&o), 0);
    assert!(o.stdout.is_empty() && o.stderr.is_empty());
    // Errors are silent too; the exit code still tells.
    std::fs::write(&f, b"changed").expect("write");
    let o = zubr(&["check", "-f", s(&f), "-q"]);
    assert_eq!(code(&o), 54);
    assert!(o.stdout.is_empty() && o.stderr.is_empty());
    let o = zubr(&["calc", "-q"]);
    assert_eq!(code(&o), 9);
    assert!(o.stdout.is_empty() && o.stderr.is_empty());
}

#[test]
fn help_exits_zero() {
    let o = zubr(&["-h"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("zubr integr check -l filePathList [-q]"));
}

#[test]
fn usage_errors_exit_9() {
    let cases: [(&[&str], String); 7] = [
        (
            &[],
            format!("ERROR: Missing required command or parameters. {HINT}\n"),
        ),
        (
            &["verify", "-f", "x"],
            format!("ERROR: Invalid command 'verify'. {HINT}\n"),
        ),
        (
            &["calc"],
            format!("ERROR: Missing or invalid target file definition. {HINT}\n"),
        ),
        (
            &["calc", "-f"],
            format!("ERROR: Missing or invalid target file definition. {HINT}\n"),
        ),
        (
            &["calc", "-l", "list"],
            format!("ERROR: Missing or invalid target file definition. {HINT}\n"),
        ),
        (
            &["check", "-f", "a", "extra"],
            format!("ERROR: Missing or invalid target file definition. {HINT}\n"),
        ),
        (
            &["check", "-l"],
            format!("ERROR: Missing target file name. {HINT}\n"),
        ),
    ];
    for (args, msg) in cases {
        let o = zubr(args);
        assert_eq!(code(&o), 9, "{args:?}");
        assert_eq!(stderr(&o), msg, "{args:?}");
        assert!(o.stdout.is_empty());
    }
    let long = "a".repeat(501);
    let o = zubr(&["calc", "-f", &long]);
    assert_eq!(code(&o), 9);
    assert_eq!(
        stderr(&o),
        format!("ERROR: Too long target file name '{long}'. {HINT}\n")
    );
    // 500 characters is still allowed (the file just does not exist: 50).
    assert_eq!(code(&zubr(&["calc", "-f", &"a".repeat(500)])), 50);
}

#[test]
fn missing_file_or_hash_exits_50() {
    let d = dir();
    let nofile = d.path.join("absent.ini");
    for cmd in ["calc", "check"] {
        let o = zubr(&[cmd, "-f", s(&nofile)]);
        assert_eq!(code(&o), 50);
        assert_eq!(
            stderr(&o),
            format!(
                "ERROR:: Missing file '{}' or missing access to this file.\n",
                s(&nofile)
            )
        );
    }
    let f = d.file("syslog.ini", b"x");
    let o = zubr(&["check", "-f", s(&f)]);
    assert_eq!(code(&o), 50);
    assert_eq!(
        stderr(&o),
        format!("ERROR:: Missing file '{}.hash'.\n", s(&f))
    );
    let o = zubr(&["check", "-l", s(&nofile)]);
    assert_eq!(code(&o), 50);
}

#[test]
fn read_errors_bad_hash_files_and_corruption_exit_54() {
    let d = dir();
    // A directory opens but cannot be read.
    let sub = d.path.join("db");
    std::fs::create_dir(&sub).expect("mkdir");
    let o = zubr(&["calc", "-f", s(&sub)]);
    assert_eq!(code(&o), 54);
    assert_eq!(stderr(&o), "ERROR: Read file is fault.\n");

    let f = d.file("s_logset.ini", b"level=6\n");
    for bad in [
        &b"not a hash\n"[..],
        &[b'a'; 63][..],
        &[b'g'; 64][..],
        &[0xff; 64][..],
    ] {
        std::fs::write(format!("{}.hash", s(&f)), bad).expect("write");
        let o = zubr(&["check", "-f", s(&f)]);
        assert_eq!(code(&o), 54);
        assert_eq!(
            stderr(&o),
            format!("ERROR: Invalid contents file '{}.hash'.\n", s(&f))
        );
    }

    assert_eq!(code(&zubr(&["calc", "-f", s(&f)])), 0);
    std::fs::write(&f, b"level=7\n").expect("tamper");
    let o = zubr(&["check", "-f", s(&f)]);
    assert_eq!(code(&o), 54);
    assert_eq!(stderr(&o), format!("ERROR: Corrupted file '{}'\n", s(&f)));
    assert!(o.stdout.is_empty());
}

#[test]
fn list_mode_checks_every_file_and_continues_past_errors() {
    let d = dir();
    let good1 = d.file("agent.ini", b"one");
    let good2 = d.file("x509conv.ini", b"two");
    let bad = d.file("syslog.ini", b"three");
    let nohash = d.file("new.ini", b"four");
    let absent = d.path.join("absent.ini");
    for f in [&good1, &good2, &bad] {
        assert_eq!(code(&zubr(&["calc", "-q", "-f", s(f)])), 0);
    }
    let list = d.file(
        "list.txt",
        format!("{}\r\n\n{}\n", s(&good1), s(&good2)).as_bytes(),
    );
    let o = zubr(&["check", "-l", s(&list)]);
    assert_eq!(
        (code(&o), stdout(&o)),
        (0, SUCCESS.to_string()),
        "{}",
        stderr(&o)
    );

    std::fs::write(&bad, b"THREE").expect("tamper");
    let list = d.file(
        "list2.txt",
        format!(
            "{}\n{}\n{}\n{}\n{}\n",
            s(&good1),
            s(&bad),
            s(&nohash),
            s(&absent),
            s(&good2)
        )
        .as_bytes(),
    );
    let o = zubr(&["check", "-l", s(&list)]);
    // Exit code of the first failure; every failing file reported, in order.
    assert_eq!(code(&o), 54);
    assert!(o.stdout.is_empty(), "no SUCCESS line when a file failed");
    let want = format!(
        "'{b}': error 54: ERROR: File '{b}' was corrupted.\n\
         '{n}': error 50: ERROR:: Missing file '{n}.hash'.\n\
         '{a}': error 50: ERROR:: Missing file '{a}' or missing access to this file.\n",
        b = s(&bad),
        n = s(&nohash),
        a = s(&absent)
    );
    assert_eq!(stderr(&o), want);

    // A list whose first failure is a missing file exits 50.
    let list = d.file(
        "list3.txt",
        format!("{}\n{}\n", s(&absent), s(&bad)).as_bytes(),
    );
    assert_eq!(code(&zubr(&["check", "-l", s(&list), "-q"])), 50);
}

#[test]
fn invalid_list_format_exits_54() {
    let d = dir();
    for (name, content) in [
        ("empty.txt", &b""[..]),
        ("blank.txt", &b"\n\r\n  \n"[..]),
        ("binary.txt", &[0xff, 0xfe, 0x00, 0x41][..]),
        ("nul.txt", &b"agent.ini\0\n"[..]),
    ] {
        let l = d.file(name, content);
        let o = zubr(&["check", "-l", s(&l)]);
        assert_eq!(code(&o), 54, "{name}");
        assert_eq!(
            stderr(&o),
            "ERROR: Invalid format of list file.\n",
            "{name}"
        );
    }
}

#[test]
fn hash_file_that_cannot_be_created_or_written_exits_75() {
    let d = dir();
    let f = d.file("agent.ini", b"x");
    // FILE.hash is a directory: it cannot be created as a file.
    std::fs::create_dir(format!("{}.hash", s(&f))).expect("mkdir");
    let o = zubr(&["calc", "-f", s(&f)]);
    assert_eq!(code(&o), 75);
    assert_eq!(
        stderr(&o),
        format!("ERROR: Can't create file '{}.hash'.\n", s(&f))
    );

    // FILE.hash points at /dev/full: it opens, but writing fails (ENOSPC).
    let g = d.file("full.ini", b"y");
    std::os::unix::fs::symlink("/dev/full", format!("{}.hash", s(&g))).expect("symlink");
    let o = zubr(&["calc", "-f", s(&g)]);
    assert_eq!(code(&o), 75);
    assert_eq!(
        stderr(&o),
        format!("ERROR: Can't write file '{}.hash'\n", s(&g))
    );
}
