// Package configs holds the documented default configuration, i2pgate.toml, and
// embeds it so that the binary runs without a config file. Parsing and validation
// are left to cmd/i2pgate.
package configs

import (
	"bytes"
	_ "embed"
)

//go:embed i2pgate.toml
var defaultTOML []byte

// Default returns a copy of the text of configs/i2pgate.toml.
func Default() []byte { return bytes.Clone(defaultTOML) }
