#!/usr/bin/env node
// Bundles each Lambda handler with esbuild into dist/<name>.zip (index.js, handler index.handler).
// The zips are reproducible: same sources, same bytes, so Terraform's source_code_hash only
// changes when the code does.
import { build } from 'esbuild';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const withLocalRuntime = args.includes('--local-runtime');
const named = args.filter((arg) => !arg.startsWith('--'));
const functions = named.length > 0 ? named : ['producer', 'consumer'];
// DOS timestamps are local time: built from local fields, with no UTC extra field, the bytes
// are the same in every time zone.
const FIXED_MTIME = new Date(2000, 0, 1, 0, 0, 0);

/** Settings shared with anything else that must be bundled the way the functions are (bench/). */
export const bundleOptions = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  // The Lambda runtime ships SDK v3, and ADOT only instruments the copy loaded from node_modules.
  external: ['@aws-sdk/*', '@smithy/*'],
  // esbuild's CommonJS export is a getter-only, non-configurable property; the ADOT wrapper
  // must redefine `handler`, so the exports are copied onto a plain object.
  footer: { js: 'module.exports=Object.assign({},module.exports);' },
  logLevel: 'warning',
};

async function zipFile(entries, target) {
  const zip = new yazl.ZipFile();
  for (const [name, content] of entries) zip.addBuffer(content, name, { mtime: FIXED_MTIME, mode: 0o100644, forceDosTimestamp: true, compress: true });
  zip.end();
  // Written aside and renamed, so a reader (a test, Terraform) never sees half a zip.
  const partial = `${target}.${process.pid}.partial`;
  await new Promise((resolvePromise, reject) => {
    zip.outputStream.pipe(createWriteStream(partial)).on('close', resolvePromise).on('error', reject);
  });
  await rename(partial, target);
}

async function buildFunction(name) {
  const result = await build({
    ...bundleOptions,
    entryPoints: [join(root, 'functions', name, 'index.ts')],
    write: false,
    outfile: join(root, 'dist', name, 'index.js'),
    metafile: true,
  });
  const [output] = result.outputFiles;
  await mkdir(join(root, 'dist', name), { recursive: true });
  await writeFile(join(root, 'dist', name, 'index.js'), output.contents);
  await writeFile(join(root, 'dist', name, 'meta.json'), JSON.stringify(result.metafile));
  const target = join(root, 'dist', `${name}.zip`);
  await zipFile([['index.js', Buffer.from(output.contents)]], target);
  console.log(`built dist/${name}.zip (index.js ${output.contents.length} bytes)`);
}

/**
 * The local runtime's scripts (`make demo`, end-to-end tests): plain node programs that load
 * their packages from node_modules, so the preload instruments the same AWS SDK the functions use.
 */
export async function buildLocalRuntime() {
  await build({
    entryPoints: ['lambda-worker', 'otel-preload', 'demo'].map((name) => join(root, 'local-runtime', `${name}.ts`)),
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outdir: join(root, 'dist', 'local-runtime'),
    logLevel: 'warning',
  });
  // `make soak` (soak/): built beside the runtime it drives.
  await build({
    entryPoints: { soak: join(root, 'soak', 'main.ts') },
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outdir: join(root, 'dist', 'local-runtime'),
    logLevel: 'warning',
  });
  // The stand-in for the ADOT layer that examples/local publishes to the emulator (which rejects
  // layer ARNs it does not know). The local runtime loads the preload itself.
  const preload = await readFile(join(root, 'dist', 'local-runtime', 'otel-preload.js'));
  const wrapper = '#!/bin/bash\n# Local stand-in for the ADOT layer wrapper: registers the OpenTelemetry SDK, then runs the handler.\nexport NODE_OPTIONS="--require /opt/nodejs/otel-preload.js ${NODE_OPTIONS}"\nexec "$@"\n';
  await zipFile([['otel-instrument', Buffer.from(wrapper)], ['nodejs/otel-preload.js', preload]], join(root, 'dist', 'local-runtime', 'adot-standin-layer.zip'));
  console.log('built dist/local-runtime (worker, preload, demo, adot-standin-layer.zip)');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await mkdir(join(root, 'dist'), { recursive: true });
  for (const name of functions) await buildFunction(name);
  if (withLocalRuntime) await buildLocalRuntime();
}
