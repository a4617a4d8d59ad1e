// moto_server as the local runtime starts it: each on a port it bound itself (test files run side
// by side, and a port picked for it could be taken in between), answering, and gone after stop().
import { CreateQueueCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { connect } from 'node:net';
import { startMoto } from '../local-runtime/moto';

jest.setTimeout(60_000);

const sqs = (endpoint: string) => new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

describe('startMoto', () => {
  it('starts emulators side by side, each on its own port, each stopped by its own stop()', async () => {
    const [a, b] = await Promise.all([startMoto(), startMoto()]);
    try {
      expect(a.port).toBeGreaterThan(0);
      expect(a.port).not.toBe(b.port);
      expect(a.endpoint).toBe(`http://127.0.0.1:${a.port}`);
      // Each is its own emulator: a queue made in one is not in the other.
      await sqs(a.endpoint).send(new CreateQueueCommand({ QueueName: 'only-in-a' }));
      const queues = async (endpoint: string) => (await sqs(endpoint).send(new ListQueuesCommand({}))).QueueUrls ?? [];
      expect(await queues(a.endpoint)).toEqual([expect.stringContaining('only-in-a')]);
      expect(await queues(b.endpoint)).toEqual([]);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    expect(await listening(a.port)).toBe(false);
    expect(await listening(b.port)).toBe(false);
  });

  it('keeps answering after much logging (its log is read, not left to fill a pipe)', async () => {
    const moto = await startMoto();
    try {
      // Each request writes a log line; 2,000 lines are well past a 64 KiB pipe.
      for (let i = 0; i < 2000; i += 50) {
        const answers = await Promise.all(Array.from({ length: 50 }, () => fetch(`${moto.endpoint}/moto-api/`)));
        expect(answers.every((answer) => answer.status === 200)).toBe(true);
      }
    } finally {
      await moto.stop();
    }
  });
});
