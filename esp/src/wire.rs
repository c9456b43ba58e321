//! The ESP header as it sits on the wire (RFC 4303 §2): a read-only view for tools, logs and
//! fuzzing. Processing uses the offsets directly; this view never panics (`check_len` first).

/// SPI and sequence number: the part of an ESP header that needs no key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EspHeader {
    /// Security Parameters Index.
    pub spi: u32,
    /// Low 32 bits of the sequence number.
    pub seq: u32,
}

/// Length of SPI + sequence number.
pub const HEADER_LEN: usize = 8;

impl EspHeader {
    /// Reads the header at the start of `esp` (the IP or UDP payload); `None` if too short.
    pub fn parse(esp: &[u8]) -> Option<Self> {
        let spi = u32::from_be_bytes(esp.get(0..4)?.try_into().ok()?);
        let seq = u32::from_be_bytes(esp.get(4..8)?.try_into().ok()?);
        Some(EspHeader { spi, seq })
    }

    /// Writes the header into `out[..8]`; `None` if `out` is shorter.
    pub fn emit(&self, out: &mut [u8]) -> Option<()> {
        out.get_mut(0..4)?.copy_from_slice(&self.spi.to_be_bytes());
        out.get_mut(4..8)?.copy_from_slice(&self.seq.to_be_bytes());
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let h = EspHeader {
            spi: 0x1000,
            seq: 7,
        };
        let mut b = [0u8; 8];
        h.emit(&mut b).unwrap();
        assert_eq!(b, [0, 0, 0x10, 0, 0, 0, 0, 7]);
        assert_eq!(EspHeader::parse(&b), Some(h));
        assert_eq!(EspHeader::parse(&b[..7]), None);
        assert_eq!(h.emit(&mut [0u8; 3]), None);
    }
}
