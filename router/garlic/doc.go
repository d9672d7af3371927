// Package garlic encrypts and decrypts router-level ECIES-X25519 garlic
// messages and encodes their payload blocks and cloves.
//
// It implements:
//
//   - the payload block codec of ecies.rst "5) Payload" (DateTime,
//     Termination, Options, MessageNumbers, NextKey, ACK, ACK Request,
//     Garlic Clove, Padding) with the per-message ordering rules, shared
//     with the client-destination ratchet;
//   - the one-shot Noise_N "New Session" message to a router's X25519 key
//     (ecies-routers.rst), sealed with SealForRouter and opened with
//     OpenForRouter;
//   - the one-time reply key and tag of a DatabaseLookup with the ECIES
//     flag (i2np.rst "DatabaseLookup", "ECIES to ElG" reply format): the
//     answer is an Existing Session message with nonce 0 and the tag as
//     associated data (NewReplyKey, SealReply, OpenReply), and ReplyTable,
//     which keeps our outstanding reply tags;
//   - Decrypter, which tells a reply (tag known) from a New Session
//     message and checks DateTime freshness and ephemeral-key replays.
//
// It leaves to others the I2NP framing of the Garlic message (router/i2np:
// the bodies here are i2np.Garlic.Data), what to do with the cloves
// (router dispatch, tunnel and netdb), and the full ECIES-X25519-AEAD-Ratchet
// session state machine of client destinations, which reuses the block codec.
// Parsers are pure and silent; nothing here logs or keeps package-level
// mutable state, and randomness and time are injected.
package garlic
