//! Property test: the compiled classifier and chain evaluator agree with the naive linear
//! reference (lsp.md §7.3 read literally) on random chains — every selector kind, lists and
//! ranges, labels and forward jumps, schedules switched off at random, fragments with unknown
//! transport fields — and random packets.

use core::net::Ipv4Addr;
use proptest::prelude::*;
use zubr_filter::chain::CompiledChain;
use zubr_filter::classify::{Classifier, EnableSet, Key};
use zubr_filter::naive;
use zubr_filter::{
    DefaultAction, Fields, FilterAction, FilterChain, FilterRule, IpsecActionId, IpsecChain,
    IpsecRule, IpsecRuleAction, PacketTypes, Selector,
};

fn addr_range() -> impl Strategy<Value = core::ops::RangeInclusive<Ipv4Addr>> {
    // a small neighbourhood so that rules overlap, plus occasional wide ranges
    prop_oneof![
        4 => (0u32..64, 0u32..8).prop_map(|(a, w)| {
            let lo = 0x0a00_0000 + a;
            Ipv4Addr::from(lo)..=Ipv4Addr::from(lo + w)
        }),
        1 => (0u32..4).prop_map(|a| {
            let lo = a << 30;
            Ipv4Addr::from(lo)..=Ipv4Addr::from(lo | 0x3fff_ffff)
        }),
        1 => Just(Ipv4Addr::new(10, 0, 0, 0)..=Ipv4Addr::new(10, 0, 0, 255)),
    ]
}

fn list<T: core::fmt::Debug + Clone>(
    s: impl Strategy<Value = T>,
) -> impl Strategy<Value = Option<Vec<T>>> {
    prop_oneof![3 => Just(None), 2 => proptest::collection::vec(s, 0..3).prop_map(Some)]
}

fn port_range() -> impl Strategy<Value = core::ops::RangeInclusive<u16>> {
    prop_oneof![
        (0u16..12).prop_map(|p| p..=p),
        (0u16..12, 0u16..6).prop_map(|(p, w)| p..=p + w),
        Just(0u16..=65535),
        Just(65530u16..=65535),
    ]
}

fn small_u8_range(max: u8) -> impl Strategy<Value = core::ops::RangeInclusive<u8>> {
    (0..max, 0u8..3).prop_map(|(a, w)| a..=a.saturating_add(w))
}

fn selector() -> impl Strategy<Value = Selector> {
    (
        list(addr_range()),
        list(addr_range()),
        list(prop_oneof![
            Just(1u8..=1),
            Just(6u8..=6),
            Just(17u8..=17),
            Just(50u8..=50),
            Just(0u8..=255),
            Just(1u8..=17)
        ]),
        list(port_range()),
        list(port_range()),
        list(small_u8_range(10)),
        list(small_u8_range(4)),
        prop_oneof![3 => Just(None), 1 => (1u8..16).prop_map(|m| Some(PacketTypes(m)))],
    )
        .prop_map(
            |(src, dst, protocol, src_port, dst_port, icmp_type, icmp_code, packet_type)| {
                Selector {
                    src,
                    dst,
                    protocol,
                    src_port,
                    dst_port,
                    icmp_type,
                    icmp_code,
                    packet_type,
                }
            },
        )
}

fn chain() -> impl Strategy<Value = FilterChain> {
    (
        proptest::collection::vec((selector(), 0u8..10, any::<bool>(), any::<bool>()), 0..40),
        any::<bool>(),
    )
        .prop_flat_map(|(rules, def_pass)| {
            let n = rules.len();
            (
                Just(rules),
                Just(def_pass),
                proptest::collection::vec(0usize..64, n),
            )
        })
        .prop_map(|(rules, def_pass, jump_seeds)| {
            let n = rules.len();
            let mut out: Vec<FilterRule> = Vec::with_capacity(n);
            for (i, (sel, kind, stateful, labelled)) in rules.into_iter().enumerate() {
                let action = match kind {
                    0..=3 => FilterAction::Pass,
                    4..=6 => FilterAction::Drop,
                    _ if i + 1 < n => {
                        let t = i + 1 + jump_seeds[i] % (n - i - 1);
                        FilterAction::JumpTo(format!("L{t}"))
                    }
                    _ => FilterAction::Drop,
                };
                let mut r = FilterRule::new(format!("r{i}"), sel, action);
                r.tcp_stateful = stateful;
                if labelled {
                    r.label = Some(format!("L{i}"));
                }
                out.push(r);
            }
            // every jump target carries its label
            let targets: Vec<usize> = out
                .iter()
                .filter_map(|r| match &r.action {
                    FilterAction::JumpTo(l) => l[1..].parse().ok(),
                    _ => None,
                })
                .collect();
            for t in targets {
                out[t].label = Some(format!("L{t}"));
            }
            FilterChain {
                name: "c".into(),
                rules: out,
                default_action: if def_pass {
                    DefaultAction::Pass
                } else {
                    DefaultAction::Drop
                },
            }
        })
}

fn packet() -> impl Strategy<Value = (Fields, bool)> {
    (
        0u32..80,
        0u32..80,
        prop_oneof![Just(1u8), Just(6), Just(17), Just(50), Just(2)],
        (0u16..20, 0u16..20),
        any::<bool>(),
        (0u8..14, 0u8..6),
        prop_oneof![Just(1u8), Just(2), Just(4), Just(8)],
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(s, d, proto, (sp, dp), hi_port, icmp, pt, fragment, far)| {
                let base = if far { 0xc000_0000 } else { 0x0a00_0000 };
                let sp = if hi_port { 65535 - sp } else { sp };
                let f = Fields {
                    src: Ipv4Addr::from(base + s),
                    dst: Ipv4Addr::from(0x0a00_0000 + d),
                    protocol: proto,
                    ports: matches!(proto, 6 | 17).then_some((sp, dp)),
                    icmp: (proto == 1).then_some(icmp),
                    packet_type: PacketTypes(pt),
                };
                (f, fragment)
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn firewall_chain_agrees(
        chain in chain(),
        disabled in proptest::collection::vec(any::<bool>(), 40),
        packets in proptest::collection::vec(packet(), 1..24),
    ) {
        let mut compiled = CompiledChain::filter(&chain).expect("valid chain");
        let en = |i: usize| !disabled.get(i).copied().unwrap_or(false);
        for i in 0..chain.rules.len() {
            compiled.set_enabled(i as u32, en(i));
        }
        for (f, fragment) in packets {
            let l4_known = !fragment || !matches!(f.protocol, 1 | 6 | 17);
            let f = if l4_known { f } else { Fields { ports: None, icmp: None, ..f } };
            let want = naive::filter_chain(&chain, en, &f, l4_known, None);
            let got = compiled.evaluate(&Key::new(&f), f.protocol, l4_known, |_, _| {});
            prop_assert_eq!(got, want, "packet {:?}", f);
        }
    }

    #[test]
    fn ipsec_chain_agrees(
        sels in proptest::collection::vec((selector(), 0u8..3), 0..40),
        packets in proptest::collection::vec(packet(), 1..24),
    ) {
        let chain = IpsecChain {
            name: "p".into(),
            rules: sels.into_iter().enumerate().map(|(i, (selector, a))| IpsecRule {
                name: format!("f{i}"),
                selector,
                schedule: None,
                log: false,
                action: match a {
                    0 => IpsecRuleAction::Pass,
                    1 => IpsecRuleAction::Drop,
                    _ => IpsecRuleAction::Protect(IpsecActionId(0)),
                },
            }).collect(),
            default_action: DefaultAction::Drop,
        };
        let compiled = CompiledChain::ipsec(&chain);
        for (f, fragment) in packets {
            let l4_known = !fragment || !matches!(f.protocol, 1 | 6 | 17);
            let f = if l4_known { f } else { Fields { ports: None, icmp: None, ..f } };
            for f in [f, f.swapped()] {
                let want = naive::ipsec_chain(&chain, |_| true, &f, l4_known, None);
                let got = compiled.evaluate(&Key::new(&f), f.protocol, l4_known, |_, _| {});
                prop_assert_eq!(got, want);
            }
        }
    }

    /// Bursts (lengths 0..40 in random cuts) agree with single lookups and with the naive
    /// evaluator, with `from` > 0 and rules disabled; chains below and above the linear-scan
    /// size.
    #[test]
    fn burst_agrees(
        sels in proptest::collection::vec(selector(), 0..80),
        packets in proptest::collection::vec(packet(), 0..70),
        disabled in proptest::collection::vec(any::<bool>(), 80),
        from in prop_oneof![Just(0usize), 0usize..90],
        seed in any::<u64>(),
    ) {
        let c = Classifier::new(&sels);
        let mut en = EnableSet::all(sels.len());
        for (i, &d) in disabled.iter().enumerate().take(sels.len()) {
            en.set(i as u32, !d);
        }
        let keys: Vec<Key> = packets.iter().map(|(f, _)| Key::new(f)).collect();
        let mut wants = Vec::new();
        for ((f, _), k) in packets.iter().zip(&keys) {
            let want = (from..sels.len())
                .find(|&i| en.get(i as u32) && sels[i].matches(f))
                .map(|i| i as u32);
            prop_assert_eq!(c.first_match(k, from as u32, &en), want);
            wants.push(want);
        }
        check_bursts(&c, &keys, &wants, from as u32, &en, seed);
    }

    #[test]
    fn first_match_from_agrees(
        sels in proptest::collection::vec(selector(), 0..60),
        packets in proptest::collection::vec(packet(), 1..16),
        from in 0usize..64,
    ) {
        let c = Classifier::new(&sels);
        let all = EnableSet::all(sels.len());
        for (f, _) in packets {
            let want = naive::first_match(&sels, &f, from).map(|i| i as u32);
            prop_assert_eq!(c.first_match(&Key::new(&f), from as u32, &all), want);
        }
    }
}

/// The same comparison on a large rule set, where the partitions and eviction actually work:
/// 20,000 rules from a deterministic generator, 20,000 packets.
#[test]
fn large_rule_set_agrees() {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut sels = Vec::new();
    for _ in 0..20_000 {
        let r = rnd();
        let pfx = |len: u32, v: u32| {
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
            Ipv4Addr::from(v & mask)..=Ipv4Addr::from(v | !mask)
        };
        let dl = [32, 32, 24, 24, 16, 8, 0][(r % 7) as usize];
        let sl = [32, 24, 16, 0, 0, 0][((r >> 3) % 6) as usize];
        let base = 0x0a00_0000 | (rnd() as u32 & 0x00ff_ffff);
        let sbase = rnd() as u32;
        let dport = match (r >> 6) % 4 {
            0 => None,
            1 => Some(vec![80..=80, 443..=443]),
            2 => Some(vec![1024..=65535]),
            _ => {
                let p = (rnd() % 2000) as u16;
                Some(vec![p..=p])
            }
        };
        sels.push(Selector {
            src: (sl > 0).then(|| vec![pfx(sl, sbase)]),
            dst: (dl > 0).then(|| vec![pfx(dl, base)]),
            protocol: match (r >> 9) % 3 {
                0 => None,
                1 => Some(vec![6..=6]),
                _ => Some(vec![17..=17]),
            },
            dst_port: dport,
            ..Default::default()
        });
    }
    let c = Classifier::new(&sels);
    let all = EnableSet::all(sels.len());
    let mut hits = 0;
    for i in 0..20_000usize {
        // half the packets are drawn from a rule, half at random
        let r = rnd();
        let s = &sels[(r % 20_000) as usize];
        let pick = |l: &Option<Vec<core::ops::RangeInclusive<Ipv4Addr>>>, rv: u32| match l {
            Some(v) => {
                let (a, b) = (u32::from(*v[0].start()), u32::from(*v[0].end()));
                Ipv4Addr::from(a + rv % (b - a).saturating_add(1).max(1))
            }
            None => Ipv4Addr::from(rv),
        };
        let f = Fields {
            src: pick(&s.src, rnd() as u32),
            dst: if i % 2 == 0 {
                pick(&s.dst, rnd() as u32)
            } else {
                Ipv4Addr::from(0x0a00_0000 | (rnd() as u32 & 0xffffff))
            },
            protocol: if r & 1 == 0 { 6 } else { 17 },
            ports: Some((
                rnd() as u16,
                [80, 443, 1500, 22, 40000][(r >> 20) as usize % 5],
            )),
            icmp: None,
            packet_type: PacketTypes::LOCAL_UNICAST,
        };
        let want = naive::first_match(&sels, &f, 0).map(|i| i as u32);
        hits += usize::from(want.is_some());
        assert_eq!(c.first_match(&Key::new(&f), 0, &all), want, "{f:?}");
    }
    assert!(hits > 5_000, "the generator must produce matches ({hits})");
}

/// ClassBench-like rules spread over the address space (prefixes /8../32, exact ports, port
/// ranges and lists, ICMP, packet types), driven by `seed`.
fn spread_rules(n: usize, seed: u64) -> Vec<Selector> {
    let mut x = seed | 1;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let pfx = |len: u32, v: u32| {
        let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
        Ipv4Addr::from(v & mask)..=Ipv4Addr::from(v | !mask)
    };
    (0..n)
        .map(|_| {
            let r = rnd();
            let dl = [32, 32, 28, 24, 24, 16, 8, 0][(r % 8) as usize];
            let sl = [32, 24, 16, 0, 0, 0][((r >> 3) % 6) as usize];
            // addresses from a few /8s so that prefixes nest
            let d = ((r >> 6) % 3) as u32;
            let dst = pfx(dl, (0x0a00_0000 + (d << 24)) | (rnd() as u32 & 0x00ff_ffff));
            let src = pfx(sl, 0x6400_0000 | (rnd() as u32 & 0x03ff_ffff));
            let proto = (r >> 8) % 6;
            let mut sel = Selector {
                src: (sl > 0).then(|| vec![src]),
                dst: (dl > 0).then(|| {
                    if (r >> 12) % 16 == 0 {
                        // a list of two prefixes
                        vec![dst, pfx(32, 0x0a00_0000 | (rnd() as u32 & 0xffff))]
                    } else {
                        vec![dst]
                    }
                }),
                protocol: match proto {
                    0 => None,
                    1 | 2 => Some(vec![6..=6]),
                    3 => Some(vec![17..=17]),
                    4 => Some(vec![1..=1]),
                    _ => Some(vec![6..=6, 17..=17]),
                },
                ..Default::default()
            };
            if matches!(proto, 1 | 2 | 3 | 5) {
                let p = (rnd() % 2000) as u16;
                sel.dst_port = match (r >> 16) % 5 {
                    0 => None,
                    1 => Some(vec![p..=p]),
                    2 => Some(vec![80..=80, 443..=443]),
                    3 => Some(vec![1024..=65535]),
                    _ => Some(vec![p..=p + 15]),
                };
                if (r >> 20) % 8 == 0 {
                    sel.src_port = Some(vec![1024..=65535]);
                }
            } else if proto == 4 && (r >> 16) % 2 == 0 {
                let t = [0u8, 3, 8, 11][((r >> 17) % 4) as usize];
                sel.icmp_type = Some(vec![t..=t]);
                if (r >> 19) % 2 == 0 {
                    sel.icmp_code = Some(vec![0..=1]);
                }
            }
            if (r >> 24) % 10 == 0 {
                sel.packet_type = Some(PacketTypes(((r >> 28) % 15 + 1) as u8));
            }
            sel
        })
        .collect()
}

/// A packet inside rule `s` (fields it leaves open are random), or a random one.
fn packet_near(s: &Selector, r: u64, r2: u64, inside: bool, fragment: bool) -> Fields {
    let pick = |l: &Option<Vec<core::ops::RangeInclusive<Ipv4Addr>>>, rv: u32, dflt: u32| match l {
        Some(v) if inside && !v.is_empty() => {
            let x = &v[(rv as usize >> 20) % v.len()];
            let (a, b) = (u32::from(*x.start()), u32::from(*x.end()));
            Ipv4Addr::from(a.wrapping_add(rv % (b - a).saturating_add(1).max(1)))
        }
        _ => Ipv4Addr::from(dflt),
    };
    let protocol = match &s.protocol {
        Some(v) if inside && !v.is_empty() => *v[(r as usize >> 3) % v.len()].start(),
        _ => [6u8, 17, 1, 50][(r % 4) as usize],
    };
    let port = |l: &Option<Vec<core::ops::RangeInclusive<u16>>>, rv: u64| match l {
        Some(v) if inside && !v.is_empty() => {
            let x = &v[(rv as usize >> 20) % v.len()];
            x.start() + (rv % (u64::from(x.end() - x.start()) + 1)) as u16
        }
        _ => [80u16, 443, 22, 1500, 40000][(rv % 5) as usize],
    };
    let l4 = !fragment;
    Fields {
        src: pick(
            &s.src,
            r2 as u32,
            0x6400_0000 | (r2 >> 32) as u32 & 0x03ff_ffff,
        ),
        dst: pick(
            &s.dst,
            (r2 >> 16) as u32,
            0x0a00_0000 | (r >> 32) as u32 & 0x02ff_ffff,
        ),
        protocol,
        ports: (l4 && matches!(protocol, 6 | 17))
            .then(|| (port(&s.src_port, r2 >> 7), port(&s.dst_port, r >> 9))),
        icmp: (l4 && protocol == 1).then_some((
            [0u8, 3, 8, 11][((r >> 40) % 4) as usize],
            ((r >> 44) % 3) as u8,
        )),
        packet_type: PacketTypes(1 << ((r >> 50) % 4)),
    }
}

fn agree_on(sels: &[Selector], disabled: &[u32], from: u32, seed: u64, packets: usize) {
    let from = from % sels.len() as u32;
    let c = Classifier::new(sels);
    // memory stays linear in the rules, whatever their overlap
    let st = c.stats();
    assert!(
        st.heap_bytes <= 512 * sels.len() + (8 << 20),
        "{} rules: {st:?}",
        sels.len()
    );
    let mut en = EnableSet::all(sels.len());
    for &d in disabled {
        en.set(d % sels.len().max(1) as u32, false);
    }
    let mut x = seed | 1;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut matched = 0;
    let mut keys = Vec::with_capacity(packets);
    let mut wants = Vec::with_capacity(packets);
    for i in 0..packets {
        let (r, r2) = (rnd(), rnd());
        // packets aimed at rules at or after `from`
        let lo = (from as usize).min(sels.len() - 1);
        let s = &sels[lo + (r % (sels.len() - lo) as u64) as usize];
        let f = packet_near(s, r, r2, i % 4 != 3, i % 16 == 5);
        let want = (from as usize..sels.len())
            .find(|&k| en.get(k as u32) && naive::first_match(&sels[k..=k], &f, 0).is_some())
            .map(|k| k as u32);
        matched += usize::from(want.is_some());
        assert_eq!(c.first_match(&Key::new(&f), from, &en), want, "{f:?}");
        keys.push(Key::new(&f));
        wants.push(want);
    }
    assert!(matched > 0, "no packet matched any rule");
    // the same packets in bursts of odd lengths
    check_bursts(&c, &keys, &wants, from, &en, seed);
}

/// `first_match_burst` and `first_match_staged` over `keys` cut into bursts of assorted lengths (0, 1, 7, 16, 17, 33 and
/// random ones, so groups are full, partial and split) gives `wants`; an `out` shorter than the
/// burst gets only its own entries and leaves nothing else written.
fn check_bursts(
    c: &Classifier,
    keys: &[Key],
    wants: &[Option<u32>],
    from: u32,
    en: &EnableSet,
    seed: u64,
) {
    let mut lens = [0usize, 1, 7, 16, 17, 33, 2, 64].into_iter().cycle();
    let mut x = seed | 1;
    let mut pos = 0;
    let mut out = vec![Some(u32::MAX); 80];
    while pos < keys.len() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let len = if x.is_multiple_of(3) {
            (x >> 8) as usize % 40
        } else {
            lens.next().unwrap_or(1)
        }
        .min(keys.len() - pos);
        type Burst = fn(&Classifier, &[Key], u32, &EnableSet, &mut [Option<u32>]);
        let ways: [(&str, Burst); 2] = [
            ("burst", Classifier::first_match_burst),
            ("staged", Classifier::first_match_staged),
        ];
        for (way, f) in ways {
            out.fill(Some(u32::MAX));
            f(c, &keys[pos..pos + len], from, en, &mut out[..len]);
            assert_eq!(
                &out[..len],
                &wants[pos..pos + len],
                "{way} at {pos}, {len} keys"
            );
            assert!(out[len..].iter().all(|o| *o == Some(u32::MAX)));
            if len > 1 {
                // a shorter `out`: only its entries are answered
                out.fill(Some(u32::MAX));
                f(c, &keys[pos..pos + len], from, en, &mut out[..len - 1]);
                assert_eq!(&out[..len - 1], &wants[pos..pos + len - 1], "{way}");
                assert_eq!(out[len - 1], Some(u32::MAX));
            }
        }
        pos += len;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    /// Up to 10,000 rules spread like real ACLs, random rules disabled (schedules), random
    /// `from`: partitions, child nodes and lists at the sizes the bench uses.
    #[test]
    fn large_spread_sets_agree(
        n in 2_000usize..=10_000,
        seed in any::<u64>(),
        disabled in proptest::collection::vec(any::<u32>(), 0..400),
        from in prop_oneof![Just(0u32), 0u32..10_000],
    ) {
        let sels = spread_rules(n, seed);
        agree_on(&sels, &disabled, from, seed ^ 0x5555, 300);
    }

    /// Thousands of the small-neighbourhood rules of the chain tests: every rule overlaps many
    /// others, so eviction, overflow lists and the memory budget are exercised.
    #[test]
    fn large_dense_sets_agree(
        sels in proptest::collection::vec(selector(), 2_000..6_000),
        disabled in proptest::collection::vec(any::<u32>(), 0..400),
        from in prop_oneof![Just(0u32), 0u32..6_000],
        seed in any::<u64>(),
    ) {
        agree_on(&sels, &disabled, from, seed, 200);
    }
}
