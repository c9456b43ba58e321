//! The SA listing model of `sa_mgr show` (product.md §6, Bel VPN Client guide §13.32): what the
//! engine knows about each ISAKMP and IPsec SA, and the text forms (brief and `-detail`) with the
//! guide's layout. The host adds nothing but the data-plane counters it reports through
//! [`Engine::note_traffic`](crate::Engine::note_traffic).
//!
//! This module only reads engine state; it must not change it.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;
use core::net::SocketAddr;

use zubr_base::Instant;

use crate::config::{Identity, IpsecMode, Phase1Mode, Selector};
use crate::engine::ConnId;

/// `State` of an ISAKMP SA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IsakmpState {
    /// Phase 1 not finished.
    Incomplete,
    /// Usable.
    Active,
    /// XAuth / Mode Config running.
    Configuration,
    /// Not used any more; kept for the configured time.
    Deleted,
    /// Unknown.
    Unknown,
}

impl IsakmpState {
    /// The word `sa_mgr` prints.
    pub fn as_str(self) -> &'static str {
        match self {
            IsakmpState::Incomplete => "incomplete",
            IsakmpState::Active => "active",
            IsakmpState::Configuration => "configuration",
            IsakmpState::Deleted => "deleted",
            IsakmpState::Unknown => "unknown",
        }
    }
}

/// One ISAKMP SA as `sa_mgr show` lists it.
#[derive(Debug, Clone)]
pub struct IsakmpSaInfo {
    /// Conn-id.
    pub id: ConnId,
    /// Our address and port.
    pub local: SocketAddr,
    /// Peer address and port.
    pub remote: SocketAddr,
    /// State.
    pub state: IsakmpState,
    /// Bytes sent / received.
    pub sent: u64,
    /// Bytes received.
    pub rcvd: u64,
    /// Initiator and responder cookies.
    pub cookies: ([u8; 8], [u8; 8]),
    /// Our identity.
    pub local_id: Option<Identity>,
    /// The peer's identity.
    pub remote_id: Option<Identity>,
    /// IKE rule name.
    pub rule: String,
    /// `preshared key`, …
    pub auth: &'static str,
    /// Main or aggressive.
    pub mode: Phase1Mode,
    /// Cipher and hash names (`aes128-cbc sha1`).
    pub transform: Option<(&'static str, &'static str)>,
    /// Oakley group.
    pub group: Option<u16>,
    /// Lifetime limits: kilobytes (0 = none), seconds.
    pub lifetime: (u32, u32),
    /// Remaining: kilobytes, seconds.
    pub remaining: (u64, u64),
    /// Mode Config address, if one was received.
    pub ikecfg_address: Option<core::net::Ipv4Addr>,
}

/// One direction of an IPsec SA.
#[derive(Debug, Clone)]
pub struct IpsecSaDirection {
    /// SPI.
    pub spi: u32,
    /// Transform names (`esp-aes128-cbc esp-sha1-hmac`).
    pub transform: String,
    /// `Tunnel`, `Transport`, `Tunnel NAT-T`, `Transport-NAT-T`.
    pub settings: &'static str,
    /// Lifetime limits: kilobytes, seconds.
    pub lifetime: (u32, u32),
    /// Remaining: kilobytes, seconds.
    pub remaining: (u64, u64),
}

/// One IPsec SA pair as `sa_mgr show` lists it.
#[derive(Debug, Clone)]
pub struct IpsecSaInfo {
    /// Conn-id.
    pub id: ConnId,
    /// Our crypto endpoint.
    pub local: SocketAddr,
    /// The peer's crypto endpoint.
    pub remote: SocketAddr,
    /// `tunn`, `trans`, `nat-t-tunn`, `nat-t-trans`.
    pub ty: &'static str,
    /// Bytes sent / received.
    pub sent: u64,
    /// Bytes received.
    pub rcvd: u64,
    /// Packets sent / received.
    pub pkts: (u64, u64),
    /// Send / receive errors.
    pub errors: (u64, u64),
    /// Our selector.
    pub local_ts: Selector,
    /// The peer's selector.
    pub remote_ts: Selector,
    /// `initiated locally`, `initiated remotely`, `rekeyed`, `no rekeying`.
    pub status: Vec<&'static str>,
    /// The peer's phase-1 identity.
    pub remote_id: Option<Identity>,
    /// IPsecAction name.
    pub action: String,
    /// FilteringRule name.
    pub filter: String,
    /// PFS group, if any.
    pub pfs: Option<u16>,
    /// Inbound ESP SA.
    pub inbound: IpsecSaDirection,
    /// Outbound ESP SA.
    pub outbound: IpsecSaDirection,
}

fn id_type_name(id: &Identity) -> &'static str {
    match id {
        Identity::Ipv4(_) => "IPV4_ADDR",
        Identity::Fqdn(_) => "FQDN",
        Identity::UserFqdn(_) => "USER_FQDN",
        Identity::DerAsn1Dn(_) => "DER_ASN1_DN",
        Identity::KeyId(_) => "KEY_ID",
    }
}

fn id_value(id: &Identity) -> String {
    match id {
        Identity::Ipv4(a) => format!("{a}"),
        Identity::Fqdn(s) | Identity::UserFqdn(s) => s.clone(),
        Identity::DerAsn1Dn(d) | Identity::KeyId(d) => d.iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02X}");
            s
        }),
    }
}

fn hex_upper(b: &[u8]) -> String {
    b.iter().fold(String::new(), |mut s, x| {
        let _ = write!(s, "{x:02X}");
        s
    })
}

fn selector_ident(s: &Selector) -> String {
    let addr = if s.first == s.last {
        format!("{}", s.first)
    } else {
        format!("{}-{}", s.first, s.last)
    };
    format!("{addr}/{}/{}", s.protocol, s.port)
}

fn lim(v: u32) -> String {
    if v == 0 {
        String::from("-")
    } else {
        format!("{v}")
    }
}

fn rem(limit: u32, v: u64) -> String {
    if limit == 0 {
        String::from("-")
    } else {
        format!("{v}")
    }
}

/// `sa_mgr show` (brief) text.
pub fn format_brief(
    sessions: (usize, usize),
    isakmp: &[IsakmpSaInfo],
    ipsec: &[IpsecSaInfo],
) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "ISAKMP sessions: {} initiated, {} responded",
        sessions.0, sessions.1
    );
    let _ = writeln!(o);
    let _ = writeln!(o, "ISAKMP connections:");
    let _ = writeln!(
        o,
        "Num Conn-id (Remote Addr,Port)-(Local Addr,Port) State Sent Rcvd"
    );
    for (n, s) in isakmp.iter().enumerate() {
        let _ = writeln!(
            o,
            "{} {} ({},{})-({},{}) {} {} {}",
            n + 1,
            s.id,
            s.remote.ip(),
            s.remote.port(),
            s.local.ip(),
            s.local.port(),
            s.state.as_str(),
            s.sent,
            s.rcvd
        );
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "IPsec connections:");
    let _ = writeln!(
        o,
        "Num Conn-id (Remote Addr,Port)-(Local Addr,Port) Protocol Action Type Sent Rcvd"
    );
    for (n, s) in ipsec.iter().enumerate() {
        let _ = writeln!(
            o,
            "{} {} ({},*)-({},*) * ESP {} {} {}",
            n + 1,
            s.id,
            s.remote.ip(),
            s.local.ip(),
            s.ty,
            s.sent,
            s.rcvd
        );
    }
    o
}

fn direction(o: &mut String, name: &str, d: &IpsecSaDirection) {
    let _ = writeln!(o, "    {name} esp sa:");
    let _ = writeln!(o, "     spi: 0x{:08X}({})", d.spi, d.spi);
    let _ = writeln!(o, "      transform: {}", d.transform);
    let _ = writeln!(o, "      in use settings ={{{}, }}", d.settings);
    let _ = writeln!(
        o,
        "      sa limits: key lifetime (k/sec): {}/{}",
        lim(d.lifetime.0),
        lim(d.lifetime.1)
    );
    let _ = writeln!(
        o,
        "      sa timing: remaining key lifetime (k/sec): {}/{}",
        rem(d.lifetime.0, d.remaining.0),
        rem(d.lifetime.1, d.remaining.1)
    );
    let _ = writeln!(o);
}

/// `sa_mgr show -detail` text.
pub fn format_detail(
    sessions: (usize, usize),
    isakmp: &[IsakmpSaInfo],
    ipsec: &[IpsecSaInfo],
) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "ISAKMP sessions: {} initiated, {} responded",
        sessions.0, sessions.1
    );
    let _ = writeln!(o);
    for s in isakmp {
        let _ = writeln!(o, "ISAKMP connection id: {}", s.id);
        let _ = writeln!(
            o,
            "    cookies: {}.{}",
            hex_upper(&s.cookies.0),
            hex_upper(&s.cookies.1)
        );
        let _ = writeln!(
            o,
            "    local  peer (addr/port): {}/{}",
            s.local.ip(),
            s.local.port()
        );
        let _ = writeln!(
            o,
            "    remote peer (addr/port): {}/{}",
            s.remote.ip(),
            s.remote.port()
        );
        if let Some(a) = s.ikecfg_address {
            let _ = writeln!(o, "    IKECFG address: {a}");
        }
        let _ = writeln!(o);
        if let Some(id) = &s.local_id {
            let _ = writeln!(
                o,
                "    local identity ({}): {}",
                id_type_name(id),
                id_value(id)
            );
        }
        if let Some(id) = &s.remote_id {
            let _ = writeln!(
                o,
                "    remote identity ({}): {}",
                id_type_name(id),
                id_value(id)
            );
        }
        let _ = writeln!(o, "    IKERule name: {}", s.rule);
        let _ = writeln!(o, "    auth: {}", s.auth);
        let _ = writeln!(
            o,
            "    mode: {}",
            match s.mode {
                Phase1Mode::Main => "main",
                Phase1Mode::Aggressive => "aggressive",
            }
        );
        let _ = writeln!(o);
        let _ = writeln!(o, "    sa:");
        if let Some((c, h)) = s.transform {
            let _ = writeln!(o, "     transform: {c} {h}");
        }
        if let Some(g) = s.group {
            let _ = writeln!(o, "     Oakley group: {g}");
        }
        let _ = writeln!(
            o,
            "     sa limits: key lifetime (qm/k/sec): -/{}/{}",
            lim(s.lifetime.0),
            lim(s.lifetime.1)
        );
        let _ = writeln!(
            o,
            "     sa timing: remaining key lifetime (qm/k/sec): -/{}/{}",
            rem(s.lifetime.0, s.remaining.0),
            rem(s.lifetime.1, s.remaining.1)
        );
        let _ = writeln!(o, "     status: {}", s.state.as_str());
        let _ = writeln!(o);
    }
    for s in ipsec {
        let _ = writeln!(o, "IPsec connection id: {}", s.id);
        let _ = writeln!(
            o,
            "    local  ident (addr/prot/port): {}",
            selector_ident(&s.local_ts)
        );
        let _ = writeln!(
            o,
            "    remote ident (addr/prot/port): {}",
            selector_ident(&s.remote_ts)
        );
        let _ = writeln!(o);
        let _ = writeln!(o, "    #pkts sent/rcvd: {}/{}", s.pkts.0, s.pkts.1);
        let _ = writeln!(o, "    #send/recv errors: {}/{}", s.errors.0, s.errors.1);
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "    local crypto endpt.: {}, remote crypto endpt.: {}",
            s.local.ip(),
            s.remote.ip()
        );
        let status = s.status.iter().fold(String::new(), |mut a, x| {
            let _ = write!(a, "{x}, ");
            a
        });
        let _ = writeln!(o, "    connection status: {{{status}}}");
        let _ = writeln!(o);
        if let Some(id) = &s.remote_id {
            let _ = writeln!(
                o,
                "    remote identity ({}): {}",
                id_type_name(id),
                id_value(id)
            );
        }
        let _ = writeln!(o, "    IPsecAction name: {}", s.action);
        let _ = writeln!(o, "    FilteringRule name: {}", s.filter);
        match s.pfs {
            Some(g) => {
                let _ = writeln!(o, "    PFS: group {g}");
            }
            None => {
                let _ = writeln!(o, "    PFS: none");
            }
        }
        direction(&mut o, "inbound", &s.inbound);
        direction(&mut o, "outbound", &s.outbound);
    }
    o
}

pub(crate) fn settings(mode: IpsecMode, udp: bool) -> (&'static str, &'static str) {
    match (mode, udp) {
        (IpsecMode::Tunnel, false) => ("tunn", "Tunnel"),
        (IpsecMode::Transport, false) => ("trans", "Transport"),
        (IpsecMode::Tunnel, true) => ("nat-t-tunn", "Tunnel NAT-T"),
        (IpsecMode::Transport, true) => ("nat-t-trans", "Transport-NAT-T"),
    }
}

pub(crate) fn remaining_secs(now: Instant, until: Option<Instant>) -> u64 {
    until.map_or(0, |u| u.saturating_duration_since(now).as_secs())
}
