//! Two agents over a perfect simulated wire: the client of example 01 and the gateway of
//! example 04 (shared/spec/lsp-examples), GOST suite. The client's first packet into the tunnel
//! is queued, triggers IKE (Main Mode + Quick Mode), leaves when the bundle is installed, is
//! decapsulated and policy-checked by the gateway, and the answer comes back the same way.

mod common;

use common::*;
use zubr_agent::mgmt::{self, SaClear, SaShow};
use zubr_agent::*;
use zubr_base::{DropReason, Instant};

fn net() -> (Net, PhyId, PhyId) {
    let mut client = agent(1, false);
    let eth = client.add_interface("eth0", &[ip("192.0.2.50")], &[ip("192.0.2.255")], 1500);
    load(&mut client, &example("01"), "01-psk-gost-client.lsp");
    let mut gw = agent(2, true);
    let geth = gw.add_interface("eth0", &[ip("203.0.113.1")], &[], 1500);
    let lan = gw.add_interface("lan0", &[ip("10.10.1.5")], &[], 1500);
    load(&mut gw, &example("04"), "04-psk-gost-gateway.lsp");
    let mut n = Net {
        a: Side {
            agent: client,
            eth,
            delivered: vec![],
        },
        b: Side {
            agent: gw,
            eth: geth,
            delivered: vec![],
        },
    };
    // at login the client runs phase 1 and Mode Config: the gateway's pool gives the first
    // address, DNS and the split network
    let now = Instant::from_secs(5);
    assert_eq!(n.a.agent.connect(now), 1);
    n.pump(now);
    let (cfg, got) = n.a.agent.ikecfg_interface().expect("Mode Config");
    assert_eq!(got.address, ip("10.10.200.10"));
    assert_eq!(got.dns, vec![ip("10.10.0.53")]);
    assert_eq!(got.split, vec![(ip("10.10.0.0"), ip("10.10.255.255"))]);
    assert!(matches!(n.a.agent.poll_notice(), Some(Notice::Ikecfg(_))));
    (n, cfg, lan)
}

#[test]
fn tunnel_both_ways() {
    let (mut n, cfg, _lan) = net();
    let now = Instant::from_secs(10);
    let syn = tcp("10.10.200.10", 40000, "10.10.1.5", 443, SYN, 1, 0, b"");
    assert_eq!(n.send(now, false, cfg, &syn), OutResult::Queued);
    assert_eq!(n.a.agent.requests(), 1);
    assert!(n.pump(now) >= 4, "quick mode + the queued packet");
    assert_eq!(n.a.agent.requests(), 0);
    assert_eq!(n.a.agent.sa_pairs(), 1);
    assert_eq!(n.b.agent.sa_pairs(), 1);
    // the queued SYN reached the gateway, decapsulated; the gateway forwards it (TTL - 1)
    assert_eq!(n.b.delivered.len(), 1, "{:?}", events(&mut n.b.agent));
    assert_eq!(n.b.delivered[0].1[12..], syn[12..]);
    assert_eq!(n.b.delivered[0].1[8], syn[8] - 1);
    // the answer goes back through the tunnel to the IKECFG interface
    let synack = tcp(
        "10.10.1.5",
        443,
        "10.10.200.10",
        40000,
        SYN | ACK,
        9,
        2,
        b"",
    );
    let geth = n.b.eth;
    assert_eq!(
        n.send(now, true, geth, &synack),
        OutResult::Send { phy: geth }
    );
    assert_eq!(n.a.delivered, vec![(cfg, synack.clone())]);
    // a stream both ways
    for i in 0..50u32 {
        let p = tcp(
            "10.10.200.10",
            40000,
            "10.10.1.5",
            443,
            ACK,
            2 + i,
            10,
            &[i as u8; 100],
        );
        assert!(matches!(
            n.send(now, false, cfg, &p),
            OutResult::Send { .. }
        ));
        let q = tcp(
            "10.10.1.5",
            443,
            "10.10.200.10",
            40000,
            ACK,
            10 + i,
            3,
            &[i as u8; 200],
        );
        assert!(matches!(
            n.send(now, true, geth, &q),
            OutResult::Send { .. }
        ));
    }
    assert_eq!(n.a.delivered.len(), 51);
    assert_eq!(n.b.delivered.len(), 51);
    // sa_mgr show on both sides
    let show = mgmt::sa_show(
        &n.a.agent,
        now,
        &SaShow {
            detail: true,
            ..SaShow::default()
        },
    );
    assert!(
        show.contains("transform: gost2814789cp-cbc gostr341194cp"),
        "{show}"
    );
    assert!(show.contains("IPsecAction name: IPsec_action_01"), "{show}");
    assert!(
        show.contains("FilteringRule name: filter_rule_00_00"),
        "{show}"
    );
    assert!(
        show.contains("local  ident (addr/prot/port): 10.10.200.10/0/0"),
        "{show}"
    );
    assert!(show.contains("#pkts sent/rcvd: 51/51"), "{show}");
    assert!(show.contains("IKECFG address: 10.10.200.10"), "{show}");
    let brief = mgmt::sa_show(&n.b.agent, now, &SaShow::default());
    assert!(
        brief.contains("(192.0.2.50,500)-(203.0.113.1,500) active"),
        "{brief}"
    );
    let ipsec_only = mgmt::sa_show(
        &n.b.agent,
        now,
        &SaShow {
            ipsec: true,
            ..SaShow::default()
        },
    );
    assert!(ipsec_only.starts_with("IPsec connections:"), "{ipsec_only}");
    // klogview: SA and bundle events, encapsulated/decapsulated packet lines
    let ev = events(&mut n.a.agent);
    assert!(
        ev.iter().any(|l| l.starts_with("SA request: filter chain")),
        "{ev:#?}"
    );
    assert!(ev.iter().any(|l| l.starts_with("loaded SA ")), "{ev:#?}");
    assert!(
        ev.iter().any(|l| l.starts_with("loaded bundle: chain")),
        "{ev:#?}"
    );
    assert!(ev.iter().any(|l| l.ends_with(": encapsulated")), "{ev:#?}");
    assert!(ev.iter().any(|l| l.ends_with(": decapsulated")), "{ev:#?}");
    // sa_mgr clear -all tears everything down on both sides; traffic negotiates again
    let msg = mgmt::sa_clear(
        &mut n.a.agent,
        now,
        &SaClear {
            all: true,
            ..SaClear::default()
        },
    );
    assert_eq!(msg, "All connections are removed\n");
    n.pump(now);
    assert_eq!(n.a.agent.sa_pairs(), 0);
    assert_eq!(n.b.agent.sa_pairs(), 0);
    let later = Instant::from_secs(20);
    let p = tcp("10.10.200.10", 40001, "10.10.1.5", 443, SYN, 1, 0, b"");
    assert_eq!(n.send(later, false, cfg, &p), OutResult::Queued);
    n.pump(later);
    assert_eq!(n.a.agent.sa_pairs(), 1);
    assert_eq!(n.b.delivered.last().unwrap().1[12..], p[12..]);
}

#[test]
fn queue_and_request_limits() {
    let (mut n, cfg, _) = net();
    let now = Instant::from_secs(10);
    // PacketQueueSize = 8: the ninth packet waiting for the SA is dropped
    for i in 0..8u16 {
        let p = tcp("10.10.200.10", 41000 + i, "10.10.1.5", 443, SYN, 1, 0, b"");
        assert_eq!(n.send(now, false, cfg, &p), OutResult::Queued, "{i}");
    }
    let p = tcp("10.10.200.10", 41100, "10.10.1.5", 443, SYN, 1, 0, b"");
    let filter = n.a.agent.mapped().unwrap().rules[0].filter;
    assert_eq!(
        n.send(now, false, cfg, &p),
        OutResult::Drop(DropReason::WaitingQueueFull { filter, limit: 8 })
    );
    // eight copies are held, and all eight leave once the bundle is up
    assert!(n.a.agent.packet_memory().0 >= 8 * p.len());
    n.pump(now);
    assert_eq!(n.b.delivered.len(), 8);
    // … handing their memory back
    assert_eq!(n.a.agent.packet_memory().0, 0);
    assert_eq!(n.b.agent.packet_memory().0, 0);
    // the global limit (drv_mgr ipsec_breq_max) applies across rules
    let mut c = n.a.agent;
    mgmt::sa_clear(
        &mut c,
        now,
        &SaClear {
            all: true,
            silent: true,
            ..SaClear::default()
        },
    );
    mgmt::drv_set(&mut c, &[("ipsec_breq_max".into(), "0".into())]).unwrap();
    let (r, _) = out(&mut c, now, cfg, &p);
    assert_eq!(r, OutResult::Drop(DropReason::SaRequestsLimit { limit: 0 }));
    let lines = events(&mut c);
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with("reached limit of 0 SA requests")),
        "{lines:#?}"
    );
}

#[test]
fn logout_deletes_sas_and_loads_lop() {
    let (mut n, cfg, _) = net();
    let now = Instant::from_secs(10);
    let mut rng = zubr_crypto_stb::SOFTWARE
        .drbg
        .instantiate(&[9; 32])
        .unwrap();
    let rec = session::PasswordRecord::new(b"pw", &mut *rng).unwrap();
    n.a.agent.enable_session(rec);
    // logged off: the Log-off policy (ddp = passall by default) is in force
    assert_eq!(n.a.agent.state(), PolicyState::LogOff);
    assert!(n.a.agent.login(now, b"pw").is_ok());
    assert_eq!(n.a.agent.state(), PolicyState::User);
    let p = tcp("10.10.200.10", 40000, "10.10.1.5", 443, SYN, 1, 0, b"");
    n.send(now, false, cfg, &p);
    n.pump(now);
    assert_eq!(n.a.agent.sa_pairs(), 1);
    n.a.agent.logout(now);
    assert_eq!(n.a.agent.sa_pairs(), 0);
    assert_eq!(n.a.agent.state(), PolicyState::LogOff);
    n.pump(now);
    assert_eq!(n.b.agent.sa_pairs(), 0, "the gateway was told");
    // three wrong passwords: Log-off policy stays, the fourth try waits 30 s
    n.a.agent.set_driver_policies(Ddp::DropAll, Lop::Ddp);
    for _ in 0..3 {
        assert!(n.a.agent.login(now, b"nope").is_err());
    }
    assert!(matches!(
        n.a.agent.login(now, b"pw"),
        Err(session::LoginError::Delayed { .. })
    ));
    let (r, _) = out(&mut n.a.agent, now, cfg, &p);
    assert_eq!(r, OutResult::Drop(DropReason::DriverDefaultPolicy));
    assert!(
        n.a.agent
            .login(now + std::time::Duration::from_secs(30), b"pw")
            .is_ok()
    );
}
