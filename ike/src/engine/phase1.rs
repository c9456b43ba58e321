//! Phase 1: Main Mode (6 messages) and Aggressive Mode (3 messages), both roles, with NAT-T
//! detection and floating (RFC 3947) and the vendor IDs strongSwan accepts.
//!
//! Authentication dispatches on [`AuthMethod`] in `Engine::auth_skeyid`, `Engine::auth_payloads`
//! and `Engine::auth_verify`: pre-shared keys (HASH_I/HASH_R) and signatures (CERT, CERTREQ and
//! SIG payloads; RFC 2409 §5.1). With signatures, HASH_I/HASH_R is the message signed by our
//! [`SigningKey`](zubr_crypto_stb::provider::SigningKey) with the scheme of the negotiated
//! method and checked with the public key the host's
//! [`CertificateValidator`](crate::config::CertificateValidator) vouches for; the peer's ID payload
//! must be backed by that certificate. XAuth changes only the method numbers (65001…). This
//! module must not touch Quick Mode state.

use alloc::vec::Vec;
use core::net::{IpAddr, SocketAddr};

use subtle::ConstantTimeEq;
use zubr_base::Instant;

use super::*;
use crate::codec::{
    CERT_X509_SIGNATURE, CertPayload, FLAG_ENCRYPTION, Header, IdPayload, NotifyPayload,
    NotifyType, PayloadType, PayloadWriter, ProtocolId, RawPayload, SaPayload, parse_payloads,
};
use crate::config::{AuthMethod, CertError, NatTraversal, SendCert, Xauth};
use crate::keys::{self, AuthHashInput, Side};
use crate::proposal;

/// Payloads of a phase-1 message, by type.
struct P1Payloads<'a> {
    sa: Option<&'a [u8]>,
    ke: Option<&'a [u8]>,
    nonce: Option<&'a [u8]>,
    id: Option<&'a [u8]>,
    hash: Option<&'a [u8]>,
    sig: Option<&'a [u8]>,
    certs: Vec<&'a [u8]>,
    certreq: bool,
    natd: Vec<&'a [u8]>,
    vids: Vec<&'a [u8]>,
    notify: Vec<&'a [u8]>,
}

fn split<'a>(ps: &[RawPayload<'a>]) -> P1Payloads<'a> {
    let mut p = P1Payloads {
        sa: None,
        ke: None,
        nonce: None,
        id: None,
        hash: None,
        sig: None,
        certs: Vec::new(),
        certreq: false,
        natd: Vec::new(),
        vids: Vec::new(),
        notify: Vec::new(),
    };
    for x in ps {
        match x.ty {
            PayloadType::SA => p.sa = p.sa.or(Some(x.body)),
            PayloadType::KE => p.ke = p.ke.or(Some(x.body)),
            PayloadType::NONCE => p.nonce = p.nonce.or(Some(x.body)),
            PayloadType::ID => p.id = p.id.or(Some(x.body)),
            PayloadType::HASH => p.hash = p.hash.or(Some(x.body)),
            PayloadType::SIG => p.sig = p.sig.or(Some(x.body)),
            PayloadType::CERT => {
                if let Ok(c) = CertPayload::parse(x.body)
                    && c.encoding == CERT_X509_SIGNATURE
                {
                    p.certs.push(c.data);
                }
            }
            PayloadType::CERTREQ => p.certreq = true,
            PayloadType::NAT_D | PayloadType::NAT_D_DRAFT => p.natd.push(x.body),
            PayloadType::VENDOR_ID => p.vids.push(x.body),
            PayloadType::NOTIFY => p.notify.push(x.body),
            _ => {}
        }
    }
    p
}

fn need<'a>(x: Option<&'a [u8]>, what: &'static str) -> Step<&'a [u8]> {
    x.ok_or(IkeError::MissingPayload(what))
}

fn natt_from_vids(vids: &[&[u8]]) -> Option<NattVersion> {
    if vids.iter().any(|v| *v == vid::NATT_RFC) {
        Some(NattVersion::Rfc3947)
    } else if vids
        .iter()
        .any(|v| *v == vid::NATT_DRAFT02 || *v == vid::NATT_DRAFT02N || *v == vid::NATT_DRAFT03)
    {
        Some(NattVersion::Draft)
    } else {
        None
    }
}

impl Engine {
    /// Sends phase-1 message `m` of exchange `i` and keeps it for retransmission: on a timer
    /// when `active` (we wait for an answer), else only when the peer repeats its message.
    fn send_p1(&mut self, now: Instant, i: usize, m: Vec<u8>, active: bool) {
        self.send_on(i, &m);
        let base = self.config.params.retry_time_base;
        self.isakmp[i].retx = Some(Retransmit::new(m, now, base, active));
    }

    pub(super) fn header(
        &self,
        i: usize,
        exchange: ExchangeType,
        mid: u32,
        first: PayloadType,
        flags: u8,
    ) -> Header {
        let sa = &self.isakmp[i];
        Header {
            icookie: sa.icookie,
            rcookie: sa.rcookie,
            next_payload: first,
            version: 0x10,
            exchange,
            flags,
            message_id: mid,
            length: 0,
        }
    }

    /// Builds a phase-1 message; encrypted with the phase-1 IV chain when `encrypt`.
    fn p1_message(&mut self, i: usize, w: PayloadWriter, encrypt: bool) -> Step<Vec<u8>> {
        let exchange = match self.isakmp[i].mode {
            Phase1Mode::Main => ExchangeType::IDENTITY_PROTECTION,
            Phase1Mode::Aggressive => ExchangeType::AGGRESSIVE,
        };
        let flags = if encrypt { FLAG_ENCRYPTION } else { 0 };
        let h = self.header(i, exchange, 0, w.first(), flags);
        let body = if encrypt {
            let sa = &mut self.isakmp[i];
            let chain = sa.chain.as_mut().ok_or(IkeError::DecryptionFailed)?;
            chain
                .encrypt(&mut sa.iv, w.bytes())
                .map_err(|_| IkeError::DecryptionFailed)?
        } else {
            w.into_bytes()
        };
        Ok(codec::assemble(h, &body)?)
    }

    fn push_vids(
        &self,
        w: &mut PayloadWriter,
        rule: usize,
        peer_natt: Option<Option<NattVersion>>,
        peer_frag: bool,
    ) -> Step<()> {
        let r = &self.config.ike_rules[rule];
        // initiator: announce; responder: echo
        if self.config.params.fragment_size > 0 && (peer_natt.is_none() || peer_frag) {
            w.push(PayloadType::VENDOR_ID, &vid::FRAGMENTATION)?;
        }
        if r.nat_traversal != NatTraversal::Disable {
            match peer_natt {
                // initiator: announce all dialects
                None => {
                    w.push(PayloadType::VENDOR_ID, &vid::NATT_RFC)?;
                    w.push(PayloadType::VENDOR_ID, &vid::NATT_DRAFT02N)?;
                    w.push(PayloadType::VENDOR_ID, &vid::NATT_DRAFT02)?;
                }
                // responder: echo the dialect chosen
                Some(Some(NattVersion::Rfc3947)) => {
                    w.push(PayloadType::VENDOR_ID, &vid::NATT_RFC)?
                }
                Some(Some(NattVersion::Draft)) => {
                    w.push(PayloadType::VENDOR_ID, &vid::NATT_DRAFT02N)?
                }
                Some(None) => {}
            }
        }
        w.push(PayloadType::VENDOR_ID, &vid::DPD)?;
        Ok(())
    }

    fn new_sa(
        &mut self,
        now: Instant,
        role: Role,
        mode: Phase1Mode,
        rule: usize,
        local: SocketAddr,
        remote: SocketAddr,
    ) -> IsakmpSa {
        let id = self.id();
        IsakmpSa {
            id,
            role,
            mode,
            state: P1State::Deleted,
            rule,
            icookie: [0; 8],
            rcookie: [0; 8],
            local,
            remote,
            established: None,
            deadline: now + self.config.params.session_time_max,
            expires: None,
            deleted_at: None,
            choice: None,
            auth: 0,
            sa_i: Vec::new(),
            dh: None,
            gxi: Vec::new(),
            gxr: Vec::new(),
            ni: Vec::new(),
            nr: Vec::new(),
            peer_id_body: Vec::new(),
            local_id_body: Vec::new(),
            keys: None,
            chain: None,
            iv: Vec::new(),
            last_p1_block: Vec::new(),
            peer_id: None,
            local_id: None,
            natt: None,
            nat_local: false,
            nat_remote: false,
            floated: false,
            dpd: Dpd::default(),
            last_rx: now,
            keepalive_at: None,
            retx: None,
            recent: Recent::default(),
            quick: Vec::new(),
            pending: Vec::new(),
            info_seen: VecDeque::new(),
            bytes_sent: 0,
            bytes_rcvd: 0,
            error: None,
            reusable: false,
            peer_certreq: false,
            frag_peer: false,
            defrag: None,
            ra: Default::default(),
            txn: Vec::new(),
        }
    }

    /// Authentication Method values of `rule` in `mode` as they go on the wire when we
    /// initiate (`we_initiate`) or respond: XAuth changes PSK/RSA/DSS to their XAuth numbers.
    fn auth_wires(&self, rule: usize, mode: Phase1Mode, we_initiate: bool) -> Vec<u16> {
        let r = &self.config.ike_rules[rule];
        r.auth_for(mode)
            .iter()
            .map(|a| match &r.xauth {
                Some(x) => a.wire_xauth(we_initiate == matches!(x, Xauth::Client { .. })),
                None => a.wire(),
            })
            .collect()
    }

    /// Index of the method whose wire value is `wire`.
    fn auth_index(&self, rule: usize, mode: Phase1Mode, we_initiate: bool, wire: u16) -> usize {
        self.auth_wires(rule, mode, we_initiate)
            .iter()
            .position(|a| *a == wire)
            .unwrap_or(0)
    }

    /// The negotiated (or, before the reply, the first offered) method of SA `i`.
    fn current_auth(&self, i: usize) -> Option<&AuthMethod> {
        let sa = &self.isakmp[i];
        self.config.ike_rules[sa.rule]
            .auth_for(sa.mode)
            .get(sa.auth)
    }

    /// CERTREQ payloads when the method is a signature one that asks for certificates.
    fn push_certreqs(&self, i: usize, w: &mut PayloadWriter) -> Step<()> {
        if let Some(AuthMethod::Signature(s)) = self.current_auth(i)
            && s.send_certreq
        {
            let names = s.validator.authorities();
            let mut body = Vec::new();
            if names.is_empty() {
                body.push(CERT_X509_SIGNATURE);
                w.push(PayloadType::CERTREQ, &body)?;
            }
            for n in names.iter().take(8) {
                body.clear();
                CertPayload {
                    encoding: CERT_X509_SIGNATURE,
                    data: n,
                }
                .emit(&mut body);
                w.push(PayloadType::CERTREQ, &body)?;
            }
        }
        Ok(())
    }

    fn local_identity(&self, i: usize) -> Identity {
        let sa = &self.isakmp[i];
        if let (None, Some(AuthMethod::Signature(s))) = (
            &self.config.ike_rules[sa.rule].local_id,
            self.current_auth(i),
        ) && let Some(dn) = &s.subject
        {
            return Identity::DerAsn1Dn(dn.clone());
        }
        match &self.config.ike_rules[sa.rule].local_id {
            Some(id) => id.clone(),
            None => match sa.local.ip() {
                IpAddr::V4(a) => Identity::Ipv4(a),
                IpAddr::V6(_) => Identity::Ipv4(Ipv4Addr::UNSPECIFIED),
            },
        }
    }

    fn gen_dh(&mut self, i: usize) -> Step<Vec<u8>> {
        let group = self.isakmp[i]
            .choice
            .ok_or(IkeError::NoProposalChosen)?
            .group;
        let key = group.dh.generate(&mut *self.rng)?;
        self.dh_generations += 1;
        let public = key.public_key().to_vec();
        self.isakmp[i].dh = Some(key);
        Ok(public)
    }

    /// Initiator: sends MM1 or AM1.
    pub(super) fn phase1_initiate(
        &mut self,
        now: Instant,
        rule: usize,
        local: SocketAddr,
        remote: SocketAddr,
    ) -> Step<usize> {
        let mode = self.config.ike_rules[rule].initiator_mode();
        let mut sa = self.new_sa(now, Role::Initiator, mode, rule, local, remote);
        sa.icookie = self.random()?;
        let r = &self.config.ike_rules[rule];
        sa.sa_i = proposal::phase1_sa_wires(&r.transforms, &self.auth_wires(rule, mode, true))?;
        sa.state = match mode {
            Phase1Mode::Main => P1State::IMain1,
            Phase1Mode::Aggressive => P1State::IAggr1,
        };
        self.isakmp.push(sa);
        let i = self.isakmp.len() - 1;
        let result = self.phase1_first_message(now, i);
        if let Err(e) = result {
            self.fail_phase1(now, i, e);
        }
        Ok(i)
    }

    fn phase1_first_message(&mut self, now: Instant, i: usize) -> Step<()> {
        let mut w = PayloadWriter::new();
        w.push(PayloadType::SA, &self.isakmp[i].sa_i.clone())?;
        if self.isakmp[i].mode == Phase1Mode::Aggressive {
            // AM1 needs the group now: the first transform's
            let t = self.config.ike_rules[self.isakmp[i].rule].transforms[0];
            if self.config.ike_rules[self.isakmp[i].rule]
                .transforms
                .iter()
                .any(|x| x.group.id != t.group.id)
            {
                // Aggressive Mode cannot offer several groups (RFC 2409 §5.4); use the first.
            }
            let key = t.group.dh.generate(&mut *self.rng)?;
            self.dh_generations += 1;
            let gxi = key.public_key().to_vec();
            self.isakmp[i].dh = Some(key);
            let ni = self.random_vec(NONCE_LEN)?;
            let idb = self.local_identity(i);
            let body = idb.payload_body();
            w.push(PayloadType::KE, &gxi)?;
            w.push(PayloadType::NONCE, &ni)?;
            w.push(PayloadType::ID, &body)?;
            self.push_certreqs(i, &mut w)?;
            let sa = &mut self.isakmp[i];
            sa.gxi = gxi;
            sa.ni = ni;
            sa.local_id_body = body;
            sa.local_id = Some(idb);
        }
        self.push_vids(&mut w, self.isakmp[i].rule, None, false)?;
        let msg = self.p1_message(i, w, false)?;
        self.send_p1(now, i, msg, true);
        Ok(())
    }

    /// Responder: a first message (MM1/AM1) from a peer we have no SA with.
    pub(super) fn responder_first(
        &mut self,
        now: Instant,
        local: SocketAddr,
        remote: SocketAddr,
        msg: &Message<'_>,
        bytes: &[u8],
    ) -> Result<(), Ignored> {
        let h = msg.header;
        // a repeated first message of a half-open SA
        if let Some(i) = self
            .isakmp
            .iter()
            .position(|s| s.role == Role::Responder && s.icookie == h.icookie && s.remote == remote)
        {
            return self.duplicate(i, bytes);
        }
        let mode = if h.exchange == ExchangeType::AGGRESSIVE {
            Phase1Mode::Aggressive
        } else {
            Phase1Mode::Main
        };
        // resource bounds before any work
        let lim = &self.config.limits;
        let half_open: Vec<&IsakmpSa> = self
            .isakmp
            .iter()
            .filter(|s| s.role == Role::Responder && s.is_half_open())
            .collect();
        if half_open.len() >= lim.half_open_total
            || half_open
                .iter()
                .filter(|s| s.remote.ip() == remote.ip())
                .count()
                >= lim.half_open_per_peer
            || self.sessions().1 >= lim.responder_sessions_max
            || self.isakmp.len() >= lim.isakmp_sas_max
        {
            return Err(Ignored::LimitReached);
        }
        if h.encrypted() {
            return Err(Ignored::Unexpected("encrypted first message"));
        }
        let ps = parse_payloads(h.next_payload, msg.body, false)?;
        let p = split(&ps);
        let sa_body =
            p.sa.ok_or(Ignored::Rejected(IkeError::MissingPayload("SA")))?;
        let offered = SaPayload::parse(sa_body)?;
        let IpAddr::V4(peer_ip) = remote.ip() else {
            return Err(Ignored::Rejected(IkeError::NoRule));
        };
        let mut selected = None;
        for (ri, r) in self.config.ike_rules.iter().enumerate() {
            if !r.serves(peer_ip) || r.auth_for(mode).is_empty() {
                continue;
            }
            let wires = self.auth_wires(ri, mode, false);
            if let Some((c, reply)) =
                proposal::select_phase1_wires(&self.provider, &r.transforms, &wires, &offered)
            {
                let auth = self.auth_index(ri, mode, false, c.auth_method);
                selected = Some((ri, c, reply, auth));
                break;
            }
        }
        let Some((rule, choice, reply, auth)) = selected else {
            let any_rule = self.config.ike_rules.iter().any(|r| r.serves(peer_ip));
            let err = if any_rule {
                IkeError::NoProposalChosen
            } else {
                IkeError::NoRule
            };
            if any_rule {
                self.send_clear_notify(local, remote, &h, NotifyType::NO_PROPOSAL_CHOSEN);
            }
            return Err(Ignored::Rejected(err));
        };
        let mut sa = self.new_sa(now, Role::Responder, mode, rule, local, remote);
        sa.icookie = h.icookie;
        sa.rcookie = self.random().map_err(Ignored::Rejected)?;
        sa.choice = Some(choice);
        sa.auth = auth;
        sa.sa_i = sa_body.to_vec();
        sa.natt = if self.config.ike_rules[rule].nat_traversal == NatTraversal::Disable {
            None
        } else {
            natt_from_vids(&p.vids)
        };
        sa.dpd.peer_supports = p.vids.iter().any(|v| *v == vid::DPD);
        sa.frag_peer = p.vids.iter().any(|v| frag::is_fragmentation_vid(v));
        sa.peer_certreq = p.certreq;
        sa.bytes_rcvd = bytes.len() as u64;
        sa.recent.push(digest(bytes));
        self.isakmp.push(sa);
        let i = self.isakmp.len() - 1;
        let r = match mode {
            Phase1Mode::Main => self.main_r2(now, i, &reply),
            Phase1Mode::Aggressive => self.aggr_r2(now, i, &reply, &p),
        };
        if let Err(e) = r {
            self.fail_phase1(now, i, e.clone());
            return Err(Ignored::Rejected(e));
        }
        if let Some(r) = self.isakmp[i].retx.as_mut() {
            r.answering(digest(bytes));
        }
        Ok(())
    }

    fn send_clear_notify(
        &mut self,
        local: SocketAddr,
        remote: SocketAddr,
        h: &Header,
        ty: NotifyType,
    ) {
        let mut body = Vec::new();
        let n = NotifyPayload {
            doi: codec::DOI_IPSEC,
            protocol: ProtocolId::ISAKMP,
            ty,
            spi: &[],
            data: &[],
        };
        if n.emit(&mut body).is_err() {
            return;
        }
        let mut w = PayloadWriter::new();
        if w.push(PayloadType::NOTIFY, &body).is_err() {
            return;
        }
        let hdr = Header {
            icookie: h.icookie,
            rcookie: h.rcookie,
            next_payload: w.first(),
            version: 0x10,
            exchange: ExchangeType::INFORMATIONAL,
            flags: 0,
            message_id: 0,
            length: 0,
        };
        if let Ok(m) = codec::assemble(hdr, w.bytes()) {
            self.transmit(local, remote, &m);
        }
    }

    /// A repeated request: resend our last message if it answers the latest one.
    pub(super) fn duplicate(&mut self, i: usize, bytes: &[u8]) -> Result<(), Ignored> {
        let d = digest(bytes);
        let sa = &self.isakmp[i];
        if sa.recent.contains(d) {
            if let Some(p) = sa.retx.as_ref().and_then(|r| r.answer_to(d)) {
                self.send_on(i, &p);
            }
            return Err(Ignored::Duplicate);
        }
        Err(Ignored::Unexpected("first message for an existing SA"))
    }

    /// MM2: SA (chosen transform), vendor IDs.
    fn main_r2(&mut self, now: Instant, i: usize, reply: &[u8]) -> Step<()> {
        let mut w = PayloadWriter::new();
        w.push(PayloadType::SA, reply)?;
        let natt = self.isakmp[i].natt;
        let frag = self.isakmp[i].frag_peer;
        self.push_vids(&mut w, self.isakmp[i].rule, Some(natt), frag)?;
        let msg = self.p1_message(i, w, false)?;
        self.send_p1(now, i, msg, false);
        self.isakmp[i].state = P1State::RMain2;
        Ok(())
    }

    fn natd_payloads(&self, i: usize, w: &mut PayloadWriter) -> Step<()> {
        let sa = &self.isakmp[i];
        let (Some(v), Some(hash)) = (sa.natt, sa.hash()) else {
            return Ok(());
        };
        let ty = match v {
            NattVersion::Rfc3947 => PayloadType::NAT_D,
            NattVersion::Draft => PayloadType::NAT_D_DRAFT,
        };
        // destination first, then source
        w.push(ty, &natd_hash(hash, &sa.icookie, &sa.rcookie, sa.remote))?;
        w.push(ty, &natd_hash(hash, &sa.icookie, &sa.rcookie, sa.local))?;
        Ok(())
    }

    /// Compares the peer's NAT-D payloads (destination = us, then sources = them).
    fn check_natd(&mut self, i: usize, natd: &[&[u8]]) {
        let sa = &self.isakmp[i];
        let (Some(_), Some(hash)) = (sa.natt, sa.hash()) else {
            return;
        };
        if natd.len() < 2 {
            return;
        }
        let me = natd_hash(hash, &sa.icookie, &sa.rcookie, sa.local);
        let them = natd_hash(hash, &sa.icookie, &sa.rcookie, sa.remote);
        let local_nat = !bool::from(natd[0].ct_eq(&me));
        let remote_nat = !natd[1..].iter().any(|d| bool::from(d.ct_eq(&them)));
        let force = self.config.ike_rules[sa.rule].nat_traversal == NatTraversal::Force;
        let sa = &mut self.isakmp[i];
        sa.nat_local = local_nat;
        sa.nat_remote = remote_nat || force;
    }

    pub(super) fn uses_natt(&self, i: usize) -> bool {
        let sa = &self.isakmp[i];
        sa.natt.is_some() && (sa.nat_local || sa.nat_remote)
    }

    /// Switches to the NAT-T port (initiator, before MM5/AM3).
    fn float(&mut self, i: usize) {
        if !self.uses_natt(i) || self.isakmp[i].floated {
            return;
        }
        let p = self.config.params.natt_port;
        let sa = &mut self.isakmp[i];
        sa.local.set_port(p);
        sa.remote.set_port(p);
        sa.floated = true;
    }

    /// SKEYID for the negotiated method.
    fn auth_skeyid(&self, i: usize, gxy: &[u8]) -> Step<Secret> {
        let sa = &self.isakmp[i];
        let c = sa.choice.ok_or(IkeError::NoProposalChosen)?;
        match self.config.ike_rules[sa.rule]
            .auth_for(sa.mode)
            .get(sa.auth)
        {
            Some(AuthMethod::PreShared(k)) => Ok(keys::skeyid_psk(c.hash, &k.0, &sa.ni, &sa.nr)),
            Some(AuthMethod::Signature(_)) => Ok(keys::skeyid_sig(c.hash, &sa.ni, &sa.nr, gxy)),
            None => Err(IkeError::NoRule),
        }
    }

    /// Computes g^xy and the phase-1 keys; sets the initial IV.
    fn derive(&mut self, i: usize) -> Step<()> {
        let sa = &self.isakmp[i];
        let c = sa.choice.ok_or(IkeError::NoProposalChosen)?;
        let peer = match sa.role {
            Role::Initiator => &sa.gxr,
            Role::Responder => &sa.gxi,
        };
        let dh = sa.dh.as_ref().ok_or(IkeError::InvalidKeyExchange)?;
        if peer.len() != c.group.dh.public_len() {
            return Err(IkeError::InvalidKeyExchange);
        }
        let gxy = dh.agree(peer).map_err(|_| IkeError::InvalidKeyExchange)?;
        let skeyid = self.auth_skeyid(i, &gxy)?;
        let sa = &mut self.isakmp[i];
        let k = keys::derive_phase1(c.hash, c.cipher, skeyid, &gxy, &sa.icookie, &sa.rcookie);
        sa.chain = Some(IvChain::new(c.cipher, &k.enc_key)?);
        sa.iv = keys::phase1_iv(c.hash, c.cipher.cipher.block_len(), &sa.gxi, &sa.gxr);
        sa.keys = Some(k);
        sa.dh = None;
        Ok(())
    }

    /// HASH_I / HASH_R of SA `i` over the ID payload body `id`.
    fn auth_hash_of(&self, i: usize, who: Side, id: &[u8]) -> Step<Vec<u8>> {
        let sa = &self.isakmp[i];
        let c = sa.choice.ok_or(IkeError::NoProposalChosen)?;
        let k = sa.keys.as_ref().ok_or(IkeError::AuthenticationFailed)?;
        let x = AuthHashInput {
            gxi: &sa.gxi,
            gxr: &sa.gxr,
            icookie: &sa.icookie,
            rcookie: &sa.rcookie,
            sa_i: &sa.sa_i,
            id,
        };
        Ok(keys::auth_hash(c.hash, &k.skeyid, who, &x))
    }

    /// Our authentication payloads for `who`: HASH (pre-shared key), or [CERT…] SIG.
    fn auth_payloads(&mut self, i: usize, who: Side) -> Step<Vec<(PayloadType, Vec<u8>)>> {
        let h = self.auth_hash_of(i, who, &self.isakmp[i].local_id_body)?;
        let peer_certreq = self.isakmp[i].peer_certreq;
        match self.current_auth(i) {
            Some(AuthMethod::PreShared(_)) => Ok(alloc::vec![(PayloadType::HASH, h)]),
            Some(AuthMethod::Signature(s)) => {
                let mut out = Vec::new();
                let send = match s.send_cert {
                    SendCert::Always => true,
                    SendCert::Never => false,
                    SendCert::IfRequested => peer_certreq,
                };
                if send {
                    for c in &s.certs {
                        let mut body = Vec::with_capacity(c.len() + 1);
                        CertPayload {
                            encoding: CERT_X509_SIGNATURE,
                            data: c,
                        }
                        .emit(&mut body);
                        out.push((PayloadType::CERT, body));
                    }
                }
                let key = s.key.clone();
                let sig = key.sign(&mut *self.rng, &h)?;
                out.push((PayloadType::SIG, sig));
                Ok(out)
            }
            None => Err(IkeError::NoRule),
        }
    }

    /// Verifies the peer's authentication payloads and identity.
    fn auth_verify(
        &mut self,
        now: Instant,
        i: usize,
        who: Side,
        id_body: &[u8],
        p: &P1Payloads<'_>,
    ) -> Step<()> {
        let want = self.auth_hash_of(i, who, id_body)?;
        let id = IdPayload::parse(id_body)?;
        let peer = Identity::from_wire(id.id_type, id.data);
        match self.current_auth(i) {
            Some(AuthMethod::PreShared(_)) => {
                let got = need(p.hash, "HASH")?;
                if !bool::from(want.ct_eq(got)) {
                    return Err(IkeError::AuthenticationFailed);
                }
            }
            Some(AuthMethod::Signature(s)) => {
                let sig = need(p.sig, "SIG")?;
                let at = self
                    .unix_time(now)
                    .ok_or(IkeError::Certificate(CertError::NoTime))?;
                let cert = s
                    .validator
                    .validate(&p.certs, peer.as_ref(), at)
                    .map_err(IkeError::Certificate)?;
                let scheme = self
                    .provider
                    .signature_for_ike(s.method)
                    .ok_or(IkeError::AuthenticationFailed)?;
                if cert.scheme != scheme.name {
                    return Err(IkeError::Certificate(CertError::UnsupportedKey));
                }
                scheme
                    .verifier
                    .verify(&cert.public_key, &want, sig)
                    .map_err(|_| IkeError::AuthenticationFailed)?;
                if !peer
                    .as_ref()
                    .is_some_and(|id| s.validator.identity_matches(&cert, id))
                {
                    return Err(IkeError::InvalidIdentity);
                }
            }
            None => return Err(IkeError::NoRule),
        }
        let sa = &self.isakmp[i];
        if let Some(want) = &self.config.ike_rules[sa.rule].remote_id
            && peer.as_ref() != Some(want)
        {
            return Err(IkeError::InvalidIdentity);
        }
        self.isakmp[i].peer_id = peer;
        Ok(())
    }

    /// Dispatches a phase-1 message to the state machine.
    pub(super) fn phase1_message(
        &mut self,
        now: Instant,
        i: usize,
        local: SocketAddr,
        remote: SocketAddr,
        msg: &Message<'_>,
        bytes: &[u8],
    ) -> Result<(), Ignored> {
        let d = digest(bytes);
        if self.isakmp[i].recent.contains(d) {
            return self.duplicate(i, bytes);
        }
        let st = self.isakmp[i].state;
        let expected_mode = match msg.header.exchange {
            ExchangeType::AGGRESSIVE => Phase1Mode::Aggressive,
            _ => Phase1Mode::Main,
        };
        if expected_mode != self.isakmp[i].mode {
            return Err(Ignored::Unexpected("exchange type"));
        }
        let r = match st {
            P1State::IMain1 => self.main_i3(now, i, msg),
            P1State::IMain3 => self.main_i5(now, i, msg),
            P1State::IMain5 => self.main_i_done(now, i, msg),
            P1State::RMain2 => self.main_r4(now, i, msg),
            P1State::RMain4 => self.main_r6(now, i, local, remote, msg),
            P1State::IAggr1 => self.aggr_i3(now, i, msg),
            P1State::RAggr2 => self.aggr_r_done(now, i, local, remote, msg),
            P1State::Established | P1State::Deleted => {
                return Err(Ignored::Unexpected("phase-1 message on an established SA"));
            }
        };
        match r {
            Ok(()) => {
                let sa = &mut self.isakmp[i];
                sa.recent.push(d);
                if let Some(r) = sa.retx.as_mut() {
                    r.answering(d);
                }
                sa.last_rx = now;
                Ok(())
            }
            // undecodable or unauthentic input is dropped; the exchange goes on (retransmission)
            Err(IkeError::Codec(e)) => Err(Ignored::Malformed(e)),
            Err(IkeError::DecryptionFailed) => Err(Ignored::NotAuthentic),
            Err(IkeError::MissingPayload(_)) if msg.header.encrypted() => {
                Err(Ignored::NotAuthentic)
            }
            Err(e) => {
                self.fail_phase1(now, i, e.clone());
                Err(Ignored::Rejected(e))
            }
        }
    }

    fn clear_payloads<'m>(&self, msg: &Message<'m>) -> Step<Vec<RawPayload<'m>>> {
        if msg.header.encrypted() {
            return Err(IkeError::MissingPayload("clear payloads"));
        }
        Ok(parse_payloads(msg.header.next_payload, msg.body, false)?)
    }

    /// Decrypts a phase-1 message; the IV advances only when `accept` is called by the caller
    /// after verification (returned next IV).
    fn p1_decrypt(
        &mut self,
        i: usize,
        msg: &Message<'_>,
    ) -> Step<(zeroize::Zeroizing<Vec<u8>>, Vec<u8>)> {
        let sa = &mut self.isakmp[i];
        let chain = sa.chain.as_mut().ok_or(IkeError::DecryptionFailed)?;
        chain
            .decrypt(&sa.iv, msg.body)
            .map_err(|_| IkeError::DecryptionFailed)
    }

    /// Initiator got MM2: sends MM3 (KE, Ni, NAT-D).
    fn main_i3(&mut self, now: Instant, i: usize, msg: &Message<'_>) -> Step<()> {
        let ps = self.clear_payloads(msg)?;
        if self.notify_failure(now, i, &ps) {
            return Ok(());
        }
        let p = split(&ps);
        let reply = SaPayload::parse(need(p.sa, "SA")?)?;
        let rule = self.isakmp[i].rule;
        let r = &self.config.ike_rules[rule];
        let mode = self.isakmp[i].mode;
        let wires = self.auth_wires(rule, mode, true);
        let c = proposal::accept_phase1_reply_wires(&self.provider, &r.transforms, &wires, &reply)
            .ok_or(IkeError::NoProposalChosen)?;
        let auth = self.auth_index(rule, mode, true, c.auth_method);
        let natt = if r.nat_traversal == NatTraversal::Disable {
            None
        } else {
            natt_from_vids(&p.vids)
        };
        let sa = &mut self.isakmp[i];
        sa.rcookie = msg.header.rcookie;
        sa.choice = Some(c);
        sa.auth = auth;
        sa.natt = natt;
        sa.dpd.peer_supports = p.vids.iter().any(|v| *v == vid::DPD);
        sa.frag_peer = p.vids.iter().any(|v| frag::is_fragmentation_vid(v));
        let gxi = self.gen_dh(i)?;
        let ni = self.random_vec(NONCE_LEN)?;
        self.isakmp[i].gxi = gxi.clone();
        self.isakmp[i].ni = ni.clone();
        let mut w = PayloadWriter::new();
        w.push(PayloadType::KE, &gxi)?;
        w.push(PayloadType::NONCE, &ni)?;
        self.push_certreqs(i, &mut w)?;
        self.natd_payloads(i, &mut w)?;
        let m = self.p1_message(i, w, false)?;
        self.send_p1(now, i, m, true);
        self.isakmp[i].state = P1State::IMain3;
        Ok(())
    }

    /// Responder got MM3: sends MM4 (KE, Nr, NAT-D).
    fn main_r4(&mut self, now: Instant, i: usize, msg: &Message<'_>) -> Step<()> {
        let ps = self.clear_payloads(msg)?;
        let p = split(&ps);
        let gxi = need(p.ke, "KE")?.to_vec();
        let ni = need(p.nonce, "Nonce")?.to_vec();
        if !(8..=256).contains(&ni.len()) {
            return Err(IkeError::Codec(codec::CodecError::Malformed(
                "nonce length",
            )));
        }
        let natd: Vec<Vec<u8>> = p.natd.iter().map(|d| d.to_vec()).collect();
        self.isakmp[i].peer_certreq |= p.certreq;
        self.isakmp[i].gxi = gxi;
        self.isakmp[i].ni = ni;
        let gxr = self.gen_dh(i)?;
        let nr = self.random_vec(NONCE_LEN)?;
        self.isakmp[i].gxr = gxr.clone();
        self.isakmp[i].nr = nr.clone();
        let natd_refs: Vec<&[u8]> = natd.iter().map(|d| d.as_slice()).collect();
        self.check_natd(i, &natd_refs);
        self.derive(i)?;
        let mut w = PayloadWriter::new();
        w.push(PayloadType::KE, &gxr)?;
        w.push(PayloadType::NONCE, &nr)?;
        self.push_certreqs(i, &mut w)?;
        self.natd_payloads(i, &mut w)?;
        let m = self.p1_message(i, w, false)?;
        self.send_p1(now, i, m, false);
        self.isakmp[i].state = P1State::RMain4;
        Ok(())
    }

    /// Initiator got MM4: derives keys, floats, sends MM5 (ID, HASH_I, INITIAL-CONTACT).
    fn main_i5(&mut self, now: Instant, i: usize, msg: &Message<'_>) -> Step<()> {
        let ps = self.clear_payloads(msg)?;
        if self.notify_failure(now, i, &ps) {
            return Ok(());
        }
        let p = split(&ps);
        self.isakmp[i].gxr = need(p.ke, "KE")?.to_vec();
        let nr = need(p.nonce, "Nonce")?;
        if !(8..=256).contains(&nr.len()) {
            return Err(IkeError::Codec(codec::CodecError::Malformed(
                "nonce length",
            )));
        }
        self.isakmp[i].nr = nr.to_vec();
        self.isakmp[i].peer_certreq |= p.certreq;
        self.check_natd(i, &p.natd);
        self.derive(i)?;
        self.float(i);
        let id = self.local_identity(i);
        let body = id.payload_body();
        self.isakmp[i].local_id_body = body.clone();
        self.isakmp[i].local_id = Some(id);
        let auth = self.auth_payloads(i, Side::Initiator)?;
        let mut w = PayloadWriter::new();
        w.push(PayloadType::ID, &body)?;
        for (ty, b) in &auth {
            w.push(*ty, b)?;
        }
        if self.config.ike_rules[self.isakmp[i].rule].initial_contact {
            self.push_initial_contact(i, &mut w)?;
        }
        let m = self.p1_message(i, w, true)?;
        self.send_p1(now, i, m, true);
        self.isakmp[i].state = P1State::IMain5;
        Ok(())
    }

    fn push_initial_contact(&self, i: usize, w: &mut PayloadWriter) -> Step<()> {
        let sa = &self.isakmp[i];
        let mut spi = [0u8; 16];
        spi[..8].copy_from_slice(&sa.icookie);
        spi[8..].copy_from_slice(&sa.rcookie);
        let mut body = Vec::new();
        NotifyPayload {
            doi: codec::DOI_IPSEC,
            protocol: ProtocolId::ISAKMP,
            ty: NotifyType::INITIAL_CONTACT,
            spi: &spi,
            data: &[],
        }
        .emit(&mut body)?;
        w.push(PayloadType::NOTIFY, &body)?;
        Ok(())
    }

    /// Responder got MM5: verifies HASH_I, sends MM6 (ID, HASH_R).
    fn main_r6(
        &mut self,
        now: Instant,
        i: usize,
        local: SocketAddr,
        remote: SocketAddr,
        msg: &Message<'_>,
    ) -> Step<()> {
        if !msg.header.encrypted() {
            return Err(IkeError::DecryptionFailed);
        }
        let (plain, next_iv) = self.p1_decrypt(i, msg)?;
        let ps = parse_payloads(msg.header.next_payload, &plain, true)
            .map_err(|_| IkeError::DecryptionFailed)?;
        let p = split(&ps);
        let id_body = need(p.id, "ID")?.to_vec();
        self.auth_verify(now, i, Side::Initiator, &id_body, &p)?;
        self.isakmp[i].iv = next_iv;
        if self.isakmp[i].natt.is_some()
            && (local != self.isakmp[i].local || remote != self.isakmp[i].remote)
        {
            let sa = &mut self.isakmp[i];
            sa.local = local;
            sa.remote = remote;
            sa.floated = true;
        }
        let id = self.local_identity(i);
        let body = id.payload_body();
        self.isakmp[i].local_id_body = body.clone();
        self.isakmp[i].local_id = Some(id);
        let auth = self.auth_payloads(i, Side::Responder)?;
        let mut w = PayloadWriter::new();
        w.push(PayloadType::ID, &body)?;
        for (ty, b) in &auth {
            w.push(*ty, b)?;
        }
        let m = self.p1_message(i, w, true)?;
        self.send_p1(now, i, m, false);
        self.isakmp[i].last_p1_block = self.isakmp[i].iv.clone();
        self.established(now, i);
        Ok(())
    }

    /// Initiator got MM6: verifies HASH_R; phase 1 is up.
    fn main_i_done(&mut self, now: Instant, i: usize, msg: &Message<'_>) -> Step<()> {
        if !msg.header.encrypted() {
            let ps = self.clear_payloads(msg)?;
            if self.notify_failure(now, i, &ps) {
                return Ok(());
            }
            return Err(IkeError::DecryptionFailed);
        }
        let (plain, next_iv) = self.p1_decrypt(i, msg)?;
        let ps = parse_payloads(msg.header.next_payload, &plain, true)
            .map_err(|_| IkeError::DecryptionFailed)?;
        let p = split(&ps);
        let id_body = need(p.id, "ID")?.to_vec();
        self.auth_verify(now, i, Side::Responder, &id_body, &p)?;
        self.isakmp[i].iv = next_iv.clone();
        self.isakmp[i].last_p1_block = next_iv;
        if let Some(r) = self.isakmp[i].retx.as_mut() {
            r.next = None;
        }
        self.established(now, i);
        Ok(())
    }

    /// Responder: AM2 (SA, KE, Nr, IDr, HASH_R, NAT-D, vendor IDs).
    fn aggr_r2(&mut self, now: Instant, i: usize, reply: &[u8], p: &P1Payloads<'_>) -> Step<()> {
        let gxi = need(p.ke, "KE")?.to_vec();
        let ni = need(p.nonce, "Nonce")?.to_vec();
        let idi = need(p.id, "ID")?.to_vec();
        if !(8..=256).contains(&ni.len()) {
            return Err(IkeError::Codec(codec::CodecError::Malformed(
                "nonce length",
            )));
        }
        self.isakmp[i].gxi = gxi;
        self.isakmp[i].ni = ni;
        self.isakmp[i].peer_id_body = idi;
        self.isakmp[i].peer_certreq = p.certreq;
        let gxr = self.gen_dh(i)?;
        let nr = self.random_vec(NONCE_LEN)?;
        self.isakmp[i].gxr = gxr.clone();
        self.isakmp[i].nr = nr.clone();
        self.derive(i)?;
        let id = self.local_identity(i);
        let body = id.payload_body();
        self.isakmp[i].local_id_body = body.clone();
        self.isakmp[i].local_id = Some(id);
        let auth = self.auth_payloads(i, Side::Responder)?;
        let mut w = PayloadWriter::new();
        w.push(PayloadType::SA, reply)?;
        w.push(PayloadType::KE, &gxr)?;
        w.push(PayloadType::NONCE, &nr)?;
        w.push(PayloadType::ID, &body)?;
        let natt = self.isakmp[i].natt;
        let frag = self.isakmp[i].frag_peer;
        self.push_vids(&mut w, self.isakmp[i].rule, Some(natt), frag)?;
        self.natd_payloads(i, &mut w)?;
        self.push_certreqs(i, &mut w)?;
        for (ty, b) in &auth {
            w.push(*ty, b)?;
        }
        let m = self.p1_message(i, w, false)?;
        // AM3 is the last message: if it is lost only our retransmission of AM2 recovers
        self.send_p1(now, i, m, true);
        self.isakmp[i].state = P1State::RAggr2;
        Ok(())
    }

    /// Initiator got AM2: verifies HASH_R, floats, sends AM3 (HASH_I, NAT-D) encrypted.
    fn aggr_i3(&mut self, now: Instant, i: usize, msg: &Message<'_>) -> Step<()> {
        let ps = self.clear_payloads(msg)?;
        if self.notify_failure(now, i, &ps) {
            return Ok(());
        }
        let p = split(&ps);
        let reply = SaPayload::parse(need(p.sa, "SA")?)?;
        let rule = self.isakmp[i].rule;
        let r = &self.config.ike_rules[rule];
        let wires = self.auth_wires(rule, Phase1Mode::Aggressive, true);
        let c = proposal::accept_phase1_reply_wires(&self.provider, &r.transforms, &wires, &reply)
            .ok_or(IkeError::NoProposalChosen)?;
        if self.isakmp[i].dh.as_ref().is_none()
            || c.group.dh.public_len() != self.isakmp[i].gxi.len()
        {
            return Err(IkeError::NoProposalChosen);
        }
        let auth = self.auth_index(rule, Phase1Mode::Aggressive, true, c.auth_method);
        let natt = if r.nat_traversal == NatTraversal::Disable {
            None
        } else {
            natt_from_vids(&p.vids)
        };
        {
            let sa = &mut self.isakmp[i];
            sa.rcookie = msg.header.rcookie;
            sa.choice = Some(c);
            sa.auth = auth;
            sa.natt = natt;
            sa.dpd.peer_supports = p.vids.iter().any(|v| *v == vid::DPD);
            sa.frag_peer = p.vids.iter().any(|v| frag::is_fragmentation_vid(v));
            sa.peer_certreq = p.certreq;
            sa.gxr = need(p.ke, "KE")?.to_vec();
            sa.nr = need(p.nonce, "Nonce")?.to_vec();
        }
        self.derive(i)?;
        let idr = need(p.id, "ID")?.to_vec();
        self.auth_verify(now, i, Side::Responder, &idr, &p)?;
        self.check_natd(i, &p.natd);
        self.float(i);
        let auth = self.auth_payloads(i, Side::Initiator)?;
        let mut w = PayloadWriter::new();
        for (ty, b) in &auth {
            w.push(*ty, b)?;
        }
        self.natd_payloads(i, &mut w)?;
        if self.config.ike_rules[self.isakmp[i].rule].initial_contact {
            self.push_initial_contact(i, &mut w)?;
        }
        let m = self.p1_message(i, w, true)?;
        self.send_p1(now, i, m, false);
        self.isakmp[i].last_p1_block = self.isakmp[i].iv.clone();
        self.established(now, i);
        Ok(())
    }

    /// Responder got AM3: verifies HASH_I; phase 1 is up.
    fn aggr_r_done(
        &mut self,
        now: Instant,
        i: usize,
        local: SocketAddr,
        remote: SocketAddr,
        msg: &Message<'_>,
    ) -> Step<()> {
        let plain_buf;
        let (ps, next_iv) = if msg.header.encrypted() {
            let (plain, next_iv) = self.p1_decrypt(i, msg)?;
            plain_buf = plain;
            (
                parse_payloads(msg.header.next_payload, &plain_buf, true)
                    .map_err(|_| IkeError::DecryptionFailed)?,
                next_iv,
            )
        } else {
            let iv = self.isakmp[i].iv.clone();
            (
                parse_payloads(msg.header.next_payload, msg.body, false)?,
                iv,
            )
        };
        let p = split(&ps);
        let idi = self.isakmp[i].peer_id_body.clone();
        self.auth_verify(now, i, Side::Initiator, &idi, &p)?;
        self.check_natd(i, &p.natd);
        let sa = &mut self.isakmp[i];
        sa.iv = next_iv.clone();
        sa.last_p1_block = next_iv;
        sa.retx = None;
        if sa.natt.is_some() && (local != sa.local || remote != sa.remote) {
            sa.local = local;
            sa.remote = remote;
            sa.floated = true;
        }
        self.established(now, i);
        Ok(())
    }

    /// An unencrypted error notification from the peer during phase 1 fails the exchange.
    fn notify_failure(&mut self, now: Instant, i: usize, ps: &[RawPayload<'_>]) -> bool {
        for p in ps.iter().filter(|p| p.ty == PayloadType::NOTIFY) {
            if let Ok(n) = NotifyPayload::parse(p.body)
                && n.ty.is_error()
            {
                self.fail_phase1(now, i, IkeError::PeerNotify(n.ty));
                return true;
            }
        }
        false
    }

    fn established(&mut self, now: Instant, i: usize) {
        let ka = self.config.params.nat_keepalive;
        let natt = self.uses_natt(i);
        let sa = &mut self.isakmp[i];
        sa.state = P1State::Established;
        sa.established = Some(now);
        sa.last_rx = now;
        let life = sa.choice.map_or(0, |c| c.lifetime_secs);
        sa.expires = (life > 0).then(|| now + Duration::from_secs(u64::from(life)));
        if natt && sa.nat_local && !ka.is_zero() {
            sa.keepalive_at = Some(now + ka);
        }
        let (id, peer) = (sa.id, sa.remote);
        self.event(Event::Phase1Established { id, peer });
        if !self.begin_configuration(now, i) {
            self.run_pending(now, i);
        }
    }

    /// Starts the Quick Modes that waited for phase 1 (and XAuth / Mode Config).
    pub(super) fn run_pending(&mut self, now: Instant, i: usize) {
        let (id, peer) = (self.isakmp[i].id, self.isakmp[i].remote);
        let pending = core::mem::take(&mut self.isakmp[i].pending);
        for (rule, rekey) in pending {
            if let Err(e) = self.quick_initiate(now, i, rule, rekey) {
                self.event(Event::ExchangeFailed { id, peer, error: e });
            }
        }
    }
}
