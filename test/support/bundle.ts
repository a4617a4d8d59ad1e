import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import yauzl from 'yauzl';

export const ROOT = resolve(__dirname, '..', '..');

/** Every entry of a zip, by name. */
export function readZip(path: string): Promise<Map<string, Buffer>> {
  return new Promise((resolvePromise, reject) => {
    yauzl.open(path, { lazyEntries: true }, (openError, zip) => {
      if (openError || !zip) return reject(openError);
      const entries = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolvePromise(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/** Unpacks a function zip into a fresh folder, as Lambda does into /var/task. */
export async function unpackFunction(zipPath: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'task-'));
  for (const [name, content] of await readZip(zipPath)) writeFileSync(join(dir, name), content);
  return dir;
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `script` in a fresh node process whose working folder is the unpacked function. The AWS
 * SDK is found outside the bundle (NODE_PATH), as the Lambda runtime provides it.
 */
export function runInTaskProcess(taskDir: string, script: string, env: Record<string, string> = {}): RunResult {
  const result = spawnSync(process.execPath, ['-e', script], {
    cwd: taskDir,
    // NODE_NO_WARNINGS: the SDK warns that local Node 20 is old; Lambda runs nodejs22.x.
    env: { PATH: process.env.PATH ?? '', NODE_PATH: join(ROOT, 'node_modules'), AWS_REGION: 'us-east-1', NODE_NO_WARNINGS: '1', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
