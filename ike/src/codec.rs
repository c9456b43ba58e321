//! The ISAKMP wire format (RFC 2408 §3, RFC 2407 §4, RFC 3947, RFC 3706, and the Mode Config
//! attribute payload of draft-dukes-ike-mode-cfg): numbers, a bounds-checked [`Reader`], borrowed
//! payload views, and a [`PayloadWriter`] that chains payloads and fills in the length fields.
//!
//! Parsing never panics and never allocates more than a bounded number of small vectors
//! ([`MAX_PAYLOADS`], [`MAX_PROPOSALS`], [`MAX_TRANSFORMS`], [`MAX_ATTRIBUTES`]); every failure is a
//! [`CodecError`] naming the reason. Payload bodies are slices of the input. IANA numbers are open
//! newtypes: unknown values survive a decode/encode round trip.
//!
//! This module must not know about keys, encryption or state: the engine decrypts a body and hands
//! the plaintext back to [`parse_payloads`].

use alloc::vec::Vec;
use core::fmt;

/// Most payloads accepted in one message (a Quick Mode with PFS and IDs has 6, Main Mode 1 with
/// vendor IDs about 10).
pub const MAX_PAYLOADS: usize = 48;
/// Most proposals accepted in one SA payload.
pub const MAX_PROPOSALS: usize = 32;
/// Most transforms accepted in one proposal.
pub const MAX_TRANSFORMS: usize = 64;
/// Most attributes accepted in one transform or attribute payload.
pub const MAX_ATTRIBUTES: usize = 32;
/// Length of the ISAKMP header.
pub const HEADER_LEN: usize = 28;

/// Why bytes could not be decoded (or a message could not be encoded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CodecError {
    /// The input ended inside a field.
    Truncated,
    /// A length field is smaller than its header or points past the enclosing structure.
    BadLength,
    /// The ISAKMP version is not 1.0.
    BadVersion(u8),
    /// The header length differs from the datagram length.
    LengthMismatch,
    /// More payloads, proposals, transforms or attributes than the limits of this module.
    TooMany,
    /// A reserved field or a structural rule was violated (e.g. a non-proposal inside an SA).
    Malformed(&'static str),
    /// A payload body or message is too long for its 16/32-bit length field.
    TooLong,
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodecError::Truncated => f.write_str("message truncated"),
            CodecError::BadLength => f.write_str("invalid length field"),
            CodecError::BadVersion(v) => write!(f, "unsupported ISAKMP version {v:#04x}"),
            CodecError::LengthMismatch => f.write_str("header length does not match datagram"),
            CodecError::TooMany => f.write_str("too many payloads or substructures"),
            CodecError::Malformed(w) => write!(f, "malformed {w}"),
            CodecError::TooLong => f.write_str("payload too long"),
        }
    }
}

impl core::error::Error for CodecError {}

// ---------------------------------------------------------------------------------------------
// Numbers

macro_rules! open_enum {
    ($(#[$m:meta])* $name:ident($t:ty) { $($(#[$cm:meta])* $c:ident = $v:expr => $s:expr,)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub $t);
        impl $name {
            $($(#[$cm])* pub const $c: Self = Self($v);)*
            /// The registered name, if the value is known.
            pub fn name(self) -> Option<&'static str> {
                match self.0 { $($v => Some($s),)* _ => None }
            }
        }
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.name() {
                    Some(n) => f.write_str(n),
                    None => write!(f, "{}({})", stringify!($name), self.0),
                }
            }
        }
    };
}

open_enum! {
    /// ISAKMP exchange type (RFC 2408 §3.1, RFC 2409, mode-cfg draft).
    ExchangeType(u8) {
        /// Main Mode (identity protection).
        IDENTITY_PROTECTION = 2 => "ID_PROT",
        /// Aggressive Mode.
        AGGRESSIVE = 4 => "AGGRESSIVE",
        /// Informational.
        INFORMATIONAL = 5 => "INFORMATIONAL",
        /// Transaction (Mode Config, XAuth).
        TRANSACTION = 6 => "TRANSACTION",
        /// Quick Mode.
        QUICK = 32 => "QUICK_MODE",
    }
}

open_enum! {
    /// Payload type (RFC 2408 §3.1, RFC 3947, mode-cfg draft, the IKE fragmentation extension).
    PayloadType(u8) {
        /// No next payload.
        NONE = 0 => "NONE",
        /// Security Association.
        SA = 1 => "SA",
        /// Proposal (inside SA).
        PROPOSAL = 2 => "P",
        /// Transform (inside a proposal).
        TRANSFORM = 3 => "T",
        /// Key Exchange.
        KE = 4 => "KE",
        /// Identification.
        ID = 5 => "ID",
        /// Certificate.
        CERT = 6 => "CERT",
        /// Certificate Request.
        CERTREQ = 7 => "CERTREQ",
        /// Hash.
        HASH = 8 => "HASH",
        /// Signature.
        SIG = 9 => "SIG",
        /// Nonce.
        NONCE = 10 => "No",
        /// Notification.
        NOTIFY = 11 => "N",
        /// Delete.
        DELETE = 12 => "D",
        /// Vendor ID.
        VENDOR_ID = 13 => "V",
        /// Attribute (Mode Config / XAuth).
        ATTRIBUTE = 14 => "CP",
        /// NAT-D (RFC 3947).
        NAT_D = 20 => "NAT-D",
        /// NAT-OA (RFC 3947).
        NAT_OA = 21 => "NAT-OA",
        /// NAT-D (drafts).
        NAT_D_DRAFT = 130 => "NAT-D(draft)",
        /// NAT-OA (drafts).
        NAT_OA_DRAFT = 131 => "NAT-OA(draft)",
        /// IKE fragment (Cisco/strongSwan extension).
        FRAGMENT = 132 => "FRAG",
    }
}

open_enum! {
    /// Notify message type (RFC 2408 §3.14.1, RFC 2407 §4.6.3, RFC 3706).
    NotifyType(u16) {
        /// Invalid payload type.
        INVALID_PAYLOAD_TYPE = 1 => "INVALID-PAYLOAD-TYPE",
        /// DOI not supported.
        DOI_NOT_SUPPORTED = 2 => "DOI-NOT-SUPPORTED",
        /// Invalid cookie.
        INVALID_COOKIE = 4 => "INVALID-COOKIE",
        /// Invalid exchange type.
        INVALID_EXCHANGE_TYPE = 7 => "INVALID-EXCHANGE-TYPE",
        /// Invalid flags.
        INVALID_FLAGS = 8 => "INVALID-FLAGS",
        /// Invalid message ID.
        INVALID_MESSAGE_ID = 9 => "INVALID-MESSAGE-ID",
        /// Invalid SPI.
        INVALID_SPI = 11 => "INVALID-SPI",
        /// Invalid transform ID.
        INVALID_TRANSFORM_ID = 12 => "INVALID-TRANSFORM-ID",
        /// Attributes not supported.
        ATTRIBUTES_NOT_SUPPORTED = 13 => "ATTRIBUTES-NOT-SUPPORTED",
        /// No proposal chosen.
        NO_PROPOSAL_CHOSEN = 14 => "NO-PROPOSAL-CHOSEN",
        /// Payload malformed.
        PAYLOAD_MALFORMED = 16 => "PAYLOAD-MALFORMED",
        /// Invalid key information.
        INVALID_KEY_INFORMATION = 17 => "INVALID-KEY-INFORMATION",
        /// Invalid ID information.
        INVALID_ID_INFORMATION = 18 => "INVALID-ID-INFORMATION",
        /// Invalid hash information.
        INVALID_HASH_INFORMATION = 23 => "INVALID-HASH-INFORMATION",
        /// Authentication failed.
        AUTHENTICATION_FAILED = 24 => "AUTHENTICATION-FAILED",
        /// Invalid signature.
        INVALID_SIGNATURE = 25 => "INVALID-SIGNATURE",
        /// Responder lifetime (RFC 2407 §4.6.3.1).
        RESPONDER_LIFETIME = 24576 => "RESPONDER-LIFETIME",
        /// Replay status.
        REPLAY_STATUS = 24577 => "REPLAY-STATUS",
        /// Initial contact.
        INITIAL_CONTACT = 24578 => "INITIAL-CONTACT",
        /// DPD R-U-THERE (RFC 3706).
        R_U_THERE = 36136 => "R-U-THERE",
        /// DPD R-U-THERE-ACK (RFC 3706).
        R_U_THERE_ACK = 36137 => "R-U-THERE-ACK",
    }
}

impl NotifyType {
    /// Error notifications are 1..=16383 (RFC 2408 §3.14.1).
    pub fn is_error(self) -> bool {
        (1..16384).contains(&self.0)
    }
}

open_enum! {
    /// Identification type (RFC 2407 §4.6.2.1).
    IdType(u8) {
        /// A single IPv4 address.
        IPV4_ADDR = 1 => "IPV4_ADDR",
        /// A fully qualified domain name.
        FQDN = 2 => "FQDN",
        /// A user@domain name.
        USER_FQDN = 3 => "USER_FQDN",
        /// IPv4 address and mask.
        IPV4_ADDR_SUBNET = 4 => "IPV4_ADDR_SUBNET",
        /// A single IPv6 address.
        IPV6_ADDR = 5 => "IPV6_ADDR",
        /// IPv6 address and mask.
        IPV6_ADDR_SUBNET = 6 => "IPV6_ADDR_SUBNET",
        /// IPv4 first and last address.
        IPV4_ADDR_RANGE = 7 => "IPV4_ADDR_RANGE",
        /// IPv6 first and last address.
        IPV6_ADDR_RANGE = 8 => "IPV6_ADDR_RANGE",
        /// DER-encoded X.500 distinguished name.
        DER_ASN1_DN = 9 => "DER_ASN1_DN",
        /// DER-encoded X.500 general name.
        DER_ASN1_GN = 10 => "DER_ASN1_GN",
        /// Opaque key identifier.
        KEY_ID = 11 => "KEY_ID",
    }
}

open_enum! {
    /// Protocol identifier in proposals, notifications and deletes (RFC 2407 §4.4.1).
    ProtocolId(u8) {
        /// ISAKMP.
        ISAKMP = 1 => "ISAKMP",
        /// AH.
        AH = 2 => "AH",
        /// ESP.
        ESP = 3 => "ESP",
        /// IPComp.
        IPCOMP = 4 => "IPCOMP",
    }
}

/// The IPsec DOI (RFC 2407).
pub const DOI_IPSEC: u32 = 1;
/// SIT_IDENTITY_ONLY.
pub const SIT_IDENTITY_ONLY: u32 = 1;
/// Transform ID KEY_IKE in an ISAKMP proposal.
pub const KEY_IKE: u8 = 1;

/// Header flag: the body is encrypted.
pub const FLAG_ENCRYPTION: u8 = 0x01;
/// Header flag: commit.
pub const FLAG_COMMIT: u8 = 0x02;
/// Header flag: authentication only.
pub const FLAG_AUTH_ONLY: u8 = 0x04;

// ---------------------------------------------------------------------------------------------
// Reader

/// A cursor over untrusted bytes; every read is bounds-checked.
#[derive(Clone, Copy)]
pub struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Reads `buf` from the start.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf }
    }
    /// Bytes left.
    pub fn left(&self) -> usize {
        self.buf.len()
    }
    /// True when everything was read.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }
    /// The unread rest.
    pub fn rest(self) -> &'a [u8] {
        self.buf
    }
    /// Takes `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        if n > self.buf.len() {
            return Err(CodecError::Truncated);
        }
        let (a, b) = self.buf.split_at(n);
        self.buf = b;
        Ok(a)
    }
    /// Takes one byte.
    pub fn u8(&mut self) -> Result<u8, CodecError> {
        Ok(self.take(1)?[0])
    }
    /// Takes a big-endian u16.
    pub fn u16(&mut self) -> Result<u16, CodecError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    /// Takes a big-endian u32.
    pub fn u32(&mut self) -> Result<u32, CodecError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    /// Takes a fixed-size array.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], CodecError> {
        let b = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(b);
        Ok(a)
    }
}

// ---------------------------------------------------------------------------------------------
// Header and message

/// The ISAKMP header (RFC 2408 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Initiator cookie.
    pub icookie: [u8; 8],
    /// Responder cookie (zero in the first message).
    pub rcookie: [u8; 8],
    /// Type of the first payload.
    pub next_payload: PayloadType,
    /// Version byte (0x10 for ISAKMP 1.0).
    pub version: u8,
    /// Exchange type.
    pub exchange: ExchangeType,
    /// Flags (`FLAG_*`).
    pub flags: u8,
    /// Message ID (0 in phase 1).
    pub message_id: u32,
    /// Length of the whole message.
    pub length: u32,
}

impl Header {
    /// Parses the first [`HEADER_LEN`] bytes.
    pub fn parse(r: &mut Reader<'_>) -> Result<Header, CodecError> {
        let icookie = r.array()?;
        let rcookie = r.array()?;
        let next_payload = PayloadType(r.u8()?);
        let version = r.u8()?;
        let exchange = ExchangeType(r.u8()?);
        let flags = r.u8()?;
        let message_id = r.u32()?;
        let length = r.u32()?;
        Ok(Header {
            icookie,
            rcookie,
            next_payload,
            version,
            exchange,
            flags,
            message_id,
            length,
        })
    }

    /// Appends the header (with its length field as stored).
    pub fn emit(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.icookie);
        out.extend_from_slice(&self.rcookie);
        out.push(self.next_payload.0);
        out.push(self.version);
        out.push(self.exchange.0);
        out.push(self.flags);
        out.extend_from_slice(&self.message_id.to_be_bytes());
        out.extend_from_slice(&self.length.to_be_bytes());
    }

    /// True when the body is encrypted.
    pub fn encrypted(&self) -> bool {
        self.flags & FLAG_ENCRYPTION != 0
    }
}

/// A datagram split into header and (possibly encrypted) body.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    /// The header.
    pub header: Header,
    /// Everything after the header.
    pub body: &'a [u8],
}

impl<'a> Message<'a> {
    /// Checks the header: version 1.0 and the length field equal to the datagram length.
    pub fn parse(datagram: &'a [u8]) -> Result<Message<'a>, CodecError> {
        let mut r = Reader::new(datagram);
        let header = Header::parse(&mut r)?;
        if header.version >> 4 != 1 {
            return Err(CodecError::BadVersion(header.version));
        }
        if usize::try_from(header.length).ok() != Some(datagram.len()) {
            return Err(CodecError::LengthMismatch);
        }
        Ok(Message {
            header,
            body: r.rest(),
        })
    }
}

/// One payload of a chain: its type and its body (after the 4-byte generic header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawPayload<'a> {
    /// Payload type.
    pub ty: PayloadType,
    /// Body, without the generic header.
    pub body: &'a [u8],
    /// The whole payload including its generic header (Quick Mode hashes cover these bytes).
    pub whole: &'a [u8],
}

/// Splits a payload chain that starts with a payload of type `first`.
///
/// With `allow_trailing` (a decrypted body, which ends in padding), bytes after the last payload
/// are ignored; otherwise they are an error.
pub fn parse_payloads(
    first: PayloadType,
    body: &[u8],
    allow_trailing: bool,
) -> Result<Vec<RawPayload<'_>>, CodecError> {
    let mut out = Vec::new();
    let mut next = first;
    let mut r = Reader::new(body);
    while next != PayloadType::NONE {
        if out.len() >= MAX_PAYLOADS {
            return Err(CodecError::TooMany);
        }
        let start = r;
        let np = PayloadType(r.u8()?);
        let _reserved = r.u8()?;
        let len = usize::from(r.u16()?);
        if len < 4 {
            return Err(CodecError::BadLength);
        }
        let whole = start.clone_take(len)?;
        let payload_body = r.take(len - 4).map_err(|_| CodecError::BadLength)?;
        out.push(RawPayload {
            ty: next,
            body: payload_body,
            whole,
        });
        next = np;
    }
    if !allow_trailing && !r.is_empty() {
        return Err(CodecError::Malformed(
            "trailing bytes after the last payload",
        ));
    }
    Ok(out)
}

impl<'a> Reader<'a> {
    fn clone_take(mut self, n: usize) -> Result<&'a [u8], CodecError> {
        self.take(n).map_err(|_| CodecError::BadLength)
    }
}

// ---------------------------------------------------------------------------------------------
// Data attributes

/// A data attribute value (RFC 2408 §3.3): basic (TV, 16 bits) or variable (TLV).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrValue<'a> {
    /// AF bit set: a 16-bit value.
    Basic(u16),
    /// AF bit clear: a length-prefixed value.
    Var(&'a [u8]),
}

impl AttrValue<'_> {
    /// The value as an integer (basic, or a variable value of at most 8 bytes, big-endian).
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            AttrValue::Basic(v) => Some(u64::from(v)),
            AttrValue::Var(b) if b.len() <= 8 => {
                Some(b.iter().fold(0u64, |acc, x| (acc << 8) | u64::from(*x)))
            }
            AttrValue::Var(_) => None,
        }
    }
}

/// One data attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attribute<'a> {
    /// Attribute class / type (without the AF bit).
    pub class: u16,
    /// The value.
    pub value: AttrValue<'a>,
}

/// Parses a sequence of data attributes filling `buf` exactly.
pub fn parse_attributes(buf: &[u8]) -> Result<Vec<Attribute<'_>>, CodecError> {
    let mut r = Reader::new(buf);
    let mut out = Vec::new();
    while !r.is_empty() {
        if out.len() >= MAX_ATTRIBUTES {
            return Err(CodecError::TooMany);
        }
        let t = r.u16()?;
        let class = t & 0x7fff;
        let value = if t & 0x8000 != 0 {
            AttrValue::Basic(r.u16()?)
        } else {
            let len = usize::from(r.u16()?);
            AttrValue::Var(r.take(len)?)
        };
        out.push(Attribute { class, value });
    }
    Ok(out)
}

/// Appends a basic attribute.
pub fn emit_attr_basic(out: &mut Vec<u8>, class: u16, value: u16) {
    out.extend_from_slice(&(class | 0x8000).to_be_bytes());
    out.extend_from_slice(&value.to_be_bytes());
}

/// Appends a variable attribute.
pub fn emit_attr_var(out: &mut Vec<u8>, class: u16, value: &[u8]) -> Result<(), CodecError> {
    let len = u16::try_from(value.len()).map_err(|_| CodecError::TooLong)?;
    out.extend_from_slice(&(class & 0x7fff).to_be_bytes());
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(value);
    Ok(())
}

/// Appends a number as a basic attribute when it fits in 16 bits, else as a 4-byte variable one
/// (lifetimes, RFC 2407 §4.5).
pub fn emit_attr_u32(out: &mut Vec<u8>, class: u16, value: u32) {
    match u16::try_from(value) {
        Ok(v) => emit_attr_basic(out, class, v),
        Err(_) => {
            out.extend_from_slice(&(class & 0x7fff).to_be_bytes());
            out.extend_from_slice(&4u16.to_be_bytes());
            out.extend_from_slice(&value.to_be_bytes());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// SA payload

/// A transform substructure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transform<'a> {
    /// Transform number.
    pub number: u8,
    /// Transform ID (KEY_IKE, ESP transform ID, AH transform ID).
    pub id: u8,
    /// SA attributes.
    pub attributes: Vec<Attribute<'a>>,
    /// The whole substructure including its generic header (for echoing it back).
    pub whole: &'a [u8],
}

/// A proposal substructure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal<'a> {
    /// Proposal number (equal numbers form an AND bundle, e.g. AH+ESP).
    pub number: u8,
    /// Protocol.
    pub protocol: ProtocolId,
    /// SPI (empty or 16 bytes for ISAKMP, 4 bytes for ESP/AH).
    pub spi: &'a [u8],
    /// Transforms (alternatives).
    pub transforms: Vec<Transform<'a>>,
}

/// A Security Association payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaPayload<'a> {
    /// Domain of interpretation.
    pub doi: u32,
    /// Situation.
    pub situation: u32,
    /// Proposals in order.
    pub proposals: Vec<Proposal<'a>>,
}

impl<'a> SaPayload<'a> {
    /// Parses an SA payload body (IPsec DOI: 4-byte situation).
    pub fn parse(body: &'a [u8]) -> Result<SaPayload<'a>, CodecError> {
        let mut r = Reader::new(body);
        let doi = r.u32()?;
        let situation = r.u32()?;
        let mut proposals = Vec::new();
        let mut next = PayloadType::PROPOSAL;
        while next != PayloadType::NONE {
            if next != PayloadType::PROPOSAL {
                return Err(CodecError::Malformed("SA payload: not a proposal"));
            }
            if proposals.len() >= MAX_PROPOSALS {
                return Err(CodecError::TooMany);
            }
            next = PayloadType(r.u8()?);
            let _ = r.u8()?;
            let len = usize::from(r.u16()?);
            if len < 8 {
                return Err(CodecError::BadLength);
            }
            let mut p = Reader::new(r.take(len - 4).map_err(|_| CodecError::BadLength)?);
            let number = p.u8()?;
            let protocol = ProtocolId(p.u8()?);
            let spi_size = usize::from(p.u8()?);
            let n_transforms = p.u8()?;
            let spi = p.take(spi_size)?;
            let transforms = parse_transforms(p.rest())?;
            if transforms.len() != usize::from(n_transforms) {
                return Err(CodecError::Malformed("proposal: transform count"));
            }
            proposals.push(Proposal {
                number,
                protocol,
                spi,
                transforms,
            });
        }
        if !r.is_empty() {
            return Err(CodecError::Malformed("SA payload: trailing bytes"));
        }
        Ok(SaPayload {
            doi,
            situation,
            proposals,
        })
    }
}

fn parse_transforms(buf: &[u8]) -> Result<Vec<Transform<'_>>, CodecError> {
    let mut r = Reader::new(buf);
    let mut out = Vec::new();
    let mut next = if r.is_empty() {
        PayloadType::NONE
    } else {
        PayloadType::TRANSFORM
    };
    while next != PayloadType::NONE {
        if next != PayloadType::TRANSFORM {
            return Err(CodecError::Malformed("proposal: not a transform"));
        }
        if out.len() >= MAX_TRANSFORMS {
            return Err(CodecError::TooMany);
        }
        let start = r;
        next = PayloadType(r.u8()?);
        let _ = r.u8()?;
        let len = usize::from(r.u16()?);
        if len < 8 {
            return Err(CodecError::BadLength);
        }
        let whole = start.clone_take(len)?;
        let mut t = Reader::new(r.take(len - 4).map_err(|_| CodecError::BadLength)?);
        let number = t.u8()?;
        let id = t.u8()?;
        let _reserved = t.u16()?;
        let attributes = parse_attributes(t.rest())?;
        out.push(Transform {
            number,
            id,
            attributes,
            whole,
        });
    }
    if !r.is_empty() {
        return Err(CodecError::Malformed("proposal: trailing bytes"));
    }
    Ok(out)
}

/// Builds an SA payload body: DOI IPsec, SIT_IDENTITY_ONLY, then proposals.
pub struct SaBuilder {
    body: Vec<u8>,
    last_proposal: Option<usize>,
}

impl Default for SaBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl SaBuilder {
    /// Starts an SA payload body.
    pub fn new() -> Self {
        let mut body = Vec::with_capacity(64);
        body.extend_from_slice(&DOI_IPSEC.to_be_bytes());
        body.extend_from_slice(&SIT_IDENTITY_ONLY.to_be_bytes());
        SaBuilder {
            body,
            last_proposal: None,
        }
    }

    /// Adds a proposal whose transforms are given as encoded transform bodies
    /// (`(id, attributes)`), numbered from 1; or `raw` whole transforms to echo.
    pub fn proposal(
        &mut self,
        number: u8,
        protocol: ProtocolId,
        spi: &[u8],
        transforms: &[(u8, &[u8])],
    ) -> Result<(), CodecError> {
        let mut raw = Vec::new();
        for (i, (id, attrs)) in transforms.iter().enumerate() {
            let len = u16::try_from(8 + attrs.len()).map_err(|_| CodecError::TooLong)?;
            let last = i + 1 == transforms.len();
            raw.push(if last { 0 } else { PayloadType::TRANSFORM.0 });
            raw.push(0);
            raw.extend_from_slice(&len.to_be_bytes());
            raw.push(u8::try_from(i + 1).map_err(|_| CodecError::TooMany)?);
            raw.push(*id);
            raw.extend_from_slice(&[0, 0]);
            raw.extend_from_slice(attrs);
        }
        let n = u8::try_from(transforms.len()).map_err(|_| CodecError::TooMany)?;
        self.proposal_raw(number, protocol, spi, n, &raw)
    }

    /// Adds a proposal carrying `n` already encoded transform substructures (`raw`); the
    /// last one's next-payload byte must be 0.
    pub fn proposal_raw(
        &mut self,
        number: u8,
        protocol: ProtocolId,
        spi: &[u8],
        n: u8,
        raw: &[u8],
    ) -> Result<(), CodecError> {
        if let Some(at) = self.last_proposal {
            self.body[at] = PayloadType::PROPOSAL.0;
        }
        let len = u16::try_from(8 + spi.len() + raw.len()).map_err(|_| CodecError::TooLong)?;
        self.last_proposal = Some(self.body.len());
        self.body.push(0);
        self.body.push(0);
        self.body.extend_from_slice(&len.to_be_bytes());
        self.body.push(number);
        self.body.push(protocol.0);
        self.body
            .push(u8::try_from(spi.len()).map_err(|_| CodecError::TooLong)?);
        self.body.push(n);
        self.body.extend_from_slice(spi);
        self.body.extend_from_slice(raw);
        Ok(())
    }

    /// The SA payload body.
    pub fn finish(self) -> Vec<u8> {
        self.body
    }
}

/// Re-encodes one received transform as the only transform of a reply (number kept, next
/// payload 0).
pub fn echo_transform(t: &Transform<'_>) -> Vec<u8> {
    let mut v = t.whole.to_vec();
    if let Some(b) = v.first_mut() {
        *b = 0;
    }
    v
}

// ---------------------------------------------------------------------------------------------
// Other payloads

/// An Identification payload body (RFC 2407 §4.6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdPayload<'a> {
    /// ID type.
    pub id_type: IdType,
    /// IP protocol (Quick Mode selectors; 0 or 17 in phase 1).
    pub protocol: u8,
    /// Port.
    pub port: u16,
    /// Identification data.
    pub data: &'a [u8],
}

impl<'a> IdPayload<'a> {
    /// Parses an ID payload body.
    pub fn parse(body: &'a [u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new(body);
        Ok(IdPayload {
            id_type: IdType(r.u8()?),
            protocol: r.u8()?,
            port: r.u16()?,
            data: r.rest(),
        })
    }
    /// Encodes the body.
    pub fn emit(&self, out: &mut Vec<u8>) {
        out.push(self.id_type.0);
        out.push(self.protocol);
        out.extend_from_slice(&self.port.to_be_bytes());
        out.extend_from_slice(self.data);
    }
}

/// A Notification payload body (RFC 2408 §3.14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotifyPayload<'a> {
    /// DOI.
    pub doi: u32,
    /// Protocol.
    pub protocol: ProtocolId,
    /// Notify type.
    pub ty: NotifyType,
    /// SPI.
    pub spi: &'a [u8],
    /// Notification data.
    pub data: &'a [u8],
}

impl<'a> NotifyPayload<'a> {
    /// Parses a Notification body.
    pub fn parse(body: &'a [u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new(body);
        let doi = r.u32()?;
        let protocol = ProtocolId(r.u8()?);
        let spi_size = usize::from(r.u8()?);
        let ty = NotifyType(r.u16()?);
        let spi = r.take(spi_size)?;
        Ok(NotifyPayload {
            doi,
            protocol,
            ty,
            spi,
            data: r.rest(),
        })
    }
    /// Encodes the body.
    pub fn emit(&self, out: &mut Vec<u8>) -> Result<(), CodecError> {
        out.extend_from_slice(&self.doi.to_be_bytes());
        out.push(self.protocol.0);
        out.push(u8::try_from(self.spi.len()).map_err(|_| CodecError::TooLong)?);
        out.extend_from_slice(&self.ty.0.to_be_bytes());
        out.extend_from_slice(self.spi);
        out.extend_from_slice(self.data);
        Ok(())
    }
}

/// A Delete payload body (RFC 2408 §3.15).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletePayload<'a> {
    /// DOI.
    pub doi: u32,
    /// Protocol of the SAs.
    pub protocol: ProtocolId,
    /// SPIs (each `spi_size` bytes).
    pub spis: Vec<&'a [u8]>,
}

impl<'a> DeletePayload<'a> {
    /// Most SPIs accepted in one Delete payload.
    pub const MAX_SPIS: usize = 64;

    /// Parses a Delete body.
    pub fn parse(body: &'a [u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new(body);
        let doi = r.u32()?;
        let protocol = ProtocolId(r.u8()?);
        let spi_size = usize::from(r.u8()?);
        let n = usize::from(r.u16()?);
        if n > Self::MAX_SPIS {
            return Err(CodecError::TooMany);
        }
        if spi_size == 0 && n > 0 {
            return Err(CodecError::Malformed("delete: zero SPI size"));
        }
        let mut spis = Vec::with_capacity(n);
        for _ in 0..n {
            spis.push(r.take(spi_size)?);
        }
        if !r.is_empty() {
            return Err(CodecError::Malformed("delete: trailing bytes"));
        }
        Ok(DeletePayload {
            doi,
            protocol,
            spis,
        })
    }
    /// Encodes the body (all SPIs must have the same length).
    pub fn emit(&self, out: &mut Vec<u8>) -> Result<(), CodecError> {
        let size = self.spis.first().map_or(0, |s| s.len());
        if self.spis.iter().any(|s| s.len() != size) {
            return Err(CodecError::Malformed("delete: SPI sizes differ"));
        }
        out.extend_from_slice(&self.doi.to_be_bytes());
        out.push(self.protocol.0);
        out.push(u8::try_from(size).map_err(|_| CodecError::TooLong)?);
        out.extend_from_slice(
            &u16::try_from(self.spis.len())
                .map_err(|_| CodecError::TooMany)?
                .to_be_bytes(),
        );
        for s in &self.spis {
            out.extend_from_slice(s);
        }
        Ok(())
    }
}

/// An Attribute payload body (Mode Config / XAuth, draft-dukes-ike-mode-cfg §3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributePayload<'a> {
    /// CFG type: 1 REQUEST, 2 REPLY, 3 SET, 4 ACK.
    pub cfg_type: u8,
    /// Identifier.
    pub identifier: u16,
    /// Attributes.
    pub attributes: Vec<Attribute<'a>>,
}

/// Mode Config / XAuth numbers (draft-dukes-ike-mode-cfg §3.2–3.3, draft-beaulieu-ike-xauth §6,
/// and the Cisco Unity attributes strongSwan sends).
pub mod cfg {
    /// CFG_REQUEST.
    pub const REQUEST: u8 = 1;
    /// CFG_REPLY.
    pub const REPLY: u8 = 2;
    /// CFG_SET.
    pub const SET: u8 = 3;
    /// CFG_ACK.
    pub const ACK: u8 = 4;

    /// INTERNAL_IP4_ADDRESS.
    pub const INTERNAL_IP4_ADDRESS: u16 = 1;
    /// INTERNAL_IP4_NETMASK.
    pub const INTERNAL_IP4_NETMASK: u16 = 2;
    /// INTERNAL_IP4_DNS.
    pub const INTERNAL_IP4_DNS: u16 = 3;
    /// INTERNAL_IP4_NBNS.
    pub const INTERNAL_IP4_NBNS: u16 = 4;
    /// INTERNAL_ADDRESS_EXPIRY.
    pub const INTERNAL_ADDRESS_EXPIRY: u16 = 5;
    /// APPLICATION_VERSION.
    pub const APPLICATION_VERSION: u16 = 7;
    /// INTERNAL_IP4_SUBNET (address and mask).
    pub const INTERNAL_IP4_SUBNET: u16 = 13;
    /// SUPPORTED_ATTRIBUTES.
    pub const SUPPORTED_ATTRIBUTES: u16 = 14;
    /// UNITY_BANNER.
    pub const UNITY_BANNER: u16 = 28672;
    /// UNITY_DEF_DOMAIN.
    pub const UNITY_DEF_DOMAIN: u16 = 28674;
    /// UNITY_SPLIT_INCLUDE: 14-byte entries (address, mask, 6 bytes of zeros).
    pub const UNITY_SPLIT_INCLUDE: u16 = 28676;

    /// XAUTH-TYPE (basic; 0 = generic).
    pub const XAUTH_TYPE: u16 = 16520;
    /// XAUTH-USER-NAME.
    pub const XAUTH_USER_NAME: u16 = 16521;
    /// XAUTH-USER-PASSWORD.
    pub const XAUTH_USER_PASSWORD: u16 = 16522;
    /// XAUTH-PASSCODE.
    pub const XAUTH_PASSCODE: u16 = 16523;
    /// XAUTH-MESSAGE.
    pub const XAUTH_MESSAGE: u16 = 16524;
    /// XAUTH-STATUS (basic; 1 = OK, 0 = FAIL).
    pub const XAUTH_STATUS: u16 = 16527;
}

impl<'a> AttributePayload<'a> {
    /// Encodes the body.
    pub fn emit(&self, out: &mut Vec<u8>) -> Result<(), CodecError> {
        out.push(self.cfg_type);
        out.push(0);
        out.extend_from_slice(&self.identifier.to_be_bytes());
        for a in &self.attributes {
            match a.value {
                AttrValue::Basic(v) => emit_attr_basic(out, a.class, v),
                AttrValue::Var(v) => emit_attr_var(out, a.class, v)?,
            }
        }
        Ok(())
    }

    /// The first attribute of `class`.
    pub fn get(&self, class: u16) -> Option<&Attribute<'a>> {
        self.attributes.iter().find(|a| a.class == class)
    }

    /// Parses an Attribute payload body.
    pub fn parse(body: &'a [u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new(body);
        let cfg_type = r.u8()?;
        let _ = r.u8()?;
        let identifier = r.u16()?;
        Ok(AttributePayload {
            cfg_type,
            identifier,
            attributes: parse_attributes(r.rest())?,
        })
    }
}

/// An IKE fragment payload body (the Cisco/strongSwan IKEv1 fragmentation extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FragmentPayload<'a> {
    /// Fragment ID (same for all fragments of a message).
    pub id: u16,
    /// Fragment number, from 1.
    pub number: u8,
    /// Flags (1 = last fragment).
    pub flags: u8,
    /// Fragment data.
    pub data: &'a [u8],
}

impl<'a> FragmentPayload<'a> {
    /// Flag of the last fragment.
    pub const LAST: u8 = 1;

    /// Encodes the body.
    pub fn emit(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.id.to_be_bytes());
        out.push(self.number);
        out.push(self.flags);
        out.extend_from_slice(self.data);
    }

    /// Parses a fragment payload body.
    pub fn parse(body: &'a [u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new(body);
        Ok(FragmentPayload {
            id: r.u16()?,
            number: r.u8()?,
            flags: r.u8()?,
            data: r.rest(),
        })
    }
}

/// Certificate encoding X.509 Certificate – Signature (RFC 2408 §3.9), the only one used.
pub const CERT_X509_SIGNATURE: u8 = 4;

/// A Certificate or Certificate Request payload body (RFC 2408 §3.9, §3.10): an encoding byte,
/// then the certificate (CERT) or a certificate authority's DER `Name` (CERTREQ; may be empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CertPayload<'a> {
    /// Certificate encoding.
    pub encoding: u8,
    /// Certificate data / authority.
    pub data: &'a [u8],
}

impl<'a> CertPayload<'a> {
    /// Parses a CERT or CERTREQ body.
    pub fn parse(body: &'a [u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new(body);
        Ok(CertPayload {
            encoding: r.u8()?,
            data: r.rest(),
        })
    }
    /// Encodes the body.
    pub fn emit(&self, out: &mut Vec<u8>) {
        out.push(self.encoding);
        out.extend_from_slice(self.data);
    }
}

// ---------------------------------------------------------------------------------------------
// Writer

/// Builds a payload chain; each payload's next-payload byte is patched when the next one is
/// added. The first payload's type goes into the ISAKMP header.
#[derive(Default)]
pub struct PayloadWriter {
    buf: Vec<u8>,
    first: Option<PayloadType>,
    last_at: Option<usize>,
}

impl PayloadWriter {
    /// An empty chain.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a payload with body `body`.
    pub fn push(&mut self, ty: PayloadType, body: &[u8]) -> Result<(), CodecError> {
        let len = u16::try_from(body.len() + 4).map_err(|_| CodecError::TooLong)?;
        match self.last_at {
            Some(at) => self.buf[at] = ty.0,
            None => self.first = Some(ty),
        }
        self.last_at = Some(self.buf.len());
        self.buf.push(0);
        self.buf.push(0);
        self.buf.extend_from_slice(&len.to_be_bytes());
        self.buf.extend_from_slice(body);
        Ok(())
    }

    /// Type of the first payload (NONE when empty).
    pub fn first(&self) -> PayloadType {
        self.first.unwrap_or(PayloadType::NONE)
    }

    /// The encoded chain so far.
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// The encoded chain.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

/// Assembles header and (already encrypted, if so flagged) body into a datagram.
pub fn assemble(mut header: Header, body: &[u8]) -> Result<Vec<u8>, CodecError> {
    let len = u32::try_from(HEADER_LEN + body.len()).map_err(|_| CodecError::TooLong)?;
    header.length = len;
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    header.emit(&mut out);
    out.extend_from_slice(body);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // MM1 as strongSwan 5.9.8 sent it in the interop lab (see tests/vectors/).
    fn mm1() -> Vec<u8> {
        let v = include_str!("../tests/vectors/strongswan-main-aes128-sha1-modp1024.txt");
        let line = v.lines().find(|l| l.starts_with("msg1=")).unwrap();
        hex::decode(&line[5..]).unwrap()
    }

    #[test]
    fn parses_strongswan_main_mode_1() {
        let d = mm1();
        let m = Message::parse(&d).unwrap();
        assert_eq!(m.header.exchange, ExchangeType::IDENTITY_PROTECTION);
        assert_eq!(m.header.next_payload, PayloadType::SA);
        let ps = parse_payloads(m.header.next_payload, m.body, false).unwrap();
        let types: Vec<_> = ps.iter().map(|p| p.ty).collect();
        assert_eq!(
            types,
            [
                PayloadType::SA,
                PayloadType::VENDOR_ID,
                PayloadType::VENDOR_ID,
                PayloadType::VENDOR_ID,
                PayloadType::VENDOR_ID,
                PayloadType::VENDOR_ID
            ]
        );
        let sa = SaPayload::parse(ps[0].body).unwrap();
        assert_eq!(sa.doi, DOI_IPSEC);
        assert_eq!(sa.proposals.len(), 1);
        let t = &sa.proposals[0].transforms[0];
        assert_eq!(t.id, KEY_IKE);
        let get = |c| {
            t.attributes
                .iter()
                .find(|a| a.class == c)
                .and_then(|a| a.value.as_u64())
        };
        assert_eq!(get(1), Some(7)); // AES
        assert_eq!(get(14), Some(128));
        assert_eq!(get(2), Some(2)); // SHA
        assert_eq!(get(4), Some(2)); // MODP-1024
        assert_eq!(get(3), Some(1)); // PSK
        assert_eq!(get(12), Some(15840));
    }

    #[test]
    fn writer_round_trip() {
        let mut w = PayloadWriter::new();
        w.push(PayloadType::NONCE, &[1, 2, 3]).unwrap();
        w.push(PayloadType::VENDOR_ID, &[9; 16]).unwrap();
        let first = w.first();
        let body = w.into_bytes();
        let ps = parse_payloads(first, &body, false).unwrap();
        assert_eq!(ps.len(), 2);
        assert_eq!(ps[0].body, &[1, 2, 3]);
        assert_eq!(ps[1].ty, PayloadType::VENDOR_ID);
        assert_eq!(ps[1].whole.len(), 20);
    }

    #[test]
    fn sa_builder_round_trip() {
        let mut attrs = Vec::new();
        emit_attr_basic(&mut attrs, 1, 7);
        emit_attr_u32(&mut attrs, 12, 86400);
        let mut b = SaBuilder::new();
        b.proposal(1, ProtocolId::ESP, &[1, 2, 3, 4], &[(12, &attrs), (3, &[])])
            .unwrap();
        let body = b.finish();
        let sa = SaPayload::parse(&body).unwrap();
        assert_eq!(sa.proposals[0].spi, &[1, 2, 3, 4]);
        assert_eq!(sa.proposals[0].transforms.len(), 2);
        assert_eq!(
            sa.proposals[0].transforms[0].attributes[1].value.as_u64(),
            Some(86400)
        );
    }

    #[test]
    fn rejects_bad_lengths() {
        let mut d = mm1();
        d.truncate(100);
        assert_eq!(Message::parse(&d).unwrap_err(), CodecError::LengthMismatch);
        // payload length pointing past the end
        let body = [0u8, 0, 0x00, 0x40, 1, 2];
        assert!(parse_payloads(PayloadType::NONCE, &body, false).is_err());
        // length smaller than the generic header
        let body = [0u8, 0, 0x00, 0x02];
        assert_eq!(
            parse_payloads(PayloadType::NONCE, &body, false).unwrap_err(),
            CodecError::BadLength
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
            if let Ok(m) = Message::parse(&data)
                && let Ok(ps) = parse_payloads(m.header.next_payload, m.body, true) {
                    for p in ps {
                        let _ = SaPayload::parse(p.body);
                        let _ = NotifyPayload::parse(p.body);
                        let _ = DeletePayload::parse(p.body);
                        let _ = AttributePayload::parse(p.body);
                        let _ = FragmentPayload::parse(p.body);
                        let _ = CertPayload::parse(p.body);
                    }
                }
            let _ = SaPayload::parse(&data);
            let _ = parse_attributes(&data);
        }
    }
}
