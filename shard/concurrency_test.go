package shard_test

import (
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/shard"
)

// TestShard_Concurrent runs appenders, readers, retention and the accessors at once (run it
// with -race). Readers check that every read is dense, in order and intact; at the end every
// acknowledged record that has not expired must be readable.
func TestShard_Concurrent(t *testing.T) {
	for _, sync := range []shard.SyncPolicy{shard.SyncAlways, shard.SyncNone} {
		t.Run(fmt.Sprintf("sync=%v", sync), func(t *testing.T) {
			testConcurrent(t, sync)
		})
	}
}

func testConcurrent(t *testing.T, policy shard.SyncPolicy) {
	clk := newClock(1_000_000_000)
	opts := shard.Options{Sync: policy, MaxSegmentBytes: 8 << 10, Retention: time.Hour, Now: clk.Now,
		MaxMappedSegments: 2, IdleTimeout: time.Millisecond}
	opts = shard.WithCheckpointBytes(opts, 16<<10)
	s := mustOpen(t, t.TempDir(), opts)
	const appenders = 4
	batches := 100
	if testing.Short() {
		batches = 40
	}
	var acked sync.Map // offset → record id
	var wg, bg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, 16)
	for a := range appenders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				id := uint64(a)<<32 | uint64(b*4)
				first, _, err := s.Append(batch(id, 4, 50))
				if err != nil {
					errs <- err
					return
				}
				for i := range uint64(4) {
					acked.Store(first+i, id+i)
				}
			}
		}()
	}
	var reads atomic.Int64
	for range 2 {
		bg.Add(1)
		go func() {
			defer bg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := checkRead(s, s.FirstOffset()); err != nil {
					errs <- err
					return
				}
				reads.Add(1)
			}
		}()
	}
	bg.Add(1)
	go func() { // retention and the accessors
		defer bg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			clk.Advance(10 * time.Minute)
			if _, _, err := s.DeleteExpired(); err != nil {
				errs <- err
				return
			}
			if _, err := s.OffsetAt(clk.Ms() - (30 * time.Minute).Milliseconds()); err != nil {
				errs <- err
				return
			}
			_ = s.Stats()
			_ = s.Empty()
			time.Sleep(100 * time.Microsecond)
		}
	}()
	wg.Wait()
	close(stop)
	bg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, uint64(appenders*batches*4), s.NextOffset())
	first := s.FirstOffset()
	require.NoError(t, checkRead(s, 0))
	got := readAll(t, s, 0)
	require.Len(t, got, int(s.NextOffset()-first))
	for _, r := range got {
		id, ok := acked.Load(r.Offset)
		require.True(t, ok, "offset %d was not acknowledged", r.Offset)
		require.Equal(t, "k"+strconv.FormatUint(id.(uint64), 10), string(r.PartitionKey), "record at offset %d", r.Offset)
	}
	t.Logf("%d reads; trim horizon %d of %d; %d segments deleted; clock moved %v", reads.Load(), first, s.NextOffset(),
		s.Stats().DeletedSegments, time.Duration(clk.Ms()-1_000_000_000)*time.Millisecond)
}

// checkRead reads from `from` to the tip and checks that the records are in order, intact
// (their bytes derive from their keys) and dense, except where retention deleted a segment
// under the read: the records skipped there must have expired by the end of the read.
func checkRead(s *shard.Shard, from uint64) error {
	want, last := uint64(0), int64(0)
	started := false
	var gapEnd uint64
	_, err := s.Read(from, 0, 0, func(r segment.Record) error {
		if started && r.Offset != want {
			if r.Offset < want {
				return fmt.Errorf("read from %d: offset %d after %d", from, r.Offset, want-1)
			}
			gapEnd = r.Offset
		}
		if r.Offset < from {
			return fmt.Errorf("read from %d: offset %d", from, r.Offset)
		}
		if r.TimeMs < last {
			return fmt.Errorf("read from %d: offset %d arrived before the record before it", from, r.Offset)
		}
		id, err := strconv.ParseUint(string(r.PartitionKey[1:]), 10, 64)
		if err != nil {
			return fmt.Errorf("offset %d: key %q", r.Offset, r.PartitionKey)
		}
		if string(record(id, 50).Data) != string(r.Data) {
			return fmt.Errorf("offset %d: data of record %d damaged", r.Offset, id)
		}
		started, want, last = true, r.Offset+1, r.TimeMs
		return nil
	})
	if err == nil && gapEnd > s.FirstOffset() {
		err = fmt.Errorf("read from %d: skipped records before %d that have not expired (trim horizon %d)", from, gapEnd, s.FirstOffset())
	}
	return err
}
