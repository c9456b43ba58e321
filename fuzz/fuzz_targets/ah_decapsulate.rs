//! Untrusted bytes into AH verification with a fixed SA (HMAC-SHA1-96, tunnel or transport,
//! ESN by the first byte): never a panic. The IPv4 options walker of the ICV computation is on
//! this path.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zubr_ah::{AhConfig, AhInbound};
use zubr_base::sa::{Mode, SaParams, Tunnel};
use zubr_base::{Instant, PacketBuf};
use zubr_crypto_stb::SOFTWARE;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, pkt)) = data.split_first() else { return };
    let tunnel = Tunnel { src: [10, 0, 0, 1].into(), dst: [10, 0, 0, 2].into() };
    let mode = if sel & 1 == 0 { Mode::Tunnel } else { Mode::Transport };
    let mut p = SaParams::new(0x2000, mode, Some(tunnel));
    p.esn = sel & 2 != 0;
    let cfg = AhConfig {
        params: p,
        integrity: SOFTWARE.integrity_by_name("ah-sha1-hmac").expect("sha1"),
        key: &[9; 20],
    };
    let Ok(mut sa) = AhInbound::new(&cfg, Instant::ZERO) else { return };
    let mut buf = vec![0u8; pkt.len() + 64];
    let Ok(mut b) = PacketBuf::copy_from(&mut buf, 32, pkt) else { return };
    let _ = sa.decapsulate(Instant::ZERO, &mut b);
    // the options walker alone, on any header-sized input
    let mut hdr = [0u8; 60];
    let n = pkt.len().min(60);
    hdr[..n].copy_from_slice(&pkt[..n]);
    let _ = zubr_ah::mutable::zero_mutable(&mut hdr[..n.max(20)]);
});
