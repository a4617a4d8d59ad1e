import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REGION, type LocalStack } from './local-stack';

/**
 * The demo's last step: "what happened to this event?" answered by where-is, run as a person
 * would, against the emulator's table, DLQ and CloudWatch Logs. Returns whether it said stored.
 */
export async function runWhereIs(root: string, workDir: string, stack: LocalStack, eventId: string, source?: string): Promise<boolean> {
  const outputsFile = join(workDir, 'outputs.json');
  writeFileSync(outputsFile, JSON.stringify(stack.outputs, null, 2));
  // The functions' last log lines reach CloudWatch Logs within a flush interval.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const script = join(root, 'dist/tools/where-is.js');
  // The emulator's queue URLs name no region, so it is given.
  const args = [eventId, ...(source ? ['--source', source] : []), '--outputs-file', outputsFile, '--endpoint', stack.moto.endpoint, '--region', REGION];
  console.log(`\n  where-is: what happened to ${source ? `${source}'s ` : ''}${eventId}?`);
  console.log(`  $ node ${relative(process.cwd(), script)} ${args.map((arg) => (arg === outputsFile ? relative(process.cwd(), arg) : arg)).join(' ')}`);
  const output = await new Promise<{ ok: boolean; text: string }>((resolve) => {
    execFile(process.execPath, ['--no-warnings', script, ...args], { encoding: 'utf8' }, (error, stdout, stderr) => resolve({ ok: !error, text: stdout + stderr }));
  });
  console.log(output.text.trimEnd().replace(/^/gm, '    '));
  // `<id>: STORED`, or `<id> (<source>, key <source>#<id>): STORED` for a source's event.
  const headline = output.text.split('\n')[0] ?? '';
  return output.ok && headline.startsWith(eventId) && headline.includes(': STORED');
}
