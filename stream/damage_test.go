package stream_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

// damageFixture makes a closed store in a new directory with stream "a" of two shards
// holding records, and returns the directory, the stream's directory and its options (whose
// logger writes into the returned buffer).
func damageFixture(t *testing.T) (dir, streamDir string, opts stream.Options, logs *bytes.Buffer) {
	t.Helper()
	dir = t.TempDir()
	c := newClock()
	opts = testOptions(c)
	s, err := stream.Open(dir, opts)
	require.NoError(t, err)
	mustCreate(t, s, "a", 2)
	for i := range 20 {
		put(t, s, "a", fmt.Sprint(i), "record")
	}
	require.NoError(t, s.Close())
	dirs, err := filepath.Glob(filepath.Join(dir, "streams", "a-*"))
	require.NoError(t, err)
	require.Len(t, dirs, 1)
	logs = &bytes.Buffer{}
	opts.Logger = slog.New(slog.NewTextHandler(logs, nil))
	return dir, dirs[0], opts, logs
}

// TestOpen_LostCatalogFile is finding 6: with its catalog file gone, a stream's directory
// was deleted at the next start. Now it is kept, byte for byte, and reported.
func TestOpen_LostCatalogFile(t *testing.T) {
	dir, streamDir, opts, logs := damageFixture(t)
	require.NoError(t, os.Remove(filepath.Join(dir, "catalog", "a.json")))
	before := testutil.TreeState(t, streamDir)

	s := mustOpenUnchecked(t, dir, opts)
	names, _, err := s.ListStreams(0, "", "")
	require.NoError(t, err)
	require.Empty(t, names, "a stream without its catalog file is not served")
	require.Equal(t, before, testutil.TreeState(t, streamDir), "the orphan stream directory changed")
	require.Contains(t, logs.String(), "level=WARN")
	require.Contains(t, logs.String(), "path="+streamDir)
	require.Regexp(t, `bytes=[1-9][0-9]*`, logs.String())

	// A new stream of the same name gets a new directory beside the orphan.
	mustCreate(t, s, "a", 1)
	require.Equal(t, before, testutil.TreeState(t, streamDir))
}

// TestOpen_DeletedStreamCleanedUp: a stream deleted while the store runs leaves nothing,
// and what a crash leaves between the catalog removal and the directory's removal (the
// marked directory) is removed at the next Open.
func TestOpen_DeletedStreamCleanedUp(t *testing.T) {
	dir, streamDir, opts, _ := damageFixture(t)
	s := mustOpenDir(t, dir, opts)
	require.NoError(t, s.DeleteStream("a"))
	_, err := os.Stat(streamDir)
	require.True(t, os.IsNotExist(err), "deleted stream's directory: %v", err)

	// The state a crash leaves inside remove: marked, no catalog file, files still there.
	require.NoError(t, os.MkdirAll(filepath.Join(streamDir, "shardId-000000000000"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(streamDir, stream.DeletedMarkerName), nil, 0o644))
	require.NoError(t, s.Close())
	mustOpenDir(t, dir, opts)
	_, err = os.Stat(streamDir)
	require.True(t, os.IsNotExist(err), "marked directory after Open: %v", err)
}

// TestOpen_UnknownFilesLeftAlone is finding 6: any unknown file or folder in streams/ was
// deleted at start. Unknown entries there and in the data directory are now kept and
// reported.
func TestOpen_UnknownFilesLeftAlone(t *testing.T) {
	dir, _, opts, logs := damageFixture(t)
	unknown := []string{
		filepath.Join(dir, "streams", "notes.txt"),
		filepath.Join(dir, "streams", "backup", "x"),
		filepath.Join(dir, "streams", "b-17", "shardId-000000000000", "x"), // looks like a stream
		filepath.Join(dir, "README"),
	}
	for _, p := range unknown {
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte("mine"), 0o644))
	}
	mustOpenUnchecked(t, dir, opts)
	for _, p := range unknown {
		b, err := os.ReadFile(p)
		require.NoError(t, err, "%s after Open", p)
		require.Equal(t, "mine", string(b))
	}
	for _, p := range []string{"streams/notes.txt", "streams/backup", "streams/b-17", "README"} {
		require.Contains(t, logs.String(), "path="+filepath.Join(dir, p), "reported")
	}
}

// TestOpen_LostShardFiles is finding 6: a deleted shard directory was recreated empty. A
// missing shard directory, manifest or segment of a stream in the catalog is now damage:
// the store opens, the damaged shard is quarantined (logged, nothing recreated, its reads
// and writes fail with a DamagedShardError naming the file), and the other shard works.
func TestOpen_LostShardFiles(t *testing.T) {
	tests := []struct {
		name string
		lose string // under the stream directory
		want error
	}{
		{"shard directory", "shardId-000000000001", shard.ErrMissingShard},
		{"manifest", "shardId-000000000001/manifest", shard.ErrMissingManifest},
		{"active segment", "shardId-000000000001/00000000000000000000.seg", shard.ErrMissingSegment},
		{"stream directory", "", shard.ErrMissingShard},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, streamDir, opts, logs := damageFixture(t)
			path := filepath.Join(streamDir, tt.lose)
			require.NoError(t, os.RemoveAll(path))
			s := mustOpenUnchecked(t, dir, opts)
			require.Contains(t, logs.String(), "level=ERROR msg=\"stream: shard quarantined")
			require.Contains(t, logs.String(), path)

			var de *stream.DamagedShardError
			_, err := s.PutRecord(&stream.PutRecordRequest{StreamName: "a",
				Entry: stream.PutEntry{PartitionKey: "k", ExplicitHashKey: maxHashKey, Data: []byte("x")}})
			require.ErrorAs(t, err, &de, "PutRecord to the damaged shard")
			require.ErrorIs(t, err, tt.want)
			require.Equal(t, "shardId-000000000001", de.ShardID)
			require.Equal(t, kinesis.TypeInternalFailure, de.ErrorType())
			require.Contains(t, err.Error(), path)

			it, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "a", ShardID: "shardId-000000000001", Type: stream.TrimHorizon})
			require.NoError(t, err)
			_, err = s.GetRecords(&stream.GetRecordsRequest{ShardIterator: it}, nil)
			require.ErrorAs(t, err, &de, "GetRecords of the damaged shard")

			if tt.lose != "" {
				res, err := s.PutRecord(&stream.PutRecordRequest{StreamName: "a",
					Entry: stream.PutEntry{PartitionKey: "k", ExplicitHashKey: "0", Data: []byte("x")}})
				require.NoError(t, err, "PutRecord to the good shard")
				require.Equal(t, "shardId-000000000000", res.ShardID)
			}
			require.NoError(t, s.Close())
			_, err = os.Stat(path)
			require.True(t, os.IsNotExist(err), "the store recreated %s", path)
		})
	}
}

const maxHashKey = "340282366920938463463374607431768211455"
