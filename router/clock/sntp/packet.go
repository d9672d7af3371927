package sntp

import (
	"encoding/binary"
	"fmt"
	"time"
)

// errNotOurs means a datagram does not answer our request (wrong originate
// timestamp): it is skipped, not an error of the server.
var errNotOurs = fmt.Errorf("%w: not an answer to our request", ErrBadPacket)

// ntpEpochOffset is the number of seconds from 1900-01-01 to 1970-01-01.
const ntpEpochOffset = 2208988800

// Answer is the part of a server's reply the client uses.
type Answer struct {
	Stratum  uint8
	Receive  time.Time // T2: the request reached the server
	Transmit time.Time // T3: the server sent the reply
}

// Parse checks a server's reply to the request whose transmit timestamp was
// nonce, received at local time now (which picks the NTP era), as RFC 4330
// section 5 asks: server mode, version 3 or 4, a synchronized leap
// indicator, stratum 1 to 15 (0 is a kiss-o'-death), our transmit timestamp
// echoed as originate, non-zero receive and transmit times.
func Parse(b []byte, nonce uint64, now time.Time) (Answer, error) {
	if len(b) < PacketSize {
		return Answer{}, fmt.Errorf("%w: %d bytes", ErrBadPacket, len(b))
	}
	li, vn, mode := b[0]>>6, b[0]>>3&7, b[0]&7
	if binary.BigEndian.Uint64(b[24:32]) != nonce {
		return Answer{}, errNotOurs
	}
	switch {
	case mode != 4:
		return Answer{}, fmt.Errorf("%w: mode %d", ErrBadPacket, mode)
	case vn < 3 || vn > 4:
		return Answer{}, fmt.Errorf("%w: version %d", ErrBadPacket, vn)
	case li == 3:
		return Answer{}, fmt.Errorf("%w: server clock not synchronized", ErrBadPacket)
	case b[1] == 0:
		return Answer{}, fmt.Errorf("%w: kiss-o'-death %q", ErrBadPacket, b[12:16])
	case b[1] > 15:
		return Answer{}, fmt.Errorf("%w: stratum %d", ErrBadPacket, b[1])
	}
	rx, tx := binary.BigEndian.Uint64(b[32:40]), binary.BigEndian.Uint64(b[40:48])
	if rx == 0 || tx == 0 {
		return Answer{}, fmt.Errorf("%w: zero timestamp", ErrBadPacket)
	}
	a := Answer{Stratum: b[1], Receive: ntpTime(rx, now), Transmit: ntpTime(tx, now)}
	if d := a.Transmit.Sub(a.Receive); d < 0 || d > MaxDelay {
		return Answer{}, fmt.Errorf("%w: server held the request %v", ErrBadPacket, d)
	}
	return a, nil
}

// ntpTime converts a 64-bit NTP timestamp to the time in the NTP era
// (2^32 s) nearest to now.
func ntpTime(ts uint64, now time.Time) time.Time {
	sec := int64(ts>>32) - ntpEpochOffset
	const era = 1 << 32
	// Move sec by whole eras to within half an era of now.
	d := now.Unix() - sec
	k := d / era
	switch r := d % era; {
	case r > era/2:
		k++
	case r < -era/2:
		k--
	}
	sec += k * era
	frac := int64((ts & 0xffffffff) * 1e9 >> 32)
	return time.Unix(sec, frac)
}

// ntpStamp is the 64-bit NTP timestamp of t (for tests and fake servers).
func ntpStamp(t time.Time) uint64 {
	sec := uint64(t.Unix()+ntpEpochOffset) & 0xffffffff
	frac := uint64(t.Nanosecond()) << 32 / 1e9
	return sec<<32 | frac
}
