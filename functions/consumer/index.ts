import { assertTracingReady } from '../lib/startup-check';
import { loadConsumerConfig } from './config';
import { createConsumerHandler } from './consumer';
import { createDynamoDbClient } from './dynamodb-client';

// Module scope runs once per cold start: a bad setting fails it here, naming the setting.
const config = loadConsumerConfig(process.env);
assertTracingReady(process.env);

export const handler = createConsumerHandler({ config, dynamodb: createDynamoDbClient(config) });
