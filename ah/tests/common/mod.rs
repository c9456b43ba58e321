//! Helpers shared by the AH integration tests: packet builders and the list of suites, taken
//! from the provider's tables so that algorithms added later are covered automatically.
#![allow(dead_code)]

use zubr_ah::{AhConfig, AhInbound, AhOutbound};
use zubr_base::sa::{Mode, SaParams};
pub use zubr_base::testing::*;
use zubr_crypto_stb::provider::{CryptoProvider, Integrity};
use zubr_crypto_stb::{Rng, SOFTWARE};

pub const P: &CryptoProvider = &SOFTWARE;

/// Every integrity algorithm that has an AH transform ID.
pub fn suites() -> Vec<&'static Integrity> {
    P.integrity
        .iter()
        .filter(|i| i.ah_transform_id.is_some())
        .collect()
}

pub fn rng(seed: u8) -> Box<dyn Rng> {
    P.drbg.instantiate(&[seed; 32]).expect("drbg")
}

pub fn params(spi: u32, mode: Mode) -> SaParams {
    SaParams::new(spi, mode, Some(TUNNEL))
}

pub fn pair(p: SaParams, i: &'static Integrity, key: &[u8]) -> (AhOutbound, AhInbound) {
    let cfg = AhConfig {
        params: p,
        integrity: i,
        key,
    };
    let now = zubr_base::Instant::ZERO;
    (
        AhOutbound::new(&cfg, &mut *rng(1), now).expect("outbound SA"),
        AhInbound::new(&cfg, now).expect("inbound SA"),
    )
}
