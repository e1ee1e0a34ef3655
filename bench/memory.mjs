// SPDX-License-Identifier: MIT
// Section 2: memory of the whole browser while loading long files through the element, each in a fresh tab,
// from a media server that answers Range requests (tests/lib/media-server.mjs; WAV synthesised on the fly).
import { readdirSync, readFileSync } from 'node:fs';
import { startMediaServer } from '../tests/lib/media-server.mjs';

export const HEAP_BUDGET = 100e6;
export const FLAT_LIMIT = 1.2; // the 10-hour file's peak (all Chromium processes) over the 10-minute file's, same format
const SETTLE_MS = 3000;        // "after ready": sampled this long after `ready`

const HOUR = 3600;
const FILES = [
  // WAV first, MP3 last: the last tab (the longest MP3) stays open for the redraw section.
  { format: 'WAV', label: '10 min', name: '/ten-min.wav', seconds: 600 },
  { format: 'WAV', label: '1 h', name: '/one-hour.wav', seconds: HOUR },
  { format: 'WAV', label: '3 h', name: '/three-hours.wav', seconds: 3 * HOUR },
  { format: 'WAV', label: '10 h', name: '/ten-hours.wav', seconds: 10 * HOUR, long: true },
  { format: 'MP3', label: '10 min', name: '/ten-min.mp3', media: 'ten-min' },
  { format: 'MP3', label: '1 h', name: '/one-hour.mp3', media: '1h' },
  { format: 'MP3', label: '3 h', name: '/three-hours.mp3', media: '3h' },
  { format: 'MP3', label: '10 h', name: '/ten-hours.mp3', media: '10h', long: true },
];

/**
 * Proportional set size of each process of the browser (the one whose command line names its profile,
 * and its descendants), summed by role: the browser process, the renderers (the page and its worker),
 * and the rest (GPU, network and storage utility processes, zygotes). Bytes; zeros where /proc is unreadable.
 */
export function chromiumMemory(userDataDir) {
  const procs = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
      procs.push({ pid, ppid, cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8') });
    } catch { /* exited meanwhile */ }
  }
  const tree = new Set(procs.filter((p) => p.cmd.includes(userDataDir)).map((p) => p.pid));
  for (let grew = true; grew;) {
    grew = false;
    for (const p of procs) if (tree.has(p.ppid) && !tree.has(p.pid)) { tree.add(p.pid); grew = true; }
  }
  const out = { browser: 0, renderer: 0, other: 0, total: 0 };
  for (const p of procs) {
    if (!tree.has(p.pid)) continue;
    let bytes = 0;
    try {
      bytes = 1024 * Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${p.pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch { /* exited meanwhile */ }
    // Chromium's helpers rewrite their command line as one space-separated string. The browser process is the
    // one without --type; crashpad handlers count as "other".
    const type = /(?:^|[\s\0])--type=([^\s\0]+)/.exec(p.cmd)?.[1];
    const role = type === 'renderer' ? 'renderer' : type === undefined && !/crashpad/i.test(p.cmd) ? 'browser' : 'other';
    out[role] += bytes;
    out.total += bytes;
  }
  return out;
}

const maxOf = (samples, key) => Math.max(0, ...samples.map((s) => s[key] ?? 0));

/**
 * Loads each file in a fresh tab and samples the browser's memory every `sampleMs` (reading smaps_rollup of
 * a dozen processes takes 20 to 100 ms of CPU here, so faster sampling would slow the load it measures) from `src` to SETTLE_MS after `ready`. Returns the rows, the
 * ratios, and the last tab (the longest MP3) still open with its server for the redraw section (the caller
 * closes both).
 */
export async function benchMemory({ bench, media, quick = false, only = null, sampleMs = 200, statsMs = 250, timeoutMs = 600000, log }) {
  let files = FILES.filter((f) => !(quick && f.long));
  // Only the tab the redraw section needs.
  if (only === 'longest MP3') files = [files.findLast((f) => f.format === 'MP3')];
  const served = {};
  for (const f of files) served[f.name] = f.media ? { path: f.media === 'ten-min' ? media.formats.mp3 : media.long[f.media] } : { synth: 'wav', seconds: f.seconds, sampleRate: 48000, channels: 2 };
  const server = await startMediaServer({ files: served });
  const rows = [];
  let editor = null;
  let loads = 0;
  try {
    for (const f of files) {
      log(`memory ${f.format} ${f.label}`);
      await editor?.page.close();
      editor = await bench.newEditor();
      await new Promise((r) => setTimeout(r, 500)); // the new tab's start-up settles
      const dir = bench.browser.userDataDir;
      const before = chromiumMemory(dir);
      const samples = [];
      let sampling = 0;
      const take = () => {
        const t0 = performance.now();
        samples.push({ t: t0, ...chromiumMemory(dir) });
        sampling += performance.now() - t0;
      };
      const timer = setInterval(take, sampleMs);
      const started = performance.now();
      let result = null;
      let error = null;
      let deadline = 0;
      try {
        result = await Promise.race([
          editor.loadUrl(`${server.url(f.name)}?load=${++loads}`, { sampleMs: statsMs }),
          new Promise((_, reject) => { deadline = setTimeout(() => reject(new Error(`not ready after ${timeoutMs / 1000} s`)), timeoutMs); }),
        ]);
      } catch (err) {
        error = err.message.split('\n')[0];
      } finally {
        clearTimeout(deadline);
      }
      const readyAt = performance.now();
      const during = samples.filter((s) => s.t <= readyAt);
      take();
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      clearInterval(timer);
      take();
      const afterReady = samples.at(-1);
      const all = result ? [...result.samples, { ...result.final }] : [];
      rows.push({
        format: f.format, label: f.label, bytes: server.source(f.name).size,
        audioSeconds: result?.duration ?? null, readySeconds: result ? result.ms / 1000 : (readyAt - started) / 1000, error,
        warnings: result?.warnings ?? [],
        before,
        peakDuringLoad: { browser: maxOf(during, 'browser'), renderer: maxOf(during, 'renderer'), other: maxOf(during, 'other'), total: maxOf(during, 'total') },
        peak: { browser: maxOf(samples, 'browser'), renderer: maxOf(samples, 'renderer'), other: maxOf(samples, 'other'), total: maxOf(samples, 'total') },
        afterReady,
        samples: samples.length, sampleMs, samplingCostMs: sampling / samples.length,
        peakWasmHeapBytes: maxOf(all, 'wasmHeapBytes'), peakCoreBytes: maxOf(all, 'coreBytes'), final: result?.final ?? null,
      });
      if (error) log(`memory ${f.format} ${f.label}: ${error}`);
    }
  } catch (err) {
    await server.close();
    throw err;
  }
  const flat = [];
  for (const format of new Set(rows.map((r) => r.format))) {
    const mine = rows.filter((r) => r.format === format);
    const [first, last] = [mine[0], mine.at(-1)];
    if (mine.length < 2) continue;
    const ratio = last.error ? null : last.peak.total / first.peak.total;
    flat.push({
      format, from: first.label, to: last.label, ratio,
      // The target names the 10-hour file; a --quick run's longest is shorter, so it says so.
      verdict: last.error ? 'MISS (failed)' : last.label !== '10 h' ? `(${last.label}: not the target's 10 h)` : ratio <= FLAT_LIMIT ? 'PASS' : 'MISS',
    });
  }
  const lastMp3 = rows.findLast((r) => r.format === 'MP3');
  return { rows, flat, settleMs: SETTLE_MS, editor, redrawLabel: `${lastMp3.label} MP3`, redrawRow: lastMp3, server };
}

/**
 * `node bench/memory.mjs [--quick] [--before DIST]`: this section alone. With --before, the same
 * files are loaded first with the element and worker from DIST (e.g. dist/ with the JS of an
 * earlier commit), then with dist/, in one run, and both are printed side by side.
 */
async function main() {
  const { parseArgs } = await import('node:util');
  const os = await import('node:os');
  const { startBench } = await import('./browser.mjs');
  const { prepareMedia, mediaDir } = await import('./media.mjs');
  const { formatTable, mb, ratio } = await import('./table.mjs');
  const { values: opts } = parseArgs({ options: { quick: { type: 'boolean' }, before: { type: 'string' } } });
  const log = (msg) => process.stderr.write(`memory: ${msg}\n`);
  const media = prepareMedia({ long: opts.quick ? ['1h', '3h'] : ['1h', '3h', '10h'], log: (f) => log(`media ${f}`) });
  const runs = [];
  for (const [name, assetRoot] of [...(opts.before ? [['before', opts.before]] : []), ['after', undefined]]) {
    const bench = await startBench(mediaDir, assetRoot ? { assetRoot } : {});
    try {
      const memory = await benchMemory({ bench, media, quick: !!opts.quick, log: (m) => log(`${name}: ${m}`) });
      await memory.editor?.page.close();
      await memory.server.close();
      runs.push({ name, memory, loadAverage: os.loadavg() });
    } finally {
      await bench.close();
    }
  }
  const mem = (b) => (b / 1e6).toFixed(0);
  console.log(`memory (PSS MB: before the load -> peak / after ready), ${new Date().toISOString()}`);
  for (const { name, memory, loadAverage } of runs) {
    console.log(`\n${name} (load average ${loadAverage.map((l) => l.toFixed(1)).join(' ')} at its end)`);
    console.log(formatTable(['file', 'size', 'to ready', 'browser process', 'renderer', 'total', 'wasm heap peak'],
      memory.rows.map((r) => [`${r.format} ${r.label}`, mb(r.bytes), r.error ? r.error : `${r.readySeconds.toFixed(1)} s`,
        `${mem(r.before.browser)} -> ${mem(r.peak.browser)} / ${mem(r.afterReady.browser)}`,
        `${mem(r.before.renderer)} -> ${mem(r.peak.renderer)} / ${mem(r.afterReady.renderer)}`,
        `${mem(r.before.total)} -> ${mem(r.peak.total)} / ${mem(r.afterReady.total)}`,
        r.peakWasmHeapBytes ? mb(r.peakWasmHeapBytes) : ''])));
    for (const f of memory.flat) console.log(`   ${f.format}: total peak ${f.to} / ${f.from} = ${f.ratio === null ? '-' : ratio(f.ratio)} (target <= ${FLAT_LIMIT}x)  ${f.verdict}`);
  }
}

if (process.argv[1] && import.meta.url === (await import('node:url')).pathToFileURL(process.argv[1]).href) await main();
