import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { ConsumerConfig } from './config';

/**
 * The consumer's DynamoDB client: its socket pool sized to the records processed at once, and
 * standard retries with more attempts than the SDK's 3, so throttled writes back off and succeed
 * instead of failing their records. (The SDK's `adaptive` mode is not used: its rate limiter
 * starts from a measured rate of zero in a fresh burst and can drop a Lambda to 0.5 calls/s on
 * the first throttle.) `overrides` is for tests and the benchmark (endpoint, credentials).
 */
export function createDynamoDbClient(config: Pick<ConsumerConfig, 'dynamodbMaxSockets' | 'dynamodbMaxAttempts'>, overrides: DynamoDBClientConfig = {}): DynamoDBClient {
  // Agent options, not Agent instances: the SDK builds keep-alive agents from them (http for a
  // local endpoint, https for AWS) with our pool size.
  const agent = { maxSockets: config.dynamodbMaxSockets };
  return new DynamoDBClient({
    retryMode: 'standard',
    maxAttempts: config.dynamodbMaxAttempts,
    requestHandler: { httpAgent: agent, httpsAgent: agent },
    ...overrides,
  });
}
