package kinesis_test

import (
	"errors"
	"fmt"

	"github.com/shardlog/shardlog/kinesis"
)

func ExampleHashPartitionKey() {
	h := kinesis.HashPartitionKey([]byte("a"))
	for i, r := range kinesis.UniformHashKeyRanges(3) {
		if r.Contains(h) {
			fmt.Println(kinesis.ShardID(i))
		}
	}
	// Output: shardId-000000000000
}

func ExampleParseSequenceNumber() {
	n, err := kinesis.ParseSequenceNumber("49615604846537535747729525809166215807130139976752168962")
	if err != nil {
		panic(err)
	}
	fmt.Println(n.ShardIndex, n.ShardCreatedSec, n.Counter)
	// Output: 0 1613588284 0
}

func ExampleError() {
	err := fmt.Errorf("get records: %w", kinesis.NewError(kinesis.TypeExpiredIterator, "Iterator expired."))
	var ke *kinesis.Error
	if errors.As(err, &ke) {
		fmt.Println(ke.Status(), ke.Type, ke.Message)
	}
	// Output: 400 ExpiredIteratorException Iterator expired.
}
