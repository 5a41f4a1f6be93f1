package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/stream"
)

// inProcess is a shardlog server running inside the test, over a data directory.
type inProcess struct {
	Endpoint string
	Dir      string
	stop     func()
	stopped  bool

	mu       sync.Mutex
	answered map[string]int // requests answered, by operation (X-Amz-Target)
	changed  chan struct{}  // closed, and replaced, when answered changes
}

// serveInProcess starts a server over dir (a new temporary directory if empty) on a loopback
// port. Stop closes it cleanly (the test's cleanup does if the test does not).
func serveInProcess(t *testing.T, dir string) *inProcess {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := stream.Open(dir, stream.Options{Logger: log})
	require.NoError(t, err)
	p := &inProcess{Dir: dir, answered: map[string]int{}, changed: make(chan struct{})}
	h := server.New(streambackend.New(store), server.Options{Logger: log})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		p.count(r.Header.Get("X-Amz-Target"))
	}))
	p.Endpoint = srv.URL
	p.stop = func() {
		srv.Close()
		require.NoError(t, store.Close())
	}
	t.Cleanup(p.Stop)
	return p
}

// count records that a request for target has been answered.
func (p *inProcess) count(target string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.answered[target]++
	close(p.changed)
	p.changed = make(chan struct{})
}

// awaitAnswered waits until the server has answered n requests for the operation op (e.g.
// "GetShardIterator"), or fails the test after timeout.
func (p *inProcess) awaitAnswered(t *testing.T, op string, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		p.mu.Lock()
		got, changed := p.answered["Kinesis_20131202."+op], p.changed
		p.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("%d %s requests answered in %v, want %d", got, op, timeout, n)
		}
	}
}

// Stop closes the server and its store, once.
func (p *inProcess) Stop() {
	if !p.stopped {
		p.stopped = true
		p.stop()
	}
}

// mustCreate creates a stream through the SDK and waits until it is ACTIVE.
func mustCreate(t *testing.T, endpoint, name string, shards int) *kinesis.Client {
	t.Helper()
	kc := newClient(endpoint)
	_, err := kc.CreateStream(context.Background(), &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(int32(shards))})
	require.NoError(t, err)
	waitActive(t, kc, name)
	return kc
}

// storedRecord is a record read back from a shard.
type storedRecord struct {
	Shard, Seq, Key, Data string
}

// readStream reads every shard of a stream from TRIM_HORIZON to its tip, shard by shard.
func readStream(t *testing.T, kc *kinesis.Client, name string) []storedRecord {
	t.Helper()
	ctx := context.Background()
	shards, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(name)})
	require.NoError(t, err)
	var out []storedRecord
	for _, sh := range shards.Shards {
		it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name),
			ShardId: sh.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		require.NoError(t, err)
		for iter := it.ShardIterator; iter != nil; {
			got, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
			require.NoError(t, err)
			for _, r := range got.Records {
				out = append(out, storedRecord{aws.ToString(sh.ShardId), aws.ToString(r.SequenceNumber), aws.ToString(r.PartitionKey), string(r.Data)})
			}
			if len(got.Records) == 0 {
				break
			}
			iter = got.NextShardIterator
		}
	}
	return out
}

// runCmd runs one shardlog command in-process and returns its exit code, stdout and stderr.
func runCmd(stdin io.Reader, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	if args[0] == "put" {
		code = runPut(args[1:], stdin, &out, &errOut)
	} else {
		code = run(args, &out, &errOut)
	}
	return code, out.String(), errOut.String()
}

func TestPut_Records(t *testing.T) {
	srv := serveInProcess(t, "")
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  []string // data, in order per partition key
		keys  func(t *testing.T, recs []storedRecord)
	}{
		{
			name:  "stdin-lines",
			stdin: "one\ntwo\n\nfour without newline",
			args:  []string{"--partition-key", "k"},
			want:  []string{"one", "two", "", "four without newline"},
			keys: func(t *testing.T, recs []storedRecord) {
				for _, r := range recs {
					require.Equal(t, "k", r.Key)
					require.Equal(t, recs[0].Shard, r.Shard, "one key, one shard")
				}
			},
		},
		{
			name: "arguments",
			args: []string{"--partition-key", "k", "first arg", "second arg"},
			want: []string{"first arg", "second arg"},
		},
		{
			name:  "key-field",
			stdin: `{"user":"ann","n":1}` + "\n" + `{"user":"bob","n":2}` + "\n" + `{"user":7,"n":3}` + "\n",
			args:  []string{"--key-field", "user"},
			want:  []string{`{"user":"ann","n":1}`, `{"user":"bob","n":2}`, `{"user":7,"n":3}`},
			keys: func(t *testing.T, recs []storedRecord) {
				byData := map[string]string{}
				for _, r := range recs {
					byData[r.Data] = r.Key
				}
				require.Equal(t, "ann", byData[`{"user":"ann","n":1}`])
				require.Equal(t, "bob", byData[`{"user":"bob","n":2}`])
				require.Equal(t, "7", byData[`{"user":7,"n":3}`], "a number keys by its JSON text")
			},
		},
		{
			name:  "random-keys-spread",
			stdin: strings.Repeat("x\n", 400),
			want:  strings.Split(strings.Repeat("x\n", 400), "\n")[:400],
			keys: func(t *testing.T, recs []storedRecord) {
				shards := map[string]int{}
				keys := map[string]bool{}
				for _, r := range recs {
					shards[r.Shard]++
					keys[r.Key] = true
				}
				require.Len(t, shards, 4, "400 random keys reach all 4 shards")
				require.Greater(t, len(keys), 390, "keys are random")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := "put-" + tt.name
			kc := mustCreate(t, srv.Endpoint, name, 4)
			args := append([]string{"put", "--endpoint", srv.Endpoint, "--stream", name}, tt.args...)
			code, _, stderr := runCmd(strings.NewReader(tt.stdin), args...)
			require.Equal(t, 0, code, stderr)
			require.Contains(t, stderr, fmt.Sprintf("%d records in", len(tt.want)))
			recs := readStream(t, kc, name)
			var data []string
			for _, r := range recs {
				data = append(data, r.Data)
			}
			require.ElementsMatch(t, tt.want, data)
			if tt.name == "stdin-lines" || tt.name == "arguments" {
				require.Equal(t, tt.want, data, "one key: the stream keeps input order")
			}
			if tt.keys != nil {
				tt.keys(t, recs)
			}
		})
	}
}

func TestPut_BatchesAndPrint(t *testing.T) {
	srv := serveInProcess(t, "")
	kc := mustCreate(t, srv.Endpoint, "batches", 2)
	var in strings.Builder
	for i := range 1203 {
		fmt.Fprintf(&in, "record %d\n", i)
	}
	code, stdout, stderr := runCmd(strings.NewReader(in.String()), "put", "--endpoint", srv.Endpoint,
		"--stream", "batches", "--partition-key", "same", "--batch", "500", "--print")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "1203 records in 3 calls", "500 + 500 + 203")

	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	require.Len(t, lines, 1203)
	recs := readStream(t, kc, "batches")
	require.Len(t, recs, 1203)
	for i, l := range lines {
		shard, seq, ok := strings.Cut(l, " ")
		require.True(t, ok, "line %q", l)
		require.Equal(t, recs[i].Shard, shard, "record %d", i)
		require.Equal(t, recs[i].Seq, seq, "record %d: --print gives the stored sequence number", i)
		require.Equal(t, fmt.Sprintf("record %d", i), recs[i].Data)
	}
}

// TestPut_Linger checks that a partial batch goes out when the input pauses, without waiting
// for the input to end.
func TestPut_Linger(t *testing.T) {
	srv := serveInProcess(t, "")
	kc := mustCreate(t, srv.Endpoint, "linger", 1)
	r, w := io.Pipe()
	done := make(chan int, 1)
	go func() {
		code, _, _ := runCmd(r, "put", "--endpoint", srv.Endpoint, "--stream", "linger", "--linger", "20ms")
		done <- code
	}()
	fmt.Fprintln(w, "early bird")
	deadline := time.Now().Add(10 * time.Second)
	for len(readStream(t, kc, "linger")) == 0 {
		require.True(t, time.Now().Before(deadline), "the first line was not sent while the input stayed open")
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Fprintln(w, "late")
	w.Close()
	require.Equal(t, 0, <-done)
	require.Len(t, readStream(t, kc, "linger"), 2)
}

func TestPut_Create(t *testing.T) {
	srv := serveInProcess(t, "")
	for range 2 { // the second run finds the stream there
		code, _, stderr := runCmd(nil, "put", "--endpoint", srv.Endpoint, "--stream", "made", "--create", "--shards", "3", "hello")
		require.Equal(t, 0, code, stderr)
	}
	kc := newClient(srv.Endpoint)
	out, err := kc.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("made")})
	require.NoError(t, err)
	require.Equal(t, int32(3), aws.ToInt32(out.StreamDescriptionSummary.OpenShardCount))
	require.Len(t, readStream(t, kc, "made"), 2)
}

func TestPut_Errors(t *testing.T) {
	srv := serveInProcess(t, "")
	mustCreate(t, srv.Endpoint, "errs", 1)
	tests := []struct {
		name     string
		stdin    string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"no-stream", "", []string{}, 2, "--stream is required"},
		{"batch-too-large", "", []string{"--stream", "errs", "--batch", "501"}, 2, "--batch 501"},
		{"two-key-sources", "", []string{"--stream", "errs", "--partition-key", "k", "--key-field", "f"}, 2, "exclude each other"},
		{"unknown-flag", "", []string{"--nope"}, 2, "flag provided but not defined"},
		{"key-field-not-json", "{\"a\":1}\nnot json\n", []string{"--stream", "errs", "--key-field", "a"}, 1, "line 2: --key-field a: not a JSON object"},
		{"key-field-missing", "{\"a\":1}\n", []string{"--stream", "errs", "--key-field", "b"}, 1, "line 1: --key-field b: no such field"},
		{"no-such-stream", "x\n", []string{"--stream", "nothing-here"}, 1, "ResourceNotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"put", "--endpoint", srv.Endpoint}, tt.args...)
			code, _, stderr := runCmd(strings.NewReader(tt.stdin), args...)
			require.Equal(t, tt.wantCode, code, stderr)
			require.Contains(t, stderr, tt.wantErr)
		})
	}
}

// refusingKinesis answers PutRecords only: it refuses each record the first refusals times
// it is sent, and keeps the accepted ones in arrival order.
type refusingKinesis struct {
	mu       sync.Mutex
	refusals int
	refused  map[string]int
	stored   []string
	calls    int
}

func (f *refusingKinesis) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var in struct{ Records []struct{ Data []byte } }
	json.NewDecoder(r.Body).Decode(&in)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	out := struct {
		FailedRecordCount int
		Records           []map[string]string
	}{}
	for _, rec := range in.Records {
		d := string(rec.Data)
		if f.refused[d] < f.refusals && strings.HasPrefix(d, "odd") {
			f.refused[d]++
			out.FailedRecordCount++
			out.Records = append(out.Records, map[string]string{"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "Rate exceeded for shard"})
			continue
		}
		f.stored = append(f.stored, d)
		out.Records = append(out.Records, map[string]string{"ShardId": "shardId-000000000000", "SequenceNumber": fmt.Sprint(len(f.stored))})
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(out)
}

func TestPut_RetriesRefusedRecords(t *testing.T) {
	tests := []struct {
		refusals int
		wantCode int
		stored   []string
	}{
		{0, 0, []string{"even 0", "odd 1", "even 2", "odd 3"}},
		{2, 0, []string{"even 0", "even 2", "odd 1", "odd 3"}}, // retried records keep their order
		{putRetries, 1, []string{"even 0", "even 2"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("refusals=%d", tt.refusals), func(t *testing.T) {
			t.Parallel() // each run has its own backoff, in its own putConfig
			fake := &refusingKinesis{refusals: tt.refusals, refused: map[string]int{}}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			var out, errOut bytes.Buffer
			code := runPutWith(putConfig{backoff: time.Millisecond}, []string{"--endpoint", srv.URL, "--stream", "s"},
				strings.NewReader("even 0\nodd 1\neven 2\nodd 3\n"), &out, &errOut)
			stderr := errOut.String()
			require.Equal(t, tt.wantCode, code, stderr)
			require.Equal(t, tt.stored, fake.stored)
			require.Equal(t, min(tt.refusals, putRetries-1)+1, fake.calls)
			if tt.wantCode != 0 {
				require.Contains(t, stderr, "2 records still refused after 8 tries")
				require.Contains(t, stderr, "ProvisionedThroughputExceededException")
			}
		})
	}
}

func TestBatcher_Limits(t *testing.T) {
	entry := func(n int) types.PutRecordsRequestEntry {
		return types.PutRecordsRequestEntry{Data: make([]byte, n), PartitionKey: aws.String("k")}
	}
	tests := []struct {
		name  string
		limit int
		sizes []int
		want  []int // records per batch sent by add, then what take returns
	}{
		{"count", 2, []int{1, 1, 1, 1, 1}, []int{2, 2, 1}},
		{"bytes", 500, []int{2 << 20, 2 << 20, 2 << 20, 10}, []int{2, 2}},
		{"one-huge-record-alone", 500, []int{10, 6 << 20, 10}, []int{1, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &batcher{limit: tt.limit}
			var got []int
			for _, n := range tt.sizes {
				if full := b.add(entry(n)); full != nil {
					got = append(got, len(full))
				}
			}
			if rest := b.take(); len(rest) > 0 {
				got = append(got, len(rest))
			}
			require.Equal(t, tt.want, got)
		})
	}
}
