package eventstream_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/shardlog/shardlog/internal/eventstream"
)

// eventHeaders are the three headers of a SubscribeToShardEvent.
var eventHeaders = []eventstream.Header{
	eventstream.StringHeader(":message-type", "event"),
	eventstream.StringHeader(":event-type", "SubscribeToShardEvent"),
	eventstream.StringHeader(":content-type", "application/json"),
}

var benchSizes = []int{100, 1 << 10, 1 << 20}

func BenchmarkAppendMessage(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("size=%dB", size), func(b *testing.B) {
			payload := bytes.Repeat([]byte("x"), size)
			buf := eventstream.AppendMessage(nil, eventHeaders, payload)
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				buf = eventstream.AppendMessage(buf[:0], eventHeaders, payload)
			}
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("size=%dB", size), func(b *testing.B) {
			msg := eventstream.AppendMessage(nil, eventHeaders, bytes.Repeat([]byte("x"), size))
			m, err := eventstream.Decode(msg, nil)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			for b.Loop() {
				if m, err = eventstream.Decode(msg, m.Headers); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
