// `make demo FAN_OUT=1`: the same deployment with fan-out (examples/local's fan_out): the producer
// publishes each verified webhook to an SNS topic, the module's own consumer (billing, raw
// delivery) and a second consumer (notifications, SNS's envelope, filtered on invoice.* from the
// stripe source) each receive it in their own queue. Prints, per event, what each consumer did,
// and the one trace with both consumers' record spans beneath the producer's publish.
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { byEvent, captionOf, tracesOf } from './demo-traces';
import { bold, dim, endStatus, green, red, status, tty } from './demo-ui';
import { runWhereIs } from './demo-where-is';
import { deadLetteredEventIds, storedItems, waitUntil, type FanOutConsumerOutput, type LocalStack } from './local-stack';
import { readSpanFile } from './span-file';
import { buildTraces, renderHtmlReport, renderTraceTree, type ReportSection } from './trace-report';
import { postRequest, postWebhook, stripeEvent, type WebhookResponse } from './webhook-client';
import { signedWebhook } from './webhook-senders';

/** examples/local's fan_out for the demo and the fan-out end-to-end tests: one consumer raw, one enveloped and filtered. */
export const FAN_OUT_VARS = {
  fan_out: '{ own_consumer = { name = "billing" }, consumers = { notifications = { raw_message_delivery = false, event_types = ["invoice.*"], sources = ["stripe"] } } }',
};

interface FanOutEvent {
  label: string;
  eventId: string;
  source: string;
  key: string;
  httpStatus: number;
  /** The consumers whose subscription takes it; none for a rejected request. */
  expectedBy: string[];
}

async function sendFanOutScenario(stack: LocalStack): Promise<FanOutEvent[]> {
  const run = Date.now().toString(36);
  const events: FanOutEvent[] = [];
  const record = (label: string, eventId: string, source: string, expectedBy: string[], response: WebhookResponse) => {
    events.push({ label, eventId, source, key: source === 'stripe' ? eventId : `${source}#${eventId}`, httpStatus: response.status, expectedBy: response.status === 200 ? expectedBy : [] });
    console.log(`    ${label.padEnd(48)} → HTTP ${response.status}${expectedBy.length > 0 ? dim(` (for ${expectedBy.join(' and ')})`) : ''}`);
  };
  const stripe = async (type: string, expectedBy: string[], secret = stack.signingSecret) => {
    const id = `evt_${type.replace(/\W/g, '_')}_${run}`;
    record(`stripe: ${type}${secret === stack.signingSecret ? '' : ' (wrong secret)'}`, id, 'stripe', expectedBy, await postWebhook(stack.pipeline.webhookUrl, stripeEvent(id, type, { amount: 2000 }), secret));
  };
  await stripe('invoice.paid', ['billing', 'notifications']);
  // notifications' filter takes invoice.* only: billing alone receives this one.
  await stripe('customer.created', ['billing']);
  // notifications' filter takes the stripe source only: a GitHub event goes to billing alone.
  const delivery = `${run}-0000-4000-8000-${Date.now().toString(16).padStart(12, '0').slice(-12)}`;
  record('github: pull_request.opened', delivery, 'github', ['billing'], await postRequest(stack.pipeline.sourceUrl('github'), signedWebhook('github', stack.sourceSecrets.github as string, { id: delivery, type: 'pull_request.opened' })));
  await stripe('invoice.voided', [], 'whsec_not_the_secret');
  return events;
}

/** Sends the scenario, waits for every consumer, prints each event's outcome per consumer and its traces; false when anything misbehaved. */
export async function runFanOutDemo(root: string, workDir: string, stack: LocalStack): Promise<boolean> {
  const consumers = Object.entries(stack.outputs.fan_out?.consumers ?? {}) as Array<[string, FanOutConsumerOutput]>;
  console.log(`  fan-out: topic ${stack.outputs.fan_out?.topic_name}, ${consumers.map(([name, c]) => `${name} (${c.raw_message_delivery ? 'raw' : "SNS's envelope"}${c.filter_policy ? `, filter ${c.filter_policy}` : ''})`).join(', ')}`);
  console.log(bold('\n[2/4] send webhooks'));
  const events = await sendFanOutScenario(stack);

  console.log(bold('\n[3/4] wait for every consumer'));
  const stored = new Map<string, Map<string, Record<string, string>>>();
  const read = async () => {
    for (const [name, consumer] of consumers) stored.set(name, await storedItems(stack.clients.dynamodb, consumer.table_name as string));
  };
  const settled = await waitUntil(
    async () => {
      await read();
      return events.every((event) => event.expectedBy.every((name) => stored.get(name)?.has(event.key)));
    },
    { timeoutMs: 90_000, intervalMs: 1000, onTick: (elapsed) => status(`${Math.round(elapsed / 1000)} s: ${consumers.map(([name]) => `${name} ${stored.get(name)?.size ?? 0} stored`).join(', ')}`) },
  );
  endStatus();
  // Filtered events must stay out: a moment more for any late delivery.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await read();

  console.log(bold('\n[4/4] outcomes and traces'));
  const spans = readSpanFile(stack.spansFile);
  const traces = new Map(buildTraces(spans).map((trace) => [trace.traceId, trace]));
  const batches = stack.pipeline.consumers.flatMap((consumer) => consumer.batches);
  const sections: ReportSection[] = [];
  let misbehaved = !settled;
  for (const event of events) {
    const outcomes = consumers.map(([name]) => {
      const has = stored.get(name)?.has(event.key) === true;
      const expected = event.expectedBy.includes(name);
      return { ok: has === expected, text: has ? `stored by ${name}` : expected ? `not stored by ${name}` : event.httpStatus === 200 ? `filtered out of ${name}` : '' };
    });
    const ok = outcomes.every((outcome) => outcome.ok);
    const outcome = event.httpStatus === 200 ? outcomes.map((o) => o.text).join(', ') : `rejected (HTTP ${event.httpStatus}), never published`;
    console.log(`\n  ${ok ? green('✓') : red('✗')} ${bold(event.key)}  ${event.label}: ${outcome}`);
    const focus = byEvent(event.eventId, event.source);
    const eventTraces = tracesOf(focus, spans, traces, batches);
    for (const trace of eventTraces) {
      console.log(`    trace ${trace.traceId}${dim(` (${captionOf(trace, focus)})`)}`);
      console.log(renderTraceTree(trace, tty, focus).replace(/^/gm, '  '));
    }
    // Every consumer that stored it has its record span on the request's trace, under the publish.
    const own = eventTraces.find((trace) => trace.spans.some((span) => span.kind === 'PRODUCER' && focus(span)));
    const branches = new Set(own?.spans.filter((span) => span.name === 'process-webhook' && focus(span) && span.status !== 'ERROR').map((span) => span.service));
    if (event.httpStatus === 200 && branches.size !== event.expectedBy.length) {
      misbehaved = true;
      console.log(red(`    ✗ ${branches.size} of ${event.expectedBy.length} consumers' record spans are on the request's trace`));
    }
    if (!ok) misbehaved = true;
    sections.push({ title: `${event.key}: ${outcome}`, subtitle: event.label, traces: eventTraces.map((trace) => ({ trace, caption: captionOf(trace, focus) })), focus });
  }
  const dead = (await Promise.all(consumers.map(([, consumer]) => deadLetteredEventIds(stack.clients.sqs, consumer.dlq_url)))).flat();
  if (dead.length > 0) {
    misbehaved = true;
    console.log(red(`  ✗ dead-lettered: ${dead.join(', ')}`));
  }
  const refused = [...stack.localAws.denials.map((denial) => denial.message), ...stack.localAws.refusals.map((refusal) => `${refusal.service}.${refusal.operation}: ${refusal.code}`)];
  if (refused.length > 0) {
    misbehaved = true;
    for (const message of new Set(refused)) console.log(red(`  ✗ refused: ${message}`));
  } else console.log(`\n  the local AWS refused nothing: the topic, both queues and both consumers were allowed by the deployed policies`);
  const htmlPath = join(workDir, 'traces.html');
  writeFileSync(htmlPath, renderHtmlReport(sections, 'Webhook traces across SNS and SQS, fan-out (make demo FAN_OUT=1)'));
  console.log(`\n  waterfall per trace: ${relative(process.cwd(), htmlPath) || htmlPath} (self-contained HTML; the branches beneath the publish)`);
  const paid = events[0];
  if (paid) misbehaved = !(await runWhereIs(root, workDir, stack, paid.eventId)) || misbehaved;
  const filtered = events[1];
  if (filtered) misbehaved = !(await runWhereIs(root, workDir, stack, filtered.eventId)) || misbehaved;
  return !misbehaved;
}
