//! The IPv4 header as AH's ICV sees it (RFC 4302 §3.3.3.1 and Appendix A1): mutable fields
//! zeroed, mutable options zeroed, the destination replaced by the final one of a source route.
//!
//! Works on a copy of the header (at most 60 bytes, on the stack); must not touch the packet.
//! Hand-written: the option classification is AH-specific and small.

use zubr_base::IpsecError;

/// Option types RFC 4302 Appendix A1 lists as immutable (included in the ICV as they are):
/// EOL, NOP, Security, Extended Security, Commercial Security (CIPSO), Router Alert, Sender
/// Directed Multi-Destination Delivery. Every other option is zeroed.
const IMMUTABLE: [u8; 7] = [0, 1, 130, 133, 134, 148, 149];
const LSRR: u8 = 131;
const SSRR: u8 = 137;

/// Zeroes TOS, flags + fragment offset, TTL and checksum of the IPv4 header `hdr` (exactly its
/// IHL × 4 bytes) and its mutable options. With a loose/strict source route not yet consumed,
/// the destination becomes the route's last address (what the receiver will see).
///
/// Errors: [`IpsecError::CannotParseIpOptions`] (code 11) for a malformed option list.
pub fn zero_mutable(hdr: &mut [u8]) -> Result<(), IpsecError> {
    let bad = IpsecError::CannotParseIpOptions;
    if hdr.len() < 20 {
        return Err(bad);
    }
    hdr[1] = 0;
    hdr[6] = 0;
    hdr[7] = 0;
    hdr[8] = 0;
    hdr[10] = 0;
    hdr[11] = 0;
    let hl = hdr.len();
    let mut i = 20;
    while i < hl {
        let t = hdr[i];
        match t {
            0 => break, // end of list: the rest is padding, kept as is
            1 => i += 1,
            _ => {
                let len = usize::from(*hdr.get(i + 1).ok_or(bad)?);
                if len < 2 || i + len > hl {
                    return Err(bad);
                }
                if t == LSRR || t == SSRR {
                    // route data: length, pointer, then addresses
                    if len < 3 || (len - 3) % 4 != 0 {
                        return Err(bad);
                    }
                    let pointer = usize::from(hdr[i + 2]);
                    if len >= 7 && pointer <= len {
                        let last = i + len - 4;
                        let (a, b) = hdr.split_at_mut(last);
                        a[16..20].copy_from_slice(&b[..4]);
                    }
                    hdr[i..i + len].fill(0);
                } else if !IMMUTABLE.contains(&t) {
                    hdr[i..i + len].fill(0);
                }
                i += len;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(opts: &[u8]) -> [u8; 60] {
        let mut h = [0u8; 60];
        h[0] = 0x40 | ((20 + opts.len()) / 4) as u8;
        h[1] = 0xb8;
        h[6] = 0x40;
        h[8] = 64;
        h[9] = 51;
        h[10] = 0xab;
        h[12..16].copy_from_slice(&[10, 0, 0, 1]);
        h[16..20].copy_from_slice(&[10, 0, 0, 2]);
        h[20..20 + opts.len()].copy_from_slice(opts);
        h
    }

    #[test]
    fn fields_and_options() {
        // Router Alert (kept), Record Route (zeroed), NOP, EOL
        let opts = [148, 4, 0, 0, 7, 7, 4, 1, 2, 3, 4, 1, 0, 0, 0, 0];
        let mut h = header(&opts);
        let hl = 20 + opts.len();
        zero_mutable(&mut h[..hl]).unwrap();
        assert_eq!(&h[..12], &[0x49, 0, 0, 0, 0, 0, 0, 0, 0, 51, 0, 0]);
        assert_eq!(&h[20..24], &[148, 4, 0, 0]);
        assert_eq!(&h[24..31], &[0; 7]);
        assert_eq!(h[31], 1);
    }

    #[test]
    fn source_route_final_destination() {
        // LSRR with two addresses, pointer 4 (not consumed): final destination 192.0.2.9
        let opts = [131, 11, 4, 10, 9, 9, 9, 192, 0, 2, 9, 0];
        let mut h = header(&opts);
        zero_mutable(&mut h[..32]).unwrap();
        assert_eq!(&h[16..20], &[192, 0, 2, 9]);
        assert_eq!(&h[20..31], &[0; 11]);
        // consumed route (pointer > length): the destination field is already final
        let opts = [131, 11, 12, 10, 9, 9, 9, 192, 0, 2, 9, 0];
        let mut h = header(&opts);
        zero_mutable(&mut h[..32]).unwrap();
        assert_eq!(&h[16..20], &[10, 0, 0, 2]);
    }

    #[test]
    fn malformed_options_are_code_11() {
        for opts in [&[7u8, 0, 0, 0][..], &[7, 9, 0, 0], &[1, 1, 1, 68]] {
            let mut h = header(opts);
            assert_eq!(
                zero_mutable(&mut h[..24]),
                Err(IpsecError::CannotParseIpOptions),
                "{opts:?}"
            );
        }
        assert_eq!(
            zero_mutable(&mut [0u8; 10]),
            Err(IpsecError::CannotParseIpOptions)
        );
    }
}
