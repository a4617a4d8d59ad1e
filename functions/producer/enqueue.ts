import { SpanKind, SpanStatusCode, context as otelContext, type Span, type Tracer, trace } from '@opentelemetry/api';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { ATTR } from '../lib/attributes';
import { injectTraceContext, xrayTraceHeader } from '../lib/inject';
import type { Logger } from '../lib/logger';
import type { SdkMessageAttributes } from '../lib/sqs-carrier';
import { BODY_ENCODING_ATTRIBUTE, encodeBody } from '../lib/webhook-message';
import { WEBHOOK_SOURCE_ATTRIBUTE } from '../telemetry-names';
import { EVENT_ID_ATTRIBUTE, EVENT_TYPE_ATTRIBUTE, SOURCE_ATTRIBUTE } from '../webhook-identity';
import type { WebhookDestination } from './publish';
import { errorResponse, jsonResponse } from './responses';
import type { StoredIdentity } from './stored-identity';

interface AwsErrorShape {
  name?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

const TRANSIENT_ERRORS = new Set([
  'ThrottlingException',
  'RequestThrottled',
  'ServiceUnavailable',
  'InternalError',
  'KmsThrottled',
  'TimeoutError',
  // SNS's, when the producer publishes to a topic.
  'ThrottledException',
  'InternalErrorException',
  'KMSThrottlingException',
]);

/** 503 when SQS (or SNS) is briefly unavailable (retry soon), 502 when it refused the message; both make the sender retry. */
function statusForSendError(error: unknown): number {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as AwsErrorShape;
  const status = shape.$metadata?.httpStatusCode;
  if (shape.$retryable || TRANSIENT_ERRORS.has(shape.name ?? '') || status === undefined || status >= 500) return 503;
  return 502;
}

const string = (value: string) => ({ DataType: 'String', StringValue: value });

/**
 * The message attributes before the trace context: the body's encoding first (the trace fields
 * are budgeted around what is already there), then the source, then, for a `/webhooks/<source>`
 * source, the id and type read from where its sender puts them (webhook-identity.ts). At most four
 * of SQS's ten, so every propagator's fields still fit.
 */
function identityAttributes(encoding: string, identity: StoredIdentity): SdkMessageAttributes {
  const attributes: SdkMessageAttributes = { [BODY_ENCODING_ATTRIBUTE]: string(encoding), [SOURCE_ATTRIBUTE]: string(identity.source) };
  if (!identity.bareKey) {
    attributes[EVENT_ID_ATTRIBUTE] = string(identity.id);
    attributes[EVENT_TYPE_ATTRIBUTE] = string(identity.type);
  }
  return attributes;
}

/**
 * Sends the signed text itself (see lib/webhook-message), never a re-serialization of the parsed
 * event, with its identity and trace context, to the queue or (fan-out) the topic (./publish). A
 * message that cannot fit is refused with 413: no retry could make it fit.
 */
export function createEnqueuer(destination: WebhookDestination, tracer: Tracer) {
  return async (identity: StoredIdentity, text: string, logger: Logger): Promise<APIGatewayProxyResult> => {
    const { body, encoding } = encodeBody(text);
    const span: Span = tracer.startSpan(`send ${destination.name}`, {
      kind: SpanKind.PRODUCER,
      attributes: {
        ...destination.spanAttributes,
        [ATTR.messagingOperationType]: 'send',
        [ATTR.webhookEventId]: identity.id,
        [ATTR.webhookType]: identity.type,
        [WEBHOOK_SOURCE_ATTRIBUTE]: identity.source,
      },
    });
    const spanContext = trace.setSpan(otelContext.active(), span);
    const log = logger.child({ eventId: identity.id }, spanContext);
    try {
      // The destination's own attributes (a topic's filter attributes) before the trace fields too.
      const attributes: SdkMessageAttributes = { ...identityAttributes(encoding, identity), ...destination.ownAttributes(identity.type) };
      injectTraceContext(attributes, spanContext, log);
      const oversize = destination.oversize(body, attributes);
      if (oversize) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'message too large' });
        log.warn('webhook rejected: message too large', { status: 413, bytes: oversize.bytes, limit: oversize.limit, of: oversize.what, encoding });
        return errorResponse(413, 'body too large for one queue message');
      }
      const traceHeader = xrayTraceHeader(spanContext);
      const messageId = await otelContext.with(spanContext, () => destination.send(body, attributes, traceHeader));
      span.setAttribute(ATTR.messagingMessageId, messageId);
      log.info('webhook enqueued', { messageId, type: identity.type });
      // The /webhook source answers as it always has; the others name their source too.
      return jsonResponse(200, identity.bareKey ? { received: true, eventId: identity.id, messageId } : { received: true, source: identity.source, eventId: identity.id, messageId });
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      span.recordException(err);
      span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
      const status = statusForSendError(error);
      log.error('SQS did not accept the webhook; the sender will retry', { error: err, status, destination: destination.name });
      return errorResponse(status, 'queue unavailable', status === 503 ? { 'retry-after': '5' } : {});
    } finally {
      span.end();
    }
  };
}
