import { createHmac } from 'node:crypto';
import { matchesAny } from './constant-time';
import { claimedHeader, jsonObject, nonEmptyString } from './event-body';
import { listedSecrets } from './secret-lists';
import type { Identified, Sender, SignatureVerdict, VerifyInput } from './sender';

const SECRET_PREFIX = 'whsec_';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}|[A-Za-z0-9+/]{3})?$/;

/** The key a `whsec_<base64>` secret stands for (the prefix is optional, as in the `standardwebhooks` library). */
export function standardWebhooksKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (encoded === '' || !BASE64.test(encoded)) throw new Error('a Standard Webhooks secret must be whsec_ followed by base64');
  return Buffer.from(encoded, 'base64');
}

/** Several secrets while rotating; each must decode, so a malformed one is found when read, not per request. */
function parseSecrets(secretString: string): string[] {
  const secrets = listedSecrets(secretString);
  for (const secret of secrets) standardWebhooksKey(secret);
  return secrets;
}

/**
 * The Standard Webhooks scheme (Svix and the services built on it), as the `standardwebhooks`
 * library checks it: `webhook-signature` is a space-separated list of `v1,<base64 HMAC-SHA256(key,
 * "<webhook-id>.<timestamp>.<body>")>`, any of which may match; the timestamp is read as
 * `parseInt(webhook-timestamp, 10)` and must be within the tolerance either way (too old or too new).
 */
export function verifyStandardWebhooksSignature({ request, secrets, toleranceSeconds, nowMs }: VerifyInput): SignatureVerdict {
  const id = request.header('webhook-id');
  const signatures = request.header('webhook-signature');
  const timestampHeader = request.header('webhook-timestamp');
  if (!signatures) return { valid: false, reason: 'missing signature' };
  if (!id) return { valid: false, reason: 'missing webhook-id header' };
  if (!timestampHeader) return { valid: false, reason: 'missing webhook-timestamp header' };
  const timestamp = parseInt(timestampHeader, 10);
  if (Number.isNaN(timestamp)) return { valid: false, reason: 'malformed signature header' };
  const now = Math.floor(nowMs / 1000);
  if (now - timestamp > toleranceSeconds || timestamp > now + toleranceSeconds) return { valid: false, reason: 'timestamp outside tolerance' };
  const signed = [Buffer.from(`${id}.${timestamp}.`, 'utf8'), request.rawBody];
  const expected = secrets.map((secret) => {
    const hmac = createHmac('sha256', standardWebhooksKey(secret));
    for (const part of signed) hmac.update(part);
    return `v1,${hmac.digest('base64')}`;
  });
  return matchesAny(signatures.split(' '), expected) ? { valid: true } : { valid: false, reason: 'no matching signature' };
}

/** The message id (`webhook-id`, the same on every retry) and the body's `type`. */
function identify(request: Pick<VerifyInput['request'], 'header'>, text: string): Identified {
  const body = jsonObject(text);
  if (!body.ok) return { kind: 'invalid', reason: body.reason };
  const id = request.header('webhook-id');
  if (!id) return { kind: 'invalid', reason: 'missing webhook-id header' };
  if (!nonEmptyString(body.object.type)) return { kind: 'invalid', reason: 'event must have a string type' };
  return { kind: 'event', id, type: body.object.type };
}

export const standardWebhooks: Sender = {
  scheme: 'standard-webhooks',
  timestamped: true,
  parseSecrets,
  verify: verifyStandardWebhooksSignature,
  identify,
  claimedId: (request) => claimedHeader(request.header('webhook-id')),
};
