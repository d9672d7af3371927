package console

import (
	"net/http"
	"slices"

	"i2pgate/internal/jsonx"
	"sort"
)

// Rows per page of the paged lists.
const (
	peersPerPage   = 100
	transitPerPage = 100
)

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Status == nil {
		s.writeError(w, http.StatusNotFound, "status not available")
		return
	}
	b, err := jsonx.MarshalIndent(s.cfg.Status.Status(), "", "  ")
	if err != nil {
		s.writeError(w, http.StatusInternalServerError, "status: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(append(b, '\n'))
}

type overviewData struct {
	Overview *Overview
	Rows     []statusRow // the status object's fields, without an Overview
}

type statusRow struct{ Key, Value string }

func (s *Server) handleOverview(w http.ResponseWriter, r *http.Request) {
	switch {
	case s.cfg.Overview != nil:
		ov := s.cfg.Overview.Overview()
		s.render(w, http.StatusOK, "/", overviewData{Overview: &ov})
	case s.cfg.Status != nil:
		rows, err := statusRows(s.cfg.Status.Status())
		if err != nil {
			s.writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
		s.render(w, http.StatusOK, "/", overviewData{Rows: rows})
	default:
		s.render(w, http.StatusOK, "/", nil)
	}
}

// statusRows lists the fields of the status object, sorted by name, each
// value as JSON.
func statusRows(st any) ([]statusRow, error) {
	b, err := jsonx.Marshal(st)
	if err != nil {
		return nil, err
	}
	fields, err := jsonx.Fields(b)
	if err != nil {
		return nil, errStatusNotObject
	}
	rows := make([]statusRow, 0, len(fields))
	for k, v := range fields {
		rows = append(rows, statusRow{k, string(v)})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Key < rows[j].Key })
	return rows, nil
}

type peersData struct {
	Known, Connected int
	ConnectedOnly    bool
	Rows             []Peer
	Pager            pager
}

func (s *Server) handlePeers(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Peers == nil {
		s.render(w, http.StatusOK, "/peers", nil)
		return
	}
	params := r.URL.Query()
	q := parseListQuery(params)
	d := peersData{ConnectedOnly: params.Get("connected") == "1"}
	all := s.cfg.Peers.Peers()
	d.Known = len(all)
	shown := all
	if d.ConnectedOnly {
		shown = nil
	}
	for _, p := range all {
		if p.Connected {
			d.Connected++
			if d.ConnectedOnly {
				shown = append(shown, p)
			}
		}
	}
	var more bool
	d.Rows, more = page(shown, q.offset(peersPerPage), peersPerPage)
	d.Pager = newPager("/peers", params, q.Page, more)
	s.render(w, http.StatusOK, "/peers", d)
}

// page returns the rows of a page and whether more follow.
func page[T any](all []T, offset, size int) ([]T, bool) {
	if offset >= len(all) {
		return nil, false
	}
	end := min(len(all), offset+size)
	return all[offset:end], end < len(all)
}

type tunnelsData struct {
	Tunnels []Tunnel
	Builds  BuildStats
}

func (s *Server) handleTunnels(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Tunnels == nil {
		s.render(w, http.StatusOK, "/tunnels", nil)
		return
	}
	ti := s.cfg.Tunnels.Tunnels()
	s.render(w, http.StatusOK, "/tunnels", tunnelsData{Tunnels: ti.Tunnels, Builds: ti.Builds})
}

type transitData struct {
	Total int
	Roles []Count
	Rows  []TransitTunnel
	Pager pager
}

func (s *Server) handleTransit(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Transit == nil {
		s.render(w, http.StatusOK, "/transit", nil)
		return
	}
	params := r.URL.Query()
	q := parseListQuery(params)
	all := s.cfg.Transit.Transit()
	d := transitData{Total: len(all)}
	for _, role := range []TransitRole{RoleParticipant, RoleGateway, RoleEndpoint} {
		n := 0
		for _, t := range all {
			if t.Role == role {
				n++
			}
		}
		if n > 0 {
			d.Roles = append(d.Roles, Count{Name: string(role), N: n})
		}
	}
	var more bool
	d.Rows, more = page(all, q.offset(transitPerPage), transitPerPage)
	d.Pager = newPager("/transit", params, q.Page, more)
	s.render(w, http.StatusOK, "/transit", d)
}

func (s *Server) handleDestinations(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Destinations == nil {
		s.render(w, http.StatusOK, "/destinations", nil)
		return
	}
	s.render(w, http.StatusOK, "/destinations", s.cfg.Destinations.Destinations())
}

func (s *Server) handleAutomap(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Automap == nil {
		s.render(w, http.StatusOK, "/automap", nil)
		return
	}
	entries := slices.Clone(s.cfg.Automap.AutomapEntries())
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
	s.render(w, http.StatusOK, "/automap", entries)
}

func (s *Server) handleSubscriptions(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Subscriptions == nil {
		s.render(w, http.StatusOK, "/subscriptions", nil)
		return
	}
	s.render(w, http.StatusOK, "/subscriptions", s.cfg.Subscriptions.Subscriptions())
}
