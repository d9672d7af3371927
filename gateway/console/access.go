package console

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"net/netip"
	"time"
)

// Form tokens.
const (
	tokenKeySize = 32
	tokenMACSize = 16
	tokenTSSize  = 8
	// tokenTTL is how long a page's form token stays good.
	tokenTTL = time.Hour
	// tokenSkew tolerates a token dated slightly ahead (a clock step).
	tokenSkew = time.Minute
	// tokenField is the form field carrying the token.
	tokenField = "token"
	// tokenPurpose separates these MACs from any other use of the key.
	tokenPurpose = "i2pgate console addressbook add\x00"
)

// contentSecurityPolicy lets the pages use their inline style and post forms
// to the console, and nothing else: no scripts, no frames, nothing loaded.
const contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// authRealm is the realm of the Basic authentication challenge.
const authRealm = `Basic realm="i2pgate console", charset="UTF-8"`

// guard checks the client address against Allow, then the password, then
// refuses cross-site browser requests that change state, before h.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.Allow != nil {
			ip, ok := clientIP(r)
			if !ok || !s.cfg.Allow(ip) {
				s.writeError(w, http.StatusForbidden, "this address may not use the console (lan.allow)")
				return
			}
		}
		if s.cfg.Password != "" && !s.passwordOK(r) {
			w.Header().Set("WWW-Authenticate", authRealm)
			s.writeError(w, http.StatusUnauthorized, "password required")
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		if crossSite(r) {
			s.writeError(w, http.StatusForbidden, "cross-site request refused")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// passwordOK compares the Basic password in constant time (over hashes, so
// that the length does not show either); the user name is ignored.
func (s *Server) passwordOK(r *http.Request) bool {
	_, pw, ok := r.BasicAuth()
	if !ok {
		return false
	}
	got := sha256.Sum256([]byte(pw))
	want := sha256.Sum256([]byte(s.cfg.Password))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

// clientIP is the request's remote address, unmapped and without zone.
func clientIP(r *http.Request) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}, false
	}
	return ap.Addr().Unmap().WithZone(""), true
}

// formToken returns a token for the client, dated now: the time and a MAC over
// it and the client address.
func (s *Server) formToken(client netip.Addr, now time.Time) string {
	var b [tokenTSSize + tokenMACSize]byte
	binary.BigEndian.PutUint64(b[:tokenTSSize], uint64(now.Unix()))
	copy(b[tokenTSSize:], s.tokenMAC(client, b[:tokenTSSize]))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// tokenOK checks a token for the client: a MAC made with our key, not older
// than tokenTTL.
func (s *Server) tokenOK(token string, client netip.Addr, now time.Time) bool {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != tokenTSSize+tokenMACSize {
		return false
	}
	if !hmac.Equal(b[tokenTSSize:], s.tokenMAC(client, b[:tokenTSSize])) {
		return false
	}
	issued := binary.BigEndian.Uint64(b[:tokenTSSize])
	if now.Unix() < 0 {
		return false
	}
	n := uint64(now.Unix())
	if issued > n {
		return issued-n <= uint64(tokenSkew/time.Second)
	}
	return n-issued <= uint64(tokenTTL/time.Second)
}

func (s *Server) tokenMAC(client netip.Addr, ts []byte) []byte {
	m := hmac.New(sha256.New, s.tokenKey[:])
	m.Write([]byte(tokenPurpose))
	ab, _ := client.MarshalBinary()
	m.Write(ab)
	m.Write(ts)
	return m.Sum(nil)[:tokenMACSize]
}
