import { ConfigError, integerInRange, oneOf, optionalString, type Env } from '../lib/config';
import { destinationMaxMessageBytes, loadDestination, type DestinationConfig } from './publish';

export type WebhookVerification = 'stripe' | 'none';

export interface ProducerConfig {
  /** The queue (QUEUE_URL), or with fan-out the SNS topic (TOPIC_ARN). */
  destination: DestinationConfig;
  verification: WebhookVerification;
  /** Set when verification is `stripe`. */
  secretArn: string | undefined;
  toleranceSeconds: number;
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
  const verification = oneOf<WebhookVerification>(env, 'WEBHOOK_VERIFICATION', ['stripe', 'none'], 'stripe');
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
  return {
    destination,
    verification,
    secretArn: verification === 'stripe' ? secretArn : undefined,
    toleranceSeconds: integerInRange(env, 'WEBHOOK_TOLERANCE_SECONDS', 300, 1, 86_400),
    maxBodyBytes,
    maxMessageBytes,
  };
}
