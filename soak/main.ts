// `make soak`: thousands of signed webhooks through injected faults; exits 1 on any loss,
// doubling or broken trace. SOAK_ARGS="--events N --seed N ..." (see options.ts).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseSoakArgs } from './options';
import { renderReport, reportFailures } from './report';
import { runSoak } from './run';

const ROOT = resolve(__dirname, '..', '..');
const tty = process.stdout.isTTY === true;

function progress(line: string): void {
  if (tty) process.stdout.write(`\r\x1b[2K  ${line.slice(0, (process.stdout.columns ?? 120) - 4)}`);
  else console.log(`  ${line}`);
}

async function main(): Promise<number> {
  let options;
  try {
    options = parseSoakArgs(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  const workDir = join(ROOT, '.soak');
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  console.log(`make soak: ${options.events} events, seed ${options.seed}, ${options.concurrency} senders in parallel${options.fanOut ? ', fan-out to two consumers' : ''}`);
  try {
    const report = await runSoak(options, { root: ROOT, workDir, progress });
    if (tty) process.stdout.write('\r\x1b[2K');
    const text = renderReport(report);
    console.log(`\n${text}`);
    writeFileSync(join(workDir, 'report.json'), JSON.stringify({ ...report, verdict: { ...report.verdict, latenciesMs: undefined } }, null, 2));
    console.log(`\n  report as JSON: .soak/report.json; spans: .soak/spans.jsonl`);
    return reportFailures(report) === 0 ? 0 : 1;
  } catch (error) {
    if (tty) process.stdout.write('\r\x1b[2K');
    console.error(`make soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  }
}

// Exit explicitly: the SDK's keep-alive sockets would otherwise hold the process open.
void main().then((code) => process.exit(code));
