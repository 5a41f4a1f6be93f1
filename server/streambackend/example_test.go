package streambackend_test

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/stream"
)

// call sends one awsJson 1.1 request, with the complete (unverified) signature the server
// asks for by default, and decodes the answer into out unless out is nil.
func call(url, op, body string, out any) {
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
	req.Header.Set("X-Amz-Date", "20260101T000000Z")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/kinesis/aws4_request, "+
		"SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123456789abcdef")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	fmt.Println(op, resp.StatusCode)
	if out == nil {
		return
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		log.Fatal(err)
	}
}

// A server over a store: the wire requests reach the store through streambackend.New.
func Example() {
	dataDir, err := os.MkdirTemp("", "shardlog-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dataDir)
	store, err := stream.Open(dataDir, stream.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	ts := httptest.NewServer(server.New(streambackend.New(store), server.Options{}))
	defer ts.Close()

	call(ts.URL, "CreateStream", `{"StreamName":"orders","ShardCount":1}`, nil)
	var put struct{ ShardId string }
	call(ts.URL, "PutRecord", `{"StreamName":"orders","PartitionKey":"customer-42","Data":"Zmlyc3Q="}`, &put)
	fmt.Println(put.ShardId)
	// Output:
	// CreateStream 200
	// PutRecord 200
	// shardId-000000000000
}
