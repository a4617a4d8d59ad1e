import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { hasLoneSurrogate } from '../lib/webhook-message';

/** API Gateway REST (payload 1.0) or HTTP API (payload 2.0) proxy event. */
export type WebhookHttpEvent = Pick<APIGatewayProxyEvent, 'headers' | 'body' | 'isBase64Encoded'> | Pick<APIGatewayProxyEventV2, 'headers' | 'body' | 'isBase64Encoded'>;

export interface WebhookRequest {
  /** The body exactly as the sender signed it. */
  rawBody: Buffer;
  /** A header value by name, ignoring case (REST APIs keep the sender's case, HTTP APIs lower-case it). */
  header(name: string): string | undefined;
}

export type RequestResult = { ok: true; request: WebhookRequest } | { ok: false; reason: string };

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The body's bytes, or why there are none: a string the sender's bytes cannot have produced is refused, not patched. */
function bodyBytes(body: unknown, isBase64Encoded: unknown): Buffer | string {
  if (body === null || body === undefined) return Buffer.alloc(0);
  if (typeof body !== 'string') return 'body must be a string';
  if (isBase64Encoded === true) return BASE64.test(body) ? Buffer.from(body, 'base64') : 'body is not valid base64';
  // A lone surrogate would be written as U+FFFD by Buffer.from: the bytes would not be the ones signed.
  return hasLoneSurrogate(body) ? 'body is not valid UTF-8' : Buffer.from(body, 'utf8');
}

/** Reads the request defensively: the event comes from outside the function and may have any shape. */
export function readWebhookRequest(event: unknown): RequestResult {
  if (typeof event !== 'object' || event === null) return { ok: false, reason: 'not an API Gateway proxy event' };
  const { headers, body, isBase64Encoded } = event as Partial<Record<keyof WebhookHttpEvent, unknown>>;
  const byLowerName = new Map<string, string>();
  if (typeof headers === 'object' && headers !== null) {
    for (const [name, value] of Object.entries(headers)) {
      if (typeof value === 'string') byLowerName.set(name.toLowerCase(), value);
    }
  }
  const rawBody = bodyBytes(body, isBase64Encoded);
  if (typeof rawBody === 'string') return { ok: false, reason: rawBody };
  return { ok: true, request: { rawBody, header: (name) => byLowerName.get(name.toLowerCase()) } };
}

/**
 * The source a request names on its route: `pathParameters.source` of `/webhooks/{source}` (REST
 * and HTTP APIs both fill it). Undefined for `/webhook` and for an event without path parameters
 * (an API of your own that routes only `/webhook` here), which the `/webhook` source serves.
 */
export function requestedSource(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const parameters = (event as { pathParameters?: unknown }).pathParameters;
  if (typeof parameters !== 'object' || parameters === null) return undefined;
  const source = (parameters as Record<string, unknown>).source;
  return typeof source === 'string' ? source : undefined;
}
