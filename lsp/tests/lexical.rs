//! One test per lexical error (lsp.md §2), each asserting the code and the exact line:column,
//! plus the lexical forms that must be accepted.

mod common;
use common::*;
use zubr_lsp::{Limits, codes};

#[test]
fn l001_unterminated_string() {
    let src = "GlobalParameters (\n Title = \"abc\n)\n";
    let c = run(src);
    let m = at(&c, src, codes::UNTERMINATED_STRING, 2, 10);
    assert!(m.contains("missing closing"), "{m}");
}

#[test]
fn l002_unterminated_comment() {
    let m = only_error(
        "GlobalParameters ( )\n/* never closed\n",
        codes::UNTERMINATED_COMMENT,
        2,
        1,
    );
    assert!(m.contains("`/*` without `*/`"), "{m}");
}

#[test]
fn l003_invalid_character() {
    let m = only_error(
        "GlobalParameters ( Title = \"x\" ; )",
        codes::INVALID_CHARACTER,
        1,
        32,
    );
    assert!(m.contains("no statement terminators"), "{m}");
    // non-ASCII outside a string: one message for the whole character
    let m = only_error(
        "GlobalParameters ( Title = \"x\" ) №",
        codes::INVALID_CHARACTER,
        1,
        34,
    );
    assert!(m.contains("non-ASCII"), "{m}");
    // single quotes (lsp.md §3.4 must reject `Title = 'x'`)
    let m = only_error(
        "GlobalParameters (\n Title = 'x'\n)",
        codes::INVALID_CHARACTER,
        2,
        10,
    );
    assert!(m.contains("double quotes"), "{m}");
    // a sign
    only_error(
        "IKEParameters ( DefaultPort = -5 )",
        codes::INVALID_CHARACTER,
        1,
        31,
    );
}

#[test]
fn l004_hex_prefix_with_hint() {
    let m = only_error(
        "IKEParameters ( DefaultPort = 0x1F4 )",
        codes::HEX_PREFIX,
        1,
        31,
    );
    assert!(m.contains("hex numbers end in h: 1F4h"), "{m}");
    let m = only_error(
        "IKEParameters ( DefaultPort = 0xFF )",
        codes::HEX_PREFIX,
        1,
        31,
    );
    assert!(m.contains("0FFh"), "{m}");
}

#[test]
fn l005_integer_overflow() {
    only_error(
        "IKEParameters ( DefaultPort = 4294967296 )",
        codes::INT_OVERFLOW,
        1,
        31,
    );
    only_error(
        "IKEParameters ( DefaultPort = 100000000h )",
        codes::INT_OVERFLOW,
        1,
        31,
    );
}

#[test]
fn l006_malformed_number() {
    let m = only_error(
        "IKEParameters ( DefaultPort = 1F4 )",
        codes::MALFORMED_NUMBER,
        1,
        31,
    );
    assert!(m.contains("hex numbers end in h: 1F4h"), "{m}");
    for bad in ["10abc", "1.2", "1.2.3.4.5", "1:2", "10.0.0.1."] {
        let src = format!("IKEParameters ( DefaultPort = {bad} )");
        only_error(&src, codes::MALFORMED_NUMBER, 1, 31);
    }
}

#[test]
fn l007_ip_octet() {
    let m = only_error(
        "IKECFGAddressPool p( Addresses *= 300.1.1.1 )",
        codes::IP_OCTET,
        1,
        35,
    );
    assert!(m.contains("octet 300"), "{m}");
}

#[test]
fn l008_invalid_date() {
    only_error(
        "Schedule s( ValidFrom = 2025.02.30 )",
        codes::INVALID_DATE,
        1,
        25,
    );
}

#[test]
fn l009_invalid_time() {
    only_error(
        "Schedule s( TimeOfDay *= 08:00..24:00 )",
        codes::INVALID_TIME,
        1,
        33,
    );
}

#[test]
fn l010_lone_star() {
    only_error(
        "IKETransform t( GroupID * MODP_1536 )",
        codes::LONE_STAR,
        1,
        25,
    );
}

#[test]
fn l011_lone_dot() {
    only_error("IKEParameters ( DefaultPort = . )", codes::LONE_DOT, 1, 31);
}

#[test]
fn l012_string_too_long() {
    let limits = Limits {
        max_string_len: 4,
        ..Limits::default()
    };
    let src = "GlobalParameters ( Title = \"abcdef\" )";
    let c = run_limits(src, limits);
    only_error_in(&c, src, codes::STRING_TOO_LONG, 1, 28);
}

#[test]
fn l013_name_too_long() {
    let limits = Limits {
        max_name_len: 8,
        ..Limits::default()
    };
    let src = "LDAPSettings ( )";
    let c = run_limits(src, limits);
    at(&c, src, codes::NAME_TOO_LONG, 1, 1);
}

#[test]
fn positions_in_crlf_and_bom_files() {
    let src = "\u{feff}GlobalParameters (\r\n Title = \"x\" ;\r\n)\r\n";
    only_error(src, codes::INVALID_CHARACTER, 2, 14);
    let src = "\u{feff}IKEParameters ( DefaultPort = 0x1 )";
    only_error(src, codes::HEX_PREFIX, 1, 31);
}

#[test]
fn accepted_lexical_forms() {
    // hex with h/H, `* =`, comments, CRLF, tabs, ranges that end number tokens, strings with
    // escapes and raw newlines, Russian text, identifiers with `-`, `:`, `$`.
    let src = "\u{feff}# comment\r\nGlobalParameters (\tTitle = \"Шлюз \\\"1\\\" \\\\ \\d\nline two\" /* c */ )\r\n\
               IKEParameters ( DefaultPort = 1F4h SendRetries = 0aH )\n\
               Schedule Moscow-16:$x( TimeOfDay * = 08:00..12:00:30 )\n\
               Filter f( DestinationIPAddress *= 10.0.0.1..10.0.0.255 ProtocolID *= 1..17 Schedule = Moscow-16:$x Action = PASS )\n\
               FilterChain c( Filters *= f )\n\
               NetworkInterface ( InputFilter = c )\n";
    let c = clean(src);
    assert_eq!(c.warnings().count(), 0, "{:?}", c.diagnostics);
    let p = c.compile().unwrap();
    assert_eq!(p.ike.default_port, 500);
    assert_eq!(p.ike.send_retries, 10);
    assert_eq!(p.global.title, "Шлюз \"1\" \\ \\d\nline two");
}
