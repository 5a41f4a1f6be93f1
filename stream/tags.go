package stream

import (
	"slices"
	"strings"
	"unicode"

	"github.com/shardlog/shardlog/kinesis"
)

// MaxListTags is the tags one ListTagsForStream returns at most (and by default).
const MaxListTags = kinesis.MaxTags

// AddTagsToStream adds tags to the named stream, replacing the values of keys it has. A
// stream that is CREATING or DELETING is not found, as in kinesalite; a key or value with a
// character outside Unicode letters, digits, white space and _ . : / = + - @, or with a
// control character, is refused, and
// so is a stream that would have more than MaxTags tags.
func (s *Store) AddTagsToStream(name string, tags map[string]string) error {
	return s.change(name, func(info *StreamInfo) (*StreamInfo, error) {
		if err := checkTaggable(info); err != nil {
			return nil, err
		}
		merged, err := addTags(info.Tags, tags, name, info.Account)
		if err != nil {
			return nil, err
		}
		info.Tags = merged
		return info, nil
	}, nil)
}

// RemoveTagsFromStream removes the tags with the given keys from the named stream; keys it
// does not have are ignored. A stream that is CREATING or DELETING is not found.
func (s *Store) RemoveTagsFromStream(name string, keys []string) error {
	return s.change(name, func(info *StreamInfo) (*StreamInfo, error) {
		if err := checkTaggable(info); err != nil {
			return nil, err
		}
		if err := checkTagKeys(keys, name, info.Account); err != nil {
			return nil, err
		}
		info.Tags = slices.DeleteFunc(info.Tags, func(t Tag) bool { return slices.Contains(keys, t.Key) })
		return info, nil
	}, nil)
}

// ListTagsForStream returns the named stream's tags in key order: up to limit of them
// (MaxListTags when 0 or more), after exclusiveStartTagKey if it is set, and whether more
// follow.
func (s *Store) ListTagsForStream(name, exclusiveStartTagKey string, limit int) ([]Tag, bool, error) {
	_, v, err := s.current(name)
	if err != nil {
		return nil, false, err
	}
	if v == nil {
		return nil, false, streamNotFound(name, s.opts.Account)
	}
	tags := v.info.Tags
	if exclusiveStartTagKey != "" {
		i, _ := slices.BinarySearchFunc(tags, exclusiveStartTagKey, func(t Tag, key string) int {
			if t.Key <= key {
				return -1
			}
			return 1
		})
		tags = tags[i:]
	}
	if limit <= 0 || limit > MaxListTags {
		limit = MaxListTags
	}
	more := len(tags) > limit
	return slices.Clone(tags[:min(limit, len(tags))]), more, nil
}

// TagResource adds tags to the stream, consumer or queue a ResourceARN names; see AddTagsToStream.
// A consumer that is DELETING or gone is resourceNotFound.
func (s *Store) TagResource(arn string, tags map[string]string) error {
	if isQueueARN(arn) {
		return s.tagQueue(arn, func(info *StreamInfo, old []Tag) ([]Tag, error) {
			return addTags(old, tags, info.Name, info.Account)
		})
	}
	if isConsumerARN(arn) {
		return s.tagConsumer(arn, func(info *StreamInfo, old []Tag) ([]Tag, error) {
			return addTags(old, tags, info.Name, info.Account)
		})
	}
	name, err := s.resource(arn)
	if err != nil {
		return err
	}
	return s.AddTagsToStream(name, tags)
}

// UntagResource removes tags from the stream, consumer or queue a ResourceARN names; see
// RemoveTagsFromStream.
func (s *Store) UntagResource(arn string, keys []string) error {
	if isQueueARN(arn) {
		return s.tagQueue(arn, func(info *StreamInfo, old []Tag) ([]Tag, error) {
			if err := checkTagKeys(keys, info.Name, info.Account); err != nil {
				return nil, err
			}
			return slices.DeleteFunc(old, func(t Tag) bool { return slices.Contains(keys, t.Key) }), nil
		})
	}
	if isConsumerARN(arn) {
		return s.tagConsumer(arn, func(info *StreamInfo, old []Tag) ([]Tag, error) {
			if err := checkTagKeys(keys, info.Name, info.Account); err != nil {
				return nil, err
			}
			return slices.DeleteFunc(old, func(t Tag) bool { return slices.Contains(keys, t.Key) }), nil
		})
	}
	name, err := s.resource(arn)
	if err != nil {
		return err
	}
	return s.RemoveTagsFromStream(name, keys)
}

// ListTagsForResource returns every tag of the stream, consumer or queue a ResourceARN names, in
// key order.
func (s *Store) ListTagsForResource(arn string) ([]Tag, error) {
	if isQueueARN(arn) {
		return s.queueTags(arn)
	}
	if isConsumerARN(arn) {
		return s.consumerTags(arn)
	}
	name, err := s.resource(arn)
	if err != nil {
		return nil, err
	}
	tags, _, err := s.ListTagsForStream(name, "", MaxListTags)
	return tags, err
}

// resource returns the name of the stream an ARN names, if it is a stream of this store:
// arn:aws:kinesis:<region>:<account>:stream/<name>. Consumer ARNs are isConsumerARN's.
func (s *Store) resource(arn string) (string, error) {
	name, ok := strings.CutPrefix(arn, kinesis.StreamARN(s.opts.Region, s.opts.Account, ""))
	if !ok || validStreamName(name) != nil {
		return "", resourceNotFound(arn)
	}
	if e := s.entry(name); e == nil || e.view.Load() == nil {
		return "", resourceNotFound(arn)
	}
	return name, nil
}

// checkTaggable refuses tag changes to a stream that is CREATING or DELETING, which
// kinesalite (tested against AWS) answers as a stream that does not exist.
func checkTaggable(info *StreamInfo) error {
	if info.Status == StatusCreating || info.Status == StatusDeleting {
		return streamNotFound(info.Name, info.Account)
	}
	return nil
}

// addTags returns tags with add merged in, sorted by key, after checking the characters of
// add's keys and values and the count of the result.
func addTags(tags []Tag, add map[string]string, stream, account string) ([]Tag, error) {
	for k, v := range add {
		if !validTagText(k) || !validTagText(v) {
			return nil, invalidTagCharacters()
		}
	}
	for k, v := range add {
		if strings.Contains(k, "%") || strings.Contains(v, "%") {
			return nil, illegalTagPercent(stream, account)
		}
	}
	out := slices.Clone(tags)
	for k, v := range add {
		i, found := slices.BinarySearchFunc(out, k, func(t Tag, key string) int { return strings.Compare(t.Key, key) })
		if found {
			out[i].Value = v
		} else {
			out = slices.Insert(out, i, Tag{Key: k, Value: v})
		}
	}
	if len(out) > kinesis.MaxTags {
		return nil, tooManyTags(stream, account)
	}
	if out == nil {
		out = []Tag{}
	}
	return out, nil
}

// checkTagKeys checks the characters of the keys given to RemoveTagsFromStream.
func checkTagKeys(keys []string, stream, account string) error {
	for _, k := range keys {
		if !validTagText(k) {
			return invalidTagCharacters()
		}
	}
	for _, k := range keys {
		if strings.Contains(k, "%") {
			return illegalRemoveTagPercent(stream, account)
		}
	}
	return nil
}

// validTagText reports whether a tag key or value has only the characters Kinesis allows:
// Unicode letters, digits and white space, and _ . : / = + - @ (kinesalite's check, with
// ':' that AWS added since). '%' passes here, to get its own error after. White space that
// is a control character (tab, newline, U+0085: \p{Cc}) is refused, as AWS refuses it.
func validTagText(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Cc, r) {
			return false
		}
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsSpace(r) && !strings.ContainsRune("_.:/=+-@%", r) {
			return false
		}
	}
	return true
}

// isConsumerARN reports whether a ResourceARN has the form of a consumer ARN,
// <stream ARN>/consumer/<name>:<creation second>, rather than a stream's.
func isConsumerARN(arn string) bool {
	_, _, _, ok := kinesis.ParseConsumerARN(arn)
	return ok
}
