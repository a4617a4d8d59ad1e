// Summarizes a V8 .cpuprofile (node --cpu-prof) of the unminified benchmark harness: self time
// per source module and per function. The bundle keeps esbuild's `// path/to/module.js` comment
// before each module's code, so a sample's line number says which module it was in.
import { readFileSync } from 'node:fs';

/** Sorted [firstLine, module] pairs from esbuild's module comments (0-based lines, as V8 reports). */
function moduleStarts(bundlePath) {
  const starts = [];
  readFileSync(bundlePath, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      const match = /^\/\/ ((?:\.\.\/)*[\w@.\-/]+\.(?:[cm]?js|ts))$/.exec(line);
      if (match) starts.push([index, match[1].replace(/^(\.\.\/)+/, '')]);
    });
  return starts;
}

function moduleAt(starts, line) {
  let lo = 0;
  let hi = starts.length - 1;
  let found = '(bundle prelude)';
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid][0] <= line) {
      found = starts[mid][1];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Groups a module path into what the breakdown reports. */
export function groupOf(module) {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(module);
  if (pkg) return pkg[1];
  if (module.startsWith('functions/')) return module;
  if (module.startsWith('bench/')) return 'bench harness';
  return module;
}

/**
 * @returns {{ totalMs: number, groups: Array<{ name: string, ms: number, share: number }>, functions: Array<{ name: string, group: string, ms: number, share: number }> }}
 */
export function summarizeProfile(profilePath, bundlePath, { top = 25, window } = {}) {
  const profile = JSON.parse(readFileSync(profilePath, 'utf8'));
  const starts = moduleStarts(bundlePath);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map();
  // Sample i is stamped startTime + the deltas up to it; `window` ({startUs, endUs}) keeps only
  // the samples taken while the measured work ran.
  let stamp = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    stamp += delta;
    if (window && (stamp < window.startUs || stamp > window.endUs)) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  const groups = new Map();
  const functions = new Map();
  let total = 0;
  for (const [id, us] of selfUs) {
    const { callFrame } = byId.get(id);
    if (callFrame.functionName === '(idle)') continue;
    let group;
    if (callFrame.url.endsWith('.cjs') && callFrame.url.includes('harness')) group = groupOf(moduleAt(starts, callFrame.lineNumber));
    else if (callFrame.url.startsWith('node:')) group = `node: ${callFrame.url.slice(5).split('/')[0] === 'internal' ? callFrame.url.slice(5) : callFrame.url}`;
    else if (callFrame.url === '') group = callFrame.functionName || '(native)';
    else group = callFrame.url;
    total += us;
    groups.set(group, (groups.get(group) ?? 0) + us);
    const fn = `${callFrame.functionName || '(anonymous)'} @ ${group}`;
    functions.set(fn, { name: callFrame.functionName || '(anonymous)', group, us: (functions.get(fn)?.us ?? 0) + us });
  }
  const share = (us) => us / total;
  return {
    totalMs: total / 1000,
    groups: [...groups].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: us / 1000, share: share(us) })),
    functions: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, group: f.group, ms: f.us / 1000, share: share(f.us) })),
  };
}

// CLI: node bench/lib/profile-summary.mjs <profile.cpuprofile> <harness-plain.cjs>
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const summary = summarizeProfile(process.argv[2], process.argv[3]);
  console.log(`total ${summary.totalMs.toFixed(0)} ms of samples (idle excluded)`);
  for (const g of summary.groups.slice(0, 30)) console.log(`${(g.share * 100).toFixed(1).padStart(5)}%  ${g.ms.toFixed(0).padStart(6)} ms  ${g.name}`);
  console.log('--- functions');
  for (const f of summary.functions) console.log(`${(f.share * 100).toFixed(1).padStart(5)}%  ${f.name}  [${f.group}]`);
}
