package reseed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

const (
	// maxFetcherStderr bounds the fetcher's stderr kept for an error.
	maxFetcherStderr = 4 << 10
	// fetcherWaitDelay bounds the wait for a fetcher's pipes once it has
	// exited or was killed (a child left behind may hold them).
	fetcherWaitDelay = 2 * time.Second
	// defaultPath is the fetcher's PATH when the router has none.
	defaultPath = "/usr/sbin:/usr/bin:/sbin:/bin"
)

// ErrNoFetcher is returned (wrapped) for an https URL in a build without
// TLS when no external fetcher is configured or found.
var ErrNoFetcher = errors.New("reseed: https needs uclient-fetch, curl or wget in PATH in this build (notls)")

// Command is a reseed server downloaded by an external program, such as
// curl: Argv (no shell) is run with the SU3 URL appended, and its standard
// output is the SU3 file, which is verified as HTTPS verifies it. The
// program runs in its own process group with a minimal environment (PATH
// and the TLS certificate locations only: no proxies, no locale); the group
// is killed when ctx ends, Timeout passes or the output exceeds
// MaxSU3Size. A failure's error holds the start of its stderr.
type Command struct {
	URL   string
	NetID int
	Certs SignerCerts
	// Argv is the program (a name looked up in PATH or a path) and its
	// arguments.
	Argv      []string
	AllowHTTP bool
	Timeout   time.Duration // 0 means DefaultTimeout
}

var _ Source = (*Command)(nil)

// Name implements Source.
func (c *Command) Name() string { return c.URL }

// Fetch implements Source.
func (c *Command) Fetch(ctx context.Context) ([][]byte, error) {
	u, err := SU3URL(c.URL, c.NetID, c.AllowHTTP)
	if err != nil {
		return nil, err
	}
	if len(c.Argv) == 0 || c.Argv[0] == "" {
		return nil, errors.New("reseed: fetcher command is empty")
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	argv := append(append([]string(nil), c.Argv...), u)
	b, err := runFetcher(ctx, argv, timeout)
	if err != nil {
		return nil, err
	}
	ris, _, err := routerInfosFromSU3(b, c.Certs, false)
	return ris, err
}

// runFetcher runs argv and returns its standard output.
func runFetcher(ctx context.Context, argv []string, timeout time.Duration) ([]byte, error) {
	name := filepath.Base(argv[0])
	runCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = fetcherEnv()
	cmd.Dir = os.TempDir()
	out := &capBuffer{limit: MaxSU3Size, over: cancel}
	stderr := &capBuffer{limit: maxFetcherStderr, truncate: true}
	cmd.Stdout, cmd.Stderr = out, stderr
	cmd.WaitDelay = fetcherWaitDelay
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("reseed: fetcher: %w", err)
	}
	stop := context.AfterFunc(runCtx, func() { killGroup(cmd) })
	err := cmd.Wait()
	stop()
	killGroup(cmd) // what it left behind
	switch {
	case out.exceeded:
		return nil, fmt.Errorf("reseed: %s: %w", name, errTooLarge{MaxSU3Size})
	case ctx.Err() != nil:
		return nil, fmt.Errorf("reseed: %s: %w", name, ctx.Err())
	case runCtx.Err() != nil:
		return nil, fmt.Errorf("reseed: %s: killed after %v", name, timeout)
	case err != nil:
		msg := strings.TrimSpace(strings.ToValidUTF8(stderr.buf.String(), "?"))
		if msg == "" {
			return nil, fmt.Errorf("reseed: %s: %w", name, err)
		}
		return nil, fmt.Errorf("reseed: %s: %w: %s", name, err, msg)
	}
	return out.buf.Bytes(), nil
}

// fetcherEnv is the environment of a fetcher: PATH and where TLS
// certificates are, if the router's environment says so.
func fetcherEnv() []string {
	path := os.Getenv("PATH")
	if path == "" {
		path = defaultPath
	}
	env := []string{"PATH=" + path}
	for _, k := range []string{"SSL_CERT_FILE", "SSL_CERT_DIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// capBuffer keeps what is written up to limit bytes. Past it, it calls over
// and fails, or with truncate keeps the start and drops the rest.
type capBuffer struct {
	buf      bytes.Buffer
	limit    int
	truncate bool
	over     func()
	exceeded bool
}

func (c *capBuffer) Write(p []byte) (int, error) {
	room := c.limit - c.buf.Len()
	if len(p) <= room {
		return c.buf.Write(p)
	}
	c.buf.Write(p[:max(room, 0)])
	if c.truncate {
		return len(p), nil
	}
	c.exceeded = true
	if c.over != nil {
		c.over()
	}
	return 0, errTooLarge{int64(c.limit)}
}

// defaultFetcher returns the first of uclient-fetch, curl and wget found in
// PATH with the arguments that download an URL (appended) to standard
// output with the reseed user agent and timeout. curl refuses plain HTTP,
// redirects included, unless allowHTTP.
func defaultFetcher(timeout time.Duration, allowHTTP bool) ([]string, error) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	secs := strconv.Itoa(max(int(timeout/time.Second), 1))
	proto := "=https"
	if allowHTTP {
		proto = "=http,https"
	}
	candidates := [][]string{
		{"uclient-fetch", "-q", "-T", secs, "-U", UserAgent, "-O", "-"},
		{"curl", "-fsSL", "--proto", proto, "--proto-redir", proto, "--max-redirs", strconv.Itoa(maxRedirects),
			"--max-time", secs, "-A", UserAgent},
		{"wget", "-q", "-T", secs, "-U", UserAgent, "-O", "-"},
	}
	for _, argv := range candidates {
		if p, err := exec.LookPath(argv[0]); err == nil {
			argv[0] = p
			return argv, nil
		}
	}
	return nil, ErrNoFetcher
}
