// SPDX-License-Identifier: MIT
// The classic-script build (scripts/build-classic.mjs) in a simulated worker portal
// (tests/lib/portal.mjs): the classic template, rendered by the local run's Liquid, framed
// cross-site by a portal page, the component on a CDN origin and the media on a third, under a
// Content-Security-Policy that allows scripts only from the CDN. No CSP can refuse module scripts
// alone, so the test asserts that none is on the page and none is fetched (every request of the
// page and its worker is watched). Chromium runs with third-party storage partitioned as Chrome
// ships, so a draft has a home and any error event is a failure. Also: the element alone
// (avseg.classic.js) made by document.createElement, and the page-thread core when no worker may start.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startMediaServer } from '../lib/media-server.mjs';
import { launchPartitioned, startPortal } from '../lib/portal.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const S3_URI = 's3://avseg-classic/clip.wav';
const SECONDS = 3;

// The local run's own policy (scripts/label.mjs), with workers from blob: only: the classic worker
// is a blob that imports the CDN's worker.classic.js.
const policyWith = (workers) => (o) => [
  "default-src 'none'", `script-src ${o.cdn} 'wasm-unsafe-eval'`, `connect-src ${o.cdn} ${o.media}`,
  `media-src ${o.media}`, `worker-src ${workers}`, "style-src 'self'", 'img-src data: blob:', "base-uri 'none'", "form-action 'self'",
].join('; ');
const policy = policyWith('blob:');

let tmp, media, portal, browser;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-classic-'));
  const clip = path.join(tmp, 'clip.wav');
  await promisify(execFile)('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', clip, 'synth', String(SECONDS), 'sine', '440']);
  // A page with nothing but the element's classic bundle, for a host that makes the element itself.
  const elementOnly = path.join(tmp, 'element-only.liquid.html');
  await writeFile(elementOnly, '<script src="__AVSEG_ASSET_BASE__/avseg.classic.js" defer></script>\n<main></main>\n');
  media = await startMediaServer({ files: { '/clip.wav': { path: clip } } });
  portal = await startPortal({
    templates: { classic: path.join(root, 'dist/templates/audio-classic.liquid.html'), element: elementOnly },
    media,
    grants: { [S3_URI]: media.url('/clip.wav') },
  });
  browser = await launchPartitioned();
});

after(async () => {
  await browser?.close();
  await portal?.close();
  await media?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

// Runs in every frame before its scripts: in the task frame, what the element and the policy say.
function instrument() {
  if (!location.pathname.startsWith('/task/')) return;
  const log = { ready: false, errors: [], violations: [] };
  window.__classic = log;
  document.addEventListener('ready', (e) => { if (e.target?.localName === 'avseg-editor') log.ready = true; }, true);
  document.addEventListener('error', (e) => {
    if (e.target?.localName === 'avseg-editor' && e.detail) log.errors.push(`${e.detail.code}: ${e.detail.message}`);
  }, true);
  document.addEventListener('securitypolicyviolation', (e) => log.violations.push(`${e.effectiveDirective} ${e.blockedURI}`));
}

/** Opens a cell's portal page; returns the task frame and every request the page and its workers made. */
async function open(id, cell) {
  const page = await browser.newPage();
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.addInitScript(instrument);
  await page.goto(portal.addCell(id, { input: { 'source-ref': S3_URI }, csp: policy, framing: 'cross-site', ...cell }));
  const frame = page.frames().find((f) => f.url().includes('/task/'));
  return { page, frame, requests };
}

/** The CDN files fetched, by name (the media and the pages are other origins). */
const fromCdn = (requests) => [...new Set(requests.filter((u) => u.startsWith(`${portal.origins.cdn}/`)).map((u) => u.slice(portal.origins.cdn.length + 1)))].sort();

test('the classic template loads the WAV and submits the given answers in a portal frame, with no module script on the page or fetched', async () => {
  const { page, frame, requests } = await open('classic template', { template: 'classic' });
  try {
    await frame.waitForFunction(() => window.__classic?.ready || window.__classic?.errors.length, null, { timeout: 20000 });
    const state = await frame.evaluate(() => {
      const editor = document.querySelector('avseg-editor');
      return { ...window.__classic, duration: editor.duration, coreThread: editor.coreThread, modules: document.querySelectorAll('script[type="module"]').length };
    });
    assert.deepEqual(state.errors, []);
    assert.equal(state.ready, true);
    assert.ok(Math.abs(state.duration - SECONDS) < 0.01, `duration ${state.duration}`);
    assert.equal(state.coreThread, 'classic-worker', 'the core runs in the classic worker, started without a module script');
    assert.equal(state.modules, 0);

    await frame.evaluate(() => {
      const editor = document.querySelector('avseg-editor');
      const track = editor.addTrack('speaker', 'Customer');
      editor.addSegment(track, 0.5, 1.25, { text: 'hello' });
      editor.setClassification('speechNonSpeech', 'Speech');
      editor.setClassification('rate', 4);
    });
    await frame.locator('crowd-button[form-action="submit"]').click();
    const output = frame.locator('#avseg-preview-output');
    await output.waitFor({ timeout: 5000 });
    const answer = JSON.parse(await output.textContent());
    const doc = JSON.parse(answer.annotations);
    assert.deepEqual(doc.classifications, { speechNonSpeech: 'Speech', rate: 4 });
    assert.deepEqual(doc.segments.map((s) => [s.startTime, s.endTime, s.fields.text]), [[0.5, 1.25, 'hello']]);

    assert.deepEqual(fromCdn(requests), ['avseg-core.wasm', 'avseg-model.wasm', 'crowd-html-elements.js', 'crowd-task.classic.js', 'template-guard.js', 'worker.classic.js']);
    assert.deepEqual((await frame.evaluate(() => window.__classic.violations)), []);
  } finally {
    await page.close();
  }
});

test('the element of avseg.classic.js, made by document.createElement, loads the WAV and takes edits', async () => {
  const { page, frame, requests } = await open('element only', { template: 'element' });
  try {
    const out = await frame.evaluate(async ({ wav }) => {
      await customElements.whenDefined('avseg-editor');
      const editor = document.createElement('avseg-editor');
      editor.config = { categories: { speaker: ['A', 'B'] } };
      const ready = new Promise((resolve, reject) => {
        editor.addEventListener('ready', resolve, { once: true });
        editor.addEventListener('error', (e) => { if (e.detail.fatal) reject(new Error(e.detail.message)); });
        setTimeout(() => reject(new Error('not ready in 20 s')), 20000);
      });
      editor.src = wav;
      document.querySelector('main').append(editor);
      await ready;
      const track = editor.addTrack('speaker', 'B');
      editor.addSegment(track, 1, 2);
      return {
        globals: [typeof globalThis.avseg?.setAssetBase, globalThis.avseg?.AvsegEditor === customElements.get('avseg-editor'), typeof globalThis.avseg?.layout],
        duration: editor.duration,
        coreThread: editor.coreThread,
        segments: editor.value.segments.length,
        modules: document.querySelectorAll('script[type="module"]').length,
      };
    }, { wav: media.url('/clip.wav') });
    assert.deepEqual(out.globals, ['function', true, 'object']);
    assert.ok(Math.abs(out.duration - SECONDS) < 0.01, `duration ${out.duration}`);
    assert.equal(out.coreThread, 'classic-worker');
    assert.equal(out.segments, 1);
    assert.equal(out.modules, 0);
    assert.deepEqual(fromCdn(requests), ['avseg-core.wasm', 'avseg-model.wasm', 'avseg.classic.js', 'worker.classic.js']);
    assert.deepEqual((await frame.evaluate(() => window.__classic.errors)), []);
  } finally {
    await page.close();
  }
});

test('where no worker may start, the classic template runs its core on the page\'s thread, found inside the bundle, and says so', async () => {
  // The page-thread core is imported on demand by the modules; the classic bundle holds it inlined.
  const { page, frame, requests } = await open('classic template, no workers', { template: 'classic', csp: policyWith("'none'") });
  try {
    await frame.waitForFunction(() => window.__classic?.ready || window.__classic?.errors.some((e) => !e.startsWith('core-on-page-thread')), null, { timeout: 20000 });
    const state = await frame.evaluate(() => {
      const editor = document.querySelector('avseg-editor');
      return { ...window.__classic, duration: editor.duration, coreThread: editor.coreThread };
    });
    assert.equal(state.ready, true);
    assert.equal(state.coreThread, 'page');
    assert.ok(Math.abs(state.duration - SECONDS) < 0.01, `duration ${state.duration}`);
    assert.deepEqual(state.errors.map((e) => e.split(':')[0]), ['core-on-page-thread']);
    assert.deepEqual(fromCdn(requests), ['avseg-core.wasm', 'avseg-model.wasm', 'crowd-html-elements.js', 'crowd-task.classic.js', 'template-guard.js']);
  } finally {
    await page.close();
  }
});
