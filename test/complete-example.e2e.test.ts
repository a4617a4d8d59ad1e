// examples/complete as published (customer managed keys on queue, table, secret and logs, the
// functions in a VPC, the account-level settings, alarms, a filtered and concurrency-limited
// mapping), deployed to the local AWS endpoint with override files only
// (local-runtime/staged-example.ts) and run end to end under its checks: every call of the
// functions and of the mapping evaluated against what the example deployed. Its webhooks must
// all be stored, on their own traces, with nothing refused.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deployLocalStack, storedItems, waitUntil, type LocalStack } from '../local-runtime/local-stack';
import { readSpanFile, type SpanRecord } from '../local-runtime/span-file';
import { postWebhook, stripeEvent } from '../local-runtime/webhook-client';
import { ROOT } from './support/bundle';

jest.setTimeout(300_000);

const run = Date.now().toString(36);
const NAME = `cx-${run}`;

describe('examples/complete, end to end on the strict local AWS', () => {
  let stack: LocalStack;
  const eventIds = Array.from({ length: 12 }, (_, i) => `evt_complete_${run}_${i}`);
  let stored = false;
  let spans: SpanRecord[] = [];

  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--local-runtime'], { cwd: ROOT, stdio: 'pipe' });
    stack = await deployLocalStack({
      root: ROOT,
      workDir: mkdtempSync(join(tmpdir(), 'complete-')),
      name: NAME,
      enforce: true,
      // The example's region names its VPC endpoints' services and its logs key's principal.
      vars: { region: 'us-east-1' },
      example: {
        name: 'complete',
        extraOutputs: {
          producer_function_name: 'module.webhook.producer_function_name',
          consumer_function_name: 'module.webhook.consumer_function_name',
          api_id: 'module.webhook.api_id',
          kms_key_arn: 'aws_kms_key.data.arn',
        },
      },
    });
    const responses = await Promise.all(eventIds.map((id) => postWebhook(stack.pipeline.webhookUrl, stripeEvent(id, 'invoice.paid'), stack.signingSecret)));
    expect(responses.map((response) => response.status)).toEqual(eventIds.map(() => 200));
    stored = await waitUntil(
      async () => {
        const items = await storedItems(stack.clients.dynamodb, stack.outputs.table_name);
        return eventIds.every((id) => items.has(id));
      },
      { timeoutMs: 90_000, intervalMs: 1000 },
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    spans = readSpanFile(stack.spansFile);
  }, 300_000);

  afterAll(async () => {
    // The emulator goes with everything deployed to it: no destroy needed (the end-to-end test checks destroy).
    await stack?.stop({ destroy: false });
  }, 180_000);

  it('stores every webhook in the table encrypted with the example key, refusing nothing on the way', () => {
    const refusal = (denial: (typeof stack.localAws.denials)[number]) => `${denial.principal}: ${denial.message.replace(/Request ID: [0-9a-f-]+/, 'Request ID: …')}`;
    expect({ stored, denials: [...new Set(stack.localAws.denials.map(refusal))], refusals: stack.localAws.refusals }).toEqual({ stored: true, denials: [], refusals: [] });
    expect(stack.pipeline.stage.tracingEnabled).toBe(true);
  });

  it("puts each record's span, and the item's trace id, on the trace of the request that sent it", async () => {
    const items = await storedItems(stack.clients.dynamodb, stack.outputs.table_name);
    for (const id of eventIds) {
      const send = spans.find((span) => span.kind === 'PRODUCER' && span.attributes['webhook.event_id'] === id);
      const record = spans.find((span) => span.name === 'process-webhook' && span.attributes['webhook.event_id'] === id);
      expect({ id, send: send?.sampled, record: record?.traceId, item: items.get(id)?.traceId }).toEqual({ id, send: true, record: send?.traceId, item: send?.traceId });
    }
  });
});
