import { createHmac } from 'node:crypto';
import { matchesAny } from './constant-time';
import { claimedHeader, jsonObject } from './event-body';
import { wholeOrListedSecrets } from './secret-lists';
import type { Identified, Sender, SignatureVerdict, VerifyInput } from './sender';

const SIGNATURE_HEADER = 'x-hub-signature-256';
const WELL_FORMED = /^sha256=[0-9a-f]{64}$/;

/**
 * GitHub's scheme: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>`, as
 * @octokit/webhooks-methods checks it: the whole header compared with the expected string (so
 * upper-case hex does not match), an empty body never valid. No timestamp: replay protection is
 * the stored delivery id.
 */
export function verifyGithubSignature({ request, secrets }: Pick<VerifyInput, 'request' | 'secrets'>): SignatureVerdict {
  const header = request.header(SIGNATURE_HEADER);
  if (!header) return { valid: false, reason: 'missing signature' };
  if (!WELL_FORMED.test(header)) return { valid: false, reason: 'malformed signature header' };
  if (request.rawBody.length === 0) return { valid: false, reason: 'no matching signature' };
  const expected = secrets.map((secret) => `sha256=${createHmac('sha256', secret).update(request.rawBody).digest('hex')}`);
  return matchesAny([header], expected) ? { valid: true } : { valid: false, reason: 'no matching signature' };
}

/**
 * The delivery's GUID (`X-GitHub-Delivery`, kept on a redelivery) and the event
 * (`X-GitHub-Event`, plus the body's `action` when it has one: `pull_request.opened`). The body is
 * JSON, or form-encoded with the JSON in `payload` (a webhook's other content type).
 */
function identify(request: Pick<VerifyInput['request'], 'header'>, text: string): Identified {
  const id = request.header('x-github-delivery');
  const event = request.header('x-github-event');
  if (!id) return { kind: 'invalid', reason: 'missing X-GitHub-Delivery header' };
  if (!event) return { kind: 'invalid', reason: 'missing X-GitHub-Event header' };
  const json = text.trimStart().startsWith('{') ? text : (new URLSearchParams(text).get('payload') ?? text);
  const body = jsonObject(json);
  if (!body.ok) return { kind: 'invalid', reason: body.reason };
  const action = body.object.action;
  return { kind: 'event', id, type: typeof action === 'string' && action !== '' ? `${event}.${action}` : event };
}

export const github: Sender = {
  scheme: 'github',
  timestamped: false,
  parseSecrets: wholeOrListedSecrets,
  verify: verifyGithubSignature,
  identify,
  claimedId: (request) => claimedHeader(request.header('x-github-delivery')),
};
