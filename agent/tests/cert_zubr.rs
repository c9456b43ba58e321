//! Two agents with certificate policies (`AuthMethodDSSign`, lsp.md §5.2) over a perfect
//! simulated wire: a client (192.0.2.50) protecting its traffic to 10.2.0.0/24 through a gateway
//! (203.0.113.1). The certificates (bign, STB 34.101.45) are made with `zubr-pki`'s test CA
//! (`zubr_pki::testing`); each agent gets its own store (its certificate with the key, the
//! trusted CA) through `KeyStore::certificates`. The client's first packet is queued, Main Mode
//! with bign signatures and Quick Mode run, and the packet reaches the gateway. `RemoteCredential`,
//! `LocalCredential` and a missing store are checked for their failures.

mod common;

use std::sync::Arc;

use common::*;
use zubr_agent::*;
use zubr_base::{Instant, UnixTime};
use zubr_crypto_stb::SOFTWARE;
use zubr_pki::store::KeyRef;
use zubr_pki::testing::TestCa;
use zubr_pki::{Certificate, KeyKind, Store};

const NOW: i64 = 1_800_000_000;
const YEAR: i64 = 365 * 86_400;

/// The bign test CA of a test.
fn ca(cn: &str, seed: u8) -> TestCa {
    TestCa::new(KeyKind::Bign256, cn, seed, (NOW - YEAR, NOW + YEAR))
}

/// A store holding an end entity `subject` of `pki` (with its key) and trusting `trust`.
fn end_entity_store(pki: &mut TestCa, subject: &str, serial: u64, trust: &Certificate) -> Store {
    let (cert, k) = pki.issue(KeyKind::Bign256, subject, serial, (NOW - YEAR, NOW + YEAR));
    let mut s = Store::new();
    s.add_trusted(trust.clone()).unwrap();
    s.add_local(cert, KeyRef::Software(k)).unwrap();
    s
}

const COMMON: &str = r#"
IKETransform ike_t(
 CipherAlg *= "AES-K128-CBC"
 HashAlg *= "SHA1"
 GroupID *= MODP_1024
)

ESPTransform esp_t(
 CipherAlg = "AES-K128-CBC"
 IntegrityAlg = "SHA1-H96-HMAC"
)

ESPProposal esp_p(
 Transform *= esp_t
)
"#;

fn client_policy(local_subject: &str, remote_subject: &str) -> String {
    format!(
        r#"GlobalParameters (
 Title = "certificate client"
 Version = LSP_4_0
 CRLHandlingMode = OPTIONAL
)

CertDescription mine(
 Subject *= "{local_subject}"
)

CertDescription gws(
 Subject *= "{remote_subject}"
)

AuthMethodDSSign sig(
 LocalCredential = mine
 RemoteCredential *= gws
 SendCertMode = ALWAYS
 SendRequestMode = ALWAYS
)
{COMMON}
IKERule to_gw(
 PeerAddress *= 203.0.113.1
 DoAutopass = TRUE
 MainModeAuthMethod *= sig
 Transform *= ike_t
)

IPsecAction act(
 ContainedProposals *= esp_p
 TunnelingParameters *= TunnelEntry(
  PeerAddress = 203.0.113.1
 )
 IKERule = to_gw
)

FilteringRule prot(
 SourceIPAddress *= 192.0.2.50
 DestinationIPAddress *= 10.2.0.0..10.2.0.255
 Action = PROTECT
 IPsecAction = act
)

FilterChain pol(
 Filters *= prot
 DefaultAction = PASS
)

NetworkInterface (
 LogicalName = "*"
 IPsecPolicy = pol
)
"#
    )
}

fn gateway_policy(remote_subject: &str) -> String {
    format!(
        r#"GlobalParameters (
 Title = "certificate gateway"
 Version = LSP_4_0
 CRLHandlingMode = OPTIONAL
)

CertDescription mine(
 Subject *= "C=BY,O=Zubr,CN=gateway"
)

CertDescription clients(
 Subject *= "{remote_subject}"
)

IdentityEntry gw_id(
 X509SubjectDN *= "C=BY,O=Zubr,CN=gateway"
)

AuthMethodDSSign sig(
 LocalID = gw_id
 LocalCredential = mine
 RemoteCredential *= clients
)
{COMMON}
IKERule from_clients(
 DoAutopass = TRUE
 MainModeAuthMethod *= sig
 Transform *= ike_t
)

IPsecAction act(
 ContainedProposals *= esp_p
 TunnelingParameters *= TunnelEntry(
  DFHandling = COPY
 )
 FallbackAction = DROP
)

FilteringRule prot(
 SourceIPAddress *= 10.2.0.0..10.2.0.255
 DestinationIPAddress *= 192.0.2.50
 Action = PROTECT
 IPsecAction = act
)

FilterChain pol(
 Filters *= prot
 DefaultAction = PASS
)

NetworkInterface (
 LogicalName = "eth0"
 IPsecPolicy = pol
)
"#
    )
}

fn keys(store: Store) -> MemoryKeys {
    let mut k = MemoryKeys::new();
    let shared: Arc<dyn SharedStore> = Arc::new(std::sync::RwLock::new(store));
    k.set_certificates(shared);
    k
}

fn try_load(a: &mut Agent, text: &str, keys: &dyn KeyStore) -> Result<Vec<String>, AgentError> {
    a.load_policy_text(
        Instant::from_secs(1),
        text.as_bytes(),
        PolicySource {
            source: "test".into(),
            info: "cert".into(),
        },
        keys,
    )
}

/// The two agents, with their stores; `gw_accepts` is the gateway's `RemoteCredential`.
fn net(gw_accepts: &str) -> (Net, PhyId) {
    let mut pki = ca("C=BY,O=Zubr,CN=CA", 3);
    let ca = pki.cert.clone();
    let client_store = end_entity_store(&mut pki, "C=BY,O=Zubr,CN=client", 2, &ca);
    let gw_store = end_entity_store(&mut pki, "C=BY,O=Zubr,CN=gateway", 3, &ca);
    let t0 = Instant::from_secs(1);
    let mut client = agent(1, false);
    client.set_unix_time(t0, UnixTime::from_secs(NOW));
    let eth = client.add_interface("eth0", &[ip("192.0.2.50")], &[], 1500);
    try_load(
        &mut client,
        &client_policy("C=BY,O=Zubr,CN=client", "C=BY,O=Zubr,CN=gateway"),
        &keys(client_store),
    )
    .unwrap();
    let mut gw = agent(2, true);
    gw.set_unix_time(t0, UnixTime::from_secs(NOW));
    let geth = gw.add_interface("eth0", &[ip("203.0.113.1")], &[], 1500);
    let lan = gw.add_interface("lan0", &[ip("10.2.0.5")], &[], 1500);
    try_load(&mut gw, &gateway_policy(gw_accepts), &keys(gw_store)).unwrap();
    (
        Net {
            a: Side {
                agent: client,
                eth,
                delivered: vec![],
            },
            b: Side {
                agent: gw,
                eth: geth,
                delivered: vec![],
            },
        },
        lan,
    )
}

#[test]
fn bign_certificates_zubr_to_zubr() {
    let (mut n, _lan) = net("C=BY,O=Zubr,CN=client");
    let now = Instant::from_secs(10);
    let ping = icmp_echo("192.0.2.50", "10.2.0.5", 1);
    let eth = n.a.eth;
    assert_eq!(n.send(now, false, eth, &ping), OutResult::Queued);
    assert!(n.pump(now) >= 7, "main mode (6) + quick mode (3)");
    assert_eq!(n.a.agent.sa_pairs(), 1, "{:?}", events(&mut n.a.agent));
    assert_eq!(n.b.agent.sa_pairs(), 1, "{:?}", events(&mut n.b.agent));
    // the queued echo reached the gateway through ESP
    assert_eq!(n.b.delivered.len(), 1, "{:?}", events(&mut n.b.agent));
    assert_eq!(n.b.delivered[0].1[12..], ping[12..]);
    // the ISAKMP SA is authenticated with bign signatures (method 65301)
    let show = mgmt::sa_show(
        &n.a.agent,
        now,
        &mgmt::SaShow {
            detail: true,
            ..mgmt::SaShow::default()
        },
    );
    assert!(show.contains("bign"), "{show}");
}

#[test]
fn remote_credential_refuses_other_subjects() {
    // the gateway accepts only CN=someone-else: phase 1 fails, no SA, the packet stays queued
    let (mut n, _lan) = net("C=BY,O=Zubr,CN=someone-else");
    let now = Instant::from_secs(10);
    let ping = icmp_echo("192.0.2.50", "10.2.0.5", 1);
    let eth = n.a.eth;
    assert_eq!(n.send(now, false, eth, &ping), OutResult::Queued);
    n.pump(now);
    assert_eq!((n.a.agent.sa_pairs(), n.b.agent.sa_pairs()), (0, 0));
    assert!(n.b.delivered.is_empty());
    // the only difference to `bign_certificates_zubr_to_zubr` is the gateway's
    // RemoteCredential, so the refusal is the validator's `NotAcceptable`
    let show = mgmt::sa_show(&n.b.agent, now, &mgmt::SaShow::default());
    assert!(!show.contains(" active "), "{show}");
}

#[test]
fn certificate_policy_load_failures() {
    let mut pki = ca("C=BY,O=Zubr,CN=CA", 4);
    let ca = pki.cert.clone();
    let store = end_entity_store(&mut pki, "C=BY,O=Zubr,CN=client", 2, &ca);
    let good = client_policy("C=BY,O=Zubr,CN=client", "C=BY,O=Zubr,CN=gateway");
    let mut a = agent(1, false);
    // no certificate store: refused, the error names it
    let e = try_load(&mut a, &good, &LiteralKeys)
        .unwrap_err()
        .to_string();
    assert!(e.contains("no certificate store"), "{e}");
    // LocalCredential matching no local certificate
    let k = keys(store);
    let e = try_load(
        &mut a,
        &client_policy("C=BY,O=Zubr,CN=nobody", "C=BY,O=Zubr,CN=gateway"),
        &k,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("no local certificate matches LocalCredential"),
        "{e}"
    );
    // and the right one loads
    try_load(&mut a, &good, &k).unwrap();
}

/// `SendCertMode` / `SendRequestMode` reach ike's `SignatureAuth`: ALWAYS → send always and
/// CERTREQ; AUTO → send when asked, and CERTREQ only while the store holds no partner
/// certificate `RemoteCredential` matches; NEVER → neither.
#[test]
fn send_modes_are_mapped() {
    use zubr_ike::config::{AuthMethod, SendCert};
    let mut pki = ca("C=BY,O=Zubr,CN=CA", 5);
    let ca = pki.cert.clone();
    let shared = Arc::new(std::sync::RwLock::new(end_entity_store(
        &mut pki,
        "C=BY,O=Zubr,CN=client",
        2,
        &ca,
    )));
    let mut k = MemoryKeys::new();
    k.set_certificates(shared.clone());
    let base = client_policy("C=BY,O=Zubr,CN=client", "C=BY,O=Zubr,CN=gateway");
    let mode = |text: &str, keys: &MemoryKeys| {
        let p = zubr_lsp::check(text.as_bytes(), &zubr_lsp::Options::default())
            .compile()
            .unwrap();
        let m = map_policy(&p, &SOFTWARE, keys).unwrap();
        match &m.ike.ike_rules[0].main_mode_auth[..] {
            [AuthMethod::Signature(s)] => (s.send_cert, s.send_certreq),
            other => panic!("{}", other.len()),
        }
    };
    assert_eq!(mode(&base, &k), (SendCert::Always, true));
    let never = base
        .replace("SendCertMode = ALWAYS", "SendCertMode = NEVER")
        .replace("SendRequestMode = ALWAYS", "SendRequestMode = NEVER");
    assert_eq!(mode(&never, &k), (SendCert::Never, false));
    let auto = base
        .replace("SendCertMode = ALWAYS", "SendCertMode = AUTO")
        .replace("SendRequestMode = ALWAYS", "SendRequestMode = AUTO");
    assert_eq!(mode(&auto, &k), (SendCert::IfRequested, true));
    // the gateway's certificate held as a partner certificate: no CERTREQ needed
    let gw = end_entity_store(&mut pki, "C=BY,O=Zubr,CN=gateway", 3, &ca);
    let gw_cert = gw.certs_with(zubr_pki::Role::Local).next().unwrap().clone();
    shared.write().unwrap().add_remote(gw_cert).unwrap();
    assert_eq!(mode(&auto, &k), (SendCert::IfRequested, false));
}
