// where-is with fan-out: one answer per consumer (its table, its queue and DLQ, its logs), and a
// verdict for the event as a whole. A consumer whose subscription's filter does not take the
// event is `filtered-out`, not `queued`: SNS never delivered it there.
import { matchesFilterPolicy } from '../../local-runtime/local-aws/sns-filter-policy';
import { EVENT_TYPE_ATTRIBUTE, SOURCE_ATTRIBUTE } from '../../functions/webhook-identity';
import type { Clients } from './aws';
import { consumerDeployment, type DeployedConsumer, type Deployment } from './deployment';
import type { EventRef } from './event-ref';
import { locateEvent, type Answer, type LocateOptions, type Verdict } from './locate';

export type ConsumerVerdict = Verdict | 'filtered-out';

/** What one consumer did with the event: its own where-is answer, or that its filter left it out. */
export interface ConsumerAnswer {
  name: string;
  verdict: ConsumerVerdict;
  /** `stored by billing`, `in notifications' DLQ since …`, `filtered out of analytics`. */
  summary: string;
  answer: Answer;
}

/** The fan-out's answer: the event's verdict (the one needing most attention), then each consumer's. */
export interface FanOutAnswer extends Answer {
  consumers: ConsumerAnswer[];
}

/** Which verdict the event as a whole gets: the first of these any consumer has. */
const ATTENTION: ConsumerVerdict[] = ['dead-lettered', 'queued', 'rejected', 'stored', 'filtered-out', 'never-seen'];

/**
 * Whether the consumer's subscription takes an event of this type from this source: the
 * attributes the producer publishes (webhook-event-type, webhook-source) against its filter.
 * Undefined when that cannot be told (no type known, or a filter this does not evaluate).
 */
export function filterTakes(consumer: Pick<DeployedConsumer, 'filterPolicy'>, source: string, type: string | undefined): boolean | undefined {
  if (!consumer.filterPolicy) return true;
  if (type === undefined) return undefined;
  try {
    return matchesFilterPolicy(JSON.parse(consumer.filterPolicy), {
      [EVENT_TYPE_ATTRIBUTE]: { DataType: 'String', StringValue: type },
      [SOURCE_ATTRIBUTE]: { DataType: 'String', StringValue: source },
    });
  } catch {
    return undefined;
  }
}

/** `notifications'`, `billing's`. */
const possessive = (name: string) => (name.endsWith('s') ? `${name}'` : `${name}'s`);

function consumerSummary(name: string, verdict: ConsumerVerdict, answer: Answer): string {
  switch (verdict) {
    case 'stored':
      return `stored by ${name}${answer.stored?.deliveryAttempts ? ` (attempt ${answer.stored.deliveryAttempts})` : ''}`;
    case 'dead-lettered': {
      const since = answer.deadLettered?.[0]?.deadLetteredSince;
      return `in ${possessive(name)} DLQ${since ? ` since about ${since}` : ''}`;
    }
    case 'queued':
      return `in ${possessive(name)} queue, not processed yet (${answer.queued?.attemptsSoFar ?? 0} failed attempt(s) so far)`;
    case 'filtered-out':
      return `filtered out of ${name} (its subscription's filter does not take ${answer.eventType ?? 'this type'} from ${answer.source})`;
    case 'rejected':
      return 'rejected at the gate (no consumer received it)';
    case 'never-seen':
      return `never seen by ${name}`;
  }
}

/** where-is across every consumer of a fan-out (or the ones named). */
export async function locateAcrossConsumers(event: EventRef, deployment: Deployment, clients: Clients, options: LocateOptions, only?: string): Promise<FanOutAnswer> {
  const consumers = (deployment.consumers ?? []).filter((consumer) => only === undefined || consumer.name === only);
  if (consumers.length === 0) consumerDeployment(deployment, only); // throws, naming the consumers
  const answers: ConsumerAnswer[] = [];
  for (const consumer of consumers) {
    const answer = await locateEvent(event, consumerDeployment(deployment, consumer.name), clients, options);
    const takes = filterTakes(consumer, event.source, answer.eventType);
    // Accepted (or never seen here) and not for this subscription: SNS did not deliver it.
    const verdict: ConsumerVerdict = takes === false && (answer.verdict === 'queued' || answer.verdict === 'never-seen') ? 'filtered-out' : answer.verdict;
    answers.push({ name: consumer.name, verdict, summary: consumerSummary(consumer.name, verdict, answer), answer });
  }
  const first = answers[0] as ConsumerAnswer;
  const overall = ATTENTION.find((verdict) => answers.some((answer) => answer.verdict === verdict)) ?? 'never-seen';
  const lead = answers.find((answer) => answer.verdict === overall) ?? first;
  // The event's own facts (trace, links, gate) from the consumer that decides the verdict.
  const verdict: Verdict = overall === 'filtered-out' ? 'never-seen' : overall;
  const summary = overall === 'rejected' || overall === 'never-seen' ? lead.answer.summary : answers.map((answer) => answer.summary).join('; ');
  return { ...lead.answer, verdict, summary, partial: answers.some((answer) => answer.answer.partial), consumers: answers };
}
