package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/stream"
)

// streamState is what the declared-stream tests compare of a stream across restarts.
type streamState struct {
	Status    types.StreamStatus
	Mode      types.StreamMode
	Shards    int32
	Retention int32
	Created   time.Time
	Consumers int32
}

func describeState(t *testing.T, kc *kinesis.Client, name string) streamState {
	t.Helper()
	out, err := kc.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	require.NoError(t, err, "DescribeStreamSummary(%s)", name)
	s := out.StreamDescriptionSummary
	return streamState{Status: s.StreamStatus, Mode: s.StreamModeDetails.StreamMode, Shards: aws.ToInt32(s.OpenShardCount),
		Retention: aws.ToInt32(s.RetentionPeriodHours), Created: aws.ToTime(s.StreamCreationTimestamp), Consumers: aws.ToInt32(s.ConsumerCount)}
}

// TestServe_Streams: --streams creates the missing streams ACTIVE at once, although new
// streams would stay CREATING for an hour; a restart with the same flags changes nothing
// and logs no conflict; a restart that declares another shard count or mode logs a WARN
// for each difference and leaves the stream as it is.
func TestServe_Streams(t *testing.T) {
	dir := t.TempDir()
	args := []string{"--create-stream-delay", "1h", "--streams", "orders:4,events:1:ON_DEMAND"}
	srv := startServer(t, dir, args...)
	kc := newClient(srv.Endpoint)
	orders, events := describeState(t, kc, "orders"), describeState(t, kc, "events")
	require.Equal(t, streamState{Status: types.StreamStatusActive, Mode: types.StreamModeProvisioned, Shards: 4, Retention: 24, Created: orders.Created}, orders)
	require.Equal(t, streamState{Status: types.StreamStatusActive, Mode: types.StreamModeOnDemand, Shards: 1, Retention: 24, Created: events.Created}, events)
	require.Equal(t, 2, strings.Count(srv.Log(), "declared stream created"), "log:\n%s", srv.Log())
	mustPutRecord(t, kc, "orders", "kept")
	srv.Stop(t)

	srv = startServer(t, dir, args...)
	kc = newClient(srv.Endpoint)
	require.Equal(t, orders, describeState(t, kc, "orders"), "orders after a restart with the same flags")
	require.Equal(t, events, describeState(t, kc, "events"), "events after a restart with the same flags")
	require.NotContains(t, srv.Log(), "declared stream created")
	require.NotContains(t, srv.Log(), "level=WARN")
	require.Len(t, readStream(t, kc, "orders"), 1, "records of orders after the restart")
	srv.Stop(t)

	srv = startServer(t, dir, "--streams", "orders:2,events:1:PROVISIONED")
	kc = newClient(srv.Endpoint)
	require.Equal(t, orders, describeState(t, kc, "orders"), "orders after a conflicting declaration")
	require.Equal(t, events, describeState(t, kc, "events"), "events after a conflicting declaration")
	log := srv.Log()
	require.Contains(t, log, `level=WARN msg="declared stream differs from the one on disk, which is left as it is" stream=orders conflict="declared with 2 shards, it has 4 open shards"`)
	require.Contains(t, log, `level=WARN msg="declared stream differs from the one on disk, which is left as it is" stream=events conflict="declared PROVISIONED, it is ON_DEMAND"`)
}

// mustPutRecord writes one record.
func mustPutRecord(t *testing.T, kc *kinesis.Client, name, data string) {
	t.Helper()
	_, err := kc.PutRecord(context.Background(), &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String("k"), Data: []byte(data)})
	require.NoError(t, err)
}

// TestServe_Config: --config declares streams with their retention, tags and consumers,
// from JSON and from YAML, beside --streams; a restart changes nothing, and a changed
// retention period is a WARN.
func TestServe_Config(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"shardlog.json": `{"streams": [
  {"name": "orders", "shards": 3, "retentionHours": 48, "tags": {"team": "payments"}, "consumers": ["billing", "audit"]},
  {"name": "clicks", "mode": "ON_DEMAND"}
]}`,
		"shardlog.yaml": `streams:
  - name: orders
    shards: 3
    retentionHours: 48
    tags: {team: payments}
    consumers: [billing, audit]
  - name: clicks
    mode: on_demand
`,
	}
	for file, body := range files {
		t.Run(file, func(t *testing.T) {
			dir := t.TempDir()
			cfg := filepath.Join(t.TempDir(), file)
			require.NoError(t, os.WriteFile(cfg, []byte(body), 0o600))
			args := []string{"--config", cfg, "--streams", "events"}
			srv := startServer(t, dir, args...)
			kc := newClient(srv.Endpoint)
			orders := describeState(t, kc, "orders")
			require.Equal(t, streamState{Status: types.StreamStatusActive, Mode: types.StreamModeProvisioned, Shards: 3, Retention: 48,
				Created: orders.Created, Consumers: 2}, orders)
			require.Equal(t, int32(stream.DefaultOnDemandShardCount), describeState(t, kc, "clicks").Shards)
			require.Equal(t, types.StreamModeOnDemand, describeState(t, kc, "clicks").Mode)
			require.Equal(t, int32(1), describeState(t, kc, "events").Shards)
			tags, err := kc.ListTagsForStream(context.Background(), &kinesis.ListTagsForStreamInput{StreamName: aws.String("orders")})
			require.NoError(t, err)
			require.Len(t, tags.Tags, 1)
			require.Equal(t, "payments", aws.ToString(tags.Tags[0].Value))
			srv.Stop(t)

			srv = startServer(t, dir, args...)
			require.Equal(t, orders, describeState(t, newClient(srv.Endpoint), "orders"), "orders after a restart")
			require.NotContains(t, srv.Log(), "level=WARN")
			srv.Stop(t)

			require.NoError(t, os.WriteFile(cfg, []byte(strings.ReplaceAll(body, "48", "72")), 0o600))
			srv = startServer(t, dir, args...)
			require.Equal(t, orders, describeState(t, newClient(srv.Endpoint), "orders"), "orders after a changed retention")
			require.Contains(t, srv.Log(), `stream=orders conflict="declared with a retention period of 72 hours, it has 48"`)
		})
	}
}

// TestServe_Streams_Invalid: a declaration that cannot be read stops serve before it
// starts, with exit status 2 and the reason.
func TestServe_Streams_Invalid(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no name", []string{"--streams", ":4"}, `--streams ":4": want NAME[:SHARDS[:MODE]]`},
		{"too many parts", []string{"--streams", "a:1:ON_DEMAND:x"}, "want NAME[:SHARDS[:MODE]]"},
		{"zero shards", []string{"--streams", "a:0"}, `shard count "0": want a whole number of at least 1`},
		{"bad mode", []string{"--streams", "a:1:SOMETIMES"}, `mode "SOMETIMES": want PROVISIONED or ON_DEMAND`},
		{"twice", []string{"--streams", "a,a:2"}, `stream "a" is declared twice`},
		{"unknown field", []string{"--config", write("u.json", `{"streams":[{"name":"a","shard":2}]}`)}, `unknown field "shard"`},
		{"no file", []string{"--config", filepath.Join(dir, "missing.json")}, "no such file"},
		{"bad yaml", []string{"--config", write("b.yaml", "streams: [\n")}, "--config"},
		{"unnamed", []string{"--config", write("n.json", `{"streams":[{"shards":2}]}`)}, "streams[0]: a stream without a name"},
		{"bad compression", []string{"--config", write("c.json", `{"streams":[{"name":"a","compression":"lz4"}]}`)}, `streams[0]: stream a: compression: segment: unknown codec: "lz4"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := runServe(append([]string{"--data", filepath.Join(dir, "data")}, tt.args...), &stderr)
			require.Equal(t, 2, code, "serve %v: %s", tt.args, stderr.String())
			require.Contains(t, stderr.String(), tt.want)
		})
	}
}

// TestParseStreamSpec reads the NAME[:SHARDS[:MODE]] of --streams.
func TestParseStreamSpec(t *testing.T) {
	tests := []struct {
		spec string
		want stream.Declaration
	}{
		{"orders", stream.Declaration{Name: "orders", ShardCount: 1}},
		{"orders:4", stream.Declaration{Name: "orders", ShardCount: 4}},
		{"events:1:ON_DEMAND", stream.Declaration{Name: "events", ShardCount: 1, Mode: stream.ModeOnDemand}},
		{"events::on_demand", stream.Declaration{Name: "events", Mode: stream.ModeOnDemand}},
		{"p:2:provisioned", stream.Declaration{Name: "p", ShardCount: 2, Mode: stream.ModeProvisioned}},
	}
	for _, tt := range tests {
		got, err := parseStreamSpec(tt.spec)
		require.NoError(t, err, "parseStreamSpec(%q)", tt.spec)
		require.Equal(t, tt.want, got, "parseStreamSpec(%q)", tt.spec)
	}
}
