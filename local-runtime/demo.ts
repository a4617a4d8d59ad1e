// `make demo`: deploys examples/local to moto_server behind the local AWS endpoint (IAM, KMS, SQS
// limits and X-Ray sampling as a real account applies them; LOCAL_AWS_ENFORCE=off for the
// emulator alone), drives signed webhooks through the built zips and prints each event's outcome,
// its trace across the queue, whether X-Ray sampled it, and anything AWS would have refused.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { runWhereIs } from './demo-where-is';
import { join, relative, resolve } from 'node:path';
import { deadLetteredEventIds, deployLocalStack, storedItems, waitUntil, type LocalStack } from './local-stack';
import { readSpanFile } from './span-file';
import { buildTraces, renderHtmlReport, renderTraceTree, type ReportSection } from './trace-report';
import { postRequest, postWebhook, sendWithoutTraceContext, stripeEvent, type WebhookResponse } from './webhook-client';
import { signedWebhook } from './webhook-senders';
import { byMessageId, captionOf, tracesOf } from './demo-traces';
import { FAN_OUT_VARS, runFanOutDemo } from './demo-fan-out';
import { bold, dim, endStatus, green, red, status, tty } from './demo-ui';

const ROOT = resolve(__dirname, '..', '..');


type Expected = 'stored' | 'dead-lettered' | 'rejected';
const LEGACY = 'sent to SQS by a producer without trace context';

interface DemoEvent {
  label: string;
  eventId: string;
  /** Its table key: the bare id for /webhook, `<source>#<id>` for a source. */
  key: string;
  expected: Expected;
  httpStatus?: number;
  /** The SQS message id: what ties one delivery to its spans. */
  messageId?: string;
  outcome?: string;
}

async function sendScenario(stack: LocalStack): Promise<DemoEvent[]> {
  const url = stack.pipeline.webhookUrl;
  const secret = stack.signingSecret;
  const run = Date.now().toString(36);
  const events: DemoEvent[] = [];
  const record = (label: string, eventId: string, key: string, expected: Expected, response: WebhookResponse) => {
    const messageId = typeof response.body.messageId === 'string' ? response.body.messageId : undefined;
    events.push({ label, eventId, key, expected, httpStatus: response.status, ...(messageId ? { messageId } : {}) });
    const answer = JSON.stringify(response.body);
    console.log(`    ${label.padEnd(44)} → HTTP ${response.status} ${answer.length > 110 ? `${answer.slice(0, 107)}…` : answer}`);
  };
  const post = async (label: string, eventId: string, body: string, expected: Expected, signWith: string | undefined = secret) =>
    record(label, eventId, eventId, expected, await postWebhook(url, body, signWith));
  // Other senders, each on its own route with its own secret and scheme: GitHub, and a Standard Webhooks sender (Svix).
  const postFrom = async (source: string, label: string, eventId: string, type: string) => {
    const scheme = stack.outputs.webhook_sources[source]?.scheme;
    if (scheme === undefined || scheme === 'none') throw new Error(`examples/local serves no ${source} source`);
    const response = await postRequest(stack.pipeline.sourceUrl(source), signedWebhook(scheme, stack.sourceSecrets[source] as string, { id: eventId, type }));
    record(`${source}: ${label}`, eventId, `${source}#${eventId}`, 'stored', response);
  };
  await post('payment_intent.succeeded', `evt_paid_${run}`, stripeEvent(`evt_paid_${run}`, 'payment_intent.succeeded', { amount: 2000 }), 'stored');
  await post('invoice.payment_failed', `evt_failed_${run}`, stripeEvent(`evt_failed_${run}`, 'invoice.payment_failed', { attempt_count: 2 }), 'stored');
  // Stripe delivers at least once: the same event again must not become a second item.
  const duplicate = stripeEvent(`evt_paid_${run}`, 'payment_intent.succeeded', { amount: 2000 });
  await post('payment_intent.succeeded (delivered again)', `evt_paid_${run}`, duplicate, 'stored');
  // An id longer than DynamoDB's 2048-byte key limit: the producer refuses it (a retry cannot
  // fix it); sent straight to the queue, as a producer without that check would, the write
  // fails on every attempt and the message ends in the DLQ.
  const poisonId = `evt_poison_${run}_${'x'.repeat(2100)}`;
  await post('customer.updated (id too long for DynamoDB)', poisonId, stripeEvent(poisonId, 'customer.updated'), 'rejected');
  const delivery = `${run}-0000-4000-8000-${Date.now().toString(16).padStart(12, '0').slice(-12)}`;
  await postFrom('github', 'pull_request.opened', delivery, 'pull_request.opened');
  // GitHub keeps X-GitHub-Delivery on a redelivery: stored once, under github#<delivery>.
  await postFrom('github', 'pull_request.opened (redelivered)', delivery, 'pull_request.opened');
  await postFrom('svix', 'invoice.created (Standard Webhooks)', `msg_${run}`, 'invoice.created');
  const legacyId = `evt_legacy_${run}`;
  const legacyMessageId = await sendWithoutTraceContext(stack.clients.sqs, stack.outputs.queue_url, legacyId, 'charge.refunded');
  events.push({ label: LEGACY, eventId: legacyId, key: legacyId, expected: 'stored', messageId: legacyMessageId });
  console.log(`    ${'charge.refunded (no trace context)'.padEnd(44)} → SendMessage straight to the queue`);
  const poisonMessageId = await sendWithoutTraceContext(stack.clients.sqs, stack.outputs.queue_url, poisonId, 'customer.updated');
  events.push({ label: `${LEGACY}, id too long`, eventId: poisonId, key: poisonId, expected: 'dead-lettered', messageId: poisonMessageId });
  console.log(`    ${'customer.updated (id too long, no gate)'.padEnd(44)} → SendMessage straight to the queue`);
  const forgedId = `evt_forged_${run}`;
  await post('charge.succeeded signed with a wrong secret', forgedId, stripeEvent(forgedId, 'charge.succeeded'), 'rejected', 'whsec_not_the_secret');
  return events;
}

async function main(): Promise<number> {
  const workDir = join(ROOT, '.demo');
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  // FAN_OUT=1: the producer publishes to an SNS topic and two consumers receive it (demo-fan-out.ts).
  const fanOut = process.env.FAN_OUT === '1';
  console.log(bold(`make demo: a traced webhook pipeline on a local AWS emulator${fanOut ? ', fanned out through SNS to two consumers' : ''}`));
  console.log(bold(`\n[1/4] deploy examples/local${fanOut ? ' with fan_out' : ''} to moto_server`));
  let stack: LocalStack | undefined;
  const stopAll = async () => {
    const current = stack;
    stack = undefined;
    if (current) {
      status('stopping the runtime, terraform destroy, stopping moto_server');
      await current.stop();
      endStatus();
    }
  };
  process.once('SIGINT', () => {
    void stopAll().finally(() => process.exit(130));
  });
  try {
    stack = await deployLocalStack({ root: ROOT, workDir, name: `demo-${Date.now().toString(36)}`, onProgress: status, ...(fanOut ? { vars: FAN_OUT_VARS } : {}) });
    endStatus();
    if (fanOut) {
      console.log(`  moto_server ${stack.moto.endpoint}; API Gateway (local) ${stack.pipeline.webhookUrl}`);
      const ok = await runFanOutDemo(ROOT, workDir, stack);
      await stopAll();
      console.log(ok ? green('\nEvery event reached the consumers whose filter takes it, each on one trace across the topic and the queues.') : red('\nThe pipeline misbehaved: see the ✗ marks above.'));
      return ok ? 0 : 1;
    }
    const settings = stack.pipeline.mappingSettings;
    console.log(`  moto_server ${stack.moto.endpoint}; API Gateway (local) ${stack.pipeline.webhookUrl}`);
    console.log(
      stack.localAws.enforce
        ? `  local AWS ${stack.localAws.tlsEndpoint}: IAM and KMS evaluated on every call, SQS limits, Lambda permission, X-Ray sampling rules (${stack.localAws.samplingRules.rules().map((rule) => `${rule.RuleName} ${rule.ReservoirSize}/s + ${rule.FixedRate * 100}%`).join(', ')})`
        : `  local AWS ${stack.localAws.tlsEndpoint}: enforcement off (LOCAL_AWS_ENFORCE=off), the emulator alone`,
    );
    console.log(
      `  event source mapping read back: batch ${settings.batchSize}, window ${settings.batchingWindowSeconds} s, ${settings.reportBatchItemFailures ? 'ReportBatchItemFailures' : 'no partial failures'}`,
    );

    console.log(bold('\n[2/4] send webhooks'));
    const events = await sendScenario(stack);

    console.log(bold('\n[3/4] wait for the consumer (a failing record comes back after the visibility timeout, 3 times, then goes to the DLQ)'));
    const accepted = events.filter((event) => event.expected !== 'rejected');
    let stored = new Map<string, Record<string, string>>();
    let deadLettered: string[] = [];
    const settled = await waitUntil(
      async () => {
        stored = await storedItems(stack!.clients.dynamodb, stack!.outputs.table_name);
        deadLettered = await deadLetteredEventIds(stack!.clients.sqs, stack!.outputs.dlq_url);
        return accepted.every((event) => stored.has(event.key) || deadLettered.includes(event.key));
      },
      {
        timeoutMs: 120_000,
        intervalMs: 1000,
        onTick: (elapsed) => {
          const done = accepted.filter((event) => stored.has(event.key) || deadLettered.includes(event.key)).length;
          status(`${Math.round(elapsed / 1000)} s: ${done}/${accepted.length} settled (${stored.size} stored, ${deadLettered.length} in the DLQ), ${stack!.pipeline.batches.length} batches`);
        },
      },
    );
    endStatus();
    // Let the last spans land before reading them.
    await new Promise((r) => setTimeout(r, 300));

    console.log(bold('\n[4/4] outcomes and traces'));
    const spans = readSpanFile(stack.spansFile);
    const traces = new Map(buildTraces(spans).map((trace) => [trace.traceId, trace]));
    const sections: ReportSection[] = [];
    let misbehaved = !settled;
    for (const event of events) {
      const attempts = spans.filter((span) => span.name === 'process-webhook' && event.messageId !== undefined && span.attributes['messaging.message.id'] === event.messageId);
      const failures = attempts.filter((span) => span.status === 'ERROR').length;
      const actual: Expected | 'pending' =
        event.httpStatus !== undefined && event.httpStatus !== 200 ? 'rejected' : deadLettered.includes(event.key) ? 'dead-lettered' : stored.has(event.key) ? 'stored' : 'pending';
      const duplicate = attempts.some((span) => span.attributes['webhook.duplicate'] === true);
      event.outcome =
        actual === 'rejected'
          ? `rejected (HTTP ${event.httpStatus}), never enqueued`
          : actual === 'dead-lettered'
            ? `retried: ${failures} failed attempts, then in the DLQ`
            : actual === 'stored'
              ? `stored${duplicate ? ' (this delivery was a duplicate: no second item)' : ''}${failures > 0 ? ` after ${failures} failed attempts` : ''}`
              : 'not settled';
      const ok = actual === event.expected && !(actual === 'rejected' && stored.has(event.key));
      if (!ok) misbehaved = true;
      const shortId = event.key.length > 40 ? `${event.key.slice(0, 37)}…` : event.key;
      console.log(`\n  ${ok ? green('✓') : red('✗')} ${bold(shortId)}  ${event.label}: ${event.outcome}`);
      const focus = byMessageId(event.messageId);
      const eventTraces = tracesOf(focus, spans, traces, stack.pipeline.batches);
      for (const trace of eventTraces) {
        console.log(`    trace ${trace.traceId}${dim(` (${captionOf(trace, focus)})`)}`);
        console.log(renderTraceTree(trace, tty, focus).replace(/^/gm, '  '));
      }
      const crossed = eventTraces.some((trace) => trace.spans.some((s) => s.kind === 'PRODUCER') && trace.spans.some((s) => s.name === 'process-webhook'));
      if (actual !== 'rejected' && !event.label.startsWith(LEGACY) && !crossed) {
        misbehaved = true;
        console.log(red('    ✗ no trace runs from the request across the queue for this event'));
      }
      // The layer exports unsampled spans too (Application Signals), but X-Ray keeps no trace of them.
      const ownTrace = eventTraces.find((trace) => trace.spans.some((s) => s.kind === 'PRODUCER' && s.attributes['messaging.message.id'] === event.messageId));
      if (ownTrace && ownTrace.spans.every((s) => s.sampled === false)) {
        misbehaved = true;
        console.log(red('    ✗ not sampled by X-Ray (Sampled=0): in AWS this webhook would have no trace'));
      }
      sections.push({ title: `${shortId}: ${event.outcome}`, subtitle: event.label, traces: eventTraces.map((trace) => ({ trace, caption: captionOf(trace, focus) })), focus });
    }
    const requests = stack.pipeline.api.requests;
    const byRule = [...new Set(requests.map((request) => request.rule))].map((rule) => `${rule}: ${requests.filter((r) => r.rule === rule && r.sampled).length}/${requests.filter((r) => r.rule === rule).length}`);
    console.log(`\n  X-Ray sampled ${requests.filter((request) => request.sampled).length} of ${requests.length} API Gateway requests (by rule, sampled/seen: ${byRule.join(', ')})`);
    const refused = [...stack.localAws.denials.map((denial) => denial.message), ...stack.localAws.refusals.map((refusal) => `${refusal.service}.${refusal.operation}: ${refusal.code}: ${refusal.message}`)];
    if (refused.length > 0) {
      misbehaved = true;
      console.log(red(`  ✗ the local AWS refused ${refused.length} call(s) a real account would refuse too; the distinct ones:`));
      for (const message of [...new Set(refused.map((text) => text.replace(/Request ID: [0-9a-f-]+/, 'Request ID: …')))]) console.log(red(`    ${message}`));
    } else console.log(`  the local AWS refused nothing: every call was allowed by the deployed policies`);
    const htmlPath = join(workDir, 'traces.html');
    writeFileSync(htmlPath, renderHtmlReport(sections, 'Webhook traces across SQS (make demo)'));
    console.log(`\n  waterfall per trace: ${relative(process.cwd(), htmlPath) || htmlPath} (self-contained HTML)`);
    console.log(`  spans as JSON lines: ${relative(process.cwd(), stack.spansFile)}`);
    const paid = events.find((event) => event.label === 'payment_intent.succeeded');
    if (paid) misbehaved = !(await runWhereIs(ROOT, workDir, stack, paid.eventId)) || misbehaved;
    const pullRequest = events.find((event) => event.label === 'github: pull_request.opened');
    if (pullRequest) misbehaved = !(await runWhereIs(ROOT, workDir, stack, pullRequest.eventId, 'github')) || misbehaved;
    await stopAll();
    console.log(misbehaved ? red('\nThe pipeline misbehaved: see the ✗ marks above.') : green('\nEvery event ended where it should, each on one trace across the queue.'));
    return misbehaved ? 1 : 0;
  } catch (error) {
    endStatus();
    console.error(red(`\nmake demo failed: ${error instanceof Error ? error.message : String(error)}`));
    await stopAll().catch((stopError) => console.error(`  and stopping failed: ${String(stopError)}`));
    return 1;
  }
}

// Exit explicitly: the SDK's keep-alive sockets would otherwise hold the process open.
void main().then((code) => process.exit(code));
