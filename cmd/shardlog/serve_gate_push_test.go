package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/stream"
)

// TestGate_Push: with --limits aws the gate meters SubscribeToShard's pushes, 2 MiB/s per
// consumer and shard, in each account and region apart, and only on the streams of
// --limits-streams; with --inject alone it does not bound them.
func TestGate_Push(t *testing.T) {
	clock := testutil.NewClock(1_700_000_000_000)
	gt, _, err := gateFlags{limits: "aws", limitsStreams: listFlag{"s"}}.build("000000000000", clock.Now)
	require.NoError(t, err)
	var g stream.PushGate = gt
	at := stream.GateShard{Stream: "s", ShardID: "shardId-000000000000"}
	n, _ := g.Push("c", at)
	require.Equal(t, int64(2<<20), n)
	g.PushDone("c", at, 2<<20)
	n, wait := g.Push("c", at)
	require.Zero(t, n)
	require.Equal(t, 15625*time.Microsecond, wait)

	other := at
	other.Account = "111111111111"
	n, _ = g.Push("c", other)
	require.Equal(t, int64(2<<20), n, "another account's meter")

	unmetered := stream.GateShard{Stream: "t", ShardID: "shardId-000000000000"}
	g.PushDone("c", unmetered, 100<<20)
	n, _ = g.Push("c", unmetered)
	require.Equal(t, int64(-1), n, "a stream outside --limits-streams")

	injectOnly, _, err := gateFlags{inject: "GetRecords:InternalFailure:0.5"}.build("000000000000", clock.Now)
	require.NoError(t, err)
	n, _ = injectOnly.Push("c", at)
	require.Equal(t, int64(-1), n, "--inject without --limits")
}
