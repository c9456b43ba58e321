//! Property tests (lsp.md §8, §9.4).
//!
//! 1. Round trip: proptest draws a byte tape; a generator turns it into a random *valid* policy
//!    (every structure type, templates, constants, inline structures, labels and jumps) and
//!    renders it with random layout (shuffled order, comments, CRLF, tabs, hex numbers, `=` vs
//!    `*=`, a BOM). It must check clean; its print must check clean, describe the same document
//!    (`Doc::normalized`) and the same compiled policy, and print identically again.
//! 2. Mutation: valid files with random byte-level and token-level damage never panic, and every
//!    diagnostic points inside the file; a mutant that still checks clean must round-trip too.

use proptest::prelude::*;
use zubr_lsp::{Checked, Limits, Options, PrintMode, check, print, render};

// ---- a tape-driven generator ---------------------------------------------------------------

struct Tape<'t> {
    bytes: &'t [u8],
    pos: usize,
}

impl Tape<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.bytes.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }
    /// 0..n (0 once the tape is exhausted, so shrinking simplifies the policy).
    fn pick(&mut self, n: usize) -> usize {
        if n <= 1 {
            return 0;
        }
        let v = (usize::from(self.byte()) << 8) | usize::from(self.byte());
        v % n
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.pick(100) < percent
    }
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.pick((hi - lo + 1) as usize) as u32
    }
    fn choose<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.pick(xs.len())]
    }
}

#[derive(Clone, Debug)]
enum V {
    Raw(String),
    Int(u32),
    Str(String),
    Inline(Item),
    Tuple(Vec<V>),
}

#[derive(Clone, Debug)]
struct Item {
    ty: &'static str,
    name: Option<String>,
    /// `(name, values, is_list)`; a name without values is a template.
    attrs: Vec<(String, Vec<V>, bool)>,
}

impl Item {
    fn new(ty: &'static str, name: Option<String>) -> Self {
        Item {
            ty,
            name,
            attrs: Vec::new(),
        }
    }
    fn set(&mut self, a: &str, v: V) {
        self.attrs.push((a.into(), vec![v], false));
    }
    fn list(&mut self, a: &str, vs: Vec<V>) {
        self.attrs.push((a.into(), vs, true));
    }
    fn template(&mut self, t: &str) {
        self.attrs.push((t.into(), Vec::new(), false));
    }
}

fn raw(s: impl AsRef<str>) -> V {
    V::Raw(s.as_ref().into())
}

const IKE_CIPHERS: &[&str] = &[
    "DES-CBC",
    "DES3-K168-CBC",
    "AES-K128-CBC",
    "AES-K256-CBC",
    "G2814789CPRO1-K256-CBC-65534",
    "BELT-K256-CTR",
];
const IKE_HASHES: &[&str] = &[
    "MD5",
    "SHA1",
    "SHA2-256",
    "SHA2-512",
    "GR341194CPRO1-65534",
    "BELT-HASH",
];
const GROUPS: &[&str] = &[
    "MODP_768",
    "MODP_1024",
    "MODP_1536",
    "MODP_2048",
    "MODP_4096",
    "ECP_256",
    "ECP_384",
    "ECP_521",
    "BIGN_256",
];
const ESP_CIPHERS: &[&str] = &[
    "NULL",
    "AES-K128-CBC",
    "AES-K192-CBC",
    "DES3-K168-CBC",
    "G2814789CPRO1-K256-CBC-254",
    "AES-K256-GCM-16",
    "BELT-K256-DWP",
    "BELT-K256-CFB",
];
const AEAD: &[&str] = &["AES-K256-GCM-16", "BELT-K256-DWP"];
const INTEGRITY: &[&str] = &[
    "MD5-H96-HMAC",
    "SHA1-H96-HMAC",
    "SHA2-256-H128-HMAC",
    "GR341194CPRO1-H96-HMAC-65534",
    "G2814789CPRO1-K256-MAC-65535",
    "HMAC-HBELT",
];
const TEXT: &[&str] = &[
    "",
    "a",
    "Moon Gate LSP",
    "q\"uote",
    "back\\slash",
    "Шлюз",
    "C=BY,O=Bank,CN=*",
    "lone \\d",
];

struct Gen<'t> {
    t: Tape<'t>,
    items: Vec<Item>,
    consts: Vec<(String, Vec<V>)>,
}

impl Gen<'_> {
    fn ip(&mut self) -> String {
        format!(
            "{}.{}.{}.{}",
            self.t.range(1, 223),
            self.t.range(0, 255),
            self.t.range(0, 255),
            self.t.range(1, 254)
        )
    }
    fn ip_or_range(&mut self) -> V {
        let a = [
            self.t.range(1, 223),
            self.t.range(0, 255),
            self.t.range(0, 255),
        ];
        let lo = self.t.range(0, 200);
        if self.t.chance(50) {
            raw(format!("{}.{}.{}.{lo}", a[0], a[1], a[2]))
        } else {
            let hi = self.t.range(lo, 255);
            raw(format!(
                "{}.{}.{}.{lo}..{}.{}.{}.{hi}",
                a[0], a[1], a[2], a[0], a[1], a[2]
            ))
        }
    }
    fn int_range(&mut self, max: u32) -> V {
        let lo = self.t.range(0, max);
        if self.t.chance(70) {
            V::Int(lo)
        } else {
            let hi = self.t.range(lo, max);
            raw(format!("{lo}..{hi}"))
        }
    }
    fn some<T>(&mut self, lo: usize, hi: usize, mut f: impl FnMut(&mut Self) -> T) -> Vec<T> {
        let n = lo + self.t.pick(hi - lo + 1);
        (0..n).map(|_| f(self)).collect()
    }
    fn distinct(&mut self, xs: &[&str], lo: usize) -> Vec<V> {
        let mut out: Vec<&str> = Vec::new();
        let n = lo + self.t.pick(xs.len().min(3));
        for _ in 0..n {
            let x = *self.t.choose(xs);
            if !out.contains(&x) {
                out.push(x);
            }
        }
        if out.is_empty() {
            out.push(xs[0]);
        }
        out.into_iter().map(|x| V::Str(x.into())).collect()
    }

    fn selectors(&mut self, it: &mut Item) {
        if self.t.chance(40) {
            let v = self.some(1, 3, |g| g.ip_or_range());
            it.list("SourceIPAddress", v);
        }
        if self.t.chance(40) {
            let v = self.some(1, 3, |g| g.ip_or_range());
            it.list("DestinationIPAddress", v);
        }
        if self.t.chance(50) {
            let v = self.some(1, 3, |g| g.int_range(255));
            it.list("ProtocolID", v);
        }
        if self.t.chance(30) {
            let v = if !self.consts.is_empty() && self.t.chance(50) {
                vec![raw(self.consts[0].0.clone())]
            } else {
                self.some(1, 3, |g| g.int_range(65535))
            };
            it.list("DestinationPort", v);
        }
        if self.t.chance(20) {
            let v = self.some(1, 2, |g| g.int_range(65535));
            it.list("SourcePort", v);
        }
        if self.t.chance(15) {
            let v = self.some(1, 2, |g| g.int_range(255));
            it.list("ICMPType", v);
        }
        if self.t.chance(15) {
            let v = self.some(1, 2, |g| {
                raw(g.t.choose(&[
                    "LOCAL_UNICAST",
                    "LOCAL_BROADCAST",
                    "LOCAL_MISDIRECTED",
                    "TRANSIT",
                ]))
            });
            it.list("PacketType", v);
        }
        let schedules: Vec<String> = self.named("Schedule");
        if !schedules.is_empty() && self.t.chance(30) {
            let s = self.t.choose(&schedules).clone();
            it.set("Schedule", raw(&s));
        }
        if self.t.chance(30) {
            it.set("Log", raw(if self.t.chance(50) { "TRUE" } else { "FALSE" }));
        }
    }

    fn named(&self, ty: &str) -> Vec<String> {
        self.items
            .iter()
            .filter(|i| i.ty == ty)
            .filter_map(|i| i.name.clone())
            .collect()
    }

    fn push(&mut self, it: Item) {
        self.items.push(it);
    }

    fn esp_transform(&mut self, name: Option<String>) -> Item {
        let mut it = Item::new("ESPTransform", name);
        let c = *self.t.choose(ESP_CIPHERS);
        it.set("CipherAlg", V::Str(c.into()));
        if !AEAD.contains(&c) && (c == "NULL" || self.t.chance(70)) {
            let i = *self.t.choose(INTEGRITY);
            it.set("IntegrityAlg", V::Str(i.into()));
        }
        if self.t.chance(40) {
            it.set("LifetimeSeconds", V::Int(self.t.range(0, 100_000)));
        }
        it
    }

    fn generate(&mut self) {
        let t = &mut self.t;
        if t.chance(30) {
            let vals = [V::Int(80), V::Int(443)];
            self.consts.push(("web_ports".into(), vals.to_vec()));
        }
        if self.t.chance(70) {
            let mut g = Item::new("GlobalParameters", None);
            g.set("Title", V::Str((*self.t.choose(TEXT)).into()));
            match self.t.pick(3) {
                0 => g.set("Version", raw("LSP_4_2")),
                1 => g.set("Version", V::Str("LSP_4_3".into())),
                _ => {}
            }
            if self.t.chance(50) {
                g.set(
                    "CRLHandlingMode",
                    raw(self
                        .t
                        .choose(&["DISABLE", "ENABLE", "OPTIONAL", "BEST_EFFORT"])),
                );
            }
            if self.t.chance(50) {
                g.set("TCPStrictnessLevel", V::Int(self.t.range(0, 6)));
            }
            if self.t.chance(40) {
                let max = self.t.range(0, 1_000_000);
                g.set("TCPHalfOpenMax", V::Int(max));
                g.set("TCPHalfOpenLow", V::Int(self.t.range(0, max)));
            }
            if self.t.chance(30) {
                g.set("AllowNestedIPsec", raw("TRUE"));
            }
            self.push(g);
        }
        if self.t.chance(50) {
            let mut p = Item::new("IKEParameters", None);
            p.set("DefaultPort", V::Int(self.t.range(1, 65535)));
            let b = self.t.range(1, 3600);
            p.set("RetryTimeBase", V::Int(b));
            p.set("RetryTimeMax", V::Int(self.t.range(b, 3600)));
            if self.t.chance(50) {
                p.set("FragmentSize", V::Int(self.t.range(0, 65535)));
            }
            self.push(p);
        }
        if self.t.chance(30) {
            let mut l = Item::new("LDAPSettings", None);
            l.set("ResponseTimeout", V::Int(self.t.range(0, 1000)));
            self.push(l);
        }
        // identities and certificates
        let n = self.t.pick(3);
        for i in 0..n {
            let mut it = Item::new("IdentityEntry", Some(format!("id_{i}")));
            match self.t.pick(5) {
                0 => {
                    let v = self.some(1, 2, |g| g.ip_or_range());
                    it.list("IPv4Address", v);
                }
                1 => it.list("FQDN", vec![V::Str("vpn.example.org".into())]),
                2 => it.list("X509SubjectDN", vec![V::Str("C=BY,CN=*".into())]),
                3 => it.list("KeyID", vec![V::Str("0aF9".into())]),
                _ => {}
            }
            self.push(it);
        }
        let n = self.t.pick(3);
        for i in 0..n {
            let mut it = Item::new("CertDescription", Some(format!("cert_{i}")));
            it.list("Subject", vec![V::Str((*self.t.choose(TEXT)).into())]);
            if self.t.chance(40) {
                it.list("SerialNumber", vec![V::Str("01AB".into())]);
            }
            self.push(it);
        }
        // authentication
        let ids = self.named("IdentityEntry");
        let certs = self.named("CertDescription");
        let n = 1 + self.t.pick(2);
        for i in 0..n {
            let sign = !certs.is_empty() && self.t.chance(40);
            let ty = if sign {
                *self.t.choose(&[
                    "AuthMethodDSSign",
                    "AuthMethodGOSTSign",
                    "AuthMethodRSASign",
                ])
            } else {
                "AuthMethodPreshared"
            };
            let mut it = Item::new(ty, Some(format!("auth_{i}")));
            if sign {
                it.set("LocalCredential", raw(self.t.choose(&certs)));
                if self.t.chance(40) {
                    it.list(
                        "RemoteCredential",
                        vec![V::Inline({
                            let mut c = Item::new("CertDescription", None);
                            c.list("Issuer", vec![V::Str("CN=Root".into())]);
                            c
                        })],
                    );
                }
                if self.t.chance(40) {
                    it.set(
                        "SendCertMode",
                        raw(self.t.choose(&["ALWAYS", "NEVER", "AUTO"])),
                    );
                }
            } else {
                it.set("SharedIKESecret", V::Str((*self.t.choose(TEXT)).into()));
            }
            if !ids.is_empty() && self.t.chance(50) {
                it.set("LocalID", raw(self.t.choose(&ids)));
            }
            if !ids.is_empty() && self.t.chance(30) {
                it.set("RemoteID", raw(self.t.choose(&ids)));
            }
            self.push(it);
        }
        // IKE
        let n = 1 + self.t.pick(2);
        for i in 0..n {
            let mut it = Item::new("IKETransform", Some(format!("ike_t{i}")));
            let c = self.distinct(IKE_CIPHERS, 1);
            it.list("CipherAlg", c);
            let h = self.distinct(IKE_HASHES, 1);
            it.list("HashAlg", h);
            let g: Vec<V> = self
                .distinct(GROUPS, 1)
                .into_iter()
                .map(|v| match v {
                    V::Str(s) => V::Raw(s),
                    o => o,
                })
                .collect();
            it.list("GroupID", g);
            if self.t.chance(40) {
                it.set("LifetimeSeconds", V::Int(self.t.range(60, 1_000_000)));
            }
            self.push(it);
        }
        if self.t.chance(30) {
            let mut it = Item::new("IKECFGAddressPool", Some("pool".into()));
            it.list("Addresses", vec![raw("10.99.0.10..10.99.0.200")]);
            it.set("SubnetMask", raw("255.255.255.0"));
            it.list("DNSServers", vec![raw("10.99.0.53")]);
            self.push(it);
        }
        let auths: Vec<String> = self
            .items
            .iter()
            .filter(|i| i.ty.starts_with("AuthMethod"))
            .filter_map(|i| i.name.clone())
            .collect();
        let ike_ts = self.named("IKETransform");
        let pools = self.named("IKECFGAddressPool");
        let n = 1 + self.t.pick(2);
        for i in 0..n {
            let mut it = Item::new("IKERule", Some(format!("ike_rule_{i}")));
            if self.t.chance(50) {
                let v = self.some(1, 2, |g| {
                    if g.t.chance(30) {
                        V::Str("gw.example.org".into())
                    } else {
                        g.ip_or_range()
                    }
                });
                it.list("PeerAddress", v);
            }
            let mode = if self.t.chance(70) {
                "MainModeAuthMethod"
            } else {
                "AggrModeAuthMethod"
            };
            it.list(mode, vec![raw(self.t.choose(&auths))]);
            let mut tr = vec![raw(self.t.choose(&ike_ts))];
            if self.t.chance(20) {
                let mut inline = Item::new("IKETransform", None);
                inline.list("CipherAlg", vec![V::Str("AES-K128-CBC".into())]);
                inline.list("HashAlg", vec![V::Str("SHA1".into())]);
                inline.list("GroupID", vec![raw("MODP_2048")]);
                tr.push(V::Inline(inline));
            }
            it.list("Transform", tr);
            if !pools.is_empty() && self.t.chance(50) {
                it.set("IKECFGAddressPool", raw(&pools[0]));
            } else if self.t.chance(30) {
                it.set("IKECFGRequestAddress", raw("TRUE"));
            }
            if self.t.chance(30) {
                it.set(
                    "NATTraversal",
                    raw(self.t.choose(&["ENABLE", "DISABLE", "FORCE"])),
                );
            }
            if self.t.chance(30) {
                it.set("DPDInterval", V::Int(self.t.range(0, 600)));
            }
            if self.t.chance(20) {
                it.set("XAUTHMode", raw("CLIENT"));
                it.set("XAUTHUser", V::Str("user".into()));
            }
            self.push(it);
        }
        // IPsec
        let n = 1 + self.t.pick(2);
        for i in 0..n {
            let it = self.esp_transform(Some(format!("esp_t{i}")));
            self.push(it);
        }
        let n = self.t.pick(2);
        for i in 0..n {
            let mut it = Item::new("AHTransform", Some(format!("ah_t{i}")));
            it.set("IntegrityAlg", V::Str((*self.t.choose(INTEGRITY)).into()));
            self.push(it);
        }
        let esp_ts = self.named("ESPTransform");
        let ah_ts = self.named("AHTransform");
        let n = 1 + self.t.pick(2);
        for i in 0..n {
            let mut it = Item::new("ESPProposal", Some(format!("esp_p{i}")));
            let mut v = vec![raw(self.t.choose(&esp_ts))];
            if self.t.chance(30) {
                v.push(V::Inline(self.esp_transform(None)));
            }
            it.list("Transform", v);
            self.push(it);
        }
        for (i, a) in ah_ts.iter().enumerate() {
            let mut it = Item::new("AHProposal", Some(format!("ah_p{i}")));
            it.list("Transform", vec![raw(a)]);
            self.push(it);
        }
        // schedules
        let n = self.t.pick(3);
        for i in 0..n {
            let mut it = Item::new("Schedule", Some(format!("sched_{i}")));
            if self.t.chance(60) {
                let mut days: Vec<&str> = Vec::new();
                for d in ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"] {
                    if self.t.chance(50) {
                        days.push(d);
                    }
                }
                if days.is_empty() {
                    days.push("WED");
                }
                it.list("DaysOfWeek", days.into_iter().map(raw).collect());
            }
            if self.t.chance(60) {
                let v = self.some(1, 2, |g| {
                    let a = g.t.range(0, 23);
                    let mut b = g.t.range(0, 23);
                    if a == b {
                        b = (a + 1) % 24;
                    }
                    let s = g.t.range(0, 59);
                    raw(format!("{a:02}:{s:02}..{b:02}:00"))
                });
                it.list("TimeOfDay", v);
            }
            if self.t.chance(40) {
                it.set("ValidFrom", raw("2025.01.01"));
                it.set("ValidTo", raw(self.t.choose(&["2025.01.01", "2026.12.31"])));
            }
            self.push(it);
        }
        // filters: an optional template, named filters, firewall chains
        if self.t.chance(30) {
            let mut it = Item::new("Filter", Some("tmpl_web".into()));
            it.list("ProtocolID", vec![V::Int(6)]);
            it.list("DestinationPort", vec![V::Int(80), V::Int(443)]);
            it.set("Action", raw("DROP"));
            self.push(it);
        }
        let n = self.t.pick(3);
        for i in 0..n {
            let mut it = Item::new("Filter", Some(format!("flt_{i}")));
            self.selectors(&mut it);
            it.set(
                "Action",
                raw(if self.t.chance(50) { "PASS" } else { "DROP" }),
            );
            self.push(it);
        }
        let named_filters = self.named("Filter");
        let n = self.t.pick(3);
        for i in 0..n {
            let mut it = Item::new("FilterChain", Some(format!("fw_{i}")));
            let k = self.t.pick(6);
            let mut elems: Vec<V> = Vec::new();
            let mut labels: Vec<(usize, String)> = Vec::new();
            let mut inline: Vec<Option<(Item, bool)>> = Vec::new();
            for j in 0..k {
                if !named_filters.is_empty() && self.t.chance(25) {
                    elems.push(raw(self.t.choose(&named_filters)));
                    inline.push(None);
                    continue;
                }
                let mut f = Item::new("Filter", None);
                let templated = named_filters.iter().any(|n| n == "tmpl_web") && self.t.chance(20);
                if templated {
                    // the template brings an Action: such a rule never jumps
                    f.template("tmpl_web");
                }
                self.selectors(&mut f);
                if self.t.chance(25) {
                    let l = format!("lbl_{j}");
                    f.set("Label", raw(&l));
                    labels.push((j, l));
                }
                inline.push(Some((f, templated)));
                elems.push(V::Raw(String::new()));
            }
            for (j, slot) in inline.into_iter().enumerate() {
                let Some((mut f, templated)) = slot else {
                    continue;
                };
                let later: Vec<&String> = labels
                    .iter()
                    .filter(|(x, _)| *x > j)
                    .map(|(_, l)| l)
                    .collect();
                if !later.is_empty() && !templated && self.t.chance(40) {
                    f.set("JumpTo", raw(self.t.choose(&later)));
                } else {
                    let pass = self.t.chance(50);
                    f.set("Action", raw(if pass { "PASS" } else { "DROP" }));
                    if pass && self.t.chance(30) {
                        f.set("TCPStateful", raw("TRUE"));
                        if self.t.chance(30) {
                            f.set("FTPInspection", raw("TRUE"));
                        }
                    }
                }
                elems[j] = V::Inline(f);
            }
            if !elems.is_empty() {
                it.list("Filters", elems);
            }
            if self.t.chance(50) {
                it.set(
                    "DefaultAction",
                    raw(if self.t.chance(50) { "PASS" } else { "DROP" }),
                );
            }
            self.push(it);
        }
        let fw_chains = self.named("FilterChain");
        let rules = self.named("IKERule");
        let esp_ps = self.named("ESPProposal");
        let ah_ps = self.named("AHProposal");
        let n = 1 + self.t.pick(2);
        for i in 0..n {
            let mut it = Item::new("IPsecAction", Some(format!("act_{i}")));
            let mut props: Vec<V> = vec![raw(&esp_ps[0])];
            if !ah_ps.is_empty() && self.t.chance(50) {
                props.push(V::Tuple(vec![raw(self.t.choose(&ah_ps))]));
            }
            if !ah_ps.is_empty() && esp_ps.len() > 1 && self.t.chance(50) {
                props.push(V::Tuple(vec![raw(&ah_ps[0]), raw(&esp_ps[1])]));
            }
            it.list("ContainedProposals", props);
            let drop = self.t.chance(30);
            if self.t.chance(60) {
                let v = self.some(1, 2, |g| {
                    let mut te = Item::new("TunnelEntry", None);
                    if !drop || g.t.chance(50) {
                        let p = if g.t.chance(20) {
                            V::Str("gw.example.org".into())
                        } else {
                            raw(g.ip())
                        };
                        te.set("PeerAddress", p);
                    }
                    if g.t.chance(50) {
                        te.set("DFHandling", raw(g.t.choose(&["COPY", "CLEAR", "SET"])));
                    }
                    V::Inline(te)
                });
                it.list("TunnelingParameters", v);
            }
            if drop {
                it.set("FallbackAction", raw("DROP"));
            }
            if !fw_chains.is_empty() && self.t.chance(40) {
                it.set("InputFilter", raw(self.t.choose(&fw_chains)));
            }
            if self.t.chance(40) {
                it.set("IKERule", raw(self.t.choose(&rules)));
            }
            if self.t.chance(40) {
                it.set(
                    "PFSGroup",
                    raw(self.t.choose(&["NONE", "MODP_1536", "ECP_256"])),
                );
            }
            if self.t.chance(20) {
                it.set("PacketQueueSize", V::Int(self.t.range(0, 1024)));
            }
            self.push(it);
        }
        let acts = self.named("IPsecAction");
        let n = self.t.pick(4);
        for i in 0..n {
            let mut it = Item::new("FilteringRule", Some(format!("rule_{i}")));
            self.selectors(&mut it);
            match self.t.pick(4) {
                0 => it.set("Action", raw("PASS")),
                1 => it.set("Action", raw("DROP")),
                2 => {
                    it.set("Action", raw("PROTECT"));
                    it.set("IPsecAction", raw(self.t.choose(&acts)));
                }
                _ => it.set("IPsecAction", raw(self.t.choose(&acts))),
            }
            self.push(it);
        }
        let frules = self.named("FilteringRule");
        let n = if frules.is_empty() { 0 } else { self.t.pick(3) };
        for i in 0..n {
            let mut it = Item::new("FilterChain", Some(format!("ipsec_{i}")));
            let v = self.some(1, 3, |g| raw(g.t.choose(&frules)));
            it.list("Filters", v);
            self.push(it);
        }
        let ipsec_chains: Vec<String> = self
            .named("FilterChain")
            .into_iter()
            .filter(|n| n.starts_with("ipsec_"))
            .collect();
        let n = self.t.pick(3);
        for _ in 0..n {
            let mut it = Item::new("NetworkInterface", None);
            if self.t.chance(70) {
                it.set(
                    "LogicalName",
                    V::Str((*self.t.choose(&["*", "eth*", "eth0", "wlan?"])).into()),
                );
            }
            if self.t.chance(40) {
                it.set("Priority", V::Int(self.t.range(0, 100)));
            }
            if !fw_chains.is_empty() && self.t.chance(50) {
                it.set("InputFilter", raw(self.t.choose(&fw_chains)));
            }
            if !fw_chains.is_empty() && self.t.chance(50) {
                it.set("OutputFilter", raw(self.t.choose(&fw_chains)));
            }
            if !ipsec_chains.is_empty() && self.t.chance(60) {
                it.set("IPsecPolicy", raw(self.t.choose(&ipsec_chains)));
            }
            self.push(it);
        }
    }
}

// ---- rendering with random layout ----------------------------------------------------------

struct Render<'t, 'u> {
    t: &'u mut Tape<'t>,
    out: String,
}

impl Render<'_, '_> {
    fn ws(&mut self) {
        let w = *self.t.choose(&[
            " ",
            " ",
            " ",
            "\n",
            "\t",
            "\r\n",
            "  \n ",
            " /* c */ ",
            " # c\n",
        ]);
        self.out.push_str(w);
    }
    fn int(&mut self, n: u32) {
        if self.t.chance(20) {
            self.out.push_str(&format!("0{n:X}h"));
        } else {
            self.out.push_str(&n.to_string());
        }
    }
    fn string(&mut self, s: &str) {
        self.out.push('"');
        for c in s.chars() {
            if c == '"' || (c == '\\' && self.t.chance(50)) {
                self.out.push('\\');
            }
            self.out.push(c);
        }
        self.out.push('"');
    }
    fn value(&mut self, v: &V) {
        match v {
            V::Raw(s) => self.out.push_str(s),
            V::Int(n) => self.int(*n),
            V::Str(s) => self.string(s),
            V::Inline(i) => self.item(i),
            V::Tuple(vs) => {
                self.out.push('(');
                self.values(vs);
                self.out.push(')');
            }
        }
    }
    fn values(&mut self, vs: &[V]) {
        for (i, v) in vs.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
                self.ws();
            }
            self.value(v);
        }
    }
    fn item(&mut self, it: &Item) {
        self.out.push_str(it.ty);
        if let Some(n) = &it.name {
            self.out.push(' ');
            self.out.push_str(n);
        }
        self.ws();
        self.out.push('(');
        for (a, vs, list) in &it.attrs {
            self.ws();
            self.out.push_str(a);
            if vs.is_empty() {
                continue; // template
            }
            self.ws();
            let op = if *list && self.t.chance(80) {
                if self.t.chance(10) { "* =" } else { "*=" }
            } else {
                "="
            };
            self.out.push_str(op);
            self.ws();
            self.values(vs);
        }
        self.ws();
        self.out.push(')');
    }
}

fn generate(tape: &[u8]) -> (String, usize) {
    let mut g = Gen {
        t: Tape {
            bytes: tape,
            pos: 0,
        },
        items: Vec::new(),
        consts: Vec::new(),
    };
    g.generate();
    let Gen {
        mut t,
        mut items,
        consts,
    } = g;
    let count = items.len();
    // shuffle the top-level order (forward references are allowed)
    for i in (1..items.len()).rev() {
        let j = t.pick(i + 1);
        items.swap(i, j);
    }
    let mut r = Render {
        t: &mut t,
        out: String::new(),
    };
    if r.t.chance(20) {
        r.out.push('\u{feff}');
    }
    for (name, vals) in &consts {
        r.out.push_str("const ");
        r.out.push_str(name);
        r.out.push_str(" = ");
        r.values(vals);
        r.out.push('\n');
    }
    for it in &items {
        r.item(it);
        r.ws();
        r.out.push('\n');
    }
    (r.out, count)
}

fn show(src: &[u8], c: &Checked) -> String {
    format!(
        "{}\n--- source ---\n{}",
        render(&c.diagnostics, "gen.lsp", src),
        String::from_utf8_lossy(src)
    )
}

fn round_trip(src: &[u8]) {
    let opts = Options::default();
    let a = check(src, &opts);
    assert!(!a.has_errors(), "{}", show(src, &a));
    let da = a.doc.as_ref().unwrap();
    let pa = print(da, PrintMode::Canonical).unwrap();
    let b = check(&pa, &opts);
    assert!(!b.has_errors(), "print does not check:\n{}", show(&pa, &b));
    let db = b.doc.as_ref().unwrap();
    assert_eq!(
        da.normalized(),
        db.normalized(),
        "{}",
        String::from_utf8_lossy(&pa)
    );
    assert_eq!(
        print(db, PrintMode::Canonical).unwrap(),
        pa,
        "print is not idempotent"
    );
    assert_eq!(a.compile().unwrap(), b.compile().unwrap());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn random_valid_policies_round_trip(tape in prop::collection::vec(any::<u8>(), 0..1200)) {
        let (src, count) = generate(&tape);
        let c = check(src.as_bytes(), &Options::default());
        prop_assert!(!c.has_errors(), "{}", show(src.as_bytes(), &c));
        prop_assert_eq!(c.doc.as_ref().unwrap().top.len(), count);
        round_trip(src.as_bytes());
    }
}

// ---- mutation ------------------------------------------------------------------------------

fn corpus() -> Vec<Vec<u8>> {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in [
        root.join("../../shared/spec/lsp-examples"),
        root.join("tests/golden"),
    ] {
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("dir")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().and_then(|x| x.to_str()) == Some("lsp"))
            .collect();
        files.sort();
        for f in files {
            out.push(std::fs::read(f).expect("read"));
        }
    }
    out
}

const SNIPPETS: &[&[u8]] = &[
    b"(",
    b")",
    b"=",
    b"*=",
    b"*",
    b",",
    b"..",
    b".",
    b"\"",
    b"#",
    b"/*",
    b"*/",
    b"\n",
    b"\r\n",
    b" ",
    b"NULL",
    b"const",
    b"0x1F",
    b"1F4",
    b"999999999999",
    b"300.1.1.1",
    b"2025.02.30",
    b"25:61",
    b"x",
    b"Filter",
    b"Filter(",
    b"IKERule r(",
    b"\xff",
    b"\xd0",
    b"'",
    b";",
    b"-1",
    b"TRUE",
    b"PASS",
    b"Action = ",
    b"JumpTo = ",
    b"(ah, esp)",
    b"Filters *= ",
];

fn mutate(src: &[u8], tape: &[u8]) -> Vec<u8> {
    let mut t = Tape {
        bytes: tape,
        pos: 0,
    };
    let mut s = src.to_vec();
    let n = 1 + t.pick(5);
    for _ in 0..n {
        let len = s.len();
        let at = t.pick(len + 1);
        match t.pick(6) {
            0 => {
                let k = t.pick(20).min(len - at.min(len));
                s.drain(at..at + k);
            }
            1 => {
                let snip = *t.choose(SNIPPETS);
                s.splice(at..at, snip.iter().copied());
            }
            2 if len > 0 => {
                let i = at.min(len - 1);
                s[i] = t.byte();
            }
            3 => {
                let k = t.pick(40).min(len - at.min(len));
                let dup: Vec<u8> = s[at..at + k].to_vec();
                let to = t.pick(s.len() + 1);
                s.splice(to..to, dup);
            }
            4 => s.truncate(at),
            _ => {
                // swap two tokens-ish chunks
                let b = t.pick(len + 1);
                let (lo, hi) = (at.min(b), at.max(b));
                if hi < len {
                    s.swap(lo, hi);
                }
            }
        }
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, .. ProptestConfig::default() })]

    #[test]
    fn mutated_files_never_panic_and_point_inside(
        which in 0usize..64,
        tape in prop::collection::vec(any::<u8>(), 2..64),
    ) {
        let files = corpus();
        let src = mutate(&files[which % files.len()], &tape);
        let small = Options {
            limits: Limits { max_errors: 20, ..Limits::default() },
            ..Options::default()
        };
        let c = check(&src, &small);
        for d in &c.diagnostics {
            prop_assert!(d.span.start <= d.span.end, "{:?}", d);
            prop_assert!(d.span.end as usize <= src.len(), "{:?} beyond {}", d, src.len());
        }
        let _ = render(&c.diagnostics, "m.lsp", &src);
        if c.has_errors() {
            prop_assert!(c.doc.is_none());
            prop_assert!(c.errors().next().is_some());
        } else {
            // still valid: it must print, compile and round-trip like any valid file
            round_trip(&src);
        }
    }
}
