package server

import (
	"context"
	"regexp"
	"time"

	"github.com/shardlog/shardlog/kinesis"
)

// Queues: CreateQueue, DescribeQueue, ListQueues, UpdateQueue, DeleteQueue, and the record
// operations ReceiveQueueRecords, AcknowledgeQueueRecords, UpdateQueueRecordsVisibility,
// ReceiveDeadLetterQueueRecords, AcknowledgeDeadLetterQueueRecords,
// UpdateDeadLetterQueueRecordsVisibility and RestoreDeadLetterQueueRecords (Go SDK v1.57.0's
// model). A queue is named by its QueueARN, arn:aws:kinesis:<region>:<account>:queue/<id>.
// The server checks the shapes, the one StreamConfigurationList entry's StreamARN
// (StreamARNChecker), and the pairings the model describes (checkQueueInput); the rest
// depends on state and is the Backend's.

// Values of QueueStatus, QueueStartingPosition's Type and DeadLetterConfiguration's
// TargetType.
const (
	QueueStatusCreating = "CREATING"
	QueueStatusActive   = "ACTIVE"
	QueueStatusUpdating = "UPDATING"
	QueueStatusDeleting = "DELETING"

	QueueStartTrimHorizon = "TRIM_HORIZON"
	QueueStartLatest      = "LATEST"
	QueueStartAtTimestamp = "AT_TIMESTAMP"

	DeadLetterTargetBuiltIn = "BUILT_IN"
	DeadLetterTargetNone    = "NONE"
)

// QueueStartingPosition is where a queue starts delivering records.
type QueueStartingPosition struct {
	Type      string     `json:"Type"`
	Timestamp *time.Time `json:"Timestamp,omitempty"`
}

// QueueStreamConfiguration is the stream a queue delivers records from, and where it starts.
type QueueStreamConfiguration struct {
	StreamARN        string                 `json:"StreamARN"`
	StartingPosition *QueueStartingPosition `json:"StartingPosition,omitempty"`
}

// DeadLetterConfiguration is a queue's dead-letter handling.
type DeadLetterConfiguration struct {
	TargetType      string `json:"TargetType"`
	MaxReceiveCount *int32 `json:"MaxReceiveCount,omitempty"`
}

// QueueAttributes are a queue's configuration attributes.
type QueueAttributes struct {
	DeadLetterConfiguration  *DeadLetterConfiguration `json:"DeadLetterConfiguration,omitempty"`
	VisibilityTimeoutSeconds *int32                   `json:"VisibilityTimeoutSeconds,omitempty"`
}

// QueueDescription is a queue as CreateQueue, DescribeQueue and UpdateQueue return it.
type QueueDescription struct {
	QueueARN                string                     `json:"QueueARN"`
	QueueAttributes         *QueueAttributes           `json:"QueueAttributes,omitempty"`
	QueueCreationTimestamp  time.Time                  `json:"QueueCreationTimestamp"`
	QueueName               string                     `json:"QueueName"`
	QueueStatus             string                     `json:"QueueStatus"`
	StreamConfigurationList []QueueStreamConfiguration `json:"StreamConfigurationList"`
}

// QueueStreamIdentifier is the stream of a QueueSummary.
type QueueStreamIdentifier struct {
	StreamARN               string    `json:"StreamARN"`
	StreamCreationTimestamp time.Time `json:"StreamCreationTimestamp"`
}

// QueueSummary is a queue as ListQueues returns it.
type QueueSummary struct {
	QueueARN               string                  `json:"QueueARN"`
	QueueCreationTimestamp time.Time               `json:"QueueCreationTimestamp"`
	QueueName              string                  `json:"QueueName"`
	QueueStatus            string                  `json:"QueueStatus"`
	Streams                []QueueStreamIdentifier `json:"Streams"`
}

// QueueStreamFilter is one StreamFilter of ListQueues.
type QueueStreamFilter struct {
	StreamARN               string     `json:"StreamARN"`
	StreamCreationTimestamp *time.Time `json:"StreamCreationTimestamp,omitempty"`
}

// QueueRecord is a record as ReceiveQueueRecords and ReceiveDeadLetterQueueRecords return it.
type QueueRecord struct {
	ApproximateArrivalTimestamp time.Time `json:"ApproximateArrivalTimestamp"`
	Data                        []byte    `json:"Data"`
	FirstReceiveTimestamp       time.Time `json:"FirstReceiveTimestamp"`
	PartitionKey                string    `json:"PartitionKey,omitempty"`
	ReceiptHandle               string    `json:"ReceiptHandle"`
	ReceiveCount                int32     `json:"ReceiveCount"`
	RecordId                    string    `json:"RecordId"`
}

// QueueReceiptEntry is an entry of AcknowledgeQueueRecords, AcknowledgeDeadLetterQueueRecords
// and RestoreDeadLetterQueueRecords.
type QueueReceiptEntry struct {
	ReceiptHandle string `json:"ReceiptHandle"`
}

// QueueVisibilityEntry is an entry of UpdateQueueRecordsVisibility and
// UpdateDeadLetterQueueRecordsVisibility.
type QueueVisibilityEntry struct {
	ReceiptHandle            string `json:"ReceiptHandle"`
	VisibilityTimeoutSeconds int32  `json:"VisibilityTimeoutSeconds"`
}

// QueueRecordsResultEntry is an entry that succeeded.
type QueueRecordsResultEntry struct {
	ReceiptHandle string `json:"ReceiptHandle"`
}

// QueueRecordsErrorEntry is an entry that failed, and why.
type QueueRecordsErrorEntry struct {
	ErrorCode     string `json:"ErrorCode"`
	ErrorMessage  string `json:"ErrorMessage,omitempty"`
	ReceiptHandle string `json:"ReceiptHandle"`
}

// CreateQueueInput is the input of CreateQueue. The server has checked that
// StreamConfigurationList has one entry, whose StreamARN is the Backend's, with a Timestamp
// exactly when its Type is AT_TIMESTAMP, and the DeadLetterConfiguration (checkQueueInput).
type CreateQueueInput struct {
	QueueName               string                     `json:"QueueName"`
	StreamConfigurationList []QueueStreamConfiguration `json:"StreamConfigurationList"`
	QueueAttributes         *QueueAttributes           `json:"QueueAttributes,omitempty"`
	Tags                    map[string]string          `json:"Tags,omitempty"`
}

// CreateQueueOutput is the output of CreateQueue.
type CreateQueueOutput struct {
	QueueDescription QueueDescription `json:"QueueDescription"`
}

// DescribeQueueInput is the input of DescribeQueue.
type DescribeQueueInput struct {
	QueueARN string `json:"QueueARN"`
}

// DescribeQueueOutput is the output of DescribeQueue.
type DescribeQueueOutput struct {
	QueueDescription QueueDescription `json:"QueueDescription"`
}

// ListQueuesInput is the input of ListQueues.
type ListQueuesInput struct {
	MaxResults   *int32              `json:"MaxResults,omitempty"`
	NextToken    string              `json:"NextToken,omitempty"`
	StreamFilter []QueueStreamFilter `json:"StreamFilter,omitempty"`
}

// ListQueuesOutput is the output of ListQueues.
type ListQueuesOutput struct {
	QueueSummaries []QueueSummary `json:"QueueSummaries"`
	NextToken      string         `json:"NextToken,omitempty"`
}

// UpdateQueueInput is the input of UpdateQueue; the server has checked its
// DeadLetterConfiguration as CreateQueue's.
type UpdateQueueInput struct {
	QueueARN        string          `json:"QueueARN"`
	QueueAttributes QueueAttributes `json:"QueueAttributes"`
}

// UpdateQueueOutput is the output of UpdateQueue.
type UpdateQueueOutput struct {
	QueueDescription QueueDescription `json:"QueueDescription"`
}

// DeleteQueueInput is the input of DeleteQueue.
type DeleteQueueInput struct {
	QueueARN string `json:"QueueARN"`
}

// DeleteQueueOutput is the (empty) output of DeleteQueue.
type DeleteQueueOutput struct{}

// ReceiveQueueRecordsInput is the input of ReceiveQueueRecords and
// ReceiveDeadLetterQueueRecords.
type ReceiveQueueRecordsInput struct {
	QueueARN                 string `json:"QueueARN"`
	Limit                    *int32 `json:"Limit,omitempty"`
	VisibilityTimeoutSeconds *int32 `json:"VisibilityTimeoutSeconds,omitempty"`
	WaitTimeSeconds          *int32 `json:"WaitTimeSeconds,omitempty"`
}

// ReceiveQueueRecordsOutput is the output of ReceiveQueueRecords and
// ReceiveDeadLetterQueueRecords.
type ReceiveQueueRecordsOutput struct {
	QueueRecords []QueueRecord `json:"QueueRecords"`
}

// QueueReceiptsInput is the input of AcknowledgeQueueRecords,
// AcknowledgeDeadLetterQueueRecords and RestoreDeadLetterQueueRecords.
type QueueReceiptsInput struct {
	QueueARN string              `json:"QueueARN"`
	Entries  []QueueReceiptEntry `json:"Entries"`
}

// QueueVisibilityInput is the input of UpdateQueueRecordsVisibility and
// UpdateDeadLetterQueueRecordsVisibility.
type QueueVisibilityInput struct {
	QueueARN string                 `json:"QueueARN"`
	Entries  []QueueVisibilityEntry `json:"Entries"`
}

// QueueRecordsOutput is the output of the five operations on received records: the entries
// that succeeded and those that failed.
type QueueRecordsOutput struct {
	Failed     []QueueRecordsErrorEntry  `json:"Failed"`
	Successful []QueueRecordsResultEntry `json:"Successful"`
}

// queueARNPattern is the model's pattern of a QueueARN.
const queueARNPattern = `arn:aws.*:kinesis:.*:\d{12}:queue/\S+`

// withQueueARNs makes the ResourceARN shape s match queue ARNs too: tags and resource
// policies apply to queues in the current model, which lists the queue pattern beside the
// stream's (PutResourcePolicy's documentation); a validation message prints the stream
// pattern, the one AWS's reference gives for ResourceARN.
func withQueueARNs(s *shape) *shape {
	s.re = regexp.MustCompile(`^(?:` + s.pattern + `|` + queueARNPattern + `)$`)
	return s
}

// Member types and input shapes. The model's constraints, as AWS's API reference gives them.
var (
	shapeQueueName     = stringShape(1, kinesis.MaxQueueNameLen, `[a-zA-Z0-9_.-]+`)
	shapeQueueARN      = stringShape(1, 2048, queueARNPattern)
	shapeReceiptHandle = stringShape(1, kinesis.MaxQueueReceiptHandleLen, "")
	shapeVisibility    = integerRange(0, kinesis.MaxQueueVisibilitySec)
	shapeQueueStart    = enumShape(QueueStartTrimHorizon, QueueStartLatest, QueueStartAtTimestamp)
	shapeTargetType    = enumShape(DeadLetterTargetBuiltIn, DeadLetterTargetNone)

	shapeQueueStartingPosition = structShape("QueueStartingPosition",
		required("Type", shapeQueueStart),
		optional("Timestamp", shapeTimestamp))
	shapeQueueStreamConfiguration = structShape("QueueStreamConfiguration",
		required("StreamARN", shapeStreamARN),
		optional("StartingPosition", shapeQueueStartingPosition))
	shapeDeadLetterConfiguration = structShape("DeadLetterConfiguration",
		required("TargetType", shapeTargetType),
		optional("MaxReceiveCount", integerRange(1, kinesis.MaxMaxReceiveCount)))
	shapeQueueAttributes = structShape("QueueAttributes",
		optional("DeadLetterConfiguration", shapeDeadLetterConfiguration),
		optional("VisibilityTimeoutSeconds", shapeVisibility))
	shapeQueueStreamFilter = structShape("QueueStreamFilter",
		required("StreamARN", shapeStreamARN),
		optional("StreamCreationTimestamp", shapeTimestamp))

	shapeCreateQueueInput = structShape("CreateQueueInput",
		required("QueueName", shapeQueueName),
		required("StreamConfigurationList", listShape(shapeQueueStreamConfiguration, 1, 1)),
		optional("QueueAttributes", shapeQueueAttributes),
		optional("Tags", shapeTagMap))
	shapeDescribeQueueInput = structShape("DescribeQueueInput",
		required("QueueARN", shapeQueueARN))
	shapeListQueuesInput = structShape("ListQueuesInput",
		optional("MaxResults", integerRange(1, kinesis.MaxListQueues)),
		optional("NextToken", shapeNextToken),
		optional("StreamFilter", listShape(shapeQueueStreamFilter, 1, 10000)))
	shapeUpdateQueueInput = structShape("UpdateQueueInput",
		required("QueueARN", shapeQueueARN),
		required("QueueAttributes", shapeQueueAttributes))
	shapeDeleteQueueInput = structShape("DeleteQueueInput",
		required("QueueARN", shapeQueueARN))
	shapeReceiveQueueRecordsInput = structShape("ReceiveQueueRecordsInput",
		required("QueueARN", shapeQueueARN),
		optional("Limit", integerRange(1, kinesis.MaxQueueReceive)),
		optional("VisibilityTimeoutSeconds", shapeVisibility),
		optional("WaitTimeSeconds", integerRange(0, kinesis.MaxQueueWaitSec)))
	shapeAcknowledgeQueueRecordsInput                = queueReceiptsShape("AcknowledgeQueueRecords")
	shapeAcknowledgeDeadLetterQueueRecordsInput      = queueReceiptsShape("AcknowledgeDeadLetterQueueRecords")
	shapeRestoreDeadLetterQueueRecordsInput          = queueReceiptsShape("RestoreDeadLetterQueueRecords")
	shapeUpdateQueueRecordsVisibilityInput           = queueVisibilityShape("UpdateQueueRecordsVisibility")
	shapeUpdateDeadLetterQueueRecordsVisibilityInput = queueVisibilityShape("UpdateDeadLetterQueueRecordsVisibility")
)

// queueReceiptsShape returns the input shape of op, an operation that takes receipt handles;
// its entries' shape has the model's name, which validation messages print.
func queueReceiptsShape(op string) *shape {
	entry := structShape(op+"RequestEntry", required("ReceiptHandle", shapeReceiptHandle))
	return structShape(op+"Input",
		required("QueueARN", shapeQueueARN),
		required("Entries", listShape(entry, 1, kinesis.MaxQueueEntries)))
}

// queueVisibilityShape is queueReceiptsShape for the operations that change visibility.
func queueVisibilityShape(op string) *shape {
	entry := structShape(op+"RequestEntry",
		required("ReceiptHandle", shapeReceiptHandle),
		required("VisibilityTimeoutSeconds", shapeVisibility))
	return structShape(op+"Input",
		required("QueueARN", shapeQueueARN),
		required("Entries", listShape(entry, 1, kinesis.MaxQueueEntries)))
}

// untilShutdown makes op's call end its wait when the server shuts down: ReceiveQueueRecords
// and ReceiveDeadLetterQueueRecords wait up to WaitTimeSeconds for a record, and Shutdown
// waits for the calls in flight, so without it a waiting receive would hold a shutdown for
// up to 20 s. The receive then answers the records it has: none.
func untilShutdown(op *operation) *operation {
	run := op.run
	op.run = func(c *call, in any) error {
		ctx, cancel := context.WithCancel(c.ctx)
		defer cancel()
		stop := context.AfterFunc(c.s.stopping, cancel)
		defer stop()
		outer := c.ctx
		c.ctx = ctx
		defer func() { c.ctx = outer }()
		return run(c, in)
	}
	return op
}

// checkQueueInput applies to the queue operations the rules that follow validation
// (checkInput): it reports whether in is one of their inputs, and the error of its rules.
func (c *call) checkQueueInput(in any) (bool, error) {
	switch t := in.(type) {
	case *CreateQueueInput:
		conf := t.StreamConfigurationList[0]
		if p := conf.StartingPosition; p != nil {
			switch {
			case p.Type == QueueStartAtTimestamp && p.Timestamp == nil:
				return true, validationError("Timestamp is required when the StartingPosition Type is AT_TIMESTAMP.")
			case p.Type != QueueStartAtTimestamp && p.Timestamp != nil:
				return true, validationError("Timestamp can be specified only when the StartingPosition Type is AT_TIMESTAMP.")
			}
		}
		if err := checkDeadLetter(t.QueueAttributes); err != nil {
			return true, err
		}
		return true, c.checkStreamARN(conf.StreamARN)
	case *UpdateQueueInput:
		return true, checkDeadLetter(&t.QueueAttributes)
	case *ListQueuesInput:
		for _, f := range t.StreamFilter {
			if err := c.checkStreamARN(f.StreamARN); err != nil {
				return true, err
			}
		}
		return true, nil
	}
	return false, nil
}

// checkDeadLetter checks the pairing of TargetType and MaxReceiveCount.
func checkDeadLetter(a *QueueAttributes) error {
	if a == nil || a.DeadLetterConfiguration == nil {
		return nil
	}
	switch d := a.DeadLetterConfiguration; {
	case d.TargetType == DeadLetterTargetBuiltIn && d.MaxReceiveCount == nil:
		return validationError("MaxReceiveCount is required when the DeadLetterConfiguration TargetType is BUILT_IN.")
	case d.TargetType == DeadLetterTargetNone && d.MaxReceiveCount != nil:
		return validationError("MaxReceiveCount can be specified only when the DeadLetterConfiguration TargetType is BUILT_IN.")
	}
	return nil
}

// CreateQueue reports that CreateQueue is not implemented.
func (UnimplementedBackend) CreateQueue(context.Context, *CreateQueueInput) (*CreateQueueOutput, error) {
	return nil, notImplemented("CreateQueue")
}

// DescribeQueue reports that DescribeQueue is not implemented.
func (UnimplementedBackend) DescribeQueue(context.Context, *DescribeQueueInput) (*DescribeQueueOutput, error) {
	return nil, notImplemented("DescribeQueue")
}

// ListQueues reports that ListQueues is not implemented.
func (UnimplementedBackend) ListQueues(context.Context, *ListQueuesInput) (*ListQueuesOutput, error) {
	return nil, notImplemented("ListQueues")
}

// UpdateQueue reports that UpdateQueue is not implemented.
func (UnimplementedBackend) UpdateQueue(context.Context, *UpdateQueueInput) (*UpdateQueueOutput, error) {
	return nil, notImplemented("UpdateQueue")
}

// DeleteQueue reports that DeleteQueue is not implemented.
func (UnimplementedBackend) DeleteQueue(context.Context, *DeleteQueueInput) (*DeleteQueueOutput, error) {
	return nil, notImplemented("DeleteQueue")
}

// ReceiveQueueRecords reports that ReceiveQueueRecords is not implemented.
func (UnimplementedBackend) ReceiveQueueRecords(context.Context, *ReceiveQueueRecordsInput) (*ReceiveQueueRecordsOutput, error) {
	return nil, notImplemented("ReceiveQueueRecords")
}

// AcknowledgeQueueRecords reports that AcknowledgeQueueRecords is not implemented.
func (UnimplementedBackend) AcknowledgeQueueRecords(context.Context, *QueueReceiptsInput) (*QueueRecordsOutput, error) {
	return nil, notImplemented("AcknowledgeQueueRecords")
}

// UpdateQueueRecordsVisibility reports that UpdateQueueRecordsVisibility is not implemented.
func (UnimplementedBackend) UpdateQueueRecordsVisibility(context.Context, *QueueVisibilityInput) (*QueueRecordsOutput, error) {
	return nil, notImplemented("UpdateQueueRecordsVisibility")
}

// ReceiveDeadLetterQueueRecords reports that ReceiveDeadLetterQueueRecords is not implemented.
func (UnimplementedBackend) ReceiveDeadLetterQueueRecords(context.Context, *ReceiveQueueRecordsInput) (*ReceiveQueueRecordsOutput, error) {
	return nil, notImplemented("ReceiveDeadLetterQueueRecords")
}

// AcknowledgeDeadLetterQueueRecords reports that AcknowledgeDeadLetterQueueRecords is not
// implemented.
func (UnimplementedBackend) AcknowledgeDeadLetterQueueRecords(context.Context, *QueueReceiptsInput) (*QueueRecordsOutput, error) {
	return nil, notImplemented("AcknowledgeDeadLetterQueueRecords")
}

// UpdateDeadLetterQueueRecordsVisibility reports that UpdateDeadLetterQueueRecordsVisibility
// is not implemented.
func (UnimplementedBackend) UpdateDeadLetterQueueRecordsVisibility(context.Context, *QueueVisibilityInput) (*QueueRecordsOutput, error) {
	return nil, notImplemented("UpdateDeadLetterQueueRecordsVisibility")
}

// RestoreDeadLetterQueueRecords reports that RestoreDeadLetterQueueRecords is not implemented.
func (UnimplementedBackend) RestoreDeadLetterQueueRecords(context.Context, *QueueReceiptsInput) (*QueueRecordsOutput, error) {
	return nil, notImplemented("RestoreDeadLetterQueueRecords")
}
