package bench

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/shardlog/shardlog/internal/wire"
)

// The load generator reads tens of thousands of records per GetRecords answer. Decoding them
// with encoding/json would cost more than the server spends producing them, so answers are
// read with wire.Scanner, the pull scanner the server reads PutRecords bodies with: it hands
// out strings as slices of the body (no copy unless a string has escapes) and skips every
// member it is not asked about.

// strOrNull reads a string or null; ok is false for null.
func strOrNull(s *wire.Scanner) (v []byte, ok bool) {
	if s.Null() {
		return nil, false
	}
	return s.String(), true
}

// number reads a JSON number as a float64; integers in answers are small enough.
func number(s *wire.Scanner) float64 {
	v, _ := strconv.ParseFloat(string(s.Number()), 64) // the scanner checked the syntax
	return v
}

// array reads an array, calling elem for each element; elem must read it. A null counts as
// an empty array.
func array(s *wire.Scanner, elem func()) {
	if s.Null() {
		return
	}
	s.Array(func() bool { elem(); return true })
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
	s := wire.NewTrustedScanner(body)
	s.Object(func(key []byte) bool {
		switch string(key) {
		case "Records":
			records(&s, &a, record)
		case "NextShardIterator":
			a.next, a.hasNext = strOrNull(&s)
		case "MillisBehindLatest":
			a.behindMs = int64(number(&s))
		case "ChildShards":
			array(&s, func() { a.childShards++; s.Skip() })
		default:
			s.Skip()
		}
		return true
	})
	return a, s.End()
}

// records reads the Records array of a GetRecords answer. It is the hot loop of the
// read-back, so it walks the objects itself rather than through object and array.
func records(s *wire.Scanner, a *getRecordsAnswer, record func(seq, key, data []byte)) {
	if s.Null() {
		return
	}
	s.Want('[')
	if s.Eat(']') {
		return
	}
	for s.Err() == nil {
		var seq, pk, data []byte
		s.Want('{')
		for more := !s.Eat('}'); more && s.Err() == nil; {
			key := s.String()
			s.Want(':')
			switch string(key) {
			case "SequenceNumber":
				seq = s.String()
			case "PartitionKey":
				pk = s.String()
			case "Data":
				data = s.String()
			default:
				s.Skip()
			}
			if s.Eat('}') {
				break
			}
			s.Want(',')
		}
		if s.Err() != nil {
			return
		}
		record(seq, pk, data)
		a.records++
		a.lastSequence = seq
		if s.Eat(']') {
			return
		}
		s.Want(',')
	}
}

// subscribeEvent is what a subscription needs of a SubscribeToShardEvent.
type subscribeEvent struct {
	records     int
	cont        []byte // ContinuationSequenceNumber; aliases the payload
	behindMs    int64  // MillisBehindLatest
	childShards int    // entries of ChildShards: the shard is closed and read to its end
}

// parseSubscribeEvent reads the JSON payload of a SubscribeToShardEvent, calling record for
// each record in order with slices of payload (data is the base64 text as sent).
func parseSubscribeEvent(payload []byte, record func(seq, key, data []byte)) (subscribeEvent, error) {
	var ev subscribeEvent
	var a getRecordsAnswer
	s := wire.NewTrustedScanner(payload)
	s.Object(func(key []byte) bool {
		switch string(key) {
		case "Records":
			records(&s, &a, record)
		case "ContinuationSequenceNumber":
			ev.cont, _ = strOrNull(&s)
		case "MillisBehindLatest":
			ev.behindMs = int64(number(&s))
		case "ChildShards":
			array(&s, func() { ev.childShards++; s.Skip() })
		default:
			s.Skip()
		}
		return true
	})
	ev.records = a.records
	return ev, s.End()
}

// parsePutRecords reads a PutRecords answer: the failed record count, and, only when it is
// not zero, which entries failed (failed[i] for entry i). When the count comes first and is
// zero, as shardlog and kinesalite write it, the entries are not read at all: the read-back
// checks every record anyway.
func parsePutRecords(body []byte, failed []bool) (failedCount int, err error) {
	s := wire.NewTrustedScanner(body)
	i, counted := 0, false
	s.Want('{')
	for s.Err() == nil && !s.Eat('}') {
		if counted && failedCount == 0 {
			return 0, nil
		}
		key := s.String()
		s.Want(':')
		switch string(key) {
		case "FailedRecordCount":
			failedCount, counted = int(number(&s)), true
		case "Records":
			array(&s, func() {
				bad := false
				s.Object(func(key []byte) bool {
					if string(key) == "ErrorCode" {
						_, bad = strOrNull(&s)
						return true
					}
					return s.Skip()
				})
				if i < len(failed) {
					failed[i] = bad
				}
				i++
			})
		default:
			s.Skip()
		}
		if !s.Eat(',') && s.Peek() != '}' {
			s.Want('}') // fails: neither , nor } came
		}
	}
	if err := s.End(); err != nil {
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
	s := wire.NewScanner(body)
	s.Object(func(key []byte) bool {
		if string(key) == member {
			v, found = strOrNull(&s)
			return true
		}
		return s.Skip()
	})
	if err := s.End(); err != nil {
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
