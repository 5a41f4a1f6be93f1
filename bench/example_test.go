package bench_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"time"

	"github.com/shardlog/shardlog/bench"
)

// Example writes 2,000 records of 100 bytes in PutRecords calls of 100, reads them back and
// verifies them. It runs against an in-memory stand-in for a Kinesis server; point Endpoint
// at `shardlog serve` (http://127.0.0.1:4567) or any Kinesis endpoint to measure it.
func Example() {
	fake := &fakeKinesis{streams: map[string]*fakeStream{}}
	srv := httptest.NewServer(fake)
	defer srv.Close()

	res, err := bench.Run(context.Background(), bench.Config{
		Endpoint:     srv.URL,
		Shards:       2,
		RecordBytes:  100,
		BatchRecords: 100,
		Connections:  4,
		Records:      2000,
		Duration:     time.Minute,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("written:", res.Write.Records, "records,", res.Write.Bytes, "bytes")
	fmt.Println("read back:", res.Verify.Read, "records, verified:", res.Verify.OK)
	// Output:
	// written: 2000 records, 200000 bytes
	// read back: 2000 records, verified: true
}
