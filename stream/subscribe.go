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
		if tip.Next > it.Offset || tip.Sealed || tip.Closed {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
