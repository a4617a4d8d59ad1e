#!/usr/bin/env node
// Prints what CI's tail must show, from what `make test` ran (jest's JSON results and the
// `terraform test` summary in the captured log): each failed test with the first lines of its
// failure, since a long run's log is often cut in the middle, then one closing line,
// `tests: N passed, M failed`.
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';

const [jestJson = '.test-results/jest.json', makeLog = '.test-results/make-test.log'] = process.argv.slice(2);
const FAILURE_LINES = 12;
// eslint-disable-next-line no-control-regex
const plain = (text) => text.replace(/\u001b\[[0-9;]*m/g, '');
const firstLines = (text) =>
  plain(text)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(0, FAILURE_LINES)
    .map((line) => `      ${line}`);

let passed = 0;
let failed = 0;
const parts = [];
const failures = [];
if (existsSync(jestJson)) {
  const jest = JSON.parse(readFileSync(jestJson, 'utf8'));
  passed += jest.numPassedTests;
  failed += jest.numFailedTests + (jest.numRuntimeErrorTestSuites ?? 0);
  parts.push(`jest ${jest.numPassedTests}/${jest.numTotalTests}`);
  for (const suite of jest.testResults ?? []) {
    const file = relative(process.cwd(), suite.name);
    const failedTests = (suite.assertionResults ?? []).filter((test) => test.status === 'failed');
    for (const test of failedTests) {
      failures.push(`  ✕ ${file} › ${test.fullName}`, ...firstLines((test.failureMessages ?? []).join('\n')));
    }
    // A suite that failed outside any test (its beforeAll, a syntax error) has only a message.
    if (suite.status === 'failed' && failedTests.length === 0) {
      failures.push(`  ✕ ${file}`, ...firstLines(suite.message ?? ''));
    }
  }
} else {
  parts.push('jest did not run');
}
if (existsSync(makeLog)) {
  const log = readFileSync(makeLog, 'utf8');
  const match = [...log.matchAll(/(?:Success|Failure)! (\d+) passed, (\d+) failed/g)].pop();
  if (match) {
    passed += Number(match[1]);
    failed += Number(match[2]);
    parts.push(`terraform test ${match[1]}/${Number(match[1]) + Number(match[2])}`);
  } else {
    parts.push('terraform test did not run');
  }
  for (const line of log.split('\n')) {
    if (/^\s*run "[^"]+"\.\.\. fail/.test(line) || /^---- FAILED/.test(line)) failures.push(`  ✕ terraform: ${line.trim()}`);
  }
}
if (failures.length > 0) console.log(['failed:', ...failures].join('\n'));
console.log(`(${parts.join(', ')})`);
console.log(`tests: ${passed} passed, ${failed} failed`);
