//! One test per checker rule of lsp.md §4.2 (and each table constraint kind and coded rule of
//! §5), asserting the diagnostic code and the exact line:column; plus the semantics of templates,
//! constants and NULL (§3.3, §4.3) and the resource limits (§9.4).

mod common;
use common::*;
use zubr_lsp::{Limits, Severity, codes};

/// ESP/AH transforms and proposals used by several tests (5 lines).
const PROPOSALS: &str =
    "ESPTransform et( CipherAlg = \"AES-K128-CBC\" IntegrityAlg = \"SHA1-H96-HMAC\" )
AHTransform at( IntegrityAlg = \"SHA1-H96-HMAC\" )
ESPProposal ep( Transform *= et )
AHProposal ap( Transform *= at )
ESPProposal ep2( Transform *= et )
";

// ---- rule 1: unknown names ---------------------------------------------------------------

#[test]
fn s001_unknown_structure_with_hint() {
    let m = only_error("IkeRule r( )", codes::UNKNOWN_STRUCTURE, 1, 1);
    assert_eq!(
        m,
        "unknown structure type `IkeRule`; did you mean `IKERule`?"
    );
}

const MISSPELT: &str = "IKETransform t(
 cipheralg *= \"AES-K128-CBC\"
 HashAlg *= \"SHA1\"
 GroupID *= MODP_2048
)";

#[test]
fn s010_unknown_attribute_with_case_hint() {
    let m = only_error(MISSPELT, codes::UNKNOWN_ATTRIBUTE, 2, 2);
    assert_eq!(
        m,
        "unknown attribute `cipheralg`; did you mean `CipherAlg`?"
    );
    let m = only_error("Schedule s( Colour = 1 )", codes::UNKNOWN_ATTRIBUTE, 1, 13);
    assert_eq!(m, "unknown attribute `Colour` in `Schedule`");
}

#[test]
fn w004_lenient_mode_keeps_unknown_names() {
    let src = "Gadget g( Size = 3 )\nSchedule s( Colour = \"red\", 10.0.0.1..10.0.0.9 )\nNetworkInterface ( )";
    let c = run_lenient(src);
    assert!(!c.has_errors(), "{:?}", c.diagnostics);
    let ws: Vec<_> = c
        .diagnostics
        .iter()
        .filter(|d| d.code == codes::LENIENT_UNKNOWN)
        .map(|d| pos(src, d))
        .collect();
    assert_eq!(ws, [(1, 1), (2, 13)]);
    let out = zubr_lsp::print::to_string(c.doc.as_ref().unwrap());
    assert!(
        out.contains("Colour *= \"red\", 10.0.0.1..10.0.0.9"),
        "{out}"
    );
    assert!(out.contains("Gadget g(\n Size = 3\n)"), "{out}");
    // The same file is an error in strict mode.
    assert_eq!(error_count(&run(src)), 2);
    // In lenient mode a misspelt required attribute is still missing.
    let c = run_lenient(MISSPELT);
    at(&c, MISSPELT, codes::MISSING_REQUIRED, 1, 1);
}

// ---- rule 2: one attribute once ------------------------------------------------------------

#[test]
fn s011_duplicate_attribute() {
    let m = only_error(
        "IKEParameters (\n DefaultPort = 500\n DefaultPort = 501\n)",
        codes::DUPLICATE_ATTRIBUTE,
        3,
        2,
    );
    assert!(m.contains("first at line 2"), "{m}");
}

// ---- rule 3: types, bounds, enumerations, ranges -------------------------------------------

#[test]
fn s012_type_mismatch() {
    let m = only_error(
        "IKEParameters ( DefaultPort = \"500\" )",
        codes::TYPE_MISMATCH,
        1,
        31,
    );
    assert!(m.contains("expects a number"), "{m}");
    let m = only_error(
        "GlobalParameters ( Title = hello )",
        codes::TYPE_MISMATCH,
        1,
        28,
    );
    assert!(m.contains("double quotes: \"hello\""), "{m}");
    let m = only_error("Filter f( Action = \"PASS\" )", codes::TYPE_MISMATCH, 1, 20);
    assert!(m.contains("without quotes"), "{m}");
    only_error(
        "Filter f( Action = PASS Log = (TRUE) )",
        codes::TYPE_MISMATCH,
        1,
        31,
    );
    only_error(
        "Filter f( Action = PASS Log = Filter( Action = PASS ) )",
        codes::TYPE_MISMATCH,
        1,
        31,
    );
    let m = only_error(
        "Schedule s( TimeOfDay *= 08:00 )",
        codes::TYPE_MISMATCH,
        1,
        26,
    );
    assert!(m.contains("08:00..18:00"), "{m}");
}

#[test]
fn s013_out_of_range() {
    let m = only_error(
        "IKEParameters ( DefaultPort = 70000 )",
        codes::OUT_OF_RANGE,
        1,
        31,
    );
    assert_eq!(m, "`DefaultPort` = 70000 is out of range 1..65535");
    only_error(
        "GlobalParameters ( TCPStrictnessLevel = 7 )",
        codes::OUT_OF_RANGE,
        1,
        41,
    );
    only_error(
        "Filter f( DestinationPort *= 70000 Action = PASS )",
        codes::OUT_OF_RANGE,
        1,
        30,
    );
    // a netmask must be contiguous
    only_error(
        "IKECFGAddressPool p( Addresses *= 10.0.0.1 SubnetMask = 255.0.255.0 )",
        codes::OUT_OF_RANGE,
        1,
        57,
    );
    // TunnelEntry.PeerAddress cannot be zero [V]
    only_error(
        "TunnelEntry t( PeerAddress = 0.0.0.0 )",
        codes::OUT_OF_RANGE,
        1,
        30,
    );
}

#[test]
fn s014_not_in_enumeration() {
    let m = only_error("Filter f( Action = ALLOW )", codes::NOT_IN_ENUM, 1, 20);
    assert!(m.contains("expected `PASS` or `DROP`"), "{m}");
    let m = only_error(
        "GlobalParameters ( PreserveIPsecSA = true )",
        codes::NOT_IN_ENUM,
        1,
        38,
    );
    assert!(m.contains("did you mean `TRUE`?"), "{m}");
    // Version takes an identifier or a string (lsp.md §5.1)
    clean("GlobalParameters ( Version = \"LSP_4_2\" )");
    only_error(
        "GlobalParameters ( Version = \"4.2\" )",
        codes::NOT_IN_ENUM,
        1,
        30,
    );
}

#[test]
fn s015_range_order() {
    only_error(
        "Filter f( DestinationPort *= 100..10 Action = PASS )",
        codes::RANGE_ORDER,
        1,
        30,
    );
    only_error(
        "Filter f( SourceIPAddress *= 10.0.0.9..10.0.0.1 Action = PASS )",
        codes::RANGE_ORDER,
        1,
        30,
    );
    only_error(
        "Schedule s( TimeOfDay *= 08:00..08:00 )",
        codes::RANGE_ORDER,
        1,
        26,
    );
    // time windows may wrap past midnight
    clean("Schedule s( TimeOfDay *= 22:00..06:00 )");
}

#[test]
fn s016_list_for_single_value() {
    let m = only_error(
        "IKEParameters ( DefaultPort *= 500 )",
        codes::NOT_A_LIST,
        1,
        17,
    );
    assert!(m.contains("not `*=`"), "{m}");
    only_error(
        "IKEParameters ( DefaultPort = 500, 501 )",
        codes::NOT_A_LIST,
        1,
        36,
    );
    // a list attribute accepts `=` as well (lsp.md §3.3)
    clean("Filter f( ProtocolID = 6, 17 Action = PASS )");
}

#[test]
fn s017_unknown_algorithm() {
    let m = only_error(
        "ESPTransform e( CipherAlg = \"AES-K256-CBX\" IntegrityAlg = \"SHA1-H96-HMAC\" )",
        codes::UNKNOWN_ALGORITHM,
        1,
        29,
    );
    assert_eq!(
        m,
        "unknown ESP cipher `AES-K256-CBX`; did you mean `AES-K256-CBC`?"
    );
    let m = only_error(
        "AHTransform a( IntegrityAlg = \"SHA1\" )",
        codes::UNKNOWN_ALGORITHM,
        1,
        31,
    );
    assert!(
        m.contains("`SHA1` is an IKE hash, not an integrity algorithm"),
        "{m}"
    );
    only_error(
        "IKETransform t( CipherAlg *= \"AES-K128-CBC\" HashAlg *= \"SHA1\" GroupID *= MODP_1000 )",
        codes::UNKNOWN_ALGORITHM,
        1,
        74,
    );
}

// ---- rule 4: references --------------------------------------------------------------------

const RULE_BASE: &str =
    "IKETransform tr( CipherAlg *= \"AES-K128-CBC\" HashAlg *= \"SHA1\" GroupID *= MODP_2048 )
AuthMethodPreshared psk( SharedIKESecret = \"k\" )
";

#[test]
fn s020_dangling_reference() {
    let src = format!("{RULE_BASE}IKERule r(\n MainModeAuthMethod *= psk\n Transform *= tr1\n)\n");
    let m = only_error(&src, codes::DANGLING_REFERENCE, 5, 15);
    assert_eq!(
        m,
        "`Transform` refers to `tr1`, but no structure has that name; did you mean `tr`?"
    );
}

#[test]
fn s021_reference_to_wrong_type() {
    let src = format!("{RULE_BASE}IKERule r(\n MainModeAuthMethod *= psk\n Transform *= psk\n)\n");
    let m = only_error(&src, codes::WRONG_REFERENCE_TYPE, 5, 15);
    assert!(m.contains("`psk` has type `AuthMethodPreshared`"), "{m}");
    // an inline structure of a type not allowed here
    let src = format!(
        "{RULE_BASE}IKERule r(\n MainModeAuthMethod *= psk\n Transform *= Schedule( )\n)\n"
    );
    let c = run(&src);
    at(&c, &src, codes::WRONG_REFERENCE_TYPE, 5, 15);
}

// ---- rule 5: required attributes, singletons, naming ---------------------------------------

#[test]
fn s030_missing_required() {
    let m = only_error("AuthMethodPreshared psk( )", codes::MISSING_REQUIRED, 1, 1);
    assert_eq!(
        m,
        "`AuthMethodPreshared psk` is missing the required attribute `SharedIKESecret`"
    );
    let m = only_error(
        "AuthMethodPreshared psk( SharedIKESecret = NULL )",
        codes::MISSING_REQUIRED,
        1,
        44,
    );
    assert!(m.contains("cannot be NULL"), "{m}");
}

#[test]
fn s031_singleton_twice() {
    let m = only_error(
        "LDAPSettings ( )\nLDAPSettings ( )",
        codes::DUPLICATE_SINGLETON,
        2,
        1,
    );
    assert!(m.contains("first at line 1"), "{m}");
}

#[test]
fn s032_named_anonymous_structure() {
    only_error("GlobalParameters g( )", codes::NAMED_ANONYMOUS, 1, 18);
    only_error("NetworkInterface eth( )", codes::NAMED_ANONYMOUS, 1, 18);
}

#[test]
fn s033_unnamed_structure() {
    only_error("Schedule ( )", codes::UNNAMED_STRUCTURE, 1, 1);
    only_error("Filter ( Action = PASS )", codes::UNNAMED_STRUCTURE, 1, 1);
    // inline FilteringRule must be named, inline Filter may be anonymous
    let src = "FilterChain c( Filters *= FilteringRule( Action = PASS ) )";
    only_error(src, codes::UNNAMED_STRUCTURE, 1, 27);
    clean("FilterChain c( Filters *= Filter( Action = PASS ) )");
}

// ---- rule 6: table constraints -------------------------------------------------------------

#[test]
fn s040_less_eq() {
    let m = only_error(
        "IKEParameters ( RetryTimeBase = 20 RetryTimeMax = 10 )",
        codes::CONSTRAINT,
        1,
        17,
    );
    assert_eq!(
        m,
        "`RetryTimeBase` (20) must not exceed `RetryTimeMax` (10)"
    );
    // against the default of the other attribute (RetryTimeMax = 30)
    only_error(
        "IKEParameters ( RetryTimeBase = 40 )",
        codes::CONSTRAINT,
        1,
        17,
    );
    only_error(
        "GlobalParameters ( TCPHalfOpenLow = 600 )",
        codes::CONSTRAINT,
        1,
        20,
    );
    only_error(
        "Schedule s( ValidFrom = 2026.01.01 ValidTo = 2025.01.01 )",
        codes::CONSTRAINT,
        1,
        13,
    );
}

#[test]
fn s040_at_most_one() {
    let m = only_error(
        "IdentityEntry i( FQDN *= \"a\" UserFQDN *= \"b\" )",
        codes::CONSTRAINT,
        1,
        30,
    );
    assert!(m.contains("at most one of"), "{m}");
    let m = only_error(
        "Filter f( Action = PASS JumpTo = x )",
        codes::CONSTRAINT,
        1,
        25,
    );
    assert_eq!(m, "`Action` and `JumpTo` are mutually exclusive");
}

#[test]
fn s040_at_least_one() {
    let m = only_error("Filter f( Log = TRUE )", codes::CONSTRAINT, 1, 1);
    assert_eq!(m, "`Filter f` needs `Action` or `JumpTo`");
    let src = format!("{RULE_BASE}IKERule r( Transform *= tr )");
    only_error(&src, codes::CONSTRAINT, 3, 1);
}

#[test]
fn s040_require() {
    // lsp.md §5.4 [V]: CipherAlg = "NULL" needs IntegrityAlg
    let m = only_error(
        "ESPTransform e( CipherAlg = \"NULL\" )",
        codes::CONSTRAINT,
        1,
        17,
    );
    assert_eq!(m, "`IntegrityAlg` is required when `CipherAlg` is NULL");
    clean("ESPTransform e( CipherAlg = \"NULL\" IntegrityAlg = \"SHA1-H96-HMAC\" )");
    only_error(
        "FilteringRule r( Action = PROTECT )",
        codes::CONSTRAINT,
        1,
        18,
    );
}

#[test]
fn s040_forbid() {
    let m = only_error(
        "Filter f( Action = PASS FTPInspection = TRUE )",
        codes::CONSTRAINT,
        1,
        25,
    );
    assert_eq!(
        m,
        "`FTPInspection` is not allowed when `TCPStateful` is FALSE"
    );
    // writing the default is harmless
    clean("Filter f( Action = PASS FTPInspection = FALSE )");
    only_error(
        "Filter f( Action = DROP TCPStateful = TRUE )",
        codes::CONSTRAINT,
        1,
        25,
    );
    let src = format!(
        "{RULE_BASE}IKERule r( Transform *= tr MainModeAuthMethod *= psk XAUTHUser = \"u\" )"
    );
    only_error(&src, codes::CONSTRAINT, 3, 54);
    let src = format!(
        "{RULE_BASE}IKERule r( Transform *= tr MainModeAuthMethod *= psk XAUTHMode = CLIENT XAUTHUser = \"u\" )"
    );
    clean(&src);
}

// ---- rule 6: coded rules -------------------------------------------------------------------

#[test]
fn s041_proposal_shape() {
    let src = format!("{PROPOSALS}IPsecAction a(\n ContainedProposals *= ap\n)");
    let m = only_error(&src, codes::PROPOSAL_SHAPE, 7, 24);
    assert_eq!(m, "an AH proposal is written in parentheses: (ap)");
    let src = format!("{PROPOSALS}IPsecAction a(\n ContainedProposals *= (ep, ap)\n)");
    only_error(&src, codes::PROPOSAL_SHAPE, 7, 25);
    let src = format!("{PROPOSALS}IPsecAction a(\n ContainedProposals *= (ap, ep, ep2)\n)");
    only_error(&src, codes::PROPOSAL_SHAPE, 7, 24);
    let src = format!("{PROPOSALS}IPsecAction a(\n ContainedProposals *= (ap, ap)\n)");
    only_error(&src, codes::PROPOSAL_SHAPE, 7, 29);
    // valid shapes, including the Zubr `(esp)`
    clean(&format!(
        "{PROPOSALS}IPsecAction a(\n ContainedProposals *= ep, (ap), (ap, ep2), (ep2)\n)"
    ));
}

#[test]
fn s046_duplicate_proposal() {
    let src = format!("{PROPOSALS}IPsecAction a(\n ContainedProposals *= ep, (ap, ep), ep\n)");
    only_error(&src, codes::DUPLICATE_PROPOSAL, 7, 38);
}

#[test]
fn s048_suite_mix() {
    let tc26 = "GlobalParameters ( Version = LSP_4_2 )
ESPTransform e26( CipherAlg = \"G2814789CPRO1-K256-CBC-254\" IntegrityAlg = \"GR341215K-K256-MAC-65529\" )
ESPTC26Proposal ep26( Transform *= e26 )
";
    // a pair may not mix TC26 and international proposals [V]
    let src = format!("{PROPOSALS}{tc26}IPsecAction a(\n ContainedProposals *= (ap, ep26)\n)");
    let m = only_error(&src, codes::SUITE_MIX, 10, 24);
    assert!(m.contains("cannot be combined"), "{m}");
    // a TC26 algorithm in an international proposal
    let src = format!("{tc26}ESPProposal bad( Transform *= e26 )");
    only_error(&src, codes::SUITE_MIX, 4, 31);
    // an international algorithm in a TC26 transform
    let src = "GlobalParameters ( Version = LSP_4_3 )\nIKETC26Transform t( CipherAlg *= \"AES-K128-CBC\" HashAlg *= \"GR341194CPRO1-65534\" GroupID *= MODP_2048 )";
    only_error(src, codes::SUITE_MIX, 2, 34);
    clean(&format!(
        "{tc26}IPsecAction a( ContainedProposals *= ep26 )"
    ));
}

#[test]
fn s042_mixed_chain() {
    let src = "Filter f( Action = PASS )\nFilteringRule r( Action = PASS )\nFilterChain c( Filters *= f, r )";
    let m = only_error(src, codes::MIXED_CHAIN, 3, 30);
    assert!(m.contains("mixes `Filter` and `FilteringRule`"), "{m}");
}

#[test]
fn s043_duplicate_label() {
    let src = "FilterChain c(\n Filters *= Filter( Label = x Action = PASS ), Filter( Label = x Action = DROP )\n)";
    only_error(src, codes::DUPLICATE_LABEL, 2, 56);
}

#[test]
fn s044_bad_jump() {
    let src =
        "FilterChain c(\n Filters *= Filter( JumpTo = y ), Filter( Label = x Action = PASS )\n)";
    let m = only_error(src, codes::BAD_JUMP, 2, 21);
    assert_eq!(m, "no rule labelled `y` in chain `c`; did you mean `x`?");
    let src =
        "FilterChain c(\n Filters *= Filter( Label = x Action = PASS ), Filter( JumpTo = x )\n)";
    let m = only_error(src, codes::BAD_JUMP, 2, 56);
    assert!(m.contains("jumps backwards"), "{m}");
}

#[test]
fn s045_wrong_chain_kind() {
    let src = "Filter f( Action = PASS )\nFilterChain c( Filters *= f )\nNetworkInterface ( IPsecPolicy = c )";
    let m = only_error(src, codes::WRONG_CHAIN_KIND, 3, 34);
    assert_eq!(
        m,
        "`IPsecPolicy` needs a chain of `FilteringRule`s, but `c` holds `Filter`s"
    );
}

#[test]
fn s047_aead_with_integrity() {
    only_error(
        "ESPTransform e( CipherAlg = \"AES-K128-GCM-16\" IntegrityAlg = \"SHA1-H96-HMAC\" )",
        codes::AEAD_INTEGRITY,
        1,
        47,
    );
    clean("ESPTransform e( CipherAlg = \"AES-K128-GCM-16\" )");
}

#[test]
fn s049_negotiate_needs_a_peer() {
    let src = format!(
        "{PROPOSALS}IPsecAction a(\n ContainedProposals *= ep\n TunnelingParameters *= TunnelEntry( DFHandling = CLEAR )\n)"
    );
    only_error(&src, codes::NO_PEER, 8, 2);
    // a responder-only action (DROP) may have a dynamic peer
    clean(&format!(
        "{PROPOSALS}IPsecAction a(\n ContainedProposals *= ep\n TunnelingParameters *= TunnelEntry( )\n FallbackAction = DROP\n)"
    ));
}

// ---- rule 7: cycles ------------------------------------------------------------------------

#[test]
fn s050_reference_cycle() {
    let src = format!(
        "{PROPOSALS}IPsecAction a(\n ContainedProposals *= ep\n InputFilter = c\n)\nFilteringRule r( IPsecAction = a )\nFilterChain c( Filters *= r )\n"
    );
    let c = run(&src);
    let m = at(&c, &src, codes::REFERENCE_CYCLE, 10, 32);
    assert_eq!(
        m,
        "reference cycle: IPsecAction a → FilterChain c → FilteringRule r → IPsecAction a"
    );
    // the InputFilter chain also has the wrong kind
    at(&c, &src, codes::WRONG_CHAIN_KIND, 8, 16);
    assert_eq!(error_count(&c), 2);
}

#[test]
fn s051_template_cycle() {
    only_error(
        "Schedule a( b )\nSchedule b( a )",
        codes::TEMPLATE_CYCLE,
        2,
        13,
    );
    only_error("Schedule a( a )", codes::TEMPLATE_CYCLE, 1, 13);
}

#[test]
fn s052_constant_cycle() {
    let m = only_error("const a = b\nconst b = a\n", codes::CONST_CYCLE, 1, 7);
    assert!(m.contains("a → b → a"), "{m}");
}

// ---- names, templates, constants -----------------------------------------------------------

#[test]
fn s060_duplicate_name() {
    let m = only_error("Schedule s( )\nSchedule s( )", codes::DUPLICATE_NAME, 2, 10);
    assert!(m.contains("already defined at line 1"), "{m}");
    // names are unique across types and constants [V]
    only_error(
        "const s = 1\nFilter s( Action = PASS )",
        codes::DUPLICATE_NAME,
        2,
        8,
    );
}

#[test]
fn s061_bad_template() {
    only_error("Schedule s( nope )", codes::BAD_TEMPLATE, 1, 13);
    only_error("const c = 1\nSchedule s( c )", codes::BAD_TEMPLATE, 2, 13);
    let m = only_error(
        "Filter f( Action = PASS )\nSchedule s( f )",
        codes::BAD_TEMPLATE,
        2,
        13,
    );
    assert!(m.contains("same type"), "{m}");
}

#[test]
fn s062_list_constant_in_single_value() {
    let m = only_error(
        "const ports = 1, 2\nIKEParameters ( DefaultPort = ports )",
        codes::BAD_CONSTANT_USE,
        2,
        31,
    );
    assert!(m.contains("holds 2 values"), "{m}");
}

#[test]
fn s063_not_hex() {
    only_error(
        "CertDescription c( SerialNumber *= \"12XZ\" )",
        codes::NOT_HEX,
        1,
        36,
    );
}

#[test]
fn templates_constants_and_null() {
    let src = "const web = 80, 443
const lan = 10.0.0.0..10.255.255.255
Filter base( ProtocolID *= 6 Action = DROP Log = TRUE )
Filter f( base Action = PASS DestinationPort *= web, 8080 DestinationIPAddress *= lan Schedule = NULL )
FilterChain c( Filters *= f )
NetworkInterface ( OutputFilter = c )";
    let c = clean(src);
    let doc = c.doc.as_ref().unwrap();
    let f = doc
        .structs
        .iter()
        .find(|s| s.name.as_deref() == Some("f"))
        .unwrap();
    let names: Vec<&str> = f.attrs.iter().map(|a| &*a.name).collect();
    // template members at the template's position, later members override in place
    assert_eq!(
        names,
        [
            "ProtocolID",
            "Action",
            "Log",
            "DestinationPort",
            "DestinationIPAddress"
        ]
    );
    assert_eq!(f.ident("Action"), Some("PASS"));
    let p = c.compile().unwrap();
    let r = &p.firewall_chains[0].rules[0];
    assert_eq!(
        r.selector
            .destination_ports
            .iter()
            .map(|p| p.first)
            .collect::<Vec<_>>(),
        [80, 443, 8080]
    );
    assert!(r.log);
    assert_eq!(r.schedule, None);
}

// ---- rules 8, 9 and the version warning ----------------------------------------------------

#[test]
fn w001_unused_structure() {
    let src = "Schedule s( )\nNetworkInterface ( )";
    let c = clean(src);
    let m = at(&c, src, codes::UNUSED, 1, 10);
    assert!(m.starts_with("`Schedule s` is never used"), "{m}");
    // IKE rules and what they use count as used (§4.2 rule 8)
    let src = format!(
        "{RULE_BASE}IKERule r( Transform *= tr MainModeAuthMethod *= psk )\nNetworkInterface ( )"
    );
    assert_eq!(clean(&src).warnings().count(), 0);
}

#[test]
fn w002_no_interface() {
    let c = clean("GlobalParameters ( )");
    let w: Vec<_> = c.warnings().collect();
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].code, codes::NO_INTERFACE);
    assert_eq!(pos("", w[0]), (1, 1));
}

#[test]
fn w003_tc26_needs_newer_version() {
    let src = "IKETC26Transform t( CipherAlg *= \"G2814789CPRO1-K256-CBC-65534\" HashAlg *= \"GR341194CPRO1-65534\" GroupID *= MODP_2048 )\nNetworkInterface ( )";
    let c = clean(src);
    let m = at(&c, src, codes::VERSION_TOO_OLD, 1, 1);
    assert!(m.contains("LSP_4_2"), "{m}");
    let src = format!("GlobalParameters ( Version = LSP_4_2 )\n{src}");
    assert!(
        run(&src)
            .diagnostics
            .iter()
            .all(|d| d.code != codes::VERSION_TOO_OLD)
    );
}

// ---- §9.4 limits ---------------------------------------------------------------------------

#[test]
fn x_limits_are_errors() {
    let small = |f: fn(&mut Limits)| {
        let mut l = Limits::default();
        f(&mut l);
        l
    };
    let src = "GlobalParameters ( )";
    let c = run_limits(src, small(|l| l.max_file_size = 10));
    only_error_in(&c, src, codes::FILE_TOO_LARGE, 1, 1);
    let c = run_limits(src, small(|l| l.max_tokens = 2));
    at(&c, src, codes::TOO_MANY_TOKENS, 1, 20);
    let src = "Filter f( ProtocolID *= 1, 2, 3, 4 Action = PASS )";
    let c = run_limits(src, small(|l| l.max_list_len = 3));
    only_error_in(&c, src, codes::LIST_TOO_LONG, 1, 34);
    let src = "const a = 1, 2, 3, 4\nconst b = a, a, a, a\nconst c = b, b, b, b\nFilter f( ProtocolID *= c Action = PASS )";
    let c = run_limits(src, small(|l| l.max_expansion = 100));
    only_error_in(&c, src, codes::EXPANSION_TOO_LARGE, 4, 25);
    // the error limit stops the run with a final note
    let src = "IKEParameters ( DefaultPort = 0 )\n".repeat(10);
    let c = run_limits(&src, small(|l| l.max_errors = 3));
    let last = c.diagnostics.last().unwrap();
    assert_eq!(last.code, codes::TOO_MANY_ERRORS);
    assert_eq!(last.severity, Severity::Error);
    assert_eq!(error_count(&c), 4);
}

#[test]
fn exponential_constants_are_bounded() {
    // 10 levels of 10x fan-out would be 10^10 values.
    let mut src = String::from("const c0 = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10\n");
    for i in 1..10 {
        let prev = format!("c{}", i - 1);
        src.push_str(&format!(
            "const c{i} = {}\n",
            [prev.as_str(); 10].join(", ")
        ));
    }
    src.push_str("Filter f( ProtocolID *= c9 Action = PASS )\n");
    let c = run(&src);
    assert!(
        c.errors()
            .any(|d| d.code == codes::EXPANSION_TOO_LARGE || d.code == codes::LIST_TOO_LONG)
    );
}

#[test]
fn lenient_keeps_unknown_version() {
    let src = "GlobalParameters ( Version = \"gateway 4.3 build 7\" )\nNetworkInterface ( )";
    only_error(src, codes::NOT_IN_ENUM, 1, 30);
    let c = run_lenient(src);
    assert!(!c.has_errors());
    at(&c, src, codes::LENIENT_UNKNOWN, 1, 30);
    let out = zubr_lsp::print::to_string(c.doc.as_ref().unwrap());
    assert!(out.contains("Version = \"gateway 4.3 build 7\""), "{out}");
    assert_eq!(
        c.compile().unwrap().global.version,
        zubr_lsp::policy::LspVersion::V4_0
    );
}
