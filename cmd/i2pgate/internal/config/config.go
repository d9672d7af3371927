// Package config reads i2pgate's TOML configuration: the embedded default
// (configs/i2pgate.toml), an optional file on top of it, and --section.key=value
// overrides from the command line, in that order. It validates every value and
// names the offending key in its errors. What the values mean is left to the
// packages that cmd/i2pgate hands them to.
package config

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"i2pgate/cmd/i2pgate/internal/config/toml"
	"i2pgate/configs"
)

// Config is the whole configuration. The toml tags are the key names, which are a
// contract: scripts and packages depend on them, so keys are added, never renamed.
type Config struct {
	DataDir       string `toml:"datadir"`
	NetID         int    `toml:"netid"`
	Host          string `toml:"host"`
	Port          int    `toml:"port"`
	ReservedRange bool   `toml:"reservedrange"`
	Floodfill     bool   `toml:"floodfill"`
	Bandwidth     string `toml:"bandwidth"`
	LogLevel      string `toml:"loglevel"`

	NTCP2       NTCP2       `toml:"ntcp2"`
	SSU2        SSU2        `toml:"ssu2"`
	Reseed      Reseed      `toml:"reseed"`
	Console     Console     `toml:"console"`
	HTTPProxy   HTTPProxy   `toml:"httpproxy"`
	Socks       Socks       `toml:"socks"`
	DNS         Listener    `toml:"dns"`
	Transparent Listener    `toml:"transparent"`
	Automap     Automap     `toml:"automap"`
	LAN         LAN         `toml:"lan"`
	AddressBook AddressBook `toml:"addressbook"`
	Limits      Limits      `toml:"limits"`
	Storage     Storage     `toml:"storage"`
	Clock       Clock       `toml:"clock"`

	// Tunnels are the client and server tunnels, [tunnels.NAME] sections
	// with i2pd's key names.
	Tunnels map[string]Tunnel `toml:"tunnels"`
}

// Console is the [console] section.
type Console struct {
	Address  string `toml:"address"`
	Password string `toml:"password"` // empty: no password
}

// HTTPProxy is the [httpproxy] section.
type HTTPProxy struct {
	Address string `toml:"address"`
	// Outproxy is an .i2p host:port that non-.i2p requests go to; empty
	// refuses them.
	Outproxy string `toml:"outproxy"`
}

// Socks is the [socks] section.
type Socks struct {
	Address string `toml:"address"`
	// Isolation "client" gives each LAN client address its own
	// destination; "none" shares one.
	Isolation string `toml:"isolation"`
}

// Automap is the [automap] section: the virtual address ranges .i2p names
// are mapped into.
type Automap struct {
	Network  string `toml:"network"`
	Network6 string `toml:"network6"` // empty: no IPv6 answers
}

// LAN is the [lan] section.
type LAN struct {
	// Allow lists the client networks (CIDR) every listener accepts.
	Allow []string `toml:"allow"`
}

// AddressBook is the [addressbook] section.
type AddressBook struct {
	Subscriptions []string `toml:"subscriptions"`
	// InitialDelay is the wait in seconds before the first fetch.
	InitialDelay int `toml:"initialdelay"`
}

// Tunnel is one [tunnels.NAME] section, with i2pd's tunnels.conf keys.
type Tunnel struct {
	// Type is "client", "server" or "http".
	Type string `toml:"type"`
	// Client: the local listener (address, port) and the remote
	// destination (b32, name or base64) and its port.
	Address         string `toml:"address"`
	Port            int    `toml:"port"`
	Destination     string `toml:"destination"`
	DestinationPort int    `toml:"destinationport"`
	// Server: the local service (host, port); keys is the destination's
	// keys file in the data directory (created on first use); inport the
	// I2P port served (0: any).
	Host   string `toml:"host"`
	Keys   string `toml:"keys"`
	InPort int    `toml:"inport"`
	// Inbound and Outbound are the tunnel pool settings
	// (inbound.length, outbound.quantity, ...).
	Inbound  TunnelSide `toml:"inbound"`
	Outbound TunnelSide `toml:"outbound"`
}

// TunnelSide is the inbound.* or outbound.* keys of a tunnel.
type TunnelSide struct {
	Length   int `toml:"length"`
	Quantity int `toml:"quantity"`
}

// Limits is the [limits] section.
type Limits struct {
	// TransitTunnels caps the tunnels of other routers we carry; 0 refuses
	// all transit (a bad citizen: only for testing).
	TransitTunnels int `toml:"transittunnels"`
	// Memory is the memory ceiling in MB: the Go runtime's soft limit;
	// the transit budget (a quarter of it), the netdb's RouterInfo cap
	// and the router's memory pressure levels are scaled from it.
	Memory int `toml:"memory"`
}

// Clock is the [clock] section.
type Clock struct {
	// SNTP servers ("host" or "host:port") asked for the time at start
	// and every 4 hours, for boxes without a real-time clock; empty: none.
	SNTP []string `toml:"sntp"`
}

// Storage is the [storage] section.
type Storage struct {
	// Mode "disk" keeps everything in the data directory; "ram" keeps
	// the netdb and peer profiles in memory (tiny flash).
	Mode string `toml:"mode"`
}

// NTCP2 is the [ntcp2] section.
type NTCP2 struct {
	Enabled bool `toml:"enabled"`
	Port    int  `toml:"port"` // 0: the top-level port
}

// SSU2 is the [ssu2] section.
type SSU2 struct {
	Enabled bool `toml:"enabled"`
}

// Reseed is the [reseed] section.
type Reseed struct {
	URLs      []string `toml:"urls"`
	File      string   `toml:"file"`
	Threshold int      `toml:"threshold"` // reseed below this many known routers
	CertsDir  string   `toml:"certsdir"`  // SU3 signer certificates (*.crt)
	// Command downloads the reseed URLs instead of the built-in client:
	// a program (absolute path or name in PATH) and its arguments, run
	// without a shell with the URL appended, writing the SU3 to stdout.
	Command []string `toml:"command"`
}

// Listener is a section that only names a listening address; empty disables it.
type Listener struct {
	Address string `toml:"address"`
}

// Load builds the configuration: the embedded default, then the file at path
// (skipped when path is empty), then the command-line overrides, each of the form
// "--key=value", "--section.key=value" or a bare "--boolkey".
func Load(path string, overrides []string) (*Config, error) {
	c, err := Default()
	if err != nil {
		return nil, err
	}
	if path != "" {
		text, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		if err := c.decode(path, text); err != nil {
			return nil, err
		}
	}
	for _, o := range overrides {
		if err := c.Override(o); err != nil {
			return nil, err
		}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// Default returns the embedded default configuration.
func Default() (*Config, error) {
	c := new(Config)
	if err := c.decode("embedded default", configs.Default()); err != nil {
		return nil, err
	}
	return c, nil
}

// decode lays the TOML text over c; keys the text does not name keep their value.
// Every key no field takes is reported, each with its line.
func (c *Config) decode(name string, text []byte) error {
	err := toml.Decode(text, c)
	if err == nil {
		return nil
	}
	all := []error{err}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		all = joined.Unwrap()
	}
	errs := make([]error, len(all))
	for i, e := range all {
		errs[i] = fmt.Errorf("config: %s: %w", name, e)
	}
	return errors.Join(errs...)
}

// Override applies one command-line override, "--key=value" or a bare "--key"
// meaning true for a boolean key.
func (c *Config) Override(arg string) error {
	s, ok := strings.CutPrefix(arg, "--")
	if !ok || s == "" {
		return fmt.Errorf("config: %q: an override is --key=value", arg)
	}
	key, value, hasValue := strings.Cut(s, "=")
	return c.Set(key, value, hasValue)
}
