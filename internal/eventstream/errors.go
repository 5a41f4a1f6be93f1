package eventstream

import "errors"

// Errors of Decode and Reader.Next. Each comes wrapped with the numbers that
// failed; match them with errors.Is.
var (
	// ErrPreludeChecksum: the CRC of a message's first 8 bytes is not the one
	// it carries, so its lengths cannot be trusted.
	ErrPreludeChecksum = errors.New("eventstream: prelude checksum mismatch")
	// ErrMessageChecksum: the CRC of a message is not the one it carries.
	ErrMessageChecksum = errors.New("eventstream: message checksum mismatch")
	// ErrTooLarge: a message or its header block declares more bytes than
	// the limits allow.
	ErrTooLarge = errors.New("eventstream: message too large")
	// ErrMalformed: a message whose checksums hold has lengths or headers
	// that do not fit together.
	ErrMalformed = errors.New("eventstream: malformed message")
	// ErrTruncated: the bytes end inside a message.
	ErrTruncated = errors.New("eventstream: truncated message")
)
