import { context, trace, type Context } from '@opentelemetry/api';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
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

function errorFields(value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

/**
 * JSON lines with `traceId`/`spanId`. A child bound to a record's context keeps that record's
 * trace even when the line is written while other records are in flight, so a line never
 * carries a neighbour's context. A class, so the per-record child is one small object rather
 * than a fresh set of closures.
 */
class JsonLogger implements Logger {
  constructor(
    private readonly fields: LogFields,
    private readonly sink: LogSink,
    private readonly boundContext: Context | undefined,
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
    return new JsonLogger({ ...this.fields, ...more }, this.sink, ctx ?? this.boundContext);
  }

  private write(level: LogLevel, message: string, extra?: LogFields): void {
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

export function createLogger(fields: LogFields = {}, sink: LogSink = stdoutSink, boundContext?: Context): Logger {
  return new JsonLogger(fields, sink, boundContext);
}
