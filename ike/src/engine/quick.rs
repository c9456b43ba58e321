//! Quick Mode (RFC 2409 §5.5): both roles, with and without PFS, tunnel or transport,
//! UDP-encapsulated when NAT-T is in use; KEYMAT for both directions; the IPsec SA records and
//! their rekeying. This module must not change phase-1 state other than the bytes counters.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::net::{IpAddr, Ipv4Addr, SocketAddr};

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;
use zubr_base::Instant;

use super::*;
use crate::codec::{
    FLAG_ENCRYPTION, NotifyPayload, PayloadType, PayloadWriter, RawPayload, SaPayload,
    parse_payloads,
};
use crate::config::IkeParameters;
use crate::keys;
use crate::proposal::{self, encap};

/// Payloads of a Quick Mode message.
struct QmPayloads<'a> {
    hash: &'a [u8],
    rest: Vec<u8>,
    sa: Option<&'a [u8]>,
    nonce: Option<&'a [u8]>,
    ke: Option<&'a [u8]>,
    ids: Vec<&'a [u8]>,
    notify: Vec<&'a [u8]>,
}

fn split_qm<'a>(ps: &[RawPayload<'a>]) -> Step<QmPayloads<'a>> {
    let (hash, rest) = split_hash(ps).ok_or(IkeError::MissingPayload("HASH"))?;
    let mut q = QmPayloads {
        hash,
        rest,
        sa: None,
        nonce: None,
        ke: None,
        ids: Vec::new(),
        notify: Vec::new(),
    };
    for p in &ps[1..] {
        match p.ty {
            PayloadType::SA => q.sa = q.sa.or(Some(p.body)),
            PayloadType::NONCE => q.nonce = q.nonce.or(Some(p.body)),
            PayloadType::KE => q.ke = q.ke.or(Some(p.body)),
            PayloadType::ID => q.ids.push(p.body),
            PayloadType::NOTIFY => q.notify.push(p.body),
            _ => {}
        }
    }
    Ok(q)
}

impl Engine {
    /// Builds an encrypted message of an exchange with its own IV (`iv` advances): HASH payload
    /// first, then `rest`.
    pub(super) fn hashed_message(
        &mut self,
        i: usize,
        exchange: ExchangeType,
        mid: u32,
        iv: &mut [u8],
        hash: &[u8],
        rest: &PayloadWriter,
    ) -> Step<Vec<u8>> {
        let mut plain = Vec::with_capacity(4 + hash.len() + rest.bytes().len());
        plain.push(rest.first().0);
        plain.push(0);
        let len = u16::try_from(4 + hash.len()).map_err(|_| codec::CodecError::TooLong)?;
        plain.extend_from_slice(&len.to_be_bytes());
        plain.extend_from_slice(hash);
        plain.extend_from_slice(rest.bytes());
        let h = self.header(i, exchange, mid, PayloadType::HASH, FLAG_ENCRYPTION);
        let chain = self.isakmp[i]
            .chain
            .as_mut()
            .ok_or(IkeError::DecryptionFailed)?;
        let body = chain
            .encrypt(iv, &plain)
            .map_err(|_| IkeError::DecryptionFailed)?;
        Ok(codec::assemble(h, &body)?)
    }

    pub(super) fn skeyid_a(
        &self,
        i: usize,
    ) -> Step<(
        &'static zubr_crypto_stb::provider::IkeHash,
        Zeroizing<Vec<u8>>,
    )> {
        let sa = &self.isakmp[i];
        let h = sa.hash().ok_or(IkeError::NoProposalChosen)?;
        let k = sa.keys.as_ref().ok_or(IkeError::AuthenticationFailed)?;
        Ok((h, k.skeyid_a.clone()))
    }

    pub(super) fn new_mid(&mut self, i: usize) -> Step<u32> {
        loop {
            let m = self.random_u32()?;
            if !self.isakmp[i].quick.iter().any(|q| q.mid == m)
                && !self.isakmp[i].info_seen.contains(&m)
            {
                return Ok(m);
            }
        }
    }

    fn encap_value(&self, i: usize, mode: IpsecMode) -> u16 {
        let udp = self.uses_natt(i);
        let draft = self.isakmp[i].natt == Some(NattVersion::Draft);
        proposal::encap_mode(mode, udp, draft)
    }

    /// Initiator: QM1 (HASH(1), SA, Ni, [KE], IDci, IDcr).
    pub(super) fn quick_initiate(
        &mut self,
        now: Instant,
        i: usize,
        rule: usize,
        rekey_of: Option<ConnId>,
    ) -> Step<()> {
        if self.isakmp[i]
            .quick
            .iter()
            .filter(|q| q.state != QmState::Done)
            .count()
            >= MAX_QUICK_PER_SA
        {
            return Err(IkeError::LimitReached);
        }
        if self.ipsec.len() >= self.config.limits.ipsec_sas_max {
            return Err(IkeError::LimitReached);
        }
        let r = self.config.ipsec_rules[rule].clone();
        let mid = self.new_mid(i)?;
        let spi_in = self.random_u32()?.to_be_bytes();
        let ni = self.random_vec(NONCE_LEN)?;
        let encap_value = self.encap_value(i, r.mode);
        let (hash, ska) = self.skeyid_a(i)?;
        let mut iv = self.exchange_iv(i, mid)?;
        // Mode Config: an absent or 0.0.0.0 local selector becomes the assigned address
        let local_ts = match self.isakmp[i].ra.config.as_ref().and_then(|c| c.address) {
            Some(a) if r.local.first == Ipv4Addr::UNSPECIFIED => Selector::host(a),
            _ => r.local,
        };
        let (dh, gx) = match r.pfs {
            Some(g) => {
                let k = g.dh.generate(&mut *self.rng)?;
                self.dh_generations += 1;
                let gx = k.public_key().to_vec();
                (Some(k), Some(gx))
            }
            None => (None, None),
        };
        let sa_body = proposal::phase2_sa(spi_in, &r.proposals, r.pfs, encap_value)?;
        let id_ci = local_ts.payload_body();
        let id_cr = r.remote.payload_body();
        let mut w = PayloadWriter::new();
        w.push(PayloadType::SA, &sa_body)?;
        w.push(PayloadType::NONCE, &ni)?;
        if let Some(gx) = &gx {
            w.push(PayloadType::KE, gx)?;
        }
        w.push(PayloadType::ID, &id_ci)?;
        w.push(PayloadType::ID, &id_cr)?;
        let h1 = keys::hash1(hash, &ska, mid, w.bytes());
        let m = self.hashed_message(i, ExchangeType::QUICK, mid, &mut iv, &h1, &w)?;
        self.send_on(i, &m);
        let q = QuickMode {
            mid,
            role: Role::Initiator,
            state: QmState::ISent1,
            iv,
            rule,
            choice: None,
            encap: encap_value,
            pfs: r.pfs,
            spi_in,
            spi_out: [0; 4],
            ni,
            nr: Vec::new(),
            dh,
            gqm: None,
            local_ts,
            remote_ts: r.remote,
            id_ci,
            id_cr,
            retx: Some(Retransmit::new(
                m,
                now,
                self.config.params.retry_time_base,
                true,
            )),
            recent: Recent::default(),
            deadline: now + self.config.params.session_time_max,
            rekey_of,
            done_at: None,
        };
        self.isakmp[i].quick.push(q);
        Ok(())
    }

    /// A Quick Mode message on ISAKMP SA `i`.
    pub(super) fn quick_message(
        &mut self,
        now: Instant,
        i: usize,
        local: SocketAddr,
        remote: SocketAddr,
        msg: &Message<'_>,
        bytes: &[u8],
    ) -> Result<(), Ignored> {
        if !self.isakmp[i].is_active() {
            // e.g. QM1 racing AM3: the initiator retransmits
            return Err(Ignored::Unexpected("Quick Mode before phase 1 completed"));
        }
        if self.isakmp[i].configuring() {
            return Err(Ignored::Unexpected(
                "Quick Mode before XAuth / Mode Config finished",
            ));
        }
        if !msg.header.encrypted() {
            return Err(Ignored::Unexpected("unencrypted Quick Mode"));
        }
        let mid = msg.header.message_id;
        if mid == 0 {
            return Err(Ignored::Unexpected("Quick Mode with message ID 0"));
        }
        let d = digest(bytes);
        let qi = match self.isakmp[i].quick.iter().position(|q| q.mid == mid) {
            Some(qi) => qi,
            None => return self.quick_respond(now, i, local, remote, msg, d),
        };
        {
            let q = &self.isakmp[i].quick[qi];
            if q.recent.contains(d) {
                if let Some(p) = q.retx.as_ref().and_then(|r| r.answer_to(d)) {
                    self.send_on(i, &p);
                }
                return Err(Ignored::Duplicate);
            }
        }
        let iv = self.isakmp[i].quick[qi].iv.clone();
        let (plain, next_iv) = self.open_protected(i, &iv, msg)?;
        let ps = parse_payloads(msg.header.next_payload, &plain, true)
            .map_err(|_| Ignored::NotAuthentic)?;
        let q = split_qm(&ps).map_err(|_| Ignored::NotAuthentic)?;
        let state = self.isakmp[i].quick[qi].state;
        let r = match state {
            QmState::ISent1 => self.quick_i3(now, i, qi, mid, &q, next_iv),
            QmState::RSent2 => self.quick_r_done(now, i, qi, mid, &q, next_iv),
            QmState::Done => return Err(Ignored::Unexpected("Quick Mode already finished")),
        };
        match r {
            Ok(()) => {
                let sa = &mut self.isakmp[i];
                sa.last_rx = now;
                if let Some(qq) = sa.quick.get_mut(qi) {
                    qq.recent.push(d);
                    if let Some(r) = qq.retx.as_mut() {
                        r.answering(d);
                    }
                }
                Ok(())
            }
            Err(IkeError::InvalidHash) => Err(Ignored::NotAuthentic),
            Err(e) => {
                self.fail_quick(now, i, qi, e.clone(), true);
                Err(Ignored::Rejected(e))
            }
        }
    }

    /// Initiator got QM2: checks it, sends QM3, installs the SAs.
    fn quick_i3(
        &mut self,
        now: Instant,
        i: usize,
        qi: usize,
        mid: u32,
        q: &QmPayloads<'_>,
        next_iv: Vec<u8>,
    ) -> Step<()> {
        let (hash, ska) = self.skeyid_a(i)?;
        let want = keys::hash2(hash, &ska, mid, &self.isakmp[i].quick[qi].ni, &q.rest);
        if !bool::from(want.ct_eq(q.hash)) {
            return Err(IkeError::InvalidHash);
        }
        self.isakmp[i].quick[qi].iv = next_iv;
        // an error notification instead of an answer
        for n in &q.notify {
            if let Ok(n) = NotifyPayload::parse(n)
                && n.ty.is_error()
            {
                return Err(IkeError::PeerNotify(n.ty));
            }
        }
        let rule = self.isakmp[i].quick[qi].rule;
        let r = &self.config.ipsec_rules[rule];
        let reply = SaPayload::parse(q.sa.ok_or(IkeError::MissingPayload("SA"))?)?;
        let (encap_v, pfs) = (self.isakmp[i].quick[qi].encap, self.isakmp[i].quick[qi].pfs);
        let (choice, spi_out) =
            proposal::accept_phase2_reply(&self.provider, &r.proposals, pfs, encap_v, &reply)
                .ok_or(IkeError::NoProposalChosen)?;
        let nr = q.nonce.ok_or(IkeError::MissingPayload("Nonce"))?.to_vec();
        if !(8..=256).contains(&nr.len()) {
            return Err(IkeError::MissingPayload("Nonce"));
        }
        let gqm = match (&self.isakmp[i].quick[qi].dh, q.ke) {
            (Some(dh), Some(ke)) => Some(dh.agree(ke).map_err(|_| IkeError::InvalidKeyExchange)?),
            (None, None) => None,
            _ => return Err(IkeError::MissingPayload("KE")),
        };
        // the responder must echo our selectors
        if !q.ids.is_empty() {
            let qq = &self.isakmp[i].quick[qi];
            if q.ids.len() != 2
                || q.ids[0] != qq.id_ci.as_slice()
                || q.ids[1] != qq.id_cr.as_slice()
            {
                return Err(IkeError::InvalidSelectors);
            }
        }
        let h3 = {
            let qq = &self.isakmp[i].quick[qi];
            keys::hash3(hash, &ska, mid, &qq.ni, &nr)
        };
        let mut iv = self.isakmp[i].quick[qi].iv.clone();
        let m = self.hashed_message(
            i,
            ExchangeType::QUICK,
            mid,
            &mut iv,
            &h3,
            &PayloadWriter::new(),
        )?;
        self.send_on(i, &m);
        let qq = &mut self.isakmp[i].quick[qi];
        qq.iv = iv;
        qq.nr = nr;
        qq.choice = Some(choice);
        qq.spi_out = spi_out;
        qq.gqm = gqm.map(|g| Zeroizing::new(g.to_vec()));
        qq.dh = None;
        qq.state = QmState::Done;
        qq.done_at = Some(now);
        // keep QM3 to answer a repeated QM2, but do not retransmit it
        qq.retx = Some(Retransmit::new(
            m,
            now,
            self.config.params.retry_time_base,
            false,
        ));
        self.install(now, i, qi)
    }

    /// Responder: a new QM1.
    fn quick_respond(
        &mut self,
        now: Instant,
        i: usize,
        local: SocketAddr,
        remote: SocketAddr,
        msg: &Message<'_>,
        d: u64,
    ) -> Result<(), Ignored> {
        let _ = (local, remote);
        let mid = msg.header.message_id;
        if self.isakmp[i]
            .quick
            .iter()
            .filter(|q| q.state != QmState::Done)
            .count()
            >= MAX_QUICK_PER_SA
            || self.sessions().1 >= self.config.limits.responder_sessions_max
            || self.ipsec.len() >= self.config.limits.ipsec_sas_max
        {
            return Err(Ignored::LimitReached);
        }
        if self.isakmp[i].info_seen.contains(&mid) {
            return Err(Ignored::Duplicate);
        }
        let (hash, ska) = self.skeyid_a(i).map_err(Ignored::Rejected)?;
        let iv = self.exchange_iv(i, mid).map_err(Ignored::Rejected)?;
        let (plain, next_iv) = self.open_protected(i, &iv, msg)?;
        let ps = parse_payloads(msg.header.next_payload, &plain, true)
            .map_err(|_| Ignored::NotAuthentic)?;
        let q = split_qm(&ps).map_err(|_| Ignored::NotAuthentic)?;
        let want = keys::hash1(hash, &ska, mid, &q.rest);
        if !bool::from(want.ct_eq(q.hash)) {
            return Err(Ignored::NotAuthentic);
        }
        self.isakmp[i].last_rx = now;
        match self.quick_r2(now, i, mid, &q, next_iv, d) {
            Ok(()) => Ok(()),
            Err(e) => {
                if let Some(n) = e.notify() {
                    let _ = self.send_notify(now, i, n, codec::ProtocolId::ESP, &[], &[]);
                }
                let (id, peer) = (self.isakmp[i].id, self.isakmp[i].remote);
                self.event(Event::ExchangeFailed {
                    id,
                    peer,
                    error: e.clone(),
                });
                Err(Ignored::Rejected(e))
            }
        }
    }

    fn quick_r2(
        &mut self,
        now: Instant,
        i: usize,
        mid: u32,
        q: &QmPayloads<'_>,
        mut iv: Vec<u8>,
        d: u64,
    ) -> Step<()> {
        let sa_body = q.sa.ok_or(IkeError::MissingPayload("SA"))?;
        let offered = SaPayload::parse(sa_body)?;
        let ni = q.nonce.ok_or(IkeError::MissingPayload("Nonce"))?.to_vec();
        if !(8..=256).contains(&ni.len()) {
            return Err(IkeError::MissingPayload("Nonce"));
        }
        let (remote_ip, local_ip) = match (self.isakmp[i].remote.ip(), self.isakmp[i].local.ip()) {
            (IpAddr::V4(r), IpAddr::V4(l)) => (r, l),
            _ => return Err(IkeError::InvalidSelectors),
        };
        // IDci is the peer's side, IDcr ours; absent IDs mean the IKE addresses
        let (peer_ts, our_ts) = match q.ids.as_slice() {
            [] => (Selector::host(remote_ip), Selector::host(local_ip)),
            [ci, cr] => (
                Selector::from_payload(ci).ok_or(IkeError::InvalidSelectors)?,
                Selector::from_payload(cr).ok_or(IkeError::InvalidSelectors)?,
            ),
            _ => return Err(IkeError::InvalidSelectors),
        };
        // a Mode Config client may only use its tranche
        if let Some(t) = self.isakmp[i].ra.tranche()
            && !t.contains(&Selector {
                protocol: 0,
                port: 0,
                ..peer_ts
            })
        {
            return Err(IkeError::InvalidSelectors);
        }
        let spi_in = self.random_u32()?.to_be_bytes();
        let mut found = None;
        let mut selectors_ok = false;
        for (ri, r) in self.config.ipsec_rules.iter().enumerate() {
            if !(r.remote.contains(&peer_ts) && r.local.contains(&our_ts)) {
                continue;
            }
            if r.peer.is_some_and(|p| p != remote_ip) {
                continue;
            }
            selectors_ok = true;
            if let Some((c, spi_out, reply)) =
                proposal::select_phase2(&self.provider, &r.proposals, &offered, spi_in)
            {
                let udp = self.uses_natt(i);
                let draft = self.isakmp[i].natt == Some(NattVersion::Draft);
                let want = proposal::encap_mode(r.mode, udp, draft);
                // accept the tunnel/transport mode of the rule; the UDP flavour follows NAT-T
                let compatible = c.encap == want
                    || (udp
                        && matches!(c.encap, encap::UDP_TUNNEL | encap::UDP_TUNNEL_DRAFT)
                        && r.mode == IpsecMode::Tunnel)
                    || (udp
                        && matches!(c.encap, encap::UDP_TRANSPORT | encap::UDP_TRANSPORT_DRAFT)
                        && r.mode == IpsecMode::Transport);
                if !compatible {
                    continue;
                }
                if c.pfs.is_some() != q.ke.is_some()
                    || (r.pfs.is_some() && c.pfs.map(|g| g.id) != r.pfs.map(|g| g.id))
                {
                    continue;
                }
                found = Some((ri, c, spi_out, reply));
                break;
            }
        }
        let Some((rule, choice, spi_out, reply)) = found else {
            return Err(if selectors_ok {
                IkeError::NoProposalChosen
            } else {
                IkeError::InvalidSelectors
            });
        };
        let nr = self.random_vec(NONCE_LEN)?;
        let (gqm, gr) = match (choice.pfs, q.ke) {
            (Some(g), Some(ke)) => {
                if ke.len() != g.dh.public_len() {
                    return Err(IkeError::InvalidKeyExchange);
                }
                let k = g.dh.generate(&mut *self.rng)?;
                self.dh_generations += 1;
                let s = k.agree(ke).map_err(|_| IkeError::InvalidKeyExchange)?;
                (
                    Some(Zeroizing::new(s.to_vec())),
                    Some(k.public_key().to_vec()),
                )
            }
            _ => (None, None),
        };
        let mut w = PayloadWriter::new();
        w.push(PayloadType::SA, &reply)?;
        w.push(PayloadType::NONCE, &nr)?;
        if let Some(gr) = &gr {
            w.push(PayloadType::KE, gr)?;
        }
        let (id_ci, id_cr) = match q.ids.as_slice() {
            [ci, cr] => (ci.to_vec(), cr.to_vec()),
            _ => (Vec::new(), Vec::new()),
        };
        if !id_ci.is_empty() {
            w.push(PayloadType::ID, &id_ci)?;
            w.push(PayloadType::ID, &id_cr)?;
        }
        let (hash, ska) = self.skeyid_a(i)?;
        let h2 = keys::hash2(hash, &ska, mid, &ni, w.bytes());
        let m = self.hashed_message(i, ExchangeType::QUICK, mid, &mut iv, &h2, &w)?;
        self.send_on(i, &m);
        let mut recent = Recent::default();
        recent.push(d);
        let qm = QuickMode {
            mid,
            role: Role::Responder,
            state: QmState::RSent2,
            iv,
            rule,
            choice: Some(choice),
            encap: choice.encap,
            pfs: choice.pfs,
            spi_in,
            spi_out,
            ni,
            nr,
            dh: None,
            gqm,
            local_ts: our_ts,
            remote_ts: peer_ts,
            id_ci,
            id_cr,
            // QM3 is the last message: if it is lost only our retransmission of QM2 recovers
            retx: Some(Retransmit {
                answers: Some(d),
                ..Retransmit::new(m, now, self.config.params.retry_time_base, true)
            }),
            recent,
            deadline: now + self.config.params.session_time_max,
            rekey_of: None,
            done_at: None,
        };
        self.isakmp[i].quick.push(qm);
        Ok(())
    }

    /// Responder got QM3: installs the SAs.
    fn quick_r_done(
        &mut self,
        now: Instant,
        i: usize,
        qi: usize,
        mid: u32,
        q: &QmPayloads<'_>,
        next_iv: Vec<u8>,
    ) -> Step<()> {
        let (hash, ska) = self.skeyid_a(i)?;
        let want = {
            let qq = &self.isakmp[i].quick[qi];
            keys::hash3(hash, &ska, mid, &qq.ni, &qq.nr)
        };
        if !bool::from(want.ct_eq(q.hash)) {
            return Err(IkeError::InvalidHash);
        }
        let qq = &mut self.isakmp[i].quick[qi];
        qq.iv = next_iv;
        qq.state = QmState::Done;
        qq.done_at = Some(now);
        if let Some(r) = qq.retx.as_mut() {
            r.next = None;
        }
        self.install(now, i, qi)
    }

    /// Computes KEYMAT, records the IPsec SA pair and emits `IpsecSaReady`; after a rekey the
    /// replaced pair is deleted.
    fn install(&mut self, now: Instant, i: usize, qi: usize) -> Step<()> {
        let (hash, skeyid_d) = {
            let sa = &self.isakmp[i];
            (
                sa.hash().ok_or(IkeError::NoProposalChosen)?,
                sa.keys
                    .as_ref()
                    .ok_or(IkeError::AuthenticationFailed)?
                    .skeyid_d
                    .clone(),
            )
        };
        let id = self.id();
        let permille = u64::from(self.config.params.rekey_permille);
        let sa = &self.isakmp[i];
        let q = &sa.quick[qi];
        let c = q.choice.ok_or(IkeError::NoProposalChosen)?;
        let (ni, nr) = (&q.ni, &q.nr);
        let len = c.keymat_len();
        let enc_len = c.cipher.cipher.key_len();
        let gqm = q.gqm.as_deref().map(|v| v.as_slice());
        let km_in = keys::keymat(
            hash,
            &skeyid_d,
            gqm,
            codec::ProtocolId::ESP.0,
            &q.spi_in,
            ni,
            nr,
            len,
        );
        let km_out = keys::keymat(
            hash,
            &skeyid_d,
            gqm,
            codec::ProtocolId::ESP.0,
            &q.spi_out,
            ni,
            nr,
            len,
        );
        let split = |km: &Zeroizing<Vec<u8>>, spi: [u8; 4]| SaKeys {
            spi: u32::from_be_bytes(spi),
            enc_key: Zeroizing::new(km[..enc_len].to_vec()),
            auth_key: Zeroizing::new(km[enc_len..].to_vec()),
        };
        let rule = &self.config.ipsec_rules[q.rule];
        let udp = matches!(
            c.encap,
            encap::UDP_TUNNEL
                | encap::UDP_TRANSPORT
                | encap::UDP_TUNNEL_DRAFT
                | encap::UDP_TRANSPORT_DRAFT
        );
        let pair = IpsecSaPair {
            id,
            isakmp: sa.id,
            rule: rule.name.clone(),
            local: sa.local.ip(),
            remote: sa.remote.ip(),
            udp_encap: udp.then_some(UdpEncap {
                local_port: sa.local.port(),
                remote_port: sa.remote.port(),
            }),
            mode: rule.mode,
            local_ts: q.local_ts,
            remote_ts: q.remote_ts,
            cipher: c.cipher,
            integrity: c.integrity,
            inbound: split(&km_in, q.spi_in),
            outbound: split(&km_out, q.spi_out),
            lifetime_secs: c.lifetime_secs,
            lifetime_kb: c.lifetime_kb,
            replaces: q.rekey_of,
        };
        let life = u64::from(c.lifetime_secs);
        let record = IpsecSa {
            id,
            isakmp: sa.id,
            rule: q.rule,
            spi_in: pair.inbound.spi,
            spi_out: pair.outbound.spi,
            choice: c,
            local_ts: q.local_ts,
            remote_ts: q.remote_ts,
            local: sa.local,
            remote: sa.remote,
            udp,
            role: q.role,
            rekeyed: q.rekey_of.is_some(),
            soft: (life > 0 && q.role == Role::Initiator && rule.rekey)
                .then(|| now + Duration::from_millis(life * permille)),
            hard: (life > 0).then(|| now + Duration::from_secs(life)),
            rekey_state: RekeyState::None,
            bytes_sent: 0,
            bytes_rcvd: 0,
            pkts_sent: 0,
            pkts_rcvd: 0,
            send_errors: 0,
            recv_errors: 0,
            traffic_since_soft: false,
            peer_id: sa.peer_id.clone(),
        };
        let replaces = q.rekey_of;
        self.ipsec.push(record);
        self.event(Event::IpsecSaReady(Box::new(pair)));
        if let Some(old) = replaces
            && let Some(k) = self.ipsec.iter().position(|s| s.id == old)
        {
            self.ipsec[k].rekey_state = RekeyState::Replaced;
            self.delete_ipsec(now, k, DeleteReason::Rekeyed, true);
        }
        Ok(())
    }

    pub(super) fn fail_quick(
        &mut self,
        now: Instant,
        i: usize,
        qi: usize,
        error: IkeError,
        notify: bool,
    ) {
        let q = self.isakmp[i].quick.remove(qi);
        if notify && let Some(n) = error.notify() {
            let _ = self.send_notify(now, i, n, codec::ProtocolId::ESP, &[], &[]);
        }
        if let Some(old) = q.rekey_of
            && let Some(s) = self.ipsec.iter_mut().find(|s| s.id == old)
        {
            s.rekey_state = RekeyState::None;
            s.soft = None;
        }
        let (id, peer) = (self.isakmp[i].id, self.isakmp[i].remote);
        self.event(Event::ExchangeFailed { id, peer, error });
    }

    /// Quick Mode retransmissions, timeouts and cleanup on ISAKMP SA `i`.
    pub(super) fn quick_timers(&mut self, now: Instant, i: usize, p: &IkeParameters) {
        let mut qi = 0;
        while qi < self.isakmp[i].quick.len() {
            let q = &mut self.isakmp[i].quick[qi];
            if q.state == QmState::Done {
                if q.done_at.is_some_and(|d| now >= d + LINGER) {
                    self.isakmp[i].quick.remove(qi);
                    continue;
                }
                qi += 1;
                continue;
            }
            if now >= q.deadline {
                self.fail_quick(now, i, qi, IkeError::SessionTimeout, false);
                continue;
            }
            match q.retx.as_mut().map(|r| r.poll(now, p)) {
                Some(RetxPoll::Exhausted) => {
                    self.fail_quick(now, i, qi, IkeError::Timeout, false);
                    continue;
                }
                Some(RetxPoll::Resend(m)) => self.send_on(i, &m),
                _ => {}
            }
            qi += 1;
        }
    }
}
