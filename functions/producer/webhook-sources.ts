import { ConfigError } from '../lib/config';
import { DEFAULT_SOURCE_NAME, SOURCE_NAME_PATTERN } from '../webhook-identity';
import { SCHEMES, SENDERS, type SchemeName, type Sender } from './senders';

/** One sender the producer accepts webhooks from, on its own route. */
export interface WebhookSource {
  name: string;
  /** How its requests are verified; `none` only for the `/webhook` source, when asked for. */
  scheme: SchemeName | 'none';
  /** Secrets Manager secret holding its signing secret(s); set unless the scheme is `none`. */
  secretArn: string | undefined;
  /** How far its signed timestamp may be from now, either way (schemes with a timestamp). */
  toleranceSeconds: number;
  /** Whether its events are stored under their bare id (the `/webhook` source, as before sources existed) rather than `<source>#<id>`. */
  bareKeys: boolean;
}

export const DEFAULT_TOLERANCE_SECONDS = 300;
const MAX_TOLERANCE_SECONDS = 86_400;

export function senderOf(source: WebhookSource): Sender | undefined {
  return source.scheme === 'none' ? undefined : SENDERS[source.scheme];
}

function fail(message: string): never {
  throw new ConfigError(`WEBHOOK_SOURCES: ${message}`);
}

/**
 * WEBHOOK_SOURCES: the `/webhooks/<source>` sources as JSON,
 * `{"<source>":{"scheme":"github","secretArn":"arn:…","toleranceSeconds":300}}`
 * (`toleranceSeconds` only for a scheme with a timestamp, null or absent otherwise; default 300).
 */
export function parseWebhookSources(value: string | undefined): Map<string, WebhookSource> {
  const sources = new Map<string, WebhookSource>();
  if (value === undefined || value.trim() === '') return sources;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    fail('must be a JSON object of sources');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail('must be a JSON object of sources');
  for (const [name, entry] of Object.entries(parsed as Record<string, unknown>)) {
    if (!SOURCE_NAME_PATTERN.test(name)) fail(`source name "${name}" must be 1-32 lower-case letters, digits, - or _, starting with a letter or digit`);
    if (typeof entry !== 'object' || entry === null) fail(`${name} must be an object`);
    const { scheme, secretArn, toleranceSeconds } = entry as Record<string, unknown>;
    if (typeof scheme !== 'string' || !(SCHEMES as readonly string[]).includes(scheme)) fail(`${name}.scheme must be one of ${SCHEMES.join(', ')}; got ${JSON.stringify(scheme)}`);
    if (typeof secretArn !== 'string' || !secretArn.startsWith('arn:')) fail(`${name}.secretArn must be a Secrets Manager ARN`);
    const sender = SENDERS[scheme as SchemeName];
    // null is absent: Terraform writes every source with the same fields.
    if (toleranceSeconds !== undefined && toleranceSeconds !== null && !sender.timestamped) fail(`${name}: the ${scheme} scheme signs no timestamp, so it takes no toleranceSeconds`);
    const tolerance = toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
    if (typeof tolerance !== 'number' || !Number.isInteger(tolerance) || tolerance < 1 || tolerance > MAX_TOLERANCE_SECONDS) {
      fail(`${name}.toleranceSeconds must be a whole number between 1 and ${MAX_TOLERANCE_SECONDS}`);
    }
    sources.set(name, { name, scheme: scheme as SchemeName, secretArn, toleranceSeconds: tolerance, bareKeys: false });
  }
  return sources;
}

/** The `/webhook` source from today's settings (WEBHOOK_VERIFICATION, WEBHOOK_SECRET_ARN, WEBHOOK_TOLERANCE_SECONDS). */
export function defaultWebhookSource(verification: 'stripe' | 'none', secretArn: string | undefined, toleranceSeconds: number): WebhookSource {
  return { name: DEFAULT_SOURCE_NAME, scheme: verification, secretArn: verification === 'stripe' ? secretArn : undefined, toleranceSeconds, bareKeys: true };
}
