import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { POISON_MARKER } from './events';
import type { FaultKind, FaultRates } from './options';
import type { Rng } from './rng';

/** The AWS operation a request is for, from its `X-Amz-Target` (JSON protocols: SQS, DynamoDB, Secrets Manager). */
export function operationOf(target: string | undefined): string {
  if (!target) return 'other';
  const [service = '', operation = ''] = target.split('.');
  if (service.startsWith('DynamoDB')) return `dynamodb.${operation}`;
  if (service === 'AmazonSQS') return `sqs.${operation}`;
  if (service === 'secretsmanager') return `secrets.${operation}`;
  return 'other';
}

export interface FaultProxyOptions {
  /** The emulator's endpoint, where every request not failed goes. */
  target: string;
  rates: FaultRates;
  rng: Rng;
  /** How long a stall holds a PutItem: past the consumer's timeout (read once it is deployed). */
  stallMs: () => number;
  /** How long a slow SendMessage is held: past the sender's timeout. */
  slowMs: number;
  /** Fire each request-level fault kind at least once, after a few eligible requests. */
  everyFaultOnce: boolean;
  /** Kills the consumer's process (its in-flight batch fails). */
  killConsumer: () => void;
}

export interface FaultProxy {
  endpoint: string;
  /** Faults fired, by kind. */
  counts: Record<FaultKind, number>;
  /** Requests seen, by operation. */
  requests: Record<string, number>;
  /** Every request to `service` fails with 503 for `ms`, from the next request on. */
  startOutage(service: 'sqs' | 'secrets', ms: number): void;
  /** Requests held (latency, stall) and not yet answered. */
  held(): number;
  /** Requests for `operation` received and not yet answered (held or forwarded). */
  inFlight(operation: string): number;
  close(): Promise<void>;
}

type Decision = { kind: FaultKind; action: 'fail'; status: number; type: string; message: string } | { kind: FaultKind; action: 'delay'; ms: number } | { kind: FaultKind; action: 'kill' };

const dynamoType = (name: string) => `com.amazonaws.dynamodb.v20120810#${name}`;

/**
 * An HTTP proxy the functions use as their AWS endpoint, in front of the emulator: it fails,
 * delays or kills on purpose, at the given rates, and counts what it did. The event source
 * mapping and the checks talk to the emulator directly, so only the functions see the faults.
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const counts = Object.fromEntries(
    ['sqs.throttle', 'sqs.5xx', 'sqs.outage', 'sqs.slow', 'secrets.outage', 'producer.restart', 'dynamodb.throttle', 'dynamodb.5xx', 'dynamodb.latency', 'consumer.timeout', 'consumer.kill'].map((k) => [k, 0]),
  ) as Record<FaultKind, number>;
  const requests: Record<string, number> = {};
  // An outage is armed with its length and starts at the first request it fails, so it is seen
  // however long the cold start before that request takes.
  const outages: Record<'sqs' | 'secrets', { armedMs: number; endsAt: number }> = { sqs: { armedMs: 0, endsAt: 0 }, secrets: { armedMs: 0, endsAt: 0 } };
  const inOutage = (service: 'sqs' | 'secrets') => {
    const outage = outages[service];
    if (outage.armedMs > 0) {
      outage.endsAt = Date.now() + outage.armedMs;
      outage.armedMs = 0;
    }
    return Date.now() < outage.endsAt;
  };
  const eligible: Partial<Record<FaultKind, number>> = {};
  let heldCount = 0;
  const open: Record<string, number> = {};
  const timers = new Set<NodeJS.Timeout>();
  const { rates, rng } = options;

  /** A kind fires at its rate, or (everyFaultOnce) on its `forceAt`-th eligible request if it never fired. */
  const fires = (kind: FaultKind, rate: number, forceAt: number) => {
    const seen = (eligible[kind] = (eligible[kind] ?? 0) + 1);
    if (rng.chance(rate)) return true;
    return options.everyFaultOnce && counts[kind] === 0 && seen >= forceAt;
  };

  /** A poison event's write: refused every time, whatever the rates (not a fault; the events' own nature). */
  const isPoisonWrite = (operation: string, body: Buffer) => operation === 'dynamodb.PutItem' && body.includes(POISON_MARKER);

  const decide = (operation: string): Decision | undefined => {
    if (operation === 'sqs.SendMessage') {
      if (inOutage('sqs')) return { kind: 'sqs.outage', action: 'fail', status: 503, type: 'com.amazonaws.sqs#ServiceUnavailable', message: 'Service is unavailable (injected outage)' };
      if (fires('sqs.throttle', rates.sqsThrottle, 5)) return { kind: 'sqs.throttle', action: 'fail', status: 400, type: 'com.amazon.coral.availability#ThrottlingException', message: 'Rate exceeded (injected)' };
      if (fires('sqs.5xx', rates.sqsServerError, 9)) return { kind: 'sqs.5xx', action: 'fail', status: 500, type: 'com.amazonaws.sqs#InternalError', message: 'We encountered an internal error (injected)' };
      if (fires('sqs.slow', rates.sqsSlow, 40)) return { kind: 'sqs.slow', action: 'delay', ms: options.slowMs };
    }
    if (operation === 'secrets.GetSecretValue' && inOutage('secrets')) {
      return { kind: 'secrets.outage', action: 'fail', status: 503, type: 'ServiceUnavailable', message: 'Service is unavailable (injected outage)' };
    }
    if (operation === 'dynamodb.PutItem') {
      if (fires('dynamodb.throttle', rates.dynamoThrottle, 5)) return { kind: 'dynamodb.throttle', action: 'fail', status: 400, type: dynamoType('ProvisionedThroughputExceededException'), message: 'Throughput exceeds the current capacity (injected)' };
      if (fires('dynamodb.5xx', rates.dynamoServerError, 9)) return { kind: 'dynamodb.5xx', action: 'fail', status: 500, type: dynamoType('InternalServerError'), message: 'Internal server error (injected)' };
      if (fires('dynamodb.latency', rates.dynamoLatency, 13)) return { kind: 'dynamodb.latency', action: 'delay', ms: rng.int(200, 800) };
      if (fires('consumer.timeout', rates.consumerStall, 30)) return { kind: 'consumer.timeout', action: 'delay', ms: options.stallMs() };
      if (fires('consumer.kill', rates.consumerKill, 60)) return { kind: 'consumer.kill', action: 'kill' };
    }
    return undefined;
  };

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', options.target);
    const upstream = httpRequest(url, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    upstream.end(body);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = operationOf(req.headers['x-amz-target'] as string | undefined);
      requests[operation] = (requests[operation] ?? 0) + 1;
      open[operation] = (open[operation] ?? 0) + 1;
      res.on('close', () => (open[operation] = (open[operation] ?? 1) - 1));
      if (isPoisonWrite(operation, body)) {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'soak-poison' });
        res.end(JSON.stringify({ __type: dynamoType('ValidationException'), message: 'One or more parameter values were invalid: the table refuses this item (soak poison event)' }));
        return;
      }
      const decision = decide(operation);
      if (!decision) return forward(req, body, res);
      counts[decision.kind]++;
      if (decision.action === 'fail') {
        const payload = JSON.stringify({ __type: decision.type, message: decision.message });
        res.writeHead(decision.status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'injected-fault' });
        res.end(payload);
        return;
      }
      if (decision.action === 'kill') {
        // Mid-batch: this PutItem is in flight. Half the time the write still lands first, so a
        // redelivered record finds its item already stored.
        const landFirst = rng.chance(0.5);
        if (landFirst) forward(req, body, res);
        setTimeout(options.killConsumer, landFirst ? 50 : 0);
        if (!landFirst) res.destroy();
        return;
      }
      heldCount++;
      const timer = setTimeout(() => {
        timers.delete(timer);
        heldCount--;
        forward(req, body, res);
      }, decision.ms);
      timers.add(timer);
    });
  });
  // Sockets kept alive by the functions' SDK clients would otherwise hold close() open.
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    requests,
    startOutage(service, ms) {
      outages[service].armedMs = ms;
    },
    held: () => heldCount,
    inFlight: (operation) => open[operation] ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
