// The AWS SDK for JavaScript v3 (@aws-sdk/client-cloudwatch, unmodified)
// against `wharf-server --clock=manual`. Run through
// tests/wire/run_with_server.py, which sets WHARF_ENDPOINT:
//   node run.mjs cloudwatch.test.mjs @aws-sdk/client-cloudwatch
// Current SDKs speak CloudWatch's AWS JSON 1.0 protocol (query-compatible):
// metrics written and read back with their timestamps, statistics and
// percentiles; an alarm evaluated on the manual clock, its SNS notification
// read from a subscribed queue; a composite alarm whose actions an
// ActionsSuppressor holds back; errors with CloudWatch's codes.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";

import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  DescribeAlarmsForMetricCommand,
  DisableAlarmActionsCommand,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  PutCompositeAlarmCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";

const endpoint = process.env.WHARF_ENDPOINT;
const account = "000000000000";
const region = "us-east-1";
const config = {
  endpoint,
  region,
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
  maxAttempts: 1,
};
const wire = []; // Headers of every CloudWatch request the SDK sent.
const cloudwatch = new CloudWatchClient(config);
cloudwatch.middlewareStack.add(
  (next) => async (args) => {
    wire.push(args.request.headers);
    return next(args);
  },
  { step: "finalizeRequest", name: "recordRequests" },
);

// GET /_wharf/clock, or POST /_wharf/clock/advance by `seconds`.
async function clock(seconds) {
  const response =
    seconds === undefined
      ? await fetch(`${endpoint}/_wharf/clock`)
      : await fetch(`${endpoint}/_wharf/clock/advance`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ seconds }),
        });
  assert.equal(response.status, 200);
  return (await response.json()).epochMillis;
}

// Rejects with the SDK's error for `promise`, checked by `expected`.
async function rejects(promise, expected) {
  await assert.rejects(promise, (error) => {
    for (const [key, value] of Object.entries(expected)) assert.equal(error[key], value, key);
    return true;
  });
}

describe("CloudWatch over AWS JSON 1.0", () => {
  test("the SDK speaks JSON 1.0 to the endpoint", async () => {
    await cloudwatch.send(new ListMetricsCommand({ Namespace: "Nothing" }));
    const headers = wire.at(-1);
    assert.equal(headers["x-amz-target"], "GraniteServiceVersion20100801.ListMetrics");
    assert.equal(headers["content-type"], "application/x-amz-json-1.0");
  });

  test("metrics come back with their statistics, percentiles and timestamps", async () => {
    const ns = `App/${randomUUID().slice(0, 8)}`;
    const now = await clock();
    const minute = new Date(now - (now % 60000));
    const dimensions = [
      { Name: "Service", Value: "api" },
      { Name: "Stage", Value: "prod" },
    ];
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: ns,
        MetricData: [
          { MetricName: "Latency", Dimensions: dimensions, Timestamp: minute, Value: 10, Unit: "Milliseconds" },
          {
            MetricName: "Latency",
            Dimensions: dimensions,
            Timestamp: new Date(minute.getTime() + 1500),
            Values: [20, 30.5],
            Counts: [1, 2],
            Unit: "Milliseconds",
          },
          {
            MetricName: "Bulk",
            Dimensions: dimensions,
            Timestamp: minute,
            StatisticValues: { SampleCount: 2, Sum: 1000, Minimum: 400, Maximum: 600 },
            Unit: "Count",
          },
        ],
      }),
    );

    const query = {
      Namespace: ns,
      MetricName: "Latency",
      Dimensions: dimensions,
      StartTime: minute,
      EndTime: new Date(minute.getTime() + 60000),
      Period: 60,
    };
    const stats = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        ...query,
        Statistics: ["SampleCount", "Sum", "Minimum", "Maximum", "Average"],
      }),
    );
    assert.equal(stats.Label, "Latency");
    assert.equal(stats.Datapoints.length, 1);
    const point = stats.Datapoints[0];
    assert.ok(point.Timestamp instanceof Date);
    assert.equal(point.Timestamp.getTime(), minute.getTime());
    assert.equal(point.SampleCount, 4);
    assert.equal(point.Sum, 91);
    assert.equal(point.Minimum, 10);
    assert.equal(point.Maximum, 30.5);
    assert.equal(point.Average, 22.75);
    assert.equal(point.Unit, "Milliseconds");
    const percentiles = await cloudwatch.send(
      new GetMetricStatisticsCommand({ ...query, ExtendedStatistics: ["p0", "p100"] }),
    );
    const { p0, p100 } = percentiles.Datapoints[0].ExtendedStatistics;
    assert.ok(p0 >= 10 && p0 < 10.5, `p0 ${p0}`);
    assert.ok(p100 > 30 && p100 <= 30.5, `p100 ${p100}`);

    const data = await cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: minute,
        EndTime: new Date(minute.getTime() + 60000),
        MetricDataQueries: [
          {
            Id: "sum",
            MetricStat: {
              Metric: { Namespace: ns, MetricName: "Bulk", Dimensions: dimensions },
              Period: 60,
              Stat: "Sum",
            },
          },
        ],
      }),
    );
    assert.equal(data.MetricDataResults.length, 1);
    const result = data.MetricDataResults[0];
    assert.equal(result.Id, "sum");
    assert.equal(result.StatusCode, "Complete");
    assert.deepEqual(result.Values, [1000]);
    assert.deepEqual(
      result.Timestamps.map((t) => t.getTime()),
      [minute.getTime()],
    );

    const listed = await cloudwatch.send(new ListMetricsCommand({ Namespace: ns }));
    assert.deepEqual(
      listed.Metrics.map((m) => m.MetricName).sort(),
      ["Bulk", "Latency"],
    );
    assert.deepEqual(listed.Metrics[0].Dimensions, dimensions);
  });

  test("a large PutMetricData, which the SDK gzips, arrives whole", async () => {
    const ns = `App/${randomUUID().slice(0, 8)}`;
    const MetricData = [];
    for (let i = 0; i < 300; ++i) {
      MetricData.push({ MetricName: `m${i}`, Dimensions: [{ Name: "Host", Value: `host-${i}` }], Value: i });
    }
    await cloudwatch.send(new PutMetricDataCommand({ Namespace: ns, MetricData }));
    assert.equal(wire.at(-1)["content-encoding"], "gzip");
    let count = 0;
    let NextToken;
    do {
      const page = await cloudwatch.send(new ListMetricsCommand({ Namespace: ns, NextToken }));
      count += page.Metrics.length;
      NextToken = page.NextToken;
    } while (NextToken);
    assert.equal(count, 300);
  });

  test("an alarm is evaluated on the manual clock and notifies a subscribed queue", async () => {
    const suffix = randomUUID().slice(0, 8);
    const sqs = new SQSClient(config);
    const sns = new SNSClient(config);
    const { QueueUrl: alerts } = await sqs.send(new CreateQueueCommand({ QueueName: `alerts-${suffix}` }));
    const { TopicArn: topic } = await sns.send(new CreateTopicCommand({ Name: `ops-${suffix}` }));
    await sns.send(
      new SubscribeCommand({
        TopicArn: topic,
        Protocol: "sqs",
        Endpoint: `arn:aws:sqs:${region}:${account}:alerts-${suffix}`,
      }),
    );
    const ns = `App/${suffix}`;
    const alarmName = `errors-${suffix}`;
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: alarmName,
        AlarmDescription: "Too many errors",
        MetricName: "Errors",
        Namespace: ns,
        Statistic: "Sum",
        Dimensions: [{ Name: "Service", Value: "api" }],
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 5.5,
        ComparisonOperator: "GreaterThanThreshold",
        TreatMissingData: "notBreaching",
        AlarmActions: [topic],
      }),
    );
    let [alarm] = (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName] }))).MetricAlarms;
    assert.equal(alarm.StateValue, "INSUFFICIENT_DATA");
    assert.equal(alarm.Threshold, 5.5);
    assert.equal(alarm.ActionsEnabled, true);
    assert.deepEqual(alarm.AlarmActions, [topic]);
    assert.deepEqual(alarm.Dimensions, [{ Name: "Service", Value: "api" }]);
    assert.equal(alarm.AlarmArn, `arn:aws:cloudwatch:${region}:${account}:alarm:${alarmName}`);
    assert.ok(alarm.StateUpdatedTimestamp instanceof Date);

    // Ten errors in this minute; the next minute boundary evaluates it.
    const now = await clock();
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: ns,
        MetricData: [{ MetricName: "Errors", Dimensions: [{ Name: "Service", Value: "api" }], Value: 10 }],
      }),
    );
    await clock(60 - ((now / 1000) % 60));
    [alarm] = (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: alarmName }))).MetricAlarms;
    assert.equal(alarm.StateValue, "ALARM");
    assert.match(alarm.StateReason, /was greater than the threshold \(5\.5\)/);
    const forMetric = await cloudwatch.send(
      new DescribeAlarmsForMetricCommand({
        MetricName: "Errors",
        Namespace: ns,
        Dimensions: [{ Name: "Service", Value: "api" }],
      }),
    );
    assert.deepEqual(
      forMetric.MetricAlarms.map((a) => a.AlarmName),
      [alarmName],
    );

    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: alerts, WaitTimeSeconds: 0 }));
    assert.equal(received.Messages.length, 1);
    const notification = JSON.parse(JSON.parse(received.Messages[0].Body).Message);
    assert.equal(notification.AlarmName, alarmName);
    assert.equal(notification.NewStateValue, "ALARM");

    await cloudwatch.send(new DisableAlarmActionsCommand({ AlarmNames: [alarmName] }));
    await cloudwatch.send(
      new SetAlarmStateCommand({
        AlarmName: alarmName,
        StateValue: "OK",
        StateReason: "by hand",
        StateReasonData: '{"source":"test"}',
      }),
    );
    [alarm] = (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName] }))).MetricAlarms;
    assert.equal(alarm.StateValue, "OK");
    assert.equal(alarm.ActionsEnabled, false);
    assert.equal(alarm.StateReasonData, '{"source":"test"}');
    const history = await cloudwatch.send(
      new DescribeAlarmHistoryCommand({ AlarmName: alarmName, HistoryItemType: "StateUpdate" }),
    );
    // Newest first; an evaluation may have come before the errors (missing
    // data is not breaching: OK).
    const summaries = history.AlarmHistoryItems.map((h) => h.HistorySummary);
    assert.equal(summaries[0], "Alarm updated from ALARM to OK");
    assert.match(summaries[1], /^Alarm updated from (INSUFFICIENT_DATA|OK) to ALARM$/);
    assert.ok(history.AlarmHistoryItems[0].Timestamp instanceof Date);

    await cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: [alarmName] }));
    const left = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName] }));
    assert.deepEqual(left.MetricAlarms, []);
  });

  test("a composite alarm's actions wait for its suppressor's ExtensionPeriod", async () => {
    // Children and suppressor are composite alarms with constant rules, so
    // no metric evaluation changes them while the clock moves.
    const suffix = randomUUID().slice(0, 8);
    const sqs = new SQSClient(config);
    const sns = new SNSClient(config);
    const { QueueUrl: pages } = await sqs.send(new CreateQueueCommand({ QueueName: `pages-${suffix}` }));
    const { TopicArn: topic } = await sns.send(new CreateTopicCommand({ Name: `pager-${suffix}` }));
    await sns.send(
      new SubscribeCommand({
        TopicArn: topic,
        Protocol: "sqs",
        Endpoint: `arn:aws:sqs:${region}:${account}:pages-${suffix}`,
        Attributes: { RawMessageDelivery: "true" },
      }),
    );
    const [api, db, maintenance, service] = ["api", "db", "maintenance", "service"].map((n) => `${n}-${suffix}`);
    const put = (name, rule, more = {}) =>
      cloudwatch.send(new PutCompositeAlarmCommand({ AlarmName: name, AlarmRule: rule, ...more }));
    await put(api, "FALSE");
    await put(db, "FALSE");
    await put(maintenance, "TRUE"); // In ALARM: a maintenance window.
    const rule = `AT_LEAST(1, ALARM, ("${api}", "${db}"))`;
    await put(service, rule, {
      AlarmActions: [topic],
      ActionsSuppressor: maintenance,
      ActionsSuppressorWaitPeriod: 30,
      ActionsSuppressorExtensionPeriod: 90,
    });
    const describe = async () =>
      (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [service], AlarmTypes: ["CompositeAlarm"] })))
        .CompositeAlarms[0];
    const pending = async () =>
      (await sqs.send(new ReceiveMessageCommand({ QueueUrl: pages, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 })))
        .Messages ?? [];

    let alarm = await describe();
    assert.equal(alarm.AlarmRule, rule);
    assert.equal(alarm.StateValue, "OK");
    assert.equal(alarm.ActionsSuppressor, maintenance);
    assert.equal(alarm.ActionsSuppressorWaitPeriod, 30);
    assert.equal(alarm.ActionsSuppressorExtensionPeriod, 90);
    assert.equal(alarm.ActionsSuppressedBy, "Alarm");
    assert.equal(alarm.ActionsSuppressedReason, "Actions suppressed by Alarm");

    await put(db, "TRUE"); // One of the two in ALARM: at least 1.
    alarm = await describe();
    assert.equal(alarm.StateValue, "ALARM");
    assert.equal(alarm.ActionsSuppressedBy, "Alarm");
    assert.deepEqual(await pending(), []);

    await put(maintenance, "FALSE"); // The window ends: 90 s more.
    assert.equal((await describe()).ActionsSuppressedBy, "ExtensionPeriod");
    await clock(89);
    assert.deepEqual(await pending(), []);
    await clock(1);
    const [page] = await pending();
    const notification = JSON.parse(page.Body);
    assert.equal(notification.AlarmName, service);
    assert.equal(notification.NewStateValue, "ALARM");
    assert.equal(notification.OldStateValue, "OK");
    assert.equal((await describe()).ActionsSuppressedBy, undefined);

    // DeleteAlarms takes one composite alarm a call.
    for (const name of [service, api, db, maintenance]) {
      await cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: [name] }));
    }
  });

  test("errors come back with CloudWatch's codes", async () => {
    await rejects(
      cloudwatch.send(
        new PutMetricAlarmCommand({
          AlarmName: "bad-period",
          MetricName: "m",
          Namespace: "App",
          Statistic: "Sum",
          Period: 45,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: "GreaterThanThreshold",
        }),
      ),
      { name: "InvalidParameterValueException", Code: "InvalidParameterValue", $fault: "client" },
    );
    await rejects(cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: ["never-created"] })), {
      name: "ResourceNotFound",
      Code: "ResourceNotFound",
    });
    await rejects(
      cloudwatch.send(new SetAlarmStateCommand({ AlarmName: "never-created", StateValue: "OK", StateReason: "x" })),
      { name: "ResourceNotFound", Code: "ResourceNotFound" },
    );
    await rejects(cloudwatch.send(new PutMetricDataCommand({ Namespace: "App" })), {
      name: "MissingRequiredParameterException",
      Code: "MissingParameter",
    });
    await rejects(
      cloudwatch.send(
        new PutMetricDataCommand({ Namespace: "App", MetricData: [{ MetricName: "m", Value: Number.NaN }] }),
      ),
      { name: "InvalidParameterValueException", Code: "InvalidParameterValue" },
    );
  });
});
