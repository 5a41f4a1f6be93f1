package stream

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/shardlog/shardlog/kinesis"
)

// richStream returns a valid stream with every optional field set: shard 0 of 2 split into
// 2 and 3, and a merge of those pending.
func richStream() *StreamInfo {
	const created = 1700000000
	shards := InitialShards(2, created)
	first, second, _ := shards[0].HashKeyRange.Split(kinesis.HashKey{Hi: 1 << 62})
	shards[0].Closed, shards[0].EndOffset, shards[0].ClosedSec = true, 12345, created+60
	shards = append(shards,
		ShardInfo{Index: 2, ID: kinesis.ShardID(2), HashKeyRange: first, ParentID: kinesis.ShardID(0), CreatedSec: created + 61},
		ShardInfo{Index: 3, ID: kinesis.ShardID(3), HashKeyRange: second, ParentID: kinesis.ShardID(0), CreatedSec: created + 61})
	return &StreamInfo{
		Name: "orders", Incarnation: 42, Region: "eu-west-1", Account: "123456789012",
		Status: StatusUpdating, StatusDueMs: created*1000 + 500,
		Reshard:   &Reshard{Kind: ReshardMerge, ShardIndex: 2, AdjacentShardIndex: 3},
		CreatedMs: created * 1000, RetentionHours: 48, Mode: ModeOnDemand,
		Encryption: EncryptionKMS, KeyID: "alias/aws/kinesis",
		ShardLevelMetrics: []string{"IncomingBytes"}, MaxRecordSizeKiB: 2048,
		Tags:     []Tag{{Key: "a", Value: "1"}, {Key: "b", Value: ""}},
		ScaledMs: []int64{created * 1000},
		Shards:   shards, NextShardIndex: 4,
	}
}

func TestStreamFile_RoundTrip(t *testing.T) {
	want := richStream()
	data, err := encodeStreamFile(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeStreamFile(data)
	if err != nil || !reflect.DeepEqual(&got, want) {
		t.Fatalf("decodeStreamFile(encodeStreamFile(s)) = %+v, %v, want %+v", got, err, want)
	}
}

// TestStreamFile_EveryCut cuts a file at every byte: every cut but the final newline is a
// *CatalogError, never a different stream.
func TestStreamFile_EveryCut(t *testing.T) {
	data, err := encodeStreamFile(richStream())
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(data) - 1 {
		s, err := decodeStreamFile(data[:n])
		var ce *CatalogError
		if !errors.As(err, &ce) || !errors.Is(err, ErrCorruptCatalog) {
			t.Fatalf("decodeStreamFile(first %d of %d bytes) = %+v, %v, want a *CatalogError", n, len(data), s, err)
		}
	}
	if _, err := decodeStreamFile(data[:len(data)-1]); err != nil {
		t.Errorf("decodeStreamFile(without the final newline): %v", err)
	}
}

// TestStreamFile_EveryFlip flips each bit of a file (every bit of every byte; the lowest bit
// of each byte under -short): every flip is a *CatalogError.
func TestStreamFile_EveryFlip(t *testing.T) {
	data, err := encodeStreamFile(richStream())
	if err != nil {
		t.Fatal(err)
	}
	for i := range data {
		for bit := range 8 {
			if testing.Short() && bit > 0 {
				break
			}
			bad := bytes.Clone(data)
			bad[i] ^= 1 << bit
			// Outside the checksummed stream value, two changes mean nothing: whitespace for
			// whitespace, and a letter's case in a field name (JSON names match without regard
			// to case).
			if !insideStream(data, i) && (isJSONSpace(data[i]) && isJSONSpace(bad[i]) || isCaseFlip(data[i], bad[i])) {
				continue
			}
			s, err := decodeStreamFile(bad)
			if !errors.Is(err, ErrCorruptCatalog) {
				t.Fatalf("decodeStreamFile(byte %d %q flipped to %q) = %+v, %v, want a *CatalogError", i, data[i], bad[i], s, err)
			}
		}
	}
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func isCaseFlip(a, b byte) bool {
	return a^b == 0x20 && (a|0x20) >= 'a' && (a|0x20) <= 'z'
}

// insideStream reports whether byte i lies in the checksummed "stream" value.
func insideStream(data []byte, i int) bool {
	start := bytes.Index(data, []byte(`"stream": `)) + len(`"stream": `)
	return i >= start && i < len(data)-2
}
