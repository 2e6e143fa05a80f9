#!/usr/bin/env python3
"""The AWS CLI (unmodified) against wharf-server.

Run through run_with_server.py, which sets WHARF_ENDPOINT. Uses Debian's
/usr/bin/aws (awscli 2.9, SQS query protocol) unless WHARF_AWS_CLI names
another; prints which protocol it spoke, and WHARF_EXPECT_PROTOCOL
(query|json) makes it assert it.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sqs_md5 import md5_of_attributes, md5_of_body  # noqa: E402

ENDPOINT = os.environ["WHARF_ENDPOINT"]
AWS = os.environ.get("WHARF_AWS_CLI") or (
    "/usr/bin/aws" if os.path.exists("/usr/bin/aws") else shutil.which("aws"))
if not AWS:
    print("SKIP: the AWS CLI is not installed (Debian: apt-get install awscli)")
    sys.exit(77)

CONFIG_DIR = tempfile.mkdtemp(prefix="wharf-awscli-")
ENV = dict(os.environ,
           AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="secret",
           AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="",
           AWS_CONFIG_FILE=os.path.join(CONFIG_DIR, "config"),
           AWS_SHARED_CREDENTIALS_FILE=os.path.join(CONFIG_DIR, "credentials"),
           AWS_MAX_ATTEMPTS="1")


def aws(*args, check=True, debug=False):
    command = [AWS, "--endpoint-url", ENDPOINT, "--output", "json"]
    if debug:
        command.append("--debug")
    result = subprocess.run(command + ["sqs"] + list(args), env=ENV, capture_output=True,
                            text=True, timeout=60)
    if check and result.returncode != 0:
        raise AssertionError("aws %s failed (%d): %s" % (args, result.returncode, result.stderr))
    return result


def aws_json(*args):
    out = aws(*args).stdout
    return json.loads(out) if out.strip() else {}


class AwsCliSqsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        version = subprocess.run([AWS, "--version"], capture_output=True, text=True, env=ENV)
        debug = aws("list-queues", debug=True).stderr
        cls.protocol = "json" if "X-Amz-Target" in debug or "x-amz-target" in debug else "query"
        print("%s (%s) speaks the SQS %s protocol"
              % (AWS, (version.stdout or version.stderr).strip(), cls.protocol), flush=True)

    def test_speaks_the_expected_protocol(self):
        expected = os.environ.get("WHARF_EXPECT_PROTOCOL")
        if expected:
            self.assertEqual(self.protocol, expected)

    def test_queue_lifecycle_and_messages(self):
        name = "cli-" + uuid.uuid4().hex[:10]
        url = aws_json("create-queue", "--queue-name", name,
                       "--attributes", "VisibilityTimeout=40")["QueueUrl"]
        self.assertEqual(url, "%s/000000000000/%s" % (ENDPOINT, name))
        self.assertIn(url, aws_json("list-queues", "--queue-name-prefix", name)["QueueUrls"])
        attributes = {"kind": {"DataType": "String", "StringValue": "cli"},
                      "n": {"DataType": "Number", "StringValue": "7"}}
        sent = aws_json("send-message", "--queue-url", url, "--message-body", "from the cli",
                        "--message-attributes", json.dumps(attributes))
        self.assertEqual(sent["MD5OfMessageBody"], md5_of_body("from the cli"))
        self.assertEqual(sent["MD5OfMessageAttributes"], md5_of_attributes(attributes))
        got = aws_json("receive-message", "--queue-url", url, "--message-attribute-names", "All",
                       "--wait-time-seconds", "1")
        [message] = got["Messages"]
        self.assertEqual(message["Body"], "from the cli")
        self.assertEqual(message["MessageAttributes"], attributes)
        aws("delete-message", "--queue-url", url, "--receipt-handle", message["ReceiptHandle"])
        attrs = aws_json("get-queue-attributes", "--queue-url", url, "--attribute-names", "All")
        self.assertEqual(attrs["Attributes"]["VisibilityTimeout"], "40")
        self.assertEqual(attrs["Attributes"]["ApproximateNumberOfMessagesNotVisible"], "0")
        aws("delete-queue", "--queue-url", url)

    def test_batch_send(self):
        url = aws_json("create-queue", "--queue-name", "cli-" + uuid.uuid4().hex[:10])["QueueUrl"]
        entries = [{"Id": "e%d" % i, "MessageBody": "m%d" % i} for i in range(10)]
        sent = aws_json("send-message-batch", "--queue-url", url, "--entries", json.dumps(entries))
        self.assertEqual(len(sent["Successful"]), 10)

    def test_unknown_queue_is_an_error(self):
        result = aws("get-queue-url", "--queue-name", "missing-" + uuid.uuid4().hex, check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("AWS.SimpleQueueService.NonExistentQueue", result.stderr)

    def test_invalid_parameter_is_an_error(self):
        url = aws_json("create-queue", "--queue-name", "cli-" + uuid.uuid4().hex[:10])["QueueUrl"]
        result = aws("receive-message", "--queue-url", url, "--max-number-of-messages", "11",
                     check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("InvalidParameterValue", result.stderr)


if __name__ == "__main__":
    try:
        unittest.main(verbosity=2)
    finally:
        shutil.rmtree(CONFIG_DIR, ignore_errors=True)
