// The pure parts of where-is: reading a deployment's outputs, the console links, log parsing.
import { consumerDeployment, flattenOutputs, regionFrom, resolveDeployment } from '../tools/where-is/deployment';
import { filterTakes } from '../tools/where-is/fan-out';
import { renderAnswer } from '../tools/where-is/render';
import { eventQuery, insightsUnescape, logsInsightsUrl, traceUrl, xrayTraceId } from '../tools/where-is/links';
import { filterTerm, parseLogMessage } from '../tools/where-is/log-search';
import { parseDuration } from '../tools/where-is/args';
import { resendableAttributes } from '../tools/where-is/redrive';
import { eventRef } from '../tools/where-is/event-ref';
import { messageEventKey } from '../tools/where-is/dlq-peek';

describe('where-is: deployment', () => {
  const outputs = flattenOutputs({
    table_name: { value: 'wh-events', type: 'string', sensitive: false },
    queue_url: { value: 'https://sqs.eu-west-1.amazonaws.com/123456789012/wh' },
    dlq_url: { value: 'https://sqs.eu-west-1.amazonaws.com/123456789012/wh-dlq' },
    producer_function_name: { value: 'wh-producer' },
    consumer_log_group_name: { value: '/custom/consumer' },
  });

  it('reads terraform output -json, deriving log groups and region', () => {
    expect(resolveDeployment({}, outputs, {})).toEqual({
      tableName: 'wh-events',
      queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/wh',
      dlqUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/wh-dlq',
      producerLogGroup: '/aws/lambda/wh-producer',
      consumerLogGroup: '/custom/consumer',
      region: 'eu-west-1',
    });
  });

  it('lets flags win and names what is missing', () => {
    expect(resolveDeployment({ table: 'other', region: 'us-west-2', endpoint: 'http://127.0.0.1:5000' }, outputs, {})).toMatchObject({ tableName: 'other', region: 'us-west-2', endpoint: 'http://127.0.0.1:5000' });
    expect(() => resolveDeployment({}, {}, {})).toThrow(/--table .*--queue-url .*--dlq-url .*--producer-log-group .*--region/);
    expect(regionFrom('arn:aws-cn:sqs:cn-north-1:123:q')).toBe('cn-north-1');
    expect(regionFrom('http://127.0.0.1:5000/123456789012/q')).toBeUndefined();
  });
});

describe('where-is: links', () => {
  it('writes the trace id as X-Ray does and links the trace view', () => {
    expect(xrayTraceId('5759e988bd862e3fe1be46a994272793')).toBe('1-5759e988-bd862e3fe1be46a994272793');
    expect(traceUrl('eu-west-1', '5759e988bd862e3fe1be46a994272793')).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#xray:traces/1-5759e988-bd862e3fe1be46a994272793',
    );
    expect(traceUrl('cn-north-1', '5759e988bd862e3fe1be46a994272793')).toMatch(/^https:\/\/cn-north-1\.console\.amazonaws\.cn\//);
  });

  it('pre-fills Logs Insights with the event query over both groups, decodable back to the same text', () => {
    const query = eventQuery('evt_1 "odd" (id)');
    const url = logsInsightsUrl('eu-west-1', ['/aws/lambda/wh-producer', '/aws/lambda/wh-consumer'], query, 86400);
    const detail = url.split('#logsV2:logs-insights$3FqueryDetail$3D')[1] ?? '';
    expect(detail.startsWith("~(end~0~start~-86400~timeType~'RELATIVE~unit~'seconds~editorString~'")).toBe(true);
    // Nothing in a value may look like the format's own syntax.
    const [editor, source] = detail.split('~source~(');
    const encodedQuery = (editor ?? '').split("editorString~'")[1] ?? '';
    expect(encodedQuery).not.toMatch(/[~()'%\s"]/);
    expect(insightsUnescape(encodedQuery)).toBe(query);
    expect(source).toBe("~'*2faws*2flambda*2fwh-producer~'*2faws*2flambda*2fwh-consumer))");
    expect(query).toContain('filter eventId = "evt_1 \\"odd\\" (id)" or claimedEventId = "evt_1 \\"odd\\" (id)"');
  });
});

describe('where-is: logs and arguments', () => {
  it('parses our JSON lines and console-style lines, and ignores the rest', () => {
    expect(parseLogMessage('{"message":"webhook stored","eventId":"e"}')).toEqual({ message: 'webhook stored', eventId: 'e' });
    expect(parseLogMessage('2026-12-02T10:00:00.000Z\tabc-123\tINFO\t{"message":"m"}')).toEqual({ message: 'm' });
    expect(parseLogMessage('REPORT RequestId: abc Duration: 2 ms')).toBeUndefined();
  });

  it('builds a filter term CloudWatch accepts from any id', () => {
    expect(filterTerm('evt_1')).toBe('"evt_1"');
    expect(filterTerm('evt_"x"_longer_part')).toBe('"_longer_part"');
    expect(filterTerm('e'.repeat(3000))).toHaveLength(1002);
  });

  it('reads durations', () => {
    expect([parseDuration('90'), parseDuration('15m'), parseDuration('24h'), parseDuration('14d')]).toEqual([90, 900, 86400, 1209600]);
    expect(() => parseDuration('soon')).toThrow(/not a duration/);
  });

  it('keeps every message attribute for the resend, without the empty list fields', () => {
    expect(
      resendableAttributes({
        MessageAttributes: {
          traceparent: { DataType: 'String', StringValue: '00-abc-def-01', StringListValues: [], BinaryListValues: [] },
          blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2]) },
        },
      }),
    ).toEqual({ traceparent: { DataType: 'String', StringValue: '00-abc-def-01' }, blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2]) } });
    expect(resendableAttributes({})).toBeUndefined();
  });
});

describe('where-is: sources', () => {
  const outputs = flattenOutputs({
    table_name: { value: 'wh-events' },
    queue_url: { value: 'https://sqs.eu-west-1.amazonaws.com/123456789012/wh' },
    dlq_url: { value: 'https://sqs.eu-west-1.amazonaws.com/123456789012/wh-dlq' },
    producer_function_name: { value: 'wh-producer' },
    consumer_function_name: { value: 'wh-consumer' },
    webhook_sources: { value: { stripe: { scheme: 'stripe', key_prefix: '' }, github: { scheme: 'github', key_prefix: 'github#' } } },
  });

  it('reads the sources and their key prefixes from the outputs', () => {
    expect(resolveDeployment({}, outputs, {}).sources).toEqual({ stripe: { keyPrefix: '' }, github: { keyPrefix: 'github#' } });
  });

  it('keys /webhook’s events by their bare id and a source’s by <source>#<id>; refuses a source the deployment does not serve', () => {
    const sources = resolveDeployment({}, outputs, {}).sources;
    expect(eventRef('evt_1', undefined, sources)).toEqual({ source: 'stripe', id: 'evt_1', key: 'evt_1', isDefault: true });
    expect(eventRef('d-1', 'github', sources)).toEqual({ source: 'github', id: 'd-1', key: 'github#d-1', isDefault: false });
    expect(() => eventRef('x', 'gitlab', sources)).toThrow('unknown source gitlab: this deployment serves stripe, github');
    expect(() => eventRef('x', undefined, { github: { keyPrefix: 'github#' } })).toThrow('serves no /webhook source: name the event\'s source with --source (github)');
    // Outputs from before sources: stripe bare, any other by its prefix.
    expect(eventRef('d-1', 'github', undefined).key).toBe('github#d-1');
    expect(eventRef('evt_1', undefined, undefined).key).toBe('evt_1');
  });

  it('reads a queued message’s key from its identity attributes, or its body for /webhook', () => {
    const attribute = (value: string) => ({ DataType: 'String', StringValue: value });
    expect(messageEventKey({ Body: '<xml/>', MessageAttributes: { 'webhook-body-encoding': attribute('verbatim'), 'webhook-source': attribute('shopify'), 'webhook-event-id': attribute('e-1') } })).toBe('shopify#e-1');
    expect(messageEventKey({ Body: '{"id":"evt_1"}', MessageAttributes: { 'webhook-body-encoding': attribute('verbatim'), 'webhook-source': attribute('stripe') } })).toBe('evt_1');
    expect(messageEventKey({ Body: '{"eventId":"evt_old"}' })).toBe('evt_old');
    expect(messageEventKey({ Body: '{}', MessageAttributes: { 'webhook-event-id': attribute('e-1') } })).toBeUndefined();
  });

  it('narrows the Logs Insights query to the source for a /webhooks/<source> event', () => {
    expect(eventQuery('d-1', 'github')).toContain('| filter (eventId = "d-1" or claimedEventId = "d-1") and source = "github"');
    expect(eventQuery('evt_1')).toContain('| filter eventId = "evt_1" or claimedEventId = "evt_1"\n');
  });
});

describe('where-is: fan-out', () => {
  const consumer = (name: string, own: boolean, extra: Record<string, unknown> = {}) => ({
    own,
    function_name: `wh-${own ? 'consumer' : name}`,
    log_group_name: `/aws/lambda/wh-${own ? 'consumer' : name}`,
    queue_url: `https://sqs.eu-west-1.amazonaws.com/123456789012/wh${own ? '' : `-${name}`}`,
    dlq_url: `https://sqs.eu-west-1.amazonaws.com/123456789012/wh${own ? '' : `-${name}`}-dlq`,
    table_name: own ? 'wh-events' : `wh-${name}-events`,
    filter_policy: null,
    ...extra,
  });
  const outputs = {
    table_name: 'wh-events',
    queue_url: 'https://sqs.eu-west-1.amazonaws.com/123456789012/wh',
    dlq_url: 'https://sqs.eu-west-1.amazonaws.com/123456789012/wh-dlq',
    producer_function_name: 'wh-producer',
    consumer_function_name: 'wh-consumer',
    fan_out: {
      topic_arn: 'arn:aws:sns:eu-west-1:123456789012:wh',
      consumers: {
        analytics: consumer('analytics', false, { table_name: null }),
        billing: consumer('billing', true),
        notifications: consumer('notifications', false, { filter_policy: '{"webhook-event-type":[{"prefix":"invoice."}],"webhook-source":["stripe"]}' }),
      },
    },
  };
  const deployment = resolveDeployment({}, outputs, {});

  it('reads every consumer from the fan_out output, the module’s own first', () => {
    expect(deployment.consumers?.map((c) => [c.name, c.own, c.tableName ?? null])).toEqual([
      ['billing', true, 'wh-events'],
      ['analytics', false, null],
      ['notifications', false, 'wh-notifications-events'],
    ]);
    expect(resolveDeployment({}, { ...outputs, fan_out: null }, {}).consumers).toBeUndefined();
  });

  it('gives one consumer’s table, queue, DLQ and log group; with fan-out a consumer must be named', () => {
    expect(consumerDeployment(deployment, 'notifications')).toMatchObject({
      tableName: 'wh-notifications-events',
      queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/wh-notifications',
      dlqUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/wh-notifications-dlq',
      consumerLogGroup: '/aws/lambda/wh-notifications',
      producerLogGroup: '/aws/lambda/wh-producer',
    });
    expect(consumerDeployment(deployment, 'analytics').tableName).toBe('');
    expect(() => consumerDeployment(deployment, undefined)).toThrow('this deployment fans out to billing, analytics, notifications: name one with --consumer');
    expect(() => consumerDeployment(deployment, 'audit')).toThrow('unknown consumer audit');
    const single = resolveDeployment({}, { ...outputs, fan_out: null }, {});
    expect(consumerDeployment(single, undefined)).toBe(single);
    expect(() => consumerDeployment(single, 'billing')).toThrow('no fan_out');
  });

  it('tells whether a subscription’s filter takes an event, from its type and source', () => {
    const notifications = deployment.consumers?.find((c) => c.name === 'notifications') as { filterPolicy?: string };
    expect(filterTakes(notifications, 'stripe', 'invoice.paid')).toBe(true);
    expect(filterTakes(notifications, 'stripe', 'customer.created')).toBe(false);
    expect(filterTakes(notifications, 'stripe-connect', 'invoice.paid')).toBe(false);
    expect(filterTakes(notifications, 'stripe', undefined)).toBeUndefined();
    expect(filterTakes({}, 'github', undefined)).toBe(true);
  });

  it('renders each consumer’s verdict under the event’s', () => {
    const base = {
      eventId: 'evt_1',
      source: 'stripe',
      key: 'evt_1',
      partial: false,
      partialReasons: [],
      timeline: [],
      links: { logs: 'https://logs' },
      searched: { table: 't', deadLetterQueue: 'd', logGroups: [], window: { from: 'a', to: 'b' }, dlqMessagesRead: 0, logEventsRead: 0 },
    };
    const stored = { ...base, verdict: 'stored' as const, summary: 'stored', stored: { at: '2026-12-06T00:00:00.000Z', messageId: 'm-1', traceId: 'a'.repeat(32), deliveryAttempts: 1 } };
    const dead = { ...base, verdict: 'dead-lettered' as const, summary: 'in the DLQ', deadLettered: [{ messageId: 'm-2', receiveCount: 3, lastError: 'ValidationException: refused' }] };
    const text = renderAnswer({
      ...dead,
      summary: "stored by billing (attempt 1); in notifications' DLQ",
      consumers: [
        { name: 'billing', verdict: 'stored', summary: 'stored by billing (attempt 1)', answer: stored },
        { name: 'notifications', verdict: 'dead-lettered', summary: "in notifications' DLQ", answer: dead },
        { name: 'analytics', verdict: 'filtered-out', summary: 'filtered out of analytics', answer: { ...base, verdict: 'queued', summary: '' } },
      ],
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe('evt_1: IN THE DEAD-LETTER QUEUE');
    expect(lines[1]).toBe("  stored by billing (attempt 1); in notifications' DLQ");
    expect(lines).toContain('    billing: STORED: stored by billing (attempt 1)');
    expect(lines).toContain("    notifications: IN THE DEAD-LETTER QUEUE: in notifications' DLQ");
    expect(lines).toContain('      last error     ValidationException: refused');
    expect(lines).toContain('    analytics: FILTERED OUT (not delivered): filtered out of analytics');
    // The event's own facts are given once per consumer, not again at the top.
    expect(lines.filter((line) => line.includes('by message     m-1'))).toHaveLength(1);
  });
});
