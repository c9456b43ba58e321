//! Informational exchanges (RFC 2408 §4.8, RFC 2409 §5.7): Delete and Notification payloads
//! protected by HASH(1), DPD R-U-THERE / R-U-THERE-ACK (RFC 3706). Each message has its own
//! message ID and IV. This module must not start Quick Modes.

use alloc::vec::Vec;
use core::net::SocketAddr;

use subtle::ConstantTimeEq;
use zubr_base::Instant;

use super::*;
use crate::codec::{
    DeletePayload, NotifyPayload, NotifyType, PayloadType, PayloadWriter, ProtocolId,
    parse_payloads,
};
use crate::keys;

/// Informational message IDs remembered per ISAKMP SA (replay guard).
const INFO_SEEN: usize = 32;

impl Engine {
    fn send_info(&mut self, i: usize, w: &PayloadWriter) -> Step<()> {
        if !self.isakmp[i].is_active() || self.isakmp[i].keys.is_none() {
            return Err(IkeError::Deleted);
        }
        let mid = self.new_mid(i)?;
        let (hash, ska) = self.skeyid_a(i)?;
        let mut iv = self.exchange_iv(i, mid)?;
        let h = keys::hash1(hash, &ska, mid, w.bytes());
        let m = self.hashed_message(i, ExchangeType::INFORMATIONAL, mid, &mut iv, &h, w)?;
        self.send_on(i, &m);
        Ok(())
    }

    /// Sends a Delete for `spis` of `protocol` on ISAKMP SA `i`.
    pub(super) fn send_delete(
        &mut self,
        _now: Instant,
        i: usize,
        protocol: ProtocolId,
        spis: &[&[u8]],
    ) -> Step<()> {
        let mut body = Vec::new();
        DeletePayload {
            doi: codec::DOI_IPSEC,
            protocol,
            spis: spis.to_vec(),
        }
        .emit(&mut body)?;
        let mut w = PayloadWriter::new();
        w.push(PayloadType::DELETE, &body)?;
        self.send_info(i, &w)
    }

    /// Sends an encrypted notification on ISAKMP SA `i`.
    pub(super) fn send_notify(
        &mut self,
        _now: Instant,
        i: usize,
        ty: NotifyType,
        protocol: ProtocolId,
        spi: &[u8],
        data: &[u8],
    ) -> Step<()> {
        let mut body = Vec::new();
        NotifyPayload {
            doi: codec::DOI_IPSEC,
            protocol,
            ty,
            spi,
            data,
        }
        .emit(&mut body)?;
        let mut w = PayloadWriter::new();
        w.push(PayloadType::NOTIFY, &body)?;
        self.send_info(i, &w)
    }

    fn cookies(&self, i: usize) -> [u8; 16] {
        let mut spi = [0u8; 16];
        spi[..8].copy_from_slice(&self.isakmp[i].icookie);
        spi[8..].copy_from_slice(&self.isakmp[i].rcookie);
        spi
    }

    /// An Informational message on ISAKMP SA `i`.
    pub(super) fn info_message(
        &mut self,
        now: Instant,
        i: usize,
        local: SocketAddr,
        remote: SocketAddr,
        msg: &Message<'_>,
        _bytes: &[u8],
    ) -> Result<(), Ignored> {
        let _ = (local, remote);
        if !msg.header.encrypted() {
            // only error notifications during phase 1 are taken unprotected
            if self.isakmp[i].is_half_open() {
                let ps = parse_payloads(msg.header.next_payload, msg.body, false)?;
                for p in ps.iter().filter(|p| p.ty == PayloadType::NOTIFY) {
                    if let Ok(n) = NotifyPayload::parse(p.body)
                        && n.ty.is_error()
                    {
                        self.fail_phase1(now, i, IkeError::PeerNotify(n.ty));
                        return Ok(());
                    }
                }
            }
            return Err(Ignored::Unexpected("unprotected Informational"));
        }
        if self.isakmp[i].keys.is_none() || self.isakmp[i].last_p1_block.is_empty() {
            return Err(Ignored::Unexpected(
                "Informational before phase 1 completed",
            ));
        }
        let mid = msg.header.message_id;
        if self.isakmp[i].info_seen.contains(&mid) {
            return Err(Ignored::Duplicate);
        }
        let (hash, ska) = self.skeyid_a(i).map_err(Ignored::Rejected)?;
        let iv = self.exchange_iv(i, mid).map_err(Ignored::Rejected)?;
        let (plain, _) = self.open_protected(i, &iv, msg)?;
        let ps = parse_payloads(msg.header.next_payload, &plain, true)
            .map_err(|_| Ignored::NotAuthentic)?;
        let (h, rest) = split_hash(&ps).ok_or(Ignored::NotAuthentic)?;
        let want = keys::hash1(hash, &ska, mid, &rest);
        if !bool::from(want.ct_eq(h)) {
            return Err(Ignored::NotAuthentic);
        }
        {
            let sa = &mut self.isakmp[i];
            if sa.info_seen.len() >= INFO_SEEN {
                sa.info_seen.pop_front();
            }
            sa.info_seen.push_back(mid);
            sa.last_rx = now;
        }
        let id = self.isakmp[i].id;
        for p in &ps[1..] {
            match p.ty {
                PayloadType::NOTIFY => {
                    let Ok(n) = NotifyPayload::parse(p.body) else {
                        continue;
                    };
                    match n.ty {
                        NotifyType::R_U_THERE => {
                            let spi = self.cookies(i);
                            let data = n.data.to_vec();
                            let _ = self.send_notify(
                                now,
                                i,
                                NotifyType::R_U_THERE_ACK,
                                ProtocolId::ISAKMP,
                                &spi,
                                &data,
                            );
                        }
                        NotifyType::R_U_THERE_ACK => {
                            let seq = <[u8; 4]>::try_from(n.data).ok().map(u32::from_be_bytes);
                            let sa = &mut self.isakmp[i];
                            if sa.dpd.pending.is_some_and(|p| Some(p.0) == seq) {
                                sa.dpd.pending = None;
                            }
                        }
                        ty => {
                            if ty.is_error() {
                                // an error about a running Quick Mode fails it
                                if let Some(qi) = self.isakmp[i]
                                    .quick
                                    .iter()
                                    .position(|q| q.state == QmState::ISent1)
                                {
                                    self.fail_quick(now, i, qi, IkeError::PeerNotify(ty), false);
                                    continue;
                                }
                            }
                            self.event(Event::NotifyReceived { id, ty });
                        }
                    }
                }
                PayloadType::DELETE => {
                    let Ok(d) = DeletePayload::parse(p.body) else {
                        continue;
                    };
                    match d.protocol {
                        ProtocolId::ESP | ProtocolId::AH => {
                            for spi in d.spis {
                                let Ok(b) = <[u8; 4]>::try_from(spi) else {
                                    continue;
                                };
                                let spi = u32::from_be_bytes(b);
                                // the peer deletes its inbound SA = our outbound one
                                if let Some(k) = self
                                    .ipsec
                                    .iter()
                                    .position(|s| s.spi_out == spi && s.isakmp == id)
                                {
                                    self.delete_ipsec(now, k, DeleteReason::PeerDeleted, false);
                                } else if let Some(k) = self.ipsec.iter().position(|s| {
                                    s.spi_out == spi && s.remote.ip() == self.isakmp[i].remote.ip()
                                }) {
                                    self.delete_ipsec(now, k, DeleteReason::PeerDeleted, false);
                                }
                            }
                        }
                        ProtocolId::ISAKMP => {
                            let me = self.cookies(i);
                            if d.spis.contains(&me.as_slice()) {
                                self.delete_isakmp(now, i, DeleteReason::PeerDeleted, false);
                                return Ok(());
                            }
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// DPD probes on ISAKMP SA `i`.
    pub(super) fn dpd_timers(&mut self, now: Instant, i: usize) {
        if !self.isakmp[i].is_active() {
            return;
        }
        let cfg = self.config.ike_rules[self.isakmp[i].rule].dpd.clone();
        let Some(interval) = cfg.interval else {
            return;
        };
        let pending = self.isakmp[i].dpd.pending;
        match pending {
            Some((seq, tries, next)) if now >= next => {
                if tries >= cfg.retries {
                    self.peer_dead(now, i);
                    return;
                }
                self.send_dpd(now, i, seq, tries + 1, cfg.retry_interval);
            }
            Some(_) => {}
            None if now >= self.isakmp[i].last_rx + interval => {
                let seq = self.isakmp[i].dpd.seq.wrapping_add(1);
                self.isakmp[i].dpd.seq = seq;
                self.send_dpd(now, i, seq, 1, cfg.retry_interval);
            }
            None => {}
        }
    }

    fn send_dpd(&mut self, now: Instant, i: usize, seq: u32, tries: u32, retry: Duration) {
        let spi = self.cookies(i);
        let _ = self.send_notify(
            now,
            i,
            NotifyType::R_U_THERE,
            ProtocolId::ISAKMP,
            &spi,
            &seq.to_be_bytes(),
        );
        self.isakmp[i].dpd.pending = Some((seq, tries, now + retry));
    }

    fn peer_dead(&mut self, now: Instant, i: usize) {
        let (id, peer) = (self.isakmp[i].id, self.isakmp[i].remote);
        let mut k = 0;
        while k < self.ipsec.len() {
            if self.ipsec[k].isakmp == id || self.ipsec[k].remote.ip() == peer.ip() {
                self.delete_ipsec(now, k, DeleteReason::PeerDead, false);
            } else {
                k += 1;
            }
        }
        self.delete_isakmp(now, i, DeleteReason::PeerDead, false);
        self.event(Event::PeerDead { id, peer });
    }
}
