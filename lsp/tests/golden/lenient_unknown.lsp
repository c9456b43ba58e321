RealSTerraThing rt( Mode = FAST Window = 08:00..09:00 Range = 1..5 Pair = (a, b) When = 2025.01.01 )
IKEParameters ( DefaultPort = 500 UnknownKnob *= 1, 2 )
NetworkInterface ( LogicalName = "eth0" Colour = "blue" )
