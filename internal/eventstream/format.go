package eventstream

import (
	"encoding/binary"
	"hash/crc32"
)

// A message, every integer big-endian (the AWS event-stream encoding):
//
//	+-----------------+-------------------+----------------+---------+---------+----------------+
//	| total len (4B)  | headers len (4B)  | prelude CRC(4B)| headers | payload | message CRC(4B)|
//	+-----------------+-------------------+----------------+---------+---------+----------------+
//	 \________ prelude, 12 bytes ________/
//
// total len counts every byte of the message, both CRCs included. The prelude
// CRC is the CRC-32 (IEEE) of the first 8 bytes; the message CRC is the CRC-32
// (IEEE) of every byte before it, the prelude CRC included. The headers follow
// one another with nothing between them:
//
//	+---------------+------+-----------+-------+
//	| name len (1B) | name | type (1B) | value |
//	+---------------+------+-----------+-------+
//
// and a value is laid out by its type: nothing for the booleans, 1, 2, 4 or 8
// bytes for the integers and the timestamp (ms since the epoch), 16 bytes for
// a UUID, and a 2-byte length then the bytes for a byte array or a string.
const (
	lengthBytes     = 4                                    // one u32 length field
	crcBytes        = 4                                    // one CRC-32 field
	preludeBytes    = lengthBytes + lengthBytes + crcBytes // total len, headers len, prelude CRC
	minMessageBytes = preludeBytes + crcBytes              // no headers, no payload: 16
	MaxMessageBytes = 16 << 20                             // the most a message may have, as AWS's codecs allow
	MaxHeadersBytes = 128 << 10                            // the most a header block may have, as AWS's codecs allow
	maxNameBytes    = 255                                  // a name's length is one byte
	maxValueBytes   = 1<<15 - 1                            // a string or byte array, as AWS's codecs allow
	uuidBytes       = 16                                   // a UUID value
	valueLenBytes   = 2                                    // the length before a string or byte array
)

// Type is the type byte of a header value.
type Type uint8

// The header value types.
const (
	TypeBoolTrue  Type = 0 // no value bytes
	TypeBoolFalse Type = 1 // no value bytes
	TypeByte      Type = 2 // 1 byte, signed
	TypeInt16     Type = 3 // 2 bytes
	TypeInt32     Type = 4 // 4 bytes
	TypeInt64     Type = 5 // 8 bytes
	TypeBytes     Type = 6 // u16 length, then the bytes
	TypeString    Type = 7 // u16 length, then UTF-8
	TypeTimestamp Type = 8 // 8 bytes, ms since the Unix epoch
	TypeUUID      Type = 9 // 16 bytes
)

// fixedSize is the size of a value of type t that has no length prefix, and
// -1 for the types that have one.
func fixedSize(t Type) int {
	switch t {
	case TypeBoolTrue, TypeBoolFalse:
		return 0
	case TypeByte:
		return 1
	case TypeInt16:
		return 2
	case TypeInt32:
		return 4
	case TypeInt64, TypeTimestamp:
		return 8
	case TypeUUID:
		return uuidBytes
	}
	return -1
}

// Header is one header of a message. Int holds the value of the integer
// types and of TypeTimestamp; Bytes that of TypeBytes, TypeString and
// TypeUUID. The booleans carry their value in their Type.
type Header struct {
	Name  string
	Type  Type
	Int   int64
	Bytes []byte
}

// StringHeader returns a header of TypeString. It copies value once; build
// the headers a program sends again and again once, and reuse them.
func StringHeader(name, value string) Header {
	return Header{Name: name, Type: TypeString, Bytes: []byte(value)}
}

// String returns the value of a TypeString or TypeBytes header as text, and
// "" for the other types.
func (h Header) String() string {
	if h.Type != TypeString && h.Type != TypeBytes {
		return ""
	}
	return string(h.Bytes)
}

// Message is one decoded message.
type Message struct {
	Headers []Header
	Payload []byte
}

// Header returns the first header named name.
func (m *Message) Header(name string) (Header, bool) {
	for _, h := range m.Headers {
		if h.Name == name {
			return h, true
		}
	}
	return Header{}, false
}

func crc(b []byte) uint32 { return crc32.ChecksumIEEE(b) }

var be = binary.BigEndian
