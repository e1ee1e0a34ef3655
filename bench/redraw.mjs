// SPDX-License-Identifier: MIT
// Section 3: main-view redraw latency, zoomTo -> avseg-rendered: random jumps to each zoom level, step-by-step zooms
// in and out around a point (what the decoded-window cache and prefetch serve), and panning at sample level.
// Also runnable on its own: node bench/redraw.mjs [--dist DIR] [--file 10h|1h] [--quick] [--latency MS] [--jumps-only]
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { MAIN_WIDTH, startBench } from './browser.mjs';
import { prepareMedia, mediaDir } from './media.mjs';
import { formatTable, ms, clock } from './table.mjs';

// 40 s is just under the span where a 10-hour file's coarsened pyramid base (1024 frames a bin) gives way
// to on-demand decoding: the largest decode, and sample cache, a 1920-px view can ask for.
const SPANS = [36000, 3600, 600, 60, 40, 10, 1, MAIN_WIDTH / 48000, MAIN_WIDTH / 48000 / 8];
// Zoom ladders halve the span from the whole file down to this many samples per pixel, then double it back.
const LADDER_MIN_SPP = 10;
// The pause between two zoom steps (a reader pressing + or - again), during which the worker may prefetch.
export const ZOOM_IDLE_MS = 250;
// Pans of a tenth of a span, one right after the other was painted (a drag), at these samples per pixel.
const PAN_SPP = [1000, 100, 10, 1];
export const ZOOM_TARGET = { medianMs: 25, p95Ms: 50 };

const quantile = (values, q) => {
  const v = [...values].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)];
};

export async function benchRedraw({ editor, n, seed = 1 }) {
  const duration = await editor.page.evaluate(() => document.querySelector('avseg-editor').duration);
  const spans = [duration, ...SPANS.filter((s) => s < duration * 0.99)];
  // The worker's frames, for where the time went (bench/browser.mjs keeps the worker): each jump and pan
  // ends with one final frame, so the last 2n per level are theirs, in order.
  await editor.page.evaluate(() => {
    window.benchJumpFrames = [];
    let parts = [];
    window.benchWorker?.worker?.addEventListener('message', (e) => {
      const m = e.data;
      if (m?.type !== 'frame' || m.target !== 'main') return;
      parts.push(m);
      if (m.interim) return;
      const at = performance.timeOrigin + performance.now();
      window.benchJumpFrames.push({ workerMs: m.posted - m.received, deliveryMs: at - m.posted, renderMs: parts.reduce((a, f) => a + (f.renderMs ?? 0), 0),
        interims: parts.length - 1, decoded: !!m.decoded });
      parts = [];
    });
  });
  const result = await editor.redraw({ spans, n, seed });
  const frames = (await editor.page.evaluate(() => window.benchJumpFrames)).slice(-2 * n * spans.length);
  if (frames.length === 2 * n * spans.length) {
    result.levels.forEach((level, i) => level.rows.forEach((row, j) => {
      row.jump = frames[2 * (i * n + j)];
      row.pan = frames[2 * (i * n + j) + 1];
    }));
  }
  if (result.width !== MAIN_WIDTH) throw new Error(`main canvas is ${result.width} px, not ${MAIN_WIDTH}`);
  const levels = result.levels.map(({ span, whole, rows }) => {
    const ms = rows.map((r) => r.ms);
    const pan = rows.map((r) => r.panMs);
    const fromSamples = rows.filter((r) => r.fromSamples).length;
    const split = (key) => (rows[0]?.jump ? quantile(rows.map((r) => r.jump[key]), 0.5) : NaN);
    return {
      span, whole, samplesPerPixel: (span * result.sampleRate) / result.width,
      medianMs: quantile(ms, 0.5), p95Ms: quantile(ms, 0.95), maxMs: Math.max(...ms),
      panMedianMs: quantile(pan, 0.5), panP95Ms: quantile(pan, 0.95),
      workerMedianMs: split('workerMs'), renderMedianMs: split('renderMs'),
      fromSamples: fromSamples === 0 ? 'no' : fromSamples === rows.length ? 'yes' : `${fromSamples}/${rows.length}`,
      rows,
    };
  });
  const after = await editor.page.evaluate(() => document.querySelector('avseg-editor').stats());
  return { duration: result.duration, width: result.width, frameMs: result.frameMs, n, levels, statsAfter: { coreBytes: after.coreBytes, wasmHeapBytes: after.wasmHeapBytes } };
}

/**
 * Zoom ladders: from the whole file, zoomTo half the span around one point, again and again down to ~10 samples/px,
 * then back out, pausing `idleMs` after each painted step; each step timed from zoomTo to `avseg-rendered`. Then pans
 * at sample level. Returns per-level and per-pan figures, and whether every level met ZOOM_TARGET.
 */
export async function benchZoom({ editor, ladders = 8, pans = 3, panSteps = 20, idleMs = ZOOM_IDLE_MS, seed = 7 }) {
  const raw = await editor.page.evaluate(zoomDriver, { ladders, pans, panSteps, idleMs, seed, minSpp: LADDER_MIN_SPP, panSpp: PAN_SPP });
  if (raw.width !== MAIN_WIDTH) throw new Error(`main canvas is ${raw.width} px, not ${MAIN_WIDTH}`);
  const byLevel = new Map();
  for (const step of raw.steps) {
    const level = byLevel.get(step.level) ?? { level: step.level, span: step.span, in: [], out: [], shown: [], fromSamples: 0, decoded: 0, count: 0 };
    level[step.dir].push(step.ms);
    level.shown.push(step.shownMs);
    level.fromSamples += step.fromSamples ? 1 : 0;
    level.decoded += step.decoded ? 1 : 0;
    level.count++;
    byLevel.set(step.level, level);
  }
  const levels = [...byLevel.values()].sort((a, b) => a.level - b.level).map((l) => {
    const all = [...l.in, ...l.out];
    const medianMs = quantile(all, 0.5);
    const p95Ms = quantile(all, 0.95);
    return {
      span: l.span, samplesPerPixel: (l.span * raw.sampleRate) / raw.width, steps: all.length, decoded: l.decoded,
      fromSamples: l.fromSamples === 0 ? 'no' : l.fromSamples === l.count ? 'yes' : `${l.fromSamples}/${l.count}`,
      medianMs, p95Ms, maxMs: Math.max(...all), shownMedianMs: quantile(l.shown, 0.5), shownP95Ms: quantile(l.shown, 0.95),
      inMedianMs: l.in.length ? quantile(l.in, 0.5) : null, outMedianMs: l.out.length ? quantile(l.out, 0.5) : null,
      meets: medianMs <= ZOOM_TARGET.medianMs && p95Ms <= ZOOM_TARGET.p95Ms,
    };
  });
  const panRows = raw.pans.map((p) => ({
    samplesPerPixel: p.spp, span: p.span, steps: p.ms.length,
    medianMs: quantile(p.ms, 0.5), p95Ms: quantile(p.ms, 0.95), maxMs: Math.max(...p.ms),
    shownMedianMs: quantile(p.shown, 0.5), shownP95Ms: quantile(p.shown, 0.95),
    fromSamples: p.fromSamples === p.ms.length ? 'yes' : `${p.fromSamples}/${p.ms.length}`,
    meets: quantile(p.ms, 0.5) <= ZOOM_TARGET.medianMs,
  }));
  const after = await editor.page.evaluate(() => document.querySelector('avseg-editor').stats());
  const slow = raw.steps.filter((st) => st.ms > ZOOM_TARGET.p95Ms);
  return {
    duration: raw.duration, width: raw.width, frameMs: raw.frameMs, ladders, idleMs, levels, pans: panRows, steps: raw.steps, slow,
    meets: levels.every((l) => l.meets) && panRows.every((p) => p.meets),
    statsAfter: { coreBytes: after.coreBytes, wasmHeapBytes: after.wasmHeapBytes },
  };
}

/** The report's lines for benchZoom's result. */
export function formatZoom(z, label = 'the file') {
  const spp = (x) => (x >= 10 ? String(Math.round(x)) : x.toFixed(2));
  const verdict = (ok) => (ok ? 'PASS' : 'MISS');
  return [
    `3b. Zooming step by step on ${label} (${z.width}-px view): ${z.ladders} ladders, each from the whole file halving the span`,
    `   around a random point down to ~${LADDER_MIN_SPP} samples/px and doubling it back, ${z.idleMs} ms pause after each painted step;`,
    `   zoomTo -> avseg-rendered (the frame put into the canvas); on screen: to the next animation frame after it,`,
    `   which shows it (frames are ${ms(z.frameMs)} here).`,
    `   Target at every level: median <= ${ZOOM_TARGET.medianMs} ms, p95 <= ${ZOOM_TARGET.p95Ms} ms.`,
    formatTable(['span', 'samples/px', 'steps', 'from samples', 'decoded', 'median', 'p95', 'max', 'in median', 'out median', 'on screen median', 'on screen p95', 'target'],
      z.levels.map((l) => [clock(l.span), spp(l.samplesPerPixel), l.steps, l.fromSamples, l.decoded, ms(l.medianMs), ms(l.p95Ms), ms(l.maxMs),
        l.inMedianMs === null ? '' : ms(l.inMedianMs), l.outMedianMs === null ? '' : ms(l.outMedianMs), ms(l.shownMedianMs), ms(l.shownP95Ms), verdict(l.meets)])),
    `   "decoded": steps whose samples were not all decoded ahead. Steps over ${ZOOM_TARGET.p95Ms} ms (queued: until the worker took the`,
    '   request; render: in the core; worker: from taking it to posting the frame; delivery: until the page had the frame):',
    ...(z.slow ?? []).map((st) => `     ladder ${st.ladder} ${st.dir} to ${clock(st.span)}: ${ms(st.ms)}; queued ${ms(st.queuedMs ?? NaN)}, render ${ms(st.renderMs ?? NaN)}, `
      + `worker ${ms(st.workerMs ?? NaN)}, delivery ${ms(st.deliveryMs ?? NaN)}, ${st.interims ?? '?'} interim frame(s), ${st.decoded ? 'decoded' : 'nothing decoded'}`),
    '   Panning (a drag): zoomTo a tenth of a span on, right after the previous step was painted, no pause.',
    `   Target: median <= ${ZOOM_TARGET.medianMs} ms.`,
    formatTable(['span', 'samples/px', 'steps', 'from samples', 'median', 'p95', 'max', 'on screen median', 'on screen p95', 'target'],
      z.pans.map((p) => [clock(p.span), spp(p.samplesPerPixel), p.steps, p.fromSamples, ms(p.medianMs), ms(p.p95Ms), ms(p.maxMs),
        ms(p.shownMedianMs), ms(p.shownP95Ms), verdict(p.meets)])),
  ].join('\n');
}

// Runs in the page.
async function zoomDriver({ ladders, pans, panSteps, idleMs, seed, minSpp, panSpp }) {
  const el = document.querySelector('avseg-editor');
  const width = el.shadowRoot.querySelector('.wave canvas').width;
  let count = 0;
  let detail = null;
  let wake = null;
  el.addEventListener('avseg-rendered', (e) => { count++; detail = e.detail; wake?.(); });
  const next = (seen) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no avseg-rendered within 60 s')), 60000);
    wake = () => { if (count > seen) { clearTimeout(timer); wake = null; resolve(); } };
    wake();
  });
  // The worker's frames (bench/browser.mjs keeps the worker): where a slow step's time went.
  const clockNow = () => performance.timeOrigin + performance.now();
  const workerFrames = [];
  window.benchWorker?.worker?.addEventListener('message', (e) => {
    const m = e.data;
    if (m?.type === 'frame' && m.target === 'main') {
      workerFrames.push({ at: clockNow(), interim: m.interim, decoded: m.decoded, received: m.received, posted: m.posted, renderMs: m.renderMs });
    }
  });
  const frame = () => new Promise(requestAnimationFrame);
  const sleep = (t) => new Promise((r) => setTimeout(r, t));
  const quiet = async (t) => {
    for (let seen = -1; seen !== count;) {
      seen = count;
      await sleep(t);
    }
  };
  const timeZoom = async (start, end) => {
    const seen = count;
    const mark = workerFrames.length;
    const t0 = performance.now();
    const sent = clockNow();
    el.zoomTo(start, end);
    await next(seen);
    const ms = performance.now() - t0;
    await frame();
    // queued: zoomTo to the worker taking the message (behind a prefetch slice, a GC); render: in the core;
    // the rest is the bytes' fetch, the messages and the page's own drawing.
    const mine = workerFrames.slice(mark);
    const last = mine.at(-1);
    const split = last?.received ? {
      queuedMs: last.received - sent, renderMs: mine.reduce((a, f) => a + (f.renderMs ?? 0), 0),
      workerMs: last.posted - last.received, deliveryMs: last.at - last.posted, interims: mine.filter((f) => f.interim).length, decoded: !!last.decoded,
    } : {};
    return { ms, shownMs: performance.now() - t0, fromSamples: detail.fromSamples, ...split };
  };
  let s = seed >>> 0; // mulberry32
  const random = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const d = el.duration;
  const rate = el.sampleRate;
  await quiet(500);
  const frames = [];
  for (let i = 0, last = await frame(); i < 30; i++) {
    const now = await frame();
    frames.push(now - last);
    last = now;
  }
  // Whole file, then halving down to about minSpp samples per pixel.
  const spans = [d];
  while ((spans.at(-1) * rate) / width > minSpp) spans.push(spans.at(-1) / 2);
  const steps = [];
  for (let l = 0; l < ladders; l++) {
    const centre = d * (0.05 + 0.9 * random());
    const at = (k) => [centre - spans[k] / 2, centre + spans[k] / 2];
    // The whole file varies slightly, since re-setting an unchanged view draws nothing.
    el.zoomTo(0, d * (0.999 - 0.001 * random()));
    await quiet(Math.max(idleMs, 300));
    for (let k = 1; k < spans.length; k++) {
      const r = await timeZoom(...at(k));
      steps.push({ ladder: l, level: k, span: spans[k], dir: 'in', ...r });
      await sleep(idleMs);
    }
    for (let k = spans.length - 2; k >= 0; k--) {
      const r = await timeZoom(...at(k));
      steps.push({ ladder: l, level: k, span: spans[k], dir: 'out', ...r });
      await sleep(idleMs);
    }
  }
  const panRuns = [];
  for (const spp of panSpp) {
    const span = (spp * width) / rate;
    const run = { spp, span, ms: [], shown: [], fromSamples: 0 };
    for (let p = 0; p < pans; p++) {
      let start = random() * (d - span * (1 + panSteps / 10));
      await timeZoom(start, start + span);
      await sleep(Math.max(idleMs, 300));
      for (let i = 0; i < panSteps; i++) {
        start += span / 10;
        const r = await timeZoom(start, start + span);
        run.ms.push(r.ms);
        run.shown.push(r.shownMs);
        run.fromSamples += r.fromSamples ? 1 : 0;
      }
    }
    panRuns.push(run);
  }
  return { duration: d, sampleRate: rate, width, frameMs: frames.sort((x, y) => x - y)[15], steps, pans: panRuns };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const { values: opts } = parseArgs({
    options: {
      dist: { type: 'string' }, file: { type: 'string', default: '10h' }, quick: { type: 'boolean' }, json: { type: 'string' },
      ladders: { type: 'string' },
      latency: { type: 'string' }, 'jumps-only': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (opts.help) {
    console.log('usage: node bench/redraw.mjs [--dist DIR] [--file 10h|1h] [--quick] [--json FILE]\n'
      + '  --dist   serve the element from DIR instead of dist/ (e.g. a copy built from another commit)\n'
      + '  --quick  fewer ladders and pans\n'
      + '  --ladders N  zoom ladders (default 8: 16 steps a level, so its p95 is its slowest step)\n'
      + '  --latency MS  serve the file from tests/lib/media-server.mjs, each request delayed by MS (a real network\'s\n'
      + '           round trip); also reports the requests the cold jumps made\n'
      + '  --jumps-only  only the random jumps (no zoom ladders or pans)');
    process.exit(0);
  }
  const media = prepareMedia({ long: [opts.file] });
  const file = media.long[opts.file];
  const bench = await startBench(mediaDir, opts.dist ? { assetRoot: path.resolve(opts.dist) } : {});
  const latencyMs = opts.latency === undefined ? null : Number(opts.latency);
  const server = latencyMs === null ? null
    : await (await import('../tests/lib/media-server.mjs')).startMediaServer({ files: { '/media.mp3': { path: file } }, latencyMs });
  try {
    const editor = await bench.newEditor();
    process.stderr.write(`redraw: loading ${path.basename(file)}${server ? ` (${latencyMs} ms latency)` : ''}\n`);
    const ready = server ? await editor.loadUrl(server.url('/media.mp3')) : await editor.load(file);
    process.stderr.write(`redraw: ready in ${(ready.ms / 1000).toFixed(1)} s\n`);
    console.log(`redraw bench, ${new Date().toISOString()}, assets ${opts.dist ?? 'dist'}${server ? `, ${latencyMs} ms latency per request` : ''}`);
    let zoom = null;
    if (!opts['jumps-only']) {
      zoom = await benchZoom({ editor, ladders: opts.ladders ? Number(opts.ladders) : opts.quick ? 3 : 8, pans: opts.quick ? 1 : 3 });
      console.log(formatZoom(zoom, path.basename(file)));
      console.log(`   after: coreBytes ${(zoom.statsAfter.coreBytes / 1e6).toFixed(1)} MB, wasm heap ${(zoom.statsAfter.wasmHeapBytes / 1e6).toFixed(1)} MB`);
    }
    const before = await editor.page.evaluate(() => document.querySelector('avseg-editor').stats());
    server?.reset();
    const jumps = await benchRedraw({ editor, n: opts.quick ? 4 : 10 });
    const after = await editor.page.evaluate(() => document.querySelector('avseg-editor').stats());
    const sync = (after.remote?.syncRequests ?? 0) - (before.remote?.syncRequests ?? 0);
    const requests = server ? server.requests.filter((r) => r.method === 'GET' && r.dest !== 'video').length : null;
    jumps.requests = { server: requests, sync };
    console.log(`3. Random jumps (zoomTo a random place at each level, then a pan of a tenth of a span), ${jumps.n} per level:`);
    console.log('   worker: from the worker taking the jump to posting its final frame; render: in the core (both medians)');
    console.log(formatTable(['span', 'samples/px', 'from samples', 'median', 'p95', 'max', 'worker', 'render', 'pan median', 'pan p95'],
      jumps.levels.map((l) => [`${l.whole ? 'whole ' : ''}${clock(l.span)}`, l.samplesPerPixel >= 10 ? Math.round(l.samplesPerPixel) : l.samplesPerPixel.toFixed(3),
        l.fromSamples, ms(l.medianMs), ms(l.p95Ms), ms(l.maxMs), ms(l.workerMedianMs), ms(l.renderMedianMs), ms(l.panMedianMs), ms(l.panP95Ms)])));
    console.log(`   requests during the jumps: ${requests ?? 'not counted (no --latency)'} at the server, ${sync} synchronous (worker)`);
    if (opts.json) (await import('node:fs')).writeFileSync(opts.json, JSON.stringify({ zoom, jumps }, null, 1) + '\n');
  } finally {
    await bench.close();
    await server?.close();
  }
}
