import { FilterLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';

/** One function log line, parsed. */
export interface LogLine {
  group: string;
  timestamp: number;
  fields: Record<string, unknown>;
}

export interface LogSearch {
  lines: LogLine[];
  eventsRead: number;
  /** True when a cap stopped a search before the window was read. */
  capped: boolean;
  errors: string[];
}

/** A line as Lambda stores it: our JSON, or console's `<time>\t<request id>\t<LEVEL>\t<JSON>`. */
export function parseLogMessage(message: string): Record<string, unknown> | undefined {
  const candidates = [message.trim(), message.split('\t').slice(3).join('\t').trim()];
  for (const candidate of candidates) {
    if (!candidate.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(candidate) as unknown;
      if (typeof parsed === 'object' && parsed !== null) return parsed as Record<string, unknown>;
    } catch {
      // not JSON: Lambda's own START/END/REPORT lines, a stack trace
    }
  }
  return undefined;
}

/** Filter patterns are at most 1024 characters; a quoted term must not hold a quote. */
export function filterTerm(value: string): string {
  const safe = value.split(/["\\]/).reduce((longest, part) => (part.length > longest.length ? part : longest), '');
  return `"${safe.slice(0, 1000)}"`;
}

/**
 * Reads the lines of `groups` within the window that contain `term` (CloudWatch's filter does
 * the search), parsed, keeping those `keep` accepts. Reads at most `maxEvents` events per term.
 */
export async function searchLogs(
  logs: CloudWatchLogsClient,
  groups: readonly string[],
  term: string,
  window: { startMs: number; endMs: number },
  maxEvents: number,
  keep: (fields: Record<string, unknown>) => boolean,
): Promise<LogSearch> {
  const result: LogSearch = { lines: [], eventsRead: 0, capped: false, errors: [] };
  for (const group of groups) {
    let nextToken: string | undefined;
    try {
      do {
        const page = await logs.send(
          new FilterLogEventsCommand({
            logGroupName: group,
            filterPattern: filterTerm(term),
            startTime: window.startMs,
            endTime: window.endMs,
            limit: Math.min(1000, maxEvents - result.eventsRead),
            nextToken,
          }),
        );
        for (const event of page.events ?? []) {
          result.eventsRead++;
          const fields = parseLogMessage(event.message ?? '');
          if (fields && keep(fields)) result.lines.push({ group, timestamp: event.timestamp ?? 0, fields });
        }
        nextToken = page.nextToken;
        if (nextToken && result.eventsRead >= maxEvents) {
          result.capped = true;
          break;
        }
      } while (nextToken);
    } catch (error) {
      result.errors.push(`${group}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    }
  }
  result.lines.sort((a, b) => a.timestamp - b.timestamp);
  return result;
}
