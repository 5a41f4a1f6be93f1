package server_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	slkinesis "github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/server"
)

// memoryBackend keeps one shard in memory: just enough Backend to put records
// and read them back. Operations it does not implement answer through the
// embedded UnimplementedBackend.
type memoryBackend struct {
	server.UnimplementedBackend
	mu      sync.Mutex
	records []server.PutRecordsRequestEntry
}

func (m *memoryBackend) PutRecords(_ context.Context, in *server.PutRecordsInput) (*server.PutRecordsOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := &server.PutRecordsOutput{}
	for _, r := range in.Records {
		r.Data = append([]byte(nil), r.Data...) // the server reuses the buffer behind Data
		m.records = append(m.records, r)
		out.Records = append(out.Records, server.PutRecordsResultEntry{
			SequenceNumber: strconv.Itoa(len(m.records) - 1),
			ShardId:        "shardId-000000000000",
		})
	}
	return out, nil
}

func (m *memoryBackend) GetShardIterator(_ context.Context, in *server.GetShardIteratorInput) (*server.GetShardIteratorOutput, error) {
	if in.ShardIteratorType != server.ShardIteratorTypeTrimHorizon {
		return nil, &slkinesis.Error{Type: "InvalidArgumentException", Message: "only TRIM_HORIZON here"}
	}
	return &server.GetShardIteratorOutput{ShardIterator: "0"}, nil
}

func (m *memoryBackend) GetRecords(_ context.Context, in *server.GetRecordsInput, sink server.RecordSink) (*server.GetRecordsOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	from, _ := strconv.Atoi(in.ShardIterator)
	for i := from; i < len(m.records); i++ {
		r := m.records[i]
		arrival := time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC).UnixMilli()
		if err := sink.Record([]byte(strconv.Itoa(i)), arrival, []byte(r.PartitionKey), r.Data); err != nil {
			return nil, err
		}
	}
	return &server.GetRecordsOutput{NextShardIterator: strconv.Itoa(len(m.records))}, nil
}

// Example serves a Backend on a local port and talks to it with the AWS SDK
// for Go v2, as any Kinesis client would.
func Example() {
	srv := server.New(&memoryBackend{}, server.Options{Logger: quietLogger()})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go srv.Serve(ln) // HTTP/1.1 and h2c on one port

	ctx := context.Background()
	client := newSDKClient("http://"+ln.Addr().String(), nil)
	put, err := client.PutRecords(ctx, &kinesis.PutRecordsInput{
		StreamName: aws.String("example"),
		Records: []types.PutRecordsRequestEntry{
			{PartitionKey: aws.String("k1"), Data: []byte("hello")},
			{PartitionKey: aws.String("k2"), Data: []byte("world")},
		},
	})
	if err != nil {
		panic(err)
	}
	fmt.Printf("put %d records, %d failed\n", len(put.Records), *put.FailedRecordCount)

	it, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
		StreamName: aws.String("example"), ShardId: aws.String("shardId-000000000000"),
		ShardIteratorType: types.ShardIteratorTypeTrimHorizon,
	})
	if err != nil {
		panic(err)
	}
	got, err := client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		panic(err)
	}
	for _, r := range got.Records {
		fmt.Println(*r.SequenceNumber, *r.PartitionKey, string(r.Data), r.ApproximateArrivalTimestamp.UTC().Format(time.TimeOnly))
	}

	_, err = client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
		StreamName: aws.String("example"), ShardId: aws.String("shardId-000000000000"),
		ShardIteratorType: types.ShardIteratorTypeLatest,
	})
	var invalid *types.InvalidArgumentException
	fmt.Println(errors.As(err, &invalid), invalid.ErrorMessage())

	shutdown, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		panic(err)
	}
	// Output:
	// put 2 records, 0 failed
	// 0 k1 hello 00:00:00
	// 1 k2 world 00:00:01
	// true only TRIM_HORIZON here
}
