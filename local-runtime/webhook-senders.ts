// Webhooks as each sender sends them: its body, its headers and its signature (node:crypto, as
// each documents its scheme), for the demo, the end-to-end tests and the producer's tests. The
// senders' own libraries check these verifiers in test/sender-differential.test.ts.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { SchemeName } from '../functions/producer/senders';

export interface SenderEvent {
  /** The event's id where its sender puts one (Stripe's `id`, GitHub's delivery GUID, ...). */
  id: string;
  /** Its type as the pipeline records it (`invoice.paid`, `pull_request.opened`, `orders/create`, `message`). */
  type: string;
  data?: Record<string, unknown>;
}

export interface SignedWebhook {
  body: string;
  headers: Record<string, string>;
}

const seconds = () => Math.floor(Date.now() / 1000);
const hmac = (key: string | Buffer, ...parts: string[]) => parts.reduce((h, part) => h.update(part, 'utf8'), createHmac('sha256', key));

/** A new signing secret in the scheme's own format (what the sender's dashboard would show). */
export function newSigningSecret(scheme: SchemeName): string {
  switch (scheme) {
    case 'stripe':
      return `whsec_local_${randomBytes(18).toString('hex')}`;
    case 'standard-webhooks':
      return `whsec_${randomBytes(24).toString('base64')}`;
    case 'shopify':
      return `shpss_${randomBytes(16).toString('hex')}`;
    case 'slack':
      return randomBytes(16).toString('hex');
    case 'github':
      // GitHub takes any text: one with a comma and a space, as people write them.
      return `local github, ${randomBytes(12).toString('hex')}`;
  }
}

/**
 * The request a sender makes for `event`, signed with `secret` at `timestamp` (now unless given).
 * Standard Webhooks' `webhook-id` and Shopify's `X-Shopify-Event-Id` carry `event.id`.
 */
export function signedWebhook(scheme: SchemeName, secret: string, event: SenderEvent, timestamp = seconds()): SignedWebhook {
  const json = { 'Content-Type': 'application/json' };
  switch (scheme) {
    case 'stripe': {
      const body = JSON.stringify({ id: event.id, object: 'event', type: event.type, api_version: '2025-10-29', created: timestamp, livemode: false, data: { object: event.data ?? {} } });
      return { body, headers: { ...json, 'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)', 'Stripe-Signature': `t=${timestamp},v1=${hmac(secret, `${timestamp}.`, body).digest('hex')}` } };
    }
    case 'github': {
      const [name, action] = event.type.split('.');
      const body = JSON.stringify({ ...(action ? { action } : {}), repository: { full_name: 'example/webhooks' }, ...event.data });
      return {
        body,
        headers: { ...json, 'User-Agent': 'GitHub-Hookshot/local', 'X-GitHub-Event': name ?? event.type, 'X-GitHub-Delivery': event.id, 'X-GitHub-Hook-ID': '1', 'X-Hub-Signature-256': `sha256=${hmac(secret, body).digest('hex')}` },
      };
    }
    case 'standard-webhooks': {
      const body = JSON.stringify({ type: event.type, timestamp: new Date(timestamp * 1000).toISOString(), data: event.data ?? {} });
      const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
      const signature = hmac(key, `${event.id}.${timestamp}.`, body).digest('base64');
      return { body, headers: { ...json, 'webhook-id': event.id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${signature}` } };
    }
    case 'shopify': {
      const body = JSON.stringify({ id: 820982911946154500, ...event.data });
      return {
        body,
        headers: {
          ...json,
          'X-Shopify-Topic': event.type,
          'X-Shopify-Hmac-Sha256': hmac(secret, body).digest('base64'),
          'X-Shopify-Shop-Domain': 'example.myshopify.com',
          'X-Shopify-API-Version': '2025-10',
          'X-Shopify-Webhook-Id': randomUUID(),
          'X-Shopify-Event-Id': event.id,
          'X-Shopify-Triggered-At': new Date(timestamp * 1000).toISOString(),
        },
      };
    }
    case 'slack': {
      const body = JSON.stringify({ token: 'deprecated', team_id: 'T0LOCAL', api_app_id: 'A0LOCAL', type: 'event_callback', event_id: event.id, event_time: timestamp, event: { type: event.type, ...event.data } });
      return slackSigned(secret, body, timestamp);
    }
  }
}

function slackSigned(secret: string, body: string, timestamp: number): SignedWebhook {
  return { body, headers: { 'Content-Type': 'application/json', 'X-Slack-Request-Timestamp': String(timestamp), 'X-Slack-Signature': `v0=${hmac(secret, `v0:${timestamp}:`, body).digest('hex')}` } };
}

/** Slack's url_verification handshake, sent when an Events API request URL is saved. */
export function slackUrlVerification(secret: string, challenge: string, timestamp = seconds()): SignedWebhook {
  return slackSigned(secret, JSON.stringify({ token: 'deprecated', challenge, type: 'url_verification' }), timestamp);
}
