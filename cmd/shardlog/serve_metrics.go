package main

import (
	"net/http"

	"github.com/shardlog/shardlog/internal/metrics"
	"github.com/shardlog/shardlog/server/streambackend"
)

// serveMetrics makes the counters of GET /metrics, has store count into them and starts
// timing every sync. It returns the handler for server.Options.Metrics and the function
// that stops the sync timing.
func serveMetrics(store *streambackend.Scoped) (handler http.Handler, stop func()) {
	rec := store.Recovery()
	recovery := &metrics.Recovery{Took: rec.Took, ScannedSegments: rec.ScannedSegments,
		ScannedBytes: rec.ScannedBytes, TornTails: rec.TornTails, DroppedBytes: rec.DroppedBytes}
	m := metrics.New(metrics.Options{Process: true, Engine: func() metrics.Engine {
		return metrics.Engine{Streams: store.Usage(), Recovery: recovery}
	}})
	store.CountInto(m)
	return m.Handler(), m.WatchSyncs()
}
