//! `zubr key` — the product's `key_mgr` (Bel VPN Client 4.1 guide §13.16–13.19, messages from
//! table 13.35.8): pre-shared keys by name in the directory store `zubr cert` uses.
//!
//! ```text
//! zubr key [--store DIR] import -n NAME -f FILE [-n NAME -f FILE]...   → OK NAME
//! zubr key [--store DIR] remove -n NAME                                → OK NAME
//! zubr key [--store DIR] show     Found #N keys., then per key: name, printable body, hex
//! zubr key [--store DIR] list     Found #N keys., then per key: name
//! ```
//! In `import`, `-n` and `-f` pair up in order (either may come first within a pair). The key
//! is the file's bytes as they are. `show` prints non-printable bytes of the body as `.`.
//!
//! Must not: print anything but the key bodies `show` is for; leave the store half-written when
//! one of several imports fails (nothing is saved then).

use std::process::ExitCode;

use zubr_pki::dirstore::DirStore;

use super::cert::{command_position, store_dir};

/// `zubr key` takes its arguments raw (the product's single-dash options and messages).
#[derive(clap::Args)]
#[command(disable_help_flag = true)]
pub struct Args {
    /// `import -n NAME -f FILE`... | `remove -n NAME` | `show` | `list`; `--store DIR` anywhere
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
    args: Vec<String>,
}

const HELP: &str = "\
Usage:
  zubr key [--store DIR] import -n NAME -f FILE [-n NAME -f FILE]...
  zubr key [--store DIR] remove -n NAME
  zubr key [--store DIR] show
  zubr key [--store DIR] list";

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("{msg}");
    ExitCode::from(1)
}

/// Runs `zubr key …`.
pub fn run(a: Args) -> ExitCode {
    let Some(pos) = command_position(&a.args) else {
        println!("{HELP}");
        return ExitCode::from(1);
    };
    let cmd = a.args[pos].as_str();
    let mut store = None;
    let mut names: Vec<String> = Vec::new();
    let mut files: Vec<String> = Vec::new();
    let mut rest = a.args[..pos].iter().chain(&a.args[pos + 1..]);
    while let Some(o) = rest.next() {
        let v = rest.next();
        match (o.as_str(), v) {
            ("--store", Some(v)) => store = Some(v.clone()),
            ("-n", Some(v)) if matches!(cmd, "import" | "remove") => names.push(v.clone()),
            ("-f", Some(v)) if cmd == "import" => files.push(v.clone()),
            ("-n", None) => return fail("User Error:  Key name no specified"),
            ("-f", None) => return fail("User Error:  Key file no specified"),
            ("--store", None) => return fail("User Error. Missing parameter"),
            (o, _) => return fail(format!("User Error: Key {o} is useless")),
        }
    }
    let mut ds = match DirStore::open(store_dir(store)) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    match cmd {
        "import" => {
            if names.len() < files.len() || names.is_empty() {
                return fail("User Error:  Key name no specified");
            }
            if files.len() < names.len() {
                return fail("User Error:  Key file no specified");
            }
            let mut ok = Vec::new();
            for (n, f) in names.iter().zip(&files) {
                let body = match std::fs::read(f) {
                    Ok(b) => zeroize::Zeroizing::new(b),
                    Err(_) => return fail(format!("Internal Error: No memory to open file {f}")),
                };
                if let Err(e) = ds.store.psk_import(n, &body) {
                    return fail(e);
                }
                ok.push(n);
            }
            if let Err(e) = ds.save() {
                return fail(e);
            }
            for n in ok {
                println!("OK {n}");
            }
        }
        "remove" => {
            let [n] = names.as_slice() else {
                return fail("User Error:  Key name no specified");
            };
            if let Err(e) = ds.store.psk_remove(n) {
                return fail(e);
            }
            if let Err(e) = ds.save() {
                return fail(e);
            }
            println!("OK {n}");
        }
        "show" => {
            println!("Found #{} keys.", ds.store.psks().len());
            for p in ds.store.psks() {
                let body: &[u8] = &p.value;
                let printable: String = body
                    .iter()
                    .map(|&b| {
                        if (0x20..0x7f).contains(&b) {
                            b as char
                        } else {
                            '.'
                        }
                    })
                    .collect();
                let hex: Vec<String> = body.iter().map(|b| format!("{b:02X}")).collect();
                println!("----Key----");
                println!("Name   :        {}", p.name);
                println!("Content         {printable}");
                println!("Hex             {}", hex.join(" "));
            }
        }
        "list" => {
            println!("Found #{} keys.", ds.store.psks().len());
            for p in ds.store.psks() {
                println!("--[Key]--------------");
                println!("Name         :  {}", p.name);
            }
        }
        "help" => println!("{HELP}"),
        other => return fail(format!("User Error: Key {other} is useless\n{HELP}")),
    }
    ExitCode::SUCCESS
}
