//! Transaction exchanges (type 6) after phase 1: XAuth (draft-beaulieu-ike-xauth-02:
//! REQUEST / REPLY with user name and password, SET / ACK with XAUTH-STATUS) and Mode Config
//! (draft-dukes-ike-mode-cfg-02: pull = REQUEST / REPLY, push = SET / ACK) in both roles, and the
//! gateway's address pools with tranche allocation (mGuard: each client gets an aligned block of
//! `2^(32-tranche)` addresses from the pool, the same one again when it comes back).
//!
//! Every message is `HASH(1) = prf(SKEYID_a, M-ID | Attribute payload)`, encrypted with the IV
//! chain of its message ID (as Informational). XAuth runs first, then Mode Config; until both
//! finish the ISAKMP SA is listed as `configuration` and Quick Modes wait. Attributes strongSwan
//! sends: INTERNAL_IP4_ADDRESS/NETMASK/DNS/NBNS/SUBNET, the Cisco Unity split-include list
//! (14-byte entries: address, mask, 6 zero bytes), default domain and banner.
//!
//! This module must not touch Quick Mode state other than starting the Quick Modes that waited.

use alloc::string::String;
use alloc::vec::Vec;
use core::net::Ipv4Addr;

use subtle::ConstantTimeEq;
use zubr_base::Instant;

use super::*;
use crate::codec::{AttrValue, Attribute, AttributePayload, PayloadType, PayloadWriter, cfg};
use crate::config::{IkeParameters, ModeCfg, Xauth};
use crate::keys;

/// Transaction exchanges kept per ISAKMP SA (running and lingering).
const MAX_TXN: usize = 8;
/// Most tranches a pool is searched for (a /16 of single addresses).
const MAX_TRANCHES: usize = 65536;
/// Most DNS / NBNS servers and split networks taken from a Mode Config answer.
const MAX_LIST: usize = 16;
/// Longest XAuth user name / password / banner / domain accepted.
const MAX_STRING: usize = 256;

/// What the gateway sent by Mode Config (see [`Event::ModeConfigReceived`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModeConfig {
    /// INTERNAL_IP4_ADDRESS: the inner (IKECFG) address.
    pub address: Option<Ipv4Addr>,
    /// INTERNAL_IP4_NETMASK.
    pub netmask: Option<Ipv4Addr>,
    /// INTERNAL_IP4_DNS servers.
    pub dns: Vec<Ipv4Addr>,
    /// INTERNAL_IP4_NBNS (WINS) servers.
    pub nbns: Vec<Ipv4Addr>,
    /// Networks to send through the tunnel (UNITY_SPLIT_INCLUDE and INTERNAL_IP4_SUBNET);
    /// empty = everything.
    pub split_include: Vec<Selector>,
    /// UNITY_DEF_DOMAIN.
    pub domain: Option<String>,
    /// UNITY_BANNER.
    pub banner: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Progress {
    #[default]
    Off,
    Pending,
    Done,
}

/// XAuth / Mode Config state of an ISAKMP SA.
#[derive(Default)]
pub(super) struct RaState {
    xauth: Progress,
    modecfg: Progress,
    /// The XAuth user (ours as a client, the peer's as a gateway).
    user: Option<String>,
    /// Client: what Mode Config delivered.
    pub(super) config: Option<ModeConfig>,
    /// Gateway: the client's tranche.
    pub(super) lease: Option<(Ipv4Addr, Ipv4Addr)>,
    /// Configuration must finish before this.
    pub(super) deadline: Option<Instant>,
}

impl RaState {
    pub(super) fn pending(&self) -> bool {
        self.xauth == Progress::Pending || self.modecfg == Progress::Pending
    }
    /// The IKECFG address (client: received; gateway: assigned).
    pub(super) fn address(&self) -> Option<Ipv4Addr> {
        self.config
            .as_ref()
            .and_then(|c| c.address)
            .or(self.lease.map(|l| l.0))
    }
    /// The gateway-side tranche as a selector.
    pub(super) fn tranche(&self) -> Option<Selector> {
        self.lease.map(|(first, last)| Selector {
            first,
            last,
            protocol: 0,
            port: 0,
        })
    }
}

/// What a transaction we started waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Gateway: XAuth REQUEST sent, REPLY awaited.
    XauthRequest,
    /// Gateway: XAuth SET sent (verdict), ACK awaited.
    XauthSet(bool),
    /// Client: Mode Config REQUEST sent, REPLY awaited.
    CfgRequest,
    /// Gateway: Mode Config SET sent, ACK awaited.
    CfgSet,
    /// A peer's request we answered (kept to answer retransmissions).
    Answered,
}

/// One Transaction exchange.
pub(super) struct Transaction {
    mid: u32,
    iv: Vec<u8>,
    kind: Kind,
    pub(super) retx: Option<Retransmit>,
    recent: Recent,
    pub(super) done_at: Option<Instant>,
}

/// A gateway's address lease.
pub(super) struct Lease {
    pool: usize,
    first: Ipv4Addr,
    last: Ipv4Addr,
    /// Who had it: the XAuth user, else the peer's ID payload.
    owner: Vec<u8>,
    /// The ISAKMP SA holding it (`None`: released, kept for the owner's return).
    isakmp: Option<ConnId>,
}

fn mask_of(prefix: u8) -> Ipv4Addr {
    Ipv4Addr::from(match prefix {
        0 => 0,
        p if p >= 32 => u32::MAX,
        p => u32::MAX << (32 - u32::from(p)),
    })
}

fn four(v: &[u8]) -> Option<Ipv4Addr> {
    <[u8; 4]>::try_from(v).ok().map(Ipv4Addr::from)
}

fn subnet(addr: &[u8], mask: &[u8]) -> Option<Selector> {
    let m = u32::from(four(mask)?);
    if m.leading_ones() + m.trailing_zeros() != 32 {
        return None;
    }
    let p = u8::try_from(m.leading_ones()).ok()?;
    Some(Selector::subnet(four(addr)?, p))
}

fn text(v: &[u8]) -> Option<String> {
    if v.len() > MAX_STRING {
        return None;
    }
    String::from_utf8(v.to_vec()).ok()
}

/// Reads a Mode Config answer (REPLY or SET).
fn read_mode_config(attrs: &[Attribute<'_>]) -> ModeConfig {
    let mut c = ModeConfig::default();
    for a in attrs {
        let AttrValue::Var(v) = a.value else { continue };
        if v.is_empty() {
            continue;
        }
        match a.class {
            cfg::INTERNAL_IP4_ADDRESS => c.address = c.address.or(four(v)),
            cfg::INTERNAL_IP4_NETMASK => c.netmask = c.netmask.or(four(v)),
            cfg::INTERNAL_IP4_DNS if c.dns.len() < MAX_LIST => c.dns.extend(four(v)),
            cfg::INTERNAL_IP4_NBNS if c.nbns.len() < MAX_LIST => c.nbns.extend(four(v)),
            cfg::INTERNAL_IP4_SUBNET if v.len() == 8 => {
                if let Some(s) = subnet(&v[..4], &v[4..])
                    && c.split_include.len() < MAX_LIST
                    && !c.split_include.contains(&s)
                {
                    c.split_include.push(s);
                }
            }
            cfg::UNITY_SPLIT_INCLUDE => {
                for e in v.chunks_exact(14) {
                    if let Some(s) = subnet(&e[..4], &e[4..8])
                        && c.split_include.len() < MAX_LIST
                        && !c.split_include.contains(&s)
                    {
                        c.split_include.push(s);
                    }
                }
            }
            cfg::UNITY_DEF_DOMAIN => c.domain = text(v),
            cfg::UNITY_BANNER => c.banner = text(v),
            _ => {}
        }
    }
    c
}

fn has_xauth(attrs: &[Attribute<'_>]) -> bool {
    attrs.iter().any(|a| {
        matches!(
            a.class,
            cfg::XAUTH_TYPE
                | cfg::XAUTH_USER_NAME
                | cfg::XAUTH_USER_PASSWORD
                | cfg::XAUTH_PASSCODE
                | cfg::XAUTH_MESSAGE
                | cfg::XAUTH_STATUS
        )
    })
}

fn var<'a>(attrs: &[Attribute<'a>], class: u16) -> Option<&'a [u8]> {
    attrs.iter().find_map(|a| match a.value {
        AttrValue::Var(v) if a.class == class => Some(v),
        _ => None,
    })
}

/// Owned attribute list for encoding.
#[derive(Default)]
struct Attrs(Vec<(u16, Option<u16>, Vec<u8>)>);

impl Attrs {
    fn var(&mut self, class: u16, v: &[u8]) {
        self.0.push((class, None, v.to_vec()));
    }
    fn basic(&mut self, class: u16, v: u16) {
        self.0.push((class, Some(v), Vec::new()));
    }
    fn payload(&self, cfg_type: u8, identifier: u16) -> Result<Vec<u8>, codec::CodecError> {
        let attributes = self
            .0
            .iter()
            .map(|(class, b, v)| Attribute {
                class: *class,
                value: match b {
                    Some(x) => AttrValue::Basic(*x),
                    None => AttrValue::Var(v),
                },
            })
            .collect();
        let mut out = Vec::new();
        AttributePayload {
            cfg_type,
            identifier,
            attributes,
        }
        .emit(&mut out)?;
        Ok(out)
    }
}

impl Engine {
    /// After phase 1: starts XAuth / Mode Config if the rule wants them. Returns false when
    /// there is nothing to do.
    pub(super) fn begin_configuration(&mut self, now: Instant, i: usize) -> bool {
        let rule = &self.config.ike_rules[self.isakmp[i].rule];
        if !rule.needs_configuration() {
            return false;
        }
        let xauth = rule.xauth.clone();
        let deadline = now + self.config.params.session_time_max;
        let ra = &mut self.isakmp[i].ra;
        ra.xauth = if xauth.is_some() {
            Progress::Pending
        } else {
            Progress::Off
        };
        ra.modecfg = Progress::Pending;
        if rule.modecfg == ModeCfg::Off {
            ra.modecfg = Progress::Off;
        }
        ra.deadline = Some(deadline);
        let r = match xauth {
            Some(Xauth::Server(_)) => {
                let mut a = Attrs::default();
                a.var(cfg::XAUTH_USER_NAME, &[]);
                a.var(cfg::XAUTH_USER_PASSWORD, &[]);
                self.start_transaction(now, i, Kind::XauthRequest, cfg::REQUEST, &a)
            }
            Some(Xauth::Client { user, .. }) => {
                self.isakmp[i].ra.user = Some(user);
                Ok(())
            }
            None => {
                self.next_config_step(now, i);
                Ok(())
            }
        };
        if let Err(e) = r {
            self.fail_configuration(now, i, e);
        }
        true
    }

    /// XAuth done (or not used): Mode Config.
    fn next_config_step(&mut self, now: Instant, i: usize) {
        let r = match self.config.ike_rules[self.isakmp[i].rule].modecfg {
            ModeCfg::Off => Ok(()),
            ModeCfg::Client { pull: true } => {
                let mut a = Attrs::default();
                for c in [
                    cfg::INTERNAL_IP4_ADDRESS,
                    cfg::INTERNAL_IP4_NETMASK,
                    cfg::INTERNAL_IP4_DNS,
                    cfg::INTERNAL_IP4_NBNS,
                    cfg::UNITY_SPLIT_INCLUDE,
                ] {
                    a.var(c, &[]);
                }
                self.start_transaction(now, i, Kind::CfgRequest, cfg::REQUEST, &a)
            }
            ModeCfg::Client { pull: false } | ModeCfg::Server { push: false, .. } => Ok(()),
            ModeCfg::Server { push: true, .. } => self
                .assign(now, i)
                .and_then(|a| self.start_transaction(now, i, Kind::CfgSet, cfg::SET, &a)),
        };
        match r {
            Ok(()) => self.config_done(now, i),
            Err(e) => self.fail_configuration(now, i, e),
        }
    }

    /// Starts the waiting Quick Modes once nothing is pending.
    fn config_done(&mut self, now: Instant, i: usize) {
        if self.isakmp[i].is_active() && !self.isakmp[i].ra.pending() {
            self.run_pending(now, i);
        }
    }

    /// XAuth or Mode Config failed: report and delete the ISAKMP SA (notifying the peer).
    fn fail_configuration(&mut self, now: Instant, i: usize, error: IkeError) {
        let (id, peer) = (self.isakmp[i].id, self.isakmp[i].remote);
        self.event(Event::ExchangeFailed { id, peer, error });
        if self.isakmp[i].state != P1State::Deleted {
            self.delete_isakmp(now, i, DeleteReason::Cleared, true);
        }
    }

    /// Gateway: takes a lease for SA `i` and builds the Mode Config attributes.
    fn assign(&mut self, _now: Instant, i: usize) -> Step<Attrs> {
        let ModeCfg::Server { pool, .. } = self.config.ike_rules[self.isakmp[i].rule].modecfg
        else {
            return Err(IkeError::NoRule);
        };
        let (first, last) = self.allocate_lease(i, pool)?;
        let p = &self.config.pools[pool];
        let mut a = Attrs::default();
        a.var(cfg::INTERNAL_IP4_ADDRESS, &first.octets());
        a.var(
            cfg::INTERNAL_IP4_NETMASK,
            &p.netmask.unwrap_or(mask_of(p.tranche)).octets(),
        );
        for d in &p.dns {
            a.var(cfg::INTERNAL_IP4_DNS, &d.octets());
        }
        for d in &p.nbns {
            a.var(cfg::INTERNAL_IP4_NBNS, &d.octets());
        }
        let mut split = Vec::new();
        for s in &p.split {
            let prefix = s.prefix().unwrap_or(32);
            split.extend_from_slice(&s.first.octets());
            split.extend_from_slice(&mask_of(prefix).octets());
            split.extend_from_slice(&[0; 6]);
        }
        if !split.is_empty() {
            a.var(cfg::UNITY_SPLIT_INCLUDE, &split);
        }
        let sa = &mut self.isakmp[i];
        sa.ra.lease = Some((first, last));
        let (id, peer, user) = (sa.id, sa.remote, sa.ra.user.clone());
        let tranche = sa.ra.tranche().unwrap_or(Selector::host(first));
        self.event(Event::ModeConfigAssigned {
            id,
            peer,
            user,
            address: first,
            tranche,
        });
        Ok(a)
    }

    /// The lease of SA `i` in `pool`: its own, the one its owner had, or the first free tranche.
    fn allocate_lease(&mut self, i: usize, pool: usize) -> Step<(Ipv4Addr, Ipv4Addr)> {
        let sa = &self.isakmp[i];
        let id = sa.id;
        let owner: Vec<u8> = match (&sa.ra.user, &sa.peer_id) {
            (Some(u), _) => u.as_bytes().to_vec(),
            (None, Some(p)) => p.payload_body(),
            (None, None) => Vec::new(),
        };
        if let Some(l) = self.leases.iter().find(|l| l.isakmp == Some(id)) {
            return Ok((l.first, l.last));
        }
        if let Some(l) = self
            .leases
            .iter_mut()
            .find(|l| l.pool == pool && l.isakmp.is_none() && l.owner == owner)
        {
            l.isakmp = Some(id);
            return Ok((l.first, l.last));
        }
        let tranches = self.config.pools[pool].tranches(MAX_TRANCHES);
        if let Some(&(first, last)) = tranches
            .iter()
            .find(|t| !self.leases.iter().any(|l| l.pool == pool && l.first == t.0))
        {
            self.leases.push(Lease {
                pool,
                first,
                last,
                owner,
                isakmp: Some(id),
            });
            return Ok((first, last));
        }
        // every tranche was handed out: reuse one whose holder is gone
        if let Some(l) = self
            .leases
            .iter_mut()
            .find(|l| l.pool == pool && l.isakmp.is_none())
        {
            l.isakmp = Some(id);
            l.owner = owner;
            return Ok((l.first, l.last));
        }
        Err(IkeError::PoolExhausted)
    }

    /// The ISAKMP SA `id` is gone: its lease is free (and remembered for its owner).
    pub(super) fn release_lease(&mut self, id: ConnId) {
        for l in self.leases.iter_mut().filter(|l| l.isakmp == Some(id)) {
            l.isakmp = None;
        }
    }

    /// Encrypts and sends an Attribute payload on message ID `mid` with IV `iv` (advanced).
    fn send_attributes(&mut self, i: usize, mid: u32, iv: &mut [u8], body: &[u8]) -> Step<Vec<u8>> {
        let mut w = PayloadWriter::new();
        w.push(PayloadType::ATTRIBUTE, body)?;
        let (hash, ska) = self.skeyid_a(i)?;
        let h = keys::hash1(hash, &ska, mid, w.bytes());
        let m = self.hashed_message(i, ExchangeType::TRANSACTION, mid, iv, &h, &w)?;
        self.send_on(i, &m);
        Ok(m)
    }

    fn keep_txn(&mut self, i: usize, t: Transaction) {
        let list = &mut self.isakmp[i].txn;
        if list.len() >= MAX_TXN
            && let Some(k) = list.iter().position(|t| t.done_at.is_some())
        {
            list.remove(k);
        }
        list.push(t);
    }

    /// Starts a Transaction exchange with a request (REQUEST or SET).
    fn start_transaction(
        &mut self,
        now: Instant,
        i: usize,
        kind: Kind,
        cfg_type: u8,
        attrs: &Attrs,
    ) -> Step<()> {
        if self.isakmp[i]
            .txn
            .iter()
            .filter(|t| t.done_at.is_none())
            .count()
            >= MAX_TXN
        {
            return Err(IkeError::LimitReached);
        }
        let mid = self.new_mid(i)?;
        let identifier = u16::from_be_bytes(self.random()?);
        let mut iv = self.exchange_iv(i, mid)?;
        let body = attrs.payload(cfg_type, identifier)?;
        let m = self.send_attributes(i, mid, &mut iv, &body)?;
        let t = Transaction {
            mid,
            iv,
            kind,
            retx: Some(Retransmit::new(
                m,
                now,
                self.config.params.retry_time_base,
                true,
            )),
            recent: Recent::default(),
            done_at: None,
        };
        self.keep_txn(i, t);
        Ok(())
    }

    /// A Transaction message on ISAKMP SA `i`.
    pub(super) fn transaction_message(
        &mut self,
        now: Instant,
        i: usize,
        msg: &Message<'_>,
        bytes: &[u8],
    ) -> Result<(), Ignored> {
        if !self.isakmp[i].is_active() {
            return Err(Ignored::Unexpected("Transaction before phase 1 completed"));
        }
        if !msg.header.encrypted() || msg.header.message_id == 0 {
            return Err(Ignored::Unexpected("unprotected Transaction"));
        }
        let mid = msg.header.message_id;
        let d = digest(bytes);
        let known = self.isakmp[i].txn.iter().position(|t| t.mid == mid);
        let iv = match known {
            Some(ti) => {
                let t = &self.isakmp[i].txn[ti];
                if t.recent.contains(d) || t.done_at.is_some() {
                    // only a request we answered is answered again
                    if let Some(p) = t.retx.as_ref().and_then(|r| r.answer_to(d)) {
                        self.send_on(i, &p);
                    }
                    return Err(Ignored::Duplicate);
                }
                t.iv.clone()
            }
            None => {
                if self.isakmp[i].info_seen.contains(&mid)
                    || self.isakmp[i].quick.iter().any(|q| q.mid == mid)
                {
                    return Err(Ignored::Duplicate);
                }
                self.exchange_iv(i, mid).map_err(Ignored::Rejected)?
            }
        };
        let (plain, next_iv) = self.open_protected(i, &iv, msg)?;
        let ps = codec::parse_payloads(msg.header.next_payload, &plain, true)
            .map_err(|_| Ignored::NotAuthentic)?;
        let (h, rest) = split_hash(&ps).ok_or(Ignored::NotAuthentic)?;
        let (hash, ska) = self.skeyid_a(i).map_err(Ignored::Rejected)?;
        if !bool::from(keys::hash1(hash, &ska, mid, &rest).ct_eq(h)) {
            return Err(Ignored::NotAuthentic);
        }
        let attr = ps
            .iter()
            .find(|p| p.ty == PayloadType::ATTRIBUTE)
            .ok_or(Ignored::Malformed(codec::CodecError::Malformed(
                "Transaction without attributes",
            )))?;
        let attr = AttributePayload::parse(attr.body)?;
        self.isakmp[i].last_rx = now;
        match known {
            Some(ti) => {
                let t = &mut self.isakmp[i].txn[ti];
                t.recent.push(d);
                t.iv = next_iv;
                t.done_at = Some(now);
                if let Some(r) = t.retx.as_mut() {
                    r.next = None;
                }
                let kind = t.kind;
                self.on_answer(now, i, kind, &attr)
            }
            None => self.on_request(now, i, mid, next_iv, d, &attr),
        }
    }

    /// Sends our answer to a peer's request and keeps it for retransmissions.
    #[allow(clippy::too_many_arguments)] // the exchange's identifiers, IV and answer
    fn answer(
        &mut self,
        now: Instant,
        i: usize,
        mid: u32,
        mut iv: Vec<u8>,
        d: u64,
        identifier: u16,
        cfg_type: u8,
        attrs: &Attrs,
    ) -> Step<()> {
        let body = attrs.payload(cfg_type, identifier)?;
        let m = self.send_attributes(i, mid, &mut iv, &body)?;
        let mut recent = Recent::default();
        recent.push(d);
        let t = Transaction {
            mid,
            iv,
            kind: Kind::Answered,
            retx: Some(Retransmit {
                answers: Some(d),
                ..Retransmit::new(m, now, self.config.params.retry_time_base, false)
            }),
            recent,
            done_at: Some(now),
        };
        self.keep_txn(i, t);
        Ok(())
    }

    /// A request (REQUEST or SET) from the peer.
    fn on_request(
        &mut self,
        now: Instant,
        i: usize,
        mid: u32,
        iv: Vec<u8>,
        d: u64,
        attr: &AttributePayload<'_>,
    ) -> Result<(), Ignored> {
        match self.serve_request(now, i, mid, iv, d, attr) {
            Ok(true) => Ok(()),
            Ok(false) => Err(Ignored::Unexpected("Transaction request")),
            Err(e) => {
                self.fail_configuration(now, i, e.clone());
                Err(Ignored::Rejected(e))
            }
        }
    }

    /// Answers a peer's request; `Ok(false)` when it is not one we serve.
    fn serve_request(
        &mut self,
        now: Instant,
        i: usize,
        mid: u32,
        iv: Vec<u8>,
        d: u64,
        attr: &AttributePayload<'_>,
    ) -> Step<bool> {
        let rule = &self.config.ike_rules[self.isakmp[i].rule];
        let (xauth, modecfg) = (rule.xauth.clone(), rule.modecfg);
        let id = attr.identifier;
        let is_xauth = has_xauth(&attr.attributes);
        match (attr.cfg_type, is_xauth, xauth, modecfg) {
            (cfg::REQUEST, true, Some(Xauth::Client { user, password }), _) => {
                let mut a = Attrs::default();
                if let Some(t) = attr.get(cfg::XAUTH_TYPE)
                    && let AttrValue::Basic(v) = t.value
                {
                    a.basic(cfg::XAUTH_TYPE, v);
                }
                a.var(cfg::XAUTH_USER_NAME, user.as_bytes());
                a.var(cfg::XAUTH_USER_PASSWORD, &password.0);
                self.answer(now, i, mid, iv, d, id, cfg::REPLY, &a)?;
                Ok(true)
            }
            (cfg::SET, true, Some(Xauth::Client { user, .. }), _) => {
                let ok = attr.get(cfg::XAUTH_STATUS).and_then(|a| a.value.as_u64()) == Some(1);
                let mut a = Attrs::default();
                a.var(cfg::XAUTH_STATUS, &[]);
                self.answer(now, i, mid, iv, d, id, cfg::ACK, &a)?;
                let (sid, peer) = (self.isakmp[i].id, self.isakmp[i].remote);
                self.event(Event::XauthDone {
                    id: sid,
                    peer,
                    user,
                    ok,
                });
                if ok {
                    self.isakmp[i].ra.xauth = Progress::Done;
                    self.next_config_step(now, i);
                    Ok(true)
                } else {
                    Err(IkeError::XauthFailed)
                }
            }
            (cfg::REQUEST, false, _, ModeCfg::Server { .. })
                if self.isakmp[i].ra.xauth != Progress::Pending =>
            {
                let a = self.assign(now, i)?;
                self.answer(now, i, mid, iv, d, id, cfg::REPLY, &a)?;
                self.isakmp[i].ra.modecfg = Progress::Done;
                self.config_done(now, i);
                Ok(true)
            }
            (cfg::SET, false, _, ModeCfg::Client { .. })
                if self.isakmp[i].ra.xauth != Progress::Pending =>
            {
                let mut a = Attrs::default();
                for x in &attr.attributes {
                    if matches!(x.value, AttrValue::Var(v) if !v.is_empty()) {
                        a.var(x.class, &[]);
                    }
                }
                self.answer(now, i, mid, iv, d, id, cfg::ACK, &a)?;
                self.take_mode_config(now, i, &attr.attributes)?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// The peer's answer (REPLY or ACK) to our request of `kind`.
    fn on_answer(
        &mut self,
        now: Instant,
        i: usize,
        kind: Kind,
        attr: &AttributePayload<'_>,
    ) -> Result<(), Ignored> {
        let r = match (kind, attr.cfg_type) {
            (Kind::XauthRequest, cfg::REPLY) => {
                let user = var(&attr.attributes, cfg::XAUTH_USER_NAME)
                    .and_then(text)
                    .unwrap_or_default();
                let pass = var(&attr.attributes, cfg::XAUTH_USER_PASSWORD).unwrap_or_default();
                let ok = match &self.config.ike_rules[self.isakmp[i].rule].xauth {
                    Some(Xauth::Server(v)) => !user.is_empty() && v.verify(&user, pass),
                    _ => false,
                };
                let (id, peer) = (self.isakmp[i].id, self.isakmp[i].remote);
                self.isakmp[i].ra.user = Some(user.clone());
                self.event(Event::XauthDone { id, peer, user, ok });
                let mut a = Attrs::default();
                a.basic(cfg::XAUTH_STATUS, u16::from(ok));
                self.start_transaction(now, i, Kind::XauthSet(ok), cfg::SET, &a)
            }
            (Kind::XauthSet(true), cfg::ACK) => {
                self.isakmp[i].ra.xauth = Progress::Done;
                self.next_config_step(now, i);
                Ok(())
            }
            (Kind::XauthSet(false), cfg::ACK) => Err(IkeError::XauthFailed),
            (Kind::CfgRequest, cfg::REPLY) => self.take_mode_config(now, i, &attr.attributes),
            (Kind::CfgSet, cfg::ACK) => {
                self.isakmp[i].ra.modecfg = Progress::Done;
                self.config_done(now, i);
                Ok(())
            }
            _ => Err(IkeError::Codec(codec::CodecError::Malformed(
                "unexpected Transaction answer",
            ))),
        };
        if let Err(e) = r {
            self.fail_configuration(now, i, e.clone());
            return Err(Ignored::Rejected(e));
        }
        Ok(())
    }

    /// Client: applies a Mode Config answer.
    fn take_mode_config(&mut self, now: Instant, i: usize, attrs: &[Attribute<'_>]) -> Step<()> {
        let c = read_mode_config(attrs);
        if c.address.is_none() {
            return Err(IkeError::NoAddressAssigned);
        }
        let sa = &mut self.isakmp[i];
        sa.ra.config = Some(c.clone());
        sa.ra.modecfg = Progress::Done;
        let (id, peer) = (sa.id, sa.remote);
        self.event(Event::ModeConfigReceived {
            id,
            peer,
            config: c,
        });
        self.config_done(now, i);
        Ok(())
    }

    /// Configuration deadline, retransmissions and cleanup of SA `i`; true when the SA was
    /// deleted.
    pub(super) fn transaction_timers(&mut self, now: Instant, i: usize, p: &IkeParameters) -> bool {
        if self.isakmp[i].configuring() && self.isakmp[i].ra.deadline.is_some_and(|d| now >= d) {
            self.fail_configuration(now, i, IkeError::SessionTimeout);
            return true;
        }
        let mut k = 0;
        while k < self.isakmp[i].txn.len() {
            let t = &mut self.isakmp[i].txn[k];
            if t.done_at.is_some_and(|d| now >= d + LINGER) {
                self.isakmp[i].txn.remove(k);
                continue;
            }
            match t.retx.as_mut().map(|r| r.poll(now, p)) {
                Some(RetxPoll::Resend(m)) => self.send_on(i, &m),
                Some(RetxPoll::Exhausted) => {
                    self.fail_configuration(now, i, IkeError::Timeout);
                    return true;
                }
                _ => {}
            }
            k += 1;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_strongswan_style_answers() {
        let mut split = Vec::new();
        split.extend_from_slice(&[10, 99, 0, 0, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0]);
        split.extend_from_slice(&[192, 168, 0, 0, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0]);
        let attrs = [
            Attribute {
                class: cfg::INTERNAL_IP4_ADDRESS,
                value: AttrValue::Var(&[10, 88, 0, 10]),
            },
            Attribute {
                class: cfg::INTERNAL_IP4_DNS,
                value: AttrValue::Var(&[10, 99, 0, 53]),
            },
            Attribute {
                class: cfg::UNITY_SPLIT_INCLUDE,
                value: AttrValue::Var(&split),
            },
            Attribute {
                class: cfg::INTERNAL_IP4_NBNS,
                value: AttrValue::Var(&[]),
            },
        ];
        let c = read_mode_config(&attrs);
        assert_eq!(c.address, Some(Ipv4Addr::new(10, 88, 0, 10)));
        assert_eq!(c.dns, [Ipv4Addr::new(10, 99, 0, 53)]);
        assert!(c.nbns.is_empty());
        assert_eq!(
            c.split_include,
            [
                Selector::subnet(Ipv4Addr::new(10, 99, 0, 0), 24),
                Selector::subnet(Ipv4Addr::new(192, 168, 0, 0), 16)
            ]
        );
        // a non-contiguous mask is ignored
        let bad = [Attribute {
            class: cfg::INTERNAL_IP4_SUBNET,
            value: AttrValue::Var(&[10, 0, 0, 0, 255, 0, 255, 0]),
        }];
        assert!(read_mode_config(&bad).split_include.is_empty());
    }
}
