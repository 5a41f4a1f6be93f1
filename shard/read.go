package shard

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"

	"github.com/shardlog/shardlog/index"
	"github.com/shardlog/shardlog/segment"
)

// view is what a reader may see: the segments and the tip at one moment.
type view struct {
	segs   []*seg
	next   uint64 // visible tip
	lastMs int64  // arrival time of the record before next, 0 if none
	floor  uint64 // trim floor
	cutoff int64  // records that arrived before this (ms) are expired
	live   int    // index of the first segment that holds an unexpired record, or len(segs)
}

// view returns the current view, or ErrClosed.
func (s *Shard) view() (view, error) {
	cutoff := cutoffMs(s.nowMs(), s.Retention())
	s.mu.RLock()
	defer s.mu.RUnlock()
	switch {
	case s.damaged != nil:
		return view{}, s.damaged
	case s.closed:
		return view{}, ErrClosed
	}
	v := view{segs: s.segs, next: s.next, lastMs: s.lastMs, floor: s.floor, cutoff: cutoff}
	v.live = sort.Search(len(v.segs), func(i int) bool {
		m := v.segs[i].meta
		return m.NextOffset == m.BaseOffset || m.LastTimeMs >= cutoff
	})
	return v, nil
}

// start returns where a read from offset `from` begins: not below the trim floor, and not in
// a segment whose records have all expired.
func (v view) start(from uint64) uint64 {
	from = max(from, v.floor)
	if v.live < len(v.segs) {
		return max(from, v.segs[v.live].base)
	}
	return max(from, v.next)
}

// find returns the index of the segment that holds offset off (the first one if off is
// before it).
func (v view) find(off uint64) int {
	i := sort.Search(len(v.segs), func(i int) bool { return v.segs[i].base > off })
	return max(i-1, 0)
}

// meta returns g's Meta as readers may see it now.
func (s *Shard) meta(g *seg) index.Meta {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return g.meta
}

// Read calls fn for each record from offset `from` on, in order. It stops after maxRecords
// records, before a record that would take the Data+PartitionKey bytes delivered past
// maxBytes (the first record is always delivered, however large), at the end of the log, or
// when fn returns an error, which Read then returns. maxRecords or maxBytes <= 0 mean no
// limit.
//
// Records alias memory that stays valid only during fn (the mapping, or for a compressed
// batch a decompression buffer that the next batch reuses); fn must copy what it keeps. Expired records (arrival time before now − retention) are never
// delivered: a `from` below the trim horizon starts at the trim horizon. Under SyncAlways only
// durable records are delivered.
//
// Read returns the offset to read from next: after the last record delivered or skipped as
// expired, or the start position used if there was none (`from`, or the trim horizon if
// `from` was below it). When fn fails, next is the offset of the record fn refused.
func (s *Shard) Read(from uint64, maxRecords int, maxBytes int, fn func(r segment.Record) error) (next uint64, err error) {
	v, err := s.view()
	if err != nil {
		return from, err
	}
	rd := reading{fn: fn, maxRecords: maxRecords, maxBytes: maxBytes, cutoff: v.cutoff, next: v.start(from)}
	for i := v.find(rd.next); i < len(v.segs) && rd.next < v.next && !rd.done; i++ {
		g := v.segs[i]
		rd.next = max(rd.next, g.base)
		err := s.readSegment(g, i < len(v.segs)-1, &rd)
		if errors.Is(err, errGone) {
			continue // deleted since the view: its records expired
		}
		if err != nil {
			return rd.next, err
		}
	}
	return rd.next, rd.err
}

// reading is the state of one Read.
type reading struct {
	fn         func(segment.Record) error
	maxRecords int
	maxBytes   int
	cutoff     int64
	next       uint64 // the offset after the last record delivered or skipped
	records    int
	bytes      int
	done       bool
	err        error // fn's error
}

// take delivers r unless a limit stops the read first, and reports whether to go on.
func (rd *reading) take(r segment.Record) bool {
	size := len(r.Data) + len(r.PartitionKey)
	if rd.records > 0 && rd.maxBytes > 0 && rd.bytes+size > rd.maxBytes {
		rd.done = true
		return false
	}
	if err := rd.fn(r); err != nil {
		rd.err, rd.done = err, true
		return false
	}
	rd.records++
	rd.bytes += size
	rd.next = r.Offset + 1
	if rd.maxRecords > 0 && rd.records >= rd.maxRecords {
		rd.done = true
	}
	return !rd.done
}

// decodeBuffers are what a read decodes batches into: the records of a batch, and the
// records section of a compressed batch, decompressed. Each batch's records are handed on
// before the next batch is read, so one pair serves a whole read.
type decodeBuffers struct {
	recs []segment.Record
	raw  []byte
}

// keepRawBytes bounds the decompression buffer kept in the pool; a larger one (a batch of
// several MiB) is left to the garbage collector.
const keepRawBytes = 4 << 20

// readBatch reads the batch at pos of r into b, keeping the buffers it used for the next.
func (b *decodeBuffers) readBatch(r *segment.Reader, pos, limit int64) (segment.BatchInfo, []segment.Record, error) {
	info, recs, raw, err := r.ReadBatchInto(b.recs[:0], b.raw, pos, limit)
	b.recs, b.raw = recs[:0], raw
	return info, recs, err
}

// decodePool recycles the decode buffers of reads.
var decodePool = sync.Pool{New: func() any { return new(decodeBuffers) }}

// getBuffers returns decode buffers from the pool.
func getBuffers() *decodeBuffers { return decodePool.Get().(*decodeBuffers) }

// putBuffers returns b to the pool, dropping its references to records.
func putBuffers(b *decodeBuffers) {
	clear(b.recs[:cap(b.recs)])
	if cap(b.raw) > keepRawBytes {
		b.raw = nil
	}
	decodePool.Put(b)
}

// readSegment delivers the records of g from rd.next on. sealed says that g is not the
// active segment: a read that reaches its end releases the pages left resident there.
func (s *Shard) readSegment(g *seg, sealed bool, rd *reading) error {
	r, x, err := s.cache.acquire(g)
	if err != nil {
		return err
	}
	defer s.cache.release(g)
	m := s.meta(g)
	if rd.next >= m.NextOffset {
		return nil
	}
	pos := startPosition(x, rd)
	buf := getBuffers()
	defer putBuffers(buf)
	for !rd.done {
		info, recs, err := buf.readBatch(r, pos, m.End)
		if err == io.EOF {
			rd.next = max(rd.next, m.NextOffset)
			if sealed {
				r.ReleaseEnd(m.End)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("shard %s: read: %w", s.dir, err)
		}
		pos = info.End()
		deliver(info, recs, rd)
	}
	return nil
}

// deliver hands the records of one batch from rd.next on to rd, skipping expired ones.
func deliver(info segment.BatchInfo, recs []segment.Record, rd *reading) {
	if info.NextOffset() <= rd.next {
		return
	}
	if info.LastTimeMs < rd.cutoff {
		rd.next = info.NextOffset()
		return
	}
	for _, r := range recs {
		switch {
		case r.Offset < rd.next:
		case r.TimeMs < rd.cutoff:
			rd.next = r.Offset + 1
		case !rd.take(r):
			return
		}
	}
}

// startPosition returns the position of the batch to scan from: the later of the index
// entries for rd.next and for the retention cutoff. Records before the cutoff's entry are
// expired, so rd.next moves up to it.
func startPosition(x *index.Index, rd *reading) int64 {
	e, ok := x.Seek(rd.next)
	if !ok {
		return segment.HeaderSize
	}
	if t, _ := x.SeekTime(rd.cutoff); t.TimeMs < rd.cutoff && t.Position > e.Position {
		rd.next = max(rd.next, t.Offset)
		return t.Position
	}
	return e.Position
}

// OffsetAt returns the first unexpired offset whose record arrived at or after timeMs, or
// NextOffset() if there is none.
func (s *Shard) OffsetAt(timeMs int64) (uint64, error) {
	v, err := s.view()
	if err != nil {
		return 0, err
	}
	off, err := s.seekTime(v, max(timeMs, v.cutoff))
	return max(off, v.floor), err
}

// FirstOffset returns the trim horizon: the oldest unexpired offset, or NextOffset() if
// every record has expired.
func (s *Shard) FirstOffset() uint64 {
	v, err := s.view()
	if err != nil {
		return s.NextOffset()
	}
	off, err := s.seekTime(v, v.cutoff)
	if err != nil {
		return v.start(0) // cannot read the segment: a bound that reads skip forward from
	}
	return max(off, v.floor)
}

// Empty reports whether the shard holds no unexpired record (sealed or not): a closed shard
// that is empty can be dropped.
func (s *Shard) Empty() bool {
	v, err := s.view()
	if err != nil {
		return true
	}
	return v.start(0) >= v.next
}

// seekTime returns the first visible offset whose record arrived at or after ms, or the tip.
func (s *Shard) seekTime(v view, ms int64) (uint64, error) {
	i := sort.Search(len(v.segs), func(i int) bool {
		m := s.meta(v.segs[i])
		return m.NextOffset == m.BaseOffset || m.LastTimeMs >= ms
	})
	if i == len(v.segs) {
		return v.next, nil
	}
	g := v.segs[i]
	m := s.meta(g)
	switch {
	case m.NextOffset == m.BaseOffset:
		return min(m.BaseOffset, v.next), nil
	case m.FirstTimeMs >= ms:
		return m.BaseOffset, nil
	}
	off, err := s.seekTimeIn(g, ms)
	if errors.Is(err, errGone) {
		return m.NextOffset, nil // deleted since the view: every record in it expired
	}
	return off, err
}

// seekTimeIn returns the offset of g's first record that arrived at or after ms, or g's next
// offset if there is none.
func (s *Shard) seekTimeIn(g *seg, ms int64) (uint64, error) {
	r, x, err := s.cache.acquire(g)
	if err != nil {
		return 0, err
	}
	defer s.cache.release(g)
	m := s.meta(g)
	pos := int64(segment.HeaderSize)
	if e, ok := x.SeekTime(ms); ok {
		pos = e.Position
	}
	buf := getBuffers()
	defer putBuffers(buf)
	for {
		info, recs, err := buf.readBatch(r, pos, m.End)
		if err == io.EOF {
			return m.NextOffset, nil
		}
		if err != nil {
			return 0, fmt.Errorf("shard %s: seek time %d: %w", s.dir, ms, err)
		}
		if info.LastTimeMs >= ms {
			for _, r := range recs {
				if r.TimeMs >= ms {
					return r.Offset, nil
				}
			}
		}
		pos = info.End()
	}
}
