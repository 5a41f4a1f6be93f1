package server

import "github.com/shardlog/shardlog/internal/wire"

// GetRecords answers are encoded by wire's record encoders, straight from the
// Backend's RecordSink calls (records.go of package wire).

// recordEncoder is the RecordSink the server hands to Backend.GetRecords.
type recordEncoder interface {
	RecordSink
	// Finish closes the records and appends the rest of the answer,
	// returning the body.
	Finish(end wire.RecordsEnd) []byte
}

// recordsEnd is what follows the records of out.
func recordsEnd(out *GetRecordsOutput) wire.RecordsEnd {
	end := wire.RecordsEnd{NextShardIterator: out.NextShardIterator, MillisBehindLatest: out.MillisBehindLatest}
	if len(out.ChildShards) > 0 {
		end.ChildShards = out.ChildShards
	}
	return end
}
