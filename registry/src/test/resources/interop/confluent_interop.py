#!/usr/bin/python3
"""Confluent's own Python Avro client against Lethe's registry, driven by ConfluentPythonInteropIT.

consume: read N values with confluent_kafka.avro.AvroConsumer and print each decoded value as one JSON line
         (timestamp-millis as epoch millis, bytes as base64), so the Java side can compare field by field.
produce: read JSON values (one per line, timestamp-millis fields as epoch millis) from a file and send them
         with confluent_kafka.avro.AvroProducer using the given schema file (registered under <topic>-value).
"""
import argparse
import base64
import datetime
import json
import sys
import time

from confluent_kafka import KafkaError
from confluent_kafka.avro import AvroConsumer, AvroProducer, loads

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def plain(value):
    """Decoded Avro value -> JSON-compatible value."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        delta = value - EPOCH
        return (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def timestamp_fields(schema_json):
    """Names of top-level fields whose (non-null) type is long/timestamp-millis."""
    names = set()
    for field in schema_json.get("fields", []):
        types = field["type"] if isinstance(field["type"], list) else [field["type"]]
        for t in types:
            if isinstance(t, dict) and t.get("logicalType") == "timestamp-millis":
                names.add(field["name"])
    return names


def bytes_back(value):
    if isinstance(value, dict) and set(value) == {"$bytes"}:
        return base64.b64decode(value["$bytes"])
    return value


def consume(args):
    consumer = AvroConsumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": args.group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "schema.registry.url": args.registry,
    })
    consumer.subscribe([args.topic])
    seen = 0
    deadline = time.time() + args.timeout
    try:
        while seen < args.count and time.time() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                continue
            if message.error():
                if message.error().code() == KafkaError._PARTITION_EOF:
                    continue
                print("kafka error: %s" % message.error(), file=sys.stderr)
                return 3
            print(json.dumps({"offset": message.offset(), "value": plain(message.value())}, sort_keys=True))
            sys.stdout.flush()
            seen += 1
    finally:
        consumer.close()
    if seen < args.count:
        print("only %d of %d records arrived within %ss" % (seen, args.count, args.timeout), file=sys.stderr)
        return 4
    return 0


def produce(args):
    with open(args.schema_file) as f:
        schema_text = f.read()
    schema = loads(schema_text)
    stamps = timestamp_fields(json.loads(schema_text))
    producer = AvroProducer({
        "bootstrap.servers": args.bootstrap,
        "schema.registry.url": args.registry,
        "enable.idempotence": True,
        "acks": "all",
    }, default_value_schema=schema)
    errors = []

    def delivered(err, _msg):
        if err is not None:
            errors.append(str(err))

    sent = 0
    with open(args.values_file) as f:
        for line in f:
            if not line.strip():
                continue
            value = {k: bytes_back(v) for k, v in json.loads(line).items()}
            for name in stamps:
                if isinstance(value.get(name), int):
                    value[name] = EPOCH + datetime.timedelta(milliseconds=value[name])
            producer.produce(topic=args.topic, value=value, on_delivery=delivered)
            sent += 1
    remaining = producer.flush(args.timeout)
    if remaining or errors:
        print("delivery failed: %d undelivered, errors %s" % (remaining, errors), file=sys.stderr)
        return 5
    print(json.dumps({"sent": sent}))
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["consume", "produce"])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--registry", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", default="python-interop")
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--schema-file")
    parser.add_argument("--values-file")
    args = parser.parse_args()
    return consume(args) if args.mode == "consume" else produce(args)


if __name__ == "__main__":
    sys.exit(main())
