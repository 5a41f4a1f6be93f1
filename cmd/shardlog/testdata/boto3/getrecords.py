"""getrecords.py reads a whole shard with one get_records call through boto3 (Debian's
python3-boto3, HTTP/1.1) for e2e_streamed_getrecords_test.go.

It reads shardId-000000000000 of the stream named by SHARDLOG_STREAM at SHARDLOG_ENDPOINT
from TRIM_HORIZON with a single get_records, and prints on stdout, as JSON, how many records
the answer had, the SHA-256 of their data one after another, their partition keys, and
whether it had a NextShardIterator.
"""

import hashlib
import json
import os

import boto3
from botocore.config import Config

client = boto3.client(
    "kinesis",
    endpoint_url=os.environ["SHARDLOG_ENDPOINT"],
    region_name="us-east-1",
    aws_access_key_id="AKIDSHARDLOGTEST",
    aws_secret_access_key="secret",
    config=Config(retries={"max_attempts": 1}),
)
it = client.get_shard_iterator(
    StreamName=os.environ["SHARDLOG_STREAM"],
    ShardId="shardId-000000000000",
    ShardIteratorType="TRIM_HORIZON",
)["ShardIterator"]
got = client.get_records(ShardIterator=it)
digest = hashlib.sha256()
for r in got["Records"]:
    digest.update(r["Data"])
print(json.dumps({
    "records": len(got["Records"]),
    "sha256": digest.hexdigest(),
    "keys": sorted({r["PartitionKey"] for r in got["Records"]}),
    "hasNext": bool(got.get("NextShardIterator")),
}))
