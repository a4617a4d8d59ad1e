import { ConfigError, integerInRange, oneOf, optionalString, requiredString, type Env } from '../lib/config';
import { DEFAULT_MAX_CONCURRENCY, type TraceLinkMode } from '../lib/record-runner';

/**
 * Sockets the consumer's DynamoDB client may open at once. The SDK's own default is 50; ours is
 * higher so a batch of 1,000 records takes about 8 round trips instead of 20. Records processed
 * at once follow it unless MAX_CONCURRENCY caps them: more records in flight than sockets would
 * only queue inside the client.
 */
export const DEFAULT_DYNAMODB_MAX_SOCKETS = DEFAULT_MAX_CONCURRENCY;

/**
 * Attempts per DynamoDB call (the SDK's default is 3, or 4 for DynamoDB in its 2026 releases).
 * Throttling is retried with the SDK's jittered exponential backoff; 6 attempts ride out several
 * seconds of throttling inside the consumer's 30 s timeout, and a record that still fails is
 * reported in batchItemFailures.
 */
export const DEFAULT_DYNAMODB_MAX_ATTEMPTS = 6;

export interface ConsumerConfig {
  tableName: string;
  linkMode: TraceLinkMode;
  /** Records of one batch processed at once: MAX_CONCURRENCY, or the socket pool when unset. */
  maxConcurrency: number;
  /** DYNAMODB_MAX_SOCKETS: the DynamoDB client's connection pool. */
  dynamodbMaxSockets: number;
  /** DYNAMODB_MAX_ATTEMPTS: attempts per DynamoDB call, retries included. */
  dynamodbMaxAttempts: number;
}

export function loadConsumerConfig(env: Env): ConsumerConfig {
  const dynamodbMaxSockets = integerInRange(env, 'DYNAMODB_MAX_SOCKETS', DEFAULT_DYNAMODB_MAX_SOCKETS, 1, 1000);
  const maxConcurrency = integerInRange(env, 'MAX_CONCURRENCY', dynamodbMaxSockets, 1, 1000);
  if (optionalString(env, 'MAX_CONCURRENCY') !== undefined && maxConcurrency > dynamodbMaxSockets) {
    throw new ConfigError(
      `MAX_CONCURRENCY (${maxConcurrency}) is above DYNAMODB_MAX_SOCKETS (${dynamodbMaxSockets}): the extra records would only wait for a socket; raise DYNAMODB_MAX_SOCKETS with it or leave MAX_CONCURRENCY unset`,
    );
  }
  return {
    tableName: requiredString(env, 'TABLE_NAME'),
    linkMode: oneOf<TraceLinkMode>(env, 'TRACE_LINK_MODE', ['parent', 'link'], 'parent'),
    maxConcurrency,
    dynamodbMaxSockets,
    dynamodbMaxAttempts: integerInRange(env, 'DYNAMODB_MAX_ATTEMPTS', DEFAULT_DYNAMODB_MAX_ATTEMPTS, 1, 20),
  };
}
