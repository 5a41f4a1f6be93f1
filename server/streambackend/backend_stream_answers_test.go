package streambackend_test

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/stream"
)

// Answers that depend on more than one member of a request: the StreamARN of GetRecords
// against the stream of its iterator, and AT_TIMESTAMP timestamps at and beyond the ends of
// the range of epoch milliseconds, in JSON and in CBOR.

const shard0 = "shardId-000000000000"

// mustPutOne writes one record to a stream of one shard.
func mustPutOne(t *testing.T, client *kinesis.Client, name, data string) {
	t.Helper()
	_, err := client.PutRecord(context.Background(), &kinesis.PutRecordInput{StreamName: aws.String(name),
		PartitionKey: aws.String("k"), Data: []byte(data)})
	require.NoError(t, err)
}

func TestStreamBackend_GetRecords_StreamARN(t *testing.T) {
	ctx := context.Background()
	c := &streamClock{ms: streamT0}
	client, _ := mustServeStream(t, stream.Options{Now: c.Now})
	for _, name := range []string{"w", "w2"} {
		_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(1)})
		require.NoError(t, err)
		mustPutOne(t, client, name, "in "+name)
	}
	it, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("w2"),
		ShardId: aws.String(shard0), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	require.NoError(t, err)

	const arnW2 = "arn:aws:kinesis:us-east-1:000000000000:stream/w2"
	tests := []struct {
		name, arn string
		wantErr   string // InvalidArgumentException's message; "" for success
	}{
		{"no StreamARN", "", ""},
		{"ARN of the iterator's stream", arnW2, ""},
		{"ARN of another stream", "arn:aws:kinesis:us-east-1:000000000000:stream/w",
			"StreamARN arn:aws:kinesis:us-east-1:000000000000:stream/w does not match the stream of the ShardIterator, " + arnW2 + "."},
		{"ARN of a stream of that name in another account", "arn:aws:kinesis:us-east-1:111111111111:stream/w2",
			"StreamARN arn:aws:kinesis:us-east-1:111111111111:stream/w2 does not match the stream of the ShardIterator, " + arnW2 + "."},
		{"ARN of a stream of that name in another region", "arn:aws:kinesis:eu-west-1:000000000000:stream/w2",
			"StreamARN arn:aws:kinesis:eu-west-1:000000000000:stream/w2 does not match the stream of the ShardIterator, " + arnW2 + "."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator}
			if tt.arn != "" {
				in.StreamARN = aws.String(tt.arn)
			}
			out, err := client.GetRecords(ctx, in)
			if tt.wantErr != "" {
				requireSDKError(t, err, "InvalidArgumentException", tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Len(t, out.Records, 1)
			require.Equal(t, "in w2", string(out.Records[0].Data))
		})
	}
}

// atTimestampJSON is a GetShardIterator request for shard 0 of stream w at a timestamp, as
// the JSON number ts (epoch seconds).
func atTimestampJSON(ts string) string {
	return `{"StreamName":"w","ShardId":"` + shard0 + `","ShardIteratorType":"AT_TIMESTAMP","Timestamp":` + ts + `}`
}

// atTimestampCBOR is the same request in CBOR, with the timestamp as tag 1 around the CBOR
// number given in hex (epoch milliseconds).
func atTimestampCBOR(t *testing.T, tsHex string) []byte {
	ts, err := hex.DecodeString(tsHex)
	require.NoError(t, err)
	b := []byte{0xa4} // a map of four pairs
	for _, s := range []string{"StreamName", "w", "ShardId", shard0, "ShardIteratorType", "AT_TIMESTAMP", "Timestamp"} {
		b = append(append(b, 0x60|byte(len(s))), s...) // a text string shorter than 24 bytes
	}
	return append(append(b, 0xc1), ts...) // tag 1: epoch time
}

// futureMessage is the InvalidArgumentException message for an AT_TIMESTAMP timestamp of
// ms, at the store's time streamT0.
func futureMessage(ms int64) string {
	return "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: " +
		strconv.FormatInt(ms, 10) + ", currentTimestampInMillis: " + strconv.FormatInt(streamT0, 10)
}

// TestStreamBackend_GetShardIterator_TimestampRange sends AT_TIMESTAMP timestamps from far
// before the epoch to far beyond the range of int64 milliseconds. A timestamp after now is
// the future-timestamp error, quoting it clamped to the largest int64 when it is beyond;
// one before every record (even before the epoch, or before the smallest int64) reads from
// the trim horizon.
func TestStreamBackend_GetShardIterator_TimestampRange(t *testing.T) {
	c := &streamClock{ms: streamT0}
	client, st := mustServeStream(t, stream.Options{Now: c.Now})
	_, err := client.CreateStream(context.Background(), &kinesis.CreateStreamInput{StreamName: aws.String("w"), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
	mustPutOne(t, client, "w", "first")
	h := server.New(streambackend.New(st), server.Options{Logger: discardLogger()})

	f64 := func(f float64) string {
		return "fb" + hex.EncodeToString(binary.BigEndian.AppendUint64(nil, math.Float64bits(f)))
	}
	tests := []struct {
		name     string
		json     string // the Timestamp member in JSON, or ""
		cbor     string // the content of tag 1 in CBOR (hex), or ""
		futureMs int64  // the timestamp the error quotes; 0: the iterator reads "first"
	}{
		{name: "now", json: "1700000000"},
		{name: "now, CBOR", cbor: "1b" + "0000018bcfe56800"},
		{name: "1 ms after now", json: "1700000000.001", futureMs: streamT0 + 1},
		{name: "1 ms after now, CBOR", cbor: "1b" + "0000018bcfe56801", futureMs: streamT0 + 1},
		{name: "the epoch", json: "0"},
		{name: "before the epoch", json: "-1"},
		{name: "before the epoch, CBOR", cbor: "20"},
		{name: "1e300", json: "1e300", futureMs: math.MaxInt64},
		{name: "1e300, CBOR float", cbor: f64(1e300), futureMs: math.MaxInt64},
		{name: "beyond float64", json: "1e400", futureMs: math.MaxInt64},
		{name: "2^63 ms", json: "9223372036854775.808", futureMs: math.MaxInt64},
		{name: "2^64-1 ms, CBOR", cbor: "1b" + "ffffffffffffffff", futureMs: math.MaxInt64},
		{name: "-1e300", json: "-1e300"},
		{name: "-1e300, CBOR float", cbor: f64(-1e300)},
		{name: "-2^64 ms, CBOR", cbor: "3b" + "ffffffffffffffff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w *httptest.ResponseRecorder
			if tt.json != "" {
				w = do(t, h, "GetShardIterator", atTimestampJSON(tt.json))
			} else {
				r := testutil.SetKinesisHeaders(httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(atTimestampCBOR(t, tt.cbor)))), "GetShardIterator")
				r.Header.Set("Content-Type", "application/x-amz-cbor-1.1")
				w = httptest.NewRecorder()
				h.ServeHTTP(w, r)
			}
			if tt.futureMs != 0 {
				require.Equal(t, http.StatusBadRequest, w.Code, "body %q", w.Body)
				requireErrorBody(t, w, tt.json == "", "InvalidArgumentException", futureMessage(tt.futureMs))
				return
			}
			require.Equal(t, http.StatusOK, w.Code, "body %q", w.Body)
			if tt.json == "" {
				return // the JSON twin reads the records
			}
			var out struct{ ShardIterator string }
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out))
			recs, err := client.GetRecords(context.Background(), &kinesis.GetRecordsInput{ShardIterator: aws.String(out.ShardIterator)})
			require.NoError(t, err)
			require.Len(t, recs.Records, 1)
			require.Equal(t, "first", string(recs.Records[0].Data))
		})
	}
}

// requireErrorBody checks the type and message of an error answer in JSON or CBOR.
func requireErrorBody(t *testing.T, w *httptest.ResponseRecorder, isCBOR bool, typ, msg string) {
	t.Helper()
	if isCBOR {
		want := "\xa2" + cborText("__type") + cborText(typ) + cborText("message") + cborText(msg)
		require.Equal(t, want, w.Body.String())
		return
	}
	var body struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body), "body %q", w.Body)
	require.Equal(t, typ, body.Type)
	require.Equal(t, msg, body.Message)
}
