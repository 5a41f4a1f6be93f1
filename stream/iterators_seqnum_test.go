package stream_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/stream"
)

// TestStore_GetRecords_SequenceNumberText checks the text of every sequence number GetRecords
// delivers against the number PutRecords gave the record, rendered from binary, across what ends a run of consecutive
// numbers: a new arrival second between batches, a batch in the same second, and single
// records, read in one call and in calls of a few records (each call starts a new run).
func TestStore_GetRecords_SequenceNumberText(t *testing.T) {
	c := newClock()
	s := mustOpen(t, testOptions(c))
	mustCreate(t, s, "a", 1)
	var want []string // the numbers as PutRecords gave them, rendered from binary
	batch := func(n int) {
		var entries []stream.PutEntry
		for i := range n {
			entries = append(entries, stream.PutEntry{PartitionKey: "k", Data: fmt.Appendf(nil, "r%d", i)})
		}
		res, err := s.PutRecords(&stream.PutRecordsRequest{StreamName: "a", Entries: entries}, nil)
		require.NoError(t, err)
		for _, r := range res {
			require.Empty(t, r.ErrorCode)
			want = append(want, string(r.SequenceNumber.AppendDecimal(nil)))
		}
	}
	single := func() {
		want = append(want, string(put(t, s, "a", "k", "single").SequenceNumber.AppendDecimal(nil)))
	}
	batch(5)
	c.Advance(1500 * time.Millisecond)
	batch(3)
	c.Advance(10 * time.Millisecond)
	batch(4)
	single()
	c.Advance(2 * time.Second)
	single()
	batch(2)
	const total = 16

	check := func(t *testing.T, recs []record) {
		require.Len(t, recs, total)
		seconds := map[int64]bool{}
		for i, r := range recs {
			require.Equal(t, uint64(i), r.seq.Counter)
			require.Equal(t, want[i], r.text, "record %d", i)
			seconds[r.seq.TimeSec] = true
		}
		require.Len(t, seconds, 3, "the records span three arrival seconds")
	}
	start := iteratorAt(t, s, "a", "shardId-000000000000", stream.TrimHorizon)
	t.Run("one call", func(t *testing.T) {
		recs, _ := getRecords(t, s, start, 0)
		check(t, recs)
	})
	t.Run("calls of three", func(t *testing.T) {
		var all []record
		for it := start; len(all) < total; {
			recs, res := getRecords(t, s, it, 3)
			require.NotEmpty(t, recs)
			all, it = append(all, recs...), res.NextShardIterator
		}
		check(t, all)
	})
}
