//go:build linux

package stream_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/durable"
	"github.com/shardlog/shardlog/internal/powerloss"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

// syncLog is a durable.Watcher that keeps the path of every sync under root.
type syncLog struct {
	root  string
	mu    sync.Mutex
	paths []string
}

func watchSyncs(t *testing.T, root string) *syncLog {
	l := &syncLog{root: root}
	t.Cleanup(durable.Watch(l))
	return l
}

func (l *syncLog) Syncing(fd int, dir string) (func(error), error) {
	path := dir
	if path == "" {
		path, _ = os.Readlink("/proc/self/fd/" + strconv.Itoa(fd))
	}
	if path == l.root || strings.HasPrefix(path, l.root+"/") {
		l.mu.Lock()
		l.paths = append(l.paths, path)
		l.mu.Unlock()
	}
	return nil, nil
}

// take returns the paths seen since the last take.
func (l *syncLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.paths
	l.paths = nil
	return p
}

// cycle creates a stream of two shards, writes to it, and deletes it: what a test does.
func cycle(t *testing.T, s *stream.Store, name string) {
	t.Helper()
	require.NoError(t, s.CreateStream(name, stream.StreamConfig{ShardCount: 2}))
	for i := range 4 {
		_, err := s.PutRecord(&stream.PutRecordRequest{StreamName: name,
			Entry: stream.PutEntry{PartitionKey: strconv.Itoa(i), Data: []byte("record")}})
		require.NoError(t, err)
	}
	require.NoError(t, s.DeleteStream(name))
}

// TestStore_Ephemeral_SyncsNothing: an Ephemeral store syncs nothing under its directory,
// from Open to Close, even with Sync always; the same work on a durable store syncs.
func TestStore_Ephemeral_SyncsNothing(t *testing.T) {
	for _, tc := range []struct {
		name      string
		ephemeral bool
	}{{"durable", false}, {"ephemeral", true}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := powerloss.TempDir(t)
			syncs := watchSyncs(t, dir)
			opts := testOptions(newClock())
			opts.Shard.Sync, opts.Ephemeral = shard.SyncAlways, tc.ephemeral
			s, err := stream.Open(dir, opts)
			require.NoError(t, err)
			cycle(t, s, "first")
			require.NoError(t, s.CreateStream("kept", stream.StreamConfig{ShardCount: 1}))
			_, err = s.PutRecord(&stream.PutRecordRequest{StreamName: "kept",
				Entry: stream.PutEntry{PartitionKey: "k", Data: []byte("kept")}})
			require.NoError(t, err)
			require.NoError(t, s.Close())
			got := syncs.take()
			if tc.ephemeral {
				require.Empty(t, got, "syncs of an ephemeral store")
			} else {
				require.NotEmpty(t, got, "syncs of a durable store")
			}
			requireCheckClean(t, dir) // a clean Close leaves a sound directory either way
		})
	}
}

// TestStore_DeleteStream_SyncsOnlyTheDeletion: DeleteStream makes the deletion durable
// (the DELETING status, the deleted mark, the catalog file's removal) and syncs nothing else: nothing inside the shard
// directories, whose files it removes (no cut and sync of the segment, no index, no
// clean-shutdown manifest), nor the removal of the files, which Open finishes after a crash.
func TestStore_DeleteStream_SyncsOnlyTheDeletion(t *testing.T) {
	dir := powerloss.TempDir(t)
	opts := testOptions(newClock())
	opts.Shard.Sync = shard.SyncAlways
	s := mustOpenDir(t, dir, opts)
	require.NoError(t, s.CreateStream("doomed", stream.StreamConfig{ShardCount: 2}))
	for i := range 4 {
		_, err := s.PutRecord(&stream.PutRecordRequest{StreamName: "doomed",
			Entry: stream.PutEntry{PartitionKey: strconv.Itoa(i), Data: []byte("record")}})
		require.NoError(t, err)
	}
	shardDirs, err := filepath.Glob(filepath.Join(dir, "streams", "doomed-*", "shardId-*"))
	require.NoError(t, err)
	require.Len(t, shardDirs, 2)

	syncs := watchSyncs(t, dir)
	require.NoError(t, s.DeleteStream("doomed"))
	got := syncs.take()
	streamDir := filepath.Dir(shardDirs[0])
	catalog := filepath.Join(dir, "catalog")
	require.Equal(t, []string{
		filepath.Join(catalog, "doomed.json.tmp"), catalog, // DELETING
		filepath.Join(streamDir, stream.DeletedMarkerName+".tmp"), streamDir, // the mark
		catalog, // the catalog file removed
	}, got, "the syncs of DeleteStream")
	for _, p := range got {
		for _, sd := range shardDirs {
			if p == sd || strings.HasPrefix(p, sd+"/") {
				t.Errorf("DeleteStream synced %s, inside the shard directory %s that it removes", p, sd)
			}
		}
	}
	_, err = os.Stat(filepath.Dir(shardDirs[0]))
	require.ErrorIs(t, err, os.ErrNotExist)
}
