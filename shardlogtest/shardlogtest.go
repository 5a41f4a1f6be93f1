package shardlogtest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/shardlog/shardlog/internal/sdkhttp"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

// Options configure a Server. The zero value is a server with no streams, no fsync, no
// status delays (a stream is ACTIVE as soon as CreateStream returns) and the limits of
// `shardlog serve`.
type Options struct {
	// Streams are created, ACTIVE, before New or Start returns.
	Streams []Stream

	// Sync is when an acknowledged write is on disk: "always" (fdatasync before the
	// answer), "interval" (every 100ms) or "none". Default "none": a test's temporary
	// directory does not outlive a crash, and fdatasync would only slow it down. With
	// "none" the server syncs nothing at all, the catalog and directories neither
	// (stream.Options.Ephemeral), so that creating and deleting a stream costs no journal
	// commit; "always" and "interval" also sync them, as `shardlog serve` does.
	Sync string

	// CreateDelay, UpdateDelay and DeleteDelay are how long a stream stays CREATING,
	// UPDATING and DELETING; RegisterConsumerDelay and DeregisterConsumerDelay how long a
	// consumer stays CREATING and DELETING. Default 0: at once. Set them (500ms is what
	// `shardlog serve` and AWS clients expect) to test code that waits for a status.
	CreateDelay, UpdateDelay, DeleteDelay          time.Duration
	RegisterConsumerDelay, DeregisterConsumerDelay time.Duration

	// ShardLimit is how many open shards all streams may have together; CreateStream
	// beyond it is LimitExceededException. Default 1000, as `shardlog serve`.
	ShardLimit int
	// MaxStreamsChanging, when positive, is how many streams may be CREATING or DELETING
	// at once, as on AWS (5). Default 0: no limit.
	MaxStreamsChanging int
	// MaxRecordDataBytes, MaxPutRecordsBytes and MaxRequestBytes bound what a request may
	// carry; their defaults are AWS's limits (server.Options).
	MaxRecordDataBytes int
	MaxPutRecordsBytes int
	MaxRequestBytes    int64

	// Region and Account are the default region and account: of the Client, and of
	// requests whose credentials name none. Default us-east-1 and 000000000000.
	Region, Account string

	// Logger receives the server's log. Default: none.
	Logger *slog.Logger
}

// A Stream is one stream of Options.Streams.
type Stream struct {
	Name string
	// Shards is the number of shards: default 1 for a PROVISIONED stream, 4 for an
	// ON_DEMAND one.
	Shards int
	// Mode is "PROVISIONED" (the default) or "ON_DEMAND".
	Mode string
}

// Server is a shardlog server serving the Kinesis API on a loopback port.
type Server struct {
	// Endpoint is the base URL of the server, http://127.0.0.1:port: the BaseEndpoint of
	// an SDK client, the --endpoint-url of the AWS CLI.
	Endpoint string
	// Client is an AWS SDK for Go v2 Kinesis client for Endpoint, in Options.Region, with
	// static credentials (any signature is accepted).
	Client *kinesis.Client
	// Dir is the data directory.
	Dir string

	region  string
	store   *streambackend.Scoped
	srv     *server.Server
	served  chan error
	removes bool // Close removes Dir

	closeOnce sync.Once
	closeErr  error
}

// New starts a Server over t.TempDir() for the test t, with the streams of opts, and
// closes it when the test ends, after its subtests, checking that the data directory is
// sound (stream.Check). It fails the test if the server cannot start.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := start(t.TempDir(), opts)
	if err != nil {
		t.Fatalf("shardlogtest: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("shardlogtest: %v", err)
		}
		if err := check(s.Dir); err != nil {
			t.Errorf("shardlogtest: %v", err)
		}
	})
	return s
}

// Start starts a Server over a new temporary directory, which Close removes: for a server
// shared by the tests of a package (TestMain), or outside tests.
func Start(opts Options) (*Server, error) {
	dir, err := os.MkdirTemp("", "shardlogtest-")
	if err != nil {
		return nil, fmt.Errorf("shardlogtest: %w", err)
	}
	s, err := start(dir, opts)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("shardlogtest: %w", err)
	}
	s.removes = true
	return s, nil
}

// start opens the store in dir, creates the streams of opts and serves on 127.0.0.1.
func start(dir string, opts Options) (*Server, error) {
	policy, err := shard.ParseSyncPolicy(cmp.Or(opts.Sync, "none"))
	if err != nil {
		return nil, err
	}
	logger := cmp.Or(opts.Logger, slog.New(slog.NewTextHandler(io.Discard, nil)))
	store, err := streambackend.Open(dir, stream.Options{
		Region: opts.Region, Account: opts.Account, Logger: logger,
		CreateDelay: opts.CreateDelay, UpdateDelay: opts.UpdateDelay, DeleteDelay: opts.DeleteDelay,
		RegisterConsumerDelay: opts.RegisterConsumerDelay, DeregisterConsumerDelay: opts.DeregisterConsumerDelay,
		ShardLimit: opts.ShardLimit, MaxStreamsChanging: opts.MaxStreamsChanging,
		Shard: shard.Options{Sync: policy}, Ephemeral: policy == shard.SyncNone,
	})
	if err != nil {
		return nil, err
	}
	if err := createStreams(store, opts.Streams); err != nil {
		return nil, errors.Join(err, store.Close())
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, errors.Join(err, store.Close())
	}
	s := &Server{Dir: dir, Endpoint: "http://" + ln.Addr().String(), region: cmp.Or(opts.Region, stream.DefaultRegion),
		store: store, served: make(chan error, 1)}
	s.srv = server.New(store, server.Options{Logger: logger, Reset: store.DeleteAllStreams,
		MaxRecordDataBytes: opts.MaxRecordDataBytes, MaxPutRecordsBytes: opts.MaxPutRecordsBytes, MaxRequestBytes: opts.MaxRequestBytes})
	go func() { s.served <- s.srv.Serve(ln) }()
	s.Client = s.NewClient()
	return s, nil
}

// createStreams creates the streams of Options.Streams, ACTIVE at once.
func createStreams(store *streambackend.Scoped, streams []Stream) error {
	st, err := store.Store(server.Scope{})
	if err != nil {
		return err
	}
	for _, sp := range streams {
		d := stream.Declaration{Name: sp.Name, ShardCount: sp.Shards, Mode: stream.StreamMode(sp.Mode)}
		if d.Mode != stream.ModeOnDemand && d.ShardCount == 0 {
			d.ShardCount = 1
		}
		got, err := st.Declare(d)
		switch {
		case err != nil:
			return err
		case !got.Created:
			return fmt.Errorf("stream %s is in Options.Streams twice", sp.Name)
		}
	}
	return nil
}

// NewClient returns another AWS SDK for Go v2 Kinesis client for the server, as Client
// is, with opts applied to its options (for another region, or no retries).
func (s *Server) NewClient(opts ...func(*kinesis.Options)) *kinesis.Client {
	return kinesis.New(kinesis.Options{
		Region:       s.region,
		BaseEndpoint: aws.String(s.Endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDSHARDLOGTEST", "shardlogtest", ""),
		HTTPClient:   sdkhttp.New(nil),
	}, opts...)
}

// Reset deletes every stream of every account and region at once, without DELETING
// delays, and returns when they are gone: between the tests that share a server. It is
// what POST /_shardlog/reset does.
func (s *Server) Reset() error {
	_, err := s.store.DeleteAllStreams(context.Background())
	if err != nil {
		return fmt.Errorf("shardlogtest: reset: %w", err)
	}
	return nil
}

// Close stops serving (requests in flight get up to 5 seconds to finish) and closes the
// store, which syncs every shard. A Server made by Start also removes its directory.
// Close is called by New's cleanup; call it for a Server made by Start. Calls after the
// first return the first one's error.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

func (s *Server) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	errs := []error{s.srv.Shutdown(ctx)}
	if err := <-s.served; !errors.Is(err, server.ErrClosed) {
		errs = append(errs, err)
	}
	errs = append(errs, s.store.Close())
	if s.removes {
		errs = append(errs, os.RemoveAll(s.Dir))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	return nil
}

// check reports the problems stream.Check finds in a closed data directory.
func check(dir string) error {
	rep, err := stream.Check(dir, stream.CheckOptions{})
	if err != nil {
		return fmt.Errorf("check %s: %w", dir, err)
	}
	var errs []error
	for _, p := range rep.Problems {
		errs = append(errs, fmt.Errorf("check %s: %v", dir, p))
	}
	return errors.Join(errs...)
}
