package streambackend

import (
	"context"
	"slices"
	"sync"
	"time"
	"unsafe"

	"github.com/shardlog/shardlog/internal/metrics"
	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/stream"
)

// New returns the Backend that carries out every operation on s, which must stay open
// while the Backend is in use.
func New(s *stream.Store) server.Backend {
	return &backend{store: s}
}

type backend struct {
	store  *stream.Store
	counts *metrics.Scope // nil unless counting (metrics.go)
	subs   subscriptions  // SubscribeToShard's, for the takeover rule
	// pushWait waits d for a subscription's push meter (subscribe.go); nil: a timer. Tests
	// set it to see and release the waits of a meter on a fake clock.
	pushWait func(ctx context.Context, d time.Duration) error
}

func (b *backend) CreateStream(_ context.Context, in *server.CreateStreamInput) (*server.CreateStreamOutput, error) {
	cfg := stream.StreamConfig{Tags: in.Tags}
	if in.ShardCount != nil {
		cfg.ShardCount = int(*in.ShardCount)
	}
	if in.StreamModeDetails != nil {
		cfg.Mode = stream.StreamMode(in.StreamModeDetails.StreamMode)
	}
	if in.MaxRecordSizeInKiB != nil {
		cfg.MaxRecordSizeKiB = int(*in.MaxRecordSizeInKiB)
	}
	cfg.RecordDistribution = stream.RecordDistributionStrategy(in.RecordDistributionStrategy)
	if in.WarmThroughputMiBps != nil {
		mibps := int(*in.WarmThroughputMiBps)
		cfg.WarmThroughputMiBps = &mibps
	}
	if err := b.store.CreateStream(in.StreamName, cfg); err != nil {
		return nil, err
	}
	return &server.CreateStreamOutput{}, nil
}

func (b *backend) DeleteStream(_ context.Context, in *server.DeleteStreamInput) (*server.DeleteStreamOutput, error) {
	deleteStream := b.store.DeleteStreamWithoutConsumers
	if in.EnforceConsumerDeletion {
		deleteStream = b.store.DeleteStream
	}
	if err := deleteStream(in.StreamName); err != nil {
		return nil, err
	}
	b.forget(in.StreamName)
	return &server.DeleteStreamOutput{}, nil
}

func (b *backend) DescribeStream(_ context.Context, in *server.DescribeStreamInput) (*server.DescribeStreamOutput, error) {
	info, more, err := b.store.DescribeStream(in.StreamName, int(deref(in.Limit)), in.ExclusiveStartShardId)
	if err != nil {
		return nil, err
	}
	return &server.DescribeStreamOutput{StreamDescription: server.StreamDescription{
		StreamName:              info.Name,
		StreamARN:               info.ARN(),
		StreamStatus:            string(info.Status),
		StreamModeDetails:       &server.StreamModeDetails{StreamMode: string(info.Mode)},
		Shards:                  shardsOut(info.Shards),
		HasMoreShards:           more,
		RetentionPeriodHours:    int32(info.RetentionHours),
		StreamCreationTimestamp: time.UnixMilli(info.CreatedMs),
		EnhancedMonitoring:      enhancedMonitoring(info),
		EncryptionType:          string(info.Encryption),
		KeyId:                   info.KeyID,
	}}, nil
}

func (b *backend) DescribeStreamSummary(_ context.Context, in *server.DescribeStreamSummaryInput) (*server.DescribeStreamSummaryOutput, error) {
	info, err := b.store.DescribeStreamSummary(in.StreamName)
	if err != nil {
		return nil, err
	}
	consumers, size := int32(len(info.Consumers)), int32(info.MaxRecordSizeKiB)
	out := &server.DescribeStreamSummaryOutput{StreamDescriptionSummary: server.StreamDescriptionSummary{
		StreamName:              info.Name,
		StreamARN:               info.ARN(),
		StreamStatus:            string(info.Status),
		StreamModeDetails:       &server.StreamModeDetails{StreamMode: string(info.Mode)},
		RetentionPeriodHours:    int32(info.RetentionHours),
		StreamCreationTimestamp: time.UnixMilli(info.CreatedMs),
		EnhancedMonitoring:      enhancedMonitoring(info),
		EncryptionType:          string(info.Encryption),
		KeyId:                   info.KeyID,
		OpenShardCount:          int32(info.OpenShardCount()),
		ConsumerCount:           &consumers,
		MaxRecordSizeInKiB:      &size,
	}}
	b.onDemandSettings(&out.StreamDescriptionSummary, &info)
	return out, nil
}

func (b *backend) ListStreams(_ context.Context, in *server.ListStreamsInput) (*server.ListStreamsOutput, error) {
	infos, next, err := b.store.ListStreams(int(deref(in.Limit)), in.ExclusiveStartStreamName, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &server.ListStreamsOutput{
		StreamNames:     make([]string, len(infos)),
		HasMoreStreams:  next != "",
		NextToken:       next,
		StreamSummaries: make([]server.StreamSummary, len(infos)),
	}
	for i := range infos {
		info := &infos[i]
		out.StreamNames[i] = info.Name
		out.StreamSummaries[i] = server.StreamSummary{
			StreamName:              info.Name,
			StreamARN:               info.ARN(),
			StreamStatus:            string(info.Status),
			StreamModeDetails:       &server.StreamModeDetails{StreamMode: string(info.Mode)},
			StreamCreationTimestamp: time.UnixMilli(info.CreatedMs),
		}
	}
	return out, nil
}

func (b *backend) ListShards(_ context.Context, in *server.ListShardsInput) (*server.ListShardsOutput, error) {
	req := stream.ListShardsRequest{
		StreamName:            in.StreamName,
		NextToken:             in.NextToken,
		ExclusiveStartShardID: in.ExclusiveStartShardId,
		MaxResults:            int(deref(in.MaxResults)),
	}
	if in.StreamCreationTimestamp != nil {
		req.StreamCreationTimestamp = *in.StreamCreationTimestamp
	}
	if f := in.ShardFilter; f != nil {
		req.Filter = &stream.ShardFilter{Type: stream.ShardFilterType(f.Type), ShardID: f.ShardId}
		if f.Timestamp != nil {
			req.Filter.Timestamp = *f.Timestamp
		}
	}
	shards, next, err := b.store.ListShards(req)
	if err != nil {
		return nil, err
	}
	return &server.ListShardsOutput{Shards: shardsOut(shards), NextToken: next}, nil
}

// putRecordsScratch is the reused state of one PutRecords call.
type putRecordsScratch struct {
	req     stream.PutRecordsRequest
	results []stream.PutResult
	ends    []int // ends[i]: where result i's number ends in the answer's seqs
	last    []lastNumber
	evict   int // the entry of last that a new shard replaces once last is full
}

// lastNumber is the last sequence number rendered for a shard, and where its digits are in
// putRecordsAnswer.seqs.
type lastNumber struct {
	n          kinesis.SequenceNumber
	start, end int
}

// maxLastNumbers bounds the shards whose last number an answer keeps, so that finding one
// stays a short scan however many shards a request writes to.
const maxLastNumbers = 16

var putRecordsPool = sync.Pool{New: func() any { return new(putRecordsScratch) }}

func (b *backend) PutRecords(_ context.Context, in *server.PutRecordsInput) (*server.PutRecordsOutput, error) {
	if b.counts != nil {
		return b.countPutRecords(in, false)
	}
	return b.putRecords(in, false, nil)
}

// PutRecordsBase64 is PutRecords with each record's Data as its base64 text
// (server.Base64Putter): the store decodes it straight into the batch it writes.
func (b *backend) PutRecordsBase64(_ context.Context, in *server.PutRecordsInput) (*server.PutRecordsOutput, error) {
	if b.counts != nil {
		return b.countPutRecords(in, true)
	}
	return b.putRecords(in, true, nil)
}

var _ server.Base64Putter = (*backend)(nil)

// putRecords puts the records of in, whose Data is base64 text when base64 is set;
// throttled, if not nil, is told the shard that refused each record refused with
// ProvisionedThroughputExceededException (the answer does not say).
func (b *backend) putRecords(in *server.PutRecordsInput, base64 bool, throttled func(shardID string)) (*server.PutRecordsOutput, error) {
	sc := putRecordsPool.Get().(*putRecordsScratch)
	defer func() {
		clear(sc.req.Records)
		clear(sc.req.HashKeys)
		sc.req.Records, sc.req.HashKeys = sc.req.Records[:0], sc.req.HashKeys[:0]
		putRecordsPool.Put(sc)
	}()
	sc.req.StreamName, sc.req.DryRun, sc.req.Base64 = in.StreamName, in.DryRun, base64
	for i := range in.Records {
		r := &in.Records[i]
		sc.req.Records = append(sc.req.Records, segment.Record{PartitionKey: bytesOf(r.PartitionKey), Data: r.Data})
		sc.req.HashKeys = append(sc.req.HashKeys, r.ExplicitHashKey)
	}
	results, err := b.store.PutRecords(&sc.req, sc.results)
	sc.results = results[:0]
	if err != nil {
		return nil, err
	}
	if throttled != nil {
		for i := range results {
			if results[i].ErrorCode == kinesis.TypeProvisionedThroughputExceeded {
				throttled(results[i].ShardID)
			}
		}
	}
	out := putRecordsOutput(results, sc)
	out.EncryptionType = encryptionType(sc.req.Encryption)
	return out, nil
}

// bytesOf returns the bytes of s without copying them, for the partition keys of PutRecords,
// which the stream only hashes and copies into segments.
func bytesOf(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// putRecordsAnswer is a PutRecords answer with the memory its sequence numbers are in. The
// server hands it back once rendered (server.PutRecordsOutput.Release) and a later answer
// reuses both, so that a request leaves no garbage the size of its answer behind.
type putRecordsAnswer struct {
	out     server.PutRecordsOutput
	seqs    []byte // the sequence numbers, one after the other; the Records' strings alias it
	release func() // a.put, made once
	inUse   bool
}

// maxPooledAnswer bounds the sequence-number bytes a pooled answer keeps (500 records need
// 28 KB).
const maxPooledAnswer = 64 << 10

var answerPool sync.Pool

func getAnswer() *putRecordsAnswer {
	a, _ := answerPool.Get().(*putRecordsAnswer)
	if a == nil {
		a = new(putRecordsAnswer)
		a.release = a.put
	}
	a.inUse = true
	a.out = server.PutRecordsOutput{Records: a.out.Records[:0], Release: a.release}
	return a
}

// put takes the answer back once the server has rendered it; a second call does nothing.
func (a *putRecordsAnswer) put() {
	if !a.inUse {
		return
	}
	a.inUse = false
	if cap(a.seqs) > maxPooledAnswer {
		return
	}
	clear(a.out.Records)
	answerPool.Put(a)
}

// putRecordsOutput renders the results, with all sequence numbers in one string that each
// record's member slices, in an answer from answerPool.
func putRecordsOutput(results []stream.PutResult, sc *putRecordsScratch) *server.PutRecordsOutput {
	a := getAnswer()
	out := &a.out
	out.Records = slices.Grow(out.Records[:0], len(results))[:len(results)]
	seqs, ends := a.seqs[:0], sc.ends[:0]
	sc.last, sc.evict = sc.last[:0], 0
	for i := range results {
		if results[i].ErrorCode == "" {
			seqs = sc.appendSequenceNumber(seqs, results[i].SequenceNumber)
		}
		ends = append(ends, len(seqs))
	}
	a.seqs, sc.ends = seqs, ends
	all, start := unsafe.String(unsafe.SliceData(seqs), len(seqs)), 0
	for i := range results {
		r, o := &results[i], &out.Records[i]
		if r.ErrorCode != "" {
			*o = server.PutRecordsResultEntry{ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage}
			out.FailedRecordCount++
		} else {
			*o = server.PutRecordsResultEntry{SequenceNumber: all[start:ends[i]], ShardId: r.ShardID}
		}
		start = ends[i]
	}
	return out
}

// appendSequenceNumber appends n in decimal to seqs. The records of one shard in one
// request have consecutive numbers, so n usually follows the last number rendered for its
// shard, and is then rendered from that one's digits (kinesis.AppendNextDecimal), which is
// several times cheaper than rendering from binary.
func (sc *putRecordsScratch) appendSequenceNumber(seqs []byte, n kinesis.SequenceNumber) []byte {
	start := len(seqs)
	for k := range sc.last {
		if l := &sc.last[k]; n.Follows(l.n) {
			seqs = kinesis.AppendNextDecimal(seqs, seqs[l.start:l.end])
			*l = lastNumber{n: n, start: start, end: len(seqs)}
			return seqs
		}
	}
	seqs = n.AppendDecimal(seqs)
	l := lastNumber{n: n, start: start, end: len(seqs)}
	if len(sc.last) < maxLastNumbers {
		sc.last = append(sc.last, l)
	} else {
		sc.last[sc.evict] = l
		sc.evict = (sc.evict + 1) % maxLastNumbers
	}
	return seqs
}

func (b *backend) PutRecord(_ context.Context, in *server.PutRecordInput) (*server.PutRecordOutput, error) {
	if b.counts != nil {
		return b.countPutRecord(in)
	}
	out, _, err := b.putRecord(in)
	return out, err
}

// putRecord puts the record of in; shardID is the shard that took it, or that refused it
// (for the metrics: the error answer does not name it), if one did.
func (b *backend) putRecord(in *server.PutRecordInput) (out *server.PutRecordOutput, shardID string, err error) {
	req := stream.PutRecordRequest{
		StreamName:                in.StreamName,
		Entry:                     stream.PutEntry{PartitionKey: in.PartitionKey, ExplicitHashKey: in.ExplicitHashKey, Data: in.Data},
		SequenceNumberForOrdering: in.SequenceNumberForOrdering,
		DryRun:                    in.DryRun,
	}
	r, err := b.store.PutRecord(&req)
	if err != nil {
		return nil, r.ShardID, err
	}
	return &server.PutRecordOutput{ShardId: r.ShardID, SequenceNumber: r.SequenceNumber.String(),
		EncryptionType: encryptionType(req.Encryption)}, r.ShardID, nil
}

func (b *backend) GetShardIterator(_ context.Context, in *server.GetShardIteratorInput) (*server.GetShardIteratorOutput, error) {
	req := stream.GetShardIteratorRequest{
		StreamName:             in.StreamName,
		ShardID:                in.ShardId,
		Type:                   stream.IteratorType(in.ShardIteratorType),
		StartingSequenceNumber: in.StartingSequenceNumber,
		DryRun:                 in.DryRun,
	}
	if in.Timestamp != nil {
		req.Timestamp = *in.Timestamp
	}
	it, err := b.store.GetShardIterator(&req)
	if err != nil {
		return nil, err
	}
	return &server.GetShardIteratorOutput{ShardIterator: it}, nil
}

// GetRecords passes the sink on: stream.RecordSink and server.RecordSink have the same method, so
// records go from the shard's read to the response encoder with nothing in between.
func (b *backend) GetRecords(_ context.Context, in *server.GetRecordsInput, sink server.RecordSink) (*server.GetRecordsOutput, error) {
	if b.counts != nil {
		return b.countGetRecords(in, sink)
	}
	out, _, err := b.getRecords(in, sink)
	return out, err
}

func (b *backend) getRecords(in *server.GetRecordsInput, sink server.RecordSink) (*server.GetRecordsOutput, stream.GetRecordsResult, error) {
	res, err := b.store.GetRecords(&stream.GetRecordsRequest{ShardIterator: in.ShardIterator, Limit: int(deref(in.Limit)),
		StreamARN: in.StreamARN, DryRun: in.DryRun}, sink)
	if err != nil {
		return nil, res, err
	}
	return &server.GetRecordsOutput{NextShardIterator: res.NextShardIterator, MillisBehindLatest: res.MillisBehindLatest,
		ChildShards: childShardsOut(res.ChildShards)}, res, nil
}

func (b *backend) IncreaseStreamRetentionPeriod(_ context.Context, in *server.IncreaseStreamRetentionPeriodInput) (*server.IncreaseStreamRetentionPeriodOutput, error) {
	if err := b.store.IncreaseStreamRetentionPeriod(in.StreamName, int(in.RetentionPeriodHours)); err != nil {
		return nil, err
	}
	return &server.IncreaseStreamRetentionPeriodOutput{}, nil
}

func (b *backend) DecreaseStreamRetentionPeriod(_ context.Context, in *server.DecreaseStreamRetentionPeriodInput) (*server.DecreaseStreamRetentionPeriodOutput, error) {
	if err := b.store.DecreaseStreamRetentionPeriod(in.StreamName, int(in.RetentionPeriodHours)); err != nil {
		return nil, err
	}
	return &server.DecreaseStreamRetentionPeriodOutput{}, nil
}

func (b *backend) AddTagsToStream(_ context.Context, in *server.AddTagsToStreamInput) (*server.AddTagsToStreamOutput, error) {
	if err := b.store.AddTagsToStream(in.StreamName, in.Tags); err != nil {
		return nil, err
	}
	return &server.AddTagsToStreamOutput{}, nil
}

func (b *backend) RemoveTagsFromStream(_ context.Context, in *server.RemoveTagsFromStreamInput) (*server.RemoveTagsFromStreamOutput, error) {
	if err := b.store.RemoveTagsFromStream(in.StreamName, in.TagKeys); err != nil {
		return nil, err
	}
	return &server.RemoveTagsFromStreamOutput{}, nil
}

func (b *backend) ListTagsForStream(_ context.Context, in *server.ListTagsForStreamInput) (*server.ListTagsForStreamOutput, error) {
	tags, more, err := b.store.ListTagsForStream(in.StreamName, in.ExclusiveStartTagKey, int(deref(in.Limit)))
	if err != nil {
		return nil, err
	}
	return &server.ListTagsForStreamOutput{Tags: tagsOut(tags), HasMoreTags: more}, nil
}

func (b *backend) TagResource(_ context.Context, in *server.TagResourceInput) (*server.TagResourceOutput, error) {
	if err := b.store.TagResource(in.ResourceARN, in.Tags); err != nil {
		return nil, err
	}
	return &server.TagResourceOutput{}, nil
}

func (b *backend) UntagResource(_ context.Context, in *server.UntagResourceInput) (*server.UntagResourceOutput, error) {
	if err := b.store.UntagResource(in.ResourceARN, in.TagKeys); err != nil {
		return nil, err
	}
	return &server.UntagResourceOutput{}, nil
}

func (b *backend) ListTagsForResource(_ context.Context, in *server.ListTagsForResourceInput) (*server.ListTagsForResourceOutput, error) {
	tags, err := b.store.ListTagsForResource(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	return &server.ListTagsForResourceOutput{Tags: tagsOut(tags)}, nil
}

func (b *backend) DescribeLimits(context.Context, *server.DescribeLimitsInput) (*server.DescribeLimitsOutput, error) {
	l, err := b.store.DescribeLimits()
	if err != nil {
		return nil, err
	}
	return &server.DescribeLimitsOutput{
		ShardLimit:               int32(l.ShardLimit),
		OpenShardCount:           int32(l.OpenShardCount),
		OnDemandStreamCount:      int32(l.OnDemandStreamCount),
		OnDemandStreamCountLimit: int32(l.OnDemandStreamCountLimit),
	}, nil
}

func (b *backend) SplitShard(_ context.Context, in *server.SplitShardInput) (*server.SplitShardOutput, error) {
	if err := b.store.SplitShard(in.StreamName, in.ShardToSplit, in.NewStartingHashKey); err != nil {
		return nil, err
	}
	return &server.SplitShardOutput{}, nil
}

func (b *backend) MergeShards(_ context.Context, in *server.MergeShardsInput) (*server.MergeShardsOutput, error) {
	if err := b.store.MergeShards(in.StreamName, in.ShardToMerge, in.AdjacentShardToMerge); err != nil {
		return nil, err
	}
	return &server.MergeShardsOutput{}, nil
}

func (b *backend) UpdateShardCount(_ context.Context, in *server.UpdateShardCountInput) (*server.UpdateShardCountOutput, error) {
	current, err := b.store.UpdateShardCount(in.StreamName, int(in.TargetShardCount))
	if err != nil {
		return nil, err
	}
	return &server.UpdateShardCountOutput{
		StreamName:        in.StreamName,
		CurrentShardCount: int32(current),
		TargetShardCount:  in.TargetShardCount,
		StreamARN:         b.store.StreamARN(in.StreamName),
	}, nil
}

// Conversions.

func deref(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}

func hashKeyRange(r kinesis.HashKeyRange) server.HashKeyRange {
	return server.HashKeyRange{StartingHashKey: r.Start.String(), EndingHashKey: r.End.String()}
}

func shardsOut(shards []stream.ShardInfo) []server.Shard {
	out := make([]server.Shard, len(shards))
	for i := range shards {
		sh := &shards[i]
		out[i] = server.Shard{
			ShardId:               sh.ID,
			ParentShardId:         sh.ParentID,
			AdjacentParentShardId: sh.AdjacentParentID,
			HashKeyRange:          hashKeyRange(sh.HashKeyRange),
			SequenceNumberRange:   server.SequenceNumberRange{StartingSequenceNumber: sh.StartingSequenceNumber().String()},
		}
		if end, ok := sh.EndingSequenceNumber(); ok {
			out[i].SequenceNumberRange.EndingSequenceNumber = end.String()
		}
	}
	return out
}

func enhancedMonitoring(info stream.StreamInfo) []server.EnhancedMetrics {
	metrics := info.ShardLevelMetrics
	if metrics == nil {
		metrics = []string{}
	}
	return []server.EnhancedMetrics{{ShardLevelMetrics: metrics}}
}

func tagsOut(tags []stream.Tag) []server.Tag {
	out := make([]server.Tag, len(tags))
	for i, t := range tags {
		out[i] = server.Tag{Key: t.Key, Value: t.Value}
	}
	return out
}
