package stream

import (
	"errors"
	"os"
	"slices"
	"time"

	"github.com/shardlog/shardlog/retention"
	"github.com/shardlog/shardlog/shard"
)

// The maintenance loop carries out the status changes that have come due and the retention
// passes, in the background: the data plane (PutRecords, GetShardIterator, GetRecords) never
// carries out a change, so that a write is never held up by a reshard it happened to find
// due, and the stream's lock is taken only by changes. Control-plane calls carry out the
// change of the stream they are about when it is due (current), so that they answer its
// status at once; a data-plane call that needs a change carried out (a CREATING stream whose
// delay has passed has no shards until it is ACTIVE) asks the loop for a sweep and waits for
// it (awaitChange).

// sweepInterval is how often the maintenance loop carries out the status changes that have
// come due when nobody asked about their stream, so that a deleted stream's files go and a
// due reshard happens soon.
const sweepInterval = time.Second

// changeWait bounds how long a data-plane call waits for the maintenance loop to carry out a
// change it needs. A sweep carries out every change that is due, reshards included, so it
// may take a while; past this the call answers from the stream as it is.
const changeWait = 5 * time.Second

// maintain runs until stop is closed: every sweepInterval, and whenever a data-plane call
// asks (wake), it carries out the status changes that have come due; every
// RetentionInterval it deletes expired segments and drops the closed shards whose records
// have all expired.
func (s *Store) maintain(stop <-chan struct{}, stopped chan<- struct{}) {
	defer close(stopped)
	t := time.NewTicker(min(sweepInterval, s.opts.RetentionInterval))
	defer t.Stop()
	passes := retention.Schedule{Interval: s.opts.RetentionInterval}
	passes.Due(time.Now()) // the first pass comes one interval after Open
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		case <-s.wake:
		}
		s.sweep()
		if passes.Due(time.Now()) {
			s.expire()
		}
	}
}

// sweep carries out every status change that has come due, and then wakes those waiting
// for a sweep that began after they asked (requestSweep).
func (s *Store) sweep() {
	s.sweepMu.Lock()
	done := s.nextSweep
	s.nextSweep = make(chan struct{})
	s.sweepMu.Unlock()
	defer close(done)
	s.settleDue()
}

// requestSweep wakes the maintenance loop and returns a channel closed when a sweep that
// began after the call has finished.
func (s *Store) requestSweep() <-chan struct{} {
	s.sweepMu.Lock()
	done := s.nextSweep
	s.sweepMu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default: // a wake is pending already
	}
	return done
}

// awaitChange waits for the change due on e to be carried out, for a data-plane call that
// needs it, and returns e's view then. A change under way holds the stream's lock until it
// is published, so taking the lock waits for it; if none was under way (the view is still
// v), awaitChange asks the maintenance loop for a sweep, which makes one attempt at every
// due change, and waits for it, for at most changeWait or until the store closes. It
// carries out nothing itself: if the attempt failed, v is returned.
func (s *Store) awaitChange(e *streamEntry, v *streamView) *streamView {
	e.mu.Lock()
	nv := e.view.Load()
	e.mu.Unlock()
	if nv != v || !v.info.Due(s.nowMs()) {
		return nv
	}
	timeout := time.NewTimer(changeWait)
	defer timeout.Stop()
	select {
	case <-s.requestSweep():
	case <-s.stop:
	case <-timeout.C:
	}
	return e.view.Load()
}

// settleDue carries out every status change that has come due. A failure is logged, at most
// once per interval (the loop tries again every sweep), and left for the next sweep.
func (s *Store) settleDue() {
	now := s.nowMs()
	for _, e := range *s.streams.Load() {
		if v := e.view.Load(); v != nil && v.info.Due(now) {
			if _, err := s.settle(e); err != nil && !errors.Is(err, ErrClosed) {
				s.errLog.Error("stream: carry out status change", "stream", v.info.Name, "error", err)
			}
		}
	}
}

// expire makes one retention pass: in every stream, the segments whose records have all
// expired are deleted (shard.DeleteExpired, which applies the one expiry rule of package
// retention), then the closed shards whose records have all expired leave their stream
// and the disk. Failures are logged and tried again at the next pass.
func (s *Store) expire() {
	now := s.nowMs()
	for _, e := range *s.streams.Load() {
		v := e.view.Load()
		if v == nil {
			continue
		}
		s.deleteExpiredSegments(v)
		if slices.ContainsFunc(v.info.Shards, func(sh ShardInfo) bool { return v.info.expired(&sh, now) }) {
			s.dropExpiredShards(e)
		}
	}
}

// deleteExpiredSegments deletes the expired segments of the shards of v. A shard closed
// meanwhile (its stream went) is passed over; a failure is logged.
func (s *Store) deleteExpiredSegments(v *streamView) {
	for _, l := range v.shards {
		n, bytes, err := l.log.DeleteExpired()
		switch {
		case errors.Is(err, shard.ErrClosed):
		case err != nil:
			s.log.Error("stream: delete expired segments", "stream", v.info.Name, "shard", l.id, "error", err)
		case n > 0:
			s.log.Debug("stream: deleted expired segments", "stream", v.info.Name, "shard", l.id, "segments", n, "bytes", bytes)
		}
	}
}

// dropExpiredShards takes the closed shards whose records have all expired out of a stream
// (catalog first), then closes and deletes their logs.
func (s *Store) dropExpiredShards(e *streamEntry) {
	e.mu.Lock()
	defer e.mu.Unlock()
	v := e.view.Load()
	if v == nil {
		return
	}
	now := s.nowMs()
	info := v.info.clone()
	var logs, dropped []*shardLog
	var kept []ShardInfo
	for i, sh := range v.info.Shards {
		if v.info.expired(&sh, now) {
			dropped = append(dropped, v.shards[i])
			continue
		}
		kept = append(kept, sh)
		logs = append(logs, v.shards[i])
	}
	info.Shards = kept
	if _, err := s.publish(e, info, logs); err != nil {
		s.log.Error("stream: drop expired shards", "stream", info.Name, "error", err)
		return
	}
	if err := s.closeShards(dropped); err != nil {
		s.log.Error("stream: drop expired shards", "stream", info.Name, "error", err)
	}
	for _, l := range dropped {
		dir := s.shardDir(info, &ShardInfo{ID: l.id})
		if err := shard.Remove(dir); err != nil && !os.IsNotExist(err) {
			s.log.Error("stream: drop expired shards", "dir", dir, "error", err)
			continue
		}
		s.log.Info("stream: dropped expired shard", "stream", info.Name, "shard", l.id)
	}
}
