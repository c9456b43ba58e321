//! The engine's typed configuration: what an LSP policy compiles to (lsp.md §5.1–5.4, §7.5–7.6).
//!
//! | LSP | here |
//! |---|---|
//! | `IKEParameters` (`SendRetries`, `RetryTimeBase`, `RetryTimeMax`, `SessionTimeMax`, `DefaultPort`, `NATTPort`, `NATKeepAliveInterval`, `InitiatorSessionsMax`, `ResponderSessionsMax`) | [`IkeParameters`], [`Limits`] |
//! | `IKERule` (`PeerAddress`, `MainModeAuthMethod`, `AggrModeAuthMethod`, `Transform`, `NATTraversal`, `DPD*`) | [`IkeRule`] |
//! | `IKETransform` (`CipherAlg` × `HashAlg` × `GroupID`, `LifetimeSeconds`, `LifetimeKilobytes`) | [`IkeTransform`] (one per combination) |
//! | `AuthMethodPreshared` (`SharedIKESecret`, `LocalID`, `RemoteID`) | [`AuthMethod::PreShared`], [`IkeRule::local_id`], [`IkeRule::remote_id`] |
//! | `IdentityEntry` | [`Identity`] |
//! | `FilteringRule` + `IPsecAction` (`ContainedProposals`, `TunnelingParameters`, `PFSGroup`, `IKERule`) | [`IpsecRule`] |
//! | `ESPTransform` (`CipherAlg`, `IntegrityAlg`, lifetimes) | [`EspTransform`] |
//!
//! Algorithms are provider descriptors (`&'static IkeCipher`, …), so a configuration can only name
//! what the provider implements. This module holds data and small matching helpers; it must not
//! hold protocol state.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::net::Ipv4Addr;
use core::time::Duration;

use zeroize::Zeroizing;
use zubr_crypto_stb::CryptoProvider;
use zubr_crypto_stb::provider::{EspCipher, Group, IkeCipher, IkeHash, Integrity, SigningKey};

pub use zubr_base::UnixTime;

use crate::codec::IdType;

/// `IKEParameters`: ports and timers.
#[derive(Debug, Clone)]
pub struct IkeParameters {
    /// `DefaultPort`: UDP port of IKE (500).
    pub ike_port: u16,
    /// `NATTPort`: UDP port after NAT-T floating (4500).
    pub natt_port: u16,
    /// `SendRetries`: retransmissions of an unanswered message (5).
    pub send_retries: u32,
    /// `RetryTimeBase`: first retransmission timeout, doubled on each retry (1 s).
    pub retry_time_base: Duration,
    /// `RetryTimeMax`: cap of the retransmission timeout (30 s).
    pub retry_time_max: Duration,
    /// `SessionTimeMax`: an exchange not finished within this time is abandoned (60 s).
    pub session_time_max: Duration,
    /// `NATKeepAliveInterval`: keep-alive period while this host is behind a NAT (20 s; zero = off).
    pub nat_keepalive: Duration,
    /// How long an ISAKMP SA cleared by management stays listed as `deleted` (and is kept for
    /// reuse) before it is forgotten.
    pub deleted_linger: Duration,
    /// Fraction (per mille) of an IPsec SA's lifetime after which the initiator rekeys (900 ‰).
    pub rekey_permille: u32,
    /// `FragmentSize`: largest IP packet carrying an IKE fragment (576). `0` disables IKE
    /// fragmentation: the FRAGMENTATION vendor ID is not sent, nothing is fragmented and received
    /// fragments are dropped. Raised as needed so that a message fits into 255 fragments.
    pub fragment_size: u16,
}

impl Default for IkeParameters {
    fn default() -> Self {
        IkeParameters {
            ike_port: 500,
            natt_port: 4500,
            send_retries: 5,
            retry_time_base: Duration::from_secs(1),
            retry_time_max: Duration::from_secs(30),
            session_time_max: Duration::from_secs(60),
            nat_keepalive: Duration::from_secs(20),
            deleted_linger: Duration::from_secs(60),
            rekey_permille: 900,
            fragment_size: 576,
        }
    }
}

/// Resource bounds (`InitiatorSessionsMax`, `ResponderSessionsMax`, and the half-open caps).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Concurrent exchanges (phase 1 and Quick Mode) we initiate.
    pub initiator_sessions_max: usize,
    /// Concurrent exchanges we answer.
    pub responder_sessions_max: usize,
    /// Half-open (incomplete, responder side) ISAKMP SAs per peer address.
    pub half_open_per_peer: usize,
    /// Half-open ISAKMP SAs in total.
    pub half_open_total: usize,
    /// Established ISAKMP SAs in total.
    pub isakmp_sas_max: usize,
    /// IPsec SA pairs in total.
    pub ipsec_sas_max: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            initiator_sessions_max: 30,
            responder_sessions_max: 20,
            half_open_per_peer: 4,
            half_open_total: 20,
            isakmp_sas_max: 1024,
            ipsec_sas_max: 4096,
        }
    }
}

/// A pre-shared key (zeroized on drop, never printed).
#[derive(Clone)]
pub struct PresharedKey(pub Zeroizing<Vec<u8>>);

impl PresharedKey {
    /// From key bytes.
    pub fn new(key: &[u8]) -> Self {
        PresharedKey(Zeroizing::new(key.to_vec()))
    }
}

impl core::fmt::Debug for PresharedKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("PresharedKey(..)")
    }
}

/// How a phase-1 SA is authenticated (`MainModeAuthMethod` / `AggrModeAuthMethod` elements).
///
/// The engine dispatches on this enum for SKEYID, the authentication payloads and their
/// verification.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AuthMethod {
    /// Pre-shared key (Authentication Method 1; 65001/65002 with XAuth).
    PreShared(PresharedKey),
    /// Signatures with certificates (`AuthMethodDSSign`): RSA 3, ECDSA 9/10, bign and GOST R
    /// 34.10 with Zubr's private numbers (see [`SignatureAuth`]).
    Signature(SignatureAuth),
}

impl AuthMethod {
    /// Authentication Method attribute value (class 3) without XAuth.
    pub fn wire(&self) -> u16 {
        match self {
            AuthMethod::PreShared(_) => 1,
            AuthMethod::Signature(s) => s.method,
        }
    }
    /// The value with XAuth (draft-beaulieu-ike-xauth §5): the `XAUTHInit*` numbers when the
    /// initiator is the XAuth client, `XAUTHResp*` when the responder is; methods without an
    /// XAuth variant keep their number.
    pub fn wire_xauth(&self, initiator_is_client: bool) -> u16 {
        let base = match self.wire() {
            1 => 65001,
            2 => 65003,
            3 => 65005,
            w => return w,
        };
        if initiator_is_client { base } else { base + 1 }
    }
    /// What `sa_mgr show -detail` prints after `auth:`.
    pub fn display_name(&self) -> &'static str {
        match self {
            AuthMethod::PreShared(_) => "preshared key",
            AuthMethod::Signature(s) => match s.method {
                AUTH_RSA_SIG => "rsa signature",
                AUTH_ECDSA_P256 | AUTH_ECDSA_P384 => "ecdsa signature",
                AUTH_BIGN_SIG => "bign signature",
                AUTH_GOST_SIG => "gost signature",
                _ => "signature",
            },
        }
    }
}

/// Authentication Method 3: RSA signatures (IKEv1 form: PKCS#1 v1.5 padding of HASH_I/HASH_R
/// without DigestInfo, scheme `rsa-pkcs1-raw`).
pub const AUTH_RSA_SIG: u16 = 3;
/// Authentication Method 9 (RFC 4754): ECDSA on P-256 over HASH_I/HASH_R (`ecdsa-p256-raw`).
pub const AUTH_ECDSA_P256: u16 = 9;
/// Authentication Method 10 (RFC 4754): ECDSA on P-384 (`ecdsa-p384-raw`).
pub const AUTH_ECDSA_P384: u16 = 10;
/// **\[Z\]** Authentication Method 65301 (IKE private range 65001–65535, clear of XAuth's
/// 65001–65010): bign-with-hbelt (STB 34.101.45) on bign-curve256v1, scheme `bign-hbelt`.
/// The signed message is HASH_I/HASH_R as computed with the negotiated PRF; the scheme hashes
/// it with belt-hash, so bign always signs a 32-byte H whatever the PRF's output length, and a
/// token that only offers "sign with hbelt" can do it.
pub const AUTH_BIGN_SIG: u16 = 65301;
/// **\[Z\]** Authentication Method 65302: GOST R 34.10-2001 with GOST R 34.11-94 (CryptoPro
/// parameters), scheme `gost3410-2001-gostr3411-94`. As for bign, HASH_I/HASH_R is the message:
/// the scheme hashes it with GOST R 34.11-94 before signing (the standard's procedure; no raw
/// "sign this digest" entry point is needed on a token).
pub const AUTH_GOST_SIG: u16 = 65302;

/// When we send our certificate (`SendCertMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendCert {
    /// In every exchange.
    Always,
    /// Never (the peer holds our certificate).
    Never,
    /// Only when the peer sent a CERTREQ (`AUTO`, the default).
    IfRequested,
}

/// A subjectAltName entry the identity checks use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AltName {
    /// dNSName.
    Dns(String),
    /// rfc822Name.
    Email(String),
    /// iPAddress (IPv4).
    Ip(Ipv4Addr),
}

/// What a [`CertificateValidator`] vouches for: the peer's verified end-entity key and names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerCertificate {
    /// The public key in the provider's encoding for `scheme` (RSA: DER `RSAPublicKey`; ECDSA:
    /// SEC1 point; bign and GOST: 64 bytes x ‖ y little-endian).
    pub public_key: Vec<u8>,
    /// Name of the IKE signature scheme this key verifies: `rsa-pkcs1-raw`, `ecdsa-p256-raw`,
    /// `ecdsa-p384-raw`, `bign-hbelt` or `gost3410-2001-gostr3411-94`. It must be the scheme of
    /// the negotiated authentication method.
    pub scheme: &'static str,
    /// DER of the subject `Name`.
    pub subject: Vec<u8>,
    /// subjectAltName entries.
    pub alt_names: Vec<AltName>,
}

/// Why a peer certificate was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertError {
    /// No certificate was sent and none is known for the peer's identity.
    NoCertificate,
    /// Outside its validity period at the time of the check (`expired`).
    Expired,
    /// Not valid yet.
    NotYetValid,
    /// Revoked by a CRL.
    Revoked,
    /// No chain to a trusted CA (`can not be verified`).
    Untrusted,
    /// Malformed or otherwise invalid.
    Invalid,
    /// The key's algorithm has no IKE signature scheme here.
    UnsupportedKey,
    /// The host never told the engine the wall-clock time ([`crate::Engine::set_unix_time`]).
    NoTime,
    /// Refused by the host's policy (`RemoteCredential`).
    NotAcceptable,
}

impl core::fmt::Display for CertError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            CertError::NoCertificate => "no peer certificate",
            CertError::Expired => "certificate expired",
            CertError::NotYetValid => "certificate not valid yet",
            CertError::Revoked => "certificate revoked",
            CertError::Untrusted => "certificate can not be verified",
            CertError::Invalid => "certificate invalid",
            CertError::UnsupportedKey => "unsupported certificate key",
            CertError::NoTime => "no wall-clock time for certificate validation",
            CertError::NotAcceptable => "certificate not acceptable by policy",
        })
    }
}

/// The host's certificate checking (the `zubr-pki` store implements it; `zubr-ike` does not
/// parse certificates).
pub trait CertificateValidator: Send + Sync {
    /// Validates the certificates the peer sent (DER X.509 of the CERT payloads, in the order
    /// received; may be empty when the peer sent none) at time `at`: builds a chain to a trusted
    /// CA (intermediates may be among `certs`), checks validity, revocation and policy, and
    /// returns the end-entity key and names. `peer_id` is the peer's ID payload, for a store
    /// that holds partner certificates when none was sent.
    fn validate(
        &self,
        certs: &[&[u8]],
        peer_id: Option<&Identity>,
        at: UnixTime,
    ) -> Result<PeerCertificate, CertError>;

    /// DER `Name`s of the CAs we trust, one CERTREQ payload each; empty = one CERTREQ naming no
    /// authority.
    fn authorities(&self) -> Vec<Vec<u8>> {
        Vec::new()
    }

    /// Whether the peer's ID payload is backed by the certificate (the default:
    /// [`identity_matches_certificate`]). A store with DN patterns overrides it.
    fn identity_matches(&self, cert: &PeerCertificate, id: &Identity) -> bool {
        identity_matches_certificate(cert, id)
    }
}

/// The default identity check: ID_DER_ASN1_DN equals the subject (DER bytes), ID_FQDN /
/// ID_USER_FQDN / ID_IPV4_ADDR appear among the subjectAltNames (names case-insensitively);
/// ID_KEY_ID is never backed by a certificate.
pub fn identity_matches_certificate(cert: &PeerCertificate, id: &Identity) -> bool {
    match id {
        Identity::DerAsn1Dn(dn) => *dn == cert.subject,
        Identity::Fqdn(n) => cert
            .alt_names
            .iter()
            .any(|a| matches!(a, AltName::Dns(d) if d.eq_ignore_ascii_case(n))),
        Identity::UserFqdn(n) => cert
            .alt_names
            .iter()
            .any(|a| matches!(a, AltName::Email(d) if d.eq_ignore_ascii_case(n))),
        Identity::Ipv4(ip) => cert
            .alt_names
            .iter()
            .any(|a| matches!(a, AltName::Ip(x) if x == ip)),
        Identity::KeyId(_) => false,
    }
}

/// Signature authentication (`AuthMethodDSSign`): our key and certificates, and the host's
/// validator for the peer's.
#[derive(Clone)]
pub struct SignatureAuth {
    /// Authentication Method value (from the key's scheme, see [`SignatureAuth::new`]).
    pub method: u16,
    /// Our private key (software, or a token behind the provider's trait).
    pub key: Arc<dyn SigningKey>,
    /// Our certificate chain (DER), end entity first; sent as CERT payloads per `send_cert`.
    pub certs: Vec<Vec<u8>>,
    /// DER subject `Name` of our certificate: the ID we send when the rule has no local ID
    /// (lsp.md §5.2). `None`: our IKE address.
    pub subject: Option<Vec<u8>>,
    /// When to send `certs`.
    pub send_cert: SendCert,
    /// Send CERTREQ payloads (`SendRequestMode`: ALWAYS when true, NEVER when false).
    pub send_certreq: bool,
    /// Checks the peer's certificates.
    pub validator: Arc<dyn CertificateValidator>,
}

impl SignatureAuth {
    /// Signature authentication with `key`, whose scheme must have an IKE authentication method
    /// in `provider` (`rsa-pkcs1-raw` → 3, `ecdsa-p256-raw` → 9, `ecdsa-p384-raw` → 10,
    /// `bign-hbelt` → 65301, `gost3410-2001-gostr3411-94` → 65302). Sends certificates when asked,
    /// and CERTREQ always.
    pub fn new(
        provider: &CryptoProvider,
        key: Arc<dyn SigningKey>,
        certs: Vec<Vec<u8>>,
        validator: Arc<dyn CertificateValidator>,
    ) -> Result<Self, ConfigError> {
        let method = provider
            .signature(key.scheme())
            .and_then(|s| s.ike_auth_method)
            .ok_or(ConfigError::NoIkeSignatureScheme(key.scheme()))?;
        Ok(SignatureAuth {
            method,
            key,
            certs,
            subject: None,
            send_cert: SendCert::IfRequested,
            send_certreq: true,
            validator,
        })
    }
}

impl core::fmt::Debug for SignatureAuth {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SignatureAuth")
            .field("method", &self.method)
            .field("scheme", &self.key.scheme())
            .field("certs", &self.certs.len())
            .field("send_cert", &self.send_cert)
            .field("send_certreq", &self.send_certreq)
            .finish_non_exhaustive()
    }
}

/// An IKE identity (`IdentityEntry`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// ID_IPV4_ADDR.
    Ipv4(Ipv4Addr),
    /// ID_FQDN.
    Fqdn(String),
    /// ID_USER_FQDN.
    UserFqdn(String),
    /// ID_DER_ASN1_DN (DER bytes of the Name).
    DerAsn1Dn(Vec<u8>),
    /// ID_KEY_ID.
    KeyId(Vec<u8>),
}

impl Identity {
    /// ID type on the wire.
    pub fn id_type(&self) -> IdType {
        match self {
            Identity::Ipv4(_) => IdType::IPV4_ADDR,
            Identity::Fqdn(_) => IdType::FQDN,
            Identity::UserFqdn(_) => IdType::USER_FQDN,
            Identity::DerAsn1Dn(_) => IdType::DER_ASN1_DN,
            Identity::KeyId(_) => IdType::KEY_ID,
        }
    }
    /// Identification data.
    pub fn data(&self) -> Vec<u8> {
        match self {
            Identity::Ipv4(a) => a.octets().to_vec(),
            Identity::Fqdn(s) | Identity::UserFqdn(s) => s.as_bytes().to_vec(),
            Identity::DerAsn1Dn(d) | Identity::KeyId(d) => d.clone(),
        }
    }
    /// The phase-1 ID payload body (protocol 0, port 0).
    pub fn payload_body(&self) -> Vec<u8> {
        let mut v = Vec::new();
        v.push(self.id_type().0);
        v.extend_from_slice(&[0, 0, 0]);
        v.extend_from_slice(&self.data());
        v
    }
    /// Decodes an ID payload (type + data); `None` for types not listed here.
    pub fn from_wire(ty: IdType, data: &[u8]) -> Option<Identity> {
        Some(match ty {
            IdType::IPV4_ADDR => {
                let o: [u8; 4] = data.try_into().ok()?;
                Identity::Ipv4(Ipv4Addr::from(o))
            }
            IdType::FQDN => Identity::Fqdn(String::from_utf8(data.to_vec()).ok()?),
            IdType::USER_FQDN => Identity::UserFqdn(String::from_utf8(data.to_vec()).ok()?),
            IdType::DER_ASN1_DN => Identity::DerAsn1Dn(data.to_vec()),
            IdType::KEY_ID => Identity::KeyId(data.to_vec()),
            _ => return None,
        })
    }
}

/// NAT traversal (`NATTraversal`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NatTraversal {
    /// Announce NAT-T and float when a NAT is detected.
    Enable,
    /// Neither announce nor use NAT-T.
    Disable,
    /// Always float and encapsulate, as if a NAT had been detected.
    Force,
}

/// Dead peer detection (`DPDInterval`, `DPDRetryInterval`, `DPDRetries`).
#[derive(Debug, Clone)]
pub struct DpdConfig {
    /// Send R-U-THERE after this idle time; `None` = do not probe (we still answer).
    pub interval: Option<Duration>,
    /// Time between unanswered R-U-THERE.
    pub retry_interval: Duration,
    /// Unanswered R-U-THERE before the peer is declared dead.
    pub retries: u32,
}

impl Default for DpdConfig {
    fn default() -> Self {
        DpdConfig {
            interval: None,
            retry_interval: Duration::from_secs(5),
            retries: 3,
        }
    }
}

/// One phase-1 transform (an element of the expansion of an `IKETransform`).
#[derive(Clone, Copy)]
pub struct IkeTransform {
    /// Cipher.
    pub cipher: &'static IkeCipher,
    /// Hash (and PRF).
    pub hash: &'static IkeHash,
    /// DH group.
    pub group: &'static Group,
    /// Lifetime in seconds (28800).
    pub lifetime_secs: u32,
    /// Lifetime in kilobytes (0 = none).
    pub lifetime_kb: u32,
}

impl core::fmt::Debug for IkeTransform {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.cipher.sa_name, self.hash.sa_name, self.group.sa_name
        )
    }
}

/// Phase-1 exchange mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase1Mode {
    /// Main Mode (identity protection).
    Main,
    /// Aggressive Mode.
    Aggressive,
}

/// An address a rule serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerMatch {
    /// Any peer.
    Any,
    /// One address.
    Addr(Ipv4Addr),
    /// An inclusive range.
    Range(Ipv4Addr, Ipv4Addr),
}

impl PeerMatch {
    /// Whether `a` is served.
    pub fn matches(&self, a: Ipv4Addr) -> bool {
        match *self {
            PeerMatch::Any => true,
            PeerMatch::Addr(x) => x == a,
            PeerMatch::Range(lo, hi) => lo <= a && a <= hi,
        }
    }
}

/// `IKERule`.
#[derive(Debug, Clone)]
pub struct IkeRule {
    /// Rule name (`IKERule name:` in `sa_mgr show -detail`).
    pub name: String,
    /// Peers served.
    pub peers: Vec<PeerMatch>,
    /// Methods offered/accepted in Main Mode (initiator uses Main Mode when non-empty).
    pub main_mode_auth: Vec<AuthMethod>,
    /// Methods for Aggressive Mode.
    pub aggressive_auth: Vec<AuthMethod>,
    /// Phase-1 proposals in priority order.
    pub transforms: Vec<IkeTransform>,
    /// Identity we send; `None` = our IKE address (ID_IPV4_ADDR).
    pub local_id: Option<Identity>,
    /// Identity the peer must present; `None` = any.
    pub remote_id: Option<Identity>,
    /// NAT traversal.
    pub nat_traversal: NatTraversal,
    /// Dead peer detection.
    pub dpd: DpdConfig,
    /// Send INITIAL-CONTACT after Main Mode authentication.
    pub initial_contact: bool,
    /// XAuth (`XAUTHMode`): `None` = off.
    pub xauth: Option<Xauth>,
    /// Mode Config (`IKECFGRequestAddress` on a client, `IKECFGAddressPool` on a gateway).
    pub modecfg: ModeCfg,
}

impl IkeRule {
    /// A rule for `peers` with PSK authentication in `mode` and defaults elsewhere.
    pub fn psk(
        name: &str,
        peers: Vec<PeerMatch>,
        mode: Phase1Mode,
        psk: &[u8],
        transforms: Vec<IkeTransform>,
    ) -> Self {
        let auth = alloc::vec![AuthMethod::PreShared(PresharedKey::new(psk))];
        let (main_mode_auth, aggressive_auth) = match mode {
            Phase1Mode::Main => (auth, Vec::new()),
            Phase1Mode::Aggressive => (Vec::new(), auth),
        };
        IkeRule {
            name: name.into(),
            peers,
            main_mode_auth,
            aggressive_auth,
            transforms,
            local_id: None,
            remote_id: None,
            nat_traversal: NatTraversal::Enable,
            dpd: DpdConfig::default(),
            initial_contact: true,
            xauth: None,
            modecfg: ModeCfg::Off,
        }
    }

    /// Whether phase 1 is followed by XAuth or Mode Config (the ISAKMP SA shows
    /// `configuration` until they finish).
    pub fn needs_configuration(&self) -> bool {
        self.xauth.is_some() || self.modecfg != ModeCfg::Off
    }

    /// Mode used when initiating.
    pub fn initiator_mode(&self) -> Phase1Mode {
        if self.main_mode_auth.is_empty() {
            Phase1Mode::Aggressive
        } else {
            Phase1Mode::Main
        }
    }

    /// Auth methods for `mode`.
    pub fn auth_for(&self, mode: Phase1Mode) -> &[AuthMethod] {
        match mode {
            Phase1Mode::Main => &self.main_mode_auth,
            Phase1Mode::Aggressive => &self.aggressive_auth,
        }
    }

    /// Whether the rule serves `peer`.
    pub fn serves(&self, peer: Ipv4Addr) -> bool {
        self.peers.is_empty() || self.peers.iter().any(|p| p.matches(peer))
    }
}

/// Checks XAuth credentials on a gateway (a host callback: user databases are not LSP).
pub trait XauthVerifier: Send + Sync {
    /// Whether `user` / `password` may log in.
    fn verify(&self, user: &str, password: &[u8]) -> bool;
}

/// XAuth (draft-beaulieu-ike-xauth) role of an IKE rule (`XAUTHMode`).
#[derive(Clone)]
pub enum Xauth {
    /// We are authenticated: answer the gateway's REQUEST with these credentials.
    Client {
        /// `XAUTHUser`.
        user: String,
        /// The password (zeroized on drop, never printed).
        password: PresharedKey,
    },
    /// We authenticate the peer: send REQUEST, check the REPLY with the verifier, send SET.
    Server(Arc<dyn XauthVerifier>),
}

impl core::fmt::Debug for Xauth {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Xauth::Client { user, .. } => write!(f, "Xauth::Client({user:?}, ..)"),
            Xauth::Server(_) => f.write_str("Xauth::Server(..)"),
        }
    }
}

/// Mode Config (draft-dukes-ike-mode-cfg) role of an IKE rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeCfg {
    /// No Mode Config.
    Off,
    /// Client (`IKECFGRequestAddress = TRUE`): with `pull`, send a REQUEST for an address, DNS,
    /// NBNS and split networks after phase 1 (and XAuth); without, wait for the gateway's SET.
    /// Either way a SET that arrives first is accepted.
    Client {
        /// Ask (pull) instead of waiting for a SET (push).
        pull: bool,
    },
    /// Gateway: answer REQUESTs (or, with `push`, send a SET) from `Config::pools[pool]`.
    Server {
        /// Index into [`Config::pools`].
        pool: usize,
        /// Push a SET instead of waiting for the client's REQUEST.
        push: bool,
    },
}

/// A gateway's Mode Config address pool (`IKECFGAddressPool`, mGuard's "Remote IP network pool"
/// with "tranches of size").
#[derive(Debug, Clone)]
pub struct AddressPool {
    /// Name.
    pub name: String,
    /// Address ranges handed out (inclusive).
    pub ranges: Vec<(Ipv4Addr, Ipv4Addr)>,
    /// Tranche size as a prefix length (32 = one address per client; 30 = a /30 network per
    /// client, aligned inside the ranges). The client is given the tranche's first address and
    /// may use the whole tranche as its side of Quick Mode.
    pub tranche: u8,
    /// INTERNAL_IP4_NETMASK (`SubnetMask`); `None` = the tranche's mask.
    pub netmask: Option<Ipv4Addr>,
    /// INTERNAL_IP4_DNS (`DNSServers`).
    pub dns: Vec<Ipv4Addr>,
    /// INTERNAL_IP4_NBNS (`WINSServers`).
    pub nbns: Vec<Ipv4Addr>,
    /// Networks announced for split tunnelling (`SplitNetworks`): UNITY_SPLIT_INCLUDE and
    /// INTERNAL_IP4_SUBNET.
    pub split: Vec<Selector>,
}

impl AddressPool {
    /// A pool of single addresses `first..=last`.
    pub fn range(name: &str, first: Ipv4Addr, last: Ipv4Addr) -> Self {
        AddressPool {
            name: name.into(),
            ranges: alloc::vec![(first, last)],
            tranche: 32,
            netmask: None,
            dns: Vec::new(),
            nbns: Vec::new(),
            split: Vec::new(),
        }
    }

    /// The tranches of the pool in order: aligned blocks of `2^(32-tranche)` addresses lying
    /// wholly inside a range, as (first, last). Bounded by `limit`.
    pub fn tranches(&self, limit: usize) -> Vec<(Ipv4Addr, Ipv4Addr)> {
        let size: u64 = 1u64 << (32 - u32::from(self.tranche.min(32)));
        let mut out = Vec::new();
        for &(a, b) in &self.ranges {
            let (a, b) = (u64::from(u32::from(a)), u64::from(u32::from(b)));
            let mut x = a.div_ceil(size) * size;
            while x + size - 1 <= b && out.len() < limit {
                let lo = u32::try_from(x).unwrap_or(u32::MAX);
                let hi = u32::try_from(x + size - 1).unwrap_or(u32::MAX);
                out.push((Ipv4Addr::from(lo), Ipv4Addr::from(hi)));
                x += size;
            }
        }
        out
    }
}

/// One ESP transform (`ESPTransform`).
#[derive(Clone, Copy)]
pub struct EspTransform {
    /// Cipher (an AEAD takes no integrity).
    pub cipher: &'static EspCipher,
    /// Integrity algorithm.
    pub integrity: Option<&'static Integrity>,
    /// Lifetime in seconds (3600).
    pub lifetime_secs: u32,
    /// Lifetime in kilobytes (4608000; 0 = none).
    pub lifetime_kb: u32,
}

impl core::fmt::Debug for EspTransform {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}", self.cipher.sa_name)?;
        if let Some(i) = self.integrity {
            write!(f, " {}", i.esp_sa_name)?;
        }
        Ok(())
    }
}

/// IPsec mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpsecMode {
    /// Tunnel mode.
    Tunnel,
    /// Transport mode.
    Transport,
}

/// An IPv4 traffic selector: an address range, a protocol (0 = any) and a port (0 = any).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selector {
    /// First address.
    pub first: Ipv4Addr,
    /// Last address.
    pub last: Ipv4Addr,
    /// IP protocol, 0 = any.
    pub protocol: u8,
    /// Port, 0 = any.
    pub port: u16,
}

impl Selector {
    /// `addr/prefix`, any protocol and port.
    pub fn subnet(addr: Ipv4Addr, prefix: u8) -> Selector {
        let mask = prefix_mask(prefix);
        let a = u32::from(addr) & mask;
        Selector {
            first: Ipv4Addr::from(a),
            last: Ipv4Addr::from(a | !mask),
            protocol: 0,
            port: 0,
        }
    }
    /// One address.
    pub fn host(addr: Ipv4Addr) -> Selector {
        Selector::subnet(addr, 32)
    }
    /// Whether `other` lies within this selector.
    pub fn contains(&self, other: &Selector) -> bool {
        self.first <= other.first
            && other.last <= self.last
            && (self.protocol == 0 || self.protocol == other.protocol)
            && (self.port == 0 || self.port == other.port)
    }
    /// Whether the address `a` lies within.
    pub fn contains_addr(&self, a: Ipv4Addr) -> bool {
        self.first <= a && a <= self.last
    }
    /// The prefix length when the range is an aligned CIDR block.
    pub fn prefix(&self) -> Option<u8> {
        let (f, l) = (u32::from(self.first), u32::from(self.last));
        let size = l.wrapping_sub(f).wrapping_add(1);
        if f > l {
            return None;
        }
        if size == 0 {
            return (f == 0).then_some(0);
        }
        if !size.is_power_of_two() || f & (size - 1) != 0 {
            return None;
        }
        Some(32 - u8::try_from(size.trailing_zeros()).unwrap_or(32))
    }
    /// The Quick Mode ID payload body (IPV4_ADDR, IPV4_ADDR_SUBNET or IPV4_ADDR_RANGE).
    pub fn payload_body(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(12);
        let ty = if self.first == self.last {
            IdType::IPV4_ADDR
        } else if self.prefix().is_some() {
            IdType::IPV4_ADDR_SUBNET
        } else {
            IdType::IPV4_ADDR_RANGE
        };
        v.push(ty.0);
        v.push(self.protocol);
        v.extend_from_slice(&self.port.to_be_bytes());
        v.extend_from_slice(&self.first.octets());
        match ty {
            IdType::IPV4_ADDR_SUBNET => {
                let p = self.prefix().unwrap_or(32);
                v.extend_from_slice(&prefix_mask(p).to_be_bytes());
            }
            IdType::IPV4_ADDR_RANGE => v.extend_from_slice(&self.last.octets()),
            _ => {}
        }
        v
    }
    /// Decodes a Quick Mode ID payload body.
    pub fn from_payload(body: &[u8]) -> Option<Selector> {
        let id = crate::codec::IdPayload::parse(body).ok()?;
        let four = |b: &[u8]| -> Option<Ipv4Addr> {
            let o: [u8; 4] = b.try_into().ok()?;
            Some(Ipv4Addr::from(o))
        };
        let (first, last) = match id.id_type {
            IdType::IPV4_ADDR => {
                let a = four(id.data)?;
                (a, a)
            }
            IdType::IPV4_ADDR_SUBNET => {
                let a = four(id.data.get(..4)?)?;
                let m = u32::from(four(id.data.get(4..8)?)?);
                if id.data.len() != 8 || m.leading_ones() + m.trailing_zeros() != 32 {
                    return None;
                }
                let f = u32::from(a) & m;
                (Ipv4Addr::from(f), Ipv4Addr::from(f | !m))
            }
            IdType::IPV4_ADDR_RANGE => {
                if id.data.len() != 8 {
                    return None;
                }
                let a = four(id.data.get(..4)?)?;
                let b = four(id.data.get(4..8)?)?;
                if a > b {
                    return None;
                }
                (a, b)
            }
            _ => return None,
        };
        Some(Selector {
            first,
            last,
            protocol: id.protocol,
            port: id.port,
        })
    }
}

impl core::fmt::Display for Selector {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.prefix() {
            Some(32) => write!(f, "{}", self.first),
            Some(p) => write!(f, "{}/{}", self.first, p),
            None => write!(f, "{}-{}", self.first, self.last),
        }
    }
}

fn prefix_mask(prefix: u8) -> u32 {
    match prefix {
        0 => 0,
        p if p >= 32 => u32::MAX,
        p => u32::MAX << (32 - u32::from(p)),
    }
}

/// A protected-traffic rule: `FilteringRule` selectors plus its `IPsecAction`.
#[derive(Clone)]
pub struct IpsecRule {
    /// `FilteringRule name`.
    pub name: String,
    /// `IPsecAction name`.
    pub action_name: String,
    /// Our side (source of outbound packets).
    pub local: Selector,
    /// The remote side.
    pub remote: Selector,
    /// Tunnel peer (`TunnelEntry.PeerAddress`); `None` = any peer (responder only).
    pub peer: Option<Ipv4Addr>,
    /// Tunnel or transport.
    pub mode: IpsecMode,
    /// ESP transforms in priority order.
    pub proposals: Vec<EspTransform>,
    /// PFS group (`PFSGroup`).
    pub pfs: Option<&'static Group>,
    /// Index of the [`IkeRule`] to use when initiating (`IPsecAction.IKERule`); `None` = the first
    /// rule that serves the peer.
    pub ike_rule: Option<usize>,
    /// Rekey as initiator before expiry (`connection status: no rekeying` when false).
    pub rekey: bool,
}

impl core::fmt::Debug for IpsecRule {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("IpsecRule")
            .field("name", &self.name)
            .field("local", &self.local)
            .field("remote", &self.remote)
            .field("peer", &self.peer)
            .field("mode", &self.mode)
            .field("proposals", &self.proposals)
            .field("pfs", &self.pfs.map(|g| g.sa_name))
            .finish()
    }
}

/// The whole configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Ports and timers.
    pub params: IkeParameters,
    /// Resource bounds.
    pub limits: Limits,
    /// Phase-1 rules in file order.
    pub ike_rules: Vec<IkeRule>,
    /// IPsec rules in file order.
    pub ipsec_rules: Vec<IpsecRule>,
    /// Mode Config address pools (gateway side), referenced by [`ModeCfg::Server`].
    pub pools: Vec<AddressPool>,
}

/// Why a configuration was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// An IKE rule has no transform.
    NoTransforms(String),
    /// An IKE rule has no authentication method.
    NoAuthMethod(String),
    /// An IPsec rule has no proposal.
    NoProposals(String),
    /// An ESP transform needs an integrity algorithm (non-AEAD cipher) or must not have one
    /// (AEAD).
    BadIntegrity(String),
    /// `ike_rule` points past the rule list.
    BadIkeRule(String),
    /// `RetryTimeMax` < `RetryTimeBase`, or a zero timer.
    BadTimers,
    /// The provider's DRBG refused the seed (shorter than 32 bytes).
    BadSeed,
    /// A signing key's scheme has no IKE authentication method in the provider.
    NoIkeSignatureScheme(&'static str),
    /// An IKE rule names an address pool that does not exist, or a pool is empty or its
    /// tranche does not fit.
    BadPool(String),
}

impl core::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ConfigError::NoTransforms(r) => write!(f, "IKE rule {r}: no transform"),
            ConfigError::NoAuthMethod(r) => write!(f, "IKE rule {r}: no authentication method"),
            ConfigError::NoProposals(r) => write!(f, "IPsec rule {r}: no proposal"),
            ConfigError::BadIntegrity(r) => {
                write!(f, "IPsec rule {r}: integrity does not fit the cipher")
            }
            ConfigError::BadIkeRule(r) => write!(f, "IPsec rule {r}: unknown IKE rule"),
            ConfigError::BadTimers => f.write_str("RetryTimeMax must be at least RetryTimeBase"),
            ConfigError::BadSeed => f.write_str("the random generator seed is too short"),
            ConfigError::NoIkeSignatureScheme(n) => {
                write!(f, "signature scheme {n} has no IKE authentication method")
            }
            ConfigError::BadPool(r) => write!(f, "IKE rule {r}: bad Mode Config address pool"),
        }
    }
}

impl Config {
    /// Checks the structural rules above.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let p = &self.params;
        if p.retry_time_base.is_zero() || p.retry_time_max < p.retry_time_base {
            return Err(ConfigError::BadTimers);
        }
        for r in &self.ike_rules {
            if r.transforms.is_empty() {
                return Err(ConfigError::NoTransforms(r.name.clone()));
            }
            if r.main_mode_auth.is_empty() && r.aggressive_auth.is_empty() {
                return Err(ConfigError::NoAuthMethod(r.name.clone()));
            }
            if let ModeCfg::Server { pool, .. } = r.modecfg {
                let ok = self
                    .pools
                    .get(pool)
                    .is_some_and(|p| p.tranche <= 32 && !p.tranches(1).is_empty());
                if !ok {
                    return Err(ConfigError::BadPool(r.name.clone()));
                }
            }
        }
        for r in &self.ipsec_rules {
            if r.proposals.is_empty() {
                return Err(ConfigError::NoProposals(r.name.clone()));
            }
            if r.proposals
                .iter()
                .any(|t| t.cipher.is_aead() == t.integrity.is_some())
            {
                return Err(ConfigError::BadIntegrity(r.name.clone()));
            }
            if r.ike_rule.is_some_and(|i| i >= self.ike_rules.len()) {
                return Err(ConfigError::BadIkeRule(r.name.clone()));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn selector_ids_round_trip() {
        let s = Selector::subnet(Ipv4Addr::new(10, 88, 0, 7), 24);
        assert_eq!(s.first, Ipv4Addr::new(10, 88, 0, 0));
        assert_eq!(s.last, Ipv4Addr::new(10, 88, 0, 255));
        let b = s.payload_body();
        assert_eq!(b[0], IdType::IPV4_ADDR_SUBNET.0);
        assert_eq!(Selector::from_payload(&b), Some(s));
        let h = Selector::host(Ipv4Addr::new(1, 2, 3, 4));
        assert_eq!(h.payload_body()[0], IdType::IPV4_ADDR.0);
        assert_eq!(Selector::from_payload(&h.payload_body()), Some(h));
        let r = Selector {
            first: Ipv4Addr::new(10, 0, 0, 3),
            last: Ipv4Addr::new(10, 0, 0, 9),
            protocol: 6,
            port: 80,
        };
        assert_eq!(Selector::from_payload(&r.payload_body()), Some(r));
        assert_eq!(r.to_string(), "10.0.0.3-10.0.0.9");
        assert!(Selector::subnet(Ipv4Addr::UNSPECIFIED, 0).contains(&r));
        assert_eq!(Selector::subnet(Ipv4Addr::UNSPECIFIED, 0).prefix(), Some(0));
        // non-contiguous mask
        let mut bad = s.payload_body();
        bad[8..12].copy_from_slice(&[255, 0, 255, 0]);
        assert_eq!(Selector::from_payload(&bad), None);
    }
}
