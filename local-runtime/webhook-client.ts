import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createHmac } from 'node:crypto';

export interface WebhookResponse {
  status: number;
  body: Record<string, unknown>;
}

/** The `Stripe-Signature` header Stripe would send: hex HMAC-SHA256 over `<t>.<body>`. */
export function stripeSignatureHeader(body: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${signature}`;
}

export function stripeEvent(id: string, type: string, object: Record<string, unknown> = {}): string {
  return JSON.stringify({ id, object: 'event', type, api_version: '2025-10-29', created: Math.floor(Date.now() / 1000), livemode: false, data: { object } });
}

/** POSTs a webhook as Stripe does; `secret` undefined sends it unsigned. */
export async function postWebhook(url: string, body: string, secret: string | undefined): Promise<WebhookResponse> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' };
  if (secret !== undefined) headers['Stripe-Signature'] = stripeSignatureHeader(body, secret);
  return postRequest(url, { body, headers });
}

/** POSTs a request as built (local-runtime/webhook-senders.ts: any sender's). */
export async function postRequest(url: string, request: { body: string; headers: Record<string, string> }): Promise<WebhookResponse> {
  const response = await fetch(url, { method: 'POST', headers: request.headers, body: request.body });
  const text = await response.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { raw: text };
  }
  return { status: response.status, body: parsed };
}

/** A producer that does not use the library: the message reaches the queue with no trace context. */
export async function sendWithoutTraceContext(sqs: SQSClient, queueUrl: string, eventId: string, type: string): Promise<string> {
  const sent = await sqs.send(
    new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ eventId, type, receivedAt: new Date().toISOString(), payload: { id: eventId, type } }) }),
  );
  return sent.MessageId as string;
}
