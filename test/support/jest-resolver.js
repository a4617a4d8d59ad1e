// How Jest finds modules for the tracing library's sources (functions/lib), which are written for
// its npm package: a relative import names the compiled file ('./extract.js', as Node's ES module
// loader needs), which is the TypeScript source './extract.ts' here; and a package they import
// comes from the repository root, not from the library's own node_modules (installed by
// `make lib` for its package build), so a test never loads a second @opentelemetry/api. The
// functions' bundles resolve the same way (scripts/build.mjs).
const { join, sep } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const LIB = join(ROOT, 'functions', 'lib') + sep;

module.exports = (request, options) => {
  // basedir is the importing file's folder: the library's own, or one below it (its node_modules).
  if (!(options.basedir + sep).startsWith(LIB)) return options.defaultResolver(request, options);
  if (request.startsWith('.')) return options.defaultResolver(request.replace(/\.js$/, '.ts'), options);
  return options.defaultResolver(request, { ...options, basedir: ROOT });
};
