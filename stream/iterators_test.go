package stream_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/stream"
)

// record is a record as GetRecords delivered it, copied.
type record struct {
	seq       kinesis.SequenceNumber
	text      string // the sequence number as delivered
	arrivalMs int64
	key, data string
}

// collector is a RecordSink that copies what it gets.
type collector struct{ recs []record }

func (c *collector) Record(seq []byte, arrivalMs int64, key, data []byte) error {
	n, err := kinesis.ParseSequenceNumber(string(seq))
	if err != nil {
		return err
	}
	c.recs = append(c.recs, record{seq: n, text: string(seq), arrivalMs: arrivalMs, key: string(key), data: string(data)})
	return nil
}

// getRecords makes one GetRecords call.
func getRecords(t testing.TB, s *stream.Store, it string, limit int) ([]record, stream.GetRecordsResult) {
	t.Helper()
	var c collector
	res, err := s.GetRecords(&stream.GetRecordsRequest{ShardIterator: it, Limit: limit}, &c)
	require.NoError(t, err)
	return c.recs, res
}

// readAll follows an iterator until a call returns no records, and returns them all.
func readAll(t testing.TB, s *stream.Store, it string) []record {
	t.Helper()
	var all []record
	for it != "" {
		recs, res := getRecords(t, s, it, 0)
		all = append(all, recs...)
		if len(recs) == 0 {
			break
		}
		it = res.NextShardIterator
	}
	return all
}

func TestStore_GetShardIterator_Errors(t *testing.T) {
	c := newClock()
	s := mustOpen(t, testOptions(c))
	mustCreate(t, s, "a", 2)
	r := put(t, s, "a", "b", "x") // shard 1
	start := kinesis.StartingSequenceNumber(t0/1000, 1)
	otherTime := kinesis.SequenceNumber{ShardCreatedSec: t0/1000 - 5, ShardIndex: 1, TimeSec: t0 / 1000}
	legacy := "45000000000000000000000000000000000000" // version 0: no shardlog shard issues it
	in := " in stream a under account " + acct
	tests := []struct {
		name string
		req  stream.GetShardIteratorRequest
		typ  string
		msg  string
	}{
		{"shard id does not parse", stream.GetShardIteratorRequest{StreamName: "a", ShardID: "shardId-x", Type: stream.TrimHorizon},
			kinesis.TypeResourceNotFound, "Could not find shard shardId-x" + in + "."},
		{"no stream", stream.GetShardIteratorRequest{StreamName: "b", ShardID: "shard-1", Type: stream.TrimHorizon},
			kinesis.TypeResourceNotFound, "Shard shardId-000000000001 in stream b under account " + acct + " does not exist"},
		{"no shard", stream.GetShardIteratorRequest{StreamName: "a", ShardID: "2", Type: stream.TrimHorizon},
			kinesis.TypeResourceNotFound, "Shard shardId-000000000002" + in + " does not exist"},
		{"AT without a number", stream.GetShardIteratorRequest{StreamName: "a", ShardID: "shardId-1", Type: stream.AtSequenceNumber},
			kinesis.TypeInvalidArgument, "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or " +
				"(2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber."},
		{"LATEST with a number", stream.GetShardIteratorRequest{StreamName: "a", ShardID: "shardId-1", Type: stream.Latest, StartingSequenceNumber: "1"},
			kinesis.TypeInvalidArgument, "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or " +
				"(2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified LATEST and also a StartingSequenceNumber."},
		{"AT_TIMESTAMP without a timestamp", stream.GetShardIteratorRequest{StreamName: "a", ShardID: "shardId-1", Type: stream.AtTimestamp},
			kinesis.TypeInvalidArgument, "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter."},
		{"AT_TIMESTAMP in the future", stream.GetShardIteratorRequest{StreamName: "a", ShardID: "shardId-1", Type: stream.AtTimestamp,
			Timestamp: time.UnixMilli(t0 + 1)}, kinesis.TypeInvalidArgument,
			"The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: 1700000000001, currentTimestampInMillis: 1700000000000"},
		{"number does not parse", stream.GetShardIteratorRequest{StreamName: "a", ShardID: "shardId-1", Type: stream.AtSequenceNumber,
			StartingSequenceNumber: "1" + strings.Repeat("0", 45)}, kinesis.TypeInvalidArgument,
			"StartingSequenceNumber 1" + strings.Repeat("0", 45) + " used in GetShardIterator on shard shardId-000000000001" + in + " is invalid."},
		{"number of another shard", stream.GetShardIteratorRequest{StreamName: "a", ShardID: "shardId-0", Type: stream.AfterSequenceNumber,
			StartingSequenceNumber: r.SequenceNumber.String()}, kinesis.TypeInvalidArgument,
			"Invalid StartingSequenceNumber. It encodes shardId-000000000001, while it was used in a call to a shard with shardId-000000000000"},
		{"number of another stream", stream.GetShardIteratorRequest{StreamName: "a", ShardID: "shardId-1", Type: stream.AtSequenceNumber,
			StartingSequenceNumber: otherTime.String()}, kinesis.TypeInvalidArgument,
			"StartingSequenceNumber " + otherTime.String() + " used in GetShardIterator on shard shardId-000000000001" + in +
				" is invalid because it did not come from this stream."},
		{"legacy number", stream.GetShardIteratorRequest{StreamName: "a", ShardID: "shardId-0", Type: stream.AtSequenceNumber,
			StartingSequenceNumber: legacy}, kinesis.TypeInvalidArgument,
			"StartingSequenceNumber " + legacyCanonical(t, legacy) + " used in GetShardIterator on shard shardId-000000000000" + in +
				" is invalid because it did not come from this stream."},
		{"dry run", stream.GetShardIteratorRequest{StreamName: "a", ShardID: "shardId-1", Type: stream.AtSequenceNumber,
			StartingSequenceNumber: start.String(), DryRun: true}, kinesis.TypeDryRunOperation, "Request would have succeeded, but DryRun flag is set."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it, err := s.GetShardIterator(&tt.req)
			requireKinesisError(t, err, tt.typ, tt.msg)
			require.Empty(t, it)
		})
	}
}

// TestStore_GetShardIterator_Positions checks where each iterator type starts (KINESIS-API.md
// §3.3), over five records written one second apart.
func TestStore_GetShardIterator_Positions(t *testing.T) {
	c := newClock()
	s := mustOpen(t, testOptions(c))
	mustCreate(t, s, "a", 1)
	c.Advance(time.Second) // so that the first record is not in the shard's creation second
	var recs []stream.PutResult
	for i := range 5 {
		recs = append(recs, put(t, s, "a", "k", fmt.Sprint(i)))
		c.Advance(time.Second)
	}
	start := kinesis.StartingSequenceNumber(t0/1000, 0)
	between := recs[2].SequenceNumber // a number after record 2 but before record 3
	between.TimeSec += 5
	tests := []struct {
		name string
		req  stream.GetShardIteratorRequest
		want string // data of the records read, in order
	}{
		{"TRIM_HORIZON", stream.GetShardIteratorRequest{Type: stream.TrimHorizon}, "01234"},
		{"LATEST", stream.GetShardIteratorRequest{Type: stream.Latest}, ""},
		{"AT a record", stream.GetShardIteratorRequest{Type: stream.AtSequenceNumber, StartingSequenceNumber: recs[2].SequenceNumber.String()}, "234"},
		{"AFTER a record", stream.GetShardIteratorRequest{Type: stream.AfterSequenceNumber, StartingSequenceNumber: recs[2].SequenceNumber.String()}, "34"},
		{"AFTER the last record", stream.GetShardIteratorRequest{Type: stream.AfterSequenceNumber, StartingSequenceNumber: recs[4].SequenceNumber.String()}, ""},
		{"AT the StartingSequenceNumber", stream.GetShardIteratorRequest{Type: stream.AtSequenceNumber, StartingSequenceNumber: start.String()}, "01234"},
		{"AFTER the StartingSequenceNumber", stream.GetShardIteratorRequest{Type: stream.AfterSequenceNumber, StartingSequenceNumber: start.String()}, "01234"},
		{"AT a number between records", stream.GetShardIteratorRequest{Type: stream.AtSequenceNumber, StartingSequenceNumber: between.String()}, "34"},
		{"AFTER a number between records", stream.GetShardIteratorRequest{Type: stream.AfterSequenceNumber, StartingSequenceNumber: between.String()}, "34"},
		{"AT_TIMESTAMP before everything", stream.GetShardIteratorRequest{Type: stream.AtTimestamp, Timestamp: time.UnixMilli(0)}, "01234"},
		{"AT_TIMESTAMP of a record", stream.GetShardIteratorRequest{Type: stream.AtTimestamp, Timestamp: time.UnixMilli(t0 + 3000)}, "234"},
		{"AT_TIMESTAMP between records", stream.GetShardIteratorRequest{Type: stream.AtTimestamp, Timestamp: time.UnixMilli(t0 + 2500)}, "234"},
		{"AT_TIMESTAMP after everything", stream.GetShardIteratorRequest{Type: stream.AtTimestamp, Timestamp: time.UnixMilli(c.Ms())}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.StreamName, tt.req.ShardID = "a", "shardId-000000000000"
			it, err := s.GetShardIterator(&tt.req)
			require.NoError(t, err)
			require.Equal(t, tt.want, dataOf(readAll(t, s, it)))
		})
	}

	// Iterators at the tip see what is written after them.
	var tips []string
	for _, req := range []stream.GetShardIteratorRequest{
		{Type: stream.Latest},
		{Type: stream.AtTimestamp, Timestamp: time.UnixMilli(c.Ms())},
		{Type: stream.AfterSequenceNumber, StartingSequenceNumber: recs[4].SequenceNumber.String()},
	} {
		req.StreamName, req.ShardID = "a", "shardId-000000000000"
		it, err := s.GetShardIterator(&req)
		require.NoError(t, err)
		got, res := getRecords(t, s, it, 0)
		require.Empty(t, got)
		require.NotEmpty(t, res.NextShardIterator, "an open shard always has a next iterator")
		tips = append(tips, res.NextShardIterator)
	}
	put(t, s, "a", "k", "5")
	for _, it := range tips {
		require.Equal(t, "5", dataOf(readAll(t, s, it)))
	}
}

// legacyCanonical returns the number AWS quotes back for a number in a legacy layout.
func legacyCanonical(t *testing.T, number string) string {
	_, err := kinesis.ParseSequenceNumber(number)
	var legacy *kinesis.LegacySequenceNumberError
	require.ErrorAs(t, err, &legacy)
	require.Zero(t, legacy.ShardIndex)
	return legacy.Canonical
}

// dataOf returns the data of recs, concatenated.
func dataOf(recs []record) string {
	var b strings.Builder
	for _, r := range recs {
		b.WriteString(r.data)
	}
	return b.String()
}

func TestStore_GetRecords_Records(t *testing.T) {
	c := newClock()
	s := mustOpen(t, testOptions(c))
	mustCreate(t, s, "a", 1)
	var want []stream.PutResult
	for i := range 3 {
		want = append(want, put(t, s, "a", fmt.Sprint("key", i), fmt.Sprint("data", i)))
		c.Advance(time.Second)
	}
	it, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "a", ShardID: "shardId-0", Type: stream.TrimHorizon})
	require.NoError(t, err)

	got, res := getRecords(t, s, it, 1)
	require.Len(t, got, 1)
	require.Equal(t, record{seq: want[0].SequenceNumber, text: want[0].SequenceNumber.String(), arrivalMs: t0, key: "key0", data: "data0"}, got[0])
	require.Equal(t, int64(2000), res.MillisBehindLatest)
	require.Empty(t, res.ChildShards)

	got, res = getRecords(t, s, res.NextShardIterator, 0)
	require.Equal(t, "data1data2", dataOf(got))
	require.Equal(t, int64(t0+2000), got[1].arrivalMs)
	require.Zero(t, res.MillisBehindLatest)

	got, res = getRecords(t, s, res.NextShardIterator, 0)
	require.Empty(t, got)
	require.Zero(t, res.MillisBehindLatest)
	require.NotEmpty(t, res.NextShardIterator)

	_, err = s.GetRecords(&stream.GetRecordsRequest{ShardIterator: it, DryRun: true}, &collector{})
	requireKinesisError(t, err, kinesis.TypeDryRunOperation, "Request would have succeeded, but DryRun flag is set.")
}

func TestStore_GetRecords_ByteBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 11 MiB")
	}
	s := mustOpen(t, testOptions(newClock()))
	mustCreate(t, s, "a", 1)
	data := strings.Repeat("x", 1<<20-9) // with its 1-byte key, 10 records are 90 bytes under 10 MiB
	for range 11 {
		put(t, s, "a", "k", data)
	}
	it, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "a", ShardID: "shardId-0", Type: stream.TrimHorizon})
	require.NoError(t, err)
	got, res := getRecords(t, s, it, 0)
	require.Len(t, got, 10)
	got, _ = getRecords(t, s, res.NextShardIterator, 0)
	require.Len(t, got, 1)
}

func TestStore_GetRecords_Errors(t *testing.T) {
	c := newClock()
	opts := testOptions(c)
	opts.DeleteDelay = time.Second
	s := mustOpen(t, opts)
	mustCreate(t, s, "a", 1)
	put(t, s, "a", "k", "x")
	iterator := func() string {
		it, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "a", ShardID: "shardId-0", Type: stream.TrimHorizon})
		require.NoError(t, err)
		return it
	}
	it := iterator()

	_, err := s.GetRecords(&stream.GetRecordsRequest{ShardIterator: "AAAAAAAAAAE="}, &collector{})
	requireKinesisError(t, err, kinesis.TypeInvalidArgument, "Invalid ShardIterator.")

	c.Advance(kinesis.IteratorLifetime + time.Millisecond)
	_, err = s.GetRecords(&stream.GetRecordsRequest{ShardIterator: it}, &collector{})
	requireKinesisError(t, err, kinesis.TypeExpiredIterator, "Iterator expired. The iterator was created at time "+
		"Tue Nov 14 22:13:20 UTC 2023 while right now it is Tue Nov 14 22:18:20 UTC 2023 which is further in the future "+
		"than the tolerated delay of 300000 milliseconds.")

	// While DELETING, reads go on; once the stream is gone, and after it is created again,
	// the old iterator's shard does not exist.
	it = iterator()
	require.NoError(t, s.DeleteStream("a"))
	require.Equal(t, "x", dataOf(readAll(t, s, it)))
	c.Advance(time.Second)
	notFound := "Shard shardId-000000000000 in stream a under account " + acct + " does not exist"
	_, err = s.GetRecords(&stream.GetRecordsRequest{ShardIterator: it}, &collector{})
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, notFound)
	mustCreate(t, s, "a", 1)
	put(t, s, "a", "k", "new")
	_, err = s.GetRecords(&stream.GetRecordsRequest{ShardIterator: it}, &collector{})
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, notFound)
	require.Equal(t, "new", dataOf(readAll(t, s, iterator())))
}
