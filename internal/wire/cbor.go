package wire

import (
	"encoding/binary"
	"math"
	"time"
)

// CBOR (RFC 8949) as the AWS Java SDKs speak it for Kinesis, content type
// application/x-amz-cbor-1.1: the same members as JSON in a top-level map,
// blobs as byte strings, and timestamps as tag 1 around an integer of epoch
// milliseconds (not seconds, whatever RFC 8949 says). Requests decode into the
// same tree as JSON (ParseCBOR); responses, errors included, are CBOR maps
// with the JSON member names.

// Major types, already shifted into the high three bits of the initial byte.
const (
	CBORUint   byte = 0 << 5
	CBORNegint byte = 1 << 5
	CBORBytes  byte = 2 << 5
	CBORText   byte = 3 << 5
	CBORArray  byte = 4 << 5
	CBORMap    byte = 5 << 5
	CBORTag    byte = 6 << 5
	CBORSimple byte = 7 << 5
)

// Simple values and additional information.
const (
	CBORFalse      = CBORSimple | 20
	CBORTrue       = CBORSimple | 21
	CBORNull       = CBORSimple | 22
	CBORUndefined  = CBORSimple | 23
	CBORFloat16    = CBORSimple | 25
	CBORFloat32    = CBORSimple | 26
	CBORFloat64    = CBORSimple | 27
	CBORBreak      = CBORSimple | 31 // ends an indefinite-length item
	CBORIndefinite = 31              // additional information of an indefinite length
	CBORTagEpoch   = 1               // tag of an epoch-based date/time
)

// AppendCBORHead appends an initial byte with its argument in the shortest form.
func AppendCBORHead(dst []byte, major byte, n uint64) []byte {
	switch {
	case n < 24:
		return append(dst, major|byte(n))
	case n <= math.MaxUint8:
		return append(dst, major|24, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(dst, major|25), uint16(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(dst, major|26), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(dst, major|27), n)
}

// AppendCBORText appends a text string.
func AppendCBORText[T Text](dst []byte, s T) []byte {
	return append(AppendCBORHead(dst, CBORText, uint64(len(s))), s...)
}

// AppendCBORBytes appends a byte string: a blob.
func AppendCBORBytes(dst []byte, b []byte) []byte {
	return append(AppendCBORHead(dst, CBORBytes, uint64(len(b))), b...)
}

// AppendCBORInt appends an integer, as an unsigned or a negative one.
func AppendCBORInt(dst []byte, n int64) []byte {
	if n >= 0 {
		return AppendCBORHead(dst, CBORUint, uint64(n))
	}
	return AppendCBORHead(dst, CBORNegint, uint64(-1-n))
}

// AppendCBORBool appends true or false.
func AppendCBORBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, CBORTrue)
	}
	return append(dst, CBORFalse)
}

// AppendCBORMillis appends a timestamp as the Java SDKs expect it: tag 1
// around an integer of epoch milliseconds.
func AppendCBORMillis(dst []byte, ms int64) []byte {
	return AppendCBORInt(AppendCBORHead(dst, CBORTag, CBORTagEpoch), ms)
}

// AppendCBORTime appends t as AppendCBORMillis does; the zero time is 0.
func AppendCBORTime(dst []byte, t time.Time) []byte {
	if t.IsZero() {
		return AppendCBORMillis(dst, 0)
	}
	return AppendCBORMillis(dst, t.UnixMilli())
}
