package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/eventstream"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/stream"
)

// efoServer is a shardlog server inside the test for enhanced fan-out: consumers are
// CREATING for a moment, as on a real server, and subscriptions last `lifetime`. It counts
// the subscriptions it has accepted (answered 200: their starting position is fixed).
type efoServer struct {
	Endpoint string
	stop     func(abrupt bool)
	stopped  bool

	mu         sync.Mutex
	subscribed map[string]int  // accepted subscriptions by shard id
	mute       map[string]bool // shards whose next subscription sends nothing after its initial-response
	fail       map[string]bool // shards whose next subscription sends InternalFailureException after it
	changed    chan struct{}   // closed, and replaced, when subscribed changes
}

// serveEFO starts a server over dir on addr ("127.0.0.1:0" for any port); started again on
// the same address and directory, it is a restart. lifetime 0 is the default 5 minutes;
// opts change the store's options after serveEFO's own.
func serveEFO(t *testing.T, dir, addr string, lifetime time.Duration, opts ...func(*stream.Options)) *efoServer {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	so := stream.Options{Logger: log, RegisterConsumerDelay: 100 * time.Millisecond,
		DeregisterConsumerDelay: 100 * time.Millisecond}
	for _, o := range opts {
		o(&so)
	}
	store, err := stream.Open(dir, so)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	p := &efoServer{Endpoint: "http://" + ln.Addr().String(), subscribed: map[string]int{}, mute: map[string]bool{}, fail: map[string]bool{},
		changed: make(chan struct{})}
	h := server.New(streambackend.New(store), server.Options{Logger: log, SubscriptionLifetime: lifetime})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Amz-Target") == "Kinesis_20131202.SubscribeToShard" {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				return
			}
			var in struct{ ShardId string }
			json.Unmarshal(body, &in)
			r.Body = io.NopCloser(bytes.NewReader(body))
			w = &acceptWatch{ResponseWriter: w, shard: in.ShardId, p: p, mute: p.take(p.mute, in.ShardId),
				fail: p.take(p.fail, in.ShardId)}
		}
		h.ServeHTTP(w, r)
	})}
	served := make(chan struct{})
	go func() {
		defer close(served)
		srv.Serve(ln)
	}()
	p.stop = func(abrupt bool) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if abrupt {
			require.NoError(t, srv.Close()) // connections cut under the subscriptions
		}
		require.NoError(t, h.Shutdown(ctx)) // ends the subscriptions
		require.NoError(t, srv.Shutdown(ctx))
		<-served
		require.NoError(t, store.Close())
	}
	t.Cleanup(p.Stop)
	return p
}

// Stop shuts the server down and closes its store, once: its subscriptions end without an
// exception, as when shardlog serve is stopped.
func (p *efoServer) Stop() { p.end(false) }

// Cut closes the server's connections at once, then closes its store, as if the server
// had died.
func (p *efoServer) Cut() { p.end(true) }

func (p *efoServer) end(abrupt bool) {
	if !p.stopped {
		p.stopped = true
		p.stop(abrupt)
	}
}

// acceptWatch counts a subscription of shard when the server answers it 200. A muted one
// passes on only its first message, the initial-response: the client hears nothing more,
// as over a connection that died without a word, while the server goes on.
type acceptWatch struct {
	http.ResponseWriter
	shard  string
	p      *efoServer
	mute   bool
	fail   bool // a failing one sends InternalFailureException in place of its first event, then nothing
	writes int
}

func (w *acceptWatch) Write(b []byte) (int, error) {
	w.writes++
	switch {
	case w.fail && w.writes == 2:
		w.ResponseWriter.Write(eventstream.AppendMessage(nil, []eventstream.Header{
			eventstream.StringHeader(":message-type", "exception"),
			eventstream.StringHeader(":exception-type", "InternalFailureException"),
			eventstream.StringHeader(":content-type", "application/json"),
		}, []byte(`{"message":"injected by the test"}`)))
		return len(b), nil
	case (w.mute || w.fail) && w.writes > 1:
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// muteNext makes the next subscription of shard a muted one.
func (p *efoServer) muteNext(shard string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mute[shard] = true
}

// failNext makes the next subscription of shard a failing one.
func (p *efoServer) failNext(shard string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fail[shard] = true
}

// take returns and clears the mark of shard in m (mute or fail).
func (p *efoServer) take(m map[string]bool, shard string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	marked := m[shard]
	delete(m, shard)
	return marked
}

func (w *acceptWatch) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *acceptWatch) WriteHeader(code int) {
	w.ResponseWriter.WriteHeader(code)
	if code == http.StatusOK {
		w.p.accepted(w.shard)
	}
}

// accepted counts an accepted subscription of shard.
func (p *efoServer) accepted(shard string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.subscribed[shard]++
	close(p.changed)
	p.changed = make(chan struct{})
}

// awaitSubscribed waits until the server has accepted n subscriptions of every shard of
// shards, or fails the test after timeout.
func (p *efoServer) awaitSubscribed(t *testing.T, n int, timeout time.Duration, shards ...string) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		p.mu.Lock()
		changed, ok := p.changed, true
		for _, sh := range shards {
			ok = ok && p.subscribed[sh] >= n
		}
		got := fmt.Sprint(p.subscribed)
		p.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("subscriptions accepted after %v: %s; want %d of each of %v", timeout, got, n, shards)
		}
	}
}

// subscriptions returns how many subscriptions of shard the server has accepted.
func (p *efoServer) subscriptions(shard string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.subscribed[shard]
}

// tailRun is a `shardlog tail` running in the test's process.
type tailRun struct {
	stdout, stderr *syncBuffer
	done           chan int
}

// startTail runs tail with args (and quick reconnection) until it ends by itself.
func startTail(args ...string) *tailRun {
	r := &tailRun{stdout: newSyncBuffer(), stderr: newSyncBuffer(), done: make(chan int, 1)}
	cfg := tailConfig{backoff: 10 * time.Millisecond, maxBackoff: 200 * time.Millisecond}
	go func() { r.done <- runTailWith(cfg, args, r.stdout, r.stderr) }()
	return r
}

// wait waits for the tail to end with exit code 0 and returns the records it printed
// (--format json).
func (r *tailRun) wait(t *testing.T, timeout time.Duration) []tailRecord {
	t.Helper()
	select {
	case code := <-r.done:
		require.Equal(t, 0, code, "stderr:\n%s", r.stderr)
	case <-time.After(timeout):
		t.Fatalf("tail did not end within %v; stdout:\n%s\nstderr:\n%s", timeout, r.stdout, r.stderr)
	}
	var recs []tailRecord
	for _, l := range lines(r.stdout.String()) {
		var rec tailRecord
		require.NoError(t, json.Unmarshal([]byte(l), &rec), l)
		recs = append(recs, rec)
	}
	return recs
}

// written is a record as written, to compare with what tail printed.
type written struct{ key, data, seq string }

// putKeyed writes data under one partition key (placed at hashKey, when not empty) and
// returns the records as written.
func putKeyed(t *testing.T, kc *kinesis.Client, name, key, hashKey string, data ...string) []written {
	t.Helper()
	in := &kinesis.PutRecordsInput{StreamName: aws.String(name)}
	for _, d := range data {
		e := types.PutRecordsRequestEntry{Data: []byte(d), PartitionKey: aws.String(key)}
		if hashKey != "" {
			e.ExplicitHashKey = aws.String(hashKey)
		}
		in.Records = append(in.Records, e)
	}
	out, err := kc.PutRecords(context.Background(), in)
	require.NoError(t, err)
	require.Zero(t, aws.ToInt32(out.FailedRecordCount))
	var puts []written
	for i, r := range out.Records {
		puts = append(puts, written{key, data[i], aws.ToString(r.SequenceNumber)})
	}
	return puts
}

// requireOncePerKeyInOrder checks that tail printed every record written, once, unchanged,
// and in write order for each partition key.
func requireOncePerKeyInOrder(t *testing.T, want []written, got []tailRecord) {
	t.Helper()
	byKey := func(ps []written) map[string][]written {
		m := map[string][]written{}
		for _, p := range ps {
			m[p.key] = append(m[p.key], p)
		}
		return m
	}
	var printed []written
	for _, r := range got {
		data := string(r.DataBase64) // data that is not UTF-8
		if r.Data != nil {
			data = *r.Data
		}
		printed = append(printed, written{r.PartitionKey, data, r.SequenceNumber})
	}
	require.Len(t, printed, len(want), "records printed")
	require.Equal(t, byKey(want), byKey(printed), "every record once, unchanged, in order per key")
}

// newConsumerEnv starts a server and makes a stream of n shards on it.
func newConsumerEnv(t *testing.T, name string, n int, lifetime time.Duration) (*efoServer, *kinesis.Client) {
	t.Helper()
	srv := serveEFO(t, t.TempDir(), "127.0.0.1:0", lifetime)
	return srv, mustCreate(t, srv.Endpoint, name, n)
}

func shardIDs(n int) []string {
	var ids []string
	for i := range n {
		ids = append(ids, fmt.Sprintf("shardId-%012d", i))
	}
	return ids
}

// TestTailConsumer_Positions: tail --consumer registers the consumer, waits until it is
// ACTIVE, and prints every record once, unchanged and in order per key: from TRIM_HORIZON
// those written before it and while it runs, from LATEST only those written once it has
// subscribed.
func TestTailConsumer_Positions(t *testing.T) {
	tests := []struct {
		from       string
		wantBefore bool
	}{
		{"trim-horizon", true},
		{"latest", false},
	}
	for _, tt := range tests {
		t.Run(tt.from, func(t *testing.T) {
			srv, kc := newConsumerEnv(t, "efo", 2, 0)
			before := putKeyed(t, kc, "efo", "k1", "", "before 1", "before 2")
			before = append(before, putKeyed(t, kc, "efo", "k2", "", "\xff\xfe binary", "text ✓")...)
			want := []written(nil)
			if tt.wantBefore {
				want = append(want, before...)
			}
			r := startTail("--endpoint", srv.Endpoint, "--stream", "efo", "--consumer", "reader", "--format", "json",
				"--from", tt.from, "--count", fmt.Sprint(len(want)+6))
			srv.awaitSubscribed(t, 1, 20*time.Second, shardIDs(2)...)
			for i := range 3 {
				want = append(want, putKeyed(t, kc, "efo", fmt.Sprintf("key %d", i), "", fmt.Sprintf("after %d.1", i), fmt.Sprintf("after %d.2", i))...)
			}
			requireOncePerKeyInOrder(t, want, r.wait(t, 30*time.Second))
			require.Contains(t, r.stderr.String(), "shardlog tail: registered consumer arn:aws:kinesis:us-east-1:000000000000:stream/efo/consumer/reader:")
			d, err := kc.DescribeStreamConsumer(context.Background(), &kinesis.DescribeStreamConsumerInput{
				StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/efo"), ConsumerName: aws.String("reader")})
			require.NoError(t, err)
			require.Equal(t, types.ConsumerStatusActive, d.ConsumerDescription.ConsumerStatus, "the consumer stays without --deregister")
		})
	}
}

// TestTailConsumer_Reshards: tail --consumer follows a split and then a merge of the shard
// of two keys (one in each half of it), made while it runs or before it starts, and prints
// the records of each key once and in write order: a child is subscribed to once its
// parent's subscription ended with ChildShards, and the merged shard once both its parents
// are finished.
func TestTailConsumer_Reshards(t *testing.T) {
	for _, whileTailing := range []bool{true, false} {
		name := map[bool]string{true: "while-tailing", false: "before-tailing"}[whileTailing]
		t.Run(name, func(t *testing.T) {
			srv, kc := newConsumerEnv(t, "efo-reshard", 1, 0)
			ctx := context.Background()
			top := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(2)).String()
			var want []written
			write := func(round string) {
				want = append(want, putKeyed(t, kc, "efo-reshard", "low", "1", round+" low 1", round+" low 2")...)
				want = append(want, putKeyed(t, kc, "efo-reshard", "high", top, round+" high 1", round+" high 2")...)
			}
			args := []string{"--endpoint", srv.Endpoint, "--stream", "efo-reshard", "--consumer", "r", "--format", "json"}
			var r *tailRun
			if whileTailing {
				r = startTail(append(args, "--count", "12")...)
				srv.awaitSubscribed(t, 1, 20*time.Second, "shardId-000000000000")
			}
			write("before")
			parent := shardOf(t, kc, "efo-reshard", want[0].seq)
			_, err := kc.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("efo-reshard"),
				ShardToSplit: aws.String(parent.id), NewStartingHashKey: aws.String(parent.middle)})
			require.NoError(t, err)
			waitActive(t, kc, "efo-reshard")
			children := openChildren(t, kc, "efo-reshard", parent.id)
			require.Len(t, children, 2)
			if whileTailing {
				srv.awaitSubscribed(t, 1, 20*time.Second, children...)
			}
			write("after-split")
			_, err = kc.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("efo-reshard"),
				ShardToMerge: aws.String(children[0]), AdjacentShardToMerge: aws.String(children[1])})
			require.NoError(t, err)
			waitActive(t, kc, "efo-reshard")
			write("after-merge")
			if !whileTailing {
				r = startTail(append(args, "--follow=false")...)
			}
			got := r.wait(t, 30*time.Second)
			requireOncePerKeyInOrder(t, want, got)
			merged := "shardId-000000000003"
			require.Equal(t, 1, srv.subscriptions(merged), "subscriptions of the merged shard")
			require.Equal(t, merged, got[len(got)-1].ShardID, "the last records come from the merged shard")
		})
	}
}

// TestTailConsumer_SubscriptionLifetime: with subscriptions that last 300 ms, tail
// subscribes again and again, each time after the last event's
// ContinuationSequenceNumber, and prints every record written meanwhile once and in
// order, without taking the ends for a lost server.
func TestTailConsumer_SubscriptionLifetime(t *testing.T) {
	srv, kc := newConsumerEnv(t, "efo-lifetime", 2, 300*time.Millisecond)
	want := putKeyed(t, kc, "efo-lifetime", "first", "", "first")
	r := startTail("--endpoint", srv.Endpoint, "--stream", "efo-lifetime", "--consumer", "r", "--format", "json", "--count", "61")
	srv.awaitSubscribed(t, 1, 20*time.Second, shardIDs(2)...)
	for i := range 20 { // about 1.5 s: several lifetimes of each shard's subscription
		want = append(want, putKeyed(t, kc, "efo-lifetime", fmt.Sprintf("key %d", i%4), "", fmt.Sprint(i, "a"), fmt.Sprint(i, "b"))...)
		want = append(want, putKeyed(t, kc, "efo-lifetime", "steady", "", fmt.Sprint(i))...)
		time.Sleep(75 * time.Millisecond) // the writes are spread over the lifetimes
	}
	requireOncePerKeyInOrder(t, want, r.wait(t, 30*time.Second))
	for _, sh := range shardIDs(2) {
		require.GreaterOrEqual(t, srv.subscriptions(sh), 3, "subscriptions of %s", sh)
	}
	require.NotContains(t, r.stderr.String(), "lost", "the end of a subscription's lifetime is no lost server")
}

// TestTailConsumer_Restart restarts the server under a running tail --consumer, cleanly and
// by cutting its connections, with records written before, meanwhile and after, and
// expects every record printed once and in order per key: the tail waits for the server
// and subscribes again after the last event's ContinuationSequenceNumber.
func TestTailConsumer_Restart(t *testing.T) {
	for _, abrupt := range []bool{false, true} {
		name := map[bool]string{false: "stop", true: "cut"}[abrupt]
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			srv := serveEFO(t, dir, "127.0.0.1:0", 0)
			endpoint := srv.Endpoint
			kc := mustCreate(t, endpoint, "efo-restart", 2)
			want := putKeyed(t, kc, "efo-restart", "k", "", "a", "b", "c")
			want = append(want, putKeyed(t, kc, "efo-restart", "other", "", "x")...)
			r := startTail("--endpoint", endpoint, "--stream", "efo-restart", "--consumer", "r", "--format", "json", "--count", "8")
			r.stdout.await(t, `"data":"c"`, 20*time.Second)
			r.stdout.await(t, `"data":"x"`, 20*time.Second)
			if abrupt {
				srv.Cut()
			} else {
				srv.Stop()
			}
			r.stderr.await(t, "reconnecting", 30*time.Second)
			srv = serveEFO(t, dir, strings.TrimPrefix(endpoint, "http://"), 0)
			kc = newClient(endpoint)
			want = append(want, putKeyed(t, kc, "efo-restart", "k", "", "d", "e")...)
			want = append(want, putKeyed(t, kc, "efo-restart", "other", "", "y", "z")...)
			requireOncePerKeyInOrder(t, want, r.wait(t, 30*time.Second))
			require.Contains(t, r.stderr.String(), "shardlog tail: lost "+endpoint)
			require.Contains(t, r.stderr.String(), "shardlog tail: reconnected to "+endpoint)
		})
	}
}

// TestTailConsumer_ExistingConsumer: a consumer registered beforehand is used as it is
// (not registered again), and --deregister deregisters it when tail ends.
func TestTailConsumer_ExistingConsumer(t *testing.T) {
	srv, kc := newConsumerEnv(t, "efo-existing", 1, 0)
	ctx := context.Background()
	streamARN := aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/efo-existing")
	reg, err := kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: streamARN, ConsumerName: aws.String("shared")})
	require.NoError(t, err)
	want := putKeyed(t, kc, "efo-existing", "k", "", "one", "two")
	r := startTail("--endpoint", srv.Endpoint, "--stream", "efo-existing", "--consumer", "shared", "--format", "json", "--follow=false", "--deregister")
	requireOncePerKeyInOrder(t, want, r.wait(t, 30*time.Second))
	require.NotContains(t, r.stderr.String(), "tail: registered consumer", "the consumer is not registered again")
	require.Contains(t, r.stderr.String(), "shardlog tail: deregistered consumer "+aws.ToString(reg.Consumer.ConsumerARN))
	requireDeregistered(t, kc, aws.ToString(reg.Consumer.ConsumerARN))
}

// requireDeregistered checks that the consumer is DELETING or gone.
func requireDeregistered(t *testing.T, kc *kinesis.Client, arn string) {
	t.Helper()
	d, err := kc.DescribeStreamConsumer(context.Background(), &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(arn)})
	if err == nil {
		require.Equal(t, types.ConsumerStatusDeleting, d.ConsumerDescription.ConsumerStatus, "consumer %s", arn)
		return
	}
	require.Equal(t, "ResourceNotFoundException", errorCode(err), "consumer %s: %v", arn, err)
}

// TestTailConsumer_DeregisterOnInterrupt runs the shardlog binary's tail --consumer
// --deregister and interrupts it (Ctrl-C, then SIGTERM): it ends with exit code 0 and the
// consumer it registered is deregistered.
func TestTailConsumer_DeregisterOnInterrupt(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			srv, kc := newConsumerEnv(t, "efo-signal", 1, 0)
			putKeyed(t, kc, "efo-signal", "k", "", "hello")
			cmd := exec.Command(binPath, "tail", "--endpoint", srv.Endpoint, "--stream", "efo-signal", "--consumer", "temporary", "--deregister")
			stdout, stderr := newSyncBuffer(), newSyncBuffer()
			cmd.Stdout, cmd.Stderr = stdout, stderr
			require.NoError(t, cmd.Start())
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			t.Cleanup(func() {
				if cmd.ProcessState == nil {
					cmd.Process.Kill()
					<-exited
				}
			})
			stdout.await(t, "hello\n", 20*time.Second)
			require.NoError(t, cmd.Process.Signal(sig))
			select {
			case err := <-exited:
				require.NoError(t, err, "stderr:\n%s", stderr)
			case <-time.After(20 * time.Second):
				t.Fatalf("tail did not end within 20 s of %v; stderr:\n%s", sig, stderr)
			}
			out := stderr.String()
			require.Contains(t, out, "shardlog tail: registered consumer ")
			arn := strings.TrimSpace(strings.SplitN(strings.SplitN(out, "registered consumer ", 2)[1], "\n", 2)[0])
			require.Contains(t, out, "shardlog tail: deregistered consumer "+arn)
			requireDeregistered(t, kc, arn)
		})
	}
}

// TestTailConsumer_Silence: a subscription that goes silent (no heartbeat: its connection
// dead without a word) is given up after the silence timeout and subscribed again, and
// every record is printed once.
func TestTailConsumer_Silence(t *testing.T) {
	srv, kc := newConsumerEnv(t, "efo-silence", 1, 0)
	want := putKeyed(t, kc, "efo-silence", "k", "", "a", "b")
	srv.muteNext("shardId-000000000000")
	r := &tailRun{stdout: newSyncBuffer(), stderr: newSyncBuffer(), done: make(chan int, 1)}
	cfg := tailConfig{backoff: 100 * time.Millisecond, maxBackoff: time.Second, silence: 500 * time.Millisecond}
	go func() {
		r.done <- runTailWith(cfg, []string{"--endpoint", srv.Endpoint, "--stream", "efo-silence", "--consumer", "r",
			"--format", "json", "--count", "4"}, r.stdout, r.stderr)
	}()
	srv.awaitSubscribed(t, 1, 20*time.Second, "shardId-000000000000")
	want = append(want, putKeyed(t, kc, "efo-silence", "k", "", "c", "d")...)
	requireOncePerKeyInOrder(t, want, r.wait(t, 30*time.Second))
	out := r.stderr.String()
	require.Contains(t, out, "shardlog tail: lost "+srv.Endpoint+" (no event from the subscription in 500ms); reconnecting")
	require.Contains(t, out, "shardlog tail: reconnected to "+srv.Endpoint)
}

// TestTailConsumer_Takeover: while another subscriber of the consumer holds the shard, tail
// is refused with ResourceInUseException, backs off and tries again until it takes the
// shard over (5 s after the other began), which ends the other's subscription with
// ResourceInUseException; tail prints every record once.
func TestTailConsumer_Takeover(t *testing.T) {
	skipShort(t) // a takeover comes 5 s after the subscription it takes over began
	srv, kc := newConsumerEnv(t, "efo-takeover", 1, 0)
	ctx := context.Background()
	reg, err := kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{
		StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/efo-takeover"), ConsumerName: aws.String("shared")})
	require.NoError(t, err)
	arn := aws.ToString(reg.Consumer.ConsumerARN)
	var other *kinesis.SubscribeToShardOutput
	require.Eventually(t, func() bool { // the consumer is ACTIVE after the register delay
		other, err = newClient(srv.Endpoint).SubscribeToShard(ctx, subscribeInput(arn, "shardId-000000000000",
			position{typ: types.ShardIteratorTypeLatest}))
		return err == nil
	}, 10*time.Second, 20*time.Millisecond)
	defer other.GetStream().Close()
	want := putKeyed(t, kc, "efo-takeover", "k", "", "a", "b")
	r := startTail("--endpoint", srv.Endpoint, "--stream", "efo-takeover", "--consumer", "shared", "--format", "json", "--count", "2")
	requireOncePerKeyInOrder(t, want, r.wait(t, 30*time.Second))
	require.Contains(t, r.stderr.String(), "shardlog tail: shardId-000000000000: ResourceInUseException: Another active subscription exists")
	for range other.GetStream().Events() {
	}
	require.Equal(t, "ResourceInUseException", errorCode(other.GetStream().Err()), "the other subscription ends: %v", other.GetStream().Err())
}

// TestTailConsumer_Deregistered: when the consumer is deregistered under a running tail,
// its subscriptions end with ResourceInUseException (the consumer is DELETING), and tail,
// finding the consumer no longer ACTIVE, stops with exit code 1 and says why.
func TestTailConsumer_Deregistered(t *testing.T) {
	// The consumer stays DELETING for the whole test: with serveEFO's 100 ms it could be
	// gone by the time tail looks, under load, and tail rightly says so instead.
	srv := serveEFO(t, t.TempDir(), "127.0.0.1:0", 0, func(o *stream.Options) { o.DeregisterConsumerDelay = time.Hour })
	kc := mustCreate(t, srv.Endpoint, "efo-gone", 2)
	r := startTail("--endpoint", srv.Endpoint, "--stream", "efo-gone", "--consumer", "r")
	srv.awaitSubscribed(t, 1, 20*time.Second, shardIDs(2)...)
	_, err := kc.DeregisterStreamConsumer(context.Background(), &kinesis.DeregisterStreamConsumerInput{
		StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/efo-gone"), ConsumerName: aws.String("r")})
	require.NoError(t, err)
	select {
	case code := <-r.done:
		require.Equal(t, 1, code, r.stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("tail did not end within 30 s of its consumer's deregistration; stderr:\n%s", r.stderr)
	}
	require.Regexp(t, `shardlog tail: shardId-00000000000[01]: consumer arn:aws:kinesis:us-east-1:000000000000:stream/efo-gone/consumer/r:\d+ is DELETING: it is being deregistered\n`, r.stderr.String())
	require.NotContains(t, r.stderr.String(), "subscribing again", "a consumer being deregistered is not waited for")
}

func TestTailConsumer_Errors(t *testing.T) {
	srv, _ := newConsumerEnv(t, "exists", 1, 0)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"deregister-alone", []string{"--stream", "exists", "--deregister"}, 2, "--deregister needs --consumer"},
		{"no-such-stream", []string{"--stream", "missing", "--consumer", "c"}, 1, "describe stream missing: "},
		{"bad-consumer-name", []string{"--stream", "exists", "--consumer", "no spaces"}, 1, "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCmd(nil, append([]string{"tail", "--endpoint", srv.Endpoint}, tt.args...)...)
			require.Equal(t, tt.wantCode, code, stderr)
			require.Contains(t, stderr, tt.wantErr)
		})
	}
}

// TestCLI_TailConsumer is the README's enhanced fan-out flow with the binaries: shardlog
// serve, records put with shardlog put --create, a consumer registered, described and listed
// with the AWS CLI v2, read with shardlog tail --consumer (the CLI has no
// subscribe-to-shard), then deregistered with the CLI.
func TestCLI_TailConsumer(t *testing.T) {
	skipShort(t)
	t.Parallel()
	cli := newCLI(t, "")
	srv := startServer(t, t.TempDir())
	cli.endpoint = srv.Endpoint
	streamARN := "arn:aws:kinesis:us-east-1:000000000000:stream/demo"

	put := exec.Command(binPath, "put", "--endpoint", srv.Endpoint, "--stream", "demo", "--create", "--shards", "1",
		"--partition-key", "k", "one", "two", "three")
	out, err := put.CombinedOutput()
	require.NoError(t, err, "%s", out)
	var reg struct{ Consumer cliConsumer }
	cli.run(&reg, "register-stream-consumer", "--stream-arn", streamARN, "--consumer-name", "billing")
	require.Equal(t, "CREATING", reg.Consumer.ConsumerStatus, "for --register-consumer-delay")
	kc := newClient(srv.Endpoint)
	require.Eventually(t, func() bool { // the CLI takes seconds to start: the SDK waits
		d, err := kc.DescribeStreamConsumer(context.Background(), &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(reg.Consumer.ConsumerARN)})
		return err == nil && d.ConsumerDescription.ConsumerStatus == types.ConsumerStatusActive
	}, 20*time.Second, 20*time.Millisecond)
	var status string
	cli.run(&status, "describe-stream-consumer", "--stream-arn", streamARN, "--consumer-name", "billing",
		"--query", "ConsumerDescription.ConsumerStatus")
	require.Equal(t, "ACTIVE", status)
	var list struct{ Consumers []cliConsumer }
	cli.run(&list, "list-stream-consumers", "--stream-arn", streamARN)
	require.Len(t, list.Consumers, 1)
	require.Equal(t, reg.Consumer.ConsumerARN, list.Consumers[0].ConsumerARN)

	tail := exec.Command(binPath, "tail", "--endpoint", srv.Endpoint, "--stream", "demo", "--consumer", "billing", "--follow=false")
	var stderr strings.Builder
	tail.Stderr = &stderr
	out, err = tail.Output()
	require.NoError(t, err, stderr.String())
	require.Equal(t, "one\ntwo\nthree\n", string(out))
	require.Empty(t, stderr.String(), "the consumer is there: nothing to say")

	cli.run(nil, "deregister-stream-consumer", "--stream-arn", streamARN, "--consumer-name", "billing")
	requireDeregistered(t, kc, reg.Consumer.ConsumerARN)
}

// TestTailConsumer_StartingPositions: the starting positions of the polling tail, given to
// SubscribeToShard: a time, a duration ago, at and after a sequence number, and a --shard.
func TestTailConsumer_StartingPositions(t *testing.T) {
	srv, kc := newConsumerEnv(t, "efo-start", 1, 0)
	first := putKeyed(t, kc, "efo-start", "k", "", "a", "b", "c")
	time.Sleep(20 * time.Millisecond) // arrival times are in ms: keep the two puts apart
	between := time.Now().UTC()
	time.Sleep(20 * time.Millisecond)
	second := putKeyed(t, kc, "efo-start", "k", "", "d", "e")
	all := append(append([]written(nil), first...), second...)

	tests := []struct {
		name string
		args []string
		want []written
	}{
		{"time", []string{"--from", between.Format(time.RFC3339Nano)}, second},
		{"duration-ago", []string{"--from", "1h"}, all},
		{"at-sequence", []string{"--at-sequence", first[1].seq}, all[1:]},
		{"after-sequence", []string{"--after-sequence", first[1].seq}, all[2:]},
		{"shard", []string{"--shard", "0"}, all},
		{"count", []string{"--count", "2"}, all[:2]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--endpoint", srv.Endpoint, "--stream", "efo-start", "--consumer", "r", "--format", "json", "--follow=false"}, tt.args...)
			got := startTail(args...).wait(t, 30*time.Second)
			requireOncePerKeyInOrder(t, tt.want, got)
		})
	}
}

// TestTailConsumer_Deaggregate: records pushed by SubscribeToShard are taken apart as the
// polling tail takes them: a KPL aggregate's user records with their own keys and
// sub-sequence numbers; --deaggregate=false prints the aggregate as stored.
func TestTailConsumer_Deaggregate(t *testing.T) {
	srv, kc := newConsumerEnv(t, "efo-kpl", 1, 0)
	agg := handAggregate()
	seq := putKeyed(t, kc, "efo-kpl", "user-1", "", string(agg))[0].seq
	args := []string{"--endpoint", srv.Endpoint, "--stream", "efo-kpl", "--consumer", "r", "--format", "json", "--follow=false"}
	got := startTail(args...).wait(t, 30*time.Second)
	require.Len(t, got, 3)
	for i, want := range []struct{ key, hash, data string }{{"user-1", "", "first"}, {"user-2", "7", "second"}, {"user-1", "", "third"}} {
		require.Equal(t, seq, got[i].SequenceNumber)
		require.NotNil(t, got[i].SubSequenceNumber)
		require.Equal(t, int64(i), *got[i].SubSequenceNumber)
		require.Equal(t, want.key, got[i].PartitionKey)
		require.Equal(t, want.hash, got[i].ExplicitHashKey)
		require.Equal(t, want.data, *got[i].Data)
	}
	got = startTail(append(args, "--deaggregate=false")...).wait(t, 30*time.Second)
	require.Len(t, got, 1)
	require.Equal(t, agg, got[0].DataBase64)
	require.Nil(t, got[0].SubSequenceNumber)
}

// TestTailConsumer_DeregisterFails: a tail --deregister interrupted while its server is
// away cannot deregister the consumer; it says so and exits with code 1, rather than
// ending quietly as an interrupted tail does.
func TestTailConsumer_DeregisterFails(t *testing.T) {
	srv, kc := newConsumerEnv(t, "efo-away", 1, 0)
	putKeyed(t, kc, "efo-away", "k", "", "hello")
	cmd := exec.Command(binPath, "tail", "--endpoint", srv.Endpoint, "--stream", "efo-away", "--consumer", "c", "--deregister")
	stdout, stderr := newSyncBuffer(), newSyncBuffer()
	cmd.Stdout, cmd.Stderr = stdout, stderr
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-exited
		}
	})
	stdout.await(t, "hello\n", 20*time.Second)
	srv.Stop()
	stderr.await(t, "reconnecting", 20*time.Second)
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("tail did not end within 30 s of SIGINT; stderr:\n%s", stderr)
	}
	require.Equal(t, 1, cmd.ProcessState.ExitCode(), "stderr:\n%s", stderr)
	require.Regexp(t, `shardlog tail: deregister consumer arn:aws:kinesis:us-east-1:000000000000:stream/efo-away/consumer/c:\d+: .*connection refused`, stderr.String())
	require.NotContains(t, stderr.String(), "deregistered consumer")
}

// TestTailConsumer_InternalFailure: a subscription that ends with InternalFailureException
// (transient: the KCL subscribes again) is renewed, and every record is printed once.
func TestTailConsumer_InternalFailure(t *testing.T) {
	srv, kc := newConsumerEnv(t, "efo-failure", 1, 0)
	want := putKeyed(t, kc, "efo-failure", "k", "", "a", "b")
	srv.failNext("shardId-000000000000")
	r := startTail("--endpoint", srv.Endpoint, "--stream", "efo-failure", "--consumer", "r", "--format", "json", "--count", "4")
	srv.awaitSubscribed(t, 2, 20*time.Second, "shardId-000000000000")
	want = append(want, putKeyed(t, kc, "efo-failure", "k", "", "c", "d")...)
	requireOncePerKeyInOrder(t, want, r.wait(t, 30*time.Second))
	require.Contains(t, r.stderr.String(), "shardlog tail: shardId-000000000000: InternalFailureException: injected by the test; subscribing again in ")
}
