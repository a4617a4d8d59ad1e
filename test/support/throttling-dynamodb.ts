import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A DynamoDB endpoint on loopback for what moto cannot do: throttle. It answers PutItem on the
 * DynamoDB JSON wire protocol, so the real SDK client (its retry strategy and connection pool)
 * is what the tests exercise. `throttles(eventId)` says how many times that item's PutItem is
 * answered 400 with `errorCode` before it is stored (Infinity: never stored).
 */
export interface ThrottlingDynamoDb {
  url: string;
  /** eventIds stored, in the order they were. */
  stored: string[];
  /** Attempts per eventId, throttled ones included. */
  attempts: Map<string, number>;
  /** Most requests held at once. */
  maxInFlight: number;
  close(): Promise<void>;
}

export interface ThrottlingOptions {
  throttles: (eventId: string) => number;
  errorCode?: 'ProvisionedThroughputExceededException' | 'ThrottlingException';
  /**
   * Answers are held until this many requests are in flight at once (or `holdMs` passed), so
   * `maxInFlight` shows the client's real bound and not how fast this machine is.
   */
  holdUntilInFlight?: number;
  holdMs?: number;
}

export async function startThrottlingDynamoDb(options: ThrottlingOptions): Promise<ThrottlingDynamoDb> {
  const errorCode = options.errorCode ?? 'ProvisionedThroughputExceededException';
  let inFlight = 0;
  const held: Array<() => void> = [];
  const state = { stored: [] as string[], attempts: new Map<string, number>(), maxInFlight: 0 };
  const server: Server = createServer((req, res) => {
    inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Item?: { eventId?: { S?: string } } };
      const eventId = input.Item?.eventId?.S ?? '';
      const attempt = (state.attempts.get(eventId) ?? 0) + 1;
      state.attempts.set(eventId, attempt);
      const throttled = attempt <= options.throttles(eventId);
      if (!throttled) state.stored.push(eventId);
      const body = JSON.stringify(throttled ? { __type: `com.amazonaws.dynamodb.v20120810#${errorCode}`, message: 'throttled by the test endpoint' } : {});
      let answered = false;
      const answer = () => {
        if (answered) return;
        answered = true;
        inFlight -= 1;
        res.writeHead(throttled ? 400 : 200, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': 'test' });
        res.end(body);
      };
      if (options.holdUntilInFlight === undefined) {
        setTimeout(answer, options.holdMs ?? 0);
        return;
      }
      held.push(answer);
      setTimeout(answer, options.holdMs ?? 1000);
      if (inFlight >= options.holdUntilInFlight) for (const release of held.splice(0)) release();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get stored() {
      return state.stored;
    },
    get attempts() {
      return state.attempts;
    },
    get maxInFlight() {
      return state.maxInFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
