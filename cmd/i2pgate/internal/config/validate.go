package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
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
	check("limits.transittunnels", inRange(c.Limits.TransitTunnels, 0, 100000))
	check("console.address", validListen(c.Console.Address))
	check("httpproxy.address", validListen(c.HTTPProxy.Address))
	check("socks.address", validListen(c.Socks.Address))
	check("dns.address", validListen(c.DNS.Address))
	return errors.Join(errs...)
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
