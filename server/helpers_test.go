package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/server"
)

// fakeBackend records every call and answers with canned outputs. Outputs and
// errors are set per operation name; an operation without one answers its
// zero output. It is safe for concurrent use.
type fakeBackend struct {
	mu      sync.Mutex
	calls   []fakeCall
	outputs map[string]any
	errs    map[string]error
	records []fakeRecord // what GetRecords streams into the sink
	hook    func(op string, in any)
}

type fakeCall struct {
	op string
	in any
}

type fakeRecord struct {
	seq       string
	arrivalMs int64
	key, data string
}

func newFakeBackend() *fakeBackend {
	return &fakeBackend{outputs: map[string]any{}, errs: map[string]error{}}
}

func (f *fakeBackend) setOutput(op string, out any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.outputs[op] = out
}

func (f *fakeBackend) setError(op string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs[op] = err
}

// lastCall returns the input of the last call, or nil if there was none.
func (f *fakeBackend) lastCall() (string, any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) == 0 {
		return "", nil
	}
	c := f.calls[len(f.calls)-1]
	return c.op, c.in
}

func (f *fakeBackend) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// reply records a call and returns its canned output.
func reply[O any](f *fakeBackend, op string, in any) (*O, error) {
	f.mu.Lock()
	f.calls = append(f.calls, fakeCall{op, in})
	out, err, hook := f.outputs[op], f.errs[op], f.hook
	f.mu.Unlock()
	if hook != nil {
		hook(op, in)
	}
	if err != nil {
		return nil, err
	}
	if o, ok := out.(*O); ok {
		return o, nil
	}
	return new(O), nil
}

func (f *fakeBackend) CreateStream(_ context.Context, in *server.CreateStreamInput) (*server.CreateStreamOutput, error) {
	return reply[server.CreateStreamOutput](f, "CreateStream", in)
}

func (f *fakeBackend) DeleteStream(_ context.Context, in *server.DeleteStreamInput) (*server.DeleteStreamOutput, error) {
	return reply[server.DeleteStreamOutput](f, "DeleteStream", in)
}

func (f *fakeBackend) DescribeStream(_ context.Context, in *server.DescribeStreamInput) (*server.DescribeStreamOutput, error) {
	return reply[server.DescribeStreamOutput](f, "DescribeStream", in)
}

func (f *fakeBackend) DescribeStreamSummary(_ context.Context, in *server.DescribeStreamSummaryInput) (*server.DescribeStreamSummaryOutput, error) {
	return reply[server.DescribeStreamSummaryOutput](f, "DescribeStreamSummary", in)
}

func (f *fakeBackend) ListStreams(_ context.Context, in *server.ListStreamsInput) (*server.ListStreamsOutput, error) {
	return reply[server.ListStreamsOutput](f, "ListStreams", in)
}

func (f *fakeBackend) ListShards(_ context.Context, in *server.ListShardsInput) (*server.ListShardsOutput, error) {
	return reply[server.ListShardsOutput](f, "ListShards", in)
}

func (f *fakeBackend) PutRecord(_ context.Context, in *server.PutRecordInput) (*server.PutRecordOutput, error) {
	in.Data = bytes.Clone(in.Data) // the server reuses its buffers
	return reply[server.PutRecordOutput](f, "PutRecord", in)
}

func (f *fakeBackend) PutRecords(_ context.Context, in *server.PutRecordsInput) (*server.PutRecordsOutput, error) {
	cp := *in
	cp.Records = make([]server.PutRecordsRequestEntry, len(in.Records))
	for i, r := range in.Records {
		r.Data = bytes.Clone(r.Data)
		cp.Records[i] = r
	}
	out, err := reply[server.PutRecordsOutput](f, "PutRecords", &cp)
	if err == nil && out.Records == nil {
		out = &server.PutRecordsOutput{Records: make([]server.PutRecordsResultEntry, len(in.Records))}
		for i := range out.Records {
			out.Records[i] = server.PutRecordsResultEntry{
				SequenceNumber: "49590338271490256608559692538361571095921575989136588898",
				ShardId:        "shardId-000000000000",
			}
		}
	}
	return out, err
}

func (f *fakeBackend) GetShardIterator(_ context.Context, in *server.GetShardIteratorInput) (*server.GetShardIteratorOutput, error) {
	return reply[server.GetShardIteratorOutput](f, "GetShardIterator", in)
}

func (f *fakeBackend) GetRecords(_ context.Context, in *server.GetRecordsInput, sink server.RecordSink) (*server.GetRecordsOutput, error) {
	out, err := reply[server.GetRecordsOutput](f, "GetRecords", in)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	records := f.records
	f.mu.Unlock()
	for _, r := range records {
		if err := sink.Record([]byte(r.seq), r.arrivalMs, []byte(r.key), []byte(r.data)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (f *fakeBackend) IncreaseStreamRetentionPeriod(_ context.Context, in *server.IncreaseStreamRetentionPeriodInput) (*server.IncreaseStreamRetentionPeriodOutput, error) {
	return reply[server.IncreaseStreamRetentionPeriodOutput](f, "IncreaseStreamRetentionPeriod", in)
}

func (f *fakeBackend) DecreaseStreamRetentionPeriod(_ context.Context, in *server.DecreaseStreamRetentionPeriodInput) (*server.DecreaseStreamRetentionPeriodOutput, error) {
	return reply[server.DecreaseStreamRetentionPeriodOutput](f, "DecreaseStreamRetentionPeriod", in)
}

func (f *fakeBackend) AddTagsToStream(_ context.Context, in *server.AddTagsToStreamInput) (*server.AddTagsToStreamOutput, error) {
	return reply[server.AddTagsToStreamOutput](f, "AddTagsToStream", in)
}

func (f *fakeBackend) RemoveTagsFromStream(_ context.Context, in *server.RemoveTagsFromStreamInput) (*server.RemoveTagsFromStreamOutput, error) {
	return reply[server.RemoveTagsFromStreamOutput](f, "RemoveTagsFromStream", in)
}

func (f *fakeBackend) ListTagsForStream(_ context.Context, in *server.ListTagsForStreamInput) (*server.ListTagsForStreamOutput, error) {
	return reply[server.ListTagsForStreamOutput](f, "ListTagsForStream", in)
}

func (f *fakeBackend) TagResource(_ context.Context, in *server.TagResourceInput) (*server.TagResourceOutput, error) {
	return reply[server.TagResourceOutput](f, "TagResource", in)
}

func (f *fakeBackend) UntagResource(_ context.Context, in *server.UntagResourceInput) (*server.UntagResourceOutput, error) {
	return reply[server.UntagResourceOutput](f, "UntagResource", in)
}

func (f *fakeBackend) ListTagsForResource(_ context.Context, in *server.ListTagsForResourceInput) (*server.ListTagsForResourceOutput, error) {
	return reply[server.ListTagsForResourceOutput](f, "ListTagsForResource", in)
}

func (f *fakeBackend) DescribeLimits(_ context.Context, in *server.DescribeLimitsInput) (*server.DescribeLimitsOutput, error) {
	return reply[server.DescribeLimitsOutput](f, "DescribeLimits", in)
}

func (f *fakeBackend) SplitShard(_ context.Context, in *server.SplitShardInput) (*server.SplitShardOutput, error) {
	return reply[server.SplitShardOutput](f, "SplitShard", in)
}

func (f *fakeBackend) MergeShards(_ context.Context, in *server.MergeShardsInput) (*server.MergeShardsOutput, error) {
	return reply[server.MergeShardsOutput](f, "MergeShards", in)
}

func (f *fakeBackend) UpdateShardCount(_ context.Context, in *server.UpdateShardCountInput) (*server.UpdateShardCountOutput, error) {
	return reply[server.UpdateShardCountOutput](f, "UpdateShardCount", in)
}

func (f *fakeBackend) UpdateMaxRecordSize(_ context.Context, in *server.UpdateMaxRecordSizeInput) (*server.UpdateMaxRecordSizeOutput, error) {
	return reply[server.UpdateMaxRecordSizeOutput](f, "UpdateMaxRecordSize", in)
}

func (f *fakeBackend) DescribeAccountSettings(_ context.Context, in *server.DescribeAccountSettingsInput) (*server.DescribeAccountSettingsOutput, error) {
	return reply[server.DescribeAccountSettingsOutput](f, "DescribeAccountSettings", in)
}

func (f *fakeBackend) UpdateAccountSettings(_ context.Context, in *server.UpdateAccountSettingsInput) (*server.UpdateAccountSettingsOutput, error) {
	return reply[server.UpdateAccountSettingsOutput](f, "UpdateAccountSettings", in)
}

func (f *fakeBackend) UpdateStreamWarmThroughput(_ context.Context, in *server.UpdateStreamWarmThroughputInput) (*server.UpdateStreamWarmThroughputOutput, error) {
	return reply[server.UpdateStreamWarmThroughputOutput](f, "UpdateStreamWarmThroughput", in)
}

func (f *fakeBackend) UpdateStreamRecordDistributionStrategy(_ context.Context, in *server.UpdateStreamRecordDistributionStrategyInput) (*server.UpdateStreamRecordDistributionStrategyOutput, error) {
	return reply[server.UpdateStreamRecordDistributionStrategyOutput](f, "UpdateStreamRecordDistributionStrategy", in)
}

var _ server.Backend = (*fakeBackend)(nil)

// kinesisError is a Backend error of the kind the stream package returns.
type kinesisError struct{ typ, msg string }

func (e *kinesisError) Error() string     { return e.msg }
func (e *kinesisError) ErrorType() string { return e.typ }

// quietLogger keeps expected error lines out of the test output.
func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// mustNew returns a server over a fresh fake backend.
func mustNew(t *testing.T, opts server.Options) (*server.Server, *fakeBackend) {
	t.Helper()
	b := newFakeBackend()
	if opts.Logger == nil {
		opts.Logger = quietLogger()
	}
	return server.New(b, opts), b
}

// signed sets the headers of a well-formed JSON request for an operation.
func signed(r *http.Request, op string) *http.Request { return testutil.SetKinesisHeaders(r, op) }

// do sends one signed JSON request for op through the handler.
func do(t *testing.T, h http.Handler, op, body string) *httptest.ResponseRecorder {
	t.Helper()
	r := signed(httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body)), op)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// header looks a header up case-insensitively: the server writes AWS's exact
// spelling (x-amzn-RequestId), which http.Header.Get does not find.
func header(h http.Header, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}
