//! `zubr connect` against a real strongSwan 5.9.8 (the interop lab in `../shared/interop`):
//! profiles psk-main-aes, psk-aggr, natt, psk-dpd and cert-rsa each end with an ICMP echo
//! 10.88.0.1 → 10.99.0.1 through ESP-in-UDP and its encrypted reply; two rekey runs (the peer
//! rekeys every 20 s while pings flow; our own 20 s lifetime makes Zubr rekey as initiator) and
//! a peer-initiated DELETE; xauth-modecfg in pull and push mode (XAuth, then Mode Config gives
//! the inner address the pings come from) and with a wrong XAuth password; IKE fragmentation
//! forced small (120-byte fragments) on psk-main-aes.
//!
//! Needs root and network namespaces; without them the test prints why and returns. The peer
//! lab has fixed namespace names, so everything runs in this one test function, one profile
//! after the other.

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "lab/lab.rs"]
mod lab;
use lab::{Lock, interop_dir, skip_reason};

struct Peer {
    env: HashMap<String, String>,
}

impl Peer {
    fn up(profile: &str, extra_env: &[(&str, &str)]) -> Peer {
        let dir = interop_dir();
        let out = Command::new(dir.join("peer-up.sh"))
            .arg(profile)
            .envs(extra_env.iter().copied())
            .stdin(Stdio::null())
            .output()
            .expect("run peer-up.sh");
        assert!(
            out.status.success(),
            "peer-up.sh {profile} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let link = std::fs::read_link("/run/ikepeer-interop/current").expect("state link");
        let text = std::fs::read_to_string(link.join("peer.env")).expect("peer.env");
        let env = text
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.trim_matches('\'').to_string()))
            .collect();
        Peer { env }
    }

    fn get(&self, k: &str) -> &str {
        &self.env[k]
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.get("IKEPEER_LOG")).unwrap_or_default()
    }

    /// Asserts `fragment` (a literal) appears in the peer's log; returns the first line with it.
    fn expect(&self, what: &str, fragment: &str) -> String {
        self.expect_any(what, &[fragment])
    }

    /// Asserts one of `fragments` appears in the peer's log; returns the first line with one.
    fn expect_any(&self, what: &str, fragments: &[&str]) -> String {
        // charon writes its log asynchronously: a line about the last message may lag a little
        let seen = |log: &str| fragments.iter().any(|f| log.contains(f));
        let until = Instant::now() + Duration::from_secs(3);
        while !seen(&self.log()) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(100));
        }
        let log = self.log();
        let line = log
            .lines()
            .find(|l| fragments.iter().any(|f| l.contains(f)))
            .unwrap_or_else(|| panic!("{what}: none of {fragments:?} in the peer log:\n{log}"));
        let line = line.split_once("] ").map_or(line, |x| x.1).to_string();
        println!("    ok {what}: {line}");
        line
    }

    fn count(&self, fragment: &str) -> usize {
        self.log().lines().filter(|l| l.contains(fragment)).count()
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = Command::new(interop_dir().join("peer-down.sh"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .status();
    }
}

fn zubr_connect(peer: &Peer, extra: &[&str]) -> Command {
    let mut c = Command::new("ip");
    c.args(["netns", "exec", peer.get("IKEPEER_CLIENT_NS")])
        .arg(env!("CARGO_BIN_EXE_zubr"))
        .args(["connect", "--peer", peer.get("IKEPEER_ADDR")])
        .args(["--psk", peer.get("IKEPEER_PSK")]);
    // 'dynamic' (xauth-modecfg): our side is the Mode Config address
    if peer.get("IKEPEER_REMOTE_TS") != "dynamic" {
        c.args(["--local-ts", peer.get("IKEPEER_REMOTE_TS")]);
    }
    c.args(["--remote-ts", peer.get("IKEPEER_LOCAL_TS")])
        .args(["--ping", peer.get("IKEPEER_PING_TARGET")])
        .args(extra)
        .stdin(Stdio::null());
    c
}

fn run_connect(peer: &Peer, extra: &[&str]) -> String {
    let out = zubr_connect(peer, extra)
        .output()
        .expect("run zubr connect");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "zubr connect failed ({}):\n{stdout}\n{}\npeer log:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        peer.log()
    );
    stdout
}

fn check_tunnel(peer: &Peer, out: &str, count: usize) {
    let conn = peer.get("IKEPEER_CONN");
    assert!(
        out.contains(&format!("{count} packets transmitted, {count} received")),
        "{out}"
    );
    assert!(out.contains("in use settings ={Tunnel NAT-T, }"), "{out}");
    peer.expect("phase 1", &format!("IKE_SA {conn}["));
    peer.expect("Quick Mode", "CHILD_SA net{");
    peer.expect("NAT-T float", "to 10.77.0.2[4500]");
    peer.expect("client ESP decrypted by peer", "parsed ESP header with SPI");
    println!("    ok pings: {count} sent through ESP-in-UDP, {count} encrypted replies received");
}

#[test]
fn strongswan_interop() {
    if let Some(why) = skip_reason() {
        println!("SKIPPED strongswan_interop: {why}");
        return;
    }
    assert!(
        interop_dir().join("peer-up.sh").exists(),
        "interop lab not found at {} (set ZUBR_INTEROP_DIR)",
        interop_dir().display()
    );
    let _lock = Lock::take();
    let t0 = Instant::now();

    println!("=== psk-main-aes");
    let p = Peer::up("psk-main-aes", &[]);
    let out = run_connect(&p, &["--count", "3", "--timeout", "30"]);
    check_tunnel(&p, &out, 3);
    p.expect("Main Mode", "is initiating a Main Mode IKE_SA");
    assert!(
        out.contains("mode: main") && out.contains("transform: aes128-cbc sha1"),
        "{out}"
    );
    // our Delete on exit reached the peer
    p.expect("client Delete", "received DELETE for ESP CHILD_SA");
    drop(p);

    println!("=== psk-aggr");
    let p = Peer::up("psk-aggr", &[]);
    let out = run_connect(
        &p,
        &[
            "--aggressive",
            "--id",
            "fqdn:client.ikev1.test",
            "--count",
            "3",
            "--timeout",
            "30",
        ],
    );
    check_tunnel(&p, &out, 3);
    p.expect("Aggressive Mode", "is initiating a Aggressive Mode IKE_SA");
    assert!(
        out.contains("mode: aggressive") && out.contains("remote identity (FQDN): peer.ikev1.test"),
        "{out}"
    );
    drop(p);

    println!("=== natt");
    let p = Peer::up("natt", &[]);
    let out = run_connect(&p, &["--count", "3", "--timeout", "30"]);
    check_tunnel(&p, &out, 3);
    p.expect(
        "real NAT seen by the peer",
        "received packet: from 10.77.0.1[24500] to 10.77.0.2[4500]",
    );
    drop(p);

    println!("=== psk-dpd");
    let p = Peer::up("psk-dpd", &[]);
    let out = run_connect(&p, &["--count", "3", "--hold", "12", "--timeout", "40"]);
    check_tunnel(&p, &out, 3);
    p.expect("DPD request", "[ HASH N(DPD) ]");
    p.expect("DPD answered", "[ HASH N(DPD_ACK) ]");
    drop(p);

    println!("=== rekey (peer rekeys the CHILD_SA every 20 s, pings keep flowing)");
    let p = Peer::up("psk-main-aes", &[("IKEPEER_CHILD_REKEY", "20s")]);
    let out = run_connect(
        &p,
        &["--count", "30", "--interval", "1000", "--timeout", "60"],
    );
    check_tunnel(&p, &out, 30);
    assert!(p.count("CHILD_SA net{") >= 2, "no rekey in the peer log");
    p.expect("rekeyed CHILD_SA", "CHILD_SA net{2} established");
    p.expect(
        "old SA deleted by the peer",
        "sending DELETE for ESP CHILD_SA",
    );
    assert!(out.contains("removed (deleted by peer)"), "{out}");
    drop(p);

    println!(
        "=== rekey (our IPsec lifetime 20 s: Zubr rekeys as initiator and deletes the old pair)"
    );
    let p = Peer::up("psk-main-aes", &[]);
    let out = run_connect(
        &p,
        &[
            "--count",
            "25",
            "--interval",
            "1000",
            "--lifetime",
            "20",
            "--timeout",
            "60",
        ],
    );
    check_tunnel(&p, &out, 25);
    p.expect(
        "peer accepted our rekey",
        "detected rekeying of CHILD_SA net{1}",
    );
    p.expect(
        "our Delete of the old pair",
        "received DELETE for ESP CHILD_SA",
    );
    p.expect("replacement pair", "CHILD_SA net{2} established");
    assert!(
        out.contains("removed (rekeyed)") && out.contains(", replaces "),
        "{out}"
    );
    drop(p);

    println!("=== peer-initiated DELETE");
    let p = Peer::up("psk-main-aes", &[]);
    let child = zubr_connect(&p, &["--count", "2", "--hold", "8", "--timeout", "30"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn zubr connect");
    let until = Instant::now() + Duration::from_secs(15);
    while p.count("parsed ESP header") < 2 && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(100));
    }
    let vici = p.get("IKEPEER_VICI").to_string();
    let st = Command::new("swanctl")
        .args([
            "--terminate",
            "--child",
            "net",
            "--uri",
            &vici,
            "--timeout",
            "5",
        ])
        .stdout(Stdio::null())
        .status()
        .expect("swanctl --terminate");
    assert!(st.success(), "swanctl --terminate failed");
    let out = child.wait_with_output().expect("zubr connect");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    p.expect("peer sends DELETE", "sending DELETE for ESP CHILD_SA");
    assert!(stdout.contains("removed (deleted by peer)"), "{stdout}");
    println!("    ok client removed the SA pair on the peer's DELETE");
    drop(p);

    // pki (issue 6/8): signature authentication with the certificates the profile generates
    println!("=== cert-rsa (RSA signatures, PEM certificate + PKCS#1/PKCS#8 PEM key)");
    let p = Peer::up("cert-rsa", &[]);
    let (cert, key, ca) = (
        p.get("IKEPEER_CLIENT_CERT").to_string(),
        p.get("IKEPEER_CLIENT_KEY").to_string(),
        p.get("IKEPEER_CA_CERT").to_string(),
    );
    let out = run_connect(
        &p,
        &[
            "--cert",
            &cert,
            "--key",
            &key,
            "--ca",
            &ca,
            "--count",
            "3",
            "--timeout",
            "30",
        ],
    );
    check_tunnel(&p, &out, 3);
    p.expect(
        "peer verified our RSA signature",
        "CN=client.ikev1.test' with RSA_EMSA_PKCS1_NULL successful",
    );
    // MM5 (ID, CERT, SIG: ~1.3 kB) goes out in IKE fragments of the default FragmentSize 576
    p.expect("MM5 in IKE fragments", "reassembled fragmented IKE message");
    assert!(
        out.contains("remote identity (DER_ASN1_DN): ") && out.contains("auth: rsa signature"),
        "{out}"
    );
    // the same with DER certificate and PKCS#8 DER key
    let (cert_der, key_der) = (
        p.get("IKEPEER_CLIENT_CERT_DER").to_string(),
        p.get("IKEPEER_CLIENT_KEY_PKCS8_DER").to_string(),
    );
    let out = run_connect(
        &p,
        &[
            "--cert",
            &cert_der,
            "--key",
            &key_der,
            "--ca",
            &ca,
            "--count",
            "2",
            "--timeout",
            "30",
        ],
    );
    assert!(out.contains("2 packets transmitted, 2 received"), "{out}");
    assert_eq!(p.count("with RSA_EMSA_PKCS1_NULL successful"), 2);
    // trusting another CA: the peer's certificate can not be verified, no tunnel
    let other_ca = format!(
        "{}/../pki/tests/data/openssl/rsa-ca.pem",
        env!("CARGO_MANIFEST_DIR")
    );
    let refused = zubr_connect(
        &p,
        &[
            "--cert",
            &cert,
            "--key",
            &key,
            "--ca",
            &other_ca,
            "--count",
            "1",
            "--timeout",
            "8",
        ],
    )
    .output()
    .expect("run zubr connect");
    let text = String::from_utf8_lossy(&refused.stdout).to_string()
        + &String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success(),
        "untrusted peer accepted:\n{text}"
    );
    assert!(text.contains("can not be verified"), "{text}");
    assert_eq!(p.count("established with SPIs"), 2, "no third tunnel");
    println!("    ok peer certificate from an untrusted CA refused");
    drop(p);

    for push in [false, true] {
        let how = if push { "push" } else { "pull" };
        println!("=== xauth-modecfg ({how})");
        let env: &[(&str, &str)] = if push {
            &[("IKEPEER_MODECFG_PUSH", "1")]
        } else {
            &[]
        };
        let p = Peer::up("xauth-modecfg", env);
        assert_eq!(
            p.get("IKEPEER_MODECFG_PULL"),
            if push { "no" } else { "yes" }
        );
        let user = p.get("IKEPEER_XAUTH_USER").to_string();
        let out = run_connect(
            &p,
            &[
                "--xauth-user",
                &user,
                "--xauth-pass",
                p.get("IKEPEER_XAUTH_PASS"),
                "--modecfg",
                how,
                "--count",
                "3",
                "--timeout",
                "30",
            ],
        );
        check_tunnel(&p, &out, 3);
        assert!(
            out.contains(&format!("XAuth user {user} accepted")),
            "{out}"
        );
        p.expect(
            "XAuth",
            &format!("XAuth authentication of '{user}' successful"),
        );
        // the address the peer leased is the one we show, use as our TS and ping from
        let leased = p.expect("lease", "assigning virtual IP ");
        let addr = leased
            .split("virtual IP ")
            .nth(1)
            .and_then(|x| x.split_whitespace().next())
            .expect("leased address")
            .to_string();
        assert!(addr.starts_with("10.88.0."), "{leased}");
        assert!(out.contains(&format!("IKECFG address: {addr}\n")), "{out}");
        assert!(
            out.contains(&format!("local  ident (addr/prot/port): {addr}/0/0")),
            "{out}"
        );
        assert!(
            out.contains(&format!("DNS [{}]", p.get("IKEPEER_POOL_DNS"))),
            "{out}"
        );
        let ts = "CHILD_SA net{1} established with SPIs ";
        let child = p.expect("Quick Mode with the virtual IP", ts);
        assert!(
            child.ends_with(&format!("{} === {addr}/32", p.get("IKEPEER_LOCAL_TS"))),
            "{child}"
        );
        if push {
            p.expect("Mode Config pushed (SET)", "CPS(ADDR");
            p.expect("SET acknowledged (ACK)", "CPA(ADDR");
            assert_eq!(p.count("CPRQ(ADDR"), 0, "a request in push mode");
        } else {
            p.expect("Mode Config pulled (REQUEST)", "CPRQ(ADDR");
            p.expect("request answered (REPLY)", "CPRP(ADDR");
        }
        drop(p);
    }

    println!("=== xauth-modecfg (wrong XAuth password)");
    let p = Peer::up("xauth-modecfg", &[]);
    let user = p.get("IKEPEER_XAUTH_USER").to_string();
    let out = zubr_connect(
        &p,
        &[
            "--xauth-user",
            &user,
            "--xauth-pass",
            "not-the-password",
            "--modecfg",
            "--timeout",
            "20",
        ],
    )
    .output()
    .expect("run zubr connect");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!("XAuth user {user} refused")),
        "{stdout}"
    );
    assert!(
        stdout.contains("connection failed: XAuth authentication failed"),
        "{stdout}"
    );
    assert!(!stdout.contains("IKECFG address"), "{stdout}");
    p.expect(
        "XAuth refused",
        &format!("XAuth authentication of '{user}' failed"),
    );
    // our ACK and our DELETE leave back to back; charon handles them on different threads and
    // may log only the DELETE (the SA is gone before the ACK is processed)
    p.expect_any(
        "X_STATUS acknowledged or SA deleted",
        &["CPA(X_STATUS)", "received DELETE for IKE_SA"],
    );
    assert_eq!(
        p.count("assigning virtual IP"),
        0,
        "a lease after failed XAuth"
    );
    println!("    ok the client reported the refusal and gave up");
    drop(p);

    println!("=== psk-main-aes with IKE fragments of at most 120 bytes");
    let p = Peer::up("psk-main-aes", &[]);
    let out = run_connect(
        &p,
        &["--fragment-size", "120", "--count", "3", "--timeout", "30"],
    );
    check_tunnel(&p, &out, 3);
    p.expect("vendor ID", "received FRAGMENTATION vendor ID");
    p.expect(
        "MM3 in fragments",
        "reassembled fragmented IKE message (244 bytes)",
    );
    // MM3, MM5 and the Quick Mode messages came in pieces
    let whole = p.count("reassembled fragmented IKE message");
    assert!(whole >= 4, "{whole} reassembled messages");
    println!("    ok the peer reassembled {whole} messages from our fragments");
    drop(p);

    println!("=== cert-rsa with IKE fragments of at most 120 bytes");
    let p = Peer::up("cert-rsa", &[]);
    let (cert, key, ca) = (
        p.get("IKEPEER_CLIENT_CERT").to_string(),
        p.get("IKEPEER_CLIENT_KEY").to_string(),
        p.get("IKEPEER_CA_CERT").to_string(),
    );
    let out = run_connect(
        &p,
        &[
            "--cert",
            &cert,
            "--key",
            &key,
            "--ca",
            &ca,
            "--fragment-size",
            "120",
            "--count",
            "2",
            "--timeout",
            "30",
        ],
    );
    check_tunnel(&p, &out, 2);
    let whole = p.count("reassembled fragmented IKE message");
    assert!(whole >= 2, "{whole} reassembled messages");
    println!("    ok certificate exchange in {whole} fragmented messages");
    drop(p);

    println!("strongSwan interop: all runs passed in {:?}", t0.elapsed());
}
