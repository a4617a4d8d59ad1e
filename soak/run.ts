import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { deployLocalStack, type LocalStack } from '../local-runtime/local-stack';
import type { BatchReport } from '../local-runtime/event-source-mapping';
import type { Caller } from '../local-runtime/local-aws/identity';
import { readSpanFile, type SpanRecord } from '../local-runtime/span-file';
import { checkSoak } from './checks';
import { fanOutDepth, fanOutVerdicts, type FanOutResult } from './fan-out';
import { drainDeadLetters, queueDepth, scanItems } from './queues';
import { FAN_OUT_VARS } from '../local-runtime/demo-fan-out';
import { planEvents } from './events';
import { createFaultLayer } from './fault-layer';
import { handOffOf, type SoakOptions } from './options';
import { tallyDeliveries, type ConsumerTally, type SoakReport } from './report';
import { Rng } from './rng';
import { StripeSender } from './sender';
import { isDuplicateOutcome, isRecordSpan } from './span-names';

export interface SoakIo {
  root: string;
  /** Terraform's data and state, and the spans file. */
  workDir: string;
  /** A progress line (overwritten in place on a terminal). */
  progress: (line: string) => void;
}

/** What one consumer went through: its mapping's batches and its function's record spans. */
function tallyConsumer(batches: readonly BatchReport[], recordSpans: readonly SpanRecord[]): ConsumerTally {
  const failedInvocations: Record<string, number> = {};
  let recordsRetried = 0;
  for (const batch of batches) {
    recordsRetried += batch.retried.length;
    if (!batch.outcome.ok) failedInvocations[batch.outcome.error.name] = (failedInvocations[batch.outcome.error.name] ?? 0) + 1;
  }
  return {
    batches: batches.length,
    failedInvocations,
    recordsRetried,
    duplicatesSkipped: recordSpans.filter((span) => isRecordSpan(span) && isDuplicateOutcome(span)).length,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Deploys examples/local to the emulator behind the local AWS endpoint (IAM, KMS, SQS limits and
 * X-Ray sampling enforced) with the fault layer on it, sends
 * the events as Stripe would while faults fire, waits for the queue to drain, then checks that
 * nothing was lost, doubled or left with a broken trace (among the webhooks X-Ray sampled), and that
 * no call was refused. Whatever fails, everything it started (functions' processes, the endpoint,
 * the emulator) is stopped before it returns or throws.
 */
export async function runSoak(options: SoakOptions, io: SoakIo): Promise<SoakReport> {
  const started = Date.now();
  const rng = new Rng(options.seed);
  const runTag = `${options.seed}x${Date.now().toString(36)}`;
  const events = planEvents(options.events, rng.fork('events'), runTag, options);
  let stack: LocalStack | undefined;
  let consumerTimeoutMs = 2000;
  let killConsumer: (caller: Caller) => void = () => undefined;
  // The faults are a layer of the local AWS endpoint: after its IAM, KMS and SQS checks, before the emulator.
  const faults = createFaultLayer({
    rates: options.faults,
    rng: rng.fork('faults'),
    stallMs: () => consumerTimeoutMs + 1000,
    slowMs: options.senderTimeoutMs + 1000,
    everyFaultOnce: options.everyFaultOnce,
    killConsumer: (caller) => killConsumer(caller),
    handOff: handOffOf(options),
  });
  const sampling = rng.fork('sampling');
  try {
    stack = await deployLocalStack({
      root: io.root,
      workDir: io.workDir,
      name: `soak-${runTag}`.slice(0, 40),
      // The module's default body limit (240 KiB, within its 256 KiB queue) is above the
      // largest planned event (100 KiB).
      vars: { consumer_timeout: options.consumerTimeoutSeconds, ...(options.fanOut ? FAN_OUT_VARS : {}) },
      mappingConcurrency: options.pollers,
      onProgress: io.progress,
      localAwsLayers: [faults.layer],
      random: () => sampling.next(),
    });
    const live = stack;
    // Every consumer's queue with fan-out, the one queue without.
    const depth = () => (options.fanOut ? fanOutDepth(live) : queueDepth(live.clients.sqs, live.outputs.queue_url));
    const lambda = new LambdaClient(live.localAws.adminClientConfig());
    consumerTimeoutMs = ((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: live.outputs.consumer_function_name }))).Timeout ?? 2) * 1000;
    // The consumer whose role signed the write (with fan-out, any of them).
    killConsumer = (caller) => {
      const accessKeyId = caller.kind === 'role' ? caller.credentials.accessKeyId : undefined;
      (live.pipeline.consumers.find((consumer) => consumer.lambda.accessKeyId === accessKeyId)?.lambda ?? live.pipeline.consumer).crash();
    };

    const sender = new StripeSender({
      url: live.pipeline.webhookUrl,
      secret: live.signingSecret,
      concurrency: options.concurrency,
      redeliverRate: options.redeliverRate,
      timeoutMs: options.senderTimeoutMs,
      maxAttempts: 40,
      forgedAttempts: 3,
      rng: rng.fork('sender'),
    });
    let phase = 'sending';
    const ticker = setInterval(() => {
      const consumed = live.pipeline.batches.reduce((sum, batch) => sum + batch.messages.length - batch.retried.length, 0);
      const injected = Object.values(faults.counts).reduce((a, b) => a + b, 0);
      io.progress(
        `${Math.round((Date.now() - started) / 1000)} s ${phase}: ${sender.dispatched}/${events.length} events, ${sender.deliveries} deliveries, ${sender.attempts} requests | ${consumed} records consumed in ${live.pipeline.batches.length} batches | ${injected} faults`,
      );
    }, 2000);
    const sendStarted = Date.now();
    try {
      // Paced to the consumer: the queue's depth is read at most every 500 ms, and while it is
      // above maxBacklog every sender waits (the same wait for all).
      let backlogCheckedAt = 0;
      let pacing: Promise<void> | undefined;
      const pace = async () => {
        while ((await depth()) > options.maxBacklog) {
          phase = 'sending (paced: queue full)';
          await sleep(500);
        }
        phase = 'sending';
      };
      await sender.run(events, async (index) => {
        if (!pacing && Date.now() - backlogCheckedAt > 500) {
          backlogCheckedAt = Date.now();
          pacing = pace().finally(() => {
            pacing = undefined;
            backlogCheckedAt = Date.now();
          });
        }
        if (pacing) await pacing;
        if (index === Math.floor(events.length / 3)) faults.startOutage('handOff', options.sqsOutageMs);
        if (index === Math.floor((2 * events.length) / 3)) {
          // A cold start during a Secrets Manager outage: the secret cannot be read for a while.
          // Nothing is in flight when the producer stops (the local runtime's IPC is not built for
          // a process dying under concurrent invocations; Lambda would route them elsewhere).
          await sender.pause();
          // A request the sender gave up on may still be running in the producer (a slow
          // hand-off): let it finish, or its send span dies with the process. Lambda does
          // not recycle an environment with an invocation in flight either.
          for (let quiet = 0; quiet < 10; ) {
            await sleep(100);
            quiet = faults.inFlight(handOffOf(options) === 'sqs' ? 'sqs.SendMessage' : 'sns.Publish') === 0 ? quiet + 1 : 0;
          }
          faults.startOutage('secrets', options.secretsOutageMs);
          await live.pipeline.producer.stop();
          faults.counts['producer.restart']++;
          sender.resume();
        }
      });
      const sendMs = Date.now() - sendStarted;
      phase = 'draining';
      let drained = 0;
      const deadline = Date.now() + options.settleTimeoutMs;
      let remaining = await depth();
      while (Date.now() < deadline && drained < 2) {
        await sleep(1000);
        remaining = await depth();
        drained = remaining === 0 && faults.held() === 0 ? drained + 1 : 0;
      }
      phase = 'checking';
      // The last record spans are written when their invocation ends, just after the deletes.
      await sleep(1000);
      const spans = readSpanFile(live.spansFile);
      // With fan-out, each consumer against its filter; the report's verdict is the first's (the module's own).
      const fanOut = options.fanOut ? await fanOutVerdicts(live, sender.ledgers) : undefined;
      const single = async () => {
        const stored = await scanItems(live.clients.dynamodb, live.outputs.table_name);
        const deadLettered = await drainDeadLetters(live.clients.sqs, live.outputs.dlq_url);
        const verdict = checkSoak({ ledgers: sender.ledgers, stored, deadLettered, spans, queueRemaining: remaining, denials: live.localAws.denials, refusals: live.localAws.refusals });
        return { verdict, deadLetterMessages: deadLettered.length };
      };
      const fanOutTally = (name: string): ConsumerTally => {
        const service = live.outputs.fan_out?.consumers[name]?.function_name;
        return tallyConsumer(live.pipeline.consumerNamed(name).batches, spans.filter((span) => span.service === service));
      };
      const { verdict, deadLetterMessages } = fanOut ? { verdict: (fanOut[0] as FanOutResult).verdict, deadLetterMessages: fanOut.reduce((n, result) => n + result.deadLetterMessages, 0) } : await single();
      return {
        options,
        events: {
          total: events.length,
          normal: events.filter((e) => e.kind === 'normal').length,
          poison: events.filter((e) => e.kind === 'poison').length,
          forged: events.filter((e) => e.kind === 'forged').length,
        },
        ...tallyDeliveries(sender.ledgers),
        faults: { ...faults.counts },
        awsRequests: { ...faults.requests },
        consumer: fanOut ? fanOutTally((fanOut[0] as FanOutResult).consumer) : tallyConsumer(live.pipeline.batches, spans),
        deadLetterMessages,
        verdict,
        ...(fanOut ? { fanOut: fanOut.map((result) => ({ ...result, tally: fanOutTally(result.consumer) })) } : {}),
        wallMs: Date.now() - started,
        sendMs,
        endpoints: { moto: live.moto.endpoint, localAws: live.localAws.endpoint, localAwsTls: live.localAws.tlsEndpoint },
      };
    } finally {
      clearInterval(ticker);
    }
  } finally {
    io.progress('stopping the functions, the local AWS endpoint and moto_server');
    faults.close();
    // The emulator's state goes with it; a terraform destroy would only cost time.
    await stack?.stop({ destroy: false }).catch(() => undefined);
  }
}
