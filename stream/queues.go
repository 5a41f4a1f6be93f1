package stream

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shardlog/shardlog/kinesis"
)

// Queues (the queue operations of the Kinesis model: CreateQueue, DescribeQueue,
// ListQueues, UpdateQueue, DeleteQueue; the record operations are in queuedelivery.go).
//
// A queue delivers the records of one ON_DEMAND stream to queue consumers one by one, with
// a visibility timeout, acknowledgements and built-in dead-letter handling. Its
// configuration is kept in its stream's catalog entry (StreamInfo.Queues), so it is as
// durable as the stream's other attributes and survives a restart. Its name is unique in the
// account and region (the Store), and its ARN, arn:aws:kinesis:<region>:<account>:queue/<id>,
// carries a resource id made when it is created, not derived from the name, as on AWS.
//
// Its status changes the way a consumer's does, without timers: CREATING, UPDATING and
// DELETING carry the time they end (StatusDueMs), and whoever looks at the queue at or after
// that time sees it ACTIVE, or gone (statusAt). CREATING lasts
// Options.RegisterConsumerDelay, DELETING Options.DeregisterConsumerDelay and UPDATING
// Options.UpdateDelay: the delays of consumers and of stream updates, which the shardlog
// command sets to 500ms.
//
// As the model says, a stream that has queues cannot be deleted (streamHasQueues) nor
// switched to PROVISIONED (queuesNeedOnDemand) until its queues are deleted, and queues
// count against the stream's registered consumer limit together with enhanced fan-out
// consumers.

// QueueStatus is the status of a queue.
type QueueStatus string

// Queue statuses.
const (
	QueueCreating QueueStatus = "CREATING"
	QueueActive   QueueStatus = "ACTIVE"
	QueueUpdating QueueStatus = "UPDATING"
	QueueDeleting QueueStatus = "DELETING"
)

// Starting positions of a queue (QueueStartingPosition's Type).
const (
	QueueStartLatest      = "LATEST"
	QueueStartTrimHorizon = "TRIM_HORIZON"
	QueueStartAtTimestamp = "AT_TIMESTAMP"
)

// Dead-letter target types (DeadLetterConfiguration's TargetType).
const (
	DeadLetterBuiltIn = "BUILT_IN"
	DeadLetterNone    = "NONE"
)

// Queue is what the catalog keeps about one queue of a stream. Status is the status last
// recorded: a CREATING, UPDATING or DELETING queue whose StatusDueMs has passed is ACTIVE,
// or gone (statusAt).
type Queue struct {
	ID          string      `json:"id"` // the resource id of its ARN
	Name        string      `json:"name"`
	CreatedMs   int64       `json:"createdMs"`
	Status      QueueStatus `json:"status"`
	StatusDueMs int64       `json:"statusDueMs,omitempty"` // when the change in progress ends, epoch ms; 0 when ACTIVE

	Start   string `json:"start"`             // QueueStartLatest, QueueStartTrimHorizon or QueueStartAtTimestamp
	StartMs int64  `json:"startMs,omitempty"` // AT_TIMESTAMP: its time; LATEST: CreatedMs; TRIM_HORIZON: 0

	VisibilitySec   int    `json:"visibilitySec"`
	DeadLetter      string `json:"deadLetter"`                // DeadLetterBuiltIn or DeadLetterNone
	MaxReceiveCount int    `json:"maxReceiveCount,omitempty"` // when BUILT_IN
	Tags            []Tag  `json:"tags,omitempty"`            // sorted by key
}

// QueueDescription is a queue as the queue operations report it.
type QueueDescription struct {
	ARN       string
	Name      string
	Status    QueueStatus // as of the call
	CreatedMs int64

	StreamARN       string
	StreamCreatedMs int64
	Start           string
	// StartMs is the effective starting time the queue reports; 0 (absent) while a LATEST
	// or TRIM_HORIZON queue is CREATING, as on AWS.
	StartMs int64

	VisibilitySec   int
	DeadLetter      string
	MaxReceiveCount int // 0 when DeadLetter is NONE
}

// DeadLetterConfig is a DeadLetterConfiguration: TargetType and, for BUILT_IN, MaxReceiveCount.
type DeadLetterConfig struct {
	TargetType      string
	MaxReceiveCount int
}

// QueueAttributes are the attributes CreateQueue and UpdateQueue take; nil members are
// absent (CreateQueue: the defaults; UpdateQueue: unchanged).
type QueueAttributes struct {
	VisibilitySec *int
	DeadLetter    *DeadLetterConfig
}

// CreateQueueRequest is the input of CreateQueue. The server has checked the shapes, that
// the request names exactly one stream, and the pairing of the starting position's Type with
// its Timestamp.
type CreateQueueRequest struct {
	Name       string
	StreamARN  string
	Start      string    // empty for LATEST
	StartTime  time.Time // AT_TIMESTAMP
	Attributes QueueAttributes
	Tags       map[string]string
}

// statusAt returns the queue's status at nowMs, and false if it is gone by then.
func (q *Queue) statusAt(nowMs int64) (QueueStatus, bool) {
	if q.Status != QueueActive && nowMs >= q.StatusDueMs {
		if q.Status == QueueDeleting {
			return "", false
		}
		return QueueActive, true
	}
	return q.Status, true
}

// queueARN returns the ARN of the stream's queue q.
func (s *StreamInfo) queueARN(q *Queue) string { return kinesis.QueueARN(s.Region, s.Account, q.ID) }

// describeQueue returns q as the operations report it at nowMs.
func (s *StreamInfo) describeQueue(q *Queue, nowMs int64) QueueDescription {
	status, _ := q.statusAt(nowMs)
	d := QueueDescription{ARN: s.queueARN(q), Name: q.Name, Status: status, CreatedMs: q.CreatedMs,
		StreamARN: s.ARN(), StreamCreatedMs: s.CreatedMs, Start: q.Start,
		VisibilitySec: q.VisibilitySec, DeadLetter: q.DeadLetter, MaxReceiveCount: q.MaxReceiveCount}
	earliest := max(s.CreatedMs, nowMs-s.retention().Milliseconds())
	switch {
	case q.Start == QueueStartAtTimestamp && status == QueueCreating:
		d.StartMs = q.StartMs
	case status == QueueCreating:
	case q.Start == QueueStartTrimHorizon:
		d.StartMs = earliest
	default:
		d.StartMs = max(q.StartMs, earliest)
	}
	return d
}

// findQueueID returns the stream's queue with resource id id that is not gone at nowMs.
func (s *StreamInfo) findQueueID(id string, nowMs int64) *Queue {
	for i := range s.Queues {
		if s.Queues[i].ID == id {
			if _, ok := s.Queues[i].statusAt(nowMs); ok {
				return &s.Queues[i]
			}
			return nil
		}
	}
	return nil
}

// liveQueues returns the count of the stream's queues that are not gone at nowMs.
func (s *StreamInfo) liveQueues(nowMs int64) int {
	n := 0
	for i := range s.Queues {
		if _, ok := s.Queues[i].statusAt(nowMs); ok {
			n++
		}
	}
	return n
}

// settleQueues brings the recorded statuses up to date at nowMs, before a change: a queue
// whose CREATING or UPDATING has ended is ACTIVE, and a queue whose DELETING has ended leaves
// the entry, with its resource policy.
func (s *StreamInfo) settleQueues(nowMs int64) {
	s.Queues = slices.DeleteFunc(s.Queues, func(q Queue) bool {
		_, ok := q.statusAt(nowMs)
		if !ok {
			delete(s.Policies, s.queueARN(&q))
		}
		return !ok
	})
	if len(s.Policies) == 0 {
		s.Policies = nil
	}
	for i := range s.Queues {
		if status, _ := s.Queues[i].statusAt(nowMs); status == QueueActive {
			s.Queues[i].Status, s.Queues[i].StatusDueMs = QueueActive, 0
		}
	}
	if len(s.Queues) == 0 {
		s.Queues = nil
	}
}

// validateQueues checks the queues of a stream: ids and names valid and unique, known
// statuses and starting positions, a time for every status change in progress, attributes
// in range, and tags sorted by key.
func (s *StreamInfo) validateQueues() error {
	for i := range s.Queues {
		q := &s.Queues[i]
		switch {
		case !validQueueID(q.ID):
			return fmt.Errorf("queue id %q is not a valid id", q.ID)
		case !kinesis.ValidQueueName(q.Name):
			return fmt.Errorf("queue name %q is not a valid name", q.Name)
		case slices.ContainsFunc(s.Queues[:i], func(o Queue) bool { return o.ID == q.ID || o.Name == q.Name }):
			return fmt.Errorf("queue %q (%s) listed twice", q.Name, q.ID)
		case q.CreatedMs <= 0:
			return fmt.Errorf("queue %q created at %d", q.Name, q.CreatedMs)
		case !slices.Contains([]QueueStatus{QueueCreating, QueueActive, QueueUpdating, QueueDeleting}, q.Status):
			return fmt.Errorf("queue %q has unknown status %q", q.Name, q.Status)
		case q.Status == QueueActive && q.StatusDueMs != 0:
			return fmt.Errorf("queue %q ACTIVE with a change due at %d", q.Name, q.StatusDueMs)
		case q.Status != QueueActive && q.StatusDueMs <= 0:
			return fmt.Errorf("queue %q %s without the time it ends", q.Name, q.Status)
		case !slices.Contains([]string{QueueStartLatest, QueueStartTrimHorizon, QueueStartAtTimestamp}, q.Start):
			return fmt.Errorf("queue %q has unknown starting position %q", q.Name, q.Start)
		case q.VisibilitySec < 0 || q.VisibilitySec > kinesis.MaxQueueVisibilitySec:
			return fmt.Errorf("queue %q has visibility timeout %d s", q.Name, q.VisibilitySec)
		case q.DeadLetter == DeadLetterBuiltIn && (q.MaxReceiveCount < 1 || q.MaxReceiveCount > kinesis.MaxMaxReceiveCount),
			q.DeadLetter == DeadLetterNone && q.MaxReceiveCount != 0,
			q.DeadLetter != DeadLetterBuiltIn && q.DeadLetter != DeadLetterNone:
			return fmt.Errorf("queue %q has dead-letter handling %q with MaxReceiveCount %d", q.Name, q.DeadLetter, q.MaxReceiveCount)
		}
		for j := 1; j < len(q.Tags); j++ {
			if q.Tags[j-1].Key >= q.Tags[j].Key {
				return fmt.Errorf("queue %q: tags not sorted by key at %q, %q", q.Name, q.Tags[j-1].Key, q.Tags[j].Key)
			}
		}
	}
	return nil
}

// validQueueID reports whether id is a resource id as newQueueID makes them: lowercase hex,
// so that it is safe in a file name.
func validQueueID(id string) bool {
	if id == "" || len(id) > kinesis.MaxQueueIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// newQueueID returns a fresh resource id for a queue ARN: 16 random bytes in hex.
func newQueueID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// applyQueueAttributes sets the attributes given on q. The server has checked the pairing
// of TargetType and MaxReceiveCount.
func applyQueueAttributes(q *Queue, a QueueAttributes) {
	if a.VisibilitySec != nil {
		q.VisibilitySec = *a.VisibilitySec
	}
	if a.DeadLetter != nil {
		q.DeadLetter, q.MaxReceiveCount = a.DeadLetter.TargetType, a.DeadLetter.MaxReceiveCount
		if q.DeadLetter == DeadLetterNone {
			q.MaxReceiveCount = 0
		}
	}
}

// queueStream returns the name of the stream of this store that a StreamARN names: one of
// another partition, region or account, or of a stream that does not exist, is
// streamNotFound.
func (s *Store) queueStream(streamARN string) (string, error) {
	if err := s.CheckStreamARN(streamARN); err != nil {
		return "", err
	}
	name, _ := kinesis.StreamNameFromARN(streamARN)
	return name, nil
}

// CreateQueue creates a queue on the stream req.StreamARN names and returns it: CREATING
// for Options.RegisterConsumerDelay, then ACTIVE. The stream must be ACTIVE
// (streamNotActive) and ON_DEMAND (queueNeedsOnDemand); the name must not be in use in the
// store, in any status (queueExists); the stream may have at most kinesis.MaxConsumers
// queues and consumers together, and the store at most kinesis.MaxChangingQueues queues
// CREATING or DELETING at once (LimitExceededException).
func (s *Store) CreateQueue(req CreateQueueRequest) (QueueDescription, error) {
	if !kinesis.ValidQueueName(req.Name) {
		return QueueDescription{}, fmt.Errorf("stream: create queue: name %q is not a valid queue name", req.Name)
	}
	stream, err := s.queueStream(req.StreamARN)
	if err != nil {
		return QueueDescription{}, err
	}
	s.queuesMu.Lock() // names and the limit of changing queues span every stream
	defer s.queuesMu.Unlock()
	now := s.nowMs()
	if _, _, q := s.queueNamed(req.Name, now); q != nil {
		return QueueDescription{}, queueExists(req.Name, s.opts.Account)
	}
	changing := s.changingQueues(now)
	var out QueueDescription
	err = s.change(stream, func(info *StreamInfo) (*StreamInfo, error) {
		now := s.nowMs()
		info.settleQueues(now)
		switch {
		case info.Status != StatusActive:
			return nil, streamNotActive(info.Name, info.Account, info.Status)
		case info.Mode != ModeOnDemand:
			return nil, queueNeedsOnDemand(info.Name, info.Account)
		case info.liveQueues(now)+len(info.liveConsumers(now)) >= kinesis.MaxConsumers:
			return nil, queueLimitExceeded(info.Name, info.Account)
		}
		delay := s.opts.RegisterConsumerDelay.Milliseconds()
		if delay > 0 && changing >= kinesis.MaxChangingQueues {
			return nil, changingQueuesLimitExceeded(info.Account)
		}
		tags, err := addTags(nil, req.Tags, info.Name, info.Account)
		if err != nil {
			return nil, err
		}
		q := Queue{ID: newQueueID(), Name: req.Name, CreatedMs: now, Status: QueueActive,
			Start: cmp.Or(req.Start, QueueStartLatest), VisibilitySec: kinesis.DefaultQueueVisibility,
			DeadLetter: DeadLetterBuiltIn, MaxReceiveCount: kinesis.DefaultMaxReceiveCount, Tags: tags}
		if len(q.Tags) == 0 {
			q.Tags = nil
		}
		switch q.Start {
		case QueueStartLatest:
			q.StartMs = now
		case QueueStartAtTimestamp:
			q.StartMs = unixMilli(req.StartTime)
		}
		applyQueueAttributes(&q, req.Attributes)
		if delay > 0 {
			q.Status, q.StatusDueMs = QueueCreating, now+delay
		}
		info.Queues = append(info.Queues, q)
		out = info.describeQueue(&q, now)
		return info, nil
	}, nil)
	return out, err
}

// queueNamed returns the stream, its view and the queue named name that is not gone at
// nowMs, or nils.
func (s *Store) queueNamed(name string, nowMs int64) (string, *streamView, *Queue) {
	for stream, e := range *s.streams.Load() {
		v := e.view.Load()
		if v == nil {
			continue
		}
		for i := range v.info.Queues {
			q := &v.info.Queues[i]
			if _, ok := q.statusAt(nowMs); ok && q.Name == name {
				return stream, v, q
			}
		}
	}
	return "", nil, nil
}

// changingQueues returns the count of queues CREATING or DELETING at nowMs in the store.
func (s *Store) changingQueues(nowMs int64) int {
	n := 0
	for _, e := range *s.streams.Load() {
		if v := e.view.Load(); v != nil {
			for i := range v.info.Queues {
				if status, ok := v.info.Queues[i].statusAt(nowMs); ok && (status == QueueCreating || status == QueueDeleting) {
					n++
				}
			}
		}
	}
	return n
}

// queueOf returns the name of the stream that holds the queue a queue ARN names, the view
// of that stream and the queue, as of nowMs. An ARN of another partition, region or
// account, or of a queue that is gone, is queueNotFound.
func (s *Store) queueOf(arn string, nowMs int64) (string, *streamView, *Queue, error) {
	if s.closed.Load() {
		return "", nil, nil, ErrClosed
	}
	id, _ := kinesis.QueueIDFromARN(arn)
	if arn != kinesis.QueueARN(s.opts.Region, s.opts.Account, id) || !validQueueID(id) {
		return "", nil, nil, queueNotFound(arn)
	}
	for stream, e := range *s.streams.Load() {
		v := e.view.Load()
		if v == nil {
			continue
		}
		if q := v.info.findQueueID(id, nowMs); q != nil {
			return stream, v, q, nil
		}
	}
	return "", nil, nil, queueNotFound(arn)
}

// changeQueue applies fn to the queue arn names, under its stream's lock, and returns the
// queue as it is afterwards. A queue that is gone, or whose stream went meanwhile, is
// queueNotFound.
func (s *Store) changeQueue(arn string, fn func(info *StreamInfo, q *Queue, nowMs int64) (bool, error)) (QueueDescription, error) {
	stream, _, _, err := s.queueOf(arn, s.nowMs())
	if err != nil {
		return QueueDescription{}, err
	}
	id, _ := kinesis.QueueIDFromARN(arn)
	var out QueueDescription
	err = s.change(stream, func(info *StreamInfo) (*StreamInfo, error) {
		now := s.nowMs()
		info.settleQueues(now)
		q := info.findQueueID(id, now)
		if q == nil {
			return nil, queueNotFound(arn)
		}
		changed, err := fn(info, q, now)
		if err != nil {
			return nil, err
		}
		out = info.describeQueue(q, now)
		if !changed {
			return nil, nil
		}
		return info, nil
	}, nil)
	if isStreamNotFound(err) { // the stream went meanwhile (or the queue did)
		return QueueDescription{}, queueNotFound(arn)
	}
	return out, err
}

// DescribeQueue returns the queue arn names.
func (s *Store) DescribeQueue(arn string) (QueueDescription, error) {
	now := s.nowMs()
	_, v, q, err := s.queueOf(arn, now)
	if err != nil {
		return QueueDescription{}, err
	}
	return v.info.describeQueue(q, now), nil
}

// UpdateQueue changes the attributes given of the queue arn names: it is UPDATING for
// Options.UpdateDelay, then ACTIVE, and the new attributes apply at once to records received
// from then on. The queue must be ACTIVE (queueNotActive).
func (s *Store) UpdateQueue(arn string, a QueueAttributes) (QueueDescription, error) {
	return s.changeQueue(arn, func(info *StreamInfo, q *Queue, now int64) (bool, error) {
		if status, _ := q.statusAt(now); status != QueueActive {
			return false, queueNotActive(q.Name, status, info.Account)
		}
		applyQueueAttributes(q, a)
		if d := s.opts.UpdateDelay.Milliseconds(); d > 0 {
			q.Status, q.StatusDueMs = QueueUpdating, now+d
		}
		return true, nil
	})
}

// DeleteQueue deletes the queue arn names: it is DELETING for
// Options.DeregisterConsumerDelay, then gone. It delivers nothing from then on, its receipt
// handles stop being valid, and its delivery state is removed. Deleting a queue that is
// DELETING changes nothing; one that is CREATING or UPDATING is queueNotActive.
func (s *Store) DeleteQueue(arn string) error {
	s.queuesMu.Lock() // the limit of changing queues spans every stream
	defer s.queuesMu.Unlock()
	var info *StreamInfo
	var id string
	_, err := s.changeQueue(arn, func(in *StreamInfo, q *Queue, now int64) (bool, error) {
		status, _ := q.statusAt(now)
		switch status {
		case QueueDeleting:
			return false, nil
		case QueueCreating, QueueUpdating:
			return false, queueNotActive(q.Name, status, in.Account)
		}
		delay := max(s.opts.DeregisterConsumerDelay.Milliseconds(), 0)
		if delay > 0 && s.changingQueues(now) >= kinesis.MaxChangingQueues {
			return false, changingQueuesLimitExceeded(in.Account)
		}
		q.Status, q.StatusDueMs = QueueDeleting, now+delay
		info, id = in, q.ID
		return true, nil
	})
	if err == nil && info != nil {
		s.dropDelivery(info, id)
	}
	return err
}

// ListQueuesRequest is the input of ListQueues.
type ListQueuesRequest struct {
	// Streams, when not empty, keeps the queues of these streams: ARN, and creation time
	// when not zero (a stream created again under the same name is another stream).
	Streams    []QueueStreamFilter
	NextToken  string
	MaxResults int // 0 for kinesis.DefaultListQueues
}

// QueueStreamFilter is one StreamFilter of ListQueues.
type QueueStreamFilter struct {
	StreamARN string
	CreatedAt time.Time // zero when absent
}

const tokenQueues = "queues" // ListQueues: Consumer holds the name of the last queue listed

// ListQueues returns a page of the queues of the store that are not gone, in name order,
// and a NextToken if more follow.
func (s *Store) ListQueues(req ListQueuesRequest) ([]QueueDescription, string, error) {
	if s.closed.Load() {
		return nil, "", ErrClosed
	}
	after := ""
	if req.NextToken != "" {
		t, err := s.openToken(req.NextToken, tokenQueues)
		if err != nil {
			return nil, "", err
		}
		after = t.Consumer
	}
	now := s.nowMs()
	var all []QueueDescription
	for _, e := range *s.streams.Load() {
		v := e.view.Load()
		if v == nil || !queueFilterKeeps(req.Streams, v.info) {
			continue
		}
		for i := range v.info.Queues {
			q := &v.info.Queues[i]
			if _, ok := q.statusAt(now); ok && q.Name > after {
				all = append(all, v.info.describeQueue(q, now))
			}
		}
	}
	slices.SortFunc(all, func(a, b QueueDescription) int { return strings.Compare(a.Name, b.Name) })
	limit := req.MaxResults
	if limit <= 0 {
		limit = kinesis.DefaultListQueues
	}
	var next string
	if len(all) > limit {
		all = all[:limit]
		next = s.sealToken(pageToken{Kind: tokenQueues, Consumer: all[limit-1].Name})
	}
	return all, next, nil
}

// queueFilterKeeps reports whether the StreamFilter of ListQueues keeps the queues of info.
func queueFilterKeeps(filter []QueueStreamFilter, info *StreamInfo) bool {
	if len(filter) == 0 {
		return true
	}
	return slices.ContainsFunc(filter, func(f QueueStreamFilter) bool {
		return f.StreamARN == info.ARN() && (f.CreatedAt.IsZero() || f.CreatedAt.Unix() == info.CreatedMs/1000)
	})
}

// Errors of the queue operations. AWS's texts were not recorded; these follow the house
// style of the stream and consumer errors.

// queueNotFound is the error for a queue ARN that names no queue here.
func queueNotFound(arn string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeResourceNotFound, "Queue "+arn+" not found.")
}

// queueExists is CreateQueue's error for a name in use in the account and region.
func queueExists(name, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeResourceInUse, "Queue "+name+" under account "+account+" already exists.")
}

// queueNeedsOnDemand is CreateQueue's error for a PROVISIONED stream.
func queueNeedsOnDemand(stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeValidation, "Queues are only supported for ON_DEMAND streams. "+
		"Stream "+stream+" under account "+account+" is PROVISIONED.")
}

// queueLimitExceeded is CreateQueue's error for a stream that has kinesis.MaxConsumers
// queues and consumers.
func queueLimitExceeded(stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeLimitExceeded, "Stream "+stream+" under account "+account+
		" already has "+fmt.Sprint(kinesis.MaxConsumers)+" queues and registered consumers, the most a stream can have.")
}

// changingQueuesLimitExceeded is the error of CreateQueue and DeleteQueue while
// kinesis.MaxChangingQueues queues are CREATING or DELETING.
func changingQueuesLimitExceeded(account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeLimitExceeded, "Account "+account+" already has "+
		fmt.Sprint(kinesis.MaxChangingQueues)+" queues in CREATING or DELETING status; "+
		"only "+fmt.Sprint(kinesis.MaxChangingQueues)+" queues can be created or deleted at the same time.")
}

// queueNotActive is the error for a queue that must be ACTIVE and is not.
func queueNotActive(name string, status QueueStatus, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeResourceInUse, "Queue "+name+" under account "+account+
		" not ACTIVE, instead in state "+string(status))
}

// streamHasQueues is DeleteStream's error for a stream that has queues, whatever
// EnforceConsumerDeletion says, as the model has it.
func streamHasQueues(stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeResourceInUse, "Stream "+stream+" under account "+account+
		" has queues. Delete them with DeleteQueue before deleting the stream.")
}

// queuesNeedOnDemand is UpdateStreamMode's error for a switch to PROVISIONED of a stream
// that has queues.
func queuesNeedOnDemand(stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeResourceInUse, "Stream "+stream+" under account "+account+
		" has queues. Delete them with DeleteQueue before switching the stream to PROVISIONED mode.")
}

// Tags of queues (TagResource, UntagResource, ListTagsForResource on a queue ARN). A queue
// that is DELETING or gone is resourceNotFound, as a consumer is.

// isQueueARN reports whether a ResourceARN names a queue rather than a stream or consumer.
func isQueueARN(arn string) bool {
	_, ok := kinesis.QueueIDFromARN(arn)
	return ok && !strings.Contains(arn, "stream/")
}

// tagQueue applies fn to the tags of the queue arn names, under its stream's lock.
func (s *Store) tagQueue(arn string, fn func(info *StreamInfo, tags []Tag) ([]Tag, error)) error {
	_, err := s.changeQueue(arn, func(info *StreamInfo, q *Queue, now int64) (bool, error) {
		if status, _ := q.statusAt(now); status == QueueDeleting {
			return false, resourceNotFound(arn)
		}
		tags, err := fn(info, q.Tags)
		if err != nil {
			return false, err
		}
		q.Tags = tags
		if len(q.Tags) == 0 {
			q.Tags = nil
		}
		return true, nil
	})
	if isQueueNotFound(err) {
		return resourceNotFound(arn)
	}
	return err
}

// queueTags returns the tags of the queue arn names, in key order.
func (s *Store) queueTags(arn string) ([]Tag, error) {
	now := s.nowMs()
	_, _, q, err := s.queueOf(arn, now)
	if isQueueNotFound(err) {
		return nil, resourceNotFound(arn)
	}
	if err != nil {
		return nil, err
	}
	if status, _ := q.statusAt(now); status == QueueDeleting {
		return nil, resourceNotFound(arn)
	}
	tags := slices.Clone(q.Tags)
	if tags == nil {
		tags = []Tag{}
	}
	return tags, nil
}

// isQueueNotFound reports whether err is queueNotFound's.
func isQueueNotFound(err error) bool {
	var ke *kinesis.Error
	return errors.As(err, &ke) && ke.Type == kinesis.TypeResourceNotFound && strings.HasPrefix(ke.Message, "Queue ")
}

// checkQueuePolicyResource is checkPolicyResource for a queue ARN: it must name a queue of
// the stream that is not gone, nor DELETING (resourceNotFound), and one that is ACTIVE to be
// given a policy (queueNotActive).
func checkQueuePolicyResource(info *StreamInfo, arn string, put bool, nowMs int64) error {
	id, _ := kinesis.QueueIDFromARN(arn)
	q := info.findQueueID(id, nowMs)
	if q == nil || info.queueARN(q) != arn {
		return resourceNotFound(arn)
	}
	status, _ := q.statusAt(nowMs)
	switch {
	case status == QueueDeleting:
		return resourceNotFound(arn)
	case put && status != QueueActive:
		return queueNotActive(q.Name, status, info.Account)
	}
	return nil
}
