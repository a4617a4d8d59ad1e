// End to end on the emulator: examples/local applied with Terraform, the built zips run by the
// local runtime (API Gateway, event source mapping, Lambda environments on Node 22 under the
// ADOT layer's real code), every AWS call through the local AWS endpoint, which refuses what a
// real account refuses (IAM and KMS against the deployed policies, SQS limits, the Lambda
// permission, X-Ray sampling). Spans are what the layer sent to the X-Ray daemon address. The
// pipeline runs first under the full SDK; then each statement of each function's policy is
// removed in turn to see the AccessDenied it prevents; then the pipeline runs again on the same
// deployment in fast-start mode.
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { AttachRolePolicyCommand, DetachRolePolicyCommand, GetRolePolicyCommand, ListRolePoliciesCommand, ListRolesCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AddPermissionCommand, GetFunctionConfigurationCommand, GetPolicyCommand, LambdaClient, ListFunctionsCommand, ListLayersCommand, RemovePermissionCommand } from '@aws-sdk/client-lambda';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BatchReport } from '../local-runtime/event-source-mapping';
import type { LocalLambda } from '../local-runtime/local-lambda';
import { roleNameOf } from '../local-runtime/local-aws/identity';
import { LocalPipeline } from '../local-runtime/local-pipeline';
import { deadLetteredEventIds, deployLocalStack, REGION, storedItems, waitUntil, type LocalStack } from '../local-runtime/local-stack';
import { readSpanFile, type SpanRecord } from '../local-runtime/span-file';
import { TerraformWorkspace } from '../local-runtime/terraform';
import { postRequest, postWebhook, sendWithoutTraceContext, stripeEvent, type WebhookResponse } from '../local-runtime/webhook-client';
import { newSigningSecret, signedWebhook, slackUrlVerification, type SenderEvent } from '../local-runtime/webhook-senders';
import type { SchemeName } from '../functions/producer/senders';
import type { Answer } from '../tools/where-is/locate';
import { traceIdOfHeader } from '../local-runtime/xray-ids';
import { ROOT } from './support/bundle';
import { deniedBy, mutationCases, removedPart, shuffled, without, type MutationCase, type PolicyDocument } from './support/policy-mutations';
import { stripeSignature } from './support/stripe';
import { seededRandom } from './support/webhook-fuzz';

jest.setTimeout(240_000);

const run = Date.now().toString(36);
const NAME = `e2e-${run}`;

/**
 * Each batch the mapping delivered ran on the trace Lambda gave the consumer's invocation: the
 * layer's invocation span there, its `process <queue>` span beneath, sized to the batch, and in
 * the full SDK a link per record to the producer's `send` span its AWSTraceHeader names.
 */
function expectBatchSpans(spans: SpanRecord[], batches: BatchReport[], consumer: string, options: { links: boolean }): void {
  expect(batches.length).toBeGreaterThan(0);
  for (const batch of batches) {
    const traceId = traceIdOfHeader(batch.outcome.traceHeader);
    const invocation = spans.find((s) => s.traceId === traceId && s.kind === 'SERVER' && s.name === consumer);
    const process = spans.find((s) => s.traceId === traceId && s.name === `process ${NAME}`);
    expect(invocation?.attributes['faas.trigger']).toBe('pubsub');
    expect(process).toMatchObject({ kind: 'CONSUMER', parentSpanId: invocation?.spanId });
    if (batch.messages.length > 1) expect(process?.attributes['messaging.batch.message_count']).toBe(batch.messages.length);
    const traced = batch.messages.filter((m) => m.Attributes?.AWSTraceHeader);
    const expectedLinks = options.links
      ? traced.map((m) => {
          const send = spans.find((s) => s.name === `send ${NAME}` && s.attributes['messaging.message.id'] === m.MessageId);
          return { traceId: send?.traceId, spanId: send?.spanId, attributes: { 'messaging.message.id': m.MessageId } };
        })
      : [];
    expect(process?.links).toEqual(expectedLinks);
  }
}

describe('the module and the functions, end to end on the emulator', () => {
  let stack: LocalStack;
  let destroyed = false;
  const accepted = new Map<string, string>(); // messageId -> eventId, for every HTTP 200
  const rejectedIds: string[] = [];
  const poisonId = `evt_poison_${run}_${'p'.repeat(2100)}`;
  const legacyId = `evt_legacy_${run}`;
  const burstIds = Array.from({ length: 24 }, (_, i) => `evt_burst_${run}_${i}`);
  let spans: SpanRecord[] = [];
  let settled = false;

  const post = async (body: string, signWith: string | undefined) => postWebhook(stack.pipeline.webhookUrl, body, signWith);

  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--local-runtime'], { cwd: ROOT, stdio: 'pipe' });
    stack = await deployLocalStack({ root: ROOT, workDir: mkdtempSync(join(tmpdir(), 'e2e-')), name: NAME });

    // Rejected requests: they must never reach the queue.
    for (const [body, secret] of [
      [stripeEvent(`evt_forged_${run}`, 'charge.succeeded'), 'whsec_wrong'],
      [stripeEvent(`evt_unsigned_${run}`, 'charge.succeeded'), undefined],
    ] as const) {
      const response = await post(body, secret);
      expect(response.status).toBe(401);
      rejectedIds.push(JSON.parse(body).id);
    }
    const stale = stripeEvent(`evt_stale_${run}`, 'charge.succeeded');
    const staleResponse = await fetch(stack.pipeline.webhookUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Stripe-Signature': stripeSignature(stale, stack.signingSecret, Math.floor(Date.now() / 1000) - 3600) },
      body: stale,
    });
    expect(staleResponse.status).toBe(401);
    rejectedIds.push(`evt_stale_${run}`);

    // A burst from many concurrent senders, a poison event, duplicates sent on purpose, and a
    // message from a producer without trace context: all in flight together, in mixed batches.
    const bodies = burstIds.map((id) => stripeEvent(id, 'invoice.paid'));
    const duplicates = burstIds.slice(0, 4).map((id) => stripeEvent(id, 'invoice.paid'));
    const responses = await Promise.all([...bodies, ...duplicates].map((body) => post(body, stack.signingSecret)));
    for (const response of responses) {
      expect(response.status).toBe(200);
      accepted.set(response.body.messageId as string, response.body.eventId as string);
    }
    accepted.set(await sendWithoutTraceContext(stack.clients.sqs, stack.outputs.queue_url, legacyId, 'charge.refunded'), legacyId);
    // The producer refuses an id DynamoDB cannot store (400), so the poison comes the way a
    // producer without the gate would send it: straight to the queue.
    expect((await post(stripeEvent(poisonId, 'customer.updated'), stack.signingSecret)).status).toBe(400);
    accepted.set(await sendWithoutTraceContext(stack.clients.sqs, stack.outputs.queue_url, poisonId, 'customer.updated'), poisonId);

    const eventIds = new Set(accepted.values());
    // Asserted by the first test rather than here, so each test below still says what it sees (a
    // refusal of the local AWS that keeps events from settling fails that test, not all of them).
    settled = await waitUntil(
      async () => {
        const stored = await storedItems(stack.clients.dynamodb, stack.outputs.table_name);
        const dead = await deadLetteredEventIds(stack.clients.sqs, stack.outputs.dlq_url);
        return [...eventIds].every((id) => stored.has(id) || dead.includes(id));
      },
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    spans = readSpanFile(stack.spansFile);
  }, 360_000);

  afterAll(async () => {
    if (!stack) return;
    await stack.pipeline.stop();
    if (!destroyed) await stack.workspace.destroy(stack.vars).catch(() => undefined);
    await stack.localAws.close();
    await stack.moto.stop();
  }, 180_000);

  it('deployed the mapping with ReportBatchItemFailures, batch size and window as configured', () => {
    expect(stack.pipeline.mappingSettings).toMatchObject({ batchSize: 10, batchingWindowSeconds: 1, reportBatchItemFailures: true });
    expect(stack.pipeline.mappingSettings.queueArn.endsWith(`:${NAME}`)).toBe(true);
  });

  it('ends every accepted event in the table exactly once, or in the DLQ: none lost, none doubled', async () => {
    const distinctRefusals = [...new Set(stack.localAws.denials.map((denial) => `${denial.action} on ${denial.resource}${denial.viaService ? ` via ${denial.viaService}` : ''}`))];
    expect({ settled, distinctRefusals }).toEqual({ settled: true, distinctRefusals: [] });
    const stored = await storedItems(stack.clients.dynamodb, stack.outputs.table_name);
    const dead = await deadLetteredEventIds(stack.clients.sqs, stack.outputs.dlq_url);
    const expectedStored = [...burstIds, legacyId].sort();
    expect([...stored.keys()].sort()).toEqual(expectedStored);
    expect(dead).toEqual([poisonId]);
    // 4 duplicates were delivered and counted as success, not as items.
    const duplicateSpans = spans.filter((s) => s.name === 'process-webhook' && s.attributes['webhook.duplicate'] === true);
    expect(duplicateSpans).toHaveLength(4);
    // Each item leads to the trace of the delivery that stored it.
    for (const [eventId, item] of stored) {
      const storing = spans.find((s) => s.name === 'process-webhook' && s.attributes['webhook.event_id'] === eventId && s.attributes['webhook.duplicate'] === false);
      expect(storing?.traceId).toBe(item.traceId);
    }
  });

  it('retries a failed record up to maxReceiveCount, then redrives it to the DLQ; its batch neighbours are not retried', () => {
    const poisonAttempts = spans.filter((s) => s.name === 'process-webhook' && s.attributes['webhook.event_id'] === poisonId);
    expect(poisonAttempts).toHaveLength(3);
    expect(poisonAttempts.every((s) => s.status === 'ERROR' && s.statusMessage?.includes('hashkey'))).toBe(true);
    // Each attempt says which delivery it was and how long the message had waited by then.
    expect(poisonAttempts.map((s) => s.attributes['aws.sqs.message.delivery_count']).sort()).toEqual([1, 2, 3]);
    const waits = [...poisonAttempts].sort((a, b) => a.startMs - b.startMs).map((s) => Number(s.attributes['aws.sqs.message.queue_wait_ms']));
    expect(waits.every((w, i) => Number.isFinite(w) && (i === 0 || w > waits[i - 1]!))).toBe(true);
    const poisonMessageId = [...accepted].find(([, eventId]) => eventId === poisonId)![0];
    const batchesWithPoison = stack.pipeline.batches.filter((batch) => batch.messages.some((m) => m.MessageId === poisonMessageId));
    expect(batchesWithPoison).toHaveLength(3);
    for (const batch of stack.pipeline.batches) {
      expect(batch.retried).toEqual(batch.messages.some((m) => m.MessageId === poisonMessageId) ? [poisonMessageId] : []);
    }
    // Every other delivery was processed exactly once.
    for (const [messageId, eventId] of accepted) {
      if (eventId === poisonId) continue;
      expect(spans.filter((s) => s.name === 'process-webhook' && s.attributes['messaging.message.id'] === messageId)).toHaveLength(1);
    }
  });

  it('keeps every consumer span of a burst in mixed batches on its own producer trace', () => {
    expect(stack.pipeline.batches.some((batch) => batch.messages.length > 1)).toBe(true);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    for (const [messageId, eventId] of accepted) {
      if (eventId === legacyId || eventId === poisonId) continue;
      const send = spans.find((s) => s.kind === 'PRODUCER' && s.name === `send ${NAME}` && s.attributes['messaging.message.id'] === messageId)!;
      const api = byId.get(byId.get(send.parentSpanId!)!.parentSpanId!)!;
      expect(api.name).toBe('POST /webhook');
      for (const record of spans.filter((s) => s.name === 'process-webhook' && s.attributes['messaging.message.id'] === messageId)) {
        expect(record.traceId).toBe(send.traceId);
        expect(record.attributes['trace.has_upstream_context']).toBe(true);
        // Its parent is the send: ours, or the SDK's SendMessage span beneath it.
        let parent = byId.get(record.parentSpanId!);
        while (parent && parent.spanId !== send.spanId) parent = parent.parentSpanId ? byId.get(parent.parentSpanId) : undefined;
        expect(parent?.spanId).toBe(send.spanId);
        const write = spans.find((s) => s.parentSpanId === record.spanId && s.name === 'DynamoDB.PutItem');
        expect(write?.traceId).toBe(send.traceId);
      }
    }
    const legacy = spans.find((s) => s.name === 'process-webhook' && s.attributes['webhook.event_id'] === legacyId)!;
    expect(legacy.attributes['trace.has_upstream_context']).toBe(false);
    expect(byId.get(legacy.parentSpanId!)?.kind).toBe('SERVER');
  });

  it('runs each batch on the trace Lambda gave the invocation, under the layer’s `process <queue>` span linked to each record’s producer', () => {
    expectBatchSpans(spans, stack.pipeline.batches, stack.outputs.consumer_function_name, { links: true });
  });

  it('receives every span where the layer sends it in Lambda: well-formed datagrams, named by OTEL_SERVICE_NAME, each flagged as sampled where X-Ray decided', () => {
    expect(stack.pipeline.xrayDaemon.rejected).toEqual([]);
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['api-gateway', stack.outputs.producer_function_name, stack.outputs.consumer_function_name]));
    // The producer's invocation continues API Gateway's trace (X-Ray header in _X_AMZN_TRACE_ID).
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const invocations = spans.filter((s) => s.kind === 'SERVER' && s.name === stack.outputs.producer_function_name);
    expect(invocations.length).toBe(accepted.size - 1 + rejectedIds.length);
    expect(invocations.every((s) => byId.get(s.parentSpanId ?? '')?.name === 'POST /webhook')).toBe(true);
    // Lambda samples the traces it starts for SQS batches (1/s + 5%): each batch's spans carry the
    // decision its invocation's header held; record spans follow their producer's trace instead.
    for (const batch of stack.pipeline.batches) {
      const sampled = batch.outcome.traceHeader.endsWith('Sampled=1');
      const batchSpans = spans.filter((s) => s.traceId === traceIdOfHeader(batch.outcome.traceHeader));
      expect(batchSpans.length).toBeGreaterThan(0);
      expect(batchSpans.every((s) => s.sampled === sampled)).toBe(true);
    }
    const sendSampled = new Map(spans.filter((s) => s.kind === 'PRODUCER').map((s) => [s.traceId, s.sampled]));
    for (const record of spans.filter((s) => s.name === 'process-webhook' && sendSampled.has(s.traceId))) expect(record.sampled).toBe(sendSampled.get(record.traceId));
  });

  it('never lets a request with a bad, missing or stale signature reach the queue', async () => {
    const stored = await storedItems(stack.clients.dynamodb, stack.outputs.table_name);
    const dead = await deadLetteredEventIds(stack.clients.sqs, stack.outputs.dlq_url);
    for (const id of rejectedIds) {
      expect(stored.has(id)).toBe(false);
      expect(dead).not.toContain(id);
      expect(spans.some((s) => s.attributes['webhook.event_id'] === id)).toBe(false);
    }
    expect([...accepted.values()].some((id) => rejectedIds.includes(id))).toBe(false);
    // Every SendMessage the producer made was for an accepted event (the legacy and the poison
    // messages went straight to the queue).
    const sends = spans.filter((s) => s.kind === 'PRODUCER' && s.name === `send ${NAME}`);
    expect(sends).toHaveLength(accepted.size - 2);
    expect(sends.some((s) => s.attributes['webhook.event_id'] === poisonId)).toBe(false);
  });

  describe('what a real account refuses (issue 16): each fails here before its fix', () => {
    it('refused nothing the deployed policies should allow: every call of the functions and the mapping was authorized, records stored in the CMK-encrypted table', () => {
      // Defect 1: without kms:Decrypt through dynamodb.<region>.amazonaws.com for the consumer,
      // every PutItem into the table encrypted with the module's key is refused, and every record
      // ends in the DLQ.
      const refusal = (denial: (typeof stack.localAws.denials)[number]) => `${denial.principal}: ${denial.message.replace(/Request ID: [0-9a-f-]+/, 'Request ID: …')}`;
      expect([...new Set(stack.localAws.denials.map(refusal))]).toEqual([]);
      expect(stack.localAws.refusals).toEqual([]);
    });

    it('traces a burst of webhooks beyond 1 per second: every request API Gateway received was sampled', () => {
      // Defect 4: with only X-Ray's Default rule (1 request/s, then 5%), most of the 28 requests of
      // the burst reach the producer with Sampled=0 and no trace.
      const requests = stack.pipeline.api.requests.slice(0, accepted.size - 1 + rejectedIds.length);
      expect(requests.length).toBeGreaterThanOrEqual(28);
      expect(requests.filter((request) => !request.sampled).map((request) => request.rule)).toEqual([]);
      const producerInvocations = spans.filter((s) => s.kind === 'SERVER' && s.name === stack.outputs.producer_function_name);
      expect(producerInvocations.filter((s) => s.sampled !== true)).toHaveLength(0);
    });

    it('answers 413 at the gate for a body that fits max_body_bytes but not the deployed queue, never 502 after SQS refuses it', async () => {
      // Defect 3: the queue is 262,144 bytes (the provider's default), the gate assumed 1 MiB. A
      // body of exactly max_body_bytes' default passes the size check; with its message attributes
      // it is over the queue's limit.
      const id = `evt_large_${run}`;
      const base = stripeEvent(id, 'invoice.paid', { filler: '' });
      const body = stripeEvent(id, 'invoice.paid', { filler: 'x'.repeat(262_144 - Buffer.byteLength(base)) });
      expect(Buffer.byteLength(body)).toBe(262_144);
      const refusalsBefore = stack.localAws.refusals.length;
      const response = await post(body, stack.signingSecret);
      expect({ status: response.status, sqsRefusals: stack.localAws.refusals.slice(refusalsBefore).map((refusal) => refusal.message) }).toEqual({ status: 413, sqsRefusals: [] });
    });
  });

  describe('every sender on its own route, one deployment: GitHub, Standard Webhooks, Shopify, Slack and a second Stripe account beside /webhook', () => {
    /** What examples/local serves beside /webhook, by name, with the scheme each verifies. */
    const sourcesOf = () => Object.entries(stack.outputs.webhook_sources).filter(([name]) => name !== 'stripe') as Array<[string, { scheme: SchemeName; key_prefix: string }]>;
    const eventOf = (scheme: SchemeName, tag: string): SenderEvent => {
      const id = { stripe: `evt_${tag}_${run}`, github: `${run}-${tag}-0000-4000-8000-github000000`, 'standard-webhooks': `msg_${tag}_${run}`, shopify: `${run}-${tag}-shopify-event`, slack: `Ev${tag.toUpperCase()}${run.toUpperCase()}` }[scheme];
      const type = { stripe: 'account.updated', github: 'pull_request.opened', 'standard-webhooks': 'invoice.created', shopify: 'orders/create', slack: 'app_mention' }[scheme];
      return { id, type };
    };
    const sharedId = `shared-${run}`;
    const stored = new Map<string, { source: string; id: string; messageId: string }>(); // key -> the delivery that answered 200 first
    const answers: Record<string, WebhookResponse> = {};
    let sourceSpans: SpanRecord[] = [];
    let sourcesSettled = false;
    let requestsBefore = 0;
    let denialsBefore = 0;
    const postTo = (source: string, request: { body: string; headers: Record<string, string> }) => postRequest(stack.pipeline.sourceUrl(source), request);
    /** The record spans of the sources' (not /webhook's) deliveries that found their event already stored. */
    const duplicateSpans = (spans: SpanRecord[]) =>
      spans.filter((span) => span.name === 'process-webhook' && span.attributes['webhook.duplicate'] === true && span.attributes['webhook.source'] !== 'stripe');

    beforeAll(async () => {
      requestsBefore = stack.pipeline.api.requests.length;
      denialsBefore = stack.localAws.denials.length;
      expect(sourcesOf().map(([, source]) => source.scheme).sort()).toEqual(['github', 'shopify', 'slack', 'standard-webhooks', 'stripe']);
      for (const [name, source] of sourcesOf()) {
        const secret = stack.sourceSecrets[name] as string;
        const event = eventOf(source.scheme, 'one');
        const first = await postTo(name, signedWebhook(source.scheme, secret, event));
        // Delivered again (a GitHub redelivery keeps X-GitHub-Delivery; a retry keeps the id): stored once.
        const again = await postTo(name, signedWebhook(source.scheme, secret, event));
        answers[`${name} first`] = first;
        answers[`${name} again`] = again;
        stored.set(`${source.key_prefix}${event.id}`, { source: name, id: event.id, messageId: first.body.messageId as string });
        answers[`${name} forged`] = await postTo(name, signedWebhook(source.scheme, newSigningSecret(source.scheme), eventOf(source.scheme, 'forged')));
      }
      // The same id from two senders: two items, one per source.
      for (const [name, scheme] of [['github', 'github'], ['svix', 'standard-webhooks']] as const) {
        const response = await postTo(name, signedWebhook(scheme, stack.sourceSecrets[name] as string, { id: sharedId, type: 'push' }));
        answers[`${name} shared`] = response;
        stored.set(`${name}#${sharedId}`, { source: name, id: sharedId, messageId: response.body.messageId as string });
      }
      answers['slack url_verification'] = await postTo('slack', slackUrlVerification(stack.sourceSecrets.slack as string, `challenge-${run}`));
      answers['unknown source'] = await postTo('gitlab', signedWebhook('github', stack.sourceSecrets.github as string, eventOf('github', 'unknown')));
      // Settled when every event is stored and every second delivery has been processed too (its
      // record span exported): the item alone can be there while the redelivery is still queued.
      sourcesSettled = await waitUntil(
        async () => {
          const items = await storedItems(stack.clients.dynamodb, stack.outputs.table_name);
          sourceSpans = readSpanFile(stack.spansFile);
          const redelivered = new Set(duplicateSpans(sourceSpans).map((span) => span.attributes['webhook.source']));
          return [...stored.keys()].every((key) => items.has(key)) && sourcesOf().every(([name]) => redelivered.has(name));
        },
        { timeoutMs: 60_000, intervalMs: 1000 },
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      sourceSpans = readSpanFile(stack.spansFile);
    }, 180_000);

    it('answers each sender as it expects: 200 with its source and id, 401 for a forged signature, Slack’s challenge, 404 for a source no one configured', () => {
      const summary = Object.fromEntries(Object.entries(answers).map(([label, response]) => [label, response.status]));
      const expected = Object.fromEntries(sourcesOf().flatMap(([name]) => [[`${name} first`, 200], [`${name} again`, 200], [`${name} forged`, 401]]));
      expect(summary).toEqual({ ...expected, 'github shared': 200, 'svix shared': 200, 'slack url_verification': 200, 'unknown source': 404 });
      for (const [name, source] of sourcesOf()) expect(answers[`${name} first`]?.body).toEqual({ received: true, source: name, eventId: eventOf(source.scheme, 'one').id, messageId: expect.any(String) });
      expect(answers['slack url_verification']?.body).toEqual({ challenge: `challenge-${run}` });
      expect(answers['unknown source']?.body).toEqual({ error: 'unknown source' });
    });

    it('stores each event once under <source>#<id> (a redelivery is a duplicate), the shared id once per source, nothing forged', async () => {
      expect(sourcesSettled).toBe(true);
      const items = await storedItems(stack.clients.dynamodb, stack.outputs.table_name);
      const sourceItems = [...items.values()].filter((item) => item.source !== undefined && item.source !== 'stripe');
      expect(sourceItems.map((item) => item.eventId).sort()).toEqual([...stored.keys()].sort());
      for (const [key, { source, id }] of stored) expect({ key, source: items.get(key)?.source, sourceEventId: items.get(key)?.sourceEventId }).toEqual({ key, source, sourceEventId: id });
      // Each first and second delivery was processed; exactly one of each pair found the item there.
      const duplicates = duplicateSpans(sourceSpans);
      expect(duplicates.map((s) => s.attributes['webhook.source']).sort()).toEqual(sourcesOf().map(([name]) => name).sort());
    });

    it('puts each event on one trace from its route’s API Gateway span across the queue, webhook.source on the producer’s and the consumer’s spans', () => {
      const byId = new Map(sourceSpans.map((span) => [span.spanId, span]));
      for (const [key, { source, id, messageId }] of stored) {
        const send = sourceSpans.find((span) => span.kind === 'PRODUCER' && span.name === `send ${NAME}` && span.attributes['messaging.message.id'] === messageId);
        expect({ key, send: send?.attributes['webhook.source'], eventId: send?.attributes['webhook.event_id'] }).toEqual({ key, send: source, eventId: id });
        const invocation = byId.get(send?.parentSpanId ?? '');
        expect({ key, invocation: invocation?.attributes['webhook.source'] }).toEqual({ key, invocation: source });
        const api = byId.get(invocation?.parentSpanId ?? '');
        expect({ key, api: api?.name, path: api?.attributes['url.path'] }).toEqual({ key, api: 'POST /webhooks/{source}', path: `/v1/webhooks/${source}` });
        const record = sourceSpans.find((span) => span.name === 'process-webhook' && span.attributes['messaging.message.id'] === messageId);
        expect({ key, trace: record?.traceId, source: record?.attributes['webhook.source'], upstream: record?.attributes['trace.has_upstream_context'] }).toEqual({ key, trace: send?.traceId, source, upstream: true });
        expect(sourceSpans.some((span) => span.parentSpanId === record?.spanId && span.name === 'DynamoDB.PutItem')).toBe(true);
      }
    });

    it('sampled every request on every route with the deployment’s rule, and the local AWS refused nothing: each source’s secret read with the producer’s role', () => {
      const requests = stack.pipeline.api.requests.slice(requestsBefore);
      expect(requests.length).toBe(Object.keys(answers).length);
      expect(requests.filter((request) => !request.sampled || request.rule === 'Default').map((request) => request.rule)).toEqual([]);
      expect(stack.localAws.denials.slice(denialsBefore).map((denial) => denial.message)).toEqual([]);
    });

    it('where-is finds a source’s event with --source, and says which source a bare id would be', async () => {
      const outputsFile = join(mkdtempSync(join(tmpdir(), 'e2e-where-is-')), 'outputs.json');
      writeFileSync(outputsFile, JSON.stringify(stack.outputs));
      const whereIs = (args: string[]) =>
        new Promise<{ ok: boolean; stdout: string; stderr: string }>((resolve) =>
          execFile(process.execPath, [join(ROOT, 'dist/tools/where-is.js'), ...args, '--outputs-file', outputsFile, '--endpoint', stack.moto.endpoint, '--json'], { encoding: 'utf8', env: { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_REGION: REGION } }, (error, stdout, stderr) =>
            resolve({ ok: !error, stdout, stderr }),
          ),
        );
      const found = await whereIs([sharedId, '--source', 'svix']);
      const answer = JSON.parse(found.stdout) as Answer;
      expect({ verdict: answer.verdict, source: answer.source, key: answer.key }).toEqual({ verdict: 'stored', source: 'svix', key: `svix#${sharedId}` });
      expect(answer.timeline.map((entry) => entry.what)).toEqual(expect.arrayContaining(['webhook enqueued', 'webhook stored']));
      // Under /webhook's source (the default) no such event exists.
      expect((JSON.parse((await whereIs([sharedId])).stdout) as Answer).verdict).toBe('never-seen');
      const unknown = await whereIs([sharedId, '--source', 'gitlab']);
      expect({ ok: unknown.ok, stderr: unknown.stderr.trim() }).toEqual({ ok: false, stderr: expect.stringContaining('unknown source gitlab: this deployment serves') });
    }, 60_000);
  });

  describe('every statement of each function’s policy is needed: removed, the path that needs it gets the AccessDenied AWS gives', () => {
    const SEED = Number(process.env.MUTATION_SEED ?? 17);
    const iam = () => new IAMClient(stack.localAws.adminClientConfig());
    const lambda = () => new LambdaClient(stack.localAws.adminClientConfig());
    const roles = {} as Record<MutationCase['fn'], { roleName: string; policyName: string; policy: PolicyDocument }>;
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const fnOf = (fn: MutationCase['fn']): LocalLambda => stack.pipeline[fn];

    beforeAll(async () => {
      for (const fn of ['producer', 'consumer'] as const) {
        const { Role } = await lambda().send(new GetFunctionConfigurationCommand({ FunctionName: stack.outputs[`${fn}_function_name`] }));
        const roleName = roleNameOf(Role as string);
        const [policyName] = (await iam().send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames ?? [];
        const document = (await iam().send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }))).PolicyDocument as string;
        roles[fn] = { roleName, policyName: policyName as string, policy: JSON.parse(document.startsWith('{') ? document : decodeURIComponent(document)) as PolicyDocument };
      }
    });

    const putPolicy = (fn: MutationCase['fn'], policy: PolicyDocument) =>
      iam().send(new PutRolePolicyCommand({ RoleName: roles[fn].roleName, PolicyName: roles[fn].policyName, PolicyDocument: JSON.stringify(policy) }));

    /** Runs the path; returns what the function (or Lambda on its behalf) was answered. */
    async function runPath(testCase: MutationCase, mark: number): Promise<string> {
      const denied = () => stack.localAws.denials.slice(mark).find((denial) => deniedBy(removedPart(testCase), denial));
      const waitForDenial = async (timeoutMs: number) => {
        for (const started = Date.now(); !denied() && Date.now() - started < timeoutMs; ) await sleep(100);
      };
      switch (testCase.path) {
        case 'send':
          return `HTTP ${(await post(stripeEvent(`evt_mut_${run}_${mark}`, 'invoice.paid'), stack.signingSecret)).status}`;
        case 'cold-start': {
          await stack.pipeline.producer.stop();
          const source = testCase.source;
          const scheme = source ? stack.outputs.webhook_sources[source]?.scheme : undefined;
          // A secret that only one source reads is read only by a request to that source.
          if (source && scheme && scheme !== 'none' && source !== 'stripe') {
            const signed = signedWebhook(scheme, stack.sourceSecrets[source] as string, { id: `mut-${run}-${mark}`, type: 'invoice.paid' });
            return `HTTP ${(await postRequest(stack.pipeline.sourceUrl(source), signed)).status} (${source})`;
          }
          return `HTTP ${(await post(stripeEvent(`evt_mut_${run}_${mark}`, 'invoice.paid'), stack.signingSecret)).status}`;
        }
        case 'logs': {
          const forwarder = fnOf(testCase.fn).cloudWatchLogs;
          forwarder.write(`{"message":"mutation probe ${mark}"}\n`);
          await forwarder.flush();
          return `log delivery: ${forwarder.lastError?.name}`;
        }
        case 'poll': {
          // The mapping keeps its latest 100 errors only: count by time, not by index.
          const since = Date.now();
          const batches = stack.pipeline.batches.length;
          // A poller busy with a batch (or a consumer restarting after a timeout) polls again only
          // when done: wait well past the consumer's timeout before calling the denial missing.
          await waitForDenial(45_000);
          const refused = stack.pipeline.mapping.errors.filter((error) => error.at >= since).map((error) => error.name);
          return `event source mapping: ${refused.join(', ') || `nothing refused (${stack.pipeline.batches.length - batches} batches meanwhile)`}`;
        }
        case 'write':
          await sendWithoutTraceContext(stack.clients.sqs, stack.outputs.queue_url, `evt_mut_${run}_${mark}`, 'invoice.paid');
          await waitForDenial(20_000);
          return 'record failed';
      }
    }

    it('removes each statement in a seeded order and sees the path refused with the action and resource named', async () => {
      // Each source's secret ARN in the producer's one secret statement is a case of its own too.
      const sourceOfSecret = new Map(Object.entries(stack.outputs.webhook_sources).map(([name, source]) => [source.secret_arn, name]));
      const cases = shuffled(mutationCases({ producer: roles.producer.policy, consumer: roles.consumer.policy }, (arn) => sourceOfSecret.get(arn)), seededRandom(SEED));
      expect(cases.length).toBeGreaterThanOrEqual(8 + Object.keys(stack.outputs.webhook_sources).length);
      expect(cases.filter((testCase) => testCase.resource !== undefined).map((testCase) => testCase.source).sort()).toEqual(Object.keys(stack.outputs.webhook_sources).sort());
      const outcomes: string[] = [];
      const missed: string[] = [];
      for (const testCase of cases) {
        const label = `${testCase.fn} ${testCase.statement.Sid ?? '(no Sid)'}${testCase.resource ? ` without ${testCase.source}'s ${testCase.resource}` : ''} [${testCase.path}]`;
        const mark = stack.localAws.denials.length;
        const logsBefore = fnOf(testCase.fn).logs().length;
        await putPolicy(testCase.fn, without(roles[testCase.fn].policy, testCase.statement, testCase.resource));
        let outcome: string;
        try {
          outcome = await runPath(testCase, mark);
        } finally {
          await putPolicy(testCase.fn, roles[testCase.fn].policy);
        }
        // The function itself (or Lambda's delivery / polling for it) got AWS's sentence. Any of the
        // removed part's denials counts: a log forwarder refused PutLogEvents goes on to CreateLogStream,
        // and only its last error is kept.
        const seenBy = [fnOf(testCase.fn).logs().slice(logsBefore), fnOf(testCase.fn).cloudWatchLogs.lastError?.message ?? '', ...stack.pipeline.mapping.errors.map((error) => error.message)].join('\n');
        const denial = stack.localAws.denials
          .slice(mark)
          .find((candidate) => deniedBy(removedPart(testCase), candidate) && seenBy.includes(`is not authorized to perform: ${candidate.action} on resource: ${candidate.resource}`));
        if (!denial) missed.push(`${label}: ${outcome}; denials ${JSON.stringify(stack.localAws.denials.slice(mark).map((d) => d.action))}`);
        else outcomes.push(`${label}: ${outcome}; ${denial.message.slice(0, 200)}`);
      }
      console.log(`policy mutations (MUTATION_SEED=${SEED}):\n${outcomes.join('\n')}`);
      expect(missed).toEqual([]);
      // Restored: the pipeline works again for a new webhook.
      expect((await post(stripeEvent(`evt_mut_after_${run}`, 'invoice.paid'), stack.signingSecret)).status).toBe(200);
    }, 300_000);

    it('invokes the producer only through its Lambda permissions, one per route: without one, API Gateway answers 500 on that route alone', async () => {
      const functionName = stack.outputs.producer_function_name;
      const policy = JSON.parse((await lambda().send(new GetPolicyCommand({ FunctionName: functionName }))).Policy as string) as { Statement: Array<{ Sid: string; Condition: { ArnLike: Record<string, string> } }> };
      const permissions = policy.Statement.map((statement) => ({ sid: statement.Sid, sourceArn: Object.values(statement.Condition.ArnLike)[0] as string }));
      const api = `arn:aws:execute-api:${REGION}:123456789012:${stack.outputs.api_id}`;
      expect(permissions.map((permission) => permission.sourceArn).sort()).toEqual([`${api}/*/POST/webhook`, `${api}/*/POST/webhooks/*`]);
      // Each route's request: /webhook's Stripe event, a GitHub delivery on /webhooks/github.
      const onWebhook = (tag: string) => post(stripeEvent(`evt_${tag}_${run}`, 'invoice.paid'), stack.signingSecret);
      const onSources = (tag: string) => postRequest(stack.pipeline.sourceUrl('github'), signedWebhook('github', stack.sourceSecrets.github as string, { id: `${tag}-${run}`, type: 'push' }));
      for (const permission of permissions) {
        const [denied, other] = permission.sourceArn.endsWith('/webhook') ? [onWebhook, onSources] : [onSources, onWebhook];
        const mark = stack.localAws.denials.length;
        await lambda().send(new RemovePermissionCommand({ FunctionName: functionName, StatementId: permission.sid }));
        try {
          expect({ sid: permission.sid, answer: await denied('noperm') }).toEqual({ sid: permission.sid, answer: { status: 500, body: { message: 'Internal server error' } } });
          expect(stack.localAws.denials.slice(mark).map((denial) => denial.message)).toEqual([
            expect.stringContaining(`apigateway.amazonaws.com is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:${REGION}:123456789012:function:${functionName}`),
          ]);
          expect({ sid: permission.sid, other: (await other('otherperm')).status }).toEqual({ sid: permission.sid, other: 200 });
        } finally {
          await lambda().send(
            new AddPermissionCommand({ FunctionName: functionName, StatementId: permission.sid, Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com', SourceArn: permission.sourceArn }),
          );
        }
        expect((await denied('perm_back')).status).toBe(200);
      }
    });

    it('uploads a function’s spans only with xray:PutTraceSegments (AWSXRayDaemonWriteAccess on its role)', async () => {
      const policyArn = 'arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess';
      const readSpans = () => readSpanFile(stack.spansFile).filter((s) => s.service === stack.outputs.producer_function_name && s.attributes['webhook.event_id'] !== undefined);
      const before = readSpans().length;
      await iam().send(new DetachRolePolicyCommand({ RoleName: roles.producer.roleName, PolicyArn: policyArn }));
      const mark = stack.localAws.denials.length;
      try {
        expect((await post(stripeEvent(`evt_noxray_${run}`, 'invoice.paid'), stack.signingSecret)).status).toBe(200);
        await sleep(1000);
        expect(readSpans().filter((s) => s.attributes['webhook.event_id'] === `evt_noxray_${run}`)).toEqual([]);
        expect(stack.localAws.denials.slice(mark).map((denial) => denial.action)).toContain('xray:PutTraceSegments');
      } finally {
        await iam().send(new AttachRolePolicyCommand({ RoleName: roles.producer.roleName, PolicyArn: policyArn }));
      }
      expect((await post(stripeEvent(`evt_xray_back_${run}`, 'invoice.paid'), stack.signingSecret)).status).toBe(200);
      await sleep(1000);
      expect(readSpans().length).toBeGreaterThan(before);
    });
  });

  describe('the same deployment with the layer in fast-start (lite) mode', () => {
    // OTEL_AWS_LAMBDA_FAST_START=true set over the deployed environment, as a function deployed
    // with it would have it: the layer's /opt/otel-instrument then requires its lite wrapper.
    let lite: LocalPipeline;
    let liteSpans: SpanRecord[] = [];
    const liteIds = Array.from({ length: 3 }, (_, i) => `evt_lite_${run}_${i}`);
    const liteLegacyId = `evt_lite_legacy_${run}`;
    const liteAccepted = new Map<string, string>();

    beforeAll(async () => {
      await stack.pipeline.stop();
      const spansFile = join(mkdtempSync(join(tmpdir(), 'e2e-lite-')), 'spans.jsonl');
      lite = await LocalPipeline.start(
        { producerFunctionName: stack.outputs.producer_function_name, consumerFunctionName: stack.outputs.consumer_function_name, restApiId: stack.outputs.api_id },
        { localAws: stack.localAws, root: ROOT, spansFile, environmentOverrides: { OTEL_AWS_LAMBDA_FAST_START: 'true' } },
      );
      const responses = await Promise.all(liteIds.map((id) => postWebhook(lite.webhookUrl, stripeEvent(id, 'invoice.paid'), stack.signingSecret)));
      for (const response of responses) {
        expect(response.status).toBe(200);
        liteAccepted.set(response.body.messageId as string, response.body.eventId as string);
      }
      liteAccepted.set(await sendWithoutTraceContext(stack.clients.sqs, stack.outputs.queue_url, liteLegacyId, 'charge.refunded'), liteLegacyId);
      const settled = await waitUntil(
        async () => {
          const stored = await storedItems(stack.clients.dynamodb, stack.outputs.table_name);
          return [...liteIds, liteLegacyId].every((id) => stored.has(id));
        },
        { timeoutMs: 60_000, intervalMs: 1000 },
      );
      expect(settled).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 500));
      liteSpans = readSpanFile(spansFile);
    }, 180_000);

    afterAll(async () => {
      await lite?.stop();
    });

    it('ran the functions under the lite SDK: well-formed datagrams, the batch span without links', () => {
      expect(lite.xrayDaemon.rejected).toEqual([]);
      const consumerSpan = liteSpans.find((s) => s.name === 'process-webhook' && s.attributes['trace.has_upstream_context'] === true);
      expect(consumerSpan?.sampled).toBe(true);
      expectBatchSpans(liteSpans, lite.batches, stack.outputs.consumer_function_name, { links: false });
    });

    it('still puts one process-webhook span per record on its own producer trace', () => {
      for (const [messageId, eventId] of liteAccepted) {
        const records = liteSpans.filter((s) => s.name === 'process-webhook' && s.attributes['messaging.message.id'] === messageId);
        expect(records).toHaveLength(1);
        const record = records[0]!;
        if (eventId === liteLegacyId) {
          expect(record.attributes['trace.has_upstream_context']).toBe(false);
          continue;
        }
        const send = liteSpans.find((s) => s.name === `send ${NAME}` && s.attributes['messaging.message.id'] === messageId);
        expect(record.traceId).toBe(send?.traceId);
        expect(record.attributes['trace.has_upstream_context']).toBe(true);
        const api = liteSpans.find((s) => s.traceId === send?.traceId && s.name === 'POST /webhook');
        expect(api?.service).toBe('api-gateway');
      }
    });
  });

  it('plans the root module itself, with only name set, against the emulator', async () => {
    // The module configures no provider: the default one takes its endpoint from the environment.
    const workspace = new TerraformWorkspace(ROOT, mkdtempSync(join(tmpdir(), 'name-only-')), ROOT, {
      AWS_ENDPOINT_URL: stack.localAws.endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    });
    await workspace.init();
    const plan = await workspace.plan({ name: 'name-only' });
    expect(plan).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy/);
    expect(plan).toContain('aws_lambda_event_source_mapping.consumer will be created');
  });

  it('terraform destroy leaves nothing behind in the emulator', async () => {
    await stack.pipeline.stop();
    await stack.workspace.destroy(stack.vars);
    destroyed = true;
    const config = stack.localAws.adminClientConfig();
    const mine = (names: Array<string | undefined>) => names.filter((name) => name?.includes(NAME));
    expect(mine(((await new LambdaClient(config).send(new ListFunctionsCommand({}))).Functions ?? []).map((f) => f.FunctionName))).toEqual([]);
    expect(mine(((await new LambdaClient(config).send(new ListLayersCommand({}))).Layers ?? []).map((l) => l.LayerName))).toEqual([]);
    expect(mine((await stack.clients.sqs.send(new ListQueuesCommand({}))).QueueUrls ?? [])).toEqual([]);
    expect(mine((await stack.clients.dynamodb.send(new ListTablesCommand({}))).TableNames ?? [])).toEqual([]);
    expect(mine(((await new IAMClient(config).send(new ListRolesCommand({}))).Roles ?? []).map((r) => r.RoleName))).toEqual([]);
    expect(mine(((await new SecretsManagerClient(config).send(new ListSecretsCommand({}))).SecretList ?? []).map((s) => s.Name))).toEqual([]);
    expect(mine(((await new CloudWatchLogsClient(config).send(new DescribeLogGroupsCommand({}))).logGroups ?? []).map((g) => g.logGroupName))).toEqual([]);
  });
});
