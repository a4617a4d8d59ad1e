import { ConfigError, integerInRange, oneOf, optionalString, type Env } from '../lib/config';
import { DEFAULT_SOURCE_NAME } from '../webhook-identity';
import { destinationMaxMessageBytes, loadDestination, type DestinationConfig } from './publish';
import { defaultWebhookSource, parseWebhookSources, type WebhookSource } from './webhook-sources';

/** How `/webhook` is verified: `stripe`, `none` (must be asked for), or `off` (no source on `/webhook`: only WEBHOOK_SOURCES). */
export type WebhookVerification = 'stripe' | 'none' | 'off';

export interface ProducerConfig {
  /** The queue (QUEUE_URL), or with fan-out the SNS topic (TOPIC_ARN). */
  destination: DestinationConfig;
  /** How `/webhook` is verified. */
  verification: WebhookVerification;
  /** The `/webhook` source's secret; set when verification is `stripe`. */
  secretArn: string | undefined;
  toleranceSeconds: number;
  /** The source served on `/webhook` (named `stripe`); undefined when verification is `off`. */
  defaultSource: WebhookSource | undefined;
  /** The `/webhooks/<source>` sources (WEBHOOK_SOURCES), by name. */
  sources: ReadonlyMap<string, WebhookSource>;
  maxBodyBytes: number;
  /**
   * The largest message (body plus attributes, as SQS counts them) the producer sends: the
   * deployed queue's maximum message size (QUEUE_MAX_MESSAGE_BYTES). A larger one is answered
   * with 413 instead of being refused by SendMessage, which the sender would retry for days.
   * Publishing to a topic, SNS's 256 KiB when smaller.
   */
  maxMessageBytes: number;
}

/** The largest maximum message size SQS allows a queue (1 MiB since 2026). */
const SQS_MAX_MESSAGE_BYTES = 1024 * 1024;
/**
 * The queue size assumed when QUEUE_MAX_MESSAGE_BYTES is unset: 256 KiB, what AWS provider 5.x
 * deploys when a queue's size is not given, and no queue default is smaller. Assuming less than
 * the queue really takes only answers 413 early; assuming more would let SendMessage fail.
 */
const DEFAULT_QUEUE_MAX_MESSAGE_BYTES = 256 * 1024;
/** Room kept for the message attributes (and any escaping) beyond MAX_BODY_BYTES; the module checks the queue leaves it. */
export const MESSAGE_ALLOWANCE_BYTES = 16 * 1024;

export function loadProducerConfig(env: Env): ProducerConfig {
  const destination = loadDestination(env);
  const verification = oneOf<WebhookVerification>(env, 'WEBHOOK_VERIFICATION', ['stripe', 'none', 'off'], 'stripe');
  const secretArn = optionalString(env, 'WEBHOOK_SECRET_ARN');
  if (verification === 'stripe') {
    if (secretArn === undefined) throw new ConfigError('WEBHOOK_SECRET_ARN is required when WEBHOOK_VERIFICATION is stripe');
    if (!secretArn.startsWith('arn:')) throw new ConfigError(`WEBHOOK_SECRET_ARN must be a Secrets Manager ARN; got "${secretArn}"`);
  }
  // The deployed queue's size (the module sets it from queue_max_message_size), not SQS's
  // largest: a queue created without a size is 256 KiB with AWS provider 5.x.
  const queueMaxMessageBytes = integerInRange(env, 'QUEUE_MAX_MESSAGE_BYTES', DEFAULT_QUEUE_MAX_MESSAGE_BYTES, MESSAGE_ALLOWANCE_BYTES + 1, SQS_MAX_MESSAGE_BYTES);
  const maxMessageBytes = destinationMaxMessageBytes(destination, queueMaxMessageBytes);
  // Leaves room for the message attributes (and escaping) within that queue's limit.
  const maxBodyLimit = maxMessageBytes - MESSAGE_ALLOWANCE_BYTES;
  const maxBodyBytes = integerInRange(env, 'MAX_BODY_BYTES', maxBodyLimit, 1, maxBodyLimit);
  const toleranceSeconds = integerInRange(env, 'WEBHOOK_TOLERANCE_SECONDS', 300, 1, 86_400);
  const sources = parseWebhookSources(optionalString(env, 'WEBHOOK_SOURCES'));
  if (verification === 'off' && sources.size === 0) throw new ConfigError('WEBHOOK_VERIFICATION is off and WEBHOOK_SOURCES names no source: the producer would accept nothing');
  if (verification !== 'off' && sources.has(DEFAULT_SOURCE_NAME)) {
    throw new ConfigError(`WEBHOOK_SOURCES: "${DEFAULT_SOURCE_NAME}" is the name of the /webhook source; give this one another name (or set WEBHOOK_VERIFICATION to off)`);
  }
  return {
    destination,
    verification,
    secretArn: verification === 'stripe' ? secretArn : undefined,
    toleranceSeconds,
    defaultSource: verification === 'off' ? undefined : defaultWebhookSource(verification, secretArn, toleranceSeconds),
    sources,
    maxBodyBytes,
    maxMessageBytes,
  };
}
