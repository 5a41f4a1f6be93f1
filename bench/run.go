package bench

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Run creates Config.Streams fresh streams, writes to them from Config.Connections writers
// for Config.Duration (or Config.Records records), then reads every shard back from
// TRIM_HORIZON and verifies that every acknowledged record is there once, in order, on the
// right shard and unchanged. Then it deletes the streams, unless Config.KeepStreams is set:
// also when it fails or ctx is cancelled, with a context of its own (deleteTimeout).
//
// Run returns a Result as complete as it got with any error. A verification that found
// problems gives the full Result and an error matching ErrVerify; Result.Verify says what
// was wrong.
func Run(ctx context.Context, cfg Config) (res Result, err error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return Result{}, err
	}
	res = Result{
		Endpoint: cfg.Endpoint, Op: cfg.Op, Shards: cfg.Shards, RecordBytes: cfg.RecordBytes,
		BatchRecords: cfg.BatchRecords, Payload: cfg.Payload, Connections: cfg.Connections,
		Started: time.Now().UTC(),
	}
	for i := range cfg.Streams {
		res.Streams = append(res.Streams, fmt.Sprintf("%s-%d-%d", cfg.StreamPrefix, res.Started.UnixMilli(), i))
	}
	kc := newKinesis(cfg)
	if !cfg.KeepStreams {
		defer func() { err = errors.Join(err, deleteStreams(ctx, kc, res.Streams, cfg.Consumers > 0)) }()
	}
	if err := createStreams(ctx, kc, res.Streams, cfg.Shards); err != nil {
		return res, err
	}
	shards := make([][]shardRange, len(res.Streams))
	for i, name := range res.Streams {
		var err error
		if shards[i], err = listOpenShards(ctx, kc, name); err != nil {
			return res, err
		}
	}
	writers := make([]*writer, cfg.Writers)
	for w := range writers {
		s := w % cfg.Streams
		writers[w] = newWriter(w, s, cfg.Op, buildTemplates(cfg, w, res.Streams[s], routerFor(shards[s])))
	}

	var fo *fanOut
	if cfg.Consumers > 0 {
		fo, err = startFanOut(ctx, cfg, kc, res.Streams, shardJobs(res.Streams, shards), writers)
		defer func() { err = errors.Join(err, fo.close(ctx, kc)) }()
		if err != nil {
			return res, err
		}
		fo.writing(ctx)
	}
	c := newClient(cfg.Endpoint, cfg.Region, cfg.Connections+cfg.ReadConnections)
	defer c.close()
	res.Write, err = writeAll(ctx, cfg, c, writers)
	switch {
	case fo != nil && err != nil:
		fo.stop()
		res.FanOut = fo.result()
	case fo != nil:
		var ferr error
		res.FanOut, ferr = fo.finish(ctx)
		if !errors.Is(ferr, ErrVerify) {
			err = ferr
		}
	}
	if err != nil {
		return res, err
	}
	if !cfg.NoReadBack {
		read, v, err := readAll(ctx, cfg, c, writers, shardJobs(res.Streams, shards))
		res.Read, res.Verify = &read, v
		if err != nil {
			return res, err
		}
	}
	if res.FanOut != nil {
		if err := res.FanOut.err(); err != nil {
			return res, err
		}
	}
	if res.Verify != nil && !res.Verify.OK {
		return res, fmt.Errorf("%w: %d lost, %d duplicated, %d reordered, %d changed, %d on the wrong shard, %d unknown, %d refused but stored",
			ErrVerify, res.Verify.Lost, res.Verify.Duplicated, res.Verify.Reordered, res.Verify.Changed,
			res.Verify.WrongShard, res.Verify.Unknown, res.Verify.Unacknowledged)
	}
	return res, nil
}

// shardJobs lists every open shard of the run's streams.
func shardJobs(streams []string, shards [][]shardRange) []shardJob {
	var jobs []shardJob
	for s, name := range streams {
		for i, sh := range shards[s] {
			jobs = append(jobs, shardJob{stream: name, streamIdx: s, shardIdx: int32(i), id: sh.id})
		}
	}
	return jobs
}
