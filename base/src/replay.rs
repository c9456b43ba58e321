//! The anti-replay window of an inbound SA (RFC 4303 §3.4.3 and Appendix A; RFC 4302 §3.4.3),
//! shared by ESP and AH, with extended sequence numbers (RFC 4304).
//!
//! Use: [`ReplayWindow::infer`] the full sequence number from the 32 bits on the wire,
//! [`ReplayWindow::check`] it (cheap, before the ICV), verify the ICV, then
//! [`ReplayWindow::accept`] it — the window moves only for authenticated packets.
//!
//! The bitmap is a fixed ring of 64-bit words (the RFC 6479 layout: advancing the window clears
//! whole words instead of shifting bits), so a window of up to [`MAX_WINDOW`] packets costs no
//! allocation and O(1) per packet. Hand-written: no maintained crate implements an IPsec window
//! with ESN inference.

use crate::IpsecError;

/// Largest configurable window (packets).
pub const MAX_WINDOW: u32 = 4096;

const WORDS: usize = MAX_WINDOW as usize / 64 + 1;

/// An anti-replay window.
#[derive(Clone)]
pub struct ReplayWindow {
    size: u32,
    esn: bool,
    /// Highest authenticated sequence number; 0 before the first packet.
    top: u64,
    bits: [u64; WORDS],
}

impl core::fmt::Debug for ReplayWindow {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ReplayWindow")
            .field("size", &self.size)
            .field("esn", &self.esn)
            .field("top", &self.top)
            .finish()
    }
}

impl ReplayWindow {
    /// A window of `size` packets (0 disables the replay check), with or without ESN.
    /// Fails with [`IpsecError::IncorrectSaConfiguration`] for a size above [`MAX_WINDOW`] or
    /// for ESN without a window (the high-order bits are inferred from the window).
    pub fn new(size: u32, esn: bool) -> Result<Self, IpsecError> {
        if size > MAX_WINDOW || (esn && size == 0) {
            return Err(IpsecError::IncorrectSaConfiguration);
        }
        Ok(ReplayWindow {
            size,
            esn,
            top: 0,
            bits: [0; WORDS],
        })
    }

    /// A fresh window expecting sequence numbers after `top` (an SA whose sender starts at
    /// `top + 1`, see [`crate::SaParams::initial_seq`]); everything up to `top` counts as seen.
    pub fn starting_after(mut self, top: u64) -> Self {
        if top == 0 {
            return self;
        }
        self.top = top;
        // every position up to `top` is seen; nothing above it
        self.bits = [u64::MAX; WORDS];
        let bit = top % 64;
        self.bits[(top / 64) as usize % WORDS] = if bit == 63 {
            u64::MAX
        } else {
            (1u64 << (bit + 1)) - 1
        };
        self
    }

    /// Window size in packets (0 = disabled).
    pub fn size(&self) -> u32 {
        self.size
    }

    /// Highest sequence number accepted so far (0 = none).
    pub fn top(&self) -> u64 {
        self.top
    }

    /// The last 64 positions of the window as a bitmap: bit 0 is [`Self::top`], bit i is
    /// `top - i` (what the product prints as `window 0x…`).
    pub fn bitmap(&self) -> u64 {
        let mut v = 0u64;
        for i in 0..64u64 {
            if i < self.top && self.is_set(self.top - i) {
                v |= 1 << i;
            }
        }
        v
    }

    /// The full sequence number for the low 32 bits `seq_lo` seen on the wire (RFC 4303
    /// Appendix A2.2). Without ESN it is `seq_lo`. `None` when the number lies before the
    /// start of the sequence space (it can only be a replay).
    #[inline]
    pub fn infer(&self, seq_lo: u32) -> Option<u64> {
        if !self.esn {
            return Some(u64::from(seq_lo));
        }
        let w = self.size;
        let th = (self.top >> 32) as u32;
        let tl = self.top as u32;
        let bottom = tl.wrapping_sub(w).wrapping_add(1);
        let hi = if tl >= w - 1 {
            // Case A: the window lies within one 2^32 block.
            if seq_lo >= bottom {
                Some(th)
            } else {
                th.checked_add(1)
            }
        } else if seq_lo >= bottom {
            // Case B: the window spans two blocks; seq_lo is in the upper part of the old one.
            th.checked_sub(1)
        } else {
            Some(th)
        }?;
        Some((u64::from(hi) << 32) | u64::from(seq_lo))
    }

    #[inline]
    fn is_set(&self, seq: u64) -> bool {
        let word = (seq / 64) as usize % WORDS;
        self.bits[word] & (1 << (seq % 64)) != 0
    }

    /// Whether `seq` may be new: not zero, not left of the window, not seen. Does not change
    /// the window. With the window disabled only sequence number 0 is refused.
    #[inline]
    pub fn check(&self, seq: u64) -> Result<(), IpsecError> {
        if seq == 0 {
            return Err(IpsecError::ReplayDetected);
        }
        if self.size == 0 || seq > self.top {
            return Ok(());
        }
        if self.top - seq >= u64::from(self.size) || self.is_set(seq) {
            return Err(IpsecError::ReplayDetected);
        }
        Ok(())
    }

    /// Marks `seq` as received (after its ICV verified), moving the window right if needed.
    /// Re-checks first, so a packet that raced another copy of itself is still refused.
    #[inline]
    pub fn accept(&mut self, seq: u64) -> Result<(), IpsecError> {
        self.check(seq)?;
        if seq > self.top {
            let old_word = self.top / 64;
            let new_word = seq / 64;
            let steps = new_word - old_word;
            if steps >= WORDS as u64 {
                self.bits = [0; WORDS];
            } else {
                for k in 1..=steps {
                    self.bits[((old_word + k) as usize) % WORDS] = 0;
                }
            }
            self.top = seq;
        }
        if self.size > 0 || self.esn {
            let word = (seq / 64) as usize % WORDS;
            self.bits[word] |= 1 << (seq % 64);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_window() {
        let mut w = ReplayWindow::new(64, false).unwrap();
        assert_eq!(w.check(0), Err(IpsecError::ReplayDetected));
        w.accept(1).unwrap();
        assert_eq!(w.accept(1), Err(IpsecError::ReplayDetected));
        w.accept(3).unwrap();
        w.accept(2).unwrap();
        assert_eq!(w.bitmap(), 0b111);
        w.accept(100).unwrap();
        assert_eq!(w.check(36), Err(IpsecError::ReplayDetected)); // 100 - 36 = 64: left of window
        w.check(37).unwrap();
        w.accept(37).unwrap();
        assert_eq!(w.top(), 100);
        assert_eq!(w.bitmap(), 1 | 1 << 63);
        assert!(ReplayWindow::new(MAX_WINDOW + 1, false).is_err());
        assert!(ReplayWindow::new(0, true).is_err());
    }

    #[test]
    fn starting_after_keeps_later_numbers_free() {
        let mut w = ReplayWindow::new(64, false).unwrap().starting_after(100);
        assert_eq!(w.check(100), Err(IpsecError::ReplayDetected));
        assert_eq!(w.check(60), Err(IpsecError::ReplayDetected));
        w.accept(105).unwrap();
        for s in 101..105 {
            w.accept(s).unwrap();
        }
        let w = ReplayWindow::new(64, false).unwrap().starting_after(127);
        w.check(128).unwrap();
    }

    #[test]
    fn disabled_window_accepts_repeats() {
        let mut w = ReplayWindow::new(0, false).unwrap();
        w.accept(5).unwrap();
        w.accept(5).unwrap();
        w.accept(1).unwrap();
        assert_eq!(w.check(0), Err(IpsecError::ReplayDetected));
    }

    #[test]
    fn esn_inference_across_the_boundary() {
        let mut w = ReplayWindow::new(32, true).unwrap();
        assert_eq!(w.infer(5), Some(5));
        // Before anything was received, numbers from the top of the space are "before start".
        assert_eq!(w.infer(u32::MAX), None);
        w.accept(0xffff_fff0).unwrap();
        assert_eq!(w.infer(0xffff_fff5), Some(0xffff_fff5));
        assert_eq!(w.infer(3), Some(0x1_0000_0003));
        w.accept(0x1_0000_0003).unwrap();
        // Case B: top low = 3 < W-1; a number from the end of the previous block.
        assert_eq!(w.infer(0xffff_fff8), Some(0xffff_fff8));
        w.accept(0xffff_fff8).unwrap();
        assert_eq!(w.infer(10), Some(0x1_0000_000a));
        assert_eq!(w.check(0xffff_fff0), Err(IpsecError::ReplayDetected));
    }
}
