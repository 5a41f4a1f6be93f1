package stream_test

import (
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/internal/throttle"
	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

// meterGate is the Gate of --limits aws: a throttle.Meter that refuses with
// ProvisionedThroughputExceededException.
type meterGate struct{ m *throttle.Meter }

const ptee = kinesis.TypeProvisionedThroughputExceeded

func refuse(ok bool) string {
	if ok {
		return ""
	}
	return ptee
}

func at(s stream.GateShard) throttle.Shard {
	return throttle.Shard{Stream: s.Stream, ShardID: s.ShardID, OnDemand: s.OnDemand}
}

func (g meterGate) Write(_ string, s stream.GateShard, n int) string {
	return refuse(g.m.Write(at(s), n))
}
func (g meterGate) Read(s stream.GateShard) string     { return refuse(g.m.Read(at(s))) }
func (g meterGate) ReadDone(s stream.GateShard, n int) { g.m.ReadDone(at(s), n) }
func (g meterGate) Iterator(s stream.GateShard) string { return refuse(g.m.Iterator(at(s))) }

// openLimited opens a store in dir whose Gate meters AWS's quotas on its fake clock.
func openLimited(t *testing.T, dir string) (*stream.Store, *clock) {
	t.Helper()
	c := newClock()
	opts := testOptions(c)
	opts.Gate = meterGate{throttle.New(throttle.AWS(), c.Now)}
	return mustOpenDir(t, dir, opts), c
}

func rateExceeded(shard int, name string) string {
	return "Rate exceeded for shard " + kinesis.ShardID(shard) + " in stream " + name + " under account " + acct + "."
}

func TestStore_Gate_PutRecords_PartialFailure(t *testing.T) {
	s, _ := openLimited(t, t.TempDir())
	mustCreate(t, s, "a", 2)
	entry := func(shard, i int) stream.PutEntry {
		hk := "0"
		if shard == 1 {
			hk = maxHashKey
		}
		return stream.PutEntry{PartitionKey: "k", ExplicitHashKey: hk, Data: fmt.Appendf(nil, "%d/%d", shard, i)}
	}
	// 900 records to shard 0 and 100 to shard 1 leave them 100 and 900 records of their
	// 1,000 a second.
	var first []stream.PutEntry
	for i := range 1000 {
		first = append(first, entry(min(i/900, 1), i))
	}
	res, err := s.PutRecords(&stream.PutRecordsRequest{StreamName: "a", Entries: first}, nil)
	require.NoError(t, err)
	for i, r := range res {
		require.Empty(t, r.ErrorCode, "record %d of the first request", i)
	}
	// In the same instant, 150 records to each shard, alternating: the first 100 of shard
	// 0 go in, its last 50 fail one by one, and all of shard 1's go in.
	var second []stream.PutEntry
	for i := range 300 {
		second = append(second, entry(i%2, 1000+i))
	}
	res, err = s.PutRecords(&stream.PutRecordsRequest{StreamName: "a", Entries: second}, nil)
	require.NoError(t, err)
	require.Len(t, res, 300)
	var want0, want1 []string // the data each shard should hold after the first request's
	for i, r := range res {
		shard, failed := i%2, i%2 == 0 && i/2 >= 100
		if failed {
			require.Equal(t, ptee, r.ErrorCode, "record %d", i)
			require.Equal(t, rateExceeded(0, "a"), r.ErrorMessage, "record %d", i)
			require.Equal(t, kinesis.ShardID(0), r.ShardID, "record %d: the shard that refused it", i)
			continue
		}
		require.Empty(t, r.ErrorCode, "record %d: %s", i, r.ErrorMessage)
		require.Equal(t, kinesis.ShardID(shard), r.ShardID, "record %d", i)
		if shard == 0 {
			want0 = append(want0, string(second[i].Data))
		} else {
			want1 = append(want1, string(second[i].Data))
		}
	}
	require.Len(t, want0, 100)
	requireShardData(t, s, "a", 0, 900, want0)
	requireShardData(t, s, "a", 1, 100, want1)
}

// requireShardData checks that shard holds skip records and then exactly want.
func requireShardData(t *testing.T, s *stream.Store, name string, shard, skip int, want []string) {
	t.Helper()
	it, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: name, ShardID: kinesis.ShardID(shard), Type: stream.TrimHorizon})
	require.NoError(t, err)
	recs, _ := getRecords(t, s, it, 0)
	require.Len(t, recs, skip+len(want), "records in shard %d", shard)
	for i, w := range want {
		require.Equal(t, w, recs[skip+i].data, "record %d of shard %d", skip+i, shard)
	}
}

func TestStore_Gate_PutRecord_RefusedChangesNothing(t *testing.T) {
	dir := t.TempDir()
	s, c := openLimited(t, dir)
	mustCreate(t, s, "a", 1)
	big := strings.Repeat("x", 1<<20-1) // with its 1-byte key, the shard's whole second
	put(t, s, "a", "k", big)
	before := testutil.TreeState(t, dir)
	_, err := s.PutRecord(&stream.PutRecordRequest{StreamName: "a", Entry: stream.PutEntry{PartitionKey: "k", Data: []byte("y")}})
	requireKinesisError(t, err, ptee, rateExceeded(0, "a"))
	require.Equal(t, before, testutil.TreeState(t, dir), "a refused PutRecord changed the data directory")

	c.Advance(time.Millisecond) // 1048 bytes gained
	put(t, s, "a", "k", strings.Repeat("y", 1047))
	_, err = s.PutRecord(&stream.PutRecordRequest{StreamName: "a", Entry: stream.PutEntry{PartitionKey: "k", Data: []byte("z")}})
	requireKinesisError(t, err, ptee, rateExceeded(0, "a"))

	// A DryRun takes nothing from the shard.
	c.Advance(time.Second)
	for range 2000 {
		_, err := s.PutRecord(&stream.PutRecordRequest{StreamName: "a", Entry: stream.PutEntry{PartitionKey: "k"}, DryRun: true})
		requireKinesisError(t, err, kinesis.TypeDryRunOperation, "Request would have succeeded, but DryRun flag is set.")
	}
	put(t, s, "a", "k", big)
}

func TestStore_Gate_Reads(t *testing.T) {
	s, c := openLimited(t, t.TempDir())
	mustCreate(t, s, "a", 1)
	// Three records of 1 MiB, a second apart, as the write quota allows.
	for i := range 3 {
		put(t, s, "a", "k", strings.Repeat(string(rune('a'+i)), 1<<20-1))
		c.Advance(time.Second)
	}
	iter := func() (string, error) {
		return s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "a", ShardID: "shardId-000000000000", Type: stream.TrimHorizon})
	}
	readMsg := "Rate exceeded for Shard - " + acct + "/a/shardId-000000000000"

	// GetShardIterator: 5 a second.
	var it string
	for i := range 5 {
		var err error
		it, err = iter()
		require.NoError(t, err, "GetShardIterator %d", i)
	}
	_, err := iter()
	requireKinesisError(t, err, ptee, rateExceeded(0, "a"))

	// GetRecords: the first call returns 3 MiB, leaving the shard owing 1 MiB of its
	// 2 MiB a second: the next call is refused until 500 ms have passed.
	recs, res := getRecords(t, s, it, 0)
	require.Len(t, recs, 3)
	_, err = s.GetRecords(&stream.GetRecordsRequest{ShardIterator: res.NextShardIterator}, &collector{})
	requireKinesisError(t, err, ptee, readMsg)
	c.Advance(499 * time.Millisecond)
	_, err = s.GetRecords(&stream.GetRecordsRequest{ShardIterator: res.NextShardIterator}, &collector{})
	requireKinesisError(t, err, ptee, readMsg)
	c.Advance(time.Millisecond)
	getRecords(t, s, res.NextShardIterator, 0)

	// 5 calls a second: the refused calls took none, and 500 ms refilled the one the
	// first call took, so the call above and four more go through, and the sixth is
	// refused.
	for range 4 {
		getRecords(t, s, res.NextShardIterator, 0)
	}
	_, err = s.GetRecords(&stream.GetRecordsRequest{ShardIterator: res.NextShardIterator}, &collector{})
	requireKinesisError(t, err, ptee, readMsg)
}

func TestStore_CreateStream_MaxStreamsChanging(t *testing.T) {
	c := newClock()
	opts := testOptions(c)
	opts.CreateDelay, opts.DeleteDelay, opts.MaxStreamsChanging = time.Second, time.Second, 5
	s := mustOpen(t, opts)
	for i := range 5 {
		require.NoError(t, s.CreateStream(fmt.Sprint("s", i), stream.StreamConfig{ShardCount: 1}))
	}
	msg := "This request would have exceed the limit on the number  of streams that can simultaneously be in " +
		"CREATING or DELETING for the account " + acct + ". Limit: 5."
	err := s.CreateStream("s5", stream.StreamConfig{ShardCount: 1})
	requireKinesisError(t, err, kinesis.TypeLimitExceeded, msg)

	c.Advance(time.Second) // all ACTIVE
	require.NoError(t, s.CreateStream("s5", stream.StreamConfig{ShardCount: 1}))
	for i := range 4 {
		require.NoError(t, s.DeleteStream(fmt.Sprint("s", i)))
	}
	// s5 CREATING and four DELETING: neither a fifth deletion nor a creation may start,
	// but deleting the CREATING s5 adds no stream to them.
	err = s.CreateStream("s6", stream.StreamConfig{ShardCount: 1})
	requireKinesisError(t, err, kinesis.TypeLimitExceeded, msg)
	requireKinesisError(t, s.DeleteStream("s4"), kinesis.TypeLimitExceeded, msg)
	require.NoError(t, s.DeleteStream("s5"))
	c.Advance(time.Second)
	require.NoError(t, s.CreateStream("s6", stream.StreamConfig{ShardCount: 1}))
	require.NoError(t, s.DeleteStream("s4"))
}

// BenchmarkStore_PutRecords_Gate measures what a Gate costs a PutRecords of 500 records
// on 4 shards: none (gate=off, the default, one nil check), and a throttle.Meter whose
// quotas are too high to refuse anything (gate=meter: a lock and two buckets per record).
func BenchmarkStore_PutRecords_Gate(b *testing.B) {
	const records, size = 500, 100
	unlimited := throttle.Limits{WriteBytes: throttle.PerSecond(throttle.MaxCount), WriteRecords: throttle.PerSecond(throttle.MaxCount)}
	for _, gated := range []bool{false, true} {
		name := map[bool]string{false: "off", true: "meter"}[gated]
		b.Run(fmt.Sprintf("records=%d/size=%dB/shards=4/gate=%s", records, size, name), func(b *testing.B) {
			opts := stream.Options{Shard: shard.Options{Sync: shard.SyncNone}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
			if gated {
				opts.Gate = meterGate{throttle.New(unlimited, time.Now)}
			}
			s := mustOpen(b, opts)
			require.NoError(b, s.CreateStream("bench", stream.StreamConfig{ShardCount: 4}))
			req := &stream.PutRecordsRequest{StreamName: "bench", Entries: benchEntries(records, size)}
			var results []stream.PutResult
			b.SetBytes(records * size)
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if results, err = s.PutRecords(req, results); err != nil {
					b.Fatal(err)
				}
				if results[0].ErrorCode != "" {
					b.Fatal(results[0].ErrorMessage)
				}
			}
		})
	}
}

func TestStore_Gate_OnDemandStream(t *testing.T) {
	// An ON_DEMAND stream of 5 shards takes AWS's initial on-demand 4 MiB a second, not
	// the 5 MiB of its shards; a PROVISIONED one of 5 shards takes 5 MiB. (CreateStream
	// refuses a ShardCount with ON_DEMAND, so od is switched to it after creation.)
	s, _ := openLimited(t, t.TempDir())
	mustCreate(t, s, "od", 5)
	require.NoError(t, s.UpdateStreamMode("od", stream.ModeOnDemand))
	info, err := s.DescribeStreamSummary("od")
	require.NoError(t, err)
	require.Equal(t, stream.StatusActive, info.Status)
	require.Equal(t, stream.ModeOnDemand, info.Mode)
	mustCreate(t, s, "pr", 5)
	data := []byte(strings.Repeat("x", 1<<20-1))
	for _, name := range []string{"od", "pr"} {
		var entries []stream.PutEntry
		for i := range 5 { // one to each shard: the start of each shard's hash key range
			hk := new(big.Int).Mul(big.NewInt(int64(i)), new(big.Int).Div(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(5)))
			entries = append(entries, stream.PutEntry{PartitionKey: "k", ExplicitHashKey: hk.String(), Data: data})
		}
		res, err := s.PutRecords(&stream.PutRecordsRequest{StreamName: name, Entries: entries}, nil)
		require.NoError(t, err)
		for i, r := range res {
			if name == "od" && i == 4 {
				require.Equal(t, ptee, r.ErrorCode, "%s record %d", name, i)
				require.Equal(t, rateExceeded(4, name), r.ErrorMessage)
				continue
			}
			require.Empty(t, r.ErrorCode, "%s record %d: %s", name, i, r.ErrorMessage)
			require.Equal(t, kinesis.ShardID(i), r.ShardID, "%s record %d", name, i)
		}
	}
}

// failGate refuses everything with one error type, as --inject with fraction 1 does.
type failGate struct{ typ string }

func (g failGate) Write(string, stream.GateShard, int) string { return g.typ }
func (g failGate) Read(stream.GateShard) string               { return g.typ }
func (g failGate) ReadDone(stream.GateShard, int)             {}
func (g failGate) Iterator(stream.GateShard) string           { return g.typ }

func TestStore_Gate_InjectedFailuresChangeNothing(t *testing.T) {
	dir := t.TempDir()
	c := newClock()
	s := mustOpenDir(t, dir, testOptions(c))
	mustCreate(t, s, "a", 2)
	it, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "a", ShardID: "0", Type: stream.TrimHorizon})
	require.NoError(t, err)
	s.Close()

	for _, typ := range []string{kinesis.TypeInternalFailure, ptee} {
		t.Run(typ, func(t *testing.T) {
			opts := testOptions(c)
			opts.Gate = failGate{typ}
			s := mustOpenUnchecked(t, dir, opts)
			before := testutil.TreeState(t, dir)
			res, err := s.PutRecords(&stream.PutRecordsRequest{StreamName: "a", Entries: []stream.PutEntry{
				{PartitionKey: "k", ExplicitHashKey: "0", Data: []byte("x")},
				{PartitionKey: "k", ExplicitHashKey: maxHashKey, Data: []byte("y")},
			}}, nil)
			require.NoError(t, err)
			wantMsg := map[string][]string{
				kinesis.TypeInternalFailure: {"Internal Service Failure", "Internal Service Failure"},
				ptee:                        {rateExceeded(0, "a"), rateExceeded(1, "a")},
			}[typ]
			for i, r := range res {
				require.Equal(t, typ, r.ErrorCode, "record %d", i)
				require.Equal(t, wantMsg[i], r.ErrorMessage, "record %d", i)
			}
			_, err = s.PutRecord(&stream.PutRecordRequest{StreamName: "a", Entry: stream.PutEntry{PartitionKey: "k", ExplicitHashKey: "0"}})
			requireWholeCall(t, err, typ, rateExceeded(0, "a"))
			_, err = s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "a", ShardID: "1", Type: stream.Latest})
			requireWholeCall(t, err, typ, rateExceeded(1, "a"))
			_, err = s.GetRecords(&stream.GetRecordsRequest{ShardIterator: it}, &collector{})
			requireWholeCall(t, err, typ, "Rate exceeded for Shard - "+acct+"/a/shardId-000000000000")
			require.Equal(t, before, testutil.TreeState(t, dir), "refused calls changed the data directory")
			require.NoError(t, s.Close())
		})
	}
	requireCheckClean(t, dir)
}

// requireWholeCall checks the error of a whole call the Gate refused with typ: a
// throttled shard's message, or an InternalFailure without one, as AWS answers it.
func requireWholeCall(t *testing.T, err error, typ, throttled string) {
	t.Helper()
	if typ == ptee {
		requireKinesisError(t, err, typ, throttled)
		return
	}
	requireKinesisError(t, err, typ, "")
}
