//! The compiled classifier: "first enabled rule at position ≥ `from` whose selectors all match
//! this packet", without scanning the chain.
//!
//! # Design: partitioned elementary-interval indexes in flat arrays
//!
//! Every rule becomes seven value sets over integer domains — source and destination address
//! (`u32`), source and destination port (`0..=65536`), protocol (`0..=255`), ICMP type and
//! code (`0..=256`) — plus a packet-type mask. Two extra values encode the rules of lsp.md §5.5
//! without special cases: port 65536 and ICMP value 256 mean "not known" (a non-first
//! fragment); a rule with port selectors has its protocol set cut down to {6, 17}, one with ICMP
//! selectors to {1}, and a rule with port/ICMP selectors also contains the "not known" value, so
//! a query with unknown transport fields returns exactly the first rule that matches on the
//! network-layer fields (the engine then asks for reassembly if that rule needs them).
//!
//! Each rule is put in the **partition of its most selective field** among source, destination,
//! source port, destination port and protocol (smallest fraction of the field's domain);
//! address partitions are split into a narrow class (≤ 65,536 addresses) and a wide class so
//! that /8s do not share intervals with /32s. A partition indexes only its field: the field's
//! domain is cut into *elementary intervals* at every range end of its rules, and each interval
//! stores the ascending list of rules whose set covers it.
//!
//! An interval whose list is longer than 8 rules gets a **child node** built the same way over
//! just those rules and the fields not used yet on the path (all of its rules cover the whole
//! interval, so that field can no longer separate them); adjacent intervals with the same list
//! share the child. Depth is at most 3 below the root. The result is a small decision forest —
//! EffiCuts-like separation by field at each level, HyperSplit-like interval cuts inside a field.
//!
//! # Layout: few cache lines per lookup
//!
//! At 100k rules the index is megabytes, so a lookup costs what its cache misses cost, and the
//! layout is built to keep them few:
//! * all partitions of all nodes live in flat arrays (no per-node vectors to chase). A node is
//!   the run of its **32-byte partition headers** (two per cache line, the first also holding
//!   the node's size and overflow list), and a child payload is the index of that run, so
//!   entering a child reads its headers directly. Each partition has a **jump table** over
//!   the span between its first and last interval start (so a field whose rules all sit in
//!   10/8 still spreads over the whole table) with about two buckets per interval (at most
//!   2^20); a bucket that lies inside one interval holds that interval's payload itself, so
//!   most lookups read one table entry and no interval record. Otherwise the bucket points at
//!   the **interval records** `(start, payload)` to search. The payloads of the first and last
//!   intervals (values outside the span) are in the header. **Candidate lists** `[len, ids…]`
//!   are shared by adjacent intervals with the same list;
//! * a payload is a child node, a single rule id (no list to read), or a list offset;
//! * each rule's **matcher is 32 bytes**, aligned, so checking a candidate is one line: address
//!   ranges as `u32`, ports as `u16`, protocol and ICMP type/code as `u8` (a rule always contains
//!   the "not known" port/ICMP value, so it needs no bits), each either a range or an exact pair
//!   of values (`{6, 17}` is a pair); a field with more values keeps its hull inline and sends
//!   the candidate to an exact multi-range check.
//!
//! Chains of at most 16 rules skip the index: their matchers are scanned in order. Otherwise a
//! lookup visits, per node, each non-empty partition (at most seven): one jump-table read,
//! sometimes a short search over the bucket's records, then either the child node or the
//! candidates in rule order. The jump-table entries of all of a node's partitions are read
//! first, with no branch on what they hold in between, so their cache misses overlap; only then
//! are the entries resolved (span selects, record searches). The scan stops at the first full
//! match or at the best match found so far; partitions are sorted by their smallest rule, so
//! those (and whole child nodes) that cannot beat the best match so far are not even looked
//! up. Packets never cause allocation.
//!
//! Memory is bounded: a rule is copied into every interval its ranges span, so a partition whose
//! lists would exceed `16 × rules + slack` entries evicts its widest quarter of rules to their
//! next most selective field; after a few rounds anything still too wide goes to a small
//! overflow list scanned linearly (only adversarial rule sets reach it), and child nodes stop
//! being built once the whole classifier holds `64 × rules + 2^18` entries. Jump tables have
//! fewer than four 8-byte entries per interval, so they stay proportional to the lists.
//! [`ClassifierStats::heap_bytes`] reports the total (11 MiB at the bench's 100k rules, about
//! 110 bytes per rule; [`ClassifierStats::heap_parts`] splits it). Schedules do not rebuild
//! anything: a per-rule enable bit is tested on each candidate.
//!
//! The naive linear evaluator in [`crate::naive`] defines the semantics; a property test checks
//! that both agree on random rule sets and packets (small chains, and rule sets of thousands of
//! rules with schedules switching rules off; bursts of odd lengths, staged and not), and
//! `benches/benches/filter.rs` measures both in the same run.
//!
//! # Bursts
//!
//! [`Classifier::first_match_burst`] classifies a slice of packets in groups of [`BURST`], stage
//! by stage: all root jump-table entries of the group, then all root interval lookups, then a
//! read of the first line each resulting payload leads to (child headers, list heads, single
//! rules' matchers), then the children's jump-table entries, and only then each packet's
//! ordinary walk. The reads of one stage do not depend on each other, which is what lets an
//! out-of-order core overlap the misses of many packets (the idea of DPDK's bulk lookups).
//! It is a real per-packet lookup, nothing is cached between packets or calls. Reading the
//! lists' further matchers ahead was tried and dropped: most are never checked (the walk stops
//! at the first match), so it cost more than it saved. An index below 4 MiB stays in cache,
//! where the stages are pure overhead (they measured 20–60 % slower at 1k and 10k rules), so
//! there a burst is served by single lookups; [`Classifier::first_match_staged`] always stages.
//!
//! # Measured (bench `filter-classify`, shared 2-core AMD EPYC VM, 4 KiB pages)
//!
//! [`Classifier::trace`] counts what a lookup reads (the same code as the lookup, counting into
//! a no-op in the fast path). On the bench's ClassBench-like 100k-rule ACL a lookup enters 2.9
//! nodes (deepest 1.3 on average), looks up 9.3 partitions with 8.5 jump-table reads, searches
//! records 2.4 times (5.4 records in all), reads 2.7 candidate lists (8.7 entries) and checks
//! 2.4 matchers: about 18 cache lines, most of them misses in a 11 MiB structure. At 1k rules
//! the figures are 1.3 nodes, 6.5 partitions, 1.7 matchers. Time per packet, single lookups:
//! about 30–40 ns at 10 rules, 100–140 ns at 1k, 200–250 ns at 10k, 250–600 ns at 100k (the
//! range is run-to-run noise of the shared machine); the same 100k classifier on 64 packets
//! that stay in cache takes 140–150 ns, so at 100k about half the time is instruction work and
//! mispredicted branches and half is cache and TLB misses. Staged bursts at 100k measured
//! 285–620 ns/packet against 360–480 ns for single lookups in the same runs: faster in some
//! runs, slower in others, so no reliable gain on this machine (a VM with nested paging and no
//! huge pages, where a miss is often also a TLB miss, shared with other builds). **The goal of
//! ≤ 100 ns/packet at 100k rules is not met**, by single or burst lookups; even fully cached,
//! this structure needs about 140 ns at 100k, so meeting it needs fewer partitions and nodes
//! per lookup (less work), not only fewer stalls.
//!
//! This module must not allocate per packet and must not depend on anything but the rules.

use alloc::collections::BTreeSet;
use alloc::vec;
use alloc::vec::Vec;

use crate::selector::{Fields, RangeSet, Selector};

/// Number of indexed fields.
pub(crate) const NF: usize = 7;
const F_SRC: usize = 0;
const F_DST: usize = 1;
const F_SPORT: usize = 2;
const F_DPORT: usize = 3;
const F_PROTO: usize = 4;
/// Port value meaning "not known".
pub(crate) const PORT_UNKNOWN: u32 = 65_536;
/// ICMP type/code value meaning "not known".
pub(crate) const ICMP_UNKNOWN: u32 = 256;
const DOMAIN_MAX: [u32; NF] = [
    u32::MAX,
    u32::MAX,
    PORT_UNKNOWN,
    PORT_UNKNOWN,
    255,
    ICMP_UNKNOWN,
    ICMP_UNKNOWN,
];
/// Size of the "real" part of each partitioning field's domain (excluding the unknown value).
const REAL_SIZE: [u64; 5] = [1 << 32, 1 << 32, 65_536, 65_536, 256];
/// Tie order when two fields are equally selective: destination, source, ports, protocol.
const TIE_ORDER: [usize; 5] = [F_DST, F_SRC, F_DPORT, F_SPORT, F_PROTO];
const REPLICATION_FACTOR: usize = 16;
const REPLICATION_SLACK: usize = 1 << 16;
const EVICTION_ROUNDS: usize = 6;

/// A packet as the classifier sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    v: [u32; NF],
    pkttype: u8,
}

impl Key {
    /// From extracted header fields. For TCP/UDP, `ports: None` means "not known"; for ICMP,
    /// `icmp: None` likewise.
    pub fn new(f: &Fields) -> Key {
        let (sp, dp) = match (f.protocol, f.ports) {
            (6 | 17, Some((s, d))) => (u32::from(s), u32::from(d)),
            (6 | 17, None) => (PORT_UNKNOWN, PORT_UNKNOWN),
            _ => (0, 0),
        };
        let (it, ic) = match (f.protocol, f.icmp) {
            (1, Some((t, c))) => (u32::from(t), u32::from(c)),
            (1, None) => (ICMP_UNKNOWN, ICMP_UNKNOWN),
            _ => (0, 0),
        };
        Key {
            v: [
                u32::from(f.src),
                u32::from(f.dst),
                sp,
                dp,
                u32::from(f.protocol),
                it,
                ic,
            ],
            pkttype: f.packet_type.0,
        }
    }
}

/// Field flag in [`Matcher::pair`]: the two bounds are the only two values, not a range.
const fn pair_bit(field: usize) -> u8 {
    1 << field
}
/// [`Matcher::pair`] bit: the inline fields are a hull; the exact check is in `slow`.
const SLOW: u8 = 1 << 7;

/// One rule's sets, compiled into 32 bytes (one half cache line). Every field is a range
/// `lo..=hi` or, with its bit in `pair`, the set `{lo, hi}`; ports and ICMP values leave out the
/// "not known" value every rule contains. With `SLOW` set the inline fields are a superset (the
/// hull of a multi-range field) and `Classifier::slow` holds the exact sets.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(32))]
struct Matcher {
    src: [u32; 2],
    dst: [u32; 2],
    sport: [u16; 2],
    dport: [u16; 2],
    proto: [u8; 2],
    itype: [u8; 2],
    icode: [u8; 2],
    pair: u8,
    /// Packet-type mask; 0 for a rule that can never match.
    pkttype: u8,
}

#[inline(always)]
fn test(lo: u32, hi: u32, v: u32, pair: bool) -> bool {
    if pair {
        v == lo || v == hi
    } else {
        lo <= v && v <= hi
    }
}

impl Matcher {
    /// Whether `k` is in the inline sets (exact unless `SLOW`). Addresses first: they reject
    /// most candidates.
    #[inline(always)]
    fn inline_matches(&self, k: &Key) -> bool {
        let v = &k.v;
        let p = self.pair;
        let m = |f: usize| p & pair_bit(f) != 0;
        let t16 = |r: [u16; 2], x: u32, f: usize| {
            x > 0xffff || test(u32::from(r[0]), u32::from(r[1]), x, m(f))
        };
        let t8 = |r: [u8; 2], x: u32, f: usize| {
            x > 0xff || test(u32::from(r[0]), u32::from(r[1]), x, m(f))
        };
        test(self.dst[0], self.dst[1], v[1], m(1))
            && test(self.src[0], self.src[1], v[0], m(0))
            && self.pkttype & k.pkttype != 0
            && t8(self.proto, v[4], 4)
            && t16(self.dport, v[3], 3)
            && t16(self.sport, v[2], 2)
            && t8(self.itype, v[5], 5)
            && t8(self.icode, v[6], 6)
    }

    /// From a rule's sets: exact inline fields where each is a range or a pair, else hulls.
    fn compile(s: &[RangeSet; NF], pkttype: u8) -> Matcher {
        let mut m = Matcher {
            pkttype,
            ..Default::default()
        };
        let mut bounds = [[0u32; 2]; NF];
        for (i, set) in s.iter().enumerate() {
            // ports and ICMP values: the real part only (every rule contains "not known")
            let real_max = match i {
                F_SRC | F_DST => u32::MAX,
                F_SPORT | F_DPORT => 0xffff,
                F_PROTO => 255,
                _ => 0xff,
            };
            let real = set.intersect(&RangeSet::full(real_max));
            bounds[i] = match real.0.as_slice() {
                [(a, b)] => [*a, *b],
                [(a, a2), (b2, b)] if a == a2 && b == b2 => {
                    m.pair |= pair_bit(i);
                    [*a, *b]
                }
                [] => {
                    // only "not known": no inline encoding, the exact check decides
                    m.pair |= SLOW;
                    [0, real_max]
                }
                many => {
                    m.pair |= SLOW;
                    let lo = many.first().map_or(0, |r| r.0);
                    let hi = many.last().map_or(real_max, |r| r.1);
                    [lo, hi]
                }
            };
        }
        m.src = bounds[0];
        m.dst = bounds[1];
        // the real parts fit their widths by construction
        let n16 = |x: u32| x.min(0xffff) as u16;
        let n8 = |x: u32| x.min(0xff) as u8;
        m.sport = [n16(bounds[2][0]), n16(bounds[2][1])];
        m.dport = [n16(bounds[3][0]), n16(bounds[3][1])];
        m.proto = [n8(bounds[4][0]), n8(bounds[4][1])];
        m.itype = [n8(bounds[5][0]), n8(bounds[5][1])];
        m.icode = [n8(bounds[6][0]), n8(bounds[6][1])];
        m
    }
}

/// The exact sets of a rule whose inline matcher is only a hull: per field `(offset, count)`
/// into `Classifier::extra` (whole sets, "not known" values included).
#[derive(Debug, Clone, Copy)]
struct SlowMatcher {
    fields: [(u32, u32); NF],
}

impl SlowMatcher {
    fn matches(&self, k: &Key, extra: &[(u32, u32)]) -> bool {
        self.fields.iter().zip(k.v).all(|(&(off, n), v)| {
            let Some(ranges) = extra.get(off as usize..(off as usize).saturating_add(n as usize))
            else {
                return false;
            };
            let p = ranges.partition_point(|&(a, _)| a <= v);
            p > 0 && ranges.get(p - 1).is_some_and(|&(_, b)| v <= b)
        })
    }
}

/// The value sets of a selector over the classifier's domains; `None` if the rule can never
/// match (an empty list, or both port and ICMP selectors).
pub(crate) fn field_sets(sel: &Selector) -> Option<[RangeSet; NF]> {
    fn list<T: Copy + Into<u32>>(
        l: &Option<Vec<core::ops::RangeInclusive<T>>>,
        max: u32,
        unknown: Option<u32>,
    ) -> RangeSet {
        match l {
            None => RangeSet::full(max),
            Some(v) => RangeSet::from_iter(
                v.iter()
                    .map(|r| ((*r.start()).into(), (*r.end()).into()))
                    .chain(unknown.map(|u| (u, u))),
            ),
        }
    }
    let addr = |l: &Option<Vec<core::ops::RangeInclusive<core::net::Ipv4Addr>>>| match l {
        None => RangeSet::full(u32::MAX),
        Some(v) => RangeSet::from_iter(
            v.iter()
                .map(|r| (u32::from(*r.start()), u32::from(*r.end()))),
        ),
    };
    let mut proto = list(&sel.protocol, 255, None);
    let has_ports = sel.src_port.is_some() || sel.dst_port.is_some();
    let has_icmp = sel.icmp_type.is_some() || sel.icmp_code.is_some();
    if has_ports {
        proto = proto.intersect(&RangeSet::from_iter([(6, 6), (17, 17)]));
    }
    if has_icmp {
        proto = proto.intersect(&RangeSet::from_iter([(1, 1)]));
    }
    let pu = Some(PORT_UNKNOWN);
    let iu = Some(ICMP_UNKNOWN);
    let sets = [
        addr(&sel.src),
        addr(&sel.dst),
        list(&sel.src_port, PORT_UNKNOWN, pu),
        list(&sel.dst_port, PORT_UNKNOWN, pu),
        proto,
        list(&sel.icmp_type, ICMP_UNKNOWN, iu),
        list(&sel.icmp_code, ICMP_UNKNOWN, iu),
    ];
    if sets.iter().any(RangeSet::is_empty) {
        return None;
    }
    Some(sets)
}

/// An elementary-interval index over one field (one partition of a node), as built; the
/// classifier keeps only its flattened form ([`Part`]).
#[derive(Debug, Clone)]
struct FieldIndex {
    field: usize,
    min_id: u32,
    /// Start of each elementary interval; `bounds[0] == 0`.
    bounds: Vec<u32>,
    /// Per interval `[start, end]`: `ids[start..end]` = rules covering it, ascending; or
    /// `[CHILD | node, _]` when a child node refines a long list.
    slots: Vec<[u32; 2]>,
    ids: Vec<u32>,
}

const CHILD: u32 = 1 << 31;

struct OverBudget;

impl FieldIndex {
    fn build(
        field: usize,
        rules: &[u32],
        sets: &[Option<[RangeSet; NF]>],
        budget: usize,
    ) -> Result<FieldIndex, OverBudget> {
        let max = DOMAIN_MAX[field];
        // (position, rule, add?)
        let mut events: Vec<(u32, u32, bool)> = Vec::new();
        for &r in rules {
            if let Some(Some(s)) = sets.get(r as usize) {
                for &(a, b) in &s[field].0 {
                    events.push((a, r, true));
                    if b < max {
                        events.push((b + 1, r, false));
                    }
                }
            }
        }
        events.sort_unstable_by_key(|e| (e.0, !e.2));
        let mut bounds = vec![0u32];
        let mut slots: Vec<[u32; 2]> = Vec::new();
        let mut ids: Vec<u32> = Vec::new();
        let mut active: BTreeSet<u32> = BTreeSet::new();
        let mut i = 0;
        while i < events.len() {
            let pos = events[i].0;
            if pos != 0 {
                if ids.len() + active.len() > budget {
                    return Err(OverBudget);
                }
                let start = ids.len() as u32;
                ids.extend(active.iter().copied());
                slots.push([start, ids.len() as u32]);
                bounds.push(pos);
            }
            while let Some(&(p, r, add)) = events.get(i) {
                if p != pos {
                    break;
                }
                if add {
                    active.insert(r);
                } else {
                    active.remove(&r);
                }
                i += 1;
            }
        }
        if ids.len() + active.len() > budget || ids.len() + active.len() >= CHILD as usize {
            return Err(OverBudget);
        }
        let start = ids.len() as u32;
        ids.extend(active.iter().copied());
        slots.push([start, ids.len() as u32]);
        Ok(FieldIndex {
            field,
            min_id: rules.iter().copied().min().unwrap_or(u32::MAX),
            bounds,
            slots,
            ids,
        })
    }

    /// The candidate list of interval `iv` (empty once a child replaced it).
    fn list(&self, iv: usize) -> &[u32] {
        match self.slots.get(iv) {
            Some(&[a, b]) if a & CHILD == 0 => self.ids.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// A node as built: partitions of its rules by field, plus a linear overflow list.
#[derive(Debug, Clone, Default)]
struct Node {
    parts: Vec<FieldIndex>,
    overflow: Vec<u32>,
}

/// A partition, flattened: where its jump table and interval records are. A node is the run
/// of its partitions in `Classifier::parts` (sorted by `min_id`), so a child payload leads
/// straight to them; the run's first entry also holds the node's size and overflow payload.
/// 32 bytes: two partitions per cache line.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(32))]
struct Part {
    field: u8,
    shift: u8,
    /// First partition of a node: the number of partitions in the node (at least 1).
    nparts: u8,
    /// Smallest rule id in the partition.
    min_id: u32,
    /// Start of interval 1 and of the last interval: values below `base` are in interval 0,
    /// values from `top` on in the last one, the span between goes through the jump table.
    base: u32,
    top: u32,
    /// `jumps[jump + t]` = `[r, direct]`: `r` is the absolute record index of the interval
    /// containing `base + (t << shift)`, `direct` the payload when the whole bucket lies in
    /// that one interval (else [`NO_DIRECT`]); one extra entry at the end.
    jump: u32,
    /// Payloads of the first interval (values below `base`) and of the last (from `top` on).
    first: u32,
    last: u32,
    /// First partition of a node: the node's overflow payload (0 = none).
    overflow: u32,
}

/// Index size from which [`Classifier::first_match_burst`] stages its lookups.
const STAGED_MIN_HEAP: usize = 4 << 20;
/// Packets per stage group of [`Classifier::first_match_burst`].
pub const BURST: usize = 8;

/// Payload tag: child node (index of its first partition).
const P_CHILD: u32 = 1 << 31;
/// Payload tag: a single rule id inline.
const P_ONE: u32 = 1 << 30;
/// Largest jump-table size (entries) per partition.
const JUMP_BITS: u32 = 20;
/// Jump-table entry: the bucket spans several intervals, search the records.
const NO_DIRECT: u32 = u32::MAX;

/// Per-rule enable bits (schedules). All rules start enabled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnableSet(Vec<u64>);

impl EnableSet {
    /// `n` rules, all enabled.
    pub fn all(n: usize) -> EnableSet {
        let mut v = vec![u64::MAX; n.div_ceil(64)];
        if !n.is_multiple_of(64)
            && let Some(last) = v.last_mut()
        {
            *last = (1u64 << (n % 64)) - 1;
        }
        EnableSet(v)
    }

    /// Whether rule `i` is enabled.
    #[inline]
    pub fn get(&self, i: u32) -> bool {
        self.0
            .get((i / 64) as usize)
            .is_some_and(|w| w >> (i % 64) & 1 == 1)
    }

    /// Enables or disables rule `i`; returns whether it changed.
    pub fn set(&mut self, i: u32, on: bool) -> bool {
        let Some(w) = self.0.get_mut((i / 64) as usize) else {
            return false;
        };
        let bit = 1u64 << (i % 64);
        let was = *w & bit != 0;
        if on {
            *w |= bit;
        } else {
            *w &= !bit;
        }
        was != on
    }
}

/// Statistics of a compiled classifier (for docs, tests and benches).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClassifierStats {
    /// Rules compiled.
    pub rules: usize,
    /// Rules that can never match (empty selector list) and were left out.
    pub never_match: usize,
    /// Rules per root partition: source, destination, source port, destination port, protocol.
    pub per_field: [usize; 5],
    /// Rules in overflow lists (scanned linearly).
    pub overflow: usize,
    /// Nodes (root included).
    pub nodes: usize,
    /// Deepest node level (root = 0).
    pub depth: usize,
    /// Candidate list entries over all nodes.
    pub list_entries: usize,
    /// Heap bytes held.
    pub heap_bytes: usize,
    /// Of which: matchers, jump tables, interval records, candidate lists.
    pub heap_parts: [usize; 4],
}

/// A compiled classifier over an ordered list of selectors.
#[derive(Debug, Clone)]
pub struct Classifier {
    matchers: Vec<Matcher>,
    /// Per rule: index into `slow` (only read for matchers with `SLOW`).
    slow_of: Vec<u32>,
    slow: Vec<SlowMatcher>,
    extra: Vec<(u32, u32)>,
    /// Partitions of all nodes; the root's run starts at 0. Empty for small chains.
    parts: Vec<Part>,
    jumps: Vec<[u32; 2]>,
    /// Interval records `(start, payload)`.
    recs: Vec<[u32; 2]>,
    /// Candidate lists `[len, ids…]`; offset 0 is the empty list.
    lists: Vec<u32>,
    stats: ClassifierStats,
}

/// Partitioning fields: source, destination, source port, destination port, protocol.
const PART_FIELDS: [usize; 5] = [F_SRC, F_DST, F_SPORT, F_DPORT, F_PROTO];
/// Address sets covering at most this many addresses form the "narrow" partition of their
/// field, wider ones the "wide" partition (so /8s do not share intervals with /32s).
const NARROW_ADDRS: u64 = 1 << 16;
/// Candidate lists up to this length are scanned; longer ones get a child node.
const LEAF: usize = 8;
const MAX_DEPTH: usize = 3;
const CHILD_SLACK: usize = 64;
/// Chains up to this many rules are scanned linearly over the compiled matchers.
const SMALL_CHAIN: usize = 16;

fn part_slot(field: usize) -> usize {
    PART_FIELDS.iter().position(|&f| f == field).unwrap_or(4)
}

/// Partition kind: (field slot, wide class).
fn kind_of(slot: usize, cov: u64) -> usize {
    match slot {
        0 => usize::from(cov > NARROW_ADDRS),
        1 => 2 + usize::from(cov > NARROW_ADDRS),
        s => s + 2,
    }
}
const KINDS: usize = 7;
const KIND_FIELD: [usize; KINDS] = [F_SRC, F_SRC, F_DST, F_DST, F_SPORT, F_DPORT, F_PROTO];

struct Builder<'a> {
    sets: &'a [Option<[RangeSet; NF]>],
    prefs: Vec<[u8; 5]>,
    cover: Vec<[u64; 5]>,
    nodes: Vec<Node>,
    entries: usize,
    global_budget: usize,
    depth: usize,
}

impl Builder<'_> {
    /// Builds a node over `rules` using only the field slots in `avail` (bit mask); returns
    /// its index.
    fn node(&mut self, rules: &[u32], avail: u8, depth: usize) -> u32 {
        self.depth = self.depth.max(depth);
        let me = self.nodes.len() as u32;
        self.nodes.push(Node::default());
        let slack = if depth == 0 {
            REPLICATION_SLACK
        } else {
            CHILD_SLACK
        };
        // choice[k] = index into the rule's preference list (restricted to `avail`)
        let usable = |b: &Builder<'_>, r: u32| -> Vec<u8> {
            b.prefs[r as usize]
                .iter()
                .copied()
                .filter(|&f| avail & (1 << part_slot(f as usize)) != 0)
                .collect()
        };
        let prefs: Vec<Vec<u8>> = rules.iter().map(|&r| usable(self, r)).collect();
        let mut choice = vec![0u8; rules.len()];
        let mut built: Vec<Option<FieldIndex>> = (0..KINDS).map(|_| None).collect();
        for round in 0..=EVICTION_ROUNDS {
            let mut groups: [Vec<usize>; KINDS] = Default::default();
            for (k, &r) in rules.iter().enumerate() {
                if let Some(&f) = prefs[k].get(choice[k] as usize) {
                    let slot = part_slot(f as usize);
                    groups[kind_of(slot, self.cover[r as usize][slot])].push(k);
                }
            }
            let mut over = false;
            for (kind, g) in groups.iter().enumerate() {
                built[kind] = None;
                if g.is_empty() {
                    continue;
                }
                let ids: Vec<u32> = g.iter().map(|&k| rules[k]).collect();
                let budget = REPLICATION_FACTOR * g.len() + slack;
                match FieldIndex::build(KIND_FIELD[kind], &ids, self.sets, budget) {
                    Ok(ix) => built[kind] = Some(ix),
                    Err(OverBudget) => {
                        over = true;
                        let slot = part_slot(KIND_FIELD[kind]);
                        if round == EVICTION_ROUNDS {
                            for &k in g {
                                choice[k] = u8::MAX;
                            }
                            continue;
                        }
                        // evict the widest quarter, sparing the narrowest rules if possible
                        let mut by_width = g.clone();
                        by_width.sort_by_key(|&k| {
                            core::cmp::Reverse(self.cover[rules[k] as usize][slot])
                        });
                        let narrowest = by_width
                            .last()
                            .map_or(0, |&k| self.cover[rules[k] as usize][slot]);
                        let quarter = by_width.len().div_ceil(4);
                        let wide = by_width
                            .iter()
                            .take(quarter)
                            .take_while(|&&k| self.cover[rules[k] as usize][slot] > narrowest)
                            .count();
                        let evict = if wide > 0 { wide } else { quarter };
                        for &k in &by_width[..evict] {
                            choice[k] = choice[k].saturating_add(1);
                        }
                    }
                }
            }
            if !over {
                break;
            }
        }
        let mut overflow: Vec<u32> = rules
            .iter()
            .enumerate()
            .filter(|(k, _)| prefs[*k].get(choice[*k] as usize).is_none())
            .map(|(_, &r)| r)
            .collect();
        overflow.sort_unstable();
        let mut parts: Vec<FieldIndex> = built.into_iter().flatten().collect();
        for p in &mut parts {
            self.entries += p.ids.len();
            let next_avail = avail & !(1 << part_slot(p.field));
            if depth >= MAX_DEPTH || next_avail == 0 {
                continue;
            }
            let mut prev: Option<(Vec<u32>, u32)> = None;
            for iv in 0..p.bounds.len() {
                let list = p.list(iv);
                if list.len() <= LEAF || self.entries > self.global_budget {
                    continue;
                }
                // the same list as the previous interval shares its child
                let child = match &prev {
                    Some((l, c)) if l.as_slice() == list => *c,
                    _ => {
                        let list = list.to_vec();
                        let c = self.node(&list, next_avail, depth + 1);
                        prev = Some((list, c));
                        c
                    }
                };
                if let Some(slot) = p.slots.get_mut(iv) {
                    *slot = [CHILD | child, 0];
                }
            }
        }
        parts.sort_by_key(|p| p.min_id);
        if let Some(n) = self.nodes.get_mut(me as usize) {
            n.parts = parts;
            n.overflow = overflow;
        }
        me
    }
}

/// Flattens built nodes into the classifier's arrays.
struct Flat {
    parts: Vec<Part>,
    jumps: Vec<[u32; 2]>,
    recs: Vec<[u32; 2]>,
    lists: Vec<u32>,
    /// Rule ids fit the inline payload.
    inline_ids: bool,
    /// Per built node: index of its first partition.
    node_part: Vec<u32>,
}

impl Flat {
    fn list_payload(&mut self, ids: &[u32]) -> u32 {
        match ids {
            [] => 0,
            [one] if self.inline_ids => P_ONE | one,
            _ => {
                let off = self.lists.len() as u32;
                self.lists.push(ids.len() as u32);
                self.lists.extend_from_slice(ids);
                off
            }
        }
    }

    fn part(&mut self, p: &FieldIndex) -> Part {
        let m = p.bounds.len();
        let rec = self.recs.len() as u32;
        let mut prev: Option<(&[u32], u32)> = None;
        for (iv, &start) in p.bounds.iter().enumerate() {
            let payload = match p.slots.get(iv) {
                Some(&[a, _]) if a & CHILD != 0 => {
                    P_CHILD
                        | self
                            .node_part
                            .get((a & !CHILD) as usize)
                            .copied()
                            .unwrap_or(0)
                }
                _ => {
                    // adjacent intervals with the same list share its storage
                    let list = p.list(iv);
                    match prev {
                        Some((l, pl)) if l == list => pl,
                        _ => {
                            let pl = self.list_payload(list);
                            prev = Some((list, pl));
                            pl
                        }
                    }
                }
            };
            self.recs.push([start, payload]);
        }
        let (base, top) = match (p.bounds.get(1), p.bounds.last()) {
            (Some(&b), Some(&t)) => (b, t),
            _ => (0, 0),
        };
        // jump table over [base, top): about one interval per bucket, at most 2^JUMP_BITS
        let span = top.saturating_sub(base);
        let span_bits = u32::BITS - span.leading_zeros();
        let table_bits = (usize::BITS - (m.max(2) - 1).leading_zeros() + 1)
            .clamp(1, JUMP_BITS)
            .min(span_bits.max(1));
        let shift = span_bits.saturating_sub(table_bits);
        let buckets = if span == 0 {
            0
        } else {
            ((span - 1) >> shift) as usize + 1
        };
        let jump = self.jumps.len() as u32;
        let mut iv = 0usize;
        let payload_of =
            |recs: &[[u32; 2]], iv: usize| recs.get(rec as usize + iv).map_or(NO_DIRECT, |r| r[1]);
        for t in 0..=buckets {
            let at = u64::from(base) + ((t as u64) << shift);
            while iv + 1 < m && u64::from(p.bounds[iv + 1]) <= at {
                iv += 1;
            }
            // the bucket's last value the table serves (values from `top` on never use it)
            let end = (at + (1u64 << shift) - 1).min(u64::from(top).saturating_sub(1));
            let single = p.bounds.get(iv + 1).is_none_or(|&b| u64::from(b) > end);
            let direct = if single && t < buckets {
                payload_of(&self.recs, iv)
            } else {
                NO_DIRECT
            };
            self.jumps.push([rec + iv as u32, direct]);
        }
        Part {
            field: p.field as u8,
            shift: shift as u8,
            nparts: 0,
            overflow: 0,
            min_id: p.min_id,
            base,
            top,
            jump,
            first: payload_of(&self.recs, 0),
            last: payload_of(&self.recs, m.saturating_sub(1)),
        }
    }

    fn build(nodes: &[Node], rules: usize) -> Flat {
        // a node without partitions still gets one (empty) entry to hold its overflow list
        let mut node_part = Vec::with_capacity(nodes.len());
        let mut at = 0u32;
        for nd in nodes {
            node_part.push(at);
            at += nd.parts.len().max(1) as u32;
        }
        let mut f = Flat {
            parts: Vec::with_capacity(at as usize),
            jumps: Vec::new(),
            recs: Vec::new(),
            lists: vec![0],
            inline_ids: rules < P_ONE as usize,
            node_part,
        };
        for nd in nodes {
            let first = f.parts.len();
            for p in &nd.parts {
                let part = f.part(p);
                f.parts.push(part);
            }
            if nd.parts.is_empty() {
                f.parts.push(Part {
                    min_id: u32::MAX,
                    ..Default::default()
                });
            }
            let overflow = f.list_payload(&nd.overflow);
            if let Some(head) = f.parts.get_mut(first) {
                head.nparts = nd.parts.len().max(1) as u8;
                head.overflow = overflow;
            }
        }
        f
    }
}

impl Classifier {
    /// Compiles `selectors` (rule `i` = position `i`).
    pub fn new<'a>(selectors: impl IntoIterator<Item = &'a Selector>) -> Classifier {
        let sels: Vec<&Selector> = selectors.into_iter().collect();
        let sets: Vec<Option<[RangeSet; NF]>> = sels.iter().map(|s| field_sets(s)).collect();
        let n = sets.len();
        let mut matchers = Vec::with_capacity(n);
        let mut slow_of = vec![u32::MAX; n];
        let mut slow = Vec::new();
        let mut extra = Vec::new();
        let mut stats = ClassifierStats {
            rules: n,
            ..Default::default()
        };
        for (r, (s, sel)) in sets.iter().zip(&sels).enumerate() {
            let Some(s) = s else {
                stats.never_match += 1;
                matchers.push(Matcher::default());
                continue;
            };
            let m = Matcher::compile(s, sel.packet_type.map_or(0x0f, |p| p.0 & 0x0f));
            if m.pair & SLOW != 0 {
                let mut fields = [(0u32, 0u32); NF];
                for (i, set) in s.iter().enumerate() {
                    fields[i] = (extra.len() as u32, set.0.len() as u32);
                    extra.extend_from_slice(&set.0);
                }
                if let Some(x) = slow_of.get_mut(r) {
                    *x = slow.len() as u32;
                }
                slow.push(SlowMatcher { fields });
            }
            matchers.push(m);
        }
        // preference order of fields per rule: most selective first
        let mut prefs: Vec<[u8; 5]> = Vec::with_capacity(n);
        let mut cover: Vec<[u64; 5]> = Vec::with_capacity(n);
        for s in &sets {
            let mut cov = [u64::MAX; 5];
            let mut order = [0u8; 5];
            if let Some(s) = s {
                for (slot, &f) in PART_FIELDS.iter().enumerate() {
                    // size of the real part (without the "unknown" value), scaled to 2^32
                    let real = s[f].intersect(&RangeSet::full((REAL_SIZE[slot] - 1) as u32));
                    cov[slot] = real.size() * ((1u64 << 32) / REAL_SIZE[slot]);
                }
                let mut fields = TIE_ORDER;
                fields.sort_by_key(|&f| cov[part_slot(f)]);
                for (k, f) in fields.iter().enumerate() {
                    order[k] = *f as u8;
                }
            }
            prefs.push(order);
            cover.push(cov);
        }
        let live: Vec<u32> = (0..n as u32)
            .filter(|&r| sets[r as usize].is_some())
            .collect();
        let mut b = Builder {
            sets: &sets,
            prefs,
            cover,
            nodes: Vec::new(),
            entries: 0,
            global_budget: 4 * REPLICATION_FACTOR * n + 4 * REPLICATION_SLACK,
            depth: 0,
        };
        if n > SMALL_CHAIN {
            b.node(&live, 0b1_1111, 0);
        }
        let nodes = b.nodes;
        stats.depth = b.depth;
        stats.nodes = nodes.len();
        if let Some(root) = nodes.first() {
            for p in &root.parts {
                let slot = part_slot(p.field);
                stats.per_field[slot] += p.ids.iter().copied().collect::<BTreeSet<u32>>().len();
            }
        }
        for nd in &nodes {
            stats.overflow += nd.overflow.len();
            for p in &nd.parts {
                stats.list_entries += p.ids.len();
            }
        }
        let flat = Flat::build(&nodes, n);
        stats.heap_bytes = matchers.capacity() * size_of::<Matcher>()
            + slow_of.capacity() * 4
            + slow.capacity() * size_of::<SlowMatcher>()
            + extra.capacity() * 8
            + flat.parts.capacity() * size_of::<Part>()
            + flat.jumps.capacity() * 8
            + flat.recs.capacity() * 8
            + flat.lists.capacity() * 4;
        stats.heap_parts = [
            matchers.capacity() * size_of::<Matcher>(),
            flat.jumps.capacity() * 8,
            flat.recs.capacity() * 8,
            flat.lists.capacity() * 4,
        ];
        Classifier {
            matchers,
            slow_of,
            slow,
            extra,
            parts: flat.parts,
            jumps: flat.jumps,
            recs: flat.recs,
            lists: flat.lists,
            stats,
        }
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.matchers.len()
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.matchers.is_empty()
    }

    /// Build statistics.
    pub fn stats(&self) -> ClassifierStats {
        self.stats
    }

    /// Whether rule `id` matches `key` (its schedule aside).
    #[inline(always)]
    fn rule_matches(&self, id: u32, key: &Key) -> bool {
        let Some(m) = self.matchers.get(id as usize) else {
            return false;
        };
        if !m.inline_matches(key) {
            return false;
        }
        m.pair & SLOW == 0
            || self
                .slow_of
                .get(id as usize)
                .and_then(|&i| self.slow.get(i as usize))
                .is_some_and(|s| s.matches(key, &self.extra))
    }

    /// The first enabled rule at position ≥ `from` matching `key`.
    #[inline]
    pub fn first_match(&self, key: &Key, from: u32, enabled: &EnableSet) -> Option<u32> {
        self.walk(key, from, enabled, &mut ())
    }

    /// [`Classifier::first_match`], counting the memory reads it makes (for tests and benches;
    /// the count is made by the very same code, the plain lookup counts into `()`).
    pub fn trace(&self, key: &Key, from: u32, enabled: &EnableSet) -> LookupTrace {
        let mut t = LookupTrace::default();
        t.result = self.walk(key, from, enabled, &mut t);
        t
    }

    #[inline(always)]
    fn walk<P: Probe>(
        &self,
        key: &Key,
        from: u32,
        enabled: &EnableSet,
        probe: &mut P,
    ) -> Option<u32> {
        if self.parts.is_empty() {
            // a few 32-byte matchers in a row beat any index
            return (from..self.matchers.len() as u32).find(|&i| {
                probe.candidate();
                self.rule_matches(i, key) && enabled.get(i)
            });
        }
        let best = self.node_first(0, key, from, u32::MAX, enabled, 0, probe);
        (best != u32::MAX).then_some(best)
    }

    #[allow(clippy::too_many_arguments)]
    fn node_first<P: Probe>(
        &self,
        n: u32,
        key: &Key,
        from: u32,
        best: u32,
        enabled: &EnableSet,
        depth: usize,
        probe: &mut P,
    ) -> u32 {
        let Some(head) = self.parts.get(n as usize) else {
            return best;
        };
        probe.node(depth);
        let overflow = head.overflow;
        if overflow == 0 && head.min_id >= best {
            // nothing here can beat what was found already
            return best;
        }
        let parts = self
            .parts
            .get(n as usize..n as usize + usize::from(head.nparts))
            .unwrap_or(&[]);
        // partitions are sorted by their smallest rule: those from `min_id >= best` on can
        // only lose
        let parts = parts
            .get(..parts.partition_point(|p| p.min_id < best))
            .unwrap_or(&[]);
        // the interval lookups of all partitions are independent: do them first, so that
        // their cache misses overlap instead of queueing behind each candidate check
        // all table reads first, with no branch on what they read in between, so that their
        // misses overlap; then the interval lookups
        let mut ents = [[0u32; 2]; KINDS];
        for (e, p) in ents.iter_mut().zip(parts) {
            *e = self.entry(p, field_of(key, p));
        }
        let mut payloads = [0u32; KINDS];
        for ((slot, p), &e) in payloads.iter_mut().zip(parts).zip(&ents) {
            *slot = self.record(p, field_of(key, p), e, probe);
        }
        self.node_rest(
            parts, &payloads, overflow, key, from, best, enabled, depth, probe,
        )
    }

    /// The second half of [`Classifier::node_first`]: the payloads of the node's partitions
    /// (in partition order) and its overflow list, with pruning.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn node_rest<P: Probe>(
        &self,
        parts: &[Part],
        payloads: &[u32; KINDS],
        overflow: u32,
        key: &Key,
        from: u32,
        mut best: u32,
        enabled: &EnableSet,
        depth: usize,
        probe: &mut P,
    ) -> u32 {
        for (p, &payload) in parts.iter().zip(payloads) {
            if p.min_id >= best {
                break;
            }
            best = self.payload(payload, key, from, best, enabled, depth, probe);
        }
        if overflow != 0 {
            best = self.payload(overflow, key, from, best, enabled, depth, probe);
        }
        best
    }

    /// [`Classifier::first_match`] for each of `keys` (answers in `out`, for the first
    /// `min(keys.len(), out.len())` keys; the rest of `out` is left alone), in groups of
    /// [`BURST`] packets whose lookups run stage by stage: every packet's root jump-table
    /// entries, then their root interval lookups, then a read of the first cache line of
    /// whatever each lookup leads to (a child node's partition headers, a candidate list, a
    /// single rule's matcher), then the children's jump-table entries, and only then the
    /// ordinary walk of each packet, which by then finds much of its data in cache. The reads of
    /// one stage do not depend on each other, so the processor can overlap the cache misses of
    /// a whole group instead of waiting for each packet's misses one after another
    /// (memory-level parallelism, the idea of DPDK's bulk LPM/ACL lookups; see the module docs
    /// for what it measured). Nothing is remembered between packets or calls: every packet is
    /// looked up in full, and nothing is allocated.
    ///
    /// A classifier whose index is smaller than 4 MiB stays in cache, where staging only adds
    /// work (measured: 20–60 % slower at 1k and 10k rules), so its bursts are served by single
    /// lookups; [`Classifier::first_match_staged`] stages whatever the size.
    pub fn first_match_burst(
        &self,
        keys: &[Key],
        from: u32,
        enabled: &EnableSet,
        out: &mut [Option<u32>],
    ) {
        if self.stats.heap_bytes < STAGED_MIN_HEAP {
            for (k, o) in keys.iter().zip(out.iter_mut()) {
                *o = self.first_match(k, from, enabled);
            }
            return;
        }
        self.first_match_staged(keys, from, enabled, out);
    }

    /// [`Classifier::first_match_burst`] with the staged lookups at any classifier size (the
    /// same answers; for tests, and for callers who know their cache better).
    pub fn first_match_staged(
        &self,
        keys: &[Key],
        from: u32,
        enabled: &EnableSet,
        out: &mut [Option<u32>],
    ) {
        for (ks, os) in keys.chunks(BURST).zip(out.chunks_mut(BURST)) {
            self.burst_group(ks, from, enabled, os);
        }
    }

    fn burst_group(&self, keys: &[Key], from: u32, enabled: &EnableSet, out: &mut [Option<u32>]) {
        let root = match self.parts.first() {
            Some(h) if h.min_id != u32::MAX => h,
            _ => {
                // a linear chain, or a root holding only an overflow list: nothing to stage
                for (k, o) in keys.iter().zip(out.iter_mut()) {
                    *o = self.first_match(k, from, enabled);
                }
                return;
            }
        };
        let parts = self.parts.get(..usize::from(root.nparts)).unwrap_or(&[]);
        // stage 1: every packet's root jump-table entries (no branch on what they read, so
        // the misses of the whole group overlap)
        let mut ents = [[[0u32; 2]; KINDS]; BURST];
        for (j, p) in parts.iter().enumerate() {
            for (row, key) in ents.iter_mut().zip(keys) {
                if let Some(e) = row.get_mut(j) {
                    *e = self.entry(p, field_of(key, p));
                }
            }
        }
        // stage 2: the root interval lookups
        let mut pay = [[0u32; KINDS]; BURST];
        for (j, p) in parts.iter().enumerate() {
            for ((row, key), es) in pay.iter_mut().zip(keys).zip(&ents) {
                if let (Some(x), Some(&e)) = (row.get_mut(j), es.get(j)) {
                    *x = self.record(p, field_of(key, p), e, &mut ());
                }
            }
        }
        // Stages that only bring lines into the cache fold what they read into `sink` and
        // branch on none of it, so none of their loads waits for another.
        let mut sink = 0u32;
        // stage 3: the first lines of what the payloads lead to
        for row in pay.iter().take(keys.len()) {
            for &x in row.iter().take(parts.len()) {
                sink ^= self.touch(x);
            }
        }
        // stage 4: the children's jump-table entries
        for (row, key) in pay.iter().zip(keys) {
            for &x in row.iter().take(parts.len()) {
                sink ^= self.touch_child(x, key);
            }
        }
        core::hint::black_box(sink);
        // the walks, on cached data
        for ((row, key), o) in pay.iter().zip(keys).zip(out.iter_mut()) {
            let best = self.node_rest(
                parts,
                row,
                root.overflow,
                key,
                from,
                u32::MAX,
                enabled,
                0,
                &mut (),
            );
            *o = (best != u32::MAX).then_some(best);
        }
    }

    /// Reads the first line of what `payload` leads to: a child's partition headers, a list's
    /// head, a single rule's matcher. Returns a value derived from the reads.
    #[inline(always)]
    fn touch(&self, payload: u32) -> u32 {
        if payload & P_CHILD != 0 {
            // the node's first partition headers (the rest are usually on the same line)
            let c = (payload & !P_CHILD) as usize;
            self.parts.get(c).map_or(0, |h| h.min_id)
        } else if payload & P_ONE != 0 {
            self.matchers
                .get((payload & !P_ONE) as usize)
                .map_or(0, |m| m.src[0])
        } else {
            self.lists.get(payload as usize).copied().unwrap_or(0)
        }
    }

    /// The stage after [`Classifier::touch`] (whose lines are cached now): a child's
    /// jump-table entries for `key`. (Reading lists' matchers ahead as well was measured to
    /// cost more than it saves: most of them are never checked.)
    #[inline(always)]
    fn touch_child(&self, payload: u32, key: &Key) -> u32 {
        if payload & P_CHILD != 0 {
            let c = (payload & !P_CHILD) as usize;
            let Some(h) = self.parts.get(c) else {
                return 0;
            };
            let parts = self.parts.get(c..c + usize::from(h.nparts)).unwrap_or(&[]);
            parts
                .iter()
                .fold(0, |s, p| s ^ self.entry(p, field_of(key, p))[0])
        } else {
            0
        }
    }

    /// The jump-table index of the bucket of `v` in `p`, and whether `v` lies in the table's
    /// span (outside it, the index is the table's first entry, which always exists).
    #[inline(always)]
    fn bucket(p: &Part, v: u32) -> (usize, bool) {
        let in_span = (v >= p.base) & (v < p.top);
        let off = (v.wrapping_sub(p.base) >> p.shift) as usize;
        (p.jump as usize + if in_span { off } else { 0 }, in_span)
    }

    /// The jump-table entry of the bucket of `v` in `p` (the table's first entry when `v` is
    /// outside its span).
    #[inline(always)]
    fn entry(&self, p: &Part, v: u32) -> [u32; 2] {
        self.jumps
            .get(Self::bucket(p, v).0)
            .copied()
            .unwrap_or([0, 0])
    }

    /// The payload of the interval of `p` containing `v`, given `e = entry(p, v)`. Selects
    /// rather than branches on the span, so that only a bucket spanning several intervals
    /// costs a branch.
    #[inline(always)]
    fn record<P: Probe>(&self, p: &Part, v: u32, e: [u32; 2], probe: &mut P) -> u32 {
        probe.part();
        let (t, in_span) = Self::bucket(p, v);
        if in_span {
            probe.jump();
        }
        let outside = if v < p.base { p.first } else { p.last };
        let [lo, direct] = e;
        let direct = if in_span { direct } else { outside };
        if direct != NO_DIRECT {
            return direct;
        }
        let hi = self.jumps.get(t + 1).map_or(lo, |e| e[0]);
        let within = self.recs.get(lo as usize + 1..=hi as usize).map_or(0, |r| {
            probe.search(r.len());
            r.partition_point(|x| x[0] <= v)
        });
        self.recs.get(lo as usize + within).map_or(0, |r| r[1])
    }

    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn payload<P: Probe>(
        &self,
        payload: u32,
        key: &Key,
        from: u32,
        best: u32,
        enabled: &EnableSet,
        depth: usize,
        probe: &mut P,
    ) -> u32 {
        if payload & P_CHILD != 0 {
            if depth < MAX_DEPTH {
                return self.node_first(
                    payload & !P_CHILD,
                    key,
                    from,
                    best,
                    enabled,
                    depth + 1,
                    probe,
                );
            }
            return best;
        }
        if payload & P_ONE != 0 {
            let id = payload & !P_ONE;
            return if id >= from && id < best && enabled.get(id) && {
                probe.candidate();
                self.rule_matches(id, key)
            } {
                id
            } else {
                best
            };
        }
        let off = payload as usize;
        let len = self.lists.get(off).copied().unwrap_or(0) as usize;
        let ids = self.lists.get(off + 1..off + 1 + len).unwrap_or(&[]);
        probe.list(ids.len());
        let start = if from == 0 {
            0
        } else {
            ids.partition_point(|&i| i < from)
        };
        for &id in ids.get(start..).unwrap_or(&[]) {
            if id >= best {
                break;
            }
            if enabled.get(id) && {
                probe.candidate();
                self.rule_matches(id, key)
            } {
                return id;
            }
        }
        best
    }
}

/// The value of `key` in the field `p` indexes.
#[inline(always)]
fn field_of(key: &Key, p: &Part) -> u32 {
    key.v.get(usize::from(p.field)).copied().unwrap_or(0)
}

/// Counts of what one lookup read ([`Classifier::trace`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LookupTrace {
    /// The lookup's answer (the same as [`Classifier::first_match`]).
    pub result: Option<u32>,
    /// Nodes entered (root included).
    pub nodes: u32,
    /// Deepest node entered (root = 0).
    pub depth: u32,
    /// Partitions looked up.
    pub parts: u32,
    /// Jump-table reads (the value fell between the first and the last interval).
    pub jumps: u32,
    /// Jump-table buckets that spanned several intervals, so records were searched.
    pub searches: u32,
    /// Interval records in the searched ranges.
    pub search_len: u32,
    /// Candidate lists read (single-rule payloads are inline and not counted).
    pub lists: u32,
    /// Entries in the lists read.
    pub list_len: u32,
    /// Matchers checked.
    pub candidates: u32,
}

impl LookupTrace {
    /// Field-wise sum (for averages over many lookups).
    pub fn add(&mut self, o: &LookupTrace) {
        self.nodes += o.nodes;
        self.depth += o.depth;
        self.parts += o.parts;
        self.jumps += o.jumps;
        self.searches += o.searches;
        self.search_len += o.search_len;
        self.lists += o.lists;
        self.list_len += o.list_len;
        self.candidates += o.candidates;
    }
}

/// What a lookup reports as it goes: nothing for `()` (the fast path), counts for
/// [`LookupTrace`].
trait Probe {
    fn node(&mut self, depth: usize);
    fn part(&mut self);
    fn jump(&mut self);
    fn search(&mut self, len: usize);
    fn list(&mut self, len: usize);
    fn candidate(&mut self);
}

impl Probe for () {
    #[inline(always)]
    fn node(&mut self, _: usize) {}
    #[inline(always)]
    fn part(&mut self) {}
    #[inline(always)]
    fn jump(&mut self) {}
    #[inline(always)]
    fn search(&mut self, _: usize) {}
    #[inline(always)]
    fn list(&mut self, _: usize) {}
    #[inline(always)]
    fn candidate(&mut self) {}
}

impl Probe for LookupTrace {
    fn node(&mut self, depth: usize) {
        self.nodes += 1;
        self.depth = self.depth.max(depth as u32);
    }
    fn part(&mut self) {
        self.parts += 1;
    }
    fn jump(&mut self) {
        self.jumps += 1;
    }
    fn search(&mut self, len: usize) {
        self.searches += 1;
        self.search_len += len as u32;
    }
    fn list(&mut self, len: usize) {
        self.lists += 1;
        self.list_len += len as u32;
    }
    fn candidate(&mut self) {
        self.candidates += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::selector::PacketTypes;
    use core::net::Ipv4Addr;

    fn ip(s: &str) -> Ipv4Addr {
        s.parse().unwrap()
    }

    fn fields(src: &str, dst: &str, proto: u8, ports: Option<(u16, u16)>) -> Fields {
        Fields {
            src: ip(src),
            dst: ip(dst),
            protocol: proto,
            ports,
            icmp: None,
            packet_type: PacketTypes::LOCAL_UNICAST,
        }
    }

    #[test]
    fn basic_first_match_and_from() {
        let sels = vec![
            Selector {
                dst: Some(vec![ip("10.0.0.0")..=ip("10.0.0.255")]),
                dst_port: Some(vec![22..=22]),
                ..Default::default()
            },
            Selector {
                src: Some(vec![ip("192.168.0.1")..=ip("192.168.0.1")]),
                ..Default::default()
            },
            Selector {
                protocol: Some(vec![6..=6]),
                ..Default::default()
            },
            Selector::default(),
        ];
        let c = Classifier::new(&sels);
        let all = EnableSet::all(4);
        let k = Key::new(&fields("1.1.1.1", "10.0.0.7", 6, Some((1000, 22))));
        assert_eq!(c.first_match(&k, 0, &all), Some(0));
        assert_eq!(c.first_match(&k, 1, &all), Some(2));
        assert_eq!(c.first_match(&k, 3, &all), Some(3));
        assert_eq!(c.first_match(&k, 4, &all), None);
        let k = Key::new(&fields("192.168.0.1", "10.0.0.7", 17, Some((1000, 23))));
        assert_eq!(c.first_match(&k, 0, &all), Some(1));
        let mut en = EnableSet::all(4);
        assert!(en.set(1, false));
        assert!(!en.set(1, false));
        assert_eq!(c.first_match(&k, 0, &en), Some(3));
        // unknown ports: rule 0 matches on L3 fields, so it is reported
        let k = Key::new(&fields("1.1.1.1", "10.0.0.7", 6, None));
        assert_eq!(c.first_match(&k, 0, &all), Some(0));
        // ports on ESP: rule 0 cannot match
        let k = Key::new(&fields("1.1.1.1", "10.0.0.7", 50, None));
        assert_eq!(c.first_match(&k, 0, &all), Some(3));
    }

    #[test]
    fn empty_lists_never_match() {
        let sels = vec![
            Selector {
                dst: Some(vec![]),
                ..Default::default()
            },
            Selector {
                dst_port: Some(vec![1..=1]),
                icmp_type: Some(vec![1..=1]),
                ..Default::default()
            },
        ];
        let c = Classifier::new(&sels);
        assert_eq!(c.stats().never_match, 2);
        let k = Key::new(&fields("1.1.1.1", "10.0.0.7", 6, Some((1, 1))));
        assert_eq!(c.first_match(&k, 0, &EnableSet::all(2)), None);
    }

    /// Rules that overlap on every field at once end in the root's overflow list; bursts must
    /// scan it too, and agree with single lookups and the naive evaluator there.
    #[test]
    fn burst_with_root_overflow() {
        let a = |x: u32| Ipv4Addr::from(0x0a00_0000 + x);
        let sels: Vec<Selector> = (0..4000u32)
            .map(|i| Selector {
                src: Some(vec![a(2 * i)..=a(2 * i + 2000)]),
                dst: Some(vec![a(3 * i)..=a(3 * i + 3000)]),
                protocol: Some(vec![(i % 200) as u8..=(i % 200 + 50) as u8]),
                ..Default::default()
            })
            .collect();
        let c = Classifier::new(&sels);
        assert!(
            c.parts.first().is_some_and(|h| h.overflow != 0),
            "{:?}",
            c.stats()
        );
        let mut en = EnableSet::all(sels.len());
        for i in (0..4000).step_by(7) {
            en.set(i, false);
        }
        let mut x = 0x1234_5678_9abc_def1u64;
        let fs: Vec<Fields> = (0..300)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let mut f = fields("0.0.0.0", "0.0.0.0", (x >> 40) as u8 % 255, None);
                f.src = a((x % 9000) as u32);
                f.dst = a(((x >> 16) % 13000) as u32);
                f
            })
            .collect();
        let keys: Vec<Key> = fs.iter().map(Key::new).collect();
        let mut hits = 0;
        for from in [0u32, 1500] {
            let mut out = vec![None; keys.len()];
            c.first_match_staged(&keys, from, &en, &mut out);
            let mut out2 = vec![None; keys.len()];
            c.first_match_burst(&keys, from, &en, &mut out2);
            assert_eq!(out, out2);
            for ((f, k), o) in fs.iter().zip(&keys).zip(&out) {
                let want = (from as usize..sels.len())
                    .find(|&i| en.get(i as u32) && sels[i].matches(f))
                    .map(|i| i as u32);
                assert_eq!(c.first_match(k, from, &en), want, "{f:?}");
                assert_eq!(*o, want, "{f:?}");
                hits += usize::from(want.is_some());
            }
        }
        assert!(hits > 100, "{hits}");
    }

    #[test]
    fn enable_set_tail_bits() {
        let e = EnableSet::all(65);
        assert!(e.get(64));
        assert!(!e.get(65));
        assert!(!e.get(1000));
    }

    #[test]
    fn adversarial_nesting_stays_bounded() {
        // 3000 identical /16 rules over 3000 /32 rules inside them: without eviction the /16s
        // would be copied into ~6000 intervals each.
        let mut sels = Vec::new();
        for _ in 0..3000 {
            sels.push(Selector {
                dst: Some(vec![ip("10.1.0.0")..=ip("10.1.255.255")]),
                dst_port: Some(vec![80..=80]),
                ..Default::default()
            });
        }
        for i in 0..3000u32 {
            let a = Ipv4Addr::from(u32::from(ip("10.1.0.0")) + i * 7);
            sels.push(Selector {
                dst: Some(vec![a..=a]),
                ..Default::default()
            });
        }
        let c = Classifier::new(&sels);
        let st = c.stats();
        assert!(
            st.list_entries <= 5 * REPLICATION_FACTOR * 6000 + 5 * REPLICATION_SLACK,
            "{st:?}"
        );
        let all = EnableSet::all(sels.len());
        let k = Key::new(&fields("1.1.1.1", "10.1.0.7", 6, Some((5, 81))));
        assert_eq!(c.first_match(&k, 0, &all), Some(3001));
        let k = Key::new(&fields("1.1.1.1", "10.1.0.7", 6, Some((5, 80))));
        assert_eq!(c.first_match(&k, 0, &all), Some(0));
        assert_eq!(c.first_match(&k, 2999, &all), Some(2999));
        assert_eq!(c.first_match(&k, 3000, &all), Some(3001));
    }
}
