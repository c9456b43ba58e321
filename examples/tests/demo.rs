//! `zubr demo` as a user runs it, once per suite: the tunnel comes up through the SA request
//! queue, every packet of the stream comes back intact, the client's `sa show -detail` view names
//! the suite's transforms and counts the packets both ways, and the run exits 0. A gateway with
//! another suite makes the demo fail with a reason and a non-zero exit code.

use std::process::{Command, Output};

fn demo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zubr"))
        .arg("demo")
        .args(args)
        .output()
        .expect("spawn zubr")
}

fn check_suite(suite: &str, ike: &str, esp: &str) {
    let o = demo(&["--suite", suite, "--packets", "300", "--size", "500"]);
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{suite}: {out}\n{err}");
    for want in [
        "first packet queued: 1 SA request(s), 1 packet(s) waiting".to_owned(),
        "quick mode: ".to_owned(),
        "IKECFG address: 10.10.200.10".to_owned(),
        format!("transform: {ike}"),
        format!("transform: {esp}"),
        "IPsecAction name: IPsec_action_01".to_owned(),
        "FilteringRule name: filter_rule_00_00".to_owned(),
        "local  ident (addr/prot/port): 10.10.200.10/0/0".to_owned(),
        "remote ident (addr/prot/port): 10.10.0.0-10.10.255.255/0/0".to_owned(),
        // the queued packet + 300 of the stream out, 300 answers in
        "#pkts sent/rcvd: 301/300".to_owned(),
        "packets client -> gateway: sent 300 (270 UDP, 30 ICMP echo), delivered 300".to_owned(),
        "packets gateway -> client: sent 300, delivered 300".to_owned(),
        "client: encapsulated 301, decapsulated 300, dropped 0; gateway: encapsulated 300, decapsulated 301, dropped 0"
            .to_owned(),
        "(192.0.2.50,500)-(203.0.113.1,500) active".to_owned(),
        "zubr demo: OK".to_owned(),
    ] {
        assert!(out.contains(&want), "{suite}: missing {want:?} in\n{out}");
    }
    assert!(
        out.lines()
            .any(|l| l.starts_with("throughput: ") && l.contains(" Mbit/s (600 packets")),
        "{out}"
    );
}

#[test]
fn demo_gost() {
    check_suite(
        "gost",
        "gost2814789cp-cbc gostr341194cp",
        "esp-gost2814789cp-cbc esp-gostr341194cp-hmac",
    );
}

#[test]
fn demo_intl() {
    check_suite(
        "intl",
        "aes256-cbc sha2-256",
        "esp-aes256-cbc esp-sha256-hmac",
    );
}

#[test]
fn demo_stb() {
    check_suite("stb", "belt-cbc belt-hash", "esp-belt-ctr esp-hbelt-hmac");
}

#[test]
fn demo_fails_on_proposal_mismatch() {
    let o = demo(&[
        "--suite",
        "gost",
        "--gateway-suite",
        "intl",
        "--timeout",
        "3",
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{out}\n{err}");
    assert!(err.starts_with("zubr demo: FAILED: "), "{err}");
    assert!(!out.contains("zubr demo: OK"), "{out}");
}
