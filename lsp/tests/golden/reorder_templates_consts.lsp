# Written out of canonical order, with templates, constants, hex numbers, NULL, comments,
# a named inline structure, a string DNS name and `(esp)` shorthand.
NetworkInterface ( LogicalName = "eth*" Priority = 0Ah IPsecPolicy = policy InputFilter = fw )
const lan = 10.0.0.0..10.0.255.255
const web = 80, 443
FilterChain policy( Filters *= rule_vpn, rule_dhcp DefaultAction = DROP )
FilteringRule rule_dhcp( ProtocolID *= 17 SourcePort *= 68 DestinationPort *= 67 Action = PASS )
FilteringRule rule_vpn( DestinationIPAddress *= lan Action = PROTECT IPsecAction = act )
IPsecAction act(
  ContainedProposals = (ah_p, esp_p), (esp_p)
  TunnelingParameters *= TunnelEntry( PeerAddress = "gw.example.org" ),
                         TunnelEntry tun2( PeerAddress = 192.0.2.7 DFHandling = SET )
  IKERule = NULL
)
ESPProposal esp_p( Transform = ESPTransform( CipherAlg = "AES-K256-CBC" IntegrityAlg = "SHA2-256-H128-HMAC" LifetimeSeconds = 0E10h ) )
AHProposal ah_p( Transform *= AHTransform( IntegrityAlg = "SHA1-H96-HMAC" ) )
Filter web_base( ProtocolID *= 6 DestinationPort *= web Log = TRUE Action = DROP )
FilterChain fw( Filters *= Filter( web_base Action = PASS ), Filter( Action = DROP ) )
IKETransform t( CipherAlg *= "AES-K128-CBC" HashAlg *= "SHA1" GroupID *= MODP_2048 )
AuthMethodPreshared psk( SharedIKESecret = "key \"1\" \\ \d" )
IKERule r( PeerAddress *= 192.0.2.7, "gw.example.org", 198.51.100.0..198.51.100.255 MainModeAuthMethod *= psk Transform *= t )
GlobalParameters ( Version = "LSP_4_1" Title = "Golden" )
