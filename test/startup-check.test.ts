import { trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import * as olderApi from 'otel-api-1-8';
import { createLogger } from '../functions/lib/logger';
import { assertTracingReady, checkTracing } from '../functions/lib/startup-check';

const WRAPPED = { AWS_LAMBDA_EXEC_WRAPPER: '/opt/otel-instrument' };

function capture() {
  const lines: Record<string, unknown>[] = [];
  return { lines, logger: createLogger({}, (line) => lines.push(JSON.parse(line))) };
}

describe('tracing start-up check', () => {
  // A fresh process: the first API copy to register creates the global and stamps its version.
  const freshProcess = () => {
    trace.disable();
    olderApi.trace.disable();
    delete (globalThis as Record<symbol, unknown>)[Symbol.for('opentelemetry.js.api.1')];
  };
  beforeEach(freshProcess);
  afterEach(freshProcess);

  it('is quiet when no wrapper says tracing is expected', () => {
    const { lines, logger } = capture();
    expect(assertTracingReady({}, logger).status).toBe('not-expected');
    expect(lines).toEqual([]);
  });

  it('logs one ERROR line naming the cause when no SDK is registered', () => {
    const { lines, logger } = capture();
    expect(assertTracingReady(WRAPPED, logger).status).toBe('no-sdk');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'ERROR', status: 'no-sdk', message: expect.stringContaining('no OpenTelemetry SDK registered') });
  });

  it('fails the cold start under OTEL_STRICT=true', () => {
    expect(() => assertTracingReady({ ...WRAPPED, OTEL_STRICT: 'true' }, capture().logger)).toThrow(/OTEL_STRICT: .*no OpenTelemetry SDK/);
  });

  it('passes when a real SDK registered through a compatible API', () => {
    trace.setGlobalTracerProvider(new BasicTracerProvider());
    const { lines, logger } = capture();
    expect(assertTracingReady({ ...WRAPPED, OTEL_STRICT: 'true' }, logger).status).toBe('ok');
    expect(lines).toEqual([]);
  });

  it('detects a bundled API newer than the one the SDK registered through (the silent no-op)', () => {
    // The layer registers through @opentelemetry/api 1.8; this bundle's 1.9 refuses that global.
    olderApi.trace.setGlobalTracerProvider(new BasicTracerProvider() as unknown as olderApi.TracerProvider);
    const health = checkTracing(WRAPPED);
    expect(health).toMatchObject({ status: 'api-mismatch', reason: expect.stringContaining('@opentelemetry/api 1.8.0') });
    // The trap itself, shown with the real API: spans from this copy do not record.
    expect(trace.getTracer('t').startSpan('s').isRecording()).toBe(false);
    expect(() => assertTracingReady({ ...WRAPPED, OTEL_STRICT: 'true' }, capture().logger)).toThrow(/no newer than the layer's/);
  });

  it('reports a disabled SDK as disabled: one INFO line, no ERROR, no strict failure', () => {
    const { lines, logger } = capture();
    const env = { ...WRAPPED, OTEL_SDK_DISABLED: ' TRUE ', OTEL_STRICT: 'true' };
    expect(assertTracingReady(env, logger).status).toBe('disabled');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'INFO', status: 'disabled', message: expect.stringContaining('OTEL_SDK_DISABLED=true') });
  });

  it('treats OTEL_SDK_DISABLED other than "true" as not disabled, as the SDK does', () => {
    const { lines, logger } = capture();
    expect(assertTracingReady({ ...WRAPPED, OTEL_SDK_DISABLED: 'false' }, logger).status).toBe('no-sdk');
    expect(lines[0]).toMatchObject({ level: 'ERROR' });
  });

  it('checks a registered SDK normally even when OTEL_SDK_DISABLED=true (fast-start mode ignores the flag)', () => {
    trace.setGlobalTracerProvider(new BasicTracerProvider());
    const { lines, logger } = capture();
    expect(assertTracingReady({ ...WRAPPED, OTEL_SDK_DISABLED: 'true' }, logger).status).toBe('ok');
    expect(lines).toEqual([]);
  });

  it('rejects an OTEL_STRICT value that is not a boolean', () => {
    expect(() => assertTracingReady({ ...WRAPPED, OTEL_STRICT: 'maybe' }, capture().logger)).toThrow(/OTEL_STRICT must be true or false/);
  });
});
