package stream

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/shardlog/shardlog/internal/atomicfile"
	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/shard"
)

// Delivery of a queue's records (ReceiveQueueRecords, AcknowledgeQueueRecords,
// UpdateQueueRecordsVisibility and their dead-letter counterparts).
//
// Records are read from the stream's shard logs, never copied into the queue: a queue keeps,
// per shard, a cursor (the offset of the first record it has never delivered), and, per
// record delivered and not yet acknowledged, a small entry (queueRec): how often it was
// received, when first, until when it is in flight, whether it is a dead-letter record, and
// the number of its current delivery. A record is read from its shard again each time it is
// delivered again. Acknowledging a record drops its entry; a record below its shard's
// cursor without an entry was acknowledged. At most kinesis.MaxQueueInFlight entries are
// kept: a queue at that bound delivers only the records it tracks until some are
// acknowledged, which bounds its memory (about 100 bytes an entry).
//
// The delivery state is durable: every call that changes it writes it to
// <stream dir>/queues/<queue id> (atomicfile) before it answers, with a CRC, so an
// acknowledged record stays acknowledged, receive counts and dead-letter records survive a
// restart, and a record in flight stays in flight until its visibility timeout ends, by the
// wall clock. A state file that fails its check is reported on every call of the queue
// (InternalFailure), never guessed at.
//
// A receipt handle names one delivery of one record of one queue: the queue's id, the
// record's shard and offset, the number of the delivery and whether it was a dead-letter
// delivery, with a CRC. It is current while that delivery is in flight: once the record's
// visibility timeout has passed, or it was received again, restored, or acknowledged, the
// handle has expired.

// queueRecKey names a record of a stream: its shard index and offset.
type queueRecKey struct {
	shard  int
	offset uint64
}

// queueRec is the delivery state of one record received and not acknowledged.
type queueRec struct {
	receives  int   // receptions since it was first received, or restored
	firstMs   int64 // its first reception, epoch ms
	visibleMs int64 // in flight until then, epoch ms; visible at or after it
	dead      bool  // a dead-letter record
	delivery  uint64
}

// queueRun is the delivery state of one queue, loaded from its file on first use.
type queueRun struct {
	mu      sync.Mutex
	id      string
	path    string
	cursors map[int]uint64 // by shard index: the first offset never delivered
	recs    map[queueRecKey]*queueRec
	next    uint64 // the number of the next delivery
	turn    int    // the shard new records are taken from first, in turn
	dropped bool   // the queue was deleted: nothing more is written
	sync    bool   // save syncs: the store's sync policy is SyncAlways
}

// QueueStateDirName is the directory of a stream directory that holds the delivery state of
// its queues, a file per queue named by its id.
const QueueStateDirName = "queues"

// queueStatePath returns the file of the delivery state of the stream's queue id.
func (s *Store) queueStatePath(info *StreamInfo, id string) string {
	return filepath.Join(s.streamDir(info), QueueStateDirName, id)
}

// checkQueueStates checks the delivery state files of a stream directory: each must decode
// and pass its checksum (damage otherwise: the queue answers InternalFailure); one whose
// queue the stream does not have (info, when not nil) is noted, and left alone. A file
// left by a write that a crash cut short is noted too: the next write replaces it.
func (c *checker) checkQueueStates(dir string, info *StreamInfo) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		c.badErr(dir, err)
		return
	}
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		switch {
		case strings.HasSuffix(e.Name(), atomicfile.TmpSuffix):
			c.note(path, "an unfinished write of a queue delivery state; the next write replaces it")
			continue
		case e.IsDir() || !validQueueID(e.Name()):
			c.note(path, "not a queue delivery state; the server leaves it alone")
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			c.badErr(path, err)
			continue
		}
		r := &queueRun{cursors: map[int]uint64{}, recs: map[queueRecKey]*queueRec{}}
		if err := r.decode(b); err != nil {
			c.bad(path, "damaged queue delivery state (%v): the queue answers InternalFailure to its record operations", err)
			continue
		}
		if info != nil && !slices.ContainsFunc(info.Queues, func(q Queue) bool { return q.ID == e.Name() }) {
			c.note(path, "the delivery state of no queue of the stream; the server leaves it alone")
		}
	}
}

// queueRunFor returns the delivery state of the stream's queue id, loading it on first use.
func (s *Store) queueRunFor(info *StreamInfo, id string) (*queueRun, error) {
	s.runsMu.Lock()
	defer s.runsMu.Unlock()
	if r := s.runs[id]; r != nil {
		return r, nil
	}
	if s.droppedRuns[id] { // deleted meanwhile: its state must not come back
		return nil, queueNotFound(kinesis.QueueARN(info.Region, info.Account, id))
	}
	r := &queueRun{id: id, path: s.queueStatePath(info, id), sync: s.opts.Shard.Sync == shard.SyncAlways,
		cursors: map[int]uint64{}, recs: map[queueRecKey]*queueRec{}}
	b, err := os.ReadFile(r.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, queueStateDamaged(r.path, err)
	default:
		if err := r.decode(b); err != nil {
			return nil, queueStateDamaged(r.path, err)
		}
	}
	if s.runs == nil {
		s.runs = map[string]*queueRun{}
	}
	s.runs[id] = r
	return r, nil
}

// dropDelivery forgets the delivery state of the queue id and removes its file.
func (s *Store) dropDelivery(info *StreamInfo, id string) {
	s.runsMu.Lock()
	r := s.runs[id]
	delete(s.runs, id)
	if s.droppedRuns == nil {
		s.droppedRuns = map[string]bool{}
	}
	s.droppedRuns[id] = true
	s.runsMu.Unlock()
	if r != nil {
		r.mu.Lock()
		r.dropped = true
		r.mu.Unlock()
	}
	path := s.queueStatePath(info, id)
	if err := atomicfile.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.log.Error("stream: remove the delivery state of a deleted queue", "path", path, "error", err)
	}
}

// forgetRuns forgets the delivery state of the queues ids, whose stream is being removed with
// its files (DeleteAllStreams).
func (s *Store) forgetRuns(ids []string) {
	s.runsMu.Lock()
	defer s.runsMu.Unlock()
	for _, id := range ids {
		if r := s.runs[id]; r != nil {
			r.mu.Lock()
			r.dropped = true
			r.mu.Unlock()
		}
		delete(s.runs, id)
		if s.droppedRuns == nil {
			s.droppedRuns = map[string]bool{}
		}
		s.droppedRuns[id] = true
	}
}

// save writes the delivery state to its file. Called with r.mu held.
// Under the sync policy SyncAlways the file and its directory are synced before the answer,
// as the records are; under the others it is replaced by a rename without a sync, which a
// crash of the process cannot tear either, and which the power may lose as it may lose the
// records (settle then takes the cursors back to the shards' ends).
func (r *queueRun) save() error {
	if r.dropped {
		return nil
	}
	dir := filepath.Dir(r.path)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.Mkdir(dir, 0o755); err != nil {
			return err
		}
		if r.sync {
			if err := atomicfile.SyncDir(filepath.Dir(dir)); err != nil {
				return err
			}
		}
	}
	if r.sync {
		return atomicfile.WriteFile(r.path, r.encode(), 0o644)
	}
	tmp := r.path + atomicfile.TmpSuffix
	if err := os.WriteFile(tmp, r.encode(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, r.path)
}

// The state file: "SLQ1", the CRC-32C of the rest, then uvarints: the next delivery number,
// the count of cursors and each (shard, offset), the count of records and each (shard,
// offset, receives, first ms, visible ms, dead, delivery).
const queueStateMagic = "SLQ1"

var crcTable = crc32.MakeTable(crc32.Castagnoli)

func (r *queueRun) encode() []byte {
	b := make([]byte, 8, 16+len(r.cursors)*12+len(r.recs)*40)
	b = binary.AppendUvarint(b, r.next)
	b = binary.AppendUvarint(b, uint64(len(r.cursors)))
	for _, sh := range sortedKeys(r.cursors) {
		b = binary.AppendUvarint(b, uint64(sh))
		b = binary.AppendUvarint(b, r.cursors[sh])
	}
	b = binary.AppendUvarint(b, uint64(len(r.recs)))
	for _, k := range r.sortedRecs() {
		rec := r.recs[k]
		b = binary.AppendUvarint(b, uint64(k.shard))
		b = binary.AppendUvarint(b, k.offset)
		b = binary.AppendUvarint(b, uint64(rec.receives))
		b = binary.AppendVarint(b, rec.firstMs)
		b = binary.AppendVarint(b, rec.visibleMs)
		dead := uint64(0)
		if rec.dead {
			dead = 1
		}
		b = binary.AppendUvarint(b, dead)
		b = binary.AppendUvarint(b, rec.delivery)
	}
	copy(b, queueStateMagic)
	binary.BigEndian.PutUint32(b[4:8], crc32.Checksum(b[8:], crcTable))
	return b
}

func (r *queueRun) decode(b []byte) error {
	if len(b) < 8 || string(b[:4]) != queueStateMagic {
		return errors.New("not a queue state file")
	}
	if got, want := crc32.Checksum(b[8:], crcTable), binary.BigEndian.Uint32(b[4:8]); got != want {
		return fmt.Errorf("checksum %08x, want %08x", got, want)
	}
	d := uvarintReader{b: b[8:]}
	r.next = d.uint()
	for n := d.uint(); n > 0 && d.err == nil; n-- {
		sh := int(d.uint())
		r.cursors[sh] = d.uint()
	}
	for n := d.uint(); n > 0 && d.err == nil; n-- {
		k := queueRecKey{shard: int(d.uint()), offset: d.uint()}
		rec := &queueRec{receives: int(d.uint()), firstMs: d.int(), visibleMs: d.int(), dead: d.uint() == 1, delivery: d.uint()}
		r.recs[k] = rec
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%d bytes after the records", len(d.b))
	}
	return d.err
}

// uvarintReader reads the varints of a state file, keeping the first error.
type uvarintReader struct {
	b   []byte
	err error
}

func (d *uvarintReader) uint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		if d.err == nil {
			d.err = errors.New("truncated")
		}
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *uvarintReader) int() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		if d.err == nil {
			d.err = errors.New("truncated")
		}
		return 0
	}
	d.b = d.b[n:]
	return v
}

func sortedKeys(m map[int]uint64) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// sortedRecs returns the keys of the tracked records by shard, then offset.
func (r *queueRun) sortedRecs() []queueRecKey {
	keys := make([]queueRecKey, 0, len(r.recs))
	for k := range r.recs {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b queueRecKey) int {
		if a.shard != b.shard {
			return a.shard - b.shard
		}
		switch {
		case a.offset < b.offset:
			return -1
		case a.offset > b.offset:
			return 1
		}
		return 0
	})
	return keys
}

// Receipt handles: URL-safe base64 of a version byte, the queue id (16 bytes), uvarints of
// the shard, the offset and the delivery number, a byte that is 1 for a dead-letter
// delivery, and the CRC-32C of all that.
const handleVersion = 1

type receiptHandle struct {
	shard    int
	offset   uint64
	delivery uint64
	dead     bool
}

func sealHandle(queueID string, h receiptHandle) string {
	id, _ := hex.DecodeString(queueID)
	b := append([]byte{handleVersion}, id...)
	b = binary.AppendUvarint(b, uint64(h.shard))
	b = binary.AppendUvarint(b, h.offset)
	b = binary.AppendUvarint(b, h.delivery)
	if h.dead {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = binary.BigEndian.AppendUint32(b, crc32.Checksum(b, crcTable))
	return base64.RawURLEncoding.EncodeToString(b)
}

// openHandle returns the delivery a receipt handle names, and false if it is not a handle of
// the queue id.
func openHandle(queueID, s string) (receiptHandle, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	id, _ := hex.DecodeString(queueID)
	if err != nil || len(b) < 1+len(id)+4+4 || b[0] != handleVersion || string(b[1:1+len(id)]) != string(id) {
		return receiptHandle{}, false
	}
	body, sum := b[:len(b)-4], binary.BigEndian.Uint32(b[len(b)-4:])
	if crc32.Checksum(body, crcTable) != sum {
		return receiptHandle{}, false
	}
	d := uvarintReader{b: body[1+len(id):]}
	h := receiptHandle{shard: int(d.uint()), offset: d.uint(), delivery: d.uint()}
	if d.err != nil || len(d.b) != 1 || d.b[0] > 1 {
		return receiptHandle{}, false
	}
	h.dead = d.b[0] == 1
	return h, true
}

// QueueRecord is a record as ReceiveQueueRecords delivers it.
type QueueRecord struct {
	RecordID       string // <shard id>:<sequence number>, the same in every queue of the stream
	ReceiptHandle  string
	PartitionKey   string
	Data           []byte
	ArrivalMs      int64
	FirstReceiveMs int64
	ReceiveCount   int
}

// ReceiveRequest is the input of ReceiveQueueRecords and ReceiveDeadLetterQueueRecords.
type ReceiveRequest struct {
	QueueARN      string
	Limit         int  // 0 for kinesis.MaxQueueReceive
	VisibilitySec *int // nil for the queue's visibility timeout
	Wait          time.Duration
	DeadLetter    bool // receive dead-letter records
}

// ReceiveQueueRecords delivers up to req.Limit records of the queue req.QueueARN names that
// are visible: dead-letter records for req.DeadLetter, otherwise records received before
// whose visibility timeout has passed, then records never received, from the shards in turn.
// Each becomes in flight for the visibility timeout, with a new receipt handle. With nothing
// visible it waits up to req.Wait for a record to become visible (new records, or a
// visibility timeout that ends by the real clock), or until ctx ends. The queue must be
// ACTIVE or UPDATING (queueNotActive).
func (s *Store) ReceiveQueueRecords(ctx context.Context, req ReceiveRequest) ([]QueueRecord, error) {
	var deadline time.Time
	if req.Wait > 0 {
		deadline = time.Now().Add(req.Wait)
	}
	for {
		out, wake, err := s.receiveOnce(req)
		if err != nil || len(out) > 0 || req.Wait <= 0 {
			return out, err
		}
		left := time.Until(deadline)
		if left <= 0 {
			return out, nil
		}
		if err := wake.wait(ctx, s.stop, left); err != nil {
			return []QueueRecord{}, nil // the caller went: nothing was delivered
		}
	}
}

// queueWake is what a receive that found nothing can wait for: the shards' next records,
// and the time the first record in flight becomes visible again.
type queueWake struct {
	changed []<-chan struct{}
	next    time.Duration // until a record in flight becomes visible; 0 when none is
}

// wait blocks until something the receive waits for happens, up to d, or ctx ends, or the
// store closes (stop).
func (w queueWake) wait(ctx context.Context, stop <-chan struct{}, d time.Duration) error {
	if w.next > 0 && w.next < d {
		d = w.next
	}
	t := time.NewTimer(d)
	defer t.Stop()
	done := make(chan struct{})
	defer close(done)
	woken := make(chan struct{}, 1)
	for _, ch := range w.changed {
		go func() {
			select {
			case <-ch:
				select {
				case woken <- struct{}{}:
				default:
				}
			case <-done:
			}
		}()
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-stop:
	case <-t.C:
	case <-woken:
	}
	return nil
}

// receiveOnce is one try of ReceiveQueueRecords, without waiting.
func (s *Store) receiveOnce(req ReceiveRequest) ([]QueueRecord, queueWake, error) {
	now := s.nowMs()
	_, v, q, err := s.queueOf(req.QueueARN, now)
	if err != nil {
		return nil, queueWake{}, err
	}
	if status, _ := q.statusAt(now); status != QueueActive && status != QueueUpdating {
		return nil, queueWake{}, queueNotActive(q.Name, status, v.info.Account)
	}
	r, err := s.queueRunFor(v.info, q.ID)
	if err != nil {
		return nil, queueWake{}, err
	}
	limit := req.Limit
	if limit <= 0 || limit > kinesis.MaxQueueReceive {
		limit = kinesis.MaxQueueReceive
	}
	visibility := q.VisibilitySec
	if req.VisibilitySec != nil {
		visibility = *req.VisibilitySec
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.dropped {
		return nil, queueWake{}, queueNotFound(req.QueueARN)
	}
	changed := r.settle(v, q, now)
	d := queueDelivery{store: s, run: r, view: v, queue: q, now: now, visibleMs: now + int64(visibility)*1000, budget: kinesis.MaxGetRecordsBytes}
	// Records received before and visible again (or, for dead letters, every visible one).
	for _, k := range r.sortedRecs() {
		if len(d.out) >= limit {
			break
		}
		rec := r.recs[k]
		if rec.dead != req.DeadLetter || rec.visibleMs > now {
			continue
		}
		if err := d.redeliver(k, rec); err != nil {
			return nil, queueWake{}, err
		}
	}
	// Records never received, from the shards in turn.
	if !req.DeadLetter {
		if err := d.takeNew(limit); err != nil {
			return nil, queueWake{}, err
		}
	}
	if len(d.out) > 0 || changed || d.changed {
		if err := r.save(); err != nil {
			return nil, queueWake{}, fmt.Errorf("stream: queue %s: save delivery state: %w", q.Name, err)
		}
	}
	if len(d.out) > 0 {
		return d.out, queueWake{}, nil
	}
	return []QueueRecord{}, r.wakeFor(v, req.DeadLetter, now), nil
}

// wakeFor returns what an empty receive waits for. Called with r.mu held.
func (r *queueRun) wakeFor(v *streamView, deadLetter bool, now int64) queueWake {
	var w queueWake
	if !deadLetter {
		for _, l := range v.shards {
			// A sealed or closed shard gets no more records, and its channel is closed for
			// good: waiting on it would wake the receive at once, again and again.
			if tip, ch := l.log.Watch(); !tip.Sealed && !tip.Closed {
				w.changed = append(w.changed, ch)
			}
		}
	}
	first := int64(0)
	for _, rec := range r.recs {
		if rec.visibleMs > now && (first == 0 || rec.visibleMs < first) {
			first = rec.visibleMs
		}
	}
	if first > 0 {
		w.next = time.Duration(first-now) * time.Millisecond
	}
	return w
}

// settle brings the delivery state up to date at now: records that expired from the stream
// (or whose shard is gone, or that a power loss took) are dropped, a cursor past its shard's
// end is taken back to it, and records received MaxReceiveCount times whose
// visibility timeout has passed become dead-letter records, under BUILT_IN dead-letter
// handling. It reports whether anything changed. Called with r.mu held.
func (r *queueRun) settle(v *streamView, q *Queue, now int64) bool {
	changed := false
	first, tip := map[int]uint64{}, map[int]uint64{}
	for i := range v.info.Shards {
		sh := &v.info.Shards[i]
		if !v.info.expired(sh, now) {
			first[sh.Index], tip[sh.Index] = v.shards[i].log.FirstOffset(), v.shards[i].log.NextOffset()
		}
	}
	for sh, cursor := range r.cursors {
		switch t, ok := tip[sh]; {
		case !ok:
			delete(r.cursors, sh)
			changed = true
		case cursor > t:
			// Records the queue read were lost with the power (a sync policy other than
			// SyncAlways): the offsets they had go to the records written since.
			r.cursors[sh] = t
			changed = true
		}
	}
	for k, rec := range r.recs {
		if f, ok := first[k.shard]; !ok || k.offset < f || k.offset >= tip[k.shard] {
			delete(r.recs, k)
			changed = true
			continue
		}
		if !rec.dead && rec.visibleMs <= now && q.DeadLetter == DeadLetterBuiltIn && rec.receives >= q.MaxReceiveCount {
			rec.dead, rec.visibleMs = true, 0
			changed = true
		}
	}
	return changed
}

// queueDelivery builds the answer of one receive.
type queueDelivery struct {
	store     *Store
	run       *queueRun
	view      *streamView
	queue     *Queue
	now       int64
	visibleMs int64
	budget    int // bytes of data and partition keys left for this answer
	out       []QueueRecord
	changed   bool // a cursor moved without a record delivered
}

// errAnswerFull ends a read whose record would take the answer over its byte budget.
var errAnswerFull = errors.New("stream: queue answer full")

// fits reports whether r fits in the answer: the first record always does, whatever its
// size, as in GetRecords; the others while the answer stays within
// kinesis.MaxGetRecordsBytes of data and partition keys.
func (d *queueDelivery) fits(r segment.Record) bool {
	return len(d.out) == 0 || len(r.PartitionKey)+len(r.Data) <= d.budget
}

// deliver adds the record r of shard l to the answer, as delivery rec of it.
func (d *queueDelivery) deliver(l *shardLog, r segment.Record, rec *queueRec) {
	d.run.next++
	rec.delivery = d.run.next
	rec.receives++
	if rec.firstMs == 0 {
		rec.firstMs = d.now
	}
	rec.visibleMs = d.visibleMs
	seq := l.sequenceNumber(r.Offset, r.TimeMs)
	d.out = append(d.out, QueueRecord{
		RecordID:       l.id + ":" + seq.String(),
		ReceiptHandle:  sealHandle(d.run.id, receiptHandle{shard: int(l.index), offset: r.Offset, delivery: rec.delivery, dead: rec.dead}),
		PartitionKey:   string(r.PartitionKey),
		Data:           slices.Clone(r.Data),
		ArrivalMs:      r.TimeMs,
		FirstReceiveMs: rec.firstMs,
		ReceiveCount:   rec.receives,
	})
	d.budget -= len(r.PartitionKey) + len(r.Data)
}

// redeliver reads the tracked record k from its shard again and adds it to the answer.
func (d *queueDelivery) redeliver(k queueRecKey, rec *queueRec) error {
	_, l := d.view.shard(k.shard)
	if l == nil {
		return nil
	}
	found := false
	_, err := l.log.Read(k.offset, 1, 0, func(r segment.Record) error {
		if r.Offset == k.offset {
			found = true
			if !d.fits(r) {
				return errAnswerFull // it stays visible, for the next call
			}
			d.deliver(l, r, rec)
		}
		return nil
	})
	if err != nil && !errors.Is(err, errAnswerFull) {
		return d.readFailed(l, err)
	}
	if !found { // expired meanwhile
		delete(d.run.recs, k)
		d.changed = true
	}
	return nil
}

// takeNew adds records never delivered, from the cursors of the shards in turn, until the
// answer has limit records, the shards have no more, or the queue tracks
// kinesis.MaxQueueInFlight records.
func (d *queueDelivery) takeNew(limit int) error {
	r, v := d.run, d.view
	n := len(v.info.Shards)
	for i := 0; i < n && len(d.out) < limit && len(r.recs) < kinesis.MaxQueueInFlight; i++ {
		j := (r.turn + i) % n
		sh := &v.info.Shards[j]
		if v.info.expired(sh, d.now) {
			continue
		}
		l := v.shards[j]
		from, err := d.cursor(sh, l)
		if err != nil {
			return d.readFailed(l, err)
		}
		want := min(limit-len(d.out), kinesis.MaxQueueInFlight-len(r.recs))
		if d.budget <= 0 {
			break
		}
		next, err := l.log.Read(from, want, 0, func(rec segment.Record) error {
			if !d.fits(rec) {
				return errAnswerFull // next is this record's offset: it is taken next time
			}
			q := &queueRec{}
			r.recs[queueRecKey{shard: sh.Index, offset: rec.Offset}] = q
			d.deliver(l, rec, q)
			return nil
		})
		if err != nil && !errors.Is(err, shard.ErrClosed) && !errors.Is(err, errAnswerFull) {
			return d.readFailed(l, err)
		}
		if next != r.cursors[sh.Index] {
			r.cursors[sh.Index] = next
			d.changed = true
		}
	}
	r.turn = (r.turn + 1) % max(n, 1)
	return nil
}

// cursor returns the offset of the first record of sh that the queue never delivered: where
// its starting position puts it in the shard, the first time.
func (d *queueDelivery) cursor(sh *ShardInfo, l *shardLog) (uint64, error) {
	if off, ok := d.run.cursors[sh.Index]; ok {
		return max(off, l.log.FirstOffset()), nil
	}
	var off uint64
	var err error
	if q := d.queue; q.Start == QueueStartTrimHorizon {
		off = l.log.FirstOffset()
	} else if off, err = l.log.OffsetAt(d.queue.StartMs); err != nil {
		return 0, err
	}
	d.run.cursors[sh.Index] = off
	d.changed = true
	return off, nil
}

// readFailed is the error of a read of a queue's shard that failed.
func (d *queueDelivery) readFailed(l *shardLog, err error) error {
	var ke *kinesis.Error
	if errors.As(err, &ke) {
		return err
	}
	if errors.Is(err, shard.ErrClosed) {
		return queueNotFound(kinesis.QueueARN(d.view.info.Region, d.view.info.Account, d.run.id))
	}
	return d.store.readFailed(l.id, d.view.info.Name, err)
}

// QueueEntry is one entry of AcknowledgeQueueRecords, UpdateQueueRecordsVisibility,
// RestoreDeadLetterQueueRecords and their dead-letter counterparts.
type QueueEntry struct {
	ReceiptHandle string
	VisibilitySec int // the visibility operations
}

// QueueEntryResult is what became of one QueueEntry: ErrorCode and ErrorMessage are empty
// when it succeeded.
type QueueEntryResult struct {
	ReceiptHandle string
	ErrorCode     string
	ErrorMessage  string
}

// QueueRecordAction is what a call does with the records its entries name.
type QueueRecordAction int

// Actions on queue records.
const (
	QueueAcknowledge      QueueRecordAction = iota // AcknowledgeQueueRecords
	QueueVisibility                                // UpdateQueueRecordsVisibility
	DeadLetterAcknowledge                          // AcknowledgeDeadLetterQueueRecords
	DeadLetterVisibility                           // UpdateDeadLetterQueueRecordsVisibility
	DeadLetterRestore                              // RestoreDeadLetterQueueRecords
)

// deadLetter reports whether the action is on dead-letter records.
func (a QueueRecordAction) deadLetter() bool { return a >= DeadLetterAcknowledge }

// QueueRecords carries out action on the record each entry's receipt handle names, entry by
// entry: a handle that is not one of this queue's (of this kind: dead-letter or not) fails
// with InvalidArgumentException; one whose delivery is over (its visibility timeout passed,
// or the record was received again, restored, or acknowledged) with InvalidArgumentException
// too, except that acknowledging a record already acknowledged succeeds; the other actions on
// a record no longer in the queue fail with ResourceNotFoundException. The queue must be
// ACTIVE or UPDATING (queueNotActive).
func (s *Store) QueueRecords(arn string, action QueueRecordAction, entries []QueueEntry) ([]QueueEntryResult, error) {
	now := s.nowMs()
	_, v, q, err := s.queueOf(arn, now)
	if err != nil {
		return nil, err
	}
	if status, _ := q.statusAt(now); status != QueueActive && status != QueueUpdating {
		return nil, queueNotActive(q.Name, status, v.info.Account)
	}
	r, err := s.queueRunFor(v.info, q.ID)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.dropped {
		return nil, queueNotFound(arn)
	}
	changed := r.settle(v, q, now)
	out := make([]QueueEntryResult, len(entries))
	for i, e := range entries {
		out[i] = QueueEntryResult{ReceiptHandle: e.ReceiptHandle}
		code, msg, did := r.apply(action, e, now)
		out[i].ErrorCode, out[i].ErrorMessage = code, msg
		changed = changed || did
	}
	if changed {
		if err := r.save(); err != nil {
			return nil, fmt.Errorf("stream: queue %s: save delivery state: %w", q.Name, err)
		}
	}
	return out, nil
}

// Texts of the entry errors.
const (
	handleNotValid   = "The receipt handle is not valid for this queue."
	handleExpired    = "The receipt handle has expired: the record's visibility timeout has passed, or it was received again."
	recordNotInQueue = "The record of the receipt handle is no longer in the queue."
)

// apply carries out action on the record of e, and returns the entry's error code and
// message (empty for success) and whether the state changed. Called with r.mu held.
func (r *queueRun) apply(action QueueRecordAction, e QueueEntry, now int64) (string, string, bool) {
	h, ok := openHandle(r.id, e.ReceiptHandle)
	if !ok || h.dead != action.deadLetter() {
		return kinesis.TypeInvalidArgument, handleNotValid, false
	}
	cursor, seen := r.cursors[h.shard]
	if !seen || h.offset >= cursor || h.delivery == 0 || h.delivery > r.next {
		return kinesis.TypeInvalidArgument, handleNotValid, false
	}
	k := queueRecKey{shard: h.shard, offset: h.offset}
	rec := r.recs[k]
	if rec == nil {
		if action == QueueAcknowledge || action == DeadLetterAcknowledge {
			return "", "", false // acknowledged already (or expired from the stream)
		}
		return kinesis.TypeResourceNotFound, recordNotInQueue, false
	}
	if rec.delivery != h.delivery || rec.dead != h.dead || rec.visibleMs <= now {
		return kinesis.TypeInvalidArgument, handleExpired, false
	}
	switch action {
	case QueueAcknowledge, DeadLetterAcknowledge:
		delete(r.recs, k)
	case QueueVisibility, DeadLetterVisibility:
		rec.visibleMs = now + int64(e.VisibilitySec)*1000
	case DeadLetterRestore:
		rec.dead, rec.receives, rec.visibleMs = false, 0, 0
		r.next++
		rec.delivery = r.next // the dead-letter handle expires
	}
	return "", "", true
}

// queueStateDamaged is the error of a queue whose delivery state file cannot be read or
// fails its check: reported, never guessed at.
func queueStateDamaged(path string, err error) *kinesis.Error {
	e := kinesis.NewError(kinesis.TypeInternalFailure, "Internal Service Failure: queue delivery state "+path+" is damaged: "+err.Error())
	e.Err = err
	return e
}
