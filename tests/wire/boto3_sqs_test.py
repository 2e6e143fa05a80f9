#!/usr/bin/env python3
"""boto3 (unmodified) against wharf-server: happy and error paths of SQS.

Run through run_with_server.py, which sets WHARF_ENDPOINT. Which wire
protocol boto3 speaks depends on its botocore: Debian's (1.29) uses the query
protocol, botocore >= 1.34.9x uses JSON 1.0; the test prints which, and
WHARF_EXPECT_PROTOCOL (query|json) makes it assert it.
"""

import base64
import json
import os
import sys
import threading
import time
import unittest
import urllib.error
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sqs_md5 import md5_of_attributes, md5_of_body  # noqa: E402

try:
    import boto3
    import botocore
    from botocore.config import Config
except ImportError:
    print("SKIP: boto3 is not installed for %s (Debian: apt-get install python3-boto3)"
          % sys.executable)
    sys.exit(77)

ENDPOINT = os.environ["WHARF_ENDPOINT"]


def client():
    return boto3.client(
        "sqs", endpoint_url=ENDPOINT, region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
        config=Config(retries={"max_attempts": 1}, read_timeout=30))


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


def raw_post(body, headers, url=ENDPOINT + "/"):
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class Boto3SqsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sqs = client()
        cls.protocol = cls.sqs.meta.service_model.protocol
        print("boto3 %s / botocore %s speaks the SQS %s protocol"
              % (boto3.__version__, botocore.__version__, cls.protocol), flush=True)

    def new_queue(self, prefix="q", **attributes):
        name = unique(prefix) + (".fifo" if attributes.get("FifoQueue") == "true" else "")
        return self.sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]

    def assertErrorCode(self, context, code, status=400):
        error = context.exception.response["Error"]
        self.assertEqual(error["Code"], code, error)
        self.assertEqual(context.exception.response["ResponseMetadata"]["HTTPStatusCode"], status)

    # ---- protocol ----------------------------------------------------------

    def test_speaks_the_expected_protocol(self):
        expected = os.environ.get("WHARF_EXPECT_PROTOCOL")
        if expected:
            self.assertEqual(self.protocol, expected)

    # ---- queues ------------------------------------------------------------

    def test_queue_urls_point_back_at_the_endpoint(self):
        url = self.new_queue()
        self.assertTrue(url.startswith(ENDPOINT + "/000000000000/"), url)
        name = url.rsplit("/", 1)[1]
        self.assertEqual(self.sqs.get_queue_url(QueueName=name)["QueueUrl"], url)
        self.assertIn(url, self.sqs.list_queues(QueueNamePrefix=name)["QueueUrls"])

    def test_attributes_round_trip(self):
        url = self.new_queue(VisibilityTimeout="60")
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "2"})
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["VisibilityTimeout"], "60")
        self.assertEqual(attrs["DelaySeconds"], "2")
        self.assertEqual(attrs["QueueArn"],
                         "arn:aws:sqs:us-east-1:000000000000:" + url.rsplit("/", 1)[1])
        self.assertEqual(attrs["ApproximateNumberOfMessages"], "0")

    def test_tags_round_trip(self):
        url = self.new_queue()
        self.sqs.tag_queue(QueueUrl=url, Tags={"team": "wire", "env": "test"})
        self.sqs.untag_queue(QueueUrl=url, TagKeys=["env"])
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"], {"team": "wire"})

    def test_permissions_round_trip(self):
        url = self.new_queue()
        arn = "arn:aws:sqs:us-east-1:000000000000:" + url.rsplit("/", 1)[1]
        self.sqs.add_permission(QueueUrl=url, Label="alice", AWSAccountIds=["111122223333"],
                                Actions=["SendMessage", "ReceiveMessage"])
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
        policy = json.loads(attrs["Attributes"]["Policy"])
        # LocalStack test_sqs_permission_lifecycle (AWS-validated).
        self.assertEqual(policy["Version"], "2008-10-17")
        self.assertEqual(policy["Id"], arn + "/SQSDefaultPolicy")
        self.assertEqual(policy["Statement"], [{
            "Sid": "alice", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": ["SQS:SendMessage", "SQS:ReceiveMessage"], "Resource": arn}])
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.sqs.add_permission(QueueUrl=url, Label="alice", AWSAccountIds=["111122223333"],
                                    Actions=["SendMessage"])
        self.assertErrorCode(context, "InvalidParameterValue")
        self.sqs.remove_permission(QueueUrl=url, Label="alice")
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
        self.assertNotIn("Policy", attrs.get("Attributes", {}))
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.sqs.remove_permission(QueueUrl=url, Label="alice")
        self.assertErrorCode(context, "InvalidParameterValue")

    def test_queues_from_the_config_file_exist(self):
        url = self.sqs.get_queue_url(QueueName="preset")["QueueUrl"]
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["VisibilityTimeout"], "45")
        self.assertEqual(json.loads(attrs["RedrivePolicy"])["maxReceiveCount"], 2)
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"], {"team": "wire"})
        dlq = self.sqs.get_queue_url(QueueName="preset-dlq")["QueueUrl"]
        self.assertEqual(self.sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"], [url])
        fifo = self.sqs.get_queue_url(QueueName="preset.fifo")["QueueUrl"]
        attrs = self.sqs.get_queue_attributes(QueueUrl=fifo, AttributeNames=["FifoQueue"])
        self.assertEqual(attrs["Attributes"]["FifoQueue"], "true")

    def test_delete_queue(self):
        url = self.new_queue()
        self.sqs.delete_queue(QueueUrl=url)
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist) as context:
            self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
        self.assertErrorCode(context, "AWS.SimpleQueueService.NonExistentQueue")

    # ---- messages ----------------------------------------------------------

    def test_send_and_receive_with_attributes_and_md5s(self):
        url = self.new_queue()
        attributes = {
            "city": {"DataType": "String", "StringValue": "Z\u00fcrich"},
            "Count": {"DataType": "Number.int", "StringValue": "42"},
            "trace": {"DataType": "Binary", "BinaryValue": b"\xde\xad\xbe\xef\x00"},
        }
        body = "Hello, SQS \u2603 line\r\nnext <&>"
        sent = self.sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=attributes)
        self.assertEqual(sent["MD5OfMessageBody"], md5_of_body(body))
        self.assertEqual(sent["MD5OfMessageAttributes"], md5_of_attributes(attributes))
        got = self.sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"],
                                       AttributeNames=["All"], MaxNumberOfMessages=10)
        [message] = got["Messages"]
        self.assertEqual(message["Body"], body)
        self.assertEqual(message["MessageId"], sent["MessageId"])
        self.assertEqual(message["MD5OfBody"], md5_of_body(body))
        self.assertEqual(message["MessageAttributes"], attributes)
        self.assertEqual(message["MD5OfMessageAttributes"], md5_of_attributes(attributes))
        self.assertEqual(message["Attributes"]["ApproximateReceiveCount"], "1")
        self.assertIn("SentTimestamp", message["Attributes"])
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url))

    def test_system_attribute_md5(self):
        url = self.new_queue()
        trace = {"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-5759e988"}}
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="x",
                                     MessageSystemAttributes=trace)
        self.assertEqual(sent["MD5OfMessageSystemAttributes"], md5_of_attributes(trace))

    def test_xray_header_is_the_trace_header(self):
        # LocalStack test_aws_trace_header_propagation (AWS-validated, both
        # protocols); a MessageSystemAttributes value wins over the header.
        trace = "Root=1-3152b799-8954dae64eda91bc9a23a7e8;Parent=7fa8c0f79203be72;Sampled=1"

        def add_xray_header(request, **_):
            request.headers["X-Amzn-Trace-Id"] = trace

        url = self.new_queue()
        sqs = client()
        sqs.meta.events.register("before-send.sqs.SendMessage", add_xray_header)
        sqs.meta.events.register("before-send.sqs.SendMessageBatch", add_xray_header)
        sqs.send_message(QueueUrl=url, MessageBody="test",
                         MessageAttributes={"timestamp": {"StringValue": "1493147359900",
                                                          "DataType": "Number"}})
        own = {"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-own"}}
        sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "a", "MessageBody": "batched"},
            {"Id": "b", "MessageBody": "own", "MessageSystemAttributes": own}])
        traces = {}
        while len(traces) < 3:
            got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                           AttributeNames=["SentTimestamp", "AWSTraceHeader"],
                                           WaitTimeSeconds=1)
            for message in got.get("Messages", []):
                self.assertEqual(set(message["Attributes"]), {"SentTimestamp", "AWSTraceHeader"})
                traces[message["Body"]] = message["Attributes"]["AWSTraceHeader"]
        self.assertEqual(traces, {"test": trace, "batched": trace, "own": "Root=1-own"})

    def test_batches(self):
        url = self.new_queue()
        entries = [{"Id": "m%d" % i, "MessageBody": "body %d" % i,
                    "MessageAttributes": {"i": {"DataType": "Number", "StringValue": str(i)}}}
                   for i in range(10)]
        sent = self.sqs.send_message_batch(QueueUrl=url, Entries=entries)
        self.assertEqual(sorted(e["Id"] for e in sent["Successful"]),
                         sorted(e["Id"] for e in entries))
        # No "Failed" at all when nothing failed, as AWS answers (LocalStack
        # test_send_message_batch_with_oversized_contents_with_updated_maximum_message_size).
        self.assertNotIn("Failed", sent)
        for entry in sent["Successful"]:
            i = int(entry["Id"][1:])
            self.assertEqual(entry["MD5OfMessageBody"], md5_of_body("body %d" % i))
        received = []
        while len(received) < 10:
            got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                           MessageAttributeNames=["i"])
            received += got.get("Messages", [])
        self.assertEqual(sorted(m["Body"] for m in received),
                         sorted(e["MessageBody"] for e in entries))
        handles = [{"Id": "d%d" % i, "ReceiptHandle": m["ReceiptHandle"]}
                   for i, m in enumerate(received)]
        changed = self.sqs.change_message_visibility_batch(
            QueueUrl=url, Entries=[dict(h, VisibilityTimeout=60) for h in handles[:3]])
        self.assertEqual(len(changed["Successful"]), 3)
        deleted = self.sqs.delete_message_batch(
            QueueUrl=url, Entries=handles[:9] + [{"Id": "bad", "ReceiptHandle": "garbage"}])
        self.assertEqual(len(deleted["Successful"]), 9)
        [failed] = deleted["Failed"]
        self.assertEqual(failed["Id"], "bad")
        self.assertEqual(failed["Code"], "ReceiptHandleIsInvalid")
        self.assertTrue(failed["SenderFault"])
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=handles[9]["ReceiptHandle"])
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["ApproximateNumberOfMessages"], "0")
        self.assertEqual(attrs["ApproximateNumberOfMessagesNotVisible"], "0")

    def test_change_message_visibility_makes_a_message_visible_again(self):
        url = self.new_queue()
        self.sqs.send_message(QueueUrl=url, MessageBody="again")
        [first] = self.sqs.receive_message(QueueUrl=url)["Messages"]
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"],
                                           VisibilityTimeout=0)
        [second] = self.sqs.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"]
        self.assertEqual(second["MessageId"], first["MessageId"])
        self.assertEqual(second["Attributes"]["ApproximateReceiveCount"], "2")

    def test_an_earlier_receipt_handle_changes_the_current_receive(self):
        # LocalStack's AWS-validated test_terminate_visibility_timeout_after_receive.
        url = self.new_queue()
        self.sqs.send_message(QueueUrl=url, MessageBody="test")
        [first] = self.sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"]
        self.assertEqual(
            len(self.sqs.receive_message(QueueUrl=url, VisibilityTimeout=30)["Messages"]), 1)
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"],
                                           VisibilityTimeout=0)
        self.assertEqual(len(self.sqs.receive_message(QueueUrl=url)["Messages"]), 1)

    def test_fifo_groups_are_received_in_the_order_they_became_ready(self):
        # LocalStack's AWS-validated test_fifo_receive_message_group_id_ordering.
        url = self.new_queue("fifo", FifoQueue="true", ContentBasedDeduplication="true")
        for body in ("g1-m1", "g2-m1", "g1-m2", "g1-m3"):
            self.sqs.send_message(QueueUrl=url, MessageBody=body,
                                  MessageGroupId="group-" + body[1])
        got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual([m["Body"] for m in got], ["g1-m1", "g1-m2", "g1-m3", "g2-m1"])

    def test_fifo_a_released_first_message_is_served_before_the_rest_of_its_batch(self):
        # LocalStack's AWS-validated
        # test_fifo_message_group_visibility_after_terminate_visibility_timeout.
        url = self.new_queue("fifo", FifoQueue="true", ContentBasedDeduplication="true")
        for body in ("g1-m1", "g1-m2"):
            self.sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId="group-1")
        got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]
        self.assertEqual([m["Body"] for m in got], ["g1-m1", "g1-m2"])
        self.sqs.send_message(QueueUrl=url, MessageBody="g2-m1", MessageGroupId="group-2")
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"],
                                           VisibilityTimeout=0)
        again = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=3)["Messages"]
        self.assertEqual(sorted(m["Body"] for m in again), ["g1-m1", "g2-m1"])

    def test_fifo_send_returns_sequence_numbers_in_order(self):
        url = self.new_queue("fifo", FifoQueue="true", ContentBasedDeduplication="true")
        first = self.sqs.send_message(QueueUrl=url, MessageBody="a", MessageGroupId="g")
        second = self.sqs.send_message(QueueUrl=url, MessageBody="b", MessageGroupId="g")
        self.assertLess(int(first["SequenceNumber"]), int(second["SequenceNumber"]))
        duplicate = self.sqs.send_message(QueueUrl=url, MessageBody="a", MessageGroupId="g")
        self.assertEqual(duplicate["MessageId"], first["MessageId"])
        got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
        self.assertEqual([m["Body"] for m in got["Messages"]], ["a", "b"])

    # ---- long polling ------------------------------------------------------

    def test_long_poll_on_an_empty_queue_waits_then_returns_nothing(self):
        url = self.new_queue()
        start = time.monotonic()
        got = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)
        self.assertGreaterEqual(time.monotonic() - start, 0.9)
        self.assertNotIn("Messages", got)

    def test_long_poll_returns_as_soon_as_a_message_arrives(self):
        url = self.new_queue()
        result = {}

        def poll():
            result["got"] = client().receive_message(QueueUrl=url, WaitTimeSeconds=20)

        poller = threading.Thread(target=poll)
        start = time.monotonic()
        poller.start()
        self.sqs.send_message(QueueUrl=url, MessageBody="wake up")
        poller.join(timeout=30)
        self.assertLess(time.monotonic() - start, 15)
        self.assertEqual(result["got"]["Messages"][0]["Body"], "wake up")

    # ---- errors ------------------------------------------------------------

    def test_unknown_queue_name(self):
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist) as context:
            self.sqs.get_queue_url(QueueName=unique("missing"))
        self.assertErrorCode(context, "AWS.SimpleQueueService.NonExistentQueue")

    def test_queue_exists_with_other_attributes(self):
        url = self.new_queue(VisibilityTimeout="10")
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.sqs.create_queue(QueueName=url.rsplit("/", 1)[1],
                                  Attributes={"VisibilityTimeout": "20"})
        self.assertErrorCode(context, "QueueAlreadyExists")

    def test_invalid_parameter_value(self):
        url = self.new_queue()
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=11)
        self.assertErrorCode(context, "InvalidParameterValue")
        self.assertIn("MaxNumberOfMessages", context.exception.response["Error"]["Message"])

    def test_too_many_batch_entries(self):
        url = self.new_queue()
        entries = [{"Id": str(i), "MessageBody": "x"} for i in range(11)]
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.sqs.send_message_batch(QueueUrl=url, Entries=entries)
        self.assertErrorCode(context, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest")

    def test_batch_ids_not_distinct(self):
        url = self.new_queue()
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": "same", "MessageBody": "x"}, {"Id": "same", "MessageBody": "y"}])
        self.assertErrorCode(context, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct")

    def test_second_purge_is_refused_with_403(self):
        url = self.new_queue()
        self.sqs.purge_queue(QueueUrl=url)
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.sqs.purge_queue(QueueUrl=url)
        self.assertErrorCode(context, "AWS.SimpleQueueService.PurgeQueueInProgress", 403)

    def test_invalid_receipt_handle(self):
        # Code and message: LocalStack test_delete_message_with_illegal_receipt_handle
        # (AWS-validated); 404 on both protocols: the SQS Smithy model.
        url = self.new_queue()
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle="garbage")
        self.assertErrorCode(context, "ReceiptHandleIsInvalid", 404)
        self.assertEqual(context.exception.response["Error"]["Message"],
                         'The input receipt handle "garbage" is not a valid receipt handle.')
        with self.assertRaises(self.sqs.exceptions.ReceiptHandleIsInvalid) as context:
            self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle="INVALID",
                                               VisibilityTimeout=60)
        self.assertErrorCode(context, "ReceiptHandleIsInvalid", 404)

    # ---- malformed requests (raw HTTP, not through boto3) ------------------

    def test_unknown_query_action(self):
        status, _, body = raw_post(b"Action=Teleport&Version=2012-11-05",
                                   {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 400)
        self.assertIn(b"<Code>InvalidAction</Code>", body)

    def test_account_actions_at_a_queue_url_are_invalid(self):
        # LocalStack test_get_create_queue_fails / test_get_list_queues_fails
        # (AWS-validated).
        url = self.new_queue()
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        for action in ("CreateQueue", "ListQueues"):
            status, _, body = raw_post(
                b"Action=%s&QueueName=other&Version=2012-11-05" % action.encode(), form, url)
            self.assertEqual(status, 400, body)
            self.assertIn(b"<Code>InvalidAction</Code>", body)
            self.assertIn(b"<Message>The action %s is not valid for this endpoint"
                          % action.encode(), body)
        status, _, body = raw_post(b"Action=GetQueueAttributes&AttributeName.1=QueueArn"
                                   b"&Version=2012-11-05", form, url)
        self.assertEqual(status, 200, body)

    def test_unknown_json_target(self):
        status, headers, body = raw_post(b"{}", {"Content-Type": "application/x-amz-json-1.0",
                                                 "X-Amz-Target": "AmazonSQS.Teleport"})
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(body)["__type"], "com.amazonaws.sqs#UnknownOperationException")

    def test_malformed_json(self):
        status, _, body = raw_post(b"{\"QueueName\": ", {
            "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.GetQueueUrl"})
        self.assertEqual(status, 400)
        self.assertIn("SerializationException", json.loads(body)["__type"])

    def test_oversized_body(self):
        status, _, body = raw_post(b"x" * (9 << 20), {
            "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.SendMessage"})
        self.assertEqual(status, 413)
        self.assertIn(b"RequestEntityTooLarge", body)

    def test_binary_attribute_base64_on_the_wire(self):
        url = self.new_queue()
        self.sqs.send_message(QueueUrl=url, MessageBody="b", MessageAttributes={
            "blob": {"DataType": "Binary.gif", "BinaryValue": bytes(range(256))}})
        [message] = self.sqs.receive_message(QueueUrl=url,
                                             MessageAttributeNames=["blob"])["Messages"]
        self.assertEqual(message["MessageAttributes"]["blob"]["BinaryValue"], bytes(range(256)))
        self.assertEqual(base64.b64encode(bytes(range(4))), b"AAECAw==")


if __name__ == "__main__":
    # Clients of old botocore cannot be closed; their sockets close at exit.
    unittest.main(verbosity=2, warnings="ignore")
