// FAKE AWS ENDPOINT (benchmark use only): starts lib/fake-aws-worker.cjs in a worker thread of
// this process, so the server's own work runs on another core and is not charged to the
// handler being measured. See that file for what it answers.
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';

export async function startFakeAwsEndpoint({ benchDir, delayMs = 0 }) {
  const worker = new Worker(join(benchDir, 'lib', 'fake-aws-worker.cjs'), { workerData: { delayMs } });
  const waiters = new Map();
  worker.on('message', (message) => {
    const waiter = waiters.get(message.type);
    if (waiter) {
      waiters.delete(message.type);
      waiter(message);
    }
  });
  const next = (type) => new Promise((resolve) => waiters.set(type, resolve));
  const listening = next('listening');
  worker.on('error', (error) => {
    console.error('fake endpoint worker failed:', error);
    process.exitCode = 1;
  });
  const { port } = await listening;
  const request = (cmd, type, extra = {}) => {
    const reply = next(type);
    worker.postMessage({ cmd, ...extra });
    return reply;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats: async () => {
      const { counts, maxInFlight } = await request('stats', 'stats');
      return { counts, maxInFlight };
    },
    reset: () => request('reset', 'reset'),
    setDelay: (ms) => request('delay', 'delay', { delayMs: ms }),
    /** Answers `share` (0-1) of DynamoDB calls with ProvisionedThroughputExceededException. */
    setThrottle: (share) => request('throttle', 'throttle', { share }),
    close: async () => {
      await request('close', 'closed');
      await worker.terminate();
    },
  };
}
