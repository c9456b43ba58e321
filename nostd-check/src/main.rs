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

#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    let n = exercise();
    core::hint::black_box(exercise_filter());
    core::hint::black_box(zubr_base::IpsecError::from_code(5));
    core::hint::black_box(n);
    loop {}
}

/// The precompiled `core`/`alloc` of the host target reference the unwinding personality even
/// with `panic = "abort"`; with no `std` we provide an empty one (never called: we never unwind).
#[unsafe(no_mangle)]
pub extern "C" fn rust_eh_personality() {}
