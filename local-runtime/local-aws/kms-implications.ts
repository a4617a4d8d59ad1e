// The KMS calls a service makes on the caller's behalf when the resource is encrypted with a KMS
// key, which AWS authorizes as the caller's own (with kms:ViaService naming the service, and the
// service's encryption context): the caller's role must allow them and so must the key policy.

/** One KMS call a service makes for the caller. */
export interface ImpliedKmsCall {
  action: 'kms:GenerateDataKey' | 'kms:Decrypt';
  /** The key as the resource names it (id, ARN or alias): resolved to its ARN before evaluation. */
  keyId: string;
  /** `<service>.<region>.amazonaws.com`: the kms:ViaService value. */
  viaService: string;
  encryptionContext: Record<string, string>;
}

const DYNAMODB_DATA_PLANE = new Set([
  'PutItem',
  'GetItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchWriteItem',
  'BatchGetItem',
  'TransactWriteItems',
  'TransactGetItems',
  'ExecuteStatement',
  'BatchExecuteStatement',
  'ExecuteTransaction',
]);

/**
 * SQS (SSE-KMS): kms:GenerateDataKey to send, kms:Decrypt to receive, context aws:sqs:arn.
 * (SQS reuses a data key for KmsDataKeyReusePeriodSeconds; the permission is needed all the same,
 * and a key policy change shows at once here rather than after the reuse period.)
 */
export function sqsKmsCalls(operation: string, queueArn: string, keyId: string, region: string): ImpliedKmsCall[] {
  const context = { 'aws:sqs:arn': queueArn };
  const viaService = `sqs.${region}.amazonaws.com`;
  if (operation === 'SendMessage' || operation === 'SendMessageBatch') return [{ action: 'kms:GenerateDataKey', keyId, viaService, encryptionContext: context }];
  // AWS calls KMS only when a message comes back; the endpoint checks before the receive (it cannot
  // un-receive a message from the emulator), so an empty queue is refused too when kms:Decrypt is missing.
  if (operation === 'ReceiveMessage') return [{ action: 'kms:Decrypt', keyId, viaService, encryptionContext: context }];
  return [];
}

/**
 * DynamoDB with a customer managed key uses the key on behalf of the principal that reads or
 * writes the table (KMS developer guide, "How Amazon DynamoDB uses AWS KMS"): kms:Decrypt of the
 * table key, context aws:dynamodb:tableName and aws:dynamodb:subscriberId (the account).
 */
export function dynamodbKmsCalls(operation: string, tableName: string, keyId: string, region: string, accountId: string): ImpliedKmsCall[] {
  if (!DYNAMODB_DATA_PLANE.has(operation)) return [];
  return [
    {
      action: 'kms:Decrypt',
      keyId,
      viaService: `dynamodb.${region}.amazonaws.com`,
      encryptionContext: { 'aws:dynamodb:tableName': tableName, 'aws:dynamodb:subscriberId': accountId },
    },
  ];
}

/** Secrets Manager: kms:Decrypt to read a value, kms:GenerateDataKey to store one, context SecretARN. */
export function secretsKmsCalls(operation: string, secretArn: string, keyId: string, region: string): ImpliedKmsCall[] {
  const base = { keyId, viaService: `secretsmanager.${region}.amazonaws.com`, encryptionContext: { SecretARN: secretArn } };
  if (operation === 'GetSecretValue' || operation === 'BatchGetSecretValue') return [{ action: 'kms:Decrypt', ...base }];
  if (operation === 'PutSecretValue' || operation === 'UpdateSecret' || operation === 'CreateSecret') return [{ action: 'kms:GenerateDataKey', ...base }];
  return [];
}

/**
 * SNS with a customer managed key: the publisher's permissions make the data key each message is
 * encrypted with (kms:GenerateDataKey) and decrypt it (kms:Decrypt), context aws:sns:topicArn.
 */
export function snsKmsCalls(operation: string, topicArn: string, keyId: string, region: string): ImpliedKmsCall[] {
  if (operation !== 'Publish' && operation !== 'PublishBatch') return [];
  const base = { keyId, viaService: `sns.${region}.amazonaws.com`, encryptionContext: { 'aws:sns:topicArn': topicArn } };
  return [
    { action: 'kms:GenerateDataKey', ...base },
    { action: 'kms:Decrypt', ...base },
  ];
}

/** The condition keys KMS sets for such a call. */
export function kmsContext(call: ImpliedKmsCall, accountId: string): Record<string, string | string[]> {
  return {
    'kms:ViaService': call.viaService,
    'kms:CallerAccount': accountId,
    'kms:EncryptionContextKeys': Object.keys(call.encryptionContext),
    ...Object.fromEntries(Object.entries(call.encryptionContext).map(([key, value]) => [`kms:EncryptionContext:${key}`, value])),
    'aws:ViaAWSService': 'true',
    'aws:SecureTransport': 'true',
  };
}
