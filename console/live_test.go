package console

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shardlog/shardlog/kpl"
)

// logAPI is a stream as the API shows it to a reader: shards with their records, closed
// shards with their children.
type logAPI struct {
	shards []shard
	data   map[string][]string // shard → the data of its records
	child  map[string][]string // closed shard → its children
	reads  int                 // GetRecords calls
}

func (a *logAPI) Invoke(_ context.Context, op string, in []byte) (int, []byte) {
	var req map[string]any
	json.Unmarshal(in, &req)
	var out any
	switch op {
	case "ListShards":
		out = map[string]any{"Shards": a.shards}
	case "GetShardIterator":
		out = map[string]string{"ShardIterator": req["ShardId"].(string) + "/0"}
		if req["ShardIteratorType"] == "LATEST" {
			id := req["ShardId"].(string)
			out = map[string]string{"ShardIterator": id + "/" + strconv.Itoa(len(a.data[id]))}
		}
	case "GetRecords":
		a.reads++
		id, at, _ := strings.Cut(req["ShardIterator"].(string), "/")
		pos, _ := strconv.Atoi(at)
		var recs []map[string]any
		for i, d := range a.data[id][pos:] {
			recs = append(recs, map[string]any{"SequenceNumber": id + "-" + strconv.Itoa(pos+i),
				"PartitionKey": "pk", "Data": []byte(d), "ApproximateArrivalTimestamp": 1.5})
		}
		res := map[string]any{"Records": recs, "MillisBehindLatest": 0}
		closed := a.child[id] != nil
		if !closed || len(recs) > 0 {
			res["NextShardIterator"] = id + "/" + strconv.Itoa(len(a.data[id]))
		} else {
			var kids []map[string]any
			for _, c := range a.child[id] {
				kids = append(kids, map[string]any{"ShardId": c, "ParentShards": a.parents(c)})
			}
			res["ChildShards"] = kids
		}
		out = res
	default:
		return http.StatusBadRequest, []byte(`{"__type":"UnknownOperationException"}`)
	}
	b, _ := json.Marshal(out)
	return http.StatusOK, b
}

func (a *logAPI) parents(id string) []string {
	var ps []string
	for p, kids := range a.child {
		for _, k := range kids {
			if k == id {
				ps = append(ps, p)
			}
		}
	}
	return ps
}

func mkShard(id, parent, adjacent string, closed bool) shard {
	s := shard{ShardId: id, ParentShardId: parent, AdjacentParentShardId: adjacent}
	if closed {
		s.SequenceNumberRange.EndingSequenceNumber = "9"
	}
	return s
}

// TestTail_ThroughResharding: from TRIM_HORIZON the live view reads a parent to its end
// before its children, and the child of a merge only once both parents are read; the
// user records of a KPL aggregate come out one by one.
func TestTail_ThroughResharding(t *testing.T) {
	agg, err := kpl.Aggregate([]kpl.Record{{PartitionKey: "u1", Data: []byte("user-1")}, {PartitionKey: "u2", Data: []byte("user-2")}})
	if err != nil {
		t.Fatal(err)
	}
	// 0 splits into 1 and 2; 1 and 2 merge into 3.
	api := &logAPI{
		shards: []shard{mkShard("s0", "", "", true), mkShard("s1", "s0", "", true),
			mkShard("s2", "s0", "", true), mkShard("s3", "s1", "s2", false)},
		data:  map[string][]string{"s0": {"a", "b"}, "s1": {"c"}, "s2": {"d", string(agg)}, "s3": {"e"}},
		child: map[string][]string{"s0": {"s1", "s2"}, "s1": {"s3"}, "s2": {"s3"}},
	}
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	c.Bind(api)
	tl := &tail{c: c, stream: "s"}
	if err := tl.start(context.Background(), "TRIM_HORIZON", ""); err != nil {
		t.Fatalf("start: %v", err)
	}
	var got []string
	behind := map[string]int64{}
	for round := 0; round < 20 && len(got) < 7; round++ {
		if _, err := tl.poll(context.Background(), func(r liveRecord) {
			s := r.Shard + ":" + string(r.Data)
			if r.Sub != nil {
				s += "#" + strconv.Itoa(*r.Sub) + "@" + r.PartitionKey
			}
			got = append(got, s)
		}, behind); err != nil {
			t.Fatalf("poll: %v", err)
		}
	}
	want := []string{"s0:a", "s0:b", "s1:c", "s2:d", "s2:user-1#0@u1", "s2:user-2#1@u2", "s3:e"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("records = %q\nwant      %q", got, want)
	}
	if ids := tl.shardIDs(); len(ids) != 1 || ids[0] != "s3" {
		t.Errorf("reading %q at the end, want only the open shard s3", ids)
	}
}

// TestTail_Latest reads the open shards only, from their tips.
func TestTail_Latest(t *testing.T) {
	api := &logAPI{
		shards: []shard{mkShard("s0", "", "", true), mkShard("s1", "s0", "", false), mkShard("s2", "s0", "", false)},
		data:   map[string][]string{"s0": {"a"}, "s1": {"b"}, "s2": {"c"}},
		child:  map[string][]string{"s0": {"s1", "s2"}},
	}
	c, _ := New(Options{})
	c.Bind(api)
	tl := &tail{c: c, stream: "s"}
	if err := tl.start(context.Background(), "LATEST", ""); err != nil {
		t.Fatalf("start: %v", err)
	}
	if ids := strings.Join(tl.shardIDs(), ","); ids != "s1,s2" {
		t.Fatalf("reading %s, want s1,s2", ids)
	}
	api.data["s1"] = append(api.data["s1"], "new")
	var got []string
	tl.poll(context.Background(), func(r liveRecord) { got = append(got, string(r.Data)) }, map[string]int64{})
	if strings.Join(got, ",") != "new" {
		t.Errorf("records = %q, want only the one put after the start", got)
	}
}

// TestConsole_LiveEvents: the live view is a stream of server-sent events: the shards it
// reads, then the records, each with its data in base64; a bad start is a failure event.
func TestConsole_LiveEvents(t *testing.T) {
	api := &logAPI{shards: []shard{mkShard("s0", "", "", false)}, data: map[string][]string{"s0": {`{"a":1}`}}}
	c, err := New(Options{PollInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c.Bind(api)
	srv := httptest.NewServer(c)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	events := func(query string, n int) []string {
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/console/api/live?"+query, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
			t.Fatalf("Content-Type = %q, want text/event-stream", ct)
		}
		var got []string
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() && len(got) < n {
			if line := sc.Text(); line != "" {
				got = append(got, line)
			}
		}
		return got
	}
	got := events("stream=s&from=TRIM_HORIZON", 4)
	want := []string{"event: shards", `data: {"Reading":["s0"]}`, "event: records",
		`data: {"Behind":{"s0":0},"Records":[{"Shard":"s0","Seq":"s0-0","PartitionKey":"pk","ArrivalMs":1500,"Data":"eyJhIjoxfQ=="}]}`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	got = events("stream=s&from=SOMEWHERE", 2)
	if len(got) != 2 || got[0] != "event: failure" || !strings.Contains(got[1], `unknown starting position \"SOMEWHERE\"`) {
		t.Errorf("events of a bad start = %q, want a failure", got)
	}
}
