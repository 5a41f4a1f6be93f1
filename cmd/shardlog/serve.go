package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

// serveConfig is everything `shardlog serve` can be told.
type serveConfig struct {
	listen       string
	dataDir      string
	region       string
	accountID    string
	sync         string
	syncInterval time.Duration
	createDelay  time.Duration
	deleteDelay  time.Duration
	updateDelay  time.Duration
	shardLimit   int
	logLevel     string
	logFormat    string
	drainTimeout time.Duration
	auth         listFlag // ACCESS_KEY:SECRET pairs
	authFile     string
	corsOrigins  listFlag
	requests     requestLimits
	gates        gateFlags
	tls          tlsFlags
	declare      declareFlags
	ephemeral    bool // sync nothing under the data directory (ephemeral.go)
	compression  codecFlag
	console      consoleFlags

	registerDelay, deregisterDelay time.Duration // how long consumers stay CREATING, DELETING
	subscriptionLifetime           time.Duration // how long a SubscribeToShard stream lasts

	credentials map[string]string // from auth and authFile, by resolveSecurity
	gate        *gate             // from gates, by resolveGate; nil when both are off
	injectSeed  uint64            // the seed the gate's injected faults draw from
}

func (c *serveConfig) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.listen, "listen", "127.0.0.1:4567", "address to serve the Kinesis API on (HTTP/1.1 and h2c)")
	fs.StringVar(&c.dataDir, "data", "shardlog-data", "data directory (created if missing)")
	fs.StringVar(&c.region, "region", "us-east-1", "default region: of requests whose credential scope names none, and of the streams at the data directory's root")
	fs.StringVar(&c.accountID, "account-id", "000000000000", "default 12-digit account id: of requests whose access key id is not 12 digits, and of the streams at the data directory's root")
	fs.StringVar(&c.sync, "sync", "always", "when an acknowledged write is on disk: always (fdatasync before the answer), interval, none")
	fs.DurationVar(&c.syncInterval, "sync-interval", 100*time.Millisecond, "fdatasync period with --sync interval")
	fs.DurationVar(&c.createDelay, "create-stream-delay", 500*time.Millisecond, "time a new stream stays CREATING (0: ACTIVE at once)")
	fs.DurationVar(&c.deleteDelay, "delete-stream-delay", 500*time.Millisecond, "time a deleted stream stays DELETING")
	fs.DurationVar(&c.updateDelay, "update-stream-delay", 500*time.Millisecond, "time a resharded stream stays UPDATING")
	fs.DurationVar(&c.registerDelay, "register-consumer-delay", 500*time.Millisecond, "time a new consumer stays CREATING (0: ACTIVE at once)")
	fs.DurationVar(&c.deregisterDelay, "deregister-consumer-delay", 500*time.Millisecond, "time a deregistered consumer stays DELETING")
	fs.DurationVar(&c.subscriptionLifetime, "subscription-lifetime", 5*time.Minute, "how long a SubscribeToShard stream lasts before it ends and the consumer subscribes again (AWS: 5m)")
	fs.IntVar(&c.shardLimit, "shard-limit", stream.DefaultShardLimit, "open shards allowed across all streams")
	fs.StringVar(&c.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&c.logFormat, "log-format", "text", "text or json")
	fs.DurationVar(&c.drainTimeout, "drain-timeout", 30*time.Second, "how long shutdown waits for in-flight requests")
	fs.Var(&c.auth, "auth", "verify SigV4 signatures against ACCESS_KEY:SECRET (repeatable or comma-separated; default: any signature is accepted)")
	fs.StringVar(&c.authFile, "auth-file", "", "verify SigV4 signatures against the ACCESS_KEY:SECRET pairs of this file, one a line")
	fs.Var(&c.corsOrigins, "cors-origin", "browser origin allowed to call the API, e.g. http://localhost:3000, or * for any (repeatable or comma-separated; default: none)")
	c.requests.flags(fs)
	c.gates.flags(fs)
	c.tls.flags(fs)
	c.declare.flags(fs)
	fs.BoolVar(&c.ephemeral, "ephemeral", false, "a throwaway test server: sync nothing, records nor streams (a crash may lose all of it); data in a new temporary directory removed at exit, or in --data if given")
	c.compression = codecFlag{defaultCompression}
	fs.Var(&c.compression, "compression", "codec of new batches: none, s2 or zstd; a batch is stored raw unless compression saves 10 %, and data written under any codec reads back")
	c.console.flags(fs)
}

// resolveSecurity checks the --auth, --auth-file and --cors-origin values and loads the keys.
func (c *serveConfig) resolveSecurity() error {
	if err := c.tls.check(); err != nil {
		return err
	}
	if err := checkOrigins(c.corsOrigins); err != nil {
		return err
	}
	if err := c.console.check(); err != nil {
		return err
	}
	keys, err := loadCredentials(c.auth, c.authFile)
	if err != nil {
		return err
	}
	c.credentials = keys
	return nil
}

// checkScope checks --account-id and --region, which name the default account and region
// in ARNs and the directories of the others beside them.
func (c *serveConfig) checkScope() error {
	if !kinesis.IsAccountID(c.accountID) {
		return fmt.Errorf("--account-id %q: want 12 digits", c.accountID)
	}
	if !kinesis.IsRegionName(c.region) {
		return fmt.Errorf("--region %q: want a region name such as us-east-1 (lower-case letters, digits and hyphens)", c.region)
	}
	return nil
}

// envPrefix names the environment variables that stand in for flags: --sync-interval is
// SHARDLOG_SYNC_INTERVAL.
const envPrefix = "SHARDLOG_"

// applyEnv sets every flag not given on the command line from its environment variable.
func applyEnv(fs *flag.FlagSet) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		name := envPrefix + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(name); ok {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s=%q: %w", name, v, e)
			}
		}
	})
	return err
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: %w", level, err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}

func runServe(args []string, stderr io.Writer) int {
	var cfg serveConfig
	fs := newFlagSet("serve", "Usage: shardlog serve [flags]\n\nEvery flag can also be set as "+envPrefix+"<FLAG> (upper case, _ for -).\n\n", stderr)
	cfg.flags(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if err := applyEnv(fs); err != nil {
		fmt.Fprintln(stderr, "shardlog serve:", err)
		return 2
	}
	cfg.resolveEphemeral(fs)
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "shardlog serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if err := cfg.checkScope(); err != nil {
		fmt.Fprintln(stderr, "shardlog serve:", err)
		return 2
	}
	if cfg.subscriptionLifetime <= 0 {
		fmt.Fprintf(stderr, "shardlog serve: --subscription-lifetime %v: want a positive duration\n", cfg.subscriptionLifetime)
		return 2
	}
	if err := cfg.resolveSecurity(); err != nil {
		fmt.Fprintln(stderr, "shardlog serve:", err)
		return 2
	}
	if err := cfg.resolveGate(); err != nil {
		fmt.Fprintln(stderr, "shardlog serve:", err)
		return 2
	}
	if err := cfg.declare.resolve(); err != nil {
		fmt.Fprintln(stderr, "shardlog serve:", err)
		return 2
	}
	log, err := newLogger(stderr, cfg.logLevel, cfg.logFormat)
	if err != nil {
		fmt.Fprintln(stderr, "shardlog serve:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, cfg, log); err != nil {
		log.Error("shardlog serve failed", "err", err)
		return 1
	}
	return 0
}

// serve runs the server until ctx is done, then drains in-flight requests and closes the
// store, which syncs every shard and marks the shutdown clean.
//
// It binds the listener before it opens the store, so that a server refused its address
// has not touched the data directory; and opening the store locks the directory, so that a
// second server on it is refused before it reads or writes anything there. Connections that
// arrive while the store opens wait in the listen queue.
func serve(ctx context.Context, cfg serveConfig, log *slog.Logger) error {
	policy, err := shard.ParseSyncPolicy(cfg.sync)
	if err != nil {
		return fmt.Errorf("--sync: %w", err)
	}
	logStart(log)
	removeEphemeral, err := cfg.ephemeralDir(log)
	if err != nil {
		return err
	}
	defer removeEphemeral()
	started := time.Now()
	listeners, err := bindListeners(cfg)
	if err != nil {
		return err
	}
	storeOpts := stream.Options{
		Region:      cfg.region,
		Account:     cfg.accountID,
		CreateDelay: cfg.createDelay,
		DeleteDelay: cfg.deleteDelay,
		UpdateDelay: cfg.updateDelay,
		ShardLimit:  cfg.shardLimit,
		Shard:       shard.Options{Sync: policy, SyncInterval: cfg.syncInterval},
		Logger:      log,
		Ephemeral:   cfg.ephemeral,

		RegisterConsumerDelay:   cfg.registerDelay,
		DeregisterConsumerDelay: cfg.deregisterDelay,
	}
	storeOpts.Shard.Codec = cfg.compression.codec
	storeOpts.StreamCodec = cfg.declare.streamCodec(cfg.accountID, cfg.region)
	srvOpts := cfg.requests.apply(server.Options{Logger: log, Credentials: cfg.credentials, CORSOrigins: cfg.corsOrigins,
		SubscriptionLifetime: cfg.subscriptionLifetime})
	cfg.gate.apply(&storeOpts, &srvOpts)
	store, err := streambackend.Open(cfg.dataDir, storeOpts)
	if err != nil {
		closeListeners(listeners)
		return fmt.Errorf("open data directory %s: %w", cfg.dataDir, err)
	}
	logRecovery(log, store.Recovery())
	warnDescriptors(log, store.Recovery().Shards, cfg.shardLimit)
	if err := cfg.declare.apply(store, log); err != nil {
		store.Close()
		closeListeners(listeners)
		return fmt.Errorf("declared streams: %w", err)
	}
	srvOpts.Health = healthReporter(store, cfg.dataDir, started)
	srvOpts.Reset = store.DeleteAllStreams
	var stopSyncTiming func()
	srvOpts.Metrics, stopSyncTiming = serveMetrics(store)
	defer stopSyncTiming()
	var bindConsole func(*server.Server)
	var stopConsole func()
	if srvOpts.Console, bindConsole, stopConsole, err = serveConsole(cfg, store, log); err != nil {
		store.Close()
		closeListeners(listeners)
		return err
	}
	defer stopConsole()
	srv := server.New(store, srvOpts)
	bindConsole(srv)
	served, err := startServing(srv, listeners, cfg, log)
	if err != nil {
		store.Close()
		return err
	}
	cfg.gate.log(log, cfg.gates, cfg.injectSeed)

	select {
	case <-ctx.Done():
		log.Info("shutting down: draining requests")
	case err := <-served:
		srv.Shutdown(context.Background()) // the other listeners
		store.Close()
		return fmt.Errorf("serve: %w", err)
	}
	drain, cancel := context.WithTimeout(context.Background(), cfg.drainTimeout)
	defer cancel()
	shutErr := srv.Shutdown(drain)
	if err := store.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	if shutErr != nil {
		return fmt.Errorf("drain: %w", shutErr)
	}
	log.Info("stopped cleanly")
	return nil
}

// startServing serves the API on every listener, HTTPS on those that want it, and logs
// each address. Served errors arrive on the returned channel.
func startServing(srv *server.Server, listeners []serveListener, cfg serveConfig, log *slog.Logger) (<-chan error, error) {
	var tlsConfig *tls.Config
	if cfg.tls.enabled() {
		var err error
		if tlsConfig, err = cfg.tls.config(cfg.dataDir, log); err != nil {
			closeListeners(listeners)
			return nil, err
		}
	}
	served := make(chan error, len(listeners))
	for i, l := range listeners {
		if l.tls {
			go func() { served <- srv.ServeTLS(l.ln, tlsConfig) }()
		} else {
			go func() { served <- srv.Serve(l.ln) }()
		}
		attrs := []any{"addr", l.ln.Addr().String(), "scheme", l.scheme()}
		if i == 0 {
			attrs = append(attrs, "data", cfg.dataDir, "sync", cfg.sync, "region", cfg.region, "account", cfg.accountID,
				"auth", len(cfg.credentials) > 0, "cors", cfg.corsOrigins.String())
		}
		log.Info("listening", attrs...)
		warnIfExposed(log, l.ln.Addr(), len(cfg.credentials) > 0)
	}
	return served, nil
}
