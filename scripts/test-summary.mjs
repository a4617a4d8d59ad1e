#!/usr/bin/env node
// Prints one closing line for CI, `tests: N passed, M failed`, from what `make test` ran:
// jest's JSON results and the `terraform test` summary in the captured log.
import { existsSync, readFileSync } from 'node:fs';

const [jestJson = '.test-results/jest.json', makeLog = '.test-results/make-test.log'] = process.argv.slice(2);
let passed = 0;
let failed = 0;
const parts = [];
if (existsSync(jestJson)) {
  const jest = JSON.parse(readFileSync(jestJson, 'utf8'));
  passed += jest.numPassedTests;
  failed += jest.numFailedTests + (jest.numRuntimeErrorTestSuites ?? 0);
  parts.push(`jest ${jest.numPassedTests}/${jest.numTotalTests}`);
} else {
  parts.push('jest did not run');
}
if (existsSync(makeLog)) {
  const match = [...readFileSync(makeLog, 'utf8').matchAll(/(?:Success|Failure)! (\d+) passed, (\d+) failed/g)].pop();
  if (match) {
    passed += Number(match[1]);
    failed += Number(match[2]);
    parts.push(`terraform test ${match[1]}/${Number(match[1]) + Number(match[2])}`);
  } else {
    parts.push('terraform test did not run');
  }
}
console.log(`(${parts.join(', ')})`);
console.log(`tests: ${passed} passed, ${failed} failed`);
