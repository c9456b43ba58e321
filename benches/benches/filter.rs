//! Packet filter benchmarks: the compiled classifier against the naive linear scan at 10, 1k,
//! 10k and 100k rules (same rule sets, same packets, same run), and the TCP connection tracker's
//! lookup with 1,000,000 tracked connections.
//!
//! Rule sets come from a deterministic ClassBench-like generator (ACL style: destination
//! prefixes /32../8, mostly wildcard sources, TCP/UDP with well-known or random exact ports and a
//! few ranges, a few ICMP rules, some any-protocol rules), ordered specific-first as real ACLs
//! are. Three quarters of the packets are drawn from inside a random rule, the rest are random
//! addresses of the same /8. `compiled_burst/{n}` classifies the same packets in bursts of
//! `BURST_LEN` with `Classifier::first_match_burst` (criterion's throughput is per packet; the
//! printed ns/packet figures divide the burst time by `BURST_LEN`). `RATIO` lines print
//! naive/compiled and naive/burst speed-ups and the growth of the compiled and burst time from
//! 1k to 100k rules; a `GOAL` line says whether 100k rules take ≤ 100 ns/packet. Per rule count
//! the bench also prints the classifier's heap (and its parts) and what an average lookup reads
//! (`Classifier::trace`: nodes, partitions, jump-table reads, record searches, lists, matchers).
//!
//! Time is the benchmark thread's CPU time ([`ThreadCpuTime`]), not wall time: the machines
//! these run on are shared by many processes on two cores, and descheduled time would dominate
//! the figures (cache lines other processes evict still count, so large rule sets stay noisy).

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::net::Ipv4Addr;
use std::ops::RangeInclusive;
use zubr_base::{Direction, Instant};
use zubr_benches::{ThreadCpuTime, mean_ns, report_speed_ratio};
use zubr_filter::classify::{Classifier, EnableSet, Key, LookupTrace};
use zubr_filter::conntrack::{ConnTracker, Segment};
use zubr_filter::event::{EventLog, EventMask};
use zubr_filter::{Fields, PacketTypes, Selector, TcpSettings, naive};

const SIZES: [usize; 4] = [10, 1_000, 10_000, 100_000];
const PACKETS: usize = 4096;
/// Packets per call of `first_match_burst` in the `compiled_burst` benches (a typical data-plane
/// receive burst; the classifier works in groups of `classify::BURST` inside it).
const BURST_LEN: usize = 32;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<T: Copy>(&mut self, weighted: &[(u32, T)]) -> T {
        let total: u32 = weighted.iter().map(|w| w.0).sum();
        let mut r = (self.next() % u64::from(total)) as u32;
        for &(w, v) in weighted {
            if r < w {
                return v;
            }
            r -= w;
        }
        weighted[0].1
    }
}

fn prefix(len: u32, v: u32) -> RangeInclusive<Ipv4Addr> {
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    Ipv4Addr::from(v & mask)..=Ipv4Addr::from(v | !mask)
}

const WELL_KNOWN: [u16; 24] = [
    20, 21, 22, 23, 25, 53, 67, 69, 80, 110, 123, 135, 137, 139, 143, 161, 389, 443, 445, 636, 993,
    1433, 3389, 8080,
];

/// A ClassBench-like ACL of `n` rules, specific rules first.
pub fn rule_set(n: usize, seed: u64) -> Vec<Selector> {
    let mut rng = Rng(seed | 1);
    let mut rules: Vec<(u32, Selector)> = Vec::with_capacity(n);
    for _ in 0..n {
        let dl = rng.pick(&[(30, 32), (10, 28), (30, 24), (15, 16), (5, 8), (10, 0)]);
        let sl = rng.pick(&[(50, 0), (15, 32), (20, 24), (10, 16), (5, 8)]);
        let proto = rng.pick(&[(60, Some(6u8)), (25, Some(17)), (5, Some(1)), (10, None)]);
        let dst = 0x0a00_0000 | (rng.next() as u32 & 0x00ff_ffff);
        let src = (rng.next() as u32 % 16 + 100) << 24 | (rng.next() as u32 & 0x00ff_ffff);
        let mut sel = Selector {
            dst: (dl > 0).then(|| vec![prefix(dl, dst)]),
            src: (sl > 0).then(|| vec![prefix(sl, src)]),
            protocol: proto.map(|p| vec![p..=p]),
            ..Default::default()
        };
        let mut spec = dl + sl;
        if matches!(proto, Some(6 | 17)) {
            let k = rng.pick(&[(50, 0u8), (15, 1), (10, 2), (5, 3), (20, 4)]);
            sel.dst_port = match k {
                0 => {
                    let p = WELL_KNOWN[(rng.next() % WELL_KNOWN.len() as u64) as usize];
                    Some(vec![p..=p])
                }
                1 => {
                    let p = (rng.next() % 65535 + 1) as u16;
                    Some(vec![p..=p])
                }
                2 => Some(vec![1024..=65535]),
                3 => {
                    let p = (rng.next() % 60000) as u16;
                    Some(vec![p..=p + 15])
                }
                _ => None,
            };
            spec += [16, 16, 2, 8, 0][k as usize];
            if rng.next().is_multiple_of(10) {
                sel.src_port = Some(vec![1024..=65535]);
                spec += 1;
            }
        } else if proto == Some(1) && rng.next().is_multiple_of(2) {
            let t = rng.pick(&[(1, 0u8), (1, 3), (1, 8), (1, 11)]);
            sel.icmp_type = Some(vec![t..=t]);
            spec += 8;
        }
        if proto.is_some() {
            spec += 4;
        }
        rules.push((spec, sel));
    }
    rules.sort_by_key(|r| std::cmp::Reverse(r.0));
    rules.into_iter().map(|r| r.1).collect()
}

fn inside(r: &Option<Vec<RangeInclusive<Ipv4Addr>>>, rnd: u32, default: u32) -> Ipv4Addr {
    match r {
        Some(v) => {
            let (a, b) = (u32::from(*v[0].start()), u32::from(*v[0].end()));
            Ipv4Addr::from(a.wrapping_add(rnd % (b - a).saturating_add(1).max(1)))
        }
        None => Ipv4Addr::from(default),
    }
}

/// `PACKETS` packets: 3/4 drawn from inside a random rule, 1/4 random in 10/8.
pub fn packets(rules: &[Selector], seed: u64) -> Vec<Fields> {
    let mut rng = Rng(seed | 1);
    (0..PACKETS)
        .map(|i| {
            let r = &rules[(rng.next() % rules.len() as u64) as usize];
            let from_rule = i % 4 != 3;
            let proto = match (&r.protocol, from_rule) {
                (Some(p), true) => *p[0].start(),
                _ => rng.pick(&[(6, 6u8), (3, 17), (1, 1)]),
            };
            let port = |l: &Option<Vec<RangeInclusive<u16>>>, x: u64| match l {
                Some(v) if from_rule => {
                    let (a, b) = (*v[0].start(), *v[0].end());
                    a + (x % (u64::from(b - a) + 1)) as u16
                }
                _ => WELL_KNOWN[(x % WELL_KNOWN.len() as u64) as usize],
            };
            let src = inside(
                &r.src,
                rng.next() as u32,
                (rng.next() as u32 % 16 + 100) << 24 | rng.next() as u32 & 0xffffff,
            );
            let dst = if from_rule {
                inside(
                    &r.dst,
                    rng.next() as u32,
                    0x0a00_0000 | rng.next() as u32 & 0xffffff,
                )
            } else {
                Ipv4Addr::from(0x0a00_0000 | rng.next() as u32 & 0xffffff)
            };
            Fields {
                src,
                dst,
                protocol: proto,
                ports: matches!(proto, 6 | 17).then(|| {
                    (
                        (rng.next() % 30000 + 32768) as u16,
                        port(&r.dst_port, rng.next()),
                    )
                }),
                icmp: (proto == 1).then(|| (rng.pick(&[(1, 0u8), (1, 8), (1, 3)]), 0)),
                packet_type: PacketTypes::LOCAL_UNICAST,
            }
        })
        .collect()
}

fn classifier(c: &mut Criterion<ThreadCpuTime>) {
    let mut g = c.benchmark_group("filter-classify");
    for n in SIZES {
        let rules = rule_set(n, 0x5eed_0000 + n as u64);
        let pkts = packets(&rules, 0xfeed + n as u64);
        let keys: Vec<Key> = pkts.iter().map(Key::new).collect();
        let cls = Classifier::new(&rules);
        let all = EnableSet::all(n);
        // the compiled answer must be the naive one on every bench packet
        let mut matched = 0;
        for (k, f) in keys.iter().zip(&pkts) {
            let want = naive::first_match(&rules, f, 0).map(|i| i as u32);
            assert_eq!(cls.first_match(k, 0, &all), want);
            matched += usize::from(want.is_some());
        }
        let st = cls.stats();
        println!(
            "rules {n}: {matched}/{PACKETS} packets match a rule; partitions src/dst/sport/dport/proto \
             {:?}, overflow {}, nodes {}, list entries {}, heap {} KiB ({} bytes/rule; KiB in \
             matchers/jump tables/records/lists {:?})",
            st.per_field,
            st.overflow,
            st.nodes,
            st.list_entries,
            st.heap_bytes / 1024,
            st.heap_bytes / n,
            st.heap_parts.map(|b| b / 1024),
        );
        let mut sum = LookupTrace::default();
        for k in &keys {
            let t = cls.trace(k, 0, &all);
            assert_eq!(t.result, cls.first_match(k, 0, &all));
            sum.add(&t);
        }
        let avg = |x: u32| f64::from(x) / PACKETS as f64;
        println!(
            "rules {n}: per lookup {:.2} nodes (max depth {:.2}), {:.2} partitions, {:.2} jump \
             reads, {:.2} record searches ({:.2} records), {:.2} lists ({:.2} entries), {:.2} \
             matchers",
            avg(sum.nodes),
            avg(sum.depth),
            avg(sum.parts),
            avg(sum.jumps),
            avg(sum.searches),
            avg(sum.search_len),
            avg(sum.lists),
            avg(sum.list_len),
            avg(sum.candidates),
        );
        let mut i = 0usize;
        g.throughput(Throughput::Elements(1));
        g.bench_function(format!("compiled/{n}"), |b| {
            b.iter(|| {
                i = (i + 1) % PACKETS;
                black_box(cls.first_match(black_box(&keys[i]), 0, &all))
            })
        });
        // bursts of BURST_LEN packets; the figure is per burst (divided per packet below)
        let mut out = [None; BURST_LEN];
        let mut burst_ok = true;
        for (ks, ws) in keys.chunks(BURST_LEN).zip(pkts.chunks(BURST_LEN)) {
            cls.first_match_burst(ks, 0, &all, &mut out);
            for (o, f) in out.iter().zip(ws) {
                burst_ok &= *o == naive::first_match(&rules, f, 0).map(|i| i as u32);
            }
        }
        assert!(
            burst_ok,
            "burst lookups must agree with the naive evaluator"
        );
        let mut i = 0usize;
        g.throughput(Throughput::Elements(BURST_LEN as u64));
        g.bench_function(format!("compiled_burst/{n}"), |b| {
            b.iter(|| {
                i = (i + BURST_LEN) % PACKETS;
                cls.first_match_burst(black_box(&keys[i..i + BURST_LEN]), 0, &all, &mut out);
                black_box(&out);
            })
        });
        g.throughput(Throughput::Elements(1));
        let mut i = 0usize;
        g.bench_function(format!("naive/{n}"), |b| {
            b.iter(|| {
                i = (i + 1) % PACKETS;
                black_box(naive::first_match(&rules, black_box(&pkts[i]), 0))
            })
        });
    }
    g.finish();
    for n in SIZES {
        report_speed_ratio(
            &format!("classifier naive/compiled at {n} rules"),
            // criterion stores `a/b` ids in `a_b` directories
            ("filter-classify", &format!("compiled_{n}")),
            ("filter-classify", &format!("naive_{n}")),
            None,
        );
    }
    let burst_ns = |n: usize| {
        mean_ns("filter-classify", &format!("compiled_burst_{n}")).map(|t| t / BURST_LEN as f64)
    };
    for n in SIZES {
        if let (Some(naive), Some(b)) = (
            mean_ns("filter-classify", &format!("naive_{n}")),
            burst_ns(n),
        ) {
            println!(
                "RATIO classifier naive/burst at {n} rules: {:.3}",
                naive / b
            );
        }
    }
    for n in SIZES {
        if let Some(ns) = mean_ns("filter-classify", &format!("compiled_{n}")) {
            println!(
                "compiled classifier at {n} rules: {ns:.1} ns/packet single, {} ns/packet in \
                 bursts of {BURST_LEN} (goal <= 100 ns at 100k)",
                burst_ns(n).map_or("-".into(), |b| format!("{b:.1}")),
            );
        }
    }
    let growth = |a: Option<f64>, b: Option<f64>| a.zip(b).map(|(a, b)| b / a);
    if let Some(g) = growth(
        mean_ns("filter-classify", "compiled_1000"),
        mean_ns("filter-classify", "compiled_100000"),
    ) {
        println!("RATIO compiled growth 1k -> 100k rules (100x rules): {g:.2}x time");
    }
    if let Some(g) = growth(burst_ns(1_000), burst_ns(100_000)) {
        println!("RATIO burst growth 1k -> 100k rules (100x rules): {g:.2}x time");
    }
    let verdict = |ns: Option<f64>| match ns {
        Some(ns) if ns <= 100.0 => format!("met ({ns:.1} ns/packet)"),
        Some(ns) => format!("NOT MET ({ns:.1} ns/packet)"),
        None => "not measured".into(),
    };
    println!(
        "GOAL <= 100 ns/packet at 100k rules: single lookups {}, bursts of {BURST_LEN} {}",
        verdict(mean_ns("filter-classify", "compiled_100000")),
        verdict(burst_ns(100_000)),
    );
}

fn conntrack(c: &mut Criterion<ThreadCpuTime>) {
    const N: u32 = 1_000_000;
    let settings = TcpSettings {
        // room for the open/close bench on top of the million
        open_max: N + 16,
        half_open_max: N,
        half_open_low: N,
        conn_rate_max: u32::MAX,
        conn_rate_low: u32::MAX,
        ..TcpSettings::default()
    };
    let mut t = ConnTracker::new(settings, 0x1234_5678);
    let mut log = EventLog::new(EventMask::NONE, 1);
    let now = Instant::from_secs(10);
    let seg = |i: u32, flags: u8| Segment {
        src: Ipv4Addr::from(0x0a00_0000 + i / 50_000),
        dst: Ipv4Addr::from(0xc000_0200 + i % 251),
        sport: (1024 + i % 50_000) as u16,
        dport: 443,
        seq: 1000,
        ack: 0,
        flags,
        window: 65535,
        payload_len: 0,
        wscale: Some(7),
    };
    for i in 0..N {
        t.open(
            &seg(i, 0x02),
            Direction::Out,
            1,
            false,
            false,
            now,
            &mut log,
        )
        .expect("room for 1M connections");
    }
    assert_eq!(t.len(), N as usize);
    println!(
        "conntrack: {} connections, {} bytes per connection (record + index)",
        t.len(),
        t.bytes_per_connection()
    );
    let mut g = c.benchmark_group("filter-conntrack");
    let probes: Vec<Segment> = (0..PACKETS as u32)
        .map(|k| seg(k.wrapping_mul(2_654_435_761) % N, 0x02))
        .collect();
    let mut i = 0usize;
    g.bench_function("lookup/1000000", |b| {
        b.iter(|| {
            i = (i + 1) % PACKETS;
            black_box(t.lookup(black_box(&probes[i]), Direction::Out))
        })
    });
    let mut small = ConnTracker::new(settings, 0x1234_5678);
    for i in 0..1000 {
        small
            .open(
                &seg(i, 0x02),
                Direction::Out,
                1,
                false,
                false,
                now,
                &mut log,
            )
            .expect("room");
    }
    let probes_small: Vec<Segment> = (0..PACKETS as u32).map(|k| seg(k % 1000, 0x02)).collect();
    let mut i = 0usize;
    g.bench_function("lookup/1000", |b| {
        b.iter(|| {
            i = (i + 1) % PACKETS;
            black_box(small.lookup(black_box(&probes_small[i]), Direction::Out))
        })
    });
    g.bench_function("open-close/1000000", |b| {
        b.iter_batched(
            || seg(N + 7, 0x02),
            |s| {
                let id = t
                    .open(&s, Direction::Out, 1, false, false, now, &mut log)
                    .expect("room");
                t.remove(id);
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
    report_speed_ratio(
        "conntrack lookup 1k/1M entries (1.0 = O(1))",
        ("filter-conntrack", "lookup_1000000"),
        ("filter-conntrack", "lookup_1000"),
        None,
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(ThreadCpuTime);
    targets = classifier, conntrack
}
criterion_main!(benches);
