package stream_test

import (
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/stream"
)

// dataPlaneCalls are the Store methods that must carry out no status change.
var dataPlaneCalls = []string{"(*Store).PutRecord", "(*Store).GetShardIterator", "(*Store).GetRecords"}

// dataPlaneCaller returns the data-plane method on the calling goroutine's stack, or "".
func dataPlaneCaller() string {
	buf := make([]byte, 64<<10)
	stack := string(buf[:runtime.Stack(buf, false)])
	for _, name := range dataPlaneCalls {
		if strings.Contains(stack, name) {
			return name
		}
	}
	return ""
}

// TestStore_DataPlane_CarriesOutNoReshard makes a reshard due and then writes and reads the
// stream: the data-plane calls are served by the parents, and none of them carries out the
// reshard (the fault hook sees who runs each step); DescribeStream, a control-plane call,
// finds it due and carries it out at once (or the maintenance loop did), so it answers
// ACTIVE with the new shards.
func TestStore_DataPlane_CarriesOutNoReshard(t *testing.T) {
	c := newClock()
	opts := testOptions(c)
	opts.UpdateDelay = time.Second
	s := mustOpen(t, opts)
	mustCreate(t, s, "a", 2)
	var mu sync.Mutex
	var steps int
	var onDataPlane []string
	s.SetReshardFaults(func(step string) error {
		mu.Lock()
		defer mu.Unlock()
		steps++
		if name := dataPlaneCaller(); name != "" {
			onDataPlane = append(onDataPlane, name+": "+step)
		}
		return nil
	})
	_, err := s.UpdateShardCount("a", 4)
	require.NoError(t, err)
	c.Advance(2 * time.Second) // the reshard is due

	r := put(t, s, "a", "k", "x")
	_, err = s.PutRecords(&stream.PutRecordsRequest{StreamName: "a", Entries: []stream.PutEntry{{PartitionKey: "k", Data: []byte("y")}}}, nil)
	require.NoError(t, err)
	it := iteratorAt(t, s, "a", r.ShardID, stream.TrimHorizon)
	recs, _ := getRecords(t, s, it, 0)
	require.Equal(t, "xy", dataOf(recs), "records written while the reshard was due")
	mu.Lock()
	require.Empty(t, onDataPlane, "reshard steps carried out inside a data-plane call")
	mu.Unlock()

	info, err := s.DescribeStreamSummary("a")
	require.NoError(t, err)
	require.Equal(t, stream.StatusActive, info.Status, "DescribeStream once the reshard is due")
	require.Equal(t, 4, info.OpenShardCount(), "open shards after the reshard")
	mu.Lock()
	require.Positive(t, steps, "reshard steps seen by the hook")
	require.Empty(t, onDataPlane, "reshard steps carried out inside a data-plane call")
	mu.Unlock()
}

// TestStore_DataPlane_DueStatus checks what the data plane answers for a stream whose
// status change has come due but has not been carried out: a stream whose CREATING delay
// has passed takes records as an ACTIVE one, and one whose DELETING delay has passed is
// gone for reads too. DescribeStream answers the new status at once.
func TestStore_DataPlane_DueStatus(t *testing.T) {
	c := newClock()
	opts := testOptions(c)
	opts.CreateDelay, opts.DeleteDelay = time.Second, time.Second
	s := mustOpen(t, opts)

	require.NoError(t, s.CreateStream("a", stream.StreamConfig{ShardCount: 1}))
	_, err := s.PutRecord(&stream.PutRecordRequest{StreamName: "a", Entry: stream.PutEntry{PartitionKey: "k", Data: []byte("x")}})
	requireKinesisError(t, err, "ResourceNotFoundException", "Stream a under account 000000000000 not found.")
	c.Advance(time.Second)
	r := put(t, s, "a", "k", "x") // CREATING is over
	require.Equal(t, "shardId-000000000000", r.ShardID)
	info, err := s.DescribeStreamSummary("a")
	require.NoError(t, err)
	require.Equal(t, stream.StatusActive, info.Status, "DescribeStream after the create delay")

	require.NoError(t, s.CreateStream("b", stream.StreamConfig{ShardCount: 1}))
	info, err = s.DescribeStreamSummary("b")
	require.NoError(t, err)
	require.Equal(t, stream.StatusCreating, info.Status, "DescribeStream within the create delay")
	c.Advance(time.Second)
	info, err = s.DescribeStreamSummary("b")
	require.NoError(t, err)
	require.Equal(t, stream.StatusActive, info.Status, "DescribeStream after the create delay")

	it := iteratorAt(t, s, "a", r.ShardID, stream.TrimHorizon)
	require.NoError(t, s.DeleteStream("a"))
	recs, _ := getRecords(t, s, it, 0)
	require.Equal(t, "x", dataOf(recs), "a DELETING stream is readable")
	c.Advance(time.Second)
	_, err = s.GetRecords(&stream.GetRecordsRequest{ShardIterator: it}, &collector{})
	requireKinesisError(t, err, "ResourceNotFoundException",
		"Shard shardId-000000000000 in stream a under account 000000000000 does not exist")
	_, err = s.DescribeStreamSummary("a")
	requireKinesisError(t, err, "ResourceNotFoundException", "Stream a under account 000000000000 not found.")
}
