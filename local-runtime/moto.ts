import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export interface MotoServer {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

function assertInstalled(): void {
  const probe = spawnSync('moto_server', ['--help'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    throw new Error('moto_server is not installed or not on PATH: the demo and the tests emulate AWS with it (pip install "moto[server]")');
  }
}

async function waitUntilUp(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms`);
}

/** How moto_server (werkzeug) names the address it bound: ` * Running on http://127.0.0.1:41373`. */
const RUNNING_ON = /Running on http:\/\/127\.0\.0\.1:(\d+)/;

/**
 * The port moto_server bound, read from its log. It binds port 0 itself: a port picked here and
 * handed to it could be taken by another process in between (jest runs test files side by side),
 * and two emulators answering on one port mix their state and outlive their owner.
 */
function boundPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let log = '';
    const fail = (why: string) => {
      cleanup();
      reject(new Error(`moto_server ${why}; its output:\n${log.slice(-2000)}`));
    };
    const onData = (chunk: Buffer) => {
      log += chunk.toString('utf8');
      const match = RUNNING_ON.exec(log);
      if (match) {
        cleanup();
        resolve(Number(match[1]));
      }
    };
    const onExit = (code: number | null) => fail(`exited with code ${code} before it was ready`);
    const timer = setTimeout(() => fail(`did not say which port it bound within ${timeoutMs} ms`), timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Starts moto_server on a loopback port of its own choosing; `stop()` ends it. */
export async function startMoto(extraEnv: Record<string, string> = {}): Promise<MotoServer> {
  assertInstalled();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true', ...extraEnv },
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let port: number;
  let endpoint: string;
  try {
    port = await boundPort(child, 30_000);
    // It logs every request on stderr from now on: read and drop it, or a full pipe stalls it.
    child.stderr?.resume();
    endpoint = `http://127.0.0.1:${port}`;
    await waitUntilUp(endpoint, child, 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    endpoint,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        process.removeListener('exit', killOnExit);
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
