import { createHmac } from 'node:crypto';
import { matchesAny } from './constant-time';
import { claimedBodyField, jsonObject, nonEmptyString } from './event-body';
import { listedSecrets } from './secret-lists';
import type { Identified, Sender, SignatureVerdict, VerifyInput } from './sender';

/**
 * Slack's scheme: `X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret, "v0:<timestamp>:<body>")>`
 * with `X-Slack-Request-Timestamp`, as @slack/bolt's verifySlackRequest checks it when its HTTP
 * receiver calls it: the timestamp read as `Number(header)` and written back into the signed text
 * as that number, the signature split on `=` (version `v0`, then the hex compared as a string).
 * Bolt rejects only a stale timestamp; Slack's documentation asks for the timestamp to be within
 * five minutes of local time either way, so one too far in the future is rejected too.
 */
export function verifySlackSignature({ request, secrets, toleranceSeconds, nowMs }: VerifyInput): SignatureVerdict {
  const signature = request.header('x-slack-signature');
  const timestampHeader = request.header('x-slack-request-timestamp');
  if (!signature) return { valid: false, reason: 'missing signature' };
  if (timestampHeader === undefined) return { valid: false, reason: 'missing X-Slack-Request-Timestamp header' };
  const timestamp = Number(timestampHeader);
  if (Number.isNaN(timestamp)) return { valid: false, reason: 'malformed signature header' };
  const now = Math.floor(nowMs / 1000);
  if (timestamp < now - toleranceSeconds || timestamp > now + toleranceSeconds) return { valid: false, reason: 'timestamp outside tolerance' };
  const [version, hash] = signature.split('=');
  if (version !== 'v0' || !hash) return { valid: false, reason: 'malformed signature header' };
  const prefix = `v0:${timestamp}:`;
  const expected = secrets.map((secret) => createHmac('sha256', secret).update(prefix).update(request.rawBody).digest('hex'));
  return matchesAny([hash], expected) ? { valid: true } : { valid: false, reason: 'no matching signature' };
}

/**
 * Events API payloads: `url_verification` is answered with its challenge, never enqueued (after
 * the signature is verified); an `event_callback` is the event `event_id` of type `event.type`
 * (a retry, with `X-Slack-Retry-Num`, carries the same `event_id`).
 */
function identify(_request: unknown, text: string): Identified {
  const body = jsonObject(text);
  if (!body.ok) return { kind: 'invalid', reason: body.reason };
  const payload = body.object;
  if (payload.type === 'url_verification') {
    if (!nonEmptyString(payload.challenge)) return { kind: 'invalid', reason: 'url_verification without a string challenge' };
    return { kind: 'handshake', what: 'url_verification', answer: { challenge: payload.challenge } };
  }
  const event = payload.event;
  const type = typeof event === 'object' && event !== null ? (event as Record<string, unknown>).type : undefined;
  if (!nonEmptyString(payload.event_id) || !nonEmptyString(type)) return { kind: 'invalid', reason: 'event must have string event_id and event.type' };
  return { kind: 'event', id: payload.event_id, type };
}

export const slack: Sender = {
  scheme: 'slack',
  timestamped: true,
  parseSecrets: listedSecrets,
  verify: verifySlackSignature,
  identify,
  claimedId: (request) => claimedBodyField(request.rawBody, 'event_id'),
};
