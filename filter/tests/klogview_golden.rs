//! Golden tests: every klogview message of the Bel VPN Client guide §13.20 (and the drop/pass
//! texts of product.md §9), built from typed events and compared with the guide's example text
//! character for character (line breaks of the PDF joined with a space, hyphenations undone).
//!
//! Deviations from the printed examples, each deliberate:
//! * the first pass example lacks the leading `passed` (`in packet …: filtered`): printed with it,
//!   as every other pass line and product.md §9;
//! * printf-style examples (`0x%#5x (%#1,a:%,2u->%,a:%,2u)`) are rendered as `0x` + 8 hex digits
//!   and `A:P->B:Q`, and the last FTP example gets its closing parenthesis;
//! * `session 0x12345678x/…` loses the stray `x`;
//! * the lost-messages example carries a footnote mark (`lost17`) that is not part of the text.

use std::net::Ipv4Addr;
use std::sync::Arc;
use zubr_base::{Direction, DropReason, IpsecError, PassReason};
use zubr_filter::event::*;

fn ip(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

fn pkt(
    dir: Direction,
    s: &str,
    d: &str,
    ports: Option<(u16, u16)>,
    proto: u8,
    len: u32,
) -> PacketDesc {
    PacketDesc {
        dir,
        ep: Endpoints {
            src: ip(s),
            dst: ip(d),
            ports,
        },
        protocol: proto,
        len,
        iface: IfRef::Name("eth0".into()),
    }
}

fn p1(dir: Direction, proto: u8, len: u32) -> PacketDesc {
    pkt(dir, "2.3.4.5", "3.4.3.3", Some((12, 14)), proto, len)
}

fn p2(dir: Direction, proto: u8) -> PacketDesc {
    pkt(dir, "10.12.33.4", "11.8.3.4", None, proto, 80)
}

fn fwp() -> PacketDesc {
    pkt(In, "10.0.59.1", "12.1.1.1", Some((1680, 23)), 6, 80)
}

fn name(s: &str) -> Arc<str> {
    s.into()
}

fn check(cases: &[(Event, &str)]) -> usize {
    for (e, want) in cases {
        assert_eq!(e.to_string(), *want, "{e:?}");
    }
    cases.len()
}

use Direction::{In, Out};

fn pass_drop() -> Vec<(Event, &'static str)> {
    let d = |p: PacketDesc, reason: DropReason| Event::Dropped { pkt: p, reason };
    let pass = |p: PacketDesc, reason: PassReason| Event::Passed { pkt: p, reason };
    vec![
        (
            pass(p1(In, 6, 140), PassReason::Filtered),
            "passed in packet 2.3.4.5:12->3.4.3.3:14, proto 6, len 140, if eth0: filtered",
        ),
        (
            pass(p1(In, 6, 140), PassReason::Decapsulated),
            "passed in packet 2.3.4.5:12->3.4.3.3:14, proto 6, len 140, if eth0: decapsulated",
        ),
        (
            pass(p1(Out, 50, 140), PassReason::Encapsulated),
            "passed out packet 2.3.4.5:12->3.4.3.3:14, proto 50, len 140, if eth0: encapsulated",
        ),
        (
            pass(p1(Out, 50, 140), PassReason::ReRouted),
            "passed out packet 2.3.4.5:12->3.4.3.3:14, proto 50, len 140, if eth0: re-routed",
        ),
        (
            pass(p1(Out, 50, 140), PassReason::DriverDefaultPolicy),
            "passed out packet 2.3.4.5:12->3.4.3.3:14, proto 50, len 140, if eth0: driver default policy",
        ),
        (
            d(p1(In, 6, 140), DropReason::CorruptedIpHeader),
            "dropped in packet 2.3.4.5:12->3.4.3.3:14, proto 6, len 140, if eth0: corrupted IP header",
        ),
        (
            d(p1(In, 6, 140), DropReason::CorruptedProtocolHeaders),
            "dropped in packet 2.3.4.5:12->3.4.3.3:14, proto 6, len 140, if eth0: corrupted protocol headers",
        ),
        (
            d(
                p1(In, 6, 140),
                DropReason::CorruptedProtocolHeadersAfterReassembly,
            ),
            "dropped in packet 2.3.4.5:12->3.4.3.3:14, proto 6, len 140, if eth0: corrupted protocol headers after reassembly",
        ),
        (
            d(p1(In, 6, 140), DropReason::CorruptedIpHeaderAfterReassembly),
            "dropped in packet 2.3.4.5:12->3.4.3.3:14, proto 6, len 140, if eth0: corrupted IP header after reassembly",
        ),
        (
            d(
                p1(In, 6, 140),
                DropReason::CorruptedAfterDecapsulation { sa: 33 },
            ),
            "dropped in packet 2.3.4.5:12->3.4.3.3:14, proto 6, len 140, if eth0: SA 33: corrupted protocol headers after decapsulation",
        ),
        (
            d(p1(In, 6, 140), DropReason::UnableToFetchSpi),
            "in packet 2.3.4.5:12->3.4.3.3:14, proto 6, if eth0, dropped: unable to fetch SPI",
        ),
        (
            d(p1(In, 50, 140), DropReason::TooManyNestedEncapsulations),
            "dropped in packet 2.3.4.5:12->3.4.3.3:14, proto 50, len 140, if eth0: too many nested encapsulations",
        ),
        (
            d(
                p1(Out, 50, 140),
                DropReason::TooManyNestedEncapsulationsRecursive,
            ),
            "dropped out packet 2.3.4.5:12->3.4.3.3:14, proto 50, len 140, if eth0: too many nested encapsulations (recursive policy?)",
        ),
        (
            d(p1(Out, 6, 140), DropReason::Firewall),
            "dropped out packet 2.3.4.5:12->3.4.3.3:14, proto 6, len 140, if eth0: firewall",
        ),
        (
            d(p2(In, 50), DropReason::IpsecPolicy),
            "dropped in packet 10.12.33.4->11.8.3.4, proto 50, len 80, if eth0: IPsec policy",
        ),
        (
            d(p2(In, 1), DropReason::SaFilter),
            "dropped in packet 10.12.33.4->11.8.3.4, proto 1, len 80, if eth0: SA filter",
        ),
        (
            d(p2(In, 1), DropReason::Classification),
            "dropped in packet 10.12.33.4->11.8.3.4, proto 1, len 80, if eth0: classification",
        ),
        (
            d(
                p2(In, 50),
                DropReason::IpsecPacketNotExpected { filter: 12 },
            ),
            "dropped in packet 10.12.33.4->11.8.3.4, proto 50, len 80, if eth0: filter 12: IPsec packet is not expected",
        ),
        (
            d(p2(In, 50), DropReason::MustBeProtected { filter: 12 }),
            "dropped in packet 10.12.33.4->11.8.3.4, proto 50, len 80, if eth0: filter 12: packet must be protected with IPsec",
        ),
        (
            d(p2(In, 1), DropReason::LacksRequiredIpsecLayer),
            "dropped in packet 10.12.33.4->11.8.3.4, proto 1, len 80, if eth0: packet lacks required IPsec layer",
        ),
        (
            d(p2(In, 50), DropReason::TunnelHeaderMismatch { sa: 24 }),
            "dropped in packet 10.12.33.4->11.8.3.4, proto 50, len 80, if eth0: tunnel header doesn't match SA 24",
        ),
        (
            d(p2(In, 50), DropReason::SaBoundToOtherVif { sa: 18 }),
            "dropped in packet 10.12.33.4->11.8.3.4, proto 50, len 80, if eth0: SA 18 is bound to filter which doesn't match current vif",
        ),
        (
            d(p2(In, 50), DropReason::SaNotInBundle { sa: 3 }),
            "dropped in packet 10.12.33.4->11.8.3.4, proto 50, len 80, if eth0: SA 3 is not in a bundle",
        ),
        (
            d(p2(In, 50), DropReason::SaNotFirstInBundle { sa: 3 }),
            "dropped in packet 10.12.33.4->11.8.3.4, proto 50, len 80, if eth0: SA 3 is not the first SA in a bundle",
        ),
        (
            d(p2(In, 50), DropReason::SpiNotInBundle { spi: 0xfa849e11 }),
            "dropped in packet 10.12.33.4->11.8.3.4, proto 50, len 80, if eth0: SPI 0xfa849e11 is not found in SA bundle",
        ),
        (
            d(
                p1(In, 6, 140),
                DropReason::DecapsulatedHeaderMismatch { sa: 33 },
            ),
            "dropped in packet 2.3.4.5:12->3.4.3.3:14, proto 6, len 140, if eth0: SA 33: decapsulated packet's IP header doesn't match the SA",
        ),
        (
            d(
                pkt(In, "2.3.4.5", "3.4.3.3", None, 50, 140),
                DropReason::SpiNotFound { spi: 0xabababab },
            ),
            "dropped in packet 2.3.4.5->3.4.3.3, proto 50, len 140, if eth0: SPI 0xabababab not found in hash",
        ),
        (
            d(p2(In, 50), DropReason::IpsecSaMismatch { filter: 12 }),
            "dropped in packet 10.12.33.4->11.8.3.4, proto 50, len 80, if eth0: filter 12: IPsec SA doesn't match",
        ),
        (
            d(p1(Out, 6, 140), DropReason::SaBundleNotFound { filter: 12 }),
            "dropped out packet 2.3.4.5:12->3.4.3.3:14, proto 6, len 140, if eth0: filter 12: SA bundle not found",
        ),
        (
            d(
                p1(In, 50, 140),
                DropReason::Decapsulation {
                    sa: 33,
                    error: IpsecError::IntegrityFailed,
                },
            ),
            "dropped in packet 2.3.4.5:12->3.4.3.3:14, proto 50, len 140, if eth0: SA 33: decapsulation error 5: integrity verification failed",
        ),
        (
            d(
                p1(Out, 6, 140),
                DropReason::Encapsulation {
                    sa: 33,
                    error: IpsecError::SequenceNumberWrapped,
                },
            ),
            "dropped out packet 2.3.4.5:12->3.4.3.3:14, proto 6, len 140, if eth0: SA 33: encapsulation error 4: sequence number wrapped",
        ),
        (
            d(p1(Out, 6, 140), DropReason::SaUnusable { sa: 18 }),
            "dropped out packet 2.3.4.5:12->3.4.3.3:14, proto 6, len 140, if eth0: SA 18 is unusable",
        ),
        (
            d(p1(In, 6, 140), DropReason::NotLocal),
            "dropped in packet 2.3.4.5:12->3.4.3.3:14, proto 6, len 140, if eth0: packet is not local (not a security gateway)",
        ),
        (
            d(p1(In, 6, 140), DropReason::DecapsulatedNotLocal),
            "dropped in packet 2.3.4.5:12->3.4.3.3:14, proto 6, len 140, if eth0: decapsulated packet is not local (not a security gateway)",
        ),
        (
            d(
                p2(Out, 1),
                DropReason::WaitingQueueFull {
                    filter: 12,
                    limit: 8,
                },
            ),
            "dropped out packet 10.12.33.4->11.8.3.4, proto 1, len 80, if eth0: filter 12: reached limit of 8 packets waiting for SA",
        ),
        (
            d(p2(Out, 1), DropReason::FailedToBuildBundle { filter: 12 }),
            "dropped out packet 10.12.33.4->11.8.3.4, proto 1, len 80, if eth0: filter 12: failed to build SA bundle",
        ),
        (
            d(p2(Out, 1), DropReason::SaRequestsLimit { limit: 1000 }),
            "dropped out packet 10.12.33.4->11.8.3.4, proto 1, len 80, if eth0: reached limit of 1000 SA requests",
        ),
        (
            d(
                p2(Out, 1),
                DropReason::SaRequestsLimitForFilter {
                    limit: 8,
                    filter: 12,
                },
            ),
            "dropped out packet 10.12.33.4->11.8.3.4, proto 1, len 80, if eth0: reached limit of 8 SA requests for filter 12",
        ),
        (
            d(p1(In, 6, 140), DropReason::SaQueueOverflow { sa: 33 }),
            "dropped in packet 2.3.4.5:12->3.4.3.3:14, proto 6, len 140, if eth0: SA 33: queue overflow",
        ),
        (
            d(
                p1(Out, 6, 65530),
                DropReason::TooLargeForIpsec { length: 65550 },
            ),
            "dropped out packet 2.3.4.5:12->3.4.3.3:14, proto 6, len 65530, if eth0: packet is too large for IPsec, length after encapsulation 65550",
        ),
        (
            d(p1(In, 6, 140), DropReason::IpDataNotAligned),
            "dropped in packet 2.3.4.5:12->3.4.3.3:14, proto 6, len 140, if eth0: ip data is not 4-byte aligned",
        ),
        (
            d(p2(In, 50), DropReason::UnknownNetworkInterface),
            "dropped in packet 10.12.33.4->11.8.3.4, proto 50, len 80, if eth0: unknown network interface",
        ),
        (
            d(p2(In, 50), DropReason::UnknownPhysicalInterface),
            "dropped in packet 10.12.33.4->11.8.3.4, proto 50, len 80, if eth0: unknown physical network interface",
        ),
        (
            d(
                pkt(In, "2.3.4.5", "3.4.3.3", None, 1, 80),
                DropReason::IcmpPmtudProcessed,
            ),
            "dropped in packet 2.3.4.5->3.4.3.3, proto 1, len 80, if eth0: ICMP PMTUD message processed",
        ),
        (
            d(p2(In, 50), DropReason::DriverBeingConfigured),
            "dropped in packet 10.12.33.4->11.8.3.4, proto 50, len 80, if eth0: driver is being configured",
        ),
        (
            d(
                p2(Out, 50),
                DropReason::ConfigIdMismatch {
                    packet: 11,
                    current: 12,
                },
            ),
            "dropped out packet 10.12.33.4->11.8.3.4, proto 50, len 80, if eth0: packet config id 11 don't match current id 12",
        ),
        (
            d(p2(Out, 50), DropReason::IpsecFilterDead { filter: 13 }),
            "dropped out packet 10.12.33.4->11.8.3.4, proto 50, len 80, if eth0: IPsec filter 13 is dead",
        ),
        (
            d(p2(Out, 50), DropReason::SaRequestOutOfMemory { filter: 12 }),
            "dropped out packet 10.12.33.4->11.8.3.4, proto 50, len 80, if eth0: filter 12: failed to send SA request: out of memory",
        ),
        (
            d(p2(In, 50), DropReason::CannotAllocatePacketBuffer),
            "dropped in packet 10.12.33.4->11.8.3.4, proto 50, len 80, if eth0: can't allocate packet buffer",
        ),
        (
            d(p1(Out, 6, 140), DropReason::CannotPrepareSaListOutOfMemory),
            "dropped out packet 2.3.4.5:12->3.4.3.3:14, proto 6, len 140, if eth0: can't prepare SA list: out of memory",
        ),
        (
            d(p2(Out, 50), DropReason::IkecfgDestinationUnchanged),
            "dropped out packet 10.12.33.4->11.8.3.4, proto 50, len 80, if eth0: IP destination have not been changed for a packet which had come from IKEcfg virtual interface",
        ),
        (
            d(p2(Out, 50), DropReason::IkecfgSourceNotVirtual),
            "dropped out packet 10.12.33.4->11.8.3.4, proto 50, len 80, if eth0: IP source address is not an address of IKEcfg virtual interface",
        ),
        (
            d(
                p1(Out, 6, 140),
                DropReason::DfSetCannotFragment { mtu: 1500 },
            ),
            "dropped out packet 2.3.4.5:12->3.4.3.3:14, proto 6, len 140, if eth0: DF bit set, can't fragment packet, path MTU 1500",
        ),
        (
            d(p1(Out, 6, 140), DropReason::CannotFragment { mtu: 1500 }),
            "dropped out packet 2.3.4.5:12->3.4.3.3:14, proto 6, len 140, if eth0: can't fragment packet, path MTU 1500",
        ),
        (
            d(p1(Out, 6, 140), DropReason::DriverDefaultPolicy),
            "dropped out packet 2.3.4.5:12->3.4.3.3:14, proto 6, len 140, if eth0: driver default policy",
        ),
    ]
}

/// Every IPsec error code in a drop line (guide table 6).
#[test]
fn ipsec_error_codes_in_drop_lines() {
    let texts = [
        "replay packet detected",
        "call to crypto subsystem failed",
        "last sequence number",
        "sequence number wrapped",
        "integrity verification failed",
        "corrupted protocol headers",
        "corrupted headers after decapsulation",
        "memory allocation failed",
        "IP ttl expired",
        "buffer is too small",
        "can't parse IP options",
        "padding check failed",
        "incorrect SA configuration",
        "wrong encapsulation mode for the SA",
        "packet length exceeds 64K-1",
        "TFC packet",
        "traffic limit exceeded",
        "wrong tunnel source address",
    ];
    for (i, t) in texts.iter().enumerate() {
        let e = Event::Dropped {
            pkt: p1(In, 50, 140),
            reason: DropReason::Decapsulation {
                sa: 33,
                error: IpsecError::from_code(i as u8 + 1).unwrap(),
            },
        };
        assert_eq!(
            e.to_string(),
            format!(
                "dropped in packet 2.3.4.5:12->3.4.3.3:14, proto 50, len 140, if eth0: SA 33: decapsulation error {}: {t}",
                i + 1
            )
        );
    }
}

fn fw_trace() -> Vec<(Event, &'static str)> {
    vec![
        (
            Event::Filtration {
                pkt: fwp(),
                chain: 10,
                filter: 12,
                event_id: name("some_ftp_filter"),
                status: FilterStatus::Pass,
                logged: false,
            },
            "filtration result for in packet 10.0.59.1:1680->12.1.1.1:23, proto 6, len 80, if eth0: chain 10, filter 12, event id some_ftp_filter, status PASS",
        ),
        (
            Event::FiltrationNoMatch {
                pkt: fwp(),
                chain: 10,
            },
            "filtration result for in packet 10.0.59.1:1680->12.1.1.1:23, proto 6, len 80, if eth0: chain 10: no match",
        ),
        (
            Event::FiltrationJump {
                pkt: fwp(),
                chain: 10,
                filter: 12,
                event_id: name("some_ftp_filter"),
                next: 18,
                logged: false,
            },
            "intermediate filtration result for in packet 10.0.59.1:1680->12.1.1.1:23, proto 6, len 80, if eth0: chain 10, filter 12, event id some_ftp_filter, status MATCH, jump to 18",
        ),
        (
            Event::FiltrationNextNotFound {
                pkt: fwp(),
                chain: 10,
                filter: 12,
                next: 16,
            },
            "filtration result for in packet 10.0.59.1:1680->12.1.1.1:23, proto 6, len 80, if eth0: chain 10, filter 12: next filter 16 not found",
        ),
    ]
}

#[test]
fn filtration_statuses() {
    for (st, s) in [
        (FilterStatus::Pass, "PASS"),
        (FilterStatus::Assemble, "ASSEMBLE"),
        (FilterStatus::Drop, "DROP"),
        (FilterStatus::Error, "ERROR"),
        (FilterStatus::Match, "MATCH"),
    ] {
        assert_eq!(st.to_string(), s);
    }
}

fn sel(l: (&str, &str), lp: u16, r: (&str, &str), rp: u16, proto: u8) -> SaSelector {
    SaSelector {
        local: AddrSpan(ip(l.0), ip(l.1)),
        local_port: lp,
        remote: AddrSpan(ip(r.0), ip(r.1)),
        remote_port: rp,
        protocol: proto,
    }
}

fn sa_events() -> Vec<(Event, &'static str)> {
    use SaFault::*;
    vec![
        (Event::SaExpired { sa: 55 }, "SA 55 expired"),
        (
            Event::RekeyRequested { sa: 33 },
            "requesting rekeying for SA 33",
        ),
        (
            Event::SaLoaded {
                sa: 12,
                info: SaLoad {
                    flags: 0x1,
                    ipsec_flags: 0x18,
                    selector: sel(("5.4.3.2", "5.4.3.2"), 0, ("2.3.4.5", "2.3.4.5"), 0, 0),
                    tunnel: Some((ip("5.4.3.2"), ip("8.9.1.2"))),
                    protocol: 51,
                    spi: 0xabababba,
                },
            },
            "loaded SA 12: flags 0x1, IPsec flags 0x18, selector 5.4.3.2->2.3.4.5, tunnel 5.4.3.2->8.9.1.2, type 51, SPI 0xabababba",
        ),
        (
            Event::SaReplacementLoaded {
                old: 55,
                sa: 69,
                info: SaLoad {
                    flags: 0x0,
                    ipsec_flags: 0x38,
                    selector: sel(("3.4.5.1", "3.4.5.1"), 0, ("2.3.4.0", "2.3.4.255"), 0, 17),
                    tunnel: Some((ip("3.4.5.1"), ip("1.3.4.1"))),
                    protocol: 50,
                    spi: 0x3b7f44e0,
                },
            },
            "loaded replacement for SA 55: SA 69: flags 0x0, IPsec flags, 0x38, selector 3.4.5.1->2.3.4.0-2.3.4.255 proto 17, tunnel 3.4.5.1->1.3.4.1, type 50, SPI 0x3b7f44e0",
        ),
        (
            Event::BundleLoaded {
                chain: 12,
                filter: 98,
                flags: 0,
                selector: sel(("3.4.5.1", "3.4.5.1"), 98, ("3.4.5.2", "3.4.5.2"), 99, 17),
                sas: vec![4, 5],
            },
            "loaded bundle: chain 12, filter 98, flags 0x0, selector 3.4.5.1:98->3.4.5.2:99 proto 17, SA list 4 5",
        ),
        (
            Event::SaRequest {
                chain: 59,
                filter: 12,
                selector: sel(("5.4.3.2", "5.4.3.2"), 1, ("1.2.3.4", "1.2.3.4"), 5, 17),
                expected: sel(("5.4.3.2", "5.4.3.2"), 0, ("1.2.3.4", "1.2.3.4"), 0, 17),
            },
            "SA request: filter chain 59, filter 12, selector 5.4.3.2:1->1.2.3.4:5 proto 17, expected SA selector 5.4.3.2->1.2.3.4 proto 17",
        ),
        (
            Event::WaitingForSa {
                pkt: pkt(Out, "10.0.59.1", "12.1.1.1", Some((1680, 23)), 17, 90),
            },
            "waiting for SA: 10.0.59.1:1680->12.1.1.1:23, proto 17, len 90, if eth0",
        ),
        (Event::SaDisabled { sa: 33 }, "disabled SA 33"),
        (Event::SaRemoved { sa: 33 }, "removed SA 33"),
        (
            Event::SaEnableProcessed { sa: 33 },
            "application request to enable SA 33 processed",
        ),
        (
            Event::FirstPacketWillRekey { sa: 33 },
            "first packet will trigger rekeying of SA 33",
        ),
        (
            Event::SaFault(BundleFilterNotFound {
                filter: 299,
                chain: 11,
            }),
            "can't add bundle: filter id 299 is not found in chain 11",
        ),
        (
            Event::SaFault(BundleSaNotFound { sa: 33 }),
            "can't add bundle: SA id 33 not found",
        ),
        (
            Event::SaFault(LoadUnpack),
            "can't load SA: unable to unpack",
        ),
        (
            Event::SaFault(ReplacementNotFound { sa: 33 }),
            "can't load replacement for SA 33: SA not found",
        ),
        (
            Event::SaFault(ReplacementUnpack { sa: 33 }),
            "can't load replacement for SA 33: can't unpack",
        ),
        (
            Event::SaFault(RemoveNotFound { sa: 33 }),
            "can't remove SA 33: sa not found",
        ),
        (
            Event::SaFault(DisableNotFound { sa: 33 }),
            "can't disable SA 33: sa not found",
        ),
        (
            Event::SaFault(EnableNotFound { sa: 33 }),
            "can't enable SA 33: sa not found",
        ),
        (
            Event::SaFault(RekeyTriggerNotFound { sa: 33 }),
            "rekey trigger: can't find SA 33",
        ),
        (
            Event::SaFault(BundleDropResponse),
            "can't add bundle: non-empty \"drop\" response",
        ),
        (
            Event::SaFault(BundleIllegalSize { size: 11 }),
            "can't add bundle: illegal request size 11",
        ),
        (
            Event::SaFault(BundleNotIpsecFilter {
                filter: 2,
                chain: 2,
            }),
            "can't add bundle: filter id 2 in chain 2 is not an IPsec filter",
        ),
        (
            Event::SaFault(BundleChainEmpty { chain: 22 }),
            "can't add bundle: filter chain id 22 is empty",
        ),
        (
            Event::SaFault(BundleChainNotFound { chain: 22 }),
            "can't add bundle: filter chain id 22 not found",
        ),
        (
            Event::SaFault(BundleRequestNotFound {
                filter: 23,
                chain: 18,
                src: ip("1.2.3.4"),
                dst: ip("4.3.2.1"),
            }),
            "can't add bundle: filter id 23, chain 18: request 1.2.3.4->4.3.2.1 not found",
        ),
        (
            Event::SaFault(BundleFilterDead { filter: 80 }),
            "can't add bundle: filter 80 is dead",
        ),
        (
            Event::SaFault(BundleSaInBundle { sa: 24 }),
            "can't add bundle: SA 24 is already in a bundle",
        ),
        (Event::SaDestroyed { sa: 12 }, "destroyed SA 12"),
        (
            Event::SaReplacing { old: 12, new: 13 },
            "replacing SA 12 with SA 13",
        ),
        (
            Event::SaAlreadyEnabled { sa: 13 },
            "can't enable sa 13: it's already enabled",
        ),
        (
            Event::SaEnabledNotActivated { sa: 14 },
            "enabled sa 14, but didn't activate it",
        ),
        (Event::SaEnabled { sa: 15 }, "enabled sa 15"),
        (
            Event::Decapsulating {
                sa: 10,
                pkt: PacketDesc {
                    iface: IfRef::Name(name("iprb0")),
                    ..pkt(In, "1.2.3.4", "5.4.3.2", Some((5, 1)), 6, 256)
                },
            },
            "decapsulating with SA 10: 1.2.3.4:5->5.4.3.2:1, proto 6, len 256, if iprb0",
        ),
        (
            Event::Encapsulating {
                sa: 10,
                pkt: PacketDesc {
                    iface: IfRef::Name(name("iprb0")),
                    ..pkt(Out, "5.4.3.2", "1.2.3.4", Some((1, 5)), 6, 256)
                },
            },
            "encapsulating with SA 10: 5.4.3.2:1->1.2.3.4:5, proto 6, len 256, if iprb0",
        ),
        (
            Event::ReplayDetected {
                sa: 10,
                last: 92,
                window: 0x1,
                seq: 4,
            },
            "replay packet detected: SA 10 last sequence number 92, window 0x1, packet sequence number 4.",
        ),
    ]
}

fn ct(a: &str, ap: u16, b: &str, bp: u16) -> ConnTuple {
    ConnTuple {
        a: ip(a),
        ap,
        b: ip(b),
        bp,
    }
}

fn tcp_events() -> Vec<(Event, &'static str)> {
    use TcpState::*;
    let ftp = ct("10.0.16.103", 32779, "10.0.131.1", 21);
    let fb = |what| Event::FtpBlocked {
        what,
        id: 0xd3e38180,
        conn: ftp,
        logged: true,
    };
    vec![
        (
            Event::HalfOpenOk {
                count: 2,
                low: 10,
                rate: 9,
                rate_low: 10,
                logged: true,
            },
            "half open session count and creation rate are ok, stopped deleting connections: count 2 (< 10), 1-minute rate 9 (< 10)",
        ),
        (
            Event::HalfOpenTriggered {
                conn: ct("1.1.1.2", 23, "1.1.1.3", 1045),
                count: 22,
                max: 33,
                rate: 42,
                rate_max: 42,
                logged: true,
            },
            "half open sessions limit triggered by 1.1.1.2:23->1.1.1.3:1045, starting to delete connections: count/max 22/33, 1-minute rate/max 42/42",
        ),
        (
            Event::SessionsLimit {
                conn: ct("1.1.1.2", 23, "1.1.1.3", 1045),
                count: 4000,
                max: 4000,
                logged: true,
            },
            "sessions limit triggered by 1.1.1.2:23->1.1.1.3:1045, dropping packet: session count/max 4000/4000",
        ),
        (
            fb(FtpBlock::PassiveFromServer),
            "blocked attempt to initiate FTP passive-mode data connection 0xd3e38180 (10.0.16.103:32779->10.0.131.1:21) from server side",
        ),
        (
            fb(FtpBlock::ActiveFromClient),
            "blocked attempt to initiate FTP data connection 0xd3e38180 (10.0.16.103:32779->10.0.131.1:21) from client side",
        ),
        (
            fb(FtpBlock::PasvUnauthenticated),
            "blocked FTP PASV response for 0xd3e38180 (10.0.16.103:32779->10.0.131.1:21): user not authenticated",
        ),
        (
            fb(FtpBlock::PasvPrivilegedPort(22)),
            "blocked attempt to use priveleged port 22 in FTP PASV response for 0xd3e38180 (10.0.16.103:32779->10.0.131.1:21)",
        ),
        (
            fb(FtpBlock::PortUnauthenticated),
            "blocked FTP PORT command for 0xd3e38180 (10.0.16.103:32779->10.0.131.1:21): user not authenticated",
        ),
        (
            fb(FtpBlock::PortPrivilegedPort(25)),
            "blocked attempt to use priveleged port 25 in FTP PORT command for 0xd3e38180 (10.0.16.103:32779->10.0.131.1:21)",
        ),
        (
            Event::UnexpectedSeq {
                id: 0xfafabebe,
                seq: 1040,
                flags: 0x10,
                expected: 4050,
                win: 1024,
                logged: false,
            },
            "unexpected TCP sequence number for 0xfafabebe, dropping packet: seq 1040, flags 0x10, expected seq (ack) 4050, win 1024",
        ),
        (
            Event::UnexpectedFlags {
                id: 0xfafabebe,
                from: (Estab, Estab),
                to: (SynSent, Estab),
                flags: 0x2,
                logged: false,
            },
            "unexpected TCP flags for 0xfafabebe, dropping packet: disallowed state change ESTAB->SYNSENT/ESTAB->ESTAB, TCP flags 0x2",
        ),
        (
            Event::StateChanged {
                id: 0xfafabebe,
                from: (Estab, SynRcvd),
                to: (Estab, Estab),
                ttl: (100, 100),
                flags: 0x10,
            },
            "session state changed for 0xfafabebe: state ESTAB->ESTAB/SYNRCVD->ESTAB, ttl 100/100, TCP flags 0x10",
        ),
        (
            Event::NotSyn {
                conn: ct("10.1.1.1", 22, "10.2.2.2", 3532),
                parent: 8,
                flags: 0x10,
                logged: false,
            },
            "not a SYN packet, won't create state for session 10.1.1.1:22->10.2.2.2:3532, parent filter 8: TCP flags 0x10",
        ),
        (
            Event::NewSession {
                ids: ConnIds(0xbebebebe, 0xabababab),
                conn: ct("1.2.3.4", 32, "2.3.4.1", 33),
                parent: 18,
                state: (SynSent, Closed),
                flags: 0x2,
            },
            "new session 0xbebebebe/0xabababab (1.2.3.4 1.2.3.4:32 32->2.3.4.1 2.3.4.1:33 33): parent filter 18, state SYNSENT/CLOSED, TCP flags 0x2)",
        ),
        (
            Event::CantDeleteHalfOpen {
                conn: ct("1.2.3.4", 32, "2.3.4.1", 33),
                count: 0,
                logged: false,
            },
            "can't delete any old half open session in favor of new session 1.2.3.4 1.2.3.4:32 32->2.3.4.1 2.3.4.1:33 33, dropping packet: half open session count 0",
        ),
        (
            Event::SessionClosed {
                ids: ConnIds(0x12345678, 0x12346678),
                conn: ct("1.1.1.2", 23, "1.1.1.3", 1045),
                state: (Closed, Closed),
                bytes: (200, 100),
                packets: (10, 15),
                logged: true,
            },
            "session 0x12345678/0x12346678 (1.1.1.2:23->1.1.1.3:1045) closed: state CLOSED/CLOSED, transferred 200/100 bytes, 10/15 packets",
        ),
    ]
}

fn fw_obj() -> Vec<(Event, &'static str)> {
    use FrFault::*;
    vec![
        (Event::ChainCreated { chain: 18 }, "created filter chain 18"),
        (
            Event::ChainDestroyed { chain: 18 },
            "destroyed filter chain 18",
        ),
        (
            Event::FilterUnloaded {
                filter: 12,
                chain: 18,
            },
            "unloaded filter 12 from chain 18",
        ),
        (
            Event::FiltersUnloaded {
                count: 9,
                parent: 19,
                chain: 18,
            },
            "unloaded 9 filters with parent id 19 from chain 18",
        ),
        (
            Event::FilterEnabled {
                filter: 4,
                chain: 9,
            },
            "enabled filter 4 from chain 9",
        ),
        (
            Event::FiltersEnabled {
                count: 9,
                id: 8,
                chain: 9,
            },
            "enabled 9 filters with id 8 from chain 9",
        ),
        (
            Event::FilterDisabled {
                filter: 4,
                chain: 9,
            },
            "disabled filter 4 from chain 9",
        ),
        (
            Event::FiltersDisabled {
                count: 9,
                id: 8,
                chain: 9,
            },
            "disabled 9 filters with id 8 from chain 9",
        ),
        (Event::FilterDestroyed { filter: 19 }, "destroyed filter 19"),
        (
            Event::FilterCreated {
                filter: 8,
                chain: 4,
                selector: RangeSelector {
                    src: vec![(ip("1.2.3.4"), ip("1.2.3.5"))],
                    dst: vec![(ip("9.1.1.1"), ip("9.1.1.1"))],
                    ..Default::default()
                },
                pkttype: 4,
                position: Position::AtHead,
                action: 0,
                nextid: 12,
            },
            "created filter 8, chain 4, selector 1.2.3.4 1.2.3.5->9.1.1.1 9.1.1.1 pkttype 4, position at head, action 0x0, nextid 12",
        ),
        (
            Event::PairDestroyed { pair: 18 },
            "destroyed filter chain pair 18",
        ),
        (
            Event::PairDeregistered { pair: 18 },
            "deregistered filter chain pair 18",
        ),
        (
            Event::PairCreated {
                pair: 8,
                kind: 1,
                visibility: 1,
            },
            "created filter chain pair 8, type 1, visibility 1",
        ),
        (
            Event::FrFault(LoadChainNotFound { chain: 13 }),
            "can't load filter: chain 13 is not found",
        ),
        (
            Event::FrFault(LoadCantCreateChain { chain: 13 }),
            "can't load filter: can't create chain 13",
        ),
        (
            Event::FrFault(LoadUnpack { chain: 13 }),
            "can't load filter to chain 13: unable to unpack",
        ),
        (
            Event::FrFault(PairOddId {
                pair: 19,
                kind: 1,
                visibility: 1,
            }),
            "can't create filter chain pair 19, type 1, visibility 1: odd id",
        ),
        (
            Event::FrFault(PairOutOfMemory {
                pair: 8,
                kind: 1,
                visibility: 1,
            }),
            "can't create filter chain pair 8, type 1, visibility 1: out of memory",
        ),
        (
            Event::FrFault(PairCantCreateChains {
                pair: 4,
                kind: 1,
                visibility: 1,
            }),
            "can't create filter chain pair 4, type 1, visibility 1: can't create chains",
        ),
        (
            Event::FrFault(DeregisterNotFound { pair: 4 }),
            "can't deregister filter chain pair 4: not found",
        ),
        (
            Event::FrFault(LoadFilter {
                filter: 18,
                chain: 13,
            }),
            "can't load filter 18 to chain 13",
        ),
        (
            Event::FrFault(UnloadChainNotFound {
                filter: 18,
                chain: 13,
            }),
            "can't unload filter 18: chain 13 is not found",
        ),
        (
            Event::FrFault(UnloadChainNotInitialized {
                filter: 18,
                chain: 13,
            }),
            "can't unload filter 18: chain 13 is not initialized",
        ),
        (
            Event::FrFault(UnloadFilterNotFound {
                filter: 18,
                chain: 84,
            }),
            "can't unload filter 18 from chain 84: filter is not found",
        ),
        (
            Event::FrFault(DisableChainNotFound {
                filter: 18,
                chain: 13,
            }),
            "can't disable filter 18: chain 13 is not found",
        ),
        (
            Event::FrFault(DisableChainNotInitialized {
                filter: 18,
                chain: 13,
            }),
            "can't disable filter 18: chain 13 is not initialized",
        ),
        (
            Event::FrFault(DisableAlreadyDisabled {
                filter: 18,
                chain: 13,
            }),
            "can't disable filter 18 from chain 13: filter is already disabled",
        ),
        (
            Event::FrFault(DisableFilterNotFound {
                filter: 18,
                chain: 13,
            }),
            "can't disable filter 18 from chain 13: filter is not found",
        ),
        (
            Event::FrFault(EnableChainNotFound {
                filter: 18,
                chain: 13,
            }),
            "can't enable filter 18: chain 13 is not found",
        ),
        (
            Event::FrFault(EnableChainNotInitialized {
                filter: 18,
                chain: 13,
            }),
            "can't enable filter 18: chain 13 is not initialized",
        ),
        (
            Event::FrFault(EnableAlreadyEnabled {
                filter: 18,
                chain: 13,
            }),
            "can't enable filter 18 from chain 13: filter is already enabled",
        ),
        (
            Event::FrFault(EnableFilterNotFound {
                filter: 18,
                chain: 13,
            }),
            "can't enable filter 18 from chain 13: filter is not found",
        ),
        (
            Event::FrFault(AddChainBeingDestroyed { chain: 13 }),
            "can't add filter to chain 13: chain is being destroyed",
        ),
        (
            Event::FrFault(AddNextToMissing {
                chain: 13,
                filter: 8,
            }),
            "can't add filter to chain 13 next to filter 8: filter not found",
        ),
    ]
}

fn vif_obj() -> Vec<(Event, &'static str)> {
    use VifFault::*;
    let f = |s: &str| {
        let mut v = 0;
        for c in s.chars() {
            v |= match c {
                'P' => PhyFlags::P,
                'I' => PhyFlags::I,
                'V' => PhyFlags::V,
                _ => 0,
            };
        }
        PhyFlags(v)
    };
    vec![
        (
            Event::PhyFlagsCleared {
                name: name("eth0"),
                cleared: f("I"),
                old: f("PIV"),
                new: f("PV"),
            },
            "updated phy \"eth0\": cleared flags I: PIV>PV",
        ),
        (
            Event::PhyIpUpdated {
                name: name("eth0"),
                id: 2,
                old: f("PV"),
                new: f("PIV"),
                mtu: 1500,
                addresses: vec![ip("1.2.3.4"), ip("2.2.3.4")],
                broadcasts: vec![ip("1.2.3.255"), ip("2.2.3.255")],
            },
            "updated phy \"eth0\": id 2, flags PV>PIV, mtu 1500, addresses 1.2.3.4 2.2.3.4, broadcasts 1.2.3.255 2.2.3.255",
        ),
        (
            Event::PhyBound {
                name: name("eth0"),
                old: f("P"),
                new: f("PV"),
                vif: 9,
                vif_name: name("FastEthernet0/1"),
            },
            "updated phy \"eth0\": flags P>PV, vif 9 \"FastEthernet0/1\"",
        ),
        (
            Event::PhyAppeared {
                name: name("eth0"),
                old: f("I"),
                new: f("PI"),
            },
            "updated phy \"eth0\": flags I>PI: interface appeared in pcap",
        ),
        (
            Event::PhyCreated {
                name: name("eth0"),
                id: 2,
                flags: f("P"),
            },
            "created phy \"eth0\": phy id 2, flags P",
        ),
        (
            Event::PhyDestroyed { name: name("eth0") },
            "destroyed phy \"eth0\"",
        ),
        (
            Event::VifCreated {
                vif: 7,
                name: name("FastEthernet0/1"),
            },
            "created vif 7 \"FastEthernet0/1\"",
        ),
        (
            Event::PairAttached {
                pair: 4,
                vif: 19,
                chain_type: 4,
            },
            "attached filter chain pair 4 to vif 19, chain type 4",
        ),
        (
            Event::VifRegistered {
                vif: 11,
                name: name("FastEthernet0/0"),
                pname: name("eth0"),
                priority: 30,
            },
            "registered vif 11 \"FastEthernet0/0\": pname \"eth0\", priority 30",
        ),
        (
            Event::VifDestroyed {
                vif: 7,
                name: name("FastEthernet0/4"),
            },
            "destroyed vif 7 \"FastEthernet0/4\"",
        ),
        (
            Event::PairDetached {
                pair: 2,
                vif: 9,
                chain_type: 8,
            },
            "detached filter chain pair 2 from vif 9, chain type 8",
        ),
        (
            Event::VifDeregistering {
                vif: 3,
                name: name("FastEthernet0/1"),
            },
            "deregistering vif 3 \"FastEthernet0/1\"",
        ),
        (
            Event::VifFault(AttachVifNotFound { pair: 2, vif: 3 }),
            "can't attach filter chain pair 2 to vif 3: vif is not found",
        ),
        (
            Event::VifFault(AttachPairNotFound { pair: 2, vif: 3 }),
            "can't attach filter chain pair 2 to vif 3: chain pair is not found",
        ),
        (
            Event::VifFault(AttachUnknownType {
                pair: 2,
                vif: 3,
                chain_type: 100,
            }),
            "can't attach filter chain pair 2 to vif 3: unknown chain type 100",
        ),
        (
            Event::VifFault(AttachVifDead {
                pair: 2,
                vif: 3,
                chain_type: 1,
            }),
            "can't attach filter chain pair 2 to vif 3, chain type 1: vif is dead",
        ),
        (
            Event::VifFault(AttachTypeOccupied {
                pair: 2,
                vif: 3,
                chain_type: 1,
            }),
            "can't attach filter chain pair 2 to vif 3: chain type 1 is occupied",
        ),
        (
            Event::VifFault(DetachVifNotFound {
                chain_type: 1,
                vif: 2,
            }),
            "can't detach filter chain pair type 1 from vif 2: vif is not found",
        ),
        (
            Event::VifFault(DetachUnknownType {
                chain_type: 120,
                vif: 2,
            }),
            "can't detach filter chain pair type 120 from vif 2: unknown chain type",
        ),
        (
            Event::VifFault(DetachNotAttached {
                chain_type: 1,
                vif: 2,
            }),
            "can't detach filter chain pair type 1 from vif 2: chain pair is not attached",
        ),
        (
            Event::VifFault(UpdatePhyNotFound {
                name: name("eth140"),
            }),
            "update phy info: can't find phy \"eth140\"",
        ),
        (Event::VifFault(UpdatePhyUnpack), "update phy: can't unpack"),
        (
            Event::VifFault(CreateVifUnpack),
            "can't create vif: unable to unpack",
        ),
        (
            Event::VifFault(DeregisterNotFound { vif: 9 }),
            "can't deregister vif 9: not found",
        ),
    ]
}

fn mtud() -> Vec<(Event, &'static str)> {
    let ep = Endpoints {
        src: ip("10.0.59.1"),
        dst: ip("12.1.1.1"),
        ports: Some((1680, 23)),
    };
    vec![
        (
            Event::IcmpNotSentDf {
                ep,
                protocol: 50,
                len: 140,
                sa: 28,
            },
            "not sending ICMP because of DF bit enforced by IPsec SA options for packet 10.0.59.1:1680->12.1.1.1:23, proto 50, len 140: topmost SA 28",
        ),
        (
            Event::MtuTooLow {
                ep,
                protocol: 50,
                mtu: 60,
                sa: 49,
            },
            "MTU is too low for packet 10.0.59.1:1680->12.1.1.1:23, proto 50: calculated MTU 60, topmost SA 49",
        ),
        (
            Event::IcmpSent {
                ep,
                protocol: 50,
                len: 1520,
                sa: 80,
                mtu: 1430,
            },
            "ICMP dest unreachable/fragmentation needed sent for packet 10.0.59.1:1680->12.1.1.1:23, proto 50, len 1520, topmost SA 80: MTU 1430",
        ),
        (
            Event::IcmpSpiNotFound {
                spi: 0xbebebebe,
                from: ip("3.2.4.1"),
            },
            "SPI 0xbebebebe not found, discarding ICMP message from 3.2.4.1",
        ),
        (
            Event::MtudNotEnabled {
                sa: 32,
                from: ip("3.4.5.6"),
            },
            "MTU discovery is not enabled for SA 32, discarding ICMP message from 3.4.5.6",
        ),
        (
            Event::MtudProcessed {
                from: ip("3.3.3.3"),
                requested: 1400,
                mtu: 1400,
                sa: 89,
            },
            "MTU discovery message from 3.3.3.3 processed, requested value 1400, setting path MTU to 1400 for SA 89",
        ),
        (
            Event::MtuOutOfRange {
                mtu: 10,
                from: ip("3.5.11.1"),
            },
            "MTU 10 is out of expected range, discarding ICMP message from 3.5.11.1",
        ),
        (
            Event::MessagesLost { count: 1080 },
            "*** 1080 messages lost ***",
        ),
    ]
}

#[test]
fn every_guide_message_is_reproduced() {
    let mut n = 0;
    n += check(&pass_drop());
    n += check(&fw_trace());
    n += check(&sa_events());
    n += check(&tcp_events());
    n += check(&fw_obj());
    n += check(&vif_obj());
    n += check(&mtud());
    println!("{n} golden messages");
    assert_eq!(n, 177);
}

#[test]
fn groups_and_visibility() {
    // each group's events are visible under exactly their masks
    for (e, _) in pass_drop() {
        let want = if matches!(e, Event::Passed { .. }) {
            EventMask::PASS
        } else {
            EventMask::DROP
        };
        assert_eq!(e.groups(), want);
        assert_eq!(e.subsystem(), Subsystem::Pkt);
    }
    for (e, _) in fw_obj() {
        assert_eq!(e.groups(), EventMask::FW_OBJ);
        assert_eq!(e.subsystem(), Subsystem::Fr);
        assert!(e.visible(EventMask::parse("FR").unwrap()));
        assert!(!e.visible(EventMask::parse("PKT,SA").unwrap()));
    }
    for (e, _) in vif_obj() {
        assert_eq!(e.subsystem(), Subsystem::Vif);
    }
    for (e, _) in mtud() {
        if matches!(e, Event::MessagesLost { .. }) {
            assert!(e.visible(EventMask::NONE), "LOG messages are always on");
            assert_eq!(e.subsystem(), Subsystem::Log);
        } else {
            assert_eq!(e.groups(), EventMask::MTUD);
        }
    }
    // fw_notif only for logged rules; fw_trace includes fw_notif
    let logged = Event::Filtration {
        pkt: fwp(),
        chain: 1,
        filter: 2,
        event_id: name("x"),
        status: FilterStatus::Drop,
        logged: true,
    };
    let plain = Event::Filtration {
        pkt: fwp(),
        chain: 1,
        filter: 2,
        event_id: name("x"),
        status: FilterStatus::Drop,
        logged: false,
    };
    assert!(logged.visible(EventMask::FW_NOTIF) && logged.visible(EventMask::FW_TRACE));
    assert!(!plain.visible(EventMask::FW_NOTIF) && plain.visible(EventMask::FW_TRACE));
    // fw_tcpst includes fw_tcperr/fw_tcpstat; those two only for logged rules
    for (e, _) in tcp_events() {
        assert!(e.visible(EventMask::FW_TCPST), "{e}");
        assert_eq!(e.subsystem(), Subsystem::Fwtcp);
    }
    let err = |logged| Event::UnexpectedSeq {
        id: 1,
        seq: 1,
        flags: 0x10,
        expected: 2,
        win: 3,
        logged,
    };
    assert!(err(true).visible(EventMask::FW_TCPERR));
    assert!(!err(false).visible(EventMask::FW_TCPERR));
    assert!(!err(true).visible(EventMask::FW_TCPSTAT));
    let closed = |logged| Event::SessionClosed {
        ids: ConnIds(1, 2),
        conn: ct("1.1.1.1", 1, "2.2.2.2", 2),
        state: (TcpState::Closed, TcpState::Closed),
        bytes: (0, 0),
        packets: (0, 0),
        logged,
    };
    assert!(closed(true).visible(EventMask::FW_TCPSTAT));
    assert!(!closed(false).visible(EventMask::FW_TCPSTAT));
    for (e, _) in sa_events() {
        assert!(
            matches!(e.subsystem(), Subsystem::Sa | Subsystem::Ipsec),
            "{e}"
        );
    }
}

#[test]
fn mask_parsing_matches_the_guide() {
    let want = EventMask(0x1f);
    for s in [
        "0x1f",
        "31",
        "drop,pass,sa_minor,sa_major,sa_trace",
        "PKT,SA,sa_trace",
        "drop,1,SA,0x10",
    ] {
        assert_eq!(EventMask::parse(s), Ok(want), "{s}");
    }
    let each = [
        ("pass", 0x1),
        ("drop", 0x2),
        ("sa_major", 0x4),
        ("sa_minor", 0x8),
        ("sa_trace", 0x10),
        ("sa_errors", 0x20),
        ("fw_trace", 0x80),
        ("fw_notif", 0x100),
        ("fw_obj", 0x200),
        ("vif_obj", 0x400),
        ("fw_tcpst", 0x800),
        ("fw_tcpstat", 0x1000),
        ("fw_tcperr", 0x2000),
        ("mtud", 0x4000),
    ];
    for (n, v) in each {
        assert_eq!(EventMask::parse(n), Ok(EventMask(v)));
    }
    assert_eq!(EventMask::parse("FWTCP"), Ok(EventMask(0x3800)));
    assert_eq!(
        EventMask::parse("FW,FR,VIF,MTUD,IPSEC").unwrap().0,
        0x80 | 0x100 | 0x200 | 0x400 | 0x4000 | 0x30
    );
    assert_eq!(EventMask::parse("LOG"), Ok(EventMask(0)));
    assert_eq!(
        EventMask(0x1f).names(),
        "pass,drop,sa_major,sa_minor,sa_trace"
    );
    for bad in [
        "",
        "drop,,pass",
        "drop, pass",
        "0x40",
        "0x8000",
        "Drop",
        "0xzz",
        "99999999999",
    ] {
        assert!(EventMask::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn bounded_queue_reports_lost_messages() {
    let mut log = EventLog::new(EventMask::parse("PKT").unwrap(), 3);
    let ev = |i: u16| Event::Passed {
        pkt: pkt(In, "1.1.1.1", "2.2.2.2", Some((i, 1)), 6, 40),
        reason: PassReason::Filtered,
    };
    for i in 0..10 {
        log.push(ev(i));
    }
    // not wanted by the mask: never stored, never counted
    log.push(Event::ChainCreated { chain: 2 });
    assert_eq!(log.lost_total(), 7);
    let lines: Vec<String> = std::iter::from_fn(|| log.pop())
        .map(|e| e.to_string())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[3], "*** 7 messages lost ***");
    assert!(lines[0].contains(":0->"));
    // after draining, events are kept again
    log.push(ev(99));
    assert_eq!(
        log.pop().map(|e| e.to_string()).unwrap(),
        "passed in packet 1.1.1.1:99->2.2.2.2:1, proto 6, len 40, if eth0: filtered"
    );
}
