package server_test

import (
	"context"

	"github.com/shardlog/shardlog/server"
)

// The fakeBackend's answers to the queue operations.

func (f *fakeBackend) CreateQueue(_ context.Context, in *server.CreateQueueInput) (*server.CreateQueueOutput, error) {
	return reply[server.CreateQueueOutput](f, "CreateQueue", in)
}

func (f *fakeBackend) DescribeQueue(_ context.Context, in *server.DescribeQueueInput) (*server.DescribeQueueOutput, error) {
	return reply[server.DescribeQueueOutput](f, "DescribeQueue", in)
}

func (f *fakeBackend) ListQueues(_ context.Context, in *server.ListQueuesInput) (*server.ListQueuesOutput, error) {
	return reply[server.ListQueuesOutput](f, "ListQueues", in)
}

func (f *fakeBackend) UpdateQueue(_ context.Context, in *server.UpdateQueueInput) (*server.UpdateQueueOutput, error) {
	return reply[server.UpdateQueueOutput](f, "UpdateQueue", in)
}

func (f *fakeBackend) DeleteQueue(_ context.Context, in *server.DeleteQueueInput) (*server.DeleteQueueOutput, error) {
	return reply[server.DeleteQueueOutput](f, "DeleteQueue", in)
}

func (f *fakeBackend) ReceiveQueueRecords(_ context.Context, in *server.ReceiveQueueRecordsInput) (*server.ReceiveQueueRecordsOutput, error) {
	return reply[server.ReceiveQueueRecordsOutput](f, "ReceiveQueueRecords", in)
}

func (f *fakeBackend) AcknowledgeQueueRecords(_ context.Context, in *server.QueueReceiptsInput) (*server.QueueRecordsOutput, error) {
	return reply[server.QueueRecordsOutput](f, "AcknowledgeQueueRecords", in)
}

func (f *fakeBackend) UpdateQueueRecordsVisibility(_ context.Context, in *server.QueueVisibilityInput) (*server.QueueRecordsOutput, error) {
	return reply[server.QueueRecordsOutput](f, "UpdateQueueRecordsVisibility", in)
}

func (f *fakeBackend) ReceiveDeadLetterQueueRecords(_ context.Context, in *server.ReceiveQueueRecordsInput) (*server.ReceiveQueueRecordsOutput, error) {
	return reply[server.ReceiveQueueRecordsOutput](f, "ReceiveDeadLetterQueueRecords", in)
}

func (f *fakeBackend) AcknowledgeDeadLetterQueueRecords(_ context.Context, in *server.QueueReceiptsInput) (*server.QueueRecordsOutput, error) {
	return reply[server.QueueRecordsOutput](f, "AcknowledgeDeadLetterQueueRecords", in)
}

func (f *fakeBackend) UpdateDeadLetterQueueRecordsVisibility(_ context.Context, in *server.QueueVisibilityInput) (*server.QueueRecordsOutput, error) {
	return reply[server.QueueRecordsOutput](f, "UpdateDeadLetterQueueRecordsVisibility", in)
}

func (f *fakeBackend) RestoreDeadLetterQueueRecords(_ context.Context, in *server.QueueReceiptsInput) (*server.QueueRecordsOutput, error) {
	return reply[server.QueueRecordsOutput](f, "RestoreDeadLetterQueueRecords", in)
}
