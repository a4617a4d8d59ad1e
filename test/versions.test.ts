// One version for the module (Git tags), the root package.json, the library's package.json, the
// changelog's latest release and the README's `?ref=` examples.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './support/bundle';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const versionOf = (path: string) => (JSON.parse(read(path)) as { version: string }).version;

/** The tracked files a user copies module sources or versions from (docs, examples, Terraform). */
function sources(): string[] {
  const files = execFileSync('git', ['ls-files', '*.md', '*.ts', '*.tf'], { cwd: ROOT, encoding: 'utf8' }).split('\n');
  return files.filter((path) => path !== '' && path !== 'test/versions.test.ts' && !path.startsWith('test/fixtures/'));
}

describe('versions agree', () => {
  const version = versionOf('package.json');

  it('the root package.json and the library\'s package.json', () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(versionOf('functions/lib/package.json')).toBe(version);
  });

  it('the changelog\'s latest release, with a link for every release (Keep a Changelog)', () => {
    const changelog = read('CHANGELOG.md');
    const releases = [...changelog.matchAll(/^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$/gm)].map((match) => match[1]);
    expect(releases[0]).toBe(version);
    expect(releases).toContain('0.1.0');
    expect(changelog).toMatch(/^## \[Unreleased\]$/m);
    for (const release of releases) expect(changelog).toMatch(new RegExp(`^\\[${release.replace(/\./g, '\\.')}\\]: `, 'm'));
  });

  it('every ?ref= and library version range in the tracked docs, examples and Terraform', () => {
    const found: Array<[string, string]> = [];
    for (const path of sources()) {
      const text = read(path);
      for (const [, ref] of text.matchAll(/\?ref=v([0-9][^"\s)`]*)/g)) found.push([path, ref as string]);
      for (const [, range] of text.matchAll(/"@webhook-tracing\/sqs-otel": "\^([^"]+)"/g)) found.push([path, range as string]);
      // The library's tarball and release tag in its install commands.
      for (const [, tarball] of text.matchAll(/webhook-tracing-sqs-otel-(\d+\.\d+\.\d+)\.tgz/g)) found.push([path, tarball as string]);
      for (const [, tag] of text.matchAll(/sqs-otel-v(\d+\.\d+\.\d+)/g)) found.push([path, tag as string]);
    }
    expect(found.length).toBeGreaterThanOrEqual(3);
    expect(found.filter(([, found]) => found !== version)).toEqual([]);
  });

  it('the README shows a ?ref= example', () => {
    expect(read('README.md')).toContain(`?ref=v${version}`);
  });
});
