#!/usr/bin/env python3
"""The AWS CLI (unmodified) against wharf-server: a few EventBridge calls.

Run through run_with_server.py, which sets WHARF_ENDPOINT. Uses Debian's
/usr/bin/aws (awscli 2.9) unless WHARF_AWS_CLI names another. Each `aws` run
costs seconds of start-up, so this covers only what the CLI adds over the SDK
tests: its JSON 1.1 requests for a rule with a target, PutEvents, a delivery
read back with `aws sqs`, and an error's exit status and message.
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

CONFIG_DIR = tempfile.mkdtemp(prefix="wharf-awscli-")
ENV = dict(os.environ,
           AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="secret",
           AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="",
           AWS_CONFIG_FILE=os.path.join(CONFIG_DIR, "config"),
           AWS_SHARED_CREDENTIALS_FILE=os.path.join(CONFIG_DIR, "credentials"),
           AWS_MAX_ATTEMPTS="1")


def aws(service, *args, check=True):
    command = [AWS, "--endpoint-url", ENDPOINT, "--output", "json", service] + list(args)
    result = subprocess.run(command, env=ENV, capture_output=True, text=True, timeout=60)
    if check and result.returncode != 0:
        raise AssertionError("aws %s %s failed (%d): %s"
                             % (service, args, result.returncode, result.stderr))
    return result


def aws_json(service, *args):
    out = aws(service, *args).stdout
    return json.loads(out) if out.strip() else {}


class AwsCliEventsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        version = subprocess.run([AWS, "--version"], capture_output=True, text=True, env=ENV)
        print("%s (%s)" % (AWS, (version.stdout or version.stderr).strip()), flush=True)

    def test_rule_target_and_put_events_deliver_to_a_queue(self):
        name = "cli-" + uuid.uuid4().hex[:10]
        url = aws_json("sqs", "create-queue", "--queue-name", name)["QueueUrl"]
        arn = "arn:aws:sqs:us-east-1:000000000000:" + name
        aws_json("events", "put-rule", "--name", name,
                 "--event-pattern", json.dumps({"source": ["cli"]}))
        put = aws_json("events", "put-targets", "--rule", name,
                       "--targets", json.dumps([{"Id": "q", "Arn": arn}]))
        self.assertEqual(put["FailedEntryCount"], 0)
        result = aws_json("events", "put-events", "--entries", json.dumps([
            {"Source": "cli", "DetailType": "FromCli", "Detail": json.dumps({"n": 1})}]))
        self.assertEqual(result["FailedEntryCount"], 0)
        got = aws_json("sqs", "receive-message", "--queue-url", url, "--wait-time-seconds", "5")
        [message] = got["Messages"]
        envelope = json.loads(message["Body"])
        self.assertEqual(envelope["id"], result["Entries"][0]["EventId"])
        self.assertEqual(envelope["detail-type"], "FromCli")
        self.assertEqual(envelope["detail"], {"n": 1})

    def test_unknown_rule_exits_with_the_aws_error(self):
        result = aws("events", "describe-rule", "--name", "no-such-rule", check=False)
        self.assertEqual(result.returncode, 254, result.stderr)
        self.assertIn("(ResourceNotFoundException)", result.stderr)
        self.assertIn("Rule no-such-rule does not exist on EventBus default.", result.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2, warnings="ignore")
