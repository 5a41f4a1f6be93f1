package stream_test

import (
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/stream"
)

// Helpers of the resharding tests: a consumer that follows shard lineage as the KCL does,
// and checks of what it read.

// readByLineage reads a whole stream as the KCL does: it starts at the shards open at the
// trim horizon, reads each shard from TRIM_HORIZON to its end (a closed shard) or until a
// read returns nothing (an open one), learns of children from GetRecords' ChildShards, and
// starts a child only once every parent it names is done. It returns the records in the
// order it read them, and fails the test if a shard is reached twice or a child's parents
// do not all lead to it.
func readByLineage(t testing.TB, s *stream.Store, name string) []record {
	t.Helper()
	start, _, err := s.ListShards(stream.ListShardsRequest{StreamName: name,
		Filter: &stream.ShardFilter{Type: stream.FilterAtTrimHorizon}})
	require.NoError(t, err)
	var queue []string
	for _, sh := range start {
		queue = append(queue, sh.ID)
	}
	done := map[string]bool{}
	waiting := map[string][]string{} // child → the parents it names
	var out []record
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		require.False(t, done[id], "shard %s reached twice", id)
		recs, kids := readShard(t, s, name, id)
		out = append(out, recs...)
		done[id] = true
		for _, k := range kids {
			parents := []string{k.ParentID}
			if k.AdjacentParentID != "" {
				parents = append(parents, k.AdjacentParentID)
			}
			require.Contains(t, parents, id, "child %s of %s does not name it", k.ID, id)
			waiting[k.ID] = parents
		}
		for _, child := range slices.Sorted(maps.Keys(waiting)) {
			if !slices.ContainsFunc(waiting[child], func(p string) bool { return !done[p] }) {
				queue = append(queue, child)
				delete(waiting, child)
			}
		}
	}
	require.Empty(t, waiting, "children whose parents never all ended")
	return out
}

// readShard reads one shard from TRIM_HORIZON: to its end if it is closed, returning its
// children, else until a read returns nothing. The sequence numbers it reads must increase.
func readShard(t testing.TB, s *stream.Store, name, id string) ([]record, []stream.ShardInfo) {
	t.Helper()
	it := iteratorAt(t, s, name, id, stream.TrimHorizon)
	var all []record
	for {
		recs, res := getRecords(t, s, it, 7)
		for _, r := range recs {
			if n := len(all); n > 0 {
				require.Equal(t, 1, r.seq.Compare(all[n-1].seq), "shard %s: sequence numbers go backwards", id)
			}
			all = append(all, r)
		}
		if res.NextShardIterator == "" {
			return all, res.ChildShards
		}
		require.Empty(t, res.ChildShards, "shard %s: children before its end", id)
		if len(recs) == 0 {
			return all, nil
		}
		it = res.NextShardIterator
	}
}

// keyedData is the data of the i-th record of a partition key: "key/i".
func keyedData(key string, i int) string { return key + "/" + strconv.Itoa(i) }

// requireExactlyOnceInOrder checks that recs hold, for each key of written, the records
// keyedData(key, 0) to keyedData(key, written[key]-1), each once and in that order.
func requireExactlyOnceInOrder(t testing.TB, recs []record, written map[string]int) {
	t.Helper()
	next := map[string]int{}
	for _, r := range recs {
		key, num, ok := strings.Cut(r.data, "/")
		require.True(t, ok, "record %q", r.data)
		require.Equal(t, key, r.key, "record %q under key %q", r.data, r.key)
		i, err := strconv.Atoi(num)
		require.NoError(t, err)
		require.Equal(t, next[key], i, "key %s: record %d read when %d was due", key, i, next[key])
		next[key]++
	}
	for key, n := range written {
		require.Equal(t, n, next[key], "key %s: records read", key)
	}
	require.Len(t, next, len(written), "keys read")
}

// requireOpenShardsCover checks that the open shards of a stream, as ListShards AT_LATEST
// returns them, cover the hash key space exactly once.
func requireOpenShardsCover(t testing.TB, s *stream.Store, name string) {
	t.Helper()
	open, _, err := s.ListShards(stream.ListShardsRequest{StreamName: name, Filter: &stream.ShardFilter{Type: stream.FilterAtLatest}})
	require.NoError(t, err)
	slices.SortFunc(open, func(a, b stream.ShardInfo) int { return a.HashKeyRange.Start.Compare(b.HashKeyRange.Start) })
	require.NotEmpty(t, open)
	require.Equal(t, kinesis.HashKey{}, open[0].HashKeyRange.Start)
	for i := 1; i < len(open); i++ {
		require.True(t, open[i-1].HashKeyRange.Adjacent(open[i].HashKeyRange), "open shards %s and %s", open[i-1].ID, open[i].ID)
	}
	require.Equal(t, kinesis.MaxHashKey, open[len(open)-1].HashKeyRange.End)
}

// copyDir copies the regular files under src to dst, as a crash would leave them.
func copyDir(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
	require.NoError(t, err)
}
