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
 * carries a neighbour's context.
 */
export function createLogger(fields: LogFields = {}, sink: LogSink = stdoutSink, boundContext?: Context): Logger {
  const write = (level: LogLevel, message: string, extra?: LogFields) => {
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
    child: (more, ctx) => createLogger({ ...fields, ...more }, sink, ctx ?? boundContext),
  };
}
