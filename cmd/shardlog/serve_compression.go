package main

import "github.com/shardlog/shardlog/segment"

// defaultCompression is the codec of --compression when none is given. S2 was chosen by
// measurement (bench/README.md, Compression): on JSON events of 200-500 bytes it stores
// about 0.3 bytes per payload byte for a few hundred ns of CPU per record written and a
// hundred or two read, where zstd stores about 0.2 for four times the write CPU; and a shard
// whose batches do not compress soon stops trying, so random payloads cost next to nothing.
const defaultCompression = segment.CodecS2

// codecFlag is the value of --compression: the codec shards compress new batches with.
type codecFlag struct{ codec segment.Codec }

func (f *codecFlag) String() string { return f.codec.String() }

func (f *codecFlag) Set(s string) error {
	c, err := segment.ParseCodec(s)
	if err != nil {
		return err
	}
	f.codec = c
	return nil
}

// streamCodec returns the stream.Options.StreamCodec of the compression that streams of
// --config name, or nil if none does. The streams of --config are those of the default
// account and region; a stream of that name elsewhere, or not in the file, writes with
// --compression.
func (d *declareFlags) streamCodec(account, region string) func(account, region, name string) (segment.Codec, bool) {
	if len(d.codecs) == 0 {
		return nil
	}
	return func(a, r, name string) (segment.Codec, bool) {
		c, ok := d.codecs[name]
		return c, ok && a == account && r == region
	}
}
