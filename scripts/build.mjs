#!/usr/bin/env node
// Bundles each Lambda handler with esbuild into dist/<name>.zip (index.js, handler index.handler).
// The zips are reproducible: same sources, same bytes, so Terraform's source_code_hash only
// changes when the code does.
import { build } from 'esbuild';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const withLocalRuntime = args.includes('--local-runtime');
// `--tools` alone builds only the operator tools (where-is, redrive), not the zips.
const withTools = args.includes('--tools') || withLocalRuntime;
const onlyTools = args.length === 1 && args[0] === '--tools';
const named = args.filter((arg) => !arg.startsWith('--'));
const functions = named.length > 0 ? named : ['producer', 'consumer'];
// DOS timestamps are local time: built from local fields, with no UTC extra field, the bytes
// are the same in every time zone.
const FIXED_MTIME = new Date(2000, 0, 1, 0, 0, 0);

const LIB_DIR = join(root, 'functions', 'lib') + sep;

/**
 * The functions bundle the library's sources, and `make lib` installs the library's own
 * node_modules beside them (for its package build). A package imported from those sources is
 * resolved from the repository root, as if that folder were absent: otherwise a bundle built after
 * `make lib` would carry a second @opentelemetry/api, and the committed zips would depend on
 * whether `make lib` ran.
 */
const libraryPackagesFromRoot = {
  name: 'library-packages-from-root',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, (args) => {
      if (!args.importer.startsWith(LIB_DIR) || args.pluginData === 'from-root') return undefined;
      return pluginBuild.resolve(args.path, { kind: args.kind, resolveDir: root, importer: args.importer, pluginData: 'from-root' });
    });
  },
};

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
  plugins: [libraryPackagesFromRoot],
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
 * their packages from node_modules, so the layer's code (the ADOT distro) instruments the same
 * AWS SDK the functions use. layer-wrapper and layer-lite-wrapper play /opt/wrapper.js and
 * /opt/lite-wrapper.js; they are loaded into the functions' Node 22, hence target node22.
 */
export async function buildLocalRuntime() {
  const result = await build({
    // adot-layer and lambda-node are also read by bench/run.mjs (cold start under the layer).
    entryPoints: {
      ...Object.fromEntries(['lambda-worker', 'layer-wrapper', 'layer-lite-wrapper', 'adot-layer', 'lambda-node', 'demo'].map((name) => [name, join(root, 'local-runtime', `${name}.ts`)])),
      // `make soak` (soak/): built beside the runtime it drives.
      soak: join(root, 'soak', 'main.ts'),
    },
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outdir: join(root, 'dist', 'local-runtime'),
    logLevel: 'warning',
    write: false,
  });
  // Written aside and renamed, like the zips: a test building these while another test's
  // function process starts from them must never let it read half a file.
  await mkdir(join(root, 'dist', 'local-runtime'), { recursive: true });
  for (const file of result.outputFiles) {
    await writeFile(`${file.path}.${process.pid}.partial`, file.contents);
    await rename(`${file.path}.${process.pid}.partial`, file.path);
  }
  // examples/local publishes this to the emulator in place of the ADOT layer, whose ARN the
  // emulator rejects; the emulator runs no code, and the local runtime loads the layer's real
  // code from node_modules itself.
  const note = 'Placeholder for the ADOT layer (AWSOpenTelemetryDistroJs) on the local emulator.\n' +
    'The local runtime runs the real layer code: @aws/aws-distro-opentelemetry-node-autoinstrumentation from node_modules.\n';
  await zipFile([['README.txt', Buffer.from(note)]], join(root, 'dist', 'local-runtime', 'adot-standin-layer.zip'));
  console.log('built dist/local-runtime (worker, layer wrappers, demo, soak, adot-standin-layer.zip)');
}

/** The operator tools (tools/where-is): plain node programs using the AWS SDK from node_modules. */
export async function buildTools() {
  await build({
    entryPoints: { 'where-is': join(root, 'tools/where-is/where-is.ts'), redrive: join(root, 'tools/where-is/redrive-cli.ts') },
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outdir: join(root, 'dist', 'tools'),
    logLevel: 'warning',
  });
  console.log('built dist/tools (where-is, redrive)');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await mkdir(join(root, 'dist'), { recursive: true });
  if (!onlyTools) for (const name of functions) await buildFunction(name);
  if (withLocalRuntime) await buildLocalRuntime();
  if (withTools) await buildTools();
}
