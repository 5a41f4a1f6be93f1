package retention_test

import (
	"fmt"
	"log"
	"os"
	"time"

	"github.com/shardlog/shardlog/retention"
	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/shard"
)

func Example() {
	dir, err := os.MkdirTemp("", "retention-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// A fake clock shows expiry without waiting a day.
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }

	p, err := retention.FromHours(24)
	if err != nil {
		log.Fatal(err)
	}
	s, err := shard.Open(dir, shard.Options{Now: clock, Retention: p.Period})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if _, _, err := s.Append([]segment.Record{{PartitionKey: []byte("k"), Data: []byte("hello")}}); err != nil {
		log.Fatal(err)
	}

	loop := retention.NewLoop(time.Minute, nil)
	loop.Add(s)

	now = now.Add(25 * time.Hour)
	deleted, err := loop.RunOnce()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("deleted segments:", deleted)
	fmt.Println("trim horizon:", s.FirstOffset(), "tip:", s.NextOffset())
	// Output:
	// deleted segments: 1
	// trim horizon: 1 tip: 1
}
