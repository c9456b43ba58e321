//! Errors: why an exchange failed ([`IkeError`], reported in events and kept in the SA listing)
//! and why a datagram was ignored ([`Ignored`], returned by `handle_datagram`).
//!
//! Reasons stay local: what is sent to the peer is decided by [`IkeError::notify`], which never
//! reveals which authentication check failed.

use core::fmt;

use crate::codec::{CodecError, NotifyType};

/// Why an IKE exchange failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IkeError {
    /// A message could not be decoded.
    Codec(CodecError),
    /// No proposal of the peer was acceptable (or the peer's choice was not one we offered).
    NoProposalChosen,
    /// HASH_I/HASH_R (or a signature) did not verify: wrong key or tampering.
    AuthenticationFailed,
    /// The peer's identity does not match the rule's remote ID.
    InvalidIdentity,
    /// Quick Mode selectors match no rule.
    InvalidSelectors,
    /// A Quick Mode or Informational hash did not verify.
    InvalidHash,
    /// An encrypted body could not be decrypted.
    DecryptionFailed,
    /// A required payload is missing.
    MissingPayload(&'static str),
    /// The peer's public DH value was rejected.
    InvalidKeyExchange,
    /// A cryptographic operation failed.
    Crypto(zubr_crypto_stb::Error),
    /// No answer after the configured retransmissions.
    Timeout,
    /// The exchange did not finish within `SessionTimeMax`.
    SessionTimeout,
    /// The peer sent an error notification.
    PeerNotify(NotifyType),
    /// No IKE rule serves the peer, or no IPsec rule matches the request.
    NoRule,
    /// A resource limit was reached.
    LimitReached,
    /// The peer stopped answering dead-peer-detection probes.
    PeerDead,
    /// The SA was deleted (by management or by the peer) while the exchange ran.
    Deleted,
    /// The peer's certificate was refused by the host's validator.
    Certificate(crate::config::CertError),
    /// XAuth failed: the gateway refused our credentials, or (gateway) the client's.
    XauthFailed,
    /// Gateway: the Mode Config address pool has no free tranche.
    PoolExhausted,
    /// Client: the gateway's Mode Config answer carried no address.
    NoAddressAssigned,
}

impl IkeError {
    /// The notification to send to the peer for this failure, if any.
    pub fn notify(&self) -> Option<NotifyType> {
        match self {
            IkeError::NoProposalChosen => Some(NotifyType::NO_PROPOSAL_CHOSEN),
            IkeError::InvalidSelectors | IkeError::InvalidIdentity => {
                Some(NotifyType::INVALID_ID_INFORMATION)
            }
            IkeError::Codec(_) | IkeError::MissingPayload(_) => Some(NotifyType::PAYLOAD_MALFORMED),
            IkeError::InvalidHash => Some(NotifyType::INVALID_HASH_INFORMATION),
            IkeError::InvalidKeyExchange => Some(NotifyType::INVALID_KEY_INFORMATION),
            _ => None,
        }
    }
}

impl fmt::Display for IkeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IkeError::Codec(e) => write!(f, "malformed message: {e}"),
            IkeError::NoProposalChosen => f.write_str("no proposal chosen"),
            IkeError::AuthenticationFailed => f.write_str("authentication failed"),
            IkeError::InvalidIdentity => f.write_str("peer identity does not match"),
            IkeError::InvalidSelectors => f.write_str("traffic selectors match no rule"),
            IkeError::InvalidHash => f.write_str("message hash does not verify"),
            IkeError::DecryptionFailed => f.write_str("decryption failed"),
            IkeError::MissingPayload(p) => write!(f, "missing {p} payload"),
            IkeError::InvalidKeyExchange => f.write_str("invalid key exchange value"),
            IkeError::Crypto(e) => write!(f, "crypto: {e}"),
            IkeError::Timeout => f.write_str("peer does not answer (retransmissions exhausted)"),
            IkeError::SessionTimeout => f.write_str("exchange exceeded SessionTimeMax"),
            IkeError::PeerNotify(n) => write!(f, "peer sent {n:?}"),
            IkeError::NoRule => f.write_str("no matching rule"),
            IkeError::LimitReached => f.write_str("resource limit reached"),
            IkeError::PeerDead => f.write_str("dead peer detected"),
            IkeError::Deleted => f.write_str("SA deleted"),
            IkeError::Certificate(e) => write!(f, "peer certificate refused: {e}"),
            IkeError::XauthFailed => f.write_str("XAuth authentication failed"),
            IkeError::PoolExhausted => f.write_str("Mode Config address pool exhausted"),
            IkeError::NoAddressAssigned => f.write_str("Mode Config assigned no address"),
        }
    }
}

impl core::error::Error for IkeError {}

impl From<CodecError> for IkeError {
    fn from(e: CodecError) -> Self {
        IkeError::Codec(e)
    }
}

impl From<zubr_crypto_stb::Error> for IkeError {
    fn from(e: zubr_crypto_stb::Error) -> Self {
        IkeError::Crypto(e)
    }
}

/// Why `handle_datagram` did nothing with a datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ignored {
    /// On the NAT-T port without the non-ESP marker: ESP-in-UDP for the data plane.
    Esp,
    /// A NAT-T keep-alive (0xFF).
    Keepalive,
    /// Could not be decoded.
    Malformed(CodecError),
    /// Belongs to no SA we know (and is not a first message).
    UnknownSa,
    /// A repeated message; our last answer (if any) was sent again.
    Duplicate,
    /// Not expected in the SA's current state.
    Unexpected(&'static str),
    /// A new exchange was refused by a resource limit.
    LimitReached,
    /// No rule serves the peer, or nothing acceptable was proposed (a notification may have been
    /// sent).
    Rejected(IkeError),
    /// Decryption or hash check failed.
    NotAuthentic,
}

impl fmt::Display for Ignored {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ignored::Esp => f.write_str("ESP-in-UDP"),
            Ignored::Keepalive => f.write_str("NAT-T keep-alive"),
            Ignored::Malformed(e) => write!(f, "malformed: {e}"),
            Ignored::UnknownSa => f.write_str("unknown SA"),
            Ignored::Duplicate => f.write_str("duplicate"),
            Ignored::Unexpected(w) => write!(f, "unexpected: {w}"),
            Ignored::LimitReached => f.write_str("limit reached"),
            Ignored::Rejected(e) => write!(f, "rejected: {e}"),
            Ignored::NotAuthentic => f.write_str("not authentic"),
        }
    }
}

impl From<CodecError> for Ignored {
    fn from(e: CodecError) -> Self {
        Ignored::Malformed(e)
    }
}
