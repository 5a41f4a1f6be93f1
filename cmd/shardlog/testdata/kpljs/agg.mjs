// agg.mjs runs the awslabs KPL aggregation library for Node (aws-kinesis-agg) for
// kpl_interop_test.go. It reads one JSON request on standard input and writes the answer as
// JSON on standard output:
//
//   {"op": "aggregate", "records": [{"partitionKey", "explicitHashKey"?, "data" (base64)}]}
//     -> [{"partitionKey", "explicitHashKey"?, "data" (base64)}], the aggregated records
//   {"op": "deaggregate", "data" (base64)}
//     -> [{"partitionKey", "explicitHashKey"?, "subSequenceNumber", "data" (base64)}]
import agg from 'aws-kinesis-agg';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const req = JSON.parse(input);

function fail(err) {
  process.stderr.write(`agg.mjs: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
}

if (req.op === 'aggregate') {
  const out = [];
  const records = req.records.map((r) => ({
    partitionKey: r.partitionKey,
    explicitHashKey: r.explicitHashKey,
    data: Buffer.from(r.data, 'base64'),
  }));
  agg.aggregate(records, (encoded, callback) => {
    out.push({
      partitionKey: encoded.partitionKey,
      explicitHashKey: encoded.explicitHashKey,
      data: Buffer.from(encoded.data).toString('base64'),
    });
    callback();
  }, () => {
    process.stdout.write(JSON.stringify(out));
  }, fail);
} else if (req.op === 'deaggregate') {
  const record = { data: req.data, partitionKey: 'outer', sequenceNumber: '1' };
  agg.deaggregateSync(record, true, (err, users) => {
    if (err) fail(err);
    process.stdout.write(JSON.stringify(users.map((u) => ({
      partitionKey: u.partitionKey,
      explicitHashKey: u.explicitPartitionKey,
      subSequenceNumber: u.subSequenceNumber,
      data: u.data,
    }))));
  });
} else {
  fail(`unknown op ${req.op}`);
}
