package reseed

import (
	"crypto"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// DefaultCertsDir is where Debian's i2pd package installs the reseed
// signers' certificates.
const DefaultCertsDir = "/usr/share/i2pd/certificates/reseed"

const (
	// certExt is the extension of certificate files in a certificates dir.
	certExt = ".crt"
	// MaxCertFileSize bounds one certificate file.
	MaxCertFileSize = 64 << 10
	// MaxCertFiles bounds the certificates read from one directory.
	MaxCertFiles = 256
	// minRSABits is the smallest RSA signer key accepted.
	minRSABits = 2048
)

// LoadCertsDir reads every *.crt file of dir: PEM X.509 certificates as
// i2pd and Java I2P ship them in certificates/reseed. The signer ID of each
// is the subject CN ("name@domain"); the file name must be that ID with "@"
// written "_at_" (Java I2P's rule), which guards against a file that claims
// somebody else's ID. Expiry is not checked, as neither i2pd nor Java I2P
// refuse an expired reseed signer.
//
// The returned map holds every certificate that loaded, even when err
// reports others that did not (errors.Join of one error per bad file); an
// unreadable dir is an error with an empty map.
func LoadCertsDir(dir string) (SignerCerts, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return SignerCerts{}, fmt.Errorf("reseed: certificates: %w", err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), certExt) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if len(names) > MaxCertFiles {
		return SignerCerts{}, fmt.Errorf("reseed: certificates: %d files in %s, more than %d", len(names), dir, MaxCertFiles)
	}
	certs := SignerCerts{}
	var errs []error
	for _, name := range names {
		id, key, err := loadCertFile(filepath.Join(dir, name))
		if err == nil && id != signerIDFromFile(name) {
			err = fmt.Errorf("certificate CN %q does not match the file name", id)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("reseed: certificate %s: %w", name, err))
			continue
		}
		certs[id] = key
	}
	return certs, errors.Join(errs...)
}

// signerIDFromFile maps "name_at_domain.crt" to "name@domain".
func signerIDFromFile(name string) string {
	return strings.ReplaceAll(strings.TrimSuffix(name, certExt), "_at_", "@")
}

func loadCertFile(path string) (string, crypto.PublicKey, error) {
	b, err := readFileLimited(path, MaxCertFileSize)
	if err != nil {
		return "", nil, err
	}
	return ParseCert(b)
}

// ParseCert decodes the first PEM "CERTIFICATE" block of b and returns its
// subject CN, the signer ID, and its public key (RSA of at least 2048 bits,
// ECDSA P-256/384/521 or Ed25519). The certificate's own signature and
// validity dates are not checked: trust comes from the file being installed.
func ParseCert(b []byte) (signerID string, key crypto.PublicKey, err error) {
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			return "", nil, errors.New("reseed: no PEM CERTIFICATE block")
		}
		if block.Type == "CERTIFICATE" {
			return parseCertDER(block.Bytes)
		}
	}
}
