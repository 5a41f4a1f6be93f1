package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/shardlog/shardlog/internal/wire"
)

// Benchmarks of the hot paths. Each reports records/s, payload MB/s (record
// data only, as BASELINES.md counts it) and allocations, and runs the
// encoding/json way of doing the same job in the same run, for comparison:
//
//	go test -run=NONE -bench='PutRecordsDecode|GetRecordsEncode|Server_' -benchtime=200ms ./server

var benchSizes = []int{100, 1000}

func sizeName(n int) string {
	if n >= 1000 && n%1000 == 0 {
		return strconv.Itoa(n/1000) + "KB"
	}
	return strconv.Itoa(n) + "B"
}

// putRecordsBody builds a PutRecords body the way the AWS SDK writes it.
func putRecordsBody(records, size int) []byte {
	var b strings.Builder
	b.WriteString(`{"Records":[`)
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i * 7)
	}
	for i := range records {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"Data":"%s","PartitionKey":"partition-key-%d"}`, base64.StdEncoding.EncodeToString(data), i)
	}
	b.WriteString(`],"StreamName":"bench-stream"}`)
	return []byte(b.String())
}

// jsonPutRecordsInput is what a server built on encoding/json would decode into.
type jsonPutRecordsInput struct {
	Records []struct {
		Data            []byte
		ExplicitHashKey *string
		PartitionKey    string
	}
	StreamName string
	StreamARN  string
}

func reportRecords(b *testing.B, records int) {
	b.ReportMetric(float64(b.N)*float64(records)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkPutRecordsDecode(b *testing.B) {
	const records = 500
	for _, size := range benchSizes {
		body := putRecordsBody(records, size)
		name := fmt.Sprintf("records=%d/size=%s", records, sizeName(size))
		b.Run(name+"/decoder=fast", func(b *testing.B) {
			b.SetBytes(int64(records * size))
			b.ReportAllocs()
			lim := fastLimits{maxData: 1 << 20}
			for b.Loop() {
				a := getArena()
				if _, ok := decodePutRecordsFast(body, lim, a); !ok {
					b.Fatal("declined")
				}
				putArenaBack(a)
			}
			reportRecords(b, records)
		})
		b.Run(name+"/decoder=general", func(b *testing.B) {
			b.SetBytes(int64(records * size))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := DecodeRequest("PutRecords", contentTypeJSON, body, Options{}); err != nil {
					b.Fatal(err)
				}
			}
			reportRecords(b, records)
		})
		b.Run(name+"/decoder=encoding-json", func(b *testing.B) {
			b.SetBytes(int64(records * size))
			b.ReportAllocs()
			for b.Loop() {
				var in jsonPutRecordsInput
				if err := json.Unmarshal(body, &in); err != nil {
					b.Fatal(err)
				}
			}
			reportRecords(b, records)
		})
	}
}

// jsonRecord is what a server built on encoding/json would encode.
type jsonRecord struct {
	SequenceNumber              string
	ApproximateArrivalTimestamp float64
	Data                        []byte
	PartitionKey                string
}

func BenchmarkGetRecordsEncode(b *testing.B) {
	const records = 1000
	seq := []byte("49590338271490256608559692538361571095921575989136588898")
	key := []byte("partition-key-0001")
	for _, size := range benchSizes {
		data := bytes.Repeat([]byte{0xa5}, size)
		name := fmt.Sprintf("records=%d/size=%s", records, sizeName(size))
		b.Run(name+"/encoder=direct", func(b *testing.B) {
			b.SetBytes(int64(records * size))
			b.ReportAllocs()
			var buf []byte
			for b.Loop() {
				enc := wire.NewJSONRecords(buf[:0], nil)
				for i := range records {
					enc.Record(seq, 1506440188749+int64(i), key, data)
				}
				buf = enc.Finish(recordsEnd(&GetRecordsOutput{NextShardIterator: "AAAAAAAAAAE=", MillisBehindLatest: 0}))
			}
			reportRecords(b, records)
		})
		b.Run(name+"/encoder=encoding-json", func(b *testing.B) {
			b.SetBytes(int64(records * size))
			b.ReportAllocs()
			for b.Loop() {
				out := struct {
					Records            []jsonRecord
					NextShardIterator  string
					MillisBehindLatest int64
				}{Records: make([]jsonRecord, 0, records), NextShardIterator: "AAAAAAAAAAE="}
				for i := range records {
					out.Records = append(out.Records, jsonRecord{
						SequenceNumber:              string(seq),
						ApproximateArrivalTimestamp: float64(1506440188749+int64(i)) / 1000,
						Data:                        bytes.Clone(data), // the sink's bytes are valid only during the call
						PartitionKey:                string(key),
					})
				}
				if _, err := json.Marshal(&out); err != nil {
					b.Fatal(err)
				}
			}
			reportRecords(b, records)
		})
	}
}

// nopBackend answers PutRecords with a canned result and GetRecords with
// canned records, so that the benchmarks measure the server alone.
type nopBackend struct {
	UnimplementedBackend
	put     *PutRecordsOutput
	records int
	data    []byte
}

func (n *nopBackend) PutRecords(context.Context, *PutRecordsInput) (*PutRecordsOutput, error) {
	return n.put, nil
}

var (
	benchSeq = []byte("49590338271490256608559692538361571095921575989136588898")
	benchKey = []byte("partition-key")
)

func (n *nopBackend) GetRecords(_ context.Context, _ *GetRecordsInput, sink RecordSink) (*GetRecordsOutput, error) {
	for i := range n.records {
		if err := sink.Record(benchSeq, 1506440188749+int64(i), benchKey, n.data); err != nil {
			return nil, err
		}
	}
	return &GetRecordsOutput{NextShardIterator: "AAAAAAAAAAE="}, nil
}

func newNopBackend(records int) *nopBackend {
	out := &PutRecordsOutput{Records: make([]PutRecordsResultEntry, records)}
	for i := range out.Records {
		out.Records[i] = PutRecordsResultEntry{SequenceNumber: string(benchSeq), ShardId: "shardId-000000000000"}
	}
	return &nopBackend{put: out, records: records}
}

// discardWriter is a ResponseWriter that keeps nothing but the status.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(status int)      { w.status = status }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }

// benchRequest is one request replayed through the handler.
func benchRequest(op string, body []byte) (*http.Request, *bytes.Reader) {
	rd := bytes.NewReader(body)
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Header.Set("Content-Type", contentTypeJSON)
	r.Header.Set("X-Amz-Target", targetPrefix+"."+op)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=abc")
	r.Header.Set("X-Amz-Date", "20260101T000000Z")
	r.Body = io.NopCloser(rd)
	r.ContentLength = int64(len(body))
	return r, rd
}

func benchServer(b *testing.B, backend Backend) *Server {
	b.Helper()
	return New(backend, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))})
}

// BenchmarkServer_PutRecords runs the full handler, from body to response, on
// pre-encoded requests and a no-op Backend.
func BenchmarkServer_PutRecords(b *testing.B) {
	const records = 500
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("records=%d/size=%s", records, sizeName(size)), func(b *testing.B) {
			body := putRecordsBody(records, size)
			s := benchServer(b, newNopBackend(records))
			r, rd := benchRequest("PutRecords", body)
			w := &discardWriter{h: http.Header{}}
			b.SetBytes(int64(records * size))
			b.ReportAllocs()
			for b.Loop() {
				rd.Reset(body)
				clear(w.h)
				s.ServeHTTP(w, r)
				if w.status != http.StatusOK {
					b.Fatalf("status %d", w.status)
				}
			}
			reportRecords(b, records)
		})
	}
}

// BenchmarkServer_GetRecords runs the full handler for GetRecords of 1000
// records from a no-op Backend.
func BenchmarkServer_GetRecords(b *testing.B) {
	const records = 1000
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("records=%d/size=%s", records, sizeName(size)), func(b *testing.B) {
			backend := newNopBackend(records)
			backend.data = bytes.Repeat([]byte{0x5a}, size)
			s := benchServer(b, backend)
			body := []byte(`{"ShardIterator":"AAAAAAAAAAE=","Limit":10000}`)
			r, rd := benchRequest("GetRecords", body)
			w := &discardWriter{h: http.Header{}}
			b.SetBytes(int64(records * size))
			b.ReportAllocs()
			for b.Loop() {
				rd.Reset(body)
				clear(w.h)
				s.ServeHTTP(w, r)
				if w.status != http.StatusOK {
					b.Fatalf("status %d", w.status)
				}
			}
			reportRecords(b, records)
		})
	}
}
