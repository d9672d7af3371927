// Package netdb is the router's network database: the RouterInfos it knows
// (in memory, indexed by hash with a floodfill set, persisted through
// router/store with a write-rarely Batcher), their validation on receipt,
// Kademlia routing keys and XOR distance, and the floodfill protocol of
// i2p2www/pages/site/docs/how/network-database.html over the I2NP messages
// DatabaseStore, DatabaseLookup, DatabaseSearchReply and DeliveryStatus:
//
//   - client side: iterative RouterInfo lookups with coalescing, exploration,
//     and publishing our own RouterInfo with a reply token;
//   - floodfill side (Config.Floodfill): storing RouterInfos and LeaseSets
//     (types 1, 3 and the outer layer of 5, in memory), confirming and flooding stores, and
//     answering lookups and exploration;
//   - maintenance: expiry of stale entries and reseeding when too small.
//
// It leaves to others: sending and receiving messages (the router supplies a
// Sender and calls Handle), reseed sources (a Reseeder such as
// router/netdb/reseed), tunnels and garlic encryption. Lookups and replies go
// directly between routers; lookups asking for encrypted replies are not
// answered until router/garlic can wrap them, and LeaseSet lookups for our
// own destinations belong to router/destination.
package netdb
