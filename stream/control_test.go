package stream_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/stream"
)

func TestStore_StatusLifecycle(t *testing.T) {
	c := newClock()
	opts := testOptions(c)
	opts.CreateDelay, opts.DeleteDelay = 500*time.Millisecond, 500*time.Millisecond
	dir := t.TempDir()
	s := mustOpenDir(t, dir, opts)

	require.NoError(t, s.CreateStream("orders", stream.StreamConfig{ShardCount: 3}))
	info, more, err := s.DescribeStream("orders", 0, "")
	require.NoError(t, err)
	require.Equal(t, stream.StatusCreating, info.Status)
	require.Empty(t, info.Shards, "a CREATING stream lists no shards")
	require.False(t, more)

	// CREATING: writes and iterators see no stream.
	_, err = s.PutRecords(&stream.PutRecordsRequest{StreamName: "orders", Entries: []stream.PutEntry{{PartitionKey: "k"}}}, nil)
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, "Stream orders under account "+acct+" not found.")
	_, err = s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "orders", ShardID: "shardId-0", Type: stream.TrimHorizon})
	requireKinesisError(t, err, kinesis.TypeResourceNotFound,
		"Shard shardId-000000000000 in stream orders under account "+acct+" does not exist")
	requireKinesisError(t, s.CreateStream("orders", stream.StreamConfig{ShardCount: 1}), kinesis.TypeResourceInUse,
		"Stream orders under account "+acct+" already exists.")

	c.Advance(499 * time.Millisecond)
	info, err = s.DescribeStreamSummary("orders")
	require.NoError(t, err)
	require.Equal(t, stream.StatusCreating, info.Status, "1 ms before the delay ends")

	c.Advance(time.Millisecond)
	info, _, err = s.DescribeStream("orders", 0, "")
	require.NoError(t, err)
	require.Equal(t, stream.StatusActive, info.Status)
	require.Len(t, info.Shards, 3)
	require.Equal(t, t0/1000, info.Shards[0].CreatedSec)
	put(t, s, "orders", "k", "v")

	require.NoError(t, s.DeleteStream("orders"))
	require.NoError(t, s.DeleteStream("orders"), "deleting a DELETING stream")
	info, err = s.DescribeStreamSummary("orders")
	require.NoError(t, err)
	require.Equal(t, stream.StatusDeleting, info.Status)
	_, err = s.PutRecords(&stream.PutRecordsRequest{StreamName: "orders", Entries: []stream.PutEntry{{PartitionKey: "k"}}}, nil)
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, "Stream orders under account "+acct+" not found.")
	requireKinesisError(t, s.CreateStream("orders", stream.StreamConfig{ShardCount: 1}), kinesis.TypeResourceInUse,
		"Stream orders under account "+acct+" already exists.")

	c.Advance(500 * time.Millisecond)
	_, err = s.DescribeStreamSummary("orders")
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, "Stream orders under account "+acct+" not found.")
	entries, err := os.ReadDir(filepath.Join(dir, "streams"))
	require.NoError(t, err)
	require.Empty(t, entries, "the deleted stream's files")
	_, err = os.Stat(filepath.Join(dir, "catalog", "orders.json"))
	require.True(t, os.IsNotExist(err))
	require.NoError(t, s.CreateStream("orders", stream.StreamConfig{ShardCount: 1}), "the name is free again")
}

func TestStore_DeleteWhileCreating(t *testing.T) {
	c := newClock()
	opts := testOptions(c)
	opts.CreateDelay = time.Second
	s := mustOpen(t, opts)
	require.NoError(t, s.CreateStream("a", stream.StreamConfig{ShardCount: 2}))
	require.NoError(t, s.DeleteStream("a"))
	_, err := s.DescribeStreamSummary("a")
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, "Stream a under account "+acct+" not found.")
	c.Advance(2 * time.Second)
	_, err = s.DescribeStreamSummary("a")
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, "Stream a under account "+acct+" not found.")
}

func TestStore_CreateStream(t *testing.T) {
	limit := "This request would exceed the shard limit for the account " + acct + " in " + region +
		". Current shard count for the account: %d. Limit: 10. Number of additional shards that would have resulted " +
		"from this request: %d. Refer to the AWS Service Limits page " +
		"(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits."
	tests := []struct {
		name      string
		cfg       stream.StreamConfig
		mode      stream.StreamMode
		shards    int
		errType   string
		errMsg    string
		createErr bool // not a Kinesis error
	}{
		{name: "provisioned", cfg: stream.StreamConfig{ShardCount: 3}, mode: stream.ModeProvisioned, shards: 3},
		{name: "on-demand by default", cfg: stream.StreamConfig{}, mode: stream.ModeOnDemand, shards: 4},
		{name: "on-demand with a count", cfg: stream.StreamConfig{Mode: stream.ModeOnDemand, ShardCount: 2},
			errType: kinesis.TypeInvalidArgument, errMsg: "ShardCount is not expected when StreamMode=ON_DEMAND"},
		{name: "provisioned without a count", cfg: stream.StreamConfig{Mode: stream.ModeProvisioned},
			errType: kinesis.TypeValidation,
			errMsg:  "1 validation error detected: Value null at 'shardCount' failed to satisfy constraint: Member must not be null"},
		{name: "over the limit", cfg: stream.StreamConfig{ShardCount: 9}, errType: kinesis.TypeLimitExceeded, errMsg: fmt.Sprintf(limit, 2, 9)},
		{name: "tags", cfg: stream.StreamConfig{ShardCount: 1, Tags: map[string]string{"b": "2", "a": "1"}}, mode: stream.ModeProvisioned, shards: 1},
		{name: "bad tag", cfg: stream.StreamConfig{ShardCount: 1, Tags: map[string]string{"a;": "1"}}, errType: kinesis.TypeInvalidArgument,
			errMsg: "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @."},
		{name: "bad mode", cfg: stream.StreamConfig{Mode: "FAST", ShardCount: 1}, createErr: true},
		{name: "bad record size", cfg: stream.StreamConfig{ShardCount: 1, MaxRecordSizeKiB: 10}, createErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions(newClock())
			opts.ShardLimit = 10
			s := mustOpen(t, opts)
			mustCreate(t, s, "other", 2)
			err := s.CreateStream("s", tt.cfg)
			switch {
			case tt.createErr:
				require.Error(t, err)
				return
			case tt.errType != "":
				requireKinesisError(t, err, tt.errType, tt.errMsg)
				return
			}
			require.NoError(t, err)
			info, err := s.DescribeStreamSummary("s")
			require.NoError(t, err)
			require.Equal(t, tt.mode, info.Mode)
			require.Equal(t, tt.shards, info.OpenShardCount())
			require.Equal(t, "arn:aws:kinesis:"+region+":"+acct+":stream/s", info.ARN())
			require.Equal(t, kinesis.DefaultRetentionHours, info.RetentionHours)
			require.Equal(t, stream.EncryptionNone, info.Encryption)
			require.Equal(t, t0, info.CreatedMs)
			if tt.cfg.Tags != nil {
				require.Equal(t, []stream.Tag{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}}, info.Tags)
			}
		})
	}
}

func TestStore_CreateStream_LimitCountsCreating(t *testing.T) {
	opts := testOptions(newClock())
	opts.ShardLimit, opts.CreateDelay = 3, time.Second
	s := mustOpen(t, opts)
	require.NoError(t, s.CreateStream("a", stream.StreamConfig{ShardCount: 2}))
	err := s.CreateStream("b", stream.StreamConfig{ShardCount: 2})
	var ke *kinesis.Error
	require.ErrorAs(t, err, &ke)
	require.Contains(t, ke.Message, "Current shard count for the account: 2. Limit: 3.")
	lim, err := s.DescribeLimits()
	require.NoError(t, err)
	require.Equal(t, stream.Limits{ShardLimit: 3, OpenShardCount: 2, OnDemandStreamCountLimit: 50}, lim)
}

func TestStore_DescribeStream_Paging(t *testing.T) {
	s := mustOpen(t, testOptions(newClock()))
	mustCreate(t, s, "a", 5)
	tests := []struct {
		limit    int
		start    string
		want     []string
		wantMore bool
	}{
		{limit: 0, want: []string{"shardId-000000000000", "shardId-000000000001", "shardId-000000000002", "shardId-000000000003", "shardId-000000000004"}},
		{limit: 2, want: []string{"shardId-000000000000", "shardId-000000000001"}, wantMore: true},
		{limit: 2, start: "shardId-000000000001", want: []string{"shardId-000000000002", "shardId-000000000003"}, wantMore: true},
		{limit: 2, start: "shardId-3", want: []string{"shardId-000000000004"}},
		{limit: 2, start: "shardId-000000000004"},
		{limit: 10000, start: "a", want: []string{"shardId-000000000000", "shardId-000000000001", "shardId-000000000002", "shardId-000000000003", "shardId-000000000004"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("limit=%d/start=%s", tt.limit, tt.start), func(t *testing.T) {
			info, more, err := s.DescribeStream("a", tt.limit, tt.start)
			require.NoError(t, err)
			var ids []string
			for _, sh := range info.Shards {
				ids = append(ids, sh.ID)
			}
			require.Equal(t, tt.want, ids)
			require.Equal(t, tt.wantMore, more)
		})
	}
	_, _, err := s.DescribeStream("nope", 0, "")
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, "Stream nope under account "+acct+" not found.")
}

func TestStore_ListStreams_Paging(t *testing.T) {
	c := newClock()
	s := mustOpen(t, testOptions(c))
	var all []string
	for i := range 5 {
		name := fmt.Sprintf("s%d", i)
		mustCreate(t, s, name, 1)
		all = append(all, name)
	}
	// Page through with NextToken, two at a time.
	var got []string
	token := ""
	for {
		page, next, err := s.ListStreams(2, "", token)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page), 2)
		for _, info := range page {
			got = append(got, info.Name)
			require.Nil(t, info.Shards)
			require.Equal(t, stream.StatusActive, info.Status)
		}
		if next == "" {
			break
		}
		token = next
	}
	require.Equal(t, all, got)

	page, next, err := s.ListStreams(0, "s2", "")
	require.NoError(t, err)
	require.Empty(t, next)
	require.Len(t, page, 2)
	require.Equal(t, "s3", page[0].Name)

	_, next, err = s.ListStreams(1, "", "")
	require.NoError(t, err)
	c.Advance(kinesis.NextTokenLifetime + time.Millisecond)
	_, _, err = s.ListStreams(1, "", next)
	requireKinesisError(t, err, kinesis.TypeExpiredNextToken, "The NextToken has expired. NextTokens are valid for 300000 milliseconds.")
	_, _, err = s.ListStreams(1, "", "not-a-token")
	requireKinesisError(t, err, kinesis.TypeInvalidArgument, "Invalid NextToken.")
}

func TestStore_RetentionPeriod(t *testing.T) {
	s := mustOpen(t, testOptions(newClock()))
	mustCreate(t, s, "a", 2)
	tests := []struct {
		name     string
		increase bool
		hours    int
		errMsg   string // InvalidArgumentException when set
		want     int
	}{
		{name: "increase", increase: true, hours: 48, want: 48},
		{name: "increase to the same", increase: true, hours: 48, want: 48},
		{name: "increase to less", increase: true, hours: 30,
			errMsg: "Requested retention period (30 hours) for stream a can not be shorter than existing retention period (48 hours). Use DecreaseRetentionPeriod API."},
		{name: "decrease to more", hours: 100,
			errMsg: "Requested retention period (100 hours) for stream a can not be longer than existing retention period (48 hours). Use IncreaseRetentionPeriod API."},
		{name: "too short", hours: 23, errMsg: "Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too short."},
		{name: "too long", increase: true, hours: 8761, errMsg: "Maximum allowed retention period is 8760 hours. Requested retention period (8761 hours) is too long."},
		{name: "increase to the most", increase: true, hours: 8760, want: 8760},
		{name: "decrease", hours: 24, want: 24},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.increase {
				err = s.IncreaseStreamRetentionPeriod("a", tt.hours)
			} else {
				err = s.DecreaseStreamRetentionPeriod("a", tt.hours)
			}
			if tt.errMsg != "" {
				requireKinesisError(t, err, kinesis.TypeInvalidArgument, tt.errMsg)
				return
			}
			require.NoError(t, err)
			info, err := s.DescribeStreamSummary("a")
			require.NoError(t, err)
			require.Equal(t, tt.want, info.RetentionHours)
		})
	}
	requireKinesisError(t, s.IncreaseStreamRetentionPeriod("nope", 48), kinesis.TypeResourceNotFound,
		"Stream nope under account "+acct+" not found.")
}

func TestStore_Tags(t *testing.T) {
	s := mustOpen(t, testOptions(newClock()))
	mustCreate(t, s, "a", 1)
	arn := "arn:aws:kinesis:" + region + ":" + acct + ":stream/a"
	listAll := func() []stream.Tag {
		t.Helper()
		tags, more, err := s.ListTagsForStream("a", "", 0)
		require.NoError(t, err)
		require.False(t, more)
		return tags
	}
	require.Empty(t, listAll())

	require.NoError(t, s.AddTagsToStream("a", map[string]string{"k2": "v2", "k1": "v1", "ü0 _.": "/=+-@:"}))
	require.NoError(t, s.AddTagsToStream("a", map[string]string{"k1": "new"}))
	require.Equal(t, []stream.Tag{{Key: "k1", Value: "new"}, {Key: "k2", Value: "v2"}, {Key: "ü0 _.", Value: "/=+-@:"}}, listAll())

	tags, more, err := s.ListTagsForStream("a", "k1", 1)
	require.NoError(t, err)
	require.True(t, more)
	require.Equal(t, []stream.Tag{{Key: "k2", Value: "v2"}}, tags)

	require.NoError(t, s.RemoveTagsFromStream("a", []string{"k2", "missing"}))
	require.Equal(t, []stream.Tag{{Key: "k1", Value: "new"}, {Key: "ü0 _.", Value: "/=+-@:"}}, listAll())

	require.NoError(t, s.TagResource(arn, map[string]string{"r": "1"}))
	require.NoError(t, s.UntagResource(arn, []string{"k1"}))
	tags, err = s.ListTagsForResource(arn)
	require.NoError(t, err)
	require.Equal(t, []stream.Tag{{Key: "r", Value: "1"}, {Key: "ü0 _.", Value: "/=+-@:"}}, tags)

	many := map[string]string{}
	for i := range 49 {
		many[fmt.Sprint("m", i)] = ""
	}
	errTests := []struct {
		name string
		err  error
		typ  string
		msg  string
	}{
		{"bad character", s.AddTagsToStream("a", map[string]string{"a": "b;"}), kinesis.TypeInvalidArgument,
			"Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @."},
		{"percent", s.AddTagsToStream("a", map[string]string{"a%": "b"}), kinesis.TypeInvalidArgument,
			"Failed to add tags to stream a under account " + acct + " because some tags contained illegal characters. " +
				"The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'."},
		{"percent in remove", s.RemoveTagsFromStream("a", []string{"a%"}), kinesis.TypeInvalidArgument,
			"Failed to remove tags from stream a under account " + acct + " because some tags contained illegal characters. " +
				"The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'."},
		{"too many", s.AddTagsToStream("a", many), kinesis.TypeInvalidArgument,
			"Failed to add tags to stream a under account " + acct + " because a given stream cannot have more than 10 tags associated with it."},
		{"no stream", s.AddTagsToStream("nope", map[string]string{"a": "b"}), kinesis.TypeResourceNotFound,
			"Stream nope under account " + acct + " not found."},
		{"no resource", s.TagResource("arn:aws:kinesis:"+region+":"+acct+":stream/nope", map[string]string{"a": "b"}),
			kinesis.TypeResourceNotFound, "Resource arn:aws:kinesis:" + region + ":" + acct + ":stream/nope not found."},
		{"other account", s.TagResource("arn:aws:kinesis:"+region+":111111111111:stream/a", map[string]string{"a": "b"}),
			kinesis.TypeResourceNotFound, "Resource arn:aws:kinesis:" + region + ":111111111111:stream/a not found."},
		{"consumer", s.UntagResource(arn+"/consumer/c:1", []string{"a"}),
			kinesis.TypeResourceNotFound, "Resource " + arn + "/consumer/c:1 not found."},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) { requireKinesisError(t, tt.err, tt.typ, tt.msg) })
	}
	require.Len(t, listAll(), 2, "failed changes change nothing")
}

func TestStore_Tags_NotWhileCreating(t *testing.T) {
	opts := testOptions(newClock())
	opts.CreateDelay = time.Second
	s := mustOpen(t, opts)
	require.NoError(t, s.CreateStream("a", stream.StreamConfig{ShardCount: 1, Tags: map[string]string{"k": "v"}}))
	requireKinesisError(t, s.AddTagsToStream("a", map[string]string{"x": "y"}), kinesis.TypeResourceNotFound,
		"Stream a under account "+acct+" not found.")
	tags, _, err := s.ListTagsForStream("a", "", 0)
	require.NoError(t, err)
	require.Equal(t, []stream.Tag{{Key: "k", Value: "v"}}, tags, "tags given at creation apply from CREATING")
}
