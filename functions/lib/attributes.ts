/**
 * Span attribute names used by the library and the pipeline built on it. The messaging names
 * follow the OpenTelemetry semantic conventions for SQS; the `webhook.*` and `trace.*` names are
 * this project's own.
 * The conventions have no system-neutral delivery count and none for SQS, so the delivery count
 * follows the per-system pattern (`azure.servicebus.message.delivery_count`,
 * `gcp.pubsub.message.delivery_attempt`); the queue wait has no convention at all.
 */
export const ATTR = {
  messagingSystem: 'messaging.system',
  messagingOperationType: 'messaging.operation.type',
  messagingDestinationName: 'messaging.destination.name',
  messagingMessageId: 'messaging.message.id',
  sqsMessageDeliveryCount: 'aws.sqs.message.delivery_count',
  sqsMessageQueueWaitMs: 'aws.sqs.message.queue_wait_ms',
  snsTopicArn: 'aws.sns.topic.arn',
  webhookEventId: 'webhook.event_id',
  webhookType: 'webhook.type',
  webhookDuplicate: 'webhook.duplicate',
  traceHasUpstreamContext: 'trace.has_upstream_context',
  traceUpstreamSource: 'trace.upstream_source',
} as const;

export const MESSAGING_SYSTEM_SQS = 'aws_sqs';
/** The conventions' `messaging.system` for Amazon SNS (what the AWS SDK instrumentation sets on Publish). */
export const MESSAGING_SYSTEM_SNS = 'aws.sns';

/**
 * The instrumentation scope of the spans this library starts when the caller gives no tracer:
 * the package's own name, as OpenTelemetry asks of instrumentation libraries.
 */
export const TRACER_NAME = '@webhook-tracing/sqs-otel';

/** The queue name is the last segment of a queue URL (`https://sqs.<region>.amazonaws.com/<account>/<name>`). */
export function queueNameFromUrl(queueUrl: string): string {
  const name = queueUrl.replace(/\/+$/, '').split('/').pop();
  if (!name) throw new Error(`cannot derive a queue name from QUEUE_URL "${queueUrl}"`);
  return name;
}

/** The queue name is the last segment of a queue ARN (`arn:aws:sqs:<region>:<account>:<name>`). */
export function queueNameFromArn(queueArn: string): string {
  return queueArn.split(':').pop() ?? queueArn;
}
