// Fan-out end to end on the strict local AWS: examples/local applied with fan_out (the module's
// own consumer subscribed raw as billing, a second consumer, notifications, subscribed without
// raw delivery and filtered on invoice.* from the stripe source), the local runtime running both
// consumers, each with its own queue, mapping, role and DLQ. One deployment for every test here
// (a deployment takes a minute or more): the traces of both branches, a filter, a poison event for
// one consumer only, where-is per consumer and redrive of one consumer's DLQ.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAN_OUT_VARS } from '../local-runtime/demo-fan-out';
import type { AwsCall } from '../local-runtime/local-aws';
import { deadLetteredEventIds, deployLocalStack, REGION, storedItems, waitUntil, type FanOutConsumerOutput, type LocalStack } from '../local-runtime/local-stack';
import { readSpanFile, type SpanRecord } from '../local-runtime/span-file';
import { postRequest, postWebhook, stripeEvent } from '../local-runtime/webhook-client';
import { signedWebhook } from '../local-runtime/webhook-senders';
import { failures } from '../soak/checks';
import { soakFanOutOn } from '../soak/fan-out';
import { accepted } from '../soak/sender';
import type { FanOutAnswer } from '../tools/where-is/fan-out';
import type { RedriveResult } from '../tools/where-is/redrive';
import { ROOT } from './support/bundle';

jest.setTimeout(240_000);

const run = Date.now().toString(36);
const NAME = `fo-${run}`;
const ids = {
  both: `evt_both_${run}`,
  typeFiltered: `evt_customer_${run}`,
  sourceFiltered: `evt_connect_${run}`,
  poison: `evt_poison_${run}`,
};

/** Refuses the notifications consumer's writes of the poison event while `on` (a table that refuses one item). */
function poisonForOneConsumer(eventId: string, tableName: () => string) {
  const state = { on: true, refused: 0 };
  const layer = {
    handle(call: AwsCall, res: ServerResponse): boolean {
      if (!state.on || call.caller.kind !== 'role' || call.request.operation !== 'PutItem') return false;
      const body = call.request.body.toString('utf8');
      if (!body.includes(eventId) || !body.includes(`"${tableName()}"`)) return false;
      state.refused++;
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'fan-out-poison' });
      res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ValidationException', message: 'One or more parameter values were invalid: this table refuses this item (test poison)' }));
      return true;
    },
  };
  return { state, layer };
}

describe('fan-out end to end: two consumers, raw and enveloped, on the strict local AWS', () => {
  let stack: LocalStack;
  let outputsFile: string;
  let notifications: FanOutConsumerOutput;
  let billing: FanOutConsumerOutput;
  let notificationsTable = '';
  const poison = poisonForOneConsumer(ids.poison, () => notificationsTable);

  const cli = (tool: 'where-is' | 'redrive', args: string[]) =>
    new Promise<unknown>((resolve, reject) => {
      execFile(
        process.execPath,
        [join(ROOT, 'dist/tools', `${tool}.js`), ...args, '--outputs-file', outputsFile, '--endpoint', stack.moto.endpoint, '--json'],
        { encoding: 'utf8', env: { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_REGION: REGION } },
        (error, stdout, stderr) => (error ? reject(new Error(`${tool} ${args.join(' ').slice(0, 80)} failed: ${stderr}`)) : resolve(JSON.parse(stdout))),
      );
    });
  const whereIs = async (eventId: string, ...args: string[]) => (await cli('where-is', [eventId, ...args])) as FanOutAnswer;
  const spans = () => readSpanFile(stack.spansFile);
  const recordSpans = (eventId: string, service: string) => spans().filter((s) => s.name === 'process-webhook' && s.attributes['webhook.event_id'] === eventId && s.service === service);
  const table = (consumer: FanOutConsumerOutput) => consumer.table_name as string;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--local-runtime'], { cwd: ROOT, stdio: 'pipe' });
    const workDir = mkdtempSync(join(tmpdir(), 'fan-out-e2e-'));
    stack = await deployLocalStack({ root: ROOT, workDir, name: NAME, vars: FAN_OUT_VARS, localAwsLayers: [poison.layer] });
    outputsFile = join(workDir, 'outputs.json');
    writeFileSync(outputsFile, JSON.stringify(stack.outputs));
    const consumers = stack.outputs.fan_out?.consumers ?? {};
    billing = consumers.billing as FanOutConsumerOutput;
    notifications = consumers.notifications as FanOutConsumerOutput;
    notificationsTable = table(notifications);

    const answers = [
      await postWebhook(stack.pipeline.webhookUrl, stripeEvent(ids.both, 'invoice.paid', { amount: 100 }), stack.signingSecret),
      await postWebhook(stack.pipeline.webhookUrl, stripeEvent(ids.typeFiltered, 'customer.created'), stack.signingSecret),
      // Stripe's scheme on another source: invoice.* but not from stripe.
      await postRequest(stack.pipeline.sourceUrl('stripe-connect'), signedWebhook('stripe', stack.sourceSecrets['stripe-connect'] as string, { id: ids.sourceFiltered, type: 'invoice.paid' })),
      await postWebhook(stack.pipeline.webhookUrl, stripeEvent(ids.poison, 'invoice.payment_failed'), stack.signingSecret),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    const settled = await waitUntil(
      async () => {
        const [billed, notified, dead] = await Promise.all([
          storedItems(stack.clients.dynamodb, table(billing)),
          storedItems(stack.clients.dynamodb, notificationsTable),
          deadLetteredEventIds(stack.clients.sqs, notifications.dlq_url),
        ]);
        return billed.size === 4 && notified.has(ids.both) && dead.includes(ids.poison);
      },
      { timeoutMs: 120_000, intervalMs: 2000 },
    );
    expect(settled).toBe(true);
    // Let the last spans and log lines arrive.
    await new Promise((resolve) => setTimeout(resolve, 1500));
  }, 420_000);

  afterAll(async () => {
    // The emulator goes with everything in it: a destroy would only cost time (where-is.e2e destroys).
    await stack?.stop({ destroy: false });
  }, 300_000);

  it("each consumer's record span is on the webhook's trace, beneath the producer's publish span, raw and enveloped", async () => {
    const all = spans();
    const byId = new Map(all.map((span) => [span.spanId, span]));
    const ancestors = (span: SpanRecord) => {
      const chain: SpanRecord[] = [];
      for (let parent = span.parentSpanId && byId.get(span.parentSpanId); parent; parent = parent.parentSpanId && byId.get(parent.parentSpanId)) chain.push(parent);
      return chain;
    };
    const publish = all.find((span) => span.kind === 'PRODUCER' && span.name === `send ${NAME}` && span.attributes['webhook.event_id'] === ids.both);
    expect(publish?.attributes['messaging.system']).toBe('aws.sns');
    const raw = recordSpans(ids.both, billing.function_name);
    const enveloped = recordSpans(ids.both, notifications.function_name);
    expect(raw).toHaveLength(1);
    expect(enveloped).toHaveLength(1);
    for (const [record, upstream] of [
      [raw[0] as SpanRecord, /^message_attributes/],
      [enveloped[0] as SpanRecord, /^sns_message_attributes/],
    ] as const) {
      expect(record.traceId).toBe(publish?.traceId);
      expect(ancestors(record).map((span) => span.spanId)).toContain(publish?.spanId);
      expect(String(record.attributes['trace.upstream_source'])).toMatch(upstream);
      expect(record.status).toBe('UNSET');
    }
    // Both items are on that trace, and the enveloped consumer stored the signed text, not SNS's envelope.
    const [billed, notified] = await Promise.all([storedItems(stack.clients.dynamodb, table(billing)), storedItems(stack.clients.dynamodb, notificationsTable)]);
    expect(billed.get(ids.both)?.traceId).toBe(publish?.traceId);
    expect(notified.get(ids.both)?.traceId).toBe(publish?.traceId);
    expect(notified.get(ids.both)?.payload).toBe(billed.get(ids.both)?.payload);
    expect(JSON.parse(notified.get(ids.both)?.payload ?? '{}')).toMatchObject({ id: ids.both, type: 'invoice.paid' });
  });

  it('a filter sends an event type, and a source, to one consumer only', async () => {
    const [billed, notified] = await Promise.all([storedItems(stack.clients.dynamodb, table(billing)), storedItems(stack.clients.dynamodb, notificationsTable)]);
    expect(billed.has(ids.typeFiltered)).toBe(true);
    expect(billed.has(`stripe-connect#${ids.sourceFiltered}`)).toBe(true);
    expect(notified.has(ids.typeFiltered)).toBe(false);
    expect(notified.has(`stripe-connect#${ids.sourceFiltered}`)).toBe(false);
    expect(recordSpans(ids.typeFiltered, notifications.function_name)).toEqual([]);
    expect(recordSpans(ids.sourceFiltered, notifications.function_name)).toEqual([]);
    // Nothing reached notifications' queue but what its filter takes.
    const delivered = stack.pipeline.consumerNamed('notifications').batches.flatMap((batch) => batch.messages).length;
    expect(delivered).toBeGreaterThanOrEqual(1 + 3);
    expect(new Set(recordSpans(ids.both, notifications.function_name).concat(recordSpans(ids.poison, notifications.function_name)).map((s) => s.attributes['webhook.event_id']))).toEqual(new Set([ids.both, ids.poison]));
  });

  it("a poison event for one consumer: dead-lettered there after its retries; the other stores it once and never sees it again", async () => {
    const failed = recordSpans(ids.poison, notifications.function_name);
    expect(failed.map((span) => span.status)).toEqual(['ERROR', 'ERROR', 'ERROR']);
    expect(poison.state.refused).toBe(3);
    expect(await deadLetteredEventIds(stack.clients.sqs, notifications.dlq_url)).toEqual([ids.poison]);
    expect(await deadLetteredEventIds(stack.clients.sqs, billing.dlq_url)).toEqual([]);
    const stored = recordSpans(ids.poison, billing.function_name);
    expect(stored.map((span) => span.status)).toEqual(['UNSET']);
    const billingMessages = stack.pipeline.consumerNamed('billing').batches;
    expect(billingMessages.flatMap((batch) => batch.retried)).toEqual([]);
    // Every branch's spans of the poison event are on its one trace.
    expect(new Set([...failed, ...stored].map((span) => span.traceId)).size).toBe(1);
  });

  it("where-is answers per consumer: stored by billing, in notifications' DLQ, filtered out", async () => {
    const poisoned = await whereIs(ids.poison);
    expect(poisoned.verdict).toBe('dead-lettered');
    expect(poisoned.consumers.map((c) => [c.name, c.verdict])).toEqual([
      ['billing', 'stored'],
      ['notifications', 'dead-lettered'],
    ]);
    expect(poisoned.summary).toMatch(/^stored by billing \(attempt 1\); in notifications' DLQ since about /);
    expect(poisoned.consumers[1]?.answer.deadLettered?.[0]?.lastError).toMatch(/ValidationException/);
    expect(poisoned.consumers[1]?.answer.searched).toMatchObject({ table: notificationsTable, deadLetterQueue: notifications.dlq_url, logGroups: [`/aws/lambda/${NAME}-producer`, `/aws/lambda/${NAME}-notifications`] });

    const filtered = await whereIs(ids.typeFiltered);
    expect(filtered.verdict).toBe('stored');
    expect(filtered.consumers.map((c) => [c.name, c.verdict])).toEqual([
      ['billing', 'stored'],
      ['notifications', 'filtered-out'],
    ]);
    const connect = await whereIs(ids.sourceFiltered, '--source', 'stripe-connect', '--consumer', 'notifications');
    expect(connect.consumers.map((c) => [c.name, c.verdict])).toEqual([['notifications', 'filtered-out']]);
  });

  it("redrive --consumer moves one consumer's DLQ only; the event is then stored there once, on its original trace", async () => {
    await expect(cli('redrive', ['--dry-run'])).rejects.toThrow(/fans out to billing, notifications: name one with --consumer/);
    const traceId = (await storedItems(stack.clients.dynamodb, table(billing))).get(ids.poison)?.traceId;
    poison.state.on = false;
    const result = (await cli('redrive', ['--consumer', 'notifications', '--event-id', ids.poison])) as RedriveResult;
    expect(result.moved).toEqual([expect.objectContaining({ eventKey: ids.poison })]);
    expect(await waitUntil(async () => (await storedItems(stack.clients.dynamodb, notificationsTable)).has(ids.poison), { timeoutMs: 60_000 })).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await storedItems(stack.clients.dynamodb, notificationsTable)).get(ids.poison)?.traceId).toBe(traceId);
    expect(recordSpans(ids.poison, notifications.function_name).map((span) => span.status)).toEqual(['ERROR', 'ERROR', 'ERROR', 'UNSET']);
    // billing saw it once, before, and not again.
    expect(recordSpans(ids.poison, billing.function_name)).toHaveLength(1);
    const answer = await whereIs(ids.poison);
    expect(answer.consumers.map((c) => [c.name, c.verdict])).toEqual([
      ['billing', 'stored'],
      ['notifications', 'stored'],
    ]);
  });

  it('a small seeded soak on the same deployment: each accepted event stored exactly once by each consumer whose filter takes it, no broken trace on any branch', async () => {
    poison.state.on = false;
    const { ledgers, results } = await soakFanOutOn(stack, { events: 30, seed: 20, concurrency: 4, redeliverRate: 0.2, poisonRate: 0, forgedRate: 0.1, settleTimeoutMs: 60_000 });
    const acceptedLedgers = ledgers.filter(accepted);
    const invoices = acceptedLedgers.filter((ledger) => ledger.event.type.startsWith('invoice.'));
    // The seed gives forged events, redeliveries and invoice.* events (the only ones notifications takes).
    expect(ledgers.length - acceptedLedgers.length).toBeGreaterThan(0);
    expect(ledgers.some((ledger) => ledger.deliveries.length > 1)).toBe(true);
    expect(invoices.length).toBeGreaterThan(0);
    expect(results.map(({ consumer, verdict }) => [consumer, verdict.acceptedEvents])).toEqual([
      ['billing', acceptedLedgers.length],
      ['notifications', invoices.length],
    ]);
    for (const { consumer, verdict } of results) {
      expect({ consumer, lost: verdict.lost, doubled: verdict.doubled, storedWithoutAcceptance: verdict.storedWithoutAcceptance, brokenTraces: verdict.brokenTraces, crossWired: verdict.crossWired, refused: verdict.refused }).toEqual({
        consumer,
        lost: [],
        doubled: [],
        storedWithoutAcceptance: [],
        brokenTraces: [],
        crossWired: 0,
        refused: [],
      });
      expect(verdict.itemCountDifference).toBe(0);
      expect(verdict.sampledStored).toBeGreaterThan(0);
      expect(failures(verdict)).toBe(0);
    }
  });
});
