package server

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/shardlog/shardlog/kinesis"
)

// The focused PutRecords / PutRecord decoder.
//
// It reads the JSON body in one pass, without reflection and without a tree:
// base64 data is decoded straight into one reusable buffer (the arena), and all
// partition keys and hash keys end up in one string, so a request of 500
// records costs a handful of allocations instead of thousands.
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

// entrySpan locates one record while the body is scanned: its data in the arena,
// its partition key and explicit hash key in the body.
type entrySpan struct {
	data, key, hashKey span
}

type span struct{ start, end int }

func (s span) len() int { return s.end - s.start }

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
// body, so appends never move it and earlier Data slices stay valid.
func (a *putArena) prepare(bodyLen int) {
	need := bodyLen/4*3 + 3
	if cap(a.data) < need {
		a.data = make([]byte, 0, need)
	}
	a.data = a.data[:0]
	a.spans = a.spans[:0]
}

// fastLimits are the bounds the fast decoder checks itself.
type fastLimits struct {
	maxData int // Options.MaxRecordDataBytes
}

// scanner walks a JSON body. Its methods report false for anything the fast
// path declines.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) skipSpace() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// next skips white space and consumes c if it comes next.
func (s *scanner) next(c byte) bool {
	s.skipSpace()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// str reads a string without escapes and returns its bytes' span in the body.
// Non-ASCII text must be valid UTF-8: encoding/json would replace invalid bytes.
func (s *scanner) str() (span, bool) {
	if !s.next('"') {
		return span{}, false
	}
	start := s.i
	ascii := true
	s.i += plainPrefixBytes(s.b[s.i:])
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			sp := span{start, s.i}
			s.i++
			return sp, ascii || utf8.Valid(s.b[sp.start:sp.end])
		case c == '\\' || c < 0x20:
			return span{}, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
		s.i++
	}
	return span{}, false
}

// boolean reads true or false.
func (s *scanner) boolean() (bool, bool) {
	s.skipSpace()
	rest := s.b[s.i:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		s.i += 4
		return true, true
	case len(rest) >= 5 && string(rest[:5]) == "false":
		s.i += 5
		return false, true
	}
	return false, false
}

// end reports whether only white space is left.
func (s *scanner) end() bool {
	s.skipSpace()
	return s.i == len(s.b)
}

// members calls fn for each member of an object, with the key's text; fn reads
// the value. It stops with false as soon as fn or the syntax fails.
func (s *scanner) members(fn func(key []byte) bool) bool {
	if !s.next('{') {
		return false
	}
	if s.next('}') {
		return true
	}
	for {
		k, ok := s.str()
		if !ok || !s.next(':') {
			return false
		}
		if !fn(s.b[k.start:k.end]) {
			return false
		}
		if s.next('}') {
			return true
		}
		if !s.next(',') {
			return false
		}
	}
}

// blob decodes a canonical base64 string into the arena. The string is not
// scanned byte by byte: the decoder itself rejects every byte outside the
// alphabet (quotes, backslashes, control characters, non-ASCII) except CR and
// LF, which it skips; a skipped byte shows as a short result, so the length
// check below rejects those too.
func (s *scanner) blob(a *putArena, maxData int) (span, bool) {
	if !s.next('"') {
		return span{}, false
	}
	end := bytes.IndexByte(s.b[s.i:], '"')
	if end < 0 {
		return span{}, false
	}
	src := s.b[s.i : s.i+end]
	s.i += end + 1
	if len(src)%4 != 0 {
		return span{}, false
	}
	want := len(src) / 4 * 3
	if len(src) > 0 && src[len(src)-1] == '=' {
		want--
		if src[len(src)-2] == '=' {
			want--
		}
	}
	start := len(a.data)
	if want > maxData || cap(a.data)-start < len(src)/4*3 {
		return span{}, false
	}
	n, err := base64.StdEncoding.Strict().Decode(a.data[start:start+len(src)/4*3], src)
	if err != nil || n != want {
		return span{}, false
	}
	a.data = a.data[:start+n]
	return span{start, start + n}, true
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
	name, arn, id span
	dryRun        bool
}

func (m *streamMembers) read(s *scanner, key []byte, seen *uint16) (handled, ok bool) {
	switch string(key) {
	case "StreamName":
		m.name, ok = s.str()
		return true, ok && markSeen(seen, seenStreamName)
	case "StreamARN":
		m.arn, ok = s.str()
		return true, ok && markSeen(seen, seenStreamARN)
	case "StreamId":
		m.id, ok = s.str()
		return true, ok && markSeen(seen, seenStreamID)
	case "DryRun":
		m.dryRun, ok = s.boolean()
		return true, ok && markSeen(seen, seenDryRun)
	}
	return false, false
}

// valid checks the stream members' constraints: one of StreamName and StreamARN
// is required, and each present member must satisfy its shape.
func (m *streamMembers) valid(b []byte, seen uint16) bool {
	if seen&(seenStreamName|seenStreamARN) == 0 {
		return false
	}
	return (seen&seenStreamName == 0 || shapeValid(b, m.name, shapeStreamName)) &&
		(seen&seenStreamARN == 0 || shapeValid(b, m.arn, shapeStreamARN)) &&
		(seen&seenStreamID == 0 || shapeValid(b, m.id, shapeStreamID))
}

func shapeValid(b []byte, sp span, s *shape) bool {
	return stringValid(string(b[sp.start:sp.end]), s)
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
	a.prepare(len(body))
	s := scanner{b: body}
	var seen uint16
	var sm streamMembers
	ok := s.members(func(key []byte) bool {
		if string(key) == "Records" {
			return markSeen(&seen, seenRecords) && s.records(a, lim)
		}
		handled, ok := sm.read(&s, key, &seen)
		return handled && ok
	}) && s.end()
	if !ok || seen&seenRecords == 0 || !sm.valid(body, seen) {
		return nil, false
	}
	in := &PutRecordsInput{DryRun: sm.dryRun}
	t := packText(body, a.spans, sm.name, sm.arn, sm.id)
	in.StreamName, in.StreamARN, in.StreamId = t.cut(sm.name), t.cut(sm.arn), t.cut(sm.id)
	a.records = a.records[:0]
	for _, e := range a.spans {
		a.records = append(a.records, PutRecordsRequestEntry{
			Data:            a.data[e.data.start:e.data.end:e.data.end],
			PartitionKey:    t.cut(e.key),
			ExplicitHashKey: t.cut(e.hashKey),
		})
	}
	in.Records = a.records
	return in, true
}

// records reads the Records array.
func (s *scanner) records(a *putArena, lim fastLimits) bool {
	if !s.next('[') || s.next(']') {
		return false // an empty list fails validation: the general path says how
	}
	for {
		if len(a.spans) == kinesis.MaxPutRecordsEntries {
			return false
		}
		e, ok := s.entry(a, lim)
		if !ok {
			return false
		}
		a.spans = append(a.spans, e)
		if s.next(']') {
			return true
		}
		if !s.next(',') {
			return false
		}
	}
}

// entry reads one PutRecordsRequestEntry.
func (s *scanner) entry(a *putArena, lim fastLimits) (entrySpan, bool) {
	var e entrySpan
	var seen uint16
	ok := s.members(func(key []byte) bool {
		ok, _ := s.recordMember(key, &e, &seen, a, lim)
		return ok
	})
	return e, ok && seen&(seenData|seenPartitionKey) == seenData|seenPartitionKey
}

// recordMember reads Data, PartitionKey or ExplicitHashKey into e. It reports
// handled false for any other key.
func (s *scanner) recordMember(key []byte, e *entrySpan, seen *uint16, a *putArena, lim fastLimits) (ok, handled bool) {
	switch string(key) {
	case "Data":
		e.data, ok = s.blob(a, lim.maxData)
		return ok && markSeen(seen, seenData), true
	case "PartitionKey":
		e.key, ok = s.str()
		return ok && markSeen(seen, seenPartitionKey) && validPartitionKey(s.b[e.key.start:e.key.end]), true
	case "ExplicitHashKey":
		e.hashKey, ok = s.str()
		return ok && markSeen(seen, seenHashKey) && validHashKey(s.b[e.hashKey.start:e.hashKey.end]), true
	}
	return false, false
}

// decodePutRecordFast decodes a PutRecord body, as decodePutRecordsFast does.
func decodePutRecordFast(body []byte, lim fastLimits, a *putArena) (*PutRecordInput, bool) {
	a.prepare(len(body))
	s := scanner{b: body}
	var seen uint16
	var sm streamMembers
	var e entrySpan
	var seq span
	ok := s.members(func(key []byte) bool {
		if ok, handled := s.recordMember(key, &e, &seen, a, lim); handled {
			return ok
		}
		if string(key) == "SequenceNumberForOrdering" {
			var ok bool
			seq, ok = s.str()
			return ok && markSeen(&seen, seenSequence) && validSequenceNumber(body[seq.start:seq.end])
		}
		handled, ok := sm.read(&s, key, &seen)
		return handled && ok
	}) && s.end()
	if !ok || seen&(seenData|seenPartitionKey) != seenData|seenPartitionKey || !sm.valid(body, seen) {
		return nil, false
	}
	t := packText(body, []entrySpan{e}, sm.name, sm.arn, sm.id, seq)
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
// allocation: the extra spans first, then each record's partition key and hash
// key. The caller must cut them in that order.
func packText(body []byte, spans []entrySpan, extra ...span) packedText {
	n := 0
	for _, sp := range extra {
		n += sp.len()
	}
	for _, e := range spans {
		n += e.key.len() + e.hashKey.len()
	}
	var b strings.Builder
	b.Grow(n)
	for _, sp := range extra {
		b.Write(body[sp.start:sp.end])
	}
	for _, e := range spans {
		b.Write(body[e.key.start:e.key.end])
		b.Write(body[e.hashKey.start:e.hashKey.end])
	}
	return packedText{text: b.String()}
}

func (t *packedText) cut(sp span) string {
	s := t.text[t.pos : t.pos+sp.len()]
	t.pos += sp.len()
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
			dst = appendJSONString(dst, m.val)
		}
		if sep == '{' {
			dst = append(dst, '{')
		}
		dst = append(dst, '}')
	}
	dst = append(dst, ']')
	if out.EncryptionType != "" {
		dst = append(dst, `,"EncryptionType":`...)
		dst = appendJSONString(dst, out.EncryptionType)
	}
	return append(dst, '}')
}
