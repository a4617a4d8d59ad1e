import type { AwsRequest } from './aws-request';

/** What one call acts on, before the emulator is asked about it. */
export type Target =
  | { kind: 'queue'; name: string }
  | { kind: 'table'; name: string }
  | { kind: 'secret'; id: string }
  | { kind: 'key'; id: string }
  | { kind: 'topic'; arn: string }
  | { kind: 'arn'; arn: string }
  | { kind: 'none' };

/** One IAM action a call needs, and on what. A call can need several (a batch over tables, a transaction). */
export interface TargetedAction {
  action: string;
  target: Target;
}

/** The IAM service prefix of a SigV4 signing name, where they differ. */
const IAM_PREFIX: Record<string, string> = { monitoring: 'cloudwatch', email: 'ses', 'execute-api': 'execute-api' };

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

function queueNameOf(params: Record<string, unknown>): string | undefined {
  const url = text(params.QueueUrl);
  if (url) return url.replace(/\/+$/, '').split('/').pop();
  return text(params.QueueName);
}

const TRANSACT_ACTIONS: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem', Get: 'GetItem' };

function dynamoActions(operation: string, params: Record<string, unknown>): TargetedAction[] {
  const tableName = text(params.TableName);
  if (tableName) return [{ action: `dynamodb:${operation}`, target: { kind: 'table', name: tableName } }];
  if (operation === 'BatchWriteItem' || operation === 'BatchGetItem') {
    return Object.keys((params.RequestItems as Record<string, unknown> | undefined) ?? {}).map((name) => ({ action: `dynamodb:${operation}`, target: { kind: 'table', name } }));
  }
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    const items = (params.TransactItems as Array<Record<string, { TableName?: string }>> | undefined) ?? [];
    return items.flatMap((item) =>
      Object.entries(item).map(([kind, detail]) => ({ action: `dynamodb:${TRANSACT_ACTIONS[kind] ?? kind}`, target: detail?.TableName ? { kind: 'table' as const, name: detail.TableName } : { kind: 'none' as const } })),
    );
  }
  return [{ action: `dynamodb:${operation}`, target: { kind: 'none' } }];
}

/**
 * The actions a call needs and what they act on: SQS batch calls need the action of their single
 * form (sqs:SendMessage for SendMessageBatch), DynamoDB batches and transactions one per table or
 * item, CloudWatch Logs calls act on the log stream (`log-group:<name>:log-stream:<stream>`, which is
 * what AWS names in its denials and what `log-group:<name>:*` grants).
 */
export function actionsOf(request: AwsRequest, region: string, accountId: string): TargetedAction[] | undefined {
  const { service, operation, params } = request;
  switch (service) {
    case 'sqs': {
      const queue = queueNameOf(params);
      return [{ action: `sqs:${operation.replace(/Batch$/, '')}`, target: queue ? { kind: 'queue', name: queue } : { kind: 'none' } }];
    }
    case 'dynamodb':
      return dynamoActions(operation, params);
    case 'secretsmanager': {
      const id = text(params.SecretId) ?? text(params.Name);
      return [{ action: `secretsmanager:${operation}`, target: id ? { kind: 'secret', id } : { kind: 'none' } }];
    }
    case 'kms': {
      const id = text(params.KeyId);
      return [{ action: `kms:${operation}`, target: id ? { kind: 'key', id } : { kind: 'none' } }];
    }
    case 'logs': {
      const group = text(params.logGroupName);
      const stream = text(params.logStreamName);
      const base = `arn:aws:logs:${region}:${accountId}:log-group:${group}`;
      if (!group) return [{ action: `logs:${operation}`, target: { kind: 'none' } }];
      const arn = stream !== undefined ? `${base}:log-stream:${stream}` : operation === 'CreateLogGroup' ? `${base}:log-stream:` : base;
      return [{ action: `logs:${operation}`, target: { kind: 'arn', arn } }];
    }
    case 'sns': {
      // PublishBatch needs sns:Publish, as SendMessageBatch needs sqs:SendMessage.
      const arn = text(params.TopicArn) ?? text(params.TargetArn);
      return [{ action: `sns:${operation.replace(/Batch$/, '')}`, target: arn ? { kind: 'topic', arn } : { kind: 'none' } }];
    }
    case 'sts':
      // GetCallerIdentity needs no permission; nothing else is expected from a function.
      return operation === 'GetCallerIdentity' ? [] : [{ action: `sts:${operation}`, target: { kind: 'none' } }];
    default:
      // REST APIs other than X-Ray name their operation by method and path: no IAM action to read off.
      if (request.protocol === 'rest' && service !== 'xray') return undefined;
      return [{ action: `${IAM_PREFIX[service] ?? service}:${operation}`, target: { kind: 'none' } }];
  }
}
