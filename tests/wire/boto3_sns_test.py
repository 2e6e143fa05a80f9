#!/usr/bin/env python3
"""boto3 (unmodified) against wharf-server: SNS over the query protocol.

Run through run_with_server.py, which sets WHARF_ENDPOINT. Covers topic CRUD,
tags, subscriptions of SQS queues (and of an email address, which stays
pending confirmation and receives nothing), Publish and PublishBatch with
deliveries read back through the boto3 SQS client (the JSON envelope; raw
delivery with message attributes, whose MD5 botocore checks), filter policies,
FIFO topic to FIFO queue, the topic of wharf-test.conf, and errors by the exact
code and HTTP status the SDK surfaces.
"""

import base64
import json
import os
import re
import sys
import time
import unittest
import uuid

try:
    import boto3
    import botocore
    from botocore.config import Config
except ImportError:
    print("SKIP: boto3 is not installed for %s (Debian: apt-get install python3-boto3)"
          % sys.executable)
    sys.exit(77)

ENDPOINT = os.environ["WHARF_ENDPOINT"]
ACCOUNT = "000000000000"
REGION = "us-east-1"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def client(service, validate=True):
    return boto3.client(
        service, endpoint_url=ENDPOINT, region_name=REGION,
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
        config=Config(retries={"max_attempts": 1}, read_timeout=30,
                      parameter_validation=validate))


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


class Boto3SnsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sns = client("sns")
        cls.sqs = client("sqs")
        # Sends what botocore would refuse (missing required members).
        cls.raw_sns = client("sns", validate=False)
        print("boto3 %s / botocore %s speaks the SNS %s protocol"
              % (boto3.__version__, botocore.__version__,
                 cls.sns.meta.service_model.protocol), flush=True)

    # ---- helpers -----------------------------------------------------------

    def new_topic(self, fifo=False, **attributes):
        name = unique("topic") + (".fifo" if fifo else "")
        if fifo:
            attributes["FifoTopic"] = "true"
        return self.sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]

    def new_queue(self, fifo=False):
        name = unique("sns") + (".fifo" if fifo else "")
        attributes = {"FifoQueue": "true"} if fifo else {}
        url = self.sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    def subscribe_queue(self, topic, queue_arn, **attributes):
        return self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                                  Attributes=attributes,
                                  ReturnSubscriptionArn=True)["SubscriptionArn"]

    def receive(self, url, count=1, **kwargs):
        """`count` messages, long polling for them; then checks none follow."""
        messages = []
        deadline = time.monotonic() + 10
        while len(messages) < count and time.monotonic() < deadline:
            got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                           WaitTimeSeconds=1, **kwargs)
            for message in got.get("Messages", []):
                messages.append(message)
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        self.assertEqual(len(messages), count, messages)
        return messages

    def assertQueueEmpty(self, url):
        got = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)
        self.assertEqual(got.get("Messages", []), [])

    def assertErrorCode(self, context, code, status=400):
        error = context.exception.response["Error"]
        self.assertEqual(error["Code"], code, error)
        # AWS's SNS errors hold no <Detail/> (SQS's do), so botocore gives
        # just these (LocalStack's AWS-recorded test_sns snapshots).
        self.assertEqual(sorted(error), ["Code", "Message", "Type"], error)
        self.assertEqual(context.exception.response["ResponseMetadata"]["HTTPStatusCode"], status)

    # ---- topics ------------------------------------------------------------

    def test_topic_crud(self):
        name = unique("crud")
        topic = self.sns.create_topic(Name=name, Attributes={"DisplayName": "Crud"},
                                      Tags=[{"Key": "team", "Value": "wire"}])["TopicArn"]
        self.assertEqual(topic, "arn:aws:sns:%s:%s:%s" % (REGION, ACCOUNT, name))
        # Idempotent for the same attributes and tags.
        self.assertEqual(self.sns.create_topic(Name=name, Attributes={"DisplayName": "Crud"},
                                               Tags=[{"Key": "team", "Value": "wire"}])["TopicArn"],
                         topic)
        self.sns.set_topic_attributes(TopicArn=topic, AttributeName="DisplayName",
                                      AttributeValue="Renamed")
        attributes = self.sns.get_topic_attributes(TopicArn=topic)["Attributes"]
        self.assertEqual(attributes["DisplayName"], "Renamed")
        self.assertEqual(attributes["TopicArn"], topic)
        self.assertEqual(attributes["Owner"], ACCOUNT)
        paginator = self.sns.get_paginator("list_topics")
        arns = [t["TopicArn"] for page in paginator.paginate() for t in page["Topics"]]
        self.assertIn(topic, arns)
        self.sns.delete_topic(TopicArn=topic)
        with self.assertRaises(self.sns.exceptions.NotFoundException) as context:
            self.sns.get_topic_attributes(TopicArn=topic)
        self.assertErrorCode(context, "NotFound", 404)

    def test_list_topics_pages_by_100_with_next_token(self):
        prefix = unique("page")
        for i in range(101):
            self.sns.create_topic(Name="%s-%03d" % (prefix, i))
        first = self.sns.list_topics()
        self.assertEqual(len(first["Topics"]), 100)
        self.assertIn("NextToken", first)
        # AWS's tokens are base64 (LocalStack test_list_subscriptions_by_topic_pagination).
        base64.b64decode(first["NextToken"], validate=True)
        arns = set()
        for page in self.sns.get_paginator("list_topics").paginate():
            arns.update(t["TopicArn"] for t in page["Topics"])
        ours = [a for a in arns if a.rsplit(":", 1)[1].startswith(prefix)]
        self.assertEqual(len(ours), 101)

    def test_tags_round_trip(self):
        topic = self.new_topic()
        self.sns.tag_resource(ResourceArn=topic, Tags=[{"Key": "a", "Value": "1"},
                                                       {"Key": "b", "Value": "2"}])
        self.sns.untag_resource(ResourceArn=topic, TagKeys=["a"])
        self.assertEqual(self.sns.list_tags_for_resource(ResourceArn=topic)["Tags"],
                         [{"Key": "b", "Value": "2"}])

    def test_permissions_round_trip(self):
        topic = self.new_topic()
        self.sns.add_permission(TopicArn=topic, Label="alice",
                                AWSAccountId=["111122223333", "444455556666"],
                                ActionName=["Publish"])
        policy = json.loads(self.sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
        self.assertEqual(policy["Statement"][-1], {
            "Sid": "alice", "Effect": "Allow",
            "Principal": {"AWS": ["arn:aws:iam::111122223333:root",
                                  "arn:aws:iam::444455556666:root"]},
            "Action": "SNS:Publish", "Resource": topic})
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.sns.add_permission(TopicArn=topic, Label="alice", AWSAccountId=["111122223333"],
                                    ActionName=["Subscribe"])
        self.assertErrorCode(context, "InvalidParameter")
        self.sns.remove_permission(TopicArn=topic, Label="alice")
        policy = json.loads(self.sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
        self.assertNotIn("alice", [s.get("Sid") for s in policy["Statement"]])
        # An unknown label is not an error.
        self.sns.remove_permission(TopicArn=topic, Label="alice")

    def test_data_protection_policy_round_trip(self):
        # LocalStack test_data_protection_policy_crud (AWS-validated): an empty
        # answer to the put, the document back, the topic attributes unchanged.
        topic = self.new_topic()
        before = self.sns.get_topic_attributes(TopicArn=topic)["Attributes"]
        policy = json.dumps({
            "Name": "data_protection_policy", "Description": "Test Policy",
            "Version": "2021-06-01",
            "Statement": [{"Sid": "test-statement", "DataDirection": "Inbound",
                           "Principal": ["*"],
                           "DataIdentifier": ["arn:aws:dataprotection:%s::data-identifier/"
                                              "EmailAddress" % REGION],
                           "Operation": {"Deny": {}}}]})
        put = self.sns.put_data_protection_policy(ResourceArn=topic, DataProtectionPolicy=policy)
        self.assertEqual(set(put), {"ResponseMetadata"})
        got = self.sns.get_data_protection_policy(ResourceArn=topic)
        self.assertEqual(got["DataProtectionPolicy"], policy)
        self.assertEqual(self.sns.get_topic_attributes(TopicArn=topic)["Attributes"], before)
        # Terraform deletes a policy by putting an empty one.
        self.sns.put_data_protection_policy(ResourceArn=topic, DataProtectionPolicy="")
        self.assertEqual(self.sns.get_data_protection_policy(ResourceArn=topic)
                         .get("DataProtectionPolicy", ""), "")
        with self.assertRaises(self.sns.exceptions.NotFoundException) as context:
            self.sns.get_data_protection_policy(ResourceArn=topic + "-missing")
        self.assertErrorCode(context, "NotFound", 404)
        with self.assertRaises(self.sns.exceptions.InvalidParameterException) as context:
            self.sns.put_data_protection_policy(ResourceArn=topic, DataProtectionPolicy="{")
        self.assertErrorCode(context, "InvalidParameter")

    def test_topic_from_the_config_file_delivers_raw(self):
        topic = "arn:aws:sns:%s:%s:preset-topic" % (REGION, ACCOUNT)
        self.assertEqual(self.sns.get_topic_attributes(TopicArn=topic)["Attributes"]
                         ["DisplayName"], "Preset")
        self.assertEqual(self.sns.list_tags_for_resource(ResourceArn=topic)["Tags"],
                         [{"Key": "team", "Value": "wire"}])
        [subscription] = self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        self.assertEqual(subscription["Endpoint"],
                         "arn:aws:sqs:%s:%s:preset-sns" % (REGION, ACCOUNT))
        self.sns.publish(TopicArn=topic, Message="from the preset topic")
        url = self.sqs.get_queue_url(QueueName="preset-sns")["QueueUrl"]
        [message] = self.receive(url)
        self.assertEqual(message["Body"], "from the preset topic")

    # ---- subscriptions -----------------------------------------------------

    def test_subscription_lifecycle(self):
        topic = self.new_topic()
        _, queue_arn = self.new_queue()
        arn = self.subscribe_queue(topic, queue_arn)
        self.assertTrue(arn.startswith(topic + ":"), arn)
        attributes = self.sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
        self.assertEqual(attributes["Protocol"], "sqs")
        self.assertEqual(attributes["Endpoint"], queue_arn)
        self.assertEqual(attributes["TopicArn"], topic)
        self.assertEqual(attributes["PendingConfirmation"], "false")
        self.assertEqual(attributes["RawMessageDelivery"], "false")
        self.assertEqual(attributes["SubscriptionPrincipal"],
                         "arn:aws:iam::%s:root" % ACCOUNT)
        self.sns.set_subscription_attributes(SubscriptionArn=arn,
                                             AttributeName="RawMessageDelivery",
                                             AttributeValue="true")
        attributes = self.sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
        self.assertEqual(attributes["RawMessageDelivery"], "true")
        [listed] = self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        self.assertEqual(listed, {"SubscriptionArn": arn, "Owner": ACCOUNT, "Protocol": "sqs",
                                  "Endpoint": queue_arn, "TopicArn": topic})
        everything = [s["SubscriptionArn"]
                      for page in self.sns.get_paginator("list_subscriptions").paginate()
                      for s in page["Subscriptions"]]
        self.assertIn(arn, everything)
        self.sns.unsubscribe(SubscriptionArn=arn)
        self.assertEqual(self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"],
                         [])
        with self.assertRaises(self.sns.exceptions.NotFoundException) as context:
            self.sns.get_subscription_attributes(SubscriptionArn=arn)
        self.assertErrorCode(context, "NotFound", 404)

    def test_subscribe_again_compares_only_the_attributes_given(self):
        # LocalStack test_subscribe_idempotency (AWS-validated).
        topic = self.new_topic()
        _, queue_arn = self.new_queue()
        arn = self.subscribe_queue(topic, queue_arn, RawMessageDelivery="True")
        self.assertEqual(self.subscribe_queue(topic, queue_arn, RawMessageDelivery="true"), arn)
        self.assertEqual(self.subscribe_queue(topic, queue_arn), arn)
        self.assertEqual(self.subscribe_queue(topic, queue_arn,
                                              FilterPolicyScope="MessageAttributes"), arn)
        with self.assertRaises(self.sns.exceptions.InvalidParameterException) as context:
            self.subscribe_queue(topic, queue_arn, RawMessageDelivery="false",
                                 FilterPolicyScope="MessageBody")
        self.assertEqual(context.exception.response["Error"]["Message"],
                         "Invalid parameter: Attributes Reason: Subscription already exists "
                         "with different attributes")

    def test_unsubscribe_errors(self):
        # LocalStack test_unsubscribe_wrong_arn_format (AWS-validated).
        for arn, message in [
                ("randomstring", "Invalid parameter: SubscriptionArn Reason: An ARN must have "
                                 "at least 6 elements, not 1"),
                ("arn:aws:sns:us-east-1:random", "Invalid parameter: SubscriptionArn Reason: "
                                                 "An ARN must have at least 6 elements, not 5"),
                ("arn:aws:sns:us-east-1:111111111111:random",
                 "Invalid parameter: SubscriptionId")]:
            with self.assertRaises(self.sns.exceptions.InvalidParameterException) as context:
                self.sns.unsubscribe(SubscriptionArn=arn)
            self.assertEqual(context.exception.response["Error"]["Message"], message)
        with self.assertRaises(self.sns.exceptions.InvalidParameterException) as context:
            self.raw_sns.unsubscribe()
        self.assertErrorCode(context, "InvalidParameter")
        self.assertEqual(context.exception.response["Error"]["Message"],
                         "Invalid parameter: SubscriptionArn Reason: no value for required "
                         "parameter")

    def test_email_subscription_stays_pending_and_receives_nothing(self):
        topic = self.new_topic()
        url, queue_arn = self.new_queue()
        self.subscribe_queue(topic, queue_arn)
        pending = self.sns.subscribe(TopicArn=topic, Protocol="email",
                                     Endpoint="ops@example.com")
        self.assertEqual(pending["SubscriptionArn"], "pending confirmation")
        arn = self.sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@example.com",
                                 ReturnSubscriptionArn=True)["SubscriptionArn"]
        self.assertTrue(arn.startswith(topic + ":"), arn)
        attributes = self.sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
        self.assertEqual(attributes["PendingConfirmation"], "true")
        listed = self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        self.assertIn({"SubscriptionArn": "PendingConfirmation", "Owner": ACCOUNT,
                       "Protocol": "email", "Endpoint": "ops@example.com", "TopicArn": topic},
                      listed)
        counts = self.sns.get_topic_attributes(TopicArn=topic)["Attributes"]
        self.assertEqual((counts["SubscriptionsConfirmed"], counts["SubscriptionsPending"]),
                         ("1", "1"))
        self.sns.publish(TopicArn=topic, Message="hello")
        self.assertEqual(len(self.receive(url)), 1)
        self.sns.unsubscribe(SubscriptionArn=arn)
        counts = self.sns.get_topic_attributes(TopicArn=topic)["Attributes"]
        self.assertEqual(counts["SubscriptionsPending"], "0")
        with self.assertRaises(self.sns.exceptions.InvalidParameterException) as context:
            self.sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="not-an-address")
        self.assertErrorCode(context, "InvalidParameter")
        self.assertEqual(context.exception.response["Error"]["Message"],
                         "Invalid parameter: Email address")

    # ---- publishing --------------------------------------------------------

    def test_publish_delivers_the_json_envelope(self):
        topic = self.new_topic()
        url, queue_arn = self.new_queue()
        subscription = self.subscribe_queue(topic, queue_arn)
        published = self.sns.publish(
            TopicArn=topic, Message="hello <sns> & co", Subject="Greeting",
            MessageAttributes={"kind": {"DataType": "String", "StringValue": "greeting"},
                               "n": {"DataType": "Number", "StringValue": "99.12"},
                               "blob": {"DataType": "Binary", "BinaryValue": b"\x02\x03\x04"}})
        [message] = self.receive(url, MessageAttributeNames=["All"])
        self.assertNotIn("MessageAttributes", message)
        envelope = json.loads(message["Body"])
        self.assertEqual(list(envelope), ["Type", "MessageId", "TopicArn", "Subject", "Message",
                                          "Timestamp", "SignatureVersion", "Signature",
                                          "SigningCertURL", "UnsubscribeURL",
                                          "MessageAttributes"])
        self.assertEqual(envelope["Type"], "Notification")
        self.assertEqual(envelope["MessageId"], published["MessageId"])
        self.assertEqual(envelope["TopicArn"], topic)
        self.assertEqual(envelope["Subject"], "Greeting")
        self.assertEqual(envelope["Message"], "hello <sns> & co")
        self.assertRegex(envelope["Timestamp"], TIMESTAMP)
        self.assertEqual(envelope["SignatureVersion"], "1")
        self.assertIn(subscription, envelope["UnsubscribeURL"])
        self.assertEqual(envelope["MessageAttributes"], {
            "blob": {"Type": "Binary", "Value": base64.b64encode(b"\x02\x03\x04").decode()},
            "kind": {"Type": "String", "Value": "greeting"},
            "n": {"Type": "Number", "Value": "99.12"}})

    def test_raw_delivery_carries_body_and_attributes(self):
        topic = self.new_topic()
        url, queue_arn = self.new_queue()
        self.subscribe_queue(topic, queue_arn, RawMessageDelivery="true")
        self.sns.publish(TopicArn=topic, Message="raw body",
                         MessageAttributes={"attr1": {"DataType": "Number",
                                                      "StringValue": "99.12"}})
        [message] = self.receive(url, MessageAttributeNames=["All"])
        self.assertEqual(message["Body"], "raw body")
        self.assertEqual(message["MessageAttributes"],
                         {"attr1": {"DataType": "Number", "StringValue": "99.12"}})
        # The MD5 AWS reports for this attribute (spec/sns.md section 4.2).
        self.assertEqual(message["MD5OfMessageAttributes"], "d302007e9aa062660afc85fd0a482472")

    def test_raw_subscription_dead_letters_the_raw_message(self):
        # LocalStack test_redrive_policy_sqs_queue_subscription, AWS-recorded:
        # the dead letter is raw when the subscription is, else the envelope.
        for raw in (True, False):
            topic = self.new_topic()
            gone_url, gone_arn = self.new_queue()
            dlq_url, dlq_arn = self.new_queue()
            self.subscribe_queue(topic, gone_arn, RawMessageDelivery=str(raw).lower(),
                                 RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn}))
            self.sqs.delete_queue(QueueUrl=gone_url)
            self.sns.publish(TopicArn=topic, Message="lost", MessageAttributes={
                "attr1": {"DataType": "Number", "StringValue": "111"},
                "attr2": {"DataType": "Binary", "BinaryValue": b"\x02\x03\x04"}})
            [message] = self.receive(dlq_url, MessageAttributeNames=["All"])
            if raw:
                self.assertEqual(message["Body"], "lost")
                self.assertEqual(message["MessageAttributes"], {
                    "attr1": {"DataType": "Number", "StringValue": "111"},
                    "attr2": {"DataType": "Binary", "BinaryValue": b"\x02\x03\x04"}})
            else:
                body = json.loads(message["Body"])
                self.assertEqual(body["Message"], "lost")
                self.assertEqual(body["MessageAttributes"]["attr2"],
                                 {"Type": "Binary", "Value": "AgME"})
                self.assertNotIn("MessageAttributes", message)

    def test_xray_trace_header_reaches_the_sqs_copy(self):
        # LocalStack test_publish_sqs_from_sns_with_xray_propagation (AWS-validated).
        trace = "Root=1-3152b799-8954dae64eda91bc9a23a7e8;Parent=7fa8c0f79203be72;Sampled=1"

        def add_xray_header(request, **_):
            request.headers["X-Amzn-Trace-Id"] = trace

        topic = self.new_topic()
        url, queue_arn = self.new_queue()
        self.subscribe_queue(topic, queue_arn)
        sns = client("sns")
        sns.meta.events.register("before-send.sns.Publish", add_xray_header)
        sns.publish(TargetArn=topic, Message="X-Ray propagation test msg")
        [message] = self.receive(url, AttributeNames=["SentTimestamp", "AWSTraceHeader"])
        self.assertEqual(set(message["Attributes"]), {"SentTimestamp", "AWSTraceHeader"})
        self.assertEqual(message["Attributes"]["AWSTraceHeader"], trace)
        self.assertEqual(json.loads(message["Body"])["Message"], "X-Ray propagation test msg")


        topic = self.new_topic()
        url, queue_arn = self.new_queue()
        self.subscribe_queue(topic, queue_arn, RawMessageDelivery="true")
        self.sns.publish(TopicArn=topic, MessageStructure="json",
                         Message=json.dumps({"default": "for everyone", "sqs": "for queues"}))
        [message] = self.receive(url)
        self.assertEqual(message["Body"], "for queues")

    def test_filter_policy_drops_a_message(self):
        topic = self.new_topic()
        url, queue_arn = self.new_queue()
        self.subscribe_queue(topic, queue_arn, RawMessageDelivery="true",
                             FilterPolicy=json.dumps({"kind": ["shipped"]}))
        for kind in ("cancelled", "shipped"):
            self.sns.publish(TopicArn=topic, Message=kind, MessageAttributes={
                "kind": {"DataType": "String", "StringValue": kind}})
        self.sns.publish(TopicArn=topic, Message="no attributes")
        [message] = self.receive(url)
        self.assertEqual(message["Body"], "shipped")
        self.assertQueueEmpty(url)

    def test_filter_policy_on_the_message_body(self):
        topic = self.new_topic()
        url, queue_arn = self.new_queue()
        self.subscribe_queue(topic, queue_arn, RawMessageDelivery="true",
                             FilterPolicyScope="MessageBody",
                             FilterPolicy=json.dumps({"order": {"total": [{"numeric": [">", 100]}]}}))
        self.sns.publish(TopicArn=topic, Message=json.dumps({"order": {"total": 50}}))
        self.sns.publish(TopicArn=topic, Message=json.dumps({"order": {"total": 150}}))
        [message] = self.receive(url)
        self.assertEqual(json.loads(message["Body"]), {"order": {"total": 150}})

    def test_publish_batch_delivers_every_entry(self):
        topic = self.new_topic()
        url, queue_arn = self.new_queue()
        self.subscribe_queue(topic, queue_arn, RawMessageDelivery="true")
        result = self.sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
            {"Id": "e%d" % i, "Message": "m%d" % i,
             "MessageAttributes": {"i": {"DataType": "Number", "StringValue": str(i)}}}
            for i in range(3)])
        self.assertEqual(sorted(e["Id"] for e in result["Successful"]), ["e0", "e1", "e2"])
        self.assertEqual(result["Failed"], [])
        bodies = sorted(m["Body"] for m in self.receive(url, 3))
        self.assertEqual(bodies, ["m0", "m1", "m2"])

    def test_publish_batch_reports_failed_entries(self):
        topic = self.new_topic()
        result = self.sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
            {"Id": "good", "Message": "fine"}, {"Id": "bad", "Message": ""}])
        self.assertEqual([e["Id"] for e in result["Successful"]], ["good"])
        [failed] = result["Failed"]
        self.assertEqual(failed["Id"], "bad")
        self.assertEqual(failed["Code"], "InvalidParameter")
        self.assertEqual(failed["Message"], "Invalid parameter: Empty message")
        self.assertTrue(failed["SenderFault"])

    def test_publish_batch_with_a_bad_attribute_fails_whole(self):
        # LocalStack test_empty_or_wrong_message_attributes (AWS-validated).
        topic = self.new_topic()
        url, queue_arn = self.new_queue()
        self.subscribe_queue(topic, queue_arn)
        with self.assertRaises(self.sns.exceptions.InvalidParameterValueException) as context:
            self.sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
                {"Id": "good", "Message": "fine"},
                {"Id": "bad", "Message": "x", "MessageAttributes": {
                    "attr1": {"DataType": "InvalidType", "StringValue": "123"}}}])
        self.assertErrorCode(context, "ParameterValueInvalid")
        self.assertEqual(context.exception.response["Error"]["Message"],
                         "The message attribute 'attr1' has an invalid message attribute type, "
                         "the set of supported type prefixes is Binary, Number, and String.")
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.raw_sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
                {"Id": "1", "Message": "x",
                 "MessageAttributes": {"attr1": {"StringValue": "value"}}}])
        self.assertErrorCode(context, "ValidationError")
        self.assertEqual(context.exception.response["Error"]["Message"],
                         "1 validation error detected: Value null at "
                         "'publishBatchRequestEntries.1.member.messageAttributes.attr1.member."
                         "dataType' failed to satisfy constraint: Member must not be null")
        self.assertQueueEmpty(url)

    def test_publish_batch_with_duplicate_ids_fails_whole(self):
        topic = self.new_topic()
        with self.assertRaises(self.sns.exceptions.BatchEntryIdsNotDistinctException) as context:
            self.sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
                {"Id": "same", "Message": "a"}, {"Id": "same", "Message": "b"}])
        self.assertErrorCode(context, "BatchEntryIdsNotDistinct")

    def test_fifo_topic_to_fifo_queue_keeps_order_and_dedups(self):
        topic = self.new_topic(fifo=True, ContentBasedDeduplication="true")
        url, queue_arn = self.new_queue(fifo=True)
        self.subscribe_queue(topic, queue_arn, RawMessageDelivery="true")
        sequence = []
        for body in ("one", "two", "three", "two"):
            result = self.sns.publish(TopicArn=topic, Message=body, MessageGroupId="g")
            sequence.append(result["SequenceNumber"])
        self.assertEqual(sequence[1], sequence[3])  # The duplicate "two".
        self.assertLess(int(sequence[0]), int(sequence[1]))
        messages = self.receive(url, 3, AttributeNames=["All"])
        self.assertEqual([m["Body"] for m in messages], ["one", "two", "three"])
        self.assertEqual({m["Attributes"]["MessageGroupId"] for m in messages}, {"g"})
        self.assertEqual(messages[0]["Attributes"]["MessageDeduplicationId"],
                         "7692c3ad3540bb803c020b3aee66cd8887123234ea0c6e7143c0add73ff431ed")

    # ---- errors ------------------------------------------------------------

    def test_unknown_topic_is_not_found(self):
        missing = "arn:aws:sns:%s:%s:%s" % (REGION, ACCOUNT, unique("missing"))
        with self.assertRaises(self.sns.exceptions.NotFoundException) as context:
            self.sns.publish(TopicArn=missing, Message="x")
        self.assertErrorCode(context, "NotFound", 404)
        with self.assertRaises(self.sns.exceptions.NotFoundException) as context:
            self.sns.list_subscriptions_by_topic(TopicArn=missing)
        self.assertErrorCode(context, "NotFound", 404)
        with self.assertRaises(self.sns.exceptions.ResourceNotFoundException) as context:
            self.sns.list_tags_for_resource(ResourceArn=missing)
        self.assertErrorCode(context, "ResourceNotFound", 404)

    def test_invalid_parameters(self):
        with self.assertRaises(self.sns.exceptions.InvalidParameterException) as context:
            self.sns.create_topic(Name="bad name")
        self.assertErrorCode(context, "InvalidParameter")
        self.assertEqual(context.exception.response["Error"]["Message"],
                         "Invalid parameter: Topic Name")
        topic = self.new_topic()
        with self.assertRaises(self.sns.exceptions.InvalidParameterException) as context:
            self.sns.subscribe(TopicArn=topic, Protocol="carrier-pigeon", Endpoint="x")
        self.assertErrorCode(context, "InvalidParameter")
        url, _ = self.new_queue()
        with self.assertRaises(self.sns.exceptions.InvalidParameterException) as context:
            self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=url)
        self.assertEqual(context.exception.response["Error"]["Message"],
                         "Invalid parameter: SQS endpoint ARN")
        with self.assertRaises(self.sns.exceptions.InvalidParameterException) as context:
            self.sns.set_topic_attributes(TopicArn=topic, AttributeName="Colour",
                                          AttributeValue="blue")
        self.assertErrorCode(context, "InvalidParameter")

    def test_errors_recorded_against_aws(self):
        # Texts from LocalStack's AWS-recorded test_sns snapshots.
        def error_of(call, **kwargs):
            with self.assertRaises(botocore.exceptions.ClientError) as context:
                call(**kwargs)
            self.assertErrorCode(context, "InvalidParameter")
            return context.exception.response["Error"]["Message"]

        self.assertEqual(error_of(self.sns.create_topic, Name=unique("no-suffix"),
                                  Attributes={"FifoTopic": "true"}),
                         "Invalid parameter: Topic Name")
        topic = self.new_topic()
        token = "0123456789abcdef" * 18  # AWS's shape: 288 hex digits.
        self.assertEqual(error_of(self.sns.confirm_subscription, TopicArn=topic, Token=token),
                         "Invalid parameter: Token")
        self.assertEqual(error_of(self.sns.confirm_subscription, TopicArn=topic[:-1] + "x",
                                  Token=token), "Invalid parameter: Token")
        self.assertEqual(error_of(self.sns.confirm_subscription, TopicArn=topic,
                                  Token="randomtoken"), "Invalid token")
        self.assertEqual(error_of(self.sns.publish, Message="x", TargetArn=(
            "arn:aws:sns:%s:%s:endpoint/APNS/app/0f7d5971-aa8b-4bd5-b585-0826e9f93a66"
            % (REGION, ACCOUNT))),
            "Invalid parameter: TargetArn Reason: No endpoint found for the target arn "
            "specified")
        self.assertEqual(error_of(self.sns.publish, Message="x", PhoneNumber="+1a234"),
                         "Invalid parameter: PhoneNumber Reason: +1a234 is not valid to "
                         "publish to")
        _, queue_arn = self.new_queue()
        sub = self.subscribe_queue(topic, queue_arn)
        self.assertEqual(error_of(self.sns.set_subscription_attributes, SubscriptionArn=sub,
                                  AttributeName="RawMessageDelivery", AttributeValue=""),
                         "Invalid parameter: RawMessageDelivery: Invalid value []. Must be "
                         "true or false.")

    def test_bad_filter_policy_is_invalid_parameter(self):
        topic = self.new_topic()
        _, queue_arn = self.new_queue()
        with self.assertRaises(self.sns.exceptions.InvalidParameterException) as context:
            self.subscribe_queue(topic, queue_arn, FilterPolicy=json.dumps({"kind": []}))
        self.assertEqual(context.exception.response["Error"]["Message"],
                         "Invalid parameter: Attributes Reason: FilterPolicy: Empty arrays are "
                         "not allowed")

    def test_fifo_publish_without_group_is_invalid_parameter(self):
        topic = self.new_topic(fifo=True, ContentBasedDeduplication="true")
        with self.assertRaises(self.sns.exceptions.InvalidParameterException) as context:
            self.sns.publish(TopicArn=topic, Message="x")
        self.assertEqual(context.exception.response["Error"]["Message"],
                         "Invalid parameter: The MessageGroupId parameter is required for FIFO "
                         "topics")

    def test_bad_message_attribute_type_is_parameter_value_invalid(self):
        topic = self.new_topic()
        with self.assertRaises(self.sns.exceptions.InvalidParameterValueException) as context:
            self.sns.publish(TopicArn=topic, Message="x", MessageAttributes={
                "a": {"DataType": "Colour", "StringValue": "red"}})
        self.assertErrorCode(context, "ParameterValueInvalid")


if __name__ == "__main__":
    unittest.main(verbosity=2)
