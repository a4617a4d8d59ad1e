// The local AWS endpoint's SNS, against the emulator: the publisher's sns:Publish and the KMS calls
// SNS makes on its behalf for an encrypted topic; the delivery to each subscribed queue as SNS's
// service principal against the queue policy (aws:SourceArn) and the queue key's policy; SNS's
// and SQS's limits; raw and enveloped deliveries and filter policies, compared with what the
// emulator's own SNS delivers for the same publish; the publisher's X-Ray header as AWSTraceHeader.
import { IAMClient, CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand, KMSClient, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { CreateTopicCommand, PublishCommand, SNSClient, SetSubscriptionAttributesCommand, SubscribeCommand, type MessageAttributeValue, type PublishCommandInput } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient, SetQueueAttributesCommand, type Message } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { LocalAws, type RoleSession } from '../local-runtime/local-aws';
import { matchesFilterPolicy, UnsupportedFilterPolicy } from '../local-runtime/local-aws/sns-filter-policy';
import { motoEndpoint, receiveAll } from './support/aws';

jest.setTimeout(60_000);

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const run = randomUUID().slice(0, 8);
const TRACE_HEADER = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
const errorOf = async (promise: Promise<unknown>) => promise.then(() => undefined, (error: Error) => error);

describe('SNS filter policies on message attributes', () => {
  const attrs = (entries: Record<string, [string, string]>) => Object.fromEntries(Object.entries(entries).map(([name, [DataType, StringValue]]) => [name, { DataType, StringValue }]));

  it.each<[string, unknown, Record<string, [string, string]>, boolean]>([
    ['an exact string', { t: ['invoice.paid'] }, { t: ['String', 'invoice.paid'] }, true],
    ['another string', { t: ['invoice.paid'] }, { t: ['String', 'invoice.voided'] }, false],
    ['a prefix', { t: [{ prefix: 'invoice.' }] }, { t: ['String', 'invoice.voided'] }, true],
    ['a suffix', { t: [{ suffix: '.paid' }] }, { t: ['String', 'invoice.paid'] }, true],
    ['equals-ignore-case', { t: [{ 'equals-ignore-case': 'INVOICE.PAID' }] }, { t: ['String', 'invoice.paid'] }, true],
    ['anything-but a value', { t: [{ 'anything-but': ['customer.updated'] }] }, { t: ['String', 'customer.updated'] }, false],
    ['anything-but a prefix', { t: [{ 'anything-but': { prefix: 'customer.' } }] }, { t: ['String', 'invoice.paid'] }, true],
    ['a numeric range', { n: [{ numeric: ['>=', 10, '<', 20] }] }, { n: ['Number', '15'] }, true],
    ['a number outside it', { n: [{ numeric: ['>=', 10, '<', 20] }] }, { n: ['Number', '20'] }, false],
    ['an element of a String.Array', { tags: ['vip'] }, { tags: ['String.Array', '["new","vip"]'] }, true],
    ['a missing attribute', { t: ['invoice.paid'] }, {}, false],
    ['exists: false on a missing attribute', { t: [{ exists: false }] }, {}, true],
    ['exists: true on a present one', { t: [{ exists: true }] }, { t: ['String', 'x'] }, true],
    ['every key (AND), any condition (OR)', { t: ['a', 'b'], s: ['stripe'] }, { t: ['String', 'b'], s: ['String', 'github'] }, false],
  ])('%s', (_what, policy, attributes, matches) => {
    expect(matchesFilterPolicy(policy, attrs(attributes))).toBe(matches);
  });

  it('refuses by name what it does not evaluate', () => {
    expect(() => matchesFilterPolicy({ $or: [] }, {})).toThrow(UnsupportedFilterPolicy);
    expect(() => matchesFilterPolicy({ ip: [{ cidr: '10.0.0.0/8' }] }, attrs({ ip: ['String', '10.1.1.1'] }))).toThrow('the local SNS does not evaluate the operator "cidr"');
  });
});

describe('the local AWS endpoint’s SNS', () => {
  let aws: LocalAws;
  let session: RoleSession;
  let keyArn: string;
  let topicArn: string;
  const roleName = `pub-${run}`;
  const admin = () => aws.adminClientConfig();
  const queues: Record<'raw' | 'wrapped' | 'closed', { url: string; arn: string }> = {} as never;

  const putRolePolicy = (statements: unknown[]) =>
    new IAMClient(admin()).send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'inline', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }) }));
  const keyPolicy = (withSns: boolean) =>
    new KMSClient(admin()).send(
      new PutKeyPolicyCommand({
        KeyId: keyArn,
        PolicyName: 'default',
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
            ...(withSns ? [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: '*', Condition: { ArnEquals: { 'aws:SourceArn': topicArn } } }] : []),
          ],
        }),
      }),
    );
  const queuePolicy = (arn: string, topic: string | undefined) => ({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: arn, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      ...(topic ? [{ Sid: 'AllowTopicDelivery', Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: arn, Condition: { ArnEquals: { 'aws:SourceArn': [topic] } } }] : []),
    ],
  });
  /** A client of the role's session that sends the X-Ray header SNS passes on, as the SDK does inside Lambda. */
  const snsAs = () => {
    const client = new SNSClient(aws.sessionClientConfig(session.credentials));
    client.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { headers: Record<string, string> }).headers['X-Amzn-Trace-Id'] = TRACE_HEADER;
        return next(args);
      },
      { step: 'build' },
    );
    return client;
  };
  const publish = (input: Omit<PublishCommandInput, 'TopicArn'>) => snsAs().send(new PublishCommand({ TopicArn: topicArn, ...input }));
  const attributes = (type: string): Record<string, MessageAttributeValue> => ({
    'webhook-type': { DataType: 'String', StringValue: type },
    'x-amzn-trace-id': { DataType: 'String', StringValue: TRACE_HEADER },
  });
  const drain = async () => Object.fromEntries(await Promise.all(Object.entries(queues).map(async ([name, queue]) => [name, await receiveAll(new SQSClient(admin()), queue.url)] as const))) as Record<keyof typeof queues, Message[]>;
  const publishAllowed = () => [
    { Effect: 'Allow', Action: 'sns:Publish', Resource: topicArn },
    { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: keyArn, Condition: { StringEquals: { 'kms:ViaService': `sns.${REGION}.amazonaws.com` } } },
  ];

  beforeAll(async () => {
    aws = await LocalAws.start({ motoEndpoint: motoEndpoint(), region: REGION, enforce: true });
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    const role = await new IAMClient(admin()).send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust) }));
    session = await aws.assumeRole(role.Role!.Arn!, roleName);
    keyArn = (await new KMSClient(admin()).send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const sns = new SNSClient(admin());
    topicArn = (await sns.send(new CreateTopicCommand({ Name: `topic-${run}`, Attributes: { KmsMasterKeyId: keyArn } }))).TopicArn!;
    await keyPolicy(true);
    const sqs = new SQSClient(admin());
    for (const name of ['raw', 'wrapped', 'closed'] as const) {
      const url = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-${run}`, Attributes: { KmsMasterKeyId: keyArn, MaximumMessageSize: '4096' } }))).QueueUrl!;
      const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
      await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: JSON.stringify(queuePolicy(arn, name === 'closed' ? undefined : topicArn)) } }));
      queues[name] = { url, arn };
    }
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: queues.raw.arn,
        Attributes: { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify({ 'webhook-type': [{ prefix: 'invoice.' }] }) },
      }),
    );
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queues.wrapped.arn }));
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queues.closed.arn, Attributes: { RawMessageDelivery: 'true' } }));
  });

  afterAll(async () => aws?.close());

  it('refuses Publish without sns:Publish on the topic, and without the key through SNS when the topic is encrypted', async () => {
    await putRolePolicy([{ Effect: 'Allow', Action: 'sns:Publish', Resource: `${topicArn}-other` }]);
    const denied = await errorOf(publish({ Message: 'hello' }));
    expect(denied?.name).toBe('AuthorizationErrorException');
    expect(denied?.message).toBe(`User: ${session.principalArn} is not authorized to perform: sns:Publish on resource: ${topicArn} because no identity-based policy allows the sns:Publish action`);
    // Granted through SQS, not SNS: the KMS call SNS makes for the publisher is refused.
    await putRolePolicy([{ Effect: 'Allow', Action: 'sns:Publish', Resource: topicArn }, { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: keyArn, Condition: { StringEquals: { 'kms:ViaService': `sqs.${REGION}.amazonaws.com` } } }]);
    const kms = await errorOf(publish({ Message: 'hello' }));
    expect(kms?.name).toBe('KMSAccessDeniedException');
    expect(kms?.message).toContain(`is not authorized to perform: kms:GenerateDataKey on resource: ${keyArn} because no identity-based policy allows the kms:GenerateDataKey action`);
    expect(aws.denials.at(-1)).toMatchObject({ action: 'kms:GenerateDataKey', viaService: `sns.${REGION}.amazonaws.com`, resource: keyArn });
    await putRolePolicy(publishAllowed());
    expect((await publish({ Message: 'hello' })).MessageId).toMatch(/^[0-9a-f-]{36}$/);
    await aws.sns.settled();
    await drain();
  });

  it('delivers raw and enveloped as SNS does, filters, passes the publisher’s X-Ray header on, and refuses a queue whose policy does not let the topic send', async () => {
    await putRolePolicy(publishAllowed());
    const denialsBefore = aws.denials.length;
    const message = '{"id":"evt_1","type":"invoice.paid","note":"\\"q\\" Zoë"}';
    const { MessageId } = await publish({ Message: message, MessageAttributes: attributes('invoice.paid') });
    await aws.sns.settled();
    const got = await drain();
    expect(got.raw.map((m) => m.Body)).toEqual([message]);
    expect(got.raw[0]?.MessageAttributes).toEqual({
      'webhook-type': { DataType: 'String', StringValue: 'invoice.paid' },
      'x-amzn-trace-id': { DataType: 'String', StringValue: TRACE_HEADER },
    });
    expect(got.raw[0]?.Attributes?.AWSTraceHeader).toBe(TRACE_HEADER);
    const envelope = JSON.parse(got.wrapped[0]?.Body ?? '{}') as Record<string, unknown>;
    expect(envelope).toMatchObject({ Type: 'Notification', MessageId, TopicArn: topicArn, Message: message, MessageAttributes: { 'webhook-type': { Type: 'String', Value: 'invoice.paid' } } });
    expect(got.wrapped[0]?.MessageAttributes).toBeUndefined();
    expect(got.wrapped[0]?.Attributes?.AWSTraceHeader).toBe(TRACE_HEADER);
    // The queue whose policy has no statement for the topic: refused, as SNS's principal.
    expect(got.closed).toEqual([]);
    expect(aws.denials.slice(denialsBefore)).toEqual([
      expect.objectContaining({ principal: 'sns.amazonaws.com', action: 'sqs:SendMessage', resource: queues.closed.arn, message: `User: sns.amazonaws.com is not authorized to perform: sqs:SendMessage on resource: ${queues.closed.arn} because no resource-based policy allows the sqs:SendMessage action` }),
    ]);
    expect(aws.sns.deliveries.filter((d) => d.messageId === MessageId).map((d) => [d.queueArn, d.outcome]).sort()).toEqual(
      [
        [queues.closed.arn, 'refused'],
        [queues.raw.arn, 'delivered'],
        [queues.wrapped.arn, 'delivered'],
      ].sort(),
    );
    // Another type: the raw subscription's filter keeps it out.
    const other = await publish({ Message: '{"id":"evt_2"}', MessageAttributes: attributes('customer.updated') });
    await aws.sns.settled();
    const next = await drain();
    expect({ raw: next.raw.length, wrapped: next.wrapped.length }).toEqual({ raw: 0, wrapped: 1 });
    expect(aws.sns.deliveries.find((d) => d.messageId === other.MessageId && d.queueArn === queues.raw.arn)?.outcome).toBe('filtered out');
  });

  it('needs the queue key’s policy to let SNS use the key for this topic: without it, every encrypted queue is refused', async () => {
    await putRolePolicy(publishAllowed());
    await keyPolicy(false);
    const denialsBefore = aws.denials.length;
    try {
      await publish({ Message: '{"id":"evt_3"}', MessageAttributes: attributes('invoice.paid') });
      await aws.sns.settled();
      expect(await drain()).toEqual({ raw: [], wrapped: [], closed: [] });
      const refused = aws.denials.slice(denialsBefore).filter((d) => d.action === 'kms:GenerateDataKey');
      expect(refused.map((d) => [d.principal, d.resource, d.viaService]).sort()).toEqual([
        ['sns.amazonaws.com', keyArn, `sqs.${REGION}.amazonaws.com`],
        ['sns.amazonaws.com', keyArn, `sqs.${REGION}.amazonaws.com`],
      ]);
      expect(refused[0]?.message).toContain('because no resource-based policy allows the kms:GenerateDataKey action');
    } finally {
      await keyPolicy(true);
    }
  });

  it('holds a publish to SNS’s limits, and each delivery to its queue’s size', async () => {
    await putRolePolicy(publishAllowed());
    const tooLong = await errorOf(publish({ Message: 'x'.repeat(256 * 1024 + 1) }));
    expect({ name: tooLong?.name, message: tooLong?.message }).toEqual({ name: 'InvalidParameterException', message: 'Invalid parameter: Message too long' });
    const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: 'v' }]));
    expect((await errorOf(publish({ Message: 'x', MessageAttributes: eleven })))?.name).toBe('InvalidParameterValueException');
    // Fits SNS, not a 4 KiB queue: the enveloped copy (the larger) is refused by SQS.
    const refusalsBefore = aws.refusals.length;
    const { MessageId } = await publish({ Message: `{"pad":"${'"'.repeat(1900)}"}`.replace(/"(?=")/g, '\\"'), MessageAttributes: attributes('invoice.paid') });
    await aws.sns.settled();
    const got = await drain();
    expect({ raw: got.raw.length, wrapped: got.wrapped.length }).toEqual({ raw: 1, wrapped: 0 });
    expect(aws.refusals.slice(refusalsBefore)).toEqual([expect.objectContaining({ service: 'sqs', code: 'InvalidParameterValue', message: expect.stringContaining('Message must be shorter than 4096 bytes') })]);
    expect(aws.sns.deliveries.find((d) => d.messageId === MessageId && d.queueArn === queues.wrapped.arn)?.outcome).toBe('refused');
  });

  it('delivers what the emulator’s own SNS delivers for the same publish (raw, envelope, filter), plus AWSTraceHeader', async () => {
    await putRolePolicy(publishAllowed());
    const off = await LocalAws.start({ motoEndpoint: motoEndpoint(), region: REGION, enforce: false });
    try {
      const message = '{"id":"evt_4","type":"invoice.paid","n":"Zoë \\\\ \\n"}';
      const input = { TopicArn: topicArn, Message: message, MessageAttributes: { ...attributes('invoice.paid'), count: { DataType: 'Number', StringValue: '3' } } };
      // The emulator alone (enforcement off forwards the publish to it), then through the endpoint's SNS.
      await new SNSClient(off.adminClientConfig()).send(new PublishCommand(input));
      const byEmulator = await drain();
      await snsAs().send(new PublishCommand(input));
      await aws.sns.settled();
      const byEndpoint = await drain();
      expect(byEndpoint.raw.map((m) => [m.Body, m.MessageAttributes])).toEqual(byEmulator.raw.map((m) => [m.Body, m.MessageAttributes]));
      const fields = (m: Message | undefined) => {
        const { Type, TopicArn, Message: published, MessageAttributes } = JSON.parse(m?.Body ?? '{}') as Record<string, unknown>;
        return { Type, TopicArn, Message: published, MessageAttributes };
      };
      expect(fields(byEndpoint.wrapped[0])).toEqual(fields(byEmulator.wrapped[0]));
      expect(byEmulator.raw[0]?.Attributes?.AWSTraceHeader).toBeUndefined();
      expect(byEndpoint.raw[0]?.Attributes?.AWSTraceHeader).toBe(TRACE_HEADER);
      // A type the raw subscription filters out, both ways.
      const other = { ...input, MessageAttributes: attributes('customer.updated') };
      await new SNSClient(off.adminClientConfig()).send(new PublishCommand(other));
      const emulatorOther = await drain();
      await snsAs().send(new PublishCommand(other));
      await aws.sns.settled();
      const endpointOther = await drain();
      expect([endpointOther.raw.length, endpointOther.wrapped.length]).toEqual([emulatorOther.raw.length, emulatorOther.wrapped.length]);
    } finally {
      await off.close();
    }
  });

  it('reads a changed subscription at the next publish', async () => {
    await putRolePolicy(publishAllowed());
    const [subscription] = aws.sns.deliveries.filter((d) => d.queueArn === queues.raw.arn).map((d) => d.subscriptionArn);
    await new SNSClient(admin()).send(new SetSubscriptionAttributesCommand({ SubscriptionArn: subscription, AttributeName: 'FilterPolicy', AttributeValue: JSON.stringify({ 'webhook-type': ['customer.updated'] }) }));
    try {
      await publish({ Message: '{"id":"evt_5"}', MessageAttributes: attributes('customer.updated') });
      await aws.sns.settled();
      expect((await drain()).raw.map((m) => m.Body)).toEqual(['{"id":"evt_5"}']);
    } finally {
      await new SNSClient(admin()).send(new SetSubscriptionAttributesCommand({ SubscriptionArn: subscription, AttributeName: 'FilterPolicy', AttributeValue: JSON.stringify({ 'webhook-type': [{ prefix: 'invoice.' }] }) }));
    }
  });
});
