// Package ratchet runs the ECIES-X25519-AEAD-Ratchet sessions of one local
// client destination (ecies.rst): New Session (NS) messages with the
// Elligator2-encoded ephemeral key, bound or one-time; New Session Replies
// (NSR) and the split into the Existing Session (ES) tag sets of both
// directions; ES messages found by their 8-byte tag; the DH ratchet through
// NextKey blocks; ACK requests and ACKs; Termination; idle expiry. Its
// Manager holds our static X25519 key, the sessions keyed by the remote's
// static key and the table of the inbound tags we expect.
//
// The state machine follows i2pd 2.45.1 (ECIESX25519AEADRatchetSession.cpp,
// Garlic.cpp) wherever the specification leaves a choice, so that it talks
// byte-exactly with i2pd destinations: each NS retry is a new session with a
// new ephemeral key; Bob reuses his NSR ephemeral key for the further NSRs
// of one session; the sender of a tag set starts a NextKey exchange once it
// has sent RatchetAfter messages on it; a session is restarted after 90 s
// without anything received; sessions expire after 10 minutes without
// receiving and 8 without sending.
//
// It leaves to others everything outside the Garlic message data: the I2NP
// framing (router/i2np Garlic.Data, whose 4-byte length prefix i2np adds),
// the payload block codec (router/garlic, reused here), what the cloves
// carry and where they go, bundling our lease set (the caller adds it as a
// DatabaseStore clove), checking that a bound static key belongs to the
// sender's lease set, and when to send an empty message to answer an ACK
// request or a NextKey (Decrypted.NeedsReply says one is due). Nothing here
// logs, starts goroutines or keeps package-level mutable state; time and
// randomness are injected, every table is bounded, and the Manager is safe
// for concurrent use.
package ratchet
