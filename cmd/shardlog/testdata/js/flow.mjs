// The classic Kinesis flow through the AWS SDK for JavaScript v3 with its default transport
// (HTTP/2 with prior knowledge on an http:// endpoint). Prints one JSON line with what it saw.
import {
  KinesisClient,
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  PutRecordCommand,
  PutRecordsCommand,
  ListShardsCommand,
  GetShardIteratorCommand,
  GetRecordsCommand,
  DeleteStreamCommand,
  ResourceNotFoundException,
} from "@aws-sdk/client-kinesis";

const endpoint = process.env.SHARDLOG_ENDPOINT;
const client = new KinesisClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDSHARDLOGTEST", secretAccessKey: "secret" },
});
const StreamName = "js-flow";
const enc = new TextEncoder();
const dec = new TextDecoder();

await client.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
for (let i = 0; ; i++) {
  const s = await client.send(new DescribeStreamSummaryCommand({ StreamName }));
  if (s.StreamDescriptionSummary.StreamStatus === "ACTIVE") break;
  if (i > 200) throw new Error("stream did not become ACTIVE");
  await new Promise((r) => setTimeout(r, 20));
}
const one = await client.send(new PutRecordCommand({ StreamName, PartitionKey: "k", Data: enc.encode("one") }));
const many = await client.send(new PutRecordsCommand({
  StreamName,
  Records: [{ PartitionKey: "k", Data: enc.encode("two") }, { PartitionKey: "k", Data: enc.encode("three") }],
}));
const shards = await client.send(new ListShardsCommand({ StreamName }));
const it = await client.send(new GetShardIteratorCommand({
  StreamName, ShardId: shards.Shards[0].ShardId, ShardIteratorType: "TRIM_HORIZON",
}));
const got = await client.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
let notFound = "";
try {
  await client.send(new DescribeStreamSummaryCommand({ StreamName: "no-such-stream" }));
} catch (e) {
  notFound = e instanceof ResourceNotFoundException ? e.name + ": " + e.message : "wrong error: " + e;
}
await client.send(new DeleteStreamCommand({ StreamName }));
console.log(JSON.stringify({
  firstSequenceNumber: one.SequenceNumber,
  failed: many.FailedRecordCount,
  shards: shards.Shards.map((s) => s.ShardId),
  records: got.Records.map((r) => ({ seq: r.SequenceNumber, key: r.PartitionKey, data: dec.decode(r.Data) })),
  hasNext: !!got.NextShardIterator,
  notFound,
}));
client.destroy();
