package shard_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/shard"
)

// waitTimeout bounds the waits below, so that a missed wake fails the test
// instead of hanging it; it is never reached when the shard works.
const waitTimeout = 10 * time.Second

// mustNotBeClosed fails if ch is closed now.
func mustNotBeClosed(t *testing.T, ch <-chan struct{}, when string) {
	t.Helper()
	select {
	case <-ch:
		t.Fatalf("Watch channel closed %s", when)
	default:
	}
}

// mustBeClosed waits for ch to be closed.
func mustBeClosed(t *testing.T, ch <-chan struct{}, when string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(waitTimeout):
		t.Fatalf("Watch channel still open %v after %s", waitTimeout, when)
	}
}

// TestShard_Watch_WakesOnAppend: the channel from Watch stays open while
// nothing is written, and closes once a record is readable, under every sync
// policy; the woken reader reads the record from the log.
func TestShard_Watch_WakesOnAppend(t *testing.T) {
	for _, sync := range []shard.SyncPolicy{shard.SyncAlways, shard.SyncInterval, shard.SyncNone} {
		t.Run(sync.String(), func(t *testing.T) {
			s := mustOpen(t, t.TempDir(), shard.Options{Sync: sync, SyncInterval: time.Millisecond})
			tip, changed := s.Watch()
			if tip != (shard.Tip{}) {
				t.Fatalf("Watch on an empty shard = %+v, want the zero Tip", tip)
			}
			mustNotBeClosed(t, changed, "before any append")
			want := record(1, 100)
			go s.Append([]segment.Record{want})
			mustBeClosed(t, changed, "an append")
			tip, _ = s.Watch()
			if tip.Next != 1 {
				t.Fatalf("Watch after one append: Next = %d, want 1", tip.Next)
			}
			var got []byte
			if _, err := s.Read(tip.Next-1, 1, 0, func(r segment.Record) error {
				got = bytes.Clone(r.Data)
				return nil
			}); err != nil {
				t.Fatalf("Read(0): %v", err)
			}
			if !bytes.Equal(got, want.Data) {
				t.Errorf("Read after the wake = %q, want %q", got, want.Data)
			}
		})
	}
}

// TestShard_Watch_WakesOnlyWhenDurable: under SyncAlways a batch that is
// written but not yet synced is not readable, so it wakes nobody; the sync
// that makes it durable does.
func TestShard_Watch_WakesOnlyWhenDurable(t *testing.T) {
	s := mustOpen(t, t.TempDir(), shard.Options{Sync: shard.SyncAlways})
	_, changed := s.Watch()
	first, _, err := s.Write([]segment.Record{record(1, 10)})
	if err != nil {
		t.Fatal(err)
	}
	mustNotBeClosed(t, changed, "by a batch written but not synced")
	if err := s.WaitDurable(first + 1); err != nil {
		t.Fatal(err)
	}
	mustBeClosed(t, changed, "the sync of the batch")
}

// TestShard_WaitFor: what WaitFor returns for each way a wait can end.
func TestShard_WaitFor(t *testing.T) {
	tests := []struct {
		name     string
		before   int                                    // records appended before the wait
		offset   uint64                                 // waited for
		during   func(*shard.Shard, context.CancelFunc) // what ends the wait
		wantNext uint64
		wantErr  error
	}{
		{"already_there", 3, 1, nil, 3, nil},
		{"append", 2, 2, func(s *shard.Shard, _ context.CancelFunc) { s.Append([]segment.Record{record(9, 10)}) }, 3, nil},
		{"seal", 2, 2, func(s *shard.Shard, _ context.CancelFunc) { s.Seal() }, 2, shard.ErrSealed},
		{"close", 1, 1, func(s *shard.Shard, _ context.CancelFunc) { s.Close() }, 1, shard.ErrClosed},
		{"context", 0, 0, func(_ *shard.Shard, cancel context.CancelFunc) { cancel() }, 0, context.Canceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := mustOpen(t, t.TempDir(), shard.Options{})
			for i := range tc.before {
				if _, _, err := s.Append([]segment.Record{record(uint64(i), 10)}); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
			defer cancel()
			if tc.during != nil {
				// The change may come before or after WaitFor starts to wait:
				// either way it must end the wait the same way.
				go tc.during(s, cancel)
			}
			next, err := s.WaitFor(ctx, tc.offset)
			if next != tc.wantNext || !errors.Is(err, tc.wantErr) {
				t.Errorf("WaitFor(%d) = %d, %v; want %d, %v", tc.offset, next, err, tc.wantNext, tc.wantErr)
			}
		})
	}
}

func TestShard_WaitFor_Quarantined(t *testing.T) {
	damage := errors.New("damaged for the test")
	s := shard.Quarantine(t.TempDir(), damage)
	if _, err := s.WaitFor(context.Background(), 0); !errors.Is(err, damage) {
		t.Errorf("WaitFor on a quarantined shard err = %v, want its damage", err)
	}
}

// BenchmarkShard_Append_Watched measures what a watcher costs the writer: one
// appender, with no watcher and with one that wakes on every append and reads
// the new records from the log. Compare the two with
// benchstat -col /watchers.
func BenchmarkShard_Append_Watched(b *testing.B) {
	for _, sync := range []shard.SyncPolicy{shard.SyncNone, shard.SyncAlways} {
		for _, watchers := range []int{0, 1} {
			b.Run(fmt.Sprintf("size=100B/batch=1/sync=%v/watchers=%d", sync, watchers), func(b *testing.B) {
				benchAppendWatched(b, shard.Options{Sync: sync}, watchers)
			})
		}
	}
}

func benchAppendWatched(b *testing.B, opts shard.Options, watchers int) {
	s, err := shard.Open(b.TempDir(), opts)
	if err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	for range watchers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			follow(b, s)
		}()
	}
	recs := benchBatch(1, 100)
	b.SetBytes(int64(batchBytes(recs)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := s.Append(recs); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	s.Close()
	wg.Wait()
}

// follow reads every record of s as it becomes readable, until s is closed.
func follow(b *testing.B, s *shard.Shard) {
	var from uint64
	for {
		tip, changed := s.Watch()
		if tip.Next > from {
			next, err := s.Read(from, 0, 0, func(segment.Record) error { return nil })
			if err != nil {
				if !errors.Is(err, shard.ErrClosed) {
					b.Error(err)
				}
				return
			}
			from = next
			continue
		}
		if tip.Closed {
			return
		}
		<-changed
	}
}
