// SPDX-License-Identifier: MIT
// The media core starts under every portal policy (issue 13.1), in headless Chromium with real
// servers on separate origins (tests/lib/portal.mjs: a portal page framing the Ground Truth audio
// template, its assets on a CDN, the media on an S3-like server). Framed plainly it runs in a module
// worker; in a frame sandboxed without allow-same-origin (an opaque origin, where Chromium starts
// no module worker) in a classic worker (worker.classic.js); under a CSP whose worker-src refuses
// blob: on the page's own thread, saying so and why. In each, a WAV loads, draws and a segment is
// made. On the page's thread the longest main-thread task while a few minutes of audio load is
// printed beside the same load in a worker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './browser.mjs';
import { startMediaServer } from '../lib/media-server.mjs';
import { openTaskFrame, startPortal } from '../lib/portal.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const CLIP = 's3://avseg-workers/clip.wav';
const LONG = 's3://avseg-workers/long.wav';
const LONG_SECONDS = 180;
const OPAQUE = 'allow-scripts allow-forms';
const WORKER_SRC_SELF = "worker-src 'self'";

let tmp, media, portal, browser;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-worker-start-'));
  const at = (name) => path.join(tmp, name);
  await Promise.all([
    run('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', at('clip.wav'), 'synth', '4', 'sine', '440', 'vol', '0.5']),
    // A few minutes at 48 kHz: 17 MB, above the range threshold, so it is read in place.
    run('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', at('long.wav'), 'synth', String(LONG_SECONDS), 'sine', '220:880', 'vol', '0.5']),
  ]);
  media = await startMediaServer({ files: { '/clip.wav': { path: at('clip.wav') }, '/long.wav': { path: at('long.wav') } } });
  portal = await startPortal({
    templates: { module: path.join(root, 'template/audio.liquid.html') },
    media,
    grants: { [CLIP]: media.url('/clip.wav'), [LONG]: media.url('/long.wav') },
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await portal?.close();
  await media?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

// Runs in every frame before its scripts; in the task frame records the editor's events, the
// workers started and the main thread's long tasks, and times how late a 10 ms timer fires.
function instrument() {
  if (!location.pathname.startsWith('/task/')) return;
  // Timed from the first `progress` (the media is being read and decoded) to `ready`.
  const log = { ready: false, loading: false, errors: [], workers: [], longTasks: [], timerLag: 0 };
  window.__cell = log;
  document.addEventListener('ready', (e) => { if (e.target?.localName === 'avseg-editor') log.ready = true; }, true);
  document.addEventListener('progress', (e) => {
    if (e.target?.localName === 'avseg-editor' && !log.loading) log.loading = performance.now();
  }, true);
  document.addEventListener('error', (e) => {
    if (e.target?.localName === 'avseg-editor') log.errors.push({ code: e.detail.code, fatal: e.detail.fatal, message: e.detail.message });
  }, true);
  const NativeWorker = window.Worker;
  window.Worker = new Proxy(NativeWorker, {
    construct(target, args, newTarget) {
      log.workers.push(args[1]?.type === 'module' ? 'module' : 'classic');
      return Reflect.construct(target, args, newTarget);
    },
  });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (log.loading && !log.ready && entry.startTime >= log.loading) log.longTasks.push(Math.round(entry.duration));
    }
  }).observe({ type: 'longtask', buffered: true });
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (log.loading && !log.ready) log.timerLag = Math.max(log.timerLag, now - last - 10);
    last = now;
  }, 10);
}

let cells = 0;
/** The task framed by the portal under `sandbox` and `csp`, settled: ready or failed. */
async function open(t, { sandbox = null, csp, source = CLIP }) {
  const id = `cell-${++cells}`;
  const url = portal.addCell(id, { input: { 'source-ref': source, cell: id }, template: 'module', sandbox, csp, framing: 'same-site' });
  const frame = await openTaskFrame(browser, url, instrument);
  t.after(() => frame.close());
  const settled = await frame.waitFor(() => window.__cell?.ready || window.__cell?.errors.some((e) => e.fatal), 90000);
  const state = await frame.evaluate(() => {
    const editor = document.querySelector('avseg-editor');
    const note = editor?.shadowRoot.querySelector('.core-thread');
    return { ...window.__cell, coreThread: editor?.coreThread ?? null, note: note && !note.hidden ? note.textContent : null, origin: self.origin };
  });
  assert.ok(settled, `the element neither got ready nor failed: ${JSON.stringify(state)}`);
  return { frame, state };
}

/** Columns of the main waveform canvas with ink, and a segment made through the API (in the list). */
const drawAndSegment = (frame) => frame.evaluate(async () => {
  const editor = document.querySelector('avseg-editor');
  const canvas = editor.shadowRoot.querySelector('.wave canvas');
  const inked = () => {
    const { width, height } = canvas;
    const data = canvas.getContext('2d').getImageData(0, 0, width, height).data;
    const bg = data.slice(0, 4).join();
    let columns = 0;
    for (let x = 0; x < width; x++) {
      for (let y = 0; y < height; y += 2) {
        const i = (y * width + x) * 4;
        if (Math.abs(y - (height - 1) / 2) > 2 && `${data[i]},${data[i + 1]},${data[i + 2]},${data[i + 3]}` !== bg) { columns++; break; }
      }
    }
    return { columns, width };
  };
  let ink = inked();
  for (let i = 0; i < 100 && ink.columns < ink.width * 0.9; i++) {
    await new Promise((resolve) => { setTimeout(resolve, 100); });
    ink = inked();
  }
  const track = editor.value.tracks.find((k) => k.tag === 'Customer')?.id ?? editor.addTrack('speaker', 'Customer');
  const id = editor.addSegment(track, 0.5, 1.5);
  const segment = editor.value.segments.find((s) => s.id === id);
  return { ink, segment: segment && { start: segment.startTime, end: segment.endTime } };
});

const codes = (state) => state.errors.map((e) => `${e.code}${e.fatal ? ' (fatal)' : ''}`);

test('framed plainly, the core runs in a module worker and nothing is said about it', async (t) => {
  const { frame, state } = await open(t, {});
  assert.equal(state.ready, true);
  assert.equal(state.coreThread, 'worker');
  assert.deepEqual(state.workers, ['module']);
  assert.equal(state.note, null);
  assert.deepEqual(codes(state), []);
  const out = await drawAndSegment(frame);
  assert.ok(out.ink.columns >= out.ink.width * 0.9, `the waveform is drawn: ${JSON.stringify(out.ink)}`);
  assert.deepEqual(out.segment, { start: 0.5, end: 1.5 });
});

test('in a frame sandboxed without allow-same-origin, the module worker is refused and a classic worker runs the core', async (t) => {
  const { frame, state } = await open(t, { sandbox: OPAQUE });
  assert.equal(state.origin, 'null', 'the frame has an opaque origin');
  assert.equal(state.ready, true, `ready: ${JSON.stringify(state.errors)}`);
  assert.equal(state.coreThread, 'classic-worker');
  assert.deepEqual(state.workers, ['module', 'classic'], 'the module worker was tried first');
  assert.equal(state.note, null, 'a classic worker is as fast: nothing to say');
  // The browser refuses IndexedDB to an opaque origin: that warning, and no other.
  assert.deepEqual(codes(state).filter((c) => c !== 'drafts-in-memory'), []);
  const out = await drawAndSegment(frame);
  assert.ok(out.ink.columns >= out.ink.width * 0.9, `the waveform is drawn: ${JSON.stringify(out.ink)}`);
  assert.deepEqual(out.segment, { start: 0.5, end: 1.5 });
});

test('under a CSP whose worker-src refuses blob:, the core runs on the page\'s thread, and the element says so and why', async (t) => {
  const { frame, state } = await open(t, { csp: WORKER_SRC_SELF });
  assert.equal(state.ready, true, `ready: ${JSON.stringify(state.errors)}`);
  assert.equal(state.coreThread, 'page');
  assert.deepEqual(state.workers, ['module', 'classic'], 'both workers were tried first');
  assert.match(state.note, /decoded on this page's own thread/);
  assert.match(state.note, /may be slower/);
  assert.match(state.note, /worker-src/);
  assert.match(state.note, /blob:/);
  assert.deepEqual(codes(state), ['core-on-page-thread']);
  assert.equal(state.errors[0].message, state.note);
  t.diagnostic(`the note: ${state.note}`);
  const out = await drawAndSegment(frame);
  assert.ok(out.ink.columns >= out.ink.width * 0.9, `the waveform is drawn: ${JSON.stringify(out.ink)}`);
  assert.deepEqual(out.segment, { start: 0.5, end: 1.5 });
});

test('a policy with no worker-src is named by the directive that governs workers (script-src)', async (t) => {
  const { state } = await open(t, { csp: (o) => `script-src ${o.cdn} 'wasm-unsafe-eval'` });
  assert.equal(state.coreThread, 'page');
  assert.match(state.note, /Content-Security-Policy \(script-src\) does not allow workers from blob:/);
  // The narrower grant to ask for: a worker-src of its own, leaving the page's scripts as they are.
  assert.match(state.note, /add "worker-src blob:" \(or blob: in script-src\)/);
});

test('when no way can start, the fatal message names the directive that refused the workers and what each way said', async (t) => {
  // A policy naming each script it allows, all but worker-host.js (the core's loop): no worker
  // from blob:, and the page's thread cannot import the core either.
  const scripts = (await readdir(path.join(root, 'dist'))).filter((f) => f.endsWith('.js') && f !== 'worker-host.js');
  const csp = (o) => `script-src ${[...scripts, 'crowd-html-elements.js'].map((f) => `${o.cdn}/${f}`).join(' ')} 'wasm-unsafe-eval'; worker-src 'self'`;
  const { state } = await open(t, { csp });
  assert.equal(state.ready, false);
  assert.equal(state.coreThread, null);
  const fatal = state.errors.filter((e) => e.fatal);
  assert.deepEqual(fatal.map((e) => e.code), ['internal']);
  const [{ message }] = fatal;
  t.diagnostic(message);
  assert.match(message, /^The decoder could not start\. The page's Content-Security-Policy \(worker-src\) does not allow workers from blob: URLs/);
  assert.match(message, /add blob: to worker-src/);
  assert.match(message, /Tried a module worker: .*; a classic worker \(worker\.classic\.js\): .*; the page's own thread: /);
});

test('on the page\'s thread, a few minutes of audio load without freezing the page (longest task printed)', async (t) => {
  const figures = {};
  for (const [where, csp] of [['worker', undefined], ['page', WORKER_SRC_SELF]]) {
    const started = Date.now();
    const { state } = await open(t, { csp, source: LONG });
    assert.equal(state.ready, true, `${where}: ready: ${JSON.stringify(state.errors)}`);
    assert.equal(state.coreThread, where);
    figures[where] = { loadMs: Date.now() - started, longestTaskMs: Math.max(0, ...state.longTasks), longTasks: state.longTasks.length, timerLagMs: Math.round(state.timerLag) };
  }
  t.diagnostic(`${LONG_SECONDS} s WAV read in place; main thread while loading: ${JSON.stringify(figures)} (long tasks are those over 50 ms)`);
  // Slices of ~12 ms: no task near the second a frozen page would show, even on a loaded machine.
  assert.ok(figures.page.longestTaskMs < 1000, `longest task on the page thread: ${figures.page.longestTaskMs} ms`);
});
