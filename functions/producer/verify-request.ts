import type { APIGatewayProxyResult } from 'aws-lambda';
import type { Logger } from '../lib/logger';
import type { WebhookRequest } from './http-event';
import { errorResponse } from './responses';
import type { SigningSecrets } from './signing-secrets';
import type { SignatureVerdict } from './senders';
import { senderOf, type WebhookSource } from './webhook-sources';

export interface VerifierDependencies {
  /** The accepted secrets of a source (cached per cold start, re-read after a miss). */
  secretsOf(source: WebhookSource): SigningSecrets;
  now: () => number;
}

/**
 * Checks a request's signature with its source's scheme and secrets: undefined when it may pass,
 * otherwise the answer. A miss re-reads the secrets (at most once a minute) before it is final,
 * so a rotation takes effect without a redeploy. Secrets that cannot be read are a 503: retrying
 * later can succeed.
 */
export function createVerifier(deps: VerifierDependencies) {
  return async (source: WebhookSource, request: WebhookRequest, log: Logger): Promise<APIGatewayProxyResult | undefined> => {
    const sender = senderOf(source);
    if (!sender) return undefined;
    const signing = deps.secretsOf(source);
    const check = (secrets: string[]): SignatureVerdict => sender.verify({ request, secrets, toleranceSeconds: source.toleranceSeconds, nowMs: deps.now() });
    let verdict: SignatureVerdict;
    try {
      verdict = check(await signing.current());
      if (!verdict.valid && verdict.reason === 'no matching signature') {
        const refreshed = await signing.refreshAfterMiss();
        if (refreshed) verdict = check(refreshed);
      }
    } catch (error) {
      log.error('webhook signing secret could not be read', { error, secretArn: source.secretArn });
      return errorResponse(503, 'verification unavailable', { 'retry-after': '30' });
    }
    if (verdict.valid) return undefined;
    log.warn('webhook rejected: signature', { status: 401, reason: verdict.reason, claimedEventId: sender.claimedId(request) });
    return errorResponse(401, verdict.reason);
  };
}
