import { claimedEventId } from '../claimed-event-id';
import { parseSigningSecrets } from '../signing-secrets';
import { verifyStripeSignature } from '../stripe-signature';
import { parseWebhookEvent } from '../webhook-event';
import type { Sender } from './sender';

/** Stripe's scheme, unchanged: `Stripe-Signature`, comma-separated `whsec_` secrets, the body's `id` and `type`. */
export const stripe: Sender = {
  scheme: 'stripe',
  timestamped: true,
  parseSecrets: parseSigningSecrets,
  verify: ({ request, secrets, toleranceSeconds, nowMs }) =>
    verifyStripeSignature({ header: request.header('stripe-signature'), rawBody: request.rawBody, secrets, toleranceSeconds, nowSeconds: Math.floor(nowMs / 1000) }),
  identify: (_request, text) => {
    const parsed = parseWebhookEvent(text);
    return parsed.ok ? { kind: 'event', id: parsed.event.id, type: parsed.event.type } : { kind: 'invalid', reason: parsed.reason };
  },
  claimedId: (request) => claimedEventId(request.rawBody),
};
