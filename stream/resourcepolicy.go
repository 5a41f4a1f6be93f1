package stream

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/shardlog/shardlog/kinesis"
)

// MaxResourcePolicyBytes is the largest resource policy PutResourcePolicy accepts, in
// bytes of its JSON text. AWS documents no limit for Kinesis; 20 KiB is the limit of the
// resource-based policies of other AWS services (DynamoDB, S3 buckets), white space counted.
const MaxResourcePolicyBytes = 20 << 10

// NoResourcePolicy is what GetResourcePolicy answers for a resource without a policy: the
// empty policy document, where AWS's answer was not recorded (KINESIS-API.md §2.9).
const NoResourcePolicy = "{}"

// A resource policy is attached to a stream or to one of its consumers, named by the
// resource's ARN, and kept in the stream's catalog entry (StreamInfo.Policies) under that
// ARN: it is as durable as the stream's other attributes, and goes with the stream when
// the stream is deleted; a consumer's goes with the consumer (settleConsumers). A consumer
// must be ACTIVE to be given a policy, as on AWS.

// PutResourcePolicy attaches policy to the stream (or consumer) arn names, replacing the
// policy it has. The policy must be a JSON object of at most MaxResourcePolicyBytes; its
// text is kept as given.
func (s *Store) PutResourcePolicy(arn, policy string) error {
	if err := checkResourcePolicy(policy); err != nil {
		return err
	}
	return s.changePolicy(arn, true, func(info *StreamInfo) bool {
		if old, ok := info.Policies[arn]; ok && old == policy {
			return false
		}
		if info.Policies == nil {
			info.Policies = map[string]string{}
		}
		info.Policies[arn] = policy
		return true
	})
}

// GetResourcePolicy returns the policy attached to the stream (or consumer) arn names, or
// NoResourcePolicy if it has none.
func (s *Store) GetResourcePolicy(arn string) (string, error) {
	name, err := s.policyStream(arn)
	if err != nil {
		return "", err
	}
	_, v, err := s.current(name)
	if err != nil {
		return "", err
	}
	if v == nil {
		return "", resourceNotFound(arn)
	}
	if err := checkPolicyResource(v.info, arn, false, s.nowMs()); err != nil {
		return "", err
	}
	if policy, ok := v.info.Policies[arn]; ok {
		return policy, nil
	}
	return NoResourcePolicy, nil
}

// DeleteResourcePolicy removes the policy attached to the stream (or consumer) arn names;
// a resource without a policy is left as it is.
func (s *Store) DeleteResourcePolicy(arn string) error {
	return s.changePolicy(arn, false, func(info *StreamInfo) bool {
		if _, ok := info.Policies[arn]; !ok {
			return false
		}
		delete(info.Policies, arn)
		if len(info.Policies) == 0 {
			info.Policies = nil
		}
		return true
	})
}

// changePolicy applies fn to the catalog entry of the stream arn names, and saves the
// entry if fn reports a change. With put, a consumer arn names must be ACTIVE.
func (s *Store) changePolicy(arn string, put bool, fn func(info *StreamInfo) bool) error {
	name, err := s.policyStream(arn)
	if err != nil {
		return err
	}
	err = s.change(name, func(info *StreamInfo) (*StreamInfo, error) {
		if err := checkPolicyResource(info, arn, put, s.nowMs()); err != nil {
			return nil, err
		}
		if !fn(info) {
			return nil, nil
		}
		return info, nil
	}, nil)
	var ke *kinesis.Error
	if errors.As(err, &ke) && ke.Type == kinesis.TypeResourceNotFound { // deleted meanwhile
		return resourceNotFound(arn)
	}
	return err
}

// policyStream returns the name of the stream whose catalog entry holds the policy of the
// resource arn names: a stream of this store (resource), or the stream of a consumer ARN,
// <stream ARN>/consumer/<name>:<created>, whose consumer checkPolicyResource then finds.
func (s *Store) policyStream(arn string) (string, error) {
	if isQueueARN(arn) { // a queue's is in its stream's entry too (queues.go)
		name, _, _, err := s.queueOf(arn, s.nowMs())
		if isQueueNotFound(err) {
			return "", resourceNotFound(arn)
		}
		return name, err
	}
	if isConsumerARN(arn) {
		name, err := s.consumerStream(arn)
		if err != nil || s.entry(name) == nil {
			return "", resourceNotFound(arn)
		}
		return name, nil
	}
	return s.resource(arn)
}

// checkResourcePolicy checks the text of a policy: a JSON object, within the size limit.
func checkResourcePolicy(policy string) error {
	if len(policy) > MaxResourcePolicyBytes {
		return resourcePolicyTooLarge(len(policy))
	}
	if !json.Valid([]byte(policy)) || !strings.HasPrefix(strings.TrimLeft(policy, " \t\r\n"), "{") {
		return resourcePolicyNotJSON()
	}
	return nil
}
