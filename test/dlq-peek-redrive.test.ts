// The two operations where-is and redrive perform on SQS, against the emulator: a look at the
// DLQ that leaves every message where it was, and a redrive that keeps the trace context.
import { GetQueueAttributesCommand, SendMessageCommand, SetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { BODY_ENCODING_ATTRIBUTE, encodeBody } from '../functions/lib/webhook-message';
import { messageEventKey, peekDeadLetterQueue } from '../tools/where-is/dlq-peek';
import { redrive } from '../tools/where-is/redrive';
import { createQueue, receiveAll, sqsClient } from './support/aws';

const TRACE_HEADER = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
const TRACEPARENT = '00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01';

async function depth(sqs: SQSClient, url: string) {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return { visible: Number(Attributes.ApproximateNumberOfMessages), hidden: Number(Attributes.ApproximateNumberOfMessagesNotVisible) };
}

async function fill(sqs: SQSClient, url: string, eventIds: string[]) {
  for (const [index, eventId] of eventIds.entries()) {
    // As the producer queues it (the signed event, escaped where SQS requires, here U+FFFE), and
    // every fifth in the envelope of messages queued before 0.2.0.
    const legacy = index % 5 === 0;
    const { body, encoding } = encodeBody(JSON.stringify({ id: eventId, type: 'invoice.paid', note: '\uFFFE' }));
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: legacy ? JSON.stringify({ eventId, type: 'invoice.paid' }) : body,
        MessageAttributes: {
          traceparent: { DataType: 'String', StringValue: TRACEPARENT },
          ...(legacy ? {} : { [BODY_ENCODING_ATTRIBUTE]: { DataType: 'String', StringValue: encoding } }),
        },
        MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: TRACE_HEADER } },
      }),
    );
  }
}

describe('a look at the DLQ', () => {
  const sqs = sqsClient();

  it('sees every message, past the first ten, and leaves all of them visible', async () => {
    const dlq = await createQueue(sqs);
    const ids = Array.from({ length: 25 }, (_, i) => `evt_${i}`);
    await fill(sqs, dlq.url, ids);
    const peek = await peekDeadLetterQueue(sqs, dlq.url, { maxMessages: 100, holdSeconds: 30 });
    expect(peek.complete).toBe(true);
    expect(peek.messages.map(messageEventKey).sort()).toEqual([...ids].sort());
    expect(await depth(sqs, dlq.url)).toEqual({ visible: 25, hidden: 0 });
  });

  it('stops at the cap and says the answer is partial', async () => {
    const dlq = await createQueue(sqs);
    await fill(sqs, dlq.url, Array.from({ length: 15 }, (_, i) => `evt_${i}`));
    const peek = await peekDeadLetterQueue(sqs, dlq.url, { maxMessages: 10, holdSeconds: 30 });
    expect(peek.messages).toHaveLength(10);
    expect(peek.complete).toBe(false);
    expect(peek.notes.join()).toMatch(/read 10 of about 15/);
    expect(await depth(sqs, dlq.url)).toEqual({ visible: 15, hidden: 0 });
  });

  it('does not read a queue whose receives count toward a maxReceiveCount', async () => {
    const [dlq, other] = [await createQueue(sqs), await createQueue(sqs)];
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: dlq.url, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: other.arn, maxReceiveCount: 3 }) } }));
    await fill(sqs, dlq.url, ['evt_1']);
    const peek = await peekDeadLetterQueue(sqs, dlq.url, { maxMessages: 10, holdSeconds: 30 });
    expect(peek.messages).toEqual([]);
    expect(peek.notes.join()).toMatch(/redrive policy of its own/);
    const [message] = await receiveAll(sqs, dlq.url);
    expect(message?.Attributes?.ApproximateReceiveCount).toBe('1');
  });
});

describe('redrive', () => {
  const sqs = sqsClient();

  it('dry run: lists, changes nothing', async () => {
    const [queue, dlq] = [await createQueue(sqs), await createQueue(sqs)];
    await fill(sqs, dlq.url, ['evt_a', 'evt_b']);
    const result = await redrive(sqs, { dlqUrl: dlq.url, queueUrl: queue.url, method: 'auto', dryRun: true, maxMessages: 100 });
    expect(result.moved.map((m) => m.eventKey).sort()).toEqual(['evt_a', 'evt_b']);
    expect(await depth(sqs, dlq.url)).toEqual({ visible: 2, hidden: 0 });
    expect(await depth(sqs, queue.url)).toEqual({ visible: 0, hidden: 0 });
  });

  it('moves one event back with its body, message attributes and AWSTraceHeader; the others stay', async () => {
    const [queue, dlq] = [await createQueue(sqs), await createQueue(sqs)];
    await fill(sqs, dlq.url, ['evt_a', 'evt_b', 'evt_c']);
    const lines: string[] = [];
    const result = await redrive(sqs, { dlqUrl: dlq.url, queueUrl: queue.url, method: 'auto', eventKey: 'evt_b', dryRun: false, maxMessages: 100, onMessage: (l) => lines.push(l) });
    expect(result.method).toBe('copy');
    expect(result.moved).toEqual([expect.objectContaining({ eventKey: 'evt_b' })]);
    expect(lines).toHaveLength(1);
    expect(await depth(sqs, dlq.url)).toEqual({ visible: 2, hidden: 0 });
    const [moved] = await receiveAll(sqs, queue.url);
    expect(moved?.MessageId).toBe(result.moved[0]?.to);
    // Byte for byte, with its encoding attribute: the consumer reads back exactly the signed text.
    const sent = encodeBody(JSON.stringify({ id: 'evt_b', type: 'invoice.paid', note: '\uFFFE' }));
    expect(moved?.Body).toBe(sent.body);
    expect(moved?.MessageAttributes?.[BODY_ENCODING_ATTRIBUTE]?.StringValue).toBe(sent.encoding);
    expect(moved?.MessageAttributes?.traceparent?.StringValue).toBe(TRACEPARENT);
    expect(moved?.Attributes?.AWSTraceHeader).toBe(TRACE_HEADER);
  });

  it('moves at most --count, at most --rate a second', async () => {
    const [queue, dlq] = [await createQueue(sqs), await createQueue(sqs)];
    await fill(sqs, dlq.url, ['evt_1', 'evt_2', 'evt_3', 'evt_4']);
    const waits: number[] = [];
    const result = await redrive(sqs, {
      dlqUrl: dlq.url,
      queueUrl: queue.url,
      method: 'auto',
      count: 3,
      rate: 2,
      dryRun: false,
      maxMessages: 100,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    expect(result.moved).toHaveLength(3);
    expect(await depth(sqs, dlq.url)).toEqual({ visible: 1, hidden: 0 });
    expect(await depth(sqs, queue.url)).toEqual({ visible: 3, hidden: 0 });
    // Sends 2 and 3 each waited for their slot (500 ms apart at 2/s); the sleep is injected, nothing is timed here.
    expect(waits).toHaveLength(2);
    expect(waits.every((ms) => ms > 0 && ms <= 500)).toBe(true);
  });

  it('moving everything falls back to a copy where StartMessageMoveTask is missing (moto)', async () => {
    const [queue, dlq] = [await createQueue(sqs), await createQueue(sqs)];
    await fill(sqs, dlq.url, ['evt_1', 'evt_2']);
    const result = await redrive(sqs, { dlqUrl: dlq.url, queueUrl: queue.url, method: 'auto', dryRun: false, maxMessages: 100 });
    expect(result.method).toBe('copy');
    expect(result.notes.join()).toMatch(/StartMessageMoveTask is not available/);
    expect(await depth(sqs, queue.url)).toEqual({ visible: 2, hidden: 0 });
    await expect(redrive(sqs, { dlqUrl: dlq.url, queueUrl: queue.url, method: 'move-task', count: 1, dryRun: false, maxMessages: 100 })).rejects.toThrow(/need --method copy/);
  });
});
