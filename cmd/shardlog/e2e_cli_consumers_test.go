package main

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"
)

// cliConsumer is a consumer as the AWS CLI prints it.
type cliConsumer struct {
	ConsumerName, ConsumerARN, ConsumerStatus string
	ConsumerCreationTimestamp                 string // ISO 8601
	StreamARN                                 string // DescribeStreamConsumer only
}

// TestCLI_Consumers registers, describes, lists and deregisters enhanced fan-out consumers
// with the AWS CLI v2 (whose 2.9.19 has the four commands), by ARN and by stream and name,
// and reads a consumer back after a restart of the server.
func TestCLI_Consumers(t *testing.T) {
	skipShort(t)
	t.Parallel()
	cli := newCLI(t, "")
	dataDir := t.TempDir()
	delays := []string{"--register-consumer-delay", "0", "--deregister-consumer-delay", "0"}
	srv := startServer(t, dataDir, delays...)
	cli.endpoint = srv.Endpoint

	cli.run(nil, "create-stream", "--stream-name", "cli-efo", "--shard-count", "1")
	waitActive(t, newClient(srv.Endpoint), "cli-efo") // the CLI's waiter is TestCLI_ClassicFlow's
	streamARN := "arn:aws:kinesis:us-east-1:000000000000:stream/cli-efo"

	before := time.Now().Add(-time.Second)
	var reg struct{ Consumer cliConsumer }
	cli.run(&reg, "register-stream-consumer", "--stream-arn", streamARN, "--consumer-name", "billing")
	require.Equal(t, "billing", reg.Consumer.ConsumerName)
	require.Equal(t, "ACTIVE", reg.Consumer.ConsumerStatus, "no register delay")
	require.Regexp(t, `^`+streamARN+`/consumer/billing:\d{10}$`, reg.Consumer.ConsumerARN)
	created, err := time.Parse(time.RFC3339Nano, reg.Consumer.ConsumerCreationTimestamp)
	require.NoError(t, err)
	require.False(t, created.Before(before) || created.After(time.Now()), "ConsumerCreationTimestamp %v", created)
	arn := reg.Consumer.ConsumerARN

	var desc struct{ ConsumerDescription cliConsumer }
	cli.run(&desc, "describe-stream-consumer", "--consumer-arn", arn)
	require.Equal(t, cliConsumer{ConsumerName: "billing", ConsumerARN: arn, ConsumerStatus: "ACTIVE",
		ConsumerCreationTimestamp: reg.Consumer.ConsumerCreationTimestamp, StreamARN: streamARN}, desc.ConsumerDescription)
	var byName struct{ ConsumerDescription cliConsumer }
	cli.run(&byName, "describe-stream-consumer", "--stream-arn", streamARN, "--consumer-name", "billing")
	require.Equal(t, desc, byName)

	cli.run(nil, "register-stream-consumer", "--stream-arn", streamARN, "--consumer-name", "audit")
	var list struct{ Consumers []cliConsumer }
	cli.run(&list, "list-stream-consumers", "--stream-arn", streamARN, "--page-size", "1") // two pages, joined by the CLI
	require.Len(t, list.Consumers, 2)
	require.Equal(t, "audit", list.Consumers[0].ConsumerName)
	require.Equal(t, "billing", list.Consumers[1].ConsumerName)

	srv.Stop(t)
	srv = startServer(t, dataDir, delays...)
	cli.endpoint = srv.Endpoint
	// After the restart, and after the deregistrations, the Go SDK reads: the CLI's
	// describe-stream-consumer and list-stream-consumers are shown above.
	kc := newClient(srv.Endpoint)
	after, err := kc.DescribeStreamConsumer(context.Background(), &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(arn)})
	require.NoError(t, err)
	require.Equal(t, types.ConsumerStatusActive, after.ConsumerDescription.ConsumerStatus, "after a restart")

	cli.run(nil, "deregister-stream-consumer", "--consumer-arn", arn)
	cli.run(nil, "deregister-stream-consumer", "--stream-arn", streamARN, "--consumer-name", "audit")
	left, err := kc.ListStreamConsumers(context.Background(), &kinesis.ListStreamConsumersInput{StreamARN: aws.String(streamARN)})
	require.NoError(t, err)
	require.Empty(t, left.Consumers)
	stderr := cli.fail("describe-stream-consumer", "--consumer-arn", arn)
	require.Contains(t, stderr, "An error occurred (ResourceNotFoundException) when calling the DescribeStreamConsumer operation: "+
		"Consumer "+arn+", account 000000000000 not found.")
	stderr = cli.fail("describe-stream-consumer", "--consumer-name", "billing")
	require.Contains(t, stderr, "An error occurred (InvalidArgumentException) when calling the DescribeStreamConsumer operation: "+
		"Either ConsumerARN or both StreamARN and ConsumerName must be provided.")
}
