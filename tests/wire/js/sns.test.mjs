// The AWS SDK for JavaScript v3 (@aws-sdk/client-sns, unmodified) against
// wharf-server. Run through tests/wire/run_with_server.py, which sets
// WHARF_ENDPOINT:  node run.mjs sns.test.mjs @aws-sdk/client-sns
// The SDK speaks the SNS query protocol; deliveries are read back with
// @aws-sdk/client-sqs (AWS JSON 1.0), which checks body and attribute MD5s.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";

import {
  BatchEntryIdsNotDistinctException,
  CreateTopicCommand,
  DeleteTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  InvalidParameterException,
  InvalidParameterValueException,
  ListSubscriptionsByTopicCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  NotFoundException,
  PublishBatchCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
  TagResourceCommand,
  UnsubscribeCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-sns";
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
const config = {
  endpoint,
  region,
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
  maxAttempts: 1,
};
const wire = []; // Headers and bodies of every SNS request the SDK sent.
const sns = new SNSClient(config);
sns.middlewareStack.add(
  (next) => async (args) => {
    wire.push({ headers: args.request.headers, body: args.request.body });
    return next(args);
  },
  { step: "finalizeRequest", name: "recordRequests" },
);
const sqs = new SQSClient(config);

const unique = (prefix) => `${prefix}-${randomUUID().slice(0, 12)}`;

async function newTopic(attributes = {}, fifo = false) {
  const name = unique("js") + (fifo ? ".fifo" : "");
  const Attributes = fifo ? { ...attributes, FifoTopic: "true" } : attributes;
  return (await sns.send(new CreateTopicCommand({ Name: name, Attributes }))).TopicArn;
}

async function newQueue(fifo = false) {
  const name = unique("js-sns") + (fifo ? ".fifo" : "");
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: fifo ? { FifoQueue: "true" } : {} }),
  );
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  return { url: QueueUrl, arn: Attributes.QueueArn };
}

async function subscribeQueue(topic, queueArn, attributes = {}) {
  const { SubscriptionArn } = await sns.send(
    new SubscribeCommand({
      TopicArn: topic,
      Protocol: "sqs",
      Endpoint: queueArn,
      Attributes: attributes,
      ReturnSubscriptionArn: true,
    }),
  );
  return SubscriptionArn;
}

// `count` messages from `url`, long polling for them, deleted as read.
async function receive(url, count, extra = {}) {
  const messages = [];
  const deadline = Date.now() + 10000;
  while (messages.length < count && Date.now() < deadline) {
    const got = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, ...extra }),
    );
    for (const message of got.Messages ?? []) {
      messages.push(message);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
    }
  }
  assert.equal(messages.length, count, JSON.stringify(messages));
  return messages;
}

// Asserts that `promise` rejects with an instance of `type` carrying the
// query error `code` and HTTP `status`.
async function rejectsWith(promise, type, code, status = 400) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof type, `${error.name}: ${error.message}`);
    assert.equal(error.Error?.Code ?? error.Code, code);
    assert.equal(error.$metadata.httpStatusCode, status);
    return true;
  });
}

describe("@aws-sdk/client-sns against wharf", () => {
  before(() => assert.ok(endpoint, "WHARF_ENDPOINT is not set"));
  after(() => {
    sns.destroy();
    sqs.destroy();
  });

  test("speaks the query protocol with Action=", async () => {
    await sns.send(new ListTopicsCommand({}));
    const { headers, body } = wire.at(-1);
    assert.match(headers["content-type"], /^application\/x-www-form-urlencoded/);
    assert.match(String(body), /^Action=ListTopics&Version=2010-03-31/);
    console.log("@aws-sdk/client-sns speaks the SNS query protocol");
  });

  test("topic CRUD and tags", async () => {
    const topic = await newTopic({ DisplayName: "Js" });
    await sns.send(
      new SetTopicAttributesCommand({ TopicArn: topic, AttributeName: "DisplayName", AttributeValue: "Renamed" }),
    );
    const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn: topic }));
    assert.equal(Attributes.DisplayName, "Renamed");
    assert.equal(Attributes.Owner, account);
    await sns.send(
      new TagResourceCommand({ ResourceArn: topic, Tags: [{ Key: "a", Value: "1" }, { Key: "b", Value: "2" }] }),
    );
    await sns.send(new UntagResourceCommand({ ResourceArn: topic, TagKeys: ["a"] }));
    const { Tags } = await sns.send(new ListTagsForResourceCommand({ ResourceArn: topic }));
    assert.deepEqual(Tags, [{ Key: "b", Value: "2" }]);
    await sns.send(new DeleteTopicCommand({ TopicArn: topic }));
    await rejectsWith(sns.send(new GetTopicAttributesCommand({ TopicArn: topic })), NotFoundException, "NotFound", 404);
  });

  test("subscribe a queue; publish delivers the JSON envelope", async () => {
    const topic = await newTopic();
    const queue = await newQueue();
    const subscription = await subscribeQueue(topic, queue.arn);
    assert.ok(subscription.startsWith(`${topic}:`), subscription);
    const { Subscriptions } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic }));
    assert.deepEqual(Subscriptions, [
      { SubscriptionArn: subscription, Owner: account, Protocol: "sqs", Endpoint: queue.arn, TopicArn: topic },
    ]);
    const { MessageId } = await sns.send(
      new PublishCommand({
        TopicArn: topic,
        Message: "hello from js ☃",
        Subject: "Hi",
        MessageAttributes: {
          kind: { DataType: "String", StringValue: "greeting" },
          blob: { DataType: "Binary", BinaryValue: Uint8Array.from([1, 2, 3]) },
        },
      }),
    );
    const [message] = await receive(queue.url, 1);
    const envelope = JSON.parse(message.Body);
    assert.equal(envelope.Type, "Notification");
    assert.equal(envelope.MessageId, MessageId);
    assert.equal(envelope.TopicArn, topic);
    assert.equal(envelope.Subject, "Hi");
    assert.equal(envelope.Message, "hello from js ☃");
    assert.match(envelope.Timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(envelope.MessageAttributes, {
      blob: { Type: "Binary", Value: "AQID" },
      kind: { Type: "String", Value: "greeting" },
    });
  });

  test("raw delivery carries the body and the attributes", async () => {
    const topic = await newTopic();
    const queue = await newQueue();
    const subscription = await subscribeQueue(topic, queue.arn);
    await sns.send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn: subscription,
        AttributeName: "RawMessageDelivery",
        AttributeValue: "true",
      }),
    );
    const { Attributes } = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: subscription }));
    assert.equal(Attributes.RawMessageDelivery, "true");
    await sns.send(
      new PublishCommand({
        TopicArn: topic,
        Message: "raw",
        MessageAttributes: { attr1: { DataType: "Number", StringValue: "99.12" } },
      }),
    );
    const [message] = await receive(queue.url, 1, { MessageAttributeNames: ["All"] });
    assert.equal(message.Body, "raw");
    assert.deepEqual(message.MessageAttributes, { attr1: { DataType: "Number", StringValue: "99.12" } });
    assert.equal(message.MD5OfMessageAttributes, "d302007e9aa062660afc85fd0a482472");
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: subscription }));
    await rejectsWith(
      sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: subscription })),
      NotFoundException,
      "NotFound",
      404,
    );
  });

  test("a filter policy drops a message", async () => {
    const topic = await newTopic();
    const queue = await newQueue();
    await subscribeQueue(topic, queue.arn, {
      RawMessageDelivery: "true",
      FilterPolicy: JSON.stringify({ price: [{ numeric: [">=", 100] }] }),
    });
    for (const price of ["50", "150"]) {
      await sns.send(
        new PublishCommand({
          TopicArn: topic,
          Message: `price ${price}`,
          MessageAttributes: { price: { DataType: "Number", StringValue: price } },
        }),
      );
    }
    const [message] = await receive(queue.url, 1);
    assert.equal(message.Body, "price 150");
    const rest = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.url, WaitTimeSeconds: 0 }));
    assert.equal(rest.Messages, undefined);
  });

  test("PublishBatch delivers every entry and rejects duplicate ids", async () => {
    const topic = await newTopic();
    const queue = await newQueue();
    await subscribeQueue(topic, queue.arn, { RawMessageDelivery: "true" });
    const entries = Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, Message: `m${i}` }));
    const result = await sns.send(new PublishBatchCommand({ TopicArn: topic, PublishBatchRequestEntries: entries }));
    assert.equal(result.Successful.length, 10);
    assert.equal(result.Failed?.length ?? 0, 0);
    const bodies = (await receive(queue.url, 10)).map((m) => m.Body).sort();
    assert.deepEqual(bodies, entries.map((e) => e.Message).sort());
    await rejectsWith(
      sns.send(
        new PublishBatchCommand({
          TopicArn: topic,
          PublishBatchRequestEntries: [
            { Id: "x", Message: "a" },
            { Id: "x", Message: "b" },
          ],
        }),
      ),
      BatchEntryIdsNotDistinctException,
      "BatchEntryIdsNotDistinct",
    );
  });

  test("FIFO topic to FIFO queue keeps the group order", async () => {
    const topic = await newTopic({ ContentBasedDeduplication: "true" }, true);
    const queue = await newQueue(true);
    await subscribeQueue(topic, queue.arn, { RawMessageDelivery: "true" });
    const sequence = [];
    for (const body of ["a", "b", "c"]) {
      const { SequenceNumber } = await sns.send(
        new PublishCommand({ TopicArn: topic, Message: body, MessageGroupId: "g1" }),
      );
      sequence.push(BigInt(SequenceNumber));
    }
    assert.ok(sequence[0] < sequence[1] && sequence[1] < sequence[2], String(sequence));
    const messages = await receive(queue.url, 3, { MessageSystemAttributeNames: ["MessageGroupId"] });
    assert.deepEqual(messages.map((m) => m.Body), ["a", "b", "c"]);
    assert.equal(messages[0].Attributes.MessageGroupId, "g1");
  });

  test("errors carry the exact code", async () => {
    const missing = `arn:aws:sns:${region}:${account}:${unique("missing")}`;
    await rejectsWith(sns.send(new PublishCommand({ TopicArn: missing, Message: "x" })), NotFoundException, "NotFound", 404);
    await rejectsWith(sns.send(new CreateTopicCommand({ Name: "bad name" })), InvalidParameterException, "InvalidParameter");
    const topic = await newTopic();
    await rejectsWith(
      sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: "sqs", Endpoint: "not-an-arn" })),
      InvalidParameterException,
      "InvalidParameter",
    );
    await rejectsWith(
      sns.send(
        new PublishCommand({
          TopicArn: topic,
          Message: "x",
          MessageAttributes: { a: { DataType: "Colour", StringValue: "red" } },
        }),
      ),
      InvalidParameterValueException,
      "ParameterValueInvalid",
    );
  });
});
