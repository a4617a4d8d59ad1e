// where-is and redrive end to end on the emulator: examples/local applied with Terraform, the
// built zips run by the local runtime, the functions' log lines forwarded to the emulator's
// CloudWatch Logs, and the built CLIs (dist/tools) run as a person would run them.
import { CreateTableCommand, DeleteTableCommand, waitUntilTableExists, waitUntilTableNotExists } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deployLocalStack, REGION, storedItems, waitUntil, type LocalStack } from '../local-runtime/local-stack';
import { readSpanFile } from '../local-runtime/span-file';
import { postWebhook, stripeEvent } from '../local-runtime/webhook-client';
import type { Answer } from '../tools/where-is/locate';
import type { RedriveResult } from '../tools/where-is/redrive';
import { ROOT } from './support/bundle';

jest.setTimeout(240_000);

const run = Date.now().toString(36);
const NAME = `wi-${run}`;
const ids = {
  stored: `evt_stored_${run}`,
  poison: `evt_poison_${run}`,
  redriven: `evt_redrive_${run}`,
  queued: `evt_queued_${run}`,
  rejected: `evt_forged_${run}`,
  neverSeen: `evt_never_${run}`,
};

describe('where-is and redrive, end to end on the emulator', () => {
  let stack: LocalStack;
  let workDir: string;
  let outputsFile: string;
  let redrivenTraceId: string | undefined;

  // Run as child processes without blocking: the local runtime lives in this process.
  const cli = (tool: 'where-is' | 'redrive', args: string[]) =>
    new Promise<unknown>((resolve, reject) => {
      execFile(
        process.execPath,
        [join(ROOT, 'dist/tools', `${tool}.js`), ...args, '--outputs-file', outputsFile, '--endpoint', stack.moto.endpoint, '--json'],
        { encoding: 'utf8', env: { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_REGION: REGION } },
        (error, stdout, stderr) => (error ? reject(new Error(`${tool} ${args.join(' ').slice(0, 80)} failed: ${stderr}`)) : resolve(JSON.parse(stdout))),
      );
    });
  const whereIs = async (eventId: string) => (await cli('where-is', [eventId])) as Answer;
  const dlqDepth = async () => {
    const { Attributes } = await stack.clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: stack.outputs.dlq_url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    return Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible);
  };
  const post = async (eventId: string, secret = stack.signingSecret) => postWebhook(stack.pipeline.webhookUrl, stripeEvent(eventId, 'payment_intent.succeeded', { amount: 100 }), secret);
  const deadLettered = async (eventIds: string[]) =>
    waitUntil(async () => (await Promise.all(eventIds.map(whereIs))).every((answer) => answer.verdict === 'dead-lettered'), { timeoutMs: 90_000, intervalMs: 2000 });

  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--local-runtime'], { cwd: ROOT, stdio: 'pipe' });
    workDir = mkdtempSync(join(tmpdir(), 'where-is-e2e-'));
    stack = await deployLocalStack({ root: ROOT, workDir, name: NAME });
    outputsFile = join(workDir, 'outputs.json');
    writeFileSync(outputsFile, JSON.stringify(stack.outputs));

    expect((await post(ids.rejected, 'whsec_not_the_secret')).status).toBe(401);

    // DynamoDB fails: the table is gone. An event accepted now is retried, then dead-lettered.
    await stack.clients.dynamodb.send(new DeleteTableCommand({ TableName: stack.outputs.table_name }));
    await waitUntilTableNotExists({ client: stack.clients.dynamodb, maxWaitTime: 30 }, { TableName: stack.outputs.table_name });
    expect((await post(ids.redriven)).status).toBe(200);
    expect((await post(ids.poison)).status).toBe(200);
    expect(await deadLettered([ids.redriven, ids.poison])).toBe(true);

    // The fault is removed; an event accepted now is stored at the first attempt.
    await stack.clients.dynamodb.send(
      new CreateTableCommand({
        TableName: stack.outputs.table_name,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'eventId', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'eventId', AttributeType: 'S' }],
      }),
    );
    await waitUntilTableExists({ client: stack.clients.dynamodb, maxWaitTime: 30 }, { TableName: stack.outputs.table_name });
    expect((await post(ids.stored)).status).toBe(200);
    expect(await waitUntil(async () => (await storedItems(stack.clients.dynamodb, stack.outputs.table_name)).has(ids.stored), { timeoutMs: 30_000 })).toBe(true);

    // The consumer stops polling (as with its mapping disabled): an event accepted now waits in the queue.
    await stack.pipeline.mapping.stop();
    expect((await post(ids.queued)).status).toBe(200);
    // Let the last log lines reach the emulator's CloudWatch Logs.
    await new Promise((resolve) => setTimeout(resolve, 500));
  }, 400_000);

  afterAll(async () => {
    // The emulator goes with everything deployed to it: no destroy (test/e2e.test.ts checks destroy).
    await stack?.stop({ destroy: false });
  }, 300_000);

  it('stored: when, by which message, after how many attempts, its trace and links', async () => {
    const answer = await whereIs(ids.stored);
    expect(answer.verdict).toBe('stored');
    expect(answer.partial).toBe(false);
    expect(answer.stored?.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(answer.stored?.at ?? '')).toBeGreaterThan(0);
    expect(answer.stored?.deliveryAttempts).toBe(1);
    expect(answer.traceId).toMatch(/^[0-9a-f]{32}$/);
    const xray = `1-${answer.traceId!.slice(0, 8)}-${answer.traceId!.slice(8)}`;
    expect(answer.links.trace).toBe(`https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#xray:traces/${xray}`);
    expect(answer.links.logs).toContain('#logsV2:logs-insights$3FqueryDetail$3D');
    expect(answer.links.logs).toContain(`*2faws*2flambda*2f${NAME}-producer`);
    expect(answer.links.logs).toContain(`*2faws*2flambda*2f${NAME}-consumer`);
    // The item's trace is the one the producer logged when it accepted that delivery.
    const enqueued = answer.timeline.filter((entry) => entry.what === 'webhook enqueued');
    expect(enqueued.map((entry) => entry.traceId)).toContain(answer.traceId);
  });

  it('in the dead-letter queue: since when, receives, the last error, how to redrive; and the look consumed nothing', async () => {
    const before = await dlqDepth();
    const answer = await whereIs(ids.redriven);
    expect(answer.verdict).toBe('dead-lettered');
    const [entry] = answer.deadLettered ?? [];
    expect(entry?.receiveCount).toBeGreaterThanOrEqual(3);
    expect(entry?.lastError).toMatch(/ResourceNotFoundException/);
    expect(Date.parse(entry?.deadLetteredSince ?? '')).toBeGreaterThan(Date.parse(entry?.sentAt ?? ''));
    expect(answer.attempts?.failed).toBe(3);
    expect(answer.redrive).toContain(`--event-id ${ids.redriven}`);
    redrivenTraceId = answer.traceId;
    expect(redrivenTraceId).toMatch(/^[0-9a-f]{32}$/);
    // Looking again finds the same: nothing was deleted, everything is visible again.
    expect((await whereIs(ids.poison)).verdict).toBe('dead-lettered');
    expect(await dlqDepth()).toBe(before);
    const { Attributes } = await stack.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: stack.outputs.dlq_url, AttributeNames: ['ApproximateNumberOfMessagesNotVisible'] }));
    expect(Attributes?.ApproximateNumberOfMessagesNotVisible).toBe('0');
  });

  it('accepted but not processed yet: in the queue, its age and attempts so far', async () => {
    const answer = await whereIs(ids.queued);
    expect(answer.verdict).toBe('queued');
    expect(answer.queued).toMatchObject({ attemptsSoFar: 0, maxReceiveCount: 3 });
    expect(answer.queued?.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(answer.queued?.queueDepth?.visible).toBeGreaterThanOrEqual(1);
  });

  it("rejected at the gate: the producer's status and reason", async () => {
    const answer = await whereIs(ids.rejected);
    expect(answer.verdict).toBe('rejected');
    expect(answer.rejected).toEqual([expect.objectContaining({ status: 401, reason: 'no matching signature' })]);
    expect(answer.links.trace).toBeUndefined();
  });

  it('never seen: says what it searched and where to look next', async () => {
    const answer = await whereIs(ids.neverSeen);
    expect(answer.verdict).toBe('never-seen');
    expect(answer.partial).toBe(false);
    expect(answer.searched).toMatchObject({ table: stack.outputs.table_name, deadLetterQueue: stack.outputs.dlq_url, logGroups: [`/aws/lambda/${NAME}-producer`, `/aws/lambda/${NAME}-consumer`] });
    expect(answer.searched.dlqMessagesRead).toBe(2);
    expect(answer.suggestion).toMatch(/sender's delivery log/);
  });

  it('redrive: a dry run changes nothing; the redriven event is stored once, on its original trace', async () => {
    const dry = (await cli('redrive', ['--dry-run'])) as RedriveResult;
    expect(dry.method).toBe('dry-run');
    expect(dry.moved.map((m) => m.eventKey).sort()).toEqual([ids.poison, ids.redriven].sort());
    expect(await dlqDepth()).toBe(2);

    stack.pipeline.mapping.start();
    const result = (await cli('redrive', ['--event-id', ids.redriven, '--rate', '5'])) as RedriveResult;
    expect(result.method).toBe('copy');
    expect(result.moved).toEqual([expect.objectContaining({ eventKey: ids.redriven })]);
    expect(await dlqDepth()).toBe(1);
    expect(await waitUntil(async () => (await storedItems(stack.clients.dynamodb, stack.outputs.table_name)).has(ids.redriven), { timeoutMs: 30_000 })).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));

    const item = (await storedItems(stack.clients.dynamodb, stack.outputs.table_name)).get(ids.redriven);
    expect(item?.traceId).toBe(redrivenTraceId);
    expect(item?.messageId).toBe(result.moved[0]?.to);
    const spans = readSpanFile(stack.spansFile).filter((s) => s.name === 'process-webhook' && s.attributes['webhook.event_id'] === ids.redriven);
    expect(spans.map((s) => s.status)).toEqual(['ERROR', 'ERROR', 'ERROR', 'UNSET']);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([redrivenTraceId]));

    const answer = await whereIs(ids.redriven);
    expect(answer.verdict).toBe('stored');
    expect(answer.stored?.deliveryAttempts).toBe(4);
    expect(answer.timeline.filter((entry) => entry.what === 'webhook stored')).toHaveLength(1);
  });
});
