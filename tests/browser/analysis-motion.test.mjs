// SPDX-License-Identifier: MIT
// The Motion strip of a video in headless Chromium: a clip made by ffmpeg at test time with cuts at
// known frames (tests/fixtures/make-motion-video.sh); shown by the config, the element scans the
// video's frames itself (motion-scan.js, the worker's MotionAnalyzer), marks each cut on the column
// of its frame's start, and a cut accepted with N, Enter splits the selected track's segment at that
// frame's boundary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
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
  const { cuts, times, columns, width } = await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => {
    const el = document.querySelector('avseg-editor');
    const canvas = el.shadowRoot.querySelector('.analysis-strip[data-kind="motion"] canvas');
    // The bottom row: the cuts' red (#c0262d) reaches it, the jerks' orange does not.
    const data = canvas.getContext('2d').getImageData(0, canvas.height - 1, canvas.width, 1).data;
    const red = [];
    for (let x = 0; x < canvas.width; x++) if (data[x * 4] === 0xc0 && data[x * 4 + 1] === 0x26 && data[x * 4 + 2] === 0x2d) red.push(x);
    resolve({ cuts: el.analysis.motion.cuts, times: Array.from(el.frames.times), columns: red, width: canvas.width });
  })));
  assert.deepEqual(cuts.map((c) => c.frame), CUTS, 'the cuts at their frames');
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
