// Reads a whole shard with one GetRecords call through the AWS SDK for JavaScript v3, on its
// default transport (HTTP/2 with prior knowledge) or, with SHARDLOG_HTTP1=1, on
// NodeHttpHandler (HTTP/1.1), for e2e_streamed_getrecords_test.go. Prints one JSON line:
// how many records the answer had, the SHA-256 of their data one after another, their
// partition keys, and whether it had a NextShardIterator.
import { createHash } from "node:crypto";
import { KinesisClient, GetShardIteratorCommand, GetRecordsCommand } from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";

const client = new KinesisClient({
  endpoint: process.env.SHARDLOG_ENDPOINT,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDSHARDLOGTEST", secretAccessKey: "secret" },
  maxAttempts: 1,
  ...(process.env.SHARDLOG_HTTP1 === "1" ? { requestHandler: new NodeHttpHandler() } : {}),
});
const it = await client.send(new GetShardIteratorCommand({
  StreamName: process.env.SHARDLOG_STREAM, ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON",
}));
const got = await client.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
const digest = createHash("sha256");
for (const r of got.Records) digest.update(r.Data);
console.log(JSON.stringify({
  records: got.Records.length,
  sha256: digest.digest("hex"),
  keys: [...new Set(got.Records.map((r) => r.PartitionKey))].sort(),
  hasNext: !!got.NextShardIterator,
}));
client.destroy();
