package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/internal/wire"
	"github.com/shardlog/shardlog/server"
)

type wireRecord struct {
	seq, key, data []byte
	arrivalMs      int64
}

// recordSetBackend answers GetRecords with the records of the set the ShardIterator names.
type recordSetBackend struct {
	server.UnimplementedBackend
	sets [][]wireRecord
}

func (b *recordSetBackend) GetRecords(_ context.Context, in *server.GetRecordsInput, sink server.RecordSink) (*server.GetRecordsOutput, error) {
	var i int
	if _, err := fmt.Sscanf(in.ShardIterator, "set-%d", &i); err != nil {
		return nil, err
	}
	for _, r := range b.sets[i] {
		if err := sink.Record(r.seq, r.arrivalMs, r.key, r.data); err != nil {
			return nil, err
		}
	}
	return &server.GetRecordsOutput{NextShardIterator: in.ShardIterator + "-next", MillisBehindLatest: int64(i)}, nil
}

// TestGetRecords_StreamedBytesEqualTheWholeAnswer: what a client receives over HTTP/1.1 and
// h2c, in JSON and CBOR, is byte for byte the answer the wire encoders build whole, for
// random record sets from a few bytes to several MiB (sent whole with a Content-Length, or
// in pieces without one).
func TestGetRecords_StreamedBytesEqualTheWholeAnswer(t *testing.T) {
	rng := rand.New(rand.NewPCG(testutil.Seed(t), 9))
	keys := []string{"k", "ключ", "a\"b\\c", "\x01ctl", "😀", "</script>"}
	b := &recordSetBackend{}
	for i := range 12 {
		n := rng.IntN(40)
		if i%2 == 1 {
			n = 200 + rng.IntN(3000)
		}
		set := make([]wireRecord, n)
		for j := range set {
			data := make([]byte, rng.IntN(2000))
			for k := range data {
				data[k] = byte(rng.Uint32())
			}
			set[j] = wireRecord{
				seq:       fmt.Appendf(nil, "4960%052d", rng.Uint64()),
				key:       []byte(keys[rng.IntN(len(keys))]),
				data:      data,
				arrivalMs: 1_500_000_000_000 + rng.Int64N(1e12),
			}
		}
		b.sets = append(b.sets, set)
	}
	_, url := mustServe(t, b)

	whole := func(cbor bool, i int) []byte {
		end := wire.RecordsEnd{NextShardIterator: fmt.Sprintf("set-%d-next", i), MillisBehindLatest: int64(i)}
		var enc interface {
			Record([]byte, int64, []byte, []byte) error
			Finish(wire.RecordsEnd) []byte
		}
		if cbor {
			enc = wire.NewCBORRecords(nil, nil)
		} else {
			enc = wire.NewJSONRecords(nil, nil)
		}
		for _, r := range b.sets[i] {
			require.NoError(t, enc.Record(r.seq, r.arrivalMs, r.key, r.data))
		}
		return enc.Finish(end)
	}
	streamed := 0
	for _, c := range []struct {
		name   string
		client *http.Client
	}{{"http1", http.DefaultClient}, {"h2c", h2cClient()}} {
		for _, cbor := range []bool{false, true} {
			for i := range b.sets {
				iterator := fmt.Sprintf("set-%d", i)
				var req *http.Request
				var err error
				if cbor {
					body := wire.AppendCBORText([]byte{wire.CBORMap | 1}, "ShardIterator")
					req, err = http.NewRequest(http.MethodPost, url+"/", bytes.NewReader(wire.AppendCBORText(body, iterator)))
					require.NoError(t, err)
					signed(req, "GetRecords")
					req.Header.Set("Content-Type", "application/x-amz-cbor-1.1")
				} else {
					req, err = http.NewRequest(http.MethodPost, url+"/", strings.NewReader(`{"ShardIterator":"`+iterator+`"}`))
					require.NoError(t, err)
					signed(req, "GetRecords")
				}
				resp, err := c.client.Do(req)
				require.NoError(t, err)
				got, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				require.NoError(t, resp.Body.Close())
				require.Equal(t, http.StatusOK, resp.StatusCode, "%s cbor=%v set %d: %.200s", c.name, cbor, i, got)
				want := whole(cbor, i)
				require.True(t, bytes.Equal(want, got), "%s cbor=%v set %d: %d bytes received, %d built whole", c.name, cbor, i, len(got), len(want))
				if resp.ContentLength < 0 {
					streamed++
				} else {
					require.EqualValues(t, len(want), resp.ContentLength)
				}
			}
		}
	}
	require.Positive(t, streamed, "no answer was sent in pieces: the test exercised nothing")
}
