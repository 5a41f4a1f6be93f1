package shard

import "context"

// Readers that follow the tip. A subscriber of a shard (SubscribeToShard) reads
// what is there, then waits for more without polling: Watch hands it the tip
// and a channel that the next move of the tip closes. The channel is made only
// when someone watches and closed where the tip moves (publish, under mu, which
// the writer holds anyway), so a shard nobody watches pays one nil check per
// publish. What the woken reader reads comes from the log, through Read.

// Tip is what a watcher needs to know of the shard's end.
type Tip struct {
	Next   uint64 // NextOffset: the offset after the newest readable record
	Sealed bool   // Seal closed the shard to appends: Next will not move again
	Closed bool   // the shard is closed (or quarantined): nothing more can be read
}

// closedChan is the channel Watch returns when nothing will change again.
var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// Watch returns the tip and a channel that is closed once it changes: records
// past tip.Next become readable (under SyncAlways, once they are durable), or
// the shard is sealed or closed. Taking both at once is what makes waiting
// safe: a record published after Watch returns always closes the channel. Once
// the shard is sealed or closed the channel is already closed, so a caller
// must look at tip.Sealed and tip.Closed rather than wait again.
func (s *Shard) Watch() (Tip, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tip := Tip{Next: s.next, Sealed: s.isSealed, Closed: s.closed || s.damaged != nil}
	if tip.Sealed || tip.Closed {
		return tip, closedChan
	}
	if s.changed == nil {
		s.changed = make(chan struct{})
	}
	return tip, s.changed
}

// WaitFor blocks until the record at offset is readable, and returns the tip
// (greater than offset). It returns ErrSealed once the shard is sealed with
// offset at or past its end, so that no record will ever come; ErrClosed after
// Close; a quarantined shard's damage; or ctx's error when ctx ends first.
func (s *Shard) WaitFor(ctx context.Context, offset uint64) (uint64, error) {
	for {
		tip, changed := s.Watch()
		switch {
		case tip.Next > offset:
			return tip.Next, nil
		case s.damaged != nil:
			return tip.Next, s.damaged
		case tip.Closed:
			return tip.Next, ErrClosed
		case tip.Sealed:
			return tip.Next, ErrSealed
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return tip.Next, ctx.Err()
		}
	}
}

// wakeLocked closes the channel of the watchers, if any. Called with mu held,
// where the tip moves or the shard is sealed or closed.
func (s *Shard) wakeLocked() {
	if s.changed != nil {
		close(s.changed)
		s.changed = nil
	}
}
