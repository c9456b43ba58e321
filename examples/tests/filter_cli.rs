//! `zubr filter eval` over pcap files written here with etherparse (an independent packet
//! builder): the verdicts of lsp.md §10.1 for examples 01 and 03 appear as klogview lines, one per
//! packet, and `--at` moves the schedule clock.

use std::path::{Path, PathBuf};
use std::process::Command;

use etherparse::PacketBuilder;
use pcap_file::DataLink;
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};

fn example(n: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/spec/lsp-examples");
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!("{n}-"))
        })
        .unwrap()
}

fn ip(s: &str) -> [u8; 4] {
    s.parse::<std::net::Ipv4Addr>().unwrap().octets()
}

fn syn(src: &str, sp: u16, dst: &str, dp: u16) -> Vec<u8> {
    let mut v = Vec::new();
    PacketBuilder::ipv4(ip(src), ip(dst), 64)
        .tcp(sp, dp, 1, 65535)
        .syn()
        .write(&mut v, b"")
        .unwrap();
    v
}

fn udp(src: &str, sp: u16, dst: &str, dp: u16) -> Vec<u8> {
    let mut v = Vec::new();
    PacketBuilder::ipv4(ip(src), ip(dst), 64)
        .udp(sp, dp)
        .write(&mut v, b"x")
        .unwrap();
    v
}

fn write_pcap(path: &Path, pkts: &[Vec<u8>]) {
    let f = std::fs::File::create(path).unwrap();
    let hdr = PcapHeader {
        datalink: DataLink::RAW,
        ..PcapHeader::default()
    };
    let mut w = PcapWriter::with_header(f, hdr).unwrap();
    for (i, p) in pkts.iter().enumerate() {
        let ts = std::time::Duration::from_secs(1_772_600_000 + i as u64);
        w.write_packet(&PcapPacket::new(ts, p.len() as u32, p))
            .unwrap();
    }
}

fn eval(lsp: &Path, pcap: &Path, extra: &[&str]) -> Vec<String> {
    let o = Command::new(env!("CARGO_BIN_EXE_zubr"))
        .args(["filter", "eval", "--lsp"])
        .arg(lsp)
        .arg("--pcap")
        .arg(pcap)
        .args(extra)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn example_03_schedules_and_jumps() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("p.pcap");
    write_pcap(
        &pcap,
        &[
            syn("10.0.0.5", 40000, "93.184.216.34", 443),
            syn("10.0.0.5", 40001, "10.0.5.25", 22),
            syn("10.0.0.5", 40002, "10.0.7.1", 80),
        ],
    );
    let wed_10 = eval(
        &example("03"),
        &pcap,
        &["--local", "10.0.0.5", "--at", "2026-03-04 10:00:00"],
    );
    assert_eq!(wed_10.len(), 3, "{wed_10:#?}");
    assert_eq!(
        wed_10[0],
        "passed out packet 10.0.0.5:40000->93.184.216.34:443, proto 6, len 40, if eth0: filtered"
    );
    assert!(
        wed_10[1].starts_with("passed out packet 10.0.0.5:40001->10.0.5.25:22"),
        "{wed_10:#?}"
    );
    assert!(
        wed_10[2].starts_with("dropped out packet 10.0.0.5:40002->10.0.7.1:80"),
        "{wed_10:#?}"
    );
    // Saturday and Wednesday 13:30: the web rule's schedule is not active → chain default DROP
    for at in ["2026-03-07 10:00:00", "2026-03-04 13:30:00"] {
        let l = eval(&example("03"), &pcap, &["--local", "10.0.0.5", "--at", at]);
        assert!(
            l[0].starts_with("dropped out packet 10.0.0.5:40000->93.184.216.34:443"),
            "{at}: {l:#?}"
        );
        assert_eq!(l[1], wed_10[1], "{at}");
    }
    // --trace prints the chain walk under each line
    let t = eval(
        &example("03"),
        &pcap,
        &[
            "--local",
            "10.0.0.5",
            "--at",
            "2026-03-04 10:00:00",
            "--trace",
        ],
    );
    assert!(
        t.len() > 3 && t.iter().filter(|l| l.starts_with("  ")).count() >= 3,
        "{t:#?}"
    );
}

#[test]
fn example_01_protect_and_ipsec_policy() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("p.pcap");
    write_pcap(
        &pcap,
        &[
            udp("192.0.2.50", 68, "255.255.255.255", 67),
            syn("10.10.200.10", 40000, "10.10.1.5", 443),
            syn("192.0.2.50", 40001, "8.8.8.8", 443),
        ],
    );
    let l = eval(
        &example("01"),
        &pcap,
        &[
            "--dir",
            "out",
            "--local",
            "192.0.2.50",
            "--local",
            "10.10.200.10",
        ],
    );
    assert_eq!(l.len(), 3, "{l:#?}");
    assert!(
        l[0].starts_with("passed out packet 192.0.2.50:68->255.255.255.255:67"),
        "{l:#?}"
    );
    assert!(
        l[1].starts_with("protect out packet 10.10.200.10:40000->10.10.1.5:443")
            && l[1].ends_with("\"filter_rule_00_00\", IPsecAction IPsec_action_01"),
        "{l:#?}"
    );
    assert!(
        l[2].starts_with("dropped out packet 192.0.2.50:40001->8.8.8.8:443")
            && l[2].ends_with(": IPsec policy"),
        "{l:#?}"
    );
}
