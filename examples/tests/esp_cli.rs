//! `zubr esp` as a user runs it, against packets made by scapy (an independent ESP/AH
//! implementation): the captures in tests/data/scapy were written by
//! `scripts/esp_scapy_check.py --fixtures` with the keys listed in specs.txt. CI also runs the
//! live cross-check both ways (scripts/test).

use std::path::{Path, PathBuf};
use std::process::Command;

use pcap_file::pcap::PcapReader;

fn zubr() -> Command {
    Command::new(env!("CARGO_BIN_EXE_zubr"))
}

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/scapy")
}

fn packets(p: &Path) -> Vec<Vec<u8>> {
    let mut r = PcapReader::new(std::fs::File::open(p).expect("pcap")).expect("pcap header");
    let mut v = Vec::new();
    while let Some(pkt) = r.next_packet() {
        v.push(pkt.expect("packet").data.into_owned());
    }
    v
}

/// (name, label, specs) of every fixture.
fn fixtures() -> Vec<(String, String, Vec<String>)> {
    let specs = std::fs::read_to_string(data().join("specs.txt")).expect("specs.txt");
    specs
        .lines()
        .map(|l| {
            let (name, rest) = l.split_once(' ').unwrap();
            let (label, specs) = rest[1..].split_once("' ").unwrap();
            (
                name.to_string(),
                label.to_string(),
                specs.split(' ').map(str::to_string).collect(),
            )
        })
        .collect()
}

#[test]
fn decrypts_scapy_captures() {
    let dir = tempfile::tempdir().unwrap();
    let clear = packets(&data().join("clear.pcap"));
    let fx = fixtures();
    assert!(fx.len() >= 10);
    for (name, label, specs) in fx {
        let out = dir.path().join(format!("{name}.out.pcap"));
        let mut cmd = zubr();
        cmd.args(["esp", "decrypt-pcap"]);
        for s in &specs {
            cmd.args(["--sa", s]);
        }
        let o = cmd
            .arg(data().join(format!("{name}.pcap")))
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{label}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(packets(&out), clear, "{label}");
    }
}

#[test]
fn encrypt_then_decrypt_and_report_failures() {
    let dir = tempfile::tempdir().unwrap();
    let clear = data().join("clear.pcap");
    let spec = "spi=0x2a,proto=esp,mode=tunnel,src=192.0.2.1,dst=192.0.2.2,enc=aes-cbc,\
                ekey=000102030405060708090a0b0c0d0e0f,auth=hmac-sha1-96,\
                akey=00112233445566778899aabbccddeeff00112233,udp=4500";
    let enc = dir.path().join("enc.pcap");
    let o = zubr()
        .args(["esp", "encrypt-pcap", "--sa", spec, "--seq", "5"])
        .arg(&clear)
        .arg(&enc)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "4 encrypted, 0 failed\n"
    );
    let wire = packets(&enc);
    assert_eq!(
        &wire[0][28 + 4..28 + 8],
        &5u32.to_be_bytes(),
        "--seq sets the first number"
    );
    let dec = dir.path().join("dec.pcap");
    let o = zubr()
        .args(["esp", "decrypt-pcap", "--sa", spec])
        .arg(&enc)
        .arg(&dec)
        .output()
        .unwrap();
    assert!(o.status.success());
    assert_eq!(packets(&dec), packets(&clear));
    // the same capture twice: the second copy is a replay; with the wrong key, integrity fails
    let twice = dir.path().join("twice.pcap");
    {
        use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
        let f = std::fs::File::create(&twice).unwrap();
        let h = PcapHeader {
            datalink: pcap_file::DataLink::RAW,
            ..Default::default()
        };
        let mut w = PcapWriter::with_header(f, h).unwrap();
        for p in wire.iter().chain(wire.iter().take(1)) {
            w.write_packet(&PcapPacket::new(Default::default(), p.len() as u32, p))
                .unwrap();
        }
    }
    let o = zubr()
        .args(["esp", "decrypt-pcap", "--sa", spec])
        .arg(&twice)
        .arg(&dec)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "packet 5: SA 1: decapsulation error 1: replay packet detected\n"
    );
    let wrong = spec.replace("akey=00", "akey=01");
    let o = zubr()
        .args(["esp", "decrypt-pcap", "--sa", &wrong])
        .arg(&enc)
        .arg(&dec)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .starts_with("packet 1: SA 1: decapsulation error 5: integrity verification failed\n")
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "0 decrypted, 4 failed, 0 skipped\n"
    );
    // an SPI nobody knows
    let other = spec.replace("spi=0x2a", "spi=0x2b");
    let o = zubr()
        .args(["esp", "decrypt-pcap", "--sa", &other])
        .arg(&enc)
        .arg(&dec)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .starts_with("packet 1: SPI 0x0000002a not found in hash\n")
    );
}

#[test]
fn help_lists_every_provider_algorithm() {
    let o = zubr().args(["esp", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&o.stdout);
    let list = zubr().args(["esp", "algorithms"]).output().unwrap();
    let list = String::from_utf8_lossy(&list.stdout);
    let n = zubr_crypto_stb::SOFTWARE.esp_ciphers.len() + zubr_crypto_stb::SOFTWARE.integrity.len();
    assert_eq!(list.lines().count(), n);
    for line in list.lines() {
        let name = line.split_whitespace().nth(1).unwrap();
        assert!(help.contains(name), "--help lacks {name}");
    }
}
