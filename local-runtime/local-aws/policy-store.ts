import { DescribeTableCommand, DynamoDBClient, GetResourcePolicyCommand as GetTablePolicyCommand } from '@aws-sdk/client-dynamodb';
import { GetPolicyCommand, GetPolicyVersionCommand, GetRoleCommand, GetRolePolicyCommand, IAMClient, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetFunctionConfigurationCommand, GetPolicyCommand as GetFunctionPolicyCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeSecretCommand, GetResourcePolicyCommand as GetSecretPolicyCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetSubscriptionAttributesCommand, GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ADMIN_CREDENTIALS } from './identity';

/** An IAM policy document as AWS stores it. */
export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: unknown;
}

export interface NamedPolicy {
  name: string;
  policy: PolicyDocument;
}

/** What a role session's identity-based evaluation reads: the role's inline and attached policies and its boundary. */
export interface RolePolicies {
  roleArn: string;
  identity: NamedPolicy[];
  boundary: NamedPolicy | undefined;
  /** Who may assume the role (its trust policy). */
  trust: PolicyDocument | undefined;
}

export interface QueueFacts {
  arn: string;
  policy: PolicyDocument | undefined;
  /** The queue's KMS key as configured (id, alias or ARN), when SSE-KMS is on. */
  kmsKeyId: string | undefined;
  maxMessageSize: number;
}

export interface TableFacts {
  arn: string;
  /** The customer managed or AWS managed key, when the table is encrypted with KMS (not the AWS owned key). */
  kmsKeyId: string | undefined;
  policy: PolicyDocument | undefined;
}

export interface SecretFacts {
  arn: string;
  name: string;
  kmsKeyId: string | undefined;
  policy: PolicyDocument | undefined;
  /** Scheduled for deletion (DeletedDate set). */
  deleted: boolean;
}

export interface KeyFacts {
  arn: string;
  policy: PolicyDocument;
  /** An AWS managed key (aws/sqs, aws/dynamodb, ...): its fixed policy lets the account use it through its service. */
  awsManaged: boolean;
}

export interface TopicFacts {
  arn: string;
  policy: PolicyDocument | undefined;
  /** The topic's KMS key as configured (id, alias or ARN), when it is encrypted. */
  kmsKeyId: string | undefined;
}

/** One subscription of a topic, as SNS delivers to it. */
export interface SubscriptionFacts {
  arn: string;
  protocol: string;
  /** The subscribed queue's ARN, for protocol sqs. */
  endpoint: string;
  rawMessageDelivery: boolean;
  /** The filter policy as a parsed JSON object, or undefined (every message). */
  filterPolicy: unknown;
  filterPolicyScope: 'MessageAttributes' | 'MessageBody';
}

export interface FunctionFacts {
  arn: string;
  policy: PolicyDocument | undefined;
}

const errorName = (error: unknown) => (error as { name?: string }).name ?? '';

/** IAM returns policy documents URL-encoded (RFC 3986); other services as plain JSON. */
export function parsePolicyDocument(text: string | undefined): PolicyDocument | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const json = text.trimStart().startsWith('{') ? text : decodeURIComponent(text);
  return JSON.parse(json) as PolicyDocument;
}

const isAwsManagedAlias = (keyId: string) => /(^|:)alias\/aws\//.test(keyId);

/**
 * Reads, from the emulator, every policy an access decision needs, and keeps it until something
 * that may change access goes through the endpoint (`invalidate`). Reads go to moto_server directly
 * as the account's admin: they are the endpoint's own, not the caller's.
 */
export class PolicyStore {
  private cache = new Map<string, Promise<unknown>>();
  private readonly iam: IAMClient;
  private readonly sqs: SQSClient;
  private readonly kms: KMSClient;
  private readonly secrets: SecretsManagerClient;
  private readonly dynamodb: DynamoDBClient;
  private readonly lambda: LambdaClient;
  private readonly sns: SNSClient;
  /** Reads made, for the tests that check the cache. */
  reads = 0;

  constructor(private readonly motoEndpoint: string, private readonly region: string, private readonly accountId: string) {
    const config = { endpoint: motoEndpoint, region, credentials: ADMIN_CREDENTIALS };
    this.iam = new IAMClient(config);
    this.sqs = new SQSClient(config);
    this.kms = new KMSClient(config);
    this.secrets = new SecretsManagerClient(config);
    this.dynamodb = new DynamoDBClient(config);
    this.lambda = new LambdaClient(config);
    this.sns = new SNSClient(config);
  }

  /** Drops everything read so far: the next decision reads the emulator again. */
  invalidate(): void {
    this.cache = new Map();
  }

  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const cache = this.cache;
    let entry = cache.get(key) as Promise<T> | undefined;
    if (!entry) {
      this.reads++;
      entry = load();
      cache.set(key, entry);
      // A failed read is not kept: the next call tries again.
      entry.catch(() => cache.get(key) === entry && cache.delete(key));
    }
    return entry;
  }

  role(roleName: string): Promise<RolePolicies> {
    return this.cached(`role:${roleName}`, async () => {
      const { Role } = await this.iam.send(new GetRoleCommand({ RoleName: roleName }));
      const inlineNames = (await this.iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames ?? [];
      const inline = await Promise.all(
        inlineNames.map(async (name) => ({ name, policy: parsePolicyDocument((await this.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }))).PolicyDocument) as PolicyDocument })),
      );
      const attachedArns = ((await this.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }))).AttachedPolicies ?? []).map((p) => p.PolicyArn as string);
      const attached = await Promise.all(attachedArns.map((arn) => this.managedPolicy(arn)));
      const boundaryArn = Role?.PermissionsBoundary?.PermissionsBoundaryArn;
      return {
        roleArn: Role?.Arn ?? '',
        identity: [...inline, ...attached],
        boundary: boundaryArn ? await this.managedPolicy(boundaryArn) : undefined,
        trust: parsePolicyDocument(Role?.AssumeRolePolicyDocument),
      };
    });
  }

  private async managedPolicy(arn: string): Promise<NamedPolicy> {
    const { Policy } = await this.iam.send(new GetPolicyCommand({ PolicyArn: arn }));
    const { PolicyVersion } = await this.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: Policy?.DefaultVersionId }));
    return { name: arn, policy: parsePolicyDocument(PolicyVersion?.Document) as PolicyDocument };
  }

  /** The queue named `queueName` in this account, or undefined when the emulator has none. */
  queue(queueName: string): Promise<QueueFacts | undefined> {
    return this.cached(`queue:${queueName}`, async () => {
      try {
        const { Attributes = {} } = await this.sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: `${this.motoEndpoint}/${this.accountId}/${queueName}`, AttributeNames: ['QueueArn', 'Policy', 'KmsMasterKeyId', 'MaximumMessageSize'] }),
        );
        return {
          arn: Attributes.QueueArn ?? `arn:aws:sqs:${this.region}:${this.accountId}:${queueName}`,
          policy: parsePolicyDocument(Attributes.Policy),
          kmsKeyId: Attributes.KmsMasterKeyId || undefined,
          maxMessageSize: Number(Attributes.MaximumMessageSize ?? 262_144),
        };
      } catch (error) {
        if (/NonExistentQueue|QueueDoesNotExist/.test(errorName(error))) return undefined;
        throw error;
      }
    });
  }

  table(tableName: string): Promise<TableFacts | undefined> {
    return this.cached(`table:${tableName}`, async () => {
      let description;
      try {
        description = (await this.dynamodb.send(new DescribeTableCommand({ TableName: tableName }))).Table;
      } catch (error) {
        if (errorName(error) === 'ResourceNotFoundException') return undefined;
        throw error;
      }
      const arn = description?.TableArn ?? `arn:aws:dynamodb:${this.region}:${this.accountId}:table/${tableName}`;
      const sse = description?.SSEDescription;
      // No SSEDescription, or not KMS: the AWS owned key, which no policy governs.
      const kmsKeyId = sse?.SSEType === 'KMS' && sse.Status !== 'DISABLED' ? (sse.KMSMasterKeyArn ?? 'alias/aws/dynamodb') : undefined;
      let policy: PolicyDocument | undefined;
      try {
        policy = parsePolicyDocument((await this.dynamodb.send(new GetTablePolicyCommand({ ResourceArn: arn }))).Policy);
      } catch {
        // No resource policy on the table (or the emulator keeps none).
      }
      return { arn, kmsKeyId, policy };
    });
  }

  /** The secret `secretId` names (name, ARN or partial ARN), or undefined when the emulator has none. */
  secret(secretId: string): Promise<SecretFacts | undefined> {
    return this.cached(`secret:${secretId}`, async () => {
      let described;
      try {
        described = await this.secrets.send(new DescribeSecretCommand({ SecretId: secretId }));
      } catch (error) {
        if (errorName(error) === 'ResourceNotFoundException') return undefined;
        throw error;
      }
      let policy: PolicyDocument | undefined;
      try {
        policy = parsePolicyDocument((await this.secrets.send(new GetSecretPolicyCommand({ SecretId: secretId }))).ResourcePolicy);
      } catch {
        // No resource policy.
      }
      return { arn: described.ARN as string, name: described.Name as string, kmsKeyId: described.KmsKeyId || undefined, policy, deleted: described.DeletedDate !== undefined };
    });
  }

  /** The key `keyId` names (id, ARN, alias), with its key policy. */
  key(keyId: string): Promise<KeyFacts | undefined> {
    if (isAwsManagedAlias(keyId)) {
      const alias = keyId.includes(':') ? keyId : `arn:aws:kms:${this.region}:${this.accountId}:${keyId}`;
      return Promise.resolve({ arn: alias, policy: { Statement: [] }, awsManaged: true });
    }
    return this.cached(`key:${keyId}`, async () => {
      let metadata;
      try {
        metadata = (await this.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
      } catch (error) {
        if (errorName(error) === 'NotFoundException') return undefined;
        throw error;
      }
      const arn = metadata?.Arn as string;
      if (metadata?.KeyManager === 'AWS') return { arn, policy: { Statement: [] }, awsManaged: true };
      const { Policy } = await this.kms.send(new GetKeyPolicyCommand({ KeyId: arn, PolicyName: 'default' }));
      return { arn, policy: parsePolicyDocument(Policy) ?? { Statement: [] }, awsManaged: false };
    });
  }

  /** The topic `topicArn` names, with its policy and key, or undefined when the emulator has none. */
  topic(topicArn: string): Promise<TopicFacts | undefined> {
    return this.cached(`topic:${topicArn}`, async () => {
      try {
        const { Attributes = {} } = await this.sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
        return { arn: Attributes.TopicArn ?? topicArn, policy: parsePolicyDocument(Attributes.Policy), kmsKeyId: Attributes.KmsMasterKeyId || undefined };
      } catch (error) {
        if (/NotFound/.test(errorName(error))) return undefined;
        throw error;
      }
    });
  }

  /** The topic's subscriptions with the attributes that decide a delivery (raw or enveloped, the filter). */
  subscriptions(topicArn: string): Promise<SubscriptionFacts[]> {
    return this.cached(`subscriptions:${topicArn}`, async () => {
      const listed = [];
      let token: string | undefined;
      do {
        const page = await this.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: token }));
        listed.push(...(page.Subscriptions ?? []));
        token = page.NextToken;
      } while (token);
      return Promise.all(
        listed.map(async (subscription) => {
          const { Attributes = {} } = await this.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: subscription.SubscriptionArn }));
          return {
            arn: subscription.SubscriptionArn ?? '',
            protocol: subscription.Protocol ?? '',
            endpoint: subscription.Endpoint ?? '',
            rawMessageDelivery: Attributes.RawMessageDelivery === 'true',
            filterPolicy: Attributes.FilterPolicy ? (JSON.parse(Attributes.FilterPolicy) as unknown) : undefined,
            filterPolicyScope: Attributes.FilterPolicyScope === 'MessageBody' ? 'MessageBody' : 'MessageAttributes',
          } satisfies SubscriptionFacts;
        }),
      );
    });
  }

  /** A function's ARN and resource-based policy (its Lambda permissions). */
  lambdaFunction(functionName: string): Promise<FunctionFacts> {
    return this.cached(`function:${functionName}`, async () => {
      const { FunctionArn } = await this.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
      let policy: PolicyDocument | undefined;
      try {
        policy = parsePolicyDocument((await this.lambda.send(new GetFunctionPolicyCommand({ FunctionName: functionName }))).Policy);
      } catch (error) {
        if (errorName(error) !== 'ResourceNotFoundException') throw error;
      }
      return { arn: FunctionArn as string, policy };
    });
  }
}
