import Stripe from 'stripe';

// The official library's own test-header helper produces the vectors; it never calls Stripe.
const stripe = new Stripe('sk_test_vectors_only');

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A `Stripe-Signature` header exactly as Stripe would send it. */
export function stripeSignature(payload: string, secret: string, timestamp = nowSeconds(), scheme = 'v1'): string {
  return stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp, scheme });
}

/** Stripe signs with both secrets while one is rotated: `t=…,v1=<old>,v1=<new>`. */
export function rotatedSignature(payload: string, secrets: string[], timestamp = nowSeconds()): string {
  const v1 = secrets.map((secret) => stripeSignature(payload, secret, timestamp).split(',')[1]);
  return [`t=${timestamp}`, ...v1].join(',');
}

export function stripeEvent(id: string, type = 'payment_intent.payment_failed'): string {
  return JSON.stringify({ id, object: 'event', type, created: nowSeconds(), data: { object: { id: `pi_${id}`, amount: 2000, currency: 'usd' } } });
}
