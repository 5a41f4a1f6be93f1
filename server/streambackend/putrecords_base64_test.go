package streambackend_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/stretchr/testify/require"

	slkinesis "github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/stream"
)

// putRecordsBody is a PutRecords body of n records whose data texts are texts[i] where set
// and the base64 of "record i" elsewhere, with members in the SDKs' order.
func putRecordsBody(stream string, n int, texts map[int]string, extra string) string {
	var b strings.Builder
	b.WriteString(`{"Records":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		text, ok := texts[i]
		if !ok {
			text = base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "record %d", i))
		}
		fmt.Fprintf(&b, `{"Data":%q,"PartitionKey":"key-%d"}`, text, i)
	}
	fmt.Fprintf(&b, `],"StreamName":%q%s}`, stream, extra)
	return b.String()
}

// requireError checks that w is an error answer with status, type typ and message msg.
func requireError(t *testing.T, w interface {
	Result() *http.Response
}, status int, typ, msg string) {
	t.Helper()
	resp := w.Result()
	var got struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&got))
	require.Equal(t, status, resp.StatusCode)
	require.Equal(t, typ, got.Type)
	require.Equal(t, msg, got.Message)
}

// streamHandler serves a store with a stream "s" of shards shards, and returns an SDK
// client of it and a handler over the same store for requests made by hand.
func streamHandler(t *testing.T, shards int32) (*kinesis.Client, http.Handler) {
	t.Helper()
	client, st := mustServeStream(t, stream.Options{})
	_, err := client.CreateStream(context.Background(), &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(shards)})
	require.NoError(t, err)
	return client, server.New(streambackend.New(st), server.Options{Logger: discardLogger()})
}

// The server hands the store PutRecords data as base64 text, which the store decodes into
// its batches. A request with a Data that is not base64 is still answered with the
// SerializationException coral gives, word for word, before anything else the request
// could fail on (a missing stream, DryRun, a size limit), and writes nothing.
func TestPutRecordsBase64_BadData(t *testing.T) {
	client, h := streamHandler(t, 3)

	big := base64.StdEncoding.EncodeToString(make([]byte, 1<<20+1)) // over the maximum record size
	tests := []struct {
		name string
		body string
		msg  string // of the SerializationException
	}{
		{"character outside the alphabet, record 300 of 400", putRecordsBody("s", 400, map[int]string{300: "QU!D"}, ""),
			"'QU!D' can not be converted to a Blob: Invalid Base64 character: '!'"},
		{"padding bits", putRecordsBody("s", 10, map[int]string{9: "QUJ="}, ""),
			"'QUJ=' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"},
		{"padding inside", putRecordsBody("s", 10, map[int]string{0: "QQ==QUJD"}, ""),
			"'QQ==QUJD' can not be converted to a Blob: Invalid Base64 character: '='"},
		{"URL alphabet", putRecordsBody("s", 3, map[int]string{1: "-_-_"}, ""),
			"'-_-_' can not be converted to a Blob: Invalid Base64 character: '-'"},
		{"no such stream", putRecordsBody("nope", 3, map[int]string{2: "QU!D"}, ""),
			"'QU!D' can not be converted to a Blob: Invalid Base64 character: '!'"},
		{"DryRun", putRecordsBody("s", 3, map[int]string{2: "QU!D"}, `,"DryRun":true`),
			"'QU!D' can not be converted to a Blob: Invalid Base64 character: '!'"},
		{"a record over the size limit too", putRecordsBody("s", 3, map[int]string{0: big, 2: "QU!D"}, ""),
			"'QU!D' can not be converted to a Blob: Invalid Base64 character: '!'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, want := server.DecodeRequest("PutRecords", "application/x-amz-json-1.1", []byte(tt.body), server.Options{})
			var e *slkinesis.Error
			require.True(t, errors.As(want, &e), "the general decoder takes the body: %v", want)
			require.Equal(t, tt.msg, e.Message, "the general decoder's message")
			requireError(t, do(t, h, "PutRecords", tt.body), http.StatusBadRequest, slkinesis.TypeSerialization, tt.msg)
		})
	}
	for i := range 3 {
		require.Empty(t, readShard(t, client, "s", slkinesis.ShardID(i)), "shard %d holds records of requests that failed", i)
	}
}

// Requests whose data is all base64 fail as they would with the data decoded by the
// server: the stream's own errors, the request size limit counted on the decoded data.
func TestPutRecordsBase64_OtherErrors(t *testing.T) {
	client, h := streamHandler(t, 2)

	requireError(t, do(t, h, "PutRecords", putRecordsBody("nope", 3, nil, "")), http.StatusBadRequest,
		slkinesis.TypeResourceNotFound, "Stream nope under account 000000000000 not found.")
	requireError(t, do(t, h, "PutRecords", putRecordsBody("s", 3, nil, `,"DryRun":true`)), http.StatusBadRequest,
		slkinesis.TypeDryRunOperation, "Request would have succeeded, but DryRun flag is set.")

	// Five records of 1 MiB less their one-byte key: 5 MiB, the limit, though the text is
	// 6.7 MiB; a sixth record of one byte goes over.
	record := base64.StdEncoding.EncodeToString(make([]byte, 1<<20-1))
	fits := map[int]string{}
	for i := range 5 {
		fits[i] = record
	}
	body := strings.ReplaceAll(putRecordsBody("s", 5, fits, ""), `"key-`, `"`) // keys "0" to "4"
	w := do(t, h, "PutRecords", body)
	require.Equal(t, http.StatusOK, w.Code, "body %s", w.Body)
	fits[5] = "eA=="
	body = strings.ReplaceAll(putRecordsBody("s", 6, fits, ""), `"key-`, `"`)
	requireError(t, do(t, h, "PutRecords", body), http.StatusBadRequest,
		slkinesis.TypeInvalidArgument, "Records size exceeds 5 MB limit")

	var n int
	for i := range 2 {
		for _, r := range readShard(t, client, "s", slkinesis.ShardID(i)) {
			require.Len(t, r.Data, 1<<20-1)
			n++
		}
	}
	require.Equal(t, 5, n, "records stored")
}

// A body whose Data has escapes ("\/" for every '/', as PHP's json_encode writes it) is
// valid JSON and is stored as its value says. Four of them keep the text's length a
// multiple of 4, so that only the backslashes tell it from base64.
func TestPutRecordsBase64_Escapes(t *testing.T) {
	client, h := streamHandler(t, 1)
	for _, texts := range []map[int]string{{0: `\/\/\/\/`}, {1: `\u0041\/8=`}} {
		body := strings.ReplaceAll(putRecordsBody("s", 2, texts, ""), `\\`, `\`) // putRecordsBody quotes with %q
		w := do(t, h, "PutRecords", body)
		require.Equal(t, http.StatusOK, w.Code, "body %s: answer %s", body, w.Body)
	}
	recs := readShard(t, client, "s", slkinesis.ShardID(0))
	require.Len(t, recs, 4)
	require.Equal(t, []byte{0xff, 0xff, 0xff}, recs[0].Data)
	require.Equal(t, []byte("record 1"), recs[1].Data)
	require.Equal(t, []byte("record 0"), recs[2].Data)
	require.Equal(t, []byte{0x03, 0xff}, recs[3].Data)
}
