package build_test

import (
	"crypto/sha256"
	"fmt"

	"i2pgate/router/crypto"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/tunnel/build"
)

// A one-hop outbound tunnel: the creator builds, the hop opens its record
// and accepts, and the creator reads the reply.
func Example() {
	hopKey, _ := crypto.GenerateX25519(nil)
	hopHash := data.Hash(sha256.Sum256(hopKey.Public[:]))
	hop := build.NewIdentity(hopHash, hopKey.Private)

	pending, req, err := build.New(build.Config{
		Hops:         []build.Peer{{Hash: hopHash, Key: hopKey.Public, Short: true}},
		ReplyGateway: data.Hash{1},
		ReplyTunnel:  1234,
	})
	if err != nil {
		panic(err)
	}

	opened, err := build.OpenShort(hop, req.(i2np.ShortTunnelBuild))
	if err != nil {
		panic(err)
	}
	reply, err := opened.Reply(build.StatusAccept, data.Mapping{})
	if err != nil {
		panic(err)
	}

	replies, err := pending.HandleReply(reply)
	if err != nil {
		panic(err)
	}
	fmt.Println(reply.Type() == i2np.TypeOutboundTunnelBuildReply, build.AllAccepted(replies),
		opened.Keys == pending.Hops[0].Keys)
	// Output: true true true
}
