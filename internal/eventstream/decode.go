package eventstream

import (
	"errors"
	"fmt"
	"io"
)

// MessageLength checks the prelude at the start of b and returns the length
// of the message it begins. b must hold the whole prelude (12 bytes).
// maxBytes bounds the length accepted; 0 means MaxMessageBytes.
func MessageLength(b []byte, maxBytes int) (int, error) {
	if len(b) < preludeBytes {
		return 0, fmt.Errorf("%w: %d bytes, a prelude has %d", ErrTruncated, len(b), preludeBytes)
	}
	if maxBytes <= 0 || maxBytes > MaxMessageBytes {
		maxBytes = MaxMessageBytes
	}
	total, headersLen := be.Uint32(b[0:4]), be.Uint32(b[4:8])
	if got, want := be.Uint32(b[8:12]), crc(b[:8]); got != want {
		return 0, fmt.Errorf("%w: carries %08x, bytes give %08x", ErrPreludeChecksum, got, want)
	}
	switch {
	case uint64(total) > uint64(maxBytes):
		return 0, fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, total, maxBytes)
	case headersLen > MaxHeadersBytes:
		return 0, fmt.Errorf("%w: %d bytes of headers, the limit is %d", ErrTooLarge, headersLen, MaxHeadersBytes)
	case uint64(headersLen)+minMessageBytes > uint64(total):
		return 0, fmt.Errorf("%w: %d bytes of headers in a message of %d", ErrMalformed, headersLen, total)
	}
	return int(total), nil
}

// Decode decodes the one message b holds: b must be exactly the message,
// checksums included. The headers are appended to headers[:0], so a caller
// that passes the previous Message's Headers decodes without allocating but
// for the header names. Byte values and the payload alias b.
func Decode(b []byte, headers []Header) (Message, error) {
	total, err := MessageLength(b, 0)
	if err != nil {
		return Message{}, err
	}
	if total != len(b) {
		return Message{}, fmt.Errorf("%w: declares %d bytes, holds %d", ErrMalformed, total, len(b))
	}
	end := total - crcBytes
	if got, want := be.Uint32(b[end:]), crc(b[:end]); got != want {
		return Message{}, fmt.Errorf("%w: carries %08x, bytes give %08x", ErrMessageChecksum, got, want)
	}
	headersEnd := preludeBytes + int(be.Uint32(b[4:8]))
	headers, err = decodeHeaders(b[preludeBytes:headersEnd], headers[:0])
	if err != nil {
		return Message{}, err
	}
	return Message{Headers: headers, Payload: b[headersEnd:end:end]}, nil
}

// decodeHeaders decodes a header block, which the message checksum has
// vouched for, and checks that each header fits in what is left of it.
func decodeHeaders(b []byte, headers []Header) ([]Header, error) {
	for pos := 0; pos < len(b); {
		h, n, err := decodeHeader(b[pos:])
		if err != nil {
			return nil, fmt.Errorf("%w: header at byte %d of %d: %s", ErrMalformed, pos, len(b), err)
		}
		headers = append(headers, h)
		pos += n
	}
	return headers, nil
}

// decodeHeader decodes the header at the start of b and returns its size.
func decodeHeader(b []byte) (Header, int, error) {
	if len(b) < 1 || int(b[0]) == 0 || len(b) < 1+int(b[0])+1 {
		return Header{}, 0, errors.New("name does not fit")
	}
	nameLen := int(b[0])
	h := Header{Name: string(b[1 : 1+nameLen]), Type: Type(b[1+nameLen])}
	v := b[1+nameLen+1:]
	n := 1 + nameLen + 1
	size := fixedSize(h.Type)
	switch {
	case size < 0 && h.Type != TypeBytes && h.Type != TypeString:
		return Header{}, 0, fmt.Errorf("type %d of %q is unknown", h.Type, h.Name)
	case size < 0 && len(v) < valueLenBytes:
		return Header{}, 0, fmt.Errorf("length of %q does not fit", h.Name)
	case size < 0:
		valueLen := int(be.Uint16(v))
		if valueLen > maxValueBytes {
			return Header{}, 0, fmt.Errorf("value of %q has %d bytes, the limit is %d", h.Name, valueLen, maxValueBytes)
		}
		if valueLen > len(v)-valueLenBytes {
			return Header{}, 0, fmt.Errorf("value of %q (%d bytes) does not fit", h.Name, valueLen)
		}
		h.Bytes = v[valueLenBytes : valueLenBytes+valueLen : valueLenBytes+valueLen]
		return h, n + valueLenBytes + valueLen, nil
	case size > len(v):
		return Header{}, 0, fmt.Errorf("value of %q (%d bytes) does not fit", h.Name, size)
	}
	h.Int = fixedValue(h.Type, v)
	if h.Type == TypeUUID {
		h.Bytes = v[:uuidBytes:uuidBytes]
	}
	return h, n + size, nil
}

// fixedValue reads the integer value of a fixed-size type from v, which
// holds at least its bytes.
func fixedValue(t Type, v []byte) int64 {
	switch t {
	case TypeByte:
		return int64(int8(v[0]))
	case TypeInt16:
		return int64(int16(be.Uint16(v)))
	case TypeInt32:
		return int64(int32(be.Uint32(v)))
	case TypeInt64, TypeTimestamp:
		return int64(be.Uint64(v))
	}
	return 0
}

// readStep is the first room a Reader makes for a message; each later step
// doubles what has arrived.
const readStep = 64 << 10

// Reader cuts the messages of an event stream out of an io.Reader.
type Reader struct {
	r        io.Reader
	maxBytes int
	buf      []byte
	headers  []Header
	err      error // sticky
}

// NewReader returns a Reader of the messages r holds, refusing a message
// over maxBytes (0 or more than MaxMessageBytes: MaxMessageBytes). It does
// not close r.
func NewReader(r io.Reader, maxBytes int) *Reader {
	if maxBytes <= 0 || maxBytes > MaxMessageBytes {
		maxBytes = MaxMessageBytes
	}
	return &Reader{r: r, maxBytes: maxBytes}
}

// Next returns the next message. At the end of r on a message boundary it
// returns io.EOF; inside a message, an error that matches ErrTruncated. An
// error stays: every later call returns it. The Message is valid until the
// next call.
func (r *Reader) Next() (Message, error) {
	if r.err != nil {
		return Message{}, r.err
	}
	m, err := r.next()
	if err != nil {
		r.err = err
		return Message{}, err
	}
	return m, nil
}

func (r *Reader) next() (Message, error) {
	r.buf = r.buf[:0]
	if err := r.fill(preludeBytes); err != nil {
		if errors.Is(err, io.EOF) && len(r.buf) == 0 {
			return Message{}, io.EOF
		}
		return Message{}, err
	}
	total, err := MessageLength(r.buf, r.maxBytes)
	if err != nil {
		return Message{}, err
	}
	if err := r.fill(total); err != nil {
		return Message{}, err
	}
	m, err := Decode(r.buf, r.headers)
	r.headers = m.Headers
	return m, err
}

// fill reads until r.buf holds n bytes, growing it as bytes arrive.
func (r *Reader) fill(n int) error {
	for len(r.buf) < n {
		if len(r.buf) == cap(r.buf) {
			grown := make([]byte, len(r.buf), min(n, max(readStep, 2*cap(r.buf))))
			copy(grown, r.buf)
			r.buf = grown
		}
		m, err := r.r.Read(r.buf[len(r.buf):min(n, cap(r.buf))])
		r.buf = r.buf[:len(r.buf)+m]
		if err == io.EOF && len(r.buf) > 0 && len(r.buf) < n {
			return fmt.Errorf("%w: %d of %d bytes", ErrTruncated, len(r.buf), n)
		}
		if err != nil && len(r.buf) < n {
			return err
		}
	}
	return nil
}
