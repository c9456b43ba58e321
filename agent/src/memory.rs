//! The agent's packet memory: one byte budget for every packet copy the agent holds on the
//! host's behalf — packets waiting for an SA bundle, packets waiting in
//! [`crate::Agent::poll_output`] (released queues, fragments, ICMP, decapsulated UDP
//! datagrams) and the scratch buffers those are built in.
//!
//! A host with fixed memory (POS firmware, a gateway with many tunnels) sets
//! [`crate::AgentSettings::packet_memory`]; a copy is reserved here first and then asks the
//! allocator fallibly ([`Vec::try_reserve_exact`]), so both an exhausted budget and a refusing
//! allocator become the product's out-of-memory drops instead of an abort: `filter N: failed to
//! send SA request: out of memory`, `can't allocate packet buffer`, and IPsec error 8 `memory
//! allocation failed` when an encapsulated packet cannot get the buffer it needs. Fragments and
//! ICMP replies are the exception: they are built by [`crate::frag`] and [`crate::wire`] (at
//! most the 64 KiB of the packet they come from) and counted with [`PacketMemory::admit`]
//! before they are queued, or dropped.
//!
//! Written by hand: it is a counter around `Vec`, not an allocator. It must not be used on the
//! fast path — a packet with an installed bundle is processed in the caller's buffer and is
//! never copied, so it never meets this budget.

use alloc::vec::Vec;

/// The budget refused a buffer (or the allocator did).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfMemory;

/// Bytes of packet copies held, against a limit.
#[derive(Debug, Clone)]
pub struct PacketMemory {
    limit: usize,
    held: usize,
}

impl PacketMemory {
    /// A budget of `limit` bytes, nothing held.
    pub fn new(limit: usize) -> PacketMemory {
        PacketMemory { limit, held: 0 }
    }

    /// The limit in bytes.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Bytes held now.
    pub fn held(&self) -> usize {
        self.held
    }

    /// Changes the limit; what is held stays (new copies are refused until it drops below).
    pub fn set_limit(&mut self, limit: usize) {
        self.limit = limit;
    }

    /// Counts `len` bytes of a buffer built elsewhere (fragments), if the budget has room.
    pub fn admit(&mut self, len: usize) -> Result<(), OutOfMemory> {
        if len > self.limit.saturating_sub(self.held) {
            return Err(OutOfMemory);
        }
        self.held += len;
        Ok(())
    }

    /// A counted buffer of `len` zero bytes.
    pub fn zeroed(&mut self, len: usize) -> Result<Vec<u8>, OutOfMemory> {
        let mut v = self.reserve(len)?;
        v.resize(len, 0);
        Ok(v)
    }

    /// A counted copy of `bytes`.
    pub fn copy(&mut self, bytes: &[u8]) -> Result<Vec<u8>, OutOfMemory> {
        let mut v = self.reserve(bytes.len())?;
        v.extend_from_slice(bytes);
        Ok(v)
    }

    fn reserve(&mut self, len: usize) -> Result<Vec<u8>, OutOfMemory> {
        self.admit(len)?;
        let mut v = Vec::new();
        if v.try_reserve_exact(len).is_err() {
            self.release(len);
            return Err(OutOfMemory);
        }
        Ok(v)
    }

    /// Returns `len` bytes to the budget (a counted buffer left the agent or was dropped).
    pub fn release(&mut self, len: usize) {
        debug_assert!(len <= self.held, "released more packet memory than held");
        self.held = self.held.saturating_sub(len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_counts_and_refuses() {
        let mut m = PacketMemory::new(100);
        let a = m.copy(&[1; 60]).unwrap();
        assert_eq!((a.len(), m.held()), (60, 60));
        assert_eq!(m.zeroed(41), Err(OutOfMemory));
        assert_eq!(m.held(), 60);
        let b = m.zeroed(40).unwrap();
        assert_eq!((b.len(), m.held()), (40, 100));
        assert_eq!(m.admit(1), Err(OutOfMemory));
        m.release(a.len());
        m.admit(60).unwrap();
        m.release(60);
        m.release(b.len());
        assert_eq!(m.held(), 0);
    }

    #[test]
    fn allocator_refusal_is_an_error_not_an_abort() {
        // the budget allows it, the allocator cannot (more than isize::MAX bytes)
        let mut m = PacketMemory::new(usize::MAX);
        assert_eq!(m.zeroed(usize::MAX / 2 + 1), Err(OutOfMemory));
        assert_eq!(m.held(), 0);
    }
}
