// The built package, both formats, as a program loads it: `import` (dist/esm) and `require`
// (dist/cjs) must export the same names and behave the same. Runs with the library's own dev
// dependencies only (`npm test` in functions/lib, the release workflow). The behaviour itself is
// tested in depth by the repository's jest suites, on the sources.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';

const require = createRequire(import.meta.url);
const builds = {
  esm: await import('@webhook-tracing/sqs-otel'),
  cjs: require('@webhook-tracing/sqs-otel'),
};

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

before(() => {
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
after(() => provider.shutdown());

const ARN = 'arn:aws:sqs:eu-west-1:123456789012:orders';
const record = (messageId, messageAttributes = {}) => ({ messageId, body: '{}', attributes: {}, messageAttributes, eventSourceARN: ARN });

it('exports the same names from both builds', () => {
  assert.deepEqual(Object.keys(builds.cjs).sort(), Object.keys(builds.esm).sort());
  assert.ok(Object.keys(builds.esm).includes('processSqsBatch'));
});

for (const [format, lib] of Object.entries(builds)) {
  describe(`the ${format} build`, () => {
    it('injects on send and puts each record on its own producer trace on receive, a failure alone in batchItemFailures', async () => {
      exporter.reset();
      const producer = trace.getTracer('test').startSpan('send', { kind: SpanKind.PRODUCER }, ROOT_CONTEXT);
      const attributes = {};
      const { written } = lib.injectTraceContext(attributes, trace.setSpan(ROOT_CONTEXT, producer), lib.createLogger({}, () => undefined));
      producer.end();
      assert.deepEqual(written, ['traceparent']);
      const lambdaShaped = { traceparent: { dataType: 'String', stringValue: attributes.traceparent.StringValue } };
      const response = await lib.processSqsBatch({ Records: [record('ok', lambdaShaped), record('bad')] }, async (r) => {
        if (r.messageId === 'bad') throw new Error('no');
      }, { logFailures: false });
      assert.deepEqual(response, { batchItemFailures: [{ itemIdentifier: 'bad' }] });
      const spans = exporter.getFinishedSpans().filter((span) => span.name === 'process orders');
      assert.equal(spans.length, 2);
      const ok = spans.find((span) => span.attributes['messaging.message.id'] === 'ok');
      const bad = spans.find((span) => span.attributes['messaging.message.id'] === 'bad');
      assert.equal(ok.spanContext().traceId, producer.spanContext().traceId);
      assert.equal(ok.parentSpanContext?.spanId, producer.spanContext().spanId);
      assert.equal(ok.instrumentationScope.name, '@webhook-tracing/sqs-otel');
      assert.equal(bad.attributes['trace.has_upstream_context'], false);
      assert.equal(bad.status.code, SpanStatusCode.ERROR);
    });

    it('unwraps an SNS notification envelope: the published message to the work, the envelope attributes for the context', async () => {
      exporter.reset();
      const publisher = trace.getTracer('test').startSpan('publish', { kind: SpanKind.PRODUCER }, ROOT_CONTEXT);
      const attributes = {};
      lib.injectTraceContext(attributes, trace.setSpan(ROOT_CONTEXT, publisher), lib.createLogger({}, () => undefined));
      publisher.end();
      const MessageAttributes = { traceparent: { Type: 'String', Value: attributes.traceparent.StringValue } };
      const body = JSON.stringify({ Type: 'Notification', MessageId: 'sns-1', TopicArn: 'arn:aws:sns:eu-west-1:123456789012:orders', Message: '{"id":"o-1"}', MessageAttributes });
      const bodies = [];
      await lib.processSqsBatch({ Records: [{ ...record('wrapped'), body }] }, async (r) => void bodies.push(r.body));
      assert.deepEqual(bodies, ['{"id":"o-1"}']);
      const [span] = exporter.getFinishedSpans().filter((s) => s.name === 'process orders');
      assert.equal(span.spanContext().traceId, publisher.spanContext().traceId);
      assert.equal(span.attributes['trace.upstream_source'], 'sns_message_attributes');
      assert.equal(lib.snsEnvelopeOf({ body })?.message, '{"id":"o-1"}');
    });
  });
}
