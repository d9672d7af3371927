// Package naming is the router's address book: it maps human-readable .i2p
// host names to destinations (naming.html "Naming in I2P").
//
// It implements:
//
//   - the hosts.txt format, one "name=base64destination" per line, with the
//     signed "#!key=value#..." extension of subscription.rst (ParseLine,
//     Line.VerifySig, Line.VerifyInnerSig, Line.VerifyRemoveSig) and the host
//     name rules of naming.html (ValidName);
//   - Book, the persistent address book in a router/store bucket: lookup by
//     name and by destination hash, local names added by the user, search
//     for a console, and Import of a hosts.txt stream where the first name
//     seen wins and local names always win;
//   - .b32.i2p names, resolved to a destination hash without the book
//     (Resolve); b33 names (encrypted LeaseSets) are refused with
//     ErrB33Unsupported;
//   - Subscriber, which fetches hosts.txt subscriptions over an injected
//     HTTP client (HTTPDoer) on a jittered schedule with conditional GET, and records
//     the outcome of every fetch for the console.
//
// It leaves to others the transport of the subscription fetches (the
// integrator hands Subscriber an http1.Client that dials through I2P), the
// LeaseSet lookup that turns a destination hash into something to connect
// to, jump services and address helpers (the HTTP proxy), and publishing an
// address book. Parsers are pure and silent; time and randomness are
// injected and nothing here keeps package-level mutable state.
package naming
