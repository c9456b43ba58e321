//! `zubr esp decrypt-pcap | encrypt-pcap | algorithms`: ESP and AH on capture files, for
//! integrators checking Zubr against another implementation (or a capture with known keys).
//!
//! * `decrypt-pcap --sa SPEC [--sa SPEC]... IN.pcap OUT.pcap` — removes ESP, ESP-in-UDP and AH
//!   layers (AH+ESP and nested tunnels too) from every packet of a classic pcap (Ethernet or
//!   raw-IP link type) and writes the inner packets (tunnel) or reconstructed IP packets
//!   (transport) to a raw-IPv4 pcap. Each refused packet is reported on stderr with the engine's
//!   drop reason (`packet 3: SA 1: decapsulation error 5: integrity verification failed`).
//! * `encrypt-pcap --sa SPEC [--sa SPEC]... [--seq N] IN.pcap OUT.pcap` — the reverse from
//!   cleartext IP packets; several `--sa` form a bundle, the first one applied first (innermost):
//!   `--sa ESP --sa AH` gives AH+ESP.
//! * `algorithms` — one line per provider algorithm with its command-line name and sizes,
//!   for scripts (`enc NAME key=K iv=I block=B icv=C sa=SA_NAME`, `auth NAME key=K icv=C ah=yes|no
//!   sa=SA_NAME`).
//!
//! SPEC: `spi=0x1000,proto=esp|ah,mode=tunnel|transport,src=IP,dst=IP,enc=NAME,ekey=HEX,
//! auth=NAME,akey=HEX[,udp=4500][,esn=1][,window=64]`. For AES-GCM the last 4 key bytes are the
//! salt (RFC 4106). Algorithm names come from [`ENC_NAMES`]/[`AUTH_NAMES`], one table mapping
//! the customary names onto the provider's wire numbers; an algorithm missing from the table is
//! named by its `sa_mgr` name without the `esp-` prefix; `sa_mgr` and LSP names work too.
//!
//! Classic pcap is read and written with the `pcap-file` crate, Ethernet headers are parsed with
//! `etherparse`; the IPsec work is `zubr_base::sadb::SaDb` driving `zubr-esp` and `zubr-ah`.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read};
use std::net::Ipv4Addr;
use std::process::ExitCode;

use clap::Subcommand;
use pcap_file::DataLink;
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapReader, PcapWriter};
use zubr_ah::{AhConfig, AhInbound, AhOutbound};
use zubr_base::sa::{Mode, SaParams, Tunnel};
use zubr_base::sadb::{InboundKind, SaDb};
use zubr_base::{Instant, PacketBuf};
use zubr_crypto_stb::SOFTWARE;
use zubr_crypto_stb::provider::{CryptoProvider, EspCipher, Integrity};
use zubr_esp::{EspConfig, EspInbound, EspOutbound, UdpEncap};

/// Customary command-line names of ESP ciphers, by ESP transform ID (RFC 2407 §4.4.4, RFC 4106,
/// crypto.md §5.1). Several table entries with one transform ID (AES-128/192/256) share a name;
/// the key length picks one.
pub const ENC_NAMES: &[(u8, &str)] = &[
    (2, "des-cbc"),
    (3, "3des-cbc"),
    (11, "null"),
    (12, "aes-cbc"),
    (13, "aes-ctr"),
    (18, "aes-gcm-8"),
    (19, "aes-gcm-12"),
    (20, "aes-gcm-16"),
    (254, "gost28147-cbc"),
];

/// Customary names of integrity algorithms, by IPsec Authentication Algorithm value (RFC 2407,
/// RFC 4868, crypto.md §5.1).
pub const AUTH_NAMES: &[(u16, &str)] = &[
    (1, "hmac-md5-96"),
    (2, "hmac-sha1-96"),
    (5, "hmac-sha256-128"),
    (6, "hmac-sha384-192"),
    (7, "hmac-sha512-256"),
    (65534, "gostr3411-94-hmac-96"),
    (65535, "gost28147-imit"),
];

fn strip(name: &str, prefix: &str) -> String {
    name.strip_prefix(prefix).unwrap_or(name).to_string()
}

/// The command-line name of an ESP cipher.
pub fn enc_name(c: &EspCipher) -> String {
    ENC_NAMES
        .iter()
        .find(|(id, _)| *id == c.transform_id)
        .map_or_else(|| strip(c.sa_name, "esp-"), |(_, n)| n.to_string())
}

/// The command-line name of an integrity algorithm.
pub fn auth_name(i: &Integrity) -> String {
    AUTH_NAMES
        .iter()
        .find(|(a, _)| *a == i.auth_algorithm)
        .map_or_else(|| strip(i.esp_sa_name, "esp-"), |(_, n)| n.to_string())
}

fn find_cipher(
    p: &CryptoProvider,
    name: &str,
    key_len: usize,
) -> Result<&'static EspCipher, String> {
    let matching: Vec<_> = p
        .esp_ciphers
        .iter()
        .filter(|c| enc_name(c) == name || c.sa_name == name || c.lsp_name == name)
        .collect();
    if matching.is_empty() {
        return Err(format!("unknown encryption algorithm `{name}`"));
    }
    matching
        .iter()
        .find(|c| c.cipher.key_len() == key_len)
        .copied()
        .ok_or_else(|| {
            let lens: Vec<_> = matching
                .iter()
                .map(|c| c.cipher.key_len().to_string())
                .collect();
            format!(
                "`{name}` takes a key of {} bytes, not {key_len}",
                lens.join(" or ")
            )
        })
}

fn find_integrity(p: &CryptoProvider, name: &str) -> Result<&'static Integrity, String> {
    p.integrity
        .iter()
        .find(|i| {
            auth_name(i) == name
                || i.esp_sa_name == name
                || i.ah_sa_name == name
                || i.lsp_name == name
        })
        .ok_or_else(|| format!("unknown integrity algorithm `{name}`"))
}

/// The algorithm list printed under `zubr esp --help`.
pub fn algorithms_help(p: &CryptoProvider) -> String {
    let mut enc: Vec<String> = Vec::new();
    for c in p.esp_ciphers {
        let n = enc_name(c);
        if !enc.contains(&n) {
            enc.push(n);
        }
    }
    let mut auth: Vec<String> = p.integrity.iter().map(auth_name).collect();
    auth.dedup();
    format!(
        "Algorithms (--sa enc=…, auth=…):\n  enc:  {}\n  auth: none, {}\n\n\
         SPEC: spi=0x1000,proto=esp|ah,mode=tunnel|transport,src=IP,dst=IP,enc=NAME,ekey=HEX,\n\
         \x20     auth=NAME,akey=HEX[,udp=4500][,esn=1][,window=64]  (aes-gcm: salt = last 4 key bytes)",
        enc.join(", "),
        auth.join(", ")
    )
}

/// `zubr esp` subcommands.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Decrypt ESP / ESP-in-UDP / AH packets of a pcap into a raw-IPv4 pcap.
    DecryptPcap {
        /// SA specification (repeatable).
        #[arg(long = "sa", required = true)]
        sa: Vec<String>,
        /// Input pcap (Ethernet or raw IP).
        input: String,
        /// Output pcap (raw IPv4).
        output: String,
    },
    /// Encrypt cleartext IP packets of a pcap into ESP/AH packets (raw-IPv4 pcap).
    EncryptPcap {
        /// SA specification (repeatable: a bundle, first applied first).
        #[arg(long = "sa", required = true)]
        sa: Vec<String>,
        /// First sequence number.
        #[arg(long, default_value_t = 1)]
        seq: u64,
        /// Input pcap of cleartext IP packets.
        input: String,
        /// Output pcap (raw IPv4).
        output: String,
    },
    /// Machine-readable list of the provider's ESP/AH algorithms.
    Algorithms,
}

/// Adds the provider's algorithm list to `zubr esp --help`.
pub fn augment(cmd: clap::Command) -> clap::Command {
    cmd.mut_subcommand("esp", |c| c.after_help(algorithms_help(&SOFTWARE)))
}

/// Runs `zubr esp`.
pub fn run(args: Args) -> ExitCode {
    let r = match args.command {
        Cmd::DecryptPcap { sa, input, output } => decrypt(&sa, &input, &output),
        Cmd::EncryptPcap {
            sa,
            seq,
            input,
            output,
        } => encrypt(&sa, seq, &input, &output),
        Cmd::Algorithms => {
            list(&SOFTWARE);
            Ok(true)
        }
    };
    match r {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("zubr esp: {e}");
            ExitCode::from(2)
        }
    }
}

fn list(p: &CryptoProvider) {
    for c in p.esp_ciphers {
        println!(
            "enc {} key={} iv={} block={} icv={} sa={}",
            enc_name(c),
            c.cipher.key_len(),
            c.cipher.iv_len(),
            c.cipher.block_len(),
            c.cipher.icv_len(),
            c.sa_name
        );
    }
    for i in p.integrity {
        println!(
            "auth {} key={} icv={} ah={} sa={}",
            auth_name(i),
            i.mac.key_len(),
            i.icv_len,
            if i.ah_transform_id.is_some() {
                "yes"
            } else {
                "no"
            },
            i.esp_sa_name
        );
    }
}

// ---------------------------------------------------------------------------------------------
// SPEC

/// A parsed `--sa` specification (its `Debug` leaves the keys out).
pub struct Spec {
    spi: u32,
    ah: bool,
    mode: Mode,
    src: Option<Ipv4Addr>,
    dst: Option<Ipv4Addr>,
    enc: Option<&'static EspCipher>,
    ekey: Vec<u8>,
    auth: Option<&'static Integrity>,
    akey: Vec<u8>,
    udp: Option<u16>,
    esn: bool,
    window: u32,
}

impl std::fmt::Debug for Spec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spec")
            .field("spi", &format_args!("{:#x}", self.spi))
            .field("ah", &self.ah)
            .field("mode", &self.mode)
            .field("enc", &self.enc.map(|c| c.sa_name))
            .field("auth", &self.auth.map(|i| i.esp_sa_name))
            .finish_non_exhaustive()
    }
}

fn parse_num(v: &str) -> Result<u64, String> {
    let r = match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16),
        None => v.parse(),
    };
    r.map_err(|_| format!("bad number `{v}`"))
}

/// Parses SPEC against the provider's tables.
pub fn parse_spec(p: &CryptoProvider, spec: &str) -> Result<Spec, String> {
    let mut kv = std::collections::BTreeMap::new();
    for part in spec.split(',').filter(|s| !s.is_empty()) {
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| format!("`{part}`: expected key=value"))?;
        if kv.insert(k.trim(), v.trim()).is_some() {
            return Err(format!("`{k}` given twice"));
        }
    }
    let spi = parse_num(kv.remove("spi").ok_or("spi= is required")?)?;
    let spi = u32::try_from(spi).map_err(|_| "spi does not fit 32 bits".to_string())?;
    let ah = match kv.remove("proto").unwrap_or("esp") {
        "esp" => false,
        "ah" => true,
        o => return Err(format!("proto `{o}`: esp or ah")),
    };
    let mode = match kv.remove("mode").unwrap_or("tunnel") {
        "tunnel" => Mode::Tunnel,
        "transport" => Mode::Transport,
        o => return Err(format!("mode `{o}`: tunnel or transport")),
    };
    let addr = |v: Option<&str>| -> Result<Option<Ipv4Addr>, String> {
        v.map(|s| s.parse().map_err(|_| format!("bad IPv4 address `{s}`")))
            .transpose()
    };
    let src = addr(kv.remove("src"))?;
    let dst = addr(kv.remove("dst"))?;
    let hexkey = |v: Option<&str>| -> Result<Vec<u8>, String> {
        let v = v.unwrap_or("");
        hex::decode(v.strip_prefix("0x").unwrap_or(v)).map_err(|_| format!("bad hex key `{v}`"))
    };
    let ekey = hexkey(kv.remove("ekey"))?;
    let akey = hexkey(kv.remove("akey"))?;
    let enc = match kv.remove("enc") {
        Some(n) if !ah => Some(find_cipher(p, n, ekey.len())?),
        Some(_) => return Err("enc= is not allowed with proto=ah".into()),
        None if ah => None,
        None => return Err("enc= is required for ESP (use enc=null for none)".into()),
    };
    let auth = match kv.remove("auth") {
        None | Some("none") => None,
        Some(n) => Some(find_integrity(p, n)?),
    };
    if ah && auth.is_none() {
        return Err("proto=ah needs auth=".into());
    }
    let udp = kv
        .remove("udp")
        .map(parse_num)
        .transpose()?
        .map(|v| u16::try_from(v).map_err(|_| "bad udp port".to_string()))
        .transpose()?;
    let esn = match kv.remove("esn").unwrap_or("0") {
        "0" => false,
        "1" => true,
        o => return Err(format!("esn `{o}`: 0 or 1")),
    };
    let window = kv
        .remove("window")
        .map(parse_num)
        .transpose()?
        .unwrap_or(64);
    let window = u32::try_from(window).map_err(|_| "window too large".to_string())?;
    if let Some(k) = kv.keys().next() {
        return Err(format!("unknown SPEC key `{k}`"));
    }
    if mode == Mode::Tunnel && (src.is_none() || dst.is_none()) {
        return Err("mode=tunnel needs src= and dst= (the outer addresses)".into());
    }
    if ah && udp.is_some() {
        return Err("AH cannot be UDP-encapsulated".into());
    }
    Ok(Spec {
        spi,
        ah,
        mode,
        src,
        dst,
        enc,
        ekey,
        auth,
        akey,
        udp,
        esn,
        window,
    })
}

impl Spec {
    fn params(&self, seq: u64) -> SaParams {
        let tunnel = match (self.src, self.dst) {
            (Some(src), Some(dst)) => Some(Tunnel { src, dst }),
            (None, Some(dst)) => Some(Tunnel {
                src: Ipv4Addr::UNSPECIFIED,
                dst,
            }),
            _ => None,
        };
        let mut p = SaParams::new(self.spi, self.mode, tunnel);
        p.esn = self.esn;
        p.replay_window = self.window;
        p.initial_seq = seq;
        p
    }

    fn esp(&self, seq: u64) -> Option<EspConfig<'_>> {
        let mut c = EspConfig::new(
            self.params(seq),
            self.enc?,
            &self.ekey,
            self.auth,
            &self.akey,
        );
        c.udp = self.udp.map(|port| UdpEncap {
            src_port: port,
            dst_port: port,
        });
        Some(c)
    }

    fn ah(&self, seq: u64) -> Option<AhConfig<'_>> {
        Some(AhConfig {
            params: self.params(seq),
            integrity: self.auth?,
            key: &self.akey,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// pcap

fn open_pcap(path: &str) -> Result<PcapReader<BufReader<File>>, String> {
    let f = File::open(path).map_err(|e| format!("{path}: {e}"))?;
    PcapReader::new(BufReader::new(f)).map_err(|e| format!("{path}: {e}"))
}

fn create_pcap(path: &str) -> Result<PcapWriter<BufWriter<File>>, String> {
    let f = File::create(path).map_err(|e| format!("{path}: {e}"))?;
    let header = PcapHeader {
        datalink: DataLink::RAW,
        ..PcapHeader::default()
    };
    PcapWriter::with_header(BufWriter::new(f), header).map_err(|e| format!("{path}: {e}"))
}

/// The IP packet inside a frame of link type `dl`.
fn ip_of(dl: DataLink, frame: &[u8]) -> Option<&[u8]> {
    match dl {
        DataLink::RAW | DataLink::IPV4 => Some(frame),
        DataLink::ETHERNET => {
            let (eth, mut rest) = etherparse::Ethernet2Header::from_slice(frame).ok()?;
            let mut ty = eth.ether_type;
            while matches!(
                ty,
                etherparse::EtherType::VLAN_TAGGED_FRAME
                    | etherparse::EtherType::PROVIDER_BRIDGING
                    | etherparse::EtherType::VLAN_DOUBLE_TAGGED_FRAME
            ) {
                let (v, r) = etherparse::SingleVlanHeader::from_slice(rest).ok()?;
                ty = v.ether_type;
                rest = r;
            }
            (ty == etherparse::EtherType::IPV4).then_some(rest)
        }
        _ => None,
    }
}

const HEADROOM: usize = 512;

fn decrypt(specs: &[String], input: &str, output: &str) -> Result<bool, String> {
    let mut db: SaDb = SaDb::new();
    let now = Instant::ZERO;
    for s in specs {
        let spec = parse_spec(&SOFTWARE, s).map_err(|e| format!("--sa {s}: {e}"))?;
        let id = if spec.ah {
            let cfg = spec.ah(1).ok_or("AH needs auth=")?;
            let sa = AhInbound::new(&cfg, now).map_err(|e| format!("--sa {s}: {e}"))?;
            db.install_inbound(Box::new(sa))
        } else {
            if let Some(port) = spec.udp {
                db.set_nat_t_port(port);
            }
            let cfg = spec.esp(1).ok_or("ESP needs enc=")?;
            let sa = EspInbound::new(&cfg, now).map_err(|e| format!("--sa {s}: {e}"))?;
            db.install_inbound(Box::new(sa))
        }
        .map_err(|e| format!("--sa {s}: {e}"))?;
        db.bundle(&[id]).map_err(|e| e.to_string())?;
    }
    let mut r = open_pcap(input)?;
    let dl = r.header().datalink;
    let mut w = create_pcap(output)?;
    let (mut ok, mut failed, mut skipped) = (0, 0, 0);
    let mut buf = vec![0u8; HEADROOM + 65536 + HEADROOM];
    let mut n = 0usize;
    while let Some(p) = r.next_packet() {
        let p = p.map_err(|e| format!("{input}: {e}"))?;
        n += 1;
        let Some(ipb) = ip_of(dl, &p.data) else {
            eprintln!("packet {n}: skipped (not IPv4)");
            skipped += 1;
            continue;
        };
        let mut pkt = PacketBuf::copy_from(&mut buf, HEADROOM, ipb)
            .map_err(|_| format!("packet {n}: too large"))?;
        match db.decapsulate(now, &mut pkt) {
            Ok(res) if res.kind == InboundKind::Decapsulated => {
                let out = pkt.bytes();
                w.write_packet(&PcapPacket::new(p.timestamp, out.len() as u32, out))
                    .map_err(|e| format!("{output}: {e}"))?;
                ok += 1;
            }
            Ok(res) => {
                eprintln!("packet {n}: skipped ({:?})", res.kind);
                skipped += 1;
            }
            Err(reason) => {
                eprintln!("packet {n}: {reason}");
                failed += 1;
            }
        }
    }
    println!("{ok} decrypted, {failed} failed, {skipped} skipped");
    Ok(failed == 0)
}

/// Seeds the provider's DRBG from the operating system.
fn host_rng() -> Result<Box<dyn zubr_crypto_stb::Rng>, String> {
    let mut seed = [0u8; 48];
    File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut seed))
        .map_err(|e| format!("/dev/urandom: {e}"))?;
    SOFTWARE
        .drbg
        .instantiate(&seed)
        .map_err(|e| format!("DRBG: {e}"))
}

fn encrypt(specs: &[String], seq: u64, input: &str, output: &str) -> Result<bool, String> {
    let mut db: SaDb = SaDb::new();
    let now = Instant::ZERO;
    let mut rng = host_rng()?;
    let mut ids = Vec::new();
    for s in specs {
        let spec = parse_spec(&SOFTWARE, s).map_err(|e| format!("--sa {s}: {e}"))?;
        let id = if spec.ah {
            let cfg = spec.ah(seq).ok_or("AH needs auth=")?;
            let sa = AhOutbound::new(&cfg, &mut *rng, now).map_err(|e| format!("--sa {s}: {e}"))?;
            db.install_outbound(Box::new(sa))
        } else {
            let cfg = spec.esp(seq).ok_or("ESP needs enc=")?;
            let sa =
                EspOutbound::new(&cfg, &mut *rng, now).map_err(|e| format!("--sa {s}: {e}"))?;
            db.install_outbound(Box::new(sa))
        };
        ids.push(id);
    }
    ids.reverse(); // a bundle lists the outermost SA first
    let bundle = db.bundle(&ids).map_err(|e| e.to_string())?;
    let mut r = open_pcap(input)?;
    let dl = r.header().datalink;
    let mut w = create_pcap(output)?;
    let (mut ok, mut failed) = (0, 0);
    let mut buf = vec![0u8; 4096 + 65536 + 4096];
    let mut n = 0usize;
    while let Some(p) = r.next_packet() {
        let p = p.map_err(|e| format!("{input}: {e}"))?;
        n += 1;
        let Some(ipb) = ip_of(dl, &p.data) else {
            eprintln!("packet {n}: skipped (not IPv4)");
            continue;
        };
        let mut pkt = PacketBuf::copy_from(&mut buf, 4096, ipb)
            .map_err(|_| format!("packet {n}: too large"))?;
        match db.encapsulate(now, bundle, &mut pkt) {
            Ok(_) => {
                let out = pkt.bytes();
                w.write_packet(&PcapPacket::new(p.timestamp, out.len() as u32, out))
                    .map_err(|e| format!("{output}: {e}"))?;
                ok += 1;
            }
            Err(reason) => {
                eprintln!("packet {n}: {reason}");
                failed += 1;
            }
        }
    }
    println!("{ok} encrypted, {failed} failed");
    Ok(failed == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_provider_algorithm_has_a_name_that_resolves() {
        for c in SOFTWARE.esp_ciphers {
            let got = find_cipher(&SOFTWARE, &enc_name(c), c.cipher.key_len()).unwrap();
            assert_eq!(got.sa_name, c.sa_name);
        }
        for i in SOFTWARE.integrity {
            assert_eq!(
                find_integrity(&SOFTWARE, &auth_name(i))
                    .unwrap()
                    .esp_sa_name,
                i.esp_sa_name
            );
        }
        let help = algorithms_help(&SOFTWARE);
        assert!(help.contains("aes-cbc") && help.contains("hmac-sha1-96"));
    }

    #[test]
    fn spec_errors_are_explained() {
        let p = &SOFTWARE;
        assert!(
            parse_spec(p, "spi=1,mode=transport,enc=aes-cbc,ekey=00")
                .unwrap_err()
                .contains("16")
        );
        assert!(
            parse_spec(
                p,
                "spi=1,mode=tunnel,enc=aes-cbc,ekey=00112233445566778899aabbccddeeff"
            )
            .unwrap_err()
            .contains("src=")
        );
        assert!(
            parse_spec(p, "spi=1,mode=transport,enc=nope")
                .unwrap_err()
                .contains("unknown")
        );
        assert!(
            parse_spec(p, "spi=1,proto=ah,mode=transport")
                .unwrap_err()
                .contains("auth")
        );
        assert!(
            parse_spec(
                p,
                "spi=1,mode=transport,enc=aes-cbc,ekey=00112233445566778899aabbccddeeff,x=1"
            )
            .unwrap_err()
            .contains("`x`")
        );
        let s = parse_spec(p, "spi=0x1000,proto=esp,mode=transport,enc=aes-cbc,ekey=000102030405060708090a0b0c0d0e0f1011121314151617,auth=hmac-sha256-128,akey=00,udp=4500,esn=1,window=128").unwrap();
        assert_eq!(
            (s.spi, s.enc.unwrap().sa_name, s.udp, s.esn, s.window),
            (0x1000, "esp-aes192-cbc", Some(4500), true, 128)
        );
    }
}
