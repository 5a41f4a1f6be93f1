package shard_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/shard"
)

// section builds the records with ids from first on into a Section.
func section(first uint64, n, size int) *segment.Section {
	sec := new(segment.Section)
	for _, r := range batch(first, n, size) {
		copy(sec.Add(r.PartitionKey, len(r.Data)), r.Data)
	}
	return sec
}

// TestShard_WriteSection writes batches built in Sections, between batches of records, under
// each codec and sync policy across segment rolls, and reads them all back.
func TestShard_WriteSection(t *testing.T) {
	for _, codec := range []segment.Codec{segment.CodecNone, segment.CodecS2, segment.CodecZstd} {
		for _, sync := range []shard.SyncPolicy{shard.SyncAlways, shard.SyncNone} {
			t.Run(fmt.Sprintf("codec=%v/sync=%v", codec, sync), func(t *testing.T) {
				clk := newClock(1_000_000)
				opts := shard.Options{Codec: codec, Sync: sync, MaxSegmentBytes: 16 << 10, Now: clk.Now}
				s := mustOpen(t, t.TempDir(), opts)
				var id uint64
				for i := range 40 {
					clk.Set(int64(1_000_000 + i))
					n := 1 + i%7
					var first uint64
					var timeMs int64
					var err error
					if i%2 == 0 {
						first, timeMs, err = s.WriteSection(section(id, n, 100))
						if err == nil {
							err = s.WaitDurable(first + uint64(n))
						}
					} else {
						first, timeMs, err = s.Append(batch(id, n, 100))
					}
					require.NoError(t, err)
					require.Equal(t, id, first, "batch %d: first offset", i)
					require.Equal(t, int64(1_000_000+i), timeMs, "batch %d: arrival time", i)
					id += uint64(n)
				}
				require.Equal(t, id, s.NextOffset())
				got := readAll(t, s, 0)
				requireRecords(t, got, 0, 0, int(id), 100)
				require.Greater(t, s.Stats().Segments, 1, "segments after %d records of 100 B in 16 KiB segments", id)
				require.Equal(t, uint64(id), s.Stats().Records)
			})
		}
	}
}

func TestShard_WriteSection_Errors(t *testing.T) {
	s := mustOpen(t, t.TempDir(), shard.Options{SyncInterval: time.Millisecond})
	_, _, err := s.WriteSection(new(segment.Section))
	require.ErrorIs(t, err, shard.ErrEmptyBatch)
	big := new(segment.Section)
	big.Add([]byte("k"), segment.MaxBatchBytes)
	_, _, err = s.WriteSection(big)
	require.ErrorIs(t, err, segment.ErrBatchTooLarge)
	first, _, err := s.WriteSection(section(0, 1, 10))
	require.NoError(t, err)
	require.Zero(t, first, "first offset after failed writes")
	require.NoError(t, s.Seal())
	_, _, err = s.WriteSection(section(1, 1, 10))
	require.ErrorIs(t, err, shard.ErrSealed)
}
