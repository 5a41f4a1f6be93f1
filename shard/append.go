package shard

import (
	"fmt"
	"time"

	"github.com/shardlog/shardlog/index"
	"github.com/shardlog/shardlog/segment"
)

// Append adds recs as one batch. It assigns dense offsets and one arrival time (ms, never
// going backwards in this shard: the larger of the previous arrival time and now), and
// returns once the batch is durable under the sync policy. recs' Offset and TimeMs are
// ignored, and recs is not modified or kept. Append is safe for concurrent use; concurrent
// appenders under SyncAlways share one fdatasync.
//
// A full disk is an error (errors.Is(err, syscall.ENOSPC)) that leaves the log as it was;
// appends succeed again once space is back.
func (s *Shard) Append(recs []segment.Record) (first uint64, timeMs int64, err error) {
	first, timeMs, err = s.Write(recs)
	if err == nil {
		err = s.WaitDurable(first + uint64(len(recs)))
	}
	if err != nil {
		return 0, 0, err
	}
	return first, timeMs, nil
}

// Write is the first half of Append: it writes recs as one batch and returns its first
// offset and arrival time without waiting for durability. The batch is acknowledged only
// once WaitDurable(first+len(recs)) has returned nil; until then a crash may take it back,
// and under SyncAlways readers do not see it. Writing to several shards, then waiting for
// all of them (WaitAll), lets one sync round cover them together.
func (s *Shard) Write(recs []segment.Record) (first uint64, timeMs int64, err error) {
	if len(recs) == 0 {
		return 0, 0, ErrEmptyBatch
	}
	return s.write(recs, nil, len(recs))
}

// WriteSection is Write for records built in a segment.Section: they go in as one batch,
// every record at the batch's arrival time, and are acknowledged the same way. sec is not
// kept; Write's errors apply, and an empty Section is ErrEmptyBatch.
func (s *Shard) WriteSection(sec *segment.Section) (first uint64, timeMs int64, err error) {
	if sec.Len() == 0 {
		return 0, 0, ErrEmptyBatch
	}
	return s.write(nil, sec, sec.Len())
}

// write is Write and WriteSection: it appends recs, or sec when it is not nil, n records.
func (s *Shard) write(recs []segment.Record, sec *segment.Section, n int) (first uint64, timeMs int64, err error) {
	s.wmu.Lock()
	ws, err := s.appendLocked(recs, sec)
	s.wmu.Unlock()
	if err != nil {
		return 0, 0, err
	}
	s.stats.appends.Add(1)
	s.stats.records.Add(uint64(n))
	return ws.next - uint64(n), ws.lastTimeMs, nil
}

// WaitDurable returns once every record below next is durable under the sync policy: at
// once under SyncInterval and SyncNone, after an fdatasync that covers it under SyncAlways.
func (s *Shard) WaitDurable(next uint64) error {
	if s.opts.Sync != SyncAlways {
		return nil
	}
	return s.waitDurable(next)
}

// WaitAll is WaitDurable for several shards at once: waits[i] is awaited on shards[i], and
// errs[i] receives its result. Shards that share a Syncer are synced in the same round.
func WaitAll(shards []*Shard, waits []uint64, errs []error) {
	for _, s := range shards {
		if s.opts.Sync == SyncAlways && s.opts.Syncer != nil {
			s.opts.Syncer.enqueue(s)
		}
	}
	for i, s := range shards {
		errs[i] = s.WaitDurable(waits[i])
	}
}

// appendLocked writes recs, or sec when it is not nil, to the active segment, rolling it
// first if it is due. Called with wmu held.
func (s *Shard) appendLocked(recs []segment.Record, sec *segment.Section) (wstate, error) {
	if err := s.writable(); err != nil {
		return wstate{}, err
	}
	now := s.nowMs()
	if err := s.prepareWriter(now); err != nil {
		return wstate{}, err
	}
	if err := s.markDirty(); err != nil {
		return wstate{}, err
	}
	t := max(s.lastTime, now)
	codec := s.compressor.next(s.opts.Codec)
	if err := s.ws.w.SetCodec(codec); err != nil {
		return wstate{}, fmt.Errorf("shard %s: append: %w", s.dir, err)
	}
	var info segment.BatchInfo
	var err error
	if sec != nil {
		info, err = s.ws.w.AppendSectionAt(sec, t)
	} else {
		info, err = s.ws.w.AppendAt(recs, t) // stamps t without copying recs
	}
	if err != nil {
		return wstate{}, fmt.Errorf("shard %s: append: %w", s.dir, err)
	}
	s.compressor.observe(codec, info.Codec, &s.stats)
	s.ws.seg.x.Add(index.Entry{Offset: info.FirstOffset, Position: info.Position, TimeMs: t})
	if s.ws.next == s.ws.seg.base {
		s.ws.firstTimeMs = t
	}
	s.ws.next, s.ws.end, s.ws.lastTimeMs = info.NextOffset(), info.End(), t
	s.lastTime = t
	if s.opts.Sync != SyncAlways {
		s.publish(s.ws)
		s.scheduleSync()
	}
	s.maybeCheckpoint()
	return s.ws, nil
}

// writable returns why the shard takes no appends, if it does not. Called with wmu held.
func (s *Shard) writable() error {
	switch {
	case s.damaged != nil:
		return s.damaged
	case s.closing:
		return ErrClosed
	case s.sealed:
		return ErrSealed
	}
	s.smu.Lock()
	defer s.smu.Unlock()
	return s.failed
}

// markDirty clears the clean flag on disk before the first write after a clean open, so that
// a crash from now on is recovered with a scan. Called with wmu held; it takes mmu only the
// first time, so that appends never wait for a checkpoint's writes.
func (s *Shard) markDirty() error {
	if s.dirty {
		return nil
	}
	s.mmu.Lock()
	defer s.mmu.Unlock()
	if s.cleanOnDisk {
		if err := s.writeManifestLocked(false); err != nil {
			return fmt.Errorf("shard %s: append: %w", s.dir, err)
		}
	}
	s.dirty = true
	return nil
}

// waitDurable returns once every record below target is durable. The first waiter to find
// no sync running becomes the leader: it syncs everything written so far, for everyone, while
// later appenders write their batches and wait for the next round (group commit).
func (s *Shard) waitDurable(target uint64) error {
	if y := s.opts.Syncer; y != nil {
		return s.waitRounds(y, target)
	}
	s.smu.Lock()
	defer s.smu.Unlock()
	for s.durable < target {
		if s.failed != nil {
			return s.failed
		}
		if s.syncing {
			s.scond.Wait()
			continue
		}
		s.syncing = true
		s.smu.Unlock()
		next, err := s.syncWritten()
		s.smu.Lock()
		s.syncing = false
		if err != nil && s.failed == nil {
			s.failed = err
		}
		s.durable = max(s.durable, next)
		s.scond.Broadcast()
	}
	return nil
}

// waitRounds is waitDurable through a shared Syncer: it joins rounds until target is durable.
func (s *Shard) waitRounds(y *Syncer, target uint64) error {
	for {
		s.smu.Lock()
		durable, failed := s.durable, s.failed
		s.smu.Unlock()
		switch {
		case failed != nil:
			return failed
		case durable >= target:
			return nil
		}
		y.wait(s)
	}
}

// syncOnce is a Syncer round's work for s: sync what is written, then record the result.
func (s *Shard) syncOnce() {
	next, err := s.syncWritten()
	if err != nil {
		s.fail(err)
		return
	}
	s.markDurable(next)
}

// syncWritten makes everything the active writer has written durable and visible, and
// returns the offset it is durable up to. It does not hold wmu while syncing.
func (s *Shard) syncWritten() (uint64, error) {
	s.wmu.Lock()
	ws := s.ws
	s.wmu.Unlock()
	if ws.w == nil {
		return 0, nil // closed: Close, roll and Seal make their writer durable themselves
	}
	s.syncMu.Lock()
	if s.syncable != ws.w {
		s.syncMu.Unlock()
		return 0, nil // closed since: its closer made it durable (or recorded the failure)
	}
	err := ws.w.Sync()
	s.syncMu.Unlock()
	if err != nil {
		return 0, fmt.Errorf("shard %s: %w: %w", s.dir, ErrSyncFailed, err)
	}
	s.stats.syncs.Add(1)
	s.publish(ws)
	return ws.next, nil
}

// markDurable records that every record below next is durable and wakes the waiters.
func (s *Shard) markDurable(next uint64) {
	s.smu.Lock()
	s.durable = max(s.durable, next)
	s.scond.Broadcast()
	s.smu.Unlock()
}

// fail records a failed sync: the shard takes no more appends, and the waiters get err.
func (s *Shard) fail(err error) {
	s.smu.Lock()
	if s.failed == nil {
		s.failed = err
	}
	s.scond.Broadcast()
	s.smu.Unlock()
}

// publish makes what ws describes visible to readers.
func (s *Shard) publish(ws wstate) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := &ws.seg.meta
	if ws.next > m.NextOffset {
		if m.NextOffset == m.BaseOffset {
			m.FirstTimeMs = ws.firstTimeMs
		}
		m.NextOffset, m.End, m.LastTimeMs = ws.next, ws.end, ws.lastTimeMs
	}
	if ws.next > s.next {
		s.next, s.lastMs = ws.next, ws.lastTimeMs
		s.wakeLocked()
	}
}

// scheduleSync arms the background sync of SyncInterval. Called with wmu held.
func (s *Shard) scheduleSync() {
	if s.opts.Sync != SyncInterval || s.syncTimer != nil {
		return
	}
	s.bg.Add(1)
	s.syncTimer = time.AfterFunc(s.opts.SyncInterval, s.intervalSync)
}

// intervalSync is the background sync of SyncInterval.
func (s *Shard) intervalSync() {
	defer s.bg.Done()
	s.wmu.Lock()
	s.syncTimer = nil
	s.wmu.Unlock()
	next, err := s.syncWritten()
	if err != nil {
		s.fail(err)
		return
	}
	s.markDurable(next)
}
