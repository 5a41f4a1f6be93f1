package metrics

import (
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Options configures a Metrics. The zero value means defaults.
type Options struct {
	// Engine, when set, is called at each scrape for the storage engine's figures.
	// Default: none, and the scrape has no engine section.
	Engine func() Engine

	// Process adds the process collector's metrics (process_open_fds,
	// process_resident_memory_bytes…) and the Go runtime's. Default false.
	Process bool

	now func() time.Time // the clock of the maxima over a minute; tests set it, default time.Now
}

// Engine is what the storage engine reports at a scrape.
type Engine struct {
	Streams  []StreamUsage
	Recovery *Recovery // nil when there is none to report
}

// StreamUsage is one stream's figures on disk and in the process, and its appends since
// start-up.
type StreamUsage struct {
	Account, Region, Stream string

	Segments  int   // segment files
	Bytes     int64 // bytes of segment data
	OpenFiles int   // file descriptors its shards hold
	Mappings  int   // memory mappings its shards hold

	Records      uint64 // records appended since start-up
	GroupCommits uint64 // group commits (fdatasync calls for appends) since start-up
}

// Recovery is what opening the data directory did at start-up, over every account and
// region.
type Recovery struct {
	Took            time.Duration
	ScannedSegments int
	ScannedBytes    int64
	TornTails       int
	DroppedBytes    int64
}

// Metrics counts the calls of every stream and renders them, with the engine's figures,
// for Prometheus.
type Metrics struct {
	opts     Options
	registry *prometheus.Registry
	syncs    *prometheus.HistogramVec

	mu     sync.Mutex // held to add a Scope
	scopes sync.Map   // scopeKey → *Scope
}

type scopeKey struct{ account, region string }

// New returns a Metrics with no streams.
func New(opts Options) *Metrics {
	if opts.now == nil {
		opts.now = time.Now
	}
	m := &Metrics{opts: opts, registry: prometheus.NewRegistry()}
	m.syncs = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "shardlog_fdatasync_seconds",
		Help:    "How long each fdatasync (kind=\"file\") and directory fsync (kind=\"dir\") took.",
		Buckets: prometheus.ExponentialBuckets(50e-6, 2, 16), // 50 µs to 1.6 s
	}, []string{"kind"})
	m.registry.MustRegister(m.syncs, collector{m})
	if opts.Process {
		m.registry.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
			collectors.NewGoCollector())
	}
	return m
}

// Handler answers a scrape in the Prometheus text format (or the protobuf one, when the
// scraper asks for it).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// Scope returns the counters of one account and region, making them on first use.
func (m *Metrics) Scope(account, region string) *Scope {
	k := scopeKey{account, region}
	if s, ok := m.scopes.Load(k); ok {
		return s.(*Scope)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, _ := m.scopes.LoadOrStore(k, &Scope{account: account, region: region, now: m.opts.now})
	return s.(*Scope)
}
