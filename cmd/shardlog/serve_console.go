package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/shardlog/shardlog/console"
	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
)

// consoleFlags are the flags of the web console at /console/.
type consoleFlags struct {
	anywhere bool   // --console: serve it on every listener
	token    string // --console-token
	off      bool   // --no-console
}

func (f *consoleFlags) flags(fs *flag.FlagSet) {
	fs.BoolVar(&f.anywhere, "console", false, "serve the web console at /console/ on every listener, not only loopback ones (needs --console-token)")
	fs.StringVar(&f.token, "console-token", "", "access token of the web console: open /console/?token=TOKEN once (default: none, and the console answers only on loopback listeners; with --auth the console needs one)")
	fs.BoolVar(&f.off, "no-console", false, "do not serve the web console")
}

func (f *consoleFlags) check() error {
	if f.anywhere && f.token == "" {
		return errors.New("--console needs --console-token: a console beyond loopback must ask for a token")
	}
	return nil
}

// serveConsole makes the console for server.Options.Console, or nil when it is off: by
// --no-console, or by --auth without --console-token, since a console without a token
// would let any local process past the signatures. Once the server is made, bind gives it
// the server to run its operations through; stop ends its sampling.
func serveConsole(cfg serveConfig, store *streambackend.Scoped, log *slog.Logger) (h http.Handler, bind func(*server.Server), stop func(), err error) {
	noop := func(*server.Server) {}
	if cfg.console.off {
		return nil, noop, func() {}, nil
	}
	if len(cfg.credentials) > 0 && cfg.console.token == "" {
		log.Info("web console off: with --auth it needs --console-token")
		return nil, noop, func() {}, nil
	}
	con, err := console.New(console.Options{
		Token: cfg.console.token, Anywhere: cfg.console.anywhere,
		Counts: store.DefaultCounts, Usage: store.Usage, Held: consoleHeld(store),
		Account: cfg.accountID, Region: cfg.region, Logger: log,
	})
	if err != nil {
		return nil, nil, nil, err
	}
	where := "loopback listeners"
	if cfg.console.anywhere {
		where = "every listener"
	}
	log.Info("web console at /console/", "on", where, "token", cfg.console.token != "")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); con.Sample(ctx) }()
	stop = func() { cancel(); <-done }
	return con, func(s *server.Server) { con.Bind(s) }, stop, nil
}

// consoleHeld gives the console's shard table what each shard of a stream of the default
// account and region holds.
func consoleHeld(store *streambackend.Scoped) func(string) ([]console.ShardHeld, error) {
	return func(name string) ([]console.ShardHeld, error) {
		shards, err := store.DefaultRetained(name)
		var ke *kinesis.Error
		if errors.As(err, &ke) && ke.Type == kinesis.TypeResourceNotFound {
			return nil, fmt.Errorf("%w: %s", console.ErrNoStream, ke.Message)
		}
		if err != nil {
			return nil, err
		}
		out := make([]console.ShardHeld, len(shards))
		for i, s := range shards {
			out[i] = console.ShardHeld{ShardID: s.ShardID, Records: s.Records, Bytes: s.Bytes,
				FirstArrivalMs: s.FirstTimeMs, LastArrivalMs: s.LastTimeMs, Error: s.Error}
		}
		return out, nil
	}
}
