// SPDX-License-Identifier: MIT
// Decode speed of dist/ against a baseline build, in one run: native ffmpeg, the wasm core in Node and
// <avseg-editor> in Chromium, rounds interleaved (ffmpeg, baseline, current) so that other work on the
// machine weighs on both alike. Reports the best wall and CPU seconds of each and the ratios to ffmpeg.
// Usage: node bench/decode-compare.mjs --baseline DIR [--current DIR] [--formats aac,flac] [--reps 5]
//   DIR: a whole dist/ (web files and wasm) built from the code to compare against; --current defaults to dist/.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startBench } from './browser.mjs';
import { ffmpegRun, childrenCpuSeconds, nodeWasmRun } from './decode.mjs';
import { prepareMedia } from './media.mjs';

const { values: opts } = parseArgs({ options: { baseline: { type: 'string' }, current: { type: 'string' }, formats: { type: 'string', default: 'aac' }, reps: { type: 'string', default: '5' } } });
if (!opts.baseline) throw new Error('usage: node bench/decode-compare.mjs --baseline DIR [--current DIR] [--formats aac,flac] [--reps 5]');
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const builds = { baseline: path.resolve(opts.baseline), current: path.resolve(opts.current ?? dist) };
const reps = Number(opts.reps);

async function loadCoreFrom(dir) {
  const { default: create } = await import(`${pathToFileURL(path.join(dir, 'avseg-core.js')).href}?${encodeURIComponent(dir)}`);
  return create({ wasmBinary: await readFile(path.join(dir, 'avseg-core.wasm')) });
}

const media = prepareMedia({ long: [], log: () => {} });
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`decode-compare ${new Date().toISOString()}, load average at start ${load()}`);
const cores = {}, editors = {}, benches = [];
for (const [name, dir] of Object.entries(builds)) {
  cores[name] = await loadCoreFrom(dir);
  const bench = await startBench(path.dirname(media.warmup), { assetRoot: dir });
  benches.push(bench);
  editors[name] = await bench.newEditor();
  await editors[name].load(media.warmup); // worker start-up and wasm compilation stay out of the figures
}
try {
  for (const format of opts.formats.split(',')) {
    const file = media.formats[format];
    const best = {};
    const keep = (key, run) => {
      const b = best[key] ??= { seconds: Infinity, cpu: Infinity };
      b.seconds = Math.min(b.seconds, run.seconds);
      b.cpu = Math.min(b.cpu, run.cpu);
    };
    for (let i = 0; i < reps; i++) {
      keep('ffmpeg', ffmpegRun(file));
      for (const name of Object.keys(builds)) keep(`${name} Node`, nodeWasmRun(cores[name], file));
      for (const name of Object.keys(builds)) {
        // The other browser idles meanwhile; its CPU time is counted too (all of this process's children).
        const c0 = childrenCpuSeconds();
        const { ms } = await editors[name].load(file);
        keep(`${name} Chromium`, { seconds: ms / 1000, cpu: childrenCpuSeconds() - c0 });
      }
    }
    const ff = best.ffmpeg;
    console.log(`${format} (best of ${reps}): ffmpeg ${ff.seconds.toFixed(3)} s wall, ${ff.cpu.toFixed(3)} s CPU`);
    for (const [key, b] of Object.entries(best)) {
      if (key === 'ffmpeg') continue;
      console.log(`  ${key.padEnd(18)} ${b.seconds.toFixed(3)} s wall (${(ff.seconds / b.seconds).toFixed(2)}x), ${b.cpu.toFixed(3)} s CPU (${(ff.cpu / b.cpu).toFixed(2)}x)`);
    }
  }
} finally {
  for (const e of Object.values(editors)) await e.page.close();
  for (const b of benches) await b.close();
}
console.log(`load average at end ${load()}`);
