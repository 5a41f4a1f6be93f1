package console

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/shardlog/shardlog/internal/metrics"
)

// API runs one Kinesis operation on an awsJson 1.1 body and answers as the API would:
// *server.Server's Invoke. Every read and every change the console makes goes through it.
type API interface {
	Invoke(ctx context.Context, op string, in []byte) (status int, out []byte)
}

// Options configures a Console. The zero value serves the console on loopback listeners
// only, without charts.
type Options struct {
	// Token, when set, is the access token every request must carry (the cookie that
	// /console/?token=… sets, or an Authorization: Bearer header). Default: none, and
	// the console answers only on loopback listeners, to loopback host names.
	Token string

	// Anywhere serves the console on every listener, not only loopback ones. It needs
	// Token (New refuses it without one).
	Anywhere bool

	// Counts reads the counters of GET /metrics for the account and region the console
	// shows (metrics.Scope.Read); Usage reads what the streams hold on disk. Default nil:
	// no throughput charts, no sizes.
	Counts func() []metrics.Counts
	Usage  func() []metrics.StreamUsage

	// Held returns what each shard of a stream of the account and region holds now, for
	// the shard table (held.go); an error that wraps ErrNoStream for a stream that is not
	// there. Default nil: the table has no such columns' figures.
	Held func(stream string) ([]ShardHeld, error)

	// Account and Region pick the streams of Usage to show: those of the server's
	// default account and region, the ones the console's calls reach.
	Account, Region string

	// SampleInterval is how often the throughput charts take a reading of Counts.
	// Default 2 s, so the 15 minutes of a chart are 450 points.
	SampleInterval time.Duration

	// PollInterval is how long the live view waits, when no shard had a record, before
	// it reads again. Default 500 ms: two GetRecords calls a second on each idle shard,
	// which leaves most of AWS's five a shard to the stream's consumers under
	// `serve --limits aws`, where the console's reads count as any reader's.
	PollInterval time.Duration

	// Logger receives a line for each failure of the live view. Default slog.Default().
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.SampleInterval <= 0 {
		o.SampleInterval = 2 * time.Second
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 500 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// chartWindow is how far back the throughput charts go.
const chartWindow = 15 * time.Minute

// ErrAnywhereWithoutToken is New's answer to Options.Anywhere without Options.Token.
var ErrAnywhereWithoutToken = errors.New("console: serving beyond loopback needs an access token")

//go:embed assets
var assets embed.FS

// Console is the web console: an http.Handler for everything under /console/.
type Console struct {
	opts  Options
	csrf  string // the token every state-changing request carries (X-Shardlog-CSRF)
	api   atomic.Pointer[API]
	mux   *http.ServeMux
	page  *template.Template
	rates *rates
}

// New returns a Console that answers 503 until Bind gives it the API.
func New(opts Options) (*Console, error) {
	opts = opts.withDefaults()
	if opts.Anywhere && opts.Token == "" {
		return nil, ErrAnywhereWithoutToken
	}
	var b [32]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	c := &Console{opts: opts, csrf: hex.EncodeToString(b[:]),
		rates: newRates(int(chartWindow / opts.SampleInterval))}
	c.page = template.Must(template.ParseFS(assets, "assets/index.html"))
	c.routes()
	return c, nil
}

// Bind gives the console the API it runs operations on.
func (c *Console) Bind(api API) { c.api.Store(&api) }

// Sample takes the readings of the throughput charts every Options.SampleInterval until
// ctx is done. Without Options.Counts it returns at once.
func (c *Console) Sample(ctx context.Context) {
	if c.opts.Counts == nil {
		return
	}
	tick := time.NewTicker(c.opts.SampleInterval)
	defer tick.Stop()
	c.rates.sample(time.Now(), c.opts.Counts())
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			c.rates.sample(now, c.opts.Counts())
		}
	}
}

func (c *Console) routes() {
	static, _ := fs.Sub(assets, "assets") // a constant directory of the embedded tree
	c.mux = http.NewServeMux()
	c.mux.Handle("GET /console/assets/", http.StripPrefix("/console/assets/", http.FileServerFS(static)))
	c.mux.HandleFunc("GET /console/{$}", c.serveIndex)
	c.mux.HandleFunc("GET /console", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console/", http.StatusMovedPermanently)
	})
	c.mux.HandleFunc("POST /console/api/call/{op}", c.serveCall)
	c.mux.HandleFunc("GET /console/api/streams", c.serveStreams)
	c.mux.HandleFunc("GET /console/api/rates", c.serveRates)
	c.mux.HandleFunc("GET /console/api/shards", c.serveHeld)
	c.mux.HandleFunc("GET /console/api/live", c.serveLive)
}

// ServeHTTP answers a request under /console/ once it has passed the access rules
// (access.go).
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !c.admit(w, r) {
		return
	}
	if c.api.Load() == nil {
		http.Error(w, "console: the server is starting", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
	c.mux.ServeHTTP(w, r)
}

func (c *Console) serveIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store") // the page carries the CSRF token
	c.page.Execute(w, struct{ CSRF string }{c.csrf})
}
