/** What `make soak` runs: counts, rates and seed, all settable with SOAK_ARGS. */

/** Every fault the soak injects, by the name the report uses. */
export const FAULT_KINDS = [
  'sqs.throttle',
  'sqs.5xx',
  'sqs.outage',
  'sqs.slow',
  'sns.throttle',
  'sns.5xx',
  'sns.outage',
  'sns.slow',
  'secrets.outage',
  'producer.restart',
  'dynamodb.throttle',
  'dynamodb.5xx',
  'dynamodb.latency',
  'consumer.timeout',
  'consumer.kill',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * The service the producer hands each event to: the queue, or with fan-out the topic. The
 * hand-off faults (`--sqs-*` rates, the outage) hit that service's send, reported under its name.
 */
export type HandOff = 'sqs' | 'sns';
export const handOffOf = (options: Pick<SoakOptions, 'fanOut'>): HandOff => (options.fanOut ? 'sns' : 'sqs');

/** The kinds a run can inject: the other hand-off's never fire. */
export const faultKindsFor = (handOff: HandOff): FaultKind[] => FAULT_KINDS.filter((kind) => !kind.startsWith(`${handOff === 'sqs' ? 'sns' : 'sqs'}.`));

/** Per-request probabilities of the faults the proxy decides request by request. */
export interface FaultRates {
  /** The producer's hand-off (SendMessage, or Publish with fan-out) throttled. */
  sqsThrottle: number;
  /** The hand-off answered with a 5xx. */
  sqsServerError: number;
  /** The hand-off held past the sender's timeout: the sender retries while the first send still lands. */
  sqsSlow: number;
  dynamoThrottle: number;
  dynamoServerError: number;
  dynamoLatency: number;
  /** PutItem held past the consumer's timeout: the invocation times out, its process is killed. */
  consumerStall: number;
  /** The consumer's process killed while one of its PutItems is in flight. */
  consumerKill: number;
}

export interface SoakOptions {
  events: number;
  seed: number;
  /** Deliveries in flight at once. */
  concurrency: number;
  /** Consumer batches in flight at once (the event source mapping's pollers; they share one process). */
  pollers: number;
  /** The consumer's timeout; the queue's visibility timeout is 6x this. */
  consumerTimeoutSeconds: number;
  /**
   * New events wait while the queue holds more than this: the emulator's ReceiveMessage slows
   * with the queue's length, so an unbounded backlog would starve the local consumer.
   */
  maxBacklog: number;
  /** Share of accepted events Stripe delivers again later (at least once, out of order). */
  redeliverRate: number;
  /** Share of events that pass the gate but can never be stored (larger than a DynamoDB item). */
  poisonRate: number;
  /** Share of events signed with a wrong secret: never accepted, must never be stored. */
  forgedRate: number;
  faults: FaultRates;
  /** Length of the hand-off's outage (every SendMessage, or Publish with fan-out, fails) started a third of the way through. */
  sqsOutageMs: number;
  /** Length of the Secrets Manager outage, with a producer cold start, two thirds of the way through. */
  secretsOutageMs: number;
  /** Fire every fault kind at least once even when its rate would not (the `make test` run). */
  everyFaultOnce: boolean;
  /** The sender's per-request timeout. */
  senderTimeoutMs: number;
  /** How long to wait, after the last delivery, for the queue to drain. */
  settleTimeoutMs: number;
  /**
   * Fan-out (examples/local's fan_out: billing raw, notifications enveloped and filtered on
   * invoice.*): each consumer checked against its filter. The SQS faults then never fire (the
   * producer publishes to SNS, and SNS's deliveries are not a role's calls).
   */
  fanOut?: boolean;
}

export const DEFAULT_OPTIONS: SoakOptions = {
  events: 10_000,
  seed: 1,
  concurrency: 8,
  pollers: 2,
  // Room for a slow batch on a loaded machine: a natural timeout would fail good records.
  consumerTimeoutSeconds: 5,
  maxBacklog: 100,
  redeliverRate: 0.05,
  poisonRate: 0.002,
  forgedRate: 0.002,
  faults: {
    sqsThrottle: 0.03,
    sqsServerError: 0.02,
    sqsSlow: 0.001,
    dynamoThrottle: 0.03,
    dynamoServerError: 0.02,
    dynamoLatency: 0.01,
    // A stall or a kill fails a whole batch (up to 10 records); three in a row on one record
    // would dead-letter a good event, so these stay rare.
    consumerStall: 0.0005,
    consumerKill: 0.0005,
  },
  sqsOutageMs: 3000,
  secretsOutageMs: 3000,
  everyFaultOnce: true,
  senderTimeoutMs: 5000,
  settleTimeoutMs: 300_000,
};

const RATE_FLAGS: Record<string, keyof FaultRates> = {
  '--sqs-throttle': 'sqsThrottle',
  '--sqs-5xx': 'sqsServerError',
  '--sqs-slow': 'sqsSlow',
  '--ddb-throttle': 'dynamoThrottle',
  '--ddb-5xx': 'dynamoServerError',
  '--ddb-latency': 'dynamoLatency',
  '--consumer-stall': 'consumerStall',
  '--consumer-kill': 'consumerKill',
};

const NUMBER_FLAGS: Record<string, keyof SoakOptions> = {
  '--events': 'events',
  '--seed': 'seed',
  '--concurrency': 'concurrency',
  '--pollers': 'pollers',
  '--consumer-timeout': 'consumerTimeoutSeconds',
  '--max-backlog': 'maxBacklog',
  '--redeliver': 'redeliverRate',
  '--poison': 'poisonRate',
  '--forged': 'forgedRate',
  '--sqs-outage-ms': 'sqsOutageMs',
  '--secrets-outage-ms': 'secretsOutageMs',
  '--sender-timeout-ms': 'senderTimeoutMs',
  '--settle-timeout-ms': 'settleTimeoutMs',
};

export const USAGE = `usage: make soak SOAK_ARGS="[--events N] [--seed N] [--concurrency N] [--pollers N] [--consumer-timeout S] [--max-backlog N] [--redeliver R] [--poison R] [--forged R]
  [--sqs-throttle R] [--sqs-5xx R] [--sqs-slow R] [--ddb-throttle R] [--ddb-5xx R] [--ddb-latency R]
  [--consumer-stall R] [--consumer-kill R] [--sqs-outage-ms MS] [--secrets-outage-ms MS] [--no-force] [--fan-out]
  [--sender-timeout-ms MS] [--settle-timeout-ms MS]"   (R: a probability from 0 to 1)
  With --fan-out the --sqs-* faults and the outage hit the producer's sns.Publish (reported as sns.*).`;

const isRate = (flag: string) => flag in RATE_FLAGS || ['--redeliver', '--poison', '--forged'].includes(flag);

/** Parses SOAK_ARGS; throws with the usage on anything unknown or out of range. */
export function parseSoakArgs(argv: readonly string[], defaults: SoakOptions = DEFAULT_OPTIONS): SoakOptions {
  const options: SoakOptions = { ...defaults, faults: { ...defaults.faults } };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    if (flag === '--no-force') {
      options.everyFaultOnce = false;
      continue;
    }
    if (flag === '--fan-out') {
      options.fanOut = true;
      continue;
    }
    if (!(flag in RATE_FLAGS) && !(flag in NUMBER_FLAGS)) throw new Error(`unknown option ${flag}\n${USAGE}`);
    const raw = argv[++i];
    const value = Number(raw);
    if (raw === undefined || raw.trim() === '' || !Number.isFinite(value) || value < 0) throw new Error(`${flag} needs a number >= 0, got ${raw ?? 'nothing'}\n${USAGE}`);
    if (isRate(flag) && value > 1) throw new Error(`${flag} is a probability (0 to 1), got ${raw}`);
    if (!isRate(flag) && !Number.isInteger(value)) throw new Error(`${flag} needs a whole number, got ${raw}`);
    if (flag in RATE_FLAGS) options.faults[RATE_FLAGS[flag] as keyof FaultRates] = value;
    else (options[NUMBER_FLAGS[flag] as keyof SoakOptions] as number) = value;
  }
  if (options.events < 1) throw new Error('--events must be at least 1');
  if (options.concurrency < 1) throw new Error('--concurrency must be at least 1');
  if (options.pollers < 1) throw new Error('--pollers must be at least 1');
  if (options.consumerTimeoutSeconds < 1 || options.consumerTimeoutSeconds > 30) throw new Error('--consumer-timeout must be 1 to 30 seconds');
  return options;
}
