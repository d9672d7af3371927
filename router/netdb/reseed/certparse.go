package reseed

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	encoding_asn1 "encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
)

// DER contents of the object identifiers a reseed certificate uses.
var (
	oidCommonName   = []byte{0x55, 0x04, 0x03}                                     // 2.5.4.3
	oidRSA          = []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01} // 1.2.840.113549.1.1.1
	oidECPublicKey  = []byte{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01}             // 1.2.840.10045.2.1
	oidP256         = []byte{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07}       // 1.2.840.10045.3.1.7
	oidP384         = []byte{0x2b, 0x81, 0x04, 0x00, 0x22}                         // 1.3.132.0.34
	oidP521         = []byte{0x2b, 0x81, 0x04, 0x00, 0x23}                         // 1.3.132.0.35
	oidEd25519      = []byte{0x2b, 0x65, 0x70}                                     // 1.3.101.112
	errMalformedDER = errors.New("reseed: malformed certificate")
)

// parseCertDER returns the subject CN and the public key of an X.509
// certificate (RFC 5280 section 4.1). Only the structure up to the
// SubjectPublicKeyInfo is read; the certificate's signature, validity and
// extensions are not checked: trust comes from the file being installed.
func parseCertDER(der []byte) (string, crypto.PublicKey, error) {
	input := cryptobyte.String(der)
	var cert, tbs, subject, spki cryptobyte.String
	if !input.ReadASN1(&cert, asn1.SEQUENCE) || !cert.ReadASN1(&tbs, asn1.SEQUENCE) {
		return "", nil, errMalformedDER
	}
	if !tbs.SkipOptionalASN1(asn1.Tag(0).Constructed().ContextSpecific()) || // version
		!tbs.SkipASN1(asn1.INTEGER) || // serialNumber
		!tbs.SkipASN1(asn1.SEQUENCE) || // signature
		!tbs.SkipASN1(asn1.SEQUENCE) || // issuer
		!tbs.SkipASN1(asn1.SEQUENCE) || // validity
		!tbs.ReadASN1(&subject, asn1.SEQUENCE) ||
		!tbs.ReadASN1(&spki, asn1.SEQUENCE) {
		return "", nil, errMalformedDER
	}
	id, err := commonName(subject)
	if err != nil {
		return "", nil, err
	}
	if id == "" || len(id) > 255 {
		return "", nil, fmt.Errorf("reseed: certificate subject CN of %d bytes", len(id))
	}
	key, err := publicKey(spki)
	if err != nil {
		return "", nil, fmt.Errorf("%w of %q", err, id)
	}
	return id, key, nil
}

// commonName returns the last CN of a Name (a SEQUENCE OF SET OF
// AttributeTypeAndValue), as crypto/x509 does; "" if it has none.
func commonName(name cryptobyte.String) (string, error) {
	cn := ""
	for !name.Empty() {
		var rdn cryptobyte.String
		if !name.ReadASN1(&rdn, asn1.SET) {
			return "", errMalformedDER
		}
		for !rdn.Empty() {
			var atv, oid, value cryptobyte.String
			var tag asn1.Tag
			if !rdn.ReadASN1(&atv, asn1.SEQUENCE) || !atv.ReadASN1(&oid, asn1.OBJECT_IDENTIFIER) ||
				!atv.ReadAnyASN1(&value, &tag) {
				return "", errMalformedDER
			}
			if !bytes.Equal(oid, oidCommonName) {
				continue
			}
			s, err := directoryString(value, tag)
			if err != nil {
				return "", err
			}
			cn = s
		}
	}
	return cn, nil
}

// directoryString decodes the string types crypto/x509 accepts in a name,
// as it does: T61String as Latin-1, BMPString as UCS-2 (big-endian, without
// surrogates or noncharacters, an optional terminator dropped).
func directoryString(v []byte, tag asn1.Tag) (string, error) {
	switch tag {
	case asn1.T61String:
		r := make([]rune, len(v))
		for i, b := range v {
			r[i] = rune(b)
		}
		return string(r), nil
	case asn1.UTF8String:
		if !utf8.Valid(v) {
			return "", errors.New("reseed: certificate CN is not valid UTF-8")
		}
		return string(v), nil
	case asn1.PrintableString, asn1.IA5String, tagNumericString:
		for _, b := range v {
			if !allowedIn(tag, b) {
				return "", fmt.Errorf("reseed: certificate CN: invalid character in string type %d", tag)
			}
		}
		return string(v), nil
	case tagBMPString:
		return bmpString(v)
	}
	return "", fmt.Errorf("reseed: certificate CN of unsupported string type %d", tag)
}

// ASN.1 string tags cryptobyte/asn1 does not name.
const (
	tagNumericString = asn1.Tag(18)
	tagBMPString     = asn1.Tag(30)
)

func bmpString(v []byte) (string, error) {
	if len(v)%2 != 0 {
		return "", errors.New("reseed: certificate CN: odd-length BMPString")
	}
	if n := len(v); n >= 2 && v[n-1] == 0 && v[n-2] == 0 {
		v = v[:n-2]
	}
	u := make([]uint16, 0, len(v)/2)
	for i := 0; i+1 < len(v); i += 2 {
		c := uint16(v[i])<<8 | uint16(v[i+1])
		if c >= 0xfffe || (c >= 0xfdd0 && c <= 0xfdef) || (c >= 0xd800 && c <= 0xdfff) {
			return "", errors.New("reseed: certificate CN: invalid BMPString")
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u)), nil
}

// allowedIn reports whether b may appear in a PrintableString (with '*' and
// '&', which crypto/x509 tolerates), an IA5String or a NumericString.
func allowedIn(tag asn1.Tag, b byte) bool {
	switch tag {
	case asn1.IA5String:
		return b < 0x80
	case tagNumericString:
		return b == ' ' || ('0' <= b && b <= '9')
	}
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' ||
		bytes.IndexByte([]byte(" '()+,-./:=?*&"), b) >= 0
}

// publicKey decodes a SubjectPublicKeyInfo's contents (RFC 5280 section
// 4.1.2.7): RSA (RFC 8017 RSAPublicKey) of at least minRSABits, ECDSA on
// P-256, P-384 or P-521 (an uncompressed point, RFC 5480) or Ed25519
// (RFC 8410).
func publicKey(spki cryptobyte.String) (crypto.PublicKey, error) {
	var alg, oid cryptobyte.String
	var bits encoding_asn1.BitString
	if !spki.ReadASN1(&alg, asn1.SEQUENCE) || !alg.ReadASN1(&oid, asn1.OBJECT_IDENTIFIER) ||
		!spki.ReadASN1BitString(&bits) {
		return nil, errors.New("reseed: malformed public key")
	}
	// The parameters are the element after the OID, if any; what follows
	// them is ignored, as crypto/x509 ignores it.
	var params cryptobyte.String
	hasParams := !alg.Empty()
	if hasParams && !alg.ReadAnyASN1Element(&params, nil) {
		return nil, errors.New("reseed: malformed public key parameters")
	}
	key := bits.RightAlign()
	switch {
	case bytes.Equal(oid, oidRSA):
		if !bytes.Equal(params, []byte{0x05, 0x00}) {
			return nil, errors.New("reseed: RSA key without NULL parameters")
		}
		return rsaKey(key)
	case bytes.Equal(oid, oidECPublicKey):
		var curveOID cryptobyte.String
		if !params.ReadASN1(&curveOID, asn1.OBJECT_IDENTIFIER) {
			return nil, errors.New("reseed: ECDSA key without a named curve")
		}
		return ecdsaKey(curveOID, key)
	case bytes.Equal(oid, oidEd25519):
		if hasParams {
			return nil, errors.New("reseed: Ed25519 key with parameters")
		}
		if len(key) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("reseed: Ed25519 key of %d bytes", len(key))
		}
		return ed25519.PublicKey(bytes.Clone(key)), nil
	}
	return nil, errors.New("reseed: unsupported key algorithm")
}

// rsaKey decodes an RSAPublicKey (RFC 8017 appendix A.1.1) of at least
// minRSABits.
func rsaKey(der cryptobyte.String) (*rsa.PublicKey, error) {
	var seq cryptobyte.String
	n := new(big.Int)
	var e int
	if !der.ReadASN1(&seq, asn1.SEQUENCE) || !seq.ReadASN1Integer(n) || !seq.ReadASN1Integer(&e) {
		return nil, errors.New("reseed: malformed RSA key")
	}
	if n.Sign() <= 0 || e <= 0 {
		return nil, errors.New("reseed: RSA modulus or exponent not positive")
	}
	if n.BitLen() < minRSABits {
		return nil, fmt.Errorf("reseed: %d-bit RSA key", n.BitLen())
	}
	return &rsa.PublicKey{N: n, E: e}, nil
}

// ecdsaKey decodes an uncompressed point (SEC 1 section 2.3.3) on the
// named curve, P-256, P-384 or P-521.
func ecdsaKey(curveOID, point []byte) (*ecdsa.PublicKey, error) {
	var curve elliptic.Curve
	switch {
	case bytes.Equal(curveOID, oidP256):
		curve = elliptic.P256()
	case bytes.Equal(curveOID, oidP384):
		curve = elliptic.P384()
	case bytes.Equal(curveOID, oidP521):
		curve = elliptic.P521()
	default:
		return nil, errors.New("reseed: unsupported ECDSA curve")
	}
	k, err := ecdsa.ParseUncompressedPublicKey(curve, point)
	if err != nil {
		return nil, fmt.Errorf("reseed: ECDSA key: %w", err)
	}
	return k, nil
}
