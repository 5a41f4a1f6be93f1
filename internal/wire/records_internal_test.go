package wire

import (
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
)

type testRecord struct {
	seq       string
	arrivalMs int64
	key, data []byte
}

func randomRecords(rng *rand.Rand, n int) []testRecord {
	keys := []string{"k", "ключ", "a\"b\\c", "\x01ctl", "😀", "bad\xff"}
	records := make([]testRecord, n)
	for i := range records {
		data := make([]byte, rng.IntN(300))
		for j := range data {
			data[j] = byte(rng.IntN(256))
		}
		records[i] = testRecord{
			seq:       strconv.FormatUint(rng.Uint64(), 10) + strconv.FormatUint(rng.Uint64(), 10),
			arrivalMs: 1_500_000_000_000 + rng.Int64N(1e12),
			key:       []byte(keys[rng.IntN(len(keys))]),
			data:      data,
		}
	}
	return records
}

// TestJSONRecords encodes random records and reads them back with encoding/json.
func TestJSONRecords(t *testing.T) {
	rng := rand.New(rand.NewPCG(testutil.Seed(t), 3))
	records := randomRecords(rng, 200)
	enc := NewJSONRecords(nil, nil)
	for _, r := range records {
		require.NoError(t, enc.Record([]byte(r.seq), r.arrivalMs, r.key, r.data))
	}
	body := enc.Finish(RecordsEnd{NextShardIterator: "next", MillisBehindLatest: 5})
	var got struct {
		Records []struct {
			SequenceNumber              string
			ApproximateArrivalTimestamp json.Number
			Data                        []byte
			PartitionKey                string
		}
		NextShardIterator  string
		MillisBehindLatest int64
	}
	require.NoError(t, json.Unmarshal(body, &got))
	require.Len(t, got.Records, len(records))
	for i, r := range records {
		g := got.Records[i]
		require.Equal(t, r.seq, g.SequenceNumber)
		require.Equal(t, r.data, []byte(g.Data))
		require.Equal(t, string([]rune(string(r.key))), g.PartitionKey)
		f, err := g.ApproximateArrivalTimestamp.Float64()
		require.NoError(t, err)
		require.InDelta(t, float64(r.arrivalMs), f*1000, 0.5, "arrival of record %d: %s", i, g.ApproximateArrivalTimestamp)
	}
	require.Equal(t, "next", got.NextShardIterator)
	require.Equal(t, int64(5), got.MillisBehindLatest)
}

// TestCBORRecords encodes random records and reads them back with the CBOR decoder.
func TestCBORRecords(t *testing.T) {
	rng := rand.New(rand.NewPCG(testutil.Seed(t), 4))
	records := randomRecords(rng, 50)
	enc := NewCBORRecords(nil, nil)
	for _, r := range records {
		require.NoError(t, enc.Record([]byte(r.seq), r.arrivalMs, r.key, r.data))
	}
	body := enc.Finish(RecordsEnd{MillisBehindLatest: 0, ChildShards: []struct{ ShardId string }{{ShardId: "s"}}})
	got, ok := ParseCBOR(body, anyTree, nil)
	require.True(t, ok)
	list, _ := got.Get("Records")
	require.Len(t, list, len(records))
	for i, r := range records {
		rec := list.([]any)[i].(Object)
		data, _ := rec.Get("Data")
		require.Equal(t, r.data, data)
		ts, _ := rec.Get("ApproximateArrivalTimestamp")
		require.Equal(t, EpochMillis(r.arrivalMs), ts)
	}
	_, hasNext := got.Get("NextShardIterator")
	require.False(t, hasNext)
	children, _ := got.Get("ChildShards")
	require.Len(t, children, 1)
}

// TestRecords_EncryptionType: after SetEncryptionType every record carries the member, in
// JSON and CBOR, and the ContinuationSequenceNumber of an event follows the records.
func TestRecords_EncryptionType(t *testing.T) {
	j := NewJSONRecords(nil, nil)
	require.NoError(t, j.Record([]byte("1"), 0, []byte("k"), []byte("a")))
	j.SetEncryptionType("KMS")
	require.NoError(t, j.Record([]byte("2"), 0, []byte("k"), []byte("b")))
	require.Equal(t, `{"Records":[{"SequenceNumber":"1","ApproximateArrivalTimestamp":0,"Data":"YQ==","PartitionKey":"k"},`+
		`{"SequenceNumber":"2","ApproximateArrivalTimestamp":0,"Data":"Yg==","PartitionKey":"k","EncryptionType":"KMS"}],`+
		`"ContinuationSequenceNumber":"2","MillisBehindLatest":0}`,
		string(j.Finish(RecordsEnd{ContinuationSequenceNumber: "2"})))

	c := NewCBORRecords(nil, nil)
	c.SetEncryptionType("KMS")
	require.NoError(t, c.Record([]byte("1"), 0, []byte("k"), []byte("a")))
	got, ok := ParseCBOR(c.Finish(RecordsEnd{}), anyTree, nil)
	require.True(t, ok)
	list, _ := got.Get("Records")
	rec := list.([]any)[0].(Object)
	typ, _ := rec.Get("EncryptionType")
	require.Equal(t, "KMS", typ)
	key, _ := rec.Get("PartitionKey")
	require.Equal(t, "k", key)
}
