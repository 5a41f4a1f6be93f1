// Enhanced fan-out end to end through the AWS SDK for JavaScript v3 with its default
// transport (HTTP/2 with prior knowledge on an http:// endpoint), against a server on a
// real store (server/streambackend's TestSubscribeToShard_JSSDK_Store): register a consumer
// and wait until it is ACTIVE, subscribe to the stream's one shard, put records, split the
// shard, and follow ChildShards into both children. Prints one JSON line with what it saw.
import {
  KinesisClient,
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  RegisterStreamConsumerCommand,
  DescribeStreamConsumerCommand,
  PutRecordsCommand,
  SplitShardCommand,
  SubscribeToShardCommand,
} from "@aws-sdk/client-kinesis";

const newClient = () => new KinesisClient({
  endpoint: process.env.SHARDLOG_ENDPOINT,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDSHARDLOGTEST", secretAccessKey: "secret" },
});
const client = newClient();
const StreamName = "js-fanout";
const enc = new TextEncoder();
const dec = new TextDecoder();

async function until(what, ok) {
  for (let i = 0; i < 500; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(what + " did not happen in 5 s");
}

await client.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
await until("stream ACTIVE", async () =>
  (await client.send(new DescribeStreamSummaryCommand({ StreamName }))).StreamDescriptionSummary.StreamStatus === "ACTIVE");
const StreamARN = (await client.send(new DescribeStreamSummaryCommand({ StreamName }))).StreamDescriptionSummary.StreamARN;
const { Consumer } = await client.send(new RegisterStreamConsumerCommand({ StreamARN, ConsumerName: "js" }));
await until("consumer ACTIVE", async () =>
  (await client.send(new DescribeStreamConsumerCommand({ ConsumerARN: Consumer.ConsumerARN }))).ConsumerDescription.ConsumerStatus === "ACTIVE");

// put writes the records named, each under its own partition key, and returns the sequence
// numbers by shard.
async function put(names) {
  const out = await client.send(new PutRecordsCommand({
    StreamName, Records: names.map((n) => ({ PartitionKey: n, Data: enc.encode(n) })),
  }));
  if (out.FailedRecordCount) throw new Error("PutRecords failed " + out.FailedRecordCount);
  const seqs = {};
  out.Records.forEach((r) => (seqs[r.ShardId] ||= []).push(r.SequenceNumber));
  return seqs;
}

// subscribe subscribes to a shard from TRIM_HORIZON (a client of its own) and returns its
// event iterator.
async function subscribe(ShardId) {
  const res = await newClient().send(new SubscribeToShardCommand({
    ConsumerARN: Consumer.ConsumerARN, ShardId, StartingPosition: { Type: "TRIM_HORIZON" },
  }));
  return res.EventStream[Symbol.asyncIterator]();
}

// read reads events until want records have come, or, with want null, until the stream ends.
async function read(events, want) {
  const got = { Records: [], Continuations: [], Children: [], Ended: false };
  while (want === null || got.Records.length < want) {
    const { value, done } = await events.next();
    if (done) { got.Ended = true; break; }
    const e = value.SubscribeToShardEvent;
    got.Continuations.push(e.ContinuationSequenceNumber);
    for (const r of e.Records) got.Records.push({ Seq: r.SequenceNumber, Data: dec.decode(r.Data) });
    for (const c of e.ChildShards || []) got.Children.push({ ShardId: c.ShardId, Parents: c.ParentShards });
  }
  return got;
}

const parent = await subscribe("shardId-000000000000");
const before = await put(["a", "b", "c"]);
const parentRecords = await read(parent, 3);
await client.send(new SplitShardCommand({
  StreamName, ShardToSplit: "shardId-000000000000", NewStartingHashKey: "170141183460469231731687303715884105728",
}));
const after = await put(["d", "e", "f", "g", "h", "i"]);
const parentEnd = await read(parent, null);
const children = {};
for (const c of parentEnd.Children) {
  const want = (after[c.ShardId] || []).length;
  children[c.ShardId] = await read(await subscribe(c.ShardId), want);
}
console.log(JSON.stringify({ before, after, parent: parentRecords, parentEnd, children }));
process.exit(0);
