//! Helpers shared by the ESP integration tests: packet builders and the list of suites, taken
//! from the provider's tables so that algorithms added later are covered automatically.
#![allow(dead_code)]

use zubr_base::sa::{Mode, SaParams};
pub use zubr_base::testing::*;
use zubr_crypto_stb::provider::{CryptoProvider, EspCipher, Integrity};
use zubr_crypto_stb::{Rng, SOFTWARE};
use zubr_esp::{ESP_NULL, EspConfig, EspInbound, EspOutbound};

pub const P: &CryptoProvider = &SOFTWARE;

/// Every (cipher, integrity) pair the provider allows in ESP: AEADs alone, other ciphers alone
/// (encryption-only, except NULL) and with every integrity algorithm.
pub fn suites() -> Vec<(&'static EspCipher, Option<&'static Integrity>)> {
    let mut v = Vec::new();
    for c in P.esp_ciphers {
        if c.is_aead() {
            v.push((c, None));
            continue;
        }
        if c.transform_id != ESP_NULL {
            v.push((c, None));
        }
        for i in P.integrity {
            v.push((c, Some(i)));
        }
    }
    v
}

pub fn name(c: &EspCipher, i: Option<&Integrity>) -> String {
    format!("{}+{}", c.sa_name, i.map_or("none", |i| i.esp_sa_name))
}

pub fn rng(seed: u8) -> Box<dyn Rng> {
    P.drbg.instantiate(&[seed; 32]).expect("drbg")
}

pub fn params(spi: u32, mode: Mode) -> SaParams {
    SaParams::new(spi, mode, Some(TUNNEL))
}

/// Keys owned for a config's lifetime.
pub struct Keys {
    pub ek: Vec<u8>,
    pub ak: Vec<u8>,
}

pub fn keys(c: &EspCipher, i: Option<&Integrity>) -> Keys {
    Keys {
        ek: key(c.cipher.key_len(), 3),
        ak: key(i.map_or(0, |i| i.mac.key_len()), 5),
    }
}

pub fn config<'k>(
    p: SaParams,
    c: &'static EspCipher,
    i: Option<&'static Integrity>,
    k: &'k Keys,
) -> EspConfig<'k> {
    EspConfig::new(p, c, &k.ek, i, &k.ak)
}

pub fn pair(cfg: &EspConfig<'_>) -> (EspOutbound, EspInbound) {
    let now = zubr_base::Instant::ZERO;
    (
        EspOutbound::new(cfg, &mut *rng(1), now).expect("outbound SA"),
        EspInbound::new(cfg, now).expect("inbound SA"),
    )
}

/// A CBC-style cipher with a separate integrity algorithm (the first of each in the tables).
pub fn default_suite() -> (&'static EspCipher, Option<&'static Integrity>) {
    let c = P
        .esp_ciphers
        .iter()
        .find(|c| !c.is_aead() && c.transform_id != ESP_NULL && c.cipher.block_len() > 1)
        .expect("a block cipher");
    (c, P.integrity.first())
}
