//! no_std link check: exercises the core crates through their public API so the linker has to
//! resolve them, with our own panic handler and a fixed-size bump allocator.
#![no_std]
#![no_main]
// GlobalAlloc is an unsafe trait: this check binary (and only it) needs unsafe.
#![allow(unsafe_code)]

extern crate alloc;

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicUsize, Ordering};

struct Bump {
    heap: UnsafeCell<[u8; 1 << 20]>,
    next: AtomicUsize,
}

// SAFETY: allocation only advances `next` atomically; regions never overlap.
unsafe impl Sync for Bump {}

unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let base = self.heap.get() as usize;
        let mut cur = self.next.load(Ordering::Relaxed);
        loop {
            let start = (base + cur).next_multiple_of(layout.align()) - base;
            let end = start + layout.size();
            if end > 1 << 20 {
                return core::ptr::null_mut();
            }
            match self.next.compare_exchange(cur, end, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return (base + start) as *mut u8,
                Err(c) => cur = c,
            }
        }
    }
    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}
}

#[global_allocator]
static HEAP: Bump = Bump {
    heap: UnsafeCell::new([0; 1 << 20]),
    next: AtomicUsize::new(0),
};

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

fn exercise() -> usize {
    let p = &zubr_crypto_stb::SOFTWARE;
    let mut n = 0;
    for group in p.self_tests {
        for t in group.iter() {
            if (t.run)().is_ok() {
                n += 1;
            }
        }
    }
    n
}

/// Parses, checks, compiles and prints a small policy.
fn lsp() -> usize {
    let src = b"IKETransform t( CipherAlg *= \"AES-K128-CBC\" HashAlg *= \"SHA1\" GroupID *= MODP_2048 )\n\
                AuthMethodPreshared psk( SharedIKESecret = \"k\" )\n\
                IKERule r( MainModeAuthMethod *= psk Transform *= t )\n\
                NetworkInterface ( LogicalName = \"eth0\" )\n";
    let c = zubr_lsp::check(src, &zubr_lsp::Options::default());
    let rules = c.compile().map(|p| p.ike_rules.len()).unwrap_or(0);
    let printed = c
        .doc
        .as_ref()
        .and_then(|d| zubr_lsp::print(d, zubr_lsp::PrintMode::Canonical).ok())
        .map(|b| b.len())
        .unwrap_or(0);
    rules + printed
}

/// The IKE engine: build one, feed it a datagram, list its SAs.
fn exercise_ike() -> usize {
    use core::net::{IpAddr, Ipv4Addr, SocketAddr};
    let Ok(mut e) = zubr_ike::Engine::new(
        zubr_ike::Config::default(),
        zubr_crypto_stb::SOFTWARE,
        &[7u8; 32],
    ) else {
        return 0;
    };
    let a = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)), 500);
    let now = zubr_base::Instant::from_secs(1);
    let _ = e.handle_datagram(now, a, a, &[0u8; 28]);
    e.handle_timeout(now);
    e.show(now, true).len()
}

/// ESP and AH (issue 2/8): one packet through an ESP tunnel SA and an AH transport SA.
fn esp_ah_round_trip() -> bool {
    use zubr_base::sa::{Mode, SaParams, Tunnel};
    use zubr_base::{Instant, PacketBuf};
    let p = &zubr_crypto_stb::SOFTWARE;
    let (Some(c), Some(i)) = (p.esp_ciphers.first(), p.integrity.first()) else {
        return false;
    };
    let Ok(mut rng) = p.drbg.instantiate(&[7u8; 32]) else {
        return false;
    };
    let t = Tunnel { src: [1, 1, 1, 1].into(), dst: [2, 2, 2, 2].into() };
    let ek = [1u8; 64];
    let ak = [2u8; 64];
    let cfg = zubr_esp::EspConfig::new(
        SaParams::new(1, Mode::Tunnel, Some(t)),
        c,
        &ek[..c.cipher.key_len()],
        Some(i),
        &ak[..i.mac.key_len()],
    );
    let ah = zubr_ah::AhConfig {
        params: SaParams::new(2, Mode::Transport, None),
        integrity: i,
        key: &ak[..i.mac.key_len()],
    };
    let (Ok(mut eo), Ok(mut ei), Ok(mut ao), Ok(mut ai)) = (
        zubr_esp::EspOutbound::new(&cfg, &mut *rng, Instant::ZERO),
        zubr_esp::EspInbound::new(&cfg, Instant::ZERO),
        zubr_ah::AhOutbound::new(&ah, &mut *rng, Instant::ZERO),
        zubr_ah::AhInbound::new(&ah, Instant::ZERO),
    ) else {
        return false;
    };
    let mut pkt = [0u8; 28];
    zubr_base::ip::write_header(
        &mut pkt,
        &zubr_base::ip::Ipv4Fields {
            tos: 0,
            total_len: 28,
            id: 0,
            df: false,
            ttl: 9,
            protocol: 17,
            src: [3, 3, 3, 3].into(),
            dst: [4, 4, 4, 4].into(),
        },
    );
    pkt[25] = 8;
    let mut buf = [0u8; 256];
    let Ok(mut b) = PacketBuf::copy_from(&mut buf, 128, &pkt) else {
        return false;
    };
    let now = Instant::ZERO;
    eo.encapsulate(now, &mut b).is_ok()
        && ao.encapsulate(now, &mut b).is_ok()
        && ai.decapsulate(now, &mut b).is_ok()
        && ei.decapsulate(now, &mut b).is_ok()
        && b.bytes() == &pkt[..]
}

/// The packet filter: load the sample policy and classify one packet.
fn exercise_filter() -> usize {
    use zubr_filter::{Engine, EngineSettings, sample_policy};
    let mut e = Engine::new(EngineSettings::default());
    let phy = e.add_interface("eth0", &[core::net::Ipv4Addr::new(10, 0, 0, 5)], &[]);
    if e.load_policy(sample_policy(), zubr_base::UnixTime(1_750_000_000)).is_err() {
        return 0;
    }
    // a minimal IPv4/UDP DHCP request
    let mut pkt = [0u8; 28];
    pkt[0] = 0x45;
    pkt[3] = 28;
    pkt[8] = 64;
    pkt[9] = 17;
    pkt[16..20].copy_from_slice(&[255, 255, 255, 255]);
    pkt[20..22].copy_from_slice(&68u16.to_be_bytes());
    pkt[22..24].copy_from_slice(&67u16.to_be_bytes());
    pkt[25] = 8;
    let v = e.outbound(phy, &pkt, false, zubr_base::Instant::from_secs(1));
    core::hint::black_box(v);
    e.events().len()
}

/// The agent: an empty agent with one interface classifies a packet under the Default Driver
/// Policy.
fn exercise_agent() -> bool {
    let Ok(mut a) = zubr_agent::Agent::new(
        zubr_crypto_stb::SOFTWARE,
        zubr_agent::AgentSettings::default(),
        &[5; 32],
    ) else {
        return false;
    };
    let phy = a.add_interface("eth0", &[core::net::Ipv4Addr::new(10, 0, 0, 5)], &[], 1500);
    let mut storage = [0u8; 128];
    let mut pkt = [0u8; 28];
    pkt[0] = 0x45;
    pkt[3] = 28;
    pkt[8] = 64;
    pkt[9] = 17;
    let Ok(mut b) = zubr_base::PacketBuf::copy_from(&mut storage, 32, &pkt) else {
        return false;
    };
    let r = a.outbound(zubr_base::Instant::from_secs(1), phy, &mut b);
    core::hint::black_box(&r);
    a.sa_pairs() == 0
}

/// The PKI (issue 6/8): parse a PEM block into the in-memory store, count the objects.
fn exercise_pki() -> usize {
    let mut store = zubr_pki::Store::new();
    let pem = b"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n";
    if let Ok(objects) = zubr_pki::parse(&zubr_crypto_stb::SOFTWARE, pem, None) {
        let _ = store.import(objects, zubr_pki::store::ImportMode::Default);
    }
    store.len()
}

#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    core::hint::black_box(exercise_agent());
    let n = exercise();
    core::hint::black_box(exercise_filter());
    core::hint::black_box(zubr_base::IpsecError::from_code(5));
    core::hint::black_box(lsp());
    core::hint::black_box(n);
    // belt raw primitives (no heap)
    core::hint::black_box(zubr_crypto_stb::belt::belt_hash(b"abc"));
    core::hint::black_box(exercise_ike());
    core::hint::black_box(esp_ah_round_trip());
    core::hint::black_box(exercise_pki());
    loop {}
}

/// The precompiled `core`/`alloc` of the host target reference the unwinding personality even
/// with `panic = "abort"`; with no `std` we provide an empty one (never called: we never unwind).
#[unsafe(no_mangle)]
pub extern "C" fn rust_eh_personality() {}

/// Likewise, the precompiled `alloc` (`String::from_utf8_lossy`, `format!`) references the
/// unwinder's resume entry point; with `panic = "abort"` it is never called.
#[allow(non_snake_case)]
#[unsafe(no_mangle)]
pub extern "C" fn _Unwind_Resume() -> ! {
    loop {}
}
