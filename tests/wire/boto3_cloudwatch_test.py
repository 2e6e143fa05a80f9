#!/usr/bin/env python3
"""boto3 (unmodified) against `wharf-server --clock=manual`: CloudWatch metrics
and alarms over whichever protocol this botocore speaks to CloudWatch (the
query protocol before botocore 1.42.7, AWS JSON 1.0 since).

Run through run_with_server.py (with --server-arg=--clock=manual), which sets
WHARF_ENDPOINT. WHARF_EXPECT_PROTOCOL (query|json) makes it assert the
protocol. WHARF_CLOUDWATCH_PROTOCOL=smithy-rpc-v2-cbor makes botocore choose
Smithy RPC v2 CBOR, as the AWS SDKs for C++, Go and Java do (its own
serializer and parser; skipped when this botocore has none).
"""

import datetime
import json
import os
import sys
import unittest
import uuid

from wharf_clock import clock

try:
    import boto3
    import botocore
    from botocore.config import Config
except ImportError:
    print("SKIP: boto3 is not installed (Debian: apt-get install python3-boto3)")
    sys.exit(77)

ENDPOINT = os.environ["WHARF_ENDPOINT"]
UTC = datetime.timezone.utc

FORCED_PROTOCOL = os.environ.get("WHARF_CLOUDWATCH_PROTOCOL")
if FORCED_PROTOCOL:
    import botocore.model
    import botocore.serialize
    if FORCED_PROTOCOL not in botocore.serialize.SERIALIZERS:
        print("SKIP: botocore %s has no %s serializer" % (botocore.__version__, FORCED_PROTOCOL))
        sys.exit(77)
    chosen = botocore.model.ServiceModel.resolved_protocol
    # Other services (the SQS client of an AWS/SQS test) keep their own;
    # `chosen` is a property or botocore's CachedProperty, both descriptors.
    botocore.model.ServiceModel.resolved_protocol = property(
        lambda model: FORCED_PROTOCOL if model.service_name == "cloudwatch"
        else chosen.__get__(model, type(model)))


def client():
    return boto3.client("cloudwatch", endpoint_url=ENDPOINT, region_name="us-east-1",
                        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                        config=Config(retries={"max_attempts": 1}))


class Boto3CloudWatchTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cw = client()
        # Botocore that knows several protocols of a service says which it
        # chose in resolved_protocol; `protocol` is then the model's first.
        model = cls.cw.meta.service_model
        cls.protocol = getattr(model, "resolved_protocol", None) or model.protocol
        print("boto3 %s / botocore %s speaks the CloudWatch %s protocol"
              % (boto3.__version__, botocore.__version__, cls.protocol), flush=True)

    def assertErrorCode(self, context, code, status=400):
        error = context.exception.response["Error"]
        self.assertEqual(error["Code"], code, error)
        self.assertEqual(context.exception.response["ResponseMetadata"]["HTTPStatusCode"], status)

    def sns_and_sqs(self):
        """SNS and SQS clients of the same endpoint, closed after the test."""
        kwargs = dict(endpoint_url=ENDPOINT, region_name="us-east-1",
                      aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")
        clients = boto3.client("sns", **kwargs), boto3.client("sqs", **kwargs)
        for c in clients:
            if hasattr(c, "close"):
                self.addCleanup(c.close)
        return clients

    def test_speaks_the_expected_protocol(self):
        expected = os.environ.get("WHARF_EXPECT_PROTOCOL")
        if expected:
            self.assertEqual(self.protocol, expected)

    def test_metrics_come_back_with_their_statistics_and_timestamps(self):
        ns = "App/" + uuid.uuid4().hex[:8]
        now = clock()["epochMillis"]
        minute = datetime.datetime.fromtimestamp((now - now % 60000) / 1000, UTC)
        dims = [{"Name": "Service", "Value": "api"}]
        self.cw.put_metric_data(Namespace=ns, MetricData=[
            {"MetricName": "Latency", "Dimensions": dims, "Timestamp": minute, "Value": 10,
             "Unit": "Milliseconds"},
            {"MetricName": "Latency", "Dimensions": dims,
             "Timestamp": minute + datetime.timedelta(seconds=1.5), "Values": [20, 30.5],
             "Counts": [1, 2], "Unit": "Milliseconds"},
            {"MetricName": "Bulk", "Dimensions": dims, "Timestamp": minute,
             "StatisticValues": {"SampleCount": 2, "Sum": 1000, "Minimum": 400, "Maximum": 600}}])
        end = minute + datetime.timedelta(minutes=1)
        stats = self.cw.get_metric_statistics(
            Namespace=ns, MetricName="Latency", Dimensions=dims, StartTime=minute, EndTime=end,
            Period=60, Statistics=["SampleCount", "Sum", "Minimum", "Maximum", "Average"])
        self.assertEqual(stats["Label"], "Latency")
        [point] = stats["Datapoints"]
        self.assertEqual(point["Timestamp"], minute)
        self.assertEqual(point["SampleCount"], 4.0)
        self.assertEqual(point["Sum"], 91.0)
        self.assertEqual(point["Minimum"], 10.0)
        self.assertEqual(point["Maximum"], 30.5)
        self.assertEqual(point["Average"], 22.75)
        self.assertEqual(point["Unit"], "Milliseconds")
        percentiles = self.cw.get_metric_statistics(
            Namespace=ns, MetricName="Latency", Dimensions=dims, StartTime=minute, EndTime=end,
            Period=60, ExtendedStatistics=["p100"])
        p100 = percentiles["Datapoints"][0]["ExtendedStatistics"]["p100"]
        self.assertTrue(30 < p100 <= 30.5, p100)

        data = self.cw.get_metric_data(StartTime=minute, EndTime=end, MetricDataQueries=[
            {"Id": "bulk", "MetricStat": {
                "Metric": {"Namespace": ns, "MetricName": "Bulk", "Dimensions": dims},
                "Period": 60, "Stat": "Sum"}}])
        [result] = data["MetricDataResults"]
        self.assertEqual(result["StatusCode"], "Complete")
        self.assertEqual(result["Values"], [1000.0])
        self.assertEqual(result["Timestamps"], [minute])
        listed = self.cw.list_metrics(Namespace=ns)["Metrics"]
        self.assertEqual(sorted(m["MetricName"] for m in listed), ["Bulk", "Latency"])

    def test_a_large_put_metric_data_arrives_whole(self):
        # From 10 KiB on, botocore >= 1.31 gzips it (Content-Encoding: gzip).
        ns = "App/" + uuid.uuid4().hex[:8]
        self.cw.put_metric_data(Namespace=ns, MetricData=[
            {"MetricName": "m%d" % i, "Dimensions": [{"Name": "Host", "Value": "host-%d" % i}],
             "Value": float(i)} for i in range(300)])
        names = set()
        for page in self.cw.get_paginator("list_metrics").paginate(Namespace=ns):
            names.update(m["MetricName"] for m in page["Metrics"])
        self.assertEqual(len(names), 300)

    def test_an_alarm_through_its_lifecycle(self):
        name = "errors-" + uuid.uuid4().hex[:8]
        ns = "App/" + name
        dims = [{"Name": "Service", "Value": "api"}]
        self.cw.put_metric_alarm(
            AlarmName=name, MetricName="Errors", Namespace=ns, Statistic="Sum", Dimensions=dims,
            Period=60, EvaluationPeriods=1, Threshold=5.5,
            ComparisonOperator="GreaterThanThreshold", TreatMissingData="notBreaching")
        [alarm] = self.cw.describe_alarms(AlarmNames=[name])["MetricAlarms"]
        self.assertEqual(alarm["Threshold"], 5.5)
        self.assertTrue(alarm["ActionsEnabled"])
        self.assertIsInstance(alarm["StateUpdatedTimestamp"], datetime.datetime)

        now = clock()["epochMillis"]
        self.cw.put_metric_data(Namespace=ns, MetricData=[
            {"MetricName": "Errors", "Dimensions": dims, "Value": 10}])
        clock(60 - (now / 1000) % 60)
        [alarm] = self.cw.describe_alarms(AlarmNamePrefix=name)["MetricAlarms"]
        self.assertEqual(alarm["StateValue"], "ALARM")
        self.assertIn("was greater than the threshold (5.5)", alarm["StateReason"])

        self.cw.set_alarm_state(AlarmName=name, StateValue="OK", StateReason="by hand")
        history = self.cw.describe_alarm_history(AlarmName=name, HistoryItemType="StateUpdate")
        summaries = [h["HistorySummary"] for h in history["AlarmHistoryItems"]]
        self.assertEqual(summaries[0], "Alarm updated from ALARM to OK")
        self.cw.delete_alarms(AlarmNames=[name])
        self.assertEqual(self.cw.describe_alarms(AlarmNames=[name])["MetricAlarms"], [])

    def test_a_composite_alarm_follows_its_children(self):
        # LocalStack test_trigger_composite_alarm, AWS-validated: ALARM and
        # OK topics delivering into queues; the composite alarm follows the
        # child SetAlarmState moves, naming it in StateReasonData and in its
        # notification's TriggeringChildren; a second child going to ALARM
        # while the first holds it there changes nothing.
        sns, sqs = self.sns_and_sqs()
        suffix = uuid.uuid4().hex[:8]
        queues, topics = {}, {}
        for state in ("ALARM", "OK"):
            topics[state] = sns.create_topic(Name="topic-%s-%s" % (state, suffix))["TopicArn"]
            queues[state] = sqs.create_queue(QueueName="%sQueue-%s" % (state, suffix))["QueueUrl"]
            queue_arn = sqs.get_queue_attributes(
                QueueUrl=queues[state], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            sns.subscribe(TopicArn=topics[state], Protocol="sqs", Endpoint=queue_arn)

        def messages(state):
            out = []
            for m in sqs.receive_message(QueueUrl=queues[state],
                                         MaxNumberOfMessages=10).get("Messages", []):
                body = json.loads(m["Body"])
                self.assertEqual(body["TopicArn"], topics[state])
                out.append(json.loads(body["Message"]))
                sqs.delete_message(QueueUrl=queues[state], ReceiptHandle=m["ReceiptHandle"])
            return out

        children = ["simple-alarm-%d-%s" % (i, suffix) for i in (1, 2)]
        arns = []
        for child in children:
            self.cw.put_metric_alarm(
                AlarmName=child, MetricName="CPUUtilization", Namespace="App/" + suffix,
                EvaluationPeriods=1, Period=10, Statistic="Sum",
                ComparisonOperator="GreaterThanThreshold", Threshold=30)
            arns.append(self.cw.describe_alarms(AlarmNames=[child])["MetricAlarms"][0]["AlarmArn"])
        name = "composite-alarm-" + suffix
        rule = 'ALARM("%s") OR ALARM("%s")' % tuple(arns)
        self.cw.put_composite_alarm(
            AlarmName=name, AlarmDescription="composite alarm description", AlarmRule=rule,
            OKActions=[topics["OK"]], AlarmActions=[topics["ALARM"]],
            Tags=[{"Key": "Environment", "Value": "Production"}])

        def describe():
            result = self.cw.describe_alarms(AlarmNames=[name], AlarmTypes=["CompositeAlarm"])
            self.assertEqual(result["MetricAlarms"], [])
            [alarm] = result["CompositeAlarms"]
            return alarm

        alarm = describe()
        self.assertEqual(alarm["AlarmName"], name)
        self.assertEqual(alarm["AlarmRule"], rule)
        self.assertEqual(alarm["AlarmArn"], arns[0].rsplit(":", 1)[0] + ":" + name)
        self.assertEqual(alarm["InsufficientDataActions"], [])
        self.assertIsInstance(alarm["StateTransitionedTimestamp"], datetime.datetime)
        # Evaluated at creation: OK, its OK action run.
        self.assertEqual(alarm["StateValue"], "OK")
        self.assertEqual(len(messages("OK")), 1)

        def expect(state, child):
            [message] = messages(state)
            self.assertEqual(message["NewStateValue"], state)
            self.assertEqual(message["AlarmName"], name)
            self.assertEqual(message["AlarmDescription"], "composite alarm description")
            self.assertEqual(message["TriggeringChildren"][0]["Arn"], arns[child])
            self.assertEqual(message["TriggeringChildren"][0]["State"]["Value"], state)
            alarm = describe()
            self.assertEqual(alarm["StateValue"], state)
            self.assertTrue(alarm["ActionsEnabled"])
            self.assertEqual(alarm["AlarmActions"], [topics["ALARM"]])
            self.assertEqual(alarm["OKActions"], [topics["OK"]])
            [triggering] = json.loads(alarm["StateReasonData"])["triggeringAlarms"]
            self.assertEqual(triggering["arn"], arns[child])
            self.assertEqual(triggering["state"]["value"], state)
            self.assertIn(arns[child] + " transitioned to " + state + " at ",
                          alarm["StateReason"])

        for child in (0, 1):
            self.cw.set_alarm_state(AlarmName=children[child], StateValue="ALARM",
                                    StateReason="trigger alarm %d" % (child + 1))
            expect("ALARM", child)
            self.cw.set_alarm_state(AlarmName=children[child], StateValue="OK",
                                    StateReason="resetting alarm %d" % (child + 1))
            expect("OK", child)
        self.cw.set_alarm_state(AlarmName=children[0], StateValue="ALARM", StateReason="1")
        self.cw.set_alarm_state(AlarmName=children[1], StateValue="ALARM", StateReason="2")
        [triggering] = json.loads(describe()["StateReasonData"])["triggeringAlarms"]
        self.assertEqual(triggering["arn"], arns[0])
        self.assertEqual(len(messages("ALARM")), 1)

        # Tags (test_tagging_composite_alarm, AWS-validated), then deletion:
        # children first is refused while the composite names them.
        arn = describe()["AlarmArn"]
        self.cw.tag_resource(ResourceARN=arn, Tags=[{"Key": "tag1", "Value": "foo"}])
        tags = self.cw.list_tags_for_resource(ResourceARN=arn)["Tags"]
        self.assertEqual(sorted(t["Key"] for t in tags), ["Environment", "tag1"])
        with self.assertRaises(botocore.exceptions.ClientError) as e:
            self.cw.delete_alarms(AlarmNames=[children[0]])
        self.assertErrorCode(e, "ValidationError")
        with self.assertRaises(botocore.exceptions.ClientError) as e:
            self.cw.put_composite_alarm(AlarmName=name + "-bad", AlarmRule="()")
        self.assertErrorCode(e, "ValidationError")
        self.assertEqual(e.exception.response["Error"]["Message"],
                         "Error in AlarmRule [Unsupported token ')' at char 1]")
        self.cw.delete_alarms(AlarmNames=[name])
        self.assertEqual(self.cw.list_tags_for_resource(ResourceARN=arn)["Tags"], [])
        self.cw.delete_alarms(AlarmNames=children)

    def test_a_composite_alarm_with_at_least_and_an_actions_suppressor(self):
        # An AT_LEAST rule, and actions held for the suppressor's WaitPeriod
        # (the User Guide's "Suppressing composite alarm actions", example
        # 1), on the manual clock.
        sns, sqs = self.sns_and_sqs()
        suffix = uuid.uuid4().hex[:8]
        topic = sns.create_topic(Name="suppressed-" + suffix)["TopicArn"]
        queue = sqs.create_queue(QueueName="suppressed-" + suffix)["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(
            QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)

        def messages():
            out = []
            for m in sqs.receive_message(QueueUrl=queue,
                                         MaxNumberOfMessages=10).get("Messages", []):
                out.append(json.loads(json.loads(m["Body"])["Message"]))
                sqs.delete_message(QueueUrl=queue, ReceiptHandle=m["ReceiptHandle"])
            return out

        cpu, disk, maint = ("%s-%s" % (n, suffix) for n in ("cpu", "disk", "maint"))
        for child in (cpu, disk, maint):
            self.cw.put_composite_alarm(AlarmName=child, AlarmRule="FALSE")
        name = "svc-" + suffix
        rule = "AT_LEAST(50%%, ALARM, (%s, %s))" % (cpu, disk)
        self.cw.put_composite_alarm(
            AlarmName=name, AlarmRule=rule, AlarmActions=[topic], ActionsSuppressor=maint,
            ActionsSuppressorWaitPeriod=60, ActionsSuppressorExtensionPeriod=120)

        def describe():
            [alarm] = self.cw.describe_alarms(
                AlarmNames=[name], AlarmTypes=["CompositeAlarm"])["CompositeAlarms"]
            return alarm

        alarm = describe()
        self.assertEqual(alarm["AlarmRule"], rule)
        self.assertEqual(alarm["StateValue"], "OK")
        self.assertEqual(alarm["ActionsSuppressor"], maint)
        self.assertEqual(alarm["ActionsSuppressorWaitPeriod"], 60)
        self.assertEqual(alarm["ActionsSuppressorExtensionPeriod"], 120)
        self.assertEqual(alarm["ActionsSuppressedBy"], "WaitPeriod")
        self.assertEqual(alarm["ActionsSuppressedReason"], "Actions suppressed by WaitPeriod")
        clock(60)
        self.assertNotIn("ActionsSuppressedBy", describe())

        # One of its two alarms in ALARM is 50%: ALARM, its action held for
        # 60 s, then run.
        self.cw.put_composite_alarm(AlarmName=disk, AlarmRule="TRUE")
        alarm = describe()
        self.assertEqual(alarm["StateValue"], "ALARM")
        self.assertEqual(alarm["ActionsSuppressedBy"], "WaitPeriod")
        clock(59)
        self.assertEqual(messages(), [])
        clock(1)
        [message] = messages()
        self.assertEqual(message["AlarmName"], name)
        self.assertEqual(message["NewStateValue"], "ALARM")
        self.assertNotIn("ActionsSuppressedBy", describe())

        # The periods are the suppressor's; with it both are required.
        with self.assertRaises(botocore.exceptions.ClientError) as e:
            self.cw.put_composite_alarm(AlarmName=name + "-bad", AlarmRule="TRUE",
                                        ActionsSuppressorWaitPeriod=60)
        self.assertErrorCode(e, "InvalidParameterCombination")
        with self.assertRaises(botocore.exceptions.ClientError) as e:
            self.cw.put_composite_alarm(AlarmName=name + "-bad", AlarmRule="TRUE",
                                        ActionsSuppressor=maint, ActionsSuppressorWaitPeriod=60)
        self.assertErrorCode(e, "MissingParameter")
        # One composite alarm a call, as AWS's DeleteAlarms takes them.
        for alarm_name in (name, cpu, disk, maint):
            self.cw.delete_alarms(AlarmNames=[alarm_name])

    def test_an_sqs_send_is_one_sample_in_its_minute(self):
        # LocalStack TestSQSMetrics::test_alarm_number_of_messages_sent,
        # AWS-validated: a SampleCount alarm on NumberOfMessagesSent sees
        # 1.0 for the one message sent in the minute.
        sqs = boto3.client("sqs", endpoint_url=ENDPOINT, region_name="us-east-1",
                           aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")
        queue = "watched-" + uuid.uuid4().hex[:8]
        dims = [{"Name": "QueueName", "Value": queue}]
        self.cw.put_metric_alarm(
            AlarmName=queue, MetricName="NumberOfMessagesSent", Namespace="AWS/SQS",
            Statistic="SampleCount", Dimensions=dims, Period=60, EvaluationPeriods=1,
            Threshold=0, ComparisonOperator="GreaterThanThreshold", TreatMissingData="missing")
        url = sqs.create_queue(QueueName=queue)["QueueUrl"]
        now = clock()["epochMillis"]
        sqs.send_message(QueueUrl=url, MessageBody="new message")
        minute = datetime.datetime.fromtimestamp((now - now % 60000) / 1000, UTC)
        [point] = self.cw.get_metric_statistics(
            Namespace="AWS/SQS", MetricName="NumberOfMessagesSent", Dimensions=dims,
            StartTime=minute, EndTime=minute + datetime.timedelta(seconds=60), Period=60,
            Statistics=["SampleCount", "Sum", "Average"])["Datapoints"]
        self.assertEqual((point["SampleCount"], point["Sum"], point["Average"]), (1.0, 1.0, 1.0))

        clock(60 - (now / 1000) % 60)
        [alarm] = self.cw.describe_alarms(AlarmNames=[queue])["MetricAlarms"]
        self.assertEqual(alarm["StateValue"], "ALARM")
        self.assertRegex(alarm["StateReason"],
                         r"^Threshold Crossed: 1 datapoint \[1\.0 \(\d\d/\d\d/\d\d "
                         r"\d\d:\d\d:\d\d\)\] was greater than the threshold \(0\.0\)\.$")
        [evaluated] = json.loads(alarm["StateReasonData"])["evaluatedDatapoints"]
        self.assertEqual((evaluated["sampleCount"], evaluated["value"]), (1.0, 1.0))
        self.cw.delete_alarms(AlarmNames=[queue])
        sqs.delete_queue(QueueUrl=url)

    def test_alarm_tags(self):
        # LocalStack test_tagging_metric_alarm, AWS-validated.
        name = "tagged-" + uuid.uuid4().hex[:8]
        self.cw.put_metric_alarm(
            AlarmName=name, MetricName="store_tags", Namespace="App/" + name, Statistic="Sum",
            Period=60, EvaluationPeriods=1, Threshold=30,
            ComparisonOperator="GreaterThanThreshold",
            Tags=[{"Key": "Environment", "Value": "Production"}])
        [alarm] = self.cw.describe_alarms(AlarmNames=[name])["MetricAlarms"]
        arn = alarm["AlarmArn"]
        self.assertEqual(self.cw.list_tags_for_resource(ResourceARN=arn)["Tags"],
                         [{"Key": "Environment", "Value": "Production"}])
        response = self.cw.tag_resource(
            ResourceARN=arn, Tags=[{"Key": "tag1", "Value": "foo"}, {"Key": "tag2", "Value": "bar"}])
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(self.cw.list_tags_for_resource(ResourceARN=arn)["Tags"],
                         [{"Key": "Environment", "Value": "Production"},
                          {"Key": "tag1", "Value": "foo"}, {"Key": "tag2", "Value": "bar"}])
        response = self.cw.untag_resource(ResourceARN=arn, TagKeys=["tag1"])
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(self.cw.list_tags_for_resource(ResourceARN=arn)["Tags"],
                         [{"Key": "Environment", "Value": "Production"},
                          {"Key": "tag2", "Value": "bar"}])
        self.cw.delete_alarms(AlarmNames=[name])
        self.assertEqual(self.cw.list_tags_for_resource(ResourceARN=arn)["Tags"], [])
        with self.assertRaises(self.cw.exceptions.ResourceNotFoundException):
            self.cw.tag_resource(ResourceARN=arn, Tags=[{"Key": "k", "Value": "v"}])

    def test_errors_come_back_with_cloudwatch_codes(self):
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.cw.put_metric_alarm(
                AlarmName="bad-period", MetricName="m", Namespace="App", Statistic="Sum",
                Period=45, EvaluationPeriods=1, Threshold=1,
                ComparisonOperator="GreaterThanThreshold")
        self.assertErrorCode(context, "InvalidParameterValue")
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.cw.delete_alarms(AlarmNames=["never-created"])
        self.assertErrorCode(context, "ResourceNotFound", 404)
        with self.assertRaises(self.cw.exceptions.ResourceNotFound):
            self.cw.set_alarm_state(AlarmName="never-created", StateValue="OK", StateReason="x")

    def test_set_alarm_state_errors_as_aws_words_them(self):
        # LocalStack test_set_alarm_invalid_input, AWS-validated: a state
        # outside the enum is request validation; an unknown alarm is a bare
        # ResourceNotFound (404: the query status, which botocore asks for).
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.cw.set_alarm_state(AlarmName="a-" + uuid.uuid4().hex[:8],
                                    StateValue="INVALID", StateReason="test")
        self.assertErrorCode(context, "ValidationError")
        self.assertEqual(
            context.exception.response["Error"]["Message"],
            "1 validation error detected: Value 'INVALID' at 'stateValue' failed to satisfy "
            "constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]")
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.cw.set_alarm_state(AlarmName="a-" + uuid.uuid4().hex[:8], StateValue="OK",
                                    StateReason="test")
        self.assertErrorCode(context, "ResourceNotFound", 404)
        self.assertFalse(context.exception.response["Error"].get("Message"))

    def test_an_alarm_describes_only_what_was_given(self):
        # LocalStack test_describe_minimal_metric_alarm, AWS-validated.
        name = "minimal-" + uuid.uuid4().hex[:8]
        self.cw.put_metric_alarm(
            AlarmName=name, MetricName="m", Namespace="App/" + name, EvaluationPeriods=1,
            Period=10, Statistic="Sum", ComparisonOperator="GreaterThanThreshold", Threshold=30)
        [alarm] = self.cw.describe_alarms(AlarmNames=[name])["MetricAlarms"]
        self.assertNotIn("DatapointsToAlarm", alarm)
        self.assertNotIn("TreatMissingData", alarm)
        self.assertEqual(alarm["Dimensions"], [])
        self.assertEqual(alarm["StateReason"], "Unchecked: Initial alarm creation")
        self.cw.delete_alarms(AlarmNames=[name])

    def test_labels_name_the_statistic_and_period_where_queries_differ(self):
        # LocalStack test_label_generation, AWS-validated.
        ns = "App/" + uuid.uuid4().hex[:8]
        now = clock()["epochMillis"]
        at = datetime.datetime.fromtimestamp(now / 1000, UTC)
        self.cw.put_metric_data(Namespace=ns, MetricData=[
            {"MetricName": "metric1", "Value": v, "Unit": "Seconds"} for v in [0, 2, 7, 100]])
        result = self.cw.get_metric_data(
            StartTime=at - datetime.timedelta(seconds=60), EndTime=at + datetime.timedelta(seconds=60),
            MetricDataQueries=[
                {"Id": "a", "MetricStat": {"Metric": {"Namespace": ns, "MetricName": "metric1"},
                                           "Period": 60, "Stat": "Sum", "Unit": "Seconds"}},
                {"Id": "b", "MetricStat": {"Metric": {"Namespace": ns, "MetricName": "metric1"},
                                           "Period": 30, "Stat": "Minimum",
                                           "Unit": "Seconds"}}])
        labels = [(r["Label"], r["Values"]) for r in result["MetricDataResults"]]
        self.assertEqual(labels, [("metric1 Sum 60", [109.0]), ("metric1 Minimum 30", [0.0])])


if __name__ == "__main__":
    unittest.main(verbosity=2)
