package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

// multiSegmentOptions are store options whose shards roll after every few records.
func multiSegmentOptions() stream.Options {
	return stream.Options{
		Shard:  shard.Options{MaxSegmentBytes: 1 << 10},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// multiSegmentDir builds a data directory with stream "m" of one shard whose log spans
// several segments, closed cleanly, and returns it with the shard's segment files in order.
func multiSegmentDir(t *testing.T) (dir string, segs []string) {
	t.Helper()
	dir = t.TempDir()
	s, err := stream.Open(dir, multiSegmentOptions())
	require.NoError(t, err)
	require.NoError(t, s.CreateStream("m", stream.StreamConfig{ShardCount: 1}))
	for i := range 12 {
		_, err := s.PutRecord(&stream.PutRecordRequest{StreamName: "m",
			Entry: stream.PutEntry{PartitionKey: "k", Data: []byte(strings.Repeat(fmt.Sprint(i), 400))}})
		require.NoError(t, err)
	}
	require.NoError(t, s.Close())
	segs, err = filepath.Glob(filepath.Join(dir, "streams", "m-*", "shardId-000000000000", "*.seg"))
	require.NoError(t, err)
	require.Greater(t, len(segs), 3, "segments")
	return dir, segs
}

// damageLines returns the DAMAGE lines of check's output.
func damageLines(stdout string) []string {
	var out []string
	for _, l := range lines(stdout) {
		if strings.HasPrefix(l, "DAMAGE") {
			out = append(out, l)
		}
	}
	return out
}

// TestInspectCheck_AgreesWithServer is finding 8: check reported a false "the segment
// before it ends at 0" after damage in an earlier segment, and said ok for a missing oldest
// or active segment that the server refuses to open. Each case is damaged on a copy of one
// multi-segment directory: check names the damaged file in exactly one DAMAGE line, and
// the server's store quarantines the shard at Open, its reads failing with an error naming
// the same file, or, for damage inside a sealed segment that Open does not read, the read
// that reaches it fails naming it.
func TestInspectCheck_AgreesWithServer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		damage  func(t *testing.T, segs []string) string // returns the file named
		refused bool                                     // the server's Open quarantines the shard
	}{
		{"first segment's batch", func(t *testing.T, segs []string) string {
			testutil.FlipByte(t, segs[0], segment.HeaderSize+30)
			return segs[0]
		}, false},
		{"oldest segment missing", func(t *testing.T, segs []string) string {
			require.NoError(t, os.Remove(segs[0]))
			return segs[0]
		}, true},
		{"middle segment missing", func(t *testing.T, segs []string) string {
			require.NoError(t, os.Remove(segs[2]))
			return segs[2]
		}, true},
		{"active segment missing", func(t *testing.T, segs []string) string {
			p := segs[len(segs)-1]
			require.NoError(t, os.Remove(p))
			return p
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, segs := multiSegmentDir(t)
			file := tt.damage(t, segs)
			code, stdout, stderr := runCmd(nil, "inspect", "check", dir)
			require.Equal(t, 1, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			damage := damageLines(stdout)
			require.Len(t, damage, 1, "DAMAGE lines:\n%s", stdout)
			require.Contains(t, damage[0], file)
			require.NotContains(t, stdout, "ends at 0")

			s, err := stream.Open(dir, multiSegmentOptions())
			require.NoError(t, err, "stream.Open quarantines a damaged shard and opens")
			defer s.Close()
			it, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "m", ShardID: "shardId-000000000000", Type: stream.TrimHorizon})
			require.NoError(t, err)
			_, err = s.GetRecords(&stream.GetRecordsRequest{ShardIterator: it}, nil)
			require.Error(t, err, "GetRecords of the damaged shard")
			require.Contains(t, err.Error(), file)
			var de *stream.DamagedShardError
			require.Equal(t, tt.refused, errors.As(err, &de), "shard quarantined at Open: %v", err)
			if !tt.refused {
				require.ErrorIs(t, err, segment.ErrCorrupt, "GetRecords from the damaged batch")
			}
		})
	}
}

// TestInspectCheck_AfterReshard: sealed parents, children and a deleted stream leave
// nothing that check takes for damage.
func TestInspectCheck_AfterReshard(t *testing.T) {
	dir, _ := multiSegmentDir(t)
	s, err := stream.Open(dir, multiSegmentOptions())
	require.NoError(t, err)
	require.NoError(t, s.SplitShard("m", "shardId-000000000000", "170141183460469231731687303715884105728"))
	require.NoError(t, s.MergeShards("m", "shardId-000000000001", "shardId-000000000002"))
	for i := range 5 {
		_, err := s.PutRecord(&stream.PutRecordRequest{StreamName: "m",
			Entry: stream.PutEntry{PartitionKey: fmt.Sprint(i), Data: []byte("after the reshard")}})
		require.NoError(t, err)
	}
	require.NoError(t, s.CreateStream("gone", stream.StreamConfig{ShardCount: 2}))
	_, err = s.PutRecord(&stream.PutRecordRequest{StreamName: "gone", Entry: stream.PutEntry{PartitionKey: "k", Data: []byte("x")}})
	require.NoError(t, err)
	require.NoError(t, s.DeleteStream("gone"))
	require.NoError(t, s.Close())

	code, stdout, stderr := runCmd(nil, "inspect", "check", dir)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	require.Contains(t, stdout, "checked 1 streams, 4 shards")
	require.Contains(t, stdout, "; 0 notes; ok")
}
