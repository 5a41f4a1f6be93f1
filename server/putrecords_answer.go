package server

import "github.com/shardlog/shardlog/internal/wire"

// appendPutRecordsCBOR encodes a PutRecords output in CBOR directly, as
// appendPutRecordsJSON does in JSON: it is written for every batch the Java
// SDKs and the KCL send. Its bytes are the reflective encoder's
// (wire.AppendOutputCBOR): members in field order, each entry's empty members
// left out, integers and lengths in their shortest form.
func appendPutRecordsCBOR(dst []byte, out *PutRecordsOutput) []byte {
	members := uint64(2)
	if out.EncryptionType != "" {
		members++
	}
	dst = wire.AppendCBORHead(dst, wire.CBORMap, members)
	dst = wire.AppendCBORText(dst, "FailedRecordCount")
	dst = wire.AppendCBORInt(dst, int64(out.FailedRecordCount))
	dst = wire.AppendCBORText(dst, "Records")
	dst = wire.AppendCBORHead(dst, wire.CBORArray, uint64(len(out.Records)))
	for i := range out.Records {
		dst = appendResultEntryCBOR(dst, &out.Records[i])
	}
	if out.EncryptionType != "" {
		dst = wire.AppendCBORText(dst, "EncryptionType")
		dst = wire.AppendCBORText(dst, out.EncryptionType)
	}
	return dst
}

// appendResultEntryCBOR encodes one PutRecordsResultEntry: a map of its
// non-empty members.
func appendResultEntryCBOR(dst []byte, r *PutRecordsResultEntry) []byte {
	members := [...]struct{ name, val string }{
		{"SequenceNumber", r.SequenceNumber},
		{"ShardId", r.ShardId},
		{"ErrorCode", r.ErrorCode},
		{"ErrorMessage", r.ErrorMessage},
	}
	n := uint64(0)
	for _, m := range members {
		if m.val != "" {
			n++
		}
	}
	dst = wire.AppendCBORHead(dst, wire.CBORMap, n)
	for _, m := range members {
		if m.val != "" {
			dst = wire.AppendCBORText(dst, m.name)
			dst = wire.AppendCBORText(dst, m.val)
		}
	}
	return dst
}
