package console

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
)

// callable are the operations the page may run through /console/api/call/{op}: what the
// views show and the changes they offer, nothing more.
var callable = map[string]bool{
	"ListStreams": true, "DescribeStreamSummary": true, "ListShards": true, "DescribeLimits": true,
	"ListStreamConsumers": true, "EnableEnhancedMonitoring": true,
	"CreateStream": true, "DeleteStream": true, "PutRecord": true,
	"SplitShard": true, "MergeShards": true, "UpdateShardCount": true,
	"IncreaseStreamRetentionPeriod": true, "DecreaseStreamRetentionPeriod": true,
}

// maxCallBytes bounds the body of a call: a PutRecord of the largest record, in base64.
const maxCallBytes = 16 << 20

// serveCall runs one operation through the API and answers with the API's answer as it
// is, so that the page shows the API's own error types and messages.
func (c *Console) serveCall(w http.ResponseWriter, r *http.Request) {
	op := r.PathValue("op")
	if !callable[op] {
		http.Error(w, fmt.Sprintf("console: %q is not an operation the console runs", op), http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCallBytes))
	if err != nil {
		http.Error(w, "console: read request: "+err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	status, out := (*c.api.Load()).Invoke(r.Context(), op, body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	if status == 0 { // cut short after part of the answer was written
		status = http.StatusInternalServerError
	}
	w.WriteHeader(status)
	w.Write(out)
}

// apiError is an error answer of the API.
type apiError struct {
	Status  int
	Type    string `json:"__type"`
	Message string `json:"message"`
}

func (e *apiError) Error() string { return fmt.Sprintf("%s (%d): %s", e.Type, e.Status, e.Message) }

// call runs op with in, encoded as JSON, and decodes the answer into out.
func (c *Console) call(ctx context.Context, op string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("console: encode %s: %w", op, err)
	}
	status, ans := (*c.api.Load()).Invoke(ctx, op, body)
	if status != http.StatusOK {
		e := &apiError{Status: status}
		json.Unmarshal(ans, e)
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(ans, out); err != nil {
		return fmt.Errorf("console: decode %s answer: %w", op, err)
	}
	return nil
}

// shard is a shard as ListShards describes it.
type shard struct {
	ShardId               string
	ParentShardId         string `json:",omitempty"`
	AdjacentParentShardId string `json:",omitempty"`
	HashKeyRange          struct{ StartingHashKey, EndingHashKey string }
	SequenceNumberRange   struct {
		StartingSequenceNumber string
		EndingSequenceNumber   string `json:",omitempty"`
	}
}

func (s *shard) open() bool { return s.SequenceNumberRange.EndingSequenceNumber == "" }

// listShards returns every shard of the stream, open and closed, page by page.
func (c *Console) listShards(ctx context.Context, stream string) ([]shard, error) {
	var all []shard
	in := map[string]any{"StreamName": stream, "MaxResults": 10000}
	for {
		var out struct {
			Shards    []shard
			NextToken string
		}
		if err := c.call(ctx, "ListShards", in, &out); err != nil {
			return nil, err
		}
		all = append(all, out.Shards...)
		if out.NextToken == "" {
			return all, nil
		}
		in = map[string]any{"NextToken": out.NextToken, "MaxResults": 10000}
	}
}

// streamRow is one line of the Streams view.
type streamRow struct {
	Name              string
	Status            string
	Mode              string
	OpenShards        int
	ClosedShards      int
	RetentionHours    int32
	Encryption        string
	ShardLevelMetrics []string
	Consumers         int32
	Bytes             int64 // segment data on disk
	Segments          int
	Rate              *point `json:",omitempty"` // the latest reading of the charts
	Error             string `json:",omitempty"` // why the row is incomplete
}

// serveStreams answers the Streams view: every stream of the account and region, each
// described through the API, with what it holds on disk and its latest rates.
func (c *Console) serveStreams(w http.ResponseWriter, r *http.Request) {
	names, err := c.streamNames(r.Context())
	if err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"Error": err.Error()})
		return
	}
	usage := c.usage()
	rows := make([]streamRow, 0, len(names))
	for _, name := range names {
		row := c.describeRow(r.Context(), name)
		if u, ok := usage[name]; ok {
			row.Bytes, row.Segments = u.Bytes, u.Segments
		}
		row.Rate = c.rates.latest(name)
		rows = append(rows, row)
	}
	writeJSON(w, http.StatusOK, map[string]any{"Streams": rows})
}

func (c *Console) streamNames(ctx context.Context) ([]string, error) {
	var names []string
	in := map[string]any{"Limit": 1000}
	for {
		var out struct {
			StreamNames []string
			NextToken   string
		}
		if err := c.call(ctx, "ListStreams", in, &out); err != nil {
			return nil, err
		}
		names = append(names, out.StreamNames...)
		if out.NextToken == "" {
			sort.Strings(names)
			return names, nil
		}
		in = map[string]any{"NextToken": out.NextToken, "Limit": 1000}
	}
}

func (c *Console) describeRow(ctx context.Context, name string) streamRow {
	row := streamRow{Name: name}
	var out struct {
		StreamDescriptionSummary struct {
			StreamStatus         string
			StreamModeDetails    struct{ StreamMode string }
			OpenShardCount       int
			RetentionPeriodHours int32
			EncryptionType       string
			EnhancedMonitoring   []struct{ ShardLevelMetrics []string }
			ConsumerCount        int32
		}
	}
	if err := c.call(ctx, "DescribeStreamSummary", map[string]string{"StreamName": name}, &out); err != nil {
		row.Error = err.Error()
		return row
	}
	d := out.StreamDescriptionSummary
	row.Status, row.Mode, row.OpenShards = d.StreamStatus, d.StreamModeDetails.StreamMode, d.OpenShardCount
	row.RetentionHours, row.Encryption, row.Consumers = d.RetentionPeriodHours, d.EncryptionType, d.ConsumerCount
	for _, m := range d.EnhancedMonitoring {
		row.ShardLevelMetrics = append(row.ShardLevelMetrics, m.ShardLevelMetrics...)
	}
	shards, err := c.listShards(ctx, name)
	if err != nil {
		row.Error = err.Error()
		return row
	}
	row.ClosedShards = len(shards) - d.OpenShardCount
	return row
}

// usage returns what each stream holds on disk, by name.
func (c *Console) usage() map[string]streamUsage {
	out := map[string]streamUsage{}
	if c.opts.Usage == nil {
		return out
	}
	for _, u := range c.opts.Usage() {
		if u.Account == c.opts.Account && u.Region == c.opts.Region {
			out[u.Stream] = streamUsage{Bytes: u.Bytes, Segments: u.Segments}
		}
	}
	return out
}

type streamUsage struct {
	Bytes    int64
	Segments int
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "console: encode answer: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
}
