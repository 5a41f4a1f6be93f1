package wire

import (
	"strconv"
)

// GetRecords answers are written straight from the Backend's RecordSink calls
// into the response buffer: each record is encoded while its bytes are valid
// (they may alias memory-mapped segments) and nothing is kept per record. The
// rest of the answer, known only once the Backend returns, closes the body
// (Finish).

// StreamChunkBytes is how much of a GetRecords answer is built before the
// server starts sending it. A smaller answer goes out whole with its
// Content-Length; a larger one (up to 10 MiB of data, 13 MiB of JSON) is sent
// in pieces of about this size, so that it never sits in memory whole.
const StreamChunkBytes = 256 << 10

// FlushFunc sends b, the start of the answer, and returns the buffer to go on
// with.
type FlushFunc func(b []byte) ([]byte, error)

// RecordsEnd is what follows the records in a GetRecords answer, or in a
// SubscribeToShardEvent.
type RecordsEnd struct {
	NextShardIterator          string // left out when empty: the shard is closed and read to its end
	ContinuationSequenceNumber string // a SubscribeToShardEvent's; left out when empty
	MillisBehindLatest         int64
	ChildShards                any // a slice of output structs, left out when nil
}

// pieces is the answer being built, and how to send its start.
type pieces struct {
	buf        []byte
	flush      FlushFunc
	encryption string // each record's EncryptionType; "" leaves it out
}

// SetEncryptionType makes every record from now on carry EncryptionType t, as
// AWS writes it for the records of an encrypted stream ("KMS"); "" leaves the
// member out, as for a stream that is not encrypted.
func (p *pieces) SetEncryptionType(t string) { p.encryption = t }

// maybeFlush sends the answer so far once it passes StreamChunkBytes.
func (p *pieces) maybeFlush() (err error) {
	if len(p.buf) >= StreamChunkBytes && p.flush != nil {
		p.buf, err = p.flush(p.buf)
	}
	return err
}

// JSONRecords writes {"Records":[{…},…],"NextShardIterator":…,…}.
type JSONRecords struct {
	pieces
	n    int
	time arrivalText
}

// NewJSONRecords starts an answer in buf; flush, if not nil, is called each
// time the answer passes StreamChunkBytes.
func NewJSONRecords(buf []byte, flush FlushFunc) *JSONRecords {
	return &JSONRecords{pieces: pieces{buf: append(buf, `{"Records":[`...), flush: flush}}
}

// Record appends one record, members in the model's order.
func (e *JSONRecords) Record(sequenceNumber []byte, arrivalMs int64, partitionKey []byte, data []byte) error {
	b := e.buf
	if e.n > 0 {
		b = append(b, ',')
	}
	e.n++
	b = append(b, `{"SequenceNumber":`...)
	b = AppendString(b, sequenceNumber)
	b = append(b, `,"ApproximateArrivalTimestamp":`...)
	b = e.time.append(b, arrivalMs)
	b = append(b, `,"Data":"`...)
	b = appendBase64(b, data)
	b = append(b, `","PartitionKey":`...)
	b = AppendString(b, partitionKey)
	if e.encryption != "" {
		b = append(b, `,"EncryptionType":`...)
		b = AppendString(b, e.encryption)
	}
	e.buf = append(b, '}')
	return e.maybeFlush()
}

// Finish closes the records, appends end and returns the body.
func (e *JSONRecords) Finish(end RecordsEnd) []byte {
	b := append(e.buf, ']')
	if end.NextShardIterator != "" {
		b = append(b, `,"NextShardIterator":`...)
		b = AppendString(b, end.NextShardIterator)
	}
	if end.ContinuationSequenceNumber != "" {
		b = append(b, `,"ContinuationSequenceNumber":`...)
		b = AppendString(b, end.ContinuationSequenceNumber)
	}
	b = append(b, `,"MillisBehindLatest":`...)
	b = strconv.AppendInt(b, end.MillisBehindLatest, 10)
	if end.ChildShards != nil {
		b = append(b, `,"ChildShards":`...)
		b = AppendOutputJSON(b, end.ChildShards)
	}
	return append(b, '}')
}

// CBORRecords writes the same members as a CBOR map. The record count is not
// known in advance, so the map and the records array have indefinite length.
type CBORRecords struct {
	pieces
}

// NewCBORRecords is NewJSONRecords for CBOR.
func NewCBORRecords(buf []byte, flush FlushFunc) *CBORRecords {
	buf = append(buf, CBORMap|CBORIndefinite)
	buf = AppendCBORText(buf, "Records")
	return &CBORRecords{pieces{buf: append(buf, CBORArray|CBORIndefinite), flush: flush}}
}

// Record appends one record, a map of four members (five with EncryptionType).
func (e *CBORRecords) Record(sequenceNumber []byte, arrivalMs int64, partitionKey []byte, data []byte) error {
	members := uint64(4)
	if e.encryption != "" {
		members++
	}
	b := AppendCBORHead(e.buf, CBORMap, members)
	b = AppendCBORText(b, "SequenceNumber")
	b = AppendCBORText(b, sequenceNumber)
	b = AppendCBORText(b, "ApproximateArrivalTimestamp")
	b = AppendCBORMillis(b, arrivalMs)
	b = AppendCBORText(b, "Data")
	b = AppendCBORBytes(b, data)
	b = AppendCBORText(b, "PartitionKey")
	b = AppendCBORText(b, partitionKey)
	if e.encryption != "" {
		b = AppendCBORText(b, "EncryptionType")
		b = AppendCBORText(b, e.encryption)
	}
	e.buf = b
	return e.maybeFlush()
}

// Finish closes the records, appends end and returns the body.
func (e *CBORRecords) Finish(end RecordsEnd) []byte {
	b := append(e.buf, CBORBreak)
	if end.NextShardIterator != "" {
		b = AppendCBORText(b, "NextShardIterator")
		b = AppendCBORText(b, end.NextShardIterator)
	}
	if end.ContinuationSequenceNumber != "" {
		b = AppendCBORText(b, "ContinuationSequenceNumber")
		b = AppendCBORText(b, end.ContinuationSequenceNumber)
	}
	b = AppendCBORText(b, "MillisBehindLatest")
	b = AppendCBORInt(b, end.MillisBehindLatest)
	if end.ChildShards != nil {
		b = AppendCBORText(b, "ChildShards")
		b = AppendOutputCBOR(b, end.ChildShards)
	}
	return append(b, CBORBreak)
}
