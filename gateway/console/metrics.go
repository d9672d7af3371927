package console

import (
	"bufio"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// metricsContentType is the Prometheus text exposition format, version 0.0.4.
const metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Metrics == nil {
		http.Error(w, "console: metrics not available", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", metricsContentType)
	w.Header().Set("Cache-Control", "no-store")
	bw := bufio.NewWriter(w)
	if dropped := writeMetrics(bw, s.cfg.Metrics.Metrics()); dropped > 0 {
		s.log.Debug("metrics: samples dropped", "count", dropped)
	}
	bw.Flush()
}

// maxPlainInteger bounds the integral values written without an exponent.
const maxPlainInteger = 1e15

// family is the samples of one metric name, in the order given.
type family struct {
	name, help string
	typ        MetricType
	series     []string // "{labels} value" or " value"
	seen       map[string]bool
}

// writeMetrics writes samples in the text exposition format: families sorted by
// name, each with its # HELP and # TYPE lines before its samples, labels sorted
// by name. Samples with invalid names, a type other than their family's, or
// labels already seen in their family are left out; it returns how many.
func writeMetrics(w io.Writer, samples []Sample) (dropped int) {
	fams := make(map[string]*family)
	for _, sm := range samples {
		if !validMetricName(sm.Name) {
			dropped++
			continue
		}
		typ := sm.Type
		if typ != Counter && typ != Gauge {
			typ = "untyped"
		}
		labels, ok := formatLabels(sm.Labels)
		if !ok {
			dropped++
			continue
		}
		f := fams[sm.Name]
		if f == nil {
			f = &family{name: sm.Name, help: sm.Help, typ: typ, seen: make(map[string]bool)}
			fams[sm.Name] = f
		}
		if f.typ != typ || f.seen[labels] {
			dropped++
			continue
		}
		f.seen[labels] = true
		f.series = append(f.series, labels+" "+formatValue(sm.Value))
	}
	names := make([]string, 0, len(fams))
	for n := range fams {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		f := fams[n]
		if f.help != "" {
			io.WriteString(w, "# HELP "+n+" "+escapeHelp(f.help)+"\n")
		}
		io.WriteString(w, "# TYPE "+n+" "+string(f.typ)+"\n")
		for _, line := range f.series {
			io.WriteString(w, n+line+"\n")
		}
	}
	return dropped
}

// formatLabels renders labels as {a="x",b="y"} sorted by name; "" for none.
func formatLabels(labels map[string]string) (string, bool) {
	if len(labels) == 0 {
		return "", true
	}
	keys := make([]string, 0, len(labels))
	for k := range labels {
		if !validLabelName(k) {
			return "", false
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k)
		b.WriteString(`="`)
		b.WriteString(escapeLabelValue(labels[k]))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), true
}

var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

func escapeHelp(s string) string {
	return helpEscaper.Replace(strings.ToValidUTF8(s, "\uFFFD"))
}

func escapeLabelValue(s string) string {
	return labelEscaper.Replace(strings.ToValidUTF8(s, "\uFFFD"))
}

func formatValue(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case v == math.Trunc(v) && math.Abs(v) < maxPlainInteger:
		return strconv.FormatFloat(v, 'f', -1, 64) // counters read as integers
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// validMetricName reports whether s matches [a-zA-Z_:][a-zA-Z0-9_:]*.
func validMetricName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isAlpha(c) || c == '_' || c == ':' || (i > 0 && isDigit(c))) {
			return false
		}
	}
	return true
}

// validLabelName reports whether s matches [a-zA-Z_][a-zA-Z0-9_]* and is not
// reserved ("__" prefix).
func validLabelName(s string) bool {
	if s == "" || strings.HasPrefix(s, "__") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isAlpha(c) || c == '_' || (i > 0 && isDigit(c))) {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
