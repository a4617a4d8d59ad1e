import { integerInRange, oneOf, requiredString, type Env } from '../lib/config';
import type { TraceLinkMode } from '../lib/record-runner';

export interface ConsumerConfig {
  tableName: string;
  linkMode: TraceLinkMode;
  maxConcurrency: number;
}

export function loadConsumerConfig(env: Env): ConsumerConfig {
  return {
    tableName: requiredString(env, 'TABLE_NAME'),
    linkMode: oneOf<TraceLinkMode>(env, 'TRACE_LINK_MODE', ['parent', 'link'], 'parent'),
    maxConcurrency: integerInRange(env, 'MAX_CONCURRENCY', 10, 1, 1000),
  };
}
