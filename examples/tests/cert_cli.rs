//! `zubr cert` and `zubr key` run as a process on a temporary store: the manual's output forms
//! (§13.1–13.2, §13.16–13.19) and error texts (tables 13.35.1, 13.35.8). Certificates come from
//! OpenSSL (zubr-pki's fixtures) and from the pki builder (bign, with past/future validity).

use std::path::{Path, PathBuf};
use std::process::Command;

use zubr_crypto_stb::SOFTWARE;
use zubr_pki::builder::{CertificateBuilder, CrlBuilder, certificate_request};
use zubr_pki::{KeyKind, KeyUse, PrivateKey};

fn fixture(name: &str) -> String {
    format!(
        "{}/../pki/tests/data/openssl/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn zubr(store: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zubr"))
        .args(args)
        .env("ZUBR_STORE", store)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(store: &Path, args: &[&str]) -> String {
    let (code, out, err) = zubr(store, args);
    assert_eq!(code, 0, "{args:?}: {err}");
    out
}

fn err(store: &Path, args: &[&str]) -> String {
    let (code, _, err) = zubr(store, args);
    assert_eq!(code, 1, "{args:?} should fail");
    err.trim_end().to_string()
}

#[test]
fn cert_import_show_check_remove() {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path();
    assert_eq!(
        ok(s, &["cert", "show"]),
        "Found 0 certificates. Found 0 CRL.\n"
    );
    assert_eq!(
        ok(s, &["cert", "import", "-f", &fixture("rsa-ca.pem"), "-t"]),
        "1 C=BY,O=Zubr Test,CN=Zubr rsa CA (trusted)\n"
    );
    ok(
        s,
        &[
            "cert",
            "import",
            "-f",
            &fixture("rsa-leaf.p12"),
            "-p",
            "secret",
        ],
    );
    ok(s, &["cert", "import", "-f", &fixture("rsa.crl.der")]);
    ok(s, &["cert", "import", "-f", &fixture("rsa-rev.pem")]);
    // --store wins over $ZUBR_STORE
    let other = tempfile::tempdir().unwrap();
    let out = ok(
        other.path(),
        &["cert", "--store", s.to_str().unwrap(), "show"],
    );
    assert_eq!(
        out,
        "Found 3 certificates. Found 1 CRL.\n\
         1 C=BY,O=Zubr Test,CN=Zubr rsa CA\n\
         2 C=BY,O=Zubr Test,OU=VPN,CN=gw-01\n\
         3 C=BY,O=Zubr Test,CN=revoked\n\
         4 CRL: C=BY,O=Zubr Test,CN=Zubr rsa CA\n"
    );
    assert_eq!(
        ok(other.path(), &["cert", "show"]),
        "Found 0 certificates. Found 0 CRL.\n"
    );
    let d = ok(s, &["cert", "show", "-i", "2", "-i", "4"]);
    let want = "2 Status: local\n  Subject: C=BY,O=Zubr Test,OU=VPN,CN=gw-01\n  Issuer: C=BY,O=Zubr Test,CN=Zubr rsa CA\n  Valid from: Mon Nov 23 18:28:40 2026\n  Valid to:   Thu Nov 20 18:28:40 2036\n  Version: 3\n  Serial number: 10 01\n  Signature algorithm: sha256RSAencryption\n  Public key: RSA(2048)\n  Hash MD5:  35 99 AC C9 82 9F FF 3F B5 38 2C F0 45 FA 95 67\n  Hash SHA1: D9 28 43 D6 A3 9B B9 F9 D1 17 D1 B5 3C FE 88 56 98 4D 06 C6\n  CRLI[0]: http://ca.example.org/rsa.crl\n4 Status: CRL\n";
    assert!(d.starts_with(want), "{d}");
    assert_eq!(
        ok(s, &["cert", "check"]),
        "1 State: Active C=BY,O=Zubr Test,CN=Zubr rsa CA\n\
         2 State: Active C=BY,O=Zubr Test,OU=VPN,CN=gw-01\n\
         3 State: Inactive C=BY,O=Zubr Test,CN=revoked\n\
         Certificate is revoked.\n\
         4 State: Active CRL: C=BY,O=Zubr Test,CN=Zubr rsa CA\n"
    );
    assert_eq!(
        ok(s, &["cert", "check", "-i", "2"]),
        "2 State: Active C=BY,O=Zubr Test,OU=VPN,CN=gw-01\n"
    );
    // ENABLE: the EC leaf's CA has no CRL
    ok(s, &["cert", "import", "-f", &fixture("ec-ca.pem"), "-t"]);
    ok(s, &["cert", "import", "-f", &fixture("ec-leaf.der")]);
    assert_eq!(
        ok(s, &["cert", "check", "-i", "5"]),
        "5 State: Active C=BY,O=Zubr Test,OU=VPN,CN=gw-01\n"
    );
    assert_eq!(
        ok(s, &["cert", "check", "-i", "5", "--crl-mode", "enable"]),
        "5 State: Inactive C=BY,O=Zubr Test,OU=VPN,CN=gw-01\nCertificate can not be verified.\n"
    );
    // errors of table 13.35.1
    assert_eq!(
        err(s, &["cert", "remove", "-i", "6"]),
        "User Error: CRL can not be removed from base"
    );
    assert_eq!(
        err(s, &["cert", "remove", "-i", "9"]),
        "User Error: Object index 9 exceeds number of certificates and CRLs in base"
    );
    assert_eq!(
        err(s, &["cert", "remove"]),
        "User Error. Missing index of object to be removed from base. Specify 'i' key and index"
    );
    assert_eq!(
        err(s, &["cert", "show", "-i", "7"]),
        "User Error: 7 exceeds number of objects"
    );
    assert_eq!(
        err(s, &["cert", "show", "-i"]),
        "User Error: no number specified"
    );
    assert_eq!(
        err(s, &["cert", "show", "-i", "0"]),
        "User Error: no number specified"
    );
    assert_eq!(
        err(s, &["cert", "import"]),
        "User Error: no source file specified"
    );
    assert_eq!(
        err(s, &["cert", "import", "-f"]),
        "User Error: no source file specified"
    );
    assert_eq!(
        err(s, &["cert", "import", "-f", "a", "-f", "b"]),
        "User Error: Key -f is used twice"
    );
    assert_eq!(
        err(s, &["cert", "remove", "-i", "1", "-t"]),
        "User Error: Key -t is useless"
    );
    assert_eq!(
        err(s, &["cert", "import", "-f", "/nonexistent"]),
        "User Error: /nonexistent unable to open file"
    );
    assert_eq!(
        err(s, &["cert", "import", "-f", &fixture("rsa-leaf.p12"), "-p"]),
        "User Error. No password specified"
    );
    assert_eq!(
        err(s, &["cert", "import", "-f", &fixture("rsa-leaf.pem"), "-t"]),
        "User Error. Unable to set trusted status to certificate C=BY,O=Zubr Test,OU=VPN,CN=gw-01"
    );
    assert_eq!(
        err(s, &["cert", "import", "-f", &fixture("rsa.crl.pem"), "-t"]),
        "User Error: attempt to import a CRL as certificate"
    );
    ok(s, &["cert", "remove", "-i", "3"]);
    assert!(ok(s, &["cert", "show"]).starts_with("Found 4 certificates. Found 1 CRL.\n"));
}

#[test]
fn cert_show_file() {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path();
    let p12 = fixture("rsa-leaf.p12");
    assert_eq!(
        ok(s, &["cert", "show", "-f", &p12, "-p", "secret"]),
        format!(
            "Certificate/Crl from file {p12}\nFound 2 certificates. Found 0 CRL.\n\
             1 C=BY,O=Zubr Test,OU=VPN,CN=gw-01\n2 C=BY,O=Zubr Test,CN=Zubr rsa CA\n"
        )
    );
    assert!(
        ok(s, &["cert", "show", "-f", &p12, "-p", "secret", "-i", "2"])
            .starts_with("2 Status: file\n  Subject: C=BY,O=Zubr Test,CN=Zubr rsa CA\n")
    );
    assert_eq!(
        err(s, &["cert", "show", "-f", &p12]),
        format!("User Error. No password specified to open {p12}")
    );
    assert_eq!(
        err(s, &["cert", "show", "-f", &p12, "-p", "bad"]),
        format!("{p12} wrong password bad")
    );
    assert_eq!(
        err(s, &["cert", "show", "-f", &p12, "-p", "-x"]),
        format!("{p12} wrong password -x"),
        "a password may start with '-'"
    );
    assert_eq!(
        err(s, &["cert", "show", "-f", &p12, "-p", "secret", "-i", "3"]),
        format!("User Error: 3 exceeds number of objects in {p12}")
    );
    let crl = fixture("rsa.crl.pem");
    assert!(
        ok(s, &["cert", "show", "-f", &crl]).ends_with(
            "Found 0 certificates. Found 1 CRL.\n1 CRL: C=BY,O=Zubr Test,CN=Zubr rsa CA\n"
        )
    );
    // the store was not touched
    assert_eq!(
        ok(s, &["cert", "show"]),
        "Found 0 certificates. Found 0 CRL.\n"
    );
}

/// bign certificates with validity around the real clock: expired, not yet valid, unknown CA,
/// a request; `-expired_remote` lists only the expired partner certificate.
#[test]
fn cert_check_reasons_with_bign() {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path();
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    let year = 365 * 86_400;
    let mut rng = SOFTWARE.drbg.instantiate(&[3; 32]).unwrap();
    let ca_key = PrivateKey::generate(KeyKind::Bign256, &mut *rng).unwrap();
    let cs = ca_key.signing_key(KeyUse::Certificate).unwrap();
    let ca = CertificateBuilder::new("C=BY,O=Zubr,CN=bign CA", 1, now - 5 * year, now + 5 * year)
        .unwrap()
        .ca(None)
        .sign(&ca_key.public_key().unwrap(), None, &*cs, &mut *rng)
        .unwrap();
    let k = PrivateKey::generate(KeyKind::Bign256, &mut *rng).unwrap();
    let pk = k.public_key().unwrap();
    let mk = |serial, subject: &str, nb, na, rng: &mut dyn zubr_crypto_stb::Rng| {
        CertificateBuilder::new(subject, serial, nb, na)
            .unwrap()
            .sign(&pk, Some(&ca), &*cs, rng)
            .unwrap()
    };
    let write = |name: &str, der: &[u8]| -> PathBuf {
        let p = s.join(name);
        std::fs::write(&p, der).unwrap();
        p
    };
    let files = [
        write("ca.der", ca.der()),
        write(
            "good.der",
            mk(2, "CN=good", now - year, now + year, &mut *rng).der(),
        ),
        write(
            "old.der",
            mk(3, "CN=old", now - 2 * year, now - year, &mut *rng).der(),
        ),
        write(
            "new.der",
            mk(4, "CN=new", now + year, now + 2 * year, &mut *rng).der(),
        ),
        write(
            "rev.der",
            mk(5, "CN=rev", now - year, now + year, &mut *rng).der(),
        ),
    ];
    let other_key = PrivateKey::generate(KeyKind::Bign256, &mut *rng).unwrap();
    let stranger = CertificateBuilder::new("CN=stranger", 9, now - year, now + year)
        .unwrap()
        .sign(
            &pk,
            None,
            &*other_key.signing_key(KeyUse::Certificate).unwrap(),
            &mut *rng,
        )
        .unwrap();
    let req = certificate_request(
        "C=BY,CN=req",
        &*k.signing_key(KeyUse::Certificate).unwrap(),
        &pk,
        &mut *rng,
    )
    .unwrap();
    let crl = CrlBuilder {
        this_update: now - 86_400,
        next_update: Some(now + 86_400),
        revoked: vec![(vec![5], now - 86_400)],
        number: 1,
    }
    .sign(&ca, &*cs, &mut *rng)
    .unwrap();
    let extra = [
        write("stranger.der", stranger.der()),
        write("req.der", req.der()),
        write("crl.der", crl.der()),
    ];
    ok(
        s,
        &["cert", "import", "-t", "-f", files[0].to_str().unwrap()],
    );
    for f in files[1..].iter().chain(&extra) {
        ok(s, &["cert", "import", "-f", f.to_str().unwrap()]);
    }
    let out = ok(s, &["cert", "check"]);
    let lines: Vec<&str> = out.lines().filter(|l| !l.starts_with("Valid ")).collect();
    assert_eq!(
        lines,
        [
            "1 State: Active C=BY,O=Zubr,CN=bign CA",
            "2 State: Active CN=good",
            "3 State: Inactive CN=old",
            "Certificate is expired.",
            "4 State: Inactive CN=new",
            "Certificate is not valid yet.",
            "5 State: Inactive CN=rev",
            "Certificate is revoked.",
            "6 State: Inactive CN=stranger",
            "Certificate can not be verified.",
            "7 State: Inactive C=BY,CN=req",
            "It is certificate request.",
            "8 State: Active CRL: C=BY,O=Zubr,CN=bign CA",
        ],
        "{out}"
    );
    assert!(
        out.contains("Certificate is expired.\nValid from: "),
        "{out}"
    );
    let exp = ok(s, &["cert", "show", "-expired_remote"]);
    assert!(
        exp.starts_with("3 Status: remote\n  Subject: CN=old\n"),
        "{exp}"
    );
    assert_eq!(exp.matches("Status:").count(), 1, "{exp}");
    assert!(
        exp.contains("  Signature algorithm: bign-with-hbelt\n"),
        "{exp}"
    );
}

#[test]
fn key_import_show_list_remove() {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path();
    let k1 = s.join("k1");
    let k2 = s.join("k2");
    std::fs::write(&k1, b"testkey1\r\n").unwrap();
    std::fs::write(&k2, b"\x00\xffAB").unwrap();
    let (k1, k2) = (k1.to_str().unwrap(), k2.to_str().unwrap());
    assert_eq!(
        ok(
            s,
            &[
                "key", "import", "-f", k1, "-n", "key1", "-n", "key2name", "-f", k2
            ]
        ),
        "OK key1\nOK key2name\n"
    );
    assert_eq!(
        ok(s, &["key", "show"]),
        "Found #2 keys.\n----Key----\nName   :        key1\nContent         testkey1..\nHex             74 65 73 74 6B 65 79 31 0D 0A\n\
         ----Key----\nName   :        key2name\nContent         ..AB\nHex             00 FF 41 42\n"
    );
    assert_eq!(
        ok(s, &["key", "list"]),
        "Found #2 keys.\n--[Key]--------------\nName         :  key1\n--[Key]--------------\nName         :  key2name\n"
    );
    assert_eq!(
        err(s, &["key", "import", "-n", "key1", "-f", k1]),
        "Internal Error. Unable to append key into base key1"
    );
    assert_eq!(
        err(s, &["key", "import", "-n", "key3"]),
        "User Error:  Key file no specified"
    );
    assert_eq!(
        err(s, &["key", "import", "-f", k1]),
        "User Error:  Key name no specified"
    );
    assert_eq!(
        err(s, &["key", "import", "-n"]),
        "User Error:  Key name no specified"
    );
    assert_eq!(ok(s, &["key", "remove", "-n", "key1"]), "OK key1\n");
    assert_eq!(
        err(s, &["key", "remove", "-n", "key1"]),
        "User Error: Key key1 is not found"
    );
    assert_eq!(
        ok(s, &["key", "list"]),
        "Found #1 keys.\n--[Key]--------------\nName         :  key2name\n"
    );
}
