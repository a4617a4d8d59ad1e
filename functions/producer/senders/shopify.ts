import { createHmac } from 'node:crypto';
import { matchesAny } from './constant-time';
import { claimedHeader } from './event-body';
import { listedSecrets } from './secret-lists';
import type { Identified, Sender, SignatureVerdict, VerifyInput } from './sender';

/**
 * Shopify's scheme: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256(app secret, raw body)>`, as
 * @shopify/shopify-api's webhooks.validate checks it: the header compared with the expected
 * base64 string (padding included), an empty body never valid. No timestamp: replay protection is
 * the stored event id.
 */
export function verifyShopifySignature({ request, secrets }: Pick<VerifyInput, 'request' | 'secrets'>): SignatureVerdict {
  const header = request.header('x-shopify-hmac-sha256');
  if (!header) return { valid: false, reason: 'missing signature' };
  if (request.rawBody.length === 0) return { valid: false, reason: 'no matching signature' };
  const expected = secrets.map((secret) => createHmac('sha256', secret).update(request.rawBody).digest('base64'));
  return matchesAny([header], expected) ? { valid: true } : { valid: false, reason: 'no matching signature' };
}

/**
 * The event (`X-Shopify-Event-Id`, or `X-Shopify-Webhook-Id` where a delivery has no event id)
 * and its topic (`X-Shopify-Topic`, `orders/create`). The body is not read: the identity is all
 * in the headers, so it is stored as signed whatever its format.
 */
function identify(request: Pick<VerifyInput['request'], 'header'>): Identified {
  const id = request.header('x-shopify-event-id') || request.header('x-shopify-webhook-id');
  const topic = request.header('x-shopify-topic');
  if (!id) return { kind: 'invalid', reason: 'missing X-Shopify-Event-Id and X-Shopify-Webhook-Id headers' };
  if (!topic) return { kind: 'invalid', reason: 'missing X-Shopify-Topic header' };
  return { kind: 'event', id, type: topic };
}

export const shopify: Sender = {
  scheme: 'shopify',
  timestamped: false,
  parseSecrets: listedSecrets,
  verify: verifyShopifySignature,
  identify,
  claimedId: (request) => claimedHeader(request.header('x-shopify-event-id') || request.header('x-shopify-webhook-id')),
};
