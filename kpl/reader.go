package kpl

import (
	"bytes"
	"crypto/md5"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// Deaggregate returns the user records of an aggregated record, in order; the index of each
// is its sub-sequence number. Their Data share data's memory. A record that is not an
// aggregate gives ErrNotAggregated; one with the magic but a wrong trailer or body gives a
// *FormatError (ErrChecksum, ErrMalformed). Either way the record is an ordinary one.
func Deaggregate(data []byte) ([]Record, error) {
	if len(data) < minSize || !bytes.Equal(data[:magicSize], Magic[:]) {
		return nil, ErrNotAggregated
	}
	body := data[magicSize : len(data)-trailerSize]
	trailer := data[len(data)-trailerSize:]
	if sum := md5.Sum(body); !bytes.Equal(sum[:], trailer) {
		return nil, &FormatError{Offset: len(data) - trailerSize, Err: ErrChecksum,
			Reason: fmt.Sprintf("trailer %x, MD5 of the %d-byte body %x", trailer, len(body), sum)}
	}
	return decodeAggregate(body, magicSize)
}

// decodeAggregate decodes the AggregatedRecord body, which starts at byte off of the
// Kinesis record. The records may come before the tables on the wire, so the body is read
// twice: the tables first, then the records, resolved as they come. Nothing is kept of a
// field but what it decodes to, so memory stays proportional to the records returned.
func decodeAggregate(body []byte, off int) ([]Record, error) {
	var keys, hashKeys []string
	err := eachField(body, off, func(f field) error {
		switch {
		case f.num == fieldPartitionKeyTable && f.typ == protowire.BytesType:
			keys = append(keys, string(f.bytes))
		case f.num == fieldExplicitHashKeyTable && f.typ == protowire.BytesType:
			hashKeys = append(hashKeys, string(f.bytes))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	records := []Record{}
	err = eachField(body, off, func(f field) error {
		if f.num != fieldRecords || f.typ != protowire.BytesType {
			return nil
		}
		r, err := decodeRecord(f, keys, hashKeys)
		if err != nil {
			return fmt.Errorf("record %d: %w", len(records), err)
		}
		records = append(records, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return records, nil
}

// decodeRecord decodes one Record message and resolves its table indexes.
func decodeRecord(f field, keys, hashKeys []string) (Record, error) {
	var keyIdx, hashIdx uint64
	var hasKey, hasHash, hasData bool
	var r Record
	err := eachField(f.bytes, f.valueOff, func(g field) error {
		switch {
		case g.num == fieldPartitionKeyIndex && g.typ == protowire.VarintType:
			keyIdx, hasKey = g.varint, true
		case g.num == fieldExplicitHashKeyIndex && g.typ == protowire.VarintType:
			hashIdx, hasHash = g.varint, true
		case g.num == fieldData && g.typ == protowire.BytesType:
			r.Data, hasData = g.bytes, true
		case g.num == fieldTags && g.typ == protowire.BytesType:
			return checkTag(g)
		}
		return nil
	})
	switch {
	case err != nil:
		return Record{}, err
	case !hasKey:
		return Record{}, malformed(f.off, "no partition_key_index")
	case !hasData:
		return Record{}, malformed(f.off, "no data")
	case keyIdx >= uint64(len(keys)):
		return Record{}, malformed(f.off, "partition_key_index %d, table of %d", keyIdx, len(keys))
	case hasHash && hashIdx >= uint64(len(hashKeys)):
		return Record{}, malformed(f.off, "explicit_hash_key_index %d, table of %d", hashIdx, len(hashKeys))
	}
	r.PartitionKey = keys[keyIdx]
	if hasHash {
		r.ExplicitHashKey = hashKeys[hashIdx]
	}
	return r, nil
}

// checkTag checks that a Tag message is well formed and has its required key. Tags are
// then dropped: no KPL writes them, and the KCL does not hand them on.
func checkTag(f field) error {
	hasKey := false
	err := eachField(f.bytes, f.valueOff, func(g field) error {
		if g.num == fieldTagKey && g.typ == protowire.BytesType {
			hasKey = true
		}
		return nil
	})
	if err == nil && !hasKey {
		err = malformed(f.off, "tag without a key")
	}
	return err
}

// field is one field of a protobuf message.
type field struct {
	num      protowire.Number
	typ      protowire.Type
	varint   uint64 // the value of a VarintType field
	bytes    []byte // the value of a BytesType field
	off      int    // byte of the Kinesis record where the field's tag starts
	valueOff int    // byte where its value (after a length, for BytesType) starts
}

// eachField calls fn with each field of msg, which starts at byte off of the Kinesis record.
// Groups and fixed-width fields, which no message here has, are checked and skipped.
func eachField(msg []byte, off int, fn func(field) error) error {
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		if n < 0 {
			return malformed(off, "field tag: %v", protowire.ParseError(n))
		}
		f := field{num: num, typ: typ, off: off, valueOff: off + n}
		var m int
		switch typ {
		case protowire.VarintType:
			f.varint, m = protowire.ConsumeVarint(msg[n:])
		case protowire.BytesType:
			f.bytes, m = protowire.ConsumeBytes(msg[n:])
			f.valueOff += m - len(f.bytes)
		default:
			m = protowire.ConsumeFieldValue(num, typ, msg[n:])
		}
		if m < 0 {
			return malformed(off, "field %d (wire type %d): %v", num, typ, protowire.ParseError(m))
		}
		if err := fn(f); err != nil {
			return err
		}
		msg, off = msg[n+m:], off+n+m
	}
	return nil
}

func malformed(off int, format string, args ...any) error {
	return &FormatError{Offset: off, Reason: fmt.Sprintf(format, args...), Err: ErrMalformed}
}
