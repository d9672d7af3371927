package console

import (
	"encoding/json"
	"html/template"
	"net/http"
	"sort"
)

// The status page: every field of the status object as a table, no scripts or
// external assets. The full console comes with the gateway work.
var indexTemplate = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>i2pgate</title>
<style>body{font-family:sans-serif;margin:2em}td{padding:2px 12px}th{text-align:left}</style>
</head><body><h1>i2pgate</h1>
<table>{{range .}}<tr><th>{{.Key}}</th><td>{{.Value}}</td></tr>{{end}}</table>
<p><a href="/api/status">/api/status</a></p>
</body></html>
`))

type row struct{ Key, Value string }

func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	b, err := json.Marshal(s.cfg.Status.Status())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		http.Error(w, "console: status is not an object", http.StatusInternalServerError)
		return
	}
	rows := make([]row, 0, len(fields))
	for k, v := range fields {
		rows = append(rows, row{k, string(v)})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Key < rows[j].Key })
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	indexTemplate.Execute(w, rows)
}
