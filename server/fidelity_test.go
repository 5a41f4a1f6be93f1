package server_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/stream"
)

// The fidelity tests pin answers where shardlog once differed from AWS (issue 11, item 2).

// TestFidelity_TagControlCharacters: a tag key or value with a control character (\p{Cc})
// is refused by every operation that takes tags, although tab and newline are white space.
func TestFidelity_TagControlCharacters(t *testing.T) {
	ctx := context.Background()
	client, _ := mustServeStream(t, stream.Options{})
	_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1),
		Tags: map[string]string{"ok key": "ok value"}})
	require.NoError(t, err)
	arn := "arn:aws:kinesis:us-east-1:000000000000:stream/s"
	const msg = "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @."
	for _, bad := range []string{"a\tb", "a\nb", "a\rb", "\x00", "a\x1fb", "a\x7fb", "a\u0085b", "a\u009fb"} {
		calls := map[string]func() error{
			"CreateStream key": func() error {
				_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("t"), ShardCount: aws.Int32(1),
					Tags: map[string]string{bad: "v"}})
				return err
			},
			"CreateStream value": func() error {
				_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("t"), ShardCount: aws.Int32(1),
					Tags: map[string]string{"k": bad}})
				return err
			},
			"AddTagsToStream key": func() error {
				_, err := client.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("s"), Tags: map[string]string{bad: "v"}})
				return err
			},
			"AddTagsToStream value": func() error {
				_, err := client.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("s"), Tags: map[string]string{"k": bad}})
				return err
			},
			"RemoveTagsFromStream": func() error {
				_, err := client.RemoveTagsFromStream(ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String("s"), TagKeys: []string{bad}})
				return err
			},
			"TagResource key": func() error {
				_, err := client.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: aws.String(arn), Tags: map[string]string{bad: "v"}})
				return err
			},
			"TagResource value": func() error {
				_, err := client.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: aws.String(arn), Tags: map[string]string{"k": bad}})
				return err
			},
			"UntagResource": func() error {
				_, err := client.UntagResource(ctx, &kinesis.UntagResourceInput{ResourceARN: aws.String(arn), TagKeys: []string{bad}})
				return err
			},
		}
		for name, call := range calls {
			t.Run(name+"/"+fmtQuoted(bad), func(t *testing.T) {
				err := call()
				require.ErrorAs(t, err, new(*types.InvalidArgumentException))
				requireSDKError(t, err, "InvalidArgumentException", msg)
			})
		}
	}
	_, err = client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("t")})
	require.ErrorAs(t, err, new(*types.ResourceNotFoundException), "a refused CreateStream creates nothing")
	tags, err := client.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("s")})
	require.NoError(t, err)
	require.Len(t, tags.Tags, 1, "a refused tag change changes nothing")
	require.Equal(t, "ok key", aws.ToString(tags.Tags[0].Key), "white space other than control characters is allowed")
}

// fmtQuoted names a test case after a string with control characters.
func fmtQuoted(s string) string { return strconv.QuoteToASCII(s) }
