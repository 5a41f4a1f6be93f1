package stream

import (
	"os"
	"slices"
	"time"

	"github.com/shardlog/shardlog/shard"
)

// background runs until stop is closed: every sweepInterval it finishes the status changes
// that have come due, and every RetentionInterval it deletes expired segments and drops the
// closed shards whose records have all expired.
func (s *Store) background(stop <-chan struct{}, stopped chan<- struct{}) {
	defer close(stopped)
	t := time.NewTicker(min(sweepInterval, s.opts.RetentionInterval))
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		s.settleDue()
		if time.Since(last) >= s.opts.RetentionInterval {
			last = time.Now()
			s.expire()
		}
	}
}

// expire makes one retention pass: expired segments of every shard are deleted, then the
// closed shards whose records have all expired leave their stream and the disk. Failures are
// logged and tried again at the next pass.
func (s *Store) expire() {
	s.loop.RunOnce() // logs its failures
	now := s.nowMs()
	for _, e := range *s.streams.Load() {
		if v := e.view.Load(); v != nil && slices.ContainsFunc(v.info.Shards, func(sh ShardInfo) bool { return v.info.expired(&sh, now) }) {
			s.dropExpiredShards(e)
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
