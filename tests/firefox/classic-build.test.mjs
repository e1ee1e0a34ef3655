// SPDX-License-Identifier: MIT
// The classic template (scripts/build-classic.mjs) in Firefox ESR, as tests/browser/classic-build
// runs it in Chromium: framed cross-site by a portal page (tests/lib/portal.mjs), the component on
// a CDN origin and the media on a third, under a policy allowing scripts only from the CDN, with
// Firefox's own third-party storage policy. The page's fetches are read from its resource timing
// (puppeteer's BiDi network events do not cover workers); the worker's kind from coreThread.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startMediaServer } from '../lib/media-server.mjs';
import { launchFirefoxOwnStorage, openTaskFrame, startPortal } from '../lib/portal.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const S3_URI = 's3://avseg-classic/clip.wav';
const SECONDS = 3;

const policy = (o) => [
  "default-src 'none'", `script-src ${o.cdn} 'wasm-unsafe-eval'`, `connect-src ${o.cdn} ${o.media}`,
  `media-src ${o.media}`, 'worker-src blob:', "style-src 'self'", 'img-src data: blob:', "base-uri 'none'", "form-action 'self'",
].join('; ');

let tmp, media, portal, firefox;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-classic-ff-'));
  const clip = path.join(tmp, 'clip.wav');
  await promisify(execFile)('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', clip, 'synth', String(SECONDS), 'sine', '440']);
  media = await startMediaServer({ files: { '/clip.wav': { path: clip } } });
  portal = await startPortal({ templates: { classic: path.join(root, 'dist/templates/audio-classic.liquid.html') }, media, grants: { [S3_URI]: media.url('/clip.wav') } });
  firefox = await launchFirefoxOwnStorage();
});

after(async () => {
  await firefox?.close();
  await portal?.close();
  await media?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

function instrument() {
  if (!location.pathname.startsWith('/task/')) return;
  const log = { ready: false, errors: [] };
  window.__portalCell = log;
  document.addEventListener('ready', (e) => { if (e.target?.localName === 'avseg-editor') log.ready = true; }, true);
  document.addEventListener('error', (e) => {
    if (e.target?.localName === 'avseg-editor' && e.detail) log.errors.push(`${e.detail.code}: ${e.detail.message}`);
  }, true);
}

test('Firefox: the classic template loads the WAV in a classic worker and submits the given answers, with no module script', async () => {
  const url = portal.addCell('classic firefox', { template: 'classic', input: { 'source-ref': S3_URI }, csp: policy, framing: 'cross-site' });
  const task = await openTaskFrame(firefox, url, instrument);
  try {
    assert.ok(await task.waitFor(() => window.__portalCell?.ready || window.__portalCell?.errors.length, 30000), 'neither ready nor an error');
    const state = await task.evaluate(() => {
      const editor = document.querySelector('avseg-editor');
      const scripts = performance.getEntriesByType('resource').filter((e) => /\.js$/.test(new URL(e.name).pathname)).map((e) => new URL(e.name).pathname).sort();
      return { ...window.__portalCell, duration: editor.duration, coreThread: editor.coreThread, modules: document.querySelectorAll('script[type="module"]').length, scripts };
    });
    assert.deepEqual(state.errors, []);
    assert.equal(state.ready, true);
    assert.ok(Math.abs(state.duration - SECONDS) < 0.01, `duration ${state.duration}`);
    assert.equal(state.coreThread, 'classic-worker');
    assert.equal(state.modules, 0);
    assert.deepEqual(state.scripts, ['/crowd-html-elements.js', '/crowd-task.classic.js', '/template-guard.js']);

    await task.evaluate(() => {
      const editor = document.querySelector('avseg-editor');
      editor.addSegment(editor.addTrack('speaker', 'Customer'), 0.5, 1.25, { text: 'hello' });
      editor.setClassification('speechNonSpeech', 'Speech');
      editor.setClassification('rate', 4);
    });
    await task.click('crowd-button[form-action="submit"]');
    assert.ok(await task.waitFor(() => document.querySelector('#avseg-preview-output'), 5000), 'no answer shown');
    const doc = await task.evaluate(() => JSON.parse(JSON.parse(document.querySelector('#avseg-preview-output').textContent).annotations));
    assert.deepEqual(doc.classifications, { speechNonSpeech: 'Speech', rate: 4 });
    assert.deepEqual(doc.segments.map((s) => [s.startTime, s.endTime, s.fields.text]), [[0.5, 1.25, 'hello']]);
  } finally {
    await task.close();
  }
});
