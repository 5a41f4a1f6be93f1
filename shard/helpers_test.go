package shard_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/shard"
)

// clock is the fake clock of Options.Now.
type clock = testutil.Clock

var newClock = testutil.NewClock

// mustOpen opens the shard in dir and closes it when the test ends, then checks that it
// reopens cleanly and reads back as one dense, ordered log.
func mustOpen(t *testing.T, dir string, opts shard.Options) *shard.Shard {
	t.Helper()
	s, err := shard.Open(dir, opts)
	require.NoError(t, err)
	t.Cleanup(func() {
		err := s.Close()
		if err != nil && !errors.Is(err, shard.ErrClosed) {
			t.Errorf("Close: %v", err)
			return
		}
		checkShard(t, dir, opts)
	})
	return s
}

// checkShard runs shard.Check on a closed shard, which must find nothing to repair, then
// reopens it and checks that the open needed no scan and that its records are dense and in
// arrival order from the trim horizon to the tip.
func checkShard(t *testing.T, dir string, opts shard.Options) {
	t.Helper()
	if _, err := os.Stat(dir); err != nil {
		return // removed by the test
	}
	rep, err := shard.Check(dir, opts)
	if err != nil {
		t.Errorf("integrity check: %v", err)
		return
	}
	if rep.TornBytes != 0 || len(rep.Repairs) != 0 {
		t.Errorf("integrity check after Close: torn tail of %d bytes in %q, repairs %q", rep.TornBytes, rep.TornFile, rep.Repairs)
	}
	s, err := shard.Open(dir, opts)
	if err != nil {
		t.Errorf("integrity check: reopen: %v", err)
		return
	}
	defer s.Close()
	if st := s.Stats(); st.RecoveredBytes != 0 {
		t.Errorf("integrity check: reopen after Close scanned %d bytes, want 0", st.RecoveredBytes)
	}
	want, last := s.FirstOffset(), int64(0)
	next, err := s.Read(0, 0, 0, func(r segment.Record) error {
		if r.Offset != want {
			return fmt.Errorf("record offset %d, want %d", r.Offset, want)
		}
		if r.TimeMs < last {
			return fmt.Errorf("record %d arrived at %d, before the previous record (%d)", r.Offset, r.TimeMs, last)
		}
		want, last = want+1, r.TimeMs
		return nil
	})
	if err != nil {
		t.Errorf("integrity check: %v", err)
		return
	}
	if tip := s.NextOffset(); next != tip {
		t.Errorf("integrity check: read ended at %d, tip is %d", next, tip)
	}
}

// record returns a record whose bytes are derived from id, so that checks can recompute it.
func record(id uint64, size int) segment.Record {
	data := make([]byte, size)
	r := rand.New(rand.NewPCG(id, 7))
	for i := range data {
		data[i] = byte('a' + r.IntN(26))
	}
	return segment.Record{PartitionKey: []byte("k" + strconv.FormatUint(id, 10)), Data: data}
}

// batch returns n records with ids from first on.
func batch(first uint64, n, size int) []segment.Record {
	recs := make([]segment.Record, n)
	for i := range recs {
		recs[i] = record(first+uint64(i), size)
	}
	return recs
}

// readAll returns copies of every readable record from offset from on.
func readAll(t testing.TB, s *shard.Shard, from uint64) []segment.Record {
	t.Helper()
	var out []segment.Record
	_, err := s.Read(from, 0, 0, func(r segment.Record) error {
		out = append(out, copyRecord(r))
		return nil
	})
	require.NoError(t, err)
	return out
}

// copyRecord returns r with its own copies of the bytes.
func copyRecord(r segment.Record) segment.Record {
	r.PartitionKey = append([]byte(nil), r.PartitionKey...)
	r.Data = append([]byte(nil), r.Data...)
	return r
}

// requireRecords checks that got holds the records with ids from firstID on, at offsets from
// firstOffset on.
func requireRecords(t testing.TB, got []segment.Record, firstOffset, firstID uint64, n, size int) {
	t.Helper()
	require.Len(t, got, n)
	for i, r := range got {
		want := record(firstID+uint64(i), size)
		require.Equal(t, firstOffset+uint64(i), r.Offset, "record %d offset", i)
		require.Equal(t, string(want.PartitionKey), string(r.PartitionKey), "record %d key", i)
		require.Equal(t, string(want.Data), string(r.Data), "record %d data", i)
	}
}
