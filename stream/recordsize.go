package stream

import (
	"strconv"
	"strings"

	"github.com/shardlog/shardlog/kinesis"
)

// A stream's maximum record size (MaxRecordSizeKiB, 1024 to 10240 KiB) bounds each record
// it takes, data plus partition key, and decides the PutRecords request limit: the classic
// 5 MiB (kinesis.MaxPutRecordsBytes) at the default 1 MiB, 10 MiB
// (kinesis.MaxPutRecordsBytesLarge) above it. The server refuses what no stream could take
// (10 MiB of data, 10 MiB a request) before it knows the stream; the store checks the
// stream's own limits here, where it has the stream.

// UpdateMaxRecordSize sets the named stream's maximum record size to kib KiB (1024 to
// 10240). It applies to writes at once: AWS documents no UPDATING for it, and the stream
// stays ACTIVE. A stream that is not ACTIVE is streamNotActive.
func (s *Store) UpdateMaxRecordSize(name string, kib int) error {
	return s.change(name, func(info *StreamInfo) (*StreamInfo, error) {
		switch {
		case kib < kinesis.MinMaxRecordSizeKiB || kib > kinesis.MaxMaxRecordSizeKiB:
			return nil, maxRecordSizeOutOfRange(kib)
		case info.Status != StatusActive:
			return nil, streamNotActive(name, info.Account, info.Status)
		case info.MaxRecordSizeKiB == kib:
			return nil, nil
		}
		info.MaxRecordSizeKiB = kib
		return info, nil
	}, nil)
}

// maxRecordBytes returns the largest record the stream takes, data plus partition key.
func (s *StreamInfo) maxRecordBytes() int { return s.MaxRecordSizeKiB << 10 }

// maxPutRecordsBytes returns the PutRecords request limit of the stream.
func (s *StreamInfo) maxPutRecordsBytes() int {
	if s.MaxRecordSizeKiB > kinesis.DefaultMaxRecordSizeKiB {
		return kinesis.MaxPutRecordsBytesLarge
	}
	return kinesis.MaxPutRecordsBytes
}

// checkRecordSizes checks records against the stream's limits, in AWS's order: data over
// the maximum record size is a ValidationException naming each such record (as AWS names
// 'records.N.member.data', or 'data' for PutRecord, with the limit in bytes); data within
// it whose partition key takes the record over is an InvalidArgumentException; then the
// request as a whole must be within the PutRecords limit. single is true for PutRecord.
func checkRecordSizes(info *StreamInfo, in putInput, single bool) error {
	limit, total, over := info.maxRecordBytes(), 0, -1
	for i := range in.recs {
		n := in.dataLen(i) + len(in.recs[i].PartitionKey)
		total += n
		if n > limit && over < 0 {
			over = i
		}
	}
	if over < 0 && (single || total <= info.maxPutRecordsBytes()) {
		return nil // the common case: one pass over the lengths
	}
	if over >= 0 {
		return recordTooLarge(info, in, over, single)
	}
	return recordsTooLarge(info.maxPutRecordsBytes())
}

// recordTooLarge is the error for a request whose record first (and maybe others) is over
// the stream's maximum record size.
func recordTooLarge(info *StreamInfo, in putInput, first int, single bool) error {
	limit := info.maxRecordBytes()
	var msgs []string
	for i := first; i < len(in.recs) && len(msgs) < maxValidationMessages; i++ {
		if in.dataLen(i) > limit {
			msgs = append(msgs, dataTooLongMessage(i, single, limit))
		}
	}
	if len(msgs) > 0 {
		return validationErrors(msgs)
	}
	return recordOverMaxSize(in.dataLen(first)+len(in.recs[first].PartitionKey), first, single, info)
}

// maxValidationMessages is how many violations one ValidationException lists, as AWS's
// request validation does.
const maxValidationMessages = 10

// dataTooLongMessage is one violation of the maximum record size by a record's data, in the
// words AWS used for a 1 MiB stream after the limit became per stream (reported against
// the KPL, amazon-kinesis-producer issue 680): "Value at 'records.1.member.data' failed to
// satisfy constraint: Member must have length less than or equal to 1048576". Unlike the
// model's own check, it does not quote the value.
func dataTooLongMessage(i int, single bool, limit int) string {
	path := "data"
	if !single {
		path = "records." + strconv.Itoa(i+1) + ".member.data"
	}
	return "Value at '" + path + "' failed to satisfy constraint: Member must have length less than or equal to " +
		strconv.Itoa(limit)
}

// validationErrors is the ValidationException that lists msgs, counted as AWS counts them.
func validationErrors(msgs []string) *kinesis.Error {
	noun := " validation errors detected: "
	if len(msgs) == 1 {
		noun = " validation error detected: "
	}
	return kinesis.NewError(kinesis.TypeValidation, strconv.Itoa(len(msgs))+noun+strings.Join(msgs, "; "))
}
