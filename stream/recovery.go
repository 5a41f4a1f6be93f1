package stream

import (
	"time"
)

// Recovery is what Open did to bring the store's shards back: the sum of the shards'
// recovery counters (shard.Stats) at Open, and how long Open took.
type Recovery struct {
	// Clean is true when every shard had been closed cleanly: Open read manifests and
	// scanned nothing.
	Clean bool

	Streams int // streams opened
	Shards  int // shards opened, quarantined ones included

	// ScannedSegments and ScannedBytes are what Open read to recover shards that were not
	// closed cleanly (active segments, and rolled ones whose index it rebuilt).
	ScannedSegments int
	ScannedBytes    int64

	TornTails    int   // torn tails cut off (writes a crash interrupted)
	DroppedBytes int64 // bytes of those torn tails

	Quarantined int // shards whose files are damaged (DamagedShardError)

	Took time.Duration // the whole of Open
}

// Recovery returns what Open recovered. It does not change afterwards.
func (s *Store) Recovery() Recovery { return s.recovery }

// sumRecovery adds up the recovery counters of every shard Open opened.
func (s *Store) sumRecovery() Recovery {
	var r Recovery
	for _, e := range *s.streams.Load() {
		v := e.view.Load()
		if v == nil {
			continue
		}
		r.Streams++
		for _, l := range v.shards {
			r.Shards++
			if l.log.Damaged() != nil {
				r.Quarantined++
				continue
			}
			st := l.log.Stats()
			r.ScannedSegments += st.RecoveredSegments
			r.ScannedBytes += st.RecoveredBytes
			r.TornTails += st.TornTails
			r.DroppedBytes += st.DroppedBytes
		}
	}
	r.Clean = r.ScannedSegments == 0 && r.TornTails == 0 && r.Quarantined == 0
	return r
}

// StreamCount returns the number of streams in the store, in any status, or ErrClosed.
func (s *Store) StreamCount() (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	return len(*s.streams.Load()), nil
}
