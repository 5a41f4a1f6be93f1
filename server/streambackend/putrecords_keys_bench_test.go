package streambackend_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"testing"
)

// BenchmarkServer_PutRecordsKeys is BenchmarkServer_PutRecordsWrite (100 B records) for the
// shapes of requests whose routing needs less than an MD5 per record: a stream of one shard,
// and producers that send records of one partition key in runs (runs=50: ten keys, fifty
// records each, one after the other). Like the write benchmark it uses only exported API, so
// that it builds at older commits.
func BenchmarkServer_PutRecordsKeys(b *testing.B) {
	const records, size = 500, 100
	for _, tc := range []struct {
		shards, run int
	}{{1, 1}, {4, 1}, {4, 50}} {
		b.Run(fmt.Sprintf("records=%d/size=%dB/shards=%d/runs=%d", records, size, tc.shards, tc.run), func(b *testing.B) {
			benchPutRecords(b, tc.shards, keyRunsBody("bench", records, size, tc.run), records, size)
		})
	}
}

// keyRunsBody is a PutRecords body of records of size bytes whose partition keys come in
// runs of run records.
func keyRunsBody(name string, records, size, run int) []byte {
	var b bytes.Buffer
	data := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xa5}, size))
	b.WriteString(`{"Records":[`)
	for i := range records {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"Data":"%s","PartitionKey":"partition-key-%d"}`, data, i/run)
	}
	fmt.Fprintf(&b, `],"StreamName":"%s"}`, name)
	return b.Bytes()
}
