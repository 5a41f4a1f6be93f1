package stream

import (
	"context"
	"time"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/segment"
)

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

// ContinuationSequenceNumber returns the sequence number a subscription standing at
// shardIterator reports before it has sent a record: AFTER_SEQUENCE_NUMBER with it resumes
// at the iterator's position. That is the number of the record before the position, or, if
// that record has expired, one that sorts as it did; at a shard's first offset, where there
// is no record before, it is counter 0 a second before the shard's creation, which sorts
// before any record (seekNumber), so that AT_SEQUENCE_NUMBER with it starts there too. Errors
// are those of GetRecords with the iterator.
func (s *Store) ContinuationSequenceNumber(shardIterator string) (string, error) {
	if s.closed.Load() {
		return "", ErrClosed
	}
	it, err := s.keys.Open(shardIterator, s.nowMs())
	if err != nil {
		return "", err
	}
	_, _, l, err := s.iteratorShard(it)
	if err != nil {
		return "", err
	}
	if it.Offset == 0 {
		return kinesis.SequenceNumber{ShardCreatedSec: l.createdSec, ShardIndex: l.index, TimeSec: l.createdSec - 1}.String(), nil
	}
	n := l.sequenceNumber(it.Offset-1, l.createdSec*1000) // as an expired record: AFTER it is the position
	_, err = l.log.Read(it.Offset-1, 1, 0, func(r segment.Record) error {
		if r.Offset == it.Offset-1 {
			n = l.sequenceNumber(r.Offset, r.TimeMs)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return n.String(), nil
}

// Now returns the time on the store's clock (Options.Now): a subscription's takeover
// window is measured on it, so that tests can move it.
func (s *Store) Now() time.Time { return s.opts.Now() }
