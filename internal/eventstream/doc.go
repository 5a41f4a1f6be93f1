// Package eventstream reads and writes the binary framing of AWS event
// streams (application/vnd.amazon.eventstream), in which Kinesis answers
// SubscribeToShard (KINESIS-API.md §1.10).
//
// There are only a few types: a Message is a list of Headers and a payload; a
// Header has a name, a Type and a value. AppendMessage encodes one message at
// the end of a byte slice; Decode checks and decodes one whole message; a
// Reader cuts messages out of a byte stream.
//
// # Usage
//
//	headers := []eventstream.Header{
//		eventstream.StringHeader(":message-type", "event"),
//		eventstream.StringHeader(":event-type", "SubscribeToShardEvent"),
//	}
//	buf = eventstream.AppendMessage(buf[:0], headers, payload)
//	w.Write(buf)
//
//	r := eventstream.NewReader(body, eventstream.MaxMessageBytes)
//	for {
//		msg, err := r.Next()
//		if err != nil {
//			break // io.EOF at a message boundary, anything else is damage
//		}
//		typ, _ := msg.Header(":event-type")
//		use(typ.String(), msg.Payload)
//	}
//
// # Hostile input
//
// Decode never panics, whatever the bytes. It checks the prelude checksum
// before it trusts the lengths, then the lengths against the bytes it has and
// against MaxMessageBytes and MaxHeadersBytes, then the message checksum,
// then every header against what is left of the header block. A Reader grows
// its buffer as bytes arrive, never straight to the length a peer declares,
// so a peer that declares 16 MiB and sends 20 bytes costs 64 KiB.
//
// # Concurrency
//
// AppendMessage and Decode are safe for concurrent use; a Reader is not. A
// Message from a Reader, its Headers and its Payload alias the Reader's
// buffer and are valid until the next call to Next.
package eventstream
