// SubscribeToShard through the AWS SDK for JavaScript v3 on its default transport (HTTP/2
// with prior knowledge on an http:// endpoint), against a server whose Backend pushes a
// scripted stream (server/subscribe_jssdk_test.go). Prints one JSON line with what it saw:
// every event, and the exception that ended the stream.
import { KinesisClient, SubscribeToShardCommand } from "@aws-sdk/client-kinesis";

const client = new KinesisClient({
  endpoint: process.env.SHARDLOG_ENDPOINT,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDSHARDLOGTEST", secretAccessKey: "secret" },
});
const dec = new TextDecoder();

const res = await client.send(new SubscribeToShardCommand({
  ConsumerARN: process.env.SHARDLOG_CONSUMER_ARN,
  ShardId: "shardId-000000000001",
  StartingPosition: { Type: "LATEST" },
}));
const events = [];
let error = "";
try {
  for await (const ev of res.EventStream) {
    if (!ev.SubscribeToShardEvent) {
      events.push({ unknown: Object.keys(ev).join(",") });
      continue;
    }
    const e = ev.SubscribeToShardEvent;
    events.push({
      Continuation: e.ContinuationSequenceNumber,
      Millis: e.MillisBehindLatest,
      Records: e.Records.map((r) => ({
        Seq: r.SequenceNumber, Key: r.PartitionKey, Data: dec.decode(r.Data),
        ArrivalMs: r.ApproximateArrivalTimestamp.getTime(),
      })),
      Children: (e.ChildShards || []).map((c) => c.ShardId),
    });
  }
} catch (e) {
  error = e.name + ": " + e.message;
}
console.log(JSON.stringify({ events, error }));
