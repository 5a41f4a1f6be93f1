package shard_test

import (
	"fmt"
	"log"
	"os"
	"time"

	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/shard"
)

func Example() {
	dir, err := os.MkdirTemp("", "shard-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	s, err := shard.Open(dir, shard.Options{Now: func() time.Time { return now }})
	if err != nil {
		log.Fatal(err)
	}

	// Append returns once the batch is on disk (SyncAlways, the default).
	first, timeMs, err := s.Append([]segment.Record{
		{PartitionKey: []byte("user-1"), Data: []byte("signed up")},
		{PartitionKey: []byte("user-2"), Data: []byte("signed up")},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("first offset:", first, "arrived:", time.UnixMilli(timeMs).UTC().Format(time.TimeOnly))
	now = now.Add(time.Minute)
	if _, _, err := s.Append([]segment.Record{{PartitionKey: []byte("user-1"), Data: []byte("logged in")}}); err != nil {
		log.Fatal(err)
	}

	// Read from an offset; the bytes are only valid inside the callback.
	next, err := s.Read(0, 100, 1<<20, func(r segment.Record) error {
		fmt.Printf("%d %s %s\n", r.Offset, r.PartitionKey, r.Data)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("next:", next)

	// Seek by arrival time, as AT_TIMESTAMP does.
	off, err := s.OffsetAt(now.UnixMilli())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("first record at or after 12:01:", off)

	// Close writes the clean-shutdown flag: the next Open scans nothing.
	if err := s.Close(); err != nil {
		log.Fatal(err)
	}
	s, err = shard.Open(dir, shard.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	fmt.Println("after reopen: tip", s.NextOffset(), "scanned", s.Stats().RecoveredBytes, "bytes")
	// Output:
	// first offset: 0 arrived: 12:00:00
	// 0 user-1 signed up
	// 1 user-2 signed up
	// 2 user-1 logged in
	// next: 3
	// first record at or after 12:01: 2
	// after reopen: tip 3 scanned 0 bytes
}
