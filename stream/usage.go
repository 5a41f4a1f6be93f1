package stream

// Usage is what one stream holds on disk and in the process at one moment, and what its
// shards have appended since Open: the figures a metrics scrape reports per stream.
type Usage struct {
	Stream    string
	Segments  int   // segment files of its shards
	Bytes     int64 // bytes of segment data
	OpenFiles int   // file descriptors its shards hold
	Mappings  int   // memory mappings its shards hold

	Records      uint64 // records appended since Open
	GroupCommits uint64 // fdatasync calls that made appends durable (one per group commit)
}

// Usage returns the usage of every stream in the store, in no particular order, or nil once
// the store is closed. It takes each shard's read lock briefly, never a stream's.
func (s *Store) Usage() []Usage {
	if s.closed.Load() {
		return nil
	}
	var out []Usage
	for name, e := range *s.streams.Load() {
		v := e.view.Load()
		if v == nil {
			continue
		}
		u := Usage{Stream: name}
		for _, l := range v.shards {
			if l.log.Damaged() != nil {
				continue // quarantined: its files are not served
			}
			st := l.log.Stats()
			u.Segments += st.Segments
			u.Bytes += st.Bytes
			u.OpenFiles += st.OpenFiles
			u.Mappings += st.Mappings
			u.Records += st.Records
			u.GroupCommits += st.Syncs
		}
		out = append(out, u)
	}
	return out
}
