package segment_test

import (
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/shardlog/shardlog/segment"
)

// Example writes a segment, reads it back through a mapping, and recovers it with Scan.
func Example() {
	dir, err := os.MkdirTemp("", "segment-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "00000000000000001000.seg")

	// Write two batches and make them durable.
	w, err := segment.Create(path, 1000, 1_700_000_000_000, segment.WriterOptions{Codec: segment.CodecS2})
	if err != nil {
		log.Fatal(err)
	}
	for i := range 2 {
		_, err := w.Append([]segment.Record{
			{TimeMs: 1_700_000_000_000 + int64(i), PartitionKey: []byte("user-1"), Data: []byte("hello")},
			{TimeMs: 1_700_000_000_000 + int64(i), PartitionKey: []byte("user-2"), Data: []byte("world")},
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Sync(); err != nil {
		log.Fatal(err)
	}
	end := w.Size()
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	// Read every batch up to the end of the data.
	r, err := segment.OpenReader(path, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	var recs []segment.Record
	for pos := int64(segment.HeaderSize); ; {
		info, got, err := r.ReadBatch(recs, pos, end)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		for _, rec := range got {
			fmt.Printf("%d %s %s\n", rec.Offset, rec.PartitionKey, rec.Data)
		}
		pos, recs = info.End(), got
	}

	// After a restart, Scan finds where to continue.
	res, err := segment.Scan(path, segment.ScanOptions{Tail: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("batches", res.Batches, "next offset", res.NextOffset, "dropped", res.DroppedBytes)
	// Output:
	// 1000 user-1 hello
	// 1001 user-2 world
	// 1002 user-1 hello
	// 1003 user-2 world
	// batches 2 next offset 1004 dropped 0
}
