GlobalParameters (
 Title = "Zubr daemon against the strongSwan interop lab (psk-aggr: aggressive mode, responder ID FQDN)"
 Version = LSP_4_0
 CRLHandlingMode = DISABLE
)

IdentityEntry me(
)

IdentityEntry peer_id(
 FQDN *= "peer.ikev1.test"
)

AuthMethodPreshared psk(
 SharedIKESecret = "interop-test-psk"
 LocalID = me
 RemoteID = peer_id
)

IKEParameters (
 SendRetries = 5
 RetryTimeBase = 1
 RetryTimeMax = 8
 SessionTimeMax = 60
)

IKETransform ike_aes(
 CipherAlg *= "AES-K128-CBC"
 HashAlg *= "SHA1"
 GroupID *= MODP_1024
 LifetimeSeconds = 3600
)

IKERule ike_peer(
 PeerAddress *= 10.77.0.2
 DoAutopass = TRUE
 AggrModeAuthMethod *= psk
 Transform *= ike_aes
 NATTraversal = FORCE
)

ESPTransform esp_aes(
 CipherAlg = "AES-K128-CBC"
 IntegrityAlg = "SHA1-H96-HMAC"
 LifetimeSeconds = 1200
)

ESPProposal esp_p(
 Transform *= esp_aes
)

IPsecAction to_peer(
 ContainedProposals *= esp_p
 TunnelingParameters *= TunnelEntry(
  PeerAddress = 10.77.0.2
 )
 IKERule = ike_peer
 PFSGroup = NONE
 FallbackAction = NEGOTIATE
 PacketQueueSize = 8
)

FilteringRule protected(
 SourceIPAddress *= 10.88.0.0..10.88.0.255
 DestinationIPAddress *= 10.99.0.0..10.99.0.255
 Action = PROTECT
 IPsecAction = to_peer
)

FilterChain pol(
 Filters *= protected
 DefaultAction = PASS
)

NetworkInterface (
 LogicalName = "*"
 IPsecPolicy = pol
)
