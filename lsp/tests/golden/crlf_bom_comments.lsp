# BOM, CRLF line ends, tabs and both comment forms
GlobalParameters (	Title = "crlf" /* inline
 comment */ CRLHandlingMode = OPTIONAL )
Schedule nights( TimeOfDay * = 22:00:00..06:30 DaysOfWeek = SUN, MON ValidFrom = 2025.01.01 )
FilterChain out( Filters *= Filter( Schedule = nights ProtocolID *= 6 DestinationPort *= 22 TCPStateful = TRUE Action = PASS ) DefaultAction = PASS )
NetworkInterface ( OutputFilter = out )
NetworkInterface ( LogicalName = "wlan?" )
