// Several senders in one producer: each source on its own route with its own scheme and secret,
// its event's identity read where its sender puts it, carried with the message; bad input a 4xx
// with a reason (an unknown source a 404), never enqueued. Against the emulator's SQS and Secrets
// Manager, with the real OpenTelemetry SDK.
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { loadProducerConfig } from '../functions/producer/config';
import { createProducerHandler, type ProducerHandler } from '../functions/producer/producer';
import { SENDERS, type SchemeName } from '../functions/producer/senders';
import { SigningSecrets } from '../functions/producer/signing-secrets';
import type { WebhookSource } from '../functions/producer/webhook-sources';
import { createLogger, type LogFields } from '../functions/lib/logger';
import { createHmac } from 'node:crypto';
import { newSigningSecret, signedWebhook, slackUrlVerification, type SenderEvent } from '../local-runtime/webhook-senders';
import { createQueue, createSecret, receiveAll, rotateSecret, secretsClient, sqsClient } from './support/aws';
import { httpApiEvent, restEvent, sourceEvent } from './support/http-events';
import { installOtel, type OtelHarness } from './support/otel';

/** One source per scheme, named as a team might (Stripe's second account on its own route). */
const SOURCES: Record<string, SchemeName> = { 'stripe-eu': 'stripe', github: 'github', svix: 'standard-webhooks', shopify: 'shopify', slack: 'slack' };
const EVENTS: Record<SchemeName, SenderEvent> = {
  stripe: { id: 'evt_eu_1', type: 'invoice.paid' },
  github: { id: '8d5c9a30-2f6a-11f0-9a3b-5b0c2d1e0f11', type: 'pull_request.opened' },
  'standard-webhooks': { id: 'msg_2p9qVZ3lYbG1', type: 'invoice.created' },
  shopify: { id: '98880550-7158-44d4-b7cd-2c97c8a091b5', type: 'orders/create' },
  slack: { id: 'Ev0PV52K25', type: 'app_mention' },
};

interface LogLine extends LogFields {
  level: string;
  message: string;
}

describe('producer with several sources, against the emulator', () => {
  let otel: OtelHarness;
  let sqs: SQSClient;
  let secretsManager: SecretsManagerClient;
  let queue: { url: string; name: string };
  const secrets = new Map<string, string>();
  const secretArns = new Map<string, string>();
  let reads: string[];
  let lines: LogLine[];
  let clock: number;

  function makeHandler(env: Record<string, string> = {}): ProducerHandler {
    const sources = Object.fromEntries(Object.entries(SOURCES).map(([name, scheme]) => [name, { scheme, secretArn: secretArns.get(name) }]));
    const config = loadProducerConfig({ QUEUE_URL: queue.url, WEBHOOK_SECRET_ARN: secretArns.get('stripe') as string, WEBHOOK_SOURCES: JSON.stringify(sources), ...env });
    const cache = new Map<string, SigningSecrets>();
    const secretsOf = (source: WebhookSource) => {
      const existing = cache.get(source.name);
      if (existing) return existing;
      const read = async () => {
        reads.push(source.name);
        return (await secretsManager.send(new GetSecretValueCommand({ SecretId: source.secretArn }))).SecretString ?? '';
      };
      const created = new SigningSecrets(read, 60_000, () => clock, source.scheme === 'none' ? undefined : SENDERS[source.scheme].parseSecrets);
      cache.set(source.name, created);
      return created;
    };
    const sink = (line: string) => void lines.push(JSON.parse(line) as LogLine);
    return createProducerHandler({
      config,
      sqs,
      secrets: config.defaultSource?.scheme === 'stripe' ? secretsOf(config.defaultSource) : undefined,
      sourceSecrets: secretsOf,
      logger: createLogger({ component: 'producer' }, sink),
      now: () => clock,
    });
  }
  const queued = () => receiveAll(sqs, queue.url);
  const post = (handler: ProducerHandler, source: string, signed: { body: string; headers: Record<string, string> }) => handler(sourceEvent(source, signed.body, signed.headers));

  beforeAll(async () => {
    otel = installOtel(['xray']);
    sqs = sqsClient();
    secretsManager = secretsClient();
    for (const [name, scheme] of [['stripe', 'stripe'] as const, ...Object.entries(SOURCES)]) {
      const secret = newSigningSecret(scheme);
      secrets.set(name, secret);
      secretArns.set(name, await createSecret(secretsManager, scheme === 'github' ? JSON.stringify(['an old secret', secret]) : secret));
    }
  });
  afterAll(async () => otel.shutdown());
  beforeEach(async () => {
    otel.reset();
    clock = Date.now();
    reads = [];
    lines = [];
    queue = await createQueue(sqs);
  });

  it.each(Object.entries(SOURCES))('200 for a %s (%s) webhook: queued as signed, its identity and source in the attributes and on the span; only its own secret read', async (name, scheme) => {
    const event = EVENTS[scheme];
    const signed = signedWebhook(scheme, secrets.get(name) as string, event);
    const response = await post(makeHandler(), name, signed);
    expect(response.statusCode).toBe(200);
    const answer = JSON.parse(response.body);
    expect(answer).toEqual({ received: true, source: name, eventId: event.id, messageId: expect.any(String) });
    const [message, ...rest] = await queued();
    expect(rest).toEqual([]);
    expect(message!.Body).toBe(signed.body);
    const attributes = Object.fromEntries(Object.entries(message!.MessageAttributes ?? {}).map(([key, value]) => [key, value.StringValue]));
    expect(attributes).toEqual({
      'webhook-body-encoding': 'verbatim',
      'webhook-source': name,
      'webhook-event-id': event.id,
      'webhook-event-type': event.type,
      'x-amzn-trace-id': expect.stringMatching(/^Root=1-/),
    });
    const [span] = otel.spansNamed(`send ${queue.name}`);
    expect(span!.attributes).toMatchObject({ 'webhook.source': name, 'webhook.event_id': event.id, 'webhook.type': event.type });
    expect(reads).toEqual([name]);
    expect(lines.find((line) => line.message === 'webhook enqueued')).toMatchObject({ source: name, eventId: event.id, type: event.type });
  });

  it('keeps /webhook as it was: the stripe source, no identity attributes, the answer without a source', async () => {
    const event = { id: 'evt_default_1', type: 'invoice.paid' };
    const signed = signedWebhook('stripe', secrets.get('stripe') as string, event);
    const response = await makeHandler()(restEvent(signed.body, signed.headers));
    expect(JSON.parse(response.body)).toEqual({ received: true, eventId: event.id, messageId: expect.any(String) });
    const [message] = await queued();
    expect(Object.keys(message!.MessageAttributes ?? {}).sort()).toEqual(['webhook-body-encoding', 'webhook-source', 'x-amzn-trace-id']);
    expect(message!.MessageAttributes?.['webhook-source']?.StringValue).toBe('stripe');
    expect(reads).toEqual(['stripe']);
  });

  it('404 for a source no one configured, logged under requestedSource (never a metric dimension), nothing read or queued', async () => {
    const signed = signedWebhook('github', secrets.get('github') as string, EVENTS.github);
    const response = await post(makeHandler(), 'gitlab', signed);
    expect(response).toMatchObject({ statusCode: 404, body: JSON.stringify({ error: 'unknown source' }) });
    expect(await queued()).toEqual([]);
    expect(reads).toEqual([]);
    expect(lines).toEqual([expect.objectContaining({ level: 'WARN', message: 'webhook rejected: unknown source', status: 404, requestedSource: 'gitlab' })]);
    expect(lines[0]).not.toHaveProperty('source');
  });

  it('404 on /webhook when it serves no source (WEBHOOK_VERIFICATION off), the sources still served', async () => {
    const handler = makeHandler({ WEBHOOK_VERIFICATION: 'off' });
    const stripeSigned = signedWebhook('stripe', secrets.get('stripe') as string, { id: 'evt_off', type: 'invoice.paid' });
    expect(JSON.parse((await handler(restEvent(stripeSigned.body, stripeSigned.headers))).body)).toEqual({ error: 'no source on /webhook' });
    expect((await post(handler, 'github', signedWebhook('github', secrets.get('github') as string, EVENTS.github))).statusCode).toBe(200);
  });

  it.each(Object.entries(SOURCES))('401 for a %s (%s) webhook signed with another secret, or sent to another source\'s route; nothing queued', async (name, scheme) => {
    const forged = signedWebhook(scheme, newSigningSecret(scheme), EVENTS[scheme]);
    expect((await post(makeHandler(), name, forged)).statusCode).toBe(401);
    // Signed right, but for another route: that route's scheme and secret decide.
    const other = name === 'github' ? 'shopify' : 'github';
    expect((await post(makeHandler(), other, signedWebhook(scheme, secrets.get(name) as string, EVENTS[scheme]))).statusCode).toBe(401);
    expect(await queued()).toEqual([]);
  });

  it.each([
    ['github', 'without X-GitHub-Delivery', (w: { headers: Record<string, string> }) => delete w.headers['X-GitHub-Delivery'], 'missing X-GitHub-Delivery header'],
    ['github', 'without X-GitHub-Event', (w: { headers: Record<string, string> }) => delete w.headers['X-GitHub-Event'], 'missing X-GitHub-Event header'],
    ['shopify', 'without X-Shopify-Topic', (w: { headers: Record<string, string> }) => delete w.headers['X-Shopify-Topic'], 'missing X-Shopify-Topic header'],
    ['shopify', 'with neither id header', (w: { headers: Record<string, string> }) => (delete w.headers['X-Shopify-Event-Id'], delete w.headers['X-Shopify-Webhook-Id']), 'missing X-Shopify-Event-Id and X-Shopify-Webhook-Id headers'],
  ] as const)('400 for a %s webhook %s (the signature is fine: the headers carrying identity are not signed)', async (name, _label, strip, reason) => {
    const signed = signedWebhook(SOURCES[name] as SchemeName, secrets.get(name) as string, EVENTS[SOURCES[name] as SchemeName]);
    strip(signed);
    const response = await post(makeHandler(), name, signed);
    expect({ status: response.statusCode, body: JSON.parse(response.body) }).toEqual({ status: 400, body: { error: reason } });
    expect(await queued()).toEqual([]);
  });

  it('takes a Shopify event id from X-Shopify-Webhook-Id when the delivery has no X-Shopify-Event-Id', async () => {
    const signed = signedWebhook('shopify', secrets.get('shopify') as string, EVENTS.shopify);
    delete signed.headers['X-Shopify-Event-Id'];
    const response = await post(makeHandler(), 'shopify', signed);
    expect(JSON.parse(response.body).eventId).toBe(signed.headers['X-Shopify-Webhook-Id']);
  });

  it('400 for a signed body without the identity its sender puts there', async () => {
    const cases: Array<[string, SchemeName, string, string]> = [
      ['svix', 'standard-webhooks', JSON.stringify({ data: {} }), 'event must have a string type'],
      ['slack', 'slack', JSON.stringify({ type: 'event_callback', event: { type: 'message' } }), 'event must have string event_id and event.type'],
      ['github', 'github', 'not json', 'body is not valid JSON'],
      ['stripe-eu', 'stripe', JSON.stringify({ type: 'invoice.paid' }), 'event must have string id and type'],
    ];
    for (const [name, scheme, body, reason] of cases) {
      const signed = signedWebhook(scheme, secrets.get(name) as string, EVENTS[scheme]);
      const resigned = resign(scheme, secrets.get(name) as string, body, signed.headers);
      const response = await post(makeHandler(), name, resigned);
      expect({ name, status: response.statusCode, body: JSON.parse(response.body) }).toEqual({ name, status: 400, body: { error: reason } });
    }
    expect(await queued()).toEqual([]);
  });

  it('answers Slack’s url_verification with its challenge after verifying the signature, and never enqueues it', async () => {
    const handler = makeHandler();
    const ok = await post(handler, 'slack', slackUrlVerification(secrets.get('slack') as string, 'challenge-3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P'));
    expect({ status: ok.statusCode, body: JSON.parse(ok.body), type: ok.headers?.['content-type'] }).toEqual({
      status: 200,
      body: { challenge: 'challenge-3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' },
      type: 'application/json',
    });
    expect((await post(handler, 'slack', slackUrlVerification(newSigningSecret('slack'), 'forged'))).statusCode).toBe(401);
    expect(await queued()).toEqual([]);
    expect(lines.filter((line) => line.message === 'webhook handshake answered')).toEqual([expect.objectContaining({ source: 'slack', what: 'url_verification' })]);
  });

  it('verifies the bytes of a base64 body with lower-cased headers (an HTTP API)', async () => {
    const signed = signedWebhook('standard-webhooks', secrets.get('svix') as string, { ...EVENTS['standard-webhooks'], data: { note: 'ünïcödé 日本 🚀' } });
    const event = { ...httpApiEvent(signed.body, signed.headers, true), pathParameters: { source: 'svix' } };
    expect((await makeHandler()(event)).statusCode).toBe(200);
    expect((await queued())[0]!.Body).toBe(signed.body);
  });

  it('refuses timestamps outside the tolerance both ways for the schemes that sign one', async () => {
    const now = Math.floor(clock / 1000);
    for (const [name, scheme] of [['svix', 'standard-webhooks'], ['slack', 'slack'], ['stripe-eu', 'stripe']] as const) {
      for (const offset of [-301, 301]) {
        const response = await post(makeHandler(), name, signedWebhook(scheme, secrets.get(name) as string, EVENTS[scheme], now + offset));
        expect({ name, offset, answer: JSON.parse(response.body) }).toEqual({ name, offset, answer: { error: 'timestamp outside tolerance' } });
      }
      expect((await post(makeHandler(), name, signedWebhook(scheme, secrets.get(name) as string, EVENTS[scheme], now - 300))).statusCode).toBe(200);
    }
  });

  it('stores ids per source: the same id from two senders is two keys; a /webhook id that begins with a source prefix is refused', async () => {
    const id = 'shared-id-0001';
    const handler = makeHandler();
    expect((await post(handler, 'github', signedWebhook('github', secrets.get('github') as string, { id, type: 'push' }))).statusCode).toBe(200);
    expect((await post(handler, 'svix', signedWebhook('standard-webhooks', secrets.get('svix') as string, { id, type: 'push' }))).statusCode).toBe(200);
    const sources = (await queued()).map((message) => `${message.MessageAttributes?.['webhook-source']?.StringValue}#${message.MessageAttributes?.['webhook-event-id']?.StringValue}`);
    expect(sources.sort()).toEqual([`github#${id}`, `svix#${id}`]);
    const colliding = signedWebhook('stripe', secrets.get('stripe') as string, { id: `github#${id}`, type: 'invoice.paid' });
    expect(JSON.parse((await handler(restEvent(colliding.body, colliding.headers))).body)).toEqual({ error: 'event id must not begin with "github#", the prefix of the github source\'s events' });
  });

  it('400 for an id whose key <source>#<id> would pass DynamoDB’s 2,048 bytes', async () => {
    const long = 'x'.repeat(2048 - 'github#'.length + 1);
    const response = await post(makeHandler(), 'github', signedWebhook('github', secrets.get('github') as string, { id: long, type: 'push' }));
    expect(JSON.parse(response.body)).toEqual({ error: `event id longer than ${2048 - 'github#'.length} bytes` });
  });

  it('accepts a rotated GitHub secret (a JSON array of several) after a miss, re-reading at most once a minute', async () => {
    const handler = makeHandler();
    expect((await post(handler, 'github', signedWebhook('github', 'an old secret', EVENTS.github))).statusCode).toBe(200);
    const rotated = 'a new secret, with a comma';
    await rotateSecret(secretsManager, secretArns.get('github') as string, JSON.stringify([secrets.get('github'), rotated]));
    const next = signedWebhook('github', rotated, { ...EVENTS.github, id: 'after-rotation' });
    clock += 30_000;
    expect((await post(handler, 'github', next)).statusCode).toBe(401);
    clock += 31_000;
    expect((await post(handler, 'github', next)).statusCode).toBe(200);
    expect(reads).toEqual(['github', 'github']);
    await rotateSecret(secretsManager, secretArns.get('github') as string, JSON.stringify(['an old secret', secrets.get('github')]));
  });

  it('503 (a retry can fix it) when a source’s secret is malformed for its scheme, naming the secret in the log', async () => {
    const broken = await createSecret(secretsManager, 'whsec_not base64!');
    const handler = makeHandler({ WEBHOOK_SOURCES: JSON.stringify({ svix: { scheme: 'standard-webhooks', secretArn: broken } }) });
    const response = await post(handler, 'svix', signedWebhook('standard-webhooks', secrets.get('svix') as string, EVENTS['standard-webhooks']));
    expect({ status: response.statusCode, body: JSON.parse(response.body) }).toEqual({ status: 503, body: { error: 'verification unavailable' } });
    expect(lines.find((line) => line.level === 'ERROR')).toMatchObject({ message: 'webhook signing secret could not be read', secretArn: broken, source: 'svix' });
  });
});

/** The same request with another body, signed again with the scheme (the identity headers kept). */
function resign(scheme: SchemeName, secret: string, body: string, headers: Record<string, string>): { body: string; headers: Record<string, string> } {
  const timestamp = Number(headers['webhook-timestamp'] ?? headers['X-Slack-Request-Timestamp'] ?? Math.floor(Date.now() / 1000));
  const fresh = signedWebhook(scheme, secret, { id: 'unused', type: 'unused' }, timestamp);
  const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text);
  const signature: Record<SchemeName, [string, string]> = {
    stripe: ['Stripe-Signature', `t=${timestamp},v1=${hmac(secret, `${timestamp}.${body}`).digest('hex')}`],
    github: ['X-Hub-Signature-256', `sha256=${hmac(secret, body).digest('hex')}`],
    'standard-webhooks': ['webhook-signature', `v1,${hmac(Buffer.from(secret.replace('whsec_', ''), 'base64'), `${headers['webhook-id']}.${timestamp}.${body}`).digest('base64')}`],
    shopify: ['X-Shopify-Hmac-Sha256', hmac(secret, body).digest('base64')],
    slack: ['X-Slack-Signature', `v0=${hmac(secret, `v0:${timestamp}:${body}`).digest('hex')}`],
  };
  const [name, value] = signature[scheme];
  return { body, headers: { ...fresh.headers, ...headers, [name]: value } };
}
