package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// The probes measure a server that already holds data, for the data-on-disk cost curve
// (bench/curve-data.sh): how long it takes to answer after it was started, and how long a
// reader waits for its first records at each kind of starting position.

// WaitReady polls the server's GET /health until it answers that it is ready (200, "ok"), and returns
// the time from since (when the server was started) to that answer. A refused connection
// or an answer that is not ready is tried again every poll until timeout has passed.
func WaitReady(ctx context.Context, endpoint string, since time.Time, poll, timeout time.Duration) (time.Duration, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return 0, fmt.Errorf("bench: endpoint %q: %w", endpoint, err)
	}
	u.Path = "/health"
	hc := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	defer hc.CloseIdleConnections()
	deadline := since.Add(timeout)
	var last error
	for {
		if ready, err := healthReady(ctx, hc, u.String(), poll+time.Second); ready {
			return time.Since(since), nil
		} else if err != nil {
			last = err
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("bench: %s not ready %v after the start: %w", endpoint, timeout, last)
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(poll):
		}
	}
}

// healthReady asks for the health report once; the error says why the server is not ready.
// The per-request timeout only guards against a hung connection: a server still opening its
// store holds the request until it serves, and the answer then comes as soon as it can.
func healthReady(ctx context.Context, hc *http.Client, u string, timeout time.Duration) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return false, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return false, err
	}
	var h struct {
		Status string `json:"status"`
		Reason string `json:"reason"`
	}
	if err := json.Unmarshal(body, &h); err != nil {
		return false, fmt.Errorf("health answer %d: %w", resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK || h.Status != "ok" {
		return false, fmt.Errorf("health answer %d: %s %s", resp.StatusCode, h.Status, h.Reason)
	}
	return true, nil
}

// ReadProbeConfig says what ReadProbe measures.
type ReadProbeConfig struct {
	Endpoint string
	Region   string
	// Stream is the stream to read; empty: the first stream ListStreams names.
	Stream string
	// Tries is how many times each starting position is measured, spread over the shards
	// round robin (default 50).
	Tries int
	// Limit is the GetRecords Limit of the first call (default 100).
	Limit int
	// At is the AT_TIMESTAMP position, e.g. the middle of the time the data was written; zero:
	// AT_TIMESTAMP and AT_SEQUENCE_NUMBER are not measured. AT_SEQUENCE_NUMBER starts at the
	// first record the AT_TIMESTAMP reads found on each shard.
	At time.Time
}

// ReadProbeResult is the latency of GetShardIterator plus the first GetRecords call, by
// starting position (TRIM_HORIZON, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, LATEST).
type ReadProbeResult struct {
	Stream string                   `json:"stream"`
	Shards int                      `json:"shards"`
	Limit  int                      `json:"limit"`
	By     map[string]ReadProbeKind `json:"by"`
}

// ReadProbeKind is one starting position's figures.
type ReadProbeKind struct {
	Latency Latency `json:"latency"`
	// Records is the number of records the first GetRecords calls returned, over all tries;
	// Empty counts the first calls that returned none (expected only at LATEST).
	Records int64 `json:"records"`
	Empty   int   `json:"empty"`
}

// probeRecord is the part of a GetRecords record the probe looks at.
type probeRecord struct {
	SequenceNumber              string  `json:"SequenceNumber"`
	ApproximateArrivalTimestamp float64 `json:"ApproximateArrivalTimestamp"`
}

// ReadProbe measures, for each starting position, GetShardIterator followed by one
// GetRecords call with Limit, Tries times. It checks that an AT_TIMESTAMP read starts at or
// after the timestamp and an AT_SEQUENCE_NUMBER read at the sequence number.
func ReadProbe(ctx context.Context, cfg ReadProbeConfig) (ReadProbeResult, error) {
	if cfg.Tries <= 0 {
		cfg.Tries = 50
	}
	if cfg.Limit <= 0 {
		cfg.Limit = 100
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	kc := newKinesis(Config{Endpoint: cfg.Endpoint, Region: cfg.Region})
	if cfg.Stream == "" {
		out, err := kc.ListStreams(ctx, &kinesis.ListStreamsInput{Limit: aws.Int32(1)})
		if err != nil {
			return ReadProbeResult{}, fmt.Errorf("bench: list streams: %w", err)
		}
		if len(out.StreamNames) == 0 {
			return ReadProbeResult{}, errors.New("bench: the server has no stream to read")
		}
		cfg.Stream = out.StreamNames[0]
	}
	shards, err := listOpenShards(ctx, kc, cfg.Stream)
	if err != nil {
		return ReadProbeResult{}, err
	}
	if len(shards) == 0 {
		return ReadProbeResult{}, fmt.Errorf("bench: stream %s has no open shard", cfg.Stream)
	}
	p := &readProbe{cfg: cfg, c: newClient(cfg.Endpoint, cfg.Region, 1), shards: shards}
	defer p.c.close()
	res := ReadProbeResult{Stream: cfg.Stream, Shards: len(shards), Limit: cfg.Limit, By: map[string]ReadProbeKind{}}
	kinds := []string{"TRIM_HORIZON", "LATEST"}
	if !cfg.At.IsZero() {
		kinds = []string{"TRIM_HORIZON", "AT_TIMESTAMP", "AT_SEQUENCE_NUMBER", "LATEST"}
	}
	middle := make([]string, len(shards)) // per shard: the first record at cfg.At
	for _, kind := range kinds {
		var h Histogram
		var k ReadProbeKind
		for i := range cfg.Tries {
			sh := i % len(shards)
			pos := ""
			switch kind {
			case "AT_TIMESTAMP":
				pos = `,"Timestamp":` + strconv.FormatFloat(float64(cfg.At.UnixMilli())/1000, 'f', 3, 64)
			case "AT_SEQUENCE_NUMBER":
				if middle[sh] == "" {
					continue // no record at or after At on this shard
				}
				pos = `,"StartingSequenceNumber":` + strconv.Quote(middle[sh])
			}
			recs, took, err := p.first(ctx, shards[sh].id, kind, pos)
			if err != nil {
				return res, err
			}
			h.Record(took)
			k.Records += int64(len(recs))
			if len(recs) == 0 {
				k.Empty++
				continue
			}
			switch kind {
			case "AT_TIMESTAMP":
				if got := recs[0].ApproximateArrivalTimestamp; int64(got*1000+0.5) < cfg.At.UnixMilli() {
					return res, fmt.Errorf("bench: AT_TIMESTAMP %v on %s started at a record of %.3f, before it", cfg.At, shards[sh].id, got)
				}
				middle[sh] = recs[0].SequenceNumber
			case "AT_SEQUENCE_NUMBER":
				if recs[0].SequenceNumber != middle[sh] {
					return res, fmt.Errorf("bench: AT_SEQUENCE_NUMBER %s on %s started at %s", middle[sh], shards[sh].id, recs[0].SequenceNumber)
				}
			}
		}
		k.Latency = h.Summary()
		res.By[kind] = k
	}
	return res, nil
}

type readProbe struct {
	cfg    ReadProbeConfig
	c      *client
	shards []shardRange
	buf    []byte
}

// first gets a shard iterator of kind (pos: the extra members of the request) and makes one
// GetRecords call with it; took is the time of both calls. The answer is decoded after the
// clock stops.
func (p *readProbe) first(ctx context.Context, shardID, kind, pos string) ([]probeRecord, time.Duration, error) {
	req := `{"StreamName":` + strconv.Quote(p.cfg.Stream) + `,"ShardId":` + strconv.Quote(shardID) +
		`,"ShardIteratorType":"` + kind + `"` + pos + `}`
	start := time.Now()
	status, answer, err := p.c.call(ctx, "GetShardIterator", []byte(req), p.buf)
	if err != nil || status != http.StatusOK {
		return nil, 0, probeError("GetShardIterator", status, answer, err)
	}
	var it struct{ ShardIterator string }
	// The iterator is the answer's only member: finding it is part of what a client does.
	if err := json.Unmarshal(answer, &it); err != nil || it.ShardIterator == "" {
		return nil, 0, fmt.Errorf("bench: GetShardIterator %s: answer %.200q", kind, answer)
	}
	req = `{"ShardIterator":` + strconv.Quote(it.ShardIterator) + `,"Limit":` + strconv.Itoa(p.cfg.Limit) + `}`
	status, answer, err = p.c.call(ctx, "GetRecords", []byte(req), answer)
	took := time.Since(start)
	p.buf = answer
	if err != nil || status != http.StatusOK {
		return nil, 0, probeError("GetRecords", status, answer, err)
	}
	var out struct{ Records []probeRecord }
	if err := json.Unmarshal(answer, &out); err != nil {
		return nil, 0, fmt.Errorf("bench: GetRecords %s: %w", kind, err)
	}
	return out.Records, took, nil
}

func probeError(op string, status int, answer []byte, err error) error {
	if err != nil {
		return fmt.Errorf("bench: %s: %w", op, err)
	}
	return fmt.Errorf("bench: %s: %w", op, parseError(op, status, answer))
}

// WriteInto writes to an existing stream as Run's write phase does (cfg's Op, sizes,
// Connections and Duration or Records), without creating, reading back or deleting
// anything: the writes that a server is killed under, for the start-up after a crash.
func WriteInto(ctx context.Context, cfg Config, stream string) (PhaseResult, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return PhaseResult{}, err
	}
	shards, err := listOpenShards(ctx, newKinesis(cfg), stream)
	if err != nil {
		return PhaseResult{}, err
	}
	writers := make([]*writer, cfg.Connections)
	for w := range writers {
		writers[w] = newWriter(w, 0, cfg.Op, buildTemplates(cfg, w, stream, routerFor(shards)))
	}
	c := newClient(cfg.Endpoint, cfg.Region, cfg.Connections)
	defer c.close()
	return writeAll(ctx, cfg, c, writers)
}
