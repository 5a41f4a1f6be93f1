package stream

import "github.com/shardlog/shardlog/segment"

// codecOf returns the codec info's shards write new batches with: Options.StreamCodec's
// choice for the stream if it makes one, Shard.Codec otherwise.
func (s *Store) codecOf(info *StreamInfo) segment.Codec {
	if s.opts.StreamCodec != nil {
		if c, ok := s.opts.StreamCodec(info.Account, info.Region, info.Name); ok {
			return c
		}
	}
	return s.opts.Shard.Codec
}
