package eventstream_test

import (
	"bytes"
	"fmt"

	"github.com/shardlog/shardlog/internal/eventstream"
)

// Headers a program sends again and again are built once; each message is
// appended to a buffer that is reused.
func Example() {
	headers := []eventstream.Header{
		eventstream.StringHeader(":message-type", "event"),
		eventstream.StringHeader(":event-type", "SubscribeToShardEvent"),
	}
	var buf []byte
	var stream bytes.Buffer
	for _, payload := range []string{`{"n":1}`, `{"n":2}`} {
		buf = eventstream.AppendMessage(buf[:0], headers, []byte(payload))
		stream.Write(buf)
	}

	r := eventstream.NewReader(&stream, 0)
	for {
		msg, err := r.Next()
		if err != nil {
			fmt.Println(err) // io.EOF at the end of the stream
			break
		}
		typ, _ := msg.Header(":event-type")
		fmt.Println(typ.String(), string(msg.Payload))
	}
	// Output:
	// SubscribeToShardEvent {"n":1}
	// SubscribeToShardEvent {"n":2}
	// EOF
}
