package shard

import (
	"fmt"
	"slices"
	"time"
)

// Expired reports whether a record that arrived at arrivalMs has expired at nowMs under
// retention: it arrived before nowMs − retention. This is the one expiry rule; reads,
// FirstOffset and DeleteExpired all apply it.
func Expired(arrivalMs, nowMs int64, retention time.Duration) bool {
	return arrivalMs < cutoffMs(nowMs, retention)
}

// expired is Expired, for use inside the package.
func expired(arrivalMs, nowMs int64, retention time.Duration) bool {
	return Expired(arrivalMs, nowMs, retention)
}

// cutoffMs returns the arrival time before which records have expired at nowMs.
func cutoffMs(nowMs int64, retention time.Duration) int64 {
	return nowMs - retention.Milliseconds()
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
// retention), first rolling the active segment if all its records have expired, so that an
// idle shard's data goes too. A segment that readers are using is unmapped and deleted when
// they finish. It returns how many segments and bytes it deleted. Appends go on meanwhile,
// except for the moment of a roll.
func (s *Shard) DeleteExpired() (segments int, bytes int64, err error) {
	now := s.nowMs()
	if err := s.rollExpired(now); err != nil {
		return 0, 0, err
	}
	victims, err := s.dropExpired(cutoffMs(now, s.Retention()))
	if err != nil {
		return 0, 0, fmt.Errorf("shard %s: delete expired: %w", s.dir, err)
	}
	if len(victims) == 0 {
		return 0, 0, nil
	}
	for _, g := range victims {
		bytes += g.meta.End
		s.cache.retire(g, true)
	}
	s.stats.deleted.Add(uint64(len(victims)))
	if err := syncDir(s.dir); err != nil {
		return len(victims), bytes, fmt.Errorf("shard %s: delete expired: %w", s.dir, err)
	}
	return len(victims), bytes, nil
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
// log and writes the manifest without them. It returns them for deletion; if the manifest
// cannot be written, the log keeps them.
func (s *Shard) dropExpired(cutoff int64) ([]*seg, error) {
	s.mmu.Lock()
	defer s.mmu.Unlock()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	old, oldFloor := s.segs, s.floor
	n, limit := 0, len(old)
	if s.hasActive {
		limit--
	}
	for ; n < limit; n++ {
		if m := old[n].meta; m.NextOffset > m.BaseOffset && m.LastTimeMs >= cutoff {
			break
		}
	}
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
	if err := s.writeManifestLocked(false); err != nil {
		s.mu.Lock()
		s.segs, s.floor = old, oldFloor
		for _, g := range old[:n] {
			g.dropped = false
		}
		s.mu.Unlock()
		return nil, err
	}
	return old[:n:n], nil
}
