// The local AWS endpoint against the emulator, call by call: IAM and KMS evaluated for a role
// session (identity, boundary, queue/key/secret policies, kms:ViaService), TLS read from the
// connection, SQS's size and character limits, Secrets Manager's deletion window, the X-Ray
// sampling-rule fill-in, and a policy change taking effect at the next call.
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { AttachRolePolicyCommand, CreatePolicyCommand, CreateRoleCommand, DeleteRolePolicyCommand, IAMClient, PutRolePermissionsBoundaryCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand, KMSClient, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { AddPermissionCommand, CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateSecretCommand, DeleteSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateSamplingRuleCommand, DeleteSamplingRuleCommand, GetSamplingRulesCommand, ListTagsForResourceCommand, UpdateSamplingRuleCommand, XRayClient } from '@aws-sdk/client-xray';
import { randomUUID } from 'node:crypto';
import { LocalAws, type RoleSession } from '../local-runtime/local-aws';
import { ruleMatches, XraySampler, ReservoirSampler, wildcardMatch } from '../local-runtime/local-aws/xray-sampler';
import { motoEndpoint } from './support/aws';

jest.setTimeout(60_000);

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const run = randomUUID().slice(0, 8);
const errorOf = async (promise: Promise<unknown>) => promise.then(() => undefined, (error: Error & { $metadata?: { httpStatusCode?: number } }) => error);

describe('the local AWS endpoint', () => {
  let aws: LocalAws;
  let session: RoleSession;
  const roleName = `fn-${run}`;
  const admin = () => aws.adminClientConfig();
  let queueUrl: string;
  let queueArn: string;
  let keyArn: string;

  const putRolePolicy = (statements: unknown[]) =>
    new IAMClient(admin()).send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'inline', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }) }));

  beforeAll(async () => {
    aws = await LocalAws.start({ motoEndpoint: motoEndpoint(), region: REGION, enforce: true });
    const iam = new IAMClient(admin());
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    const role = await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust) }));
    session = await aws.assumeRole(role.Role!.Arn!, roleName);
    const key = await new KMSClient(admin()).send(new CreateKeyCommand({}));
    keyArn = key.KeyMetadata!.Arn!;
    const queue = await new SQSClient(admin()).send(new CreateQueueCommand({ QueueName: `q-${run}`, Attributes: { KmsMasterKeyId: keyArn, MaximumMessageSize: '1024' } }));
    queueUrl = queue.QueueUrl!;
    queueArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:q-${run}`;
    await new SQSClient(admin()).send(
      new SetQueueAttributesCommand({
        QueueUrl: queueUrl,
        Attributes: {
          Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: queueArn, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }] }),
        },
      }),
    );
  });

  afterAll(async () => {
    await aws?.close();
  });

  const sqsAs = (tls = true) => new SQSClient(tls ? aws.sessionClientConfig(session.credentials) : { ...aws.adminClientConfig(), credentials: session.credentials });
  const sendToQueue = { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '' };
  const viaSqs = (actions: string[], service = `sqs.${REGION}.amazonaws.com`) => ({ Effect: 'Allow', Action: actions, Resource: keyArn, Condition: { StringEquals: { 'kms:ViaService': service } } });

  it('gives the role session credentials that name it, and evaluates its calls over TLS', () => {
    expect(session.principalArn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/${roleName}/${roleName}`);
    expect(aws.tlsEndpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('refuses an action no identity policy allows, naming the principal, the action and the resource', async () => {
    await putRolePolicy([{ ...sendToQueue, Resource: queueArn }]);
    const error = await errorOf(sqsAs().send(new ReceiveMessageCommand({ QueueUrl: queueUrl })));
    expect(error?.name).toBe('AccessDenied');
    expect(error?.message).toBe(`User: ${session.principalArn} is not authorized to perform: sqs:ReceiveMessage on resource: ${queueArn} because no identity-based policy allows the sqs:ReceiveMessage action`);
  });

  it('applies the KMS call SQS makes for the sender: kms:GenerateDataKey through SQS, against the role and the key policy', async () => {
    const denied = await errorOf(sqsAs().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'hello' })));
    expect(denied?.name).toBe('KmsAccessDenied');
    expect(denied?.message).toContain(`is not authorized to perform: kms:GenerateDataKey on resource: ${keyArn} because no identity-based policy allows the kms:GenerateDataKey action`);
    // Granted through another service: still refused.
    await putRolePolicy([{ ...sendToQueue, Resource: queueArn }, viaSqs(['kms:GenerateDataKey'], `dynamodb.${REGION}.amazonaws.com`)]);
    expect((await errorOf(sqsAs().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'hello' }))))?.name).toBe('KmsAccessDenied');
    await putRolePolicy([{ ...sendToQueue, Resource: queueArn }, viaSqs(['kms:GenerateDataKey'])]);
    expect((await sqsAs().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'hello' }))).MessageId).toBeDefined();
  });

  it('reads aws:SecureTransport from the connection: the same call over plain HTTP meets the queue policy’s deny', async () => {
    const error = await errorOf(sqsAs(false).send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'hello' })));
    expect(error?.name).toBe('AccessDenied');
    expect(error?.message).toContain('sqs:SendMessage on resource: ' + queueArn + ' with an explicit deny in a resource-based policy');
  });

  it('needs the key policy to allow: without the root statement, the role alone is not enough', async () => {
    const kms = new KMSClient(admin());
    await kms.send(new PutKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default', Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/someone` }, Action: 'kms:*', Resource: '*' }] }) }));
    const error = await errorOf(sqsAs().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'hello' })));
    expect(error?.message).toContain('because no resource-based policy allows the kms:GenerateDataKey action');
    await kms.send(new PutKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default', Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }] }) }));
    expect((await sqsAs().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'hello' }))).MessageId).toBeDefined();
  });

  it('refuses what SQS refuses: a message over the queue’s MaximumMessageSize, characters outside its set; a batch entry by entry', async () => {
    const tooLong = await errorOf(sqsAs().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x'.repeat(1000), MessageAttributes: { pad: { DataType: 'String', StringValue: 'y'.repeat(30) } } })));
    expect(tooLong?.name).toBe('InvalidParameterValue');
    expect(tooLong?.message).toBe('One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.');
    const badChars = await errorOf(sqsAs().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'bad \uffff' })));
    expect(badChars?.name).toBe('InvalidMessageContents');
    const batch = await sqsAs().send(
      new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: 'ok', MessageBody: 'fine' }, { Id: 'bad', MessageBody: 'lone \ud800 surrogate' }] }),
    );
    expect(batch.Successful?.map((entry) => entry.Id)).toEqual(['ok']);
    expect(batch.Failed).toEqual([expect.objectContaining({ Id: 'bad', Code: 'InvalidMessageContents', SenderFault: true })]);
    // A queue attribute changed through the endpoint applies at the next send.
    await new SQSClient(admin()).send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { MaximumMessageSize: '2048' } }));
    expect((await sqsAs().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x'.repeat(1000) }))).MessageId).toBeDefined();
  });

  it('applies DynamoDB’s use of the table key on behalf of the writer: kms:Decrypt through dynamodb', async () => {
    const tableName = `t-${run}`;
    const dynamodb = new DynamoDBClient(admin());
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        SSESpecification: { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn },
      }),
    );
    const tableArn = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${tableName}`;
    await putRolePolicy([{ Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: tableArn }, viaSqs(['kms:Decrypt'])]);
    const put = () => new DynamoDBClient(aws.sessionClientConfig(session.credentials)).send(new PutItemCommand({ TableName: tableName, Item: { id: { S: '1' } } }));
    const error = await errorOf(put());
    expect(error?.name).toBe('AccessDeniedException');
    expect(error?.message).toMatch(/^KMS key access denied error: User: .* is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:/);
    await putRolePolicy([{ Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: tableArn }, viaSqs(['kms:Decrypt'], `dynamodb.${REGION}.amazonaws.com`)]);
    await expect(put()).resolves.toBeDefined();
  });

  it('applies Secrets Manager’s kms:Decrypt for GetSecretValue, and the secret’s own name', async () => {
    const secrets = new SecretsManagerClient(admin());
    const secret = await secrets.send(new CreateSecretCommand({ Name: `s-${run}`, SecretString: 'whsec_x', KmsKeyId: keyArn }));
    const read = () => new SecretsManagerClient(aws.sessionClientConfig(session.credentials)).send(new GetSecretValueCommand({ SecretId: secret.ARN }));
    await putRolePolicy([{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:other-*` }]);
    expect((await errorOf(read()))?.message).toContain(`secretsmanager:GetSecretValue on resource: ${secret.ARN}`);
    await putRolePolicy([{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secret.ARN }]);
    const kmsDenied = await errorOf(read());
    expect(kmsDenied?.name).toBe('AccessDeniedException');
    expect(kmsDenied?.message).toMatch(/^Access to KMS is not allowed \(User: .* kms:Decrypt on resource: /);
    await putRolePolicy([{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secret.ARN }, viaSqs(['kms:Decrypt'], `secretsmanager.${REGION}.amazonaws.com`)]);
    expect((await read()).SecretString).toBe('whsec_x');
  });

  it('applies the role’s permissions boundary and its attached managed policies', async () => {
    const iam = new IAMClient(admin());
    await iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: 'inline' }));
    const managed = await iam.send(
      new CreatePolicyCommand({ PolicyName: `send-${run}`, PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ ...sendToQueue, Resource: queueArn }, viaSqs(['kms:GenerateDataKey'])] }) }),
    );
    await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: managed.Policy!.Arn }));
    expect((await sqsAs().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'via managed' }))).MessageId).toBeDefined();
    const boundary = await iam.send(
      new CreatePolicyCommand({ PolicyName: `boundary-${run}`, PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }] }) }),
    );
    await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: roleName, PermissionsBoundary: boundary.Policy!.Arn }));
    const error = await errorOf(sqsAs().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'outside the boundary' })));
    expect(error?.message).toContain('because no permissions boundary allows the sqs:SendMessage action');
  });

  it('refuses credentials it did not hand out, and passes the account admin through', async () => {
    const stranger = new SQSClient({ ...aws.sessionClientConfig({ accessKeyId: 'ASIASTRANGER', secretAccessKey: 'x', sessionToken: 'y' }) });
    expect((await errorOf(stranger.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' }))))?.message).toBe('The security token included in the request is invalid.');
    expect((await new SQSClient(admin()).send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'admin over http' }))).MessageId).toBeDefined();
  });

  it('refuses to re-create a secret whose name is scheduled for deletion, as AWS words it', async () => {
    const secrets = new SecretsManagerClient(admin());
    const name = `deleted-${run}`;
    await secrets.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
    await secrets.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
    const error = await errorOf(secrets.send(new CreateSecretCommand({ Name: name, SecretString: 'x' })));
    expect(error?.name).toBe('InvalidRequestException');
    expect(error?.message).toBe("You can't create this secret because a secret with this name is already scheduled for deletion.");
  });

  it('allows API Gateway to invoke a function only through the function’s permission and its source ARN', async () => {
    const iam = new IAMClient(admin());
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    const role = await iam.send(new CreateRoleCommand({ RoleName: `invoke-${run}`, AssumeRolePolicyDocument: JSON.stringify(trust) }));
    const lambda = new LambdaClient(admin());
    const functionName = `fn-invoke-${run}`;
    const zip = Buffer.from('UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==', 'base64');
    await lambda.send(new CreateFunctionCommand({ FunctionName: functionName, Runtime: 'nodejs22.x', Role: role.Role!.Arn!, Handler: 'index.handler', Code: { ZipFile: zip } }));
    const sourceArn = (method: string) => `arn:aws:execute-api:${REGION}:${ACCOUNT}:abc123/local/${method}/webhook`;
    expect((await aws.authorizeInvoke(functionName, sourceArn('POST'))).allowed).toBe(false);
    await lambda.send(
      new AddPermissionCommand({ FunctionName: functionName, StatementId: 'api', Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com', SourceArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:abc123/*/POST/webhook` }),
    );
    expect((await aws.authorizeInvoke(functionName, sourceArn('POST'))).allowed).toBe(true);
    const other = await aws.authorizeInvoke(functionName, sourceArn('GET'));
    expect(other.allowed).toBe(false);
    expect(other.message).toContain('apigateway.amazonaws.com is not authorized to perform: lambda:InvokeFunction');
  });

  it('lets a service assume a role only through the role’s trust policy', async () => {
    expect((await aws.authorizeServiceAssumeRole(session.roleArn, 'lambda.amazonaws.com', `arn:aws:lambda:${REGION}:${ACCOUNT}:function:x`)).allowed).toBe(true);
    const other = await aws.authorizeServiceAssumeRole(session.roleArn, 'apigateway.amazonaws.com', `arn:aws:execute-api:${REGION}:${ACCOUNT}:x/*`);
    expect(other).toEqual({ allowed: false, message: expect.stringContaining(`apigateway.amazonaws.com is not authorized to perform: sts:AssumeRole on resource: ${session.roleArn}`) });
  });

  it('fills in the X-Ray sampling-rule API the emulator lacks, Default rule included', async () => {
    const xray = new XRayClient(admin());
    const rule = { RuleName: `r${run}`, ResourceARN: '*', Priority: 100, FixedRate: 1, ReservoirSize: 0, ServiceName: 'api/stage', ServiceType: '*', Host: '*', HTTPMethod: '*', URLPath: '*', Version: 1 };
    const created = await xray.send(new CreateSamplingRuleCommand({ SamplingRule: rule, Tags: [{ Key: 'k', Value: 'v' }] }));
    expect(created.SamplingRuleRecord?.SamplingRule?.RuleARN).toBe(`arn:aws:xray:${REGION}:${ACCOUNT}:sampling-rule/r${run}`);
    await xray.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleName: rule.RuleName, FixedRate: 0.5 } }));
    const listed = (await xray.send(new GetSamplingRulesCommand({}))).SamplingRuleRecords?.map((record) => record.SamplingRule);
    expect(listed?.map((r) => [r?.RuleName, r?.FixedRate])).toEqual([
      [rule.RuleName, 0.5],
      ['Default', 0.05],
    ]);
    expect((await xray.send(new ListTagsForResourceCommand({ ResourceARN: created.SamplingRuleRecord!.SamplingRule!.RuleARN }))).Tags).toEqual([{ Key: 'k', Value: 'v' }]);
    expect((await errorOf(xray.send(new DeleteSamplingRuleCommand({ RuleName: 'Default' }))))?.name).toBe('InvalidRequestException');
    await xray.send(new DeleteSamplingRuleCommand({ RuleName: rule.RuleName }));
    expect((await xray.send(new GetSamplingRulesCommand({}))).SamplingRuleRecords?.map((record) => record.SamplingRule?.RuleName)).toEqual(['Default']);
  });

  it('with enforcement off, is the emulator alone', async () => {
    const off = await LocalAws.start({ motoEndpoint: motoEndpoint(), region: REGION, enforce: false });
    try {
      const offSession = await off.assumeRole(session.roleArn, 'off');
      // Over plain HTTP, past the boundary, with attributes that take the message over the queue's
      // 2048 bytes (moto checks the body alone): all accepted.
      const result = await new SQSClient({ ...off.adminClientConfig(), credentials: offSession.credentials }).send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x'.repeat(2000), MessageAttributes: { pad: { DataType: 'String', StringValue: 'y'.repeat(100) } } }),
      );
      expect(result.MessageId).toBeDefined();
      expect(off.denials).toEqual([]);
    } finally {
      await off.close();
    }
  });

  it('reads the policies once and answers later calls from its cache until something changes them', async () => {
    const before = aws.policies.reads;
    const simulated = aws.evaluator.simulations;
    for (let i = 0; i < 5; i++) await errorOf(sqsAs().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `cached ${i}` })));
    expect(aws.policies.reads - before).toBeLessThanOrEqual(3);
    expect(aws.evaluator.simulations - simulated).toBeLessThanOrEqual(3);
  });
});

describe('X-Ray sampling as API Gateway and Lambda apply it', () => {
  const request = { serviceName: 'webhooks/live', serviceType: 'AWS::ApiGateway::Stage', host: 'abc.execute-api.us-east-1.amazonaws.com', httpMethod: 'POST', urlPath: '/live/webhook', resourceArn: 'arn:aws:apigateway:us-east-1::/restapis/abc/stages/live' };
  const base = { RuleARN: '', ResourceARN: '*', ServiceType: '*', Host: '*', HTTPMethod: '*', URLPath: '*', Version: 1, Attributes: {} };
  const defaultRule = { ...base, RuleName: 'Default', Priority: 10000, FixedRate: 0.05, ReservoirSize: 1, ServiceName: '*' };

  it('matches X-Ray wildcards case-insensitively, and no rule with attributes', () => {
    expect(wildcardMatch('webhooks/*', 'webhooks/live')).toBe(true);
    expect(wildcardMatch('web?ooks/LIVE', 'webhooks/live')).toBe(true);
    expect(wildcardMatch('other/*', 'webhooks/live')).toBe(false);
    expect(ruleMatches({ ...defaultRule, Attributes: { a: 'b' } }, request)).toBe(false);
  });

  it('samples the reservoir each second, then the fixed rate, with the first matching rule by priority', () => {
    let roll = 0;
    const random = () => (roll++ % 20) / 20; // 0, 0.05, 0.1, ... : exactly 1 in 20 below 0.05
    const sampler = new XraySampler(() => [{ ...base, RuleName: 'other', Priority: 1, FixedRate: 1, ReservoirSize: 0, ServiceName: 'other/*' }, defaultRule], random);
    const decisions = Array.from({ length: 41 }, () => sampler.decide(request, 5_000));
    expect(decisions[0]).toEqual({ sampled: true, ruleName: 'Default', by: 'reservoir' });
    expect(decisions.filter((d) => d.sampled)).toHaveLength(1 + 2);
    expect(sampler.decide(request, 6_000)).toMatchObject({ sampled: true, by: 'reservoir' });
    const allOfIt = new XraySampler(() => [{ ...base, RuleName: 'stage', Priority: 1, FixedRate: 1, ReservoirSize: 0, ServiceName: 'webhooks/live' }, defaultRule], random);
    expect(Array.from({ length: 30 }, () => allOfIt.decide(request, 5_000).sampled).every(Boolean)).toBe(true);
  });

  it('gives Lambda’s own traces 1 a second and 5% of the rest', () => {
    let roll = 0;
    const lambda = new ReservoirSampler(() => 1, () => 0.05, () => (roll++ % 20) / 20);
    expect(Array.from({ length: 21 }, () => lambda.sample(1_000).sampled).filter(Boolean)).toHaveLength(2);
  });
});
