package streambackend_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/stream"
)

// The Java SDKs (and the KCL) speak CBOR to Kinesis by default. The AWS SDK for
// Java v2 writes it with Jackson's CBORGenerator (aws-cbor-protocol's
// SdkCborGenerator): every structure is an indefinite-length map (0xbf … 0xff)
// and every list an indefinite-length array (0x9f … 0xff); strings are definite
// text strings, cut into an indefinite-length string of chunks only past
// Jackson's long-string limit; blobs are definite byte strings; and a
// timestamp is tag 1 around an integer of epoch milliseconds
// (writeTag(1); writeNumber(instant.toEpochMilli())), not the seconds of RFC
// 8949. The tests below build requests that way with
// github.com/fxamacker/cbor/v2, an encoder independent of the server's, send
// them to the real server over HTTP, and read the answers with fxamacker too.

// javaCBOR writes a request the way Jackson's CBORGenerator does.
type javaCBOR struct {
	t   *testing.T
	buf bytes.Buffer
	enc *cbor.Encoder
}

func newJavaCBOR(t *testing.T) *javaCBOR {
	j := &javaCBOR{t: t}
	j.enc = cbor.NewEncoder(&j.buf)
	return j
}

func (j *javaCBOR) check(err error) *javaCBOR {
	j.t.Helper()
	require.NoError(j.t, err)
	return j
}

// startMap and startList open indefinite-length containers; end closes one.
func (j *javaCBOR) startMap() *javaCBOR  { return j.check(j.enc.StartIndefiniteMap()) }
func (j *javaCBOR) startList() *javaCBOR { return j.check(j.enc.StartIndefiniteArray()) }
func (j *javaCBOR) end() *javaCBOR       { return j.check(j.enc.EndIndefinite()) }

// member writes a member name and a value: a string, []byte (a byte string),
// time.Time (tag 1 around epoch milliseconds) or an integer.
func (j *javaCBOR) member(name string, v any) *javaCBOR {
	j.check(j.enc.Encode(name))
	if t, ok := v.(time.Time); ok {
		v = cbor.Tag{Number: 1, Content: t.UnixMilli()}
	}
	return j.check(j.enc.Encode(v))
}

// chunkedString writes a member whose text is an indefinite-length string of
// the given chunks, as Jackson writes a long string.
func (j *javaCBOR) chunkedString(name string, chunks ...string) *javaCBOR {
	j.check(j.enc.Encode(name))
	j.check(j.enc.StartIndefiniteTextString())
	for _, c := range chunks {
		j.check(j.enc.Encode(c))
	}
	return j.end()
}

func (j *javaCBOR) bytes() []byte { return j.buf.Bytes() }

// postCBOR sends a CBOR request and returns the status and the answer.
func postCBOR(t *testing.T, url, op string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-amz-cbor-1.1")
	req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
	req.Header.Set("X-Amz-Date", "20260101T000000Z")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/kinesis/aws4_request, "+
		"SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123456789abcdef")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, "application/x-amz-cbor-1.1", resp.Header.Get("Content-Type"), "%s answer", op)
	return resp.StatusCode, answer
}

// decodeCBOR decodes an answer with fxamacker into v, requiring a 200.
func decodeCBOR(t *testing.T, status int, answer []byte, v any) {
	t.Helper()
	require.Equal(t, http.StatusOK, status, "answer %x", answer)
	require.NoError(t, cbor.Unmarshal(answer, v), "answer %x", answer)
}

// requireMillisTag checks that raw is tag 1 around the integer ms.
func requireMillisTag(t *testing.T, raw cbor.RawMessage, ms int64, what string) {
	t.Helper()
	var tag cbor.Tag
	require.NoError(t, cbor.Unmarshal(raw, &tag), "%s: %x is not a tag", what, []byte(raw))
	require.Equal(t, uint64(1), tag.Number, "%s: tag number", what)
	require.Equal(t, uint64(ms), tag.Content, "%s: epoch milliseconds", what)
}

// requireByteString checks that raw is a definite byte string holding want.
func requireByteString(t *testing.T, raw cbor.RawMessage, want []byte, what string) {
	t.Helper()
	require.NotEmpty(t, raw, what)
	require.Equal(t, byte(0x40), raw[0]&0xe0, "%s: major type of %x is not a byte string", what, []byte(raw))
	var got []byte
	require.NoError(t, cbor.Unmarshal(raw, &got))
	require.Equal(t, want, got, what)
}

// TestCBOR_JavaSDK drives a real store through the server in CBOR as the Java
// SDK v2 writes it: CreateStream, DescribeStream, PutRecords, PutRecord,
// GetShardIterator AT_TIMESTAMP and GetRecords, reading every answer with
// fxamacker.
func TestCBOR_JavaSDK(t *testing.T) {
	c := &streamClock{ms: streamT0}
	st := mustOpenStreamStore(t, stream.Options{Now: c.Now})
	ts := httptest.NewServer(server.New(streambackend.New(st), server.Options{Logger: discardLogger()}))
	t.Cleanup(ts.Close)

	status, answer := postCBOR(t, ts.URL, "CreateStream",
		newJavaCBOR(t).startMap().member("StreamName", "java").member("ShardCount", 1).end().bytes())
	require.Equal(t, http.StatusOK, status, "CreateStream: %x", answer)

	var described struct {
		StreamDescription struct {
			StreamName              string
			StreamStatus            string
			StreamCreationTimestamp cbor.RawMessage
			Shards                  []struct{ ShardId string }
		}
	}
	status, answer = postCBOR(t, ts.URL, "DescribeStream",
		newJavaCBOR(t).startMap().member("StreamName", "java").end().bytes())
	decodeCBOR(t, status, answer, &described)
	d := described.StreamDescription
	require.Equal(t, "java", d.StreamName)
	require.Equal(t, "ACTIVE", d.StreamStatus)
	requireMillisTag(t, d.StreamCreationTimestamp, streamT0, "StreamCreationTimestamp")
	require.Len(t, d.Shards, 1)
	shardID := d.Shards[0].ShardId

	// Three records at T0, in one PutRecords, the second with a partition key
	// in chunks; then one at T0+1.5 s with PutRecord.
	datas := [][]byte{{0, 1, 2}, bytes.Repeat([]byte{0xff}, 1000), {}}
	req := newJavaCBOR(t).startMap().member("StreamName", "java").check(nil)
	req.check(req.enc.Encode("Records")).startList()
	for i, data := range datas {
		req.startMap().member("Data", data)
		if i == 1 {
			req.chunkedString("PartitionKey", "key-", "one")
		} else {
			req.member("PartitionKey", "key")
		}
		req.end()
	}
	req.end().end()
	var put struct {
		FailedRecordCount int
		Records           []struct{ SequenceNumber, ShardId string }
	}
	status, answer = postCBOR(t, ts.URL, "PutRecords", req.bytes())
	decodeCBOR(t, status, answer, &put)
	require.Zero(t, put.FailedRecordCount)
	require.Len(t, put.Records, 3)

	c.Advance(1500 * time.Millisecond)
	last := []byte("after the clock moved")
	var putOne struct{ SequenceNumber, ShardId string }
	status, answer = postCBOR(t, ts.URL, "PutRecord", newJavaCBOR(t).startMap().
		member("StreamName", "java").member("Data", last).member("PartitionKey", "key").end().bytes())
	decodeCBOR(t, status, answer, &putOne)
	require.Equal(t, shardID, putOne.ShardId)
	require.NotEmpty(t, putOne.SequenceNumber)

	type records struct {
		Records []struct {
			SequenceNumber              string
			ApproximateArrivalTimestamp cbor.RawMessage
			Data                        cbor.RawMessage
			PartitionKey                string
		}
		NextShardIterator  string
		MillisBehindLatest int64
	}
	for _, tc := range []struct {
		name     string
		at       time.Time
		wantData [][]byte
		wantKeys []string
		wantMs   []int64
	}{
		{"from T0", time.UnixMilli(streamT0), append(datas, last), []string{"key", "key-one", "key", "key"},
			[]int64{streamT0, streamT0, streamT0, streamT0 + 1500}},
		{"from T0+1s", time.UnixMilli(streamT0 + 1000), [][]byte{last}, []string{"key"}, []int64{streamT0 + 1500}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var it struct{ ShardIterator string }
			status, answer := postCBOR(t, ts.URL, "GetShardIterator", newJavaCBOR(t).startMap().
				member("StreamName", "java").member("ShardId", shardID).
				member("ShardIteratorType", "AT_TIMESTAMP").member("Timestamp", tc.at).end().bytes())
			decodeCBOR(t, status, answer, &it)
			require.NotEmpty(t, it.ShardIterator)

			var got records
			status, answer = postCBOR(t, ts.URL, "GetRecords", newJavaCBOR(t).startMap().
				member("ShardIterator", it.ShardIterator).member("Limit", 100).end().bytes())
			decodeCBOR(t, status, answer, &got)
			require.Len(t, got.Records, len(tc.wantData))
			for i, r := range got.Records {
				requireByteString(t, r.Data, tc.wantData[i], "Data of record "+r.SequenceNumber)
				requireMillisTag(t, r.ApproximateArrivalTimestamp, tc.wantMs[i], "arrival of record "+r.SequenceNumber)
				require.Equal(t, tc.wantKeys[i], r.PartitionKey)
			}
			require.Equal(t, putOne.SequenceNumber, got.Records[len(got.Records)-1].SequenceNumber)
			require.NotEmpty(t, got.NextShardIterator)
		})
	}
}
