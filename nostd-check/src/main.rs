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

#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    let n = exercise();
    core::hint::black_box(zubr_base::IpsecError::from_code(5));
    core::hint::black_box(n);
    // belt raw primitives (no heap)
    core::hint::black_box(zubr_crypto_stb::belt::belt_hash(b"abc"));
    core::hint::black_box(exercise_ike());
    loop {}
}

/// The precompiled `core`/`alloc` of the host target reference the unwinding personality even
/// with `panic = "abort"`; with no `std` we provide an empty one (never called: we never unwind).
#[unsafe(no_mangle)]
pub extern "C" fn rust_eh_personality() {}

/// Same story for `alloc::fmt::format` (used by `format!` in the core crates): the host's
/// precompiled `alloc` references the unwinder's resume entry point; never called here.
#[unsafe(no_mangle)]
pub extern "C" fn _Unwind_Resume() -> ! {
    loop {}
}
