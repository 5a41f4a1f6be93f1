package eventstream

import "fmt"

// AppendMessage appends one message with headers and payload to dst and
// returns the extended slice. It allocates only when dst must grow, so a
// caller that reuses its buffer encodes without allocating.
//
// The headers and the payload come from the program, not from a peer: a name
// of 0 or more than 255 bytes, a value longer than 32767 bytes, a type that
// does not exist, or a message over MaxMessageBytes panics.
func AppendMessage(dst []byte, headers []Header, payload []byte) []byte {
	headersLen := 0
	for i := range headers {
		headersLen += headerSize(&headers[i])
	}
	total := minMessageBytes + headersLen + len(payload)
	if headersLen > MaxHeadersBytes || total > MaxMessageBytes {
		panic(fmt.Sprintf("eventstream: message of %d bytes with %d bytes of headers", total, headersLen))
	}
	start := len(dst)
	dst = be.AppendUint32(dst, uint32(total))      // total len
	dst = be.AppendUint32(dst, uint32(headersLen)) // headers len
	dst = be.AppendUint32(dst, crc(dst[start:]))   // prelude CRC
	for i := range headers {
		dst = appendHeader(dst, &headers[i])
	}
	dst = append(dst, payload...)                // payload
	dst = be.AppendUint32(dst, crc(dst[start:])) // message CRC
	return dst
}

// headerSize returns the encoded size of h, and panics on a header that
// cannot be encoded.
func headerSize(h *Header) int {
	if len(h.Name) == 0 || len(h.Name) > maxNameBytes {
		panic(fmt.Sprintf("eventstream: header name of %d bytes", len(h.Name)))
	}
	n := 1 + len(h.Name) + 1 // name len, name, type
	switch size := fixedSize(h.Type); {
	case h.Type == TypeUUID && len(h.Bytes) != uuidBytes:
		panic(fmt.Sprintf("eventstream: header %q: UUID of %d bytes", h.Name, len(h.Bytes)))
	case size >= 0:
		return n + size
	case h.Type != TypeBytes && h.Type != TypeString:
		panic(fmt.Sprintf("eventstream: header %q: type %d", h.Name, h.Type))
	case len(h.Bytes) > maxValueBytes:
		panic(fmt.Sprintf("eventstream: header %q: value of %d bytes", h.Name, len(h.Bytes)))
	}
	return n + valueLenBytes + len(h.Bytes)
}

func appendHeader(dst []byte, h *Header) []byte {
	dst = append(dst, byte(len(h.Name))) // name len
	dst = append(dst, h.Name...)         // name
	dst = append(dst, byte(h.Type))      // type
	switch h.Type {
	case TypeByte:
		return append(dst, byte(h.Int))
	case TypeInt16:
		return be.AppendUint16(dst, uint16(h.Int))
	case TypeInt32:
		return be.AppendUint32(dst, uint32(h.Int))
	case TypeInt64, TypeTimestamp:
		return be.AppendUint64(dst, uint64(h.Int))
	case TypeUUID:
		return append(dst, h.Bytes...)
	case TypeBytes, TypeString:
		dst = be.AppendUint16(dst, uint16(len(h.Bytes))) // value len
		return append(dst, h.Bytes...)
	}
	return dst // the booleans
}
