// SPDX-License-Identifier: MIT
// The Motion strip of a video in headless Chromium: a clip made by ffmpeg at test time with cuts at
// known frames (tests/fixtures/make-motion-video.sh); shown by the config, the element scans the
// video's frames itself (motion-scan.js, the worker's MotionAnalyzer), marks each cut on the column
// of its frame's start, and a cut accepted with N, Enter splits the selected track's segment at that
// frame's boundary. A copy cut short in transfer (its index whole, the second half of its data
// missing) is scanned as far as it goes, the strip's label saying how far, and then stops with a
// non-fatal error naming the frame; the annotations stay as they were. A scan of a video replaced
// while it runs says nothing of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, truncate } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { root, startElementPage } from './harness.mjs';

const run = promisify(execFile);
const CUTS = [30, 55, 90, 118];

let tmp;
let env;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-analysis-motion-'));
  await run(path.join(root, 'tests/fixtures/make-motion-video.sh'), ['25', path.join(tmp, 'motion.mp4')]);
  // The index first (faststart), then only the first half of the frames' data.
  const cut = path.join(tmp, 'motion-cut-short.mp4');
  await run(path.join(root, 'tests/fixtures/make-motion-video.sh'), ['25', cut, '-movflags', '+faststart']);
  await truncate(cut, Math.round((await stat(cut)).size / 2));
  env = await startElementPage({ title: 'avseg analysis motion', mediaRoot: tmp });
});

after(async () => {
  await env?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

test('the Motion strip marks the cuts on their frames\' columns, and a cut accepted splits a segment at its frame', async (t) => {
  const page = await env.open(t, { width: 1000, height: 1200 });
  await page.evaluate((src) => new Promise((resolve, reject) => {
    const el = document.querySelector('avseg-editor');
    el.addEventListener('ready', resolve, { once: true });
    el.addEventListener('error', (e) => { if (e.detail.fatal) reject(new Error(e.detail.message)); });
    el.setAttribute('autosave', 'off');
    el.config = { categories: [{ name: 'shot', tags: ['Shot'] }], analysis: { show: ['motion'] } };
    el.src = src;
  }), env.servers.media.url('/motion.mp4'));
  await page.waitForFunction(() => document.querySelector('avseg-editor').analysis.motion?.final, null, { timeout: 60000 });
  const { cuts, times, columns, width, label } = await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => {
    const el = document.querySelector('avseg-editor');
    const canvas = el.shadowRoot.querySelector('.analysis-strip[data-kind="motion"] canvas');
    // The bottom row: the cuts' red (#c0262d) reaches it, the jerks' orange does not.
    const data = canvas.getContext('2d').getImageData(0, canvas.height - 1, canvas.width, 1).data;
    const red = [];
    for (let x = 0; x < canvas.width; x++) if (data[x * 4] === 0xc0 && data[x * 4 + 1] === 0x26 && data[x * 4 + 2] === 0x2d) red.push(x);
    resolve({ cuts: el.analysis.motion.cuts, times: Array.from(el.frames.times), columns: red, width: canvas.width, label: canvas.parentElement.getAttribute('aria-label') });
  })));
  assert.deepEqual(cuts.map((c) => c.frame), CUTS, 'the cuts at their frames');
  assert.match(label, /^Motion: 4 cuts \(red\), \d+ jerks? \(orange\)$/, 'once the scan is done the label says what it found');
  const view = await page.evaluate(() => document.querySelector('avseg-editor').view);
  const expected = CUTS.map((k) => Math.floor((times[k] - view.start) / ((view.end - view.start) / width)));
  assert.deepEqual(columns, expected, 'each cut drawn on the column of its frame\'s start');

  await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    const track = el.addTrack('shot', 'Shot');
    el.addSegment(track, 0, el.duration);
    el.selectedTrack = track;
    el.focus();
  });
  await page.keyboard.press('n');
  const line = await page.evaluate(() => document.querySelector('avseg-editor').shadowRoot.querySelector('.suggestion-line').textContent);
  assert.match(line, /^Cut at 0:01\.200 \(frame 31\) \(1 of \d+\)/);
  await page.keyboard.press('Enter');
  const segments = await page.evaluate(() => document.querySelector('avseg-editor').value.segments.map((s) => [s.startFrame, s.endFrame]));
  assert.deepEqual(segments, [[0, 30], [30, 218]], 'split at frame 30\'s start');
});

test('a video cut short: the Motion strip says how far the scan got, then a non-fatal error names the frame it stopped at; the annotations stay', async (t) => {
  const page = await env.open(t, { width: 1000, height: 1200 });
  const src = env.servers.media.url('/motion-cut-short.mp4');
  const before = await page.evaluate((src) => new Promise((resolve, reject) => {
    const el = document.querySelector('avseg-editor');
    window.errors = [];
    el.addEventListener('error', (e) => window.errors.push(e.detail));
    el.addEventListener('ready', () => {
      try {
        const track = el.addTrack('shot', 'Shot');
        el.addSegment(track, 0, el.duration / 3);
        el.addSegment(track, el.duration / 2, el.duration);
        resolve(el.value);
      } catch (err) {
        reject(err);
      }
    }, { once: true });
    el.addEventListener('error', (e) => { if (e.detail.fatal) reject(new Error(e.detail.message)); });
    el.setAttribute('autosave', 'off');
    el.config = { categories: [{ name: 'shot', tags: ['Shot'] }] };
    el.src = src;
  }), src);
  // Every accessible name the Motion strip is given from when its box is ticked.
  const failure = await page.evaluate(() => new Promise((resolve, reject) => {
    const el = document.querySelector('avseg-editor');
    setTimeout(() => reject(new Error(`no motion-scan-failed error within 15 s; the strip said: ${window.labels.join(' | ')}`)), 15000);
    const strip = el.shadowRoot.querySelector('.analysis-strip[data-kind="motion"]');
    window.labels = [];
    new MutationObserver(() => window.labels.push(strip.getAttribute('aria-label'))).observe(strip, { attributeFilter: ['aria-label'] });
    el.addEventListener('error', (e) => { if (e.detail.code === 'motion-scan-failed') resolve(e.detail); });
    el.shadowRoot.querySelector('[data-show="motion"]').click();
  }));
  await page.waitForFunction(() => /stopped/.test(window.labels.at(-1)), null, { timeout: 5000 });
  const { labels, after, alert, motion, errors, count } = await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    return { labels: window.labels, after: el.value, alert: el.shadowRoot.querySelector('[role="alert"]').textContent, motion: el.analysis.motion, errors: window.errors, count: el.frames.count };
  });
  t.diagnostic(failure.message);
  t.diagnostic(`labels: ${[...new Set(labels)].join(' | ')}`);
  t.diagnostic(`other errors: ${errors.filter((e) => e.code !== 'motion-scan-failed').map((e) => e.code).join(', ') || 'none'}`);
  const frame = Number(/frame (\d+)/.exec(failure.message)?.[1]);
  assert.equal(failure.fatal, false);
  assert.match(failure.message, new RegExp(`^The motion scan stopped: frame ${frame} of the video could not be shown for the motion scan, so the Motion strip has no cuts or jerks for this video \\(${frame} of ${count} frames measured\\); the annotations are unchanged\\.$`));
  // The frame index holds the frames whose data arrived; the browser shows the first batches of
  // them, not those whose decoding needs the data that is missing.
  t.diagnostic(`${count} frames indexed, the scan stopped at frame ${frame}`);
  assert.ok(count > 32 && count < 218, `the frames that arrived are indexed (${count})`);
  assert.ok(frame >= 32 && frame < count, `stopped near where the data ends (frame ${frame} of ${count})`);
  const scanning = labels.filter((l) => new RegExp(`^Motion: scanning frames \\d+ of ${count}$`).test(l)).map((l) => Number(/frames (\d+)/.exec(l)[1]));
  assert.ok(scanning.some((done) => done > 0 && done <= frame), `the label said how far the scan got: ${[...new Set(labels)].join(' | ')}`);
  assert.equal(labels.at(-1), `Motion: the scan stopped at frame ${frame} (${frame} of ${count} frames measured)`);
  assert.equal(alert, failure.message, 'said in the element\'s alert box');
  assert.equal(errors.filter((e) => e.code === 'motion-scan-failed').length, 1, 'said once');
  assert.ok(!motion?.final, 'no motion claimed final');
  assert.deepEqual(after, before, 'the annotations are unchanged');
});

test('a scan of a video replaced while it runs says nothing: the next video\'s scan runs and its label is its own', async (t) => {
  const page = await env.open(t, { width: 1000, height: 1200 });
  const result = await page.evaluate(({ first, second }) => new Promise((resolve, reject) => {
    const el = document.querySelector('avseg-editor');
    const strip = el.shadowRoot.querySelector('.analysis-strip[data-kind="motion"]');
    const errors = [];
    const labels = [];
    el.addEventListener('error', (e) => {
      errors.push(e.detail);
      if (e.detail.fatal) reject(new Error(e.detail.message));
    });
    new MutationObserver(() => {
      labels.push(strip.getAttribute('aria-label'));
      // The first video's scan is under way: another video is loaded.
      if (el.src === first && /^Motion: scanning frames [1-9]/.test(labels.at(-1))) el.src = second;
    }).observe(strip, { attributeFilter: ['aria-label'] });
    el.addEventListener('analysis', ({ detail }) => {
      if (el.src === second && detail.kind === 'motion' && el.analysis.motion?.final) {
        requestAnimationFrame(() => resolve({ errors, labels, label: strip.getAttribute('aria-label'), frames: el.frames.count }));
      }
    });
    setTimeout(() => reject(new Error(`the second video's motion did not come within 20 s: ${labels.join(' | ')}`)), 20000);
    el.setAttribute('autosave', 'off');
    el.config = { categories: [{ name: 'shot', tags: ['Shot'] }], analysis: { show: ['motion'] } };
    el.src = first;
  }), { first: env.servers.media.url('/motion-cut-short.mp4'), second: env.servers.media.url('/motion.mp4') });
  t.diagnostic(`labels: ${[...new Set(result.labels)].join(' | ')}`);
  assert.deepEqual(result.errors.filter((e) => e.code === 'motion-scan-failed'), [], 'the replaced scan said nothing');
  assert.equal(result.frames, 218);
  assert.ok(result.labels.some((l) => /^Motion: scanning frames \d+ of 218$/.test(l)), 'the second scan said its own progress');
  assert.ok(!result.labels.some((l) => /stopped/.test(l)), 'no label said a scan stopped');
  assert.match(result.label, /^Motion: 4 cuts \(red\)/);
});
