import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Deployment } from './deployment';

export interface Clients {
  sqs: SQSClient;
  dynamodb: DynamoDBClient;
  logs: CloudWatchLogsClient;
}

const LOOPBACK = /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+\/?$/;

/**
 * Clients for the deployment. With an emulator endpoint on loopback and no credentials in the
 * environment, dummy ones (the emulator accepts any); otherwise the SDK's default chain.
 */
export function createClients(deployment: Deployment, env: NodeJS.ProcessEnv = process.env): Clients {
  const emulator = deployment.endpoint !== undefined && LOOPBACK.test(deployment.endpoint);
  const config = {
    region: deployment.region,
    ...(deployment.endpoint ? { endpoint: deployment.endpoint } : {}),
    ...(emulator && !env.AWS_ACCESS_KEY_ID ? { credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } } : {}),
  };
  return { sqs: new SQSClient(config), dynamodb: new DynamoDBClient(config), logs: new CloudWatchLogsClient(config) };
}

export function destroyClients(clients: Clients): void {
  clients.sqs.destroy();
  clients.dynamodb.destroy();
  clients.logs.destroy();
}
