package main

import (
	"context"
	"crypto/md5"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"
)

// handAggregate writes a KPL aggregate field by field, without the kpl package: magic,
// AggregatedRecord {partition_key_table ["user-1", "user-2"], explicit_hash_key_table
// ["7"], records [{0, "first"}, {1, hash key 0, "second"}, {0, "third"}]}, MD5.
func handAggregate() []byte {
	var body []byte
	for _, k := range []string{"user-1", "user-2"} {
		body = protowire.AppendTag(body, 1, protowire.BytesType)
		body = protowire.AppendString(body, k)
	}
	body = protowire.AppendTag(body, 2, protowire.BytesType)
	body = protowire.AppendString(body, "7")
	for _, r := range []struct {
		key, hash uint64
		hasHash   bool
		data      string
	}{{0, 0, false, "first"}, {1, 0, true, "second"}, {0, 0, false, "third"}} {
		var rec []byte
		rec = protowire.AppendTag(rec, 1, protowire.VarintType)
		rec = protowire.AppendVarint(rec, r.key)
		if r.hasHash {
			rec = protowire.AppendTag(rec, 2, protowire.VarintType)
			rec = protowire.AppendVarint(rec, r.hash)
		}
		rec = protowire.AppendTag(rec, 3, protowire.BytesType)
		rec = protowire.AppendString(rec, r.data)
		body = protowire.AppendTag(body, 3, protowire.BytesType)
		body = protowire.AppendBytes(body, rec)
	}
	sum := md5.Sum(body)
	return append(append([]byte{0xF3, 0x89, 0x9A, 0xC2}, body...), sum[:]...)
}

// TestTail_Deaggregate puts an aggregate, an ordinary record, and a record with the magic
// bytes but a wrong MD5, and expects tail to print the aggregate's user records with their
// own keys and sub-sequence numbers, and the other two as they are (the KCL's rule);
// --deaggregate=false prints the aggregate as stored.
func TestTail_Deaggregate(t *testing.T) {
	srv := serveInProcess(t, "")
	kc := mustCreate(t, srv.Endpoint, "kpl", 1)
	agg := handAggregate()
	badMD5 := append([]byte{}, agg...)
	badMD5[len(badMD5)-1] ^= 0xff
	out, err := kc.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String("kpl"), Records: []types.PutRecordsRequestEntry{
		{Data: agg, PartitionKey: aws.String("user-1")},
		{Data: []byte("plain"), PartitionKey: aws.String("plain-key")},
		{Data: badMD5, PartitionKey: aws.String("bad")},
	}})
	require.NoError(t, err)
	aggSeq := aws.ToString(out.Records[0].SequenceNumber)
	base := []string{"tail", "--endpoint", srv.Endpoint, "--stream", "kpl", "--follow=false"}

	code, stdout, stderr := runCmd(nil, append(base, "--format", "json")...)
	require.Equal(t, 0, code, stderr)
	var got []tailRecord
	for _, l := range lines(stdout) {
		var r tailRecord
		require.NoError(t, json.Unmarshal([]byte(l), &r), l)
		got = append(got, r)
	}
	require.Len(t, got, 5, stdout)
	for i, want := range []struct{ key, hash, data string }{{"user-1", "", "first"}, {"user-2", "7", "second"}, {"user-1", "", "third"}} {
		r := got[i]
		require.Equal(t, aggSeq, r.SequenceNumber, "user record %d shares the aggregate's sequence number", i)
		require.NotNil(t, r.SubSequenceNumber, "user record %d has a sub-sequence number", i)
		require.Equal(t, int64(i), *r.SubSequenceNumber)
		require.Equal(t, want.key, r.PartitionKey)
		require.Equal(t, want.hash, r.ExplicitHashKey)
		require.Equal(t, want.data, *r.Data)
	}
	require.Nil(t, got[3].SubSequenceNumber, "an ordinary record has none")
	require.Equal(t, "plain-key", got[3].PartitionKey)
	require.Equal(t, "plain", *got[3].Data)
	require.Nil(t, got[4].SubSequenceNumber, "a wrong MD5 is an ordinary record")
	require.Equal(t, badMD5, got[4].DataBase64)

	code, stdout, stderr = runCmd(nil, base...)
	require.Equal(t, 0, code, stderr)
	require.Equal(t, "first\nsecond\nthird\nplain\n"+string(badMD5)+"\n", stdout)

	code, stdout, stderr = runCmd(nil, append(base, "--count", "2")...)
	require.Equal(t, 0, code, stderr)
	require.Equal(t, []string{"first", "second"}, lines(stdout), "--count counts user records")

	code, stdout, stderr = runCmd(nil, append(base, "--deaggregate=false", "--format", "json")...)
	require.Equal(t, 0, code, stderr)
	require.Len(t, lines(stdout), 3)
	var raw tailRecord
	require.NoError(t, json.Unmarshal([]byte(lines(stdout)[0]), &raw))
	require.Equal(t, agg, raw.DataBase64, "--deaggregate=false prints the aggregate as stored")
	require.Equal(t, "user-1", raw.PartitionKey)
	require.Nil(t, raw.SubSequenceNumber)
}
