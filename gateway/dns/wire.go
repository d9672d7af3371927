package dns

import (
	"bytes"
	"encoding/binary"
	"errors"
)

// Message layout (RFC 1035 4.1, RFC 6891 6.1).
const (
	// headerLen is the size of a message header (RFC 1035 4.1.1).
	headerLen = 12
	// Offsets of the header fields.
	idOff      = 0
	flagsOff   = 2
	qdCountOff = 4
	anCountOff = 6
	nsCountOff = 8
	arCountOff = 10
	// questionFixedLen is QTYPE and QCLASS after a question's name
	// (RFC 1035 4.1.2); recordFixedLen is TYPE, CLASS, TTL and RDLENGTH
	// after a record's name (4.1.3).
	questionFixedLen = 4
	recordFixedLen   = 10

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

	// maxWireName is the longest name in wire form, the root's zero byte
	// included (RFC 1035 2.3.4); maxLabel the longest label.
	maxWireName = 255
	maxLabel    = 63
	// maxPointers bounds the compression pointers followed in one name
	// (RFC 1035 4.1.4); each must also point before the labels that led
	// to it, so a name cannot loop.
	maxPointers = 64
	// pointerBits mark a compression pointer in a label's length byte;
	// the other two prefixes (0x40, 0x80) are reserved.
	pointerBits = 0xC0
	// maxPointer is the largest offset a pointer holds (14 bits).
	maxPointer = 0x3FFF
)

// Header bits (RFC 1035 4.1.1; AD and CD from RFC 4035 3.2).
const (
	flagQR      = 1 << 15
	opcodeShift = 11
	flagAA      = 1 << 10
	flagTC      = 1 << 9
	flagRD      = 1 << 8
	flagCD      = 1 << 4
)

// Types, class and response codes this server reads or writes (RFC 1035
// 3.2.2, 3.2.4, 4.1.1; RFC 3596; RFC 6891).
const (
	typeA    = 1
	typePTR  = 12
	typeAAAA = 28
	typeOPT  = 41
	classIN  = 1

	rcodeFormErr  = 1
	rcodeServFail = 2
	rcodeNXDomain = 3
	rcodeNotImp   = 4
	rcodeRefused  = 5
	// rcodeBadVers is the extended RCODE for an unknown EDNS version (RFC
	// 6891 6.1.3); its upper 8 bits travel in the OPT record.
	rcodeBadVers = 16
)

var (
	errNoHeader = errors.New("dns: message shorter than a header")
	errTwoOPT   = errors.New("dns: more than one OPT record")
	errShort    = errors.New("dns: message ends inside a field")
	errName     = errors.New("dns: malformed name")
	errPointer  = errors.New("dns: compression pointer not pointing back, or too many")
)

// header is a message header's ID and flags (RFC 1035 4.1.1); the
// section counts are read and written where the sections are.
type header struct {
	id    uint16
	flags uint16 // QR, OPCODE, AA, TC, RD, RA, Z, AD, CD and RCODE as sent
}

func (h header) response() bool { return h.flags&flagQR != 0 }
func (h header) opcode() uint16 { return h.flags >> opcodeShift & 0xf }

// question is a question section entry (RFC 1035 4.1.2).
type question struct {
	name  string // as text: each label followed by a dot, "." for the root
	qtype uint16
	class uint16
}

// query is what the resolver reads from a message (RFC 1035 4.1): the
// header, the first question and the EDNS0 OPT record (RFC 6891 6.1.2).
// The answer and authority sections are skipped unread.
type query struct {
	hdr       header
	q         question // the first question, if questions > 0
	questions int
	edns      bool // an OPT record came with the query
	udpSize   int  // its requestor's payload size
	version   uint8
}

// parseQuery reads msg. It returns errNoHeader when not even the header
// is there; on other errors the header (and the first question when it
// was read) are filled in. Bytes after the sections the header counts
// are ignored.
func parseQuery(msg []byte) (query, error) {
	var q query
	if len(msg) < headerLen {
		return q, errNoHeader
	}
	be := binary.BigEndian
	q.hdr = header{id: be.Uint16(msg[idOff:]), flags: be.Uint16(msg[flagsOff:])}
	off := headerLen
	for range be.Uint16(msg[qdCountOff:]) {
		name, next, err := readName(msg, off, q.questions == 0)
		if err != nil {
			return q, err
		}
		if len(msg)-next < questionFixedLen {
			return q, errShort
		}
		if q.questions == 0 {
			q.q = question{name: name, qtype: be.Uint16(msg[next:]), class: be.Uint16(msg[next+2:])}
		}
		q.questions++
		off = next + questionFixedLen
	}
	for range int(be.Uint16(msg[anCountOff:])) + int(be.Uint16(msg[nsCountOff:])) {
		next, err := skipName(msg, off)
		if err != nil {
			return q, err
		}
		if off, err = skipRecordData(msg, next); err != nil {
			return q, err
		}
	}
	for range be.Uint16(msg[arCountOff:]) {
		_, next, err := readName(msg, off, false)
		if err != nil {
			return q, err
		}
		if len(msg)-next < recordFixedLen {
			return q, errShort
		}
		if be.Uint16(msg[next:]) == typeOPT {
			if q.edns {
				return q, errTwoOPT // RFC 6891 6.1.1
			}
			// CLASS holds the payload size, TTL the extended RCODE,
			// version and flags (RFC 6891 6.1.3); options are skipped.
			q.edns = true
			q.udpSize = int(be.Uint16(msg[next+2:]))
			q.version = msg[next+5]
		}
		if off, err = skipRecordData(msg, next); err != nil {
			return q, err
		}
	}
	return q, nil
}

// readName reads the name at off, following compression pointers, and
// returns the offset after it; the text form is returned only when keep
// is set. Labels may not hold dots (the text form could not tell them
// apart), and the name may not pass maxWireName bytes.
func readName(msg []byte, off int, keep bool) (string, int, error) {
	var buf [maxWireName]byte
	text := buf[:0]
	next := -1 // where the name ends in msg: after its first pointer or its end
	run := off // start of the labels being read; a pointer must point before it
	jumps := 0
	for {
		if off >= len(msg) {
			return "", 0, errShort
		}
		c := int(msg[off])
		off++
		switch {
		case c == 0:
			if next < 0 {
				next = off
			}
			if !keep {
				return "", next, nil
			}
			if len(text) == 0 {
				return ".", next, nil
			}
			return string(text), next, nil
		case c&pointerBits == pointerBits:
			if off >= len(msg) {
				return "", 0, errShort
			}
			target := (c&^pointerBits)<<8 | int(msg[off])
			off++
			if next < 0 {
				next = off
			}
			if target >= run || jumps == maxPointers {
				return "", 0, errPointer
			}
			jumps++
			run, off = target, target
		case c > maxLabel:
			return "", 0, errName // a reserved prefix
		default:
			if len(msg)-off < c {
				return "", 0, errShort
			}
			label := msg[off : off+c]
			// The text so far, the label and its dot, plus the root's
			// zero byte, are the wire length.
			if bytes.IndexByte(label, '.') >= 0 || len(text)+c+2 > maxWireName {
				return "", 0, errName
			}
			text = append(append(text, label...), '.')
			off += c
		}
	}
}

// skipName returns the offset after the name at off without following its
// pointer, if any: the names of records this server does not read.
func skipName(msg []byte, off int) (int, error) {
	for {
		if off >= len(msg) {
			return 0, errShort
		}
		c := int(msg[off])
		off++
		switch {
		case c == 0:
			return off, nil
		case c&pointerBits == pointerBits:
			if off >= len(msg) {
				return 0, errShort
			}
			return off + 1, nil
		case c > maxLabel:
			return 0, errName
		}
		if len(msg)-off < c {
			return 0, errShort
		}
		off += c
	}
}

// skipRecordData returns the offset after the record whose fixed fields
// start at off.
func skipRecordData(msg []byte, off int) (int, error) {
	if len(msg)-off < recordFixedLen {
		return 0, errShort
	}
	n := int(binary.BigEndian.Uint16(msg[off+8:]))
	off += recordFixedLen
	if len(msg)-off < n {
		return 0, errShort
	}
	return off + n, nil
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
