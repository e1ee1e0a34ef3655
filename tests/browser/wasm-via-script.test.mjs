// SPDX-License-Identifier: MIT
// The wasm's bytes as a script (web/src/wasm-script.js, dist/avseg-{core,model}.wasm.js) in a
// simulated worker portal (tests/lib/portal.mjs): the task page under a real Content-Security-Policy
// header, framed cross-site by a portal page, the component on a CDN origin and the media on a
// third. Where the policy's connect-src names only the media bucket, fetching a .wasm is refused
// but loading a script is not: the module and the classic template both load the WAV, take a
// segment and submit it. In a frame sandboxed without allow-same-origin, with a CDN answering CORS
// only to the portal's origins, the classic template (no CORS for its scripts) works too. Where
// nothing is refused, the .wasm is fetched and no .wasm.js is asked for. And once in Firefox ESR.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startMediaServer } from '../lib/media-server.mjs';
import { launchFirefoxOwnStorage, launchPartitioned, openTaskFrame, startPortal } from '../lib/portal.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
// One source per cell, so no cell finds another's draft.
const CELLS = 5;
const s3Uri = (n) => `s3://avseg-wasm-script/clip-${n}.wav`;
const SECONDS = 2;

const policyWith = (connect) => (o) => [
  "default-src 'none'", `script-src ${o.cdn} 'wasm-unsafe-eval'`, `connect-src ${connect(o)}`,
  `media-src ${o.media}`, 'worker-src blob:', "style-src 'self'", 'img-src data: blob:', "base-uri 'none'", "form-action 'self'",
].join('; ');
const S3_ONLY = policyWith((o) => o.media);
const WITH_CDN = policyWith((o) => `${o.cdn} ${o.media}`);

let tmp, media, portal, browser;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-wasm-script-'));
  const clip = path.join(tmp, 'clip.wav');
  await promisify(execFile)('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', clip, 'synth', String(SECONDS), 'sine', '330']);
  media = await startMediaServer({ files: { '/clip.wav': { path: clip } } });
  portal = await startPortal({
    templates: { module: path.join(root, 'template/audio.liquid.html'), classic: path.join(root, 'dist/templates/audio-classic.liquid.html') },
    media,
    grants: Object.fromEntries(Array.from({ length: CELLS }, (_, n) => [s3Uri(n), media.url(`/clip.wav?cell=${n}`)])),
  });
  browser = await launchPartitioned();
});

after(async () => {
  await browser?.close();
  await portal?.close();
  await media?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

function instrument() {
  if (!location.pathname.startsWith('/task/')) return;
  const log = { ready: false, errors: [] };
  window.__wasmScript = log;
  document.addEventListener('ready', (e) => { if (e.target?.localName === 'avseg-editor') log.ready = true; }, true);
  document.addEventListener('error', (e) => {
    if (e.target?.localName === 'avseg-editor' && e.detail) log.errors.push({ code: e.detail.code, fatal: e.detail.fatal, message: e.detail.message });
  }, true);
}

/**
 * Opens a cell, waits for the element, adds a segment and submits: what the element said, the
 * answer's segments, and the names of the files asked of the cell's CDN (by the page and its workers).
 */
let cells = 0;
async function annotateAndSubmit(id, cell) {
  const page = await browser.newPage();
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.addInitScript(instrument);
  try {
    await page.goto(portal.addCell(id, { input: { 'source-ref': s3Uri(cells++) }, framing: 'cross-site', ...cell }));
    const frame = page.frames().find((f) => f.url().includes('/task/'));
    await frame.waitForFunction(() => window.__wasmScript?.ready || window.__wasmScript?.errors.some((e) => e.fatal), null, { timeout: 30000 });
    const state = await frame.evaluate(() => {
      const editor = document.querySelector('avseg-editor');
      return { ...window.__wasmScript, duration: editor.duration, coreThread: editor.coreThread, wasmVia: editor.wasmVia };
    });
    assert.deepEqual(state.errors.filter((e) => e.fatal), [], JSON.stringify(state.errors));
    await frame.evaluate(() => {
      const editor = document.querySelector('avseg-editor');
      editor.addSegment(editor.addTrack('speaker', 'Customer'), 0.25, 1.5, { text: 'via script' });
      // The template's required questions, so that crowd-form submits.
      editor.setClassification('speechNonSpeech', 'Speech');
      editor.setClassification('rate', 4);
    });
    await frame.locator('crowd-button[form-action="submit"]').click();
    const output = frame.locator('#avseg-preview-output');
    await output.waitFor({ timeout: 5000 });
    const answer = JSON.parse(JSON.parse(await output.textContent()).annotations);
    const cdn = cell.cdn === 'named' ? portal.origins.cdnNamed : portal.origins.cdn;
    const fromCdn = [...new Set(requests.filter((u) => u.startsWith(`${cdn}/`)).map((u) => u.slice(cdn.length + 1)))].sort();
    return { ...state, segments: answer.segments.map((s) => [s.startTime, s.endTime, s.fields.text]), fromCdn };
  } finally {
    await page.close();
  }
}

const wasmFiles = (files) => files.filter((f) => f.includes('.wasm'));

for (const template of ['module', 'classic']) {
  test(`connect-src with only the media bucket: the ${template} template gets both wasm as scripts, loads the WAV, takes a segment and submits it`, async () => {
    const out = await annotateAndSubmit(`connect-src S3 only, ${template}`, { template, csp: S3_ONLY });
    assert.equal(out.ready, true);
    assert.ok(Math.abs(out.duration - SECONDS) < 0.01, `duration ${out.duration}`);
    assert.equal(out.wasmVia, 'script');
    assert.ok(['worker', 'classic-worker'].includes(out.coreThread), out.coreThread);
    assert.deepEqual(out.errors, []);
    assert.deepEqual(out.segments, [[0.25, 1.5, 'via script']]);
    // The policy refuses the .wasm before any request is made; its script is asked for instead.
    assert.deepEqual(wasmFiles(out.fromCdn), ['avseg-core.wasm.js', 'avseg-model.wasm.js']);
  });
}

test('a sandbox without allow-same-origin and a CDN answering CORS only to the portal\'s origins: the classic template works', async () => {
  const out = await annotateAndSubmit('opaque, CDN CORS to portal origins, classic', {
    template: 'classic', cdn: 'named', sandbox: 'allow-scripts allow-forms', csp: WITH_CDN,
  });
  assert.equal(out.ready, true);
  assert.equal(out.wasmVia, 'script');
  assert.equal(out.coreThread, 'classic-worker');
  // An opaque origin has no storage: the only warning is that drafts are kept in memory.
  assert.deepEqual(out.errors.map((e) => e.code), ['drafts-in-memory']);
  assert.deepEqual(out.segments, [[0.25, 1.5, 'via script']]);
  // The .wasm was asked for (and its answer refused by CORS) before its script.
  assert.deepEqual(wasmFiles(out.fromCdn), ['avseg-core.wasm', 'avseg-core.wasm.js', 'avseg-model.wasm', 'avseg-model.wasm.js']);
});

test('where nothing refuses the .wasm it is fetched, and no .wasm.js is asked for', async () => {
  const out = await annotateAndSubmit('plain, module', { template: 'module', csp: WITH_CDN });
  assert.equal(out.ready, true);
  assert.equal(out.wasmVia, 'fetch');
  assert.deepEqual(out.errors, []);
  assert.deepEqual(out.segments, [[0.25, 1.5, 'via script']]);
  assert.deepEqual(wasmFiles(out.fromCdn), ['avseg-core.wasm', 'avseg-model.wasm']);
});

test('Firefox ESR: connect-src with only the media bucket, the module template gets its wasm as scripts and gets ready', async () => {
  const firefox = await launchFirefoxOwnStorage();
  try {
    const url = portal.addCell('connect-src S3 only, firefox', { template: 'module', csp: S3_ONLY, framing: 'cross-site', input: { 'source-ref': s3Uri(cells++) } });
    const frame = await openTaskFrame(firefox, url, () => {});
    try {
      assert.ok(await frame.waitFor(() => document.querySelector('avseg-editor')?.ready, 30000), 'ready');
      const out = await frame.evaluate(() => {
        const editor = document.querySelector('avseg-editor');
        return { wasmVia: editor.wasmVia, duration: editor.duration, error: editor.shadowRoot.querySelector('.error')?.textContent ?? '' };
      });
      assert.equal(out.wasmVia, 'script');
      assert.ok(Math.abs(out.duration - SECONDS) < 0.01, `duration ${out.duration}`);
      assert.equal(out.error, '');
    } finally {
      await frame.close();
    }
  } finally {
    await firefox.close();
  }
});
