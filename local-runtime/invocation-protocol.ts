/** Messages between the local runtime and a function's process (over the IPC channel). */
export type Trigger = 'http' | 'pubsub';

export interface InvokeRequest {
  type: 'invoke';
  id: number;
  event: unknown;
  trigger: Trigger;
  /** The invocation's X-Ray header: `_X_AMZN_TRACE_ID` for this invocation, as Lambda sets it. */
  traceHeader?: string;
  requestId: string;
  invokedFunctionArn: string;
  deadlineMs: number;
}

export type InvokeReply =
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; error: { name: string; message: string } };

export type WorkerStatus = { type: 'ready' } | { type: 'init-error'; error: { name: string; message: string } };
