package bench_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/shardlog/shardlog/kinesis"
)

// fakeKinesis is a small in-memory Kinesis for the load generator's tests: enough of
// CreateStream, DescribeStreamSummary, ListShards, DeleteStream, PutRecord(s),
// GetShardIterator and GetRecords to run a bench, with hooks that damage what it stores or
// refuse writes, so that the verification can be shown to catch each kind of damage.
type fakeKinesis struct {
	mu      sync.Mutex
	streams map[string]*fakeStream

	// refuse, if set, is asked for every record written (in order, counting from 0): an
	// error code makes PutRecords refuse that entry; storeAnyway stores it all the same.
	refuse      func(n int) (code string)
	storeAnyway bool
	written     int
	// status, if set, answers every write call with this HTTP status instead.
	status int
	// damage, if set, runs once on the stored shards when the first GetShardIterator arrives.
	damage  func(shards [][]fakeRecord) [][]fakeRecord
	damaged bool
}

type fakeStream struct {
	shards []fakeShard
	logs   [][]fakeRecord
}

// fakeShard is a shard of a fakeStream: its id and the hash keys it takes.
type fakeShard struct {
	ID           string
	HashKeyRange kinesis.HashKeyRange
}

// fakeShards divides the hash key space evenly among n shards, as CreateStream does.
func fakeShards(n int) []fakeShard {
	shards := make([]fakeShard, n)
	for i, r := range kinesis.UniformHashKeyRanges(n) {
		shards[i] = fakeShard{ID: kinesis.ShardID(i), HashKeyRange: r}
	}
	return shards
}

type fakeRecord struct {
	Seq  string
	Key  string
	Data []byte
}

// startFake serves a fakeKinesis on a loopback port for the duration of the test.
func startFake(t *testing.T) (*fakeKinesis, string) {
	t.Helper()
	f := &fakeKinesis{streams: map[string]*fakeStream{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func (f *fakeKinesis) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "Kinesis_20131202.")
	var in map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		answerError(w, 400, "SerializationException", err.Error())
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out, status, err := f.do(op, in)
	if err != nil {
		answerError(w, status, err.Error(), "from the fake")
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(out)
}

func answerError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}

func str(in map[string]json.RawMessage, key string) string {
	var s string
	json.Unmarshal(in[key], &s)
	return s
}

func (f *fakeKinesis) do(op string, in map[string]json.RawMessage) (any, int, error) {
	s := f.streams[str(in, "StreamName")]
	if s == nil && op != "CreateStream" && op != "GetRecords" {
		return nil, 400, fmt.Errorf("ResourceNotFoundException")
	}
	switch op {
	case "CreateStream":
		var n int
		json.Unmarshal(in["ShardCount"], &n)
		f.streams[str(in, "StreamName")] = &fakeStream{shards: fakeShards(n), logs: make([][]fakeRecord, n)}
		return map[string]any{}, 200, nil
	case "DescribeStreamSummary":
		return map[string]any{"StreamDescriptionSummary": map[string]any{"StreamName": str(in, "StreamName"), "StreamStatus": "ACTIVE", "OpenShardCount": len(s.shards)}}, 200, nil
	case "ListShards":
		return f.listShards(s), 200, nil
	case "DeleteStream":
		delete(f.streams, str(in, "StreamName"))
		return map[string]any{}, 200, nil
	case "PutRecord", "PutRecords":
		return f.put(op, s, in)
	case "GetShardIterator":
		if f.damage != nil && !f.damaged {
			s.logs, f.damaged = f.damage(s.logs), true
		}
		idx, _ := kinesis.ParseShardID(str(in, "ShardId"))
		return map[string]any{"ShardIterator": fmt.Sprintf("%s/%d/0", str(in, "StreamName"), idx)}, 200, nil
	case "GetRecords":
		return f.getRecords(in)
	}
	return nil, 400, fmt.Errorf("UnknownOperationException")
}

func (f *fakeKinesis) listShards(s *fakeStream) any {
	var shards []any
	for _, sh := range s.shards {
		shards = append(shards, map[string]any{
			"ShardId":             sh.ID,
			"HashKeyRange":        map[string]any{"StartingHashKey": sh.HashKeyRange.Start, "EndingHashKey": sh.HashKeyRange.End},
			"SequenceNumberRange": map[string]any{"StartingSequenceNumber": "1"},
		})
	}
	return map[string]any{"Shards": shards}
}

type putEntry struct {
	Data         []byte
	PartitionKey string
}

func (f *fakeKinesis) put(op string, s *fakeStream, in map[string]json.RawMessage) (any, int, error) {
	if f.status != 0 {
		return nil, f.status, fmt.Errorf("InternalFailure")
	}
	var entries []putEntry
	if op == "PutRecords" {
		json.Unmarshal(in["Records"], &entries)
	} else {
		var e putEntry
		json.Unmarshal(in["Data"], &e.Data)
		e.PartitionKey = str(in, "PartitionKey")
		entries = []putEntry{e}
	}
	var results []map[string]any
	failed := 0
	for _, e := range entries {
		code := ""
		if f.refuse != nil {
			code = f.refuse(f.written)
		}
		f.written++
		if code != "" {
			failed++
			results = append(results, map[string]any{"ErrorCode": code, "ErrorMessage": "refused by the fake"})
			if !f.storeAnyway {
				continue
			}
		}
		shard := s.route(e.PartitionKey)
		seq := fmt.Sprintf("1%020d", len(s.logs[shard]))
		s.logs[shard] = append(s.logs[shard], fakeRecord{Seq: seq, Key: e.PartitionKey, Data: e.Data})
		if code == "" {
			results = append(results, map[string]any{"SequenceNumber": seq, "ShardId": s.shards[shard].ID})
		}
	}
	if op == "PutRecord" {
		if failed > 0 {
			return nil, 400, fmt.Errorf("ProvisionedThroughputExceededException")
		}
		return results[0], 200, nil
	}
	return map[string]any{"FailedRecordCount": failed, "Records": results}, 200, nil
}

func (s *fakeStream) route(key string) int {
	h := kinesis.HashPartitionKey([]byte(key))
	for i, sh := range s.shards {
		if h.Compare(sh.HashKeyRange.Start) >= 0 && h.Compare(sh.HashKeyRange.End) <= 0 {
			return i
		}
	}
	panic("no shard owns " + key)
}

func (f *fakeKinesis) getRecords(in map[string]json.RawMessage) (any, int, error) {
	parts := strings.Split(str(in, "ShardIterator"), "/")
	s := f.streams[parts[0]]
	if len(parts) != 3 || s == nil {
		return nil, 400, fmt.Errorf("InvalidArgumentException")
	}
	shard, _ := strconv.Atoi(parts[1])
	from, _ := strconv.Atoi(parts[2])
	var limit int
	json.Unmarshal(in["Limit"], &limit)
	log := s.logs[shard]
	to := min(len(log), from+limit)
	recs := []map[string]any{}
	for _, r := range log[from:to] {
		recs = append(recs, map[string]any{"SequenceNumber": r.Seq, "PartitionKey": r.Key, "Data": r.Data, "ApproximateArrivalTimestamp": 1.7e9})
	}
	return map[string]any{
		"Records":            recs,
		"NextShardIterator":  fmt.Sprintf("%s/%d/%d", parts[0], shard, to),
		"MillisBehindLatest": 0,
	}, 200, nil
}
