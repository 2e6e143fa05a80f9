#!/usr/bin/env python3
"""boto3 (unmodified) against wharf-server: EventBridge over AWS JSON 1.1.

Run through run_with_server.py, which sets WHARF_ENDPOINT. Covers event bus
CRUD, bus permissions (PutPermission, RemovePermission) and UpdateEventBus, rules with patterns, targets on SQS queues (delivery seen through the
boto3 SQS client), InputTransformer, TestEventPattern, per-entry PutEvents
failures, archives and replays, tags on rules, the buses and rules of
wharf-test.conf, and errors by the exact code the SDK surfaces.
"""

import datetime
import json
import os
import sys
import time
import unittest
import urllib.error
import urllib.request
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


def client(service):
    return boto3.client(
        service, endpoint_url=ENDPOINT, region_name=REGION,
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
        config=Config(retries={"max_attempts": 1}, read_timeout=30))


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


def raw_post(body, headers):
    request = urllib.request.Request(ENDPOINT + "/", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class Boto3EventsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.events = client("events")
        cls.sqs = client("sqs")
        print("boto3 %s / botocore %s speaks the EventBridge %s protocol"
              % (boto3.__version__, botocore.__version__,
                 cls.events.meta.service_model.protocol), flush=True)

    def new_queue(self):
        url = self.sqs.create_queue(QueueName=unique("eb"))["QueueUrl"]
        arn = self.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    def new_bus(self):
        name = unique("bus")
        self.events.create_event_bus(Name=name)
        return name

    def receive(self, url, count=1):
        """The bodies of `count` messages, waiting (long polls) for them."""
        bodies = []
        deadline = time.monotonic() + 10
        while len(bodies) < count and time.monotonic() < deadline:
            got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                           WaitTimeSeconds=1)
            for message in got.get("Messages", []):
                bodies.append(message["Body"])
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return bodies

    def has_output_member(self, operation, member):
        """Whether this botocore's model knows `member` (1.29 lacks newer ones)."""
        model = self.events.meta.service_model.operation_model(operation)
        return member in model.output_shape.members

    def has_operation(self, operation):
        return operation in self.events.meta.service_model.operation_names

    def has_input_member(self, operation, member):
        model = self.events.meta.service_model.operation_model(operation)
        return member in model.input_shape.members

    def assertErrorCode(self, context, code, status=400):
        error = context.exception.response["Error"]
        self.assertEqual(error["Code"], code, error)
        self.assertEqual(context.exception.response["ResponseMetadata"]["HTTPStatusCode"], status)

    # ---- protocol ----------------------------------------------------------

    def test_speaks_json_1_1(self):
        self.assertEqual(self.events.meta.service_model.protocol, "json")
        self.assertEqual(self.events.meta.service_model.metadata["jsonVersion"], "1.1")

    # ---- event buses -------------------------------------------------------

    def test_event_bus_crud(self):
        name = unique("bus")
        # (Debian's botocore 1.29 predates CreateEventBus's Description; the
        # config file's bus has one.)
        created = self.events.create_event_bus(Name=name, Tags=[{"Key": "team", "Value": "wire"}])
        arn = "arn:aws:events:%s:%s:event-bus/%s" % (REGION, ACCOUNT, name)
        self.assertEqual(created["EventBusArn"], arn)
        described = self.events.describe_event_bus(Name=name)
        self.assertEqual(described["Name"], name)
        self.assertEqual(described["Arn"], arn)
        if self.has_output_member("DescribeEventBus", "CreationTime"):
            self.assertIsInstance(described["CreationTime"], datetime.datetime)
            self.assertLess(abs(described["CreationTime"].timestamp() - time.time()), 600)
        listed = self.events.list_event_buses(NamePrefix=name)["EventBuses"]
        self.assertEqual([b["Name"] for b in listed], [name])
        self.events.delete_event_bus(Name=name)
        with self.assertRaises(self.events.exceptions.ResourceNotFoundException) as context:
            self.events.describe_event_bus(Name=name)
        self.assertErrorCode(context, "ResourceNotFoundException")
        self.assertEqual(context.exception.response["Error"]["Message"],
                         "Event bus %s does not exist." % name)

    def test_default_bus_exists(self):
        self.assertEqual(self.events.describe_event_bus()["Name"], "default")
        names = [b["Name"] for b in self.events.list_event_buses()["EventBuses"]]
        self.assertIn("default", names)

    def test_creating_an_existing_bus_fails(self):
        name = self.new_bus()
        with self.assertRaises(self.events.exceptions.ResourceAlreadyExistsException) as context:
            self.events.create_event_bus(Name=name)
        self.assertErrorCode(context, "ResourceAlreadyExistsException")

    # ---- bus permissions and settings --------------------------------------

    def test_put_and_remove_permission(self):
        # As LocalStack's TestEventBus.test_put_permission and
        # test_remove_permission recorded them against AWS.
        name = self.new_bus()
        arn = "arn:aws:events:%s:%s:event-bus/%s" % (REGION, ACCOUNT, name)
        self.events.put_permission(EventBusName=name, Action="events:PutEvents",
                                   Principal="111122223333", StatementId="statement-1")
        self.events.put_permission(EventBusName=name, Action="events:PutEvents",
                                   Principal="*", StatementId="statement-2")
        self.events.put_permission(EventBusName=name, Action="events:PutEvents",
                                   Principal="*", StatementId="statement-2")
        policy = json.loads(self.events.describe_event_bus(Name=name)["Policy"])
        self.assertEqual(policy, {"Version": "2012-10-17", "Statement": [
            {"Sid": "statement-1", "Effect": "Allow",
             "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
             "Action": "events:PutEvents", "Resource": arn},
            {"Sid": "statement-2", "Effect": "Allow", "Principal": "*",
             "Action": "events:PutEvents", "Resource": arn}]})
        listed = self.events.list_event_buses(NamePrefix=name)["EventBuses"]
        self.assertEqual(json.loads(listed[0]["Policy"]), policy)

        self.events.remove_permission(EventBusName=name, StatementId="statement-1",
                                      RemoveAllPermissions=False)
        policy = json.loads(self.events.describe_event_bus(Name=name)["Policy"])
        self.assertEqual([s["Sid"] for s in policy["Statement"]], ["statement-2"])
        with self.assertRaises(self.events.exceptions.ResourceNotFoundException) as context:
            self.events.remove_permission(EventBusName=name, StatementId="non-existing-sid")
        self.assertErrorCode(context, "ResourceNotFoundException")
        self.assertEqual(context.exception.response["Error"]["Message"],
                         "Statement with the provided id does not exist.")
        self.events.remove_permission(EventBusName=name, RemoveAllPermissions=True)
        self.assertNotIn("Policy", self.events.describe_event_bus(Name=name))

    def test_put_permission_with_a_policy_document(self):
        name = self.new_bus()
        self.events.put_permission(EventBusName=name, Action="events:PutEvents",
                                   Principal="*", StatementId="replaced")
        policy = {"Version": "2012-10-17", "Statement": [{
            "Sid": "statement-5", "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "events:ListRules", "Resource": "*"}]}
        self.events.put_permission(EventBusName=name, Policy=json.dumps(policy))
        self.assertEqual(json.loads(self.events.describe_event_bus(Name=name)["Policy"]), policy)

    def test_put_permission_with_a_condition(self):
        name = self.new_bus()
        self.events.put_permission(
            EventBusName=name, Action="events:PutEvents", Principal="*", StatementId="org",
            Condition={"Type": "StringEquals", "Key": "aws:PrincipalOrgID", "Value": "o-1234"})
        statement = json.loads(self.events.describe_event_bus(Name=name)["Policy"])["Statement"][0]
        self.assertEqual(statement["Condition"],
                         {"StringEquals": {"aws:PrincipalOrgID": "o-1234"}})

    def test_permission_errors(self):
        missing = unique("non-existing-bus")
        # LocalStack's test_put_permission_non_existing_event_bus.
        with self.assertRaises(self.events.exceptions.ResourceNotFoundException) as context:
            self.events.put_permission(EventBusName=missing, Action="events:PutEvents",
                                       Principal="*", StatementId="statement-id")
        self.assertErrorCode(context, "ResourceNotFoundException")
        self.assertEqual(context.exception.response["Error"]["Message"],
                         "Event bus %s does not exist." % missing)
        name = self.new_bus()
        # test_remove_permission_non_existing_sid[False-custom]: no policy yet.
        with self.assertRaises(self.events.exceptions.ResourceNotFoundException) as context:
            self.events.remove_permission(EventBusName=name, StatementId="non-existing-sid")
        self.assertEqual(context.exception.response["Error"]["Message"],
                         "Statement with the provided id does not exist.")
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.events.put_permission(EventBusName=name, Action="events:PutEvents",
                                       Principal="*", StatementId="bad id")
        self.assertErrorCode(context, "ValidationException")
        self.assertIn("at 'statementId' failed to satisfy constraint",
                      context.exception.response["Error"]["Message"])
        with self.assertRaises(self.events.exceptions.PolicyLengthExceededException) as context:
            self.events.put_permission(EventBusName=name,
                                       Policy=json.dumps({"Id": "x" * 10240}))
        self.assertErrorCode(context, "PolicyLengthExceededException")

    def test_update_event_bus(self):
        if not self.has_operation("UpdateEventBus"):
            self.skipTest("this botocore predates UpdateEventBus")
        name = self.new_bus()
        _, dlq_arn = self.new_queue()
        updated = self.events.update_event_bus(
            Name=name, Description="updated", KmsKeyIdentifier="alias/wire",
            DeadLetterConfig={"Arn": dlq_arn})
        self.assertEqual(updated["Arn"], "arn:aws:events:%s:%s:event-bus/%s"
                         % (REGION, ACCOUNT, name))
        self.assertEqual(updated["Name"], name)
        self.assertEqual(updated["Description"], "updated")
        self.assertEqual(updated["KmsKeyIdentifier"], "alias/wire")
        self.assertEqual(updated["DeadLetterConfig"], {"Arn": dlq_arn})
        described = self.events.describe_event_bus(Name=name)
        self.assertEqual(described["Description"], "updated")
        self.assertEqual(described["KmsKeyIdentifier"], "alias/wire")
        self.assertEqual(described["DeadLetterConfig"], {"Arn": dlq_arn})
        self.assertGreaterEqual(described["LastModifiedTime"], described["CreationTime"])
        # A field left out is kept; an empty description removes it.
        self.events.update_event_bus(Name=name, Description="")
        described = self.events.describe_event_bus(Name=name)
        self.assertNotIn("Description", described)
        self.assertEqual(described["KmsKeyIdentifier"], "alias/wire")
        with self.assertRaises(self.events.exceptions.ResourceNotFoundException) as context:
            self.events.update_event_bus(Name=unique("missing"), Description="d")
        self.assertErrorCode(context, "ResourceNotFoundException")

    def test_create_event_bus_with_a_dead_letter_config(self):
        if not self.has_input_member("CreateEventBus", "DeadLetterConfig"):
            self.skipTest("this botocore predates CreateEventBus's DeadLetterConfig")
        name = unique("bus")
        _, dlq_arn = self.new_queue()
        created = self.events.create_event_bus(Name=name, Description="with a dlq",
                                               DeadLetterConfig={"Arn": dlq_arn})
        self.assertEqual(created["Description"], "with a dlq")
        self.assertEqual(created["DeadLetterConfig"], {"Arn": dlq_arn})
        described = self.events.describe_event_bus(Name=name)
        self.assertEqual(described["DeadLetterConfig"], {"Arn": dlq_arn})
        listed = self.events.list_event_buses(NamePrefix=name)["EventBuses"]
        self.assertNotIn("DeadLetterConfig", listed[0])

    # ---- rules, targets, delivery -----------------------------------------

    def test_put_events_delivers_the_envelope_to_an_sqs_target(self):
        bus = self.new_bus()
        url, queue_arn = self.new_queue()
        rule_arn = self.events.put_rule(
            Name="placed", EventBusName=bus,
            EventPattern=json.dumps({"source": ["shop"], "detail-type": ["OrderPlaced"]}),
            Description="orders placed")["RuleArn"]
        self.assertEqual(rule_arn, "arn:aws:events:%s:%s:rule/%s/placed" % (REGION, ACCOUNT, bus))
        put = self.events.put_targets(Rule="placed", EventBusName=bus,
                                      Targets=[{"Id": "inbox", "Arn": queue_arn}])
        self.assertEqual(put["FailedEntryCount"], 0)
        self.assertEqual(put["FailedEntries"], [])
        rule = self.events.describe_rule(Name="placed", EventBusName=bus)
        self.assertEqual(rule["State"], "ENABLED")
        self.assertEqual(json.loads(rule["EventPattern"])["source"], ["shop"])

        when = datetime.datetime(2026, 3, 1, 12, 30, 15, tzinfo=datetime.timezone.utc)
        result = self.events.put_events(Entries=[
            {"EventBusName": bus, "Source": "shop", "DetailType": "OrderPlaced",
             "Detail": json.dumps({"orderId": 42, "note": "caf\u00e9 \"quoted\""}),
             "Resources": ["arn:aws:shop:order/42"], "Time": when},
            {"EventBusName": bus, "Source": "shop", "DetailType": "OrderShipped",
             "Detail": "{}"},
        ])
        self.assertEqual(result["FailedEntryCount"], 0)
        event_id = result["Entries"][0]["EventId"]
        [body] = self.receive(url)
        envelope = json.loads(body)
        self.assertEqual(list(envelope), ["version", "id", "detail-type", "source", "account",
                                          "time", "region", "resources", "detail"])
        self.assertEqual(envelope["id"], event_id)
        self.assertEqual(envelope["detail-type"], "OrderPlaced")
        self.assertEqual(envelope["source"], "shop")
        self.assertEqual(envelope["account"], ACCOUNT)
        self.assertEqual(envelope["time"], "2026-03-01T12:30:15Z")
        self.assertEqual(envelope["region"], REGION)
        self.assertEqual(envelope["resources"], ["arn:aws:shop:order/42"])
        self.assertEqual(envelope["detail"], {"orderId": 42, "note": "caf\u00e9 \"quoted\""})
        # The OrderShipped event matched no rule.
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1))

    def test_disabled_rule_delivers_nothing(self):
        bus = self.new_bus()
        url, queue_arn = self.new_queue()
        self.events.put_rule(Name="r", EventBusName=bus,
                             EventPattern=json.dumps({"source": ["shop"]}))
        self.events.put_targets(Rule="r", EventBusName=bus, Targets=[{"Id": "q", "Arn": queue_arn}])
        self.events.disable_rule(Name="r", EventBusName=bus)
        self.assertEqual(self.events.describe_rule(Name="r", EventBusName=bus)["State"],
                         "DISABLED")
        self.events.put_events(Entries=[{"EventBusName": bus, "Source": "shop",
                                         "DetailType": "T", "Detail": "{}"}])
        self.events.enable_rule(Name="r", EventBusName=bus)
        self.events.put_events(Entries=[{"EventBusName": bus, "Source": "shop",
                                         "DetailType": "second", "Detail": "{}"}])
        [body] = self.receive(url)
        self.assertEqual(json.loads(body)["detail-type"], "second")

    def test_input_transformer_target(self):
        bus = self.new_bus()
        url, queue_arn = self.new_queue()
        self.events.put_rule(Name="shaped", EventBusName=bus,
                             EventPattern=json.dumps({"source": ["shop"]}))
        transformer = {"InputPathsMap": {"id": "$.detail.orderId", "kind": "$.detail-type"},
                       "InputTemplate": "{\"order\": <id>, \"kind\": \"<kind>\"}"}
        self.events.put_targets(Rule="shaped", EventBusName=bus, Targets=[
            {"Id": "t", "Arn": queue_arn, "InputTransformer": transformer,
             "RetryPolicy": {"MaximumRetryAttempts": 4, "MaximumEventAgeInSeconds": 300}}])
        [target] = self.events.list_targets_by_rule(Rule="shaped", EventBusName=bus)["Targets"]
        self.assertEqual(target["InputTransformer"], transformer)
        self.assertEqual(target["RetryPolicy"],
                         {"MaximumRetryAttempts": 4, "MaximumEventAgeInSeconds": 300})
        self.events.put_events(Entries=[{"EventBusName": bus, "Source": "shop",
                                         "DetailType": "OrderPlaced",
                                         "Detail": json.dumps({"orderId": "o-7"})}])
        [body] = self.receive(url)
        self.assertEqual(json.loads(body), {"order": "o-7", "kind": "OrderPlaced"})

    def test_input_transformer_missing_path_and_non_json_template(self):
        # AWS (LocalStack test_put_events_with_input_transformer_input_template_json
        # and test_input_transformer_nested_keys_replacement_not_valid, both
        # AWS-validated): a path the event lacks is "" and an object placed
        # inside a string of a JSON object template delivers nothing.
        bus = self.new_bus()
        url, queue_arn = self.new_queue()
        bad_url, bad_arn = self.new_queue()
        self.events.put_rule(Name="shaped", EventBusName=bus,
                             EventPattern=json.dumps({"source": ["shop"]}))
        paths = {"cmd": "$.detail.nope", "payload": "$.detail.payload"}
        self.events.put_targets(Rule="shaped", EventBusName=bus, Targets=[
            {"Id": "ok", "Arn": queue_arn, "InputTransformer": {
                "InputPathsMap": paths, "InputTemplate": '{"command": <cmd>}'}},
            {"Id": "bad", "Arn": bad_arn, "InputTransformer": {
                "InputPathsMap": paths, "InputTemplate": '{"payload": "<payload>"}'}}])
        self.events.put_events(Entries=[{"EventBusName": bus, "Source": "shop",
                                         "DetailType": "T",
                                         "Detail": json.dumps({"payload": {"a": 1}})}])
        [body] = self.receive(url)
        self.assertEqual(json.loads(body), {"command": ""})
        got = self.sqs.receive_message(QueueUrl=bad_url, WaitTimeSeconds=1)
        self.assertEqual(got.get("Messages", []), [])

    def test_put_events_to_an_unknown_bus_answers_an_event_id(self):
        # LocalStack test_put_events_nonexistent_event_bus (AWS-validated).
        url, queue_arn = self.new_queue()
        rule = unique("r")
        self.events.put_rule(Name=rule, EventPattern=json.dumps({"source": [rule]}))
        self.events.put_targets(Rule=rule, Targets=[{"Id": "t", "Arn": queue_arn}])
        result = self.events.put_events(Entries=[
            {"Source": rule, "DetailType": "T", "Detail": "{}"},
            {"Source": rule, "DetailType": "T", "Detail": "{}",
             "EventBusName": unique("nope")}])
        self.assertEqual(result["FailedEntryCount"], 0)
        self.assertEqual([len(e["EventId"]) for e in result["Entries"]], [36, 36])
        [body] = self.receive(url)
        self.assertEqual(json.loads(body)["id"], result["Entries"][0]["EventId"])
        self.events.remove_targets(Rule=rule, Ids=["t"])
        self.events.delete_rule(Name=rule)

    def test_input_and_input_path_targets(self):
        bus = self.new_bus()
        url, queue_arn = self.new_queue()
        self.events.put_rule(Name="r", EventBusName=bus,
                             EventPattern=json.dumps({"source": ["shop"]}))
        self.events.put_targets(Rule="r", EventBusName=bus, Targets=[
            {"Id": "constant", "Arn": queue_arn, "Input": "{\"fixed\": true}"},
            {"Id": "path", "Arn": queue_arn, "InputPath": "$.detail"}])
        self.assertEqual(
            self.events.list_rule_names_by_target(TargetArn=queue_arn,
                                                  EventBusName=bus)["RuleNames"], ["r"])
        self.events.put_events(Entries=[{"EventBusName": bus, "Source": "shop",
                                         "DetailType": "T", "Detail": "{\"n\": 1}"}])
        bodies = sorted(self.receive(url, count=2))
        self.assertEqual([json.loads(b) for b in bodies], [{"fixed": True}, {"n": 1}])
        removed = self.events.remove_targets(Rule="r", EventBusName=bus, Ids=["constant", "path"])
        self.assertEqual(removed["FailedEntryCount"], 0)
        self.events.delete_rule(Name="r", EventBusName=bus)
        self.assertEqual(self.events.list_rules(EventBusName=bus)["Rules"], [])

    def test_rules_and_targets_from_the_config_file(self):
        if self.has_output_member("DescribeEventBus", "Description"):
            self.assertEqual(self.events.describe_event_bus(Name="preset-bus")["Description"],
                             "preset by the config file")
        rule = self.events.describe_rule(Name="preset-rule", EventBusName="preset-bus")
        self.assertEqual(json.loads(rule["EventPattern"]), {"source": ["preset.source"]})
        [target] = self.events.list_targets_by_rule(Rule="preset-rule",
                                                    EventBusName="preset-bus")["Targets"]
        queue_arn = "arn:aws:sqs:%s:%s:preset-events" % (REGION, ACCOUNT)
        self.assertEqual(target["Arn"], queue_arn)
        self.events.put_events(Entries=[{"EventBusName": "preset-bus", "Source": "preset.source",
                                         "DetailType": "T", "Detail": "{\"from\": \"config\"}"}])
        url = self.sqs.get_queue_url(QueueName="preset-events")["QueueUrl"]
        [body] = self.receive(url)
        self.assertEqual(json.loads(body)["detail"], {"from": "config"})

    def test_test_event_pattern(self):
        event = json.dumps({"id": "1", "account": ACCOUNT, "source": "shop",
                            "time": "2026-01-01T00:00:00Z", "region": REGION, "resources": [],
                            "detail-type": "OrderPlaced", "detail": {"total": 250}})
        pattern = {"detail": {"total": [{"numeric": [">", 100]}]}}
        self.assertTrue(self.events.test_event_pattern(EventPattern=json.dumps(pattern),
                                                       Event=event)["Result"])
        pattern["detail"]["total"] = [{"numeric": [">", 1000]}]
        self.assertFalse(self.events.test_event_pattern(EventPattern=json.dumps(pattern),
                                                        Event=event)["Result"])
        with self.assertRaises(self.events.exceptions.InvalidEventPatternException) as context:
            self.events.test_event_pattern(EventPattern="{\"source\": \"shop\"}", Event=event)
        self.assertErrorCode(context, "InvalidEventPatternException")

    def test_test_event_pattern_reads_ip_addresses_as_event_ruler(self):
        # aws/event-ruler reads addresses as Java's InetAddress: "10.0.0.01"
        # is 10.0.0.1, in a cidr block and for an exact address.
        event = json.dumps({"id": "1", "account": ACCOUNT, "source": "shop",
                            "time": "2026-01-01T00:00:00Z", "region": REGION, "resources": [],
                            "detail-type": "T", "detail": {"ip": "10.0.0.01"}})
        for condition in [{"cidr": "10.0.0.0/24"}, "10.0.0.1"]:
            pattern = json.dumps({"detail": {"ip": [condition]}})
            self.assertTrue(self.events.test_event_pattern(EventPattern=pattern,
                                                           Event=event)["Result"], condition)
        with self.assertRaises(self.events.exceptions.InvalidEventPatternException) as context:
            self.events.test_event_pattern(
                EventPattern=json.dumps({"detail": {"ip": [{"cidr": "10.0.0.256/8"}]}}),
                Event=event)
        self.assertEqual(context.exception.response["Error"]["Message"],
                         "Event pattern is not valid. Reason: Invalid IP address: 10.0.0.256")

    def test_put_events_reports_per_entry_failures(self):
        result = self.events.put_events(Entries=[
            {"DetailType": "T", "Detail": "{}"},
            {"Source": "shop", "DetailType": "T", "Detail": "[1, 2]"},
            {"Source": "shop", "DetailType": "T", "Detail": "{}"},
        ])
        self.assertEqual(result["FailedEntryCount"], 2)
        first, second, third = result["Entries"]
        self.assertEqual(first["ErrorCode"], "InvalidArgument")
        self.assertEqual(first["ErrorMessage"],
                         "Parameter Source is not valid. Reason: Source is a required argument.")
        self.assertNotIn("EventId", first)
        self.assertEqual(second, {"ErrorCode": "MalformedDetail",
                                  "ErrorMessage": "Detail is malformed."})
        self.assertIn("EventId", third)

    # ---- archives and replays ---------------------------------------------

    def test_archive_and_replay(self):
        bus = self.new_bus()
        bus_arn = "arn:aws:events:%s:%s:event-bus/%s" % (REGION, ACCOUNT, bus)
        name = unique("arc")[:48]
        archive = self.events.create_archive(ArchiveName=name, EventSourceArn=bus_arn,
                                             RetentionDays=1)
        self.assertEqual(archive["State"], "ENABLED")
        self.assertIsInstance(archive["CreationTime"], datetime.datetime)
        self.events.put_events(Entries=[{"EventBusName": bus, "Source": "shop",
                                         "DetailType": "T", "Detail": "{}"}])
        described = self.events.describe_archive(ArchiveName=name)
        self.assertEqual(described["ArchiveArn"], archive["ArchiveArn"])
        self.assertEqual(described["EventSourceArn"], bus_arn)
        self.assertEqual(described["EventCount"], 1)
        self.events.update_archive(ArchiveName=name, Description="updated")
        self.assertEqual(self.events.describe_archive(ArchiveName=name)["Description"], "updated")

        start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)
        end = start + datetime.timedelta(hours=2)
        replay_name = unique("replay")
        started = self.events.start_replay(ReplayName=replay_name,
                                           EventSourceArn=archive["ArchiveArn"],
                                           EventStartTime=start, EventEndTime=end,
                                           Destination={"Arn": bus_arn})
        self.assertEqual(started["State"], "STARTING")
        replay = self.events.describe_replay(ReplayName=replay_name)
        self.assertEqual(replay["EventSourceArn"], archive["ArchiveArn"])
        self.assertEqual(replay["Destination"]["Arn"], bus_arn)
        self.assertEqual(int(replay["EventStartTime"].timestamp()), int(start.timestamp()))
        self.assertEqual(int(replay["EventEndTime"].timestamp()), int(end.timestamp()))
        self.assertIn(replay["State"], ["STARTING", "RUNNING", "COMPLETED"])
        listed = self.events.list_replays(NamePrefix=replay_name)["Replays"]
        self.assertEqual([r["ReplayName"] for r in listed], [replay_name])

        self.events.delete_archive(ArchiveName=name)
        with self.assertRaises(self.events.exceptions.ResourceNotFoundException):
            self.events.describe_archive(ArchiveName=name)

    def test_archive_managed_rule(self):
        # As moto's test_archive_actual_events sees it on AWS.
        bus = self.new_bus()
        bus_arn = "arn:aws:events:%s:%s:event-bus/%s" % (REGION, ACCOUNT, bus)
        name = unique("arc")[:48]
        self.events.create_archive(ArchiveName=name, EventSourceArn=bus_arn,
                                   EventPattern=json.dumps({"source": ["test"]}))
        rule_name = "Events-Archive-" + name
        rules = self.events.list_rules(EventBusName=bus)["Rules"]
        self.assertEqual([r["Name"] for r in rules], [rule_name])
        self.assertEqual(rules[0]["ManagedBy"], "prod.vhs.events.aws.internal")
        self.assertEqual(json.loads(rules[0]["EventPattern"]),
                         {"source": ["test"], "replay-name": [{"exists": False}]})
        targets = self.events.list_targets_by_rule(Rule=rule_name, EventBusName=bus)["Targets"]
        self.assertEqual(len(targets), 1)
        self.assertEqual(targets[0]["Arn"], "arn:aws:events:%s:::" % REGION)
        self.assertEqual(targets[0]["InputTransformer"]["InputPathsMap"], {})
        self.assertIn('"event": <aws.events.event.json>',
                      targets[0]["InputTransformer"]["InputTemplate"])
        with self.assertRaises(self.events.exceptions.ManagedRuleException) as context:
            self.events.delete_rule(Name=rule_name, EventBusName=bus)
        self.assertEqual(context.exception.response["Error"]["Message"],
                         "%s is a managed rule. Set 'force' parameter to true to override."
                         % rule_name)
        self.events.delete_archive(ArchiveName=name)
        self.assertEqual(self.events.list_rules(EventBusName=bus)["Rules"], [])

    # ---- tags --------------------------------------------------------------

    def test_tag_list_untag_a_rule_on_a_custom_bus(self):
        bus = self.new_bus()
        rule_arn = self.events.put_rule(
            Name=unique("r"), EventBusName=bus, EventPattern=json.dumps({"source": ["s"]}),
            Tags=[{"Key": "created", "Value": "yes"}])["RuleArn"]
        self.assertIn(":rule/%s/" % bus, rule_arn)
        self.events.tag_resource(ResourceARN=rule_arn, Tags=[{"Key": "team", "Value": "core"},
                                                             {"Key": "env", "Value": ""}])
        self.assertEqual(self.events.list_tags_for_resource(ResourceARN=rule_arn)["Tags"],
                         [{"Key": "created", "Value": "yes"}, {"Key": "env", "Value": ""},
                          {"Key": "team", "Value": "core"}])
        self.events.untag_resource(ResourceARN=rule_arn, TagKeys=["created", "never-set"])
        self.assertEqual(self.events.list_tags_for_resource(ResourceARN=rule_arn)["Tags"],
                         [{"Key": "env", "Value": ""}, {"Key": "team", "Value": "core"}])

    def test_tagging_a_missing_rule_is_resource_not_found(self):
        missing = "arn:aws:events:%s:%s:rule/%s" % (REGION, ACCOUNT, unique("r"))
        with self.assertRaises(self.events.exceptions.ResourceNotFoundException) as context:
            self.events.tag_resource(ResourceARN=missing, Tags=[{"Key": "k", "Value": "v"}])
        self.assertErrorCode(context, "ResourceNotFoundException")

    # ---- errors ------------------------------------------------------------

    def test_unknown_rule_is_resource_not_found(self):
        with self.assertRaises(self.events.exceptions.ResourceNotFoundException) as context:
            self.events.describe_rule(Name="no-such-rule")
        self.assertErrorCode(context, "ResourceNotFoundException")
        self.assertEqual(context.exception.response["Error"]["Message"],
                         "Rule no-such-rule does not exist on EventBus default.")

    def test_invalid_pattern_is_invalid_event_pattern(self):
        with self.assertRaises(self.events.exceptions.InvalidEventPatternException) as context:
            self.events.put_rule(Name=unique("r"), EventPattern="{\"source\": \"not-a-list\"}")
        self.assertErrorCode(context, "InvalidEventPatternException")

    def test_rule_with_targets_cannot_be_deleted(self):
        _, queue_arn = self.new_queue()
        name = unique("r")
        self.events.put_rule(Name=name, EventPattern=json.dumps({"source": ["x"]}))
        self.events.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": queue_arn}])
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.events.delete_rule(Name=name)
        self.assertErrorCode(context, "ValidationException")
        self.assertEqual(context.exception.response["Error"]["Message"],
                         "Rule can't be deleted since it has targets.")

    def test_schedule_on_a_custom_bus_is_a_validation_error(self):
        bus = self.new_bus()
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.events.put_rule(Name="tick", EventBusName=bus,
                                 ScheduleExpression="rate(5 minutes)")
        self.assertErrorCode(context, "ValidationException")

    def test_a_name_failing_pattern_and_length_reports_both(self):
        # AWS lists both constraints, the pattern first (LocalStack
        # test_create_connection_validations, AWS-validated).
        name = "This should fail with two errors 123467890123412341234123412341234"
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.events.put_rule(Name=name, EventPattern=json.dumps({"source": ["x"]}))
        self.assertErrorCode(context, "ValidationException")
        self.assertEqual(
            context.exception.response["Error"]["Message"],
            "2 validation errors detected: Value '%s' at 'name' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+; Value '%s' "
            "at 'name' failed to satisfy constraint: Member must have length less than or "
            "equal to 64" % (name, name))

    def test_too_many_targets_is_limit_exceeded(self):
        _, queue_arn = self.new_queue()
        name = unique("r")
        self.events.put_rule(Name=name, EventPattern=json.dumps({"source": ["x"]}))
        targets = [{"Id": "t%d" % i, "Arn": queue_arn} for i in range(6)]
        with self.assertRaises(self.events.exceptions.LimitExceededException) as context:
            self.events.put_targets(Rule=name, Targets=targets)
        self.assertErrorCode(context, "LimitExceededException")

    # ---- malformed requests (raw HTTP, not through boto3) ------------------

    def test_error_shape_on_the_wire(self):
        status, headers, body = raw_post(b"{\"Name\": \"nope\"}", {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AWSEvents.DescribeRule"})
        self.assertEqual(status, 400)
        self.assertEqual(headers["Content-Type"], "application/x-amz-json-1.1")
        self.assertEqual(json.loads(body), {
            "__type": "ResourceNotFoundException",
            "message": "Rule nope does not exist on EventBus default."})

    def test_malformed_json(self):
        status, _, body = raw_post(b"{\"Name\": ", {
            "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSEvents.PutRule"})
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(body)["__type"], "SerializationException")

    def test_unknown_operation(self):
        status, _, body = raw_post(b"{}", {"Content-Type": "application/x-amz-json-1.1",
                                           "X-Amz-Target": "AWSEvents.Teleport"})
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(body)["__type"], "UnknownOperationException")


if __name__ == "__main__":
    unittest.main(verbosity=2, warnings="ignore")
