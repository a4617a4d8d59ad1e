import { xrayTraceId } from './links';
import type { ConsumerAnswer, ConsumerVerdict } from './fan-out';
import type { Answer } from './locate';

const HEADLINE: Record<Answer['verdict'], string> = {
  stored: 'STORED',
  'dead-lettered': 'IN THE DEAD-LETTER QUEUE',
  queued: 'ACCEPTED, NOT PROCESSED YET (in the queue)',
  rejected: 'REJECTED AT THE GATE',
  'never-seen': 'NEVER SEEN',
};

const short = (id: string) => (id.length > 60 ? `${id.slice(0, 57)}…` : id);

const CONSUMER_HEADLINE: Record<ConsumerVerdict, string> = { ...HEADLINE, 'filtered-out': 'FILTERED OUT (not delivered)' };

/** With fan-out: each consumer's verdict and summary, then its answer's facts, indented. */
function renderConsumers(consumers: readonly ConsumerAnswer[]): string[] {
  const out = ['  consumers'];
  for (const consumer of consumers) {
    out.push(`    ${consumer.name}: ${CONSUMER_HEADLINE[consumer.verdict]}: ${consumer.summary}`);
    if (consumer.verdict === 'filtered-out') continue;
    const facts = renderAnswer({ ...consumer.answer, timeline: [] }).split('\n').slice(2);
    out.push(...facts.filter((line) => !/^ {2}(logs|trace view|searched) /.test(line)).map((line) => `    ${line}`));
  }
  return out;
}

/** The answer for a person: the verdict first, then the facts behind it, then where to look next. */
export function renderAnswer(answer: Answer & { consumers?: readonly ConsumerAnswer[] }): string {
  if (answer.consumers) {
    const { consumers, ...rest } = answer;
    const [headline = '', summary = '', ...others] = renderAnswer({ ...rest, stored: undefined, deadLettered: undefined, queued: undefined, attempts: undefined }).split('\n');
    return [headline, summary, ...renderConsumers(consumers), ...others].join('\n');
  }
  const out: string[] = [`${short(answer.eventId)}${answer.key !== answer.eventId ? ` (${answer.source}, key ${short(answer.key)})` : ''}: ${HEADLINE[answer.verdict]}${answer.partial ? ' (partial answer, see below)' : ''}`, `  ${answer.summary}`];
  const { stored, deadLettered, queued, rejected, attempts } = answer;
  if (stored) {
    out.push(`  stored at      ${stored.at}${stored.receivedAt ? ` (accepted ${stored.receivedAt})` : ''}`);
    out.push(`  by message     ${stored.messageId}`);
    out.push(`  attempts       ${stored.deliveryAttempts ?? 'unknown (no log lines in the window)'}${attempts && attempts.failed > 0 ? ` (${attempts.failed} failed first; last error: ${attempts.lastError ?? '?'})` : ''}`);
    if (attempts && attempts.duplicatesIgnored > 0) out.push(`  duplicates     ${attempts.duplicatesIgnored} later deliveries found it stored and were ignored`);
  }
  for (const entry of deadLettered ?? []) {
    out.push(`  message        ${entry.messageId}${entry.sentAt ? ` (first sent ${entry.sentAt})` : ''}`);
    out.push(`  in DLQ since   about ${entry.deadLetteredSince ?? 'unknown (no consumer log lines in the window)'}`);
    out.push(`  receives       ${entry.receiveCount}${attempts ? ` (${attempts.failed} failed attempts logged)` : ''}`);
    if (entry.lastError) out.push(`  last error     ${entry.lastError}`);
  }
  if (queued) {
    out.push(`  message        ${queued.messageId}, accepted ${queued.enqueuedAt} (${queued.ageSeconds} s ago)`);
    out.push(`  attempts       ${queued.attemptsSoFar}${queued.maxReceiveCount ? ` of ${queued.maxReceiveCount} before the DLQ` : ''}${queued.lastError ? `; last error: ${queued.lastError}` : ''}`);
    if (queued.queueDepth) out.push(`  queue now      ${queued.queueDepth.visible} waiting, ${queued.queueDepth.inFlight} in flight`);
    out.push('  (read from the logs: the queue itself is never received from)');
  }
  for (const entry of rejected ?? []) out.push(`  ${entry.at}  HTTP ${entry.status}  ${entry.reason}`);
  if (answer.traceId) out.push(`  trace          ${xrayTraceId(answer.traceId)}`);
  if (answer.links.trace) out.push(`  trace view     ${answer.links.trace}`);
  out.push(`  logs           ${answer.links.logs}`);
  if (answer.redrive) out.push(`  redrive        ${answer.redrive}`);
  if (answer.suggestion) out.push(`  next           ${answer.suggestion}`);
  if (answer.timeline.length > 0) {
    out.push('  timeline (from the functions\' logs)');
    for (const entry of answer.timeline.slice(-12)) {
      const detail = [entry.status ? `HTTP ${entry.status}` : '', entry.reason ?? '', entry.messageId ? `message ${entry.messageId}` : ''].filter(Boolean).join(', ');
      out.push(`    ${entry.at} ${entry.source.padEnd(8)} ${entry.what}${detail ? ` (${detail})` : ''}`);
    }
  }
  const s = answer.searched;
  out.push(
    `  searched       table ${s.table}; DLQ ${s.deadLetterQueue} (${s.dlqMessagesRead} messages read); logs ${s.logGroups.join(', ')} from ${s.window.from} to ${s.window.to} (${s.logEventsRead} events read)`,
  );
  for (const reason of answer.partialReasons) out.push(`  partial:       ${reason}`);
  return out.join('\n');
}
