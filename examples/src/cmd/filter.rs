//! `zubr filter eval --lsp FILE --pcap IN.pcap [--if NAME] [--dir in|out|auto] [--local IP]...
//! [--at "YYYY-MM-DD HH:MM:SS"] [--trace]` — runs a policy's firewall and IPsec chains over
//! captured packets, so an administrator can test a policy before loading it.
//!
//! The policy goes through the same path as in the agent (zubr-lsp compile, then
//! [`zubr_agent::map_policy`]) into a `zubr-filter` engine with one interface. Each packet is
//! classified in order (connection state carries over from packet to packet) and printed as one
//! klogview line (`passed out packet …: filtered`, `dropped in packet …: firewall`, product.md
//! §9); verdicts the event log does not print on their own get a line of the same form:
//! `protect out packet …: filter N "RULE", IPsecAction NAME`, `decapsulate in packet …`,
//! `ike in packet …`, `held in packet …: fragment`. `--trace` adds the verdict trace under each
//! line. This module only does I/O; it must not decide verdicts itself.

use std::fs::File;
use std::io::BufReader;
use std::net::Ipv4Addr;
use std::process::ExitCode;
use std::sync::Arc;

use pcap_file::DataLink;
use pcap_file::pcap::PcapReader;
use zubr_agent::{LiteralKeys, map_policy};
use zubr_base::{Direction, Instant, UnixTime};
use zubr_crypto_stb::SOFTWARE;
use zubr_filter::event::{Event, EventMask};
use zubr_filter::{Engine, EngineSettings, Verdict};

/// `zubr filter` subcommands.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// Classify the packets of a pcap file with a policy: one klogview line per packet.
    Eval(EvalArgs),
}

/// Direction of the packets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Dir {
    /// All inbound.
    In,
    /// All outbound.
    Out,
    /// Outbound when the source is a `--local` address, else inbound.
    Auto,
}

#[derive(clap::Args)]
struct EvalArgs {
    /// Policy file.
    #[arg(long)]
    lsp: String,
    /// Packets (pcap; link types Ethernet, raw IP, IPv4).
    #[arg(long)]
    pcap: String,
    /// Name of the interface the packets cross (matched against NetworkInterface LogicalName).
    #[arg(long = "if", default_value = "eth0")]
    iface: String,
    /// Direction.
    #[arg(long, value_enum, default_value = "auto")]
    dir: Dir,
    /// Addresses of this host on the interface (repeat).
    #[arg(long)]
    local: Vec<Ipv4Addr>,
    /// Wall-clock time for schedules (UTC), instead of each packet's capture time.
    #[arg(long)]
    at: Option<String>,
    /// Print the verdict trace under each packet.
    #[arg(long)]
    trace: bool,
}

/// Runs `zubr filter`.
pub fn run(args: Args) -> ExitCode {
    let Cmd::Eval(a) = args.command;
    match eval(&a) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("zubr filter eval: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (civil calendar arithmetic).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) to seconds since the epoch.
fn parse_at(s: &str) -> Result<i64, String> {
    let bad = || format!("--at {s:?}: expected \"YYYY-MM-DD HH:MM:SS\"");
    let (date, time) = s.trim().split_once(' ').ok_or_else(bad)?;
    let num = |v: &str| v.parse::<i64>().map_err(|_| bad());
    let d: Vec<&str> = date.split('-').collect();
    let t: Vec<&str> = time.split(':').collect();
    let ([y, mo, da], [h, mi, se]) = (d.as_slice(), t.as_slice()) else {
        return Err(bad());
    };
    let (y, mo, da, h, mi, se) = (num(y)?, num(mo)?, num(da)?, num(h)?, num(mi)?, num(se)?);
    if !(1..=12).contains(&mo)
        || !(1..=31).contains(&da)
        || h > 23
        || mi > 59
        || se > 60
        || h < 0
        || mi < 0
        || se < 0
    {
        return Err(bad());
    }
    Ok(days_from_civil(y, mo, da) * 86_400 + h * 3600 + mi * 60 + se)
}

/// The IP packet inside a frame of link type `dl`.
fn ip_of(dl: DataLink, frame: &[u8]) -> Option<&[u8]> {
    match dl {
        DataLink::RAW | DataLink::IPV4 => Some(frame),
        DataLink::ETHERNET => {
            let (eth, rest) = etherparse::Ethernet2Header::from_slice(frame).ok()?;
            (eth.ether_type == etherparse::EtherType::IPV4).then_some(rest)
        }
        _ => None,
    }
}

fn eval(a: &EvalArgs) -> Result<(), String> {
    let text = std::fs::read(&a.lsp).map_err(|e| format!("{}: {e}", a.lsp))?;
    let checked = zubr_lsp::check(&text, &zubr_lsp::Options::default());
    let policy = checked
        .compile()
        .map_err(|d| zubr_lsp::render(&d, &a.lsp, &text).trim_end().to_owned())?;
    let mapped =
        map_policy(&policy, &SOFTWARE, &LiteralKeys).map_err(|e| format!("{}: {e}", a.lsp))?;
    for w in &mapped.warnings {
        eprintln!("{}: warning: {w}", a.lsp);
    }
    let at = a.at.as_deref().map(parse_at).transpose()?;
    let mut engine = Engine::new(EngineSettings {
        event_mask: EventMask::PASS.union(EventMask::DROP),
        ..EngineSettings::default()
    });
    let phy = engine.add_interface(&a.iface, &a.local, &[]);
    engine
        .load_policy(mapped.filter.clone(), UnixTime::from_secs(at.unwrap_or(0)))
        .map_err(|e| format!("{}: {e}", a.lsp))?;
    let f = File::open(&a.pcap).map_err(|e| format!("{}: {e}", a.pcap))?;
    let mut rd = PcapReader::new(BufReader::new(f)).map_err(|e| format!("{}: {e}", a.pcap))?;
    let dl = rd.header().datalink;
    let iface: Arc<str> = a.iface.as_str().into();
    let mut n = 0u64;
    while let Some(p) = rd.next_packet() {
        let p = p.map_err(|e| format!("{}: {e}", a.pcap))?;
        n += 1;
        let Some(pkt) = ip_of(dl, &p.data) else {
            println!("skipped packet {n}: not IPv4");
            continue;
        };
        let secs = i64::try_from(p.timestamp.as_secs()).unwrap_or(i64::MAX);
        engine.set_wall_clock(UnixTime::from_secs(at.unwrap_or(secs)));
        let now = Instant::from_micros(u64::try_from(p.timestamp.as_micros()).unwrap_or(u64::MAX));
        let src = pkt
            .get(12..16)
            .map(|b| Ipv4Addr::new(b[0], b[1], b[2], b[3]));
        let dir = match a.dir {
            Dir::In => Direction::In,
            Dir::Out => Direction::Out,
            Dir::Auto if src.is_some_and(|s| a.local.contains(&s)) => Direction::Out,
            Dir::Auto => Direction::In,
        };
        let (v, trace) = engine.process_traced(dir, phy, pkt, false, now);
        let mut printed = false;
        while let Some(e) = engine.events().pop() {
            if matches!(e, Event::Passed { .. } | Event::Dropped { .. }) {
                println!("{e}");
                printed = true;
            }
        }
        if !printed {
            let d = zubr_agent::wire::describe(dir, &iface, pkt);
            let body = format!(
                "{dir} packet {}, proto {}, len {}, if {}",
                d.ep, d.protocol, d.len, d.iface
            );
            match v {
                Verdict::Protect { action, filter } => {
                    let rule = mapped
                        .rule_by_filter(filter)
                        .map(|r| r.name.as_str())
                        .unwrap_or("?");
                    let act = usize::try_from(action.0)
                        .ok()
                        .and_then(|i| mapped.actions.get(i))
                        .map(|p| p.name.as_str())
                        .unwrap_or("?");
                    println!("protect {body}: filter {filter} \"{rule}\", IPsecAction {act}");
                }
                Verdict::Decapsulate => println!("decapsulate {body}: IPsec"),
                Verdict::Ike => println!("ike {body}: IKE"),
                Verdict::Held => println!("held {body}: fragment"),
                Verdict::Pass(r) => println!("passed {body}: {r}"),
                Verdict::Drop(r) => println!("dropped {body}: {r}"),
            }
        }
        if a.trace {
            print!("{trace}");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        // independent reference: `date -u -d '2026-03-02 08:30:00' +%s`
        assert_eq!(parse_at("1970-01-01 00:00:00"), Ok(0));
        assert_eq!(parse_at("2000-03-01 00:00:00"), Ok(951_868_800));
        assert_eq!(parse_at("2026-03-02 08:30:00"), Ok(1_772_440_200));
        assert!(parse_at("2026-13-02 08:30:00").is_err());
        assert!(parse_at("2026-03-02T08:30:00").is_err());
    }
}
