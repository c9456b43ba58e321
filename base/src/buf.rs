//! [`PacketBuf`]: a packet inside a caller-owned buffer, with free room before it (headroom) and
//! after it (tailroom), so that IPsec can add and remove headers and trailers in place.
//!
//! The host sizes the buffer once (from an SA's overhead) and reuses it; nothing here allocates.
//! Every operation checks bounds and returns [`IpsecError::BufferTooSmall`] instead of
//! panicking.

use crate::IpsecError;

/// A packet occupying `buf[start..end]` of a larger buffer.
#[derive(Debug)]
pub struct PacketBuf<'a> {
    buf: &'a mut [u8],
    start: usize,
    end: usize,
}

impl<'a> PacketBuf<'a> {
    /// The packet of `len` bytes at offset `start` of `buf`.
    #[inline]
    pub fn new(buf: &'a mut [u8], start: usize, len: usize) -> Result<Self, IpsecError> {
        let end = start.checked_add(len).ok_or(IpsecError::BufferTooSmall)?;
        if end > buf.len() {
            return Err(IpsecError::BufferTooSmall);
        }
        Ok(PacketBuf { buf, start, end })
    }

    /// Copies `packet` into `buf` at offset `headroom` and returns the view on it.
    #[inline]
    pub fn copy_from(
        buf: &'a mut [u8],
        headroom: usize,
        packet: &[u8],
    ) -> Result<Self, IpsecError> {
        let end = headroom
            .checked_add(packet.len())
            .ok_or(IpsecError::BufferTooSmall)?;
        buf.get_mut(headroom..end)
            .ok_or(IpsecError::BufferTooSmall)?
            .copy_from_slice(packet);
        Ok(PacketBuf {
            buf,
            start: headroom,
            end,
        })
    }

    /// The packet bytes.
    #[inline]
    pub fn bytes(&self) -> &[u8] {
        self.buf.get(self.start..self.end).unwrap_or_default()
    }

    /// The packet bytes, mutable.
    #[inline]
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        self.buf.get_mut(self.start..self.end).unwrap_or_default()
    }

    /// Packet length.
    #[inline]
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// True for an empty packet.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }

    /// Free bytes before the packet.
    #[inline]
    pub fn headroom(&self) -> usize {
        self.start
    }

    /// Free bytes after the packet.
    #[inline]
    pub fn tailroom(&self) -> usize {
        self.buf.len() - self.end
    }

    /// Offset of the packet in the buffer.
    #[inline]
    pub fn start(&self) -> usize {
        self.start
    }

    /// The whole buffer (headroom, packet, tailroom) and the packet's range in it, for
    /// in-place moves across the packet boundary.
    #[inline]
    pub fn raw_mut(&mut self) -> (&mut [u8], usize, usize) {
        (self.buf, self.start, self.end)
    }

    /// Moves the packet boundaries to `buf[start..end]`.
    #[inline]
    pub fn set_range(&mut self, start: usize, end: usize) -> Result<(), IpsecError> {
        if start > end || end > self.buf.len() {
            return Err(IpsecError::BufferTooSmall);
        }
        self.start = start;
        self.end = end;
        Ok(())
    }

    /// Extends the packet by `n` bytes at the front (the new bytes keep whatever the buffer
    /// held).
    #[inline]
    pub fn grow_front(&mut self, n: usize) -> Result<(), IpsecError> {
        self.start = self
            .start
            .checked_sub(n)
            .ok_or(IpsecError::BufferTooSmall)?;
        Ok(())
    }

    /// Extends the packet by `n` bytes at the back.
    #[inline]
    pub fn grow_back(&mut self, n: usize) -> Result<(), IpsecError> {
        let end = self.end.checked_add(n).ok_or(IpsecError::BufferTooSmall)?;
        if end > self.buf.len() {
            return Err(IpsecError::BufferTooSmall);
        }
        self.end = end;
        Ok(())
    }

    /// Removes `n` bytes from the front.
    #[inline]
    pub fn shrink_front(&mut self, n: usize) -> Result<(), IpsecError> {
        if n > self.len() {
            return Err(IpsecError::BufferTooSmall);
        }
        self.start += n;
        Ok(())
    }

    /// Removes `n` bytes from the back.
    #[inline]
    pub fn shrink_back(&mut self, n: usize) -> Result<(), IpsecError> {
        if n > self.len() {
            return Err(IpsecError::BufferTooSmall);
        }
        self.end -= n;
        Ok(())
    }

    /// Truncates the packet to `len` bytes (no-op when already shorter).
    #[inline]
    pub fn truncate(&mut self, len: usize) {
        if len < self.len() {
            self.end = self.start + len;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_and_moves() {
        let mut b = [0u8; 32];
        let mut p = PacketBuf::copy_from(&mut b, 8, &[1, 2, 3, 4]).unwrap();
        assert_eq!((p.headroom(), p.len(), p.tailroom()), (8, 4, 20));
        p.grow_front(8).unwrap();
        assert_eq!(p.grow_front(1), Err(IpsecError::BufferTooSmall));
        p.grow_back(20).unwrap();
        assert_eq!(p.grow_back(1), Err(IpsecError::BufferTooSmall));
        assert_eq!(p.len(), 32);
        p.shrink_front(8).unwrap();
        p.shrink_back(20).unwrap();
        assert_eq!(p.bytes(), &[1, 2, 3, 4]);
        assert_eq!(p.shrink_back(5), Err(IpsecError::BufferTooSmall));
        p.truncate(2);
        assert_eq!(p.bytes(), &[1, 2]);
        assert!(PacketBuf::new(&mut [0u8; 4], 3, 2).is_err());
        assert!(PacketBuf::new(&mut [0u8; 4], usize::MAX, 2).is_err());
        assert!(PacketBuf::copy_from(&mut [0u8; 4], 3, &[1, 2]).is_err());
    }
}
