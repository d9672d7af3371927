package reseed

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"i2pgate/router/data"
)

// SU3 header layout (updates.rst "SU3 File Specification"); all integers are
// big endian.
const (
	su3MagicOffset       = 0  // "I2Psu3"
	su3FormatOffset      = 7  // su3 file format version, 0
	su3SigTypeOffset     = 8  // 2 bytes
	su3SigLenOffset      = 10 // 2 bytes
	su3VersionLenOffset  = 13 // 1 byte
	su3SignerLenOffset   = 15 // 1 byte
	su3ContentLenOffset  = 16 // 8 bytes
	su3FileTypeOffset    = 25 // 1 byte
	su3ContentTypeOffset = 27 // 1 byte

	// SU3HeaderSize is the fixed header before the version string.
	SU3HeaderSize = 40
	// MinSU3VersionLen is the smallest version field the spec allows.
	MinSU3VersionLen = 16
	// MaxSU3Size bounds a whole SU3 file we accept (a real i2pseeds.su3 is
	// 50-200 KB).
	MaxSU3Size = 4 << 20
	// MaxSU3SignatureLen bounds the signature length field (RSA-4096 is 512).
	MaxSU3SignatureLen = 1024
)

// su3Magic starts every SU3 file.
var su3Magic = []byte("I2Psu3")

// FileType is the SU3 content format (byte 25).
type FileType uint8

// SU3 file types.
const (
	FileTypeZIP   FileType = 0
	FileTypeXML   FileType = 1
	FileTypeHTML  FileType = 2
	FileTypeXMLGZ FileType = 3
	FileTypeTXTGZ FileType = 4
	FileTypeDMG   FileType = 5
	FileTypeEXE   FileType = 6
)

// ContentType is the SU3 trust domain (byte 27).
type ContentType uint8

// SU3 content types.
const (
	ContentUnknown      ContentType = 0
	ContentRouterUpdate ContentType = 1
	ContentPlugin       ContentType = 2
	ContentReseed       ContentType = 3
	ContentNews         ContentType = 4
	ContentBlocklist    ContentType = 5
)

// Errors returned (wrapped, with context) by ParseSU3 and Verify.
var (
	ErrNotSU3          = errors.New("reseed: not an SU3 file")
	ErrSU3Format       = errors.New("reseed: malformed SU3 file")
	ErrUnknownSigner   = errors.New("reseed: unknown SU3 signer")
	ErrBadSignature    = errors.New("reseed: bad SU3 signature")
	ErrUnsupportedType = errors.New("reseed: unsupported SU3 signature type")
)

// SU3 is a parsed SU3 file (updates.rst "SU3 File Specification"): a fixed
// header, a version string, a signer ID, the content and a signature over
// everything before it. It keeps the bytes it was parsed from; accessors
// return slices of them, which the caller must not modify.
type SU3 struct {
	raw         []byte
	sigType     data.SigType
	fileType    FileType
	contentType ContentType
	version     []byte // padded field as on the wire
	signer      []byte
	content     []byte
	signed      []byte // raw[:header+version+signer+content]
	signature   []byte
}

// ParseSU3 decodes a whole SU3 file. It checks the magic, the format
// version, that the signature length matches the signature type when that
// type is known, and that the declared lengths add up to exactly len(b). It
// does not verify the signature; call Verify.
func ParseSU3(b []byte) (*SU3, error) {
	if len(b) < len(su3Magic) || !bytes.Equal(b[su3MagicOffset:len(su3Magic)], su3Magic) {
		return nil, ErrNotSU3
	}
	if len(b) < SU3HeaderSize {
		return nil, fmt.Errorf("%w: %d bytes, header needs %d", ErrSU3Format, len(b), SU3HeaderSize)
	}
	if len(b) > MaxSU3Size {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrSU3Format, len(b), MaxSU3Size)
	}
	if b[su3FormatOffset] != 0 {
		return nil, fmt.Errorf("%w: format version %d", ErrSU3Format, b[su3FormatOffset])
	}
	s := &SU3{
		raw:         b,
		sigType:     data.SigType(binary.BigEndian.Uint16(b[su3SigTypeOffset:])),
		fileType:    FileType(b[su3FileTypeOffset]),
		contentType: ContentType(b[su3ContentTypeOffset]),
	}
	sigLen := int(binary.BigEndian.Uint16(b[su3SigLenOffset:]))
	verLen := int(b[su3VersionLenOffset])
	signerLen := int(b[su3SignerLenOffset])
	contentLen := binary.BigEndian.Uint64(b[su3ContentLenOffset:])
	if err := checkLengths(s.sigType, sigLen, verLen, signerLen); err != nil {
		return nil, err
	}
	// All fields but the content are small; compare the content length in
	// uint64 before converting so a huge field cannot overflow int.
	fixed := SU3HeaderSize + verLen + signerLen + sigLen
	if len(b) < fixed || contentLen != uint64(len(b)-fixed) {
		return nil, fmt.Errorf("%w: content length %d does not fit %d bytes", ErrSU3Format, contentLen, len(b))
	}
	off := SU3HeaderSize
	s.version = b[off : off+verLen]
	off += verLen
	s.signer = b[off : off+signerLen]
	off += signerLen
	s.content = b[off : off+int(contentLen)]
	off += int(contentLen)
	s.signed = b[:off]
	s.signature = b[off:]
	return s, nil
}

func checkLengths(t data.SigType, sigLen, verLen, signerLen int) error {
	if sigLen == 0 || sigLen > MaxSU3SignatureLen {
		return fmt.Errorf("%w: signature length %d", ErrSU3Format, sigLen)
	}
	if want := t.SignatureLen(); want != 0 && want != sigLen {
		return fmt.Errorf("%w: signature length %d, %v needs %d", ErrSU3Format, sigLen, t, want)
	}
	if verLen < MinSU3VersionLen {
		return fmt.Errorf("%w: version length %d, minimum %d", ErrSU3Format, verLen, MinSU3VersionLen)
	}
	if signerLen == 0 {
		return fmt.Errorf("%w: empty signer ID", ErrSU3Format)
	}
	return nil
}

// SigType returns the signature type.
func (s *SU3) SigType() data.SigType { return s.sigType }

// FileType returns the content format.
func (s *SU3) FileType() FileType { return s.fileType }

// ContentType returns the trust domain of the content.
func (s *SU3) ContentType() ContentType { return s.contentType }

// Version returns the version string without its 0x00 padding (for reseed
// files, seconds since the epoch in ASCII).
func (s *SU3) Version() string { return string(bytes.TrimRight(s.version, "\x00")) }

// SignerID returns the signer ID, e.g. "r4sas-reseed@mail.i2p".
func (s *SU3) SignerID() string { return string(s.signer) }

// Content returns the content; do not modify.
func (s *SU3) Content() []byte { return s.content }

// Signature returns the signature; do not modify.
func (s *SU3) Signature() []byte { return s.signature }

// Bytes returns the whole file as parsed; do not modify.
func (s *SU3) Bytes() []byte { return s.raw }
