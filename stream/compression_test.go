package stream_test

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/stream"
)

// jsonEntries returns n JSON events that every codec compresses.
func jsonEntries(n int) []stream.PutEntry {
	entries := make([]stream.PutEntry, n)
	for i := range entries {
		entries[i] = stream.PutEntry{PartitionKey: fmt.Sprintf("user-%d", i%7),
			Data: fmt.Appendf(nil, `{"event":"page_view","user":"user-%d","path":"/items/%d","referrer":"https://example.com/"}`, i%7, i)}
	}
	return entries
}

// streamCodecs returns the codecs of the batches stored under dir, by stream name.
func streamCodecs(t *testing.T, dir string) map[string][]segment.Codec {
	t.Helper()
	got := map[string][]segment.Codec{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || filepath.Ext(p) != ".seg" {
			return err
		}
		streamDir := filepath.Base(filepath.Dir(filepath.Dir(p))) // <name>-<incarnation>
		name := streamDir[:strings.LastIndexByte(streamDir, '-')]
		_, err = segment.Scan(p, segment.ScanOptions{Batch: func(b segment.BatchInfo) { got[name] = append(got[name], b.Codec) }})
		return err
	})
	require.NoError(t, err)
	return got
}

// streamRecords reads every shard of stream name (up to 3) from its trim horizon.
func streamRecords(t *testing.T, s *stream.Store, name string) []record {
	t.Helper()
	var all []record
	for i := range 3 {
		it, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: name, ShardID: fmt.Sprint(i), Type: stream.TrimHorizon})
		if err != nil {
			break // no such shard
		}
		all = append(all, readAll(t, s, it)...)
	}
	require.NotEmpty(t, all, "records of %s", name)
	return all
}

// Options.StreamCodec chooses the codec of each stream's shards, children of a split
// included; the streams it makes no choice for use Shard.Codec. What every stream wrote
// reads back the same after a reopen without any choice.
func TestStore_StreamCodec(t *testing.T) {
	dir := t.TempDir()
	opts := testOptions(newClock())
	opts.Shard.Codec = segment.CodecS2
	var asked []string
	opts.StreamCodec = func(account, region, name string) (segment.Codec, bool) {
		asked = append(asked, account+"/"+region+"/"+name)
		switch name {
		case "logs":
			return segment.CodecZstd, true
		case "raw":
			return segment.CodecNone, true
		}
		return 0, false
	}
	s, err := stream.Open(dir, opts)
	require.NoError(t, err)
	names := []string{"logs", "raw", "clicks"}
	for _, name := range names {
		mustCreate(t, s, name, 1)
		_, err := s.PutRecords(&stream.PutRecordsRequest{StreamName: name, Entries: jsonEntries(50)}, nil)
		require.NoError(t, err)
	}
	require.NoError(t, s.SplitShard("logs", "shardId-000000000000", "170141183460469231731687303715884105728"))
	_, err = s.PutRecords(&stream.PutRecordsRequest{StreamName: "logs", Entries: jsonEntries(50)}, nil)
	require.NoError(t, err)
	want := map[string][]record{}
	for _, name := range names {
		want[name] = streamRecords(t, s, name)
	}
	require.NoError(t, s.Close())
	require.Equal(t, []string{"000000000000/us-east-1/logs", "000000000000/us-east-1/raw", "000000000000/us-east-1/clicks",
		"000000000000/us-east-1/logs", "000000000000/us-east-1/logs"}, asked, "streams asked for, as each shard was opened (the split opens two)")

	got := streamCodecs(t, dir)
	require.Equal(t, []segment.Codec{segment.CodecNone}, got["raw"], "codecs of raw")
	require.Equal(t, []segment.Codec{segment.CodecS2}, got["clicks"], "codecs of clicks (Shard.Codec)")
	require.Equal(t, []segment.Codec{segment.CodecZstd, segment.CodecZstd, segment.CodecZstd}, got["logs"],
		"codecs of logs: its first shard, then both children of the split")

	s = mustOpenDir(t, dir, testOptions(newClock()))
	for _, name := range names {
		require.Equal(t, want[name], streamRecords(t, s, name), "records of %s after a reopen with no codec", name)
	}
}
