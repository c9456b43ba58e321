//! AH's fast path never allocates: zero heap allocations per protect/verify after SA setup, for
//! every integrity algorithm, both modes, with ESN. Its own test binary (global allocator) without the libtest harness, whose threads would
//! allocate while the test runs.

mod common;

use std::alloc::System;

use common::*;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use zubr_base::sa::Mode;
use zubr_base::{Instant, PacketBuf};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn protect_and_verify_do_not_allocate() {
    for i in suites() {
        for mode in [Mode::Tunnel, Mode::Transport] {
            let mut p = params(0x42, mode);
            p.esn = true;
            let k = key(i.mac.key_len(), 1);
            let (mut out, mut inb) = pair(p, i, &k);
            let packets = [udp(0, 1), udp(1400, 2), tcp(100, 3)];
            let mut buf = vec![0u8; 2048];
            let region = Region::new(GLOBAL);
            for orig in &packets {
                let mut pkt = PacketBuf::copy_from(&mut buf, 128, orig).unwrap();
                out.encapsulate(Instant::ZERO, &mut pkt).unwrap();
                inb.decapsulate(Instant::ZERO, &mut pkt).unwrap();
                assert_eq!(pkt.bytes(), &orig[..]);
            }
            let s = region.change();
            assert_eq!(
                (s.allocations, s.reallocations),
                (0, 0),
                "{} {mode:?}",
                i.ah_sa_name
            );
        }
    }
}

fn main() {
    protect_and_verify_do_not_allocate();
    println!("no_alloc: 1 passed, 0 failed");
}
