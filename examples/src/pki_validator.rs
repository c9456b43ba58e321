//! Signature authentication from files for `zubr connect --cert --key --ca`. The bridge between
//! `zubr-ike`'s `CertificateValidator` and the `zubr-pki` store is the agent's
//! [`StoreValidator`] (`zubr_agent::certs`, re-exported here). [`signature_auth`] loads our
//! certificate, key and CAs from files into a [`Store`]; the tests below check the validator's
//! verdicts and two Zubr engines authenticating each other through it.
//!
//! Must not: trust a certificate the peer sent unless it chains to a trusted CA of the store, or
//! accept a peer key whose algorithm does not match the negotiated method (IKE checks the
//! scheme).

use std::sync::{Arc, RwLock};

use zubr_crypto_stb::SOFTWARE;
use zubr_ike::config::{AuthMethod, SignatureAuth};
use zubr_pki::store::ImportMode;
use zubr_pki::{Certificate, CrlMode, KeyUse, Object, Store};

pub use zubr_agent::certs::StoreValidator;

fn read_objects(path: &str) -> Result<Vec<Object>, String> {
    let data = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    zubr_pki::parse(&SOFTWARE, &data, None).map_err(|e| format!("{path}: {e}"))
}

/// Signature authentication from files: our certificate (`cert`, PEM or DER; further
/// certificates in it are sent as the chain), our private key (`key`: PKCS#8, PKCS#1 or SEC1,
/// PEM or DER) and the trusted CAs (`cas`), CRL mode OPTIONAL.
pub fn signature_auth(cert: &str, key: &str, cas: &[String]) -> Result<AuthMethod, String> {
    let certs: Vec<Certificate> = read_objects(cert)?
        .into_iter()
        .filter_map(|o| match o {
            Object::Certificate(c) => Some(c),
            _ => None,
        })
        .collect();
    let private = read_objects(key)?
        .into_iter()
        .find_map(|o| match o {
            Object::PrivateKey(k) => Some(k),
            _ => None,
        })
        .ok_or(format!("{key}: no private key"))?;
    let ours = certs
        .iter()
        .find(|c| private.matches(c.public_key()))
        .ok_or(format!("{cert}: no certificate for the key in {key}"))?;
    let mut chain = vec![ours.der().to_vec()];
    chain.extend(
        certs
            .iter()
            .filter(|c| *c != ours)
            .map(|c| c.der().to_vec()),
    );
    let mut store = Store::new();
    for ca in cas {
        store
            .import(read_objects(ca)?, ImportMode::Trusted)
            .map_err(|e| format!("{ca}: {e}"))?;
    }
    let signer = private
        .signing_key(KeyUse::Ike)
        .map_err(|e| format!("{key}: {e}"))?;
    let validator = Arc::new(StoreValidator::new(
        SOFTWARE,
        Arc::new(RwLock::new(store)),
        CrlMode::Optional,
    ));
    let mut auth = SignatureAuth::new(&SOFTWARE, Arc::from(signer), chain, validator)
        .map_err(|e| e.to_string())?;
    auth.subject = Some(ours.subject().der().to_vec());
    Ok(AuthMethod::Signature(auth))
}

#[cfg(test)]
mod tests {
    use super::*;
    use zubr_base::UnixTime;
    use zubr_ike::config::{AltName, CertError, CertificateValidator, Identity};
    use zubr_pki::builder::{CertificateBuilder, CrlBuilder};
    use zubr_pki::{DistinguishedName, GeneralName, KeyKind, PrivateKey};

    /// A validator over a store the test can still write to.
    fn validator(store: Store) -> (StoreValidator, Arc<RwLock<Store>>) {
        let shared = Arc::new(RwLock::new(store));
        (
            StoreValidator::new(SOFTWARE, shared.clone(), CrlMode::Optional),
            shared,
        )
    }

    const NOW: i64 = 1_800_000_000;
    const YEAR: i64 = 365 * 86_400;

    /// The adapter's verdicts for CERT payloads: chain to the trusted CA through an
    /// intermediate the peer sent, identity binding, CERTREQ names, and the error mapping.
    #[test]
    fn validates_cert_payloads() {
        let mut rng = SOFTWARE.drbg.instantiate(&[9; 32]).unwrap();
        let kind = KeyKind::EcP256;
        let root_k = PrivateKey::generate(kind, &mut *rng).unwrap();
        let rs = root_k.signing_key(KeyUse::Certificate).unwrap();
        let root = CertificateBuilder::new("C=BY,CN=Root", 1, NOW - YEAR, NOW + YEAR)
            .unwrap()
            .ca(None)
            .sign(&root_k.public_key().unwrap(), None, &*rs, &mut *rng)
            .unwrap();
        let int_k = PrivateKey::generate(kind, &mut *rng).unwrap();
        let is = int_k.signing_key(KeyUse::Certificate).unwrap();
        let int = CertificateBuilder::new("C=BY,CN=Sub", 2, NOW - YEAR, NOW + YEAR)
            .unwrap()
            .ca(None)
            .sign(&int_k.public_key().unwrap(), Some(&root), &*rs, &mut *rng)
            .unwrap();
        let leaf_k = PrivateKey::generate(kind, &mut *rng).unwrap();
        let mut b =
            CertificateBuilder::new("C=BY,O=Zubr,CN=gw", 3, NOW - YEAR, NOW + YEAR / 2).unwrap();
        b.subject_alt_names = vec![GeneralName::Dns("gw.zubr.by".into())];
        let leaf = b
            .sign(&leaf_k.public_key().unwrap(), Some(&int), &*is, &mut *rng)
            .unwrap();
        let mut store = Store::new();
        store.add_trusted(root.clone()).unwrap();
        let (v, shared) = validator(store);
        assert_eq!(v.authorities(), vec![root.subject().der().to_vec()]);
        let at = UnixTime::from_secs(NOW);
        let payloads: [&[u8]; 2] = [int.der(), leaf.der()];
        let id = Identity::Fqdn("gw.zubr.by".into());
        let p = v.validate(&payloads, Some(&id), at).unwrap();
        assert_eq!(p.scheme, "ecdsa-p256-raw");
        assert_eq!(p.public_key, leaf.public_key().key);
        assert_eq!(p.alt_names, [AltName::Dns("gw.zubr.by".into())]);
        assert!(v.identity_matches(&p, &id));
        // the DN in another spelling (lower-case attribute values) still matches
        let dn = DistinguishedName::from_text("c=by,o=zubr,cn=GW").unwrap();
        assert!(v.identity_matches(&p, &Identity::DerAsn1Dn(dn.der().to_vec())));
        assert!(!v.identity_matches(&p, &Identity::Fqdn("other.zubr.by".into())));
        // without the intermediate: can not be verified; later: expired; garbage: invalid
        assert_eq!(
            v.validate(&[leaf.der()], None, at),
            Err(CertError::Untrusted)
        );
        assert_eq!(
            v.validate(&payloads, None, UnixTime::from_secs(NOW + YEAR)),
            Err(CertError::Expired)
        );
        assert_eq!(
            v.validate(&payloads, None, UnixTime::from_secs(NOW - 2 * YEAR)),
            Err(CertError::NotYetValid)
        );
        assert_eq!(v.validate(&[b"junk"], None, at), Err(CertError::Invalid));
        assert_eq!(v.validate(&[], None, at), Err(CertError::NoCertificate));
        // revoked by the intermediate's CRL
        let crl = CrlBuilder {
            this_update: NOW - 60,
            next_update: Some(NOW + 86_400),
            revoked: vec![(vec![3], NOW - 60)],
            number: 1,
        }
        .sign(&int, &*is, &mut *rng)
        .unwrap();
        shared.write().unwrap().add_crl(crl).unwrap();
        assert_eq!(v.validate(&payloads, None, at), Err(CertError::Revoked));
        // a partner certificate held in the store, found by the peer's ID
        shared.write().unwrap().add_remote(int.clone()).unwrap();
        shared.write().unwrap().add_remote(leaf.clone()).unwrap();
        assert_eq!(v.validate(&[], Some(&id), at), Err(CertError::Revoked));
    }

    mod zz {
        //! Two Zubr engines with signature authentication through `StoreValidator`.
        use super::*;
        use std::net::Ipv4Addr;
        use std::time::Duration;
        use zubr_base::Instant;
        use zubr_ike::config::{
            Config, EspTransform, IkeRule, IkeTransform, IpsecMode, IpsecRule, PeerMatch,
            Phase1Mode, Selector,
        };
        use zubr_ike::engine::{Acquire, Event};
        use zubr_ike::{Engine, IpsecSaPair};
        use zubr_pki::testing::TestCa;

        pub const A: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
        pub const B: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);

        pub struct Side {
            pub auth: AuthMethod,
            pub store: Arc<RwLock<Store>>,
            pub cert: Certificate,
        }

        /// The test CA of a test, with a `kind` key.
        pub fn ca(kind: KeyKind, seed: u8) -> TestCa {
            TestCa::new(kind, "C=BY,O=Zubr,CN=CA", seed, (NOW - YEAR, NOW + YEAR))
        }

        /// An end entity of `pki` with a `kind` key whose store trusts `trusted`.
        pub fn side(
            pki: &mut TestCa,
            kind: KeyKind,
            cn: &str,
            serial: u64,
            trusted: &Certificate,
        ) -> Side {
            let (cert, k) = pki.issue(kind, cn, serial, (NOW - YEAR, NOW + YEAR));
            let mut store = Store::new();
            store.add_trusted(trusted.clone()).unwrap();
            let (validator, store) = validator(store);
            let validator = Arc::new(validator);
            let signer = k.signing_key(KeyUse::Ike).unwrap();
            let mut auth = SignatureAuth::new(
                &SOFTWARE,
                Arc::from(signer),
                vec![cert.der().to_vec()],
                validator,
            )
            .unwrap();
            auth.subject = Some(cert.subject().der().to_vec());
            Side {
                auth: AuthMethod::Signature(auth),
                store,
                cert,
            }
        }

        fn config(auth: AuthMethod, initiator: bool, ike_life: u32, esp_life: u32) -> Config {
            let ike = IkeTransform {
                cipher: SOFTWARE.ike_cipher_by_name("AES-K128-CBC").unwrap(),
                hash: SOFTWARE.ike_hash_by_name("SHA1").unwrap(),
                group: SOFTWARE.group_by_name("ECP_256").unwrap(),
                lifetime_secs: ike_life,
                lifetime_kb: 0,
            };
            let esp = EspTransform {
                cipher: SOFTWARE.esp_cipher_by_name("AES-K128-CBC").unwrap(),
                integrity: Some(SOFTWARE.integrity_by_name("SHA1-H96-HMAC").unwrap()),
                lifetime_secs: esp_life,
                lifetime_kb: 0,
            };
            let net_a = Selector::subnet(Ipv4Addr::new(10, 1, 0, 0), 24);
            let net_b = Selector::subnet(Ipv4Addr::new(10, 2, 0, 0), 24);
            let (peer, l, r, p) = if initiator {
                (PeerMatch::Addr(B), net_a, net_b, Some(B))
            } else {
                (PeerMatch::Any, net_b, net_a, None)
            };
            let mut rule = IkeRule::psk("r", vec![peer], Phase1Mode::Main, b"unused", vec![ike]);
            rule.main_mode_auth = vec![auth];
            let mut c = Config::default();
            c.ike_rules.push(rule);
            c.ipsec_rules.push(IpsecRule {
                name: "f".into(),
                action_name: "a".into(),
                local: l,
                remote: r,
                peer: p,
                mode: IpsecMode::Tunnel,
                proposals: vec![esp],
                pfs: None,
                ike_rule: None,
                rekey: true,
            });
            c
        }

        /// The engines, the clock, and what each side reported.
        pub struct Pair {
            pub a: Engine,
            pub b: Engine,
            pub now: Instant,
            pub ready_a: Vec<IpsecSaPair>,
            pub ready_b: Vec<IpsecSaPair>,
            pub p1_b: usize,
            pub deleted_a: usize,
            pub failed_a: Vec<String>,
            pub failed_b: Vec<String>,
        }

        impl Pair {
            pub fn new(a: AuthMethod, b: AuthMethod, ike_life: u32, esp_life: u32) -> Pair {
                let now = Instant::from_secs(1000);
                let mut ea =
                    Engine::new(config(a, true, ike_life, esp_life), SOFTWARE, &[1; 32]).unwrap();
                let mut eb =
                    Engine::new(config(b, false, ike_life, esp_life), SOFTWARE, &[2; 32]).unwrap();
                ea.set_unix_time(now, UnixTime::from_secs(NOW));
                eb.set_unix_time(now, UnixTime::from_secs(NOW));
                ea.acquire(
                    now,
                    Acquire {
                        rule: 0,
                        peer: None,
                        local: A,
                    },
                )
                .unwrap();
                Pair {
                    a: ea,
                    b: eb,
                    now,
                    ready_a: Vec::new(),
                    ready_b: Vec::new(),
                    p1_b: 0,
                    deleted_a: 0,
                    failed_a: Vec::new(),
                    failed_b: Vec::new(),
                }
            }

            /// Delivers datagrams at once; when idle, steps the clock by one second until
            /// `secs` have passed.
            pub fn run(&mut self, secs: u64) {
                let until = self.now + Duration::from_secs(secs);
                for _ in 0..100_000 {
                    let mut moved = false;
                    while let Some(t) = self.a.poll_transmit() {
                        moved = true;
                        let _ = self
                            .b
                            .handle_datagram(self.now, t.remote, t.local, &t.payload);
                    }
                    while let Some(t) = self.b.poll_transmit() {
                        moved = true;
                        let _ = self
                            .a
                            .handle_datagram(self.now, t.remote, t.local, &t.payload);
                    }
                    while let Some(e) = self.a.poll_event() {
                        match e {
                            Event::IpsecSaReady(p) => self.ready_a.push(*p),
                            Event::IpsecSaDeleted { .. } => self.deleted_a += 1,
                            Event::ExchangeFailed { .. } => self.failed_a.push(format!("{e:?}")),
                            _ => {}
                        }
                    }
                    while let Some(e) = self.b.poll_event() {
                        match e {
                            Event::IpsecSaReady(p) => self.ready_b.push(*p),
                            Event::Phase1Established { .. } => self.p1_b += 1,
                            Event::ExchangeFailed { .. } => self.failed_b.push(format!("{e:?}")),
                            _ => {}
                        }
                    }
                    if !moved {
                        if self.now >= until {
                            return;
                        }
                        self.now += Duration::from_secs(1);
                        // traffic flows through A's newest tunnel (idle SAs are not rekeyed)
                        if let Some(sa) = self.ready_a.last() {
                            self.a.note_traffic(self.now, sa.id, (100, 1), (100, 1));
                        }
                        self.a.handle_timeout(self.now);
                        self.b.handle_timeout(self.now);
                    }
                }
                panic!("did not settle");
            }
        }
    }

    /// Two Zubr engines authenticate each other with bign (65301) and GOST R 34.10-2001
    /// (65302) certificates through `StoreValidator`: phase 1 and Quick Mode complete and the
    /// keys agree. A responder whose store trusts a different CA refuses the initiator.
    #[test]
    fn zubr_to_zubr_bign_and_gost() {
        use zubr_crypto_stb::gost::r3410;
        for (kind, method, trust_same) in [
            (KeyKind::Bign256, "bign signature", true),
            (
                KeyKind::Gost2001(&r3410::CRYPTOPRO_A),
                "gost signature",
                true,
            ),
            (KeyKind::Bign256, "bign signature", false),
        ] {
            let mut pki = zz::ca(kind, 5);
            let other = zz::ca(kind, 6);
            let ca = pki.cert.clone();
            let a = zz::side(&mut pki, kind, "C=BY,O=Zubr,CN=client", 2, &ca);
            let b = zz::side(
                &mut pki,
                kind,
                "C=BY,O=Zubr,CN=gateway",
                3,
                if trust_same { &ca } else { &other.cert },
            );
            assert_eq!(a.auth.display_name(), method);
            let mut p = zz::Pair::new(a.auth, b.auth, 28800, 3600);
            p.run(10);
            if trust_same {
                assert_eq!((p.ready_a.len(), p.ready_b.len()), (1, 1), "{method}");
                assert_eq!(p.ready_a[0].outbound.spi, p.ready_b[0].inbound.spi);
                assert_eq!(
                    &p.ready_a[0].outbound.enc_key[..],
                    &p.ready_b[0].inbound.enc_key[..]
                );
            } else {
                assert_eq!((p.ready_a.len(), p.ready_b.len(), p.p1_b), (0, 0, 0));
            }
        }
    }

    /// mGuard behaviour: the gateway learns (a new CRL in its store) that the client's
    /// certificate was revoked after the tunnel came up. The tunnel stays; the next phase 1
    /// (the rekey once the ISAKMP SA has expired) is refused.
    #[test]
    fn revoked_after_tunnel_up_fails_at_rekey() {
        let mut pki = zz::ca(KeyKind::Bign256, 7);
        let ca = pki.cert.clone();
        let a = zz::side(&mut pki, KeyKind::Bign256, "C=BY,O=Zubr,CN=client", 2, &ca);
        let b = zz::side(&mut pki, KeyKind::Bign256, "C=BY,O=Zubr,CN=gateway", 3, &ca);
        let gw = b.store.clone();
        // ISAKMP SA 60 s, IPsec SA 200 s (the initiator rekeys it at 90 %: 180 s)
        let mut p = zz::Pair::new(a.auth, b.auth, 60, 200);
        p.run(5);
        assert_eq!((p.ready_a.len(), p.p1_b), (1, 1));
        let crl = CrlBuilder {
            this_update: NOW,
            next_update: Some(NOW + YEAR),
            revoked: vec![(a.cert.serial().to_vec(), NOW)],
            number: 1,
        }
        .sign(
            &ca,
            &*pki.key.signing_key(KeyUse::Certificate).unwrap(),
            &mut *pki.rng,
        )
        .unwrap();
        gw.write().unwrap().add_crl(crl).unwrap();
        // until the rekey the tunnel is untouched
        p.run(150);
        assert_eq!((p.ready_a.len(), p.deleted_a), (1, 0), "{:?}", p.failed_a);
        // the rekey needs a new phase 1, which the gateway refuses: no new SA pair
        // (the old pair then runs out at its hard lifetime, 200 s)
        p.run(120);
        assert_eq!(p.ready_a.len(), 1, "a revoked peer got a new SA");
        assert_eq!(p.p1_b, 1, "a revoked peer passed phase 1 again");
        assert!(
            p.failed_b
                .iter()
                .any(|f| f.contains("Certificate(Revoked)")),
            "{:?}",
            p.failed_b
        );
        assert_eq!(p.deleted_a, 1, "the old pair expires");
        assert!(
            !p.failed_a.is_empty(),
            "the initiator's rekey is reported failed"
        );
    }
}
