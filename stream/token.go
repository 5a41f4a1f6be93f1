package stream

import (
	"encoding/base64"
	"encoding/json"

	"github.com/shardlog/shardlog/kinesis"
)

// A NextToken of ListShards, ListStreams or ListStreamConsumers says where the next page
// starts, and when it was issued, so that it expires after NextTokenLifetime. It is the
// URL-safe base64 of a small JSON object: a client may read it, and one that alters it only
// moves its own listing, so it is not sealed like a shard iterator. A ListShards token also
// carries the stream's incarnation and the filter of the first page, since a request with a
// NextToken may not repeat them; a ListStreamConsumers token carries the incarnation too.
type pageToken struct {
	Version     int    `json:"v"`
	Kind        string `json:"k"`           // tokenStreams or tokenShards
	IssuedMs    int64  `json:"t"`           // when the token was issued
	Stream      string `json:"s"`           // streams: the last stream listed; shards: the stream
	Incarnation int64  `json:"i,omitempty"` // shards: the stream's incarnation
	After       int    `json:"a,omitempty"` // shards: the index of the last shard listed
	Filter      string `json:"f,omitempty"` // shards: the ShardFilter type of the first page
	FilterMs    int64  `json:"fm,omitempty"`
	Consumer    string `json:"c,omitempty"` // consumers: the last consumer listed
}

const (
	tokenVersion = 1
	tokenStreams = "streams"
	tokenShards  = "shards"

	tokenConsumers = "consumers" // ListStreamConsumers: Stream, Incarnation and Consumer
)

// sealToken returns t, issued now, as a NextToken.
func (s *Store) sealToken(t pageToken) string {
	t.Version, t.IssuedMs = tokenVersion, s.nowMs()
	b, err := json.Marshal(t)
	if err != nil {
		panic("stream: encode NextToken: " + err.Error()) // plain fields: cannot fail
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// openToken returns the token of a NextToken of the given kind: invalidNextToken if it is
// not one, expiredNextToken if it was issued more than kinesis.NextTokenLifetime ago.
func (s *Store) openToken(token, kind string) (pageToken, error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return pageToken{}, invalidNextToken()
	}
	var t pageToken
	if err := decodeStrict(b, &t); err != nil || t.Version != tokenVersion || t.Kind != kind {
		return pageToken{}, invalidNextToken()
	}
	if s.nowMs()-t.IssuedMs > kinesis.NextTokenLifetime.Milliseconds() {
		return pageToken{}, expiredNextToken()
	}
	return t, nil
}
