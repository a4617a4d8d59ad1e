import { faultKindsFor, handOffOf, type FaultKind, type SoakOptions } from './options';
import { failures, percentile, type SoakVerdict } from './checks';
import type { EventLedger } from './sender';

export interface ConsumerTally {
  batches: number;
  /** Invocations that failed as a whole, by error name (Sandbox.Timedout, Runtime.ExitError). */
  failedInvocations: Record<string, number>;
  /** Records left on the queue to come back after the visibility timeout. */
  recordsRetried: number;
  /** Record spans that found their event already stored. */
  duplicatesSkipped: number;
}

export interface SoakReport {
  options: SoakOptions;
  events: { total: number; normal: number; poison: number; forged: number };
  deliveries: number;
  redeliveries: number;
  attempts: number;
  retriesByCause: Record<string, number>;
  faults: Record<FaultKind, number>;
  /** The functions' and the mapping's AWS requests through the local AWS endpoint, by operation. */
  awsRequests: Record<string, number>;
  consumer: ConsumerTally;
  deadLetterMessages: number;
  /** With fan-out, the module's own consumer's (the first of fanOut). */
  verdict: SoakVerdict;
  /** With fan-out: each consumer's verdict against its filter, and what its own mapping and function went through. */
  fanOut?: Array<{ consumer: string; verdict: SoakVerdict; deadLetterMessages: number; tally?: ConsumerTally }>;
  wallMs: number;
  sendMs: number;
  /** Where the emulator and the local AWS endpoint listened (closed when the run returns). */
  endpoints: { moto: string; localAws: string; localAwsTls: string };
}

export function tallyDeliveries(ledgers: readonly EventLedger[]): Pick<SoakReport, 'deliveries' | 'redeliveries' | 'attempts' | 'retriesByCause'> {
  const retriesByCause: Record<string, number> = {};
  let deliveries = 0;
  let redeliveries = 0;
  let attempts = 0;
  for (const ledger of ledgers) {
    for (const delivery of ledger.deliveries) {
      deliveries++;
      if (delivery.redelivery) redeliveries++;
      for (const attempt of delivery.attempts) {
        attempts++;
        if (attempt.status === undefined || attempt.status >= 300 || attempt.status < 200) retriesByCause[attempt.outcome] = (retriesByCause[attempt.outcome] ?? 0) + 1;
      }
    }
  }
  return { deliveries, redeliveries, attempts, retriesByCause };
}

const ms = (value: number) => (Number.isNaN(value) ? 'n/a' : value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`);
const row = (label: string, value: string | number) => `  ${label.padEnd(44)} ${value}`;

/** Problems across the run: the verdict's, or with fan-out every consumer's. */
export const reportFailures = (report: Pick<SoakReport, 'verdict' | 'fanOut'>): number =>
  report.fanOut ? report.fanOut.reduce((sum, { verdict }) => sum + failures(verdict), 0) : failures(report.verdict);

/** The closing table: what was sent, what failed on purpose, what followed, and the verdict. */
export function renderReport(report: SoakReport): string {
  if (report.fanOut) {
    // One table per consumer (each against its own filter), then the run's verdict.
    const parts = report.fanOut.map(
      ({ consumer, verdict, deadLetterMessages, tally }) => `consumer ${consumer}:\n${renderReport({ ...report, verdict, deadLetterMessages, consumer: tally ?? report.consumer, fanOut: undefined })}`,
    );
    const total = reportFailures(report);
    return [...parts, total === 0 ? 'PASS on every consumer' : `FAIL: ${total} problems across the consumers`].join('\n\n');
  }
  const { verdict } = report;
  const lines = [
    'make soak: results',
    row('seed', report.options.seed),
    row('events', `${report.events.total} (${report.events.normal} normal, ${report.events.poison} poison, ${report.events.forged} forged)`),
    row('deliveries (of which redeliveries after a 2xx)', `${report.deliveries} (${report.redeliveries})`),
    row('HTTP requests', report.attempts),
    row('accepted events (a 200 at least once)', `${verdict.acceptedEvents} (${verdict.acceptedPoison} poison)`),
    'retries by cause (sender)',
    ...Object.entries(report.retriesByCause)
      .sort((a, b) => b[1] - a[1])
      .map(([cause, count]) => row(`  ${cause}`, count)),
    'faults injected, by kind',
    ...faultKindsFor(handOffOf(report.options)).map((kind) => row(`  ${kind}`, report.faults[kind])),
    row('AWS requests of the functions\' roles', Object.entries(report.awsRequests).map(([op, n]) => `${op} ${n}`).join(', ')),
    'what followed in the consumer',
    row('  batches', report.consumer.batches),
    ...Object.entries(report.consumer.failedInvocations).map(([name, count]) => row(`  failed invocations: ${name}`, count)),
    row('  records returned to the queue', report.consumer.recordsRetried),
    row('  redelivered records found already stored', report.consumer.duplicatesSkipped),
    row('DLQ messages', report.deadLetterMessages),
    row('lost', verdict.lost.length),
    row('doubled', verdict.doubled.length),
    row('stored without a 200 (or poison stored)', verdict.storedWithoutAcceptance.length),
    row('DLQ messages that are not poison', verdict.deadLetteredOthers.length),
    row('items minus accepted non-poison events', verdict.itemCountDifference),
    row('refused by the local AWS (IAM, KMS, limits)', verdict.refused.length),
    row('stored webhooks X-Ray sampled (checked)', `${verdict.sampledStored} of ${verdict.sampledStored + verdict.unsampledStored}`),
    row('broken traces (of the sampled)', verdict.brokenTraces.length),
    row('cross-wired record spans', verdict.crossWired),
    row('messages left in the queue', verdict.queueRemaining),
    row('first send -> stored p50 / p95 / p99', `${ms(percentile(verdict.latenciesMs, 50))} / ${ms(percentile(verdict.latenciesMs, 95))} / ${ms(percentile(verdict.latenciesMs, 99))}`),
    row('wall time (sending; total with deploy and checks)', `${ms(report.sendMs)}; ${ms(report.wallMs)}`),
    failures(verdict) === 0 ? 'PASS: nothing lost, nothing doubled, every trace intact' : `FAIL: ${failures(verdict)} problems`,
  ];
  const samples = [
    ...verdict.lost.slice(0, 5).map((id) => `  lost: ${id}`),
    ...verdict.doubled.slice(0, 5).map((id) => `  doubled: ${id}`),
    ...verdict.storedWithoutAcceptance.slice(0, 5).map((id) => `  stored without a 200: ${id}`),
    ...verdict.deadLetteredOthers.slice(0, 5).map((id) => `  in the DLQ, not poison: ${id}`),
    ...verdict.refused.slice(0, 5).map((refusal) => `  refused: ${refusal}`),
    ...verdict.brokenTraces.slice(0, 5).map((broken) => `  broken trace ${broken.traceId} (${broken.eventId}): ${broken.reason}`),
  ];
  return [...lines, ...samples].join('\n');
}
