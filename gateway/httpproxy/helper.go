package httpproxy

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/netip"
	"net/url"

	"i2pgate/gateway"
)

const (
	// tokenField is the address helper form's token field.
	tokenField = "i2pgate_token"
	// maxHelperForm bounds the body of the address helper's POST.
	maxHelperForm = 4 << 10
	tokenLen      = 16
)

// handleHelper serves a link with ?i2paddresshelper=: a page that shows the
// destination the link claims for the name and offers to save it (a POST back to
// the same URL carrying a token only this proxy's page has), or to continue to
// the destination's b32 address without saving. A saved name redirects to the
// page asked for, without the helper.
func (s *Server) handleHelper(w http.ResponseWriter, r *http.Request, rt route, client netip.Addr) {
	cancel := rt.url.String()
	if gateway.IsB32(rt.name) { // a b32 address needs no address book
		s.stats.helper.Add(1)
		http.Redirect(w, r, cancel, http.StatusFound)
		return
	}
	if b32, ok := gateway.I2PName(rt.helper); ok {
		s.stats.helper.Add(1)
		writePage(w, http.StatusOK, pageData{Kind: pageHelperB32, Name: rt.name, B32: b32,
			ContinueURL: withHost(rt.url, b32), CancelURL: cancel})
		return
	}
	b32, _ := destB32(rt.helper)
	token := s.helperToken(client, rt.name, rt.helper)
	if r.Method == http.MethodPost {
		s.saveHelper(w, r, rt, token, withHost(rt.url, b32))
		return
	}
	s.stats.helper.Add(1)
	action := *r.URL
	action.Fragment, action.RawFragment = "", ""
	writePage(w, http.StatusOK, pageData{Kind: pageHelper, Name: rt.name, B32: b32,
		Action: action.String(), Token: token, CanSave: s.cfg.AddressBook != nil,
		ContinueURL: withHost(rt.url, b32), CancelURL: cancel})
}

func (s *Server) saveHelper(w http.ResponseWriter, r *http.Request, rt route, token, continueURL string) {
	r.Body = http.MaxBytesReader(w, r.Body, maxHelperForm)
	if err := r.ParseForm(); err != nil || s.cfg.AddressBook == nil ||
		!hmac.Equal([]byte(r.PostForm.Get(tokenField)), []byte(token)) {
		s.stats.helperRejected.Add(1)
		writePage(w, http.StatusForbidden, pageData{Kind: pageBadToken, Name: rt.name})
		return
	}
	if err := s.cfg.AddressBook.AddLocal(rt.name, rt.helper); err != nil {
		s.stats.helperRejected.Add(1)
		s.log.Warn("address helper: save failed", "name", s.redact(rt.name), "err", err)
		writePage(w, http.StatusInternalServerError, pageData{Kind: pageSaveFailed, Name: rt.name,
			ContinueURL: continueURL})
		return
	}
	s.stats.helperSaved.Add(1)
	http.Redirect(w, r, rt.url.String(), http.StatusSeeOther)
}

// helperToken binds a save to the client, the name and the destination, under
// a key made at New: a page from another site cannot forge it.
func (s *Server) helperToken(client netip.Addr, name, dest string) string {
	m := hmac.New(sha256.New, s.tokenKey[:])
	m.Write([]byte(client.String()))
	m.Write([]byte{0})
	m.Write([]byte(name))
	m.Write([]byte{0})
	m.Write([]byte(dest))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:tokenLen])
}

// withHost is u with its host replaced (port kept).
func withHost(u *url.URL, host string) string {
	v := *u
	_, port, _ := splitHostPort(u.Host, 80)
	v.Host = joinHostPort(host, port, 80)
	return v.String()
}
