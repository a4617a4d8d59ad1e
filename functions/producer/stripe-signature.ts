import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureVerdict =
  | { valid: true; timestamp: number }
  | { valid: false; reason: 'missing signature' | 'malformed signature header' | 'timestamp outside tolerance' | 'no matching signature' };

export interface VerifyOptions {
  /** The `Stripe-Signature` header value. */
  header: string | undefined;
  rawBody: Buffer;
  /** Every secret currently accepted (more than one while a secret is being rotated). */
  secrets: readonly string[];
  toleranceSeconds: number;
  /** Current time in seconds since the epoch. */
  nowSeconds: number;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/** Splits `t=…,v1=…,v1=…,v0=…` into the timestamp and the v1 signatures; v0 and unknown schemes are ignored. */
function parseHeader(header: string): { timestamp: number; signatures: Buffer[] } | undefined {
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const separator = part.indexOf('=');
    if (separator <= 0) continue;
    const key = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (key === 't' && /^\d+$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && HEX_SHA256.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === undefined || signatures.length === 0) return undefined;
  return { timestamp, signatures };
}

/**
 * Stripe's scheme: hex HMAC-SHA256, keyed with the whole secret string, over `<t>.<raw body>`.
 * Any v1 may match any secret; comparisons are constant-time. Unlike stripe-node, a timestamp
 * too far in the future is rejected as well as a stale one.
 */
export function verifyStripeSignature(options: VerifyOptions): SignatureVerdict {
  if (!options.header) return { valid: false, reason: 'missing signature' };
  const parsed = parseHeader(options.header);
  if (!parsed) return { valid: false, reason: 'malformed signature header' };
  if (Math.abs(options.nowSeconds - parsed.timestamp) > options.toleranceSeconds) {
    return { valid: false, reason: 'timestamp outside tolerance' };
  }
  let matched = false;
  for (const secret of options.secrets) {
    const expected = createHmac('sha256', secret).update(`${parsed.timestamp}.`).update(options.rawBody).digest();
    // Every pair is compared, so the time taken does not reveal which one matched.
    for (const signature of parsed.signatures) {
      if (timingSafeEqual(expected, signature)) matched = true;
    }
  }
  return matched ? { valid: true, timestamp: parsed.timestamp } : { valid: false, reason: 'no matching signature' };
}
