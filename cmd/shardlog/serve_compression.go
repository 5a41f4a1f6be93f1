package main

import "github.com/shardlog/shardlog/segment"

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
