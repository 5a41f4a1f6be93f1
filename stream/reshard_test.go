package stream_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/stream"
)

const half = "170141183460469231731687303715884105728" // 2^127, the start of shard 1 of 2

// iteratorAt returns an iterator of the given type on a shard.
func iteratorAt(t testing.TB, s *stream.Store, name, shardID string, typ stream.IteratorType) string {
	t.Helper()
	it, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: name, ShardID: shardID, Type: typ})
	require.NoError(t, err)
	return it
}

// readToEnd reads a closed shard from its trim horizon to its end, and returns the data read
// and the ChildShards of the last response.
func readToEnd(t testing.TB, s *stream.Store, name, shardID string) (string, []string) {
	t.Helper()
	it := iteratorAt(t, s, name, shardID, stream.TrimHorizon)
	var all []record
	for range 100 {
		recs, res := getRecords(t, s, it, 2)
		all = append(all, recs...)
		if res.NextShardIterator == "" {
			return dataOf(all), shardIDs(res.ChildShards)
		}
		it = res.NextShardIterator
	}
	t.Fatalf("shard %s: no end after 100 reads", shardID)
	return "", nil
}

func TestStore_SplitShard(t *testing.T) {
	c := newClock()
	opts := testOptions(c)
	opts.UpdateDelay = 500 * time.Millisecond
	s := mustOpen(t, opts)
	mustCreate(t, s, "a", 1)
	put(t, s, "a", "k", "p0")
	latest := iteratorAt(t, s, "a", "shardId-0", stream.Latest)

	require.NoError(t, s.SplitShard("a", "shardId-000000000000", half))
	info, err := s.DescribeStreamSummary("a")
	require.NoError(t, err)
	require.Equal(t, stream.StatusUpdating, info.Status)
	requireKinesisError(t, s.SplitShard("a", "shardId-000000000000", half), kinesis.TypeResourceInUse,
		"Stream a under account "+acct+" not ACTIVE, instead in state UPDATING")
	r := put(t, s, "a", "k", "p1")
	require.Equal(t, "shardId-000000000000", r.ShardID, "the parent takes writes while UPDATING")

	c.Advance(time.Second)
	info, more, err := s.DescribeStream("a", 0, "")
	require.NoError(t, err)
	require.False(t, more)
	require.Equal(t, stream.StatusActive, info.Status)
	require.Len(t, info.Shards, 3)
	parent, first, second := info.Shards[0], info.Shards[1], info.Shards[2]
	require.True(t, parent.Closed)
	require.Equal(t, uint64(2), parent.EndOffset)
	end, ok := parent.EndingSequenceNumber()
	require.True(t, ok)
	require.Equal(t, kinesis.EndingSequenceNumber(t0/1000, 0, t0/1000+1), end)
	require.Equal(t, "shardId-000000000001", first.ID)
	require.Equal(t, "shardId-000000000000", first.ParentID)
	require.Equal(t, "shardId-000000000000", second.ParentID)
	require.Empty(t, first.AdjacentParentID)
	require.Equal(t, kinesis.HashKeyRange{Start: kinesis.HashKey{}, End: kinesis.HashKey{Hi: 1<<63 - 1, Lo: 1<<64 - 1}}, first.HashKeyRange)
	require.Equal(t, half, second.HashKeyRange.Start.String())
	require.Equal(t, parent.ClosedSec+1, first.CreatedSec)

	// Writes go to the children, and sort after every parent number.
	r0, r1 := put(t, s, "a", "a", "c1"), put(t, s, "a", "e", "c2") // MD5: a in the low half, e in the high one
	require.Equal(t, "shardId-000000000001", r0.ShardID)
	require.Equal(t, "shardId-000000000002", r1.ShardID)
	require.Equal(t, 1, r0.SequenceNumber.Compare(end))

	// The parent reads to its end, then has no next iterator and names its children.
	data, kids := readToEnd(t, s, "a", "shardId-000000000000")
	require.Equal(t, "p0p1", data)
	require.Equal(t, []string{"shardId-000000000001", "shardId-000000000002"}, kids)
	recs, res := getRecords(t, s, latest, 0) // issued before the split, at the parent's end
	require.Equal(t, "p1", dataOf(recs))
	require.Empty(t, res.NextShardIterator)
	require.Len(t, res.ChildShards, 2)
	recs, res = getRecords(t, s, iteratorAt(t, s, "a", "shardId-0", stream.Latest), 0)
	require.Empty(t, recs)
	require.Empty(t, res.NextShardIterator, "LATEST on a closed shard is its end")
	it, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "a", ShardID: "shardId-0",
		Type: stream.AtSequenceNumber, StartingSequenceNumber: end.String()})
	require.NoError(t, err)
	_, res = getRecords(t, s, it, 0)
	require.Empty(t, res.NextShardIterator, "the EndingSequenceNumber is past the last record")

	shards, _, err := s.ListShards(stream.ListShardsRequest{StreamName: "a", Filter: &stream.ShardFilter{Type: stream.FilterAtLatest}})
	require.NoError(t, err)
	require.Equal(t, []string{"shardId-000000000001", "shardId-000000000002"}, shardIDs(shards))
}

func TestStore_SplitShard_Errors(t *testing.T) {
	opts := testOptions(newClock())
	opts.ShardLimit = 3
	s := mustOpen(t, opts)
	mustCreate(t, s, "a", 2)
	require.NoError(t, s.SplitShard("a", "shardId-1", "200000000000000000000000000000000000000"))
	in := " in stream a under account " + acct
	tests := []struct {
		name, stream, shard, key string
		typ, msg                 string
	}{
		{"shard id does not parse", "a", "shard-x", "5", kinesis.TypeResourceNotFound, "Could not find shard shard-x" + in + "."},
		{"no stream", "b", "shardId-0", "5", kinesis.TypeResourceNotFound, "Stream b under account " + acct + " not found."},
		{"no shard", "a", "shardId-9", "5", kinesis.TypeResourceNotFound, "Could not find shard shardId-000000000009" + in + "."},
		{"closed shard", "a", "shardId-1", "5", kinesis.TypeInvalidArgument,
			"Shard shardId-000000000001" + in + " has already been merged or split, and thus is not eligible for merging or splitting."},
		{"over the limit", "a", "shardId-0", "5", kinesis.TypeLimitExceeded, "This request would exceed the shard limit for the account " + acct +
			" in " + region + ". Current shard count for the account: 3. Limit: 3. Number of additional shards that would have resulted " +
			"from this request: 1. Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) " +
			"for current limits and how to request higher limits."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireKinesisError(t, s.SplitShard(tt.stream, tt.shard, tt.key), tt.typ, tt.msg)
		})
	}

	opts.ShardLimit = 10
	s = mustOpen(t, opts)
	mustCreate(t, s, "a", 2)
	for _, key := range []string{"0", "1", half, "340282366920938463463374607431768211455", "340282366920938463463374607431768211456"} {
		requireKinesisError(t, s.SplitShard("a", "shardId-1", key), kinesis.TypeInvalidArgument, "NewStartingHashKey "+key+
			" used in SplitShard() on shard shardId-000000000001"+in+" is not both greater than one plus the shard's StartingHashKey "+
			half+" and less than the shard's EndingHashKey 340282366920938463463374607431768211455.")
	}
}

func TestStore_MergeShards(t *testing.T) {
	s := mustOpen(t, testOptions(newClock()))
	mustCreate(t, s, "a", 3)
	put(t, s, "a", "a", "x0") // shard 0
	put(t, s, "a", "b", "x1") // shard 1
	in := " in stream a under account " + acct
	notAdjacent := func(a, b string) string {
		return "Shards " + a + " and " + b + in + " are not an adjacent pair of shards eligible for merging"
	}
	requireKinesisError(t, s.MergeShards("a", "shardId-1", "shardId-0"), kinesis.TypeInvalidArgument,
		notAdjacent("shardId-000000000001", "shardId-000000000000"))
	requireKinesisError(t, s.MergeShards("a", "shardId-0", "shardId-2"), kinesis.TypeInvalidArgument,
		notAdjacent("shardId-000000000000", "shardId-000000000002"))
	requireKinesisError(t, s.MergeShards("a", "shardId-0", "shardId-7"), kinesis.TypeResourceNotFound,
		"Could not find shard shardId-000000000007"+in+".")
	requireKinesisError(t, s.MergeShards("a", "x", "shardId-1"), kinesis.TypeResourceNotFound, "Could not find shard x"+in+".")

	require.NoError(t, s.MergeShards("a", "shardId-0", "shardId-1"))
	requireKinesisError(t, s.MergeShards("a", "shardId-1", "shardId-2"), kinesis.TypeInvalidArgument,
		"Shard shardId-000000000001"+in+" has already been merged or split, and thus is not eligible for merging or splitting.")
	info, err := s.DescribeStreamSummary("a")
	require.NoError(t, err)
	require.Equal(t, 2, info.OpenShardCount())
	child := info.Shards[3]
	require.Equal(t, "shardId-000000000003", child.ID)
	require.Equal(t, "shardId-000000000000", child.ParentID)
	require.Equal(t, "shardId-000000000001", child.AdjacentParentID)
	require.Equal(t, kinesis.HashKey{}, child.HashKeyRange.Start)
	require.Equal(t, info.Shards[1].HashKeyRange.End, child.HashKeyRange.End)
	for i, want := range []string{"x0", "x1"} {
		data, kids := readToEnd(t, s, "a", kinesis.ShardID(i))
		require.Equal(t, want, data)
		require.Equal(t, []string{"shardId-000000000003"}, kids)
	}
	require.Equal(t, "shardId-000000000003", put(t, s, "a", "a", "y").ShardID)
}

func TestStore_UpdateShardCount(t *testing.T) {
	c := newClock()
	s := mustOpen(t, testOptions(c))
	mustCreate(t, s, "a", 4)
	tests := []struct {
		target int
		typ    string
		msg    string
	}{
		{9, kinesis.TypeInvalidArgument, "Cannot update shard count beyond 2x current shard count"},
		{1, kinesis.TypeInvalidArgument, "Cannot update shard count below 50% of the current shard count"},
		{10001, kinesis.TypeInvalidArgument, "Cannot scale a stream beyond 10000 shards"},
	}
	for _, tt := range tests {
		_, err := s.UpdateShardCount("a", tt.target)
		requireKinesisError(t, err, tt.typ, tt.msg)
	}
	current, err := s.UpdateShardCount("a", 4)
	require.NoError(t, err)
	require.Equal(t, 4, current)
	info, err := s.DescribeStreamSummary("a")
	require.NoError(t, err)
	require.Len(t, info.Shards, 4, "the same even layout changes nothing")

	for i := range 4 {
		put(t, s, "a", "k", fmt.Sprint(i))
	}
	current, err = s.UpdateShardCount("a", 3)
	require.NoError(t, err)
	require.Equal(t, 4, current)
	info, err = s.DescribeStreamSummary("a")
	require.NoError(t, err)
	require.Equal(t, 3, info.OpenShardCount())
	// 4 to 3 shards: shards 1 and 2 are split at the new boundaries (into the intermediate
	// shards 4 to 7), then each new range's pieces are merged.
	u := kinesis.UniformHashKeyRanges(3)
	want := []struct {
		id, parent, adjacent string
		closed               bool
		rng                  kinesis.HashKeyRange
	}{
		{"shardId-000000000004", "shardId-000000000001", "", true, kinesis.HashKeyRange{Start: info.Shards[1].HashKeyRange.Start, End: u[0].End}},
		{"shardId-000000000005", "shardId-000000000001", "", true, kinesis.HashKeyRange{Start: u[1].Start, End: info.Shards[1].HashKeyRange.End}},
		{"shardId-000000000006", "shardId-000000000002", "", true, kinesis.HashKeyRange{Start: info.Shards[2].HashKeyRange.Start, End: u[1].End}},
		{"shardId-000000000007", "shardId-000000000002", "", true, kinesis.HashKeyRange{Start: u[2].Start, End: info.Shards[2].HashKeyRange.End}},
		{"shardId-000000000008", "shardId-000000000000", "shardId-000000000004", false, u[0]},
		{"shardId-000000000009", "shardId-000000000005", "shardId-000000000006", false, u[1]},
		{"shardId-000000000010", "shardId-000000000007", "shardId-000000000003", false, u[2]},
	}
	require.Len(t, info.Shards, 4+len(want))
	for i, w := range want {
		sh := info.Shards[4+i]
		require.Equal(t, w.id, sh.ID)
		require.Equal(t, w.parent, sh.ParentID, "%s parent", sh.ID)
		require.Equal(t, w.adjacent, sh.AdjacentParentID, "%s adjacent parent", sh.ID)
		require.Equal(t, w.closed, sh.Closed, "%s closed", sh.ID)
		require.Equal(t, w.rng, sh.HashKeyRange, "%s range", sh.ID)
	}
	_, children := readToEnd(t, s, "a", "shardId-000000000001")
	require.Equal(t, []string{"shardId-000000000004", "shardId-000000000005"}, children)
	_, children = readToEnd(t, s, "a", "shardId-000000000004")
	require.Equal(t, []string{"shardId-000000000008"}, children, "an intermediate shard is empty and closed")

	// Ten scalings a day, counting the one above.
	for i := range 9 {
		_, err := s.UpdateShardCount("a", 2+i%2*2)
		require.NoError(t, err, "scaling %d", i+2)
	}
	_, err = s.UpdateShardCount("a", 3)
	requireKinesisError(t, err, kinesis.TypeLimitExceeded, "Cannot run UpdateShardCount more than 10 times in a 24 hour period")
	c.Advance(24 * time.Hour)
	_, err = s.UpdateShardCount("a", 3)
	require.NoError(t, err)
}

// TestStore_Reshard_ListShardsFilters checks the ShardFilter types on a stream with closed
// and open shards.
func TestStore_Reshard_ListShardsFilters(t *testing.T) {
	c := newClock()
	s := mustOpen(t, testOptions(c))
	mustCreate(t, s, "a", 2)
	c.Advance(time.Hour)
	require.NoError(t, s.SplitShard("a", "shardId-0", "5"))
	closedAt := c.Ms()
	c.Advance(time.Hour)
	tests := []struct {
		filter stream.ShardFilter
		want   []string
	}{
		{stream.ShardFilter{Type: stream.FilterFromTrimHorizon}, []string{"shardId-000000000000", "shardId-000000000001", "shardId-000000000002", "shardId-000000000003"}},
		{stream.ShardFilter{Type: stream.FilterAtTrimHorizon}, []string{"shardId-000000000000", "shardId-000000000001"}},
		{stream.ShardFilter{Type: stream.FilterAtLatest}, []string{"shardId-000000000001", "shardId-000000000002", "shardId-000000000003"}},
		{stream.ShardFilter{Type: stream.FilterAtTimestamp, Timestamp: time.UnixMilli(closedAt - 1000)}, []string{"shardId-000000000000", "shardId-000000000001"}},
		{stream.ShardFilter{Type: stream.FilterAtTimestamp, Timestamp: time.UnixMilli(closedAt + 2000)}, []string{"shardId-000000000001", "shardId-000000000002", "shardId-000000000003"}},
		{stream.ShardFilter{Type: stream.FilterFromTimestamp, Timestamp: time.UnixMilli(closedAt - 1000)}, []string{"shardId-000000000000", "shardId-000000000001", "shardId-000000000002", "shardId-000000000003"}},
		{stream.ShardFilter{Type: stream.FilterFromTimestamp, Timestamp: time.UnixMilli(closedAt + 2000)}, []string{"shardId-000000000001", "shardId-000000000002", "shardId-000000000003"}},
		{stream.ShardFilter{Type: stream.FilterAfterShardID, ShardID: "shardId-000000000001"}, []string{"shardId-000000000002", "shardId-000000000003"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.filter.Type), func(t *testing.T) {
			shards, _, err := s.ListShards(stream.ListShardsRequest{StreamName: "a", Filter: &tt.filter})
			require.NoError(t, err)
			require.Equal(t, tt.want, shardIDs(shards))
		})
	}
}

// TestStore_Reshard_ClosedShardExpires checks that a closed shard disappears once its
// records have all expired: from listings at once, from disk at the next retention pass.
func TestStore_Reshard_ClosedShardExpires(t *testing.T) {
	c := newClock()
	dir := t.TempDir()
	s := mustOpenDir(t, dir, testOptions(c))
	mustCreate(t, s, "a", 1)
	put(t, s, "a", "k", "x")
	require.NoError(t, s.SplitShard("a", "shardId-0", "5"))
	c.Advance(24*time.Hour + 999*time.Millisecond) // the end of the close second, 24 hours on
	info, _, err := s.DescribeStream("a", 0, "")
	require.NoError(t, err)
	require.Len(t, info.Shards, 3, "the parent still has unexpired records")

	c.Advance(time.Millisecond)
	info, _, err = s.DescribeStream("a", 0, "")
	require.NoError(t, err)
	require.Equal(t, []string{"shardId-000000000001", "shardId-000000000002"}, shardIDs(info.Shards))
	_, err = s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "a", ShardID: "shardId-0", Type: stream.TrimHorizon})
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, "Shard shardId-000000000000 in stream a under account "+acct+" does not exist")

	parentDir := func() error {
		m, err := filepath.Glob(filepath.Join(dir, "streams", "a-*", "shardId-000000000000"))
		require.NoError(t, err)
		require.LessOrEqual(t, len(m), 1)
		if len(m) == 0 {
			return os.ErrNotExist
		}
		return nil
	}
	require.NoError(t, parentDir())
	s.Expire()
	require.ErrorIs(t, parentDir(), os.ErrNotExist)
	summary, err := s.DescribeStreamSummary("a")
	require.NoError(t, err)
	require.Len(t, summary.Shards, 2, "the catalog forgot the shard")
}

// TestStore_Reshard_Restart restarts a store with a reshard pending and after one: the
// reshard is carried out at Open, and closed shards stay closed and readable.
func TestStore_Reshard_Restart(t *testing.T) {
	c := newClock()
	dir := t.TempDir()
	opts := testOptions(c)
	opts.UpdateDelay = time.Second
	s, err := stream.Open(dir, opts)
	require.NoError(t, err)
	mustCreate(t, s, "a", 2)
	put(t, s, "a", "a", "x")
	require.NoError(t, s.MergeShards("a", "shardId-0", "shardId-1"))
	require.NoError(t, s.Close())

	c.Advance(time.Second)
	s = mustOpenDir(t, dir, opts)
	info, err := s.DescribeStreamSummary("a")
	require.NoError(t, err)
	require.Equal(t, stream.StatusActive, info.Status)
	require.Equal(t, 1, info.OpenShardCount())
	require.Equal(t, "shardId-000000000002", put(t, s, "a", "a", "y").ShardID)
	require.NoError(t, s.Close())

	s = mustOpenDir(t, dir, opts)
	data, kids := readToEnd(t, s, "a", "shardId-0")
	require.Equal(t, "x", data)
	require.Equal(t, []string{"shardId-000000000002"}, kids)
	_, err = s.PutRecord(&stream.PutRecordRequest{StreamName: "a", Entry: stream.PutEntry{PartitionKey: "a"}})
	require.NoError(t, err)
}

// TestStore_Reshard_ConcurrentWrites splits shards while writers are busy: no record fails,
// and every record is read back once, parents before children.
func TestStore_Reshard_ConcurrentWrites(t *testing.T) {
	s := mustOpen(t, testOptions(newClock()))
	mustCreate(t, s, "a", 1)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var mu sync.Mutex
	written := 0
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				entries := []stream.PutEntry{{PartitionKey: fmt.Sprint(w, i)}, {PartitionKey: fmt.Sprint(i, w)}}
				res, err := s.PutRecords(&stream.PutRecordsRequest{StreamName: "a", Entries: entries}, nil)
				if err != nil {
					t.Error(err)
					return
				}
				for _, r := range res {
					if r.ErrorCode != "" {
						t.Errorf("record failed: %s %s", r.ErrorCode, r.ErrorMessage)
					}
				}
				mu.Lock()
				written += len(res)
				mu.Unlock()
			}
		}()
	}
	require.NoError(t, s.SplitShard("a", "shardId-0", half))
	require.NoError(t, s.SplitShard("a", "shardId-1", "5"))
	mu.Lock()
	after := written + 3*2*10 // ten more requests of each writer, on the new shards
	mu.Unlock()
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return written >= after
	}, 10*time.Second, time.Millisecond, "writes after the splits")
	close(stop)
	wg.Wait()

	info, err := s.DescribeStreamSummary("a")
	require.NoError(t, err)
	read := 0
	for _, sh := range info.Shards {
		it := iteratorAt(t, s, "a", sh.ID, stream.TrimHorizon)
		for it != "" {
			recs, res := getRecords(t, s, it, 0)
			read += len(recs)
			if len(recs) == 0 && !sh.Closed {
				break
			}
			it = res.NextShardIterator
		}
	}
	require.Equal(t, written, read)
}

// TestStore_Reshard_FailedStepIsRetried fails the last step of a split: while it fails the
// stream stays UPDATING and readable, its parent owning its keys, and once the failure
// passes the next request carries the reshard out, including a write that found the parent
// sealed.
func TestStore_Reshard_FailedStepIsRetried(t *testing.T) {
	s := mustOpen(t, crashOptions(newClock()))
	var mu sync.Mutex
	failures := 0
	fail := func(n int) {
		mu.Lock()
		failures = n
		mu.Unlock()
	}
	s.SetReshardFaults(func(step string) error {
		mu.Lock()
		defer mu.Unlock()
		if step == "seal intermediates" && failures != 0 {
			failures-- // from -1 on, it fails for good
			return errCrash
		}
		return nil
	})
	mustCreate(t, s, "a", 1)
	put(t, s, "a", "a", keyedData("a", 0))
	fail(-1)
	require.NoError(t, s.SplitShard("a", "shardId-0", half))
	info, _, err := s.DescribeStream("a", 0, "")
	require.NoError(t, err)
	require.Equal(t, stream.StatusUpdating, info.Status)
	require.Len(t, info.Shards, 1, "the parent owns its keys until the reshard is done")
	recs, kids := readShard(t, s, "a", "shardId-000000000000")
	require.Equal(t, keyedData("a", 0), dataOf(recs))
	require.Empty(t, kids)

	fail(1) // the write finds the parent sealed and waits for the maintenance loop: its first attempt fails, the next carries it out
	r := put(t, s, "a", "a", keyedData("a", 1))
	require.Equal(t, "shardId-000000000001", r.ShardID)
	info, _, err = s.DescribeStream("a", 0, "")
	require.NoError(t, err)
	require.Equal(t, stream.StatusActive, info.Status)
	require.Len(t, info.Shards, 3)
	requireExactlyOnceInOrder(t, readByLineage(t, s, "a"), map[string]int{"a": 2})
}

// TestStore_Reshard_PendingReshardHoldsShards checks that the shards a pending reshard will
// add count against the shard limit, so that reshards and new streams cannot together go
// over it.
func TestStore_Reshard_PendingReshardHoldsShards(t *testing.T) {
	c := newClock()
	opts := testOptions(c)
	opts.ShardLimit, opts.UpdateDelay = 5, time.Second
	s := mustOpen(t, opts)
	mustCreate(t, s, "a", 2)
	_, err := s.UpdateShardCount("a", 4)
	require.NoError(t, err)
	limit := func(current, added int) string {
		return "This request would exceed the shard limit for the account " + acct + " in " + region +
			". Current shard count for the account: " + fmt.Sprint(current) + ". Limit: 5. Number of additional shards that would " +
			"have resulted from this request: " + fmt.Sprint(added) + ". Refer to the AWS Service Limits page " +
			"(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits."
	}
	requireKinesisError(t, s.CreateStream("b", stream.StreamConfig{ShardCount: 2}), kinesis.TypeLimitExceeded, limit(4, 2))
	require.NoError(t, s.CreateStream("b", stream.StreamConfig{ShardCount: 1}))
	requireKinesisError(t, s.SplitShard("b", "shardId-0", half), kinesis.TypeLimitExceeded, limit(5, 1))
	lim, err := s.DescribeLimits()
	require.NoError(t, err)
	require.Equal(t, 3, lim.OpenShardCount, "DescribeLimits counts the shards open now")

	c.Advance(time.Second)
	lim, err = s.DescribeLimits()
	require.NoError(t, err)
	require.Equal(t, 5, lim.OpenShardCount)
}

// TestStore_Reshard_OrderingNumberOfNewChild checks that a child's sequence number, whose
// time is the child's creation second (after its parent closes, so possibly still ahead of
// the clock), is accepted as SequenceNumberForOrdering, while a number of a time ahead of
// the clock that this stream did not issue is not.
func TestStore_Reshard_OrderingNumberOfNewChild(t *testing.T) {
	s := mustOpen(t, testOptions(newClock()))
	mustCreate(t, s, "a", 1)
	require.NoError(t, s.SplitShard("a", "shardId-0", half))
	r := put(t, s, "a", "a", "x")
	require.Equal(t, t0/1000+1, r.SequenceNumber.TimeSec, "the child's creation second, ahead of the clock")
	_, err := s.PutRecord(&stream.PutRecordRequest{StreamName: "a", Entry: stream.PutEntry{PartitionKey: "a", Data: []byte("y")},
		SequenceNumberForOrdering: r.SequenceNumber.String()})
	require.NoError(t, err)

	ahead := r.SequenceNumber
	ahead.ShardCreatedSec--
	_, err = s.PutRecord(&stream.PutRecordRequest{StreamName: "a", Entry: stream.PutEntry{PartitionKey: "a", Data: []byte("z")},
		SequenceNumberForOrdering: ahead.String()})
	requireKinesisError(t, err, kinesis.TypeInvalidArgument, "ExclusiveMinimumSequenceNumber "+ahead.String()+
		" used in PutRecord on stream a under account "+acct+" is invalid.")
}

// TestStore_Reshard_DeleteWhileFailing deletes a stream whose reshard keeps failing: the
// deletion does not wait for the reshard, and the stream and its files go.
func TestStore_Reshard_DeleteWhileFailing(t *testing.T) {
	dir := t.TempDir()
	s := mustOpenDir(t, dir, crashOptions(newClock()))
	s.SetReshardFaults(func(step string) error {
		if step == "open children" {
			return errCrash
		}
		return nil
	})
	mustCreate(t, s, "a", 2)
	require.NoError(t, s.MergeShards("a", "shardId-0", "shardId-1"))
	info, err := s.DescribeStreamSummary("a")
	require.NoError(t, err)
	require.Equal(t, stream.StatusUpdating, info.Status)
	require.NoError(t, s.DeleteStream("a"))
	_, err = s.DescribeStreamSummary("a")
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, "Stream a under account "+acct+" not found.")
	left, err := filepath.Glob(filepath.Join(dir, "streams", "a-*"))
	require.NoError(t, err)
	require.Empty(t, left)
}
