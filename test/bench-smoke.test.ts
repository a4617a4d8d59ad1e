import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

// A smoke run of `make bench` (issue 5): every measurement runs a few iterations and reports
// numbers for ours and for the Powertools baseline. The figures are not checked, only that all
// twelve measurements are there with positive numbers (a missing one fails the test); 7 and 8 run
// under the ADOT layer's real code on Node 22.
const ROOT = resolve(__dirname, '..');

interface Stat {
  median: number;
  min: number;
  max: number;
}
type Row = Record<string, unknown>;
interface Measurement {
  rows: Row[];
}

const isPositive = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value) && value > 0;
const isStat = (value: unknown): boolean => {
  const stat = value as Stat;
  return typeof value === 'object' && value !== null && isPositive(stat.median) && isPositive(stat.min) && isPositive(stat.max) && stat.min <= stat.median && stat.median <= stat.max;
};
const isFigure = (value: unknown) => isPositive(value) || isStat(value);

describe('bench/run.mjs --quick --json', () => {
  let report: { mode: string; measurements: Record<string, Measurement>; targets: unknown[]; machine: Record<string, unknown> };

  beforeAll(() => {
    const run = spawnSync(process.execPath, [join(ROOT, 'bench', 'run.mjs'), '--quick', '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 600_000, maxBuffer: 16 * 1024 * 1024 });
    if (run.status !== 0) throw new Error(`bench exited ${run.status ?? run.signal}:\n${run.stderr}`);
    report = JSON.parse(run.stdout);
  }, 620_000);

  const measurement = (name: string): Measurement => {
    const found = report.measurements[name];
    if (!found || !Array.isArray(found.rows) || found.rows.length === 0) throw new Error(`measurement ${name} is missing`);
    return found;
  };

  it('is a quick run with the machine described', () => {
    expect(report.mode).toBe('quick');
    expect(isPositive(report.machine.nproc)).toBe(true);
    expect(String(report.machine.node)).toMatch(/^v\d+/);
  });

  it('has exactly the twelve measurements', () => {
    expect(Object.keys(report.measurements).sort()).toEqual(['batchLatency', 'coldInit', 'consumerThroughput', 'layerColdStart', 'layerTracingCost', 'memory', 'producer', 'producerSchemes', 'throttling', 'tracingCost', 'tracingOverhead', 'zipSize']);
  });

  it.each(['zipSize', 'coldInit', 'consumerThroughput', 'batchLatency', 'layerColdStart'])('%s: ours, the baseline and the ratio are positive numbers in every row', (name) => {
    for (const row of measurement(name).rows) {
      expect({ row: row.name, ours: isFigure(row.ours) }).toEqual({ row: row.name, ours: true });
      expect({ row: row.name, baseline: isFigure(row.baseline) }).toEqual({ row: row.name, baseline: true });
      expect({ row: row.name, ratio: isPositive(row.ratio) }).toEqual({ row: row.name, ratio: true });
    }
  });

  it('zipSize covers the producer and the consumer', () => {
    expect(measurement('zipSize').rows.map((row) => row.name)).toEqual(['producer.zip', 'consumer.zip']);
  });

  it('coldInit covers both functions, with and without the AWS SDK counted', () => {
    expect(measurement('coldInit').rows.map((row) => `${row.bundle}/${row.kind}`).sort()).toEqual(['consumer/full', 'consumer/own', 'producer/full', 'producer/own']);
  });

  it('consumerThroughput and tracingOverhead cover batches of 1, 10 and 100', () => {
    expect(measurement('consumerThroughput').rows.map((row) => row.batchSize)).toEqual([1, 10, 100]);
    const overhead = measurement('tracingOverhead').rows;
    expect(overhead.map((row) => row.batchSize)).toEqual([1, 10, 100]);
    for (const row of overhead) {
      expect(isStat(row.traced) && isStat(row.untraced) && isPositive(row.ratio)).toBe(true);
      expect(typeof row.overheadPercent === 'number' && Number.isFinite(row.overheadPercent)).toBe(true);
    }
  });

  it('batchLatency covers batches of 10, 100 and 1,000 and counts the DynamoDB calls each side made', () => {
    const rows = measurement('batchLatency').rows;
    expect(rows.map((row) => row.batchSize)).toEqual([10, 100, 1000]);
    for (const row of rows) {
      const calls = row.dynamodbCallsPerRecord as { ours: Record<string, number>; baseline: Record<string, number> };
      const total = (perOp: Record<string, number>) => Object.values(perOp).reduce((sum, n) => sum + n, 0);
      expect(total(calls.ours)).toBeGreaterThan(0);
      expect(total(calls.baseline)).toBeGreaterThan(0);
    }
  });

  it('producer covers 1 KiB and 100 KiB payloads', () => {
    const rows = measurement('producer').rows;
    expect(rows.map((row) => row.payloadBytes)).toEqual([1024, 102400]);
    for (const row of rows) expect(isStat(row.ours)).toBe(true);
  });

  it('producerSchemes reports p50 and p99 for each sender’s scheme with a 100 KiB body, beside the deadlines Slack, Shopify and GitHub give', () => {
    const rows = measurement('producerSchemes').rows;
    expect(rows.map((row) => row.name)).toEqual(['stripe', 'github', 'standard-webhooks', 'shopify', 'slack']);
    for (const row of rows) {
      expect({ scheme: row.name, bytes: row.payloadBytes, p50: isPositive(row.p50), p99: isPositive(row.p99), ordered: (row.p50 as number) <= (row.p99 as number) }).toEqual({ scheme: row.name, bytes: 102400, p50: true, p99: true, ordered: true });
    }
    expect(Object.fromEntries(rows.map((row) => [row.name, row.deadlineMs]))).toEqual({ stripe: null, github: 10000, 'standard-webhooks': null, shopify: 5000, slack: 3000 });
  });

  it('layerColdStart compares ours and the baseline with no layer, the full SDK and fast start', () => {
    expect(measurement('layerColdStart').rows.map((row) => row.name)).toEqual(['no layer', 'layer, full SDK', 'layer, fast start (lite)']);
  });

  it("layerTracingCost measures the layer's full SDK and lite mode against no layer, batches of 1 and 10", () => {
    const rows = measurement('layerTracingCost').rows;
    expect(rows.map((row) => row.name)).toEqual(['layer, full SDK, batch of 1', 'layer, full SDK, batch of 10', 'layer, fast start (lite), batch of 1', 'layer, fast start (lite), batch of 10']);
    for (const row of rows) expect(isStat(row.traced) && isStat(row.untraced) && typeof row.addedMicrosPerRecord === 'number').toBe(true);
  });

  it('throttling: a share of calls was throttled and every record was still stored', () => {
    const [row] = measurement('throttling').rows as Array<Record<string, unknown> & { batchSize: number }>;
    expect(isStat(row!.cleanMs) && isStat(row!.throttledMs) && isStat(row!.throttledCalls)).toBe(true);
    expect({ stored: row!.stored, failed: row!.failed }).toEqual({ stored: row!.batchSize, failed: 0 });
  });

  it('memory: peak RSS of one large batch, every record traced', () => {
    const [row] = measurement('memory').rows;
    expect(isPositive(row!.peakRssMiB) && isPositive(row!.eventBytes)).toBe(true);
    expect(row!.spans).toBe(row!.records);
  });

  it('tracingCost: traced and untraced CPU per record, and a profile naming our modules', () => {
    const found = measurement('tracingCost') as Measurement & { profile: { groups: Array<{ name: string; share: number }> } };
    const [row] = found.rows;
    expect(isStat(row!.traced) && isStat(row!.untraced)).toBe(true);
    expect(found.profile.groups.length).toBeGreaterThan(0);
    expect(found.profile.groups.some((group) => group.name.startsWith('functions/'))).toBe(true);
  });

  it('reports every target with a verdict, and none on zip size or cold init', () => {
    expect(report.targets.length).toBeGreaterThanOrEqual(9);
    expect((report.targets as Array<{ target: string }>).filter((t) => /zip|cold init/.test(t.target))).toEqual([]);
    for (const target of report.targets as Array<{ met: unknown }>) expect(typeof target.met).toBe('boolean');
  });
});
