// CI's closing lines (scripts/test-summary.mjs): a failed test must be named, with its reason,
// at the end of the log, since a long CI log is cut in the middle.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './support/bundle';

function summarize(jest: object | undefined, makeLog: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'test-summary-'));
  const jestPath = join(dir, 'jest.json');
  if (jest) writeFileSync(jestPath, JSON.stringify(jest));
  writeFileSync(join(dir, 'make-test.log'), makeLog);
  return execFileSync(process.execPath, [join(ROOT, 'scripts/test-summary.mjs'), jestPath, join(dir, 'make-test.log')], { cwd: ROOT, encoding: 'utf8' });
}

const suite = (name: string, tests: { fullName: string; status: string; failureMessages: string[] }[], message = '') => ({
  name: join(ROOT, name),
  status: tests.some((t) => t.status === 'failed') || message ? 'failed' : 'passed',
  message,
  assertionResults: tests,
});

describe('CI test summary', () => {
  it('counts jest and terraform test together', () => {
    const out = summarize(
      { numPassedTests: 5, numFailedTests: 0, numTotalTests: 5, numRuntimeErrorTestSuites: 0, testResults: [suite('test/a.test.ts', [{ fullName: 'a works', status: 'passed', failureMessages: [] }])] },
      'Success! 7 passed, 0 failed.\n',
    );
    expect(out.trim().split('\n')).toEqual(['(jest 5/5, terraform test 7/7)', 'tests: 12 passed, 0 failed']);
  });

  it('names each failed test with the first lines of its failure, without colour codes', () => {
    const failure = 'Error: \u001b[2mexpect(\u001b[22mreceived).toEqual(expected)\n\nExpected: []\nReceived: ["evt_7"]\n' + Array.from({ length: 30 }, (_, i) => `    at frame ${i}`).join('\n');
    const out = summarize(
      {
        numPassedTests: 1,
        numFailedTests: 1,
        numTotalTests: 2,
        numRuntimeErrorTestSuites: 1,
        testResults: [
          suite('test/soak.test.ts', [
            { fullName: 'make soak lost nothing', status: 'failed', failureMessages: [failure] },
            { fullName: 'make soak left nothing running', status: 'passed', failureMessages: [] },
          ]),
          suite('test/broken.test.ts', [], '  ● Test suite failed to run\n\n    SyntaxError: oops'),
        ],
      },
      '  run "kms_key"... fail\n---- FAILED: terraform test\nFailure! 9 passed, 1 failed.\n',
    );
    expect(out).toContain('  ✕ test/soak.test.ts › make soak lost nothing\n      Error: expect(received).toEqual(expected)\n      Expected: []\n      Received: ["evt_7"]');
    expect(out).not.toContain('left nothing running');
    expect(out).not.toContain('\u001b[');
    expect(out).not.toContain('frame 20');
    expect(out).toContain('  ✕ test/broken.test.ts\n        ● Test suite failed to run\n          SyntaxError: oops');
    expect(out).toContain('  ✕ terraform: run "kms_key"... fail');
    expect(out.trim().split('\n').slice(-2)).toEqual(['(jest 1/2, terraform test 9/10)', 'tests: 10 passed, 3 failed']);
  });

  it('says when jest did not run', () => {
    expect(summarize(undefined, 'Success! 1 passed, 0 failed.\n')).toContain('(jest did not run, terraform test 1/1)');
  });
});
