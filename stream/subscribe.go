package stream

import "context"

// WaitForRecords blocks until GetRecords with shardIterator has something new to answer:
// a record at the iterator's position is readable (under SyncAlways, durable), the shard
// is sealed (a split or merge closed it, and GetRecords at its end answers ChildShards), or
// the shard's log is closed (its stream was deleted, or the store closed). It returns nil
// then, and ctx's error when ctx ends first. It reads nothing and issues no iterator: the
// caller calls GetRecords with the same iterator, which reads from the log and reports any
// error. An iterator GetRecords would refuse is refused here with the same error.
//
// It waits on the shard's Watch channel, never polling: a push subscription
// (SubscribeToShard) alternates GetRecords and WaitForRecords, with a ctx that ends after
// the 5 s within which it must send an event even when nothing arrives.
func (s *Store) WaitForRecords(ctx context.Context, shardIterator string) error {
	if s.closed.Load() {
		return ErrClosed
	}
	it, err := s.keys.Open(shardIterator, s.nowMs())
	if err != nil {
		return err
	}
	_, _, l, err := s.iteratorShard(it)
	if err != nil {
		return err
	}
	for {
		tip, changed := l.log.Watch()
		switch {
		case tip.Next > it.Offset || tip.Closed:
			return nil
		case tip.Sealed:
			s.awaitPublished(it.Stream)
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// awaitPublished waits for the change of the named stream that is under way, if one is. A
// reshard seals its parents and publishes the view in which they are closed under the
// stream's lock, so a reader woken by the seal takes the lock to wait for the view: without
// it, a GetRecords between the two would find the parent sealed but not yet closed, answer
// neither records nor children, and send its caller round again at once.
func (s *Store) awaitPublished(name string) {
	if e := s.entry(name); e != nil {
		e.mu.Lock()
		e.mu.Unlock() //nolint:staticcheck // the lock is the wait
	}
}
