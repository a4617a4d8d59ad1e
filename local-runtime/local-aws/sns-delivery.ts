// SNS's Publish and its delivery to subscribed SQS queues, played by the local AWS endpoint.
//
// moto 5.2 delivers a Publish to subscribed queues itself (raw and enveloped, with filter
// policies), but inside the emulator, around the endpoint: no queue policy or KMS key policy is
// evaluated for SNS's service principal, no SQS limit applies, and no AWSTraceHeader is set (real
// SNS passes the publisher's X-Ray header on). So, with enforcement on, the endpoint answers
// Publish itself and delivers as SNS does: for each subscription of the topic (read back from the
// emulator, as Terraform created it), the filter policy on the message attributes, the message
// raw or in SNS's envelope, SendMessage to the queue as sns.amazonaws.com, which the queue's
// policy must allow for this topic (aws:SourceArn), and, for a queue encrypted with a customer
// managed key, the key policy too; the X-Ray header of the Publish request as AWSTraceHeader.
// A delivery refused is recorded and dropped (SNS would retry it for days, then drop it).
import { SendMessageCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import type { AccessEvaluator } from './access-evaluator';
import type { AwsRequest } from './aws-request';
import type { Denial } from './authorize-call';
import type { Answer, ErrorShape } from './error-answers';
import { kmsContext, sqsKmsCalls } from './kms-implications';
import type { PolicyStore, SubscriptionFacts, TopicFacts } from './policy-store';
import { matchesFilterPolicy } from './sns-filter-policy';
import { snsNotificationBody, type PublishedAttribute } from './sns-notification';
import { sqsMessageRefusal, sqsMessageSize, sqsRefuses } from './sqs-limits';

/** SNS's largest message: body plus attributes. */
export const SNS_MAX_MESSAGE_BYTES = 256 * 1024;
/** SNS's (and a subscribed queue's) most message attributes. */
export const SNS_MAX_MESSAGE_ATTRIBUTES = 10;

/** What happened to one published message at one subscription. */
export interface SnsDeliveryRecord {
  at: number;
  /** SNS's id of the published message. */
  messageId: string;
  topicArn: string;
  subscriptionArn: string;
  queueArn: string;
  outcome: 'delivered' | 'filtered out' | 'refused' | 'failed';
  /** The SQS message id of the delivered copy. */
  sqsMessageId?: string;
  reason?: string;
}

export interface SnsDeliveryDeps {
  store: PolicyStore;
  evaluator: AccessEvaluator;
  region: string;
  accountId: string;
  /** SQS in the emulator, as the account's admin: where a delivery lands once SNS may make it. */
  sqs: SQSClient;
  motoEndpoint: string;
  onDenial: (denial: Denial) => void;
  onRefusal: (refusal: { service: string; operation: string; code: string; message: string }) => void;
}

interface Published {
  messageId: string;
  topicArn: string;
  message: string;
  subject?: string;
  attributes: Record<string, PublishedAttribute>;
  /** The X-Ray header of the Publish request, which SNS passes on as AWSTraceHeader. */
  traceHeader?: string;
  at: Date;
}

const SNS_NAMESPACE = 'http://sns.amazonaws.com/doc/2010-03-31/';

/** The query protocol's MessageAttributes.entry.N.{Name, Value.DataType, Value.StringValue, Value.BinaryValue}. */
export function publishedAttributes(params: Record<string, unknown>): Record<string, PublishedAttribute> {
  const attributes: Record<string, PublishedAttribute> = {};
  for (let n = 1; typeof params[`MessageAttributes.entry.${n}.Name`] === 'string'; n++) {
    const get = (field: string) => (typeof params[`MessageAttributes.entry.${n}.${field}`] === 'string' ? (params[`MessageAttributes.entry.${n}.${field}`] as string) : undefined);
    const string = get('Value.StringValue');
    const binary = get('Value.BinaryValue');
    attributes[get('Name') as string] = { DataType: get('Value.DataType') ?? '', ...(string !== undefined ? { StringValue: string } : {}), ...(binary !== undefined ? { BinaryValue: binary } : {}) };
  }
  return attributes;
}

/** The last valid X-Ray header of the request (a header sent twice arrives joined with commas). */
export function requestTraceHeader(value: string | string[] | undefined): string | undefined {
  const parts = (Array.isArray(value) ? value.join(',') : (value ?? '')).split(',').map((part) => part.trim());
  return parts.reverse().find((part) => /(^|;)Root=1-[0-9a-fA-F]{8}-[0-9a-fA-F]{24}(;|$)/.test(part) && /(^|;)Parent=[0-9a-fA-F]{16}(;|$)/.test(part));
}

const invalid = (code: string, message: string, status = 400): ErrorShape => ({ code, message, status });

/** What SNS refuses in a Publish, before it accepts the message. */
export function publishRefusal(message: string | undefined, attributes: Record<string, PublishedAttribute>): ErrorShape | undefined {
  if (message === undefined || message === '') return invalid('InvalidParameter', 'Invalid parameter: Empty message');
  const entries = Object.entries(attributes);
  if (entries.length > SNS_MAX_MESSAGE_ATTRIBUTES) return invalid('ParameterValueInvalid', `Invalid parameter: MessageAttributes: ${entries.length} attributes, at most ${SNS_MAX_MESSAGE_ATTRIBUTES}`);
  for (const [name, attribute] of entries) {
    if (name === '' || /^(aws\.|amazon\.)/i.test(name)) return invalid('ParameterValueInvalid', `Invalid parameter: MessageAttributes: the name ${name} is reserved or invalid`);
    if (!/^(String|Number|Binary)(\.|$)/.test(attribute.DataType)) return invalid('ParameterValueInvalid', `Invalid parameter: MessageAttributes: ${name} has no valid data type`);
    if ((attribute.StringValue ?? attribute.BinaryValue ?? '') === '') return invalid('ParameterValueInvalid', `Invalid parameter: MessageAttributes: ${name} has an empty value`);
  }
  if (sqsRefuses(message)) return invalid('InvalidParameter', 'Invalid parameter: Message contains invalid characters');
  const size = sqsMessageSize({ MessageBody: message, MessageAttributes: attributes });
  if (size > SNS_MAX_MESSAGE_BYTES) return invalid('InvalidParameter', 'Invalid parameter: Message too long');
  return undefined;
}

/** The message for SQS subscribers of a Publish with MessageStructure json: its sqs entry, else its default. */
function messageFor(params: Record<string, unknown>): string | undefined {
  const message = typeof params.Message === 'string' ? params.Message : undefined;
  if (params.MessageStructure !== 'json' || message === undefined) return message;
  try {
    const structured = JSON.parse(message) as Record<string, unknown>;
    const chosen = structured.sqs ?? structured.default;
    return typeof chosen === 'string' ? chosen : undefined;
  } catch {
    return undefined;
  }
}

export class SnsDelivery {
  /** Every delivery decided, in order. */
  readonly deliveries: SnsDeliveryRecord[] = [];
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly deps: SnsDeliveryDeps) {}

  /** Resolves once every delivery started so far has been made or refused. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /**
   * Answers a Publish as SNS does (its MessageId, or SNS's refusal) and starts the delivery to
   * each subscription; the answer does not wait for the deliveries, as SNS's does not.
   */
  async publish(request: AwsRequest, enforce: boolean): Promise<Answer> {
    const { params } = request;
    const topicArn = typeof params.TopicArn === 'string' ? params.TopicArn : typeof params.TargetArn === 'string' ? params.TargetArn : '';
    const topic = await this.deps.store.topic(topicArn);
    if (!topic) return this.error(invalid('NotFound', 'Topic does not exist', 404));
    const message = messageFor(params);
    const attributes = publishedAttributes(params);
    const refusal = publishRefusal(message, attributes);
    if (refusal) {
      this.deps.onRefusal({ service: 'sns', operation: 'Publish', code: refusal.code, message: refusal.message });
      return this.error(refusal);
    }
    const traceHeader = requestTraceHeader(request.headers['x-amzn-trace-id']);
    const published: Published = {
      messageId: randomUUID(),
      topicArn: topic.arn,
      message: message as string,
      ...(typeof params.Subject === 'string' ? { subject: params.Subject } : {}),
      attributes,
      ...(traceHeader ? { traceHeader } : {}),
      at: new Date(),
    };
    const delivery = this.deliverAll(published, topic, enforce).finally(() => this.pending.delete(delivery));
    this.pending.add(delivery);
    const requestId = randomUUID();
    return {
      status: 200,
      headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
      body: `<PublishResponse xmlns="${SNS_NAMESPACE}"><PublishResult><MessageId>${published.messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`,
    };
  }

  private error(shape: ErrorShape): Answer {
    const requestId = randomUUID();
    const escape = (text: string) => text.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c] as string);
    return {
      status: shape.status,
      headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
      body: `<ErrorResponse xmlns="${SNS_NAMESPACE}"><Error><Type>Sender</Type><Code>${shape.code}</Code><Message>${escape(shape.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
  }

  private async deliverAll(published: Published, topic: TopicFacts, enforce: boolean): Promise<void> {
    let subscriptions: SubscriptionFacts[];
    try {
      subscriptions = await this.deps.store.subscriptions(topic.arn);
    } catch (error) {
      this.record(published, { arn: '', endpoint: '' }, 'failed', `subscriptions not read: ${String(error)}`);
      return;
    }
    await Promise.all(subscriptions.filter((subscription) => subscription.protocol === 'sqs').map((subscription) => this.deliver(published, subscription, enforce)));
  }

  private record(published: Published, subscription: Pick<SubscriptionFacts, 'arn' | 'endpoint'>, outcome: SnsDeliveryRecord['outcome'], reason?: string, sqsMessageId?: string): void {
    this.deliveries.push({
      at: Date.now(),
      messageId: published.messageId,
      topicArn: published.topicArn,
      subscriptionArn: subscription.arn,
      queueArn: subscription.endpoint,
      outcome,
      ...(reason !== undefined ? { reason } : {}),
      ...(sqsMessageId !== undefined ? { sqsMessageId } : {}),
    });
  }

  /** One subscription's copy: filtered, authorized as SNS's principal, held to the queue's limits, sent. */
  private async deliver(published: Published, subscription: SubscriptionFacts, enforce: boolean): Promise<void> {
    const { deps } = this;
    try {
      if (subscription.filterPolicy !== undefined) {
        if (subscription.filterPolicyScope === 'MessageBody') throw new Error('the local SNS does not evaluate filter policies on the message body');
        if (!matchesFilterPolicy(subscription.filterPolicy, published.attributes)) return this.record(published, subscription, 'filtered out');
      }
      const queueArn = subscription.endpoint;
      const queueName = queueArn.split(':').pop() ?? '';
      const queueAccount = queueArn.split(':')[4] ?? deps.accountId;
      const body = subscription.rawMessageDelivery
        ? published.message
        : snsNotificationBody({
            messageId: published.messageId,
            topicArn: published.topicArn,
            subscriptionArn: subscription.arn,
            message: published.message,
            ...(published.subject !== undefined ? { subject: published.subject } : {}),
            attributes: published.attributes,
            timestamp: published.at,
          });
      const attributes = subscription.rawMessageDelivery ? published.attributes : {};
      if (enforce) {
        const refused = await this.authorizeDelivery(published, queueArn, queueName, queueAccount);
        if (refused) return this.record(published, subscription, 'refused', refused);
        const queue = await deps.store.queue(queueName);
        const limit = queue ? sqsMessageRefusal({ MessageBody: body, MessageAttributes: attributes }, queue.maxMessageSize) : undefined;
        if (limit) {
          deps.onRefusal({ service: 'sqs', operation: 'SendMessage (SNS delivery)', code: limit.code, message: limit.message });
          return this.record(published, subscription, 'refused', `${limit.code}: ${limit.message}`);
        }
      }
      const sent = await deps.sqs.send(
        new SendMessageCommand({
          QueueUrl: `${deps.motoEndpoint}/${queueAccount}/${queueName}`,
          MessageBody: body,
          MessageAttributes: sqsAttributes(attributes),
          ...(published.traceHeader ? { MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: published.traceHeader } } } : {}),
        }),
      );
      this.record(published, subscription, 'delivered', undefined, sent.MessageId);
    } catch (error) {
      this.record(published, subscription, 'failed', error instanceof Error ? error.message : String(error));
    }
  }

  /**
   * SNS sends to the queue as its service principal: the queue's policy alone can allow it (with
   * aws:SourceArn the topic), and for a customer managed key the key policy alone can allow the
   * kms:GenerateDataKey SQS makes for it. The refusal's message, or undefined when allowed.
   */
  private async authorizeDelivery(published: Published, queueArn: string, queueName: string, queueAccount: string): Promise<string | undefined> {
    const { deps } = this;
    const principal = 'sns.amazonaws.com';
    const source = { 'aws:SourceArn': published.topicArn, 'aws:SourceAccount': deps.accountId };
    const queue = await deps.store.queue(queueName);
    const decision = await deps.evaluator.evaluate({
      principal,
      action: 'sqs:SendMessage',
      resource: queue?.arn ?? queueArn,
      resourceAccount: queueAccount,
      identity: [],
      resourcePolicy: queue?.policy,
      context: { ...source, 'aws:SecureTransport': 'true' },
    });
    const deny = (action: string, resource: string, message: string, viaService?: string) => {
      deps.onDenial({ at: Date.now(), principal, service: 'sqs', operation: 'SendMessage', action, resource, message, ...(viaService ? { viaService } : {}) });
      return message;
    };
    if (!decision.allowed) return deny('sqs:SendMessage', queue?.arn ?? queueArn, decision.message ?? '');
    if (!queue?.kmsKeyId) return undefined;
    for (const call of sqsKmsCalls('SendMessage', queue.arn, queue.kmsKeyId, deps.region)) {
      const key = await deps.store.key(call.keyId);
      if (key?.awsManaged) continue;
      const keyArn = key?.arn ?? call.keyId;
      const kms = key
        ? await deps.evaluator.evaluate({ principal, action: call.action, resource: keyArn, resourceAccount: keyArn.split(':')[4] || deps.accountId, identity: [], resourcePolicy: key.policy, context: { ...kmsContext(call, deps.accountId), ...source } })
        : { allowed: false, message: `Key '${call.keyId}' does not exist` };
      if (!kms.allowed) return deny(call.action, keyArn, kms.message ?? '', call.viaService);
    }
    return undefined;
  }
}

/** The published attributes as SQS's SendMessage takes them (a Binary value as bytes). */
function sqsAttributes(attributes: Record<string, PublishedAttribute>): Record<string, MessageAttributeValue> | undefined {
  const entries = Object.entries(attributes).map(([name, attribute]): [string, MessageAttributeValue] => [
    name,
    attribute.BinaryValue !== undefined ? { DataType: attribute.DataType, BinaryValue: Buffer.from(attribute.BinaryValue, 'base64') } : { DataType: attribute.DataType, StringValue: attribute.StringValue ?? '' },
  ]);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}
