import { ConfigError, integerInRange, oneOf, optionalString, requiredString, type Env } from '../lib/config';
import { queueNameFromUrl } from '../lib/attributes';

export type WebhookVerification = 'stripe' | 'none';

export interface ProducerConfig {
  queueUrl: string;
  queueName: string;
  verification: WebhookVerification;
  /** Set when verification is `stripe`. */
  secretArn: string | undefined;
  toleranceSeconds: number;
  maxBodyBytes: number;
  /**
   * The largest message (body plus attributes) the producer sends: `maxBodyBytes` plus the
   * allowance the module keeps free within the queue's maximum message size, so a message this
   * size always fits the queue.
   */
  maxMessageBytes: number;
}

/** SQS's message size limit; a body above it could never be enqueued. */
const SQS_MAX_MESSAGE_BYTES = 1024 * 1024;
/** Room kept for the message attributes (and any escaping) beyond MAX_BODY_BYTES; the module checks the queue leaves it. */
export const MESSAGE_ALLOWANCE_BYTES = 16 * 1024;

export function loadProducerConfig(env: Env): ProducerConfig {
  const queueUrl = requiredString(env, 'QUEUE_URL');
  try {
    new URL(queueUrl);
  } catch {
    throw new ConfigError(`QUEUE_URL must be an SQS queue URL; got "${queueUrl}"`);
  }
  const verification = oneOf<WebhookVerification>(env, 'WEBHOOK_VERIFICATION', ['stripe', 'none'], 'stripe');
  const secretArn = optionalString(env, 'WEBHOOK_SECRET_ARN');
  if (verification === 'stripe') {
    if (secretArn === undefined) throw new ConfigError('WEBHOOK_SECRET_ARN is required when WEBHOOK_VERIFICATION is stripe');
    if (!secretArn.startsWith('arn:')) throw new ConfigError(`WEBHOOK_SECRET_ARN must be a Secrets Manager ARN; got "${secretArn}"`);
  }
  // Leaves room for the message attributes within SQS's limit.
  const maxBodyBytes = integerInRange(env, 'MAX_BODY_BYTES', 262_144, 1, SQS_MAX_MESSAGE_BYTES - MESSAGE_ALLOWANCE_BYTES);
  return {
    queueUrl,
    queueName: queueNameFromUrl(queueUrl),
    verification,
    secretArn: verification === 'stripe' ? secretArn : undefined,
    toleranceSeconds: integerInRange(env, 'WEBHOOK_TOLERANCE_SECONDS', 300, 1, 86_400),
    maxBodyBytes,
    maxMessageBytes: maxBodyBytes + MESSAGE_ALLOWANCE_BYTES,
  };
}
