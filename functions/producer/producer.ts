import type { SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { trace } from '@opentelemetry/api';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { createLogger, type Logger } from '../lib/logger';
import { PIPELINE_TRACER_NAME, WEBHOOK_SOURCE_ATTRIBUTE } from '../telemetry-names';
import type { ProducerConfig } from './config';
import { createEnqueuer } from './enqueue';
import { readWebhookRequest, requestedSource, type WebhookHttpEvent } from './http-event';
import { createDestination, snsClientModule } from './publish';
import { errorResponse, jsonResponse } from './responses';
import type { SigningSecrets } from './signing-secrets';
import { storedIdentity } from './stored-identity';
import { createVerifier } from './verify-request';
import { fitsOneItem, utf8Text } from './webhook-event';
import { SENDERS } from './senders';
import { senderOf, type WebhookSource } from './webhook-sources';

export interface ProducerDependencies {
  config: ProducerConfig;
  /** Required when the destination is a queue (QUEUE_URL). */
  sqs?: Pick<SQSClient, 'send'>;
  /** Required when the destination is a topic (TOPIC_ARN, fan-out). */
  sns?: Pick<SNSClient, 'send'>;
  /** The `/webhook` source's secrets; required when `config.verification` is `stripe`. */
  secrets?: SigningSecrets;
  /** Each `/webhooks/<source>` source's secrets; required when `config.sources` names any. */
  sourceSecrets?: (source: WebhookSource) => SigningSecrets;
  logger?: Logger;
  now?: () => number;
}

/** Typed for callers; the handler still checks the shape, since the event comes from outside. */
export type ProducerHandler = (event: WebhookHttpEvent | null) => Promise<APIGatewayProxyResult>;

/** A requested source name as logged: bounded, since anyone may put anything in the path. */
const loggable = (name: string) => (name.length > 64 ? `${name.slice(0, 64)}…` : name);

export function createProducerHandler(deps: ProducerDependencies): ProducerHandler {
  const { config, sqs, sns } = deps;
  const logger = deps.logger ?? createLogger({ component: 'producer' });
  const destination = createDestination(config.destination, config.maxMessageBytes, {
    ...(sqs ? { sendMessage: (input) => sqs.send(new SendMessageCommand(input)) } : {}),
    ...(sns ? { publish: (input) => sns.send(new (snsClientModule().PublishCommand)(input)) } : {}),
  });
  const now = deps.now ?? Date.now;
  if (config.verification === 'stripe' && !deps.secrets) throw new Error('stripe verification needs the signing secrets');
  if (config.sources.size > 0 && !deps.sourceSecrets) throw new Error('the webhook sources need their signing secrets');
  const verify = createVerifier({ secretsOf: (source) => (source.bareKeys ? (deps.secrets as SigningSecrets) : deps.sourceSecrets!(source)), now });
  const enqueue = createEnqueuer(destination, trace.getTracer(PIPELINE_TRACER_NAME));
  const otherSources = [...config.sources.keys()];

  // Every refusal below is a 4xx: retrying the same signed request cannot change the answer.
  return async (event) => {
    const requested = requestedSource(event);
    const source = requested === undefined ? config.defaultSource : config.sources.get(requested);
    if (!source) {
      // `requestedSource`, not `source`: the per-source metrics must not count names anyone can make up.
      logger.warn('webhook rejected: unknown source', { status: 404, requestedSource: requested === undefined ? '/webhook' : loggable(requested) });
      return errorResponse(404, requested === undefined ? 'no source on /webhook' : 'unknown source');
    }
    trace.getActiveSpan()?.setAttribute(WEBHOOK_SOURCE_ATTRIBUTE, source.name);
    const log = logger.child({ source: source.name });
    const read = readWebhookRequest(event);
    if (!read.ok) {
      log.warn('webhook rejected: request', { status: 400, reason: read.reason });
      return errorResponse(400, read.reason);
    }
    const request = read.request;
    // A /webhook without verification (none) still reads Stripe's id and type.
    const sender = senderOf(source) ?? SENDERS.stripe;
    const claimed = () => sender.claimedId(request);
    // Size first: nothing larger than the limit is hashed, parsed or enqueued.
    if (request.rawBody.length > config.maxBodyBytes) {
      log.warn('webhook rejected: body too large', { status: 413, bytes: request.rawBody.length, limit: config.maxBodyBytes, claimedEventId: claimed() });
      return errorResponse(413, 'body too large');
    }
    const rejected = await verify(source, request, log);
    if (rejected) return rejected;
    const text = utf8Text(request.rawBody);
    if (text === undefined) {
      log.warn('webhook rejected: body', { status: 400, reason: 'body is not valid UTF-8', claimedEventId: claimed() });
      return errorResponse(400, 'body is not valid UTF-8');
    }
    const identified = sender.identify(request, text);
    if (identified.kind === 'handshake') {
      log.info('webhook handshake answered', { what: identified.what });
      return jsonResponse(200, identified.answer);
    }
    const identity = identified.kind === 'event' ? storedIdentity(source, identified.id, identified.type, otherSources) : { ok: false as const, reason: identified.reason };
    if (!identity.ok) {
      log.warn('webhook rejected: body', { status: 400, reason: identity.reason, claimedEventId: claimed() });
      return errorResponse(400, identity.reason);
    }
    const { id, type, key, bareKey } = identity.identity;
    // Only reachable when MAX_BODY_BYTES is raised past what one DynamoDB item holds.
    if (!fitsOneItem(text, bareKey ? [key, type, source.name] : [key, id, type, source.name])) {
      log.warn('webhook rejected: event too large to store', { status: 413, bytes: request.rawBody.length, eventId: id });
      return errorResponse(413, 'event too large to store');
    }
    return enqueue(identity.identity, text, log);
  };
}
