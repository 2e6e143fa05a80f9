#!/usr/bin/env python3
"""GET /metrics of `wharf-server --clock=manual` read by a real Prometheus
parser (Debian's python3-prometheus-client) after known SQS traffic through
Debian's boto3: the text is valid exposition format, every family has its
type and HELP, and the values are exact.

Run through run_with_server.py (with --server-arg=--clock=manual), which sets
WHARF_ENDPOINT.
"""

import os
import sys
import unittest
import urllib.request
import uuid

from wharf_clock import clock

try:
    import boto3
    from prometheus_client.parser import text_string_to_metric_families
except ImportError as e:
    print("SKIP: %s (Debian: apt-get install python3-boto3 python3-prometheus-client)" % e)
    sys.exit(77)

ENDPOINT = os.environ["WHARF_ENDPOINT"]


def scrape():
    with urllib.request.urlopen(ENDPOINT + "/metrics", timeout=30) as response:
        content_type = response.headers["Content-Type"]
        return content_type, response.read().decode("utf-8")


class PrometheusScrapeTest(unittest.TestCase):
    def setUp(self):
        self.sqs = boto3.client("sqs", endpoint_url=ENDPOINT, region_name="us-east-1",
                                aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")

    def test_sqs_traffic_parsed_by_prometheus_client(self):
        suffix = uuid.uuid4().hex[:8]
        work_name, idle_name = "work-" + suffix, "idle-" + suffix
        work = self.sqs.create_queue(QueueName=work_name)["QueueUrl"]
        idle = self.sqs.create_queue(QueueName=idle_name)["QueueUrl"]
        for body in ("a" * 10, "b" * 100, "c" * 2000):
            self.sqs.send_message(QueueUrl=work, MessageBody=body)
        got = self.sqs.receive_message(QueueUrl=work, MaxNumberOfMessages=2)["Messages"]
        self.assertEqual(len(got), 2)
        self.sqs.delete_message(QueueUrl=work, ReceiptHandle=got[0]["ReceiptHandle"])
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=idle))
        clock(20)  # Less than the visibility timeout (30 s).

        content_type, text = scrape()
        self.assertEqual(content_type, "text/plain; version=0.0.4; charset=utf-8")
        families = {f.name: f for f in text_string_to_metric_families(text)}

        def value(family, queue, sample_name=None, **labels):
            f = families[family]
            want = dict(labels, queue=queue)
            for s in f.samples:
                if s.labels == want and (sample_name is None or s.name == sample_name):
                    return s.value
            raise AssertionError("no %s sample with %s in:\n%s" % (family, want, text))

        # The parser drops the _total suffix from a counter family's name.
        for name in ("wharf_sqs_messages_sent", "wharf_sqs_messages_received",
                     "wharf_sqs_messages_deleted", "wharf_sqs_empty_receives"):
            self.assertEqual(families[name].type, "counter", name)
            self.assertTrue(families[name].documentation, name)
        for name in ("wharf_sqs_messages_visible", "wharf_sqs_messages_not_visible",
                     "wharf_sqs_messages_delayed", "wharf_sqs_oldest_message_age_seconds"):
            self.assertEqual(families[name].type, "gauge", name)
        self.assertEqual(families["wharf_sqs_sent_message_size_bytes"].type, "histogram")

        self.assertEqual(value("wharf_sqs_messages_sent", work_name), 3)
        self.assertEqual(value("wharf_sqs_messages_received", work_name), 2)
        self.assertEqual(value("wharf_sqs_messages_deleted", work_name), 1)
        self.assertEqual(value("wharf_sqs_empty_receives", work_name), 0)
        self.assertEqual(value("wharf_sqs_empty_receives", idle_name), 1)
        self.assertEqual(value("wharf_sqs_messages_visible", work_name), 1)
        self.assertEqual(value("wharf_sqs_messages_not_visible", work_name), 1)
        self.assertEqual(value("wharf_sqs_messages_delayed", work_name), 0)
        self.assertEqual(value("wharf_sqs_oldest_message_age_seconds", work_name), 20)

        histogram = "wharf_sqs_sent_message_size_bytes"
        buckets = {float(s.labels["le"]): s.value for s in families[histogram].samples
                   if s.name == histogram + "_bucket" and s.labels["queue"] == work_name}
        self.assertEqual(buckets[64], 1)      # 10 bytes
        self.assertEqual(buckets[256], 2)     # 100 bytes
        self.assertEqual(buckets[1024], 2)
        self.assertEqual(buckets[4096], 3)    # 2000 bytes
        self.assertEqual(buckets[float("inf")], 3)
        self.assertEqual(value(histogram, work_name, histogram + "_count"), 3)
        self.assertEqual(value(histogram, work_name, histogram + "_sum"), 2110)


if __name__ == "__main__":
    unittest.main(verbosity=2)
