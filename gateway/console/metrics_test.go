package console_test

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"i2pgate/gateway/console"
)

// expSample is a parsed sample line.
type expSample struct {
	name   string
	labels map[string]string
	value  float64
}

// exposition is a parsed text exposition.
type exposition struct {
	help    map[string]string
	types   map[string]string
	samples []expSample
}

// parseExposition parses the Prometheus text format (0.0.4) strictly: every
// line is a HELP, TYPE or sample line of the grammar; HELP and TYPE come at
// most once per family, before its samples; a family's samples are contiguous;
// no series (name and label set) repeats. Timestamps are not allowed (the
// console writes none).
func parseExposition(text string) (*exposition, error) {
	ex := &exposition{help: map[string]string{}, types: map[string]string{}}
	if text == "" {
		return ex, nil
	}
	if !strings.HasSuffix(text, "\n") {
		return nil, fmt.Errorf("no final newline")
	}
	done := map[string]bool{} // families whose samples ended
	seen := map[string]bool{} // series
	current := ""
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		fail := func(format string, a ...any) error {
			return fmt.Errorf("line %d %q: %s", i+1, line, fmt.Sprintf(format, a...))
		}
		switch {
		case strings.HasPrefix(line, "# HELP "), strings.HasPrefix(line, "# TYPE "):
			kind := line[2:6]
			name, rest, ok := strings.Cut(line[7:], " ")
			if !ok || !metricName(name) {
				return nil, fail("bad %s", kind)
			}
			if done[name] || name == current {
				return nil, fail("%s after samples", kind)
			}
			if kind == "HELP" {
				if _, dup := ex.help[name]; dup {
					return nil, fail("second HELP")
				}
				h, err := unescape(rest, false)
				if err != nil {
					return nil, fail("%v", err)
				}
				ex.help[name] = h
				continue
			}
			if _, dup := ex.types[name]; dup {
				return nil, fail("second TYPE")
			}
			switch rest {
			case "counter", "gauge", "untyped", "histogram", "summary":
			default:
				return nil, fail("bad type")
			}
			ex.types[name] = rest
		case strings.HasPrefix(line, "#"):
			return nil, fail("comment")
		default:
			s, key, err := parseSampleLine(line)
			if err != nil {
				return nil, fail("%v", err)
			}
			if s.name != current {
				if done[s.name] {
					return nil, fail("family not contiguous")
				}
				if current != "" {
					done[current] = true
				}
				current = s.name
			}
			if seen[key] {
				return nil, fail("duplicate series")
			}
			seen[key] = true
			ex.samples = append(ex.samples, s)
		}
	}
	return ex, nil
}

// parseSampleLine parses name{l="v",...} value; key identifies the series.
func parseSampleLine(line string) (expSample, string, error) {
	s := expSample{labels: map[string]string{}}
	i := strings.IndexAny(line, "{ ")
	if i < 0 {
		return s, "", fmt.Errorf("no value")
	}
	s.name = line[:i]
	if !metricName(s.name) {
		return s, "", fmt.Errorf("bad name")
	}
	rest := line[i:]
	var keys []string
	if rest[0] == '{' {
		rest = rest[1:]
		for rest != "" && rest[0] != '}' {
			eq := strings.Index(rest, `="`)
			if eq < 0 {
				return s, "", fmt.Errorf("bad label")
			}
			k := rest[:eq]
			if !labelName(k) {
				return s, "", fmt.Errorf("bad label name %q", k)
			}
			if _, dup := s.labels[k]; dup {
				return s, "", fmt.Errorf("label %q twice", k)
			}
			rest = rest[eq+2:]
			end := -1
			for j := 0; j < len(rest); j++ {
				if rest[j] == '\\' {
					j++
					continue
				}
				if rest[j] == '"' {
					end = j
					break
				}
			}
			if end < 0 {
				return s, "", fmt.Errorf("unterminated label value")
			}
			v, err := unescape(rest[:end], true)
			if err != nil {
				return s, "", err
			}
			s.labels[k] = v
			keys = append(keys, k)
			rest = rest[end+1:]
			if strings.HasPrefix(rest, ",") {
				rest = rest[1:]
			}
		}
		if rest == "" {
			return s, "", fmt.Errorf("unterminated labels")
		}
		rest = rest[1:]
		if len(keys) == 0 {
			return s, "", fmt.Errorf("empty braces")
		}
	}
	if !strings.HasPrefix(rest, " ") || strings.Contains(rest[1:], " ") {
		return s, "", fmt.Errorf("value part %q", rest)
	}
	v := rest[1:]
	switch v {
	case "NaN":
		s.value = math.NaN()
	case "+Inf":
		s.value = math.Inf(1)
	case "-Inf":
		s.value = math.Inf(-1)
	default:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || strings.ContainsAny(v, "xXpP_") || strings.EqualFold(v, "inf") || strings.EqualFold(v, "nan") {
			return s, "", fmt.Errorf("bad value %q", v)
		}
		s.value = f
	}
	slices.Sort(keys)
	key := s.name
	for _, k := range keys {
		key += "\x00" + k + "\x00" + s.labels[k]
	}
	return s, key, nil
}

// unescape undoes the format's escapes: \\ and \n, and \" in label values.
func unescape(s string, label bool) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\n' {
			return "", fmt.Errorf("raw newline")
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i+1 == len(s) {
			return "", fmt.Errorf("trailing backslash")
		}
		i++
		switch s[i] {
		case '\\':
			b.WriteByte('\\')
		case 'n':
			b.WriteByte('\n')
		case '"':
			if !label {
				return "", fmt.Errorf(`\" in HELP`)
			}
			b.WriteByte('"')
		default:
			return "", fmt.Errorf("bad escape")
		}
	}
	return b.String(), nil
}

func metricName(s string) bool {
	for i, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

func labelName(s string) bool {
	return metricName(s) && !strings.Contains(s, ":") && !strings.HasPrefix(s, "__")
}

func metricsOf(t *testing.T, samples []console.Sample) (string, *exposition) {
	t.Helper()
	e := newEnv(t, func(c *console.Config) {
		c.Metrics = console.MetricsFunc(func() []console.Sample { return samples })
	})
	resp, body := e.get("/metrics")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/plain; version=0.0.4; charset=utf-8" {
		t.Fatalf("%d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	ex, err := parseExposition(body)
	if err != nil {
		t.Fatalf("%v\n%s", err, body)
	}
	return body, ex
}

func TestMetricsSample(t *testing.T) {
	e := newEnv(t, nil)
	body, ex := metricsOf(t, e.data.Metrics)
	for _, want := range []string{
		"# HELP i2pgate_dns_queries_total DNS queries by result.\n# TYPE i2pgate_dns_queries_total counter\n",
		`i2pgate_dns_queries_total{result="mapped"} 1234` + "\n",
		`i2pgate_transport_sessions{direction="in",transport="ntcp2"} 14` + "\n",
		`i2pgate_transport_bytes_total{direction="in"} 641728512` + "\n",
		`i2pgate_streams{destination="odd \"name\"\\with\nnewline"} 7` + "\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %q in\n%s", want, body)
		}
	}
	if len(ex.samples) != len(e.data.Metrics) {
		t.Errorf("%d samples, want %d", len(ex.samples), len(e.data.Metrics))
	}
	for _, in := range e.data.Metrics {
		if !hasSample(ex, in) {
			t.Errorf("%s %v not read back", in.Name, in.Labels)
		}
		if ex.types[in.Name] != string(in.Type) || ex.help[in.Name] != in.Help {
			t.Errorf("%s: type %q help %q", in.Name, ex.types[in.Name], ex.help[in.Name])
		}
	}
}

func hasSample(ex *exposition, in console.Sample) bool {
	for _, s := range ex.samples {
		if s.name != in.Name || len(s.labels) != len(in.Labels) {
			continue
		}
		same := s.value == in.Value || math.IsNaN(s.value) && math.IsNaN(in.Value)
		for k, v := range in.Labels {
			if s.labels[k] != v {
				same = false
			}
		}
		if same {
			return true
		}
	}
	return false
}

func TestMetricsRules(t *testing.T) {
	g := func(name string, v float64, kv ...string) console.Sample {
		s := console.Sample{Name: name, Type: console.Gauge, Value: v, Help: "help of " + name}
		if len(kv) > 0 {
			s.Labels = map[string]string{}
			for i := 0; i+1 < len(kv); i += 2 {
				s.Labels[kv[i]] = kv[i+1]
			}
		}
		return s
	}
	in := []console.Sample{
		g("b_gauge", 1, "x", "1"),
		g("a_total", math.NaN()),
		g("b_gauge", 2, "x", "2"),
		g("b_gauge", 3, "x", "1"), // duplicate series: dropped
		{Name: "b_gauge", Type: console.Counter, Value: 4, Labels: map[string]string{"x": "3"}}, // other type: dropped
		g("1bad", 1),                 // bad name
		g("bad-name", 1),             // bad name
		g("", 1),                     // bad name
		g("ok", 1, "__reserved", ""), // bad label name
		g("ok", 1, "bad-label", "v"),
		g("ok", math.Inf(1), "le", "x"),
		g("ok", math.Inf(-1), "le", "y"),
		g("ok", 1.5e-7, "le", "z"),
		g("ok", 1e300, "le", "w"),
		g("ok", -0.25, "le", `back\slash "quoted" `+"new\nline \xff"),
		{Name: "c:colon_name", Help: "multi\nline \\ help", Type: "summary", Value: 1},
		{Name: "d", Value: 2, Labels: map[string]string{}},
	}
	body, ex := metricsOf(t, in)
	wantLines := []string{
		"# HELP a_total help of a_total",
		"# TYPE a_total gauge",
		"a_total NaN",
		"# HELP b_gauge help of b_gauge",
		"# TYPE b_gauge gauge",
		`b_gauge{x="1"} 1`,
		`b_gauge{x="2"} 2`,
		`# HELP c:colon_name multi\nline \\ help`,
		"# TYPE c:colon_name untyped",
		"c:colon_name 1",
		"# TYPE d untyped",
		"d 2",
		"# HELP ok help of ok",
		"# TYPE ok gauge",
		`ok{le="x"} +Inf`,
		`ok{le="y"} -Inf`,
		`ok{le="z"} 1.5e-07`,
		`ok{le="w"} 1e+300`,
		`ok{le="back\\slash \"quoted\" new\nline ` + "\uFFFD" + `"} -0.25`,
	}
	if got := strings.Split(strings.TrimSuffix(body, "\n"), "\n"); !slices.Equal(got, wantLines) {
		t.Errorf("got\n%s\nwant\n%s", body, strings.Join(wantLines, "\n"))
	}
	if ex.help["c:colon_name"] != "multi\nline \\ help" {
		t.Errorf("help read back as %q", ex.help["c:colon_name"])
	}
	if len(ex.samples) != 10 {
		t.Errorf("%d samples", len(ex.samples))
	}
	if _, ex := metricsOf(t, nil); len(ex.samples) != 0 {
		t.Error("samples from nothing")
	}
}

// TestExpositionParser checks that the test's parser refuses what breaks the
// format, so that the tests above can fail.
func TestExpositionParser(t *testing.T) {
	bad := []string{
		"a 1",                   // no final newline
		"a 1\n# TYPE a gauge\n", // TYPE after samples
		"# TYPE a gauge\n# TYPE a gauge\na 1\n",
		"# HELP a x\n# HELP a y\n",
		"a 1\nb 1\na 2\n",              // not contiguous
		"a{x=\"1\"} 1\na{x=\"1\"} 2\n", // duplicate
		"a{x=\"1\",y=\"2\"} 1\na{y=\"2\",x=\"1\"} 2\n",
		"a{x=\"1} 1\n",     // unterminated
		"a{x=\"\\t\"} 1\n", // bad escape
		"a{__x=\"1\"} 1\n", // reserved label
		"a{x-y=\"1\"} 1\n", // bad label
		"a{} 1\n",
		"a-b 1\n",
		"a 1 2 3\n",
		"a one\n",
		"a 0x10\n",
		"# TYPE a gaugey\n",
		"# random comment\n",
		"# HELP a \\\"\n",
	}
	for _, text := range bad {
		if _, err := parseExposition(text); err == nil {
			t.Errorf("accepted %q", text)
		}
	}
	if _, err := parseExposition("# HELP a x\\ny\n# TYPE a counter\na{b=\"\\\"\",c=\"\"} 1e3\nb +Inf\n"); err != nil {
		t.Error(err)
	}
}

// FuzzMetrics writes samples with arbitrary names, labels and values; the output
// must parse strictly and hold exactly the samples that follow the naming
// rules, each once.
func FuzzMetrics(f *testing.F) {
	f.Add("i2pgate_x_total", "help\n\\", "result", "ok\"\n", 1.5, uint8(0))
	f.Add("a:b", "", "__x", "", math.NaN(), uint8(1))
	f.Add("9x", "h", "le", "\xff", math.Inf(-1), uint8(2))
	f.Fuzz(func(t *testing.T, name, help, lkey, lval string, v float64, typ uint8) {
		types := []console.MetricType{console.Counter, console.Gauge, "", "histogram"}
		mt := types[int(typ)%len(types)]
		in := []console.Sample{
			{Name: name, Help: help, Type: mt, Labels: map[string]string{lkey: lval}, Value: v},
			{Name: name, Help: help, Type: mt, Labels: map[string]string{lkey: lval + "2"}, Value: -v},
			{Name: name, Help: help, Type: mt, Labels: map[string]string{lkey: lval}, Value: 7}, // duplicate
			{Name: name + "_other", Help: lval, Type: console.Gauge, Value: v},
		}
		_, ex := metricsOf(t, in)
		valid := metricName(name) && labelName(lkey)
		want := 0
		if valid {
			want = 2
			for _, s := range in[:2] {
				s.Labels[lkey] = strings.ToValidUTF8(s.Labels[lkey], "\uFFFD")
				if !hasSample(ex, s) {
					t.Fatalf("%q %v not read back", s.Name, s.Labels)
				}
			}
		}
		if metricName(name + "_other") {
			want++
		}
		if len(ex.samples) != want {
			t.Fatalf("%d samples, want %d", len(ex.samples), want)
		}
	})
}
