// The soak with fan-out (examples/local's fan_out: billing raw, notifications enveloped and
// filtered): each accepted event stored exactly once by each consumer whose filter takes it, no
// broken trace on any branch. Used by `make soak SOAK_ARGS=--fan-out` and, small and seeded, by
// the fan-out end-to-end test on its deployment.
import type { LocalStack } from '../local-runtime/local-stack';
import { readSpanFile } from '../local-runtime/span-file';
import { filterTakes } from '../tools/where-is/fan-out';
import { checkFanOut, type FanOutConsumerEvidence, type SoakVerdict } from './checks';
import { planEvents } from './events';
import { Rng } from './rng';
import { drainDeadLetters, queueDepth, scanItems } from './queues';
import { StripeSender, type EventLedger } from './sender';
import { eventIdOf } from './span-names';

/** Each consumer of the deployment's fan-out: its service (function), filter, table and queues. */
export function fanOutConsumers(live: LocalStack) {
  const consumers = Object.entries(live.outputs.fan_out?.consumers ?? {});
  if (consumers.length === 0) throw new Error('the deployment has no fan_out');
  return consumers.map(([name, consumer]) => ({
    name,
    service: consumer.function_name,
    // The soak's events all come in on /webhook (the stripe source).
    takes: (event: EventLedger['event']) => filterTakes({ ...(consumer.filter_policy ? { filterPolicy: consumer.filter_policy } : {}) }, 'stripe', event.type) !== false,
    tableName: consumer.table_name as string,
    queueUrl: consumer.queue_url,
    dlqUrl: consumer.dlq_url,
  }));
}

/** Messages still in any consumer's queue. */
export async function fanOutDepth(live: LocalStack): Promise<number> {
  const depths = await Promise.all(fanOutConsumers(live).map((consumer) => queueDepth(live.clients.sqs, consumer.queueUrl)));
  return depths.reduce((a, b) => a + b, 0);
}

export interface FanOutResult {
  consumer: string;
  verdict: SoakVerdict;
  /** Messages in its DLQ at the end (this run's). */
  deadLetterMessages: number;
}

/**
 * Every consumer's verdict on what was sent. `isRun` keeps this run's events (a shared deployment
 * holds others'): its items, dead letters and spans only.
 */
export async function fanOutVerdicts(live: LocalStack, ledgers: readonly EventLedger[], isRun: (eventId: string) => boolean = () => true): Promise<FanOutResult[]> {
  const spans = readSpanFile(live.spansFile).filter((span) => {
    const id = eventIdOf(span);
    return id === undefined || isRun(id);
  });
  const consumers: FanOutConsumerEvidence[] = [];
  for (const consumer of fanOutConsumers(live)) {
    const stored = new Map([...(await scanItems(live.clients.dynamodb, consumer.tableName)).entries()].filter(([id]) => isRun(id)));
    const deadLettered = (await drainDeadLetters(live.clients.sqs, consumer.dlqUrl)).filter(isRun);
    consumers.push({ name: consumer.name, service: consumer.service, takes: consumer.takes, stored, deadLettered, queueRemaining: await queueDepth(live.clients.sqs, consumer.queueUrl) });
  }
  const verdicts = checkFanOut({ ledgers, spans, denials: live.localAws.denials, refusals: live.localAws.refusals }, consumers);
  return verdicts.map((result, index) => ({ ...result, deadLetterMessages: consumers[index]?.deadLettered.length ?? 0 }));
}

export interface SmallFanOutSoak {
  events: number;
  seed: number;
  concurrency: number;
  redeliverRate: number;
  poisonRate: number;
  forgedRate: number;
  settleTimeoutMs: number;
}

/**
 * A small seeded soak on a deployment already running with fan-out: the events sent as Stripe
 * does (retries, redeliveries, forged ones), every queue drained, each consumer checked.
 */
export async function soakFanOutOn(live: LocalStack, options: SmallFanOutSoak): Promise<{ ledgers: EventLedger[]; results: FanOutResult[] }> {
  const rng = new Rng(options.seed);
  const runTag = `fo${options.seed}x${Date.now().toString(36)}`;
  const events = planEvents(options.events, rng.fork('events'), runTag, options);
  const sender = new StripeSender({
    url: live.pipeline.webhookUrl,
    secret: live.signingSecret,
    concurrency: options.concurrency,
    redeliverRate: options.redeliverRate,
    timeoutMs: 10_000,
    maxAttempts: 10,
    forgedAttempts: 2,
    rng: rng.fork('sender'),
  });
  await sender.run(events);
  const deadline = Date.now() + options.settleTimeoutMs;
  for (let drained = 0; drained < 2 && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    drained = (await fanOutDepth(live)) === 0 ? drained + 1 : 0;
  }
  // The last record spans are written when their invocation ends, just after the deletes.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const isRun = (eventId: string) => eventId.startsWith(`evt_${runTag}`);
  return { ledgers: sender.ledgers, results: await fanOutVerdicts(live, sender.ledgers, isRun) };
}
