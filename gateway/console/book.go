package console

import (
	"errors"
	"net/http"
	"net/url"
)

// bookPerPage is the number of names per address book page.
const bookPerPage = 50

var errStatusNotObject = errors.New("status is not a JSON object")

type bookData struct {
	Query string
	Rows  []BookEntry
	Pager pager
	Token string
	// The add form: the name just added, or an error with the values entered.
	Added, Err, Name, Dest string
}

func (s *Server) handleBook(w http.ResponseWriter, r *http.Request) {
	if s.cfg.AddressBook == nil {
		s.render(w, http.StatusOK, "/addressbook", nil)
		return
	}
	params := r.URL.Query()
	d := bookData{}
	if added := params.Get("added"); checkName(added) == nil {
		d.Added = added
	}
	s.renderBook(w, r, http.StatusOK, params, d)
}

// renderBook fills the list part of the page (search results for params, a
// fresh token) and renders it.
func (s *Server) renderBook(w http.ResponseWriter, r *http.Request, status int, params url.Values, d bookData) {
	q := parseListQuery(params)
	d.Query = q.Query
	rows, err := s.cfg.AddressBook.Search(q.Query, q.offset(bookPerPage), bookPerPage+1)
	if err != nil {
		s.log.Warn("addressbook search", "err", err)
		if d.Err == "" {
			d.Err = "Search failed: " + err.Error()
		}
		rows = nil
	}
	more := len(rows) > bookPerPage
	d.Rows = rows[:min(len(rows), bookPerPage)]
	d.Pager = newPager("/addressbook", url.Values{"q": {q.Query}}, q.Page, more)
	if ip, ok := clientIP(r); ok {
		d.Token = s.formToken(ip, s.now())
	}
	s.render(w, status, "/addressbook", d)
}

// handleBookAdd adds a name from the form: a valid token first, then the
// form's syntax, then the address book's own checks. Success redirects to the
// list (so that a reload does not post again); a failure shows the form again
// with the error and what was entered.
func (s *Server) handleBookAdd(w http.ResponseWriter, r *http.Request) {
	if s.cfg.AddressBook == nil {
		s.render(w, http.StatusNotFound, "/addressbook", nil)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.writeError(w, http.StatusBadRequest, "bad form")
		return
	}
	ip, ok := clientIP(r)
	if !ok || !s.tokenOK(r.PostForm.Get(tokenField), ip, s.now()) {
		s.renderBook(w, r, http.StatusForbidden, nil, bookData{
			Err: "The form was too old or did not come from this console; nothing was added. Please try again."})
		return
	}
	req, err := parseAddForm(r.PostForm)
	if err == nil {
		err = s.cfg.AddressBook.AddLocal(req.Name, req.Dest)
	}
	if err != nil {
		s.renderBook(w, r, http.StatusBadRequest, nil, bookData{Err: err.Error(),
			Name: truncateUTF8(r.PostForm.Get("name"), maxNameLen), Dest: truncateUTF8(r.PostForm.Get("dest"), maxDestLen)})
		return
	}
	s.log.Info("addressbook: local name added")
	http.Redirect(w, r, "/addressbook?"+url.Values{"q": {req.Name}, "added": {req.Name}}.Encode(), http.StatusSeeOther)
}
