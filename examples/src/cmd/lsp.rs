//! `zubr lsp check -f FILE` and `zubr lsp show -f FILE [--compat]` — the `lsp_mgr check` /
//! `lsp_mgr show` counterparts for policy files (lsp.md §1, §8).
//!
//! `check` prints every diagnostic to stderr as `FILE:LINE:COL: error: message` and exits 0 when
//! the policy is valid (warnings allowed), 1 otherwise. `show` prints the canonical form to
//! stdout (or, with `--compat`, refuses Zubr-only names). `-f -` reads stdin. This module only
//! does I/O and exit codes; all language work is in zubr-lsp.

use std::io::{Read, Write};
use std::process::ExitCode;

use clap::Subcommand;
use zubr_lsp::{Mode, Options, PrintMode, Severity};

/// `zubr lsp` subcommands.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Check a policy: diagnostics on stderr, exit 0 when valid (warnings allowed), 1 otherwise.
    Check {
        /// Policy file (`-` = stdin).
        #[arg(short = 'f', long = "file")]
        file: String,
        /// Unknown structures and attributes are warnings instead of errors.
        #[arg(long)]
        lenient: bool,
    },
    /// Print a policy file in canonical form; without -f, the daemon's active (or with -db,
    /// stored) policy (`lsp_mgr show [-db]`).
    Show {
        /// Policy file (`-` = stdin).
        #[arg(short = 'f', long = "file")]
        file: Option<String>,
        /// With the daemon: the stored policy instead of the active one.
        #[arg(long = "db", short = 'd')]
        db: bool,
        /// Refuse Zubr-only structures and attributes (for files meant for S-Terra products).
        #[arg(long)]
        compat: bool,
        /// Unknown structures and attributes are kept (warnings) instead of errors.
        #[arg(long)]
        lenient: bool,
    },
    /// Daemon: load a policy file, store it and make it active (`lsp_mgr load`).
    Load {
        /// Policy file.
        #[arg(short = 'f', long = "file")]
        file: String,
        /// Label shown as Source info.
        #[arg(short = 'l', long = "label")]
        label: Option<String>,
    },
    /// Daemon: load the stored policy again; all connections are dropped.
    Reload,
    /// Daemon: unload the policy; the Default Driver Policy takes over.
    Unload,
    /// Daemon: type, source and source info of the active (or -db stored) policy.
    ShowInfo {
        /// The stored policy.
        #[arg(long = "db", short = 'd')]
        db: bool,
    },
}

/// Runs `zubr lsp`.
pub fn run(args: Args) -> ExitCode {
    match args.command {
        Cmd::Check { file, lenient } => check(&file, lenient),
        Cmd::Show {
            file: Some(file),
            compat,
            lenient,
            ..
        } => show(&file, compat, lenient),
        Cmd::Show { file: None, db, .. } => daemon(&["show"], db),
        Cmd::ShowInfo { db } => daemon(&["show-info"], db),
        Cmd::Reload => daemon(&["reload"], false),
        Cmd::Unload => daemon(&["unload"], false),
        Cmd::Load { file, label } => {
            // the daemon reads the file itself: send an absolute path
            let path = match std::fs::canonicalize(&file) {
                Ok(p) => p.to_string_lossy().into_owned(),
                Err(e) => {
                    eprintln!("Error: cannot read {file}: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let mut w: Vec<String> = ["lsp", "load", "-f", &path].map(str::to_owned).to_vec();
            if let Some(l) = label {
                w.extend(["-l".to_owned(), l]);
            }
            super::ctl::request(&w)
        }
    }
}

/// `zubr lsp WORD [-db]` through the daemon.
fn daemon(words: &[&str], db: bool) -> ExitCode {
    let mut w = vec!["lsp".to_owned()];
    w.extend(words.iter().map(|s| (*s).to_owned()));
    if db {
        w.push("-db".to_owned());
    }
    super::ctl::request(&w)
}

/// Reads FILE or stdin; the display name for diagnostics.
fn read(file: &str) -> Result<(Vec<u8>, String), ExitCode> {
    let r = if file == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).map(|_| buf)
    } else {
        std::fs::read(file)
    };
    match r {
        Ok(b) => Ok((
            b,
            if file == "-" {
                "<stdin>".to_owned()
            } else {
                file.to_owned()
            },
        )),
        Err(e) => {
            eprintln!("zubr: cannot read {file}: {e}");
            Err(ExitCode::FAILURE)
        }
    }
}

fn options(lenient: bool) -> Options<'static> {
    Options {
        mode: if lenient { Mode::Lenient } else { Mode::Strict },
        ..Options::default()
    }
}

fn summary(diags: &[zubr_lsp::Diagnostic]) {
    let e = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let w = diags.len() - e;
    if e + w > 0 {
        let plural = |n: usize, s: &str| format!("{n} {s}{}", if n == 1 { "" } else { "s" });
        eprintln!("zubr: {}, {}", plural(e, "error"), plural(w, "warning"));
    }
}

fn check(file: &str, lenient: bool) -> ExitCode {
    let (src, name) = match read(file) {
        Ok(x) => x,
        Err(c) => return c,
    };
    let c = zubr_lsp::check(&src, &options(lenient));
    eprint!("{}", zubr_lsp::render(&c.diagnostics, &name, &src));
    summary(&c.diagnostics);
    if c.has_errors() {
        return ExitCode::FAILURE;
    }
    // A valid document must also compile; report the (internal) error if it does not.
    if let Err(d) = c.compile() {
        eprint!("{}", zubr_lsp::render(&d, &name, &src));
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

fn show(file: &str, compat: bool, lenient: bool) -> ExitCode {
    let (src, name) = match read(file) {
        Ok(x) => x,
        Err(c) => return c,
    };
    let c = zubr_lsp::check(&src, &options(lenient));
    eprint!("{}", zubr_lsp::render(&c.diagnostics, &name, &src));
    let Some(doc) = c.doc else {
        summary(&c.diagnostics);
        return ExitCode::FAILURE;
    };
    let mode = if compat {
        PrintMode::Compat
    } else {
        PrintMode::Canonical
    };
    match zubr_lsp::print(&doc, mode) {
        Ok(out) => {
            let mut so = std::io::stdout().lock();
            if so.write_all(&out).and_then(|_| so.flush()).is_err() {
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(d) => {
            eprint!("{}", zubr_lsp::render(&d, &name, &src));
            summary(&d);
            ExitCode::FAILURE
        }
    }
}
