#!/usr/bin/env node
// `redrive`: moves dead-lettered messages back to the queue after the cause is fixed.
import { DEPLOYMENT_HELP, DEPLOYMENT_OPTIONS, deploymentFlags, parseArgs, positiveInteger } from './args';
import { createClients, destroyClients } from './aws';
import { consumerDeployment, loadDeployment } from './deployment';
import { eventRef } from './event-ref';
import { redrive, type RedriveMethod } from './redrive';

const HELP = `Usage: redrive [options]

Moves messages from the dead-letter queue back to the queue, keeping their message attributes
and AWSTraceHeader, so each event's next attempt lands on its original trace.

  --dry-run                  list what would move; change nothing
  --count N                  move at most N messages (copy method)
  --rate N                   at most N messages per second
  --event-id ID              only this event's messages (copy method)
  --source NAME              the source of --event-id (default stripe, /webhook's)
  --consumer NAME            with fan-out (required there): this consumer's DLQ back to its
                             queue; the other consumers are not touched
  --method auto|move-task|copy
                             auto: StartMessageMoveTask when moving everything, falling back to
                             copy (receive, send, delete) where it is not available (moto)
  --max-messages N           DLQ messages a dry run or an --event-id search reads (default 100)
${DEPLOYMENT_HELP}`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...DEPLOYMENT_OPTIONS,
      'dry-run': { type: 'boolean' },
      count: { type: 'string' },
      rate: { type: 'string' },
      'event-id': { type: 'string' },
      source: { type: 'string' },
      consumer: { type: 'string' },
      method: { type: 'string' },
      'max-messages': { type: 'string' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const method = (values.method ?? 'auto') as RedriveMethod;
  if (!['auto', 'move-task', 'copy'].includes(method)) throw new Error(`--method must be auto, move-task or copy, not ${method}`);
  if (values.source !== undefined && values['event-id'] === undefined) throw new Error('--source names the source of --event-id: give both');
  // With fan-out, one consumer's DLQ and queue: each consumer's failures are its own.
  const deployment = consumerDeployment(loadDeployment(deploymentFlags(values)), values.consumer);
  const clients = createClients(deployment);
  try {
    const result = await redrive(clients.sqs, {
      dlqUrl: deployment.dlqUrl,
      queueUrl: deployment.queueUrl,
      method,
      dryRun: values['dry-run'] === true,
      maxMessages: positiveInteger(values['max-messages'], '--max-messages', 100),
      ...(values.count !== undefined ? { count: positiveInteger(values.count, '--count', 1) } : {}),
      ...(values.rate !== undefined ? { rate: positiveInteger(values.rate, '--rate', 1) } : {}),
      ...(values['event-id'] !== undefined ? { eventKey: eventRef(values['event-id'], values.source, deployment.sources).key } : {}),
      ...(values.json ? {} : { onMessage: (line: string) => console.log(`  ${line}`) }),
    });
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else {
      if (result.method === 'dry-run') for (const m of result.moved) console.log(`  would move ${m.from}${m.eventKey ? ` (${m.eventKey})` : ''}`);
      if (result.taskHandle) console.log(`  move task ${result.taskHandle}`);
      console.log(`redrive (${result.method}): ${result.method === 'move-task' ? 'started' : `${result.moved.length} message(s)`}${result.notes.length ? `; ${result.notes.join('; ')}` : ''}`);
    }
    return 0;
  } finally {
    destroyClients(clients);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`redrive: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
