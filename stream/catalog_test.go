package stream_test

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/stream"
)

// openCatalog opens the catalog of a fresh data directory.
func openCatalog(t *testing.T) (*stream.Catalog, string) {
	t.Helper()
	dataDir := t.TempDir()
	c, err := stream.OpenCatalog(dataDir)
	require.NoError(t, err)
	return c, dataDir
}

// mustOpenCatalog is openCatalog with an integrity check when the test ends: every stream
// file must load.
func mustOpenCatalog(t *testing.T) (*stream.Catalog, string) {
	t.Helper()
	c, dataDir := openCatalog(t)
	t.Cleanup(func() {
		reopened, err := stream.OpenCatalog(dataDir)
		if err == nil {
			_, err = reopened.Load()
		}
		if err != nil {
			t.Errorf("catalog check: %v", err)
		}
	})
	return c, dataDir
}

const createdSec = 1700000000

// newStream returns a valid ACTIVE stream with count shards.
func newStream(name string, count int) stream.StreamInfo {
	return stream.StreamInfo{
		Name:              name,
		Incarnation:       createdSec*1e9 + 123,
		Region:            "us-east-1",
		Account:           "000000000000",
		Status:            stream.StatusActive,
		CreatedMs:         createdSec * 1000,
		RetentionHours:    kinesis.DefaultRetentionHours,
		Mode:              stream.ModeProvisioned,
		Encryption:        stream.EncryptionNone,
		ShardLevelMetrics: []string{},
		MaxRecordSizeKiB:  kinesis.DefaultMaxRecordSizeKiB,
		Tags:              []stream.Tag{},
		Shards:            stream.InitialShards(count, createdSec),
		NextShardIndex:    count,
	}
}

// splitStream returns a stream whose shard 0 of 2 was split into shards 2 and 3, and which
// is UPDATING with a merge of 2 and 3 pending, with every optional field set.
func splitStream(name string) stream.StreamInfo {
	s := newStream(name, 2)
	parent := &s.Shards[0]
	first, second, _ := parent.HashKeyRange.Split(kinesis.HashKey{Hi: 1 << 62})
	parent.Closed, parent.EndOffset, parent.ClosedSec = true, 12345, createdSec+60
	s.Shards = append(s.Shards,
		stream.ShardInfo{Index: 2, ID: kinesis.ShardID(2), HashKeyRange: first, ParentID: parent.ID, CreatedSec: createdSec + 61},
		stream.ShardInfo{Index: 3, ID: kinesis.ShardID(3), HashKeyRange: second, ParentID: parent.ID, CreatedSec: createdSec + 61},
	)
	s.NextShardIndex = 4
	s.Status, s.StatusDueMs = stream.StatusUpdating, createdSec*1000+70500
	s.Reshard = &stream.Reshard{Kind: stream.ReshardMerge, ShardIndex: 2, AdjacentShardIndex: 3}
	s.RetentionHours = 168
	s.Mode = stream.ModeOnDemand
	s.Encryption, s.KeyID = stream.EncryptionKMS, "alias/aws/kinesis"
	s.ShardLevelMetrics = []string{"IncomingBytes", "OutgoingRecords"}
	s.MaxRecordSizeKiB = 10240
	s.Tags = []stream.Tag{{Key: "env", Value: "test"}, {Key: "owner", Value: ""}, {Key: "team", Value: "data"}}
	s.ScaledMs = []int64{createdSec*1000 + 1, createdSec*1000 + 2}
	s.Consumers = []stream.Consumer{
		{Name: "billing", CreatedMs: createdSec*1000 + 5, Status: stream.ConsumerActive, Tags: []stream.Tag{{Key: "team", Value: "b"}}},
		{Name: "search", CreatedMs: createdSec*1000 + 6, Status: stream.ConsumerCreating, StatusDueMs: createdSec*1000 + 506},
		{Name: "zz", CreatedMs: createdSec*1000 + 7, Status: stream.ConsumerDeleting, StatusDueMs: createdSec*1000 + 507},
	}
	return s
}

// activeConsumer returns an ACTIVE consumer of the given name, without tags.
func activeConsumer(name string) stream.Consumer {
	return stream.Consumer{Name: name, CreatedMs: createdSec * 1000, Status: stream.ConsumerActive}
}

func TestCatalog_SaveLoad_RoundTrip(t *testing.T) {
	c, dataDir := mustOpenCatalog(t)
	want := []stream.StreamInfo{newStream("a", 1), splitStream("b.2-x_y"), newStream("c", 10)}
	for i := range want {
		require.NoError(t, c.Save(&want[i]))
	}
	got, err := c.Load()
	require.NoError(t, err)
	require.Equal(t, want, got)

	path := filepath.Join(dataDir, "catalog", "b.2-x_y.json")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(data, []byte(`{"format": 1, "crc32c": "`)), "file starts %q", data[:40])
	entries, err := os.ReadDir(filepath.Join(dataDir, "catalog"))
	require.NoError(t, err)
	require.Len(t, entries, 3, "catalog holds %v", entries)
}

func TestCatalog_Save_Replaces(t *testing.T) {
	c, dataDir := mustOpenCatalog(t)
	s := newStream("orders", 2)
	require.NoError(t, c.Save(&s))
	s.RetentionHours = 48
	s.Tags = append(s.Tags, stream.Tag{Key: "k", Value: "v"})
	require.NoError(t, c.Save(&s))

	reopened, err := stream.OpenCatalog(dataDir)
	require.NoError(t, err)
	got, err := reopened.Load()
	require.NoError(t, err)
	require.Equal(t, []stream.StreamInfo{s}, got)
}

func TestCatalog_Remove(t *testing.T) {
	c, _ := mustOpenCatalog(t)
	a, b := newStream("a", 1), newStream("b", 1)
	require.NoError(t, c.Save(&a))
	require.NoError(t, c.Save(&b))
	require.NoError(t, c.Remove("a"))
	require.NoError(t, c.Remove("a"), "removing a removed stream")
	got, err := c.Load()
	require.NoError(t, err)
	require.Equal(t, []stream.StreamInfo{b}, got)
	require.Error(t, c.Remove("../etc"), "Remove of a name that is not a stream name")
}

func TestCatalog_Load_Empty(t *testing.T) {
	c, _ := mustOpenCatalog(t)
	got, err := c.Load()
	require.NoError(t, err)
	require.Empty(t, got)
}

func TestOpenCatalog_RemovesCrashLeftovers(t *testing.T) {
	_, dataDir := mustOpenCatalog(t)
	dir := filepath.Join(dataDir, "catalog")
	c, err := stream.OpenCatalog(dataDir)
	require.NoError(t, err)
	s := newStream("orders", 3)
	require.NoError(t, c.Save(&s))

	// A crash in the middle of replacing orders, and in the middle of creating new.
	leftovers := map[string]string{"orders.json.tmp": `{"format": 1, "crc`, "new.json.tmp": ""}
	for name, data := range leftovers {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644))
	}
	// Load ignores them even before they are cleaned up...
	got, err := c.Load()
	require.NoError(t, err)
	require.Equal(t, []stream.StreamInfo{s}, got)

	// ...and the next start removes them.
	c, err = stream.OpenCatalog(dataDir)
	require.NoError(t, err)
	got, err = c.Load()
	require.NoError(t, err)
	require.Equal(t, []stream.StreamInfo{s}, got)
	for name := range leftovers {
		_, err := os.Stat(filepath.Join(dir, name))
		require.ErrorIs(t, err, os.ErrNotExist, "%s still there", name)
	}
}

// requireCorrupt checks that loading fails with a *CatalogError naming path.
func requireCorrupt(t *testing.T, c *stream.Catalog, path string, msgAndArgs ...any) {
	t.Helper()
	got, err := c.Load()
	require.ErrorIs(t, err, stream.ErrCorruptCatalog, msgAndArgs...)
	var ce *stream.CatalogError
	require.ErrorAs(t, err, &ce, msgAndArgs...)
	require.Equal(t, path, ce.Path, msgAndArgs...)
	require.Contains(t, err.Error(), path, msgAndArgs...)
	require.Nil(t, got, msgAndArgs...)
}

// TestCatalog_Load_DamagedFile damages a saved file in a few ways and checks that Load
// reports it with its path; catalog_internal_test.go cuts and flips every byte in memory.
func TestCatalog_Load_DamagedFile(t *testing.T) {
	c, dataDir := openCatalog(t)
	s := splitStream("orders")
	require.NoError(t, c.Save(&s))
	path := filepath.Join(dataDir, "catalog", "orders.json")
	good, err := os.ReadFile(path)
	require.NoError(t, err)

	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 0x01
		return b
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"cut in the header", good[:10]},
		{"cut in half", good[:len(good)/2]},
		{"cut before the last brace", good[:len(good)-2]},
		{"bit flipped in the checksum", flip(bytes.Index(good, []byte(`"crc32c": "`)) + 11)},
		{"bit flipped in the stream", flip(len(good) / 2)},
		{"zeros", make([]byte, len(good))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, os.WriteFile(path, tt.data, 0o644))
			requireCorrupt(t, c, path)
		})
	}

	// Only the final newline cut: still the whole stream.
	require.NoError(t, os.WriteFile(path, good[:len(good)-1], 0o644))
	got, err := c.Load()
	require.NoError(t, err)
	require.Equal(t, []stream.StreamInfo{s}, got)
}

// writeStreamFile writes a catalog file holding body with a matching checksum, to test what
// decoding does with content that Save would not write.
func writeStreamFile(t *testing.T, dataDir, name string, format int, body string) string {
	t.Helper()
	path := filepath.Join(dataDir, "catalog", name+".json")
	crc := crc32.Checksum([]byte(body), crc32.MakeTable(crc32.Castagnoli))
	data := fmt.Sprintf("{\"format\": %d, \"crc32c\": \"%08x\",\n\"stream\": %s}\n", format, crc, body)
	require.NoError(t, os.WriteFile(path, []byte(data), 0o644))
	return path
}

func TestCatalog_Load_StrictDecoding(t *testing.T) {
	good := `{"name":"orders","incarnation":1,"region":"us-east-1","account":"000000000000","status":"ACTIVE",` +
		`"createdMs":1700000000000,"retentionHours":24,"mode":"PROVISIONED","encryption":"NONE",` +
		`"shardLevelMetrics":[],"maxRecordSizeKiB":1024,"tags":[],` +
		`"shards":[{"index":0,"id":"shardId-000000000000","hashKeyRange":{"start":"0","end":"340282366920938463463374607431768211455"},"createdSec":1700000000}],` +
		`"nextShardIndex":1}`
	tests := []struct {
		name   string
		file   string
		format int
		body   string
		ok     bool
	}{
		{"hand-written", "orders", 1, good, true},
		{"unknown field", "orders", 1, strings.Replace(good, `"region"`, `"colour":"red","region"`, 1), false},
		{"newer format", "orders", 2, good, false},
		{"format 0", "orders", 0, good, false},
		{"file of another stream", "other", 1, good, false},
		{"not an object", "orders", 1, `[]`, false},
		{"hash key out of range", "orders", 1, strings.Replace(good, `455"`, `456"`, 1), false},
		{"retention too short", "orders", 1, strings.Replace(good, `"retentionHours":24`, `"retentionHours":1`, 1), false},
		{"unknown status", "orders", 1, strings.Replace(good, `"ACTIVE"`, `"SLEEPING"`, 1), false},
		{"hash space not covered", "orders", 1, strings.Replace(good, `"start":"0"`, `"start":"1"`, 1), false},
		{"wrong shard id", "orders", 1, strings.Replace(good, `shardId-000000000000`, `shardId-000000000001`, 1), false},
		{"shard index past next", "orders", 1, strings.Replace(good, `"nextShardIndex":1`, `"nextShardIndex":0`, 1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, dataDir := openCatalog(t)
			path := writeStreamFile(t, dataDir, tt.file, tt.format, tt.body)
			if tt.ok {
				got, err := c.Load()
				require.NoError(t, err)
				require.Len(t, got, 1)
				return
			}
			requireCorrupt(t, c, path)
		})
	}
}

func TestCatalog_Load_ReportsEveryBadFile(t *testing.T) {
	c, dataDir := openCatalog(t)
	good := newStream("good", 1)
	require.NoError(t, c.Save(&good))
	dir := filepath.Join(dataDir, "catalog")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad1.json"), []byte("{"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad2.json"), nil, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "README"), []byte("not a stream"), 0o644))

	got, err := c.Load()
	require.ErrorIs(t, err, stream.ErrCorruptCatalog)
	require.Nil(t, got)
	for _, name := range []string{"bad1.json", "bad2.json"} {
		require.Contains(t, err.Error(), filepath.Join(dir, name))
	}
	require.NotContains(t, err.Error(), "README")
}

func TestCatalog_Save_Invalid(t *testing.T) {
	tests := []struct {
		name   string
		change func(s *stream.StreamInfo)
	}{
		{"empty name", func(s *stream.StreamInfo) { s.Name = "" }},
		{"name with a slash", func(s *stream.StreamInfo) { s.Name = "a/b" }},
		{"name too long", func(s *stream.StreamInfo) { s.Name = strings.Repeat("n", 129) }},
		{"unknown status", func(s *stream.StreamInfo) { s.Status = "PAUSED" }},
		{"ACTIVE with a change due", func(s *stream.StreamInfo) { s.StatusDueMs = 5 }},
		{"reshard while ACTIVE", func(s *stream.StreamInfo) {
			s.Reshard = &stream.Reshard{Kind: stream.ReshardScale, TargetShardCount: 2}
		}},
		{"split of a closed shard", func(s *stream.StreamInfo) {
			s.Status, s.StatusDueMs = stream.StatusUpdating, 1
			s.Reshard = &stream.Reshard{Kind: stream.ReshardSplit, ShardIndex: 0}
			s.Shards[0].Closed, s.Shards[0].ClosedSec = true, createdSec
			s.Shards = append(s.Shards, stream.ShardInfo{Index: 4, ID: kinesis.ShardID(4), HashKeyRange: s.Shards[0].HashKeyRange, CreatedSec: createdSec})
			s.NextShardIndex = 5
		}},
		{"unknown mode", func(s *stream.StreamInfo) { s.Mode = "FAST" }},
		{"unknown encryption", func(s *stream.StreamInfo) { s.Encryption = "ROT13" }},
		{"KMS without a key", func(s *stream.StreamInfo) { s.Encryption, s.KeyID = stream.EncryptionKMS, "" }},
		{"a key without KMS", func(s *stream.StreamInfo) { s.Encryption, s.KeyID = stream.EncryptionNone, "alias/aws/kinesis" }},
		{"unknown metric", func(s *stream.StreamInfo) { s.ShardLevelMetrics = []string{"IncomingBytes", "ALL"} }},
		{"retention too long", func(s *stream.StreamInfo) { s.RetentionHours = 8761 }},
		{"max record size too small", func(s *stream.StreamInfo) { s.MaxRecordSizeKiB = 1000 }},
		{"tags out of order", func(s *stream.StreamInfo) { s.Tags = []stream.Tag{{Key: "b"}, {Key: "a"}} }},
		{"duplicate tag", func(s *stream.StreamInfo) { s.Tags = []stream.Tag{{Key: "a"}, {Key: "a"}} }},
		{"shards out of order", func(s *stream.StreamInfo) { s.Shards[0], s.Shards[1] = s.Shards[1], s.Shards[0] }},
		{"gap in the hash space", func(s *stream.StreamInfo) { s.Shards[1].HashKeyRange.Start = s.Shards[1].HashKeyRange.Start.Next() }},
		{"overlap in the hash space", func(s *stream.StreamInfo) { s.Shards[0].HashKeyRange.End = s.Shards[0].HashKeyRange.End.Next() }},
		{"every shard closed", func(s *stream.StreamInfo) {
			for i := range s.Shards {
				s.Shards[i].Closed, s.Shards[i].ClosedSec = true, createdSec
			}
		}},
		{"open shard with an end", func(s *stream.StreamInfo) { s.Shards[0].EndOffset = 7 }},
		{"closed before created", func(s *stream.StreamInfo) { s.Shards[0].Closed, s.Shards[0].ClosedSec = true, createdSec-1 }},
		{"no creation time", func(s *stream.StreamInfo) { s.Shards[0].CreatedSec = 0 }},
		{"parent after child", func(s *stream.StreamInfo) { s.Shards[0].ParentID = kinesis.ShardID(1) }},
		{"parent not an id", func(s *stream.StreamInfo) { s.Shards[1].ParentID = "shard-0" }},
		{"adjacent parent alone", func(s *stream.StreamInfo) { s.Shards[1].AdjacentParentID = kinesis.ShardID(0) }},
		{"child created with its parent", func(s *stream.StreamInfo) { s.Shards[1].ParentID = kinesis.ShardID(0) }},
		{"consumer name invalid", func(s *stream.StreamInfo) { s.Consumers = []stream.Consumer{activeConsumer("a:b")} }},
		{"consumers out of order", func(s *stream.StreamInfo) {
			s.Consumers = []stream.Consumer{activeConsumer("b"), activeConsumer("a")}
		}},
		{"duplicate consumer", func(s *stream.StreamInfo) {
			s.Consumers = []stream.Consumer{activeConsumer("a"), activeConsumer("a")}
		}},
		{"consumer without creation time", func(s *stream.StreamInfo) {
			s.Consumers = []stream.Consumer{activeConsumer("a")}
			s.Consumers[0].CreatedMs = 0
		}},
		{"consumer of unknown status", func(s *stream.StreamInfo) {
			s.Consumers = []stream.Consumer{activeConsumer("a")}
			s.Consumers[0].Status = "PAUSED"
		}},
		{"consumer ACTIVE with a change due", func(s *stream.StreamInfo) {
			s.Consumers = []stream.Consumer{activeConsumer("a")}
			s.Consumers[0].StatusDueMs = 5
		}},
		{"consumer CREATING without an end", func(s *stream.StreamInfo) {
			s.Consumers = []stream.Consumer{activeConsumer("a")}
			s.Consumers[0].Status = stream.ConsumerCreating
		}},
		{"consumer tags out of order", func(s *stream.StreamInfo) {
			s.Consumers = []stream.Consumer{activeConsumer("a")}
			s.Consumers[0].Tags = []stream.Tag{{Key: "b"}, {Key: "a"}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, dataDir := openCatalog(t)
			s := newStream("orders", 3)
			tt.change(&s)
			require.ErrorIs(t, c.Save(&s), stream.ErrInvalidStreamInfo)
			entries, err := os.ReadDir(filepath.Join(dataDir, "catalog"))
			require.NoError(t, err)
			require.Empty(t, entries, "an invalid stream was written")
		})
	}
}

func TestStreamInfo_Accessors(t *testing.T) {
	s := splitStream("orders")
	require.Equal(t, "arn:aws:kinesis:us-east-1:000000000000:stream/orders", s.ARN())
	require.Equal(t, 3, s.OpenShardCount())
	require.Equal(t, kinesis.ShardID(3), s.Shard(3).ID)
	require.Nil(t, s.Shard(4))
	require.Nil(t, s.Shard(-1))

	require.False(t, s.Due(s.StatusDueMs-1))
	require.True(t, s.Due(s.StatusDueMs))
	active := newStream("a", 1)
	require.False(t, active.Due(1<<62), "an ACTIVE stream has no change due")

	parent := s.Shard(0)
	require.Equal(t, kinesis.StartingSequenceNumber(createdSec, 0), parent.StartingSequenceNumber())
	end, ok := parent.EndingSequenceNumber()
	require.True(t, ok)
	require.Equal(t, kinesis.EndingSequenceNumber(createdSec, 0, createdSec+60), end)
	_, ok = s.Shard(2).EndingSequenceNumber()
	require.False(t, ok, "an open shard has no EndingSequenceNumber")
	require.Equal(t, 1, s.Shard(2).StartingSequenceNumber().Compare(end), "a child starts after its parent ends")
}

func TestInitialShards(t *testing.T) {
	shards := stream.InitialShards(3, createdSec)
	ranges := kinesis.UniformHashKeyRanges(3)
	require.Len(t, shards, 3)
	for i, sh := range shards {
		require.Equal(t, stream.ShardInfo{Index: i, ID: kinesis.ShardID(i), HashKeyRange: ranges[i], CreatedSec: createdSec}, sh)
	}
}
