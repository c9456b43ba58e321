//! `zubr integr` — the product's `integr_mgr` (Bel VPN Client 4.1 guide §13.14–13.15, messages
//! and exit codes from table 13.35.7): integrity control of files with belt-hash.
//!
//! ```text
//! zubr integr calc  -f FILE [-q]      writes FILE.hash
//! zubr integr check -f FILE [-q]      compares FILE with FILE.hash
//! zubr integr check -l LISTFILE [-q]  checks every file named in LISTFILE, continuing past errors
//! ```
//! `-q` may stand right after the command or at the end; it suppresses all output (the result is
//! then only in the exit code).
//!
//! Formats (Zubr's choices where the guide is silent):
//! * `FILE.hash`: the belt-hash of FILE as 64 lower-case hex digits and a newline. `check`
//!   accepts either case and surrounding whitespace; anything else is "Invalid contents".
//! * list file: UTF-8 text, one file name (with its path) per line; `\r\n` endings and blank
//!   lines are accepted. A list that is not UTF-8, contains a NUL byte or names no file is
//!   "Invalid format of list file".
//! * list mode reports each failing file as `'<file>': error <code>: <message>` and goes on; it
//!   ends with the SUCCESS line only if every file passed, and exits with the code of the first
//!   failure.
//!
//! Exit codes and messages (table 13.35.7; the help hint names this command): 0 success;
//! 9 missing command/parameters, invalid command, missing target, name longer than 500
//! characters, hash library initialisation (belt-hash absent from the provider); 50 missing file
//! or missing `.hash`; 54 read error, invalid `.hash` contents, corrupted file, invalid list
//! format; 75 cannot create or write the `.hash` file. The table's "Invalid hash calculation"
//! (54) has no cause here: hashing in-process cannot fail once the file is read.
//! Success prints `SUCCESS:  Operation was finished successfully` on stdout; errors go to stderr.
//!
//! Must not: follow the list file recursively, stop a list check at the first error, or print
//! anything under `-q`.

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;

use zubr_crypto_stb::SOFTWARE;
use zubr_crypto_stb::provider::HashAlgorithm;

/// `zubr integr` takes its arguments raw: the product's exit codes (9 for usage errors) and
/// messages replace clap's.
#[derive(clap::Args)]
#[command(disable_help_flag = true)]
pub struct Args {
    /// `calc -f FILE [-q]` | `check -f FILE [-q]` | `check -l LISTFILE [-q]`
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
    args: Vec<String>,
}

const SUCCESS: &str = "SUCCESS:  Operation was finished successfully";
const HINT: &str = "(Try ' zubr integr -h' for help)";
const MAX_NAME: usize = 500;

const HELP: &str = "\
Usage:
  zubr integr calc -f filePath [-q]       compute the hash of filePath into filePath.hash
  zubr integr check -f filePath [-q]      check filePath against filePath.hash
  zubr integr check -l filePathList [-q]  check every file listed (one per line) in filePathList
  -q  print nothing; the result is the exit code (0, 9, 50, 54, 75)";

/// A failure: exit code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Failure {
    code: u8,
    message: String,
}

fn fail(code: u8, message: String) -> Failure {
    Failure { code, message }
}

fn usage(message: &str) -> Failure {
    fail(9, format!("ERROR: {message} {HINT}"))
}

fn too_long(name: &str) -> Failure {
    usage(&format!("Too long target file name '{name}'."))
}

fn missing(name: &str) -> Failure {
    fail(
        50,
        format!("ERROR:: Missing file '{name}' or missing access to this file."),
    )
}

enum Target {
    File(String),
    List(String),
}

struct Parsed {
    calc: bool,
    target: Target,
    quiet: bool,
}

enum Parse {
    Help,
    Run(Parsed),
}

fn parse(args: &[String]) -> Result<Parse, (Failure, bool)> {
    let quiet = args.iter().skip(1).any(|a| a == "-q");
    let Some(cmd) = args.first() else {
        return Err((usage("Missing required command or parameters."), false));
    };
    if cmd == "-h" || cmd == "--help" {
        return Ok(Parse::Help);
    }
    let calc = match cmd.as_str() {
        "calc" => true,
        "check" => false,
        other => return Err((usage(&format!("Invalid command '{other}'.")), quiet)),
    };
    let mut target = None;
    let mut it = args[1..].iter().filter(|a| *a != "-q");
    let bad_target = || (usage("Missing or invalid target file definition."), quiet);
    while let Some(a) = it.next() {
        match a.as_str() {
            "-h" | "--help" => return Ok(Parse::Help),
            "-f" if target.is_none() => match it.next() {
                Some(f) if !f.is_empty() => target = Some(Target::File(f.clone())),
                _ => return Err(bad_target()),
            },
            "-l" if target.is_none() && !calc => match it.next() {
                Some(f) if !f.is_empty() => target = Some(Target::List(f.clone())),
                _ => return Err((usage("Missing target file name."), quiet)),
            },
            _ => return Err(bad_target()),
        }
    }
    let target = target.ok_or_else(bad_target)?;
    let name = match &target {
        Target::File(f) | Target::List(f) => f,
    };
    if name.chars().count() > MAX_NAME {
        return Err((too_long(name), quiet));
    }
    Ok(Parse::Run(Parsed {
        calc,
        target,
        quiet,
    }))
}

/// Runs `zubr integr`.
pub fn run(args: Args) -> ExitCode {
    let parsed = match parse(&args.args) {
        Ok(Parse::Help) => {
            println!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Ok(Parse::Run(p)) => p,
        Err((f, quiet)) => {
            if !quiet {
                eprintln!("{}", f.message);
            }
            return ExitCode::from(f.code);
        }
    };
    let quiet = parsed.quiet;
    let report = |f: &Failure| {
        if !quiet {
            eprintln!("{}", f.message);
        }
    };
    let Some(hash) = SOFTWARE.hash("belt-hash").map(|h| h.hash) else {
        report(&usage("Hash library initialization error."));
        return ExitCode::from(9);
    };
    let result = match (&parsed.target, parsed.calc) {
        (Target::File(f), true) => calc(hash, f).map_err(|e| vec![e]),
        (Target::File(f), false) => check(hash, f, false).map_err(|e| vec![e]),
        (Target::List(l), _) => check_list(hash, l),
    };
    match result {
        Ok(()) => {
            if !quiet {
                println!("{SUCCESS}");
            }
            ExitCode::SUCCESS
        }
        Err(failures) => {
            for f in &failures {
                report(f);
            }
            ExitCode::from(failures.first().map(|f| f.code).unwrap_or(54))
        }
    }
}

/// belt-hash of a file's contents.
fn hash_file(hash: &dyn HashAlgorithm, name: &str) -> Result<String, Failure> {
    let mut file = File::open(name).map_err(|_| missing(name))?;
    let mut ctx = hash.start();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => ctx.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(fail(54, "ERROR: Read file is fault.".into())),
        }
    }
    Ok(hex::encode(ctx.finish().as_slice()))
}

fn hash_name(name: &str) -> String {
    format!("{name}.hash")
}

fn calc(hash: &dyn HashAlgorithm, name: &str) -> Result<(), Failure> {
    let digest = hash_file(hash, name)?;
    let out = hash_name(name);
    let cant_write = || fail(75, format!("ERROR: Can't write file '{out}'"));
    let mut f =
        File::create(&out).map_err(|_| fail(75, format!("ERROR: Can't create file '{out}'.")))?;
    f.write_all(format!("{digest}\n").as_bytes())
        .map_err(|_| cant_write())?;
    f.sync_all().map_err(|_| cant_write())?;
    Ok(())
}

/// Reads and validates `NAME.hash`: 64 hex digits, surrounding whitespace allowed.
fn read_hash_file(name: &str) -> Result<String, Failure> {
    let hn = hash_name(name);
    let invalid = || fail(54, format!("ERROR: Invalid contents file '{hn}'."));
    if !Path::new(&hn).exists() {
        return Err(fail(50, format!("ERROR:: Missing file '{hn}'.")));
    }
    let mut text = Vec::new();
    File::open(&hn)
        .and_then(|f| f.take(4096).read_to_end(&mut text))
        .map_err(|_| invalid())?;
    let text = std::str::from_utf8(&text).map_err(|_| invalid())?.trim();
    if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid());
    }
    Ok(text.to_ascii_lowercase())
}

fn check(hash: &dyn HashAlgorithm, name: &str, in_list: bool) -> Result<(), Failure> {
    if name.chars().count() > MAX_NAME {
        return Err(too_long(name));
    }
    let digest = hash_file(hash, name)?;
    let want = read_hash_file(name)?;
    if digest == want {
        Ok(())
    } else if in_list {
        Err(fail(54, format!("ERROR: File '{name}' was corrupted.")))
    } else {
        Err(fail(54, format!("ERROR: Corrupted file '{name}'")))
    }
}

fn check_list(hash: &dyn HashAlgorithm, list: &str) -> Result<(), Vec<Failure>> {
    let invalid = || vec![fail(54, "ERROR: Invalid format of list file.".into())];
    let mut raw = Vec::new();
    File::open(list)
        .map_err(|_| vec![missing(list)])?
        .read_to_end(&mut raw)
        .map_err(|_| vec![fail(54, "ERROR: Read file is fault.".into())])?;
    let text = String::from_utf8(raw).map_err(|_| invalid())?;
    if text.contains('\0') {
        return Err(invalid());
    }
    let names: Vec<&str> = text
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.trim().is_empty())
        .collect();
    if names.is_empty() {
        return Err(invalid());
    }
    let failures: Vec<Failure> = names
        .iter()
        .filter_map(|n| check(hash, n, true).err().map(|f| (n, f)))
        .map(|(n, f)| Failure {
            code: f.code,
            message: format!("'{n}': error {}: {}", f.code, f.message),
        })
        .collect();
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures)
    }
}
