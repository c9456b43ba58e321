//! LSP policy language: parse + check + compile of generated policies with 1k, 10k and 100k
//! filter rules (half firewall `Filter`s inline in a chain, half named IPsec `FilteringRule`s).
//! Goal (issue 6): 10k rules in under 50 ms, and linear growth — the 100k/10k time ratio is
//! printed (≈ 10 when linear).

use std::fmt::Write;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use zubr_lsp::{Limits, Options, check};

/// A valid policy with `n` filter rules.
fn policy(n: usize) -> String {
    let mut s = String::with_capacity(n * 120);
    s.push_str(
        "GlobalParameters ( Title = \"bench\" Version = LSP_4_0 )
IKETransform ike_t( CipherAlg *= \"AES-K256-CBC\" HashAlg *= \"SHA1\" GroupID *= MODP_2048 )
AuthMethodPreshared psk( SharedIKESecret = \"k\" )
IKERule ike_r( PeerAddress *= 198.51.100.1 MainModeAuthMethod *= psk Transform *= ike_t )
ESPTransform esp_t( CipherAlg = \"AES-K256-CBC\" IntegrityAlg = \"SHA1-H96-HMAC\" )
ESPProposal esp_p( Transform *= esp_t )
IPsecAction act( ContainedProposals *= esp_p TunnelingParameters *= TunnelEntry( PeerAddress = 198.51.100.1 ) )
Schedule office( DaysOfWeek *= MON, TUE, WED, THU, FRI TimeOfDay *= 08:00..18:00 )
FilterChain fw( Filters *=",
    );
    let fw = n / 2;
    for i in 0..fw {
        let (a, b) = ((i >> 8) & 255, i & 255);
        let _ = write!(
            s,
            "{} Filter( SourceIPAddress *= 10.{a}.{b}.0..10.{a}.{b}.255 ProtocolID *= 6, 17 DestinationPort *= {}..{} {}Action = {} )",
            if i == 0 { "" } else { "," },
            1024 + i % 1000,
            2048 + i % 1000,
            if i % 10 == 0 {
                "Schedule = office "
            } else {
                ""
            },
            if i % 3 == 0 { "DROP" } else { "PASS" },
        );
    }
    s.push_str(" DefaultAction = DROP )\n");
    let rules = n - fw;
    for i in 0..rules {
        let (a, b) = ((i >> 8) & 255, i & 255);
        let _ = writeln!(
            s,
            "FilteringRule r{i}( DestinationIPAddress *= 172.{}.{a}.{b} ProtocolID *= 6 {} )",
            16 + (i >> 16),
            if i % 2 == 0 {
                "IPsecAction = act"
            } else {
                "Action = PASS"
            },
        );
    }
    s.push_str("FilterChain policy( Filters *=");
    for i in 0..rules {
        let _ = write!(s, "{} r{i}", if i == 0 { "" } else { "," });
    }
    s.push_str(
        " )\nNetworkInterface ( LogicalName = \"eth*\" InputFilter = fw IPsecPolicy = policy )\n",
    );
    s
}

fn options() -> Options<'static> {
    Options {
        limits: Limits {
            max_file_size: 64 << 20,
            max_tokens: 1 << 26,
            max_list_len: 1 << 20,
            ..Limits::default()
        },
        ..Options::default()
    }
}

fn lsp(c: &mut Criterion) {
    let mut g = c.benchmark_group("lsp");
    g.sample_size(10);
    let opts = options();
    for (label, n) in [("1k", 1_000), ("10k", 10_000), ("100k", 100_000)] {
        let src = policy(n);
        // The generated policy must be valid, or the bench measures error paths.
        let checked = check(src.as_bytes(), &opts);
        assert!(!checked.has_errors(), "{:?}", checked.diagnostics.first());
        let p = checked.compile().expect("compile");
        assert_eq!(
            p.firewall_chains[0].rules.len() + p.ipsec_chains[0].rules.len(),
            n
        );
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(format!("check+compile/{label}"), |b| {
            b.iter(|| {
                let c = check(black_box(src.as_bytes()), &opts);
                c.compile().expect("compile")
            })
        });
    }
    g.finish();
    if let (Some(t10), Some(t100)) = (
        zubr_benches::mean_ns("lsp", "check+compile_10k"),
        zubr_benches::mean_ns("lsp", "check+compile_100k"),
    ) {
        let ms = t10 / 1e6;
        println!(
            "LSP 10k rules: {ms:.2} ms (goal < 50 ms) {}",
            if ms < 50.0 { "met" } else { "NOT MET" }
        );
        println!("RATIO lsp 100k/10k time: {:.2} (linear ≈ 10)", t100 / t10);
    }
}

criterion_group!(benches, lsp);
criterion_main!(benches);
