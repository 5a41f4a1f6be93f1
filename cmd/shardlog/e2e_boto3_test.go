package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/stretchr/testify/require"
)

// debianPython is the Python of Debian's python3-boto3: another python3 earlier on PATH
// (a pyenv, a virtualenv) may have a boto3 of its own, or none.
const debianPython = "/usr/bin/python3"

// TestBoto3_SubscribeToShard runs testdata/boto3/subscribe.py with Debian's python3-boto3,
// whose botocore (1.29 in Debian 12) reads SubscribeToShard's event stream over HTTP/1.1:
// it registers a consumer, waits until it is ACTIVE, subscribes from TRIM_HORIZON, and reads
// the records put before and after it subscribed, with put_record and put_records. Each
// record comes once, in order, with its sequence number, partition key and bytes unchanged;
// each event's ContinuationSequenceNumber is its last record's.
func TestBoto3_SubscribeToShard(t *testing.T) {
	skipShort(t)
	t.Parallel()
	requireBoto3(t)
	srv := startServer(t, t.TempDir(), "--register-consumer-delay", "200ms")
	client := newClient(srv.Endpoint)
	_, err := client.CreateStream(context.Background(), &kinesis.CreateStreamInput{StreamName: aws.String("boto3-efo"), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
	waitActive(t, client, "boto3-efo")

	start := time.Now().Add(-time.Second)
	got := runBoto3Subscribe(t, srv.Endpoint, "boto3-efo")
	end := time.Now().Add(time.Second)

	streamARN := "arn:aws:kinesis:us-east-1:000000000000:stream/boto3-efo"
	require.Equal(t, "boto3", got.Registered.ConsumerName)
	require.Equal(t, "CREATING", got.Registered.ConsumerStatus, "with --register-consumer-delay")
	require.Regexp(t, `^`+streamARN+`/consumer/boto3:\d{10}$`, got.Registered.ConsumerARN)
	require.Equal(t, boto3Consumer{ConsumerName: "boto3", ConsumerARN: got.Registered.ConsumerARN, ConsumerStatus: "ACTIVE",
		StreamARN: streamARN}, got.Consumer)

	require.Len(t, got.Put, 10)
	var read []boto3Record
	for i, ev := range got.Events {
		require.NotNil(t, ev.MillisBehindLatest, "event %d: MillisBehindLatest", i)
		require.NotContains(t, []string{"", "0"}, ev.ContinuationSequenceNumber, "event %d: ContinuationSequenceNumber", i)
		if n := len(ev.Records); n > 0 {
			require.Equal(t, ev.Records[n-1].SequenceNumber, ev.ContinuationSequenceNumber, "event %d: ContinuationSequenceNumber", i)
		}
		for _, r := range ev.Records {
			at := time.UnixMilli(int64(r.ApproximateArrivalTimestamp * 1000))
			require.False(t, at.Before(start) || at.After(end), "ApproximateArrivalTimestamp %v of %s", at, r.SequenceNumber)
			read = append(read, boto3Record{SequenceNumber: r.SequenceNumber, PartitionKey: r.PartitionKey, Data: r.Data})
		}
	}
	var want []boto3Record
	for _, p := range got.Put {
		require.Equal(t, "shardId-000000000000", p.ShardId)
		want = append(want, boto3Record{SequenceNumber: p.SequenceNumber, PartitionKey: p.PartitionKey, Data: p.Data})
	}
	require.Equal(t, want, read, "records as put and as read from the event stream")
}

// boto3Consumer and boto3Record are what subscribe.py prints of a consumer and a record.
type boto3Consumer struct {
	ConsumerName, ConsumerARN, ConsumerStatus string
	StreamARN                                 string `json:",omitempty"`
}

type boto3Record struct {
	SequenceNumber, PartitionKey string
	Data                         []byte // base64 in JSON
}

// boto3Run is the output of subscribe.py.
type boto3Run struct {
	Registered, Consumer boto3Consumer
	Put                  []struct {
		SequenceNumber, ShardId, PartitionKey string
		Data                                  []byte
	}
	Events []struct {
		Records []struct {
			SequenceNumber, PartitionKey string
			Data                         []byte
			ApproximateArrivalTimestamp  float64 // seconds since the epoch
		}
		ContinuationSequenceNumber string
		MillisBehindLatest         *int64
	}
}

// requireBoto3 skips the test, or fails it under SHARDLOG_REQUIRE_E2E=1, unless Debian's
// Python has a boto3 whose botocore knows SubscribeToShard.
func requireBoto3(t *testing.T) {
	t.Helper()
	check := exec.Command(debianPython, "-c",
		"import boto3, botocore.session; assert 'SubscribeToShard' in botocore.session.get_session().get_service_model('kinesis').operation_names")
	requireE2E(t, "python3-boto3 with SubscribeToShard (apt-get install python3-boto3)", check.Run() == nil)
}

// runBoto3Subscribe runs subscribe.py against endpoint and decodes what it prints.
func runBoto3Subscribe(t *testing.T, endpoint, streamName string) *boto3Run {
	t.Helper()
	dir, _ := filepath.Abs(filepath.Join("testdata", "boto3"))
	cmd := exec.Command(debianPython, "subscribe.py")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SHARDLOG_ENDPOINT="+endpoint, "SHARDLOG_STREAM="+streamName, "PYTHONDONTWRITEBYTECODE=1")
	cmd.WaitDelay = time.Second
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := cmd.Output()
		done <- result{out, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		<-done
		t.Fatal("subscribe.py still running after a minute")
	}
	if ee, ok := r.err.(*exec.ExitError); ok {
		t.Fatalf("subscribe.py: %v\n%s", r.err, ee.Stderr)
	}
	require.NoError(t, r.err)
	var got boto3Run
	require.NoError(t, json.Unmarshal(r.out, &got), "subscribe.py printed %s", r.out)
	return &got
}
