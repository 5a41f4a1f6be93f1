package bench_test

import (
	"context"
	"encoding/binary"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/bench"
)

// quick returns a small run against endpoint: a few thousand records, bounded by count.
func quick(endpoint string) bench.Config {
	return bench.Config{
		Endpoint:     endpoint,
		Shards:       3,
		RecordBytes:  64,
		BatchRecords: 100,
		Connections:  3,
		Records:      3000,
		Duration:     20 * time.Second, // a bound in case the count is never reached
	}
}

func mustRun(t *testing.T, cfg bench.Config) bench.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := bench.Run(ctx, cfg)
	require.NoError(t, err)
	return res
}

func TestRun_Verifies(t *testing.T) {
	tests := []struct {
		name string
		edit func(*bench.Config)
		want int64 // records acknowledged
	}{
		{"putrecords", func(c *bench.Config) {}, 3000},
		{"putrecords/partial-last-call", func(c *bench.Config) { c.Records = 2950 }, 3000},
		{"putrecord", func(c *bench.Config) { c.Op = bench.OpPutRecord; c.Records = 300 }, 300},
		{"text", func(c *bench.Config) { c.Payload = bench.PayloadText; c.RecordBytes = 500 }, 3000},
		{"streams=2", func(c *bench.Config) { c.Streams = 2; c.Connections = 4 }, 3000},
		{"read-limit=7", func(c *bench.Config) { c.ReadLimit = 7; c.Records = 500 }, 500},
		{"one-connection", func(c *bench.Config) { c.Connections = 1; c.ReadConnections = 1 }, 3000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, url := startFake(t)
			cfg := quick(url)
			tt.edit(&cfg)
			res := mustRun(t, cfg)
			require.Equal(t, tt.want, res.Write.Records, "records acknowledged")
			require.Equal(t, tt.want*int64(cfg.RecordBytes), res.Write.Bytes, "bytes acknowledged")
			require.Zero(t, res.Write.Errors)
			require.NotNil(t, res.Verify)
			require.True(t, res.Verify.OK, "verification: %+v", res.Verify)
			require.Equal(t, tt.want, res.Verify.Acknowledged)
			require.Equal(t, tt.want, res.Verify.Read)
			require.Equal(t, tt.want, res.Read.Records)
			require.Equal(t, res.Write.Bytes, res.Read.Bytes)
			require.Len(t, res.Streams, max(cfg.Streams, 1))
			require.Equal(t, uint64(res.Write.Calls), res.Write.Latency.Calls)
			require.Greater(t, res.Write.RecordsPerSec, 0.0)
			require.GreaterOrEqual(t, res.Write.Latency.P99Ms, res.Write.Latency.P50Ms)
		})
	}
}

// TestRun_DetectsDamage damages what the server stores in each way a log can go wrong, and
// checks that the read-back reports it.
func TestRun_DetectsDamage(t *testing.T) {
	tests := []struct {
		name   string
		damage func(logs [][]fakeRecord) [][]fakeRecord
		count  func(v *bench.Verification) int64
		want   int64
	}{
		{"lost", func(l [][]fakeRecord) [][]fakeRecord {
			l[0] = append(l[0][:5], l[0][6:]...)
			return l
		}, func(v *bench.Verification) int64 { return v.Lost }, 1},
		{"lost-tail", func(l [][]fakeRecord) [][]fakeRecord {
			l[2] = l[2][:len(l[2])-3]
			return l
		}, func(v *bench.Verification) int64 { return v.Lost }, 3},
		{"duplicated", func(l [][]fakeRecord) [][]fakeRecord {
			dup := l[1][7]
			dup.Seq = l[1][len(l[1])-1].Seq + "9" // a later, longer number: only the record repeats
			l[1] = append(l[1], dup)
			return l
		}, func(v *bench.Verification) int64 { return v.Duplicated }, 1},
		{"reordered", func(l [][]fakeRecord) [][]fakeRecord {
			i, j := sameWriterPair(l[0])
			l[0][i].Data, l[0][j].Data = l[0][j].Data, l[0][i].Data
			l[0][i].Key, l[0][j].Key = l[0][j].Key, l[0][i].Key
			return l
		}, func(v *bench.Verification) int64 { return v.Reordered }, 1},
		{"sequence-numbers-backwards", func(l [][]fakeRecord) [][]fakeRecord {
			l[2][10].Seq, l[2][11].Seq = l[2][11].Seq, l[2][10].Seq
			return l
		}, func(v *bench.Verification) int64 { return v.Reordered }, 1},
		{"data-changed", func(l [][]fakeRecord) [][]fakeRecord {
			l[1][20].Data[len(l[1][20].Data)-1] ^= 0x40
			return l
		}, func(v *bench.Verification) int64 { return v.Changed }, 1},
		{"key-changed", func(l [][]fakeRecord) [][]fakeRecord {
			l[1][21].Key = "another key"
			return l
		}, func(v *bench.Verification) int64 { return v.Changed }, 1},
		{"wrong-shard", func(l [][]fakeRecord) [][]fakeRecord {
			moved := l[0][len(l[0])-1]
			l[0] = l[0][:len(l[0])-1]
			moved.Seq = l[1][len(l[1])-1].Seq + "9"
			l[1] = append(l[1], moved)
			return l
		}, func(v *bench.Verification) int64 { return v.WrongShard }, 1},
		{"unknown", func(l [][]fakeRecord) [][]fakeRecord {
			l[2] = append(l[2], fakeRecord{Seq: l[2][len(l[2])-1].Seq + "9", Key: "k", Data: []byte("not written by the run")})
			return l
		}, func(v *bench.Verification) int64 { return v.Unknown }, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, url := startFake(t)
			fake.damage = tt.damage
			res, err := bench.Run(context.Background(), quick(url))
			require.ErrorIs(t, err, bench.ErrVerify)
			require.NotNil(t, res.Verify)
			require.False(t, res.Verify.OK)
			require.Equal(t, tt.want, tt.count(res.Verify), "%+v", res.Verify)
			require.NotEmpty(t, res.Verify.Problems)
		})
	}
}

// sameWriterPair returns the places of two records of one writer in a shard's log.
func sameWriterPair(log []fakeRecord) (int, int) {
	first := map[uint64]int{}
	for i, r := range log {
		w := binary.BigEndian.Uint64(r.Data[1:9]) >> 40 // the header's record id names its writer
		if j, ok := first[w]; ok {
			return j, i
		}
		first[w] = i
	}
	panic("no writer has two records in the shard")
}

func TestRun_RefusedRecords(t *testing.T) {
	refuseEvery7th := func(n int) string {
		if n%7 == 3 {
			return "ProvisionedThroughputExceededException"
		}
		return ""
	}
	refused := int64(0)
	for n := range 3000 {
		if refuseEvery7th(n) != "" {
			refused++
		}
	}
	t.Run("not-stored", func(t *testing.T) {
		fake, url := startFake(t)
		fake.refuse = refuseEvery7th
		res := mustRun(t, quick(url))
		require.Equal(t, refused, res.Write.FailedRecords)
		require.Equal(t, 3000-refused, res.Write.Records)
		require.True(t, res.Verify.OK, "%+v", res.Verify)
		require.Equal(t, res.Write.Records, res.Verify.Read)
	})
	t.Run("stored-anyway", func(t *testing.T) {
		fake, url := startFake(t)
		fake.refuse, fake.storeAnyway = refuseEvery7th, true
		res, err := bench.Run(context.Background(), quick(url))
		require.ErrorIs(t, err, bench.ErrVerify)
		require.Equal(t, refused, res.Verify.Unacknowledged)
	})
}

func TestRun_FailingServer(t *testing.T) {
	fake, url := startFake(t)
	fake.status = 500
	cfg := quick(url)
	cfg.Records = 0 // run until the errors stop it
	res, err := bench.Run(context.Background(), cfg)
	require.ErrorIs(t, err, bench.ErrTooManyErrors)
	require.Zero(t, res.Write.Records)
	require.Positive(t, res.Write.Errors)
	var apiErr *bench.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, 500, apiErr.Status)
	require.Equal(t, "InternalFailure", apiErr.Type)
}

func TestRun_Canceled(t *testing.T) {
	_, url := startFake(t)
	cfg := quick(url)
	cfg.Records, cfg.Duration = 0, time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	cfg.Progress = func(p bench.Progress) { cancel() }
	cfg.ProgressInterval = 20 * time.Millisecond
	done := make(chan error, 1)
	go func() {
		_, err := bench.Run(ctx, cfg)
		done <- err
	}()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not stop within 20 s of its context being canceled")
	}
}

func TestRun_Progress(t *testing.T) {
	_, url := startFake(t)
	cfg := quick(url)
	cfg.Records, cfg.Duration = 0, 300*time.Millisecond
	cfg.ProgressInterval = 50 * time.Millisecond
	var seen []bench.Progress
	cfg.Progress = func(p bench.Progress) { seen = append(seen, p) }
	res := mustRun(t, cfg)
	require.NotEmpty(t, seen)
	require.Equal(t, bench.PhaseWrite, seen[0].Phase)
	for i := 1; i < len(seen); i++ {
		if seen[i].Phase == seen[i-1].Phase {
			require.GreaterOrEqual(t, seen[i].Records, seen[i-1].Records, "progress went backwards")
		}
	}
	require.True(t, res.Verify.OK)
	require.GreaterOrEqual(t, res.Write.Seconds, 0.3, "the write phase lasts Duration")
}

func TestRun_BadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  bench.Config
	}{
		{"endpoint", bench.Config{Endpoint: "127.0.0.1:4567"}},
		{"record-too-small", bench.Config{RecordBytes: 8}},
		{"record-too-large", bench.Config{RecordBytes: 2 << 20}},
		{"batch", bench.Config{BatchRecords: 501}},
		{"batch-bytes", bench.Config{BatchRecords: 500, RecordBytes: 1 << 20}},
		{"op", bench.Config{Op: "GetRecords"}},
		{"payload", bench.Config{Payload: "zeros"}},
		{"connections", bench.Config{Connections: -1}},
		{"read-limit", bench.Config{ReadLimit: 10001}},
		{"duration", bench.Config{Duration: -time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := bench.Run(context.Background(), tt.cfg)
			require.ErrorIs(t, err, bench.ErrConfig)
		})
	}
}

func TestRun_KeepsOrDeletesStreams(t *testing.T) {
	for _, keep := range []bool{false, true} {
		fake, url := startFake(t)
		cfg := quick(url)
		cfg.KeepStreams = keep
		res := mustRun(t, cfg)
		fake.mu.Lock()
		_, kept := fake.streams[res.Streams[0]]
		fake.mu.Unlock()
		require.Equal(t, keep, kept, "KeepStreams %v: stream kept", keep)
	}
}

func TestParseOpAndPayload(t *testing.T) {
	for _, s := range []string{"putrecords", "PutRecords"} {
		op, err := bench.ParseOp(s)
		require.NoError(t, err)
		require.Equal(t, bench.OpPutRecords, op)
	}
	op, err := bench.ParseOp("putrecord")
	require.NoError(t, err)
	require.Equal(t, bench.OpPutRecord, op)
	_, err = bench.ParseOp("getrecords")
	require.ErrorIs(t, err, bench.ErrConfig)
	p, err := bench.ParsePayload("text")
	require.NoError(t, err)
	require.Equal(t, bench.PayloadText, p)
	_, err = bench.ParsePayload("TEXT")
	require.ErrorIs(t, err, bench.ErrConfig)
}

// TestRun_InterruptedDeletesStreams: a run whose context is cancelled in the middle of its
// write phase (Ctrl-C) still deletes its streams, unless KeepStreams is set.
func TestRun_InterruptedDeletesStreams(t *testing.T) {
	for _, keep := range []bool{false, true} {
		fake, url := startFake(t)
		cfg := quick(url)
		cfg.Records, cfg.Duration, cfg.KeepStreams = 0, time.Minute, keep
		cfg.ProgressInterval = 10 * time.Millisecond
		ctx, cancel := context.WithCancel(context.Background())
		cfg.Progress = func(p bench.Progress) {
			if p.Records > 0 {
				cancel()
			}
		}
		res, err := bench.Run(ctx, cfg)
		cancel()
		require.ErrorIs(t, err, context.Canceled, "KeepStreams %v", keep)
		require.Len(t, res.Streams, 1)
		fake.mu.Lock()
		_, kept := fake.streams[res.Streams[0]]
		fake.mu.Unlock()
		require.Equal(t, keep, kept, "KeepStreams %v: stream kept after an interrupted run", keep)
	}
}
