package stream_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/stream"
)

// shardIDs returns the ids of shards.
func shardIDs(shards []stream.ShardInfo) []string {
	var ids []string
	for _, sh := range shards {
		ids = append(ids, sh.ID)
	}
	return ids
}

func TestStore_ListShards(t *testing.T) {
	c := newClock()
	s := mustOpen(t, testOptions(c))
	mustCreate(t, s, "a", 4)
	c.Advance(time.Hour)
	all := []string{"shardId-000000000000", "shardId-000000000001", "shardId-000000000002", "shardId-000000000003"}
	tests := []struct {
		name string
		req  stream.ListShardsRequest
		want []string
	}{
		{"all", stream.ListShardsRequest{}, all},
		{"after a shard", stream.ListShardsRequest{ExclusiveStartShardID: "shardId-000000000001"}, all[2:]},
		{"after a lenient shard id", stream.ListShardsRequest{ExclusiveStartShardID: "shard-2"}, all[3:]},
		{"creation time", stream.ListShardsRequest{StreamCreationTimestamp: time.UnixMilli(t0)}, all},
		{"creation time, whole seconds", stream.ListShardsRequest{StreamCreationTimestamp: time.Unix(t0/1000, 0)}, all},
		{"AFTER_SHARD_ID", stream.ListShardsRequest{Filter: &stream.ShardFilter{Type: stream.FilterAfterShardID, ShardID: "shardId-000000000000"}}, all[1:]},
		{"AT_LATEST", stream.ListShardsRequest{Filter: &stream.ShardFilter{Type: stream.FilterAtLatest}}, all},
		{"AT_TRIM_HORIZON", stream.ListShardsRequest{Filter: &stream.ShardFilter{Type: stream.FilterAtTrimHorizon}}, all},
		{"FROM_TRIM_HORIZON", stream.ListShardsRequest{Filter: &stream.ShardFilter{Type: stream.FilterFromTrimHorizon}}, all},
		{"AT_TIMESTAMP before the stream", stream.ListShardsRequest{Filter: &stream.ShardFilter{Type: stream.FilterAtTimestamp, Timestamp: time.UnixMilli(1)}}, all},
		{"AT_TIMESTAMP now", stream.ListShardsRequest{Filter: &stream.ShardFilter{Type: stream.FilterAtTimestamp, Timestamp: c.Now()}}, all},
		{"FROM_TIMESTAMP", stream.ListShardsRequest{Filter: &stream.ShardFilter{Type: stream.FilterFromTimestamp, Timestamp: time.UnixMilli(t0)}}, all},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.StreamName = "a"
			shards, next, err := s.ListShards(tt.req)
			require.NoError(t, err)
			require.Empty(t, next)
			require.Equal(t, tt.want, shardIDs(shards))
		})
	}
}

func TestStore_ListShards_Paging(t *testing.T) {
	c := newClock()
	s := mustOpen(t, testOptions(c))
	mustCreate(t, s, "a", 5)
	var got []string
	req := stream.ListShardsRequest{StreamName: "a", MaxResults: 2, Filter: &stream.ShardFilter{Type: stream.FilterAfterShardID, ShardID: "shardId-0"}}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 3)
		shards, next, err := s.ListShards(req)
		require.NoError(t, err)
		require.LessOrEqual(t, len(shards), 2)
		got = append(got, shardIDs(shards)...)
		if next == "" {
			break
		}
		req = stream.ListShardsRequest{NextToken: next, MaxResults: 2}
	}
	require.Equal(t, []string{"shardId-000000000001", "shardId-000000000002", "shardId-000000000003", "shardId-000000000004"}, got)

	_, next, err := s.ListShards(stream.ListShardsRequest{StreamName: "a", MaxResults: 1})
	require.NoError(t, err)
	require.NotEmpty(t, next)
	c.Advance(kinesis.NextTokenLifetime + time.Millisecond)
	_, _, err = s.ListShards(stream.ListShardsRequest{NextToken: next})
	requireKinesisError(t, err, kinesis.TypeExpiredNextToken, "The NextToken has expired. NextTokens are valid for 300000 milliseconds.")

	// A token of a stream deleted and created again names a stream that is gone.
	_, next, err = s.ListShards(stream.ListShardsRequest{StreamName: "a", MaxResults: 1})
	require.NoError(t, err)
	require.NoError(t, s.DeleteStream("a"))
	mustCreate(t, s, "a", 5)
	_, _, err = s.ListShards(stream.ListShardsRequest{NextToken: next})
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, "Stream a under account "+acct+" not found.")
}

func TestStore_ListShards_Errors(t *testing.T) {
	opts := testOptions(newClock())
	s := mustOpen(t, opts)
	mustCreate(t, s, "a", 1)
	_, token, err := s.ListShards(stream.ListShardsRequest{StreamName: "a", MaxResults: 1})
	require.NoError(t, err)
	require.Empty(t, token, "one shard fits one page")
	token = "eyJ2IjoxLCJrIjoic2hhcmRzIiwidCI6MCwicyI6ImEifQ" // a token from another time
	tests := []struct {
		name string
		req  stream.ListShardsRequest
		typ  string
		msg  string
	}{
		{"neither", stream.ListShardsRequest{}, kinesis.TypeInvalidArgument, "Either NextToken or StreamName should be provided."},
		{"both", stream.ListShardsRequest{StreamName: "a", NextToken: token}, kinesis.TypeInvalidArgument, "NextToken and StreamName cannot be provided together."},
		{"token and start", stream.ListShardsRequest{NextToken: token, ExclusiveStartShardID: "shardId-0"}, kinesis.TypeInvalidArgument,
			"NextToken and ExclusiveStartShardId cannot be provided together."},
		{"token and time", stream.ListShardsRequest{NextToken: token, StreamCreationTimestamp: time.UnixMilli(t0)}, kinesis.TypeInvalidArgument,
			"NextToken and StreamCreationTimestamp cannot be provided together."},
		{"token and filter", stream.ListShardsRequest{NextToken: token, Filter: &stream.ShardFilter{Type: stream.FilterAtLatest}}, kinesis.TypeInvalidArgument,
			"NextToken and ShardFilter cannot be provided together."},
		{"bad token", stream.ListShardsRequest{NextToken: "!!"}, kinesis.TypeInvalidArgument, "Invalid NextToken."},
		{"old token", stream.ListShardsRequest{NextToken: token}, kinesis.TypeExpiredNextToken,
			"The NextToken has expired. NextTokens are valid for 300000 milliseconds."},
		{"AFTER_SHARD_ID without a shard", stream.ListShardsRequest{StreamName: "a", Filter: &stream.ShardFilter{Type: stream.FilterAfterShardID}},
			kinesis.TypeInvalidArgument, "ShardId must be supplied in a ShardFilter with a Type of AFTER_SHARD_ID"},
		{"AT_TIMESTAMP without a time", stream.ListShardsRequest{StreamName: "a", Filter: &stream.ShardFilter{Type: stream.FilterAtTimestamp}},
			kinesis.TypeInvalidArgument, "Timestamp must be supplied in a ShardFilter with a Type of FROM_TIMESTAMP or AT_TIMESTAMP"},
		{"no stream", stream.ListShardsRequest{StreamName: "b"}, kinesis.TypeResourceNotFound, "Stream b under account " + acct + " not found."},
		{"another creation time", stream.ListShardsRequest{StreamName: "a", StreamCreationTimestamp: time.UnixMilli(t0 - 1000)},
			kinesis.TypeResourceNotFound, "Stream a under account " + acct + " not found."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := s.ListShards(tt.req)
			requireKinesisError(t, err, tt.typ, tt.msg)
		})
	}
}

func TestStore_ListShards_Creating(t *testing.T) {
	opts := testOptions(newClock())
	opts.CreateDelay = time.Second
	s := mustOpen(t, opts)
	require.NoError(t, s.CreateStream("a", stream.StreamConfig{ShardCount: 2}))
	shards, next, err := s.ListShards(stream.ListShardsRequest{StreamName: "a"})
	require.NoError(t, err)
	require.Empty(t, shards)
	require.Empty(t, next)
}
