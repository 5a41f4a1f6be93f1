package shard

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/shardlog/shardlog/index"
	"github.com/shardlog/shardlog/internal/atomicfile"
	"github.com/shardlog/shardlog/segment"
)

// maybeCheckpoint starts a checkpoint in the background once the active segment has grown
// Options.checkpointBytes since the last one, or a roll left sealed state to record. Called with
// wmu held.
func (s *Shard) maybeCheckpoint() {
	if s.cpRunning || !s.checkpointDue() {
		return
	}
	s.cpRunning = true
	s.bg.Add(1)
	go s.checkpointLoop()
}

// checkpointDue reports whether a checkpoint should run. Called with wmu held.
func (s *Shard) checkpointDue() bool {
	return !s.closing && s.ws.w != nil && (s.cpDue || s.ws.end-s.cpEnd >= s.opts.checkpointBytes)
}

// checkpointLoop writes checkpoints until none is due. A failed checkpoint only makes the
// next recovery scan longer; the next append tries again.
func (s *Shard) checkpointLoop() {
	defer s.bg.Done()
	for {
		err := s.checkpoint()
		s.wmu.Lock()
		again := err == nil && s.checkpointDue()
		s.cpRunning = again
		s.wmu.Unlock()
		if !again {
			return
		}
	}
}

// checkpoint syncs the active segment and records how far it is durable: the segment's
// index file gets the entries up to that point, and the manifest its Meta. The index files
// of segments sealed by rolls since the last checkpoint are written first. An unclean Open
// scans only past the checkpoint. Appends go on meanwhile; only the snapshot takes wmu.
func (s *Shard) checkpoint() error {
	s.wmu.Lock()
	ws := s.ws
	s.cpDue = false
	s.wmu.Unlock()
	if ws.w == nil {
		return nil
	}
	done, err := s.checkpointAt(ws)
	s.wmu.Lock()
	switch {
	case err != nil:
	case !done:
		s.cpDue = true // rolled since the snapshot: checkpoint the new segment
	case s.ws.seg == ws.seg:
		s.cpEnd = max(s.cpEnd, ws.end)
	}
	s.wmu.Unlock()
	return err
}

// checkpointAt makes ws durable and writes it as the checkpoint, unless the segment rolled
// since ws was taken. done reports whether it wrote the checkpoint.
func (s *Shard) checkpointAt(ws wstate) (done bool, err error) {
	s.mmu.Lock()
	defer s.mmu.Unlock()
	s.saveIndexesLocked()
	if s.activeLocked() != ws.seg {
		return false, nil
	}
	s.syncMu.Lock()
	if s.syncable != ws.w {
		s.syncMu.Unlock()
		return false, nil // closed by a roll since the snapshot
	}
	err = ws.w.Sync()
	s.syncMu.Unlock()
	if err != nil {
		err = fmt.Errorf("shard %s: checkpoint: %w: %w", s.dir, ErrSyncFailed, err)
		s.fail(err)
		return false, err
	}
	s.publish(ws)
	s.markDurable(ws.next)
	if err := s.writeCheckpointLocked(ws); err != nil {
		return false, err
	}
	return true, nil
}

// activeLocked returns the active segment, or nil if the shard is sealed.
func (s *Shard) activeLocked() *seg {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if !s.hasActive {
		return nil
	}
	return s.segs[len(s.segs)-1]
}

// saveIndexesLocked writes the final index files of the segments sealed by rolls since the
// last checkpoint, from the indexes built in memory while they were active, and then lets
// the cache close them. The files are a cache: if writing one fails, a read rebuilds it
// from its segment. Called with mmu held; the segments stay pinned until then.
func (s *Shard) saveIndexesLocked() {
	s.mu.Lock()
	unsaved := s.unsaved
	s.unsaved = nil
	s.mu.Unlock()
	for _, g := range unsaved {
		s.mu.RLock()
		m, dropped := g.meta, g.dropped
		s.mu.RUnlock()
		if x := s.cache.pinnedIndex(g); x != nil && !dropped {
			_ = x.WriteFile(g.xpath, m)
		}
		s.cache.unpin(g)
	}
}

// writeCheckpointLocked writes the active segment's index up to ws (which must be durable)
// and then the manifest with ws as the active segment's checkpoint. Called with mmu held.
func (s *Shard) writeCheckpointLocked(ws wstate) error {
	m := ws.meta()
	x := index.New(m.BaseOffset, s.opts.IndexIntervalBytes)
	if live := ws.seg.x; m.NextOffset > m.BaseOffset {
		// The live index takes Adds meanwhile; entries past ws are left out.
		for i := range live.Len() {
			e := live.Entry(i)
			if e.Position >= m.End {
				break
			}
			x.Add(e)
		}
	}
	if err := x.WriteFile(ws.seg.xpath, m); err != nil {
		return fmt.Errorf("shard %s: checkpoint: %w", s.dir, err)
	}
	s.cp = m
	if err := s.writeManifestLocked(false); err != nil {
		return fmt.Errorf("shard %s: checkpoint: %w", s.dir, err)
	}
	s.stats.checkpoints.Add(1)
	return nil
}

// manifestLocked returns the manifest of the current state: the sealed segments as they are,
// the active one as of its last checkpoint. Called with mmu held.
func (s *Shard) manifestLocked(clean bool) manifest {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m := manifest{
		clean:      clean,
		sealed:     s.isSealed,
		createdMs:  s.createdMs,
		nextOffset: s.next,
		lastTimeMs: s.lastMs,
		trimOffset: s.floor,
		segments:   make([]index.Meta, len(s.segs)),
	}
	for i, g := range s.segs {
		m.segments[i] = g.meta
	}
	if n := len(m.segments); s.hasActive && n > 0 {
		active := s.segs[n-1]
		cp := s.cp
		if cp.BaseOffset != active.base {
			// Rolled since the last checkpoint: the segment is durable as created.
			cp = index.Meta{BaseOffset: active.base, NextOffset: active.base, End: segment.HeaderSize}
		}
		m.segments[n-1] = cp
		m.nextOffset = cp.NextOffset
		m.lastTimeMs = lastTimeOf(m.segments, s.lastMs)
	}
	return m
}

// lastTimeOf returns the last arrival time recorded in segs, or dflt if they hold no record.
func lastTimeOf(segs []index.Meta, dflt int64) int64 {
	for i := len(segs) - 1; i >= 0; i-- {
		if segs[i].NextOffset > segs[i].BaseOffset {
			return segs[i].LastTimeMs
		}
	}
	return dflt
}

// writeManifestLocked replaces the manifest with the current state. Called with mmu held.
func (s *Shard) writeManifestLocked(clean bool) error {
	m := s.manifestLocked(clean)
	if err := atomicfile.WriteFile(filepath.Join(s.dir, manifestName), appendManifest(nil, m), 0o644); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	s.cleanOnDisk = clean
	return nil
}

// Close drains and closes the shard: appends in flight finish, the active segment is synced
// and cut, and its index and a manifest with the clean-shutdown flag are written, so that
// the next Open scans nothing. Reads in flight finish on their segments, which are unmapped
// when they are done. Every later call returns ErrClosed. If a sync failed earlier, Close
// writes no clean flag and the next Open recovers with a scan.
func (s *Shard) Close() error {
	s.wmu.Lock()
	if s.closing {
		s.wmu.Unlock()
		return ErrClosed
	}
	if s.damaged != nil { // nothing open, nothing to write: its files stay as they are
		s.closing = true
		s.wmu.Unlock()
		s.mu.Lock()
		s.closed = true
		s.wakeLocked()
		s.mu.Unlock()
		return nil
	}
	s.stopBackground()
	defer s.wmu.Unlock()
	var errs []error
	if s.ws.w != nil {
		errs = append(errs, s.closeWriter())
	}
	s.mmu.Lock()
	errs = append(errs, s.writeClean())
	s.mu.Lock()
	s.closed = true
	s.wakeLocked()
	s.mu.Unlock()
	s.mmu.Unlock()
	s.cache.close()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("shard %s: close: %w", s.dir, err)
	}
	return nil
}

// stopBackground marks the shard closing, so that no append, checkpoint or interval sync
// starts, cancels an interval sync not yet started, and waits for the background work in
// flight (a checkpoint, an interval sync) to end. Called with wmu held, which it releases
// while it waits and holds again when it returns.
func (s *Shard) stopBackground() {
	s.closing = true
	if s.syncTimer != nil && s.syncTimer.Stop() {
		s.syncTimer = nil
		s.bg.Done()
	}
	s.wmu.Unlock()
	s.bg.Wait()
	s.wmu.Lock()
}

// writeClean writes the active segment's final index and the manifest with the clean flag,
// unless a sync failed or nothing changed since a clean Open. Called with wmu and mmu held.
func (s *Shard) writeClean() error {
	s.smu.Lock()
	failed := s.failed
	s.smu.Unlock()
	if failed != nil || s.cleanOnDisk {
		return nil
	}
	s.saveIndexesLocked()
	if s.hasActiveLocked() {
		m := s.ws.meta()
		if err := s.ws.seg.x.WriteFile(s.ws.seg.xpath, m); err != nil {
			return err
		}
		s.cp = m
	}
	return s.writeManifestLocked(true)
}

// hasActiveLocked reports whether the log ends with an active segment.
func (s *Shard) hasActiveLocked() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.hasActive
}

// abandon releases the shard's files without writing a checkpoint or the clean flag, so that
// the next Open recovers as after a crash. Open uses it when recovery fails.
func (s *Shard) abandon() {
	s.wmu.Lock()
	s.stopBackground()
	if s.ws.w != nil {
		s.syncMu.Lock()
		s.ws.w.Close()
		s.syncable = nil
		s.syncMu.Unlock()
		s.ws.w = nil
	}
	s.wmu.Unlock()
	s.mu.Lock()
	s.closed = true
	s.wakeLocked()
	s.mu.Unlock()
	s.cache.close()
}
