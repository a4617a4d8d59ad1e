import { execFileSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './bundle';

export function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/**
 * A clone of the repository's HEAD commit: only what is committed, as a user (or CI) gets it.
 * Uncommitted changes in the working tree are deliberately not in it.
 */
export function cloneHead(target: string): string {
  const head = git(ROOT, ['rev-parse', 'HEAD']);
  execFileSync('git', ['clone', '--quiet', '--no-checkout', ROOT, target], { stdio: 'pipe' });
  git(target, ['checkout', '--quiet', '--detach', head]);
  git(target, ['config', 'user.email', 'test@example.invalid']);
  git(target, ['config', 'user.name', 'test']);
  return head;
}

/** Lets scripts in a clone use the root's installed packages (read only: nothing installs into it). */
export function linkNodeModules(clone: string): void {
  symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
}
