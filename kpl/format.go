package kpl

// An aggregated record is the data of one Kinesis record, laid out as the KPL writes it
// (amazon-kinesis-producer, aggregation-format.md):
//
//	+---------------------+------------------------------------+------------------------+
//	| magic (4B)          | AggregatedRecord (protobuf, proto2) | MD5 of the protobuf (16B) |
//	| F3 89 9A C2         | any length                          |                        |
//	+---------------------+------------------------------------+------------------------+
//
// The messages, with their field numbers:
//
//	message AggregatedRecord {
//	  repeated string partition_key_table     = 1;
//	  repeated string explicit_hash_key_table = 2;
//	  repeated Record records                 = 3;
//	}
//	message Record {
//	  required uint64 partition_key_index     = 1; // into partition_key_table
//	  optional uint64 explicit_hash_key_index = 2; // into explicit_hash_key_table
//	  required bytes  data                    = 3;
//	  repeated Tag    tags                    = 4; // written by no KPL; checked and dropped
//	}
//	message Tag {
//	  required string key   = 1;
//	  optional string value = 2;
//	}
//
// The tables hold each distinct key once, so that records sharing a key share its bytes.
// The MD5 trailer is what tells an aggregate from an ordinary record that happens to start
// with the magic bytes; it covers the protobuf bytes only.
//
// Fields are encoded and decoded with protowire, the wire-level half of
// google.golang.org/protobuf: the three messages are small and fixed, and a generated .pb.go
// would need protoc for no gain. The decoder follows protobuf's rules where the KCL's
// generated parser does: fields in any order, the last of a repeated scalar wins, unknown
// fields (and known numbers with another wire type) are skipped, and a missing required
// field makes the message invalid.

import (
	"crypto/md5"

	"google.golang.org/protobuf/encoding/protowire"
)

// Magic starts every aggregated record.
var Magic = [4]byte{0xF3, 0x89, 0x9A, 0xC2}

const (
	magicSize   = len(Magic)              // the magic bytes
	trailerSize = md5.Size                // MD5 of the protobuf body
	overhead    = magicSize + trailerSize // an aggregate's bytes besides its body
	minSize     = overhead + 1            // the KCL's test: longer than magic and trailer
)

// Field numbers of the messages.
const (
	fieldPartitionKeyTable    protowire.Number = 1 // AggregatedRecord.partition_key_table
	fieldExplicitHashKeyTable protowire.Number = 2 // AggregatedRecord.explicit_hash_key_table
	fieldRecords              protowire.Number = 3 // AggregatedRecord.records

	fieldPartitionKeyIndex    protowire.Number = 1 // Record.partition_key_index
	fieldExplicitHashKeyIndex protowire.Number = 2 // Record.explicit_hash_key_index
	fieldData                 protowire.Number = 3 // Record.data
	fieldTags                 protowire.Number = 4 // Record.tags

	fieldTagKey protowire.Number = 1 // Tag.key
)

// Record is one user record of an aggregate.
type Record struct {
	PartitionKey    string
	ExplicitHashKey string // a decimal hash key; empty when the user record has none
	Data            []byte
}

// Aggregate returns the data of one Kinesis record that carries records, in order. It
// fails only when records is empty.
func Aggregate(records []Record) ([]byte, error) {
	var b Builder
	for _, r := range records {
		b.Add(r)
	}
	return b.Bytes()
}

// Builder makes one aggregate, a user record at a time. The zero value is an empty Builder.
type Builder struct {
	keys      []string          // partition_key_table
	keyIndex  map[string]uint64 // index of each key in keys
	hashKeys  []string          // explicit_hash_key_table
	hashIndex map[string]uint64 // index of each hash key in hashKeys
	records   []byte            // the records fields, encoded as they were added
	count     int               // user records added
	tables    int               // encoded bytes of the two tables
}

// Len returns the number of user records added.
func (b *Builder) Len() int { return b.count }

// Size returns the length of the aggregate Bytes would return now: magic, body and trailer.
func (b *Builder) Size() int { return overhead + b.tables + len(b.records) }

// SizeWith returns what Size would be after Add(r).
func (b *Builder) SizeWith(r Record) int {
	keyIdx, newKey := lookup(b.keyIndex, len(b.keys), r.PartitionKey)
	hashIdx, newHash := lookup(b.hashIndex, len(b.hashKeys), r.ExplicitHashKey)
	size := b.Size() + recordFieldSize(keyIdx, hashIdx, r)
	if newKey {
		size += tableEntrySize(fieldPartitionKeyTable, r.PartitionKey)
	}
	if newHash && r.ExplicitHashKey != "" {
		size += tableEntrySize(fieldExplicitHashKeyTable, r.ExplicitHashKey)
	}
	return size
}

// Add appends r to the aggregate. Its Data is copied.
func (b *Builder) Add(r Record) {
	keyIdx := b.intern(&b.keys, &b.keyIndex, fieldPartitionKeyTable, r.PartitionKey)
	var hashIdx uint64
	if r.ExplicitHashKey != "" {
		hashIdx = b.intern(&b.hashKeys, &b.hashIndex, fieldExplicitHashKeyTable, r.ExplicitHashKey)
	}
	b.records = protowire.AppendTag(b.records, fieldRecords, protowire.BytesType)
	b.records = protowire.AppendVarint(b.records, uint64(recordSize(keyIdx, hashIdx, r)))
	b.records = protowire.AppendTag(b.records, fieldPartitionKeyIndex, protowire.VarintType)
	b.records = protowire.AppendVarint(b.records, keyIdx) // partition_key_index
	if r.ExplicitHashKey != "" {
		b.records = protowire.AppendTag(b.records, fieldExplicitHashKeyIndex, protowire.VarintType)
		b.records = protowire.AppendVarint(b.records, hashIdx) // explicit_hash_key_index
	}
	b.records = protowire.AppendTag(b.records, fieldData, protowire.BytesType)
	b.records = protowire.AppendBytes(b.records, r.Data) // data
	b.count++
}

// Bytes returns the aggregate of the records added so far: magic, body, MD5 trailer. It
// fails with ErrNoRecords when none were. The Builder is left as it was.
func (b *Builder) Bytes() ([]byte, error) {
	if b.count == 0 {
		return nil, ErrNoRecords
	}
	out := make([]byte, 0, b.Size())
	out = append(out, Magic[:]...)
	for _, k := range b.keys {
		out = protowire.AppendTag(out, fieldPartitionKeyTable, protowire.BytesType)
		out = protowire.AppendString(out, k)
	}
	for _, k := range b.hashKeys {
		out = protowire.AppendTag(out, fieldExplicitHashKeyTable, protowire.BytesType)
		out = protowire.AppendString(out, k)
	}
	out = append(out, b.records...)
	sum := md5.Sum(out[magicSize:])
	return append(out, sum[:]...), nil
}

// Reset empties the Builder for the next aggregate, keeping its memory.
func (b *Builder) Reset() {
	b.keys, b.hashKeys, b.records = b.keys[:0], b.hashKeys[:0], b.records[:0]
	clear(b.keyIndex)
	clear(b.hashIndex)
	b.count, b.tables = 0, 0
}

// intern returns the index of s in the table, adding it if it is new.
func (b *Builder) intern(table *[]string, index *map[string]uint64, field protowire.Number, s string) uint64 {
	if i, ok := (*index)[s]; ok {
		return i
	}
	if *index == nil {
		*index = map[string]uint64{}
	}
	i := uint64(len(*table))
	*table = append(*table, s)
	(*index)[s] = i
	b.tables += tableEntrySize(field, s)
	return i
}

// lookup returns the index s has, or would get as the next entry of a table of n.
func lookup(index map[string]uint64, n int, s string) (i uint64, isNew bool) {
	if i, ok := index[s]; ok {
		return i, false
	}
	return uint64(n), true
}

// tableEntrySize is the encoded size of one string of a table.
func tableEntrySize(field protowire.Number, s string) int {
	return protowire.SizeTag(field) + protowire.SizeBytes(len(s))
}

// recordSize is the encoded size of the Record message of r, without its own tag and
// length, given the indexes of its keys in the tables.
func recordSize(keyIdx, hashIdx uint64, r Record) int {
	n := protowire.SizeTag(fieldPartitionKeyIndex) + protowire.SizeVarint(keyIdx)
	if r.ExplicitHashKey != "" {
		n += protowire.SizeTag(fieldExplicitHashKeyIndex) + protowire.SizeVarint(hashIdx)
	}
	return n + protowire.SizeTag(fieldData) + protowire.SizeBytes(len(r.Data))
}

// recordFieldSize is the encoded size of the records field holding r.
func recordFieldSize(keyIdx, hashIdx uint64, r Record) int {
	return protowire.SizeTag(fieldRecords) + protowire.SizeBytes(recordSize(keyIdx, hashIdx, r))
}
