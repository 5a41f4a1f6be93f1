package shard

import (
	"fmt"
	"os"
	"slices"

	"github.com/shardlog/shardlog/index"
	"github.com/shardlog/shardlog/segment"
)

// needRoll reports whether the active segment is due to roll at now: it holds records and
// is full, old, or expired (so that DeleteExpired can take it). Called with wmu held.
func (s *Shard) needRoll(now int64) bool {
	ws := s.ws
	if ws.seg == nil || ws.next == ws.seg.base {
		return false
	}
	return ws.end >= s.opts.MaxSegmentBytes ||
		now-ws.firstTimeMs >= s.opts.MaxSegmentAge.Milliseconds() ||
		expired(ws.lastTimeMs, now, s.Retention())
}

// prepareWriter makes sure there is an active writer with room for a batch: it rolls the
// active segment if it is due, and retries a roll that failed before. Called with wmu held.
func (s *Shard) prepareWriter(now int64) error {
	roll := s.needRoll(now)
	if s.ws.w != nil && !roll {
		return nil
	}
	if s.ws.w != nil {
		if err := s.closeWriter(); err != nil {
			return err
		}
	}
	if !roll {
		return s.reopenWriter()
	}
	return s.startSegment(now)
}

// closeWriter syncs and closes the active writer, cutting its preallocated tail, and makes
// everything it wrote durable and visible. Called with wmu held.
func (s *Shard) closeWriter() error {
	ws := s.ws
	s.syncMu.Lock()
	err := ws.w.Close()
	if err != nil {
		// Recorded before a sync leader can see the writer gone and move on.
		err = fmt.Errorf("shard %s: close segment: %w: %w", s.dir, ErrSyncFailed, err)
		s.fail(err)
	}
	s.syncable = nil
	s.syncMu.Unlock()
	s.ws.w = nil
	if err != nil {
		return err
	}
	s.publish(ws)
	s.markDurable(ws.next)
	return nil
}

// reopenWriter opens the active segment for appending again after a roll failed half way.
// Called with wmu held.
func (s *Shard) reopenWriter() error {
	ws := s.ws
	w, err := segment.OpenWriter(ws.seg.path, ws.end, ws.next, s.writerOptions())
	if err != nil {
		return fmt.Errorf("shard %s: reopen segment: %w", s.dir, err)
	}
	s.setWriter(w)
	return nil
}

// setWriter makes w the active writer. Called with wmu held.
func (s *Shard) setWriter(w *segment.Writer) {
	s.ws.w = w
	s.syncMu.Lock()
	s.syncable = w
	s.syncMu.Unlock()
}

// startSegment creates the next segment after the closed active one and makes it active.
// Called with wmu held and no writer. If it fails, the next append tries again.
//
// Only the file creation is on the append path (segment.Create syncs the header and the
// directory). The sealed segment's index file and the manifest are written by the next
// checkpoint, which starts now: until then, recovery finds the new segment in the
// directory, and rebuilds a missing index from its segment.
func (s *Shard) startSegment(now int64) error {
	old := s.ws.seg
	g, w, err := s.createSegment(s.ws.next, now)
	if err != nil {
		return fmt.Errorf("shard %s: roll: %w", s.dir, err)
	}
	s.mu.Lock()
	s.segs = append(slices.Clip(s.segs), g)
	s.unsaved = append(s.unsaved, old) // pinned until the checkpoint writes its index
	s.mu.Unlock()
	s.ws = wstate{seg: g, next: g.base, end: w.Size()}
	s.setWriter(w)
	s.cpEnd, s.cpDue = w.Size(), true
	s.stats.rolls.Add(1)
	s.maybeCheckpoint()
	return nil
}

// createSegment creates the segment starting at base and maps it for reading.
func (s *Shard) createSegment(base uint64, now int64) (*seg, *segment.Writer, error) {
	g := newSeg(s.dir, base, index.Meta{BaseOffset: base, NextOffset: base, End: segment.HeaderSize})
	w, err := segment.Create(g.path, base, now, s.writerOptions())
	if err != nil {
		return nil, nil, err
	}
	r, err := segment.OpenReader(g.path, s.readerCapacity(segment.HeaderSize))
	if err != nil {
		w.Close()
		os.Remove(g.path)
		return nil, nil, err
	}
	s.cache.pin(g, r, index.New(base, s.opts.IndexIntervalBytes))
	return g, w, nil
}

// Seal closes the shard to appends for good: the active segment is synced, cut and sealed,
// and the manifest records it, so the shard stays sealed after a restart. The shard keeps
// its last offset and goes on serving reads. Appends return ErrSealed. Sealing a sealed
// shard does nothing.
func (s *Shard) Seal() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	switch {
	case s.damaged != nil:
		return s.damaged
	case s.closing:
		return ErrClosed
	case s.sealed:
		return nil
	}
	if s.ws.w != nil {
		if err := s.closeWriter(); err != nil {
			return err
		}
	}
	s.mmu.Lock()
	defer s.mmu.Unlock()
	g := s.ws.seg
	s.saveIndexesLocked()
	if err := g.x.WriteFile(g.xpath, s.ws.meta()); err != nil {
		return fmt.Errorf("shard %s: seal: %w", s.dir, err)
	}
	s.sealed = true
	s.mu.Lock()
	s.isSealed, s.hasActive = true, false
	s.wakeLocked()
	s.mu.Unlock()
	s.cache.unpin(g)
	if err := s.writeManifestLocked(false); err != nil {
		return fmt.Errorf("shard %s: seal: %w", s.dir, err)
	}
	return nil
}
