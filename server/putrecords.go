package server

import (
	"strconv"
	"strings"
	"sync"

	"github.com/shardlog/shardlog/internal/wire"
	"github.com/shardlog/shardlog/kinesis"
)

// The focused PutRecords / PutRecord decoder.
//
// It reads the JSON body in one pass, without reflection and without a tree:
// base64 data is decoded straight into one reusable buffer (the arena), and all
// partition keys and hash keys end up in one string, so a request of 500
// records costs a handful of allocations instead of thousands.
//
// A Backend that decodes base64 itself (Base64Putter) gets PutRecords data as
// the text the request carried instead (fastLimits.text): the Data of each
// record is then its base64 text in the body, checked for length and escapes, and the
// Backend decodes it straight into the batch it writes, so that the data is
// written once. Such a request that fails for any reason is decoded again by
// the general path, whose error wins (call.dataError): a Data that is not
// base64 is a SerializationException, found before anything else.
//
// It handles the requests real producers send. Anything else it declines:
// string escapes, null values, unknown or repeated members, non-canonical
// base64, any value the general path would reject. A declined body goes
// through the general path (decode.go), which gives the exact error, or
// accepts the body if it was merely unusual. So the fast decoder never decides
// an error message; it only has to agree with the general path on what it
// accepts, which FuzzRequestDecode checks.

// putArena holds what a fast decode reuses from one request to the next.
type putArena struct {
	data    []byte // decoded Data of every record; the inputs' Data slices alias it
	records []PutRecordsRequestEntry
	spans   []entrySpan
}

// entrySpan locates one record while the body is scanned: its data in the
// arena (or its base64 text in the body, with fastLimits.text), its partition
// key and explicit hash key in the body.
type entrySpan struct {
	data         span
	text         []byte
	key, hashKey []byte
}

// span locates a record's data in the arena.
type span struct{ start, end int }

var arenaPool = sync.Pool{New: func() any { return new(putArena) }}

// maxPooledArena keeps an occasional huge request from pinning its buffer.
const maxPooledArena = 8 << 20

func getArena() *putArena { return arenaPool.Get().(*putArena) }

func putArenaBack(a *putArena) {
	if cap(a.data) > maxPooledArena {
		return
	}
	clear(a.records)
	a.records = a.records[:0]
	a.spans = a.spans[:0]
	arenaPool.Put(a)
}

// prepare sizes the arena for a body: decoded data never exceeds 3/4 of the
// body, so appends never move it and earlier Data slices stay valid. A decode
// that leaves the data as text (lim.text) needs no room for it.
func (a *putArena) prepare(bodyLen int, lim fastLimits) {
	need := bodyLen/4*3 + 3
	if lim.text {
		need = 0
	}
	if cap(a.data) < need {
		a.data = make([]byte, 0, need)
	}
	a.data = a.data[:0]
	a.spans = a.spans[:0]
}

// fastLimits are the bounds the fast decoder checks itself, and how it leaves
// PutRecords data.
type fastLimits struct {
	maxData int  // Options.MaxRecordDataBytes
	text    bool // PutRecords: Data is left as its base64 text, for a Base64Putter
}

// str reads a string without escapes, and valid UTF-8: encoding/json would
// replace invalid bytes (the scanner is a plain one). It returns the string's
// bytes in the body.
func str(s *wire.Scanner) ([]byte, bool) {
	raw, _ := s.RawString()
	return raw, s.Err() == nil
}

// blob decodes a canonical base64 string into the arena.
func blob(s *wire.Scanner, a *putArena, maxData int) (span, bool) {
	start := len(a.data)
	var ok bool
	a.data, ok = s.Base64(a.data, maxData)
	return span{start, len(a.data)}, ok
}

// dataOf returns the Data of the record e: its bytes in the arena, or its text.
func (a *putArena) dataOf(e *entrySpan, lim fastLimits) []byte {
	if lim.text {
		return e.text
	}
	return a.data[e.data.start:e.data.end:e.data.end]
}

// Member bits, to find repeated members.
const (
	seenRecords uint16 = 1 << iota
	seenStreamName
	seenStreamARN
	seenStreamID
	seenDryRun
	seenData
	seenPartitionKey
	seenHashKey
	seenSequence
)

func markSeen(seen *uint16, bit uint16) bool {
	if *seen&bit != 0 {
		return false
	}
	*seen |= bit
	return true
}

// streamMembers reads the members PutRecords and PutRecord share. It reports
// handled false for a key that is not one of them.
type streamMembers struct {
	name, arn, id []byte
	dryRun        bool
}

func (m *streamMembers) read(s *wire.Scanner, key []byte, seen *uint16) (handled, ok bool) {
	switch string(key) {
	case "StreamName":
		m.name, ok = str(s)
		return true, ok && markSeen(seen, seenStreamName)
	case "StreamARN":
		m.arn, ok = str(s)
		return true, ok && markSeen(seen, seenStreamARN)
	case "StreamId":
		m.id, ok = str(s)
		return true, ok && markSeen(seen, seenStreamID)
	case "DryRun":
		m.dryRun, ok = s.Bool()
		return true, ok && markSeen(seen, seenDryRun)
	}
	return false, false
}

// valid checks the stream members' constraints: one of StreamName and StreamARN
// is required, and each present member must satisfy its shape.
func (m *streamMembers) valid(seen uint16) bool {
	if seen&(seenStreamName|seenStreamARN) == 0 {
		return false
	}
	return (seen&seenStreamName == 0 || stringValid(string(m.name), shapeStreamName)) &&
		(seen&seenStreamARN == 0 || stringValid(string(m.arn), shapeStreamARN)) &&
		(seen&seenStreamID == 0 || stringValid(string(m.id), shapeStreamID))
}

// validPartitionKey checks a partition key's length, 1 to 256 UTF-16 units.
func validPartitionKey(key []byte) bool {
	if len(key) == 0 {
		return false
	}
	if len(key) <= 256 {
		return true // a UTF-16 unit takes at least one byte of UTF-8
	}
	return javaLength(string(key)) <= 256
}

// validSequenceNumber checks the SequenceNumber pattern 0|([1-9]\d{0,128}).
func validSequenceNumber(n []byte) bool {
	return len(n) <= 129 && validDigits(n)
}

// validHashKey checks the HashKey pattern 0|([1-9]\d{0,38}).
func validHashKey(key []byte) bool {
	return len(key) <= 39 && validDigits(key)
}

// validDigits reports whether n is a decimal number without leading zeros.
func validDigits(n []byte) bool {
	if len(n) == 0 || len(n) > 1 && n[0] == '0' {
		return false
	}
	for _, c := range n {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// decodePutRecordsFast decodes a PutRecords body into the arena. It returns
// false when it declines the body.
func decodePutRecordsFast(body []byte, lim fastLimits, a *putArena) (*PutRecordsInput, bool) {
	a.prepare(len(body), lim)
	s := wire.NewPlainScanner(body)
	var seen uint16
	var sm streamMembers
	ok := s.Object(func(key []byte) bool {
		if string(key) == "Records" {
			return markSeen(&seen, seenRecords) && records(&s, a, lim)
		}
		handled, ok := sm.read(&s, key, &seen)
		return handled && ok
	}) && s.End() == nil
	if !ok || seen&seenRecords == 0 || !sm.valid(seen) {
		return nil, false
	}
	in := &PutRecordsInput{DryRun: sm.dryRun}
	t := packText(a.spans, sm.name, sm.arn, sm.id)
	in.StreamName, in.StreamARN, in.StreamId = t.cut(sm.name), t.cut(sm.arn), t.cut(sm.id)
	a.records = a.records[:0]
	for i := range a.spans {
		e := &a.spans[i]
		a.records = append(a.records, PutRecordsRequestEntry{
			Data:            a.dataOf(e, lim),
			PartitionKey:    t.cut(e.key),
			ExplicitHashKey: t.cut(e.hashKey),
		})
	}
	in.Records = a.records
	return in, true
}

// records reads the Records array.
func records(s *wire.Scanner, a *putArena, lim fastLimits) bool {
	empty := true
	ok := s.Array(func() bool {
		empty = false
		if len(a.spans) == kinesis.MaxPutRecordsEntries {
			return false
		}
		e, ok := entry(s, a, lim)
		a.spans = append(a.spans, e)
		return ok
	})
	return ok && !empty // an empty list fails validation: the general path says how
}

// entry reads one PutRecordsRequestEntry.
func entry(s *wire.Scanner, a *putArena, lim fastLimits) (entrySpan, bool) {
	var e entrySpan
	var seen uint16
	ok := s.Object(func(key []byte) bool {
		ok, _ := recordMember(s, key, &e, &seen, a, lim)
		return ok
	})
	return e, ok && seen&(seenData|seenPartitionKey) == seenData|seenPartitionKey
}

// recordMember reads Data, PartitionKey or ExplicitHashKey into e. It reports
// handled false for any other key.
func recordMember(s *wire.Scanner, key []byte, e *entrySpan, seen *uint16, a *putArena, lim fastLimits) (ok, handled bool) {
	switch string(key) {
	case "Data":
		if lim.text {
			e.text, ok = s.Base64Text(lim.maxData)
		} else {
			e.data, ok = blob(s, a, lim.maxData)
		}
		return ok && markSeen(seen, seenData), true
	case "PartitionKey":
		e.key, ok = str(s)
		return ok && markSeen(seen, seenPartitionKey) && validPartitionKey(e.key), true
	case "ExplicitHashKey":
		e.hashKey, ok = str(s)
		return ok && markSeen(seen, seenHashKey) && validHashKey(e.hashKey), true
	}
	return false, false
}

// decodePutRecordFast decodes a PutRecord body, as decodePutRecordsFast does.
func decodePutRecordFast(body []byte, lim fastLimits, a *putArena) (*PutRecordInput, bool) {
	a.prepare(len(body), lim)
	s := wire.NewPlainScanner(body)
	var seen uint16
	var sm streamMembers
	var e entrySpan
	var seq []byte
	ok := s.Object(func(key []byte) bool {
		if ok, handled := recordMember(&s, key, &e, &seen, a, lim); handled {
			return ok
		}
		if string(key) == "SequenceNumberForOrdering" {
			var ok bool
			seq, ok = str(&s)
			return ok && markSeen(&seen, seenSequence) && validSequenceNumber(seq)
		}
		handled, ok := sm.read(&s, key, &seen)
		return handled && ok
	}) && s.End() == nil
	if !ok || seen&(seenData|seenPartitionKey) != seenData|seenPartitionKey || !sm.valid(seen) {
		return nil, false
	}
	t := packText([]entrySpan{e}, sm.name, sm.arn, sm.id, seq)
	in := &PutRecordInput{DryRun: sm.dryRun}
	in.StreamName, in.StreamARN, in.StreamId = t.cut(sm.name), t.cut(sm.arn), t.cut(sm.id)
	in.SequenceNumberForOrdering = t.cut(seq)
	in.Data = a.data[e.data.start:e.data.end:e.data.end]
	in.PartitionKey, in.ExplicitHashKey = t.cut(e.key), t.cut(e.hashKey)
	return in, true
}

// packedText is the one string that holds every string of a decoded request.
// cut hands out its pieces in the order packText wrote them.
type packedText struct {
	text string
	pos  int
}

// packText copies the strings a request needs out of the body, in one
// allocation: the extra strings first, then each record's partition key and
// hash key. The caller must cut them in that order.
func packText(spans []entrySpan, extra ...[]byte) packedText {
	n := 0
	for _, b := range extra {
		n += len(b)
	}
	for _, e := range spans {
		n += len(e.key) + len(e.hashKey)
	}
	var b strings.Builder
	b.Grow(n)
	for _, x := range extra {
		b.Write(x)
	}
	for _, e := range spans {
		b.Write(e.key)
		b.Write(e.hashKey)
	}
	return packedText{text: b.String()}
}

func (t *packedText) cut(b []byte) string {
	s := t.text[t.pos : t.pos+len(b)]
	t.pos += len(b)
	return s
}

// appendPutRecordsJSON encodes a PutRecords output directly: it is written for
// every batch, so it does not go through the reflective encoder.
func appendPutRecordsJSON(dst []byte, out *PutRecordsOutput) []byte {
	dst = append(dst, `{"FailedRecordCount":`...)
	dst = strconv.AppendInt(dst, int64(out.FailedRecordCount), 10)
	dst = append(dst, `,"Records":[`...)
	for i := range out.Records {
		r := &out.Records[i]
		if i > 0 {
			dst = append(dst, ',')
		}
		sep := byte('{')
		for _, m := range [...]struct{ name, val string }{
			{`"SequenceNumber":`, r.SequenceNumber},
			{`"ShardId":`, r.ShardId},
			{`"ErrorCode":`, r.ErrorCode},
			{`"ErrorMessage":`, r.ErrorMessage},
		} {
			if m.val == "" {
				continue
			}
			dst = append(dst, sep)
			sep = ','
			dst = append(dst, m.name...)
			dst = wire.AppendString(dst, m.val)
		}
		if sep == '{' {
			dst = append(dst, '{')
		}
		dst = append(dst, '}')
	}
	dst = append(dst, ']')
	if out.EncryptionType != "" {
		dst = append(dst, `,"EncryptionType":`...)
		dst = wire.AppendString(dst, out.EncryptionType)
	}
	return append(dst, '}')
}
