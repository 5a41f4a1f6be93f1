package server

import (
	"encoding/base64"
	"strconv"
)

// GetRecords responses are written straight from the Backend's RecordSink calls
// into the response buffer: each record is encoded while its bytes are valid
// (they may alias memory-mapped segments) and nothing is kept per record. The
// rest of the output, known only once the Backend returns, closes the body.

// streamChunkBytes is how much of a GetRecords answer is built before the
// server starts sending it. A smaller answer goes out whole with its
// Content-Length; a larger one (up to 10 MiB of data, 13 MiB of JSON) is sent
// in pieces of about this size, so that it never sits in memory whole.
const streamChunkBytes = 256 << 10

// flushFunc sends b, the start of the answer, and returns the buffer to go on
// with.
type flushFunc func(b []byte) ([]byte, error)

// recordEncoder is the RecordSink the server hands to Backend.GetRecords.
type recordEncoder interface {
	RecordSink
	// finish closes the records and appends the rest of out, returning the body.
	finish(out *GetRecordsOutput) []byte
}

// jsonRecords writes {"Records":[{…},…],"NextShardIterator":…,…}.
type jsonRecords struct {
	buf   []byte
	n     int
	flush flushFunc
}

func newJSONRecords(buf []byte, flush flushFunc) *jsonRecords {
	return &jsonRecords{buf: append(buf, `{"Records":[`...), flush: flush}
}

// Record appends one record, members in the model's order.
func (e *jsonRecords) Record(sequenceNumber []byte, arrivalMs int64, partitionKey []byte, data []byte) error {
	b := e.buf
	if e.n > 0 {
		b = append(b, ',')
	}
	e.n++
	b = append(b, `{"SequenceNumber":`...)
	b = appendJSONBytes(b, sequenceNumber)
	b = append(b, `,"ApproximateArrivalTimestamp":`...)
	b = appendEpochMillis(b, arrivalMs)
	b = append(b, `,"Data":"`...)
	b = base64.StdEncoding.AppendEncode(b, data)
	b = append(b, `","PartitionKey":`...)
	b = appendJSONBytes(b, partitionKey)
	e.buf = append(b, '}')
	return e.maybeFlush()
}

func (e *jsonRecords) maybeFlush() (err error) {
	if len(e.buf) >= streamChunkBytes && e.flush != nil {
		e.buf, err = e.flush(e.buf)
	}
	return err
}

func (e *jsonRecords) finish(out *GetRecordsOutput) []byte {
	b := append(e.buf, ']')
	if out.NextShardIterator != "" {
		b = append(b, `,"NextShardIterator":`...)
		b = appendJSONString(b, out.NextShardIterator)
	}
	b = append(b, `,"MillisBehindLatest":`...)
	b = strconv.AppendInt(b, out.MillisBehindLatest, 10)
	if len(out.ChildShards) > 0 {
		b = append(b, `,"ChildShards":`...)
		b = appendOutputJSON(b, out.ChildShards)
	}
	return append(b, '}')
}

// cborRecords writes the same members as a CBOR map. The record count is not
// known in advance, so the map and the records array have indefinite length.
type cborRecords struct {
	buf   []byte
	flush flushFunc
}

func newCBORRecords(buf []byte, flush flushFunc) *cborRecords {
	buf = append(buf, cborMap|cborIndefinite)
	buf = cborAppendText(buf, "Records")
	return &cborRecords{buf: append(buf, cborArray|cborIndefinite), flush: flush}
}

func (e *cborRecords) Record(sequenceNumber []byte, arrivalMs int64, partitionKey []byte, data []byte) error {
	b := cborAppendHead(e.buf, cborMap, 4)
	b = cborAppendText(b, "SequenceNumber")
	b = cborAppendTextBytes(b, sequenceNumber)
	b = cborAppendText(b, "ApproximateArrivalTimestamp")
	b = cborAppendMillis(b, arrivalMs)
	b = cborAppendText(b, "Data")
	b = cborAppendBytes(b, data)
	b = cborAppendText(b, "PartitionKey")
	e.buf = cborAppendTextBytes(b, partitionKey)
	if len(e.buf) >= streamChunkBytes && e.flush != nil {
		var err error
		e.buf, err = e.flush(e.buf)
		return err
	}
	return nil
}

func (e *cborRecords) finish(out *GetRecordsOutput) []byte {
	b := append(e.buf, cborBreak)
	if out.NextShardIterator != "" {
		b = cborAppendText(b, "NextShardIterator")
		b = cborAppendText(b, out.NextShardIterator)
	}
	b = cborAppendText(b, "MillisBehindLatest")
	b = cborAppendInt(b, out.MillisBehindLatest)
	if len(out.ChildShards) > 0 {
		b = cborAppendText(b, "ChildShards")
		b = appendOutputCBOR(b, out.ChildShards)
	}
	return append(b, cborBreak)
}
