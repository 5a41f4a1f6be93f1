package main

import (
	"context"
	"strconv"
	"time"

	"github.com/shardlog/shardlog/server"
)

// healthReporter returns the hook that fills in GET /health: ready while the store is
// open (the listener that carries the request is serving, or there would be no request).
func healthReporter(store interface{ StreamCount() (int, error) }, dataDir string, started time.Time) func(context.Context) server.Health {
	b := readBuildInfo()
	build := map[string]string{"go": b.GoVersion}
	if b.Revision != "" {
		build["revision"], build["time"], build["modified"] = b.Revision, b.Time, strconv.FormatBool(b.Modified)
	}
	return func(context.Context) server.Health {
		h := server.Health{Version: b.Version, Build: build, Started: started, DataDir: dataDir}
		n, err := store.StreamCount()
		if err != nil {
			h.Reason = "the store is closed: the server is shutting down"
			return h
		}
		h.Ready, h.Streams = true, n
		return h
	}
}
