//! One module per `zubr` subcommand.

pub mod crypto;
pub mod integr;
pub mod lsp;
pub mod esp;
