//! `zubr cert` — the product's `cert_mgr` (Bel VPN Client 4.1 guide §13.1–13.2, messages from
//! table 13.35.1) on a directory store (`zubr_pki::dirstore`).
//!
//! ```text
//! zubr cert [--store DIR] show [-f FILE [-p PWD]] [-i N]... [-expired_remote]
//! zubr cert [--store DIR] check [-i N] [--crl-mode disable|enable|optional|best_effort]
//! zubr cert [--store DIR] import -f FILE [-p PWD] [-t]
//! zubr cert [--store DIR] remove -i N
//! ```
//! The store is `--store DIR`, else `$ZUBR_STORE`, else `$XDG_DATA_HOME/zubr/store` (or
//! `~/.local/share/zubr/store`). Options are the product's single-dash ones, so the arguments
//! are parsed here rather than by clap (as `zubr integr` does): errors are the manual's texts
//! on stderr with exit code 1.
//!
//! Output (Zubr's choices where the guide is silent): `import` prints one `N SUBJECT` line per
//! object it placed in the store (its number there); `remove` prints `OK N`. `check` uses CRL
//! mode OPTIONAL unless `--crl-mode` says otherwise (the product's DDP implies ENABLE).
//!
//! Must not: write the store on `show`/`check`, or print private key material.

use std::path::PathBuf;
use std::process::ExitCode;

use zubr_base::UnixTime;
use zubr_crypto_stb::SOFTWARE;
use zubr_pki::dirstore::DirStore;
use zubr_pki::report::{self, Item};
use zubr_pki::store::{Entry, ImportMode, NoContainers};
use zubr_pki::{CrlMode, Error, Object};

/// `zubr cert` takes its arguments raw (the product's single-dash options and messages).
#[derive(clap::Args)]
#[command(disable_help_flag = true)]
pub struct Args {
    /// `show [-f FILE [-p PWD]] [-i N]... [-expired_remote]` | `check [-i N]` |
    /// `import -f FILE [-p PWD] [-t]` | `remove -i N`; `--store DIR` anywhere
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
    args: Vec<String>,
}

const HELP: &str = "\
Usage:
  zubr cert [--store DIR] show [-f FILE [-p PWD]] [-i N]... [-expired_remote]
  zubr cert [--store DIR] check [-i N] [--crl-mode disable|enable|optional|best_effort]
  zubr cert [--store DIR] import -f FILE [-p PWD] [-t]
  zubr cert [--store DIR] remove -i N
The store is --store DIR, else $ZUBR_STORE, else the user data directory.";

/// The store directory: `explicit`, else `$ZUBR_STORE`, else the user data directory.
pub fn store_dir(explicit: Option<String>) -> PathBuf {
    if let Some(d) = explicit {
        return d.into();
    }
    if let Some(d) = std::env::var_os("ZUBR_STORE").filter(|d| !d.is_empty()) {
        return d.into();
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    data.join("zubr").join("store")
}

/// Parsed options.
#[derive(Default)]
struct Opts {
    store: Option<String>,
    file: Option<String>,
    password: Option<String>,
    indices: Vec<usize>,
    trusted: bool,
    expired_remote: bool,
    crl_mode: Option<CrlMode>,
}

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("{msg}");
    ExitCode::from(1)
}

fn parse_opts(cmd: &str, args: &[String]) -> Result<Opts, String> {
    let mut o = Opts::default();
    let mut seen: Vec<&str> = Vec::new();
    let mut it = args.iter();
    let allowed: &[&str] = match cmd {
        "show" => &["-f", "-p", "-i", "-expired_remote"],
        "check" => &["-i", "--crl-mode"],
        "import" => &["-f", "-p", "-t"],
        "remove" => &["-i"],
        _ => &[],
    };
    while let Some(a) = it.next() {
        let a = a.as_str();
        if a == "--store" {
            o.store = Some(it.next().ok_or("User Error. Missing parameter")?.clone());
            continue;
        }
        if !a.starts_with('-') {
            return Err(format!("User Error: Key {a} is useless"));
        }
        if !allowed.contains(&a) {
            return Err(format!("User Error: Key {a} is useless"));
        }
        let repeatable = a == "-i" && cmd == "show";
        if !repeatable && seen.contains(&a) {
            return Err(format!("User Error: Key {a} is used twice"));
        }
        seen.push(a);
        let mut value = || {
            it.next()
                .filter(|v| !v.starts_with('-') || v.len() == 1)
                .cloned()
        };
        match a {
            "-f" => {
                o.file = Some(value().ok_or("User Error: no source file specified")?);
            }
            // a password may start with '-'
            "-p" => {
                o.password = Some(
                    it.next()
                        .cloned()
                        .ok_or("User Error. No password specified")?,
                );
            }
            "-i" => {
                let n = value()
                    .and_then(|v| v.parse::<usize>().ok())
                    .filter(|&n| n > 0)
                    .ok_or("User Error: no number specified")?;
                o.indices.push(n);
            }
            "-t" => o.trusted = true,
            "-expired_remote" => o.expired_remote = true,
            "--crl-mode" => {
                let v = value().ok_or("User Error. Missing parameter")?;
                o.crl_mode = Some(match v.to_ascii_lowercase().as_str() {
                    "disable" => CrlMode::Disable,
                    "enable" => CrlMode::Enable,
                    "optional" => CrlMode::Optional,
                    "best_effort" | "best-effort" => CrlMode::BestEffort,
                    _ => return Err(format!("User Error: Key {v} is useless")),
                });
            }
            _ => return Err(format!("User Error: Key {a} is useless")),
        }
    }
    if o.password.is_some() && o.file.is_none() {
        return Err("User Error: no source file specified".into());
    }
    Ok(o)
}

/// Reads and parses `-f FILE` with the product's messages.
fn read_file(provider_file: &str, password: Option<&str>) -> Result<Vec<Object>, String> {
    let data = std::fs::read(provider_file)
        .map_err(|_| format!("User Error: {provider_file} unable to open file"))?;
    match zubr_pki::parse(&SOFTWARE, &data, password.map(str::as_bytes)) {
        Ok(o) => Ok(o),
        Err(Error::PasswordRequired) => Err(format!(
            "User Error. No password specified to open {provider_file}"
        )),
        Err(Error::WrongPassword) => Err(format!(
            "{provider_file} wrong password {}",
            password.unwrap_or("")
        )),
        Err(e) => Err(format!("User Error: {provider_file}: {e}")),
    }
}

fn now() -> UnixTime {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    UnixTime::from_secs(i64::try_from(secs).unwrap_or(i64::MAX))
}

/// Runs `zubr cert …`.
pub fn run(a: Args) -> ExitCode {
    let Some(pos) = command_position(&a.args) else {
        println!("{HELP}");
        return ExitCode::from(1);
    };
    let cmd = a.args[pos].as_str();
    let mut rest: Vec<String> = a.args[..pos].to_vec();
    rest.extend_from_slice(&a.args[pos + 1..]);
    if matches!(cmd, "help" | "-h") {
        println!("{HELP}");
        return ExitCode::SUCCESS;
    }
    if !matches!(cmd, "show" | "check" | "import" | "remove") {
        return fail(format!("User Error: Key {cmd} is useless\n{HELP}"));
    }
    let o = match parse_opts(cmd, &rest) {
        Ok(o) => o,
        Err(e) => return fail(e),
    };
    match cmd {
        "show" => show(o),
        "check" => check(o),
        "import" => import(o),
        _ => remove(o),
    }
}

/// Where the command word is: the first argument that is neither an option nor the value of
/// `--store`.
pub fn command_position(args: &[String]) -> Option<usize> {
    let mut i = 0;
    while let Some(a) = args.get(i) {
        if a == "--store" {
            i += 2;
        } else if a.starts_with('-') {
            i += 1;
        } else {
            return Some(i);
        }
    }
    None
}

fn open(o: &Opts) -> Result<DirStore, String> {
    DirStore::open(store_dir(o.store.clone())).map_err(|e| e.to_string())
}

fn show(o: Opts) -> ExitCode {
    if let Some(f) = &o.file {
        if o.expired_remote {
            return fail("User Error: Key -expired_remote is not compatible with key -f");
        }
        let objects = match read_file(f, o.password.as_deref()) {
            Ok(x) => x,
            Err(e) => return fail(e),
        };
        let items = report::file_items(&objects);
        return print_items(&items, &o.indices, Some(f));
    }
    let ds = match open(&o) {
        Ok(s) => s,
        Err(_) => return fail("Internal Error. Unable obtain certs from DB"),
    };
    let items = report::store_items(&ds.store);
    if o.expired_remote {
        let t = now().as_secs();
        for (i, item) in items.iter().enumerate() {
            if let Item::Certificate(c, "remote") = item
                && c.not_after() < t
            {
                print!("{}", report::detail(&SOFTWARE, i + 1, item));
            }
        }
        return ExitCode::SUCCESS;
    }
    print_items(&items, &o.indices, None)
}

fn print_items(items: &[Item<'_>], indices: &[usize], file: Option<&str>) -> ExitCode {
    if indices.is_empty() {
        if let Some(f) = file {
            println!("Certificate/Crl from file {f}");
        }
        print!("{}", report::summary(items));
        return ExitCode::SUCCESS;
    }
    for &i in indices {
        let Some(item) = items.get(i - 1) else {
            return fail(match file {
                Some(f) => format!("User Error: {i} exceeds number of objects in {f}"),
                None => format!("User Error: {i} exceeds number of objects"),
            });
        };
        print!("{}", report::detail(&SOFTWARE, i, item));
    }
    ExitCode::SUCCESS
}

fn check(o: Opts) -> ExitCode {
    let ds = match open(&o) {
        Ok(s) => s,
        Err(_) => return fail("Internal Error. Unable obtain certs from DB"),
    };
    let items = report::store_items(&ds.store);
    let which: Vec<usize> = if o.indices.is_empty() {
        (1..=items.len()).collect()
    } else {
        o.indices.clone()
    };
    let t = now();
    let mode = o.crl_mode.unwrap_or(CrlMode::Optional);
    for i in which {
        let (Some(item), Some(status)) = (
            items.get(i - 1),
            zubr_pki::validate::check(&SOFTWARE, &ds.store, i, t, mode, &NoContainers),
        ) else {
            return fail(format!("User Error: {i} exceeds number of objects"));
        };
        print!("{}", report::check_lines(i, item, status));
    }
    ExitCode::SUCCESS
}

fn import(o: Opts) -> ExitCode {
    let Some(f) = &o.file else {
        return fail("User Error: no source file specified");
    };
    let objects = match read_file(f, o.password.as_deref()) {
        Ok(x) => x,
        Err(e) => return fail(e),
    };
    let mut ds = match open(&o) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let mode = if o.trusted {
        ImportMode::Trusted
    } else {
        ImportMode::Default
    };
    let rep = match ds.store.import(objects, mode) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    if let Err(e) = ds.save() {
        return fail(e);
    }
    let items = report::store_items(&ds.store);
    for i in rep.indices {
        if let Some(item) = items.get(i - 1) {
            let role = match ds.store.entry(i) {
                Some(Entry::Certificate { role, .. }) => role.status_word(),
                _ if item.is_crl() => "crl",
                _ => "request",
            };
            println!("{i} {} ({role})", item.title());
        }
    }
    ExitCode::SUCCESS
}

fn remove(o: Opts) -> ExitCode {
    let Some(&i) = o.indices.first() else {
        return fail(
            "User Error. Missing index of object to be removed from base. Specify 'i' key and index",
        );
    };
    let mut ds = match open(&o) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    if let Err(e) = ds.store.remove(i) {
        return fail(e);
    }
    if let Err(e) = ds.save() {
        return fail(e);
    }
    println!("OK {i}");
    ExitCode::SUCCESS
}
