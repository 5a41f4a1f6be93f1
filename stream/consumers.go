package stream

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shardlog/shardlog/kinesis"
)

// Enhanced fan-out consumers (KINESIS-API.md §2.8). A consumer is registered to one stream
// and kept in that stream's catalog entry (StreamInfo.Consumers), so it is as durable as the
// stream's other attributes, survives a restart, and goes with the stream.
//
// Its ARN is <stream ARN>/consumer/<name>:<creation second> (kinesis.ConsumerARN): a name
// registered again gets a new ARN, and the old ARN names nothing from then on. Its status
// changes the way a stream's does, without timers: CREATING and DELETING carry the time
// they end (StatusDueMs), and whoever looks at the consumer at or after that time sees it
// ACTIVE, or gone (statusAt). The catalog entry is brought up to date by the next change
// of the consumers of the stream (settleConsumers), which keeps a consumer that is gone
// until its creation second has passed, so that the name registered again within that
// second still gets another ARN.
//
// SubscribeToShard (a later round) finds an ACTIVE consumer with ActiveConsumer, and learns
// that the consumer was deregistered, or its stream deleted, when the channel it gets is
// closed.

// ConsumerStatus is the status of a consumer.
type ConsumerStatus string

// Consumer statuses.
const (
	ConsumerCreating ConsumerStatus = "CREATING"
	ConsumerActive   ConsumerStatus = "ACTIVE"
	ConsumerDeleting ConsumerStatus = "DELETING"
)

// Consumer is what the catalog keeps about one consumer of a stream. Status is the status
// last recorded: a CREATING or DELETING consumer whose StatusDueMs has passed is ACTIVE, or
// gone (statusAt).
type Consumer struct {
	Name        string         `json:"name"`
	CreatedMs   int64          `json:"createdMs"` // ConsumerCreationTimestamp, epoch ms; its second is in the ARN
	Status      ConsumerStatus `json:"status"`
	StatusDueMs int64          `json:"statusDueMs,omitempty"` // when CREATING or DELETING ends, epoch ms; 0 when ACTIVE
	Tags        []Tag          `json:"tags,omitempty"`        // sorted by key
}

// ConsumerDescription is a consumer as the consumer operations report it.
type ConsumerDescription struct {
	Name      string
	ARN       string
	Status    ConsumerStatus // as of the call
	CreatedMs int64          // ConsumerCreationTimestamp, epoch ms
	StreamARN string
}

// statusAt returns the consumer's status at nowMs, and false if it is gone by then.
func (c *Consumer) statusAt(nowMs int64) (ConsumerStatus, bool) {
	switch {
	case c.Status == ConsumerCreating && nowMs >= c.StatusDueMs:
		return ConsumerActive, true
	case c.Status == ConsumerDeleting && nowMs >= c.StatusDueMs:
		return "", false
	}
	return c.Status, true
}

// createdSec returns the creation second that the consumer's ARN carries.
func (c *Consumer) createdSec() int64 { return c.CreatedMs / 1000 }

// consumerARN returns the ARN of the stream's consumer c.
func (s *StreamInfo) consumerARN(c *Consumer) string {
	return kinesis.ConsumerARN(s.ARN(), c.Name, c.createdSec())
}

// describeConsumer returns c as the operations report it at nowMs.
func (s *StreamInfo) describeConsumer(c *Consumer, nowMs int64) ConsumerDescription {
	status, _ := c.statusAt(nowMs)
	return ConsumerDescription{Name: c.Name, ARN: s.consumerARN(c), Status: status, CreatedMs: c.CreatedMs, StreamARN: s.ARN()}
}

// findConsumer returns the stream's consumer named name that is not gone at nowMs, or nil.
func (s *StreamInfo) findConsumer(name string, nowMs int64) *Consumer {
	i, found := slices.BinarySearchFunc(s.Consumers, name, func(c Consumer, name string) int { return strings.Compare(c.Name, name) })
	if !found {
		return nil
	}
	if _, ok := s.Consumers[i].statusAt(nowMs); !ok {
		return nil
	}
	return &s.Consumers[i]
}

// findConsumerARN returns the stream's consumer that arn names, if it is not gone at nowMs:
// the name and the creation second must both match, so the ARN of an earlier consumer of
// the same name names nothing.
func (s *StreamInfo) findConsumerARN(arn string, nowMs int64) *Consumer {
	streamARN, name, sec, ok := kinesis.ParseConsumerARN(arn)
	if !ok || streamARN != s.ARN() {
		return nil
	}
	if c := s.findConsumer(name, nowMs); c != nil && c.createdSec() == sec {
		return c
	}
	return nil
}

// liveConsumers returns the stream's consumers that are not gone at nowMs, with their status
// as of then.
func (s *StreamInfo) liveConsumers(nowMs int64) []Consumer {
	var out []Consumer
	for _, c := range s.Consumers {
		if status, ok := c.statusAt(nowMs); ok {
			c.Status = status
			if status == ConsumerActive {
				c.StatusDueMs = 0
			}
			c.Tags = slices.Clone(c.Tags)
			out = append(out, c)
		}
	}
	return out
}

// settleConsumers brings the recorded statuses up to date at nowMs, before a change of the
// consumers: a CREATING consumer whose time has come is ACTIVE, and a gone consumer leaves
// the entry, with its resource policy, once its creation second has passed (until then it
// stays, so that the name registered again gets another ARN).
func (s *StreamInfo) settleConsumers(nowMs int64) {
	nowSec := nowMs / 1000
	s.Consumers = slices.DeleteFunc(s.Consumers, func(c Consumer) bool {
		_, ok := c.statusAt(nowMs)
		if !ok && c.createdSec() < nowSec {
			delete(s.Policies, s.consumerARN(&c))
			return true
		}
		return false
	})
	if len(s.Policies) == 0 {
		s.Policies = nil
	}
	for i := range s.Consumers {
		if status, _ := s.Consumers[i].statusAt(nowMs); status == ConsumerActive {
			s.Consumers[i].Status, s.Consumers[i].StatusDueMs = ConsumerActive, 0
		}
	}
	if len(s.Consumers) == 0 {
		s.Consumers = nil
	}
}

// deleteConsumers takes every consumer of a stream being deleted to DELETING, ending with
// the stream at dueMs.
func (s *StreamInfo) deleteConsumers(nowMs, dueMs int64) {
	for i := range s.Consumers {
		c := &s.Consumers[i]
		if status, ok := c.statusAt(nowMs); ok && status != ConsumerDeleting {
			c.Status, c.StatusDueMs = ConsumerDeleting, dueMs
		}
	}
}

// validateConsumers checks the consumers of a stream: names valid, unique and sorted, known
// statuses, creation times in range, a time for every status change in progress, and tags
// sorted by key.
func (s *StreamInfo) validateConsumers() error {
	for i := range s.Consumers {
		c := &s.Consumers[i]
		switch {
		case !kinesis.ValidConsumerName(c.Name):
			return fmt.Errorf("consumer name %q is not a valid name", c.Name)
		case i > 0 && s.Consumers[i-1].Name >= c.Name:
			return fmt.Errorf("consumers not sorted by name at %q, %q", s.Consumers[i-1].Name, c.Name)
		case c.CreatedMs <= 0:
			return fmt.Errorf("consumer %q created at %d", c.Name, c.CreatedMs)
		case c.Status != ConsumerCreating && c.Status != ConsumerActive && c.Status != ConsumerDeleting:
			return fmt.Errorf("consumer %q has unknown status %q", c.Name, c.Status)
		case c.Status == ConsumerActive && c.StatusDueMs != 0:
			return fmt.Errorf("consumer %q ACTIVE with a change due at %d", c.Name, c.StatusDueMs)
		case c.Status != ConsumerActive && c.StatusDueMs <= 0:
			return fmt.Errorf("consumer %q %s without the time it ends", c.Name, c.Status)
		}
		for j := 1; j < len(c.Tags); j++ {
			if c.Tags[j-1].Key >= c.Tags[j].Key {
				return fmt.Errorf("consumer %q: tags not sorted by key at %q, %q", c.Name, c.Tags[j-1].Key, c.Tags[j].Key)
			}
		}
	}
	return nil
}

// RegisterStreamConsumer registers a consumer named name to the named stream, with tags,
// and returns it. It is CREATING for Options.RegisterConsumerDelay, then ACTIVE. The stream
// must be ACTIVE (streamNotActive), the name must not be registered already, in any status
// (consumerExists), the stream may have at most kinesis.MaxConsumers consumers, and the
// store at most kinesis.MaxCreatingConsumers CREATING at once (LimitExceededException).
func (s *Store) RegisterStreamConsumer(stream, name string, tags map[string]string) (ConsumerDescription, error) {
	if !kinesis.ValidConsumerName(name) {
		return ConsumerDescription{}, fmt.Errorf("stream: register consumer: name %q is not a valid consumer name", name)
	}
	s.consumersMu.Lock() // the CREATING limit counts every stream's consumers
	defer s.consumersMu.Unlock()
	creating := s.creatingConsumers(stream)
	var out ConsumerDescription
	err := s.change(stream, func(info *StreamInfo) (*StreamInfo, error) {
		now := s.nowMs()
		info.settleConsumers(now)
		c, err := s.newConsumer(info, name, tags, creating, now)
		if err != nil {
			return nil, err
		}
		i, _ := slices.BinarySearchFunc(info.Consumers, name, func(c Consumer, name string) int { return strings.Compare(c.Name, name) })
		if i < len(info.Consumers) && info.Consumers[i].Name == name { // gone, but within its creation second
			delete(info.Policies, info.consumerARN(&info.Consumers[i]))
			if len(info.Policies) == 0 {
				info.Policies = nil
			}
			info.Consumers[i] = c
		} else {
			info.Consumers = slices.Insert(info.Consumers, i, c)
		}
		out = info.describeConsumer(&c, now)
		return info, nil
	}, nil)
	return out, err
}

// newConsumer checks a registration against the stream's state and limits, and returns the
// consumer it makes. creating is the count of CREATING consumers of the other streams.
func (s *Store) newConsumer(info *StreamInfo, name string, tags map[string]string, creating int, nowMs int64) (Consumer, error) {
	if info.Status != StatusActive {
		return Consumer{}, streamNotActive(info.Name, info.Account, info.Status)
	}
	if info.findConsumer(name, nowMs) != nil {
		return Consumer{}, consumerExists(name, info.Name, info.Account)
	}
	live := info.liveConsumers(nowMs)
	if len(live)+info.liveQueues(nowMs) >= kinesis.MaxConsumers { // queues count as consumers
		return Consumer{}, consumerLimitExceeded(info.Name, info.Account)
	}
	for _, c := range live {
		if c.Status == ConsumerCreating {
			creating++
		}
	}
	if creating >= kinesis.MaxCreatingConsumers {
		return Consumer{}, creatingConsumersLimitExceeded(info.Account)
	}
	t, err := addTags(nil, tags, info.Name, info.Account)
	if err != nil {
		return Consumer{}, err
	}
	c := Consumer{Name: name, CreatedMs: nowMs, Status: ConsumerActive, Tags: t}
	if len(c.Tags) == 0 {
		c.Tags = nil
	}
	if i := slices.IndexFunc(info.Consumers, func(old Consumer) bool { return old.Name == name }); i >= 0 {
		// A consumer of that name went within this second: the new one's ARN must differ.
		c.CreatedMs = max(c.CreatedMs, (info.Consumers[i].createdSec()+1)*1000)
	}
	if d := s.opts.RegisterConsumerDelay.Milliseconds(); d > 0 {
		c.Status, c.StatusDueMs = ConsumerCreating, nowMs+d
	}
	return c, nil
}

// creatingConsumers returns the count of consumers CREATING now in every stream but the
// named one. Called with consumersMu held, so that no registration adds one meanwhile.
func (s *Store) creatingConsumers(except string) int {
	now, n := s.nowMs(), 0
	for name, e := range *s.streams.Load() {
		v := e.view.Load()
		if v == nil || name == except {
			continue
		}
		for _, c := range v.info.Consumers {
			if status, _ := c.statusAt(now); status == ConsumerCreating {
				n++
			}
		}
	}
	return n
}

// DescribeStreamConsumer returns the consumer that consumerARN names, or, when it is empty,
// the consumer named name of the named stream. A consumer that is gone, and the ARN of an
// earlier consumer of the same name, are consumerNotFound.
func (s *Store) DescribeStreamConsumer(consumerARN, stream, name string) (ConsumerDescription, error) {
	info, c, err := s.lookupConsumer(consumerARN, stream, name)
	if err != nil {
		return ConsumerDescription{}, err
	}
	return info.describeConsumer(c, s.nowMs()), nil
}

// lookupConsumer returns the stream and the consumer that consumerARN names, or, when it is
// empty, the consumer named name of the named stream.
func (s *Store) lookupConsumer(consumerARN, stream, name string) (*StreamInfo, *Consumer, error) {
	key := name
	if consumerARN != "" {
		var err error
		if stream, err = s.consumerStream(consumerARN); err != nil {
			return nil, nil, err
		}
		key = consumerARN
	}
	_, v, err := s.current(stream)
	if err != nil {
		return nil, nil, err
	}
	if v == nil {
		if consumerARN != "" {
			return nil, nil, consumerNotFound(consumerARN, s.opts.Account)
		}
		return nil, nil, streamNotFound(stream, s.opts.Account)
	}
	now := s.nowMs()
	c := v.info.findConsumer(name, now)
	if consumerARN != "" {
		c = v.info.findConsumerARN(consumerARN, now)
	}
	if c == nil {
		return nil, nil, consumerNotFound(key, v.info.Account)
	}
	return v.info, c, nil
}

// consumerStream returns the name of the stream of this store that a consumer ARN names
// the stream of: one of another partition, region or account, or text that is not a
// consumer ARN, is consumerNotFound.
func (s *Store) consumerStream(consumerARN string) (string, error) {
	streamARN, _, _, ok := kinesis.ParseConsumerARN(consumerARN)
	if ok {
		if name, _ := kinesis.StreamNameFromARN(streamARN); streamARN == s.StreamARN(name) && validStreamName(name) == nil {
			return name, nil
		}
	}
	return "", consumerNotFound(consumerARN, s.opts.Account)
}

// ListConsumersRequest is the input of ListStreamConsumers.
type ListConsumersRequest struct {
	Stream                  string
	NextToken               string    // where an earlier page left off; it goes without StreamCreationTimestamp
	MaxResults              int       // 0 for kinesis.MaxListConsumers; at most that many are returned
	StreamCreationTimestamp time.Time // zero when absent; another time is a stream not found
}

// ListStreamConsumers returns a page of the consumers of a stream, in name order, that are
// not gone, and a NextToken if more follow.
func (s *Store) ListStreamConsumers(req ListConsumersRequest) ([]ConsumerDescription, string, error) {
	var token *pageToken
	if req.NextToken != "" {
		if !req.StreamCreationTimestamp.IsZero() {
			return nil, "", nextTokenWith("StreamCreationTimestamp")
		}
		t, err := s.openToken(req.NextToken, tokenConsumers)
		if err != nil {
			return nil, "", err
		}
		if t.Stream != req.Stream {
			return nil, "", invalidNextToken()
		}
		token = &t
	}
	_, v, err := s.current(req.Stream)
	if err != nil {
		return nil, "", err
	}
	if v == nil || token != nil && token.Incarnation != v.info.Incarnation ||
		!req.StreamCreationTimestamp.IsZero() && req.StreamCreationTimestamp.Unix() != v.info.CreatedMs/1000 {
		return nil, "", streamNotFound(req.Stream, s.opts.Account)
	}
	now := s.nowMs()
	live := v.info.liveConsumers(now)
	if token != nil {
		live = slices.DeleteFunc(live, func(c Consumer) bool { return c.Name <= token.Consumer })
	}
	limit := req.MaxResults
	if limit <= 0 || limit > kinesis.MaxListConsumers {
		limit = kinesis.MaxListConsumers
	}
	var next string
	if len(live) > limit {
		live = live[:limit]
		next = s.sealToken(pageToken{Kind: tokenConsumers, Stream: req.Stream, Incarnation: v.info.Incarnation, Consumer: live[limit-1].Name})
	}
	out := make([]ConsumerDescription, len(live))
	for i := range live {
		out[i] = v.info.describeConsumer(&live[i], now)
	}
	return out, next, nil
}

// DeregisterStreamConsumer deregisters the consumer that consumerARN names, or, when it is
// empty, the consumer named name of the named stream: it is DELETING for
// Options.DeregisterConsumerDelay, then gone, and its ARN names nothing. Its subscriptions
// are told at once (ActiveConsumer). Deregistering a consumer that is DELETING changes
// nothing.
func (s *Store) DeregisterStreamConsumer(consumerARN, stream, name string) error {
	key := name
	if consumerARN != "" {
		var err error
		if stream, err = s.consumerStream(consumerARN); err != nil {
			return err
		}
		key = consumerARN
	}
	err := s.change(stream, func(info *StreamInfo) (*StreamInfo, error) {
		now := s.nowMs()
		info.settleConsumers(now)
		c := info.findConsumer(name, now)
		if consumerARN != "" {
			c = info.findConsumerARN(consumerARN, now)
		}
		switch {
		case c == nil:
			return nil, consumerNotFound(key, info.Account)
		case c.Status == ConsumerDeleting:
			return nil, nil
		}
		c.Status, c.StatusDueMs = ConsumerDeleting, now+max(s.opts.DeregisterConsumerDelay.Milliseconds(), 0)
		return info, nil
	}, s.endSubscriptionsOf(stream))
	if consumerARN != "" && isStreamNotFound(err) { // the stream went meanwhile
		return consumerNotFound(consumerARN, s.opts.Account)
	}
	return err
}

// ActiveConsumer is an ACTIVE consumer, as SubscribeToShard needs it.
type ActiveConsumer struct {
	Stream string // the name of its stream
	Name   string // its name
	ARN    string

	// Ended is closed once the consumer can no longer be subscribed with: it was
	// deregistered, its stream was deleted, or the store closed. A subscription ends then.
	Ended <-chan struct{}
}

// ActiveConsumer returns the ACTIVE consumer that consumerARN names. A consumer that does
// not exist (it is gone, or the ARN is that of an earlier consumer of the same name, or of
// another place) is consumerNotFound (ResourceNotFoundException); one that is CREATING or
// DELETING is consumerNotActive (ResourceInUseException).
func (s *Store) ActiveConsumer(consumerARN string) (ActiveConsumer, error) {
	stream, err := s.consumerStream(consumerARN)
	if err != nil {
		return ActiveConsumer{}, err
	}
	_, _, err = s.current(stream) // the stream's due change first, as for every lookup
	if err != nil {
		return ActiveConsumer{}, err
	}
	e := s.entry(stream)
	if e == nil {
		return ActiveConsumer{}, consumerNotFound(consumerARN, s.opts.Account)
	}
	e.mu.Lock() // so that no deregistration comes between the check and the channel
	defer e.mu.Unlock()
	v := e.view.Load()
	if v == nil || s.closed.Load() {
		return ActiveConsumer{}, consumerNotFound(consumerARN, s.opts.Account)
	}
	now := s.nowMs()
	c := v.info.findConsumerARN(consumerARN, now)
	if c == nil {
		return ActiveConsumer{}, consumerNotFound(consumerARN, v.info.Account)
	}
	if status, _ := c.statusAt(now); status != ConsumerActive {
		return ActiveConsumer{}, consumerNotActive(c.Name, c.createdSec(), v.info.Name, v.info.Account)
	}
	if e.subscribed == nil {
		e.subscribed = map[string]chan struct{}{}
	}
	ch := e.subscribed[consumerARN]
	if ch == nil {
		ch = make(chan struct{})
		e.subscribed[consumerARN] = ch
	}
	return ActiveConsumer{Stream: stream, Name: c.Name, ARN: consumerARN, Ended: ch}, nil
}

// endSubscriptionsOf returns the after function of a change of the named stream that may
// end consumers: it closes the Ended channel of every consumer that is not ACTIVE in the new
// view. It runs under the stream's lock, as ActiveConsumer does.
func (s *Store) endSubscriptionsOf(stream string) func(v *streamView) {
	return func(v *streamView) {
		e := s.entry(stream)
		if e == nil || e.view.Load() != v {
			return
		}
		now := s.nowMs()
		for arn, ch := range e.subscribed {
			c := v.info.findConsumerARN(arn, now)
			if c == nil {
				close(ch)
				delete(e.subscribed, arn)
				continue
			}
			if status, _ := c.statusAt(now); status != ConsumerActive {
				close(ch)
				delete(e.subscribed, arn)
			}
		}
	}
}

// endSubscriptions closes the Ended channel of every consumer of e: its stream is gone, or
// the store closes. Called with e.mu held.
func endSubscriptions(e *streamEntry) {
	for arn, ch := range e.subscribed {
		close(ch)
		delete(e.subscribed, arn)
	}
}

// Tags and resource policies of consumers (TagResource, UntagResource,
// ListTagsForResource, and the resource-policy operations on a consumer ARN).

// tagConsumer applies fn to the tags of the consumer arn names, under its stream's lock. A
// consumer that is gone or DELETING is resourceNotFound, as a stream that is.
func (s *Store) tagConsumer(arn string, fn func(info *StreamInfo, tags []Tag) ([]Tag, error)) error {
	stream, err := s.consumerStream(arn)
	if err != nil || s.entry(stream) == nil {
		return resourceNotFound(arn)
	}
	err = s.change(stream, func(info *StreamInfo) (*StreamInfo, error) {
		now := s.nowMs()
		info.settleConsumers(now)
		c := info.findConsumerARN(arn, now)
		if c == nil || c.Status == ConsumerDeleting {
			return nil, resourceNotFound(arn)
		}
		tags, err := fn(info, c.Tags)
		if err != nil {
			return nil, err
		}
		c.Tags = tags
		if len(c.Tags) == 0 {
			c.Tags = nil
		}
		return info, nil
	}, nil)
	if isStreamNotFound(err) { // the stream went meanwhile
		return resourceNotFound(arn)
	}
	return err
}

// consumerTags returns the tags of the consumer arn names, in key order.
func (s *Store) consumerTags(arn string) ([]Tag, error) {
	_, c, err := s.lookupConsumer(arn, "", "")
	if errors.Is(err, ErrClosed) {
		return nil, err
	}
	if err != nil {
		return nil, resourceNotFound(arn)
	}
	if status, _ := c.statusAt(s.nowMs()); status == ConsumerDeleting {
		return nil, resourceNotFound(arn)
	}
	tags := slices.Clone(c.Tags)
	if tags == nil {
		tags = []Tag{}
	}
	return tags, nil
}

// checkPolicyResource checks, in the entry of the stream that holds it, the resource a
// policy is attached to: a stream ARN needs nothing more; a consumer ARN must name a
// consumer that is not gone (resourceNotFound), and one that is ACTIVE to be given a
// policy (AWS refuses a policy for a consumer that is CREATING).
func checkPolicyResource(info *StreamInfo, arn string, put bool, nowMs int64) error {
	if isQueueARN(arn) {
		return checkQueuePolicyResource(info, arn, put, nowMs)
	}
	if _, _, _, ok := kinesis.ParseConsumerARN(arn); !ok {
		return nil
	}
	c := info.findConsumerARN(arn, nowMs)
	if c == nil {
		return resourceNotFound(arn)
	}
	if status, _ := c.statusAt(nowMs); put && status != ConsumerActive {
		return consumerNotActive(c.Name, c.createdSec(), info.Name, info.Account)
	}
	return nil
}

// isStreamNotFound reports whether err is a ResourceNotFoundException: the answer of change
// for a stream that went.
func isStreamNotFound(err error) bool {
	var ke *kinesis.Error
	return errors.As(err, &ke) && ke.Type == kinesis.TypeResourceNotFound
}
