package console

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Request parsing limits. The name and destination bounds mirror the address
// book's (naming.html: names of at most 67 characters; a destination of 387 to
// 462 bytes is 516 to 616 base64 characters); the book checks them again.
const (
	maxQueryLen  = 67      // a query longer than any name matches nothing
	maxPage      = 10000   // deeper pages are clamped
	maxNameLen   = 67      // bytes of an .i2p name
	minDestLen   = 516     // base64 characters of the smallest destination
	maxDestLen   = 616     // and of the largest
	maxFormBytes = 8 << 10 // of a POST body
	tld          = ".i2p"
)

// Errors of the address book form, shown to the user.
var (
	errNoName      = errors.New("console: enter a name ending in .i2p and a destination, or a name=destination line")
	errNameSyntax  = errors.New("console: the name must end in .i2p and use only a-z, 0-9, '.' and '-'")
	errNameLength  = errors.New("console: the name is too long (at most 67 characters)")
	errDestSyntax  = errors.New("console: the destination must be base64 (A-Z a-z 0-9 - ~ =)")
	errDestLength  = errors.New("console: the destination must be 516 to 616 base64 characters")
	errTooManyArgs = errors.New("console: give either name and destination or a name=destination line")
)

// listQuery is what a paged list asks for: ?q=...&page=N.
type listQuery struct {
	Query string // trimmed, valid UTF-8, at most maxQueryLen bytes
	Page  int    // 1..maxPage
}

// parseListQuery reads the query and page of a list page. Bad values fall back
// to the first page and no query, never an error: a link should not fail.
func parseListQuery(v url.Values) listQuery {
	query := strings.TrimSpace(strings.ToValidUTF8(v.Get("q"), ""))
	q := listQuery{Query: strings.TrimSpace(truncateUTF8(query, maxQueryLen))}
	q.Page = 1
	if p, err := strconv.Atoi(v.Get("page")); err == nil && p > 1 {
		q.Page = min(p, maxPage)
	}
	return q
}

// offset is the index of the page's first row for pages of size rows.
func (q listQuery) offset(size int) int { return (q.Page - 1) * size }

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// addRequest is a name to add to the address book.
type addRequest struct {
	Name string // lower-case, checked for syntax
	Dest string // base64 without white space, checked for alphabet and length
}

// parseAddForm reads the add form: fields "name" and "dest", or a hosts.txt
// style "line" (name=destination). White space around the fields and inside
// the destination (a pasted, wrapped destination) is dropped; the name is
// lower-cased.
func parseAddForm(v url.Values) (addRequest, error) {
	name, dest := strings.TrimSpace(v.Get("name")), v.Get("dest")
	if line := strings.TrimSpace(v.Get("line")); line != "" {
		if name != "" || strings.TrimSpace(dest) != "" {
			return addRequest{}, errTooManyArgs
		}
		var ok bool
		name, dest, ok = strings.Cut(line, "=")
		if !ok {
			return addRequest{}, errNoName
		}
		name = strings.TrimSpace(name)
	}
	dest = stripSpace(dest)
	if name == "" || dest == "" {
		return addRequest{}, errNoName
	}
	name = asciiLower(name)
	if err := checkName(name); err != nil {
		return addRequest{}, err
	}
	if err := checkDest(dest); err != nil {
		return addRequest{}, err
	}
	return addRequest{Name: name, Dest: dest}, nil
}

func checkName(name string) error {
	if len(name) > maxNameLen {
		return errNameLength
	}
	if len(name) <= len(tld) || !strings.HasSuffix(name, tld) || name[0] == '.' || name[0] == '-' {
		return errNameSyntax
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || isDigit(c) || c == '.' || c == '-') {
			return errNameSyntax
		}
	}
	return nil
}

func checkDest(dest string) error {
	for i := 0; i < len(dest); i++ {
		c := dest[i]
		if !(isAlpha(c) || isDigit(c) || c == '-' || c == '~' || c == '=') {
			return errDestSyntax
		}
	}
	if len(dest) < minDestLen || len(dest) > maxDestLen {
		return errDestLength
	}
	return nil
}

// stripSpace drops ASCII white space anywhere in s.
func stripSpace(s string) string {
	if !strings.ContainsAny(s, " \t\r\n\f\v") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\n', '\f', '\v':
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// asciiLower lower-cases ASCII letters only, as the address book does.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
