// Package reseed bootstraps an empty netdb: it fetches RouterInfos from
// reseed sources and returns the ones that verify.
//
// It implements the SU3 file format of i2p2www/spec/updates.rst (ParseSU3,
// SU3.Verify for RSA-SHA256/384/512, ECDSA P-256/384/521 and I2P's
// EdDSA-SHA512-Ed25519ph, and BuildSU3 for tests and test networks), the
// reseed zip of "routerInfo-*.dat" entries with zip-bomb limits
// (ExtractRouterInfos), the signers' X.509 certificates as i2pd and Java
// I2P ship them (LoadCertsDir), the sources a router reseeds from (HTTPS
// reseed servers that serve i2pseeds.su3, the same downloaded by an
// external fetcher such as curl (Command), a local .su3 or .zip file, a
// netDb-style directory or a single RouterInfo file), the Reseeder that tries
// them and checks every RouterInfo's signature and netId, and Backoff for
// retrying until the network is reachable.
//
// Downloads use router/netx/http1. Built with the tag notls the package
// has no TLS stack (crypto/tls is imported by tls.go only): https URLs are
// then left to uclient-fetch, curl or wget unless Config.Command names a
// fetcher.
//
// It leaves to the netdb when to reseed, storing the RouterInfos and
// expiring them, and to the configuration which URLs and certificates to
// use. Parsers are pure and never log; the Reseeder logs one line per
// source through the injected *slog.Logger.
package reseed
