package stream

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/shardlog/shardlog/internal/atomicfile"
	"github.com/shardlog/shardlog/kinesis"
)

// A shard iterator is stateless: everything GetRecords needs is inside it, sealed with
// AES-256-GCM under the key in <data dir>/secret, so iterators survive restarts and a client
// can neither read nor forge one. On the wire it is the standard base64 (padded) of:
//
//	+-------------------------+-----------+------------------------------+---------+
//	| prefix 00 .. 00 01 (8B) | nonce 12B | sealed plaintext (116+16k B) | tag 16B |
//	+-------------------------+-----------+------------------------------+---------+
//
// Real AWS iterators decode to the same 8-byte prefix followed by 16-byte-aligned data, and
// kinesalite's tests check exactly that, with a total of 152 + 16k bytes; the plaintext is
// padded with zeros to keep that shape (152 to 200 bytes, 204 to 268 characters, under the
// 512 the API allows). The prefix is the GCM additional data. The plaintext, little-endian:
//
//	+-----+-----------+-------------+-------+--------+-----+------+---------+
//	| ver | issued ms | incarnation | shard | offset | len | name | 0 pad   |
//	| 1B  | 8B        | 8B          | 4B    | 8B     | 1B  | len  |         |
//	+-----+-----------+-------------+-------+--------+-----+------+---------+
//
// Version history: 1, the first.
const (
	iteratorVersion = 1

	iteratorPrefixSize = 8
	nonceSize          = 12 // the standard GCM nonce
	tagSize            = 16 // the standard GCM tag

	versionSize     = 1
	issuedSize      = 8
	incarnationSize = 8
	shardSize       = 4
	offsetSize      = 8
	nameLenSize     = 1
	fixedSize       = versionSize + issuedSize + incarnationSize + shardSize + offsetSize + nameLenSize

	sealedBase  = 152 // the smallest iterator in bytes, as AWS and kinesalite have it
	sealedAlign = 16  // iterators grow in steps of one AES block
	minPlain    = sealedBase - iteratorPrefixSize - nonceSize - tagSize

	maxPlain  = (fixedSize+kinesis.MaxStreamNameLen-minPlain+sealedAlign-1)/sealedAlign*sealedAlign + minPlain
	maxSealed = iteratorPrefixSize + nonceSize + maxPlain + tagSize
)

// iteratorPrefix starts every sealed iterator, as it starts AWS's.
var iteratorPrefix = [iteratorPrefixSize]byte{0, 0, 0, 0, 0, 0, 0, 1}

// SecretSize is the size in bytes of the key that seals shard iterators (AES-256).
const SecretSize = 32

// secretName is the file in the data directory that holds the iterator key.
const secretName = "secret"

// Iterator is what a shard iterator holds: a position in one shard of one incarnation of a
// stream, and when it was issued.
type Iterator struct {
	Stream      string // the stream's name
	Incarnation int64  // the stream's incarnation: a recreated stream has another
	ShardIndex  int    // the shard's index in the stream
	Offset      uint64 // the offset of the next record to read
	IssuedMs    int64  // when the iterator was issued, epoch milliseconds
}

// IteratorKey seals Iterators into shard iterator strings and opens them again. It is safe
// for concurrent use.
type IteratorKey struct {
	aead cipher.AEAD

	// Nonces must never repeat under one key, and the key outlives the process. Each
	// IteratorKey starts from a random 96-bit nonce and counts up in its low 64 bits, so
	// nonces differ within a process for 2^64 seals, and between processes unless their
	// random starts land within as many seals of each other (negligible at 2^-96 per pair,
	// times the seals made). A counter is cheaper than reading 12 random bytes per seal.
	nonceHigh uint32
	nonceLow  atomic.Uint64
}

// OpenIteratorKey loads the iterator key from <dataDir>/secret, first creating the file
// (mode 0600, atomically) with a new random key if it does not exist, so that iterators
// issued before a restart stay valid after it. Only one process may use a data directory.
func OpenIteratorKey(dataDir string) (*IteratorKey, error) {
	path := filepath.Join(dataDir, secretName)
	secret, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		secret, err = createSecret(dataDir, path)
	}
	if err != nil {
		return nil, fmt.Errorf("stream: iterator key %s: %w", path, err)
	}
	k, err := NewIteratorKey(secret)
	if err != nil {
		return nil, fmt.Errorf("%w: %s holds %d bytes, want %d", err, path, len(secret), SecretSize)
	}
	return k, nil
}

func createSecret(dataDir, path string) ([]byte, error) {
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, err
	}
	secret := make([]byte, SecretSize)
	rand.Read(secret) // never fails (crypto/rand)
	if err := atomicfile.WriteFile(path, secret, 0o600); err != nil {
		return nil, err
	}
	return secret, nil
}

// NewIteratorKey returns an IteratorKey for a secret of SecretSize bytes.
func NewIteratorKey(secret []byte) (*IteratorKey, error) {
	if len(secret) != SecretSize {
		return nil, ErrBadSecret
	}
	block, err := aes.NewCipher(secret)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	var start [nonceSize]byte
	rand.Read(start[:])
	k := &IteratorKey{aead: aead, nonceHigh: binary.LittleEndian.Uint32(start[:4])}
	k.nonceLow.Store(binary.LittleEndian.Uint64(start[4:]))
	return k, nil
}

// buffer pools the scratch space of Seal and Open: the AEAD is an interface, so a stack
// array passed to it would move to the heap on every call. Decoding wants room for whole
// 3-byte groups.
type buffer [(maxSealed + 2) / 3 * 3]byte

// maxEncoded is the length of the longest iterator string shardlog issues.
const maxEncoded = (maxSealed + 2) / 3 * 4

var buffers = sync.Pool{New: func() any { return new(buffer) }}

// Seal returns it as a shard iterator string. It panics if it.Stream is longer than
// MaxStreamNameLen or it.ShardIndex is not a valid shard index: the API admits neither.
func (k *IteratorKey) Seal(it Iterator) string {
	buf := buffers.Get().(*buffer)
	defer buffers.Put(buf)
	var out [maxEncoded]byte
	return string(base64.StdEncoding.AppendEncode(out[:0], k.seal(buf, it)))
}

// AppendSeal appends it, as a shard iterator string, to dst and returns the extended slice.
func (k *IteratorKey) AppendSeal(dst []byte, it Iterator) []byte {
	buf := buffers.Get().(*buffer)
	defer buffers.Put(buf)
	return base64.StdEncoding.AppendEncode(dst, k.seal(buf, it))
}

// seal writes the sealed bytes of it into buf and returns them.
func (k *IteratorKey) seal(buf *buffer, it Iterator) []byte {
	if len(it.Stream) > kinesis.MaxStreamNameLen || it.ShardIndex < 0 || it.ShardIndex > math.MaxInt32 {
		panic(fmt.Sprintf("stream: Seal(%q, shard %d): stream name or shard index out of range", it.Stream, it.ShardIndex))
	}
	out := append(buf[:0], iteratorPrefix[:]...)
	nonce := binary.LittleEndian.AppendUint32(out[len(out):], k.nonceHigh)
	nonce = binary.LittleEndian.AppendUint64(nonce, k.nonceLow.Add(1))
	out = out[:len(out)+nonceSize]

	p := out[len(out):]
	p = append(p, iteratorVersion)                                  // ver
	p = binary.LittleEndian.AppendUint64(p, uint64(it.IssuedMs))    // issued ms
	p = binary.LittleEndian.AppendUint64(p, uint64(it.Incarnation)) // incarnation
	p = binary.LittleEndian.AppendUint32(p, uint32(it.ShardIndex))  // shard
	p = binary.LittleEndian.AppendUint64(p, it.Offset)              // offset
	p = append(p, byte(len(it.Stream)))                             // len
	p = append(p, it.Stream...)                                     // name
	end := len(p)
	p = p[:plainSize(len(it.Stream))]
	clear(p[end:]) // 0 pad

	return k.aead.Seal(out, nonce, p, iteratorPrefix[:])
}

// plainSize returns the padded plaintext size for a stream name of n bytes.
func plainSize(n int) int {
	size := fixedSize + n
	if size <= minPlain {
		return minPlain
	}
	return minPlain + (size-minPlain+sealedAlign-1)/sealedAlign*sealedAlign
}

// Open returns the Iterator sealed in s. An iterator that is malformed, was sealed under
// another key, or was altered gives the InvalidArgumentException "Invalid ShardIterator.";
// one issued more than kinesis.IteratorLifetime before nowMs gives an
// ExpiredIteratorException. An iterator issued after nowMs (the clock stepped back) is
// accepted.
func (k *IteratorKey) Open(s string, nowMs int64) (Iterator, error) {
	buf := buffers.Get().(*buffer)
	defer buffers.Put(buf)
	if len(s) > kinesis.MaxShardIteratorLen || base64.StdEncoding.DecodedLen(len(s)) > len(buf) {
		return Iterator{}, invalidShardIterator()
	}
	// Strict decoding rejects non-zero padding bits but skips newlines; the length check
	// rejects those, so that only the canonical encoding of the bytes is accepted, as AWS does.
	n, err := base64.StdEncoding.Strict().Decode(buf[:], []byte(s))
	if err != nil || len(s) != base64.StdEncoding.EncodedLen(n) || n < sealedBase || (n-sealedBase)%sealedAlign != 0 {
		return Iterator{}, invalidShardIterator()
	}
	raw := buf[:n]
	if [iteratorPrefixSize]byte(raw[:iteratorPrefixSize]) != iteratorPrefix {
		return Iterator{}, invalidShardIterator()
	}
	nonce := raw[iteratorPrefixSize : iteratorPrefixSize+nonceSize]
	p, err := k.aead.Open(raw[iteratorPrefixSize+nonceSize:iteratorPrefixSize+nonceSize], nonce,
		raw[iteratorPrefixSize+nonceSize:], iteratorPrefix[:])
	if err != nil {
		return Iterator{}, invalidShardIterator()
	}
	it, ok := decodePlain(p)
	if !ok {
		return Iterator{}, invalidShardIterator()
	}
	if nowMs-it.IssuedMs > kinesis.IteratorLifetime.Milliseconds() {
		return Iterator{}, expiredIterator(it.IssuedMs, nowMs)
	}
	return it, nil
}

// decodePlain reads an authenticated plaintext. It checks the layout all the same: the key
// may outlive a change of format.
func decodePlain(p []byte) (Iterator, bool) {
	if len(p) < fixedSize || p[0] != iteratorVersion {
		return Iterator{}, false
	}
	it := Iterator{
		IssuedMs:    int64(binary.LittleEndian.Uint64(p[1:])),
		Incarnation: int64(binary.LittleEndian.Uint64(p[9:])),
		ShardIndex:  int(binary.LittleEndian.Uint32(p[17:])),
		Offset:      binary.LittleEndian.Uint64(p[21:]),
	}
	nameLen := int(p[29])
	if nameLen > kinesis.MaxStreamNameLen || fixedSize+nameLen > len(p) || len(p) != plainSize(nameLen) ||
		it.ShardIndex > math.MaxInt32 {
		return Iterator{}, false
	}
	it.Stream = string(p[fixedSize : fixedSize+nameLen])
	return it, true
}
