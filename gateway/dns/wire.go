package dns

import (
	"errors"

	"golang.org/x/net/dns/dnsmessage"
)

const (
	// headerLen is the size of a message header (RFC 1035 4.1.1).
	headerLen = 12
	// minUDPSize is the reply size every client takes over UDP (RFC 1035
	// 4.2.1, RFC 6891 6.2.5).
	minUDPSize = 512
	// maxTCPSize is the largest message the 2-byte TCP length can frame
	// (RFC 1035 4.2.2).
	maxTCPSize = 65535
	// maxTCPQuery bounds a query read from TCP: a question and an OPT
	// record take a few hundred bytes, so a longer message is closed on
	// rather than buffered.
	maxTCPQuery = 4096
	// rcodeBadVers is the extended RCODE for an unknown EDNS version (RFC
	// 6891 6.1.3); its upper 8 bits travel in the OPT record.
	rcodeBadVers dnsmessage.RCode = 16
)

var (
	errNoHeader = errors.New("dns: message shorter than a header")
	errTwoOPT   = errors.New("dns: more than one OPT record")
)

// query is what the resolver reads from a message (RFC 1035 4.1): the
// header, the first question and the EDNS0 OPT record (RFC 6891 6.1.2).
// The answer and authority sections are skipped unread.
type query struct {
	hdr       dnsmessage.Header
	q         dnsmessage.Question // the first question, if questions > 0
	questions int
	edns      bool // an OPT record came with the query
	udpSize   int  // its requestor's payload size
	version   uint8
}

// parseQuery reads msg. It returns errNoHeader when not even the header
// is there; on other errors the header (and the first question when it
// was read) are filled in.
func parseQuery(msg []byte) (query, error) {
	var q query
	var p dnsmessage.Parser
	h, err := p.Start(msg)
	if err != nil {
		return q, errNoHeader
	}
	q.hdr = h
	for {
		question, err := p.Question()
		if errors.Is(err, dnsmessage.ErrSectionDone) {
			break
		}
		if err != nil {
			return q, err
		}
		if q.questions == 0 {
			q.q = question
		}
		q.questions++
	}
	if err := p.SkipAllAnswers(); err != nil {
		return q, err
	}
	if err := p.SkipAllAuthorities(); err != nil {
		return q, err
	}
	for {
		rh, err := p.AdditionalHeader()
		if errors.Is(err, dnsmessage.ErrSectionDone) {
			return q, nil
		}
		if err != nil {
			return q, err
		}
		if rh.Type == dnsmessage.TypeOPT {
			if q.edns {
				return q, errTwoOPT // RFC 6891 6.1.1
			}
			q.edns = true
			q.udpSize = int(rh.Class)
			q.version = uint8(rh.TTL >> 16)
		}
		if err := p.SkipAdditional(); err != nil {
			return q, err
		}
	}
}

// limit is the largest reply the client takes: 512 bytes over UDP unless
// its OPT record asks for more (up to what we advertise), a whole message
// over TCP.
func (q *query) limit(udp bool) int {
	switch {
	case !udp:
		return maxTCPSize
	case q.edns:
		return max(minUDPSize, min(q.udpSize, maxUDPSize))
	}
	return minUDPSize
}

// reply is an answer under construction: at most one question and one
// answer record, and an OPT record when the query had one.
type reply struct {
	hdr    dnsmessage.Header // RCode is set from rcode when packed
	rcode  dnsmessage.RCode  // may be extended (more than 4 bits)
	q      dnsmessage.Question
	hasQ   bool
	answer dnsmessage.Resource // Body nil: no answer
	edns   bool
}

// newReply starts the reply to q: same ID and opcode, RD and CD copied for
// standard queries, the first question echoed, NOERROR.
func newReply(q *query) reply {
	r := reply{hdr: dnsmessage.Header{ID: q.hdr.ID, Response: true, OpCode: q.hdr.OpCode}}
	if q.hdr.OpCode == 0 {
		r.hdr.RecursionDesired = q.hdr.RecursionDesired
		r.hdr.CheckingDisabled = q.hdr.CheckingDisabled
	}
	if q.questions > 0 {
		r.q, r.hasQ = q.q, true
	}
	return r
}

// pack encodes r in at most limit bytes: when the answer does not fit, it
// goes and the TC bit is set (RFC 2181 9), and when not even the question
// fits (it cannot within 512 bytes, but the bound is checked, not
// assumed) it goes as well.
func (r *reply) pack(limit int) ([]byte, error) {
	b, err := r.build()
	if err != nil || len(b) <= limit {
		return b, err
	}
	r.hdr.Truncated = true
	r.answer = dnsmessage.Resource{}
	if b, err = r.build(); err != nil || len(b) <= limit {
		return b, err
	}
	r.hasQ = false
	return r.build()
}

func (r *reply) build() ([]byte, error) {
	h := r.hdr
	h.RCode = r.rcode & 0xf
	b := dnsmessage.NewBuilder(make([]byte, 0, minUDPSize), h)
	b.EnableCompression()
	if r.hasQ {
		if err := b.StartQuestions(); err != nil {
			return nil, err
		}
		if err := b.Question(r.q); err != nil {
			return nil, err
		}
	}
	if r.answer.Body != nil {
		if err := b.StartAnswers(); err != nil {
			return nil, err
		}
		if err := addAnswer(&b, r.answer); err != nil {
			return nil, err
		}
	}
	if r.edns {
		if err := b.StartAdditionals(); err != nil {
			return nil, err
		}
		var rh dnsmessage.ResourceHeader
		if err := rh.SetEDNS0(maxUDPSize, r.rcode, false); err != nil {
			return nil, err
		}
		if err := b.OPTResource(rh, dnsmessage.OPTResource{}); err != nil {
			return nil, err
		}
	}
	return b.Finish()
}

func addAnswer(b *dnsmessage.Builder, rr dnsmessage.Resource) error {
	switch body := rr.Body.(type) {
	case *dnsmessage.AResource:
		return b.AResource(rr.Header, *body)
	case *dnsmessage.AAAAResource:
		return b.AAAAResource(rr.Header, *body)
	case *dnsmessage.PTRResource:
		return b.PTRResource(rr.Header, *body)
	}
	return errors.New("dns: answer of an unexpected type")
}
