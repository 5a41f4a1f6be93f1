package stream_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/stream"
)

// TestStore_Declare: a declared stream that is missing is created ACTIVE at once, with
// its settings, although new streams stay CREATING for an hour; declaring it again changes
// nothing and reports nothing; a declaration that differs from the stream on disk, or
// names a stream being deleted, is reported, and the stream is left as it is.
func TestStore_Declare(t *testing.T) {
	opts := testOptions(newClock())
	opts.CreateDelay, opts.DeleteDelay = time.Hour, time.Hour
	s := mustOpen(t, opts)

	decls := []stream.Declaration{
		{Name: "orders", ShardCount: 4},
		{Name: "events", ShardCount: 1, Mode: stream.ModeOnDemand, RetentionHours: 48, Tags: map[string]string{"team": "a"}, Consumers: []string{"app"}},
		{Name: "logs", Mode: stream.ModeOnDemand},
	}
	for _, d := range decls {
		got, err := s.Declare(d)
		require.NoError(t, err, "Declare(%s)", d.Name)
		require.Equal(t, stream.Declared{Created: true}, got, "Declare(%s)", d.Name)
	}
	want := []struct {
		name      string
		mode      stream.StreamMode
		shards    int
		retention int
		tags      int
		consumers int
	}{
		{"orders", stream.ModeProvisioned, 4, 24, 0, 0},
		{"events", stream.ModeOnDemand, 1, 48, 1, 1},
		{"logs", stream.ModeOnDemand, stream.DefaultOnDemandShardCount, 24, 0, 0},
	}
	for _, w := range want {
		info, err := s.DescribeStreamSummary(w.name)
		require.NoError(t, err)
		require.Equal(t, stream.StatusActive, info.Status, "%s status", w.name)
		require.Equal(t, w.mode, info.Mode, "%s mode", w.name)
		require.Equal(t, w.shards, info.OpenShardCount(), "%s open shards", w.name)
		require.Equal(t, w.retention, info.RetentionHours, "%s retention", w.name)
		require.Len(t, info.Tags, w.tags, "%s tags", w.name)
		require.Len(t, info.Consumers, w.consumers, "%s consumers", w.name)
	}

	for _, d := range decls {
		got, err := s.Declare(d)
		require.NoError(t, err, "Declare(%s) again", d.Name)
		require.Equal(t, stream.Declared{}, got, "Declare(%s) again", d.Name)
	}

	got, err := s.Declare(stream.Declaration{Name: "orders", ShardCount: 2, Mode: stream.ModeOnDemand, RetentionHours: 72})
	require.NoError(t, err)
	require.Equal(t, []string{"declared with 2 shards, it has 4 open shards", "declared ON_DEMAND, it is PROVISIONED",
		"declared with a retention period of 72 hours, it has 24"}, got.Conflicts)
	info, err := s.DescribeStreamSummary("orders")
	require.NoError(t, err)
	require.Equal(t, 4, info.OpenShardCount(), "orders after a conflicting declaration")
	require.Equal(t, stream.ModeProvisioned, info.Mode)

	require.NoError(t, s.DeleteStream("logs"))
	got, err = s.Declare(stream.Declaration{Name: "logs", Mode: stream.ModeOnDemand})
	require.NoError(t, err)
	require.Equal(t, []string{"it is DELETING: it will be gone, and not declared again until the next start"}, got.Conflicts)
}

// TestStore_Declare_Invalid: a declaration the store cannot hold is an error, and creates
// nothing.
func TestStore_Declare_Invalid(t *testing.T) {
	s := mustOpen(t, testOptions(newClock()))
	for _, d := range []stream.Declaration{
		{Name: "no-shards"},
		{Name: "bad-mode", ShardCount: 1, Mode: "SOMETIMES"},
		{Name: "short", ShardCount: 1, RetentionHours: 12},
		{Name: "long", ShardCount: 1, RetentionHours: 9000},
		{Name: "bad name!", ShardCount: 1},
	} {
		_, err := s.Declare(d)
		require.Error(t, err, "Declare(%+v)", d)
	}
	n, err := s.StreamCount()
	require.NoError(t, err)
	require.Zero(t, n, "streams after invalid declarations")
}
