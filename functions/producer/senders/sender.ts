import type { WebhookRequest } from '../http-event';

/** The verification schemes, each as its sender documents it. */
export const SCHEMES = ['stripe', 'github', 'standard-webhooks', 'shopify', 'slack'] as const;
export type SchemeName = (typeof SCHEMES)[number];

export type SignatureVerdict = { valid: true } | { valid: false; reason: string };

export interface VerifyInput {
  request: Pick<WebhookRequest, 'header' | 'rawBody'>;
  /** Every secret currently accepted (more than one while a secret is being rotated). */
  secrets: readonly string[];
  /** How far a signed timestamp may be from now, either way (schemes with a timestamp only). */
  toleranceSeconds: number;
  /** Current time in milliseconds since the epoch. */
  nowMs: number;
}

/** What a verified request is: an event to enqueue, a handshake to answer, or a body to refuse (400). */
export type Identified =
  | { kind: 'event'; id: string; type: string }
  /** Answered 200 with `answer` and never enqueued (Slack's url_verification). */
  | { kind: 'handshake'; what: string; answer: Record<string, string> }
  | { kind: 'invalid'; reason: string };

/**
 * One sender's scheme: how its secrets are written, how it signs, and where it puts an event's
 * identity. Verification is node:crypto only; the senders' own libraries check it in the tests.
 */
export interface Sender {
  scheme: SchemeName;
  /** Whether the signature covers a timestamp, so a tolerance applies (otherwise replay protection is the stored id). */
  timestamped: boolean;
  /** The secret string (from Secrets Manager) as the accepted secrets; throws when it holds none or a malformed one. */
  parseSecrets(secretString: string): string[];
  verify(input: VerifyInput): SignatureVerdict;
  /** The event's id and type from where the sender puts them; `text` is the body as UTF-8. */
  identify(request: Pick<WebhookRequest, 'header'>, text: string): Identified;
  /** The id a request claims, for the log line of a rejection; never parses the (unverified) body. */
  claimedId(request: Pick<WebhookRequest, 'header' | 'rawBody'>): string | undefined;
}
