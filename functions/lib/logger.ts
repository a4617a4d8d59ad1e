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
 * carries a neighbour's context. Lines below the minimum level (default: AWS_LAMBDA_LOG_LEVEL)
 * are dropped here, before any work is spent on them. A class, so the per-record child is one
 * small object rather than a fresh set of closures.
 */
class JsonLogger implements Logger {
  constructor(
    private readonly fields: LogFields,
    private readonly sink: LogSink,
    private readonly boundContext: Context | undefined,
    private readonly threshold: number,
  ) {}

  debug(message: string, extra?: LogFields): void {
    this.write('DEBUG', message, extra);
  }
  info(message: string, extra?: LogFields): void {
    this.write('INFO', message, extra);
  }
  warn(message: string, extra?: LogFields): void {
    this.write('WARN', message, extra);
  }
  error(message: string, extra?: LogFields): void {
    this.write('ERROR', message, extra);
  }
  child(more: LogFields, ctx?: Context): Logger {
    return new JsonLogger({ ...this.fields, ...more }, this.sink, ctx ?? this.boundContext, this.threshold);
  }

  private write(level: LogLevel, message: string, extra?: LogFields): void {
    if (LEVEL_RANK[level] < this.threshold) return;
    const spanContext = trace.getSpanContext(this.boundContext ?? context.active());
    const line: LogFields = { level, timestamp: new Date().toISOString(), message };
    if (spanContext) {
      line.traceId = spanContext.traceId;
      line.spanId = spanContext.spanId;
    }
    Object.assign(line, this.fields);
    if (extra) for (const [key, value] of Object.entries(extra)) line[key] = errorFields(value);
    this.sink(JSON.stringify(line));
  }
}

export function createLogger(
  fields: LogFields = {},
  sink: LogSink = stdoutSink,
  boundContext?: Context,
  minLevel: LambdaLogLevel | undefined = logLevelFromEnv(),
): Logger {
  return new JsonLogger(fields, sink, boundContext, minLevel === undefined ? 0 : LEVEL_RANK[minLevel]);
}
