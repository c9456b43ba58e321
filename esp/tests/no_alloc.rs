//! The fast path never allocates: after the SAs are set up, encapsulating and decapsulating
//! (directly and through the SA database) makes zero heap allocations, for every suite of the
//! provider, both modes, with and without UDP encapsulation and ESN. Its own test binary: the
//! counting allocator is global, and `harness = false` keeps libtest's threads (which allocate
//! while a test runs) out of the count.

mod common;

use std::alloc::System;

use common::*;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use zubr_base::sa::Mode;
use zubr_base::sadb::SaDb;
use zubr_base::{Instant, PacketBuf};
use zubr_esp::UdpEncap;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn encapsulate_and_decapsulate_do_not_allocate() {
    let mut checked = 0;
    for (c, i) in suites() {
        for mode in [Mode::Tunnel, Mode::Transport] {
            for nat_t in [false, true] {
                let authed = i.is_some() || c.is_aead();
                let mut p = params(0x99, mode);
                p.esn = authed;
                let k = keys(c, i);
                let mut cfg = config(p, c, i, &k);
                cfg.udp = nat_t.then_some(UdpEncap::NAT_T);
                let (mut out, mut inb) = pair(&cfg);
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
                    "{} {mode:?} udp={nat_t}",
                    name(c, i)
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, suites().len() * 4);

    // through the SA database (lookup, bundle checks, events)
    let (c, i) = default_suite();
    let k = keys(c, i);
    let mut p = params(0x1234, Mode::Tunnel);
    p.lifetime.soft.packets = Some(2);
    let cfg = config(p, c, i, &k);
    let (out, inb) = pair(&cfg);
    let mut db: SaDb = SaDb::new();
    let a = db.install_inbound(Box::new(inb)).unwrap();
    let b = db.install_outbound(Box::new(out));
    db.bundle(&[a]).unwrap();
    let ob = db.bundle(&[b]).unwrap();
    let orig = udp(500, 7);
    let mut buf = vec![0u8; 2048];
    let region = Region::new(GLOBAL);
    for _ in 0..4 {
        let mut pkt = PacketBuf::copy_from(&mut buf, 128, &orig).unwrap();
        db.encapsulate(Instant::ZERO, ob, &mut pkt).unwrap();
        db.decapsulate(Instant::ZERO, &mut pkt).unwrap();
        assert_eq!(pkt.bytes(), &orig[..]);
    }
    let ev = db.poll_event();
    let s = region.change();
    assert_eq!((s.allocations, s.reallocations), (0, 0), "SA database");
    assert!(
        ev.is_some(),
        "soft lifetime event queued without allocating"
    );
}

fn main() {
    encapsulate_and_decapsulate_do_not_allocate();
    println!("no_alloc: 1 passed, 0 failed");
}
