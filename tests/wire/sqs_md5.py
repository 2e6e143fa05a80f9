"""MD5 digests SQS returns and SDKs verify (spec/sqs.md section 6), computed
independently of wharf for the client tests."""

import hashlib
import struct


def md5_of_body(body):
    return hashlib.md5(body.encode("utf-8")).hexdigest()


def md5_of_attributes(attributes):
    """attributes: {name: {"DataType": .., "StringValue"|"BinaryValue": ..}}."""
    buf = b""
    for name in sorted(attributes, key=lambda n: n.encode("utf-8")):
        value = attributes[name]
        for part in (name, value["DataType"]):
            data = part.encode("utf-8")
            buf += struct.pack(">I", len(data)) + data
        if "StringValue" in value:
            data = value["StringValue"].encode("utf-8")
            buf += b"\x01" + struct.pack(">I", len(data)) + data
        else:
            data = value["BinaryValue"]
            buf += b"\x02" + struct.pack(">I", len(data)) + data
    return hashlib.md5(buf).hexdigest()
