package stream

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/shard"
)

// IteratorType is where GetShardIterator starts (ShardIteratorType).
type IteratorType string

// Iterator types.
const (
	AtSequenceNumber    IteratorType = "AT_SEQUENCE_NUMBER"    // at the record with that number, or the first after it
	AfterSequenceNumber IteratorType = "AFTER_SEQUENCE_NUMBER" // at the first record after that number
	TrimHorizon         IteratorType = "TRIM_HORIZON"          // at the oldest unexpired record
	Latest              IteratorType = "LATEST"                // after the newest record: only what comes next
	AtTimestamp         IteratorType = "AT_TIMESTAMP"          // at the first record that arrived at or after Timestamp
)

// GetShardIteratorRequest is the input of GetShardIterator.
type GetShardIteratorRequest struct {
	StreamName             string
	ShardID                string // lenient, as ParseShardID reads it
	Type                   IteratorType
	StartingSequenceNumber string    // AT_ and AFTER_SEQUENCE_NUMBER
	Timestamp              time.Time // AT_TIMESTAMP; zero when absent
	DryRun                 bool
	// Push marks the iterator of a SubscribeToShard: enhanced fan-out has quotas of its
	// own, so the Gate's GetShardIterator quota is not asked.
	Push bool
}

// GetShardIterator returns a shard iterator for a position in a shard, with the errors and
// messages of KINESIS-API.md §2.4 in kinesalite's order: the shard id, the stream and shard,
// the iterator type against the sequence number and timestamp, then the sequence number.
// A position before the trim horizon reads from the trim horizon; a number past the newest
// record waits for the records that will sort after it.
func (s *Store) GetShardIterator(req *GetShardIteratorRequest) (string, error) {
	index, err := kinesis.ParseShardID(req.ShardID)
	if err != nil {
		return "", couldNotFindShard(req.ShardID, req.StreamName, s.opts.Account)
	}
	_, v, err := s.observe(req.StreamName)
	if err != nil {
		return "", err
	}
	var sh *ShardInfo
	var l *shardLog
	if v != nil {
		sh, l = v.shard(index)
	}
	if sh == nil || v.info.expired(sh, s.nowMs()) {
		return "", shardNotFound(kinesis.ShardID(index), req.StreamName, s.opts.Account)
	}
	offset, err := s.position(req, v.info, sh, l)
	if errors.Is(err, shard.ErrClosed) { // the stream went meanwhile
		return "", shardNotFound(sh.ID, req.StreamName, s.opts.Account)
	}
	if err != nil {
		return "", err
	}
	if req.DryRun {
		return "", dryRunSucceeded()
	}
	if g := s.opts.Gate; g != nil && !req.Push {
		if typ := g.Iterator(gateShard(v.info, sh.ID)); typ != "" {
			return "", refusedBy(typ, sh.ID, v.info, false)
		}
	}
	return s.keys.Seal(Iterator{Stream: v.info.Name, Incarnation: v.info.Incarnation, ShardIndex: sh.Index,
		Offset: offset, IssuedMs: s.nowMs()}), nil
}

// position returns the offset an iterator request starts at.
func (s *Store) position(req *GetShardIteratorRequest, info *StreamInfo, sh *ShardInfo, l *shardLog) (uint64, error) {
	hasNumber := req.StartingSequenceNumber != ""
	switch req.Type {
	case AtSequenceNumber, AfterSequenceNumber:
		if !hasNumber {
			return 0, iteratorTypeNeedsSequenceNumber(string(req.Type), false)
		}
		n, err := s.parseStartingNumber(req.StartingSequenceNumber, info, sh)
		if err != nil {
			return 0, err
		}
		return seekNumber(l, n, req.Type == AfterSequenceNumber)
	case TrimHorizon, Latest:
		if hasNumber {
			return 0, iteratorTypeNeedsSequenceNumber(string(req.Type), true)
		}
		if req.Type == TrimHorizon {
			return l.log.FirstOffset(), nil
		}
		return l.log.NextOffset(), nil
	case AtTimestamp:
		if req.Timestamp.IsZero() {
			return 0, timestampMissing()
		}
		ts, now := unixMilli(req.Timestamp), s.nowMs()
		if ts > now {
			return 0, timestampInFuture(ts, now)
		}
		return l.log.OffsetAt(ts)
	}
	return 0, fmt.Errorf("stream: get shard iterator: unknown iterator type %q", req.Type)
}

// unixMilli returns t in ms since the Unix epoch, clamped to the range of an int64: a
// time.Time reaches far beyond it, and time.UnixMilli wraps around there, which would turn a
// time after every record into one before them.
func unixMilli(t time.Time) int64 {
	const maxSec = math.MaxInt64 / 1000
	switch sec := t.Unix(); {
	case sec >= maxSec:
		return math.MaxInt64
	case sec <= -maxSec:
		return math.MinInt64
	}
	return t.UnixMilli()
}

// seekNumber returns the offset of the first record whose sequence number is at least n
// (after: greater than n). Records sort by offset, then arrival second, so that is the
// record at n's counter, or the one after it if the record at the counter sorts before n
// (after: not after n). A number that is not a record's, such as the shard's
// StartingSequenceNumber, lands on the right record this way. If there is no record at the
// counter (not written yet, or expired), the position is the counter, or the one after it
// for AFTER_SEQUENCE_NUMBER, unless n's time is before the shard's creation, before which
// no record at any counter sorts (ContinuationSequenceNumber at a shard's start); reads
// start no earlier than the trim horizon.
func seekNumber(l *shardLog, n kinesis.SequenceNumber, after bool) (uint64, error) {
	var found bool
	var timeSec int64
	_, err := l.log.Read(n.Counter, 1, 0, func(r segment.Record) error {
		found = r.Offset == n.Counter
		timeSec = l.sequenceNumber(r.Offset, r.TimeMs).TimeSec
		return nil
	})
	if err != nil {
		return 0, err
	}
	switch {
	case !found && after && n.TimeSec >= l.createdSec, found && after && timeSec <= n.TimeSec,
		found && !after && timeSec < n.TimeSec:
		return n.Counter + 1, nil
	}
	return n.Counter, nil
}

// parseStartingNumber parses a StartingSequenceNumber for shard sh: it must parse, name the
// shard, and carry the shard's creation time in the layout shardlog writes.
func (s *Store) parseStartingNumber(number string, info *StreamInfo, sh *ShardInfo) (kinesis.SequenceNumber, error) {
	id, account := sh.ID, s.opts.Account
	n, err := kinesis.ParseSequenceNumber(number)
	var legacy *kinesis.LegacySequenceNumberError
	switch {
	case errors.As(err, &legacy):
		if int(legacy.ShardIndex) != sh.Index {
			return n, sequenceNumberForOtherShard(kinesis.ShardID(int(legacy.ShardIndex)), id)
		}
		return n, sequenceNumberNotFromStream(legacy.Canonical, id, info.Name, account)
	case err != nil:
		return n, invalidStartingSequenceNumber(number, id, info.Name, account)
	case int(n.ShardIndex) != sh.Index:
		return n, sequenceNumberForOtherShard(kinesis.ShardID(int(n.ShardIndex)), id)
	case n.ShardCreatedSec != sh.CreatedSec:
		return n, sequenceNumberNotFromStream(number, id, info.Name, account)
	}
	return n, nil
}

// RecordSink receives the records of one GetRecords call, in order, while their bytes are
// valid: they may be memory-mapped storage, so the sink copies or encodes what it keeps
// before it returns. sequenceNumber is the decimal text; arrivalMs is ms since the Unix
// epoch. An error from the sink ends GetRecords with that error.
//
// A sink that also has a SetEncryptionType(string) method is told, before the first record,
// the EncryptionType its records carry: "KMS" for a stream encrypted with
// StartStreamEncryption, as AWS marks the records of such a stream.
type RecordSink interface {
	Record(sequenceNumber []byte, arrivalMs int64, partitionKey, data []byte) error
}

// encryptionSink is a RecordSink that wants to know the records' EncryptionType.
type encryptionSink interface {
	SetEncryptionType(t string)
}

// GetRecordsRequest is the input of GetRecords.
type GetRecordsRequest struct {
	ShardIterator string
	Limit         int // 0 for kinesis.MaxGetRecords
	// StreamARN, if set, must be the ARN of the stream the iterator reads.
	StreamARN string
	DryRun    bool
	// Push marks the reads of a SubscribeToShard: enhanced fan-out has quotas of its own,
	// not the shard's polling quota, so the Gate is not asked.
	Push bool
	// MaxBytes, if set, lowers the most data and partition keys read below
	// kinesis.MaxGetRecordsBytes (the first record always goes): what a PushMeter allows.
	MaxBytes int
}

// GetRecordsResult is what GetRecords returns besides the records.
type GetRecordsResult struct {
	// NextShardIterator continues after the last record delivered (or where the iterator
	// was, if none was). It is empty once the reader has passed the end of a closed shard.
	NextShardIterator string
	// MillisBehindLatest is how far the last record delivered is behind the shard's newest
	// record; 0 when the reader is at the tip.
	MillisBehindLatest int64
	// ChildShards are the children of a closed shard whose end the reader has reached.
	ChildShards []ShardInfo

	// Stream and ShardID name the shard the iterator read; they are also set beside an
	// error once the iterator has been opened, so that a refusal can be counted per stream.
	Stream  string
	ShardID string
	Records int // records delivered
	Bytes   int // their data and partition keys
}

// GetRecords delivers the records at a shard iterator's position to sink, at most
// req.Limit of them and at most MaxGetRecordsBytes of data and partition keys (the first
// record always goes, however large), and returns a fresh iterator for what follows: a
// position never moves backwards and no record is delivered twice along a chain of
// iterators. An iterator that was not issued by this store is invalidShardIterator, an old
// one expiredIterator, and one of a stream that is gone, or was deleted and created again,
// shardNotFound.
func (s *Store) GetRecords(req *GetRecordsRequest, sink RecordSink) (GetRecordsResult, error) {
	if s.closed.Load() {
		return GetRecordsResult{}, ErrClosed
	}
	now := s.nowMs()
	it, err := s.keys.Open(req.ShardIterator, now)
	if err != nil {
		return GetRecordsResult{}, err
	}
	v, sh, l, err := s.iteratorShard(it)
	if err != nil {
		return GetRecordsResult{}, err
	}
	if req.StreamARN != "" && req.StreamARN != v.info.ARN() {
		return GetRecordsResult{}, iteratorOfOtherStream(req.StreamARN, v.info.ARN())
	}
	if req.DryRun {
		return GetRecordsResult{}, dryRunSucceeded()
	}
	limit := req.Limit
	if limit <= 0 || limit > kinesis.MaxGetRecords {
		limit = kinesis.MaxGetRecords
	}
	g := s.opts.Gate
	if req.Push {
		g = nil
	}
	if g != nil {
		if typ := g.Read(gateShard(v.info, sh.ID)); typ != "" {
			return GetRecordsResult{Stream: it.Stream, ShardID: sh.ID}, refusedBy(typ, sh.ID, v.info, true)
		}
	}
	if es, ok := sink.(encryptionSink); ok && v.info.Encryption == EncryptionKMS {
		es.SetEncryptionType(string(EncryptionKMS))
	}
	d := delivery{sink: sink, shard: l}
	maxBytes := kinesis.MaxGetRecordsBytes
	if req.MaxBytes > 0 {
		maxBytes = min(maxBytes, req.MaxBytes)
	}
	next, err := l.log.Read(it.Offset, limit, maxBytes, d.deliver)
	if g != nil {
		g.ReadDone(gateShard(v.info, sh.ID), d.bytes)
	}
	switch {
	case errors.Is(err, shard.ErrClosed):
		return GetRecordsResult{}, shardNotFound(sh.ID, it.Stream, s.opts.Account)
	case err != nil && (d.err != nil || d.n == 0):
		return GetRecordsResult{}, s.readFailed(sh.ID, it.Stream, err)
	case err != nil:
		// The records before the damage are good: they go out, and the next iterator points
		// at the batch that failed, so that the next call reports it.
		s.errLog.Error("stream: read stopped at damage", "stream", it.Stream, "shard", sh.ID,
			"offset", next, "records", d.n, "error", err)
	}
	return s.readResult(v, sh, l, it, next, &d), nil
}

// readFailed is the error of a GetRecords whose read failed before it delivered a record: a
// sink's own error as it is, damage on disk as an InternalFailure that names the shard and
// the position.
func (s *Store) readFailed(shardID, streamName string, err error) error {
	var ce *segment.CorruptionError
	var quarantined *DamagedShardError
	if errors.As(err, &quarantined) || !errors.As(err, &ce) {
		return err
	}
	s.errLog.Error("stream: read failed at damage", "stream", streamName, "shard", shardID, "error", err)
	return corruptRecords(shardID, streamName, s.opts.Account, ce)
}

// iteratorShard returns the shard an iterator reads, if its stream incarnation still has it.
func (s *Store) iteratorShard(it Iterator) (*streamView, *ShardInfo, *shardLog, error) {
	_, v, err := s.observe(it.Stream)
	if err != nil {
		return nil, nil, nil, err
	}
	if v != nil && v.info.Incarnation == it.Incarnation {
		if sh, l := v.shard(it.ShardIndex); sh != nil && !v.info.expired(sh, s.nowMs()) {
			return v, sh, l, nil
		}
	}
	return nil, nil, nil, shardNotFound(kinesis.ShardID(it.ShardIndex), it.Stream, s.opts.Account)
}

// readResult builds GetRecords' result once the records up to next have been delivered.
func (s *Store) readResult(v *streamView, sh *ShardInfo, l *shardLog, it Iterator, next uint64, d *delivery) GetRecordsResult {
	r := GetRecordsResult{Stream: it.Stream, ShardID: sh.ID, Records: d.n, Bytes: d.bytes}
	if tip := l.log.NextOffset(); next < tip && d.n > 0 {
		r.MillisBehindLatest = max(0, l.log.LastTimeMs()-d.lastMs)
	}
	if sh.Closed && next >= sh.EndOffset {
		r.ChildShards = children(v.info, sh)
		return r
	}
	it.Offset, it.IssuedMs = next, s.nowMs()
	r.NextShardIterator = s.keys.Seal(it)
	return r
}

// delivery hands the records of one GetRecords to its sink, rendering each sequence number
// into buffers it reuses. Records of a shard that arrived in the same second have numbers
// one counter step apart, so a number that follows the one before is rendered from that
// one's digits (kinesis.AppendNextDecimal), several times cheaper than from binary; the two
// buffers take turns, since the digits before are read while the next are written.
type delivery struct {
	sink    RecordSink
	shard   *shardLog
	seq     [2][64]byte
	seqLen  int                    // length of the last number, in seq[turn]
	turn    int                    // the buffer that holds the last number
	lastSeq kinesis.SequenceNumber // the last number delivered, when n > 0
	n       int                    // records delivered
	bytes   int                    // their data and partition keys
	lastMs  int64                  // arrival time of the last one
	err     error                  // the sink's error, which ends the read
}

// sequenceNumber renders the number of r into the buffer not holding the last one.
func (d *delivery) sequenceNumber(r *segment.Record) []byte {
	n, next := d.shard.sequenceNumber(r.Offset, r.TimeMs), 1-d.turn
	var seq []byte
	if d.n > 0 && n.Follows(d.lastSeq) {
		seq = kinesis.AppendNextDecimal(d.seq[next][:0], d.seq[d.turn][:d.seqLen])
	} else {
		seq = n.AppendDecimal(d.seq[next][:0])
	}
	d.lastSeq, d.turn, d.seqLen = n, next, len(seq)
	return seq
}

func (d *delivery) deliver(r segment.Record) error {
	seq := d.sequenceNumber(&r)
	if err := d.sink.Record(seq, r.TimeMs, r.PartitionKey, r.Data); err != nil {
		d.err = err
		return err
	}
	d.n++
	d.bytes += len(r.PartitionKey) + len(r.Data)
	d.lastMs = r.TimeMs
	return nil
}
