//! zubr-pki against independent references: certificates, CRLs, PKCS#8/#12 and PKCS#7 made by
//! OpenSSL (tests/data/openssl, `gen.sh`), the published bign certificates of bpki
//! (tests/data/bpki), and bign / GOST R 34.10-2001 hierarchies built and signed here with the
//! provider (their signatures verified through the provider's own KAT-checked verifiers).
//! Every `cert_mgr check` status and reason is provoked; the CRL modes are table-tested.

use zubr_base::UnixTime;
use zubr_crypto_stb::SOFTWARE;
use zubr_crypto_stb::gost::r3410;
use zubr_pki::builder::{CertificateBuilder, CrlBuilder, certificate_request};
use zubr_pki::report::{self, Item};
use zubr_pki::store::{ImportMode, KeyAccess, KeyContainers, KeyRef, NoContainers};
use zubr_pki::validate::{self, ChainError, CrlFetcher, CrlStatus, Policy, ValidationError};
use zubr_pki::{
    CertSelector, Certificate, CrlMode, DistinguishedName, GeneralName, Identity, IdentityPattern,
    KeyKind, KeyUse, Object, PrivateKey, Reason, Role, Status, Store,
};

const DAY: i64 = 86_400;
const YEAR: i64 = 365 * DAY;
/// 2027-01-01: inside the OpenSSL fixtures' validity (made 2026-11-23, ten years).
const NOW: i64 = 1_798_761_600;

fn data(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn one_cert(name: &str) -> Certificate {
    match zubr_pki::parse(&SOFTWARE, &data(name), None)
        .unwrap()
        .remove(0)
    {
        Object::Certificate(c) => c,
        o => panic!("{name}: {o:?}"),
    }
}

fn at(t: i64) -> UnixTime {
    UnixTime::from_secs(t)
}

/// A fresh DRBG per call (distinct seeds: every key in a test is different).
fn rng() -> Box<dyn zubr_crypto_stb::Rng> {
    static N: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    SOFTWARE.drbg.instantiate(&[n; 32]).unwrap()
}

/// A CA (serial 1) and a leaf (serial 2) of `kind`, leaf valid [nb, na].
struct Pki {
    ca_key: PrivateKey,
    ca: Certificate,
    leaf_key: PrivateKey,
    leaf: Certificate,
}

fn pki(kind: KeyKind, nb: i64, na: i64) -> Pki {
    let mut r = rng();
    let ca_key = PrivateKey::generate(kind, &mut *r).unwrap();
    let ca_signer = ca_key.signing_key(KeyUse::Certificate).unwrap();
    let ca = CertificateBuilder::new("C=BY,O=Zubr,CN=Test CA", 1, NOW - 5 * YEAR, NOW + 5 * YEAR)
        .unwrap()
        .ca(None)
        .sign(&ca_key.public_key().unwrap(), None, &*ca_signer, &mut *r)
        .unwrap();
    let leaf_key = PrivateKey::generate(kind, &mut *r).unwrap();
    let mut b = CertificateBuilder::new("C=BY,O=Zubr,OU=VPN,CN=gw-01", 2, nb, na).unwrap();
    b.subject_alt_names = vec![
        GeneralName::Dns("gw-01.zubr.by".into()),
        GeneralName::Email("vpn@zubr.by".into()),
        GeneralName::Ip(vec![10, 0, 0, 1]),
    ];
    b.crl_distribution_points = vec!["http://ca.zubr.by/ca.crl".into()];
    let leaf = b
        .sign(
            &leaf_key.public_key().unwrap(),
            Some(&ca),
            &*ca_signer,
            &mut *r,
        )
        .unwrap();
    Pki {
        ca_key,
        ca,
        leaf_key,
        leaf,
    }
}

fn crl(p: &Pki, this: i64, next: i64, revoked: &[u64]) -> zubr_pki::Crl {
    let mut r = rng();
    CrlBuilder {
        this_update: this,
        next_update: Some(next),
        revoked: revoked
            .iter()
            .map(|s| (s.to_be_bytes().to_vec(), this))
            .collect(),
        number: 1,
    }
    .sign(
        &p.ca,
        &*p.ca_key.signing_key(KeyUse::Certificate).unwrap(),
        &mut *r,
    )
    .unwrap()
}

fn check(store: &Store, index: usize, t: i64) -> Status {
    validate::check(
        &SOFTWARE,
        store,
        index,
        at(t),
        CrlMode::Optional,
        &NoContainers,
    )
    .unwrap()
}

// ---------------------------------------------------------------- OpenSSL fixtures

#[test]
fn openssl_rsa_and_ecdsa_chains_validate() {
    for a in ["rsa", "ec"] {
        let ca = one_cert(&format!("openssl/{a}-ca.pem"));
        let leaf = one_cert(&format!("openssl/{a}-leaf.pem"));
        assert_eq!(
            leaf.subject().to_string(),
            "C=BY,O=Zubr Test,OU=VPN,CN=gw-01"
        );
        assert_eq!(
            leaf.issuer().to_string(),
            format!("C=BY,O=Zubr Test,CN=Zubr {a} CA")
        );
        assert_eq!(leaf.serial(), [0x10, 0x01]);
        assert_eq!(leaf.version(), 3);
        let mut store = Store::new();
        store.add_trusted(ca.clone()).unwrap();
        let ch = validate::validate(
            &SOFTWARE,
            &store,
            &leaf,
            &[],
            at(NOW),
            &Policy::ike(CrlMode::Optional),
            None,
        )
        .unwrap();
        assert_eq!(ch.chain.len(), 2);
        assert_eq!(ch.crl_status, [CrlStatus::Unknown, CrlStatus::NotChecked]);
        // a flipped signature bit is caught
        let mut der = leaf.der().to_vec();
        let n = der.len();
        der[n - 3] ^= 1;
        let bad = Certificate::from_der(&der).unwrap();
        assert_eq!(
            validate::validate(
                &SOFTWARE,
                &store,
                &bad,
                &[],
                at(NOW),
                &Policy::default(),
                None
            )
            .unwrap_err(),
            ValidationError::CannotBeVerified(ChainError::BadSignature)
        );
        // the IKE signature scheme of the key signs and verifies
        let key = match zubr_pki::parse(&SOFTWARE, &data(&format!("openssl/{a}-leaf.key")), None)
            .unwrap()
            .remove(0)
        {
            Object::PrivateKey(k) => k,
            o => panic!("{o:?}"),
        };
        assert!(key.matches(leaf.public_key()));
        let scheme = zubr_pki::alg::ike_scheme(leaf.public_key()).unwrap();
        let sig = key
            .signing_key(KeyUse::Ike)
            .unwrap()
            .sign(&mut *rng(), b"HASH_I")
            .unwrap();
        SOFTWARE
            .signature(scheme)
            .unwrap()
            .verifier
            .verify(&leaf.public_key().key, b"HASH_I", &sig)
            .unwrap();
    }
}

#[test]
fn openssl_extensions_and_report() {
    let leaf = one_cert("openssl/rsa-leaf.pem");
    let e = leaf.extensions();
    assert_eq!(
        e.subject_alt_names,
        [
            GeneralName::Dns("gw.example.org".into()),
            GeneralName::Email("vpn@example.org".into()),
            GeneralName::Ip(vec![192, 0, 2, 7])
        ]
    );
    assert_eq!(e.crl_distribution_points.len(), 1);
    assert_eq!(
        e.crl_distribution_points[0].to_string(),
        "http://ca.example.org/rsa.crl"
    );
    let d = report::detail(&SOFTWARE, 1, &Item::Certificate(&leaf, "remote"));
    // `openssl x509 -fingerprint -md5` of the same file
    assert!(
        d.contains("Hash MD5:  35 99 AC C9 82 9F FF 3F B5 38 2C F0 45 FA 95 67"),
        "{d}"
    );
    assert!(
        d.starts_with("1 Status: remote\n  Subject: C=BY,O=Zubr Test,OU=VPN,CN=gw-01\n"),
        "{d}"
    );
    assert!(d.contains("  Version: 3\n"), "{d}");
    assert!(
        d.contains("  CRLI[0]: http://ca.example.org/rsa.crl\n"),
        "{d}"
    );
    // identities bound to the certificate
    Identity::Fqdn("GW.example.org".into())
        .bound_to(&leaf)
        .unwrap();
    Identity::UserFqdn("vpn@example.org".into())
        .bound_to(&leaf)
        .unwrap();
    Identity::Ipv4([192, 0, 2, 7]).bound_to(&leaf).unwrap();
    Identity::subject_of(&leaf).bound_to(&leaf).unwrap();
    assert!(
        Identity::Fqdn("other.example.org".into())
            .bound_to(&leaf)
            .is_err()
    );
    assert!(Identity::Ipv4([192, 0, 2, 8]).bound_to(&leaf).is_err());
    let other = DistinguishedName::from_text("C=BY,CN=gw-02").unwrap();
    assert!(
        Identity::DerAsn1Dn(other.der().to_vec())
            .bound_to(&leaf)
            .is_err()
    );
}

#[test]
fn openssl_crl_revokes() {
    let ca = one_cert("openssl/rsa-ca.pem");
    let leaf = one_cert("openssl/rsa-leaf.pem");
    let rev = one_cert("openssl/rsa-rev.pem");
    for file in ["openssl/rsa.crl.pem", "openssl/rsa.crl.der"] {
        let mut store = Store::new();
        store.add_trusted(ca.clone()).unwrap();
        let objs = zubr_pki::parse(&SOFTWARE, &data(file), None).unwrap();
        store.import(objs, ImportMode::Default).unwrap();
        assert_eq!(store.crl_count(), 1);
        let i = store.add_remote(rev.clone()).unwrap();
        let j = store.add_remote(leaf.clone()).unwrap();
        assert_eq!(check(&store, i, NOW), Status::Inactive(Reason::Revoked));
        assert_eq!(check(&store, j, NOW), Status::Active);
        assert_eq!(check(&store, 4, NOW), Status::Active, "the CRL itself");
        let text = report::summary(&report::store_items(&store));
        assert!(
            text.starts_with("Found 3 certificates. Found 1 CRL.\n1 "),
            "{text}"
        );
        assert!(
            text.contains("\n4 CRL: C=BY,O=Zubr Test,CN=Zubr rsa CA\n"),
            "{text}"
        );
    }
}

#[test]
fn openssl_containers_pkcs12_pkcs7_pkcs8() {
    let pw = Some(&b"secret"[..]);
    // PBES2 (AES-256-CBC, HMAC-SHA256 MAC): key + leaf + CA
    let objs = zubr_pki::parse(&SOFTWARE, &data("openssl/rsa-leaf.p12"), pw).unwrap();
    let mut store = Store::new();
    let rep = store.import(objs, ImportMode::Default).unwrap();
    assert_eq!(rep.indices.len(), 2);
    let roles: Vec<Role> = (1..=2).map(|i| store.certificate(i).unwrap().1).collect();
    assert!(
        roles.contains(&Role::Local) && roles.contains(&Role::Remote),
        "{roles:?}"
    );
    // wrong password: a typed error, no objects
    assert!(zubr_pki::parse(&SOFTWARE, &data("openssl/rsa-leaf.p12"), Some(b"nope")).is_err());
    assert!(zubr_pki::parse(&SOFTWARE, &data("openssl/rsa-leaf.p12"), None).is_err());
    // legacy PKCS#12 (3DES / RC2, SHA-1 MAC)
    let objs = zubr_pki::parse(&SOFTWARE, &data("openssl/ec-leaf-legacy.p12"), pw).unwrap();
    let mut store = Store::new();
    store.import(objs, ImportMode::Default).unwrap();
    assert_eq!(store.certificate(1).unwrap().1, Role::Local);
    // encrypted PKCS#8
    let objs = zubr_pki::parse(&SOFTWARE, &data("openssl/ec-leaf.enc.key"), pw).unwrap();
    let Object::PrivateKey(k) = &objs[0] else {
        panic!()
    };
    assert!(k.matches(one_cert("openssl/ec-leaf.pem").public_key()));
    // PKCS#7 and a PEM bundle: two CAs each; DER certificate
    for f in ["openssl/cas.p7b", "openssl/bundle.pem"] {
        let objs = zubr_pki::parse(&SOFTWARE, &data(f), None).unwrap();
        let mut store = Store::new();
        assert_eq!(
            store.import(objs, ImportMode::Trusted).unwrap().indices,
            [1, 2],
            "{f}"
        );
        assert_eq!(check(&store, 1, NOW), Status::Active);
    }
    assert_eq!(
        one_cert("openssl/ec-leaf.der"),
        one_cert("openssl/ec-leaf.pem")
    );
}

// ---------------------------------------------------------------- bign / GOST

#[test]
fn bign_and_gost_hierarchies_built_with_the_provider() {
    for kind in [
        KeyKind::Bign256,
        KeyKind::Gost2001(&r3410::CRYPTOPRO_A),
        KeyKind::EcP256,
        KeyKind::EcP384,
    ] {
        let p = pki(kind, NOW - YEAR, NOW + YEAR);
        // the result parses back as the same certificate
        assert_eq!(Certificate::from_der(p.leaf.der()).unwrap(), p.leaf);
        let mut store = Store::new();
        store.add_trusted(p.ca.clone()).unwrap();
        let i = store
            .add_local(p.leaf.clone(), KeyRef::Software(p.leaf_key))
            .unwrap();
        assert_eq!(check(&store, i, NOW), Status::Active, "{kind:?}");
        let name = p.leaf.signature_algorithm_name().to_string();
        assert!(!name.is_empty(), "{kind:?}");
        // the leaf does not verify under a different CA with the same name
        let q = pki(kind, NOW - YEAR, NOW + YEAR);
        let mut other = Store::new();
        other.add_trusted(q.ca).unwrap();
        assert!(matches!(
            validate::validate(
                &SOFTWARE,
                &other,
                &p.leaf,
                &[],
                at(NOW),
                &Policy::default(),
                None
            ),
            Err(ValidationError::CannotBeVerified(_))
        ));
    }
}

#[test]
fn bpki_published_certificates() {
    let ca0 = one_cert("bpki/ca0.pem");
    let ca1 = one_cert("bpki/ca1.pem");
    let v = one_cert("bpki/vector-ca.pem");
    assert!(ca0.is_ca() && ca0.is_self_issued());
    assert_eq!(ca1.issuer(), ca0.subject());
    for (c, bits) in [(&ca0, 512), (&ca1, 384), (&v, 256)] {
        assert_eq!(c.format_problem(), None);
        assert_eq!(c.public_key().to_string(), format!("BIGN({bits})"));
    }
    let crls = zubr_pki::parse(&SOFTWARE, &data("bpki/crl1.pem"), None).unwrap();
    let Object::Crl(crl) = &crls[0] else { panic!() };
    assert_eq!(crl.issuer(), ca1.subject());
    // signed with bign-with-bash: the provider has no bash hash
    assert_eq!(
        ca0.verify_signed_by(&SOFTWARE, ca0.public_key()),
        Err(zubr_pki::cert::SignatureError::UnsupportedAlgorithm)
    );
    // ca1's authorityKeyIdentifier (B9:3A:…) is not ca0's subjectKeyIdentifier (C3:17:…): the
    // published ca1 was issued by an earlier "BY Root CA" key, and the chain search says so
    let mut store = Store::new();
    store.add_trusted(ca0.clone()).unwrap();
    assert_eq!(
        validate::validate(
            &SOFTWARE,
            &store,
            &ca1,
            &[],
            at(ca1.not_before() + DAY),
            &Policy::default(),
            None
        )
        .unwrap_err(),
        ValidationError::CannotBeVerified(ChainError::IssuerNotFound)
    );
}

// ---------------------------------------------------------------- cert_mgr check

struct Tokens;
impl KeyContainers for Tokens {
    fn open(
        &self,
        name: &str,
    ) -> Result<Box<dyn zubr_crypto_stb::provider::SigningKey>, KeyAccess> {
        match name {
            "pin-locked" => Err(KeyAccess::KeyNotAccessible),
            _ => Err(KeyAccess::ContainerNotAccessible),
        }
    }
}

#[test]
fn every_check_status_and_reason() {
    let p = pki(KeyKind::Bign256, NOW - YEAR, NOW + YEAR);
    let mut r = rng();
    let ca_signer = p.ca_key.signing_key(KeyUse::Certificate).unwrap();
    let mk = |serial: u64, subject: &str, nb: i64, na: i64, r: &mut dyn zubr_crypto_stb::Rng| {
        CertificateBuilder::new(subject, serial, nb, na)
            .unwrap()
            .sign(
                &p.leaf_key.public_key().unwrap(),
                Some(&p.ca),
                &*ca_signer,
                r,
            )
            .unwrap()
    };
    let mut store = Store::new();
    let ca = store.add_trusted(p.ca.clone()).unwrap();
    let active = store.add_remote(p.leaf.clone()).unwrap();
    let expired = store
        .add_remote(mk(3, "CN=expired", NOW - 2 * YEAR, NOW - YEAR, &mut *r))
        .unwrap();
    let future = store
        .add_remote(mk(4, "CN=future", NOW + DAY, NOW + YEAR, &mut *r))
        .unwrap();
    let revoked = store
        .add_remote(mk(5, "CN=revoked", NOW - YEAR, NOW + YEAR, &mut *r))
        .unwrap();
    // a certificate of an unknown CA
    let q = pki(KeyKind::Bign256, NOW - YEAR, NOW + YEAR);
    let unverifiable = store.add_remote(q.leaf.clone()).unwrap();
    // local certificates: no key, a token that is absent, a locked key, a foreign key, a good key
    let no_key = store
        .insert_unchecked(
            mk(6, "CN=nokey", NOW - YEAR, NOW + YEAR, &mut *r),
            Role::Local,
            None,
        )
        .unwrap();
    let absent = store
        .insert_unchecked(
            mk(7, "CN=token", NOW - YEAR, NOW + YEAR, &mut *r),
            Role::Local,
            Some(KeyRef::Container("usb".into())),
        )
        .unwrap();
    let locked = store
        .insert_unchecked(
            mk(8, "CN=locked", NOW - YEAR, NOW + YEAR, &mut *r),
            Role::Local,
            Some(KeyRef::Container("pin-locked".into())),
        )
        .unwrap();
    let foreign = store
        .insert_unchecked(
            p.leaf.clone(),
            Role::Local,
            Some(KeyRef::Software(
                PrivateKey::generate(KeyKind::Bign256, &mut *r).unwrap(),
            )),
        )
        .unwrap();
    let unreadable = store
        .insert_unchecked(
            mk(9, "CN=broken", NOW - YEAR, NOW + YEAR, &mut *r),
            Role::Local,
            Some(KeyRef::Unreadable(vec![1, 2, 3].into())),
        )
        .unwrap();
    let good_local = store
        .insert_unchecked(
            mk(10, "CN=mine", NOW - YEAR, NOW + YEAR, &mut *r),
            Role::Local,
            Some(KeyRef::Software(
                PrivateKey::from_der(&p.leaf_key.to_pkcs8_der().unwrap()).unwrap(),
            )),
        )
        .unwrap();
    let req = certificate_request(
        "C=BY,CN=request",
        &*p.leaf_key.signing_key(KeyUse::Certificate).unwrap(),
        &p.leaf_key.public_key().unwrap(),
        &mut *r,
    )
    .unwrap();
    let request = store.add_request(req).unwrap();
    let invalid = store
        .add_invalid(b"garbage".to_vec(), Role::Remote)
        .unwrap();
    let crl_idx = store
        .add_crl(crl(&p, NOW - DAY, NOW + 30 * DAY, &[5]))
        .unwrap();

    let want = [
        (ca, Status::Active),
        (active, Status::Active),
        (expired, Status::Inactive(Reason::Expired)),
        (future, Status::Inactive(Reason::NotValidYet)),
        (revoked, Status::Inactive(Reason::Revoked)),
        (unverifiable, Status::Inactive(Reason::CannotBeVerified)),
        (no_key, Status::Inactive(Reason::ContainerNotAccessible)),
        (absent, Status::Inactive(Reason::ContainerNotAccessible)),
        (locked, Status::Inactive(Reason::KeyNotAccessible)),
        (foreign, Status::Inactive(Reason::KeyNotConsistent)),
        (unreadable, Status::Inactive(Reason::KeyNotAccessible)),
        (good_local, Status::Active),
        (request, Status::Inactive(Reason::CertificateRequest)),
        (invalid, Status::Inactive(Reason::Invalid)),
        (crl_idx, Status::Active),
    ];
    for (i, s) in want {
        let got =
            validate::check(&SOFTWARE, &store, i, at(NOW), CrlMode::Optional, &Tokens).unwrap();
        assert_eq!(got, s, "object {i}");
    }
    assert_eq!(
        validate::check(
            &SOFTWARE,
            &store,
            crl_idx + 1,
            at(NOW),
            CrlMode::Optional,
            &Tokens
        ),
        None
    );
    // the CRL later: expired
    assert_eq!(
        check(&store, crl_idx, NOW + 60 * DAY),
        Status::Inactive(Reason::Expired)
    );
    // a trusted root with a broken self-signature is invalid
    let mut der = p.ca.der().to_vec();
    let n = der.len();
    der[n - 2] ^= 0x40;
    let mut s2 = Store::new();
    let bad_root = s2
        .insert_unchecked(Certificate::from_der(&der).unwrap(), Role::Trusted, None)
        .unwrap();
    assert_eq!(check(&s2, bad_root, NOW), Status::Inactive(Reason::Invalid));
    // an unknown critical extension makes a certificate invalid
    let mut b = CertificateBuilder::new("CN=critical", 11, NOW - YEAR, NOW + YEAR).unwrap();
    // Extension { 1.2.3.4, critical, OCTET STRING {} }
    b.extra_extensions = vec![vec![
        0x30, 0x0a, 0x06, 0x03, 0x2a, 0x03, 0x04, 0x01, 0x01, 0xff, 0x04, 0x00,
    ]];
    let crit = b
        .sign(
            &p.leaf_key.public_key().unwrap(),
            Some(&p.ca),
            &*ca_signer,
            &mut *r,
        )
        .unwrap();
    assert!(crit.format_problem().is_some());
    let i = store.add_remote(crit).unwrap();
    assert_eq!(check(&store, i, NOW), Status::Inactive(Reason::Invalid));

    // the text forms
    let items = report::store_items(&store);
    let t = report::check_lines(
        expired,
        &items[expired - 1],
        Status::Inactive(Reason::Expired),
    );
    assert!(
        t.starts_with(&format!(
            "{expired} State: Inactive CN=expired\nCertificate is expired.\nValid from: "
        )),
        "{t}"
    );
    let t = report::check_lines(active, &items[active - 1], Status::Active);
    assert_eq!(
        t,
        format!("{active} State: Active C=BY,O=Zubr,OU=VPN,CN=gw-01\n")
    );
    let t = report::check_lines(
        request,
        &items[request - 1],
        Status::Inactive(Reason::CertificateRequest),
    );
    assert_eq!(
        t,
        format!("{request} State: Inactive C=BY,CN=request\nIt is certificate request.\n")
    );
    for (r, m) in [
        (Reason::Invalid, "Certificate is invalid"),
        (Reason::Expired, "Certificate is expired"),
        (Reason::NotValidYet, "Certificate is not valid yet"),
        (Reason::Revoked, "Certificate is revoked"),
        (Reason::CannotBeVerified, "Certificate can not be verified"),
        (
            Reason::ContainerNotAccessible,
            "Private key container is not accessible",
        ),
        (Reason::KeyNotAccessible, "Private key is not accessible"),
        (
            Reason::KeyNotConsistent,
            "Private key is not consistent certificate",
        ),
        (Reason::CertificateRequest, "It is certificate request"),
    ] {
        assert_eq!(r.message(), m);
    }
}

// ---------------------------------------------------------------- CRL modes

struct Fetch(Option<Vec<u8>>, usize);
impl CrlFetcher for Fetch {
    fn fetch(&mut self, _issuer: &DistinguishedName, points: &[GeneralName]) -> Option<Vec<u8>> {
        assert_eq!(
            points,
            [GeneralName::Uri("http://ca.zubr.by/ca.crl".into())]
        );
        self.1 += 1;
        self.0.clone()
    }
}

#[test]
fn crl_modes_table() {
    let p = pki(KeyKind::EcP256, NOW - YEAR, NOW + YEAR);
    let good = crl(&p, NOW - DAY, NOW + 30 * DAY, &[]);
    let listing = crl(&p, NOW - DAY, NOW + 30 * DAY, &[2]);
    let stale = crl(&p, NOW - 60 * DAY, NOW - 30 * DAY, &[]);
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Local {
        None,
        Good,
        Listing,
        Stale,
    }
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Out {
        Ok(CrlStatus),
        Revoked,
        Missing,
    }
    use CrlMode::*;
    // (mode, local CRL, fetcher returns, expected, fetch called)
    let table: &[(CrlMode, Local, Option<Local>, Out, usize)] = &[
        (
            Disable,
            Local::None,
            None,
            Out::Ok(CrlStatus::NotChecked),
            0,
        ),
        (
            Disable,
            Local::Listing,
            None,
            Out::Ok(CrlStatus::NotChecked),
            0,
        ),
        (Enable, Local::None, None, Out::Missing, 0),
        (Enable, Local::Stale, None, Out::Missing, 0),
        (Enable, Local::Good, None, Out::Ok(CrlStatus::Good), 0),
        (Enable, Local::Listing, None, Out::Revoked, 0),
        (Enable, Local::None, Some(Local::Good), Out::Missing, 0),
        (Optional, Local::None, None, Out::Ok(CrlStatus::Unknown), 0),
        (Optional, Local::Stale, None, Out::Ok(CrlStatus::Unknown), 0),
        (Optional, Local::Good, None, Out::Ok(CrlStatus::Good), 0),
        (Optional, Local::Listing, None, Out::Revoked, 0),
        (
            Optional,
            Local::None,
            Some(Local::Listing),
            Out::Ok(CrlStatus::Unknown),
            0,
        ),
        (
            BestEffort,
            Local::None,
            None,
            Out::Ok(CrlStatus::Unknown),
            1,
        ),
        (
            BestEffort,
            Local::Good,
            Some(Local::Listing),
            Out::Ok(CrlStatus::Good),
            0,
        ),
        (
            BestEffort,
            Local::None,
            Some(Local::Good),
            Out::Ok(CrlStatus::Good),
            1,
        ),
        (
            BestEffort,
            Local::None,
            Some(Local::Listing),
            Out::Revoked,
            1,
        ),
        (
            BestEffort,
            Local::Stale,
            Some(Local::Stale),
            Out::Ok(CrlStatus::Unknown),
            1,
        ),
        (BestEffort, Local::Listing, None, Out::Revoked, 0),
    ];
    let pick = |l: Local| match l {
        Local::None => None,
        Local::Good => Some(good.clone()),
        Local::Listing => Some(listing.clone()),
        Local::Stale => Some(stale.clone()),
    };
    for &(mode, local, fetched, want, calls) in table {
        let mut store = Store::new();
        store.add_trusted(p.ca.clone()).unwrap();
        if let Some(c) = pick(local) {
            store.add_crl(c).unwrap();
        }
        let mut f = Fetch(fetched.and_then(pick).map(|c| c.der().to_vec()), 0);
        let got = validate::validate(
            &SOFTWARE,
            &store,
            &p.leaf,
            &[],
            at(NOW),
            &Policy::ike(mode),
            Some(&mut f),
        );
        let got = match got {
            Ok(ch) => {
                if f.1 == 1 && want == Out::Ok(CrlStatus::Good) {
                    assert_eq!(ch.fetched_crls.len(), 1);
                }
                Out::Ok(ch.crl_status[0])
            }
            Err(ValidationError::Revoked { depth: 0, date }) => {
                assert_eq!(date, NOW - DAY);
                Out::Revoked
            }
            Err(ValidationError::CannotBeVerified(ChainError::CrlMissing(0))) => Out::Missing,
            Err(e) => panic!("{mode:?} {local:?}: {e:?}"),
        };
        assert_eq!(
            (got, f.1),
            (want, calls),
            "{mode:?} local {local:?} fetched {fetched:?}"
        );
    }
}

#[test]
fn revoked_after_tunnel_up_fails_at_rekey() {
    let p = pki(KeyKind::EcP256, NOW - YEAR, NOW + YEAR);
    let mut store = Store::new();
    store.add_trusted(p.ca.clone()).unwrap();
    store
        .add_crl(crl(&p, NOW - DAY, NOW + 30 * DAY, &[]))
        .unwrap();
    let ch = validate::validate(
        &SOFTWARE,
        &store,
        &p.leaf,
        &[],
        at(NOW),
        &Policy::ike(CrlMode::Enable),
        None,
    )
    .unwrap();
    ch.revalidate(&SOFTWARE, &store, at(NOW + 60), None)
        .unwrap();
    store.add_crl(crl(&p, NOW, NOW + 30 * DAY, &[2])).unwrap();
    assert!(matches!(
        ch.revalidate(&SOFTWARE, &store, at(NOW + 120), None),
        Err(ValidationError::Revoked { depth: 0, .. })
    ));
}

#[test]
fn chain_through_intermediate_from_extras() {
    let mut r = rng();
    let kind = KeyKind::EcP256;
    let root_key = PrivateKey::generate(kind, &mut *r).unwrap();
    let rs = root_key.signing_key(KeyUse::Certificate).unwrap();
    let root = CertificateBuilder::new("CN=Root", 1, NOW - YEAR, NOW + YEAR)
        .unwrap()
        .ca(Some(0))
        .sign(&root_key.public_key().unwrap(), None, &*rs, &mut *r)
        .unwrap();
    let int_key = PrivateKey::generate(kind, &mut *r).unwrap();
    let is = int_key.signing_key(KeyUse::Certificate).unwrap();
    let int = CertificateBuilder::new("CN=Sub", 2, NOW - YEAR, NOW + YEAR)
        .unwrap()
        .ca(None)
        .sign(&int_key.public_key().unwrap(), Some(&root), &*rs, &mut *r)
        .unwrap();
    let leaf_key = PrivateKey::generate(kind, &mut *r).unwrap();
    let leaf = CertificateBuilder::new("CN=leaf", 3, NOW - YEAR, NOW + YEAR)
        .unwrap()
        .sign(&leaf_key.public_key().unwrap(), Some(&int), &*is, &mut *r)
        .unwrap();
    let mut store = Store::new();
    store.add_trusted(root.clone()).unwrap();
    assert_eq!(
        validate::validate(
            &SOFTWARE,
            &store,
            &leaf,
            &[],
            at(NOW),
            &Policy::default(),
            None
        )
        .unwrap_err(),
        ValidationError::CannotBeVerified(ChainError::IssuerNotFound)
    );
    // pathLen 0 on the root forbids the intermediate
    assert_eq!(
        validate::validate(
            &SOFTWARE,
            &store,
            &leaf,
            std::slice::from_ref(&int),
            at(NOW),
            &Policy::default(),
            None
        )
        .unwrap_err(),
        ValidationError::CannotBeVerified(ChainError::PathLength)
    );
    let root2 = CertificateBuilder::new("CN=Root", 1, NOW - YEAR, NOW + YEAR)
        .unwrap()
        .ca(None)
        .sign(&root_key.public_key().unwrap(), None, &*rs, &mut *r)
        .unwrap();
    let mut store = Store::new();
    store.add_trusted(root2).unwrap();
    let ch = validate::validate(
        &SOFTWARE,
        &store,
        &leaf,
        std::slice::from_ref(&int),
        at(NOW),
        &Policy::default(),
        None,
    )
    .unwrap();
    assert_eq!(ch.chain.len(), 3);
    // an expired intermediate breaks the chain
    assert!(
        validate::validate(
            &SOFTWARE,
            &store,
            &leaf,
            &[int],
            at(NOW + 2 * YEAR),
            &Policy::default(),
            None
        )
        .is_err()
    );
    // a leaf with only keyCertSign is refused for IKE
    let mut b = CertificateBuilder::new("CN=nosig", 4, NOW - YEAR, NOW + YEAR).unwrap();
    b.key_usage = Some(zubr_pki::cert::key_usage::KEY_ENCIPHERMENT);
    let c = b
        .sign(&leaf_key.public_key().unwrap(), Some(&root), &*rs, &mut *r)
        .unwrap();
    assert!(matches!(
        validate::validate(
            &SOFTWARE,
            &store,
            &c,
            &[],
            at(NOW),
            &Policy::ike(CrlMode::Disable),
            None
        ),
        Err(ValidationError::Invalid(_))
    ));
}

// ---------------------------------------------------------------- matching

#[test]
fn cert_description_and_identity_patterns() {
    let leaf = one_cert("openssl/ec-leaf.pem");
    for (subj, iss, serial, m) in [
        (&["CN=gw-*"][..], &[][..], &[][..], true),
        (&["O=Zubr*,CN=gw-01"], &["CN=Zubr ec CA"], &["10:01"], true),
        (&["CN=gw-01"], &[], &["1002"], false),
        (&["CN=gw-02"], &[], &[], false),
        (&[], &["C=RU"], &[], false),
        (&["OU=VPN", "CN=nothing"], &[], &["0x1001"], true),
    ] {
        let sel = CertSelector::from_strings(subj, iss, serial).unwrap();
        assert_eq!(sel.matches(&leaf), m, "{subj:?} {iss:?} {serial:?}");
    }
    let mut store = Store::new();
    store.add_remote(one_cert("openssl/rsa-leaf.pem")).unwrap();
    store.add_remote(leaf.clone()).unwrap();
    let sel =
        CertSelector::from_strings(&["CN=gw-01"], &["CN=Zubr ec CA"], &[] as &[&str]).unwrap();
    assert_eq!(store.find(&sel, Some(Role::Remote)), [2]);
    assert!(store.find_local(&sel).is_empty());
    let pat = IdentityPattern::Fqdn(vec!["*.example.org".into()]);
    assert!(pat.matches(&Identity::Fqdn("gw.example.org".into())));
    assert!(!pat.matches(&Identity::UserFqdn("gw.example.org".into())));
    let dnp = IdentityPattern::SubjectDn(vec![
        zubr_pki::DnPattern::parse("O=Zubr Test,CN=gw*").unwrap(),
    ]);
    assert!(dnp.matches(&Identity::subject_of(&leaf)));
    assert!(IdentityPattern::Any.matches(&Identity::KeyId(vec![1])));
}

// ---------------------------------------------------------------- store

#[test]
fn store_numbering_remove_and_psk() {
    let mut store = Store::new();
    let objs = zubr_pki::parse(&SOFTWARE, &data("openssl/bundle.pem"), None).unwrap();
    store.import(objs, ImportMode::Trusted).unwrap();
    let crl = zubr_pki::parse(&SOFTWARE, &data("openssl/rsa.crl.pem"), None).unwrap();
    assert!(
        store.import(crl, ImportMode::Trusted).is_err(),
        "CRL as trusted CA"
    );
    let crl = zubr_pki::parse(&SOFTWARE, &data("openssl/rsa.crl.pem"), None).unwrap();
    store.import(crl, ImportMode::Default).unwrap();
    assert!(
        store.add_trusted(one_cert("openssl/rsa-leaf.pem")).is_err(),
        "not a CA"
    );
    assert_eq!((store.cert_count(), store.crl_count()), (2, 1));
    assert!(store.remove(3).is_err(), "CRLs are not removable");
    assert!(store.remove(4).is_err());
    store.remove(1).unwrap();
    assert_eq!(
        store.certificate(1).unwrap().0.subject().to_string(),
        "C=BY,O=Zubr Test,CN=Zubr ec CA"
    );
    store.psk_import("office", b"s3cr\x01t").unwrap();
    assert!(store.psk_import("office", b"x").is_err());
    assert_eq!(store.psk("office"), Some(&b"s3cr\x01t"[..]));
    store.psk_remove("office").unwrap();
    assert!(store.psk_remove("office").is_err());
}

#[test]
fn dirstore_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let mut ds = zubr_pki::dirstore::DirStore::open(dir.path()).unwrap();
    let objs = zubr_pki::parse(&SOFTWARE, &data("openssl/rsa-leaf.p12"), Some(b"secret")).unwrap();
    ds.store.import(objs, ImportMode::Default).unwrap();
    ds.store.psk_import("k1", b"abc").unwrap();
    std::fs::write(dir.path().join("mine.der"), b"a user's file").unwrap();
    ds.save().unwrap();
    assert!(
        dir.path().join("mine.der").exists(),
        "save removes only its own files"
    );
    let again = zubr_pki::dirstore::DirStore::open(dir.path())
        .unwrap()
        .store;
    assert_eq!(again.len(), 2);
    assert_eq!(again.psk("k1"), Some(&b"abc"[..]));
    let local = (1..=2)
        .find(|&i| again.certificate(i).unwrap().1 == Role::Local)
        .unwrap();
    assert_eq!(
        validate::check(
            &SOFTWARE,
            &again,
            local,
            at(NOW),
            CrlMode::Optional,
            &NoContainers
        ),
        Some(Status::Inactive(Reason::CannotBeVerified)),
        "key reloaded and consistent; no trusted CA"
    );
}

// ---------------------------------------------------------------- hostile input

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = zubr_pki::parse(&SOFTWARE, &bytes, Some(b"pw"));
            let _ = Certificate::from_der(&bytes);
            let _ = zubr_pki::Crl::from_der(&bytes);
        }

        #[test]
        fn mutated_certificates_never_panic(pos in 0usize..2000, val in any::<u8>(), cut in 0usize..2000) {
            for f in ["openssl/rsa-leaf.pem", "openssl/rsa.crl.der", "openssl/ec-leaf.der", "openssl/rsa-leaf.p12"] {
                let mut d = data(f);
                if f.ends_with(".pem") {
                    d = zubr_pki::parse(&SOFTWARE, &d, None).map(|o| match &o[0] {
                        Object::Certificate(c) => c.der().to_vec(),
                        _ => d.clone(),
                    }).unwrap();
                }
                let n = d.len();
                d[pos % n] ^= val;
                d.truncate(cut.max(1).min(n));
                if let Ok(objs) = zubr_pki::parse(&SOFTWARE, &d, Some(b"secret")) {
                    let mut s = Store::new();
                    let _ = s.import(objs, ImportMode::Default);
                    for i in 1..=s.len() {
                        let _ = validate::check(&SOFTWARE, &s, i, at(NOW), CrlMode::Optional, &NoContainers);
                        let _ = report::detail(&SOFTWARE, i, &report::store_items(&s)[i - 1]);
                    }
                }
            }
        }

        #[test]
        fn dn_text_round_trip(parts in proptest::collection::vec(("(C|O|OU|CN|L)", "[A-Za-z0-9 ,+=-]{1,12}"), 1..5)) {
            let text: Vec<String> = parts.iter().map(|(k, v)| {
                let v = v.trim();
                let v = if v.is_empty() { "x" } else { v };
                format!("{k}={}", v.replace(',', "\\,").replace('+', "\\+").replace('=', "\\="))
            }).collect();
            let dn = DistinguishedName::from_text(&text.join(",")).unwrap();
            let back = DistinguishedName::from_text(&dn.to_string()).unwrap();
            prop_assert_eq!(back.der(), dn.der());
            prop_assert_eq!(DistinguishedName::from_der(dn.der()).unwrap().to_string(), dn.to_string());
        }
    }
}

/// The GOST R 34.10-2001 example certificate of RFC 4491 §4.2 (tests/data/rfc4491): its
/// self-signature verifies with the provider's GOST R 34.10-2001 / 34.11-94 scheme, and a bit
/// flip in the signed part breaks it.
#[test]
fn rfc4491_gost_certificate() {
    let c = one_cert("rfc4491/gost2001.pem");
    assert_eq!(
        c.subject().to_string(),
        "CN=GostR3410-2001 example,O=CryptoPro,C=RU,E=GostR3410-2001@example.com"
    );
    assert!(c.is_self_issued());
    assert_eq!(c.verify_signed_by(&SOFTWARE, c.public_key()), Ok(()));
    let mut der = c.der().to_vec();
    // a byte of the subject's e-mail address, inside tbsCertificate
    let at = der.windows(7).position(|w| w == b"example").unwrap();
    der[at] ^= 0x20;
    let bad = Certificate::from_der(&der).unwrap();
    assert!(bad.verify_signed_by(&SOFTWARE, c.public_key()).is_err());
    // as a v1 trusted root: Active in 2010, expired in 2016
    let mut store = Store::new();
    let i = store.add_trusted(c.clone()).unwrap();
    assert_eq!(check(&store, i, 1_262_304_000), Status::Active);
    assert_eq!(
        check(&store, i, 1_451_606_400),
        Status::Inactive(Reason::Expired)
    );
}
