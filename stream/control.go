package stream

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shardlog/shardlog/kinesis"
)

// StreamConfig is what CreateStream is told besides the stream's name.
type StreamConfig struct {
	// ShardCount is the number of shards. A PROVISIONED stream needs at least 1; an
	// ON_DEMAND stream gets DefaultOnDemandShardCount, and must not be given one.
	ShardCount int
	// Mode is the capacity mode. When empty, the stream is PROVISIONED if ShardCount is set,
	// else ON_DEMAND, which is what AWS does with a CreateStream that names neither.
	Mode StreamMode
	// Tags are the stream's first tags.
	Tags map[string]string
	// MaxRecordSizeKiB is the largest record, data and partition key. Default
	// DefaultMaxRecordSizeKiB.
	MaxRecordSizeKiB int
	// RecordDistribution is how an ON_DEMAND stream places records; default by hash key.
	// AUTO needs an ON_DEMAND stream.
	RecordDistribution RecordDistributionStrategy
	// WarmThroughputMiBps, when not nil, is the warm throughput of an ON_DEMAND stream, in
	// an account whose minimum throughput billing commitment is in force
	// (UpdateStreamWarmThroughput's rules).
	WarmThroughputMiBps *int
}

// shards returns the mode and shard count of the stream cfg describes.
func (cfg StreamConfig) shards() (StreamMode, int, error) {
	mode := cfg.Mode
	if mode == "" {
		mode = ModeProvisioned
		if cfg.ShardCount == 0 {
			mode = ModeOnDemand
		}
	}
	switch {
	case mode != ModeProvisioned && mode != ModeOnDemand:
		return "", 0, fmt.Errorf("stream: create stream: unknown stream mode %q", mode)
	case cfg.ShardCount < 0:
		return "", 0, fmt.Errorf("stream: create stream: %d shards", cfg.ShardCount)
	case mode == ModeOnDemand && cfg.ShardCount != 0:
		return "", 0, shardCountWithOnDemand()
	case mode == ModeOnDemand:
		return mode, DefaultOnDemandShardCount, nil
	case cfg.ShardCount == 0:
		return "", 0, shardCountMissing()
	}
	return mode, cfg.ShardCount, nil
}

// CreateStream creates a stream. It is CREATING, with no shards, for Options.CreateDelay,
// then ACTIVE with cfg's shards dividing the hash key space evenly. A name in use, in any
// state, is streamExists; shards beyond Options.ShardLimit are shardLimitExceeded.
func (s *Store) CreateStream(name string, cfg StreamConfig) error {
	info, err := s.newStreamInfo(name, cfg)
	if err != nil {
		return err
	}
	return s.create(name, info, s.opts.CreateDelay)
}

// create adds the stream info describes, CREATING for delay (ACTIVE at once if 0), under
// CreateStream's checks.
func (s *Store) create(name string, info *StreamInfo, delay time.Duration) error {
	if _, _, err := s.current(name); err != nil { // a stream of that name whose DELETING is due goes now
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch open := s.openShardCount(); {
	case s.closed.Load():
		return ErrClosed
	case s.entry(name) != nil:
		return streamExists(name, s.opts.Account)
	case open+info.NextShardIndex > s.opts.ShardLimit:
		return shardLimitExceeded(s.opts.Account, s.opts.Region, open, s.opts.ShardLimit, info.NextShardIndex)
	case s.opts.MaxStreamsChanging > 0 && s.changingCount() >= s.opts.MaxStreamsChanging:
		return tooManyStreamsChanging(s.opts.Account, s.opts.MaxStreamsChanging)
	}
	now := s.nowMs()
	info.Incarnation, info.CreatedMs = s.newIncarnation(now), now
	info.StatusDueMs = now + delay.Milliseconds()
	e := &streamEntry{}
	v := newView(info, nil)
	e.view.Store(v)
	if info.Due(now) {
		if _, err := s.activate(e, v); err != nil {
			return err
		}
	} else if err := s.cat.Save(info); err != nil {
		return err
	}
	s.insert(name, e)
	return nil
}

// newStreamInfo checks what CreateStream is given and returns the stream it describes,
// CREATING, without its incarnation and times.
func (s *Store) newStreamInfo(name string, cfg StreamConfig) (*StreamInfo, error) {
	if err := validStreamName(name); err != nil {
		return nil, fmt.Errorf("stream: create stream: %w", err)
	}
	mode, count, err := cfg.shards()
	if err != nil {
		return nil, err
	}
	size := cmp.Or(cfg.MaxRecordSizeKiB, kinesis.DefaultMaxRecordSizeKiB)
	if size < kinesis.MinMaxRecordSizeKiB || size > kinesis.MaxMaxRecordSizeKiB {
		return nil, fmt.Errorf("stream: create stream: max record size %d KiB outside [%d, %d]", size, kinesis.MinMaxRecordSizeKiB, kinesis.MaxMaxRecordSizeKiB)
	}
	tags, err := addTags(nil, cfg.Tags, name, s.opts.Account)
	if err != nil {
		return nil, err
	}
	distribution, warm, err := s.newStreamSettings(name, mode, cfg)
	if err != nil {
		return nil, err
	}
	return &StreamInfo{
		RecordDistribution: distribution, WarmThroughput: warm,
		Name: name, Region: s.opts.Region, Account: s.opts.Account, Status: StatusCreating,
		RetentionHours: kinesis.DefaultRetentionHours, Mode: mode, Encryption: EncryptionNone,
		ShardLevelMetrics: []string{}, MaxRecordSizeKiB: size, Tags: tags,
		NextShardIndex: count, // the shards to make when CREATING ends
	}, nil
}

// openShardCount returns the open shards of all streams, counting those a CREATING stream
// will have and those a pending reshard adds (heldShards). Called with mu held.
func (s *Store) openShardCount() int {
	n := 0
	for _, e := range *s.streams.Load() {
		if v := e.view.Load(); v != nil {
			n += heldShards(v.info)
		}
	}
	return n
}

// changingCount returns how many streams are CREATING or DELETING now. CreateStream calls
// it with mu held, so that two creations cannot both pass the limit; DeleteStream without,
// so that two deletions at once may (the limit is AWS's, not the store's).
func (s *Store) changingCount() int {
	n, now := 0, s.nowMs()
	for _, e := range *s.streams.Load() {
		v := e.view.Load()
		if v == nil {
			continue
		}
		if st := v.info.Status; (st == StatusCreating || st == StatusDeleting) && !v.info.Due(now) {
			n++
		}
	}
	return n
}

// pendingShardCount returns the open shards of a stream, or those it will have once CREATING
// ends.
func pendingShardCount(info *StreamInfo) int {
	if info.Status == StatusCreating && len(info.Shards) == 0 {
		return info.NextShardIndex
	}
	return info.OpenShardCount()
}

// DeleteStream deletes a stream: it is DELETING for Options.DeleteDelay, then it is gone,
// with its files and its consumers, which are DELETING meanwhile (DeleteStream with
// EnforceConsumerDeletion). Deleting a stream that is DELETING changes nothing. Readers may
// go on reading until it is gone; writers are refused at once.
func (s *Store) DeleteStream(name string) error {
	return s.deleteStream(name, true)
}

// DeleteStreamWithoutConsumers is DeleteStream for a request without
// EnforceConsumerDeletion: a stream that has consumers, in any status, is refused
// (streamHasConsumers), as AWS refuses it.
func (s *Store) DeleteStreamWithoutConsumers(name string) error {
	return s.deleteStream(name, false)
}

func (s *Store) deleteStream(name string, withConsumers bool) error {
	err := s.change(name, func(info *StreamInfo) (*StreamInfo, error) {
		switch {
		case info.Status == StatusDeleting:
			return nil, nil
		case info.Status != StatusCreating && s.opts.MaxStreamsChanging > 0 && s.changingCount() >= s.opts.MaxStreamsChanging:
			return nil, tooManyStreamsChanging(s.opts.Account, s.opts.MaxStreamsChanging)
		}
		if !withConsumers && len(info.liveConsumers(s.nowMs())) > 0 {
			return nil, streamHasConsumers(name, info.Account)
		}
		if info.liveQueues(s.nowMs()) > 0 {
			return nil, streamHasQueues(name, info.Account)
		}
		now := s.nowMs()
		info.Status, info.StatusDueMs = StatusDeleting, now+s.opts.DeleteDelay.Milliseconds()
		info.Reshard = nil
		info.deleteConsumers(now, info.StatusDueMs)
		return info, nil
	}, s.endSubscriptionsOf(name))
	if err != nil {
		return err
	}
	_, _, err = s.current(name) // gone now if there is no delay
	return err
}

// DescribeStream returns the named stream with one page of its shards in Shards: up to
// limit of them (MaxDescribeStreamShards when 0 or more), after exclusiveStartShardID if it
// is set, and whether more follow. Closed shards whose records have all expired are not
// listed; a CREATING stream has no shards yet.
func (s *Store) DescribeStream(name string, limit int, exclusiveStartShardID string) (StreamInfo, bool, error) {
	info, err := s.describe(name)
	if err != nil {
		return StreamInfo{}, false, err
	}
	shards := info.Shards
	if exclusiveStartShardID != "" {
		i := slices.IndexFunc(shards, func(sh ShardInfo) bool { return shardAfter(&sh, exclusiveStartShardID) })
		if i < 0 {
			i = len(shards)
		}
		shards = shards[i:]
	}
	if limit <= 0 || limit > kinesis.MaxDescribeStreamShards {
		limit = kinesis.MaxDescribeStreamShards
	}
	more := len(shards) > limit
	info.Shards = shards[:min(limit, len(shards))]
	return info, more, nil
}

// shardAfter reports whether sh comes after the shard id given by a client: by index when
// the id names one (ParseShardID), else by comparing the ids as text, as kinesalite does.
func shardAfter(sh *ShardInfo, id string) bool {
	if index, err := kinesis.ParseShardID(id); err == nil {
		return sh.Index > index
	}
	return sh.ID > id
}

// DescribeStreamSummary returns the named stream, with every shard that is listed (closed
// shards whose records have all expired are not).
func (s *Store) DescribeStreamSummary(name string) (StreamInfo, error) {
	return s.describe(name)
}

// describe returns a copy of the named stream without its expired shards, and with its
// consumers as of now (those that are gone left out).
func (s *Store) describe(name string) (StreamInfo, error) {
	_, v, err := s.current(name)
	if err != nil {
		return StreamInfo{}, err
	}
	if v == nil {
		return StreamInfo{}, streamNotFound(name, s.opts.Account)
	}
	info := v.info.clone()
	now := s.nowMs()
	info.Shards = slices.DeleteFunc(info.Shards, func(sh ShardInfo) bool { return info.expired(&sh, now) })
	info.WarmThroughput.CurrentMiBps = info.WarmThroughput.currentAt(now)
	info.Consumers = info.liveConsumers(now)
	return *info, nil
}

// ListStreams returns a page of streams in name order, in any state: up to limit of them
// (MaxListStreams when 0 or more), after exclusiveStartStreamName, or where the nextToken of
// an earlier page left off. It returns a NextToken if more follow. The streams' Shards are
// not filled in.
func (s *Store) ListStreams(limit int, exclusiveStartStreamName, nextToken string) ([]StreamInfo, string, error) {
	if s.closed.Load() {
		return nil, "", ErrClosed
	}
	after := exclusiveStartStreamName
	if nextToken != "" {
		t, err := s.openToken(nextToken, tokenStreams)
		if err != nil {
			return nil, "", err
		}
		after = max(after, t.Stream)
	}
	s.settleDue()
	var views []*streamView
	for name, e := range *s.streams.Load() {
		if v := e.view.Load(); v != nil && name > after {
			views = append(views, v)
		}
	}
	slices.SortFunc(views, func(a, b *streamView) int { return strings.Compare(a.info.Name, b.info.Name) })
	if limit <= 0 || limit > kinesis.MaxListStreams {
		limit = kinesis.MaxListStreams
	}
	var next string
	if len(views) > limit {
		views = views[:limit]
		next = s.sealToken(pageToken{Kind: tokenStreams, Stream: views[limit-1].info.Name})
	}
	out := make([]StreamInfo, len(views))
	for i, v := range views {
		out[i] = *v.info.clone()
		out[i].Shards = nil
	}
	return out, next, nil
}

// Limits is what DescribeLimits reports.
type Limits struct {
	ShardLimit               int // Options.ShardLimit
	OpenShardCount           int // open shards of all streams, including those of CREATING streams
	OnDemandStreamCount      int // ON_DEMAND streams
	OnDemandStreamCountLimit int // OnDemandStreamCountLimit
}

// DescribeLimits returns the store's shard limit and use.
func (s *Store) DescribeLimits() (Limits, error) {
	if s.closed.Load() {
		return Limits{}, ErrClosed
	}
	s.settleDue()
	l := Limits{ShardLimit: s.opts.ShardLimit, OnDemandStreamCountLimit: OnDemandStreamCountLimit}
	for _, e := range *s.streams.Load() {
		if v := e.view.Load(); v != nil {
			l.OpenShardCount += pendingShardCount(v.info)
			if v.info.Mode == ModeOnDemand {
				l.OnDemandStreamCount++
			}
		}
	}
	return l, nil
}

// IncreaseStreamRetentionPeriod lengthens the named stream's retention period to hours
// (24 to 8760, not less than now). Records that had already expired stay expired.
func (s *Store) IncreaseStreamRetentionPeriod(name string, hours int) error {
	return s.setRetention(name, hours, true)
}

// DecreaseStreamRetentionPeriod shortens the named stream's retention period to hours (24 to
// 8760, not more than now). Records older than the new period are not returned from now on.
func (s *Store) DecreaseStreamRetentionPeriod(name string, hours int) error {
	return s.setRetention(name, hours, false)
}

// setRetention changes a stream's retention period, then its shards'.
func (s *Store) setRetention(name string, hours int, increase bool) error {
	return s.change(name, func(info *StreamInfo) (*StreamInfo, error) {
		switch {
		case info.Status == StatusCreating || info.Status == StatusDeleting:
			return nil, streamNotFound(name, info.Account)
		case hours < kinesis.MinRetentionHours:
			return nil, retentionTooShort(hours)
		case hours > kinesis.MaxRetentionHours:
			return nil, retentionTooLong(hours)
		case increase && hours < info.RetentionHours:
			return nil, retentionNotIncreased(hours, name, info.RetentionHours)
		case !increase && hours > info.RetentionHours:
			return nil, retentionNotDecreased(hours, name, info.RetentionHours)
		}
		info.RetentionHours = hours
		return info, nil
	}, func(v *streamView) {
		for _, l := range v.shards {
			l.log.SetRetention(v.info.retention())
		}
	})
}

// StreamARN returns the ARN of a stream named name in this store's region and account.
func (s *Store) StreamARN(name string) string {
	return kinesis.StreamARN(s.opts.Region, s.opts.Account, name)
}
