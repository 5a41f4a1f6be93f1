package index_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/shardlog/shardlog/index"
	"github.com/shardlog/shardlog/segment"
)

// rebuildFrom returns a rebuild func for index.Load that scans the segment at path.
func rebuildFrom(path string) func(x *index.Index) (index.Meta, error) {
	return func(x *index.Index) (index.Meta, error) {
		res, err := segment.Scan(path, segment.ScanOptions{Batch: func(b segment.BatchInfo) {
			x.Add(index.Entry{Offset: b.FirstOffset, Position: b.Position, TimeMs: b.FirstTimeMs})
		}})
		if err != nil {
			return index.Meta{}, err
		}
		return index.Meta{
			BaseOffset:  x.BaseOffset(),
			NextOffset:  res.NextOffset,
			End:         res.End,
			FirstTimeMs: res.FirstTimeMs,
			LastTimeMs:  res.LastTimeMs,
		}, nil
	}
}

// Load an index beside its segment, building it from the segment the first time, then seek
// to an offset and read the batch that holds it.
func ExampleLoad() {
	dir, err := os.MkdirTemp("", "index-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	segPath := filepath.Join(dir, "00000000000000000100.seg")
	idxPath := filepath.Join(dir, "00000000000000000100.idx")

	// A segment of 5 batches of 10 records of 500 bytes, one second apart.
	w, err := segment.Create(segPath, 100, 1_767_225_600_000, segment.WriterOptions{})
	if err != nil {
		log.Fatal(err)
	}
	for i := range 5 {
		recs := make([]segment.Record, 10)
		for j := range recs {
			recs[j] = segment.Record{
				TimeMs:       1_767_225_600_000 + int64(i)*1000,
				PartitionKey: []byte("key"),
				Data:         fmt.Appendf(make([]byte, 0, 500), "%-500s", fmt.Sprintf("record %d", 100+10*i+j)),
			}
		}
		if _, err := w.Append(recs); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	fi, err := os.Stat(segPath)
	if err != nil {
		log.Fatal(err)
	}

	for range 2 { // the second Load finds the file the first one wrote
		x, m, rebuilt, err := index.Load(idxPath, 100, fi.Size(), 0, rebuildFrom(segPath))
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("rebuilt %v: %d entries, offsets %d to %d\n", rebuilt, x.Len(), m.BaseOffset, m.NextOffset)
		x.Close()
	}

	x, m, err := index.Open(idxPath)
	if err != nil {
		log.Fatal(err)
	}
	defer x.Close()
	r, err := segment.OpenReader(segPath, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()

	e, _ := x.Seek(123)
	info, recs, err := r.ReadBatch(nil, e.Position, m.End)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("offset 123 is in the batch of offsets %d to %d: %.10s\n",
		info.FirstOffset, info.NextOffset()-1, recs[123-info.FirstOffset].Data)

	e, _ = x.SeekTime(1_767_225_602_500)
	fmt.Printf("records from 2.5 s on: scan from offset %d\n", e.Offset)
	// Output:
	// rebuilt true: 5 entries, offsets 100 to 150
	// rebuilt false: 5 entries, offsets 100 to 150
	// offset 123 is in the batch of offsets 120 to 129: record 123
	// records from 2.5 s on: scan from offset 120
}
