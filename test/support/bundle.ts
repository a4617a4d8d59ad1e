import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
export { readZip, unpackFunction } from '../../local-runtime/function-package';

export const ROOT = resolve(__dirname, '..', '..');

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
