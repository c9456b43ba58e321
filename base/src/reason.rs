//! Why a packet was dropped or passed, with the engine log texts of the product
//! (Bel VPN Client guide §13.20 "drop"/"pass" groups; product.md §9).
//!
//! Each reason is a distinct variant; `Display` gives the text that follows `if NAME: ` in a
//! `passed|dropped in|out packet …` line. Numbers (SA, filter, SPI, limits) are carried in the
//! variant, never formatted into a string by the producer.

use core::fmt;

/// Packet direction as the engine log prints it (`in` / `out`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Received from the network.
    In,
    /// Sent by the host.
    Out,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::In => "in",
            Direction::Out => "out",
        })
    }
}

/// IPsec processing error codes 1–18 (guide table 6), as in
/// `SA 33: decapsulation error 5: integrity verification failed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum IpsecError {
    /// 1: the sequence number is left of the replay window or already seen.
    ReplayDetected = 1,
    /// 2: the crypto provider returned an error.
    CryptoFailed = 2,
    /// 3: the SA has sent its last sequence number (no ESN) — it must be rekeyed.
    LastSequenceNumber = 3,
    /// 4: the sequence number counter wrapped.
    SequenceNumberWrapped = 4,
    /// 5: ICV / AEAD tag did not verify.
    IntegrityFailed = 5,
    /// 6: ESP/AH header malformed.
    CorruptedHeaders = 6,
    /// 7: the decapsulated packet's headers are malformed.
    CorruptedAfterDecapsulation = 7,
    /// 8: out of memory.
    MemoryAllocationFailed = 8,
    /// 9: TTL expired.
    TtlExpired = 9,
    /// 10: the buffer has too little headroom/tailroom.
    BufferTooSmall = 10,
    /// 11: IP options could not be parsed (AH mutable-field zeroing).
    CannotParseIpOptions = 11,
    /// 12: ESP padding is not 1, 2, 3, …
    PaddingCheckFailed = 12,
    /// 13: the SA's configuration is inconsistent.
    IncorrectSaConfiguration = 13,
    /// 14: tunnel packet on a transport SA or the reverse.
    WrongEncapsulationMode = 14,
    /// 15: the result would exceed 65535 bytes.
    PacketTooLong = 15,
    /// 16: a TFC dummy packet (next header 59) was received and discarded.
    TfcPacket = 16,
    /// 17: the SA's hard byte/packet limit was reached.
    TrafficLimitExceeded = 17,
    /// 18: the outer source address is not the SA's tunnel peer.
    WrongTunnelSource = 18,
}

impl IpsecError {
    /// Every code, in order.
    pub const ALL: [IpsecError; 18] = [
        IpsecError::ReplayDetected,
        IpsecError::CryptoFailed,
        IpsecError::LastSequenceNumber,
        IpsecError::SequenceNumberWrapped,
        IpsecError::IntegrityFailed,
        IpsecError::CorruptedHeaders,
        IpsecError::CorruptedAfterDecapsulation,
        IpsecError::MemoryAllocationFailed,
        IpsecError::TtlExpired,
        IpsecError::BufferTooSmall,
        IpsecError::CannotParseIpOptions,
        IpsecError::PaddingCheckFailed,
        IpsecError::IncorrectSaConfiguration,
        IpsecError::WrongEncapsulationMode,
        IpsecError::PacketTooLong,
        IpsecError::TfcPacket,
        IpsecError::TrafficLimitExceeded,
        IpsecError::WrongTunnelSource,
    ];

    /// The numeric code.
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The code's text exactly as the engine log prints it.
    pub const fn text(self) -> &'static str {
        match self {
            IpsecError::ReplayDetected => "replay packet detected",
            IpsecError::CryptoFailed => "call to crypto subsystem failed",
            IpsecError::LastSequenceNumber => "last sequence number",
            IpsecError::SequenceNumberWrapped => "sequence number wrapped",
            IpsecError::IntegrityFailed => "integrity verification failed",
            IpsecError::CorruptedHeaders => "corrupted protocol headers",
            IpsecError::CorruptedAfterDecapsulation => "corrupted headers after decapsulation",
            IpsecError::MemoryAllocationFailed => "memory allocation failed",
            IpsecError::TtlExpired => "IP ttl expired",
            IpsecError::BufferTooSmall => "buffer is too small",
            IpsecError::CannotParseIpOptions => "can't parse IP options",
            IpsecError::PaddingCheckFailed => "padding check failed",
            IpsecError::IncorrectSaConfiguration => "incorrect SA configuration",
            IpsecError::WrongEncapsulationMode => "wrong encapsulation mode for the SA",
            IpsecError::PacketTooLong => "packet length exceeds 64K-1",
            IpsecError::TfcPacket => "TFC packet",
            IpsecError::TrafficLimitExceeded => "traffic limit exceeded",
            IpsecError::WrongTunnelSource => "wrong tunnel source address",
        }
    }

    /// The error for a numeric code.
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.get(usize::from(code).checked_sub(1)?).copied()
    }
}

impl fmt::Display for IpsecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.text())
    }
}

/// Why a packet passed (`passed in|out packet …: REASON`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PassReason {
    /// A firewall rule passed it.
    Filtered,
    /// It was IPsec-decapsulated.
    Decapsulated,
    /// It was IPsec-encapsulated.
    Encapsulated,
    /// It was handed back to the IP stack for routing.
    ReRouted,
    /// No user policy is loaded; the default driver policy passed it.
    DriverDefaultPolicy,
}

impl fmt::Display for PassReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PassReason::Filtered => "filtered",
            PassReason::Decapsulated => "decapsulated",
            PassReason::Encapsulated => "encapsulated",
            PassReason::ReRouted => "re-routed",
            PassReason::DriverDefaultPolicy => "driver default policy",
        })
    }
}

/// Why a packet was dropped (`dropped in|out packet …: REASON`). Every drop in Zubr carries one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DropReason {
    /// The IP header is malformed.
    CorruptedIpHeader,
    /// The transport (TCP/UDP/ICMP) header is malformed.
    CorruptedProtocolHeaders,
    /// The IP header is malformed after fragment reassembly.
    CorruptedIpHeaderAfterReassembly,
    /// The transport header is malformed after fragment reassembly.
    CorruptedProtocolHeadersAfterReassembly,
    /// Headers are malformed after decapsulation by SA `sa` (e.g. wrong key without integrity).
    CorruptedAfterDecapsulation {
        /// SA number.
        sa: u32,
    },
    /// ESP/AH header too short to read the SPI.
    UnableToFetchSpi,
    /// More than 16 nested encapsulations (inbound).
    TooManyNestedEncapsulations,
    /// More than 16 nested encapsulations (outbound: a policy loop).
    TooManyNestedEncapsulationsRecursive,
    /// A firewall rule dropped it.
    Firewall,
    /// An IPsec policy rule dropped it.
    IpsecPolicy,
    /// The InputFilter of the IPsec action dropped it.
    SaFilter,
    /// A classification rule dropped it.
    Classification,
    /// A protected packet matched a PASS rule.
    IpsecPacketNotExpected {
        /// Filter number.
        filter: u32,
    },
    /// A clear packet matched a PROTECT rule.
    MustBeProtected {
        /// Filter number.
        filter: u32,
    },
    /// Nested IPsec: the packet has fewer layers than the policy requires.
    LacksRequiredIpsecLayer,
    /// The outer header does not match SA `sa`'s tunnel endpoints.
    TunnelHeaderMismatch {
        /// SA number.
        sa: u32,
    },
    /// The SA is bound to a filter of another interface.
    SaBoundToOtherVif {
        /// SA number.
        sa: u32,
    },
    /// The SA is not in a bundle (e.g. being deleted).
    SaNotInBundle {
        /// SA number.
        sa: u32,
    },
    /// Nested IPsec applied in the wrong order.
    SaNotFirstInBundle {
        /// SA number.
        sa: u32,
    },
    /// The SPI is not part of the SA bundle.
    SpiNotInBundle {
        /// SPI.
        spi: u32,
    },
    /// The decapsulated header does not match SA `sa`'s selectors.
    DecapsulatedHeaderMismatch {
        /// SA number.
        sa: u32,
    },
    /// Unknown SPI.
    SpiNotFound {
        /// SPI.
        spi: u32,
    },
    /// The SA is not the one bound to the matching IPsec filter.
    IpsecSaMismatch {
        /// Filter number.
        filter: u32,
    },
    /// Outbound, no SA bundle and FallbackAction = DROP.
    SaBundleNotFound {
        /// Filter number.
        filter: u32,
    },
    /// Decapsulation by SA `sa` failed.
    Decapsulation {
        /// SA number.
        sa: u32,
        /// Error code.
        error: IpsecError,
    },
    /// Encapsulation by SA `sa` failed.
    Encapsulation {
        /// SA number.
        sa: u32,
        /// Error code.
        error: IpsecError,
    },
    /// Rekeying did not finish in time.
    SaUnusable {
        /// SA number.
        sa: u32,
    },
    /// Transit packet on a host that is not a security gateway.
    NotLocal,
    /// Transit packet after decapsulation on a host that is not a security gateway.
    DecapsulatedNotLocal,
    /// The queue of packets waiting for an SA bundle is full.
    WaitingQueueFull {
        /// Filter number.
        filter: u32,
        /// Queue size (PacketQueueSize).
        limit: u32,
    },
    /// Building the SA bundle failed; queued packets are dropped.
    FailedToBuildBundle {
        /// Filter number.
        filter: u32,
    },
    /// Too many concurrent SA requests in total (ipsec_breq_max).
    SaRequestsLimit {
        /// The limit.
        limit: u32,
    },
    /// Too many concurrent SA requests for one filter (BundleRequestsMax).
    SaRequestsLimitForFilter {
        /// The limit.
        limit: u32,
        /// Filter number.
        filter: u32,
    },
    /// More than 40 packets queued on one SA.
    SaQueueOverflow {
        /// SA number.
        sa: u32,
    },
    /// The packet would exceed 65535 bytes after encapsulation.
    TooLargeForIpsec {
        /// Length after encapsulation.
        length: u32,
    },
    /// An ICMP fragmentation-needed message was consumed by PMTU discovery.
    IcmpPmtudProcessed,
    /// The engine is being configured; traffic is blocked.
    DriverBeingConfigured,
    /// The configuration changed while the packet was processed.
    ConfigIdMismatch {
        /// Configuration id the packet started with.
        packet: u32,
        /// Current configuration id.
        current: u32,
    },
    /// The IPsec filter was destroyed while the packet was processed.
    IpsecFilterDead {
        /// Filter number.
        filter: u32,
    },
    /// Out of memory while sending an SA request.
    SaRequestOutOfMemory {
        /// Filter number.
        filter: u32,
    },
    /// Out of memory for a packet buffer.
    CannotAllocatePacketBuffer,
    /// Out of memory while preparing the SA list.
    CannotPrepareSaListOutOfMemory,
    /// A packet from the IKECFG virtual interface left without tunnel-mode IPsec.
    IkecfgDestinationUnchanged,
    /// A packet from the IKECFG virtual interface has another source address.
    IkecfgSourceNotVirtual,
    /// Larger than the path MTU with DF set.
    DfSetCannotFragment {
        /// Path MTU.
        mtu: u32,
    },
    /// Fragmentation failed.
    CannotFragment {
        /// Path MTU.
        mtu: u32,
    },
    /// No user policy is loaded and the default driver policy drops it.
    DriverDefaultPolicy,
    /// Internal error of the original driver: the IP data is not 4-byte aligned.
    IpDataNotAligned,
    /// The packet arrived on an interface the engine has no record of.
    UnknownNetworkInterface,
    /// The packet arrived on a physical interface the engine has no record of.
    UnknownPhysicalInterface,
}

impl DropReason {
    /// How many variants there are.
    pub const COUNT: usize = 50;

    /// One value of every variant, in declaration order (numbers 0, error code 1): for coverage
    /// tables that must list each reason. `ALL[i].index() == i`.
    pub const ALL: [DropReason; Self::COUNT] = [
        DropReason::CorruptedIpHeader,
        DropReason::CorruptedProtocolHeaders,
        DropReason::CorruptedIpHeaderAfterReassembly,
        DropReason::CorruptedProtocolHeadersAfterReassembly,
        DropReason::CorruptedAfterDecapsulation { sa: 0 },
        DropReason::UnableToFetchSpi,
        DropReason::TooManyNestedEncapsulations,
        DropReason::TooManyNestedEncapsulationsRecursive,
        DropReason::Firewall,
        DropReason::IpsecPolicy,
        DropReason::SaFilter,
        DropReason::Classification,
        DropReason::IpsecPacketNotExpected { filter: 0 },
        DropReason::MustBeProtected { filter: 0 },
        DropReason::LacksRequiredIpsecLayer,
        DropReason::TunnelHeaderMismatch { sa: 0 },
        DropReason::SaBoundToOtherVif { sa: 0 },
        DropReason::SaNotInBundle { sa: 0 },
        DropReason::SaNotFirstInBundle { sa: 0 },
        DropReason::SpiNotInBundle { spi: 0 },
        DropReason::DecapsulatedHeaderMismatch { sa: 0 },
        DropReason::SpiNotFound { spi: 0 },
        DropReason::IpsecSaMismatch { filter: 0 },
        DropReason::SaBundleNotFound { filter: 0 },
        DropReason::Decapsulation {
            sa: 0,
            error: IpsecError::ReplayDetected,
        },
        DropReason::Encapsulation {
            sa: 0,
            error: IpsecError::ReplayDetected,
        },
        DropReason::SaUnusable { sa: 0 },
        DropReason::NotLocal,
        DropReason::DecapsulatedNotLocal,
        DropReason::WaitingQueueFull {
            filter: 0,
            limit: 0,
        },
        DropReason::FailedToBuildBundle { filter: 0 },
        DropReason::SaRequestsLimit { limit: 0 },
        DropReason::SaRequestsLimitForFilter {
            limit: 0,
            filter: 0,
        },
        DropReason::SaQueueOverflow { sa: 0 },
        DropReason::TooLargeForIpsec { length: 0 },
        DropReason::IcmpPmtudProcessed,
        DropReason::DriverBeingConfigured,
        DropReason::ConfigIdMismatch {
            packet: 0,
            current: 0,
        },
        DropReason::IpsecFilterDead { filter: 0 },
        DropReason::SaRequestOutOfMemory { filter: 0 },
        DropReason::CannotAllocatePacketBuffer,
        DropReason::CannotPrepareSaListOutOfMemory,
        DropReason::IkecfgDestinationUnchanged,
        DropReason::IkecfgSourceNotVirtual,
        DropReason::DfSetCannotFragment { mtu: 0 },
        DropReason::CannotFragment { mtu: 0 },
        DropReason::DriverDefaultPolicy,
        DropReason::IpDataNotAligned,
        DropReason::UnknownNetworkInterface,
        DropReason::UnknownPhysicalInterface,
    ];

    /// The variant's position in [`DropReason::ALL`]. The match is exhaustive, so a new variant
    /// does not compile until it gets an index (and with it a place in `ALL`).
    pub const fn index(&self) -> usize {
        use DropReason::*;
        match self {
            CorruptedIpHeader => 0,
            CorruptedProtocolHeaders => 1,
            CorruptedIpHeaderAfterReassembly => 2,
            CorruptedProtocolHeadersAfterReassembly => 3,
            CorruptedAfterDecapsulation { .. } => 4,
            UnableToFetchSpi => 5,
            TooManyNestedEncapsulations => 6,
            TooManyNestedEncapsulationsRecursive => 7,
            Firewall => 8,
            IpsecPolicy => 9,
            SaFilter => 10,
            Classification => 11,
            IpsecPacketNotExpected { .. } => 12,
            MustBeProtected { .. } => 13,
            LacksRequiredIpsecLayer => 14,
            TunnelHeaderMismatch { .. } => 15,
            SaBoundToOtherVif { .. } => 16,
            SaNotInBundle { .. } => 17,
            SaNotFirstInBundle { .. } => 18,
            SpiNotInBundle { .. } => 19,
            DecapsulatedHeaderMismatch { .. } => 20,
            SpiNotFound { .. } => 21,
            IpsecSaMismatch { .. } => 22,
            SaBundleNotFound { .. } => 23,
            Decapsulation { .. } => 24,
            Encapsulation { .. } => 25,
            SaUnusable { .. } => 26,
            NotLocal => 27,
            DecapsulatedNotLocal => 28,
            WaitingQueueFull { .. } => 29,
            FailedToBuildBundle { .. } => 30,
            SaRequestsLimit { .. } => 31,
            SaRequestsLimitForFilter { .. } => 32,
            SaQueueOverflow { .. } => 33,
            TooLargeForIpsec { .. } => 34,
            IcmpPmtudProcessed => 35,
            DriverBeingConfigured => 36,
            ConfigIdMismatch { .. } => 37,
            IpsecFilterDead { .. } => 38,
            SaRequestOutOfMemory { .. } => 39,
            CannotAllocatePacketBuffer => 40,
            CannotPrepareSaListOutOfMemory => 41,
            IkecfgDestinationUnchanged => 42,
            IkecfgSourceNotVirtual => 43,
            DfSetCannotFragment { .. } => 44,
            CannotFragment { .. } => 45,
            DriverDefaultPolicy => 46,
            IpDataNotAligned => 47,
            UnknownNetworkInterface => 48,
            UnknownPhysicalInterface => 49,
        }
    }

    /// The variant's name, as in the source (`SaRequestsLimitForFilter`).
    pub const fn name(&self) -> &'static str {
        use DropReason::*;
        match self {
            CorruptedIpHeader => "CorruptedIpHeader",
            CorruptedProtocolHeaders => "CorruptedProtocolHeaders",
            CorruptedIpHeaderAfterReassembly => "CorruptedIpHeaderAfterReassembly",
            CorruptedProtocolHeadersAfterReassembly => "CorruptedProtocolHeadersAfterReassembly",
            CorruptedAfterDecapsulation { .. } => "CorruptedAfterDecapsulation",
            UnableToFetchSpi => "UnableToFetchSpi",
            TooManyNestedEncapsulations => "TooManyNestedEncapsulations",
            TooManyNestedEncapsulationsRecursive => "TooManyNestedEncapsulationsRecursive",
            Firewall => "Firewall",
            IpsecPolicy => "IpsecPolicy",
            SaFilter => "SaFilter",
            Classification => "Classification",
            IpsecPacketNotExpected { .. } => "IpsecPacketNotExpected",
            MustBeProtected { .. } => "MustBeProtected",
            LacksRequiredIpsecLayer => "LacksRequiredIpsecLayer",
            TunnelHeaderMismatch { .. } => "TunnelHeaderMismatch",
            SaBoundToOtherVif { .. } => "SaBoundToOtherVif",
            SaNotInBundle { .. } => "SaNotInBundle",
            SaNotFirstInBundle { .. } => "SaNotFirstInBundle",
            SpiNotInBundle { .. } => "SpiNotInBundle",
            DecapsulatedHeaderMismatch { .. } => "DecapsulatedHeaderMismatch",
            SpiNotFound { .. } => "SpiNotFound",
            IpsecSaMismatch { .. } => "IpsecSaMismatch",
            SaBundleNotFound { .. } => "SaBundleNotFound",
            Decapsulation { .. } => "Decapsulation",
            Encapsulation { .. } => "Encapsulation",
            SaUnusable { .. } => "SaUnusable",
            NotLocal => "NotLocal",
            DecapsulatedNotLocal => "DecapsulatedNotLocal",
            WaitingQueueFull { .. } => "WaitingQueueFull",
            FailedToBuildBundle { .. } => "FailedToBuildBundle",
            SaRequestsLimit { .. } => "SaRequestsLimit",
            SaRequestsLimitForFilter { .. } => "SaRequestsLimitForFilter",
            SaQueueOverflow { .. } => "SaQueueOverflow",
            TooLargeForIpsec { .. } => "TooLargeForIpsec",
            IcmpPmtudProcessed => "IcmpPmtudProcessed",
            DriverBeingConfigured => "DriverBeingConfigured",
            ConfigIdMismatch { .. } => "ConfigIdMismatch",
            IpsecFilterDead { .. } => "IpsecFilterDead",
            SaRequestOutOfMemory { .. } => "SaRequestOutOfMemory",
            CannotAllocatePacketBuffer => "CannotAllocatePacketBuffer",
            CannotPrepareSaListOutOfMemory => "CannotPrepareSaListOutOfMemory",
            IkecfgDestinationUnchanged => "IkecfgDestinationUnchanged",
            IkecfgSourceNotVirtual => "IkecfgSourceNotVirtual",
            DfSetCannotFragment { .. } => "DfSetCannotFragment",
            CannotFragment { .. } => "CannotFragment",
            DriverDefaultPolicy => "DriverDefaultPolicy",
            IpDataNotAligned => "IpDataNotAligned",
            UnknownNetworkInterface => "UnknownNetworkInterface",
            UnknownPhysicalInterface => "UnknownPhysicalInterface",
        }
    }
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use DropReason::*;
        match *self {
            CorruptedIpHeader => f.write_str("corrupted IP header"),
            CorruptedProtocolHeaders => f.write_str("corrupted protocol headers"),
            CorruptedIpHeaderAfterReassembly => f.write_str("corrupted IP header after reassembly"),
            CorruptedProtocolHeadersAfterReassembly => {
                f.write_str("corrupted protocol headers after reassembly")
            }
            CorruptedAfterDecapsulation { sa } => {
                write!(f, "SA {sa}: corrupted protocol headers after decapsulation")
            }
            UnableToFetchSpi => f.write_str("unable to fetch SPI"),
            TooManyNestedEncapsulations => f.write_str("too many nested encapsulations"),
            TooManyNestedEncapsulationsRecursive => {
                f.write_str("too many nested encapsulations (recursive policy?)")
            }
            Firewall => f.write_str("firewall"),
            IpsecPolicy => f.write_str("IPsec policy"),
            SaFilter => f.write_str("SA filter"),
            Classification => f.write_str("classification"),
            IpsecPacketNotExpected { filter } => {
                write!(f, "filter {filter}: IPsec packet is not expected")
            }
            MustBeProtected { filter } => {
                write!(f, "filter {filter}: packet must be protected with IPsec")
            }
            LacksRequiredIpsecLayer => f.write_str("packet lacks required IPsec layer"),
            TunnelHeaderMismatch { sa } => write!(f, "tunnel header doesn't match SA {sa}"),
            SaBoundToOtherVif { sa } => {
                write!(f, "SA {sa} is bound to filter which doesn't match current vif")
            }
            SaNotInBundle { sa } => write!(f, "SA {sa} is not in a bundle"),
            SaNotFirstInBundle { sa } => write!(f, "SA {sa} is not the first SA in a bundle"),
            SpiNotInBundle { spi } => write!(f, "SPI 0x{spi:08x} is not found in SA bundle"),
            DecapsulatedHeaderMismatch { sa } => {
                write!(f, "SA {sa}: decapsulated packet's IP header doesn't match the SA")
            }
            SpiNotFound { spi } => write!(f, "SPI 0x{spi:08x} not found in hash"),
            IpsecSaMismatch { filter } => write!(f, "filter {filter}: IPsec SA doesn't match"),
            SaBundleNotFound { filter } => write!(f, "filter {filter}: SA bundle not found"),
            Decapsulation { sa, error } => {
                write!(f, "SA {sa}: decapsulation error {}: {}", error.code(), error.text())
            }
            Encapsulation { sa, error } => {
                write!(f, "SA {sa}: encapsulation error {}: {}", error.code(), error.text())
            }
            SaUnusable { sa } => write!(f, "SA {sa} is unusable"),
            NotLocal => f.write_str("packet is not local (not a security gateway)"),
            DecapsulatedNotLocal => {
                f.write_str("decapsulated packet is not local (not a security gateway)")
            }
            WaitingQueueFull { filter, limit } => {
                write!(f, "filter {filter}: reached limit of {limit} packets waiting for SA")
            }
            FailedToBuildBundle { filter } => write!(f, "filter {filter}: failed to build SA bundle"),
            SaRequestsLimit { limit } => write!(f, "reached limit of {limit} SA requests"),
            SaRequestsLimitForFilter { limit, filter } => {
                write!(f, "reached limit of {limit} SA requests for filter {filter}")
            }
            SaQueueOverflow { sa } => write!(f, "SA {sa}: queue overflow"),
            TooLargeForIpsec { length } => {
                write!(f, "packet is too large for IPsec, length after encapsulation {length}")
            }
            IcmpPmtudProcessed => f.write_str("ICMP PMTUD message processed"),
            DriverBeingConfigured => f.write_str("driver is being configured"),
            ConfigIdMismatch { packet, current } => {
                write!(f, "packet config id {packet} don't match current id {current}")
            }
            IpsecFilterDead { filter } => write!(f, "IPsec filter {filter} is dead"),
            SaRequestOutOfMemory { filter } => {
                write!(f, "filter {filter}: failed to send SA request: out of memory")
            }
            CannotAllocatePacketBuffer => f.write_str("can't allocate packet buffer"),
            CannotPrepareSaListOutOfMemory => f.write_str("can't prepare SA list: out of memory"),
            IkecfgDestinationUnchanged => f.write_str(
                "IP destination have not been changed for a packet which had come from IKEcfg virtual interface",
            ),
            IkecfgSourceNotVirtual => {
                f.write_str("IP source address is not an address of IKEcfg virtual interface")
            }
            DfSetCannotFragment { mtu } => {
                write!(f, "DF bit set, can't fragment packet, path MTU {mtu}")
            }
            CannotFragment { mtu } => write!(f, "can't fragment packet, path MTU {mtu}"),
            DriverDefaultPolicy => f.write_str("driver default policy"),
            IpDataNotAligned => f.write_str("ip data is not 4-byte aligned"),
            UnknownNetworkInterface => f.write_str("unknown network interface"),
            UnknownPhysicalInterface => f.write_str("unknown physical network interface"),
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate alloc;
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn ipsec_error_texts_and_codes() {
        for (i, e) in IpsecError::ALL.iter().enumerate() {
            assert_eq!(usize::from(e.code()), i + 1);
            assert_eq!(IpsecError::from_code(e.code()), Some(*e));
        }
        assert_eq!(IpsecError::from_code(0), None);
        assert_eq!(IpsecError::from_code(19), None);
        assert_eq!(
            DropReason::Decapsulation {
                sa: 33,
                error: IpsecError::IntegrityFailed
            }
            .to_string(),
            "SA 33: decapsulation error 5: integrity verification failed"
        );
        assert_eq!(
            DropReason::Encapsulation {
                sa: 33,
                error: IpsecError::SequenceNumberWrapped
            }
            .to_string(),
            "SA 33: encapsulation error 4: sequence number wrapped"
        );
    }

    #[test]
    fn drop_texts_match_the_guide() {
        // Examples printed in the Bel VPN Client guide §13.20 (drop group).
        let cases: &[(DropReason, &str)] = &[
            (
                DropReason::SpiNotInBundle { spi: 0xfa849e11 },
                "SPI 0xfa849e11 is not found in SA bundle",
            ),
            (
                DropReason::SpiNotFound { spi: 0xabababab },
                "SPI 0xabababab not found in hash",
            ),
            (
                DropReason::WaitingQueueFull {
                    filter: 12,
                    limit: 8,
                },
                "filter 12: reached limit of 8 packets waiting for SA",
            ),
            (
                DropReason::SaRequestsLimitForFilter {
                    limit: 8,
                    filter: 12,
                },
                "reached limit of 8 SA requests for filter 12",
            ),
            (
                DropReason::TooLargeForIpsec { length: 65550 },
                "packet is too large for IPsec, length after encapsulation 65550",
            ),
            (
                DropReason::ConfigIdMismatch {
                    packet: 11,
                    current: 12,
                },
                "packet config id 11 don't match current id 12",
            ),
            (
                DropReason::TooManyNestedEncapsulationsRecursive,
                "too many nested encapsulations (recursive policy?)",
            ),
            (
                DropReason::DfSetCannotFragment { mtu: 1500 },
                "DF bit set, can't fragment packet, path MTU 1500",
            ),
            (
                DropReason::IpDataNotAligned,
                "ip data is not 4-byte aligned",
            ),
            (
                DropReason::UnknownNetworkInterface,
                "unknown network interface",
            ),
            (
                DropReason::UnknownPhysicalInterface,
                "unknown physical network interface",
            ),
        ];
        for (r, want) in cases {
            assert_eq!(r.to_string(), *want);
        }
    }
    #[test]
    fn every_drop_reason_once_in_all() {
        for (i, r) in DropReason::ALL.iter().enumerate() {
            assert_eq!(r.index(), i, "{}", r.name());
            assert!(!r.to_string().is_empty());
        }
    }
}
