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

#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    let n = exercise();
    core::hint::black_box(zubr_base::IpsecError::from_code(5));
    core::hint::black_box(n);
    // belt raw primitives (no heap)
    core::hint::black_box(zubr_crypto_stb::belt::belt_hash(b"abc"));
    loop {}
}

/// The precompiled `core`/`alloc` of the host target reference the unwinding personality even
/// with `panic = "abort"`; with no `std` we provide an empty one (never called: we never unwind).
#[unsafe(no_mangle)]
pub extern "C" fn rust_eh_personality() {}
