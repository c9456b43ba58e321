//! Every drop reason of product.md §9 that the agent owns, provoked through the public Agent API
//! (policy text compiled by zubr-lsp, packets built by etherparse, ESP built by an independent
//! SA with the same keys), each checked by its exact product text (`Display`). The last test is
//! the coverage table: every [`DropReason`] variant is either provoked here, provoked by the
//! named test of another crate, or marked as never produced by Zubr, with the reason why.

mod common;

use std::time::Duration;

use common::*;
use zubr_agent::*;
use zubr_base::sa::{Mode, Tunnel};
use zubr_base::{DropReason, Instant, SaParams};
use zubr_crypto_stb::SOFTWARE;
use zubr_esp::{EspConfig, EspInbound, EspOutbound};
use zubr_ike::config::Selector;

const HEAD: &str = r#"GlobalParameters (
 Title = "drop reasons"
 Version = LSP_4_0
 CRLHandlingMode = DISABLE
)
IdentityEntry me(
)
IdentityEntry gw_identity(
 IPv4Address *= 203.0.113.1
)
AuthMethodPreshared am(
 SharedIKESecret = "gw1_psk"
 LocalID = me
 RemoteID = gw_identity
)
IKETransform t(
 CipherAlg *= "G2814789CPRO1-K256-CBC-65534"
 HashAlg *= "GR341194CPRO1-65534"
 GroupID *= MODP_1536
)
IKERule ir(
 PeerAddress *= 203.0.113.1
 DoAutopass = TRUE
 MainModeAuthMethod *= am
 Transform *= t
 IKECFGRequestAddress = TRUE
)
ESPTransform et(
 CipherAlg = "G2814789CPRO1-K256-CBC-254"
 IntegrityAlg = "GR341194CPRO1-H96-HMAC-65534"
)
ESPProposal ep(
 Transform *= et
)
IPsecAction act(
 ContainedProposals *= ep
 TunnelingParameters *= TunnelEntry(
  PeerAddress = 203.0.113.1
  DFHandling = COPY
 )
 IKERule = ir
)
"#;

/// The policy of most tests: rule 0 protects 10.10/16, rule 1 protects nine hosts 10.30.0.1..9
/// (nine IKE rules, so nine distinct SA requests), rule 2 protects 10.40/16 with FallbackAction
/// DROP, rule 3 protects 10.60/16 with PacketQueueSize 0, rule 4 passes 10.20/16 in clear,
/// rule 5 passes DHCP; the firewall drops everything from 198.51.100.66.
fn policy() -> String {
    let hosts: Vec<String> = (1..=9).map(|i| format!("10.30.0.{i}")).collect();
    format!(
        r#"{HEAD}
IPsecAction act_drop(
 ContainedProposals *= ep
 TunnelingParameters *= TunnelEntry(
  PeerAddress = 203.0.113.1
 )
 IKERule = ir
 FallbackAction = DROP
)
IPsecAction act_q0(
 ContainedProposals *= ep
 TunnelingParameters *= TunnelEntry(
  PeerAddress = 203.0.113.1
 )
 IKERule = ir
 PacketQueueSize = 0
)
FilteringRule prot(
 DestinationIPAddress *= 10.10.0.0..10.10.255.255
 Action = PROTECT
 IPsecAction = act
)
FilteringRule many(
 DestinationIPAddress *= {}
 Action = PROTECT
 IPsecAction = act
)
FilteringRule fb(
 DestinationIPAddress *= 10.40.0.0..10.40.255.255
 Action = PROTECT
 IPsecAction = act_drop
)
FilteringRule q0(
 DestinationIPAddress *= 10.60.0.0..10.60.255.255
 Action = PROTECT
 IPsecAction = act_q0
)
FilteringRule clear(
 DestinationIPAddress *= 10.20.0.0..10.20.255.255
 Action = PASS
)
FilteringRule dhcp(
 ProtocolID *= 17
 SourcePort *= 68
 DestinationPort *= 67
 Action = PASS
)
FilterChain pol(
 Filters *= prot, many, fb, q0, clear, dhcp
 DefaultAction = DROP
)
FilterChain fw_in(
 Filters *= Filter(
  SourceIPAddress *= 198.51.100.66
  Action = DROP
 )
 DefaultAction = PASS
)
NetworkInterface (
 LogicalName = "*"
 InputFilter = fw_in
 IPsecPolicy = pol
)
"#,
        hosts.join(", ")
    )
}

struct Client {
    a: Agent,
    eth: PhyId,
    /// Filter numbers of the rules prot, many, fb, q0, clear.
    prot: u32,
    many: u32,
    fb: u32,
    q0: u32,
    clear: u32,
}

fn client_with(text: &str) -> Client {
    let mut a = agent(9, false);
    // two addresses: tunnels end at the first, the second is ours too
    let eth = a.add_interface(
        "eth0",
        &[ip("192.0.2.50"), ip("192.0.2.60")],
        &[ip("192.0.2.255")],
        1500,
    );
    load(&mut a, text.as_bytes(), "drops.lsp");
    let m = a.mapped().unwrap();
    let f = |n: &str| m.rules.iter().find(|r| r.name == n).unwrap().filter;
    let (prot, many, fb, q0) = (f("prot"), f("many"), f("fb"), f("q0"));
    // rules are numbered in chain order: clear is the fifth rule of the chain
    let clear = prot + 4;
    assert_eq!((many, fb, q0), (prot + 1, prot + 2, prot + 3));
    Client {
        a,
        eth,
        prot,
        many,
        fb,
        q0,
        clear,
    }
}

fn client() -> Client {
    client_with(&policy())
}

const KEY: [u8; 32] = [0x42; 32];
const MAC: [u8; 32] = [0x17; 32];

fn esp_cfg(spi: u32, src: &str, dst: &str) -> EspConfig<'static> {
    EspConfig::new(
        SaParams::new(
            spi,
            Mode::Tunnel,
            Some(Tunnel {
                src: ip(src),
                dst: ip(dst),
            }),
        ),
        SOFTWARE
            .esp_cipher_by_name("G2814789CPRO1-K256-CBC-254")
            .unwrap(),
        &KEY,
        SOFTWARE.integrity_by_name("GR341194CPRO1-H96-HMAC-65534"),
        &MAC,
    )
}

/// ESP (SPI `spi`, sequence `seq`) from 203.0.113.1 to `dst`, built by an independent SA.
fn esp_to(spi: u32, dst: &str, inner: &[u8], seq: u64) -> Vec<u8> {
    let mut cfg = esp_cfg(spi, "203.0.113.1", dst);
    cfg.params.initial_seq = seq;
    let mut rng = SOFTWARE.drbg.instantiate(&[3; 32]).unwrap();
    let mut sa = EspOutbound::new(&cfg, &mut *rng, Instant::ZERO).unwrap();
    let mut storage = vec![0u8; inner.len() + 512];
    let mut buf = zubr_base::PacketBuf::copy_from(&mut storage, 256, inner).unwrap();
    sa.encapsulate(Instant::ZERO, &mut buf).unwrap();
    buf.bytes().to_vec()
}

fn esp(inner: &[u8], seq: u64) -> Vec<u8> {
    esp_to(0x1001, "192.0.2.50", inner, seq)
}

/// A manual ESP bundle for rule `filter` (in SPI 0x1001, out SPI 0x2002), selectors `local`
/// and `remote`.
/// The bundle goes to rule prot.
fn install(c: &mut Client, local: Selector, remote: Selector) {
    let filter = c.prot;
    let now = Instant::ZERO;
    let inbound = EspInbound::new(&esp_cfg(0x1001, "203.0.113.1", "192.0.2.50"), now).unwrap();
    let mut rng = SOFTWARE.drbg.instantiate(&[4; 32]).unwrap();
    let outbound = EspOutbound::new(
        &esp_cfg(0x2002, "192.0.2.50", "203.0.113.1"),
        &mut *rng,
        now,
    )
    .unwrap();
    c.a.install_manual(
        filter,
        local,
        remote,
        ip("192.0.2.50"),
        ip("203.0.113.1"),
        vec![Box::new(inbound)],
        vec![Box::new(outbound)],
    )
    .unwrap();
}

fn any() -> Selector {
    Selector::subnet(ip("0.0.0.0"), 0)
}

/// Sets DF in an IPv4 header and fixes its checksum.
fn with_df(p: Vec<u8>) -> Vec<u8> {
    df(p, true)
}

/// Clears DF (etherparse sets it) and fixes the checksum.
fn without_df(p: Vec<u8>) -> Vec<u8> {
    df(p, false)
}

fn df(mut p: Vec<u8>, on: bool) -> Vec<u8> {
    if on {
        p[6] |= 0x40;
    } else {
        p[6] &= !0x40;
    }
    p[10] = 0;
    p[11] = 0;
    let hl = usize::from(p[0] & 0x0f) * 4;
    let mut sum = 0u32;
    for w in p[..hl].chunks(2) {
        sum += u32::from(u16::from_be_bytes([w[0], w[1]]));
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    let c = !(sum as u16);
    p[10..12].copy_from_slice(&c.to_be_bytes());
    p
}

fn dropped_out(r: OutResult) -> DropReason {
    match r {
        OutResult::Drop(d) => d,
        other => panic!("expected a drop, got {other:?}"),
    }
}

fn dropped_in(r: InResult) -> DropReason {
    match r {
        InResult::Drop(d) => d,
        other => panic!("expected a drop, got {other:?}"),
    }
}

/// The reason's product text is `want`; returns the reason.
#[track_caller]
fn is(r: DropReason, want: &str) -> DropReason {
    assert_eq!(r.to_string(), want, "{r:?}");
    r
}

fn t(s: u64) -> Instant {
    Instant::from_secs(s)
}

#[test]
fn ikecfg_virtual_interface_checks() {
    let mut c = client();
    let cfg =
        c.a.apply_ikecfg(
            "ikecfg0",
            IkecfgAssignment {
                isakmp: 0,
                address: ip("10.10.200.10"),
                netmask: None,
                dns: vec![],
                wins: vec![],
                split: vec![],
            },
        )
        .unwrap();
    // another source address on the IKECFG interface
    let p = udp("10.10.200.99", 5000, "10.10.1.5", 5000);
    is(
        dropped_out(out(&mut c.a, t(2), cfg, &p).0),
        "IP source address is not an address of IKEcfg virtual interface",
    );
    // the assigned address, but the policy passes it in clear (DHCP rule): it would leave the
    // IKECFG interface without tunnel-mode IPsec
    let p = udp("10.10.200.10", 68, "10.20.0.1", 67);
    is(
        dropped_out(out(&mut c.a, t(2), cfg, &p).0),
        "IP destination have not been changed for a packet which had come from IKEcfg virtual interface",
    );
    // and through the tunnel it is queued for an SA
    let p = udp("10.10.200.10", 5000, "10.10.1.5", 5000);
    assert_eq!(out(&mut c.a, t(2), cfg, &p).0, OutResult::Queued);
    let lines = events(&mut c.a);
    assert!(
        lines.iter().any(|l| l
            .starts_with("dropped out packet 10.10.200.99:5000->10.10.1.5:5000, proto 17")
            && l.ends_with(
                "if ikecfg0: IP source address is not an address of IKEcfg virtual interface"
            )),
        "{lines:#?}"
    );
}

#[test]
fn policy_and_firewall_drops() {
    let mut c = client();
    let eth = c.eth;
    // the IPsec policy's default action
    let p = tcp("192.0.2.50", 40000, "8.8.8.8", 443, SYN, 1, 0, b"");
    is(dropped_out(out(&mut c.a, t(2), eth, &p).0), "IPsec policy");
    // the firewall (InputFilter of the interface)
    let p = udp("198.51.100.66", 53, "192.0.2.50", 5353);
    is(dropped_in(inb(&mut c.a, t(2), eth, &p).0), "firewall");
    // clear packet from a protected network
    let p = udp("10.10.1.5", 5000, "192.0.2.50", 5000);
    is(
        dropped_in(inb(&mut c.a, t(2), eth, &p).0),
        &format!("filter {}: packet must be protected with IPsec", c.prot),
    );
    // clear transit traffic on a host that is not a security gateway
    let p = udp("10.20.0.5", 5000, "192.0.2.77", 5000);
    is(
        dropped_in(inb(&mut c.a, t(2), eth, &p).0),
        "packet is not local (not a security gateway)",
    );
    // … while a packet for this host passes
    let p = udp("10.20.0.5", 5000, "192.0.2.50", 5000);
    assert!(matches!(
        inb(&mut c.a, t(2), eth, &p).0,
        InResult::Deliver { .. }
    ));
    // FallbackAction = DROP and no bundle
    let p = udp("192.0.2.50", 5000, "10.40.0.1", 5000);
    is(
        dropped_out(out(&mut c.a, t(2), eth, &p).0),
        &format!("filter {}: SA bundle not found", c.fb),
    );
    // malformed IP and transport headers
    let mut bad = udp("192.0.2.1", 5000, "192.0.2.50", 5000);
    bad[0] = 0x35;
    is(
        dropped_in(inb(&mut c.a, t(2), eth, &bad).0),
        "corrupted IP header",
    );
    let mut short = tcp("192.0.2.1", 5000, "192.0.2.50", 5000, SYN, 1, 0, b"");
    short.truncate(30);
    short[2..4].copy_from_slice(&30u16.to_be_bytes());
    let short = with_df(short); // recomputes the checksum (DF is harmless here)
    is(
        dropped_in(inb(&mut c.a, t(2), eth, &short).0),
        "corrupted protocol headers",
    );
    // a datagram for a UDP socket when the agent has no interface at all
    let mut bare = agent(3, false);
    let r = bare.handle_datagram(
        t(2),
        "192.0.2.50:500".parse().unwrap(),
        "203.0.113.1:500".parse().unwrap(),
        b"ike",
    );
    is(dropped_in(r), "unknown physical network interface");
}

#[test]
fn driver_default_and_logoff_policies() {
    // no policy loaded, DDP dropall
    let mut a = Agent::new(
        SOFTWARE,
        AgentSettings {
            ddp: Ddp::DropAll,
            ..AgentSettings::default()
        },
        &[5; 32],
    )
    .unwrap();
    let eth = a.add_interface("eth0", &[ip("192.0.2.50")], &[], 1500);
    let p = udp("192.0.2.50", 5000, "10.10.1.5", 5000);
    is(
        dropped_out(out(&mut a, t(1), eth, &p).0),
        "driver default policy",
    );
    // a user session: before login the Log-off policy (passdhcp) is in force
    let mut c = client();
    let eth = c.eth;
    c.a.set_driver_policies(Ddp::DropAll, Lop::PassDhcp);
    let mut rng = SOFTWARE.drbg.instantiate(&[6; 32]).unwrap();
    c.a.enable_session(session::PasswordRecord::new(b"secret", &mut *rng).unwrap());
    assert_eq!(c.a.state(), PolicyState::LogOff);
    is(
        dropped_out(out(&mut c.a, t(2), eth, &p).0),
        "driver default policy",
    );
    let dhcp = udp("192.0.2.50", 68, "255.255.255.255", 67);
    assert!(matches!(
        out(&mut c.a, t(2), eth, &dhcp).0,
        OutResult::Send { .. }
    ));
    c.a.login(t(3), b"secret").unwrap();
    assert_eq!(c.a.state(), PolicyState::User);
    assert_eq!(out(&mut c.a, t(3), eth, &p).0, OutResult::Queued);
    // logout: the Log-off policy again
    c.a.logout(t(4));
    assert_eq!(c.a.state(), PolicyState::LogOff);
    is(
        dropped_out(out(&mut c.a, t(4), eth, &p).0),
        "driver default policy",
    );
}

#[test]
fn sa_request_queue_limits() {
    let mut c = client();
    let eth = c.eth;
    // per rule: PacketQueueSize (default 8) packets wait for the bundle, the 9th is dropped
    for i in 0..8u16 {
        let p = udp("192.0.2.50", 6000 + i, "10.10.1.5", 5000);
        assert_eq!(out(&mut c.a, t(2), eth, &p).0, OutResult::Queued);
    }
    let p = udp("192.0.2.50", 6100, "10.10.1.5", 5000);
    is(
        dropped_out(out(&mut c.a, t(2), eth, &p).0),
        &format!(
            "filter {}: reached limit of 8 packets waiting for SA",
            c.prot
        ),
    );
    // per rule: BundleRequestsMax (default 8) concurrent requests, the 9th is refused
    for i in 1..=8 {
        let p = udp("192.0.2.50", 5000, &format!("10.30.0.{i}"), 5000);
        assert_eq!(out(&mut c.a, t(2), eth, &p).0, OutResult::Queued, "{i}");
    }
    assert_eq!(c.a.requests(), 9);
    let p = udp("192.0.2.50", 5000, "10.30.0.9", 5000);
    is(
        dropped_out(out(&mut c.a, t(2), eth, &p).0),
        &format!("reached limit of 8 SA requests for filter {}", c.many),
    );
    // PacketQueueSize = 0: nothing may wait
    let p = udp("192.0.2.50", 5000, "10.60.0.1", 5000);
    is(
        dropped_out(out(&mut c.a, t(2), eth, &p).0),
        &format!("filter {}: reached limit of 0 packets waiting for SA", c.q0),
    );
    // the requests never complete (no gateway): after SessionTimeMax + grace the queued packets
    // are dropped
    let _ = events(&mut c.a);
    let later = t(2) + Duration::from_secs(600);
    c.a.handle_timeout(later);
    assert_eq!(c.a.requests(), 0);
    let lines = events(&mut c.a);
    let want = format!(
        "dropped out packet 192.0.2.50:6000->10.10.1.5:5000, proto 17, len 35, if eth0: filter {}: failed to build SA bundle",
        c.prot
    );
    assert!(lines.contains(&want), "{want}\n{lines:#?}");
}

#[test]
fn global_sa_request_limit() {
    // 126 PROTECT rules of 8 hosts each: 1008 distinct requests wanted, 1000 allowed
    let mut rules = String::new();
    let mut names = Vec::new();
    for r in 0..126 {
        let hosts: Vec<String> = (1..=8).map(|h| format!("10.70.{r}.{h}")).collect();
        rules += &format!(
            "FilteringRule r{r}(\n DestinationIPAddress *= {}\n Action = PROTECT\n IPsecAction = act\n)\n",
            hosts.join(", ")
        );
        names.push(format!("r{r}"));
    }
    let text = format!(
        "{HEAD}{rules}FilterChain pol(\n Filters *= {}\n DefaultAction = DROP\n)\nNetworkInterface (\n LogicalName = \"*\"\n IPsecPolicy = pol\n)\n",
        names.join(", ")
    );
    let mut a = agent(10, false);
    let eth = a.add_interface("eth0", &[ip("192.0.2.50")], &[], 1500);
    load(&mut a, text.as_bytes(), "global.lsp");
    assert_eq!(a.drv().ipsec_breq_max, 1000);
    for r in 0..125 {
        for h in 1..=8 {
            let p = udp("192.0.2.50", 5000, &format!("10.70.{r}.{h}"), 5000);
            assert_eq!(out(&mut a, t(2), eth, &p).0, OutResult::Queued);
        }
    }
    assert_eq!(a.requests(), 1000);
    let p = udp("192.0.2.50", 5000, "10.70.125.1", 5000);
    is(
        dropped_out(out(&mut a, t(2), eth, &p).0),
        "reached limit of 1000 SA requests",
    );
}

#[test]
fn inbound_ipsec_checks() {
    let mut c = client();
    let eth = c.eth;
    // the bundle of rule prot takes any inner source (so the IPsec policy decides)
    install(&mut c, any(), any());
    let now = t(2);
    // inner from 10.20/16: the policy passes it in clear, yet it came protected
    let inner = udp("10.20.0.5", 5000, "192.0.2.50", 5000);
    is(
        dropped_in(inb(&mut c.a, now, eth, &esp(&inner, 1)).0),
        &format!("filter {}: IPsec packet is not expected", c.clear),
    );
    // inner from 10.30.0.1: protected by another rule's SA
    let inner = udp("10.30.0.1", 5000, "192.0.2.50", 5000);
    is(
        dropped_in(inb(&mut c.a, now, eth, &esp(&inner, 2)).0),
        &format!("filter {}: IPsec SA doesn't match", c.prot),
    );
    // inner for an address of another host: not a gateway
    let inner = udp("10.10.1.5", 5000, "192.0.2.77", 5000);
    is(
        dropped_in(inb(&mut c.a, now, eth, &esp(&inner, 3)).0),
        "decapsulated packet is not local (not a security gateway)",
    );
    // the good case is delivered
    let inner = udp("10.10.1.5", 5000, "192.0.2.50", 5000);
    assert!(matches!(
        inb(&mut c.a, now, eth, &esp(&inner, 4)).0,
        InResult::Deliver { .. }
    ));
    // replayed
    is(
        dropped_in(inb(&mut c.a, now, eth, &esp(&inner, 4)).0),
        "SA 1: decapsulation error 1: replay packet detected",
    );
    // tampered ICV
    let mut bad = esp(&inner, 5);
    let n = bad.len();
    bad[n - 1] ^= 1;
    is(
        dropped_in(inb(&mut c.a, now, eth, &bad).0),
        "SA 1: decapsulation error 5: integrity verification failed",
    );
    // unknown SPI
    is(
        dropped_in(
            inb(
                &mut c.a,
                now,
                eth,
                &esp_to(0xabababab, "192.0.2.50", &inner, 1),
            )
            .0,
        ),
        "SPI 0xabababab not found in hash",
    );
    // ESP too short to hold an SPI
    let stub = raw("203.0.113.1", "192.0.2.50", 50, &[0x10, 0x01]);
    is(
        dropped_in(inb(&mut c.a, now, eth, &stub).0),
        "unable to fetch SPI",
    );
    // the right SPI in a tunnel header for our other address
    let other = esp_to(0x1001, "192.0.2.60", &inner, 6);
    let r = dropped_in(inb(&mut c.a, now, eth, &other).0);
    is(r, "tunnel header doesn't match SA 1");
}

#[test]
fn decapsulated_header_must_match_the_sa() {
    let mut c = client();
    let eth = c.eth;
    install(
        &mut c,
        Selector::host(ip("192.0.2.50")),
        Selector::subnet(ip("10.10.0.0"), 16),
    );
    let inner = udp("10.20.0.5", 5000, "192.0.2.50", 5000);
    is(
        dropped_in(inb(&mut c.a, t(2), eth, &esp(&inner, 1)).0),
        "SA 1: decapsulated packet's IP header doesn't match the SA",
    );
    // what decrypts to a TCP packet too short for its header
    let short = raw("10.10.1.5", "192.0.2.50", 6, &[0, 80, 0, 1]);
    let r = dropped_in(inb(&mut c.a, t(2), eth, &esp(&short, 2)).0);
    is(r, "SA 1: corrupted protocol headers after decapsulation");
}

#[test]
fn nested_bundle_layers() {
    // a bundle of two ESP SAs (outer 0x1001, inner 0x1003): one layer is not enough
    let mut c = client();
    let eth = c.eth;
    let now = Instant::ZERO;
    let outer = EspInbound::new(&esp_cfg(0x1001, "203.0.113.1", "192.0.2.50"), now).unwrap();
    let inner_sa = EspInbound::new(&esp_cfg(0x1003, "203.0.113.1", "192.0.2.50"), now).unwrap();
    let mut rng = SOFTWARE.drbg.instantiate(&[4; 32]).unwrap();
    let o1 = EspOutbound::new(
        &esp_cfg(0x2002, "192.0.2.50", "203.0.113.1"),
        &mut *rng,
        now,
    )
    .unwrap();
    let o2 = EspOutbound::new(
        &esp_cfg(0x2004, "192.0.2.50", "203.0.113.1"),
        &mut *rng,
        now,
    )
    .unwrap();
    c.a.install_manual(
        c.prot,
        any(),
        any(),
        ip("192.0.2.50"),
        ip("203.0.113.1"),
        vec![Box::new(outer), Box::new(inner_sa)],
        vec![Box::new(o1), Box::new(o2)],
    )
    .unwrap();
    let clear = udp("10.10.1.5", 5000, "192.0.2.50", 5000);
    is(
        dropped_in(inb(&mut c.a, t(2), eth, &esp(&clear, 1)).0),
        "packet lacks required IPsec layer",
    );
    // the second layer with an SPI of no SA of the bundle
    let wrong = esp_to(0x7777, "192.0.2.50", &clear, 1);
    is(
        dropped_in(inb(&mut c.a, t(2), eth, &esp(&wrong, 2)).0),
        "SPI 0x00007777 is not found in SA bundle",
    );
    // the inner SA's SPI outermost: wrong order
    let r = dropped_in(
        inb(
            &mut c.a,
            t(2),
            eth,
            &esp_to(0x1003, "192.0.2.50", &clear, 1),
        )
        .0,
    );
    is(r, "SA 2 is not the first SA in a bundle");
}

#[test]
fn sizes_df_and_pmtu() {
    let mut c = client();
    let eth = c.eth;
    install(&mut c, any(), any());
    let now = t(2);
    // 65507 bytes of UDP payload: 65535 in clear, more after ESP
    let big = udp_payload("192.0.2.50", 5000, "10.10.1.5", 5000, &vec![7u8; 65507]);
    let r = dropped_out(out(&mut c.a, now, eth, &big).0);
    let DropReason::TooLargeForIpsec { length } = r else {
        panic!("{r}")
    };
    assert!(length > 65535);
    is(
        r,
        &format!("packet is too large for IPsec, length after encapsulation {length}"),
    );
    // DF set (copied to the outer header), 1480 bytes: more than 1500 after ESP
    let df = with_df(udp_payload(
        "192.0.2.50",
        5000,
        "10.10.1.5",
        5000,
        &[1u8; 1452],
    ));
    is(
        dropped_out(out(&mut c.a, now, eth, &df).0),
        "DF bit set, can't fragment packet, path MTU 1500",
    );
    // … and the host gets ICMP "fragmentation needed"
    let icmp = std::iter::from_fn(|| c.a.poll_output()).find_map(|o| match o {
        Output::Deliver { packet, .. } => Some(packet),
        _ => None,
    });
    let icmp = icmp.expect("ICMP fragmentation needed");
    assert_eq!((icmp[9], icmp[20], icmp[21]), (1, 3, 4));
    // clear traffic with DF set larger than the interface MTU
    let df = with_df(udp_payload(
        "192.0.2.50",
        5000,
        "10.20.0.1",
        5000,
        &[1u8; 1600],
    ));
    is(
        dropped_out(out(&mut c.a, now, eth, &df).0),
        "DF bit set, can't fragment packet, path MTU 1500",
    );
    // ICMP fragmentation needed about our ESP packet: consumed by PMTU discovery
    let esp_out = {
        let p = udp("192.0.2.50", 5000, "10.10.1.5", 5000);
        let (r, bytes) = out(&mut c.a, now, eth, &p);
        assert!(matches!(r, OutResult::Send { .. }), "{r:?}");
        bytes
    };
    assert_eq!(esp_out[9], 50);
    let mut quote = esp_out[..28].to_vec();
    let mut body = vec![3u8, 4, 0, 0, 0, 0, 0x04, 0x00]; // MTU 1024
    body.append(&mut quote);
    let msg = raw("203.0.113.1", "192.0.2.50", 1, &body);
    is(
        dropped_in(inb(&mut c.a, now, eth, &msg).0),
        "ICMP PMTUD message processed",
    );
    let lines = events(&mut c.a);
    assert!(
        lines.iter().any(|l| l.contains("1024")),
        "PMTU recorded: {lines:#?}"
    );
}

/// Where each reason is provoked.
enum Where {
    /// By the named test of this file, through the Agent.
    Here(&'static str),
    /// By a test of another crate (the agent passes the reason through unchanged).
    Elsewhere(&'static str),
    /// Never produced by Zubr, with the reason why.
    NotProduced(&'static str),
}
use Where::*;

/// The coverage table: one row per [`DropReason`] variant, by name.
const TABLE: &[(&str, Where)] = &[
    ("CorruptedIpHeader", Here("policy_and_firewall_drops")),
    (
        "CorruptedProtocolHeaders",
        Here("policy_and_firewall_drops"),
    ),
    (
        "CorruptedIpHeaderAfterReassembly",
        NotProduced(
            "each fragment's IP header is checked (offset + length <= 65535) before the filter builds the whole datagram's header itself; the filter keeps it as a guard, its text in filter/tests/klogview_golden.rs",
        ),
    ),
    (
        "CorruptedProtocolHeadersAfterReassembly",
        Here("reassembly_drops"),
    ),
    (
        "CorruptedAfterDecapsulation",
        Here("decapsulated_header_must_match_the_sa"),
    ),
    ("UnableToFetchSpi", Here("inbound_ipsec_checks")),
    (
        "TooManyNestedEncapsulations",
        Elsewhere("examples/tests/ipsec_bundles.rs (SaDb, 17 nested layers)"),
    ),
    (
        "TooManyNestedEncapsulationsRecursive",
        NotProduced(
            "outbound nesting needs a recursive policy (ipsec_recursive_policy is read-only 0) and SaDb::bundle refuses more than 16 SAs",
        ),
    ),
    ("Firewall", Here("policy_and_firewall_drops")),
    ("IpsecPolicy", Here("policy_and_firewall_drops")),
    (
        "SaFilter",
        Elsewhere(
            "agent/tests/lsp_examples.rs example_01_client (InputFilter of the IPsec action)",
        ),
    ),
    (
        "Classification",
        NotProduced("Zubr has no classification stage (the original driver's QoS classifier)"),
    ),
    ("IpsecPacketNotExpected", Here("inbound_ipsec_checks")),
    ("MustBeProtected", Here("policy_and_firewall_drops")),
    ("LacksRequiredIpsecLayer", Here("nested_bundle_layers")),
    ("TunnelHeaderMismatch", Here("inbound_ipsec_checks")),
    (
        "SaBoundToOtherVif",
        NotProduced(
            "SAs are bound to filters, not interfaces: one IPsec policy per interface template",
        ),
    ),
    ("SaNotInBundle", Here("encapsulation_and_bundle_membership")),
    ("SaNotFirstInBundle", Here("nested_bundle_layers")),
    ("SpiNotInBundle", Here("nested_bundle_layers")),
    (
        "DecapsulatedHeaderMismatch",
        Here("decapsulated_header_must_match_the_sa"),
    ),
    ("SpiNotFound", Here("inbound_ipsec_checks")),
    ("IpsecSaMismatch", Here("inbound_ipsec_checks")),
    ("SaBundleNotFound", Here("policy_and_firewall_drops")),
    (
        "Decapsulation",
        Here("inbound_ipsec_checks (errors 1 and 5); every code in esp/tests/errors.rs"),
    ),
    (
        "Encapsulation",
        Here(
            "encapsulation_and_bundle_membership (error 3); the codes themselves in esp/tests/errors.rs",
        ),
    ),
    (
        "SaUnusable",
        NotProduced(
            "rekeying is make-before-break: the old SA stays usable until the new one is installed",
        ),
    ),
    ("NotLocal", Here("policy_and_firewall_drops")),
    ("DecapsulatedNotLocal", Here("inbound_ipsec_checks")),
    ("WaitingQueueFull", Here("sa_request_queue_limits")),
    ("FailedToBuildBundle", Here("sa_request_queue_limits")),
    ("SaRequestsLimit", Here("global_sa_request_limit")),
    ("SaRequestsLimitForFilter", Here("sa_request_queue_limits")),
    (
        "SaQueueOverflow",
        NotProduced("packets wait per SA request (PacketQueueSize), never per installed SA"),
    ),
    ("TooLargeForIpsec", Here("sizes_df_and_pmtu")),
    ("IcmpPmtudProcessed", Here("sizes_df_and_pmtu")),
    (
        "DriverBeingConfigured",
        NotProduced(
            "through the agent: it always has DDP or a policy loaded; the filter engine and Agent::protect keep it as a guard",
        ),
    ),
    (
        "ConfigIdMismatch",
        NotProduced(
            "sans-IO: a packet is processed in one call, the configuration cannot change under it",
        ),
    ),
    (
        "IpsecFilterDead",
        NotProduced("same as ConfigIdMismatch: a filter cannot die while a packet is processed"),
    ),
    ("SaRequestOutOfMemory", Here("packet_memory_budget")),
    (
        "CannotAllocatePacketBuffer",
        Here(
            "packet_memory_budget (and filter/src/reasm.rs: reassembly memory budget and fragment-count limit)",
        ),
    ),
    (
        "CannotPrepareSaListOutOfMemory",
        NotProduced("allocation failure aborts in Rust's alloc"),
    ),
    (
        "IkecfgDestinationUnchanged",
        Here("ikecfg_virtual_interface_checks"),
    ),
    (
        "IkecfgSourceNotVirtual",
        Here("ikecfg_virtual_interface_checks"),
    ),
    ("DfSetCannotFragment", Here("sizes_df_and_pmtu")),
    (
        "CannotFragment",
        Elsewhere(
            "agent/src/frag.rs unit test: needs an MTU below 68, which Agent::add_interface and PMTU discovery refuse",
        ),
    ),
    (
        "DriverDefaultPolicy",
        Here("driver_default_and_logoff_policies"),
    ),
    (
        "IpDataNotAligned",
        NotProduced("internal error of the original driver; Zubr parses unaligned data"),
    ),
    (
        "UnknownNetworkInterface",
        NotProduced(
            "through the agent: an interface no NetworkInterface template binds is not filtered (lsp.md); the filter engine keeps it only as a guard against a stale binding",
        ),
    ),
    (
        "UnknownPhysicalInterface",
        Here("policy_and_firewall_drops"),
    ),
];

const SRC: &str = include_str!("drop_reasons.rs");

#[test]
fn every_drop_reason_is_accounted_for() {
    let mut seen = std::collections::HashSet::new();
    for (name, w) in TABLE {
        assert!(seen.insert(*name), "{name} listed twice");
        let r = DropReason::ALL
            .iter()
            .find(|r| r.name() == *name)
            .unwrap_or_else(|| panic!("{name} is no DropReason"));
        assert!(!r.to_string().is_empty());
        match w {
            // the named test exists in this file
            Here(test) => {
                let f = test.split([' ', '(']).next().unwrap();
                assert!(SRC.contains(&format!("fn {f}() {{")), "{name}: no test {f}");
            }
            // the named files exist
            Elsewhere(text) => {
                let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
                let files: Vec<&str> = text
                    .split([' ', '(', ')', ',', ';'])
                    .filter(|w| w.ends_with(".rs"))
                    .collect();
                assert!(!files.is_empty(), "{name}: name the file");
                for f in files {
                    assert!(
                        std::path::Path::new(root).join(f).exists(),
                        "{name}: {f} does not exist"
                    );
                }
            }
            NotProduced(why) => assert!(!why.is_empty()),
        }
    }
    for r in DropReason::ALL {
        assert!(
            seen.contains(r.name()),
            "{} ({r}) is missing from the coverage table",
            r.name()
        );
    }
    assert_eq!(TABLE.len(), DropReason::COUNT);
}

#[test]
fn encapsulation_and_bundle_membership() {
    // an outbound SA that has sent its last sequence number (no ESN)
    let mut c = client();
    let eth = c.eth;
    let now = Instant::ZERO;
    let inbound = EspInbound::new(&esp_cfg(0x1001, "203.0.113.1", "192.0.2.50"), now).unwrap();
    let mut cfg = esp_cfg(0x2002, "192.0.2.50", "203.0.113.1");
    cfg.params.initial_seq = u64::from(u32::MAX);
    let mut rng = SOFTWARE.drbg.instantiate(&[4; 32]).unwrap();
    let outbound = EspOutbound::new(&cfg, &mut *rng, now).unwrap();
    let prot = c.prot;
    let (_, outs) =
        c.a.install_manual(
            prot,
            any(),
            any(),
            ip("192.0.2.50"),
            ip("203.0.113.1"),
            vec![Box::new(inbound)],
            vec![Box::new(outbound)],
        )
        .unwrap();
    let p = udp("192.0.2.50", 5000, "10.10.1.5", 5000);
    assert!(matches!(
        out(&mut c.a, t(2), eth, &p).0,
        OutResult::Send { .. }
    ));
    is(
        dropped_out(out(&mut c.a, t(2), eth, &p).0),
        &format!(
            "SA {}: encapsulation error 3: last sequence number",
            outs[0].0
        ),
    );

    // an inbound SA the SA database holds outside any bundle
    let mut c = client();
    let eth = c.eth;
    let sa = EspInbound::new(&esp_cfg(0x1001, "203.0.113.1", "192.0.2.50"), now).unwrap();
    let id = c.a.sadb_mut().install_inbound(Box::new(sa)).unwrap();
    let inner = udp("10.10.1.5", 5000, "192.0.2.50", 5000);
    is(
        dropped_in(inb(&mut c.a, t(2), eth, &esp(&inner, 1)).0),
        &format!("SA {} is not in a bundle", id.0),
    );
}

/// IPv4 fragment (id 0x4242, offset in 8-byte units) from 8.8.8.8 to us.
fn fragment(proto: u8, off8: u16, more: bool, data: &[u8]) -> Vec<u8> {
    let mut p = raw("8.8.8.8", "192.0.2.50", proto, data);
    p[4..6].copy_from_slice(&0x4242u16.to_be_bytes());
    let word = off8 | if more { 0x2000 } else { 0 };
    p[6..8].copy_from_slice(&word.to_be_bytes());
    p[10] = 0;
    p[11] = 0;
    let mut sum = 0u32;
    for w in p[..20].chunks(2) {
        sum += u32::from(u16::from_be_bytes([w[0], w[1]]));
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    p[10..12].copy_from_slice(&(!(sum as u16)).to_be_bytes());
    p
}

#[test]
fn reassembly_drops() {
    // from 8.8.8.8 only the DHCP rule (ports) can decide: the filter reassembles; the UDP
    // header of the whole datagram claims 100 bytes but there are 16
    let mut c = client();
    let eth = c.eth;
    let first = fragment(17, 0, true, &[0x13, 0x88, 0x13, 0x88, 0, 100, 0, 0]);
    let last = fragment(17, 1, false, &[1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(inb(&mut c.a, t(2), eth, &first).0, InResult::Held);
    is(
        dropped_in(inb(&mut c.a, t(2), eth, &last).0),
        "corrupted protocol headers after reassembly",
    );
}

/// The packet memory budget (`AgentSettings::packet_memory`): every copy the agent keeps is
/// counted, and when the budget is spent the product's out-of-memory drops come out — for a
/// new SA request, for a packet joining a request's queue, for fragments of clear traffic, for
/// an encapsulated packet that needs fragment buffers (IPsec error 8) and for a datagram that
/// needs a packet buffer. Everything the agent held is given back when it leaves.
#[test]
fn packet_memory_budget() {
    let mut c = client();
    let eth = c.eth;
    let now = t(2);
    assert_eq!(c.a.packet_memory(), (0, 16 << 20));
    // one packet waits for the bundle of rule prot: its 35 bytes are held
    let p = udp("192.0.2.50", 6000, "10.10.1.5", 5000);
    assert_eq!(out(&mut c.a, now, eth, &p).0, OutResult::Queued);
    assert_eq!(c.a.packet_memory().0, p.len());
    // no room for a second copy
    c.a.set_packet_memory(p.len() + 10);
    let p2 = udp("192.0.2.50", 6001, "10.10.1.5", 5000);
    is(
        dropped_out(out(&mut c.a, now, eth, &p2).0),
        "can't allocate packet buffer",
    );
    let p3 = udp("192.0.2.50", 5000, "10.30.0.1", 5000);
    is(
        dropped_out(out(&mut c.a, now, eth, &p3).0),
        &format!(
            "filter {}: failed to send SA request: out of memory",
            c.many
        ),
    );
    assert_eq!(
        c.a.requests(),
        1,
        "no request without memory for its packet"
    );
    let lines = events(&mut c.a);
    let want = format!(
        "dropped out packet 192.0.2.50:5000->10.30.0.1:5000, proto 17, len 35, if eth0: filter {}: failed to send SA request: out of memory",
        c.many
    );
    assert!(lines.contains(&want), "{want}\n{lines:#?}");
    // the request fails: its queued packet is given back
    c.a.handle_timeout(now + Duration::from_secs(600));
    assert_eq!((c.a.requests(), c.a.packet_memory().0), (0, 0));

    // clear traffic larger than the MTU must be fragmented into buffers of the budget
    let big = without_df(udp_payload(
        "192.0.2.50",
        5000,
        "10.20.0.1",
        5000,
        &[5u8; 3000],
    ));
    c.a.set_packet_memory(1000);
    is(
        dropped_out(out(&mut c.a, now, eth, &big).0),
        "can't allocate packet buffer",
    );
    c.a.set_packet_memory(16 << 20);
    assert_eq!(out(&mut c.a, now, eth, &big).0, OutResult::Fragmented);
    let held = c.a.packet_memory().0;
    assert!(held >= big.len(), "{held}");
    let frags: Vec<Output> = std::iter::from_fn(|| c.a.poll_output()).collect();
    assert_eq!(frags.len(), 3);
    assert_eq!(c.a.packet_memory().0, 0);

    // an encapsulated packet larger than the MTU: no buffers for its fragments is error 8
    install(&mut c, any(), any());
    c.a.set_packet_memory(1000);
    let big = without_df(udp_payload(
        "192.0.2.50",
        5000,
        "10.10.1.5",
        5000,
        &[6u8; 3000],
    ));
    let r = dropped_out(out(&mut c.a, now, eth, &big).0);
    let DropReason::Encapsulation { sa, error } = r else {
        panic!("{r}")
    };
    assert_eq!(error as u8, 8);
    is(
        r,
        &format!("SA {sa}: encapsulation error 8: memory allocation failed"),
    );
    let lines = events(&mut c.a);
    let want = format!(
        "dropped out packet 192.0.2.50->203.0.113.1, proto 50, len 3080, if eth0: SA {sa}: encapsulation error 8: memory allocation failed"
    );
    assert!(lines.contains(&want), "{want}\n{lines:#?}");
    assert_eq!(c.a.packet_memory().0, 0);
    // with memory the same packet leaves as ESP fragments
    c.a.set_packet_memory(16 << 20);
    assert_eq!(out(&mut c.a, now, eth, &big).0, OutResult::Fragmented);
    let frags: Vec<Output> = std::iter::from_fn(|| c.a.poll_output()).collect();
    assert!(frags.len() >= 3, "{frags:?}");
    for f in &frags {
        let Output::Send { packet, .. } = f else {
            panic!("{f:?}")
        };
        assert_eq!(packet[9], 50, "ESP fragments");
    }
    assert_eq!(c.a.packet_memory().0, 0);

    // a UDP datagram is rebuilt as an IPv4 packet in a buffer of the budget
    c.a.set_packet_memory(10);
    let local: std::net::SocketAddr = "192.0.2.50:4500".parse().unwrap();
    let remote: std::net::SocketAddr = "203.0.113.1:4500".parse().unwrap();
    let data = [0u8, 0, 0, 0, 1, 2, 3, 4];
    is(
        dropped_in(c.a.handle_datagram(now, local, remote, &data)),
        "can't allocate packet buffer",
    );
    c.a.set_packet_memory(16 << 20);
    let _ = c.a.handle_datagram(now, local, remote, &data);
    while c.a.poll_output().is_some() {}
    assert_eq!(c.a.packet_memory().0, 0);
}

/// One step of [`packet_memory_accounting`].
#[derive(Debug, Clone)]
enum Step {
    /// To one of the nine hosts of rule `many` (no bundle: SA requests and queues).
    Request(u8, u16),
    /// Into the manual ESP bundle of rule `prot`; DF or not (large ones are fragmented).
    Protected(u16, bool),
    /// Clear traffic (large ones are fragmented).
    Clear(u16),
    /// ESP from the peer with sequence number `seq`.
    FromPeer(u16, u32),
    /// A UDP datagram on port 500 or 4500.
    Datagram(bool, Vec<u8>),
    /// The host takes this many outputs.
    Take(u8),
    /// A new memory limit.
    Limit(u32),
    /// Time passes (seconds): requests time out.
    Wait(u16),
}

fn step() -> impl proptest::strategy::Strategy<Value = Step> {
    use proptest::prelude::*;
    prop_oneof![
        (1..=9u8, 0..3000u16).prop_map(|(h, n)| Step::Request(h, n)),
        (0..4000u16, any::<bool>()).prop_map(|(n, df)| Step::Protected(n, df)),
        (0..4000u16).prop_map(Step::Clear),
        (0..1500u16, 1..50u32).prop_map(|(n, s)| Step::FromPeer(n, s)),
        (
            any::<bool>(),
            proptest::collection::vec(any::<u8>(), 0..200)
        )
            .prop_map(|(natt, d)| Step::Datagram(natt, d)),
        (0..8u8).prop_map(Step::Take),
        prop_oneof![Just(0u32), 0..20_000u32, Just(16 << 20)].prop_map(Step::Limit),
        (0..400u16).prop_map(Step::Wait),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Random traffic, outputs taken or left waiting, limits changed, time passing: the agent
    /// never holds more than its limit because of a step (only a lowered limit can leave it
    /// above), and once everything has left or timed out it holds nothing — no copy is counted
    /// twice or forgotten.
    #[test]
    fn packet_memory_accounting(steps in proptest::collection::vec(step(), 1..40)) {
        let mut c = client();
        let eth = c.eth;
        install(&mut c, any(), any());
        let mut now = t(2);
        for s in steps {
            let before = c.a.packet_memory().0;
            match s {
                Step::Request(h, n) => {
                    let p = udp_payload("192.0.2.50", 5000, &format!("10.30.0.{h}"), 5000, &vec![1; n.into()]);
                    let _ = out(&mut c.a, now, eth, &p);
                }
                Step::Protected(n, df) => {
                    let p = udp_payload("192.0.2.50", 5000, "10.10.1.5", 5000, &vec![2; n.into()]);
                    let _ = out(&mut c.a, now, eth, &if df { p } else { without_df(p) });
                }
                Step::Clear(n) => {
                    let p = udp_payload("192.0.2.50", 5000, "10.20.0.1", 5000, &vec![3; n.into()]);
                    let _ = out(&mut c.a, now, eth, &without_df(p));
                }
                Step::FromPeer(n, seq) => {
                    let inner = udp_payload("10.10.1.5", 5000, "192.0.2.50", 5000, &vec![4; n.into()]);
                    let _ = inb(&mut c.a, now, eth, &esp(&inner, seq.into()));
                }
                Step::Datagram(natt, d) => {
                    let port = if natt { 4500 } else { 500 };
                    let local = std::net::SocketAddr::from(([192, 0, 2, 50], port));
                    let remote = std::net::SocketAddr::from(([203, 0, 113, 1], port));
                    let _ = c.a.handle_datagram(now, local, remote, &d);
                }
                Step::Take(k) => {
                    for _ in 0..k {
                        let _ = c.a.poll_output();
                    }
                }
                Step::Limit(l) => c.a.set_packet_memory(l as usize),
                Step::Wait(s) => {
                    now += Duration::from_secs(s.into());
                    c.a.handle_timeout(now);
                }
            }
            let (held, limit) = c.a.packet_memory();
            proptest::prop_assert!(held <= limit.max(before), "{held} > {limit} (was {before})");
        }
        now += Duration::from_secs(3600);
        c.a.handle_timeout(now);
        while c.a.poll_output().is_some() {}
        proptest::prop_assert_eq!(c.a.requests(), 0);
        proptest::prop_assert_eq!(c.a.packet_memory().0, 0);
    }
}
