// dist/producer.zip and dist/consumer.zip are committed (the module must work from a Git ref
// without a build step); CI (scripts/check-dist.sh, run by .ci/run) fails when they are stale.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cloneHead, git, linkNodeModules } from './support/clone';

jest.setTimeout(120_000);

const checkDist = (clone: string) => spawnSync('bash', [join(clone, 'scripts/check-dist.sh')], { cwd: clone, encoding: 'utf8' });

describe('the committed dist/ and the CI check', () => {
  let work: string;
  let clone: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'dist-check-'));
    clone = join(work, 'repo');
    cloneHead(clone);
    linkNodeModules(clone);
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('commits both function zips, and nothing else under dist/', () => {
    expect(git(clone, ['ls-files', 'dist']).split('\n')).toEqual(['dist/consumer.zip', 'dist/producer.zip']);
  });

  it('passes on a clean clone: make build reproduces the committed zips byte for byte (in another folder)', () => {
    const result = checkDist(clone);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(git(clone, ['status', '--porcelain', '--', 'dist'])).toBe('');
  });

  it('fails, saying to run make build and commit, when a function changed without a rebuild', () => {
    appendFileSync(join(clone, 'functions/consumer/index.ts'), '\nconsole.log("changed without a rebuild");\n');
    git(clone, ['commit', '--quiet', '-am', 'change the consumer, forget make build']);
    const result = checkDist(clone);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(' M dist/consumer.zip');
    expect(result.stderr).not.toContain(' M dist/producer.zip');
    expect(result.stderr).toContain('Run `make build` and commit');
  });

  it('fails when the zips are not committed at all', () => {
    git(clone, ['reset', '--quiet', '--hard', 'HEAD~1']);
    git(clone, ['rm', '--quiet', '--cached', 'dist/producer.zip', 'dist/consumer.zip']);
    git(clone, ['commit', '--quiet', '-m', 'uncommit the zips']);
    const result = checkDist(clone);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/\?\? dist\/(producer|consumer)\.zip/);
  });
});
