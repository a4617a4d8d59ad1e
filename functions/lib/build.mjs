#!/usr/bin/env node
// Builds the package into dist/: ES modules in dist/esm and CommonJS in dist/cjs, each with its
// own declarations. A package.json in each folder gives Node and TypeScript the format of its
// .js and .d.ts files, so `import` gets ESM with ESM types and `require` gets CommonJS with
// CommonJS types (package.json `exports`). The library keeps no module state, so a program that
// loads both copies behaves the same.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const tsc = join(here, 'node_modules', 'typescript', 'bin', 'tsc');
const formats = [
  // `bundler` resolution reads the sources' './x.js' imports as written, and ESM output keeps them.
  { dir: 'esm', type: 'module', options: ['--module', 'esnext', '--moduleResolution', 'bundler'] },
  // `node16` reads this folder as CommonJS (its package.json says so), as Node will.
  { dir: 'cjs', type: 'commonjs', options: ['--module', 'node16', '--moduleResolution', 'node16'] },
];

rmSync(join(here, 'dist'), { recursive: true, force: true });
for (const { dir, type, options } of formats) {
  execFileSync(process.execPath, [tsc, '-p', join(here, 'tsconfig.json'), '--outDir', join(here, 'dist', dir), ...options], { stdio: 'inherit' });
  writeFileSync(join(here, 'dist', dir, 'package.json'), `${JSON.stringify({ type })}\n`);
}
console.log('built dist/esm (ES modules) and dist/cjs (CommonJS), each with declarations');
