package server

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/shardlog/shardlog/internal/lograte"
	"github.com/shardlog/shardlog/kinesis"
)

// Options configures a Server. The zero value means defaults.
type Options struct {
	// Logger receives one debug line per request and an error line for an
	// InternalFailure (the first of a kind at once, repeats once per 10s with
	// their count). Default: slog.Default().
	Logger *slog.Logger

	// MaxRecordDataBytes bounds the Data of one record, in bytes: the model's
	// constraint, so a larger record is a ValidationException. Default 10 MiB
	// (10485760), the most any stream takes (MaxRecordSizeInKiB 10240); a stream's
	// own, smaller maximum record size is the Backend's to enforce.
	MaxRecordDataBytes int

	// MaxPutRecordsBytes bounds the data plus partition keys of one PutRecords
	// request, in bytes; beyond it the request fails with InvalidArgumentException
	// "Records size exceeds 10 MB limit". Default 10 MiB, the limit of a stream
	// that takes large records; the Backend applies the 5 MiB limit of a stream
	// at the default maximum record size.
	MaxPutRecordsBytes int

	// MaxRequestBytes bounds a request body, in bytes; a larger body is answered
	// 413 without being read. Default: 7 MiB (kinesalite's cap), or more if the
	// two limits above need it once base64-encoded (14.3 MiB with their defaults).
	MaxRequestBytes int64

	// ReadHeaderTimeout and IdleTimeout configure the HTTP server made by Serve.
	// Defaults: 10 s and 120 s.
	ReadHeaderTimeout time.Duration
	IdleTimeout       time.Duration

	// Credentials maps access key ids to secret access keys. When it has any,
	// every request must carry a SigV4 signature made with one of them, verified
	// as AWS verifies it (auth.go). Default: none, and any complete signature is
	// accepted unverified, as kinesalite does.
	Credentials map[string]string

	// CORSOrigins lists the origins (scheme://host[:port], exactly as a browser
	// sends them) whose web pages may call the API; "*" allows every origin.
	// Default: none, so no request gets CORS headers and no web page can read
	// an answer.
	CORSOrigins []string

	// BodyReadTimeout is the longest a request body may stall: once no byte of
	// it has arrived for this long, the server stops reading, answers 408
	// RequestTimeoutException and closes the connection (HTTP/1.1) or ends the
	// stream (h2c). Default 10 s. An SDK sends its whole body at once.
	BodyReadTimeout time.Duration

	// MinBodyBytesPerSecond is the slowest average rate, in bytes per second
	// from the body's first read, at which a body may keep arriving once
	// BodyReadTimeout has passed; a slower body is cut off the same way.
	// Default 64 KiB/s, so a 7 MiB body may take up to two minutes;
	// an SDK on loopback sends it in milliseconds. Deadlines apply where the
	// http.ResponseWriter supports them (http.ResponseController), as the
	// servers made by Serve do.
	MinBodyBytesPerSecond int64

	// MaxInFlightBytes bounds the memory held by requests in flight across the
	// whole server, in bytes: their bodies, counted as the bytes arrive, and
	// what decoding them needs. A request that would pass it waits up to
	// InFlightWait for others to finish, then gets 503 ServiceUnavailable,
	// which every AWS SDK retries with backoff. Default 256 MiB, and never
	// less than what one request at MaxRequestBytes needs.
	MaxInFlightBytes int64

	// InFlightWait is how long a request waits for MaxInFlightBytes to make
	// room before it is refused. Default 2 s.
	InFlightWait time.Duration

	// MaxWritesInFlight bounds the PutRecord and PutRecords requests decoded and
	// run at once (writeadmission.go); more wait, bodies read, for a slot, in the
	// order they came, until their client goes away. Default 64 × GOMAXPROCS;
	// negative: no bound.
	MaxWritesInFlight int

	// Admit, when set, is asked before every operation runs, once its input has
	// passed validation, with the operation's name and the stream the input names
	// ("" when none, as in ListStreams or GetRecords). A non-nil error is answered
	// instead, and the operation does not run: for control-plane rate limits and
	// injected faults (cmd/shardlog --limits, --inject). Default nil: everything
	// runs.
	Admit func(ctx context.Context, op, stream string) error

	// Health returns the report of GET /health (health.go): readiness and what the
	// server's owner wants to show. It is called for every health check, unauthenticated,
	// so it must be cheap. Default: ready, with no details.
	Health func(ctx context.Context) Health

	// Reset deletes every stream at once for POST /_shardlog/reset (reset.go), returning
	// how many it deleted, when they are gone. Default nil: the call answers 501.
	Reset func(ctx context.Context) (int, error)

	// Metrics, when set, answers GET /metrics (metrics.go), unauthenticated, on every
	// listener; the server keeps no counts of its own. Default nil: /metrics is a Kinesis
	// request like any other path, and is refused.
	Metrics http.Handler

	// Console, when set, answers every request under ConsolePath (console.go) without a
	// signature: the web console (package console), which checks its own tokens. Default
	// nil: /console/ is a Kinesis request like any other path, and is refused.
	Console http.Handler

	// SubscriptionLifetime is how long a SubscribeToShard stream lasts before
	// the server ends it and the client subscribes again. Default: 5 minutes,
	// as at AWS.
	SubscriptionLifetime time.Duration

	// onBodyRead, when set, is called after each read of a request body with
	// the bytes read so far and the bytes allocated to hold them.
	onBodyRead func(read, allocated int)

	// onWriteWait, when set, is called when a write starts to wait for a slot
	// of MaxWritesInFlight.
	onWriteWait func()

	now func() time.Time // the clock signatures are checked against; default time.Now
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MaxRecordDataBytes <= 0 {
		o.MaxRecordDataBytes = kinesis.MaxMaxRecordSizeKiB << 10
	}
	if o.MaxPutRecordsBytes <= 0 {
		o.MaxPutRecordsBytes = kinesis.MaxPutRecordsBytesLarge
	}
	if o.MaxRequestBytes <= 0 {
		o.MaxRequestBytes = 7 << 20
		// Base64 grows data by 4/3; leave 1 MiB for keys and JSON framing.
		need := int64(max(o.MaxPutRecordsBytes, o.MaxRecordDataBytes))*4/3 + 1<<20
		o.MaxRequestBytes = max(o.MaxRequestBytes, need)
	}
	if o.ReadHeaderTimeout <= 0 {
		o.ReadHeaderTimeout = 10 * time.Second
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 120 * time.Second
	}
	if o.now == nil {
		o.now = time.Now
	}
	if o.BodyReadTimeout <= 0 {
		o.BodyReadTimeout = 10 * time.Second
	}
	if o.MinBodyBytesPerSecond <= 0 {
		o.MinBodyBytesPerSecond = 64 << 10
	}
	if o.MaxInFlightBytes <= 0 {
		o.MaxInFlightBytes = 256 << 20
	}
	o.MaxInFlightBytes = max(o.MaxInFlightBytes, maxRequestCharge(o.MaxRequestBytes))
	if o.InFlightWait <= 0 {
		o.InFlightWait = 2 * time.Second
	}
	if o.MaxWritesInFlight == 0 {
		o.MaxWritesInFlight = defaultMaxWritesInFlight()
	}
	if o.SubscriptionLifetime <= 0 {
		o.SubscriptionLifetime = 5 * time.Minute
	}
	return o
}

// Server answers the Kinesis Data Streams API over HTTP. It is an http.Handler,
// so it can be mounted in any http.Server; Serve runs it on a listener with
// HTTP/1.1 and HTTP/2 with prior knowledge (h2c) on the same port.
type Server struct {
	backend Backend
	opts    Options
	ops     map[string]*operation
	log     *slog.Logger
	keys    map[string]string // Options.Credentials, copied
	cors    corsPolicy
	errLog  *lograte.Limiter // the errors that may come with every request, once per interval
	// inFlight counts the bytes requests in flight hold (Options.MaxInFlightBytes).
	inFlight *memoryLimit
	// writes are the slots of Options.MaxWritesInFlight (nil: no bound).
	writes writeSlots

	mu       sync.Mutex
	http     *http.Server // made by the first Serve
	shutdown bool

	// stopping ends with Shutdown, and with it every SubscribeToShard stream.
	stopping context.Context
	stop     context.CancelFunc
}

// New returns a Server that answers requests with b.
func New(b Backend, opts Options) *Server {
	opts = opts.withDefaults()
	s := &Server{
		backend:  b,
		opts:     opts,
		ops:      newOperations(opts),
		log:      opts.Logger,
		keys:     maps.Clone(opts.Credentials),
		cors:     newCORSPolicy(opts.CORSOrigins),
		errLog:   lograte.New(opts.Logger, lograte.DefaultInterval, nil),
		inFlight: newMemoryLimit(opts.MaxInFlightBytes),
	}
	if opts.MaxWritesInFlight > 0 {
		s.writes = make(writeSlots, opts.MaxWritesInFlight)
	}
	if p, ok := b.(Base64Putter); ok {
		s.ops["PutRecords"] = putRecordsOperation(opts, p)
	}
	if sub, ok := b.(ShardSubscriber); ok {
		s.ops["SubscribeToShard"] = subscribeOperation(sub)
	}
	s.stopping, s.stop = context.WithCancel(context.Background())
	return s
}

// Serve accepts connections on ln and serves them until Shutdown, then returns
// ErrClosed. It may be called for several listeners (ServeTLS for a TLS one). Plain-text HTTP/2 arrives
// with prior knowledge, as the AWS SDK for JavaScript v3 and the Java async
// client send it; HTTP/1.1 on the same port as the Go SDK and the CLI send it.
func (s *Server) Serve(ln net.Listener) error {
	hs, err := s.httpServer()
	if err != nil {
		ln.Close()
		return err
	}
	err = hs.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return ErrClosed
	}
	return err
}

func (s *Server) httpServer() (*http.Server, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutdown {
		return nil, ErrClosed
	}
	if s.http == nil {
		var protocols http.Protocols
		protocols.SetHTTP1(true)
		protocols.SetUnencryptedHTTP2(true)
		protocols.SetHTTP2(true) // over TLS, by ALPN (ServeTLS)
		s.http = &http.Server{
			Handler:           s,
			Protocols:         &protocols,
			ReadHeaderTimeout: s.opts.ReadHeaderTimeout,
			IdleTimeout:       s.opts.IdleTimeout,
			ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		}
	}
	return s.http, nil
}

// Shutdown stops accepting connections, ends every SubscribeToShard stream,
// and waits for in-flight requests to finish, or for ctx to end, whichever
// comes first. It does not close the Backend: that is its owner's job, after
// Shutdown returns.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.shutdown = true
	hs := s.http
	s.mu.Unlock()
	s.stop()
	if hs == nil {
		return nil
	}
	return hs.Shutdown(ctx)
}

// RequestInfo describes the request an operation runs for. The Backend finds it
// in the context it is called with.
type RequestInfo struct {
	RequestID   string // the x-amzn-RequestId of the response
	Operation   string // e.g. "PutRecords"
	Region      string // from the SigV4 credential scope; empty if absent
	AccessKeyID string // from the SigV4 credential scope; empty if absent
}

type requestInfoKey struct{}

// RequestInfoFrom returns the RequestInfo of the request ctx belongs to.
func RequestInfoFrom(ctx context.Context) (RequestInfo, bool) {
	info, ok := ctx.Value(requestInfoKey{}).(*RequestInfo)
	if !ok {
		return RequestInfo{}, false
	}
	return *info, true
}
