//! One module per `zubr` subcommand.

pub mod connect;
pub mod crypto;
pub mod esp;
