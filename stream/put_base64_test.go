package stream_test

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/stream"
)

// base64Request is req with each record's Data replaced by its base64 text, and Base64 set.
func base64Request(req *stream.PutRecordsRequest) *stream.PutRecordsRequest {
	out := *req
	out.Records = nil
	out.Entries = nil
	for _, r := range req.Records {
		r.Data = []byte(base64.StdEncoding.EncodeToString(r.Data))
		out.Records = append(out.Records, r)
	}
	for _, e := range req.Entries {
		e.Data = []byte(base64.StdEncoding.EncodeToString(e.Data))
		out.Entries = append(out.Entries, e)
	}
	out.Base64 = true
	return &out
}

// randomEntries returns n entries with random keys, some with an ExplicitHashKey, and data
// of every length from 0 to 300 bytes (each padding of the base64 text).
func randomEntries(rng *rand.Rand, n int) []stream.PutEntry {
	entries := make([]stream.PutEntry, n)
	for i := range entries {
		data := make([]byte, rng.IntN(301))
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		entries[i] = stream.PutEntry{PartitionKey: fmt.Sprintf("key-%d", rng.IntN(1000)), Data: data}
		if rng.IntN(5) == 0 {
			entries[i].ExplicitHashKey = fmt.Sprint(rng.Uint64())
		}
	}
	return entries
}

// A request whose data comes as base64 text stores what the same request with the bytes
// stores: the same records, on the same shards, with the same sequence numbers, under each
// codec, whether its records go to one shard or to several, in the Records and the Entries
// form.
func TestStore_PutRecords_Base64(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, codec := range []segment.Codec{segment.CodecNone, segment.CodecS2, segment.CodecZstd} {
		for _, shards := range []int{1, 3} {
			t.Run(fmt.Sprintf("codec=%v/shards=%d", codec, shards), func(t *testing.T) {
				opts := testOptions(newClock())
				opts.Shard.Codec = codec
				s := mustOpen(t, opts)
				mustCreate(t, s, "bytes", shards)
				mustCreate(t, s, "text", shards)
				for round := range 6 {
					entries := randomEntries(rng, 1+rng.IntN(60))
					req := recordsRequest("bytes", entries, true)
					if round%2 == 1 {
						req = &stream.PutRecordsRequest{StreamName: "bytes", Entries: entries}
					}
					want, err := s.PutRecords(req, nil)
					require.NoError(t, err)
					text := base64Request(req)
					text.StreamName = "text"
					got, err := s.PutRecords(text, nil)
					require.NoError(t, err)
					require.Equal(t, want, got, "round %d: results", round)
				}
				for sh := range shards {
					want, _ := readShard(t, s, "bytes", kinesis.ShardID(sh))
					got, _ := readShard(t, s, "text", kinesis.ShardID(sh))
					require.NotEmpty(t, want, "shard %d", sh)
					require.Len(t, got, len(want), "shard %d", sh)
					for i := range want {
						require.Equal(t, want[i].key, got[i].key, "shard %d record %d", sh, i)
						require.Equal(t, want[i].data, got[i].data, "shard %d record %d", sh, i)
						require.Equal(t, want[i].seq, got[i].seq, "shard %d record %d", sh, i)
					}
				}
			})
		}
	}
}

// countingGate lets every record through and keeps the bytes it was asked about.
type countingGate struct{ bytes []int }

func (g *countingGate) Write(_ string, _ stream.GateShard, n int) string {
	g.bytes = append(g.bytes, n)
	return ""
}
func (g *countingGate) Read(stream.GateShard) string     { return "" }
func (g *countingGate) ReadDone(stream.GateShard, int)   {}
func (g *countingGate) Iterator(stream.GateShard) string { return "" }

// A request with a record whose text is not base64 fails with ErrBadBase64 and writes
// nothing, to no shard, wherever the record is, with or without DryRun and a Gate; the
// Gate is not asked about its records.
func TestStore_PutRecords_Base64Bad(t *testing.T) {
	bad := map[string]string{
		"character outside the alphabet": "QU!D",
		"padding bits":                   "QUJ=",
		"padding inside":                 "QQ==QUJD",
		"padding not at the end":         "QQ=A",
		"line break":                     "QU\nD",
		"URL alphabet":                   "-_-_",
		"length":                         "QUJDR",
	}
	for name, text := range bad {
		for _, at := range []int{0, 7, 19} {
			t.Run(fmt.Sprintf("%s/record=%d", name, at), func(t *testing.T) {
				gate := &countingGate{}
				opts := testOptions(newClock())
				opts.Gate = gate
				s := mustOpen(t, opts)
				mustCreate(t, s, "a", 3)
				entries := randomEntries(rand.New(rand.NewPCG(1, uint64(at))), 20)
				for _, dryRun := range []bool{false, true} {
					req := base64Request(recordsRequest("a", entries, true))
					req.Records[at].Data = []byte(text)
					req.DryRun = dryRun
					res, err := s.PutRecords(req, nil)
					require.ErrorIs(t, err, stream.ErrBadBase64, "DryRun %v", dryRun)
					require.ErrorContains(t, err, fmt.Sprintf("record %d", at))
					require.Empty(t, res)
				}
				require.Empty(t, gate.bytes, "the Gate was asked about a request that fails")
				for sh := range 3 {
					recs, _ := readShard(t, s, "a", kinesis.ShardID(sh))
					require.Empty(t, recs, "shard %d holds records of a request that failed", sh)
				}
			})
		}
	}
}

// The limits and the Gate count the decoded data, not its text: a record of exactly the
// maximum size goes in though its text is a third longer, and one byte more is refused
// with the error the same bytes get.
func TestStore_PutRecords_Base64Sizes(t *testing.T) {
	gate := &countingGate{}
	opts := testOptions(newClock())
	opts.Gate = gate
	s := mustOpen(t, opts)
	mustCreate(t, s, "a", 2)
	limit := kinesis.DefaultMaxRecordSizeKiB << 10
	fits := []stream.PutEntry{{PartitionKey: "k", Data: make([]byte, limit-1)}, {PartitionKey: "kk", Data: []byte{1}}}
	res, err := s.PutRecords(base64Request(&stream.PutRecordsRequest{StreamName: "a", Entries: fits}), nil)
	require.NoError(t, err)
	require.Len(t, res, 2)
	require.Equal(t, []int{limit, 3}, gate.bytes, "the bytes the Gate was asked about")

	over := []stream.PutEntry{{PartitionKey: "kk", Data: make([]byte, limit-1)}}
	_, want := s.PutRecords(&stream.PutRecordsRequest{StreamName: "a", Entries: over}, nil)
	require.Error(t, want)
	_, err = s.PutRecords(base64Request(&stream.PutRecordsRequest{StreamName: "a", Entries: over}), nil)
	require.Equal(t, want, err)

	tooMany := make([]stream.PutEntry, 6) // 6 MiB of data in a request: over the 5 MiB limit
	for i := range tooMany {
		tooMany[i] = stream.PutEntry{PartitionKey: "k", Data: make([]byte, limit-1)}
	}
	_, want = s.PutRecords(&stream.PutRecordsRequest{StreamName: "a", Entries: tooMany}, nil)
	require.Error(t, want)
	_, err = s.PutRecords(base64Request(&stream.PutRecordsRequest{StreamName: "a", Entries: tooMany}), nil)
	require.Equal(t, want, err)
}

// Base64 records that find their shard sealed by a reshard are decoded again and written
// on the new shards once the reshard is done, as records of bytes are: the split's last
// step fails, leaving the parent sealed, and the next attempt succeeds while the request
// waits.
func TestStore_PutRecords_Base64AfterSeal(t *testing.T) {
	s := mustOpen(t, crashOptions(newClock()))
	var mu sync.Mutex
	failures := -1 // fails for good until set
	s.SetReshardFaults(func(step string) error {
		mu.Lock()
		defer mu.Unlock()
		if step == "seal intermediates" && failures != 0 {
			failures--
			return errCrash
		}
		return nil
	})
	mustCreate(t, s, "a", 1)
	entries := []stream.PutEntry{{PartitionKey: "a", Data: []byte(keyedData("a", 0))}}
	_, err := s.PutRecords(base64Request(&stream.PutRecordsRequest{StreamName: "a", Entries: entries}), nil)
	require.NoError(t, err)
	require.NoError(t, s.SplitShard("a", "shardId-0", half))

	mu.Lock()
	failures = 1
	mu.Unlock()
	entries = nil
	for i := 1; i <= 5; i++ {
		entries = append(entries, stream.PutEntry{PartitionKey: "a", Data: []byte(keyedData("a", i))})
	}
	res, err := s.PutRecords(base64Request(&stream.PutRecordsRequest{StreamName: "a", Entries: entries}), nil)
	require.NoError(t, err)
	for i, r := range res {
		require.Empty(t, r.ErrorCode, "record %d: %s", i, r.ErrorMessage)
		require.Equal(t, "shardId-000000000001", r.ShardID, "record %d", i)
	}
	requireExactlyOnceInOrder(t, readByLineage(t, s, "a"), map[string]int{"a": 6})
}
