// A small seeded `make soak` in the test suite: a few hundred signed webhooks through every fault
// kind, on the emulator with the built zips; fails on any loss, doubling or broken trace.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failures } from '../soak/checks';
import { DEFAULT_OPTIONS, faultKindsFor, type SoakOptions } from '../soak/options';
import { renderReport, type SoakReport } from '../soak/report';
import { runSoak } from '../soak/run';
import { ROOT } from './support/bundle';

jest.setTimeout(600_000);

const OPTIONS: SoakOptions = {
  ...DEFAULT_OPTIONS,
  events: 150,
  pollers: 1,
  seed: 7,
  redeliverRate: 0.1,
  poisonRate: 0.005,
  forgedRate: 0.01,
  // A visibility timeout of 24 s: the poison event's three receives fit in the run.
  consumerTimeoutSeconds: 4,
  sqsOutageMs: 2000,
  secretsOutageMs: 2000,
  everyFaultOnce: true,
  faults: { sqsThrottle: 0.05, sqsServerError: 0.03, sqsSlow: 0.005, dynamoThrottle: 0.05, dynamoServerError: 0.03, dynamoLatency: 0.02, consumerStall: 0.003, consumerKill: 0.003 },
  settleTimeoutMs: 150_000,
};

/** This process's children still alive (the functions' processes, moto_server), but not ps itself. */
function childPids(): string[] {
  const out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/ ps$/.test(line));
}

const listening = (endpoint: string) =>
  new Promise<boolean>((resolve) => {
    const { hostname, port } = new URL(endpoint);
    const socket = connect(Number(port), hostname, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

describe('make soak, small and seeded', () => {
  let report: SoakReport;
  let before: string[];

  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--local-runtime'], { cwd: ROOT, stdio: 'pipe' });
    before = childPids();
    report = await runSoak(OPTIONS, { root: ROOT, workDir: mkdtempSync(join(tmpdir(), 'soak-')), progress: () => undefined });
    // The closing table, for whoever reads the test log.
    console.log(renderReport(report));
  }, 600_000);

  it('fired every fault kind at least once', () => {
    expect(faultKindsFor('sqs').filter((kind) => report.faults[kind] === 0)).toEqual([]);
    expect(report.consumer.failedInvocations['Sandbox.Timedout']).toBeGreaterThanOrEqual(1);
    expect(report.consumer.failedInvocations['Runtime.ExitError']).toBeGreaterThanOrEqual(1);
  });

  it('sent like Stripe: retries after refusals and timeouts, redeliveries after a 2xx, forged events refused', () => {
    const causes = Object.keys(report.retriesByCause);
    expect(causes).toEqual(expect.arrayContaining(['503 queue unavailable', '503 verification unavailable', 'timeout', '401 no matching signature']));
    expect(report.redeliveries).toBeGreaterThan(0);
    expect(report.events.poison).toBeGreaterThanOrEqual(1);
    expect(report.events.forged).toBeGreaterThanOrEqual(1);
  });

  it('lost nothing, doubled nothing, kept every trace whole', () => {
    const { verdict } = report;
    expect(verdict.lost).toEqual([]);
    expect(verdict.doubled).toEqual([]);
    expect(verdict.storedWithoutAcceptance).toEqual([]);
    expect(verdict.deadLetteredOthers).toEqual([]);
    expect(verdict.itemCountDifference).toBe(0);
    expect(verdict.brokenTraces).toEqual([]);
    // Under the local AWS's enforcement: nothing was refused that a real account would refuse,
    // and the traces checked are those X-Ray sampled (some must be).
    expect(verdict.refused).toEqual([]);
    expect(verdict.sampledStored).toBeGreaterThan(0);
    expect(verdict.crossWired).toBe(0);
    expect(verdict.queueRemaining).toBe(0);
    expect(failures(verdict)).toBe(0);
  });

  it('dead-lettered every accepted poison event', () => {
    expect(report.verdict.acceptedPoison).toBe(report.events.poison);
    expect(report.deadLetterMessages).toBeGreaterThanOrEqual(report.events.poison);
  });

  it('left nothing running', async () => {
    expect(childPids().filter((pid) => !before.includes(pid))).toEqual([]);
    expect(await listening(report.endpoints.moto)).toBe(false);
    expect(await listening(report.endpoints.localAws)).toBe(false);
    expect(await listening(report.endpoints.localAwsTls)).toBe(false);
  });
});
