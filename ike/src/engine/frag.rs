//! IKE fragmentation, the IKEv1 extension of Cisco that strongSwan, racoon and Windows speak:
//! announced by the FRAGMENTATION vendor ID; a message that does not fit `FragmentSize` is cut
//! into payloads of type 132 (fragment ID, number from 1, flag LAST, data), each in its own
//! unencrypted ISAKMP message with the SA's cookies, message ID 0 and the phase-1 exchange type
//! whatever the carried exchange (as strongSwan sends them). The data of the fragments, put
//! together, is the complete original message, header included.
//!
//! Written from the behaviour of strongSwan 5.9 (no published specification exists). Reassembly
//! is bounded: one message per ISAKMP SA at a time, at most [`MAX_FRAGMENTS`] fragments and
//! [`MAX_REASSEMBLED`] bytes, dropped after `SessionTimeMax`; a fragment with a new ID starts
//! over. This module must not interpret the reassembled message: it hands it back to the
//! engine's message dispatch.

use alloc::vec::Vec;

use zubr_base::Instant;

use super::*;
use crate::codec::{FragmentPayload, Header, PayloadType, PayloadWriter, parse_payloads};

/// Most fragments of one message (the fragment number is one byte).
pub const MAX_FRAGMENTS: usize = 255;
/// Most bytes of one reassembled message.
pub const MAX_REASSEMBLED: usize = 64 * 1024;

/// A message being reassembled.
pub(super) struct Defrag {
    id: u16,
    /// (number, data), sorted by number, no duplicates.
    parts: Vec<(u8, Vec<u8>)>,
    last: Option<u8>,
    bytes: usize,
    pub(super) expires: Instant,
}

/// Whether a vendor ID announces fragmentation support (16 bytes, or 20 with the phase-1
/// capability bit 0x80000000).
pub(super) fn is_fragmentation_vid(v: &[u8]) -> bool {
    match v.len() {
        16 => v == &vid::FRAGMENTATION[..16],
        20 => v[..16] == vid::FRAGMENTATION[..16] && v[16] & 0x80 != 0,
        _ => false,
    }
}

impl Engine {
    /// The fragments of `msg` on SA `i`, or `None` when it goes whole.
    pub(super) fn fragments_for(&self, i: usize, msg: &[u8]) -> Option<Vec<Vec<u8>>> {
        let size = usize::from(self.config.params.fragment_size);
        let sa = &self.isakmp[i];
        if size == 0 || !sa.frag_peer {
            return None;
        }
        // IPv4 20 + UDP 8 (+ non-ESP marker 4)
        let marker = if sa.local.port() == self.config.params.natt_port {
            4
        } else {
            0
        };
        if msg.len() + 28 + marker <= size {
            return None;
        }
        // + ISAKMP header 28 + fragment payload header 8
        let overhead = 28 + marker + codec::HEADER_LEN + 8;
        let per = size
            .saturating_sub(overhead)
            .max(msg.len().div_ceil(MAX_FRAGMENTS))
            .max(1);
        let hdr = Message::parse(msg).ok()?.header;
        // a stable ID per message: a retransmission sends the same fragments
        let id = (digest(msg) & 0xffff) as u16;
        let exchange = match sa.mode {
            Phase1Mode::Main => ExchangeType::IDENTITY_PROTECTION,
            Phase1Mode::Aggressive => ExchangeType::AGGRESSIVE,
        };
        let chunks: Vec<&[u8]> = msg.chunks(per).collect();
        let n = chunks.len();
        let mut out = Vec::with_capacity(n);
        for (k, data) in chunks.into_iter().enumerate() {
            let mut body = Vec::with_capacity(data.len() + 4);
            FragmentPayload {
                id,
                number: u8::try_from(k + 1).ok()?,
                flags: if k + 1 == n { FragmentPayload::LAST } else { 0 },
                data,
            }
            .emit(&mut body);
            let mut w = PayloadWriter::new();
            w.push(PayloadType::FRAGMENT, &body).ok()?;
            let h = Header {
                icookie: hdr.icookie,
                rcookie: hdr.rcookie,
                next_payload: PayloadType::FRAGMENT,
                version: 0x10,
                exchange,
                flags: 0,
                message_id: 0,
                length: 0,
            };
            out.push(codec::assemble(h, w.bytes()).ok()?);
        }
        Some(out)
    }

    /// Takes one fragment message for SA `i`; returns the whole message once every fragment is
    /// in.
    pub(super) fn add_fragment(
        &mut self,
        now: Instant,
        i: usize,
        msg: &Message<'_>,
    ) -> Result<Option<Vec<u8>>, Ignored> {
        if self.config.params.fragment_size == 0 {
            return Err(Ignored::Unexpected("IKE fragmentation disabled"));
        }
        let ps = parse_payloads(msg.header.next_payload, msg.body, false)?;
        let [p] = ps.as_slice() else {
            return Err(Ignored::Malformed(codec::CodecError::Malformed(
                "fragment message",
            )));
        };
        let f = FragmentPayload::parse(p.body)?;
        if f.number == 0 || f.data.is_empty() {
            return Err(Ignored::Malformed(codec::CodecError::Malformed(
                "fragment number",
            )));
        }
        let ttl = self.config.params.session_time_max;
        let sa = &mut self.isakmp[i];
        let restart = match &sa.defrag {
            Some(d) => d.id != f.id || now >= d.expires,
            None => true,
        };
        if restart {
            sa.defrag = Some(Defrag {
                id: f.id,
                parts: Vec::new(),
                last: None,
                bytes: 0,
                expires: now + ttl,
            });
        }
        let Some(d) = sa.defrag.as_mut() else {
            return Ok(None);
        };
        let last = f.flags & FragmentPayload::LAST != 0;
        if last {
            match d.last {
                Some(l) if l != f.number => {
                    sa.defrag = None;
                    return Err(Ignored::Malformed(codec::CodecError::Malformed(
                        "two last fragments",
                    )));
                }
                _ => d.last = Some(f.number),
            }
        }
        if d.last.is_some_and(|l| f.number > l) {
            sa.defrag = None;
            return Err(Ignored::Malformed(codec::CodecError::Malformed(
                "fragment after the last",
            )));
        }
        let at = match d.parts.binary_search_by_key(&f.number, |x| x.0) {
            Ok(_) => return Err(Ignored::Duplicate),
            Err(at) => at,
        };
        if d.bytes + f.data.len() > MAX_REASSEMBLED || d.parts.len() >= MAX_FRAGMENTS {
            sa.defrag = None;
            return Err(Ignored::LimitReached);
        }
        d.bytes += f.data.len();
        d.parts.insert(at, (f.number, f.data.to_vec()));
        match d.last {
            Some(l) if d.parts.len() == usize::from(l) => {
                let mut whole = Vec::with_capacity(d.bytes);
                for (_, part) in &d.parts {
                    whole.extend_from_slice(part);
                }
                sa.defrag = None;
                Ok(Some(whole))
            }
            _ => Ok(None),
        }
    }
}
