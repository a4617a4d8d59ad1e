import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
  type CloudWatchLogsClientConfig,
  type InputLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { randomBytes } from 'node:crypto';

// PutLogEvents limits: 10,000 events and 1,048,576 bytes a call (26 bytes counted per event),
// 256 KiB an event.
const MAX_EVENTS = 10_000;
const MAX_BATCH_BYTES = 1_048_576;
const EVENT_OVERHEAD = 26;
const MAX_EVENT_BYTES = 256 * 1024 - EVENT_OVERHEAD;
const FLUSH_INTERVAL_MS = 200;

export interface LogForwarderOptions {
  /** The client Lambda's log delivery uses: the function's execution role, through the local AWS endpoint. */
  client: CloudWatchLogsClientConfig;
  functionName: string;
}

function unlessItExists(error: unknown): void {
  if (!(error instanceof ResourceAlreadyExistsException) && (error as { name?: string }).name !== 'ResourceAlreadyExistsException') throw error;
}

/** Lambda names an execution environment's stream `YYYY/MM/DD/[$LATEST]<32 hex>`. */
export function lambdaLogStreamName(now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replace(/-/g, '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

/** Batches of log events within PutLogEvents' limits, in order. */
export function logEventBatches(events: readonly InputLogEvent[]): InputLogEvent[][] {
  const batches: InputLogEvent[][] = [];
  let current: InputLogEvent[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = Buffer.byteLength(event.message ?? '') + EVENT_OVERHEAD;
    if (current.length > 0 && (current.length >= MAX_EVENTS || bytes + size > MAX_BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(event);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * What Lambda does with a function's stdout and stderr: each line becomes an event in the log
 * group `/aws/lambda/<function>`, in a stream of the execution environment. The local runtime
 * sends them to the emulator's CloudWatch Logs, so tools read the logs there as they would in
 * AWS. Forwarding never fails the function: an error is kept in `lastError`.
 */
export class CloudWatchLogForwarder {
  readonly logGroupName: string;
  readonly logStreamName = lambdaLogStreamName();
  lastError: Error | undefined;
  private readonly client: CloudWatchLogsClient;
  private partial = '';
  private queued: InputLogEvent[] = [];
  private streamReady: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(options: LogForwarderOptions) {
    this.logGroupName = `/aws/lambda/${options.functionName}`;
    this.client = new CloudWatchLogsClient(options.client);
  }

  /** Takes raw output; complete lines are queued, a trailing partial line waits for its end. */
  write(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    const timestamp = Date.now();
    for (const line of lines) {
      if (line.trim() === '') continue;
      const message = Buffer.byteLength(line) > MAX_EVENT_BYTES ? Buffer.from(line).subarray(0, MAX_EVENT_BYTES).toString('utf8') : line;
      this.queued.push({ timestamp, message });
    }
    if (this.queued.length > 0 && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, FLUSH_INTERVAL_MS);
      this.timer.unref();
    }
  }

  private ensureStream(): Promise<void> {
    this.streamReady ??= (async () => {
      const createStream = () => this.client.send(new CreateLogStreamCommand({ logGroupName: this.logGroupName, logStreamName: this.logStreamName })).catch(unlessItExists);
      try {
        await createStream();
      } catch (error) {
        if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
        // No group (Terraform creates it): Lambda creates one with the execution role, if the role may.
        await this.client.send(new CreateLogGroupCommand({ logGroupName: this.logGroupName })).catch(unlessItExists);
        await createStream();
      }
    })();
    return this.streamReady;
  }

  /** Sends everything queued so far (and a trailing partial line when `final`). */
  flush(final = false): Promise<void> {
    if (final && this.partial.trim() !== '') {
      this.queued.push({ timestamp: Date.now(), message: this.partial });
      this.partial = '';
    }
    const events = this.queued;
    this.queued = [];
    // One call at a time, so events reach the stream in the order they were written.
    this.inFlight = this.inFlight.then(async () => {
      if (events.length === 0) return;
      try {
        await this.ensureStream();
        for (const batch of logEventBatches(events)) {
          await this.client.send(new PutLogEventsCommand({ logGroupName: this.logGroupName, logStreamName: this.logStreamName, logEvents: batch }));
        }
      } catch (error) {
        this.lastError = error instanceof Error ? error : new Error(String(error));
        this.streamReady = undefined;
      }
    });
    return this.inFlight;
  }
}
