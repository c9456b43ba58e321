//! `zubr` — the Zubr command-line client.
//!
//! One binary carries the product's utilities as subcommands (`zubr crypto …`, `zubr integr …`, and
//! later `zubr sa …`, `zubr lsp …`, the daemon and the demo). Each subcommand lives in its own
//! module under `cmd/`; this file only parses the command line and dispatches. Exit codes and
//! messages follow the Bel VPN Client manual where a utility has a counterpart there.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

mod cmd;

/// Zubr: an IKEv1/IPsec VPN client and personal firewall with STB and GOST cryptography.
#[derive(Parser)]
#[command(name = "zubr", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Crypto provider utilities: self-test, digests.
    Crypto(cmd::crypto::Args),
    /// Integrity control of files with belt-hash (the product's integr_mgr).
    Integr(cmd::integr::Args),
    /// Policy files: check and canonical print (`lsp_mgr check`, `lsp_mgr show`).
    Lsp(cmd::lsp::Args),
    /// Diagnostic IKEv1 client: one tunnel with a PSK, pings through it, `sa_mgr show -detail`.
    Connect(Box<cmd::connect::Args>),
    /// ESP/AH on pcap files: decrypt-pcap, encrypt-pcap, algorithms.
    Esp(cmd::esp::Args),
}

fn main() -> ExitCode {
    // subcommands may add help computed at run time (e.g. the provider's algorithm names)
    let matches = cmd::esp::augment(Cli::command()).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    match cli.command {
        Command::Crypto(a) => cmd::crypto::run(a),
        Command::Integr(a) => cmd::integr::run(a),
        Command::Lsp(a) => cmd::lsp::run(a),
        Command::Connect(a) => cmd::connect::run(*a),
        Command::Esp(a) => cmd::esp::run(a),
    }
}
