//! `zubr crypto selftest` and `zubr crypto digest --alg NAME FILE...`.

use std::io::Read;
use std::process::ExitCode;

use clap::Subcommand;
use zubr_crypto_stb::{SOFTWARE, kat};

/// `zubr crypto` subcommands.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run every known-answer test of the provider; ends with `N passed, M failed`.
    Selftest {
        /// Print one line per test.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Print `HEX  FILE` for each file (`-` = stdin).
    Digest {
        /// Hash algorithm name (see `zubr crypto list`).
        #[arg(long)]
        alg: String,
        /// Files to hash.
        #[arg(required = true)]
        files: Vec<String>,
    },
    /// List the provider's algorithms with their names and wire numbers.
    List,
}

/// Runs `zubr crypto`.
pub fn run(args: Args) -> ExitCode {
    match args.command {
        Cmd::Selftest { verbose } => selftest(verbose),
        Cmd::Digest { alg, files } => digest(&alg, &files),
        Cmd::List => {
            list();
            ExitCode::SUCCESS
        }
    }
}

fn selftest(verbose: bool) -> ExitCode {
    let tests: Vec<_> = SOFTWARE
        .self_tests
        .iter()
        .flat_map(|s| s.iter().copied())
        .collect();
    let report = kat::run_all(&tests);
    if verbose {
        for (name, n) in &report.passed {
            println!("PASS {name}: {n} vectors");
        }
    }
    for (name, e) in &report.failed {
        println!("FAIL {name}: {e}");
    }
    println!(
        "{} passed, {} failed",
        report.passed.len(),
        report.failed.len()
    );
    if report.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn digest(alg: &str, files: &[String]) -> ExitCode {
    let Some(h) = SOFTWARE.hash(alg) else {
        let names: Vec<_> = SOFTWARE.hashes.iter().map(|h| h.name).collect();
        eprintln!(
            "zubr: unknown hash algorithm `{alg}`; known: {}",
            names.join(", ")
        );
        return ExitCode::from(2);
    };
    let mut status = ExitCode::SUCCESS;
    for f in files {
        let mut ctx = h.hash.start();
        let res = if f == "-" {
            feed(&mut std::io::stdin().lock(), &mut *ctx)
        } else {
            std::fs::File::open(f).and_then(|mut file| feed(&mut file, &mut *ctx))
        };
        match res {
            Ok(()) => println!("{}  {f}", hex::encode(ctx.finish().as_slice())),
            Err(e) => {
                eprintln!("zubr: {f}: {e}");
                status = ExitCode::FAILURE;
            }
        }
    }
    status
}

fn feed(
    r: &mut dyn Read,
    ctx: &mut dyn zubr_crypto_stb::provider::HashContext,
) -> std::io::Result<()> {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        ctx.update(&buf[..n]);
    }
}

fn list() {
    let p = &SOFTWARE;
    println!("hashes:");
    for h in p.hashes {
        println!("  {:<20} {}", h.name, h.oid.unwrap_or("-"));
    }
    println!("IKE ciphers (class 1 value, key bits):");
    for c in p.ike_ciphers {
        println!(
            "  {:<32} {:<20} {} {:?}",
            c.lsp_name, c.sa_name, c.attribute, c.key_bits
        );
    }
    println!("IKE hashes (class 2 value):");
    for h in p.ike_hashes {
        println!("  {:<32} {:<20} {}", h.lsp_name, h.sa_name, h.attribute);
    }
    println!("groups:");
    for g in p.groups {
        println!("  {:<32} {:<20} {}", g.lsp_name, g.sa_name, g.id);
    }
    println!("ESP ciphers (transform id, key bits):");
    for c in p.esp_ciphers {
        println!(
            "  {:<32} {:<24} {} {:?}",
            c.lsp_name, c.sa_name, c.transform_id, c.key_bits
        );
    }
    println!("integrity (auth alg, AH transform id, ICV bytes):");
    for i in p.integrity {
        println!(
            "  {:<32} {:<28} {} {:?} {}",
            i.lsp_name, i.esp_sa_name, i.auth_algorithm, i.ah_transform_id, i.icv_len
        );
    }
    println!("signatures:");
    for s in p.signatures {
        println!(
            "  {:<24} {:<28} {:?}",
            s.name,
            s.oid.unwrap_or("-"),
            s.ike_auth_method
        );
    }
    println!("DRBG: {}", p.drbg.name());
}
