package server

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/b64"
	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/kinesis"
)

func generalPutRecords(body []byte) (*PutRecordsInput, error) {
	in, err := DecodeRequest("PutRecords", contentTypeJSON, body, Options{})
	if err != nil {
		return nil, err
	}
	return in.(*PutRecordsInput), nil
}

func generalPutRecord(body []byte) (*PutRecordInput, error) {
	in, err := DecodeRequest("PutRecord", contentTypeJSON, body, Options{})
	if err != nil {
		return nil, err
	}
	return in.(*PutRecordInput), nil
}

// requireSameRecords checks that the fast and the general decoders agree.
func requireSameRecords(t *testing.T, want, got *PutRecordsInput) {
	t.Helper()
	require.Equal(t, want.StreamName, got.StreamName)
	require.Equal(t, want.StreamARN, got.StreamARN)
	require.Equal(t, want.StreamId, got.StreamId)
	require.Equal(t, want.DryRun, got.DryRun)
	require.Len(t, got.Records, len(want.Records))
	for i := range want.Records {
		require.Equal(t, want.Records[i].PartitionKey, got.Records[i].PartitionKey, "record %d", i)
		require.Equal(t, want.Records[i].ExplicitHashKey, got.Records[i].ExplicitHashKey, "record %d", i)
		require.Equal(t, string(want.Records[i].Data), string(got.Records[i].Data), "record %d", i)
	}
}

func TestDecodePutRecordsFast_Accepts(t *testing.T) {
	cases := []struct {
		name string
		body string
	}{
		{"minimal", `{"StreamName":"s","Records":[{"Data":"","PartitionKey":"k"}]}`},
		{"all members", `{"Records":[{"Data":"AAEC","ExplicitHashKey":"340282366920938463463374607431768211455","PartitionKey":"k"}],` +
			`"StreamName":"s","StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","StreamId":"abcdefghij0123456789-abc","DryRun":true}`},
		{"arn only", `{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","Records":[{"PartitionKey":"k","Data":"AA=="}]}`},
		{"white space", " \t\r\n{ \"StreamName\" : \"s\" ,\n\"Records\" : [ { \"Data\" : \"AAE=\" , \"PartitionKey\" : \"k\" } ,{\"Data\":\"\",\"PartitionKey\":\"j\"}\n] }\n "},
		{"unicode keys", `{"StreamName":"s","Records":[{"Data":"","PartitionKey":"ключ😀"},{"Data":"","PartitionKey":"` + strings.Repeat("😀", 128) + `"}]}`},
		{"max key", `{"StreamName":"s","Records":[{"Data":"","PartitionKey":"` + strings.Repeat("k", 256) + `"}]}`},
		{"dry run false", `{"StreamName":"s","DryRun":false,"Records":[{"Data":"","PartitionKey":"k"}]}`},
		{"500 records", `{"StreamName":"s","Records":[` + strings.TrimSuffix(strings.Repeat(`{"Data":"AAAA","PartitionKey":"k"},`, 500), ",") + `]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fast, ok := DecodePutRecordsFast([]byte(tc.body), Options{})
			require.True(t, ok, "the fast decoder declined")
			general, err := generalPutRecords([]byte(tc.body))
			require.NoError(t, err)
			requireSameRecords(t, general, fast)
		})
	}
}

func TestDecodePutRecordsFast_Declines(t *testing.T) {
	cases := []struct {
		name string
		body string
	}{
		{"escape in key", `{"StreamName":"s","Records":[{"Data":"","PartitionKey":"\u0041"}]}`},
		{"escape in member name", `{"Str\u0065amName":"s","Records":[{"Data":"","PartitionKey":"k"}]}`},
		{"null member", `{"StreamName":"s","StreamARN":null,"Records":[{"Data":"","PartitionKey":"k"}]}`},
		{"unknown member", `{"StreamName":"s","Foo":1,"Records":[{"Data":"","PartitionKey":"k"}]}`},
		{"unknown entry member", `{"StreamName":"s","Records":[{"Data":"","PartitionKey":"k","X":"y"}]}`},
		{"repeated member", `{"StreamName":"s","StreamName":"t","Records":[{"Data":"","PartitionKey":"k"}]}`},
		{"repeated entry member", `{"StreamName":"s","Records":[{"Data":"","Data":"AAAA","PartitionKey":"k"}]}`},
		{"member names are case sensitive", `{"streamName":"s","Records":[{"Data":"","PartitionKey":"k"}]}`},
		{"no records", `{"StreamName":"s"}`},
		{"empty records", `{"StreamName":"s","Records":[]}`},
		{"501 records", `{"StreamName":"s","Records":[` + strings.TrimSuffix(strings.Repeat(`{"Data":"","PartitionKey":"k"},`, 501), ",") + `]}`},
		{"no stream", `{"Records":[{"Data":"","PartitionKey":"k"}]}`},
		{"bad stream name", `{"StreamName":"a b","Records":[{"Data":"","PartitionKey":"k"}]}`},
		{"bad arn", `{"StreamARN":"arn","Records":[{"Data":"","PartitionKey":"k"}]}`},
		{"bad stream id", `{"StreamName":"s","StreamId":"x","Records":[{"Data":"","PartitionKey":"k"}]}`},
		{"base64 length", `{"StreamName":"s","Records":[{"Data":"AAA","PartitionKey":"k"}]}`},
		{"base64 padding bits", `{"StreamName":"s","Records":[{"Data":"AB==","PartitionKey":"k"}]}`},
		{"base64 inner padding", `{"StreamName":"s","Records":[{"Data":"A=AA","PartitionKey":"k"}]}`},
		{"base64 url alphabet", `{"StreamName":"s","Records":[{"Data":"__--","PartitionKey":"k"}]}`},
		{"data too big", `{"StreamName":"s","Records":[{"Data":"` + base64.StdEncoding.EncodeToString(make([]byte, 10<<20+1)) + `","PartitionKey":"k"}]}`},
		{"data not a string", `{"StreamName":"s","Records":[{"Data":1,"PartitionKey":"k"}]}`},
		{"no data", `{"StreamName":"s","Records":[{"PartitionKey":"k"}]}`},
		{"no key", `{"StreamName":"s","Records":[{"Data":""}]}`},
		{"empty key", `{"StreamName":"s","Records":[{"Data":"","PartitionKey":""}]}`},
		{"long key", `{"StreamName":"s","Records":[{"Data":"","PartitionKey":"` + strings.Repeat("😀", 129) + `"}]}`},
		{"invalid UTF-8 key", "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"\",\"PartitionKey\":\"\xff\"}]}"},
		{"control character", "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"\",\"PartitionKey\":\"\x01\"}]}"},
		{"hash key leading zero", `{"StreamName":"s","Records":[{"Data":"","PartitionKey":"k","ExplicitHashKey":"01"}]}`},
		{"hash key too long", `{"StreamName":"s","Records":[{"Data":"","PartitionKey":"k","ExplicitHashKey":"` + strings.Repeat("1", 40) + `"}]}`},
		{"dry run string", `{"StreamName":"s","DryRun":"true","Records":[{"Data":"","PartitionKey":"k"}]}`},
		{"trailing garbage", `{"StreamName":"s","Records":[{"Data":"","PartitionKey":"k"}]}x`},
		{"two objects", `{"StreamName":"s","Records":[{"Data":"","PartitionKey":"k"}]}{}`},
		{"trailing comma", `{"StreamName":"s","Records":[{"Data":"","PartitionKey":"k"},]}`},
		{"truncated", `{"StreamName":"s","Records":[{"Data":"","PartitionKey":"k"}`},
		{"not an object", `[]`},
		{"empty", ``},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, ok := DecodePutRecordsFast([]byte(tc.body), Options{})
			require.False(t, ok, "the fast decoder accepted")
			if general, err := generalPutRecords([]byte(tc.body)); err == nil {
				require.NotNil(t, general) // declined but valid: the general path takes it
			}
		})
	}
}

func TestDecodePutRecordFast(t *testing.T) {
	accept := []string{
		`{"StreamName":"s","Data":"AAEC","PartitionKey":"k","ExplicitHashKey":"1","SequenceNumberForOrdering":"49590338271490256608559692538361571095921575989136588898","DryRun":true}`,
		`{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","PartitionKey":"k","Data":""}`,
	}
	for _, body := range accept {
		fast, ok := DecodePutRecordFast([]byte(body), Options{})
		require.True(t, ok, body)
		general, err := generalPutRecord([]byte(body))
		require.NoError(t, err)
		require.Equal(t, string(general.Data), string(fast.Data))
		general.Data, fast.Data = nil, nil
		require.Equal(t, general, fast)
	}
	decline := []string{
		`{"StreamName":"s","Data":"AAEC","PartitionKey":"k","SequenceNumberForOrdering":"01"}`,
		`{"StreamName":"s","Data":"AAEC","PartitionKey":"k","Records":[]}`,
		`{"StreamName":"s","PartitionKey":"k"}`,
		`{"Data":"","PartitionKey":"k"}`,
	}
	for _, body := range decline {
		_, ok := DecodePutRecordFast([]byte(body), Options{})
		require.False(t, ok, body)
	}
}

// TestDecodePutRecordsFast_Random generates PutRecords bodies, valid and
// slightly broken, and checks the contract of the fast decoder: whatever it
// accepts, the general path accepts with the same records; whatever the general
// path rejects, it rejects too.
func TestDecodePutRecordsFast_Random(t *testing.T) {
	rng := rand.New(rand.NewPCG(testutil.Seed(t), 1))
	n := 3000
	if testing.Short() {
		n = 300
	}
	// At least n bodies, and more (up to 10n) until the fast path has taken want of them:
	// about one body in eight is one it takes, so n bodies alone fall short now and then.
	accepted, want := 0, n/10
	for i := 0; i < 10*n && (i < n || accepted < want); i++ {
		body := randomPutRecordsBody(rng)
		fast, ok := DecodePutRecordsFast(body, Options{})
		general, err := generalPutRecords(body)
		if ok {
			accepted++
			require.NoError(t, err, "case %d: fast accepted what the general path rejects: %s", i, body)
			requireSameRecords(t, general, fast)
		}
	}
	require.GreaterOrEqual(t, accepted, want, "the generator should make many bodies the fast path takes")
}

// TestDecodePutRecordsText_Escapes: a Data with escapes is declined by the text decoder,
// whose text would not be the string's value, and read by the general path: "\/" is what
// PHP's json_encode writes for every '/', and four of them keep the length a multiple of 4.
func TestDecodePutRecordsText_Escapes(t *testing.T) {
	for _, data := range []string{`\/\/\/\/`, `AAA\/`, `\u0041AAA`, `AA\"A`} {
		body := []byte(`{"StreamName":"s","Records":[{"Data":"` + data + `","PartitionKey":"k"}]}`)
		_, ok := decodePutRecordsFast(body, fastLimits{maxData: 1 << 20, text: true}, new(putArena))
		require.False(t, ok, "the text decoder takes %s", body)
	}
	body := []byte(`{"StreamName":"s","Records":[{"Data":"\/\/\/\/","PartitionKey":"k"}]}`)
	general, err := generalPutRecords(body)
	require.NoError(t, err)
	require.Equal(t, []byte{0xff, 0xff, 0xff}, general.Records[0].Data)
}

// TestDecodePutRecordsText_Random checks the decoder that leaves Data as base64 text (for a
// Base64Putter) on the bodies of TestDecodePutRecordsFast_Random, a few of them with a byte
// of a Data changed to one outside the alphabet: it takes whatever the fast decoder takes;
// when it takes a body whose texts all decode, the general path reads the same records; when
// one of them does not decode, the general path fails with a SerializationException, which
// is what the server answers such a request with.
func TestDecodePutRecordsText_Random(t *testing.T) {
	rng := rand.New(rand.NewPCG(testutil.Seed(t), 2))
	n := 3000
	if testing.Short() {
		n = 300
	}
	var taken, badText int
	for i := range n {
		body := randomPutRecordsBody(rng)
		if rng.IntN(8) == 0 { // every '/' escaped, as PHP's json_encode writes them
			body = bytes.ReplaceAll(body, []byte("/"), []byte(`\/`))
		}
		if rng.IntN(4) == 0 { // a Data character outside the alphabet
			if at := bytes.Index(body, []byte(`"Data"`)); at >= 0 {
				if q := bytes.IndexByte(body[at+6:], '"'); q >= 0 && at+6+q+1 < len(body) && body[at+6+q+1] != '"' {
					body[at+6+q+1] = "!*-_ \\\x80"[rng.IntN(7)]
				}
			}
		}
		_, fastOK := decodePutRecordsFast(body, fastLimits{maxData: kinesis.MaxMaxRecordSizeKiB << 10}, new(putArena))
		text, ok := decodePutRecordsFast(body, fastLimits{maxData: kinesis.MaxMaxRecordSizeKiB << 10, text: true}, new(putArena))
		require.False(t, fastOK && !ok, "case %d: the text decoder declines what the fast decoder takes: %s", i, body)
		if !ok {
			continue
		}
		taken++
		general, err := generalPutRecords(body)
		decoded := *text
		decoded.Records = nil
		bad := false
		for k, r := range text.Records {
			data := make([]byte, b64.Len(r.Data))
			if !b64.Decode(data, r.Data) {
				var e *kinesis.Error
				require.ErrorAs(t, err, &e, "case %d: record %d's text %q does not decode: %s", i, k, r.Data, body)
				require.Equal(t, kinesis.TypeSerialization, e.Type, "case %d: %s", i, body)
				bad = true
				break
			}
			r.Data = data
			decoded.Records = append(decoded.Records, r)
		}
		if bad {
			badText++
			continue
		}
		require.NoError(t, err, "case %d: the text decoder took a body whose texts decode, which the general path rejects: %s", i, body)
		requireSameRecords(t, general, &decoded)
	}
	require.Greater(t, taken, n/20, "the generator should make many bodies the text decoder takes")
	require.Greater(t, badText, 0, "the generator should make bodies with text that does not decode")
}

// randomPutRecordsBody writes a PutRecords body with random records, member
// order and white space, and now and then one defect.
func randomPutRecordsBody(rng *rand.Rand) []byte {
	ws := func() string { return []string{"", "", " ", "\n", "\t ", "\r\n"}[rng.IntN(6)] }
	str := func(s string) string { b, _ := json.Marshal(s); return ws() + string(b) + ws() }
	keys := []string{"k", "user-42", "ключ", "😀x", "a\"b", strings.Repeat("z", 256), "", "a\\b", "\u2028"}
	var records []string
	for range 1 + rng.IntN(8) {
		data := make([]byte, rng.IntN(40))
		for j := range data {
			data[j] = byte(rng.IntN(256))
		}
		members := []string{
			str("Data") + ":" + str(base64.StdEncoding.EncodeToString(data)),
			str("PartitionKey") + ":" + str(keys[rng.IntN(len(keys))]),
		}
		if rng.IntN(3) == 0 {
			members = append(members, str("ExplicitHashKey")+":"+str(fmt.Sprint(rng.Uint64())))
		}
		rng.Shuffle(len(members), func(a, b int) { members[a], members[b] = members[b], members[a] })
		records = append(records, ws()+"{"+strings.Join(members, ",")+"}"+ws())
	}
	top := []string{str("Records") + ":" + ws() + "[" + strings.Join(records, ",") + "]" + ws()}
	switch rng.IntN(4) {
	case 0:
		top = append(top, str("StreamARN")+":"+str("arn:aws:kinesis:us-east-1:000000000000:stream/s"))
	case 1:
		top = append(top, str("StreamName")+":"+str("s"), str("DryRun")+":"+ws()+"true")
	default:
		top = append(top, str("StreamName")+":"+str("stream-1.a_b"))
	}
	rng.Shuffle(len(top), func(a, b int) { top[a], top[b] = top[b], top[a] })
	body := []byte(ws() + "{" + strings.Join(top, ",") + "}" + ws())
	if rng.IntN(5) == 0 && len(body) > 0 { // one defect: a byte changed, dropped or doubled
		i := rng.IntN(len(body))
		switch rng.IntN(3) {
		case 0:
			const defects = "{}[],:\"\\=A0 \x00\xff"
			body[i] = defects[rng.IntN(len(defects))]
		case 1:
			body = append(body[:i], body[i+1:]...)
		default:
			body = append(body[:i+1], body[i:]...)
		}
	}
	return body
}

// TestAppendPutRecordsJSON checks the direct encoder against encoding/json.
func TestAppendPutRecordsJSON(t *testing.T) {
	out := &PutRecordsOutput{FailedRecordCount: 1, EncryptionType: "KMS", Records: []PutRecordsResultEntry{
		{SequenceNumber: "1", ShardId: "shardId-000000000000"},
		{ErrorCode: "InternalFailure", ErrorMessage: "Internal Service Failure"},
		{},
	}}
	got := appendPutRecordsJSON(nil, out)
	var back PutRecordsOutput
	require.NoError(t, json.Unmarshal(got, &back))
	require.Equal(t, *out, back)
	require.Equal(t, `{"FailedRecordCount":1,"Records":[{"SequenceNumber":"1","ShardId":"shardId-000000000000"},`+
		`{"ErrorCode":"InternalFailure","ErrorMessage":"Internal Service Failure"},{}],"EncryptionType":"KMS"}`, string(got))
}
