package streaming

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"i2pgate/router/data"
)

func TestConnectEcho(t *testing.T) {
	a, b, _ := pair(t, nil)
	client, server := connect(t, a, b, 80)
	if got, want := client.RemoteAddr().String(), data.B32Address(b.dest.Hash())+":80"; got != want {
		t.Errorf("client remote %s, want %s", got, want)
	}
	if got := server.RemoteAddr().(Addr); got.Hash != a.dest.Hash() {
		t.Errorf("server remote %v", got)
	}
	if got := server.LocalAddr().(Addr); got.Hash != b.dest.Hash() || got.Port != 80 {
		t.Errorf("server local %v", got)
	}
	if !strings.HasSuffix(client.LocalAddr().String(), ".b32.i2p:0") || client.LocalAddr().Network() != "i2p" {
		t.Errorf("client local %v", client.LocalAddr())
	}
	go func() {
		io.Copy(server, server)
		server.Close()
	}()
	msg := bytes.Repeat([]byte("hello i2p "), 1000)
	go func() {
		client.Write(msg)
		client.CloseWrite()
	}()
	got, err := readAll(client)
	if err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("echo: %d bytes, %v", len(got), err)
	}
	client.Close()
	eventually(t, "connections to finish", func() bool {
		return a.m.Stats().Conns == 0 && b.m.Stats().Conns == 0
	})
	if st := b.m.Stats(); st.PacketsDropped != 0 {
		t.Errorf("server dropped %d packets", st.PacketsDropped)
	}
}
