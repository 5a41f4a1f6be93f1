// Package kpl reads and writes the aggregated records of the Kinesis Producer Library (KPL):
// one Kinesis record that carries many user records, each with its own partition key and,
// optionally, its own explicit hash key. The KPL writes them to fit more small records into
// each PutRecords call; the Kinesis Client Library (KCL) and the Lambda helpers take them
// apart again on the reading side.
//
// # Vocabulary
//
// A Kinesis record is what PutRecords stores and GetRecords returns. A user record is one
// Record inside an aggregated Kinesis record. Each user record of an aggregate shares the
// Kinesis record's sequence number and is told apart by its sub-sequence number, its index
// in the aggregate (0, 1, 2, …), as the KCL numbers them.
//
// # Usage
//
//	data, err := kpl.Aggregate([]kpl.Record{
//		{PartitionKey: "user-1", Data: []byte("first")},
//		{PartitionKey: "user-2", Data: []byte("second")},
//	})
//	// put data with PutRecords, under the first user record's partition key
//
//	recs, err := kpl.Deaggregate(record.Data)
//	if err != nil {
//		recs = []kpl.Record{{PartitionKey: key, Data: record.Data}} // an ordinary record
//	}
//	for i, r := range recs { … } // i is the sub-sequence number
//
// A Builder adds user records one at a time and knows the size of the aggregate as it grows,
// which is what a producer needs to keep each aggregate under a size limit.
//
// # What counts as aggregated
//
// Deaggregate follows the KCL: a record is aggregated when it starts with the magic bytes, is
// longer than the magic and the MD5 trailer, its trailer is the MD5 of the protobuf body, and
// the body is a well-formed AggregatedRecord (required fields present, table indexes in
// range). Anything else is an ordinary record that happens to look like one, and is to be
// used as it is: Deaggregate says why with an error, and never panics.
//
// # Concurrency
//
// Aggregate and Deaggregate may be called from any number of goroutines. A Builder is for
// one goroutine at a time.
package kpl
