#!/usr/bin/env node
// Generates the inputs/outputs tables of a module (variables.tf, outputs.tf) into its README.md,
// between <!-- BEGIN_TF_DOCS --> and <!-- END_TF_DOCS -->: the root module and each submodule
// whose README.md has those markers (the ones a user calls on their own). terraform-docs is
// not needed: @cdktf/hcl2json parses the HCL.
//
//   node scripts/terraform-docs.mjs           rewrite the tables
//   node scripts/terraform-docs.mjs --check   exit 1 when the tables are out of date
import { createRequire } from 'node:module';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { parse } = require('@cdktf/hcl2json');

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Module folders (relative to the root) whose README.md carries generated tables. */
const MODULES = ['.', 'modules/account-setup'];
const BEGIN = '<!-- BEGIN_TF_DOCS -->';
const END = '<!-- END_TF_DOCS -->';

/** hcl2json writes expressions as "${...}". */
function expression(value) {
  return typeof value === 'string' ? value.replace(/^\$\{([\s\S]*)\}$/, '$1') : value;
}

function cell(text) {
  return String(text)
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ');
}

function plain(text) {
  return String(text).replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function code(text) {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

function defaultCell(variable) {
  if (!Object.prototype.hasOwnProperty.call(variable, 'default')) return 'n/a';
  const value = variable.default;
  if (value === null) return code('null');
  if (typeof value === 'string') return code(JSON.stringify(value));
  return code(JSON.stringify(value));
}

async function load(dir, file) {
  return parse(file, await readFile(join(root, dir, file), 'utf8'));
}

export async function render(dir = '.') {
  const variables = (await load(dir, 'variables.tf')).variable ?? {};
  const outputs = (await load(dir, 'outputs.tf')).output ?? {};

  const inputRows = Object.entries(variables)
    .map(([name, [variable]]) => ({ name, variable }))
    .sort((a, b) => {
      const ra = Object.prototype.hasOwnProperty.call(a.variable, 'default') ? 1 : 0;
      const rb = Object.prototype.hasOwnProperty.call(b.variable, 'default') ? 1 : 0;
      return ra - rb || a.name.localeCompare(b.name);
    })
    .map(({ name, variable }) => {
      const required = Object.prototype.hasOwnProperty.call(variable, 'default') ? 'no' : 'yes';
      const type = plain(expression(variable.type ?? 'any'));
      return `| ${code(name)} | ${cell(variable.description ?? '')} | ${code(type)} | ${plain(defaultCell(variable))} | ${required} |`;
    });

  const outputRows = Object.entries(outputs)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, [output]]) => `| ${code(name)} | ${cell(output.description ?? '')} |`);

  return [
    BEGIN,
    '### Inputs',
    '',
    '| Name | Description | Type | Default | Required |',
    '|------|-------------|------|---------|:--------:|',
    ...inputRows,
    '',
    '### Outputs',
    '',
    '| Name | Description |',
    '|------|-------------|',
    ...outputRows,
    END,
  ].join('\n');
}

/** Returns whether the README was (or, with check, would be) changed. */
async function updateReadme(dir, check) {
  const target = join(root, dir, 'README.md');
  const label = join(dir, 'README.md');
  const current = await readFile(target, 'utf8');
  const start = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  if (start < 0 || end < start) {
    console.error(`${target} has no ${BEGIN} ... ${END} block`);
    process.exit(2);
  }
  const next = current.slice(0, start) + (await render(dir)) + current.slice(end + END.length);
  if (check) {
    if (next !== current) {
      console.error(`${label}: the inputs/outputs tables are out of date with variables.tf/outputs.tf.`);
      console.error('Run `make docs` (or `node scripts/terraform-docs.mjs`) and commit the result.');
      return true;
    }
    console.log(`${label}: inputs/outputs tables are in sync.`);
    return false;
  }
  if (next !== current) await writeFile(target, next);
  console.log(`${label}: ${next !== current ? 'updated' : 'already up to date'}.`);
  return next !== current;
}

async function main() {
  const check = process.argv.includes('--check');
  let stale = false;
  for (const dir of MODULES) stale = (await updateReadme(dir, check)) || stale;
  if (check && stale) process.exit(1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
