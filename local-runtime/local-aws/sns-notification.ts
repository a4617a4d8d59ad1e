// The SNS notification a subscription without raw message delivery puts in the SQS message body,
// written as SNS writes it: its fields in SNS's order and layout (`"Key" : value`, one per line),
// the published message as a JSON string, the message attributes as `{"Type":…,"Value":…}`.
import { randomBytes } from 'node:crypto';

/** One message attribute as the Publish call carried it. */
export interface PublishedAttribute {
  DataType: string;
  StringValue?: string;
  /** base64, as the query protocol carries it. */
  BinaryValue?: string;
}

export interface Notification {
  messageId: string;
  topicArn: string;
  subscriptionArn: string;
  message: string;
  subject?: string;
  attributes: Record<string, PublishedAttribute>;
  /** When SNS accepted the publish. */
  timestamp: Date;
}

const quote = (text: string) => JSON.stringify(text);

/**
 * The envelope's text. The signature is random bytes of the size of an RSA-2048 signature (the
 * local SNS signs nothing: a consumer behind an SQS queue policy has no use for it).
 */
export function snsNotificationBody(notification: Notification): string {
  const region = notification.topicArn.split(':')[3] ?? 'us-east-1';
  const fields: Array<[string, string]> = [
    ['Type', quote('Notification')],
    ['MessageId', quote(notification.messageId)],
    ['TopicArn', quote(notification.topicArn)],
    ...(notification.subject !== undefined ? ([['Subject', quote(notification.subject)]] as Array<[string, string]>) : []),
    ['Message', quote(notification.message)],
    ['Timestamp', quote(notification.timestamp.toISOString())],
    ['SignatureVersion', quote('1')],
    ['Signature', quote(randomBytes(256).toString('base64'))],
    ['SigningCertURL', quote(`https://sns.${region}.amazonaws.com/SimpleNotificationService-${randomBytes(16).toString('hex')}.pem`)],
    ['UnsubscribeURL', quote(`https://sns.${region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${notification.subscriptionArn}`)],
  ];
  const attributes = Object.entries(notification.attributes);
  if (attributes.length > 0) {
    const lines = attributes.map(([name, attribute]) => `    ${quote(name)} : {"Type":${quote(attribute.DataType)},"Value":${quote(attribute.StringValue ?? attribute.BinaryValue ?? '')}}`);
    fields.push(['MessageAttributes', `{\n${lines.join(',\n')}\n  }`]);
  }
  return `{\n${fields.map(([key, value]) => `  ${quote(key)} : ${value}`).join(',\n')}\n}`;
}
