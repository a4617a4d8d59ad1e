import type { SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { SpanKind, SpanStatusCode, context as otelContext, trace, type Span } from '@opentelemetry/api';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { ATTR } from '../lib/attributes';
import { injectTraceContext, xrayTraceHeader } from '../lib/inject';
import { createLogger, type Logger } from '../lib/logger';
import type { SdkMessageAttributes } from '../lib/sqs-carrier';
import { BODY_ENCODING_ATTRIBUTE, encodeBody } from '../lib/webhook-message';
import { PIPELINE_TRACER_NAME } from '../telemetry-names';
import type { ProducerConfig } from './config';
import { claimedEventId } from './claimed-event-id';
import { createDestination, snsClientModule } from './publish';
import { readWebhookRequest, type WebhookHttpEvent, type WebhookRequest } from './http-event';
import { errorResponse, jsonResponse } from './responses';
import type { SigningSecrets } from './signing-secrets';
import { verifyStripeSignature } from './stripe-signature';
import { fitsOneItem, parseWebhookEvent, utf8Text, type WebhookEvent } from './webhook-event';

export interface ProducerDependencies {
  config: ProducerConfig;
  /** Required when the destination is a queue (QUEUE_URL). */
  sqs?: Pick<SQSClient, 'send'>;
  /** Required when the destination is a topic (TOPIC_ARN, fan-out). */
  sns?: Pick<SNSClient, 'send'>;
  /** Required when `config.verification` is `stripe`. */
  secrets?: SigningSecrets;
  logger?: Logger;
  now?: () => number;
}

/** Typed for callers; the handler still checks the shape, since the event comes from outside. */
export type ProducerHandler = (event: WebhookHttpEvent | null) => Promise<APIGatewayProxyResult>;

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

export function createProducerHandler(deps: ProducerDependencies): ProducerHandler {
  const { config, sqs, sns } = deps;
  const logger = deps.logger ?? createLogger({ component: 'producer' });
  const destination = createDestination(config.destination, config.maxMessageBytes, {
    ...(sqs ? { sendMessage: (input) => sqs.send(new SendMessageCommand(input)) } : {}),
    ...(sns ? { publish: (input) => sns.send(new (snsClientModule().PublishCommand)(input)) } : {}),
  });
  const now = deps.now ?? Date.now;
  const tracer = trace.getTracer(PIPELINE_TRACER_NAME);
  if (config.verification === 'stripe' && !deps.secrets) throw new Error('stripe verification needs the signing secrets');

  async function verify(request: WebhookRequest): Promise<APIGatewayProxyResult | undefined> {
    if (config.verification === 'none') return undefined;
    const signing = deps.secrets as SigningSecrets;
    const header = request.header('stripe-signature');
    const check = (secrets: string[]) =>
      verifyStripeSignature({ header, rawBody: request.rawBody, secrets, toleranceSeconds: config.toleranceSeconds, nowSeconds: Math.floor(now() / 1000) });
    let verdict;
    try {
      verdict = check(await signing.current());
      if (!verdict.valid && verdict.reason === 'no matching signature') {
        const refreshed = await signing.refreshAfterMiss();
        if (refreshed) verdict = check(refreshed);
      }
    } catch (error) {
      logger.error('webhook signing secret could not be read', { error, secretArn: config.secretArn });
      return errorResponse(503, 'verification unavailable', { 'retry-after': '30' });
    }
    if (verdict.valid) return undefined;
    logger.warn('webhook rejected: signature', { status: 401, reason: verdict.reason, claimedEventId: claimedEventId(request.rawBody) });
    return errorResponse(401, verdict.reason);
  }

  /**
   * Sends the signed text itself (see lib/webhook-message), never a re-serialization of the
   * parsed event, to the queue or the topic (./publish). A message that cannot fit is refused
   * with 413: no retry could make it fit.
   */
  async function enqueue(event: WebhookEvent, text: string): Promise<APIGatewayProxyResult> {
    const { body, encoding } = encodeBody(text);
    const span: Span = tracer.startSpan(`send ${destination.name}`, {
      kind: SpanKind.PRODUCER,
      attributes: {
        ...destination.spanAttributes,
        [ATTR.messagingOperationType]: 'send',
        [ATTR.webhookEventId]: event.id,
        [ATTR.webhookType]: event.type,
      },
    });
    const spanContext = trace.setSpan(otelContext.active(), span);
    const log = logger.child({ eventId: event.id }, spanContext);
    try {
      // The encoding attribute (and the destination's own) go first so the trace fields are budgeted around them.
      const attributes: SdkMessageAttributes = { [BODY_ENCODING_ATTRIBUTE]: { DataType: 'String', StringValue: encoding }, ...destination.ownAttributes(event.type) };
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
      log.info('webhook enqueued', { messageId, type: event.type });
      return jsonResponse(200, { received: true, eventId: event.id, messageId });
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
  }

  // Every refusal below is a 4xx: retrying the same signed body cannot change the answer.
  return async (event) => {
    const read = readWebhookRequest(event);
    if (!read.ok) {
      logger.warn('webhook rejected: request', { status: 400, reason: read.reason });
      return errorResponse(400, read.reason);
    }
    const request = read.request;
    // Size first: nothing larger than the limit is hashed, parsed or enqueued.
    if (request.rawBody.length > config.maxBodyBytes) {
      logger.warn('webhook rejected: body too large', { status: 413, bytes: request.rawBody.length, limit: config.maxBodyBytes, claimedEventId: claimedEventId(request.rawBody) });
      return errorResponse(413, 'body too large');
    }
    const rejected = await verify(request);
    if (rejected) return rejected;
    const text = utf8Text(request.rawBody);
    if (text === undefined) {
      logger.warn('webhook rejected: body', { status: 400, reason: 'body is not valid UTF-8', claimedEventId: claimedEventId(request.rawBody) });
      return errorResponse(400, 'body is not valid UTF-8');
    }
    const parsed = parseWebhookEvent(text);
    if (!parsed.ok) {
      logger.warn('webhook rejected: body', { status: 400, reason: parsed.reason, claimedEventId: claimedEventId(request.rawBody) });
      return errorResponse(400, parsed.reason);
    }
    // Only reachable when MAX_BODY_BYTES is raised past what one DynamoDB item holds.
    if (!fitsOneItem(text, parsed.event)) {
      logger.warn('webhook rejected: event too large to store', { status: 413, bytes: request.rawBody.length, eventId: parsed.event.id });
      return errorResponse(413, 'event too large to store');
    }
    return enqueue(parsed.event, text);
  };
}
