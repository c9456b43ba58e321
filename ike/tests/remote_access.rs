//! Zubr↔Zubr under the simulated network: signature authentication for every IKE signature
//! scheme of the provider (RSA, ECDSA P-256/P-384, bign, GOST R 34.10) in both phase-1 modes,
//! CERTREQ and send-cert handling, certificate refusals; XAuth and Mode Config (pull and push)
//! against a gateway with an address pool and several clients (distinct addresses, tranches,
//! exhaustion), the XAuth failure path; IKE fragments lost, reordered and duplicated.
//!
//! Certificates here are opaque blobs a test validator maps to keys and names (the engine never
//! parses certificates; X.509 is the host's, see `zubr-pki` and the strongSwan interop run).

mod sim;

use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sim::*;
use zubr_base::{Instant, UnixTime};
use zubr_crypto_stb::SOFTWARE;
use zubr_crypto_stb::bign::BignSigner;
use zubr_crypto_stb::gost::algs::Gost3410SigningKey;
use zubr_crypto_stb::gost::r3410::{CRYPTOPRO_A, SecretKey};
use zubr_crypto_stb::intl::ecdsa::{EcdsaSigningKey, Encoding, P256, P384};
use zubr_crypto_stb::intl::rsa::RsaPrivateKey;
use zubr_crypto_stb::provider::SigningKey;
use zubr_ike::codec::{self, Message, PayloadType};
use zubr_ike::config::*;
use zubr_ike::engine::Event;
use zubr_ike::{Engine, IkeError};

const NOW_UNIX: i64 = 1_750_000_000;

/// A test certificate store: blob → what the "certificate" says.
#[derive(Default)]
struct TestPki {
    known: Vec<(Vec<u8>, PeerCertificate, i64)>,
    revoked: Vec<Vec<u8>>,
    /// Number of certificates each validation saw.
    seen: Mutex<Vec<usize>>,
}

impl CertificateValidator for TestPki {
    fn validate(
        &self,
        certs: &[&[u8]],
        peer_id: Option<&Identity>,
        at: UnixTime,
    ) -> Result<PeerCertificate, CertError> {
        self.seen.lock().unwrap().push(certs.len());
        let entry = if certs.is_empty() {
            // partner certificates held locally, found by the peer's identity
            let id = peer_id.ok_or(CertError::NoCertificate)?;
            self.known
                .iter()
                .find(|(_, c, _)| identity_matches_certificate(c, id))
                .ok_or(CertError::NoCertificate)?
        } else {
            self.known
                .iter()
                .find(|(b, _, _)| certs.contains(&b.as_slice()))
                .ok_or(CertError::Untrusted)?
        };
        if self.revoked.contains(&entry.0) {
            return Err(CertError::Revoked);
        }
        if at.0 > entry.2 {
            return Err(CertError::Expired);
        }
        Ok(entry.1.clone())
    }
    fn authorities(&self) -> Vec<Vec<u8>> {
        vec![b"TEST-CA".to_vec()]
    }
}

fn dn(cn: &str) -> Vec<u8> {
    let mut v = b"DN:".to_vec();
    v.extend_from_slice(cn.as_bytes());
    v
}

fn rsa_key() -> Arc<dyn SigningKey> {
    let hex = include_str!("vectors/test-rsa2048-pkcs8.hex");
    let der = hex::decode(hex.trim()).unwrap();
    Arc::new(
        RsaPrivateKey::from_pkcs8_der(&der)
            .unwrap()
            .with_scheme("rsa-pkcs1-raw")
            .unwrap(),
    )
}

/// A key of `scheme`; `n` varies the private value.
fn key(scheme: &str, n: u8) -> Arc<dyn SigningKey> {
    let mut d = [0u8; 32];
    d[0] = 0x11 + n;
    d[31] = 0x07;
    match scheme {
        "rsa-pkcs1-raw" => rsa_key(),
        "ecdsa-p256-raw" => Arc::new(
            EcdsaSigningKey::<P256>::from_scalar(&d)
                .unwrap()
                .with_encoding(Encoding::Raw),
        ),
        "ecdsa-p384-raw" => {
            let mut d48 = [0u8; 48];
            d48[0] = 0x22 + n;
            d48[47] = 9;
            Arc::new(
                EcdsaSigningKey::<P384>::from_scalar(&d48)
                    .unwrap()
                    .with_encoding(Encoding::Raw),
            )
        }
        // little-endian scalars, small enough for the curve orders
        "bign-hbelt" => {
            let mut le = d;
            le.reverse();
            Arc::new(BignSigner::from_bytes(&le).unwrap())
        }
        "gost3410-2001-gostr3411-94" => {
            let mut le = d;
            le.reverse();
            Arc::new(
                Gost3410SigningKey::new(SecretKey::from_le_bytes(&CRYPTOPRO_A, &le).unwrap())
                    .unwrap(),
            )
        }
        other => panic!("{other}"),
    }
}

struct Party {
    key: Arc<dyn SigningKey>,
    cert: Vec<u8>,
    subject: Vec<u8>,
    pc: PeerCertificate,
}

fn party(scheme: &'static str, n: u8, cn: &str, cert_len: usize) -> Party {
    let key = key(scheme, n);
    let subject = dn(cn);
    let mut cert = format!("CERT:{cn}:").into_bytes();
    cert.resize(cert_len.max(cert.len()), b'x');
    let pc = PeerCertificate {
        public_key: key.public_key(),
        scheme,
        subject: subject.clone(),
        alt_names: vec![AltName::Dns(cn.into())],
    };
    Party {
        key,
        cert,
        subject,
        pc,
    }
}

fn sig_auth(me: &Party, pki: Arc<TestPki>) -> SignatureAuth {
    let mut s = SignatureAuth::new(&SOFTWARE, me.key.clone(), vec![me.cert.clone()], pki).unwrap();
    s.subject = Some(me.subject.clone());
    s
}

fn suite() -> IkeTransform {
    ike("AES-K128-CBC", "SHA2-256", "ECP_256")
}

/// Initiator A and responder B configured with signature authentication.
fn sig_configs(
    mode: Phase1Mode,
    a: (&Party, Arc<TestPki>),
    b: (&Party, Arc<TestPki>),
) -> (Config, Config) {
    let s = Setup::new(mode, suite(), esp("AES-K128-CBC", Some("SHA1-H96-HMAC")));
    let (mut ca, mut cb) = s.configs();
    let set = |c: &mut Config, auth: SignatureAuth| {
        let r = &mut c.ike_rules[0];
        let m = vec![AuthMethod::Signature(auth)];
        match mode {
            Phase1Mode::Main => r.main_mode_auth = m,
            Phase1Mode::Aggressive => r.aggressive_auth = m,
        }
    };
    set(&mut ca, sig_auth(a.0, a.1));
    set(&mut cb, sig_auth(b.0, b.1));
    (ca, cb)
}

fn pki_knowing(p: &[&Party]) -> Arc<TestPki> {
    Arc::new(TestPki {
        known: p
            .iter()
            .map(|x| (x.cert.clone(), x.pc.clone(), NOW_UNIX + 86400))
            .collect(),
        ..TestPki::default()
    })
}

fn clocked(mut p: Pair) -> Pair {
    let now = p.now;
    p.a.set_unix_time(now, UnixTime(NOW_UNIX));
    p.b.set_unix_time(now, UnixTime(NOW_UNIX));
    p
}

fn failures(ev: &[Event]) -> Vec<IkeError> {
    ev.iter()
        .filter_map(|e| match e {
            Event::ExchangeFailed { error, .. } => Some(error.clone()),
            _ => None,
        })
        .collect()
}

const SCHEMES: [(&str, &str); 5] = [
    ("rsa-pkcs1-raw", "rsa signature"),
    ("ecdsa-p256-raw", "ecdsa signature"),
    ("ecdsa-p384-raw", "ecdsa signature"),
    ("bign-hbelt", "bign signature"),
    ("gost3410-2001-gostr3411-94", "gost signature"),
];

#[test]
fn signature_auth_for_every_scheme_in_both_modes() {
    for (scheme, shown) in SCHEMES {
        let method = SOFTWARE.signature(scheme).unwrap().ike_auth_method.unwrap();
        for mode in [Phase1Mode::Main, Phase1Mode::Aggressive] {
            let a = party(scheme, 1, "client.test", 600);
            let b = party(scheme, 2, "gateway.test", 600);
            let pki = pki_knowing(&[&a, &b]);
            let (ca, cb) = sig_configs(mode, (&a, pki.clone()), (&b, pki.clone()));
            assert_eq!(ca.ike_rules[0].auth_for(mode)[0].wire(), method);
            let mut p = clocked(Pair::with(ca, cb));
            p.acquire();
            p.run_for(Duration::from_secs(20));
            let (ra, rb) = (p.ready_a(), p.ready_b());
            assert_eq!(ra.len(), 1, "{scheme} {mode:?}: {:?}", p.events_a);
            assert_eq!(rb.len(), 1, "{scheme} {mode:?}: {:?}", p.events_b);
            assert_keys_match(ra[0], rb[0]);
            let show = p.a.show(p.now, true);
            assert!(show.contains(&format!("auth: {shown}")), "{show}");
            // our ID is the certificate subject, printed as DER hex
            let subject_hex: String = a.subject.iter().map(|b| format!("{b:02X}")).collect();
            assert!(
                show.contains(&format!("local identity (DER_ASN1_DN): {subject_hex}")),
                "{show}"
            );
            // CERTREQ was sent, so both sides sent their certificate
            assert_eq!(*pki.seen.lock().unwrap(), [1, 1], "{scheme} {mode:?}");
        }
    }
    assert_eq!(
        (
            SOFTWARE.signature("bign-hbelt").unwrap().ike_auth_method,
            SOFTWARE
                .signature("gost3410-2001-gostr3411-94")
                .unwrap()
                .ike_auth_method
        ),
        (Some(AUTH_BIGN_SIG), Some(AUTH_GOST_SIG))
    );
}

#[test]
fn certreq_and_send_cert_modes() {
    let a = party("ecdsa-p256-raw", 1, "client.test", 300);
    let b = party("ecdsa-p256-raw", 2, "gateway.test", 300);
    // no CERTREQ either way, certificates only when asked: nobody sends one, both look the
    // peer up by its ID among their partner certificates
    let pki = pki_knowing(&[&a, &b]);
    let (mut ca, mut cb) = sig_configs(Phase1Mode::Main, (&a, pki.clone()), (&b, pki.clone()));
    for c in [&mut ca, &mut cb] {
        let AuthMethod::Signature(s) = &mut c.ike_rules[0].main_mode_auth[0] else {
            unreachable!()
        };
        s.send_certreq = false;
    }
    let mut p = clocked(Pair::with(ca.clone(), cb.clone()));
    p.acquire();
    p.run_for(Duration::from_secs(20));
    assert_eq!(p.ready_a().len(), 1, "{:?}", p.events_a);
    assert_eq!(*pki.seen.lock().unwrap(), [0, 0]);
    // the responder sends its certificate always: the initiator sees one
    pki.seen.lock().unwrap().clear();
    let AuthMethod::Signature(s) = &mut cb.ike_rules[0].main_mode_auth[0] else {
        unreachable!()
    };
    s.send_cert = SendCert::Always;
    let mut p = clocked(Pair::with(ca.clone(), cb.clone()));
    p.acquire();
    p.run_for(Duration::from_secs(20));
    assert_eq!(p.ready_a().len(), 1);
    assert_eq!(*pki.seen.lock().unwrap(), [0, 1]);
    // a peer without a certificate we know fails with "no certificate"
    let lonely = Arc::new(TestPki::default());
    let AuthMethod::Signature(s) = &mut cb.ike_rules[0].main_mode_auth[0] else {
        unreachable!()
    };
    s.validator = lonely;
    let mut p = clocked(Pair::with(ca, cb));
    p.acquire();
    p.run_for(Duration::from_secs(20));
    assert!(p.ready_a().is_empty());
    assert!(
        failures(&p.events_b).contains(&IkeError::Certificate(CertError::NoCertificate)),
        "{:?}",
        p.events_b
    );
}

#[test]
fn certificate_refusals() {
    let run = |a: &Party, b: &Party, pki_a: Arc<TestPki>, pki_b: Arc<TestPki>, clock: bool| {
        let (ca, cb) = sig_configs(Phase1Mode::Main, (a, pki_a), (b, pki_b));
        let mut p = Pair::with(ca, cb);
        if clock {
            p = clocked(p);
        }
        p.acquire();
        p.run_for(Duration::from_secs(30));
        assert!(p.ready_a().is_empty() && p.ready_b().is_empty());
        (failures(&p.events_a), failures(&p.events_b))
    };
    let a = party("bign-hbelt", 1, "client.test", 200);
    let b = party("bign-hbelt", 2, "gateway.test", 200);
    // expired client certificate: the responder refuses it
    let mut pki = TestPki::default();
    pki.known.push((a.cert.clone(), a.pc.clone(), NOW_UNIX - 1));
    pki.known
        .push((b.cert.clone(), b.pc.clone(), NOW_UNIX + 1000));
    let pki = Arc::new(pki);
    let (_, fb) = run(&a, &b, pki.clone(), pki, true);
    assert_eq!(fb, [IkeError::Certificate(CertError::Expired)]);
    // revoked
    let pki = Arc::new(TestPki {
        known: pki_knowing(&[&a, &b]).known.clone(),
        revoked: vec![a.cert.clone()],
        ..TestPki::default()
    });
    let (_, fb) = run(&a, &b, pki.clone(), pki, true);
    assert_eq!(fb, [IkeError::Certificate(CertError::Revoked)]);
    // the client signs with a key that is not the certificate's
    let mut forged = party("bign-hbelt", 1, "client.test", 200);
    forged.key = key("bign-hbelt", 7);
    let pki = pki_knowing(&[&a, &b]);
    let (_, fb) = run(&forged, &b, pki.clone(), pki.clone(), true);
    assert_eq!(fb, [IkeError::AuthenticationFailed]);
    // the client's ID is not its certificate's subject
    let mut liar = party("bign-hbelt", 1, "client.test", 200);
    liar.subject = dn("admin.test");
    let (_, fb) = run(&liar, &b, pki.clone(), pki.clone(), true);
    assert_eq!(fb, [IkeError::InvalidIdentity]);
    // a GOST key where bign was negotiated
    let mut mixed = party("bign-hbelt", 1, "client.test", 200);
    mixed.pc.scheme = "gost3410-2001-gostr3411-94";
    let pki2 = pki_knowing(&[&mixed, &b]);
    let (_, fb) = run(&a, &b, pki2.clone(), pki2, true);
    assert_eq!(fb, [IkeError::Certificate(CertError::UnsupportedKey)]);
    // no wall clock given to the engine
    let (_, fb) = run(&a, &b, pki.clone(), pki, false);
    assert_eq!(fb, [IkeError::Certificate(CertError::NoTime)]);
}

// ---------------------------------------------------------------------------------------------
// XAuth and Mode Config

struct Users;
impl XauthVerifier for Users {
    fn verify(&self, user: &str, password: &[u8]) -> bool {
        user.starts_with("user") && password == b"secret"
    }
}

const GW: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 254);

fn gateway(pool: AddressPool, push: bool) -> Engine {
    let s = Setup::new(
        Phase1Mode::Main,
        ike("AES-K128-CBC", "SHA1", "ECP_256"),
        esp("AES-K128-CBC", Some("SHA1-H96-HMAC")),
    );
    let (_, mut c) = s.configs();
    c.pools.push(pool);
    let r = &mut c.ike_rules[0];
    r.xauth = Some(Xauth::Server(Arc::new(Users)));
    r.modecfg = ModeCfg::Server { pool: 0, push };
    c.ipsec_rules[0].local = Selector::subnet(Ipv4Addr::new(10, 99, 0, 0), 24);
    c.ipsec_rules[0].remote = Selector::subnet(Ipv4Addr::UNSPECIFIED, 0);
    engine(c, 9)
}

fn client(user: &str, password: &[u8], pull: bool, seed: u8) -> Engine {
    let s = Setup::new(
        Phase1Mode::Main,
        ike("AES-K128-CBC", "SHA1", "ECP_256"),
        esp("AES-K128-CBC", Some("SHA1-H96-HMAC")),
    );
    let (mut c, _) = s.configs();
    let r = &mut c.ike_rules[0];
    r.peers = vec![PeerMatch::Addr(GW)];
    r.xauth = Some(Xauth::Client {
        user: user.into(),
        password: PresharedKey::new(password),
    });
    r.modecfg = ModeCfg::Client { pull };
    let ip = &mut c.ipsec_rules[0];
    ip.peer = Some(GW);
    ip.local = Selector::subnet(Ipv4Addr::UNSPECIFIED, 0);
    ip.remote = Selector::subnet(Ipv4Addr::new(10, 99, 0, 0), 24);
    engine(c, seed)
}

fn client_addr(k: usize) -> Ipv4Addr {
    Ipv4Addr::new(198, 51, 100, k as u8 + 1)
}

fn pool_small() -> AddressPool {
    let mut p = AddressPool::range(
        "vpn",
        Ipv4Addr::new(10, 88, 0, 10),
        Ipv4Addr::new(10, 88, 0, 12),
    );
    p.dns = vec![Ipv4Addr::new(10, 99, 0, 53)];
    p.nbns = vec![Ipv4Addr::new(10, 99, 0, 54)];
    p.split = vec![
        Selector::subnet(Ipv4Addr::new(10, 99, 0, 0), 24),
        Selector::subnet(Ipv4Addr::new(172, 16, 0, 0), 12),
    ];
    p
}

fn acquire(n: &mut Net, k: usize) {
    let now = n.now;
    let local = n.nodes[k].0;
    n.nodes[k]
        .1
        .acquire(
            now,
            zubr_ike::Acquire {
                rule: 0,
                peer: None,
                local,
            },
        )
        .unwrap();
}

fn received(ev: &[Event]) -> Vec<zubr_ike::engine::ModeConfig> {
    ev.iter()
        .filter_map(|e| match e {
            Event::ModeConfigReceived { config, .. } => Some(config.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn gateway_pool_serves_several_clients_pull_and_push() {
    for push in [false, true] {
        let mut nodes = vec![(GW, gateway(pool_small(), push))];
        for k in 0..4 {
            nodes.push((
                client_addr(k),
                client(&format!("user{k}"), b"secret", !push, k as u8 + 20),
            ));
        }
        let mut n = Net::new(nodes);
        for k in 1..=3 {
            acquire(&mut n, k);
        }
        // while XAuth runs the ISAKMP SA is listed as `configuration`
        let mut saw_configuration = false;
        for _ in 0..40 {
            n.run_for(Duration::from_millis(2));
            saw_configuration |= n.nodes[1].1.show(n.now, false).contains(" configuration ");
        }
        assert!(saw_configuration);
        n.run_for(Duration::from_secs(20));
        let mut addrs = Vec::new();
        for k in 1..=3 {
            let cfgs = received(&n.events[k]);
            assert_eq!(cfgs.len(), 1, "push={push} client {k}: {:?}", n.events[k]);
            let c = &cfgs[0];
            let a = c.address.unwrap();
            assert_eq!(c.dns, [Ipv4Addr::new(10, 99, 0, 53)]);
            assert_eq!(c.nbns, [Ipv4Addr::new(10, 99, 0, 54)]);
            assert_eq!(c.netmask, Some(Ipv4Addr::new(255, 255, 255, 255)));
            assert_eq!(c.split_include, pool_small().split);
            // Quick Mode used the assigned address as our selector
            let r = n.ready(k);
            assert_eq!(r.len(), 1, "{:?}", n.events[k]);
            assert_eq!(r[0].local_ts, Selector::host(a));
            let show = n.nodes[k].1.show(n.now, true);
            assert!(show.contains(&format!("IKECFG address: {a}")), "{show}");
            assert!(show.contains("status: active"), "{show}");
            assert!(n.events[k].iter().any(|e| matches!(
                e,
                Event::XauthDone { ok: true, user, .. } if *user == format!("user{}", k - 1)
            )));
            addrs.push(a);
        }
        addrs.sort();
        assert_eq!(
            addrs,
            [10, 11, 12].map(|x| Ipv4Addr::new(10, 88, 0, x)),
            "distinct addresses"
        );
        assert_eq!(n.ready(0).len(), 3);
        // a fourth client: the pool is exhausted, the gateway says so and drops the SA
        acquire(&mut n, 4);
        n.run_for(Duration::from_secs(20));
        assert!(received(&n.events[4]).is_empty());
        assert!(n.ready(4).is_empty());
        assert!(
            failures(&n.events[0]).contains(&IkeError::PoolExhausted),
            "{:?}",
            n.events[0]
        );
        // the client learns of it by the gateway's Delete (or its own configuration timeout)
        assert!(n.events[4].iter().any(|e| matches!(
            e,
            Event::IsakmpSaDeleted { .. } | Event::ExchangeFailed { .. }
        )));
    }
}

#[test]
fn tranches_are_aligned_and_kept_for_a_returning_user() {
    let mut pool = AddressPool::range(
        "t",
        Ipv4Addr::new(10, 90, 0, 2),
        Ipv4Addr::new(10, 90, 0, 15),
    );
    pool.tranche = 30;
    assert_eq!(
        pool.tranches(10),
        [(4, 7), (8, 11), (12, 15)]
            .map(|(a, b)| (Ipv4Addr::new(10, 90, 0, a), Ipv4Addr::new(10, 90, 0, b)))
    );
    let nodes = vec![
        (GW, gateway(pool, false)),
        (client_addr(0), client("user-a", b"secret", true, 31)),
        (client_addr(1), client("user-b", b"secret", true, 32)),
    ];
    let mut n = Net::new(nodes);
    acquire(&mut n, 1);
    n.run_for(Duration::from_secs(10));
    acquire(&mut n, 2);
    n.run_for(Duration::from_secs(10));
    let a1 = received(&n.events[1])[0].address.unwrap();
    let b1 = received(&n.events[2])[0].address.unwrap();
    assert_eq!(
        (a1, b1),
        (Ipv4Addr::new(10, 90, 0, 4), Ipv4Addr::new(10, 90, 0, 8))
    );
    assert_eq!(
        received(&n.events[1])[0].netmask,
        Some(Ipv4Addr::new(255, 255, 255, 252))
    );
    assert!(n.events[0].iter().any(|e| matches!(
        e,
        Event::ModeConfigAssigned { tranche, user: Some(u), .. }
            if *tranche == Selector::subnet(Ipv4Addr::new(10, 90, 0, 4), 30) && u == "user-a"
    )));
    // user-a leaves and comes back: the same tranche
    let now = n.now;
    n.nodes[1].1.clear_all(now, false);
    n.run_for(Duration::from_secs(5));
    n.events[1].clear();
    acquire(&mut n, 1);
    n.run_for(Duration::from_secs(10));
    assert_eq!(received(&n.events[1])[0].address, Some(a1));
}

#[test]
fn xauth_failure_deletes_the_sa() {
    let nodes = vec![
        (GW, gateway(pool_small(), false)),
        (client_addr(0), client("user0", b"wrong", true, 40)),
    ];
    let mut n = Net::new(nodes);
    acquire(&mut n, 1);
    n.run_for(Duration::from_secs(30));
    for k in [0, 1] {
        assert!(
            n.events[k]
                .iter()
                .any(|e| matches!(e, Event::XauthDone { ok: false, .. })),
            "{k}: {:?}",
            n.events[k]
        );
        assert!(failures(&n.events[k]).contains(&IkeError::XauthFailed));
        assert!(n.ready(k).is_empty());
        assert!(received(&n.events[k]).is_empty());
    }
    // no address was handed out
    assert!(
        !n.events[0]
            .iter()
            .any(|e| matches!(e, Event::ModeConfigAssigned { .. }))
    );
    assert!(n.nodes[1].1.show(n.now, false).contains(" deleted "));
}

#[test]
fn xauth_and_mode_config_survive_a_lossy_network() {
    for seed in 0..6 {
        let nodes = vec![
            (GW, gateway(pool_small(), seed % 2 == 1)),
            (
                client_addr(0),
                client("user0", b"secret", seed % 2 == 0, 50),
            ),
        ];
        let mut n = Net::new(nodes);
        n.link.rng = Lcg(seed);
        n.link.loss = 20;
        n.link.dup = 20;
        n.link.reorder = 30;
        acquire(&mut n, 1);
        n.run_for(Duration::from_secs(60));
        assert_eq!(
            received(&n.events[1]).len(),
            1,
            "seed {seed}: {:?}",
            n.events[1]
        );
        assert_eq!(n.ready(1).len(), 1, "seed {seed}: {:?}", n.events[1]);
        assert_keys_match(n.ready(1)[0], n.ready(0)[0]);
    }
}

// ---------------------------------------------------------------------------------------------
// IKE fragmentation

fn fragments_in(sent: &[zubr_ike::Transmit]) -> usize {
    sent.iter()
        .filter(|t| {
            let b = if t.local.port() == 4500 {
                &t.payload[4..]
            } else {
                &t.payload[..]
            };
            Message::parse(b).is_ok_and(|m| m.header.next_payload == PayloadType::FRAGMENT)
        })
        .count()
}

#[test]
fn big_certificates_go_in_fragments_under_loss_reordering_duplication() {
    for seed in 0..10 {
        let mode = if seed % 2 == 0 {
            Phase1Mode::Main
        } else {
            Phase1Mode::Aggressive
        };
        let a = party("rsa-pkcs1-raw", 1, "client.test", 3000);
        // one RSA test key serves both sides (their certificates differ)
        let b = party("rsa-pkcs1-raw", 2, "gateway.test", 2500);
        let pki = pki_knowing(&[&a, &b]);
        let (mut ca, mut cb) = sig_configs(mode, (&a, pki.clone()), (&b, pki));
        ca.params.fragment_size = 400;
        cb.params.fragment_size = 500;
        let mut nodes = vec![(A, engine(ca, 1)), (B, engine(cb, 2))];
        for n in &mut nodes {
            n.1.set_unix_time(Instant::from_secs(1000), UnixTime(NOW_UNIX));
        }
        let mut n = Net::new(nodes);
        n.link.rng = Lcg(seed + 100);
        n.link.loss = if seed < 2 { 0 } else { 8 };
        n.link.dup = 20;
        n.link.reorder = 40;
        acquire(&mut n, 0);
        n.run_for(Duration::from_secs(60));
        assert_eq!(n.ready(0).len(), 1, "seed {seed}: {:?}", n.events[0]);
        assert_eq!(n.ready(1).len(), 1, "seed {seed}: {:?}", n.events[1]);
        assert_keys_match(n.ready(0)[0], n.ready(1)[0]);
        // the certificate-carrying messages really were fragmented, within the size limit
        assert!(fragments_in(&n.sent[0]) >= 8, "seed {seed}");
        assert!(fragments_in(&n.sent[1]) >= 6, "seed {seed}");
        for (k, limit) in [(0, 400), (1, 500)] {
            for t in &n.sent[k] {
                assert!(
                    t.payload.len() + 28 <= limit,
                    "{} > {limit}",
                    t.payload.len()
                );
            }
        }
    }
}

#[test]
fn no_fragments_without_the_vendor_id() {
    let a = party("ecdsa-p256-raw", 1, "client.test", 2000);
    let b = party("ecdsa-p256-raw", 2, "gateway.test", 2000);
    let pki = pki_knowing(&[&a, &b]);
    let (mut ca, mut cb) = sig_configs(Phase1Mode::Main, (&a, pki.clone()), (&b, pki));
    ca.params.fragment_size = 576;
    cb.params.fragment_size = 0;
    let mut p = clocked(Pair::with(ca, cb));
    p.acquire();
    p.run_for(Duration::from_secs(20));
    assert_eq!(p.ready_a().len(), 1, "{:?}", p.events_a);
    // B did not announce support, so A sent its 2 KB MM5 whole
    let show = p.a.show(p.now, false);
    assert!(show.contains("active"), "{show}");
}

#[test]
fn reassembly_is_bounded() {
    let s = Setup::new(
        Phase1Mode::Main,
        ike("AES-K128-CBC", "SHA1", "ECP_256"),
        esp("AES-K128-CBC", Some("SHA1-H96-HMAC")),
    );
    let mut p = Pair::new(&s);
    p.acquire();
    p.run_for(Duration::from_secs(10));
    assert_eq!(p.ready_a().len(), 1);
    // B's view of the SA's cookies, from A's last message
    let info = p.b.isakmp_list(p.now);
    let (ic, rc) = info[0].cookies;
    let frag = |id: u16, number: u8, flags: u8, data: &[u8]| {
        let mut body = Vec::new();
        codec::FragmentPayload {
            id,
            number,
            flags,
            data,
        }
        .emit(&mut body);
        let mut w = codec::PayloadWriter::new();
        w.push(PayloadType::FRAGMENT, &body).unwrap();
        let h = codec::Header {
            icookie: ic,
            rcookie: rc,
            next_payload: PayloadType::FRAGMENT,
            version: 0x10,
            exchange: codec::ExchangeType::IDENTITY_PROTECTION,
            flags: 0,
            message_id: 0,
            length: 0,
        };
        let mut m = vec![0, 0, 0, 0];
        m.extend(codec::assemble(h, w.bytes()).unwrap());
        m
    };
    let (la, lb) = (addr(A, 4500), addr(B, 4500));
    let now = p.now;
    // 255 fragments of 400 bytes exceed the 64 KiB bound: refused before that
    let mut refused = false;
    for k in 1..=255u8 {
        let r =
            p.b.handle_datagram(now, lb, la, &frag(7, k, 0, &[0xab; 400]));
        if r == Err(zubr_ike::Ignored::LimitReached) {
            refused = true;
            assert!(usize::from(k) * 400 > 64 * 1024);
            break;
        }
    }
    assert!(refused);
    // duplicates, a second "last", fragments past the last, a fragment number 0
    assert!(
        p.b.handle_datagram(now, lb, la, &frag(8, 2, 0, b"xx"))
            .is_ok()
    );
    assert_eq!(
        p.b.handle_datagram(now, lb, la, &frag(8, 2, 0, b"xx")),
        Err(zubr_ike::Ignored::Duplicate)
    );
    assert!(
        p.b.handle_datagram(now, lb, la, &frag(8, 3, 1, b"xx"))
            .is_ok()
    );
    assert!(
        p.b.handle_datagram(now, lb, la, &frag(8, 4, 0, b"xx"))
            .is_err()
    );
    assert!(
        p.b.handle_datagram(now, lb, la, &frag(9, 0, 1, b"xx"))
            .is_err()
    );
    // garbage reassembled is just a malformed message: the SA survives
    assert!(
        p.b.handle_datagram(now, lb, la, &frag(10, 1, 1, b"garbage"))
            .is_err()
    );
    assert!(p.b.show(now, false).contains("active"));
}
