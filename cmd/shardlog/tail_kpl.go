package main

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/shardlog/shardlog/kpl"
)

// userRecord is what tail prints of a Kinesis record: the record itself, or, with
// --deaggregate, one user record of a KPL aggregate.
type userRecord struct {
	partitionKey    string
	explicitHashKey string // of a user record that has one
	data            []byte
	aggregated      bool  // a user record of an aggregate
	subSequence     int64 // its index in the aggregate
}

// userRecords returns what tail prints of r: with --deaggregate, the user records of an
// aggregate; otherwise, or when r is not a valid aggregate (no magic, a wrong MD5, a
// malformed body: the KCL's rule), r as it is.
func (t *tailer) userRecords(r types.Record) []userRecord {
	if t.cfg.deagg {
		if recs, err := kpl.Deaggregate(r.Data); err == nil {
			out := make([]userRecord, len(recs))
			for i, u := range recs {
				out[i] = userRecord{partitionKey: u.PartitionKey, explicitHashKey: u.ExplicitHashKey, data: u.Data,
					aggregated: true, subSequence: int64(i)}
			}
			return out
		}
	}
	return []userRecord{{partitionKey: aws.ToString(r.PartitionKey), data: r.Data}}
}
