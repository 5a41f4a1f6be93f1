package bench

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/klauspost/compress/s2"
	"github.com/stretchr/testify/require"
)

func TestRecordHeader(t *testing.T) {
	tests := []struct {
		writer int
		n      uint64
	}{{0, 0}, {1, 1}, {7, 123456789}, {maxConnections - 1, idCountMask}}
	for _, tt := range tests {
		id := recordID(tt.writer, tt.n)
		var text [headerChars]byte
		putHeader(text[:], id)
		got, ok := readHeader(text[:])
		require.True(t, ok)
		require.Equal(t, id, got)
		w, n := splitID(got)
		require.Equal(t, tt.writer, w)
		require.Equal(t, tt.n, n)
	}
	for _, bad := range []string{"", "AAAA", "AAAAAAAAAAAA", "!!!!!!!!!!!!"} {
		_, ok := readHeader([]byte(bad))
		require.False(t, ok, "readHeader(%q)", bad)
	}
}

type putRecordsBody struct {
	StreamName string
	Records    []struct {
		Data         []byte
		PartitionKey string
	}
}

// TestTemplates checks that every template is the request encoding/json reads as intended,
// that rewriting the ids changes nothing but the headers, and that slots and calls map back.
func TestTemplates(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"putrecords", Config{RecordBytes: 100, BatchRecords: 500}},
		{"putrecords-odd-size", Config{RecordBytes: 17, BatchRecords: 3}},
		{"putrecord", Config{Op: OpPutRecord, RecordBytes: 1000}},
		{"text", Config{RecordBytes: 300, BatchRecords: 10, Payload: PayloadText}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg.withDefaults()
			route := func(key string) int32 { return int32(len(key)) }
			ts := buildTemplates(cfg, 5, `stream "quoted"`, route)
			require.GreaterOrEqual(t, len(ts.templates)*ts.batch, slotsPerConn)
			for k := range uint64(3) {
				tmpl, first := ts.forCall(k)
				tmpl.setIDs(5, first)
				var body putRecordsBody
				if cfg.Op == OpPutRecord {
					var one struct {
						StreamName   string
						Data         []byte
						PartitionKey string
					}
					require.NoError(t, json.Unmarshal(tmpl.body, &one), "%s", tmpl.body)
					body.StreamName = one.StreamName
					body.Records = append(body.Records, struct {
						Data         []byte
						PartitionKey string
					}{one.Data, one.PartitionKey})
				} else {
					require.NoError(t, json.Unmarshal(tmpl.body, &body))
				}
				require.Equal(t, `stream "quoted"`, body.StreamName)
				require.Len(t, body.Records, cfg.BatchRecords)
				for j, r := range body.Records {
					require.Len(t, r.Data, cfg.RecordBytes)
					require.Equal(t, tmpl.keys[j], r.PartitionKey)
					require.Len(t, r.PartitionKey, partitionKeyLen)
					id, ok := readHeader([]byte(base64.StdEncoding.EncodeToString(r.Data)))
					require.True(t, ok)
					w, n := splitID(id)
					require.Equal(t, 5, w)
					require.Equal(t, first+uint64(j), n)
					back, slot := ts.slot(n)
					require.Same(t, tmpl, back)
					require.Equal(t, j, slot)
					require.Equal(t, base64.StdEncoding.EncodeToString(r.Data)[headerChars:], string(tmpl.payloadText(j)))
					require.Equal(t, recordSum([]byte(r.PartitionKey), tmpl.payloadText(j)), tmpl.sums[j])
				}
				require.Equal(t, int64(cfg.BatchRecords*cfg.RecordBytes), tmpl.dataBytes)
			}
		})
	}
}

// TestTemplates_Repeatable checks that a seed gives the same payloads and keys, and that
// writers get different ones.
func TestTemplates_Repeatable(t *testing.T) {
	cfg := Config{BatchRecords: 50}.withDefaults()
	route := func(string) int32 { return 0 }
	a := buildTemplates(cfg, 1, "s", route)
	b := buildTemplates(cfg, 1, "s", route)
	c := buildTemplates(cfg, 2, "s", route)
	require.Equal(t, a.templates[3].body, b.templates[3].body)
	require.NotEqual(t, a.templates[3].body, c.templates[3].body)
	cfg.Seed = 99
	d := buildTemplates(cfg, 1, "s", route)
	require.NotEqual(t, a.templates[3].keys, d.templates[3].keys)
}

// TestPayloads checks what each payload is for: random data does not compress, text does.
func TestPayloads(t *testing.T) {
	tests := []struct {
		kind     Payload
		minRatio float64 // original / compressed, at least
		maxRatio float64 // at most
	}{
		{PayloadRandom, 0.9, 1.01},
		{PayloadText, 2, 100},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			cfg := Config{Payload: tt.kind, RecordBytes: 1000, BatchRecords: 100}.withDefaults()
			ts := buildTemplates(cfg, 0, "s", func(string) int32 { return 0 })
			var raw []byte
			for _, tmpl := range ts.templates {
				for j := range tmpl.keys {
					d, err := base64.StdEncoding.DecodeString(string(tmpl.payloadText(j)))
					require.NoError(t, err)
					raw = append(raw, d...)
				}
			}
			ratio := float64(len(raw)) / float64(len(s2.Encode(nil, raw)))
			require.GreaterOrEqual(t, ratio, tt.minRatio, "s2 compression ratio")
			require.LessOrEqual(t, ratio, tt.maxRatio, "s2 compression ratio")
		})
	}
}

func TestBitsets(t *testing.T) {
	var acked, doubt bitset
	acked.setRange(0, 10)
	acked.set(200)
	doubt.setRange(10, 5)
	doubt.set(3) // acknowledged after all: not in doubt
	tr := &writeTrack{sent: 300, acked: acked, doubt: doubt}
	seen := newSeenSet(tr.sent)
	for _, i := range []uint64{0, 1, 2, 3, 4, 5, 6, 7, 12} {
		require.False(t, seen.mark(i))
	}
	require.True(t, seen.mark(12), "second mark")
	lost, inDoubt := lostAndDoubt(tr, seen)
	require.Equal(t, int64(3), lost, "8, 9 and 200 were acknowledged and not seen")
	require.Equal(t, int64(5), inDoubt)
	require.Equal(t, int64(11), acknowledged(tr))
	require.True(t, acked.has(200))
	require.False(t, acked.has(201))
	require.False(t, acked.has(1<<20))
}

func TestBase64Len(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 4, 99, 100, 1000} {
		text := base64.StdEncoding.EncodeToString(make([]byte, n))
		require.Equal(t, n, base64Len([]byte(text)), "base64Len of %d bytes", n)
	}
}

func TestCompareDecimal(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{{"1", "2", -1}, {"10", "9", 1}, {"49615604846537535747729525809166215807130139976752168962", "49615604846537535747729525809166215807130139976752168962", 0}, {"100", "099", 1}}
	for _, tt := range tests {
		require.Equal(t, tt.want, compareDecimal([]byte(tt.a), []byte(tt.b)), "compareDecimal(%s, %s)", tt.a, tt.b)
	}
}

// BenchmarkReadBack_Check measures what the read-back spends per record read, besides the
// HTTP call: parsing the GetRecords answer and checking each record against its template.
func BenchmarkReadBack_Check(b *testing.B) {
	for _, size := range []int{100, 1000} {
		b.Run(fmt.Sprintf("size=%dB", size), func(b *testing.B) {
			cfg := Config{RecordBytes: size}.withDefaults()
			ts := buildTemplates(cfg, 0, "s", func(string) int32 { return 0 })
			w := newWriter(0, 0, cfg.Op, ts)
			answer := []byte(`{"Records":[`)
			const n = 10000
			for k := range uint64(n / cfg.BatchRecords) {
				t, first := ts.forCall(k)
				t.setIDs(0, first)
				for j := range t.keys {
					if len(answer) > 12 {
						answer = append(answer, ',')
					}
					answer = fmt.Appendf(answer, `{"SequenceNumber":"4968057288143445209316920295194847105205989882877%09d","ApproximateArrivalTimestamp":1764131499.483,"Data":"%s","PartitionKey":"%s"}`,
						first+uint64(j), t.body[t.headerAt[j]:t.dataEnd[j]], t.keys[j])
				}
			}
			answer = append(answer, `],"NextShardIterator":"AAAA","MillisBehindLatest":0}`...)
			w.track.sent = n
			w.track.acked.setRange(0, n)
			p := &readPhase{cfg: cfg, writers: []*writer{w}}
			r := &shardReader{p: p, last: make([]int64, 1)}
			b.SetBytes(int64(n * size))
			b.ReportAllocs()
			for b.Loop() {
				p.seen = []seenSet{newSeenSet(n)}
				r.last[0], r.seq = -1, r.seq[:0]
				if _, err := parseGetRecords(answer, r.check); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "records/s")
			if r.local.changed+r.local.reordered+r.local.unknown > 0 {
				b.Fatalf("the check found problems: %+v", r.local)
			}
		})
	}
}
