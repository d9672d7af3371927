package i2np

import (
	"fmt"
	"slices"
)

// Tunnel build record sizes and counts. Records stay opaque here; their
// cleartexts and encryption belong to router/tunnel.
const (
	// BuildRecordSize is the size of a (long) build request or response
	// record, ElGamal or ECIES.
	BuildRecordSize = 528
	// ShortBuildRecordSize is the size of a short (ECIES) build record.
	ShortBuildRecordSize = 218
	// TunnelBuildRecords is the fixed record count of TunnelBuild and
	// TunnelBuildReply.
	TunnelBuildRecords = 8
	// MaxBuildRecords bounds the count byte of the variable and short
	// build messages (valid 1-8).
	MaxBuildRecords = 8
)

// BuildRecord is an encrypted 528-byte build request or response record
// (i2np.rst "BuildRequestRecord", "BuildResponseRecord").
type BuildRecord [BuildRecordSize]byte

// ShortBuildRecord is an encrypted 218-byte short build request or
// response record (tunnel-creation-ecies.rst).
type ShortBuildRecord [ShortBuildRecordSize]byte

// TunnelBuild asks hops to join a tunnel with exactly 8 records (i2np.rst
// "TunnelBuild", type 21).
type TunnelBuild struct{ Records []BuildRecord }

// TunnelBuildReply carries the 8 response records of a TunnelBuild
// (i2np.rst "TunnelBuildReply", type 22).
type TunnelBuildReply struct{ Records []BuildRecord }

// VariableTunnelBuild asks hops to join a tunnel with 1 to 8 records
// (i2np.rst "VariableTunnelBuild", type 23).
type VariableTunnelBuild struct{ Records []BuildRecord }

// VariableTunnelBuildReply carries 1 to 8 response records (i2np.rst
// "VariableTunnelBuildReply", type 24).
type VariableTunnelBuildReply struct{ Records []BuildRecord }

// ShortTunnelBuild asks ECIES hops to join a tunnel with 1 to 8 short
// records (i2np.rst "ShortTunnelBuild", type 25).
type ShortTunnelBuild struct{ Records []ShortBuildRecord }

// OutboundTunnelBuildReply returns the short records of a new outbound
// tunnel from its endpoint (i2np.rst "OutboundTunnelBuildReply", type 26).
type OutboundTunnelBuildReply struct{ Records []ShortBuildRecord }

// Type returns TypeTunnelBuild.
func (TunnelBuild) Type() Type { return TypeTunnelBuild }

// Type returns TypeTunnelBuildReply.
func (TunnelBuildReply) Type() Type { return TypeTunnelBuildReply }

// Type returns TypeVariableTunnelBuild.
func (VariableTunnelBuild) Type() Type { return TypeVariableTunnelBuild }

// Type returns TypeVariableTunnelBuildReply.
func (VariableTunnelBuildReply) Type() Type { return TypeVariableTunnelBuildReply }

// Type returns TypeShortTunnelBuild.
func (ShortTunnelBuild) Type() Type { return TypeShortTunnelBuild }

// Type returns TypeOutboundTunnelBuildReply.
func (OutboundTunnelBuildReply) Type() Type { return TypeOutboundTunnelBuildReply }

// ParseTunnelBuild decodes a TunnelBuild payload (8 records, copied).
func ParseTunnelBuild(payload []byte) (TunnelBuild, error) {
	r, err := parseFixedRecords("tunnel build", payload)
	return TunnelBuild{Records: r}, err
}

// ParseTunnelBuildReply decodes a TunnelBuildReply payload.
func ParseTunnelBuildReply(payload []byte) (TunnelBuildReply, error) {
	r, err := parseFixedRecords("tunnel build reply", payload)
	return TunnelBuildReply{Records: r}, err
}

// ParseVariableTunnelBuild decodes a VariableTunnelBuild payload.
func ParseVariableTunnelBuild(payload []byte) (VariableTunnelBuild, error) {
	r, err := parseVariableRecords("variable tunnel build", payload)
	return VariableTunnelBuild{Records: r}, err
}

// ParseVariableTunnelBuildReply decodes a VariableTunnelBuildReply payload.
func ParseVariableTunnelBuildReply(payload []byte) (VariableTunnelBuildReply, error) {
	r, err := parseVariableRecords("variable tunnel build reply", payload)
	return VariableTunnelBuildReply{Records: r}, err
}

// ParseShortTunnelBuild decodes a ShortTunnelBuild payload.
func ParseShortTunnelBuild(payload []byte) (ShortTunnelBuild, error) {
	r, err := parseShortRecords("short tunnel build", payload)
	return ShortTunnelBuild{Records: r}, err
}

// ParseOutboundTunnelBuildReply decodes an OutboundTunnelBuildReply payload.
func ParseOutboundTunnelBuildReply(payload []byte) (OutboundTunnelBuildReply, error) {
	r, err := parseShortRecords("outbound tunnel build reply", payload)
	return OutboundTunnelBuildReply{Records: r}, err
}

// Append appends the payload encoding of m to dst.
func (m TunnelBuild) Append(dst []byte) ([]byte, error) {
	return appendFixedRecords("tunnel build", dst, m.Records)
}

// Append appends the payload encoding of m to dst.
func (m TunnelBuildReply) Append(dst []byte) ([]byte, error) {
	return appendFixedRecords("tunnel build reply", dst, m.Records)
}

// Append appends the payload encoding of m to dst.
func (m VariableTunnelBuild) Append(dst []byte) ([]byte, error) {
	return appendVariableRecords("variable tunnel build", dst, m.Records)
}

// Append appends the payload encoding of m to dst.
func (m VariableTunnelBuildReply) Append(dst []byte) ([]byte, error) {
	return appendVariableRecords("variable tunnel build reply", dst, m.Records)
}

// Append appends the payload encoding of m to dst.
func (m ShortTunnelBuild) Append(dst []byte) ([]byte, error) {
	return appendShortRecords("short tunnel build", dst, m.Records)
}

// Append appends the payload encoding of m to dst.
func (m OutboundTunnelBuildReply) Append(dst []byte) ([]byte, error) {
	return appendShortRecords("outbound tunnel build reply", dst, m.Records)
}

func parseFixedRecords(what string, payload []byte) ([]BuildRecord, error) {
	if err := exactSize(what, payload, TunnelBuildRecords*BuildRecordSize); err != nil {
		return nil, err
	}
	return copyRecords(payload, TunnelBuildRecords), nil
}

// recordCount reads and checks the count byte of a variable build message
// whose records are size bytes each.
func recordCount(what string, payload []byte, size int) (int, error) {
	if len(payload) < 1 {
		return 0, fmt.Errorf("i2np: %s: empty: %w", what, ErrTruncated)
	}
	n := int(payload[0])
	if n < 1 || n > MaxBuildRecords {
		return 0, fmt.Errorf("i2np: %s: %d records: %w", what, n, ErrInvalid)
	}
	return n, exactSize(what, payload[1:], n*size)
}

func parseVariableRecords(what string, payload []byte) ([]BuildRecord, error) {
	n, err := recordCount(what, payload, BuildRecordSize)
	if err != nil {
		return nil, err
	}
	return copyRecords(payload[1:], n), nil
}

func copyRecords(b []byte, n int) []BuildRecord {
	r := make([]BuildRecord, n)
	for i := range r {
		r[i] = BuildRecord(b[i*BuildRecordSize:])
	}
	return r
}

func parseShortRecords(what string, payload []byte) ([]ShortBuildRecord, error) {
	n, err := recordCount(what, payload, ShortBuildRecordSize)
	if err != nil {
		return nil, err
	}
	r := make([]ShortBuildRecord, n)
	for i := range r {
		r[i] = ShortBuildRecord(payload[1+i*ShortBuildRecordSize:])
	}
	return r, nil
}

func appendFixedRecords(what string, dst []byte, r []BuildRecord) ([]byte, error) {
	if len(r) != TunnelBuildRecords {
		return dst, fmt.Errorf("i2np: %s: %d records, want %d: %w", what, len(r), TunnelBuildRecords, ErrInvalid)
	}
	dst = slices.Grow(dst, len(r)*BuildRecordSize)
	for i := range r {
		dst = append(dst, r[i][:]...)
	}
	return dst, nil
}

func appendVariableRecords(what string, dst []byte, r []BuildRecord) ([]byte, error) {
	if len(r) < 1 || len(r) > MaxBuildRecords {
		return dst, fmt.Errorf("i2np: %s: %d records: %w", what, len(r), ErrInvalid)
	}
	dst = slices.Grow(dst, 1+len(r)*BuildRecordSize)
	dst = append(dst, byte(len(r)))
	for i := range r {
		dst = append(dst, r[i][:]...)
	}
	return dst, nil
}

func appendShortRecords(what string, dst []byte, r []ShortBuildRecord) ([]byte, error) {
	if len(r) < 1 || len(r) > MaxBuildRecords {
		return dst, fmt.Errorf("i2np: %s: %d records: %w", what, len(r), ErrInvalid)
	}
	dst = slices.Grow(dst, 1+len(r)*ShortBuildRecordSize)
	dst = append(dst, byte(len(r)))
	for i := range r {
		dst = append(dst, r[i][:]...)
	}
	return dst, nil
}
