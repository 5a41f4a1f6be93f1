package shard

import "github.com/shardlog/shardlog/segment"

// When a shard's batches stop compressing (random or already compressed payloads), trying
// each one costs a compression attempt for nothing. After compressMissLimit attempted
// batches in a row were stored raw, the shard asks for no compression and tries again only
// on every compressRetryInterval-th batch; the first batch that compresses again resumes
// compression of every batch. The segment writer decides what a miss is: a batch whose
// compressed records section would not save 10 % of its size.
const (
	compressMissLimit     = 8  // attempted batches in a row stored raw before the shard stops trying
	compressRetryInterval = 16 // while stopped, every this-many-th batch is attempted
)

// compressor chooses, batch by batch, the codec the active writer is asked for. Guarded by
// Shard.wmu.
type compressor struct {
	misses  int // attempted batches in a row that were stored raw
	skipped int // batches appended without an attempt since the last attempt
}

// next returns the codec for the next batch of a shard configured with codec.
func (c *compressor) next(codec segment.Codec) segment.Codec {
	if codec == segment.CodecNone || c.misses < compressMissLimit {
		return codec
	}
	if c.skipped+1 >= compressRetryInterval {
		c.skipped = 0
		return codec
	}
	c.skipped++
	return segment.CodecNone
}

// observe records what became of a batch for which next returned asked: stored is the codec
// the writer stored it with.
func (c *compressor) observe(asked, stored segment.Codec, st *counters) {
	switch {
	case asked == segment.CodecNone:
		if c.misses >= compressMissLimit {
			st.compressSkips.Add(1)
		}
	case stored == segment.CodecNone:
		c.misses++
		st.compressMisses.Add(1)
	default:
		c.misses, c.skipped = 0, 0
		st.compressed.Add(1)
	}
}
