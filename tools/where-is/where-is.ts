#!/usr/bin/env node
// `where-is <eventId>`: what happened to one webhook event, from the table, the DLQ and the
// functions' logs of one deployment. Reads only; see dlq-peek.ts for what a DLQ look touches.
import { DEPLOYMENT_HELP, DEPLOYMENT_OPTIONS, deploymentFlags, parseArgs, parseDuration, positiveInteger } from './args';
import { createClients, destroyClients } from './aws';
import { loadDeployment } from './deployment';
import { eventRef } from './event-ref';
import { locateAcrossConsumers } from './fan-out';
import { locateEvent } from './locate';
import { renderAnswer } from './render';

const HELP = `Usage: where-is <eventId> [options]

Answers one of: stored, dead-lettered, queued (accepted, not processed yet), rejected (at the
gate), never-seen; with the trace id, a trace view link and a Logs Insights link.

  --source NAME              the source the event came in on (webhook_sources' names; default:
                             stripe, /webhook's, whose events keep bare ids)
  --consumer NAME            with fan-out: only this consumer (default: each, e.g. "stored by
                             billing; in notifications' DLQ")
  --since DURATION           how far back to search the logs (default 14d, the DLQ's retention)
  --max-messages N           DLQ messages to read at most (default 100)
  --max-log-events N         log events to read at most per search (default 1000)
${DEPLOYMENT_HELP}`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...DEPLOYMENT_OPTIONS, source: { type: 'string' }, consumer: { type: 'string' }, since: { type: 'string' }, 'max-messages': { type: 'string' }, 'max-log-events': { type: 'string' } },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const [eventId] = positionals;
  if (!eventId || positionals.length > 1) {
    console.error(HELP);
    return 2;
  }
  const deployment = loadDeployment(deploymentFlags(values));
  const clients = createClients(deployment);
  try {
    const event = eventRef(eventId, values.source, deployment.sources);
    const options = {
      windowSeconds: parseDuration(values.since ?? '14d'),
      maxMessages: positiveInteger(values['max-messages'], '--max-messages', 100),
      maxLogEvents: positiveInteger(values['max-log-events'], '--max-log-events', 1000),
    };
    if (values.consumer !== undefined && !deployment.consumers) throw new Error(`--consumer ${values.consumer}: this deployment has one consumer (no fan_out)`);
    // With fan-out, each consumer's answer (its table, queue, DLQ and logs).
    const answer = deployment.consumers
      ? await locateAcrossConsumers(event, deployment, clients, options, values.consumer)
      : await locateEvent(event, deployment, clients, options);
    console.log(values.json ? JSON.stringify(answer, null, 2) : renderAnswer(answer));
    return 0;
  } finally {
    destroyClients(clients);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`where-is: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
