package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/kpl"
)

// The live view reads a stream as `shardlog tail` does, through the API: an iterator per
// shard, GetRecords in turn on each, and at the end of a closed shard its children, once
// every parent of a child is read to its end, so that a key's records come in order
// through splits and merges. It sends what it reads as server-sent events:
//
//	event: records   data: {"Records":[record…],"Behind":{shard: MillisBehindLatest}}
//	event: shards    data: {"Reading":[shard id…]}  (the shards being read, when they change)
//	event: failure   data: {"Error":"…"}            (then the stream ends)

// liveRecord is one record of the live view, or one user record of a KPL aggregate.
type liveRecord struct {
	Shard        string
	Seq          string
	Sub          *int   `json:",omitempty"` // the user record's index in its aggregate
	PartitionKey string // the user record's own, for an aggregate
	ArrivalMs    int64
	Data         []byte // base64 in JSON
}

// maxLiveBatch bounds the records of one GetRecords call of the live view.
const maxLiveBatch = 500

// heartbeat is how often an idle live view sends a comment, so that proxies and the
// browser see the connection alive.
const heartbeat = 15 * time.Second

// reader reads one shard.
type reader struct {
	shard    string
	iterator string
}

// tail follows a stream from a starting position through resharding.
type tail struct {
	c      *Console
	stream string
	kind   string // the iterator type children start with: TRIM_HORIZON or AT_TIMESTAMP
	at     *float64

	reading  []*reader
	started  map[string]bool // shards that have had a reader
	finished map[string]bool // closed shards read to their end
}

// start makes the readers of the starting position: from is TRIM_HORIZON, LATEST,
// AT_TIMESTAMP (at: Unix seconds) or AT_SEQUENCE_NUMBER (at: the sequence number, read
// from the shard that has it and then its children).
func (t *tail) start(ctx context.Context, from, at string) error {
	shards, err := t.c.listShards(ctx, t.stream)
	if err != nil {
		return err
	}
	t.started, t.finished, t.kind = map[string]bool{}, map[string]bool{}, "TRIM_HORIZON"
	switch from {
	case "LATEST":
		for _, s := range shards {
			if s.open() {
				t.add(ctx, s.ShardId, "LATEST", nil, "")
			}
		}
	case "TRIM_HORIZON", "AT_TIMESTAMP":
		if from == "AT_TIMESTAMP" {
			var secs float64
			if _, err := fmt.Sscan(at, &secs); err != nil {
				return fmt.Errorf("console: AT_TIMESTAMP needs a time, got %q", at)
			}
			t.kind, t.at = from, &secs
		}
		listed := map[string]bool{}
		for _, s := range shards {
			listed[s.ShardId] = true
		}
		for _, s := range shards { // the roots: shards whose parents are gone or never were
			if !listed[s.ParentShardId] && !listed[s.AdjacentParentShardId] {
				t.add(ctx, s.ShardId, t.kind, t.at, "")
			}
		}
	case "AT_SEQUENCE_NUMBER":
		for _, s := range shards {
			if err := t.add(ctx, s.ShardId, from, nil, at); err == nil {
				break
			}
		}
		if len(t.reading) == 0 {
			return fmt.Errorf("console: no shard of %s has sequence number %q", t.stream, at)
		}
	default:
		return fmt.Errorf("console: unknown starting position %q", from)
	}
	return nil
}

// add starts reading shard from the position given.
func (t *tail) add(ctx context.Context, shard, kind string, at *float64, seq string) error {
	in := map[string]any{"StreamName": t.stream, "ShardId": shard, "ShardIteratorType": kind}
	if at != nil {
		in["Timestamp"] = *at
	}
	if seq != "" {
		in["StartingSequenceNumber"] = seq
	}
	var out struct{ ShardIterator string }
	if err := t.c.call(ctx, "GetShardIterator", in, &out); err != nil {
		return err
	}
	t.started[shard] = true
	t.reading = append(t.reading, &reader{shard: shard, iterator: out.ShardIterator})
	return nil
}

// getRecordsOutput is what the live view uses of a GetRecords answer.
type getRecordsOutput struct {
	Records []struct {
		SequenceNumber              string
		ApproximateArrivalTimestamp float64
		Data                        []byte
		PartitionKey                string
	}
	NextShardIterator  string
	MillisBehindLatest int64
	ChildShards        []struct {
		ShardId      string
		ParentShards []string
	}
}

// poll reads once from every shard being read. It reports whether the set of shards
// being read changed.
func (t *tail) poll(ctx context.Context, emit func(liveRecord), behind map[string]int64) (changed bool, err error) {
	var next []*reader
	var children []string
	for _, r := range t.reading {
		var out getRecordsOutput
		err := t.c.call(ctx, "GetRecords", map[string]any{"ShardIterator": r.iterator, "Limit": maxLiveBatch}, &out)
		var ae *apiError
		if errors.As(err, &ae) && ae.Type == kinesis.TypeProvisionedThroughputExceeded {
			next = append(next, r) // the shard's read limit: again next round
			continue
		}
		if err != nil {
			return false, fmt.Errorf("read %s: %w", r.shard, err)
		}
		for _, rec := range out.Records {
			emitRecord(r.shard, rec.SequenceNumber, rec.PartitionKey, rec.ApproximateArrivalTimestamp, rec.Data, emit)
		}
		behind[r.shard] = out.MillisBehindLatest
		if out.NextShardIterator != "" {
			r.iterator = out.NextShardIterator
			next = append(next, r)
			continue
		}
		t.finished[r.shard] = true
		delete(behind, r.shard)
		changed = true
		for _, ch := range out.ChildShards {
			if t.parentsFinished(ch.ParentShards) && !t.started[ch.ShardId] {
				children = append(children, ch.ShardId)
				t.started[ch.ShardId] = true
			}
		}
	}
	t.reading = next
	for _, id := range children {
		if err := t.add(ctx, id, t.kind, t.at, ""); err != nil {
			return changed, fmt.Errorf("follow into %s: %w", id, err)
		}
	}
	return changed, nil
}

// parentsFinished reports whether every parent of a child shard is read to its end, or
// was never read (a parent outside what the view started from).
func (t *tail) parentsFinished(parents []string) bool {
	for _, p := range parents {
		if t.started[p] && !t.finished[p] {
			return false
		}
	}
	return true
}

// emitRecord sends a record, or the user records of a KPL aggregate, each with its own
// partition key and its index as sub-sequence number.
func emitRecord(shard, seq, key string, arrival float64, data []byte, emit func(liveRecord)) {
	ms := int64(arrival * 1000)
	users, err := kpl.Deaggregate(data)
	if err != nil { // not an aggregate, or a damaged one: shown as it is
		emit(liveRecord{Shard: shard, Seq: seq, PartitionKey: key, ArrivalMs: ms, Data: data})
		return
	}
	for i, u := range users {
		emit(liveRecord{Shard: shard, Seq: seq, Sub: &i, PartitionKey: u.PartitionKey, ArrivalMs: ms, Data: u.Data})
	}
}

// serveLive sends the records of a stream as server-sent events until the client goes.
func (c *Console) serveLive(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from := q.Get("from")
	if from == "" {
		from = "LATEST"
	}
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	ctx := r.Context()
	t := &tail{c: c, stream: q.Get("stream")}
	send := func(event string, v any) error {
		b, _ := json.Marshal(v) // records, strings and numbers always encode
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b); err != nil {
			return err
		}
		return rc.Flush()
	}
	if err := t.start(ctx, from, q.Get("at")); err != nil {
		send("failure", map[string]string{"Error": err.Error()})
		return
	}
	if err := c.follow(ctx, t, send); err != nil && ctx.Err() == nil {
		c.opts.Logger.Info("console: live view ended", "stream", t.stream, "err", err)
		send("failure", map[string]string{"Error": err.Error()})
	}
}

// follow polls the tail and sends what it reads until ctx ends or a read fails.
func (c *Console) follow(ctx context.Context, t *tail, send func(string, any) error) error {
	if err := send("shards", map[string]any{"Reading": t.shardIDs()}); err != nil {
		return err
	}
	idle := time.NewTimer(0)
	defer idle.Stop()
	quiet := time.Now()
	behind := map[string]int64{}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-idle.C:
		}
		var batch []liveRecord
		changed, err := t.poll(ctx, func(r liveRecord) { batch = append(batch, r) }, behind)
		if err != nil {
			return err
		}
		if len(batch) > 0 {
			if err := send("records", map[string]any{"Records": batch, "Behind": behind}); err != nil {
				return err
			}
			quiet = time.Now()
		}
		if changed {
			if err := send("shards", map[string]any{"Reading": t.shardIDs()}); err != nil {
				return err
			}
		}
		if time.Since(quiet) > heartbeat {
			if err := send("behind", map[string]any{"Behind": behind}); err != nil {
				return err
			}
			quiet = time.Now()
		}
		wait := c.opts.PollInterval
		if len(batch) > 0 || changed {
			wait = 0 // more may be waiting: read again at once
		}
		idle.Reset(wait)
	}
}

func (t *tail) shardIDs() []string {
	ids := make([]string, len(t.reading))
	for i, r := range t.reading {
		ids[i] = r.shard
	}
	return ids
}
