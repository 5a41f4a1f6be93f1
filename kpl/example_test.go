package kpl_test

import (
	"fmt"

	"github.com/shardlog/shardlog/kpl"
)

func ExampleDeaggregate() {
	data, err := kpl.Aggregate([]kpl.Record{
		{PartitionKey: "user-1", Data: []byte("first")},
		{PartitionKey: "user-2", Data: []byte("second")},
		{PartitionKey: "user-1", Data: []byte("third")},
	})
	if err != nil {
		panic(err)
	}
	// data is the data of one Kinesis record; a reader takes it apart again.
	recs, err := kpl.Deaggregate(data)
	if err != nil {
		fmt.Println("an ordinary record:", err)
		return
	}
	for sub, r := range recs {
		fmt.Printf("sub-sequence %d: %s %s\n", sub, r.PartitionKey, r.Data)
	}
	_, err = kpl.Deaggregate([]byte("plain text"))
	fmt.Println(err)
	// Output:
	// sub-sequence 0: user-1 first
	// sub-sequence 1: user-2 second
	// sub-sequence 2: user-1 third
	// kpl: not an aggregated record
}

func ExampleBuilder() {
	const limit = 100 // bytes of one aggregate
	var b kpl.Builder
	for i := range 10 {
		r := kpl.Record{PartitionKey: "k", Data: fmt.Appendf(nil, "record %d", i)}
		if b.Len() > 0 && b.SizeWith(r) > limit {
			data, _ := b.Bytes()
			fmt.Printf("aggregate of %d records, %d bytes\n", b.Len(), len(data))
			b.Reset()
		}
		b.Add(r)
	}
	data, _ := b.Bytes()
	fmt.Printf("aggregate of %d records, %d bytes\n", b.Len(), len(data))
	// Output:
	// aggregate of 5 records, 93 bytes
	// aggregate of 5 records, 93 bytes
}
