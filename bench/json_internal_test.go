package bench

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

type parsedRecord struct{ Seq, Key, Data string }

func TestParseGetRecords(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    []parsedRecord
		next    string
		hasNext bool
		behind  int64
		child   int
	}{
		{
			name:    "shardlog",
			body:    `{"Records":[{"SequenceNumber":"49","ApproximateArrivalTimestamp":1764000000.123,"Data":"aGk=","PartitionKey":"k"}],"NextShardIterator":"AAAA","MillisBehindLatest":0}`,
			want:    []parsedRecord{{"49", "k", "aGk="}},
			next:    "AAAA",
			hasNext: true,
		},
		{
			name:    "kinesalite-order-and-spaces",
			body:    " {\n \"MillisBehindLatest\" : 12 , \"NextShardIterator\":\"it\", \"Records\" : [ { \"PartitionKey\":\"a\", \"Data\":\"\", \"SequenceNumber\":\"1\" } , {\"SequenceNumber\":\"2\",\"Data\":\"eA==\",\"PartitionKey\":\"b\",\"EncryptionType\":\"NONE\"} ] } ",
			want:    []parsedRecord{{"1", "a", ""}, {"2", "b", "eA=="}},
			next:    "it",
			hasNext: true,
			behind:  12,
		},
		{
			name:   "closed-shard",
			body:   `{"Records":[],"NextShardIterator":null,"MillisBehindLatest":0,"ChildShards":[{"ShardId":"shardId-000000000002","ParentShards":["shardId-000000000000"],"HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"9"}}]}`,
			child:  1,
			behind: 0,
		},
		{
			name:    "escapes",
			body:    `{"Records":[{"SequenceNumber":"7","Data":"YS9i\/w==","PartitionKey":"k\"\u00e9"}],"NextShardIterator":"x\/y"}`,
			want:    []parsedRecord{{"7", "k\"é", "YS9i/w=="}},
			next:    "x/y",
			hasNext: true,
		},
		{
			name: "no-records-member",
			body: `{"MillisBehindLatest":5}`,
			want: nil, behind: 5,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []parsedRecord
			a, err := parseGetRecords([]byte(tt.body), func(seq, key, data []byte) {
				got = append(got, parsedRecord{string(seq), string(key), string(data)})
			})
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			require.Equal(t, len(tt.want), a.records)
			require.Equal(t, tt.next, string(a.next))
			require.Equal(t, tt.hasNext, a.hasNext)
			require.Equal(t, tt.behind, a.behindMs)
			require.Equal(t, tt.child, a.childShards)
		})
	}
}

func TestParseGetRecords_Bad(t *testing.T) {
	for _, body := range []string{
		``,
		`[]`,
		`{"Records":[{"SequenceNumber":"1"}`,
		`{"Records":{}}`,
		`{"Records":[{"Data":"unterminated}]}`,
		`{"MillisBehindLatest":x}`,
		`{"NextShardIterator":"a"} trailing`,
		`{"A":tru`,
	} {
		_, err := parseGetRecords([]byte(body), func(seq, key, data []byte) {})
		require.Error(t, err, "parseGetRecords(%q)", body)
	}
}

func TestParsePutRecords(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		n          int
		wantFailed int
		want       []bool
		wantErr    bool
	}{
		{"all-ok", `{"FailedRecordCount":0,"Records":[{"SequenceNumber":"1","ShardId":"s"},{"SequenceNumber":"2","ShardId":"s"}]}`, 2, 0, []bool{false, false}, false},
		{"count-last", `{"Records":[{"SequenceNumber":"1","ShardId":"s"},{"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"slow down"}],"FailedRecordCount":1}`, 2, 1, []bool{false, true}, false},
		{"null-error-code", `{"FailedRecordCount":0,"Records":[{"SequenceNumber":"1","ShardId":"s","ErrorCode":null}]}`, 1, 0, []bool{false}, false},
		{"zero-first-stops-reading", `{"FailedRecordCount":0,"Records":[not read]}`, 2, 0, []bool{false, false}, false},
		{"too-few-entries", `{"Records":[{"SequenceNumber":"1","ShardId":"s"}],"FailedRecordCount":0}`, 2, 0, nil, true},
		{"no-count", `{"Records":[{"SequenceNumber":"1","ShardId":"s"}]}`, 1, 0, nil, true},
		{"not-json", `<html>`, 1, 0, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			failed := make([]bool, tt.n)
			got, err := parsePutRecords([]byte(tt.body), failed)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.wantFailed, got)
			require.Equal(t, tt.want, failed)
		})
	}
}

func TestParseString(t *testing.T) {
	v, err := parseString([]byte(`{"ShardIterator":"AAAAAAAAAAE=","Other":[1,{"a":null}]}`), "ShardIterator")
	require.NoError(t, err)
	require.Equal(t, "AAAAAAAAAAE=", string(v))
	_, err = parseString([]byte(`{"Other":1}`), "ShardIterator")
	require.Error(t, err)
}

func TestParseError(t *testing.T) {
	e := parseError("PutRecords", 400, []byte(`{"__type":"ResourceNotFoundException","message":"Stream x not found."}`))
	require.Equal(t, &APIError{Operation: "PutRecords", Status: 400, Type: "ResourceNotFoundException", Message: "Stream x not found."}, e)
	e = parseError("GetRecords", 400, []byte(`{"__type":"SerializationException","Message":"bad"}`))
	require.Equal(t, "bad", e.Message)
	e = parseError("GetRecords", 502, []byte(`Bad Gateway`))
	require.Equal(t, "", e.Type)
	require.Equal(t, "Bad Gateway", e.Message)
	require.Contains(t, e.Error(), "HTTP 502")
}

// FuzzParseGetRecords checks that the scanner never panics on any body, and that it reads
// the records of every answer encoding/json writes as encoding/json reads them back.
func FuzzParseGetRecords(f *testing.F) {
	f.Add(`{"Records":[{"SequenceNumber":"49","Data":"aGk=","PartitionKey":"k"}],"NextShardIterator":"AAAA","MillisBehindLatest":0}`)
	f.Add(`{"Records":[],"NextShardIterator":null,"ChildShards":[{"ShardId":"s"}]}`)
	f.Add(`{"Records":[{"PartitionKey":"k\"\u00e9","Data":"","SequenceNumber":"1"}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		parseGetRecords([]byte(body), func(seq, key, data []byte) {})

		var answer struct {
			Records []struct{ SequenceNumber, PartitionKey, Data string }
		}
		if json.Unmarshal([]byte(body), &answer) != nil {
			return
		}
		canonical, err := json.Marshal(answer)
		require.NoError(t, err)
		var got []parsedRecord
		_, err = parseGetRecords(canonical, func(seq, key, data []byte) {
			got = append(got, parsedRecord{string(seq), string(key), string(data)})
		})
		require.NoError(t, err, "body %s", canonical)
		require.Len(t, got, len(answer.Records))
		for i, r := range answer.Records {
			require.Equal(t, parsedRecord{r.SequenceNumber, r.PartitionKey, r.Data}, got[i])
		}
	})
}

// getRecordsAnswer10k is a GetRecords answer of 10,000 records of 100 bytes, as shardlog
// writes it.
func getRecordsAnswer10k() []byte {
	b := []byte(`{"Records":[`)
	data := base64.StdEncoding.EncodeToString(make([]byte, 100))
	for i := range 10000 {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `{"SequenceNumber":"4968057288143445209316920295194847105205989882877%09d","ApproximateArrivalTimestamp":1764131499.483,"Data":"%s","PartitionKey":"0f97d282a4d95bb6"}`, i, data)
	}
	return append(b, `],"NextShardIterator":"AAAAAAAAAAGZ2hOqk0m2Bhh8i0ipDm9S1vtU0L4ySg8TDZgoHvmH0lhA2YHa2MnbEA7B0Pc0aWJxkzx3JO7iWuUa8M9zv3r8OHnBwHHykn4ynGOzqmrK2QYSmv8LUzp7ROYr9JYxcYeyRibHqDHCAlgEYhoT66ai1GvWcn9I7t3kRhJ4Vt9ddKuUrMQYJRtKGdwFNpuMXo9a+Hbnj0fbcBzOYlTcMOYEH+Kw==","MillisBehindLatest":0}`...)
}

func BenchmarkParseGetRecords(b *testing.B) {
	body := getRecordsAnswer10k()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		a, err := parseGetRecords(body, func(seq, key, data []byte) { n++ })
		if err != nil || a.records != 10000 {
			b.Fatal(err, a.records)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}

func TestParseSubscribeEvent(t *testing.T) {
	payload := []byte(`{"Records":[{"SequenceNumber":"1","ApproximateArrivalTimestamp":1.7E9,"Data":"QUJD","PartitionKey":"k"},` +
		`{"SequenceNumber":"2","Data":"REVG","PartitionKey":"l"}],"ContinuationSequenceNumber":"2","MillisBehindLatest":7,` +
		`"ChildShards":[{"ShardId":"shardId-000000000001","ParentShards":["shardId-000000000000"],"HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"1"}}]}`)
	var got []string
	ev, err := parseSubscribeEvent(payload, func(seq, key, data []byte) { got = append(got, string(seq)+"/"+string(key)+"/"+string(data)) })
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"1/k/QUJD", "2/l/REVG"}; !slices.Equal(got, want) {
		t.Fatalf("records %q, want %q", got, want)
	}
	if ev.records != 2 || string(ev.cont) != "2" || ev.behindMs != 7 || ev.childShards != 1 {
		t.Fatalf("event %+v", ev)
	}
	if _, err := parseSubscribeEvent([]byte(`{"Records":[`), func(_, _, _ []byte) {}); err == nil {
		t.Fatal("a cut payload parsed")
	}
}

func TestBitsetCountFromAndSeenAgainst(t *testing.T) {
	var b bitset
	for _, i := range []uint64{1, 63, 64, 130} {
		b.set(i)
	}
	for _, c := range []struct {
		from uint64
		want int64
	}{{0, 4}, {2, 3}, {63, 3}, {64, 2}, {65, 1}, {131, 0}, {1000, 0}} {
		if got := b.countFrom(c.from); got != c.want {
			t.Errorf("countFrom(%d) = %d, want %d", c.from, got, c.want)
		}
	}
	var tr writeTrack
	tr.acked.setRange(0, 3) // 0 1 2 acknowledged
	tr.doubt.set(5)         // 5 in doubt
	var seen bitset
	seen.set(1)
	seen.set(5)
	seen.set(7) // refused
	lost, doubt, unacked := seenAgainst(&tr, seen)
	if lost != 2 || doubt != 1 || unacked != 1 {
		t.Fatalf("seenAgainst = %d lost, %d in doubt, %d unacknowledged; want 2, 1, 1", lost, doubt, unacked)
	}
	var or bitset
	or.or(seen)
	or.or(b)
	if got := or.countFrom(0); got != 6 {
		t.Fatalf("or: %d records, want 6", got)
	}
}
