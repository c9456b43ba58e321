//! # zubr-esp — IPsec ESP processing (RFC 4303, RFC 2406, RFC 3948)
//!
//! In-place encapsulation and decapsulation of IPv4 packets with ESP, in tunnel and transport
//! mode, optionally inside UDP (NAT-T), with every encryption and integrity transform of a
//! [`CryptoProvider`](zubr_crypto_stb::CryptoProvider) — this crate names no algorithm.
//!
//! ```text
//!   host buffer: [ headroom | IP packet | tailroom ]           (zubr_base::PacketBuf)
//!        EspOutbound::encapsulate ──►  [ outer IP | UDP? | SPI Seq IV | ciphertext | ICV ]
//!        EspInbound::decapsulate  ──►  back to the IP packet, in the same buffer
//! ```
//!
//! * [`EspOutbound`] / [`EspInbound`] — one SA each way, built from an [`EspConfig`]; they
//!   implement `zubr_base::sa::{OutboundSa, InboundSa}`, so the SA database of `zubr-base`
//!   (bundles with AH, nested tunnels, SPI lookup) drives them.
//! * Errors are the product's IPsec codes ([`IpsecError`](zubr_base::IpsecError) 1–18); the
//!   database turns them into `SA N: decapsulation error 5: integrity verification failed`.
//! * [`wire`] — the ESP header fields, for tools and fuzzing.
//!
//! Which codes this crate produces, and how a test provokes each: 1 replay, 2 crypto provider
//! failure, 3 last sequence number (no ESN), 4 wrapped (ESN), 5 ICV/tag, 6 malformed ESP or
//! outer header, 7 malformed inner header, 9 inner TTL on a forwarding gateway, 10 headroom or
//! tailroom too small, 12 padding, 13 bad configuration, 14 mode mismatch, 15 result over 65535
//! bytes, 16 TFC dummy received, 17 hard lifetime, 18 wrong tunnel source. Code 11 (IP options)
//! comes from AH (ESP never parses options); code 8 (memory) from the host's buffer allocation —
//! nothing here allocates per packet.
//!
//! ## Example
//! ```
//! use zubr_base::{Instant, Mode, PacketBuf, SaParams, sa::Tunnel};
//! use zubr_crypto_stb::SOFTWARE;
//! use zubr_esp::{EspConfig, EspInbound, EspOutbound};
//!
//! let aes = SOFTWARE.esp_cipher_by_name("esp-aes128-cbc").unwrap();
//! let sha1 = SOFTWARE.integrity_by_name("esp-sha1-hmac").unwrap();
//! let tunnel = Tunnel { src: [10, 0, 0, 1].into(), dst: [10, 0, 0, 2].into() };
//! let (ek, ak) = ([7u8; 16], [9u8; 20]);
//! let cfg = EspConfig::new(SaParams::new(0x1000, Mode::Tunnel, Some(tunnel)), aes, &ek, Some(sha1), &ak);
//! let mut rng = SOFTWARE.drbg.instantiate(&[1u8; 32]).unwrap();
//! let now = Instant::ZERO;
//! let mut out = EspOutbound::new(&cfg, &mut *rng, now).unwrap();
//! let mut inb = EspInbound::new(&cfg, now).unwrap();
//!
//! // a minimal IPv4/UDP packet
//! let mut ip = [0u8; 28];
//! zubr_base::ip::write_header(&mut ip, &zubr_base::ip::Ipv4Fields {
//!     tos: 0, total_len: 28, id: 1, df: false, ttl: 64, protocol: 17,
//!     src: [192, 168, 1, 1].into(), dst: [192, 168, 2, 1].into() });
//! ip[24..26].copy_from_slice(&8u16.to_be_bytes());
//!
//! let mut buf = [0u8; 256];
//! let mut pkt = PacketBuf::copy_from(&mut buf, 64, &ip).unwrap();
//! out.encapsulate(now, &mut pkt).unwrap();
//! assert_eq!(pkt.bytes()[9], 50); // ESP
//! inb.decapsulate(now, &mut pkt).unwrap();
//! assert_eq!(pkt.bytes(), &ip);
//! ```
//!
//! ## What it must not do
//! No allocation after SA setup, no panics on any input, no clock (time is an argument), no
//! algorithm code (the provider has it), no sideways dependency on `zubr-ah`.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![warn(
    clippy::std_instead_of_core,
    clippy::alloc_instead_of_core,
    clippy::std_instead_of_alloc
)]

extern crate alloc;

mod iv;
pub mod sa;
pub mod wire;

pub use iv::MAX_IV;
pub use sa::{ESP_NULL, EspConfig, EspInbound, EspOutbound, MAX_ICV, UdpEncap};
