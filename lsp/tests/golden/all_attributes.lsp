GlobalParameters (
 Title = "every structure and attribute of lsp.md §5"
 Version = LSP_4_2
 CRLHandlingMode = OPTIONAL
 PreserveIPsecSA = TRUE
 AllowNestedIPsec = TRUE
 TCPStrictnessLevel = 5
 TCPClosedTTL = 6
 TCPSynSentTTL = 31
 TCPSynRcvdTTL = 61
 TCPEstablishedTTL = 3601
 TCPFinTTL = 32
 TCPSessionsMax = 1000
 TCPHalfOpenMax = 100
 TCPHalfOpenLow = 50
 TCPConnRateMax = 200
 TCPConnRateLow = 150
)

LDAPSettings (
 ResponseTimeout = 10
 HoldConnectTimeout = 20
 DropConnectTimeout = 3
)

CertDescription cert_local(
 Subject *= "C=BY,O=Org,CN=host"
 Issuer *= "C=BY,O=Org,CN=CA"
 SerialNumber *= "01AF"
)

IdentityEntry id_ip(
 IPv4Address *= 192.0.2.1, 192.0.2.8..192.0.2.15
)

IdentityEntry id_fqdn(
 FQDN *= "host.example.org"
)

IdentityEntry id_user(
 UserFQDN *= "user@example.org"
)

IdentityEntry id_dn(
 X509SubjectDN *= "C=BY,O=Org,CN=*"
)

IdentityEntry id_key(
 KeyID *= "0A0B0C"
)

AuthMethodPreshared psk(
 SharedIKESecret = "psk_name"
 LocalID = id_ip
 RemoteID = id_fqdn
)

AuthMethodDSSign ds(
 LocalID = id_dn
 RemoteID = id_user
 LocalCredential = cert_local
 RemoteCredential *= cert_local
 SendCertMode = ALWAYS
 SendRequestMode = AUTO
)

AuthMethodGOSTSign gost_sign(
 LocalCredential = cert_local
 LocalID = id_key
)

AuthMethodRSASign rsa_sign(
 LocalCredential = cert_local
)

IKEParameters (
 DefaultPort = 501
 SendRetries = 3
 RetryTimeBase = 2
 RetryTimeMax = 20
 SessionTimeMax = 90
 FragmentSize = 1200
 NATTPort = 4501
 NATKeepAliveInterval = 15
 InitiatorSessionsMax = 11
 ResponderSessionsMax = 12
 BlacklogSessionsMax = 100
 BlacklogSessionsMin = 10
 BlacklogSilentSessions = 5
 BlacklogRelaxTime = 60
 BlacklogMinDelay = 1
 BlacklogMaxDelay = 9
)

IKETransform ike_t(
 CipherAlg *= "AES-K256-CBC", "G2814789CPRO1-K256-CBC-65534"
 HashAlg *= "SHA2-256", "GR341194CPRO1-65534"
 GroupID *= ECP_256, MODP_2048
 LifetimeSeconds = 3600
 LifetimeKilobytes = 100000
)

IKETC26Transform ike_tc26(
 CipherAlg *= "G2814789CPRO1-K256-CBC-65534"
 HashAlg *= "GR341194CPRO1-65534"
 GroupID *= MODP_2048
 LifetimeSeconds = 7200
 LifetimeKilobytes = 0
)

IKECFGAddressPool pool(
 Addresses *= 10.20.0.10..10.20.0.99
 SubnetMask = 255.255.255.0
 DNSServers *= 10.20.0.53
 WINSServers *= 10.20.0.54
 SplitNetworks *= 10.20.0.0..10.20.255.255
)

IKERule rule_client(
 PeerAddress *= 203.0.113.5, "gw.example.org"
 DoAutopass = FALSE
 MainModeAuthMethod *= psk, ds
 AggrModeAuthMethod *= gost_sign
 Transform *= ike_t, ike_tc26
 IKECFGRequestAddress = TRUE
 XAUTHMode = CLIENT
 XAUTHUser = "alice"
 XAUTHSecret = "alice_pw"
 NATTraversal = FORCE
 DPDInterval = 30
 DPDRetryInterval = 10
 DPDRetries = 4
)

IKERule rule_gw(
 MainModeAuthMethod *= rsa_sign
 Transform *= ike_t
 IKECFGAddressPool = pool
)

AHTransform ah_t(
 IntegrityAlg = "SHA1-H96-HMAC"
 LifetimeSeconds = 1800
 LifetimeKilobytes = 1000000
)

AHTransform ah_tc26_t(
 IntegrityAlg = "GR341215K-K256-MAC-65529"
)

ESPTransform esp_t(
 CipherAlg = "AES-K128-CBC"
 IntegrityAlg = "SHA2-256-H128-HMAC"
 LifetimeSeconds = 1800
 LifetimeKilobytes = 1000000
)

ESPTransform esp_tc26_t(
 CipherAlg = "G2814789CPRO1-K256-CBC-254"
 IntegrityAlg = "GR341215K-K256-MAC-65529"
)

AHProposal ah_p(
 Transform *= ah_t
)

ESPProposal esp_p(
 Transform *= esp_t
)

AHTC26Proposal ah_tc26_p(
 Transform *= ah_tc26_t
)

ESPTC26Proposal esp_tc26_p(
 Transform *= esp_tc26_t
)

Schedule sched(
 DaysOfWeek *= MON, FRI
 TimeOfDay *= 09:00..17:00, 22:00..02:00
 ValidFrom = 2025.01.01
 ValidTo = 2030.12.31
)

Filter f_named(
 SourceIPAddress *= 10.0.0.0..10.0.0.255
 DestinationIPAddress *= 10.1.0.1
 ProtocolID *= 6
 SourcePort *= 1024..65535
 DestinationPort *= 21
 ICMPType *= 8
 ICMPCode *= 0
 PacketType *= LOCAL_UNICAST
 Schedule = sched
 Log = TRUE
 Label = first
 Action = PASS
 TCPStateful = TRUE
 FTPInspection = TRUE
)

FilterChain fw(
 Filters *= f_named, Filter(
  JumpTo = last
 ), Filter(
  Label = last
  Action = DROP
 )
 DefaultAction = PASS
)

TunnelEntry tun(
 PeerAddress = 203.0.113.5
 LocalAddress = 192.0.2.1
 DFHandling = CLEAR
)

IPsecAction act(
 ContainedProposals *= esp_p, (ah_p, esp_p), (ah_tc26_p, esp_tc26_p), esp_tc26_p, (ah_p)
 TunnelingParameters *= tun
 InputFilter = fw
 PFSGroup = MODP_2048
 IKERule = rule_client
 FallbackAction = NEGOTIATE
 PacketQueueSize = 16
 BundleRequestsMax = 4
 PMTUDiscovery = FALSE
)

FilteringRule fr_protect(
 SourceIPAddress *= 192.0.2.1
 DestinationIPAddress *= 10.1.0.0..10.1.255.255
 ProtocolID *= 6, 17
 SourcePort *= 0..65535
 DestinationPort *= 443
 ICMPType *= 0
 ICMPCode *= 0
 PacketType *= LOCAL_UNICAST, TRANSIT
 Schedule = sched
 Log = TRUE
 Action = PROTECT
 IPsecAction = act
)

FilteringRule fr_pass(
 Action = PASS
)

FilterChain policy(
 Filters *= fr_protect, fr_pass
 DefaultAction = DROP
)

NetworkInterface (
 LogicalName = "eth0"
 Priority = 5
 InputFilter = fw
 OutputFilter = fw
 IPsecPolicy = policy
)
