//! IPv4 fragment reassembly with bounded memory, for the packets whose verdict needs the
//! transport header (fw_trace status `ASSEMBLE`, lsp.md §7.3).
//!
//! At most `max_datagrams` datagrams are in progress and at most `max_bytes` bytes are held in
//! all; a datagram older than `timeout` is discarded, and when a limit is hit the oldest
//! datagram gives way (a fragment that still does not fit is dropped: `can't allocate packet
//! buffer`). Overlapping fragments whose bytes disagree discard the whole datagram (overlap
//! attacks); identical retransmissions are accepted. Written by hand: `etherparse`'s
//! defragmenter needs `std` and has no memory bound.

use alloc::vec::Vec;

use zubr_base::{DropReason, Instant};

use crate::packet::Parsed;

/// Reassembly limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReasmLimits {
    /// Datagrams in progress.
    pub max_datagrams: usize,
    /// Bytes held over all datagrams.
    pub max_bytes: usize,
    /// Seconds a datagram may take to complete.
    pub timeout_secs: u32,
    /// Fragments per datagram.
    pub max_fragments: usize,
}

impl Default for ReasmLimits {
    fn default() -> Self {
        ReasmLimits {
            max_datagrams: 64,
            max_bytes: 256 * 1024,
            timeout_secs: 30,
            max_fragments: 64,
        }
    }
}

#[derive(Debug, Clone)]
struct Pending {
    key: (u32, u32, u8, u16),
    header: Vec<u8>,
    data: Vec<u8>,
    have: Vec<(u16, u16)>,
    total: Option<u16>,
    deadline: u64,
    seq: u64,
}

impl Pending {
    fn bytes(&self) -> usize {
        self.header.capacity() + self.data.capacity()
    }
}

/// What adding a fragment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reassembly {
    /// Held; the datagram is incomplete.
    Held,
    /// The datagram is complete.
    Complete(Vec<u8>),
    /// The fragment (and possibly its datagram) was discarded.
    Dropped(DropReason),
}

/// The reassembler.
#[derive(Debug, Clone, Default)]
pub struct Reassembler {
    limits: ReasmLimits,
    pending: Vec<Pending>,
    held: usize,
    seq: u64,
}

impl Reassembler {
    /// A reassembler with `limits`.
    pub fn new(limits: ReasmLimits) -> Reassembler {
        Reassembler {
            limits,
            ..Default::default()
        }
    }

    /// Bytes held.
    pub fn held_bytes(&self) -> usize {
        self.held
    }

    /// Datagrams in progress.
    pub fn in_progress(&self) -> usize {
        self.pending.len()
    }

    fn drop_at(&mut self, i: usize) {
        let p = self.pending.swap_remove(i);
        self.held -= p.bytes();
    }

    /// Discards timed-out datagrams.
    pub fn expire(&mut self, now: Instant) {
        let t = now.as_micros();
        let mut i = 0;
        while i < self.pending.len() {
            if self.pending[i].deadline <= t {
                self.drop_at(i);
            } else {
                i += 1;
            }
        }
    }

    /// Adds fragment `pkt` (parsed as `p`).
    pub fn add(&mut self, pkt: &[u8], p: &Parsed, now: Instant) -> Reassembly {
        self.expire(now);
        let key = (u32::from(p.src), u32::from(p.dst), p.protocol, p.ident);
        let hl = usize::from(p.header_len);
        let Some(payload) = pkt.get(hl..usize::from(p.total_len)) else {
            return Reassembly::Dropped(DropReason::CorruptedIpHeader);
        };
        let off = usize::from(p.frag_offset);
        let end = off + payload.len();
        if end > 65_535 - hl || (p.more_fragments && payload.len() % 8 != 0) {
            return Reassembly::Dropped(DropReason::CorruptedIpHeader);
        }
        let idx = match self.pending.iter().position(|x| x.key == key) {
            Some(i) => i,
            None => {
                if self.pending.len() >= self.limits.max_datagrams {
                    self.evict_oldest();
                }
                self.seq += 1;
                self.pending.push(Pending {
                    key,
                    header: Vec::new(),
                    data: Vec::new(),
                    have: Vec::new(),
                    total: None,
                    deadline: now
                        .as_micros()
                        .saturating_add(u64::from(self.limits.timeout_secs) * 1_000_000),
                    seq: self.seq,
                });
                self.pending.len() - 1
            }
        };
        let _ = idx;
        // memory: account the growth before making it; older datagrams give way
        let grow_of = |d: &Pending| {
            end.saturating_sub(d.data.len())
                + if off == 0 && d.header.is_empty() {
                    hl
                } else {
                    0
                }
        };
        let idx = loop {
            let Some(idx) = self.pending.iter().position(|x| x.key == key) else {
                return Reassembly::Dropped(DropReason::CannotAllocatePacketBuffer);
            };
            let grow = grow_of(&self.pending[idx]);
            if self.held + grow <= self.limits.max_bytes {
                break idx;
            }
            match self.oldest_except(idx) {
                Some(o) => self.drop_at(o),
                None => {
                    self.drop_at(idx);
                    return Reassembly::Dropped(DropReason::CannotAllocatePacketBuffer);
                }
            }
        };
        let before = self.pending[idx].bytes();
        let d = &mut self.pending[idx];
        if d.have.len() >= self.limits.max_fragments {
            self.drop_at(idx);
            return Reassembly::Dropped(DropReason::CannotAllocatePacketBuffer);
        }
        // overlaps must carry identical bytes
        for &(a, b) in &d.have {
            let (a, b) = (usize::from(a), usize::from(b));
            let lo = a.max(off);
            let hi = b.min(end);
            if lo < hi && d.data.get(lo..hi) != payload.get(lo - off..hi - off) {
                self.drop_at(idx);
                return Reassembly::Dropped(DropReason::CorruptedIpHeader);
            }
        }
        if !p.more_fragments {
            if d.total.is_some_and(|t| usize::from(t) != end) {
                self.drop_at(idx);
                return Reassembly::Dropped(DropReason::CorruptedIpHeader);
            }
            d.total = Some(end as u16);
        }
        if d.total.is_some_and(|t| end > usize::from(t)) {
            self.drop_at(idx);
            return Reassembly::Dropped(DropReason::CorruptedIpHeader);
        }
        if d.data.len() < end {
            d.data.resize(end, 0);
        }
        d.data[off..end].copy_from_slice(payload);
        if off == 0 && d.header.is_empty() {
            d.header.extend_from_slice(&pkt[..hl]);
        }
        d.have.push((off as u16, end as u16));
        d.have.sort_unstable();
        let after = d.bytes();
        self.held = self.held + after - before;
        // complete?
        let d = &self.pending[idx];
        let Some(total) = d.total else {
            return Reassembly::Held;
        };
        let mut covered = 0usize;
        for &(a, b) in &d.have {
            if usize::from(a) > covered {
                return Reassembly::Held;
            }
            covered = covered.max(usize::from(b));
        }
        if covered < usize::from(total) || d.header.is_empty() {
            return Reassembly::Held;
        }
        let mut out = Vec::with_capacity(d.header.len() + usize::from(total));
        out.extend_from_slice(&d.header);
        out.extend_from_slice(&d.data[..usize::from(total)]);
        self.drop_at(idx);
        let len = out.len() as u16;
        out[2..4].copy_from_slice(&len.to_be_bytes());
        out[6] &= 0x40; // keep DF, clear MF and the offset
        out[7] = 0;
        out[10] = 0;
        out[11] = 0;
        let hl = out.len() - usize::from(total);
        let sum = checksum(&out[..hl]);
        out[10..12].copy_from_slice(&sum.to_be_bytes());
        Reassembly::Complete(out)
    }

    fn evict_oldest(&mut self) {
        if let Some(i) = self.oldest_except(usize::MAX) {
            self.drop_at(i);
        }
    }

    fn oldest_except(&self, skip: usize) -> Option<usize> {
        self.pending
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .min_by_key(|(_, p)| p.seq)
            .map(|(i, _)| i)
    }
}

fn checksum(h: &[u8]) -> u16 {
    let mut s: u32 = 0;
    for c in h.chunks(2) {
        let w = u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]);
        s += u32::from(w);
    }
    while s > 0xffff {
        s = (s & 0xffff) + (s >> 16);
    }
    !(s as u16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::{build, parse, parse_ip};

    /// Splits an unfragmented packet into fragments of `size` payload bytes (multiple of 8).
    pub(crate) fn fragment(pkt: &[u8], size: usize) -> Vec<Vec<u8>> {
        let hl = usize::from(pkt[0] & 0xf) * 4;
        let payload = &pkt[hl..];
        let mut out = Vec::new();
        let mut off = 0;
        while off < payload.len() {
            let end = (off + size).min(payload.len());
            let mut f = pkt[..hl].to_vec();
            f.extend_from_slice(&payload[off..end]);
            let len = f.len() as u16;
            f[2..4].copy_from_slice(&len.to_be_bytes());
            let mf = if end < payload.len() { 0x2000 } else { 0 };
            let df = u16::from_be_bytes([pkt[6], pkt[7]]) & 0x4000;
            let v = df | mf | (off / 8) as u16;
            f[6..8].copy_from_slice(&v.to_be_bytes());
            f[10] = 0;
            f[11] = 0;
            let c = checksum(&f[..hl]);
            f[10..12].copy_from_slice(&c.to_be_bytes());
            out.push(f);
            off = end;
        }
        out
    }

    #[test]
    fn reassembles_in_any_order() {
        let orig = build::udp([10, 0, 0, 1], [10, 0, 0, 2], 500, 500, &[7u8; 100]);
        let frags = fragment(&orig, 24);
        assert_eq!(frags.len(), 5);
        for order in [[0usize, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 0, 4, 1, 3]] {
            let mut r = Reassembler::new(ReasmLimits::default());
            let mut done = None;
            for (k, &i) in order.iter().enumerate() {
                let p = parse_ip(&frags[i]).unwrap();
                match r.add(&frags[i], &p, Instant::from_secs(1)) {
                    Reassembly::Held => assert!(k < 4),
                    Reassembly::Complete(d) => done = Some(d),
                    Reassembly::Dropped(e) => panic!("{e:?}"),
                }
            }
            let d = done.unwrap();
            assert_eq!(d, orig, "byte-exact reassembly, checksum recomputed");
            assert_eq!(parse(&d).unwrap().ports(), Some((500, 500)));
            assert_eq!(r.held_bytes(), 0);
            assert_eq!(r.in_progress(), 0);
        }
    }

    #[test]
    fn bounded_memory_overlaps_and_timeouts() {
        let lim = ReasmLimits {
            max_datagrams: 4,
            max_bytes: 2000,
            timeout_secs: 30,
            max_fragments: 8,
        };
        let mut r = Reassembler::new(lim);
        // 10 datagrams, first fragment each: only 4 in progress, memory bounded
        for id in 0..10u16 {
            let mut pkt = build::udp([10, 0, 0, 1], [10, 0, 0, 2], 1, 2, &[id as u8; 200]);
            pkt[4..6].copy_from_slice(&id.to_be_bytes());
            let f = &fragment(&pkt, 64)[0];
            let p = parse_ip(f).unwrap();
            assert_eq!(r.add(f, &p, Instant::from_secs(1)), Reassembly::Held);
            assert!(r.in_progress() <= 4);
            assert!(r.held_bytes() <= 2000);
        }
        // conflicting overlap discards the datagram
        let pkt = build::udp([10, 0, 0, 9], [10, 0, 0, 2], 1, 2, &[1u8; 64]);
        let fr = fragment(&pkt, 32);
        let p = parse_ip(&fr[0]).unwrap();
        assert_eq!(r.add(&fr[0], &p, Instant::from_secs(2)), Reassembly::Held);
        let mut evil = fr[0].clone();
        evil[30] ^= 0xff;
        assert_eq!(
            r.add(&evil, &p, Instant::from_secs(2)),
            Reassembly::Dropped(DropReason::CorruptedIpHeader)
        );
        // identical retransmission is fine
        assert_eq!(r.add(&fr[0], &p, Instant::from_secs(2)), Reassembly::Held);
        assert_eq!(r.add(&fr[0], &p, Instant::from_secs(2)), Reassembly::Held);
        // timeouts
        r.expire(Instant::from_secs(100));
        assert_eq!(r.in_progress(), 0);
        assert_eq!(r.held_bytes(), 0);
        // a fragment larger than the whole budget
        let big = build::udp([10, 0, 0, 1], [10, 0, 0, 3], 1, 2, &[0u8; 4000]);
        let f = &fragment(&big, 2400)[0];
        let p = parse_ip(f).unwrap();
        assert_eq!(
            r.add(f, &p, Instant::from_secs(101)),
            Reassembly::Dropped(DropReason::CannotAllocatePacketBuffer)
        );
        // a middle fragment with a length not a multiple of 8
        let mut odd = fragment(&pkt, 32)[0].clone();
        odd.truncate(odd.len() - 3);
        let l = odd.len() as u16;
        odd[2..4].copy_from_slice(&l.to_be_bytes());
        let p = parse_ip(&odd).unwrap();
        assert_eq!(
            r.add(&odd, &p, Instant::from_secs(101)),
            Reassembly::Dropped(DropReason::CorruptedIpHeader)
        );
    }
}
