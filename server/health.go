package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// HealthPath is the path of the health endpoint: GET (or HEAD) answers with a Health report
// in JSON, without a signature, so that container health checks, compose files and CI
// scripts can wait for the server. Every other path and method goes to the Kinesis API.
const HealthPath = "/health"

// Health is what GET /health reports. The server keeps no state of its own: it asks
// Options.Health for the report of each request.
type Health struct {
	// Ready is true when the server can answer Kinesis calls: its store is open and the
	// listener that carried the request is serving. A report that is not ready is answered
	// 503, with Reason.
	Ready  bool
	Reason string // why the server is not ready; empty when it is

	Version string            // the binary's version
	Build   map[string]string // more of how it was built: VCS revision, Go version…
	Started time.Time         // when the server started; the report gives the uptime since
	DataDir string            // the data directory
	Streams int               // streams in the store
}

// healthJSON is the body of a /health answer. Its "services" member has the shape of the
// AWS emulators' health endpoints ({"services":{"kinesis":"running"}}), which tools that
// wait for those already understand.
type healthJSON struct {
	Status        string            `json:"status"` // "ok" or "unavailable"
	Reason        string            `json:"reason,omitempty"`
	Services      map[string]string `json:"services"`
	Version       string            `json:"version,omitempty"`
	Build         map[string]string `json:"build,omitempty"`
	UptimeSeconds float64           `json:"uptimeSeconds"`
	DataDir       string            `json:"dataDirectory,omitempty"`
	Streams       int               `json:"streams"`
}

// isHealthCheck reports whether r asks for the health report.
func isHealthCheck(r *http.Request) bool {
	return r.URL.Path == HealthPath && (r.Method == http.MethodGet || r.Method == http.MethodHead)
}

// serveHealth answers a health check with the report of Options.Health; without one, the
// server reports itself ready, since it is answering.
func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	h := Health{Ready: true}
	if s.opts.Health != nil {
		h = s.opts.Health(r.Context())
	}
	body, status := encodeHealth(h, time.Now()), http.StatusOK
	if !h.Ready {
		status = http.StatusServiceUnavailable
	}
	hdr := w.Header()
	hdr["Content-Type"] = []string{"application/json"}
	hdr["Content-Length"] = []string{strconv.Itoa(len(body))}
	hdr["Cache-Control"] = []string{"no-store"}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// encodeHealth renders h as it stands at now.
func encodeHealth(h Health, now time.Time) []byte {
	out := healthJSON{Status: "ok", Services: map[string]string{"kinesis": "running"},
		Reason: h.Reason, Version: h.Version, Build: h.Build, DataDir: h.DataDir, Streams: h.Streams}
	if !h.Ready {
		out.Status, out.Services["kinesis"] = "unavailable", "unavailable"
	}
	if !h.Started.IsZero() {
		out.UptimeSeconds = now.Sub(h.Started).Round(time.Millisecond).Seconds()
	}
	b, _ := json.Marshal(out) // a struct of strings and numbers always encodes
	return append(b, '\n')
}
