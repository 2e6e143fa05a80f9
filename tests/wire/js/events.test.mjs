// The AWS SDK for JavaScript v3 (@aws-sdk/client-eventbridge, unmodified)
// against wharf-server. Run through tests/wire/run_with_server.py, which sets
// WHARF_ENDPOINT:  node run.mjs events.test.mjs @aws-sdk/client-eventbridge
// The SDK speaks AWS JSON 1.1 to EventBridge; deliveries to SQS targets are
// read back with @aws-sdk/client-sqs.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";

import {
  CreateArchiveCommand,
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeArchiveCommand,
  DescribeEventBusCommand,
  DescribeReplayCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  InvalidEventPatternException,
  LimitExceededException,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  StartReplayCommand,
  TestEventPatternCommand,
} from "@aws-sdk/client-eventbridge";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";

const endpoint = process.env.WHARF_ENDPOINT;
const account = "000000000000";
const region = "us-east-1";
const wire = []; // Headers of every request the EventBridge client sent.

const config = {
  endpoint,
  region,
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
  maxAttempts: 1,
};
const events = new EventBridgeClient(config);
events.middlewareStack.add(
  (next) => async (args) => {
    wire.push(args.request.headers);
    return next(args);
  },
  { step: "finalizeRequest", name: "recordHeaders" },
);
const sqs = new SQSClient(config);

const unique = (prefix) => `${prefix}-${randomUUID().slice(0, 12)}`;

async function newQueue() {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: unique("js-eb") }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  return { url: QueueUrl, arn: Attributes.QueueArn };
}

async function newBus() {
  const name = unique("js-bus");
  await events.send(new CreateEventBusCommand({ Name: name }));
  return name;
}

// The bodies of `count` messages from `url`, long-polling for them.
async function receive(url, count = 1) {
  const bodies = [];
  const deadline = Date.now() + 10000;
  while (bodies.length < count && Date.now() < deadline) {
    const got = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    for (const message of got.Messages ?? []) {
      bodies.push(message.Body);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
    }
  }
  return bodies;
}

// Asserts that `promise` rejects with an instance of `type` named `name`
// (the SDK's modeled exception), HTTP 400, and a message matching `message`.
async function rejectsWith(promise, type, name, message = /./) {
  await assert.rejects(promise, (error) => {
    if (type) assert.ok(error instanceof type, `${error.name}: ${error.message}`);
    assert.equal(error.name, name);
    assert.equal(error.$metadata.httpStatusCode, 400);
    assert.match(error.message, message);
    return true;
  });
}

describe("@aws-sdk/client-eventbridge against wharf", () => {
  before(() => assert.ok(endpoint, "WHARF_ENDPOINT is not set"));
  after(() => {
    events.destroy();
    sqs.destroy();
  });

  test("speaks AWS JSON 1.1 with X-Amz-Target", async () => {
    await events.send(new ListEventBusesCommand({}));
    const headers = wire.at(-1);
    assert.equal(headers["x-amz-target"], "AWSEvents.ListEventBuses");
    assert.match(headers["content-type"], /^application\/x-amz-json-1\.1/);
  });

  test("event bus create, describe, list and delete", async () => {
    const name = unique("js-bus");
    const created = await events.send(
      new CreateEventBusCommand({ Name: name, Description: "js bus", Tags: [{ Key: "k", Value: "v" }] }),
    );
    assert.equal(created.EventBusArn, `arn:aws:events:${region}:${account}:event-bus/${name}`);
    const described = await events.send(new DescribeEventBusCommand({ Name: name }));
    assert.equal(described.Name, name);
    assert.equal(described.Description, "js bus");
    assert.ok(described.CreationTime instanceof Date);
    assert.ok(Math.abs(described.CreationTime.getTime() - Date.now()) < 600000);
    const listed = await events.send(new ListEventBusesCommand({ NamePrefix: name }));
    assert.deepEqual(listed.EventBuses.map((b) => b.Name), [name]);
    await rejectsWith(
      events.send(new CreateEventBusCommand({ Name: name })),
      ResourceAlreadyExistsException,
      "ResourceAlreadyExistsException",
      /already exists/,
    );
    await events.send(new DeleteEventBusCommand({ Name: name }));
    await rejectsWith(
      events.send(new DescribeEventBusCommand({ Name: name })),
      ResourceNotFoundException,
      "ResourceNotFoundException",
      new RegExp(`Event bus ${name} does not exist.`),
    );
  });

  test("a rule with a pattern delivers the event envelope to an SQS queue", async () => {
    const bus = await newBus();
    const queue = await newQueue();
    const { RuleArn } = await events.send(
      new PutRuleCommand({
        Name: "placed",
        EventBusName: bus,
        EventPattern: JSON.stringify({ source: ["shop"], "detail-type": ["OrderPlaced"] }),
      }),
    );
    assert.equal(RuleArn, `arn:aws:events:${region}:${account}:rule/${bus}/placed`);
    const put = await events.send(
      new PutTargetsCommand({ Rule: "placed", EventBusName: bus, Targets: [{ Id: "q", Arn: queue.arn }] }),
    );
    assert.equal(put.FailedEntryCount, 0);
    const rules = await events.send(new ListRulesCommand({ EventBusName: bus }));
    assert.deepEqual(rules.Rules.map((r) => [r.Name, r.State]), [["placed", "ENABLED"]]);

    const time = new Date("2026-02-03T04:05:06.789Z");
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: bus,
            Source: "shop",
            DetailType: "OrderPlaced",
            Detail: JSON.stringify({ orderId: 7, text: "\u2603 <&> \"q\"" }),
            Resources: ["arn:aws:shop:order/7"],
            Time: time,
          },
        ],
      }),
    );
    assert.equal(result.FailedEntryCount, 0);
    const [body] = await receive(queue.url);
    const envelope = JSON.parse(body);
    assert.deepEqual(envelope, {
      version: "0",
      id: result.Entries[0].EventId,
      "detail-type": "OrderPlaced",
      source: "shop",
      account,
      time: "2026-02-03T04:05:06Z",
      region,
      resources: ["arn:aws:shop:order/7"],
      detail: { orderId: 7, text: "\u2603 <&> \"q\"" },
    });
  });

  test("an InputTransformer target receives the shaped body", async () => {
    const bus = await newBus();
    const queue = await newQueue();
    await events.send(
      new PutRuleCommand({ Name: "shaped", EventBusName: bus, EventPattern: JSON.stringify({ source: ["shop"] }) }),
    );
    const transformer = {
      InputPathsMap: { id: "$.detail.orderId" },
      InputTemplate: '{"order": <id>, "rule": "<aws.events.rule-name>"}',
    };
    await events.send(
      new PutTargetsCommand({
        Rule: "shaped",
        EventBusName: bus,
        Targets: [
          {
            Id: "t",
            Arn: queue.arn,
            InputTransformer: transformer,
            DeadLetterConfig: { Arn: queue.arn },
            RetryPolicy: { MaximumRetryAttempts: 2 },
          },
        ],
      }),
    );
    const { Targets } = await events.send(new ListTargetsByRuleCommand({ Rule: "shaped", EventBusName: bus }));
    assert.equal(Targets.length, 1);
    assert.deepEqual(Targets[0].InputTransformer, transformer);
    assert.deepEqual(Targets[0].DeadLetterConfig, { Arn: queue.arn });
    assert.deepEqual(Targets[0].RetryPolicy, { MaximumRetryAttempts: 2 });
    await events.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: bus, Source: "shop", DetailType: "T", Detail: '{"orderId":"o-9"}' }],
      }),
    );
    const [body] = await receive(queue.url);
    assert.deepEqual(JSON.parse(body), { order: "o-9", rule: "shaped" });
    await events.send(new RemoveTargetsCommand({ Rule: "shaped", EventBusName: bus, Ids: ["t"] }));
    await events.send(new DeleteRuleCommand({ Name: "shaped", EventBusName: bus }));
  });

  test("TestEventPattern answers true and false", async () => {
    const event = JSON.stringify({
      id: "1",
      account,
      source: "shop",
      time: "2026-01-01T00:00:00Z",
      region,
      resources: [],
      "detail-type": "T",
      detail: { size: "large" },
    });
    const yes = await events.send(
      new TestEventPatternCommand({ EventPattern: JSON.stringify({ detail: { size: [{ prefix: "lar" }] } }), Event: event }),
    );
    assert.equal(yes.Result, true);
    const no = await events.send(
      new TestEventPatternCommand({ EventPattern: JSON.stringify({ source: ["other"] }), Event: event }),
    );
    assert.equal(no.Result, false);
  });

  test("PutEvents reports per-entry failures", async () => {
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: "shop", DetailType: "T", Detail: "not json" },
          { Source: "shop", DetailType: "T", Detail: "{}" },
          { Source: "shop", Detail: "{}" },
        ],
      }),
    );
    assert.equal(result.FailedEntryCount, 2);
    assert.deepEqual(result.Entries[0], { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." });
    assert.ok(result.Entries[1].EventId);
    assert.equal(result.Entries[2].ErrorCode, "InvalidArgument");
    assert.match(result.Entries[2].ErrorMessage, /DetailType is a required argument/);
  });

  test("archive and replay take and return Date timestamps", async () => {
    const bus = await newBus();
    const busArn = `arn:aws:events:${region}:${account}:event-bus/${bus}`;
    const name = unique("js-arc");
    const archive = await events.send(new CreateArchiveCommand({ ArchiveName: name, EventSourceArn: busArn }));
    assert.ok(archive.CreationTime instanceof Date);
    const described = await events.send(new DescribeArchiveCommand({ ArchiveName: name }));
    assert.equal(described.EventSourceArn, busArn);
    const start = new Date(Date.now() - 3600000);
    const end = new Date(Date.now() + 3600000);
    const replayName = unique("js-replay");
    const started = await events.send(
      new StartReplayCommand({
        ReplayName: replayName,
        EventSourceArn: archive.ArchiveArn,
        EventStartTime: start,
        EventEndTime: end,
        Destination: { Arn: busArn },
      }),
    );
    assert.equal(started.State, "STARTING");
    const replay = await events.send(new DescribeReplayCommand({ ReplayName: replayName }));
    assert.equal(Math.floor(replay.EventStartTime.getTime() / 1000), Math.floor(start.getTime() / 1000));
    assert.equal(Math.floor(replay.EventEndTime.getTime() / 1000), Math.floor(end.getTime() / 1000));
    assert.equal(replay.Destination.Arn, busArn);
  });

  test("errors surface as the modeled exceptions", async () => {
    await rejectsWith(
      events.send(new DescribeRuleCommand({ Name: unique("missing") })),
      ResourceNotFoundException,
      "ResourceNotFoundException",
      /does not exist on EventBus default/,
    );
    await rejectsWith(
      events.send(new PutRuleCommand({ Name: unique("bad"), EventPattern: '{"source":"shop"}' })),
      InvalidEventPatternException,
      "InvalidEventPatternException",
    );
    await rejectsWith(
      events.send(new PutRuleCommand({ Name: "bad name!", EventPattern: '{"source":["shop"]}' })),
      null,
      "ValidationException",
      /failed to satisfy constraint/,
    );
    const queue = await newQueue();
    const rule = unique("r");
    await events.send(new PutRuleCommand({ Name: rule, EventPattern: '{"source":["x"]}' }));
    const targets = Array.from({ length: 6 }, (_, i) => ({ Id: `t${i}`, Arn: queue.arn }));
    await rejectsWith(
      events.send(new PutTargetsCommand({ Rule: rule, Targets: targets })),
      LimitExceededException,
      "LimitExceededException",
    );
    // An unknown bus: AWS returns an EventId and drops the event (LocalStack
    // test_put_events_nonexistent_event_bus, AWS-validated).
    const put = await events.send(
      new PutEventsCommand({ Entries: [{ EventBusName: unique("nope"), Source: "s", DetailType: "T", Detail: "{}" }] }),
    );
    assert.equal(put.FailedEntryCount, 0);
    assert.match(put.Entries[0].EventId, /^[0-9a-f-]{36}$/);
  });
});
