package data

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
	"time"
)

// buildEncryptedLeaseSet writes an EncryptedLeaseSet whose blinded key is
// s's key declared as RedDSA (verification is Ed25519's).
func buildEncryptedLeaseSet(t testing.TB, blinded *Ed25519Signer, off *OfflineSignature, signer Signer) []byte {
	t.Helper()
	b := binary.BigEndian.AppendUint16(nil, uint16(SigRedDSA25519))
	b = append(b, blinded.Public().Bytes()...)
	b = binary.BigEndian.AppendUint32(b, uint32(testTime.Unix()))
	b = binary.BigEndian.AppendUint16(b, 600)
	flags := uint16(0)
	if off != nil {
		flags = LS2FlagOffline
	}
	b = binary.BigEndian.AppendUint16(b, flags)
	if off != nil {
		b = append(b, off.Bytes()...)
	}
	b = binary.BigEndian.AppendUint16(b, 5)
	b = append(b, "ciphr"...)
	sig, err := signer.Sign(append([]byte{StoreTypeEncryptedLeaseSet}, b...))
	if err != nil {
		t.Fatal(err)
	}
	return append(b, sig...)
}

func TestEncryptedLeaseSet(t *testing.T) {
	blinded := testSigner(t, testKeys(t, 40, CryptoX25519))
	raw := buildEncryptedLeaseSet(t, blinded, nil, blinded)
	e, err := ParseEncryptedLeaseSet(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Verify(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(e.Bytes(), raw) || string(e.EncryptedData()) != "ciphr" || e.BlindedKey().Type() != SigRedDSA25519 ||
		!e.Published().Equal(testTime) || !e.Expires().Equal(testTime.Add(10*time.Minute)) || e.Flags() != 0 ||
		e.Offline() != nil || len(e.Signature()) != 64 {
		t.Error("accessors")
	}
	if e.Hash() != HashOf(append([]byte{0, 11}, blinded.Public().Bytes()...)) {
		t.Error("store hash")
	}
	bad := bytes.Clone(raw)
	bad[40] ^= 1
	if p, err := ParseEncryptedLeaseSet(bad); err != nil || !errors.Is(p.Verify(), ErrBadSignature) {
		t.Errorf("tampered: %v", err)
	}
	for n := 0; n < len(raw); n += 7 {
		if _, err := ParseEncryptedLeaseSet(raw[:n]); err == nil {
			t.Fatalf("truncated at %d accepted", n)
		}
	}
	if _, err := ParseEncryptedLeaseSet(append(bytes.Clone(raw), 0)); !errors.Is(err, ErrTrailingData) {
		t.Errorf("trailing: %v", err)
	}
}

func TestEncryptedLeaseSetOffline(t *testing.T) {
	blinded := testSigner(t, testKeys(t, 41, CryptoX25519))
	transient := testSigner(t, testKeys(t, 42, CryptoX25519))
	off, err := NewOfflineSignature(testTime.Add(time.Hour), transient.Public(), blinded)
	if err != nil {
		t.Fatal(err)
	}
	raw := buildEncryptedLeaseSet(t, blinded, off, transient)
	e, err := ParseEncryptedLeaseSet(raw)
	if err != nil || e.Verify() != nil || e.Offline() == nil {
		t.Fatalf("offline: %v", err)
	}
	// Signed by the blinded key instead of the transient key: rejected.
	wrong := buildEncryptedLeaseSet(t, blinded, off, blinded)
	if p, err := ParseEncryptedLeaseSet(wrong); err != nil || !errors.Is(p.Verify(), ErrBadSignature) {
		t.Errorf("wrong signer: %v", err)
	}
}

func FuzzParseEncryptedLeaseSet(f *testing.F) {
	blinded := testSigner(f, testKeys(f, 43, CryptoX25519))
	f.Add(buildEncryptedLeaseSet(f, blinded, nil, blinded))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ParseEncryptedLeaseSet(b)
		if err != nil {
			return
		}
		_ = e.Hash()
		if !bytes.Equal(e.Bytes(), b) {
			t.Fatal("Bytes differs from input")
		}
		off := 0
		if e.Offline() != nil {
			off = len(e.Offline().Bytes())
		}
		if len(b) != 2+e.BlindedKey().Type().PublicKeyLen()+8+off+2+len(e.EncryptedData())+len(e.Signature()) {
			t.Fatal("fields do not cover the input")
		}
	})
}
