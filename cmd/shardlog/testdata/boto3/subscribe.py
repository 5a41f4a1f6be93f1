"""subscribe.py drives enhanced fan-out with boto3 (Debian's python3-boto3) for e2e_boto3_test.go.

It registers a consumer on the stream named by SHARDLOG_STREAM at SHARDLOG_ENDPOINT, waits
until the consumer is ACTIVE, puts records before it subscribes, subscribes to
shardId-000000000000 from TRIM_HORIZON with subscribe_to_shard (botocore reads the event
stream over HTTP/1.1), puts more records with put_record and put_records, and reads events
until every record has come. It prints on stdout, as JSON, the consumer, the records as put
and the events as read (data in base64), for the Go test to compare.
"""

import base64
import json
import os
import sys
import time

import boto3
from botocore.config import Config

ENDPOINT = os.environ["SHARDLOG_ENDPOINT"]
STREAM = os.environ["SHARDLOG_STREAM"]
SHARD = "shardId-000000000000"
DEADLINE = time.monotonic() + 40

client = boto3.client(
    "kinesis",
    endpoint_url=ENDPOINT,
    region_name="us-east-1",
    aws_access_key_id="AKIDSHARDLOGTEST",
    aws_secret_access_key="secret",
    config=Config(retries={"max_attempts": 1}),
)


def b64(data):
    return base64.b64encode(data).decode("ascii")


def record_data(i):
    """Bytes that are not UTF-8, so that a record must come back unchanged, not re-encoded."""
    return bytes([0, 255, i]) + "é-{}".format(i).encode("utf-8")


def wait_active(arn):
    while time.monotonic() < DEADLINE:
        desc = client.describe_stream_consumer(ConsumerARN=arn)["ConsumerDescription"]
        if desc["ConsumerStatus"] == "ACTIVE":
            return desc
        time.sleep(0.05)
    sys.exit("consumer %s not ACTIVE in time" % arn)


put = []


def put_one(i):
    out = client.put_record(StreamName=STREAM, PartitionKey="key-%d" % (i % 3), Data=record_data(i))
    put.append({"SequenceNumber": out["SequenceNumber"], "ShardId": out["ShardId"],
                "PartitionKey": "key-%d" % (i % 3), "Data": b64(record_data(i))})


def put_many(first, n):
    entries = [{"PartitionKey": "key-%d" % (i % 3), "Data": record_data(i)} for i in range(first, first + n)]
    out = client.put_records(StreamName=STREAM, Records=entries)
    if out.get("FailedRecordCount"):
        sys.exit("put_records failed: %r" % out)
    for entry, res in zip(entries, out["Records"]):
        put.append({"SequenceNumber": res["SequenceNumber"], "ShardId": res["ShardId"],
                    "PartitionKey": entry["PartitionKey"], "Data": b64(entry["Data"])})


stream_arn = client.describe_stream_summary(StreamName=STREAM)["StreamDescriptionSummary"]["StreamARN"]
registered = client.register_stream_consumer(StreamARN=stream_arn, ConsumerName="boto3")["Consumer"]
consumer = wait_active(registered["ConsumerARN"])

for i in range(3):
    put_one(i)
sub = client.subscribe_to_shard(ConsumerARN=consumer["ConsumerARN"], ShardId=SHARD,
                                StartingPosition={"Type": "TRIM_HORIZON"})
for i in range(3, 6):
    put_one(i)
put_many(6, 4)

events = []
read = 0
for event in sub["EventStream"]:
    e = event["SubscribeToShardEvent"]
    records = [{"SequenceNumber": r["SequenceNumber"], "PartitionKey": r["PartitionKey"], "Data": b64(r["Data"]),
                "ApproximateArrivalTimestamp": r["ApproximateArrivalTimestamp"].timestamp()} for r in e["Records"]]
    events.append({"Records": records, "ContinuationSequenceNumber": e.get("ContinuationSequenceNumber"),
                   "MillisBehindLatest": e.get("MillisBehindLatest")})
    read += len(records)
    if read >= len(put) or time.monotonic() > DEADLINE:
        break
sub["EventStream"].close()

json.dump({
    "Registered": {"ConsumerName": registered["ConsumerName"], "ConsumerARN": registered["ConsumerARN"],
                   "ConsumerStatus": registered["ConsumerStatus"]},
    "Consumer": {"ConsumerName": consumer["ConsumerName"], "ConsumerARN": consumer["ConsumerARN"],
                 "ConsumerStatus": consumer["ConsumerStatus"], "StreamARN": consumer["StreamARN"]},
    "Put": put,
    "Events": events,
}, sys.stdout)
