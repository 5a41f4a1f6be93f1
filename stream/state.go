package stream

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shardlog/shardlog/retention"
	"github.com/shardlog/shardlog/shard"
)

// streamEntry is one stream of a Store. Operations read its view without a lock; changes
// (catalog writes and status changes) are made under mu, and publish a new view.
type streamEntry struct {
	mu   sync.Mutex
	view atomic.Pointer[streamView] // nil once the stream is gone

	// subscribed holds, by consumer ARN, the Ended channel of each ACTIVE consumer that
	// ActiveConsumer was asked for; it is closed when the consumer stops being ACTIVE
	// (consumers.go). Guarded by mu.
	subscribed map[string]chan struct{}
}

// streamView is a stream as of its last change. Nothing in it is modified once published: a
// change builds a new view, sharing the shard logs that did not change.
type streamView struct {
	info   *StreamInfo
	shards []*shardLog // shards[i] is the log of info.Shards[i]
	router *Router     // routes hash keys to the open shards; nil while there are none
	open   []*shardLog // open[i] is the log of the router's i-th open shard (routeLogs)

	// spread is the turn of the next record when the stream spreads records
	// (DistributionAuto), nil otherwise.
	spread *atomic.Uint64
}

// shardLog is the log of one shard, with what the hot paths need of its ShardInfo.
type shardLog struct {
	log        *shard.Shard
	id         string
	index      int32
	createdSec int64
}

func newView(info *StreamInfo, logs []*shardLog) *streamView {
	v := &streamView{info: info, shards: logs}
	if info.OpenShardCount() > 0 {
		v.router = NewRouter(info.Shards)
		v.open = routeLogs(v)
	}
	if info.spreads() {
		v.spread = new(atomic.Uint64)
	}
	return v
}

// shard returns the shard with the given index and its log, or nil if the stream has none.
func (v *streamView) shard(index int) (*ShardInfo, *shardLog) {
	i, found := slices.BinarySearchFunc(v.info.Shards, index, func(sh ShardInfo, index int) int { return sh.Index - index })
	if !found {
		return nil, nil
	}
	return &v.info.Shards[i], v.shards[i]
}

// writable reports whether the stream takes records: Kinesis answers writes to a stream
// that is CREATING or DELETING as if it did not exist.
func (v *streamView) writable() bool {
	return v.info.Status == StatusActive || v.info.Status == StatusUpdating
}

// clone returns a deep copy of s, for a change to make and publish.
func (s *StreamInfo) clone() *StreamInfo {
	c := *s
	c.Tags = slices.Clone(s.Tags)
	c.Shards = slices.Clone(s.Shards)
	c.ShardLevelMetrics = slices.Clone(s.ShardLevelMetrics)
	c.ScaledMs = slices.Clone(s.ScaledMs)
	c.Policies = maps.Clone(s.Policies)
	c.ModeChangedMs = slices.Clone(s.ModeChangedMs)
	c.EncryptionChangedMs = slices.Clone(s.EncryptionChangedMs)
	c.Consumers = slices.Clone(s.Consumers)
	for i := range c.Consumers {
		c.Consumers[i].Tags = slices.Clone(c.Consumers[i].Tags)
	}
	c.Queues = slices.Clone(s.Queues)
	for i := range c.Queues {
		c.Queues[i].Tags = slices.Clone(c.Queues[i].Tags)
	}
	if s.Reshard != nil {
		r := *s.Reshard
		c.Reshard = &r
	}
	return &c
}

// retention returns the stream's retention period.
func (s *StreamInfo) retention() time.Duration {
	return time.Duration(s.RetentionHours) * time.Hour
}

// expired reports whether sh is a closed shard whose records have all expired at nowMs:
// every record arrived before the end of the shard's close second, so that is once the
// retention period has passed since. An expired shard is listed nowhere and its files are
// deleted.
func (s *StreamInfo) expired(sh *ShardInfo, nowMs int64) bool {
	return sh.Closed && retention.Expired(closedEndMs(sh), nowMs, s.retention())
}

// openShards opens the logs of shards, which belong to the stream info. New shards are
// created (with their directories); with existing set, the shards are ones the catalog
// lists, created before it was saved, and a missing directory or manifest is damage
// (shard.MustExist) rather than a new, empty shard: a damaged shard is quarantined
// (DamagedShardError) and the others are served. On failure it closes what it opened.
func (s *Store) openShards(info *StreamInfo, shards []ShardInfo, existing bool) ([]*shardLog, error) {
	if len(shards) == 0 {
		return nil, nil
	}
	if !existing {
		if err := makeDir(s.streamDir(info)); err != nil {
			return nil, fmt.Errorf("stream %s: %w", info.Name, err)
		}
	}
	opts := make([]shard.Options, len(shards))
	for i := range shards { // StreamCodec is asked once per shard, in order, before they open
		opts[i] = s.opts.Shard
		opts[i].Codec = s.codecOf(info)
		opts[i].Retention = info.retention()
		opts[i].MustExist = existing
	}
	logs := make([]*shardLog, len(shards))
	err := firstError(inParallel(len(shards), shardsAtOnce, func(i int) error {
		var err error
		logs[i], err = s.openShard(info, &shards[i], opts[i])
		return err
	}))
	if err != nil {
		s.closeShards(logs)
		return nil, fmt.Errorf("stream %s: %w", info.Name, err)
	}
	return logs, nil
}

// openShard opens (opts.MustExist) or creates the log of one shard of a stream, with the
// stream's shard options.
func (s *Store) openShard(info *StreamInfo, sh *ShardInfo, opts shard.Options) (*shardLog, error) {
	s.shardIO("open")
	opts.CreatedMs = sh.CreatedSec * 1000
	l, err := shard.Open(s.shardDir(info, sh), opts)
	if err != nil && opts.MustExist && shard.IsDamage(err) {
		l, err = s.quarantine(info, sh, s.shardDir(info, sh), err), nil
	}
	if err != nil {
		return nil, err
	}
	return &shardLog{log: l, id: sh.ID, index: int32(sh.Index), createdSec: sh.CreatedSec}, nil
}

// closeShards closes logs, shardsAtOnce at a time. A log that is already closed, or nil
// (one that failed to open), is not an error.
func (s *Store) closeShards(logs []*shardLog) error {
	return errors.Join(inParallel(len(logs), shardsAtOnce, func(i int) error {
		if logs[i] == nil {
			return nil
		}
		s.shardIO("close")
		if err := logs[i].log.Close(); err != nil && !errors.Is(err, shard.ErrClosed) {
			return err
		}
		return nil
	})...)
}

// discardShards closes the logs of a removed stream without the syncs that Close would spend
// on files about to be deleted (shard.Discard). The deleted marker is durable by then, so
// a crash before the files go leaves a directory that Open removes.
func (s *Store) discardShards(logs []*shardLog) error {
	var errs []error
	for _, l := range logs {
		if err := l.log.Discard(); err != nil && !errors.Is(err, shard.ErrClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// current returns the view of the named stream for a control-plane call, first carrying
// out a status change that has come due, so that the answer is the stream's status now. It
// returns a nil view if there is no such stream. If the change fails, the stream is
// returned as it is (still changing), so that it stays readable; the maintenance loop tries
// the change again and logs its failure.
func (s *Store) current(name string) (*streamEntry, *streamView, error) {
	if s.closed.Load() {
		return nil, nil, ErrClosed
	}
	e := s.entry(name)
	if e == nil {
		return nil, nil, nil
	}
	if v := e.view.Load(); v == nil || !v.info.Due(s.nowMs()) {
		return e, v, nil
	}
	v, err := s.settle(e)
	switch {
	case errors.Is(err, ErrClosed):
		return nil, nil, err
	case err != nil:
		return e, e.view.Load(), nil
	}
	return e, v, nil
}

// observe returns the view of the named stream for a data-plane call, which carries out no
// status change: it answers from the stream as it is, as of the status it has now that the
// change's time has come. A stream whose DELETING has come due is gone (a nil view). One
// whose UPDATING has come due is served as it is: its parents take writes and reads until
// the reshard is carried out, as on AWS. One whose CREATING has come due is ACTIVE, but its
// shards are made when that change is carried out, so observe has the maintenance loop
// carry it out now and waits for it (awaitChange), without holding the stream's lock.
func (s *Store) observe(name string) (*streamEntry, *streamView, error) {
	if s.closed.Load() {
		return nil, nil, ErrClosed
	}
	e := s.entry(name)
	if e == nil {
		return nil, nil, nil
	}
	v := e.view.Load()
	if v == nil || !v.info.Due(s.nowMs()) {
		return e, v, nil
	}
	switch v.info.Status {
	case StatusDeleting:
		return e, nil, nil
	case StatusCreating:
		v = s.awaitChange(e, v)
	}
	if s.closed.Load() {
		return nil, nil, ErrClosed
	}
	return e, v, nil
}

// settle carries out the status change of e if it has come due, and returns e's view (nil
// if the stream is gone).
func (s *Store) settle(e *streamEntry) (*streamView, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return s.settleLocked(e)
}

// settleLocked carries out the status change of e if it has come due, and returns e's view
// (nil if the stream is gone). Called with e.mu held.
func (s *Store) settleLocked(e *streamEntry) (*streamView, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	v := e.view.Load()
	now := s.nowMs()
	if v == nil || !v.info.Due(now) {
		return v, nil
	}
	switch v.info.Status {
	case StatusCreating:
		return s.activate(e, v)
	case StatusUpdating:
		return s.finishUpdate(e, v, now)
	default: // StatusDeleting
		return nil, s.remove(e, v)
	}
}

// activate ends CREATING: it makes the stream's shards, whose count CreateStream kept in
// NextShardIndex, and makes it ACTIVE. Called with e.mu held.
func (s *Store) activate(e *streamEntry, v *streamView) (*streamView, error) {
	info := v.info.clone()
	info.Shards = InitialShards(info.NextShardIndex, info.CreatedMs/1000)
	info.Status, info.StatusDueMs = StatusActive, 0
	logs, err := s.openShards(info, info.Shards, false)
	if err != nil {
		return nil, err
	}
	if err := s.cat.Save(info); err != nil {
		s.closeShards(logs)
		return nil, err
	}
	nv := newView(info, logs)
	e.view.Store(nv)
	return nv, nil
}

// remove ends DELETING: the stream directory is marked deleted and the catalog file goes,
// in that order, so that after a crash the stream is gone and Open removes what is left of
// its files, knowing them deleted (a directory without its catalog file and without the
// mark is kept); then the stream leaves the store, and its logs are closed, without the
// syncs of Close, and deleted. Called with e.mu held.
func (s *Store) remove(e *streamEntry, v *streamView) error {
	if err := markDeleted(s.streamDir(v.info)); err != nil {
		return fmt.Errorf("stream %s: mark deleted: %w", v.info.Name, err)
	}
	if err := s.cat.Remove(v.info.Name); err != nil {
		return err
	}
	e.view.Store(nil)
	endSubscriptions(e)
	s.forget(v.info.Name, e)
	if err := s.discardShards(v.shards); err != nil {
		s.log.Error("stream: close shards of a deleted stream", "stream", v.info.Name, "error", err)
	}
	// The removal of the files need not be durable: a crash that undoes it leaves the
	// marked directory, which Open removes.
	dir := s.streamDir(v.info)
	if err := os.RemoveAll(dir); err != nil {
		s.log.Error("stream: remove files of a deleted stream", "dir", dir, "error", err)
	}
	return nil
}

// publish saves info to the catalog and publishes it as e's view, with logs as its shard
// logs. Called with e.mu held.
func (s *Store) publish(e *streamEntry, info *StreamInfo, logs []*shardLog) (*streamView, error) {
	if err := s.cat.Save(info); err != nil {
		return nil, err
	}
	v := newView(info, logs)
	e.view.Store(v)
	return v, nil
}

// change applies fn to a copy of the named stream's info and publishes the result, under
// the stream's lock; then it calls after, if not nil, with the new view, still under the lock.
// fn sees the stream as it is now (a status change that came due is carried out first, or,
// if that fails, left to the maintenance loop), and
// returns a Kinesis error to refuse the change, or a nil info to change nothing. A stream
// that does not exist is StreamNotFound.
func (s *Store) change(name string, fn func(info *StreamInfo) (*StreamInfo, error), after func(v *streamView)) error {
	if s.closed.Load() {
		return ErrClosed
	}
	e := s.entry(name)
	if e == nil {
		return streamNotFound(name, s.opts.Account)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	v, err := s.settleLocked(e)
	switch {
	case errors.Is(err, ErrClosed):
		return err
	case err != nil: // the change goes on from the stream as it is, as in current
		v = e.view.Load()
	}
	if v == nil {
		return streamNotFound(name, s.opts.Account)
	}
	info, err := fn(v.info.clone())
	if err != nil || info == nil {
		return err
	}
	if v, err = s.publish(e, info, v.shards); err != nil {
		return err
	}
	if after != nil {
		after(v)
	}
	return nil
}
