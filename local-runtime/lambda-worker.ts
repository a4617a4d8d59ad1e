// The process one local Lambda function runs in: loads the handler named by _HANDLER from the
// unpacked zip in LAMBDA_TASK_ROOT and runs invocations sent over IPC. When tracing is on, the
// preload (the layer's part) has registered the SDK before this file runs; this file plays the
// layer's handler wrapper: it replaces the exported handler, as ADOT does, and opens one
// invocation span per call.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace, type Context } from '@opentelemetry/api';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import { join } from 'node:path';
import type { InvokeReply, InvokeRequest, WorkerStatus } from './invocation-protocol';

type Handler = (event: unknown, lambdaContext: unknown) => Promise<unknown>;

const send = (message: InvokeReply | WorkerStatus) => process.send?.(message);
const describe = (error: unknown) => (error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) });
const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'function';
const traced = Boolean(process.env.AWS_LAMBDA_EXEC_WRAPPER);
const xray = new AWSXRayPropagator();

function loadHandler(): Handler {
  const [file, exportName] = (process.env._HANDLER ?? 'index.handler').split('.') as [string, string];
  const exports = require(join(process.env.LAMBDA_TASK_ROOT ?? '.', file)) as Record<string, Handler>;
  const original = exports[exportName];
  if (typeof original !== 'function') throw new Error(`${file}.${exportName} is not a function`);
  if (traced) {
    // What the layer does; a getter-only export makes this throw "Cannot redefine property".
    Object.defineProperty(exports, exportName, { value: original, writable: true, configurable: true, enumerable: true });
  }
  return original;
}

function parentContext(request: InvokeRequest): Context {
  if (!request.traceHeader) return ROOT_CONTEXT;
  return xray.extract(ROOT_CONTEXT, { 'x-amzn-trace-id': request.traceHeader }, {
    keys: (carrier: Record<string, string>) => Object.keys(carrier),
    get: (carrier: Record<string, string>, key: string) => carrier[key],
  });
}

async function invoke(handler: Handler, request: InvokeRequest): Promise<void> {
  const parent = parentContext(request);
  const span = trace.getTracer('local-lambda-runtime').startSpan(
    functionName,
    { kind: SpanKind.SERVER, attributes: { 'faas.trigger': request.trigger, 'faas.invocation_id': request.requestId, 'cloud.provider': 'aws' } },
    parent,
  );
  const lambdaContext = {
    functionName,
    awsRequestId: request.requestId,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    getRemainingTimeInMillis: () => Math.max(0, request.deadlineMs - Date.now()),
    callbackWaitsForEmptyEventLoop: true,
  };
  try {
    const result = await context.with(trace.setSpan(parent, span), () => handler(request.event, lambdaContext));
    send({ type: 'result', id: request.id, result: result ?? null });
  } catch (error) {
    span.recordException(error instanceof Error ? error : new Error(String(error)));
    span.setStatus({ code: SpanStatusCode.ERROR, message: describe(error).message });
    send({ type: 'error', id: request.id, error: describe(error) });
  } finally {
    span.end();
  }
}

let handler: Handler;
try {
  handler = loadHandler();
  send({ type: 'ready' });
} catch (error) {
  send({ type: 'init-error', error: describe(error) });
  process.exitCode = 1;
  process.disconnect?.();
}

process.on('message', (request: InvokeRequest) => {
  if (request?.type === 'invoke') void invoke(handler, request);
});
