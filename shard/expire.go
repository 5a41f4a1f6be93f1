package shard

import (
	"errors"
	"fmt"
	"slices"
	"syscall"
	"time"

	"github.com/shardlog/shardlog/internal/atomicfile"
	retentionrule "github.com/shardlog/shardlog/retention"
)

// expired reports whether a record that arrived at arrivalMs has expired at nowMs under
// retention: the one rule of package retention, which reads, FirstOffset and DeleteExpired
// all apply.
func expired(arrivalMs, nowMs int64, retention time.Duration) bool {
	return retentionrule.Expired(arrivalMs, nowMs, retention)
}

// cutoffMs returns the arrival time before which records have expired at nowMs.
func cutoffMs(nowMs int64, retention time.Duration) int64 {
	return retentionrule.CutoffMs(nowMs, retention)
}

// SetRetention changes how long records stay readable, from now on. A shorter retention
// hides older records at once; a longer one does not bring back records that had already
// expired: the trim horizon never moves back. d <= 0 means DefaultRetention.
func (s *Shard) SetRetention(d time.Duration) {
	if d <= 0 {
		d = DefaultRetention
	}
	s.mmu.Lock()
	defer s.mmu.Unlock()
	if d > s.Retention() {
		s.raiseFloor(s.FirstOffset())
	}
	s.retention.Store(int64(d))
}

// raiseFloor moves the trim floor up to off and records it in the manifest, so that a
// longer retention keeps hiding those records after a restart too. Writing the manifest is
// best effort: if it fails, the floor holds until Close and the next checkpoint write it.
// Called with mmu held.
func (s *Shard) raiseFloor(off uint64) {
	s.mu.Lock()
	moved := off > s.floor && !s.closed
	if moved {
		s.floor = off
	}
	s.mu.Unlock()
	if moved {
		_ = s.writeManifestLocked(false)
	}
}

// DeleteExpired deletes the whole segments whose newest record has expired (older than now −
// retention), and rolls the active segment if all its records have expired, so that an idle
// shard's data goes too. A segment that readers are using is unmapped and deleted when they
// finish. It returns how many segments and bytes it deleted. Appends go on meanwhile, except
// for the moment of a roll.
//
// The manifest is written without the segments before they are deleted. On a full disk,
// where the manifest cannot be written, the expired segments are deleted first to make room
// (recovery accepts expired segments missing from the front of the log).
func (s *Shard) DeleteExpired() (segments int, bytes int64, err error) {
	if s.damaged != nil {
		return 0, 0, nil // a quarantined shard's files are left as they are
	}
	now := s.nowMs()
	cutoff := cutoffMs(now, s.Retention())
	segments, bytes, err = s.deleteExpired(cutoff)
	if err != nil {
		return segments, bytes, err
	}
	if err := s.rollExpired(now); err != nil {
		return segments, bytes, err
	}
	n, b, err := s.deleteExpired(cutoff) // the active segment, if it just rolled
	return segments + n, bytes + b, err
}

// deleteExpired deletes the leading sealed segments whose newest record arrived before
// cutoff.
func (s *Shard) deleteExpired(cutoff int64) (segments int, bytes int64, err error) {
	victims, err := s.dropExpired(cutoff)
	for _, g := range victims {
		bytes += g.meta.End
		s.cache.retire(g, true)
	}
	s.stats.deleted.Add(uint64(len(victims)))
	if err == nil && len(victims) > 0 {
		err = atomicfile.SyncDir(s.dir)
	}
	if err != nil {
		err = fmt.Errorf("shard %s: delete expired: %w", s.dir, err)
	}
	return len(victims), bytes, err
}

// rollExpired rolls the active segment if it is due (full, old, or expired).
func (s *Shard) rollExpired(now int64) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	switch {
	case s.closing:
		return ErrClosed
	case s.sealed || !s.needRoll(now):
		return nil
	}
	return s.prepareWriter(now)
}

// dropExpired takes the leading sealed segments whose records have all expired out of the
// log and writes the manifest without them. It returns them for deletion. If the manifest
// cannot be written, the log keeps them, unless the disk is full: then they are deleted
// first, to make room for the manifest.
func (s *Shard) dropExpired(cutoff int64) ([]*seg, error) {
	s.mmu.Lock()
	defer s.mmu.Unlock()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	old, oldFloor := s.segs, s.floor
	n := expiredPrefix(old, s.hasActive, cutoff)
	if n == 0 {
		s.mu.Unlock()
		return nil, nil
	}
	s.segs = slices.Clone(old[n:])
	s.floor = max(s.floor, old[n-1].meta.NextOffset)
	for _, g := range old[:n] {
		g.dropped = true
	}
	s.mu.Unlock()
	victims := old[:n:n]
	err := s.writeManifestLocked(false)
	if errors.Is(err, syscall.ENOSPC) {
		return victims, s.makeRoom(victims)
	}
	if err != nil {
		s.mu.Lock()
		s.segs, s.floor = old, oldFloor
		for _, g := range victims {
			g.dropped = false
		}
		s.mu.Unlock()
		return nil, err
	}
	return victims, nil
}

// makeRoom deletes the expired victims before the manifest that leaves them out, on a disk
// too full to write it, and then writes it. If that still fails, the segments are gone
// anyway: the manifest catches up at its next write, and Open accepts expired segments
// missing from the front of the log. Called with mmu held.
func (s *Shard) makeRoom(victims []*seg) error {
	for _, g := range victims {
		s.cache.retire(g, true)
	}
	return s.writeManifestLocked(false)
}

// expiredPrefix returns how many leading segments of segs hold no record at or after cutoff,
// never counting the active segment (the last one, if active).
func expiredPrefix(segs []*seg, active bool, cutoff int64) int {
	limit := len(segs)
	if active {
		limit--
	}
	n := 0
	for ; n < limit; n++ {
		if m := segs[n].meta; m.NextOffset > m.BaseOffset && m.LastTimeMs >= cutoff {
			break
		}
	}
	return n
}
