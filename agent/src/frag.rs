//! IPv4 fragmentation of outgoing packets (RFC 791 §3.2) with the product's `drv_mgr` knobs
//! (product.md §8): `frag_minimize_size` (even fragment sizes), `frag_dont_grow_fragments`
//! (never exceed the size of the original fragment) and `frag_df_options` (DF on fragments).
//!
//! Written by hand: no maintained no_std crate fragments IPv4 (etherparse and smoltcp reassemble
//! or build, but do not split an existing packet with option copying). Only options whose "copied"
//! flag is set are repeated in the second and later fragments. Fragmenting allocates one buffer
//! per fragment; it is the slow path and never runs for packets that fit.

use alloc::vec::Vec;

use zubr_base::DropReason;
use zubr_base::ip;

/// How to fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FragOptions {
    /// `frag_minimize_size`: spread the data evenly over the fewest fragments.
    pub minimize: bool,
    /// `frag_dont_grow_fragments` with the size of the original fragment (`None` when the
    /// packet was not a fragment).
    pub max_len: Option<usize>,
    /// Set DF on the fragments (the caller applies `frag_df_options`).
    pub df: bool,
}

/// The DF decision of `frag_df_options` (0–3): bit 0 restores DF on fragmented clear traffic
/// whose original fragments carried DF; bit 1 sets DF on fragmented IPsec packets of an SA
/// doing PMTU discovery. Otherwise fragments never carry DF.
pub fn df_on_fragments(
    options: u8,
    ipsec: bool,
    sa_pmtu_discovery: bool,
    original_was_df_fragment: bool,
) -> bool {
    if ipsec {
        options & 2 != 0 && sa_pmtu_discovery
    } else {
        options & 1 != 0 && original_was_df_fragment
    }
}

/// Options of `hdr` (the bytes after the fixed 20) that are copied into every fragment.
fn copied_options(opts: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < opts.len() {
        let t = opts[i];
        match t {
            0 => break,
            1 => i += 1,
            _ => {
                let Some(&l) = opts.get(i + 1) else { break };
                let l = usize::from(l);
                if l < 2 || i + l > opts.len() {
                    break;
                }
                if t & 0x80 != 0 {
                    out.extend_from_slice(&opts[i..i + l]);
                }
                i += l;
            }
        }
    }
    while out.len() % 4 != 0 {
        out.push(0);
    }
    out
}

/// Splits the IPv4 packet `pkt` into fragments of at most `mtu` bytes. A packet that already
/// fits is returned whole. Errors: a malformed header (`corrupted IP header`), or an MTU too
/// small for 8 bytes of data (`can't fragment packet, path MTU N`).
pub fn fragment(pkt: &[u8], mtu: usize, o: FragOptions) -> Result<Vec<Vec<u8>>, DropReason> {
    let h = ip::parse(pkt, false).map_err(|_| DropReason::CorruptedIpHeader)?;
    let hl = h.header_len;
    let total = h.total_len;
    let mtu_eff = match o.max_len {
        Some(m) => mtu.min(m),
        None => mtu,
    };
    if total <= mtu_eff {
        return Ok(alloc::vec![pkt.get(..total).unwrap_or(pkt).to_vec()]);
    }
    let cannot = DropReason::CannotFragment { mtu: mtu as u32 };
    let data = pkt.get(hl..total).ok_or(DropReason::CorruptedIpHeader)?;
    let hdr = pkt.get(..hl).ok_or(DropReason::CorruptedIpHeader)?;
    let later_opts = copied_options(hdr.get(20..).unwrap_or_default());
    let frag_word = u16::from_be_bytes([hdr[6], hdr[7]]);
    let base_off = usize::from(frag_word & 0x1fff) * 8;
    let orig_mf = frag_word & 0x2000 != 0;
    // room for data in the first and later fragments, multiples of 8
    let room_first = mtu_eff.checked_sub(hl).ok_or(cannot)? / 8 * 8;
    let room_later = mtu_eff.checked_sub(20 + later_opts.len()).ok_or(cannot)? / 8 * 8;
    if room_first == 0 || room_later == 0 {
        return Err(cannot);
    }
    let mut sizes = Vec::new();
    if o.minimize {
        let room = room_first.min(room_later);
        let n = data.len().div_ceil(room);
        let each = data.len().div_ceil(n).div_ceil(8) * 8;
        let mut left = data.len();
        while left > 0 {
            let s = each.min(left);
            sizes.push(s);
            left -= s;
        }
    } else {
        let mut left = data.len();
        let mut first = true;
        while left > 0 {
            let room = if first { room_first } else { room_later };
            let s = room.min(left);
            sizes.push(s);
            left -= s;
            first = false;
        }
    }
    let mut out = Vec::with_capacity(sizes.len());
    let mut off = 0usize;
    let n = sizes.len();
    for (k, &s) in sizes.iter().enumerate() {
        let opts: &[u8] = if k == 0 {
            hdr.get(20..).unwrap_or_default()
        } else {
            &later_opts
        };
        let fhl = 20 + opts.len();
        let mut f = Vec::with_capacity(fhl + s);
        f.extend_from_slice(&hdr[..20]);
        f.extend_from_slice(opts);
        f.extend_from_slice(&data[off..off + s]);
        f[0] = 0x40 | (fhl / 4) as u8;
        let flen = (fhl + s) as u16;
        f[2..4].copy_from_slice(&flen.to_be_bytes());
        let mf = k + 1 < n || orig_mf;
        let foff = ((base_off + off) / 8) as u16;
        let word = (foff & 0x1fff) | if mf { 0x2000 } else { 0 } | if o.df { 0x4000 } else { 0 };
        f[6..8].copy_from_slice(&word.to_be_bytes());
        ip::update_checksum(&mut f[..fhl]);
        out.push(f);
        off += s;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(len: usize, df: bool) -> Vec<u8> {
        let mut p = alloc::vec![0u8; len];
        ip::write_header(
            &mut p,
            &ip::Ipv4Fields {
                tos: 0,
                total_len: len as u16,
                id: 7,
                df,
                ttl: 64,
                protocol: 17,
                src: [10, 0, 0, 1].into(),
                dst: [10, 0, 0, 2].into(),
            },
        );
        for (i, b) in p[20..].iter_mut().enumerate() {
            *b = i as u8;
        }
        p
    }

    fn reassemble(frags: &[Vec<u8>]) -> Vec<u8> {
        let mut data = alloc::vec![0u8; 0];
        for f in frags {
            let h = ip::parse(f, true).unwrap();
            let off = usize::from(u16::from_be_bytes([f[6], f[7]]) & 0x1fff) * 8;
            let body = &f[h.header_len..h.total_len];
            if data.len() < off + body.len() {
                data.resize(off + body.len(), 0);
            }
            data[off..off + body.len()].copy_from_slice(body);
        }
        data
    }

    /// The guide's example (table 3): MTU 270, a 276-byte packet, 20-byte header.
    #[test]
    fn guide_example_sizes() {
        let p = packet(276, false);
        let plain = fragment(&p, 270, FragOptions::default()).unwrap();
        let lens: Vec<usize> = plain.iter().map(Vec::len).collect();
        assert_eq!(lens, [268, 28]);
        let even = fragment(
            &p,
            270,
            FragOptions {
                minimize: true,
                ..FragOptions::default()
            },
        )
        .unwrap();
        let lens: Vec<usize> = even.iter().map(Vec::len).collect();
        assert_eq!(lens, [148, 148]);
        assert_eq!(reassemble(&plain), p[20..]);
        assert_eq!(reassemble(&even), p[20..]);
        // MF on all but the last, DF cleared by default
        assert_eq!(plain[0][6] & 0x20, 0x20);
        assert_eq!(plain[1][6] & 0x20, 0);
        assert!(plain.iter().all(|f| f[6] & 0x40 == 0));
    }

    #[test]
    fn dont_grow_and_df() {
        let p = packet(1400, true);
        let f = fragment(
            &p,
            1500,
            FragOptions {
                max_len: Some(600),
                df: true,
                ..FragOptions::default()
            },
        )
        .unwrap();
        assert!(f.iter().all(|x| x.len() <= 600 && x[6] & 0x40 != 0));
        assert_eq!(reassemble(&f), p[20..]);
        assert_eq!(
            fragment(&p, 24, FragOptions::default()),
            Err(DropReason::CannotFragment { mtu: 24 })
        );
        assert!(df_on_fragments(2, true, true, false));
        assert!(!df_on_fragments(1, true, true, true));
        assert!(df_on_fragments(1, false, false, true));
        assert!(!df_on_fragments(0, false, false, true));
    }
}
