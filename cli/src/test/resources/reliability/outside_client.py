#!/usr/bin/python3
"""An outside Kafka client of Lethe, driven by OutsideClientsIT: Confluent's Python client (Debian's
python3-confluent-kafka) with plain Producer/Consumer objects for the plain UTF-8 string keys and Confluent's
MessageSerializer (schema registry wire format) for the Avro values only.

produce: send the lines of --values-file ({"key": ..., "value": {...}}, timestamp-millis fields as epoch millis)
         to --topic, the value schema (--schema-file, registered through the registry under <topic>-value).
consume: read --topic from the beginning to its end (read_committed) and print one JSON line per record:
         {"partition", "offset", "key", "value"} with timestamp-millis as epoch millis and bytes as base64.
"""
import argparse
import base64
import datetime
import json
import sys
import time
import uuid

from confluent_kafka import Consumer, KafkaError, Producer
from confluent_kafka.avro import CachedSchemaRegistryClient, loads
from confluent_kafka.avro.serializer.message_serializer import MessageSerializer

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def plain(value):
    """Decoded Avro value -> JSON-compatible value."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        delta = value - EPOCH
        return (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def timestamp_fields(schema_json):
    names = set()
    for field in schema_json.get("fields", []):
        types = field["type"] if isinstance(field["type"], list) else [field["type"]]
        for t in types:
            if isinstance(t, dict) and t.get("logicalType") == "timestamp-millis":
                names.add(field["name"])
    return names


def produce(args, serializer):
    with open(args.schema_file) as f:
        schema_text = f.read()
    schema = loads(schema_text)
    stamps = timestamp_fields(json.loads(schema_text))
    producer = Producer({"bootstrap.servers": args.bootstrap, "enable.idempotence": True, "acks": "all"})
    errors = []

    def delivered(err, _msg):
        if err is not None:
            errors.append(str(err))

    sent = 0
    with open(args.values_file) as f:
        for line in f:
            if not line.strip():
                continue
            record = json.loads(line)
            value = dict(record["value"])
            for name in stamps:
                if isinstance(value.get(name), int):
                    value[name] = EPOCH + datetime.timedelta(milliseconds=value[name])
            payload = serializer.encode_record_with_schema(args.topic, schema, value, is_key=False)
            producer.produce(args.topic, key=record["key"].encode("utf-8"), value=payload, on_delivery=delivered)
            sent += 1
    remaining = producer.flush(args.timeout)
    if remaining or errors:
        print("delivery failed: %d undelivered, errors %s" % (remaining, errors), file=sys.stderr)
        return 5
    print(json.dumps({"sent": sent}))
    return 0


def consume(args, serializer):
    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": "lethe-outside-client-" + uuid.uuid4().hex,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "enable.partition.eof": True,
        "isolation.level": "read_committed",
    })
    partitions = consumer.list_topics(args.topic, timeout=args.timeout).topics[args.topic].partitions
    at_end = set()
    consumer.subscribe([args.topic])
    deadline = time.time() + args.timeout
    try:
        while len(at_end) < len(partitions) and time.time() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                continue
            if message.error():
                if message.error().code() == KafkaError._PARTITION_EOF:
                    at_end.add(message.partition())
                    continue
                print("kafka error: %s" % message.error(), file=sys.stderr)
                return 3
            at_end.discard(message.partition())
            key = message.key().decode("utf-8") if message.key() is not None else None
            value = serializer.decode_message(message.value(), is_key=False)
            print(json.dumps({"partition": message.partition(), "offset": message.offset(), "key": key,
                              "value": plain(value)}, sort_keys=True))
    finally:
        consumer.close()
    if len(at_end) < len(partitions):
        print("did not reach the end of %s within %ss" % (args.topic, args.timeout), file=sys.stderr)
        return 4
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["consume", "produce"])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--registry", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--schema-file")
    parser.add_argument("--values-file")
    args = parser.parse_args()
    serializer = MessageSerializer(CachedSchemaRegistryClient({"url": args.registry}))
    return consume(args, serializer) if args.mode == "consume" else produce(args, serializer)


if __name__ == "__main__":
    sys.exit(main())
