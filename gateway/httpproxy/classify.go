package httpproxy

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"i2pgate/gateway"
)

// routeKind says what the proxy does with a request.
type routeKind int

const (
	routeI2P             routeKind = iota + 1 // forward to an eepsite
	routeClearnet                             // forward through the outproxy, or refuse
	routeConnectI2P                           // CONNECT tunnel to an I2P destination
	routeConnectClearnet                      // CONNECT through the outproxy, or refuse
	routeHelper                               // address helper page or save
)

// route is the classification of one request: pure, from the request alone.
type route struct {
	kind     routeKind
	name     string   // canonical .i2p name (I2P kinds and helper)
	hostport string   // what is dialed: "name.i2p:port", or the clearnet "host:port"
	url      *url.URL // absolute target URL, address helper removed (not for CONNECT)
	helper   string   // the address helper's value: base64 destination or b32 address
}

// Request classification failures (the client gets a 400 page).
var (
	errNotProxyRequest = errors.New("httpproxy: not a proxy request (relative URI)")
	errScheme          = errors.New("httpproxy: only http:// URLs and CONNECT are proxied")
	errBadHost         = errors.New("httpproxy: bad host")
	errBadHelper       = errors.New("httpproxy: malformed address helper")
)

// helperParam is the query parameter of address helper links (I2P convention).
const helperParam = "i2paddresshelper"

// classify decides where r goes. It reads only r's method, URL and Host.
func classify(r *http.Request) (route, error) {
	if r.Method == http.MethodConnect {
		return classifyConnect(r.Host)
	}
	u := r.URL
	if u == nil || u.Host == "" || !u.IsAbs() {
		return route{}, errNotProxyRequest
	}
	if !strings.EqualFold(u.Scheme, "http") {
		return route{}, errScheme
	}
	host, port, err := splitHostPort(u.Host, 80)
	if err != nil || u.User != nil {
		return route{}, errBadHost
	}
	target := *u
	target.Scheme = "http"
	target.Fragment, target.RawFragment = "", ""
	name, isI2P := gateway.I2PName(host)
	if !isI2P {
		target.Host = joinHostPort(host, port, 80)
		return route{kind: routeClearnet, hostport: net.JoinHostPort(host, strconv.Itoa(port)), url: &target}, nil
	}
	target.Host = joinHostPort(name, port, 80)
	rt := route{kind: routeI2P, name: name, hostport: net.JoinHostPort(name, strconv.Itoa(port)), url: &target}
	if helper, rest, found := cutHelper(u.RawQuery); found {
		if !validHelper(helper) {
			return route{}, errBadHelper
		}
		target.RawQuery, target.ForceQuery = rest, false
		rt.kind, rt.helper = routeHelper, helper
	}
	return rt, nil
}

func classifyConnect(authority string) (route, error) {
	host, port, err := splitHostPort(authority, 0)
	if err != nil || port == 0 {
		return route{}, errBadHost
	}
	if name, ok := gateway.I2PName(host); ok {
		return route{kind: routeConnectI2P, name: name, hostport: net.JoinHostPort(name, strconv.Itoa(port))}, nil
	}
	return route{kind: routeConnectClearnet, hostport: net.JoinHostPort(host, strconv.Itoa(port))}, nil
}

// splitHostPort splits "host[:port]" (IPv6 literals in brackets) and checks the
// port; def is the port when none is given (0: a port is required).
func splitHostPort(hp string, def int) (string, int, error) {
	if hp == "" {
		return "", 0, errBadHost
	}
	host, portStr := hp, ""
	if i := strings.LastIndexByte(hp, ':'); i >= 0 && (hp[0] != '[' || strings.LastIndexByte(hp, ']') < i) {
		host, portStr = hp[:i], hp[i+1:]
	}
	if strings.HasPrefix(host, "[") {
		if !strings.HasSuffix(host, "]") {
			return "", 0, errBadHost
		}
		host = host[1 : len(host)-1]
		if net.ParseIP(host) == nil {
			return "", 0, errBadHost
		}
	}
	if host == "" || strings.ContainsAny(host, " /\\@[]\x00\r\n\t") {
		return "", 0, errBadHost
	}
	port := def
	if portStr != "" {
		p, err := strconv.ParseUint(portStr, 10, 16)
		if err != nil || p == 0 {
			return "", 0, errBadHost
		}
		port = int(p)
	}
	return host, port, nil
}

// joinHostPort writes host[:port] for a Host header, leaving out the default
// port.
func joinHostPort(host string, port, def int) string {
	if port == def {
		if strings.Contains(host, ":") {
			return "[" + host + "]"
		}
		return host
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// cutHelper finds i2paddresshelper in a raw query and returns its decoded
// value and the query without it, other parameters untouched and in order.
func cutHelper(rawQuery string) (helper, rest string, found bool) {
	if rawQuery == "" {
		return "", "", false
	}
	var kept []string
	for part := range strings.SplitSeq(rawQuery, "&") {
		k, v, _ := strings.Cut(part, "=")
		if key, err := url.QueryUnescape(k); err == nil && strings.EqualFold(key, helperParam) {
			if !found {
				helper, _ = url.QueryUnescape(v)
				found = true
			}
			continue
		}
		if part != "" {
			kept = append(kept, part)
		}
	}
	if !found {
		return "", rawQuery, false
	}
	return helper, strings.Join(kept, "&"), true
}

// I2P's base64 alphabet (common-structures.rst "Base64"): '-' and '~' for '+'
// and '/'.
var i2pBase64 = base64.NewEncoding("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-~")

// Destination sizes in bytes: 256 public key + 128 signing key + 3 certificate
// header at least; certificates keep it well under the upper bound.
const (
	minDestLen = 387
	maxDestLen = 1024
)

// decodeDest decodes a base64 destination (padding optional).
func decodeDest(s string) ([]byte, bool) {
	s = strings.TrimRight(s, "=")
	if len(s) > maxDestLen*4/3+4 {
		return nil, false
	}
	b, err := i2pBase64.WithPadding(base64.NoPadding).Strict().DecodeString(s)
	if err != nil || len(b) < minDestLen || len(b) > maxDestLen {
		return nil, false
	}
	return b, true
}

// validHelper accepts a base64 destination or a .b32.i2p address.
func validHelper(v string) bool {
	if name, ok := gateway.I2PName(v); ok {
		return gateway.IsB32(name)
	}
	_, ok := decodeDest(v)
	return ok
}

// destB32 is the .b32.i2p address of a base64 destination: the base32 of its
// SHA-256 hash.
func destB32(dest string) (string, bool) {
	b, ok := decodeDest(dest)
	if !ok {
		return "", false
	}
	h := sha256.Sum256(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(h[:])) + ".b32.i2p", true
}
