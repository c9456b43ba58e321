//! Arbitrary bytes through the whole agent (policy compiled from LSP text, a manual ESP bundle,
//! SA requests toward an IKE peer) under a 16 KiB packet memory budget: each record of the input
//! is a packet from the host or from the wire, a UDP datagram on port 500/4500, the host taking
//! outputs, or time passing. Nothing may panic; the agent never holds more than its budget, and
//! once the outputs are taken and the requests have timed out it holds nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;
use zubr_agent::{Agent, AgentSettings, LiteralKeys, PolicySource};
use zubr_base::sa::{Mode, SaParams, Tunnel};
use zubr_base::{Instant, PacketBuf};
use zubr_crypto_stb::SOFTWARE;
use zubr_esp::{EspConfig, EspInbound, EspOutbound};
use zubr_filter::event::EventMask;
use zubr_ike::config::Selector;

const POLICY: &str = r#"GlobalParameters (
 Title = "fuzz"
 Version = LSP_4_0
)
IdentityEntry me(
)
IdentityEntry gw(
 IPv4Address *= 203.0.113.1
)
AuthMethodPreshared am(
 SharedIKESecret = "psk"
 LocalID = me
 RemoteID = gw
)
IKETransform t(
 CipherAlg *= "AES-K128-CBC"
 HashAlg *= "SHA1"
 GroupID *= MODP_2048
)
IKERule ir(
 PeerAddress *= 203.0.113.1
 DoAutopass = TRUE
 MainModeAuthMethod *= am
 Transform *= t
)
ESPTransform et(
 CipherAlg = "AES-K128-CBC"
 IntegrityAlg = "SHA1-H96-HMAC"
)
ESPProposal ep(
 Transform *= et
)
IPsecAction act(
 ContainedProposals *= ep
 TunnelingParameters *= TunnelEntry(
  PeerAddress = 203.0.113.1
 )
 IKERule = ir
)
FilteringRule prot(
 DestinationIPAddress *= 10.10.0.0..10.10.255.255
 Action = PROTECT
 IPsecAction = act
)
FilteringRule many(
 DestinationIPAddress *= 10.30.0.0..10.30.255.255
 Action = PROTECT
 IPsecAction = act
)
FilteringRule clear(
 Action = PASS
)
FilterChain pol(
 Filters *= prot, many, clear
 DefaultAction = DROP
)
NetworkInterface (
 LogicalName = "*"
 IPsecPolicy = pol
)
"#;

const LIMIT: usize = 16 << 10;

fn agent() -> (Agent, zubr_agent::PhyId, u32) {
    let settings = AgentSettings {
        event_mask: EventMask::ALL,
        event_capacity: 64,
        packet_memory: LIMIT,
        ..AgentSettings::default()
    };
    let mut a = Agent::new(SOFTWARE, settings, &[7; 32]).expect("agent");
    let me: Ipv4Addr = [192, 0, 2, 50].into();
    let eth = a.add_interface("eth0", &[me], &[[192, 0, 2, 255].into()], 1500);
    let source = PolicySource { source: "fuzz".into(), info: "fuzz.lsp".into() };
    a.load_policy_text(Instant::from_secs(1), POLICY.as_bytes(), source, &LiteralKeys).expect("policy");
    let filter = a.mapped().expect("mapped").rules[0].filter;
    let c = SOFTWARE.esp_cipher_by_name("esp-aes128-cbc").expect("aes");
    let i = SOFTWARE.integrity_by_name("esp-sha1-hmac");
    let peer: Ipv4Addr = [203, 0, 113, 1].into();
    let sa = |spi, src, dst| EspConfig::new(SaParams::new(spi, Mode::Tunnel, Some(Tunnel { src, dst })), c, &[7; 16], i, &[9; 20]);
    let inbound = EspInbound::new(&sa(0x1001, peer, me), Instant::ZERO).expect("sa");
    let mut rng = SOFTWARE.drbg.instantiate(&[4; 32]).expect("drbg");
    let outbound = EspOutbound::new(&sa(0x2002, me, peer), &mut *rng, Instant::ZERO).expect("sa");
    let sel = Selector::subnet([0, 0, 0, 0].into(), 0);
    a.install_manual(filter, sel, sel, me, peer, vec![Box::new(inbound)], vec![Box::new(outbound)]).expect("bundle");
    (a, eth, filter)
}

fuzz_target!(|data: &[u8]| {
    let (mut a, eth, _) = agent();
    let mut now = Instant::from_secs(2);
    let mut rest = data;
    // records: [op] [len] [len bytes]
    while let [op, len, tail @ ..] = rest {
        let n = usize::from(*len).min(tail.len()) * 8 % (tail.len() + 1);
        let (bytes, next) = tail.split_at(n.min(tail.len()));
        rest = next;
        let before = a.packet_memory().0;
        let mut storage = vec![0u8; bytes.len() + 256];
        match op % 6 {
            0 | 1 => {
                let Ok(mut b) = PacketBuf::copy_from(&mut storage, 128, bytes) else { continue };
                if op % 6 == 0 {
                    let _ = a.outbound(now, eth, &mut b);
                } else {
                    let _ = a.inbound(now, eth, &mut b);
                }
            }
            2 => {
                let port = if op & 0x80 != 0 { 4500 } else { 500 };
                let local = SocketAddr::from(([192, 0, 2, 50], port));
                let remote = SocketAddr::from(([203, 0, 113, 1], port));
                let _ = a.handle_datagram(now, local, remote, bytes);
            }
            3 => {
                for _ in 0..op >> 4 {
                    let _ = a.poll_output();
                }
            }
            4 => {
                now += Duration::from_secs(u64::from(op >> 3));
                a.handle_timeout(now);
            }
            _ => {
                while a.poll_transmit().is_some() {}
                while let Some(e) = a.events().pop() {
                    let _ = e.to_string();
                }
            }
        }
        let held = a.packet_memory().0;
        assert!(held <= LIMIT.max(before), "held {held} > {LIMIT}");
    }
    now += Duration::from_secs(3600);
    a.handle_timeout(now);
    while a.poll_output().is_some() {}
    assert_eq!(a.requests(), 0);
    assert_eq!(a.packet_memory().0, 0, "packet memory leaked");
});
