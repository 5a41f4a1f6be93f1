package stream_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/stream"
)

// waitResult runs WaitForRecords in the background and returns its result.
func waitResult(ctx context.Context, s *stream.Store, it string) <-chan error {
	done := make(chan error, 1)
	go func() { done <- s.WaitForRecords(ctx, it) }()
	return done
}

// requireWaiting checks that a WaitForRecords has not returned. It can only
// catch a wait that returned early, not prove that one is blocked, which the
// wake-up tests below rely on shard.Watch for.
func requireWaiting(t *testing.T, done <-chan error) {
	t.Helper()
	select {
	case err := <-done:
		t.Fatalf("WaitForRecords returned %v before anything happened", err)
	default:
	}
}

func requireWoken(t *testing.T, done <-chan error, what string) {
	t.Helper()
	select {
	case err := <-done:
		require.NoError(t, err, "WaitForRecords after %s", what)
	case <-time.After(10 * time.Second):
		t.Fatalf("WaitForRecords still waiting 10s after %s", what)
	}
}

func latest(t *testing.T, s *stream.Store, name, shardID string) string {
	t.Helper()
	it, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: name, ShardID: shardID, Type: stream.Latest})
	require.NoError(t, err)
	return it
}

// TestStore_WaitForRecords_Put: a subscriber at LATEST wakes on the next put
// and reads exactly that record with the same iterator.
func TestStore_WaitForRecords_Put(t *testing.T) {
	s := mustOpen(t, testOptions(newClock()))
	mustCreate(t, s, "a", 1)
	put(t, s, "a", "k", "before")
	it := latest(t, s, "a", "shardId-000000000000")
	done := waitResult(context.Background(), s, it)
	requireWaiting(t, done)
	put(t, s, "a", "k", "after")
	requireWoken(t, done, "a put")
	recs, _ := getRecords(t, s, it, 0)
	require.Equal(t, "after", dataOf(recs))
}

// TestStore_WaitForRecords_Returns: what ends a wait besides a record.
func TestStore_WaitForRecords_Returns(t *testing.T) {
	t.Run("records_already_there", func(t *testing.T) {
		s := mustOpen(t, testOptions(newClock()))
		mustCreate(t, s, "a", 1)
		it, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "a", ShardID: "0", Type: stream.TrimHorizon})
		require.NoError(t, err)
		put(t, s, "a", "k", "x")
		require.NoError(t, s.WaitForRecords(context.Background(), it))
	})
	t.Run("split_seals_the_parent", func(t *testing.T) {
		s := mustOpen(t, testOptions(newClock()))
		mustCreate(t, s, "a", 1)
		it := latest(t, s, "a", "shardId-000000000000")
		done := waitResult(context.Background(), s, it)
		requireWaiting(t, done)
		require.NoError(t, s.SplitShard("a", "shardId-000000000000", "170141183460469231731687303715884105728"))
		requireWoken(t, done, "a split")
		_, res := getRecords(t, s, it, 0)
		require.Len(t, res.ChildShards, 2, "GetRecords at the end of the split parent")
	})
	t.Run("delete_stream", func(t *testing.T) {
		// The waiter's goroutine may look its shard up before DeleteStream, and wait until
		// the deletion closes the log (nil), or after, and be refused as GetRecords refuses
		// the iterator of a deleted stream. Either way it returns, and with nothing else.
		s := mustOpen(t, testOptions(newClock()))
		mustCreate(t, s, "a", 1)
		it := latest(t, s, "a", "shardId-000000000000")
		done := waitResult(context.Background(), s, it)
		requireWaiting(t, done)
		require.NoError(t, s.DeleteStream("a"))
		var c collector
		_, refused := s.GetRecords(&stream.GetRecordsRequest{ShardIterator: it}, &c)
		require.Error(t, refused, "GetRecords with the iterator of a deleted stream")
		select {
		case err := <-done:
			if err != nil {
				require.Equal(t, refused, err, "WaitForRecords after DeleteStream: nil, or GetRecords' refusal")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("WaitForRecords still waiting 10s after DeleteStream")
		}
	})
	t.Run("deleted_before_the_wait", func(t *testing.T) {
		s := mustOpen(t, testOptions(newClock()))
		mustCreate(t, s, "a", 1)
		it := latest(t, s, "a", "shardId-000000000000")
		require.NoError(t, s.DeleteStream("a"))
		var c collector
		_, want := s.GetRecords(&stream.GetRecordsRequest{ShardIterator: it}, &c)
		require.Error(t, want, "GetRecords with the iterator of a deleted stream")
		require.Equal(t, want, s.WaitForRecords(context.Background(), it))
	})
	t.Run("context", func(t *testing.T) {
		s := mustOpen(t, testOptions(newClock()))
		mustCreate(t, s, "a", 1)
		ctx, cancel := context.WithCancel(context.Background())
		done := waitResult(ctx, s, latest(t, s, "a", "shardId-000000000000"))
		cancel()
		select {
		case err := <-done:
			require.True(t, errors.Is(err, context.Canceled), "WaitForRecords err = %v, want context.Canceled", err)
		case <-time.After(10 * time.Second):
			t.Fatal("WaitForRecords still waiting 10s after its context ended")
		}
	})
	t.Run("bad_iterator", func(t *testing.T) {
		s := mustOpen(t, testOptions(newClock()))
		var c collector
		_, want := s.GetRecords(&stream.GetRecordsRequest{ShardIterator: "AAAA"}, &c)
		require.Error(t, want)
		require.Equal(t, want, s.WaitForRecords(context.Background(), "AAAA"))
	})
}

// TestStore_WaitForRecords_SealBeforePublish: a reshard seals the parent, then publishes
// the view in which it is closed. A reader woken by the seal must not return before the
// view is out, or its GetRecords finds the parent sealed but not closed: no records, no
// children, and it goes round again at once. The reshard is held between the two steps.
func TestStore_WaitForRecords_SealBeforePublish(t *testing.T) {
	s := mustOpen(t, testOptions(newClock()))
	mustCreate(t, s, "a", 1)
	it := latest(t, s, "a", "shardId-000000000000")
	sealed, release := make(chan struct{}), make(chan struct{})
	s.SetReshardFaults(func(step string) error {
		if step == "seal shardId-000000000000" {
			close(sealed)
			<-release
		}
		return nil
	})
	done := waitResult(context.Background(), s, it)
	split := make(chan error, 1)
	go func() { split <- s.SplitShard("a", "shardId-000000000000", "170141183460469231731687303715884105728") }()
	<-sealed
	select {
	case err := <-done:
		require.NoError(t, err)
		_, res := getRecords(t, s, it, 0)
		close(release)
		t.Fatalf("WaitForRecords returned while the reshard was under way; GetRecords then answered %d children", len(res.ChildShards))
	case <-time.After(200 * time.Millisecond): // bounds the wait for a return that must not come
	}
	close(release)
	require.NoError(t, <-split)
	requireWoken(t, done, "the split was published")
	_, res := getRecords(t, s, it, 0)
	require.Len(t, res.ChildShards, 2, "GetRecords at the end of the split parent")
}

// TestStore_ContinuationSequenceNumber: the number a subscription reports before it has
// sent a record resumes with AFTER_SEQUENCE_NUMBER at the position it stood at: at the
// shard's start while it is empty (and still when its first record comes in the shard's
// creation second; AT_SEQUENCE_NUMBER too there), and past the records before it, where it
// is the last one's number.
func TestStore_ContinuationSequenceNumber(t *testing.T) {
	s := mustOpen(t, testOptions(newClock()))
	mustCreate(t, s, "a", 1)
	const id = "shardId-000000000000"
	iterator := func(typ stream.IteratorType, number string) string {
		t.Helper()
		it, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "a", ShardID: id, Type: typ, StartingSequenceNumber: number})
		require.NoError(t, err)
		return it
	}
	continuation := func(it string) string {
		t.Helper()
		n, err := s.ContinuationSequenceNumber(it)
		require.NoError(t, err)
		require.NotEqual(t, "0", n)
		return n
	}

	atStart := continuation(iterator(stream.TrimHorizon, ""))
	early := []string{iterator(stream.AfterSequenceNumber, atStart), iterator(stream.AtSequenceNumber, atStart)}
	first := put(t, s, "a", "k", "r0")
	for i, it := range append(early, iterator(stream.AfterSequenceNumber, atStart), iterator(stream.AtSequenceNumber, atStart)) {
		got, _ := getRecords(t, s, it, 1)
		require.Len(t, got, 1, "iterator %d from the continuation at the start", i)
		require.Equal(t, first.SequenceNumber.String(), got[0].text, "iterator %d", i)
	}

	second := put(t, s, "a", "k", "r1")
	tip := continuation(iterator(stream.Latest, ""))
	require.Equal(t, second.SequenceNumber.String(), tip, "past a record, the continuation is that record's number")
	third := put(t, s, "a", "k", "r2")
	for typ, want := range map[stream.IteratorType]stream.PutResult{stream.AfterSequenceNumber: third, stream.AtSequenceNumber: second} {
		got, _ := getRecords(t, s, iterator(typ, tip), 1)
		require.Len(t, got, 1, "%s the continuation at the tip", typ)
		require.Equal(t, want.SequenceNumber.String(), got[0].text, "%s the continuation at the tip", typ)
	}
}
