// The local runtime's forwarding of function output to the emulator's CloudWatch Logs.
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchLogForwarder, lambdaLogStreamName, logEventBatches } from '../local-runtime/cloudwatch-logs';
import { clientConfig, uniqueName } from './support/aws';

describe('CloudWatch Logs forwarding', () => {
  it('turns each complete output line into one event, in order, in /aws/lambda/<function>', async () => {
    const functionName = uniqueName('fn');
    const forwarder = new CloudWatchLogForwarder({ client: clientConfig(), functionName });
    forwarder.write('{"message":"one"}\n{"mess');
    forwarder.write('age":"two"}\n\n');
    forwarder.write('tail without newline');
    await forwarder.flush();
    forwarder.write(' ends here');
    await forwarder.flush(true);
    expect(forwarder.lastError).toBeUndefined();
    const logs = new CloudWatchLogsClient(clientConfig());
    const { events } = await logs.send(new GetLogEventsCommand({ logGroupName: `/aws/lambda/${functionName}`, logStreamName: forwarder.logStreamName, startFromHead: true }));
    expect((events ?? []).map((event) => event.message)).toEqual(['{"message":"one"}', '{"message":"two"}', 'tail without newline ends here']);
  });

  it('names streams as Lambda does and keeps batches within PutLogEvents limits', () => {
    expect(lambdaLogStreamName(new Date('2026-12-02T10:00:00Z'))).toMatch(/^2026\/12\/02\/\[\$LATEST\][0-9a-f]{32}$/);
    const big = 'x'.repeat(200_000);
    const batches = logEventBatches(Array.from({ length: 12 }, (_, i) => ({ timestamp: i, message: big })));
    expect(batches.map((batch) => batch.length)).toEqual([5, 5, 2]);
    expect(logEventBatches(Array.from({ length: 10_001 }, (_, i) => ({ timestamp: i, message: 'a' }))).map((b) => b.length)).toEqual([10_000, 1]);
  });
});
