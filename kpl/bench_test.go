package kpl_test

import (
	"fmt"
	"testing"

	"github.com/shardlog/shardlog/kpl"
)

// benchRecords is n user records of 100 bytes under 10 partition keys.
func benchRecords(n int) []kpl.Record {
	recs := make([]kpl.Record, n)
	for i := range recs {
		recs[i] = kpl.Record{PartitionKey: fmt.Sprintf("key-%d", i%10), Data: make([]byte, 100)}
	}
	return recs
}

func BenchmarkAggregate(b *testing.B) {
	for _, n := range []int{10, 400} {
		recs := benchRecords(n)
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			b.SetBytes(int64(n * 100))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := kpl.Aggregate(recs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDeaggregate(b *testing.B) {
	for _, n := range []int{10, 400} {
		data, err := kpl.Aggregate(benchRecords(n))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := kpl.Deaggregate(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
