package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/shardlog/shardlog/internal/inject"
	"github.com/shardlog/shardlog/internal/throttle"
	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/stream"
)

// gateFlags are the serve flags of the opt-in throughput limits and injected faults, both
// off by default.
type gateFlags struct {
	limits        string
	limitsStreams listFlag
	inject        string
	injectSeed    uint64
}

func (g *gateFlags) flags(fs *flag.FlagSet) {
	fs.StringVar(&g.limits, "limits", "none",
		"throughput quotas to enforce: none, or aws (AWS's per-shard, on-demand and control-plane quotas)")
	fs.Var(&g.limitsStreams, "limits-streams",
		"streams --limits applies to (repeatable or comma-separated; default: all)")
	fs.StringVar(&g.inject, "inject", "",
		"fail a fraction of calls: OPERATION[@STREAM]:ERROR:FRACTION,... e.g. PutRecords.Records:ProvisionedThroughputExceededException:0.05")
	fs.Uint64Var(&g.injectSeed, "inject-seed", 0,
		"seed of --inject's draws, to repeat a run's failures (0: a random seed, logged at start)")
}

// gate is the stream.Gate and the server's Admit of `shardlog serve`: injected faults
// first (a failed call takes nothing from the quotas), then the quotas.
type gate struct {
	meter   *throttle.Meter  // of the default account and region; nil without --limits aws
	streams []string         // the streams metered; nil: all
	faults  *inject.Injector // nil without --inject
	account string           // the default account (--account-id)
	region  string           // the default region (--region)

	// meters are the quotas of the other accounts and regions, each its own as on AWS,
	// made on their first call.
	mu       sync.Mutex
	meters   map[server.Scope]*throttle.Meter
	newMeter func() *throttle.Meter
}

// build returns the gate the flags describe, or nil when both are off. seed is the seed
// --inject draws from.
func (g gateFlags) build(account string, now func() time.Time) (gt *gate, seed uint64, err error) {
	gt = &gate{account: account}
	switch g.limits {
	case "none", "":
	case "aws":
		gt.newMeter = func() *throttle.Meter { return throttle.New(throttle.AWS(), now) }
		gt.meter, gt.meters = gt.newMeter(), map[server.Scope]*throttle.Meter{}
		gt.streams = g.limitsStreams
	default:
		return nil, 0, fmt.Errorf("--limits %q: want none or aws", g.limits)
	}
	if gt.meter == nil && len(g.limitsStreams) > 0 {
		return nil, 0, fmt.Errorf("--limits-streams needs --limits aws")
	}
	spec, err := inject.Parse(g.inject)
	if err != nil {
		return nil, 0, fmt.Errorf("--inject: %w", err)
	}
	if len(spec) > 0 {
		seed = cmp.Or(g.injectSeed, rand.Uint64())
		gt.faults = inject.New(spec, seed)
	}
	if gt.meter == nil && gt.faults == nil {
		return nil, 0, nil
	}
	return gt, seed, nil
}

// resolveGate checks --limits and --inject and builds the gate they describe.
func (c *serveConfig) resolveGate() error {
	gt, seed, err := c.gates.build(c.accountID, time.Now)
	if err != nil {
		return err
	}
	if gt != nil {
		gt.region = c.region
	}
	c.gate, c.injectSeed = gt, seed
	return nil
}

// apply sets the gate into the store's and the server's options; a nil gate leaves them
// as they are, so that nothing is asked on any request.
func (gt *gate) apply(so *stream.Options, o *server.Options) {
	if gt == nil {
		return
	}
	so.Gate = gt
	o.Admit = gt.admit
	if gt.meter != nil {
		so.MaxStreamsChanging = throttle.MaxStreamsChanging
	}
}

// log says what the gate enforces, at start.
func (gt *gate) log(log *slog.Logger, g gateFlags, seed uint64) {
	if gt == nil {
		return
	}
	if gt.meter != nil {
		log.Info("enforcing AWS quotas", "limits", g.limits, "streams", g.limitsStreams.String())
	}
	if gt.faults != nil {
		log.Info("injecting faults", "inject", g.inject, "inject-seed", seed)
	}
}

// meterOf returns the meter of account in region ("" for the defaults), making it on first
// use. Only a gate with --limits aws has meters.
func (gt *gate) meterOf(account, region string) *throttle.Meter {
	sc := server.Scope{Account: cmp.Or(account, gt.account), Region: cmp.Or(region, gt.region)}
	if sc.Account == gt.account && sc.Region == gt.region {
		return gt.meter
	}
	gt.mu.Lock()
	defer gt.mu.Unlock()
	m := gt.meters[sc]
	if m == nil {
		m = gt.newMeter()
		gt.meters[sc] = m
	}
	return m
}

// metered reports whether the quotas apply to a call on stream ("" when it names none).
func (gt *gate) metered(stream string) bool {
	return gt.meter != nil && (gt.streams == nil || stream == "" || slices.Contains(gt.streams, stream))
}

func (gt *gate) fail(op, stream string) string {
	if gt.faults == nil {
		return ""
	}
	return gt.faults.Fail(op, stream)
}

// refused is the error type of a quota the meter refused, "" when it let the call through.
func refused(ok bool) string {
	if ok {
		return ""
	}
	return kinesis.TypeProvisionedThroughputExceeded
}

func meterShard(at stream.GateShard) throttle.Shard {
	return throttle.Shard{Stream: at.Stream, ShardID: at.ShardID, OnDemand: at.OnDemand}
}

func (gt *gate) Write(op string, at stream.GateShard, n int) string {
	name := op
	if op == "PutRecords" { // the whole call was admitted already: these are its records
		name = inject.PutRecordsRecords
	}
	if typ := gt.fail(name, at.Stream); typ != "" {
		return typ
	}
	if !gt.metered(at.Stream) {
		return ""
	}
	return refused(gt.meterOf(at.Account, at.Region).Write(meterShard(at), n))
}

func (gt *gate) Read(at stream.GateShard) string {
	if typ := gt.fail("GetRecords", at.Stream); typ != "" {
		return typ
	}
	if !gt.metered(at.Stream) {
		return ""
	}
	return refused(gt.meterOf(at.Account, at.Region).Read(meterShard(at)))
}

func (gt *gate) ReadDone(at stream.GateShard, n int) {
	if gt.metered(at.Stream) {
		gt.meterOf(at.Account, at.Region).ReadDone(meterShard(at), n)
	}
}

func (gt *gate) Iterator(at stream.GateShard) string {
	if typ := gt.fail("GetShardIterator", at.Stream); typ != "" {
		return typ
	}
	if !gt.metered(at.Stream) {
		return ""
	}
	return refused(gt.meterOf(at.Account, at.Region).Iterator(meterShard(at)))
}

// shardOperations are failed by the store, which knows the shard to name: admit leaves
// them to Write, Read and Iterator.
var shardOperations = []string{"PutRecord", "GetRecords", "GetShardIterator"}

// admit is server.Options.Admit: the injected failures of whole calls, and the
// control-plane rates of the request's account and region.
func (gt *gate) admit(ctx context.Context, op, stream string) error {
	sc := server.ScopeFrom(ctx)
	account := cmp.Or(sc.Account, gt.account)
	if !slices.Contains(shardOperations, op) {
		if typ := gt.fail(op, stream); typ != "" {
			return inject.Error(typ, stream, account)
		}
	}
	if gt.metered(stream) && !gt.meterOf(sc.Account, sc.Region).Control(op, stream) {
		return throttle.RateExceeded(stream, account)
	}
	return nil
}
