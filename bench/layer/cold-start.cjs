// Cold start of one function in a fresh Node 22, as Lambda's init runs it: when bench/run.mjs
// measures under the ADOT layer, NODE_OPTIONS has already `--require`d the layer's wrapper (the
// real distro) before this file runs. Loads the handler from LAMBDA_TASK_ROOT + _HANDLER, where
// the layer's aws-lambda instrumentation wraps it, and prints the milliseconds since the process
// started (node's time origin) and whether the handler came back wrapped.
const { performance } = require('node:perf_hooks');
const { join } = require('node:path');

const [file, exportName] = process.env._HANDLER.split('.');
const handler = require(join(process.env.LAMBDA_TASK_ROOT, `${file}.js`))[exportName];
const ms = performance.now();
if (typeof handler !== 'function') throw new Error(`no ${exportName} export`);
// The instrumentation's shimmer marks what it wraps.
// On a line of its own: the layer logs its start-up to stdout too.
process.stdout.write(`\n${JSON.stringify({ ms, wrapped: handler.__wrapped === true })}\n`);
