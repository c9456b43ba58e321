//! One module per `zubr` subcommand.

pub mod connect;
pub mod crypto;
pub mod ctl;
pub mod daemon;
pub mod demo;
pub mod esp;
pub mod filter;
pub mod integr;
pub mod lsp;
// pki (issue 6/8)
pub mod cert;
pub mod key;
