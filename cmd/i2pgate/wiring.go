package main

import (
	"io"
	"log/slog"
	"strings"

	"i2pgate/cmd/i2pgate/internal/config"
	"i2pgate/router"
)

// routerConfig turns the file configuration into the router's.
func routerConfig(c *config.Config, log *slog.Logger) router.Config {
	kbps, _ := config.BandwidthKBps(c.Bandwidth) // validated by config.Load
	return router.Config{
		DataDir:       c.DataDir,
		NetID:         c.NetID,
		Host:          c.Host,
		Port:          c.Port,
		ReservedRange: c.ReservedRange,
		Floodfill:     c.Floodfill,
		BandwidthKBps: kbps,
		BandwidthCaps: config.BandwidthClass(kbps),
		NTCP2Enabled:  c.NTCP2.Enabled,
		NTCP2Port:     c.NTCP2.Port,
		SSU2Enabled:   c.SSU2.Enabled,

		ReseedURLs:      c.Reseed.URLs,
		ReseedFile:      c.Reseed.File,
		ReseedCertsDir:  c.Reseed.CertsDir,
		ReseedThreshold: c.Reseed.Threshold,
		ReseedCommand:   c.Reseed.Command,
		SNTPServers:     c.Clock.SNTP,
		TransitTunnels:  transitLimit(c.Limits.TransitTunnels),
		MemoryBytes:     int64(c.Limits.Memory) << 20,
		StorageRAM:      c.Storage.Mode == "ram",
		Logger:          log,
	}
}

// newLogger returns a text logger at level, which a reload may change.
func newLogger(w io.Writer, level *slog.LevelVar) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// logLevel maps loglevel to slog's levels (info when unknown).
func logLevel(level string) slog.Level {
	switch strings.ToLower(level) {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// transitLimit maps limits.transittunnels to the router's setting, where 0
// means the default and a negative number refuses all transit.
func transitLimit(n int) int {
	if n == 0 {
		return -1
	}
	return n
}
