// Each sender's own library, as the oracle of the differential tests and the signer of their
// vectors where it has one. None of them is in a Lambda bundle (devDependencies only).
import { verifySlackRequest } from '@slack/bolt';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import type { SchemeName } from '../../functions/producer/senders';
import { ROOT } from './bundle';
import { loadEsmPackage } from './esm-package';

/** The part of @octokit/webhooks-methods used here (ES module only: loaded through esbuild). */
interface OctokitWebhooksMethods {
  sign(secret: string, payload: string): Promise<string>;
  verifyWithFallback(secret: string, payload: string, signature: string, additionalSecrets?: string[]): Promise<boolean>;
}
/**
 * The part of @shopify/shopify-api used here, required rather than imported: its published
 * types are TypeScript sources that need the DOM library to type-check.
 */
interface ShopifyApi {
  webhooks: { validate(args: { rawBody: string; rawRequest: Request }): Promise<{ valid: boolean }> };
}
interface ShopifyModule {
  shopifyApi(config: Record<string, unknown>): ShopifyApi;
  ApiVersion: Record<string, string>;
  LogSeverity: Record<string, number>;
}
// The Web API adapter (Request and fetch as Node 20 has them) must be loaded before the library is used.
require('@shopify/shopify-api/adapters/web-api');
const { shopifyApi, ApiVersion, LogSeverity } = require('@shopify/shopify-api') as ShopifyModule;

const octokit = loadEsmPackage<OctokitWebhooksMethods>(join(ROOT, 'node_modules/@octokit/webhooks-methods/dist-node/index.js'));
const stripe = new Stripe('sk_test_vectors_only');

/** A request as a receiver framework hands it to a library: the body as text, header values by name. */
export interface LibraryRequest {
  payload: string;
  /** Header names as sent (any case). */
  headers: Record<string, string>;
  secrets: readonly string[];
  nowMs: number;
}

/** A header's value whatever the case of its name, as Node's HTTP server (lower-casing names) gives it to a framework. */
export const headerOf = (headers: Record<string, string>, name: string): string | undefined =>
  Object.entries(headers).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];

const accepts = async (check: () => unknown): Promise<boolean> => {
  try {
    return (await check()) !== false;
  } catch {
    return false;
  }
};
const anySecret = async (secrets: readonly string[], check: (secret: string) => unknown) => {
  for (const secret of secrets) if (await accepts(() => check(secret))) return true;
  return false;
};

const shopifyBySecret = new Map<string, ShopifyApi>();
function shopifyFor(secret: string): ShopifyApi {
  let api = shopifyBySecret.get(secret);
  if (!api) {
    api = shopifyApi({
      apiKey: 'differential-test',
      apiSecretKey: secret,
      scopes: [],
      hostName: 'localhost',
      apiVersion: ApiVersion.October25,
      isEmbeddedApp: false,
      logger: { level: LogSeverity.Error, log: async () => undefined },
    });
    shopifyBySecret.set(secret, api);
  }
  return api;
}

/** Whether the sender's own library accepts the request with any of the secrets. */
export const libraryVerdict: Record<SchemeName, (request: LibraryRequest) => Promise<boolean>> = {
  // stripe-node: any v1 with the secret, stale beyond the tolerance refused (a future timestamp is not).
  stripe: ({ payload, headers, secrets, nowMs }) => anySecret(secrets, (secret) => stripe.webhooks.signature!.verifyHeader(payload, headerOf(headers, 'stripe-signature') ?? '', secret, 300, undefined, nowMs)),
  github: ({ payload, headers, secrets }) => accepts(() => octokit.verifyWithFallback(secrets[0] ?? '', payload, headerOf(headers, 'x-hub-signature-256') ?? '', [...secrets.slice(1)])),
  // Its verify reads Date.now(): the caller pins the clock (jest.spyOn) around it.
  'standard-webhooks': ({ payload, headers, secrets }) => anySecret(secrets, (secret) => new Webhook(secret).verify(payload, headers, { jsonParse: false })),
  shopify: ({ payload, headers, secrets }) =>
    anySecret(secrets, async (secret) => (await shopifyFor(secret).webhooks.validate({ rawBody: payload, rawRequest: new Request('https://example.com/webhooks/shopify', { method: 'POST', headers }) })).valid),
  // As Bolt's own HTTP receiver calls it: the timestamp header through Number().
  slack: ({ payload, headers, secrets, nowMs }) =>
    anySecret(secrets, (secret) =>
      verifySlackRequest({
        signingSecret: secret,
        body: payload,
        headers: { 'x-slack-signature': headerOf(headers, 'x-slack-signature') as string, 'x-slack-request-timestamp': Number(headerOf(headers, 'x-slack-request-timestamp')) },
        nowMilliseconds: nowMs,
      }),
    ),
};

/** A valid signature header value, made by the sender's library where it has a signer, else as the sender documents it. */
export const librarySignature: Record<SchemeName, (payload: string, secret: string, timestamp: number, messageId: string) => Promise<string>> = {
  stripe: async (payload, secret, timestamp) => stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp }),
  github: (payload, secret) => octokit.sign(secret, payload),
  'standard-webhooks': async (payload, secret, timestamp, messageId) => new Webhook(secret).sign(messageId, new Date(timestamp * 1000), payload),
  // Neither Shopify's nor Slack's library exports a signer: their documented algorithms.
  shopify: async (payload, secret) => createHmac('sha256', secret).update(payload, 'utf8').digest('base64'),
  slack: async (payload, secret, timestamp) => `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${payload}`, 'utf8').digest('hex')}`,
};
