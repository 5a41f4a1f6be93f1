package streambackend

import (
	"context"
	"time"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/stream"
)

// The queue operations. The server has checked the shapes, the StreamARN of CreateQueue
// and the pairings of its attributes; the store does the rest.

func (b *backend) CreateQueue(_ context.Context, in *server.CreateQueueInput) (*server.CreateQueueOutput, error) {
	conf := in.StreamConfigurationList[0]
	req := stream.CreateQueueRequest{Name: in.QueueName, StreamARN: conf.StreamARN, Attributes: queueAttributes(in.QueueAttributes), Tags: in.Tags}
	if p := conf.StartingPosition; p != nil {
		req.Start = p.Type
		if p.Timestamp != nil {
			req.StartTime = *p.Timestamp
		}
	}
	d, err := b.store.CreateQueue(req)
	if err != nil {
		return nil, err
	}
	return &server.CreateQueueOutput{QueueDescription: queueOut(&d)}, nil
}

func (b *backend) DescribeQueue(_ context.Context, in *server.DescribeQueueInput) (*server.DescribeQueueOutput, error) {
	d, err := b.store.DescribeQueue(in.QueueARN)
	if err != nil {
		return nil, err
	}
	return &server.DescribeQueueOutput{QueueDescription: queueOut(&d)}, nil
}

func (b *backend) ListQueues(_ context.Context, in *server.ListQueuesInput) (*server.ListQueuesOutput, error) {
	req := stream.ListQueuesRequest{NextToken: in.NextToken, MaxResults: int(deref(in.MaxResults))}
	for _, f := range in.StreamFilter {
		sf := stream.QueueStreamFilter{StreamARN: f.StreamARN}
		if f.StreamCreationTimestamp != nil {
			sf.CreatedAt = *f.StreamCreationTimestamp
		}
		req.Streams = append(req.Streams, sf)
	}
	qs, next, err := b.store.ListQueues(req)
	if err != nil {
		return nil, err
	}
	out := &server.ListQueuesOutput{QueueSummaries: make([]server.QueueSummary, len(qs)), NextToken: next}
	for i, q := range qs {
		out.QueueSummaries[i] = server.QueueSummary{QueueARN: q.ARN, QueueCreationTimestamp: time.UnixMilli(q.CreatedMs),
			QueueName: q.Name, QueueStatus: string(q.Status),
			Streams: []server.QueueStreamIdentifier{{StreamARN: q.StreamARN, StreamCreationTimestamp: time.UnixMilli(q.StreamCreatedMs)}}}
	}
	return out, nil
}

func (b *backend) UpdateQueue(_ context.Context, in *server.UpdateQueueInput) (*server.UpdateQueueOutput, error) {
	d, err := b.store.UpdateQueue(in.QueueARN, queueAttributes(&in.QueueAttributes))
	if err != nil {
		return nil, err
	}
	return &server.UpdateQueueOutput{QueueDescription: queueOut(&d)}, nil
}

func (b *backend) DeleteQueue(_ context.Context, in *server.DeleteQueueInput) (*server.DeleteQueueOutput, error) {
	if err := b.store.DeleteQueue(in.QueueARN); err != nil {
		return nil, err
	}
	return &server.DeleteQueueOutput{}, nil
}

func (b *backend) ReceiveQueueRecords(ctx context.Context, in *server.ReceiveQueueRecordsInput) (*server.ReceiveQueueRecordsOutput, error) {
	return b.receive(ctx, in, false)
}

func (b *backend) ReceiveDeadLetterQueueRecords(ctx context.Context, in *server.ReceiveQueueRecordsInput) (*server.ReceiveQueueRecordsOutput, error) {
	return b.receive(ctx, in, true)
}

func (b *backend) receive(ctx context.Context, in *server.ReceiveQueueRecordsInput, deadLetter bool) (*server.ReceiveQueueRecordsOutput, error) {
	wait := int32(kinesis.DefaultQueueWaitSec)
	if in.WaitTimeSeconds != nil {
		wait = *in.WaitTimeSeconds
	}
	req := stream.ReceiveRequest{QueueARN: in.QueueARN, Limit: int(deref(in.Limit)), Wait: time.Duration(wait) * time.Second, DeadLetter: deadLetter}
	if in.VisibilityTimeoutSeconds != nil {
		v := int(*in.VisibilityTimeoutSeconds)
		req.VisibilitySec = &v
	}
	recs, err := b.store.ReceiveQueueRecords(ctx, req)
	if err != nil {
		return nil, err
	}
	out := &server.ReceiveQueueRecordsOutput{QueueRecords: make([]server.QueueRecord, len(recs))}
	for i, r := range recs {
		out.QueueRecords[i] = server.QueueRecord{ApproximateArrivalTimestamp: time.UnixMilli(r.ArrivalMs), Data: r.Data,
			FirstReceiveTimestamp: time.UnixMilli(r.FirstReceiveMs), PartitionKey: r.PartitionKey, ReceiptHandle: r.ReceiptHandle,
			ReceiveCount: int32(r.ReceiveCount), RecordId: r.RecordID}
	}
	return out, nil
}

func (b *backend) AcknowledgeQueueRecords(_ context.Context, in *server.QueueReceiptsInput) (*server.QueueRecordsOutput, error) {
	return b.records(in.QueueARN, stream.QueueAcknowledge, receiptEntries(in.Entries))
}

func (b *backend) AcknowledgeDeadLetterQueueRecords(_ context.Context, in *server.QueueReceiptsInput) (*server.QueueRecordsOutput, error) {
	return b.records(in.QueueARN, stream.DeadLetterAcknowledge, receiptEntries(in.Entries))
}

func (b *backend) RestoreDeadLetterQueueRecords(_ context.Context, in *server.QueueReceiptsInput) (*server.QueueRecordsOutput, error) {
	return b.records(in.QueueARN, stream.DeadLetterRestore, receiptEntries(in.Entries))
}

func (b *backend) UpdateQueueRecordsVisibility(_ context.Context, in *server.QueueVisibilityInput) (*server.QueueRecordsOutput, error) {
	return b.records(in.QueueARN, stream.QueueVisibility, visibilityEntries(in.Entries))
}

func (b *backend) UpdateDeadLetterQueueRecordsVisibility(_ context.Context, in *server.QueueVisibilityInput) (*server.QueueRecordsOutput, error) {
	return b.records(in.QueueARN, stream.DeadLetterVisibility, visibilityEntries(in.Entries))
}

func (b *backend) records(arn string, action stream.QueueRecordAction, entries []stream.QueueEntry) (*server.QueueRecordsOutput, error) {
	results, err := b.store.QueueRecords(arn, action, entries)
	if err != nil {
		return nil, err
	}
	out := &server.QueueRecordsOutput{Failed: []server.QueueRecordsErrorEntry{}, Successful: []server.QueueRecordsResultEntry{}}
	for _, r := range results {
		if r.ErrorCode == "" {
			out.Successful = append(out.Successful, server.QueueRecordsResultEntry{ReceiptHandle: r.ReceiptHandle})
		} else {
			out.Failed = append(out.Failed, server.QueueRecordsErrorEntry{ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage, ReceiptHandle: r.ReceiptHandle})
		}
	}
	return out, nil
}

func receiptEntries(in []server.QueueReceiptEntry) []stream.QueueEntry {
	out := make([]stream.QueueEntry, len(in))
	for i, e := range in {
		out[i] = stream.QueueEntry{ReceiptHandle: e.ReceiptHandle}
	}
	return out
}

func visibilityEntries(in []server.QueueVisibilityEntry) []stream.QueueEntry {
	out := make([]stream.QueueEntry, len(in))
	for i, e := range in {
		out[i] = stream.QueueEntry{ReceiptHandle: e.ReceiptHandle, VisibilitySec: int(e.VisibilityTimeoutSeconds)}
	}
	return out
}

// queueAttributes returns the attributes of a request for the store; nil is none given.
func queueAttributes(a *server.QueueAttributes) stream.QueueAttributes {
	var out stream.QueueAttributes
	if a == nil {
		return out
	}
	if a.VisibilityTimeoutSeconds != nil {
		v := int(*a.VisibilityTimeoutSeconds)
		out.VisibilitySec = &v
	}
	if d := a.DeadLetterConfiguration; d != nil {
		out.DeadLetter = &stream.DeadLetterConfig{TargetType: d.TargetType, MaxReceiveCount: int(deref(d.MaxReceiveCount))}
	}
	return out
}

// queueOut returns a queue as CreateQueue, DescribeQueue and UpdateQueue report it.
func queueOut(d *stream.QueueDescription) server.QueueDescription {
	pos := &server.QueueStartingPosition{Type: d.Start}
	if d.StartMs != 0 {
		pos.Timestamp = timePtr(time.UnixMilli(d.StartMs))
	}
	dl := &server.DeadLetterConfiguration{TargetType: d.DeadLetter}
	if d.DeadLetter == stream.DeadLetterBuiltIn {
		dl.MaxReceiveCount = int32Ptr(int32(d.MaxReceiveCount))
	}
	return server.QueueDescription{
		QueueARN:                d.ARN,
		QueueAttributes:         &server.QueueAttributes{DeadLetterConfiguration: dl, VisibilityTimeoutSeconds: int32Ptr(int32(d.VisibilitySec))},
		QueueCreationTimestamp:  time.UnixMilli(d.CreatedMs),
		QueueName:               d.Name,
		QueueStatus:             string(d.Status),
		StreamConfigurationList: []server.QueueStreamConfiguration{{StreamARN: d.StreamARN, StartingPosition: pos}},
	}
}

func timePtr(t time.Time) *time.Time { return &t }

func int32Ptr(v int32) *int32 { return &v }
