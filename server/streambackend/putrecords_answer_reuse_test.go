package streambackend_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/stream"
)

// TestPutRecords_AnswerMemoryReused checks that a PutRecords answer's memory (its Records
// and their sequence numbers, 60 KiB for 500 records) is reused from one request to the
// next instead of left to the collector, and that answers built in reused memory are right:
// every sequence number parses, names the shard the answer names, and is higher than any
// number of the request before.
func TestPutRecords_AnswerMemoryReused(t *testing.T) {
	st := mustOpenStreamStore(t, stream.Options{})
	require.NoError(t, st.CreateStream("s", stream.StreamConfig{ShardCount: 4}))
	srv := server.New(streambackend.New(st), server.Options{Logger: discardLogger()})
	body := streamPutRecordsBody("s", 500, 100)
	serve := func() *httptest.ResponseRecorder {
		r := testutil.SetKinesisHeaders(httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body)), "PutRecords")
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		return w
	}

	last := map[string]kinesis.SequenceNumber{}
	for range 3 {
		var out struct {
			FailedRecordCount int
			Records           []struct{ SequenceNumber, ShardId string }
		}
		require.NoError(t, json.Unmarshal(serve().Body.Bytes(), &out))
		require.Zero(t, out.FailedRecordCount)
		require.Len(t, out.Records, 500)
		highest := map[string]kinesis.SequenceNumber{}
		for _, r := range out.Records {
			n, err := kinesis.ParseSequenceNumber(r.SequenceNumber)
			require.NoError(t, err)
			require.Equal(t, r.ShardId, kinesis.ShardID(int(n.ShardIndex)))
			if prev, ok := last[r.ShardId]; ok {
				require.Greater(t, n.Counter, prev.Counter, "a number of the request before")
			}
			if n.Counter >= highest[r.ShardId].Counter {
				highest[r.ShardId] = n
			}
		}
		last = highest
	}

	// Bytes allocated per request, averaged over 50, with an answer writer that keeps
	// nothing: the answer's 60 KiB would be most of it.
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop entries on purpose: memory reuse is measured without it")
	}
	rd := bytes.NewReader(body)
	r := testutil.SetKinesisHeaders(httptest.NewRequest(http.MethodPost, "/", nil), "PutRecords")
	r.Body, r.ContentLength = io.NopCloser(rd), int64(len(body))
	w := &streamDiscardWriter{h: http.Header{}}
	const requests = 50
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range requests {
		rd.Reset(body)
		clear(w.h)
		srv.ServeHTTP(w, r)
		require.Equal(t, http.StatusOK, w.status)
	}
	runtime.ReadMemStats(&after)
	perRequest := (after.TotalAlloc - before.TotalAlloc) / requests
	require.Less(t, perRequest, uint64(40<<10), "bytes allocated per 500-record request")
}
