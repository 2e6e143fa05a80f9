#!/usr/bin/env python3
"""The AWS CLI (unmodified) against wharf-server: a few SNS calls.

Run through run_with_server.py, which sets WHARF_ENDPOINT. Uses Debian's
/usr/bin/aws unless WHARF_AWS_CLI names another. Each `aws` run costs seconds
of start-up, so this covers one fan-out path end to end (create-topic,
subscribe of an SQS queue, publish, receive through `aws sqs`) and one error.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import uuid

ENDPOINT = os.environ["WHARF_ENDPOINT"]
AWS = os.environ.get("WHARF_AWS_CLI") or (
    "/usr/bin/aws" if os.path.exists("/usr/bin/aws") else shutil.which("aws"))
if not AWS:
    print("SKIP: the AWS CLI is not installed (Debian: apt-get install awscli)")
    sys.exit(77)

ACCOUNT = "000000000000"
REGION = "us-east-1"
CONFIG_DIR = tempfile.mkdtemp(prefix="wharf-awscli-sns-")
ENV = dict(os.environ,
           AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="secret",
           AWS_DEFAULT_REGION=REGION, AWS_PAGER="",
           AWS_CONFIG_FILE=os.path.join(CONFIG_DIR, "config"),
           AWS_SHARED_CREDENTIALS_FILE=os.path.join(CONFIG_DIR, "credentials"),
           AWS_MAX_ATTEMPTS="1")


def aws(*args, check=True):
    command = [AWS, "--endpoint-url", ENDPOINT, "--output", "json"] + list(args)
    result = subprocess.run(command, env=ENV, capture_output=True, text=True, timeout=60)
    if check and result.returncode != 0:
        raise AssertionError("aws %s failed (%d): %s" % (args, result.returncode, result.stderr))
    return result


def aws_json(*args):
    out = aws(*args).stdout
    return json.loads(out) if out.strip() else {}


class AwsCliSnsTest(unittest.TestCase):
    def test_publish_reaches_a_subscribed_queue(self):
        name = "cli-" + uuid.uuid4().hex[:10]
        topic = aws_json("sns", "create-topic", "--name", name,
                         "--attributes", "DisplayName=Cli")["TopicArn"]
        self.assertEqual(topic, "arn:aws:sns:%s:%s:%s" % (REGION, ACCOUNT, name))
        url = aws_json("sqs", "create-queue", "--queue-name", name)["QueueUrl"]
        queue_arn = "arn:aws:sqs:%s:%s:%s" % (REGION, ACCOUNT, name)
        subscription = aws_json("sns", "subscribe", "--topic-arn", topic, "--protocol", "sqs",
                                "--notification-endpoint", queue_arn,
                                "--attributes", "RawMessageDelivery=true",
                                "--return-subscription-arn")["SubscriptionArn"]
        self.assertTrue(subscription.startswith(topic + ":"), subscription)
        attributes = {"kind": {"DataType": "String", "StringValue": "cli"}}
        published = aws_json("sns", "publish", "--topic-arn", topic, "--message", "from the cli",
                             "--message-attributes", json.dumps(attributes))
        self.assertIn("MessageId", published)
        got = aws_json("sqs", "receive-message", "--queue-url", url,
                       "--message-attribute-names", "All", "--wait-time-seconds", "1")
        [message] = got["Messages"]
        self.assertEqual(message["Body"], "from the cli")
        self.assertEqual(message["MessageAttributes"], attributes)

    def test_unknown_topic_is_not_found(self):
        missing = "arn:aws:sns:%s:%s:missing-%s" % (REGION, ACCOUNT, uuid.uuid4().hex[:10])
        result = aws("sns", "get-topic-attributes", "--topic-arn", missing, check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("(NotFound)", result.stderr)
        self.assertIn("Topic does not exist", result.stderr)


if __name__ == "__main__":
    try:
        unittest.main(verbosity=2)
    finally:
        shutil.rmtree(CONFIG_DIR, ignore_errors=True)
