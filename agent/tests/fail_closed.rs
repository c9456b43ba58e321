//! Fail closed and an ATM-style policy (issue 9, Proof): a policy file that does not compile or
//! does not map leaves the Default Driver Policy in force — dropall drops everything, passdhcp
//! passes only DHCP — and an ATM client (dropall DDP, firewall admitting only the gateway,
//! everything else protected or dropped) reaches the gateway's LAN through the tunnel and
//! nothing else.

mod common;

use common::*;
use zubr_agent::*;
use zubr_base::{DropReason, Instant};

const BROKEN_SYNTAX: &[u8] =
    b"GlobalParameters (\n Version = LSP_4_0\n)\nIKERule r(\n PeerAddress *= \n";

fn broken_mapping() -> Vec<u8> {
    // compiles, but names an algorithm the provider does not have
    String::from_utf8(example("01"))
        .unwrap()
        .replace("\"GR341194CPRO1-65534\"", "\"NO-SUCH-HASH\"")
        .into_bytes()
}

fn client(ddp: Ddp) -> (Agent, PhyId) {
    let mut a = Agent::new(
        zubr_crypto_stb::SOFTWARE,
        AgentSettings {
            ddp,
            event_mask: zubr_filter::event::EventMask::ALL,
            ..AgentSettings::default()
        },
        &[7; 32],
    )
    .unwrap();
    let eth = a.add_interface("eth0", &[ip("192.0.2.50")], &[ip("192.0.2.255")], 1500);
    (a, eth)
}

fn try_load(a: &mut Agent, text: &[u8]) -> Result<Vec<String>, AgentError> {
    a.load_policy_text(
        Instant::from_secs(1),
        text,
        PolicySource {
            source: "test".into(),
            info: "broken.lsp".into(),
        },
        &LiteralKeys,
    )
}

fn dhcp() -> Vec<u8> {
    udp("192.0.2.50", 68, "255.255.255.255", 67)
}

#[test]
fn broken_policy_leaves_dropall_in_force() {
    for broken in [BROKEN_SYNTAX.to_vec(), broken_mapping()] {
        let (mut a, eth) = client(Ddp::DropAll);
        load(&mut a, &example("01"), "01-psk-gost-client.lsp");
        assert_eq!(a.state(), PolicyState::User);
        let now = Instant::from_secs(2);
        // under the policy, DHCP passes
        assert!(matches!(
            out(&mut a, now, eth, &dhcp()).0,
            OutResult::Send { .. }
        ));
        let err = try_load(&mut a, &broken).unwrap_err();
        assert!(a.last_error().is_some(), "{err}");
        assert_eq!(a.state(), PolicyState::Ddp, "{err}");
        assert!(a.mapped().is_none());
        for p in [
            dhcp(),
            tcp("192.0.2.50", 40000, "8.8.8.8", 443, SYN, 1, 0, b""),
        ] {
            assert_eq!(
                out(&mut a, now, eth, &p).0,
                OutResult::Drop(DropReason::DriverDefaultPolicy)
            );
        }
        let inbound = udp("192.0.2.1", 67, "192.0.2.50", 68);
        assert_eq!(
            inb(&mut a, now, eth, &inbound).0,
            InResult::Drop(DropReason::DriverDefaultPolicy)
        );
    }
}

#[test]
fn broken_policy_leaves_passdhcp_in_force() {
    for broken in [BROKEN_SYNTAX.to_vec(), broken_mapping()] {
        let (mut a, eth) = client(Ddp::PassDhcp);
        let now = Instant::from_secs(2);
        assert!(try_load(&mut a, &broken).is_err());
        assert_eq!(a.state(), PolicyState::Ddp);
        assert!(matches!(
            out(&mut a, now, eth, &dhcp()).0,
            OutResult::Send { .. }
        ));
        let offer = udp("192.0.2.1", 67, "192.0.2.50", 68);
        assert!(matches!(
            inb(&mut a, now, eth, &offer).0,
            InResult::Deliver { .. }
        ));
        let web = tcp("192.0.2.50", 40000, "8.8.8.8", 443, SYN, 1, 0, b"");
        assert_eq!(
            out(&mut a, now, eth, &web).0,
            OutResult::Drop(DropReason::DriverDefaultPolicy)
        );
        let dns = udp("192.0.2.50", 5353, "192.0.2.1", 53);
        assert_eq!(
            out(&mut a, now, eth, &dns).0,
            OutResult::Drop(DropReason::DriverDefaultPolicy)
        );
    }
}

/// An ATM: only the gateway 203.0.113.1 is reachable in clear (IKE, ESP); the bank's network
/// 10.10.0.0/16 only through the tunnel; nothing else, either way.
const ATM: &str = r#"GlobalParameters (
 Title = "ATM: only the processing centre, through the tunnel"
 Version = LSP_4_0
 CRLHandlingMode = DISABLE
)
IdentityEntry me(
)
IdentityEntry gw_identity(
 IPv4Address *= 203.0.113.1
)
AuthMethodPreshared am(
 SharedIKESecret = "gw1_psk"
 LocalID = me
 RemoteID = gw_identity
)
IKETransform t(
 CipherAlg *= "G2814789CPRO1-K256-CBC-65534"
 HashAlg *= "GR341194CPRO1-65534"
 GroupID *= MODP_1536
)
IKERule ir(
 PeerAddress *= 203.0.113.1
 DoAutopass = TRUE
 MainModeAuthMethod *= am
 Transform *= t
 IKECFGRequestAddress = TRUE
)
ESPTransform et(
 CipherAlg = "G2814789CPRO1-K256-CBC-254"
 IntegrityAlg = "GR341194CPRO1-H96-HMAC-65534"
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
FilterChain fw_in(
 Filters *= Filter(
  SourceIPAddress *= 203.0.113.1
  Action = PASS
 )
 DefaultAction = DROP
)
FilterChain fw_out(
 Filters *= Filter(
  DestinationIPAddress *= 203.0.113.1, 10.10.0.0..10.10.255.255
  Action = PASS
 )
 DefaultAction = DROP
)
FilteringRule bank(
 DestinationIPAddress *= 10.10.0.0..10.10.255.255
 Action = PROTECT
 IPsecAction = act
)
FilterChain pol(
 Filters *= bank
 DefaultAction = DROP
)
NetworkInterface (
 LogicalName = "*"
 InputFilter = fw_in
 OutputFilter = fw_out
 IPsecPolicy = pol
)
"#;

#[test]
fn atm_reaches_only_the_gateway() {
    let (mut atm, eth) = client(Ddp::DropAll);
    load(&mut atm, ATM.as_bytes(), "atm.lsp");
    let mut gw = agent(2, true);
    let geth = gw.add_interface("eth0", &[ip("203.0.113.1")], &[], 1500);
    gw.add_interface("lan0", &[ip("10.10.1.5")], &[], 1500);
    load(&mut gw, &example("04"), "04-psk-gost-gateway.lsp");
    let mut n = Net {
        a: Side {
            agent: atm,
            eth,
            delivered: vec![],
        },
        b: Side {
            agent: gw,
            eth: geth,
            delivered: vec![],
        },
    };
    let now = Instant::from_secs(5);
    assert_eq!(n.a.agent.connect(now), 1);
    n.pump(now);
    let (cfg, got) = n.a.agent.ikecfg_interface().expect("Mode Config");
    assert_eq!(got.address, ip("10.10.200.10"));
    // the bank's network: through the tunnel, both ways
    let p = udp_payload("10.10.200.10", 5000, "10.10.1.5", 5000, b"withdraw 20");
    assert_eq!(n.send(now, false, cfg, &p), OutResult::Queued);
    n.pump(now);
    assert_eq!(n.a.agent.sa_pairs(), 1);
    assert_eq!(n.b.delivered.len(), 1);
    let r = udp_payload("10.10.1.5", 5000, "10.10.200.10", 5000, b"ok");
    assert!(matches!(
        n.send(now, true, geth, &r),
        OutResult::Send { .. }
    ));
    assert_eq!(n.a.delivered, vec![(cfg, r)]);
    // anything else, both ways: out, the IPsec policy (lsp.md §7.1 step 2) has only the bank's
    // rule; in, the firewall (step 4) admits only the gateway. DHCP too: no rule for it.
    let a = &mut n.a.agent;
    for p in [
        tcp("192.0.2.50", 40000, "8.8.8.8", 443, SYN, 1, 0, b""),
        udp("192.0.2.50", 5353, "192.0.2.1", 53),
        dhcp(),
    ] {
        assert_eq!(
            out(a, now, eth, &p).0,
            OutResult::Drop(DropReason::IpsecPolicy)
        );
    }
    for p in [
        tcp(
            "198.51.100.7",
            443,
            "192.0.2.50",
            40000,
            SYN | ACK,
            1,
            2,
            b"",
        ),
        icmp_echo("192.0.2.1", "192.0.2.50", 1),
    ] {
        assert_eq!(inb(a, now, eth, &p).0, InResult::Drop(DropReason::Firewall));
    }
    // clear traffic claiming to come from the bank's network: not the gateway
    let spoof = udp_payload("10.10.1.5", 5000, "10.10.200.10", 5000, b"spoof");
    assert_eq!(
        inb(a, now, eth, &spoof).0,
        InResult::Drop(DropReason::Firewall)
    );
    // clear traffic from the gateway's address itself: the IPsec policy wants it protected
    let clear = udp_payload("203.0.113.1", 5000, "192.0.2.50", 5000, b"clear");
    assert_eq!(
        inb(a, now, eth, &clear).0,
        InResult::Drop(DropReason::IpsecPolicy)
    );
    // unloading the policy: dropall, the ATM is cut off entirely
    a.unload_policy(now);
    assert_eq!(a.state(), PolicyState::Ddp);
    let p = udp_payload("10.10.200.10", 5000, "10.10.1.5", 5000, b"x");
    assert_eq!(
        out(a, now, eth, &p).0,
        OutResult::Drop(DropReason::DriverDefaultPolicy)
    );
}
