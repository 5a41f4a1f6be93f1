package console

import (
	"errors"
	"net/http"
)

// ShardHeld is what one shard holds now, for the shard table of the stream view: exact
// figures the engine keeps (stream.Store.Retained), not estimates.
type ShardHeld struct {
	ShardID string
	Records uint64 // unexpired records, from the trim horizon to the tip
	// Bytes is the size of the shard's segment files: records with their framing, as
	// stored (compressed or not), and expired records that share a segment with unexpired
	// ones until the segment is deleted. The shards' Bytes add up to the stream's on disk.
	Bytes int64
	// FirstArrivalMs and LastArrivalMs are the arrival times of the oldest unexpired record
	// and of the newest, ms since the Unix epoch; 0 without records.
	FirstArrivalMs, LastArrivalMs int64
	Error                         string `json:",omitempty"` // why the shard has no figures: a quarantined log, or one closed since the lookup
}

// ErrNoStream is what Options.Held returns, wrapped or not, for a stream that is not there.
var ErrNoStream = errors.New("console: no such stream")

// serveHeld answers the figures of each shard of one stream.
func (c *Console) serveHeld(w http.ResponseWriter, r *http.Request) {
	if c.opts.Held == nil {
		writeJSON(w, http.StatusOK, map[string]any{"Enabled": false, "Shards": []ShardHeld{}})
		return
	}
	shards, err := c.opts.Held(r.URL.Query().Get("stream"))
	switch {
	case errors.Is(err, ErrNoStream):
		writeJSON(w, http.StatusNotFound, map[string]string{"Error": err.Error()})
		return
	case err != nil:
		writeJSON(w, http.StatusInternalServerError, map[string]string{"Error": err.Error()})
		return
	}
	if shards == nil {
		shards = []ShardHeld{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"Enabled": true, "Shards": shards})
}
