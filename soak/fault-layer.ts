import type { ServerResponse } from 'node:http';
import type { AwsCall, LocalAwsLayer } from '../local-runtime/local-aws';
import type { Caller } from '../local-runtime/local-aws/identity';
import { POISON_MARKER } from './events';
import { FAULT_KINDS, type FaultKind, type FaultRates, type HandOff } from './options';
import type { Rng } from './rng';

/** The name the report gives a call: `sqs.SendMessage`, `dynamodb.PutItem`, `secrets.GetSecretValue`. */
export function operationOf(call: Pick<AwsCall['request'], 'service' | 'operation'>): string {
  const service = call.service === 'secretsmanager' ? 'secrets' : call.service;
  return service ? `${service}.${call.operation}` : 'other';
}

export interface FaultLayerOptions {
  rates: FaultRates;
  rng: Rng;
  /** How long a stall holds a PutItem: past the consumer's timeout (read once it is deployed). */
  stallMs: () => number;
  /** How long a slow hand-off is held: past the sender's timeout. */
  slowMs: number;
  /** Where the producer hands events off (the queue, or the topic with fan-out): its send gets the hand-off faults. */
  handOff?: HandOff;
  /** Fire each request-level fault kind at least once, after a few eligible requests. */
  everyFaultOnce: boolean;
  /** Kills the process of the consumer that made the call (its in-flight batch fails). */
  killConsumer: (caller: Caller) => void;
}

export interface FaultLayer {
  /** Plugged into the local AWS endpoint, between its checks and the emulator. */
  layer: LocalAwsLayer;
  /** Faults fired, by kind. */
  counts: Record<FaultKind, number>;
  /** Requests of the functions' and the mapping's roles seen, by operation. */
  requests: Record<string, number>;
  /** Every hand-off (or every secret read) fails with 503 for `ms`, from the next request on. */
  startOutage(service: 'handOff' | 'secrets', ms: number): void;
  /** Requests held (latency, stall) and not yet answered. */
  held(): number;
  /** Requests for `operation` received and not yet answered (held or forwarded). */
  inFlight(operation: string): number;
  /** Drops the held requests' timers. */
  close(): void;
}

type Decision = { kind: FaultKind; action: 'fail'; status: number; type: string; message: string } | { kind: FaultKind; action: 'delay'; ms: number } | { kind: FaultKind; action: 'kill' };

const dynamoType = (name: string) => `com.amazonaws.dynamodb.v20120810#${name}`;

/** A refusal as each hand-off service words it: SQS in JSON (awsJson1_0), SNS in the query protocol's XML with its modelled codes. */
const HAND_OFF_ERRORS: Record<HandOff, Record<'throttle' | '5xx' | 'outage', { status: number; type: string; message: string }>> = {
  sqs: {
    throttle: { status: 400, type: 'com.amazon.coral.availability#ThrottlingException', message: 'Rate exceeded (injected)' },
    '5xx': { status: 500, type: 'com.amazonaws.sqs#InternalError', message: 'We encountered an internal error (injected)' },
    outage: { status: 503, type: 'com.amazonaws.sqs#ServiceUnavailable', message: 'Service is unavailable (injected outage)' },
  },
  sns: {
    throttle: { status: 429, type: 'Throttled', message: 'Rate exceeded (injected)' },
    '5xx': { status: 500, type: 'InternalError', message: 'Internal error (injected)' },
    outage: { status: 503, type: 'ServiceUnavailable', message: 'Service is unavailable (injected outage)' },
  },
};

const xmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The query protocol's error document, as SNS answers it. */
function queryErrorBody(code: string, message: string, status: number): string {
  return `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${xmlText(code)}</Code><Message>${xmlText(message)}</Message></Error><RequestId>injected-fault</RequestId></ErrorResponse>`;
}

/**
 * The soak's fault injection as a layer of the local AWS endpoint, after its IAM, KMS and SQS
 * checks and before the emulator: it fails, delays or kills on purpose, at the given rates, the
 * calls of the functions' roles (never the harness's, which signs as the account's admin), and
 * counts what it did.
 */
export function createFaultLayer(options: FaultLayerOptions): FaultLayer {
  const counts = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>;
  const handOff = options.handOff ?? 'sqs';
  const handOffOperation = handOff === 'sqs' ? 'sqs.SendMessage' : 'sns.Publish';
  const handOffErrors = HAND_OFF_ERRORS[handOff];
  const requests: Record<string, number> = {};
  // An outage is armed with its length and starts at the first request it fails, so it is seen
  // however long the cold start before that request takes.
  const outages: Record<'handOff' | 'secrets', { armedMs: number; endsAt: number }> = { handOff: { armedMs: 0, endsAt: 0 }, secrets: { armedMs: 0, endsAt: 0 } };
  const inOutage = (service: 'handOff' | 'secrets') => {
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
    if (operation === handOffOperation) {
      if (inOutage('handOff')) return { kind: `${handOff}.outage`, action: 'fail', ...handOffErrors.outage };
      if (fires(`${handOff}.throttle`, rates.sqsThrottle, 5)) return { kind: `${handOff}.throttle`, action: 'fail', ...handOffErrors.throttle };
      if (fires(`${handOff}.5xx`, rates.sqsServerError, 9)) return { kind: `${handOff}.5xx`, action: 'fail', ...handOffErrors['5xx'] };
      if (fires(`${handOff}.slow`, rates.sqsSlow, 40)) return { kind: `${handOff}.slow`, action: 'delay', ms: options.slowMs };
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

  const handle = (call: AwsCall, res: ServerResponse, forward: () => void): boolean => {
    if (call.caller.kind !== 'role') return false;
    const operation = operationOf(call.request);
    requests[operation] = (requests[operation] ?? 0) + 1;
    open[operation] = (open[operation] ?? 0) + 1;
    res.on('close', () => (open[operation] = (open[operation] ?? 1) - 1));
    if (isPoisonWrite(operation, call.request.body)) {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'soak-poison' });
      res.end(JSON.stringify({ __type: dynamoType('ValidationException'), message: 'One or more parameter values were invalid: the table refuses this item (soak poison event)' }));
      return true;
    }
    const decision = decide(operation);
    if (!decision) return false;
    counts[decision.kind]++;
    if (decision.action === 'fail') {
      if (call.request.protocol === 'query') {
        res.writeHead(decision.status, { 'content-type': 'text/xml', 'x-amzn-requestid': 'injected-fault' });
        res.end(queryErrorBody(decision.type, decision.message, decision.status));
      } else {
        res.writeHead(decision.status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'injected-fault' });
        res.end(JSON.stringify({ __type: decision.type, message: decision.message }));
      }
      return true;
    }
    if (decision.action === 'kill') {
      // The process dies now, while this PutItem is in flight, so the invocation always fails
      // (Runtime.ExitError): killed a moment later, it could finish its batch first and the kill
      // hit an idle process. Half the time the write still reaches the table, as a write whose
      // answer never came back would, so a redelivered record finds its item already stored.
      options.killConsumer(call.caller);
      if (rng.chance(0.5)) forward();
      else res.destroy();
      return true;
    }
    heldCount++;
    const timer = setTimeout(() => {
      timers.delete(timer);
      heldCount--;
      forward();
    }, decision.ms);
    timers.add(timer);
    return true;
  };
  return {
    layer: { handle },
    counts,
    requests,
    startOutage(service, ms) {
      outages[service].armedMs = ms;
    },
    held: () => heldCount,
    inFlight: (operation) => open[operation] ?? 0,
    close: () => {
      for (const timer of timers) clearTimeout(timer);
    },
  };
}
