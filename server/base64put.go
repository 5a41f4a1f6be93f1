package server

import (
	"context"

	"github.com/shardlog/shardlog/internal/b64"
)

// Base64Putter is implemented by a Backend that decodes the data of PutRecords itself,
// straight into where it stores it, so that the bytes are written once instead of being
// decoded into a buffer of the server's and copied from there.
//
// The server calls PutRecordsBase64 instead of PutRecords for the requests its focused
// decoder reads (JSON without escapes: what the SDKs send). The Data of each record is then
// the standard base64 text the request carried: its length is a multiple of 4, it holds no
// JSON escape (so that the text is the string's value), and the data it decodes to (three
// bytes per four characters, less one per trailing '=') is within the server's limits,
// which the server has checked on those lengths; nothing else about it is checked.
//
// The Backend must decode every record's text before it stores any of them, and store
// nothing if one is not the canonical base64 of some bytes (what encoding/base64's
// StdEncoding.Strict() decodes without skipping a line break): it then returns an error.
// Whenever the call returns an error, the server decodes the request again in full and
// answers with the error that finds, if any (a SerializationException for text that is not
// base64, as AWS finds it before anything else), and with the Backend's error otherwise.
type Base64Putter interface {
	PutRecordsBase64(ctx context.Context, in *PutRecordsInput) (*PutRecordsOutput, error)
}

// Base64Len returns the length of the data that a record's base64 text, as a Base64Putter
// gets it, decodes to.
func Base64Len(text []byte) int { return b64.Len(text) }

// dataLen returns the length of a record's data: of its bytes, or, with c.dataText, of what
// its base64 text decodes to.
func (c *call) dataLen(data []byte) int {
	if c.dataText {
		return b64.Len(data)
	}
	return len(data)
}

// dataError returns the error of a request whose PutRecords Data was left as base64 text
// (c.dataText) and that failed with err: the error of the general path's decode, if the
// body has one, and err otherwise. It returns nil when the server has answered the client
// itself instead (no memory for the general decode), and there is nothing left to send.
func (c *call) dataError(err error) error {
	c.dataText = false
	if !c.chargeDecode(parseBytesPerBodyByte, parseBaseBytes) {
		return nil
	}
	if !c.parse(c.op.shape) {
		if c.status != 0 {
			return nil // refused for want of memory
		}
		return serializationError("")
	}
	if _, derr := c.decode(c.op); derr != nil {
		return derr
	}
	return err
}
