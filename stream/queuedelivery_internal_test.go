package stream

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/shard"
)

func sampleQueueRun() *queueRun {
	r := &queueRun{id: "0123456789abcdef0123456789abcdef", next: 300,
		cursors: map[int]uint64{0: 17, 3: 1 << 40},
		recs: map[queueRecKey]*queueRec{
			{shard: 0, offset: 5}:  {receives: 2, firstMs: 1700000000000, visibleMs: 1700000030000, delivery: 299},
			{shard: 3, offset: 99}: {receives: 6, firstMs: 1700000000001, dead: true, delivery: 300},
		}}
	return r
}

// TestQueueState_RoundTrip: the state file decodes to what was encoded.
func TestQueueState_RoundTrip(t *testing.T) {
	r := sampleQueueRun()
	got := &queueRun{cursors: map[int]uint64{}, recs: map[queueRecKey]*queueRec{}}
	require.NoError(t, got.decode(r.encode()))
	require.Equal(t, r.next, got.next)
	require.Equal(t, r.cursors, got.cursors)
	require.Equal(t, r.recs, got.recs)
}

// TestQueueState_Damage: every flipped byte and every truncation of a state file is
// detected, never decoded into another state.
func TestQueueState_Damage(t *testing.T) {
	b := sampleQueueRun().encode()
	for i := range b {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			c := append([]byte(nil), b...)
			c[i] ^= mask
			got := &queueRun{cursors: map[int]uint64{}, recs: map[queueRecKey]*queueRec{}}
			require.Error(t, got.decode(c), "byte %d ^ %#x", i, mask)
		}
	}
	for n := range len(b) {
		got := &queueRun{cursors: map[int]uint64{}, recs: map[queueRecKey]*queueRec{}}
		require.Error(t, got.decode(b[:n]), "truncated to %d bytes", n)
	}
}

// TestReceiptHandle: a handle opens to the delivery it was sealed for, only for its queue,
// and a changed byte makes it no handle.
func TestReceiptHandle(t *testing.T) {
	const id, other = "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"
	for _, h := range []receiptHandle{{shard: 0, offset: 0, delivery: 1}, {shard: 7, offset: 1 << 50, delivery: 1 << 33, dead: true}} {
		s := sealHandle(id, h)
		got, ok := openHandle(id, s)
		require.True(t, ok)
		require.Equal(t, h, got)
		_, ok = openHandle(other, s)
		require.False(t, ok, "another queue's")
		for i := range s {
			for _, c := range []byte{'A', '_', '-', 'z'} {
				if s[i] == c {
					continue
				}
				changed := s[:i] + string(c) + s[i+1:]
				if got, ok := openHandle(id, changed); ok {
					require.Equal(t, h, got, "%q opens to another delivery", changed)
				}
			}
		}
	}
	for _, bad := range []string{"", "garbage", "!!!!", sealHandle(id, receiptHandle{delivery: 1})[:10]} {
		_, ok := openHandle(id, bad)
		require.False(t, ok, bad)
	}
}

// TestQueueWake_SealedShards: an empty receive waits on the shards that can still get
// records: the channel of a parent shard sealed by a split is closed for good, and waiting
// on it would wake the receive at once, again and again, until its wait ended.
func TestQueueWake_SealedShards(t *testing.T) {
	st, err := Open(t.TempDir(), Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Shard: shard.Options{Sync: shard.SyncNone}})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	require.NoError(t, st.CreateStream("s", StreamConfig{ShardCount: 1}))
	require.NoError(t, st.SplitShard("s", "shardId-000000000000", "170141183460469231731687303715884105728"))
	require.NoError(t, st.UpdateStreamMode("s", ModeOnDemand))
	d, err := st.CreateQueue(CreateQueueRequest{Name: "q", StreamARN: st.StreamARN("s")})
	require.NoError(t, err)
	_, v, q, err := st.queueOf(d.ARN, st.nowMs())
	require.NoError(t, err)
	require.Len(t, v.info.Shards, 3, "the parent and its two children")
	r, err := st.queueRunFor(v.info, q.ID)
	require.NoError(t, err)
	w := r.wakeFor(v, false, st.nowMs())
	require.Len(t, w.changed, 2, "the children only")
	for _, ch := range w.changed {
		select {
		case <-ch:
			t.Fatal("a wait channel is closed with no new record")
		default:
		}
	}
}

// TestQueueSettle_PastTheEnd: a delivery state that ran ahead of its shards (records read,
// then lost with the power under a sync policy other than SyncAlways) is taken back to the
// shards' ends, so that the records written since at those offsets are delivered, not
// skipped.
func TestQueueSettle_PastTheEnd(t *testing.T) {
	st, err := Open(t.TempDir(), Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Shard: shard.Options{Sync: shard.SyncNone}})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	require.NoError(t, st.CreateStream("s", StreamConfig{ShardCount: 1, Mode: ModeProvisioned}))
	require.NoError(t, st.UpdateStreamMode("s", ModeOnDemand))
	d, err := st.CreateQueue(CreateQueueRequest{Name: "q", StreamARN: st.StreamARN("s"), Start: QueueStartTrimHorizon})
	require.NoError(t, err)
	_, v, q, err := st.queueOf(d.ARN, st.nowMs())
	require.NoError(t, err)
	r, err := st.queueRunFor(v.info, q.ID)
	require.NoError(t, err)
	r.mu.Lock()
	r.cursors[0], r.next = 5, 7
	r.recs[queueRecKey{shard: 0, offset: 3}] = &queueRec{receives: 1, delivery: 7, visibleMs: st.nowMs() + 1000}
	require.True(t, r.settle(v, q, st.nowMs()))
	require.Equal(t, map[int]uint64{0: 0}, r.cursors)
	require.Empty(t, r.recs)
	r.mu.Unlock()

	_, err = st.PutRecord(&PutRecordRequest{StreamName: "s", Entry: PutEntry{PartitionKey: "k", Data: []byte("after")}})
	require.NoError(t, err)
	recs, err := st.ReceiveQueueRecords(context.Background(), ReceiveRequest{QueueARN: d.ARN})
	require.NoError(t, err)
	require.Len(t, recs, 1)
	require.Equal(t, "after", string(recs[0].Data))
}
