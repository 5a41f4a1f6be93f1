package stream_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/stream"
)

// TestStore_GetRecords_AroundDamage: a byte flipped in a sealed segment, found only when a
// read reaches it. The call that reaches it returns the good records before it; the next one
// fails with an InternalFailure that names the shard, the file and the position; a read that
// starts past the damage is not stopped by it.
func TestStore_GetRecords_AroundDamage(t *testing.T) {
	c := newClock()
	dir := t.TempDir()
	opts := testOptions(c)
	opts.Shard.MaxSegmentBytes = 8 << 10 // several sealed segments of about 60 batches
	s, err := stream.Open(dir, opts)
	require.NoError(t, err)
	mustCreate(t, s, "a", 1)
	var want []stream.PutResult
	for i := range 300 {
		want = append(want, put(t, s, "a", "k", fmt.Sprintf("%03d%s", i, strings.Repeat("x", 100))))
	}
	require.NoError(t, s.Close())

	segs, err := filepath.Glob(filepath.Join(dir, "streams", "a-*", "shardId-000000000000", "*.seg"))
	require.NoError(t, err)
	require.Greater(t, len(segs), 2, "segments")
	first := segs[0] // sealed: Open does not scan it
	b, err := os.ReadFile(first)
	require.NoError(t, err)
	b[len(b)/2] ^= 0xff // inside a record's data, half way through the segment
	require.NoError(t, os.WriteFile(first, b, 0o644))

	s = mustOpenUnchecked(t, dir, opts)
	it, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "a", ShardID: "shardId-0", Type: stream.TrimHorizon})
	require.NoError(t, err)
	got, res := getRecords(t, s, it, 0)
	require.NotEmpty(t, got, "the records before the damaged batch")
	require.Less(t, len(got), 60, "records read past the damage in the first segment")
	for i, r := range got {
		require.Equal(t, want[i].SequenceNumber, r.seq, "record %d", i)
		require.Equal(t, fmt.Sprintf("%03d%s", i, strings.Repeat("x", 100)), r.data, "record %d", i)
	}
	require.NotEmpty(t, res.NextShardIterator)

	_, err = s.GetRecords(&stream.GetRecordsRequest{ShardIterator: res.NextShardIterator}, &collector{})
	var ke *kinesis.Error
	require.ErrorAs(t, err, &ke, "the call that starts at the damaged batch: %v", err)
	require.Equal(t, kinesis.TypeInternalFailure, ke.Type)
	require.Regexp(t, regexp.MustCompile(`^Internal Service Failure: shard shardId-000000000000 in stream a under account `+acct+
		`: corrupt batch at `+regexp.QuoteMeta(first)+`:[0-9]+: .+`), ke.Message)

	// Past the damage the log reads on: from the first record of the second segment.
	after := want[len(want)-1]
	it, err = s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "a", ShardID: "shardId-0",
		Type: stream.AtSequenceNumber, StartingSequenceNumber: after.SequenceNumber.String()})
	require.NoError(t, err)
	got, _ = getRecords(t, s, it, 0)
	require.Len(t, got, 1)
	require.Equal(t, after.SequenceNumber, got[0].seq)
}
