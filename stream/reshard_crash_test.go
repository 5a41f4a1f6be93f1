package stream_test

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/stream"
)

// errCrash stops a reshard where the fault hook is set to fail, as a crash would.
var errCrash = errors.New("crash")

// crashCases are the reshards the crash tests interrupt at every step.
var crashCases = []struct {
	name   string
	shards int
	do     func(s *stream.Store) error
}{
	{"split", 2, func(s *stream.Store) error {
		return s.SplitShard("a", "shardId-000000000000", "85070591730234615865843651857942052864") // 2^126
	}},
	{"merge", 3, func(s *stream.Store) error { return s.MergeShards("a", "shardId-000000000001", "shardId-000000000002") }},
	{"scale 3 to 4", 3, func(s *stream.Store) error { _, err := s.UpdateShardCount("a", 4); return err }},
	{"scale 4 to 3", 4, func(s *stream.Store) error { _, err := s.UpdateShardCount("a", 3); return err }},
}

// crashOptions are the options of the crash tests: small preallocated segments, so that
// copying a data directory is cheap, and reshards carried out at once.
func crashOptions(c *clock) stream.Options {
	opts := testOptions(c)
	opts.Shard.PreallocateBytes = 64 << 10
	return opts
}

// writeKeyed writes n records over keys k0 to k5, in PutRecords calls of up to 4 records,
// continuing the count of written, which it updates.
func writeKeyed(t testing.TB, s *stream.Store, name string, n int, written map[string]int) {
	t.Helper()
	for n > 0 {
		var entries []stream.PutEntry
		for range min(n, 4) {
			key := fmt.Sprintf("k%d", (len(entries)*5+n)%6)
			entries = append(entries, stream.PutEntry{PartitionKey: key, Data: []byte(keyedData(key, written[key]))})
			written[key]++
			n--
		}
		res, err := s.PutRecords(&stream.PutRecordsRequest{StreamName: name, Entries: entries}, nil)
		require.NoError(t, err)
		for _, r := range res {
			require.Empty(t, r.ErrorCode, r.ErrorMessage)
		}
	}
}

// crashRun writes records to a stream in dir and reshards it. With stopAt > 0 the reshard
// stops after its stopAt-th step: a copy of dir is taken into image at that moment, as a
// crash would leave it, and the store, whose every later step fails, is closed. It returns
// the steps the reshard went through and the records written.
func crashRun(t *testing.T, dir, image string, stopAt, shards int, do func(*stream.Store) error) ([]string, map[string]int) {
	t.Helper()
	s, err := stream.Open(dir, crashOptions(newClock()))
	require.NoError(t, err)
	defer s.Close()
	var steps []string
	s.SetReshardFaults(func(step string) error {
		if stopAt > 0 && len(steps) >= stopAt {
			return errCrash // the crashed process does nothing more
		}
		steps = append(steps, step)
		if len(steps) == stopAt {
			copyDir(t, dir, image)
			return errCrash
		}
		return nil
	})
	mustCreate(t, s, "a", shards)
	written := map[string]int{}
	writeKeyed(t, s, "a", 30, written)
	require.NoError(t, do(s))
	if stopAt > 0 {
		// Stopped half way: the stream is still UPDATING, its parents own their keys, and
		// it stays readable.
		info, err := s.DescribeStreamSummary("a")
		require.NoError(t, err)
		require.Equal(t, stream.StatusUpdating, info.Status)
		require.Equal(t, shards, info.OpenShardCount())
		requireOpenShardsCover(t, s, "a")
		requireExactlyOnceInOrder(t, readByLineage(t, s, "a"), written)
	}
	require.NoError(t, s.Close())
	return steps, written
}

// TestStore_Reshard_CrashAtEveryStep stops each kind of reshard after each of its steps,
// then opens the data directory as the stopped store left it, and as a copy taken at the
// moment it stopped (a crash image: the shard logs not closed cleanly). Either way, Open
// finishes the reshard, with the very shards an uninterrupted reshard makes, and every
// record is read back once, in order per key, following the lineage.
func TestStore_Reshard_CrashAtEveryStep(t *testing.T) {
	for _, tc := range crashCases {
		t.Run(tc.name, func(t *testing.T) {
			refDir := t.TempDir()
			steps, _ := crashRun(t, refDir, "", 0, tc.shards, tc.do)
			t.Logf("steps: %q", steps)
			require.GreaterOrEqual(t, len(steps), 5, "due, start, seal, open children, seal intermediates")
			want := finalShards(t, refDir)
			for k := 1; k <= len(steps); k++ {
				t.Run(fmt.Sprintf("after %s", steps[k-1]), func(t *testing.T) {
					dir, image := t.TempDir(), filepath.Join(t.TempDir(), "image")
					_, before := crashRun(t, dir, image, k, tc.shards, tc.do)
					dirs := []string{dir, image}
					if testing.Short() {
						dirs = dirs[1:] // the crash image only
					}
					for _, d := range dirs {
						s := mustOpenDir(t, d, crashOptions(advanced(5*time.Second)))
						info, _, err := s.DescribeStream("a", 0, "")
						require.NoError(t, err)
						require.Equal(t, stream.StatusActive, info.Status, d)
						if k == 1 {
							// Stopped before it started: it is carried out at the time of Open.
							require.Equal(t, shiftTimes(want, 5), info.Shards, "%s: the shards the reshard makes 5s later", d)
						} else {
							require.Equal(t, want, info.Shards, "%s: the shards an uninterrupted reshard makes", d)
						}
						requireOpenShardsCover(t, s, "a")
						written := maps.Clone(before)
						writeKeyed(t, s, "a", 12, written)
						requireExactlyOnceInOrder(t, readByLineage(t, s, "a"), written)
						require.NoError(t, s.Close())
					}
				})
			}
		})
	}
}

// finalShards opens the store in dir and returns its stream's shards.
func finalShards(t *testing.T, dir string) []stream.ShardInfo {
	t.Helper()
	s := mustOpenDir(t, dir, crashOptions(newClock()))
	info, _, err := s.DescribeStream("a", 0, "")
	require.NoError(t, err)
	require.Equal(t, stream.StatusActive, info.Status)
	require.NoError(t, s.Close())
	return info.Shards
}

// shiftTimes returns shards with the close times of closed shards and the creation times of
// shards made by a reshard (those with a parent) moved sec seconds on.
func shiftTimes(shards []stream.ShardInfo, sec int64) []stream.ShardInfo {
	out := slices.Clone(shards)
	for i := range out {
		if out[i].Closed {
			out[i].ClosedSec += sec
		}
		if out[i].ParentID != "" {
			out[i].CreatedSec += sec
		}
	}
	return out
}

// advanced returns a clock d after the test clock's start.
func advanced(d time.Duration) *clock {
	c := newClock()
	c.Advance(d)
	return c
}
