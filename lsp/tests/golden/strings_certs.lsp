GlobalParameters (
 Title = "Шлюз �� raw
newline"
)
CertDescription c( Subject *= "C=BY,O=\"Bank\",CN=*" SerialNumber *= "00ff" )
CertDescription gw( Issuer *= "CN=Root" )
IdentityEntry me( KeyID *= "0A1B" )
AuthMethodRSASign sig( LocalCredential = c RemoteCredential *= gw, CertDescription( Subject *= "CN=other" ) LocalID = me SendCertMode = NEVER )
IKETransform t( CipherAlg *= "AES-K128-CBC", "DES3-K168-CBC" HashAlg *= "SHA1", "MD5" GroupID *= MODP_2048, ECP_256 LifetimeKilobytes = 1000 )
IKERule r( AggrModeAuthMethod *= sig Transform *= t, IKETransform( CipherAlg *= "BELT-K256-CBC" HashAlg *= "BELT-HASH" GroupID *= BIGN_256 ) )
NetworkInterface ( )
