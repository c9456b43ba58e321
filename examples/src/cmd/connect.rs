//! `zubr connect` — a diagnostic IKEv1 client: one tunnel to one peer with a pre-shared key,
//! optional pings through it, and the result in `sa_mgr show -detail` form.
//!
//! The host around the sans-IO engine: UDP sockets on 500 and 4500 (std), the clock, ESP-in-UDP
//! through `zubr-esp` for the pings. Proposal strings follow strongSwan
//! (`aes128-sha1-modp1024`, `aes256-sha256-modp2048`, `aes128-sha1`, `aes128-sha1-modp1024` for
//! ESP with PFS); provider names (`gost2814789cp-cbc`, …) are accepted too.
//!
//! Remote access: `--xauth-user/--xauth-pass` answer the gateway's XAuth, `--modecfg` asks for
//! an inner (IKECFG) address by Mode Config (`--modecfg push` waits for the gateway's SET), which
//! then is our side of Quick Mode and the pings' source. `--fragment-size` sets IKE
//! fragmentation (0 = off).
//!
//! Exit code 0 only when the tunnel came up and every ping was answered.

use std::collections::HashMap;
use std::io::ErrorKind;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::process::ExitCode;
use std::time::{Duration, Instant as StdInstant};

use zubr_base::ip::{self, Ipv4Fields};
use zubr_base::sa::{Mode, SaParams, Tunnel};
use zubr_base::{Instant, PacketBuf};
use zubr_crypto_stb::provider::{Group, IkeCipher, IkeHash};
use zubr_crypto_stb::{CryptoProvider, SOFTWARE};
use zubr_esp::{EspConfig, EspInbound, EspOutbound, UdpEncap};
use zubr_ike::config::{
    Config, DpdConfig, EspTransform, Identity, IkeRule, IkeTransform, IpsecMode, IpsecRule,
    ModeCfg, PeerMatch, Phase1Mode, PresharedKey, Selector, Xauth,
};
use zubr_ike::engine::{Acquire, DeleteReason, Event};
use zubr_ike::{ConnId, Engine};

/// `zubr connect` options.
#[derive(clap::Args)]
pub struct Args {
    /// Peer (gateway) address.
    #[arg(long)]
    peer: Ipv4Addr,
    /// Pre-shared key (not needed with --cert).
    #[arg(long, default_value = "")]
    psk: String,
    /// Aggressive Mode instead of Main Mode.
    #[arg(long)]
    aggressive: bool,
    /// Our identity: ipv4:ADDR, fqdn:NAME, email:USER@DOMAIN, dn:"C=..,O=..,CN=..", keyid:HEX.
    #[arg(long)]
    id: Option<String>,
    /// IKE proposals, comma separated (strongSwan style).
    #[arg(long, default_value = "aes128-sha1-modp1024")]
    ike: String,
    /// ESP proposals, comma separated; a trailing group (aes128-sha1-modp1024) asks for PFS.
    #[arg(long, default_value = "aes128-sha1")]
    esp: String,
    /// PFS group for Quick Mode (modp1024, ecp256, …).
    #[arg(long)]
    pfs: Option<String>,
    /// Our protected network (CIDR); with --modecfg, the assigned address by default.
    #[arg(long, required_unless_present = "modecfg")]
    local_ts: Option<String>,
    /// The peer's protected network (CIDR).
    #[arg(long)]
    remote_ts: String,
    /// Address to ping through the tunnel.
    #[arg(long)]
    ping: Option<Ipv4Addr>,
    /// Number of pings.
    #[arg(long, default_value_t = 3)]
    count: u32,
    /// Milliseconds between pings.
    #[arg(long, default_value_t = 200)]
    interval: u64,
    /// Source address of the pings (default: the first host of --local-ts).
    #[arg(long)]
    ping_src: Option<Ipv4Addr>,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    /// Stay up this many seconds after the pings (to watch DPD, rekeying, deletes).
    #[arg(long, default_value_t = 0)]
    hold: u64,
    /// IPsec SA lifetime in seconds (rekeying starts at 90 %).
    #[arg(long, default_value_t = 3600)]
    lifetime: u32,
    /// Send DPD probes after this many idle seconds.
    #[arg(long)]
    dpd: Option<u64>,
    /// Our IKE address (default: the source address towards the peer).
    #[arg(long)]
    local: Option<Ipv4Addr>,
    /// Leave the SAs up on exit (no Delete sent).
    #[arg(long)]
    no_delete: bool,
    // pki (issue 6/8): signature authentication
    /// Our certificate (PEM/DER; further certificates in the file are sent as our chain):
    /// authenticate with signatures instead of the PSK. Needs --key and --ca.
    #[arg(long, requires_all = ["key", "ca"])]
    cert: Option<String>,
    /// Our private key for --cert (PKCS#8, PKCS#1 or SEC1; PEM or DER).
    #[arg(long, requires = "cert")]
    key: Option<String>,
    /// A trusted CA certificate file for the peer's certificate (repeatable).
    #[arg(long, requires = "cert")]
    ca: Vec<String>,
    /// XAuth user name (answers the gateway's XAuth request).
    #[arg(long, requires = "xauth_pass")]
    xauth_user: Option<String>,
    /// XAuth password.
    #[arg(long, requires = "xauth_user")]
    xauth_pass: Option<String>,
    /// Get an inner address by Mode Config: `pull` (the default) asks for it, `push` waits for
    /// the gateway's SET.
    #[arg(long, num_args = 0..=1, default_missing_value = "pull", value_parser = ["pull", "push"])]
    modecfg: Option<String>,
    /// IKE fragmentation: largest IP packet of an IKE fragment (0 = off; default 576).
    #[arg(long)]
    fragment_size: Option<u16>,
}

fn provider() -> &'static CryptoProvider {
    &SOFTWARE
}

fn ike_cipher(tok: &str) -> Option<&'static IkeCipher> {
    let p = provider();
    let lsp = match tok {
        "aes128" | "aes" => "AES-K128-CBC",
        "aes192" => "AES-K192-CBC",
        "aes256" => "AES-K256-CBC",
        "3des" => "DES3-K168-CBC",
        "des" => "DES-CBC",
        other => other,
    };
    p.ike_cipher_by_name(lsp)
}

fn hash_lsp(tok: &str) -> &str {
    match tok {
        "md5" => "MD5",
        "sha1" | "sha" => "SHA1",
        "sha256" | "sha2_256" => "SHA2-256",
        "sha384" | "sha2_384" => "SHA2-384",
        "sha512" | "sha2_512" => "SHA2-512",
        other => other,
    }
}

fn ike_hash(tok: &str) -> Option<&'static IkeHash> {
    provider().ike_hash_by_name(hash_lsp(tok))
}

fn group(tok: &str) -> Option<&'static Group> {
    provider().group_by_name(tok)
}

/// Parses `cipher-hash-group[,…]` into IKE transforms.
fn parse_ike(s: &str) -> Result<Vec<IkeTransform>, String> {
    let mut out = Vec::new();
    for prop in s.split(',') {
        let t: Vec<&str> = prop.split('-').collect();
        let [c, h, g] = t.as_slice() else {
            return Err(format!("IKE proposal '{prop}': expected cipher-hash-group"));
        };
        out.push(IkeTransform {
            cipher: ike_cipher(c).ok_or(format!("unknown IKE cipher '{c}'"))?,
            hash: ike_hash(h).ok_or(format!("unknown IKE hash '{h}'"))?,
            group: group(g).ok_or(format!("unknown DH group '{g}'"))?,
            lifetime_secs: 28800,
            lifetime_kb: 0,
        });
    }
    Ok(out)
}

/// Parses `cipher-integrity[-group][,…]` into ESP transforms and an optional PFS group.
fn parse_esp(
    s: &str,
    lifetime: u32,
) -> Result<(Vec<EspTransform>, Option<&'static Group>), String> {
    let p = provider();
    let mut out = Vec::new();
    let mut pfs = None;
    for prop in s.split(',') {
        let t: Vec<&str> = prop.split('-').collect();
        let (c, rest) = t.split_first().ok_or("empty ESP proposal")?;
        let c_lsp = match *c {
            "aes128" | "aes" => "AES-K128-CBC",
            "aes192" => "AES-K192-CBC",
            "aes256" => "AES-K256-CBC",
            "3des" => "DES3-K168-CBC",
            "des" => "DES-CBC",
            "null" => "NULL",
            "aes128gcm16" => "AES-K128-GCM-16",
            "aes256gcm16" => "AES-K256-GCM-16",
            other => other,
        };
        let cipher = p
            .esp_cipher_by_name(c_lsp)
            .ok_or(format!("unknown ESP cipher '{c}'"))?;
        let mut integrity = None;
        for x in rest {
            if let Some(g) = group(x) {
                pfs = Some(g);
                continue;
            }
            let i_lsp = match *x {
                "md5" => "MD5-H96-HMAC",
                "sha1" | "sha" => "SHA1-H96-HMAC",
                "sha256" | "sha2_256" => "SHA2-256-H128-HMAC",
                "sha384" | "sha2_384" => "SHA2-384-H192-HMAC",
                "sha512" | "sha2_512" => "SHA2-512-H256-HMAC",
                other => other,
            };
            integrity = Some(
                p.integrity_by_name(i_lsp)
                    .ok_or(format!("unknown ESP integrity '{x}'"))?,
            );
        }
        out.push(EspTransform {
            cipher,
            integrity,
            lifetime_secs: lifetime,
            lifetime_kb: 4_608_000,
        });
    }
    Ok((out, pfs))
}

fn parse_cidr(s: &str) -> Result<Selector, String> {
    let (a, p) = s.split_once('/').unwrap_or((s, "32"));
    let addr: Ipv4Addr = a.parse().map_err(|_| format!("bad address in '{s}'"))?;
    let prefix: u8 = p
        .parse()
        .ok()
        .filter(|p| *p <= 32)
        .ok_or(format!("bad prefix in '{s}'"))?;
    Ok(Selector::subnet(addr, prefix))
}

/// DER of a distinguished name written `C=XX, O=Org, CN=name` (attribute types C, ST, L, O,
/// OU, CN, E/emailAddress; values as UTF8String, C as PrintableString).
fn der_dn(s: &str) -> Result<Vec<u8>, String> {
    fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut v = vec![tag];
        let n = body.len();
        if n < 128 {
            v.push(n as u8);
        } else if n < 256 {
            v.extend_from_slice(&[0x81, n as u8]);
        } else {
            v.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]);
        }
        v.extend_from_slice(body);
        v
    }
    let mut rdns = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').ok_or(format!("bad RDN '{part}'"))?;
        let (oid, tag): (&[u8], u8) = match k.trim().to_ascii_uppercase().as_str() {
            "C" => (&[0x55, 0x04, 0x06], 0x13),
            "ST" => (&[0x55, 0x04, 0x08], 0x0c),
            "L" => (&[0x55, 0x04, 0x07], 0x0c),
            "O" => (&[0x55, 0x04, 0x0a], 0x0c),
            "OU" => (&[0x55, 0x04, 0x0b], 0x0c),
            "CN" => (&[0x55, 0x04, 0x03], 0x0c),
            "E" | "EMAILADDRESS" => (
                &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01],
                0x16,
            ),
            other => return Err(format!("unsupported DN attribute '{other}'")),
        };
        let mut atv = tlv(0x06, oid);
        atv.extend(tlv(tag, v.trim().as_bytes()));
        rdns.extend(tlv(0x31, &tlv(0x30, &atv)));
    }
    Ok(tlv(0x30, &rdns))
}

fn parse_id(s: &str) -> Result<Identity, String> {
    let (t, v) = s.split_once(':').ok_or("identity must be TYPE:VALUE")?;
    Ok(match t {
        "ipv4" => Identity::Ipv4(v.parse().map_err(|_| "bad IPv4 identity")?),
        "fqdn" => Identity::Fqdn(v.into()),
        "email" => Identity::UserFqdn(v.into()),
        "dn" => Identity::DerAsn1Dn(der_dn(v)?),
        "keyid" => Identity::KeyId(hex::decode(v).map_err(|_| "key ID must be hex")?),
        other => return Err(format!("unknown identity type '{other}'")),
    })
}

/// One installed ESP SA pair.
struct Tunnel2 {
    out: EspOutbound,
    inb: EspInbound,
    spi_in: u32,
    remote: SocketAddr,
    local_ip: Ipv4Addr,
    remote_ip: Ipv4Addr,
}

fn esp_cfg<'k>(
    p: &zubr_ike::IpsecSaPair,
    spi: u32,
    tun: Tunnel,
    enc: &'k [u8],
    auth: &'k [u8],
    udp: Option<UdpEncap>,
) -> EspConfig<'k> {
    let mut c = EspConfig::new(
        SaParams::new(spi, Mode::Tunnel, Some(tun)),
        p.cipher,
        enc,
        p.integrity,
        auth,
    );
    c.udp = udp;
    c
}

fn icmp_echo(src: Ipv4Addr, dst: Ipv4Addr, id: u16, seq: u16) -> Vec<u8> {
    let mut icmp = vec![8u8, 0, 0, 0];
    icmp.extend_from_slice(&id.to_be_bytes());
    icmp.extend_from_slice(&seq.to_be_bytes());
    icmp.extend_from_slice(b"zubr connect ping payload 0123456789abcdef0123456789");
    let c = ip::checksum(&[&icmp]);
    icmp[2..4].copy_from_slice(&c.to_be_bytes());
    let mut pkt = vec![0u8; 20];
    ip::write_header(
        &mut pkt,
        &Ipv4Fields {
            tos: 0,
            total_len: (20 + icmp.len()) as u16,
            id: seq,
            df: false,
            ttl: 64,
            protocol: ip::PROTO_ICMP,
            src,
            dst,
        },
    );
    pkt.extend_from_slice(&icmp);
    pkt
}

struct Host {
    engine: Engine,
    s500: UdpSocket,
    s4500: UdpSocket,
    origin: StdInstant,
    tunnels: HashMap<ConnId, Tunnel2>,
    rng: Box<dyn zubr_crypto_stb::Rng>,
    ready: bool,
    failed: Option<String>,
    printed: bool,
    replies: std::collections::HashSet<u16>,
    /// The IKECFG address Mode Config gave us.
    ikecfg: Option<Ipv4Addr>,
}

impl Host {
    fn now(&self) -> Instant {
        Instant::from_micros(self.origin.elapsed().as_micros() as u64)
    }

    fn flush(&mut self) {
        while let Some(t) = self.engine.poll_transmit() {
            let sock = if t.local.port() == 4500 {
                &self.s4500
            } else {
                &self.s500
            };
            if let Err(e) = sock.send_to(&t.payload, t.remote) {
                eprintln!("zubr connect: send to {}: {e}", t.remote);
            }
        }
        while let Some(e) = self.engine.poll_event() {
            self.on_event(e);
        }
    }

    fn on_event(&mut self, e: Event) {
        let now = self.now();
        match e {
            Event::Phase1Established { id, peer } => {
                println!("ISAKMP connection {id} established with {peer}");
            }
            Event::IpsecSaReady(p) => {
                let (IpAddr::V4(l), IpAddr::V4(r)) = (p.local, p.remote) else {
                    return;
                };
                let udp = p.udp_encap;
                let mk = |spi, tun, enc, auth, u| esp_cfg(&p, spi, tun, enc, auth, u);
                let ports = udp
                    .map(|u| (u.local_port, u.remote_port))
                    .unwrap_or((4500, 4500));
                let out_cfg = mk(
                    p.outbound.spi,
                    Tunnel { src: l, dst: r },
                    &p.outbound.enc_key,
                    &p.outbound.auth_key,
                    Some(UdpEncap {
                        src_port: ports.0,
                        dst_port: ports.1,
                    }),
                );
                let in_cfg = mk(
                    p.inbound.spi,
                    Tunnel { src: r, dst: l },
                    &p.inbound.enc_key,
                    &p.inbound.auth_key,
                    Some(UdpEncap {
                        src_port: ports.1,
                        dst_port: ports.0,
                    }),
                );
                let out = EspOutbound::new(&out_cfg, &mut *self.rng, now);
                let inb = EspInbound::new(&in_cfg, now);
                match (out, inb) {
                    (Ok(out), Ok(inb)) => {
                        println!(
                            "IPsec connection {} established: spi in 0x{:08X} out 0x{:08X}{}{}",
                            p.id,
                            p.inbound.spi,
                            p.outbound.spi,
                            if udp.is_some() { " (ESP in UDP)" } else { "" },
                            p.replaces
                                .map(|r| format!(", replaces {r}"))
                                .unwrap_or_default()
                        );
                        self.tunnels.insert(
                            p.id,
                            Tunnel2 {
                                out,
                                inb,
                                spi_in: p.inbound.spi,
                                remote: SocketAddr::new(IpAddr::V4(r), ports.1),
                                local_ip: l,
                                remote_ip: r,
                            },
                        );
                        if !self.ready {
                            self.ready = true;
                        }
                    }
                    (Err(e), _) | (_, Err(e)) => {
                        self.failed = Some(format!("ESP SA setup failed: {e:?}"));
                    }
                }
            }
            Event::IpsecSaDeleted { id, reason, .. } => {
                self.tunnels.remove(&id);
                let why = match reason {
                    DeleteReason::Expired => "expired",
                    DeleteReason::Rekeyed => "rekeyed",
                    DeleteReason::PeerDeleted => "deleted by peer",
                    DeleteReason::Cleared => "cleared",
                    DeleteReason::PeerDead => "peer dead",
                };
                println!("IPsec connection {id} removed ({why})");
            }
            Event::IsakmpSaDeleted { id, reason } => {
                println!("ISAKMP connection {id} removed ({reason:?})");
            }
            Event::PeerDead { id, peer } => println!("ISAKMP connection {id}: peer {peer} is dead"),
            Event::ExchangeFailed { id, peer, error } => {
                println!("ISAKMP connection {id} with {peer}: exchange failed: {error}");
                if !self.ready {
                    self.failed = Some(error.to_string());
                }
            }
            Event::RekeyStarted { id } => println!("IPsec connection {id}: rekeying"),
            Event::RekeyDeferred { id } => {
                println!("IPsec connection {id}: idle, first packet will trigger rekeying")
            }
            Event::NotifyReceived { id, ty } => {
                println!("ISAKMP connection {id}: peer sent {ty:?}")
            }
            Event::XauthDone { id, user, ok, .. } => {
                let r = if ok { "accepted" } else { "refused" };
                println!("ISAKMP connection {id}: XAuth user {user} {r}");
            }
            Event::ModeConfigReceived { id, config, .. } => {
                let show = |v: &[Ipv4Addr]| {
                    v.iter()
                        .map(|a| a.to_string())
                        .collect::<Vec<_>>()
                        .join(" ")
                };
                println!(
                    "ISAKMP connection {id}: Mode Config address {}, DNS [{}], split [{}]",
                    config.address.map_or("-".into(), |a| a.to_string()),
                    show(&config.dns),
                    config
                        .split_include
                        .iter()
                        .map(|s| format!("{}-{}", s.first, s.last))
                        .collect::<Vec<_>>()
                        .join(" ")
                );
                self.ikecfg = config.address;
            }
            _ => {}
        }
    }

    fn recv(&mut self) -> bool {
        let mut buf = [0u8; 65536];
        let mut any = false;
        for natt in [false, true] {
            loop {
                let sock = if natt { &self.s4500 } else { &self.s500 };
                let (n, from) = match sock.recv_from(&mut buf) {
                    Ok(x) => x,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) => {
                        eprintln!("zubr connect: receive: {e}");
                        break;
                    }
                };
                any = true;
                let local = sock.local_addr().ok();
                let data = buf[..n].to_vec();
                let now = self.now();
                let Some(mut local) = local else { continue };
                if let Some(IpAddr::V4(l)) = self.local_ip() {
                    local.set_ip(IpAddr::V4(l));
                }
                if let Err(zubr_ike::Ignored::Esp) =
                    self.engine.handle_datagram(now, local, from, &data)
                {
                    self.esp_in(&data)
                }
                self.flush();
            }
        }
        any
    }

    fn local_ip(&self) -> Option<IpAddr> {
        self.s500
            .local_addr()
            .ok()
            .map(|a| a.ip())
            .filter(|ip| !ip.is_unspecified())
    }

    fn esp_in(&mut self, esp: &[u8]) {
        if esp.len() < 8 {
            return;
        }
        let spi = u32::from_be_bytes([esp[0], esp[1], esp[2], esp[3]]);
        let now = self.now();
        let Some((id, t)) = self.tunnels.iter_mut().find(|(_, t)| t.spi_in == spi) else {
            return;
        };
        let id = *id;
        // rebuild the outer IPv4 + UDP headers the data plane expects
        let total = 28 + esp.len();
        let mut pkt = vec![0u8; 28];
        ip::write_header(
            &mut pkt,
            &Ipv4Fields {
                tos: 0,
                total_len: total as u16,
                id: 0,
                df: false,
                ttl: 64,
                protocol: ip::PROTO_UDP,
                src: t.remote_ip,
                dst: t.local_ip,
            },
        );
        pkt[20..22].copy_from_slice(&t.remote.port().to_be_bytes());
        pkt[22..24].copy_from_slice(&4500u16.to_be_bytes());
        pkt[24..26].copy_from_slice(&((8 + esp.len()) as u16).to_be_bytes());
        pkt.extend_from_slice(esp);
        let mut storage = vec![0u8; total + 64];
        let Ok(mut buf) = PacketBuf::copy_from(&mut storage, 0, &pkt) else {
            return;
        };
        match t.inb.decapsulate(now, &mut buf) {
            Ok(_) => {
                let inner = buf.bytes();
                let len = inner.len() as u64;
                if let Ok(h) = ip::parse(inner, false) {
                    let icmp = &inner[h.header_len..];
                    if h.protocol == ip::PROTO_ICMP && icmp.len() >= 8 && icmp[0] == 0 {
                        let seq = u16::from_be_bytes([icmp[6], icmp[7]]);
                        println!(
                            "{} bytes from {}: icmp_seq={} (through ESP SA 0x{:08X})",
                            icmp.len(),
                            h.src,
                            seq,
                            spi
                        );
                        self.replies.insert(seq);
                    }
                }
                self.engine.note_traffic(now, id, (0, 0), (len, 1));
            }
            Err(e) => {
                eprintln!("zubr connect: ESP packet for SPI 0x{spi:08X} dropped: {e}");
                self.engine.note_errors(id, 0, 1);
            }
        }
        self.flush();
    }

    fn ping(&mut self, src: Ipv4Addr, dst: Ipv4Addr, seq: u16) -> bool {
        let now = self.now();
        let Some((&id, t)) = self.tunnels.iter_mut().max_by_key(|(id, _)| **id) else {
            return false;
        };
        let pkt = icmp_echo(src, dst, 0x7a62, seq);
        let len = pkt.len() as u64;
        let mut storage = vec![0u8; pkt.len() + 256];
        let Ok(mut buf) = PacketBuf::copy_from(&mut storage, 96, &pkt) else {
            return false;
        };
        if let Err(e) = t.out.encapsulate(now, &mut buf) {
            eprintln!("zubr connect: ESP encapsulation failed: {e}");
            return false;
        }
        // the socket adds IP and UDP: send only the ESP part
        let bytes = buf.bytes();
        let hl = usize::from(bytes[0] & 0x0f) * 4;
        let esp = &bytes[hl + 8..];
        let remote = t.remote;
        if let Err(e) = self.s4500.send_to(esp, remote) {
            eprintln!("zubr connect: send ESP: {e}");
            return false;
        }
        self.engine.note_traffic(now, id, (len, 1), (0, 0));
        self.flush();
        true
    }
}

/// Runs `zubr connect`.
pub fn run(a: Args) -> ExitCode {
    match run_inner(a) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("zubr connect: {e}");
            ExitCode::from(2)
        }
    }
}

fn run_inner(a: Args) -> Result<bool, String> {
    let ike = parse_ike(&a.ike)?;
    let (esp, esp_pfs) = parse_esp(&a.esp, a.lifetime)?;
    let pfs = match &a.pfs {
        Some(g) => Some(group(g).ok_or(format!("unknown PFS group '{g}'"))?),
        None => esp_pfs,
    };
    // with Mode Config an unset local selector (0.0.0.0) becomes the assigned address
    let local_ts = match &a.local_ts {
        Some(t) => parse_cidr(t)?,
        None => Selector::host(Ipv4Addr::UNSPECIFIED),
    };
    let remote_ts = parse_cidr(&a.remote_ts)?;
    let local_ip = match a.local {
        Some(l) => l,
        None => {
            let probe = UdpSocket::bind("0.0.0.0:0").map_err(|e| e.to_string())?;
            probe
                .connect(SocketAddr::new(IpAddr::V4(a.peer), 500))
                .map_err(|e| format!("no route to {}: {e}", a.peer))?;
            match probe.local_addr().map_err(|e| e.to_string())?.ip() {
                IpAddr::V4(l) => l,
                IpAddr::V6(_) => return Err("IPv4 only".into()),
            }
        }
    };
    let mode = if a.aggressive {
        Phase1Mode::Aggressive
    } else {
        Phase1Mode::Main
    };
    let mut rule = IkeRule::psk(
        "zubr_connect",
        vec![PeerMatch::Addr(a.peer)],
        mode,
        a.psk.as_bytes(),
        ike,
    );
    rule.local_id = a.id.as_deref().map(parse_id).transpose()?;
    // pki (issue 6/8): --cert/--key/--ca replace the PSK by signatures
    if let (Some(cert), Some(key)) = (&a.cert, &a.key) {
        let auth = crate::pki_validator::signature_auth(cert, key, &a.ca)?;
        match mode {
            Phase1Mode::Main => rule.main_mode_auth = vec![auth],
            Phase1Mode::Aggressive => rule.aggressive_auth = vec![auth],
        }
    } else if a.psk.is_empty() {
        return Err("--psk or --cert/--key/--ca is required".into());
    }
    rule.dpd = DpdConfig {
        interval: a.dpd.map(Duration::from_secs),
        ..DpdConfig::default()
    };
    if let (Some(user), Some(pass)) = (&a.xauth_user, &a.xauth_pass) {
        rule.xauth = Some(Xauth::Client {
            user: user.clone(),
            password: PresharedKey::new(pass.as_bytes()),
        });
    }
    if let Some(m) = &a.modecfg {
        rule.modecfg = ModeCfg::Client { pull: m == "pull" };
    }
    let mut config = Config::default();
    if let Some(f) = a.fragment_size {
        config.params.fragment_size = f;
    }
    config.ike_rules.push(rule);
    config.ipsec_rules.push(IpsecRule {
        name: "zubr_connect_filter".into(),
        action_name: "zubr_connect_action".into(),
        local: local_ts,
        remote: remote_ts,
        peer: Some(a.peer),
        mode: IpsecMode::Tunnel,
        proposals: esp,
        pfs,
        ike_rule: Some(0),
        rekey: true,
    });
    let mut seed = [0u8; 48];
    getrandom(&mut seed)?;
    let engine = Engine::new(config, SOFTWARE, &seed).map_err(|e| e.to_string())?;
    getrandom(&mut seed)?;
    let rng = SOFTWARE
        .drbg
        .instantiate(&seed)
        .map_err(|e| e.to_string())?;
    let bind = |port| {
        let s = UdpSocket::bind(SocketAddr::new(IpAddr::V4(local_ip), port))
            .map_err(|e| format!("bind {local_ip}:{port}: {e}"))?;
        s.set_nonblocking(true).map_err(|e| e.to_string())?;
        Ok::<_, String>(s)
    };
    let mut h = Host {
        engine,
        s500: bind(500)?,
        s4500: bind(4500)?,
        origin: StdInstant::now(),
        tunnels: HashMap::new(),
        rng,
        ready: false,
        failed: None,
        printed: false,
        replies: Default::default(),
        ikecfg: None,
    };
    let now = h.now();
    // pki (issue 6/8): the wall clock for certificate validity
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    h.engine
        .set_unix_time(now, zubr_base::UnixTime::from_secs(unix));
    h.engine
        .acquire(
            now,
            Acquire {
                rule: 0,
                peer: None,
                local: local_ip,
            },
        )
        .map_err(|e| e.to_string())?;
    h.flush();

    let deadline = StdInstant::now() + Duration::from_secs(a.timeout);
    let default_src = |ikecfg: Option<Ipv4Addr>| {
        if let Some(a) = ikecfg.filter(|_| local_ts.first.is_unspecified()) {
            return a;
        }
        let f = u32::from(local_ts.first);
        Ipv4Addr::from(if local_ts.first == local_ts.last {
            f
        } else {
            f + 1
        })
    };
    let mut sent = 0u32;
    let mut next_ping = StdInstant::now();
    let mut hold_until: Option<StdInstant> = None;
    loop {
        let got = h.recv();
        let now = h.now();
        if h.engine.poll_timeout().is_some_and(|t| t <= now) {
            h.engine.handle_timeout(now);
            h.flush();
        }
        if let Some(f) = &h.failed {
            println!("connection failed: {f}");
            break;
        }
        if h.ready && !h.printed {
            h.printed = true;
            print!("{}", h.engine.show(h.now(), true));
            // the responder installs its SAs after our last Quick Mode message: give it a moment
            // before the first packet (a packet that overtakes QM3 is dropped by its policy)
            next_ping = StdInstant::now() + Duration::from_millis(300);
        }
        let pings_done = match a.ping {
            Some(_) => {
                sent >= a.count
                    && (h.replies.len() as u32 >= a.count
                        || StdInstant::now() >= next_ping + Duration::from_secs(2))
            }
            None => true,
        };
        if h.ready && pings_done {
            let until =
                *hold_until.get_or_insert_with(|| StdInstant::now() + Duration::from_secs(a.hold));
            if StdInstant::now() >= until {
                break;
            }
        }
        if let (Some(dst), true) = (a.ping, h.ready)
            && sent < a.count
            && StdInstant::now() >= next_ping
        {
            let src = a.ping_src.unwrap_or_else(|| default_src(h.ikecfg));
            if h.ping(src, dst, sent as u16 + 1) {
                sent += 1;
            }
            next_ping = StdInstant::now() + Duration::from_millis(a.interval);
        }
        if StdInstant::now() >= deadline {
            println!("timeout after {} s", a.timeout);
            break;
        }
        if !got {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    if h.printed {
        println!("--- final state ---");
        print!("{}", h.engine.show(h.now(), true));
    }
    if let Some(dst) = a.ping {
        let received = h.replies.len() as u32;
        println!("--- {dst} ping statistics through the tunnel ---");
        println!("{sent} packets transmitted, {received} received");
    }
    if !a.no_delete {
        // Phase-2 Deletes first, then a moment before the ISAKMP SA's Delete: a peer that
        // handles messages on several threads (strongSwan's charon) may otherwise take the
        // ISAKMP Delete first and drop the ESP Delete with the SA it no longer has.
        let now = h.now();
        for sa in h.engine.ipsec_list(now) {
            h.engine.clear_ipsec(now, sa.id, false);
        }
        h.flush();
        std::thread::sleep(Duration::from_millis(100));
        let now = h.now();
        h.engine.clear_all(now, false);
        h.flush();
    }
    let ok = h.ready
        && h.failed.is_none()
        && match a.ping {
            Some(_) => sent == a.count && h.replies.len() as u32 == a.count,
            None => true,
        };
    Ok(ok)
}

fn getrandom(buf: &mut [u8]) -> Result<(), String> {
    use std::io::Read;
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(buf))
        .map_err(|e| format!("entropy: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proposal_strings() {
        let t = parse_ike("aes128-sha1-modp1024,aes256-sha256-modp2048").unwrap();
        assert_eq!(t[0].cipher.sa_name, "aes128-cbc");
        assert_eq!(t[1].hash.attribute, 4);
        assert_eq!(t[1].group.id, 14);
        let (e, pfs) = parse_esp("aes128-sha1-modp1024", 3600).unwrap();
        assert_eq!(e[0].integrity.unwrap().auth_algorithm, 2);
        assert_eq!(pfs.unwrap().id, 2);
        assert!(parse_ike("aes128-sha1").is_err());
        assert!(parse_esp("rot13-sha1", 1).is_err());
    }

    #[test]
    fn identities() {
        assert_eq!(
            parse_id("ipv4:10.0.0.1").unwrap(),
            Identity::Ipv4([10, 0, 0, 1].into())
        );
        assert_eq!(parse_id("fqdn:a.b").unwrap(), Identity::Fqdn("a.b".into()));
        assert_eq!(
            parse_id("keyid:0a0b").unwrap(),
            Identity::KeyId(vec![10, 11])
        );
        // C=XX, CN=a: SEQUENCE { SET { SEQUENCE { OID 2.5.4.6, PrintableString "XX" } }, SET { … CN } }
        let d = der_dn("C=XX, CN=a").unwrap();
        assert_eq!(
            hex::encode(d),
            "3019310b3009060355040613025858310a300806035504030c0161"
        );
        assert!(parse_id("bogus:x").is_err());
    }

    #[test]
    fn remote_access_options() {
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            a: Args,
        }
        use clap::Parser;
        let base = [
            "zubr",
            "--peer",
            "10.77.0.2",
            "--psk",
            "k",
            "--remote-ts",
            "10.99.0.0/24",
        ];
        let parse = |extra: &[&str]| Cli::try_parse_from(base.iter().chain(extra)).map(|c| c.a);
        // --local-ts may be left out only with Mode Config
        assert!(parse(&[]).is_err());
        let a = parse(&["--modecfg"]).unwrap();
        assert_eq!(a.modecfg.as_deref(), Some("pull"));
        assert!(a.local_ts.is_none());
        let a = parse(&["--modecfg", "push", "--fragment-size", "0"]).unwrap();
        assert_eq!(a.modecfg.as_deref(), Some("push"));
        assert_eq!(a.fragment_size, Some(0));
        assert!(parse(&["--modecfg", "sideways"]).is_err());
        // XAuth needs both halves
        assert!(parse(&["--local-ts", "10.0.0.1", "--xauth-user", "u"]).is_err());
        let a = parse(&[
            "--local-ts",
            "10.0.0.1",
            "--xauth-user",
            "u",
            "--xauth-pass",
            "p",
        ])
        .unwrap();
        assert_eq!(
            (a.xauth_user.as_deref(), a.xauth_pass.as_deref()),
            (Some("u"), Some("p"))
        );
    }
}
