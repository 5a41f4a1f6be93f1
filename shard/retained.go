package shard

import (
	"errors"

	"github.com/shardlog/shardlog/segment"
)

// Retained describes the records a shard holds at one moment: those a reader from the trim
// horizon would get.
type Retained struct {
	FirstOffset uint64 // trim horizon: the oldest unexpired record's offset
	NextOffset  uint64 // tip
	Records     uint64 // unexpired records: NextOffset − FirstOffset

	// Bytes is the size of the shard's segment files (Stats.Bytes): records with their
	// framing, compressed when they were stored so, and the records of a segment that
	// expired while a younger one in it has not, until DeleteExpired removes the segment.
	Bytes int64

	// FirstTimeMs and LastTimeMs are the arrival times of the oldest unexpired record and of
	// the newest one, ms since the Unix epoch; 0 when Records is 0.
	FirstTimeMs, LastTimeMs int64
}

// errFound stops the read of Retained at its first record.
var errFound = errors.New("shard: found")

// Retained returns what the shard holds now. It costs a search of the segment list and,
// unless the oldest record opens its segment, the decoding of the batch that holds it.
func (s *Shard) Retained() (Retained, error) {
	v, err := s.view()
	if err != nil {
		return Retained{}, err
	}
	first, err := s.seekTime(v, v.cutoff)
	if err != nil {
		return Retained{}, err
	}
	r := Retained{FirstOffset: min(max(first, v.floor), v.next), NextOffset: v.next}
	s.mu.RLock()
	for _, g := range v.segs {
		r.Bytes += g.meta.End
	}
	s.mu.RUnlock()
	if r.FirstOffset == r.NextOffset {
		return r, nil
	}
	r.Records, r.LastTimeMs = r.NextOffset-r.FirstOffset, v.lastMs
	if m := s.meta(v.segs[v.find(r.FirstOffset)]); m.BaseOffset == r.FirstOffset && m.NextOffset > m.BaseOffset {
		r.FirstTimeMs = m.FirstTimeMs
		return r, nil
	}
	found := false
	_, err = s.Read(r.FirstOffset, 1, 0, func(rec segment.Record) error {
		if rec.Offset < r.NextOffset {
			found = true
			r.FirstOffset, r.FirstTimeMs = rec.Offset, rec.TimeMs // later, if it expired since the view
		}
		return errFound
	})
	if err != nil && !errors.Is(err, errFound) {
		return Retained{}, err
	}
	if !found { // every record of the view expired before the read
		return Retained{FirstOffset: r.NextOffset, NextOffset: r.NextOffset, Bytes: r.Bytes}, nil
	}
	r.Records = r.NextOffset - r.FirstOffset
	return r, nil
}
