import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, type Message } from '@aws-sdk/client-sqs';
import type { Clients } from './aws';
import type { Deployment } from './deployment';
import { messageEventKey, peekDeadLetterQueue } from './dlq-peek';
import type { EventRef } from './event-ref';
import { eventQuery, logsInsightsUrl, traceUrl } from './links';
import { searchLogs, type LogLine } from './log-search';

export type Verdict = 'stored' | 'dead-lettered' | 'queued' | 'rejected' | 'never-seen';

export interface LocateOptions {
  /** How far back the logs are searched. */
  windowSeconds: number;
  maxMessages: number;
  maxLogEvents: number;
  holdSeconds?: number;
  now?: () => number;
}

/** One thing the logs say happened to the event, in time order. */
export interface TimelineEntry {
  at: string;
  source: 'producer' | 'consumer';
  what: string;
  messageId?: string;
  traceId?: string;
  status?: number;
  reason?: string;
}

export interface Attempts {
  /** Consumer attempts that failed (each one a receive that came back). */
  failed: number;
  /** Deliveries that found the event already stored. */
  duplicatesIgnored: number;
  lastError?: string;
  lastFailureAt?: string;
}

export interface Answer {
  /** The sender's id of the event asked about. */
  eventId: string;
  /** The source it came in on (stripe for /webhook) and its table key. */
  source: string;
  key: string;
  /** Its event type, when the table or the producer's logs say (what fan-out subscriptions filter on). */
  eventType?: string;
  verdict: Verdict;
  summary: string;
  /** The answer may be wrong because a source could not be read in full. */
  partial: boolean;
  partialReasons: string[];
  stored?: { at: string; receivedAt?: string; messageId: string; traceId: string; type?: string; deliveryAttempts: number | null };
  deadLettered?: Array<{ messageId: string; sentAt?: string; deadLetteredSince?: string; receiveCount: number; lastError?: string; traceHeader?: string }>;
  /** From the logs: the queue itself is not read (a receive would count toward maxReceiveCount and race the consumer). */
  queued?: { messageId: string; enqueuedAt: string; ageSeconds: number; attemptsSoFar: number; maxReceiveCount?: number; lastError?: string; queueDepth?: { visible: number; inFlight: number } };
  rejected?: Array<{ at: string; status: number; reason: string }>;
  attempts?: Attempts;
  traceId?: string;
  links: { trace?: string; logs: string };
  redrive?: string;
  suggestion?: string;
  timeline: TimelineEntry[];
  searched: { table: string; deadLetterQueue: string; logGroups: string[]; window: { from: string; to: string }; dlqMessagesRead: number; logEventsRead: number };
}

const iso = (ms: number) => new Date(ms).toISOString();
const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
const errorText = (value: unknown) => {
  if (typeof value === 'object' && value !== null) {
    const { name, message } = value as { name?: unknown; message?: unknown };
    return [str(name), str(message)].filter(Boolean).join(': ') || JSON.stringify(value);
  }
  return str(value);
};

const MESSAGES = {
  enqueued: 'webhook enqueued',
  sqsRefused: 'SQS did not accept the webhook; the sender will retry',
  stored: 'webhook stored',
  duplicate: 'duplicate webhook ignored: already stored',
  failed: 'record failed; it will be retried',
};

function timelineEntry(line: LogLine, source: TimelineEntry['source']): TimelineEntry {
  const f = line.fields;
  const status = typeof f.status === 'number' ? f.status : undefined;
  const reason = str(f.reason) ?? errorText(f.error);
  return {
    at: iso(line.timestamp),
    source,
    what: str(f.message) ?? '(no message)',
    ...(str(f.messageId) ? { messageId: str(f.messageId) } : {}),
    ...(str(f.traceId) ? { traceId: str(f.traceId) } : {}),
    ...(status !== undefined ? { status } : {}),
    ...(reason ? { reason } : {}),
  };
}

/** Every source where-is reads, for one event. Reads only; the DLQ look is described in dlq-peek. */
export async function locateEvent(event: EventRef, deployment: Deployment, clients: Clients, options: LocateOptions): Promise<Answer> {
  const eventId = event.id;
  // A line is this source's when it says so; lines from before sources existed name none and were /webhook's.
  const sameSource = (f: Record<string, unknown>) => f.source === event.source || (event.isDefault && f.source === undefined);
  const now = (options.now ?? Date.now)();
  const window = { startMs: now - options.windowSeconds * 1000, endMs: now };
  const partialReasons: string[] = [];
  const groups = [deployment.producerLogGroup, deployment.consumerLogGroup];

  // The table: the one item an event becomes.
  let item: Record<string, string> | undefined;
  // No table: a fan-out consumer running a package of its own (its logs say what it did).
  if (deployment.tableName === '') {
    partialReasons.push('no table to read: this consumer runs a package of its own');
  } else {
    try {
      const { Item } = await clients.dynamodb.send(new GetItemCommand({ TableName: deployment.tableName, Key: { eventId: { S: event.key } }, ConsistentRead: true }));
      if (Item) item = Object.fromEntries(Object.entries(Item).map(([name, value]) => [name, value.S ?? value.N ?? '']));
    } catch (error) {
      partialReasons.push(`table ${deployment.tableName} not read: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    }
  }

  // The DLQ, without consuming it.
  let dlqMessages: Message[] = [];
  let dlqRead = 0;
  try {
    const peek = await peekDeadLetterQueue(clients.sqs, deployment.dlqUrl, { maxMessages: options.maxMessages, holdSeconds: options.holdSeconds ?? 30 });
    dlqRead = peek.messages.length;
    dlqMessages = peek.messages.filter((message) => messageEventKey(message) === event.key);
    if (!peek.complete) partialReasons.push(...(peek.notes.length > 0 ? peek.notes : ['the dead-letter queue was not read in full']));
  } catch (error) {
    partialReasons.push(`dead-letter queue not read: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }

  // The logs: lines naming the event, then consumer lines of its messages that could not name it.
  const about = (f: Record<string, unknown>) => (f.eventId === eventId || f.claimedEventId === eventId) && sameSource(f);
  const byEvent = await searchLogs(clients.logs, groups, eventId, window, options.maxLogEvents, about);
  const messageIds = new Set<string>([
    ...byEvent.lines.map((line) => str(line.fields.messageId)).filter((id): id is string => id !== undefined),
    ...dlqMessages.map((message) => message.MessageId as string),
  ]);
  const lines = [...byEvent.lines];
  let eventsRead = byEvent.eventsRead;
  const errors = [...byEvent.errors];
  let capped = byEvent.capped;
  // One search per delivery of this event; an event has a handful, a cap keeps a pathological one bounded.
  const MAX_MESSAGE_SEARCHES = 20;
  if (messageIds.size > MAX_MESSAGE_SEARCHES) partialReasons.push(`searched the consumer's logs for ${MAX_MESSAGE_SEARCHES} of ${messageIds.size} message ids`);
  for (const messageId of [...messageIds].slice(0, MAX_MESSAGE_SEARCHES)) {
    const more = await searchLogs(clients.logs, [deployment.consumerLogGroup], messageId, window, options.maxLogEvents, (f) => f.messageId === messageId && !about(f));
    lines.push(...more.lines);
    eventsRead += more.eventsRead;
    errors.push(...more.errors);
    capped ||= more.capped;
  }
  lines.sort((a, b) => a.timestamp - b.timestamp);
  for (const error of new Set(errors)) partialReasons.push(`logs not read: ${error}`);
  if (capped) partialReasons.push(`log search stopped at --max-log-events ${options.maxLogEvents}`);

  const source = (line: LogLine): TimelineEntry['source'] => (line.group === deployment.producerLogGroup ? 'producer' : 'consumer');
  const timeline = lines.map((line) => timelineEntry(line, source(line)));
  const consumerLines = lines.filter((line) => source(line) === 'consumer');
  const failures = consumerLines.filter((line) => line.fields.message === MESSAGES.failed);
  const lastFailure = failures.at(-1);
  const attempts: Attempts = {
    failed: failures.length,
    duplicatesIgnored: consumerLines.filter((line) => line.fields.message === MESSAGES.duplicate).length,
    ...(lastFailure ? { lastError: errorText(lastFailure.fields.error), lastFailureAt: iso(lastFailure.timestamp) } : {}),
  };
  const enqueued = lines.filter((line) => source(line) === 'producer' && line.fields.message === MESSAGES.enqueued && line.fields.eventId === eventId && sameSource(line.fields));
  const rejections = lines.filter(
    (line) =>
      source(line) === 'producer' &&
      sameSource(line.fields) &&
      ((String(line.fields.message).startsWith('webhook rejected') && line.fields.claimedEventId === eventId) || (line.fields.message === MESSAGES.sqsRefused && line.fields.eventId === eventId)),
  );
  const logsDuringWindow = logsInsightsUrl(deployment.region, groups, eventQuery(eventId, event.isDefault ? undefined : event.source), options.windowSeconds);
  const searched = {
    table: deployment.tableName,
    deadLetterQueue: deployment.dlqUrl,
    logGroups: groups,
    window: { from: iso(window.startMs), to: iso(window.endMs) },
    dlqMessagesRead: dlqRead,
    logEventsRead: eventsRead,
  };
  const logsSeen = lines.length > 0;
  const eventType = item?.type ?? enqueued.map((line) => str(line.fields.type)).find((type) => type !== undefined);
  const base = { eventId, source: event.source, key: event.key, ...(eventType !== undefined ? { eventType } : {}), partial: partialReasons.length > 0, partialReasons, attempts, timeline, searched };
  const redriveCommand = `make redrive ARGS='--event-id ${eventId.length > 80 ? '<event id>' : eventId}${event.isDefault ? '' : ` --source ${event.source}`} <the same deployment flags>'`;

  if (item) {
    const traceId = item.traceId ?? '';
    return {
      ...base,
      verdict: 'stored',
      summary: `stored${logsSeen ? ` after ${attempts.failed + 1} delivery attempt(s)` : ''}${item.type ? ` (${item.type})` : ''}`,
      stored: {
        at: item.processedAt ?? '',
        ...(item.receivedAt ? { receivedAt: item.receivedAt } : {}),
        messageId: item.messageId ?? '',
        traceId,
        ...(item.type ? { type: item.type } : {}),
        // Unknown without logs: the item does not count its attempts.
        deliveryAttempts: logsSeen ? attempts.failed + 1 : null,
      },
      traceId,
      links: { ...(traceId ? { trace: traceUrl(deployment.region, traceId) } : {}), logs: logsDuringWindow },
      ...(dlqMessages.length > 0 ? { redrive: `a copy is also in the DLQ (${dlqMessages.length}); redriving it is harmless: the consumer ignores duplicates` } : {}),
    };
  }

  if (dlqMessages.length > 0) {
    const entries = dlqMessages.map((message) => {
      const ownFailures = failures.filter((line) => line.fields.messageId === message.MessageId);
      const last = ownFailures.at(-1) ?? lastFailure;
      const sent = Number(message.Attributes?.SentTimestamp);
      return {
        messageId: message.MessageId as string,
        ...(Number.isFinite(sent) && sent > 0 ? { sentAt: iso(sent) } : {}),
        // SQS keeps no move time: the last failed attempt is when it was about to move.
        ...(last ? { deadLetteredSince: iso(last.timestamp) } : {}),
        // Minus this look's own receive.
        receiveCount: Math.max(0, Number(message.Attributes?.ApproximateReceiveCount ?? 1) - 1),
        ...(last ? { lastError: errorText(last.fields.error) } : {}),
        ...(message.Attributes?.AWSTraceHeader ? { traceHeader: message.Attributes.AWSTraceHeader } : {}),
      };
    });
    const traceId = enqueued[0] ? str(enqueued[0].fields.traceId) : lastFailure ? str(lastFailure.fields.traceId) : undefined;
    return {
      ...base,
      verdict: 'dead-lettered',
      summary: `in the dead-letter queue${entries[0]?.deadLetteredSince ? ` since about ${entries[0].deadLetteredSince}` : ''}${entries[0]?.lastError ? `, last error: ${entries[0].lastError}` : ''}`,
      deadLettered: entries,
      ...(traceId ? { traceId } : {}),
      links: { ...(traceId ? { trace: traceUrl(deployment.region, traceId) } : {}), logs: logsDuringWindow },
      redrive: `after fixing the cause: ${redriveCommand} (add --dry-run first to see what would move)`,
    };
  }

  const lastEnqueued = enqueued.at(-1);
  if (lastEnqueued) {
    const messageId = str(lastEnqueued.fields.messageId) ?? '';
    const ownFailures = failures.filter((line) => line.fields.messageId === messageId);
    let maxReceiveCount: number | undefined;
    let queueDepth: { visible: number; inFlight: number } | undefined;
    try {
      const { Attributes: a = {} } = await clients.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: deployment.queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'RedrivePolicy'] }),
      );
      queueDepth = { visible: Number(a.ApproximateNumberOfMessages ?? 0), inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) };
      const policy = a.RedrivePolicy ? (JSON.parse(a.RedrivePolicy) as { maxReceiveCount?: number | string }) : undefined;
      if (policy?.maxReceiveCount !== undefined) maxReceiveCount = Number(policy.maxReceiveCount);
    } catch (error) {
      partialReasons.push(`queue attributes not read: ${String(error)}`);
    }
    const traceId = str(lastEnqueued.fields.traceId);
    const ageSeconds = Math.max(0, Math.round((now - lastEnqueued.timestamp) / 1000));
    return {
      ...base,
      partial: partialReasons.length > 0,
      verdict: 'queued',
      summary: `accepted ${ageSeconds} s ago (message ${messageId}), not processed yet: ${ownFailures.length} failed attempt(s) so far`,
      queued: {
        messageId,
        enqueuedAt: iso(lastEnqueued.timestamp),
        ageSeconds,
        attemptsSoFar: ownFailures.length,
        ...(maxReceiveCount !== undefined ? { maxReceiveCount } : {}),
        ...(ownFailures.at(-1) ? { lastError: errorText(ownFailures.at(-1)?.fields.error) } : {}),
        ...(queueDepth ? { queueDepth } : {}),
      },
      ...(traceId ? { traceId } : {}),
      links: { ...(traceId ? { trace: traceUrl(deployment.region, traceId) } : {}), logs: logsDuringWindow },
    };
  }

  if (rejections.length > 0) {
    const rejected = rejections.map((line) => ({
      at: iso(line.timestamp),
      status: typeof line.fields.status === 'number' ? line.fields.status : 0,
      reason: str(line.fields.reason) ?? (line.fields.message === MESSAGES.sqsRefused ? 'the queue did not accept it' : str(line.fields.message) ?? ''),
    }));
    const last = rejected.at(-1) as { at: string; status: number; reason: string };
    return {
      ...base,
      verdict: 'rejected',
      summary: `rejected at the gate ${rejected.length} time(s); last: HTTP ${last.status} ${last.reason} at ${last.at}`,
      rejected,
      links: { logs: logsDuringWindow },
      suggestion: 'the sender got this status and may retry (Stripe retries for about 3 days, GitHub does not: redeliver it from the webhook\'s Recent Deliveries): fix the cause (e.g. the signing secret) and the next delivery is accepted',
    };
  }

  return {
    ...base,
    verdict: 'never-seen',
    summary: 'never seen: not in the table, the dead-letter queue or the functions\' logs within the window',
    links: { logs: logsDuringWindow },
    suggestion:
      "check the sender's delivery log (Stripe Dashboard → Developers → Webhooks → the endpoint's event deliveries; GitHub: the webhook's Recent Deliveries) for this event: was it sent, to which URL, and what came back? " +
      'A request that API Gateway refused (throttled, wrong path) never reaches the producer; its access log has it.',
  };
}

