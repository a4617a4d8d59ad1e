import { buildSync } from 'esbuild';

/**
 * Loads an ES-module-only package file into Jest's CommonJS world: esbuild bundles it to CommonJS
 * (node built-ins stay external) and the result is evaluated once. For test oracles such as
 * @octokit/webhooks-methods, whose package exports no `require` condition.
 */
export function loadEsmPackage<T>(file: string): T {
  const [output] = buildSync({ entryPoints: [file], bundle: true, format: 'cjs', platform: 'node', target: 'node20', write: false, logLevel: 'silent' }).outputFiles;
  if (!output) throw new Error(`esbuild produced nothing for ${file}`);
  const module = { exports: {} as T };
  new Function('module', 'exports', 'require', output.text)(module, module.exports, require);
  return module.exports;
}
