import { context, trace, type Context } from '@opentelemetry/api';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
/** The application log levels of Lambda's advanced logging controls (AWS_LAMBDA_LOG_LEVEL). */
export type LambdaLogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';
export type LogFields = Record<string, unknown>;
export type LogSink = (line: string) => void;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger whose lines all carry `fields`, and the trace of `ctx` when given. */
  child(fields: LogFields, ctx?: Context): Logger;
}

const stdoutSink: LogSink = (line) => {
  process.stdout.write(line + '\n');
};

const LEVEL_RANK: Record<LambdaLogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4, FATAL: 5 };

/**
 * The minimum level from AWS_LAMBDA_LOG_LEVEL, which Lambda sets from the function's
 * `logging_config.application_log_level`. Unset or unknown: undefined (every line is written),
 * so a typo never silences a function.
 */
export function logLevelFromEnv(env: Record<string, string | undefined> = process.env): LambdaLogLevel | undefined {
  const value = env.AWS_LAMBDA_LOG_LEVEL?.trim().toUpperCase();
  return value !== undefined && value in LEVEL_RANK ? (value as LambdaLogLevel) : undefined;
}

function errorFields(value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

/**
 * JSON lines with `traceId`/`spanId`. A child bound to a record's context keeps that record's
 * trace even when the line is written while other records are in flight, so a line never
 * carries a neighbour's context. Lines below `minLevel` (default: AWS_LAMBDA_LOG_LEVEL) are
 * dropped here, before any work is spent on them.
 */
export function createLogger(
  fields: LogFields = {},
  sink: LogSink = stdoutSink,
  boundContext?: Context,
  minLevel: LambdaLogLevel | undefined = logLevelFromEnv(),
): Logger {
  const threshold = minLevel === undefined ? 0 : LEVEL_RANK[minLevel];
  const write = (level: LogLevel, message: string, extra?: LogFields) => {
    if (LEVEL_RANK[level] < threshold) return;
    const spanContext = trace.getSpanContext(boundContext ?? context.active());
    const line: LogFields = { level, timestamp: new Date().toISOString(), message };
    if (spanContext) {
      line.traceId = spanContext.traceId;
      line.spanId = spanContext.spanId;
    }
    Object.assign(line, fields);
    if (extra) for (const [key, value] of Object.entries(extra)) line[key] = errorFields(value);
    sink(JSON.stringify(line));
  };
  return {
    debug: (message, extra) => write('DEBUG', message, extra),
    info: (message, extra) => write('INFO', message, extra),
    warn: (message, extra) => write('WARN', message, extra),
    error: (message, extra) => write('ERROR', message, extra),
    child: (more, ctx) => createLogger({ ...fields, ...more }, sink, ctx ?? boundContext, minLevel),
  };
}
