package server_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/internal/wire"
	"github.com/shardlog/shardlog/server"
)

// releasingBackend answers PutRecords with an output whose Release counts its calls and
// scribbles over the answer, as a Backend that reuses the memory would.
type releasingBackend struct {
	server.UnimplementedBackend
	fail     bool
	released int
}

func (b *releasingBackend) PutRecords(context.Context, *server.PutRecordsInput) (*server.PutRecordsOutput, error) {
	out := &server.PutRecordsOutput{Records: []server.PutRecordsResultEntry{
		{SequenceNumber: "49590338271490256608559692538361571095921575989136588898", ShardId: "shardId-000000000000"},
	}}
	out.Release = func() {
		b.released++
		out.Records[0] = server.PutRecordsResultEntry{SequenceNumber: "released", ShardId: "released"}
	}
	if b.fail {
		return out, errors.New("the store failed")
	}
	return out, nil
}

// TestServer_PutRecords_ReleasesTheAnswerAfterRendering checks that the server calls an
// answer's Release once, after the answer is in the body, in JSON and CBOR, and once when
// the Backend failed as well.
func TestServer_PutRecords_ReleasesTheAnswerAfterRendering(t *testing.T) {
	body := `{"StreamName":"s","Records":[{"Data":"AA==","PartitionKey":"k"}]}`
	for _, tc := range []struct {
		name        string
		contentType string
		fail        bool
	}{
		{"json", "application/x-amz-json-1.1", false},
		{"cbor", "application/x-amz-cbor-1.1", false},
		{"backend failed", "application/x-amz-json-1.1", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &releasingBackend{fail: tc.fail}
			srv := server.New(b, server.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			r := testutil.SetKinesisHeaders(httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body)), "PutRecords")
			if tc.contentType != "application/x-amz-json-1.1" {
				r = testutil.SetKinesisHeaders(httptest.NewRequest(http.MethodPost, "/", strings.NewReader(cborPutRecords())), "PutRecords")
				r.Header.Set("Content-Type", tc.contentType)
			}
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, r)
			require.Equal(t, 1, b.released)
			if tc.fail {
				require.Equal(t, http.StatusInternalServerError, w.Code, w.Body.String())
				return
			}
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			require.Contains(t, w.Body.String(), "49590338271490256608559692538361571095921575989136588898")
			require.NotContains(t, w.Body.String(), "released")
		})
	}
}

// cborPutRecords is a PutRecords body of one record in CBOR, as the Java SDKs send it.
func cborPutRecords() string {
	b := wire.AppendCBORHead(nil, wire.CBORMap, 2)
	b = wire.AppendCBORText(b, "StreamName")
	b = wire.AppendCBORText(b, "s")
	b = wire.AppendCBORText(b, "Records")
	b = wire.AppendCBORHead(b, wire.CBORArray, 1)
	b = wire.AppendCBORHead(b, wire.CBORMap, 2)
	b = wire.AppendCBORText(b, "Data")
	b = wire.AppendCBORBytes(b, []byte{0})
	b = wire.AppendCBORText(b, "PartitionKey")
	b = wire.AppendCBORText(b, "k")
	return string(b)
}
