import { trace } from '@opentelemetry/api';
import type { Env } from './config.js';
import { booleanFlag } from './config.js';
import { createLogger, type Logger } from './logger.js';

/** The key every 1.x copy of @opentelemetry/api registers its globals under. */
const API_GLOBAL = Symbol.for('opentelemetry.js.api.1');

interface ApiGlobal {
  version?: string;
  trace?: unknown;
}

export type TracingHealth =
  | { status: 'ok' | 'not-expected' }
  | { status: 'disabled' | 'no-sdk' | 'api-mismatch'; reason: string };

/** OTEL_SDK_DISABLED as the SDK reads it (@opentelemetry/core getBooleanFromEnv): only "true", any case. */
function sdkDisabled(env: Env): boolean {
  return env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true';
}

/**
 * Whether spans from this bundle will be recorded. Tracing is expected when the Lambda has an
 * exec wrapper (the ADOT layer). A bundled @opentelemetry/api silently turns into a no-op when
 * no SDK registered, or when the SDK registered through an API whose minor is older than the
 * bundled one: both are detected here by asking the global registry directly.
 */
export function checkTracing(env: Env = process.env): TracingHealth {
  if (!env.AWS_LAMBDA_EXEC_WRAPPER) return { status: 'not-expected' };
  const registry = (globalThis as Record<symbol, ApiGlobal | undefined>)[API_GLOBAL];
  if (!registry?.trace) {
    // Asked for, not broken: the full distro registers nothing when OTEL_SDK_DISABLED=true.
    // (Its fast-start mode ignores the flag and registers anyway, which the checks below handle.)
    if (sdkDisabled(env)) {
      return {
        status: 'disabled',
        reason: 'OTEL_SDK_DISABLED=true turned the OpenTelemetry SDK off: spans and trace propagation are no-ops. To run without tracing, remove the layer instead (the module\'s tracing_enabled = false).',
      };
    }
    return {
      status: 'no-sdk',
      reason: `AWS_LAMBDA_EXEC_WRAPPER is ${env.AWS_LAMBDA_EXEC_WRAPPER} but no OpenTelemetry SDK registered a tracer provider: is the ADOT layer attached, and is the wrapper path right? Spans and trace propagation are no-ops.`,
    };
  }
  if (trace.getTracerProvider() !== registry.trace) {
    return {
      status: 'api-mismatch',
      reason: `the bundled @opentelemetry/api ignores the tracer provider registered by @opentelemetry/api ${registry.version ?? 'unknown'} (a copy only accepts a global of the same major and an equal or newer minor): bundle an @opentelemetry/api no newer than the layer's. Spans and trace propagation are no-ops.`,
    };
  }
  return { status: 'ok' };
}

/**
 * Run once at cold start. Logs one ERROR line when tracing is expected but would be a no-op;
 * with OTEL_STRICT=true it throws instead, failing the cold start. A deliberately disabled SDK
 * is reported with one INFO line and never fails: it is a choice, not a fault.
 */
export function assertTracingReady(env: Env = process.env, logger: Logger = createLogger()): TracingHealth {
  const health = checkTracing(env);
  if (health.status === 'disabled') {
    logger.info(`tracing is disabled: ${health.reason}`, { check: 'otel-startup', status: health.status });
    return health;
  }
  if (health.status === 'no-sdk' || health.status === 'api-mismatch') {
    if (booleanFlag(env, 'OTEL_STRICT')) throw new Error(`OTEL_STRICT: ${health.reason}`);
    logger.error(`tracing is not working: ${health.reason}`, { check: 'otel-startup', status: health.status });
  }
  return health;
}
