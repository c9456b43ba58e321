//! SA lifetimes in bytes, packets and seconds (RFC 4301 §4.4.2.1), soft and hard, shared by ESP
//! and AH.
//!
//! A soft limit raises [`LifetimeEvent::SoftExpired`] once ("requesting rekeying for SA N");
//! reaching a hard limit raises [`LifetimeEvent::HardExpired`] once ("SA N expired") and from then
//! on every packet is refused with [`IpsecError::TrafficLimitExceeded`] (code 17 — the product has
//! one code for all three kinds of hard limit). The packet that reaches a limit is still
//! processed; bytes are the cleartext IP packet's length (before encapsulation, after
//! decapsulation). Time is the host's [`Instant`]; nothing here reads a clock.

use crate::{Instant, IpsecError};

/// One set of limits; `None` = unlimited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of cleartext.
    pub bytes: Option<u64>,
    /// Packets.
    pub packets: Option<u64>,
    /// Seconds since the SA was installed.
    pub seconds: Option<u64>,
}

/// Soft and hard limits of an SA.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lifetime {
    /// Reaching one of these asks for rekeying.
    pub soft: Limits,
    /// Reaching one of these expires the SA.
    pub hard: Limits,
}

/// What a lifetime crossing means for the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LifetimeEvent {
    /// A soft limit was reached: rekey now (`requesting rekeying for SA N`).
    SoftExpired,
    /// A hard limit was reached: the SA is dead (`SA N expired`).
    HardExpired,
}

/// What is left of a lifetime (for `sa_mgr show`); `None` = unlimited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Remaining {
    /// Bytes left before the hard limit.
    pub bytes: Option<u64>,
    /// Packets left before the hard limit.
    pub packets: Option<u64>,
    /// Seconds left before the hard limit.
    pub seconds: Option<u64>,
}

/// Usage of an SA against its [`Lifetime`].
#[derive(Debug, Clone)]
pub struct LifetimeState {
    limits: Lifetime,
    created: Instant,
    bytes: u64,
    packets: u64,
    soft_fired: bool,
    hard_fired: bool,
    /// Some limit is set (an SA without any skips the checks per packet).
    limited: bool,
}

/// `age` is only evaluated when a time limit is set (it costs a 64-bit division per packet).
#[inline]
fn reached(l: &Limits, bytes: u64, packets: u64, age: impl Fn() -> u64) -> bool {
    l.bytes.is_some_and(|b| bytes >= b)
        || l.packets.is_some_and(|p| packets >= p)
        || l.seconds.is_some_and(|s| age() >= s)
}

impl LifetimeState {
    /// Starts counting at `now`.
    pub fn new(limits: Lifetime, now: Instant) -> Self {
        LifetimeState {
            limits,
            created: now,
            bytes: 0,
            packets: 0,
            soft_fired: false,
            hard_fired: false,
            limited: limits != Lifetime::default(),
        }
    }

    /// The limits.
    pub fn limits(&self) -> &Lifetime {
        &self.limits
    }

    #[inline]
    fn age(&self, now: Instant) -> u64 {
        (now - self.created).as_secs()
    }

    /// Refuses a packet once a hard limit has been reached.
    #[inline]
    pub fn admit(&self, now: Instant) -> Result<(), IpsecError> {
        if self.limited
            && reached(&self.limits.hard, self.bytes, self.packets, || {
                self.age(now)
            })
        {
            Err(IpsecError::TrafficLimitExceeded)
        } else {
            Ok(())
        }
    }

    /// Counts a processed packet of `len` cleartext bytes; returns the event a limit crossing
    /// raises (each kind once).
    #[inline]
    pub fn record(&mut self, now: Instant, len: usize) -> Option<LifetimeEvent> {
        self.bytes = self.bytes.saturating_add(len as u64);
        self.packets = self.packets.saturating_add(1);
        if !self.limited {
            return None;
        }
        self.poll(now)
    }

    /// Checks the limits without traffic (for the host's timer); returns a new event, if any.
    #[inline]
    pub fn poll(&mut self, now: Instant) -> Option<LifetimeEvent> {
        if self.hard_fired {
            return None;
        }
        let age = || self.age(now);
        if reached(&self.limits.hard, self.bytes, self.packets, age) {
            self.hard_fired = true;
            self.soft_fired = true;
            return Some(LifetimeEvent::HardExpired);
        }
        if !self.soft_fired && reached(&self.limits.soft, self.bytes, self.packets, age) {
            self.soft_fired = true;
            return Some(LifetimeEvent::SoftExpired);
        }
        None
    }

    /// The earliest future instant at which a time limit fires, for the host's timer.
    pub fn next_deadline(&self) -> Option<Instant> {
        let at = |s: u64| {
            self.created
                .saturating_add(core::time::Duration::from_secs(s))
        };
        match (self.soft_fired, self.hard_fired) {
            (_, true) => None,
            (false, false) => match (self.limits.soft.seconds, self.limits.hard.seconds) {
                (Some(s), Some(h)) => Some(at(s.min(h))),
                (Some(s), None) => Some(at(s)),
                (None, h) => h.map(at),
            },
            (true, false) => self.limits.hard.seconds.map(at),
        }
    }

    /// Bytes counted.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Packets counted.
    pub fn packets(&self) -> u64 {
        self.packets
    }

    /// What is left before the hard limits.
    pub fn remaining(&self, now: Instant) -> Remaining {
        Remaining {
            bytes: self.limits.hard.bytes.map(|b| b.saturating_sub(self.bytes)),
            packets: self
                .limits
                .hard
                .packets
                .map(|p| p.saturating_sub(self.packets)),
            seconds: self
                .limits
                .hard
                .seconds
                .map(|s| s.saturating_sub(self.age(now))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soft_then_hard() {
        let l = Lifetime {
            soft: Limits {
                bytes: Some(100),
                ..Limits::default()
            },
            hard: Limits {
                packets: Some(3),
                seconds: Some(10),
                ..Limits::default()
            },
        };
        let t0 = Instant::from_secs(5);
        let mut s = LifetimeState::new(l, t0);
        assert_eq!(s.next_deadline(), Some(Instant::from_secs(15)));
        s.admit(t0).unwrap();
        assert_eq!(s.record(t0, 60), None);
        assert_eq!(s.record(t0, 60), Some(LifetimeEvent::SoftExpired));
        assert_eq!(s.record(t0, 1), Some(LifetimeEvent::HardExpired));
        assert_eq!(s.admit(t0), Err(IpsecError::TrafficLimitExceeded));
        assert_eq!(s.poll(t0), None);
        assert_eq!(s.remaining(t0).packets, Some(0));
        let mut s = LifetimeState::new(l, t0);
        assert_eq!(s.remaining(Instant::from_secs(8)).seconds, Some(7));
        assert_eq!(
            s.poll(Instant::from_secs(15)),
            Some(LifetimeEvent::HardExpired)
        );
        assert_eq!(
            s.admit(Instant::from_secs(15)),
            Err(IpsecError::TrafficLimitExceeded)
        );
    }
}
