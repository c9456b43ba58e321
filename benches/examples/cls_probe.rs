#![allow(missing_docs, dead_code, unused_imports)]
use std::hint::black_box;
use std::net::Ipv4Addr;
use std::ops::RangeInclusive;
use zubr_base::{Direction, Instant};
use zubr_filter::classify::{Classifier, EnableSet, Key};
use zubr_filter::conntrack::{ConnTracker, Segment};
use zubr_filter::event::{EventLog, EventMask};
use zubr_filter::{Fields, PacketTypes, Selector, TcpSettings, naive};

const SIZES: [usize; 4] = [10, 1_000, 10_000, 100_000];
const PACKETS: usize = 4096;

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

fn main() {
    let n: usize = std::env::args().nth(1).map(|s| s.parse().unwrap()).unwrap_or(100_000);
    let loops: usize = std::env::args().nth(2).map(|s| s.parse().unwrap()).unwrap_or(20);
    let rules = rule_set(n, 0x5eed_0000 + n as u64);
    let pkts = packets(&rules, 0xfeed + n as u64);
    let keys: Vec<Key> = pkts.iter().map(Key::new).collect();
    let t = std::time::Instant::now();
    let cls = Classifier::new(&rules);
    eprintln!("build {:?} {:?}", t.elapsed(), cls.stats());
    let all = EnableSet::all(n);
    let mut s = 0u64;
    let mut best = f64::MAX;
    for _ in 0..7 {
        let t = cpu_time::ThreadTime::now();
        for _ in 0..loops {
            for k in &keys {
                s += u64::from(cls.first_match(black_box(k), 0, &all).unwrap_or(7));
            }
        }
        let ns = t.elapsed().as_nanos() as f64 / (loops * keys.len()) as f64;
        best = best.min(ns);
    }
    let ns = best;
    println!("{n} rules: {ns:.1} ns/lookup (sum {s})"); 
}
