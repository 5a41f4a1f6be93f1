package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// The load generator reads tens of thousands of records per GetRecords answer. Decoding them
// with encoding/json would cost more than the server spends producing them, so answers are
// read with scanner, a small pull parser that hands out the strings as slices of the body
// (no copy unless a string has escapes) and skips every member it is not asked about.

// scanner reads one JSON document. The first problem sticks in err; after it, every method
// returns zero values, so a caller may check err once at the end.
type scanner struct {
	b   []byte
	i   int
	err error
}

func (s *scanner) fail(what string) {
	if s.err == nil {
		s.err = fmt.Errorf("bench: bad JSON at byte %d of %d: %s", s.i, len(s.b), what)
	}
	s.i = len(s.b)
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek returns the next byte that is not white space, or 0 at the end.
func (s *scanner) peek() byte {
	if s.i < len(s.b) && s.b[s.i] > ' ' {
		return s.b[s.i] // the usual case: answers are written without spaces
	}
	s.space()
	if s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

// eat consumes c if it comes next.
func (s *scanner) eat(c byte) bool {
	if s.peek() == c {
		s.i++
		return true
	}
	return false
}

func (s *scanner) want(c byte) {
	if !s.eat(c) {
		s.fail("want " + strconv.QuoteRune(rune(c)))
	}
}

// str reads a string. The result aliases the body unless the string has escapes.
func (s *scanner) str() []byte {
	s.want('"')
	end := bytes.IndexByte(s.b[s.i:], '"')
	if end < 0 {
		s.fail("unterminated string")
		return nil
	}
	v := s.b[s.i : s.i+end]
	if bytes.IndexByte(v, '\\') >= 0 {
		return s.escaped(s.i - 1)
	}
	s.i += end + 1
	return v
}

// escaped finishes a string with escapes that opened at quote, and unescapes it.
func (s *scanner) escaped(quote int) []byte {
	for s.i < len(s.b) && s.b[s.i] != '"' {
		if s.b[s.i] == '\\' {
			s.i++
		}
		s.i++
	}
	if s.i >= len(s.b) {
		s.fail("unterminated string")
		return nil
	}
	s.i++
	var v string
	if err := json.Unmarshal(s.b[quote:s.i], &v); err != nil {
		s.fail(err.Error())
		return nil
	}
	return []byte(v)
}

// strOrNull reads a string or null; ok is false for null.
func (s *scanner) strOrNull() (v []byte, ok bool) {
	if s.null() {
		return nil, false
	}
	return s.str(), true
}

// null consumes null if it comes next.
func (s *scanner) null() bool {
	if s.peek() == 'n' && len(s.b)-s.i >= 4 && string(s.b[s.i:s.i+4]) == "null" {
		s.i += 4
		return true
	}
	return false
}

// number reads a JSON number as a float64; integers in answers are small enough.
func (s *scanner) number() float64 {
	text := s.numberText()
	v, err := strconv.ParseFloat(string(text), 64)
	if err != nil {
		s.fail("bad number")
	}
	return v
}

// numberText reads the text of a number without converting it.
func (s *scanner) numberText() []byte {
	s.space()
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		if (c < '0' || c > '9') && c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E' {
			break
		}
		s.i++
	}
	if s.i == start {
		s.fail("want a number")
	}
	return s.b[start:s.i]
}

// object reads an object, calling member for each key; member must read the value.
func (s *scanner) object(member func(key []byte)) {
	s.want('{')
	if s.eat('}') {
		return
	}
	for s.err == nil {
		key := s.str()
		s.want(':')
		member(key)
		if s.eat('}') {
			return
		}
		s.want(',')
	}
}

// array reads an array, calling elem for each element; elem must read it. A null counts as
// an empty array.
func (s *scanner) array(elem func()) {
	if s.null() {
		return
	}
	s.want('[')
	if s.eat(']') {
		return
	}
	for s.err == nil {
		elem()
		if s.eat(']') {
			return
		}
		s.want(',')
	}
}

// skip reads any value and drops it.
func (s *scanner) skip() {
	switch c := s.peek(); {
	case c == '{':
		s.object(func([]byte) { s.skip() })
	case c == '[':
		s.array(s.skip)
	case c == '"':
		s.str()
	case c == 't' || c == 'f' || c == 'n':
		for s.i < len(s.b) && s.b[s.i] >= 'a' && s.b[s.i] <= 'z' {
			s.i++
		}
	case c == '-' || (c >= '0' && c <= '9'):
		s.numberText()
	default:
		s.fail("want a value")
	}
}

// end checks that nothing but white space follows the document, and returns the sticky error.
func (s *scanner) end() error {
	if s.err == nil && s.peek() != 0 {
		s.fail("data after the document")
	}
	return s.err
}

// getRecordsAnswer is what the read-back needs of a GetRecords answer.
type getRecordsAnswer struct {
	records      int
	next         []byte // NextShardIterator; aliases the body
	hasNext      bool   // false when the shard is closed and read to its end
	behindMs     int64  // MillisBehindLatest
	childShards  int    // entries of ChildShards
	lastSequence []byte // SequenceNumber of the last record; aliases the body
}

// parseGetRecords reads a GetRecords answer, calling record for each record in order with
// slices of body (data is the base64 text as sent).
func parseGetRecords(body []byte, record func(seq, key, data []byte)) (getRecordsAnswer, error) {
	var a getRecordsAnswer
	s := scanner{b: body}
	s.object(func(key []byte) {
		switch string(key) {
		case "Records":
			s.records(&a, record)
		case "NextShardIterator":
			a.next, a.hasNext = s.strOrNull()
		case "MillisBehindLatest":
			a.behindMs = int64(s.number())
		case "ChildShards":
			s.array(func() { a.childShards++; s.skip() })
		default:
			s.skip()
		}
	})
	return a, s.end()
}

// records reads the Records array of a GetRecords answer. It is the hot loop of the
// read-back, so it walks the objects itself rather than through object and array.
func (s *scanner) records(a *getRecordsAnswer, record func(seq, key, data []byte)) {
	if s.null() {
		return
	}
	s.want('[')
	if s.eat(']') {
		return
	}
	for s.err == nil {
		var seq, pk, data []byte
		s.want('{')
		for more := !s.eat('}'); more && s.err == nil; {
			key := s.str()
			s.want(':')
			switch string(key) {
			case "SequenceNumber":
				seq = s.str()
			case "PartitionKey":
				pk = s.str()
			case "Data":
				data = s.str()
			default:
				s.skip()
			}
			if s.eat('}') {
				break
			}
			s.want(',')
		}
		if s.err != nil {
			return
		}
		record(seq, pk, data)
		a.records++
		a.lastSequence = seq
		if s.eat(']') {
			return
		}
		s.want(',')
	}
}

// parsePutRecords reads a PutRecords answer: the failed record count, and, only when it is
// not zero, which entries failed (failed[i] for entry i). When the count comes first and is
// zero, as shardlog and kinesalite write it, the entries are not read at all: the read-back
// checks every record anyway.
func parsePutRecords(body []byte, failed []bool) (failedCount int, err error) {
	s := scanner{b: body}
	i, counted := 0, false
	s.want('{')
	for s.err == nil && !s.eat('}') {
		if counted && failedCount == 0 {
			return 0, nil
		}
		key := s.str()
		s.want(':')
		switch string(key) {
		case "FailedRecordCount":
			failedCount, counted = int(s.number()), true
		case "Records":
			s.array(func() {
				bad := false
				s.object(func(key []byte) {
					if string(key) == "ErrorCode" {
						_, bad = s.strOrNull()
						return
					}
					s.skip()
				})
				if i < len(failed) {
					failed[i] = bad
				}
				i++
			})
		default:
			s.skip()
		}
		if !s.eat(',') && s.peek() != '}' {
			s.fail("want , or }")
		}
	}
	if err := s.end(); err != nil {
		return 0, err
	}
	if !counted {
		return 0, fmt.Errorf("bench: PutRecords answer has no FailedRecordCount: %.200s", body)
	}
	if i != len(failed) {
		return 0, fmt.Errorf("bench: PutRecords answered %d entries for %d records", i, len(failed))
	}
	return failedCount, nil
}

// parseString returns the string member key of a JSON object (GetShardIterator's
// ShardIterator), or an error if it is missing.
func parseString(body []byte, member string) ([]byte, error) {
	var v []byte
	found := false
	s := scanner{b: body}
	s.object(func(key []byte) {
		if string(key) == member {
			v, found = s.strOrNull()
			return
		}
		s.skip()
	})
	if err := s.end(); err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("bench: answer has no %s: %.200s", member, body)
	}
	return v, nil
}

// parseError reads a Kinesis error body ({"__type": …, "message": …}); a body that is not
// one gives what can be read of it.
func parseError(op string, status int, body []byte) *APIError {
	e := &APIError{Operation: op, Status: status}
	var v map[string]any
	if json.Unmarshal(body, &v) != nil {
		e.Message = fmt.Sprintf("%.200s", body)
		return e
	}
	e.Type, _ = v["__type"].(string)
	for _, k := range []string{"message", "Message"} {
		if m, ok := v[k].(string); ok {
			e.Message = m
		}
	}
	return e
}
