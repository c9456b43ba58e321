//! `zubr [--control PATH] daemon --lsp FILE [--store DIR] [--local IP] [--if NAME]
//! [--ike-port N] [--natt-port N] [--ddp passall|passdhcp|dropall] [--no-local-management]`
//! — the Linux host around one [`zubr_agent::Agent`]: UDP sockets for IKE (500) and NAT-T
//! (4500), the clock and timers, and the Unix control socket the utilities talk to
//! (product.md §4; protocol in [`super::ctl`]).
//!
//! One thread owns the agent and runs the loop (sockets, timers, control requests); one thread
//! accepts control connections and one thread per connection reads the request and waits for
//! the loop's answer. At most 3 requests are served at once; the 4th gets `DAEMON BUSY NOW`.
//! A policy that fails to load leaves the Default Driver Policy in force (`--ddp`) and the
//! daemon keeps running so that `zubr lsp load` can fix it. Mutating commands need an
//! administrator peer (`SO_PEERCRED`: root or the daemon's own user) and the local-management
//! right (`--no-local-management` withdraws it); read-only commands are open to all.
//!
//! ESP leaves through the NAT-T socket (ESP-in-UDP, policies with `NATTraversal = FORCE` or a
//! NAT). The packet device (`--tun NAME --tun-addr CIDR [--route CIDR]...`) is a Linux TUN
//! interface made with the `tun` crate (the `TUNSETIFF` ioctl needs `unsafe`, which this
//! workspace forbids in its own code; the maintained crate does it). The daemon gives it the
//! `--tun-addr` address (or the IKECFG address Mode Config assigns), routes the protected
//! networks (`--route`, by default the remote networks of the policy's PROTECT rules) through
//! it, feeds what the host sends into it to the agent's outbound path, and writes what the agent
//! delivers back into it.
//! This module must not make policy decisions; it only moves bytes between the agent and the OS.

use std::collections::HashSet;
use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::os::unix::net::{UnixListener, UnixStream};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant as StdInstant};

use zubr_agent::mgmt::{self, IfInfo, SaClear, SaShow};
use zubr_agent::{
    Agent, AgentSettings, Ddp, KeyStore, LiteralKeys, Notice, OutResult, Output, PhyId,
    PolicySource, SharedStore,
};
use zubr_base::{Instant, PacketBuf, UnixTime};
use zubr_crypto_stb::SOFTWARE;
use zubr_filter::event::EventMask;

/// ICMP identifier of `zubr ping` (replies with another id go to the packet device).
const PING_ID: u16 = 0x7a62;

/// How long packets released by a new SA wait (see [`Host::pump`]).
const RELEASE_DELAY: Duration = Duration::from_millis(30);

/// Requests served at once (product.md §4).
const MAX_REQUESTS: usize = 3;

/// `zubr daemon` options.
#[derive(clap::Args)]
pub struct Args {
    /// Policy file loaded at start.
    #[arg(long)]
    lsp: String,
    /// Directory for the stored policy (`lsp load` copies the file there as `lsp.txt`); the
    /// certificate store there (`zubr cert --store DIR import`) serves `AuthMethodDSSign`.
    #[arg(long)]
    store: Option<String>,
    /// Packet device name (a dummy device standing in for TUN, see the module docs).
    #[arg(long)]
    tun: Option<String>,
    /// Address of the packet device (CIDR); also the source of `zubr ping`. Without it the
    /// device takes the address Mode Config assigns.
    #[arg(long)]
    tun_addr: Option<String>,
    /// Networks routed through the packet device (CIDR, repeat); default: the remote networks
    /// of the policy's PROTECT rules.
    #[arg(long)]
    route: Vec<String>,
    /// Our address for IKE and tunnels (default: the address the kernel routes from).
    #[arg(long)]
    local: Option<Ipv4Addr>,
    /// Name of the physical interface the policy's NetworkInterface templates match.
    #[arg(long = "if", default_value = "eth0")]
    iface: String,
    /// UDP port bound for IKE (0 = ephemeral, for tests); the agent sees 500.
    #[arg(long, default_value_t = 500)]
    ike_port: u16,
    /// UDP port bound for NAT-T; the agent sees 4500.
    #[arg(long, default_value_t = 4500)]
    natt_port: u16,
    /// Default Driver Policy.
    #[arg(long, default_value = "passall")]
    ddp: String,
    /// User session: the Log-off policy is in force until `zubr login`. The password record
    /// (salted belt-pbkdf2) is `STORE/passwd`; without one the password is empty until
    /// `zubr passwd` sets it.
    #[arg(long)]
    session: bool,
    /// The installation forbids local management: mutating utility commands (sa clear,
    /// drv set, dp set, lsp load/reload/unload) answer `Error: Local management is not allowed.`
    #[arg(long)]
    no_local_management: bool,
    /// A user id never treated as an administrator even if it is root or the daemon's owner
    /// (repeat; for tests of the rights check).
    #[arg(long, value_name = "UID")]
    non_admin_uid: Vec<u32>,
}

/// Who may change the daemon's state over the control socket (product.md §4, guide §13
/// "Ограничения на работу с утилитами"): administrators (the peer's user id, from the socket's
/// `SO_PEERCRED`, is root or the user that runs the daemon), and only when the installation
/// allows local management.
struct Rights {
    local_management: bool,
    owner: u32,
    non_admin: Vec<u32>,
}

impl Rights {
    /// The refusal for `words` from a peer with user id `uid` (None: unknown), if any.
    fn refuse(&self, words: &[String], uid: Option<u32>) -> Option<&'static str> {
        let w: Vec<&str> = words.iter().map(String::as_str).collect();
        let mutating = matches!(
            w.as_slice(),
            ["sa", "clear", ..]
                | ["drv", "set", ..]
                | ["dp", "set", ..]
                | ["lsp", "load", ..]
                | ["lsp", "reload", ..]
                | ["lsp", "unload", ..]
        );
        if !mutating {
            return None;
        }
        let admin =
            uid.is_some_and(|u| (u == 0 || u == self.owner) && !self.non_admin.contains(&u));
        if !admin {
            return Some("Error: You need Administrator permissions.\n");
        }
        if !self.local_management {
            return Some("Error: Local management is not allowed.\n");
        }
        None
    }
}

/// A control request handed to the loop.
struct Req {
    words: Vec<String>,
    reply: Sender<(u8, String)>,
}

/// Runs `zubr daemon`.
pub fn run(args: Args) -> ExitCode {
    match daemon(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("zubr daemon: {e}");
            ExitCode::FAILURE
        }
    }
}

fn route_source() -> Ipv4Addr {
    UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| s.connect("192.0.2.1:9").map(|()| s))
        .and_then(|s| s.local_addr())
        .ok()
        .and_then(|a| match a.ip() {
            IpAddr::V4(v) if !v.is_unspecified() => Some(v),
            _ => None,
        })
        .unwrap_or(Ipv4Addr::LOCALHOST)
}

/// The daemon's keys: pre-shared keys in the literal test mode (lsp.md §5.2) and, for
/// `AuthMethodDSSign`, the certificate store in `--store DIR` (`zubr cert --store DIR import`).
struct HostKeys {
    certs: Option<Arc<dyn SharedStore>>,
}

impl HostKeys {
    /// Opens the certificate store in `dir` when it holds one (an `index` file).
    fn open(dir: Option<&std::path::Path>) -> Result<HostKeys, String> {
        let certs = match dir {
            Some(d) if d.join("index").exists() => {
                let ds = zubr_pki::dirstore::DirStore::open(d)
                    .map_err(|e| format!("certificate store {}: {e}", d.display()))?;
                let shared: Arc<dyn SharedStore> = Arc::new(std::sync::RwLock::new(ds.store));
                Some(shared)
            }
            _ => None,
        };
        Ok(HostKeys { certs })
    }
}

impl KeyStore for HostKeys {
    fn preshared(&self, name: &str) -> Option<zeroize::Zeroizing<Vec<u8>>> {
        LiteralKeys.preshared(name)
    }

    fn certificates(&self) -> Option<Arc<dyn SharedStore>> {
        self.certs.clone()
    }
}

struct Host {
    agent: Agent,
    keys: HostKeys,
    ike: UdpSocket,
    natt: UdpSocket,
    local: Ipv4Addr,
    iface: String,
    start: StdInstant,
    store: Option<std::path::PathBuf>,
    /// Packets the agent delivered that have nowhere to go (no TUN).
    undelivered: u64,
    /// The physical interface.
    eth: PhyId,
    /// The packet device.
    dev: Option<Device>,
    /// Routes through it.
    routes: Vec<String>,
    /// Packets released by a new SA, sent at `hold_until`.
    held: Vec<Vec<u8>>,
    hold_until: Option<StdInstant>,
    /// The TUN-side interface and its address (`--tun-addr`).
    tun: Option<(PhyId, Ipv4Addr)>,
    /// Echo replies delivered to us (`zubr ping`): (id, seq).
    replies: HashSet<(u16, u16)>,
}

impl Host {
    fn now(&self) -> Instant {
        Instant::from_micros(u64::try_from(self.start.elapsed().as_micros()).unwrap_or(u64::MAX))
    }

    /// Reopens the certificate store so that certificates imported since the start count for
    /// the next policy load; an unreadable store keeps the keys in use.
    fn refresh_keys(&mut self) {
        match HostKeys::open(self.store.as_deref()) {
            Ok(k) => self.keys = k,
            Err(e) => eprintln!("zubr daemon: {e}"),
        }
    }

    fn load_file(&mut self, path: &str, label: Option<&str>) -> Result<(), String> {
        let text = std::fs::read(path).map_err(|e| format!("Error: cannot read {path}: {e}"))?;
        let name = std::path::Path::new(path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.to_owned());
        self.refresh_keys();
        let now = self.now();
        let r = self.agent.load_policy_text(
            now,
            &text,
            PolicySource {
                source: "file".into(),
                info: label.map_or_else(|| name.clone(), str::to_owned),
            },
            &self.keys,
        );
        if let Err(e) = r {
            return Err(format!(
                "Error: LSP is not loaded, {} is in force:\n{e}",
                "Default Driver Policy"
            ));
        }
        if let Some(dir) = &self.store {
            let _ = std::fs::create_dir_all(dir);
            std::fs::write(dir.join("lsp.txt"), &text)
                .map_err(|e| format!("Error: cannot store the LSP: {e}"))?;
        }
        Ok(())
    }

    fn pump(&mut self) -> bool {
        let mut any = false;
        let now = self.now();
        let mut buf = vec![0u8; 65536];
        for natt in [false, true] {
            loop {
                let sock = if natt { &self.natt } else { &self.ike };
                let (n, from) = match sock.recv_from(&mut buf) {
                    Ok(x) => x,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                    Err(_) => break,
                };
                any = true;
                let local = SocketAddr::new(IpAddr::V4(self.local), if natt { 4500 } else { 500 });
                let data = buf.get(..n).unwrap_or_default();
                let _ = self.agent.handle_datagram(now, local, from, data);
            }
        }
        // (the device is taken out only when it is configured: dropping it deletes the link)
        if let Some((phy, _)) = self.tun
            && let Some(dev) = self.dev.take()
        {
            let mut storage = vec![0u8; 65536 + 512];
            for _ in 0..256 {
                let Some(n) = dev.capture(&mut storage[256..65536 + 256]) else {
                    break;
                };
                any = true;
                let Ok(mut b) = PacketBuf::new(&mut storage, 256, n) else {
                    break;
                };
                match self.agent.outbound(now, phy, &mut b) {
                    OutResult::Send { .. } => {
                        let bytes = b.bytes().to_vec();
                        self.send_wire(&bytes);
                    }
                    OutResult::Queued | OutResult::Held | OutResult::Fragmented => {}
                    OutResult::Drop(_) => self.undelivered += 1,
                }
            }
            self.dev = Some(dev);
        }
        if self.agent.poll_timeout().is_some_and(|t| t <= now) {
            self.agent.handle_timeout(now);
        }
        while let Some(t) = self.agent.poll_transmit() {
            any = true;
            let sock = if t.local.port() == 4500 {
                &self.natt
            } else {
                &self.ike
            };
            let _ = sock.send_to(&t.payload, t.remote);
        }
        while let Some(n) = self.agent.poll_notice() {
            match n {
                Notice::SaUp { conn, peer } => {
                    eprintln!("zubr daemon: IPsec connection {conn} with {peer} is up");
                    self.hold_until = Some(StdInstant::now() + RELEASE_DELAY);
                }
                Notice::SaDown { conn, peer } => {
                    eprintln!("zubr daemon: IPsec connection {conn} with {peer} is down")
                }
                Notice::RequestFailed { filter, peer } => {
                    eprintln!("zubr daemon: SA request of filter {filter} to {peer} failed")
                }
                Notice::Ikecfg(a) => {
                    eprintln!("zubr daemon: IKECFG address {}", a.address);
                    // without --tun-addr the device takes the IKECFG address
                    if let (Some(dev), None, Some((phy, _))) =
                        (self.dev.as_mut(), self.tun, self.agent.ikecfg_interface())
                    {
                        match dev.configure(a.address, 32, &self.routes) {
                            Ok(()) => self.tun = Some((phy, a.address)),
                            Err(e) => eprintln!("zubr daemon: {e}"),
                        }
                    }
                }
            }
        }
        // packets released by a new SA wait RELEASE_DELAY: a responder that installs its
        // inbound SA when it processes our last Quick Mode message (strongSwan does) would drop
        // a packet that overtakes it ("inbound ESP packet does not belong to an installed SA")
        let now_std = StdInstant::now();
        while let Some(o) = self.agent.poll_output() {
            any = true;
            match o {
                Output::Send { packet, .. } if self.hold_until.is_some_and(|t| now_std < t) => {
                    self.held.push(packet);
                }
                Output::Send { packet, .. } => self.send_wire(&packet),
                Output::Deliver { packet, .. } => self.deliver(&packet),
            }
        }
        if self.hold_until.is_some_and(|t| now_std >= t) {
            self.hold_until = None;
            for p in std::mem::take(&mut self.held) {
                self.send_wire(&p);
            }
        }
        any
    }

    /// A packet for the host: echo replies answer `zubr ping`; anything else goes to the
    /// packet device.
    fn deliver(&mut self, packet: &[u8]) {
        if let Ok(p) = etherparse::SlicedPacket::from_ip(packet)
            && let Some(etherparse::TransportSlice::Icmpv4(i)) = &p.transport
            && let etherparse::Icmpv4Type::EchoReply(h) = i.icmp_type()
            && h.id == PING_ID
        {
            self.replies.insert((h.id, h.seq));
            return;
        }
        match &self.dev {
            Some(d) if d.deliver(packet) => {}
            _ => self.undelivered += 1,
        }
    }

    /// `ping-send DST SRC ID SEQ`: one echo request through the outbound path.
    fn ping_send(&mut self, w: &[&str]) -> (u8, String) {
        let (Some(dst), Some(src), Some(id), Some(seq)) = (
            w.first().and_then(|s| s.parse::<Ipv4Addr>().ok()),
            w.get(1).and_then(|s| s.parse::<Ipv4Addr>().ok()),
            w.get(2).and_then(|s| s.parse::<u16>().ok()),
            w.get(3).and_then(|s| s.parse::<u16>().ok()),
        ) else {
            return (9, "Usage: ping ADDR [-c COUNT] [-s SRC]\n".into());
        };
        let phy = match (self.agent.ikecfg_interface(), self.tun) {
            (Some((p, a)), _) if a.address == src => p,
            (_, Some((p, a))) if a == src => p,
            _ => self.eth,
        };
        let mut pkt = Vec::new();
        let b = etherparse::PacketBuilder::ipv4(src.octets(), dst.octets(), 64)
            .icmpv4_echo_request(id, seq);
        if b.write(&mut pkt, b"zubr ping payload 0123456789").is_err() {
            return (1, "cannot build the echo request\n".into());
        }
        let mut storage = vec![0u8; pkt.len() + 512];
        let Ok(mut buf) = PacketBuf::copy_from(&mut storage, 256, &pkt) else {
            return (1, "packet buffer\n".into());
        };
        let now = self.now();
        match self.agent.outbound(now, phy, &mut buf) {
            OutResult::Send { .. } => {
                let bytes = buf.bytes().to_vec();
                self.send_wire(&bytes);
                (0, "sent\n".into())
            }
            OutResult::Queued => (0, "queued for the SA\n".into()),
            OutResult::Held | OutResult::Fragmented => (0, "sent\n".into()),
            OutResult::Drop(r) => (1, format!("dropped: {r}\n")),
        }
    }

    /// A packet for the wire: ESP-in-UDP leaves through the NAT-T socket.
    fn send_wire(&mut self, packet: &[u8]) {
        match zubr_agent::wire::udp_parts(packet) {
            Some((src, dst, body)) if src.port() == 4500 => {
                let _ = self.natt.send_to(body, dst);
            }
            Some((src, dst, body)) if src.port() == 500 => {
                let _ = self.ike.send_to(body, dst);
            }
            _ => self.undelivered += 1,
        }
    }

    /// `if show` data: the kernel's view of our interface and the packet device (sysfs and
    /// `ip -4 -o addr`), or what the daemon was told when the kernel has no such interface.
    fn interfaces(&self) -> Vec<IfInfo> {
        let mut names = vec![self.iface.clone()];
        if let Some(d) = &self.dev {
            names.push(d.name.clone());
        }
        names
            .into_iter()
            .map(|name| {
                let sys =
                    |f: &str| std::fs::read_to_string(format!("/sys/class/net/{name}/{f}")).ok();
                let num = |f: &str| sys(f).and_then(|v| v.trim().parse::<u32>().ok());
                let mac = sys("address").and_then(|m| {
                    let b: Vec<u8> = m
                        .trim()
                        .split(':')
                        .filter_map(|x| u8::from_str_radix(x, 16).ok())
                        .collect();
                    <[u8; 6]>::try_from(b).ok()
                });
                let mut addrs = kernel_addrs(&name);
                if addrs.is_empty() && name == self.iface {
                    addrs.push((self.local, Ipv4Addr::BROADCAST, Ipv4Addr::UNSPECIFIED));
                }
                IfInfo {
                    up: sys("operstate").is_none_or(|s| s.trim() != "down"),
                    index: num("ifindex").unwrap_or(1),
                    mtu: num("mtu").unwrap_or(1500),
                    mac,
                    addrs,
                    name,
                }
            })
            .collect()
    }

    /// Runs one utility request: (exit code, text).
    fn handle(&mut self, words: &[String]) -> (u8, String) {
        let now = self.now();
        let w: Vec<&str> = words.iter().map(String::as_str).collect();
        let flag = |f: &str| w.contains(&f);
        let ids = || -> Result<Vec<u32>, String> {
            let mut v = Vec::new();
            let mut it = w.iter();
            while let Some(a) = it.next() {
                if *a == "-i" {
                    let n = it
                        .next()
                        .and_then(|s| s.parse().ok())
                        .ok_or("User Error: -i needs a number")?;
                    v.push(n);
                }
            }
            Ok(v)
        };
        let usage = |u: &str| (9u8, format!("Usage: {u}\n"));
        match w.as_slice() {
            ["sa", "show", ..] => match ids() {
                Ok(ids) => (
                    0,
                    mgmt::sa_show(
                        &self.agent,
                        now,
                        &SaShow {
                            isakmp: flag("-isakmp"),
                            ipsec: flag("-ipsec"),
                            ids,
                            detail: flag("-detail"),
                        },
                    ),
                ),
                Err(e) => (9, format!("{e}\n")),
            },
            ["sa", "clear", ..] => match ids() {
                Ok(ids) if flag("-all") || !ids.is_empty() || flag("-isakmp") || flag("-ipsec") => {
                    let out = mgmt::sa_clear(
                        &mut self.agent,
                        now,
                        &SaClear {
                            isakmp: flag("-isakmp"),
                            ipsec: flag("-ipsec"),
                            ids,
                            all: flag("-all"),
                            silent: flag("-silent"),
                        },
                    );
                    (0, out)
                }
                Ok(_) => usage("sa clear [-isakmp|-ipsec] [-i ID]... [-silent] | -all"),
                Err(e) => (9, format!("{e}\n")),
            },
            ["fwconn", "show", ..] | ["fwconn"] => match ids() {
                Ok(ids) => (
                    0,
                    mgmt::fwconn_show(&self.agent, now, flag("-detail"), &ids),
                ),
                Err(e) => (9, format!("{e}\n")),
            },
            ["drv"] | ["drv", "show"] => done(mgmt::drv_show(&self.agent, &[])),
            ["drv", "show", names @ ..] => {
                let names: Vec<String> = names.iter().map(|s| (*s).to_owned()).collect();
                done(mgmt::drv_show(&self.agent, &names))
            }
            ["drv", "set", rest @ ..] if !rest.is_empty() && rest.len() % 2 == 0 => {
                let pairs: Vec<(String, String)> = rest
                    .chunks(2)
                    .map(|c| (c[0].to_owned(), c[1].to_owned()))
                    .collect();
                done(mgmt::drv_set(&mut self.agent, &pairs))
            }
            ["drv", ..] => usage("drv [show [NAME...] | set NAME VALUE...]"),
            ["dp", "show", ..] | ["dp"] => {
                (0, mgmt::dp_show(&self.agent, flag("-ddp"), flag("-lop")))
            }
            ["dp", "set", rest @ ..] => {
                let (mut ddp, mut lop) = self.agent.driver_policies();
                let mut it = rest.iter();
                while let Some(k) = it.next() {
                    let v = it.next().copied().unwrap_or("");
                    match *k {
                        "-ddp" => match Ddp::from_name(v) {
                            Some(d) => ddp = d,
                            None => return (9, format!("User Error: unknown DDP \"{v}\"\n")),
                        },
                        "-lop" => match zubr_agent::Lop::from_name(v) {
                            Some(l) => lop = l,
                            None => return (9, format!("User Error: unknown LOP \"{v}\"\n")),
                        },
                        _ => {
                            return usage(
                                "dp set [-ddp passall|passdhcp|dropall] [-lop passdhcp|ddp]",
                            );
                        }
                    }
                }
                self.agent.set_driver_policies(ddp, lop);
                (0, mgmt::dp_show(&self.agent, false, false))
            }
            ["lsp", "load", "-f", path, rest @ ..] => {
                let label = match rest {
                    ["-l", l] => Some(*l),
                    [] => None,
                    _ => return usage("lsp load -f FILE [-l LABEL]"),
                };
                match self.load_file(path, label) {
                    Ok(()) => {
                        let name = std::path::Path::new(path)
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        (0, format!("LSP successfully loaded from file {name}\n"))
                    }
                    Err(e) => (1, format!("{e}\n")),
                }
            }
            ["lsp", "reload"] => {
                self.refresh_keys();
                match self.agent.reload_policy(now, &self.keys) {
                    Ok(_) => (0, "LSP is reloaded successfully\n".into()),
                    Err(e) => (1, format!("Error: {e}\nDefault Driver Policy is loaded\n")),
                }
            }
            ["lsp", "unload"] => {
                self.agent.unload_policy(now);
                (0, "Default Driver Policy is loaded\n".into())
            }
            ["lsp", "show"] => (0, mgmt::lsp_show(&self.agent, false)),
            ["lsp", "show", "-db"] => (0, mgmt::lsp_show(&self.agent, true)),
            ["lsp", "show-info"] => (0, mgmt::lsp_show_info(&self.agent, false)),
            ["lsp", "show-info", "-db"] => (0, mgmt::lsp_show_info(&self.agent, true)),
            ["if", "show", ..] | ["if"] => (
                0,
                mgmt::if_show(&self.agent, &self.interfaces(), flag("-all")),
            ),
            ["logout"] => {
                self.agent.logout(now);
                (0, "Logout OK\n".into())
            }
            ["login", pw @ ..] => {
                let pw = pw.first().copied().unwrap_or("");
                match self.agent.login(now, pw.as_bytes()) {
                    Ok(()) => (0, "Login OK\n".into()),
                    Err(e) => (1, format!("{e}\n")),
                }
            }
            ["passwd", old, new] => {
                match self
                    .agent
                    .change_password(now, old.as_bytes(), new.as_bytes())
                {
                    Ok(rec) => {
                        if let Some(dir) = &self.store {
                            let _ = std::fs::create_dir_all(dir);
                            if let Err(e) = std::fs::write(dir.join("passwd"), rec.to_text()) {
                                return (1, format!("Error: cannot store the password: {e}\n"));
                            }
                        }
                        (0, "New password is set successfully\n".into())
                    }
                    Err(zubr_agent::session::LoginError::WrongPassword) => {
                        (1, "Old password is incorrect\n".into())
                    }
                    Err(e) => (1, format!("{e}\n")),
                }
            }
            ["ping-send", rest @ ..] => self.ping_send(rest),
            ["ping-poll", id, seq] => {
                let key = (id.parse().unwrap_or(0), seq.parse().unwrap_or(0));
                if self.replies.remove(&key) {
                    (0, String::new())
                } else {
                    (1, String::new())
                }
            }
            ["ping-src"] => {
                let src = match (self.agent.ikecfg_interface(), self.tun) {
                    (Some((_, a)), _) => a.address,
                    (None, Some((_, a))) => a,
                    _ => self.local,
                };
                (0, src.to_string())
            }
            ["klog-mask", m] => match EventMask::parse(m) {
                Ok(mask) => {
                    self.agent.events().set_mask(mask);
                    (0, String::new())
                }
                Err(e) => (9, format!("User Error: {e}\n")),
            },
            ["klog-poll", show, flags, prec] => {
                let show = EventMask(show.parse().unwrap_or(EventMask::ALL.0));
                let prec: usize = prec.parse().unwrap_or(0).min(6);
                let mut o = String::new();
                while let Some(e) = self.agent.events().pop() {
                    let g = e.groups();
                    if !g.intersects(show) && g != EventMask::NONE {
                        continue;
                    }
                    if flags.contains('t') {
                        let t = self.start.elapsed().as_secs_f64();
                        o.push_str(&format!("{t:.prec$} "));
                    }
                    if flags.contains('T') {
                        let d = std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .unwrap_or_default();
                        let s = d.as_secs() % 86_400;
                        o.push_str(&format!(
                            "{:02}:{:02}:{:02} ",
                            s / 3600,
                            s / 60 % 60,
                            s % 60
                        ));
                    }
                    if flags.contains('g') {
                        o.push_str(&format!("[{}] ", e.subsystem().name()));
                    }
                    o.push_str(&e.to_string());
                    o.push('\n');
                }
                (0, o)
            }
            _ => (
                9,
                format!("User Error: unknown command \"{}\"\n", w.join(" ")),
            ),
        }
    }
}

fn done(r: Result<String, String>) -> (u8, String) {
    match r {
        Ok(s) => (0, s),
        Err(e) => (9, if e.ends_with('\n') { e } else { e + "\n" }),
    }
}

fn daemon(a: Args) -> Result<(), String> {
    let rights = Arc::new(Rights {
        local_management: !a.no_local_management,
        owner: rustix::process::geteuid().as_raw(),
        non_admin: a.non_admin_uid.clone(),
    });
    let ddp = Ddp::from_name(&a.ddp)
        .ok_or_else(|| format!("--ddp {}: passall, passdhcp or dropall", a.ddp))?;
    // the agent's generator and the password salt's: independent seeds
    let mut seed = [0u8; 32];
    let mut salt_seed = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| {
            f.read_exact(&mut seed)
                .and_then(|()| f.read_exact(&mut salt_seed))
        })
        .map_err(|e| format!("/dev/urandom: {e}"))?;
    let mut agent = Agent::new(
        SOFTWARE,
        AgentSettings {
            ddp,
            ..AgentSettings::default()
        },
        &seed,
    )
    .map_err(|e| e.to_string())?;
    let keys = HostKeys::open(a.store.as_deref().map(std::path::Path::new))?;
    let local = a.local.unwrap_or_else(route_source);
    let eth = agent.add_interface(&a.iface, &[local], &[], 1500);
    let tun = match &a.tun_addr {
        Some(cidr) => {
            let (ip, prefix) = parse_cidr(cidr)?;
            let name = a.tun.as_deref().unwrap_or("tun0");
            Some((agent.add_interface(name, &[ip], &[], 1400), ip, prefix))
        }
        None => None,
    };
    let mut routes = a.route.clone();
    if a.tun.is_some() && routes.is_empty() {
        routes = policy_routes(&a.lsp, &keys)?;
    }
    let dev = match (&a.tun, tun) {
        (Some(name), Some((_, ip, prefix))) => {
            let mut d = Device::up(name)?;
            d.configure(ip, prefix, &routes)?;
            Some(d)
        }
        // the address comes from Mode Config
        (Some(name), None) => Some(Device::up(name)?),
        _ => None,
    };
    let bind = |port: u16| -> Result<UdpSocket, String> {
        let s = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, port))
            .map_err(|e| format!("UDP port {port}: {e}"))?;
        s.set_nonblocking(true).map_err(|e| e.to_string())?;
        Ok(s)
    };
    let mut host = Host {
        agent,
        keys,
        ike: bind(a.ike_port)?,
        natt: bind(a.natt_port)?,
        local,
        iface: a.iface.clone(),
        start: StdInstant::now(),
        store: a.store.as_ref().map(std::path::PathBuf::from),
        undelivered: 0,
        eth,
        tun: tun.map(|(p, ip, _)| (p, ip)),
        routes,
        dev,
        held: Vec::new(),
        hold_until: None,
        replies: HashSet::new(),
    };
    if a.session {
        let stored = host
            .store
            .as_ref()
            .and_then(|d| std::fs::read_to_string(d.join("passwd")).ok());
        let rec = match stored {
            Some(t) => zubr_agent::session::PasswordRecord::from_text(t.trim())
                .ok_or("STORE/passwd: not a password record")?,
            None => {
                let mut rng = SOFTWARE
                    .drbg
                    .instantiate(&salt_seed)
                    .map_err(|e| format!("random generator: {e}"))?;
                zubr_agent::session::PasswordRecord::new(b"", &mut *rng)
                    .map_err(|e| format!("password record: {e}"))?
            }
        };
        host.agent.enable_session(rec);
    }
    // certificate validity needs the wall clock (IKE extrapolates from here)
    let wall = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let n = host.now();
    host.agent.set_unix_time(n, UnixTime::from_secs(wall));
    if let Err(e) = host.load_file(&a.lsp, None) {
        eprintln!("zubr daemon: {e}");
    }
    let path = super::ctl::control_path(None);
    if let Some(dir) = std::path::Path::new(&path).parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path).map_err(|e| format!("control socket {path}: {e}"))?;
    let (tx, rx) = mpsc::channel::<Req>();
    let busy = Arc::new(AtomicUsize::new(0));
    std::thread::spawn(move || accept(listener, tx, busy, rights));
    eprintln!(
        "zubr daemon: local {local}, IKE on UDP {} and {}, control {path}",
        host.ike.local_addr().map(|a| a.port()).unwrap_or(0),
        host.natt.local_addr().map(|a| a.port()).unwrap_or(0)
    );
    // the first connect runs phase 1 (and Mode Config) for policies that ask for it
    let n = host.now();
    host.agent.connect(n);
    run_loop(&mut host, &rx);
    Ok(())
}

fn run_loop(host: &mut Host, rx: &Receiver<Req>) {
    loop {
        let mut any = host.pump();
        loop {
            match rx.try_recv() {
                Ok(r) => {
                    any = true;
                    let ans = host.handle(&r.words);
                    let _ = r.reply.send(ans);
                    any |= host.pump();
                }
                Err(mpsc::TryRecvError::Empty) => break,
                Err(mpsc::TryRecvError::Disconnected) => return,
            }
        }
        if !any {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

fn accept(listener: UnixListener, tx: Sender<Req>, busy: Arc<AtomicUsize>, rights: Arc<Rights>) {
    for conn in listener.incoming() {
        let Ok(mut s) = conn else { continue };
        if busy.fetch_add(1, Ordering::SeqCst) >= MAX_REQUESTS {
            busy.fetch_sub(1, Ordering::SeqCst);
            // read the request first: closing with unread data would reset the connection
            // before the utility has read the answer
            std::thread::spawn(move || {
                let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                let mut b = [0u8; 1];
                let mut n = 0;
                while n < 1 << 16 && matches!(s.read(&mut b), Ok(1)) && b[0] != b'\n' {
                    n += 1;
                }
                let _ = s.write_all(b"EXIT 1\nDAEMON BUSY NOW\n");
            });
            continue;
        }
        let tx = tx.clone();
        let busy = busy.clone();
        let rights = rights.clone();
        std::thread::spawn(move || {
            serve(&mut s, &tx, &rights);
            busy.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

fn ask(tx: &Sender<Req>, words: Vec<String>) -> Option<(u8, String)> {
    let (rtx, rrx) = mpsc::channel();
    tx.send(Req { words, reply: rtx }).ok()?;
    rrx.recv().ok()
}

fn serve(s: &mut UnixStream, tx: &Sender<Req>, rights: &Rights) {
    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
    // the request: words separated by NUL, ended by a newline
    let mut req = Vec::new();
    let mut b = [0u8; 1];
    loop {
        match s.read(&mut b) {
            Ok(1) if b[0] == b'\n' => break,
            Ok(1) if req.len() < 1 << 16 => req.push(b[0]),
            _ => return,
        }
    }
    let words: Vec<String> = String::from_utf8_lossy(&req)
        .split('\0')
        .map(str::to_owned)
        .collect();
    let uid = rustix::net::sockopt::socket_peercred(&*s)
        .ok()
        .map(|c| c.uid.as_raw());
    if let Some(why) = rights.refuse(&words, uid) {
        let _ = s.write_all(format!("EXIT 1\n{why}").as_bytes());
        return;
    }
    if words.first().map(String::as_str) == Some("klog") {
        klog(s, tx, &words[1..]);
        return;
    }
    let (code, text) = if words.first().map(String::as_str) == Some("ping") {
        ping(tx, &words[1..])
    } else {
        let Some(a) = ask(tx, words) else { return };
        a
    };
    let _ = s.write_all(format!("EXIT {code}\n{text}").as_bytes());
}

/// `zubr klog [-l] [-t] [-T] [-g] [-p N] [-m MASK] [-f MASK]` (klogview): `-l` lists the mask
/// names; `-m` sets the engine's event mask; `-f` shows only these groups; `-t` prefixes the
/// seconds since the daemon started (`-p` decimals), `-T` the UTC time of day, `-g` the
/// subsystem. Streams until the utility closes the connection.
fn klog(s: &mut UnixStream, tx: &Sender<Req>, w: &[String]) {
    let mut flags = String::new();
    let (mut prec, mut show, mut set) = ("0".to_owned(), EventMask::ALL, None);
    let mut it = w.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-p" | "-m" | "-f" => {
                let Some(v) = it.next() else {
                    let _ =
                        s.write_all(format!("EXIT 9\nUser Error: {a} needs a value\n").as_bytes());
                    return;
                };
                match a.as_str() {
                    "-p" => prec = v.clone(),
                    "-m" => set = Some(v.clone()),
                    _ => match EventMask::parse(v) {
                        Ok(m) => show = m,
                        Err(e) => {
                            let _ = s.write_all(format!("EXIT 9\nUser Error: {e}\n").as_bytes());
                            return;
                        }
                    },
                }
            }
            f if f.len() > 1
                && f.starts_with('-')
                && f[1..].chars().all(|c| "ltTg".contains(c)) =>
            {
                flags.push_str(&f[1..]);
            }
            _ => {
                let _ = s.write_all(
                    b"EXIT 9\nUsage: klog [-l] [-t] [-T] [-g] [-p N] [-m MASK] [-f MASK]\n",
                );
                return;
            }
        }
    }
    if flags.contains('l') {
        let mut o = String::from("EXIT 0\n");
        for (n, m) in EventMask::NAMES {
            o.push_str(&format!("{n:<12} 0x{:x}\n", m.0));
        }
        let _ = s.write_all(o.as_bytes());
        return;
    }
    if let Some(m) = set {
        match ask(tx, vec!["klog-mask".into(), m]) {
            Some((0, _)) => {}
            Some((c, e)) => {
                let _ = s.write_all(format!("EXIT {c}\n{e}").as_bytes());
                return;
            }
            None => return,
        }
    }
    if s.write_all(b"EXIT 0\n").is_err() || s.set_nonblocking(true).is_err() {
        return;
    }
    let mut b = [0u8; 1];
    loop {
        let req = vec![
            "klog-poll".into(),
            show.0.to_string(),
            flags.clone(),
            prec.clone(),
        ];
        let Some((_, text)) = ask(tx, req) else {
            return;
        };
        let _ = s.set_nonblocking(false);
        if s.write_all(text.as_bytes()).is_err() {
            return;
        }
        let _ = s.set_nonblocking(true);
        match s.read(&mut b) {
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            _ => return,
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `zubr ping ADDR [-c COUNT] [-s SRC] [-W SECONDS]`: echo requests from SRC (default the IKECFG
/// address, else our address) through the agent; the first may wait for IKE in the SA queue.
fn ping(tx: &Sender<Req>, w: &[String]) -> (u8, String) {
    let Some(dst) = w.first().cloned() else {
        return (
            9,
            "Usage: ping ADDR [-c COUNT] [-s SRC] [-W SECONDS]\n".into(),
        );
    };
    let opt = |k: &str| {
        w.iter()
            .position(|a| a == k)
            .and_then(|i| w.get(i + 1))
            .cloned()
    };
    let count: u16 = opt("-c").and_then(|c| c.parse().ok()).unwrap_or(3);
    let wait: u64 = opt("-W").and_then(|c| c.parse().ok()).unwrap_or(10);
    let src = match opt("-s") {
        Some(s) => s,
        None => match ask(tx, vec!["ping-src".into()]) {
            Some((0, s)) => s,
            _ => return (1, "daemon gone\n".into()),
        },
    };
    let id = PING_ID;
    let mut out = format!("PING {dst} from {src}\n");
    let mut got = 0u16;
    for seq in 1..=count {
        let t0 = StdInstant::now();
        let words = ["ping-send", &dst, &src, &id.to_string(), &seq.to_string()]
            .map(str::to_owned)
            .to_vec();
        match ask(tx, words) {
            Some((0, _)) => {}
            Some((_, e)) => {
                out.push_str(&format!("icmp_seq={seq} {e}"));
                continue;
            }
            None => return (1, out + "daemon gone\n"),
        }
        loop {
            match ask(
                tx,
                ["ping-poll".to_owned(), id.to_string(), seq.to_string()].to_vec(),
            ) {
                Some((0, _)) => {
                    got += 1;
                    out.push_str(&format!(
                        "reply from {dst}: icmp_seq={seq} time={} ms\n",
                        t0.elapsed().as_millis()
                    ));
                    break;
                }
                Some(_) if t0.elapsed() < Duration::from_secs(wait) => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                Some(_) => {
                    out.push_str(&format!("icmp_seq={seq} timeout\n"));
                    break;
                }
                None => return (1, out + "daemon gone\n"),
            }
        }
    }
    out.push_str(&format!("{count} packets transmitted, {got} received\n"));
    (u8::from(got != count), out)
}

/// The remote networks of the policy's PROTECT rules as CIDR blocks (a range becomes the
/// fewest blocks that cover it exactly).
fn policy_routes(lsp: &str, keys: &HostKeys) -> Result<Vec<String>, String> {
    let text = std::fs::read(lsp).map_err(|e| format!("{lsp}: {e}"))?;
    let policy = zubr_lsp::check(&text, &zubr_lsp::Options::default())
        .compile()
        .map_err(|d| zubr_lsp::render(&d, lsp, &text))?;
    let mapped = zubr_agent::map_policy(&policy, &SOFTWARE, keys).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for r in &mapped.ike.ipsec_rules {
        let (mut a, b) = (
            u64::from(u32::from(r.remote.first)),
            u64::from(u32::from(r.remote.last)),
        );
        while a <= b {
            // the largest aligned block starting at a that ends within b
            let mut size = if a == 0 {
                1u64 << 32
            } else {
                1u64 << a.trailing_zeros().min(32)
            };
            while a + size - 1 > b {
                size >>= 1;
            }
            let prefix = 32 - size.trailing_zeros();
            let net = Ipv4Addr::from(u32::try_from(a).unwrap_or(0));
            let block = format!("{net}/{prefix}");
            if prefix > 0 && !out.contains(&block) {
                out.push(block);
            }
            a += size;
        }
    }
    Ok(out)
}

/// IPv4 (address, mask, broadcast) of `name` from `ip -4 -o addr show dev NAME`.
fn kernel_addrs(name: &str) -> Vec<(Ipv4Addr, Ipv4Addr, Ipv4Addr)> {
    let Ok(o) = std::process::Command::new("ip")
        .args(["-4", "-o", "addr", "show", "dev", name])
        .output()
    else {
        return Vec::new();
    };
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            let i = w.iter().position(|x| *x == "inet")?;
            let (ip, p) = parse_cidr(w.get(i + 1)?).ok()?;
            let mask = if p == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(p))
            };
            let brd = w
                .iter()
                .position(|x| *x == "brd")
                .and_then(|j| w.get(j + 1)?.parse().ok())
                .unwrap_or(Ipv4Addr::UNSPECIFIED);
            Some((ip, Ipv4Addr::from(mask), brd))
        })
        .collect()
}

fn parse_cidr(cidr: &str) -> Result<(Ipv4Addr, u8), String> {
    let bad = || format!("{cidr}: expected ADDR/PREFIX");
    let (ip, p) = cidr.split_once('/').ok_or_else(bad)?;
    let ip: Ipv4Addr = ip.parse().map_err(|_| bad())?;
    let p: u8 = p.parse().ok().filter(|p| *p <= 32).ok_or_else(bad)?;
    Ok((ip, p))
}

fn ip_cmd(args: &[&str]) -> Result<(), String> {
    let o = std::process::Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("ip {}: {e}", args.join(" ")))?;
    if o.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&o.stderr).trim()
        ))
    }
}

/// The packet device: a TUN interface (layer 3, no packet-information header). The host's
/// packets routed into it are read here; packets written to it reach the host's stack as if
/// they had arrived on a link. The interface disappears when the device is dropped (and when the
/// process dies: it is not persistent).
struct Device {
    name: String,
    dev: tun::Device,
}

impl Device {
    /// Creates TUN `name` (MTU 1400), up; [`Device::configure`] gives it its address and
    /// routes.
    fn up(name: &str) -> Result<Device, String> {
        let mut cfg = tun::Configuration::default();
        cfg.tun_name(name).mtu(1400).up();
        let dev = tun::create(&cfg).map_err(|e| format!("TUN device {name}: {e}"))?;
        dev.set_nonblock()
            .map_err(|e| format!("TUN device {name}: non-blocking mode: {e}"))?;
        ip_cmd(&["link", "set", name, "up"])?;
        Ok(Device {
            name: name.to_owned(),
            dev,
        })
    }

    /// Gives the device `ip/prefix` and routes `routes` through it with `ip` as the source.
    fn configure(&mut self, ip: Ipv4Addr, prefix: u8, routes: &[String]) -> Result<(), String> {
        let name = self.name.clone();
        ip_cmd(&["addr", "replace", &format!("{ip}/{prefix}"), "dev", &name])?;
        for r in routes {
            parse_cidr(r)?;
            ip_cmd(&["route", "replace", r, "dev", &name, "src", &ip.to_string()])?;
        }
        Ok(())
    }

    /// The next IPv4 packet the host sent into the device, if one is waiting (IPv6 and
    /// anything shorter than an IPv4 header are skipped).
    fn capture(&self, buf: &mut [u8]) -> Option<usize> {
        loop {
            let n = self.dev.recv(&mut *buf).ok()?;
            if n >= 20 && buf.first().is_some_and(|b| b >> 4 == 4) {
                return Some(n);
            }
        }
    }

    /// Hands a packet to the host's stack; false when the kernel refused it.
    fn deliver(&self, packet: &[u8]) -> bool {
        self.dev.send(packet).is_ok_and(|n| n == packet.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_from_protect_rules() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/policies/");
        // example 01: 10.10.0.0..10.10.255.255
        assert_eq!(
            policy_routes(
                &format!("{dir}01-psk-gost-client.lsp"),
                &HostKeys { certs: None }
            ),
            Ok(vec!["10.10.0.0/16".to_owned()])
        );
        let interop = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/interop-psk.lsp");
        assert_eq!(
            policy_routes(interop, &HostKeys { certs: None }),
            Ok(vec!["10.99.0.0/24".to_owned()])
        );
    }

    #[test]
    fn cidr() {
        assert_eq!(
            parse_cidr("10.88.0.1/24"),
            Ok((Ipv4Addr::new(10, 88, 0, 1), 24))
        );
        assert!(parse_cidr("10.88.0.1").is_err());
        assert!(parse_cidr("10.88.0.1/33").is_err());
    }
}
