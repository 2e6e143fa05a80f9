#!/usr/bin/env python3
"""The AWS CLI (unmodified) against `wharf-server --clock=manual`: the
dead-letter-queue alarm end to end.

Run through run_with_server.py (with --server-arg=--clock=manual), which sets
WHARF_ENDPOINT. The alarm is created with `aws cloudwatch put-metric-alarm`,
a poison message is moved into the DLQ by receiving it twice, the clock is
advanced over the wire (wharf_clock.py) and the alarm's SNS
notification arrives in a subscribed queue, read with `aws sqs`.

Uses Debian's /usr/bin/aws unless WHARF_AWS_CLI names another; each `aws` run
costs seconds of start-up.
"""

import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import uuid

from wharf_clock import clock

ENDPOINT = os.environ["WHARF_ENDPOINT"]
AWS = os.environ.get("WHARF_AWS_CLI") or (
    "/usr/bin/aws" if os.path.exists("/usr/bin/aws") else shutil.which("aws"))
if not AWS:
    print("SKIP: the AWS CLI is not installed (Debian: apt-get install awscli)")
    sys.exit(77)

ACCOUNT = "000000000000"
REGION = "us-east-1"
CONFIG_DIR = tempfile.mkdtemp(prefix="wharf-awscli-cloudwatch-")
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


def iso(epoch_millis):
    return datetime.datetime.fromtimestamp(epoch_millis / 1000, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


class AwsCliDeadLetterAlarmTest(unittest.TestCase):
    def test_dlq_alarm_notifies_a_subscribed_queue(self):
        suffix = uuid.uuid4().hex[:8]
        dlq_name, work_name, alerts_name = ("dlq-" + suffix, "work-" + suffix,
                                            "alerts-" + suffix)
        aws_json("sqs", "create-queue", "--queue-name", dlq_name)
        dlq_arn = "arn:aws:sqs:%s:%s:%s" % (REGION, ACCOUNT, dlq_name)
        redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "1"})
        work = aws_json("sqs", "create-queue", "--queue-name", work_name, "--attributes",
                        json.dumps({"RedrivePolicy": redrive}))["QueueUrl"]
        alerts = aws_json("sqs", "create-queue", "--queue-name", alerts_name)["QueueUrl"]
        topic = aws_json("sns", "create-topic", "--name", "ops-" + suffix)["TopicArn"]
        aws_json("sns", "subscribe", "--topic-arn", topic, "--protocol", "sqs",
                 "--notification-endpoint",
                 "arn:aws:sqs:%s:%s:%s" % (REGION, ACCOUNT, alerts_name))

        alarm_name = "dlq-not-empty-" + suffix
        aws("cloudwatch", "put-metric-alarm", "--alarm-name", alarm_name,
            "--alarm-description", "Poison messages in " + dlq_name,
            "--metric-name", "ApproximateNumberOfMessagesVisible", "--namespace", "AWS/SQS",
            "--statistic", "Maximum", "--dimensions", "Name=QueueName,Value=" + dlq_name,
            "--period", "60", "--evaluation-periods", "1", "--threshold", "0",
            "--comparison-operator", "GreaterThanThreshold", "--alarm-actions", topic)
        alarms = aws_json("cloudwatch", "describe-alarms", "--alarm-names", alarm_name)
        self.assertEqual(alarms["MetricAlarms"][0]["StateValue"], "INSUFFICIENT_DATA")

        # The poison message: received once, its visibility runs out, the next
        # receive moves it to the DLQ. The manual clock starts on a whole minute.
        start = clock()["epochMillis"]
        self.assertEqual(start % 60000, 0)
        aws("sqs", "send-message", "--queue-url", work, "--message-body", "poison")
        got = aws_json("sqs", "receive-message", "--queue-url", work)
        self.assertEqual(len(got["Messages"]), 1)
        clock(31)
        self.assertEqual(aws_json("sqs", "receive-message", "--queue-url", work), {})

        # The next minute boundary evaluates the alarm.
        now = clock(60)
        self.assertEqual(now["epochMillis"], start + 91000)
        alarm = aws_json("cloudwatch", "describe-alarms",
                         "--alarm-names", alarm_name)["MetricAlarms"][0]
        self.assertEqual(alarm["StateValue"], "ALARM")
        self.assertIn("was greater than the threshold (0.0)", alarm["StateReason"])

        received = aws_json("sqs", "receive-message", "--queue-url", alerts,
                            "--wait-time-seconds", "0")
        self.assertEqual(len(received["Messages"]), 1)
        envelope = json.loads(received["Messages"][0]["Body"])
        self.assertEqual(envelope["Type"], "Notification")
        self.assertEqual(envelope["TopicArn"], topic)
        self.assertEqual(envelope["Subject"],
                         'ALARM: "%s" in US East (N. Virginia)' % alarm_name)
        message = json.loads(envelope["Message"])
        self.assertEqual(message["AlarmName"], alarm_name)
        self.assertEqual(message["NewStateValue"], "ALARM")
        self.assertEqual(message["OldStateValue"], "INSUFFICIENT_DATA")
        self.assertEqual(message["AWSAccountId"], ACCOUNT)
        self.assertEqual(message["AlarmArn"],
                         "arn:aws:cloudwatch:%s:%s:alarm:%s" % (REGION, ACCOUNT, alarm_name))
        trigger = message["Trigger"]
        self.assertEqual(trigger["MetricName"], "ApproximateNumberOfMessagesVisible")
        self.assertEqual(trigger["Namespace"], "AWS/SQS")
        self.assertEqual(trigger["Statistic"], "MAXIMUM")
        self.assertEqual(trigger["Dimensions"], [{"value": dlq_name, "name": "QueueName"}])
        self.assertEqual(trigger["Period"], 60)
        self.assertEqual(trigger["Threshold"], 0.0)

        # The metric itself, and the alarm's history, through the CLI.
        stats = aws_json("cloudwatch", "get-metric-statistics", "--namespace", "AWS/SQS",
                         "--metric-name", "ApproximateNumberOfMessagesVisible",
                         "--dimensions", "Name=QueueName,Value=" + dlq_name,
                         "--start-time", iso(start), "--end-time", iso(start + 60000),
                         "--period", "60", "--statistics", "Maximum", "SampleCount")
        self.assertEqual(len(stats["Datapoints"]), 1)
        self.assertEqual(stats["Datapoints"][0]["Maximum"], 1.0)
        # One datapoint a minute, as SQS publishes its metrics.
        self.assertEqual(stats["Datapoints"][0]["SampleCount"], 1.0)
        history = aws_json("cloudwatch", "describe-alarm-history", "--alarm-name", alarm_name,
                           "--history-item-type", "StateUpdate")
        self.assertEqual([h["HistorySummary"] for h in history["AlarmHistoryItems"]],
                         ["Alarm updated from INSUFFICIENT_DATA to ALARM"])

    def test_errors_come_back_with_cloudwatch_codes(self):
        result = aws("cloudwatch", "put-metric-alarm", "--alarm-name", "bad",
                     "--metric-name", "m", "--namespace", "App", "--statistic", "Sum",
                     "--period", "45", "--evaluation-periods", "1", "--threshold", "1",
                     "--comparison-operator", "GreaterThanThreshold", check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("InvalidParameterValue", result.stderr)
        result = aws("cloudwatch", "delete-alarms", "--alarm-names", "never-created", check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("ResourceNotFound", result.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
