package i2np

import "strconv"

// Type is the I2NP message type of the header (i2np.rst "Messages").
type Type uint8

// Message types in use on the network.
const (
	TypeDatabaseStore            Type = 1
	TypeDatabaseLookup           Type = 2
	TypeDatabaseSearchReply      Type = 3
	TypeDeliveryStatus           Type = 10
	TypeGarlic                   Type = 11
	TypeTunnelData               Type = 18
	TypeTunnelGateway            Type = 19
	TypeData                     Type = 20
	TypeTunnelBuild              Type = 21
	TypeTunnelBuildReply         Type = 22
	TypeVariableTunnelBuild      Type = 23
	TypeVariableTunnelBuildReply Type = 24
	TypeShortTunnelBuild         Type = 25
	TypeOutboundTunnelBuildReply Type = 26
)

// Known reports whether t is one of the message types this package decodes.
func (t Type) Known() bool {
	return t.name() != ""
}

// String returns the spec name of t, or "Type(N)" for other values.
func (t Type) String() string {
	if n := t.name(); n != "" {
		return n
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

func (t Type) name() string {
	switch t {
	case TypeDatabaseStore:
		return "DatabaseStore"
	case TypeDatabaseLookup:
		return "DatabaseLookup"
	case TypeDatabaseSearchReply:
		return "DatabaseSearchReply"
	case TypeDeliveryStatus:
		return "DeliveryStatus"
	case TypeGarlic:
		return "Garlic"
	case TypeTunnelData:
		return "TunnelData"
	case TypeTunnelGateway:
		return "TunnelGateway"
	case TypeData:
		return "Data"
	case TypeTunnelBuild:
		return "TunnelBuild"
	case TypeTunnelBuildReply:
		return "TunnelBuildReply"
	case TypeVariableTunnelBuild:
		return "VariableTunnelBuild"
	case TypeVariableTunnelBuildReply:
		return "VariableTunnelBuildReply"
	case TypeShortTunnelBuild:
		return "ShortTunnelBuild"
	case TypeOutboundTunnelBuildReply:
		return "OutboundTunnelBuildReply"
	}
	return ""
}
