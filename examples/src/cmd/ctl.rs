//! The control channel between the `zubr` utilities and `zubr daemon` (product.md §4): a Unix
//! stream socket. A request is the utility's words separated by NUL bytes, ended by closing the
//! write half; the answer is a line `EXIT N` followed by the text to print (stdout when N is 0,
//! stderr otherwise). Long requests (`klog`) stream text until the utility goes away.
//!
//! The socket is found by the global `--control PATH`, else `$ZUBR_CONTROL`, else
//! [`DEFAULT_CONTROL`]. `-T SECONDS` (10..36000, 0 = infinite) bounds the wait for an answer.
//! This module only moves bytes; the daemon decides everything.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::process::ExitCode;
use std::sync::OnceLock;
use std::time::Duration;

/// Where the daemon listens when neither `--control` nor `$ZUBR_CONTROL` says.
pub const DEFAULT_CONTROL: &str = "/run/zubr/control.sock";

/// The global options of the utilities.
#[derive(Debug, Clone, Default)]
pub struct Global {
    /// `--control PATH`.
    pub control: Option<String>,
    /// `-T SECONDS`.
    pub timeout: Option<u64>,
}

static GLOBAL: OnceLock<Global> = OnceLock::new();

/// Records the global options (once, from `main`).
pub fn set_global(g: Global) {
    let _ = GLOBAL.set(g);
}

/// The control socket path.
pub fn control_path(explicit: Option<&str>) -> String {
    explicit
        .map(str::to_owned)
        .or_else(|| GLOBAL.get().and_then(|g| g.control.clone()))
        .or_else(|| std::env::var("ZUBR_CONTROL").ok())
        .unwrap_or_else(|| DEFAULT_CONTROL.to_owned())
}

/// Sends `words` to the daemon and prints the answer; the exit code is the daemon's.
pub fn request(words: &[String]) -> ExitCode {
    let timeout = GLOBAL.get().and_then(|g| g.timeout).unwrap_or(60);
    if timeout != 0 && !(10..=36000).contains(&timeout) {
        eprintln!("Error: -T must be 0 or 10..36000");
        return ExitCode::from(9);
    }
    let path = control_path(None);
    let mut s = match UnixStream::connect(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("Error: cannot connect to the zubr daemon at {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let t = (timeout != 0).then(|| Duration::from_secs(timeout));
    let _ = s.set_read_timeout(t);
    let mut req = words.join("\0");
    req.push('\n');
    // a failed write: the daemon may have answered BUSY and closed already; read what it said
    let _ = s.write_all(req.as_bytes());
    // stream the answer: the first line is `EXIT N`
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        match s.read(&mut byte) {
            Ok(0) => break,
            Ok(_) if byte[0] == b'\n' => break,
            Ok(_) => head.push(byte[0]),
            Err(e) => {
                eprintln!("Error: no answer from the zubr daemon: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let head = String::from_utf8_lossy(&head);
    let code: u8 = head
        .strip_prefix("EXIT ")
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(1);
    let mut out: Box<dyn Write> = if code == 0 {
        Box::new(std::io::stdout())
    } else {
        Box::new(std::io::stderr())
    };
    if !head.starts_with("EXIT ") {
        let _ = writeln!(out, "{head}");
    }
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if out.write_all(&buf[..n]).and_then(|()| out.flush()).is_err() {
                    break;
                }
            }
            Err(e) => {
                eprintln!("Error: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::from(code)
}

/// A utility that forwards its words to the daemon.
#[derive(clap::Args)]
pub struct Words {
    /// Arguments as in the product's utility.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

/// Runs utility `name` with its words. `login` and `passwd` without words read the passwords
/// from stdin, one per line (`passwd`: old, then new), so they stay out of the process list.
pub fn run(name: &str, w: Words) -> ExitCode {
    let mut words = vec![name.to_owned()];
    let need = match name {
        "login" => 1,
        "passwd" => 2,
        _ => 0,
    };
    if need > 0 && w.args.is_empty() {
        let mut lines = std::io::stdin().lines();
        for _ in 0..need {
            words.push(lines.next().and_then(Result::ok).unwrap_or_default());
        }
    } else {
        words.extend(w.args);
    }
    request(&words)
}
