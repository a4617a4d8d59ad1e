import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';

/** API Gateway REST (payload 1.0) or HTTP API (payload 2.0) proxy event. */
export type WebhookHttpEvent = Pick<APIGatewayProxyEvent, 'headers' | 'body' | 'isBase64Encoded'> | Pick<APIGatewayProxyEventV2, 'headers' | 'body' | 'isBase64Encoded'>;

export interface WebhookRequest {
  /** The body exactly as the sender signed it. */
  rawBody: Buffer;
  /** A header value by name, ignoring case (REST APIs keep the sender's case, HTTP APIs lower-case it). */
  header(name: string): string | undefined;
}

export function readWebhookRequest(event: WebhookHttpEvent): WebhookRequest {
  const headers = (event.headers ?? {}) as Record<string, string | undefined>;
  const byLowerName = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') byLowerName.set(name.toLowerCase(), value);
  }
  const body = event.body ?? '';
  return {
    rawBody: event.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8'),
    header: (name) => byLowerName.get(name.toLowerCase()),
  };
}
