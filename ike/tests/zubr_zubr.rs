//! Zubr↔Zubr in memory with a simulated clock and network: every mode × every suite of the
//! provider tables, Quick Mode with and without PFS, loss/duplication/reordering, retransmit
//! exhaustion, lifetime expiry and rekeying, DPD, deletes, NAT-T floating and resource bounds.

mod sim;

use std::time::Duration;

use sim::*;
use zubr_crypto_stb::SOFTWARE;
use zubr_ike::codec::{self, ExchangeType, Header, PayloadType, PayloadWriter};
use zubr_ike::config::Phase1Mode;
use zubr_ike::engine::{DeleteReason, Event};
use zubr_ike::{Ignored, IkeError};

fn handshake(s: &Setup) -> Pair {
    let mut p = Pair::new(s);
    p.acquire();
    p.run_for(Duration::from_secs(30));
    let (ra, rb) = (p.ready_a(), p.ready_b());
    assert_eq!(
        ra.len(),
        1,
        "initiator SAs for {:?}: events {:?}",
        s.ike,
        p.events_a
    );
    assert_eq!(rb.len(), 1, "responder SAs: events {:?}", p.events_b);
    assert_keys_match(ra[0], rb[0]);
    p
}

/// Groups the suite tests cover exhaustively; the slow big MODP groups are covered once each in
/// `every_group`.
fn fast_group() -> &'static zubr_crypto_stb::provider::Group {
    SOFTWARE
        .group(19)
        .or_else(|| SOFTWARE.group(2))
        .expect("a DH group")
}

#[test]
fn every_ike_cipher_and_hash_in_both_modes() {
    let mut n = 0;
    for mode in [Phase1Mode::Main, Phase1Mode::Aggressive] {
        for c in SOFTWARE.ike_ciphers {
            for h in SOFTWARE.ike_hashes {
                let s = Setup::new(
                    mode,
                    ike_t(c, h, fast_group()),
                    esp("AES-K128-CBC", Some("SHA1-H96-HMAC")),
                );
                handshake(&s);
                n += 1;
            }
        }
    }
    assert_eq!(
        n,
        2 * SOFTWARE.ike_ciphers.len() * SOFTWARE.ike_hashes.len()
    );
}

#[test]
fn every_group() {
    for g in SOFTWARE.groups {
        let s = Setup::new(
            Phase1Mode::Main,
            ike_t(&SOFTWARE.ike_ciphers[0], &SOFTWARE.ike_hashes[1], g),
            esp("AES-K128-CBC", Some("SHA1-H96-HMAC")),
        );
        handshake(&s);
    }
}

#[test]
fn every_esp_suite_with_and_without_pfs() {
    let base = ike_t(
        &SOFTWARE.ike_ciphers[0],
        &SOFTWARE.ike_hashes[1],
        fast_group(),
    );
    for c in SOFTWARE.esp_ciphers {
        let integrities: Vec<Option<&'static zubr_crypto_stb::provider::Integrity>> = if c.is_aead()
        {
            vec![None]
        } else {
            SOFTWARE.integrity.iter().map(Some).collect()
        };
        for i in integrities {
            for pfs in [None, Some(fast_group())] {
                for mode in [Phase1Mode::Main, Phase1Mode::Aggressive] {
                    let mut s = Setup::new(mode, base, esp_t(c, i));
                    s.pfs = pfs;
                    handshake(&s);
                }
            }
        }
    }
}

#[test]
fn several_proposals_responder_order_prevails() {
    let mut s = Setup::new(
        Phase1Mode::Main,
        ike("AES-K128-CBC", "SHA1", "ECP_256"),
        esp("AES-K128-CBC", Some("SHA1-H96-HMAC")),
    );
    s.ike.push(ike("AES-K256-CBC", "SHA2-256", "ECP_256"));
    s.esp.push(esp("AES-K256-CBC", Some("SHA2-256-H128-HMAC")));
    let (ca, mut cb) = s.configs();
    // the responder prefers the second suite
    cb.ike_rules[0].transforms.reverse();
    cb.ipsec_rules[0].proposals.reverse();
    let mut p = Pair::with(ca, cb);
    p.acquire();
    p.run_for(Duration::from_secs(10));
    let ra = p.ready_a();
    assert_eq!(ra.len(), 1);
    assert_eq!(ra[0].cipher.sa_name, "esp-aes256-cbc");
    assert_keys_match(ra[0], p.ready_b()[0]);
}

#[test]
fn loss_duplication_and_reordering() {
    for seed in 0..12 {
        for mode in [Phase1Mode::Main, Phase1Mode::Aggressive] {
            let mut s = Setup::new(
                mode,
                ike("AES-K128-CBC", "SHA1", "ECP_256"),
                esp("AES-K128-CBC", Some("SHA1-H96-HMAC")),
            );
            s.pfs = (seed % 2 == 0).then(fast_group);
            established_under_loss(&s, seed, &format!("seed {seed} {mode:?}"));
        }
    }
}

/// Phase 1 and quick mode over a link that loses 25 %, duplicates 25 % and reorders 30 % of
/// the datagrams (seeded by `seed`): within a minute both sides have the same one SA pair.
fn established_under_loss(s: &Setup, seed: u64, label: &str) {
    let mut p = Pair::new(s);
    p.link.rng = Lcg(seed);
    p.link.loss = 25;
    p.link.dup = 25;
    p.link.reorder = 30;
    p.acquire();
    p.run_for(Duration::from_secs(60));
    let (ra, rb) = (p.ready_a(), p.ready_b());
    assert_eq!(ra.len(), 1, "{label}: {:?}", p.events_a);
    assert_eq!(rb.len(), 1, "{label}: {:?}", p.events_b);
    assert_keys_match(ra[0], rb[0]);
}

/// Every datagram arrives twice: each side answers a repeated request once, but a repeated
/// answer is not a request, so the traffic stops once both exchanges are done (it used to
/// ping-pong for ever between an initiator resending MM5/QM3 and a responder resending MM6/QM2).
#[test]
fn duplicated_answers_do_not_ping_pong() {
    for mode in [Phase1Mode::Main, Phase1Mode::Aggressive] {
        let s = Setup::new(
            mode,
            ike("AES-K128-CBC", "SHA1", "ECP_256"),
            esp("AES-K128-CBC", Some("SHA1-H96-HMAC")),
        );
        let mut p = Pair::new(&s);
        p.link.dup = 100;
        p.acquire();
        p.run_for(Duration::from_secs(5));
        assert_eq!(p.ready_a().len(), 1, "{mode:?}: {:?}", p.events_a);
        assert_eq!(p.ready_b().len(), 1, "{mode:?}: {:?}", p.events_b);
        let sent = (p.sent_a, p.sent_b);
        p.run_for(Duration::from_secs(20));
        assert_eq!((p.sent_a, p.sent_b), sent, "{mode:?}: still sending");
    }
}

#[test]
fn retransmit_exhaustion() {
    let s = Setup::new(
        Phase1Mode::Main,
        ike("AES-K128-CBC", "SHA1", "ECP_256"),
        esp("AES-K128-CBC", Some("SHA1-H96-HMAC")),
    );
    let (ca, cb) = s.configs();
    let mut ca = ca;
    ca.params.session_time_max = Duration::from_secs(600);
    let mut p = Pair::with(ca, cb);
    p.cut = true;
    p.acquire();
    p.run_for(Duration::from_secs(300));
    // MM1 plus SendRetries (5) retransmissions, then the exchange fails
    assert_eq!(p.sent_a, 6);
    assert!(
        p.events_a.iter().any(|e| matches!(
            e,
            Event::ExchangeFailed {
                error: IkeError::Timeout,
                ..
            }
        )),
        "{:?}",
        p.events_a
    );
    assert_eq!(p.a.sessions(), (0, 0));
    // with the default SessionTimeMax (60 s) the exchange is abandoned first
    let mut p = Pair::new(&s);
    p.cut = true;
    p.acquire();
    p.run_for(Duration::from_secs(300));
    assert!(p.events_a.iter().any(|e| matches!(
        e,
        Event::ExchangeFailed {
            error: IkeError::SessionTimeout,
            ..
        }
    )));
}

#[test]
fn wrong_psk_fails_authentication() {
    let mut s = Setup::new(
        Phase1Mode::Main,
        ike("AES-K128-CBC", "SHA1", "ECP_256"),
        esp("AES-K128-CBC", Some("SHA1-H96-HMAC")),
    );
    s.psk_b = b"other".to_vec();
    let mut p = Pair::new(&s);
    p.acquire();
    p.run_for(Duration::from_secs(120));
    assert!(p.ready_a().is_empty() && p.ready_b().is_empty());
    // the responder cannot decrypt MM5 (different SKEYID_e): the initiator times out
    assert!(
        p.events_a
            .iter()
            .any(|e| matches!(e, Event::ExchangeFailed { .. }))
    );
}

#[test]
fn wrong_psk_aggressive_detected_by_hash() {
    let mut s = Setup::new(
        Phase1Mode::Aggressive,
        ike("AES-K128-CBC", "SHA1", "ECP_256"),
        esp("AES-K128-CBC", Some("SHA1-H96-HMAC")),
    );
    s.psk_b = b"other".to_vec();
    let mut p = Pair::new(&s);
    p.acquire();
    p.run_for(Duration::from_secs(10));
    assert!(
        p.events_a.iter().any(|e| matches!(
            e,
            Event::ExchangeFailed {
                error: IkeError::AuthenticationFailed,
                ..
            }
        )),
        "{:?}",
        p.events_a
    );
}

#[test]
fn no_proposal_chosen_is_reported() {
    let s = Setup::new(
        Phase1Mode::Main,
        ike("AES-K128-CBC", "SHA1", "ECP_256"),
        esp("AES-K128-CBC", Some("SHA1-H96-HMAC")),
    );
    let (ca, mut cb) = s.configs();
    cb.ike_rules[0].transforms = vec![ike("AES-K256-CBC", "SHA2-256", "ECP_256")];
    let mut p = Pair::with(ca, cb);
    p.acquire();
    p.run_for(Duration::from_secs(5));
    assert!(
        p.events_a.iter().any(|e| matches!(
            e,
            Event::ExchangeFailed {
                error: IkeError::PeerNotify(codec::NotifyType::NO_PROPOSAL_CHOSEN),
                ..
            }
        )),
        "{:?}",
        p.events_a
    );
}

#[test]
fn quick_mode_no_proposal_chosen() {
    let s = Setup::new(
        Phase1Mode::Main,
        ike("AES-K128-CBC", "SHA1", "ECP_256"),
        esp("AES-K128-CBC", Some("SHA1-H96-HMAC")),
    );
    let (ca, mut cb) = s.configs();
    cb.ipsec_rules[0].proposals = vec![esp("AES-K256-CBC", Some("SHA2-256-H128-HMAC"))];
    let mut p = Pair::with(ca, cb);
    p.acquire();
    p.run_for(Duration::from_secs(5));
    assert!(p.ready_a().is_empty());
    assert!(
        p.events_a.iter().any(|e| matches!(
            e,
            Event::ExchangeFailed {
                error: IkeError::PeerNotify(codec::NotifyType::NO_PROPOSAL_CHOSEN),
                ..
            }
        )),
        "{:?}",
        p.events_a
    );
}

#[test]
fn rekey_installs_new_before_deleting_old() {
    let mut s = Setup::new(
        Phase1Mode::Main,
        ike("AES-K128-CBC", "SHA1", "ECP_256"),
        esp("AES-K128-CBC", Some("SHA1-H96-HMAC")),
    );
    s.esp[0].lifetime_secs = 100;
    let mut p = Pair::new(&s);
    p.acquire();
    p.run_for(Duration::from_secs(5));
    let first = p.ready_a()[0].id;
    // traffic keeps flowing: at 90 % of the lifetime the initiator rekeys
    p.a.note_traffic(p.now, first, (1000, 10), (1000, 10));
    p.run_for(Duration::from_secs(95));
    let ra = p.ready_a();
    assert_eq!(ra.len(), 2, "{:?}", p.events_a);
    assert_eq!(ra[1].replaces, Some(first));
    // order of events on A: new SA ready, then the old one deleted
    let pos_ready = p
        .events_a
        .iter()
        .position(|e| matches!(e, Event::IpsecSaReady(x) if x.replaces == Some(first)))
        .unwrap();
    let pos_del = p
        .events_a
        .iter()
        .position(|e| matches!(e, Event::IpsecSaDeleted { id, reason: DeleteReason::Rekeyed, .. } if *id == first))
        .unwrap();
    assert!(pos_ready < pos_del);
    // B learned about the deletion of the old pair from A's Delete
    assert_eq!(p.ready_b().len(), 2);
    let old_b = p.ready_b()[0].id;
    assert!(deleted(&p.events_b).contains(&old_b), "{:?}", p.events_b);
    assert_keys_match(p.ready_a()[1], p.ready_b()[1]);
}

#[test]
fn idle_sa_is_not_rekeyed_until_traffic_returns() {
    let mut s = Setup::new(
        Phase1Mode::Main,
        ike("AES-K128-CBC", "SHA1", "ECP_256"),
        esp("AES-K128-CBC", Some("SHA1-H96-HMAC")),
    );
    s.esp[0].lifetime_secs = 100;
    let mut p = Pair::new(&s);
    p.acquire();
    p.run_for(Duration::from_secs(95));
    assert!(
        p.events_a
            .iter()
            .any(|e| matches!(e, Event::RekeyDeferred { .. }))
    );
    assert_eq!(p.ready_a().len(), 1);
    let first = p.ready_a()[0].id;
    p.a.note_traffic(p.now, first, (84, 1), (0, 0));
    p.run_for(Duration::from_secs(2));
    assert_eq!(p.ready_a().len(), 2);
    // without further traffic the new SA expires at its hard lifetime and is deleted
    p.run_for(Duration::from_secs(200));
    assert!(deleted(&p.events_a).contains(&p.ready_a()[1].id));
    assert!(p.events_a.iter().any(|e| matches!(
        e,
        Event::IpsecSaDeleted {
            reason: DeleteReason::Expired,
            ..
        }
    )));
}

#[test]
fn dpd_failure_declares_peer_dead() {
    let s = Setup::new(
        Phase1Mode::Main,
        ike("AES-K128-CBC", "SHA1", "ECP_256"),
        esp("AES-K128-CBC", Some("SHA1-H96-HMAC")),
    );
    let (mut ca, cb) = s.configs();
    ca.ike_rules[0].dpd.interval = Some(Duration::from_secs(10));
    let mut p = Pair::with(ca, cb);
    p.acquire();
    p.run_for(Duration::from_secs(30));
    // while B answers, probes are acknowledged and nothing dies
    assert!(
        !p.events_a
            .iter()
            .any(|e| matches!(e, Event::PeerDead { .. }))
    );
    assert_eq!(p.ready_a().len(), 1);
    p.cut = true;
    p.run_for(Duration::from_secs(60));
    assert!(
        p.events_a
            .iter()
            .any(|e| matches!(e, Event::PeerDead { .. })),
        "{:?}",
        p.events_a
    );
    assert!(p.events_a.iter().any(|e| matches!(
        e,
        Event::IpsecSaDeleted {
            reason: DeleteReason::PeerDead,
            ..
        }
    )));
}

#[test]
fn management_delete_notifies_peer() {
    let s = Setup::new(
        Phase1Mode::Main,
        ike("AES-K128-CBC", "SHA1", "ECP_256"),
        esp("AES-K128-CBC", Some("SHA1-H96-HMAC")),
    );
    let mut p = handshake(&s);
    let id = p.ready_a()[0].id;
    assert!(p.a.clear_ipsec(p.now, id, false));
    p.run_for(Duration::from_secs(1));
    let b_id = p.ready_b()[0].id;
    assert!(p.events_b.iter().any(|e| matches!(e, Event::IpsecSaDeleted { id, reason: DeleteReason::PeerDeleted, .. } if *id == b_id)));
    // silent clear: the peer hears nothing
    p.acquire();
    p.run_for(Duration::from_secs(2));
    let id2 = p.ready_a()[1].id;
    let before = p.sent_a;
    assert!(p.a.clear_ipsec(p.now, id2, true));
    p.run_for(Duration::from_secs(1));
    assert_eq!(p.sent_a, before);
    assert!(!p.a.clear_ipsec(p.now, id2, true));
}

#[test]
fn nat_detected_floats_and_encapsulates() {
    let s = Setup::new(
        Phase1Mode::Main,
        ike("AES-K128-CBC", "SHA1", "ECP_256"),
        esp("AES-K128-CBC", Some("SHA1-H96-HMAC")),
    );
    let mut p = Pair::new(&s);
    p.nat = true;
    p.acquire();
    p.run_for(Duration::from_secs(10));
    let (ra, rb) = (p.ready_a(), p.ready_b());
    assert_eq!(ra.len(), 1, "{:?}", p.events_a);
    let ea = ra[0].udp_encap.expect("UDP encapsulation on A");
    assert_eq!((ea.local_port, ea.remote_port), (4500, 4500));
    let eb = rb[0].udp_encap.expect("UDP encapsulation on B");
    assert_eq!((eb.local_port, eb.remote_port), (4500, 24500));
    assert_keys_match(ra[0], rb[0]);
    // A, behind the NAT, sends keep-alives
    let before = p.sent_a;
    p.run_for(Duration::from_secs(25));
    assert!(p.sent_a > before);
}

#[test]
fn duplicate_request_gets_the_same_response() {
    let s = Setup::new(
        Phase1Mode::Main,
        ike("AES-K128-CBC", "SHA1", "ECP_256"),
        esp("AES-K128-CBC", Some("SHA1-H96-HMAC")),
    );
    let (ca, cb) = s.configs();
    let mut a = engine(ca, 1);
    let mut b = engine(cb, 2);
    let now = zubr_base::Instant::from_secs(1);
    a.acquire(
        now,
        zubr_ike::Acquire {
            rule: 0,
            peer: None,
            local: A,
        },
    )
    .unwrap();
    let mm1 = a.poll_transmit().unwrap();
    let (la, lb) = (addr(A, 500), addr(B, 500));
    b.handle_datagram(now, lb, la, &mm1.payload).unwrap();
    let mm2 = b.poll_transmit().unwrap();
    assert_eq!(
        b.handle_datagram(now, lb, la, &mm1.payload),
        Err(Ignored::Duplicate)
    );
    let again = b.poll_transmit().unwrap();
    assert_eq!(mm2.payload, again.payload);
    // MM3
    a.handle_datagram(now, la, lb, &mm2.payload).unwrap();
    let mm3 = a.poll_transmit().unwrap();
    b.handle_datagram(now, lb, la, &mm3.payload).unwrap();
    let mm4 = b.poll_transmit().unwrap();
    let dh = b.dh_generations();
    assert_eq!(
        b.handle_datagram(now, lb, la, &mm3.payload),
        Err(Ignored::Duplicate)
    );
    assert_eq!(b.poll_transmit().unwrap().payload, mm4.payload);
    assert_eq!(b.dh_generations(), dh, "a duplicate costs no DH work");
}

fn mm1_from(cookie: u64, sa_body: &[u8]) -> Vec<u8> {
    let mut w = PayloadWriter::new();
    w.push(PayloadType::SA, sa_body).unwrap();
    let h = Header {
        icookie: cookie.to_be_bytes(),
        rcookie: [0; 8],
        next_payload: w.first(),
        version: 0x10,
        exchange: ExchangeType::IDENTITY_PROTECTION,
        flags: 0,
        message_id: 0,
        length: 0,
    };
    codec::assemble(h, w.bytes()).unwrap()
}

#[test]
fn first_message_flood_is_bounded() {
    let s = Setup::new(
        Phase1Mode::Main,
        ike("AES-K128-CBC", "SHA1", "ECP_256"),
        esp("AES-K128-CBC", Some("SHA1-H96-HMAC")),
    );
    let (ca, cb) = s.configs();
    let sa =
        zubr_ike::proposal::phase1_sa(&ca.ike_rules[0].transforms, &ca.ike_rules[0].main_mode_auth)
            .unwrap();
    let mut b = engine(cb, 2);
    let now = zubr_base::Instant::from_secs(1);
    let lim = b.config().limits.clone();
    let mut accepted = 0;
    for k in 0..1000u64 {
        // many spoofed sources and one persistent one
        let src = if k % 2 == 0 {
            addr(A, 500)
        } else {
            addr(std::net::Ipv4Addr::new(198, 51, 100, (k % 250) as u8), 500)
        };
        if b.handle_datagram(now, addr(B, 500), src, &mm1_from(k + 1, &sa))
            .is_ok()
        {
            accepted += 1;
        }
    }
    assert!(accepted <= lim.half_open_total, "{accepted}");
    assert_eq!(b.sessions().1, accepted);
    assert_eq!(b.dh_generations(), 0, "Main Mode first messages cost no DH");
    // after SessionTimeMax the half-open SAs are gone and new ones are accepted again
    b.handle_timeout(now + Duration::from_secs(61));
    assert_eq!(b.sessions().1, 0);
    assert!(
        b.handle_datagram(
            now + Duration::from_secs(62),
            addr(B, 500),
            addr(A, 500),
            &mm1_from(5000, &sa)
        )
        .is_ok()
    );

    // Aggressive Mode: each first message costs a DH key pair, but only up to the cap
    let s = Setup::new(
        Phase1Mode::Aggressive,
        ike("AES-K128-CBC", "SHA1", "ECP_256"),
        esp("AES-K128-CBC", Some("SHA1-H96-HMAC")),
    );
    let (ca, cb) = s.configs();
    let mut a = engine(ca, 1);
    let mut b = engine(cb, 2);
    a.acquire(
        now,
        zubr_ike::Acquire {
            rule: 0,
            peer: None,
            local: A,
        },
    )
    .unwrap();
    let am1 = a.poll_transmit().unwrap().payload;
    for k in 0..500u64 {
        let mut m = am1.clone();
        m[..8].copy_from_slice(&(k + 1).to_be_bytes());
        let src = addr(std::net::Ipv4Addr::new(198, 51, 100, (k % 250) as u8), 500);
        let _ = b.handle_datagram(now, addr(B, 500), src, &m);
    }
    assert!(b.dh_generations() as usize <= lim.half_open_total);
    assert!(b.sessions().1 <= lim.half_open_total);
}

#[test]
fn garbage_never_breaks_an_established_sa() {
    let s = Setup::new(
        Phase1Mode::Main,
        ike("AES-K128-CBC", "SHA1", "ECP_256"),
        esp("AES-K128-CBC", Some("SHA1-H96-HMAC")),
    );
    let mut p = handshake(&s);
    let mut rng = Lcg(99);
    let mm1 = {
        let (ca, _) = s.configs();
        let sa = zubr_ike::proposal::phase1_sa(
            &ca.ike_rules[0].transforms,
            &ca.ike_rules[0].main_mode_auth,
        )
        .unwrap();
        mm1_from(1, &sa)
    };
    for _ in 0..2000 {
        let mut m = mm1.clone();
        let n = (rng.next() % 8) as usize;
        for _ in 0..=n {
            let at = (rng.next() as usize) % m.len();
            m[at] = rng.next() as u8;
        }
        let _ = p.b.handle_datagram(p.now, addr(B, 500), addr(A, 500), &m);
        let _ = p.b.handle_datagram(p.now, addr(B, 4500), addr(A, 4500), &m);
    }
    // the tunnel still rekeys / answers: a new Quick Mode works
    let id = p.ready_a()[0].id;
    p.a.clear_ipsec(p.now, id, false);
    p.acquire();
    p.run_for(Duration::from_secs(5));
    assert_eq!(p.ready_a().len(), 2);
}

/// The suite the product prints as `gost2814789cp-cbc gostr341194cp`, Oakley group 5, with the
/// GOST ESP transforms, in both modes, with and without PFS.
#[test]
fn gost_suite() {
    let Some(c) = SOFTWARE.ike_cipher_by_name("gost2814789cp-cbc") else {
        panic!("the provider has no GOST IKE cipher");
    };
    let h = SOFTWARE.ike_hash_by_name("gostr341194cp").unwrap();
    let g = SOFTWARE.group(5).unwrap();
    let e = SOFTWARE
        .esp_cipher_by_name("esp-gost2814789cp-cbc")
        .unwrap();
    for i in [
        "GR341194CPRO1-H96-HMAC-65534",
        "G2814789CPRO1-K256-MAC-65535",
    ] {
        for mode in [Phase1Mode::Main, Phase1Mode::Aggressive] {
            for pfs in [None, Some(g)] {
                let mut s = Setup::new(
                    mode,
                    ike_t(c, h, g),
                    esp_t(e, SOFTWARE.integrity_by_name(i)),
                );
                s.pfs = pfs;
                let p = handshake(&s);
                let text = p.a.show(p.now, true);
                assert!(
                    text.contains("transform: gost2814789cp-cbc gostr341194cp"),
                    "{text}"
                );
                assert!(text.contains("Oakley group: 5"), "{text}");
                assert!(text.contains("transform: esp-gost2814789cp-cbc"), "{text}");
            }
        }
    }
}

/// The STB suite: belt in CBC/CFB, belt-hash, bign curves for Diffie–Hellman; ESP belt-ctr /
/// belt-cfb with belt-mac or HMAC-HBELT, and belt-dwp (AEAD).
#[test]
fn stb_suite() {
    let h = SOFTWARE
        .ike_hash_by_name("belt-hash")
        .expect("belt-hash in the provider");
    let g = SOFTWARE
        .group_by_name("bign256")
        .expect("bign256 group in the provider");
    for c in ["belt-cbc", "belt-cfb"] {
        let c = SOFTWARE.ike_cipher_by_name(c).unwrap();
        for mode in [Phase1Mode::Main, Phase1Mode::Aggressive] {
            let mut s = Setup::new(
                mode,
                ike_t(c, h, g),
                esp_t(
                    SOFTWARE.esp_cipher_by_name("esp-belt-ctr").unwrap(),
                    SOFTWARE.integrity_by_name("BELT-K256-MAC"),
                ),
            );
            s.pfs = Some(g);
            handshake(&s);
        }
    }
    for (e, i) in [("esp-belt-cfb", Some("HMAC-HBELT")), ("esp-belt-dwp", None)] {
        let s = Setup::new(
            Phase1Mode::Main,
            ike_t(SOFTWARE.ike_cipher_by_name("belt-cbc").unwrap(), h, g),
            esp_t(
                SOFTWARE.esp_cipher_by_name(e).unwrap(),
                i.map(|i| SOFTWARE.integrity_by_name(i).unwrap()),
            ),
        );
        handshake(&s);
    }
}

#[test]
fn listing_shows_both_sides() {
    let s = Setup::new(
        Phase1Mode::Main,
        ike("AES-K128-CBC", "SHA1", "ECP_256"),
        esp("AES-K128-CBC", Some("SHA1-H96-HMAC")),
    );
    let mut p = handshake(&s);
    let id = p.ready_a()[0].id;
    p.a.note_traffic(p.now, id, (3000, 3), (2048, 2));
    let a = p.a.show(p.now, true);
    for line in [
        "ISAKMP sessions: 0 initiated, 0 responded",
        "local  peer (addr/port): 192.0.2.1/500",
        "remote peer (addr/port): 192.0.2.2/500",
        "local identity (IPV4_ADDR): 192.0.2.1",
        "remote identity (IPV4_ADDR): 192.0.2.2",
        "IKERule name: ike_a",
        "auth: preshared key",
        "mode: main",
        "transform: aes128-cbc sha1",
        "Oakley group: 19",
        "sa limits: key lifetime (qm/k/sec): -/-/28800",
        "status: active",
        "#pkts sent/rcvd: 3/2",
        "connection status: {initiated locally, }",
        "IPsecAction name: action_a",
        "FilteringRule name: filter_a",
        "PFS: none",
        "transform: esp-aes128-cbc esp-sha1-hmac",
        "in use settings ={Tunnel, }",
        "sa limits: key lifetime (k/sec): 4608000/3600",
        "sa timing: remaining key lifetime (k/sec): 4607998/3570",
    ] {
        assert!(a.contains(line), "missing {line:?} in\n{a}");
    }
    let b = p.b.show(p.now, false);
    assert!(
        b.contains("1 1 (192.0.2.1,500)-(192.0.2.2,500) active"),
        "{b}"
    );
    assert!(
        b.contains("(192.0.2.1,*)-(192.0.2.2,*) * ESP tunn 0 0"),
        "{b}"
    );
    let bd = p.b.show(p.now, true);
    assert!(
        bd.contains("connection status: {initiated remotely, no rekeying, }"),
        "{bd}"
    );
    // sa_mgr clear -isakmp: the SA is only marked deleted and stays listed
    let isakmp = p.a.isakmp_list(p.now)[0].id;
    assert!(p.a.clear_isakmp(p.now, isakmp, false));
    assert!(p.a.show(p.now, false).contains(" deleted "));
    assert!(!p.a.clear_isakmp(p.now, isakmp, false));
    p.run_for(Duration::from_secs(120));
    assert!(p.a.isakmp_list(p.now).is_empty());
}

#[test]
fn silently_cleared_isakmp_sa_is_reused() {
    let s = Setup::new(
        Phase1Mode::Main,
        ike("AES-K128-CBC", "SHA1", "ECP_256"),
        esp("AES-K128-CBC", Some("SHA1-H96-HMAC")),
    );
    let mut p = handshake(&s);
    let isakmp = p.a.isakmp_list(p.now)[0].id;
    let ipsec = p.ready_a()[0].id;
    assert!(p.a.clear_ipsec(p.now, ipsec, true));
    assert!(p.a.clear_isakmp(p.now, isakmp, true));
    assert!(p.a.show(p.now, false).contains(" deleted "));
    let phase1_before = p
        .events_a
        .iter()
        .filter(|e| matches!(e, Event::Phase1Established { .. }))
        .count();
    p.acquire();
    p.run_for(Duration::from_secs(5));
    // a new IPsec SA pair over the same ISAKMP SA, without a new phase 1
    assert_eq!(p.ready_a().len(), 2, "{:?}", p.events_a);
    assert_eq!(p.ready_a()[1].isakmp, isakmp);
    let phase1_after = p
        .events_a
        .iter()
        .filter(|e| matches!(e, Event::Phase1Established { .. }))
        .count();
    assert_eq!(phase1_before, phase1_after);
    assert_keys_match(p.ready_a()[1], p.ready_b()[1]);
    // a cleared SA with notification is not reused: the next acquire runs a new phase 1
    let ipsec = p.ready_a()[1].id;
    assert!(p.a.clear_ipsec(p.now, ipsec, false));
    assert!(p.a.clear_isakmp(p.now, isakmp, false));
    p.run_for(Duration::from_secs(1));
    p.acquire();
    p.run_for(Duration::from_secs(5));
    assert_eq!(p.ready_a().len(), 3);
    assert_ne!(p.ready_a()[2].isakmp, isakmp);
}

#[test]
fn expired_phase1_is_renegotiated_for_a_rekey() {
    let mut s = Setup::new(
        Phase1Mode::Main,
        ike("AES-K128-CBC", "SHA1", "ECP_256"),
        esp("AES-K128-CBC", Some("SHA1-H96-HMAC")),
    );
    s.ike[0].lifetime_secs = 60;
    s.esp[0].lifetime_secs = 100;
    let mut p = Pair::new(&s);
    p.acquire();
    p.run_for(Duration::from_secs(5));
    let first = p.ready_a()[0].id;
    let isakmp = p.ready_a()[0].isakmp;
    p.run_for(Duration::from_secs(60));
    // whichever side's lifetime ends first deletes it (and tells the other)
    assert!(p.events_a.iter().any(
        |e| matches!(e, Event::IsakmpSaDeleted { id, reason: DeleteReason::Expired | DeleteReason::PeerDeleted } if *id == isakmp)
    ));
    assert!(
        p.events_b
            .iter()
            .any(|e| matches!(e, Event::IsakmpSaDeleted { .. }))
    );
    p.a.note_traffic(p.now, first, (100, 1), (100, 1));
    p.run_for(Duration::from_secs(35));
    let ra = p.ready_a();
    assert_eq!(ra.len(), 2, "{:?}", p.events_a);
    assert_eq!(ra[1].replaces, Some(first));
    assert_ne!(ra[1].isakmp, isakmp, "a new phase 1 carried the rekey");
    assert_keys_match(p.ready_a()[1], p.ready_b()[1]);
}

#[test]
fn acquire_by_packet_selectors() {
    let s = Setup::new(
        Phase1Mode::Main,
        ike("AES-K128-CBC", "SHA1", "ECP_256"),
        esp("AES-K128-CBC", Some("SHA1-H96-HMAC")),
    );
    let mut p = Pair::new(&s);
    let src = std::net::Ipv4Addr::new(10, 1, 0, 5);
    let outside = std::net::Ipv4Addr::new(10, 3, 0, 1);
    assert!(
        p.a.acquire_packet(p.now, A, src, outside, 1, (0, 0))
            .is_err()
    );
    let dst = std::net::Ipv4Addr::new(10, 2, 0, 9);
    assert_eq!(
        p.a.acquire_packet(p.now, A, src, dst, 6, (40000, 443)),
        Ok(0)
    );
    // a second packet while negotiating starts nothing new
    assert_eq!(
        p.a.acquire_packet(p.now, A, src, dst, 6, (40001, 443)),
        Ok(0)
    );
    assert_eq!(p.a.sessions(), (1, 0));
    p.run_for(Duration::from_secs(5));
    assert_eq!(p.ready_a().len(), 1);
    assert_keys_match(p.ready_a()[0], p.ready_b()[0]);
}

/// The GOST and STB suites under the same simulated loss, duplication and reordering as
/// [`loss_duplication_and_reordering`].
#[test]
fn gost_and_stb_suites_under_loss() {
    let gost = (
        ike_t(
            SOFTWARE.ike_cipher_by_name("gost2814789cp-cbc").unwrap(),
            SOFTWARE.ike_hash_by_name("gostr341194cp").unwrap(),
            SOFTWARE.group(5).unwrap(),
        ),
        esp_t(
            SOFTWARE
                .esp_cipher_by_name("esp-gost2814789cp-cbc")
                .unwrap(),
            SOFTWARE.integrity_by_name("GR341194CPRO1-H96-HMAC-65534"),
        ),
    );
    let stb = (
        ike_t(
            SOFTWARE.ike_cipher_by_name("belt-cbc").unwrap(),
            SOFTWARE.ike_hash_by_name("belt-hash").unwrap(),
            SOFTWARE.group_by_name("bign256").unwrap(),
        ),
        esp_t(
            SOFTWARE.esp_cipher_by_name("esp-belt-ctr").unwrap(),
            SOFTWARE.integrity_by_name("BELT-K256-MAC"),
        ),
    );
    for (name, (ike_tr, esp_tr)) in [("gost", gost), ("stb", stb)] {
        for seed in 0..4 {
            for mode in [Phase1Mode::Main, Phase1Mode::Aggressive] {
                let s = Setup::new(mode, ike_tr, esp_tr);
                established_under_loss(&s, seed, &format!("{name} seed {seed} {mode:?}"));
            }
        }
    }
}
