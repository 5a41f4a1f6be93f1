package server

import "net/http"

// MetricsPath is the path of the metrics endpoint: a GET (or HEAD) goes to Options.Metrics
// without a signature, as /health does, so that Prometheus can scrape the API port.
const MetricsPath = "/metrics"

// isMetricsScrape reports whether r asks for the metrics and the server has a handler for
// them; without one, the request goes to the Kinesis API like any other.
func (s *Server) isMetricsScrape(r *http.Request) bool {
	return s.opts.Metrics != nil && r.URL.Path == MetricsPath &&
		(r.Method == http.MethodGet || r.Method == http.MethodHead)
}
