//! `zubr` — the Zubr command-line client.
//!
//! One binary carries the product's utilities as subcommands (`zubr crypto …`, `zubr integr …`, and
//! later `zubr sa …`, `zubr lsp …`, the daemon and the demo). Each subcommand lives in its own
//! module under `cmd/`; this file only parses the command line and dispatches. Exit codes and
//! messages follow the Bel VPN Client manual where a utility has a counterpart there.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

mod cmd;
// pki (issue 6/8): zubr-ike's certificate validator over the zubr-pki store
mod pki_validator;

/// Zubr: an IKEv1/IPsec VPN client and personal firewall with STB and GOST cryptography.
#[derive(Parser)]
#[command(name = "zubr", version, about)]
struct Cli {
    /// Control socket of `zubr daemon` (else $ZUBR_CONTROL, else /run/zubr/control.sock).
    #[arg(long, global = true)]
    control: Option<String>,
    /// Seconds to wait for the daemon's answer (10..36000, 0 = infinite).
    #[arg(short = 'T', global = true)]
    timeout: Option<u64>,
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
    /// Two agents (client and gateway) in one process over UDP on 127.0.0.1: tunnel, traffic, sa show.
    Demo(cmd::demo::Args),
    /// Packet filter: evaluate a policy over a pcap file (`filter eval`).
    Filter(cmd::filter::Args),
    /// The agent as a Linux service: IKE/NAT-T sockets, timers, control socket for the utilities.
    Daemon(cmd::daemon::Args),
    /// SAs of the daemon: show [-isakmp|-ipsec] [-i ID]... [-detail] | clear ... [-silent] | clear -all.
    Sa(cmd::ctl::Words),
    /// Tracked TCP connections: show [-detail] [-i ID]...
    Fwconn(cmd::ctl::Words),
    /// Engine settings: [show [NAME...] | set NAME VALUE...].
    Drv(cmd::ctl::Words),
    /// Default Driver Policy and Log-off policy: show [-ddp|-lop] | set [-ddp X] [-lop Y].
    Dp(cmd::ctl::Words),
    /// Interfaces and the policy's logical names: show [-all].
    If(cmd::ctl::Words),
    /// The daemon's event stream (klogview), until interrupted.
    Klog(cmd::ctl::Words),
    /// Unlock the session with the user's password (first word, or empty).
    Login(cmd::ctl::Words),
    /// Log out: all SAs deleted, the Log-off policy in force.
    Logout(cmd::ctl::Words),
    /// Change the session password: old and new, from stdin (one per line).
    Passwd(cmd::ctl::Words),
    /// Echo requests through the daemon's agent: ping ADDR [-c COUNT] [-s SRC] [-W SECONDS].
    Ping(cmd::ctl::Words),
    /// Certificates and CRLs in the store (the product's cert_mgr: show, check, import, remove).
    Cert(cmd::cert::Args),
    /// Pre-shared keys in the store (the product's key_mgr: import, remove, show, list).
    Key(cmd::key::Args),
}

fn main() -> ExitCode {
    // subcommands may add help computed at run time (e.g. the provider's algorithm names)
    // the manual's single-dash long option of `lsp_mgr show -db` / `show-info -db`
    let args = std::env::args_os().map(|a| if a == "-db" { "--db".into() } else { a });
    let matches = cmd::esp::augment(Cli::command()).get_matches_from(args);
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    cmd::ctl::set_global(cmd::ctl::Global {
        control: cli.control.clone(),
        timeout: cli.timeout,
    });
    match cli.command {
        Command::Crypto(a) => cmd::crypto::run(a),
        Command::Integr(a) => cmd::integr::run(a),
        Command::Lsp(a) => cmd::lsp::run(a),
        Command::Connect(a) => cmd::connect::run(*a),
        Command::Esp(a) => cmd::esp::run(a),
        Command::Demo(a) => cmd::demo::run(a),
        Command::Filter(a) => cmd::filter::run(a),
        Command::Daemon(a) => cmd::daemon::run(a),
        Command::Sa(w) => cmd::ctl::run("sa", w),
        Command::Fwconn(w) => cmd::ctl::run("fwconn", w),
        Command::Drv(w) => cmd::ctl::run("drv", w),
        Command::Dp(w) => cmd::ctl::run("dp", w),
        Command::If(w) => cmd::ctl::run("if", w),
        Command::Klog(w) => cmd::ctl::run("klog", w),
        Command::Login(w) => cmd::ctl::run("login", w),
        Command::Logout(w) => cmd::ctl::run("logout", w),
        Command::Ping(w) => cmd::ctl::run("ping", w),
        Command::Passwd(w) => cmd::ctl::run("passwd", w),
        Command::Cert(a) => cmd::cert::run(a),
        Command::Key(a) => cmd::key::run(a),
    }
}
