//! The management model: the text the product's utilities print, computed from the agent's
//! state (guide §13: `sa_mgr show/clear`, `fwconn_show`, `drv_mgr show/set`, `dp_mgr show/set`,
//! `lsp_mgr show/show-info`, `if_show`). A host (the `zubr` daemon) sends these strings to its
//! utilities unchanged.
//!
//! Only formatting and selection live here; every state change is an [`Agent`] method.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use zubr_base::Instant;
use zubr_ike::ConnId;
use zubr_ike::listing::{IpsecSaInfo, IsakmpSaInfo, format_brief, format_detail};

use crate::agent::{Agent, PolicyState};
use crate::settings::{DrvSettings, PROPERTIES, SetError};

/// `sa_mgr show` options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SaShow {
    /// `-isakmp`: only ISAKMP connections.
    pub isakmp: bool,
    /// `-ipsec`: only IPsec connections.
    pub ipsec: bool,
    /// `-i ID`: only these connection ids.
    pub ids: Vec<u32>,
    /// `-detail`.
    pub detail: bool,
}

/// `sa_mgr show`.
pub fn sa_show(agent: &Agent, now: Instant, o: &SaShow) -> String {
    let (sessions, mut a, mut b): ((usize, usize), Vec<IsakmpSaInfo>, Vec<IpsecSaInfo>) =
        match agent.ike() {
            Some(e) => (e.sessions(), e.isakmp_list(now), e.ipsec_list(now)),
            None => ((0, 0), Vec::new(), Vec::new()),
        };
    if !o.ids.is_empty() {
        a.retain(|s| o.ids.contains(&s.id.0));
        b.retain(|s| o.ids.contains(&s.id.0));
    }
    let only_isakmp = o.isakmp && !o.ipsec;
    let only_ipsec = o.ipsec && !o.isakmp;
    if only_isakmp {
        b.clear();
    }
    if only_ipsec {
        a.clear();
    }
    let text = if o.detail {
        format_detail(sessions, &a, &b)
    } else {
        format_brief(sessions, &a, &b)
    };
    if !only_ipsec {
        if only_isakmp && !o.detail {
            // drop the (empty) IPsec table
            return match text.find("\nIPsec connections:") {
                Some(i) => String::from(&text[..=i]),
                None => text,
            };
        }
        return text;
    }
    // -ipsec: the IPsec part only (the manual's `sa_mgr show -ipsec -i 8`)
    let start = if o.detail {
        text.find("IPsec connection id:")
    } else {
        text.find("IPsec connections:")
    };
    match start {
        Some(i) => String::from(&text[i..]),
        None if o.detail => String::new(),
        None => text,
    }
}

/// Which connections `sa_mgr clear` removes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SaClear {
    /// `-isakmp`.
    pub isakmp: bool,
    /// `-ipsec`.
    pub ipsec: bool,
    /// `-i ID`.
    pub ids: Vec<u32>,
    /// `-all`.
    pub all: bool,
    /// `-silent`: no Delete to the peer.
    pub silent: bool,
}

/// `sa_mgr clear` with the manual's messages (`ISAKMP connection 1 is removed`, `... 4 is not
/// found`, `All connections are removed` / `Not all connections are removed`).
pub fn sa_clear(agent: &mut Agent, now: Instant, o: &SaClear) -> String {
    let mut out = String::new();
    if o.all {
        agent.clear_all(now, o.silent);
        let left = agent.ike().map_or(0, |e| {
            e.ipsec_list(now).len() + e.sessions().0 + e.sessions().1
        });
        out.push_str(if left == 0 && agent.sa_pairs() == 0 {
            "All connections are removed\n"
        } else {
            "Not all connections are removed\n"
        });
        return out;
    }
    let (isakmp_ids, ipsec_ids): (Vec<ConnId>, Vec<ConnId>) = match agent.ike() {
        Some(e) => (
            e.isakmp_list(now)
                .iter()
                .filter(|s| s.state.as_str() != "deleted")
                .map(|s| s.id)
                .collect(),
            e.ipsec_list(now).iter().map(|s| s.id).collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let both = !o.isakmp && !o.ipsec;
    let want_isakmp = o.isakmp || both;
    let want_ipsec = o.ipsec || both;
    if o.ids.is_empty() {
        if want_ipsec {
            for id in &ipsec_ids {
                agent.clear_ipsec(now, id.0, o.silent);
                let _ = writeln!(out, "IPsec connection {id} is removed");
            }
        }
        if want_isakmp {
            for id in &isakmp_ids {
                agent.clear_isakmp(now, id.0, o.silent);
                let _ = writeln!(out, "ISAKMP connection {id} is removed");
            }
        }
        return out;
    }
    for &id in &o.ids {
        let mut done = false;
        if want_ipsec && ipsec_ids.contains(&ConnId(id)) {
            done = agent.clear_ipsec(now, id, o.silent);
            if done {
                let _ = writeln!(out, "IPsec connection {id} is removed");
            }
        }
        if !done && want_isakmp && isakmp_ids.contains(&ConnId(id)) {
            done = agent.clear_isakmp(now, id, o.silent);
            if done {
                let _ = writeln!(out, "ISAKMP connection {id} is removed");
            }
        }
        if !done {
            let kind = if want_isakmp && !want_ipsec {
                "ISAKMP"
            } else if want_ipsec && !want_isakmp {
                "IPsec"
            } else {
                "Connection"
            };
            let _ = writeln!(out, "{kind} connection {id} is not found");
        }
    }
    out
}

/// A property's value.
pub fn drv_value(agent: &Agent, name: &str) -> Option<u64> {
    let d: &DrvSettings = agent.drv();
    let tcp = agent.filter().tracker().settings();
    let mtu = 1500u64;
    Some(match name {
        "pcap_minimal_mtu" => mtu,
        "fw_tcp_closed_ttl" => u64::from(tcp.closed_ttl),
        "fw_tcp_synsent_ttl" => u64::from(tcp.synsent_ttl),
        "fw_tcp_synrcvd_ttl" => u64::from(tcp.synrcvd_ttl),
        "fw_tcp_estab_ttl" => u64::from(tcp.estab_ttl),
        "fw_tcp_fin_ttl" => u64::from(tcp.fin_ttl),
        "fw_tcp_strictness" => u64::from(tcp.strictness),
        "fw_tcp_open_max" => u64::from(tcp.open_max),
        "fw_tcp_half_open_max" => u64::from(tcp.half_open_max),
        "fw_tcp_half_open_low" => u64::from(tcp.half_open_low),
        "fw_tcp_conn_rate_max" => u64::from(tcp.conn_rate_max),
        "fw_tcp_conn_rate_low" => u64::from(tcp.conn_rate_low),
        "frag_dont_grow_fragments" => u64::from(d.frag_dont_grow_fragments),
        "frag_minimize_size" => u64::from(d.frag_minimize_size),
        "frag_df_options" => u64::from(d.frag_df_options),
        "ipsec_breq_max" => u64::from(d.ipsec_breq_max),
        "ipsec_breq_count" => agent.requests() as u64,
        "ipsec_recursive_policy" => {
            u64::from(agent.policy().is_some_and(|p| p.global.allow_nested_ipsec))
        }
        _ => return None,
    })
}

/// `drv_mgr show [NAME...]`.
pub fn drv_show(agent: &Agent, names: &[String]) -> Result<String, String> {
    let mut o = String::new();
    let list: Vec<&str> = if names.is_empty() {
        PROPERTIES.iter().map(|p| p.name).collect()
    } else {
        names.iter().map(String::as_str).collect()
    };
    for n in list {
        let v = drv_value(agent, n)
            .ok_or_else(|| format!("User Error: Property name \"{n}\" is unknown"))?;
        let _ = writeln!(o, "{n:<24} {v}");
    }
    Ok(o)
}

/// `drv_mgr set NAME VALUE [NAME VALUE]...`: one line per property.
pub fn drv_set(agent: &mut Agent, pairs: &[(String, String)]) -> Result<String, String> {
    let mut o = String::new();
    for (n, v) in pairs {
        match agent.drv_mut().set(n, v) {
            Ok(()) => {
                let _ = writeln!(o, "Value of \"{n}\" is set to {v}");
            }
            Err(e @ SetError::Unknown(_)) => return Err(format!("{o}{e}")),
            Err(e) => {
                let _ = writeln!(o, "{e}");
                return Err(o);
            }
        }
    }
    Ok(o)
}

/// `dp_mgr show [-ddp|-lop]`.
pub fn dp_show(agent: &Agent, ddp: bool, lop: bool) -> String {
    let (d, l) = agent.driver_policies();
    let mut o = String::new();
    let both = ddp == lop;
    if ddp || both {
        let _ = writeln!(o, "Default Driver Policy : {}", d.name());
    }
    if lop || both {
        let _ = writeln!(o, "Log-off-policy: {}", l.name());
    }
    o
}

/// `lsp_mgr show-info [-db]`.
pub fn lsp_show_info(agent: &Agent, db: bool) -> String {
    let mut o = String::new();
    let user = if db {
        agent.stored_text().is_some()
    } else {
        agent.state() == PolicyState::User
            || (agent.policy().is_some() && agent.state() == PolicyState::LogOff)
    };
    if !user {
        let (ddp, _) = agent.driver_policies();
        let ty = if !db && agent.state() == PolicyState::LogOff {
            "DHCP only"
        } else {
            "default driver policy"
        };
        let _ = writeln!(o, "Type: {ty}");
        let _ = writeln!(o, "Source: {}", ddp.name());
        return o;
    }
    let _ = writeln!(o, "Type: user-defined");
    match agent.policy_source(db) {
        Some(s) => {
            let _ = writeln!(o, "Source: {}", s.source);
            if !s.info.is_empty() {
                let _ = writeln!(o, "Source info: {}", s.info);
            }
        }
        None => {
            let _ = writeln!(o, "Source: 0");
        }
    }
    o
}

/// `lsp_mgr show [-db]`: the policy text, or `Default Driver Policy is loaded`.
pub fn lsp_show(agent: &Agent, db: bool) -> String {
    let text = if db {
        agent.stored_text()
    } else {
        agent.policy_text()
    };
    match text {
        Some(t) => {
            let checked = zubr_lsp::check(t, &zubr_lsp::Options::default());
            match &checked.doc {
                Some(doc) => match zubr_lsp::print(doc, zubr_lsp::PrintMode::Canonical) {
                    Ok(b) => String::from_utf8_lossy(&b).into_owned(),
                    Err(_) => String::from_utf8_lossy(t).into_owned(),
                },
                None => String::from_utf8_lossy(t).into_owned(),
            }
        }
        None => String::from("Default Driver Policy is loaded\n"),
    }
}

/// One interface as `if_show` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IfInfo {
    /// Physical name.
    pub name: String,
    /// UP / DOWN.
    pub up: bool,
    /// Index.
    pub index: u32,
    /// MTU.
    pub mtu: u32,
    /// MAC address (none for TUN/IKECFG).
    pub mac: Option<[u8; 6]>,
    /// (address, mask, broadcast).
    pub addrs: Vec<(
        core::net::Ipv4Addr,
        core::net::Ipv4Addr,
        core::net::Ipv4Addr,
    )>,
}

/// `if_show [-all]`: interfaces grouped by the policy's logical names (templates); with `all`,
/// logical names that bind no interface are listed too.
pub fn if_show(agent: &Agent, ifs: &[IfInfo], all: bool) -> String {
    let mut o = String::new();
    let templates: Vec<(String, String)> = match agent.policy() {
        Some(p) if agent.state() != PolicyState::Ddp => p
            .interfaces
            .iter()
            .map(|i| (i.logical_name.clone(), i.logical_name.clone()))
            .collect(),
        _ => alloc::vec![(String::from("default"), String::from("*"))],
    };
    for (logical, template) in templates {
        let bound: Vec<&IfInfo> = ifs
            .iter()
            .filter(|i| {
                agent.policy().is_none_or(|p| {
                    p.interface_for(&i.name)
                        .is_some_and(|b| b.logical_name == template)
                })
            })
            .collect();
        if bound.is_empty() && !all {
            continue;
        }
        let _ = writeln!(o, "Logical network interface \"{logical}\":");
        let _ = writeln!(o, "     Physical name template: \"{template}\"");
        for i in bound {
            let _ = writeln!(o, "Physical name: {}", i.name);
            let _ = writeln!(o, "State:         {}", if i.up { "UP" } else { "DOWN" });
            let _ = writeln!(o, "Index:         {}", i.index);
            let _ = writeln!(o, "MTU:           {}", i.mtu);
            if let Some(m) = i.mac {
                let _ = writeln!(
                    o,
                    "MAC addr:      {:02X}:{:02X}:{:02X}:{:02X}:{:02X}:{:02X}",
                    m[0], m[1], m[2], m[3], m[4], m[5]
                );
            }
            for (a, m, b) in &i.addrs {
                let _ = writeln!(o, "IP addr:       {a} mask {m} brd {b}");
            }
        }
    }
    o
}

/// `fwconn_show [-detail] [-i ID]...`.
pub fn fwconn_show(agent: &Agent, now: Instant, detail: bool, ids: &[u32]) -> String {
    let t = agent.filter().tracker();
    if ids.is_empty() {
        return t.fwconn_show(detail, now);
    }
    let mut o = String::new();
    for &id in ids {
        match t.find_by_id(id).and_then(|c| t.info(c, now)) {
            Some(_) => {
                // the tracker's own formatter, restricted to the record
                let all = t.fwconn_show(detail, now);
                let key = format!("0x{id:08x}");
                for block in split_blocks(&all, detail) {
                    if block.contains(&key) {
                        o.push_str(block);
                    }
                }
            }
            None => {
                let _ = writeln!(o, "Connection 0x{id:x} is not found");
            }
        }
    }
    o
}

fn split_blocks(s: &str, detail: bool) -> Vec<&str> {
    if !detail {
        return s
            .split_inclusive('\n')
            .filter(|l| l.starts_with("0x"))
            .collect();
    }
    let mut out = Vec::new();
    let mut start = None;
    for (i, _) in s.match_indices("Connection ID:") {
        if let Some(st) = start {
            out.push(&s[st..i]);
        }
        start = Some(i);
    }
    if let Some(st) = start {
        let end = s[st..].find("Number of").map_or(s.len(), |e| st + e);
        out.push(&s[st..end]);
    }
    out
}
