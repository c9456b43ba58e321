//! Untrusted bytes into ESP decapsulation with a fixed SA (AES-128-CBC + HMAC-SHA1, tunnel,
//! ESN, UDP encapsulation chosen by the first byte): never a panic, always a typed result. A
//! second SA without integrity lets random bytes reach the decryption and padding checks.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zubr_base::sa::{Mode, SaParams, Tunnel};
use zubr_base::{Instant, PacketBuf};
use zubr_crypto_stb::SOFTWARE;
use zubr_esp::{EspConfig, EspInbound, UdpEncap};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, pkt)) = data.split_first() else { return };
    let c = SOFTWARE.esp_cipher_by_name("esp-aes128-cbc").expect("aes");
    let i = SOFTWARE.integrity_by_name("esp-sha1-hmac");
    let tunnel = Tunnel { src: [10, 0, 0, 1].into(), dst: [10, 0, 0, 2].into() };
    let mode = if sel & 1 == 0 { Mode::Tunnel } else { Mode::Transport };
    let mut p = SaParams::new(0x1000, mode, Some(tunnel));
    let authed = sel & 4 == 0;
    p.esn = authed && sel & 8 != 0;
    let mut cfg = EspConfig::new(p, c, &[7; 16], if authed { i } else { None }, &[9; 20]);
    if sel & 2 != 0 {
        cfg.udp = Some(UdpEncap::NAT_T);
    }
    let Ok(mut sa) = EspInbound::new(&cfg, Instant::ZERO) else { return };
    let mut buf = vec![0u8; pkt.len() + 64];
    let Ok(mut b) = PacketBuf::copy_from(&mut buf, 32, pkt) else { return };
    let _ = sa.decapsulate(Instant::ZERO, &mut b);
});
