// Seeded requests for the differential tests: for each scheme, the families the issue names
// (valid, wrong secret, tampered body, timestamps at and past the tolerance both ways, several
// signatures with one valid, header casing, base64 bodies) and malformed headers, each built the
// way the sender builds its requests (its own library's signer where it has one).
import { createHmac, randomUUID } from 'node:crypto';
import type { SchemeName } from '../../functions/producer/senders';
import { librarySignature } from './sender-libraries';

export const TOLERANCE_SECONDS = 300;

export interface SenderCase {
  scheme: SchemeName;
  family: string;
  /** The text as delivered (a tampered case differs from what was signed). */
  payload: string;
  /** Delivered base64-encoded by API Gateway (isBase64Encoded). */
  base64: boolean;
  /** Header names in the case this request used. */
  headers: Record<string, string>;
  /** The secrets the receiver accepts. */
  secrets: string[];
  nowMs: number;
  /** The signed timestamp as the scheme's library reads it, when the scheme has one. */
  timestamp?: number;
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const int = (random: Random, min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const hexOf = (random: Random, length: number) => Array.from({ length }, () => pick(random, [...'0123456789abcdef'])).join('');
const base64Of = (random: Random, bytes: number) => Buffer.from(Array.from({ length: bytes }, () => int(random, 0, 255))).toString('base64');

/** Text as senders write it: ASCII mostly, with accents, CJK and astral characters (never a lone surrogate). */
function text(random: Random, length: number): string {
  const alphabets = ['abcdefghijklmnopqrstuvwxyz0123456789 _-.,:', 'éüçñøß', '日本語中文', '😀🚀🧾', '"\\\n\t'];
  let out = '';
  for (let i = 0; i < length; i++) out += pick(random, [...pick(random, alphabets)]);
  return out;
}

function body(random: Random, scheme: SchemeName, id: string): string {
  const note = text(random, int(random, 0, 400));
  switch (scheme) {
    case 'stripe':
      return JSON.stringify({ id, object: 'event', type: 'invoice.paid', data: { object: { note } } });
    case 'slack':
      return JSON.stringify({ type: 'event_callback', event_id: id, event: { type: 'message', text: note } });
    case 'standard-webhooks':
      return JSON.stringify({ type: 'invoice.paid', timestamp: new Date().toISOString(), data: { note } });
    default:
      return JSON.stringify({ action: 'opened', note });
  }
}

function secretFor(random: Random, scheme: SchemeName): string {
  switch (scheme) {
    case 'stripe':
      return `whsec_${hexOf(random, 32)}`;
    case 'standard-webhooks':
      return `whsec_${base64Of(random, 24)}`;
    case 'shopify':
      return `shpss_${hexOf(random, 32)}`;
    case 'slack':
      return hexOf(random, 32);
    case 'github':
      // Any characters: commas and spaces included.
      return text(random, int(random, 8, 40)).replace(/[\n\t"\\]/g, '') || 'github-secret';
  }
}

/** Header names as a sender (or a proxy) might case them. */
function recase(random: Random, name: string): string {
  return pick(random, [name, name.toLowerCase(), name.toUpperCase(), [...name].map((c) => (random() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join('')]);
}

const SIGNATURE_HEADER: Record<SchemeName, string> = {
  stripe: 'Stripe-Signature',
  github: 'X-Hub-Signature-256',
  'standard-webhooks': 'webhook-signature',
  shopify: 'X-Shopify-Hmac-Sha256',
  slack: 'X-Slack-Signature',
};
const TIMESTAMPED: Record<SchemeName, boolean> = { stripe: true, github: false, 'standard-webhooks': true, shopify: false, slack: true };

const COMMON_FAMILIES = ['valid', 'wrong secret', 'tampered body', 'header casing', 'base64 body', 'rotation: several secrets, one right', 'malformed signature', 'missing signature'];
const TIMESTAMP_FAMILIES = ['at tolerance, past', 'at tolerance, future', 'past tolerance, past', 'past tolerance, future', 'timestamp anywhere', 'odd timestamp text'];
const MULTI_SIGNATURE_FAMILIES = ['several signatures, one valid', 'several signatures, none valid'];

export function familiesOf(scheme: SchemeName): string[] {
  return [
    ...COMMON_FAMILIES,
    ...(TIMESTAMPED[scheme] ? TIMESTAMP_FAMILIES : []),
    ...(scheme === 'stripe' || scheme === 'standard-webhooks' ? MULTI_SIGNATURE_FAMILIES : []),
    ...(scheme === 'stripe' ? [] : ['empty body']),
    // Stripe's verifier is today's, unchanged: where its header parsing differs from stripe-node
    // (spaces around t= and v1=, upper-case hex, t= that is not all digits, an empty body) is
    // pinned in test/stripe-signature.test.ts rather than drawn here.
  ].filter((family) => !(scheme === 'stripe' && (family === 'odd timestamp text' || family === 'malformed signature')));
}

/** Malformed forms of a valid signature value: what no library should accept, or accepts for its own reasons. */
function malformed(random: Random, scheme: SchemeName, valid: string): string {
  const mutations: Array<(value: string) => string> = [
    (value) => value.toUpperCase(),
    (value) => value.slice(0, -1),
    (value) => `${value}0`,
    (value) => value.replace(/^[^=,]*[=,]/, ''),
    (value) => value.replace(/^([^=,]*)([=,])/, '$1 $2'),
    () => pick(random, ['garbage', '=', ',', 'sha256=', 'v0=', 'v1,', 't=,v1=']),
  ];
  if (scheme === 'slack') mutations.push((value) => `${value}=tail`, (value) => value.replace('v0=', 'v1='));
  if (scheme === 'standard-webhooks') mutations.push((value) => `v1a,${value.slice(3)}`, (value) => `${value}  v2,abc`, (value) => value.replace('=', ''));
  if (scheme === 'github') mutations.push((value) => value.replace('sha256=', 'sha1='));
  return pick(random, mutations)(valid);
}

/** Timestamp header texts that are not plain seconds, each read by the scheme's library its own way. */
function oddTimestamp(random: Random, seconds: number): string {
  return pick(random, [` ${seconds}`, `${seconds}abc`, `+${seconds}`, `0${seconds}`, `${seconds}.0`, `${seconds}.5`, `${seconds}e0`, '', 'abc', '-1', `${seconds * 1000}`, '0x10']);
}

export async function senderCase(scheme: SchemeName, family: string, random: Random): Promise<SenderCase> {
  const nowMs = 1_790_000_000_000 + int(random, 0, 10_000_000) * 1000 + int(random, 0, 999);
  const now = Math.floor(nowMs / 1000);
  const secret = secretFor(random, scheme);
  const id = scheme === 'slack' ? `Ev${hexOf(random, 10).toUpperCase()}` : scheme === 'stripe' ? `evt_${hexOf(random, 16)}` : randomUUID();
  let payload = family === 'empty body' ? '' : body(random, scheme, id);
  let timestamp = now - int(random, 0, 60);
  let timestampText: string | undefined;
  switch (family) {
    case 'at tolerance, past':
      timestamp = now - TOLERANCE_SECONDS;
      break;
    case 'at tolerance, future':
      timestamp = now + TOLERANCE_SECONDS;
      break;
    case 'past tolerance, past':
      timestamp = now - TOLERANCE_SECONDS - int(random, 1, 3);
      break;
    case 'past tolerance, future':
      timestamp = now + TOLERANCE_SECONDS + int(random, 1, 3);
      break;
    case 'timestamp anywhere':
      timestamp = now + int(random, -3 * TOLERANCE_SECONDS, 3 * TOLERANCE_SECONDS);
      break;
    case 'odd timestamp text':
      timestampText = oddTimestamp(random, timestamp);
      break;
  }
  const signWith = family === 'wrong secret' ? secretFor(random, scheme) : secret;
  // The text a library signs with is the header's number as that library reads it.
  const signedTimestamp = timestampText === undefined ? timestamp : scheme === 'slack' ? Number(timestampText) : parseInt(timestampText, 10);
  const messageId = `msg_${hexOf(random, 20)}`;
  let signature = await signatureFor(scheme, payload, signWith, Number.isFinite(signedTimestamp) ? signedTimestamp : timestamp, messageId, timestampText);
  if (family === 'malformed signature') signature = malformed(random, scheme, signature);
  if (family === 'several signatures, one valid' || family === 'several signatures, none valid') {
    const others = await Promise.all(Array.from({ length: int(random, 1, 3) }, () => signatureFor(scheme, payload, secretFor(random, scheme), timestamp, messageId, undefined)));
    const pool = family === 'several signatures, one valid' ? [signature, ...others] : others;
    signature = joinSignatures(scheme, pool.sort(() => random() - 0.5), timestamp);
  }
  if (family === 'tampered body') payload = tamper(random, payload);
  const headers = headersFor(scheme, signature, timestampText ?? String(timestamp), messageId, id);
  if (family === 'missing signature') delete headers[SIGNATURE_HEADER[scheme]];
  const cased = family === 'header casing' || random() < 0.3 ? Object.fromEntries(Object.entries(headers).map(([name, value]) => [recase(random, name), value])) : headers;
  const secrets = family === 'rotation: several secrets, one right' ? [secretFor(random, scheme), secret, secretFor(random, scheme)] : [secret];
  return {
    scheme,
    family,
    payload,
    base64: family === 'base64 body' || random() < 0.3,
    headers: cased,
    secrets,
    nowMs,
    ...(TIMESTAMPED[scheme] ? { timestamp: signedTimestamp } : {}),
  };
}

async function signatureFor(scheme: SchemeName, payload: string, secret: string, timestamp: number, messageId: string, timestampText: string | undefined): Promise<string> {
  // Stripe's header carries its own timestamp: an odd text goes into t= as it is. Octokit's signer
  // refuses an empty body (its verifier never accepts one), so that one is signed as GitHub documents.
  const value =
    scheme === 'github' && payload === ''
      ? `sha256=${createHmac('sha256', secret).digest('hex')}`
      : await librarySignature[scheme](payload, secret, timestamp, messageId);
  return scheme === 'stripe' && timestampText !== undefined ? value.replace(/^t=\d+/, `t=${timestampText}`) : value;
}

function joinSignatures(scheme: SchemeName, values: string[], timestamp: number): string {
  if (scheme === 'stripe') return [`t=${timestamp}`, ...values.map((value) => value.split(',')[1])].join(',');
  return values.join(' ');
}

function tamper(random: Random, payload: string): string {
  if (payload === '') return 'x';
  const chars = [...payload];
  const at = int(random, 0, chars.length - 1);
  chars[at] = chars[at] === 'a' ? 'b' : 'a';
  return chars.join('');
}

function headersFor(scheme: SchemeName, signature: string, timestamp: string, messageId: string, id: string): Record<string, string> {
  switch (scheme) {
    case 'stripe':
      return { 'Stripe-Signature': signature };
    case 'github':
      return { 'X-Hub-Signature-256': signature, 'X-GitHub-Delivery': id, 'X-GitHub-Event': 'pull_request' };
    case 'standard-webhooks':
      return { 'webhook-id': messageId, 'webhook-timestamp': timestamp, 'webhook-signature': signature };
    case 'shopify':
      return {
        'X-Shopify-Hmac-Sha256': signature,
        'X-Shopify-Topic': 'orders/create',
        'X-Shopify-Shop-Domain': 'example.myshopify.com',
        'X-Shopify-API-Version': '2025-10',
        'X-Shopify-Webhook-Id': id,
        'X-Shopify-Event-Id': `${id}-event`,
      };
    case 'slack':
      return { 'X-Slack-Signature': signature, 'X-Slack-Request-Timestamp': timestamp };
  }
}
