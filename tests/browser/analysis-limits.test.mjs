// SPDX-License-Identifier: MIT
// The analyses' edges in headless Chromium through the real worker (worker-analysis.js, snapping.js,
// analysis-data.js): a pitch ceiling above what the sample rate allows is lowered to it and said once;
// the one-sample nudge is the fine control and never snaps; the element's `analysis` is the same
// object until the data changes (a long file's pitch grid is not copied on every read). Media by sox.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startElementPage } from './harness.mjs';
import { RATE, makeTones, openTones } from './analysis-media.mjs';

const run = promisify(execFile);
let tmp, env;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-analysis-limits-'));
  await makeTones(tmp);
  await run('sox', ['-D', '-n', '-r', '8000', '-b', '16', '-c', '1', path.join(tmp, 'phone.wav'), 'synth', '2', 'sine', '300', 'vol', '0.5']);
  env = await startElementPage({ title: 'avseg analysis limits', mediaRoot: tmp });
});

after(async () => {
  await env?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

test('a pitch ceiling above a quarter of the sample rate is lowered to it, said once, and pitch is found', async (t) => {
  const config = { categories: [{ name: 'speaker', tags: ['A'] }], analysis: { show: ['pitch'], pitch: { floorHz: 50, ceilingHz: 4000 } } };
  const page = await env.open(t, { width: 1000, height: 900 });
  await page.evaluate(({ src, config }) => new Promise((resolve) => {
    const el = document.querySelector('avseg-editor');
    window.errors = [];
    el.addEventListener('error', (e) => window.errors.push(e.detail));
    el.addEventListener('ready', resolve, { once: true });
    el.setAttribute('autosave', 'off');
    el.config = config;
    el.src = src;
  }), { src: env.servers.media.url('/phone.wav'), config });
  await page.waitForFunction(() => document.querySelector('avseg-editor').analysis.pitch?.final, null, { timeout: 30000 });
  // The view moved: the window is asked again, the rest of the file went on; nothing is said twice.
  await page.evaluate(() => { const el = document.querySelector('avseg-editor'); el.zoomTo(0.5, 1); el.zoomTo(0, 2); });
  await page.waitForTimeout(500);
  const { errors, pitch } = await page.evaluate(() => {
    const p = document.querySelector('avseg-editor').analysis.pitch;
    const voiced = Array.from(p.hz).filter((v) => v > 0);
    return { errors: window.errors, pitch: { ceilingHz: p.ceilingHz, voiced: voiced.length, n: p.hz.length, median: voiced.sort((a, b) => a - b)[voiced.length >> 1] } };
  });
  t.diagnostic(JSON.stringify({ pitch, errors }));
  const said = errors.filter((e) => e.code === 'invalid-value');
  assert.equal(said.length, 1, 'said once');
  assert.match(said[0].message, /ceiling 4000 Hz is above what 8000 Hz audio allows.*up to 2000 Hz/);
  assert.equal(pitch.ceilingHz, 2000);
  assert.ok(pitch.voiced > 0.9 * pitch.n && Math.abs(pitch.median - 300) < 3, `the 300 Hz tone: ${JSON.stringify(pitch)}`);
});

test('the one-sample nudge moves the edge by one sample with snapping on, next to a pause edge', async (t) => {
  const config = { categories: [{ name: 'speaker', tags: ['A'] }], analysis: { show: ['pauses'], snap: { kinds: ['pause', 'energy', 'zero'], radiusMs: 50 } } };
  const page = await openTones(env, t, config);
  const { id, edge } = await page.evaluate((rate) => {
    const el = document.querySelector('avseg-editor');
    const edge = el.analysis.pauses.spans[0].start;
    const track = el.addTrack('speaker', 'A');
    const id = el.addSegment(track, 0.2, (edge - 100) / rate);
    el.selectedSegment = id;
    el.focus();
    return { id, edge };
  }, RATE);
  assert.equal(await page.evaluate(() => document.querySelector('avseg-editor').shadowRoot.querySelector('.sound-snap').checked), true, 'snapping on');
  const end = () => page.evaluate((id) => new Promise((resolve) => requestAnimationFrame(() => setTimeout(() => resolve(document.querySelector('avseg-editor').value.segments.find((s) => s.id === id).end), 300))), id);
  await page.keyboard.press('Shift+.');
  assert.equal(await end(), edge - 99, 'one sample later, not on to the pause edge 99 samples on');
  await page.keyboard.press('Shift+,');
  assert.equal(await end(), edge - 100, 'one sample back');
});

test('the element\'s analysis is the same object until the data changes', async (t) => {
  const config = { categories: [{ name: 'speaker', tags: ['A'] }], analysis: { show: ['pauses', 'pitch'] } };
  const page = await openTones(env, t, config);
  await page.waitForFunction(() => document.querySelector('avseg-editor').analysis.pitch?.final, null, { timeout: 30000 });
  await page.waitForTimeout(300);
  const out = await page.evaluate(() => new Promise((resolve) => {
    const el = document.querySelector('avseg-editor');
    const first = el.analysis;
    const same = first === el.analysis;
    el.addEventListener('analysis', (e) => {
      if (e.detail.kind !== 'pauses') return;
      const after = el.analysis;
      resolve({ same, changed: after !== first, minDuration: after.pauses.minDuration, before: first.pauses.minDuration });
    }, { once: true });
    const field = el.shadowRoot.querySelector('.pause-min');
    field.value = '0.5';
    field.dispatchEvent(new Event('change'));
  }));
  assert.equal(out.same, true, 'read twice, one object');
  assert.equal(out.changed, true, 'new pauses, a new snapshot');
  assert.equal(out.minDuration, 0.5);
  assert.equal(out.before, 0.2, 'the earlier snapshot is as it was');
});
