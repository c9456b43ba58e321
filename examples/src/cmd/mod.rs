//! One module per `zubr` subcommand.

pub mod crypto;
pub mod esp;
