//! IKE handshakes per second, Zubr↔Zubr in memory: Main Mode + Quick Mode (no PFS) per DH group,
//! measured against the Diffie–Hellman floor in the same run — the modular exponentiations /
//! scalar multiplications both sides must do (each side one key generation and one agreement).
//! `RATIO ike-handshake/<group>` = floor time / handshake time; the goal is ≥ 0.8 (the protocol
//! work around the DH costs at most a quarter of it).
//!
//! `cargo bench -p zubr-benches --bench ike -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use criterion::Criterion;
use zubr_base::Instant;
use zubr_crypto_stb::SOFTWARE;
use zubr_crypto_stb::provider::Group;
use zubr_ike::config::{
    Config, EspTransform, IkeRule, IkeTransform, IpsecMode, IpsecRule, PeerMatch, Phase1Mode,
    Selector,
};
use zubr_ike::{Acquire, Engine, Event};

const GROUPS: &[&str] = &["modp1024", "modp1536", "modp2048", "ecp256", "ecp384"];

fn configs(g: &'static Group) -> (Config, Config) {
    let t = IkeTransform {
        cipher: SOFTWARE.ike_cipher_by_name("aes128-cbc").unwrap(),
        hash: SOFTWARE.ike_hash_by_name("sha1").unwrap(),
        group: g,
        lifetime_secs: 28800,
        lifetime_kb: 0,
    };
    let esp = EspTransform {
        cipher: SOFTWARE.esp_cipher_by_name("esp-aes128-cbc").unwrap(),
        integrity: SOFTWARE.integrity_by_name("esp-sha1-hmac"),
        lifetime_secs: 3600,
        lifetime_kb: 0,
    };
    let mk = |peer, local: Selector, remote: Selector| {
        let mut c = Config::default();
        c.limits.isakmp_sas_max = usize::MAX;
        c.ike_rules.push(IkeRule::psk(
            "b",
            vec![PeerMatch::Any],
            Phase1Mode::Main,
            b"bench",
            vec![t],
        ));
        c.ipsec_rules.push(IpsecRule {
            name: "f".into(),
            action_name: "a".into(),
            local,
            remote,
            peer,
            mode: IpsecMode::Tunnel,
            proposals: vec![esp],
            pfs: None,
            ike_rule: None,
            rekey: false,
        });
        c
    };
    let na = Selector::subnet(Ipv4Addr::new(10, 1, 0, 0), 24);
    let nb = Selector::subnet(Ipv4Addr::new(10, 2, 0, 0), 24);
    (
        mk(Some(Ipv4Addr::new(192, 0, 2, 2)), na, nb),
        mk(None, nb, na),
    )
}

/// One complete Main Mode + Quick Mode between two fresh engines; returns the SA pairs made.
fn handshake(ca: &Config, cb: &Config, seed: u8) -> usize {
    let mut a = Engine::new(ca.clone(), SOFTWARE, &[seed; 32]).unwrap();
    let mut b = Engine::new(cb.clone(), SOFTWARE, &[seed ^ 0x55; 32]).unwrap();
    let now = Instant::from_secs(1);
    let (pa, pb) = (Ipv4Addr::new(192, 0, 2, 1), Ipv4Addr::new(192, 0, 2, 2));
    a.acquire(
        now,
        Acquire {
            rule: 0,
            peer: None,
            local: pa,
        },
    )
    .unwrap();
    let mut ready = 0;
    for _ in 0..32 {
        let mut moved = false;
        while let Some(t) = a.poll_transmit() {
            moved = true;
            let _ = b.handle_datagram(now, t.remote, t.local, &t.payload);
        }
        while let Some(t) = b.poll_transmit() {
            moved = true;
            let _ = a.handle_datagram(now, t.remote, t.local, &t.payload);
        }
        for e in std::iter::from_fn(|| a.poll_event()).chain(std::iter::from_fn(|| b.poll_event()))
        {
            if matches!(e, Event::IpsecSaReady(_)) {
                ready += 1;
            }
        }
        if !moved {
            break;
        }
    }
    let _ = (SocketAddr::new(IpAddr::V4(pb), 500), pa);
    ready
}

fn ike(c: &mut Criterion) {
    let mut g = c.benchmark_group("ike-handshake");
    g.sample_size(10);
    for name in GROUPS {
        let Some(grp) = SOFTWARE.group_by_name(name) else {
            continue;
        };
        let (ca, cb) = configs(grp);
        assert_eq!(handshake(&ca, &cb, 1), 2, "handshake with {name}");
        let mut seed = 0u8;
        g.bench_function(format!("main-quick/{name}"), |bch| {
            bch.iter(|| {
                seed = seed.wrapping_add(1);
                black_box(handshake(&ca, &cb, seed))
            })
        });
        // the floor: both sides generate a key pair and agree once
        let mut rng = SOFTWARE.drbg.instantiate(&[9u8; 32]).unwrap();
        g.bench_function(format!("dh-floor/{name}"), |bch| {
            bch.iter(|| {
                let x = grp.dh.generate(&mut *rng).unwrap();
                let y = grp.dh.generate(&mut *rng).unwrap();
                let s1 = x.agree(y.public_key()).unwrap();
                let s2 = y.agree(x.public_key()).unwrap();
                black_box((s1, s2))
            })
        });
    }
    g.finish();
}

fn report() {
    for name in GROUPS {
        zubr_benches::report_speed_ratio(
            &format!("ike-handshake/{name} (DH floor / Main+Quick time)"),
            ("ike-handshake", &format!("main-quick_{name}")),
            ("ike-handshake", &format!("dh-floor_{name}")),
            Some(0.8),
        );
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    ike(&mut c);
    c.final_summary();
    report();
}
