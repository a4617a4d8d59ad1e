// examples/custom-consumer: a team's own consumer built on the packaged library by its own small
// build, run against the emulator, then deployed (planned) through the root module's
// consumer_package_path, consumer_environment_variables and consumer_policy_statements.
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeSha256 } from '../local-runtime/function-package';
import { awsClientConfig } from '../local-runtime/local-pipeline';
import { TerraformWorkspace } from '../local-runtime/terraform';
import { ROOT, readZip, runInTaskProcess, unpackFunction } from './support/bundle';

jest.setTimeout(300_000);

const EXAMPLE = join(ROOT, 'examples/custom-consumer');
const ZIP = join(EXAMPLE, 'dist/consumer.zip');

const record = (messageId: string, eventId: string, type: string) => ({
  messageId,
  receiptHandle: messageId,
  body: JSON.stringify({ eventId, type, receivedAt: '2026-12-01T00:00:00.000Z', payload: { data: { object: { id: `in_${eventId}`, amount_due: 4200, currency: 'eur' } } } }),
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1764547200000', SenderId: 'x', ApproximateFirstReceiveTimestamp: '1764547200000' },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:webhook-invoices',
  awsRegion: 'us-east-1',
});

describe('examples/custom-consumer', () => {
  let endpoint: string;
  let work: string;

  beforeAll(() => {
    endpoint = process.env.MOTO_ENDPOINT as string;
    work = mkdtempSync(join(tmpdir(), 'custom-consumer-'));
    // Its own npm ci and build (incremental: make skips it when the zip is current).
    execFileSync('make', ['--no-print-directory', 'examples/custom-consumer/dist/consumer.zip'], { cwd: ROOT, stdio: 'pipe' });
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('bundles the packaged library (not the repository sources) with @opentelemetry/api 1.9.x, the AWS SDK external', async () => {
    expect([...(await readZip(ZIP)).keys()]).toEqual(['index.js']);
    const installed = JSON.parse(readFileSync(join(EXAMPLE, 'node_modules/@webhook-tracing/sqs-otel/package.json'), 'utf8'));
    const library = JSON.parse(readFileSync(join(ROOT, 'functions/lib/package.json'), 'utf8'));
    expect(installed.version).toBe(library.version);
    // The example's lockfile agrees with what the library declares (npm ci would not notice).
    const locked = JSON.parse(readFileSync(join(EXAMPLE, 'package-lock.json'), 'utf8')).packages['node_modules/@webhook-tracing/sqs-otel'];
    expect({ version: locked.version, dependencies: locked.dependencies, peerDependencies: locked.peerDependencies }).toEqual({
      version: library.version,
      dependencies: library.dependencies,
      peerDependencies: library.peerDependencies,
    });
    expect(readFileSync(join(EXAMPLE, 'dist/index.js'), 'utf8')).not.toContain('process-webhook');
    const api = JSON.parse(readFileSync(join(EXAMPLE, 'node_modules/@opentelemetry/api/package.json'), 'utf8'));
    expect(api.version).toMatch(/^1\.9\.\d+$/);
    const code = readFileSync(join(EXAMPLE, 'dist/index.js'), 'utf8');
    expect(code).toContain('require("@aws-sdk/client-dynamodb")');
  });

  it('stores invoice.* events once in its own table, skips the rest, and reports failures per record', async () => {
    const table = `invoices-${Date.now().toString(36)}`;
    const dynamodb = new DynamoDBClient(awsClientConfig(endpoint, 'us-east-1'));
    await dynamodb.send(new CreateTableCommand({ TableName: table, BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'eventId', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'eventId', AttributeType: 'S' }] }));
    const event: SQSEvent = {
      Records: [record('m1', 'evt_1', 'invoice.paid'), record('m2', 'evt_2', 'customer.updated'), { ...record('m3', 'evt_3', 'invoice.paid'), body: 'not json' }, record('m4', 'evt_1', 'invoice.paid')],
    };
    const task = await unpackFunction(ZIP);
    const result = runInTaskProcess(
      task,
      `const m = require('./index.js');
       const d = Object.getOwnPropertyDescriptor(m, 'handler');
       m.handler(${JSON.stringify(event)}).then((r) => console.error(JSON.stringify({ response: r, writable: d.writable, configurable: d.configurable })));`,
      { INVOICES_TABLE: table, AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' },
    );
    expect(result.status).toBe(0);
    const outcome = JSON.parse(result.stderr.trim().split('\n').pop() as string);
    expect(outcome).toEqual({ response: { batchItemFailures: [{ itemIdentifier: 'm3' }] }, writable: true, configurable: true });
    const stored = await dynamodb.send(new GetItemCommand({ TableName: table, Key: { eventId: { S: 'evt_1' } } }));
    expect(stored.Item).toMatchObject({ invoiceId: { S: 'in_evt_1' }, type: { S: 'invoice.paid' }, amountDue: { N: '4200' } });
    expect((await dynamodb.send(new GetItemCommand({ TableName: table, Key: { eventId: { S: 'evt_2' } } }))).Item).toBeUndefined();
  });

  it('plans with the root module: its zip, its environment, its table, the invoice filter', async () => {
    const terraform = new TerraformWorkspace(EXAMPLE, join(work, 'tf'), ROOT, {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    });
    await terraform.init();
    const plan = await terraform.plan({ region: 'us-east-1' });
    expect(plan).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy/);
    expect(plan).toContain(`"${codeSha256(ZIP)}"`);
    expect(plan).toContain('"INVOICES_TABLE"');
    expect(plan).toContain('aws_dynamodb_table.invoices will be created');
    expect(plan).toMatch(/prefix\s*=\s*"invoice\."/);
    // The role policy holds the table's ARN, unknown until apply: test/terraform/pipeline.tftest.hcl
    // (custom_consumer_policy_statements) checks how consumer_policy_statements reach it.
  });
});
