package bench

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"math/rand/v2"
	"strconv"
)

// Every record the generator writes names itself in its first bytes, so the read-back can
// tell which write it came from without keeping anything per record:
//
//	+-------------+------------------------------+---------------------------+
//	| magic (1B)  | record id (8B, big-endian)   | payload (RecordBytes - 9) |
//	+-------------+------------------------------+---------------------------+
//
// The record id holds the writer's number above its low idCountBits bits, and in them the
// count of records the writer sent before this one. Nine bytes are exactly twelve base64 characters, so the header's text in a
// request does not depend on the payload after it: a request is encoded once, and each call
// rewrites only the twelve characters of every record's header.
//
// The payload and the partition key of a record come from the writer's templates: writer w
// sends its call k from template k mod len(templates), and record j of that call is template
// slot j. So the read-back finds, from the id alone, the exact base64 text, partition key and
// shard the record must have.
const (
	recordMagic     = 0xB7                // first byte of every record the generator writes
	headerBytes     = 1 + 8               // magic and record id
	headerChars     = headerBytes / 3 * 4 // their base64 text: 12 characters
	idCountBits     = 40                  // bits of a writer's record count in an id
	idCountMask     = 1<<idCountBits - 1  // the count bits
	slotsPerConn    = 2048                // distinct records in a writer's templates, at least
	partitionKeyLen = 16                  // hex characters of a random partition key
)

// maxConnections bounds Config.Connections (writers).
const maxConnections = 4096

// recordID returns the id of record n of writer w.
func recordID(w int, n uint64) uint64 { return uint64(w)<<idCountBits | n }

// splitID returns the writer and record count of an id.
func splitID(id uint64) (w int, n uint64) { return int(id >> idCountBits), id & idCountMask }

// putHeader writes the base64 text of a record header naming id into dst[:headerChars]. It
// runs for every record sent, so it encodes its three groups itself.
func putHeader(dst []byte, id uint64) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var h [headerBytes]byte
	h[0] = recordMagic
	binary.BigEndian.PutUint64(h[1:], id)
	_ = dst[headerChars-1]
	for g := range headerBytes / 3 {
		v := uint32(h[3*g])<<16 | uint32(h[3*g+1])<<8 | uint32(h[3*g+2])
		dst[4*g] = alphabet[v>>18&0x3F]
		dst[4*g+1] = alphabet[v>>12&0x3F]
		dst[4*g+2] = alphabet[v>>6&0x3F]
		dst[4*g+3] = alphabet[v&0x3F]
	}
}

// base64Values maps a standard base64 character to its 6-bit value, and others to 0xFF.
var base64Values = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xFF
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := range len(alphabet) {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

// readHeader decodes the id from the base64 text of a record's data; ok is false if the text
// does not start with a header the generator wrote. It runs for every record read back, so
// it decodes its twelve characters itself rather than through encoding/base64.
func readHeader(data []byte) (id uint64, ok bool) {
	if len(data) < headerChars {
		return 0, false
	}
	var h [headerBytes]byte
	for g := range headerChars / 4 {
		q := data[4*g : 4*g+4]
		a, b, c, d := base64Values[q[0]], base64Values[q[1]], base64Values[q[2]], base64Values[q[3]]
		if (a|b|c|d)&0xC0 != 0 {
			return 0, false
		}
		v := uint32(a)<<18 | uint32(b)<<12 | uint32(c)<<6 | uint32(d)
		h[3*g], h[3*g+1], h[3*g+2] = byte(v>>16), byte(v>>8), byte(v)
	}
	if h[0] != recordMagic {
		return 0, false
	}
	return binary.BigEndian.Uint64(h[1:]), true
}

// template is one pre-encoded write request and what the read-back checks its records by.
type template struct {
	body      []byte   // the JSON request, with the headers of the last call in it
	headerAt  []int32  // position in body of each record's base64 data (its header first)
	dataEnd   []int32  // position in body after each record's base64 data
	keys      []string // each record's partition key
	sums      []uint32 // each record's recordSum: what the read-back compares
	shard     []int32  // each record's shard: its place in the stream's shard list
	dataBytes int64    // data bytes of the records, for MB/s
}

// payloadText returns the base64 text of record j's payload, after its header.
func (t *template) payloadText(j int) []byte {
	return t.body[int(t.headerAt[j])+headerChars : t.dataEnd[j]]
}

// castagnoli is the CRC-32C table; the CPU computes it in hardware.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// recordSum is the CRC-32C of a record's partition key and the base64 text of its payload.
// The read-back compares it rather than the bytes: the sums of a writer's templates are a
// few kilobytes that stay in cache, where the templates themselves are megabytes that would
// be read from memory for every record.
func recordSum(key, payloadText []byte) uint32 {
	return crc32.Update(crc32.Checksum(key, castagnoli), castagnoli, payloadText)
}

// setIDs rewrites the record headers for a call of writer w whose first record is number first.
func (t *template) setIDs(w int, first uint64) {
	for j, at := range t.headerAt {
		putHeader(t.body[at:], recordID(w, first+uint64(j)))
	}
}

// templateSet is the templates of one writer.
type templateSet struct {
	writer    int
	batch     int
	templates []*template
}

// forCall returns the template of call k and the first record count it carries.
func (ts *templateSet) forCall(k uint64) (*template, uint64) {
	return ts.templates[k%uint64(len(ts.templates))], k * uint64(ts.batch)
}

// slot returns the template and slot a record count was sent from.
func (ts *templateSet) slot(n uint64) (*template, int) {
	k := n / uint64(ts.batch)
	return ts.templates[k%uint64(len(ts.templates))], int(n % uint64(ts.batch))
}

// router finds a partition key's shard; it is given by the run, which knows the hash ranges.
type router func(key string) int32

// buildTemplates makes the templates of writer w, which writes to stream.
func buildTemplates(cfg Config, w int, stream string, route router) *templateSet {
	count := (slotsPerConn + cfg.BatchRecords - 1) / cfg.BatchRecords
	ts := &templateSet{writer: w, batch: cfg.BatchRecords, templates: make([]*template, count)}
	rng := rand.New(rand.NewPCG(cfg.Seed, uint64(w)))
	gen := payloadGen{kind: cfg.Payload, rng: rng}
	for i := range ts.templates {
		ts.templates[i] = buildTemplate(cfg, stream, &gen, route)
	}
	return ts
}

func buildTemplate(cfg Config, stream string, gen *payloadGen, route router) *template {
	n := cfg.BatchRecords
	t := &template{headerAt: make([]int32, n), dataEnd: make([]int32, n), keys: make([]string, n),
		sums: make([]uint32, n), shard: make([]int32, n)}
	encLen := base64.StdEncoding.EncodedLen(cfg.RecordBytes)
	b := make([]byte, 0, 64+len(stream)+n*(encLen+partitionKeyLen+40))
	b = append(b, `{"StreamName":`...)
	b = strconv.AppendQuote(b, stream)
	if cfg.Op == OpPutRecords {
		b = append(b, `,"Records":[`...)
	} else {
		b = append(b, ',')
	}
	data := make([]byte, cfg.RecordBytes)
	for j := range n {
		if j > 0 {
			b = append(b, ',')
		}
		if cfg.Op == OpPutRecords {
			b = append(b, '{')
		}
		gen.fill(data[headerBytes:])
		key := gen.key()
		t.keys[j], t.shard[j] = key, route(key)
		b = append(b, `"Data":"`...)
		t.headerAt[j] = int32(len(b))
		b = base64.StdEncoding.AppendEncode(b, data)
		t.dataEnd[j] = int32(len(b))
		t.sums[j] = recordSum([]byte(key), b[int(t.headerAt[j])+headerChars:])
		b = append(b, `","PartitionKey":"`...)
		b = append(b, key...)
		b = append(b, '"')
		if cfg.Op == OpPutRecords {
			b = append(b, '}')
		}
		t.dataBytes += int64(cfg.RecordBytes)
	}
	if cfg.Op == OpPutRecords {
		b = append(b, ']')
	}
	t.body = append(b, '}')
	return t
}

// payloadGen fills payloads and draws partition keys from one random source.
type payloadGen struct {
	kind Payload
	rng  *rand.Rand
	line []byte // scratch for text payloads
}

// key returns a random partition key: 16 hex digits, so keys spread evenly over the shards.
func (g *payloadGen) key() string {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], g.rng.Uint64())
	return hex.EncodeToString(k[:])
}

// fill fills p with the next payload.
func (g *payloadGen) fill(p []byte) {
	if g.kind == PayloadText {
		g.fillText(p)
		return
	}
	for i := 0; i < len(p); i += 8 {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], g.rng.Uint64())
		copy(p[i:], w[:])
	}
}

// Vocabulary of the text payload: log lines of a made-up shop, as applications send them.
var (
	textLevels   = []string{"info", "info", "info", "debug", "warn", "error"}
	textServices = []string{"checkout", "cart", "search", "catalog", "payments", "shipping", "accounts"}
	textActions  = []string{"view", "click", "add_to_cart", "remove_from_cart", "purchase", "login", "logout", "search"}
	textWords    = []string{"request", "completed", "user", "session", "item", "price", "order", "cache", "miss", "hit",
		"retry", "timeout", "upstream", "latency", "ok", "queued", "processed", "the", "for", "with"}
)

// fillText fills p with JSON-like log lines, cut to fit: text a codec shrinks several times.
func (g *payloadGen) fillText(p []byte) {
	b := g.line[:0]
	for len(b) < len(p) {
		r := g.rng
		b = append(b, `{"ts":`...)
		b = strconv.AppendInt(b, 1764000000000+r.Int64N(100000000), 10)
		b = append(b, `,"level":"`...)
		b = append(b, textLevels[r.IntN(len(textLevels))]...)
		b = append(b, `","service":"`...)
		b = append(b, textServices[r.IntN(len(textServices))]...)
		b = append(b, `","user":"user-`...)
		b = strconv.AppendInt(b, int64(r.IntN(100000)), 10)
		b = append(b, `","action":"`...)
		b = append(b, textActions[r.IntN(len(textActions))]...)
		b = append(b, `","ms":`...)
		b = strconv.AppendInt(b, int64(r.IntN(500)), 10)
		b = append(b, `,"msg":"`...)
		for range 4 + r.IntN(8) {
			b = append(b, textWords[r.IntN(len(textWords))]...)
			b = append(b, ' ')
		}
		b = append(b, "\"}\n"...)
	}
	copy(p, b)
	g.line = b
}
