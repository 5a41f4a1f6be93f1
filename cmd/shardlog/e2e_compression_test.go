package main

import (
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/segment"
)

// TestServe_Compression: --compression (or SHARDLOG_COMPRESSION, default s2) reaches the
// shards, so batches of JSON events are stored with the codec asked for; a server restarted
// with another codec, or none, reads everything written before byte for byte.
func TestServe_Compression(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	const name = "events"
	rng := rand.New(rand.NewPCG(14, 4))
	var want []string
	put := func(c *kinesis.Client, round int) {
		t.Helper()
		var entries []types.PutRecordsRequestEntry
		for i := range 100 {
			data := fmt.Appendf(nil, `{"event":"click","round":%d,"n":%d,"page":"/catalog/shoes?color=red","session":"s-%04d"}`, round, i, i%17)
			if i%10 == 9 { // a few records of random bytes among the JSON
				data = make([]byte, 300)
				for j := range data {
					data[j] = byte(rng.Uint32())
				}
			}
			entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: data})
			want = append(want, string(data))
		}
		out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: entries})
		require.NoError(t, err)
		require.EqualValues(t, 0, aws.ToInt32(out.FailedRecordCount))
	}

	steps := []struct {
		args []string
		env  string // SHARDLOG_COMPRESSION, if set
		want segment.Codec
	}{
		{want: segment.CodecS2}, // the default
		{env: "zstd", want: segment.CodecZstd},
		{args: []string{"--compression", "none"}, want: segment.CodecNone}, // the flag wins over the environment
		{args: []string{"--compression", "s2"}, want: segment.CodecS2},
	}
	var codecs []segment.Codec
	for n, step := range steps {
		if step.env != "" {
			t.Setenv("SHARDLOG_COMPRESSION", step.env)
		}
		srv := startServer(t, dir, step.args...)
		c := newClient(srv.Endpoint)
		if n == 0 {
			_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(1)})
			require.NoError(t, err)
			waitActive(t, c, name)
		}
		require.Equal(t, want, streamData(t, c, name), "records read back by a server with %v %s", step.args, step.env)
		for round := range 3 {
			put(c, 10*n+round)
			codecs = append(codecs, step.want)
		}
		require.Equal(t, want, streamData(t, c, name), "records read back after writing with %v %s", step.args, step.env)
		srv.Stop(t)
	}
	require.Equal(t, codecs, segmentCodecs(t, dir), "codec of each stored batch, one PutRecords a batch")
}

// streamData returns the data of every record of the one-shard stream name, in order.
func streamData(t *testing.T, c *kinesis.Client, name string) []string {
	t.Helper()
	var data []string
	for _, r := range readStream(t, c, name) {
		data = append(data, r.Data)
	}
	return data
}

// segmentCodecs returns the codec of every batch in the segments under dir, in file order
// (one shard: file order is log order).
func segmentCodecs(t *testing.T, dir string) []segment.Codec {
	t.Helper()
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && filepath.Ext(p) == ".seg" {
			paths = append(paths, p)
		}
		return err
	})
	require.NoError(t, err)
	slices.Sort(paths)
	var codecs []segment.Codec
	for _, p := range paths {
		_, err := segment.Scan(p, segment.ScanOptions{Batch: func(b segment.BatchInfo) { codecs = append(codecs, b.Codec) }})
		require.NoError(t, err)
	}
	return codecs
}

// TestServe_ConfigCompression: a stream of --config may name its own compression, which
// wins over --compression for that stream; the others write with --compression.
func TestServe_ConfigCompression(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	cfg := filepath.Join(t.TempDir(), "streams.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(`streams:
  - {name: logs, compression: zstd}
  - {name: raw, compression: none}
  - {name: clicks}
`), 0o600))
	srv := startServer(t, dir, "--config", cfg, "--compression", "s2")
	c := newClient(srv.Endpoint)
	names := []string{"logs", "raw", "clicks"}
	for _, name := range names {
		var entries []types.PutRecordsRequestEntry
		for i := range 50 {
			entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String("k"),
				Data: fmt.Appendf(nil, `{"stream":"%s","n":%d,"page":"/catalog/shoes?color=red"}`, name, i)})
		}
		out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: entries})
		require.NoError(t, err)
		require.EqualValues(t, 0, aws.ToInt32(out.FailedRecordCount))
	}
	srv.Stop(t)
	for name, want := range map[string]segment.Codec{"logs": segment.CodecZstd, "raw": segment.CodecNone, "clicks": segment.CodecS2} {
		dirs, err := filepath.Glob(filepath.Join(dir, "streams", name+"-*"))
		require.NoError(t, err)
		require.Len(t, dirs, 1, "directory of stream %s", name)
		require.Equal(t, []segment.Codec{want}, segmentCodecs(t, dirs[0]), "codec of the batch of stream %s", name)
	}
}
