// The AWS SDK for JavaScript v3 (@aws-sdk/client-sqs, unmodified) against
// wharf-server. Run through tests/wire/run_with_server.py, which sets
// WHARF_ENDPOINT:  node --test tests/wire/js/sqs.test.mjs
// The SDK speaks AWS JSON 1.0 to SQS and verifies MD5s of bodies and
// attributes itself; the test checks the protocol on the wire as well.

import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";

import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  TagQueueCommand,
} from "@aws-sdk/client-sqs";

const endpoint = process.env.WHARF_ENDPOINT;
const wire = []; // Headers of every request the SDK sent.

function newClient() {
  const client = new SQSClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    maxAttempts: 1,
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      wire.push(args.request.headers);
      return next(args);
    },
    { step: "finalizeRequest", name: "recordHeaders" },
  );
  return client;
}

const sqs = newClient();

function md5(bytes) {
  return createHash("md5").update(bytes).digest("hex");
}

// MD5OfMessageAttributes as spec/sqs.md section 6 defines it.
function md5OfAttributes(attributes) {
  const parts = [];
  const lengthPrefixed = (buf) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(buf.length);
    parts.push(len, buf);
  };
  const names = Object.keys(attributes).sort((a, b) =>
    Buffer.compare(Buffer.from(a), Buffer.from(b)),
  );
  for (const name of names) {
    const value = attributes[name];
    lengthPrefixed(Buffer.from(name));
    lengthPrefixed(Buffer.from(value.DataType));
    if (value.StringValue !== undefined) {
      parts.push(Buffer.from([1]));
      lengthPrefixed(Buffer.from(value.StringValue));
    } else {
      parts.push(Buffer.from([2]));
      lengthPrefixed(Buffer.from(value.BinaryValue));
    }
  }
  return md5(Buffer.concat(parts));
}

async function newQueue(attributes = {}) {
  const name = `js-${randomUUID().slice(0, 12)}`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return QueueUrl;
}

describe("@aws-sdk/client-sqs against wharf", () => {
  before(() => assert.ok(endpoint, "WHARF_ENDPOINT is not set"));
  after(() => sqs.destroy());

  test("speaks AWS JSON 1.0 with X-Amz-Target", async () => {
    await sqs.send(new ListQueuesCommand({}));
    const headers = wire.at(-1);
    assert.equal(headers["x-amz-target"], "AmazonSQS.ListQueues");
    assert.match(headers["content-type"], /^application\/x-amz-json-1\.0/);
    console.log(`@aws-sdk/client-sqs speaks the SQS json protocol (${headers["x-amz-target"]})`);
  });

  test("queue URLs point back at the endpoint", async () => {
    const url = await newQueue({ VisibilityTimeout: "50" });
    assert.ok(url.startsWith(`${endpoint}/000000000000/js-`), url);
    const name = url.split("/").at(-1);
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    assert.equal(QueueUrl, url);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }),
    );
    assert.equal(Attributes.VisibilityTimeout, "50");
    await sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { team: "js" } }));
    const { Tags } = await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }));
    assert.deepEqual(Tags, { team: "js" });
  });

  test("send and receive with string, number and binary attributes", async () => {
    const url = await newQueue();
    const attributes = {
      city: { DataType: "String", StringValue: "Zürich" },
      Count: { DataType: "Number.int", StringValue: "42" },
      trace: { DataType: "Binary", BinaryValue: Uint8Array.from([0xde, 0xad, 0xbe, 0xef]) },
    };
    const body = "Hello from JS ☃\r\n<&>";
    const sent = await sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageAttributes: attributes }),
    );
    assert.equal(sent.MD5OfMessageBody, md5(Buffer.from(body)));
    assert.equal(sent.MD5OfMessageAttributes, md5OfAttributes(attributes));
    assert.equal(sent.MD5OfMessageAttributes, "2c562bcf772108c4fa2b800f49d08139");

    const got = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["All"],
        WaitTimeSeconds: 1,
      }),
    );
    assert.equal(got.Messages.length, 1);
    const [message] = got.Messages;
    assert.equal(message.Body, body);
    assert.equal(message.MD5OfBody, md5(Buffer.from(body)));
    assert.equal(message.MD5OfMessageAttributes, md5OfAttributes(attributes));
    assert.deepEqual(Buffer.from(message.MessageAttributes.trace.BinaryValue), Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    assert.equal(message.MessageAttributes.city.StringValue, "Zürich");
    assert.equal(message.Attributes.ApproximateReceiveCount, "1");
  });

  test("batch send, receive and delete", async () => {
    const url = await newQueue();
    const entries = Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, MessageBody: `body ${i}` }));
    const sent = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
    assert.equal(sent.Successful.length, 10);
    const received = [];
    while (received.length < 10) {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
      received.push(...(got.Messages ?? []));
    }
    assert.deepEqual(received.map((m) => m.Body).sort(), entries.map((e) => e.MessageBody).sort());
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: received.slice(0, 9).map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })).concat([
          { Id: "bad", ReceiptHandle: "garbage" },
        ]),
      }),
    );
    assert.equal(deleted.Successful.length, 9);
    assert.equal(deleted.Failed[0].Id, "bad");
    assert.equal(deleted.Failed[0].Code, "ReceiptHandleIsInvalid");
    await sqs.send(new ChangeMessageVisibilityCommand({
      QueueUrl: url, ReceiptHandle: received[9].ReceiptHandle, VisibilityTimeout: 0,
    }));
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    assert.equal(again.Messages[0].Body, received[9].Body);
  });

  test("long poll returns as soon as a message arrives", async () => {
    const url = await newQueue();
    const poller = newClient();
    const start = Date.now();
    const polling = poller.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "wake up" }));
    const got = await polling;
    poller.destroy();
    assert.equal(got.Messages[0].Body, "wake up");
    assert.ok(Date.now() - start < 15000);
  });

  test("long poll on an empty queue waits, then returns nothing", async () => {
    const url = await newQueue();
    const start = Date.now();
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));
    assert.ok(Date.now() - start >= 900);
    assert.equal(got.Messages, undefined);
  });

  test("unknown queue raises QueueDoesNotExist", async () => {
    await assert.rejects(
      sqs.send(new GetQueueUrlCommand({ QueueName: `missing-${randomUUID()}` })),
      (error) => {
        assert.ok(error instanceof QueueDoesNotExist, `${error.name}: ${error.message}`);
        assert.equal(error.$metadata.httpStatusCode, 400);
        return true;
      },
    );
    const url = await newQueue();
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    await assert.rejects(sqs.send(new PurgeQueueCommand({ QueueUrl: url })), QueueDoesNotExist);
  });

  test("validation errors carry the query-compatible code", async () => {
    const url = await newQueue();
    await assert.rejects(
      sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })),
      (error) => {
        assert.equal(error.$metadata.httpStatusCode, 400);
        assert.match(`${error.name} ${error.Code ?? ""}`, /InvalidParameterValue/);
        assert.match(error.message, /MaxNumberOfMessages/);
        return true;
      },
    );
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    await assert.rejects(sqs.send(new PurgeQueueCommand({ QueueUrl: url })), (error) => {
      assert.equal(error.$metadata.httpStatusCode, 403);
      assert.match(`${error.name} ${error.Code ?? ""}`, /PurgeQueueInProgress/);
      return true;
    });
  });

  test("an invalid receipt handle is ReceiptHandleIsInvalid with 404", async () => {
    const url = await newQueue();
    await assert.rejects(
      sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: "garbage" })),
      (error) => {
        assert.ok(error instanceof ReceiptHandleIsInvalid, `${error.name}: ${error.message}`);
        assert.equal(error.$metadata.httpStatusCode, 404);
        assert.equal(error.message, 'The input receipt handle "garbage" is not a valid receipt handle.');
        return true;
      },
    );
  });

  test("too many batch entries", async () => {
    const url = await newQueue();
    const entries = Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: "x" }));
    await assert.rejects(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries })), (error) => {
      assert.match(`${error.name} ${error.Code ?? ""}`, /TooManyEntriesInBatchRequest/);
      return true;
    });
  });
});
