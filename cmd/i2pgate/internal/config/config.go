// Package config reads i2pgate's TOML configuration: the embedded default
// (configs/i2pgate.toml), an optional file on top of it, and --section.key=value
// overrides from the command line, in that order. It validates every value and
// names the offending key in its errors. What the values mean is left to the
// packages that cmd/i2pgate hands them to.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/BurntSushi/toml"

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

	NTCP2     NTCP2    `toml:"ntcp2"`
	SSU2      SSU2     `toml:"ssu2"`
	Reseed    Reseed   `toml:"reseed"`
	Console   Listener `toml:"console"`
	HTTPProxy Listener `toml:"httpproxy"`
	Socks     Listener `toml:"socks"`
	DNS       Listener `toml:"dns"`
	Limits    Limits   `toml:"limits"`
}

// Limits is the [limits] section.
type Limits struct {
	// TransitTunnels caps the tunnels of other routers we carry; 0 refuses
	// all transit (a bad citizen: only for testing).
	TransitTunnels int `toml:"transittunnels"`
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
func (c *Config) decode(name string, text []byte) error {
	md, err := toml.NewDecoder(bytes.NewReader(text)).Decode(c)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return fmt.Errorf("config: %s: line %d: %s", name, perr.Position.Line, perr.Message)
		}
		return fmt.Errorf("config: %s: %w", name, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return fmt.Errorf("config: %s: unknown key %q", name, strings.Join(keys, `", "`))
	}
	return nil
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
