import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';

export function motoEndpoint(): string {
  const endpoint = process.env.MOTO_ENDPOINT;
  if (!endpoint) throw new Error('MOTO_ENDPOINT is not set: the jest globalSetup starts moto_server');
  return endpoint;
}

export const clientConfig = () => ({
  endpoint: motoEndpoint(),
  region: 'us-east-1',
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
});

export const sqsClient = () => new SQSClient(clientConfig());
export const dynamoClient = () => new DynamoDBClient(clientConfig());
export const secretsClient = () => new SecretsManagerClient(clientConfig());

export const uniqueName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

export async function createQueue(sqs: SQSClient, name = uniqueName('webhooks')): Promise<{ url: string; arn: string; name: string }> {
  const created = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const url = created.QueueUrl as string;
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return { url, arn: attributes.Attributes?.QueueArn as string, name };
}

export async function receiveAll(sqs: SQSClient, queueUrl: string, max = 10): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const batch = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, max - messages.length),
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
        WaitTimeSeconds: 0,
        VisibilityTimeout: 30,
      }),
    );
    const received = batch.Messages ?? [];
    messages.push(...received);
    if (received.length === 0 || messages.length >= max) return messages;
  }
}

export async function createEventsTable(dynamodb: DynamoDBClient, name = uniqueName('events')): Promise<string> {
  await dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: 'eventId', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'eventId', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return name;
}

export async function scanTable(dynamodb: DynamoDBClient, tableName: string) {
  const result = await dynamodb.send(new ScanCommand({ TableName: tableName }));
  return (result.Items ?? []).map((item) => Object.fromEntries(Object.entries(item).map(([key, value]) => [key, value.S])));
}

export async function createSecret(secrets: SecretsManagerClient, value: string): Promise<string> {
  const created = await secrets.send(new CreateSecretCommand({ Name: uniqueName('webhook-secret'), SecretString: value }));
  return created.ARN as string;
}

export async function rotateSecret(secrets: SecretsManagerClient, arn: string, value: string): Promise<void> {
  await secrets.send(new PutSecretValueCommand({ SecretId: arn, SecretString: value }));
}
