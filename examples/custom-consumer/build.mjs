#!/usr/bin/env node
// Bundles src/index.ts into dist/consumer.zip (index.js, handler index.handler) for the module's
// consumer_package_path. The zip is reproducible (fixed timestamp), so Terraform only sees a
// change when the code changes.
import { build } from 'esbuild';
import { mkdir, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';

const here = dirname(fileURLToPath(import.meta.url));
const result = await build({
  entryPoints: [join(here, 'src/index.ts')],
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
  write: false,
  outfile: join(here, 'dist/index.js'),
  // The Lambda runtime ships SDK v3, and the ADOT layer only instruments the copy it loads.
  external: ['@aws-sdk/*', '@smithy/*'],
  // esbuild's CommonJS export is getter-only; the ADOT wrapper must be able to redefine `handler`.
  footer: { js: 'module.exports=Object.assign({},module.exports);' },
  logLevel: 'warning',
});
const code = result.outputFiles[0].contents;
await mkdir(join(here, 'dist'), { recursive: true });
await writeFile(join(here, 'dist/index.js'), code);
const zip = new yazl.ZipFile();
zip.addBuffer(Buffer.from(code), 'index.js', { mtime: new Date(2000, 0, 1), mode: 0o100644, forceDosTimestamp: true });
zip.end();
await new Promise((resolve, reject) => zip.outputStream.pipe(createWriteStream(join(here, 'dist/consumer.zip'))).on('close', resolve).on('error', reject));
console.log(`built examples/custom-consumer/dist/consumer.zip (index.js ${code.length} bytes)`);
