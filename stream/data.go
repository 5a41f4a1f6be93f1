package stream

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"syscall"
	"unsafe"

	"github.com/shardlog/shardlog/internal/b64"
	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/shard"
)

// PutEntry is one record to write: its partition key, its ExplicitHashKey if it has one,
// and its data. The data is only read during the call.
type PutEntry struct {
	PartitionKey    string
	ExplicitHashKey string // decimal; "" when absent
	Data            []byte
}

// PutResult is what became of one PutEntry: the shard and sequence number it got, or, if
// it failed, the ErrorCode and ErrorMessage that PutRecords reports for it.
type PutResult struct {
	ShardID        string // "" when the record failed, but for the shard that refused it (Gate)
	SequenceNumber kinesis.SequenceNumber
	ErrorCode      string
	ErrorMessage   string
	err            error // why the record failed
}

// Per-record failures of PutRecords.
const internalFailureMessage = "Internal Service Failure"

// PutRecordsRequest is the input of PutRecords. The entries come either as Entries or, in
// the form the shards append, as Records (PartitionKey and Data; Offset and TimeMs are
// ignored) with HashKeys[i] the ExplicitHashKey of Records[i] ("" when absent; HashKeys may
// be nil when no record has one). A request with Records set ignores Entries. Records are
// only read during the call; those that all go to one shard are appended as given, and
// records for several shards are grouped per shard by copying their headers, never their
// bytes.
type PutRecordsRequest struct {
	StreamName string
	Entries    []PutEntry
	Records    []segment.Record
	HashKeys   []string
	DryRun     bool // check everything, write nothing, and answer dryRunSucceeded

	// Base64, when set, says that the Data of each record (Records or Entries) is its data
	// as standard base64 text, as a Kinesis request carries it. Each record is then decoded
	// straight into the batch of its shard, so that its bytes are written once; the limits
	// apply to the decoded sizes. If a record's text is not the canonical base64 of some
	// bytes (the length a multiple of 4, no line breaks, zero padding bits), the request
	// fails with ErrBadBase64 and nothing of it is written.
	Base64 bool

	// Encryption is set by PutRecords: the encryption of the stream as it wrote, for the
	// answer's EncryptionType.
	Encryption EncryptionType
}

// PutRecordRequest is the input of PutRecord.
type PutRecordRequest struct {
	StreamName                string
	Entry                     PutEntry
	SequenceNumberForOrdering string // checked, not needed: each shard orders its records
	DryRun                    bool

	// Encryption is set by PutRecord: the encryption of the stream as it wrote, for the
	// answer's EncryptionType.
	Encryption EncryptionType
}

// PutRecords writes records to a stream: each goes to the open shard whose hash key range
// holds its ExplicitHashKey, or the MD5 of its partition key. The records of one shard are
// appended as one batch in request order, so their sequence numbers increase in that order;
// batches to different shards are appended in parallel. It returns once every batch is
// durable under the shards' sync policy, with one result per entry appended to results[:0].
//
// A stream that does not exist, or is CREATING or DELETING, is streamNotFound, and an
// invalid ExplicitHashKey anywhere fails the whole request. A shard that fails to append
// fails only its own records, with ErrorCode InternalFailure, as on AWS: nothing of them is
// stored, and the client sends them again. On a full disk their ErrorMessage says so
// (diskFull); otherwise it is AWS's "Internal Service Failure".
func (s *Store) PutRecords(req *PutRecordsRequest, results []PutResult) ([]PutResult, error) {
	e, v, err := s.writableView(req.StreamName)
	if err != nil {
		return results, err
	}
	req.Encryption = v.info.Encryption
	b := batches.Get().(*batcher)
	defer b.release()
	in := putInput{recs: req.Records, hashKeys: req.HashKeys}
	if req.Records == nil {
		in = b.fromEntries(req.Entries)
	}
	in.base64 = req.Base64
	if err := checkRecordSizes(v.info, in, false); err != nil {
		return results, err
	}
	if err := b.route(v, in); err != nil {
		return results, err
	}
	if in.base64 && (req.DryRun || s.opts.Gate != nil) {
		// Checked before the Gate counts the records: put decodes only those it writes.
		if err := checkBase64(in); err != nil {
			return results, err
		}
	}
	if req.DryRun {
		return results, dryRunSucceeded()
	}
	if len(in.recs) == 0 {
		return results[:0], nil
	}
	if s.opts.Gate != nil {
		return s.putGated(e, v, b, in, results[:0])
	}
	return s.put(e, v, b, in, results[:0])
}

// putInput is the entries of one PutRecords as the shards append them: recs, and the
// ExplicitHashKey of each (hashKeys may be nil or short: a missing one is absent). With
// base64, each record's Data is base64 text (PutRecordsRequest.Base64).
type putInput struct {
	recs     []segment.Record
	hashKeys []string
	base64   bool
}

// dataLen returns the length of the data of record i.
func (in putInput) dataLen(i int) int {
	if in.base64 {
		return b64.Len(in.recs[i].Data)
	}
	return len(in.recs[i].Data)
}

// checkBase64 checks that the data of every record of in, which is base64 text, decodes.
func checkBase64(in putInput) error {
	var buf []byte
	for i := range in.recs {
		n := b64.Len(in.recs[i].Data)
		buf = slices.Grow(buf[:0], n)[:n]
		if !b64.Decode(buf, in.recs[i].Data) {
			return badBase64(i)
		}
	}
	return nil
}

// badBase64 is the error of a request whose record i is not base64 text.
func badBase64(i int) error {
	return fmt.Errorf("%w: record %d", ErrBadBase64, i)
}

func (in putInput) hashKey(i int) string {
	if i >= len(in.hashKeys) {
		return ""
	}
	return in.hashKeys[i]
}

// pick returns the entries at indexes, in that order.
func (in putInput) pick(indexes []int) putInput {
	out := putInput{recs: make([]segment.Record, len(indexes)), hashKeys: make([]string, len(indexes)), base64: in.base64}
	for k, i := range indexes {
		out.recs[k], out.hashKeys[k] = in.recs[i], in.hashKey(i)
	}
	return out
}

// fromEntries converts entries into the batcher's own putInput.
func (b *batcher) fromEntries(entries []PutEntry) putInput {
	for i := range entries {
		e := &entries[i]
		b.inRecs = append(b.inRecs, segment.Record{PartitionKey: bytesOf(e.PartitionKey), Data: e.Data})
		b.inHashKeys = append(b.inHashKeys, e.ExplicitHashKey)
	}
	return putInput{recs: b.inRecs, hashKeys: b.inHashKeys}
}

// PutRecord writes one record; see PutRecords. A SequenceNumberForOrdering must parse and
// must not carry a time in the future; a shard that fails to append fails the request. A
// record that the Gate refuses fails with the result's ShardID set to the shard that refused it.
func (s *Store) PutRecord(req *PutRecordRequest) (PutResult, error) {
	e, v, err := s.writableView(req.StreamName)
	if err != nil {
		return PutResult{}, err
	}
	req.Encryption = v.info.Encryption
	b := batches.Get().(*batcher)
	defer b.release()
	entries := b.fromEntries([]PutEntry{req.Entry})
	if err := checkRecordSizes(v.info, entries, true); err != nil {
		return PutResult{}, err
	}
	if err := b.route(v, entries); err != nil {
		return PutResult{}, err
	}
	if req.SequenceNumberForOrdering != "" {
		if err := s.checkOrdering(req.SequenceNumberForOrdering, v.info); err != nil {
			return PutResult{}, err
		}
	}
	if req.DryRun {
		return PutResult{}, dryRunSucceeded()
	}
	if g := s.opts.Gate; g != nil {
		id, r := b.shards[0].id, &entries.recs[0]
		if typ := g.Write("PutRecord", gateShard(v.info, id), len(r.PartitionKey)+len(r.Data)); typ != "" {
			return PutResult{ShardID: id}, refusedBy(typ, id, v.info, false) // the shard, for the shard-level metrics
		}
	}
	var out [1]PutResult
	res, err := s.put(e, v, b, entries, out[:0])
	if err != nil {
		return PutResult{}, err
	}
	return res[0], res[0].err
}

// put appends the routed entries and returns their results appended to results. Records
// that raced the end of a reshard (their shard was sealed under them) are written again on
// the new shards, up to maxPutAgain times if reshards follow each other. Base64 entries are
// decoded into their batches first: one that does not decode fails the call (ErrBadBase64)
// before anything is written.
func (s *Store) put(e *streamEntry, v *streamView, b *batcher, entries putInput, results []PutResult) ([]PutResult, error) {
	b.group(entries.recs)
	if entries.base64 {
		if err := b.frame(); err != nil {
			return results, err
		}
	}
	s.appendGroups(b)
	results = b.results(results, v.info)
	out := results[len(results)-len(entries.recs):]
	again := b.sealed()
	for try := 0; len(again) > 0 && v != nil && try < maxPutAgain; try++ {
		v, again = s.putAgain(e, v, entries, again, out)
	}
	return results, nil
}

// maxPutAgain is how many times put waits for a reshard to be published and writes again
// the records whose shard it sealed under them. More than once is needed when reshards
// follow each other at once, or when the maintenance loop's attempt at the reshard fails
// and the next one succeeds; past this the records fail, and the client sends them again.
const maxPutAgain = 4

// putAgain writes the entries at indexes again, after the reshard that sealed their shards
// has published the stream's new shards, and puts their results in results. It returns the
// view it wrote to (nil when there is no use trying again) and the indexes of the entries
// sealed again. The reshard is carried out by the maintenance loop or a control-plane call,
// holding the stream's lock until the children are in place; putAgain waits for it
// (awaitChange) without carrying anything out itself. If the attempt it waited for failed,
// the entries keep their failure, and it returns v and them, to wait for another attempt.
func (s *Store) putAgain(e *streamEntry, v *streamView, entries putInput, indexes []int, results []PutResult) (*streamView, []int) {
	nv := s.awaitChange(e, v)
	switch {
	case nv == v:
		return v, indexes
	case nv == nil || !nv.writable():
		return nil, nil
	}
	retry := entries.pick(indexes)
	b := batches.Get().(*batcher)
	defer b.release()
	if err := b.route(nv, retry); err != nil {
		return nil, nil
	}
	b.group(retry.recs)
	if retry.base64 {
		if err := b.frame(); err != nil { // decoded once already: not expected
			return nil, nil
		}
	}
	s.appendGroups(b)
	for k, r := range b.results(nil, nv.info) {
		results[indexes[k]] = r
	}
	var again []int
	for _, k := range b.sealed() {
		again = append(again, indexes[k])
	}
	return nv, again
}

// writableView returns the view of a stream that takes records.
func (s *Store) writableView(name string) (*streamEntry, *streamView, error) {
	e, v, err := s.observe(name)
	if err != nil {
		return nil, nil, err
	}
	if v == nil || !v.writable() {
		return nil, nil, streamNotFound(name, s.opts.Account)
	}
	return e, v, nil
}

// checkOrdering checks a SequenceNumberForOrdering as kinesalite (tested against AWS) does:
// it must parse, in any layout, and not carry a time after now. A number whose layout version
// is unknown is an internal failure there, as on AWS; here it is refused like the others.
// The one exception is a number of this stream's own shard that carries the shard's creation
// second: a reshard's children are created a second or more after their parents close, so
// records written to them right away carry that second, which may still be ahead of now.
func (s *Store) checkOrdering(number string, info *StreamInfo) error {
	n, err := kinesis.ParseSequenceNumber(number)
	var legacy *kinesis.LegacySequenceNumberError
	switch {
	case errors.As(err, &legacy):
		n.TimeSec = legacy.TimeSec
	case err != nil:
		return invalidSequenceNumberForOrdering(number, info.Name, info.Account)
	}
	if n.TimeSec*1000 > s.nowMs() && !ownCreationSecond(n, info) {
		return invalidSequenceNumberForOrdering(number, info.Name, info.Account)
	}
	return nil
}

// ownCreationSecond reports whether n is a number of a shard of info whose time is the
// shard's creation second.
func ownCreationSecond(n kinesis.SequenceNumber, info *StreamInfo) bool {
	sh := info.Shard(int(n.ShardIndex))
	return sh != nil && sh.CreatedSec == n.ShardCreatedSec && n.TimeSec == sh.CreatedSec
}

// batcher is the scratch space of one PutRecords: where each entry goes, and the records
// grouped by shard. It is pooled, so that a request allocates nothing per record.
type batcher struct {
	inRecs     []segment.Record  // fromEntries: the records of PutEntry entries,
	inHashKeys []string          // and their ExplicitHashKeys
	shards     []*shardLog       // shards[i]: where entry i goes
	order      []int32           // entry indexes, grouped by shard, in request order within each
	recs       []segment.Record  // the entries in that order: the request's own records when they go to one shard,
	own        []segment.Record  // or this copy of them when they go to several
	groups     []group           // one per shard
	distinct   []*shardLog       // orderByShard: the shards written to,
	slot       []uint8           // and slot[i], entry i's shard's place in distinct
	logs       []*shard.Shard    // appendGroups: the shards written to,
	waits      []uint64          // the offset each must be durable up to,
	errs       []error           // and what waiting gave
	sections   []segment.Section // frame: each group's batch, base64 entries decoded into it
	framed     bool              // the groups are in sections
}

// group is the records of one PutRecords that go to one shard: recs[start:end] of the
// batcher, and what the append gave them.
type group struct {
	shard      *shardLog
	start, end int
	first      uint64 // offset of the group's first record
	timeMs     int64  // arrival time of its records
	err        error
}

var batches = sync.Pool{New: func() any { return new(batcher) }}

// release clears the batcher's references to records and shards and pools it.
func (b *batcher) release() {
	clear(b.inRecs)
	clear(b.inHashKeys)
	clear(b.shards)
	clear(b.own[:cap(b.own)])
	clear(b.groups)
	clear(b.distinct)
	clear(b.logs)
	clear(b.errs)
	b.inRecs, b.inHashKeys = b.inRecs[:0], b.inHashKeys[:0]
	b.shards, b.order, b.recs, b.own, b.groups = b.shards[:0], b.order[:0], nil, b.own[:0], b.groups[:0]
	b.logs, b.waits, b.errs = b.logs[:0], b.waits[:0], b.errs[:0]
	b.distinct, b.slot = b.distinct[:0], b.slot[:0]
	b.framed = false
	held := 0
	for _, sec := range b.sections[:cap(b.sections)] {
		held += sec.Cap()
	}
	if held > maxPooledSections {
		b.sections = nil
	}
	batches.Put(b)
}

// maxPooledSections bounds the memory of the sections a pooled batcher keeps, so that an
// occasional large request does not pin its batches.
const maxPooledSections = 8 << 20

// frame builds the batch of each group in a Section, decoding each entry's base64 data
// straight into its place in the batch. An entry whose data does not decode fails the
// request (ErrBadBase64) before any batch is written.
func (b *batcher) frame() error {
	if n := len(b.groups); cap(b.sections) < n {
		b.sections = append(b.sections[:cap(b.sections)], make([]segment.Section, n-cap(b.sections))...)
	}
	b.sections = b.sections[:len(b.groups)]
	for gi := range b.groups {
		g, sec := &b.groups[gi], &b.sections[gi]
		recs := b.recs[g.start:g.end]
		sec.Reset() // pooled with the batcher: after the first requests, it has room
		for k := range recs {
			r := &recs[k]
			if !b64.Decode(sec.Add(r.PartitionKey, b64.Len(r.Data)), r.Data) {
				return badBase64(int(b.order[g.start+k]))
			}
		}
	}
	b.framed = true
	return nil
}

// route finds the shard of every entry. An ExplicitHashKey that is not in [0, 2^128-1]
// fails the request. A stream that spreads records (DistributionAuto) deals them out to
// its open shards in turn instead, ignoring their keys (still checked).
func (b *batcher) route(v *streamView, entries putInput) error {
	var next uint64 // the turn of the first entry, when spreading
	if v.spread != nil {
		n := uint64(len(entries.recs))
		next = v.spread.Add(n) - n
	}
	keys := keyRouter{v: v}
	for i := range entries.recs {
		hk := entries.hashKey(i)
		var h kinesis.HashKey
		if hk != "" { // checked even where spreading makes it moot
			var err error
			if h, err = kinesis.ParseHashKey(hk); err != nil {
				return invalidExplicitHashKey(hk)
			}
		}
		var l *shardLog
		switch {
		case v.spread != nil:
			_, l = v.shard(v.router.Nth(next + uint64(i)))
		case hk != "":
			l = v.open[v.router.position(h)]
		default:
			l = keys.route(entries.recs[i].PartitionKey)
		}
		b.shards = append(b.shards, l)
	}
	return nil
}

// group orders the records by shard, keeping request order within each shard. Records that
// all go to one shard are appended as they are; only records for several shards are copied,
// to put each shard's together.
func (b *batcher) group(recs []segment.Record) {
	single := true
	for i := range recs {
		b.order = append(b.order, int32(i))
		single = single && b.shards[i] == b.shards[0]
	}
	if single && len(recs) > 0 {
		b.recs = recs
		b.groups = append(b.groups, group{shard: b.shards[0], start: 0, end: len(recs)})
		return
	}
	b.orderByShard()
	for k, i := range b.order {
		b.own = append(b.own, segment.Record{PartitionKey: recs[i].PartitionKey, Data: recs[i].Data})
		if l := b.shards[i]; k == 0 || l != b.groups[len(b.groups)-1].shard {
			b.groups = append(b.groups, group{shard: l, start: k})
		}
		b.groups[len(b.groups)-1].end = k + 1
	}
	b.recs = b.own
}

// maxCountedShards bounds the shards of a request that orderByShard sorts by counting; a
// request that writes to more is sorted by comparison.
const maxCountedShards = 16

// orderByShard orders b.order, the entry indexes in request order, by shard index, keeping
// request order within each shard: what a stable sort gives. A request usually writes to a
// few shards, so it finds them with a short scan per entry and places each entry after
// counting, which costs a fraction of a comparison sort.
func (b *batcher) orderByShard() {
	d, slot := b.distinct[:0], b.slot[:0]
	for _, l := range b.shards[:len(b.order)] {
		k := slices.Index(d, l)
		if k < 0 {
			if len(d) == maxCountedShards {
				b.distinct, b.slot = d, slot
				slices.SortStableFunc(b.order, func(x, y int32) int { return int(b.shards[x].index) - int(b.shards[y].index) })
				return
			}
			k = len(d)
			d = append(d, l)
		}
		slot = append(slot, uint8(k))
	}
	b.distinct, b.slot = d, slot
	// start[k]: where the entries of d[k] begin in the order, shards taken by index.
	var counts, start [maxCountedShards]int32
	for _, k := range slot {
		counts[k]++
	}
	for k := range d {
		for j := range d {
			if d[j].index < d[k].index {
				start[k] += counts[j]
			}
		}
	}
	for i, k := range slot {
		b.order[start[k]] = int32(i)
		start[k]++
	}
}

// appendGroups appends each group to its shard: it writes every group's batch, then waits
// until all of them are durable, so that one sync round of the store's Syncer covers the
// request's shards together.
func (s *Store) appendGroups(b *batcher) {
	b.logs, b.waits, b.errs = b.logs[:0], b.waits[:0], b.errs[:0]
	for i := range b.groups {
		g := &b.groups[i]
		if b.framed {
			g.first, g.timeMs, g.err = g.shard.log.WriteSection(&b.sections[i])
		} else {
			g.first, g.timeMs, g.err = g.shard.log.Write(b.recs[g.start:g.end])
		}
		if g.err == nil {
			b.logs = append(b.logs, g.shard.log)
			b.waits = append(b.waits, g.first+uint64(g.end-g.start))
		}
	}
	b.errs = append(b.errs, make([]error, len(b.logs))...)
	shard.WaitAll(b.logs, b.waits, b.errs)
	k := 0
	for i := range b.groups {
		g := &b.groups[i]
		if g.err == nil {
			g.err = b.errs[k]
			k++
		}
		if g.err != nil && !errors.Is(g.err, shard.ErrSealed) { // sealed: tried again on the new shards
			s.errLog.Error("stream: append", "shard", g.shard.id, "records", g.end-g.start, "error", g.err)
		}
	}
}

// sealed returns the indexes of the entries whose shard was sealed under them.
func (b *batcher) sealed() []int {
	var out []int
	for _, g := range b.groups {
		if errors.Is(g.err, shard.ErrSealed) {
			for _, i := range b.order[g.start:g.end] {
				out = append(out, int(i))
			}
		}
	}
	return out
}

// results appends the result of every entry, in request order, to dst. info is the stream
// the entries were written to, for the messages of failed ones.
func (b *batcher) results(dst []PutResult, info *StreamInfo) []PutResult {
	n := len(b.order)
	dst = slices.Grow(dst, n)[:len(dst)+n]
	out := dst[len(dst)-n:]
	for gi := range b.groups {
		g := &b.groups[gi]
		for k := g.start; k < g.end; k++ {
			r := &out[b.order[k]]
			if g.err != nil {
				*r = failedPut(g.err, g.shard.id, info)
				continue
			}
			*r = PutResult{ShardID: g.shard.id, SequenceNumber: g.shard.sequenceNumber(g.first+uint64(k-g.start), g.timeMs)}
		}
	}
	return dst
}

// failedPut is the result of an entry whose shard failed to append it with err. A full disk
// says so (diskFull), so that the client knows the records will go in once space is freed;
// anything else is AWS's bare "Internal Service Failure", and the log has the cause.
func failedPut(err error, shardID string, info *StreamInfo) PutResult {
	if errors.Is(err, syscall.ENOSPC) && !errors.Is(err, shard.ErrSyncFailed) {
		// A failed sync is not a full disk that passes: the shard takes no appends until it
		// is reopened, whatever the errno.
		e := diskFull(shardID, info.Name, info.Account)
		return PutResult{ErrorCode: kinesis.TypeInternalFailure, ErrorMessage: e.Message, err: e}
	}
	return PutResult{ErrorCode: kinesis.TypeInternalFailure, ErrorMessage: internalFailureMessage, err: err}
}

// sequenceNumber returns the sequence number of the record at offset that arrived at
// timeMs. Its time is never before the shard's creation, so that no record sorts before
// the shard's StartingSequenceNumber.
func (l *shardLog) sequenceNumber(offset uint64, timeMs int64) kinesis.SequenceNumber {
	return kinesis.SequenceNumber{
		ShardCreatedSec: l.createdSec,
		ShardIndex:      l.index,
		Counter:         offset,
		TimeSec:         max(timeMs/1000, l.createdSec),
	}
}

// bytesOf returns the bytes of s without copying them. The result must only be read: the
// write path hashes partition keys and copies them into segments, and changes neither.
func bytesOf(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
