package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Bandwidth classes of the I2P "caps" option with their upper bound in KB/s.
var bandwidthClasses = []struct {
	letter  byte
	maxKBps int
}{
	{'K', 12}, {'L', 48}, {'M', 64}, {'N', 128}, {'O', 256}, {'P', 2000}, {'X', 1 << 30},
}

// Validate checks every value and returns the first problem, naming its key.
func (c *Config) Validate() error {
	var errs []error
	check := func(key string, err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("config: %s: %w", key, err))
		}
	}
	check("datadir", nonEmpty(c.DataDir))
	check("netid", inRange(c.NetID, 1, 255))
	check("host", validHost(c.Host))
	check("port", inRange(c.Port, 0, 65535))
	check("ntcp2.port", inRange(c.NTCP2.Port, 0, 65535))
	_, err := BandwidthKBps(c.Bandwidth)
	check("bandwidth", err)
	check("loglevel", oneOf(strings.ToLower(c.LogLevel), "debug", "info", "warn", "error"))
	check("reseed.threshold", inRange(c.Reseed.Threshold, 1, 1000))
	for _, u := range c.Reseed.URLs {
		check("reseed.urls", validReseedURL(u))
	}
	check("reseed.command", validCommand(c.Reseed.Command))
	check("limits.transittunnels", inRange(c.Limits.TransitTunnels, 0, 100000))
	check("limits.memory", inRange(c.Limits.Memory, 16, 65536))
	check("storage.mode", oneOf(c.Storage.Mode, "disk", "ram"))
	for _, s := range c.Clock.SNTP {
		check("clock.sntp", validSNTPServer(s))
	}
	check("console.address", validListen(c.Console.Address))
	check("httpproxy.address", validListen(c.HTTPProxy.Address))
	check("socks.address", validListen(c.Socks.Address))
	check("dns.address", validListen(c.DNS.Address))
	check("transparent.address", validListen(c.Transparent.Address))
	check("automap.network", validPrefix(c.Automap.Network, true, false))
	check("automap.network6", validPrefix(c.Automap.Network6, false, true))
	for _, a := range c.LAN.Allow {
		check("lan.allow", validPrefix(a, true, true))
	}
	for _, u := range c.AddressBook.Subscriptions {
		check("addressbook.subscriptions", validSubscription(u))
	}
	check("addressbook.initialdelay", inRange(c.AddressBook.InitialDelay, 0, 86400))
	check("socks.isolation", oneOf(c.Socks.Isolation, "none", "client"))
	if c.HTTPProxy.Outproxy != "" {
		check("httpproxy.outproxy", validI2PHostPort(c.HTTPProxy.Outproxy))
	}
	names := make([]string, 0, len(c.Tunnels))
	for name := range c.Tunnels {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t := c.Tunnels[name]
		errs = append(errs, t.validate("tunnels."+name)...)
	}
	return errors.Join(errs...)
}

// validPrefix checks a CIDR prefix of the allowed families; empty passes
// (the key is optional or off).
func validPrefix(s string, v4, v6 bool) error {
	if s == "" {
		return nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return fmt.Errorf("%q is not a CIDR prefix (such as 10.192.0.0/10)", s)
	}
	if p.Addr().Is4() && !v4 || p.Addr().Is6() && !v6 {
		return fmt.Errorf("%q is of the wrong address family", s)
	}
	return nil
}

func validSubscription(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return fmt.Errorf("%q is not an http:// URL", s)
	}
	return nil
}

func validI2PHostPort(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil || !strings.HasSuffix(strings.ToLower(host), ".i2p") {
		return fmt.Errorf("%q is not an .i2p host:port", s)
	}
	return inRange(atoiOr(port), 1, 65535)
}

func atoiOr(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

// validate checks one [tunnels.NAME] section.
func (t Tunnel) validate(prefix string) []error {
	var errs []error
	check := func(key string, err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("config: %s.%s: %w", prefix, key, err))
		}
	}
	check("type", oneOf(t.Type, "client", "server", "http"))
	switch t.Type {
	case "client":
		check("port", inRange(t.Port, 1, 65535))
		if t.Destination == "" {
			check("destination", errors.New("a client tunnel needs a destination (b32, name or base64)"))
		}
		check("destinationport", inRange(t.DestinationPort, 0, 65535))
	case "server", "http":
		if t.Host == "" {
			check("host", errors.New("a server tunnel needs the local service's host"))
		}
		check("port", inRange(t.Port, 1, 65535))
		if t.Keys == "" || strings.ContainsAny(t.Keys, "/\\") || t.Keys == "." || t.Keys == ".." {
			check("keys", fmt.Errorf("%q must be a file name in the data directory", t.Keys))
		}
		check("inport", inRange(t.InPort, 0, 65535))
	}
	check("inbound.length", inRange(t.Inbound.Length, 0, 7))
	check("outbound.length", inRange(t.Outbound.Length, 0, 7))
	check("inbound.quantity", inRange(t.Inbound.Quantity, 0, 16))
	check("outbound.quantity", inRange(t.Outbound.Quantity, 0, 16))
	return errs
}

// BandwidthKBps turns the bandwidth setting, a class letter or a number of KB/s,
// into KB/s.
func BandwidthKBps(s string) (int, error) {
	if len(s) == 1 {
		for _, bc := range bandwidthClasses {
			if strings.ToUpper(s)[0] == bc.letter {
				if bc.letter == 'X' {
					return 4096, nil
				}
				return bc.maxKBps, nil
			}
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is neither a class letter (K L M N O P X) nor a positive number of KB/s", s)
	}
	return n, nil
}

// BandwidthClass is the caps letter for a rate in KB/s.
func BandwidthClass(kbps int) byte {
	for _, bc := range bandwidthClasses {
		if kbps <= bc.maxKBps {
			return bc.letter
		}
	}
	return 'X'
}

func nonEmpty(s string) error {
	if s == "" {
		return errors.New("must not be empty")
	}
	return nil
}

func inRange(n, lo, hi int) error {
	if n < lo || n > hi {
		return fmt.Errorf("%d is out of range %d..%d", n, lo, hi)
	}
	return nil
}

func oneOf(s string, allowed ...string) error {
	for _, a := range allowed {
		if s == a {
			return nil
		}
	}
	return fmt.Errorf("%q is not one of %s", s, strings.Join(allowed, ", "))
}

func validHost(s string) error {
	if s == "" {
		return nil
	}
	if _, err := netip.ParseAddr(s); err != nil {
		return fmt.Errorf("%q is not an IP address", s)
	}
	return nil
}

func validListen(s string) error {
	if s == "" {
		return nil
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("%q is not host:port", s)
	}
	if host != "" {
		if _, err := netip.ParseAddr(host); err != nil && host != "localhost" {
			return fmt.Errorf("%q: %q is not an IP address", s, host)
		}
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("%q: bad port %q", s, port)
	}
	return nil
}

func validReseedURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%q is not an http(s) URL", s)
	}
	return nil
}

// validCommand accepts an empty list or one whose program is an absolute
// path or a name to look up in PATH.
func validCommand(argv []string) error {
	if len(argv) == 0 {
		return nil
	}
	switch p := argv[0]; {
	case p == "":
		return errors.New("the program (first element) is empty")
	case strings.Contains(p, "/") && !strings.HasPrefix(p, "/"):
		return fmt.Errorf("program %q: give an absolute path or a name in PATH", p)
	}
	return nil
}

// validSNTPServer accepts "host" or "host:port" with a port 1..65535.
func validSNTPServer(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		host, port = s, "123"
	}
	if host == "" || strings.ContainsAny(host, " /") {
		return fmt.Errorf("%q is not a host or host:port", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%q: bad port", s)
	}
	return nil
}
